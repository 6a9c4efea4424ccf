/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <stddef.h>
#include <inttypes.h>
#include <arpa/inet.h>

#include <rte_malloc.h>
#include <rte_byteorder.h>
#include <rte_errno.h>
#include <rte_lpm.h>

#include "sl_svc.h"

_Static_assert(SL_MAX_SVC_BACKENDS <= SL_SCHED_MAX_BACKENDS,
	       "sl_sched_pick_limited() takes up to SL_SCHED_MAX_BACKENDS backends");

static rte_be32_t
prefix_mask(uint8_t len)
{
	return rte_cpu_to_be_32(len == 0 ? 0 : ~0u << (32 - len));
}

/* A backend's identity: its id=, else "ADDR:PORT" ("[ADDR]:PORT" for IPv6). */
static void
backend_ident(const struct sl_config_backend *cb, char *buf, size_t len)
{
	struct in_addr a = { .s_addr = rte_cpu_to_be_32(cb->addr) };
	char ip[INET6_ADDRSTRLEN];

	if (cb->id[0] != '\0') {
		snprintf(buf, len, "%s", cb->id);
		return;
	}
	if (cb->v6) {
		inet_ntop(AF_INET6, cb->addr6, ip, sizeof(ip));
		snprintf(buf, len, "[%s]:%u", ip, cb->port);
		return;
	}
	inet_ntop(AF_INET, &a, ip, sizeof(ip));
	snprintf(buf, len, "%s:%u", ip, cb->port);
}

const struct sl_service *
sl_svc_find(const struct sl_snapshot *s, const char *name)
{
	unsigned i;

	for (i = 0; name != NULL && i < s->n_services; i++)
		if (s->services[i].used && strcmp(s->services[i].name, name) == 0)
			return &s->services[i];
	return NULL;
}

int
sl_svc_route(const struct sl_snapshot *s, rte_be32_t dst, rte_be32_t *nexthop)
{
	const struct sl_route *r;
	uint32_t idx;

	if (s->lpm == NULL)
		return -1;
	if (rte_lpm_lookup(s->lpm->t, rte_be_to_cpu_32(dst), &idx) != 0) {
		if (s->default_route < 0)
			return -1;
		idx = (uint32_t)s->default_route;
	}
	r = &s->routes[idx];
	*nexthop = r->via != 0 ? r->via : dst;
	return r->port;
}

/* Whether the first @p len bits of @p a and @p b agree. */
static int
in6_prefix_eq(const struct sl_in6 *a, const struct sl_in6 *b, unsigned len)
{
	unsigned full = len / 8, rest = len % 8;

	if (memcmp(a->b, b->b, full) != 0)
		return 0;
	if (rest == 0)
		return 1;
	return ((a->b[full] ^ b->b[full]) & (uint8_t)(0xff << (8 - rest))) == 0;
}

int
sl_svc_route6(const struct sl_snapshot *s, const struct sl_in6 *dst,
	      struct sl_in6 *nexthop)
{
	const struct sl_route6 *best = NULL;
	unsigned i;

	/* strictly longer only: subnets come first in the table, so one
	 * wins over a route of the same length */
	for (i = 0; i < s->n_routes6; i++) {
		const struct sl_route6 *r = &s->routes6[i];

		if ((best == NULL || r->len > best->len) &&
		    in6_prefix_eq(&r->prefix, dst, r->len))
			best = r;
	}
	if (best == NULL)
		return -1;
	*nexthop = best->connected ? *dst : best->via;
	return best->port;
}

/* Add an IPv6 route unless its prefix is in the table already: the
 * first one given wins (connected subnets go first). */
static int
route6_add(struct sl_snapshot *s, const uint8_t prefix[16], uint8_t len,
	   const uint8_t *via, uint16_t port)
{
	struct sl_route6 *r;
	struct sl_in6 p;
	unsigned i, b;

	/* no host bits: a hand-built config may give a port's address */
	memset(&p, 0, sizeof(p));
	for (b = 0; b < 16 && 8 * b < len; b++)
		p.b[b] = prefix[b] & (uint8_t)(len >= 8 * (b + 1) ? 0xff :
					      0xff << (8 - (len - 8 * b)));
	for (i = 0; i < s->n_routes6; i++)
		if (s->routes6[i].len == len && sl_in6_eq(&s->routes6[i].prefix, &p))
			return 0;
	if (s->n_routes6 >= SL_MAX_ROUTES)
		return -ENOSPC;
	r = &s->routes6[s->n_routes6++];
	memset(r, 0, sizeof(*r));
	r->prefix = p;
	r->len = len;
	r->port = port;
	r->connected = via == NULL;
	if (via != NULL)
		memcpy(&r->via, via, sizeof(r->via));
	return 0;
}

/*
 * The IPv6 routes, as routes_build(): every port's IPv6 subnet, then its
 * IPv6 routes, then (for a config built by hand, without routes6) its
 * IPv6 gateway as the default route.
 */
static int
routes6_build(struct sl_snapshot *s, const struct sl_config *cfg, char *err,
	      size_t errlen)
{
	static const uint8_t any[16];
	unsigned i, k;
	int ret = 0;

	for (i = 0; i < cfg->n_ports && ret == 0; i++)
		if (cfg->ports[i].prefix6_len != 0)
			ret = route6_add(s, cfg->ports[i].addr6, cfg->ports[i].prefix6_len,
					 NULL, (uint16_t)i);
	for (i = 0; i < cfg->n_ports && ret == 0; i++) {
		const struct sl_config_port *cp = &cfg->ports[i];
		int has_default = 0;

		if (cp->prefix6_len == 0)
			continue;
		for (k = 0; k < cp->n_routes6 && ret == 0; k++) {
			const struct sl_config_route6 *r = &cp->routes6[k];

			has_default |= r->len == 0;
			ret = route6_add(s, r->prefix, r->len, r->via, (uint16_t)i);
		}
		if (ret == 0 && !has_default && memcmp(cp->gateway6, any, 16) != 0)
			ret = route6_add(s, any, 0, cp->gateway6, (uint16_t)i);
	}
	if (ret != 0)
		snprintf(err, errlen, "cannot fill the IPv6 route table: %s", strerror(-ret));
	return ret;
}

/* Add a route unless its prefix is in the table already: the first one
 * given wins (connected subnets go first). */
static int
route_add(struct sl_snapshot *s, uint32_t prefix, uint8_t len, uint32_t via,
	  uint16_t port)
{
	struct sl_route *r;
	unsigned i;

	for (i = 0; i < s->n_routes; i++)
		if (s->routes[i].len == len && s->routes[i].prefix == rte_cpu_to_be_32(prefix))
			return 0;
	if (s->n_routes >= SL_MAX_ROUTES)
		return -ENOSPC;
	r = &s->routes[s->n_routes];
	r->prefix = rte_cpu_to_be_32(prefix);
	r->len = len;
	r->via = rte_cpu_to_be_32(via);
	r->port = port;
	if (len == 0)
		s->default_route = s->n_routes;
	s->n_routes++;
	return 0;
}

static void
lpm_put(struct sl_lpm *l)
{
	if (l != NULL && --l->refs == 0) {
		rte_lpm_free(l->t);
		rte_free(l);
	}
}

/*
 * The route table of @p s's routes: @p prev's when they are the same,
 * else a new one. Names of rte_lpm tables are global to the process:
 * the name takes a count of tables ever made.
 */
static int
lpm_get(struct sl_snapshot *s, const struct sl_snapshot *prev, char *err,
	size_t errlen)
{
	static uint32_t made;
	struct rte_lpm_config lc = {
		.max_rules = SL_MAX_ROUTES,
		/* at most one tbl8 group per route longer than /24 */
		.number_tbl8s = SL_MAX_ROUTES,
	};
	char name[RTE_LPM_NAMESIZE];
	unsigned i;
	int ret;

	if (prev != NULL && prev->lpm != NULL && prev->n_routes == s->n_routes &&
	    prev->default_route == s->default_route &&
	    memcmp(prev->routes, s->routes, s->n_routes * sizeof(s->routes[0])) == 0) {
		s->lpm = prev->lpm;
		s->lpm->refs++;
		return 0;
	}
	s->lpm = rte_zmalloc("sl_lpm", sizeof(*s->lpm), 0);
	if (s->lpm == NULL) {
		snprintf(err, errlen, "out of memory building the route table");
		return -ENOMEM;
	}
	s->lpm->refs = 1;
	/* relaxed: only a distinct number is needed */
	snprintf(name, sizeof(name), "sl_rt_%u", __atomic_fetch_add(&made, 1, __ATOMIC_RELAXED));
	s->lpm->t = rte_lpm_create(name, SOCKET_ID_ANY, &lc);
	if (s->lpm->t == NULL) {
		snprintf(err, errlen, "cannot create the route table %s (rte_lpm, about 64 MB): %s",
			 name, rte_strerror(rte_errno));
		return -ENOMEM;
	}
	for (i = 0; i < s->n_routes; i++) {
		const struct sl_route *r = &s->routes[i];

		if (r->len == 0)
			continue;
		ret = rte_lpm_add(s->lpm->t, rte_be_to_cpu_32(r->prefix), r->len, i);
		if (ret != 0) {
			snprintf(err, errlen, "cannot fill the route table: %s", strerror(-ret));
			return ret;
		}
	}
	return 0;
}

/*
 * The snapshot's routes: every port's subnet, then its static routes,
 * then (for a config built by hand, without routes) its gateway as the
 * default route; then their longest-prefix table.
 */
static int
routes_build(struct sl_snapshot *s, const struct sl_config *cfg,
	     const struct sl_snapshot *prev, char *err, size_t errlen)
{
	unsigned i, k;
	int ret = 0;

	s->default_route = -1;
	for (i = 0; i < cfg->n_ports && ret == 0; i++) {
		const struct sl_config_port *cp = &cfg->ports[i];
		uint32_t mask = cp->prefix_len == 0 ? 0 : ~0u << (32 - cp->prefix_len);

		ret = route_add(s, cp->addr & mask, cp->prefix_len, 0, (uint16_t)i);
	}
	for (i = 0; i < cfg->n_ports && ret == 0; i++) {
		const struct sl_config_port *cp = &cfg->ports[i];
		int has_default = 0;

		for (k = 0; k < cp->n_routes && ret == 0; k++) {
			const struct sl_config_route *r = &cp->routes[k];

			has_default |= r->len == 0;
			ret = route_add(s, r->prefix, r->len, r->via, (uint16_t)i);
		}
		if (ret == 0 && cp->gateway != 0 && !has_default)
			ret = route_add(s, 0, 0, cp->gateway, (uint16_t)i);
	}
	if (ret != 0) {
		snprintf(err, errlen, "cannot fill the route table: %s", strerror(-ret));
		return ret;
	}
	return lpm_get(s, prev, err, errlen);
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
			rte_free((void *)(uintptr_t)sv->ss.max_conns);
			rte_free((void *)(uintptr_t)sv->acl_ranges);
			rte_free(sv->backends);
		}
	}
	/* no worker reads this snapshot any more: nor its next hops */
	for (i = 0; s->neigh_refs != NULL && i < s->n_neigh_refs; i++)
		sl_neigh_unref(s->neigh, s->neigh_refs[i]);
	rte_free(s->neigh_refs);
	if (s->ws != NULL)
		for (i = 0; i < s->n_workers; i++)
			rte_free(s->ws[i]);
	rte_free(s->ws);
	rte_free(s->by_slot);
	rte_free(s->services);
	rte_free(s->svc_tab);
	rte_free(s->vip_tab);
	rte_free(s->peer_tab);
	lpm_put(s->lpm);
	rte_free(s);
}

static void
peer_add(struct sl_snapshot *s, rte_be32_t a)
{
	uint32_t i = sl_svc_hash(a) & s->peer_mask;

	while (s->peer_tab[i] != 0 && s->peer_tab[i] != a)
		i = (i + 1) & s->peer_mask;
	s->peer_tab[i] = a;
}

/* The set of IPv4 peers (backends, gateways, routes' next hops, the VIPs
 * of dr/tunnel services) whose
 * packets to Sluice's own addresses have a slow-path budget of their own
 * (see sl_svc_is_peer()). */
static int
peers_build(struct sl_snapshot *s)
{
	uint32_t n = 2, tab = 4, i, j;

	for (i = 0; i < s->n_services; i++)
		if (s->services[i].used)
			n += s->services[i].n_backends;
	n += s->n_ports + s->n_routes + s->n_services;
	while (tab < 2 * n)
		tab <<= 1;
	s->peer_mask = tab - 1;
	s->peer_tab = rte_zmalloc("sl_peer_tab", tab * sizeof(*s->peer_tab), 0);
	if (s->peer_tab == NULL)
		return -ENOMEM;
	for (i = 0; i < s->n_services; i++) {
		const struct sl_service *sv = &s->services[i];

		for (j = 0; sv->used && j < sv->n_backends; j++)
			if (!sv->backends[j].v6 && sv->backends[j].addr != 0)
				peer_add(s, sv->backends[j].addr);
		/* dr/tunnel backends answer checks through the VIP from it */
		if (sv->used && !sv->v6 && SL_MODE_ONEWAY(sv->mode))
			peer_add(s, sv->vip);
	}
	for (i = 0; i < s->n_ports; i++)
		if (s->ports[i].gw != 0)
			peer_add(s, s->ports[i].gw);
	for (i = 0; i < s->n_routes; i++)
		if (s->routes[i].via != 0)
			peer_add(s, s->routes[i].via);
	return 0;
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

static int
acl_cmp(const void *a, const void *b)
{
	const struct sl_acl_range *x = a, *y = b;

	return x->lo < y->lo ? -1 : x->lo > y->lo;
}

/* Sort @p r and merge ranges that overlap or touch; returns the count. */
static unsigned
acl_merge(struct sl_acl_range *r, unsigned n)
{
	unsigned i, k = 0;

	if (n == 0)
		return 0;
	qsort(r, n, sizeof(*r), acl_cmp);
	for (i = 1; i < n; i++) {
		if (r[i].lo <= r[k].hi || r[i].lo - 1 == r[k].hi) {
			if (r[i].hi > r[k].hi)
				r[k].hi = r[i].hi;
		} else {
			r[++k] = r[i];
		}
	}
	return k + 1;
}

/*
 * The client addresses service @p cs admits, as sorted disjoint ranges:
 * the allowed prefixes (every address when none is given) minus the
 * denied ones, so deny wins over allow whatever the order in the file.
 * Returns 0 with @p sv->acl_ranges set (NULL, 0 ranges when everything
 * is denied), or -ENOMEM.
 */
static int
acl_build(const struct sl_config_service *cs, struct sl_service *sv)
{
	const unsigned __int128 top = cs->v6 ? ~(unsigned __int128)0 : UINT32_MAX;
	struct sl_acl_range *allow, *deny, *out;
	unsigned i, na = 0, nd = 0, a, d, n = 0;
	int ret = -ENOMEM;

	allow = calloc(cs->n_acl + 1, sizeof(*allow));
	deny = calloc(cs->n_acl + 1, sizeof(*deny));
	out = rte_zmalloc("sl_acl", (cs->n_acl + 1) * 2 * sizeof(*out), 0);
	if (allow == NULL || deny == NULL || out == NULL)
		goto done;
	for (i = 0; i < cs->n_acl; i++) {
		const struct sl_config_acl *e = &cs->acl[i];
		unsigned bits = cs->v6 ? 128 : 32;
		unsigned __int128 x = 0, host;
		unsigned k;

		for (k = cs->v6 ? 0 : 12; k < 16; k++)
			x = x << 8 | e->addr[k];
		host = e->len >= bits ? 0 : ((unsigned __int128)1 << (bits - e->len)) - 1;
		if (e->len == 0)
			host = top;
		if (e->deny)
			deny[nd++] = (struct sl_acl_range){ x, x | host };
		else
			allow[na++] = (struct sl_acl_range){ x, x | host };
	}
	if (na == 0)
		allow[na++] = (struct sl_acl_range){ 0, top };
	na = acl_merge(allow, na);
	nd = acl_merge(deny, nd);
	/* each allowed range, less the denied ranges over it */
	for (a = 0, d = 0; a < na; a++) {
		unsigned __int128 lo = allow[a].lo;
		int more = 1;

		while (d < nd && deny[d].hi < lo)
			d++;
		for (i = d; more && i < nd && deny[i].lo <= allow[a].hi; i++) {
			if (deny[i].lo > lo)
				out[n++] = (struct sl_acl_range){ lo, deny[i].lo - 1 };
			if (deny[i].hi >= allow[a].hi)
				more = 0;
			else
				lo = deny[i].hi + 1;
		}
		if (more)
			out[n++] = (struct sl_acl_range){ lo, allow[a].hi };
	}
	sv->acl = 1;
	sv->n_acl_ranges = (uint16_t)n;
	sv->acl_ranges = out;
	out = NULL;
	ret = 0;
done:
	free(allow);
	free(deny);
	rte_free(out);
	return ret;
}

/*
 * What a snapshot is built from: the config's services placed at their
 * stable ids (holes where an id is free), draining backends appended with
 * weight 0, and each backend's slot, generation and drain deadline.
 */
struct plan {
	struct sl_config cfg;
	uint8_t used[SL_MAX_SERVICES];
	uint16_t slot[SL_MAX_SERVICES][SL_MAX_SVC_BACKENDS];
	uint32_t gen[SL_MAX_SERVICES][SL_MAX_SVC_BACKENDS];
	uint32_t drain_until[SL_MAX_SERVICES][SL_MAX_SVC_BACKENDS];
	uint8_t flush[SL_MAX_SERVICES][SL_MAX_SVC_BACKENDS];
	uint8_t down[SL_MAX_SERVICES][SL_MAX_SVC_BACKENDS];
	uint8_t removed[SL_MAX_SERVICES][SL_MAX_SVC_BACKENDS];
	uint8_t leaving[SL_MAX_SERVICES];   /* gone from the file, draining */
	uint32_t max_timeout;               /* longest connection timeout */
};

/* Whether @p sv has the same backends as @p old (slot, generation and
 * weight, in the same order): then its scheduler state means the same. */
static int
same_backends(const struct sl_service *sv, const struct sl_service *old)
{
	unsigned j;

	if (sv->n_backends != old->n_backends)
		return 0;
	for (j = 0; j < sv->n_backends; j++)
		if (sv->backends[j].slot != old->backends[j].slot ||
		    sv->backends[j].gen != old->backends[j].gen ||
		    sv->ss.weight[j] != old->ss.weight[j])
			return 0;
	return 1;
}

/* Scheduler state of worker @p w for @p sv: fresh, then carried on from
 * the same service of @p prev if it had one with the same scheduler. */
static void
ws_setup(struct sl_snapshot *s, unsigned w, const struct sl_service *sv,
	 const struct sl_snapshot *prev)
{
	const struct sl_service *old = NULL;
	void *ws = s->ws[w] + sv->ws_off;

	if (sv->sched->ws_init != NULL)
		sv->sched->ws_init(ws, &sv->ss, w);
	if (prev != NULL && sv->id < prev->n_services && w < prev->n_workers)
		old = &prev->services[sv->id];
	if (old == NULL || !old->used || old->sched != sv->sched ||
	    sv->sched->ws_carry == NULL)
		return;
	sv->sched->ws_carry(ws, &sv->ss, sl_svc_ws(prev, w, old), &old->ss,
			    same_backends(sv, old));
}

/* Put @p a in the snapshot's set of local addresses. */
static void
local_tab_add(struct sl_snapshot *s, rte_be32_t a)
{
	uint32_t k = sl_svc_hash(a) & (SL_LOCAL_TAB - 1);

	while (s->local_tab[k] != 0 && s->local_tab[k] != a)
		k = (k + 1) & (SL_LOCAL_TAB - 1);
	if (s->local_tab[k] == 0) {
		s->local_tab[k] = a;
		s->n_local++;
	}
}

/* Whether @p a is a local address of a port of @p s (not retired). */
static int
local_in_use(const struct sl_snapshot *s, rte_be32_t a)
{
	unsigned i, j;

	for (i = 0; i < s->n_ports; i++)
		for (j = 0; j < s->ports[i].n_local; j++)
			if (s->ports[i].local[j] == a)
				return 1;
	return 0;
}

/*
 * Local addresses @p prev had and @p s has not are retired: replies to
 * them keep finding their connections (the address stays in the set,
 * ARP is answered) until @p drain seconds after their removal; no new
 * connection takes them. Retired ones of @p prev carry over until their
 * time is up or the file has them again.
 */
static void
retire_locals(struct sl_snapshot *s, const struct sl_snapshot *prev, uint32_t now_s,
	      uint32_t drain)
{
	unsigned i, j;

	if (prev == NULL)
		return;
	for (i = 0; i < prev->n_retired; i++) {
		if (prev->retired[i].until <= now_s || local_in_use(s, prev->retired[i].addr))
			continue;
		s->retired[s->n_retired++] = prev->retired[i];
	}
	for (i = 0; i < prev->n_ports; i++) {
		for (j = 0; j < prev->ports[i].n_local; j++) {
			rte_be32_t a = prev->ports[i].local[j];

			if (local_in_use(s, a) || s->n_retired >= RTE_DIM(s->retired))
				continue;
			s->retired[s->n_retired].addr = a;
			s->retired[s->n_retired].port = (uint16_t)i;
			s->retired[s->n_retired].until = now_s + drain;
			s->n_retired++;
		}
	}
	for (i = 0; i < s->n_retired; i++)
		local_tab_add(s, s->retired[i].addr);
}

static struct sl_snapshot *
build(const struct plan *pl, const struct sl_port_hw *hw,
      struct sl_neigh_table *neigh, unsigned n_workers, uint64_t gen,
      const struct sl_snapshot *prev, char *err, size_t errlen)
{
	const struct sl_config *cfg = &pl->cfg;
	struct sl_snapshot *s;
	size_t ws_size = 0;
	unsigned i, j, w, n_be = 0;
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
		sl_svc_port_mac(p, &hw[i].mac);
		p->kernel = cp->kernel_if[0] != '\0';
		if (cp->prefix6_len != 0) {
			p->has6 = 1;
			p->prefix6 = cp->prefix6_len;
			memcpy(&p->addr6, cp->addr6, sizeof(p->addr6));
			memcpy(&p->gw6, cp->gateway6, sizeof(p->gw6));
			p->has_gw6 = !sl_in6_zero(&p->gw6);
			s->any6 = 1;
			for (j = 0; j < cp->n_local6 && j < SL_MAX_LOCAL_ADDRS; j++)
				memcpy(&p->local6[p->n_local6++], cp->local6[j], 16);
			s->any_local6 |= p->n_local6 != 0;
		}
		snprintf(p->name, sizeof(p->name), "%s", cp->name);
		for (j = 0; j < cp->n_local && j < SL_MAX_LOCAL_ADDRS; j++) {
			rte_be32_t a = rte_cpu_to_be_32(cp->local_addrs[j]);

			p->local[p->n_local++] = a;
			local_tab_add(s, a);
		}
	}
	if (routes_build(s, cfg, prev, err, errlen) != 0 ||
	    routes6_build(s, cfg, err, errlen) != 0)
		goto fail;

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
	/* one neighbour reference per backend */
	for (i = 0; i < cfg->n_services; i++)
		if (pl->used[i])
			n_be += cfg->services[i].n_backends;
	s->neigh = neigh;
	s->neigh_refs = rte_malloc("sl_neigh_refs", (n_be ? n_be : 1) * sizeof(uint32_t), 0);
	if (s->svc_tab == NULL || s->vip_tab == NULL || s->services == NULL ||
	    s->ws == NULL || s->by_slot == NULL || s->neigh_refs == NULL)
		goto nomem;

	s->n_services = cfg->n_services;
	for (i = 0; i < cfg->n_services; i++) {
		const struct sl_config_service *cs = &cfg->services[i];
		struct sl_service *sv = &s->services[i];
		uint32_t *weights;
		uint16_t *slots;
		uint64_t *idents;
		rte_be32_t nh;
		int pi;

		if (!pl->used[i])
			continue;
		sv->used = 1;
		sv->drain_timeout = cs->drain_timeout;
		sv->vip = rte_cpu_to_be_32(cs->vip);
		sv->v6 = cs->v6;
		memcpy(&sv->vip6, cs->vip6, sizeof(sv->vip6));
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
		if (sv->v6) {
			struct sl_in6 nh6;

			pi = sl_svc_route6(s, &sv->vip6, &nh6);
		} else {
			pi = sl_svc_route(s, sv->vip, &nh);
		}
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
		sv->conn_rate = cs->conn_rate;
		sv->conn_burst = cs->conn_burst != 0 ? cs->conn_burst : cs->conn_rate;
		if (cs->n_acl != 0 && acl_build(cs, sv) < 0)
			goto nomem;
		for (j = 0; j < cs->n_backends; j++)
			if (cs->backends[j].max_conns != 0)
				break;
		if (j < cs->n_backends) {
			uint32_t *mc = rte_zmalloc("sl_max_conns",
						   cs->n_backends * sizeof(*mc), 0);
			uint32_t nw = n_workers ? n_workers : 1;

			if (mc == NULL)
				goto nomem;
			/* each worker holds its share, rounded up: a client
			 * address belongs to one worker, so the workers
			 * cannot borrow from each other */
			for (j = 0; j < cs->n_backends; j++)
				mc[j] = (uint32_t)(((uint64_t)cs->backends[j].max_conns +
						    nw - 1) / nw);
			sv->ss.max_conns = mc;
		}
		sv->pp = cs->proxy_protocol;
		sv->synproxy = cs->synproxy;
		sv->sp_threshold = cs->synproxy_threshold;
		sv->encap = cs->encap;
		sv->gue_port = rte_cpu_to_be_16(cs->gue_port);
		sv->check_backend = cs->check_backend;
		sv->stateless = SL_MODE_ONEWAY(sv->mode) && sv->sched->needs_hash;
		sv->hash_source = cs->hash_mode == SL_HASH_SOURCE ||
			(cs->hash_mode == SL_HASH_DEFAULT && strcmp(cs->scheduler, "sh") == 0);
		if (sv->backends == NULL || weights == NULL || slots == NULL || idents == NULL)
			goto nomem;
		for (j = 0; j < cs->n_backends; j++) {
			const struct sl_config_backend *cb = &cs->backends[j];
			struct sl_backend *be = &sv->backends[j];
			int ni;

			be->addr = rte_cpu_to_be_32(cb->addr);
			be->v6 = cb->v6;
			memcpy(&be->addr6, cb->addr6, sizeof(be->addr6));
			be->port = rte_cpu_to_be_16(cb->port);
			be->slot = pl->slot[i][j];
			s->by_slot[be->slot] = be;
			be->gen = pl->gen[i][j];
			be->svc = (uint16_t)i;
			be->index = (uint16_t)j;
			be->drain_until = pl->drain_until[i][j];
			be->flush = pl->flush[i][j];
			be->down = pl->down[i][j];
			be->removed = pl->removed[i][j];
			/* a draining or failed backend keeps its connections,
			 * takes no new ones */
			weights[j] = be->drain_until != 0 || be->down ? 0 : cb->weight;
			slots[j] = be->slot;
			{
				char id[SL_NAME_MAX + INET6_ADDRSTRLEN + 8];

				backend_ident(cb, id, sizeof(id));
				idents[j] = sl_svc_ident_hash(id);
			}
			if (be->v6) {
				struct sl_in6 nh6;
				char a[INET6_ADDRSTRLEN];

				pi = sl_svc_route6(s, &be->addr6, &nh6);
				if (pi < 0) {
					inet_ntop(AF_INET6, &be->addr6, a, sizeof(a));
					snprintf(err, errlen, "service %s: backend [%s] is unreachable",
						 cs->name, a);
					goto fail;
				}
				be->out_port = (uint16_t)pi;
				if (sv->mode == SL_MODE_TUNNEL && s->ports[pi].n_local6 > 0) {
					be->tun6_src = s->ports[pi].local6[be->slot %
									  s->ports[pi].n_local6];
					sl_nat_tun6_init(&be->tun, sv->encap, sv->gue_port);
				}
				ni = sl_neigh_add6(neigh, (uint16_t)pi, &nh6);
				if (ni < 0) {
					snprintf(err, errlen, "neighbour table full");
					goto fail;
				}
				be->neigh = (uint32_t)ni;
				s->neigh_refs[s->n_neigh_refs++] = (uint32_t)ni;
				continue;
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
			/* the outer source: a local address of the port that
			 * reaches it (the validator made sure there is one) */
			if (sv->mode == SL_MODE_TUNNEL && s->ports[pi].n_local > 0)
				sl_nat_tun_init(&be->tun, sv->encap,
						s->ports[pi].local[be->slot % s->ports[pi].n_local],
						be->addr, sv->gue_port);
			ni = sl_neigh_add(neigh, (uint16_t)pi, nh);
			if (ni < 0) {
				snprintf(err, errlen, "neighbour table full");
				goto fail;
			}
			be->neigh = (uint32_t)ni;
			s->neigh_refs[s->n_neigh_refs++] = (uint32_t)ni;
		}
		if (sv->sched->build != NULL) {
			sv->ss.shared = sv->sched->build(&sv->ss, SOCKET_ID_ANY);
			if (sv->ss.shared == NULL) {
				snprintf(err, errlen, "service %s: scheduler %s: %s",
					 cs->name, sv->sched->name, strerror(errno));
				goto fail;
			}
		}
		sv->ss.ops = sv->sched;
		sv->pick = sv->ss.max_conns != NULL ? sl_sched_pick_limited : sv->sched->pick;
		sv->limits = (sv->acl ? SL_SVC_LIMIT_ACL : 0) |
			     (sv->conn_rate != 0 ? SL_SVC_LIMIT_RATE : 0) |
			     (sv->persist_s != 0 ? SL_SVC_PERSIST : 0);
		sv->ws_off = ws_size;
		ws_size += RTE_ALIGN_CEIL(sv->sched->ws_size(sv->n_backends), 8);
		sv->leaving = pl->leaving[i];
		s->nat64 |= sv->v6 && sv->mode == SL_MODE_FULLNAT;
		if (!sv->leaving) {
			if (sv->v6)
				s->svc6[s->n_svc6++] = (uint16_t)i;
			else
				tab_insert(s, sv, i);
		}
	}
	/* a service gone from the file keeps its key only while no service
	 * of the file claims it (a rename): its flows need no lookup */
	for (i = 0; i < s->n_services; i++) {
		struct sl_service *sv = &s->services[i];

		if (sv->used && sv->leaving && !sv->v6 &&
		    sl_svc_lookup(s, sv->vip, sv->port, sv->proto) == NULL)
			tab_insert(s, sv, i);
		if (sv->used && sv->leaving && sv->v6 &&
		    sl_svc_lookup6(s, &sv->vip6, sv->port, sv->proto) == NULL)
			s->svc6[s->n_svc6++] = (uint16_t)i;
	}
	s->max_timeout = pl->max_timeout;
	if (peers_build(s) != 0)
		goto nomem;

	for (w = 0; w < n_workers; w++) {
		/* each worker's block on its own cache lines */
		s->ws[w] = rte_zmalloc("sl_ws", ws_size ? ws_size : 8, RTE_CACHE_LINE_SIZE);
		if (s->ws[w] == NULL)
			goto nomem;
		for (i = 0; i < s->n_services; i++)
			if (s->services[i].used)
				ws_setup(s, w, &s->services[i], prev);
	}
	return s;

nomem:
	snprintf(err, errlen, "out of memory building the service snapshot");
fail:
	sl_svc_free(s);
	return NULL;
}

static struct plan *
plan_new(const struct sl_config *cfg)
{
	struct plan *pl = calloc(1, sizeof(*pl));

	if (pl == NULL)
		return NULL;
	/* ports, [eal] and [global] as they are; services placed by id */
	memcpy(&pl->cfg, cfg, offsetof(struct sl_config, n_services));
	return pl;
}



struct sl_snapshot *
sl_svc_build(const struct sl_config *cfg, const struct sl_port_hw *hw,
	     struct sl_neigh_table *neigh, unsigned n_workers, uint64_t gen,
	     char *err, size_t errlen)
{
	struct sl_snapshot *s;
	struct plan *pl = plan_new(cfg);
	unsigned i, j, slot = 0;

	if (pl == NULL) {
		snprintf(err, errlen, "out of memory building the service snapshot");
		return NULL;
	}
	/* no history: ids in file order, every backend a fresh slot */
	for (i = 0; i < cfg->n_services; i++) {
		pl->cfg.services[i] = cfg->services[i];
		pl->used[i] = 1;
		for (j = 0; j < cfg->services[i].n_backends; j++) {
			if (slot >= SL_MAX_BACKENDS) {
				snprintf(err, errlen, "more than %d backends in all",
					 SL_MAX_BACKENDS);
				free(pl);
				return NULL;
			}
			pl->slot[i][j] = (uint16_t)slot++;
			pl->gen[i][j] = (uint32_t)gen;
			pl->drain_until[i][j] = cfg->services[i].backends[j].drain ? UINT32_MAX : 0;
		}
	}
	pl->cfg.n_services = cfg->n_services;
	s = build(pl, hw, neigh, n_workers, gen, NULL, err, errlen);
	free(pl);
	return s;
}

struct sl_svc_ids {
	struct {
		uint8_t used;
		uint8_t down;          /* failed its health checks */
		uint8_t fresh;         /* handed out, not yet reported new */
		uint32_t gen;
		char svc[SL_NAME_MAX];
		char ident[48];
	} be[SL_MAX_BACKENDS];
	struct {
		uint8_t used;
		uint8_t fresh;         /* handed out, not yet reported new */
		char name[SL_NAME_MAX];
	} svc[SL_MAX_SERVICES];
	uint32_t gen;          /* last generation handed out */
	uint32_t next_slot;    /* where the search for a free slot starts */
};

void
sl_svc_ids_set_down(struct sl_svc_ids *ids, uint16_t slot, int down)
{
	if (slot < SL_MAX_BACKENDS)
		ids->be[slot].down = down != 0;
}

struct sl_svc_ids *
sl_svc_ids_create(void)
{
	return calloc(1, sizeof(struct sl_svc_ids));
}

void
sl_svc_ids_free(struct sl_svc_ids *ids)
{
	free(ids);
}

static int
svc_id(struct sl_svc_ids *ids, const char *name)
{
	int i, free_id = -1;

	for (i = 0; i < SL_MAX_SERVICES; i++) {
		if (ids->svc[i].used && strcmp(ids->svc[i].name, name) == 0)
			return i;
		if (!ids->svc[i].used && free_id < 0)
			free_id = i;
	}
	if (free_id >= 0) {
		ids->svc[free_id].used = 1;
		ids->svc[free_id].fresh = 1;
		snprintf(ids->svc[free_id].name, SL_NAME_MAX, "%s", name);
	}
	return free_id;
}

/* Slot of backend @p ident of service @p svc, allocated if new. Slots
 * are handed out round robin, so a freed slot is reused as late as
 * possible; a reused slot gets a new generation. */
static int
be_slot(struct sl_svc_ids *ids, const char *svc, const char *ident)
{
	uint32_t i, k;

	for (i = 0; i < SL_MAX_BACKENDS; i++)
		if (ids->be[i].used && strcmp(ids->be[i].svc, svc) == 0 &&
		    strcmp(ids->be[i].ident, ident) == 0)
			return (int)i;
	for (k = 0; k < SL_MAX_BACKENDS; k++) {
		i = (ids->next_slot + k) % SL_MAX_BACKENDS;
		if (ids->be[i].used)
			continue;
		ids->be[i].used = 1;
		ids->be[i].down = 0;
		ids->be[i].fresh = 1;
		ids->be[i].gen = ++ids->gen;
		snprintf(ids->be[i].svc, SL_NAME_MAX, "%s", svc);
		snprintf(ids->be[i].ident, sizeof(ids->be[i].ident), "%s", ident);
		ids->next_slot = (i + 1) % SL_MAX_BACKENDS;
		return (int)i;
	}
	return -1;
}

/* A service of @p prev as a config service, to keep draining it. */
static void
svc_from_snapshot(const struct sl_service *sv, struct sl_config_service *cs)
{
	memset(cs, 0, sizeof(*cs));
	snprintf(cs->name, sizeof(cs->name), "%s", sv->name);
	cs->vip = rte_be_to_cpu_32(sv->vip);
	cs->v6 = sv->v6;
	memcpy(cs->vip6, &sv->vip6, sizeof(cs->vip6));
	cs->port = rte_be_to_cpu_16(sv->port);
	cs->proto = sv->proto;
	cs->mode = sv->mode;
	snprintf(cs->scheduler, sizeof(cs->scheduler), "%s", sv->sched->name);
	cs->maglev_table_size = sv->ss.table_size;
	cs->hash_mode = sv->hash_source ? SL_HASH_SOURCE : SL_HASH_5TUPLE;
	cs->persistence = sv->persist_s;
	cs->proxy_protocol = sv->pp;
	cs->synproxy = sv->synproxy;
	cs->synproxy_threshold = sv->sp_threshold;
	cs->encap = sv->encap;
	cs->gue_port = rte_be_to_cpu_16(sv->gue_port);
	cs->check_backend = sv->check_backend;
	cs->drain_timeout = sv->drain_timeout;
}

int
sl_svc_drain_due(const struct sl_snapshot *s, uint32_t now_s)
{
	unsigned i, j;

	for (i = 0; i < s->n_retired; i++)
		if (s->retired[i].until <= now_s)
			return 1;

	for (i = 0; i < s->n_services; i++) {
		const struct sl_service *sv = &s->services[i];

		for (j = 0; sv->used && j < sv->n_backends; j++) {
			const struct sl_backend *be = &sv->backends[j];

			if (be->drain_until != 0 && !be->flush && be->drain_until <= now_s)
				return 1;
			/* a removed backend past its deadline and every timeout */
			if (be->removed && be->flush && be->drain_until != UINT32_MAX &&
			    (uint64_t)be->drain_until + s->max_timeout <= now_s)
				return 1;
		}
	}
	return 0;
}

struct sl_snapshot *
sl_svc_rebuild(const struct sl_config *cfg, const struct sl_port_hw *hw,
	       struct sl_neigh_table *neigh, unsigned n_workers,
	       struct sl_svc_ids *ids, const struct sl_snapshot *prev,
	       uint32_t now_s, struct sl_svc_change *chg, char *err, size_t errlen)
{
	struct sl_snapshot *s = NULL;
	struct plan *pl = plan_new(cfg);
	uint8_t keep_svc[SL_MAX_SERVICES] = { 0 };
	uint8_t keep_be[SL_MAX_BACKENDS] = { 0 };
	unsigned i, j, top = 0;
	uint32_t max_timeout = 0;
	char ident[48];

	memset(chg, 0, sizeof(*chg));
	for (i = 0; i < SL_CS_MAX; i++)
		max_timeout = RTE_MAX(max_timeout, cfg->global.timeouts[i]);
	if (pl == NULL) {
		snprintf(err, errlen, "out of memory building the service snapshot");
		return NULL;
	}
	for (i = 0; i < cfg->n_services; i++) {
		const struct sl_config_service *cs = &cfg->services[i];
		int id = svc_id(ids, cs->name);

		if (id < 0) {
			snprintf(err, errlen, "no service id left for [service.%s]", cs->name);
			goto out;
		}
		if (prev == NULL || id >= prev->n_services || !prev->services[id].used)
			chg->svc_added++;
		pl->cfg.services[id] = *cs;
		pl->used[id] = 1;
		keep_svc[id] = 1;
		top = RTE_MAX(top, (unsigned)id + 1);
		for (j = 0; j < cs->n_backends; j++) {
			const struct sl_backend *old;
			int slot;

			backend_ident(&cs->backends[j], ident, sizeof(ident));
			slot = be_slot(ids, cs->name, ident);
			if (slot < 0) {
				snprintf(err, errlen, "more than %d backends in all", SL_MAX_BACKENDS);
				goto out;
			}
			keep_be[slot] = 1;
			pl->slot[id][j] = (uint16_t)slot;
			pl->gen[id][j] = ids->be[slot].gen;
			pl->down[id][j] = ids->be[slot].down;
			old = prev != NULL ? prev->by_slot[slot] : NULL;
			if (old != NULL && old->gen != ids->be[slot].gen)
				old = NULL;
			if (old == NULL)
				chg->be_added++;
			if (!cs->backends[j].drain) {
				pl->drain_until[id][j] = 0;
			} else {
				/* draining already: keep its deadline (never 0,
				 * which means active) */
				uint32_t raw = old != NULL && old->drain_until != 0 ?
					old->drain_until : now_s + cs->drain_timeout;

				pl->drain_until[id][j] = RTE_MAX(raw, 1u);
				pl->flush[id][j] = raw <= now_s;
				chg->be_draining++;
			}
		}
	}
	/* backends (and services) gone from the file drain until their deadline */
	for (i = 0; prev != NULL && i < prev->n_services; i++) {
		const struct sl_service *sv = &prev->services[i];

		if (!sv->used)
			continue;
		if (!keep_svc[i] && !sv->leaving)
			chg->svc_removed++;
		for (j = 0; j < sv->n_backends; j++) {
			const struct sl_backend *be = &sv->backends[j];
			struct sl_config_service *cs = &pl->cfg.services[i];
			uint32_t until, raw;

			if (keep_be[be->slot])
				continue;
			raw = be->drain_until != 0 ? be->drain_until : now_s + sv->drain_timeout;
			until = RTE_MAX(raw, 1u);
			if (!be->removed)
				chg->be_removed++;
			/* past its deadline it stays as a flush entry, so workers
			 * can reset its connections, for as long as any of them
			 * can live without a packet; then it goes */
			if (until != UINT32_MAX && (uint64_t)until + max_timeout <= now_s) {
				chg->be_expired++;
				continue;
			}
			if (!pl->used[i]) {
				svc_from_snapshot(sv, cs);
				pl->leaving[i] = 1;
				pl->used[i] = 1;
				keep_svc[i] = 1;
				top = RTE_MAX(top, i + 1);
			}
			if (cs->n_backends >= SL_MAX_SVC_BACKENDS) {
				snprintf(err, errlen, "[service.%s]: more than %d backends with those draining",
					 cs->name, SL_MAX_SVC_BACKENDS);
				goto out;
			}
			cs->backends[cs->n_backends] = (struct sl_config_backend){
				.addr = rte_be_to_cpu_32(be->addr),
				.v6 = be->v6,
				.port = rte_be_to_cpu_16(be->port),
				.weight = 1,
			};
			memcpy(cs->backends[cs->n_backends].addr6, &be->addr6,
			       sizeof(be->addr6));
			pl->slot[i][cs->n_backends] = be->slot;
			pl->gen[i][cs->n_backends] = be->gen;
			pl->drain_until[i][cs->n_backends] = until;
			pl->flush[i][cs->n_backends] = raw <= now_s;
			pl->removed[i][cs->n_backends] = 1;
			cs->n_backends++;
			keep_be[be->slot] = 1;
			chg->be_draining++;
		}
	}
	pl->cfg.n_services = (uint16_t)top;
	pl->max_timeout = max_timeout;
	s = build(pl, hw, neigh, n_workers, prev != NULL ? prev->gen + 1 : 1, prev,
		  err, errlen);
	if (s == NULL)
		goto out;
	{
		/* a removed local address drains as a removed backend does */
		uint32_t drain = 0;

		for (i = 0; i < cfg->n_services; i++)
			drain = RTE_MAX(drain, cfg->services[i].drain_timeout);
		retire_locals(s, prev, now_s, drain);
	}
	/* forget what is neither in the file nor draining: its slot and id
	 * may be handed out again (with a new generation) */
	for (i = 0; i < SL_MAX_BACKENDS; i++)
		if (ids->be[i].used && !keep_be[i])
			ids->be[i].used = 0;
	for (i = 0; i < SL_MAX_SERVICES; i++)
		if (ids->svc[i].used && !keep_svc[i])
			ids->svc[i].used = 0;
	/* reported once, by the rebuild that publishes them first (a
	 * refused one may have handed them out already) */
	for (i = 0; i < SL_MAX_BACKENDS; i++) {
		chg->be_new[i] = ids->be[i].fresh;
		ids->be[i].fresh = 0;
	}
	for (i = 0; i < SL_MAX_SERVICES; i++) {
		chg->svc_new[i] = ids->svc[i].fresh;
		ids->svc[i].fresh = 0;
	}
out:
	free(pl);
	return s;
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
