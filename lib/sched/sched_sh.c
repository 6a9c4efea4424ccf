/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Source hashing (sh): the connection's hash (by default of the client
 * address alone, so one client always reaches one backend) picks a
 * backend with probability proportional to its weight. The table is
 * rebuilt with every snapshot: unlike maglev, a change of backends moves
 * many clients.
 */
#include <errno.h>
#include <stdlib.h>

#include <rte_common.h>
#include <rte_malloc.h>

#include "sl_sched.h"

struct sh_table {
	uint16_t n;          /* backends with weight > 0 */
	uint64_t total;      /* sum of their weights */
	uint64_t *upto;      /* cumulative weight after each */
	uint16_t *idx;       /* their backend index */
};

static void
sh_free(void *shared)
{
	rte_free(shared);
}

static void *
sh_build(const struct sl_sched_svc *svc, int socket_id)
{
	struct sh_table *t;
	uint16_t i, k = 0;
	size_t sz = sizeof(*t) + svc->n * (sizeof(uint64_t) + sizeof(uint16_t));

	t = rte_zmalloc_socket("sl_sh", sz, RTE_CACHE_LINE_SIZE, socket_id);
	if (t == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	t->upto = (uint64_t *)(t + 1);
	t->idx = (uint16_t *)(t->upto + svc->n);
	for (i = 0; i < svc->n; i++) {
		if (svc->weight[i] == 0)
			continue;
		t->total += svc->weight[i];
		t->upto[k] = t->total;
		t->idx[k++] = i;
	}
	t->n = k;
	return t;
}

static size_t
sh_ws_size(uint16_t n)
{
	return 8;
}

static int
sh_pick(const struct sl_sched_svc *svc, void *ws, uint32_t hash,
	const struct sl_obj_stats *stats)
{
	const struct sh_table *t = svc->shared;
	uint64_t x;
	uint16_t lo = 0, hi;

	if (t == NULL || t->n == 0)
		return -1;
	/* a point in [0, total) from the hash, then the backend whose
	 * weight range holds it */
	x = (uint64_t)(((unsigned __int128)hash * t->total) >> 32);
	hi = t->n - 1;
	while (lo < hi) {
		uint16_t mid = (uint16_t)((lo + hi) / 2);

		if (x < t->upto[mid])
			hi = mid;
		else
			lo = (uint16_t)(mid + 1);
	}
	return t->idx[lo];
}

/* the pick itself: a function of the hash alone */
static int
sh_peek(const struct sl_sched_svc *svc, const void *ws, uint32_t hash,
	unsigned ahead, const struct sl_obj_stats *stats)
{
	return sh_pick(svc, NULL, hash, stats);
}

static struct sl_sched_ops sched_sh = {
	.name = "sh",
	.needs_hash = 1,
	.build = sh_build,
	.free = sh_free,
	.ws_size = sh_ws_size,
	.pick = sh_pick,
	.peek = sh_peek,
};

SL_SCHED_REGISTER(sched_sh)
