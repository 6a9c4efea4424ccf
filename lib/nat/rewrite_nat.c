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
