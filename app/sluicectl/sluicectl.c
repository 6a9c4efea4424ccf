/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sluicectl: run one Sluice command through the admin socket.
 *
 *   sluicectl [-s SOCKET] [--json] COMMAND [ARGS...]
 *
 * Prints the answer and exits 0, or prints the error on stderr and exits
 * 1 (2 when Sluice cannot be reached, 64 for a usage error).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>

#define DEFAULT_SOCKET "/run/sluice/sluice.sock"

static void
usage(FILE *f)
{
	fprintf(f, "usage: sluicectl [-s SOCKET] [--json] COMMAND [ARGS...]\n"
		"  -s, --socket PATH  admin socket (default " DEFAULT_SOCKET ")\n"
		"  -j, --json         answer as JSON\n"
		"  sluicectl help     lists the commands\n");
}

int
main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = getenv("SLUICE_SOCKET");
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char line[4096], *resp = NULL, *last, *end;
	size_t len = 0, cap = 0, used;
	int json = 0, opt, fd, i, ok;

	if (path == NULL)
		path = DEFAULT_SOCKET;
	/* options only before the command: its own arguments may start with - */
	while ((opt = getopt_long(argc, argv, "+s:jh", lo, NULL)) != -1) {
		switch (opt) {
		case 's': path = optarg; break;
		case 'j': json = 1; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 64;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return 64;
	}
	used = (size_t)snprintf(line, sizeof(line), "%s", json ? "--json" : "");
	for (i = optind; i < argc; i++) {
		if (strpbrk(argv[i], "\n\r") != NULL) {
			fprintf(stderr, "sluicectl: arguments may not contain line breaks\n");
			return 64;
		}
		used += (size_t)snprintf(line + used, sizeof(line) - used, "%s%s",
					 used ? " " : "", argv[i]);
		if (used >= sizeof(line) - 2) {
			fprintf(stderr, "sluicectl: command too long\n");
			return 64;
		}
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
			if (resp == NULL)
				return 2;
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
