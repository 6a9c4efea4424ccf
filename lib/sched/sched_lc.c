/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Least connections (lc) and weighted least connections (wlc): a new
 * connection goes to the backend with the fewest active connections
 * (wlc: per unit of weight), the first such backend on ties.
 *
 * "Active" is the calling worker's own count for the backend (created
 * minus expired on that worker, struct sl_obj_stats.conns_active), read
 * without any shared state: exact for the worker's connections, blind to
 * the other workers'. Sluice gives every client address to one worker,
 * so with many clients each worker balances a fair share and the totals
 * follow; with one worker it is exact.
 */
#include <rte_common.h>

#include "sl_sched.h"

static size_t
lc_ws_size(uint16_t n)
{
	return 8;
}

static __rte_always_inline int64_t
active(const struct sl_sched_svc *svc, const struct sl_obj_stats *stats, uint16_t i)
{
	int64_t a = stats != NULL ? stats[svc->slot[i]].conns_active : 0;

	return a > 0 ? a : 0;
}

/* The backend with the fewest active connections per unit of weight
 * (each weight counted as 1 unless @p weighted), first on ties. */
static __rte_always_inline int
least(const struct sl_sched_svc *svc, const struct sl_obj_stats *stats,
      int weighted)
{
	int64_t best_a = 0, best_w = 1;
	int best = -1;
	uint16_t i;

	for (i = 0; i < svc->n; i++) {
		int64_t a, w;

		if (svc->weight[i] == 0)
			continue;
		a = active(svc, stats, i);
		w = weighted ? (int64_t)svc->weight[i] : 1;
		/* a / w < best_a / best_w, without division */
		if (best < 0 || a * best_w < best_a * w) {
			best = i;
			best_a = a;
			best_w = w;
		}
	}
	return best;
}

static int
lc_pick(const struct sl_sched_svc *svc, void *ws, uint32_t hash,
	const struct sl_obj_stats *stats)
{
	return least(svc, stats, 0);
}

static int
wlc_pick(const struct sl_sched_svc *svc, void *ws, uint32_t hash,
	 const struct sl_obj_stats *stats)
{
	return least(svc, stats, 1);
}

/* the least loaded now: the next pick's, and a guess for the later ones
 * (the counts they change are not foreseen) */
static int
lc_peek(const struct sl_sched_svc *svc, const void *ws, uint32_t hash,
	unsigned ahead, const struct sl_obj_stats *stats)
{
	return least(svc, stats, 0);
}

static int
wlc_peek(const struct sl_sched_svc *svc, const void *ws, uint32_t hash,
	 unsigned ahead, const struct sl_obj_stats *stats)
{
	return least(svc, stats, 1);
}

static struct sl_sched_ops sched_lc = {
	.name = "lc",
	.ws_size = lc_ws_size,
	.pick = lc_pick,
	.peek = lc_peek,
};

static struct sl_sched_ops sched_wlc = {
	.name = "wlc",
	.ws_size = lc_ws_size,
	.pick = wlc_pick,
	.peek = wlc_peek,
};

SL_SCHED_REGISTER(sched_lc)
SL_SCHED_REGISTER(sched_wlc)
