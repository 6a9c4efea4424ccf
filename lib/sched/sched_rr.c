/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Round robin: backends in turn, skipping those with weight 0. Each
 * worker keeps its own position; worker w starts at backend w so that
 * several workers do not all begin on backend 0.
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

static int
rr_pick(const struct sl_sched_svc *svc, void *ws, uint32_t hash,
		const struct sl_obj_stats *stats)
{
	struct rr_ws *s = ws;
	uint32_t i, idx;

	for (i = 0; i < svc->n; i++) {
		idx = s->next;
		s->next = idx + 1 == svc->n ? 0 : idx + 1;
		if (svc->weight[idx] != 0)
			return (int)idx;
	}
	return -1;
}

static struct sl_sched_ops sched_rr = {
	.name = "rr",
	.ws_size = rr_ws_size,
	.ws_init = rr_ws_init,
	.pick = rr_pick,
};

SL_SCHED_REGISTER(sched_rr)
