/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Packet capture to pcap files (the `capture` command). Workers copy the
 * packets of the connections that match the filter (a service, or a
 * port) as they arrive and as they leave rewritten, into a per-worker
 * ring; the management lcore writes them with libpcap. A full ring or an
 * empty mbuf pool drops the copy and counts it: a worker never waits.
 * dpdk-dumpcap can attach too (rte_pdump, enabled at start): that needs
 * hugepages and EAL's multi-process support (no --no-shconf).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>

#include <pcap/pcap.h>
#include <rte_pdump.h>

#include "sluice.h"

static pcap_t *pc;
static pcap_dumper_t *dumper;
static char cap_file[256];
static uint64_t written;

void
sl_capture_init(struct sl_app *app)
{
	/* lets dpdk-dumpcap attach as a secondary process when EAL runs
	 * with hugepages and multi-process */
	if (rte_pdump_init() != 0)
		SL_LOG(INFO, "rte_pdump not available: dpdk-dumpcap cannot attach");
	RTE_SET_USED(app);
}

int
sl_capture_start(struct sl_app *app, const char *file, int svc, int port,
		 uint64_t count, char *err, size_t errlen)
{
	if (dumper != NULL) {
		snprintf(err, errlen, "a capture to %s is running (capture stop first)", cap_file);
		return -EBUSY;
	}
	pc = pcap_open_dead(DLT_EN10MB, 65535);
	if (pc == NULL) {
		snprintf(err, errlen, "libpcap: cannot open a capture");
		return -ENOMEM;
	}
	dumper = pcap_dump_open(pc, file);
	if (dumper == NULL) {
		snprintf(err, errlen, "cannot write %s: %s", file, pcap_geterr(pc));
		pcap_close(pc);
		pc = NULL;
		return -EIO;
	}
	snprintf(cap_file, sizeof(cap_file), "%s", file);
	written = 0;
	app->fwd.cap.svc = svc;
	app->fwd.cap.port = port;
	app->cap_limit = count;
	/* release: the filter is set before workers see capture on */
	__atomic_store_n(&app->fwd.cap.on, 1, __ATOMIC_RELEASE);
	SL_LOG(NOTICE, "capture to %s started", file);
	return 0;
}

/* Write what the workers copied; stop at the count. */
void
sl_capture_poll(struct sl_app *app)
{
	struct rte_mbuf *pkts[SL_BURST];
	unsigned w, i, n;

	for (w = 0; w < app->n_workers; w++) {
		n = rte_ring_sc_dequeue_burst(app->workers[w]->cap_ring, (void **)pkts,
					      SL_BURST, NULL);
		for (i = 0; i < n; i++) {
			struct rte_mbuf *m = pkts[i];

			if (dumper != NULL && (app->cap_limit == 0 || written < app->cap_limit)) {
				struct pcap_pkthdr h;
				uint8_t buf[RTE_MBUF_DEFAULT_DATAROOM];
				const uint8_t *d = rte_pktmbuf_read(m, 0,
					RTE_MIN(m->pkt_len, (uint32_t)sizeof(buf)), buf);

				gettimeofday(&h.ts, NULL);
				h.caplen = RTE_MIN(m->pkt_len, (uint32_t)sizeof(buf));
				h.len = m->pkt_len;
				if (d != NULL) {
					pcap_dump((u_char *)dumper, &h, d);
					written++;
				}
			}
			rte_pktmbuf_free(m);
		}
	}
	if (dumper != NULL && app->cap_limit != 0 && written >= app->cap_limit)
		sl_capture_stop(app);
}

uint64_t
sl_capture_stop(struct sl_app *app)
{
	uint64_t n = written;

	__atomic_store_n(&app->fwd.cap.on, 0, __ATOMIC_RELEASE);
	if (dumper == NULL)
		return 0;
	pcap_dump_close(dumper);
	pcap_close(pc);
	dumper = NULL;
	pc = NULL;
	SL_LOG(NOTICE, "capture to %s stopped: %" PRIu64 " packets", cap_file, n);
	return n;
}

int
sl_capture_running(uint64_t *n, const char **file)
{
	*n = written;
	*file = cap_file;
	return dumper != NULL;
}
