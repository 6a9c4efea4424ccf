/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Neighbour table: add/find, learning, the worker-side MAC word, hold
 * queues, ARP retries and refresh driven by a fake clock, references and
 * the reuse of freed entries, ARP frame build/parse, and neighbour
 * discovery frames (built, checked byte by byte and with the reference
 * checksum of sl_testpkt.c, parsed back; malformed ones refused).
 */
#include <stdio.h>
#include <string.h>
#include <errno.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <CUnit/CUnit.h>
#include <rte_arp.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "sl_neigh.h"
#include "sl_test.h"
#include "sl_testpkt.h"

#define HZ 1000ULL                  /* fake TSC: one tick per ms */

static struct rte_mempool *pool;

static rte_be32_t
ip4(uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
	return htonl((uint32_t)a << 24 | (uint32_t)b << 16 | (uint32_t)c << 8 | d);
}

static const struct rte_ether_addr mac_a = {{ 0xfe, 0xdc, 0xba, 0x98, 0x76, 0x54 }};
static const struct rte_ether_addr mac_b = {{ 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 }};
static const struct rte_ether_addr mac_0 = {{ 0, 0, 0, 0, 0, 0 }};

static int
mac_eq(const struct rte_ether_addr *x, const struct rte_ether_addr *y)
{
	return memcmp(x->addr_bytes, y->addr_bytes, RTE_ETHER_ADDR_LEN) == 0;
}

static void
test_create(void)
{
	struct sl_neigh_table *t;

	rte_errno = 0;
	CU_ASSERT_PTR_NULL(sl_neigh_create(0, (int)rte_socket_id()));
	CU_ASSERT_EQUAL(rte_errno, EINVAL);
	t = sl_neigh_create(1, (int)rte_socket_id());
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	CU_ASSERT_EQUAL(t->capacity, 1);
	CU_ASSERT_EQUAL(t->count, 0);
	sl_neigh_free(t);
	sl_neigh_free(NULL);
}

static void
test_add_find(void)
{
	struct sl_neigh_table *t = sl_neigh_create(4, (int)rte_socket_id());
	rte_be32_t a = ip4(10, 0, 0, 1), b = ip4(10, 0, 0, 2);
	rte_be32_t c = ip4(10, 1, 0, 1), d = ip4(10, 1, 0, 2);

	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	CU_ASSERT_EQUAL(sl_neigh_find(t, 0, a), -ENOENT);

	CU_ASSERT_EQUAL(sl_neigh_add(t, 0, a), 0);
	CU_ASSERT_EQUAL(sl_neigh_add(t, 0, a), 0);      /* idempotent */
	CU_ASSERT_EQUAL(t->count, 1);
	CU_ASSERT_EQUAL(sl_neigh_add(t, 1, a), 1);      /* other port: other entry */
	CU_ASSERT_EQUAL(sl_neigh_add(t, 0, b), 2);
	CU_ASSERT_EQUAL(sl_neigh_add(t, 0, a), 0);
	CU_ASSERT_EQUAL(sl_neigh_add(t, 1, a), 1);
	CU_ASSERT_EQUAL(t->count, 3);

	CU_ASSERT_EQUAL(sl_neigh_find(t, 0, a), 0);
	CU_ASSERT_EQUAL(sl_neigh_find(t, 1, a), 1);
	CU_ASSERT_EQUAL(sl_neigh_find(t, 0, b), 2);
	CU_ASSERT_EQUAL(sl_neigh_find(t, 1, b), -ENOENT);
	CU_ASSERT_EQUAL(sl_neigh_find(t, 0, c), -ENOENT);
	CU_ASSERT_EQUAL(t->meta[2].ip, b);
	CU_ASSERT_EQUAL(t->meta[2].port, 0);
	CU_ASSERT_EQUAL(t->meta[1].port, 1);

	CU_ASSERT_EQUAL(sl_neigh_add(t, 1, c), 3);
	CU_ASSERT_EQUAL(t->count, 4);
	/* full: new entries refused, existing ones still answered */
	CU_ASSERT_EQUAL(sl_neigh_add(t, 1, d), -ENOSPC);
	CU_ASSERT_EQUAL(sl_neigh_add(t, 2, a), -ENOSPC);
	CU_ASSERT_EQUAL(sl_neigh_add(t, 1, c), 3);
	CU_ASSERT_EQUAL(sl_neigh_add(t, 0, a), 0);
	CU_ASSERT_EQUAL(sl_neigh_find(t, 1, d), -ENOENT);
	CU_ASSERT_EQUAL(t->count, 4);
	sl_neigh_free(t);
}

static void
test_learn_mac(void)
{
	struct sl_neigh_table *t = sl_neigh_create(8, (int)rte_socket_id());
	rte_be32_t a = ip4(10, 0, 0, 1), b = ip4(10, 0, 0, 2);
	struct rte_ether_addr m;
	int ia, ib, ia1;

	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	ia = sl_neigh_add(t, 0, a);
	ib = sl_neigh_add(t, 0, b);
	ia1 = sl_neigh_add(t, 1, a);
	CU_ASSERT_FATAL(ia >= 0 && ib >= 0 && ia1 >= 0);

	CU_ASSERT_EQUAL(sl_neigh_mac(t, ia, &m), 0);
	CU_ASSERT_EQUAL(sl_neigh_mac(t, ib, &m), 0);

	/* only known entries learn: ARP traffic cannot fill the table */
	CU_ASSERT_EQUAL(sl_neigh_learn(t, 0, ip4(10, 0, 0, 9), &mac_a, 5 * HZ), -ENOENT);
	CU_ASSERT_EQUAL(sl_neigh_learn(t, 2, a, &mac_a, 5 * HZ), -ENOENT);
	CU_ASSERT_EQUAL(t->count, 3);
	CU_ASSERT_EQUAL(sl_neigh_mac(t, ia, &m), 0);

	CU_ASSERT_EQUAL(sl_neigh_learn(t, 0, a, &mac_a, 5 * HZ), ia);
	memset(&m, 0xee, sizeof(m));
	CU_ASSERT_EQUAL(sl_neigh_mac(t, ia, &m), 1);
	CU_ASSERT(mac_eq(&m, &mac_a));
	CU_ASSERT_EQUAL(t->meta[ia].updated, 5 * HZ);
	/* same address on another port, and the other entry: unaffected */
	CU_ASSERT_EQUAL(sl_neigh_mac(t, ia1, &m), 0);
	CU_ASSERT_EQUAL(sl_neigh_mac(t, ib, &m), 0);

	/* a MAC change is picked up; an all-zero MAC is still "resolved" */
	CU_ASSERT_EQUAL(sl_neigh_learn(t, 0, a, &mac_b, 6 * HZ), ia);
	CU_ASSERT_EQUAL(sl_neigh_mac(t, ia, &m), 1);
	CU_ASSERT(mac_eq(&m, &mac_b));
	CU_ASSERT_EQUAL(sl_neigh_learn(t, 0, b, &mac_0, 6 * HZ), ib);
	memset(&m, 0xee, sizeof(m));
	CU_ASSERT_EQUAL(sl_neigh_mac(t, ib, &m), 1);
	CU_ASSERT(mac_eq(&m, &mac_0));
	CU_ASSERT_EQUAL(sl_neigh_learn(t, 1, a, &mac_a, 7 * HZ), ia1);
	CU_ASSERT_EQUAL(sl_neigh_mac(t, ia1, &m), 1);
	CU_ASSERT(mac_eq(&m, &mac_a));
	CU_ASSERT_EQUAL(sl_neigh_mac(t, ia, &m), 1);
	CU_ASSERT(mac_eq(&m, &mac_b));
	sl_neigh_free(t);
}

/* IPv6 next hops: their own entries, apart from IPv4 ones, learnt,
 * counted and freed like them */
static void
test_v6_entries(void)
{
	struct sl_neigh_table *t = sl_neigh_create(8, (int)rte_socket_id());
	struct sl_in6 a = { .b = { 0x20, 0x01, 0x0d, 0xb8, [15] = 0x11 } };
	struct sl_in6 b = { .b = { 0x20, 0x01, 0x0d, 0xb8, [15] = 0x12 } };
	/* an IPv6 address whose first word reads as an IPv4 entry's address */
	struct sl_in6 c = { .b = { 10, 0, 0, 1 } };
	struct rte_ether_addr m;
	int ia, ib, ic, i4;

	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	i4 = sl_neigh_add(t, 0, ip4(10, 0, 0, 1));
	ia = sl_neigh_add6(t, 0, &a);
	ib = sl_neigh_add6(t, 0, &b);
	ic = sl_neigh_add6(t, 0, &c);
	CU_ASSERT_FATAL(i4 >= 0 && ia >= 0 && ib >= 0 && ic >= 0);
	CU_ASSERT(ia != ib && ia != ic && i4 != ic);
	CU_ASSERT_EQUAL(t->live, 4);
	/* found by family and address */
	CU_ASSERT_EQUAL(sl_neigh_find6(t, 0, &a), ia);
	CU_ASSERT_EQUAL(sl_neigh_find6(t, 1, &a), -ENOENT);
	CU_ASSERT_EQUAL(sl_neigh_find(t, 0, ip4(10, 0, 0, 1)), i4);
	CU_ASSERT_EQUAL(sl_neigh_find6(t, 0, &c), ic);
	CU_ASSERT_EQUAL(t->meta[SL_NEIGH_IDX(ia)].v6, 1);
	CU_ASSERT_EQUAL(t->meta[SL_NEIGH_IDX(i4)].v6, 0);
	/* a second add is a reference */
	CU_ASSERT_EQUAL(sl_neigh_add6(t, 0, &a), ia);
	CU_ASSERT_EQUAL(t->meta[SL_NEIGH_IDX(ia)].refs, 2);
	/* learning one family does not resolve the other */
	CU_ASSERT_EQUAL(sl_neigh_learn6(t, 0, &a, &mac_a, 5 * HZ), ia);
	CU_ASSERT_EQUAL(sl_neigh_mac(t, ia, &m), 1);
	CU_ASSERT(mac_eq(&m, &mac_a));
	CU_ASSERT_EQUAL(sl_neigh_mac(t, ib, &m), 0);
	CU_ASSERT_EQUAL(sl_neigh_learn(t, 0, ip4(10, 0, 0, 1), &mac_b, 5 * HZ), i4);
	CU_ASSERT_EQUAL(sl_neigh_mac(t, ic, &m), 0);
	CU_ASSERT_EQUAL(sl_neigh_learn6(t, 0, &c, &mac_a, 6 * HZ), ic);
	CU_ASSERT_EQUAL(sl_neigh_mac(t, i4, &m), 1);
	CU_ASSERT(mac_eq(&m, &mac_b));
	CU_ASSERT_EQUAL(sl_neigh_learn6(t, 2, &b, &mac_a, 6 * HZ), -ENOENT);
	/* freed with its last reference; the slot comes back as IPv4 clean */
	CU_ASSERT_EQUAL(sl_neigh_unref(t, (uint32_t)ib), 0);
	CU_ASSERT_EQUAL(sl_neigh_find6(t, 0, &b), -ENOENT);
	i4 = sl_neigh_add(t, 0, ip4(10, 0, 0, 2));
	CU_ASSERT_FATAL(i4 >= 0);
	CU_ASSERT_EQUAL(t->meta[SL_NEIGH_IDX(i4)].v6, 0);
	CU_ASSERT_EQUAL(sl_neigh_find6(t, 0, &b), -ENOENT);
	sl_neigh_free(t);
}

static void
test_hold(void)
{
	struct sl_neigh_table *t = sl_neigh_create(4, (int)rte_socket_id());
	unsigned avail = rte_mempool_avail_count(pool), i;
	struct rte_mbuf *m[SL_NEIGH_HOLD + 2], *out[8];
	int idx, other;

	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	idx = sl_neigh_add(t, 0, ip4(10, 0, 0, 1));
	other = sl_neigh_add(t, 0, ip4(10, 0, 0, 2));
	CU_ASSERT_FATAL(idx >= 0 && other >= 0);
	CU_ASSERT_EQUAL_FATAL(rte_pktmbuf_alloc_bulk(pool, m, SL_NEIGH_HOLD + 2), 0);

	CU_ASSERT_EQUAL(sl_neigh_take_held(t, idx, out, 8), 0);
	for (i = 0; i < SL_NEIGH_HOLD; i++)
		CU_ASSERT_EQUAL(sl_neigh_hold(t, idx, m[i]), 0);
	CU_ASSERT_EQUAL(sl_neigh_hold(t, idx, m[SL_NEIGH_HOLD]), -ENOSPC);
	CU_ASSERT_EQUAL(t->meta[idx].n_held, SL_NEIGH_HOLD);
	/* queues are per entry */
	CU_ASSERT_EQUAL(sl_neigh_hold(t, other, m[SL_NEIGH_HOLD]), 0);

	/* partial take: the first two, the rest stay in order */
	CU_ASSERT_EQUAL(sl_neigh_take_held(t, idx, out, 2), 2);
	CU_ASSERT_PTR_EQUAL(out[0], m[0]);
	CU_ASSERT_PTR_EQUAL(out[1], m[1]);
	CU_ASSERT_EQUAL(t->meta[idx].n_held, SL_NEIGH_HOLD - 2);
	/* room again, appended at the end */
	CU_ASSERT_EQUAL(sl_neigh_hold(t, idx, m[SL_NEIGH_HOLD + 1]), 0);
	memset(out, 0, sizeof(out));
	CU_ASSERT_EQUAL(sl_neigh_take_held(t, idx, out, 8), SL_NEIGH_HOLD - 1);
	for (i = 2; i < SL_NEIGH_HOLD; i++)
		CU_ASSERT_PTR_EQUAL(out[i - 2], m[i]);
	CU_ASSERT_PTR_EQUAL(out[SL_NEIGH_HOLD - 2], m[SL_NEIGH_HOLD + 1]);
	CU_ASSERT_EQUAL(sl_neigh_take_held(t, idx, out, 8), 0);
	CU_ASSERT_EQUAL(t->meta[idx].n_held, 0);
	CU_ASSERT_EQUAL(t->meta[other].n_held, 1);

	for (i = 0; i < SL_NEIGH_HOLD + 2; i++)
		if (i != SL_NEIGH_HOLD)
			rte_pktmbuf_free(m[i]);
	/* the packet still held is freed with the table */
	sl_neigh_free(t);
	CU_ASSERT_EQUAL(rte_mempool_avail_count(pool), avail);
}

struct req_log {
	unsigned n;
	uint64_t now;
	uint64_t at[64];
	uint32_t idx[64];
	uint16_t port[64];
	rte_be32_t ip[64];
};

static void
req_cb(uint32_t idx, uint16_t port, rte_be32_t ip, void *arg)
{
	struct req_log *l = arg;

	if (l->n < 64) {
		l->at[l->n] = l->now;
		l->idx[l->n] = idx;
		l->port[l->n] = port;
		l->ip[l->n] = ip;
	}
	l->n++;
}

static unsigned
age(struct sl_neigh_table *t, uint64_t now, uint32_t timeout_s,
    struct req_log *l)
{
	l->now = now;
	return sl_neigh_age(t, now, HZ, timeout_s, req_cb, l);
}

/* An unresolved entry is asked for once a second; after SL_NEIGH_RETRIES
 * unanswered requests its held packets are dropped and freed. */
static void
test_age_unresolved(void)
{
	struct sl_neigh_table *t = sl_neigh_create(4, (int)rte_socket_id());
	const uint64_t t0 = 100 * HZ;
	unsigned avail = rte_mempool_avail_count(pool), i, dropped = 0;
	struct rte_mbuf *m[3];
	struct req_log l;
	uint64_t now, dropped_at = 0;
	rte_be32_t ip = ip4(10, 1, 0, 7), ipr = ip4(10, 1, 0, 8);
	int idx, res;

	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	memset(&l, 0, sizeof(l));
	idx = sl_neigh_add(t, 1, ip);
	res = sl_neigh_add(t, 1, ipr);
	CU_ASSERT_FATAL(idx >= 0 && res >= 0);
	/* a resolved neighbour, fresh: never asked for in this test */
	CU_ASSERT_EQUAL(sl_neigh_learn(t, 1, ipr, &mac_a, t0), res);
	CU_ASSERT_EQUAL_FATAL(rte_pktmbuf_alloc_bulk(pool, m, 3), 0);
	CU_ASSERT_EQUAL(rte_mempool_avail_count(pool), avail - 3);
	for (i = 0; i < 3; i++)
		CU_ASSERT_EQUAL(sl_neigh_hold(t, idx, m[i]), 0);

	for (now = t0; now < t0 + 5 * HZ + HZ / 2; now += HZ / 10) {
		unsigned d = age(t, now, 300, &l);

		if (d != 0) {
			CU_ASSERT_EQUAL(dropped, 0);   /* only once */
			dropped += d;
			dropped_at = now;
		}
	}
	/* t0, +1, +2, +3, +4, +5 s: once per second, first at once */
	CU_ASSERT_EQUAL(l.n, 6);
	for (i = 0; i < 6 && i < l.n; i++) {
		CU_ASSERT_EQUAL(l.at[i], t0 + i * HZ);
		CU_ASSERT_EQUAL(l.idx[i], (uint32_t)idx);
		CU_ASSERT_EQUAL(l.port[i], 1);
		CU_ASSERT_EQUAL(l.ip[i], ip);
	}
	/* three requests went unanswered; the fourth round drops */
	CU_ASSERT_EQUAL(dropped, 3);
	CU_ASSERT_EQUAL(dropped_at, t0 + SL_NEIGH_RETRIES * HZ);
	CU_ASSERT_EQUAL(t->meta[idx].n_held, 0);
	CU_ASSERT_EQUAL(rte_mempool_avail_count(pool), avail);

	/* a late reply resolves it and stops the requests */
	CU_ASSERT_EQUAL(sl_neigh_learn(t, 1, ip, &mac_b, now), idx);
	CU_ASSERT_EQUAL(t->meta[idx].tries, 0);
	l.n = 0;
	for (i = 0; i < 50; i++, now += HZ / 10)
		CU_ASSERT_EQUAL(age(t, now, 300, &l), 0);
	CU_ASSERT_EQUAL(l.n, 0);
	sl_neigh_free(t);
	CU_ASSERT_EQUAL(rte_mempool_avail_count(pool), avail);
}

/* Held packets survive while requests are still being retried. */
static void
test_age_hold_kept_before_retries(void)
{
	struct sl_neigh_table *t = sl_neigh_create(2, (int)rte_socket_id());
	unsigned avail = rte_mempool_avail_count(pool);
	struct rte_mbuf *m;
	struct req_log l;
	struct rte_mbuf *out[SL_NEIGH_HOLD];
	int idx;

	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	memset(&l, 0, sizeof(l));
	idx = sl_neigh_add(t, 0, ip4(10, 0, 0, 3));
	CU_ASSERT_FATAL(idx >= 0);
	m = rte_pktmbuf_alloc(pool);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	CU_ASSERT_EQUAL(sl_neigh_hold(t, idx, m), 0);
	CU_ASSERT_EQUAL(age(t, 10 * HZ, 300, &l), 0);
	CU_ASSERT_EQUAL(age(t, 11 * HZ, 300, &l), 0);
	CU_ASSERT_EQUAL(age(t, 12 * HZ, 300, &l), 0);
	CU_ASSERT_EQUAL(l.n, 3);
	CU_ASSERT_EQUAL(t->meta[idx].n_held, 1);
	/* resolved in time: the packet is handed back, not dropped */
	CU_ASSERT_EQUAL(sl_neigh_learn(t, 0, ip4(10, 0, 0, 3), &mac_a, 12 * HZ + 5), idx);
	CU_ASSERT_EQUAL(age(t, 13 * HZ, 300, &l), 0);
	CU_ASSERT_EQUAL(sl_neigh_take_held(t, idx, out, SL_NEIGH_HOLD), 1);
	CU_ASSERT_PTR_EQUAL(out[0], m);
	rte_pktmbuf_free(m);
	sl_neigh_free(t);
	CU_ASSERT_EQUAL(rte_mempool_avail_count(pool), avail);
}

/* A resolved entry is refreshed from 3/4 of the timeout on, once a
 * second, and invalidated when the full timeout passes unanswered. */
static void
test_age_resolved(void)
{
	struct sl_neigh_table *t = sl_neigh_create(2, (int)rte_socket_id());
	const uint32_t timeout = 300;
	const uint64_t learned = 50 * HZ;
	rte_be32_t ip = ip4(10, 0, 0, 20);
	struct rte_ether_addr m;
	struct req_log l;
	uint64_t now, invalid_at = 0;
	unsigned i;
	int idx;

	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	memset(&l, 0, sizeof(l));
	idx = sl_neigh_add(t, 0, ip);
	CU_ASSERT_FATAL(idx >= 0);
	CU_ASSERT_EQUAL(sl_neigh_learn(t, 0, ip, &mac_a, learned), idx);

	for (now = learned; now <= learned + (timeout + 2) * HZ; now += HZ / 2) {
		age(t, now, timeout, &l);
		if (invalid_at == 0 && sl_neigh_mac(t, idx, &m) == 0)
			invalid_at = now;
		if (now < learned + timeout * HZ) {
			if (sl_neigh_mac(t, idx, &m) != 1 || !mac_eq(&m, &mac_a)) {
				CU_FAIL("entry lost before its timeout");
				break;
			}
		}
	}
	/* first refresh exactly at 3/4 (225 s), then every second */
	CU_ASSERT_FATAL(l.n > 0);
	CU_ASSERT_EQUAL(l.at[0], learned + timeout * HZ / 4 * 3);
	for (i = 1; i < l.n && i < 64; i++)
		CU_ASSERT_EQUAL(l.at[i] - l.at[i - 1], HZ);
	/* 225 .. 302 s inclusive */
	CU_ASSERT_EQUAL(l.n, (timeout + 2) - timeout / 4 * 3 + 1);
	CU_ASSERT_EQUAL(invalid_at, learned + timeout * HZ);
	CU_ASSERT_EQUAL(sl_neigh_mac(t, idx, &m), 0);

	/* answered: valid again, quiet again until the next 3/4 */
	CU_ASSERT_EQUAL(sl_neigh_learn(t, 0, ip, &mac_b, now), idx);
	CU_ASSERT_EQUAL(sl_neigh_mac(t, idx, &m), 1);
	CU_ASSERT(mac_eq(&m, &mac_b));
	l.n = 0;
	{
		uint64_t relearn = now;

		for (; now < relearn + timeout * HZ / 4 * 3; now += HZ)
			age(t, now, timeout, &l);
		CU_ASSERT_EQUAL(l.n, 0);
		age(t, relearn + timeout * HZ / 4 * 3, timeout, &l);
		CU_ASSERT_EQUAL(l.n, 1);
		CU_ASSERT_EQUAL(sl_neigh_mac(t, idx, &m), 1);
	}
	sl_neigh_free(t);
}

/* ---- references ---------------------------------------------------- */

/* add takes a reference, unref gives it back; the last one frees the
 * entry, whose slot a later add reuses under a new generation. */
static void
test_ref_unref_reuse(void)
{
	struct sl_neigh_table *t = sl_neigh_create(4, (int)rte_socket_id());
	rte_be32_t a = ip4(10, 0, 0, 1), b = ip4(10, 0, 0, 2), c = ip4(10, 0, 0, 3);
	struct rte_ether_addr m;
	int ra, rb, rc, rb2;

	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	ra = sl_neigh_add(t, 0, a);
	rb = sl_neigh_add(t, 0, b);
	CU_ASSERT_EQUAL(ra, 0);
	CU_ASSERT_EQUAL(rb, 1);
	CU_ASSERT_EQUAL(sl_neigh_add(t, 0, a), ra);     /* second reference */
	CU_ASSERT_EQUAL(sl_neigh_ref(t, (uint32_t)ra), 0);  /* third */
	CU_ASSERT_EQUAL(t->meta[0].refs, 3);
	CU_ASSERT_EQUAL(t->live, 2);
	CU_ASSERT(sl_neigh_in_use(t, 0) && sl_neigh_in_use(t, 1));
	CU_ASSERT(!sl_neigh_in_use(t, 2));

	/* not the last reference: still there */
	CU_ASSERT_EQUAL(sl_neigh_unref(t, (uint32_t)ra), 0);
	CU_ASSERT_EQUAL(sl_neigh_unref(t, (uint32_t)ra), 0);
	CU_ASSERT_EQUAL(sl_neigh_find(t, 0, a), ra);
	CU_ASSERT_EQUAL(sl_neigh_index(t, (uint32_t)ra), 0);
	CU_ASSERT_EQUAL(sl_neigh_learn(t, 0, a, &mac_a, 5 * HZ), ra);
	CU_ASSERT_EQUAL(sl_neigh_mac(t, (uint32_t)ra, &m), 1);

	/* the last one: gone, MAC cleared, stale reference refused */
	CU_ASSERT_EQUAL(sl_neigh_unref(t, (uint32_t)ra), 0);
	CU_ASSERT(!sl_neigh_in_use(t, 0));
	CU_ASSERT_EQUAL(t->live, 1);
	CU_ASSERT_EQUAL(t->count, 2);
	CU_ASSERT_EQUAL(sl_neigh_mac(t, 0, &m), 0);
	CU_ASSERT_EQUAL(sl_neigh_find(t, 0, a), -ENOENT);
	CU_ASSERT_EQUAL(sl_neigh_learn(t, 0, a, &mac_a, 6 * HZ), -ENOENT);
	CU_ASSERT_EQUAL(sl_neigh_mac(t, 0, &m), 0);     /* learning did not revive it */
	CU_ASSERT_EQUAL(sl_neigh_index(t, (uint32_t)ra), -ENOENT);
	CU_ASSERT_EQUAL(sl_neigh_unref(t, (uint32_t)ra), -ENOENT);
	CU_ASSERT_EQUAL(sl_neigh_ref(t, (uint32_t)ra), -ENOENT);
	CU_ASSERT_EQUAL(t->live, 1);
	/* the other entry never moved */
	CU_ASSERT_EQUAL(sl_neigh_find(t, 0, b), rb);

	/* the freed slot is taken before a new one, with a new generation */
	rc = sl_neigh_add(t, 0, c);
	CU_ASSERT(rc >= 0);
	CU_ASSERT_EQUAL(SL_NEIGH_IDX(rc), 0);
	CU_ASSERT_NOT_EQUAL(rc, ra);
	CU_ASSERT_EQUAL(t->count, 2);
	CU_ASSERT_EQUAL(t->live, 2);
	CU_ASSERT_EQUAL(t->meta[0].ip, c);
	CU_ASSERT_EQUAL(t->meta[0].refs, 1);
	CU_ASSERT_EQUAL(sl_neigh_mac(t, (uint32_t)rc, &m), 0);   /* not a's MAC */
	CU_ASSERT_EQUAL(sl_neigh_index(t, (uint32_t)rc), 0);
	/* a stale reference to the slot does not reach the new entry */
	CU_ASSERT_EQUAL(sl_neigh_index(t, (uint32_t)ra), -ENOENT);
	CU_ASSERT_EQUAL(sl_neigh_unref(t, (uint32_t)ra), -ENOENT);
	CU_ASSERT_EQUAL(t->meta[0].refs, 1);
	/* references never look like the management ring's markers */
	CU_ASSERT((uint32_t)rc < 0x80000000u);

	/* freed slots are reused oldest first */
	rb2 = sl_neigh_add(t, 0, ip4(10, 0, 0, 4));
	CU_ASSERT_EQUAL(SL_NEIGH_IDX(rb2), 2);
	CU_ASSERT_EQUAL(sl_neigh_unref(t, (uint32_t)rb), 0);
	CU_ASSERT_EQUAL(sl_neigh_unref(t, (uint32_t)rc), 0);
	CU_ASSERT_EQUAL(SL_NEIGH_IDX(sl_neigh_add(t, 0, a)), 1);
	CU_ASSERT_EQUAL(SL_NEIGH_IDX(sl_neigh_add(t, 0, b)), 0);
	CU_ASSERT_EQUAL(SL_NEIGH_IDX(sl_neigh_add(t, 0, c)), 3);
	CU_ASSERT_EQUAL(sl_neigh_add(t, 0, ip4(10, 0, 0, 5)), -ENOSPC);
	CU_ASSERT_EQUAL(t->live, 4);
	sl_neigh_free(t);

	/* more than the capacity over time, never more at once */
	t = sl_neigh_create(8, (int)rte_socket_id());
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	{
		uint32_t k, bad = 0;
		int prev = sl_neigh_add(t, 1, ip4(10, 9, 0, 0));

		for (k = 1; k < 100000; k++) {
			int r = sl_neigh_add(t, 1, ip4(10, 9, (uint8_t)(k >> 8), (uint8_t)k));

			if (r < 0 || sl_neigh_unref(t, (uint32_t)prev) != 0)
				bad++;
			prev = r;
		}
		CU_ASSERT_EQUAL(bad, 0);
		CU_ASSERT_EQUAL(t->live, 1);
		CU_ASSERT(t->count <= 2);
	}
	CU_ASSERT_EQUAL(sl_neigh_create(SL_NEIGH_MAX + 1, (int)rte_socket_id()), NULL);
	sl_neigh_free(t);
}

/* Freeing an entry drops its held packets (counted by the next aging
 * round); aging never asks for a freed entry. */
static void
test_age_skips_freed(void)
{
	struct sl_neigh_table *t = sl_neigh_create(4, (int)rte_socket_id());
	unsigned avail = rte_mempool_avail_count(pool);
	rte_be32_t a = ip4(10, 0, 0, 1), b = ip4(10, 0, 0, 2);
	struct rte_mbuf *m[2];
	struct req_log l;
	int ra, rb;

	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	memset(&l, 0, sizeof(l));
	ra = sl_neigh_add(t, 0, a);
	rb = sl_neigh_add(t, 0, b);
	CU_ASSERT_FATAL(ra >= 0 && rb >= 0);
	CU_ASSERT_EQUAL_FATAL(rte_pktmbuf_alloc_bulk(pool, m, 2), 0);
	CU_ASSERT_EQUAL(sl_neigh_hold(t, (uint32_t)rb, m[0]), 0);
	CU_ASSERT_EQUAL(sl_neigh_hold(t, (uint32_t)rb, m[1]), 0);
	CU_ASSERT_EQUAL(age(t, 10 * HZ, 300, &l), 0);
	CU_ASSERT_EQUAL(l.n, 2);

	CU_ASSERT_EQUAL(sl_neigh_unref(t, (uint32_t)rb), 0);
	CU_ASSERT_EQUAL(t->meta[SL_NEIGH_IDX(rb)].n_held, 0);
	CU_ASSERT_EQUAL(rte_mempool_avail_count(pool), avail);
	/* the drops are reported once */
	l.n = 0;
	CU_ASSERT_EQUAL(age(t, 11 * HZ, 300, &l), 2);
	CU_ASSERT_EQUAL(age(t, 12 * HZ, 300, &l), 0);
	/* only a is asked for, once a second */
	CU_ASSERT_EQUAL(l.n, 2);
	CU_ASSERT_EQUAL(l.ip[0], a);
	CU_ASSERT_EQUAL(l.ip[1], a);
	CU_ASSERT_EQUAL(l.idx[0], (uint32_t)ra);

	/* nothing left: nothing asked for at all */
	CU_ASSERT_EQUAL(sl_neigh_unref(t, (uint32_t)ra), 0);
	l.n = 0;
	CU_ASSERT_EQUAL(age(t, 20 * HZ, 300, &l), 0);
	CU_ASSERT_EQUAL(l.n, 0);
	CU_ASSERT_EQUAL(t->live, 0);
	sl_neigh_free(t);
}

/* ---- ARP frames --------------------------------------------------- */

static void
test_arp_roundtrip(void)
{
	static const struct rte_ether_addr bcast = {{ 0xff, 0xff, 0xff, 0xff, 0xff, 0xff }};
	uint8_t frame[128];
	struct sl_arp_info ai;
	unsigned len, i, nz = 0;
	rte_be32_t spa = ip4(10, 0, 0, 1), tpa = ip4(10, 0, 0, 200);

	/* request */
	memset(frame, 0xaa, sizeof(frame));
	len = sl_arp_build(frame, RTE_ARP_OP_REQUEST, &bcast, &mac_a, spa,
			   &mac_0, tpa);
	CU_ASSERT_EQUAL(len, 60);
	CU_ASSERT_EQUAL(memcmp(frame, bcast.addr_bytes, 6), 0);
	CU_ASSERT_EQUAL(memcmp(frame + 6, mac_a.addr_bytes, 6), 0);
	CU_ASSERT_EQUAL(frame[12], 0x08);
	CU_ASSERT_EQUAL(frame[13], 0x06);
	/* the fixed ARP header, byte for byte */
	{
		static const uint8_t hdr[] = { 0x00, 0x01, 0x08, 0x00, 6, 4, 0x00, 0x01 };

		CU_ASSERT_EQUAL(memcmp(frame + 14, hdr, sizeof(hdr)), 0);
	}
	CU_ASSERT_EQUAL(memcmp(frame + 22, mac_a.addr_bytes, 6), 0);
	CU_ASSERT_EQUAL(memcmp(frame + 28, &spa, 4), 0);
	CU_ASSERT_EQUAL(memcmp(frame + 32, mac_0.addr_bytes, 6), 0);
	CU_ASSERT_EQUAL(memcmp(frame + 38, &tpa, 4), 0);
	for (i = 42; i < 60; i++)
		nz += frame[i] != 0;
	CU_ASSERT_EQUAL(nz, 0);                 /* zero padding */
	CU_ASSERT_EQUAL(frame[60], 0xaa);       /* nothing written past 60 */

	memset(&ai, 0x55, sizeof(ai));
	CU_ASSERT_EQUAL(sl_arp_parse(frame + RTE_ETHER_HDR_LEN, len - RTE_ETHER_HDR_LEN, &ai), 0);
	CU_ASSERT_EQUAL(ai.op, RTE_ARP_OP_REQUEST);
	CU_ASSERT(mac_eq(&ai.sha, &mac_a));
	CU_ASSERT_EQUAL(ai.spa, spa);
	CU_ASSERT(mac_eq(&ai.tha, &mac_0));
	CU_ASSERT_EQUAL(ai.tpa, tpa);

	/* reply, unicast, exactly 28 bytes of ARP */
	len = sl_arp_build(frame, RTE_ARP_OP_REPLY, &mac_a, &mac_b, tpa,
			   &mac_a, spa);
	CU_ASSERT_EQUAL(len, 60);
	CU_ASSERT_EQUAL(memcmp(frame, mac_a.addr_bytes, 6), 0);
	CU_ASSERT_EQUAL(memcmp(frame + 6, mac_b.addr_bytes, 6), 0);
	CU_ASSERT_EQUAL(sl_arp_parse(frame + RTE_ETHER_HDR_LEN, 28, &ai), 0);
	CU_ASSERT_EQUAL(ai.op, RTE_ARP_OP_REPLY);
	CU_ASSERT(mac_eq(&ai.sha, &mac_b));
	CU_ASSERT_EQUAL(ai.spa, tpa);
	CU_ASSERT(mac_eq(&ai.tha, &mac_a));
	CU_ASSERT_EQUAL(ai.tpa, spa);
}

static void
test_arp_parse_rejects(void)
{
	static const struct rte_ether_addr bcast = {{ 0xff, 0xff, 0xff, 0xff, 0xff, 0xff }};
	uint8_t good[60], f[60];
	uint8_t *a = f + RTE_ETHER_HDR_LEN;
	struct sl_arp_info ai;
	const uint32_t alen = 60 - RTE_ETHER_HDR_LEN;

	sl_arp_build(good, RTE_ARP_OP_REQUEST, &bcast, &mac_a, ip4(10, 0, 0, 1),
		     &mac_0, ip4(10, 0, 0, 2));
#define RESET() memcpy(f, good, sizeof(f))
	RESET();
	CU_ASSERT_EQUAL(sl_arp_parse(a, alen, &ai), 0);

	RESET(); a[1] = 6;                      /* htype IEEE 802 */
	CU_ASSERT_EQUAL(sl_arp_parse(a, alen, &ai), -EINVAL);
	RESET(); a[0] = 1;                      /* htype 0x0101 */
	CU_ASSERT_EQUAL(sl_arp_parse(a, alen, &ai), -EINVAL);
	RESET(); a[2] = 0x86; a[3] = 0xdd;      /* ptype IPv6 */
	CU_ASSERT_EQUAL(sl_arp_parse(a, alen, &ai), -EINVAL);
	RESET(); a[3] = 0x06;                   /* ptype ARP */
	CU_ASSERT_EQUAL(sl_arp_parse(a, alen, &ai), -EINVAL);
	RESET(); a[4] = 8;                      /* hlen */
	CU_ASSERT_EQUAL(sl_arp_parse(a, alen, &ai), -EINVAL);
	RESET(); a[5] = 16;                     /* plen */
	CU_ASSERT_EQUAL(sl_arp_parse(a, alen, &ai), -EINVAL);
	RESET(); a[7] = 0;                      /* op 0 */
	CU_ASSERT_EQUAL(sl_arp_parse(a, alen, &ai), -EINVAL);
	RESET(); a[7] = 3;                      /* RARP request */
	CU_ASSERT_EQUAL(sl_arp_parse(a, alen, &ai), -EINVAL);
	RESET(); a[6] = 1;                      /* op 0x0101 */
	CU_ASSERT_EQUAL(sl_arp_parse(a, alen, &ai), -EINVAL);
	RESET(); a[7] = 2;                      /* reply: fine */
	CU_ASSERT_EQUAL(sl_arp_parse(a, alen, &ai), 0);

	RESET();
	CU_ASSERT_EQUAL(sl_arp_parse(a, 0, &ai), -EINVAL);
	CU_ASSERT_EQUAL(sl_arp_parse(a, 8, &ai), -EINVAL);
	CU_ASSERT_EQUAL(sl_arp_parse(a, 27, &ai), -EINVAL);
	CU_ASSERT_EQUAL(sl_arp_parse(a, 28, &ai), 0);
#undef RESET
}

/* Suite fixture: the mbuf pool the hold-queue tests take from and give
 * back to. No per-lcore cache, so its available count is exact. */
/* ---------- neighbour discovery ---------- */

static struct sl_in6
in6(const char *s)
{
	struct sl_in6 a;

	CU_ASSERT_EQUAL_FATAL(inet_pton(AF_INET6, s, a.b), 1);
	return a;
}

/* Parse a frame as the fast path does, then as NS/NA. */
static int
nd_of(const uint8_t *f, uint32_t len, struct sl_pkt6_info *pi, struct sl_nd_info *nd)
{
	struct sl_pkt_info p4;
	int rc;

	if (sl_pkt_parse(f, len, 0, &p4) != 0 || p4.kind != SL_PKT_IPV6)
		return -100;
	memset(pi, 0xa5, sizeof(*pi));
	pi->l2_len = p4.l2_len;
	rc = sl_pkt_parse6(f, len, 0, pi);
	if (rc != 0)
		return -200 - rc;
	memset(nd, 0xa5, sizeof(*nd));
	return sl_nd_parse(f, len, pi, nd);
}

/* The ICMPv6 checksum of an NS/NA frame after editing it (no VLAN, no
 * extension header), from the reference. */
static void
nd_fix_csum(uint8_t *f)
{
	struct tp_flayout lo = { .l2 = 14, .ihl = 40, .l4 = 54 };

	tp6_fix_l4_csum(f, &lo, 58);
}

static void
test_nd_solicited_node(void)
{
	static const uint8_t want[16] = { 0xff, 0x02, [11] = 0x01, 0xff, 0x28, 0x9c, 0x5a };
	static const uint8_t want_mac[6] = { 0x33, 0x33, 0xff, 0x28, 0x9c, 0x5a };
	struct sl_in6 a = in6("fe80::2aa:ff:fe28:9c5a"), g;
	struct rte_ether_addr m;

	sl_nd_solicited_node(&a, &g, &m);
	CU_ASSERT_EQUAL(memcmp(g.b, want, 16), 0);
	CU_ASSERT_EQUAL(memcmp(m.addr_bytes, want_mac, 6), 0);
	/* only the last 24 bits count */
	a = in6("2001:db8:ffff::ff28:9c5a");
	sl_nd_solicited_node(&a, &g, &m);
	CU_ASSERT_EQUAL(memcmp(g.b, want, 16), 0);
	CU_ASSERT_EQUAL(memcmp(m.addr_bytes, want_mac, 6), 0);
}

static void
test_nd_ns_build_parse(void)
{
	static uint8_t f[128];
	struct sl_in6 src = in6("2001:db8::1"), tgt = in6("2001:db8::abcd:ef01");
	struct sl_in6 grp = in6("ff02::1:ffcd:ef01");
	static const uint8_t gmac[6] = { 0x33, 0x33, 0xff, 0xcd, 0xef, 0x01 };
	struct sl_pkt6_info pi;
	struct sl_nd_info nd;
	struct tp_flayout lo = { .l2 = 14, .ihl = 40, .l4 = 54 };
	unsigned len;

	memset(f, 0x5a, sizeof(f));
	len = sl_nd_build_ns(f, &mac_a, &src, &tgt);
	CU_ASSERT_EQUAL_FATAL(len, 86);
	/* byte by byte */
	CU_ASSERT_EQUAL(memcmp(f, gmac, 6), 0);
	CU_ASSERT_EQUAL(memcmp(f + 6, mac_a.addr_bytes, 6), 0);
	CU_ASSERT_EQUAL(tp_get16(f + 12), 0x86dd);
	CU_ASSERT_EQUAL(tp_get32(f + 14), 0x60000000);
	CU_ASSERT_EQUAL(tp_get16(f + 18), 32);
	CU_ASSERT_EQUAL(f[20], 58);
	CU_ASSERT_EQUAL(f[21], 255);
	CU_ASSERT_EQUAL(memcmp(f + 22, src.b, 16), 0);
	CU_ASSERT_EQUAL(memcmp(f + 38, grp.b, 16), 0);
	CU_ASSERT_EQUAL(f[54], 135);
	CU_ASSERT_EQUAL(f[55], 0);
	CU_ASSERT_EQUAL(tp_get32(f + 58), 0);
	CU_ASSERT_EQUAL(memcmp(f + 62, tgt.b, 16), 0);
	CU_ASSERT_EQUAL(f[78], 1);
	CU_ASSERT_EQUAL(f[79], 1);
	CU_ASSERT_EQUAL(memcmp(f + 80, mac_a.addr_bytes, 6), 0);
	CU_ASSERT_EQUAL(f[86], 0x5a);  /* nothing written beyond */
	/* the checksum, by the reference */
	lo.ip_len = 72;
	CU_ASSERT_EQUAL(tp_ref_fold(tp6_ref_l4_sum(f, &lo, 58)), 0xffff);

	CU_ASSERT_EQUAL(nd_of(f, len, &pi, &nd), 0);
	CU_ASSERT_EQUAL(nd.type, SL_ND_NS);
	CU_ASSERT_EQUAL(nd.flags, 0);
	CU_ASSERT_EQUAL(nd.has_lla, 1);
	CU_ASSERT(sl_in6_eq(&nd.target, &tgt));
	CU_ASSERT(mac_eq(&nd.lla, &mac_a));
	CU_ASSERT(sl_in6_eq(&pi.src, &src));
	CU_ASSERT(sl_in6_eq(&pi.dst, &grp));
}

static void
test_nd_na_build_parse(void)
{
	static uint8_t f[128];
	static const uint8_t flags[] = { 0x40 | 0x20, 0x80 | 0x40, 0x20, 0, 0xff };
	struct sl_in6 src = in6("2001:db8::2"), dst = in6("2001:db8::1");
	struct sl_in6 all = in6("ff02::1");
	static const struct rte_ether_addr all_mac = {{ 0x33, 0x33, 0, 0, 0, 1 }};
	struct sl_pkt6_info pi;
	struct sl_nd_info nd;
	struct tp_flayout lo = { .l2 = 14, .ihl = 40, .l4 = 54, .ip_len = 72 };
	unsigned i, len;

	for (i = 0; i < RTE_DIM(flags); i++) {
		memset(f, 0x5a, sizeof(f));
		len = sl_nd_build_na(f, &mac_b, &mac_a, &src, &dst, &src, flags[i]);
		CU_ASSERT_EQUAL_FATAL(len, 86);
		CU_ASSERT(mac_eq((const struct rte_ether_addr *)f, &mac_a));
		CU_ASSERT(mac_eq((const struct rte_ether_addr *)(f + 6), &mac_b));
		CU_ASSERT_EQUAL(tp_get16(f + 12), 0x86dd);
		CU_ASSERT_EQUAL(f[21], 255);
		CU_ASSERT_EQUAL(memcmp(f + 22, src.b, 16), 0);
		CU_ASSERT_EQUAL(memcmp(f + 38, dst.b, 16), 0);
		CU_ASSERT_EQUAL(f[54], 136);
		CU_ASSERT_EQUAL(f[55], 0);
		/* R, S, O and nothing else in the flags word */
		CU_ASSERT_EQUAL(f[58], flags[i] & 0xe0);
		CU_ASSERT_EQUAL(f[59] | f[60] | f[61], 0);
		CU_ASSERT_EQUAL(memcmp(f + 62, src.b, 16), 0);
		CU_ASSERT_EQUAL(f[78], 2);
		CU_ASSERT_EQUAL(f[79], 1);
		CU_ASSERT_EQUAL(memcmp(f + 80, mac_b.addr_bytes, 6), 0);
		CU_ASSERT_EQUAL(f[86], 0x5a);
		CU_ASSERT_EQUAL(tp_ref_fold(tp6_ref_l4_sum(f, &lo, 58)), 0xffff);
		CU_ASSERT_EQUAL(nd_of(f, len, &pi, &nd), 0);
		CU_ASSERT_EQUAL(nd.type, SL_ND_NA);
		CU_ASSERT_EQUAL(nd.flags, flags[i] & 0xe0);
		CU_ASSERT_EQUAL(nd.has_lla, 1);
		CU_ASSERT(sl_in6_eq(&nd.target, &src));
		CU_ASSERT(mac_eq(&nd.lla, &mac_b));
	}
	/* unsolicited, to all nodes: fine without S, refused with it */
	len = sl_nd_build_na(f, &mac_b, &all_mac, &src, &all, &src, 0x20);
	CU_ASSERT_EQUAL(nd_of(f, len, &pi, &nd), 0);
	CU_ASSERT_EQUAL(nd.flags, 0x20);
	len = sl_nd_build_na(f, &mac_b, &all_mac, &src, &all, &src, 0x60);
	CU_ASSERT_EQUAL(nd_of(f, len, &pi, &nd), -EINVAL);
}

static void
test_nd_parse_options(void)
{
	static uint8_t f[160];
	struct sl_in6 src = in6("2001:db8::1"), tgt = in6("2001:db8::2");
	struct sl_pkt6_info pi;
	struct sl_nd_info nd;
	unsigned len;

	/* an NS with an unknown option (8 bytes) before the source address,
	 * and an NA option (type 2), which an NS does not read */
	len = sl_nd_build_ns(f, &mac_a, &src, &tgt);
	memmove(f + 86, f + 78, 8);
	memset(f + 78, 0, 8);
	f[78] = 14;  /* nonce */
	f[79] = 1;
	f[94] = 2;
	f[95] = 1;
	memcpy(f + 96, mac_b.addr_bytes, 6);
	tp_put16(f + 18, 48);
	len += 16;
	nd_fix_csum(f);
	CU_ASSERT_EQUAL(nd_of(f, len, &pi, &nd), 0);
	CU_ASSERT_EQUAL(nd.has_lla, 1);
	CU_ASSERT(mac_eq(&nd.lla, &mac_a));
	/* no option at all: nothing learnt */
	len = sl_nd_build_ns(f, &mac_a, &src, &tgt);
	tp_put16(f + 18, 24);
	nd_fix_csum(f);
	CU_ASSERT_EQUAL(nd_of(f, len - 8, &pi, &nd), 0);
	CU_ASSERT_EQUAL(nd.has_lla, 0);
	/* duplicate address detection: from ::, no option, to the group */
	memset(f + 22, 0, 16);
	nd_fix_csum(f);
	CU_ASSERT_EQUAL(nd_of(f, len - 8, &pi, &nd), 0);
	CU_ASSERT(sl_in6_eq(&nd.target, &tgt));
	/* ... with a source address option, or to a unicast address */
	len = sl_nd_build_ns(f, &mac_a, &src, &tgt);
	memset(f + 22, 0, 16);
	nd_fix_csum(f);
	CU_ASSERT_EQUAL(nd_of(f, len, &pi, &nd), -EINVAL);
	tp_put16(f + 18, 24);
	memcpy(f + 38, tgt.b, 16);
	nd_fix_csum(f);
	CU_ASSERT_EQUAL(nd_of(f, len - 8, &pi, &nd), -EINVAL);
}

static void
test_nd_parse_rejects(void)
{
	static uint8_t f[128];
	struct sl_in6 src = in6("2001:db8::1"), tgt = in6("2001:db8::2");
	struct sl_pkt6_info pi;
	struct sl_nd_info nd;
	unsigned len, k;

	len = sl_nd_build_ns(f, &mac_a, &src, &tgt);
	CU_ASSERT_EQUAL(nd_of(f, len, &pi, &nd), 0);
	/* hop limit other than 255: it crossed a router (no checksum change) */
	f[21] = 254;
	CU_ASSERT_EQUAL(nd_of(f, len, &pi, &nd), -EINVAL);
	f[21] = 1;
	CU_ASSERT_EQUAL(nd_of(f, len, &pi, &nd), -EINVAL);
	/* code not 0 */
	len = sl_nd_build_ns(f, &mac_a, &src, &tgt);
	f[55] = 1;
	nd_fix_csum(f);
	CU_ASSERT_EQUAL(nd_of(f, len, &pi, &nd), -EINVAL);
	/* option length 0, and one running past the message */
	len = sl_nd_build_ns(f, &mac_a, &src, &tgt);
	f[79] = 0;
	nd_fix_csum(f);
	CU_ASSERT_EQUAL(nd_of(f, len, &pi, &nd), -EINVAL);
	f[79] = 2;
	nd_fix_csum(f);
	CU_ASSERT_EQUAL(nd_of(f, len, &pi, &nd), -EINVAL);
	/* a multicast target */
	len = sl_nd_build_ns(f, &mac_a, &src, &tgt);
	f[62] = 0xff;
	nd_fix_csum(f);
	CU_ASSERT_EQUAL(nd_of(f, len, &pi, &nd), -EINVAL);
	/* other ICMPv6 types are not neighbour discovery */
	len = sl_nd_build_ns(f, &mac_a, &src, &tgt);
	f[54] = 128;
	nd_fix_csum(f);
	CU_ASSERT_EQUAL(nd_of(f, len, &pi, &nd), -EINVAL);
	f[54] = 134;  /* router advertisement */
	nd_fix_csum(f);
	CU_ASSERT_EQUAL(nd_of(f, len, &pi, &nd), -EINVAL);
	/* every truncation of the message (payload length, checksum
	 * kept right): below 24 bytes refused, an option cut refused */
	for (k = 8; k < 32; k++) {
		len = sl_nd_build_ns(f, &mac_a, &src, &tgt);
		tp_put16(f + 18, (uint16_t)k);
		nd_fix_csum(f);
		CU_ASSERT_EQUAL(nd_of(f, 54 + k, &pi, &nd), k == 24 ? 0 : -EINVAL);
	}
	/* the frame itself cut: refused by the IPv6 parser first */
	len = sl_nd_build_na(f, &mac_b, &mac_a, &src, &tgt, &src, 0x60);
	for (k = 54; k < len; k++)
		CU_ASSERT_EQUAL(nd_of(f, k, &pi, &nd), -200 - SL_DROP_BAD_IP6);
	/* a corrupted checksum is the IPv6 parser's to refuse */
	f[84] ^= 1;
	CU_ASSERT_EQUAL(nd_of(f, len, &pi, &nd), -200 - SL_DROP_BAD_L4_CSUM);
}

static int
neigh_suite_init(void)
{
	pool = rte_pktmbuf_pool_create("tneigh_pool", 63, 0, 0,
				       RTE_MBUF_DEFAULT_BUF_SIZE,
				       (int)rte_socket_id());
	if (pool == NULL) {
		fprintf(stderr, "mbuf pool: %s\n", rte_strerror(rte_errno));
		return -1;
	}
	return 0;
}

static int
neigh_suite_cleanup(void)
{
	rte_mempool_free(pool);
	pool = NULL;
	return 0;
}

static const struct sl_test_case neigh_tests[] = {
	{ "create", test_create },
	{ "add/find, full table", test_add_find },
	{ "learn and the worker MAC word", test_learn_mac },
	{ "IPv6 entries", test_v6_entries },
	{ "hold queue", test_hold },
	{ "unresolved: requests, retries, drop", test_age_unresolved },
	{ "held packets kept while retrying", test_age_hold_kept_before_retries },
	{ "resolved: refresh and invalidate", test_age_resolved },
	{ "references: add/ref/unref, slot reuse", test_ref_unref_reuse },
	{ "aging skips freed entries", test_age_skips_freed },
	{ "ARP build/parse round trip", test_arp_roundtrip },
	{ "ARP parse rejects", test_arp_parse_rejects },
	{ "ND solicited-node group", test_nd_solicited_node },
	{ "ND solicitation build/parse byte-exact", test_nd_ns_build_parse },
	{ "ND advertisement build/parse byte-exact", test_nd_na_build_parse },
	{ "ND options and duplicate address detection", test_nd_parse_options },
	{ "ND parse rejects", test_nd_parse_rejects },
};

SL_TEST_MAIN("neigh",
	SL_TEST_SUITE("neigh", neigh_suite_init, neigh_suite_cleanup, neigh_tests));
