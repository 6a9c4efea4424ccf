/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests for lib/pkt: sl_pkt_parse() on hand-built good and malformed
 * frames, the checksum helpers against an independent reference, and a
 * fuzz loop over random and mutated frames.
 *
 * Frames are built byte by byte (big-endian stores, no DPDK header
 * structs) by sl_testpkt.c and their checksums come from tp_ref_sum()
 * there, a plain RFC 1071 implementation that reads 16-bit words in
 * network order, so the library's native-order arithmetic is checked
 * against something that shares no code with it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <netinet/in.h>
#include <sys/mman.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "sl_pkt.h"
#include "sl_stats.h"
#include "sl_test.h"
#include "sl_testpkt.h"

static void
pi_poison(struct sl_pkt_info *pi)
{
	memset(pi, 0xa5, sizeof(*pi));
}

static int
parse(const uint8_t *f, uint32_t len, unsigned flags, struct sl_pkt_info *pi)
{
	pi_poison(pi);
	return sl_pkt_parse(f, len, flags, pi);
}

/* Check every field of a successful IPv4 parse against the spec. */
static void
check_ipv4_info(const struct tp_fspec *s, const struct tp_flayout *lo,
		const struct sl_pkt_info *pi)
{
	CU_ASSERT_EQUAL(pi->kind, SL_PKT_IPV4);
	CU_ASSERT_EQUAL(pi->proto, s->proto);
	CU_ASSERT_EQUAL(pi->l2_len, lo->l2);
	CU_ASSERT_EQUAL(pi->l3_len, lo->ihl);
	CU_ASSERT_EQUAL(pi->l4_len, lo->l4_hlen);
	CU_ASSERT_EQUAL(pi->ip_len, lo->ip_len);
	CU_ASSERT_EQUAL(pi->src, rte_cpu_to_be_32(s->src));
	CU_ASSERT_EQUAL(pi->dst, rte_cpu_to_be_32(s->dst));
	if (s->proto == IPPROTO_ICMP) {
		CU_ASSERT_EQUAL(pi->sport, rte_cpu_to_be_16(s->sport));
		CU_ASSERT_EQUAL(pi->dport,
				rte_cpu_to_be_16((uint16_t)(s->icmp_type << 8 | s->icmp_code)));
		CU_ASSERT_EQUAL(pi->tcp_flags, 0);
	} else {
		CU_ASSERT_EQUAL(pi->sport, rte_cpu_to_be_16(s->sport));
		CU_ASSERT_EQUAL(pi->dport, rte_cpu_to_be_16(s->dport));
		CU_ASSERT_EQUAL(pi->tcp_flags,
				s->proto == IPPROTO_TCP ? s->tcp_flags : 0);
	}
}

static void
expect_good(const struct tp_fspec *s)
{
	static uint8_t f[TP_MAX_FRAME];
	struct tp_flayout lo;
	struct sl_pkt_info pi;
	int rc;

	tp_build_frame(s, f, &lo);
	rc = parse(f, lo.len, 0, &pi);
	CU_ASSERT_EQUAL(rc, 0);
	if (rc == 0)
		check_ipv4_info(s, &lo, &pi);
}

/* ---------- reference self-check ---------- */

static void
test_ref_known_vector(void)
{
	/* the classic example header, checksum 0xb861 */
	uint8_t h[20] = { 0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00,
			  0x40, 0x11, 0x00, 0x00, 0xc0, 0xa8, 0x00, 0x01,
			  0xc0, 0xa8, 0x00, 0xc7 };
	uint16_t c;

	CU_ASSERT_EQUAL(tp_ref_csum(h, 20), 0xb861);
	c = sl_ipv4_csum((const struct rte_ipv4_hdr *)h);
	CU_ASSERT_EQUAL(rte_be_to_cpu_16(c), 0xb861);
	tp_put16(h + 10, 0xb861);
	/* the library ignores the field's current content */
	c = sl_ipv4_csum((const struct rte_ipv4_hdr *)h);
	CU_ASSERT_EQUAL(rte_be_to_cpu_16(c), 0xb861);
	CU_ASSERT_EQUAL(tp_ref_fold(tp_ref_sum(h, 20, 0)), 0xffff);
	CU_ASSERT_EQUAL(sl_csum_full(h, 20, 0), 0xffff);
}

/* ---------- good frames ---------- */

static void
test_parse_tcp(void)
{
	struct tp_fspec s;

	tp_spec_default(&s, IPPROTO_TCP);
	expect_good(&s);
	/* TCP options: data offset 8 */
	s.tcp_opt_len = 12;
	memset(s.tcp_opt, 1, 12);
	s.tcp_flags = RTE_TCP_PSH_FLAG | RTE_TCP_ACK_FLAG | RTE_TCP_FIN_FLAG;
	expect_good(&s);
	/* maximal options, no payload */
	s.tcp_opt_len = 40;
	s.payload_len = 0;
	s.tcp_flags = 0xff;
	expect_good(&s);
}

static void
test_parse_udp(void)
{
	struct tp_fspec s;

	tp_spec_default(&s, IPPROTO_UDP);
	s.sport = 5353;
	s.dport = 53;
	expect_good(&s);
	s.payload_len = 0;
	expect_good(&s);
	s.udp_no_csum = 1;
	s.payload_len = 1472;
	expect_good(&s);
}

static void
test_parse_icmp(void)
{
	struct tp_fspec s;

	tp_spec_default(&s, IPPROTO_ICMP);
	s.sport = 0xbeef;
	s.dport = 7;
	expect_good(&s);
	s.icmp_type = RTE_IP_ICMP_ECHO_REPLY;
	s.payload_len = 0;
	expect_good(&s);
	s.icmp_type = 3; /* unreachable, code 4: dport carries type<<8|code */
	s.icmp_code = 4;
	expect_good(&s);
}

static void
test_parse_vlan(void)
{
	struct tp_fspec s;
	uint8_t p;
	static const uint8_t protos[] = { IPPROTO_TCP, IPPROTO_UDP, IPPROTO_ICMP };

	for (p = 0; p < RTE_DIM(protos); p++) {
		tp_spec_default(&s, protos[p]);
		s.vlan = 1;
		s.tci = 0x2064; /* PCP 1, VID 100 */
		expect_good(&s);
	}
}

static void
test_parse_ip_options(void)
{
	struct tp_fspec s;
	uint8_t p, o;
	static const uint8_t protos[] = { IPPROTO_TCP, IPPROTO_UDP, IPPROTO_ICMP };
	static const uint8_t olens[] = { 4, 8, 20, 40 };

	for (p = 0; p < RTE_DIM(protos); p++)
		for (o = 0; o < RTE_DIM(olens); o++) {
			tp_spec_default(&s, protos[p]);
			tp_spec_ip_opts(&s, olens[o]);
			s.vlan = o & 1;
			expect_good(&s);
		}
}

static void
test_parse_eth_padding(void)
{
	struct tp_fspec s;
	uint8_t p;
	static const uint8_t protos[] = { IPPROTO_TCP, IPPROTO_UDP, IPPROTO_ICMP };

	for (p = 0; p < RTE_DIM(protos); p++) {
		/* minimum frame: 60 bytes, IP packet shorter */
		tp_spec_default(&s, protos[p]);
		s.payload_len = 0;
		s.tcp_opt_len = 0;
		s.pad_len = (uint16_t)(60 - 14 - 20 - tp_l4_hdr_len(&s));
		memset(s.pad, 0xee, sizeof(s.pad));
		expect_good(&s);
		/* padding plus VLAN plus options */
		s.vlan = 1;
		tp_spec_ip_opts(&s, 8);
		s.payload_len = 1;
		s.pad_len = 17;
		expect_good(&s);
	}
}

static void
test_parse_arp(void)
{
	static uint8_t f[64];
	struct sl_pkt_info pi;
	int rc;

	memset(f, 0, sizeof(f));
	memset(f, 0xff, 6);
	f[6] = 0x02; f[11] = 0x09;
	tp_put16(f + 12, 0x0806);
	tp_put16(f + 14, 1);       /* htype Ethernet */
	tp_put16(f + 16, 0x0800);  /* ptype IPv4 */
	f[18] = 6; f[19] = 4;
	tp_put16(f + 20, 1);       /* request */
	rc = parse(f, 60, 0, &pi);
	CU_ASSERT_EQUAL(rc, 0);
	CU_ASSERT_EQUAL(pi.kind, SL_PKT_ARP);
	CU_ASSERT_EQUAL(pi.l2_len, 14);

	/* tagged ARP */
	memmove(f + 16, f + 12, 44);
	tp_put16(f + 12, 0x8100);
	tp_put16(f + 14, 100);
	rc = parse(f, 64, 0, &pi);
	CU_ASSERT_EQUAL(rc, 0);
	CU_ASSERT_EQUAL(pi.kind, SL_PKT_ARP);
	CU_ASSERT_EQUAL(pi.l2_len, 18);
}

static void
test_parse_flags_accept(void)
{
	static uint8_t f[TP_MAX_FRAME];
	struct tp_fspec s;
	struct tp_flayout lo;
	struct sl_pkt_info pi;

	/* a correct frame with the NIC's "IP checksum good" flag parses */
	tp_spec_default(&s, IPPROTO_TCP);
	tp_build_frame(&s, f, &lo);
	CU_ASSERT_EQUAL(parse(f, lo.len, SL_PKT_F_IP_CSUM_GOOD, &pi), 0);
	check_ipv4_info(&s, &lo, &pi);
	/* DF alone is not a fragment */
	s.frag = 0x4000;
	tp_build_frame(&s, f, &lo);
	CU_ASSERT_EQUAL(parse(f, lo.len, 0, &pi), 0);
}

/* ---------- malformed frames ---------- */

static void
expect_drop(const uint8_t *f, uint32_t len, unsigned flags, int reason)
{
	struct sl_pkt_info pi;
	int rc;

	rc = parse(f, len, flags, &pi);
	CU_ASSERT_EQUAL(rc, reason);
	/* every drop must be distinguishable from success */
	CU_ASSERT_NOT_EQUAL(rc, 0);
	if (rc != reason)
		fprintf(stderr, "\n    len %u flags %#x: got %d (%s), want %d (%s)\n",
			len, flags, rc, sl_drop_name((enum sl_drop)rc),
			reason, sl_drop_name((enum sl_drop)reason));
}

static void
test_drop_short_frame(void)
{
	static uint8_t f[TP_MAX_FRAME];
	struct tp_fspec s;
	struct tp_flayout lo;
	uint32_t len;

	tp_spec_default(&s, IPPROTO_TCP);
	tp_build_frame(&s, f, &lo);
	for (len = 0; len < 14; len++)
		expect_drop(f, len, 0, SL_DROP_SHORT_FRAME);
	/* 802.1Q tag announced but truncated */
	s.vlan = 1;
	tp_build_frame(&s, f, &lo);
	for (len = 14; len < 18; len++)
		expect_drop(f, len, 0, SL_DROP_SHORT_FRAME);
}

static void
test_drop_not_ipv4(void)
{
	static uint8_t f[TP_MAX_FRAME];
	struct tp_fspec s;
	struct tp_flayout lo;

	struct sl_pkt_info pi;

	/* an IPv6 frame: EtherType 0x86dd goes on to sl_pkt_parse6() */
	tp_spec_default(&s, IPPROTO_TCP);
	s.etype = 0x86dd;
	tp_build_frame(&s, f, &lo);
	f[14] = 0x60;
	CU_ASSERT_EQUAL(sl_pkt_parse(f, lo.len, 0, &pi), 0);
	CU_ASSERT_EQUAL(pi.kind, SL_PKT_IPV6);
	CU_ASSERT_EQUAL(pi.l2_len, 14);
	/* IPv6 behind a VLAN tag */
	s.vlan = 1;
	tp_build_frame(&s, f, &lo);
	CU_ASSERT_EQUAL(sl_pkt_parse(f, lo.len, 0, &pi), 0);
	CU_ASSERT_EQUAL(pi.kind, SL_PKT_IPV6);
	CU_ASSERT_EQUAL(pi.l2_len, 18);
	/* a second tag (QinQ) is not followed */
	s.etype = 0x8100;
	tp_build_frame(&s, f, &lo);
	expect_drop(f, lo.len, 0, SL_DROP_NOT_IPV4);
	s.vlan = 0;
	s.etype = 0x88a8;
	tp_build_frame(&s, f, &lo);
	expect_drop(f, lo.len, 0, SL_DROP_NOT_IPV4);
	/* LLDP, and an 802.3 length field */
	s.etype = 0x88cc;
	tp_build_frame(&s, f, &lo);
	expect_drop(f, lo.len, 0, SL_DROP_NOT_IPV4);
	s.etype = 0x0040;
	tp_build_frame(&s, f, &lo);
	expect_drop(f, lo.len, 0, SL_DROP_NOT_IPV4);
	/* exactly an Ethernet header */
	expect_drop(f, 14, 0, SL_DROP_NOT_IPV4);
}

static void
test_drop_short_ip(void)
{
	static uint8_t f[TP_MAX_FRAME];
	struct tp_fspec s;
	struct tp_flayout lo;
	uint32_t len;

	tp_spec_default(&s, IPPROTO_TCP);
	tp_build_frame(&s, f, &lo);
	for (len = 14; len < 34; len++)
		expect_drop(f, len, 0, SL_DROP_SHORT_IP);
	s.vlan = 1;
	tp_build_frame(&s, f, &lo);
	for (len = 18; len < 38; len++)
		expect_drop(f, len, 0, SL_DROP_SHORT_IP);
}

static void
test_drop_bad_version(void)
{
	static uint8_t f[TP_MAX_FRAME];
	struct tp_fspec s;
	struct tp_flayout lo;
	unsigned v;

	tp_spec_default(&s, IPPROTO_TCP);
	for (v = 0; v < 16; v++) {
		if (v == 4)
			continue;
		tp_build_frame(&s, f, &lo);
		f[14] = (uint8_t)(v << 4 | 5);
		tp_fix_ip_csum(f, 14);
		expect_drop(f, lo.len, 0, SL_DROP_BAD_IP_VER);
	}
	/* an IPv6 header under the IPv4 EtherType */
	tp_build_frame(&s, f, &lo);
	f[14] = 0x60;
	f[15] = 0;
	expect_drop(f, lo.len, 0, SL_DROP_BAD_IP_VER);
}

static void
test_drop_bad_ihl(void)
{
	static uint8_t f[TP_MAX_FRAME];
	struct tp_fspec s;
	struct tp_flayout lo;
	unsigned ihl;

	tp_spec_default(&s, IPPROTO_TCP);
	for (ihl = 0; ihl < 5; ihl++) {
		tp_build_frame(&s, f, &lo);
		f[14] = (uint8_t)(0x40 | ihl);
		tp_fix_ip_csum(f, 14);
		expect_drop(f, lo.len, 0, SL_DROP_BAD_IHL);
	}
	/* IHL 15 (60 bytes) in a frame holding only 14 + 40 bytes */
	tp_spec_default(&s, IPPROTO_UDP);
	s.payload_len = 0;
	tp_build_frame(&s, f, &lo); /* 14 + 20 + 8 = 42 bytes */
	f[14] = 0x4f;
	tp_put16(f + 16, 60);
	memset(f + 42, 0, 12);
	expect_drop(f, 54, 0, SL_DROP_BAD_IHL);
	/* IHL 6 with one byte short, behind a VLAN tag */
	s.vlan = 1;
	tp_build_frame(&s, f, &lo);
	f[18] = 0x46;
	expect_drop(f, 18 + 23, 0, SL_DROP_BAD_IHL);
}

static void
test_drop_bad_ip_len(void)
{
	static uint8_t f[TP_MAX_FRAME];
	struct tp_fspec s;
	struct tp_flayout lo;

	/* total length below the header length */
	tp_spec_default(&s, IPPROTO_TCP);
	tp_build_frame(&s, f, &lo);
	tp_put16(f + 16, 19);
	tp_fix_ip_csum(f, 14);
	expect_drop(f, lo.len, 0, SL_DROP_BAD_IP_LEN);
	tp_put16(f + 16, 0);
	tp_fix_ip_csum(f, 14);
	expect_drop(f, lo.len, 0, SL_DROP_BAD_IP_LEN);
	/* with options: 24 byte header, total 22 */
	tp_spec_ip_opts(&s, 4);
	tp_build_frame(&s, f, &lo);
	tp_put16(f + 16, 22);
	tp_fix_ip_csum(f, 14);
	expect_drop(f, lo.len, 0, SL_DROP_BAD_IP_LEN);
	/* total length beyond the frame: truncated by one byte */
	tp_spec_default(&s, IPPROTO_TCP);
	tp_build_frame(&s, f, &lo);
	expect_drop(f, lo.len - 1, 0, SL_DROP_BAD_IP_LEN);
	tp_put16(f + 16, (uint16_t)(lo.ip_len + 1));
	tp_fix_ip_csum(f, 14);
	expect_drop(f, lo.len, 0, SL_DROP_BAD_IP_LEN);
	tp_put16(f + 16, 0xffff);
	tp_fix_ip_csum(f, 14);
	expect_drop(f, lo.len, 0, SL_DROP_BAD_IP_LEN);
	/* VLAN: the tag counts towards the frame, not the IP length */
	s.vlan = 1;
	tp_build_frame(&s, f, &lo);
	expect_drop(f, lo.len - 1, 0, SL_DROP_BAD_IP_LEN);
}

static void
test_drop_bad_ip_csum(void)
{
	static uint8_t f[TP_MAX_FRAME];
	struct tp_fspec s;
	struct tp_flayout lo;
	struct sl_pkt_info pi;
	unsigned bit;

	tp_spec_default(&s, IPPROTO_UDP);
	tp_build_frame(&s, f, &lo);
	CU_ASSERT_EQUAL(parse(f, lo.len, 0, &pi), 0);
	/* any single bit flip in the checksum field is caught */
	for (bit = 0; bit < 16; bit++) {
		tp_build_frame(&s, f, &lo);
		f[24 + bit / 8] ^= (uint8_t)(1u << (bit % 8));
		expect_drop(f, lo.len, 0, SL_DROP_BAD_IP_CSUM);
		/* the NIC vouches for the header: software check skipped */
		CU_ASSERT_EQUAL(parse(f, lo.len, SL_PKT_F_IP_CSUM_GOOD, &pi), 0);
	}
	/* a changed TTL without a checksum update */
	tp_build_frame(&s, f, &lo);
	f[22]--;
	expect_drop(f, lo.len, 0, SL_DROP_BAD_IP_CSUM);
	/* a changed option byte is covered too */
	tp_spec_ip_opts(&s, 8);
	tp_build_frame(&s, f, &lo);
	f[14 + 21] ^= 0x40;
	expect_drop(f, lo.len, 0, SL_DROP_BAD_IP_CSUM);
	/* the NIC's bad flag wins on a correct header */
	tp_build_frame(&s, f, &lo);
	CU_ASSERT_EQUAL(parse(f, lo.len, 0, &pi), 0);
	expect_drop(f, lo.len, SL_PKT_F_IP_CSUM_BAD, SL_DROP_BAD_IP_CSUM);
	expect_drop(f, lo.len, SL_PKT_F_IP_CSUM_BAD | SL_PKT_F_IP_CSUM_GOOD,
		    SL_DROP_BAD_IP_CSUM);
}

static void
test_drop_fragment(void)
{
	static uint8_t f[TP_MAX_FRAME];
	static const uint16_t frags[] = {
		0x2000,          /* MF, offset 0: first fragment */
		0x2000 | 185,    /* MF, middle fragment */
		185,             /* last fragment */
		1,               /* smallest offset */
		0x1fff,          /* largest offset */
		0x4000 | 0x2000, /* DF + MF (odd but a fragment) */
	};
	struct tp_fspec s;
	struct tp_flayout lo;
	unsigned i;

	for (i = 0; i < RTE_DIM(frags); i++) {
		tp_spec_default(&s, i & 1 ? IPPROTO_UDP : IPPROTO_TCP);
		s.frag = frags[i];
		tp_build_frame(&s, f, &lo);
		expect_drop(f, lo.len, 0, SL_DROP_FRAGMENT);
	}
}

static void
test_drop_bad_tcp(void)
{
	static uint8_t f[TP_MAX_FRAME];
	struct tp_fspec s;
	struct tp_flayout lo;
	unsigned i;

	/* truncated TCP header: IP payload of 0..19 bytes */
	tp_spec_default(&s, IPPROTO_TCP);
	s.pad_len = 40;
	for (i = 0; i < 20; i++) {
		tp_build_frame(&s, f, &lo);
		tp_put16(f + 16, (uint16_t)(20 + i));
		tp_fix_ip_csum(f, 14);
		expect_drop(f, lo.len, 0, SL_DROP_BAD_L4_LEN);
	}
	/* data offset below 5 */
	for (i = 0; i < 5; i++) {
		tp_build_frame(&s, f, &lo);
		f[lo.l4 + 12] = (uint8_t)(i << 4);
		expect_drop(f, lo.len, SL_PKT_F_IP_CSUM_GOOD, SL_DROP_BAD_L4_LEN);
	}
	/* data offset beyond the IP length: 60 bytes claimed, 20 + 10 sent */
	s.payload_len = 10;
	s.pad_len = 0;
	tp_build_frame(&s, f, &lo);
	f[lo.l4 + 12] = 0xf0;
	expect_drop(f, lo.len, 0, SL_DROP_BAD_L4_LEN);
	/* one word beyond, with the frame's padding holding the bytes:
	 * the IP length, not the frame length, bounds the header */
	s.payload_len = 0;
	s.pad_len = 40;
	tp_build_frame(&s, f, &lo);
	f[lo.l4 + 12] = 0x60;
	expect_drop(f, lo.len, 0, SL_DROP_BAD_L4_LEN);
	/* exactly fitting options are fine */
	f[lo.l4 + 12] = 0x50;
	CU_ASSERT_EQUAL(parse(f, lo.len, 0, &(struct sl_pkt_info){ 0 }), 0);
}

static void
test_drop_bad_udp(void)
{
	static uint8_t f[TP_MAX_FRAME];
	struct tp_fspec s;
	struct tp_flayout lo;
	struct sl_pkt_info pi;
	unsigned i;

	tp_spec_default(&s, IPPROTO_UDP);
	s.payload_len = 20;
	/* UDP length below 8 */
	for (i = 0; i < 8; i++) {
		tp_build_frame(&s, f, &lo);
		tp_put16(f + lo.l4 + 4, (uint16_t)i);
		expect_drop(f, lo.len, 0, SL_DROP_BAD_L4_LEN);
	}
	/* UDP length beyond the IP payload (frame holds the bytes) */
	s.pad_len = 30;
	tp_build_frame(&s, f, &lo);
	tp_put16(f + lo.l4 + 4, 29);
	expect_drop(f, lo.len, 0, SL_DROP_BAD_L4_LEN);
	tp_put16(f + lo.l4 + 4, 0xffff);
	expect_drop(f, lo.len, 0, SL_DROP_BAD_L4_LEN);
	/* shorter than the IP payload is tolerated (trailing bytes) */
	tp_put16(f + lo.l4 + 4, 27);
	CU_ASSERT_EQUAL(parse(f, lo.len, 0, &pi), 0);
	/* truncated UDP header */
	for (i = 0; i < 8; i++) {
		tp_build_frame(&s, f, &lo);
		tp_put16(f + 16, (uint16_t)(20 + i));
		tp_fix_ip_csum(f, 14);
		expect_drop(f, lo.len, 0, SL_DROP_BAD_L4_LEN);
	}
}

static void
test_drop_bad_icmp(void)
{
	static uint8_t f[TP_MAX_FRAME];
	struct tp_fspec s;
	struct tp_flayout lo;
	unsigned i;

	tp_spec_default(&s, IPPROTO_ICMP);
	s.pad_len = 20;
	for (i = 0; i < 8; i++) {
		tp_build_frame(&s, f, &lo);
		tp_put16(f + 16, (uint16_t)(20 + i));
		tp_fix_ip_csum(f, 14);
		expect_drop(f, lo.len, 0, SL_DROP_BAD_L4_LEN);
	}
}

static void
test_drop_unsup_l4(void)
{
	static uint8_t f[TP_MAX_FRAME];
	static const uint8_t protos[] = { 47 /* GRE */, 132 /* SCTP */,
					  41 /* IPv6 in IPv4 */, 50 /* ESP */,
					  0, 255 };
	struct tp_fspec s;
	struct tp_flayout lo;
	unsigned i;

	for (i = 0; i < RTE_DIM(protos); i++) {
		tp_spec_default(&s, protos[i]);
		s.vlan = i & 1;
		tp_build_frame(&s, f, &lo);
		expect_drop(f, lo.len, 0, SL_DROP_UNSUP_L4);
	}
}

static void
test_drop_l4_csum_flag(void)
{
	static uint8_t f[TP_MAX_FRAME];
	struct tp_fspec s;
	struct tp_flayout lo;
	struct sl_pkt_info pi;

	tp_spec_default(&s, IPPROTO_TCP);
	tp_build_frame(&s, f, &lo);
	CU_ASSERT_EQUAL(parse(f, lo.len, 0, &pi), 0);
	expect_drop(f, lo.len, SL_PKT_F_L4_CSUM_BAD, SL_DROP_BAD_L4_CSUM);
	expect_drop(f, lo.len, SL_PKT_F_L4_CSUM_BAD | SL_PKT_F_IP_CSUM_GOOD,
		    SL_DROP_BAD_L4_CSUM);
	tp_spec_default(&s, IPPROTO_UDP);
	s.vlan = 1;
	tp_build_frame(&s, f, &lo);
	CU_ASSERT_EQUAL(parse(f, lo.len, 0, &pi), 0);
	expect_drop(f, lo.len, SL_PKT_F_L4_CSUM_BAD, SL_DROP_BAD_L4_CSUM);
	/* header errors are reported before the NIC's L4 verdict */
	f[lo.l4 + 4] = 0;
	f[lo.l4 + 5] = 3;
	expect_drop(f, lo.len, SL_PKT_F_L4_CSUM_BAD, SL_DROP_BAD_L4_LEN);
}

/* ---------- checksum helpers ---------- */

/* A random buffer of even length with a checksum field at an even
 * offset, the checksum set by the reference. Never all zero. */
static uint32_t
rand_csum_buf(uint8_t *b, uint32_t *csum_off)
{
	uint32_t n = 2 * (4 + tp_rnd(748)); /* 8..1502 bytes */

	tp_rnd_fill(b, n);
	b[tp_rnd(n)] |= 1;
	*csum_off = 2 * tp_rnd(n / 2);
	tp_put16(b + *csum_off, 0);
	tp_put16(b + *csum_off, tp_ref_csum(b, n));
	return n;
}

/* Even offset of a @p w byte field not overlapping the checksum. */
static uint32_t
rand_field_off(uint32_t n, uint32_t csum_off, uint32_t w)
{
	uint32_t off;

	do {
		off = 2 * tp_rnd((n - w) / 2 + 1);
	} while (off + w > csum_off && off < csum_off + 2);
	return off;
}

static void
test_csum_update16(void)
{
	static uint8_t b[1504];
	uint32_t n, coff, foff, it, bad = 0, bad_verify = 0;
	uint16_t old, new, c, want;

	sl_test_srand(0x16);
	for (it = 0; it < 10000; it++) {
		n = rand_csum_buf(b, &coff);
		foff = rand_field_off(n, coff, 2);
		old = sl_ld16(b + foff);
		switch (it % 4) {
		case 0: new = (uint16_t)sl_test_rand(); break;
		case 1: new = 0; break;
		case 2: new = 0xffff; break;
		default: new = (uint16_t)~old; break;
		}
		memcpy(b + foff, &new, 2);
		c = sl_csum_update16(sl_ld16(b + coff), old, new);
		tp_put16(b + coff, 0);
		if (tp_ref_fold(tp_ref_sum(b, n, 0)) == 0)
			continue; /* all zero now: +0/-0 ambiguity, skip */
		want = tp_ref_csum(b, n);
		if (rte_be_to_cpu_16(c) != want) {
			if (bad++ == 0)
				fprintf(stderr, "\n    update16 it %u: got %#x want %#x\n",
					it, rte_be_to_cpu_16(c), want);
		}
		memcpy(b + coff, &c, 2);
		if (tp_ref_fold(tp_ref_sum(b, n, 0)) != 0xffff)
			bad_verify++;
	}
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT_EQUAL(bad_verify, 0);
}

static void
test_csum_update32(void)
{
	static uint8_t b[1504];
	uint32_t n, coff, foff, it, bad = 0, bad_verify = 0;
	uint32_t old, new;
	uint16_t c, want;

	sl_test_srand(0x32);
	for (it = 0; it < 10000; it++) {
		n = rand_csum_buf(b, &coff);
		foff = rand_field_off(n, coff, 4);
		memcpy(&old, b + foff, 4);
		switch (it % 4) {
		case 0: new = sl_test_rand(); break;
		case 1: new = 0; break;
		case 2: new = 0xffffffff; break;
		default: new = ~old; break;
		}
		memcpy(b + foff, &new, 4);
		c = sl_csum_update32(sl_ld16(b + coff), old, new);
		tp_put16(b + coff, 0);
		if (tp_ref_fold(tp_ref_sum(b, n, 0)) == 0)
			continue;
		want = tp_ref_csum(b, n);
		if (rte_be_to_cpu_16(c) != want) {
			if (bad++ == 0)
				fprintf(stderr, "\n    update32 it %u: got %#x want %#x\n",
					it, rte_be_to_cpu_16(c), want);
		}
		memcpy(b + coff, &c, 2);
		if (tp_ref_fold(tp_ref_sum(b, n, 0)) != 0xffff)
			bad_verify++;
	}
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT_EQUAL(bad_verify, 0);
}

static void
test_csum_update_chain(void)
{
	/* several updates in a row (as NAT does) stay exact */
	static uint8_t b[64];
	uint32_t it, k, bad = 0, old32, new32;
	uint16_t old16, new16, c;

	sl_test_srand(0xc4a1);
	for (it = 0; it < 2000; it++) {
		tp_rnd_fill(b, sizeof(b));
		b[0] |= 0x40;
		tp_put16(b + 10, 0);
		tp_put16(b + 10, tp_ref_csum(b, sizeof(b)));
		c = sl_ld16(b + 10);
		for (k = 0; k < 5; k++) {
			memcpy(&old32, b + 12 + 4 * k, 4);
			new32 = sl_test_rand();
			memcpy(b + 12 + 4 * k, &new32, 4);
			c = sl_csum_update32(c, old32, new32);
			old16 = sl_ld16(b + 40 + 2 * k);
			new16 = (uint16_t)sl_test_rand();
			memcpy(b + 40 + 2 * k, &new16, 2);
			c = sl_csum_update16(c, old16, new16);
		}
		tp_put16(b + 10, 0);
		if (rte_be_to_cpu_16(c) != tp_ref_csum(b, sizeof(b)))
			bad++;
	}
	CU_ASSERT_EQUAL(bad, 0);
}

/* The same changes summed as deltas and folded once (sl_csum_apply(),
 * as the NAT rewrites patch) give the checksum computed from scratch,
 * also for all-ones data, where the carries pile up. */
static void
test_csum_apply(void)
{
	static uint8_t b[64];
	uint32_t it, k, bad = 0, old32, new32, d;
	uint16_t old16, new16, c;

	sl_test_srand(0xa991);
	for (it = 0; it < 4000; it++) {
		/* all-ones data; zeros but for an IP header's first byte (all
		 * zeros gives the other zero, RFC 1624, and is no header) */
		if (it < 2) {
			memset(b, it == 0 ? 0xff : 0, sizeof(b));
			b[0] |= 0x45;
		} else {
			tp_rnd_fill(b, sizeof(b));
		}
		tp_put16(b + 10, 0);
		tp_put16(b + 10, tp_ref_csum(b, sizeof(b)));
		c = sl_ld16(b + 10);
		d = 0;
		/* four addresses and six ports: more than any rewrite */
		for (k = 0; k < 4; k++) {
			memcpy(&old32, b + 12 + 4 * k, 4);
			new32 = it < 2 ? (it == 0 ? 0xffffffffu : 0) : sl_test_rand();
			memcpy(b + 12 + 4 * k, &new32, 4);
			d += sl_csum_delta32(old32, new32);
		}
		for (k = 0; k < 6; k++) {
			old16 = sl_ld16(b + 40 + 2 * k);
			new16 = it < 2 ? (uint16_t)(it == 0 ? 0xffff : 0) : (uint16_t)sl_test_rand();
			memcpy(b + 40 + 2 * k, &new16, 2);
			d += sl_csum_delta16(old16, new16);
		}
		c = sl_csum_apply(c, d);
		tp_put16(b + 10, 0);
		if (rte_be_to_cpu_16(c) != tp_ref_csum(b, sizeof(b)) && bad++ == 0)
			fprintf(stderr, "\n    iteration %u: got %#x want %#x\n", it,
				rte_be_to_cpu_16(c), tp_ref_csum(b, sizeof(b)));
	}
	CU_ASSERT_EQUAL(bad, 0);
}

/* sl_csum_fold() folds as the reference's loop does, on the values where
 * the end-around carries meet (halves summing to 0xffff, 0x10000 and
 * past) and on every 251st value of the whole range; sl_csum_ok64()
 * says 0xffff for a 64-bit sum exactly when folding its 16-bit words
 * one by one gives 0xffff. */
static void
test_csum_fold(void)
{
	static const uint32_t edge[] = {
		0, 1, 0xffff, 0x10000, 0x1fffe, 0x1ffff, 0xfffe0001, 0xffff0000,
		0xffff0001, 0xfffeffff, 0x8000ffff, 0x7fff8000, 0xffffffff,
	};
	uint64_t v, s64;
	uint32_t i, bad = 0, okbad = 0, pos = 0, r;

	for (i = 0; i < RTE_DIM(edge); i++)
		bad += sl_csum_fold(edge[i]) != tp_ref_fold(edge[i]);
	for (v = 0; v <= UINT32_MAX; v += 251)
		bad += sl_csum_fold((uint32_t)v) != tp_ref_fold((uint32_t)v);
	CU_ASSERT_EQUAL(bad, 0);

	sl_test_srand(0xf01d);
	for (i = 0; i < 200000; i++) {
		s64 = (uint64_t)sl_test_rand() << 32 | sl_test_rand();
		if (i % 3 == 0) {
			/* four words summing to a multiple of 0xffff, which
			 * folds to 0xffff; one in five made one off */
			uint32_t a = sl_test_rand() & 0xffff, b = sl_test_rand() & 0xffff;
			uint32_t c = sl_test_rand() & 0xffff;
			uint32_t d = (3u * 0xffff - a - b - c) % 0xffff;

			if (d == 0 && i % 2)
				d = 0xffff;          /* the other zero */
			if (i % 5 == 0)
				d = (d + 1) & 0xffff;
			s64 = (uint64_t)a << 48 | (uint64_t)b << 32 | (uint64_t)c << 16 | d;
		}
		r = tp_ref_fold((uint32_t)(s64 & 0xffff) + (uint32_t)(s64 >> 16 & 0xffff) +
				(uint32_t)(s64 >> 32 & 0xffff) + (uint32_t)(s64 >> 48));
		pos += r == 0xffff;
		okbad += sl_csum_ok64(s64) != (r == 0xffff);
	}
	CU_ASSERT_EQUAL(okbad, 0);
	/* most of the built sums verify: both answers were asked for */
	CU_ASSERT(pos > 50000);
	CU_ASSERT(sl_csum_ok64(0xffff));
	CU_ASSERT(sl_csum_ok64(0xffffffffffffffffULL));
	CU_ASSERT(!sl_csum_ok64(0));
	CU_ASSERT(!sl_csum_ok64(0xfffe));
}

/* sl_ipv4_csum_ok() accepts every header with a right checksum (20
 * bytes, summed as 64-bit words, and with options) and refuses it with
 * any one bit flipped. */
static void
test_ipv4_csum_ok(void)
{
	static uint8_t h[60];
	uint32_t it, ihl, bit, ok = 0, flipped = 0;

	sl_test_srand(0x1c5);
	for (it = 0; it < 20000; it++) {
		ihl = it % 4 == 3 ? 4 * (6 + tp_rnd(10)) : 20;
		if (it < 2)
			memset(h, it == 0 ? 0xff : 0x80, ihl);
		else
			tp_rnd_fill(h, ihl);
		tp_put16(h + 10, 0);
		tp_put16(h + 10, tp_ref_csum(h, ihl));
		ok += sl_ipv4_csum_ok(h, ihl);
		bit = tp_rnd(ihl * 8);
		h[bit / 8] ^= (uint8_t)(0x80 >> (bit % 8));
		flipped += !sl_ipv4_csum_ok(h, ihl);
	}
	CU_ASSERT_EQUAL(ok, 20000);
	CU_ASSERT_EQUAL(flipped, 20000);
}

static void
test_csum_full(void)
{
	static uint8_t b[1600];
	uint32_t it, n, off, bad = 0;
	uint16_t init, got, want;

	sl_test_srand(0xf011);
	for (it = 0; it < 5000; it++) {
		n = tp_rnd(1500);
		off = tp_rnd(2); /* odd start address too */
		tp_rnd_fill(b + off, n);
		init = it & 1 ? (uint16_t)sl_test_rand() : 0;
		got = sl_csum_full(b + off, n, init);
		want = tp_ref_fold(tp_ref_sum(b + off, n,
					      rte_be_to_cpu_16(init)));
		if (rte_be_to_cpu_16(got) != want && bad++ == 0)
			fprintf(stderr, "\n    csum_full n %u: got %#x want %#x\n",
				n, rte_be_to_cpu_16(got), want);
	}
	CU_ASSERT_EQUAL(bad, 0);
	/* edge cases */
	memset(b, 0, 8);
	CU_ASSERT_EQUAL(sl_csum_full(b, 0, 0), 0);
	CU_ASSERT_EQUAL(sl_csum_full(b, 8, 0), 0);
	memset(b, 0xff, 8);
	CU_ASSERT_EQUAL(sl_csum_full(b, 8, 0), 0xffff);
	b[0] = 0x12;
	CU_ASSERT_EQUAL(rte_be_to_cpu_16(sl_csum_full(b, 1, 0)), 0x1200);
	/* carries beyond 32 bits of a long buffer are folded */
	memset(b, 0xff, sizeof(b));
	CU_ASSERT_EQUAL(sl_csum_full(b, sizeof(b), 0xffffffffu), 0xffff);
}

static void
rand_spec(struct tp_fspec *s, int allow_icmp)
{
	uint8_t protos[3] = { IPPROTO_TCP, IPPROTO_UDP, IPPROTO_ICMP };

	tp_spec_default(s, protos[tp_rnd(allow_icmp ? 3 : 2)]);
	tp_rnd_fill(s->dmac, 6);
	tp_rnd_fill(s->smac, 6);
	s->vlan = tp_rnd(3) == 0;
	s->tci = (uint16_t)sl_test_rand();
	s->ip_opt_len = tp_rnd(4) == 0 ? (uint8_t)(4 * tp_rnd(11)) : 0;
	tp_rnd_fill(s->ip_opt, s->ip_opt_len);
	s->tos = (uint8_t)sl_test_rand();
	s->ttl = (uint8_t)(2 + tp_rnd(254));
	s->ip_id = (uint16_t)sl_test_rand();
	s->frag = tp_rnd(2) ? 0x4000 : 0;
	s->src = sl_test_rand();
	s->dst = sl_test_rand();
	s->sport = (uint16_t)sl_test_rand();
	s->dport = (uint16_t)sl_test_rand();
	s->seq = sl_test_rand();
	s->ack = sl_test_rand();
	s->win = (uint16_t)sl_test_rand();
	s->tcp_flags = (uint8_t)sl_test_rand();
	s->tcp_opt_len = tp_rnd(3) == 0 ? (uint8_t)(4 * tp_rnd(11)) : 0;
	tp_rnd_fill(s->tcp_opt, s->tcp_opt_len);
	s->payload_len = (uint16_t)tp_rnd(1401);
	tp_rnd_fill(s->payload, s->payload_len);
	s->udp_no_csum = 0;
}

static void
test_csum_ipv4_l4_random(void)
{
	static uint8_t f[TP_MAX_FRAME];
	struct tp_fspec s;
	struct tp_flayout lo;
	uint32_t it, bad_ip = 0, bad_l4 = 0, odd = 0;
	uint16_t c;
	uint32_t coff;

	sl_test_srand(0x1a4);
	for (it = 0; it < 3000; it++) {
		rand_spec(&s, 0);
		tp_build_frame(&s, f, &lo);
		odd += lo.ip_len & 1;
		/* the library must ignore what the fields hold */
		tp_put16(f + lo.l2 + 10, (uint16_t)sl_test_rand());
		coff = lo.l4 + (s.proto == IPPROTO_TCP ? 16 : 6);
		tp_put16(f + coff, (uint16_t)sl_test_rand());
		{
			uint8_t g[TP_MAX_FRAME];

			tp_build_frame(&s, g, NULL);
			c = sl_ipv4_csum((const struct rte_ipv4_hdr *)(f + lo.l2));
			if (rte_be_to_cpu_16(c) != tp_get16(g + lo.l2 + 10))
				bad_ip++;
			c = sl_l4_csum((const struct rte_ipv4_hdr *)(f + lo.l2),
				       f + lo.l4);
			if (rte_be_to_cpu_16(c) != tp_get16(g + coff) && bad_l4++ == 0)
				fprintf(stderr, "\n    l4 proto %u len %u: got %#x want %#x\n",
					s.proto, lo.ip_len, rte_be_to_cpu_16(c),
					tp_get16(g + coff));
		}
	}
	CU_ASSERT_EQUAL(bad_ip, 0);
	CU_ASSERT_EQUAL(bad_l4, 0);
	CU_ASSERT(odd > 500); /* odd lengths were exercised */
}

static void
test_csum_udp_zero(void)
{
	static uint8_t f[TP_MAX_FRAME];
	struct tp_fspec s;
	struct tp_flayout lo;
	uint16_t c;

	tp_spec_default(&s, IPPROTO_UDP);
	s.payload_len = 31;
	tp_force_zero_csum(&s);
	tp_build_frame(&s, f, &lo);
	/* the reference agrees the sum is -0, so the wire value is 0xffff */
	CU_ASSERT_EQUAL(tp_get16(f + lo.l4 + 6), 0xffff);
	CU_ASSERT_EQUAL(tp_ref_fold(tp_ref_l4_sum(f, lo.l2)), 0xffff);
	c = sl_l4_csum((const struct rte_ipv4_hdr *)(f + lo.l2), f + lo.l4);
	CU_ASSERT_EQUAL(c, 0xffff);
	/* TCP has no such rule: the same sum gives 0 */
	s.proto = IPPROTO_TCP;
	s.payload_len = 31;
	{
		uint8_t g[TP_MAX_FRAME];

		tp_force_zero_csum(&s);
		tp_build_frame(&s, g, &lo);
		CU_ASSERT_EQUAL(tp_get16(g + lo.l4 + 16), 0);
		c = sl_l4_csum((const struct rte_ipv4_hdr *)(g + lo.l2), g + lo.l4);
		CU_ASSERT_EQUAL(c, 0);
	}
}

/* ---------- fuzz ---------- */

enum { FZ_BAD_RC, FZ_BAD_OFFSETS, FZ_BAD_FIELDS, FZ_ZERO_SHORT, FZ_MAX };

static void
fuzz_check(const uint8_t *f, uint32_t len, int rc,
	   const struct sl_pkt_info *pi, uint32_t *fail)
{
	const uint8_t *ip, *l4;
	uint32_t l2;

	if (rc < 0 || rc >= SL_DROP_MAX) {
		fail[FZ_BAD_RC]++;
		return;
	}
	if (rc != 0)
		return;
	/* "success" on a frame shorter than its own L2 header */
	if (len < 14 || (tp_get16(f + 12) == 0x8100 && len < 18)) {
		fail[FZ_ZERO_SHORT]++;
		return;
	}
	l2 = pi->l2_len;
	if ((l2 != 14 && l2 != 18) || l2 > len) {
		fail[FZ_BAD_OFFSETS]++;
		return;
	}
	if (pi->kind == SL_PKT_ARP) {
		if (tp_get16(f + l2 - 2) != 0x0806)
			fail[FZ_BAD_FIELDS]++;
		return;
	}
	if (pi->kind == SL_PKT_IPV6) {
		if (tp_get16(f + l2 - 2) != 0x86dd)
			fail[FZ_BAD_FIELDS]++;
		return;
	}
	if (pi->kind != SL_PKT_IPV4 || pi->l3_len < 20 || pi->l3_len > 60 ||
	    pi->l3_len % 4 || pi->ip_len < pi->l3_len + pi->l4_len ||
	    l2 + pi->ip_len > len || pi->l4_len < 8 || pi->l4_len > 60) {
		fail[FZ_BAD_OFFSETS]++;
		return;
	}
	ip = f + l2;
	l4 = ip + pi->l3_len;
	if (tp_get16(f + l2 - 2) != 0x0800 || ip[0] >> 4 != 4 ||
	    (uint32_t)(ip[0] & 0xf) * 4 != pi->l3_len ||
	    tp_get16(ip + 2) != pi->ip_len || ip[9] != pi->proto ||
	    (tp_get16(ip + 6) & 0x3fff) != 0 ||
	    pi->src != rte_cpu_to_be_32(tp_get32(ip + 12)) ||
	    pi->dst != rte_cpu_to_be_32(tp_get32(ip + 16))) {
		fail[FZ_BAD_FIELDS]++;
		return;
	}
	switch (pi->proto) {
	case IPPROTO_TCP:
		if (pi->sport != rte_cpu_to_be_16(tp_get16(l4)) ||
		    pi->dport != rte_cpu_to_be_16(tp_get16(l4 + 2)) ||
		    pi->tcp_flags != l4[13] || pi->l4_len != (l4[12] >> 4) * 4)
			fail[FZ_BAD_FIELDS]++;
		break;
	case IPPROTO_UDP:
		if (pi->sport != rte_cpu_to_be_16(tp_get16(l4)) ||
		    pi->dport != rte_cpu_to_be_16(tp_get16(l4 + 2)) ||
		    pi->tcp_flags != 0 || pi->l4_len != 8 ||
		    tp_get16(l4 + 4) < 8 ||
		    tp_get16(l4 + 4) > pi->ip_len - pi->l3_len)
			fail[FZ_BAD_FIELDS]++;
		break;
	case IPPROTO_ICMP:
		if (pi->sport != rte_cpu_to_be_16(tp_get16(l4 + 4)) ||
		    pi->dport != rte_cpu_to_be_16(tp_get16(l4)) ||
		    pi->tcp_flags != 0 || pi->l4_len != 8)
			fail[FZ_BAD_FIELDS]++;
		break;
	default:
		fail[FZ_BAD_FIELDS]++;
		break;
	}
}

static void
test_fuzz(void)
{
	static uint8_t f[TP_MAX_FRAME];
	static const unsigned flag_set[] = {
		0, 0, 0, 0, 0, SL_PKT_F_IP_CSUM_GOOD, SL_PKT_F_IP_CSUM_GOOD,
		SL_PKT_F_IP_CSUM_BAD, SL_PKT_F_L4_CSUM_BAD,
	};
	static const uint16_t etypes[] = { 0x0800, 0x0800, 0x8100, 0x0806, 0x86dd };
	uint32_t fail[FZ_MAX] = { 0 }, seen[SL_DROP_MAX] = { 0 };
	uint32_t it, len, n, k, ok = 0, distinct = 0, first_len = 0;
	int first_rc = -1;
	struct tp_fspec s;
	struct tp_flayout lo;
	struct sl_pkt_info pi;
	unsigned flags;
	uint8_t *heap;
	int rc;

	sl_test_srand(0xf022);
	for (it = 0; it < 100000; it++) {
		if (tp_rnd(5) == 0) {
			/* random bytes, sometimes with a plausible header */
			len = tp_rnd(129);
			tp_rnd_fill(f, len);
			if (len >= 14 && tp_rnd(2))
				tp_put16(f + 12,
					 etypes[tp_rnd(RTE_DIM(etypes))]);
			if (len >= 18 && tp_get16(f + 12) == 0x8100 &&
			    tp_rnd(2))
				tp_put16(f + 16, 0x0800);
			if (len >= 15 && tp_rnd(2))
				f[tp_get16(f + 12) == 0x8100 && len >= 19 ? 18 : 14] =
					(uint8_t)(0x40 | tp_rnd(16));
		} else {
			rand_spec(&s, 1);
			s.payload_len = (uint16_t)tp_rnd(65);
			if (tp_rnd(8) == 0)
				s.proto = (uint8_t)sl_test_rand();
			if (tp_rnd(8) == 0)
				s.frag = (uint16_t)sl_test_rand();
			s.pad_len = tp_rnd(3) == 0 ? (uint16_t)tp_rnd(21) : 0;
			tp_rnd_fill(s.pad, s.pad_len);
			len = tp_build_frame(&s, f, &lo);
			/* mutate header bytes */
			k = tp_rnd(4);
			n = RTE_MIN(len, lo.l4 + lo.l4_hlen + 8);
			while (k--)
				f[tp_rnd(n)] ^= (uint8_t)(1u << tp_rnd(8));
			if (tp_rnd(2) && lo.l2 + 20 <= len &&
			    lo.l2 + (f[lo.l2] & 0xfu) * 4 <= len)
				tp_fix_ip_csum(f, lo.l2);
			if (tp_rnd(4) == 0)
				len = tp_rnd(len + 1);
		}
		flags = flag_set[tp_rnd(RTE_DIM(flag_set))];
		/* an exact-size heap copy: reads past the end are real
		 * out-of-bounds reads (visible under ASan/valgrind) */
		heap = malloc(len ? len : 1);
		if (heap == NULL) {
			CU_FAIL("malloc");
			return;
		}
		memcpy(heap, f, len);
		pi_poison(&pi);
		rc = sl_pkt_parse(heap, len, flags, &pi);
		{
			uint32_t before[FZ_MAX];

			memcpy(before, fail, sizeof(before));
			fuzz_check(heap, len, rc, &pi, fail);
			if (first_rc < 0 && memcmp(before, fail, sizeof(before))) {
				first_rc = rc;
				first_len = len;
			}
		}
		free(heap);
		if (rc == 0 && len >= 18)
			ok++;
		else if (rc > 0 && rc < SL_DROP_MAX)
			seen[rc]++;
	}
	for (k = 0; k < SL_DROP_MAX; k++)
		distinct += seen[k] != 0;
	if (first_rc >= 0)
		fprintf(stderr, "\n    fuzz: first bad result rc %d len %u; "
			"bad_rc %u bad_offsets %u bad_fields %u "
			"success_on_short_frame %u\n", first_rc, first_len,
			fail[FZ_BAD_RC], fail[FZ_BAD_OFFSETS],
			fail[FZ_BAD_FIELDS], fail[FZ_ZERO_SHORT]);
	CU_ASSERT_EQUAL(fail[FZ_BAD_RC], 0);
	CU_ASSERT_EQUAL(fail[FZ_BAD_OFFSETS], 0);
	CU_ASSERT_EQUAL(fail[FZ_BAD_FIELDS], 0);
	CU_ASSERT_EQUAL(fail[FZ_ZERO_SHORT], 0);
	/* the fuzz reached deep paths and most drop reasons */
	CU_ASSERT(ok > 10000);
	CU_ASSERT(distinct >= 9);
	CU_ASSERT(seen[SL_DROP_BAD_L4_LEN] > 0);
	CU_ASSERT(seen[SL_DROP_FRAGMENT] > 0);
	CU_ASSERT(seen[SL_DROP_UNSUP_L4] > 0);
}

/* ---------- ICMP error quotes ---------- */

/*
 * Frames are placed so that they end at a page followed by an
 * inaccessible one: a read past the end of the frame faults.
 */
static uint8_t *guard_page;
static size_t page_sz;

static uint8_t *
at_page_end(const uint8_t *f, uint32_t len)
{
	uint8_t *p;

	if (guard_page == NULL) {
		page_sz = (size_t)sysconf(_SC_PAGESIZE);
		guard_page = mmap(NULL, 2 * page_sz, PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (guard_page == MAP_FAILED) {
			guard_page = NULL;
			return NULL;
		}
		if (mprotect(guard_page + page_sz, page_sz, PROT_NONE) != 0)
			return NULL;
	}
	p = guard_page + page_sz - len;
	memcpy(p, f, len);
	return p;
}

/* The ICMP checksum of a built frame, after editing it. */
static void
fix_icmp_csum(uint8_t *f, const struct tp_flayout *lo)
{
	tp_put16(f + lo->l4 + 2, 0);
	tp_put16(f + lo->l4 + 2, tp_ref_csum(f + lo->l4, lo->ip_len - lo->ihl));
}

/*
 * Reference for sl_pkt_icmp_quote(), from RFC 792 / 791 and the bytes of
 * a frame sl_pkt_parse() accepted as ICMP: 0, SL_DROP_ICMP or
 * SL_DROP_ICMP_QUOTE; on 0 the quoted L4 bytes in @p l4_len.
 */
static int
ref_quote(const uint8_t *f, uint32_t l2, uint32_t *l4_len)
{
	const uint8_t *ip = f + l2;
	uint32_t ihl = (ip[0] & 0xfu) * 4, n = tp_get16(ip + 2) - ihl;
	const uint8_t *icmp = ip + ihl, *q = icmp + 8;
	uint32_t qn, qihl, qtot;

	if (icmp[0] != 3 && icmp[0] != 11 && icmp[0] != 12)
		return SL_DROP_ICMP;
	if (n < 8 + 20)
		return SL_DROP_ICMP_QUOTE;
	qn = n - 8;
	qihl = (q[0] & 0xfu) * 4;
	qtot = tp_get16(q + 2);
	if (q[0] >> 4 != 4 || qihl < 20 || qn < qihl + 8 || qtot < qihl + 8 ||
	    (tp_get16(q + 6) & 0x1fff) != 0 ||
	    (q[9] != IPPROTO_TCP && q[9] != IPPROTO_UDP) ||
	    tp_ref_fold(tp_ref_sum(icmp, n, 0)) != 0xffff)
		return SL_DROP_ICMP_QUOTE;
	*l4_len = qn - qihl < qtot - qihl ? qn - qihl : qtot - qihl;
	return 0;
}

/* Parse frame @p f (copied before a guard page) and its quote; returns
 * the quote's result, -1 when the frame did not parse as ICMP. */
static int
quote_of(const uint8_t *f, uint32_t len, struct sl_pkt_info *pi,
	 struct sl_pkt_quote *q)
{
	uint8_t *g = at_page_end(f, len);

	if (g == NULL)
		return -2;
	if (parse(g, len, 0, pi) != 0 || pi->proto != IPPROTO_ICMP)
		return -1;
	memset(q, 0xa5, sizeof(*q));
	return sl_pkt_icmp_quote(g, len, pi, q);
}

/* Build an ICMP error quoting the first @p qlen bytes of @p inner, read
 * it back and compare every field of the result with the spec. */
static int
quote_good_case(struct tp_fspec *outer, uint8_t type, uint8_t code,
		uint32_t rest, const struct tp_fspec *inner, uint32_t qlen)
{
	static uint8_t f[TP_MAX_FRAME];
	struct tp_fspec o = *outer;
	struct tp_flayout lo;
	struct sl_pkt_info pi;
	struct sl_pkt_quote q;
	uint32_t ihl = 20u + inner->ip_opt_len, tot = ihl + tp_l4_hdr_len(inner) +
		inner->payload_len;
	int rc, bad = 0;

	qlen = tp_spec_icmp_err(&o, type, code, rest, inner, qlen);
	o.vlan = outer->vlan;
	o.ip_opt_len = outer->ip_opt_len;
	memcpy(o.ip_opt, outer->ip_opt, sizeof(o.ip_opt));
	tp_build_frame(&o, f, &lo);
	rc = quote_of(f, lo.len, &pi, &q);
	if (rc != 0) {
		fprintf(stderr, "\n    type %u code %u qlen %u: rc %d (%s)\n", type,
			code, qlen, rc, rc > 0 ? sl_drop_name((enum sl_drop)rc) : "-");
		return 1;
	}
	bad |= q.type != type || q.code != code;
	bad |= q.proto != inner->proto;
	bad |= q.ip_off != lo.l4 + 8;
	bad |= q.l3_len != ihl;
	bad |= q.l4_len != (qlen < tot ? qlen : tot) - ihl;
	bad |= q.src != rte_cpu_to_be_32(inner->src) ||
	       q.dst != rte_cpu_to_be_32(inner->dst);
	bad |= q.sport != rte_cpu_to_be_16(inner->sport) ||
	       q.dport != rte_cpu_to_be_16(inner->dport);
	if (bad)
		fprintf(stderr, "\n    type %u code %u qlen %u: wrong fields "
			"(off %u l3 %u l4 %u)\n", type, code, qlen, q.ip_off,
			q.l3_len, q.l4_len);
	return bad;
}

static void
test_quote_good(void)
{
	static const uint8_t tc[][2] = { { 3, 4 }, { 3, 3 }, { 3, 1 }, { 11, 0 },
					 { 11, 1 }, { 12, 0 } };
	struct tp_fspec outer, inner;
	unsigned t, p, v, o, io, k, fail = 0, n = 0;

	for (t = 0; t < RTE_DIM(tc); t++)
	for (p = 0; p < 2; p++)
	for (v = 0; v < 2; v++)
	for (o = 0; o < 2; o++)
	for (io = 0; io < 2; io++)
	for (k = 0; k < 4; k++) {
		/* a reply the VIP sent to the client */
		tp_spec_default(&inner, p ? IPPROTO_UDP : IPPROTO_TCP);
		inner.src = 0xc0a80164;
		inner.sport = 80;
		inner.dst = 0x0a020002;
		inner.dport = 40000;
		inner.payload_len = 100;
		if (io)
			tp_spec_ip_opts(&inner, 12);
		tp_spec_default(&outer, IPPROTO_ICMP);
		outer.vlan = v;
		if (o)
			tp_spec_ip_opts(&outer, 8);
		/* whole, just 8 L4 bytes, up to the TCP checksum, one short */
		{
			uint32_t ihl = 20u + inner.ip_opt_len;
			uint32_t qlens[4] = { 0, ihl + 8, ihl + 18, ihl + 17 };

			fail += quote_good_case(&outer, tc[t][0], tc[t][1],
						tc[t][0] == 3 && tc[t][1] == 4 ? 1200 : 0,
						&inner, qlens[k]) != 0;
		}
		n++;
	}
	CU_ASSERT_EQUAL(fail, 0);
	CU_ASSERT_EQUAL(n, RTE_DIM(tc) * 2 * 2 * 2 * 2 * 4);
}

static void
test_quote_not_error(void)
{
	static const uint8_t types[] = { 0, 4, 5, 8, 9, 10, 13, 14, 255 };
	static uint8_t f[TP_MAX_FRAME];
	struct tp_fspec s, inner;
	struct tp_flayout lo;
	struct sl_pkt_info pi;
	struct sl_pkt_quote q;
	unsigned i;

	tp_spec_default(&inner, IPPROTO_TCP);
	for (i = 0; i < RTE_DIM(types); i++) {
		tp_spec_icmp_err(&s, types[i], 0, 0, &inner, 0);
		tp_build_frame(&s, f, &lo);
		CU_ASSERT_EQUAL(quote_of(f, lo.len, &pi, &q), SL_DROP_ICMP);
	}
}

/* Every truncation of the quote, the frame ending at a guard page: short
 * quotes are refused, longer ones read with the right L4 length; zero
 * Ethernet padding (which leaves the checksum as it is) is never taken
 * for quoted bytes. */
static void
test_quote_truncated(void)
{
	static uint8_t f[TP_MAX_FRAME];
	struct tp_fspec s, inner;
	struct tp_flayout lo;
	struct sl_pkt_info pi;
	struct sl_pkt_quote q;
	uint32_t k, full, ihl, pad, fail = 0;
	int rc, want;

	for (pad = 0; pad <= 24; pad += 24) {
		tp_spec_default(&inner, IPPROTO_TCP);
		tp_spec_ip_opts(&inner, 4);
		inner.payload_len = 60;
		ihl = 24;
		full = ihl + 20 + 60;
		for (k = 0; k <= full; k++) {
			tp_spec_icmp_err(&s, 3, 4, 1200, &inner, k == 0 ? 1 : k);
			if (k == 0)
				s.payload_len = 0;
			s.pad_len = (uint16_t)pad;
			tp_build_frame(&s, f, &lo);
			rc = quote_of(f, lo.len, &pi, &q);
			want = k < ihl + 8 ? SL_DROP_ICMP_QUOTE : 0;
			if (rc != want || (rc == 0 && q.l4_len != k - ihl)) {
				if (fail++ == 0)
					fprintf(stderr, "\n    quote %u pad %u: rc %d "
						"l4_len %u\n", k, pad, rc, q.l4_len);
			}
		}
	}
	CU_ASSERT_EQUAL(fail, 0);
}

/* Malformed quotes: each is refused as icmp_bad_quote, never misread. */
static void
test_quote_malformed(void)
{
	static uint8_t f[TP_MAX_FRAME];
	struct tp_fspec s, inner;
	struct tp_flayout lo;
	struct sl_pkt_info pi;
	struct sl_pkt_quote q;
	uint8_t *qp;

#define QUOTE_EDIT(qlen, edit, want) do { \
		tp_spec_default(&inner, IPPROTO_UDP); \
		tp_spec_icmp_err(&s, 3, 3, 0, &inner, (qlen)); \
		tp_build_frame(&s, f, &lo); \
		qp = f + lo.l4 + 8; \
		edit; \
		fix_icmp_csum(f, &lo); \
		CU_ASSERT_EQUAL(quote_of(f, lo.len, &pi, &q), (want)); \
	} while (0)

	QUOTE_EDIT(0, (void)qp, 0);
	/* IP version */
	QUOTE_EDIT(0, qp[0] = 0x65, SL_DROP_ICMP_QUOTE);
	QUOTE_EDIT(0, qp[0] = 0x05, SL_DROP_ICMP_QUOTE);
	/* header length below 20, beyond the quote, leaving no 8 L4 bytes */
	QUOTE_EDIT(0, qp[0] = 0x44, SL_DROP_ICMP_QUOTE);
	QUOTE_EDIT(0, qp[0] = 0x40, SL_DROP_ICMP_QUOTE);
	QUOTE_EDIT(28, qp[0] = 0x4f, SL_DROP_ICMP_QUOTE);
	QUOTE_EDIT(28, qp[0] = 0x46, SL_DROP_ICMP_QUOTE);
	QUOTE_EDIT(32, qp[0] = 0x46, 0);
	/* total length too small for the header and 8 bytes */
	QUOTE_EDIT(0, tp_put16(qp + 2, 27), SL_DROP_ICMP_QUOTE);
	QUOTE_EDIT(0, tp_put16(qp + 2, 0), SL_DROP_ICMP_QUOTE);
	QUOTE_EDIT(0, tp_put16(qp + 2, 28), 0);
	/* a later fragment has no ports; a first one does */
	QUOTE_EDIT(0, tp_put16(qp + 6, 0x0001), SL_DROP_ICMP_QUOTE);
	QUOTE_EDIT(0, tp_put16(qp + 6, 0x2010), SL_DROP_ICMP_QUOTE);
	QUOTE_EDIT(0, tp_put16(qp + 6, 0x2000), 0);
	/* protocols other than TCP and UDP */
	QUOTE_EDIT(0, qp[9] = 47, SL_DROP_ICMP_QUOTE);
	QUOTE_EDIT(0, qp[9] = 0, SL_DROP_ICMP_QUOTE);
	/* the ICMP checksum */
	QUOTE_EDIT(0, (void)qp, 0);
	f[lo.l4 + 2] ^= 0x01;
	CU_ASSERT_EQUAL(quote_of(f, lo.len, &pi, &q), SL_DROP_ICMP_QUOTE);
#undef QUOTE_EDIT

	/* an error quoting an ICMP message (an echo reply, an error) */
	tp_spec_default(&inner, IPPROTO_ICMP);
	inner.icmp_type = 0;
	tp_spec_icmp_err(&s, 11, 0, 0, &inner, 0);
	tp_build_frame(&s, f, &lo);
	CU_ASSERT_EQUAL(quote_of(f, lo.len, &pi, &q), SL_DROP_ICMP_QUOTE);
	{
		struct tp_fspec err = s;

		tp_spec_icmp_err(&s, 3, 4, 1200, &err, 0);
		tp_build_frame(&s, f, &lo);
		CU_ASSERT_EQUAL(quote_of(f, lo.len, &pi, &q), SL_DROP_ICMP_QUOTE);
	}
	/* a length below the frame's own: nothing past it is read */
	tp_spec_default(&inner, IPPROTO_TCP);
	tp_spec_icmp_err(&s, 3, 4, 1200, &inner, 0);
	tp_build_frame(&s, f, &lo);
	CU_ASSERT_EQUAL_FATAL(quote_of(f, lo.len, &pi, &q), 0);
	qp = at_page_end(f, lo.l4 + 8 + 27);
	CU_ASSERT_EQUAL(sl_pkt_icmp_quote(qp, lo.l4 + 8 + 27, &pi, &q),
			SL_DROP_ICMP_QUOTE);
}

/* Random and mutated ICMP errors against the reference; on success every
 * field must be what the bytes say. */
static void
test_quote_fuzz(void)
{
	static uint8_t f[TP_MAX_FRAME];
	static const uint8_t types[] = { 3, 3, 3, 11, 12, 0, 5 };
	struct tp_fspec s, inner;
	struct tp_flayout lo;
	struct sl_pkt_info pi;
	struct sl_pkt_quote q;
	uint32_t it, ref_l4 = 0, fail = 0, seen_ok = 0, seen_quote = 0, seen_icmp = 0;
	int rc, want;

	sl_test_srand(0x1c3e);
	for (it = 0; it < 30000; it++) {
		const uint8_t *qp;
		uint32_t qlen;

		tp_spec_default(&inner, tp_rnd(2) ? IPPROTO_TCP : IPPROTO_UDP);
		inner.ip_opt_len = tp_rnd(3) == 0 ? (uint8_t)(4 * tp_rnd(11)) : 0;
		tp_rnd_fill(inner.ip_opt, inner.ip_opt_len);
		inner.src = sl_test_rand();
		inner.dst = sl_test_rand();
		inner.sport = (uint16_t)sl_test_rand();
		inner.dport = (uint16_t)sl_test_rand();
		inner.payload_len = (uint16_t)tp_rnd(200);
		qlen = tp_rnd(3) == 0 ? 0 : tp_rnd(20u + inner.ip_opt_len + 40);
		tp_spec_icmp_err(&s, types[tp_rnd(RTE_DIM(types))], (uint8_t)tp_rnd(16),
				 sl_test_rand(), &inner, qlen == 0 ? 1 : qlen);
		if (qlen == 0 && tp_rnd(2))
			s.payload_len = 0;
		s.vlan = tp_rnd(4) == 0;
		s.ip_opt_len = tp_rnd(4) == 0 ? (uint8_t)(4 * tp_rnd(11)) : 0;
		tp_rnd_fill(s.ip_opt, s.ip_opt_len);
		s.pad_len = tp_rnd(4) == 0 ? (uint16_t)tp_rnd(40) : 0;
		tp_build_frame(&s, f, &lo);
		/* mutate a few bytes of the quote's header region */
		if (tp_rnd(2)) {
			uint32_t m, nm = 1 + tp_rnd(3), span = lo.ip_len - lo.ihl;

			for (m = 0; m < nm && span > 8; m++)
				f[lo.l4 + 8 + tp_rnd(span - 8 < 48 ? span - 8 : 48)] =
					tp_rnd(2) ? (uint8_t)sl_test_rand() :
					(uint8_t)(0x40 | tp_rnd(16));
			if (tp_rnd(8) != 0)
				fix_icmp_csum(f, &lo);
		}
		rc = quote_of(f, lo.len, &pi, &q);
		if (rc == -1)
			continue;
		want = ref_quote(at_page_end(f, lo.len), lo.l2, &ref_l4);
		if (rc != want) {
			if (fail++ < 3)
				fprintf(stderr, "\n    iteration %u: rc %d, reference %d\n",
					it, rc, want);
			continue;
		}
		if (rc == SL_DROP_ICMP) {
			seen_icmp++;
			continue;
		}
		if (rc != 0) {
			seen_quote++;
			continue;
		}
		seen_ok++;
		qp = f + q.ip_off;
		if (q.ip_off != lo.l4 + 8 || q.l3_len != (qp[0] & 0xfu) * 4 ||
		    q.l4_len != ref_l4 || q.ip_off + q.l3_len + 8u > lo.l2 + lo.ip_len ||
		    q.type != f[lo.l4] || q.code != f[lo.l4 + 1] || q.proto != qp[9] ||
		    q.src != rte_cpu_to_be_32(tp_get32(qp + 12)) ||
		    q.dst != rte_cpu_to_be_32(tp_get32(qp + 16)) ||
		    q.sport != rte_cpu_to_be_16(tp_get16(qp + q.l3_len)) ||
		    q.dport != rte_cpu_to_be_16(tp_get16(qp + q.l3_len + 2))) {
			if (fail++ < 3)
				fprintf(stderr, "\n    iteration %u: fields differ\n", it);
		}
	}
	if (fail)
		fprintf(stderr, "\n    %u failures\n", fail);
	CU_ASSERT_EQUAL(fail, 0);
	/* all three outcomes reached, many times */
	CU_ASSERT(seen_ok > 3000);
	CU_ASSERT(seen_quote > 3000);
	CU_ASSERT(seen_icmp > 1000);
}

/* ---------- IPv6 ---------- */

/* sl_pkt_parse() then sl_pkt_parse6() as the fast path calls them;
 * -1 when the first does not hand the frame on as IPv6. */
static int
parse6(const uint8_t *f, uint32_t len, unsigned flags, struct sl_pkt6_info *pi)
{
	struct sl_pkt_info p4;

	if (sl_pkt_parse(f, len, flags, &p4) != 0 || p4.kind != SL_PKT_IPV6)
		return -1;
	memset(pi, 0xa5, sizeof(*pi));
	pi->l2_len = p4.l2_len;
	return sl_pkt_parse6(f, len, flags, pi);
}

/* Check every field of a successful IPv6 parse against the spec. */
static int
check_ipv6_info(const struct tp6_fspec *s, const struct tp_flayout *lo,
		const struct sl_pkt6_info *pi)
{
	int bad = 0;

	bad |= pi->proto != s->proto;
	bad |= pi->l2_len != lo->l2;
	bad |= pi->l3_len != lo->ihl;
	bad |= pi->l4_len != lo->l4_hlen;
	bad |= pi->plen != lo->ip_len - 40;
	bad |= memcmp(pi->src.b, s->src, 16) != 0;
	bad |= memcmp(pi->dst.b, s->dst, 16) != 0;
	if (s->proto == SL_IPPROTO_ICMPV6) {
		int echo = s->icmp_type == 128 || s->icmp_type == 129;

		bad |= pi->sport != rte_cpu_to_be_16(echo ? s->sport : 0);
		bad |= pi->dport != rte_cpu_to_be_16((uint16_t)(s->icmp_type << 8 |
								s->icmp_code));
		bad |= pi->tcp_flags != 0;
	} else {
		bad |= pi->sport != rte_cpu_to_be_16(s->sport);
		bad |= pi->dport != rte_cpu_to_be_16(s->dport);
		bad |= pi->tcp_flags != (s->proto == IPPROTO_TCP ? s->tcp_flags : 0);
	}
	CU_ASSERT_EQUAL(bad, 0);
	return bad;
}

static int
expect6_good(const struct tp6_fspec *s)
{
	static uint8_t f[TP_MAX_FRAME];
	struct tp_flayout lo;
	struct sl_pkt6_info pi;
	int rc;

	tp6_build_frame(s, f, &lo);
	rc = parse6(f, lo.len, 0, &pi);
	CU_ASSERT_EQUAL(rc, 0);
	if (rc != 0) {
		fprintf(stderr, "\n    IPv6 proto %u, %u ext: rc %d (%s)\n", s->proto,
			s->n_ext, rc, rc > 0 ? sl_drop_name((enum sl_drop)rc) : "-");
		return 1;
	}
	return check_ipv6_info(s, &lo, &pi);
}

static void
expect6_drop(const uint8_t *f, uint32_t len, unsigned flags, int reason)
{
	struct sl_pkt6_info pi;
	int rc;

	rc = parse6(f, len, flags, &pi);
	CU_ASSERT_EQUAL(rc, reason);
	if (rc != reason)
		fprintf(stderr, "\n    IPv6 len %u flags %#x: got %d (%s), want %d (%s)\n",
			len, flags, rc, rc > 0 ? sl_drop_name((enum sl_drop)rc) : "-",
			reason, sl_drop_name((enum sl_drop)reason));
}

static void
expect6_spec_drop(const struct tp6_fspec *s, int reason)
{
	static uint8_t f[TP_MAX_FRAME];
	struct tp_flayout lo;

	tp6_build_frame(s, f, &lo);
	expect6_drop(f, lo.len, 0, reason);
}

static void
test_parse6_tcp(void)
{
	struct tp6_fspec s;

	tp6_spec_default(&s, IPPROTO_TCP);
	expect6_good(&s);
	s.tcp_opt_len = 12;
	memset(s.tcp_opt, 1, 12);
	s.tcp_flags = RTE_TCP_PSH_FLAG | RTE_TCP_ACK_FLAG | RTE_TCP_FIN_FLAG;
	expect6_good(&s);
	s.tcp_opt_len = 40;
	s.payload_len = 0;
	s.tcp_flags = 0xff;
	expect6_good(&s);
	/* odd payload length: the last byte is summed as a high half */
	s.payload_len = 1;
	expect6_good(&s);
	s.payload_len = 1440;
	expect6_good(&s);
}

static void
test_parse6_udp(void)
{
	struct tp6_fspec s;

	tp6_spec_default(&s, IPPROTO_UDP);
	s.sport = 5353;
	s.dport = 53;
	expect6_good(&s);
	s.payload_len = 0;
	expect6_good(&s);
	s.payload_len = 1452;
	expect6_good(&s);
}

static void
test_parse6_icmp(void)
{
	struct tp6_fspec s;

	tp6_spec_default(&s, SL_IPPROTO_ICMPV6);
	s.sport = 0xbeef;
	s.dport = 7;
	expect6_good(&s);
	s.icmp_type = 129;
	s.payload_len = 0;
	expect6_good(&s);
	/* not an echo: no identifier; type and code in dport */
	s.icmp_type = 1;
	s.icmp_code = 4;
	expect6_good(&s);
	s.icmp_type = 135;
	s.icmp_code = 0;
	s.payload_len = 24;
	expect6_good(&s);
}

static void
test_parse6_vlan_padding(void)
{
	static const uint8_t protos[] = { IPPROTO_TCP, IPPROTO_UDP, SL_IPPROTO_ICMPV6 };
	struct tp6_fspec s;
	unsigned p;

	for (p = 0; p < RTE_DIM(protos); p++) {
		tp6_spec_default(&s, protos[p]);
		s.vlan = 1;
		s.tci = 0x2064;
		expect6_good(&s);
		/* minimum frame padding after a short packet */
		tp6_spec_default(&s, protos[p]);
		s.payload_len = 0;
		s.pad_len = 30;
		memset(s.pad, 0xee, sizeof(s.pad));
		expect6_good(&s);
		s.vlan = 1;
		tp6_add_ext(&s, 60, 8);
		expect6_good(&s);
	}
}

static void
test_parse6_ext_headers(void)
{
	static const uint8_t protos[] = { IPPROTO_TCP, IPPROTO_UDP, SL_IPPROTO_ICMPV6 };
	static const uint8_t kinds[] = { 0, 60, 43 };
	static const uint16_t lens[] = { 8, 16, 24, 64, 2048 };
	struct tp6_fspec s;
	unsigned p, k, l, n, fail = 0;

	for (p = 0; p < RTE_DIM(protos); p++) {
		/* each kind alone, in several lengths up to the largest */
		for (k = 0; k < RTE_DIM(kinds); k++)
			for (l = 0; l < RTE_DIM(lens); l++) {
				tp6_spec_default(&s, protos[p]);
				s.vlan = l & 1;
				tp6_add_ext(&s, kinds[k], lens[l]);
				fail += expect6_good(&s) != 0;
			}
		/* chains: hop-by-hop, dest opts, routing, dest opts */
		tp6_spec_default(&s, protos[p]);
		tp6_add_ext(&s, 0, 8);
		tp6_add_ext(&s, 60, 16);
		tp6_add_ext(&s, 43, 24);
		tp6_add_ext(&s, 60, 8);
		fail += expect6_good(&s) != 0;
		/* 1 to 8 headers (hop-by-hop first) */
		for (n = 1; n <= 8; n++) {
			tp6_spec_default(&s, protos[p]);
			for (k = 0; k < n; k++)
				tp6_add_ext(&s, k == 0 ? 0 : kinds[1 + k % 2],
					    (uint16_t)(8 * (1 + k % 3)));
			fail += expect6_good(&s) != 0;
		}
	}
	CU_ASSERT_EQUAL(fail, 0);
}

static void
test_drop6_ext_headers(void)
{
	static uint8_t f[TP_MAX_FRAME];
	struct tp6_fspec s;
	struct tp_flayout lo;
	unsigned k;

	/* 9 headers: one too many, whatever kind */
	tp6_spec_default(&s, IPPROTO_TCP);
	for (k = 0; k < 9; k++)
		tp6_add_ext(&s, 60, 8);
	expect6_spec_drop(&s, SL_DROP_BAD_EXT_HDR);
	tp6_spec_default(&s, IPPROTO_UDP);
	tp6_add_ext(&s, 0, 8);
	for (k = 0; k < 8; k++)
		tp6_add_ext(&s, k & 1 ? 43 : 60, 16);
	expect6_spec_drop(&s, SL_DROP_BAD_EXT_HDR);
	/* hop-by-hop anywhere but first */
	tp6_spec_default(&s, IPPROTO_TCP);
	tp6_add_ext(&s, 60, 8);
	tp6_add_ext(&s, 0, 8);
	expect6_spec_drop(&s, SL_DROP_BAD_EXT_HDR);
	tp6_spec_default(&s, IPPROTO_TCP);
	tp6_add_ext(&s, 0, 8);
	tp6_add_ext(&s, 0, 8);
	expect6_spec_drop(&s, SL_DROP_BAD_EXT_HDR);
	/* a routing header with segments left names another hop */
	tp6_spec_default(&s, IPPROTO_TCP);
	tp6_add_ext(&s, 43, 24);
	s.ext[0].data[1] = 1;
	expect6_spec_drop(&s, SL_DROP_BAD_EXT_HDR);
	/* a header whose length runs past the payload (frame holds it) */
	tp6_spec_default(&s, IPPROTO_UDP);
	s.payload_len = 0;
	s.pad_len = 64;
	tp6_add_ext(&s, 60, 8);
	tp6_build_frame(&s, f, &lo);
	f[lo.l2 + 41] = 2;  /* 24 bytes, 16 in the packet */
	expect6_drop(f, lo.len, 0, SL_DROP_BAD_EXT_HDR);
	f[lo.l2 + 41] = 1;  /* 16 bytes: exactly the payload, no room for UDP */
	expect6_drop(f, lo.len, 0, SL_DROP_BAD_L4_LEN);
	f[lo.l2 + 41] = 255;
	expect6_drop(f, lo.len, 0, SL_DROP_BAD_EXT_HDR);
}

static void
test_drop6_fragment(void)
{
	struct tp6_fspec s;
	unsigned k;

	/* first, after a destination options header, after hop-by-hop and
	 * routing, and after the eighth header */
	tp6_spec_default(&s, IPPROTO_UDP);
	tp6_add_ext(&s, 44, 8);
	expect6_spec_drop(&s, SL_DROP_FRAGMENT);
	tp6_spec_default(&s, IPPROTO_TCP);
	tp6_add_ext(&s, 60, 16);
	tp6_add_ext(&s, 44, 8);
	expect6_spec_drop(&s, SL_DROP_FRAGMENT);
	tp6_spec_default(&s, SL_IPPROTO_ICMPV6);
	tp6_add_ext(&s, 0, 8);
	tp6_add_ext(&s, 43, 24);
	tp6_add_ext(&s, 44, 8);
	tp6_add_ext(&s, 60, 8);
	expect6_spec_drop(&s, SL_DROP_FRAGMENT);
	tp6_spec_default(&s, IPPROTO_TCP);
	for (k = 0; k < 8; k++)
		tp6_add_ext(&s, 60, 8);
	tp6_add_ext(&s, 44, 8);
	expect6_spec_drop(&s, SL_DROP_FRAGMENT);
	/* an atomic fragment (offset 0, M clear) is still a fragment header */
	tp6_spec_default(&s, IPPROTO_TCP);
	tp6_add_ext(&s, 44, 8);
	memset(s.ext[0].data, 0, sizeof(s.ext[0].data));
	expect6_spec_drop(&s, SL_DROP_FRAGMENT);
}

static void
test_drop6_unsup_l4(void)
{
	static const uint8_t protos[] = { 59 /* no next header */, 50 /* ESP */,
					  51 /* AH */, 132, 47, 4, 41, 135, 255 };
	struct tp6_fspec s;
	unsigned i;

	for (i = 0; i < RTE_DIM(protos); i++) {
		tp6_spec_default(&s, protos[i]);
		s.vlan = i & 1;
		expect6_spec_drop(&s, SL_DROP_UNSUP_L4);
		tp6_add_ext(&s, 60, 8);
		expect6_spec_drop(&s, SL_DROP_UNSUP_L4);
	}
	/* IPv4's ICMP number is not ICMPv6 */
	tp6_spec_default(&s, IPPROTO_ICMP);
	expect6_spec_drop(&s, SL_DROP_UNSUP_L4);
}

static void
test_drop6_bad_ip6(void)
{
	static uint8_t f[TP_MAX_FRAME];
	struct tp6_fspec s;
	struct tp_flayout lo;
	unsigned v;
	uint32_t len;

	tp6_spec_default(&s, IPPROTO_TCP);
	for (v = 0; v < 16; v++) {
		if (v == 6)
			continue;
		tp6_build_frame(&s, f, &lo);
		f[lo.l2] = (uint8_t)(v << 4 | (f[lo.l2] & 0xf));
		expect6_drop(f, lo.len, 0, SL_DROP_BAD_IP6);
	}
	/* a header shorter than 40 bytes */
	tp6_build_frame(&s, f, &lo);
	for (len = 14; len < 54; len++)
		expect6_drop(f, len, 0, SL_DROP_BAD_IP6);
	/* payload length 0 (jumbogram), and one beyond the frame */
	tp_put16(f + lo.l2 + 4, 0);
	expect6_drop(f, lo.len, 0, SL_DROP_BAD_IP6);
	tp6_build_frame(&s, f, &lo);
	tp_put16(f + lo.l2 + 4, (uint16_t)(lo.ip_len - 40 + 1));
	expect6_drop(f, lo.len, 0, SL_DROP_BAD_IP6);
	tp_put16(f + lo.l2 + 4, 0xffff);
	expect6_drop(f, lo.len, 0, SL_DROP_BAD_IP6);
	/* behind a VLAN tag: the tag counts towards the frame only */
	s.vlan = 1;
	tp6_build_frame(&s, f, &lo);
	expect6_drop(f, lo.len - 1, 0, SL_DROP_BAD_IP6);
	for (len = 18; len < 58; len++)
		expect6_drop(f, len, 0, SL_DROP_BAD_IP6);
}

/*
 * Every truncation: the frame cut at each byte (the payload length then
 * exceeds it), and the payload length cut at each byte with the frame
 * whole (the bytes beyond are padding): the drop names the part cut.
 */
static void
test_drop6_truncated(void)
{
	static const uint8_t protos[] = { IPPROTO_TCP, IPPROTO_UDP, SL_IPPROTO_ICMPV6 };
	static uint8_t f[TP_MAX_FRAME];
	struct tp6_fspec s;
	struct tp_flayout lo;
	struct sl_pkt6_info pi;
	unsigned p, fail = 0;
	uint32_t len, k, ext;
	int rc, want;

	for (p = 0; p < RTE_DIM(protos); p++) {
		tp6_spec_default(&s, protos[p]);
		s.vlan = p == 1;
		tp6_add_ext(&s, 0, 8);
		tp6_add_ext(&s, 43, 24);
		tp6_add_ext(&s, 60, 16);
		s.tcp_opt_len = 8;
		tp6_build_frame(&s, f, &lo);
		CU_ASSERT_EQUAL(parse6(f, lo.len, 0, &pi), 0);
		for (len = lo.l2; len < lo.len; len++) {
			rc = parse6(f, len, 0, &pi);
			if (rc != SL_DROP_BAD_IP6 && fail++ < 3)
				fprintf(stderr, "\n    proto %u cut at %u: rc %d\n",
					protos[p], len, rc);
		}
		ext = lo.ihl - 40;
		for (k = 0; k < lo.ip_len - 40; k++) {
			tp6_build_frame(&s, f, &lo);
			tp_put16(f + lo.l2 + 4, (uint16_t)k);
			if (k == 0)
				want = SL_DROP_BAD_IP6;
			else if (k < ext)
				want = SL_DROP_BAD_EXT_HDR;
			else if (k < ext + lo.l4_hlen || protos[p] == IPPROTO_UDP)
				want = SL_DROP_BAD_L4_LEN;
			else if (protos[p] == SL_IPPROTO_ICMPV6)
				want = SL_DROP_BAD_L4_CSUM;
			else
				want = 0;   /* TCP: the segment is shorter; its
					     * checksum is the end host's */
			rc = parse6(f, lo.len, 0, &pi);
			if (rc != want && fail++ < 3)
				fprintf(stderr, "\n    proto %u payload length %u: rc %d, "
					"want %d\n", protos[p], k, rc, want);
		}
	}
	CU_ASSERT_EQUAL(fail, 0);
}

static void
test_drop6_bad_l4(void)
{
	static uint8_t f[TP_MAX_FRAME];
	struct tp6_fspec s;
	struct tp_flayout lo;
	unsigned i;

	/* TCP data offset below 5, and beyond the packet */
	tp6_spec_default(&s, IPPROTO_TCP);
	s.payload_len = 10;
	for (i = 0; i < 5; i++) {
		tp6_build_frame(&s, f, &lo);
		f[lo.l4 + 12] = (uint8_t)(i << 4);
		tp6_fix_l4_csum(f, &lo, IPPROTO_TCP);
		expect6_drop(f, lo.len, 0, SL_DROP_BAD_L4_LEN);
	}
	f[lo.l4 + 12] = 0x80;  /* 32 bytes, 30 in the packet */
	tp6_fix_l4_csum(f, &lo, IPPROTO_TCP);
	expect6_drop(f, lo.len, 0, SL_DROP_BAD_L4_LEN);
	f[lo.l4 + 12] = 0x70;  /* 28 bytes: fits */
	tp6_fix_l4_csum(f, &lo, IPPROTO_TCP);
	CU_ASSERT_EQUAL(parse6(f, lo.len, 0, &(struct sl_pkt6_info){ 0 }), 0);

	/* UDP length: below 8, one off either way, 0 */
	tp6_spec_default(&s, IPPROTO_UDP);
	s.payload_len = 20;
	s.pad_len = 20;
	{
		static const uint16_t ulens[] = { 0, 1, 7, 27, 29, 0xffff };

		for (i = 0; i < RTE_DIM(ulens); i++) {
			tp6_build_frame(&s, f, &lo);
			tp_put16(f + lo.l4 + 4, ulens[i]);
			tp6_fix_l4_csum(f, &lo, IPPROTO_UDP);
			expect6_drop(f, lo.len, 0, SL_DROP_BAD_L4_LEN);
		}
	}
	/* ICMPv6 shorter than 8 bytes */
	tp6_spec_default(&s, SL_IPPROTO_ICMPV6);
	s.payload_len = 0;
	for (i = 1; i < 8; i++) {
		tp6_build_frame(&s, f, &lo);
		tp_put16(f + lo.l2 + 4, (uint16_t)i);
		expect6_drop(f, lo.len, 0, SL_DROP_BAD_L4_LEN);
	}
}

static void
test_drop6_l4_csum(void)
{
	static const uint8_t protos[] = { IPPROTO_TCP, IPPROTO_UDP, SL_IPPROTO_ICMPV6 };
	static uint8_t f[TP_MAX_FRAME];
	struct tp6_fspec s;
	struct tp_flayout lo;
	struct sl_pkt6_info pi;
	unsigned p, bit, fail = 0;
	uint32_t off;

	for (p = 0; p < RTE_DIM(protos); p++) {
		tp6_spec_default(&s, protos[p]);
		tp6_add_ext(&s, 60, 8);
		s.vlan = p & 1;
		tp6_build_frame(&s, f, &lo);
		CU_ASSERT_EQUAL(parse6(f, lo.len, 0, &pi), 0);
		/* the NIC's verdict */
		expect6_drop(f, lo.len, SL_PKT_F_L4_CSUM_BAD, SL_DROP_BAD_L4_CSUM);
		/* any bit flip in the addresses (pseudo-header), the checksum
		 * or the last payload byte: ICMPv6 is refused, TCP and UDP
		 * pass (their checksums are the end hosts' to verify) */
		for (bit = 0; bit < 8 * 32 + 16 + 8; bit++) {
			tp6_build_frame(&s, f, &lo);
			if (bit < 256)
				off = lo.l2 + 8 + bit / 8;
			else if (bit < 272)
				off = lo.l4 + tp6_csum_off(protos[p]) + (bit - 256) / 8;
			else
				off = lo.l2 + lo.ip_len - 1;
			f[off] ^= (uint8_t)(1u << (bit % 8));
			if (parse6(f, lo.len, 0, &pi) !=
			    (protos[p] == SL_IPPROTO_ICMPV6 ? SL_DROP_BAD_L4_CSUM : 0))
				fail++;
		}
	}
	CU_ASSERT_EQUAL(fail, 0);
	/* UDP checksum 0 is invalid over IPv6, even when the NIC said
	 * nothing and the rest is right */
	tp6_spec_default(&s, IPPROTO_UDP);
	s.udp_zero_csum = 1;
	expect6_spec_drop(&s, SL_DROP_BAD_L4_CSUM);
	/* a UDP sum of -0 is sent as 0xffff and accepted */
	tp6_spec_default(&s, IPPROTO_UDP);
	s.payload_len = 2;
	for (p = 0; p < 0x10000; p++) {
		s.payload[0] = (uint8_t)(p >> 8);
		s.payload[1] = (uint8_t)p;
		tp6_build_frame(&s, f, &lo);
		tp_put16(f + lo.l4 + 6, 0);
		if (tp_ref_fold(tp6_ref_l4_sum(f, &lo, IPPROTO_UDP)) == 0xffff)
			break;
	}
	CU_ASSERT_FATAL(p < 0x10000);
	tp6_build_frame(&s, f, &lo);
	CU_ASSERT_EQUAL(tp_get16(f + lo.l4 + 6), 0xffff);
	CU_ASSERT_EQUAL(parse6(f, lo.len, 0, &pi), 0);
	CU_ASSERT_EQUAL(sl_l4_csum6(&pi.src, &pi.dst, IPPROTO_UDP, f + lo.l4,
				    lo.ip_len - lo.ihl, 6), 0xffff);
	/* 0 in place of that 0xffff sums the same, but means "none" */
	tp_put16(f + lo.l4 + 6, 0);
	expect6_drop(f, lo.len, 0, SL_DROP_BAD_L4_CSUM);
}

static void
test_csum6_random(void)
{
	static const uint8_t protos[] = { IPPROTO_TCP, IPPROTO_UDP, SL_IPPROTO_ICMPV6 };
	static uint8_t f[TP_MAX_FRAME];
	struct tp6_fspec s;
	struct tp_flayout lo;
	struct sl_in6 src, dst;
	uint32_t it, bad = 0, odd = 0, coff;
	uint16_t want, got;

	sl_test_srand(0x6c5);
	for (it = 0; it < 3000; it++) {
		tp6_spec_default(&s, protos[tp_rnd(3)]);
		tp_rnd_fill(s.src, 16);
		tp_rnd_fill(s.dst, 16);
		s.payload_len = (uint16_t)tp_rnd(1401);
		tp_rnd_fill(s.payload, s.payload_len);
		if (tp_rnd(3) == 0)
			tp6_add_ext(&s, 60, (uint16_t)(8 * (1 + tp_rnd(4))));
		tp6_build_frame(&s, f, &lo);
		odd += lo.ip_len & 1;
		coff = lo.l4 + tp6_csum_off(s.proto);
		want = tp_get16(f + coff);
		/* the library must ignore what the field holds */
		tp_put16(f + coff, (uint16_t)sl_test_rand());
		memcpy(src.b, s.src, 16);
		memcpy(dst.b, s.dst, 16);
		got = sl_l4_csum6(&src, &dst, s.proto, f + lo.l4, lo.ip_len - lo.ihl,
				  tp6_csum_off(s.proto));
		if (rte_be_to_cpu_16(got) != want && bad++ == 0)
			fprintf(stderr, "\n    csum6 proto %u len %u: got %#x want %#x\n",
				s.proto, lo.ip_len, rte_be_to_cpu_16(got), want);
	}
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT(odd > 500);
}

/*
 * Reference for sl_pkt_parse6(), from RFC 8200 and the rules the parser
 * documents, on the bytes of a frame: the expected result, and on
 * success the upper layer's offset from the IPv6 header.
 */
static int
ref_parse6(const uint8_t *f, uint32_t len, uint32_t l2, unsigned flags,
	   uint32_t *l4_off)
{
	const uint8_t *ip = f + l2;
	uint32_t plen, end, off = 40, n = 0, hl, avail;
	uint8_t nh;

	if (len < l2 + 40 || ip[0] >> 4 != 6)
		return SL_DROP_BAD_IP6;
	plen = tp_get16(ip + 4);
	if (plen == 0 || l2 + 40 + plen > len)
		return SL_DROP_BAD_IP6;
	end = 40 + plen;
	nh = ip[6];
	while (nh == 0 || nh == 43 || nh == 60 || nh == 44) {
		if (nh == 44)
			return SL_DROP_FRAGMENT;
		if ((nh == 0 && n > 0) || n == 8 || off + 8 > end)
			return SL_DROP_BAD_EXT_HDR;
		hl = 8u * (ip[off + 1] + 1u);
		if (off + hl > end || (nh == 43 && ip[off + 3] != 0))
			return SL_DROP_BAD_EXT_HDR;
		n++;
		nh = ip[off];
		off += hl;
	}
	if (nh != 6 && nh != 17 && nh != 58)
		return SL_DROP_UNSUP_L4;
	avail = end - off;
	if (nh == 6 && (avail < 20 || (ip[off + 12] >> 4) < 5 ||
			(ip[off + 12] >> 4) * 4u > avail))
		return SL_DROP_BAD_L4_LEN;
	if (nh == 17 && (avail < 8 || tp_get16(ip + off + 4) != avail))
		return SL_DROP_BAD_L4_LEN;
	if (nh == 58 && avail < 8)
		return SL_DROP_BAD_L4_LEN;
	if (nh == 17 && tp_get16(ip + off + 6) == 0)
		return SL_DROP_BAD_L4_CSUM;
	if (flags & SL_PKT_F_L4_CSUM_BAD)
		return SL_DROP_BAD_L4_CSUM;
	/* only ICMPv6 is summed; TCP and UDP are the end hosts' */
	if (nh == 58) {
		uint32_t sum = tp_ref_sum(ip + 8, 32, 0) + avail + nh;

		if (tp_ref_fold(tp_ref_sum(ip + off, avail, sum)) != 0xffff)
			return SL_DROP_BAD_L4_CSUM;
	}
	*l4_off = off;
	return 0;
}

static void
test_fuzz6(void)
{
	static const uint8_t ext_types[] = { 0, 60, 43, 60, 44, 59, 50 };
	static const uint8_t protos[] = { IPPROTO_TCP, IPPROTO_UDP, SL_IPPROTO_ICMPV6 };
	static uint8_t f[TP_MAX_FRAME];
	uint32_t seen[SL_DROP_MAX] = { 0 };
	uint32_t it, len, k, n, l4_off = 0, fail = 0, ok = 0, distinct = 0;
	struct tp6_fspec s;
	struct tp_flayout lo;
	struct sl_pkt6_info pi;
	unsigned flags;
	uint8_t *heap;
	int rc, want;

	sl_test_srand(0xf066);
	for (it = 0; it < 60000; it++) {
		tp6_spec_default(&s, protos[tp_rnd(3)]);
		if (tp_rnd(10) == 0)
			s.proto = (uint8_t)sl_test_rand();
		s.vlan = tp_rnd(3) == 0;
		tp_rnd_fill(s.src, 16);
		tp_rnd_fill(s.dst, 16);
		s.sport = (uint16_t)sl_test_rand();
		s.dport = (uint16_t)sl_test_rand();
		s.tcp_flags = (uint8_t)sl_test_rand();
		s.tcp_opt_len = tp_rnd(3) == 0 ? (uint8_t)(4 * tp_rnd(11)) : 0;
		s.icmp_type = (uint8_t)(tp_rnd(2) ? 128 + tp_rnd(2) : sl_test_rand());
		s.payload_len = (uint16_t)tp_rnd(65);
		tp_rnd_fill(s.payload, s.payload_len);
		s.pad_len = tp_rnd(3) == 0 ? (uint16_t)tp_rnd(21) : 0;
		n = tp_rnd(3) == 0 ? tp_rnd(11) : tp_rnd(3);
		for (k = 0; k < n; k++) {
			tp6_add_ext(&s, ext_types[tp_rnd(RTE_DIM(ext_types))],
				    (uint16_t)(8 * (1 + tp_rnd(3))));
			if (tp_rnd(8) == 0)
				tp_rnd_fill(s.ext[k].data, sizeof(s.ext[k].data));
		}
		len = tp6_build_frame(&s, f, &lo);
		/* mutate header bytes, sometimes keeping the checksum right */
		k = tp_rnd(4);
		n = RTE_MIN(len, lo.l4 + lo.l4_hlen + 8);
		while (k--)
			f[tp_rnd(n)] ^= (uint8_t)(1u << tp_rnd(8));
		if (tp_rnd(2) && (s.proto == 6 || s.proto == 17 || s.proto == 58) &&
		    lo.l4 + lo.l4_hlen <= len && tp_get16(f + lo.l2 + 4) == lo.ip_len - 40)
			tp6_fix_l4_csum(f, &lo, s.proto);
		if (tp_rnd(5) == 0)
			len = tp_rnd(len + 1);
		flags = tp_rnd(10) == 0 ? SL_PKT_F_L4_CSUM_BAD : 0;
		/* an exact-size heap copy: reads past the end are real
		 * out-of-bounds reads (visible under ASan/valgrind) */
		heap = malloc(len ? len : 1);
		if (heap == NULL) {
			CU_FAIL("malloc");
			return;
		}
		memcpy(heap, f, len);
		rc = parse6(heap, len, flags, &pi);
		if (rc == -1) {
			free(heap);
			continue;
		}
		want = ref_parse6(heap, len, pi.l2_len, flags, &l4_off);
		if (rc != want) {
			if (fail++ < 3)
				fprintf(stderr, "\n    fuzz6 iteration %u: rc %d, reference %d\n",
					it, rc, want);
		} else if (rc == 0) {
			const uint8_t *ip = heap + pi.l2_len, *l4 = ip + l4_off;
			uint16_t d = pi.proto == 58 ? (uint16_t)(l4[0] << 8 | l4[1]) :
				tp_get16(l4 + 2);
			uint16_t sp = pi.proto != 58 ? tp_get16(l4) :
				l4[0] == 128 || l4[0] == 129 ? tp_get16(l4 + 4) : 0;

			ok++;
			if (pi.l3_len != l4_off || pi.plen != tp_get16(ip + 4) ||
			    pi.proto != (pi.proto == 6 || pi.proto == 17 ? pi.proto : 58) ||
			    pi.l4_len != (pi.proto == 6 ? (l4[12] >> 4) * 4u : 8u) ||
			    memcmp(pi.src.b, ip + 8, 16) || memcmp(pi.dst.b, ip + 24, 16) ||
			    pi.sport != rte_cpu_to_be_16(sp) ||
			    pi.dport != rte_cpu_to_be_16(d) ||
			    pi.tcp_flags != (pi.proto == 6 ? l4[13] : 0)) {
				if (fail++ < 3)
					fprintf(stderr, "\n    fuzz6 iteration %u: fields differ\n",
						it);
			}
		} else if (rc > 0 && rc < SL_DROP_MAX) {
			seen[rc]++;
		}
		free(heap);
	}
	for (k = 0; k < SL_DROP_MAX; k++)
		distinct += seen[k] != 0;
	CU_ASSERT_EQUAL(fail, 0);
	CU_ASSERT(ok > 10000);
	CU_ASSERT(distinct >= 6);
	CU_ASSERT(seen[SL_DROP_FRAGMENT] > 0);
	CU_ASSERT(seen[SL_DROP_BAD_EXT_HDR] > 0);
	CU_ASSERT(seen[SL_DROP_UNSUP_L4] > 0);
	CU_ASSERT(seen[SL_DROP_BAD_L4_CSUM] > 0);
}

static const struct sl_test_case pkt_tests[] = {
	{ "reference checksum known vector", test_ref_known_vector },
	{ "parse TCP", test_parse_tcp },
	{ "parse UDP", test_parse_udp },
	{ "parse ICMP", test_parse_icmp },
	{ "parse VLAN", test_parse_vlan },
	{ "parse IP options", test_parse_ip_options },
	{ "parse Ethernet padding", test_parse_eth_padding },
	{ "parse ARP", test_parse_arp },
	{ "parse with NIC flags", test_parse_flags_accept },
	{ "drop short frame", test_drop_short_frame },
	{ "drop not IPv4", test_drop_not_ipv4 },
	{ "drop short IP", test_drop_short_ip },
	{ "drop bad IP version", test_drop_bad_version },
	{ "drop bad IHL", test_drop_bad_ihl },
	{ "drop bad IP length", test_drop_bad_ip_len },
	{ "drop bad IP checksum", test_drop_bad_ip_csum },
	{ "drop fragment", test_drop_fragment },
	{ "drop bad TCP header", test_drop_bad_tcp },
	{ "drop bad UDP header", test_drop_bad_udp },
	{ "drop bad ICMP header", test_drop_bad_icmp },
	{ "drop unsupported L4", test_drop_unsup_l4 },
	{ "drop on NIC L4 checksum flag", test_drop_l4_csum_flag },
	{ "csum update16 vs reference", test_csum_update16 },
	{ "csum update32 vs reference", test_csum_update32 },
	{ "csum chained updates", test_csum_update_chain },
	{ "checksum deltas summed and applied once", test_csum_apply },
	{ "checksum folds: 32 to 16 bits as the reference, 64-bit sums verified", test_csum_fold },
	{ "IPv4 header checksum check: right ones pass, one bit flipped fails", test_ipv4_csum_ok },
	{ "csum full vs reference", test_csum_full },
	{ "ipv4/l4 csum vs reference", test_csum_ipv4_l4_random },
	{ "UDP zero checksum sent as 0xffff", test_csum_udp_zero },
	{ "fuzz parse", test_fuzz },
	{ "ICMP error quote: good", test_quote_good },
	{ "ICMP error quote: not an error type", test_quote_not_error },
	{ "ICMP error quote: every truncation", test_quote_truncated },
	{ "ICMP error quote: malformed", test_quote_malformed },
	{ "ICMP error quote: fuzz vs reference", test_quote_fuzz },
	{ "IPv6: parse TCP", test_parse6_tcp },
	{ "IPv6: parse UDP", test_parse6_udp },
	{ "IPv6: parse ICMPv6", test_parse6_icmp },
	{ "IPv6: parse VLAN and padding", test_parse6_vlan_padding },
	{ "IPv6: extension headers and chains", test_parse6_ext_headers },
	{ "IPv6: drop bad extension headers", test_drop6_ext_headers },
	{ "IPv6: drop fragments", test_drop6_fragment },
	{ "IPv6: drop unsupported next header", test_drop6_unsup_l4 },
	{ "IPv6: drop bad header", test_drop6_bad_ip6 },
	{ "IPv6: drop every truncation", test_drop6_truncated },
	{ "IPv6: drop bad L4 header", test_drop6_bad_l4 },
	{ "IPv6: drop bad L4 checksum", test_drop6_l4_csum },
	{ "IPv6: L4 checksum vs reference", test_csum6_random },
	{ "IPv6: fuzz parse vs reference", test_fuzz6 },
};

SL_TEST_MAIN(NULL,
	SL_TEST_SUITE("pkt", NULL, NULL, pkt_tests));
