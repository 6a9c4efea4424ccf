/* SPDX-License-Identifier: BSD-3-Clause */
#include <string.h>
#include <stdio.h>

#include "sl_sched.h"

static struct sl_sched_ops *sched_list;
static char sched_names[256];

void
sl_sched_register(struct sl_sched_ops *ops)
{
	struct sl_sched_ops **pp = &sched_list;

	/* keep registration order stable: append */
	while (*pp != NULL)
		pp = &(*pp)->next;
	ops->next = NULL;
	*pp = ops;
	sched_names[0] = '\0';
}

const struct sl_sched_ops *
sl_sched_find(const char *name)
{
	const struct sl_sched_ops *o;

	for (o = sched_list; o != NULL; o = o->next)
		if (strcmp(o->name, name) == 0)
			return o;
	return NULL;
}

const char *
sl_sched_names(void)
{
	const struct sl_sched_ops *o;
	size_t len = 0;

	if (sched_names[0] != '\0')
		return sched_names;
	for (o = sched_list; o != NULL; o = o->next) {
		int n = snprintf(sched_names + len, sizeof(sched_names) - len,
				 "%s%s", len ? "|" : "", o->name);
		if (n < 0 || (size_t)n >= sizeof(sched_names) - len)
			break;
		len += n;
	}
	return sched_names;
}

/* The next usable backend after @p i, in index order, that is not full. */
static int
spill(const struct sl_sched_svc *svc, const struct sl_obj_stats *stats, uint16_t i)
{
	uint16_t k, j;

	for (k = 1; k < svc->n; k++) {
		j = (uint16_t)((i + k) % svc->n);
		if (svc->weight[j] != 0 && !sl_sched_full(svc, stats, j))
			return j;
	}
	return -1;
}

int
sl_sched_pick_limited(const struct sl_sched_svc *svc, void *ws, uint32_t hash,
		      const struct sl_obj_stats *stats)
{
	uint32_t weight[SL_SCHED_MAX_BACKENDS];
	struct sl_sched_svc masked;
	uint16_t i;
	int b;

	if (stats == NULL || svc->max_conns == NULL || svc->n > SL_SCHED_MAX_BACKENDS)
		return svc->ops->pick(svc, ws, hash, stats);
	if (svc->ops->needs_hash) {
		/* the tables were built from the weights: pick, then move on
		 * from a full backend */
		b = svc->ops->pick(svc, ws, hash, stats);
		if (b >= 0 && sl_sched_full(svc, stats, (uint16_t)b))
			b = spill(svc, stats, (uint16_t)b);
		return b;
	}
	/* weight 0 is how every other scheduler skips a backend (drained,
	 * down): a full one sits this pick out the same way */
	for (i = 0; i < svc->n; i++)
		weight[i] = sl_sched_full(svc, stats, i) ? 0 : svc->weight[i];
	masked = *svc;
	masked.weight = weight;
	return svc->ops->pick(&masked, ws, hash, stats);
}
