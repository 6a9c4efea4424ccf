/* SPDX-License-Identifier: BSD-3-Clause */
#include <string.h>
#include <rte_icmp.h>

#include "sl_nat.h"

void
sl_nat_icmp_echo_reply(uint8_t *frame, const struct sl_pkt_info *pi)
{
	struct rte_ether_hdr *eh = (struct rte_ether_hdr *)frame;
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(frame + pi->l2_len);
	struct rte_icmp_hdr *ih = (struct rte_icmp_hdr *)((uint8_t *)ip + pi->l3_len);
	struct rte_ether_addr tmp;
	uint16_t old_word, new_word;
	rte_be32_t a;

	rte_ether_addr_copy(&eh->src_addr, &tmp);
	rte_ether_addr_copy(&eh->dst_addr, &eh->src_addr);
	rte_ether_addr_copy(&tmp, &eh->dst_addr);

	/* swapping the addresses leaves the header sum unchanged */
	a = ip->src_addr;
	ip->src_addr = ip->dst_addr;
	ip->dst_addr = a;
	old_word = sl_ld16(&ip->time_to_live);
	ip->time_to_live = 64;
	new_word = sl_ld16(&ip->time_to_live);
	ip->hdr_checksum = sl_csum_update16(ip->hdr_checksum, old_word, new_word);

	old_word = sl_ld16(&ih->icmp_type);
	ih->icmp_type = RTE_IP_ICMP_ECHO_REPLY;
	new_word = sl_ld16(&ih->icmp_type);
	ih->icmp_cksum = sl_csum_update16(ih->icmp_cksum, old_word, new_word);
	/* an all-zero message must carry 0xffff: the update can yield +0 */
	if (ih->icmp_cksum == 0)
		ih->icmp_cksum = 0xffff;
}

/*
 * One side of an ICMP error about a connection, for the end it goes to:
 * the quote's source (@p qsrc) or destination address and port become
 * @p addr:@p port, and so does the outer address on that side (an error
 * goes to the quote's source: the outer destination stands for the
 * quote's source, the outer source for its destination). The outer and
 * quoted IPv4 header checksums and the quoted L4 checksum are patched;
 * returns the ICMP checksum @p icsum patched likewise.
 */
static uint16_t
icmp_err_side(uint8_t *frame, const struct sl_pkt_info *pi, const struct sl_pkt_quote *q,
	      int qsrc, rte_be32_t addr, rte_be16_t port, uint16_t icsum)
{
	uint8_t *ip = frame + pi->l2_len;
	uint8_t *qip = frame + q->ip_off;
	uint8_t *ql4 = qip + q->l3_len;
	uint8_t *oap = ip + (qsrc ? SL_IP_DST_OFF : SL_IP_SRC_OFF);
	uint8_t *qap = qip + (qsrc ? SL_IP_SRC_OFF : SL_IP_DST_OFF);
	uint8_t *qpp = ql4 + (qsrc ? 0 : 2);
	uint8_t *qcp = NULL;
	uint16_t csum, old_qc, new_qc;
	rte_be32_t old_a, old_qa;
	rte_be16_t old_p;

	/* the outer address: in the outer header's checksum only */
	memcpy(&old_a, oap, 4);
	memcpy(oap, &addr, 4);
	csum = sl_csum_update32(sl_ld16(ip + SL_IP_CSUM_OFF), old_a, addr);
	memcpy(ip + SL_IP_CSUM_OFF, &csum, 2);

	/*
	 * The quote. Every field changed lies at an even offset from the
	 * ICMP header (the quote starts 8 bytes in, its L4 header a multiple
	 * of 4 after that), so each change updates the ICMP checksum as the
	 * same 16-bit words.
	 */
	memcpy(&old_qa, qap, 4);
	memcpy(qap, &addr, 4);
	old_qc = sl_ld16(qip + SL_IP_CSUM_OFF);
	new_qc = sl_csum_update32(old_qc, old_qa, addr);
	memcpy(qip + SL_IP_CSUM_OFF, &new_qc, 2);
	icsum = sl_csum_update16(sl_csum_update32(icsum, old_qa, addr), old_qc, new_qc);

	memcpy(&old_p, qpp, 2);
	memcpy(qpp, &port, 2);
	icsum = sl_csum_update16(icsum, old_p, port);

	/*
	 * The quoted L4 checksum, where the quote holds it, so the quote is
	 * the very packet its receiver knows (as netfilter's NAT does; IPVS
	 * leaves it). The first 8 bytes always hold UDP's; TCP's is at 16.
	 */
	if (q->proto == IPPROTO_TCP && q->l4_len >= SL_TCP_CSUM_OFF + 2)
		qcp = ql4 + SL_TCP_CSUM_OFF;
	else if (q->proto == IPPROTO_UDP && sl_ld16(ql4 + SL_UDP_CSUM_OFF) != 0)
		qcp = ql4 + SL_UDP_CSUM_OFF;
	if (qcp != NULL) {
		old_qc = sl_ld16(qcp);
		new_qc = sl_csum_update16(sl_csum_update32(old_qc, old_qa, addr),
					  old_p, port);
		if (q->proto == IPPROTO_UDP && new_qc == 0)
			new_qc = 0xffff;
		memcpy(qcp, &new_qc, 2);
		icsum = sl_csum_update16(icsum, old_qc, new_qc);
	}
	return icsum;
}

/* The outer TTL of a relayed error goes down by one, a router hop. */
static void
icmp_err_hop(uint8_t *frame, const struct sl_pkt_info *pi)
{
	uint8_t *ip = frame + pi->l2_len;
	uint16_t csum = sl_csum_apply(sl_ld16(ip + SL_IP_CSUM_OFF), sl_nat_ttl_dec(ip));

	memcpy(ip + SL_IP_CSUM_OFF, &csum, 2);
}

void
sl_nat_icmp_err(uint8_t *frame, const struct sl_pkt_info *pi,
		const struct sl_pkt_quote *q, int to_backend,
		rte_be32_t addr, rte_be16_t port)
{
	uint8_t *icmp = frame + pi->l2_len + pi->l3_len;
	uint16_t icsum = icmp_err_side(frame, pi, q, to_backend, addr, port,
				       sl_ld16(icmp + 2));

	memcpy(icmp + 2, &icsum, 2);
	icmp_err_hop(frame, pi);
}

void
sl_nat_icmp_err_fullnat(uint8_t *frame, const struct sl_pkt_info *pi,
			const struct sl_pkt_quote *q, rte_be32_t saddr, rte_be16_t sport,
			rte_be32_t daddr, rte_be16_t dport)
{
	uint8_t *icmp = frame + pi->l2_len + pi->l3_len;
	uint16_t icsum = sl_ld16(icmp + 2);

	icsum = icmp_err_side(frame, pi, q, 1, saddr, sport, icsum);
	icsum = icmp_err_side(frame, pi, q, 0, daddr, dport, icsum);
	memcpy(icmp + 2, &icsum, 2);
	icmp_err_hop(frame, pi);
}

unsigned
sl_nat_tcp_rst(uint8_t *frame, const struct rte_ether_addr *dst_mac,
	       const struct rte_ether_addr *src_mac, rte_be32_t saddr,
	       rte_be32_t daddr, rte_be16_t sport, rte_be16_t dport,
	       uint32_t seq, uint32_t ack, int ack_flag)
{
	struct rte_ether_hdr *eh = (struct rte_ether_hdr *)frame;
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eh + 1);
	struct rte_tcp_hdr *th = (struct rte_tcp_hdr *)(ip + 1);

	memset(frame, 0, sizeof(*eh) + sizeof(*ip) + sizeof(*th));
	rte_ether_addr_copy(dst_mac, &eh->dst_addr);
	rte_ether_addr_copy(src_mac, &eh->src_addr);
	eh->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	ip->version_ihl = 0x45;
	ip->total_length = RTE_BE16(sizeof(*ip) + sizeof(*th));
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_TCP;
	ip->src_addr = saddr;
	ip->dst_addr = daddr;
	ip->hdr_checksum = sl_ipv4_csum(ip);
	th->src_port = sport;
	th->dst_port = dport;
	th->sent_seq = rte_cpu_to_be_32(seq);
	th->recv_ack = rte_cpu_to_be_32(ack_flag ? ack : 0);
	th->data_off = 5 << 4;
	th->tcp_flags = RTE_TCP_RST_FLAG | (ack_flag ? RTE_TCP_ACK_FLAG : 0);
	th->cksum = sl_l4_csum(ip, th);
	return sizeof(*eh) + sizeof(*ip) + sizeof(*th);
}
