/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests for lib/health: the rise/fall state machine and the reading
 * of what an HTTP check gets back.
 */
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

static const struct sl_test_case health_tests[] = {
	{ "fall and rise thresholds", test_fall_rise },
	{ "runs reset on the other verdict", test_runs_reset },
	{ "HTTP status line", test_http_status },
	{ "expected status lists", test_expect },
};

SL_TEST_MAIN(NULL,
	SL_TEST_SUITE("health", NULL, NULL, health_tests));
