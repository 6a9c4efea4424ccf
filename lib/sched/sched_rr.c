/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Round robin: backends in turn, skipping those with weight 0. Each
 * worker keeps its own position; worker w starts at backend w so that
 * several workers do not all begin on backend 0.
 *
 * The position survives snapshot rebuilds: with the same backends it is
 * copied; when they changed, it moves to the backend that was next if
 * that one is still there (found by slot), else it stays at the same
 * index (modulo the new count).
 */
#include <rte_common.h>

#include "sl_sched.h"

struct rr_ws {
	uint32_t next;
};

static size_t
rr_ws_size(uint16_t n)
{
	return sizeof(struct rr_ws);
}

static void
rr_ws_init(void *ws, const struct sl_sched_svc *svc, unsigned worker)
{
	struct rr_ws *s = ws;

	s->next = svc->n ? worker % svc->n : 0;
}

static void
rr_ws_carry(void *ws, const struct sl_sched_svc *svc, const void *prev_ws,
	    const struct sl_sched_svc *prev, int same)
{
	const struct rr_ws *p = prev_ws;
	struct rr_ws *s = ws;
	uint32_t next = __atomic_load_n(&p->next, __ATOMIC_RELAXED);
	uint16_t i;

	if (svc->n == 0)
		return;
	if (!same && next < prev->n && prev->slot != NULL && svc->slot != NULL) {
		for (i = 0; i < svc->n; i++) {
			if (svc->slot[i] == prev->slot[next]) {
				s->next = i;
				return;
			}
		}
	}
	s->next = next % svc->n;
}

static int
rr_pick(const struct sl_sched_svc *svc, void *ws, uint32_t hash,
		const struct sl_obj_stats *stats)
{
	struct rr_ws *s = ws;
	uint32_t i, idx;

	for (i = 0; i < svc->n; i++) {
		idx = s->next;
		/* atomic only for ws_carry's sake: a plain store on x86 */
		__atomic_store_n(&s->next, idx + 1 == svc->n ? 0 : idx + 1,
				 __ATOMIC_RELAXED);
		if (svc->weight[idx] != 0)
			return (int)idx;
	}
	return -1;
}

/* exact while the backends in between take connections (weight > 0) */
static int
rr_peek(const struct sl_sched_svc *svc, const void *ws, uint32_t hash,
	unsigned ahead, const struct sl_obj_stats *stats)
{
	const struct rr_ws *s = ws;
	uint32_t idx;

	if (svc->n == 0)
		return -1;
	idx = s->next + ahead;
	if (idx >= svc->n)
		idx %= svc->n;
	return svc->weight[idx] != 0 ? (int)idx : -1;
}

static struct sl_sched_ops sched_rr = {
	.name = "rr",
	.ws_size = rr_ws_size,
	.ws_init = rr_ws_init,
	.ws_carry = rr_ws_carry,
	.pick = rr_pick,
	.peek = rr_peek,
};

SL_SCHED_REGISTER(sched_rr)
