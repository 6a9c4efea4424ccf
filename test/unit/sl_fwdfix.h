/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SL_FWDFIX_H
#define SL_FWDFIX_H

/*
 * A packet-path fixture: a real configuration (INI text), its snapshot
 * and one worker, on two ring-backed ports, so every frame the worker
 * sends can be read back from the port's TX ring. Every next hop of the
 * snapshot is resolved (02:00:00:00:01:<entry index>); the ports' VLAN
 * ids and MTUs come from the configuration, as in the application. The lib/fwd unit
 * suite and the packet fuzzer (test/fuzz) build on it.
 *
 * Needs EAL (sl_test_eal_init() or the fuzzer's own); one fixture per
 * process: the ports and rings have fixed names.
 */

#include <stdint.h>
#include <stddef.h>

#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "sl_fwd.h"

struct sl_fwdfix {
	struct rte_mempool *pool;
	struct rte_ring *rx[2], *tx[2];   /* per port: what it receives, sends */
	int16_t port_index[RTE_MAX_ETHPORTS];
	struct sl_port_hw hw[SL_MAX_PORTS];
	struct sl_fwd_env env;
	struct sl_config *cfg;
	struct sl_svc_ids *ids;
	struct sl_snapshot *snap;
	struct sl_worker *w;
	uint64_t now;                     /* the worker's clock (TSC) */
};

/*
 * Parse @p ini (named @p name in messages), create the pool, the ports
 * (port index 0 and 1, a TX queue per worker for two workers, all into
 * one ring per port), worker 0 with an IPv6 table of @p flow6_cap
 * connections (0: none), and the first snapshot. Returns 0, or -1 with
 * the reason in @p err.
 */
int sl_fwdfix_init(struct sl_fwdfix *fx, const char *ini, const char *name,
		   uint32_t flow6_cap, char *err, size_t errlen);

/* Free the worker, the snapshot, the identities and the config. */
void sl_fwdfix_free(struct sl_fwdfix *fx);

/* Resolve every neighbour entry (the next hops answered). */
void sl_fwdfix_resolve(struct sl_fwdfix *fx);

/* Replace the snapshot by one rebuilt from fx->cfg after it (health
 * marks in fx->ids apply), then resolve. 0, or -1 with the reason in
 * @p err (the snapshot is left as it was). */
int sl_fwdfix_rebuild(struct sl_fwdfix *fx, char *err, size_t errlen);

/* The next frame port index @p pidx sent, or NULL. */
struct rte_mbuf *sl_fwdfix_sent(struct sl_fwdfix *fx, int pidx);

/* Free every frame the ports sent; returns how many. */
unsigned sl_fwdfix_drain(struct sl_fwdfix *fx);

/* IPv6 connections of worker 0 (0 without an IPv6 table). */
uint32_t sl_fwdfix_count6(const struct sl_fwdfix *fx);

/* Move the clock far on and expire every connection of worker 0, IPv4
 * and IPv6 (the wheels take a slice per call). Returns the connections
 * left (0 unless expiry is broken). */
uint32_t sl_fwdfix_expire_all(struct sl_fwdfix *fx);

#endif
