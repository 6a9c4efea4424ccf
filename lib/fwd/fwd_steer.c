/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The owner function's Toeplitz tables and a steering port's
 * redirection table (see sl_fwd_steer.h).
 */
#include <errno.h>
#include <string.h>

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
