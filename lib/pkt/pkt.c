/* SPDX-License-Identifier: BSD-3-Clause */
#include <string.h>
#include <stddef.h>
#include <netinet/in.h>

#include "sl_pkt.h"

int
sl_pkt_parse(const uint8_t *data, uint32_t len, unsigned flags,
	     struct sl_pkt_info *pi)
{
	return sl_pkt_parse_inline(data, len, flags, pi);
}

int
sl_pkt_icmp_quote(const uint8_t *data, uint32_t len,
		  const struct sl_pkt_info *pi, struct sl_pkt_quote *q)
{
	const struct rte_icmp_hdr *ih;
	const struct rte_ipv4_hdr *qip;
	const uint8_t *ql4;
	uint32_t icmp_off, end, qoff, ihl, qlen, avail;

	icmp_off = (uint32_t)pi->l2_len + pi->l3_len;
	end = RTE_MIN((uint32_t)pi->l2_len + pi->ip_len, len);
	if (unlikely(icmp_off + sizeof(*ih) > end))
		return SL_DROP_ICMP_QUOTE;
	ih = (const struct rte_icmp_hdr *)(data + icmp_off);
	if (ih->icmp_type != SL_ICMP_DEST_UNREACH &&
	    ih->icmp_type != SL_ICMP_TIME_EXCEEDED &&
	    ih->icmp_type != SL_ICMP_PARAM_PROBLEM)
		return SL_DROP_ICMP;
	/* the header of the quote and the first 8 bytes of its L4 header */
	qoff = icmp_off + sizeof(*ih);
	if (unlikely(qoff + sizeof(*qip) > end))
		return SL_DROP_ICMP_QUOTE;
	qip = (const struct rte_ipv4_hdr *)(data + qoff);
	if (unlikely((qip->version_ihl >> 4) != 4))
		return SL_DROP_ICMP_QUOTE;
	ihl = (uint32_t)(qip->version_ihl & 0xf) * 4;
	if (unlikely(ihl < sizeof(*qip) || qoff + ihl + 8 > end))
		return SL_DROP_ICMP_QUOTE;
	qlen = rte_be_to_cpu_16(qip->total_length);
	if (unlikely(qlen < ihl + 8))
		return SL_DROP_ICMP_QUOTE;
	/* only a first fragment carries the ports */
	if (unlikely(rte_be_to_cpu_16(qip->fragment_offset) & RTE_IPV4_HDR_OFFSET_MASK))
		return SL_DROP_ICMP_QUOTE;
	if (unlikely(qip->next_proto_id != IPPROTO_TCP &&
		     qip->next_proto_id != IPPROTO_UDP))
		return SL_DROP_ICMP_QUOTE;
	/* summed last: only errors worth relaying cost a full pass */
	if (unlikely(sl_csum_full(ih, end - icmp_off, 0) != 0xffff))
		return SL_DROP_ICMP_QUOTE;

	ql4 = (const uint8_t *)qip + ihl;
	avail = RTE_MIN(end - (qoff + ihl), qlen - ihl);
	q->type = ih->icmp_type;
	q->code = ih->icmp_code;
	q->proto = qip->next_proto_id;
	q->ip_off = (uint8_t)qoff;
	q->l3_len = (uint8_t)ihl;
	q->l4_len = (uint16_t)avail;
	q->src = qip->src_addr;
	q->dst = qip->dst_addr;
	memcpy(&q->sport, ql4, 2);
	memcpy(&q->dport, ql4 + 2, 2);
	return 0;
}

uint16_t
sl_csum_full(const void *buf, uint32_t len, uint32_t initial)
{
	const uint8_t *p = buf;
	uint64_t sum = initial;
	uint16_t w;

	for (; len >= 2; len -= 2, p += 2) {
		memcpy(&w, p, 2);
		sum += w;
	}
	if (len) {
		w = 0;
		memcpy(&w, p, 1);
		sum += w;
	}
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

uint16_t
sl_ipv4_csum(const struct rte_ipv4_hdr *ip)
{
	uint32_t ihl = (uint32_t)(ip->version_ihl & 0xf) * 4;
	uint8_t hdr[60];

	memcpy(hdr, ip, ihl);
	memset(hdr + offsetof(struct rte_ipv4_hdr, hdr_checksum), 0, 2);
	return (uint16_t)~sl_csum_full(hdr, ihl, 0);
}

uint16_t
sl_l4_csum(const struct rte_ipv4_hdr *ip, const void *l4)
{
	uint32_t ihl = (uint32_t)(ip->version_ihl & 0xf) * 4;
	uint32_t l4_len = rte_be_to_cpu_16(ip->total_length) - ihl;
	uint32_t off, sum = 0;
	uint16_t res;

	off = ip->next_proto_id == IPPROTO_TCP ?
		offsetof(struct rte_tcp_hdr, cksum) :
		offsetof(struct rte_udp_hdr, dgram_cksum);
	sum += ip->src_addr & 0xffff;
	sum += ip->src_addr >> 16;
	sum += ip->dst_addr & 0xffff;
	sum += ip->dst_addr >> 16;
	sum += rte_cpu_to_be_16(ip->next_proto_id);
	sum += rte_cpu_to_be_16((uint16_t)l4_len);
	/* the checksum field (even offset) is left out of the sum */
	sum = sl_csum_full(l4, off, sl_csum_fold(sum));
	sum = sl_csum_full((const uint8_t *)l4 + off + 2, l4_len - off - 2, sum);
	res = (uint16_t)~sum;
	if (res == 0 && ip->next_proto_id == IPPROTO_UDP)
		res = 0xffff;
	return res;
}
