/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SLUICE_CMD_H
#define SLUICE_CMD_H

/*
 * The one command table behind the console, the admin socket and
 * sluicectl. A command is its words ("show backends"), its arguments,
 * its help and a handler that answers in text or JSON.
 *
 * Thread-safety: management lcore only. Handlers read workers' counters
 * and ask workers through their command rings; they never touch a
 * worker's tables.
 */

#include <stddef.h>
#include <stdarg.h>

struct sl_app;

/* Where a command's answer goes: text, or one JSON value. */
struct sl_out {
	char *buf;
	size_t len, cap;
	int json;
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
	/* 0, or -errno with the reason printed to @p out (text, not JSON) */
	int (*fn)(struct sl_app *app, int argc, char **argv, struct sl_out *out);
};

extern const struct sl_cmd sl_cmds[];
extern const unsigned sl_n_cmds;

/*
 * Run one command line. On success @p out holds the answer (text, or a
 * JSON value when out->json); on error the message, with the usage line
 * for argument errors. Returns 0 or -errno.
 */
int sl_cmd_exec(struct sl_app *app, const char *line, struct sl_out *out);

#endif
