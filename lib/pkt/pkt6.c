/* SPDX-License-Identifier: BSD-3-Clause */
#include <string.h>
#include <stddef.h>
#include <netinet/in.h>

#include "sl_pkt.h"

#define IP6_LEN      40
#define EXT_MAX      8    /* extension headers walked before giving up */

/* Extension headers (RFC 8200 section 4) */
#define NH_HOPOPTS   0
#define NH_ROUTING   43
#define NH_FRAGMENT  44
#define NH_DSTOPTS   60

#define ICMP6_ECHO_REQUEST 128
#define ICMP6_ECHO_REPLY   129

/* One's complement sum of the IPv6 pseudo-header (RFC 8200 section 8.1),
 * as 16-bit words loaded from memory, not folded. */
static inline uint32_t
sl_pseudo6_sum(const struct sl_in6 *src, const struct sl_in6 *dst,
	       uint8_t proto, uint32_t l4_len)
{
	uint32_t sum = sl_csum_full(src, sizeof(*src), 0);

	sum = sl_csum_full(dst, sizeof(*dst), sum);
	/* the 32-bit length and the next header, whose high bytes are 0 */
	sum += rte_cpu_to_be_16((uint16_t)(l4_len >> 16));
	sum += rte_cpu_to_be_16((uint16_t)l4_len);
	sum += rte_cpu_to_be_16(proto);
	return sum;
}

int
sl_pkt_parse6(const uint8_t *data, uint32_t len, unsigned flags,
	      struct sl_pkt6_info *pi)
{
	uint32_t l2 = pi->l2_len, off = IP6_LEN, end, hl, avail, n_ext = 0;
	const uint8_t *ip, *l4;
	uint16_t plen;
	uint8_t nh;

	if (unlikely(l2 > len || len - l2 < IP6_LEN))
		return SL_DROP_BAD_IP6;
	ip = data + l2;
	if (unlikely((ip[0] >> 4) != 6))
		return SL_DROP_BAD_IP6;
	plen = rte_be_to_cpu_16(sl_ld16(ip + 4));
	/*
	 * Payload length 0 announces a jumbogram (RFC 2675), whose length
	 * sits in a hop-by-hop option: no link Sluice runs on carries one.
	 * Ethernet may pad short frames, so the frame may exceed 40 + plen.
	 */
	if (unlikely(plen == 0 || IP6_LEN + (uint32_t)plen > len - l2))
		return SL_DROP_BAD_IP6;
	end = IP6_LEN + (uint32_t)plen;
	nh = ip[6];

	/*
	 * Walk the extension headers. Each of hop-by-hop, routing and
	 * destination options starts with next header and length in 8-byte
	 * units beyond the first 8, so one loop steps over all three.
	 */
	for (;;) {
		if (nh == IPPROTO_TCP || nh == IPPROTO_UDP || nh == SL_IPPROTO_ICMPV6)
			break;
		switch (nh) {
		case NH_HOPOPTS:
			/* only right after the IPv6 header */
			if (unlikely(n_ext != 0))
				return SL_DROP_BAD_EXT_HDR;
			break;
		case NH_ROUTING:
		case NH_DSTOPTS:
			break;
		case NH_FRAGMENT:
			/* no reassembly: a fragment is never half parsed */
			return SL_DROP_FRAGMENT;
		default:
			/* ESP, AH, No Next Header (59), anything else */
			return SL_DROP_UNSUP_L4;
		}
		if (unlikely(++n_ext > EXT_MAX || off + 8 > end))
			return SL_DROP_BAD_EXT_HDR;
		hl = ((uint32_t)ip[off + 1] + 1) * 8;
		if (unlikely(off + hl > end))
			return SL_DROP_BAD_EXT_HDR;
		/*
		 * A routing header with segments left names a further hop
		 * (and the checksum's destination would be the final one,
		 * not ours): Sluice routes by none of the routing types, and
		 * RFC 8200 section 4.4 says to discard such a packet.
		 */
		if (nh == NH_ROUTING && unlikely(ip[off + 3] != 0))
			return SL_DROP_BAD_EXT_HDR;
		nh = ip[off];
		off += hl;
	}

	l4 = ip + off;
	avail = end - off;
	pi->proto = nh;
	pi->tcp_flags = 0;
	pi->l3_len = (uint16_t)off;
	pi->plen = plen;
	memcpy(&pi->src, ip + 8, sizeof(pi->src));
	memcpy(&pi->dst, ip + 24, sizeof(pi->dst));

	switch (nh) {
	case IPPROTO_TCP: {
		const struct rte_tcp_hdr *th = (const struct rte_tcp_hdr *)l4;
		uint32_t doff = sl_tcp_hdr_len(th, avail);

		if (unlikely(doff == 0))
			return SL_DROP_BAD_L4_LEN;
		pi->l4_len = (uint8_t)doff;
		pi->sport = th->src_port;
		pi->dport = th->dst_port;
		pi->tcp_flags = th->tcp_flags;
		break;
	}
	case IPPROTO_UDP: {
		const struct rte_udp_hdr *uh = (const struct rte_udp_hdr *)l4;

		if (unlikely(avail < sizeof(*uh)))
			return SL_DROP_BAD_L4_LEN;
		/* no trailing bytes: the UDP length is the rest of the packet */
		if (unlikely(rte_be_to_cpu_16(uh->dgram_len) != avail))
			return SL_DROP_BAD_L4_LEN;
		/* over IPv6 the checksum is mandatory (RFC 8200 section 8.1) */
		if (unlikely(uh->dgram_cksum == 0))
			return SL_DROP_BAD_L4_CSUM;
		pi->l4_len = sizeof(*uh);
		pi->sport = uh->src_port;
		pi->dport = uh->dst_port;
		break;
	}
	default: { /* ICMPv6 */
		uint8_t type = l4[0];

		if (unlikely(avail < 8))
			return SL_DROP_BAD_L4_LEN;
		pi->l4_len = 8;
		pi->dport = rte_cpu_to_be_16((uint16_t)(type << 8 | l4[1]));
		if (type == ICMP6_ECHO_REQUEST || type == ICMP6_ECHO_REPLY)
			memcpy(&pi->sport, l4 + 4, 2);
		else
			pi->sport = 0;
		break;
	}
	}
	if (unlikely(flags & SL_PKT_F_L4_CSUM_BAD))
		return SL_DROP_BAD_L4_CSUM;
	/*
	 * TCP and UDP checksums are the end hosts' to verify, as over IPv4:
	 * the rewrites update them incrementally, so an error stays an error,
	 * and Sluice reads no payload. ICMPv6 ends here (echo, neighbour
	 * discovery) and is summed in full: the sum over pseudo-header and
	 * message, checksum included, is -0.
	 */
	if (nh == SL_IPPROTO_ICMPV6 &&
	    unlikely(sl_csum_full(l4, avail,
				  sl_pseudo6_sum(&pi->src, &pi->dst, nh, avail)) != 0xffff))
		return SL_DROP_BAD_L4_CSUM;
	return 0;
}

uint16_t
sl_l4_csum6(const struct sl_in6 *src, const struct sl_in6 *dst,
	    uint8_t proto, const void *l4, uint32_t l4_len, unsigned csum_off)
{
	uint32_t sum = sl_pseudo6_sum(src, dst, proto, l4_len);
	uint16_t res;

	/* the checksum field (even offset) is left out of the sum */
	sum = sl_csum_full(l4, csum_off, sl_csum_fold(sum));
	sum = sl_csum_full((const uint8_t *)l4 + csum_off + 2,
			   l4_len - csum_off - 2, sum);
	res = (uint16_t)~sum;
	/* 0 means "no checksum" to UDP: -0 is sent instead */
	if (res == 0 && proto == IPPROTO_UDP)
		res = 0xffff;
	return res;
}

int
sl_pkt_icmp6_quote(const uint8_t *data, uint32_t len, const struct sl_pkt6_info *pi,
		   struct sl_pkt6_quote *q)
{
	uint32_t icmp = (uint32_t)pi->l2_len + pi->l3_len;
	uint32_t end = RTE_MIN(len, (uint32_t)pi->l2_len + IP6_LEN + pi->plen);
	uint32_t ip_off = icmp + 8, off, hl, n_ext = 0;
	const uint8_t *ip;
	uint8_t nh;

	q->type = data[icmp];
	if (q->type < SL_ICMP6_DEST_UNREACH || q->type > SL_ICMP6_PARAM_PROBLEM ||
	    ip_off + IP6_LEN > end)
		return SL_DROP_ICMP_QUOTE;
	ip = data + ip_off;
	if ((ip[0] >> 4) != 6)
		return SL_DROP_ICMP_QUOTE;
	nh = ip[6];
	off = ip_off + IP6_LEN;
	while (nh != IPPROTO_TCP && nh != IPPROTO_UDP) {
		if ((nh != NH_HOPOPTS || n_ext != 0) && nh != NH_ROUTING && nh != NH_DSTOPTS)
			return SL_DROP_ICMP_QUOTE;
		if (++n_ext > EXT_MAX || off + 8 > end)
			return SL_DROP_ICMP_QUOTE;
		hl = ((uint32_t)data[off + 1] + 1) * 8;
		nh = data[off];
		off += hl;
	}
	if (off + 8 > end)
		return SL_DROP_ICMP_QUOTE;
	q->proto = nh;
	q->ip_off = (uint16_t)ip_off;
	q->l4_off = (uint16_t)off;
	q->l4_len = (uint16_t)(end - off);
	memcpy(&q->src, ip + 8, sizeof(q->src));
	memcpy(&q->dst, ip + 24, sizeof(q->dst));
	memcpy(&q->sport, data + off, 2);
	memcpy(&q->dport, data + off + 2, 2);
	return 0;
}
