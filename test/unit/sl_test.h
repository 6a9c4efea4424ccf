/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SL_TEST_H
#define SL_TEST_H

/*
 * Shared harness for the CUnit suites: EAL start-up for suites that need
 * DPDK memory, and a main() body that runs the registry and turns
 * failures into a non-zero exit status for meson.
 */

#include <stdint.h>
#include <CUnit/CUnit.h>

/* Start EAL without hardware or hugepages; prefix must be unique per
 * suite. Returns 0 or exits the test process with a message. */
int sl_test_eal_init(const char *prefix);

/* Run every registered suite verbosely; returns the process exit status
 * (0 when no assertion failed). */
int sl_test_run(void);

/* Deterministic pseudo-random numbers for reproducible tests. */
void sl_test_srand(uint64_t seed);
uint32_t sl_test_rand(void);

#endif
