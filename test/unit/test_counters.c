/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Counters: the tables generated from the X-macro lists match the
 * structs; the generated adders add every counter; the one renderer
 * prints the names and shapes the printers and scripts rely on, fits its
 * buffer with every counter at its maximum and truncates like snprintf;
 * and service ids and backend slots handed out anew are reported by the
 * rebuild that first publishes them (never one that keeps its identity),
 * which is what lets the management lcore start their counters at zero.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <inttypes.h>
#include <netinet/in.h>

#include <CUnit/CUnit.h>
#include <rte_lcore.h>

#include "sl_stats.h"
#include "sl_svc.h"
#include "sl_test.h"

#define IP(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | \
			(uint32_t)(c) << 8 | (uint32_t)(d))

/* ---- tables and adders ---- */

/* Every table entry names a distinct, aligned 64-bit field of its struct,
 * and (for sl_obj_stats) the entries cover the struct's counters. */
static void
check_table(const struct sl_counter *tab, unsigned n, size_t limit)
{
	unsigned i, j, dup = 0, bad = 0;

	CU_ASSERT(n > 0);
	for (i = 0; i < n; i++) {
		bad += tab[i].off % 8 != 0 || tab[i].off + 8u > limit;
		bad += tab[i].name == NULL || tab[i].name[0] == '\0';
		bad += tab[i].text == NULL || tab[i].text[0] == '\0';
		bad += tab[i].desc == NULL || tab[i].desc[0] == '\0';
		for (j = i + 1; j < n; j++)
			dup += tab[i].off == tab[j].off ||
				strcmp(tab[i].name, tab[j].name) == 0 ||
				strcmp(tab[i].text, tab[j].text) == 0;
	}
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT_EQUAL(dup, 0);
}

static void
test_tables(void)
{
	check_table(sl_worker_counters, sl_n_worker_counters,
		    offsetof(struct sl_worker_stats, start_tsc));
	check_table(sl_obj_counters, sl_n_obj_counters, sizeof(struct sl_obj_stats));
	/* every 64-bit word before start_tsc / in an obj block is a counter */
	CU_ASSERT_EQUAL(sl_n_worker_counters * 8u, offsetof(struct sl_worker_stats, start_tsc));
	/* and nothing else but padding to whole cache lines (one per
	 * service/backend block while the list fits in one) */
	CU_ASSERT_EQUAL(sizeof(struct sl_obj_stats), (sl_n_obj_counters * 8u + 63) / 64 * 64);
	/* the fields the workers and the scheduler use, at their entries */
	CU_ASSERT_EQUAL(sl_obj_counters[1].off, offsetof(struct sl_obj_stats, conns_active));
	CU_ASSERT_EQUAL(sl_obj_counters[1].is_signed, 1);
	CU_ASSERT_EQUAL(sl_obj_counters[1].gauge, 1);
	CU_ASSERT_EQUAL(sl_obj_counters[0].off, offsetof(struct sl_obj_stats, conns_total));
	CU_ASSERT_EQUAL(sl_obj_counters[0].is_signed, 0);
	CU_ASSERT_EQUAL(sl_obj_counters[0].gauge, 0);
	CU_ASSERT_EQUAL(sl_worker_counters[0].off, offsetof(struct sl_worker_stats, rx_pkts));
}

/* Fill every listed counter of @p blk with base + its index. */
static void
fill(const struct sl_counter *tab, unsigned n, void *blk, uint64_t base)
{
	unsigned i;

	for (i = 0; i < n; i++)
		*(uint64_t *)(void *)((char *)blk + tab[i].off) = base + i;
}

static void
test_adders(void)
{
	struct sl_worker_stats a, b;
	struct sl_obj_stats oa, ob;
	unsigned i, bad = 0;

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	fill(sl_worker_counters, sl_n_worker_counters, &b, 100);
	b.start_tsc = 12345;
	for (i = 0; i < SL_DROP_MAX; i++)
		b.drops[i] = 1000 + i;
	sl_worker_stats_add(&a, &b);
	sl_worker_stats_add(&a, &b);
	for (i = 0; i < sl_n_worker_counters; i++)
		bad += sl_counter_get(&sl_worker_counters[i], &a) != 2 * (100 + i);
	for (i = 0; i < SL_DROP_MAX; i++)
		bad += a.drops[i] != 2 * (1000 + i);
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT_EQUAL(a.start_tsc, 0);     /* a time, not a counter */
	CU_ASSERT_EQUAL(a.rx_pkts, 200);
	CU_ASSERT_EQUAL(a.busy_tsc, b.busy_tsc * 2);

	memset(&oa, 0, sizeof(oa));
	memset(&ob, 0, sizeof(ob));
	fill(sl_obj_counters, sl_n_obj_counters, &ob, 7);
	ob.conns_active = -3;
	sl_obj_stats_add(&oa, &ob);
	sl_obj_stats_add(&oa, &ob);
	CU_ASSERT_EQUAL(oa.conns_active, -6);
	CU_ASSERT_EQUAL(oa.conns_total, 14);
	bad = 0;
	for (i = 2; i < sl_n_obj_counters; i++)
		bad += sl_counter_get(&sl_obj_counters[i], &oa) != 2 * (7 + i);
	CU_ASSERT_EQUAL(bad, 0);
}

/* ---- rendering ---- */

static void
test_render_shapes(void)
{
	struct sl_worker_stats w;
	struct sl_obj_stats o;
	char buf[SL_STATS_RENDER_MAX];
	int n;

	memset(&w, 0, sizeof(w));
	w.rx_pkts = 15405;
	w.tx_pkts = 15408;
	w.rx_bursts = 712;
	w.slowpath = 3;
	w.conns_flushed = 2;
	w.rst_sent = 4;
	n = sl_worker_stats_render(&w, SL_STATS_TEXT, buf, sizeof(buf));
	CU_ASSERT_EQUAL((size_t)n, strlen(buf));
	/* what the exit-counter scripts grep: "worker 0 rx N tx N bursts N" */
	CU_ASSERT_EQUAL(strncmp(buf, "rx 15405 tx 15408 bursts 712 redirected 0 slowpath 3 ", 53), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, " conns_flushed 2 rst_sent 4 "));
	CU_ASSERT_NOT_EQUAL(buf[n - 1], ' ');
	n = sl_worker_stats_render(&w, SL_STATS_JSON, buf, sizeof(buf));
	CU_ASSERT_EQUAL(strncmp(buf, "\"rx_packets\":15405,\"tx_packets\":15408,\"bursts\":712,", 51), 0);
	CU_ASSERT_EQUAL(buf[n - 1] != ',', 1);

	memset(&o, 0, sizeof(o));
	o.conns_total = 4;
	o.conns_active = -2;
	o.pkts_in = 893;
	o.bytes_in = 60314;
	o.pkts_out = 14506;
	o.bytes_out = 21929760;
	sl_obj_stats_render(&o, SL_STATS_TEXT, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "conns_total 4 conns_active -2 pkts_in 893 bytes_in 60314 "
			       "pkts_out 14506 bytes_out 21929760 drops 0 acl_denied 0 "
			       "rate_limited 0 backend_full 0");
	sl_obj_stats_render(&o, SL_STATS_JSON, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "\"conns_total\":4,\"conns_active\":-2,\"pkts_in\":893,"
			       "\"bytes_in\":60314,\"pkts_out\":14506,\"bytes_out\":21929760,"
			       "\"drops\":0,\"acl_denied\":0,\"rate_limited\":0,\"backend_full\":0");
}

static void
test_render_drops(void)
{
	uint64_t d[SL_DROP_MAX] = { 0 };
	char buf[SL_STATS_RENDER_MAX];
	char want[128];
	unsigned i, found = 0;
	int n;

	n = sl_drops_render(d, SL_STATS_TEXT, NULL, buf, sizeof(buf));
	CU_ASSERT_EQUAL(n, 0);
	CU_ASSERT_STRING_EQUAL(buf, "");
	d[SL_DROP_NO_FLOW] = 7;
	d[SL_DROP_ARP_BAD] = 2;
	sl_drops_render(d, SL_STATS_TEXT, "  ", buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "  drop no_flow 7\n  drop arp_bad 2\n");
	sl_drops_render(d, SL_STATS_TEXT, NULL, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "drop no_flow 7\ndrop arp_bad 2\n");
	/* JSON: every reason, zero or not */
	sl_drops_render(d, SL_STATS_JSON, "  ", buf, sizeof(buf));
	CU_ASSERT_EQUAL(buf[0], '{');
	CU_ASSERT_EQUAL(buf[strlen(buf) - 1], '}');
	for (i = 1; i < SL_DROP_MAX; i++) {
		snprintf(want, sizeof(want), "\"%s\":%" PRIu64, sl_drop_name((enum sl_drop)i), d[i]);
		found += strstr(buf, want) != NULL;
	}
	CU_ASSERT_EQUAL(found, SL_DROP_MAX - 1);
	CU_ASSERT_PTR_NULL(strstr(buf, "\"none\""));
}

/* Every counter at its widest still fits SL_STATS_RENDER_MAX: a counter
 * added to a list must not silently truncate the printers' lines. */
static void
test_render_fits(void)
{
	struct sl_worker_stats w;
	struct sl_obj_stats o;
	uint64_t d[SL_DROP_MAX];
	char buf[SL_STATS_RENDER_MAX];
	int n;

	memset(&w, 0xff, sizeof(w));
	memset(&o, 0, sizeof(o));
	fill(sl_obj_counters, sl_n_obj_counters, &o, UINT64_MAX - 64);
	o.conns_active = INT64_MIN;
	memset(d, 0xff, sizeof(d));
	n = sl_worker_stats_render(&w, SL_STATS_TEXT, buf, sizeof(buf));
	CU_ASSERT(n > 0 && n < SL_STATS_RENDER_MAX);
	n = sl_worker_stats_render(&w, SL_STATS_JSON, buf, sizeof(buf));
	CU_ASSERT(n > 0 && n < SL_STATS_RENDER_MAX);
	n = sl_obj_stats_render(&o, SL_STATS_JSON, buf, sizeof(buf));
	CU_ASSERT(n > 0 && n < SL_STATS_RENDER_MAX);
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "\"conns_active\":-9223372036854775808"));
	n = sl_drops_render(d, SL_STATS_JSON, NULL, buf, sizeof(buf));
	CU_ASSERT(n > 0 && n < SL_STATS_RENDER_MAX);
	n = sl_drops_render(d, SL_STATS_TEXT, "  ", buf, sizeof(buf));
	CU_ASSERT(n > 0 && n < SL_STATS_RENDER_MAX);
}

static void
test_render_truncates(void)
{
	struct sl_obj_stats o;
	char full[SL_STATS_RENDER_MAX], small[16];
	int n, m;

	memset(&o, 0, sizeof(o));
	o.conns_total = 123456789;
	n = sl_obj_stats_render(&o, SL_STATS_TEXT, full, sizeof(full));
	memset(small, 'x', sizeof(small));
	m = sl_obj_stats_render(&o, SL_STATS_TEXT, small, sizeof(small));
	CU_ASSERT_EQUAL(m, n);                       /* the length it needs */
	CU_ASSERT_EQUAL(strlen(small), sizeof(small) - 1);
	CU_ASSERT_EQUAL(strncmp(small, full, sizeof(small) - 1), 0);
	m = sl_obj_stats_render(&o, SL_STATS_TEXT, NULL, 0);
	CU_ASSERT_EQUAL(m, n);
}

struct visit {
	unsigned n;
	uint64_t sum;
	int64_t active;
};

static void
visit_fn(const struct sl_counter *c, uint64_t v, void *arg)
{
	struct visit *vs = arg;

	vs->n++;
	if (strcmp(c->name, "conns_active") == 0)
		vs->active = (int64_t)v;
	else
		vs->sum += v;
}

static void
test_foreach(void)
{
	struct sl_obj_stats o;
	struct visit vs = { 0 };

	memset(&o, 0, sizeof(o));
	fill(sl_obj_counters, sl_n_obj_counters, &o, 1);
	o.conns_active = -5;
	sl_stats_foreach(sl_obj_counters, sl_n_obj_counters, &o, visit_fn, &vs);
	CU_ASSERT_EQUAL(vs.n, sl_n_obj_counters);
	CU_ASSERT_EQUAL(vs.active, -5);
	/* 1 + 3 + 4 + ... + n: every other counter once */
	CU_ASSERT_EQUAL(vs.sum, (uint64_t)sl_n_obj_counters * (sl_n_obj_counters + 1) / 2 - 2);
}

/* ---- ids and slots handed out anew ---- */

static const struct sl_port_hw hw[SL_MAX_PORTS] = {
	{ .port_id = 0, .mac = {{ 0x02, 0, 0, 0, 0, 0x01 }} },
	{ .port_id = 1, .mac = {{ 0x02, 0, 0, 0, 0, 0x02 }} },
};

#define TIMEOUT 60      /* every [global] timeout */

static struct sl_config *
cfg_base(void)
{
	struct sl_config *c = calloc(1, sizeof(*c));
	unsigned i;

	if (c == NULL)
		return NULL;
	snprintf(c->path, sizeof(c->path), "test_counters.ini");
	c->n_ports = 2;
	snprintf(c->ports[0].name, SL_NAME_MAX, "front");
	c->ports[0].addr = IP(10, 0, 0, 1);
	c->ports[0].prefix_len = 24;
	snprintf(c->ports[1].name, SL_NAME_MAX, "back");
	c->ports[1].addr = IP(10, 1, 0, 1);
	c->ports[1].prefix_len = 16;
	for (i = 0; i < SL_CS_MAX; i++)
		c->global.timeouts[i] = TIMEOUT;
	return c;
}

static struct sl_config_service *
cfg_svc(struct sl_config *c, const char *name, uint16_t port)
{
	struct sl_config_service *s = &c->services[c->n_services++];

	memset(s, 0, sizeof(*s));
	snprintf(s->name, sizeof(s->name), "%s", name);
	s->vip = IP(10, 0, 0, 100);
	s->port = port;
	s->proto = IPPROTO_TCP;
	s->mode = SL_MODE_NAT;
	s->drain_timeout = 0;
	snprintf(s->scheduler, sizeof(s->scheduler), "rr");
	return s;
}

static void
cfg_be(struct sl_config_service *s, uint32_t addr, uint16_t port)
{
	struct sl_config_backend *b = &s->backends[s->n_backends++];

	memset(b, 0, sizeof(*b));
	b->addr = addr;
	b->port = port;
	b->weight = 1;
}

/*
 * What the management lcore keeps per id and slot, simulated: the
 * counters of every worker (one here), zeroed where the rebuild reports
 * an id or slot new, then one connection per published backend and
 * service. Each must then have counted exactly the rounds of its own
 * life, whichever id or slot it reuses.
 */
struct life {
	struct sl_obj_stats svc[SL_MAX_SERVICES];
	struct sl_obj_stats be[SL_MAX_BACKENDS];
	uint32_t be_gen[SL_MAX_BACKENDS];    /* published now; 0: not */
	uint32_t be_last[SL_MAX_BACKENDS];   /* last generation ever published */
	uint64_t be_age[SL_MAX_BACKENDS];
	uint8_t svc_used[SL_MAX_SERVICES];
	char svc_name[SL_MAX_SERVICES][SL_NAME_MAX];
	uint64_t svc_age[SL_MAX_SERVICES];
	unsigned wrong_flag, wrong_count, be_reused, svc_reused;
};

static void
life_step(struct life *l, const struct sl_snapshot *s, const struct sl_svc_change *chg)
{
	unsigned i;

	for (i = 0; i < SL_MAX_SERVICES; i++) {
		int used = i < s->n_services && s->services[i].used;
		int fresh = used && !l->svc_used[i];

		if (chg->svc_new[i])
			memset(&l->svc[i], 0, sizeof(l->svc[i]));
		/* new exactly when published now and not just before */
		if (used && chg->svc_new[i] != fresh)
			l->wrong_flag++;
		if (fresh && l->svc_name[i][0] != '\0' &&
		    strcmp(l->svc_name[i], s->services[i].name) != 0)
			l->svc_reused++;
		if (fresh)
			snprintf(l->svc_name[i], SL_NAME_MAX, "%s", s->services[i].name);
		l->svc_age[i] = !used ? 0 : fresh ? 1 : l->svc_age[i] + 1;
		l->svc_used[i] = (uint8_t)used;
		if (used) {
			l->svc[i].conns_total++;
			l->wrong_count += l->svc[i].conns_total != l->svc_age[i];
		}
	}
	for (i = 0; i < SL_MAX_BACKENDS; i++) {
		const struct sl_backend *be = s->by_slot[i];
		uint32_t gen = be != NULL ? be->gen : 0;
		int fresh = gen != 0 && gen != l->be_gen[i];

		if (chg->be_new[i])
			memset(&l->be[i], 0, sizeof(l->be[i]));
		if (gen != 0 && chg->be_new[i] != fresh)
			l->wrong_flag++;
		if (fresh && l->be_last[i] != 0)
			l->be_reused++;
		l->be_age[i] = gen == 0 ? 0 : fresh ? 1 : l->be_age[i] + 1;
		if (gen != 0) {
			l->be[i].conns_total++;
			l->wrong_count += l->be[i].conns_total != l->be_age[i];
			l->be_last[i] = gen;
		}
		l->be_gen[i] = gen;
	}
}

static struct sl_snapshot *
rb(const struct sl_config *c, struct sl_neigh_table *n, struct sl_svc_ids *ids,
   const struct sl_snapshot *prev, uint32_t now, struct sl_svc_change *chg, int quiet)
{
	char err[256] = "";
	struct sl_snapshot *s;

	s = sl_svc_rebuild(c, hw, n, 1, ids, prev, now, chg, err, sizeof(err));
	if (s == NULL && !quiet)
		fprintf(stderr, "  sl_svc_rebuild: %s\n", err);
	return s;
}

/*
 * Churn: each round replaces the BATCH backends of service churn (the
 * old ones drain for 0 s, then stay TIMEOUT s to be flushed, then go)
 * and replaces a one-round service; web and its backend stay throughout.
 * Slots are handed out round robin, so after SL_MAX_BACKENDS of them the
 * freed ones come back; service ids come back at once. One rebuild is
 * refused after handing out slots: the next good one must report them.
 */
static void
test_new_ids_and_slots(void)
{
	enum { BATCH = 120, ROUNDS = 40, REFUSED = 20 };
	struct sl_config *c = cfg_base();
	struct sl_neigh_table *n = sl_neigh_create(64, (int)rte_socket_id());
	struct sl_svc_ids *ids = sl_svc_ids_create();
	struct life *l = calloc(1, sizeof(*l));
	struct sl_snapshot *s = NULL, *next;
	struct sl_svc_change chg;
	struct sl_config_service *cs;
	uint32_t now = 1000;
	unsigned r, k, web_slot;
	char name[SL_NAME_MAX];

	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_PTR_NOT_NULL_FATAL(n);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ids);
	CU_ASSERT_PTR_NOT_NULL_FATAL(l);
	for (r = 0; r < ROUNDS; r++) {
		unsigned tries = r == REFUSED ? 2 : 1, t;

		for (t = 0; t < tries; t++) {
			/* first try at REFUSED: too many backends with those
			 * draining, refused after slots were handed out */
			unsigned batch = t + 1 < tries ? 200 : BATCH;

			c->n_services = 0;
			cs = cfg_svc(c, "web", 80);
			cfg_be(cs, IP(10, 1, 0, 11), 8080);
			cs = cfg_svc(c, "churn", 81);
			for (k = 0; k < batch; k++)
				cfg_be(cs, IP(10, 1, 0, 50), (uint16_t)(10000 + r * BATCH + k));
			snprintf(name, sizeof(name), "once%u", r);
			cs = cfg_svc(c, name, (uint16_t)(1000 + r));
			cfg_be(cs, IP(10, 1, 0, 60), (uint16_t)(1000 + r));
			next = rb(c, n, ids, s, now, &chg, t + 1 < tries);
			if (t + 1 < tries) {
				CU_ASSERT_PTR_NULL(next);
				sl_svc_free(next);
				continue;
			}
			CU_ASSERT_PTR_NOT_NULL_FATAL(next);
		}
		sl_svc_free(s);
		s = next;
		life_step(l, s, &chg);
		now += 1000;
	}
	CU_ASSERT_EQUAL(l->wrong_flag, 0);
	CU_ASSERT_EQUAL(l->wrong_count, 0);
	/* the interesting cases happened */
	CU_ASSERT(l->be_reused > 0);
	CU_ASSERT(l->svc_reused > 0);
	/* web's backend kept its slot and counted every round */
	web_slot = sl_svc_find(s, "web")->backends[0].slot;
	CU_ASSERT_EQUAL(l->be[web_slot].conns_total, ROUNDS);
	CU_ASSERT_EQUAL(l->svc[sl_svc_find(s, "web")->id].conns_total, ROUNDS);
	if (l->wrong_flag || l->wrong_count || !l->be_reused || !l->svc_reused)
		fprintf(stderr, "\n    wrong flags %u, wrong counts %u, slots reused %u, ids reused %u ",
			l->wrong_flag, l->wrong_count, l->be_reused, l->svc_reused);
	sl_svc_free(s);
	sl_svc_ids_free(ids);
	sl_neigh_free(n);
	free(l);
	free(c);
}

int
main(void)
{
	CU_pSuite s;

	sl_test_eal_init("counters");
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 2;
	s = CU_add_suite("counters", NULL, NULL);
	if (s == NULL ||
	    CU_add_test(s, "tables match the structs", test_tables) == NULL ||
	    CU_add_test(s, "adders add every counter", test_adders) == NULL ||
	    CU_add_test(s, "render: names and shapes", test_render_shapes) == NULL ||
	    CU_add_test(s, "render: drops by reason", test_render_drops) == NULL ||
	    CU_add_test(s, "render: widest values fit", test_render_fits) == NULL ||
	    CU_add_test(s, "render: truncates as snprintf", test_render_truncates) == NULL ||
	    CU_add_test(s, "foreach visits every counter", test_foreach) == NULL ||
	    CU_add_test(s, "ids and slots handed out anew start from zero",
			test_new_ids_and_slots) == NULL) {
		CU_cleanup_registry();
		return 2;
	}
	return sl_test_run();
}
