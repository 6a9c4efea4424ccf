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
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <rte_cycles.h>

#include "sluice.h"
#include "sl_health.h"

enum { HC_IDLE, HC_CONNECTING, HC_READING };

struct hc {
	uint8_t active;
	uint8_t phase;
	uint16_t slot;
	uint32_t gen;
	int fd;
	uint64_t next;          /* TSC: start of the next check */
	uint64_t deadline;      /* TSC: the running check times out */
	struct sockaddr_in dst;
	struct sl_config_check ck;
	char svc[SL_NAME_MAX];
	char host[SL_CHECK_STR_MAX];
	struct sl_health_state st;
	size_t got;
	char buf[512];
};

static struct hc hcs[SL_MAX_BACKENDS];

static const char *
ep(const struct hc *h, char *buf, size_t len)
{
	char a[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &h->dst.sin_addr, a, sizeof(a));
	snprintf(buf, len, "%s:%u", a, ntohs(h->dst.sin_port));
	return buf;
}

static void
hc_close(struct hc *h)
{
	if (h->fd >= 0)
		close(h->fd);
	h->fd = -1;
	h->phase = HC_IDLE;
}

/* One check ended: record it; a flip changes the rotation. */
static int
hc_done(struct sl_app *app, struct hc *h, int ok, const char *why, uint64_t now)
{
	char e[32];
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
		SL_LOG(WARNING, "service %s backend %s is down: %s (%u checks failed)",
		       h->svc, ep(h, e, sizeof(e)), why, h->ck.fall);
	sl_svc_ids_set_down(app->ids, h->slot, !h->st.up);
	return 1;
}

static void
hc_start(struct sl_app *app, struct hc *h, uint64_t now)
{
	int type = h->ck.kind == SL_CHECK_UDP ? SOCK_DGRAM : SOCK_STREAM;

	h->got = 0;
	h->deadline = now + (uint64_t)h->ck.timeout_ms * app->hz / 1000;
	h->fd = socket(AF_INET, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (h->fd < 0) {
		h->phase = HC_IDLE;
		hc_done(app, h, 0, strerror(errno), now);
		return;
	}
	if (connect(h->fd, (struct sockaddr *)&h->dst, sizeof(h->dst)) != 0 &&
	    errno != EINPROGRESS) {
		hc_done(app, h, 0, strerror(errno), now);
		return;
	}
	if (type == SOCK_DGRAM) {
		if (send(h->fd, h->ck.send, strlen(h->ck.send), 0) < 0) {
			hc_done(app, h, 0, strerror(errno), now);
			return;
		}
		h->phase = HC_READING;
		return;
	}
	h->phase = HC_CONNECTING;
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
				if (rte_cpu_to_be_32(cs->backends[k].addr) == be->addr &&
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
			else
				inet_ntop(AF_INET, &sv->vip, h->host, sizeof(h->host));
			h->dst.sin_family = AF_INET;
			h->dst.sin_addr.s_addr = be->addr;
			h->dst.sin_port = cb->check_port != 0 ?
				htons(cb->check_port) : be->port;
		}
	}
	for (i = 0; i < SL_MAX_BACKENDS; i++) {
		if (hcs[i].active && !seen[i]) {
			hc_close(&hcs[i]);
			hcs[i].active = 0;
		}
	}
}

int
sl_health_poll(struct sl_app *app)
{
	static struct pollfd pfd[SL_MAX_BACKENDS];
	static uint16_t who[SL_MAX_BACKENDS];
	uint64_t now = rte_rdtsc();
	unsigned i, n = 0;
	int flips = 0;

	for (i = 0; i < SL_MAX_BACKENDS; i++) {
		struct hc *h = &hcs[i];

		if (!h->active)
			continue;
		if (h->phase == HC_IDLE && now >= h->next)
			hc_start(app, h, now);
		if (h->phase == HC_IDLE)
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
}
