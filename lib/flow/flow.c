/* SPDX-License-Identifier: BSD-3-Clause */
#include <string.h>
#include <errno.h>
#include <netinet/in.h>

#include <rte_errno.h>
#include <rte_malloc.h>
#include <rte_hash_crc.h>
#include <rte_prefetch.h>
#include <rte_tcp.h>

#include "sl_flow.h"
#include "conn_table.h"

#define WHEEL_SLOTS  16384u      /* power of two */
#define WHEEL_HZ_DIV 16u         /* slot = 1/16 s */
#define NIL          UINT32_MAX

struct sl_flow_table {
	struct conn_table ct;
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
_Static_assert(sizeof(struct ct_bucket) == RTE_CACHE_LINE_SIZE,
	       "a bucket is one cache line");

/* ---- the index: see conn_table.h ---- */

struct ct_hash {
	uint32_t b1, b2;
	uint16_t sig;
};

static __rte_always_inline uint32_t
ct_reduce(uint32_t h, uint32_t n)
{
	return (uint32_t)(((uint64_t)h * n) >> 32);
}

static __rte_always_inline void
ct_hash(const struct conn_table *ct, const struct sl_flow_key *k, struct ct_hash *h)
{
	uint64_t w0, w1;
	uint32_t a, b;

	memcpy(&w0, k, 8);
	memcpy(&w1, (const uint8_t *)k + 8, 8);
	a = rte_hash_crc_8byte(w1, rte_hash_crc_8byte(w0, 0x5a17ce00));
	/*
	 * The second bucket must not follow from the first: CRC is linear,
	 * so a CRC with another seed would put every key of a bucket in the
	 * same second bucket. A multiplicative mix of the whole CRC does not.
	 */
	b = a ^ 0x9e3779b9;
	b ^= b >> 16;
	b *= 0x85ebca6b;
	b ^= b >> 13;
	b *= 0xc2b2ae35;
	b ^= b >> 16;
	h->b1 = ct_reduce(a, ct->nb);
	h->b2 = ct_reduce(b, ct->nb);
	if (unlikely(h->b2 == h->b1))
		h->b2 = h->b1 + 1 == ct->nb ? 0 : h->b1 + 1;
	h->sig = (uint16_t)a;
}

/* Index of a record in its table's pool. */
#define conn_idx(t, c) ((uint32_t)((c) - (t)->conns))

static __rte_always_inline uint32_t
ct_ref(uint32_t idx, int dir)
{
	return (idx + 1) << 1 | (uint32_t)dir;
}

static __rte_always_inline void
key_of(const struct sl_conn *c, int dir, struct sl_flow_key *k)
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

/* Whether @p k is the key of record @p c in direction @p dir. */
static __rte_always_inline int
key_is(const struct sl_conn *c, int dir, const struct sl_flow_key *k)
{
	if (k->proto != c->proto)
		return 0;
	if (dir == SL_DIR_ORIG)
		return k->src == c->cip && k->dst == c->vip &&
		       k->sport == c->cport && k->dport == c->vport;
	return k->src == c->bip && k->dst == c->lip &&
	       k->sport == c->bport && k->dport == c->lport;
}

/* Reference of @p k in bucket @p bi, or 0. */
static __rte_always_inline uint32_t
ct_find_in(const struct conn_table *ct, uint32_t bi, uint16_t sig,
	   const struct sl_flow_key *k)
{
	const struct ct_bucket *b = &ct->b[bi];
	unsigned i;

	for (i = 0; i < CT_WAYS; i++) {
		uint32_t r = b->ref[i];

		if (b->sig[i] == sig && r != 0 &&
		    key_is(&ct->recs[(r >> 1) - 1], (int)(r & 1), k))
			return r;
	}
	return 0;
}

/* The first reference in bucket @p bi with signature @p sig, or 0: a
 * candidate, its key not compared. */
static __rte_always_inline uint32_t
ct_sig_way(const struct conn_table *ct, uint32_t bi, uint16_t sig)
{
	const struct ct_bucket *b = &ct->b[bi];
	unsigned i;

	for (i = 0; i < CT_WAYS; i++)
		if (b->sig[i] == sig && b->ref[i] != 0)
			return b->ref[i];
	return 0;
}

static __rte_always_inline uint32_t
ct_find(const struct conn_table *ct, const struct ct_hash *h,
	const struct sl_flow_key *k)
{
	uint32_t r = ct_find_in(ct, h->b1, h->sig, k);

	return r != 0 ? r : ct_find_in(ct, h->b2, h->sig, k);
}

static __rte_always_inline int
ct_free_way(const struct ct_bucket *b)
{
	unsigned i;

	for (i = 0; i < CT_WAYS; i++)
		if (b->ref[i] == 0)
			return (int)i;
	return -1;
}

/*
 * Insert (known absent). When both buckets are full, move one of their
 * entries to its other bucket if that one has room.
 */
static int
ct_insert(struct conn_table *ct, const struct ct_hash *h, uint32_t ref)
{
	uint32_t cand[2] = { h->b1, h->b2 };
	unsigned c, i;
	int w;

	for (c = 0; c < 2; c++) {
		w = ct_free_way(&ct->b[cand[c]]);
		if (w >= 0) {
			ct->b[cand[c]].sig[w] = h->sig;
			ct->b[cand[c]].ref[w] = ref;
			return 0;
		}
	}
	for (c = 0; c < 2; c++) {
		struct ct_bucket *b = &ct->b[cand[c]];

		for (i = 0; i < CT_WAYS; i++) {
			uint32_t r = b->ref[i], alt;
			struct sl_flow_key vk;
			struct ct_hash vh;

			key_of(&ct->recs[(r >> 1) - 1], (int)(r & 1), &vk);
			ct_hash(ct, &vk, &vh);
			alt = vh.b1 == cand[c] ? vh.b2 : vh.b1;
			w = ct_free_way(&ct->b[alt]);
			if (w < 0)
				continue;
			ct->b[alt].sig[w] = b->sig[i];
			ct->b[alt].ref[w] = r;
			b->sig[i] = h->sig;
			b->ref[i] = ref;
			return 0;
		}
	}
	return -ENOSPC;
}

/* Remove reference @p ref of the key whose hash is @p h. */
static __rte_always_inline void
ct_remove_h(struct conn_table *ct, const struct ct_hash *h, uint32_t ref)
{
	uint32_t cand[2] = { h->b1, h->b2 };
	unsigned c, i;

	for (c = 0; c < 2; c++)
		for (i = 0; i < CT_WAYS; i++)
			if (ct->b[cand[c]].ref[i] == ref) {
				ct->b[cand[c]].ref[i] = 0;
				return;
			}
}

/* Remove reference @p ref of key @p k. */
static void
ct_remove(struct conn_table *ct, const struct sl_flow_key *k, uint32_t ref)
{
	struct ct_hash h;

	ct_hash(ct, k, &h);
	ct_remove_h(ct, &h, ref);
}

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
		t->conns[head].wheel_prev = conn_idx(t, c);
	t->wheel[s] = conn_idx(t, c);
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

struct sl_flow_table *
sl_flow_create(const struct sl_flow_params *p)
{
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

	/* two keys per connection, buckets at most 75% full */
	t->ct.nb = (uint32_t)(((uint64_t)p->capacity * 2 * 4 / 3 + CT_WAYS - 1) / CT_WAYS);
	if (t->ct.nb < 2)
		t->ct.nb = 2;
	t->ct.b = rte_zmalloc_socket(p->name, (size_t)t->ct.nb * sizeof(struct ct_bucket),
				     RTE_CACHE_LINE_SIZE, p->socket_id);
	if (t->ct.b == NULL)
		goto err_nomem;

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
	t->ct.recs = t->conns;
	/* hand out low indices first: they are the warm part of the pool */
	for (i = 0; i < p->capacity; i++)
		t->free_stack[i] = p->capacity - 1 - i;
	t->n_free = p->capacity;
	for (i = 0; i < WHEEL_SLOTS; i++)
		t->wheel[i] = NIL;
	t->wheel_pos = UINT64_MAX;   /* set by the first expire call */
	return t;

err_nomem:
	sl_flow_free(t);
	rte_errno = ENOMEM;
	return NULL;
}

void
sl_flow_free(struct sl_flow_table *t)
{
	if (t == NULL)
		return;
	rte_free(t->ct.b);
	rte_free(t->conns);
	rte_free(t->free_stack);
	rte_free(t->wheel);
	rte_free(t);
}

struct sl_conn *
sl_flow_lookup(struct sl_flow_table *t, const struct sl_flow_key *k, int *dir)
{
	struct ct_hash h;
	uint32_t r;

	ct_hash(&t->ct, k, &h);
	r = ct_find(&t->ct, &h, k);
	if (r == 0)
		return NULL;
	*dir = (int)(r & 1);
	return &t->conns[(r >> 1) - 1];
}

void
sl_flow_prefetch_add(const struct sl_flow_table *t, const struct sl_flow_key *kr,
		     unsigned ahead)
{
	struct ct_hash h;

	if (kr != NULL) {
		ct_hash(&t->ct, kr, &h);
		rte_prefetch0(&t->ct.b[h.b1]);
		rte_prefetch0(&t->ct.b[h.b2]);
	}
	if (ahead < t->n_free)
		rte_prefetch0(&t->conns[t->free_stack[t->n_free - 1 - ahead]]);
}

int
sl_flow_lookup_bulk(struct sl_flow_table *t, const struct sl_flow_key **keys,
		    unsigned n, struct sl_conn **conns, int *dirs)
{
	struct ct_hash h[64];
	uint32_t cand[64];
	unsigned i, second = 0;
	int nhit = 0;

	/*
	 * Stages over the whole burst, so that the loads of one stage are
	 * all in flight before the next needs them. A key of an established
	 * connection costs two cache lines (its first bucket, its record):
	 * insertion prefers the first bucket, so the second is loaded only
	 * for the keys not found there (new connections, mostly).
	 * Hash every key and start loading its first bucket ...
	 */
	for (i = 0; i < n; i++) {
		ct_hash(&t->ct, keys[i], &h[i]);
		rte_prefetch0(&t->ct.b[h[i].b1]);
	}
	/* ... take the first way whose signature matches and start loading
	 * its record (the key compare needs it), or the second bucket ... */
	for (i = 0; i < n; i++) {
		cand[i] = ct_sig_way(&t->ct, h[i].b1, h[i].sig);
		if (cand[i] != 0) {
			rte_prefetch0(&t->conns[(cand[i] >> 1) - 1]);
		} else {
			rte_prefetch0(&t->ct.b[h[i].b2]);
			second = 1;
		}
	}
	/* ... the same in the second buckets loaded ... */
	for (i = 0; second && i < n; i++)
		if (cand[i] == 0) {
			cand[i] = ct_sig_way(&t->ct, h[i].b2, h[i].sig);
			if (cand[i] != 0)
				rte_prefetch0(&t->conns[(cand[i] >> 1) - 1]);
		}
	/* ... then compare: a signature that matched another key (rare)
	 * takes the full search */
	for (i = 0; i < n; i++) {
		uint32_t r = cand[i];

		if (r != 0 && !key_is(&t->conns[(r >> 1) - 1], (int)(r & 1), keys[i]))
			r = ct_find(&t->ct, &h[i], keys[i]);

		if (r != 0) {
			dirs[i] = (int)(r & 1);
			conns[i] = &t->conns[(r >> 1) - 1];
			nhit++;
		} else {
			conns[i] = NULL;
		}
	}
	return nhit;
}

/* Give back a record whose keys are out of the index. */
static __rte_always_inline void
conn_free(struct sl_flow_table *t, struct sl_conn *c)
{
	c->state = SL_CS_NONE;
	t->free_stack[t->n_free++] = conn_idx(t, c);
	t->count--;
}

static void
conn_release(struct sl_flow_table *t, struct sl_conn *c)
{
	struct sl_flow_key ko, kr;

	key_of(c, SL_DIR_ORIG, &ko);
	ct_remove(&t->ct, &ko, ct_ref(conn_idx(t, c), SL_DIR_ORIG));
	if (c->lip != 0) {
		key_of(c, SL_DIR_REPLY, &kr);
		ct_remove(&t->ct, &kr, ct_ref(conn_idx(t, c), SL_DIR_REPLY));
	}
	conn_free(t, c);
}

static __rte_always_inline struct sl_conn *
flow_add(struct sl_flow_table *t, rte_be32_t cip, rte_be16_t cport,
	 rte_be32_t vip, rte_be16_t vport, rte_be32_t bip, rte_be16_t bport,
	 rte_be32_t lip, rte_be16_t lport, uint8_t proto, uint64_t now, int check_orig)
{
	struct sl_flow_key ko, kr;
	struct ct_hash ho, hr;
	struct sl_conn *c;
	uint32_t idx;

	if (unlikely(t->n_free == 0))
		return NULL;
	idx = t->free_stack[t->n_free - 1];
	c = &t->conns[idx];
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
	key_of(c, SL_DIR_ORIG, &ko);
	key_of(c, SL_DIR_REPLY, &kr);
	/*
	 * Both keys must be free: rte_hash_add overwrites an existing key,
	 * which would leave another connection half-mapped. In NAT mode
	 * they are unique (the client endpoint is in both), but check
	 * rather than corrupt a mapping.
	 */
	ct_hash(&t->ct, &ko, &ho);
	if (unlikely(check_orig && ct_find(&t->ct, &ho, &ko) != 0))
		goto fail;
	/* a one-direction connection (lip 0) has no reply key */
	if (lip != 0) {
		ct_hash(&t->ct, &kr, &hr);
		if (unlikely(ct_find(&t->ct, &hr, &kr) != 0))
			goto fail;
	}
	if (unlikely(ct_insert(&t->ct, &ho, ct_ref(idx, SL_DIR_ORIG)) != 0))
		goto fail;
	if (lip != 0 && unlikely(ct_insert(&t->ct, &hr, ct_ref(idx, SL_DIR_REPLY)) != 0)) {
		ct_remove(&t->ct, &ko, ct_ref(idx, SL_DIR_ORIG));
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
sl_flow_touch(struct sl_flow_table *t, struct sl_conn *c, int dir,
	      uint8_t flags, uint64_t now)
{
	uint64_t deadline;

	if (c->proto == IPPROTO_TCP)
		c->state = sl_flow_tcp_next(c->state, &c->fin_seen, c->lip == 0, dir, flags);
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

/*
 * Expired records are released EXPIRE_BATCH at a time: the buckets of
 * all their keys are loaded together, where one record after another
 * would wait for each of its two buckets in turn (a connection's keys
 * sit in buckets nothing else touches).
 */
#define EXPIRE_BATCH 16

static void
release_expired(struct sl_flow_table *t, struct sl_conn *const *cs, unsigned n,
		sl_flow_expire_cb cb, void *arg)
{
	struct ct_hash h[EXPIRE_BATCH][2];
	struct sl_flow_key k;
	unsigned i;

	for (i = 0; i < n; i++) {
		key_of(cs[i], SL_DIR_ORIG, &k);
		ct_hash(&t->ct, &k, &h[i][0]);
		rte_prefetch0(&t->ct.b[h[i][0].b1]);
		if (cs[i]->lip != 0) {
			key_of(cs[i], SL_DIR_REPLY, &k);
			ct_hash(&t->ct, &k, &h[i][1]);
			rte_prefetch0(&t->ct.b[h[i][1].b1]);
		}
	}
	for (i = 0; i < n; i++) {
		struct sl_conn *c = cs[i];
		uint32_t idx = conn_idx(t, c);

		if (cb != NULL)
			cb(c, arg);
		ct_remove_h(&t->ct, &h[i][0], ct_ref(idx, SL_DIR_ORIG));
		if (c->lip != 0)
			ct_remove_h(&t->ct, &h[i][1], ct_ref(idx, SL_DIR_REPLY));
		conn_free(t, c);
	}
}

unsigned
sl_flow_expire(struct sl_flow_table *t, uint64_t now, unsigned budget,
	       sl_flow_expire_cb cb, void *arg)
{
	uint64_t target = slot_of(t, now);
	struct sl_conn *batch[EXPIRE_BATCH];
	unsigned done = 0, visited = 0, nb = 0;

	if (t->wheel_pos == UINT64_MAX) {
		t->wheel_pos = target;
		return 0;
	}
	while (t->wheel_pos <= target) {
		uint32_t s = (uint32_t)(t->wheel_pos & (WHEEL_SLOTS - 1));

		while (t->wheel[s] != NIL) {
			struct sl_conn *c = &t->conns[t->wheel[s]];

			if (visited++ >= budget)
				goto out;
			wheel_unlink(t, c);
			if (c->expire <= now) {
				batch[nb++] = c;
				if (nb == EXPIRE_BATCH) {
					release_expired(t, batch, nb, cb, arg);
					done += nb;
					nb = 0;
				}
			} else {
				/* deadline moved on: file it again */
				wheel_file(t, c);
			}
		}
		if (t->wheel_pos == target)
			break;
		t->wheel_pos++;
	}
out:
	release_expired(t, batch, nb, cb, arg);
	return done + nb;
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
	uint32_t i;

	for (i = 0; i < t->capacity; i++) {
		if (t->conns[i].state == SL_CS_NONE)
			continue;
		if (fn(&t->conns[i], arg) != 0)
			break;
	}
}

uint32_t
sl_flow_walk_range(struct sl_flow_table *t, uint32_t start, uint32_t count,
		   int (*fn)(const struct sl_conn *c, void *arg), void *arg)
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
