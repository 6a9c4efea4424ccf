/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SL_FUZZ_COMMON_H
#define SL_FUZZ_COMMON_H

/*
 * What the libFuzzer harnesses of test/fuzz share: EAL start-up (no
 * hardware, no hugepages, a file prefix of the process's own), the
 * configuration they run on, and an application context (struct
 * sl_app) around the packet-path fixture (sl_fwdfix.h), so management
 * code and commands run as in sluice, without its lcores, sockets or
 * kernel interfaces.
 */

#include <stddef.h>
#include <stdint.h>

#include "sluice.h"
#include "sl_fwdfix.h"

/* The configuration of the packet and command harnesses: every
 * forwarding mode over IPv4 and IPv6 on two ports. */
extern const char sl_fuzz_ini[];

/* Where the harnesses' files go: $TMPDIR (an absolute path of at most
 * 31 characters), else /tmp. */
const char *sl_fuzz_tmpdir(void);

/* Start EAL for harness @p name; exits the process when it cannot. */
void sl_fuzz_eal_init(const char *name);

/* Abort with a message: a finding the sanitizers cannot see. */
void sl_fuzz_fail(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

/*
 * The fixture of sl_fuzz_ini and an application around it: one worker
 * (its TX into the ports' rings), no RCU (no worker runs concurrently:
 * a snapshot replaced is freed at once), no kernel interfaces. The
 * configuration is also written to a file of its own, which reload
 * reads. The snapshot then belongs to app->svc (fx->snap is not used).
 */
struct sl_fuzz_app {
	struct sl_fwdfix fx;
	struct sl_app *app;          /* the global sl_app */
	char ini_path[64];
	unsigned pool_size;          /* mbufs of the pool when all are free */
};

void sl_fuzz_app_init(struct sl_fuzz_app *fa);

/* What leaves after an input: the management lcore's frames sent by the
 * worker, every port's TX and the capture copies freed, held packets
 * given back; then check that every mbuf is back in the pool (aborts
 * when one leaked). */
void sl_fuzz_app_settle(struct sl_fuzz_app *fa);

#endif
