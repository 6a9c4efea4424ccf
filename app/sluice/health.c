/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Health checks, run by the management lcore with non-blocking kernel
 * sockets. They leave through the exception path (the kernel interface
 * of the port that reaches the backend), so the kernel's TCP stack does
 * the connecting. One check per backend at a time; every management
 * round polls the open sockets without waiting. A verdict that flips a
 * backend (sl_health_record: fall failures out, rise successes back)
 * marks it in the identities and rebuilds the snapshot: a backend that
 * is down takes no new connections; its established ones carry on.
 * Every verdict counts, also one reached inside hc_start() (socket,
 * connect or send refused at once), and every flip reaches the caller.
 *
 * Sockets are file descriptors, and Sluice may check up to
 * SL_MAX_BACKENDS backends. At its first sync the module raises the
 * soft RLIMIT_NOFILE towards the hard one (EAL usually has already) and
 * takes as its budget half of the descriptors then free
 * (sl_health_fd_budget). A check that is due while the budget is spent
 * waits in a first-come first-served line (sl_health_fifo) and starts
 * when a socket closes; its timeout runs from its own start, so the
 * wait is neither a failure nor part of the check's time. Should
 * socket() still fail for want of descriptors or memory, that is
 * Sluice's shortage, not the backend's: the check goes back to the
 * head of the line, no new socket is tried for SHORT_RETRY_MS, and the
 * event is counted and logged at most once per SHORT_LOG_S.
 *
 * A backend of a dr or tunnel service holds the VIP and is checked the
 * way clients reach it (unless check_target = backend), over IPv4 and
 * IPv6 alike: the socket connects to the backend's own address, from a
 * source port of its own (bound before connect, so no other socket
 * shares it), which the management lcore recognises in the frames the
 * kernel sends (sl_health_vip_slot): it addresses them to the VIP and
 * sends them to the backend as the workers send a client's,
 * encapsulated or by MAC address. The backend answers from the VIP; the
 * management lcore gives the answer the backend's address back before
 * the kernel sees it. A backend whose VIP or decapsulation is broken
 * fails its checks.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include <rte_cycles.h>

#include "sluice.h"
#include "sl_health.h"

/* after socket() failed for want of descriptors: pause, log at most */
#define SHORT_RETRY_MS 100
#define SHORT_LOG_S    10
/* a check through a VIP: how long its port still passes once closed */
#define VIP_CLOSE_MS   1000

/* HC_WAITING: due, in the line for a socket (not yet timed) */
enum { HC_IDLE, HC_WAITING, HC_CONNECTING, HC_READING };

struct hc {
	uint8_t active;
	uint8_t phase;
	uint16_t slot;
	uint32_t gen;
	int fd;
	uint64_t next;          /* TSC: start of the next check */
	uint64_t deadline;      /* TSC: the running check times out */
	struct sockaddr_in dst;
	struct sockaddr_in6 dst6;    /* an IPv6 backend's (v6 set) */
	uint8_t v6;
	struct sockaddr_in src;  /* fullnat: the local address it leaves
				  * from; sin_addr 0 = the kernel's choice */
	uint8_t via_vip;         /* dr/tunnel: checked through the VIP */
	uint16_t vip_sport;      /* its source port then (host order), 0 = none */
	uint16_t old_sport;      /* the last one closed, whose frames still */
	uint64_t old_until;      /* pass until this TSC (see hc_close()) */
	struct sl_config_check ck;
	char svc[SL_NAME_MAX];
	char host[SL_CHECK_STR_MAX];
	struct sl_health_state st;
	size_t got;
	char buf[512];
};

static struct hc hcs[SL_MAX_BACKENDS];
/* 1 + the highest slot with a check: the management lcore's every round
 * scans up to here, not over all SL_MAX_BACKENDS checks (1400 bytes each,
 * 5.5 MiB: the scan was a quarter of an idle management lcore's time) */
static unsigned hcs_end;

/* source port (host order) -> slot + 1 of the backend a check through
 * the VIP is for; 0 = none */
static uint16_t vip_sport[65536];

_Static_assert(SL_MAX_BACKENDS <= SL_HEALTH_MAX, "a check per backend slot");

static struct sl_health_fifo waitq;     /* due checks without a socket */
static int limits_set;                  /* budget computed */
static unsigned budget;                 /* sockets checks may hold at once */
static unsigned in_flight;              /* sockets they hold */
static uint64_t pause_until;            /* TSC: no socket() before */
static uint64_t n_run;                  /* checks that got a socket */
static uint64_t n_short;                /* socket() short of descriptors */
static uint64_t n_short_logged;         /* n_short at the last log line */
static uint64_t next_short_log;         /* TSC: the next may be logged */

static const char *
ep(const struct hc *h, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	if (h->v6) {
		inet_ntop(AF_INET6, &h->dst6.sin6_addr, a, sizeof(a));
		snprintf(buf, len, "[%s]:%u", a, ntohs(h->dst6.sin6_port));
		return buf;
	}
	inet_ntop(AF_INET, &h->dst.sin_addr, a, sizeof(a));
	snprintf(buf, len, "%s:%u", a, ntohs(h->dst.sin_port));
	return buf;
}

int
sl_health_vip_slot(uint16_t sport)
{
	int slot = (int)vip_sport[sport] - 1;
	const struct hc *h;

	if (slot < 0)
		return -1;
	h = &hcs[slot];
	if (h->active && (h->vip_sport == sport ||
			  (h->old_sport == sport && rte_rdtsc() < h->old_until)))
		return slot;
	return -1;
}

static void
hc_close(struct hc *h)
{
	/*
	 * The socket's last frames (its FIN, the ACK of the backend's)
	 * leave the kernel after close() and reach the management lcore
	 * later still: the port keeps passing through the VIP for a
	 * while, or they would go to the backend's own address, and the
	 * backend would keep the connection to its VIP open. Its entry
	 * in vip_sport stays until another check takes the port.
	 */
	if (h->vip_sport != 0) {
		h->old_sport = h->vip_sport;
		h->old_until = rte_rdtsc() + rte_get_tsc_hz() * VIP_CLOSE_MS / 1000;
		h->vip_sport = 0;
	}
	if (h->fd >= 0) {
		close(h->fd);
		in_flight--;
	}
	h->fd = -1;
	h->phase = HC_IDLE;
}

/* Descriptors this process has open now (64 if /proc cannot tell). */
static unsigned
fds_in_use(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	unsigned n = 0;

	if (d == NULL)
		return 64;
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	/* not the directory's own descriptor */
	return n > 0 ? n - 1 : 0;
}

/*
 * Once, before the first check: raise the soft descriptor limit towards
 * the hard one as far as the checks could use, and fix the budget from
 * what is then free. Later descriptors (admin clients, capture files)
 * take from the half the checks leave alone.
 */
static void
hc_limits(void)
{
	unsigned in_use = fds_in_use();
	uint64_t want = sl_health_fd_want(in_use, SL_MAX_BACKENDS);
	struct rlimit rl;
	uint64_t limit;

	sl_health_fifo_init(&waitq);
	limits_set = 1;
	if (getrlimit(RLIMIT_NOFILE, &rl) != 0) {
		SL_LOG(WARNING, "health: getrlimit(RLIMIT_NOFILE): %s; checks run one at a time",
		       strerror(errno));
		budget = 1;
		return;
	}
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < want) {
		rlim_t old = rl.rlim_cur;

		rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > want ?
			      (rlim_t)want : rl.rlim_max;
		if (rl.rlim_cur > old) {
			if (setrlimit(RLIMIT_NOFILE, &rl) == 0)
				SL_LOG(INFO, "health: file descriptor limit raised from %" PRIu64
				       " to %" PRIu64, (uint64_t)old, (uint64_t)rl.rlim_cur);
			else
				rl.rlim_cur = old;
		}
	}
	limit = rl.rlim_cur == RLIM_INFINITY ? UINT64_MAX : (uint64_t)rl.rlim_cur;
	budget = sl_health_fd_budget(limit, in_use, SL_MAX_BACKENDS);
	SL_LOG(INFO, "health: at most %u checks at once (file descriptor limit %" PRIu64
	       ", %u in use)", budget, limit, in_use);
	if (budget < SL_MAX_BACKENDS)
		SL_LOG(INFO, "health: checks beyond that wait their turn; raise the hard limit"
		       " (ulimit -Hn, LimitNOFILE=) to run more at once");
}

/* One check ended: record it; a flip changes the rotation. */
static int
hc_done(struct sl_app *app, struct hc *h, int ok, const char *why, uint64_t now)
{
	char e[64];
	int flipped;

	hc_close(h);
	h->next = now + (uint64_t)h->ck.interval_ms * app->hz / 1000;
	flipped = sl_health_record(&h->st, ok, h->ck.rise, h->ck.fall);
	if (!flipped)
		return 0;
	if (h->st.up)
		SL_LOG(NOTICE, "service %s backend %s is up: %u checks passed",
		       h->svc, ep(h, e, sizeof(e)), h->ck.rise);
	else
		SL_LOG(WARNING, "service %s backend %s is down: %s (%u checks failed%s)",
		       h->svc, ep(h, e, sizeof(e)), why, h->ck.fall,
		       h->via_vip ? ", checked through the VIP" : "");
	sl_svc_ids_set_down(app->ids, h->slot, !h->st.up);
	return 1;
}

/*
 * socket() found Sluice short of descriptors or memory: the check goes
 * back to the head of the line, untouched (no failure, no verdict), and
 * nothing new starts for a moment.
 */
static void
hc_short(struct sl_app *app, struct hc *h, int err, uint64_t now)
{
	char e[64];

	h->phase = HC_WAITING;
	sl_health_fifo_push_front(&waitq, h->slot);
	pause_until = now + (uint64_t)SHORT_RETRY_MS * app->hz / 1000;
	n_short++;
	if (now < next_short_log)
		return;
	SL_LOG(WARNING, "health: no socket for the check of service %s backend %s: %s"
	       " (%" PRIu64 " time(s) since the last report; %u sockets open for checks);"
	       " checks wait, backends keep their state", h->svc, ep(h, e, sizeof(e)),
	       strerror(err), n_short - n_short_logged, in_flight);
	n_short_logged = n_short;
	next_short_log = now + (uint64_t)SHORT_LOG_S * app->hz;
}

/*
 * A fullnat service's check leaves from a local address, as its traffic
 * does, and from a port of the range kept for checks (app->check_port_*,
 * the top of local_ports) so that it never takes the 4-tuple of a
 * connection the workers made; the kernel picks the port when the range
 * is too small to keep one.
 */
static int
bind_local(struct sl_app *app, struct hc *h)
{
	static uint32_t next;
	uint32_t n = app->check_port_lo != 0 ?
		(uint32_t)(app->check_port_hi - app->check_port_lo) + 1 : 0;
	struct sockaddr_in sa = h->src;
	unsigned tries;
	int one = 1;

	if (setsockopt(h->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0)
		return -1;
	if (n == 0)
		return bind(h->fd, (struct sockaddr *)&sa, sizeof(sa));
	for (tries = 0; tries < 16; tries++) {
		sa.sin_port = htons((uint16_t)(app->check_port_lo + next++ % n));
		if (bind(h->fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
			return 0;
		if (errno != EADDRINUSE)
			return -1;
	}
	return -1;
}

/* Start a check that has its turn; returns 1 if it flipped at once. */
static int
hc_start(struct sl_app *app, struct hc *h, uint64_t now)
{
	int type = h->ck.kind == SL_CHECK_UDP ? SOCK_DGRAM : SOCK_STREAM;
	char why[128];
	int err;

	h->got = 0;
	h->fd = socket(h->v6 ? AF_INET6 : AF_INET, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (h->fd < 0) {
		err = errno;
		if (sl_health_fd_shortage(err)) {
			hc_short(app, h, err, now);
			return 0;
		}
		snprintf(why, sizeof(why), "socket: %s", strerror(err));
		return hc_done(app, h, 0, why, now);
	}
	in_flight++;
	n_run++;
	/* the timeout runs from here: waiting for a turn is not the check's time */
	h->deadline = now + (uint64_t)h->ck.timeout_ms * app->hz / 1000;
	if (h->src.sin_addr.s_addr != 0 && bind_local(app, h) != 0) {
		snprintf(why, sizeof(why), "bind to a local address: %s", strerror(errno));
		return hc_done(app, h, 0, why, now);
	}
	if (h->via_vip) {
		union {
			struct sockaddr sa;
			struct sockaddr_in in;
			struct sockaddr_in6 in6;
		} a;
		socklen_t l = h->v6 ? sizeof(a.in6) : sizeof(a.in);
		int off = 0;

		memset(&a, 0, sizeof(a));
		a.sa.sa_family = h->v6 ? AF_INET6 : AF_INET;
		/*
		 * A port of its own: the frames carry it to the VIP. An IPv6
		 * socket takes it from both families (not IPv6 only), so that
		 * no IPv4 check's socket has the same one.
		 */
		if ((h->v6 && setsockopt(h->fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off)) != 0) ||
		    bind(h->fd, &a.sa, l) != 0 || getsockname(h->fd, &a.sa, &l) != 0) {
			snprintf(why, sizeof(why), "bind: %s", strerror(errno));
			return hc_done(app, h, 0, why, now);
		}
		h->vip_sport = ntohs(h->v6 ? a.in6.sin6_port : a.in.sin_port);
		vip_sport[h->vip_sport] = (uint16_t)(h->slot + 1);
	}
	if ((h->v6 ? connect(h->fd, (struct sockaddr *)&h->dst6, sizeof(h->dst6)) :
	     connect(h->fd, (struct sockaddr *)&h->dst, sizeof(h->dst))) != 0 &&
	    errno != EINPROGRESS) {
		snprintf(why, sizeof(why), "connect: %s", strerror(errno));
		return hc_done(app, h, 0, why, now);
	}
	if (type == SOCK_DGRAM) {
		if (send(h->fd, h->ck.send, strlen(h->ck.send), 0) < 0) {
			snprintf(why, sizeof(why), "send: %s", strerror(errno));
			return hc_done(app, h, 0, why, now);
		}
		h->phase = HC_READING;
		return 0;
	}
	h->phase = HC_CONNECTING;
	return 0;
}

/* Progress of one check whose socket poll() reported @p rev. */
static int
hc_step(struct sl_app *app, struct hc *h, short rev, uint64_t now)
{
	char why[128], req[2 * SL_CHECK_STR_MAX + 96];
	int err = 0, st;
	socklen_t l = sizeof(err);
	ssize_t n;

	if (h->phase == HC_CONNECTING) {
		if (!(rev & (POLLOUT | POLLERR | POLLHUP)))
			return 0;
		getsockopt(h->fd, SOL_SOCKET, SO_ERROR, &err, &l);
		if (err != 0) {
			snprintf(why, sizeof(why), "connect: %s", strerror(err));
			return hc_done(app, h, 0, why, now);
		}
		if (h->ck.kind == SL_CHECK_TCP)
			return hc_done(app, h, 1, "", now);
		n = snprintf(req, sizeof(req),
			     "GET %s HTTP/1.0\r\nHost: %s\r\nUser-Agent: sluice-check\r\n"
			     "Connection: close\r\n\r\n", h->ck.path, h->host);
		if (send(h->fd, req, (size_t)n, MSG_NOSIGNAL) != n)
			return hc_done(app, h, 0, "send failed", now);
		h->phase = HC_READING;
		return 0;
	}
	if (!(rev & (POLLIN | POLLERR | POLLHUP)))
		return 0;
	n = recv(h->fd, h->buf + h->got, sizeof(h->buf) - 1 - h->got, 0);
	if (n < 0) {
		if (errno == EAGAIN)
			return 0;
		snprintf(why, sizeof(why), "%s", strerror(errno));
		return hc_done(app, h, 0, why, now);
	}
	if (h->ck.kind == SL_CHECK_UDP) {
		h->buf[n] = '\0';
		if (h->ck.expect_payload[0] != '\0' && strstr(h->buf, h->ck.expect_payload) == NULL)
			return hc_done(app, h, 0, "unexpected answer", now);
		return hc_done(app, h, 1, "", now);
	}
	if (n == 0)
		return hc_done(app, h, 0, "closed before a status line", now);
	h->got += (size_t)n;
	st = sl_health_http_status(h->buf, h->got);
	if (st == 0)
		return 0;
	if (st < 0)
		return hc_done(app, h, 0, "not an HTTP response", now);
	if (!sl_health_expect(h->ck.expect, st)) {
		snprintf(why, sizeof(why), "status %d (expected %s)", st, h->ck.expect);
		return hc_done(app, h, 0, why, now);
	}
	return hc_done(app, h, 1, "", now);
}

void
sl_health_sync(struct sl_app *app)
{
	const struct sl_snapshot *snap = sl_svc_current(&app->svc);
	uint8_t seen[SL_MAX_BACKENDS] = { 0 };
	uint64_t now = rte_rdtsc();
	unsigned i, j, k;

	if (!limits_set)
		hc_limits();
	for (i = 0; i < snap->n_services; i++) {
		const struct sl_service *sv = &snap->services[i];
		const struct sl_config_service *cs = NULL;

		if (!sv->used)
			continue;
		for (k = 0; k < app->live_cfg->n_services; k++)
			if (strcmp(app->live_cfg->services[k].name, sv->name) == 0)
				cs = &app->live_cfg->services[k];
		if (cs == NULL || cs->check.kind == SL_CHECK_NONE)
			continue;
		for (j = 0; j < sv->n_backends; j++) {
			const struct sl_backend *be = &sv->backends[j];
			const struct sl_config_backend *cb = NULL;
			struct hc *h = &hcs[be->slot];

			/* draining backends are on their way out: not checked */
			if (be->drain_until != 0)
				continue;
			for (k = 0; k < cs->n_backends; k++)
				if (cs->backends[k].v6 == be->v6 &&
				    (be->v6 ? memcmp(cs->backends[k].addr6, &be->addr6, 16) == 0 :
				     rte_cpu_to_be_32(cs->backends[k].addr) == be->addr) &&
				    rte_cpu_to_be_16(cs->backends[k].port) == be->port)
					cb = &cs->backends[k];
			if (cb == NULL)
				continue;
			seen[be->slot] = 1;
			if (!h->active || h->gen != be->gen) {
				if (h->active)
					hc_close(h);
				memset(h, 0, sizeof(*h));
				h->fd = -1;
				h->active = 1;
				h->slot = be->slot;
				h->gen = be->gen;
				sl_health_init(&h->st);
				sl_svc_ids_set_down(app->ids, be->slot, 0);
				/* spread the first checks over one interval */
				h->next = now + (uint64_t)(be->slot % 64) *
					  cs->check.interval_ms * app->hz / 64000;
			}
			h->ck = cs->check;
			snprintf(h->svc, sizeof(h->svc), "%s", sv->name);
			if (cs->check.host[0] != '\0')
				snprintf(h->host, sizeof(h->host), "%s", cs->check.host);
			else if (sv->v6) {
				char a[INET6_ADDRSTRLEN];

				inet_ntop(AF_INET6, &sv->vip6, a, sizeof(a));
				snprintf(h->host, sizeof(h->host), "[%s]", a);
			} else
				inet_ntop(AF_INET, &sv->vip, h->host, sizeof(h->host));
			h->src.sin_family = AF_INET;
			h->src.sin_addr.s_addr = 0;
			/* an IPv6 backend's check leaves from the port's own IPv6
			 * address (the kernel's choice), its answer comes back there */
			if (sv->mode == SL_MODE_FULLNAT && !be->v6 &&
			    snap->ports[be->out_port].n_local > 0)
				h->src.sin_addr.s_addr = snap->ports[be->out_port].local[
					be->slot % snap->ports[be->out_port].n_local];
			h->via_vip = SL_MODE_ONEWAY(sv->mode) && !sv->check_backend;
			h->dst.sin_family = AF_INET;
			h->dst.sin_addr.s_addr = be->addr;
			h->dst.sin_port = cb->check_port != 0 ?
				htons(cb->check_port) : be->port;
			h->v6 = be->v6;
			h->dst6.sin6_family = AF_INET6;
			memcpy(&h->dst6.sin6_addr, &be->addr6, 16);
			h->dst6.sin6_port = h->dst.sin_port;
		}
	}
	for (i = 0; i < SL_MAX_BACKENDS; i++) {
		if (hcs[i].active && !seen[i]) {
			hc_close(&hcs[i]);
			hcs[i].active = 0;
		}
	}
	for (hcs_end = SL_MAX_BACKENDS; hcs_end > 0 && !hcs[hcs_end - 1].active; hcs_end--)
		;
}

int
sl_health_poll(struct sl_app *app)
{
	static struct pollfd pfd[SL_MAX_BACKENDS];
	static uint16_t who[SL_MAX_BACKENDS];
	uint64_t now = rte_rdtsc();
	unsigned i, n = 0;
	int flips = 0, id;

	if (!limits_set)
		return 0;
	/* due checks join the line ... */
	for (i = 0; i < hcs_end; i++) {
		struct hc *h = &hcs[i];

		if (h->active && h->phase == HC_IDLE && now >= h->next) {
			h->phase = HC_WAITING;
			sl_health_fifo_push(&waitq, i);
		}
	}
	/* ... and start in their order while the budget allows */
	while (in_flight < budget && now >= pause_until &&
	       (id = sl_health_fifo_pop(&waitq)) >= 0) {
		struct hc *h = &hcs[id];

		/* stale: the backend left or was replaced while it waited */
		if (!h->active || h->phase != HC_WAITING)
			continue;
		flips += hc_start(app, h, rte_rdtsc());
	}
	for (i = 0; i < hcs_end; i++) {
		struct hc *h = &hcs[i];

		if (!h->active || h->phase == HC_IDLE || h->phase == HC_WAITING)
			continue;
		if (now >= h->deadline) {
			flips += hc_done(app, h, 0, "timeout", now);
			continue;
		}
		pfd[n].fd = h->fd;
		pfd[n].events = h->phase == HC_CONNECTING ? POLLOUT : POLLIN;
		pfd[n].revents = 0;
		who[n++] = (uint16_t)i;
	}
	if (n == 0 || poll(pfd, n, 0) <= 0)
		return flips;
	for (i = 0; i < n; i++)
		if (pfd[i].revents != 0)
			flips += hc_step(app, &hcs[who[i]], pfd[i].revents, now);
	return flips;
}

void
sl_health_stop(void)
{
	unsigned i;

	for (i = 0; i < SL_MAX_BACKENDS; i++)
		if (hcs[i].active) {
			hc_close(&hcs[i]);
			hcs[i].active = 0;
		}
	hcs_end = 0;
	if (limits_set)
		SL_LOG(INFO, "health: %" PRIu64 " checks run, at most %u at once; %" PRIu64
		       " times short of file descriptors", n_run, budget, n_short);
}
