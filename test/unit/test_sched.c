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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>

#include <CUnit/CUnit.h>

#include "sl_sched.h"
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

int
main(void)
{
	CU_pSuite s;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 2;
	s = CU_add_suite("sched", NULL, NULL);
	if (s == NULL)
		return 2;
	CU_add_test(s, "registry", test_registry);
	CU_add_test(s, "rr cyclic and exact", test_rr_cyclic);
	CU_add_test(s, "rr worker start index", test_rr_worker_start);
	CU_add_test(s, "rr skips weight 0", test_rr_skip_zero);
	CU_add_test(s, "rr none usable", test_rr_none);
	CU_add_test(s, "wrr 5,1,1 sequence", test_wrr_sequence);
	CU_add_test(s, "wrr proportional", test_wrr_proportional);
	CU_add_test(s, "wrr smoothness", test_wrr_smooth);
	CU_add_test(s, "wrr zero weight", test_wrr_zero_weight);
	CU_add_test(s, "wrr random weights 1M picks", test_wrr_random_weights);
	CU_add_test(s, "wrr large weights", test_wrr_large_weights);
	return sl_test_run();
}
