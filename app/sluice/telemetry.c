/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * DPDK telemetry endpoints, so dpdk-telemetry.py (and anything speaking
 * its socket protocol) can read Sluice:
 *   /sluice/services            names of the services
 *   /sluice/services,NAME       one service: VIP, scheduler, its counters
 *   /sluice/backends,NAME       a service's backends, flat: b0_address ...
 *   /sluice/stats               counters summed over the workers (drops
 *                               with the management lcore's own)
 * The counters are those of lib/stats' lists, under their names.
 *
 * Callbacks run on EAL's telemetry thread, not the management lcore: they
 * hold app->snap_lock, which the management lcore takes to publish (and
 * free) snapshots, and read worker counters like the stats printer does.
 * At shutdown sl_telemetry_stop() turns them off under the same lock
 * before the snapshot and the workers go (EAL cannot unregister them).
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>

#include <rte_telemetry.h>

#include "sluice.h"

static int stopped;  /* under app->snap_lock */

/*
 * Take the lock and check there is something to read: the snapshot
 * (NULL before the first and after the last publish) and the workers.
 * NULL, with the lock released, when the endpoints are off.
 */
static const struct sl_snapshot *
tel_begin(struct sl_app *app)
{
	const struct sl_snapshot *s;

	pthread_mutex_lock(&app->snap_lock);
	s = stopped ? NULL : sl_svc_current(&app->svc);
	if (s == NULL || app->n_workers == 0 || app->workers[0] == NULL) {
		pthread_mutex_unlock(&app->snap_lock);
		return NULL;
	}
	return s;
}

static void
add_counter(const struct sl_counter *c, uint64_t v, void *arg)
{
	struct rte_tel_data *d = arg;

	/* a sum of per-worker gauges can dip below zero for a moment */
	rte_tel_data_add_dict_u64(d, c->name, c->is_signed && (int64_t)v < 0 ? 0 : v);
}

struct prefixed {
	struct rte_tel_data *d;
	unsigned j;
};

static void
add_prefixed(const struct sl_counter *c, uint64_t v, void *arg)
{
	struct prefixed *p = arg;
	char key[RTE_TEL_MAX_STRING_LEN];

	snprintf(key, sizeof(key), "b%u_%s", p->j, c->name);
	rte_tel_data_add_dict_u64(p->d, key, c->is_signed && (int64_t)v < 0 ? 0 : v);
}

static int
tel_services(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct sl_app *app = &sl_app;
	const struct sl_snapshot *s;
	const struct sl_service *sv;
	char a[INET6_ADDRSTRLEN];
	struct sl_obj_stats t;
	unsigned i, usable = 0;

	RTE_SET_USED(cmd);
	s = tel_begin(app);
	if (s == NULL)
		return -1;
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
	if (sv->v6)
		inet_ntop(AF_INET6, &sv->vip6, a, sizeof(a));
	else
		inet_ntop(AF_INET, &sv->vip, a, sizeof(a));
	rte_tel_data_add_dict_string(d, "vip", a);
	rte_tel_data_add_dict_string(d, "mode", sl_config_mode_name(sv->mode, sv->encap));
	rte_tel_data_add_dict_u64(d, "port", rte_be_to_cpu_16(sv->port));
	rte_tel_data_add_dict_string(d, "protocol", sv->proto == IPPROTO_TCP ? "tcp" : "udp");
	rte_tel_data_add_dict_string(d, "scheduler", sv->sched->name);
	rte_tel_data_add_dict_u64(d, "backends", sv->n_backends);
	rte_tel_data_add_dict_u64(d, "usable", usable);
	sl_stats_foreach(sl_obj_counters, sl_n_obj_counters, &t, add_counter, d);
	pthread_mutex_unlock(&app->snap_lock);
	return 0;
}

static int
tel_backends(const char *cmd, const char *params, struct rte_tel_data *d)
{
	/* b<j>_address, _state, _weight and the counters */
	const unsigned per_be = 3 + sl_n_obj_counters;
	struct sl_app *app = &sl_app;
	const struct sl_snapshot *s;
	const struct sl_service *sv;
	char a[INET6_ADDRSTRLEN], key[48], val[INET6_ADDRSTRLEN + 8];
	unsigned j, shown;

	RTE_SET_USED(cmd);
	s = tel_begin(app);
	if (s == NULL)
		return -1;
	sv = sl_svc_find(s, params);
	if (sv == NULL) {
		pthread_mutex_unlock(&app->snap_lock);
		return -1;
	}
	/* a telemetry dict holds RTE_TEL_MAX_DICT_ENTRIES: whole backends
	 * only, as many as fit; "backends" says how many there are */
	shown = RTE_MIN(sv->n_backends, (RTE_TEL_MAX_DICT_ENTRIES - 2u) / per_be);
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_u64(d, "backends", sv->n_backends);
	rte_tel_data_add_dict_u64(d, "shown", shown);
	for (j = 0; j < shown; j++) {
		const struct sl_backend *be = &sv->backends[j];
		struct prefixed p = { .d = d, .j = j };
		struct sl_obj_stats t;

		sl_mgmt_sum(app, -1, be->slot, &t);
		if (be->v6) {
			inet_ntop(AF_INET6, &be->addr6, a, sizeof(a));
			snprintf(val, sizeof(val), "[%s]:%u", a, rte_be_to_cpu_16(be->port));
		} else {
			inet_ntop(AF_INET, &be->addr, a, sizeof(a));
			snprintf(val, sizeof(val), "%s:%u", a, rte_be_to_cpu_16(be->port));
		}
		snprintf(key, sizeof(key), "b%u_address", j);
		rte_tel_data_add_dict_string(d, key, val);
		snprintf(key, sizeof(key), "b%u_state", j);
		rte_tel_data_add_dict_string(d, key, be->flush ? "flushed" : be->removed ?
					     "removed" : be->drain_until ? "draining" :
					     be->down ? "down" : "active");
		snprintf(key, sizeof(key), "b%u_weight", j);
		rte_tel_data_add_dict_u64(d, key, sv->ss.weight[j]);
		sl_stats_foreach(sl_obj_counters, sl_n_obj_counters, &t, add_prefixed, &p);
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

	RTE_SET_USED(cmd);
	RTE_SET_USED(params);
	if (tel_begin(app) == NULL)
		return -1;
	for (w = 0; w < app->n_workers; w++)
		sl_worker_stats_add(&t, &app->workers[w]->stats);
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_u64(d, "workers", app->n_workers);
	sl_stats_foreach(sl_worker_counters, sl_n_worker_counters, &t, add_counter, d);
	for (i = 1; i < SL_DROP_MAX; i++) {
		snprintf(key, sizeof(key), "drop_%s", sl_drop_name((enum sl_drop)i));
		rte_tel_data_add_dict_u64(d, key, t.drops[i] + app->mgmt_drops[i]);
	}
	pthread_mutex_unlock(&app->snap_lock);
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

void
sl_telemetry_stop(struct sl_app *app)
{
	pthread_mutex_lock(&app->snap_lock);
	stopped = 1;
	pthread_mutex_unlock(&app->snap_lock);
}
