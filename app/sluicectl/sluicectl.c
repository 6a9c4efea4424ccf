/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sluicectl: run one Sluice command through the admin socket.
 *
 *   sluicectl [-s SOCKET] [--json] COMMAND [ARGS...]
 *
 * Prints the answer and exits 0, or prints the error on stderr and exits
 * 1 (2 when Sluice cannot be reached or its answer is incomplete, 64 for
 * a usage error).
 *
 * An answer is used only when it is whole: Sluice closes the connection
 * after it, and a text answer ends with its status line ("ok" or
 * "error: ..."), a JSON answer is one JSON object on one line. Anything
 * else (the connection cut early, a reply that is not JSON) is reported
 * as an incomplete answer, never printed as if it were one.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "sl_version.h"

#define DEFAULT_SOCKET "/run/sluice/sluice.sock"
/* The longest line the admin socket takes, its newline not counted. */
#define LINE_MAX_CHARS 4095
/* Nesting a JSON answer may have (Sluice's have 3 levels). */
#define JSON_DEPTH 64

/* ---- a validating JSON scanner (RFC 8259), no values kept ---- */

struct json_scan {
	const char *p, *end;
	int depth;
};

static int json_value(struct json_scan *s);

static void
json_ws(struct json_scan *s)
{
	while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' ||
				 *s->p == '\r'))
		s->p++;
}

static int
json_eat(struct json_scan *s, char c)
{
	if (s->p >= s->end || *s->p != c)
		return 0;
	s->p++;
	return 1;
}

static int
json_digits(struct json_scan *s)
{
	const char *start = s->p;

	while (s->p < s->end && *s->p >= '0' && *s->p <= '9')
		s->p++;
	return s->p > start;
}

static int
json_string(struct json_scan *s)
{
	int i;

	if (!json_eat(s, '"'))
		return 0;
	while (s->p < s->end) {
		unsigned char c = (unsigned char)*s->p++;

		if (c == '"')
			return 1;
		if (c < 0x20)
			return 0;   /* control characters must be escaped */
		if (c != '\\')
			continue;   /* UTF-8 bytes pass as they are */
		if (s->p >= s->end)
			return 0;
		c = (unsigned char)*s->p++;
		if (c == 'u') {
			for (i = 0; i < 4; i++, s->p++)
				if (s->p >= s->end || strchr("0123456789abcdefABCDEF", *s->p) == NULL ||
				    *s->p == '\0')
					return 0;
		} else if (strchr("\"\\/bfnrt", c) == NULL || c == '\0') {
			return 0;
		}
	}
	return 0;
}

static int
json_number(struct json_scan *s)
{
	json_eat(s, '-');
	if (!json_eat(s, '0') && !json_digits(s))
		return 0;
	if (json_eat(s, '.') && !json_digits(s))
		return 0;
	if (json_eat(s, 'e') || json_eat(s, 'E')) {
		if (!json_eat(s, '+'))
			json_eat(s, '-');
		if (!json_digits(s))
			return 0;
	}
	return 1;
}

static int
json_word(struct json_scan *s, const char *w)
{
	size_t n = strlen(w);

	if ((size_t)(s->end - s->p) < n || memcmp(s->p, w, n) != 0)
		return 0;
	s->p += n;
	return 1;
}

/* An object ('{') or an array ('['), its opening bracket eaten. */
static int
json_members(struct json_scan *s, char close)
{
	int ok = 1;

	if (++s->depth > JSON_DEPTH)
		return 0;
	json_ws(s);
	if (json_eat(s, close)) {
		s->depth--;
		return 1;
	}
	for (;;) {
		if (close == '}') {
			ok = json_string(s);
			json_ws(s);
			ok = ok && json_eat(s, ':');
			json_ws(s);
		}
		ok = ok && json_value(s);
		json_ws(s);
		if (!ok)
			return 0;
		if (json_eat(s, close))
			break;
		if (!json_eat(s, ','))
			return 0;
		json_ws(s);
	}
	s->depth--;
	return 1;
}

static int
json_value(struct json_scan *s)
{
	if (s->p >= s->end)
		return 0;
	switch (*s->p) {
	case '{': s->p++; return json_members(s, '}');
	case '[': s->p++; return json_members(s, ']');
	case '"': return json_string(s);
	case 't': return json_word(s, "true");
	case 'f': return json_word(s, "false");
	case 'n': return json_word(s, "null");
	default: return json_number(s);
	}
}

/* Whether @p buf is one JSON object followed by one newline, no more. */
static int
json_answer_whole(const char *buf, size_t len)
{
	struct json_scan s = { .p = buf, .end = buf + len, .depth = 0 };

	if (len == 0 || buf[0] != '{' || !json_value(&s))
		return 0;
	return s.end - s.p == 1 && *s.p == '\n';
}

/* Whether @p buf is a text answer ending with its status line. */
static int
text_answer_whole(const char *buf, size_t len)
{
	const char *last;

	if (len == 0 || buf[len - 1] != '\n')
		return 0;
	for (last = buf + len - 1; last > buf && last[-1] != '\n'; last--)
		;
	return (buf + len - last == 3 && memcmp(last, "ok", 2) == 0) ||
	       ((size_t)(buf + len - last) > 7 && memcmp(last, "error: ", 7) == 0);
}

static void
usage(FILE *f)
{
	fprintf(f, "usage: sluicectl [-s SOCKET] [--json] COMMAND [ARGS...]\n"
		"  -s, --socket PATH  admin socket (default " DEFAULT_SOCKET ")\n"
		"  -j, --json         answer as JSON\n"
		"  -V, --version      print the version and exit\n"
		"  sluicectl help     lists the commands\n");
}

int
main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = getenv("SLUICE_SOCKET");
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char line[LINE_MAX_CHARS + 2], *resp = NULL, *last, *end;
	size_t len = 0, cap = 0, used = 0, alen;
	int json = 0, opt, fd, i, ok;

	if (path == NULL)
		path = DEFAULT_SOCKET;
	/* options only before the command: its own arguments may start with - */
	while ((opt = getopt_long(argc, argv, "+s:jhV", lo, NULL)) != -1) {
		switch (opt) {
		case 's': path = optarg; break;
		case 'j': json = 1; break;
		case 'h': usage(stdout); return 0;
		case 'V':
			/* the version alone when built without git (see app/meson.build) */
			if (strcmp(SL_VERSION_VCS, SL_VERSION) == 0)
				printf("sluicectl %s\n", SL_VERSION);
			else
				printf("sluicectl %s (git %s)\n", SL_VERSION, SL_VERSION_VCS);
			return 0;
		default: usage(stderr); return 64;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return 64;
	}
	if (json) {
		memcpy(line, "--json", 6);
		used = 6;
	}
	for (i = optind; i < argc; i++) {
		if (strpbrk(argv[i], "\n\r") != NULL) {
			fprintf(stderr, "sluicectl: arguments may not contain line breaks\n");
			return 64;
		}
		alen = strlen(argv[i]);
		if (used + (used ? 1 : 0) + alen > LINE_MAX_CHARS) {
			fprintf(stderr, "sluicectl: command too long (at most %d characters)\n",
				LINE_MAX_CHARS);
			return 64;
		}
		if (used)
			line[used++] = ' ';
		memcpy(line + used, argv[i], alen);
		used += alen;
	}
	line[used++] = '\n';

	if (strlen(path) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "sluicectl: socket path too long: %s\n", path);
		return 64;
	}
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		fprintf(stderr, "sluicectl: cannot reach Sluice at %s: %s\n", path, strerror(errno));
		return 2;
	}
	if (write(fd, line, used) != (ssize_t)used) {
		fprintf(stderr, "sluicectl: %s: %s\n", path, strerror(errno));
		return 2;
	}
	shutdown(fd, SHUT_WR);
	for (;;) {
		ssize_t n;

		if (cap - len < 4096) {
			cap = cap ? cap * 2 : 65536;
			resp = realloc(resp, cap);
			if (resp == NULL) {
				fprintf(stderr, "sluicectl: out of memory for the answer\n");
				return 2;
			}
		}
		n = read(fd, resp + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	if (len == 0) {
		fprintf(stderr, "sluicectl: no answer from %s\n", path);
		return 2;
	}
	resp[len] = '\0';
	if (json && text_answer_whole(resp, len) && strncmp(resp, "error: ", 7) == 0 &&
	    memchr(resp, '\n', len) == resp + len - 1) {
		/* refused before the command was read (too many clients,
		 * line too long): Sluice cannot know it wanted JSON */
		fprintf(stderr, "sluicectl: %s", resp + 7);
		return 1;
	}
	if (json ? !json_answer_whole(resp, len) : !text_answer_whole(resp, len)) {
		fprintf(stderr, "sluicectl: incomplete answer from %s\n", path);
		return 2;
	}
	if (json) {
		ok = strncmp(resp, "{\"ok\":true", 10) == 0;
		fputs(resp, ok ? stdout : stderr);
		return ok ? 0 : 1;
	}
	/* the last line is the status: "ok" or "error: ..." */
	end = resp + len;
	while (end > resp && end[-1] == '\n')
		*--end = '\0';
	last = strrchr(resp, '\n');
	if (last != NULL)
		*last++ = '\0';
	else
		last = resp;
	ok = strcmp(last, "ok") == 0;
	if (last != resp) {
		fputs(resp, stdout);
		fputc('\n', stdout);
	}
	if (!ok)
		fprintf(stderr, "sluicectl: %s\n", strncmp(last, "error: ", 7) == 0 ?
			last + 7 : last);
	return ok ? 0 : 1;
}
