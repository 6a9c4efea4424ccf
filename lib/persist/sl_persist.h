/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SL_PERSIST_H
#define SL_PERSIST_H

/**
 * @file
 * Client affinity ("persistence"): remembers, per service and client
 * address, the backend the client's last connection went to, for a
 * window that restarts with each new connection of the client.
 *
 * A per-worker, set-associative cache: 4 entries per bucket, a client
 * maps to one bucket; an expired entry or, when all four are live, the
 * one closest to expiry makes room. Nothing scans it: expiry is checked
 * on lookup. Sluice gives every client address to one worker, so that
 * worker's table sees all of a client's connections.
 *
 * Thread-safety: a table belongs to one worker; only it may call these.
 */

#include <stdint.h>
#include <rte_common.h>
#include <rte_byteorder.h>

#define SL_PERSIST_WAYS 4

struct sl_persist_entry {
	rte_be32_t cip;       /**< client address; 0 with expire 0 = free */
	uint16_t svc;         /**< service id */
	uint16_t slot;        /**< backend slot */
	uint32_t gen;         /**< backend slot generation */
	uint32_t pad;
	uint64_t expire;      /**< TSC deadline */
};

struct sl_persist {
	uint32_t mask;        /**< buckets - 1 */
	struct sl_persist_entry *e;   /**< buckets x SL_PERSIST_WAYS */
};

/** Create a table of at least @p entries; NULL with rte_errno set. */
struct sl_persist *sl_persist_create(uint32_t entries, int socket_id);
/** Free a table. */
void sl_persist_free(struct sl_persist *p);

/**
 * Backend remembered for (@p svc, @p cip), if its window has not passed.
 * @return 1 with @p slot and @p gen filled in, else 0.
 */
int sl_persist_lookup(struct sl_persist *p, uint16_t svc, rte_be32_t cip,
		      uint64_t now, uint16_t *slot, uint32_t *gen);

/** Remember (or refresh) @p slot/@p gen for (@p svc, @p cip) until @p expire. */
void sl_persist_set(struct sl_persist *p, uint16_t svc, rte_be32_t cip,
		    uint16_t slot, uint32_t gen, uint64_t expire);

/** Forget (@p svc, @p cip), e.g. when its backend is gone or drained. */
void sl_persist_del(struct sl_persist *p, uint16_t svc, rte_be32_t cip);

#endif /* SL_PERSIST_H */
