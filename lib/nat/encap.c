/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Control-path and cold-path halves of the tunnel and direct-return
 * modes (see sl_nat.h): the per-backend outer header sums, and the ICMP
 * "fragmentation needed" a client gets when its packet, encapsulated,
 * would not fit the next link.
 */
#include <string.h>

#include "sl_config.h"
#include "sl_nat.h"

void
sl_nat_tun_init(struct sl_tun *t, uint8_t encap, rte_be32_t src, rte_be32_t dst,
		rte_be16_t port)
{
	uint8_t ttl_proto[2];

	memset(t, 0, sizeof(*t));
	t->encap = encap;
	t->src = src;
	t->dst = dst;
	t->port = port;
	switch (encap) {
	case SL_ENCAP_GRE:
		t->proto = IPPROTO_GRE;
		t->len = sizeof(struct rte_ipv4_hdr) + 4;
		break;
	case SL_ENCAP_GUE:
		t->proto = IPPROTO_UDP;
		t->len = sizeof(struct rte_ipv4_hdr) + sizeof(struct rte_udp_hdr) + 4;
		break;
	default:
		t->proto = IPPROTO_IPIP;
		t->len = sizeof(struct rte_ipv4_hdr);
		break;
	}
	/* the words sl_nat_encap() does not vary: TTL and protocol, the
	 * addresses (identification is 0) */
	ttl_proto[0] = SL_TUN_TTL;
	ttl_proto[1] = t->proto;
	t->sum = sl_ld16(ttl_proto) + sl_ld16((const uint8_t *)&src) +
		 sl_ld16((const uint8_t *)&src + 2) + sl_ld16((const uint8_t *)&dst) +
		 sl_ld16((const uint8_t *)&dst + 2);
}

unsigned
sl_nat_icmp_too_big(uint8_t *out, const uint8_t *frame, const struct sl_pkt_info *pi,
		    const struct rte_ether_addr *src_mac, rte_be32_t saddr, uint16_t mtu)
{
	const struct rte_ether_hdr *in_eh = (const struct rte_ether_hdr *)frame;
	struct rte_ether_hdr *eh = (struct rte_ether_hdr *)out;
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eh + 1);
	struct rte_icmp_hdr *ic = (struct rte_icmp_hdr *)(ip + 1);
	/* the quoted header and 8 bytes after it; the parser made sure the
	 * frame holds the L4 header, at least 8 bytes */
	unsigned quote = (unsigned)pi->l3_len + 8;
	unsigned icmp_len = sizeof(*ic) + quote;

	rte_ether_addr_copy(&in_eh->src_addr, &eh->dst_addr);
	rte_ether_addr_copy(src_mac, &eh->src_addr);
	eh->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	memset(ip, 0, sizeof(*ip));
	ip->version_ihl = 0x45;
	ip->total_length = rte_cpu_to_be_16((uint16_t)(sizeof(*ip) + icmp_len));
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_ICMP;
	ip->src_addr = saddr;
	ip->dst_addr = pi->src;
	ip->hdr_checksum = sl_ipv4_csum(ip);
	ic->icmp_type = SL_ICMP_DEST_UNREACH;
	ic->icmp_code = 4;
	ic->icmp_cksum = 0;
	ic->icmp_ident = 0;                      /* unused */
	ic->icmp_seq_nb = rte_cpu_to_be_16(mtu); /* next-hop MTU */
	memcpy(ic + 1, frame + pi->l2_len, quote);
	ic->icmp_cksum = (uint16_t)~sl_csum_full(ic, icmp_len, 0);
	return (unsigned)(sizeof(*eh) + sizeof(*ip) + icmp_len);
}
