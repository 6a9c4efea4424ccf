/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IPv4 connection table (sl_flow.h): the index, pool and wheel of
 * conn_table.h over struct sl_conn, one cache line with the wheel's
 * links in it, and 16-byte keys.
 */
#include <string.h>
#include <netinet/in.h>

#include <rte_tcp.h>

#include "sl_flow.h"

#define CT_KEY   struct sl_flow_key
#define CT_REC   struct sl_conn
#define CT_TABLE sl_flow_table

static __rte_always_inline void
ct_key_of(const struct sl_conn *c, int dir, struct sl_flow_key *k)
{
	memset(k, 0, sizeof(*k));
	if (dir == SL_DIR_ORIG) {
		k->src = c->cip;
		k->dst = c->vip;
		k->sport = c->cport;
		k->dport = c->vport;
	} else {
		k->src = c->bip;
		k->dst = c->lip;
		k->sport = c->bport;
		k->dport = c->lport;
	}
	k->proto = c->proto;
}

/* Whether @p k is the key of record @p c in direction @p dir: the
 * fields compared where they are, the protocol first (5 instructions a
 * packet fewer than a key made and compared whole) */
static __rte_always_inline int
ct_key_is(const struct sl_conn *c, int dir, const struct sl_flow_key *k)
{
	if (k->proto != c->proto)
		return 0;
	if (dir == SL_DIR_ORIG)
		return k->src == c->cip && k->dst == c->vip &&
		       k->sport == c->cport && k->dport == c->vport;
	return k->src == c->bip && k->dst == c->lip &&
	       k->sport == c->bport && k->dport == c->lport;
}

/* the hash reads a key through sl_flow_key_word() */
#define ct_key_word sl_flow_key_word

/* lip 0: a one-direction connection, no reply key */
static __rte_always_inline int
ct_two_way(const struct sl_conn *c)
{
	return c->lip != 0;
}

#include "conn_table.h"

_Static_assert(sizeof(struct sl_conn) == RTE_CACHE_LINE_SIZE,
	       "a connection record is one cache line");
/* the client's MAC is read with the two bytes after it (from_backend()) */
_Static_assert(offsetof(struct sl_conn, cmac) + 8 <= sizeof(struct sl_conn),
	       "eight bytes from cmac stay in the record");

struct sl_flow_table *
sl_flow_create(const struct sl_flow_params *p)
{
	return ct_table_create(p);
}

void
sl_flow_free(struct sl_flow_table *t)
{
	ct_table_free(t);
}

struct sl_conn *
sl_flow_lookup(struct sl_flow_table *t, const struct sl_flow_key *k, int *dir)
{
	return ct_lookup(t, k, dir);
}

void
sl_flow_prefetch_add(const struct sl_flow_table *t, const struct sl_flow_key *kr,
		     unsigned ahead)
{
	ct_prefetch_add(t, kr, ahead);
}

int
sl_flow_lookup_bulk(struct sl_flow_table *t, const struct sl_flow_key **keys,
		    unsigned n, struct sl_conn **conns, int *dirs)
{
	return ct_lookup_bulk(t, keys, n, conns, dirs);
}

static __rte_always_inline struct sl_conn *
flow_add(struct sl_flow_table *t, rte_be32_t cip, rte_be16_t cport,
	 rte_be32_t vip, rte_be16_t vport, rte_be32_t bip, rte_be16_t bport,
	 rte_be32_t lip, rte_be16_t lport, uint8_t proto, uint64_t now, int check_orig)
{
	struct sl_conn *c;

	if (unlikely(t->n_free == 0))
		return NULL;
	c = &t->conns[t->free_stack[t->n_free - 1]];
	memset(c, 0, sizeof(*c));
	c->cip = cip;
	c->cport = cport;
	c->vip = vip;
	c->vport = vport;
	c->bip = bip;
	c->bport = bport;
	c->lip = lip;
	c->lport = lport;
	c->proto = proto;
	c->state = proto == IPPROTO_TCP ? SL_CS_SYN_SENT : SL_CS_UDP;
	/* in NAT mode the keys are unique (the client endpoint is in both),
	 * but the add checks rather than corrupt a mapping */
	if (unlikely(ct_add(t, c, check_orig, now) != 0)) {
		c->state = SL_CS_NONE;
		return NULL;
	}
	return c;
}

struct sl_conn *
sl_flow_add(struct sl_flow_table *t, rte_be32_t cip, rte_be16_t cport,
	    rte_be32_t vip, rte_be16_t vport, rte_be32_t bip, rte_be16_t bport,
	    uint8_t proto, uint64_t now)
{
	return flow_add(t, cip, cport, vip, vport, bip, bport, cip, cport, proto, now, 1);
}

struct sl_conn *
sl_flow_add_new(struct sl_flow_table *t, rte_be32_t cip, rte_be16_t cport,
		rte_be32_t vip, rte_be16_t vport, rte_be32_t bip, rte_be16_t bport,
		uint8_t proto, uint64_t now)
{
	return flow_add(t, cip, cport, vip, vport, bip, bport, cip, cport, proto, now, 0);
}

struct sl_conn *
sl_flow_add_oneway(struct sl_flow_table *t, rte_be32_t cip, rte_be16_t cport,
		   rte_be32_t vip, rte_be16_t vport, rte_be32_t bip, rte_be16_t bport,
		   uint8_t proto, uint64_t now)
{
	return flow_add(t, cip, cport, vip, vport, bip, bport, 0, 0, proto, now, 0);
}

struct sl_conn *
sl_flow_add_local(struct sl_flow_table *t, rte_be32_t cip, rte_be16_t cport,
		  rte_be32_t vip, rte_be16_t vport, rte_be32_t bip, rte_be16_t bport,
		  rte_be32_t lip, rte_be16_t lport, uint8_t proto, uint64_t now)
{
	return flow_add(t, cip, cport, vip, vport, bip, bport, lip, lport, proto, now, 0);
}

void
sl_flow_refile(struct sl_flow_table *t, struct sl_conn *c, uint64_t deadline)
{
	ct_refile(t, c, deadline);
}

void
sl_flow_del(struct sl_flow_table *t, struct sl_conn *c)
{
	wheel_unlink(t, conn_idx(t, c));
	conn_release(t, c);
}

unsigned
sl_flow_expire(struct sl_flow_table *t, uint64_t now, unsigned budget,
	       sl_flow_expire_cb cb, void *arg)
{
	return ct_expire(t, now, budget, cb, arg);
}

uint32_t
sl_flow_index(const struct sl_flow_table *t, const struct sl_conn *c)
{
	return conn_idx(t, c);
}

struct sl_conn *
sl_flow_at(struct sl_flow_table *t, uint32_t idx)
{
	return &t->conns[idx];
}

uint32_t
sl_flow_count(const struct sl_flow_table *t)
{
	return t->count;
}

uint32_t
sl_flow_capacity(const struct sl_flow_table *t)
{
	return t->capacity;
}

void
sl_flow_walk(struct sl_flow_table *t,
	     int (*fn)(const struct sl_conn *c, void *arg), void *arg)
{
	ct_walk_range(t, 0, t->capacity, fn, arg);
}

uint32_t
sl_flow_walk_range(struct sl_flow_table *t, uint32_t start, uint32_t count,
		   int (*fn)(const struct sl_conn *c, void *arg), void *arg)
{
	return ct_walk_range(t, start, count, fn, arg);
}
