/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>

#include <rte_errno.h>
#include <rte_malloc.h>

#include "sl_persist.h"

struct sl_persist *
sl_persist_create(uint32_t entries, int socket_id)
{
	struct sl_persist *p;
	uint32_t buckets = rte_align32pow2(RTE_MAX((entries + SL_PERSIST_WAYS - 1) / SL_PERSIST_WAYS, 1u));

	p = rte_zmalloc_socket("sl_persist", sizeof(*p), 0, socket_id);
	if (p == NULL)
		goto err;
	p->mask = buckets - 1;
	p->e = rte_zmalloc_socket("sl_persist_e", (size_t)buckets * SL_PERSIST_WAYS *
				  sizeof(*p->e), RTE_CACHE_LINE_SIZE, socket_id);
	if (p->e == NULL)
		goto err;
	return p;
err:
	sl_persist_free(p);
	rte_errno = ENOMEM;
	return NULL;
}

void
sl_persist_free(struct sl_persist *p)
{
	if (p == NULL)
		return;
	rte_free(p->e);
	rte_free(p);
}

static inline struct sl_persist_entry *
bucket(struct sl_persist *p, uint16_t svc, rte_be32_t cip)
{
	uint32_t h = (cip ^ ((uint32_t)svc << 16 | svc)) * 0x9e3779b1u;

	h ^= h >> 15;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	return &p->e[(size_t)(h & p->mask) * SL_PERSIST_WAYS];
}

int
sl_persist_lookup(struct sl_persist *p, uint16_t svc, rte_be32_t cip,
		  uint64_t now, uint16_t *slot, uint32_t *gen)
{
	struct sl_persist_entry *b = bucket(p, svc, cip);
	unsigned i;

	for (i = 0; i < SL_PERSIST_WAYS; i++) {
		if (b[i].cip == cip && b[i].svc == svc && b[i].expire != 0) {
			if (b[i].expire <= now)
				return 0;
			*slot = b[i].slot;
			*gen = b[i].gen;
			return 1;
		}
	}
	return 0;
}

void
sl_persist_set(struct sl_persist *p, uint16_t svc, rte_be32_t cip,
	       uint16_t slot, uint32_t gen, uint64_t expire)
{
	struct sl_persist_entry *b = bucket(p, svc, cip), *v = NULL;
	unsigned i;

	for (i = 0; i < SL_PERSIST_WAYS; i++) {
		if (b[i].cip == cip && b[i].svc == svc && b[i].expire != 0) {
			v = &b[i];
			break;
		}
		/* otherwise the entry nearest its end (free ones are 0) */
		if (v == NULL || b[i].expire < v->expire)
			v = &b[i];
	}
	v->cip = cip;
	v->svc = svc;
	v->slot = slot;
	v->gen = gen;
	v->expire = expire;
}

void
sl_persist_del(struct sl_persist *p, uint16_t svc, rte_be32_t cip)
{
	struct sl_persist_entry *b = bucket(p, svc, cip);
	unsigned i;

	for (i = 0; i < SL_PERSIST_WAYS; i++)
		if (b[i].cip == cip && b[i].svc == svc)
			b[i].expire = 0;
}
