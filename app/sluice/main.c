/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sluice: start-up and shut-down. Reads the INI file before anything
 * else (a bad file exits before EAL or any port is touched), builds the
 * EAL command line from it, then brings up the modules of one ordered
 * table (pool, RCU, ports, workers, services, ..., console) and runs
 * their polls on the main lcore, the management loop, until SIGINT,
 * SIGTERM or quit; the modules go down in reverse order.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_cycles.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_random.h>
#include <rte_rcu_qsbr.h>

#include "sluice.h"
#include "cmd.h"
#include "sl_version.h"
#include "replay.h"

#define MAX_EAL_ARGS 128

/* Long options without a short form. */
enum { OPT_CHECK = 256, OPT_VERSION, OPT_REPLAY, OPT_OUT, OPT_EXPLAIN, OPT_PORT };

static void
usage(const char *prog)
{
	fprintf(stderr,
		"usage: %s -c FILE [-i]\n"
		"       %s [EAL options] -- -c FILE [-i]\n"
		"       %s --check -c FILE\n"
		"       %s --replay IN.pcap[@PORT] [--replay ...] -c FILE [--out OUT.pcap]\n"
		"             [--explain] [--port NAME]\n"
		"  -c, --config FILE   INI configuration (see config/sluice.ini)\n"
		"  -i, --interactive   console on stdin: help, TAB completion, history;\n"
		"                      quit or Ctrl-D stops Sluice\n"
		"      --check         check FILE and print the configuration it gives,\n"
		"                      defaults included, without starting; exit 0 if\n"
		"                      it is valid, 1 with FILE:LINE: reason if not\n"
		"      --replay IN.pcap[@PORT]\n"
		"                      run recorded frames through the packet path offline\n"
		"                      (no NIC, one worker, all backends up); frames of\n"
		"                      several files are merged by time; @PORT: they came\n"
		"                      in on that port (else the port whose subnet holds\n"
		"                      their source, or the one with a gateway)\n"
		"      --out OUT.pcap  with --replay: write the frames Sluice sent\n"
		"      --explain       with --replay: print what became of each frame and\n"
		"                      why (service, backend and how it was chosen,\n"
		"                      rewrite, or the drop reason)\n"
		"      --port NAME     with --replay: every frame came in on port NAME\n"
		"      --version       print the version and exit\n"
		"  -h, --help          this help\n"
		"EAL options come from the [eal] section of FILE; when given on the\n"
		"command line before '--' they replace that section. Ports are added\n"
		"to the EAL options from the [port.*] sections in both cases.\n",
		prog, prog, prog, prog);
}

/* "0.1.0 (git v0.1.0-4-g1a2b3c4-dirty)"; the version alone for a build
 * without git, whose SL_VERSION_VCS is the version. */
static const char *
version_text(void)
{
	static char buf[160];

	if (strcmp(SL_VERSION_VCS, SL_VERSION) == 0)
		return SL_VERSION;
	snprintf(buf, sizeof(buf), "%s (git %s)", SL_VERSION, SL_VERSION_VCS);
	return buf;
}

static void
on_signal(int sig)
{
	/* relaxed: flags the loops poll */
	if (sig == SIGHUP)
		__atomic_store_n(&sl_app.reload, 1, __ATOMIC_RELAXED);
	else if (sig == SIGTERM && __atomic_load_n(&sl_app.term_drains, __ATOMIC_RELAXED))
		/* [bgp] withdraw_on_sigterm: withdraw, grace, then stop */
		__atomic_store_n(&sl_app.term_drain_req, 1, __ATOMIC_RELAXED);
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

/* ---- modules: brought up in table order, taken down in reverse ---- */

static int
pool_init(struct sl_app *app)
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

static void
pool_term(struct sl_app *app)
{
	rte_mempool_free(app->pool);
	app->pool = NULL;
}

static int
rcu_init(struct sl_app *app)
{
	size_t sz = rte_rcu_qsbr_get_memsize(app->n_workers);

	app->svc.qsv = rte_zmalloc("sl_rcu", sz, RTE_CACHE_LINE_SIZE);
	if (app->svc.qsv == NULL)
		return -ENOMEM;
	return rte_rcu_qsbr_init(app->svc.qsv, app->n_workers);
}

static void
rcu_term(struct sl_app *app)
{
	rte_free(app->svc.qsv);
	app->svc.qsv = NULL;
}

static int
neigh_init(struct sl_app *app)
{
	app->neigh = sl_neigh_create(4096, (int)rte_socket_id());
	if (app->neigh == NULL) {
		SL_LOG(ERR, "cannot create the neighbour table: %s", rte_strerror(rte_errno));
		return -ENOMEM;
	}
	return 0;
}

static void
neigh_term(struct sl_app *app)
{
	sl_neigh_free(app->neigh);
	app->neigh = NULL;
}

/* A port that failed leaves the ones before it started: stop them. */
static int
ports_init(struct sl_app *app)
{
	int ret = sl_ports_init(app);

	if (ret != 0)
		sl_ports_stop(app);
	return ret;
}

/* Worker contexts, and what they share, once the ports are up. */
static int
workers_init(struct sl_app *app)
{
	struct sl_fwd_env *e = &app->fwd;
	unsigned i;
	int ret;

	e->neigh = app->neigh;
	e->port_index = app->port_index;
	for (i = 0; i < app->n_ports; i++) {
		e->port_id[i] = app->hw[i].port_id;
		e->vlan[i] = app->cfg->ports[i].vlan;
		e->mtu[i] = app->hw[i].mtu;
	}
	e->n_ports = app->n_ports;
	e->n_workers = app->n_workers;
	e->hz = app->hz;
	e->pool = app->pool;
	e->sp_rate = app->cfg->global.slowpath_rate;
	/* SYN cookies' secret: a restart makes the cookies in flight stale
	 * (their clients' ACKs are dropped and they connect again) */
	e->cookie_key[0] = rte_rand();
	e->cookie_key[1] = rte_rand();
	e->sp_burst = app->cfg->global.slowpath_burst;
	e->lport_lo = app->cfg->global.local_port_lo;
	e->lport_hi = app->cfg->global.local_port_hi;
	if (e->lport_hi - e->lport_lo + 1 > 2 * SL_CHECK_PORTS) {
		/* the top of the range is the health checks', not the workers' */
		app->check_port_hi = e->lport_hi;
		e->lport_hi = (uint16_t)(e->lport_hi - SL_CHECK_PORTS);
		app->check_port_lo = (uint16_t)(e->lport_hi + 1);
	}
	e->cap.svc = -1;
	e->cap.port = -1;
	ret = sl_workers_create(app);
	if (ret != 0) {
		SL_LOG(ERR, "cannot create worker state: %s", rte_strerror(-ret));
		sl_workers_free(app);
	}
	return ret;
}

static void
services_term(struct sl_app *app)
{
	/* no worker runs any more: the last snapshot goes at once */
	pthread_mutex_lock(&app->snap_lock);
	sl_svc_publish(&app->svc, NULL);
	pthread_mutex_unlock(&app->snap_lock);
	sl_config_free(app->live_cfg);
	app->live_cfg = NULL;
	sl_svc_ids_free(app->ids);
	app->ids = NULL;
}

/* Identities, the live configuration and the first snapshot. */
static int
services_init(struct sl_app *app)
{
	struct sl_svc_change chg;
	struct sl_snapshot *snap;
	char err[512];

	app->start_tsc = rte_rdtsc();
	app->ids = sl_svc_ids_create();
	app->live_cfg = sl_config_load(app->config_path, err, sizeof(err));
	if (app->ids == NULL || app->live_cfg == NULL) {
		SL_LOG(ERR, "%s: %s", app->config_path,
		       app->live_cfg == NULL ? err : "out of memory");
		services_term(app);
		return -EINVAL;
	}
	snap = sl_svc_rebuild(app->live_cfg, app->hw, app->neigh, app->n_workers,
			      app->ids, NULL, 0, &chg, err, sizeof(err));
	if (snap == NULL) {
		SL_LOG(ERR, "%s: %s", app->config_path, err);
		services_term(app);
		return -EINVAL;
	}
	sl_svc_publish(&app->svc, snap);
	sl_ports_kernel_locals(app, app->live_cfg);
	sl_ports_steer(app, app->live_cfg);
	return 0;
}

/* Stop the workers, wait for them, and print what they counted. */
static void
launch_term(struct sl_app *app)
{
	/* relaxed: a flag the loops poll */
	__atomic_store_n(&app->stop, 1, __ATOMIC_RELAXED);
	rte_eal_mp_wait_lcore();
	sl_mgmt_print_stats(app, stderr);
}

static int
launch_init(struct sl_app *app)
{
	unsigned i = 0, lcore;

	RTE_LCORE_FOREACH_WORKER(lcore) {
		if (rte_eal_remote_launch(sl_worker_main, app->workers[i], lcore) != 0) {
			SL_LOG(ERR, "cannot launch worker on lcore %u", lcore);
			launch_term(app);
			return -EBUSY;
		}
		i++;
	}
	return 0;
}

static int
mgmt_init(struct sl_app *app)
{
	return sl_mgmt_start(app);
}

static int
health_init(struct sl_app *app)
{
	sl_health_sync(app);
	return 0;
}

static unsigned
health_poll(struct sl_app *app)
{
	int flips = sl_health_poll(app);

	if (flips > 0)
		sl_mgmt_apply(app, app->live_cfg, "health");
	return flips > 0;
}

static void
health_term(struct sl_app *app)
{
	sl_health_stop();
}

/* Commands that wait for the workers (show flows): answered when done. */
static unsigned
commands_poll(struct sl_app *app)
{
	sl_cmd_poll(app);
	return 0;
}

static int
admin_init(struct sl_app *app)
{
	/* without the socket Sluice still forwards: say so and go on */
	if (sl_admin_open(app) != 0)
		SL_LOG(WARNING, "no admin socket: sluicectl will not reach this Sluice");
	return 0;
}

static unsigned
admin_poll(struct sl_app *app)
{
	sl_admin_poll(app);
	return 0;
}

static void
admin_term(struct sl_app *app)
{
	sl_admin_close();
}

static int
telemetry_init(struct sl_app *app)
{
	sl_telemetry_register();
	return 0;
}

/* Callbacks on the telemetry thread answer errors from here on: what
 * they read (snapshot, workers) is about to go. */
static void
telemetry_term(struct sl_app *app)
{
	sl_telemetry_stop(app);
}

static int
capture_init(struct sl_app *app)
{
	sl_capture_init(app);
	return 0;
}

static unsigned
capture_poll(struct sl_app *app)
{
	sl_capture_poll(app);
	return 0;
}

static void
capture_term(struct sl_app *app)
{
	sl_capture_stop(app);
}

/* The operator's word that Sluice is up: tests and scripts wait for it,
 * and so does the service manager (notify.c). */
static int
ready_init(struct sl_app *app)
{
	SL_LOG(INFO, "%u service(s), %u worker(s), %u port(s)",
	       sl_svc_current(&app->svc)->n_services, app->n_workers, app->n_ports);
	SL_LOG(NOTICE, "ready");
	sl_notify_open();
	sl_notify_ready(app, NULL);
	return 0;
}

/* The service manager's watchdog and status. */
static unsigned
ready_poll(struct sl_app *app)
{
	sl_notify_poll(app);
	return 0;
}

static void
ready_term(struct sl_app *app)
{
	SL_LOG(NOTICE, "stopping");
	sl_notify_stopping();
	sl_notify_close();
}

static int
console_init(struct sl_app *app)
{
	if (app->interactive && sl_console_start(app) != 0) {
		SL_LOG(ERR, "no console: stopping (-i was asked for)");
		return -EIO;
	}
	return 0;
}

static unsigned
console_poll(struct sl_app *app)
{
	if (app->interactive)
		sl_console_poll(app);
	return 0;
}

static void
console_term(struct sl_app *app)
{
	sl_console_stop();
}

/*
 * Every part of the process in start-up order. init returns 0 or -errno
 * and leaves nothing behind when it fails; poll runs on every management
 * round while Sluice runs and returns the work it found (0 lets the
 * round sleep); term undoes init, and runs in reverse order for every
 * module whose init succeeded.
 */
static const struct sl_module {
	const char *name;
	int (*init)(struct sl_app *app);
	unsigned (*poll)(struct sl_app *app);
	void (*term)(struct sl_app *app);
} modules[] = {
	{ "mempool",    pool_init,      NULL,           pool_term },
	{ "rcu",        rcu_init,       NULL,           rcu_term },
	{ "capture",    capture_init,   capture_poll,   capture_term },
	{ "neighbours", neigh_init,     NULL,           neigh_term },
	{ "ports",      ports_init,     NULL,           sl_ports_stop },
	{ "workers",    workers_init,   NULL,           sl_workers_free },
	{ "services",   services_init,  NULL,           services_term },
	{ "launch",     launch_init,    NULL,           launch_term },
	{ "management", mgmt_init,      sl_mgmt_poll,   NULL },
	{ "health",     health_init,    health_poll,    health_term },
	{ "bgp",        sl_bgp_init,    sl_bgp_poll,    sl_bgp_term },
	{ "commands",   NULL,           commands_poll,  NULL },
	{ "admin",      admin_init,     admin_poll,     admin_term },
	{ "telemetry",  telemetry_init, NULL,           telemetry_term },
	{ "ready",      ready_init,     ready_poll,     ready_term },
	{ "console",    console_init,   console_poll,   console_term },
};

/* Bring modules up in order until one fails. Returns how many are up
 * (all of them on success): modules_down() takes exactly those down. */
static unsigned
modules_up(struct sl_app *app)
{
	unsigned i;
	int ret;

	for (i = 0; i < RTE_DIM(modules); i++) {
		ret = modules[i].init != NULL ? modules[i].init(app) : 0;
		if (ret != 0) {
			SL_LOG(ERR, "start-up failed in %s: %s", modules[i].name,
			       rte_strerror(ret < 0 ? -ret : ret));
			break;
		}
	}
	return i;
}

static void
modules_down(struct sl_app *app, unsigned up)
{
	while (up-- > 0)
		if (modules[up].term != NULL)
			modules[up].term(app);
}

/*
 * The management lcore's loop: every module's poll, and a sleep when a
 * round found nothing to do: MGMT_NAP, or MGMT_DOZE once MGMT_DOZE_AFTER
 * rounds in a row found nothing (about 0.1 s), until one finds work
 * again. A sleep's wake-up costs about the same CPU whatever its length
 * (some 40 us on a VM, where the timer exits to the hypervisor), so an
 * idle management lcore costs a quarter of what 1 ms rounds would; the
 * first slow-path frame after an idle spell (a packet waiting for ARP,
 * the kernel's own) waits up to MGMT_DOZE. The slow-path budget's rate
 * (slowpath_rate, 10 000/s per port and class) adds 40 frames per port
 * and class to a worker's ring (1024) in 4 ms, but its burst
 * (slowpath_burst) can fill the ring after an idle spell with 1 ms naps
 * too; what does not fit is dropped and counted (slowpath_full).
 */
#define MGMT_NAP_NS      (1000 * 1000)
#define MGMT_DOZE_NS     (4 * 1000 * 1000)
#define MGMT_DOZE_AFTER  100

static void
modules_run(struct sl_app *app)
{
	const struct timespec nap = { .tv_sec = 0, .tv_nsec = MGMT_NAP_NS };
	const struct timespec doze = { .tv_sec = 0, .tv_nsec = MGMT_DOZE_NS };
	unsigned i, work, idle = 0;

	while (!sl_stopping(app)) {
		work = 0;
		for (i = 0; i < RTE_DIM(modules); i++)
			if (modules[i].poll != NULL)
				work += modules[i].poll(app);
		if (work != 0) {
			idle = 0;
			continue;
		}
		if (idle < MGMT_DOZE_AFTER)
			idle++;
		nanosleep(idle < MGMT_DOZE_AFTER ? &nap : &doze, NULL);
	}
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ "interactive", no_argument, NULL, 'i' },
		{ "check", no_argument, NULL, OPT_CHECK },
		{ "version", no_argument, NULL, OPT_VERSION },
		{ "replay", required_argument, NULL, OPT_REPLAY },
		{ "out", required_argument, NULL, OPT_OUT },
		{ "explain", no_argument, NULL, OPT_EXPLAIN },
		{ "port", required_argument, NULL, OPT_PORT },
		{ NULL, 0, NULL, 0 },
	};
	struct sl_replay_opts ro = { .port = -1 };
	const char *replay_port = NULL;
	struct sl_app *app = &sl_app;
	char *eal_argv[MAX_EAL_ARGS];
	char eal_args_copy[SL_EAL_ARGS_MAX];
	char vdev_store[SL_MAX_PORTS * (SL_DEVICE_MAX + 16)];
	char err[512];
	int dashdash = -1, eal_argc = 0, opt, i, ret, status = EXIT_FAILURE, check = 0;
	const char *config = NULL;
	unsigned up;

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
			case OPT_CHECK:
				check = 1;
				break;
			case OPT_VERSION:
				printf("sluice %s\n", version_text());
				return EXIT_SUCCESS;
			case OPT_REPLAY:
				if (ro.n_inputs == SL_REPLAY_INPUTS) {
					fprintf(stderr, "sluice: at most %d --replay files\n",
						SL_REPLAY_INPUTS);
					return EXIT_FAILURE;
				}
				ro.inputs[ro.n_inputs++] = optarg;
				break;
			case OPT_OUT:
				ro.out = optarg;
				break;
			case OPT_EXPLAIN:
				ro.explain = 1;
				break;
			case OPT_PORT:
				replay_port = optarg;
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
	if ((ro.out != NULL || ro.explain || replay_port != NULL) && ro.n_inputs == 0) {
		fprintf(stderr, "sluice: --out, --explain and --port go with --replay\n");
		sl_config_free(app->cfg);
		return EXIT_FAILURE;
	}
	if (ro.n_inputs != 0) {
		for (i = 0; replay_port != NULL && i < (int)app->cfg->n_ports; i++)
			if (strcmp(app->cfg->ports[i].name, replay_port) == 0)
				ro.port = i;
		if (replay_port != NULL && ro.port < 0) {
			fprintf(stderr, "sluice: --port %s: no such port in %s\n", replay_port, config);
			ret = EXIT_FAILURE;
		} else {
			ret = sl_replay(argv[0], app->cfg, &ro);
		}
		sl_config_free(app->cfg);
		return ret;
	}
	if (check) {
		/* valid: print what it resolves to, before EAL is touched */
		ret = sl_config_print(app->cfg, stdout);
		sl_config_free(app->cfg);
		if (ret != 0)
			fprintf(stderr, "sluice: cannot write the configuration: %s\n",
				strerror(-ret));
		return ret == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
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
	SL_LOG(NOTICE, "sluice %s starting with %s", version_text(), config);
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

	up = modules_up(app);
	if (up == RTE_DIM(modules)) {
		modules_run(app);
		status = EXIT_SUCCESS;
	}
	modules_down(app, up);
out_eal:
	rte_eal_cleanup();
out_cfg:
	sl_config_free(app->cfg);
	return status;
}
