/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SL_HEALTH_H
#define SL_HEALTH_H

/**
 * @file
 * Health-check verdicts: the rise/fall state of a backend and the
 * parsing of what a check got back; and the rules that keep the checks
 * within Sluice's file descriptors: how many sockets they may hold at
 * once, and the first-come first-served line of checks that are due
 * while that budget is spent. The sockets themselves are the management
 * lcore's (app/sluice/health.c); this part is pure logic.
 *
 * Thread-safety: pure functions on the caller's state.
 */

#include <stddef.h>
#include <stdint.h>

/** Largest number of checks (ids 0 .. SL_HEALTH_MAX - 1). */
#define SL_HEALTH_MAX 4096

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

/**
 * Line of checks waiting for a socket: first in, first out, each id at
 * most once. Ids can go stale while they wait (the backend left, or
 * its check started through another path); the owner checks what it
 * pops and skips those, so no removal from the middle is needed.
 * 12 KiB: one slot per possible check.
 */
struct sl_health_fifo {
	uint32_t head;                   /**< index of the first id in @p id */
	uint32_t n;                      /**< ids waiting */
	uint16_t id[SL_HEALTH_MAX];      /**< ring of ids */
	uint8_t queued[SL_HEALTH_MAX];   /**< 1 while an id is in the ring */
};

/** Empty the line. */
void sl_health_fifo_init(struct sl_health_fifo *q);

/**
 * Put @p id at the end of the line, unless it already waits (it keeps
 * its place then).
 * @return 1 if added, 0 if it was already waiting, -EINVAL if @p id is
 *   SL_HEALTH_MAX or more.
 */
int sl_health_fifo_push(struct sl_health_fifo *q, unsigned id);

/**
 * Put @p id at the head of the line (a check that was popped but could
 * not start goes first next time), unless it already waits.
 * @return as sl_health_fifo_push().
 */
int sl_health_fifo_push_front(struct sl_health_fifo *q, unsigned id);

/** @return the first id, taken out of the line; -ENOENT if it is empty. */
int sl_health_fifo_pop(struct sl_health_fifo *q);

/**
 * Descriptor limit worth asking for: room for @p max_checks sockets
 * that never take more than half of what is free (see
 * sl_health_fd_budget()), with @p in_use descriptors already open.
 */
uint64_t sl_health_fd_want(unsigned in_use, unsigned max_checks);

/**
 * How many sockets checks may hold at once under descriptor limit
 * @p limit with @p in_use descriptors open: half of what is free, so
 * admin clients, capture files and the rest keep the other half; at
 * least 1 (checks go on, one at a time, however tight the limit) and
 * at most @p max_checks.
 */
unsigned sl_health_fd_budget(uint64_t limit, unsigned in_use, unsigned max_checks);

/**
 * Whether a socket() that failed with @p err failed for want of
 * Sluice's own resources (descriptors, kernel memory) rather than
 * anything about the backend: such a check is not a failed check.
 */
int sl_health_fd_shortage(int err);

#endif /* SL_HEALTH_H */
