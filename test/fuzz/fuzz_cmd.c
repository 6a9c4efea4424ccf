/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer harness: command lines, as the console and the admin socket
 * hand them over, through the command table (app/sluice/cmd.c) of an
 * application around a real configuration (fuzz_common.c) with a few
 * IPv4 and IPv6 connections: parsing, dispatch, and the handlers
 * themselves (listings, weight, drain, backends added and removed,
 * reload, capture). A command that waits for the workers (show flows)
 * is answered by running the worker's side here.
 *
 * Input: up to MAX_LINES lines (newline-separated), each run in turn.
 * Inputs with a '/' are skipped: capture start writes the file it is
 * given, and paths stay inside the harness's own directory. After each
 * input the original configuration is in force again and a capture it
 * started is stopped and its file removed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_tcp.h>

#include "cmd.h"
#include "fuzz_common.h"
#include "sl_testpkt.h"

#define MAX_LINES 16
/* management rounds a parked command may take: a few slices of the
 * tables, far less than this */
#define MAX_ROUNDS 1000

static struct sl_fuzz_app fa;
static struct sl_config *orig;     /* the configuration every input starts on */
static char dir[64];

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A client's SYN to VIP:port, IPv4 (@p v6 0) or IPv6, through the worker. */
static void
syn(int v6, uint16_t n, uint16_t vport)
{
	uint8_t f[TP_MAX_FRAME];
	struct tp_flayout lo;
	struct rte_mbuf *m;
	uint32_t len;

	if (v6) {
		static struct tp6_fspec s;
		static const uint8_t vip[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 0x00 };

		tp6_spec_default(&s, IPPROTO_TCP);
		memcpy(s.dmac, &fa.fx.hw[0].mac, 6);
		memcpy(s.dst, vip, 16);
		s.dst[14] = 0x01;  /* 2001:db8::100 */
		memcpy(s.src, vip, 16);
		s.src[12] = 0x64;  /* a client of the outside prefix */
		s.src[15] = (uint8_t)n;
		s.sport = (uint16_t)(40000 + n);
		s.dport = vport;
		s.tcp_flags = RTE_TCP_SYN_FLAG;
		s.payload_len = 0;
		len = tp6_build_frame(&s, f, &lo);
	} else {
		static struct tp_fspec s;

		tp_spec_default(&s, IPPROTO_TCP);
		memcpy(s.dmac, &fa.fx.hw[0].mac, 6);
		s.src = 0x0a000a00u + n;   /* 10.0.10.n */
		s.dst = 0x0a000064;        /* 10.0.0.100 */
		s.sport = (uint16_t)(40000 + n);
		s.dport = vport;
		s.tcp_flags = RTE_TCP_SYN_FLAG;
		s.payload_len = 0;
		len = tp_build_frame(&s, f, &lo);
	}
	m = rte_pktmbuf_alloc(fa.fx.pool);
	if (m == NULL)
		sl_fuzz_fail("no mbuf");
	memcpy(rte_pktmbuf_append(m, (uint16_t)len), f, len);
	sl_fwd_burst(fa.fx.w, sl_svc_current(&fa.app->svc), &m, 1, 0, fa.fx.now);
	sl_fwd_flush(fa.fx.w);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char err[256];
	uint16_t i;

	sl_fuzz_eal_init("cmd");
	sl_fuzz_app_init(&fa);
	orig = sl_config_parse_string(sl_fuzz_ini, "fuzz.ini", err, sizeof(err));
	if (orig == NULL)
		sl_fuzz_fail("configuration: %s", err);
	/* connections for the listings: web, the fullnat ones, IPv6 */
	for (i = 0; i < 8; i++) {
		syn(0, i, 80);
		syn(0, i, 443);
		syn(1, i, 80);
		syn(1, i, 443);
	}
	sl_fuzz_app_settle(&fa);
	if (sl_flow_count(fa.fx.w->flows) == 0 || sl_fwdfix_count6(&fa.fx) == 0)
		sl_fuzz_fail("no connections for the listings");
	/* capture files land here */
	snprintf(dir, sizeof(dir), "%s/slfuzz-cmd-%d-XXXXXX", sl_fuzz_tmpdir(), (int)getpid());
	if (mkdtemp(dir) == NULL || chdir(dir) != 0)
		sl_fuzz_fail("no directory of its own");
	return 0;
}

struct answer {
	int done, ret;
};

static void
on_done(void *arg, int ret, struct sl_out *out)
{
	struct answer *a = arg;

	a->done++;
	a->ret = ret;
}

static void
run_line(const char *line)
{
	struct sl_out out = { 0 };
	struct sl_cmd_pending *pend = NULL;
	struct answer a = { 0 };
	unsigned r;
	int ret;

	ret = sl_cmd_start(fa.app, line, &out, on_done, &a, &pend);
	if (ret == -EINPROGRESS) {
		if (pend == NULL)
			sl_fuzz_fail("'%s': parked without a handle", line);
		/* the worker's loop and the management loop, in turn */
		for (r = 0; r < MAX_ROUNDS && !a.done; r++) {
			sl_worker_serve(fa.fx.w);
			sl_cmd_poll(fa.app);
		}
		if (a.done != 1)
			sl_fuzz_fail("'%s': answered %d times after %u rounds", line, a.done, r);
	} else if (a.done != 0) {
		sl_fuzz_fail("'%s': answered at once and through the callback", line);
	}
	sl_out_free(&out);
}

/* Back to the configuration of the start, without a capture. */
static void
reset(void)
{
	struct sl_app *app = fa.app;
	uint64_t n;
	const char *file;
	struct sl_config *c;

	if (sl_capture_running(&n, &file)) {
		char name[256];

		snprintf(name, sizeof(name), "%s", file);
		sl_capture_stop(app);
		unlink(name);
	}
	__atomic_store_n(&app->stop, 0, __ATOMIC_RELAXED);
	if (memcmp(app->live_cfg, orig, sizeof(*orig)) == 0)
		return;
	c = malloc(sizeof(*c));
	if (c == NULL)
		sl_fuzz_fail("no memory");
	memcpy(c, orig, sizeof(*c));
	if (sl_mgmt_apply(app, c, "reload") != 0)
		sl_fuzz_fail("the original configuration is refused");
	sl_config_free(app->live_cfg);
	app->live_cfg = c;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char line[SL_CMD_LINE_MAX + 64];
	size_t off = 0;
	unsigned lines = 0;

	if (memchr(data, '/', size) != NULL)
		return 0;
	while (off < size && lines < MAX_LINES) {
		const uint8_t *nl = memchr(data + off, '\n', size - off);
		size_t len = nl != NULL ? (size_t)(nl - (data + off)) : size - off;

		/* longer than the longest line: cut, the rest is refused as
		 * too long by the dispatcher all the same */
		memcpy(line, data + off, RTE_MIN(len, sizeof(line) - 1));
		line[RTE_MIN(len, sizeof(line) - 1)] = '\0';
		run_line(line);
		off += len + 1;
		lines++;
	}
	/* the worker sends what the commands had the management lcore send */
	sl_capture_poll(fa.app);
	sl_fuzz_app_settle(&fa);
	reset();
	sl_fuzz_app_settle(&fa);
	return 0;
}
