/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The admin socket: a Unix stream socket (mode 0600 by default) speaking
 * the command table one line at a time. Every answer ends with a status
 * line: text mode prints the answer, then "ok" or "error: REASON";
 * a line starting with --json gets one JSON object back,
 * {"ok":true,"result":...} or {"ok":false,"error":"..."}.
 *
 * Driven from the management loop with non-blocking sockets, so no
 * client can stall Sluice: lines longer than 4 KiB, more than 64
 * clients, or clients silent for 30 s are answered with an error and
 * dropped.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <rte_cycles.h>

#include "sluice.h"
#include "cmd.h"

#define ADMIN_CLIENTS 64
#define ADMIN_LINE    4096
#define ADMIN_IDLE_S  30

struct client {
	int fd;
	size_t got;
	uint64_t last;
	char line[ADMIN_LINE];
};

static int listen_fd = -1;
static struct client clients[ADMIN_CLIENTS];
static char sock_path[108];

static void
drop_client(struct client *c)
{
	close(c->fd);
	c->fd = -1;
	c->got = 0;
}

/* Best effort, never blocking: a client that does not read loses it. */
static void
reply(struct client *c, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = send(c->fd, buf, len, MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n <= 0)
			return;
		buf += n;
		len -= (size_t)n;
	}
}

int
sl_admin_open(struct sl_app *app)
{
	const char *path = app->cfg->global.admin_socket;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	unsigned i;
	int fd;
	char dir[108], *slash;

	for (i = 0; i < ADMIN_CLIENTS; i++)
		clients[i].fd = -1;
	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash != NULL && slash != dir) {
		*slash = '\0';
		mkdir(dir, 0755);
	}
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (listen_fd < 0)
		return -errno;
	/* a socket that answers belongs to a running Sluice: leave it */
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
		close(fd);
		SL_LOG(ERR, "admin socket %s: another process is listening on it", path);
		close(listen_fd);
		listen_fd = -1;
		return -EADDRINUSE;
	}
	if (fd >= 0)
		close(fd);
	unlink(path);
	if (bind(listen_fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
	    chmod(path, 0600) != 0 || listen(listen_fd, 16) != 0) {
		int e = errno;

		SL_LOG(ERR, "admin socket %s: %s", path, strerror(e));
		close(listen_fd);
		listen_fd = -1;
		return -e;
	}
	snprintf(sock_path, sizeof(sock_path), "%s", path);
	SL_LOG(INFO, "admin socket %s", path);
	return 0;
}

void
sl_admin_close(void)
{
	unsigned i;

	for (i = 0; i < ADMIN_CLIENTS; i++)
		if (clients[i].fd >= 0)
			drop_client(&clients[i]);
	if (listen_fd >= 0) {
		close(listen_fd);
		unlink(sock_path);
		listen_fd = -1;
	}
}

static void
run_line(struct sl_app *app, struct client *c, char *line)
{
	struct sl_out o = { 0 };
	struct sl_out r = { 0 };
	size_t n = strlen(line);
	int ret;

	while (n > 0 && (line[n - 1] == '\r' || line[n - 1] == ' '))
		line[--n] = '\0';
	o.json = strncmp(line, "--json", 6) == 0 && (line[6] == ' ' || line[6] == '\0');
	ret = sl_cmd_exec(app, line, &o);
	if (o.json) {
		if (ret == 0) {
			sl_out_printf(&r, "{\"ok\":true,\"result\":%.*s}\n", (int)o.len,
				      o.len ? o.buf : "null");
		} else {
			sl_out_printf(&r, "{\"ok\":false,\"error\":");
			o.buf != NULL ? (void)0 : sl_out_printf(&o, "error");
			sl_out_jstr(&r, o.buf);
			sl_out_printf(&r, "}\n");
		}
	} else if (ret == 0) {
		sl_out_printf(&r, "%.*sok\n", (int)o.len, o.len ? o.buf : "");
	} else {
		sl_out_printf(&r, "error: %.*s\n", (int)o.len, o.len ? o.buf : "failed");
	}
	if (r.buf != NULL)
		reply(c, r.buf, r.len);
	sl_out_free(&o);
	sl_out_free(&r);
}

void
sl_admin_poll(struct sl_app *app)
{
	struct pollfd pfd[ADMIN_CLIENTS];
	int who[ADMIN_CLIENTS];
	uint64_t now = rte_rdtsc();
	unsigned i, n = 0;
	int fd;

	if (listen_fd < 0)
		return;
	while ((fd = accept4(listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
		for (i = 0; i < ADMIN_CLIENTS && clients[i].fd >= 0; i++)
			;
		if (i == ADMIN_CLIENTS) {
			static const char busy[] = "error: too many clients\n";

			if (send(fd, busy, sizeof(busy) - 1, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
				errno = 0;
			close(fd);
			continue;
		}
		clients[i].fd = fd;
		clients[i].got = 0;
		clients[i].last = now;
	}
	for (i = 0; i < ADMIN_CLIENTS; i++) {
		if (clients[i].fd < 0)
			continue;
		if (now - clients[i].last > (uint64_t)ADMIN_IDLE_S * app->hz) {
			static const char idle[] = "error: idle for 30 s\n";

			reply(&clients[i], idle, sizeof(idle) - 1);
			drop_client(&clients[i]);
			continue;
		}
		pfd[n].fd = clients[i].fd;
		pfd[n].events = POLLIN;
		pfd[n].revents = 0;
		who[n++] = (int)i;
	}
	if (n == 0 || poll(pfd, n, 0) <= 0)
		return;
	for (i = 0; i < n; i++) {
		struct client *c = &clients[who[i]];
		char *nl;
		ssize_t r;

		if (pfd[i].revents == 0)
			continue;
		r = recv(c->fd, c->line + c->got, sizeof(c->line) - 1 - c->got, MSG_DONTWAIT);
		if (r <= 0) {
			if (r < 0 && errno == EAGAIN)
				continue;
			drop_client(c);   /* hung up, maybe half a line: forget it */
			continue;
		}
		c->got += (size_t)r;
		c->last = now;
		c->line[c->got] = '\0';
		while ((nl = memchr(c->line, '\n', c->got)) != NULL) {
			size_t used = (size_t)(nl - c->line) + 1;

			*nl = '\0';
			run_line(app, c, c->line);
			if (c->fd < 0)
				break;
			memmove(c->line, c->line + used, c->got - used);
			c->got -= used;
			c->line[c->got] = '\0';
		}
		if (c->fd >= 0 && c->got >= sizeof(c->line) - 1) {
			static const char big[] = "error: line too long (at most 4095 characters)\n";

			reply(c, big, sizeof(big) - 1);
			drop_client(c);
		}
	}
}
