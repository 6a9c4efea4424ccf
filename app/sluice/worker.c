/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Worker lcores: the loop around the packet path (lib/fwd). Each worker
 * polls its RX queue on every port, then the redirect rings other
 * workers fill with packets it owns, then the ring of frames the
 * management lcore asks it to send; it serves the management lcore's
 * requests a slice at a time and reports quiescence once per loop. No
 * locks, no allocation, no syscalls but the idle back-off sleep.
 *
 * With idle_wake, the sleep waits on the worker's AF_XDP sockets where
 * its ports have them (net_af_xdp): a frame there ends it at once, so
 * the sleep adds their traffic no latency, and a longer idle_sleep delays
 * only the rings (redirected frames, the management lcore's). The price
 * is a wake-up per frame at low rates, where plain sleeps gather several.
 */
#include <poll.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_lcore.h>
#include <rte_malloc.h>

#include "sluice.h"
#include "sl_fwd_trace.h"

static int
list_conn(const struct sl_conn *c, void *arg)
{
	struct sl_flow_req *r = arg;

	if (r->svc >= 0 && c->svc != r->svc)
		return 0;
	r->out[r->n++] = *c;
	return r->n >= r->limit;
}

static int
list_conn6(const struct sl_conn6 *c, void *arg)
{
	struct sl_flow_req *r = arg;

	if (r->svc >= 0 && c->svc != r->svc)
		return 0;
	r->out6[r->n6++] = *c;
	return r->n + r->n6 >= r->limit;
}

/* A slice of the table per loop iteration for a listing request: the
 * IPv4 table, then the IPv6 one. */
__rte_cold void
sl_worker_serve(struct sl_worker *w)
{
	struct sl_flow_req *r = w->req;
	int cancel;

	if (r == NULL) {
		if (rte_ring_sc_dequeue(w->cmd, (void **)&r) != 0)
			return;
		w->req = r;
	}
	/* relaxed: a request given up on ends a slice later at worst */
	cancel = __atomic_load_n(&r->cancel, __ATOMIC_RELAXED);
	if (!cancel && r->n < r->limit && r->cursor < sl_flow_capacity(w->flows))
		r->cursor = sl_flow_walk_range(w->flows, r->cursor, 4096, list_conn, r);
	else if (!cancel && r->n + r->n6 < r->limit && w->flows6 != NULL && r->out6 != NULL)
		r->cursor6 = sl_flow6_walk_range(w->flows6, r->cursor6, 4096, list_conn6, r);
	if (cancel || r->n + r->n6 >= r->limit ||
	    (r->cursor >= sl_flow_capacity(w->flows) &&
	     (w->flows6 == NULL || r->out6 == NULL ||
	      r->cursor6 >= sl_flow6_capacity(w->flows6)))) {
		w->req = NULL;
		/* release: the listing is complete before it is handed back;
		 * after this store the request is no longer ours to touch */
		__atomic_store_n(&r->done, 1, __ATOMIC_RELEASE);
	}
}

/* A burst through the packet path; while a trace runs, through the
 * trace's filter first (one test per burst otherwise). */
static __rte_always_inline void
burst(struct sl_worker *w, const struct sl_snapshot *snap, struct rte_mbuf **pkts,
      unsigned n, int pidx, uint64_t now)
{
	if (unlikely(w->trace_on))
		sl_fwd_trace_burst(w, snap, pkts, n, pidx, now);
	else
		sl_fwd_burst(w, snap, pkts, n, pidx, now);
}

/* After ppoll() on the AF_XDP sockets said something: a frame ended
 * the sleep (counted), or a socket failed, and the worker sleeps plainly
 * from then on (returns how many sockets to wait on: 0). */
static unsigned
woken(struct sl_worker *w, const struct pollfd *xsk, unsigned n)
{
	unsigned i, in = 0;

	for (i = 0; i < n; i++) {
		if (xsk[i].revents & (POLLERR | POLLNVAL)) {
			SL_LOG(WARNING, "worker %u: AF_XDP socket %d failed (revents 0x%x): idle sleeps no longer wait on its sockets",
			       w->id, xsk[i].fd, (unsigned)xsk[i].revents);
			return 0;
		}
		in |= (xsk[i].revents & POLLIN) != 0;
	}
	w->stats.sleep_wakes += in;
	return n;
}

int
sl_worker_main(void *arg)
{
	struct sl_worker *w = arg;
	struct sl_app *app = &sl_app;
	const struct sl_config_global *g = &app->cfg->global;
	struct rte_mbuf *pkts[SL_BURST];
	struct pollfd xsk[SL_MAX_PORTS];
	const struct timespec nap = {
		.tv_sec = g->idle_sleep_us / 1000000,
		.tv_nsec = (long)(g->idle_sleep_us % 1000000) * 1000,
	};
	unsigned idle = 0, n, p, o, n_xsk = 0;
	uint64_t now;

	for (p = 0; g->idle_wake && p < app->n_ports; p++)
		if (app->xsk_fd[p][w->id] >= 0)
			xsk[n_xsk++] = (struct pollfd){ .fd = app->xsk_fd[p][w->id],
							.events = POLLIN };
	rte_rcu_qsbr_thread_register(app->svc.qsv, w->id);
	rte_rcu_qsbr_thread_online(app->svc.qsv, w->id);
	SL_LOG(INFO, "worker %u on lcore %u polling queue %u of %u port(s)",
	       w->id, w->lcore, w->id, app->n_ports);

	w->stats.start_tsc = rte_rdtsc();
	while (!sl_stopping(app)) {
		const struct sl_snapshot *snap = sl_svc_current(&app->svc);
		unsigned work = 0;

		now = rte_rdtsc();
		w->stats.polls++;
		/* relaxed: a copy more or less around capture start/stop is
		 * harmless; read once per loop, not per packet */
		w->cap_on = __atomic_load_n(&app->fwd.cap.on, __ATOMIC_RELAXED);
		/* acquire: the trace's filter was set before it was turned on */
		w->trace_on = __atomic_load_n(&app->fwd.trace.on, __ATOMIC_ACQUIRE);
		for (p = 0; p < app->n_ports; p++) {
			n = rte_eth_rx_burst(app->hw[p].port_id, (uint16_t)w->id,
					     pkts, SL_BURST);
			if (n == 0)
				continue;
			work += n;
			w->stats.rx_pkts += n;
			w->stats.rx_bursts++;
			burst(w, snap, pkts, n, (int)p, now);
		}
		for (o = 0; o < app->n_workers; o++) {
			if (w->redir_in[o] == NULL)
				continue;
			n = rte_ring_sc_dequeue_burst(w->redir_in[o], (void **)pkts,
						      SL_BURST, NULL);
			work += n;
			if (n != 0)
				burst(w, snap, pkts, n, -1, now);
		}
		n = rte_ring_sc_dequeue_burst(w->from_mgmt, (void **)pkts, SL_BURST, NULL);
		work += n;
		sl_fwd_send(w, pkts, n);
		sl_fwd_flush(w);
		sl_fwd_expire(w, now);
		sl_fwd_timers(w, snap, now);
		if (unlikely(w->req != NULL || !rte_ring_empty(w->cmd)))
			sl_worker_serve(w);
		rte_rcu_qsbr_quiescent(app->svc.qsv, w->id);

		if (work != 0) {
			idle = 0;
			w->stats.busy_tsc += rte_rdtsc() - now;
			continue;
		}
		w->stats.idle_polls++;
		if (g->idle_sleep_us != 0 && ++idle >= g->idle_polls) {
			w->stats.sleeps++;
			if (n_xsk == 0)
				nanosleep(&nap, NULL);
			else if (ppoll(xsk, n_xsk, &nap, NULL) > 0)
				n_xsk = woken(w, xsk, n_xsk);
		}
	}
	rte_rcu_qsbr_thread_offline(app->svc.qsv, w->id);
	rte_rcu_qsbr_thread_unregister(app->svc.qsv, w->id);
	return 0;
}

int
sl_workers_create(struct sl_app *app)
{
	unsigned i = 0, lcore;
	uint32_t flow6 = 0;

	/* IPv6 connections get a table of their own, a quarter the size of
	 * the IPv4 one, where a port has an IPv6 address */
	for (i = 0; i < app->n_ports; i++)
		if (app->cfg->ports[i].prefix6_len != 0)
			flow6 = RTE_MAX(1024u, app->cfg->global.flow_capacity / 4);
	i = 0;
	RTE_LCORE_FOREACH_WORKER(lcore) {
		struct sl_fwd_params p = {
			.id = i,
			.lcore = lcore,
			.socket_id = (int)rte_lcore_to_socket_id(lcore),
			.flow_capacity = app->cfg->global.flow_capacity,
			.flow6_capacity = flow6,
			.timeouts = app->cfg->global.timeouts,
		};
		double mib;

		app->workers[i] = sl_fwd_worker_create(&app->fwd, &p);
		if (app->workers[i] == NULL) {
			SL_LOG(ERR, "worker %u: cannot create its state (a flow table of %u connections): %s (give EAL more memory, -m, or lower flow_capacity)",
			       i, p.flow_capacity, rte_strerror(rte_errno));
			return -rte_errno;
		}
		mib = (double)app->workers[i]->flow_bytes / 1048576.0;
		SL_LOG(INFO, "worker %u: flow table for %u connections uses %.1f MiB (%.0f bytes per connection)",
		       i, p.flow_capacity, mib, (double)app->workers[i]->flow_bytes / p.flow_capacity);
		if (flow6 != 0)
			SL_LOG(INFO, "worker %u: IPv6 flow table for %u connections uses %.1f MiB (%.0f bytes per connection)",
			       i, flow6, (double)app->workers[i]->flow6_bytes / 1048576.0,
			       (double)app->workers[i]->flow6_bytes / flow6);
		i++;
	}
	return sl_fwd_link(app->workers, app->n_workers);
}

void
sl_workers_free(struct sl_app *app)
{
	unsigned i;

	for (i = 0; i < app->n_workers; i++) {
		sl_fwd_worker_free(app->workers[i]);
		app->workers[i] = NULL;
	}
}
