/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>

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
	unsigned failed;

	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
	CU_cleanup_registry();
	return failed ? 1 : 0;
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
