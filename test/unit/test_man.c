/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The man pages and the bash completion against the code they describe,
 * so that neither can drift:
 *
 * - sluice.ini(5) has an entry for every key of every section the parser
 *   accepts (and every backend option), and every entry is a key the
 *   parser accepts; each entry's "Default:" is the value --check prints
 *   for a file without the key; each "Range: MIN..MAX" is the parser's
 *   (MIN and MAX are taken, one step outside is out of range), and every
 *   key the parser range-checks has one.
 * - sluicectl(8) lists exactly the commands of the command table, each
 *   with its arguments as the table gives them.
 * - the bash completion offers exactly those commands.
 *
 * The sources are found through SL_SRCDIR (set by meson), or relative to
 * the build directory.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "sl_config.h"
#include "cmd.h"
#include "sl_test.h"

#define MAX_ENTRIES 256

struct entry {
	char sect[32];		/* "global", "port", ..., "backend", "commands" */
	char name[64];		/* key, or a command's words */
	char head[256];		/* the name line, fonts removed */
	char body[2048];	/* the text after it, fonts removed */
};

static struct entry entries[MAX_ENTRIES];
static unsigned n_entries;

/* SL_SRCDIR/REL, or REL from the build directory or below it. */
static char *
read_src(const char *rel)
{
	static const char *const ups[] = { "", "../", "../../", "../../../" };
	char path[1024];
	const char *dir = getenv("SL_SRCDIR");
	char *buf = NULL;
	long len;
	unsigned i;
	FILE *f = NULL;

	if (dir != NULL) {
		snprintf(path, sizeof(path), "%s/%s", dir, rel);
		f = fopen(path, "r");
	}
	for (i = 0; f == NULL && i < sizeof(ups) / sizeof(ups[0]); i++) {
		snprintf(path, sizeof(path), "%s%s", ups[i], rel);
		f = fopen(path, "r");
	}
	if (f == NULL) {
		printf("\n  %s not found (set SL_SRCDIR)\n", rel);
		return NULL;
	}
	if (fseek(f, 0, SEEK_END) == 0 && (len = ftell(f)) >= 0 &&
	    fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)len + 1)) != NULL) {
		if (fread(buf, 1, (size_t)len, f) != (size_t)len) {
			free(buf);
			buf = NULL;
		} else {
			buf[len] = '\0';
		}
	}
	fclose(f);
	return buf;
}

/*
 * Append man source @p line to @p out as plain text: a leading macro
 * (".B ", ".BI ", ...) and quotes dropped, font changes removed, "\-"
 * as "-".
 */
static void
append_plain(char *out, size_t cap, const char *line)
{
	size_t n = strlen(out);
	const char *p = line;

	if (*p == '.') {
		p += strcspn(p, " ");
		p += strspn(p, " ");
	}
	if (n > 0 && n + 1 < cap)
		out[n++] = ' ';
	for (; *p != '\0' && *p != '\n' && n + 1 < cap; p++) {
		if (*p == '"')
			continue;
		if (p[0] == '\\' && p[1] == 'f' && p[2] != '\0') {
			p += 2;
			continue;
		}
		if (p[0] == '\\' && p[1] == '-') {
			out[n++] = '-';
			p++;
			continue;
		}
		if (*p == ' ' && n > 0 && out[n - 1] == ' ')
			continue;
		out[n++] = *p;
	}
	out[n] = '\0';
}

/*
 * The entries of a page: ".TP" then a ".B"/".BI" line whose first
 * argument is the name, under ".SS [SECTION]" (".SS Backend options":
 * "backend"; ".SH COMMANDS": "commands").
 */
static void
parse_page(const char *text)
{
	const char *line = text, *next;
	char sect[32] = "";
	struct entry *e = NULL;
	bool want_name = false;

	n_entries = 0;
	for (; *line != '\0'; line = next) {
		next = strchr(line, '\n');
		next = next != NULL ? next + 1 : line + strlen(line);
		if (strncmp(line, ".SS ", 4) == 0 || strncmp(line, ".SH ", 4) == 0) {
			const char *b = memchr(line, '[', (size_t)(next - line));

			e = NULL;
			sect[0] = '\0';
			if (b != NULL)
				snprintf(sect, sizeof(sect), "%.*s",
					 (int)strcspn(b + 1, ".]\n"), b + 1);
			else if (strncmp(line, ".SS Backend options", 19) == 0)
				snprintf(sect, sizeof(sect), "backend");
			else if (strncmp(line, ".SH COMMANDS", 12) == 0)
				snprintf(sect, sizeof(sect), "commands");
			continue;
		}
		if (strncmp(line, ".TP", 3) == 0 && (line[3] == '\n' || line[3] == '\0')) {
			e = NULL;
			want_name = sect[0] != '\0';
			continue;
		}
		if (want_name) {
			const char *p = line;
			size_t n;

			want_name = false;
			if (strncmp(p, ".B ", 3) != 0 && strncmp(p, ".BI ", 4) != 0)
				continue;
			CU_ASSERT_FATAL(n_entries < MAX_ENTRIES);
			e = &entries[n_entries++];
			memset(e, 0, sizeof(*e));
			snprintf(e->sect, sizeof(e->sect), "%s", sect);
			p += strcspn(p, " ") + 1;
			if (*p == '"') {
				p++;
				n = strcspn(p, "\"\n");
			} else {
				n = strcspn(p, " \n");
			}
			while (n > 0 && p[n - 1] == ' ')
				n--;
			if (strcmp(sect, "commands") != 0)
				n = strspn(p, "abcdefghijklmnopqrstuvwxyz0123456789_");
			snprintf(e->name, sizeof(e->name), "%.*s", (int)n, p);
			append_plain(e->head, sizeof(e->head), line);
			continue;
		}
		if (e != NULL && strncmp(line, ".\\\"", 3) != 0)
			append_plain(e->body, sizeof(e->body), line);
	}
}

static const struct entry *
find_entry(const char *sect, const char *name)
{
	unsigned i;

	for (i = 0; i < n_entries; i++)
		if (strcmp(entries[i].sect, sect) == 0 && strcmp(entries[i].name, name) == 0)
			return &entries[i];
	return NULL;
}

/* Sections of sluice.ini(5): the parser's, then the backend options. */
static const char *
page_section(unsigned i)
{
	const char *s = sl_config_section_name(i);

	if (s != NULL)
		return s;
	return sl_config_section_name(i - 1) != NULL ? "backend" : NULL;
}

/*
 * A file with @p key = @p value in section @p sect and what it needs
 * around it; the parser's message for it ("" if it loads).
 */
static void
try_value(const char *sect, const char *key, const char *value, char *err, size_t len)
{
	char text[1024], spec[256], kv[300], head[340] = "", port[400], svc[500];
	struct sl_config *cfg;
	struct sl_config_backend b;
	bool is_svc = strcmp(sect, "service") == 0;

	err[0] = '\0';
	if (strcmp(sect, "backend") == 0) {
		snprintf(spec, sizeof(spec), "10.0.0.11:80 %s=%s", key, value);
		sl_config_backend_parse(spec, &b, err, len);
		return;
	}
	snprintf(kv, sizeof(kv), "%s = %s\n", key, value);
	if (!is_svc && strcmp(sect, "port") != 0)
		snprintf(head, sizeof(head), "[%s]\n%s", sect, kv);
	snprintf(port, sizeof(port), "[port.a]\ndevice = net_null0\naddress = 10.0.0.1/24\n%s",
		 strcmp(sect, "port") == 0 ? kv : "");
	/* the service's required keys, but the one tried */
	snprintf(svc, sizeof(svc), "[service.s]\n%s%s%s%sbackend = 10.0.0.11:80\n",
		 is_svc && strcmp(key, "vip") == 0 ? "" : "vip = 10.0.0.100\n",
		 is_svc && strcmp(key, "port") == 0 ? "" : "port = 80\n",
		 is_svc && strcmp(key, "protocol") == 0 ? "" : "protocol = tcp\n",
		 is_svc ? kv : "");
	snprintf(text, sizeof(text), "%s%s%s", head, port, svc);
	cfg = sl_config_parse_string(text, "m.ini", err, len);
	sl_config_free(cfg);
}

/* The value of "Range: MIN..MAX" in @p body. */
static bool
page_range(const char *body, unsigned long *min, unsigned long *max)
{
	const char *r = strstr(body, "Range: ");

	return r != NULL && sscanf(r, "Range: %lu..%lu", min, max) == 2;
}

static void
test_ini_page(void)
{
	char *page = read_src("docs/man/sluice.ini.5");
	const char *sect, *key;
	unsigned i, k, bad = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(page);
	parse_page(page);
	CU_ASSERT(n_entries > 60);

	/* (a) every key the parser accepts has its entry */
	for (i = 0; (sect = page_section(i)) != NULL; i++)
		for (k = 0; (key = sl_config_key_name(sect, k)) != NULL; k++)
			if (find_entry(sect, key) == NULL) {
				printf("\n  [%s] %s: not in sluice.ini(5)", sect, key);
				bad++;
			}
	/* (b) every entry is a key the parser accepts */
	for (i = 0; i < n_entries; i++) {
		const struct entry *e = &entries[i];
		char err[1024];

		try_value(e->sect, e->name, "\x01", err, sizeof(err));
		/* loads, or refused for its value: a key */
		if (strstr(err, "unknown key") != NULL ||
		    strstr(err, "unknown section") != NULL ||
		    strstr(err, "unknown backend option") != NULL) {
			printf("\n  sluice.ini(5) [%s] %s: not a key the parser accepts (%s)",
			       e->sect, e->name, err);
			bad++;
		}
		if (strstr(e->body, "Default:") == NULL && strstr(e->body, "Required") == NULL) {
			printf("\n  sluice.ini(5) [%s] %s: says neither Default: nor Required",
			       e->sect, e->name);
			bad++;
		}
	}
	CU_ASSERT_EQUAL(bad, 0);
	free(page);
}

/* Each "Default:" is what --check prints for a file without the key. */
static void
test_ini_page_defaults(void)
{
	static const char minimal[] =
		"[port.a]\ndevice = net_null0\naddress = 10.0.0.1/24\n"
		"[service.s]\nvip = 10.0.0.100\nport = 80\nprotocol = tcp\n"
		"backend = 10.0.0.11:80\n";
	char *page = read_src("docs/man/sluice.ini.5"), *out = NULL, err[512];
	char sect[32] = "", line[256];
	struct sl_config *cfg;
	size_t len = 0;
	unsigned bad = 0, checked = 0;
	FILE *f;

	CU_ASSERT_PTR_NOT_NULL_FATAL(page);
	parse_page(page);
	cfg = sl_config_parse_string(minimal, "min.ini", err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
	f = open_memstream(&out, &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_EQUAL(sl_config_print(cfg, f), 0);
	fclose(f);
	sl_config_free(cfg);

	f = fmemopen(out, len, "r");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	while (fgets(line, sizeof(line), f) != NULL) {
		char key[64], value[128], want[200];
		const struct entry *e;
		const char *p = line;

		line[strcspn(line, "\n")] = '\0';
		if (line[0] == '[') {
			snprintf(sect, sizeof(sect), "%.*s", (int)strcspn(line + 1, ".]"), line + 1);
			continue;
		}
		if (strncmp(p, "; ", 2) == 0)
			p += 2;
		if (sscanf(p, "%63[a-z0-9_] = %127[^\n]", key, value) != 2)
			continue;
		/* a comment's value, before its note; "(none)" and alike are
		 * no value */
		value[strcspn(value, "(")] = '\0';
		while (value[0] != '\0' && value[strlen(value) - 1] == ' ')
			value[strlen(value) - 1] = '\0';
		e = find_entry(sect, key);
		if (e == NULL || value[0] == '\0' || strstr(e->body, "Required") != NULL)
			continue;
		snprintf(want, sizeof(want), "Default: %s", value);
		checked++;
		if (strstr(e->body, want) == NULL) {
			printf("\n  sluice.ini(5) [%s] %s: --check prints '%s', the page does not say '%s'",
			       sect, key, value, want);
			bad++;
		}
	}
	fclose(f);
	if (checked < 35)
		printf("\n  only %u defaults checked", checked);
	CU_ASSERT(checked >= 35);
	CU_ASSERT_EQUAL(bad, 0);
	free(out);
	free(page);
}

/* Each "Range: MIN..MAX" is the parser's; every range-checked key has one. */
static void
test_ini_page_ranges(void)
{
	char *page = read_src("docs/man/sluice.ini.5");
	const char *sect, *key;
	unsigned i, k, bad = 0, checked = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(page);
	parse_page(page);
	for (i = 0; i < n_entries; i++) {
		const struct entry *e = &entries[i];
		unsigned long min, max, v[4];
		char err[1024], val[32];
		unsigned j;

		if (!page_range(e->body, &min, &max))
			continue;
		checked++;
		v[0] = min;
		v[1] = max;
		v[2] = min - 1;
		v[3] = max + 1;
		for (j = 0; j < 4; j++) {
			bool out_of_range;

			if (j == 2 && min == 0)
				continue;
			snprintf(val, sizeof(val), "%lu", v[j]);
			try_value(e->sect, e->name, val, err, sizeof(err));
			out_of_range = strstr(err, "out of range") != NULL;
			if (out_of_range != (j >= 2)) {
				printf("\n  sluice.ini(5) [%s] %s: Range %lu..%lu, but %s gives '%s'",
				       e->sect, e->name, min, max, val, err[0] ? err : "(loads)");
				bad++;
			}
		}
	}
	/* a key the parser checks a range of documents it */
	for (i = 0; (sect = page_section(i)) != NULL; i++)
		for (k = 0; (key = sl_config_key_name(sect, k)) != NULL; k++) {
			const struct entry *e = find_entry(sect, key);
			unsigned long min, max;
			char err[1024];

			char what[80];

			try_value(sect, key, "99999999999", err, sizeof(err));
			snprintf(what, sizeof(what), "%s 99999999999 is out of range", key);
			if (strstr(err, what) != NULL && e != NULL &&
			    !page_range(e->body, &min, &max)) {
				printf("\n  sluice.ini(5) [%s] %s: the parser checks a range, the page gives none",
				       sect, key);
				bad++;
			}
		}
	CU_ASSERT(checked > 30);
	CU_ASSERT_EQUAL(bad, 0);
	free(page);
}

/* sluicectl(8): the command table, word for word, with its arguments. */
static void
test_ctl_page(void)
{
	char *page = read_src("docs/man/sluicectl.8");
	unsigned i, bad = 0, n = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(page);
	parse_page(page);
	for (i = 0; i < sl_n_cmds; i++) {
		const struct entry *e = find_entry("commands", sl_cmds[i].name);
		char want[256];

		snprintf(want, sizeof(want), "%s%s%s", sl_cmds[i].name,
			 sl_cmds[i].args[0] ? " " : "", sl_cmds[i].args);
		if (e == NULL) {
			printf("\n  command '%s' not in sluicectl(8)", sl_cmds[i].name);
			bad++;
		} else if (strcmp(e->head, want) != 0) {
			printf("\n  sluicectl(8) has '%s', the command table '%s'", e->head, want);
			bad++;
		}
	}
	for (i = 0; i < n_entries; i++) {
		unsigned c;

		if (strcmp(entries[i].sect, "commands") != 0)
			continue;
		n++;
		for (c = 0; c < sl_n_cmds; c++)
			if (strcmp(entries[i].name, sl_cmds[c].name) == 0)
				break;
		if (c == sl_n_cmds) {
			printf("\n  sluicectl(8) lists '%s', which is no command", entries[i].name);
			bad++;
		}
	}
	CU_ASSERT_EQUAL(n, sl_n_cmds);
	CU_ASSERT_EQUAL(bad, 0);
	free(page);
}

/* The completion's command list, _sluicectl_commands=( "..." ... ). */
static void
test_completion_commands(void)
{
	char *text = read_src("tools/completion/sluicectl.bash");
	const char *p, *end;
	unsigned i, n = 0, bad = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	p = strstr(text, "_sluicectl_commands=(");
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	end = strchr(p, ')');
	CU_ASSERT_PTR_NOT_NULL_FATAL(end);
	for (p = strchr(p, '"'); p != NULL && p < end; p = strchr(p, '"')) {
		const char *q = strchr(p + 1, '"');
		char name[64];
		unsigned c;

		CU_ASSERT_PTR_NOT_NULL_FATAL(q);
		snprintf(name, sizeof(name), "%.*s", (int)(q - p - 1), p + 1);
		for (c = 0; c < sl_n_cmds; c++)
			if (strcmp(name, sl_cmds[c].name) == 0)
				break;
		if (c == sl_n_cmds) {
			printf("\n  completion offers '%s', which is no command", name);
			bad++;
		}
		n++;
		p = q + 1;
	}
	for (i = 0; i < sl_n_cmds; i++) {
		char quoted[80];

		snprintf(quoted, sizeof(quoted), "\"%s\"", sl_cmds[i].name);
		if (strstr(text, quoted) == NULL) {
			printf("\n  completion lacks command '%s'", sl_cmds[i].name);
			bad++;
		}
	}
	CU_ASSERT_EQUAL(n, sl_n_cmds);
	CU_ASSERT_EQUAL(bad, 0);
	free(text);
}

static const struct sl_test_case man_tests[] = {
	{ "sluice.ini(5): every key, only keys", test_ini_page },
	{ "sluice.ini(5): defaults as --check prints them", test_ini_page_defaults },
	{ "sluice.ini(5): ranges as the parser checks them", test_ini_page_ranges },
	{ "sluicectl(8): the command table", test_ctl_page },
	{ "bash completion: the command table", test_completion_commands },
};

SL_TEST_MAIN(NULL,
	SL_TEST_SUITE("man", NULL, NULL, man_tests));
