/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Anycast VIPs announced by BIRD ([bgp]). Sluice never speaks BGP: it
 * decides which VIPs should be announced, writes them as static routes
 * to the file BIRD's configuration includes, and asks BIRD to re-read
 * its configuration through BIRD's control socket, as "birdc configure"
 * would. BIRD peers with the router over Sluice's kernel interface, so
 * when Sluice dies its session (and BFD) goes down with it.
 *
 * A VIP is wanted while Sluice forwards (no drain-instance, no stop) and
 * at least one of its services has a usable backend (up, not drained:
 * a non-zero weight in the snapshot). At start the announcement waits
 * until the first health checks have had their interval, so a VIP
 * whose backends are all down is never announced for a moment.
 *
 * The management loop evaluates the set every few milliseconds; when it
 * differs from what BIRD last accepted, and no reconfiguration is in
 * flight, and the last one began at least MIN_GAP_MS ago, the file is
 * rewritten (a temporary file renamed over it) and "configure" sent.
 * Health flips within the gap therefore coalesce into one reconfigure.
 * The socket is non-blocking and polled from the loop; an answer that
 * does not come within TIMEOUT_MS counts as a failure. A failure is
 * retried after RETRY_MS: BIRD's state is then unknown.
 *
 * drain-instance (and SIGTERM with withdraw_on_sigterm = yes) withdraws
 * every VIP at once (no gap), then keeps forwarding for `grace` seconds
 * counted from BIRD's answer (or its failure), then stops Sluice. A
 * clean stop that did not drain withdraws synchronously, bounded by
 * STOP_TIMEOUT_MS, before the ports go.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <rte_cycles.h>

#include "sluice.h"
#include "cmd.h"

#define MIN_GAP_MS      200    /* at most one reconfigure per this */
#define TIMEOUT_MS      5000   /* BIRD's answer to configure */
#define RETRY_MS        1000   /* after a failed reconfigure */
#define EVAL_MS         10     /* how often the wanted set is computed */
#define STOP_TIMEOUT_MS 1000   /* the synchronous withdraw at stop */

enum bgp_mode { BGP_RUNNING, BGP_DRAINING, BGP_STOPPING };

struct bgp_addr {
	uint8_t v6;
	rte_be32_t a4;
	struct sl_in6 a6;
};

struct bgp_set {
	unsigned n;
	struct bgp_addr a[SL_MAX_SERVICES];
};

/* One VIP as the last evaluation saw it. */
struct bgp_vip {
	struct bgp_addr addr;
	uint16_t n_svc;      /* its services */
	uint16_t n_usable;   /* ... with a usable backend */
	uint8_t want;
};

static struct {
	int on;
	const struct sl_config_bgp *cfg;
	enum bgp_mode mode;
	uint64_t hold_until;     /* TSC: no announcement before (first checks) */
	uint64_t grace_end;      /* TSC: drain's end, 0 = not yet counting */
	uint64_t next_eval;
	struct bgp_vip vips[SL_MAX_SERVICES];
	unsigned n_vips;
	/*
	 * confirmed: the set of the last file BIRD accepted, what it
	 * announces (a configure BIRD refuses leaves its configuration as
	 * it was). confirmed_ok: no reconfigure failed since, so nothing
	 * needs doing while want equals confirmed.
	 */
	struct bgp_set want, written, confirmed;
	int confirmed_ok;
	/* the reconfigure in flight */
	int fd;                  /* -1 = none */
	char rbuf[2048];
	size_t rlen;
	uint64_t started, deadline;
	uint64_t last_start, retry_at;
	/* the last result */
	char result[200];
	int result_ok;           /* -1 = none yet */
	uint64_t result_tsc;
	uint32_t took_ms;
	uint64_t n_ok, n_fail;
} bgp = { .fd = -1, .result_ok = -1 };

static uint64_t
ms_tsc(uint64_t ms)
{
	return rte_get_tsc_hz() / 1000 * ms;
}

static int
addr_eq(const struct bgp_addr *a, const struct bgp_addr *b)
{
	return a->v6 == b->v6 && (a->v6 ? sl_in6_eq(&a->a6, &b->a6) : a->a4 == b->a4);
}

static int
set_has(const struct bgp_set *s, const struct bgp_addr *a)
{
	unsigned i;

	for (i = 0; i < s->n; i++)
		if (addr_eq(&s->a[i], a))
			return 1;
	return 0;
}

static int
set_eq(const struct bgp_set *a, const struct bgp_set *b)
{
	unsigned i;

	if (a->n != b->n)
		return 0;
	for (i = 0; i < a->n; i++)
		if (!set_has(b, &a->a[i]))
			return 0;
	return 1;
}

static const char *
addr_str(const struct bgp_addr *a, char *buf, size_t len)
{
	if (a->v6)
		inet_ntop(AF_INET6, &a->a6, buf, (socklen_t)len);
	else
		inet_ntop(AF_INET, &a->a4, buf, (socklen_t)len);
	return buf;
}

/* Why a VIP is (not) wanted. */
static const char *
vip_why(const struct bgp_vip *v)
{
	if (bgp.mode == BGP_DRAINING)
		return "draining";
	if (bgp.mode == BGP_STOPPING)
		return "stopping";
	if (v->n_usable == 0)
		return "no usable backend";
	if (rte_rdtsc() < bgp.hold_until)
		return "starting (first health checks)";
	return "announced";
}

/* Every VIP of the current snapshot, and the set to announce. */
static void
evaluate(struct sl_app *app)
{
	const struct sl_snapshot *s = sl_svc_current(&app->svc);
	int forwarding = bgp.mode == BGP_RUNNING && rte_rdtsc() >= bgp.hold_until;
	unsigned i, j;

	bgp.n_vips = 0;
	bgp.want.n = 0;
	for (i = 0; i < s->n_services; i++) {
		const struct sl_service *sv = &s->services[i];
		struct bgp_addr a = { .v6 = sv->v6 };
		struct bgp_vip *v = NULL;
		unsigned usable = 0;

		if (!sv->used || sv->leaving)
			continue;
		if (sv->v6)
			a.a6 = sv->vip6;
		else
			a.a4 = sv->vip;
		for (j = 0; j < bgp.n_vips; j++)
			if (addr_eq(&bgp.vips[j].addr, &a))
				v = &bgp.vips[j];
		if (v == NULL) {
			v = &bgp.vips[bgp.n_vips++];
			memset(v, 0, sizeof(*v));
			v->addr = a;
		}
		for (j = 0; j < sv->n_backends && usable == 0; j++)
			usable += sv->ss.weight[j] != 0;
		v->n_svc++;
		v->n_usable += usable != 0;
	}
	for (i = 0; i < bgp.n_vips; i++) {
		struct bgp_vip *v = &bgp.vips[i];

		v->want = forwarding && v->n_usable > 0;
		if (v->want)
			bgp.want.a[bgp.want.n++] = v->addr;
	}
}

/* Write @p s to the include file: a temporary file renamed over it, so
 * BIRD never reads half of one. 0, or -errno with the reason in @p err. */
static int
write_include(const struct bgp_set *s, char *err, size_t errlen)
{
	char tmp[sizeof(bgp.cfg->include) + 8], a[INET6_ADDRSTRLEN];
	unsigned fam, i;
	FILE *f;
	int bad;

	snprintf(tmp, sizeof(tmp), "%s.tmp", bgp.cfg->include);
	f = fopen(tmp, "w");
	if (f == NULL) {
		snprintf(err, errlen, "cannot write %s: %s", tmp, strerror(errno));
		return -errno;
	}
	fprintf(f, "# Written by Sluice: the VIPs it announces now. Sluice rewrites this\n"
		"# file and asks BIRD to re-read its configuration when they change.\n");
	for (fam = 0; fam < 2; fam++) {
		fprintf(f, "\nprotocol static sluice_vip%c {\n\t%s;\n", fam ? '6' : '4',
			fam ? "ipv6" : "ipv4");
		for (i = 0; i < s->n; i++)
			if (s->a[i].v6 == fam)
				fprintf(f, "\troute %s/%u blackhole;\n",
					addr_str(&s->a[i], a, sizeof(a)), fam ? 128u : 32u);
		fprintf(f, "}\n");
	}
	bad = ferror(f);
	if (fclose(f) != 0 || bad) {
		snprintf(err, errlen, "cannot write %s", tmp);
		unlink(tmp);
		return -EIO;
	}
	if (rename(tmp, bgp.cfg->include) != 0) {
		int e = errno;

		snprintf(err, errlen, "cannot rename %.260s over %.260s: %s", tmp, bgp.cfg->include,
			 strerror(e));
		unlink(tmp);
		return -e;
	}
	return 0;
}

/* The outcome of a reconfigure (or of the attempt to start one). */
static void
finish(int ok, const char *what)
{
	uint64_t now = rte_rdtsc();
	int changed = bgp.result_ok != ok || strcmp(bgp.result, what) != 0;

	if (bgp.fd >= 0) {
		close(bgp.fd);
		bgp.fd = -1;
	}
	snprintf(bgp.result, sizeof(bgp.result), "%s", what);
	bgp.result_ok = ok;
	bgp.result_tsc = now;
	bgp.took_ms = (uint32_t)((now - bgp.started) * 1000 / rte_get_tsc_hz());
	if (ok) {
		bgp.n_ok++;
		bgp.confirmed = bgp.written;
		bgp.confirmed_ok = 1;
		bgp.retry_at = 0;
	} else {
		bgp.n_fail++;
		bgp.confirmed_ok = 0;
		bgp.retry_at = now + ms_tsc(RETRY_MS);
	}
	/* a retry that fails the same way says nothing new */
	if (ok)
		SL_LOG(INFO, "bgp: reconfigure done: %s (%u VIP(s) in %s)",
		       what, bgp.written.n, bgp.cfg->include);
	else if (changed)
		SL_LOG(WARNING, "bgp: reconfigure failed: %s (%u VIP(s) in %s; retried every %u ms)",
		       what, bgp.written.n, bgp.cfg->include, RETRY_MS);
	/* draining: the grace counts from BIRD's answer, whatever it was */
	if (bgp.mode != BGP_RUNNING && bgp.grace_end == 0 && bgp.written.n == 0) {
		bgp.grace_end = now + ms_tsc(1000ull * bgp.cfg->grace_s);
		SL_LOG(NOTICE, "bgp: every VIP withdrawn%s; forwarding %u s more, then stopping",
		       ok ? "" : " (BIRD did not confirm)", bgp.cfg->grace_s);
	}
}

/* Write the wanted set and send "configure". */
static void
start_reconfigure(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	static const char cmd[] = "configure\n";
	char err[700];
	int fd;

	bgp.started = rte_rdtsc();
	bgp.last_start = bgp.started;
	bgp.written = bgp.want;
	if (write_include(&bgp.written, err, sizeof(err)) != 0) {
		finish(0, err);
		return;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, sizeof(err), "socket: %s", strerror(errno));
		finish(0, err);
		return;
	}
	bgp.fd = fd;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", bgp.cfg->control);
	/* a Unix socket connects at once or not at all */
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		snprintf(err, sizeof(err), "cannot reach BIRD at %s: %s", bgp.cfg->control,
			 strerror(errno));
		finish(0, err);
		return;
	}
	/* BIRD reads commands after its greeting: the command may go first */
	if (send(fd, cmd, sizeof(cmd) - 1, MSG_NOSIGNAL) != (ssize_t)(sizeof(cmd) - 1)) {
		snprintf(err, sizeof(err), "cannot send to BIRD at %s: %s", bgp.cfg->control,
			 strerror(errno));
		finish(0, err);
		return;
	}
	bgp.rlen = 0;
	bgp.deadline = bgp.started + ms_tsc(TIMEOUT_MS);
}

/*
 * BIRD's answer: lines "DDDD-text" (more follow), "DDDD text" (the last
 * of a reply) or " text" (a continuation). The greeting (0001) comes
 * first; configure answers 0002-... then 0003 Reconfigured, 0004 (in
 * progress) or 0005 (queued) when it took the file, another code
 * (8002: the file's error, 0006: shutting down) when it did not.
 * Returns 1 once the answer is complete.
 */
static int
parse_reply(void)
{
	char *line = bgp.rbuf, *nl;

	while ((nl = memchr(line, '\n', bgp.rlen - (size_t)(line - bgp.rbuf))) != NULL) {
		*nl = '\0';
		if (strlen(line) >= 5 && line[4] == ' ' &&
		    strspn(line, "0123456789") == 4 && strncmp(line, "0001", 4) != 0) {
			int ok = strncmp(line, "0003", 4) == 0 || strncmp(line, "0004", 4) == 0 ||
				 strncmp(line, "0005", 4) == 0;

			finish(ok, line);
			return 1;
		}
		line = nl + 1;
	}
	/* keep the unfinished line */
	bgp.rlen -= (size_t)(line - bgp.rbuf);
	memmove(bgp.rbuf, line, bgp.rlen);
	return 0;
}

static void
poll_reconfigure(void)
{
	ssize_t n;

	for (;;) {
		if (bgp.rlen >= sizeof(bgp.rbuf) - 1) {
			finish(0, "BIRD's answer too long");
			return;
		}
		n = recv(bgp.fd, bgp.rbuf + bgp.rlen, sizeof(bgp.rbuf) - 1 - bgp.rlen, 0);
		if (n > 0) {
			bgp.rlen += (size_t)n;
			if (parse_reply())
				return;
			continue;
		}
		if (n == 0) {
			finish(0, "BIRD closed the control connection without an answer");
			return;
		}
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK) {
			char err[200];

			snprintf(err, sizeof(err), "control socket: %s", strerror(errno));
			finish(0, err);
			return;
		}
		break;
	}
	if (rte_rdtsc() >= bgp.deadline)
		finish(0, "no answer from BIRD within 5 s");
}

int
sl_bgp_init(struct sl_app *app)
{
	const struct sl_config *cfg = app->cfg;
	uint32_t hold_ms = 0;
	struct stat st;
	char err[700];
	unsigned i;

	if (cfg->bgp.line == 0)
		return 0;
	/* a socket that is not there yet is fine (BIRD may start later);
	 * a program is a mistake worth stopping for */
	if (stat(cfg->bgp.control, &st) == 0 && !S_ISSOCK(st.st_mode)) {
		SL_LOG(ERR, "%s:%d: [bgp] control %s is not a socket (expected BIRD's control socket: bird -s PATH, what birdc -s talks to; Debian: /run/bird/bird.ctl)",
		       cfg->path, cfg->bgp.line, cfg->bgp.control);
		return -EINVAL;
	}
	bgp.on = 1;
	bgp.cfg = &cfg->bgp;
	/* nothing announced until Sluice says so: a file a previous run
	 * left behind may still hold VIPs */
	bgp.written.n = 0;
	if (write_include(&bgp.written, err, sizeof(err)) != 0) {
		SL_LOG(ERR, "bgp: %s", err);
		return -EIO;
	}
	for (i = 0; i < cfg->n_services; i++) {
		const struct sl_config_service *s = &cfg->services[i];

		if (s->check.kind != SL_CHECK_NONE)
			hold_ms = RTE_MAX(hold_ms, s->check.interval_ms + s->check.timeout_ms);
	}
	bgp.hold_until = rte_rdtsc() + ms_tsc(hold_ms);
	if (cfg->bgp.withdraw_on_sigterm)
		__atomic_store_n(&app->term_drains, 1, __ATOMIC_RELAXED);
	SL_LOG(INFO, "bgp: VIPs for BIRD in %s, control socket %s", cfg->bgp.include,
	       cfg->bgp.control);
	return 0;
}

int
sl_bgp_drain(struct sl_app *app, int stopping)
{
	char msg[128];

	if (!bgp.on)
		return -ENOENT;
	if (bgp.mode != BGP_RUNNING)
		return -EALREADY;
	bgp.mode = stopping ? BGP_STOPPING : BGP_DRAINING;
	SL_LOG(NOTICE, "bgp: %s: withdrawing every VIP, then %u s of forwarding",
	       stopping ? "SIGTERM" : "drain-instance", bgp.cfg->grace_s);
	/* the service manager learns now that this instance is on its way out */
	snprintf(msg, sizeof(msg), "STOPPING=1\nSTATUS=draining: VIPs withdrawn, stopping %u s after BIRD's answer",
		 bgp.cfg->grace_s);
	sl_notify_send(msg);
	/* now, not at the next evaluation */
	bgp.next_eval = 0;
	return 0;
}

unsigned
sl_bgp_poll(struct sl_app *app)
{
	uint64_t now;

	if (__atomic_exchange_n(&app->term_drain_req, 0, __ATOMIC_RELAXED) &&
	    sl_bgp_drain(app, 1) == -EALREADY)
		/* a second SIGTERM: stop now */
		__atomic_store_n(&app->stop, 1, __ATOMIC_RELAXED);
	if (!bgp.on)
		return 0;
	if (bgp.fd >= 0)
		poll_reconfigure();
	now = rte_rdtsc();
	if (now >= bgp.next_eval) {
		evaluate(app);
		bgp.next_eval = now + ms_tsc(EVAL_MS);
	}
	if (bgp.fd < 0 && (!bgp.confirmed_ok || !set_eq(&bgp.want, &bgp.confirmed)) &&
	    now >= bgp.retry_at &&
	    (bgp.mode != BGP_RUNNING || now >= bgp.last_start + ms_tsc(MIN_GAP_MS)))
		start_reconfigure();
	if (bgp.grace_end != 0 && now >= bgp.grace_end) {
		SL_LOG(NOTICE, "bgp: grace over: stopping");
		__atomic_store_n(&app->stop, 1, __ATOMIC_RELAXED);
		bgp.grace_end = UINT64_MAX;
	}
	return 0;
}

/*
 * At a stop that did not drain (quit, SIGINT, SIGTERM with
 * withdraw_on_sigterm = no): withdraw every VIP before the ports go,
 * waiting at most STOP_TIMEOUT_MS for BIRD.
 */
void
sl_bgp_term(struct sl_app *app)
{
	uint64_t end;

	RTE_SET_USED(app);
	if (!bgp.on)
		return;
	if (bgp.fd >= 0 && bgp.written.n != 0)
		finish(0, "given up: Sluice stops");
	if (bgp.fd < 0 && bgp.confirmed_ok && bgp.confirmed.n == 0) {
		bgp.on = 0;
		return;
	}
	if (bgp.fd < 0) {
		if (bgp.mode == BGP_RUNNING)
			bgp.mode = BGP_STOPPING;
		bgp.want.n = 0;
		start_reconfigure();
	}
	end = rte_rdtsc() + ms_tsc(STOP_TIMEOUT_MS);
	while (bgp.fd >= 0) {
		struct pollfd p = { .fd = bgp.fd, .events = POLLIN };

		poll(&p, 1, 50);
		poll_reconfigure();
		if (bgp.fd >= 0 && rte_rdtsc() >= end)
			finish(0, "no answer from BIRD before the stop");
	}
	bgp.on = 0;
}

/* ---- show bgp ---- */

int
sl_bgp_show(struct sl_app *app, struct sl_out *o)
{
	uint64_t now = rte_rdtsc(), hz = rte_get_tsc_hz();
	const char *mode = bgp.mode == BGP_DRAINING ? "draining" :
			   bgp.mode == BGP_STOPPING ? "stopping" : "running";
	uint64_t grace_left = 0;
	char a[INET6_ADDRSTRLEN];
	unsigned i;

	if (!bgp.on) {
		sl_out_printf(o, "no [bgp] section: Sluice announces nothing");
		return -ENOENT;
	}
	evaluate(app);
	if (bgp.grace_end != 0 && bgp.grace_end != UINT64_MAX && bgp.grace_end > now)
		grace_left = (bgp.grace_end - now) * 1000 / hz;
	if (o->json) {
		sl_out_printf(o, "{\"daemon\":\"bird\",\"include\":");
		sl_out_jstr(o, bgp.cfg->include);
		sl_out_printf(o, ",\"control\":");
		sl_out_jstr(o, bgp.cfg->control);
		sl_out_printf(o, ",\"state\":\"%s\",\"grace\":%u,\"grace_left_ms\":%" PRIu64
			      ",\"reconfigures_ok\":%" PRIu64 ",\"reconfigures_failed\":%" PRIu64
			      ",\"in_flight\":%s,\"last\":",
			      mode, bgp.cfg->grace_s, grace_left, bgp.n_ok, bgp.n_fail,
			      bgp.fd >= 0 ? "true" : "false");
		if (bgp.result_ok < 0) {
			sl_out_printf(o, "null");
		} else {
			sl_out_printf(o, "{\"ok\":%s,\"answer\":", bgp.result_ok ? "true" : "false");
			sl_out_jstr(o, bgp.result);
			sl_out_printf(o, ",\"age_ms\":%" PRIu64 ",\"took_ms\":%u}",
				      (now - bgp.result_tsc) * 1000 / hz, bgp.took_ms);
		}
		sl_out_printf(o, ",\"vips\":[");
		for (i = 0; i < bgp.n_vips; i++) {
			const struct bgp_vip *v = &bgp.vips[i];
			int ann = set_has(&bgp.confirmed, &v->addr);

			sl_out_printf(o, "%s{\"vip\":\"%s\",\"announced\":%s,\"wanted\":%s,"
				      "\"pending\":%s,\"why\":\"%s\",\"services\":%u,\"usable\":%u}",
				      i ? "," : "", addr_str(&v->addr, a, sizeof(a)),
				      ann ? "true" : "false", v->want ? "true" : "false",
				      ann != v->want ? "true" : "false",
				      vip_why(v), v->n_svc, v->n_usable);
		}
		sl_out_printf(o, "]}");
		return 0;
	}
	sl_out_printf(o, "bgp: daemon bird, include %s, control %s\n", bgp.cfg->include,
		      bgp.cfg->control);
	if (bgp.mode == BGP_RUNNING)
		sl_out_printf(o, "instance: running\n");
	else if (bgp.grace_end == 0)
		sl_out_printf(o, "instance: %s (waiting for BIRD to withdraw, then %u s)\n",
			      mode, bgp.cfg->grace_s);
	else
		sl_out_printf(o, "instance: %s (stopping in %" PRIu64 " ms)\n", mode, grace_left);
	if (bgp.result_ok < 0)
		sl_out_printf(o, "last reconfigure: none yet%s\n", bgp.fd >= 0 ? " (one in flight)" : "");
	else
		sl_out_printf(o, "last reconfigure: %s: %s, %" PRIu64 " ms ago, took %u ms (%" PRIu64
			      " ok, %" PRIu64 " failed)%s\n", bgp.result_ok ? "ok" : "failed",
			      bgp.result, (now - bgp.result_tsc) * 1000 / hz, bgp.took_ms,
			      bgp.n_ok, bgp.n_fail, bgp.fd >= 0 ? "; one in flight" : "");
	for (i = 0; i < bgp.n_vips; i++) {
		const struct bgp_vip *v = &bgp.vips[i];
		int ann = set_has(&bgp.confirmed, &v->addr);
		const char *why = vip_why(v);

		if (ann && v->want)
			sl_out_printf(o, "vip %s announced", addr_str(&v->addr, a, sizeof(a)));
		else if (v->want)
			sl_out_printf(o, "vip %s not announced: reconfigure pending",
				      addr_str(&v->addr, a, sizeof(a)));
		else
			sl_out_printf(o, "vip %s %s: %s%s", addr_str(&v->addr, a, sizeof(a)),
				      ann ? "announced" : "not announced", why,
				      ann ? " (withdrawal pending)" : "");
		sl_out_printf(o, " (%u of %u services with a usable backend)\n",
			      v->n_usable, v->n_svc);
	}
	return 0;
}
