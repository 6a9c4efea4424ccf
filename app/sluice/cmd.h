/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SLUICE_CMD_H
#define SLUICE_CMD_H

/*
 * The one command table behind the console, the admin socket and
 * sluicectl. A command is its words ("show backends"), its arguments,
 * its help and a handler that answers in text or JSON.
 *
 * Most handlers answer at once. One that needs the workers (show flows)
 * must not wait for them on the management lcore, which also runs ARP,
 * health checks, the exception path and every other admin client: it
 * sends its requests, parks a continuation with sl_cmd_defer() and
 * returns -EINPROGRESS. The management loop calls sl_cmd_poll(), which
 * runs the parked continuations and, once one has its answer, hands it
 * to whoever asked (an admin client, the console) through the callback
 * given to sl_cmd_start().
 *
 * Thread-safety: management lcore only. Handlers read workers' counters
 * and ask workers through their command rings; they never touch a
 * worker's tables.
 */

#include <stddef.h>
#include <stdarg.h>
#include <stdint.h>

struct sl_app;
struct sl_cmd_pending;

/* The longest command line, in characters, its newline not counted. */
#define SL_CMD_LINE_MAX 4095
/* Seconds a parked command waits for the workers before it gives up. */
#define SL_CMD_TIMEOUT_S 10

/* Where a command's answer goes: text, or one JSON value. */
struct sl_out {
	char *buf;
	size_t len, cap;
	int json;
	/* Set by sl_cmd_start() while the handler runs: where a handler
	 * that must wait parks (sl_cmd_defer). NULL: it may not wait. */
	struct sl_cmd_pending *pend;
};

void sl_out_printf(struct sl_out *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* A JSON string literal (quotes and escapes included). */
void sl_out_jstr(struct sl_out *o, const char *s);
void sl_out_free(struct sl_out *o);

struct sl_cmd {
	const char *name;     /* its words, e.g. "show backends" */
	const char *args;     /* usage of the arguments, "" if none */
	const char *help;
	int min_args, max_args;
	/* 0, or -errno with the reason printed to @p out (text, not JSON),
	 * or -EINPROGRESS after sl_cmd_defer() */
	int (*fn)(struct sl_app *app, int argc, char **argv, struct sl_out *out);
};

extern const struct sl_cmd sl_cmds[];
extern const unsigned sl_n_cmds;

/*
 * A parked command's continuation, run by sl_cmd_poll(): -EINPROGRESS
 * while it still waits; otherwise its result (0 or -errno) with the
 * answer (or the reason) printed to @p out, and @p state released.
 * With @p give_up set (its time is over, or nobody wants the answer)
 * it must not return -EINPROGRESS: it tells the workers to stop, keeps
 * what they still hold until they hand it back, and says why it gave up.
 */
typedef int (*sl_cmd_cont_t)(struct sl_app *app, void *state, struct sl_out *out,
			     int give_up);
/* Receives a parked command's result and answer (which it may take:
 * it is freed after the call). */
typedef void (*sl_cmd_done_t)(void *arg, int ret, struct sl_out *out);

/*
 * Run one command line. On success @p out holds the answer (text, or a
 * JSON value when out->json); on error the message, with the usage line
 * for argument errors. Returns 0 or -errno. A command that would have
 * to wait for the workers is refused here (-EAGAIN): callers that can
 * wait use sl_cmd_start().
 */
int sl_cmd_exec(struct sl_app *app, const char *line, struct sl_out *out);

/*
 * Run one command line as sl_cmd_exec() does, except that a command
 * which waits for the workers returns -EINPROGRESS: its result and
 * answer come later through @p done(@p arg, ...), called once from
 * sl_cmd_poll(), at the latest SL_CMD_TIMEOUT_S seconds on. *@p pend is
 * then the handle to sl_cmd_cancel() it by (NULL otherwise).
 */
int sl_cmd_start(struct sl_app *app, const char *line, struct sl_out *out,
		 sl_cmd_done_t done, void *arg, struct sl_cmd_pending **pend);

/* Whoever asked is gone: @p done is never called; what the command
 * holds is released as soon as the workers let go of it. */
void sl_cmd_cancel(struct sl_cmd_pending *p);

/* For a handler: park @p cont with @p state (see sl_cmd_cont_t) and
 * return what the handler returns: -EINPROGRESS, or -EAGAIN with the
 * reason in @p out when its caller cannot wait (@p state is then the
 * handler's to release). */
int sl_cmd_defer(struct sl_out *out, sl_cmd_cont_t cont, void *state);

/* sl_cmd_defer() with a deadline of @p seconds instead of
 * SL_CMD_TIMEOUT_S (a command that waits on purpose: trace). */
int sl_cmd_defer_for(struct sl_out *out, sl_cmd_cont_t cont, void *state, unsigned seconds);

/* Run the parked commands; deliver the finished ones; free the worker
 * requests the workers have handed back. Called by the management loop
 * every round. */
void sl_cmd_poll(struct sl_app *app);

/* The trace command (trace.c). */
int sl_cmd_trace(struct sl_app *app, int argc, char **argv, struct sl_out *out);

#endif
