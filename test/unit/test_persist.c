/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Client affinity cache: set/lookup/del, the expiry window and its
 * refresh, independence of services and clients, eviction of the entry
 * nearest expiry when a bucket's four ways are live, the size asked of
 * create, and a table loaded past its capacity.
 *
 * Time is a fake TSC: plain numbers passed as @c now and @c expire.
 * Bucket-mates are found without copying the table's hash: a client set
 * into an empty table lands in way 0 of its bucket, so its position in
 * the public entry array gives the bucket.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <CUnit/CUnit.h>
#include <rte_errno.h>
#include <rte_memory.h>

#include "sl_persist.h"
#include "sl_test.h"

static rte_be32_t
ip4(uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
	return htonl((uint32_t)a << 24 | (uint32_t)b << 16 | (uint32_t)c << 8 | d);
}

/* A bijection of 32-bit numbers (murmur3's finaliser): distinct,
 * well-spread client addresses from a counter. */
static rte_be32_t
client(uint32_t i)
{
	i ^= i >> 16;
	i *= 0x85ebca6bu;
	i ^= i >> 13;
	i *= 0xc2b2ae35u;
	i ^= i >> 16;
	return (rte_be32_t)i;
}

/* 1 if (svc, cip) is found at @p now with exactly @p slot and @p gen. */
static int
has(struct sl_persist *p, uint16_t svc, rte_be32_t cip, uint64_t now,
    uint16_t slot, uint32_t gen)
{
	uint16_t s = 0xdead;
	uint32_t g = 0xdeadbeef;

	if (!sl_persist_lookup(p, svc, cip, now, &s, &g))
		return 0;
	return s == slot && g == gen;
}

/* 1 if (svc, cip) is not found at @p now, and the outputs are untouched. */
static int
hasnt(struct sl_persist *p, uint16_t svc, rte_be32_t cip, uint64_t now)
{
	uint16_t s = 0xdead;
	uint32_t g = 0xdeadbeef;

	return sl_persist_lookup(p, svc, cip, now, &s, &g) == 0 &&
		s == 0xdead && g == 0xdeadbeef;
}

static void
test_create(void)
{
	static const uint32_t sizes[] = { 0, 1, 3, 4, 5, 7, 8, 1000, 4096, 4097,
					  65536, 65537, 100000 };
	struct sl_persist *p;
	unsigned i, j, dirty;

	for (i = 0; i < RTE_DIM(sizes); i++) {
		p = sl_persist_create(sizes[i], SOCKET_ID_ANY);
		CU_ASSERT_PTR_NOT_NULL_FATAL(p);
		CU_ASSERT_PTR_NOT_NULL_FATAL(p->e);
		/* a power of two of buckets, holding at least what was asked */
		CU_ASSERT_EQUAL((p->mask + 1) & p->mask, 0);
		CU_ASSERT((uint64_t)(p->mask + 1) * SL_PERSIST_WAYS >= sizes[i]);
		if ((uint64_t)(p->mask + 1) * SL_PERSIST_WAYS < sizes[i])
			fprintf(stderr, "\n    sl_persist_create(%u): %u entries\n",
				sizes[i], (p->mask + 1) * SL_PERSIST_WAYS);
		/* and not wildly more: under 2x plus one bucket */
		CU_ASSERT((uint64_t)(p->mask + 1) * SL_PERSIST_WAYS <
			  2 * (uint64_t)sizes[i] + 2 * SL_PERSIST_WAYS);
		/* all free */
		dirty = 0;
		for (j = 0; j < (p->mask + 1) * SL_PERSIST_WAYS; j++)
			if (p->e[j].expire != 0)
				dirty++;
		CU_ASSERT_EQUAL(dirty, 0);
		sl_persist_free(p);
	}
	sl_persist_free(NULL);
}

static void
test_set_lookup_expire(void)
{
	struct sl_persist *p = sl_persist_create(65536, SOCKET_ID_ANY);
	rte_be32_t a = ip4(192, 0, 2, 10);

	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT(hasnt(p, 1, a, 0));
	sl_persist_set(p, 1, a, 7, 3, 1000);
	CU_ASSERT(has(p, 1, a, 0, 7, 3));
	CU_ASSERT(has(p, 1, a, 500, 7, 3));
	CU_ASSERT(has(p, 1, a, 999, 7, 3));
	/* now >= expire: gone */
	CU_ASSERT(hasnt(p, 1, a, 1000));
	CU_ASSERT(hasnt(p, 1, a, 1001));
	CU_ASSERT(hasnt(p, 1, a, UINT64_MAX));
	/* a lookup does not consume the entry: earlier times still see it */
	CU_ASSERT(has(p, 1, a, 999, 7, 3));

	/* large TSC values and the full ranges of slot and gen */
	sl_persist_set(p, 1, a, 0xffff, 0xffffffffu, 0x8000000000000000ull);
	CU_ASSERT(has(p, 1, a, 0x7fffffffffffffffull, 0xffff, 0xffffffffu));
	CU_ASSERT(hasnt(p, 1, a, 0x8000000000000000ull));

	/* 0.0.0.0 in service 0 looks like a free entry, yet works */
	CU_ASSERT(hasnt(p, 0, 0, 0));
	sl_persist_set(p, 0, 0, 9, 1, 50);
	CU_ASSERT(has(p, 0, 0, 10, 9, 1));
	CU_ASSERT(hasnt(p, 0, 0, 50));
	sl_persist_del(p, 0, 0);
	CU_ASSERT(hasnt(p, 0, 0, 10));
	sl_persist_free(p);
}

static void
test_refresh(void)
{
	struct sl_persist *p = sl_persist_create(65536, SOCKET_ID_ANY);
	rte_be32_t a = ip4(198, 51, 100, 7);

	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	sl_persist_set(p, 4, a, 11, 1, 1000);
	/* a new connection at 600 restarts the window: until 1600 */
	sl_persist_set(p, 4, a, 11, 1, 1600);
	CU_ASSERT(has(p, 4, a, 1000, 11, 1));   /* the old expiry */
	CU_ASSERT(has(p, 4, a, 1599, 11, 1));
	CU_ASSERT(hasnt(p, 4, a, 1600));
	/* set after expiry: a new window, new backend */
	sl_persist_set(p, 4, a, 12, 2, 3000);
	CU_ASSERT(has(p, 4, a, 1600, 12, 2));
	CU_ASSERT(has(p, 4, a, 2999, 12, 2));
	CU_ASSERT(hasnt(p, 4, a, 3000));
	/* the last set wins, even with an earlier deadline */
	sl_persist_set(p, 4, a, 13, 3, 2000);
	CU_ASSERT(has(p, 4, a, 1999, 13, 3));
	CU_ASSERT(hasnt(p, 4, a, 2000));
	sl_persist_free(p);

	/* a refresh rewrites the client's entry in place: in a one-bucket
	 * table, K, A, B, K again and C all fit in four ways (a second
	 * entry for K would have pushed A, the nearest expiry, out) */
	p = sl_persist_create(4, SOCKET_ID_ANY);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_EQUAL(p->mask, 0);
	sl_persist_set(p, 1, client(100), 1, 1, 400);
	sl_persist_set(p, 1, client(101), 2, 1, 200);
	sl_persist_set(p, 1, client(102), 3, 1, 300);
	sl_persist_set(p, 1, client(100), 4, 1, 500);
	sl_persist_set(p, 1, client(103), 5, 1, 600);
	CU_ASSERT(has(p, 1, client(100), 150, 4, 1));
	CU_ASSERT(has(p, 1, client(101), 150, 2, 1));
	CU_ASSERT(has(p, 1, client(102), 150, 3, 1));
	CU_ASSERT(has(p, 1, client(103), 150, 5, 1));
	CU_ASSERT(has(p, 1, client(100), 450, 4, 1));
	sl_persist_free(p);
}

static void
test_independent(void)
{
	struct sl_persist *p = sl_persist_create(65536, SOCKET_ID_ANY);
	rte_be32_t a = ip4(203, 0, 113, 1), b = ip4(203, 0, 113, 2);

	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	sl_persist_set(p, 1, a, 10, 1, 1000);
	/* another service, another client: nothing */
	CU_ASSERT(hasnt(p, 2, a, 0));
	CU_ASSERT(hasnt(p, 1, b, 0));
	CU_ASSERT(hasnt(p, 0, a, 0));
	CU_ASSERT(hasnt(p, 0x101, a, 0));
	/* each its own slot, gen and window */
	sl_persist_set(p, 2, a, 20, 2, 2000);
	sl_persist_set(p, 1, b, 30, 3, 3000);
	sl_persist_set(p, 2, b, 40, 4, 4000);
	CU_ASSERT(has(p, 1, a, 0, 10, 1));
	CU_ASSERT(has(p, 2, a, 0, 20, 2));
	CU_ASSERT(has(p, 1, b, 0, 30, 3));
	CU_ASSERT(has(p, 2, b, 0, 40, 4));
	CU_ASSERT(hasnt(p, 1, a, 1000));
	CU_ASSERT(has(p, 2, a, 1000, 20, 2));
	CU_ASSERT(has(p, 1, b, 2000, 30, 3));
	CU_ASSERT(has(p, 2, b, 3000, 40, 4));
	/* byte order matters: the swapped address is another client */
	CU_ASSERT(hasnt(p, 1, (rte_be32_t)ntohl(a), 0));

	/* forgetting one forgets only it */
	sl_persist_del(p, 2, a);
	CU_ASSERT(hasnt(p, 2, a, 0));
	CU_ASSERT(has(p, 1, a, 0, 10, 1));
	CU_ASSERT(has(p, 1, b, 0, 30, 3));
	CU_ASSERT(has(p, 2, b, 0, 40, 4));
	sl_persist_free(p);

	/* the same in one bucket, where only the stored keys tell them apart */
	p = sl_persist_create(4, SOCKET_ID_ANY);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	sl_persist_set(p, 1, a, 10, 1, 1000);
	CU_ASSERT(hasnt(p, 2, a, 0));
	CU_ASSERT(hasnt(p, 1, b, 0));
	sl_persist_set(p, 2, a, 20, 2, 2000);
	sl_persist_set(p, 1, b, 30, 3, 3000);
	sl_persist_set(p, 2, b, 40, 4, 4000);
	CU_ASSERT(has(p, 1, a, 0, 10, 1));
	CU_ASSERT(has(p, 2, a, 0, 20, 2));
	CU_ASSERT(has(p, 1, b, 0, 30, 3));
	CU_ASSERT(has(p, 2, b, 0, 40, 4));
	CU_ASSERT(hasnt(p, 3, a, 0));
	CU_ASSERT(hasnt(p, 1, ip4(203, 0, 113, 3), 0));
	CU_ASSERT(hasnt(p, 1, a, 1000));
	CU_ASSERT(has(p, 2, a, 1000, 20, 2));
	sl_persist_del(p, 2, a);
	CU_ASSERT(hasnt(p, 2, a, 0));
	CU_ASSERT(has(p, 1, a, 0, 10, 1));
	CU_ASSERT(has(p, 1, b, 0, 30, 3));
	CU_ASSERT(has(p, 2, b, 0, 40, 4));
	sl_persist_del(p, 1, b);
	CU_ASSERT(hasnt(p, 1, b, 0));
	CU_ASSERT(has(p, 1, a, 0, 10, 1));
	CU_ASSERT(has(p, 2, b, 0, 40, 4));
	sl_persist_free(p);
}

static void
test_del(void)
{
	struct sl_persist *p = sl_persist_create(1024, SOCKET_ID_ANY);
	rte_be32_t a = ip4(192, 0, 2, 77);

	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	/* unknown: harmless */
	sl_persist_del(p, 3, a);
	CU_ASSERT(hasnt(p, 3, a, 0));
	sl_persist_set(p, 3, a, 5, 9, 1000);
	CU_ASSERT(has(p, 3, a, 0, 5, 9));
	sl_persist_del(p, 3, a);
	CU_ASSERT(hasnt(p, 3, a, 0));
	CU_ASSERT(hasnt(p, 3, a, 999));
	sl_persist_del(p, 3, a);   /* twice */
	CU_ASSERT(hasnt(p, 3, a, 0));
	/* set again after del */
	sl_persist_set(p, 3, a, 6, 10, 2000);
	CU_ASSERT(has(p, 3, a, 1500, 6, 10));
	sl_persist_free(p);

	/* a forgotten entry makes room: no live entry is evicted */
	p = sl_persist_create(4, SOCKET_ID_ANY);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	sl_persist_set(p, 1, client(1), 1, 0, 100);
	sl_persist_set(p, 1, client(2), 2, 0, 5000);
	sl_persist_set(p, 1, client(3), 3, 0, 6000);
	sl_persist_set(p, 1, client(4), 4, 0, 7000);
	sl_persist_del(p, 1, client(3));
	sl_persist_set(p, 1, client(5), 5, 0, 8000);
	CU_ASSERT(has(p, 1, client(1), 50, 1, 0));
	CU_ASSERT(has(p, 1, client(2), 50, 2, 0));
	CU_ASSERT(hasnt(p, 1, client(3), 50));
	CU_ASSERT(has(p, 1, client(4), 50, 4, 0));
	CU_ASSERT(has(p, 1, client(5), 50, 5, 0));
	sl_persist_free(p);
}

/* Fill (svc, @p cips[0..3]) with expiries @p exp, set @p cips[4] expiring
 * at 9000 and check that only the entry with the least expiry went. */
static void
evict_check(struct sl_persist *p, uint16_t svc, const rte_be32_t *cips,
	    const uint64_t *exp)
{
	unsigned i, victim = 0;

	for (i = 0; i < 4; i++) {
		sl_persist_set(p, svc, cips[i], (uint16_t)(100 + i), i, exp[i]);
		if (exp[i] < exp[victim])
			victim = i;
	}
	for (i = 0; i < 4; i++)
		CU_ASSERT(has(p, svc, cips[i], 0, (uint16_t)(100 + i), i));
	sl_persist_set(p, svc, cips[4], 104, 4, 9000);
	CU_ASSERT(has(p, svc, cips[4], 0, 104, 4));
	for (i = 0; i < 4; i++) {
		if (i == victim) {
			CU_ASSERT(hasnt(p, svc, cips[i], 0));
		} else {
			CU_ASSERT(has(p, svc, cips[i], 0, (uint16_t)(100 + i), i));
		}
	}
}

static void
test_evict_tiny(void)
{
	static const uint64_t exp1[4] = { 4000, 1000, 3000, 2000 };
	static const uint64_t exp2[4] = { 5000, 6000, 7000, 4500 };
	rte_be32_t cips[6];
	struct sl_persist *p;
	unsigned i;

	for (i = 0; i < 6; i++)
		cips[i] = ip4(10, 9, 8, (uint8_t)(i + 1));
	/* 4 entries: one bucket, every client in it */
	p = sl_persist_create(4, SOCKET_ID_ANY);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_EQUAL(p->mask, 0);
	evict_check(p, 1, cips, exp1);
	sl_persist_free(p);

	p = sl_persist_create(4, SOCKET_ID_ANY);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	evict_check(p, 2, cips, exp2);
	/* a 6th: now the 5000 one is nearest (4500 went before) */
	sl_persist_set(p, 2, cips[5], 105, 5, 9500);
	CU_ASSERT(hasnt(p, 2, cips[0], 0));
	CU_ASSERT(has(p, 2, cips[1], 0, 101, 1));
	CU_ASSERT(has(p, 2, cips[2], 0, 102, 2));
	CU_ASSERT(hasnt(p, 2, cips[3], 0));
	CU_ASSERT(has(p, 2, cips[4], 0, 104, 4));
	CU_ASSERT(has(p, 2, cips[5], 0, 105, 5));
	sl_persist_free(p);

	/* an expired entry is nearest: it goes, the live ones stay */
	p = sl_persist_create(4, SOCKET_ID_ANY);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	sl_persist_set(p, 3, cips[0], 1, 0, 7000);
	sl_persist_set(p, 3, cips[1], 2, 0, 100);     /* expired by now = 200 */
	sl_persist_set(p, 3, cips[2], 3, 0, 6000);
	sl_persist_set(p, 3, cips[3], 4, 0, 5000);
	CU_ASSERT(hasnt(p, 3, cips[1], 200));
	sl_persist_set(p, 3, cips[4], 5, 0, 8000);
	CU_ASSERT(has(p, 3, cips[0], 200, 1, 0));
	CU_ASSERT(has(p, 3, cips[2], 200, 3, 0));
	CU_ASSERT(has(p, 3, cips[3], 200, 4, 0));
	CU_ASSERT(has(p, 3, cips[4], 200, 5, 0));
	CU_ASSERT(hasnt(p, 3, cips[1], 0));
	sl_persist_free(p);
}

/* Bucket of (svc, cip) in tables with @p p's mask: set it into empty
 * @p p (way 0 of its bucket), find it, forget it. -1 if not found. */
static long
bucket_of(struct sl_persist *p, uint16_t svc, rte_be32_t cip)
{
	uint32_t i, n = (p->mask + 1) * SL_PERSIST_WAYS, n_live = 0;
	long b = -1;

	sl_persist_set(p, svc, cip, 1, 1, 1);
	for (i = 0; i < n; i++) {
		if (p->e[i].expire == 0)
			continue;
		n_live++;
		if (p->e[i].cip == cip && p->e[i].svc == svc &&
		    i % SL_PERSIST_WAYS == 0)
			b = (long)(i / SL_PERSIST_WAYS);
	}
	sl_persist_del(p, svc, cip);
	return n_live == 1 ? b : -1;
}

static void
test_evict_bucket(void)
{
	static const uint64_t exp[4] = { 3000, 2000, 4000, 2500 };
	struct sl_persist *scratch, *p;
	rte_be32_t mates[5], other;
	long b0 = -1, b;
	uint32_t i, n_mates = 0, tries = 0;

	/* 1024 entries: 256 buckets */
	scratch = sl_persist_create(1024, SOCKET_ID_ANY);
	p = sl_persist_create(1024, SOCKET_ID_ANY);
	CU_ASSERT_PTR_NOT_NULL_FATAL(scratch);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_EQUAL(p->mask, 255);
	/* brute force: clients whose bucket is that of the first */
	for (i = 0; n_mates < 5 && i < 100000; i++) {
		b = bucket_of(scratch, 7, client(1000 + i));
		tries++;
		CU_ASSERT(b >= 0);
		if (b < 0)
			break;
		if (b0 < 0)
			b0 = b;
		if (b == b0)
			mates[n_mates++] = client(1000 + i);
	}
	CU_ASSERT_EQUAL_FATAL(n_mates, 5);
	/* and one in another bucket, set before and kept after */
	for (i = 0; i < 1000; i++) {
		other = client(500000 + i);
		b = bucket_of(scratch, 7, other);
		if (b >= 0 && b != b0)
			break;
	}
	CU_ASSERT_FATAL(b >= 0 && b != b0);
	sl_persist_set(p, 7, other, 77, 7, 1500);
	evict_check(p, 7, mates, exp);
	CU_ASSERT(has(p, 7, other, 0, 77, 7));
	/* all five share a bucket: four ways, exactly four found */
	for (i = 0, b = 0; i < 5; i++)
		if (!hasnt(p, 7, mates[i], 0))
			b++;
	CU_ASSERT_EQUAL(b, 4);
	sl_persist_free(p);
	sl_persist_free(scratch);
}

#define LOAD_CLIENTS 100000u
#define LOAD_ENTRIES 65536u

static void
test_load(void)
{
	struct sl_persist *p = sl_persist_create(LOAD_ENTRIES, SOCKET_ID_ANY);
	uint32_t i, miss = 0, found = 0, wrong = 0;
	uint16_t s;
	uint32_t g;

	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	/* later clients expire later: eviction takes the oldest */
	for (i = 0; i < LOAD_CLIENTS; i++) {
		sl_persist_set(p, (uint16_t)(i % 3), client(i), (uint16_t)i, i,
			       1000000 + i);
		if (!has(p, (uint16_t)(i % 3), client(i), 0, (uint16_t)i, i))
			miss++;
	}
	CU_ASSERT_EQUAL(miss, 0);
	/* afterwards: no more than fit, never another client's backend */
	for (i = 0; i < LOAD_CLIENTS; i++) {
		if (sl_persist_lookup(p, (uint16_t)(i % 3), client(i), 0, &s, &g)) {
			found++;
			if (s != (uint16_t)i || g != i)
				wrong++;
		}
	}
	CU_ASSERT_EQUAL(wrong, 0);
	CU_ASSERT(found <= LOAD_ENTRIES);
	/* 6.1 clients per 4-way bucket on average: nearly every way used */
	CU_ASSERT(found >= LOAD_ENTRIES * 9 / 10);
	/* the newest client is always there */
	CU_ASSERT(has(p, (LOAD_CLIENTS - 1) % 3, client(LOAD_CLIENTS - 1), 0,
		      (uint16_t)(LOAD_CLIENTS - 1), LOAD_CLIENTS - 1));
	fprintf(stderr, "\n    %u clients, %u-entry table: %u still found (%.1f%% of "
		"the entries)\n", LOAD_CLIENTS, LOAD_ENTRIES, found,
		100.0 * found / LOAD_ENTRIES);
	/* past everyone's window: nothing */
	for (i = 0, found = 0; i < LOAD_CLIENTS; i++)
		if (!hasnt(p, (uint16_t)(i % 3), client(i), 1000000 + LOAD_CLIENTS))
			found++;
	CU_ASSERT_EQUAL(found, 0);
	sl_persist_free(p);
}

static const struct sl_test_case persist_tests[] = {
	{ "create sizes", test_create },
	{ "set, lookup, expiry", test_set_lookup_expire },
	{ "refresh restarts the window", test_refresh },
	{ "services and clients independent", test_independent },
	{ "del", test_del },
	{ "eviction, one-bucket table", test_evict_tiny },
	{ "eviction, bucket-mates by brute force", test_evict_bucket },
	{ "100000 clients, 65536 entries", test_load },
};

/* tables live in rte_malloc memory */
SL_TEST_MAIN("persist",
	SL_TEST_SUITE("persist", NULL, NULL, persist_tests));
