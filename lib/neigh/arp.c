/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <string.h>

#include <rte_arp.h>

#include "sl_neigh.h"

int
sl_arp_parse(const uint8_t *p, uint32_t len, struct sl_arp_info *ai)
{
	const struct rte_arp_hdr *a = (const struct rte_arp_hdr *)p;

	if (len < sizeof(*a) ||
	    a->arp_hardware != RTE_BE16(RTE_ARP_HRD_ETHER) ||
	    a->arp_protocol != RTE_BE16(RTE_ETHER_TYPE_IPV4) ||
	    a->arp_hlen != RTE_ETHER_ADDR_LEN || a->arp_plen != 4)
		return -EINVAL;
	ai->op = rte_be_to_cpu_16(a->arp_opcode);
	if (ai->op != RTE_ARP_OP_REQUEST && ai->op != RTE_ARP_OP_REPLY)
		return -EINVAL;
	rte_ether_addr_copy(&a->arp_data.arp_sha, &ai->sha);
	rte_ether_addr_copy(&a->arp_data.arp_tha, &ai->tha);
	memcpy(&ai->spa, &a->arp_data.arp_sip, 4);
	memcpy(&ai->tpa, &a->arp_data.arp_tip, 4);
	return 0;
}

unsigned
sl_arp_build(uint8_t *frame, uint16_t op, const struct rte_ether_addr *eth_dst,
	     const struct rte_ether_addr *sha, rte_be32_t spa,
	     const struct rte_ether_addr *tha, rte_be32_t tpa)
{
	struct rte_ether_hdr *eh = (struct rte_ether_hdr *)frame;
	struct rte_arp_hdr *a = (struct rte_arp_hdr *)(eh + 1);

	memset(frame, 0, RTE_ETHER_MIN_LEN - RTE_ETHER_CRC_LEN);
	rte_ether_addr_copy(eth_dst, &eh->dst_addr);
	rte_ether_addr_copy(sha, &eh->src_addr);
	eh->ether_type = RTE_BE16(RTE_ETHER_TYPE_ARP);
	a->arp_hardware = RTE_BE16(RTE_ARP_HRD_ETHER);
	a->arp_protocol = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	a->arp_hlen = RTE_ETHER_ADDR_LEN;
	a->arp_plen = 4;
	a->arp_opcode = rte_cpu_to_be_16(op);
	rte_ether_addr_copy(sha, &a->arp_data.arp_sha);
	memcpy(&a->arp_data.arp_sip, &spa, 4);
	rte_ether_addr_copy(tha, &a->arp_data.arp_tha);
	memcpy(&a->arp_data.arp_tip, &tpa, 4);
	return RTE_ETHER_MIN_LEN - RTE_ETHER_CRC_LEN;
}
