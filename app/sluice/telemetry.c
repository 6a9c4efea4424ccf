/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * DPDK telemetry endpoints, so dpdk-telemetry.py (and anything speaking
 * its socket protocol) can read Sluice:
 *   /sluice/services            names of the services
 *   /sluice/services,NAME       one service: VIP, scheduler, connections
 *   /sluice/backends,NAME       a service's backends, flat: b0_address ...
 *   /sluice/stats               counters summed over the workers
 *
 * Callbacks run on EAL's telemetry thread, not the management lcore: they
 * hold app->snap_lock, which the management lcore takes to publish (and
 * free) snapshots, and read worker counters like the stats printer does.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>

#include <rte_telemetry.h>

#include "sluice.h"

static int
tel_services(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct sl_app *app = &sl_app;
	const struct sl_snapshot *s;
	const struct sl_service *sv;
	char a[INET_ADDRSTRLEN];
	struct sl_obj_stats t;
	unsigned i, usable = 0;

	pthread_mutex_lock(&app->snap_lock);
	s = sl_svc_current(&app->svc);
	if (params == NULL || *params == '\0') {
		rte_tel_data_start_array(d, RTE_TEL_STRING_VAL);
		for (i = 0; i < s->n_services; i++)
			if (s->services[i].used)
				rte_tel_data_add_array_string(d, s->services[i].name);
		pthread_mutex_unlock(&app->snap_lock);
		return 0;
	}
	sv = sl_svc_find(s, params);
	if (sv == NULL) {
		pthread_mutex_unlock(&app->snap_lock);
		return -1;
	}
	for (i = 0; i < sv->n_backends; i++)
		usable += sv->ss.weight[i] != 0;
	sl_mgmt_sum(app, sv->id, 0, &t);
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "name", sv->name);
	inet_ntop(AF_INET, &sv->vip, a, sizeof(a));
	rte_tel_data_add_dict_string(d, "vip", a);
	rte_tel_data_add_dict_u64(d, "port", rte_be_to_cpu_16(sv->port));
	rte_tel_data_add_dict_string(d, "protocol", sv->proto == IPPROTO_TCP ? "tcp" : "udp");
	rte_tel_data_add_dict_string(d, "scheduler", sv->sched->name);
	rte_tel_data_add_dict_u64(d, "backends", sv->n_backends);
	rte_tel_data_add_dict_u64(d, "usable", usable);
	rte_tel_data_add_dict_u64(d, "conns_active", t.conns_active > 0 ? (uint64_t)t.conns_active : 0);
	rte_tel_data_add_dict_u64(d, "conns_total", t.conns_total);
	rte_tel_data_add_dict_u64(d, "pkts_in", t.pkts_in);
	rte_tel_data_add_dict_u64(d, "pkts_out", t.pkts_out);
	rte_tel_data_add_dict_u64(d, "bytes_in", t.bytes_in);
	rte_tel_data_add_dict_u64(d, "bytes_out", t.bytes_out);
	pthread_mutex_unlock(&app->snap_lock);
	return 0;
}

static int
tel_backends(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct sl_app *app = &sl_app;
	const struct sl_service *sv;
	char a[INET_ADDRSTRLEN], key[48], val[32];
	unsigned j;

	pthread_mutex_lock(&app->snap_lock);
	sv = sl_svc_find(sl_svc_current(&app->svc), params);
	if (sv == NULL) {
		pthread_mutex_unlock(&app->snap_lock);
		return -1;
	}
	rte_tel_data_start_dict(d);
	for (j = 0; j < sv->n_backends; j++) {
		const struct sl_backend *be = &sv->backends[j];
		struct sl_obj_stats t;

		sl_mgmt_sum(app, -1, be->slot, &t);
		inet_ntop(AF_INET, &be->addr, a, sizeof(a));
		snprintf(val, sizeof(val), "%s:%u", a, rte_be_to_cpu_16(be->port));
		snprintf(key, sizeof(key), "b%u_address", j);
		rte_tel_data_add_dict_string(d, key, val);
		snprintf(key, sizeof(key), "b%u_state", j);
		rte_tel_data_add_dict_string(d, key, be->flush ? "flushed" : be->removed ?
					     "removed" : be->drain_until ? "draining" :
					     be->down ? "down" : "active");
		snprintf(key, sizeof(key), "b%u_weight", j);
		rte_tel_data_add_dict_u64(d, key, sv->ss.weight[j]);
		snprintf(key, sizeof(key), "b%u_conns_active", j);
		rte_tel_data_add_dict_u64(d, key, t.conns_active > 0 ? (uint64_t)t.conns_active : 0);
		snprintf(key, sizeof(key), "b%u_conns_total", j);
		rte_tel_data_add_dict_u64(d, key, t.conns_total);
	}
	pthread_mutex_unlock(&app->snap_lock);
	return 0;
}

static int
tel_stats(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct sl_app *app = &sl_app;
	struct sl_worker_stats t = { 0 };
	char key[48];
	unsigned w, i;

	for (w = 0; w < app->n_workers; w++)
		sl_worker_stats_add(&t, &app->workers[w]->stats);
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_u64(d, "workers", app->n_workers);
	rte_tel_data_add_dict_u64(d, "rx_packets", t.rx_pkts);
	rte_tel_data_add_dict_u64(d, "tx_packets", t.tx_pkts);
	rte_tel_data_add_dict_u64(d, "rx_bursts", t.rx_bursts);
	rte_tel_data_add_dict_u64(d, "redirected", t.redirected);
	rte_tel_data_add_dict_u64(d, "conns_created", t.conns_created);
	rte_tel_data_add_dict_u64(d, "conns_expired", t.conns_expired);
	rte_tel_data_add_dict_u64(d, "conns_flushed", t.conns_flushed);
	for (i = 1; i < SL_DROP_MAX; i++) {
		snprintf(key, sizeof(key), "drop_%s", sl_drop_name((enum sl_drop)i));
		rte_tel_data_add_dict_u64(d, key, t.drops[i] + app->mgmt_drops[i]);
	}
	return 0;
}

void
sl_telemetry_register(void)
{
	rte_telemetry_register_cmd("/sluice/services", tel_services,
		"Sluice services; with a name, that service. Parameters: [service name]");
	rte_telemetry_register_cmd("/sluice/backends", tel_backends,
		"A Sluice service's backends. Parameters: service name");
	rte_telemetry_register_cmd("/sluice/stats", tel_stats,
		"Sluice counters summed over the workers, drops by reason");
}
