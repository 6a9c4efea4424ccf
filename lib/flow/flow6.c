/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IPv6 connection table (sl_flow.h).
 *
 * The index, pool and wheel of the IPv4 table (conn_table.h, shared
 * code) over the 40-byte struct sl_flow6_key and the two-line struct
 * sl_conn6. Records come from a fixed pool (a free stack of indices, low
 * ones first). The index keeps no keys: a bucket of eight 16-bit
 * signatures and eight 32-bit references (record index and direction)
 * is one cache line, two candidate buckets per key, and a key is
 * compared with the fields of the record a matching signature points to.
 * It is sized for two keys per record at 75% load; an insert into a full
 * pair of buckets moves one of their entries to its other bucket, and
 * only when that finds no room either is an add refused below capacity
 * (as in the IPv4 table: never seen in a million adds). An add checks
 * both keys before inserting either and takes the first back if the
 * second cannot go in, so a refused add leaves nothing behind.
 *
 * A record whose lip is all zero (lip NULL in sl_flow6_add(), or ::) is
 * a one-direction connection: only its client key is in the index, and
 * its TCP states follow the client's flags alone.
 *
 * Expiry is the timer wheel in TSC ticks (16384 slots of at most 1/16 s,
 * a power of two ticks) with
 * lazy re-arming; the wheel's links are in the record's first line,
 * beside the deadline and the client's key. Costs:
 *  - a lookup: the key hashed (five CRC steps), its first bucket, then
 *    the record (both lines are loaded: the reply key spans them); the
 *    second bucket only when the first has no matching signature;
 *  - an add: the record, the client key's buckets (the lookup before it
 *    has loaded them) and the reply key's two buckets, loaded together;
 *  - a packet (sl_flow6_touch) stores the new deadline in the record;
 *    only a shorter deadline (FIN, RST) moves the record to an earlier
 *    slot, unlinking and linking it;
 *  - sl_flow6_expire steps over every slot from where the last call
 *    stopped to `now` (one per slot elapsed, a load each when empty)
 *    and visits at most @p budget records, expired or filed again for a
 *    deadline that has moved on; it never scans the pool. Expired
 *    records are released 16 at a time, the buckets of all their keys
 *    loaded together;
 *  - memory per connection: the 128-byte record, 4 bytes of free stack
 *    and two index entries (2 x 64 / 6 bytes of buckets at 75% load),
 *    about 153 bytes.
 */
#include <string.h>
#include <stddef.h>
#include <netinet/in.h>

#include <rte_tcp.h>

#include "sl_flow.h"

#define CT_KEY   struct sl_flow6_key
#define CT_REC   struct sl_conn6
#define CT_TABLE sl_flow6_table

static __rte_always_inline void
ct_key_of(const struct sl_conn6 *c, int dir, struct sl_flow6_key *k)
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

/* Whether @p k is the key of record @p c in direction @p dir, compared
 * with the record's fields where they are (as the IPv4 table does): a
 * key made with ct_key_of() and compared whole would load it in wider
 * words than it was just written in (see sl_flow_key_word()) */
static __rte_always_inline int
ct_key_is(const struct sl_conn6 *c, int dir, const struct sl_flow6_key *k)
{
	if (k->proto != c->proto)
		return 0;
	if (dir == SL_DIR_ORIG)
		return k->sport == c->cport && k->dport == c->vport &&
		       sl_in6_eq(&k->src, &c->cip) && sl_in6_eq(&k->dst, &c->vip);
	return k->sport == c->bport && k->dport == c->lport &&
	       sl_in6_eq(&k->src, &c->bip) && sl_in6_eq(&k->dst, &c->lip);
}

/* the hash reads a key through sl_flow6_key_word() */
#define ct_key_word sl_flow6_key_word

/* lip all zero: a one-direction connection, no reply key */
static __rte_always_inline int
ct_two_way(const struct sl_conn6 *c)
{
	return !sl_in6_zero(&c->lip);
}

#include "conn_table.h"

_Static_assert(sizeof(struct sl_conn6) == 2 * RTE_CACHE_LINE_SIZE,
	       "an IPv6 connection record is two cache lines");
_Static_assert(offsetof(struct sl_conn6, bip) == RTE_CACHE_LINE_SIZE,
	       "the client's key, the state and the wheel links fill the first line");
_Static_assert(sizeof(struct sl_flow6_key) == 40,
	       "the IPv6 key is 40 bytes without padding of its own");

struct sl_flow6_table *
sl_flow6_create(const struct sl_flow_params *p)
{
	return ct_table_create(p);
}

void
sl_flow6_free(struct sl_flow6_table *t)
{
	ct_table_free(t);
}

/* ---- lookup / add / remove ---- */

struct sl_conn6 *
sl_flow6_lookup(struct sl_flow6_table *t, const struct sl_flow6_key *k, int *dir)
{
	return ct_lookup(t, k, dir);
}

int
sl_flow6_lookup_bulk(struct sl_flow6_table *t, const struct sl_flow6_key **keys,
		     unsigned n, struct sl_conn6 **conns, int *dirs)
{
	return ct_lookup_bulk(t, keys, n, conns, dirs);
}

void
sl_flow6_prefetch_add(const struct sl_flow6_table *t, const struct sl_flow6_key *kr,
		      unsigned ahead)
{
	ct_prefetch_add(t, kr, ahead);
}

struct sl_conn6 *
sl_flow6_add(struct sl_flow6_table *t, const struct sl_in6 *cip,
	     rte_be16_t cport, const struct sl_in6 *vip, rte_be16_t vport,
	     const struct sl_in6 *bip, rte_be16_t bport,
	     const struct sl_in6 *lip, rte_be16_t lport, uint8_t proto,
	     uint64_t now)
{
	struct sl_conn6 *c;

	if (unlikely(t->n_free == 0))
		return NULL;
	c = &t->conns[t->free_stack[t->n_free - 1]];
	/* the record stays free (state NONE) until the keys are in */
	memset(c, 0, sizeof(*c));
	c->cip = *cip;
	c->cport = cport;
	c->vip = *vip;
	c->vport = vport;
	c->bip = *bip;
	c->bport = bport;
	if (lip != NULL) {
		c->lip = *lip;
		c->lport = lport;
	}
	/* :: is no reply address: a one-direction record, port 0 too */
	if (!ct_two_way(c))
		c->lport = 0;
	/* a reply key equal to the client's own: the connection would
	 * find itself in both directions by one key */
	else if (unlikely(c->bport == c->cport && c->lport == c->vport &&
			  sl_in6_eq(&c->bip, &c->cip) && sl_in6_eq(&c->lip, &c->vip)))
		return NULL;
	c->proto = proto;
	c->state = proto == IPPROTO_TCP ? SL_CS_SYN_SENT : SL_CS_UDP;
	if (unlikely(ct_add(t, c, 1, now) != 0)) {
		c->state = SL_CS_NONE;
		return NULL;
	}
	return c;
}

void
sl_flow6_refile(struct sl_flow6_table *t, struct sl_conn6 *c, uint64_t deadline)
{
	ct_refile(t, c, deadline);
}

void
sl_flow6_del(struct sl_flow6_table *t, struct sl_conn6 *c)
{
	wheel_unlink(t, conn_idx(t, c));
	conn_release(t, c);
}

unsigned
sl_flow6_expire(struct sl_flow6_table *t, uint64_t now, unsigned budget,
		sl_flow6_expire_cb cb, void *arg)
{
	return ct_expire(t, now, budget, cb, arg);
}

uint32_t
sl_flow6_count(const struct sl_flow6_table *t)
{
	return t->count;
}

uint32_t
sl_flow6_capacity(const struct sl_flow6_table *t)
{
	return t->capacity;
}

uint32_t
sl_flow6_walk_range(struct sl_flow6_table *t, uint32_t start, uint32_t count,
		    int (*fn)(const struct sl_conn6 *c, void *arg), void *arg)
{
	return ct_walk_range(t, start, count, fn, arg);
}
