/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <string.h>

#include "sl_neigh.h"

#define IP6_LEN       40
#define ND_HLIM       255  /* RFC 4861: the message never crossed a router */
#define ND_MSG_LEN    24   /* ICMPv6 header, reserved/flags word, target */
#define ND_OPT_SLLA   1
#define ND_OPT_TLLA   2
#define ND_FRAME_LEN  (RTE_ETHER_HDR_LEN + IP6_LEN + ND_MSG_LEN + 8)
#define ND_NA_FLAGS   0xe0 /* R, S, O */
#define ND_NA_S       0x40

static int
sl_in6_multicast(const struct sl_in6 *a)
{
	return a->b[0] == 0xff;
}

int
sl_nd_parse(const uint8_t *frame, uint32_t len, const struct sl_pkt6_info *pi,
	    struct sl_nd_info *nd)
{
	const uint8_t *ip = frame + pi->l2_len;
	const uint8_t *m = ip + pi->l3_len;
	uint32_t n, off, olen;
	uint8_t want_opt;

	if (pi->proto != SL_IPPROTO_ICMPV6 ||
	    (uint32_t)pi->l2_len + IP6_LEN + pi->plen > len ||
	    pi->l3_len > IP6_LEN + (uint32_t)pi->plen)
		return -EINVAL;
	n = IP6_LEN + (uint32_t)pi->plen - pi->l3_len;
	if (n < ND_MSG_LEN || ip[7] != ND_HLIM || m[1] != 0 ||
	    (m[0] != SL_ND_NS && m[0] != SL_ND_NA))
		return -EINVAL;
	memset(nd, 0, sizeof(*nd));
	nd->type = m[0];
	memcpy(&nd->target, m + 8, sizeof(nd->target));
	if (sl_in6_multicast(&nd->target))
		return -EINVAL;
	if (nd->type == SL_ND_NA) {
		nd->flags = m[4] & ND_NA_FLAGS;
		/* RFC 4861 section 7.1.2: a multicast answer is never solicited */
		if ((nd->flags & ND_NA_S) && sl_in6_multicast(&pi->dst))
			return -EINVAL;
		want_opt = ND_OPT_TLLA;
	} else {
		want_opt = ND_OPT_SLLA;
	}

	for (off = ND_MSG_LEN; off < n; off += olen) {
		if (off + 2 > n)
			return -EINVAL;
		olen = (uint32_t)m[off + 1] * 8;
		if (olen == 0 || off + olen > n)
			return -EINVAL;
		if (m[off] == want_opt) {
			memcpy(&nd->lla, m + off + 2, RTE_ETHER_ADDR_LEN);
			nd->has_lla = 1;
		}
	}

	/*
	 * Duplicate address detection: a solicitation from :: goes to a
	 * solicited-node group and has no source address to learn
	 * (RFC 4861 section 7.1.1).
	 */
	if (nd->type == SL_ND_NS && sl_in6_zero(&pi->src)) {
		struct sl_in6 group;
		struct rte_ether_addr gmac;

		sl_nd_solicited_node(&nd->target, &group, &gmac);
		if (nd->has_lla || !sl_in6_eq(&pi->dst, &group))
			return -EINVAL;
	}
	return 0;
}

void
sl_nd_solicited_node(const struct sl_in6 *a, struct sl_in6 *group,
		     struct rte_ether_addr *mac)
{
	static const uint8_t prefix[13] = {
		0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0xff,
	};

	memcpy(group->b, prefix, sizeof(prefix));
	memcpy(group->b + 13, a->b + 13, 3);
	/* IPv6 multicast over Ethernet: 33:33 and the group's last 32 bits */
	mac->addr_bytes[0] = 0x33;
	mac->addr_bytes[1] = 0x33;
	memcpy(mac->addr_bytes + 2, group->b + 12, 4);
}

/* Ethernet + IPv6 + an NS or NA with one link-layer address option;
 * the ICMPv6 type, flags and checksum are left to the caller. */
static uint8_t *
sl_nd_frame(uint8_t *frame, const struct rte_ether_addr *dst_mac,
	    const struct rte_ether_addr *src_mac, const struct sl_in6 *src,
	    const struct sl_in6 *dst, const struct sl_in6 *target, uint8_t opt)
{
	struct rte_ether_hdr *eh = (struct rte_ether_hdr *)frame;
	uint8_t *ip = frame + RTE_ETHER_HDR_LEN;
	uint8_t *m = ip + IP6_LEN;
	rte_be16_t plen = rte_cpu_to_be_16(ND_MSG_LEN + 8);

	memset(frame, 0, ND_FRAME_LEN);
	rte_ether_addr_copy(dst_mac, &eh->dst_addr);
	rte_ether_addr_copy(src_mac, &eh->src_addr);
	eh->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV6);
	ip[0] = 0x60;
	memcpy(ip + 4, &plen, 2);
	ip[6] = SL_IPPROTO_ICMPV6;
	ip[7] = ND_HLIM;
	memcpy(ip + 8, src, sizeof(*src));
	memcpy(ip + 24, dst, sizeof(*dst));
	memcpy(m + 8, target, sizeof(*target));
	m[ND_MSG_LEN] = opt;
	m[ND_MSG_LEN + 1] = 1;  /* 8 bytes */
	memcpy(m + ND_MSG_LEN + 2, src_mac, RTE_ETHER_ADDR_LEN);
	return m;
}

unsigned
sl_nd_build_ns(uint8_t *frame, const struct rte_ether_addr *src_mac,
	       const struct sl_in6 *src, const struct sl_in6 *target)
{
	struct rte_ether_addr gmac;
	struct sl_in6 group;
	uint8_t *m;
	uint16_t csum;

	sl_nd_solicited_node(target, &group, &gmac);
	m = sl_nd_frame(frame, &gmac, src_mac, src, &group, target, ND_OPT_SLLA);
	m[0] = SL_ND_NS;
	csum = sl_l4_csum6(src, &group, SL_IPPROTO_ICMPV6, m, ND_MSG_LEN + 8, 2);
	memcpy(m + 2, &csum, 2);
	return ND_FRAME_LEN;
}

unsigned
sl_nd_build_na(uint8_t *frame, const struct rte_ether_addr *mac,
	       const struct rte_ether_addr *dst_mac, const struct sl_in6 *src,
	       const struct sl_in6 *dst, const struct sl_in6 *target,
	       uint8_t flags)
{
	uint8_t *m;
	uint16_t csum;

	m = sl_nd_frame(frame, dst_mac, mac, src, dst, target, ND_OPT_TLLA);
	m[0] = SL_ND_NA;
	m[4] = flags & ND_NA_FLAGS;
	csum = sl_l4_csum6(src, dst, SL_IPPROTO_ICMPV6, m, ND_MSG_LEN + 8, 2);
	memcpy(m + 2, &csum, 2);
	return ND_FRAME_LEN;
}
