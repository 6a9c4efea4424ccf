/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>

#include <rte_malloc.h>
#include <rte_byteorder.h>

#include "sl_svc.h"

static rte_be32_t
prefix_mask(uint8_t len)
{
	return rte_cpu_to_be_32(len == 0 ? 0 : ~0u << (32 - len));
}

int
sl_svc_route(const struct sl_snapshot *s, rte_be32_t dst, rte_be32_t *nexthop)
{
	unsigned i;

	for (i = 0; i < s->n_ports; i++) {
		if ((dst & s->ports[i].mask) == (s->ports[i].addr & s->ports[i].mask)) {
			*nexthop = dst;
			return (int)i;
		}
	}
	for (i = 0; i < s->n_ports; i++) {
		if (s->ports[i].gw != 0) {
			*nexthop = s->ports[i].gw;
			return (int)i;
		}
	}
	return -1;
}

uint64_t
sl_svc_ident_hash(const char *ident)
{
	uint64_t h = 0xcbf29ce484222325ULL;   /* FNV-1a, then a 64-bit mix */

	for (; *ident != '\0'; ident++) {
		h ^= (uint8_t)*ident;
		h *= 0x100000001b3ULL;
	}
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h;
}

void
sl_svc_free(struct sl_snapshot *s)
{
	unsigned i;

	if (s == NULL)
		return;
	if (s->services != NULL) {
		for (i = 0; i < s->n_services; i++) {
			struct sl_service *sv = &s->services[i];

			if (sv->sched != NULL && sv->sched->free != NULL &&
			    sv->ss.shared != NULL)
				sv->sched->free((void *)(uintptr_t)sv->ss.shared);
			rte_free((void *)(uintptr_t)sv->ss.weight);
			rte_free((void *)(uintptr_t)sv->ss.slot);
			rte_free((void *)(uintptr_t)sv->ss.ident);
			rte_free(sv->backends);
		}
	}
	if (s->ws != NULL)
		for (i = 0; i < s->n_workers; i++)
			rte_free(s->ws[i]);
	rte_free(s->ws);
	rte_free(s->by_slot);
	rte_free(s->services);
	rte_free(s->svc_tab);
	rte_free(s->vip_tab);
	rte_free(s);
}

static void
tab_insert(struct sl_snapshot *s, const struct sl_service *sv, uint32_t idx)
{
	uint64_t key = sl_svc_key(sv->vip, sv->port, sv->proto);
	uint32_t i = sl_svc_hash(key) & s->svc_mask;

	while (s->svc_tab[i].key != 0)
		i = (i + 1) & s->svc_mask;
	s->svc_tab[i].key = key;
	s->svc_tab[i].svc = idx;

	i = sl_svc_hash(sv->vip) & s->svc_mask;
	while (s->vip_tab[i] != 0 && s->vip_tab[i] != sv->vip)
		i = (i + 1) & s->svc_mask;
	s->vip_tab[i] = sv->vip;
}

struct sl_snapshot *
sl_svc_build(const struct sl_config *cfg, const struct sl_port_hw *hw,
	     struct sl_neigh_table *neigh, unsigned n_workers, uint64_t gen,
	     char *err, size_t errlen)
{
	struct sl_snapshot *s;
	size_t ws_size = 0;
	unsigned i, j, w, slot = 0;
	uint32_t tab = 4;

	s = rte_zmalloc("sl_snapshot", sizeof(*s), RTE_CACHE_LINE_SIZE);
	if (s == NULL)
		goto nomem;
	s->gen = gen;
	s->n_ports = cfg->n_ports;
	for (i = 0; i < cfg->n_ports; i++) {
		const struct sl_config_port *cp = &cfg->ports[i];
		struct sl_port_info *p = &s->ports[i];

		p->addr = rte_cpu_to_be_32(cp->addr);
		p->mask = prefix_mask(cp->prefix_len);
		p->gw = rte_cpu_to_be_32(cp->gateway);
		p->port_id = hw[i].port_id;
		p->mac = hw[i].mac;
		snprintf(p->name, sizeof(p->name), "%s", cp->name);
	}

	/* open addressing at most half full */
	while (tab < 2u * cfg->n_services + 2)
		tab <<= 1;
	s->svc_mask = tab - 1;
	s->svc_tab = rte_zmalloc("sl_svc_tab", tab * sizeof(*s->svc_tab), 0);
	s->vip_tab = rte_zmalloc("sl_vip_tab", tab * sizeof(*s->vip_tab), 0);
	s->services = rte_zmalloc("sl_services",
				  (cfg->n_services ? cfg->n_services : 1) *
				  sizeof(*s->services), RTE_CACHE_LINE_SIZE);
	s->n_workers = n_workers;
	s->ws = rte_zmalloc("sl_ws_ptrs", (n_workers ? n_workers : 1) * sizeof(*s->ws), 0);
	s->by_slot = rte_zmalloc("sl_by_slot", SL_MAX_BACKENDS * sizeof(*s->by_slot), 0);
	if (s->svc_tab == NULL || s->vip_tab == NULL || s->services == NULL ||
	    s->ws == NULL || s->by_slot == NULL)
		goto nomem;

	for (i = 0; i < cfg->n_services; i++) {
		const struct sl_config_service *cs = &cfg->services[i];
		struct sl_service *sv = &s->services[i];
		uint32_t *weights;
		uint16_t *slots;
		uint64_t *idents;
		rte_be32_t nh;
		int pi;

		s->n_services = (uint16_t)(i + 1);
		sv->vip = rte_cpu_to_be_32(cs->vip);
		sv->port = rte_cpu_to_be_16(cs->port);
		sv->proto = cs->proto;
		sv->mode = cs->mode;
		sv->id = (uint16_t)i;
		snprintf(sv->name, sizeof(sv->name), "%s", cs->name);
		sv->sched = sl_sched_find(cs->scheduler);
		if (sv->sched == NULL) {
			snprintf(err, errlen, "service %s: unknown scheduler '%s'",
				 cs->name, cs->scheduler);
			goto fail;
		}
		pi = sl_svc_route(s, sv->vip, &nh);
		sv->vip_port = pi < 0 ? 0 : (uint16_t)pi;
		sv->n_backends = cs->n_backends;
		sv->backends = rte_zmalloc("sl_backends",
					   cs->n_backends * sizeof(*sv->backends), 0);
		weights = rte_zmalloc("sl_weights", cs->n_backends * sizeof(*weights), 0);
		slots = rte_zmalloc("sl_slots", cs->n_backends * sizeof(*slots), 0);
		idents = rte_zmalloc("sl_idents", cs->n_backends * sizeof(*idents), 0);
		sv->ss.weight = weights;
		sv->ss.slot = slots;
		sv->ss.ident = idents;
		sv->ss.n = cs->n_backends;
		sv->ss.table_size = cs->maglev_table_size;
		sv->persist_s = cs->persistence;
		sv->hash_source = cs->hash_mode == SL_HASH_SOURCE ||
			(cs->hash_mode == SL_HASH_DEFAULT && strcmp(cs->scheduler, "sh") == 0);
		if (sv->backends == NULL || weights == NULL || slots == NULL || idents == NULL)
			goto nomem;
		for (j = 0; j < cs->n_backends; j++) {
			const struct sl_config_backend *cb = &cs->backends[j];
			struct sl_backend *be = &sv->backends[j];
			int ni;

			if (slot >= SL_MAX_BACKENDS) {
				snprintf(err, errlen, "more than %d backends in all",
					 SL_MAX_BACKENDS);
				goto fail;
			}
			be->addr = rte_cpu_to_be_32(cb->addr);
			be->port = rte_cpu_to_be_16(cb->port);
			be->slot = (uint16_t)slot++;
			s->by_slot[be->slot] = be;
			be->gen = (uint32_t)gen;
			be->svc = (uint16_t)i;
			be->index = (uint16_t)j;
			weights[j] = cb->weight;
			slots[j] = be->slot;
			if (cb->id[0] != '\0') {
				idents[j] = sl_svc_ident_hash(cb->id);
			} else {
				char id[32], a[INET_ADDRSTRLEN];

				inet_ntop(AF_INET, &be->addr, a, sizeof(a));
				snprintf(id, sizeof(id), "%s:%u", a, cb->port);
				idents[j] = sl_svc_ident_hash(id);
			}
			pi = sl_svc_route(s, be->addr, &nh);
			if (pi < 0) {
				char a[INET_ADDRSTRLEN];

				inet_ntop(AF_INET, &be->addr, a, sizeof(a));
				snprintf(err, errlen, "service %s: backend %s is unreachable",
					 cs->name, a);
				goto fail;
			}
			be->out_port = (uint16_t)pi;
			ni = sl_neigh_add(neigh, (uint16_t)pi, nh);
			if (ni < 0) {
				snprintf(err, errlen, "neighbour table full");
				goto fail;
			}
			be->neigh = (uint32_t)ni;
		}
		if (sv->sched->build != NULL) {
			sv->ss.shared = sv->sched->build(&sv->ss, SOCKET_ID_ANY);
			if (sv->ss.shared == NULL) {
				snprintf(err, errlen, "service %s: scheduler %s: %s",
					 cs->name, sv->sched->name, strerror(errno));
				goto fail;
			}
		}
		sv->ws_off = ws_size;
		ws_size += RTE_ALIGN_CEIL(sv->sched->ws_size(sv->n_backends), 8);
		tab_insert(s, sv, i);
	}

	for (w = 0; w < n_workers; w++) {
		/* each worker's block on its own cache lines */
		s->ws[w] = rte_zmalloc("sl_ws", ws_size ? ws_size : 8, RTE_CACHE_LINE_SIZE);
		if (s->ws[w] == NULL)
			goto nomem;
		for (i = 0; i < s->n_services; i++) {
			struct sl_service *sv = &s->services[i];

			if (sv->sched->ws_init != NULL)
				sv->sched->ws_init(s->ws[w] + sv->ws_off, &sv->ss, w);
		}
	}
	return s;

nomem:
	snprintf(err, errlen, "out of memory building the service snapshot");
fail:
	sl_svc_free(s);
	return NULL;
}

void
sl_svc_publish(struct sl_svc_ctl *ctl, struct sl_snapshot *next)
{
	struct sl_snapshot *old;

	/* release: the snapshot is complete before workers can load it */
	old = __atomic_exchange_n(&ctl->cur, next, __ATOMIC_RELEASE);
	if (old == NULL)
		return;
	if (ctl->qsv != NULL)
		rte_rcu_qsbr_synchronize(ctl->qsv, RTE_QSBR_THRID_INVALID);
	sl_svc_free(old);
}
