/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Control-path and cold-path halves of the tunnel and direct-return
 * modes (see sl_nat.h): the per-backend outer header sums, and the ICMP
 * "fragmentation needed" a client gets when its packet, encapsulated,
 * would not fit the next link.
 */
#include <string.h>

#include "sl_config.h"
#include "sl_nat.h"

void
sl_nat_tun_init(struct sl_tun *t, uint8_t encap, rte_be32_t src, rte_be32_t dst,
		rte_be16_t port)
{
	uint8_t ttl_proto[2];

	memset(t, 0, sizeof(*t));
	t->encap = encap;
	t->src = src;
	t->dst = dst;
	t->port = port;
	switch (encap) {
	case SL_ENCAP_GRE:
		t->proto = IPPROTO_GRE;
		t->len = sizeof(struct rte_ipv4_hdr) + 4;
		break;
	case SL_ENCAP_GUE:
		t->proto = IPPROTO_UDP;
		t->len = sizeof(struct rte_ipv4_hdr) + sizeof(struct rte_udp_hdr) + 4;
		break;
	default:
		t->proto = IPPROTO_IPIP;
		t->len = sizeof(struct rte_ipv4_hdr);
		break;
	}
	/* the words sl_nat_encap() does not vary: TTL and protocol, the
	 * addresses (identification is 0) */
	ttl_proto[0] = SL_TUN_TTL;
	ttl_proto[1] = t->proto;
	t->sum = sl_ld16(ttl_proto) + sl_ld16((const uint8_t *)&src) +
		 sl_ld16((const uint8_t *)&src + 2) + sl_ld16((const uint8_t *)&dst) +
		 sl_ld16((const uint8_t *)&dst + 2);
}

void
sl_nat_tun6_init(struct sl_tun *t, uint8_t encap, rte_be16_t port)
{
	memset(t, 0, sizeof(*t));
	t->encap = encap;
	t->port = port;
	switch (encap) {
	case SL_ENCAP_GRE:
		t->proto = IPPROTO_GRE;
		t->len = 40 + 4;
		break;
	case SL_ENCAP_GUE:
		t->proto = IPPROTO_UDP;
		t->len = 40 + sizeof(struct rte_udp_hdr) + 4;
		break;
	default:
		t->proto = IPPROTO_IPV6;
		t->len = 40;
		break;
	}
}

/* The one's-complement sum of the inner IPv6 packet at @p in without
 * reading its payload: the headers (40 + extension headers) summed, the
 * rest is the L4 segment, which with a correct checksum sums to the
 * complement of its pseudo-header (a corrupt one gives a wrong outer
 * checksum, and the backend drops what it would have dropped anyway). */
static uint32_t
inner6_sum(const uint8_t *in, const struct sl_pkt6_info *pi)
{
	uint32_t l4_len = (uint32_t)pi->plen + 40 - pi->l3_len;
	uint32_t pseudo = sl_csum_full(in + 8, 32, 0);

	pseudo += rte_cpu_to_be_16((uint16_t)(l4_len >> 16));
	pseudo += rte_cpu_to_be_16((uint16_t)l4_len);
	pseudo += rte_cpu_to_be_16(pi->proto);
	return (uint32_t)sl_csum_full(in, pi->l3_len, 0) +
	       (uint16_t)~sl_csum_fold(pseudo);
}

void
sl_nat_encap6(uint8_t *frame, const struct sl_tun *t, const struct sl_in6 *src,
	      const struct sl_in6 *dst, rte_be16_t sport, const struct sl_pkt6_info *pi)
{
	uint8_t *o = frame + RTE_ETHER_HDR_LEN;
	uint8_t *in = o + t->len;
	uint32_t w0, vtc;
	uint16_t plen = (uint16_t)(t->len + pi->plen);
	rte_be16_t plen_be = rte_cpu_to_be_16(plen);

	((struct rte_ether_hdr *)frame)->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV6);
	/* the traffic class of the packet inside, flow label 0 */
	memcpy(&w0, in, 4);
	vtc = rte_cpu_to_be_32(0x60000000u | (rte_be_to_cpu_32(w0) & 0x0ff00000u));
	memcpy(o, &vtc, 4);
	memcpy(o + 4, &plen_be, 2);
	o[6] = t->proto;
	o[7] = SL_TUN_TTL;
	memcpy(o + 8, src, 16);
	memcpy(o + 24, dst, 16);
	if (t->encap == SL_ENCAP_GRE) {
		/* no checksum, key or sequence number; IPv6 inside */
		static const uint8_t gre[4] = { 0, 0, 0x86, 0xdd };

		memcpy(o + 40, gre, 4);
	} else if (t->encap == SL_ENCAP_GUE) {
		/* UDP, then GUE version 0 without options: IPv6 inside */
		static const uint8_t gue[4] = { 0, IPPROTO_IPV6, 0, 0 };
		uint32_t sum = sl_csum_full(o + 8, 32, 0);
		uint16_t csum;

		memcpy(o + 40, &sport, 2);
		memcpy(o + 42, &t->port, 2);
		memcpy(o + 44, &plen_be, 2);
		memset(o + 46, 0, 2);
		memcpy(o + 48, gue, 4);
		/* pseudo-header (the UDP length is the payload length), the
		 * UDP and GUE headers, the inner packet */
		sum += plen_be + rte_cpu_to_be_16(IPPROTO_UDP);
		sum += sl_csum_full(o + 40, 12, 0);
		sum += inner6_sum(in, pi);
		csum = (uint16_t)~sl_csum_fold(sum);
		if (csum == 0)
			csum = 0xffff;
		memcpy(o + 46, &csum, 2);
	}
}

unsigned
sl_nat_icmp_too_big(uint8_t *out, const uint8_t *frame, const struct sl_pkt_info *pi,
		    const struct rte_ether_addr *src_mac, rte_be32_t saddr, uint16_t mtu)
{
	const struct rte_ether_hdr *in_eh = (const struct rte_ether_hdr *)frame;
	struct rte_ether_hdr *eh = (struct rte_ether_hdr *)out;
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eh + 1);
	struct rte_icmp_hdr *ic = (struct rte_icmp_hdr *)(ip + 1);
	/* the quoted header and 8 bytes after it; the parser made sure the
	 * frame holds the L4 header, at least 8 bytes */
	unsigned quote = (unsigned)pi->l3_len + 8;
	unsigned icmp_len = sizeof(*ic) + quote;

	rte_ether_addr_copy(&in_eh->src_addr, &eh->dst_addr);
	rte_ether_addr_copy(src_mac, &eh->src_addr);
	eh->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	memset(ip, 0, sizeof(*ip));
	ip->version_ihl = 0x45;
	ip->total_length = rte_cpu_to_be_16((uint16_t)(sizeof(*ip) + icmp_len));
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_ICMP;
	ip->src_addr = saddr;
	ip->dst_addr = pi->src;
	ip->hdr_checksum = sl_ipv4_csum(ip);
	ic->icmp_type = SL_ICMP_DEST_UNREACH;
	ic->icmp_code = 4;
	ic->icmp_cksum = 0;
	ic->icmp_ident = 0;                      /* unused */
	ic->icmp_seq_nb = rte_cpu_to_be_16(mtu); /* next-hop MTU */
	memcpy(ic + 1, frame + pi->l2_len, quote);
	ic->icmp_cksum = (uint16_t)~sl_csum_full(ic, icmp_len, 0);
	return (unsigned)(sizeof(*eh) + sizeof(*ip) + icmp_len);
}
