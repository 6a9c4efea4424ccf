/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

#include <CUnit/Basic.h>
#include <rte_eal.h>
#include <rte_log.h>

#include "sl_test.h"

int
sl_test_eal_init(const char *prefix)
{
	char fp[64];
	char *argv[] = { "test", "--no-pci", "--no-huge", "-m", "1024",
			 "--log-level", "lib.*:error", "--no-shconf",
			 "--file-prefix", fp, "--lcores", "0", NULL };
	int argc = (int)(sizeof(argv) / sizeof(argv[0])) - 1;

	snprintf(fp, sizeof(fp), "sltest-%s", prefix);
	if (rte_eal_init(argc, argv) < 0) {
		fprintf(stderr, "EAL init failed for %s\n", prefix);
		exit(2);
	}
	return 0;
}

int
sl_test_run(void)
{
	unsigned registered = CU_get_registry()->uiNumberOfTests;
	unsigned run, tests_failed, asserts_failed, suites_failed, records;
	CU_ErrorCode rc;
	int status = 0;

	CU_basic_set_mode(CU_BRM_VERBOSE);
	rc = CU_basic_run_tests();
	run = CU_get_number_of_tests_run();
	tests_failed = CU_get_number_of_tests_failed();
	asserts_failed = CU_get_number_of_failures();
	suites_failed = CU_get_number_of_suites_failed();
	records = CU_get_number_of_failure_records();
	/*
	 * Any one of these alone fails the program: a suite whose init
	 * fixture failed runs no test and has no failed assertion, and a
	 * run cut short by CUnit itself may report no failure at all.
	 */
	if (rc != CUE_SUCCESS) {
		/* also "Suite initialization failed", counted below */
		fprintf(stderr, "sl_test: CUnit: %s\n", CU_get_error_msg());
		status = 2;
	}
	if (tests_failed || asserts_failed || suites_failed || records)
		status = 1;
	if (run != registered) {
		fprintf(stderr, "sl_test: only %u of %u tests ran\n", run, registered);
		if (status == 0)
			status = 1;
	}
	fflush(stderr);
	printf("\nsl_test: %u/%u tests run, %u failed, %u failed assertions, "
		"%u suites failed: %s\n", run, registered, tests_failed,
		asserts_failed, suites_failed, status ? "FAIL" : "PASS");
	CU_cleanup_registry();
	return status;
}

/* Register one suite and its tests; 0 or -1 with a message. */
static int
add_suite(const struct sl_test_suite *st)
{
	CU_pSuite s;
	size_t i;

	if (st->name == NULL || st->n_tests == 0) {
		fprintf(stderr, "sl_test: suite %s has no tests\n",
			st->name ? st->name : "(unnamed)");
		return -1;
	}
	s = CU_add_suite(st->name, st->init, st->cleanup);
	if (s == NULL) {
		fprintf(stderr, "sl_test: cannot add suite %s: %s\n", st->name,
			CU_get_error_msg());
		return -1;
	}
	for (i = 0; i < st->n_tests; i++) {
		const struct sl_test_case *tc = &st->tests[i];
		size_t j;

		/* CUnit 2.1 accepts a name twice; a report could not tell them apart */
		for (j = 0; tc->name != NULL && j < i; j++) {
			if (st->tests[j].name != NULL &&
			    strcmp(st->tests[j].name, tc->name) == 0) {
				fprintf(stderr, "sl_test: suite %s: test \"%s\" listed twice\n",
					st->name, tc->name);
				return -1;
			}
		}
		if (tc->name == NULL || tc->fn == NULL ||
		    CU_add_test(s, tc->name, tc->fn) == NULL) {
			fprintf(stderr, "sl_test: cannot add test %zu (%s) to suite %s: %s\n",
				i, tc->name ? tc->name : "unnamed", st->name,
				tc->name && tc->fn ? CU_get_error_msg() : "no name or function");
			return -1;
		}
	}
	return 0;
}

int
sl_test_main(const char *eal_prefix, const struct sl_test_suite *suites,
	     size_t n_suites)
{
	size_t i;

	if (eal_prefix != NULL)
		sl_test_eal_init(eal_prefix);
	if (CU_initialize_registry() != CUE_SUCCESS) {
		fprintf(stderr, "sl_test: cannot initialise CUnit: %s\n",
			CU_get_error_msg());
		return 2;
	}
	for (i = 0; i < n_suites; i++) {
		size_t j;

		for (j = 0; j < i; j++) {
			if (suites[i].name != NULL && suites[j].name != NULL &&
			    strcmp(suites[i].name, suites[j].name) == 0) {
				fprintf(stderr, "sl_test: suite %s listed twice\n",
					suites[i].name);
				CU_cleanup_registry();
				return 2;
			}
		}
		if (add_suite(&suites[i]) != 0) {
			CU_cleanup_registry();
			return 2;
		}
	}
	return sl_test_run();
}

static uint64_t rng_state = 88172645463325252ULL;

void
sl_test_srand(uint64_t seed)
{
	rng_state = seed ? seed : 88172645463325252ULL;
}

uint32_t
sl_test_rand(void)
{
	/* xorshift64*: fast, reproducible, good enough for test inputs */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 2685821657736338717ULL) >> 32);
}
