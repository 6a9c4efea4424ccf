/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SL_TEST_H
#define SL_TEST_H

/*
 * Shared harness for the CUnit suites: EAL start-up for suites that need
 * DPDK memory, and one main() for every suite, built from a table.
 *
 * A test program ends with its tables and SL_TEST_MAIN:
 *
 *	static const struct sl_test_case flow_tests[] = {
 *		{ "add then lookup by both keys", test_add_lookup },
 *		...
 *	};
 *
 *	SL_TEST_MAIN("flow",
 *		SL_TEST_SUITE("flow", NULL, NULL, flow_tests));
 *
 * The first argument is the EAL file prefix (NULL: the suite does not
 * start EAL); then one SL_TEST_SUITE per suite, with optional init and
 * cleanup fixtures (CUnit semantics: return 0 on success; a failing init
 * skips the suite's tests and fails the program).
 *
 * The exit status is 0 only if every test of every suite ran and no
 * assertion failed; it is 1 if anything failed, 2 if the suites could not
 * be registered (CUnit error, empty table, duplicate name) or run. meson
 * reads a non-zero status as a failed test.
 */

#include <stddef.h>
#include <stdint.h>
#include <CUnit/CUnit.h>

/* One test: its name in the report and its function. */
struct sl_test_case {
	const char *name;
	CU_TestFunc fn;
};

/* One suite: its name, fixtures (NULL: none) and tests. */
struct sl_test_suite {
	const char *name;
	CU_InitializeFunc init;
	CU_CleanupFunc cleanup;
	const struct sl_test_case *tests;
	size_t n_tests;
};

/* A suite entry for SL_TEST_MAIN; TESTS must be an array, not a pointer. */
#define SL_TEST_SUITE(name, init, cleanup, tests) \
	{ (name), (init), (cleanup), (tests), sizeof(tests) / sizeof((tests)[0]) }

/*
 * main() of a test program: start EAL when EAL_PREFIX is not NULL,
 * register the suites (SL_TEST_SUITE entries) and run them.
 */
#define SL_TEST_MAIN(eal_prefix, ...)                                          \
	int                                                                    \
	main(void)                                                             \
	{                                                                      \
		static const struct sl_test_suite sl_test_suites_[] = {        \
			__VA_ARGS__                                            \
		};                                                             \
		return sl_test_main((eal_prefix), sl_test_suites_,             \
				    sizeof(sl_test_suites_) /                  \
				    sizeof(sl_test_suites_[0]));               \
	}

/* Body of SL_TEST_MAIN; returns the process exit status. */
int sl_test_main(const char *eal_prefix, const struct sl_test_suite *suites,
		 size_t n_suites);

/* Start EAL without hardware or hugepages; prefix must be unique per
 * suite. Returns 0 or exits the test process with a message. */
int sl_test_eal_init(const char *prefix);

/* Run every registered suite verbosely, then clean up the registry;
 * returns the process exit status (see above). */
int sl_test_run(void);

/* Deterministic pseudo-random numbers for reproducible tests. */
void sl_test_srand(uint64_t seed);
uint32_t sl_test_rand(void);

#endif
