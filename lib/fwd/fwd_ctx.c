/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Worker contexts: their memory on the worker's NUMA node, their rings
 * and TX buffers. Control path only.
 */
#include <stdio.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_random.h>

#include "sl_fwd.h"
#include "sl_fwd_trace.h"

/* A single-producer, single-consumer ring named sl_WHAT_ID. */
static struct rte_ring *
ring_new(const char *what, unsigned id, unsigned size, int socket_id)
{
	char name[RTE_RING_NAMESIZE];

	snprintf(name, sizeof(name), "sl_%s_%u", what, id);
	return rte_ring_create(name, size, socket_id, RING_F_SP_ENQ | RING_F_SC_DEQ);
}

struct sl_worker *
sl_fwd_worker_create(const struct sl_fwd_env *env, const struct sl_fwd_params *p)
{
	struct sl_flow_params fp = {
		.capacity = p->flow_capacity,
		.socket_id = p->socket_id,
		.hz = env->hz,
		.timeouts = p->timeouts,
	};
	struct rte_malloc_socket_stats before, after;
	struct sl_worker *w;
	char name[64];
	unsigned i;
	int err = ENOMEM;

	w = rte_zmalloc_socket("sl_worker", sizeof(*w), RTE_CACHE_LINE_SIZE, p->socket_id);
	if (w == NULL)
		goto fail;
	w->id = p->id;
	w->lcore = p->lcore;
	w->env = env;
	/*
	 * Local ports are searched from a random place, not from the start
	 * of the slice: after a restart, the ports used just before may
	 * still be in TIME_WAIT on the backends, which would answer a new
	 * SYN from the same endpoint with an old ACK.
	 */
	w->lport_next = (uint32_t)rte_rand();
	memcpy(w->vlan, env->vlan, sizeof(w->vlan));
	for (i = 0; i < SL_MAX_PORTS; i++)
		w->mtu[i] = env->mtu[i] != 0 ? env->mtu[i] : RTE_ETHER_MTU;
	if (env->sp_rate != 0) {
		w->sp_cost = RTE_MAX(env->hz / env->sp_rate, (uint64_t)1);
		w->sp_window = w->sp_cost * (RTE_MAX(env->sp_burst, 1u) - 1);
	}
	snprintf(name, sizeof(name), "sl_flows_%u", p->id);
	fp.name = name;
	rte_malloc_get_socket_stats(p->socket_id, &before);
	w->flows = sl_flow_create(&fp);
	if (w->flows == NULL) {
		err = rte_errno;
		goto fail;
	}
	rte_malloc_get_socket_stats(p->socket_id, &after);
	w->flow_bytes = after.heap_allocsz_bytes - before.heap_allocsz_bytes;
	if (p->flow6_capacity != 0) {
		snprintf(name, sizeof(name), "sl_flows6_%u", p->id);
		fp.name = name;
		fp.capacity = p->flow6_capacity;
		w->flows6 = sl_flow6_create(&fp);
		if (w->flows6 == NULL) {
			err = rte_errno;
			goto fail;
		}
		rte_malloc_get_socket_stats(p->socket_id, &before);
		w->flow6_bytes = before.heap_allocsz_bytes - after.heap_allocsz_bytes;
	}
	for (i = 0; i < env->n_ports; i++) {
		w->txb[i] = rte_zmalloc_socket("sl_txb", RTE_ETH_TX_BUFFER_SIZE(SL_BURST),
					       0, p->socket_id);
		if (w->txb[i] == NULL)
			goto fail;
		rte_eth_tx_buffer_init(w->txb[i], SL_BURST);
		rte_eth_tx_buffer_set_err_callback(w->txb[i],
			rte_eth_tx_buffer_count_callback, &w->stats.drops[SL_DROP_TX]);
	}
	w->persist = sl_persist_create(RTE_MAX(4096u, p->flow_capacity / 4), p->socket_id);
	w->pp = rte_zmalloc_socket("sl_pp", (size_t)p->flow_capacity * sizeof(*w->pp), 0,
				   p->socket_id);
	w->pp_timers = rte_zmalloc_socket("sl_pp_timers", SL_PP_TIMERS * sizeof(*w->pp_timers),
					  0, p->socket_id);
	w->rate = rte_zmalloc_socket("sl_rate", SL_RATE_SETS * sizeof(*w->rate),
				     RTE_CACHE_LINE_SIZE, p->socket_id);
	w->sp = rte_zmalloc_socket("sl_sp", (size_t)p->flow_capacity * sizeof(*w->sp), 0,
				   p->socket_id);
	w->sp_pend = rte_zmalloc_socket("sl_sp_pend", SL_SP_PEND * sizeof(*w->sp_pend), 0,
					p->socket_id);
	if (w->pp == NULL || w->pp_timers == NULL || w->rate == NULL || w->sp == NULL ||
	    w->sp_pend == NULL)
		goto fail;
	w->to_mgmt = ring_new("to_mgmt", p->id, SL_RING_SIZE, p->socket_id);
	w->from_mgmt = ring_new("from_mgmt", p->id, SL_RING_SIZE, p->socket_id);
	w->cap_ring = ring_new("cap", p->id, SL_RING_SIZE, p->socket_id);
	w->cmd = ring_new("cmd", p->id, 16, p->socket_id);
	snprintf(name, sizeof(name), "sl_trace_%u", p->id);
	w->trace_ring = rte_ring_create_elem(name, sizeof(struct sl_fwd_verdict),
					     SL_TRACE_RING, p->socket_id,
					     RING_F_SP_ENQ | RING_F_SC_DEQ);
	if (w->persist == NULL || w->to_mgmt == NULL || w->from_mgmt == NULL ||
	    w->cap_ring == NULL || w->cmd == NULL || w->trace_ring == NULL) {
		err = rte_errno != 0 ? rte_errno : ENOMEM;
		goto fail;
	}
	return w;
fail:
	sl_fwd_worker_free(w);
	rte_errno = err;
	return NULL;
}

int
sl_fwd_link(struct sl_worker **w, unsigned n)
{
	unsigned i, j;

	for (i = 0; i < n; i++) {
		for (j = 0; j < n; j++) {
			struct rte_ring *r;

			if (i == j)
				continue;
			/* on the consumer's node */
			r = ring_new("redir", i * SL_MAX_WORKERS + j, SL_RING_SIZE,
				     (int)rte_lcore_to_socket_id(w[j]->lcore));
			if (r == NULL)
				return -rte_errno;
			w[i]->redir_out[j] = r;
			w[j]->redir_in[i] = r;
		}
	}
	return 0;
}

static void
ring_drain_free(struct rte_ring *r)
{
	void *m;

	if (r == NULL)
		return;
	while (rte_ring_dequeue(r, &m) == 0)
		rte_pktmbuf_free(m);
	rte_ring_free(r);
}

void
sl_fwd_worker_free(struct sl_worker *w)
{
	unsigned i;

	if (w == NULL)
		return;
	/* a worker frees the rings it produces into */
	for (i = 0; i < SL_MAX_WORKERS; i++)
		ring_drain_free(w->redir_out[i]);
	ring_drain_free(w->to_mgmt);
	ring_drain_free(w->from_mgmt);
	rte_ring_free(w->cmd);
	ring_drain_free(w->cap_ring);
	rte_ring_free(w->trace_ring);
	for (i = 0; i < SL_MAX_PORTS; i++)
		rte_free(w->txb[i]);
	sl_flow_free(w->flows);
	sl_flow6_free(w->flows6);
	sl_persist_free(w->persist);
	rte_free(w->pp);
	rte_free(w->sp);
	if (w->sp_pend != NULL)
		for (i = 0; i < w->n_sp_pend; i++)
			rte_pktmbuf_free(w->sp_pend[i].held);
	rte_free(w->sp_pend);
	rte_free(w->pp_timers);
	rte_free(w->rate);
	rte_free(w);
}
