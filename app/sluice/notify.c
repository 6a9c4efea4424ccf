/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Service manager notifications: systemd's sd_notify protocol spoken
 * directly, without libsystemd. When $NOTIFY_SOCKET names a Unix
 * datagram socket (a path, or "@name" in the abstract namespace),
 * Sluice sends it newline-separated KEY=VALUE datagrams:
 *
 *   READY=1 and STATUS=...  once ports are up and next hops resolved
 *   STATUS=...              when the services' or backends' counts change
 *   WATCHDOG=1              every half $WATCHDOG_USEC, from the
 *                           management loop (a stuck loop stops them)
 *   RELOADING=1 ... READY=1 around a reload asked for by SIGHUP
 *   STOPPING=1              when shutting down
 *
 * Without $NOTIFY_SOCKET every call does nothing. A datagram that cannot
 * be sent is dropped (the socket never blocks the management lcore) and
 * the first failure is logged.
 *
 * Thread-safety: management lcore only.
 */
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "sluice.h"

/* How often a changed STATUS= is looked for. */
#define NOTIFY_STATUS_PERIOD_US 1000000ull

static struct {
	int fd;                      /* -1: not notifying */
	int warned;                  /* a send failure was logged */
	struct sockaddr_un addr;
	socklen_t addr_len;
	uint64_t watchdog_us;        /* WATCHDOG=1 every this long, 0 = off */
	uint64_t next_watchdog;      /* monotonic microseconds */
	uint64_t next_status;
	char status[128];            /* the last STATUS= sent */
} nt = { .fd = -1 };

static uint64_t
mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000ull + (uint64_t)ts.tv_nsec / 1000;
}

/* The watchdog is ours when $WATCHDOG_USEC is set and $WATCHDOG_PID,
 * if set, names this process (not a parent that started us). */
static uint64_t
watchdog_usec(void)
{
	const char *s = getenv("WATCHDOG_USEC"), *p = getenv("WATCHDOG_PID");
	unsigned long long us;
	char *end;

	if (s == NULL || *s == '\0')
		return 0;
	errno = 0;
	us = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || us == 0) {
		SL_LOG(WARNING, "WATCHDOG_USEC=%s is not a number of microseconds: no watchdog", s);
		return 0;
	}
	if (p != NULL && *p != '\0' && strtol(p, NULL, 10) != (long)getpid())
		return 0;
	return us;
}

int
sl_notify_open(void)
{
	const char *path = getenv("NOTIFY_SOCKET");
	size_t len;

	if (nt.fd >= 0)
		return 0;
	if (path == NULL || *path == '\0')
		return -ENOENT;
	/* "@name": the abstract namespace, a leading NUL and no terminator */
	len = strlen(path);
	if ((path[0] != '/' && path[0] != '@') || len >= sizeof(nt.addr.sun_path)) {
		SL_LOG(WARNING, "NOTIFY_SOCKET=%s is not a socket path or @name: no notifications", path);
		return -EINVAL;
	}
	memset(&nt.addr, 0, sizeof(nt.addr));
	nt.addr.sun_family = AF_UNIX;
	memcpy(nt.addr.sun_path, path, len);
	if (path[0] == '@')
		nt.addr.sun_path[0] = '\0';
	nt.addr_len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len);
	nt.fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (nt.fd < 0) {
		SL_LOG(WARNING, "no notification socket: %s", strerror(errno));
		return -errno;
	}
	nt.watchdog_us = watchdog_usec();
	if (nt.watchdog_us != 0)
		SL_LOG(INFO, "watchdog: keep-alive every %" PRIu64 " ms", nt.watchdog_us / 2000);
	return 0;
}

void
sl_notify_close(void)
{
	if (nt.fd >= 0)
		close(nt.fd);
	nt.fd = -1;
}

int
sl_notify_send(const char *msg)
{
	ssize_t n;

	if (nt.fd < 0)
		return -ENOTCONN;
	n = sendto(nt.fd, msg, strlen(msg), MSG_NOSIGNAL,
		   (const struct sockaddr *)&nt.addr, nt.addr_len);
	if (n < 0) {
		if (!nt.warned)
			SL_LOG(WARNING, "notification to the service manager lost: %s", strerror(errno));
		nt.warned = 1;
		return -errno;
	}
	return 0;
}

/* "N service(s), U/T backends up": usable backends are those with a
 * weight, as in show services. */
static void
status_text(const struct sl_app *app, char *buf, size_t len)
{
	const struct sl_snapshot *s = sl_svc_current(&app->svc);
	unsigned i, j, n = 0, be = 0, up = 0;

	for (i = 0; i < s->n_services; i++) {
		const struct sl_service *sv = &s->services[i];

		if (!sv->used)
			continue;
		n++;
		be += sv->n_backends;
		for (j = 0; j < sv->n_backends; j++)
			up += sv->ss.weight[j] != 0;
	}
	snprintf(buf, len, "%u service(s), %u/%u backends up, %u worker(s), %u port(s)",
		 n, up, be, app->n_workers, app->n_ports);
}

/* READY=1 (and, after a reload, the reload's outcome) with the status. */
void
sl_notify_ready(const struct sl_app *app, const char *note)
{
	char msg[sizeof(nt.status) + 256];

	if (nt.fd < 0)
		return;
	status_text(app, nt.status, sizeof(nt.status));
	snprintf(msg, sizeof(msg), "READY=1\nSTATUS=%s%s%s", note != NULL ? note : "",
		 note != NULL ? "; " : "", nt.status);
	sl_notify_send(msg);
	nt.next_status = mono_us() + NOTIFY_STATUS_PERIOD_US;
}

/* RELOADING=1 with the monotonic time systemd (253 and later) checks. */
void
sl_notify_reloading(void)
{
	char msg[96];

	if (nt.fd < 0)
		return;
	snprintf(msg, sizeof(msg), "RELOADING=1\nSTATUS=reloading\nMONOTONIC_USEC=%" PRIu64,
		 mono_us());
	sl_notify_send(msg);
}

void
sl_notify_stopping(void)
{
	sl_notify_send("STOPPING=1\nSTATUS=stopping");
}

/* From the management loop: the watchdog's keep-alive when due, a new
 * STATUS= when the counts changed. */
void
sl_notify_poll(const struct sl_app *app)
{
	char status[sizeof(nt.status)], msg[sizeof(nt.status) + 8];
	uint64_t now;

	if (nt.fd < 0)
		return;
	now = mono_us();
	if (nt.watchdog_us != 0 && now >= nt.next_watchdog) {
		sl_notify_send("WATCHDOG=1");
		nt.next_watchdog = now + nt.watchdog_us / 2;
	}
	if (now < nt.next_status)
		return;
	nt.next_status = now + NOTIFY_STATUS_PERIOD_US;
	status_text(app, status, sizeof(status));
	if (strcmp(status, nt.status) == 0)
		return;
	memcpy(nt.status, status, sizeof(status));
	snprintf(msg, sizeof(msg), "STATUS=%s", status);
	sl_notify_send(msg);
}
