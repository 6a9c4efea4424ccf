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
 * Mode tunnel wraps the client's packet, unchanged, in an outer IPv4
 * header to the backend (IPIP, GRE or GUE; struct sl_tun holds what is
 * fixed per backend); mode dr changes nothing but the MAC addresses
 * (sl_nat_set_macs). When a packet cannot cross the next link in one
 * piece, sl_nat_icmp_too_big() writes the client's "fragmentation
 * needed".
 *
 * Thread-safety: pure functions on the caller's packet.
 */

#include <stdint.h>
#include <string.h>
#include <netinet/in.h>
#include <rte_common.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "sl_pkt.h"
#include "sl_config.h"

/* Byte offsets of the fields rewritten (packed headers: no pointers
 * to members, loads and stores through memcpy). */
#define SL_IP_SRC_OFF   12
#define SL_IP_DST_OFF   16
#define SL_IP_TTL_OFF   8
#define SL_IP_CSUM_OFF  10
#define SL_TCP_CSUM_OFF 16
#define SL_UDP_CSUM_OFF 6

/*
 * Take one from the TTL of the IPv4 header at @p ip, which must be at
 * least 1 (the callers drop a packet whose TTL would reach 0). Returns
 * what that adds to the header checksum (for sl_csum_apply()): the
 * 16-bit word of TTL and protocol goes from w to w - 0x0100, and
 * ~w + (w - 0x0100) is the same for every w without a borrow, which a
 * TTL of at least 1 rules out. The word is loaded once and stored whole:
 * loading it again after a one-byte store would wait for that store to
 * complete (a load wider than the store it follows is not forwarded
 * from it).
 */
#define SL_NAT_TTL_DELTA ((uint32_t)0xffff - RTE_BE16(0x0100))

static __rte_always_inline uint32_t
sl_nat_ttl_dec(uint8_t *ip)
{
	uint16_t w = (uint16_t)(sl_ld16(ip + SL_IP_TTL_OFF) - RTE_BE16(0x0100));

	memcpy(ip + SL_IP_TTL_OFF, &w, 2);
	return SL_NAT_TTL_DELTA;
}

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
	uint32_t d_ttl;
	uint16_t csum;
	rte_be32_t old_ip;
	rte_be16_t old_port;
	uint32_t d_ip;

	memcpy(&old_ip, ap, 4);
	memcpy(&old_port, pp, 2);
	/* TTL and protocol share one 16-bit checksum word */
	d_ttl = sl_nat_ttl_dec(ip);
	memcpy(ap, &new_ip, 4);
	memcpy(pp, &new_port, 2);
	/* the address is in both sums: its delta is taken once */
	d_ip = sl_csum_delta32(old_ip, new_ip);
	csum = sl_csum_apply(sl_ld16(ip + SL_IP_CSUM_OFF),
			     d_ip + d_ttl);
	memcpy(ip + SL_IP_CSUM_OFF, &csum, 2);

	csum = sl_ld16(l4c);
	/* a UDP checksum of zero means none was sent: keep it so */
	if (unlikely(csum == 0) && pi->proto == IPPROTO_UDP)
		return;
	/* the pseudo-header holds the address, the L4 header the port */
	csum = sl_csum_apply(csum, d_ip + sl_csum_delta16(old_port, new_port));
	if (unlikely(csum == 0) && pi->proto == IPPROTO_UDP)
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
	uint32_t d_ttl;
	uint16_t csum;
	rte_be32_t old_s, old_d;
	rte_be16_t old_sp, old_dp;
	uint32_t d_ip;

	memcpy(&old_s, ip + SL_IP_SRC_OFF, 4);
	memcpy(&old_d, ip + SL_IP_DST_OFF, 4);
	memcpy(&old_sp, l4, 2);
	memcpy(&old_dp, l4 + 2, 2);
	d_ttl = sl_nat_ttl_dec(ip);
	memcpy(ip + SL_IP_SRC_OFF, &saddr, 4);
	memcpy(ip + SL_IP_DST_OFF, &daddr, 4);
	memcpy(l4, &sport, 2);
	memcpy(l4 + 2, &dport, 2);
	d_ip = sl_csum_delta32(old_s, saddr) + sl_csum_delta32(old_d, daddr);
	csum = sl_csum_apply(sl_ld16(ip + SL_IP_CSUM_OFF),
			     d_ip + d_ttl);
	memcpy(ip + SL_IP_CSUM_OFF, &csum, 2);

	csum = sl_ld16(l4c);
	if (unlikely(csum == 0) && pi->proto == IPPROTO_UDP)
		return;
	csum = sl_csum_apply(csum, d_ip + sl_csum_delta16(old_sp, sport) +
			     sl_csum_delta16(old_dp, dport));
	if (unlikely(csum == 0) && pi->proto == IPPROTO_UDP)
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
 * The same for an untagged IPv4 frame in two stores: @p dst8 is eight
 * bytes whose first six (in memory order) are the destination MAC, @p
 * src8 the source MAC and the IPv4 ethertype; the second store covers the
 * first's last two bytes.
 */
static __rte_always_inline void
sl_nat_set_macs8(uint8_t *frame, uint64_t dst8, uint64_t src8)
{
	memcpy(frame, &dst8, sizeof(dst8));
	memcpy(frame + RTE_ETHER_ADDR_LEN, &src8, sizeof(src8));
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
 * sl_nat_icmp_err() for a FullNAT connection, whose two legs share no
 * endpoint: the quote becomes @p saddr:sport -> @p daddr:dport and the
 * outer header goes from @p daddr to @p saddr (an error about a packet
 * goes to its source). Toward the client: the client's packet to the
 * VIP, from the VIP; toward the backend: the backend's packet to the
 * local address, from the local address. TTL and checksums as there.
 */
void sl_nat_icmp_err_fullnat(uint8_t *frame, const struct sl_pkt_info *pi,
			     const struct sl_pkt_quote *q, rte_be32_t saddr,
			     rte_be16_t sport, rte_be32_t daddr, rte_be16_t dport);

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

/*
 * IPv6 (NAT66): the same rewrites without an IP header checksum; the
 * TCP/UDP checksum covers the addresses through the pseudo-header, so a
 * 16-byte address change is eight 16-bit updates. The hop limit is
 * decremented (the caller checked it is above 1). A UDP checksum is
 * mandatory over IPv6: a result of zero is sent as 0xffff.
 */

/** Replace the source (@p dst == 0) or destination address and port of
 *  an IPv6 TCP/UDP packet parsed by sl_pkt_parse6(). */
void sl_nat6_rewrite(uint8_t *frame, const struct sl_pkt6_info *pi, int dst,
		     const struct sl_in6 *addr, rte_be16_t port);

/**
 * Turn an ICMPv6 echo request (parsed) into its reply in place: MACs and
 * addresses swapped, type 129, hop limit 64, checksum updated.
 */
void sl_nat6_icmp_echo_reply(uint8_t *frame, const struct sl_pkt6_info *pi);

/**
 * Rewrite an ICMPv6 error about a NAT66 connection for the other end, as
 * sl_nat_icmp_err() does for IPv4: toward the backend (@p to_backend) the
 * outer destination and the quoted source become @p addr and the quoted
 * source port @p port; toward the client the outer source and the quoted
 * destination become @p addr and the quoted destination port @p port.
 * The quoted TCP/UDP checksum (when the quote holds it) and the ICMPv6
 * checksum are updated incrementally; the hop limit is decremented.
 */
void sl_nat6_icmp_err(uint8_t *frame, const struct sl_pkt6_info *pi,
		      const struct sl_pkt6_quote *q, int to_backend,
		      const struct sl_in6 *addr, rte_be16_t port);

/** sl_nat_icmp_err_fullnat() for IPv6: the quote becomes
 *  [@p saddr]:sport -> [@p daddr]:dport, the outer header goes from
 *  @p daddr to @p saddr; checksums and hop limit as sl_nat6_icmp_err(). */
void sl_nat6_icmp_err_fullnat(uint8_t *frame, const struct sl_pkt6_info *pi,
			      const struct sl_pkt6_quote *q, const struct sl_in6 *saddr,
			      rte_be16_t sport, const struct sl_in6 *daddr, rte_be16_t dport);

/*
 * NAT64 (RFC 7915 header translation, TCP and UDP): the upper-layer
 * header stays where it is in the buffer and the headers in front of it
 * are written anew; the TCP/UDP checksum is updated for the
 * pseudo-header's change of addresses (its length and protocol words sum
 * alike in both families) and of ports. The Ethernet type is set, the
 * MAC addresses are left to the caller.
 */

/**
 * IPv6 -> IPv4: the IPv6 packet (@p pi from sl_pkt_parse6(), extension
 * headers dropped) becomes @p src:sport -> @p dst:dport over IPv4: DS
 * field from the traffic class, DF set, TTL the hop limit less one.
 * @return the new start of the frame, 14 + 20 bytes before the
 *   upper-layer header (the caller trims the buffer's front to it).
 */
uint8_t *sl_nat_6to4(uint8_t *frame, const struct sl_pkt6_info *pi, rte_be32_t src,
		     rte_be16_t sport, rte_be32_t dst, rte_be16_t dport);

/**
 * IPv4 -> IPv6: the IPv4 packet (@p pi from sl_pkt_parse()) becomes
 * [@p src]:sport -> [@p dst]:dport over IPv6: traffic class from the DS
 * field, hop limit the TTL less one. The frame grows by 40 - l3_len
 * bytes at the front: the caller made room (rte_pktmbuf_prepend).
 * @return the new start of the frame, 14 + 40 bytes before the
 *   upper-layer header.
 */
uint8_t *sl_nat_4to6(uint8_t *frame, const struct sl_pkt_info *pi,
		     const struct sl_in6 *src, rte_be16_t sport,
		     const struct sl_in6 *dst, rte_be16_t dport);

/* What precedes the quoted TCP/UDP header of a NAT64 ICMP error once
 * translated: Ethernet, the outer IP header, the ICMP header and the
 * quoted IP header, for IPv6 and for IPv4. */
#define SL_ICMP64_HDRS6 (RTE_ETHER_HDR_LEN + 40 + 8 + 40)
#define SL_ICMP64_HDRS4 (RTE_ETHER_HDR_LEN + 20 + 8 + 20)

/**
 * NAT64, RFC 7915 section 4.2: the ICMPv4 error @p frame (@p pi, @p q
 * from sl_pkt_parse() and sl_pkt_icmp_quote()) becomes an ICMPv6 error
 * about [@p saddr]:sport -> [@p daddr]:dport, from @p daddr to @p saddr:
 * destination unreachable to unreachable (protocol unreachable to a
 * parameter problem at the next header), "fragmentation needed" to
 * "packet too big" with the MTU 20 bytes larger, at most @p mtu (a
 * router that gave none: the RFC 1191 plateau below the quoted length,
 * at least 1280), time exceeded alike, parameter problem with its
 * pointer moved to the IPv6 field. The quoted IPv4 header becomes an
 * IPv6 one; the quoted TCP/UDP header stays where it is (ports and
 * checksum rewritten), at most 1280 bytes in all (RFC 4443), anything
 * after the quoted packet dropped. Hop limit the TTL less one; the
 * ICMPv6 checksum computed; MAC addresses left to the caller.
 * @return the new start of the frame, SL_ICMP64_HDRS6 bytes before the
 *   quoted L4 header (the caller makes room or trims the front to it),
 *   with its length in @p len; NULL when the error has no ICMPv6
 *   counterpart (RFC 7915: silently dropped), nothing written.
 */
uint8_t *sl_nat_icmp_4to6(uint8_t *frame, const struct sl_pkt_info *pi,
			  const struct sl_pkt_quote *q, const struct sl_in6 *saddr,
			  rte_be16_t sport, const struct sl_in6 *daddr, rte_be16_t dport,
			  uint16_t mtu, uint32_t *len);

/**
 * NAT64, RFC 7915 section 5.2: the ICMPv6 error @p frame (@p pi, @p q
 * from sl_pkt_parse6() and sl_pkt_icmp6_quote()) becomes an ICMPv4 error
 * about @p saddr:sport -> @p daddr:dport, from @p daddr to @p saddr:
 * unreachables to their ICMPv4 codes, "packet too big" to "fragmentation
 * needed" with the MTU 20 bytes smaller, at most @p mtu, time exceeded
 * alike, parameter problem with its pointer moved to the IPv4 field
 * (unrecognized next header: protocol unreachable). The quoted IPv6
 * header becomes an IPv4 one with DF (extension headers left out), the
 * message at most 576 bytes (RFC 1812); checksums computed. As
 * sl_nat_icmp_4to6() otherwise, SL_ICMP64_HDRS4 bytes before the quoted
 * L4 header.
 */
uint8_t *sl_nat_icmp_6to4(uint8_t *frame, const struct sl_pkt6_info *pi,
			  const struct sl_pkt6_quote *q, rte_be32_t saddr, rte_be16_t sport,
			  rte_be32_t daddr, rte_be16_t dport, uint16_t mtu, uint32_t *len);

/** Outer headers towards one backend of a tunnel service: what is fixed
 *  per backend, built once per snapshot by sl_nat_tun_init(). */
struct sl_tun {
	uint32_t sum;        /**< one's-complement sum of the fixed words of
			      *   the outer IPv4 header (TTL, protocol,
			      *   addresses) as loaded from memory */
	rte_be32_t src;      /**< outer source: a local address */
	rte_be32_t dst;      /**< outer destination: the backend */
	rte_be16_t port;     /**< gue: UDP destination port */
	uint8_t encap;       /**< enum sl_encap */
	uint8_t len;         /**< bytes the encapsulation adds */
	uint8_t proto;       /**< outer IP protocol: 4, 47 or 17 */
};

#define SL_TUN_TTL 64      /**< TTL of the outer header */

/** Fill @p t for encapsulation @p encap (enum sl_encap) from @p src to
 *  @p dst, GUE to UDP port @p port (network order). */
void sl_nat_tun_init(struct sl_tun *t, uint8_t encap, rte_be32_t src,
		     rte_be32_t dst, rte_be16_t port);

/**
 * Write the outer headers of tunnel @p t in front of an IPv4 packet:
 * @p frame is the start of the frame, whose Ethernet header (addresses
 * left to the caller) is followed by t->len bytes of room and then the
 * inner IPv4 packet. The outer header copies the inner one's DS field
 * and DF bit (RFC 2003), has identification 0, TTL SL_TUN_TTL and its
 * checksum; GUE's UDP checksum is 0 (none, allowed over IPv4) and its
 * source port @p sport (network order) comes from the caller's flow
 * hash, so the backend's NIC spreads flows over its queues.
 */
static __rte_always_inline void
sl_nat_encap(uint8_t *frame, const struct sl_tun *t, rte_be16_t sport)
{
	uint8_t *o = frame + RTE_ETHER_HDR_LEN;
	const uint8_t *in = o + t->len;
	uint16_t olen = (uint16_t)(rte_be_to_cpu_16(sl_ld16(in + 2)) + t->len);
	rte_be16_t w0 = rte_cpu_to_be_16((uint16_t)(0x4500 | in[1]));
	rte_be16_t tl = rte_cpu_to_be_16(olen);
	rte_be16_t frag = sl_ld16(in + 6) & RTE_BE16(RTE_IPV4_HDR_DF_FLAG);
	uint8_t ttl_proto[2] = { SL_TUN_TTL, t->proto };
	uint16_t csum;
	uint32_t sum;

	((struct rte_ether_hdr *)frame)->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	memcpy(o, &w0, 2);
	memcpy(o + 2, &tl, 2);
	memset(o + 4, 0, 2);
	memcpy(o + 6, &frag, 2);
	memcpy(o + 8, ttl_proto, 2);
	memcpy(o + 12, &t->src, 4);
	memcpy(o + 16, &t->dst, 4);
	sum = t->sum + w0 + tl + frag;
	csum = (uint16_t)~sl_csum_fold(sum);
	memcpy(o + 10, &csum, 2);
	if (t->encap == SL_ENCAP_GRE) {
		/* no checksum, key or sequence number; IPv4 inside */
		static const uint8_t gre[4] = { 0, 0, 0x08, 0x00 };

		memcpy(o + 20, gre, 4);
	} else if (t->encap == SL_ENCAP_GUE) {
		/* UDP, then GUE version 0 without options: the inner
		 * protocol (IPIP) in the header's second byte */
		static const uint8_t gue[4] = { 0, IPPROTO_IPIP, 0, 0 };
		rte_be16_t ulen = rte_cpu_to_be_16((uint16_t)(olen - 20));

		memcpy(o + 20, &sport, 2);
		memcpy(o + 22, &t->port, 2);
		memcpy(o + 24, &ulen, 2);
		memset(o + 26, 0, 2);
		memcpy(o + 28, gue, 4);
	}
}

/** Fill @p t for an IPv6 tunnel (outer IPv6 header, no IPv4 words):
 *  encapsulation @p encap (enum sl_encap: ipip = IPv6 in IPv6, next
 *  header 41; gre; gue to UDP port @p port, network order). The outer
 *  addresses are the backend's (struct sl_backend tun6_src, addr6). */
void sl_nat_tun6_init(struct sl_tun *t, uint8_t encap, rte_be16_t port);

/**
 * Write the outer headers of IPv6 tunnel @p t (sl_nat_tun6_init()) from
 * @p src to @p dst in front of the parsed IPv6 packet @p pi: @p frame is
 * the start of the frame, its Ethernet header (addresses left to the
 * caller) followed by t->len bytes of room and then the inner packet. The
 * outer header carries the inner traffic class, flow label 0, hop limit
 * SL_TUN_TTL. GRE: 4 bytes, protocol 0x86dd. GUE: UDP from @p sport
 * (network order, from the flow hash) with its checksum, which IPv6
 * requires: the inner packet's sum is taken from its header and its
 * verified-or-forwarded L4 checksum (whose segment sums to the complement
 * of its pseudo-header), not by reading the payload.
 */
void sl_nat_encap6(uint8_t *frame, const struct sl_tun *t, const struct sl_in6 *src,
		   const struct sl_in6 *dst, rte_be16_t sport,
		   const struct sl_pkt6_info *pi);

/**
 * Write to @p out an Ethernet + IPv4 + ICMP "fragmentation needed"
 * (type 3 code 4) answering the parsed frame @p frame: to its sender
 * (Ethernet and IP source), from @p src_mac and @p saddr, with next-hop
 * MTU @p mtu and the quoted IPv4 header plus the first 8 bytes after it
 * (RFC 792, RFC 1191). @p out must not overlap @p frame and needs
 * 14 + 20 + 8 + 60 + 8 bytes.
 * @return the frame length.
 */
unsigned sl_nat_icmp_too_big(uint8_t *out, const uint8_t *frame,
			     const struct sl_pkt_info *pi,
			     const struct rte_ether_addr *src_mac, rte_be32_t saddr,
			     uint16_t mtu);

#endif /* SL_NAT_H */
