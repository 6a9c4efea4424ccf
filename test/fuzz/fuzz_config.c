/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer harness: INI text through the configuration parser and
 * validator (lib/config), read from memory and from a file; a
 * configuration they accept must also pass what sluice does with it
 * next: validate again, compare with itself for a reload, and build
 * (twice, the second after the first, as a reload does) the service
 * snapshot with its routes, next hops and scheduler tables; and what
 * sluice --check prints of it must load again, as the same
 * configuration, and print the same text.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <rte_ether.h>
#include <rte_lcore.h>

#include "sl_config.h"
#include "sl_neigh.h"
#include "sl_svc.h"
#include "fuzz_common.h"

/* Maglev table entries over all services above which no snapshot is
 * built: the largest tables (16777213 entries) take seconds, which
 * says nothing about the parser and stalls the fuzzer. */
#define MAX_MAGLEV_TOTAL (1u << 21)

static struct sl_neigh_table *neigh;
static struct sl_port_hw hw[SL_MAX_PORTS];
static int memfd = -1;
static char memfd_path[64];

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	unsigned i;

	sl_fuzz_eal_init("config");
	neigh = sl_neigh_create(4096, (int)rte_socket_id());
	if (neigh == NULL)
		sl_fuzz_fail("no neighbour table");
	for (i = 0; i < SL_MAX_PORTS; i++) {
		struct rte_ether_addr m = { { 0x02, 0, 0, 0, 0x02, (uint8_t)i } };

		hw[i].mac = m;
		hw[i].port_id = (uint16_t)i;
	}
	/* the file reader's input, in memory (no disk writes per input) */
	memfd = memfd_create("slfuzz-config", 0);
	if (memfd < 0)
		sl_fuzz_fail("memfd_create failed");
	snprintf(memfd_path, sizeof(memfd_path), "/proc/self/fd/%d", memfd);
	return 0;
}

/* The same text from a file: NULL or a config, as from memory. */
static struct sl_config *
from_file(const uint8_t *data, size_t size)
{
	char err[512];

	if (ftruncate(memfd, 0) != 0 || pwrite(memfd, data, size, 0) != (ssize_t)size)
		sl_fuzz_fail("cannot write the memory file");
	return sl_config_load(memfd_path, err, sizeof(err));
}

/* sl_config_print() of @p cfg, as a string to free. */
static char *
printed(const struct sl_config *cfg)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (f == NULL)
		sl_fuzz_fail("open_memstream failed");
	if (sl_config_print(cfg, f) != 0)
		sl_fuzz_fail("cannot print a configuration");
	fclose(f);
	return buf;
}

/* The resolved configuration loads again, unchanged, and prints the same. */
static void
round_trip(const struct sl_config *cfg)
{
	char *out = printed(cfg), *out2, err[512], diff[256];
	struct sl_config *again = sl_config_parse_string(out, "check.ini", err, sizeof(err));

	if (again == NULL)
		sl_fuzz_fail("the printed configuration is refused: %s\n%s", err, out);
	if (sl_config_restart_diff(cfg, again, diff, sizeof(diff)) != 0)
		sl_fuzz_fail("the printed configuration differs: %s", diff);
	out2 = printed(again);
	if (strcmp(out, out2) != 0)
		sl_fuzz_fail("printed twice, the configuration differs:\n%s\n----\n%s", out, out2);
	free(out2);
	free(out);
	sl_config_free(again);
}

static void
snapshots(const struct sl_config *cfg)
{
	struct sl_svc_change chg;
	struct sl_snapshot *s1, *s2;
	struct sl_svc_ids *ids;
	uint64_t maglev = 0;
	char err[512];
	unsigned i, workers = cfg->n_lcores > 1 ? cfg->n_lcores - 1u : 1u;

	for (i = 0; i < cfg->n_services; i++)
		if (strcmp(cfg->services[i].scheduler, "maglev") == 0)
			maglev += cfg->services[i].maglev_table_size;
	if (maglev > MAX_MAGLEV_TOTAL)
		return;
	ids = sl_svc_ids_create();
	if (ids == NULL)
		sl_fuzz_fail("no memory for identities");
	s1 = sl_svc_rebuild(cfg, hw, neigh, workers, ids, NULL, 0, &chg, err, sizeof(err));
	if (s1 != NULL) {
		/* the same file again, as a reload with nothing changed */
		s2 = sl_svc_rebuild(cfg, hw, neigh, workers, ids, s1, 1, &chg, err, sizeof(err));
		if (s2 == NULL)
			sl_fuzz_fail("a configuration built once is refused on rebuild: %s", err);
		sl_svc_free(s1);
		sl_svc_free(s2);
	}
	sl_svc_ids_free(ids);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sl_config *cfg, *cfg2;
	char *text, err[512], diff[256];

	text = malloc(size + 1);
	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	cfg = sl_config_parse_string(text, "fuzz.ini", err, sizeof(err));
	/* the file reader must agree where the text has no NUL (the string
	 * reader stops at the first one) */
	if (memchr(data, '\0', size) == NULL) {
		cfg2 = from_file(data, size);
		if ((cfg == NULL) != (cfg2 == NULL))
			sl_fuzz_fail("from memory %s, from a file %s", cfg ? "accepted" : "refused",
				     cfg2 ? "accepted" : "refused");
		if (cfg != NULL && sl_config_restart_diff(cfg, cfg2, diff, sizeof(diff)) != 0)
			sl_fuzz_fail("the same text read twice differs: %s", diff);
		sl_config_free(cfg2);
	}
	if (cfg != NULL) {
		if (sl_config_validate(cfg, err, sizeof(err)) != 0)
			sl_fuzz_fail("an accepted configuration fails validation: %s", err);
		if (sl_config_restart_diff(cfg, cfg, diff, sizeof(diff)) != 0)
			sl_fuzz_fail("a configuration differs from itself: %s", diff);
		round_trip(cfg);
		snapshots(cfg);
		sl_config_free(cfg);
	}
	free(text);
	return 0;
}
