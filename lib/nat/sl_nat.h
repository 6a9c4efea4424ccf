/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SL_NAT_H
#define SL_NAT_H

/**
 * @file
 * Header rewrite for NAT mode (two-arm DNAT) and FullNAT (one-arm).
 *
 * Client -> VIP packets get their destination address and port replaced
 * by the backend's (sl_nat_dnat); backend -> client replies get their
 * source replaced by the VIP's (sl_nat_snat). Both decrement the TTL, as
 * a router hop must, and patch the IPv4 and TCP/UDP checksums
 * incrementally (RFC 1624), so the cost does not depend on packet size.
 * A UDP checksum of zero (none) stays zero. The frame must have been
 * accepted by sl_pkt_parse() with the TTL checked by the caller.
 *
 * Thread-safety: pure functions on the caller's packet.
 */

#include <stdint.h>
#include <netinet/in.h>
#include <rte_common.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "sl_pkt.h"

/* Byte offsets of the fields rewritten (packed headers: no pointers
 * to members, loads and stores through memcpy). */
#define SL_IP_SRC_OFF   12
#define SL_IP_DST_OFF   16
#define SL_IP_TTL_OFF   8
#define SL_IP_CSUM_OFF  10
#define SL_TCP_CSUM_OFF 16
#define SL_UDP_CSUM_OFF 6

/* Replace the source (@p dst == 0) or destination address and port. */
static __rte_always_inline void
sl_nat_rewrite(uint8_t *frame, const struct sl_pkt_info *pi, int dst,
	       rte_be32_t new_ip, rte_be16_t new_port)
{
	uint8_t *ip = frame + pi->l2_len;
	uint8_t *l4 = ip + pi->l3_len;
	uint8_t *ap = ip + (dst ? SL_IP_DST_OFF : SL_IP_SRC_OFF);
	uint8_t *pp = l4 + (dst ? 2 : 0);
	uint8_t *l4c = l4 + (pi->proto == IPPROTO_TCP ? SL_TCP_CSUM_OFF : SL_UDP_CSUM_OFF);
	uint16_t old_ttl_word, new_ttl_word, csum;
	rte_be32_t old_ip;
	rte_be16_t old_port;

	memcpy(&old_ip, ap, 4);
	memcpy(&old_port, pp, 2);
	/* TTL and protocol share one 16-bit checksum word */
	old_ttl_word = sl_ld16(ip + SL_IP_TTL_OFF);
	ip[SL_IP_TTL_OFF]--;
	new_ttl_word = sl_ld16(ip + SL_IP_TTL_OFF);
	memcpy(ap, &new_ip, 4);
	memcpy(pp, &new_port, 2);
	csum = sl_csum_update16(sl_csum_update32(sl_ld16(ip + SL_IP_CSUM_OFF),
						 old_ip, new_ip),
				old_ttl_word, new_ttl_word);
	memcpy(ip + SL_IP_CSUM_OFF, &csum, 2);

	csum = sl_ld16(l4c);
	/* a UDP checksum of zero means none was sent: keep it so */
	if (pi->proto == IPPROTO_UDP && csum == 0)
		return;
	/* the pseudo-header holds the address, the L4 header the port */
	csum = sl_csum_update16(sl_csum_update32(csum, old_ip, new_ip),
				old_port, new_port);
	if (pi->proto == IPPROTO_UDP && csum == 0)
		csum = 0xffff;
	memcpy(l4c, &csum, 2);
}

/** Client -> VIP becomes client -> backend. */
static __rte_always_inline void
sl_nat_dnat(uint8_t *frame, const struct sl_pkt_info *pi,
	    rte_be32_t bip, rte_be16_t bport)
{
	sl_nat_rewrite(frame, pi, 1, bip, bport);
}

/** Backend -> client becomes VIP -> client. */
static __rte_always_inline void
sl_nat_snat(uint8_t *frame, const struct sl_pkt_info *pi,
	    rte_be32_t vip, rte_be16_t vport)
{
	sl_nat_rewrite(frame, pi, 0, vip, vport);
}

/**
 * FullNAT: replace both endpoints, source by @p saddr:sport and
 * destination by @p daddr:dport, TTL decremented, checksums patched once
 * for all four changes. Client -> VIP becomes local address -> backend;
 * backend -> local address becomes VIP -> client.
 */
static __rte_always_inline void
sl_nat_fullnat(uint8_t *frame, const struct sl_pkt_info *pi,
	       rte_be32_t saddr, rte_be16_t sport, rte_be32_t daddr, rte_be16_t dport)
{
	uint8_t *ip = frame + pi->l2_len;
	uint8_t *l4 = ip + pi->l3_len;
	uint8_t *l4c = l4 + (pi->proto == IPPROTO_TCP ? SL_TCP_CSUM_OFF : SL_UDP_CSUM_OFF);
	uint16_t old_ttl_word, new_ttl_word, csum;
	rte_be32_t old_s, old_d;
	rte_be16_t old_sp, old_dp;

	memcpy(&old_s, ip + SL_IP_SRC_OFF, 4);
	memcpy(&old_d, ip + SL_IP_DST_OFF, 4);
	memcpy(&old_sp, l4, 2);
	memcpy(&old_dp, l4 + 2, 2);
	old_ttl_word = sl_ld16(ip + SL_IP_TTL_OFF);
	ip[SL_IP_TTL_OFF]--;
	new_ttl_word = sl_ld16(ip + SL_IP_TTL_OFF);
	memcpy(ip + SL_IP_SRC_OFF, &saddr, 4);
	memcpy(ip + SL_IP_DST_OFF, &daddr, 4);
	memcpy(l4, &sport, 2);
	memcpy(l4 + 2, &dport, 2);
	csum = sl_csum_update16(sl_csum_update32(sl_csum_update32(sl_ld16(ip + SL_IP_CSUM_OFF),
								  old_s, saddr),
						 old_d, daddr),
				old_ttl_word, new_ttl_word);
	memcpy(ip + SL_IP_CSUM_OFF, &csum, 2);

	csum = sl_ld16(l4c);
	if (pi->proto == IPPROTO_UDP && csum == 0)
		return;
	csum = sl_csum_update32(sl_csum_update32(csum, old_s, saddr), old_d, daddr);
	csum = sl_csum_update16(sl_csum_update16(csum, old_sp, sport), old_dp, dport);
	if (pi->proto == IPPROTO_UDP && csum == 0)
		csum = 0xffff;
	memcpy(l4c, &csum, 2);
}

/** Set the Ethernet addresses for the next hop. */
static __rte_always_inline void
sl_nat_set_macs(uint8_t *frame, const struct rte_ether_addr *dst,
		const struct rte_ether_addr *src)
{
	struct rte_ether_hdr *eh = (struct rte_ether_hdr *)frame;

	rte_ether_addr_copy(dst, &eh->dst_addr);
	rte_ether_addr_copy(src, &eh->src_addr);
}

/**
 * Turn an ICMP echo request (already parsed) into its reply in place:
 * swap MACs and addresses, type 0, checksums patched. TTL reset to 64.
 */
void sl_nat_icmp_echo_reply(uint8_t *frame, const struct sl_pkt_info *pi);

/**
 * Rewrite an ICMP error about a NAT connection for the other end, as
 * IPVS does, so that path-MTU discovery and unreachables work through
 * Sluice. @p pi and @p q are sl_pkt_parse() and sl_pkt_icmp_quote()
 * results for the frame; the caller checked the TTL.
 *
 * Toward the backend (@p to_backend set; the error answers a reply Sluice
 * sent as VIP:vport): the outer destination and the quoted source become
 * @p addr, the quoted source port @p port (the backend's). Toward the
 * client (the error answers a packet Sluice passed to the backend): the
 * outer source and the quoted destination become @p addr, the quoted
 * destination port @p port (the VIP's). The quote then reads as the
 * packet the receiver itself sent or received.
 *
 * The outer TTL is decremented. The outer and quoted IPv4 header
 * checksums, the quoted TCP/UDP checksum when the quote holds it (a UDP
 * checksum of zero stays zero) and the ICMP checksum are updated
 * incrementally (RFC 1624); everything else, the next-hop MTU of
 * "fragmentation needed" included, is left as it is.
 */
void sl_nat_icmp_err(uint8_t *frame, const struct sl_pkt_info *pi,
		     const struct sl_pkt_quote *q, int to_backend,
		     rte_be32_t addr, rte_be16_t port);

/**
 * Write a 54-byte Ethernet + IPv4 + TCP RST frame with correct checksums
 * (slow path: refusing or flushing a connection). Addresses and ports in
 * network order, @p seq and @p ack in host order; with @p ack_flag the
 * segment is RST|ACK and carries @p ack.
 * @return the frame length.
 */
unsigned sl_nat_tcp_rst(uint8_t *frame, const struct rte_ether_addr *dst_mac,
			const struct rte_ether_addr *src_mac, rte_be32_t saddr,
			rte_be32_t daddr, rte_be16_t sport, rte_be16_t dport,
			uint32_t seq, uint32_t ack, int ack_flag);

#endif /* SL_NAT_H */
