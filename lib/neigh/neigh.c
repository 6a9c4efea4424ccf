/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_malloc.h>

#include "sl_neigh.h"

struct sl_neigh_table *
sl_neigh_create(uint32_t capacity, int socket_id)
{
	struct sl_neigh_table *t;

	if (capacity == 0) {
		rte_errno = EINVAL;
		return NULL;
	}
	t = rte_zmalloc_socket("sl_neigh", sizeof(*t), 0, socket_id);
	if (t == NULL)
		goto err;
	t->capacity = capacity;
	t->macw = rte_zmalloc_socket("sl_neigh_mac", capacity * sizeof(uint64_t),
				     RTE_CACHE_LINE_SIZE, socket_id);
	t->meta = rte_zmalloc_socket("sl_neigh_meta",
				     capacity * sizeof(struct sl_neigh_meta), 0,
				     socket_id);
	if (t->macw == NULL || t->meta == NULL)
		goto err;
	return t;
err:
	sl_neigh_free(t);
	rte_errno = ENOMEM;
	return NULL;
}

void
sl_neigh_free(struct sl_neigh_table *t)
{
	uint32_t i;

	if (t == NULL)
		return;
	if (t->meta != NULL)
		for (i = 0; i < t->count; i++)
			while (t->meta[i].n_held > 0)
				rte_pktmbuf_free(t->meta[i].held[--t->meta[i].n_held]);
	rte_free(t->macw);
	rte_free(t->meta);
	rte_free(t);
}

int
sl_neigh_find(const struct sl_neigh_table *t, uint16_t port, rte_be32_t ip)
{
	uint32_t i;

	/* control path; tables hold a few hundred next hops at most */
	for (i = 0; i < t->count; i++)
		if (t->meta[i].ip == ip && t->meta[i].port == port)
			return (int)i;
	return -ENOENT;
}

int
sl_neigh_add(struct sl_neigh_table *t, uint16_t port, rte_be32_t ip)
{
	int idx = sl_neigh_find(t, port, ip);

	if (idx >= 0)
		return idx;
	if (t->count == t->capacity)
		return -ENOSPC;
	idx = (int)t->count;
	memset(&t->meta[idx], 0, sizeof(t->meta[idx]));
	t->meta[idx].ip = ip;
	t->meta[idx].port = port;
	__atomic_store_n(&t->macw[idx], 0, __ATOMIC_RELAXED);
	/* release: the entry is complete before it is counted */
	__atomic_store_n(&t->count, t->count + 1, __ATOMIC_RELEASE);
	return idx;
}

int
sl_neigh_learn(struct sl_neigh_table *t, uint16_t port, rte_be32_t ip,
	       const struct rte_ether_addr *mac, uint64_t now)
{
	int idx = sl_neigh_find(t, port, ip);
	uint64_t w = 0;

	if (idx < 0)
		return idx;
	memcpy(&w, mac, RTE_ETHER_ADDR_LEN);
	w |= SL_NEIGH_VALID;
	/* release: pairs with the acquire load in sl_neigh_mac() */
	__atomic_store_n(&t->macw[idx], w, __ATOMIC_RELEASE);
	t->meta[idx].updated = now;
	t->meta[idx].tries = 0;
	return idx;
}

int
sl_neigh_hold(struct sl_neigh_table *t, uint32_t idx, struct rte_mbuf *m)
{
	struct sl_neigh_meta *nm = &t->meta[idx];

	if (nm->n_held >= SL_NEIGH_HOLD)
		return -ENOSPC;
	nm->held[nm->n_held++] = m;
	return 0;
}

unsigned
sl_neigh_take_held(struct sl_neigh_table *t, uint32_t idx,
		   struct rte_mbuf **out, unsigned max)
{
	struct sl_neigh_meta *nm = &t->meta[idx];
	unsigned n = RTE_MIN((unsigned)nm->n_held, max), i;

	for (i = 0; i < n; i++)
		out[i] = nm->held[i];
	/* keep any that did not fit, in order */
	memmove(nm->held, nm->held + n, (nm->n_held - n) * sizeof(nm->held[0]));
	nm->n_held = (uint8_t)(nm->n_held - n);
	return n;
}

unsigned
sl_neigh_age(struct sl_neigh_table *t, uint64_t now, uint64_t hz,
	     uint32_t timeout_s, sl_neigh_request_cb cb, void *arg)
{
	uint64_t timeout = (uint64_t)timeout_s * hz;
	unsigned dropped = 0;
	uint32_t i;

	for (i = 0; i < t->count; i++) {
		struct sl_neigh_meta *nm = &t->meta[i];
		int valid = (__atomic_load_n(&t->macw[i], __ATOMIC_RELAXED) &
			     SL_NEIGH_VALID) != 0;
		uint64_t age = now - nm->updated;

		if (valid && age >= timeout) {
			/* silent for a whole timeout: stop using it */
			__atomic_store_n(&t->macw[i], 0, __ATOMIC_RELEASE);
			valid = 0;
		}
		if (valid && age < timeout / 4 * 3)
			continue;
		if (nm->requested != 0 && now - nm->requested < hz)
			continue;
		if (!valid && nm->tries >= SL_NEIGH_RETRIES) {
			while (nm->n_held > 0) {
				rte_pktmbuf_free(nm->held[--nm->n_held]);
				dropped++;
			}
		}
		nm->requested = now;
		if (nm->tries < UINT8_MAX)
			nm->tries++;
		cb(i, nm->port, nm->ip, arg);
	}
	return dropped;
}
