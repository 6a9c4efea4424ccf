/* SPDX-License-Identifier: BSD-3-Clause */
#include <string.h>

#include "sl_nat.h"

/* Byte offsets in the IPv6 header */
#define SL_IP6_HLIM_OFF 7
#define SL_IP6_SRC_OFF  8
#define SL_IP6_DST_OFF  24

#define SL_ICMP6_ECHO_REPLY 129
#define SL_ICMP6_CSUM_OFF   2

void
sl_nat6_rewrite(uint8_t *frame, const struct sl_pkt6_info *pi, int dst,
		const struct sl_in6 *addr, rte_be16_t port)
{
	uint8_t *ip = frame + pi->l2_len;
	uint8_t *l4 = ip + pi->l3_len;
	uint8_t *ap = ip + (dst ? SL_IP6_DST_OFF : SL_IP6_SRC_OFF);
	uint8_t *pp = l4 + (dst ? 2 : 0);
	uint8_t *l4c = l4 + (pi->proto == IPPROTO_TCP ? SL_TCP_CSUM_OFF : SL_UDP_CSUM_OFF);
	uint32_t sum;
	uint16_t csum;
	unsigned i;

	/*
	 * RFC 1624 eqn. 3 for all nine words at once: the address is
	 * covered through the pseudo-header, the port by the L4 header.
	 * The hop limit is in neither and there is no IP header checksum.
	 */
	sum = (uint16_t)~sl_ld16(l4c);
	for (i = 0; i < sizeof(*addr); i += 2) {
		sum += (uint16_t)~sl_ld16(ap + i);
		sum += sl_ld16(addr->b + i);
	}
	sum += (uint16_t)~sl_ld16(pp);
	sum += port;
	csum = (uint16_t)~sl_csum_fold(sum);
	if (pi->proto == IPPROTO_UDP && csum == 0)
		csum = 0xffff;
	memcpy(ap, addr, sizeof(*addr));
	memcpy(pp, &port, 2);
	memcpy(l4c, &csum, 2);
	ip[SL_IP6_HLIM_OFF]--;
}

void
sl_nat6_icmp_echo_reply(uint8_t *frame, const struct sl_pkt6_info *pi)
{
	struct rte_ether_hdr *eh = (struct rte_ether_hdr *)frame;
	uint8_t *ip = frame + pi->l2_len;
	uint8_t *icmp = ip + pi->l3_len;
	struct rte_ether_addr tmp;
	uint16_t old_word, new_word, csum;
	struct sl_in6 a;

	rte_ether_addr_copy(&eh->src_addr, &tmp);
	rte_ether_addr_copy(&eh->dst_addr, &eh->src_addr);
	rte_ether_addr_copy(&tmp, &eh->dst_addr);

	/* swapping the addresses leaves the pseudo-header's sum unchanged */
	memcpy(&a, ip + SL_IP6_SRC_OFF, sizeof(a));
	memmove(ip + SL_IP6_SRC_OFF, ip + SL_IP6_DST_OFF, sizeof(a));
	memcpy(ip + SL_IP6_DST_OFF, &a, sizeof(a));
	ip[SL_IP6_HLIM_OFF] = 64;

	old_word = sl_ld16(icmp);
	icmp[0] = SL_ICMP6_ECHO_REPLY;
	new_word = sl_ld16(icmp);
	csum = sl_csum_update16(sl_ld16(icmp + SL_ICMP6_CSUM_OFF), old_word, new_word);
	memcpy(icmp + SL_ICMP6_CSUM_OFF, &csum, 2);
}

/* Replace @p len bytes (even) at @p p by @p nw, adding the change to the
 * one's complement difference @p sum (RFC 1624 eqn. 3). */
static uint32_t
swap_words(uint8_t *p, const void *nw, unsigned len, uint32_t sum)
{
	const uint8_t *n = nw;
	unsigned i;

	for (i = 0; i < len; i += 2) {
		sum += (uint16_t)~sl_ld16(p + i);
		sum += sl_ld16(n + i);
	}
	memcpy(p, nw, len);
	return sum;
}

void
sl_nat6_icmp_err(uint8_t *frame, const struct sl_pkt6_info *pi,
		 const struct sl_pkt6_quote *q, int to_backend,
		 const struct sl_in6 *addr, rte_be16_t port)
{
	uint8_t *ip = frame + pi->l2_len;
	uint8_t *icmp = ip + pi->l3_len;
	uint8_t *qip = frame + q->ip_off, *ql4 = frame + q->l4_off;
	uint8_t *outer_a = ip + (to_backend ? SL_IP6_DST_OFF : SL_IP6_SRC_OFF);
	uint8_t *quote_a = qip + (to_backend ? SL_IP6_SRC_OFF : SL_IP6_DST_OFF);
	uint8_t *quote_p = ql4 + (to_backend ? 0 : 2);
	unsigned qcs_off = q->proto == IPPROTO_TCP ? SL_TCP_CSUM_OFF : SL_UDP_CSUM_OFF;
	uint32_t isum = (uint16_t)~sl_ld16(icmp + SL_ICMP6_CSUM_OFF);
	uint16_t csum;

	/* the quoted L4 checksum, if quoted: its pseudo-header address and
	 * port change; the ICMPv6 sum sees the checksum field change too */
	if (q->l4_len >= qcs_off + 2 &&
	    !(q->proto == IPPROTO_UDP && sl_ld16(ql4 + qcs_off) == 0)) {
		uint32_t qsum = (uint16_t)~sl_ld16(ql4 + qcs_off);
		unsigned i;

		for (i = 0; i < 16; i += 2) {
			qsum += (uint16_t)~sl_ld16(quote_a + i);
			qsum += sl_ld16(addr->b + i);
		}
		qsum += (uint16_t)~sl_ld16(quote_p);
		qsum += port;
		csum = (uint16_t)~sl_csum_fold(qsum);
		if (q->proto == IPPROTO_UDP && csum == 0)
			csum = 0xffff;
		isum = swap_words(ql4 + qcs_off, &csum, 2, isum);
	}
	/* quoted address and port are in the ICMPv6 message; the outer
	 * address is in its pseudo-header */
	isum = swap_words(quote_a, addr, 16, isum);
	isum = swap_words(quote_p, &port, 2, isum);
	isum = swap_words(outer_a, addr, 16, isum);
	csum = (uint16_t)~sl_csum_fold(isum);
	memcpy(icmp + SL_ICMP6_CSUM_OFF, &csum, 2);
	ip[SL_IP6_HLIM_OFF]--;
}

/* The L4 checksum field of @p proto at @p l4. */
static inline uint8_t *
l4_csum(uint8_t *l4, uint8_t proto)
{
	return l4 + (proto == IPPROTO_TCP ? SL_TCP_CSUM_OFF : SL_UDP_CSUM_OFF);
}

uint8_t *
sl_nat_6to4(uint8_t *frame, const struct sl_pkt6_info *pi, rte_be32_t src,
	    rte_be16_t sport, rte_be32_t dst, rte_be16_t dport)
{
	uint8_t *ip6 = frame + pi->l2_len;
	uint8_t *l4 = ip6 + pi->l3_len;
	uint8_t *csp = l4_csum(l4, pi->proto);
	uint16_t l4len = (uint16_t)(pi->plen - (pi->l3_len - 40));
	uint8_t tclass = (uint8_t)(((ip6[0] & 0x0f) << 4) | (ip6[1] >> 4));
	uint8_t hlim = ip6[SL_IP6_HLIM_OFF];
	struct rte_ether_hdr *eh = (struct rte_ether_hdr *)(l4 - 34);
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(l4 - 20);
	struct rte_ether_addr d, sm;
	uint32_t sum = (uint16_t)~sl_ld16(csp);
	uint16_t csum;
	unsigned i;

	/* out of the pseudo-header: the IPv6 addresses; in: the IPv4 ones */
	for (i = 0; i < 32; i += 2)
		sum += (uint16_t)~sl_ld16(ip6 + SL_IP6_SRC_OFF + i);
	sum += sl_ld16(&src) + sl_ld16((const uint8_t *)&src + 2);
	sum += sl_ld16(&dst) + sl_ld16((const uint8_t *)&dst + 2);
	sum += (uint16_t)~sl_ld16(l4) + sport;
	sum += (uint16_t)~sl_ld16(l4 + 2) + dport;
	csum = (uint16_t)~sl_csum_fold(sum);
	if (pi->proto == IPPROTO_UDP && csum == 0)
		csum = 0xffff;
	memcpy(csp, &csum, 2);
	memcpy(l4, &sport, 2);
	memcpy(l4 + 2, &dport, 2);

	/* the Ethernet addresses move with the header */
	rte_ether_addr_copy(&((struct rte_ether_hdr *)frame)->dst_addr, &d);
	rte_ether_addr_copy(&((struct rte_ether_hdr *)frame)->src_addr, &sm);
	memset(ip, 0, sizeof(*ip));
	ip->version_ihl = 0x45;
	ip->type_of_service = tclass;
	ip->total_length = rte_cpu_to_be_16((uint16_t)(20 + l4len));
	ip->fragment_offset = RTE_BE16(RTE_IPV4_HDR_DF_FLAG);
	ip->time_to_live = (uint8_t)(hlim - 1);
	ip->next_proto_id = pi->proto;
	ip->src_addr = src;
	ip->dst_addr = dst;
	ip->hdr_checksum = sl_ipv4_csum(ip);
	rte_ether_addr_copy(&d, &eh->dst_addr);
	rte_ether_addr_copy(&sm, &eh->src_addr);
	eh->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	return (uint8_t *)eh;
}

uint8_t *
sl_nat_4to6(uint8_t *frame, const struct sl_pkt_info *pi, const struct sl_in6 *src,
	    rte_be16_t sport, const struct sl_in6 *dst, rte_be16_t dport)
{
	uint8_t *l4 = frame + 40 - pi->l3_len + pi->l2_len + pi->l3_len;
	const struct rte_ipv4_hdr *ip4 = (const struct rte_ipv4_hdr *)(l4 - pi->l3_len);
	uint8_t *ip6 = l4 - 40;
	struct rte_ether_hdr *eh = (struct rte_ether_hdr *)(l4 - 54);
	struct rte_ether_addr d, sm;
	uint8_t *csp = l4_csum(l4, pi->proto);
	uint16_t l4len = (uint16_t)(pi->ip_len - pi->l3_len);
	uint8_t tos = ip4->type_of_service, ttl = ip4->time_to_live;
	rte_be32_t s4 = ip4->src_addr, d4 = ip4->dst_addr;
	uint32_t sum = (uint16_t)~sl_ld16(csp), vtc;
	rte_be16_t plen = rte_cpu_to_be_16(l4len);
	uint16_t csum;
	unsigned i;

	/* @p frame is the new start: the old Ethernet header begins
	 * 40 - l3_len bytes after it */
	rte_ether_addr_copy(&((struct rte_ether_hdr *)(frame + 40 - pi->l3_len))->dst_addr, &d);
	rte_ether_addr_copy(&((struct rte_ether_hdr *)(frame + 40 - pi->l3_len))->src_addr, &sm);
	sum += (uint16_t)~sl_ld16(&s4) + (uint16_t)~sl_ld16((const uint8_t *)&s4 + 2);
	sum += (uint16_t)~sl_ld16(&d4) + (uint16_t)~sl_ld16((const uint8_t *)&d4 + 2);
	for (i = 0; i < 16; i += 2)
		sum += sl_ld16(src->b + i) + sl_ld16(dst->b + i);
	sum += (uint16_t)~sl_ld16(l4) + sport;
	sum += (uint16_t)~sl_ld16(l4 + 2) + dport;
	csum = (uint16_t)~sl_csum_fold(sum);
	if (pi->proto == IPPROTO_UDP && csum == 0)
		csum = 0xffff;
	memcpy(csp, &csum, 2);
	memcpy(l4, &sport, 2);
	memcpy(l4 + 2, &dport, 2);

	vtc = rte_cpu_to_be_32(0x60000000u | (uint32_t)tos << 20);
	memcpy(ip6, &vtc, 4);
	memcpy(ip6 + 4, &plen, 2);
	ip6[6] = pi->proto;
	ip6[SL_IP6_HLIM_OFF] = (uint8_t)(ttl - 1);
	memcpy(ip6 + SL_IP6_SRC_OFF, src, 16);
	memcpy(ip6 + SL_IP6_DST_OFF, dst, 16);
	rte_ether_addr_copy(&d, &eh->dst_addr);
	rte_ether_addr_copy(&sm, &eh->src_addr);
	eh->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV6);
	return (uint8_t *)eh;
}
