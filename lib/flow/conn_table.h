/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SL_CONN_TABLE_H
#define SL_CONN_TABLE_H

/*
 * Private to lib/flow: what the IPv4 table (flow.c) and the IPv6 table
 * (flow6.c) share, written once for both: the hash index from a packet's
 * 5-tuple to a connection record and direction, and the timer wheel that
 * expires records. The file that includes it names its types first and
 * says how to read a record's keys:
 *
 *   CT_KEY     the key type: a multiple of 8 bytes (its padding never read)
 *   CT_REC     the record type (one or two cache lines), with the fields
 *              expire, wheel_next, wheel_prev, wheel_slot and state
 *   CT_TABLE   the tag of the table type, defined here
 *   ct_key_of(c, dir, k)  record @p c's key in @p dir, written to @p k
 *   ct_two_way(c)         whether record @p c has a reply key
 *   ct_key_is(c, dir, k)  whether @p k is record @p c's key in @p dir,
 *                         compared with the record's fields in place
 *   ct_key_word(k, i)     the key's i-th 8 bytes for the hash, each field
 *                         read in its own width
 *
 * Both of the last two read a key in the widths its fields were written
 * in: most keys were made field by field just before (ct_key_of(), a
 * packet's headers), and a load wider than the stores it spans is not
 * forwarded from them but waits for them to complete.
 *
 * The index is built for one writer and for keys that live in the
 * records: a bucket holds eight 16-bit signatures and eight 32-bit
 * references (record index and direction), one cache line, and no keys.
 * A lookup compares signatures in the key's two candidate buckets, then
 * compares the key with the fields of the record it points to, the
 * record the caller needs next anyway. A bucket's eight signatures (or
 * references) are compared at once, a bit per way (ct_sig_mask(),
 * ct_ref_mask(): SSE2 on x86, a loop elsewhere), so that a key absent
 * from a bucket, every new connection's, costs a few instructions
 * rather than a test per way. Two keys per connection cost
 * 2 x 64 / 6 = about 21 bytes at the 75% load the index is sized for,
 * whatever the key's size, against rte_hash's key store, bucket and
 * extendable-bucket arrays.
 *
 * Insertion takes a free slot in either candidate bucket, else moves one
 * entry of those buckets to its own other bucket (recomputing its hash
 * from its record). Removal finds the entry by its reference, with no
 * key comparison.
 *
 * The wheel: WHEEL_SLOTS slots of a power of two TSC ticks, the largest
 * not over 1/16 s (a slot number is a shift, not a division), a doubly linked
 * list of records per slot, lazy re-arming (a packet only stores the new
 * deadline; the wheel files a record again when it reaches one whose
 * deadline has moved on).
 *
 * Thread-safety: one thread only (the owning worker).
 */

#include <stdint.h>
#include <string.h>
#include <errno.h>
#include <rte_common.h>
#include <rte_errno.h>
#include <rte_malloc.h>
#include <rte_prefetch.h>
#if defined(RTE_ARCH_X86)
#include <emmintrin.h>
#endif

#include "sl_flow.h"

#if !defined(CT_KEY) || !defined(CT_REC) || !defined(CT_TABLE)
#error "conn_table.h: define CT_KEY, CT_REC and CT_TABLE first"
#endif

#define CT_WAYS      8
#define WHEEL_SLOTS  16384u      /* power of two */
#define WHEEL_HZ_DIV 16u         /* slot <= 1/16 s */
#define NIL          UINT32_MAX
/* the largest capacity a 32-bit reference can name both keys of */
#define CT_CAPACITY_MAX (UINT32_MAX / 2 - 1)

struct ct_bucket {
	uint16_t sig[CT_WAYS];      /* at 0 and 16: each one 16-byte load */
	uint32_t ref[CT_WAYS];      /* 0 = free; else (idx + 1) << 1 | dir */
	uint8_t pad[RTE_CACHE_LINE_SIZE - CT_WAYS * 6];
} __rte_cache_aligned;

_Static_assert(CT_WAYS == 8 && offsetof(struct ct_bucket, ref) == 16,
	       "ct_sig_mask(), ct_ref_mask(): eight ways, 16-byte aligned arrays");

struct conn_table {
	struct ct_bucket *b;
	uint32_t nb;                /* buckets */
	const CT_REC *recs;         /* the records references point into */
};

struct ct_hash {
	uint32_t b1, b2;
	uint32_t crc;               /* the key's CRC, b2 made from it */
	uint16_t sig;
};

/* A table: the index, the pool of records and the wheel. */
struct CT_TABLE {
	struct sl_flow_head head;    /* first: the inline touch reads it */
	struct conn_table ct;
	CT_REC *conns;
	uint32_t *free_stack;
	uint32_t n_free;
	uint32_t capacity;
	uint32_t count;
	unsigned slot_shift;         /* a slot is 1 << slot_shift ticks */
	uint64_t wheel_pos;          /* absolute slot number processed next */
	uint32_t *wheel;             /* WHEEL_SLOTS list heads */
};

typedef void (*ct_expire_cb)(const CT_REC *c, void *arg);

_Static_assert(sizeof(struct ct_bucket) == RTE_CACHE_LINE_SIZE,
	       "a bucket is one cache line");
_Static_assert(sizeof(CT_KEY) % 8 == 0, "a key is hashed 8 bytes at a time");
_Static_assert(sizeof(CT_REC) % RTE_CACHE_LINE_SIZE == 0 &&
	       sizeof(CT_REC) <= 2 * RTE_CACHE_LINE_SIZE,
	       "a record is one or two cache lines");

/* ---- the index ---- */

static __rte_always_inline uint32_t
ct_reduce(uint32_t h, uint32_t n)
{
	return (uint32_t)(((uint64_t)h * n) >> 32);
}

/* A key's first bucket and signature; its second bucket is
 * ct_hash_b2()'s, asked only when the first does not hold the key. */
static __rte_always_inline void
ct_hash1(const struct conn_table *ct, const CT_KEY *k, struct ct_hash *h)
{
	uint32_t a = 0x5a17ce00;
	uint64_t w;
	unsigned i;

	for (i = 0; i < sizeof(*k) / 8; i++) {
		w = ct_key_word(k, i);
		a = sl_crc32c_8byte(w, a);
	}
	h->crc = a;
	h->b1 = ct_reduce(a, ct->nb);
	h->sig = (uint16_t)a;
}

static __rte_always_inline void
ct_hash_b2(const struct conn_table *ct, struct ct_hash *h)
{
	/*
	 * The second bucket must not follow from the first: CRC is linear,
	 * so a CRC with another seed would put every key of a bucket in the
	 * same second bucket. A multiplicative mix of the whole CRC does not.
	 */
	uint32_t b = h->crc ^ 0x9e3779b9;

	b ^= b >> 16;
	b *= 0x85ebca6b;
	b ^= b >> 13;
	b *= 0xc2b2ae35;
	b ^= b >> 16;
	h->b2 = ct_reduce(b, ct->nb);
	if (unlikely(h->b2 == h->b1))
		h->b2 = h->b1 + 1 == ct->nb ? 0 : h->b1 + 1;
}

static __rte_always_inline void
ct_hash(const struct conn_table *ct, const CT_KEY *k, struct ct_hash *h)
{
	ct_hash1(ct, k, h);
	ct_hash_b2(ct, h);
}

/* Index of a record in its table's pool. */
#define conn_idx(t, c) ((uint32_t)((c) - (t)->conns))

static __rte_always_inline uint32_t
ct_ref(uint32_t idx, int dir)
{
	return (idx + 1) << 1 | (uint32_t)dir;
}

/* The record reference @p r names. */
static __rte_always_inline const CT_REC *
ct_rec(const struct conn_table *ct, uint32_t r)
{
	return &ct->recs[(r >> 1) - 1];
}

/* Start loading record @p c, all of it: the key compare may read any
 * of its lines. */
static __rte_always_inline void
ct_prefetch_rec(const CT_REC *c)
{
	rte_prefetch0(c);
	if (sizeof(*c) > RTE_CACHE_LINE_SIZE)
		rte_prefetch0((const uint8_t *)c + RTE_CACHE_LINE_SIZE);
}

/* Bit i set where way i of bucket @p b has signature @p sig (a free
 * way may keep an old one: its reference, 0, tells). */
static __rte_always_inline unsigned
ct_sig_mask(const struct ct_bucket *b, uint16_t sig)
{
#if defined(RTE_ARCH_X86)
	__m128i eq = _mm_cmpeq_epi16(_mm_load_si128((const __m128i *)b->sig),
				     _mm_set1_epi16((short)sig));

	return (unsigned)_mm_movemask_epi8(_mm_packs_epi16(eq, _mm_setzero_si128()));
#else
	unsigned i, m = 0;

	for (i = 0; i < CT_WAYS; i++)
		m |= (unsigned)(b->sig[i] == sig) << i;
	return m;
#endif
}

/* Bit i set where way i of bucket @p b holds reference @p ref (0: the
 * free ways). */
static __rte_always_inline unsigned
ct_ref_mask(const struct ct_bucket *b, uint32_t ref)
{
#if defined(RTE_ARCH_X86)
	__m128i v = _mm_set1_epi32((int)ref);
	__m128i lo = _mm_cmpeq_epi32(_mm_load_si128((const __m128i *)b->ref), v);
	__m128i hi = _mm_cmpeq_epi32(_mm_load_si128((const __m128i *)b->ref + 1), v);

	return (unsigned)_mm_movemask_epi8(_mm_packs_epi16(_mm_packs_epi32(lo, hi),
							   _mm_setzero_si128()));
#else
	unsigned i, m = 0;

	for (i = 0; i < CT_WAYS; i++)
		m |= (unsigned)(b->ref[i] == ref) << i;
	return m;
#endif
}

/* Reference of @p k in bucket @p bi, or 0. */
static __rte_always_inline uint32_t
ct_find_in(const struct conn_table *ct, uint32_t bi, uint16_t sig, const CT_KEY *k)
{
	const struct ct_bucket *b = &ct->b[bi];
	unsigned m;

	for (m = ct_sig_mask(b, sig); m != 0; m &= m - 1) {
		uint32_t r = b->ref[__builtin_ctz(m)];

		if (r != 0 && ct_key_is(ct_rec(ct, r), (int)(r & 1), k))
			return r;
	}
	return 0;
}

/* The first reference in bucket @p bi with signature @p sig, or 0: a
 * candidate, its key not compared. Insertion takes the first free way,
 * so in a table not near full most keys are in the first: it is tried
 * alone before the others are compared at once. */
static __rte_always_inline uint32_t
ct_sig_way(const struct conn_table *ct, uint32_t bi, uint16_t sig)
{
	const struct ct_bucket *b = &ct->b[bi];
	unsigned m;

	if (b->sig[0] == sig && b->ref[0] != 0)
		return b->ref[0];
	for (m = ct_sig_mask(b, sig) & ~1u; m != 0; m &= m - 1) {
		uint32_t r = b->ref[__builtin_ctz(m)];

		if (r != 0)
			return r;
	}
	return 0;
}

static __rte_always_inline uint32_t
ct_find(const struct conn_table *ct, struct ct_hash *h, const CT_KEY *k)
{
	uint32_t r = ct_find_in(ct, h->b1, h->sig, k);

	if (r != 0)
		return r;
	ct_hash_b2(ct, h);
	return ct_find_in(ct, h->b2, h->sig, k);
}

static __rte_always_inline int
ct_free_way(const struct ct_bucket *b)
{
	unsigned m = ct_ref_mask(b, 0);

	return m != 0 ? (int)__builtin_ctz(m) : -1;
}

/*
 * Insert (known absent) into the key's first bucket, else its second
 * (@p h gets its b2 then). When both are full, move one of their
 * entries to its other bucket if that one has room.
 */
static int
ct_insert(struct conn_table *ct, struct ct_hash *h, uint32_t ref)
{
	uint32_t cand[2];
	unsigned c, i;
	int w;

	w = ct_free_way(&ct->b[h->b1]);
	if (likely(w >= 0)) {
		ct->b[h->b1].sig[w] = h->sig;
		ct->b[h->b1].ref[w] = ref;
		return 0;
	}
	ct_hash_b2(ct, h);
	cand[0] = h->b1;
	cand[1] = h->b2;
	w = ct_free_way(&ct->b[h->b2]);
	if (w >= 0) {
		ct->b[h->b2].sig[w] = h->sig;
		ct->b[h->b2].ref[w] = ref;
		return 0;
	}
	for (c = 0; c < 2; c++) {
		struct ct_bucket *b = &ct->b[cand[c]];

		for (i = 0; i < CT_WAYS; i++) {
			uint32_t r = b->ref[i], alt;
			struct ct_hash vh;
			CT_KEY vk;

			ct_key_of(ct_rec(ct, r), (int)(r & 1), &vk);
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

/* Remove reference @p ref of the key whose first bucket and CRC @p h
 * holds (ct_hash1()); its second bucket is mixed only if the first does
 * not hold it. */
static __rte_always_inline void
ct_remove_h(struct conn_table *ct, struct ct_hash *h, uint32_t ref)
{
	unsigned m = ct_ref_mask(&ct->b[h->b1], ref);

	if (likely(m != 0)) {
		ct->b[h->b1].ref[__builtin_ctz(m)] = 0;
		return;
	}
	ct_hash_b2(ct, h);
	m = ct_ref_mask(&ct->b[h->b2], ref);
	if (m != 0)
		ct->b[h->b2].ref[__builtin_ctz(m)] = 0;
}

/* Remove reference @p ref of key @p k. */
static void
ct_remove(struct conn_table *ct, const CT_KEY *k, uint32_t ref)
{
	struct ct_hash h;

	ct_hash1(ct, k, &h);
	ct_remove_h(ct, &h, ref);
}

/*
 * The index of @p capacity connections over @p recs: two keys per
 * connection, buckets at most 75% full. 0, or -ENOMEM.
 */
static int
ct_init(struct conn_table *ct, const char *name, uint32_t capacity, int socket_id,
	const CT_REC *recs)
{
	ct->nb = (uint32_t)(((uint64_t)capacity * 2 * 4 / 3 + CT_WAYS - 1) / CT_WAYS);
	if (ct->nb < 2)
		ct->nb = 2;
	ct->recs = recs;
	ct->b = rte_zmalloc_socket(name, (size_t)ct->nb * sizeof(struct ct_bucket),
				   RTE_CACHE_LINE_SIZE, socket_id);
	return ct->b == NULL ? -ENOMEM : 0;
}

/* The record of key @p k, its direction in @p dir; NULL when absent. */
static __rte_always_inline CT_REC *
ct_lookup(struct CT_TABLE *t, const CT_KEY *k, int *dir)
{
	struct ct_hash h;
	uint32_t r;

	ct_hash1(&t->ct, k, &h);
	r = ct_find(&t->ct, &h, k);
	if (r == 0)
		return NULL;
	*dir = (int)(r & 1);
	return &t->conns[(r >> 1) - 1];
}

/*
 * Look up @p n keys (n <= 64): conns[i] the record of keys[i] or NULL,
 * dirs[i] its direction; the records found are on their way into the
 * cache when it returns. Returns the hits.
 */
static __rte_always_inline int
ct_lookup_bulk(struct CT_TABLE *t, const CT_KEY *const *keys, unsigned n,
	       CT_REC **conns, int *dirs)
{
	const struct conn_table *ct = &t->ct;
	struct ct_hash h[64];
	uint32_t cand[64];
	unsigned i, second = 0;
	int nhit = 0;

	/*
	 * Stages over the whole burst, so that the loads of one stage are
	 * all in flight before the next needs them. A key of an established
	 * connection costs its first bucket and its record: insertion
	 * prefers the first bucket, so the second is loaded (and its index
	 * mixed) only for the keys not found there (new connections,
	 * mostly). Hash every key and start loading its first bucket ...
	 */
	for (i = 0; i < n; i++) {
		ct_hash1(ct, keys[i], &h[i]);
		rte_prefetch0(&ct->b[h[i].b1]);
	}
	/* ... take the first way whose signature matches and start loading
	 * its record (the key compare needs it), or the second bucket ... */
	for (i = 0; i < n; i++) {
		cand[i] = ct_sig_way(ct, h[i].b1, h[i].sig);
		if (cand[i] != 0) {
			ct_prefetch_rec(ct_rec(ct, cand[i]));
		} else {
			ct_hash_b2(ct, &h[i]);
			rte_prefetch0(&ct->b[h[i].b2]);
			second = 1;
		}
	}
	/* ... the same in the second buckets loaded ... */
	for (i = 0; second && i < n; i++)
		if (cand[i] == 0) {
			cand[i] = ct_sig_way(ct, h[i].b2, h[i].sig);
			if (cand[i] != 0)
				ct_prefetch_rec(ct_rec(ct, cand[i]));
		}
	/* ... then compare: a signature that matched another key (rare)
	 * takes the full search */
	for (i = 0; i < n; i++) {
		uint32_t r = cand[i];

		if (r != 0 && !ct_key_is(ct_rec(ct, r), (int)(r & 1), keys[i]))
			r = ct_find(ct, &h[i], keys[i]);

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

/* ---- the wheel ---- */

static inline uint64_t
slot_of(const struct CT_TABLE *t, uint64_t tsc)
{
	return tsc >> t->slot_shift;
}

/*
 * File record @p idx for its deadline: never in the slot the wheel
 * stands on (it may be being emptied) and never a full turn or more
 * ahead (the slot index would wrap onto the current one); a record filed
 * early is simply filed again when the wheel reaches it.
 */
static void
wheel_file(struct CT_TABLE *t, uint32_t idx)
{
	uint64_t abs = slot_of(t, t->conns[idx].expire);
	uint32_t s, head;

	if (abs <= t->wheel_pos)
		abs = t->wheel_pos + 1;
	else if (abs - t->wheel_pos >= WHEEL_SLOTS)
		abs = t->wheel_pos + WHEEL_SLOTS - 1;
	s = (uint32_t)(abs & (WHEEL_SLOTS - 1));
	head = t->wheel[s];
	t->conns[idx].wheel_slot = s;
	t->conns[idx].wheel_prev = NIL;
	t->conns[idx].wheel_next = head;
	if (head != NIL)
		t->conns[head].wheel_prev = idx;
	t->wheel[s] = idx;
}

static void
wheel_unlink(struct CT_TABLE *t, uint32_t idx)
{
	uint32_t prev = t->conns[idx].wheel_prev, next = t->conns[idx].wheel_next;

	if (prev != NIL)
		t->conns[prev].wheel_next = next;
	else
		t->wheel[t->conns[idx].wheel_slot] = next;
	if (next != NIL)
		t->conns[next].wheel_prev = prev;
}

/* ---- records in and out ---- */

/*
 * Put the keys of record @p c (filled in, state set, the top of the free
 * stack) into the index and the record on the wheel. Both keys must be
 * free: inserting over a key another connection holds would leave that
 * one half-mapped. @p check_orig 0: the caller has just missed the
 * client's key, with no add since. 0, or -1 with nothing left behind.
 */
static __rte_always_inline int
ct_add(struct CT_TABLE *t, CT_REC *c, int check_orig, uint64_t now)
{
	uint32_t idx = conn_idx(t, c);
	int two_way = ct_two_way(c);
	struct ct_hash ho, hr;
	CT_KEY ko, kr;

	ct_key_of(c, SL_DIR_ORIG, &ko);
	ct_hash1(&t->ct, &ko, &ho);
	/* a one-direction connection has no reply key; the reply key's
	 * buckets are the add's cache misses: both loads at once */
	if (two_way) {
		ct_key_of(c, SL_DIR_REPLY, &kr);
		ct_hash(&t->ct, &kr, &hr);
		rte_prefetch0(&t->ct.b[hr.b1]);
		rte_prefetch0(&t->ct.b[hr.b2]);
	}
	if (unlikely(check_orig && ct_find(&t->ct, &ho, &ko) != 0))
		return -1;
	if (two_way && unlikely(ct_find_in(&t->ct, hr.b1, hr.sig, &kr) != 0 ||
				ct_find_in(&t->ct, hr.b2, hr.sig, &kr) != 0))
		return -1;
	if (unlikely(ct_insert(&t->ct, &ho, ct_ref(idx, SL_DIR_ORIG)) != 0))
		return -1;
	if (two_way && unlikely(ct_insert(&t->ct, &hr, ct_ref(idx, SL_DIR_REPLY)) != 0)) {
		ct_remove(&t->ct, &ko, ct_ref(idx, SL_DIR_ORIG));
		return -1;
	}
	t->n_free--;
	t->count++;
	c->expire = now + t->head.timeout_ticks[c->state];
	if (t->wheel_pos == UINT64_MAX)
		t->wheel_pos = slot_of(t, now);
	wheel_file(t, idx);
	return 0;
}

/*
 * A hint for the @p ahead-th add from now: start loading the buckets of
 * its reply key @p kr (NULL: none) and the record it will take.
 */
static __rte_always_inline void
ct_prefetch_add(const struct CT_TABLE *t, const CT_KEY *kr, unsigned ahead)
{
	struct ct_hash h;

	if (kr != NULL) {
		ct_hash(&t->ct, kr, &h);
		rte_prefetch0(&t->ct.b[h.b1]);
		rte_prefetch0(&t->ct.b[h.b2]);
	}
	if (ahead < t->n_free)
		ct_prefetch_rec(&t->conns[t->free_stack[t->n_free - 1 - ahead]]);
}

/* Give back a record whose keys are out of the index. */
static __rte_always_inline void
conn_free(struct CT_TABLE *t, CT_REC *c)
{
	c->state = SL_CS_NONE;
	t->free_stack[t->n_free++] = conn_idx(t, c);
	t->count--;
}

/* Keys out, record back to the pool (already off the wheel). */
static void
conn_release(struct CT_TABLE *t, CT_REC *c)
{
	CT_KEY k;

	ct_key_of(c, SL_DIR_ORIG, &k);
	ct_remove(&t->ct, &k, ct_ref(conn_idx(t, c), SL_DIR_ORIG));
	if (ct_two_way(c)) {
		ct_key_of(c, SL_DIR_REPLY, &k);
		ct_remove(&t->ct, &k, ct_ref(conn_idx(t, c), SL_DIR_REPLY));
	}
	conn_free(t, c);
}

/*
 * Expired records are released EXPIRE_BATCH at a time: the buckets of
 * all their keys are loaded together, where one record after another
 * would wait for each of its two buckets in turn (a connection's keys
 * sit in buckets nothing else touches).
 */
#define EXPIRE_BATCH 16

static void
release_expired(struct CT_TABLE *t, CT_REC *const *cs, unsigned n, ct_expire_cb cb, void *arg)
{
	struct ct_hash h[EXPIRE_BATCH][2];
	CT_KEY k;
	unsigned i;

	for (i = 0; i < n; i++) {
		ct_key_of(cs[i], SL_DIR_ORIG, &k);
		ct_hash1(&t->ct, &k, &h[i][0]);
		rte_prefetch0(&t->ct.b[h[i][0].b1]);
		if (ct_two_way(cs[i])) {
			ct_key_of(cs[i], SL_DIR_REPLY, &k);
			ct_hash1(&t->ct, &k, &h[i][1]);
			rte_prefetch0(&t->ct.b[h[i][1].b1]);
		}
	}
	for (i = 0; i < n; i++) {
		CT_REC *c = cs[i];
		uint32_t idx = conn_idx(t, c);

		if (cb != NULL)
			cb(c, arg);
		ct_remove_h(&t->ct, &h[i][0], ct_ref(idx, SL_DIR_ORIG));
		if (ct_two_way(c))
			ct_remove_h(&t->ct, &h[i][1], ct_ref(idx, SL_DIR_REPLY));
		conn_free(t, c);
	}
}

/*
 * Run the wheel up to @p now, visiting at most @p budget records
 * (expired, or filed again for a deadline that has moved on). Returns
 * how many expired.
 */
static unsigned
ct_expire(struct CT_TABLE *t, uint64_t now, unsigned budget, ct_expire_cb cb, void *arg)
{
	uint64_t target = slot_of(t, now);
	CT_REC *batch[EXPIRE_BATCH];
	unsigned done = 0, visited = 0, nb = 0;

	if (t->wheel_pos == UINT64_MAX) {
		t->wheel_pos = target;
		return 0;
	}
	while (t->wheel_pos <= target) {
		uint32_t s = (uint32_t)(t->wheel_pos & (WHEEL_SLOTS - 1));

		while (t->wheel[s] != NIL) {
			uint32_t idx = t->wheel[s];
			CT_REC *c = &t->conns[idx];

			if (visited++ >= budget)
				goto out;
			wheel_unlink(t, idx);
			if (c->expire <= now) {
				batch[nb++] = c;
				if (nb == EXPIRE_BATCH) {
					release_expired(t, batch, nb, cb, arg);
					done += nb;
					nb = 0;
				}
			} else {
				/* deadline moved on: file it again */
				wheel_file(t, idx);
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

/* A deadline earlier than record @p c's (a shorter timeout: RST, FIN;
 * the touch itself is sl_flow_touch(), inline): lazy re-arming only ever
 * moves deadlines later, so file it again. */
static void
ct_refile(struct CT_TABLE *t, CT_REC *c, uint64_t deadline)
{
	c->expire = deadline;
	wheel_unlink(t, conn_idx(t, c));
	wheel_file(t, conn_idx(t, c));
}

/* As sl_flow_walk_range(). */
static uint32_t
ct_walk_range(struct CT_TABLE *t, uint32_t start, uint32_t count,
	      int (*fn)(const CT_REC *c, void *arg), void *arg)
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

/* ---- create / free ---- */

static void
ct_table_free(struct CT_TABLE *t)
{
	if (t == NULL)
		return;
	rte_free(t->ct.b);
	rte_free(t->conns);
	rte_free(t->free_stack);
	rte_free(t->wheel);
	rte_free(t);
}

/* As sl_flow_create(). */
static struct CT_TABLE *
ct_table_create(const struct sl_flow_params *p)
{
	struct CT_TABLE *t;
	uint32_t i;

	if (p == NULL || p->name == NULL || p->capacity == 0 ||
	    p->capacity > CT_CAPACITY_MAX || p->hz == 0 || p->timeouts == NULL) {
		rte_errno = EINVAL;
		return NULL;
	}
	t = rte_zmalloc_socket("sl_flow", sizeof(*t), RTE_CACHE_LINE_SIZE, p->socket_id);
	if (t == NULL)
		goto err_nomem;
	t->capacity = p->capacity;
	while ((p->hz / WHEEL_HZ_DIV) >> (t->slot_shift + 1) != 0)
		t->slot_shift++;
	for (i = 0; i < SL_CS_MAX; i++)
		t->head.timeout_ticks[i] = (uint64_t)p->timeouts[i] * p->hz;
	t->conns = rte_zmalloc_socket("sl_conns", (size_t)p->capacity * sizeof(CT_REC),
				      RTE_CACHE_LINE_SIZE, p->socket_id);
	t->free_stack = rte_malloc_socket("sl_conn_free",
					  (size_t)p->capacity * sizeof(uint32_t),
					  0, p->socket_id);
	t->wheel = rte_malloc_socket("sl_wheel", WHEEL_SLOTS * sizeof(uint32_t),
				     RTE_CACHE_LINE_SIZE, p->socket_id);
	if (t->conns == NULL || t->free_stack == NULL || t->wheel == NULL ||
	    ct_init(&t->ct, p->name, p->capacity, p->socket_id, t->conns) != 0)
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
	ct_table_free(t);
	rte_errno = ENOMEM;
	return NULL;
}

#endif
