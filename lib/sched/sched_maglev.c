/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Maglev consistent hashing (Eisenbud et al., NSDI 2016, section 3.4),
 * weighted.
 *
 * Every backend has a permutation of the M table positions derived from
 * the hash of its identity (its id= or "ADDR:PORT"), never from its place
 * in the file: offset = h mod M, skip = (h >> 32) mod (M - 1) + 1. Backends
 * take turns claiming their next free position until the table is full;
 * a backend of weight w gets w / max_weight turns per round, so its share
 * of the table follows its weight. Turns are taken in order of identity
 * hash, so the table is the same whatever order the backends are listed
 * in, and two Sluice instances with the same backends agree. Removing a
 * backend moves little more than that backend's own positions.
 *
 * The table is built by the management lcore with each snapshot and only
 * read by workers: pick is one modulo and one load.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_malloc.h>

#include "sl_sched.h"

#define MAGLEV_NONE UINT16_MAX

struct maglev_table {
	uint32_t m;
	uint16_t entry[];    /* backend index per position */
};

struct turn {
	uint64_t ident;
	uint16_t idx;
	uint32_t offset, skip, next;
	uint64_t credit;
};

static int
by_ident(const void *a, const void *b)
{
	const struct turn *x = a, *y = b;

	if (x->ident != y->ident)
		return x->ident < y->ident ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

static void
maglev_free(void *shared)
{
	rte_free(shared);
}

static void *
maglev_build(const struct sl_sched_svc *svc, int socket_id)
{
	uint32_t m = svc->table_size, filled = 0, i;
	struct maglev_table *t;
	struct turn *tu;
	uint64_t max_w = 0;
	uint16_t n = 0, b;

	if (m < 2 || svc->ident == NULL) {
		errno = EINVAL;
		return NULL;
	}
	t = rte_malloc_socket("sl_maglev", sizeof(*t) + (size_t)m * sizeof(uint16_t),
			      RTE_CACHE_LINE_SIZE, socket_id);
	tu = calloc(svc->n ? svc->n : 1, sizeof(*tu));
	if (t == NULL || tu == NULL) {
		rte_free(t);
		free(tu);
		errno = ENOMEM;
		return NULL;
	}
	t->m = m;
	for (i = 0; i < m; i++)
		t->entry[i] = MAGLEV_NONE;
	for (b = 0; b < svc->n; b++) {
		if (svc->weight[b] == 0)
			continue;
		tu[n].ident = svc->ident[b];
		tu[n].idx = b;
		tu[n].offset = (uint32_t)(svc->ident[b] % m);
		tu[n].skip = (uint32_t)((svc->ident[b] >> 32) % (m - 1)) + 1;
		tu[n].next = tu[n].offset;
		max_w = RTE_MAX(max_w, (uint64_t)svc->weight[b]);
		n++;
	}
	qsort(tu, n, sizeof(*tu), by_ident);
	while (n != 0 && filled < m) {
		for (b = 0; b < n && filled < m; b++) {
			struct turn *x = &tu[b];

			x->credit += svc->weight[x->idx];
			while (x->credit >= max_w && filled < m) {
				uint32_t next = x->next, skip = x->skip;

				x->credit -= max_w;
				/* the next position of this backend's
				 * permutation that nobody holds yet (in
				 * registers: the table's stores may not alias
				 * the turn for the compiler) */
				while (t->entry[next] != MAGLEV_NONE) {
					next += skip;
					next = next >= m ? next - m : next;
				}
				t->entry[next] = x->idx;
				x->next = next;
				filled++;
			}
		}
	}
	free(tu);
	return t;
}

static size_t
maglev_ws_size(uint16_t n)
{
	return 8;
}

static int
maglev_pick(const struct sl_sched_svc *svc, void *ws, uint32_t hash,
	    const struct sl_obj_stats *stats)
{
	const struct maglev_table *t = svc->shared;
	uint16_t e;

	if (t == NULL)
		return -1;
	e = t->entry[hash % t->m];
	return e == MAGLEV_NONE ? -1 : e;
}

/* the pick itself: a function of the hash alone */
static int
maglev_peek(const struct sl_sched_svc *svc, const void *ws, uint32_t hash,
	    unsigned ahead, const struct sl_obj_stats *stats)
{
	return maglev_pick(svc, NULL, hash, stats);
}

static struct sl_sched_ops sched_maglev = {
	.name = "maglev",
	.needs_hash = 1,
	.build = maglev_build,
	.free = maglev_free,
	.ws_size = maglev_ws_size,
	.pick = maglev_pick,
	.peek = maglev_peek,
};

SL_SCHED_REGISTER(sched_maglev)
