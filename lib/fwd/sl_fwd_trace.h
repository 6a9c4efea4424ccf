/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SL_FWD_TRACE_H
#define SL_FWD_TRACE_H

/**
 * @file
 * What the packet path did with one packet and why: the answer to "my
 * connection went to the wrong server". sl_fwd_trace_one() runs a packet
 * alone through the real path (sl_fwd_burst()) and reads the decision
 * off what changed: the worker's counters (which drop reason, a RST, a
 * redirect, a SYN cookie, a packet handed to TX), the service and
 * backend counters, and the connection record the packet found or made.
 * Nothing is added to the path itself, so what is explained is what the
 * path does. Used offline (`sluice --replay ... --explain`, a packet at
 * a time) and live (the `trace` command: workers trace the packets that
 * match a filter, sl_fwd_trace_ctl, and pass the verdicts over their
 * trace ring: sl_fwd_trace_burst()).
 *
 * The packet path itself has no test for a trace: the worker loop calls
 * sl_fwd_trace_burst() instead of sl_fwd_burst() while one runs.
 *
 * Cost: a traced packet takes a copy of the worker's counters and of
 * the per-service ones before and after (about 20 KiB of reads); a live
 * trace traces at most sl_fwd_trace_ctl.max packets per worker, and
 * between traced packets the burst goes through the path as usual.
 */

#include <stdint.h>
#include <stddef.h>

#include "sl_fwd.h"

#define SL_TRACE_RING 512   /**< verdicts a worker's trace ring holds */

/** What became of a packet. */
enum sl_fate {
	SL_FATE_FORWARDED,   /**< sent on: to a backend, to a client, or out
			      *   as it was (dr, tunnel) */
	SL_FATE_DROPPED,     /**< counted and dropped (@c drop says why) */
	SL_FATE_REFUSED,     /**< a new connection refused with a RST to the
			      *   client (@c drop says why) */
	SL_FATE_RESET,       /**< its connection's backend is gone or its drain
			      *   time over: the connection was reset */
	SL_FATE_REDIRECTED,  /**< passed to the worker that owns its client */
	SL_FATE_NEXT_HOP,    /**< waits at the management lcore for its next
			      *   hop's MAC address */
	SL_FATE_SLOWPATH,    /**< ARP or ND: for the management lcore */
	SL_FATE_KERNEL,      /**< for Sluice's own address: to its kernel
			      *   interface */
	SL_FATE_ANSWERED,    /**< answered by Sluice (echo, SYN cookie) */
	SL_FATE_KEPT,        /**< kept for later (SYN proxy: the client's first
			      *   data until the backend's handshake is done) */
	SL_FATE_MAX
};

/** Why a packet went to its backend. */
enum sl_why {
	SL_WHY_NONE,
	SL_WHY_CONN,         /**< its connection's backend */
	SL_WHY_SCHED,        /**< a new connection: the scheduler's pick */
	SL_WHY_AFFINITY,     /**< a new connection: the client's affinity
			      *   (persistence) to the backend of an earlier one */
	SL_WHY_MIDSTREAM,    /**< the middle of a connection Sluice did not
			      *   know: where the hash says (dr, tunnel) */
	SL_WHY_STATELESS,    /**< by hash without a record (table full) */
	SL_WHY_COOKIE,       /**< a valid SYN cookie opened it, then the
			      *   scheduler picked */
};

/** One packet's verdict: a fixed-size record (it crosses a ring). */
struct sl_fwd_verdict {
	uint64_t tsc;              /**< the worker's clock when it passed */
	struct sl_in6 src, dst;    /**< as it arrived; IPv4 as ::ffff:a.b.c.d */
	struct sl_in6 nsrc, ndst;  /**< as it left, when @c rewritten */
	uint16_t sport, dport;     /**< host order; ICMP: id, type<<8|code */
	uint16_t nsport, ndport;
	uint32_t hash;             /**< the scheduler's hash (sh, maglev) */
	uint32_t be_gen;           /**< generation of @c be's slot */
	int16_t svc;               /**< service id, -1 = none */
	int16_t be;                /**< backend slot, -1 = none */
	uint8_t parsed;            /**< an IP packet Sluice parsed (else the
				    *   addresses are not set) */
	uint8_t v6;
	uint8_t proto;
	uint8_t tcp_flags;
	uint8_t worker;
	uint8_t in_port;           /**< port index it came in on */
	uint8_t out_port;          /**< port index it (or an answer) left by,
				    *   0xff = none */
	uint8_t fate;              /**< enum sl_fate */
	uint8_t drop;              /**< enum sl_drop when dropped or refused */
	uint8_t why;               /**< enum sl_why */
	uint8_t dir;               /**< SL_DIR_ORIG (client's), SL_DIR_REPLY, or
				    *   2: neither (no service, no connection) */
	uint8_t new_conn;          /**< it opened a connection */
	uint8_t mode;              /**< its connection's enum sl_mode */
	uint8_t state;             /**< its connection's state after it */
	uint8_t rewritten;         /**< nsrc..ndport hold the new addresses */
	uint8_t gen;               /**< low byte of the live trace's generation
				    *   (sl_fwd_trace_ctl.gen), 0 offline */
	uint8_t pad[4];
};

/**
 * Run @p m, from port index @p pidx (-1: the port its mbuf names, a
 * redirected packet), alone through the packet path at time @p now and
 * fill @p v with what became of it. @p m is the path's from here on. The
 * worker's TX buffers are not flushed.
 */
void sl_fwd_trace_one(struct sl_worker *w, const struct sl_snapshot *snap,
		      struct rte_mbuf *m, int pidx, uint64_t now,
		      struct sl_fwd_verdict *v);

/**
 * sl_fwd_burst() while a live trace runs (w->trace_on): packets that do
 * not match w->env->trace go through sl_fwd_burst() as usual, in runs;
 * each matching one (at most env->trace.max per worker and trace) alone
 * through sl_fwd_trace_one(), its verdict into w->trace_ring (full:
 * counted in trace_lost). The order of the packets is kept.
 */
void sl_fwd_trace_burst(struct sl_worker *w, const struct sl_snapshot *snap,
			struct rte_mbuf **pkts, unsigned n, int pidx, uint64_t now);

/**
 * One line (no newline) saying what @p v says, with the names of ports,
 * services and backends from @p snap (the snapshot the packet met, or a
 * later one: names of what has gone since are left out). @p hz converts
 * @c tsc to seconds after @p t0. Returns what snprintf() returns.
 */
int sl_fwd_verdict_format(const struct sl_fwd_verdict *v, const struct sl_snapshot *snap,
			  uint64_t t0, uint64_t hz, char *buf, size_t len);

/** "forwarded", "dropped", ... */
const char *sl_fate_name(unsigned fate);

#endif /* SL_FWD_TRACE_H */
