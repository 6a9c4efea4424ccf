/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sluice: start-up and shut-down. Reads the INI file before anything
 * else (a bad file exits before EAL or any port is touched), builds the
 * EAL command line from it, sets up pool, ports, workers and the first
 * service snapshot, then runs the management loop on the main lcore
 * until SIGINT or SIGTERM.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_cycles.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_rcu_qsbr.h>

#include "sluice.h"

#define MAX_EAL_ARGS 128

static void
usage(const char *prog)
{
	fprintf(stderr,
		"usage: %s -c FILE [-i]\n"
		"       %s [EAL options] -- -c FILE [-i]\n"
		"  -c, --config FILE   INI configuration (see config/sluice.ini)\n"
		"  -i, --interactive   console on stdin: help, TAB completion, history;\n"
		"                      quit or Ctrl-D stops Sluice\n"
		"  -h, --help          this help\n"
		"EAL options come from the [eal] section of FILE; when given on the\n"
		"command line before '--' they replace that section. Ports are added\n"
		"to the EAL options from the [port.*] sections in both cases.\n",
		prog, prog);
}

static void
on_signal(int sig)
{
	/* relaxed: flags the loops poll */
	if (sig == SIGHUP)
		__atomic_store_n(&sl_app.reload, 1, __ATOMIC_RELAXED);
	else
		__atomic_store_n(&sl_app.stop, 1, __ATOMIC_RELAXED);
}

/* Split @p s on blanks into argv (in place). */
static int
split_args(char *s, char **argv, int argc, int max)
{
	char *save = NULL, *tok;

	for (tok = strtok_r(s, " \t", &save); tok != NULL;
	     tok = strtok_r(NULL, " \t", &save)) {
		if (argc >= max)
			return -E2BIG;
		argv[argc++] = tok;
	}
	return argc;
}

static int
pool_create(struct sl_app *app)
{
	const struct sl_config *cfg = app->cfg;
	unsigned need = 0, i, n;

	for (i = 0; i < cfg->n_ports; i++)
		need += app->n_workers * (cfg->ports[i].rx_desc + cfg->ports[i].tx_desc);
	/* rings between lcores, bursts in flight, hold queues */
	need += app->n_workers * (app->n_workers + 2) * SL_RING_SIZE + 4096;
	n = RTE_MAX(cfg->global.mbufs, need);
	if (n != cfg->global.mbufs)
		SL_LOG(INFO, "mbufs raised from %u to %u for %u port(s) and %u worker(s)",
		       cfg->global.mbufs, n, cfg->n_ports, app->n_workers);
	app->pool = rte_pktmbuf_pool_create("sl_pool", n, 256, 0,
					    RTE_MBUF_DEFAULT_BUF_SIZE,
					    (int)rte_socket_id());
	if (app->pool == NULL) {
		SL_LOG(ERR, "cannot create a pool of %u mbufs: %s (give EAL more memory, -m)",
		       n, rte_strerror(rte_errno));
		return -ENOMEM;
	}
	return 0;
}

static int
rcu_create(struct sl_app *app)
{
	size_t sz = rte_rcu_qsbr_get_memsize(app->n_workers);

	app->svc.qsv = rte_zmalloc("sl_rcu", sz, RTE_CACHE_LINE_SIZE);
	if (app->svc.qsv == NULL)
		return -ENOMEM;
	return rte_rcu_qsbr_init(app->svc.qsv, app->n_workers);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ "interactive", no_argument, NULL, 'i' },
		{ NULL, 0, NULL, 0 },
	};
	struct sl_app *app = &sl_app;
	char *eal_argv[MAX_EAL_ARGS];
	char eal_args_copy[SL_EAL_ARGS_MAX];
	char vdev_store[SL_MAX_PORTS * (SL_DEVICE_MAX + 16)];
	char err[512];
	int dashdash = -1, eal_argc = 0, opt, i, ret, status = EXIT_FAILURE;
	const char *config = NULL;
	struct sl_snapshot *snap;
	unsigned lcore;

	for (i = 1; i < argc; i++)
		if (strcmp(argv[i], "--") == 0) {
			dashdash = i;
			break;
		}
	/* our own options: after "--" if present, else all of argv */
	{
		int oargc = dashdash >= 0 ? argc - dashdash : argc;
		char **oargv = dashdash >= 0 ? argv + dashdash : argv;

		optind = 1;
		while ((opt = getopt_long(oargc, oargv, "c:hi", longopts, NULL)) != -1) {
			switch (opt) {
			case 'c':
				config = optarg;
				break;
			case 'h':
				usage(argv[0]);
				return EXIT_SUCCESS;
			case 'i':
				app->interactive = 1;
				break;
			default:
				usage(argv[0]);
				return EXIT_FAILURE;
			}
		}
		if (optind < oargc) {
			fprintf(stderr, "sluice: unexpected argument '%s'\n", oargv[optind]);
			usage(argv[0]);
			return EXIT_FAILURE;
		}
	}
	if (config == NULL) {
		fprintf(stderr, "sluice: no configuration file: use -c FILE\n");
		usage(argv[0]);
		return EXIT_FAILURE;
	}
	app->cfg = sl_config_load(config, err, sizeof(err));
	if (app->cfg == NULL) {
		fprintf(stderr, "sluice: configuration error: %s\n", err);
		return EXIT_FAILURE;
	}
	app->config_path = config;

	eal_argv[eal_argc++] = argv[0];
	if (dashdash > 1) {
		for (i = 1; i < dashdash && eal_argc < MAX_EAL_ARGS; i++)
			eal_argv[eal_argc++] = argv[i];
	} else {
		eal_argv[eal_argc++] = "--lcores";
		eal_argv[eal_argc++] = app->cfg->lcores;
		snprintf(eal_args_copy, sizeof(eal_args_copy), "%s", app->cfg->eal_args);
		eal_argc = split_args(eal_args_copy, eal_argv, eal_argc, MAX_EAL_ARGS - 1);
	}
	if (eal_argc > 0)
		eal_argc = sl_ports_vdev_args(app->cfg, app->cfg->n_lcores - 1u,
					      eal_argv, eal_argc, MAX_EAL_ARGS - 1,
					      vdev_store, sizeof(vdev_store));
	if (eal_argc < 0) {
		fprintf(stderr, "sluice: too many EAL arguments\n");
		goto out_cfg;
	}
	eal_argv[eal_argc] = NULL;

	/* DPDK logs to stdout by default; an appliance logs to stderr */
	rte_openlog_stream(stderr);
	ret = rte_eal_init(eal_argc, eal_argv);
	if (ret < 0) {
		fprintf(stderr, "sluice: EAL initialisation failed: %s\n",
			rte_strerror(rte_errno));
		goto out_cfg;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGHUP, on_signal);
	signal(SIGPIPE, SIG_IGN);

	app->hz = rte_get_tsc_hz();
	app->n_workers = rte_lcore_count() - 1;
	if (app->n_workers == 0 || app->n_workers > SL_MAX_WORKERS) {
		SL_LOG(ERR, "need 1..%d worker lcores besides the management lcore, have %u",
		       SL_MAX_WORKERS, app->n_workers);
		goto out_eal;
	}
	if (dashdash < 0 && app->n_workers != app->cfg->n_lcores - 1u)
		SL_LOG(WARNING, "[eal] lcores names %u lcores but EAL started %u",
		       app->cfg->n_lcores, app->n_workers + 1);
	/* af_packet queue pairs were sized for the INI's worker count */
	if (dashdash > 1 && app->n_workers != app->cfg->n_lcores - 1u)
		SL_LOG(WARNING, "command-line lcores differ from [eal] lcores; af_packet ports were given %u queue pairs",
		       app->cfg->n_lcores - 1u);

	if (pool_create(app) != 0 || rcu_create(app) != 0)
		goto out_eal;
	sl_capture_init(app);
	app->neigh = sl_neigh_create(4096, (int)rte_socket_id());
	if (app->neigh == NULL)
		goto out_eal;
	if (sl_ports_init(app) != 0)
		goto out_ports;
	ret = sl_workers_create(app);
	if (ret != 0) {
		SL_LOG(ERR, "cannot create worker state: %s", rte_strerror(-ret));
		goto out_workers;
	}
	app->start_tsc = rte_rdtsc();
	app->ids = sl_svc_ids_create();
	app->live_cfg = sl_config_load(config, err, sizeof(err));
	if (app->ids == NULL || app->live_cfg == NULL) {
		SL_LOG(ERR, "%s: %s", config, app->live_cfg == NULL ? err : "out of memory");
		goto out_workers;
	}
	{
		struct sl_svc_change chg;

		snap = sl_svc_rebuild(app->live_cfg, app->hw, app->neigh, app->n_workers,
				      app->ids, NULL, 0, &chg, err, sizeof(err));
	}
	if (snap == NULL) {
		SL_LOG(ERR, "%s: %s", config, err);
		goto out_workers;
	}
	sl_svc_publish(&app->svc, snap);

	i = 0;
	RTE_LCORE_FOREACH_WORKER(lcore) {
		ret = rte_eal_remote_launch(sl_worker_main, app->workers[i], lcore);
		if (ret != 0) {
			SL_LOG(ERR, "cannot launch worker on lcore %u", lcore);
			__atomic_store_n(&app->stop, 1, __ATOMIC_RELAXED);
			break;
		}
		i++;
	}
	if (!sl_stopping(app)) {
		sl_mgmt_start(app);
		/* without the socket Sluice still forwards: say so and go on */
		if (sl_admin_open(app) != 0)
			SL_LOG(WARNING, "no admin socket: sluicectl will not reach this Sluice");
		sl_telemetry_register();
		SL_LOG(INFO, "%u service(s), %u worker(s), %u port(s)",
		       snap->n_services, app->n_workers, app->n_ports);
		SL_LOG(NOTICE, "ready");
		if (app->interactive && sl_console_start(app) != 0) {
			SL_LOG(ERR, "no console: stopping (-i was asked for)");
		} else {
			sl_mgmt_loop(app);
			status = EXIT_SUCCESS;
		}
	}
	sl_console_stop();
	SL_LOG(NOTICE, "stopping");
	sl_admin_close();
	sl_capture_stop(app);
	sl_health_stop();
	__atomic_store_n(&app->stop, 1, __ATOMIC_RELAXED);
	rte_eal_mp_wait_lcore();
	sl_mgmt_print_stats(app, stderr);
out_workers:
	sl_telemetry_stop(app);
	pthread_mutex_lock(&app->snap_lock);
	sl_svc_publish(&app->svc, NULL);
	pthread_mutex_unlock(&app->snap_lock);
	sl_workers_free(app);
out_ports:
	sl_ports_stop(app);
	sl_neigh_free(app->neigh);
	rte_mempool_free(app->pool);
	rte_free(app->svc.qsv);
out_eal:
	rte_eal_cleanup();
out_cfg:
	sl_config_free(app->live_cfg);
	sl_svc_ids_free(app->ids);
	sl_config_free(app->cfg);
	return status;
}
