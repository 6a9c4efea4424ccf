/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Smooth weighted round robin (the interleaving nginx made popular):
 * every pick adds each backend's weight to its running score, picks the
 * highest score (first on ties) and subtracts the total weight from it.
 * Over any window of sum(weights) picks each backend gets exactly its
 * weight, spread out rather than in a burst: weights 5,1,1 give
 * a a b a c a a.
 *
 * The scores survive snapshot rebuilds with the same backends and
 * weights. When those changed the scores start again from 0: the window
 * property holds only from scores the current weights produced, and a
 * score frozen while its backend was drained or down would otherwise
 * hand that backend a burst when it comes back.
 */
#include <stdint.h>
#include <rte_common.h>

#include "sl_sched.h"

struct wrr_ws {
	int64_t score[0];
};

static size_t
wrr_ws_size(uint16_t n)
{
	return sizeof(int64_t) * (n ? n : 1);
}

static void
wrr_ws_init(void *ws, const struct sl_sched_svc *svc, unsigned worker)
{
	/* zeroed by the caller: every worker starts the same sequence */
}

static void
wrr_ws_carry(void *ws, const struct sl_sched_svc *svc, const void *prev_ws,
	     const struct sl_sched_svc *prev, int same)
{
	const struct wrr_ws *p = prev_ws;
	struct wrr_ws *s = ws;
	uint16_t i;

	RTE_SET_USED(prev);
	for (i = 0; same && i < svc->n; i++)
		s->score[i] = __atomic_load_n(&p->score[i], __ATOMIC_RELAXED);
}

static int
wrr_pick(const struct sl_sched_svc *svc, void *ws, uint32_t hash,
		const struct sl_obj_stats *stats)
{
	struct wrr_ws *s = ws;
	int64_t total = 0;
	int best = -1;
	uint16_t i;

	for (i = 0; i < svc->n; i++) {
		if (svc->weight[i] == 0)
			continue;
		/* atomic only for ws_carry's sake: a plain store on x86 */
		__atomic_store_n(&s->score[i], s->score[i] + svc->weight[i],
				 __ATOMIC_RELAXED);
		total += svc->weight[i];
		if (best < 0 || s->score[i] > s->score[best])
			best = i;
	}
	if (best >= 0)
		__atomic_store_n(&s->score[best], s->score[best] - total,
				 __ATOMIC_RELAXED);
	return best;
}

static struct sl_sched_ops sched_wrr = {
	.name = "wrr",
	.ws_size = wrr_ws_size,
	.ws_init = wrr_ws_init,
	.ws_carry = wrr_ws_carry,
	.pick = wrr_pick,
};

SL_SCHED_REGISTER(sched_wrr)
