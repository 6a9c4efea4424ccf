/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SL_HEALTH_H
#define SL_HEALTH_H

/**
 * @file
 * Health-check verdicts: the rise/fall state of a backend and the
 * parsing of what a check got back. The sockets themselves are the
 * management lcore's (app/sluice/health.c); this part is pure logic.
 *
 * Thread-safety: pure functions on the caller's state.
 */

#include <stddef.h>
#include <stdint.h>

struct sl_health_state {
	uint8_t up;          /**< in rotation */
	uint32_t ok_run;     /**< successes in a row */
	uint32_t fail_run;   /**< failures in a row */
};

/** A backend starts in rotation: checks take it out. */
void sl_health_init(struct sl_health_state *st);

/**
 * Record one check result. A backend that is up goes down at the check
 * that makes @p fall failures in a row; one that is down comes back at
 * the check that makes @p rise successes in a row.
 * @return 1 if the state flipped, else 0.
 */
int sl_health_record(struct sl_health_state *st, int ok, uint32_t rise,
		     uint32_t fall);

/**
 * Status code of an HTTP response that starts at @p buf ("HTTP/1.1 200
 * OK\r\n..."); -1 if the status line is malformed, 0 if not complete yet.
 */
int sl_health_http_status(const char *buf, size_t len);

/** Whether @p status is in @p expect ("200,204", "2xx,301"). */
int sl_health_expect(const char *expect, int status);

#endif /* SL_HEALTH_H */
