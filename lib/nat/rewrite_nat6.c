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

/*
 * One side of an ICMPv6 error about a connection (see icmp_err_side() in
 * rewrite_nat.c): the quote's source (@p qsrc) or destination address
 * and port become @p addr:@p port, and so does the outer address on that
 * side. The quoted L4 checksum is patched; returns the ICMPv6 checksum's
 * difference @p isum with every change added.
 */
static uint32_t
icmp6_err_side(uint8_t *frame, const struct sl_pkt6_info *pi, const struct sl_pkt6_quote *q,
	       int qsrc, const struct sl_in6 *addr, rte_be16_t port, uint32_t isum)
{
	uint8_t *ip = frame + pi->l2_len;
	uint8_t *qip = frame + q->ip_off, *ql4 = frame + q->l4_off;
	uint8_t *outer_a = ip + (qsrc ? SL_IP6_DST_OFF : SL_IP6_SRC_OFF);
	uint8_t *quote_a = qip + (qsrc ? SL_IP6_SRC_OFF : SL_IP6_DST_OFF);
	uint8_t *quote_p = ql4 + (qsrc ? 0 : 2);
	unsigned qcs_off = q->proto == IPPROTO_TCP ? SL_TCP_CSUM_OFF : SL_UDP_CSUM_OFF;
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
	return swap_words(outer_a, addr, 16, isum);
}

void
sl_nat6_icmp_err(uint8_t *frame, const struct sl_pkt6_info *pi,
		 const struct sl_pkt6_quote *q, int to_backend,
		 const struct sl_in6 *addr, rte_be16_t port)
{
	uint8_t *ip = frame + pi->l2_len;
	uint8_t *icmp = ip + pi->l3_len;
	uint32_t isum = (uint16_t)~sl_ld16(icmp + SL_ICMP6_CSUM_OFF);
	uint16_t csum;

	isum = icmp6_err_side(frame, pi, q, to_backend, addr, port, isum);
	csum = (uint16_t)~sl_csum_fold(isum);
	memcpy(icmp + SL_ICMP6_CSUM_OFF, &csum, 2);
	ip[SL_IP6_HLIM_OFF]--;
}

void
sl_nat6_icmp_err_fullnat(uint8_t *frame, const struct sl_pkt6_info *pi,
			 const struct sl_pkt6_quote *q, const struct sl_in6 *saddr,
			 rte_be16_t sport, const struct sl_in6 *daddr, rte_be16_t dport)
{
	uint8_t *ip = frame + pi->l2_len;
	uint8_t *icmp = ip + pi->l3_len;
	uint32_t isum = (uint16_t)~sl_ld16(icmp + SL_ICMP6_CSUM_OFF);
	uint16_t csum;

	isum = icmp6_err_side(frame, pi, q, 1, saddr, sport, isum);
	isum = icmp6_err_side(frame, pi, q, 0, daddr, dport, isum);
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

/*
 * NAT64 ICMP errors (RFC 7915 sections 4.2 and 5.2). The quoted TCP/UDP
 * header stays where it is, as in sl_nat_6to4() and sl_nat_4to6(); the
 * outer header, the ICMP header and the quoted IP header in front of it
 * are written anew, after every field they need was read. Errors are
 * rare: the new checksums (outer, quoted IPv4, ICMP) are computed whole,
 * the quoted L4 checksum is patched for its pseudo-header and ports.
 */

#define SL_ICMP4_DEST_UNREACH 3
#define SL_ICMP4_FRAG_NEEDED  4   /* code of SL_ICMP4_DEST_UNREACH */

/* RFC 1191's plateaus: the MTU to assume for a "fragmentation needed"
 * from a router that gives none, the largest below the packet's size. */
static uint16_t
plateau_below(uint16_t len)
{
	static const uint16_t p[] = { 32000, 17914, 8166, 4352, 2002, 1492, 1006, 508, 296 };
	unsigned i;

	for (i = 0; i < RTE_DIM(p); i++)
		if (p[i] < len)
			return p[i];
	return 68;
}

/*
 * The ICMPv6 counterpart of ICMPv4 error @p type / @p code (RFC 7915
 * section 4.2) in @p t6 / @p c6, and in @p word (host order) the
 * parameter problem's pointer moved to the IPv6 header's field (figure
 * 3) from the ICMPv4 one @p ptr4. Returns 0 for an error that has none.
 */
static int
icmp_type_4to6(uint8_t type, uint8_t code, uint8_t ptr4, uint8_t *t6, uint8_t *c6,
	       uint32_t *word)
{
	/* param problem pointer: IPv4 header byte -> IPv6 header byte,
	 * 0xff where the field has no counterpart */
	static const uint8_t ptr[20] = {
		0, 1, 4, 4, 0xff, 0xff, 0xff, 0xff, 7, 6, 0xff, 0xff,
		8, 8, 8, 8, 24, 24, 24, 24,
	};

	*word = 0;
	if (type == SL_ICMP_TIME_EXCEEDED) {
		*t6 = SL_ICMP6_TIME_EXCEEDED;
		*c6 = code;
		return code <= 1;
	}
	if (type == SL_ICMP_PARAM_PROBLEM) {
		if ((code != 0 && code != 2) || ptr4 >= sizeof(ptr) || ptr[ptr4] == 0xff)
			return 0;
		*t6 = SL_ICMP6_PARAM_PROBLEM;
		*c6 = 0;
		*word = ptr[ptr4];
		return 1;
	}
	*t6 = SL_ICMP6_DEST_UNREACH;
	switch (code) {
	case 0: case 1: case 5: case 6: case 7: case 8: case 11: case 12:
		*c6 = 0;                /* no route to destination */
		return 1;
	case 2:                         /* protocol: the next header field */
		*t6 = SL_ICMP6_PARAM_PROBLEM;
		*c6 = 1;
		*word = 6;
		return 1;
	case 3:
		*c6 = 4;                /* port unreachable */
		return 1;
	case SL_ICMP4_FRAG_NEEDED:
		*t6 = SL_ICMP6_PKT_TOO_BIG;
		*c6 = 0;
		return 1;
	case 9: case 10: case 13: case 15:
		*c6 = 1;                /* administratively prohibited */
		return 1;
	default:                        /* 14 (host precedence) and unknown */
		return 0;
	}
}

/* The ICMPv4 counterpart of ICMPv6 error @p type / @p code (RFC 7915
 * section 5.2), as icmp_type_4to6(): the pointer of a parameter problem
 * from figure 6. */
static int
icmp_type_6to4(uint8_t type, uint8_t code, uint32_t ptr6, uint8_t *t4, uint8_t *c4,
	       uint32_t *word)
{
	static const uint8_t ptr[8] = { 0, 1, 0xff, 0xff, 2, 2, 9, 8 };

	*word = 0;
	switch (type) {
	case SL_ICMP6_DEST_UNREACH: {
		static const uint8_t codes[5] = { 1, 10, 1, 1, 3 };

		if (code >= sizeof(codes))
			return 0;
		*t4 = SL_ICMP4_DEST_UNREACH;
		*c4 = codes[code];
		return 1;
	}
	case SL_ICMP6_PKT_TOO_BIG:
		*t4 = SL_ICMP4_DEST_UNREACH;
		*c4 = SL_ICMP4_FRAG_NEEDED;
		return 1;
	case SL_ICMP6_TIME_EXCEEDED:
		*t4 = SL_ICMP_TIME_EXCEEDED;
		*c4 = code;
		return code <= 1;
	default:
		if (code == 1) {        /* unrecognized next header */
			*t4 = SL_ICMP4_DEST_UNREACH;
			*c4 = 2;
			return 1;
		}
		if (code != 0 || ptr6 >= 40 || (ptr6 < 8 && ptr[ptr6] == 0xff))
			return 0;
		*t4 = SL_ICMP_PARAM_PROBLEM;
		*c4 = 0;
		*word = (uint32_t)(ptr6 < 8 ? ptr[ptr6] : ptr6 < 24 ? 12 : 16) << 24;
		return 1;
	}
}

/* Patch the TCP/UDP checksum at @p csp (when there is one) for a
 * pseudo-header whose @p n_old bytes of addresses at @p old become the
 * @p n_new at @p nw, and ports @p l4[0..3] that become @p sport, @p dport;
 * the ports are written. */
static void
quote_l4_move(uint8_t *l4, uint8_t *csp, uint8_t proto, const uint8_t *old, unsigned n_old,
	      const uint8_t *nw, unsigned n_new, rte_be16_t sport, rte_be16_t dport)
{
	uint32_t sum;
	uint16_t csum;
	unsigned i;

	if (csp != NULL && !(proto == IPPROTO_UDP && sl_ld16(csp) == 0)) {
		sum = (uint16_t)~sl_ld16(csp);
		for (i = 0; i < n_old; i += 2)
			sum += (uint16_t)~sl_ld16(old + i);
		for (i = 0; i < n_new; i += 2)
			sum += sl_ld16(nw + i);
		sum += (uint16_t)~sl_ld16(l4) + sport;
		sum += (uint16_t)~sl_ld16(l4 + 2) + dport;
		csum = (uint16_t)~sl_csum_fold(sum);
		if (proto == IPPROTO_UDP && csum == 0)
			csum = 0xffff;
		memcpy(csp, &csum, 2);
	}
	memcpy(l4, &sport, 2);
	memcpy(l4 + 2, &dport, 2);
}

/* The quoted L4 checksum field, if the quote holds it. */
static uint8_t *
quote_csum(uint8_t *l4, uint8_t proto, uint32_t l4_len)
{
	unsigned off = proto == IPPROTO_TCP ? SL_TCP_CSUM_OFF : SL_UDP_CSUM_OFF;

	return l4_len >= off + 2 ? l4 + off : NULL;
}

uint8_t *
sl_nat_icmp_4to6(uint8_t *frame, const struct sl_pkt_info *pi, const struct sl_pkt_quote *q,
		 const struct sl_in6 *saddr, rte_be16_t sport, const struct sl_in6 *daddr,
		 rte_be16_t dport, uint16_t mtu, uint32_t *len)
{
	const uint8_t *ip4 = frame + pi->l2_len, *ic4 = ip4 + pi->l3_len;
	const uint8_t *qip4 = frame + q->ip_off;
	uint8_t *ql4 = frame + q->ip_off + q->l3_len;
	uint8_t *f = ql4 - SL_ICMP64_HDRS6, *ip = f + RTE_ETHER_HDR_LEN, *ic = ip + 40;
	uint8_t *qip = ic + 8;
	uint32_t qbytes = RTE_MIN((uint32_t)q->l4_len, 1280u - 40 - 8 - 40);
	uint8_t tos = ip4[1], ttl = ip4[SL_IP_TTL_OFF], qtos = qip4[1];
	uint8_t qttl = qip4[SL_IP_TTL_OFF], t6, c6;
	uint16_t qtot = rte_be_to_cpu_16(sl_ld16(qip4 + 2)), cs;
	uint32_t word, w0;
	rte_be16_t be16;
	uint8_t q4a[8], q6a[32];

	if (!icmp_type_4to6(q->type, q->code, ic4[4], &t6, &c6, &word))
		return NULL;
	if (t6 == SL_ICMP6_PKT_TOO_BIG) {
		uint32_t m4 = rte_be_to_cpu_16(sl_ld16(ic4 + 6));

		/* the IPv6 packet is 20 bytes longer than its IPv4 self; a
		 * router that gives no MTU gets a plateau, at least IPv6's
		 * minimum */
		if (m4 != 0)
			word = RTE_MIN(m4 + 20u, (uint32_t)mtu);
		else
			word = RTE_MAX(RTE_MIN(plateau_below(qtot) + 20u, (uint32_t)mtu), 1280u);
	}
	memcpy(q4a, qip4 + SL_IP_SRC_OFF, 8);
	memcpy(q6a, saddr, 16);
	memcpy(q6a + 16, daddr, 16);
	quote_l4_move(ql4, quote_csum(ql4, q->proto, q->l4_len), q->proto, q4a, 8,
		      q6a, 32, sport, dport);
	/* header fields last: they overwrite what was read above */
	memset(f, 0, SL_ICMP64_HDRS6);
	((struct rte_ether_hdr *)f)->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV6);
	w0 = rte_cpu_to_be_32(0x60000000u | (uint32_t)tos << 20);
	memcpy(ip, &w0, 4);
	be16 = rte_cpu_to_be_16((uint16_t)(8 + 40 + qbytes));
	memcpy(ip + 4, &be16, 2);
	ip[6] = SL_IPPROTO_ICMPV6;
	ip[SL_IP6_HLIM_OFF] = (uint8_t)(ttl - 1);
	memcpy(ip + SL_IP6_SRC_OFF, daddr, 16);
	memcpy(ip + SL_IP6_DST_OFF, saddr, 16);
	ic[0] = t6;
	ic[1] = c6;
	word = rte_cpu_to_be_32(word);
	memcpy(ic + 4, &word, 4);
	w0 = rte_cpu_to_be_32(0x60000000u | (uint32_t)qtos << 20);
	memcpy(qip, &w0, 4);
	be16 = rte_cpu_to_be_16((uint16_t)(qtot > q->l3_len ? qtot - q->l3_len : 0));
	memcpy(qip + 4, &be16, 2);
	qip[6] = q->proto;
	qip[SL_IP6_HLIM_OFF] = qttl;
	memcpy(qip + SL_IP6_SRC_OFF, saddr, 16);
	memcpy(qip + SL_IP6_DST_OFF, daddr, 16);
	cs = sl_l4_csum6(daddr, saddr, SL_IPPROTO_ICMPV6, ic, 8 + 40 + qbytes, 2);
	memcpy(ic + 2, &cs, 2);
	*len = SL_ICMP64_HDRS6 + qbytes;
	return f;
}

uint8_t *
sl_nat_icmp_6to4(uint8_t *frame, const struct sl_pkt6_info *pi, const struct sl_pkt6_quote *q,
		 rte_be32_t saddr, rte_be16_t sport, rte_be32_t daddr, rte_be16_t dport,
		 uint16_t mtu, uint32_t *len)
{
	const uint8_t *ip6 = frame + pi->l2_len, *ic6 = ip6 + pi->l3_len;
	const uint8_t *qip6 = frame + q->ip_off;
	uint8_t *ql4 = frame + q->l4_off;
	uint8_t *f = ql4 - SL_ICMP64_HDRS4, *ip = f + RTE_ETHER_HDR_LEN, *ic = ip + 20;
	uint8_t *qip = ic + 8;
	/* RFC 1812: an ICMPv4 error is at most 576 bytes */
	uint32_t qbytes = RTE_MIN((uint32_t)q->l4_len, 576u - 20 - 8 - 20);
	uint8_t tc = (uint8_t)(((ip6[0] & 0x0f) << 4) | (ip6[1] >> 4));
	uint8_t qtc = (uint8_t)(((qip6[0] & 0x0f) << 4) | (qip6[1] >> 4));
	uint8_t hlim = ip6[SL_IP6_HLIM_OFF], qhlim = qip6[SL_IP6_HLIM_OFF], t4, c4;
	uint32_t ext = (uint32_t)q->l4_off - q->ip_off - 40, qplen, word, w6;
	uint8_t q4a[8], q6a[32];
	rte_be16_t be16;
	uint16_t cs;

	memcpy(&w6, ic6 + 4, 4);
	w6 = rte_be_to_cpu_32(w6);
	if (!icmp_type_6to4(ic6[0], ic6[1], w6, &t4, &c4, &word))
		return NULL;
	if (c4 == SL_ICMP4_FRAG_NEEDED && t4 == SL_ICMP4_DEST_UNREACH)
		/* the IPv4 packet is 20 bytes shorter than its IPv6 self */
		word = RTE_MAX(RTE_MIN(w6 > 20 ? w6 - 20 : 0, (uint32_t)mtu), 68u);
	qplen = rte_be_to_cpu_16(sl_ld16(qip6 + 4));
	qplen = qplen > ext ? qplen - ext : q->l4_len;
	memcpy(q6a, qip6 + SL_IP6_SRC_OFF, 32);
	memcpy(q4a, &saddr, 4);
	memcpy(q4a + 4, &daddr, 4);
	quote_l4_move(ql4, quote_csum(ql4, q->proto, q->l4_len), q->proto, q6a, 32, q4a, 8,
		      sport, dport);
	memset(f, 0, SL_ICMP64_HDRS4);
	((struct rte_ether_hdr *)f)->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	ip[0] = 0x45;
	ip[1] = tc;
	be16 = rte_cpu_to_be_16((uint16_t)(20 + 8 + 20 + qbytes));
	memcpy(ip + 2, &be16, 2);
	ip[SL_IP_TTL_OFF] = (uint8_t)(hlim - 1);
	ip[9] = IPPROTO_ICMP;
	memcpy(ip + SL_IP_SRC_OFF, &daddr, 4);
	memcpy(ip + SL_IP_DST_OFF, &saddr, 4);
	ic[0] = t4;
	ic[1] = c4;
	word = rte_cpu_to_be_32(word);
	memcpy(ic + 4, &word, 4);
	qip[0] = 0x45;
	qip[1] = qtc;
	be16 = rte_cpu_to_be_16((uint16_t)(20 + qplen));
	memcpy(qip + 2, &be16, 2);
	be16 = RTE_BE16(RTE_IPV4_HDR_DF_FLAG);
	memcpy(qip + 6, &be16, 2);
	qip[SL_IP_TTL_OFF] = qhlim;
	qip[9] = q->proto;
	memcpy(qip + SL_IP_SRC_OFF, &saddr, 4);
	memcpy(qip + SL_IP_DST_OFF, &daddr, 4);
	cs = sl_ipv4_csum((const struct rte_ipv4_hdr *)qip);
	memcpy(qip + SL_IP_CSUM_OFF, &cs, 2);
	cs = sl_ipv4_csum((const struct rte_ipv4_hdr *)ip);
	memcpy(ip + SL_IP_CSUM_OFF, &cs, 2);
	cs = (uint16_t)~sl_csum_full(ic, 8 + 20 + qbytes, 0);
	memcpy(ic + 2, &cs, 2);
	*len = SL_ICMP64_HDRS4 + qbytes;
	return f;
}
