/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_lcore.h>

#include "fuzz_common.h"

/*
 * Two ports with IPv4 and IPv6 addresses, fullnat local addresses of
 * both families, a gateway and routes; services in every mode: nat
 * (rr, wrr with a draining backend, lc), fullnat with Proxy Protocol v1
 * and v2, sh with persistence, dr, the three tunnels, and over IPv6
 * nat66, NAT64, fullnat, dr and tunnel. The inside port's MTU is lower
 * than the outside's, so dr and tunnel packets can be too big.
 */
const char sl_fuzz_ini[] =
	"[eal]\n"
	"lcores = 0-1\n"
	"[global]\n"
	"flow_capacity = 1024\n"
	"local_ports = 20000-20999\n"
	"timeout_tcp_close = 1\n"
	"[port.outside]\n"
	"device = net_null0\n"
	"address = 10.0.0.1/24\n"
	"address = 2001:db8::1/64\n"
	"gateway = 10.0.0.254\n"
	"gateway = fe80::1\n"
	"[port.inside]\n"
	"device = net_null1\n"
	"address = 10.1.0.1/24\n"
	"address = 2001:db8:1::1/64\n"
	"mtu = 1400\n"
	"route = 10.2.0.0/16 via 10.1.0.254\n"
	"route = 2001:db8:2::/48 via fe80::2\n"
	"local_address = 10.1.0.5-10.1.0.6\n"
	"local_address = 2001:db8:1::5\n"
	"[service.web]\n"
	"vip = 10.0.0.100\n"
	"port = 80\n"
	"protocol = tcp\n"
	"backend = 10.1.0.11:8080\n"
	"backend = 10.1.0.12:8080\n"
	"backend = 10.2.0.13:8080\n"
	"[service.dns]\n"
	"vip = 10.0.0.100\n"
	"port = 53\n"
	"protocol = udp\n"
	"scheduler = wrr\n"
	"backend = 10.1.0.11:5353 weight=3\n"
	"backend = 10.1.0.12:5353 id=dns-b\n"
	"backend = 10.1.0.13:5353 state=drain\n"
	"[service.lc]\n"
	"vip = 10.0.0.100\n"
	"port = 8000\n"
	"protocol = tcp\n"
	"scheduler = wlc\n"
	"synproxy = on\n"
	"backend = 10.1.0.11:8000 weight=2\n"
	"backend = 10.1.0.12:8000\n"
	"[service.full]\n"
	"vip = 10.0.0.100\n"
	"port = 443\n"
	"protocol = tcp\n"
	"mode = fullnat\n"
	"proxy_protocol = v2\n"
	"synproxy = auto\n"
	"synproxy_threshold = 2\n"
	"backend = 10.1.0.21:443\n"
	"backend = 10.1.0.22:443\n"
	"[service.fullv1]\n"
	"vip = 10.0.0.100\n"
	"port = 8443\n"
	"protocol = tcp\n"
	"mode = fullnat\n"
	"proxy_protocol = v1\n"
	"backend = 10.1.0.21:8443\n"
	"[service.fulludp]\n"
	"vip = 10.0.0.100\n"
	"port = 5000\n"
	"protocol = udp\n"
	"mode = fullnat\n"
	"backend = 10.1.0.21:5000\n"
	"backend = 10.1.0.22:5000\n"
	"[service.sh]\n"
	"vip = 10.0.0.101\n"
	"port = 80\n"
	"protocol = tcp\n"
	"scheduler = sh\n"
	"persistence = 60\n"
	"backend = 10.1.0.11:80\n"
	"backend = 10.1.0.12:80\n"
	"[service.dr]\n"
	"vip = 10.0.0.102\n"
	"port = 80\n"
	"protocol = tcp\n"
	"mode = dr\n"
	"scheduler = maglev\n"
	"maglev_table_size = 251\n"
	"backend = 10.1.0.31:80\n"
	"backend = 10.1.0.32:80\n"
	"[service.ipip]\n"
	"vip = 10.0.0.103\n"
	"port = 80\n"
	"protocol = tcp\n"
	"mode = tunnel\n"
	"encap = ipip\n"
	"backend = 10.1.0.31:80\n"
	"backend = 10.2.0.32:80\n"
	"[service.gre]\n"
	"vip = 10.0.0.104\n"
	"port = 53\n"
	"protocol = udp\n"
	"mode = tunnel\n"
	"encap = gre\n"
	"backend = 10.1.0.33:53\n"
	"[service.gue]\n"
	"vip = 10.0.0.105\n"
	"port = 80\n"
	"protocol = tcp\n"
	"mode = tunnel\n"
	"encap = gue\n"
	"scheduler = maglev\n"
	"maglev_table_size = 251\n"
	"hash = source\n"
	"backend = 10.1.0.34:80\n"
	"backend = 10.1.0.35:80\n"
	"[service.web6]\n"
	"vip = 2001:db8::100\n"
	"port = 80\n"
	"protocol = tcp\n"
	"backend = [2001:db8:1::11]:8080\n"
	"backend = [2001:db8:2::12]:8080\n"
	"[service.dns6]\n"
	"vip = 2001:db8::100\n"
	"port = 53\n"
	"protocol = udp\n"
	"backend = [2001:db8:1::11]:5353\n"
	"[service.nat64]\n"
	"vip = 2001:db8::100\n"
	"port = 443\n"
	"protocol = tcp\n"
	"mode = fullnat\n"
	"backend = 10.1.0.21:443\n"
	"backend = 10.1.0.22:443\n"
	"[service.full6]\n"
	"vip = 2001:db8::100\n"
	"port = 8443\n"
	"protocol = tcp\n"
	"mode = fullnat\n"
	"backend = [2001:db8:1::21]:8443\n"
	"[service.dr6]\n"
	"vip = 2001:db8::200\n"
	"port = 80\n"
	"protocol = tcp\n"
	"mode = dr\n"
	"scheduler = maglev\n"
	"maglev_table_size = 251\n"
	"backend = [2001:db8:1::31]:80\n"
	"backend = [2001:db8:1::32]:80\n"
	"[service.tun6]\n"
	"vip = 2001:db8::300\n"
	"port = 80\n"
	"protocol = tcp\n"
	"mode = tunnel\n"
	"backend = [2001:db8:1::33]:80\n";

void
sl_fuzz_fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "fuzz: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	abort();
}

const char *
sl_fuzz_tmpdir(void)
{
	const char *t = getenv("TMPDIR");

	return t != NULL && t[0] == '/' && strlen(t) < 32 ? t : "/tmp";
}

void
sl_fuzz_eal_init(const char *name)
{
	char fp[64];
	char *argv[] = { "fuzz", "--no-pci", "--no-huge", "-m", "512",
			 "--log-level", "*:critical", "--no-shconf", "--no-telemetry",
			 "--file-prefix", fp, "--lcores", "0", NULL };
	int argc = (int)(sizeof(argv) / sizeof(argv[0])) - 1;

	/* a prefix of its own: several runs (and the unit suites) at once */
	snprintf(fp, sizeof(fp), "slfuzz-%s-%d", name, (int)getpid());
	if (rte_eal_init(argc, argv) < 0) {
		fprintf(stderr, "fuzz: EAL init failed for %s\n", name);
		exit(2);
	}
}

void
sl_fuzz_app_init(struct sl_fuzz_app *fa)
{
	struct sl_app *app = &sl_app;
	char err[256];
	unsigned i;
	FILE *f;
	int fd;

	if (sl_fwdfix_init(&fa->fx, sl_fuzz_ini, "fuzz.ini", 256, err, sizeof(err)) != 0)
		sl_fuzz_fail("fixture: %s", err);
	fa->app = app;
	fa->pool_size = rte_mempool_avail_count(fa->fx.pool);
	snprintf(fa->ini_path, sizeof(fa->ini_path), "%s/slfuzz-%d-XXXXXX", sl_fuzz_tmpdir(),
		 (int)getpid());
	fd = mkstemp(fa->ini_path);
	f = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (f == NULL || fputs(sl_fuzz_ini, f) < 0 || fclose(f) != 0)
		sl_fuzz_fail("cannot write %s", fa->ini_path);

	app->cfg = fa->fx.cfg;
	app->config_path = fa->ini_path;
	app->n_workers = 1;
	app->n_ports = 2;
	memcpy(app->hw, fa->fx.hw, sizeof(app->hw));
	memcpy(app->port_index, fa->fx.port_index, sizeof(app->port_index));
	for (i = 0; i < SL_MAX_PORTS; i++)
		app->tap[i] = -1;
	app->pool = fa->fx.pool;
	app->neigh = fa->fx.env.neigh;
	app->workers[0] = fa->fx.w;
	app->hz = rte_get_tsc_hz();
	app->start_tsc = rte_rdtsc();
	app->ids = fa->fx.ids;
	/* the live configuration is a copy (commands replace it) */
	app->live_cfg = sl_config_parse_string(sl_fuzz_ini, "fuzz.ini", err, sizeof(err));
	if (app->live_cfg == NULL)
		sl_fuzz_fail("live configuration: %s", err);
	/* what the workers share is the application's, as in sluice: the
	 * capture filter set by commands reaches the worker */
	app->fwd = fa->fx.env;
	app->fwd.lport_lo = app->cfg->global.local_port_lo;
	app->fwd.lport_hi = app->cfg->global.local_port_hi;
	fa->fx.w->env = &app->fwd;
	app->svc.qsv = NULL;
	sl_svc_publish(&app->svc, fa->fx.snap);
	fa->fx.snap = NULL;
}

void
sl_fuzz_app_settle(struct sl_fuzz_app *fa)
{
	struct sl_app *app = fa->app;
	struct sl_worker *w = fa->fx.w;
	struct rte_mbuf *pkts[SL_BURST];
	unsigned n, i, avail;

	/* the worker sends what the management lcore built, as its loop does */
	while ((n = rte_ring_sc_dequeue_burst(w->from_mgmt, (void **)pkts, SL_BURST, NULL)) > 0)
		sl_fwd_send(w, pkts, n);
	sl_fwd_flush(w);
	sl_fwdfix_drain(&fa->fx);
	while ((n = rte_ring_sc_dequeue_burst(w->cap_ring, (void **)pkts, SL_BURST, NULL)) > 0)
		for (i = 0; i < n; i++)
			rte_pktmbuf_free(pkts[i]);
	while ((n = rte_ring_sc_dequeue_burst(w->to_mgmt, (void **)pkts, SL_BURST, NULL)) > 0)
		for (i = 0; i < n; i++)
			rte_pktmbuf_free(pkts[i]);
	/* packets waiting for a next hop */
	for (i = 0; i < app->neigh->count; i++)
		while ((n = sl_neigh_take_held(app->neigh, i, pkts, SL_BURST)) > 0)
			while (n > 0)
				rte_pktmbuf_free(pkts[--n]);
	avail = rte_mempool_avail_count(fa->fx.pool);
	if (avail != fa->pool_size)
		sl_fuzz_fail("%u mbufs not back in the pool after the input", fa->pool_size - avail);
}
