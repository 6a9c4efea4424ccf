/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The owner function's Toeplitz tables, a steering port's redirection
 * table and the rules that steer fullnat replies (see sl_fwd_steer.h).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <rte_common.h>

#include "sl_fwd_steer.h"

const uint8_t sl_steer_key[SL_STEER_KEY_LEN] = {
	0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2,
	0x41, 0x67, 0x25, 0x3d, 0x43, 0xa3, 0x8f, 0xb0,
	0xd0, 0xca, 0x2b, 0xcb, 0xae, 0x7b, 0x30, 0xb4,
	0x77, 0xcb, 0x2d, 0xa3, 0x80, 0x30, 0xf2, 0x0c,
	0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa,
};

uint32_t sl_steer_tab[16][256];

/* The 32 key bits starting at bit @p k (bit 0: the first byte's top). */
static uint32_t
key_window(unsigned k)
{
	uint64_t v = 0;
	unsigned i;

	for (i = 0; i < 5; i++)
		v = (v << 8) | sl_steer_key[k / 8 + i];
	return (uint32_t)(v >> (8 - k % 8));
}

/* Toeplitz: each set input bit i adds the key window at bit i; by
 * linearity a byte's contribution is the XOR of its bits' windows. */
RTE_INIT(sl_steer_tables)
{
	unsigned i, v, b;

	_Static_assert(16 * 8 + 40 <= SL_STEER_KEY_LEN * 8,
		       "the key covers 16 input bytes and a window");
	for (i = 0; i < 16; i++)
		for (v = 0; v < 256; v++) {
			uint32_t h = 0;

			for (b = 0; b < 8; b++)
				if (v & (0x80u >> b))
					h ^= key_window(i * 8 + b);
			sl_steer_tab[i][v] = h;
		}
}

uint64_t
sl_steer_rss_hf(enum sl_steering mode, const struct rte_eth_dev_info *info,
		unsigned nq, const char **why)
{
	uint64_t only = mode == SL_STEERING_SOURCE ? RTE_ETH_RSS_L3_SRC_ONLY :
		RTE_ETH_RSS_L3_DST_ONLY;
	uint64_t hf = info->flow_type_rss_offloads & (RTE_ETH_RSS_IPV4 | RTE_ETH_RSS_IPV6);

	if (mode != SL_STEERING_SOURCE && mode != SL_STEERING_DESTINATION)
		return 0;
	if (nq < 2)
		*why = "one worker: nothing to steer";
	else if (hf == 0 || (info->flow_type_rss_offloads & only) == 0)
		*why = mode == SL_STEERING_SOURCE ?
			"the device's RSS cannot hash the source address alone" :
			"the device's RSS cannot hash the destination address alone";
	else if (info->hash_key_size != 0 && (info->hash_key_size < SL_STEER_KEY_LEN ||
					      info->hash_key_size > SL_STEER_KEY_MAX))
		*why = "the device's RSS key is not 40 to 64 bytes long";
	else if (info->reta_size < SL_STEER_SLOTS || info->reta_size > SL_STEER_RETA_MAX ||
		 !rte_is_power_of_2(info->reta_size))
		*why = "the device's redirection table is not a power of two of 128 to 8192 entries";
	else
		return hf | only;
	return 0;
}

int
sl_steer_port_reta(uint16_t pid, uint16_t reta_size, unsigned n, const char **why)
{
	static struct rte_eth_rss_reta_entry64 want[SL_STEER_RETA_MAX / RTE_ETH_RETA_GROUP_SIZE];
	static struct rte_eth_rss_reta_entry64 got[SL_STEER_RETA_MAX / RTE_ETH_RETA_GROUP_SIZE];
	unsigned j, groups;
	int ret;

	if (reta_size > RTE_DIM(want) * RTE_ETH_RETA_GROUP_SIZE ||
	    sl_steer_reta_fill(want, reta_size, n) != 0) {
		*why = "the device's redirection table is not a power of two of 128 to 8192 entries";
		return -EINVAL;
	}
	ret = rte_eth_dev_rss_reta_update(pid, want, reta_size);
	if (ret != 0) {
		*why = "the device refused the redirection table";
		return ret;
	}
	groups = (reta_size + RTE_ETH_RETA_GROUP_SIZE - 1) / RTE_ETH_RETA_GROUP_SIZE;
	for (j = 0; j < groups; j++) {
		got[j].mask = want[j].mask;
		memset(got[j].reta, 0xff, sizeof(got[j].reta));
	}
	ret = rte_eth_dev_rss_reta_query(pid, got, reta_size);
	if (ret == -ENOTSUP)
		return 0;   /* written, cannot be read back */
	if (ret != 0) {
		*why = "the device's redirection table cannot be read back";
		return ret;
	}
	for (j = 0; j < reta_size; j++)
		if (got[j / RTE_ETH_RETA_GROUP_SIZE].reta[j % RTE_ETH_RETA_GROUP_SIZE] !=
		    want[j / RTE_ETH_RETA_GROUP_SIZE].reta[j % RTE_ETH_RETA_GROUP_SIZE]) {
			*why = "the device's redirection table reads back otherwise";
			return -EIO;
		}
	return 0;
}

int
sl_steer_reta_fill(struct rte_eth_rss_reta_entry64 *conf, uint16_t reta_size,
		   unsigned n)
{
	unsigned j;

	if (n == 0 || reta_size < SL_STEER_SLOTS || !rte_is_power_of_2(reta_size))
		return -EINVAL;
	for (j = 0; j < reta_size; j++) {
		struct rte_eth_rss_reta_entry64 *g = &conf[j / RTE_ETH_RETA_GROUP_SIZE];

		if (j % RTE_ETH_RETA_GROUP_SIZE == 0)
			memset(g, 0, sizeof(*g));
		g->mask |= 1ull << (j % RTE_ETH_RETA_GROUP_SIZE);
		g->reta[j % RTE_ETH_RETA_GROUP_SIZE] =
			(uint16_t)sl_steer_slot_owner(j % SL_STEER_SLOTS, n);
	}
	return 0;
}

int
sl_steer_lport_match(unsigned slot, unsigned n, uint16_t *spec, uint16_t *mask)
{
	unsigned m;

	if (n < 2 || n > 4096)
		return -EINVAL;
	m = sl_lport_slots(n);
	if (slot >= m)
		return -EINVAL;
	*mask = (uint16_t)(m - 1);
	*spec = (uint16_t)slot;
	return 0;
}

int
sl_steer_lport_flow(struct sl_steer_lport_flow *f, int v6, const void *addr,
		    uint8_t proto, unsigned slot, unsigned n)
{
	uint16_t spec, mask;
	int ret = sl_steer_lport_match(slot, n, &spec, &mask);

	if (ret != 0)
		return ret;
	if (proto != IPPROTO_TCP && proto != IPPROTO_UDP)
		return -EINVAL;
	memset(f, 0, sizeof(*f));
	f->attr.ingress = 1;
	f->pattern[0].type = RTE_FLOW_ITEM_TYPE_ETH;
	if (v6) {
		memcpy(f->ip.v6.hdr.dst_addr, addr, 16);
		memset(f->ip_mask.v6.hdr.dst_addr, 0xff, 16);
		f->pattern[1].type = RTE_FLOW_ITEM_TYPE_IPV6;
	} else {
		memcpy(&f->ip.v4.hdr.dst_addr, addr, 4);
		f->ip_mask.v4.hdr.dst_addr = RTE_BE32(0xffffffff);
		f->pattern[1].type = RTE_FLOW_ITEM_TYPE_IPV4;
	}
	f->pattern[1].spec = &f->ip;
	f->pattern[1].mask = &f->ip_mask;
	if (proto == IPPROTO_TCP) {
		f->l4.tcp.hdr.dst_port = rte_cpu_to_be_16(spec);
		f->l4_mask.tcp.hdr.dst_port = rte_cpu_to_be_16(mask);
		f->pattern[2].type = RTE_FLOW_ITEM_TYPE_TCP;
	} else {
		f->l4.udp.hdr.dst_port = rte_cpu_to_be_16(spec);
		f->l4_mask.udp.hdr.dst_port = rte_cpu_to_be_16(mask);
		f->pattern[2].type = RTE_FLOW_ITEM_TYPE_UDP;
	}
	f->pattern[2].spec = &f->l4;
	f->pattern[2].mask = &f->l4_mask;
	f->pattern[3].type = RTE_FLOW_ITEM_TYPE_END;
	f->queue.index = (uint16_t)(slot % n);
	f->actions[0].type = RTE_FLOW_ACTION_TYPE_QUEUE;
	f->actions[0].conf = &f->queue;
	f->actions[1].type = RTE_FLOW_ACTION_TYPE_END;
	return 0;
}

unsigned
sl_steer_lport_install(const struct sl_steer_locals *loc, unsigned n,
		       sl_steer_make_fn make, sl_steer_undo_fn undo, void *ctx,
		       void **rules, char *why, size_t whylen)
{
	static const uint8_t protos[] = { IPPROTO_TCP, IPPROTO_UDP };
	unsigned a, p, q, made = 0, addrs = loc->n4 + loc->n6, m = sl_lport_slots(n);
	char txt[INET6_ADDRSTRLEN];

	if (addrs == 0) {
		snprintf(why, whylen, "no local addresses");
		return 0;
	}
	if (n < 2) {
		snprintf(why, whylen, "one worker: nothing to steer");
		return 0;
	}
	for (a = 0; a < addrs; a++) {
		int v6 = a >= loc->n4;
		const void *addr = v6 ? (const void *)loc->a6[a - loc->n4] :
			(const void *)&loc->a4[a];

		for (p = 0; p < RTE_DIM(protos); p++)
			for (q = 0; q < m; q++) {
				struct sl_steer_lport_flow f;
				const char *err = NULL;
				void *r;
				int ret = sl_steer_lport_flow(&f, v6, addr, protos[p], q, n);

				r = ret == 0 ? make(ctx, &f, &err) : NULL;
				if (r != NULL) {
					rules[made++] = r;
					continue;
				}
				inet_ntop(v6 ? AF_INET6 : AF_INET, addr, txt, sizeof(txt));
				if (ret != 0)
					snprintf(why, whylen, "redirect rings: no rule for %s (%s)",
						 txt, strerror(-ret));
				else
					snprintf(why, whylen,
						 "redirect rings: the device refused a rule for %s (%s)",
						 txt, err != NULL ? err : "no reason given");
				while (made > 0)
					undo(ctx, rules[--made]);
				return 0;
			}
	}
	snprintf(why, whylen, "NIC rules: %u local address%s, TCP and UDP, %u port slots over %u workers",
		 addrs, addrs == 1 ? "" : "es", m, n);
	return made;
}
