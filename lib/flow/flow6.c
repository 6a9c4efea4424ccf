/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IPv6 connection table (sl_flow.h).
 *
 * Records come from a fixed pool (a free stack of indices, low ones
 * first). Keys live in an rte_hash of the 40-byte struct sl_flow6_key;
 * the value is the record index shifted left once, the direction in bit
 * 0. The hash is created with as many entries as two keys per record and
 * with extendable buckets, so an add never fails for want of a bucket
 * while the pool has a record: the table is full exactly at capacity.
 * An add checks both keys before inserting either (rte_hash_add would
 * overwrite a key another connection owns) and takes the first back if
 * the second cannot go in, so a refused add leaves nothing behind.
 *
 * A record whose lip is all zero (lip NULL in sl_flow6_add(), or ::) is
 * a one-direction connection: only its client key is in the hash, and
 * its TCP states follow the client's flags alone.
 *
 * Expiry is the IPv4 table's timer wheel in TSC ticks (16384 slots of
 * 1/16 s) with lazy re-arming. struct sl_conn6 has no room for the
 * wheel's links, so they sit in an array beside the pool (12 bytes per
 * record). Costs:
 *  - a packet (sl_flow6_touch) stores the new deadline in the record;
 *    only a shorter deadline (FIN, RST) moves the record to an earlier
 *    slot, unlinking and linking it (a few stores in the link array);
 *  - sl_flow6_expire steps over every slot from where the last call
 *    stopped to `now` (one per 1/16 s elapsed, a load each when empty)
 *    and visits at most @p budget records, expired or filed again for a
 *    deadline that has moved on; it never scans the pool;
 *  - memory per connection: the 128-byte record, 12 bytes of wheel
 *    links, 4 of free stack, and two hash keys (48-byte key slot each
 *    plus bucket and extendable bucket space), about 300 bytes.
 */
#include <string.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <netinet/in.h>

#include <rte_errno.h>
#include <rte_malloc.h>
#include <rte_hash.h>
#include <rte_hash_crc.h>
#include <rte_tcp.h>

#include "sl_flow.h"

#define WHEEL_SLOTS  16384u      /* power of two */
#define WHEEL_HZ_DIV 16u         /* slot = 1/16 s */
#define NIL          UINT32_MAX
#define HASH_SEED    0x5a17ce06u
#define HASH_MIN     8u          /* rte_hash's smallest table: one bucket */

_Static_assert(sizeof(struct sl_conn6) == 2 * RTE_CACHE_LINE_SIZE,
	       "an IPv6 connection record is two cache lines");
_Static_assert(sizeof(struct sl_flow6_key) == 40,
	       "the IPv6 key is 40 bytes without padding of its own");

/* A record's place in the wheel, kept beside the pool. */
struct wheel_link {
	uint32_t next;   /* next record in the same slot, or NIL */
	uint32_t prev;   /* previous record in the slot, or NIL */
	uint32_t slot;   /* slot the record is filed in */
};

struct sl_flow6_table {
	struct rte_hash *h;
	struct sl_conn6 *conns;
	struct wheel_link *link;
	uint32_t *free_stack;
	uint32_t n_free;
	uint32_t capacity;
	uint32_t count;
	uint64_t slot_ticks;
	uint64_t wheel_pos;          /* absolute slot number processed next */
	uint64_t timeout_ticks[SL_CS_MAX];
	uint32_t *wheel;             /* WHEEL_SLOTS list heads */
};

#define conn_idx(t, c) ((uint32_t)((c) - (t)->conns))

static __rte_always_inline void *
hash_val(uint32_t idx, int dir)
{
	return (void *)(uintptr_t)((uintptr_t)idx << 1 | (uintptr_t)dir);
}

static __rte_always_inline int
oneway(const struct sl_conn6 *c)
{
	return sl_in6_zero(&c->lip);
}

static void
key_of(const struct sl_conn6 *c, int dir, struct sl_flow6_key *k)
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

/* ---- the wheel (as in flow.c, links in t->link) ---- */

static inline uint64_t
slot_of(const struct sl_flow6_table *t, uint64_t tsc)
{
	return tsc / t->slot_ticks;
}

/*
 * File record @p idx for its deadline: never in the slot the wheel
 * stands on (it may be being emptied) and never a full turn or more
 * ahead (the slot index would wrap onto the current one); a record filed
 * early is filed again when the wheel reaches it.
 */
static void
wheel_file(struct sl_flow6_table *t, uint32_t idx)
{
	uint64_t abs = slot_of(t, t->conns[idx].expire);
	struct wheel_link *l = &t->link[idx];
	uint32_t s, head;

	if (abs <= t->wheel_pos)
		abs = t->wheel_pos + 1;
	else if (abs - t->wheel_pos >= WHEEL_SLOTS)
		abs = t->wheel_pos + WHEEL_SLOTS - 1;
	s = (uint32_t)(abs & (WHEEL_SLOTS - 1));
	head = t->wheel[s];
	l->slot = s;
	l->prev = NIL;
	l->next = head;
	if (head != NIL)
		t->link[head].prev = idx;
	t->wheel[s] = idx;
}

static void
wheel_unlink(struct sl_flow6_table *t, uint32_t idx)
{
	const struct wheel_link *l = &t->link[idx];

	if (l->prev != NIL)
		t->link[l->prev].next = l->next;
	else
		t->wheel[l->slot] = l->next;
	if (l->next != NIL)
		t->link[l->next].prev = l->prev;
}

/* ---- create / free ---- */

struct sl_flow6_table *
sl_flow6_create(const struct sl_flow_params *p)
{
	struct rte_hash_parameters hp;
	struct sl_flow6_table *t;
	char hname[RTE_HASH_NAMESIZE];
	uint64_t entries;
	uint32_t i;

	if (p == NULL || p->name == NULL || p->capacity == 0 || p->hz == 0 ||
	    p->timeouts == NULL) {
		rte_errno = EINVAL;
		return NULL;
	}
	entries = (uint64_t)p->capacity * 2;
	if (entries < HASH_MIN)
		entries = HASH_MIN;
	if (entries > RTE_HASH_ENTRIES_MAX) {
		rte_errno = EINVAL;
		return NULL;
	}
	t = rte_zmalloc_socket(p->name, sizeof(*t), RTE_CACHE_LINE_SIZE,
			       p->socket_id);
	if (t == NULL)
		goto err_nomem;
	t->capacity = p->capacity;
	t->slot_ticks = p->hz / WHEEL_HZ_DIV ? p->hz / WHEEL_HZ_DIV : 1;
	for (i = 0; i < SL_CS_MAX; i++)
		t->timeout_ticks[i] = (uint64_t)p->timeouts[i] * p->hz;

	/*
	 * rte_hash names are global to the process and its rings' names
	 * are built from them, so @p name (labels, possibly shared) will
	 * not do: the table's own address is unique while it lives, and
	 * short enough for the rings' prefixes.
	 */
	snprintf(hname, sizeof(hname), "f6_%" PRIxPTR, (uintptr_t)t);
	memset(&hp, 0, sizeof(hp));
	hp.name = hname;
	hp.entries = (uint32_t)entries;
	hp.key_len = sizeof(struct sl_flow6_key);
	hp.hash_func = rte_hash_crc;
	hp.hash_func_init_val = HASH_SEED;
	hp.socket_id = p->socket_id;
	/* single writer, no readers elsewhere: no locks; extendable
	 * buckets so that every key slot can be used */
	hp.extra_flag = RTE_HASH_EXTRA_FLAGS_EXT_TABLE;
	t->h = rte_hash_create(&hp);
	if (t->h == NULL)
		goto err_nomem;

	t->conns = rte_zmalloc_socket("sl_conns6",
				      (size_t)p->capacity * sizeof(struct sl_conn6),
				      RTE_CACHE_LINE_SIZE, p->socket_id);
	t->link = rte_malloc_socket("sl_wheel6_link",
				    (size_t)p->capacity * sizeof(struct wheel_link),
				    RTE_CACHE_LINE_SIZE, p->socket_id);
	t->free_stack = rte_malloc_socket("sl_conn6_free",
					  (size_t)p->capacity * sizeof(uint32_t),
					  0, p->socket_id);
	t->wheel = rte_malloc_socket("sl_wheel6", WHEEL_SLOTS * sizeof(uint32_t),
				     RTE_CACHE_LINE_SIZE, p->socket_id);
	if (t->conns == NULL || t->link == NULL || t->free_stack == NULL ||
	    t->wheel == NULL)
		goto err_nomem;
	/* hand out low indices first: they are the warm part of the pool */
	for (i = 0; i < p->capacity; i++)
		t->free_stack[i] = p->capacity - 1 - i;
	t->n_free = p->capacity;
	for (i = 0; i < WHEEL_SLOTS; i++)
		t->wheel[i] = NIL;
	t->wheel_pos = UINT64_MAX;   /* set by the first add or expire call */
	return t;

err_nomem:
	sl_flow6_free(t);
	rte_errno = ENOMEM;
	return NULL;
}

void
sl_flow6_free(struct sl_flow6_table *t)
{
	if (t == NULL)
		return;
	rte_hash_free(t->h);
	rte_free(t->conns);
	rte_free(t->link);
	rte_free(t->free_stack);
	rte_free(t->wheel);
	rte_free(t);
}

/* ---- lookup / add / remove ---- */

struct sl_conn6 *
sl_flow6_lookup(struct sl_flow6_table *t, const struct sl_flow6_key *k, int *dir)
{
	void *v;
	uintptr_t r;

	if (rte_hash_lookup_data(t->h, k, &v) < 0)
		return NULL;
	r = (uintptr_t)v;
	*dir = (int)(r & 1);
	return &t->conns[r >> 1];
}

struct sl_conn6 *
sl_flow6_add(struct sl_flow6_table *t, const struct sl_in6 *cip,
	     rte_be16_t cport, const struct sl_in6 *vip, rte_be16_t vport,
	     const struct sl_in6 *bip, rte_be16_t bport,
	     const struct sl_in6 *lip, rte_be16_t lport, uint8_t proto,
	     uint64_t now)
{
	struct sl_flow6_key ko, kr;
	hash_sig_t so, sr = 0;
	struct sl_conn6 *c;
	uint32_t idx;
	int two_way;

	if (unlikely(t->n_free == 0))
		return NULL;
	idx = t->free_stack[t->n_free - 1];
	c = &t->conns[idx];
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
	two_way = !oneway(c);
	if (!two_way)
		c->lport = 0;
	c->proto = proto;

	key_of(c, SL_DIR_ORIG, &ko);
	so = rte_hash_hash(t->h, &ko);
	if (unlikely(rte_hash_lookup_with_hash(t->h, &ko, so) >= 0))
		return NULL;
	if (two_way) {
		key_of(c, SL_DIR_REPLY, &kr);
		/* a reply key equal to the client's own would overwrite it */
		if (unlikely(memcmp(&ko, &kr, sizeof(ko)) == 0))
			return NULL;
		sr = rte_hash_hash(t->h, &kr);
		if (unlikely(rte_hash_lookup_with_hash(t->h, &kr, sr) >= 0))
			return NULL;
	}
	if (unlikely(rte_hash_add_key_with_hash_data(t->h, &ko, so,
						     hash_val(idx, SL_DIR_ORIG)) != 0))
		return NULL;
	if (two_way &&
	    unlikely(rte_hash_add_key_with_hash_data(t->h, &kr, sr,
						     hash_val(idx, SL_DIR_REPLY)) != 0)) {
		rte_hash_del_key_with_hash(t->h, &ko, so);
		return NULL;
	}
	t->n_free--;
	t->count++;
	c->state = proto == IPPROTO_TCP ? SL_CS_SYN_SENT : SL_CS_UDP;
	c->expire = now + t->timeout_ticks[c->state];
	if (t->wheel_pos == UINT64_MAX)
		t->wheel_pos = slot_of(t, now);
	wheel_file(t, idx);
	return c;
}

/* Keys out, record back to the pool (already off the wheel). */
static void
conn_release(struct sl_flow6_table *t, struct sl_conn6 *c)
{
	struct sl_flow6_key k;

	key_of(c, SL_DIR_ORIG, &k);
	rte_hash_del_key(t->h, &k);
	if (!oneway(c)) {
		key_of(c, SL_DIR_REPLY, &k);
		rte_hash_del_key(t->h, &k);
	}
	c->state = SL_CS_NONE;
	t->free_stack[t->n_free++] = conn_idx(t, c);
	t->count--;
}

void
sl_flow6_touch(struct sl_flow6_table *t, struct sl_conn6 *c, int dir,
	       uint8_t flags, uint64_t now)
{
	uint64_t deadline;

	if (c->proto == IPPROTO_TCP)
		c->state = sl_flow_tcp_next(c->state, &c->fin_seen, oneway(c),
					    dir, flags);
	deadline = now + t->timeout_ticks[c->state];
	if (unlikely(deadline < c->expire)) {
		/* lazy re-arming only ever moves deadlines later: file
		 * the record again for the earlier one */
		c->expire = deadline;
		wheel_unlink(t, conn_idx(t, c));
		wheel_file(t, conn_idx(t, c));
		return;
	}
	c->expire = deadline;
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
	uint64_t target = slot_of(t, now);
	unsigned done = 0, visited = 0;

	if (t->wheel_pos == UINT64_MAX) {
		t->wheel_pos = target;
		return 0;
	}
	while (t->wheel_pos <= target) {
		uint32_t s = (uint32_t)(t->wheel_pos & (WHEEL_SLOTS - 1));

		while (t->wheel[s] != NIL) {
			uint32_t idx = t->wheel[s];
			struct sl_conn6 *c = &t->conns[idx];

			if (visited++ >= budget)
				return done;
			wheel_unlink(t, idx);
			if (c->expire <= now) {
				if (cb != NULL)
					cb(c, arg);
				conn_release(t, c);
				done++;
			} else {
				/* deadline moved on: file it again */
				wheel_file(t, idx);
			}
		}
		if (t->wheel_pos == target)
			break;
		t->wheel_pos++;
	}
	return done;
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
	uint32_t i, end = start + count < start || start + count > t->capacity ?
		t->capacity : start + count;

	for (i = start; i < end; i++) {
		if (t->conns[i].state == SL_CS_NONE)
			continue;
		if (fn(&t->conns[i], arg) != 0)
			return t->capacity;
	}
	return end;
}
