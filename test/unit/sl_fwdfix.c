/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_eth_ring.h>
#include <rte_lcore.h>

#include "sl_fwdfix.h"

void
sl_fwdfix_resolve(struct sl_fwdfix *fx)
{
	uint32_t i;

	for (i = 0; i < fx->env.neigh->count; i++) {
		const struct sl_neigh_meta *e = &fx->env.neigh->meta[i];
		struct rte_ether_addr m = { { 0x02, 0, 0, 0, 0x01, (uint8_t)i } };

		if (e->v6)
			sl_neigh_learn6(fx->env.neigh, e->port, &e->ip6, &m, rte_rdtsc());
		else
			sl_neigh_learn(fx->env.neigh, e->port, e->ip, &m, rte_rdtsc());
	}
}

int
sl_fwdfix_rebuild(struct sl_fwdfix *fx, char *err, size_t errlen)
{
	struct sl_svc_change chg;
	struct sl_snapshot *next;

	next = sl_svc_rebuild(fx->cfg, fx->hw, fx->env.neigh, fx->env.n_workers, fx->ids,
			      fx->snap, 0, &chg, err, errlen);
	if (next == NULL)
		return -1;
	sl_svc_free(fx->snap);
	fx->snap = next;
	sl_fwdfix_resolve(fx);
	return 0;
}

/* Port index @p i on a ring pair, configured and started as any port. */
static int
ring_port(struct sl_fwdfix *fx, unsigned i, char *err, size_t errlen)
{
	char name[16];
	int pid, ret;
	uint16_t q;

	snprintf(name, sizeof(name), "fwd_rx%u", i);
	fx->rx[i] = rte_ring_create(name, 1024, SOCKET_ID_ANY, RING_F_SP_ENQ | RING_F_SC_DEQ);
	snprintf(name, sizeof(name), "fwd_tx%u", i);
	fx->tx[i] = rte_ring_create(name, 1024, SOCKET_ID_ANY, RING_F_SP_ENQ | RING_F_SC_DEQ);
	if (fx->rx[i] == NULL || fx->tx[i] == NULL) {
		snprintf(err, errlen, "ring: %s", rte_strerror(rte_errno));
		return -1;
	}
	snprintf(name, sizeof(name), "fwd_port%u", i);
	/* a TX queue per worker (four at most), all into one ring */
	pid = rte_eth_from_rings(name, &fx->rx[i], 1,
				 (struct rte_ring *[]){ fx->tx[i], fx->tx[i], fx->tx[i], fx->tx[i] },
				 4, SOCKET_ID_ANY);
	if (pid < 0) {
		snprintf(err, errlen, "ring port: %s", rte_strerror(rte_errno));
		return -1;
	}
	rte_eth_macaddr_get((uint16_t)pid, &fx->hw[i].mac);
	fx->hw[i].port_id = (uint16_t)pid;
	fx->port_index[pid] = (int16_t)i;
	fx->env.port_id[i] = (uint16_t)pid;
	/* configured like any port, though the rings are its queues */
	ret = rte_eth_dev_configure((uint16_t)pid, 1, 4, &(struct rte_eth_conf){ 0 });
	if (ret == 0)
		ret = rte_eth_rx_queue_setup((uint16_t)pid, 0, 512, rte_socket_id(),
					     NULL, fx->pool);
	for (q = 0; ret == 0 && q < 4; q++)
		ret = rte_eth_tx_queue_setup((uint16_t)pid, q, 512, rte_socket_id(), NULL);
	if (ret == 0)
		ret = rte_eth_dev_start((uint16_t)pid);
	if (ret != 0) {
		snprintf(err, errlen, "ring port %d does not start: %s", pid, rte_strerror(-ret));
		return -1;
	}
	return 0;
}

int
sl_fwdfix_init(struct sl_fwdfix *fx, const char *ini, const char *name,
	       uint32_t flow6_cap, char *err, size_t errlen)
{
	struct sl_fwd_params p = {
		.id = 0, .lcore = rte_lcore_id(), .socket_id = (int)rte_socket_id(),
		.flow6_capacity = flow6_cap,
	};
	char why[256];
	unsigned i;

	memset(fx, 0, sizeof(*fx));
	fx->pool = rte_pktmbuf_pool_create("fwd_pool", 4095, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
					   (int)rte_socket_id());
	fx->cfg = sl_config_parse_string(ini, name, why, sizeof(why));
	fx->env.neigh = sl_neigh_create(64, (int)rte_socket_id());
	fx->ids = sl_svc_ids_create();
	if (fx->pool == NULL || fx->cfg == NULL || fx->env.neigh == NULL || fx->ids == NULL) {
		snprintf(err, errlen, "set-up failed: %s", fx->cfg == NULL ? why : "no memory");
		return -1;
	}
	for (i = 0; i < RTE_MAX_ETHPORTS; i++)
		fx->port_index[i] = -1;
	for (i = 0; i < 2; i++)
		if (ring_port(fx, i, err, errlen) != 0)
			return -1;
	/* as the application sets them: from the ports' configuration */
	for (i = 0; i < 2 && i < fx->cfg->n_ports; i++) {
		fx->env.vlan[i] = fx->cfg->ports[i].vlan;
		fx->env.mtu[i] = fx->cfg->ports[i].mtu;
	}
	fx->env.port_index = fx->port_index;
	fx->env.pool = fx->pool;
	fx->env.n_ports = 2;
	fx->env.n_workers = 1;
	fx->env.hz = rte_get_tsc_hz();
	fx->env.cap.svc = fx->env.cap.port = -1;
	p.flow_capacity = fx->cfg->global.flow_capacity;
	p.timeouts = fx->cfg->global.timeouts;
	fx->w = sl_fwd_worker_create(&fx->env, &p);
	if (fx->w == NULL) {
		snprintf(err, errlen, "worker: %s", rte_strerror(rte_errno));
		return -1;
	}
	fx->snap = sl_svc_rebuild(fx->cfg, fx->hw, fx->env.neigh, 1, fx->ids, NULL, 0,
				  &(struct sl_svc_change){ 0 }, why, sizeof(why));
	if (fx->snap == NULL) {
		snprintf(err, errlen, "snapshot: %s", why);
		return -1;
	}
	sl_fwdfix_resolve(fx);
	fx->now = rte_rdtsc();
	return 0;
}

void
sl_fwdfix_free(struct sl_fwdfix *fx)
{
	sl_fwd_worker_free(fx->w);
	fx->w = NULL;
	sl_svc_free(fx->snap);
	fx->snap = NULL;
	sl_svc_ids_free(fx->ids);
	fx->ids = NULL;
	sl_config_free(fx->cfg);
	fx->cfg = NULL;
}

struct rte_mbuf *
sl_fwdfix_sent(struct sl_fwdfix *fx, int pidx)
{
	void *m;

	return rte_ring_dequeue(fx->tx[pidx], &m) == 0 ? m : NULL;
}

unsigned
sl_fwdfix_drain(struct sl_fwdfix *fx)
{
	struct rte_mbuf *m;
	unsigned n = 0;
	int p;

	for (p = 0; p < 2; p++)
		while ((m = sl_fwdfix_sent(fx, p)) != NULL) {
			rte_pktmbuf_free(m);
			n++;
		}
	return n;
}

uint32_t
sl_fwdfix_count6(const struct sl_fwdfix *fx)
{
	return fx->w->flows6 != NULL ? sl_flow6_count(fx->w->flows6) : 0;
}

uint32_t
sl_fwdfix_expire_all(struct sl_fwdfix *fx)
{
	uint32_t longest = 0;
	unsigned i;

	/*
	 * Just past the longest idle timeout: the wheels walk every slot
	 * (at most 1/16 s) between two calls, so a far larger jump only costs time
	 * (a lot of it under a fuzzer's instrumentation).
	 */
	for (i = 0; i < SL_CS_MAX; i++)
		longest = RTE_MAX(longest, fx->cfg->global.timeouts[i]);
	fx->now += (uint64_t)(longest + 2) * fx->env.hz;
	for (i = 0; i < 10000 && (sl_flow_count(fx->w->flows) != 0 || sl_fwdfix_count6(fx) != 0); i++)
		sl_fwd_expire(fx->w, fx->now);
	return sl_flow_count(fx->w->flows) + sl_fwdfix_count6(fx);
}
