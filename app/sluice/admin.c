/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The admin socket: a Unix stream socket (mode 0600 by default) speaking
 * the command table one line at a time. Every answer ends with a status
 * line: text mode prints the answer, then "ok" or "error: REASON";
 * a line starting with --json gets one JSON object back,
 * {"ok":true,"result":...} or {"ok":false,"error":"..."}.
 *
 * Driven from the management loop with non-blocking sockets, so no
 * client can stall Sluice. A client's lines are answered in order, one
 * at a time: the next line is taken once the previous answer has left.
 * Answers go through the client's own output buffer, written out as
 * the socket takes it (poll reports POLLOUT), so a long answer reaches
 * a slow reader whole. A command that waits for the workers (show
 * flows) answers later (cmd.h), while the loop goes on serving others.
 *
 * Limits: lines of at most SL_CMD_LINE_MAX characters (4095, the
 * newline not counted), 64 clients, ADMIN_OUT_MAX bytes of answer
 * waiting per client; a client silent for ADMIN_IDLE_S seconds, or that
 * does not read its answer for as long, is dropped (told why when it
 * can be).
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
#define ADMIN_LINE    (SL_CMD_LINE_MAX + 2)   /* a longest line, \n, NUL */
#define ADMIN_IDLE_S  30
/* One answer at most: show flows limit 100000 in JSON is about 20 MiB. */
#define ADMIN_OUT_MAX (32u << 20)
/* A drained output buffer larger than this is given back. */
#define ADMIN_OUT_KEEP (64u << 10)

struct client {
	int fd;
	int eof;                     /* it shut down its sending side */
	size_t got;                  /* bytes in line[] */
	uint64_t last;               /* TSC of its last sign of life */
	struct sl_cmd_pending *pend; /* its command waiting for workers */
	char *out;                   /* answer bytes not yet sent ... */
	size_t out_off, out_len, out_cap; /* ... are out[out_off..out_len) */
	char line[ADMIN_LINE];
};

static int listen_fd = -1;
static struct client clients[ADMIN_CLIENTS];
static char sock_path[108];

static void
drop_client(struct client *c)
{
	if (c->pend != NULL) {
		sl_cmd_cancel(c->pend);
		c->pend = NULL;
	}
	close(c->fd);
	c->fd = -1;
	c->got = 0;
	c->eof = 0;
	free(c->out);
	c->out = NULL;
	c->out_off = c->out_len = c->out_cap = 0;
}

static size_t
unsent(const struct client *c)
{
	return c->out_len - c->out_off;
}

/* Last words before a drop: what the socket takes now, never waiting. */
static void
farewell(struct client *c, const char *msg)
{
	if (send(c->fd, msg, strlen(msg), MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
		errno = 0;
	drop_client(c);
}

/* Send what the socket takes; -1 if the client was dropped. */
static int
flush_out(struct client *c)
{
	while (unsent(c) > 0) {
		ssize_t n = send(c->fd, c->out + c->out_off, unsent(c),
				 MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;   /* the rest when poll says POLLOUT */
		if (n <= 0) {
			drop_client(c);   /* gone: nobody to answer */
			return -1;
		}
		c->out_off += (size_t)n;
		c->last = rte_rdtsc();
	}
	c->out_off = c->out_len = 0;
	if (c->out_cap > ADMIN_OUT_KEEP) {
		free(c->out);
		c->out = NULL;
		c->out_cap = 0;
	}
	return 0;
}

/* Queue @p len bytes for the client and send what goes at once. */
static void
queue_out(struct client *c, const char *buf, size_t len)
{
	if (unsent(c) + len > ADMIN_OUT_MAX) {
		SL_LOG(WARNING, "admin socket: client dropped: %zu bytes of answers waiting, at most %u",
		       unsent(c) + len, ADMIN_OUT_MAX);
		drop_client(c);
		return;
	}
	if (c->out_off > 0) {
		memmove(c->out, c->out + c->out_off, unsent(c));
		c->out_len -= c->out_off;
		c->out_off = 0;
	}
	if (c->out_len + len > c->out_cap) {
		size_t cap = c->out_cap ? c->out_cap : 4096;
		char *nb;

		while (cap < c->out_len + len)
			cap *= 2;
		nb = realloc(c->out, cap);
		if (nb == NULL) {
			SL_LOG(WARNING, "admin socket: client dropped: no memory for an answer of %zu bytes",
			       len);
			drop_client(c);
			return;
		}
		c->out = nb;
		c->out_cap = cap;
	}
	memcpy(c->out + c->out_len, buf, len);
	c->out_len += len;
	flush_out(c);
}

/* The answer to one line, with its status, in the client's format. */
static void
answer(struct client *c, int ret, struct sl_out *o)
{
	struct sl_out r = { 0 };

	if (o->json) {
		if (ret == 0) {
			sl_out_printf(&r, "{\"ok\":true,\"result\":%.*s}\n", (int)o->len,
				      o->len ? o->buf : "null");
		} else {
			sl_out_printf(&r, "{\"ok\":false,\"error\":");
			o->buf != NULL ? (void)0 : sl_out_printf(o, "error");
			sl_out_jstr(&r, o->buf);
			sl_out_printf(&r, "}\n");
		}
	} else if (ret == 0) {
		sl_out_printf(&r, "%.*sok\n", (int)o->len, o->len ? o->buf : "");
	} else {
		sl_out_printf(&r, "error: %.*s\n", (int)o->len, o->len ? o->buf : "failed");
	}
	if (r.buf == NULL)
		queue_out(c, "error: out of memory\n", 21);
	else
		queue_out(c, r.buf, r.len);
	sl_out_free(&r);
}

/* A command that waited for the workers has its answer (sl_cmd_poll). */
static void
answer_later(void *arg, int ret, struct sl_out *o)
{
	struct client *c = arg;

	c->pend = NULL;
	c->last = rte_rdtsc();
	answer(c, ret, o);
}

static void
run_line(struct sl_app *app, struct client *c, char *line)
{
	struct sl_out o = { 0 };
	size_t n = strlen(line);
	int ret;

	while (n > 0 && (line[n - 1] == '\r' || line[n - 1] == ' '))
		line[--n] = '\0';
	o.json = strncmp(line, "--json", 6) == 0 && (line[6] == ' ' || line[6] == '\0');
	ret = sl_cmd_start(app, line, &o, answer_later, c, &c->pend);
	if (ret != -EINPROGRESS)
		answer(c, ret, &o);
	sl_out_free(&o);
}

/*
 * Run the client's complete lines while nothing holds it up (an answer
 * not sent yet, a command waiting for workers). Drops a client whose
 * line is too long, and one that has hung up and has nothing left.
 */
static void
serve(struct sl_app *app, struct client *c)
{
	char *nl = NULL;

	while (c->fd >= 0 && c->pend == NULL && unsent(c) == 0 &&
	       (nl = memchr(c->line, '\n', c->got)) != NULL) {
		size_t used = (size_t)(nl - c->line) + 1;

		*nl = '\0';
		run_line(app, c, c->line);
		if (c->fd < 0)
			return;
		memmove(c->line, c->line + used, c->got - used);
		c->got -= used;
		c->line[c->got] = '\0';
		nl = NULL;
	}
	if (c->fd < 0)
		return;
	if (nl == NULL)
		nl = memchr(c->line, '\n', c->got);
	if (nl == NULL && c->got > SL_CMD_LINE_MAX) {
		farewell(c, "error: line too long (at most " RTE_STR(SL_CMD_LINE_MAX)
			 " characters)\n");
		return;
	}
	/* hung up: what it still waits for is sent first; half a line is
	 * forgotten */
	if (c->eof && c->pend == NULL && unsent(c) == 0 && nl == NULL)
		drop_client(c);
}

/*
 * What sits at the socket's path: nothing, or a socket nobody answers on
 * (a Sluice that died): 0, after removing the stale socket. Anything
 * else is left as it is: -EADDRINUSE for a live socket, -EEXIST for a
 * file of another kind, logged with the path.
 */
static int
clear_path(const char *path, const struct sockaddr_un *sa)
{
	struct stat st;
	const char *kind;
	int fd, ret;

	if (lstat(path, &st) != 0) {
		if (errno == ENOENT)
			return 0;
		ret = -errno;
		SL_LOG(ERR, "admin socket %s: %s", path, strerror(-ret));
		return ret;
	}
	if (!S_ISSOCK(st.st_mode)) {
		kind = S_ISREG(st.st_mode) ? "a regular file" : S_ISDIR(st.st_mode) ?
			"a directory" : S_ISLNK(st.st_mode) ? "a symbolic link" : "not a socket";
		SL_LOG(ERR, "admin socket %s: the path is %s, left as it is "
		       "(remove it or set [global] admin_socket to another path)", path, kind);
		return -EEXIST;
	}
	/* a socket that answers belongs to a running Sluice: leave it */
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	ret = connect(fd, (const struct sockaddr *)sa, sizeof(*sa)) == 0 ? 0 : -errno;
	close(fd);
	if (ret == 0 || ret == -EAGAIN) {
		SL_LOG(ERR, "admin socket %s: another process is listening on it", path);
		return -EADDRINUSE;
	}
	if (ret != -ECONNREFUSED) {
		SL_LOG(ERR, "admin socket %s: %s (left as it is)", path, strerror(-ret));
		return ret;
	}
	if (unlink(path) != 0 && errno != ENOENT) {
		ret = -errno;
		SL_LOG(ERR, "admin socket %s: cannot remove the stale socket: %s", path,
		       strerror(-ret));
		return ret;
	}
	SL_LOG(INFO, "admin socket %s: removed a stale socket nobody answered on", path);
	return 0;
}

int
sl_admin_open(struct sl_app *app)
{
	const char *path = app->cfg->global.admin_socket;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	unsigned i;
	int ret;
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
	ret = clear_path(path, &sa);
	if (ret != 0)
		return ret;
	listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (listen_fd < 0)
		return -errno;
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
		clients[i].eof = 0;
		clients[i].last = now;
	}
	for (i = 0; i < ADMIN_CLIENTS; i++) {
		struct client *c = &clients[i];

		if (c->fd < 0)
			continue;
		/* lines held up by the previous answer, now sent */
		serve(app, c);
		if (c->fd < 0)
			continue;
		/* a command waiting for workers has its own deadline */
		if (c->pend == NULL && now - c->last > (uint64_t)ADMIN_IDLE_S * app->hz) {
			if (unsent(c) > 0) {
				SL_LOG(WARNING, "admin socket: client dropped: it did not read its answer for %d s (%zu bytes left)",
				       ADMIN_IDLE_S, unsent(c));
				drop_client(c);
			} else {
				farewell(c, "error: idle for 30 s\n");
			}
			continue;
		}
		pfd[n].fd = c->fd;
		/* no events asked: poll still reports a hang-up */
		pfd[n].events = (short)((!c->eof && c->got < ADMIN_LINE - 1 ? POLLIN : 0) |
					(unsent(c) > 0 ? POLLOUT : 0));
		pfd[n].revents = 0;
		who[n++] = (int)i;
	}
	if (n == 0 || poll(pfd, n, 0) <= 0)
		return;
	for (i = 0; i < n; i++) {
		struct client *c = &clients[who[i]];
		ssize_t r;

		if (pfd[i].revents == 0)
			continue;
		if (pfd[i].revents & (POLLHUP | POLLERR | POLLNVAL)) {
			drop_client(c);   /* gone both ways: nobody to answer */
			continue;
		}
		if ((pfd[i].revents & POLLOUT) && flush_out(c) != 0)
			continue;
		if (pfd[i].revents & POLLIN) {
			r = recv(c->fd, c->line + c->got, ADMIN_LINE - 1 - c->got, MSG_DONTWAIT);
			if (r < 0 && (errno == EAGAIN || errno == EINTR))
				continue;
			if (r < 0) {
				drop_client(c);
				continue;
			}
			if (r == 0) {
				c->eof = 1;   /* shut down its side: answer, then close */
			} else {
				c->got += (size_t)r;
				c->last = now;
				c->line[c->got] = '\0';
			}
		}
		serve(app, c);
	}
}
