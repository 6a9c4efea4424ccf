/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SL_SCHED_H
#define SL_SCHED_H

/**
 * @file
 * Schedulers: pick a backend of a service for a new connection.
 *
 * Each scheduler is one file behind struct sl_sched_ops and registers
 * itself by name (as IPVS does). A scheduler may keep two kinds of
 * state: @c shared, immutable data built by the management lcore when a
 * config snapshot is made (e.g. a lookup table) and read by every
 * worker; and @c ws, a small per-worker block only that worker writes
 * (e.g. the round-robin position), so picking never needs a lock or an
 * atomic. Per-worker state means rr and wrr are exact per worker; across
 * N workers each backend's share differs from the exact share by at most
 * N connections. lc and wlc read the calling worker's own count of active
 * connections per backend: exact for that worker's connections, blind to
 * the other workers' (a client address always lands on the same worker,
 * so with many clients each worker sees a fair sample). rr and wrr carry
 * their per-worker state from one snapshot to the next (ws_carry), so
 * these bounds hold across rebuilds that keep the backends and weights.
 *
 * Thread-safety: build/free on the management lcore only; pick on the
 * worker owning @c ws, with @c shared read-only.
 */

#include <stddef.h>
#include <stdint.h>
#include <rte_common.h>

#include "sl_stats.h"

/** What a scheduler sees of a service. */
struct sl_sched_svc {
	uint16_t n;                /**< number of backends */
	const uint32_t *weight;    /**< per backend; 0 = take no new connections */
	const uint16_t *slot;      /**< per backend: its counter slot (lc, wlc) */
	const uint64_t *ident;     /**< per backend: hash of its identity (maglev) */
	uint32_t table_size;       /**< maglev lookup table size, a prime */
	const void *shared;        /**< from ops->build(), may be NULL */
	/** per backend: the connections one worker may give it (its
	 *  max_conns over the workers, rounded up), 0 = no limit; NULL when
	 *  no backend of the service has one */
	const uint32_t *max_conns;
	const struct sl_sched_ops *ops;  /**< its scheduler (sl_sched_pick_limited()) */
};

/** Backends of a service sl_sched_pick_limited() handles (the most a
 *  service has). */
#define SL_SCHED_MAX_BACKENDS 256

/**
 * Whether backend @p i of @p svc holds as many of the calling worker's
 * connections as it may (@p stats: that worker's per-backend counters).
 */
static __rte_always_inline int
sl_sched_full(const struct sl_sched_svc *svc, const struct sl_obj_stats *stats, uint16_t i)
{
	return svc->max_conns != NULL && stats != NULL && svc->max_conns[i] != 0 &&
	       stats[svc->slot[i]].conns_active >= (int64_t)svc->max_conns[i];
}

/**
 * The pick of a service with max_conns (@c max_conns and @c ops set),
 * in place of ops->pick: a backend at its limit is skipped as one of
 * weight 0 is, for this pick only. rr, wrr, lc and wlc pick with the
 * full backends' weights taken as 0; a hashing scheduler (sh, maglev)
 * picks by its hash, and when that backend is full the next usable one
 * in index order that is not (the same for every connection of that
 * hash while the counts stay). -1 when every usable backend is full.
 * A service without limits calls ops->pick itself, so the schedulers
 * and their cost are those of a service without limits. @p stats NULL:
 * no limit (ops->pick).
 */
int sl_sched_pick_limited(const struct sl_sched_svc *svc, void *ws, uint32_t hash,
			  const struct sl_obj_stats *stats);

struct sl_sched_ops {
	const char *name;
	int needs_hash;     /**< pick() reads @c hash; else the caller may pass 0.
			     *   Such a pick depends on the hash and the
			     *   backends alone, so instances (and a restarted
			     *   one) with the same backends pick alike */
	/** Immutable per-snapshot data; NULL with errno set on failure.
	 *  May be NULL when the scheduler needs none. */
	void *(*build)(const struct sl_sched_svc *svc, int socket_id);
	void (*free)(void *shared);
	/** Bytes of per-worker state for a service of @p n backends. */
	size_t (*ws_size)(uint16_t n);
	/** Initialise per-worker state (zeroed memory on entry). */
	void (*ws_init)(void *ws, const struct sl_sched_svc *svc, unsigned worker);
	/**
	 * Carry a worker's state over from the previous snapshot of the
	 * same service, so a rebuild does not restart the sequence: @p ws
	 * (already through ws_init) from @p prev_ws, the worker's state for
	 * @p prev. @p same: the backends are the same ones, with the same
	 * weights, in the same order. Management lcore, while the worker may
	 * still write @p prev_ws: read it with relaxed atomic loads (and
	 * pick() writes it with relaxed atomic stores). May be NULL.
	 */
	void (*ws_carry)(void *ws, const struct sl_sched_svc *svc,
			 const void *prev_ws, const struct sl_sched_svc *prev,
			 int same);
	/** Backend index in [0, n) or -1 if none can take the connection.
	 *  @p hash is the connection's hash (5-tuple or source address, as
	 *  the service says), 0 unless needs_hash; @p stats the calling
	 *  worker's per-backend counters, indexed by slot (lc, wlc).
	 *  Limits (max_conns) are not its business:
	 *  sl_sched_pick_limited() wraps it. */
	int (*pick)(const struct sl_sched_svc *svc, void *ws, uint32_t hash,
		    const struct sl_obj_stats *stats);
	/**
	 * A guess, changing nothing: the backend the @p ahead-th pick()
	 * from now (0: the next one) would return for @p hash, or -1 for
	 * no guess. The worker loads what a new connection to that backend
	 * will need before it picks; a wrong guess costs only those loads.
	 * May be NULL: no guess.
	 */
	int (*peek)(const struct sl_sched_svc *svc, const void *ws, uint32_t hash,
		    unsigned ahead, const struct sl_obj_stats *stats);
	struct sl_sched_ops *next;  /**< registry link */
};

/** Register a scheduler (called from constructors). */
void sl_sched_register(struct sl_sched_ops *ops);

/** Scheduler by name, or NULL. */
const struct sl_sched_ops *sl_sched_find(const char *name);

/** Names of all registered schedulers, '|' separated, for messages. */
const char *sl_sched_names(void);

#define SL_SCHED_REGISTER(ops) \
	RTE_INIT(sl_sched_register_##ops) { sl_sched_register(&ops); }

#endif /* SL_SCHED_H */
