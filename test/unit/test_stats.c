/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Counters: the drop reason names (the exit counters, sluicectl, the
 * Prometheus exporter and the e2e scripts match them as text, so they are
 * part of the interface) and the adders that sum per-worker blocks.
 */
#include <inttypes.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "sl_stats.h"
#include "sl_test.h"

/* Every reason's counter name, as scripts and dashboards spell it. */
static const struct {
	enum sl_drop d;
	const char *name;
} drop_names[] = {
	{ SL_DROP_NONE, "none" },
	{ SL_DROP_SHORT_FRAME, "short_frame" },
	{ SL_DROP_OTHER_HOST, "other_host" },
	{ SL_DROP_VLAN_MISMATCH, "vlan_mismatch" },
	{ SL_DROP_VLAN_UNTAGGED, "vlan_untagged" },
	{ SL_DROP_VLAN_TAGGED, "vlan_tagged" },
	{ SL_DROP_VLAN_INSERT, "vlan_insert" },
	{ SL_DROP_NOT_IPV4, "not_ipv4" },
	{ SL_DROP_SHORT_IP, "short_ip" },
	{ SL_DROP_BAD_IP_VER, "bad_ip_version" },
	{ SL_DROP_BAD_IHL, "bad_ihl" },
	{ SL_DROP_BAD_IP_LEN, "bad_ip_len" },
	{ SL_DROP_BAD_IP_CSUM, "bad_ip_csum" },
	{ SL_DROP_FRAGMENT, "fragment" },
	{ SL_DROP_BAD_L4_LEN, "bad_l4_len" },
	{ SL_DROP_BAD_L4_CSUM, "bad_l4_csum" },
	{ SL_DROP_UNSUP_L4, "unsupported_l4" },
	{ SL_DROP_NO_SERVICE, "no_service" },
	{ SL_DROP_NO_FLOW, "no_flow" },
	{ SL_DROP_FLOW_FULL, "flow_full" },
	{ SL_DROP_NO_BACKEND, "no_backend" },
	{ SL_DROP_TTL, "ttl_exceeded" },
	{ SL_DROP_TO_SELF, "to_self" },
	{ SL_DROP_ICMP, "icmp_other" },
	{ SL_DROP_NEIGH, "neigh_unresolved" },
	{ SL_DROP_REDIRECT, "redirect_full" },
	{ SL_DROP_SLOWPATH, "slowpath_full" },
	{ SL_DROP_TX, "tx_full" },
	{ SL_DROP_NO_MBUF, "no_mbuf" },
	{ SL_DROP_ARP_BAD, "arp_bad" },
	{ SL_DROP_LOCAL_PORTS_FULL, "local_ports_full" },
	{ SL_DROP_REPLY_TAKEN, "reply_taken" },
};

static int
is_metric_word(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s != '\0'; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
			return 0;
	return 1;
}

static void
test_drop_names_stable(void)
{
	size_t i;

	for (i = 0; i < sizeof(drop_names) / sizeof(drop_names[0]); i++) {
		const char *got = sl_drop_name(drop_names[i].d);

		CU_ASSERT_PTR_NOT_NULL_FATAL(got);
		if (strcmp(got, drop_names[i].name) != 0)
			fprintf(stderr, "\n    reason %d: name \"%s\", want \"%s\"",
				(int)drop_names[i].d, got, drop_names[i].name);
		CU_ASSERT_STRING_EQUAL(got, drop_names[i].name);
	}
}

static void
test_drop_names_unique(void)
{
	unsigned i, j, bad = 0;

	for (i = 0; i < SL_DROP_MAX; i++) {
		const char *n = sl_drop_name((enum sl_drop)i);
		const char *d = sl_drop_desc((enum sl_drop)i);

		CU_ASSERT_PTR_NOT_NULL_FATAL(n);
		CU_ASSERT_PTR_NOT_NULL_FATAL(d);
		/* a Prometheus label value and one word in "drop NAME N" */
		CU_ASSERT(is_metric_word(n));
		CU_ASSERT(strlen(d) > 0);
		CU_ASSERT_STRING_NOT_EQUAL(n, "unknown");
		CU_ASSERT_STRING_NOT_EQUAL(d, "unknown");
		for (j = 0; j < i; j++) {
			if (strcmp(n, sl_drop_name((enum sl_drop)j)) == 0 ||
			    strcmp(d, sl_drop_desc((enum sl_drop)j)) == 0) {
				fprintf(stderr, "\n    reasons %u and %u share a name "
					"or description", j, i);
				bad++;
			}
		}
	}
	CU_ASSERT_EQUAL(bad, 0);
}

static void
test_drop_out_of_range(void)
{
	static const int out[] = { SL_DROP_MAX, SL_DROP_MAX + 1, 1000, -1, INT32_MIN };
	size_t i;

	for (i = 0; i < sizeof(out) / sizeof(out[0]); i++) {
		CU_ASSERT_STRING_EQUAL(sl_drop_name((enum sl_drop)out[i]), "unknown");
		CU_ASSERT_STRING_EQUAL(sl_drop_desc((enum sl_drop)out[i]), "unknown");
	}
}

/*
 * The adders are checked field by field, by name, with a distinct value in
 * every field of both operands, so a field the adder forgets, adds twice
 * or adds from the wrong place gives a wrong sum. Then, as a net for
 * fields added later, every 64-bit word of the block is checked the same
 * way (each block is made only of 64-bit counters).
 */
#define SRC_VAL(i) (0x1000ull + (uint64_t)(i) * 0x101ull)
#define DST_VAL(i) (0x5000000ull + (uint64_t)(i) * 0x10001ull)

static void
fill_words(void *p, size_t n_words, int src)
{
	uint64_t *w = p;
	size_t i;

	for (i = 0; i < n_words; i++)
		w[i] = src ? SRC_VAL(i) : DST_VAL(i);
}

static void
test_obj_stats_add(void)
{
	struct sl_obj_stats src, dst, src0, dst0;
	const uint64_t *ws = (const uint64_t *)&src0, *wd0 = (const uint64_t *)&dst0;
	const uint64_t *wd = (const uint64_t *)&dst;
	size_t n = sizeof(src) / sizeof(uint64_t), i;
	unsigned bad = 0;

	fill_words(&src, n, 1);
	fill_words(&dst, n, 0);
	src.conns_active = -7;          /* connections ended on this worker */
	dst.conns_active = 3;
	src0 = src;
	dst0 = dst;
	sl_obj_stats_add(&dst, &src);

	CU_ASSERT_EQUAL(memcmp(&src, &src0, sizeof(src)), 0);
	CU_ASSERT_EQUAL(dst.pkts_in, dst0.pkts_in + src0.pkts_in);
	CU_ASSERT_EQUAL(dst.bytes_in, dst0.bytes_in + src0.bytes_in);
	CU_ASSERT_EQUAL(dst.pkts_out, dst0.pkts_out + src0.pkts_out);
	CU_ASSERT_EQUAL(dst.bytes_out, dst0.bytes_out + src0.bytes_out);
	CU_ASSERT_EQUAL(dst.conns_total, dst0.conns_total + src0.conns_total);
	CU_ASSERT_EQUAL(dst.conns_active, -4);
	CU_ASSERT_EQUAL(dst.drops, dst0.drops + src0.drops);

	for (i = 0; i < n; i++) {
		/* the block is padded to a cache line after its last counter */
		if (i * sizeof(uint64_t) > offsetof(struct sl_obj_stats, drops))
			continue;
		if (wd[i] != wd0[i] + ws[i]) {
			fprintf(stderr, "\n    sl_obj_stats word %zu: %#" PRIx64
				", want %#" PRIx64, i, wd[i], wd0[i] + ws[i]);
			bad++;
		}
	}
	CU_ASSERT_EQUAL(bad, 0);

	/* a second add accumulates */
	sl_obj_stats_add(&dst, &src);
	CU_ASSERT_EQUAL(dst.pkts_in, dst0.pkts_in + 2 * src0.pkts_in);
	CU_ASSERT_EQUAL(dst.conns_active, -11);
}

static void
test_worker_stats_add(void)
{
	static struct sl_worker_stats src, dst, src0, dst0;
	const uint64_t *ws = (const uint64_t *)&src0, *wd0 = (const uint64_t *)&dst0;
	const uint64_t *wd = (const uint64_t *)&dst;
	/* the counters end with the drops array; beyond is cache-line padding */
	size_t n = (offsetof(struct sl_worker_stats, drops) +
		    sizeof(src.drops)) / sizeof(uint64_t), i;
	unsigned bad = 0;

	fill_words(&src, n, 1);
	fill_words(&dst, n, 0);
	src0 = src;
	dst0 = dst;
	sl_worker_stats_add(&dst, &src);

	CU_ASSERT_EQUAL(memcmp(&src, &src0, sizeof(src)), 0);
	CU_ASSERT_EQUAL(dst.rx_pkts, dst0.rx_pkts + src0.rx_pkts);
	CU_ASSERT_EQUAL(dst.rx_bursts, dst0.rx_bursts + src0.rx_bursts);
	CU_ASSERT_EQUAL(dst.tx_pkts, dst0.tx_pkts + src0.tx_pkts);
	CU_ASSERT_EQUAL(dst.redirected, dst0.redirected + src0.redirected);
	CU_ASSERT_EQUAL(dst.slowpath, dst0.slowpath + src0.slowpath);
	CU_ASSERT_EQUAL(dst.icmp_echo, dst0.icmp_echo + src0.icmp_echo);
	CU_ASSERT_EQUAL(dst.polls, dst0.polls + src0.polls);
	CU_ASSERT_EQUAL(dst.idle_polls, dst0.idle_polls + src0.idle_polls);
	CU_ASSERT_EQUAL(dst.busy_tsc, dst0.busy_tsc + src0.busy_tsc);
	CU_ASSERT_EQUAL(dst.sleeps, dst0.sleeps + src0.sleeps);
	CU_ASSERT_EQUAL(dst.conns_created, dst0.conns_created + src0.conns_created);
	CU_ASSERT_EQUAL(dst.conns_expired, dst0.conns_expired + src0.conns_expired);
	CU_ASSERT_EQUAL(dst.conns_flushed, dst0.conns_flushed + src0.conns_flushed);
	CU_ASSERT_EQUAL(dst.rst_sent, dst0.rst_sent + src0.rst_sent);
	CU_ASSERT_EQUAL(dst.cap_drops, dst0.cap_drops + src0.cap_drops);
	/* a timestamp, not a count: a sum of start times means nothing */
	CU_ASSERT_EQUAL(dst.start_tsc, dst0.start_tsc);
	for (i = 0; i < SL_DROP_MAX; i++) {
		if (dst.drops[i] != dst0.drops[i] + src0.drops[i]) {
			fprintf(stderr, "\n    drops[%s] %" PRIu64 ", want %" PRIu64,
				sl_drop_name((enum sl_drop)i), dst.drops[i],
				dst0.drops[i] + src0.drops[i]);
			bad++;
		}
	}
	CU_ASSERT_EQUAL(bad, 0);

	bad = 0;
	for (i = 0; i < n; i++) {
		if (i * sizeof(uint64_t) == offsetof(struct sl_worker_stats, start_tsc))
			continue;
		if (wd[i] != wd0[i] + ws[i]) {
			fprintf(stderr, "\n    sl_worker_stats word %zu: %#" PRIx64
				", want %#" PRIx64, i, wd[i], wd0[i] + ws[i]);
			bad++;
		}
	}
	CU_ASSERT_EQUAL(bad, 0);

	sl_worker_stats_add(&dst, &src);
	CU_ASSERT_EQUAL(dst.rx_pkts, dst0.rx_pkts + 2 * src0.rx_pkts);
	CU_ASSERT_EQUAL(dst.drops[SL_DROP_MAX - 1],
			dst0.drops[SL_DROP_MAX - 1] + 2 * src0.drops[SL_DROP_MAX - 1]);
}

static const struct sl_test_case stats_tests[] = {
	{ "drop names stable", test_drop_names_stable },
	{ "drop names and descriptions unique", test_drop_names_unique },
	{ "drop reason out of range", test_drop_out_of_range },
	{ "service/backend counters add every field", test_obj_stats_add },
	{ "worker counters add every field", test_worker_stats_add },
};

SL_TEST_MAIN(NULL,
	SL_TEST_SUITE("stats", NULL, NULL, stats_tests));
