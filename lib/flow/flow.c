/* SPDX-License-Identifier: BSD-3-Clause */
#include <string.h>
#include <errno.h>
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

struct sl_flow_table {
	struct rte_hash *hash;
	struct sl_conn *conns;
	uint32_t *free_stack;
	uint32_t n_free;
	uint32_t capacity;
	uint32_t count;
	uint64_t slot_ticks;
	uint64_t wheel_pos;          /* absolute slot number processed next */
	uint64_t timeout_ticks[SL_CS_MAX];
	uint32_t *wheel;             /* WHEEL_SLOTS list heads */
};

_Static_assert(sizeof(struct sl_conn) == RTE_CACHE_LINE_SIZE,
	       "a connection record is one cache line");

static inline uint64_t
slot_of(const struct sl_flow_table *t, uint64_t tsc)
{
	return tsc / t->slot_ticks;
}

static void
wheel_insert(struct sl_flow_table *t, struct sl_conn *c, uint64_t abs_slot)
{
	uint32_t s = (uint32_t)(abs_slot & (WHEEL_SLOTS - 1));
	uint32_t head = t->wheel[s];

	c->wheel_slot = s;
	c->wheel_prev = NIL;
	c->wheel_next = head;
	if (head != NIL)
		t->conns[head].wheel_prev = c->idx;
	t->wheel[s] = c->idx;
}

/*
 * File a record for its deadline: never in the slot the wheel stands on
 * (it may be being emptied) and never a full turn or more ahead (the
 * slot index would wrap onto the current one); a record filed early is
 * simply filed again when the wheel reaches it.
 */
static void
wheel_file(struct sl_flow_table *t, struct sl_conn *c)
{
	uint64_t abs = slot_of(t, c->expire);

	if (abs <= t->wheel_pos)
		abs = t->wheel_pos + 1;
	else if (abs - t->wheel_pos >= WHEEL_SLOTS)
		abs = t->wheel_pos + WHEEL_SLOTS - 1;
	wheel_insert(t, c, abs);
}

static void
wheel_unlink(struct sl_flow_table *t, struct sl_conn *c)
{
	if (c->wheel_prev != NIL)
		t->conns[c->wheel_prev].wheel_next = c->wheel_next;
	else
		t->wheel[c->wheel_slot] = c->wheel_next;
	if (c->wheel_next != NIL)
		t->conns[c->wheel_next].wheel_prev = c->wheel_prev;
}

static inline void
make_keys(const struct sl_conn *c, struct sl_flow_key *orig,
	  struct sl_flow_key *reply)
{
	memset(orig, 0, sizeof(*orig));
	orig->src = c->cip;
	orig->dst = c->vip;
	orig->sport = c->cport;
	orig->dport = c->vport;
	orig->proto = c->proto;
	memset(reply, 0, sizeof(*reply));
	reply->src = c->bip;
	reply->dst = c->cip;
	reply->sport = c->bport;
	reply->dport = c->cport;
	reply->proto = c->proto;
}

struct sl_flow_table *
sl_flow_create(const struct sl_flow_params *p)
{
	struct rte_hash_parameters hp = { 0 };
	struct sl_flow_table *t;
	uint32_t i;

	if (p == NULL || p->name == NULL || p->capacity == 0 || p->hz == 0 ||
	    p->timeouts == NULL) {
		rte_errno = EINVAL;
		return NULL;
	}
	t = rte_zmalloc_socket("sl_flow", sizeof(*t), RTE_CACHE_LINE_SIZE,
			       p->socket_id);
	if (t == NULL)
		goto err_nomem;
	t->capacity = p->capacity;
	t->slot_ticks = p->hz / WHEEL_HZ_DIV ? p->hz / WHEEL_HZ_DIV : 1;
	for (i = 0; i < SL_CS_MAX; i++)
		t->timeout_ticks[i] = (uint64_t)p->timeouts[i] * p->hz;

	hp.name = p->name;
	hp.entries = p->capacity * 2;
	hp.key_len = sizeof(struct sl_flow_key);
	hp.hash_func = rte_hash_crc;
	hp.socket_id = p->socket_id;
	/* extendable buckets: an insert never fails below capacity */
	hp.extra_flag = RTE_HASH_EXTRA_FLAGS_EXT_TABLE;
	t->hash = rte_hash_create(&hp);
	if (t->hash == NULL)
		goto err;

	t->conns = rte_zmalloc_socket("sl_conns",
				      (size_t)p->capacity * sizeof(struct sl_conn),
				      RTE_CACHE_LINE_SIZE, p->socket_id);
	t->free_stack = rte_malloc_socket("sl_conn_free",
					  (size_t)p->capacity * sizeof(uint32_t),
					  0, p->socket_id);
	t->wheel = rte_malloc_socket("sl_wheel", WHEEL_SLOTS * sizeof(uint32_t),
				     RTE_CACHE_LINE_SIZE, p->socket_id);
	if (t->conns == NULL || t->free_stack == NULL || t->wheel == NULL)
		goto err_nomem;
	/* hand out low indices first: they are the warm part of the pool */
	for (i = 0; i < p->capacity; i++)
		t->free_stack[i] = p->capacity - 1 - i;
	t->n_free = p->capacity;
	for (i = 0; i < WHEEL_SLOTS; i++)
		t->wheel[i] = NIL;
	t->wheel_pos = UINT64_MAX;   /* set by the first expire call */
	return t;

err_nomem:
	rte_errno = ENOMEM;
err:
	if (t != NULL) {
		int e = rte_errno;

		sl_flow_free(t);
		rte_errno = e;
	}
	return NULL;
}

void
sl_flow_free(struct sl_flow_table *t)
{
	if (t == NULL)
		return;
	rte_hash_free(t->hash);
	rte_free(t->conns);
	rte_free(t->free_stack);
	rte_free(t->wheel);
	rte_free(t);
}

struct sl_conn *
sl_flow_lookup(struct sl_flow_table *t, const struct sl_flow_key *k, int *dir)
{
	void *data;
	uintptr_t v;

	if (rte_hash_lookup_data(t->hash, k, &data) < 0)
		return NULL;
	v = (uintptr_t)data;
	*dir = (int)(v & 1);
	return &t->conns[v >> 1];
}

int
sl_flow_lookup_bulk(struct sl_flow_table *t, const struct sl_flow_key **keys,
		    unsigned n, struct sl_conn **conns, int *dirs)
{
	void *data[RTE_HASH_LOOKUP_BULK_MAX];
	uint64_t hits = 0;
	unsigned i;
	int nhit;

	nhit = rte_hash_lookup_bulk_data(t->hash, (const void **)keys, n,
					 &hits, data);
	if (nhit < 0)
		nhit = 0;
	for (i = 0; i < n; i++) {
		if (hits & (1ULL << i)) {
			uintptr_t v = (uintptr_t)data[i];

			dirs[i] = (int)(v & 1);
			conns[i] = &t->conns[v >> 1];
		} else {
			conns[i] = NULL;
		}
	}
	return nhit;
}

static void
conn_release(struct sl_flow_table *t, struct sl_conn *c)
{
	struct sl_flow_key ko, kr;

	make_keys(c, &ko, &kr);
	rte_hash_del_key(t->hash, &ko);
	rte_hash_del_key(t->hash, &kr);
	c->state = SL_CS_NONE;
	t->free_stack[t->n_free++] = c->idx;
	t->count--;
}

static __rte_always_inline struct sl_conn *
flow_add(struct sl_flow_table *t, rte_be32_t cip, rte_be16_t cport,
	 rte_be32_t vip, rte_be16_t vport, rte_be32_t bip, rte_be16_t bport,
	 uint8_t proto, uint64_t now, int check_orig)
{
	struct sl_flow_key ko, kr;
	hash_sig_t so, sr;
	struct sl_conn *c;
	uint32_t idx;

	if (unlikely(t->n_free == 0))
		return NULL;
	idx = t->free_stack[t->n_free - 1];
	c = &t->conns[idx];
	memset(c, 0, sizeof(*c));
	c->idx = idx;
	c->cip = cip;
	c->cport = cport;
	c->vip = vip;
	c->vport = vport;
	c->bip = bip;
	c->bport = bport;
	c->proto = proto;
	c->state = proto == IPPROTO_TCP ? SL_CS_SYN_SENT : SL_CS_UDP;
	make_keys(c, &ko, &kr);
	/*
	 * Both keys must be free: rte_hash_add overwrites an existing key,
	 * which would leave another connection half-mapped. In NAT mode
	 * they are unique (the client endpoint is in both), but check
	 * rather than corrupt a mapping.
	 */
	so = rte_hash_hash(t->hash, &ko);
	sr = rte_hash_hash(t->hash, &kr);
	if (unlikely((check_orig && rte_hash_lookup_with_hash(t->hash, &ko, so) >= 0) ||
		     rte_hash_lookup_with_hash(t->hash, &kr, sr) >= 0))
		goto fail;
	if (unlikely(rte_hash_add_key_with_hash_data(t->hash, &ko, so,
			(void *)(uintptr_t)((uintptr_t)idx << 1 | SL_DIR_ORIG)) < 0))
		goto fail;
	if (unlikely(rte_hash_add_key_with_hash_data(t->hash, &kr, sr,
			(void *)(uintptr_t)((uintptr_t)idx << 1 | SL_DIR_REPLY)) < 0)) {
		rte_hash_del_key_with_hash(t->hash, &ko, so);
		goto fail;
	}
	t->n_free--;
	t->count++;
	c->expire = now + t->timeout_ticks[c->state];
	if (t->wheel_pos == UINT64_MAX)
		t->wheel_pos = slot_of(t, now);
	wheel_file(t, c);
	return c;
fail:
	c->state = SL_CS_NONE;
	return NULL;
}

struct sl_conn *
sl_flow_add(struct sl_flow_table *t, rte_be32_t cip, rte_be16_t cport,
	    rte_be32_t vip, rte_be16_t vport, rte_be32_t bip, rte_be16_t bport,
	    uint8_t proto, uint64_t now)
{
	return flow_add(t, cip, cport, vip, vport, bip, bport, proto, now, 1);
}

struct sl_conn *
sl_flow_add_new(struct sl_flow_table *t, rte_be32_t cip, rte_be16_t cport,
		rte_be32_t vip, rte_be16_t vport, rte_be32_t bip, rte_be16_t bport,
		uint8_t proto, uint64_t now)
{
	return flow_add(t, cip, cport, vip, vport, bip, bport, proto, now, 0);
}

void
sl_flow_touch(struct sl_flow_table *t, struct sl_conn *c, int dir,
	      uint8_t flags, uint64_t now)
{
	uint64_t deadline;

	if (c->proto == IPPROTO_TCP) {
		uint8_t st = c->state;

		if (flags & RTE_TCP_RST_FLAG) {
			st = SL_CS_CLOSE;
		} else if (flags & RTE_TCP_FIN_FLAG) {
			c->fin_seen |= (uint8_t)(1u << dir);
			if (st != SL_CS_CLOSE)
				st = c->fin_seen == 3 ? SL_CS_TIME_WAIT : SL_CS_FIN_WAIT;
		} else {
			switch (st) {
			case SL_CS_SYN_SENT:
				if (dir == SL_DIR_REPLY &&
				    (flags & (RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG)) ==
				    (RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG))
					st = SL_CS_SYN_RECV;
				break;
			case SL_CS_SYN_RECV:
				if (dir == SL_DIR_ORIG && !(flags & RTE_TCP_SYN_FLAG) &&
				    (flags & RTE_TCP_ACK_FLAG))
					st = SL_CS_ESTABLISHED;
				break;
			default:
				break;
			}
		}
		c->state = st;
	}
	deadline = now + t->timeout_ticks[c->state];
	if (unlikely(deadline < c->expire)) {
		/* a shorter timeout (RST, FIN): lazy re-arming only ever
		 * moves deadlines later, so file the record again */
		c->expire = deadline;
		wheel_unlink(t, c);
		wheel_file(t, c);
		return;
	}
	c->expire = deadline;
}

void
sl_flow_del(struct sl_flow_table *t, struct sl_conn *c)
{
	wheel_unlink(t, c);
	conn_release(t, c);
}

unsigned
sl_flow_expire(struct sl_flow_table *t, uint64_t now, unsigned budget,
	       sl_flow_expire_cb cb, void *arg)
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
			struct sl_conn *c = &t->conns[t->wheel[s]];

			if (visited++ >= budget)
				return done;
			wheel_unlink(t, c);
			if (c->expire <= now) {
				if (cb != NULL)
					cb(c, arg);
				conn_release(t, c);
				done++;
			} else {
				/* deadline moved on: file it again */
				wheel_file(t, c);
			}
		}
		if (t->wheel_pos == target)
			break;
		t->wheel_pos++;
	}
	return done;
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
	uint32_t i;

	for (i = 0; i < t->capacity; i++) {
		if (t->conns[i].state == SL_CS_NONE)
			continue;
		if (fn(&t->conns[i], arg) != 0)
			break;
	}
}
