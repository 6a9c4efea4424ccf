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
