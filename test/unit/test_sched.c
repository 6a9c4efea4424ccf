/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests for lib/sched: the registry, round robin and smooth
 * weighted round robin. Picks are checked as exact sequences and exact
 * counts, not as tolerances: both schedulers are deterministic per
 * worker.
 *
 * Per-worker state is allocated with exactly ops->ws_size(n) bytes and
 * zeroed, as the service module does, so an undersized ws_size shows up
 * under ASan.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>

#include <CUnit/CUnit.h>
#include <rte_memory.h>

#include "sl_sched.h"
#include "sl_svc.h"
#include "sl_test.h"

#define MAX_BACKENDS 16

/* One scheduler instance: a service and one worker's state. */
struct inst {
	const struct sl_sched_ops *ops;
	struct sl_sched_svc svc;
	uint32_t weight[MAX_BACKENDS];
	void *shared;
	void *ws;
};

static int
inst_init(struct inst *in, const char *name, const uint32_t *w, uint16_t n,
	  unsigned worker)
{
	size_t sz;

	memset(in, 0, sizeof(*in));
	in->ops = sl_sched_find(name);
	CU_ASSERT_PTR_NOT_NULL(in->ops);
	if (in->ops == NULL || n > MAX_BACKENDS)
		return -1;
	if (n)
		memcpy(in->weight, w, n * sizeof(*w));
	in->svc.n = n;
	in->svc.weight = in->weight;
	if (in->ops->build != NULL) {
		in->shared = in->ops->build(&in->svc, 0);
		in->svc.shared = in->shared;
	}
	sz = in->ops->ws_size(n);
	CU_ASSERT(sz > 0);
	in->ws = calloc(1, sz ? sz : 1);
	if (in->ws == NULL)
		return -1;
	in->ops->ws_init(in->ws, &in->svc, worker);
	return 0;
}

static void
inst_fini(struct inst *in)
{
	if (in->shared != NULL && in->ops->free != NULL)
		in->ops->free(in->shared);
	free(in->ws);
	in->ws = NULL;
}

static int
pick(struct inst *in)
{
	return in->ops->pick(&in->svc, in->ws, sl_test_rand(), NULL);
}

/* ---------- registry ---------- */

static int
has_token(const char *list, const char *name)
{
	size_t n = strlen(name);
	const char *p = list;

	while (p != NULL && *p != '\0') {
		const char *bar = strchr(p, '|');
		size_t len = bar ? (size_t)(bar - p) : strlen(p);

		if (len == n && strncmp(p, name, n) == 0)
			return 1;
		p = bar ? bar + 1 : NULL;
	}
	return 0;
}

static int
dummy_pick(const struct sl_sched_svc *svc, void *ws, uint32_t hash,
	   const struct sl_obj_stats *stats)
{
	return 0;
}

static size_t
dummy_ws_size(uint16_t n)
{
	return 8;
}

static void
dummy_ws_init(void *ws, const struct sl_sched_svc *svc, unsigned worker)
{
}

static struct sl_sched_ops dummy_ops = {
	.name = "unit_dummy",
	.ws_size = dummy_ws_size,
	.ws_init = dummy_ws_init,
	.pick = dummy_pick,
};

static void
test_registry(void)
{
	const struct sl_sched_ops *rr, *wrr;
	const char *names;

	rr = sl_sched_find("rr");
	wrr = sl_sched_find("wrr");
	CU_ASSERT_PTR_NOT_NULL_FATAL(rr);
	CU_ASSERT_PTR_NOT_NULL_FATAL(wrr);
	CU_ASSERT_STRING_EQUAL(rr->name, "rr");
	CU_ASSERT_STRING_EQUAL(wrr->name, "wrr");
	CU_ASSERT_PTR_NOT_EQUAL(rr, wrr);
	CU_ASSERT_PTR_NOT_NULL(rr->pick);
	CU_ASSERT_PTR_NOT_NULL(rr->ws_size);
	CU_ASSERT_PTR_NOT_NULL(rr->ws_init);
	CU_ASSERT_PTR_NOT_NULL(wrr->pick);
	CU_ASSERT_PTR_NOT_NULL(wrr->ws_size);
	CU_ASSERT_PTR_NOT_NULL(wrr->ws_init);
	CU_ASSERT_PTR_NULL(sl_sched_find("nope"));
	CU_ASSERT_PTR_NULL(sl_sched_find(""));
	CU_ASSERT_PTR_NULL(sl_sched_find("RR"));
	CU_ASSERT_PTR_NULL(sl_sched_find("r"));
	CU_ASSERT_PTR_NULL(sl_sched_find("wrr "));

	/* whole names, not substrings: "rr" is inside "wrr" */
	names = sl_sched_names();
	CU_ASSERT_PTR_NOT_NULL_FATAL(names);
	CU_ASSERT(has_token(names, "rr"));
	CU_ASSERT(has_token(names, "wrr"));
	CU_ASSERT(!has_token(names, "nope"));
	/* stable across calls */
	CU_ASSERT_STRING_EQUAL(sl_sched_names(), names);

	/* a late registration is found and listed (cache invalidated) */
	sl_sched_register(&dummy_ops);
	CU_ASSERT_PTR_EQUAL(sl_sched_find("unit_dummy"), &dummy_ops);
	CU_ASSERT(has_token(sl_sched_names(), "unit_dummy"));
	CU_ASSERT(has_token(sl_sched_names(), "rr"));
	CU_ASSERT(has_token(sl_sched_names(), "wrr"));
	CU_ASSERT_PTR_EQUAL(sl_sched_find("rr"), rr);
}

/* ---------- round robin ---------- */

static void
test_rr_cyclic(void)
{
	static const uint32_t w[3] = { 1, 1, 1 };
	struct inst in;
	uint32_t cnt[3] = { 0 }, i, order_bad = 0;
	int b;

	if (inst_init(&in, "rr", w, 3, 0) != 0)
		return;
	for (i = 0; i < 3000; i++) {
		b = pick(&in);
		if (b < 0 || b >= 3) {
			order_bad++;
			continue;
		}
		cnt[b]++;
		if ((uint32_t)b != i % 3)
			order_bad++;
	}
	CU_ASSERT_EQUAL(order_bad, 0);
	CU_ASSERT_EQUAL(cnt[0], 1000);
	CU_ASSERT_EQUAL(cnt[1], 1000);
	CU_ASSERT_EQUAL(cnt[2], 1000);
	inst_fini(&in);
}

static void
test_rr_worker_start(void)
{
	static const uint32_t w[5] = { 1, 1, 1, 1, 1 };
	struct inst in;
	unsigned worker, i, bad;

	/* worker w starts at w % n, then cycles */
	for (worker = 0; worker < 12; worker++) {
		if (inst_init(&in, "rr", w, 3, worker) != 0)
			return;
		bad = 0;
		for (i = 0; i < 30; i++)
			if (pick(&in) != (int)((worker + i) % 3))
				bad++;
		CU_ASSERT_EQUAL(bad, 0);
		inst_fini(&in);
	}
	if (inst_init(&in, "rr", w, 3, 1) != 0)
		return;
	CU_ASSERT_EQUAL(pick(&in), 1);
	CU_ASSERT_EQUAL(pick(&in), 2);
	CU_ASSERT_EQUAL(pick(&in), 0);
	inst_fini(&in);
	/* n = 5, worker 7 starts at 2 */
	if (inst_init(&in, "rr", w, 5, 7) != 0)
		return;
	CU_ASSERT_EQUAL(pick(&in), 2);
	CU_ASSERT_EQUAL(pick(&in), 3);
	CU_ASSERT_EQUAL(pick(&in), 4);
	CU_ASSERT_EQUAL(pick(&in), 0);
	inst_fini(&in);
	/* workers are independent: interleaving does not disturb them */
	{
		struct inst a, b;

		if (inst_init(&a, "rr", w, 3, 0) != 0 ||
		    inst_init(&b, "rr", w, 3, 1) != 0)
			return;
		bad = 0;
		for (i = 0; i < 300; i++) {
			if (pick(&a) != (int)(i % 3))
				bad++;
			if (pick(&b) != (int)((i + 1) % 3))
				bad++;
		}
		CU_ASSERT_EQUAL(bad, 0);
		inst_fini(&a);
		inst_fini(&b);
	}
}

static void
test_rr_skip_zero(void)
{
	static const uint32_t w1[3] = { 1, 0, 1 };
	static const uint32_t w2[5] = { 0, 3, 0, 0, 7 };
	struct inst in;
	uint32_t i, bad = 0, cnt[5] = { 0 };
	int b;

	if (inst_init(&in, "rr", w1, 3, 0) != 0)
		return;
	for (i = 0; i < 1000; i++)
		if (pick(&in) != (int)(i % 2 ? 2 : 0))
			bad++;
	CU_ASSERT_EQUAL(bad, 0);
	inst_fini(&in);

	/* worker 1 starts on the weight-0 backend: moves on to 2 */
	if (inst_init(&in, "rr", w1, 3, 1) != 0)
		return;
	CU_ASSERT_EQUAL(pick(&in), 2);
	CU_ASSERT_EQUAL(pick(&in), 0);
	CU_ASSERT_EQUAL(pick(&in), 2);
	inst_fini(&in);

	/* rr ignores the weight's size: 1 and 4 alternate equally */
	if (inst_init(&in, "rr", w2, 5, 2) != 0)
		return;
	CU_ASSERT_EQUAL(pick(&in), 4);
	CU_ASSERT_EQUAL(pick(&in), 1);
	for (i = 0; i < 1000; i++) {
		b = pick(&in);
		if (b >= 0 && b < 5)
			cnt[b]++;
	}
	CU_ASSERT_EQUAL(cnt[0] + cnt[2] + cnt[3], 0);
	CU_ASSERT_EQUAL(cnt[1], 500);
	CU_ASSERT_EQUAL(cnt[4], 500);
	inst_fini(&in);

	/* a single usable backend is always picked */
	{
		static const uint32_t w3[4] = { 0, 0, 9, 0 };
		unsigned worker;

		for (worker = 0; worker < 4; worker++) {
			if (inst_init(&in, "rr", w3, 4, worker) != 0)
				return;
			bad = 0;
			for (i = 0; i < 20; i++)
				if (pick(&in) != 2)
					bad++;
			CU_ASSERT_EQUAL(bad, 0);
			inst_fini(&in);
		}
	}
}

static void
test_rr_none(void)
{
	static const uint32_t w[4] = { 0, 0, 0, 0 };
	struct inst in;
	unsigned worker, i, bad = 0;

	for (worker = 0; worker < 4; worker++) {
		if (inst_init(&in, "rr", w, 4, worker) != 0)
			return;
		for (i = 0; i < 10; i++)
			if (pick(&in) != -1)
				bad++;
		inst_fini(&in);
	}
	CU_ASSERT_EQUAL(bad, 0);
	/* no backends at all */
	if (inst_init(&in, "rr", w, 0, 3) != 0)
		return;
	CU_ASSERT_EQUAL(pick(&in), -1);
	CU_ASSERT_EQUAL(pick(&in), -1);
	inst_fini(&in);
}

/* ---------- smooth weighted round robin ---------- */

static void
test_wrr_sequence(void)
{
	static const uint32_t w[3] = { 5, 1, 1 };
	static const int seq[7] = { 0, 0, 1, 0, 2, 0, 0 }; /* a a b a c a a */
	struct inst in;
	unsigned i, bad = 0, worker;
	int b;

	for (worker = 0; worker < 3; worker++) {
		/* every worker runs the same sequence */
		if (inst_init(&in, "wrr", w, 3, worker) != 0)
			return;
		for (i = 0; i < 70; i++) {
			b = pick(&in);
			if (b != seq[i % 7]) {
				if (bad++ == 0)
					fprintf(stderr, "\n    wrr 5,1,1 pick %u: got %d "
						"want %d\n", i, b, seq[i % 7]);
			}
		}
		inst_fini(&in);
	}
	CU_ASSERT_EQUAL(bad, 0);
}

static void
test_wrr_proportional(void)
{
	static const uint32_t w[4] = { 1, 2, 3, 4 };
	struct inst in;
	uint32_t cnt[4] = { 0 }, win[4], i, j, bad_win = 0;
	int b;

	if (inst_init(&in, "wrr", w, 4, 0) != 0)
		return;
	for (i = 0; i < 1000; i++) {
		/* every window of sum(weights) picks is exact */
		memset(win, 0, sizeof(win));
		for (j = 0; j < 10; j++) {
			b = pick(&in);
			if (b >= 0 && b < 4) {
				cnt[b]++;
				win[b]++;
			}
		}
		for (j = 0; j < 4; j++)
			if (win[j] != w[j])
				bad_win++;
	}
	CU_ASSERT_EQUAL(cnt[0], 1000);
	CU_ASSERT_EQUAL(cnt[1], 2000);
	CU_ASSERT_EQUAL(cnt[2], 3000);
	CU_ASSERT_EQUAL(cnt[3], 4000);
	CU_ASSERT_EQUAL(bad_win, 0);
	inst_fini(&in);
}

static void
test_wrr_smooth(void)
{
	static const uint32_t w[3] = { 5, 1, 1 };
	struct inst in;
	uint32_t i, run = 0, max_run = 0, cyc_run = 0, max_cyc_run = 0;
	uint32_t adjacent = 0;
	int b, prev = 0;

	if (inst_init(&in, "wrr", w, 3, 0) != 0)
		return;
	for (i = 0; i < 7000; i++) {
		b = pick(&in);
		if (i % 7 == 0)
			cyc_run = 0;
		if (b == 0) {
			run++;
			cyc_run++;
			if (run > max_run)
				max_run = run;
			if (cyc_run > max_cyc_run)
				max_cyc_run = cyc_run;
		} else {
			run = 0;
			cyc_run = 0;
			/* never b b, c c, b c or c b */
			if (i > 0 && prev != 0)
				adjacent++;
		}
		prev = b;
	}
	CU_ASSERT_EQUAL(adjacent, 0);
	/*
	 * Within a cycle (a a b a c a a) a runs at most twice; the cycle's
	 * tail "a a" meets the next head "a a", so the longest run in the
	 * stream is exactly 4, never the 5 of a plain weighted RR.
	 */
	CU_ASSERT_EQUAL(max_cyc_run, 2);
	CU_ASSERT_EQUAL(max_run, 4);
	inst_fini(&in);

	/* 1,1,...: plain rotation from the lowest index */
	{
		static const uint32_t e[4] = { 1, 1, 1, 1 };
		unsigned bad = 0;

		if (inst_init(&in, "wrr", e, 4, 0) != 0)
			return;
		for (i = 0; i < 40; i++)
			if (pick(&in) != (int)(i % 4))
				bad++;
		CU_ASSERT_EQUAL(bad, 0);
		inst_fini(&in);
	}
}

static void
test_wrr_zero_weight(void)
{
	static const uint32_t w[5] = { 3, 0, 2, 0, 1 };
	static const uint32_t z[3] = { 0, 0, 0 };
	struct inst in;
	uint32_t cnt[5] = { 0 }, i, out = 0;
	int b;

	if (inst_init(&in, "wrr", w, 5, 0) != 0)
		return;
	for (i = 0; i < 6000; i++) {
		b = pick(&in);
		if (b >= 0 && b < 5)
			cnt[b]++;
		else
			out++;
	}
	CU_ASSERT_EQUAL(out, 0);
	CU_ASSERT_EQUAL(cnt[1], 0);
	CU_ASSERT_EQUAL(cnt[3], 0);
	CU_ASSERT_EQUAL(cnt[0], 3000);
	CU_ASSERT_EQUAL(cnt[2], 2000);
	CU_ASSERT_EQUAL(cnt[4], 1000);
	inst_fini(&in);

	/* all zero, and no backends: -1 */
	if (inst_init(&in, "wrr", z, 3, 0) != 0)
		return;
	CU_ASSERT_EQUAL(pick(&in), -1);
	CU_ASSERT_EQUAL(pick(&in), -1);
	inst_fini(&in);
	if (inst_init(&in, "wrr", z, 0, 0) != 0)
		return;
	CU_ASSERT_EQUAL(pick(&in), -1);
	inst_fini(&in);

	/* single non-zero backend among zeros */
	{
		static const uint32_t s[4] = { 0, 0, 0, 100 };
		unsigned bad = 0;

		if (inst_init(&in, "wrr", s, 4, 0) != 0)
			return;
		for (i = 0; i < 100; i++)
			if (pick(&in) != 3)
				bad++;
		CU_ASSERT_EQUAL(bad, 0);
		inst_fini(&in);
	}
}

static void
test_wrr_random_weights(void)
{
	struct inst in;
	uint32_t w[10], cnt[10], sum, picks, rounds, i, seed, bad, out;
	int b;

	for (seed = 1; seed <= 3; seed++) {
		sl_test_srand(0x5eed0000 + seed);
		sum = 0;
		for (i = 0; i < 10; i++) {
			w[i] = 1 + sl_test_rand() % 100;
			sum += w[i];
		}
		/* the largest multiple of the weight sum up to 1,000,000 */
		rounds = 1000000 / sum;
		picks = rounds * sum;
		if (inst_init(&in, "wrr", w, 10, seed) != 0)
			return;
		memset(cnt, 0, sizeof(cnt));
		out = 0;
		for (i = 0; i < picks; i++) {
			b = pick(&in);
			if (b >= 0 && b < 10)
				cnt[b]++;
			else
				out++;
		}
		bad = 0;
		for (i = 0; i < 10; i++)
			if (cnt[i] != w[i] * rounds) {
				if (bad++ == 0)
					fprintf(stderr, "\n    seed %u backend %u weight %u: "
						"%u picks, want %u\n", seed, i, w[i],
						cnt[i], w[i] * rounds);
			}
		CU_ASSERT_EQUAL(out, 0);
		CU_ASSERT_EQUAL(bad, 0);
		CU_ASSERT(picks > 999000 - sum);
		inst_fini(&in);
	}
}

static void
test_wrr_large_weights(void)
{
	/* weights near the top of uint32_t must not overflow the scores */
	static const uint32_t w[3] = { 0xffffffffu, 0x80000000u, 1 };
	struct inst in;
	uint32_t i, cnt[3] = { 0 };
	int b;

	if (inst_init(&in, "wrr", w, 3, 0) != 0)
		return;
	for (i = 0; i < 100000; i++) {
		b = pick(&in);
		if (b >= 0 && b < 3)
			cnt[b]++;
	}
	/* 100000 picks of a 6442450944-pick cycle: shares 2:1, c starved */
	CU_ASSERT_EQUAL(cnt[0] + cnt[1] + cnt[2], 100000);
	CU_ASSERT(cnt[0] >= 66666 - 1 && cnt[0] <= 66667 + 1);
	CU_ASSERT(cnt[1] >= 33333 - 1 && cnt[1] <= 33334 + 1);
	inst_fini(&in);
}

/* ---------- lc, wlc, sh, maglev: shared fixture ---------- */

/*
 * A service as lib/svc builds it: weights, counter slots and identity
 * hashes per backend, a table size, and the shared table from
 * ops->build(). Slots run backwards from FIX_SLOT0 so that a scheduler
 * indexing the stats by backend index instead of slot picks wrongly.
 */
#define FIX_MAXB 128
#define FIX_SLOT0 5
#define FIX_NSTATS (FIX_MAXB + FIX_SLOT0 + 1)
#define MAGLEV_M 65537u
#define MAGLEV_M_BIG 655373u

struct fix {
	const struct sl_sched_ops *ops;
	struct sl_sched_svc svc;
	uint32_t weight[FIX_MAXB];
	uint16_t slot[FIX_MAXB];
	uint64_t ident[FIX_MAXB];
	void *shared;
	void *ws;
};

/* Identity of test backend k, hashed as lib/svc does for "ADDR:PORT". */
static uint64_t
be_ident(unsigned k)
{
	char id[32];

	snprintf(id, sizeof(id), "10.%u.%u.%u:8080", 1 + k / 65536,
		 (k / 256) % 256, k % 256);
	return sl_svc_ident_hash(id);
}

/* @p w and @p ident may be NULL: weight 1, identity be_ident(i). */
static int
fix_init(struct fix *f, const char *name, const uint32_t *w,
	 const uint64_t *ident, uint16_t n, uint32_t table_size)
{
	size_t sz;
	uint16_t i;

	memset(f, 0, sizeof(*f));
	f->ops = sl_sched_find(name);
	CU_ASSERT_PTR_NOT_NULL(f->ops);
	CU_ASSERT(n <= FIX_MAXB);
	if (f->ops == NULL || n > FIX_MAXB)
		return -1;
	for (i = 0; i < n; i++) {
		f->weight[i] = w != NULL ? w[i] : 1;
		f->ident[i] = ident != NULL ? ident[i] : be_ident(i);
		f->slot[i] = (uint16_t)(FIX_SLOT0 + n - 1 - i);
	}
	f->svc.n = n;
	f->svc.weight = f->weight;
	f->svc.slot = f->slot;
	f->svc.ident = f->ident;
	f->svc.table_size = table_size;
	if (f->ops->build != NULL) {
		f->shared = f->ops->build(&f->svc, SOCKET_ID_ANY);
		CU_ASSERT_PTR_NOT_NULL(f->shared);
		if (f->shared == NULL)
			return -1;
		f->svc.shared = f->shared;
	}
	sz = f->ops->ws_size(n);
	CU_ASSERT(sz > 0);
	f->ws = calloc(1, sz ? sz : 1);
	if (f->ws == NULL)
		return -1;
	if (f->ops->ws_init != NULL)
		f->ops->ws_init(f->ws, &f->svc, 0);
	return 0;
}

static void
fix_fini(struct fix *f)
{
	if (f->shared != NULL && f->ops->free != NULL)
		f->ops->free(f->shared);
	f->shared = NULL;
	free(f->ws);
	f->ws = NULL;
}

static int
fix_pick(struct fix *f, uint32_t hash, const struct sl_obj_stats *stats)
{
	return f->ops->pick(&f->svc, f->ws, hash, stats);
}

/* Identity a hash maps to, 0 for no backend (never a real identity). */
static uint64_t
fix_pick_ident(struct fix *f, uint32_t hash)
{
	int b = fix_pick(f, hash, NULL);

	return b >= 0 && b < f->svc.n ? f->ident[b] : 0;
}

static void
shuffle_u16(uint16_t *a, unsigned n)
{
	unsigned i, j;
	uint16_t t;

	for (i = n; i > 1; i--) {
		j = sl_test_rand() % i;
		t = a[i - 1];
		a[i - 1] = a[j];
		a[j] = t;
	}
}

/* ---------- least connections ---------- */

static void
test_lc_basic(void)
{
	static const uint32_t w3[3] = { 1, 1, 1 };
	static const uint32_t wz[3] = { 1, 0, 1 };
	static const uint32_t wzz[3] = { 0, 0, 0 };
	struct sl_obj_stats st[FIX_NSTATS];
	struct fix f;
	unsigned i, bad = 0;

	/* all zero: the lowest index, every time, with or without stats */
	memset(st, 0, sizeof(st));
	if (fix_init(&f, "lc", w3, NULL, 3, 0) != 0)
		return;
	CU_ASSERT_EQUAL(f.ops->needs_hash, 0);
	for (i = 0; i < 100; i++)
		if (fix_pick(&f, sl_test_rand(), st) != 0 ||
		    fix_pick(&f, sl_test_rand(), NULL) != 0)
			bad++;
	CU_ASSERT_EQUAL(bad, 0);

	/* 5, 2, 9 active (by slot, not by index): backend 1 */
	st[f.slot[0]].conns_active = 5;
	st[f.slot[1]].conns_active = 2;
	st[f.slot[2]].conns_active = 9;
	CU_ASSERT_EQUAL(fix_pick(&f, 0, st), 1);
	CU_ASSERT_EQUAL(fix_pick(&f, 0, st), 1);   /* pick itself changes nothing */
	/* 9, 5, 2: backend 2; 2, 5, 9: backend 0 */
	st[f.slot[0]].conns_active = 9;
	st[f.slot[2]].conns_active = 2;
	st[f.slot[1]].conns_active = 5;
	CU_ASSERT_EQUAL(fix_pick(&f, 0, st), 2);
	st[f.slot[0]].conns_active = 2;
	st[f.slot[2]].conns_active = 9;
	CU_ASSERT_EQUAL(fix_pick(&f, 0, st), 0);
	/* ties go to the first: 4, 3, 3 -> 1 */
	st[f.slot[0]].conns_active = 4;
	st[f.slot[1]].conns_active = 3;
	st[f.slot[2]].conns_active = 3;
	CU_ASSERT_EQUAL(fix_pick(&f, 0, st), 1);
	/* the other counters do not matter */
	st[f.slot[1]].conns_total = 1000000;
	st[f.slot[1]].pkts_in = 1000000;
	CU_ASSERT_EQUAL(fix_pick(&f, 0, st), 1);
	fix_fini(&f);

	/* weight 0 is never picked, even idle beside busy backends */
	memset(st, 0, sizeof(st));
	if (fix_init(&f, "lc", wz, NULL, 3, 0) != 0)
		return;
	st[f.slot[0]].conns_active = 5;
	st[f.slot[1]].conns_active = 0;
	st[f.slot[2]].conns_active = 9;
	CU_ASSERT_EQUAL(fix_pick(&f, 0, st), 0);
	st[f.slot[0]].conns_active = 1000;
	CU_ASSERT_EQUAL(fix_pick(&f, 0, st), 2);
	memset(st, 0, sizeof(st));
	bad = 0;
	for (i = 0; i < 100; i++)
		if (fix_pick(&f, sl_test_rand(), st) == 1)
			bad++;
	CU_ASSERT_EQUAL(bad, 0);
	fix_fini(&f);

	/* lc ignores the size of a weight: 3, 4, 5 active with weights
	 * 1, 5, 2 is backend 0 (wlc would take 1, at 4/5) */
	{
		static const uint32_t wu[3] = { 1, 5, 2 };

		memset(st, 0, sizeof(st));
		if (fix_init(&f, "lc", wu, NULL, 3, 0) != 0)
			return;
		st[f.slot[0]].conns_active = 3;
		st[f.slot[1]].conns_active = 4;
		st[f.slot[2]].conns_active = 5;
		CU_ASSERT_EQUAL(fix_pick(&f, 0, st), 0);
		st[f.slot[0]].conns_active = 6;
		CU_ASSERT_EQUAL(fix_pick(&f, 0, st), 1);
		fix_fini(&f);
	}

	/* nothing usable: -1 */
	if (fix_init(&f, "lc", wzz, NULL, 3, 0) != 0)
		return;
	CU_ASSERT_EQUAL(fix_pick(&f, 0, st), -1);
	CU_ASSERT_EQUAL(fix_pick(&f, 0, NULL), -1);
	fix_fini(&f);
	if (fix_init(&f, "lc", wzz, NULL, 0, 0) != 0)
		return;
	CU_ASSERT_EQUAL(fix_pick(&f, 0, st), -1);
	fix_fini(&f);
}

/* First backend of weight > 0 with the fewest active per unit of weight
 * (lc: @p weighted 0, all weights count as 1); -1 if none. */
static int
ref_least(const struct fix *f, const struct sl_obj_stats *st, int weighted)
{
	int best = -1;
	uint16_t i;

	for (i = 0; i < f->svc.n; i++) {
		int64_t a, ba, w, bw;

		if (f->weight[i] == 0)
			continue;
		if (best < 0) {
			best = i;
			continue;
		}
		a = st[f->slot[i]].conns_active;
		ba = st[f->slot[best]].conns_active;
		w = weighted ? f->weight[i] : 1;
		bw = weighted ? f->weight[best] : 1;
		if (a * bw < ba * w)
			best = i;
	}
	return best;
}

#define SIM_CONNS 1000000u
#define SIM_FLOOR 1000u      /* connections stay open below this many */
#define SIM_TAIL 1000u       /* the last arrivals: nothing ends */

static void
test_lc_simulation(void)
{
	/* backend 3 is drained: weight 0 */
	static const uint32_t w[6] = { 1, 1, 1, 0, 1, 1 };
	struct sl_obj_stats st[FIX_NSTATS];
	struct fix f;
	uint8_t *live;
	uint32_t i, n_live = 0, wrong = 0, out = 0, ends = 0;
	int64_t lo, hi, max_spread = 0, sum;
	int b;
	unsigned k;

	memset(st, 0, sizeof(st));
	live = malloc(SIM_CONNS);
	CU_ASSERT_PTR_NOT_NULL_FATAL(live);
	if (fix_init(&f, "lc", w, NULL, 6, 0) != 0) {
		free(live);
		return;
	}
	sl_test_srand(0x1c0001);
	for (i = 0; i < SIM_CONNS; i++) {
		/* 0, 1 or 2 random earlier connections end (1 on average) */
		unsigned n_end = i < SIM_CONNS - SIM_TAIL ? sl_test_rand() % 3 : 0;

		for (k = 0; k < n_end && n_live > SIM_FLOOR; k++) {
			uint32_t j = sl_test_rand() % n_live;

			st[f.slot[live[j]]].conns_active--;
			live[j] = live[--n_live];
			ends++;
		}
		b = fix_pick(&f, sl_test_rand(), st);
		if (b < 0 || b >= 6 || w[b] == 0) {
			out++;
			continue;
		}
		if (b != ref_least(&f, st, 0)) {
			if (wrong++ == 0)
				fprintf(stderr, "\n    lc conn %u: picked %d, want %d\n",
					i, b, ref_least(&f, st, 0));
		}
		st[f.slot[b]].conns_active++;
		live[n_live++] = (uint8_t)b;
		lo = INT64_MAX;
		hi = INT64_MIN;
		for (k = 0; k < 6; k++) {
			if (w[k] == 0)
				continue;
			lo = RTE_MIN(lo, st[f.slot[k]].conns_active);
			hi = RTE_MAX(hi, st[f.slot[k]].conns_active);
		}
		max_spread = RTE_MAX(max_spread, hi - lo);
	}
	CU_ASSERT_EQUAL(out, 0);
	CU_ASSERT_EQUAL(wrong, 0);
	CU_ASSERT(ends > SIM_CONNS / 2);
	/* final: within 1 of each other, the drained backend empty */
	lo = INT64_MAX;
	hi = INT64_MIN;
	sum = 0;
	for (k = 0; k < 6; k++) {
		sum += st[f.slot[k]].conns_active;
		if (w[k] == 0)
			continue;
		lo = RTE_MIN(lo, st[f.slot[k]].conns_active);
		hi = RTE_MAX(hi, st[f.slot[k]].conns_active);
	}
	CU_ASSERT_EQUAL(st[f.slot[3]].conns_active, 0);
	CU_ASSERT_EQUAL(sum, (int64_t)n_live);
	CU_ASSERT(hi - lo <= 1);
	fprintf(stderr, "\n    lc: %u arrivals, %u ends, %u open: final active "
		"%" PRId64 "..%" PRId64 ", largest spread during the run %" PRId64 "\n",
		SIM_CONNS, ends, n_live, lo, hi, max_spread);
	fix_fini(&f);
	free(live);
}

/* ---------- weighted least connections ---------- */

static void
test_wlc_basic(void)
{
	static const uint32_t w[3] = { 1, 2, 4 };
	static const uint32_t wz[4] = { 3, 0, 1, 0 };
	static const uint32_t wzz[2] = { 0, 0 };
	struct sl_obj_stats st[FIX_NSTATS];
	struct fix f;

	memset(st, 0, sizeof(st));
	if (fix_init(&f, "wlc", w, NULL, 3, 0) != 0)
		return;
	CU_ASSERT_EQUAL(f.ops->needs_hash, 0);
	/* all idle: the first */
	CU_ASSERT_EQUAL(fix_pick(&f, 0, st), 0);
	CU_ASSERT_EQUAL(fix_pick(&f, 0, NULL), 0);
	/* 10, 10, 10 active: 10/4 is the least per weight */
	st[f.slot[0]].conns_active = 10;
	st[f.slot[1]].conns_active = 10;
	st[f.slot[2]].conns_active = 10;
	CU_ASSERT_EQUAL(fix_pick(&f, 0, st), 2);
	/* 3, 5, 12: 3/1 < 5/2 is false, 5/2 < 12/4: backend 1 */
	st[f.slot[0]].conns_active = 3;
	st[f.slot[1]].conns_active = 5;
	st[f.slot[2]].conns_active = 12;
	CU_ASSERT_EQUAL(fix_pick(&f, 0, st), 1);
	/* 2, 4, 8: all 2 per weight, the first wins */
	st[f.slot[0]].conns_active = 2;
	st[f.slot[1]].conns_active = 4;
	st[f.slot[2]].conns_active = 8;
	CU_ASSERT_EQUAL(fix_pick(&f, 0, st), 0);
	/* 2, 3, 8: backend 1 (1.5) */
	st[f.slot[1]].conns_active = 3;
	CU_ASSERT_EQUAL(fix_pick(&f, 0, st), 1);
	fix_fini(&f);

	memset(st, 0, sizeof(st));
	if (fix_init(&f, "wlc", wz, NULL, 4, 0) != 0)
		return;
	st[f.slot[0]].conns_active = 300;
	st[f.slot[2]].conns_active = 99;
	CU_ASSERT_EQUAL(fix_pick(&f, 0, st), 2);
	st[f.slot[2]].conns_active = 101;
	CU_ASSERT_EQUAL(fix_pick(&f, 0, st), 0);
	fix_fini(&f);

	if (fix_init(&f, "wlc", wzz, NULL, 2, 0) != 0)
		return;
	CU_ASSERT_EQUAL(fix_pick(&f, 0, st), -1);
	fix_fini(&f);
}

static void
test_wlc_proportional(void)
{
	static const uint32_t w[3] = { 1, 2, 4 };
	struct sl_obj_stats st[FIX_NSTATS];
	struct fix f;
	uint32_t i, k, wrong = 0, out = 0, not_exact = 0, far = 0;
	double dev, max_dev = 0;
	int b;

	memset(st, 0, sizeof(st));
	if (fix_init(&f, "wlc", w, NULL, 3, 0) != 0)
		return;
	for (i = 1; i <= SIM_CONNS; i++) {
		b = fix_pick(&f, sl_test_rand(), st);
		if (b < 0 || b >= 3) {
			out++;
			continue;
		}
		if (b != ref_least(&f, st, 1))
			wrong++;
		st[f.slot[b]].conns_active++;
		for (k = 0; k < 3; k++) {
			int64_t a = st[f.slot[k]].conns_active;

			/* exact after every sum(weights) = 7 picks */
			if (i % 7 == 0 && a != (int64_t)(i / 7 * w[k]))
				not_exact++;
			dev = (double)a - (double)i * w[k] / 7.0;
			if (dev < 0)
				dev = -dev;
			max_dev = RTE_MAX(max_dev, dev);
			/* a divisor method stays within n - 1 of the quota */
			if (dev >= 2.0)
				far++;
		}
	}
	CU_ASSERT_EQUAL(out, 0);
	CU_ASSERT_EQUAL(wrong, 0);
	CU_ASSERT_EQUAL(not_exact, 0);
	CU_ASSERT_EQUAL(far, 0);
	/* at the end (1M picks) within 1 of total * w / sum */
	for (k = 0; k < 3; k++) {
		dev = (double)st[f.slot[k]].conns_active -
			(double)SIM_CONNS * w[k] / 7.0;
		CU_ASSERT(dev >= -1.0 && dev <= 1.0);
	}
	fprintf(stderr, "\n    wlc 1,2,4 after 1M picks: %" PRId64 " %" PRId64 " %" PRId64
		", largest deviation from the quota at any step %.3f\n",
		st[f.slot[0]].conns_active, st[f.slot[1]].conns_active,
		st[f.slot[2]].conns_active, max_dev);
	fix_fini(&f);
}

/* ---------- source hashing ---------- */

#define SH_PICKS 1000000u

static void
test_sh_distribution(void)
{
	static const uint32_t w[4] = { 1, 2, 3, 4 };
	static const uint32_t wz[5] = { 2, 0, 1, 0, 3 };
	uint32_t cnt[5] = { 0 }, i, k, out = 0;
	double share, want, worst = 0;
	struct fix f;
	int b;

	if (fix_init(&f, "sh", w, NULL, 4, 0) != 0)
		return;
	CU_ASSERT_EQUAL(f.ops->needs_hash, 1);
	sl_test_srand(0x5a0001);
	for (i = 0; i < SH_PICKS; i++) {
		b = fix_pick(&f, sl_test_rand(), NULL);
		if (b >= 0 && b < 4)
			cnt[b]++;
		else
			out++;
	}
	CU_ASSERT_EQUAL(out, 0);
	for (k = 0; k < 4; k++) {
		share = (double)cnt[k] / SH_PICKS;
		want = w[k] / 10.0;
		worst = RTE_MAX(worst, share > want ? share / want - 1 : 1 - share / want);
		CU_ASSERT(share >= want * 0.98 && share <= want * 1.02);
	}
	fprintf(stderr, "\n    sh 1,2,3,4 over 1M hashes: %u %u %u %u (worst %.3f%% off)\n",
		cnt[0], cnt[1], cnt[2], cnt[3], worst * 100);
	/* the ends of the hash space: first and last backend */
	CU_ASSERT_EQUAL(fix_pick(&f, 0, NULL), 0);
	CU_ASSERT_EQUAL(fix_pick(&f, UINT32_MAX, NULL), 3);
	fix_fini(&f);

	/* weight 0: never picked; the others keep their shares */
	memset(cnt, 0, sizeof(cnt));
	out = 0;
	if (fix_init(&f, "sh", wz, NULL, 5, 0) != 0)
		return;
	for (i = 0; i < SH_PICKS; i++) {
		b = fix_pick(&f, sl_test_rand(), NULL);
		if (b >= 0 && b < 5)
			cnt[b]++;
		else
			out++;
	}
	CU_ASSERT_EQUAL(out, 0);
	CU_ASSERT_EQUAL(cnt[1], 0);
	CU_ASSERT_EQUAL(cnt[3], 0);
	for (k = 0; k < 5; k += 2) {
		share = (double)cnt[k] / SH_PICKS;
		want = wz[k] / 6.0;
		CU_ASSERT(share >= want * 0.98 && share <= want * 1.02);
	}
	CU_ASSERT_EQUAL(fix_pick(&f, 0, NULL), 0);
	CU_ASSERT_EQUAL(fix_pick(&f, UINT32_MAX, NULL), 4);
	fix_fini(&f);
}

static void
test_sh_stable(void)
{
	static const uint32_t w[4] = { 1, 2, 3, 4 };
	static const uint32_t wzz[3] = { 0, 0, 0 };
	struct fix f, g;
	uint32_t i, h, bad = 0;

	/* the same hash, the same backend: again, and in a rebuilt table */
	if (fix_init(&f, "sh", w, NULL, 4, 0) != 0)
		return;
	if (fix_init(&g, "sh", w, NULL, 4, 0) != 0) {
		fix_fini(&f);
		return;
	}
	sl_test_srand(0x5a0002);
	for (i = 0; i < 100000; i++) {
		int b;

		h = sl_test_rand();
		b = fix_pick(&f, h, NULL);
		if (b < 0 || fix_pick(&f, h, NULL) != b || fix_pick(&g, h, NULL) != b)
			bad++;
	}
	CU_ASSERT_EQUAL(bad, 0);
	fix_fini(&g);
	fix_fini(&f);

	/* nothing usable: -1 */
	if (fix_init(&f, "sh", wzz, NULL, 3, 0) != 0)
		return;
	CU_ASSERT_EQUAL(fix_pick(&f, 0, NULL), -1);
	CU_ASSERT_EQUAL(fix_pick(&f, 12345, NULL), -1);
	CU_ASSERT_EQUAL(fix_pick(&f, UINT32_MAX, NULL), -1);
	fix_fini(&f);
	if (fix_init(&f, "sh", wzz, NULL, 0, 0) != 0)
		return;
	CU_ASSERT_EQUAL(fix_pick(&f, 777, NULL), -1);
	fix_fini(&f);
}

static void
test_sh_large_weights(void)
{
	/*
	 * Weights are uint32_t in struct sl_sched_svc (wrr is tested up to
	 * 0xffffffff above): two equal large weights must still split the
	 * hashes evenly. Their sum passes 2^32, so hash * total needs more
	 * than 64 bits.
	 */
	static const uint32_t w[2] = { 0xffffffffu, 0xffffffffu };
	uint32_t cnt[2] = { 0 }, i, out = 0;
	struct fix f;
	int b;

	if (fix_init(&f, "sh", w, NULL, 2, 0) != 0)
		return;
	sl_test_srand(0x5a0003);
	for (i = 0; i < 100000; i++) {
		b = fix_pick(&f, sl_test_rand(), NULL);
		if (b >= 0 && b < 2)
			cnt[b]++;
		else
			out++;
	}
	CU_ASSERT_EQUAL(out, 0);
	CU_ASSERT(cnt[0] >= 48000 && cnt[0] <= 52000);
	CU_ASSERT(cnt[1] >= 48000 && cnt[1] <= 52000);
	CU_ASSERT_EQUAL(fix_pick(&f, UINT32_MAX, NULL), 1);
	if (cnt[1] < 48000)
		fprintf(stderr, "\n    sh weights 2^32-1 x2: %u / %u of 100000 hashes, "
			"hash 0xffffffff -> %d\n", cnt[0], cnt[1],
			fix_pick(&f, UINT32_MAX, NULL));
	fix_fini(&f);
}

/* ---------- maglev ---------- */

/* Entries per backend over all @p m positions; returns positions with no
 * backend or a bad index. */
static uint32_t
maglev_count(struct fix *f, uint32_t m, uint32_t *cnt)
{
	uint32_t pos, bad = 0;
	int b;

	memset(cnt, 0, f->svc.n * sizeof(*cnt));
	for (pos = 0; pos < m; pos++) {
		b = fix_pick(f, pos, NULL);
		if (b < 0 || b >= f->svc.n)
			bad++;
		else
			cnt[b]++;
	}
	return bad;
}

/*
 * Equal weights: each round every backend claims one position, so each
 * gets floor(M/N) or ceil(M/N) positions, and exactly M mod N get the
 * ceiling. That is the exact property asserted (it implies every count
 * within 1 of M/N, far inside the paper's near-perfect balance).
 */
static void
maglev_balance(uint16_t n, uint32_t m)
{
	uint32_t cnt[FIX_MAXB], lo = UINT32_MAX, hi = 0, n_ceil = 0, i;
	uint32_t fl = m / n, ce = (m + n - 1) / n;
	struct fix f;

	if (fix_init(&f, "maglev", NULL, NULL, n, m) != 0)
		return;
	CU_ASSERT_EQUAL(maglev_count(&f, m, cnt), 0);
	for (i = 0; i < n; i++) {
		lo = RTE_MIN(lo, cnt[i]);
		hi = RTE_MAX(hi, cnt[i]);
		CU_ASSERT(cnt[i] == fl || cnt[i] == ce);
		if (cnt[i] == ce && ce != fl)
			n_ceil++;
		/* within 1% of M/N, a looser bound implied by the above */
		CU_ASSERT(cnt[i] >= (double)m / n * 0.99 && cnt[i] <= (double)m / n * 1.01);
	}
	CU_ASSERT_EQUAL(n_ceil, m % n);
	fprintf(stderr, "\n    maglev M=%u N=%u: entries %u..%u (M/N %.2f), max/min %.5f, "
		"%u backends with the ceiling", m, n, lo, hi, (double)m / n,
		(double)hi / lo, n_ceil);
	fix_fini(&f);
}

static void
test_maglev_balance(void)
{
	maglev_balance(10, MAGLEV_M);
	maglev_balance(100, MAGLEV_M);
	maglev_balance(100, MAGLEV_M_BIG);
	maglev_balance(2, MAGLEV_M);
	maglev_balance(1, MAGLEV_M);
	fprintf(stderr, "\n");
}

/*
 * Weighted: a backend of weight w claims w/max_w positions per round.
 * Whatever round the table fills in, each count is within n + 1 of
 * M * w / sum (each backend is off by less than one claim, and the
 * shortfall of all n is shared out by weight).
 */
static void
maglev_weighted(const uint32_t *w, uint16_t n, uint32_t m, int check_pct)
{
	uint32_t cnt[FIX_MAXB], i;
	uint64_t sum = 0;
	double want, dev, worst = 0, worst_pct = 0;
	struct fix f;

	for (i = 0; i < n; i++)
		sum += w[i];
	if (fix_init(&f, "maglev", w, NULL, n, m) != 0)
		return;
	CU_ASSERT_EQUAL(maglev_count(&f, m, cnt), 0);
	for (i = 0; i < n; i++) {
		want = (double)m * w[i] / sum;
		dev = cnt[i] - want;
		if (dev < 0)
			dev = -dev;
		worst = RTE_MAX(worst, dev);
		worst_pct = RTE_MAX(worst_pct, dev / want);
		CU_ASSERT(dev < n + 1);
		if (check_pct)
			CU_ASSERT(dev <= want * 0.01);
	}
	fprintf(stderr, "\n    maglev M=%u N=%u weighted: worst %.2f entries off "
		"M*w/sum (%.4f%%)", m, n, worst, worst_pct * 100);
	fix_fini(&f);
}

static void
test_maglev_weights(void)
{
	static const uint32_t w1234[4] = { 1, 2, 3, 4 };
	static const uint32_t w511[3] = { 5, 1, 1 };
	static const uint32_t wbig[3] = { 65535, 1, 300 };
	uint32_t w[40], i;

	maglev_weighted(w1234, 4, MAGLEV_M, 1);
	maglev_weighted(w511, 3, MAGLEV_M, 1);
	maglev_weighted(w1234, 4, MAGLEV_M_BIG, 1);
	/* weight 1 beside 65535: about one entry, still within n + 1 */
	maglev_weighted(wbig, 3, MAGLEV_M, 0);
	sl_test_srand(0x3a0001);
	for (i = 0; i < 40; i++)
		w[i] = 1 + sl_test_rand() % 100;
	maglev_weighted(w, 40, MAGLEV_M, 0);
	fprintf(stderr, "\n");
}

#define DISRUPT_N 20
#define DISRUPT_KEYS 1000000u

/* @p m table with backends be_ident(0..DISRUPT_N-1): every one removed in
 * turn, then one added, each compared over DISRUPT_KEYS random hashes.
 * @p bound: the largest share of the keys that may move between backends
 * other than the one removed or added. A fresh table does not keep every
 * entry, so a few keys of the others move: about 0.4 % at the default
 * M = 65537 and N = 20, ten times fewer at M = 655373 (the paper's
 * figure). README.md quotes the default-size bound. */
static void
maglev_disruption(uint32_t m, int all_removals, double bound)
{
	uint64_t ident[DISRUPT_N + 1];
	uint16_t order[DISRUPT_N + 1];
	double frac, worst_rm = 0, worst_add = 0, new_share;
	uint32_t key, i, r, n_moved, n_other, n_to_new, k;
	struct fix a, b;
	uint64_t before, after;
	int bad_pick = 0;

	if (fix_init(&a, "maglev", NULL, NULL, DISRUPT_N, m) != 0)
		return;
	for (r = 0; r < DISRUPT_N; r++) {
		if (!all_removals && r != 7)
			continue;
		/* the other 19, same identities, in a shuffled order */
		for (i = 0, k = 0; i < DISRUPT_N; i++)
			if (i != r)
				order[k++] = (uint16_t)i;
		sl_test_srand(0xd15000 + r);
		shuffle_u16(order, k);
		for (i = 0; i < k; i++)
			ident[i] = a.ident[order[i]];
		if (fix_init(&b, "maglev", NULL, ident, (uint16_t)k, m) != 0)
			break;
		n_moved = n_other = 0;
		for (i = 0; i < DISRUPT_KEYS; i++) {
			key = sl_test_rand();
			before = fix_pick_ident(&a, key);
			after = fix_pick_ident(&b, key);
			if (before == 0 || after == 0 || after == a.ident[r])
				bad_pick++;
			if (before == a.ident[r])
				continue;
			n_other++;
			if (after != before)
				n_moved++;
		}
		frac = (double)n_moved / n_other;
		worst_rm = RTE_MAX(worst_rm, frac);
		if (frac > bound)
			fprintf(stderr, "\n    maglev M=%u: removing backend %u moved "
				"%.4f%% of the other keys (bound %.2f%%)", m, r,
				frac * 100, bound * 100);
		CU_ASSERT(frac <= bound);
		fix_fini(&b);
	}

	/* one more backend, listed first */
	ident[0] = be_ident(DISRUPT_N);
	for (i = 0; i < DISRUPT_N; i++)
		ident[i + 1] = a.ident[i];
	if (fix_init(&b, "maglev", NULL, ident, DISRUPT_N + 1, m) == 0) {
		n_moved = n_to_new = 0;
		sl_test_srand(0xadd000);
		for (i = 0; i < DISRUPT_KEYS; i++) {
			key = sl_test_rand();
			before = fix_pick_ident(&a, key);
			after = fix_pick_ident(&b, key);
			if (before == 0 || after == 0)
				bad_pick++;
			if (after == ident[0])
				n_to_new++;
			else if (after != before)
				n_moved++;
		}
		worst_add = (double)n_moved / DISRUPT_KEYS;
		new_share = (double)n_to_new / DISRUPT_KEYS;
		CU_ASSERT(worst_add <= bound);
		/* the newcomer takes its fair share */
		CU_ASSERT(new_share >= 1.0 / (DISRUPT_N + 1) * 0.98 &&
			  new_share <= 1.0 / (DISRUPT_N + 1) * 1.02);
		fprintf(stderr, "\n    maglev M=%u N=%u: remove 1 (%s): worst %.4f%% of the "
			"other keys moved; add 1: %.4f%% of keys moved elsewhere than "
			"the new backend, %.4f%% to it (bound %.2f%%)", m, DISRUPT_N,
			all_removals ? "each of 20" : "one", worst_rm * 100,
			worst_add * 100, new_share * 100, bound * 100);
		fix_fini(&b);
	}
	CU_ASSERT_EQUAL(bad_pick, 0);
	fix_fini(&a);
}

static void
test_maglev_disruption(void)
{
	maglev_disruption(MAGLEV_M, 1, 0.005);
	maglev_disruption(MAGLEV_M_BIG, 0, 0.0015);
	fprintf(stderr, "\n");
}

static void
test_maglev_order(void)
{
	uint32_t w[30], wp[30], i, pos, diff = 0, k;
	uint64_t id[30], *map[3];
	uint16_t order[30];
	struct fix f;

	/* mixed weights travel with their backend */
	sl_test_srand(0x3a0002);
	for (i = 0; i < 30; i++) {
		w[i] = 1 + sl_test_rand() % 5;
		order[i] = (uint16_t)i;
	}
	for (k = 0; k < 3; k++) {
		map[k] = malloc(MAGLEV_M * sizeof(uint64_t));
		CU_ASSERT_PTR_NOT_NULL_FATAL(map[k]);
		if (k == 1) {
			for (i = 0; i < 30; i++)
				order[i] = (uint16_t)(29 - i);
		} else if (k == 2) {
			shuffle_u16(order, 30);
		}
		for (i = 0; i < 30; i++) {
			id[i] = be_ident(order[i]);
			wp[i] = w[order[i]];
		}
		if (fix_init(&f, "maglev", wp, id, 30, MAGLEV_M) != 0)
			return;
		for (pos = 0; pos < MAGLEV_M; pos++)
			map[k][pos] = fix_pick_ident(&f, pos);
		fix_fini(&f);
	}
	for (pos = 0; pos < MAGLEV_M; pos++)
		if (map[0][pos] == 0 || map[1][pos] != map[0][pos] ||
		    map[2][pos] != map[0][pos])
			diff++;
	CU_ASSERT_EQUAL(diff, 0);
	for (k = 0; k < 3; k++)
		free(map[k]);
}

/*
 * The table is the construction written out plainly: the backends in
 * order of identity, each with offset = ident mod M and skip =
 * (ident >> 32) mod (M - 1) + 1, a backend of weight w taking w /
 * max_weight turns a round, each turn the next position of its
 * permutation nobody holds. Built here again with 64-bit arithmetic and
 * a modulo per probe, for equal and unequal weights, both table sizes.
 */
static void
maglev_reference(const uint32_t *w, uint16_t n, uint32_t m)
{
	uint16_t order[FIX_MAXB], *ref;
	uint64_t credit[FIX_MAXB] = { 0 }, probe[FIX_MAXB] = { 0 }, max_w = 0;
	uint32_t filled = 0, pos, bad = 0;
	uint16_t i, j;
	struct fix f;

	if (fix_init(&f, "maglev", w, NULL, n, m) != 0)
		return;
	ref = malloc(m * sizeof(*ref));
	CU_ASSERT_PTR_NOT_NULL_FATAL(ref);
	memset(ref, 0xff, m * sizeof(*ref));
	for (i = 0; i < n; i++) {
		order[i] = i;
		max_w = f.weight[i] > max_w ? f.weight[i] : max_w;
	}
	for (i = 1; i < n; i++)      /* insertion sort by identity */
		for (j = i; j > 0 && f.ident[order[j - 1]] > f.ident[order[j]]; j--) {
			uint16_t tmp = order[j];

			order[j] = order[j - 1];
			order[j - 1] = tmp;
		}
	while (filled < m)
		for (i = 0; i < n && filled < m; i++) {
			uint16_t b = order[i];
			uint64_t off = f.ident[b] % m, skip = (f.ident[b] >> 32) % (m - 1) + 1;

			for (credit[b] += f.weight[b]; credit[b] >= max_w && filled < m;
			     credit[b] -= max_w) {
				while (ref[(off + probe[b] * skip) % m] != UINT16_MAX)
					probe[b]++;
				ref[(off + probe[b] * skip) % m] = b;
				filled++;
			}
		}
	for (pos = 0; pos < m; pos++)
		bad += fix_pick(&f, pos, NULL) != ref[pos];
	if (bad != 0)
		fprintf(stderr, "\n    maglev M=%u N=%u: %u positions differ from the construction\n",
			m, n, bad);
	CU_ASSERT_EQUAL(bad, 0);
	free(ref);
	fix_fini(&f);
}

static void
test_maglev_reference(void)
{
	static const uint32_t w[7] = { 1, 2, 3, 4, 7, 1, 10 };

	maglev_reference(NULL, 10, MAGLEV_M);
	maglev_reference(NULL, 100, MAGLEV_M);
	maglev_reference(w, 7, MAGLEV_M);
	maglev_reference(NULL, 3, MAGLEV_M_BIG);
	maglev_reference(NULL, 1, 7);
}

static void
test_maglev_misc(void)
{
	static const uint32_t wz[10] = { 1, 1, 1, 0, 1, 1, 1, 1, 1, 1 };
	static const uint32_t wzz[4] = { 0, 0, 0, 0 };
	uint32_t cnt[10], i, h, bad = 0;
	struct fix f, g;
	int b;

	/* the same hash, the same backend: again, and in a rebuilt table */
	if (fix_init(&f, "maglev", NULL, NULL, 10, MAGLEV_M) != 0)
		return;
	CU_ASSERT_EQUAL(f.ops->needs_hash, 1);
	if (fix_init(&g, "maglev", NULL, NULL, 10, MAGLEV_M) != 0) {
		fix_fini(&f);
		return;
	}
	sl_test_srand(0x3a0003);
	for (i = 0; i < 100000; i++) {
		h = sl_test_rand();
		b = fix_pick(&f, h, NULL);
		if (b < 0 || fix_pick(&f, h, NULL) != b || fix_pick(&g, h, NULL) != b ||
		    fix_pick(&f, h % MAGLEV_M, NULL) != b)
			bad++;
	}
	CU_ASSERT_EQUAL(bad, 0);
	fix_fini(&g);
	fix_fini(&f);

	/* weight 0: no entries; the other 9 share evenly */
	if (fix_init(&f, "maglev", wz, NULL, 10, MAGLEV_M) != 0)
		return;
	CU_ASSERT_EQUAL(maglev_count(&f, MAGLEV_M, cnt), 0);
	CU_ASSERT_EQUAL(cnt[3], 0);
	for (i = 0; i < 10; i++)
		if (i != 3)
			CU_ASSERT(cnt[i] == MAGLEV_M / 9 || cnt[i] == MAGLEV_M / 9 + 1);
	fix_fini(&f);

	/* all weights 0, or no backends: -1 everywhere */
	if (fix_init(&f, "maglev", wzz, NULL, 4, MAGLEV_M) != 0)
		return;
	for (i = 0, bad = 0; i < MAGLEV_M; i++)
		if (fix_pick(&f, i, NULL) != -1)
			bad++;
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT_EQUAL(fix_pick(&f, UINT32_MAX, NULL), -1);
	fix_fini(&f);
	if (fix_init(&f, "maglev", wzz, NULL, 0, MAGLEV_M) != 0)
		return;
	CU_ASSERT_EQUAL(fix_pick(&f, 42, NULL), -1);
	fix_fini(&f);

	/* no table (build not run): -1, not a crash */
	if (fix_init(&f, "maglev", NULL, NULL, 3, MAGLEV_M) != 0)
		return;
	f.svc.shared = NULL;
	CU_ASSERT_EQUAL(fix_pick(&f, 42, NULL), -1);
	fix_fini(&f);

	/* build refuses a table size below 2 and a missing identity list */
	{
		uint32_t w1[2] = { 1, 1 };
		uint64_t id[2] = { be_ident(0), be_ident(1) };
		struct sl_sched_svc s = { .n = 2, .weight = w1, .ident = id,
					  .table_size = 1 };
		const struct sl_sched_ops *ops = sl_sched_find("maglev");
		uint64_t ws_dummy = 0;
		void *t;

		CU_ASSERT_PTR_NOT_NULL_FATAL(ops);
		errno = 0;
		t = ops->build(&s, SOCKET_ID_ANY);
		CU_ASSERT_PTR_NULL(t);
		CU_ASSERT_EQUAL(errno, EINVAL);
		if (t != NULL)
			ops->free(t);
		s.table_size = MAGLEV_M;
		s.ident = NULL;
		errno = 0;
		t = ops->build(&s, SOCKET_ID_ANY);
		CU_ASSERT_PTR_NULL(t);
		CU_ASSERT_EQUAL(errno, EINVAL);
		if (t != NULL)
			ops->free(t);
		/* a small prime table works: every position has a backend */
		s.ident = id;
		s.table_size = 7;
		t = ops->build(&s, SOCKET_ID_ANY);
		CU_ASSERT_PTR_NOT_NULL_FATAL(t);
		s.shared = t;
		for (i = 0, bad = 0; i < 7; i++) {
			b = ops->pick(&s, &ws_dummy, i, NULL);
			if (b != 0 && b != 1)
				bad++;
		}
		CU_ASSERT_EQUAL(bad, 0);
		ops->free(t);
	}
}

/* ---------- state carried across snapshots ---------- */

/* A service as a snapshot has it: weights and counter slots. */
struct csvc {
	struct sl_sched_svc svc;
	uint32_t weight[MAX_BACKENDS];
	uint16_t slot[MAX_BACKENDS];
};

static void
csvc_init(struct csvc *c, uint16_t n, const uint32_t *w, const uint16_t *slot)
{
	memset(c, 0, sizeof(*c));
	memcpy(c->weight, w, n * sizeof(*w));
	memcpy(c->slot, slot, n * sizeof(*slot));
	c->svc.n = n;
	c->svc.weight = c->weight;
	c->svc.slot = c->slot;
}

/* A new snapshot's state for @p c: ws_init, then ws_carry from @p prev_ws. */
static void *
carried(const struct sl_sched_ops *ops, const struct csvc *c, unsigned worker,
	const void *prev_ws, const struct csvc *prev, int same)
{
	void *ws = calloc(1, ops->ws_size(c->svc.n));

	if (ws == NULL)
		return NULL;
	ops->ws_init(ws, &c->svc, worker);
	ops->ws_carry(ws, &c->svc, prev_ws, &prev->svc, same);
	return ws;
}

static void
test_rr_carry(void)
{
	static const uint32_t w3[3] = { 1, 1, 1 };
	static const uint16_t s3[3] = { 10, 11, 12 }, r3[3] = { 12, 10, 13 };
	static const uint16_t s2[2] = { 20, 21 };
	const struct sl_sched_ops *ops = sl_sched_find("rr");
	struct csvc a, b, c;
	void *ws, *ws2;
	unsigned i, cnt[3] = { 0 };

	CU_ASSERT_PTR_NOT_NULL_FATAL(ops);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ops->ws_carry);
	csvc_init(&a, 3, w3, s3);
	ws = calloc(1, ops->ws_size(3));
	CU_ASSERT_PTR_NOT_NULL_FATAL(ws);
	ops->ws_init(ws, &a.svc, 0);
	CU_ASSERT_EQUAL(ops->pick(&a.svc, ws, 0, NULL), 0);
	CU_ASSERT_EQUAL(ops->pick(&a.svc, ws, 0, NULL), 1);

	/* same backends: goes on at 2, whatever the worker's start */
	ws2 = carried(ops, &a, 1, ws, &a, 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ws2);
	CU_ASSERT_EQUAL(ops->pick(&a.svc, ws2, 0, NULL), 2);
	CU_ASSERT_EQUAL(ops->pick(&a.svc, ws2, 0, NULL), 0);
	free(ws2);

	/* reordered, one gone, one new: the backend that was next (slot 12)
	 * is next again, at its new index */
	csvc_init(&b, 3, w3, r3);
	ws2 = carried(ops, &b, 0, ws, &a, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ws2);
	CU_ASSERT_EQUAL(ops->pick(&b.svc, ws2, 0, NULL), 0);
	CU_ASSERT_EQUAL(ops->pick(&b.svc, ws2, 0, NULL), 1);
	/* next is index 2 of b (slot 13), not in a: same index in a */
	free(ws);
	ws = carried(ops, &a, 0, ws2, &b, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ws);
	CU_ASSERT_EQUAL(ops->pick(&a.svc, ws, 0, NULL), 2);
	free(ws2);

	/* fewer backends, none kept: the index wraps */
	csvc_init(&c, 2, w3, s2);
	ws2 = carried(ops, &c, 0, ws, &a, 0);     /* ws is at 0 */
	CU_ASSERT_PTR_NOT_NULL_FATAL(ws2);
	CU_ASSERT_EQUAL(ops->pick(&c.svc, ws2, 0, NULL), 0);
	free(ws2);
	ops->pick(&a.svc, ws, 0, NULL);
	ops->pick(&a.svc, ws, 0, NULL);           /* ws at 2 */
	ws2 = carried(ops, &c, 0, ws, &a, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ws2);
	CU_ASSERT_EQUAL(ops->pick(&c.svc, ws2, 0, NULL), 0);
	free(ws2);
	/* no backends left: nothing to pick, no crash */
	csvc_init(&c, 0, w3, s2);
	ws2 = carried(ops, &c, 0, ws, &a, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ws2);
	CU_ASSERT_EQUAL(ops->pick(&c.svc, ws2, 0, NULL), -1);
	free(ws2);
	free(ws);

	/* a new state after every pick: still exact */
	ws = calloc(1, ops->ws_size(3));
	CU_ASSERT_PTR_NOT_NULL_FATAL(ws);
	ops->ws_init(ws, &a.svc, 0);
	for (i = 0; i < 300; i++) {
		int k = ops->pick(&a.svc, ws, 0, NULL);

		if (k >= 0 && k < 3)
			cnt[k]++;
		ws2 = carried(ops, &a, 0, ws, &a, 1);
		CU_ASSERT_PTR_NOT_NULL_FATAL(ws2);
		free(ws);
		ws = ws2;
	}
	free(ws);
	CU_ASSERT_EQUAL(cnt[0], 100);
	CU_ASSERT_EQUAL(cnt[1], 100);
	CU_ASSERT_EQUAL(cnt[2], 100);
}

static void
test_wrr_carry(void)
{
	static const uint32_t w511[3] = { 5, 1, 1 }, w15[2] = { 1, 5 };
	static const uint16_t s3[3] = { 10, 11, 12 }, sk[2] = { 12, 10 };
	static const int want[7] = { 0, 0, 1, 0, 2, 0, 0 };
	const struct sl_sched_ops *ops = sl_sched_find("wrr");
	const int64_t *score;
	struct csvc a, b;
	void *ws, *ws2;
	unsigned i, bad = 0, cnt[3] = { 0 };

	CU_ASSERT_PTR_NOT_NULL_FATAL(ops);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ops->ws_carry);
	csvc_init(&a, 3, w511, s3);
	ws = calloc(1, ops->ws_size(3));
	CU_ASSERT_PTR_NOT_NULL_FATAL(ws);
	ops->ws_init(ws, &a.svc, 0);
	/* a new state after every pick: the sequence goes on exactly */
	for (i = 0; i < 7000; i++) {
		int k = ops->pick(&a.svc, ws, 0, NULL);

		if (k != want[i % 7])
			bad++;
		if (k >= 0 && k < 3)
			cnt[k]++;
		ws2 = carried(ops, &a, i % 4, ws, &a, 1);
		CU_ASSERT_PTR_NOT_NULL_FATAL(ws2);
		free(ws);
		ws = ws2;
	}
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT_EQUAL(cnt[0], 5000);
	CU_ASSERT_EQUAL(cnt[1], 1000);
	CU_ASSERT_EQUAL(cnt[2], 1000);

	/* a a b: scores 5-7+5-7+5 = 1, 1+1+1-7 = -4, 3 */
	for (i = 0; i < 3; i++)
		ops->pick(&a.svc, ws, 0, NULL);
	score = ws;
	CU_ASSERT_EQUAL(score[0], 1);
	CU_ASSERT_EQUAL(score[1], -4);
	CU_ASSERT_EQUAL(score[2], 3);
	/* other backends or weights: from 0, so the first window of the
	 * new weights is exact */
	csvc_init(&b, 2, w15, sk);
	ws2 = carried(ops, &b, 0, ws, &a, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ws2);
	score = ws2;
	CU_ASSERT_EQUAL(score[0], 0);
	CU_ASSERT_EQUAL(score[1], 0);
	memset(cnt, 0, sizeof(cnt));
	for (i = 0; i < 6; i++) {
		int k = ops->pick(&b.svc, ws2, 0, NULL);

		if (k >= 0 && k < 2)
			cnt[k]++;
	}
	CU_ASSERT_EQUAL(cnt[0], 1);
	CU_ASSERT_EQUAL(cnt[1], 5);
	free(ws2);
	free(ws);
}

/* ---------- max_conns ---------- */

/*
 * sl_sched_pick_limited() over every scheduler: a backend at its limit
 * (the calling worker's conns_active against max_conns) is skipped, the
 * others take the connections; with all usable ones full there is none;
 * without stats no limit applies.
 */
static void
test_max_conns(void)
{
	static const char *const names[] = { "rr", "wrr", "lc", "wlc", "sh", "maglev" };
	static const uint32_t w[3] = { 1, 3, 1 };
	unsigned k;

	for (k = 0; k < RTE_DIM(names); k++) {
		uint32_t cap[3] = { 2, 0, 5 };
		struct sl_obj_stats st[FIX_NSTATS];
		unsigned i, got[3] = { 0 }, bad = 0;
		struct fix f;
		int b, again;

		memset(st, 0, sizeof(st));
		if (fix_init(&f, names[k], w, NULL, 3, strcmp(names[k], "maglev") == 0 ? 251 : 0) != 0)
			return;
		f.svc.max_conns = cap;
		f.svc.ops = f.ops;
		/* 0 and 2 fill up to their limits, 1 takes the rest */
		for (i = 0; i < 300; i++) {
			b = sl_sched_pick_limited(&f.svc, f.ws, sl_test_rand(), st);
			if (b < 0 || b > 2) {
				bad++;
				continue;
			}
			got[b]++;
			st[f.slot[b]].conns_active++;
		}
		CU_ASSERT_EQUAL(bad, 0);
		if (got[0] != 2 || got[2] != 5 || got[0] + got[1] + got[2] != 300)
			printf("\n  %s: %u %u %u", names[k], got[0], got[1], got[2]);
		/* over 300 picks each capped backend was reached (rr, wrr:
		 * in turn; lc: fewest; sh, maglev: by the hash), never beyond
		 * its limit */
		CU_ASSERT(got[0] == 2 && got[2] == 5);
		CU_ASSERT_EQUAL(got[0] + got[1] + got[2], 300);
		/* a connection ends: a hashing scheduler is steady for one
		 * hash while the counts stay */
		st[f.slot[0]].conns_active--;
		b = sl_sched_pick_limited(&f.svc, f.ws, 12345, st);
		again = sl_sched_pick_limited(&f.svc, f.ws, 12345, st);
		CU_ASSERT(b >= 0 && b <= 2);
		if (f.ops->needs_hash)
			CU_ASSERT_EQUAL(b, again);
		/* every usable backend full: none */
		cap[1] = (uint32_t)st[f.slot[1]].conns_active;
		st[f.slot[0]].conns_active = 2;
		CU_ASSERT_EQUAL(sl_sched_pick_limited(&f.svc, f.ws, sl_test_rand(), st), -1);
		CU_ASSERT_EQUAL(sl_sched_pick_limited(&f.svc, f.ws, 777, st), -1);
		/* room on one of weight 0: still none (weights of the
		 * others' tables are built in, so rr, wrr, lc, wlc only) */
		st[f.slot[2]].conns_active = 4;
		f.weight[2] = 0;
		if (!f.ops->needs_hash)
			CU_ASSERT_EQUAL(sl_sched_pick_limited(&f.svc, f.ws, 1, st), -1);
		f.weight[2] = 1;
		/* no stats: no limits, the scheduler's own pick */
		b = sl_sched_pick_limited(&f.svc, f.ws, 4242, NULL);
		CU_ASSERT(b >= 0 && b <= 2);
		fix_fini(&f);
	}
}

/*
 * peek(): what the worker prefetches for the picks of a burst before it
 * makes them. It changes nothing, and it is right where it can be: rr's
 * guesses for the next 40 picks are those picks when every backend has a
 * weight, and never a backend of weight 0; lc, wlc, sh and maglev guess
 * their next pick itself (sh and maglev for any hash, whatever ahead).
 * wrr makes no guess.
 */
static void
test_peek(void)
{
	static const char *const names[] = { "rr", "lc", "wlc", "sh", "maglev" };
	static const uint32_t w[5] = { 1, 3, 1, 2, 1 };
	static const uint32_t wz[5] = { 1, 0, 1, 0, 1 };
	unsigned k, round, j, bad = 0, wrong = 0, guessed = 0;
	struct fix f;
	int g[41];

	CU_ASSERT_PTR_NULL(sl_sched_find("wrr")->peek);
	for (k = 0; k < RTE_DIM(names); k++) {
		struct sl_obj_stats st[FIX_NSTATS];
		size_t sz;
		void *before;

		wrong = bad = 0;
		memset(st, 0, sizeof(st));
		if (fix_init(&f, names[k], w, NULL, 5,
			     strcmp(names[k], "maglev") == 0 ? 251 : 0) != 0)
			return;
		CU_ASSERT_PTR_NOT_NULL_FATAL(f.ops->peek);
		sz = f.ops->ws_size(5);
		before = malloc(sz);
		CU_ASSERT_PTR_NOT_NULL_FATAL(before);
		for (round = 0; round < 50; round++) {
			uint32_t hash = sl_test_rand();

			for (j = 0; j < 5; j++)
				st[f.slot[j]].conns_active = sl_test_rand() % 4;
			memcpy(before, f.ws, sz);
			for (j = 0; j < RTE_DIM(g); j++)
				g[j] = f.ops->peek(&f.svc, f.ws, f.ops->needs_hash ?
						   sl_test_rand() : hash, j, st);
			if (memcmp(before, f.ws, sz) != 0)
				bad++;
			if (strcmp(names[k], "rr") == 0) {
				for (j = 0; j < RTE_DIM(g); j++)
					wrong += g[j] != fix_pick(&f, 0, st);
			} else if (f.ops->needs_hash) {
				for (j = 0; j < 100; j++) {
					hash = sl_test_rand();
					wrong += f.ops->peek(&f.svc, f.ws, hash, j % 33, st) !=
						 fix_pick(&f, hash, st);
				}
			} else {
				wrong += g[0] != fix_pick(&f, 0, st);
				wrong += g[RTE_DIM(g) - 1] != g[0];
			}
		}
		if (wrong != 0 || bad != 0)
			printf("\n  %s: %u wrong guesses, state changed %u times",
			       names[k], wrong, bad);
		CU_ASSERT_EQUAL(bad, 0);
		CU_ASSERT_EQUAL(wrong, 0);
		free(before);
		fix_fini(&f);
	}
	/* rr with backends of weight 0: a guess is never one of them */
	bad = 0;
	if (fix_init(&f, "rr", wz, NULL, 5, 0) != 0)
		return;
	for (round = 0; round < 20; round++) {
		int next;

		for (j = 0; j < RTE_DIM(g); j++) {
			g[j] = f.ops->peek(&f.svc, f.ws, 0, j, NULL);
			if (g[j] >= 0) {
				guessed++;
				bad += wz[g[j]] == 0;
			}
		}
		next = fix_pick(&f, 0, NULL);
		bad += g[0] >= 0 && g[0] != next;
	}
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT(guessed > 0);
	fix_fini(&f);
}

static const struct sl_test_case sched_tests[] = {
	{ "registry", test_registry },
	{ "rr cyclic and exact", test_rr_cyclic },
	{ "rr worker start index", test_rr_worker_start },
	{ "rr skips weight 0", test_rr_skip_zero },
	{ "rr none usable", test_rr_none },
	{ "wrr 5,1,1 sequence", test_wrr_sequence },
	{ "wrr proportional", test_wrr_proportional },
	{ "wrr smoothness", test_wrr_smooth },
	{ "wrr zero weight", test_wrr_zero_weight },
	{ "wrr random weights 1M picks", test_wrr_random_weights },
	{ "wrr large weights", test_wrr_large_weights },
	{ "lc basics", test_lc_basic },
	{ "lc 1M connections with ends", test_lc_simulation },
	{ "wlc basics", test_wlc_basic },
	{ "wlc 1,2,4 proportional over 1M", test_wlc_proportional },
	{ "sh distribution and weight 0", test_sh_distribution },
	{ "sh stable and none usable", test_sh_stable },
	{ "sh large weights", test_sh_large_weights },
	{ "maglev balance", test_maglev_balance },
	{ "maglev weights", test_maglev_weights },
	{ "maglev disruption", test_maglev_disruption },
	{ "maglev order independence", test_maglev_order },
	{ "maglev: the table is the construction written out plainly", test_maglev_reference },
	{ "maglev misc", test_maglev_misc },
	{ "rr state carried to a new snapshot", test_rr_carry },
	{ "wrr state carried to a new snapshot", test_wrr_carry },
	{ "max_conns: every scheduler skips full backends", test_max_conns },
	{ "peek guesses the picks without making them", test_peek },
};

/* maglev and sh build their tables with rte_malloc */
SL_TEST_MAIN("sched",
	SL_TEST_SUITE("sched", NULL, NULL, sched_tests));
