/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests for lib/health: the rise/fall state machine, the reading
 * of what an HTTP check gets back, and the descriptor budget with the
 * line of checks waiting for it.
 */
#include <errno.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "sl_health.h"
#include "sl_test.h"

static void
test_fall_rise(void)
{
	struct sl_health_state st;
	int i;

	sl_health_init(&st);
	CU_ASSERT_EQUAL(st.up, 1);
	/* fall = 3: out at the third failure in a row, not before */
	CU_ASSERT_EQUAL(sl_health_record(&st, 0, 2, 3), 0);
	CU_ASSERT_EQUAL(sl_health_record(&st, 0, 2, 3), 0);
	CU_ASSERT_EQUAL(st.up, 1);
	CU_ASSERT_EQUAL(sl_health_record(&st, 0, 2, 3), 1);
	CU_ASSERT_EQUAL(st.up, 0);
	/* more failures change nothing */
	for (i = 0; i < 10; i++)
		CU_ASSERT_EQUAL(sl_health_record(&st, 0, 2, 3), 0);
	CU_ASSERT_EQUAL(st.up, 0);
	/* rise = 2: back at the second success in a row */
	CU_ASSERT_EQUAL(sl_health_record(&st, 1, 2, 3), 0);
	CU_ASSERT_EQUAL(st.up, 0);
	CU_ASSERT_EQUAL(sl_health_record(&st, 1, 2, 3), 1);
	CU_ASSERT_EQUAL(st.up, 1);
}

static void
test_runs_reset(void)
{
	struct sl_health_state st;

	sl_health_init(&st);
	/* two failures, a success, two failures: never three in a row */
	sl_health_record(&st, 0, 2, 3);
	sl_health_record(&st, 0, 2, 3);
	sl_health_record(&st, 1, 2, 3);
	sl_health_record(&st, 0, 2, 3);
	CU_ASSERT_EQUAL(sl_health_record(&st, 0, 2, 3), 0);
	CU_ASSERT_EQUAL(st.up, 1);
	CU_ASSERT_EQUAL(sl_health_record(&st, 0, 2, 3), 1);
	/* down: success, failure, success is not two in a row */
	sl_health_record(&st, 1, 2, 3);
	sl_health_record(&st, 0, 2, 3);
	CU_ASSERT_EQUAL(sl_health_record(&st, 1, 2, 3), 0);
	CU_ASSERT_EQUAL(st.up, 0);
	/* fall = 1, rise = 1: every verdict counts at once */
	CU_ASSERT_EQUAL(sl_health_record(&st, 1, 1, 1), 1);
	CU_ASSERT_EQUAL(sl_health_record(&st, 0, 1, 1), 1);
}

static void
test_http_status(void)
{
	static const char ok[] = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
	static const char e503[] = "HTTP/1.0 503 Service Unavailable\r\n";

	CU_ASSERT_EQUAL(sl_health_http_status(ok, strlen(ok)), 200);
	CU_ASSERT_EQUAL(sl_health_http_status(e503, strlen(e503)), 503);
	CU_ASSERT_EQUAL(sl_health_http_status("HTTP/1.1 204\r\n", 14), 204);
	/* not complete yet */
	CU_ASSERT_EQUAL(sl_health_http_status("HTTP/1.1 20", 11), 0);
	CU_ASSERT_EQUAL(sl_health_http_status("", 0), 0);
	/* not HTTP */
	CU_ASSERT_EQUAL(sl_health_http_status("SSH-2.0-OpenSSH\r\n", 17), -1);
	CU_ASSERT_EQUAL(sl_health_http_status("HTTP/2 200\r\n", 12), -1);
	CU_ASSERT_EQUAL(sl_health_http_status("HTTP/1.1 2x0 OK\r\n", 17), -1);
	CU_ASSERT_EQUAL(sl_health_http_status("HTTP/1.1 2000 OK\r\n", 18), -1);
	CU_ASSERT_EQUAL(sl_health_http_status("HTTP/1.1 600 X\r\n", 16), -1);
}

static void
test_expect(void)
{
	CU_ASSERT_TRUE(sl_health_expect("2xx,3xx", 200));
	CU_ASSERT_TRUE(sl_health_expect("2xx,3xx", 302));
	CU_ASSERT_FALSE(sl_health_expect("2xx,3xx", 404));
	CU_ASSERT_FALSE(sl_health_expect("2xx,3xx", 500));
	CU_ASSERT_TRUE(sl_health_expect("200,204", 204));
	CU_ASSERT_FALSE(sl_health_expect("200,204", 201));
	CU_ASSERT_TRUE(sl_health_expect("20x", 209));
	CU_ASSERT_FALSE(sl_health_expect("20x", 210));
	CU_ASSERT_TRUE(sl_health_expect("503", 503));
	CU_ASSERT_FALSE(sl_health_expect("503", 0));
	CU_ASSERT_FALSE(sl_health_expect("2xx", 1000));
}


static struct sl_health_fifo q;

static void
test_fifo_order(void)
{
	sl_health_fifo_init(&q);
	CU_ASSERT_EQUAL(sl_health_fifo_pop(&q), -ENOENT);
	/* first in, first out */
	CU_ASSERT_EQUAL(sl_health_fifo_push(&q, 7), 1);
	CU_ASSERT_EQUAL(sl_health_fifo_push(&q, 3), 1);
	CU_ASSERT_EQUAL(sl_health_fifo_push(&q, 4095), 1);
	/* a check already waiting keeps its place: no second entry */
	CU_ASSERT_EQUAL(sl_health_fifo_push(&q, 7), 0);
	CU_ASSERT_EQUAL(sl_health_fifo_push_front(&q, 3), 0);
	CU_ASSERT_EQUAL(q.n, 3);
	CU_ASSERT_EQUAL(sl_health_fifo_pop(&q), 7);
	/* popped: it may queue again, now behind the others */
	CU_ASSERT_EQUAL(sl_health_fifo_push(&q, 7), 1);
	CU_ASSERT_EQUAL(sl_health_fifo_pop(&q), 3);
	/* one that could not start goes first next time */
	CU_ASSERT_EQUAL(sl_health_fifo_push_front(&q, 3), 1);
	CU_ASSERT_EQUAL(sl_health_fifo_pop(&q), 3);
	CU_ASSERT_EQUAL(sl_health_fifo_pop(&q), 4095);
	CU_ASSERT_EQUAL(sl_health_fifo_pop(&q), 7);
	CU_ASSERT_EQUAL(sl_health_fifo_pop(&q), -ENOENT);
	/* ids out of range are refused */
	CU_ASSERT_EQUAL(sl_health_fifo_push(&q, SL_HEALTH_MAX), -EINVAL);
	CU_ASSERT_EQUAL(sl_health_fifo_push_front(&q, SL_HEALTH_MAX + 5), -EINVAL);
	CU_ASSERT_EQUAL(q.n, 0);
	/* push_front on an empty line wraps below index 0 */
	sl_health_fifo_init(&q);
	CU_ASSERT_EQUAL(sl_health_fifo_push_front(&q, 9), 1);
	CU_ASSERT_EQUAL(sl_health_fifo_push(&q, 10), 1);
	CU_ASSERT_EQUAL(sl_health_fifo_pop(&q), 9);
	CU_ASSERT_EQUAL(sl_health_fifo_pop(&q), 10);
}

static void
test_fifo_full_and_fair(void)
{
	unsigned i, round, served[SL_HEALTH_MAX];
	int id;

	/* every id at once fills the ring exactly, in order */
	sl_health_fifo_init(&q);
	for (i = 0; i < SL_HEALTH_MAX; i++)
		CU_ASSERT_EQUAL_FATAL(sl_health_fifo_push(&q, i), 1);
	CU_ASSERT_EQUAL(q.n, SL_HEALTH_MAX);
	for (i = 0; i < SL_HEALTH_MAX; i++)
		CU_ASSERT_EQUAL_FATAL(sl_health_fifo_pop(&q), (int)i);
	CU_ASSERT_EQUAL(sl_health_fifo_pop(&q), -ENOENT);

	/*
	 * 4096 checks due every round, 4 sockets per round, each check
	 * queueing again as soon as it is served (and pushed again while it
	 * waits, as every poll round does): in 1024 rounds each one is
	 * served exactly once, none twice before all had their turn.
	 */
	memset(served, 0, sizeof(served));
	sl_health_fifo_init(&q);
	for (round = 0; round < SL_HEALTH_MAX / 4; round++) {
		for (i = 0; i < SL_HEALTH_MAX; i++)
			sl_health_fifo_push(&q, (i * 7919) % SL_HEALTH_MAX);
		for (i = 0; i < 4; i++) {
			id = sl_health_fifo_pop(&q);
			CU_ASSERT_FATAL(id >= 0);
			served[id]++;
		}
		CU_ASSERT_FATAL(q.n == SL_HEALTH_MAX - 4);
	}
	for (i = 0; i < SL_HEALTH_MAX; i++)
		CU_ASSERT_EQUAL_FATAL(served[i], 1);
}

static void
test_fd_budget(void)
{
	/* half of what is free */
	CU_ASSERT_EQUAL(sl_health_fd_budget(64, 32, 4096), 16);
	CU_ASSERT_EQUAL(sl_health_fd_budget(1024, 40, 4096), 492);
	CU_ASSERT_EQUAL(sl_health_fd_budget(65, 32, 4096), 16);
	/* no more than the checks that can exist */
	CU_ASSERT_EQUAL(sl_health_fd_budget(1048576, 40, 4096), 4096);
	CU_ASSERT_EQUAL(sl_health_fd_budget(UINT64_MAX, 40, 4096), 4096);
	/* however tight, checks go on one at a time */
	CU_ASSERT_EQUAL(sl_health_fd_budget(33, 32, 4096), 1);
	CU_ASSERT_EQUAL(sl_health_fd_budget(32, 32, 4096), 1);
	CU_ASSERT_EQUAL(sl_health_fd_budget(16, 32, 4096), 1);
	CU_ASSERT_EQUAL(sl_health_fd_budget(0, 0, 4096), 1);
	CU_ASSERT_EQUAL(sl_health_fd_budget(64, 32, 0), 0);
	/* the limit worth asking for gives every check its socket */
	CU_ASSERT_EQUAL(sl_health_fd_want(40, 4096), 40 + 8192);
	CU_ASSERT_EQUAL(sl_health_fd_budget(sl_health_fd_want(40, 4096), 40, 4096), 4096);
	CU_ASSERT_EQUAL(sl_health_fd_budget(sl_health_fd_want(40, 4096) - 2, 40, 4096), 4095);
}

static void
test_fd_shortage(void)
{
	/* Sluice's own shortage: the check waits, the backend is not at fault */
	CU_ASSERT_TRUE(sl_health_fd_shortage(EMFILE));
	CU_ASSERT_TRUE(sl_health_fd_shortage(ENFILE));
	CU_ASSERT_TRUE(sl_health_fd_shortage(ENOBUFS));
	CU_ASSERT_TRUE(sl_health_fd_shortage(ENOMEM));
	/* anything else is a failed check */
	CU_ASSERT_FALSE(sl_health_fd_shortage(EAFNOSUPPORT));
	CU_ASSERT_FALSE(sl_health_fd_shortage(EACCES));
	CU_ASSERT_FALSE(sl_health_fd_shortage(ENETUNREACH));
	CU_ASSERT_FALSE(sl_health_fd_shortage(0));
}

static const struct sl_test_case health_tests[] = {
	{ "fall and rise thresholds", test_fall_rise },
	{ "runs reset on the other verdict", test_runs_reset },
	{ "HTTP status line", test_http_status },
	{ "expected status lists", test_expect },
	{ "waiting line: order, no duplicates", test_fifo_order },
	{ "waiting line: full ring, no starvation", test_fifo_full_and_fair },
	{ "descriptor budget", test_fd_budget },
	{ "shortage is not the backend's failure", test_fd_shortage },
};

SL_TEST_MAIN(NULL,
	SL_TEST_SUITE("health", NULL, NULL, health_tests));
