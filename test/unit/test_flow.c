/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Connection table: both keys of a record, TCP state tracking, timer
 * wheel expiry (exact deadlines, lazy re-arming past one wheel turn,
 * budget), full table, delete, bulk lookup, key clashes, a random churn
 * checked against a plain array model, and a table of a million.
 *
 * Time is never read from the TSC: every call gets an explicit `now` in
 * ticks of a fake 1 MHz clock, so the tests are exact and fast.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <CUnit/CUnit.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_tcp.h>

#include "sl_flow.h"
#include "sl_test.h"

#define HZ   1000000ULL
#define BASE (1000 * HZ)            /* an arbitrary, non-zero start time */
#define SLOT (HZ / 16)              /* wheel resolution */

#define F_SYN RTE_TCP_SYN_FLAG
#define F_ACK RTE_TCP_ACK_FLAG
#define F_FIN RTE_TCP_FIN_FLAG
#define F_RST RTE_TCP_RST_FLAG
#define F_PSH RTE_TCP_PSH_FLAG

/* distinct per state, so a deadline tells which timeout was applied */
static const uint32_t tmo[SL_CS_MAX] = {
	[SL_CS_NONE] = 1,
	[SL_CS_SYN_SENT] = 10,
	[SL_CS_SYN_RECV] = 20,
	[SL_CS_ESTABLISHED] = 900,
	[SL_CS_FIN_WAIT] = 30,
	[SL_CS_TIME_WAIT] = 40,
	[SL_CS_CLOSE] = 5,
	[SL_CS_UDP] = 60,
};

static struct sl_flow_table *
mk_table(uint32_t capacity, const uint32_t *timeouts)
{
	static unsigned seq;
	struct sl_flow_params p;
	struct sl_flow_table *t;
	char name[32];

	snprintf(name, sizeof(name), "tflow%u", seq++);
	memset(&p, 0, sizeof(p));
	p.name = name;
	p.capacity = capacity;
	p.socket_id = (int)rte_socket_id();
	p.hz = HZ;
	p.timeouts = timeouts != NULL ? timeouts : tmo;
	t = sl_flow_create(&p);
	if (t == NULL)
		fprintf(stderr, "sl_flow_create(%u): %s\n", capacity,
			rte_strerror(rte_errno));
	return t;
}

/* One connection's addresses, network byte order. */
struct tup {
	rte_be32_t cip, vip, bip;
	rte_be16_t cport, vport, bport;
	uint8_t proto;
};

/* Tuple number i: client 11.x.x.x (i in the low 24 bits) port 1000+i%7,
 * so both keys are unique per i and i can be read back from a record. */
static struct tup
tup_of(uint32_t i, uint8_t proto)
{
	struct tup u;

	u.cip = htonl(0x0B000000u | (i & 0xFFFFFFu));
	u.cport = htons((uint16_t)(1000 + i % 7));
	u.vip = htonl(0x0A000064u);
	u.vport = htons(80);
	u.bip = htonl(0x0A010000u | (i % 200 + 1));
	u.bport = htons(8080);
	u.proto = proto;
	return u;
}

static uint32_t
tup_index(const struct sl_conn *c)
{
	return ntohl(c->cip) & 0xFFFFFFu;
}

static struct sl_flow_key
korig(const struct tup *u)
{
	struct sl_flow_key k;

	memset(&k, 0, sizeof(k));
	k.src = u->cip;
	k.dst = u->vip;
	k.sport = u->cport;
	k.dport = u->vport;
	k.proto = u->proto;
	return k;
}

static struct sl_flow_key
kreply(const struct tup *u)
{
	struct sl_flow_key k;

	memset(&k, 0, sizeof(k));
	k.src = u->bip;
	k.dst = u->cip;
	k.sport = u->bport;
	k.dport = u->cport;
	k.proto = u->proto;
	return k;
}

static struct sl_conn *
add_tup(struct sl_flow_table *t, const struct tup *u, uint64_t now)
{
	return sl_flow_add(t, u->cip, u->cport, u->vip, u->vport, u->bip,
			   u->bport, u->proto, now);
}

static struct sl_conn *
look(struct sl_flow_table *t, const struct sl_flow_key *k, int *dir)
{
	*dir = -1;
	return sl_flow_lookup(t, k, dir);
}

/* Both keys of u lead to c with the right direction. */
static int
both_keys_find(struct sl_flow_table *t, const struct tup *u,
	       const struct sl_conn *c)
{
	struct sl_flow_key ko = korig(u), kr = kreply(u);
	int d1, d2;
	struct sl_conn *a = look(t, &ko, &d1), *b = look(t, &kr, &d2);

	return a == c && b == c && d1 == SL_DIR_ORIG && d2 == SL_DIR_REPLY;
}

static int
both_keys_miss(struct sl_flow_table *t, const struct tup *u)
{
	struct sl_flow_key ko = korig(u), kr = kreply(u);
	int d;

	return look(t, &ko, &d) == NULL && look(t, &kr, &d) == NULL;
}

struct exp_log {
	unsigned n;
	uint64_t now;           /* time of the expire call, for checks */
	unsigned early;         /* callbacks for records not yet due */
	struct sl_conn last;    /* copy of the last record expired */
};

static void
exp_cb(const struct sl_conn *c, void *arg)
{
	struct exp_log *l = arg;

	l->n++;
	if (c->expire > l->now)
		l->early++;
	l->last = *c;
}

static unsigned
run_expire(struct sl_flow_table *t, uint64_t now, unsigned budget,
	   struct exp_log *l)
{
	l->now = now;
	return sl_flow_expire(t, now, budget, exp_cb, l);
}

static int
count_cb(const struct sl_conn *c, void *arg)
{
	(*(unsigned *)arg)++;
	return 0;
}

static unsigned
walk_count(struct sl_flow_table *t)
{
	unsigned n = 0;

	sl_flow_walk(t, count_cb, &n);
	return n;
}

/* ------------------------------------------------------------------ */

static void
test_conn_size(void)
{
	CU_ASSERT_EQUAL(sizeof(struct sl_conn), 64);
	CU_ASSERT_EQUAL(sizeof(struct sl_flow_key), 16);
}

static void
test_create_invalid(void)
{
	struct sl_flow_params p;
	struct sl_flow_table *t, *t2;

	CU_ASSERT_PTR_NULL(sl_flow_create(NULL));
	CU_ASSERT_EQUAL(rte_errno, EINVAL);

	memset(&p, 0, sizeof(p));
	p.name = "tflow_inval";
	p.capacity = 0;
	p.socket_id = (int)rte_socket_id();
	p.hz = HZ;
	p.timeouts = tmo;
	rte_errno = 0;
	CU_ASSERT_PTR_NULL(sl_flow_create(&p));
	CU_ASSERT_EQUAL(rte_errno, EINVAL);
	p.capacity = 8;
	p.hz = 0;
	rte_errno = 0;
	CU_ASSERT_PTR_NULL(sl_flow_create(&p));
	CU_ASSERT_EQUAL(rte_errno, EINVAL);
	p.hz = HZ;
	p.timeouts = NULL;
	rte_errno = 0;
	CU_ASSERT_PTR_NULL(sl_flow_create(&p));
	CU_ASSERT_EQUAL(rte_errno, EINVAL);

	/* the name only labels memory: two tables of one name are
	 * independent, a connection in one is not seen by the other */
	p.timeouts = tmo;
	p.name = "tflow_dup";
	t = sl_flow_create(&p);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	t2 = sl_flow_create(&p);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t2);
	{
		struct tup u = tup_of(1, IPPROTO_TCP);
		struct sl_flow_key k = korig(&u);
		int dir;

		CU_ASSERT_PTR_NOT_NULL(add_tup(t, &u, BASE));
		CU_ASSERT_PTR_NOT_NULL(look(t, &k, &dir));
		CU_ASSERT_PTR_NULL(look(t2, &k, &dir));
	}
	CU_ASSERT_EQUAL(sl_flow_capacity(t), 8);
	CU_ASSERT_EQUAL(sl_flow_count(t), 1);
	CU_ASSERT_EQUAL(sl_flow_count(t2), 0);
	sl_flow_free(t2);
	sl_flow_free(t);
	sl_flow_free(NULL);
}

static void
test_add_lookup(void)
{
	struct sl_flow_table *t = mk_table(16, NULL);
	struct tup u = tup_of(42, IPPROTO_TCP), v = tup_of(43, IPPROTO_UDP);
	struct sl_flow_key k;
	struct sl_conn *c, *d;
	int dir;

	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	CU_ASSERT_EQUAL(sl_flow_capacity(t), 16);
	CU_ASSERT_EQUAL(sl_flow_count(t), 0);

	c = add_tup(t, &u, BASE);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_EQUAL(sl_flow_count(t), 1);
	CU_ASSERT_EQUAL(c->cip, u.cip);
	CU_ASSERT_EQUAL(c->cport, u.cport);
	CU_ASSERT_EQUAL(c->vip, u.vip);
	CU_ASSERT_EQUAL(c->vport, u.vport);
	CU_ASSERT_EQUAL(c->bip, u.bip);
	CU_ASSERT_EQUAL(c->bport, u.bport);
	CU_ASSERT_EQUAL(c->proto, IPPROTO_TCP);
	CU_ASSERT_EQUAL(c->state, SL_CS_SYN_SENT);
	CU_ASSERT_EQUAL(c->svc, 0);
	CU_ASSERT_EQUAL(c->be, 0);
	CU_ASSERT_EQUAL(c->be_gen, 0);
	CU_ASSERT_EQUAL(c->in_port, 0);
	CU_ASSERT_EQUAL(c->fin_seen, 0);
	CU_ASSERT_EQUAL(c->expire, BASE + tmo[SL_CS_SYN_SENT] * HZ);

	/* caller-owned fields stick and are seen through either key */
	c->svc = 7;
	c->be = 3;
	c->in_port = 1;

	k = korig(&u);
	CU_ASSERT_PTR_EQUAL(look(t, &k, &dir), c);
	CU_ASSERT_EQUAL(dir, SL_DIR_ORIG);
	k = kreply(&u);
	d = look(t, &k, &dir);
	CU_ASSERT_PTR_EQUAL(d, c);
	CU_ASSERT_EQUAL(dir, SL_DIR_REPLY);
	if (d != NULL) {
		CU_ASSERT_EQUAL(d->svc, 7);
		CU_ASSERT_EQUAL(d->be, 3);
		CU_ASSERT_EQUAL(d->in_port, 1);
	}

	d = add_tup(t, &v, BASE + 5);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	CU_ASSERT_PTR_NOT_EQUAL(d, c);
	CU_ASSERT_EQUAL(d->state, SL_CS_UDP);
	CU_ASSERT_EQUAL(d->proto, IPPROTO_UDP);
	CU_ASSERT_EQUAL(d->expire, BASE + 5 + tmo[SL_CS_UDP] * HZ);
	CU_ASSERT_EQUAL(sl_flow_count(t), 2);
	CU_ASSERT(both_keys_find(t, &v, d));
	CU_ASSERT(both_keys_find(t, &u, c));
	CU_ASSERT_EQUAL(walk_count(t), 2);

	/* misses: unrelated tuple, wrong protocol, ports or addresses off */
	{
		struct tup w = tup_of(44, IPPROTO_TCP);

		CU_ASSERT(both_keys_miss(t, &w));
		w = u;
		w.proto = IPPROTO_UDP;
		CU_ASSERT(both_keys_miss(t, &w));
		w = v;
		w.proto = IPPROTO_TCP;
		CU_ASSERT(both_keys_miss(t, &w));
		w = u;
		w.cport = htons(ntohs(u.cport) + 1);
		CU_ASSERT(both_keys_miss(t, &w));
		/* the reply key read the wrong way round is not a key */
		memset(&k, 0, sizeof(k));
		k.src = u.cip;
		k.dst = u.bip;
		k.sport = u.cport;
		k.dport = u.bport;
		k.proto = u.proto;
		CU_ASSERT_PTR_NULL(look(t, &k, &dir));
		/* nor is the orig key reversed (VIP -> client) */
		memset(&k, 0, sizeof(k));
		k.src = u.vip;
		k.dst = u.cip;
		k.sport = u.vport;
		k.dport = u.cport;
		k.proto = u.proto;
		CU_ASSERT_PTR_NULL(look(t, &k, &dir));
	}
	sl_flow_free(t);
}

/* touch and check state and that the deadline follows that state */
#define TOUCH(t, c, dir, fl, nowexpr, want) do {                          \
	uint64_t now_ = (nowexpr);                                        \
	sl_flow_touch((t), (c), (dir), (fl), now_);                       \
	CU_ASSERT_EQUAL((c)->state, (want));                              \
	CU_ASSERT_EQUAL((c)->expire, now_ + (uint64_t)tmo[want] * HZ);    \
} while (0)

static void
test_tcp_handshake_fin(void)
{
	struct sl_flow_table *t = mk_table(16, NULL);
	struct tup u = tup_of(1, IPPROTO_TCP);
	struct sl_conn *c;
	uint64_t now = BASE;

	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	c = add_tup(t, &u, now);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_EQUAL(c->state, SL_CS_SYN_SENT);

	/* retransmitted client SYN */
	TOUCH(t, c, SL_DIR_ORIG, F_SYN, now += HZ, SL_CS_SYN_SENT);
	/* a bare ACK or a SYN alone from the backend is not a SYN+ACK */
	TOUCH(t, c, SL_DIR_REPLY, F_ACK, now += 1, SL_CS_SYN_SENT);
	TOUCH(t, c, SL_DIR_REPLY, F_SYN, now += 1, SL_CS_SYN_SENT);
	/* a SYN+ACK from the client side does not count either */
	TOUCH(t, c, SL_DIR_ORIG, F_SYN | F_ACK, now += 1, SL_CS_SYN_SENT);
	/* backend SYN+ACK */
	TOUCH(t, c, SL_DIR_REPLY, F_SYN | F_ACK, now += 1, SL_CS_SYN_RECV);
	/* retransmitted SYN+ACK, and the client SYN again: still SYN_RECV */
	TOUCH(t, c, SL_DIR_REPLY, F_SYN | F_ACK, now += 1, SL_CS_SYN_RECV);
	TOUCH(t, c, SL_DIR_ORIG, F_SYN, now += 1, SL_CS_SYN_RECV);
	/* an ACK from the backend does not complete it */
	TOUCH(t, c, SL_DIR_REPLY, F_ACK, now += 1, SL_CS_SYN_RECV);
	/* the client's ACK does */
	TOUCH(t, c, SL_DIR_ORIG, F_ACK, now += 1, SL_CS_ESTABLISHED);
	/* data both ways */
	TOUCH(t, c, SL_DIR_ORIG, F_PSH | F_ACK, now += HZ, SL_CS_ESTABLISHED);
	TOUCH(t, c, SL_DIR_REPLY, F_ACK, now += 1, SL_CS_ESTABLISHED);
	TOUCH(t, c, SL_DIR_REPLY, F_PSH | F_ACK, now += 1, SL_CS_ESTABLISHED);
	TOUCH(t, c, SL_DIR_ORIG, 0, now += 1, SL_CS_ESTABLISHED);
	/* client closes */
	TOUCH(t, c, SL_DIR_ORIG, F_FIN | F_ACK, now += HZ, SL_CS_FIN_WAIT);
	CU_ASSERT_EQUAL(c->fin_seen, 1u << SL_DIR_ORIG);
	TOUCH(t, c, SL_DIR_REPLY, F_ACK, now += 1, SL_CS_FIN_WAIT);
	/* the client's FIN retransmitted is still one side */
	TOUCH(t, c, SL_DIR_ORIG, F_FIN | F_ACK, now += 1, SL_CS_FIN_WAIT);
	/* backend closes too */
	TOUCH(t, c, SL_DIR_REPLY, F_FIN | F_ACK, now += 1, SL_CS_TIME_WAIT);
	CU_ASSERT_EQUAL(c->fin_seen, 3);
	TOUCH(t, c, SL_DIR_ORIG, F_ACK, now += 1, SL_CS_TIME_WAIT);
	TOUCH(t, c, SL_DIR_ORIG, F_FIN | F_ACK, now += 1, SL_CS_TIME_WAIT);

	/* the record is still reachable through both keys */
	CU_ASSERT(both_keys_find(t, &u, c));

	/* the backend may close first as well */
	{
		struct tup v = tup_of(2, IPPROTO_TCP);
		struct sl_conn *e = add_tup(t, &v, now);

		CU_ASSERT_PTR_NOT_NULL_FATAL(e);
		TOUCH(t, e, SL_DIR_REPLY, F_SYN | F_ACK, now += 1, SL_CS_SYN_RECV);
		TOUCH(t, e, SL_DIR_ORIG, F_ACK, now += 1, SL_CS_ESTABLISHED);
		TOUCH(t, e, SL_DIR_REPLY, F_FIN | F_ACK, now += 1, SL_CS_FIN_WAIT);
		CU_ASSERT_EQUAL(e->fin_seen, 1u << SL_DIR_REPLY);
		TOUCH(t, e, SL_DIR_ORIG, F_ACK, now += 1, SL_CS_FIN_WAIT);
		TOUCH(t, e, SL_DIR_ORIG, F_FIN | F_ACK, now += 1, SL_CS_TIME_WAIT);
	}
	sl_flow_free(t);
}

static void
test_tcp_rst(void)
{
	struct sl_flow_table *t = mk_table(16, NULL);
	struct tup u = tup_of(1, IPPROTO_TCP), v = tup_of(2, IPPROTO_TCP);
	struct tup w = tup_of(3, IPPROTO_TCP), x = tup_of(4, IPPROTO_UDP);
	struct sl_conn *c;
	uint64_t now = BASE;

	CU_ASSERT_PTR_NOT_NULL_FATAL(t);

	/* RST on an established connection, from the backend */
	c = add_tup(t, &u, now);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	TOUCH(t, c, SL_DIR_REPLY, F_SYN | F_ACK, now += 1, SL_CS_SYN_RECV);
	TOUCH(t, c, SL_DIR_ORIG, F_ACK, now += 1, SL_CS_ESTABLISHED);
	TOUCH(t, c, SL_DIR_REPLY, F_RST, now += 1, SL_CS_CLOSE);
	/* nothing after a RST reopens it: FIN, data, SYN+ACK */
	TOUCH(t, c, SL_DIR_ORIG, F_FIN | F_ACK, now += 1, SL_CS_CLOSE);
	TOUCH(t, c, SL_DIR_ORIG, F_ACK, now += 1, SL_CS_CLOSE);
	TOUCH(t, c, SL_DIR_REPLY, F_SYN | F_ACK, now += 1, SL_CS_CLOSE);

	/* RST answering the SYN (port closed on the backend) */
	c = add_tup(t, &v, now);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	TOUCH(t, c, SL_DIR_REPLY, F_RST | F_ACK, now += 1, SL_CS_CLOSE);

	/* RST from the client during FIN_WAIT */
	c = add_tup(t, &w, now);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	TOUCH(t, c, SL_DIR_REPLY, F_SYN | F_ACK, now += 1, SL_CS_SYN_RECV);
	TOUCH(t, c, SL_DIR_ORIG, F_ACK, now += 1, SL_CS_ESTABLISHED);
	TOUCH(t, c, SL_DIR_ORIG, F_FIN | F_ACK, now += 1, SL_CS_FIN_WAIT);
	TOUCH(t, c, SL_DIR_ORIG, F_RST, now += 1, SL_CS_CLOSE);

	/* UDP: flags mean nothing, the deadline moves */
	c = add_tup(t, &x, now);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	TOUCH(t, c, SL_DIR_ORIG, F_RST, now += HZ, SL_CS_UDP);
	TOUCH(t, c, SL_DIR_REPLY, F_FIN, now += HZ, SL_CS_UDP);
	TOUCH(t, c, SL_DIR_REPLY, 0, now += HZ, SL_CS_UDP);
	sl_flow_free(t);
}

/* A SYN_SENT connection expires at its deadline, not one step before. */
static void
test_expire_exact(void)
{
	struct sl_flow_table *t = mk_table(16, NULL);
	struct tup u = tup_of(9, IPPROTO_TCP);
	const uint64_t step = HZ / 100;     /* 10 ms, finer than a slot */
	const uint64_t due = BASE + tmo[SL_CS_SYN_SENT] * HZ;
	struct exp_log l;
	struct sl_conn *c;
	uint64_t now, fired_at = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	memset(&l, 0, sizeof(l));
	c = add_tup(t, &u, BASE);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	c->svc = 5;

	for (now = BASE; now <= due + 2 * HZ; now += step) {
		unsigned n = run_expire(t, now, UINT_MAX, &l);

		if (now < due) {
			if (n != 0 || sl_flow_count(t) != 1 ||
			    !both_keys_find(t, &u, c)) {
				CU_FAIL("expired before its deadline");
				break;
			}
		} else if (n != 0) {
			CU_ASSERT_EQUAL(n, 1);
			if (fired_at == 0)
				fired_at = now;
		}
	}
	/* the first step at or past the deadline expired it, once */
	CU_ASSERT_EQUAL(fired_at, due);
	CU_ASSERT_EQUAL(l.n, 1);
	CU_ASSERT_EQUAL(l.early, 0);
	CU_ASSERT_EQUAL(l.last.cip, u.cip);
	CU_ASSERT_EQUAL(l.last.cport, u.cport);
	CU_ASSERT_EQUAL(l.last.bip, u.bip);
	CU_ASSERT_EQUAL(l.last.svc, 5);
	CU_ASSERT_EQUAL(l.last.state, SL_CS_SYN_SENT);
	CU_ASSERT_EQUAL(sl_flow_count(t), 0);
	CU_ASSERT(both_keys_miss(t, &u));
	CU_ASSERT_EQUAL(walk_count(t), 0);
	/* the record slot is free again and the keys can be reused */
	c = add_tup(t, &u, now);
	CU_ASSERT_PTR_NOT_NULL(c);
	CU_ASSERT(both_keys_find(t, &u, c));
	sl_flow_free(t);
}

/* Touching every second keeps a connection alive for twice its timeout;
 * once the packets stop it expires one timeout after the last one. */
static void
test_touch_extends(void)
{
	struct sl_flow_table *t = mk_table(16, NULL);
	struct tup u = tup_of(3, IPPROTO_TCP), v = tup_of(4, IPPROTO_UDP);
	const uint64_t step = HZ / 10;
	const uint64_t last = BASE + 2 * tmo[SL_CS_SYN_SENT] * HZ;
	struct sl_conn *c, *d;
	struct exp_log l;
	uint64_t now, tcp_gone = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	memset(&l, 0, sizeof(l));
	c = add_tup(t, &u, BASE);
	d = add_tup(t, &v, BASE);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);

	for (now = BASE; now <= last; now += step) {
		if ((now - BASE) % HZ == 0) {
			/* client SYN retransmits keep it in SYN_SENT */
			sl_flow_touch(t, c, SL_DIR_ORIG, F_SYN, now);
			sl_flow_touch(t, d, SL_DIR_REPLY, 0, now);
		}
		run_expire(t, now, UINT_MAX, &l);
	}
	CU_ASSERT_EQUAL(l.n, 0);
	CU_ASSERT_EQUAL(sl_flow_count(t), 2);
	CU_ASSERT(both_keys_find(t, &u, c));
	CU_ASSERT(both_keys_find(t, &v, d));
	CU_ASSERT_EQUAL(c->state, SL_CS_SYN_SENT);

	/* last touch at `last`; the TCP one is due at last + 10 s */
	for (; now <= last + tmo[SL_CS_UDP] * HZ + HZ; now += step) {
		run_expire(t, now, UINT_MAX, &l);
		if (tcp_gone == 0 && l.n > 0) {
			tcp_gone = now;
			CU_ASSERT_EQUAL(l.last.cip, u.cip);
		}
	}
	CU_ASSERT_EQUAL(tcp_gone, last + tmo[SL_CS_SYN_SENT] * HZ);
	CU_ASSERT_EQUAL(l.n, 2);
	CU_ASSERT_EQUAL(l.early, 0);
	CU_ASSERT_EQUAL(l.last.cip, v.cip);   /* UDP went last */
	CU_ASSERT_EQUAL(sl_flow_count(t), 0);
	CU_ASSERT(both_keys_miss(t, &u));
	CU_ASSERT(both_keys_miss(t, &v));
	sl_flow_free(t);
}

/* A 3000 s timeout is longer than a wheel turn (16384 slots of 1/16 s =
 * 1024 s): the record must be re-filed, not expired at 1024 or 2048 s. */
static void
test_lazy_rearm(void)
{
	uint32_t long_tmo[SL_CS_MAX];
	struct sl_flow_table *t;
	struct tup u = tup_of(5, IPPROTO_UDP), v = tup_of(6, IPPROTO_UDP);
	const uint64_t due = BASE + 3000 * HZ;
	struct sl_conn *c, *d;
	struct exp_log l;
	uint64_t now, fired_at = 0;
	unsigned i;

	for (i = 0; i < SL_CS_MAX; i++)
		long_tmo[i] = 3000;
	t = mk_table(16, long_tmo);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	memset(&l, 0, sizeof(l));
	c = add_tup(t, &u, BASE);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_EQUAL(c->expire, due);

	for (now = BASE; now <= due + 5 * HZ; now += HZ / 4) {
		unsigned n = run_expire(t, now, UINT_MAX, &l);

		if (now < due && n != 0) {
			fprintf(stderr, "expired at +%.2f s instead of +3000 s\n",
				(double)(now - BASE) / HZ);
			CU_FAIL("expired a full wheel turn early");
			break;
		}
		if (n != 0 && fired_at == 0)
			fired_at = now;
		if (now == BASE + 1025 * HZ || now == BASE + 2049 * HZ)
			CU_ASSERT(both_keys_find(t, &u, c));
	}
	CU_ASSERT_EQUAL(fired_at, due);
	CU_ASSERT_EQUAL(l.n, 1);
	CU_ASSERT_EQUAL(sl_flow_count(t), 0);
	CU_ASSERT(both_keys_miss(t, &u));

	/* same when nobody calls expire for a long time: one call at
	 * +2500 s keeps it, one at +3000 s removes it */
	d = add_tup(t, &v, now);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	CU_ASSERT_EQUAL(run_expire(t, now + 2500 * HZ, UINT_MAX, &l), 0);
	CU_ASSERT(both_keys_find(t, &v, d));
	CU_ASSERT_EQUAL(run_expire(t, now + 2999 * HZ, UINT_MAX, &l), 0);
	CU_ASSERT_EQUAL(run_expire(t, now + 3000 * HZ, UINT_MAX, &l), 1);
	CU_ASSERT(both_keys_miss(t, &v));
	CU_ASSERT_EQUAL(sl_flow_count(t), 0);
	sl_flow_free(t);
}

/* A state with a shorter timeout than the one before must expire on the
 * new, earlier deadline: a RST'd (CLOSE, 5 s) or half-closed (FIN_WAIT,
 * 30 s) connection must not linger for the ESTABLISHED timeout (900 s). */
static void
test_shorter_timeout_after_state_change(void)
{
	struct sl_flow_table *t = mk_table(16, NULL);
	struct tup u = tup_of(7, IPPROTO_TCP), v = tup_of(8, IPPROTO_TCP);
	struct sl_conn *c, *d;
	struct exp_log l;
	uint64_t now = BASE, rst_at, fin_at;

	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	memset(&l, 0, sizeof(l));
	c = add_tup(t, &u, now);
	d = add_tup(t, &v, now);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	sl_flow_touch(t, c, SL_DIR_REPLY, F_SYN | F_ACK, now + 1);
	sl_flow_touch(t, c, SL_DIR_ORIG, F_ACK, now + 2);
	sl_flow_touch(t, d, SL_DIR_REPLY, F_SYN | F_ACK, now + 1);
	sl_flow_touch(t, d, SL_DIR_ORIG, F_ACK, now + 2);
	CU_ASSERT_EQUAL(c->state, SL_CS_ESTABLISHED);
	/* run the wheel past the SYN_SENT deadline: both are re-filed for
	 * their ESTABLISHED deadline, 900 s out */
	for (; now <= BASE + 60 * HZ; now += HZ / 4)
		run_expire(t, now, UINT_MAX, &l);
	CU_ASSERT_EQUAL(l.n, 0);

	rst_at = now;
	sl_flow_touch(t, c, SL_DIR_REPLY, F_RST, rst_at);
	fin_at = now;
	sl_flow_touch(t, d, SL_DIR_ORIG, F_FIN | F_ACK, fin_at);
	CU_ASSERT_EQUAL(c->state, SL_CS_CLOSE);
	CU_ASSERT_EQUAL(d->state, SL_CS_FIN_WAIT);
	CU_ASSERT_EQUAL(c->expire, rst_at + tmo[SL_CS_CLOSE] * HZ);

	for (; now <= rst_at + (tmo[SL_CS_CLOSE] + 1) * HZ; now += HZ / 4)
		run_expire(t, now, UINT_MAX, &l);
	CU_ASSERT_EQUAL(l.n, 1);
	CU_ASSERT(both_keys_miss(t, &u));
	for (; now <= fin_at + (tmo[SL_CS_FIN_WAIT] + 1) * HZ; now += HZ / 4)
		run_expire(t, now, UINT_MAX, &l);
	CU_ASSERT_EQUAL(l.n, 2);
	CU_ASSERT(both_keys_miss(t, &v));
	CU_ASSERT_EQUAL(sl_flow_count(t), 0);
	if (l.n != 2) {
		/* say when they do go, for the report */
		unsigned before = l.n;

		for (; now <= BASE + 2000 * HZ && l.n < 2; now += HZ / 4)
			run_expire(t, now, UINT_MAX, &l);
		fprintf(stderr, "  CLOSE (due +%u s) and FIN_WAIT (due +%u s) "
			"records: %u expired on time, the rest at +%.2f s\n",
			tmo[SL_CS_CLOSE], tmo[SL_CS_FIN_WAIT], before,
			(double)(now - HZ / 4 - rst_at) / HZ);
	}
	CU_ASSERT_EQUAL(l.early, 0);
	sl_flow_free(t);
}

/* 1000 connections due at once, budget 100 per call. */
static void
test_budget(void)
{
	struct sl_flow_table *t = mk_table(1000, NULL);
	const uint64_t due = BASE + tmo[SL_CS_UDP] * HZ;
	struct exp_log l;
	unsigned i, calls = 0, total = 0, n;

	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	memset(&l, 0, sizeof(l));
	for (i = 0; i < 1000; i++) {
		struct tup u = tup_of(i, IPPROTO_UDP);

		if (add_tup(t, &u, BASE) == NULL) {
			CU_FAIL("add failed below capacity");
			break;
		}
	}
	CU_ASSERT_EQUAL(sl_flow_count(t), 1000);
	CU_ASSERT_EQUAL(run_expire(t, due - 1, UINT_MAX, &l), 0);
	CU_ASSERT_EQUAL(run_expire(t, due, 0, &l), 0);
	CU_ASSERT_EQUAL(sl_flow_count(t), 1000);

	do {
		n = run_expire(t, due, 100, &l);
		CU_ASSERT(n <= 100);
		total += n;
		calls++;
		CU_ASSERT_EQUAL(sl_flow_count(t), 1000 - total);
	} while (n != 0 && calls < 50);
	CU_ASSERT_EQUAL(total, 1000);
	CU_ASSERT_EQUAL(l.n, 1000);
	CU_ASSERT_EQUAL(calls, 11);      /* 10 full calls, then one with 0 */
	CU_ASSERT_EQUAL(sl_flow_count(t), 0);
	for (i = 0; i < 1000; i++) {
		struct tup u = tup_of(i, IPPROTO_UDP);

		if (!both_keys_miss(t, &u)) {
			CU_FAIL("key left after expiry");
			break;
		}
	}
	sl_flow_free(t);
}

static void
test_full_table(void)
{
	enum { N = 64 };
	struct sl_flow_table *t = mk_table(N, NULL);
	struct sl_conn *c[N], copy[N], *x;
	struct tup u;
	struct exp_log l;
	unsigned i, bad = 0;
	uint64_t now;

	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	memset(&l, 0, sizeof(l));
	for (i = 0; i < N; i++) {
		u = tup_of(i, i % 2 ? IPPROTO_UDP : IPPROTO_TCP);
		/* the first one is older and will expire first */
		c[i] = add_tup(t, &u, i == 0 ? BASE : BASE + 2 * HZ);
		CU_ASSERT_PTR_NOT_NULL_FATAL(c[i]);
		c[i]->svc = (uint16_t)i;
	}
	/* after all adds: an add links the record before it in its slot */
	for (i = 0; i < N; i++)
		copy[i] = *c[i];
	CU_ASSERT_EQUAL(sl_flow_count(t), N);

	u = tup_of(N, IPPROTO_TCP);
	CU_ASSERT_PTR_NULL(add_tup(t, &u, BASE + 2 * HZ));
	u = tup_of(N + 1, IPPROTO_UDP);
	CU_ASSERT_PTR_NULL(add_tup(t, &u, BASE + 2 * HZ));
	CU_ASSERT_EQUAL(sl_flow_count(t), N);
	CU_ASSERT(both_keys_miss(t, &u));
	for (i = 0; i < N; i++) {
		u = tup_of(i, i % 2 ? IPPROTO_UDP : IPPROTO_TCP);
		if (!both_keys_find(t, &u, c[i]) ||
		    memcmp(c[i], &copy[i], sizeof(copy[i])) != 0)
			bad++;
	}
	CU_ASSERT_EQUAL(bad, 0);

	/* the old one (TCP, 10 s) expires; nothing else is due yet */
	for (now = BASE; now <= BASE + tmo[SL_CS_SYN_SENT] * HZ; now += HZ / 4)
		run_expire(t, now, UINT_MAX, &l);
	CU_ASSERT_EQUAL(l.n, 1);
	CU_ASSERT_EQUAL(l.last.svc, 0);
	CU_ASSERT_EQUAL(sl_flow_count(t), N - 1);

	u = tup_of(N, IPPROTO_TCP);
	x = add_tup(t, &u, now);
	CU_ASSERT_PTR_NOT_NULL(x);
	CU_ASSERT_PTR_EQUAL(x, c[0]);    /* the freed record is reused */
	CU_ASSERT(both_keys_find(t, &u, x));
	CU_ASSERT_EQUAL(sl_flow_count(t), N);
	u = tup_of(N + 1, IPPROTO_TCP);
	CU_ASSERT_PTR_NULL(add_tup(t, &u, now));
	for (i = 1, bad = 0; i < N; i++) {
		u = tup_of(i, i % 2 ? IPPROTO_UDP : IPPROTO_TCP);
		if (!both_keys_find(t, &u, c[i]) || c[i]->svc != i)
			bad++;
	}
	CU_ASSERT_EQUAL(bad, 0);
	u = tup_of(0, IPPROTO_TCP);
	CU_ASSERT(both_keys_miss(t, &u));
	sl_flow_free(t);
}

static void
test_del(void)
{
	enum { N = 4 };
	struct sl_flow_table *t = mk_table(N, NULL);
	struct tup u[N + 1];
	struct sl_conn *c[N + 1];
	struct exp_log l;
	unsigned i;
	uint64_t now;

	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	memset(&l, 0, sizeof(l));
	for (i = 0; i <= N; i++)
		u[i] = tup_of(100 + i, IPPROTO_TCP);
	for (i = 0; i < N; i++) {
		c[i] = add_tup(t, &u[i], BASE);
		CU_ASSERT_PTR_NOT_NULL_FATAL(c[i]);
	}
	CU_ASSERT_PTR_NULL(add_tup(t, &u[N], BASE));

	sl_flow_del(t, c[1]);
	CU_ASSERT_EQUAL(sl_flow_count(t), N - 1);
	CU_ASSERT(both_keys_miss(t, &u[1]));
	CU_ASSERT(both_keys_find(t, &u[0], c[0]));
	CU_ASSERT(both_keys_find(t, &u[2], c[2]));
	CU_ASSERT(both_keys_find(t, &u[3], c[3]));
	CU_ASSERT_EQUAL(walk_count(t), N - 1);

	/* the slot is free at once */
	c[N] = add_tup(t, &u[N], BASE + HZ);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c[N]);
	CU_ASSERT_PTR_EQUAL(c[N], c[1]);
	CU_ASSERT(both_keys_find(t, &u[N], c[N]));
	CU_ASSERT_EQUAL(sl_flow_count(t), N);

	/* delete the newest, the head and the tail of the wheel slot list;
	 * the deleted ones never reach the expiry callback */
	sl_flow_del(t, c[N]);
	sl_flow_del(t, c[0]);
	sl_flow_del(t, c[3]);
	CU_ASSERT_EQUAL(sl_flow_count(t), 1);
	CU_ASSERT(both_keys_miss(t, &u[0]));
	CU_ASSERT(both_keys_miss(t, &u[3]));
	CU_ASSERT(both_keys_miss(t, &u[N]));
	CU_ASSERT(both_keys_find(t, &u[2], c[2]));
	for (now = BASE; now <= BASE + 20 * HZ; now += HZ / 4)
		run_expire(t, now, UINT_MAX, &l);
	CU_ASSERT_EQUAL(l.n, 1);
	CU_ASSERT_EQUAL(l.last.cip, u[2].cip);
	CU_ASSERT_EQUAL(sl_flow_count(t), 0);

	/* and the table is whole again */
	for (i = 0; i < N; i++)
		CU_ASSERT_PTR_NOT_NULL(add_tup(t, &u[i], now));
	CU_ASSERT_PTR_NULL(add_tup(t, &u[N], now));
	sl_flow_free(t);
}

static void
test_lookup_bulk(void)
{
	struct sl_flow_table *t = mk_table(256, NULL);
	struct sl_flow_key keys[64];
	const struct sl_flow_key *kp[64];
	static struct sl_conn sentinel;
	struct sl_conn *bc[64];
	int bd[64];
	unsigned i, n, round;

	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	/* even tuples present, odd ones not */
	for (i = 0; i < 200; i += 2) {
		struct tup u = tup_of(i, i % 4 ? IPPROTO_UDP : IPPROTO_TCP);

		CU_ASSERT_PTR_NOT_NULL_FATAL(add_tup(t, &u, BASE));
	}
	sl_test_srand(7);
	for (round = 0; round < 50; round++) {
		unsigned sizes[] = { 64, 1, 7, 33, 64 };
		unsigned hits = 0, bad = 0;
		int r;

		n = sizes[round % 5];
		for (i = 0; i < n; i++) {
			uint32_t j = sl_test_rand() % 200;
			struct tup u = tup_of(j, j % 4 ? IPPROTO_UDP : IPPROTO_TCP);

			keys[i] = sl_test_rand() & 1 ? kreply(&u) : korig(&u);
			kp[i] = &keys[i];
			bc[i] = &sentinel;  /* must be overwritten */
			bd[i] = -1;
		}
		r = sl_flow_lookup_bulk(t, kp, n, bc, bd);
		for (i = 0; i < n; i++) {
			int d;
			struct sl_conn *c = look(t, &keys[i], &d);

			if (c != NULL)
				hits++;
			if (bc[i] != c || (c != NULL && bd[i] != d))
				bad++;
		}
		CU_ASSERT_EQUAL(bad, 0);
		CU_ASSERT_EQUAL(r, (int)hits);
	}
	sl_flow_free(t);
}

/* Two clients' connections may not share a reply key. */
static void
test_reply_clash(void)
{
	enum { N = 4 };
	struct sl_flow_table *t = mk_table(N, NULL);
	struct tup a = tup_of(1, IPPROTO_TCP), b;
	struct sl_conn *ca, *cb, copy;
	unsigned i;

	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	ca = add_tup(t, &a, BASE);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ca);
	copy = *ca;
	/* same client endpoint and backend, another VIP: the reply
	 * backend -> client is the same 5-tuple */
	b = a;
	b.vip = htonl(0x0A000065u);
	b.vport = htons(81);
	cb = add_tup(t, &b, BASE + 1);
	CU_ASSERT_PTR_NULL(cb);
	CU_ASSERT_EQUAL(sl_flow_count(t), 1);
	CU_ASSERT(both_keys_find(t, &a, ca));
	CU_ASSERT_EQUAL(memcmp(ca, &copy, sizeof(copy)), 0);
	{
		struct sl_flow_key k = korig(&b);
		int d;

		CU_ASSERT_PTR_NULL(look(t, &k, &d));
	}
	CU_ASSERT_EQUAL(walk_count(t), 1);
	/* the refused add leaked nothing: every other slot is still there */
	for (i = 0; i < N - 1; i++) {
		struct tup v = tup_of(10 + i, IPPROTO_TCP);

		CU_ASSERT_PTR_NOT_NULL(add_tup(t, &v, BASE + 2));
	}
	CU_ASSERT_EQUAL(sl_flow_count(t), N);
	CU_ASSERT_PTR_NULL(add_tup(t, &b, BASE + 3));
	CU_ASSERT(both_keys_find(t, &a, ca));
	sl_flow_free(t);
}

/* A second add with an orig key already in the table must not steal the
 * key from the connection that owns it. */
static void
test_orig_clash(void)
{
	struct sl_flow_table *t = mk_table(4, NULL);
	struct tup a = tup_of(1, IPPROTO_TCP), b;
	struct sl_conn *ca, *cb;
	struct sl_flow_key k;
	int d;

	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	ca = add_tup(t, &a, BASE);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ca);
	b = a;
	b.bip = htonl(0x0A0100FEu);      /* other backend, same client key */
	cb = add_tup(t, &b, BASE + 1);
	k = korig(&a);
	if (cb != NULL) {
		fprintf(stderr, "  sl_flow_add accepted a duplicate orig key: "
			"orig -> %s record, count %u\n",
			look(t, &k, &d) == ca ? "first" : "second",
			sl_flow_count(t));
	}
	CU_ASSERT_PTR_NULL(cb);
	CU_ASSERT_PTR_EQUAL(look(t, &k, &d), ca);
	CU_ASSERT_EQUAL(sl_flow_count(t), 1);
	sl_flow_free(t);
}

/* ---- random churn against a reference model ---------------------- */

#define CH_POOL 3000
#define CH_CAP  512
#define CH_OPS  100000

struct ch_ref {
	uint8_t live;
	uint8_t proto;
	uint64_t expire;
	struct sl_conn *c;
};

struct ch_ctx {
	struct ch_ref ref[CH_POOL];
	unsigned live;
	uint64_t now;
	unsigned errors;
	unsigned expired;
};

static void
ch_expire_cb(const struct sl_conn *c, void *arg)
{
	struct ch_ctx *x = arg;
	uint32_t i = tup_index(c);

	if (i >= CH_POOL || !x->ref[i].live || x->ref[i].c != c ||
	    x->ref[i].expire > x->now || c->expire != x->ref[i].expire) {
		if (x->errors++ < 5)
			fprintf(stderr, "  churn: bad expiry of %u\n", i);
		return;
	}
	x->ref[i].live = 0;
	x->live--;
	x->expired++;
}

static unsigned
ch_verify(struct sl_flow_table *t, struct ch_ctx *x)
{
	unsigned i, bad = 0;

	for (i = 0; i < CH_POOL; i++) {
		struct tup u = tup_of(i, x->ref[i].proto);

		if (x->ref[i].live) {
			if (!both_keys_find(t, &u, x->ref[i].c) ||
			    x->ref[i].c->expire != x->ref[i].expire ||
			    x->ref[i].c->cip != u.cip || x->ref[i].c->bip != u.bip)
				bad++;
		} else if (!both_keys_miss(t, &u)) {
			bad++;
		}
	}
	if (walk_count(t) != x->live)
		bad++;
	return bad;
}

static void
test_churn(void)
{
	struct sl_flow_table *t = mk_table(CH_CAP, NULL);
	struct ch_ctx *x = calloc(1, sizeof(*x));
	unsigned op, i, n_add = 0, n_full = 0, n_del = 0, n_touch = 0;
	unsigned count_bad = 0, verify_bad = 0, late = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	CU_ASSERT_PTR_NOT_NULL_FATAL(x);
	sl_test_srand(12345);
	for (i = 0; i < CH_POOL; i++)
		x->ref[i].proto = i % 3 ? IPPROTO_UDP : IPPROTO_TCP;
	x->now = BASE;

	for (op = 0; op < CH_OPS; op++) {
		uint32_t r = sl_test_rand() % 100;
		uint32_t i = sl_test_rand() % CH_POOL;
		struct ch_ref *e = &x->ref[i];
		struct tup u = tup_of(i, e->proto);

		if (r < 45) {
			struct sl_conn *c;

			if (e->live)
				continue;   /* a worker looks up first */
			c = add_tup(t, &u, x->now);
			if (x->live == CH_CAP) {
				if (c != NULL)
					count_bad++;
				n_full++;
			} else if (c == NULL) {
				count_bad++;
			} else {
				e->live = 1;
				e->c = c;
				e->expire = x->now + (uint64_t)tmo[c->state] * HZ;
				x->live++;
				n_add++;
			}
		} else if (r < 60) {
			if (!e->live)
				continue;
			sl_flow_del(t, e->c);
			e->live = 0;
			x->live--;
			n_del++;
		} else if (r < 80) {
			struct sl_flow_key k;
			struct sl_conn *c;
			int d;

			if (!e->live)
				continue;
			/* a packet: look it up like a worker, then touch;
			 * ACKs from the client keep SYN_SENT in SYN_SENT */
			k = sl_test_rand() & 1 ? kreply(&u) : korig(&u);
			c = look(t, &k, &d);
			if (c != e->c) {
				count_bad++;
				continue;
			}
			sl_flow_touch(t, c, SL_DIR_ORIG, F_ACK, x->now);
			e->expire = x->now + (uint64_t)tmo[c->state] * HZ;
			n_touch++;
		} else {
			unsigned before = x->expired, n;

			if (r == 99 && sl_test_rand() % 8 == 0)
				x->now += (uint64_t)(sl_test_rand() % 2000) * HZ;
			else
				x->now += sl_test_rand() % (HZ / 5);
			n = sl_flow_expire(t, x->now, UINT_MAX, ch_expire_cb, x);
			if (n != x->expired - before)
				count_bad++;
			/* nothing due may be left behind; the wheel's
			 * resolution is one slot (1/16 s), so a record is
			 * late once `now` is in a later slot than its
			 * deadline */
			for (i = 0; i < CH_POOL; i++) {
				struct ch_ref *f = &x->ref[i];

				if (!f->live || f->expire / SLOT >= x->now / SLOT)
					continue;
				if (late++ == 0)
					fprintf(stderr, "  churn: %u due %.3f s ago "
						"not expired (state %u, wheel slot "
						"%u, now slot %llu)\n", i,
						(double)(x->now - f->expire) / HZ,
						f->c->state, f->c->wheel_slot,
						(unsigned long long)((x->now / SLOT) % 16384));
			}
		}
		if (sl_flow_count(t) != x->live)
			count_bad++;
		if (op % 1000 == 999)
			verify_bad += ch_verify(t, x);
		if (count_bad + verify_bad + late + x->errors > 0) {
			fprintf(stderr, "  churn: first mismatch at op %u\n", op);
			break;
		}
	}
	verify_bad += ch_verify(t, x);
	CU_ASSERT_EQUAL(count_bad, 0);
	CU_ASSERT_EQUAL(verify_bad, 0);
	CU_ASSERT_EQUAL(late, 0);
	CU_ASSERT_EQUAL(x->errors, 0);
	CU_ASSERT_EQUAL(sl_flow_count(t), x->live);
	/* the mix must really have exercised every path */
	CU_ASSERT(n_add > 10000);
	CU_ASSERT(n_full > 100);
	CU_ASSERT(n_del > 1000);
	CU_ASSERT(n_touch > 1000);
	CU_ASSERT(x->expired > 1000);
	CU_ASSERT(x->now - BASE > 3 * 1024 * HZ);  /* several wheel turns */
	printf("\n    churn: %u adds, %u refused full, %u dels, %u touches, "
	       "%u expired, %.0f s simulated ", n_add, n_full, n_del, n_touch,
	       x->expired, (double)(x->now - BASE) / HZ);
	free(x);
	sl_flow_free(t);
}

/* ---- a million connections --------------------------------------- */

static void
test_million(void)
{
	const uint32_t n = 1000000;
	struct sl_flow_table *t = mk_table(n, NULL);
	struct sl_conn **cs;
	uint32_t i, add_bad = 0, look_bad = 0;
	struct tup u;

	if (t == NULL) {
		CU_FAIL("a 1,000,000 table does not fit in 512 MB of EAL memory");
		return;
	}
	cs = malloc(n * sizeof(*cs));
	CU_ASSERT_PTR_NOT_NULL_FATAL(cs);
	for (i = 0; i < n; i++) {
		u = tup_of(i, i % 2 ? IPPROTO_UDP : IPPROTO_TCP);
		cs[i] = add_tup(t, &u, BASE);
		if (cs[i] == NULL && add_bad++ == 0)
			fprintf(stderr, "  add %u of %u failed\n", i, n);
	}
	CU_ASSERT_EQUAL(add_bad, 0);
	CU_ASSERT_EQUAL(sl_flow_count(t), n);
	u = tup_of(n, IPPROTO_TCP);
	CU_ASSERT_PTR_NULL(add_tup(t, &u, BASE));
	for (i = 0; i < n; i++) {
		u = tup_of(i, i % 2 ? IPPROTO_UDP : IPPROTO_TCP);
		if (!both_keys_find(t, &u, cs[i]) || cs[i]->cip != u.cip)
			look_bad++;
	}
	CU_ASSERT_EQUAL(look_bad, 0);
	/* all expire, in budgeted calls */
	{
		struct exp_log l;
		unsigned k, total = 0;

		memset(&l, 0, sizeof(l));
		for (k = 0; k < 100 && sl_flow_count(t) > 0; k++)
			total += run_expire(t, BASE + tmo[SL_CS_UDP] * HZ, 100000, &l);
		CU_ASSERT_EQUAL(total, n);
		CU_ASSERT_EQUAL(sl_flow_count(t), 0);
		CU_ASSERT_EQUAL(l.early, 0);
	}
	free(cs);
	sl_flow_free(t);
}

/* ---- one-direction connections (modes dr and tunnel) ------------- */

static struct sl_conn *
add_oneway(struct sl_flow_table *t, const struct tup *u, uint64_t now)
{
	return sl_flow_add_oneway(t, u->cip, u->cport, u->vip, u->vport, u->bip,
				  u->bport, u->proto, now);
}

/* The keys a reply of u could carry: backend -> client, and backend ->
 * 0.0.0.0:0 (the reply key of a record whose lip and lport are 0). */
static int
reply_keys_miss(struct sl_flow_table *t, const struct tup *u)
{
	struct sl_flow_key kr = kreply(u), kz = kreply(u);
	int d;

	kz.dst = 0;
	kz.dport = 0;
	return look(t, &kr, &d) == NULL && look(t, &kz, &d) == NULL;
}

/* Only the client's key of u leads to c. */
static int
oneway_finds(struct sl_flow_table *t, const struct tup *u, const struct sl_conn *c)
{
	struct sl_flow_key ko = korig(u);
	int d;

	return look(t, &ko, &d) == c && d == SL_DIR_ORIG && reply_keys_miss(t, u);
}

/*
 * A one-direction record: the client's key finds it, no reply key does;
 * lip and lport are 0. With no reply key it cannot clash with a two-way
 * connection of the same client endpoint and backend on another VIP,
 * whose reply key then belongs to that connection alone.
 */
static void
test_oneway_add_lookup(void)
{
	struct sl_flow_table *t = mk_table(16, NULL);
	struct tup u = tup_of(42, IPPROTO_TCP), v = tup_of(43, IPPROTO_UDP), w;
	struct sl_flow_key k;
	struct sl_conn *c, *d, *e;
	int dir;

	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	c = add_oneway(t, &u, BASE);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_EQUAL(sl_flow_count(t), 1);
	CU_ASSERT_EQUAL(c->cip, u.cip);
	CU_ASSERT_EQUAL(c->cport, u.cport);
	CU_ASSERT_EQUAL(c->vip, u.vip);
	CU_ASSERT_EQUAL(c->vport, u.vport);
	CU_ASSERT_EQUAL(c->bip, u.bip);
	CU_ASSERT_EQUAL(c->bport, u.bport);
	CU_ASSERT_EQUAL(c->lip, 0);
	CU_ASSERT_EQUAL(c->lport, 0);
	CU_ASSERT_EQUAL(c->proto, IPPROTO_TCP);
	CU_ASSERT_EQUAL(c->state, SL_CS_SYN_SENT);
	CU_ASSERT_EQUAL(c->fin_seen, 0);
	CU_ASSERT_EQUAL(c->expire, BASE + tmo[SL_CS_SYN_SENT] * HZ);
	CU_ASSERT(oneway_finds(t, &u, c));

	d = add_oneway(t, &v, BASE + 3);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	CU_ASSERT_EQUAL(d->state, SL_CS_UDP);
	CU_ASSERT_EQUAL(d->expire, BASE + 3 + tmo[SL_CS_UDP] * HZ);
	CU_ASSERT(oneway_finds(t, &v, d));
	CU_ASSERT(oneway_finds(t, &u, c));
	CU_ASSERT_EQUAL(walk_count(t), 2);

	/* the client's key stays the one-way record's: a two-way add of
	 * it (to another backend) is refused */
	w = u;
	w.bip = htonl(0x0A0100FEu);
	CU_ASSERT_PTR_NULL(add_tup(t, &w, BASE + 4));
	CU_ASSERT(oneway_finds(t, &u, c));

	/* a two-way connection of the same client endpoint and backend on
	 * another VIP: its reply key is free, and is its own */
	w = u;
	w.vip = htonl(0x0A000065u);
	e = add_tup(t, &w, BASE + 5);
	CU_ASSERT_PTR_NOT_NULL_FATAL(e);
	CU_ASSERT(both_keys_find(t, &w, e));
	k = korig(&u);
	CU_ASSERT_PTR_EQUAL(look(t, &k, &dir), c);
	CU_ASSERT_EQUAL(dir, SL_DIR_ORIG);
	/* removing the one-way record leaves the other whole, and the other
	 * way round */
	sl_flow_del(t, c);
	CU_ASSERT_PTR_NULL(look(t, &k, &dir));
	CU_ASSERT(both_keys_find(t, &w, e));
	c = add_oneway(t, &u, BASE + 6);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	sl_flow_del(t, e);
	CU_ASSERT(both_keys_miss(t, &w));
	CU_ASSERT(oneway_finds(t, &u, c));
	CU_ASSERT_EQUAL(sl_flow_count(t), 2);
	sl_flow_free(t);
}

/*
 * States of a one-direction TCP connection follow the client's flags
 * alone: SYN_SENT, ESTABLISHED on its first ACK without SYN, FIN_WAIT on
 * its FIN, CLOSE on RST; each with its own deadline. A two-way record
 * given the same client ACK in SYN_SENT waits for the backend's SYN+ACK.
 */
static void
test_oneway_states(void)
{
	struct sl_flow_table *t = mk_table(16, NULL);
	struct tup u = tup_of(1, IPPROTO_TCP), v = tup_of(2, IPPROTO_TCP);
	struct tup w = tup_of(3, IPPROTO_TCP), x = tup_of(4, IPPROTO_TCP);
	struct sl_conn *c;
	uint64_t now = BASE;

	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	c = add_oneway(t, &u, now);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	/* retransmitted SYN, a SYN+ACK from the client: still SYN_SENT */
	TOUCH(t, c, SL_DIR_ORIG, F_SYN, now += HZ, SL_CS_SYN_SENT);
	TOUCH(t, c, SL_DIR_ORIG, F_SYN | F_ACK, now += 1, SL_CS_SYN_SENT);
	/* a segment with no ACK is no handshake either */
	TOUCH(t, c, SL_DIR_ORIG, F_PSH, now += 1, SL_CS_SYN_SENT);
	/* the client's ACK */
	TOUCH(t, c, SL_DIR_ORIG, F_ACK, now += 1, SL_CS_ESTABLISHED);
	TOUCH(t, c, SL_DIR_ORIG, F_PSH | F_ACK, now += HZ, SL_CS_ESTABLISHED);
	/* its FIN: FIN_WAIT, and the next ACKs keep it there */
	TOUCH(t, c, SL_DIR_ORIG, F_FIN | F_ACK, now += HZ, SL_CS_FIN_WAIT);
	CU_ASSERT_EQUAL(c->fin_seen, 1u << SL_DIR_ORIG);
	TOUCH(t, c, SL_DIR_ORIG, F_ACK, now += 1, SL_CS_FIN_WAIT);
	TOUCH(t, c, SL_DIR_ORIG, F_FIN | F_ACK, now += 1, SL_CS_FIN_WAIT);
	TOUCH(t, c, SL_DIR_ORIG, F_RST | F_ACK, now += 1, SL_CS_CLOSE);
	TOUCH(t, c, SL_DIR_ORIG, F_ACK, now += 1, SL_CS_CLOSE);
	CU_ASSERT(oneway_finds(t, &u, c));

	/* RST after the SYN */
	c = add_oneway(t, &v, now);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	TOUCH(t, c, SL_DIR_ORIG, F_RST, now += 1, SL_CS_CLOSE);

	/* FIN straight after the handshake's ACK */
	c = add_oneway(t, &w, now);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	TOUCH(t, c, SL_DIR_ORIG, F_ACK, now += 1, SL_CS_ESTABLISHED);
	TOUCH(t, c, SL_DIR_ORIG, F_FIN | F_PSH | F_ACK, now += 1, SL_CS_FIN_WAIT);

	/* two-way: the client's ACK before the backend's SYN+ACK is not
	 * the end of the handshake */
	c = add_tup(t, &x, now);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	TOUCH(t, c, SL_DIR_ORIG, F_ACK, now += 1, SL_CS_SYN_SENT);
	sl_flow_free(t);
}

/* A one-way record expires at its state's deadline and takes its key
 * with it; the key serves again. */
static void
test_oneway_expire(void)
{
	struct sl_flow_table *t = mk_table(16, NULL);
	struct tup u = tup_of(9, IPPROTO_TCP);
	struct sl_flow_key ko = korig(&u);
	struct exp_log l;
	struct sl_conn *c;
	uint64_t now, due;
	int d;

	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	memset(&l, 0, sizeof(l));
	c = add_oneway(t, &u, BASE);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	sl_flow_touch(t, c, SL_DIR_ORIG, F_ACK, BASE + HZ);
	sl_flow_touch(t, c, SL_DIR_ORIG, F_FIN | F_ACK, BASE + 2 * HZ);
	CU_ASSERT_EQUAL(c->state, SL_CS_FIN_WAIT);
	due = BASE + 2 * HZ + tmo[SL_CS_FIN_WAIT] * HZ;
	CU_ASSERT_EQUAL(c->expire, due);
	for (now = BASE; now < due; now += HZ / 16)
		run_expire(t, now, UINT_MAX, &l);
	CU_ASSERT_EQUAL(l.n, 0);
	CU_ASSERT_PTR_EQUAL(look(t, &ko, &d), c);
	CU_ASSERT_EQUAL(run_expire(t, due, UINT_MAX, &l), 1);
	CU_ASSERT_EQUAL(l.last.cip, u.cip);
	CU_ASSERT_EQUAL(l.last.lip, 0);
	CU_ASSERT_EQUAL(l.last.state, SL_CS_FIN_WAIT);
	CU_ASSERT_EQUAL(l.early, 0);
	CU_ASSERT_EQUAL(sl_flow_count(t), 0);
	CU_ASSERT_PTR_NULL(look(t, &ko, &d));
	CU_ASSERT(reply_keys_miss(t, &u));
	c = add_oneway(t, &u, due);
	CU_ASSERT_PTR_NOT_NULL(c);
	CU_ASSERT(oneway_finds(t, &u, c));
	sl_flow_free(t);
}

/*
 * One-way and two-way records mixed, removed by delete and by expiry, in
 * rounds that fill the table to capacity: the index stays consistent (a
 * key left behind by a removal, or one never removed, would make a
 * lookup hit a dead record or fill the buckets until an add fails).
 */
static void
test_oneway_mixed_removal(void)
{
	enum { N = 512, ROUNDS = 12 };
	struct sl_flow_table *t = mk_table(N, NULL);
	static struct sl_conn *c[N];
	unsigned r, i, bad = 0, fail = 0;
	uint64_t now = BASE;
	struct exp_log l;

	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	memset(&l, 0, sizeof(l));
	run_expire(t, now, UINT_MAX, &l);     /* the wheel starts here */
	for (r = 0; r < ROUNDS; r++) {
		/* other tuples every round: the same ones would land on the
		 * same index entries */
		uint32_t base = r * N;

		for (i = 0; i < N; i++) {
			struct tup u = tup_of(base + i, i % 3 ? IPPROTO_TCP : IPPROTO_UDP);

			/* one way for two in three, the pattern shifting per round */
			c[i] = (i + r) % 3 ? add_oneway(t, &u, now) : add_tup(t, &u, now);
			if (c[i] == NULL)
				fail++;
		}
		if (fail != 0)
			break;
		CU_ASSERT_EQUAL(sl_flow_count(t), N);
		for (i = 0; i < N; i++) {
			struct tup u = tup_of(base + i, i % 3 ? IPPROTO_TCP : IPPROTO_UDP);

			if ((i + r) % 3 ? !oneway_finds(t, &u, c[i]) : !both_keys_find(t, &u, c[i]))
				bad++;
		}
		/* half deleted, in an order unlike the adds' */
		for (i = 0; i < N; i += 2)
			sl_flow_del(t, c[(i * 7) % N]);
		CU_ASSERT_EQUAL(sl_flow_count(t), N / 2);
		/* the rest expire */
		now += (tmo[SL_CS_UDP] + 1) * HZ;
		run_expire(t, now, UINT_MAX, &l);
		CU_ASSERT_EQUAL(sl_flow_count(t), 0);
		CU_ASSERT_EQUAL(walk_count(t), 0);
		for (i = 0; i < N; i++) {
			struct tup u = tup_of(base + i, i % 3 ? IPPROTO_TCP : IPPROTO_UDP);

			if (!both_keys_miss(t, &u) || !reply_keys_miss(t, &u))
				bad++;
		}
	}
	CU_ASSERT_EQUAL(fail, 0);
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT_EQUAL(l.early, 0);
	sl_flow_free(t);
}

static const struct sl_test_case flow_tests[] = {
	{ "record is one cache line", test_conn_size },
	{ "create rejects bad parameters", test_create_invalid },
	{ "add then lookup by both keys", test_add_lookup },
	{ "tcp handshake, data, fin/fin", test_tcp_handshake_fin },
	{ "tcp rst, udp ignores flags", test_tcp_rst },
	{ "expiry at the deadline, not before", test_expire_exact },
	{ "touch pushes the deadline", test_touch_extends },
	{ "lazy re-arm past one wheel turn", test_lazy_rearm },
	{ "shorter timeout after a state change", test_shorter_timeout_after_state_change },
	{ "expiry budget", test_budget },
	{ "full table", test_full_table },
	{ "delete frees at once", test_del },
	{ "bulk lookup agrees with single", test_lookup_bulk },
	{ "reply key clash refused", test_reply_clash },
	{ "orig key clash refused", test_orig_clash },
	{ "random churn against a model", test_churn },
	{ "one million connections", test_million },
	{ "one-way: client key only, no reply key, no clash", test_oneway_add_lookup },
	{ "one-way: states from the client's flags", test_oneway_states },
	{ "one-way: expiry takes the key", test_oneway_expire },
	{ "one-way and two-way removed: index consistent", test_oneway_mixed_removal },
};

SL_TEST_MAIN("flow",
	SL_TEST_SUITE("flow", NULL, NULL, flow_tests));
