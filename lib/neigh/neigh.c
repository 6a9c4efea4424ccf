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

	if (capacity == 0 || capacity > SL_NEIGH_MAX) {
		rte_errno = EINVAL;
		return NULL;
	}
	t = rte_zmalloc_socket("sl_neigh", sizeof(*t), 0, socket_id);
	if (t == NULL)
		goto err;
	t->capacity = capacity;
	t->free_head = SL_NEIGH_NONE;
	t->free_tail = SL_NEIGH_NONE;
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

static inline int
ref_of(const struct sl_neigh_table *t, uint32_t idx)
{
	return (int)((uint32_t)t->meta[idx].gen << 16 | idx);
}

int
sl_neigh_index(const struct sl_neigh_table *t, uint32_t ref)
{
	uint32_t idx = SL_NEIGH_IDX(ref);

	if (!sl_neigh_in_use(t, idx) || (uint32_t)ref_of(t, idx) != ref)
		return -ENOENT;
	return (int)idx;
}

int
sl_neigh_find(const struct sl_neigh_table *t, uint16_t port, rte_be32_t ip)
{
	uint32_t i;

	/* control path; tables hold a few hundred next hops at most */
	for (i = 0; i < t->count; i++)
		if (t->meta[i].refs != 0 && !t->meta[i].v6 && t->meta[i].ip == ip &&
		    t->meta[i].port == port)
			return ref_of(t, i);
	return -ENOENT;
}

int
sl_neigh_find6(const struct sl_neigh_table *t, uint16_t port, const struct sl_in6 *ip)
{
	uint32_t i;

	for (i = 0; i < t->count; i++)
		if (t->meta[i].refs != 0 && t->meta[i].v6 &&
		    sl_in6_eq(&t->meta[i].ip6, ip) && t->meta[i].port == port)
			return ref_of(t, i);
	return -ENOENT;
}

static int neigh_new(struct sl_neigh_table *t, uint16_t port, rte_be32_t ip,
		     const struct sl_in6 *ip6);

int
sl_neigh_add(struct sl_neigh_table *t, uint16_t port, rte_be32_t ip)
{
	int ref = sl_neigh_find(t, port, ip);

	if (ref >= 0) {
		t->meta[SL_NEIGH_IDX(ref)].refs++;
		return ref;
	}
	return neigh_new(t, port, ip, NULL);
}

int
sl_neigh_add6(struct sl_neigh_table *t, uint16_t port, const struct sl_in6 *ip)
{
	int ref = sl_neigh_find6(t, port, ip);

	if (ref >= 0) {
		t->meta[SL_NEIGH_IDX(ref)].refs++;
		return ref;
	}
	return neigh_new(t, port, 0, ip);
}

/* A new entry for @p ip (IPv4) or @p ip6 (IPv6, when not NULL). */
static int
neigh_new(struct sl_neigh_table *t, uint16_t port, rte_be32_t ip,
	  const struct sl_in6 *ip6)
{
	uint32_t idx;
	uint16_t gen;

	if (t->free_head != SL_NEIGH_NONE) {
		/* the slot freed longest ago: a stale reference to it has
		 * had the most time to drain away */
		idx = t->free_head;
		t->free_head = t->meta[idx].next_free;
		if (t->free_head == SL_NEIGH_NONE)
			t->free_tail = SL_NEIGH_NONE;
	} else if (t->count < t->capacity) {
		idx = t->count;
	} else {
		return -ENOSPC;
	}
	gen = idx < t->count ? t->meta[idx].gen : 0;
	memset(&t->meta[idx], 0, sizeof(t->meta[idx]));
	t->meta[idx].gen = gen;
	t->meta[idx].ip = ip;
	if (ip6 != NULL) {
		t->meta[idx].v6 = 1;
		t->meta[idx].ip6 = *ip6;
	}
	t->meta[idx].port = port;
	t->meta[idx].refs = 1;
	t->meta[idx].next_free = SL_NEIGH_NONE;
	__atomic_store_n(&t->macw[idx], 0, __ATOMIC_RELAXED);
	/* release: the entry is complete before it is counted */
	if (idx == t->count)
		__atomic_store_n(&t->count, t->count + 1, __ATOMIC_RELEASE);
	t->live++;
	return ref_of(t, idx);
}

int
sl_neigh_ref(struct sl_neigh_table *t, uint32_t ref)
{
	int idx = sl_neigh_index(t, ref);

	if (idx < 0)
		return idx;
	t->meta[idx].refs++;
	return 0;
}

int
sl_neigh_unref(struct sl_neigh_table *t, uint32_t ref)
{
	int idx = sl_neigh_index(t, ref);
	struct sl_neigh_meta *nm;

	if (idx < 0)
		return idx;
	nm = &t->meta[idx];
	if (--nm->refs != 0)
		return 0;
	while (nm->n_held > 0) {
		rte_pktmbuf_free(nm->held[--nm->n_held]);
		t->released_drops++;
	}
	/* nobody reads it any more; cleared so that a stale index never
	 * yields the old MAC */
	__atomic_store_n(&t->macw[idx], 0, __ATOMIC_RELEASE);
	nm->ip = 0;
	nm->v6 = 0;
	memset(&nm->ip6, 0, sizeof(nm->ip6));
	nm->gen = (uint16_t)((nm->gen + 1) & SL_NEIGH_GEN_MASK);
	nm->next_free = SL_NEIGH_NONE;
	if (t->free_tail == SL_NEIGH_NONE)
		t->free_head = (uint32_t)idx;
	else
		t->meta[t->free_tail].next_free = (uint32_t)idx;
	t->free_tail = (uint32_t)idx;
	t->live--;
	return 0;
}

static int neigh_learn(struct sl_neigh_table *t, int ref,
		       const struct rte_ether_addr *mac, uint64_t now);

int
sl_neigh_learn(struct sl_neigh_table *t, uint16_t port, rte_be32_t ip,
	       const struct rte_ether_addr *mac, uint64_t now)
{
	return neigh_learn(t, sl_neigh_find(t, port, ip), mac, now);
}

int
sl_neigh_learn6(struct sl_neigh_table *t, uint16_t port, const struct sl_in6 *ip,
		const struct rte_ether_addr *mac, uint64_t now)
{
	return neigh_learn(t, sl_neigh_find6(t, port, ip), mac, now);
}

static int
neigh_learn(struct sl_neigh_table *t, int ref, const struct rte_ether_addr *mac,
	    uint64_t now)
{
	uint32_t idx;
	uint64_t w = 0;

	if (ref < 0)
		return ref;
	idx = SL_NEIGH_IDX(ref);
	memcpy(&w, mac, RTE_ETHER_ADDR_LEN);
	w |= SL_NEIGH_VALID;
	/* release: pairs with the acquire load in sl_neigh_mac() */
	__atomic_store_n(&t->macw[idx], w, __ATOMIC_RELEASE);
	t->meta[idx].updated = now;
	t->meta[idx].tries = 0;
	return ref;
}

int
sl_neigh_hold(struct sl_neigh_table *t, uint32_t ref, struct rte_mbuf *m)
{
	struct sl_neigh_meta *nm = &t->meta[SL_NEIGH_IDX(ref)];

	if (nm->n_held >= SL_NEIGH_HOLD)
		return -ENOSPC;
	nm->held[nm->n_held++] = m;
	return 0;
}

unsigned
sl_neigh_take_held(struct sl_neigh_table *t, uint32_t ref,
		   struct rte_mbuf **out, unsigned max)
{
	struct sl_neigh_meta *nm = &t->meta[SL_NEIGH_IDX(ref)];
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
	unsigned dropped = (unsigned)t->released_drops;
	uint32_t i;

	t->released_drops = 0;
	for (i = 0; i < t->count; i++) {
		struct sl_neigh_meta *nm = &t->meta[i];
		int valid;
		uint64_t age;

		/* a freed slot: nobody sends there any more */
		if (nm->refs == 0)
			continue;
		valid = (__atomic_load_n(&t->macw[i], __ATOMIC_RELAXED) &
			     SL_NEIGH_VALID) != 0;
		age = now - nm->updated;

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
		cb((uint32_t)ref_of(t, i), nm->port, nm->ip, arg);
	}
	return dropped;
}
