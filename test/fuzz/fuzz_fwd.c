/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer harness: bursts of frames through the packet path (lib/fwd)
 * with the snapshot of a real configuration (fuzz_common.c), then
 * through the management lcore's slow path (ARP, neighbour discovery,
 * held packets) as sluice runs it. Every frame that leaves is freed and
 * every mbuf must be back in the pool after each input.
 *
 * Input: a first byte of options, then records of
 *   1 byte   control: bit 0 the port it arrives on (0 outside, 1 inside),
 *            bit 1 the burst ends before it, bits 2-7 the worker's clock
 *            moves on by that many sixteenths of a second first
 *   2 bytes  frame length, big-endian: bit 15 set makes the frame two
 *            chained mbufs (split in the middle), bits 0-14 the length
 *   N bytes  the frame (cut short by the end of the input)
 * Options: bit 0 capture on (every packet copied), bit 1 the management
 * lcore runs after each burst rather than once at the end, bit 2 each
 * packet goes through the tracer (sl_fwd_trace_one(), its verdict
 * formatted) rather than in a burst.
 * Each input starts on an empty connection table with every next hop
 * resolved, so a finding replays alone.
 */
#include <stdint.h>
#include <string.h>

#include <rte_mbuf.h>

#include "fuzz_common.h"
#include "sl_fwd_trace.h"

#define MAX_FRAMES 256

static struct sl_fuzz_app fa;
static int trace_each;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	sl_fuzz_eal_init("fwd");
	sl_fuzz_app_init(&fa);
	return 0;
}

/* A frame of @p len bytes in one mbuf, or two chained ones. */
static struct rte_mbuf *
frame(const uint8_t *p, uint16_t len, int chained)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(fa.fx.pool), *m2;
	uint16_t first = chained ? len / 2 : len;
	char *d;

	if (m == NULL)
		return NULL;
	d = rte_pktmbuf_append(m, first);
	if (d == NULL) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	memcpy(d, p, first);
	if (!chained)
		return m;
	m2 = rte_pktmbuf_alloc(fa.fx.pool);
	d = m2 != NULL ? rte_pktmbuf_append(m2, (uint16_t)(len - first)) : NULL;
	if (d == NULL || rte_pktmbuf_chain(m, m2) != 0) {
		rte_pktmbuf_free(m2);
		rte_pktmbuf_free(m);
		return NULL;
	}
	memcpy(d, p + first, len - first);
	return m;
}

/* The burst so far, through the worker (and the management lcore). */
static void
run_burst(struct rte_mbuf **pkts, unsigned *n, int pidx, int mgmt)
{
	struct sl_app *app = fa.app;

	if (*n > 0 && trace_each) {
		const struct sl_snapshot *snap = sl_svc_current(&app->svc);
		struct sl_fwd_verdict v;
		char line[1024];
		unsigned i;

		for (i = 0; i < *n; i++) {
			sl_fwd_trace_one(fa.fx.w, snap, pkts[i], pidx, fa.fx.now, &v);
			if (v.fate >= SL_FATE_MAX)
				sl_fuzz_fail("a verdict with no fate");
			if (sl_fwd_verdict_format(&v, snap, 0, fa.fx.env.hz, line, sizeof(line)) <= 0)
				sl_fuzz_fail("a verdict formatted to nothing");
		}
	} else if (*n > 0) {
		sl_fwd_burst(fa.fx.w, sl_svc_current(&app->svc), pkts, *n, pidx, fa.fx.now);
	}
	*n = 0;
	sl_fwd_flush(fa.fx.w);
	sl_fwd_timers(fa.fx.w, sl_svc_current(&app->svc), fa.fx.now);
	sl_fwd_expire(fa.fx.w, fa.fx.now);
	if (mgmt)
		sl_mgmt_poll(app);
	sl_fwd_flush(fa.fx.w);
	sl_fwdfix_drain(&fa.fx);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rte_mbuf *pkts[SL_BURST];
	unsigned n = 0, frames = 0;
	int pidx = 0, mgmt_each;
	size_t off = 1;

	if (size < 1)
		return 0;
	__atomic_store_n(&fa.app->fwd.cap.on, data[0] & 1, __ATOMIC_RELEASE);
	fa.fx.w->cap_on = data[0] & 1;
	mgmt_each = (data[0] & 2) != 0;
	trace_each = (data[0] & 4) != 0;
	while (off + 3 <= size && frames < MAX_FRAMES) {
		uint8_t ctl = data[off];
		uint16_t lw = (uint16_t)(data[off + 1] << 8 | data[off + 2]);
		uint16_t len = lw & 0x7fff;
		struct rte_mbuf *m;
		int port = ctl & 1;

		off += 3;
		if (len > size - off)
			len = (uint16_t)(size - off);
		if (len > RTE_MBUF_DEFAULT_DATAROOM)
			len = RTE_MBUF_DEFAULT_DATAROOM;
		/* a burst comes from one port: a new port ends it too */
		if (n > 0 && ((ctl & 2) || port != pidx || n == SL_BURST))
			run_burst(pkts, &n, pidx, mgmt_each);
		fa.fx.now += (uint64_t)(ctl >> 2) * (fa.fx.env.hz / 16);
		pidx = port;
		m = frame(data + off, len, (lw & 0x8000) && len >= 2);
		off += len;
		frames++;
		if (m == NULL)
			continue;
		m->port = fa.fx.hw[pidx].port_id;
		pkts[n++] = m;
	}
	run_burst(pkts, &n, pidx, 1);
	sl_fuzz_app_settle(&fa);
	/* the next input starts afresh: no connection, next hops resolved */
	if (sl_fwdfix_expire_all(&fa.fx) != 0)
		sl_fuzz_fail("connections left after expiring them all");
	sl_fwd_flush(fa.fx.w);
	sl_fwdfix_resolve(&fa.fx);
	sl_fuzz_app_settle(&fa);
	return 0;
}
