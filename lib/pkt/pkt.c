/* SPDX-License-Identifier: BSD-3-Clause */
#include <string.h>
#include <stddef.h>
#include <netinet/in.h>

#include "sl_pkt.h"

#define ETH_LEN   14
#define VLAN_LEN  4

int
sl_pkt_parse(const uint8_t *data, uint32_t len, unsigned flags,
	     struct sl_pkt_info *pi)
{
	const struct rte_ipv4_hdr *ip;
	uint16_t etype, ip_len, frag;
	uint32_t l2 = ETH_LEN, ihl, l4_avail;
	const uint8_t *l4;

	if (unlikely(len < ETH_LEN))
		return SL_DROP_SHORT_FRAME;
	/* read byte-wise, as every other header here is (DPDK's IP, TCP and
	 * UDP headers are packed types): struct rte_ether_hdr requires
	 * 2-byte alignment, and the parser takes a frame at any address */
	etype = sl_ld16(data + RTE_ETHER_ADDR_LEN * 2);
	if (etype == RTE_BE16(RTE_ETHER_TYPE_VLAN)) {
		if (unlikely(len < ETH_LEN + VLAN_LEN))
			return SL_DROP_SHORT_FRAME;
		etype = ((const struct rte_vlan_hdr *)(data + ETH_LEN))->eth_proto;
		l2 += VLAN_LEN;
	}
	pi->l2_len = (uint8_t)l2;
	pi->tcp_flags = 0;
	if (etype == RTE_BE16(RTE_ETHER_TYPE_ARP)) {
		pi->kind = SL_PKT_ARP;
		return 0;
	}
	if (unlikely(etype != RTE_BE16(RTE_ETHER_TYPE_IPV4))) {
		if (etype == RTE_BE16(RTE_ETHER_TYPE_IPV6)) {
			pi->kind = SL_PKT_IPV6;
			return 0;
		}
		return SL_DROP_NOT_IPV4;
	}

	if (unlikely(len < l2 + sizeof(struct rte_ipv4_hdr)))
		return SL_DROP_SHORT_IP;
	ip = (const struct rte_ipv4_hdr *)(data + l2);
	if (unlikely((ip->version_ihl >> 4) != 4))
		return SL_DROP_BAD_IP_VER;
	ihl = (uint32_t)(ip->version_ihl & 0xf) * 4;
	if (unlikely(ihl < sizeof(struct rte_ipv4_hdr) || l2 + ihl > len))
		return SL_DROP_BAD_IHL;
	ip_len = rte_be_to_cpu_16(ip->total_length);
	/* Ethernet may pad short frames, so the frame may exceed ip_len */
	if (unlikely(ip_len < ihl || l2 + ip_len > len))
		return SL_DROP_BAD_IP_LEN;
	if (unlikely(flags & SL_PKT_F_IP_CSUM_BAD))
		return SL_DROP_BAD_IP_CSUM;
	if (!(flags & SL_PKT_F_IP_CSUM_GOOD) &&
	    unlikely(!sl_ipv4_csum_ok(ip, ihl)))
		return SL_DROP_BAD_IP_CSUM;
	frag = rte_be_to_cpu_16(ip->fragment_offset);
	if (unlikely(frag & (RTE_IPV4_HDR_MF_FLAG | RTE_IPV4_HDR_OFFSET_MASK)))
		return SL_DROP_FRAGMENT;

	pi->kind = SL_PKT_IPV4;
	pi->proto = ip->next_proto_id;
	pi->l3_len = (uint8_t)ihl;
	pi->ip_len = ip_len;
	pi->src = ip->src_addr;
	pi->dst = ip->dst_addr;
	l4 = (const uint8_t *)ip + ihl;
	l4_avail = ip_len - ihl;

	switch (ip->next_proto_id) {
	case IPPROTO_TCP: {
		const struct rte_tcp_hdr *th = (const struct rte_tcp_hdr *)l4;
		uint32_t off;

		if (unlikely(l4_avail < sizeof(*th)))
			return SL_DROP_BAD_L4_LEN;
		off = (uint32_t)(th->data_off >> 4) * 4;
		if (unlikely(off < sizeof(*th) || off > l4_avail))
			return SL_DROP_BAD_L4_LEN;
		pi->l4_len = (uint8_t)off;
		pi->sport = th->src_port;
		pi->dport = th->dst_port;
		pi->tcp_flags = th->tcp_flags;
		break;
	}
	case IPPROTO_UDP: {
		const struct rte_udp_hdr *uh = (const struct rte_udp_hdr *)l4;
		uint16_t ulen;

		if (unlikely(l4_avail < sizeof(*uh)))
			return SL_DROP_BAD_L4_LEN;
		ulen = rte_be_to_cpu_16(uh->dgram_len);
		if (unlikely(ulen < sizeof(*uh) || ulen > l4_avail))
			return SL_DROP_BAD_L4_LEN;
		pi->l4_len = sizeof(*uh);
		pi->sport = uh->src_port;
		pi->dport = uh->dst_port;
		break;
	}
	case IPPROTO_ICMP: {
		const struct rte_icmp_hdr *ih = (const struct rte_icmp_hdr *)l4;

		if (unlikely(l4_avail < sizeof(*ih)))
			return SL_DROP_BAD_L4_LEN;
		pi->l4_len = sizeof(*ih);
		pi->sport = ih->icmp_ident;
		pi->dport = rte_cpu_to_be_16((uint16_t)(ih->icmp_type << 8 | ih->icmp_code));
		return 0;
	}
	default:
		return SL_DROP_UNSUP_L4;
	}
	if (unlikely(flags & SL_PKT_F_L4_CSUM_BAD))
		return SL_DROP_BAD_L4_CSUM;
	return 0;
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
