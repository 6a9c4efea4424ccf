/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The interactive console (sluice -i): DPDK's librte_cmdline on stdin,
 * as testpmd has it: a prompt, help, TAB completion, history. Its
 * instructions are built at run time from the one command table
 * (cmd.h): one per command, a fixed-string token per word so TAB
 * completes the words, and a trailing multi-word token for the
 * arguments. Every handler rebuilds the line and runs it through
 * sl_cmd_exec(), so the console, the admin socket and sluicectl take
 * the same lines and give the same answers.
 *
 * A multi-word token never matches zero words (cmdline stops at the end
 * of the line while tokens remain and calls that "Bad arguments"), so a
 * command whose arguments are all optional gets two instructions, one
 * without arguments and one with. A last, catch-all instruction takes
 * any line no command matches and lets sl_cmd_exec() say what is wrong
 * (unknown command, try help; wrong arguments, usage) instead of
 * cmdline's bare "Command not found".
 *
 * The management loop polls the console (cmdline_poll, never blocking)
 * between ARP, health checks and the admin socket. Answers go to stdout,
 * logs stay on stderr. A command that waits for the workers (show
 * flows) answers later (cmd.h): until then the console reads no more
 * input and shows no prompt, so answers come in the order of the lines.
 * On a terminal the console echoes and prompts; on a pipe it reads line
 * by line and prints only the answers. quit, Ctrl-D on an empty line and
 * the end of the input stop Sluice as SIGTERM does (after the answer a
 * command still waits for).
 *
 * Thread-safety: management lcore only.
 */
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmdline.h>
#include <cmdline_parse.h>
#include <cmdline_parse_string.h>
#include <cmdline_rdline.h>
#include <cmdline_socket.h>

#include "sluice.h"
#include "cmd.h"

#define PROMPT         "sluice> "
#define MAX_WORDS      4     /* words in a command's name */
#define WORD_MAX       32    /* characters in one of them */
#define BYTES_PER_POLL 256   /* input taken per management loop round */

/* Where cmdline puts what it parsed (its result buffer). */
struct parsed {
	cmdline_fixed_string_t words[MAX_WORDS];
	cmdline_multi_string_t args;
};

/* A token and what the console knows about it; cmdline sees tk only. */
struct tok {
	cmdline_parse_token_string_t tk;   /* first: cast to and from it */
	const struct sl_cmd *cmd;
	int dup;                /* an earlier instruction offers the same word */
	char word[WORD_MAX];
};

static struct {
	struct sl_app *app;
	struct cmdline *cl;
	cmdline_parse_ctx_t *ctx;   /* NULL-terminated */
	unsigned n_inst;
	struct tok *toks;
	unsigned n_toks;
	int tty;                    /* stdin is a terminal: echo and prompt */
	int ended;                  /* quit, Ctrl-D or end of input seen */
	int in_check;               /* the catch-all asks cmdline (no recursion) */
	struct sl_cmd_pending *pend; /* a command waiting for the workers */
	int stop_answered;          /* input ended: stop once it is answered */
} con;

/* ---- token types ---- */

static int
word_elt(cmdline_parse_token_hdr_t *tk, int idx, char *dst, unsigned int size)
{
	/* offered once however many commands share the word */
	if (((struct tok *)tk)->dup)
		return -1;
	return cmdline_complete_get_elt_string(tk, idx, dst, size);
}

static int
word_help(cmdline_parse_token_hdr_t *tk, char *dst, unsigned int size)
{
	const struct sl_cmd *c = ((struct tok *)tk)->cmd;

	snprintf(dst, size, "%s%s%s", c->name, c->args[0] ? " " : "", c->args);
	return 0;
}

static int
args_help(cmdline_parse_token_hdr_t *tk, char *dst, unsigned int size)
{
	snprintf(dst, size, "%s", ((struct tok *)tk)->cmd->args);
	return 0;
}

/*
 * The catch-all matches a whole line that no command's instruction
 * matches. It asks cmdline itself (the guard keeps it out of that
 * check), and stays out of completion: there res is NULL.
 */
static int
other_parse(cmdline_parse_token_hdr_t *tk, const char *buf, void *res,
	    unsigned int size)
{
	int known;

	if (res == NULL || con.in_check)
		return -1;
	con.in_check = 1;
	known = cmdline_parse_check(con.cl, buf) > 0;
	con.in_check = 0;
	if (known)
		return -1;
	/* the rest of the line, as any multi-word string token takes it */
	return cmdline_parse_string(tk, buf, res, size);
}

static int
other_nb(cmdline_parse_token_hdr_t *tk)
{
	return 1;
}

static int
other_elt(cmdline_parse_token_hdr_t *tk, int idx, char *dst, unsigned int size)
{
	return -1;   /* nothing to offer, and not listed either */
}

/* a word before a command's last one: completes, no help of its own */
static struct cmdline_token_ops word_ops = {
	.parse = cmdline_parse_string,
	.complete_get_nb = cmdline_complete_get_nb_string,
	.complete_get_elt = word_elt,
};
/* a command's last word: TAB listings show its usage and help */
static struct cmdline_token_ops last_word_ops = {
	.parse = cmdline_parse_string,
	.complete_get_nb = cmdline_complete_get_nb_string,
	.complete_get_elt = word_elt,
	.get_help = word_help,
};
/* the arguments: nothing to complete, TAB shows the usage */
static struct cmdline_token_ops args_ops = {
	.parse = cmdline_parse_string,
	.get_help = args_help,
};
static struct cmdline_token_ops other_ops = {
	.parse = other_parse,
	.complete_get_nb = other_nb,
	.complete_get_elt = other_elt,
};

/* ---- answers ---- */

static void
put(const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(STDOUT_FILENO, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;   /* stdout gone: Sluice goes on without it */
		buf += n;
		len -= (size_t)n;
	}
}

static void
print_answer(int ret, struct sl_out *o, const struct sl_cmd *cmd)
{
	struct sl_out r = { 0 };

	if (ret == 0) {
		sl_out_printf(&r, "%.*s", (int)o->len, o->len ? o->buf : "");
	} else {
		sl_out_printf(&r, "error: %.*s", (int)o->len,
			      o->len ? o->buf : strerror(-ret));
		if (cmd != NULL && (o->buf == NULL || strstr(o->buf, "usage:") == NULL))
			sl_out_printf(&r, "\nusage: %s%s%s", cmd->name,
				      cmd->args[0] ? " " : "", cmd->args);
	}
	if (r.len > 0 && r.buf[r.len - 1] != '\n')
		sl_out_printf(&r, "\n");
	if (r.buf != NULL)
		put(r.buf, r.len);
	sl_out_free(&r);
	if (sl_stopping(con.app) && !con.ended) {
		/* quit: no new prompt; main restores the terminal */
		con.ended = 1;
		cmdline_quit(con.cl);
	}
}

/* The answer of a command that waited for the workers (sl_cmd_poll). */
static void
answer_later(void *arg, int ret, struct sl_out *o)
{
	con.pend = NULL;
	print_answer(ret, o, arg);
	cmdline_set_prompt(con.cl, PROMPT);
	if (con.tty && !con.ended)
		rdline_newline(cmdline_get_rdline(con.cl), PROMPT);
	if (con.stop_answered) {
		/* relaxed: a flag the loops poll */
		__atomic_store_n(&con.app->stop, 1, __ATOMIC_RELAXED);
	}
}

/* Run @p line; @p cmd is the command cmdline matched, NULL if none. */
static void
run_line(const char *line, const struct sl_cmd *cmd)
{
	struct sl_out o = { 0 };
	int ret = sl_cmd_start(con.app, line, &o, answer_later, (void *)(uintptr_t)cmd,
			       &con.pend);

	if (ret == -EINPROGRESS) {
		/* no prompt until the answer: cmdline prints this one next */
		cmdline_set_prompt(con.cl, "");
	} else {
		print_answer(ret, &o, cmd);
	}
	sl_out_free(&o);
}

static void
run_cmd(void *res, struct cmdline *cl, void *data)
{
	const struct sl_cmd *cmd = data;
	const struct parsed *p = res;
	char line[STR_MULTI_TOKEN_SIZE + 64];

	snprintf(line, sizeof(line), "%s %s", cmd->name, p->args);
	run_line(line, cmd);
}

static void
run_other(void *res, struct cmdline *cl, void *data)
{
	run_line(((const struct parsed *)res)->args, NULL);
}

/* ---- instructions from the command table ---- */

/* The words of @p name; 0 if none, too many or one too long. */
static unsigned
split_name(const char *name, char words[MAX_WORDS][WORD_MAX])
{
	unsigned n = 0;
	size_t len;

	while (*name != '\0') {
		len = strcspn(name, " ");
		if (n == MAX_WORDS || len >= WORD_MAX)
			return 0;
		memcpy(words[n], name, len);
		words[n++][len] = '\0';
		name += len;
		name += strspn(name, " ");
	}
	return n;
}

/* Whether an instruction before @p upto already offers words 0..k. */
static int
offered_before(unsigned upto, char words[MAX_WORDS][WORD_MAX], unsigned k)
{
	unsigned i, j;

	for (i = 0; i < upto; i++) {
		const cmdline_parse_inst_t *in = con.ctx[i];

		for (j = 0; j <= k; j++) {
			const struct tok *t = (const struct tok *)in->tokens[j];

			if (t == NULL || t->tk.hdr.ops == &args_ops ||
			    t->tk.hdr.ops == &other_ops || strcmp(t->word, words[j]) != 0)
				break;
		}
		if (j > k)
			return 1;
	}
	return 0;
}

static struct tok *
new_tok(struct cmdline_token_ops *ops, unsigned offset, const char *str,
	const struct sl_cmd *cmd)
{
	struct tok *t = &con.toks[con.n_toks++];

	t->tk.hdr.ops = ops;
	t->tk.hdr.offset = offset;
	t->tk.string_data.str = str;
	t->cmd = cmd;
	return t;
}

/* One instruction: @p cmd's words, then its arguments if @p with_args;
 * @p cmd NULL is the catch-all. */
static int
add_inst(const struct sl_cmd *cmd, int with_args)
{
	char words[MAX_WORDS][WORD_MAX];
	unsigned nw = 0, k, ntok;
	cmdline_parse_inst_t *in;

	if (cmd != NULL) {
		nw = split_name(cmd->name, words);
		if (nw == 0) {
			SL_LOG(ERR, "console: command '%s': no words, more than %d or one of %d characters or more",
			       cmd->name, MAX_WORDS, WORD_MAX);
			return -EINVAL;
		}
	}
	ntok = nw + (with_args || cmd == NULL);
	in = calloc(1, sizeof(*in) + (ntok + 1) * sizeof(in->tokens[0]));
	if (in == NULL)
		return -ENOMEM;
	for (k = 0; k < nw; k++) {
		struct tok *t = new_tok(k + 1 == nw ? &last_word_ops : &word_ops,
					(unsigned)offsetof(struct parsed, words[k]), NULL, cmd);

		memcpy(t->word, words[k], sizeof(t->word));
		t->tk.string_data.str = t->word;
		t->dup = offered_before(con.n_inst, words, k);
		in->tokens[k] = &t->tk.hdr;
	}
	if (cmd == NULL)
		in->tokens[k++] = &new_tok(&other_ops, offsetof(struct parsed, args),
					   TOKEN_STRING_MULTI, NULL)->tk.hdr;
	else if (with_args)
		in->tokens[k++] = &new_tok(&args_ops, offsetof(struct parsed, args),
					   TOKEN_STRING_MULTI, cmd)->tk.hdr;
	in->tokens[k] = NULL;
	in->f = cmd != NULL ? run_cmd : run_other;
	in->data = (void *)cmd;
	in->help_str = cmd != NULL ? cmd->help : NULL;
	con.ctx[con.n_inst++] = in;
	return 0;
}

static void
free_ctx(void)
{
	unsigned i;

	for (i = 0; i < con.n_inst; i++)
		free(con.ctx[i]);
	free(con.ctx);
	free(con.toks);
	con.ctx = NULL;
	con.toks = NULL;
	con.n_inst = con.n_toks = 0;
}

static int
build_ctx(void)
{
	unsigned i, n_inst = 1, n_toks = 1;
	int ret = 0;

	RTE_BUILD_BUG_ON(sizeof(struct parsed) > CMDLINE_PARSE_RESULT_BUFSIZE);
	for (i = 0; i < sl_n_cmds; i++) {
		/* more than enough: every word and an arguments token, twice */
		n_inst += 2;
		n_toks += 2 * (MAX_WORDS + 1);
	}
	con.ctx = calloc(n_inst + 1, sizeof(con.ctx[0]));
	con.toks = calloc(n_toks, sizeof(con.toks[0]));
	if (con.ctx == NULL || con.toks == NULL) {
		free_ctx();
		return -ENOMEM;
	}
	for (i = 0; i < sl_n_cmds && ret == 0; i++) {
		const struct sl_cmd *c = &sl_cmds[i];

		if (c->max_args == 0 || c->min_args == 0)
			ret = add_inst(c, 0);
		if (ret == 0 && c->max_args > 0)
			ret = add_inst(c, 1);
	}
	/* last: it matches only what nothing above does */
	if (ret == 0)
		ret = add_inst(NULL, 0);
	if (ret != 0)
		free_ctx();
	return ret;
}

/* ---- life cycle ---- */

int
sl_console_start(struct sl_app *app)
{
	int ret;

	con.app = app;
	con.tty = isatty(STDIN_FILENO);
	if (con.tty) {
		pid_t fg = tcgetpgrp(STDIN_FILENO);

		/* reading the terminal from the background stops the process */
		if (fg >= 0 && fg != getpgrp()) {
			SL_LOG(ERR, "console: not in the foreground of its terminal (started with '&'?); "
			       "run sluice -i in the foreground, or without -i and use sluicectl");
			return -EBUSY;
		}
	}
	ret = build_ctx();
	if (ret != 0) {
		SL_LOG(ERR, "console: cannot build the command instructions: %s", strerror(-ret));
		return ret;
	}
	/* on a pipe: no echo and no prompt (s_out -1), answers only */
	con.cl = con.tty ? cmdline_stdin_new(con.ctx, PROMPT) :
		cmdline_new(con.ctx, PROMPT, STDIN_FILENO, -1);
	if (con.cl == NULL) {
		SL_LOG(ERR, "console: cannot create the command line");
		free_ctx();
		return -ENOMEM;
	}
	con.ended = 0;
	con.pend = NULL;
	con.stop_answered = 0;
	return 0;
}

static void
input_ended(struct sl_app *app, int ret)
{
	con.ended = 1;
	if (ret == RDLINE_EXITED && !con.tty) {
		/* a last line without its newline still counts */
		struct rdline *rdl = cmdline_get_rdline(con.cl);

		cmdline_parse(con.cl, rdline_get_buffer(rdl));
	}
	if (con.tty)
		put("quit\n", 5);   /* as a shell echoes exit on Ctrl-D */
	SL_LOG(NOTICE, "console: end of input");
	if (con.pend != NULL) {
		con.stop_answered = 1;   /* the last line's answer first */
		return;
	}
	/* relaxed: a flag the loops poll */
	__atomic_store_n(&app->stop, 1, __ATOMIC_RELAXED);
}

void
sl_console_poll(struct sl_app *app)
{
	struct pollfd pfd = { .fd = STDIN_FILENO, .events = POLLIN };
	unsigned i;
	int ret;

	if (con.cl == NULL || con.ended)
		return;
	/* cmdline_poll takes one byte a call: take what is there, within
	 * reason, and nothing while a command waits for its answer */
	for (i = 0; i < BYTES_PER_POLL && con.pend == NULL; i++) {
		if (poll(&pfd, 1, 0) <= 0)
			return;
		ret = cmdline_poll(con.cl);
		if (con.ended)
			return;   /* quit ran */
		/* EXITED: end of file; negative: Ctrl-D on an empty line, or
		 * a read error (the terminal went away) */
		if (ret == RDLINE_EXITED || ret < 0) {
			input_ended(app, ret);
			return;
		}
	}
}

void
sl_console_stop(void)
{
	sl_cmd_cancel(con.pend);
	con.pend = NULL;
	if (con.cl != NULL) {
		if (con.tty) {
			/* stopped by a signal: leave the prompt's line */
			if (!con.ended)
				put("\n", 1);
			cmdline_stdin_exit(con.cl);
		} else {
			cmdline_free(con.cl);
		}
		con.cl = NULL;
	}
	free_ctx();
}
