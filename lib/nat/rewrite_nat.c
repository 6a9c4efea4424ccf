/* SPDX-License-Identifier: BSD-3-Clause */
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
