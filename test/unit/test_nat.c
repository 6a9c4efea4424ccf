/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests for lib/nat: DNAT/SNAT rewrites compared byte for byte with
 * frames built independently (full checksums from a reference RFC 1071
 * implementation in sl_testpkt.c), checksum validity on random packets,
 * the UDP zero-checksum rules, MAC rewrite and ICMP echo replies.
 *
 * The frame builder is sl_testpkt.c, shared with test_pkt.c; it writes
 * every field byte by byte in network order and shares no code with the
 * library.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <netinet/in.h>

#include <CUnit/CUnit.h>

#include "sl_pkt.h"
#include "sl_nat.h"
#include "sl_test.h"
#include "sl_testpkt.h"

static void
rand_spec(struct tp_fspec *s)
{
	tp_spec_default(s, tp_rnd(2) ? IPPROTO_TCP : IPPROTO_UDP);
	tp_rnd_fill(s->dmac, 6);
	tp_rnd_fill(s->smac, 6);
	s->vlan = tp_rnd(3) == 0;
	s->tci = (uint16_t)sl_test_rand();
	s->ip_opt_len = tp_rnd(3) == 0 ? (uint8_t)(4 * (1 + tp_rnd(10))) : 0;
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
	s->udp_no_csum = s->proto == IPPROTO_UDP && tp_rnd(8) == 0;
	s->pad_len = tp_rnd(4) == 0 ? (uint16_t)tp_rnd(30) : 0;
	tp_rnd_fill(s->pad, s->pad_len);
}

/* Checksum verification with the reference: 0 when the IPv4 header and
 * the L4 checksum (TCP, UDP unless 0, ICMP) are right. */
static int
verify_csums(const uint8_t *f, const struct tp_flayout *lo)
{
	const uint8_t *ip = f + lo->l2;
	uint8_t proto = ip[9];
	int bad = 0;

	if (tp_ref_fold(tp_ref_sum(ip, lo->ihl, 0)) != 0xffff)
		bad |= 1;
	switch (proto) {
	case IPPROTO_TCP:
		if (tp_ref_fold(tp_ref_l4_sum(f, lo->l2)) != 0xffff)
			bad |= 2;
		break;
	case IPPROTO_UDP:
		if (tp_get16(f + lo->l4 + 6) != 0 &&
		    tp_ref_fold(tp_ref_l4_sum(f, lo->l2)) != 0xffff)
			bad |= 2;
		break;
	case IPPROTO_ICMP:
		if (tp_ref_fold(tp_ref_sum(f + lo->l4, lo->ip_len - lo->ihl, 0)) != 0xffff)
			bad |= 2;
		break;
	default:
		break;
	}
	return bad;
}

static void
report_diff(const char *what, const uint8_t *got, const uint8_t *want,
	    uint32_t len)
{
	uint32_t i;

	for (i = 0; i < len; i++)
		if (got[i] != want[i]) {
			fprintf(stderr, "\n    %s: first difference at byte %u: "
				"got %02x want %02x\n", what, i, got[i], want[i]);
			return;
		}
}

enum { NAT_DNAT, NAT_SNAT };

/*
 * Build @p in, parse it, rewrite it and compare with the frame built
 * from the expected spec. Returns 0 when byte-exact and checksums verify.
 */
static int
nat_case(const struct tp_fspec *in, int dir, uint32_t nip, uint16_t nport,
	 int verbose)
{
	static uint8_t f[TP_MAX_FRAME], g[TP_MAX_FRAME];
	struct tp_fspec want = *in;
	struct tp_flayout lo, wlo;
	struct sl_pkt_info pi;
	int rc, bad = 0;

	tp_build_frame(in, f, &lo);
	rc = sl_pkt_parse(f, lo.len, 0, &pi);
	if (rc != 0) {
		if (verbose)
			fprintf(stderr, "\n    input did not parse: %d\n", rc);
		return 8;
	}
	if (dir == NAT_DNAT) {
		sl_nat_dnat(f, &pi, rte_cpu_to_be_32(nip), rte_cpu_to_be_16(nport));
		want.dst = nip;
		want.dport = nport;
	} else {
		sl_nat_snat(f, &pi, rte_cpu_to_be_32(nip), rte_cpu_to_be_16(nport));
		want.src = nip;
		want.sport = nport;
	}
	want.ttl--;
	tp_build_frame(&want, g, &wlo);
	if (wlo.len != lo.len || memcmp(f, g, lo.len) != 0) {
		bad |= 4;
		if (verbose)
			report_diff(dir == NAT_DNAT ? "dnat" : "snat", f, g, lo.len);
	}
	bad |= verify_csums(f, &lo);
	/* the result still parses, with the new tuple */
	rc = sl_pkt_parse(f, lo.len, 0, &pi);
	if (rc != 0 || pi.src != rte_cpu_to_be_32(want.src) ||
	    pi.dst != rte_cpu_to_be_32(want.dst) ||
	    pi.sport != rte_cpu_to_be_16(want.sport) ||
	    pi.dport != rte_cpu_to_be_16(want.dport))
		bad |= 16;
	return bad;
}

/* nat_case() for FullNAT: both endpoints replaced in one rewrite. */
static int
fnat_case(const struct tp_fspec *in, uint32_t sip, uint16_t sport, uint32_t dip,
	  uint16_t dport, int verbose)
{
	static uint8_t f[TP_MAX_FRAME], g[TP_MAX_FRAME];
	struct tp_fspec want = *in;
	struct tp_flayout lo, wlo;
	struct sl_pkt_info pi;
	int bad = 0;

	tp_build_frame(in, f, &lo);
	if (sl_pkt_parse(f, lo.len, 0, &pi) != 0)
		return 8;
	sl_nat_fullnat(f, &pi, rte_cpu_to_be_32(sip), rte_cpu_to_be_16(sport),
		       rte_cpu_to_be_32(dip), rte_cpu_to_be_16(dport));
	want.src = sip;
	want.sport = sport;
	want.dst = dip;
	want.dport = dport;
	want.ttl--;
	tp_build_frame(&want, g, &wlo);
	if (wlo.len != lo.len || memcmp(f, g, lo.len) != 0) {
		bad |= 4;
		if (verbose)
			report_diff("fullnat", f, g, lo.len);
	}
	bad |= verify_csums(f, &lo);
	return bad;
}

#define CLIENT_IP  0x0a000001u /* 10.0.0.1 */
#define VIP        0xc0a80164u /* 192.168.1.100 */
#define BACKEND_IP 0x0a010005u /* 10.1.0.5 */

static void
client_spec(struct tp_fspec *s, uint8_t proto)
{
	tp_spec_default(s, proto);
	s->src = CLIENT_IP;
	s->sport = 40000;
	s->dst = VIP;
	s->dport = 80;
}

static void
backend_spec(struct tp_fspec *s, uint8_t proto)
{
	tp_spec_default(s, proto);
	s->src = BACKEND_IP;
	s->sport = 8080;
	s->dst = CLIENT_IP;
	s->dport = 40000;
	s->tcp_flags = RTE_TCP_ACK_FLAG | RTE_TCP_PSH_FLAG;
}

static void
test_dnat_tcp_exact(void)
{
	struct tp_fspec s;

	client_spec(&s, IPPROTO_TCP);
	CU_ASSERT_EQUAL(nat_case(&s, NAT_DNAT, BACKEND_IP, 8080, 1), 0);
	/* with TCP options and an odd payload */
	s.tcp_opt_len = 12;
	memset(s.tcp_opt, 1, 12);
	s.payload_len = 1001;
	CU_ASSERT_EQUAL(nat_case(&s, NAT_DNAT, BACKEND_IP, 8080, 1), 0);
	/* same port, only the address changes */
	CU_ASSERT_EQUAL(nat_case(&s, NAT_DNAT, BACKEND_IP, 80, 1), 0);
	/* same address, only the port changes */
	CU_ASSERT_EQUAL(nat_case(&s, NAT_DNAT, VIP, 8443, 1), 0);
}

static void
test_dnat_tcp_bytes(void)
{
	/* the rewrite spelled out, independent of nat_case() */
	static uint8_t f[TP_MAX_FRAME], orig[TP_MAX_FRAME];
	struct tp_fspec s;
	struct tp_flayout lo;
	struct sl_pkt_info pi;
	uint32_t i;

	client_spec(&s, IPPROTO_TCP);
	tp_build_frame(&s, f, &lo);
	memcpy(orig, f, lo.len);
	CU_ASSERT_EQUAL_FATAL(sl_pkt_parse(f, lo.len, 0, &pi), 0);
	sl_nat_dnat(f, &pi, rte_cpu_to_be_32(BACKEND_IP), rte_cpu_to_be_16(8080));
	CU_ASSERT_EQUAL(tp_get32(f + 14 + 16), BACKEND_IP);
	CU_ASSERT_EQUAL(tp_get32(f + 14 + 12), CLIENT_IP);
	CU_ASSERT_EQUAL(tp_get16(f + 34 + 2), 8080);
	CU_ASSERT_EQUAL(tp_get16(f + 34), 40000);
	CU_ASSERT_EQUAL(f[14 + 8], 63);
	CU_ASSERT_EQUAL(tp_ref_fold(tp_ref_sum(f + 14, 20, 0)), 0xffff);
	CU_ASSERT_EQUAL(tp_ref_fold(tp_ref_l4_sum(f, 14)), 0xffff);
	/* nothing else changed */
	for (i = 0; i < lo.len; i++) {
		if ((i >= 14 + 8 && i < 14 + 9) || (i >= 14 + 10 && i < 14 + 12) ||
		    (i >= 14 + 16 && i < 14 + 20) || (i >= 34 + 2 && i < 34 + 4) ||
		    (i >= 34 + 16 && i < 34 + 18))
			continue;
		if (f[i] != orig[i])
			break;
	}
	CU_ASSERT_EQUAL(i, lo.len);
}

static void
test_dnat_udp_exact(void)
{
	struct tp_fspec s;

	client_spec(&s, IPPROTO_UDP);
	s.dport = 53;
	CU_ASSERT_EQUAL(nat_case(&s, NAT_DNAT, BACKEND_IP, 5353, 1), 0);
	s.payload_len = 0;
	CU_ASSERT_EQUAL(nat_case(&s, NAT_DNAT, BACKEND_IP, 5353, 1), 0);
	s.payload_len = 1400;
	CU_ASSERT_EQUAL(nat_case(&s, NAT_DNAT, 0xffffffffu, 0xffff, 1), 0);
	CU_ASSERT_EQUAL(nat_case(&s, NAT_DNAT, 0, 0, 1), 0);
}

static void
test_snat_tcp_exact(void)
{
	struct tp_fspec s;

	backend_spec(&s, IPPROTO_TCP);
	CU_ASSERT_EQUAL(nat_case(&s, NAT_SNAT, VIP, 80, 1), 0);
	s.payload_len = 0;
	s.tcp_flags = RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG;
	CU_ASSERT_EQUAL(nat_case(&s, NAT_SNAT, VIP, 80, 1), 0);
}

static void
test_snat_udp_exact(void)
{
	struct tp_fspec s;

	backend_spec(&s, IPPROTO_UDP);
	CU_ASSERT_EQUAL(nat_case(&s, NAT_SNAT, VIP, 53, 1), 0);
	s.payload_len = 513;
	CU_ASSERT_EQUAL(nat_case(&s, NAT_SNAT, VIP, 53, 1), 0);
}

static void
test_nat_vlan_options_exact(void)
{
	static const uint8_t olens[] = { 4, 12, 40 };
	struct tp_fspec s;
	unsigned i, p;

	for (p = 0; p < 2; p++)
		for (i = 0; i < RTE_DIM(olens); i++) {
			client_spec(&s, p ? IPPROTO_UDP : IPPROTO_TCP);
			s.vlan = 1;
			s.tci = 42;
			tp_spec_ip_opts(&s, olens[i]);
			CU_ASSERT_EQUAL(nat_case(&s, NAT_DNAT, BACKEND_IP, 8080, 1), 0);
			backend_spec(&s, p ? IPPROTO_UDP : IPPROTO_TCP);
			s.vlan = 1;
			tp_spec_ip_opts(&s, olens[i]);
			s.pad_len = 10;
			CU_ASSERT_EQUAL(nat_case(&s, NAT_SNAT, VIP, 80, 1), 0);
		}
}

static void
test_nat_ttl_edges(void)
{
	struct tp_fspec s;
	static const uint8_t ttls[] = { 2, 3, 128, 129, 254, 255 };
	unsigned i;

	for (i = 0; i < RTE_DIM(ttls); i++) {
		client_spec(&s, i & 1 ? IPPROTO_UDP : IPPROTO_TCP);
		s.ttl = ttls[i];
		CU_ASSERT_EQUAL(nat_case(&s, NAT_DNAT, BACKEND_IP, 8080, 1), 0);
		CU_ASSERT_EQUAL(nat_case(&s, NAT_SNAT, VIP, 80, 1), 0);
	}
}

static void
test_nat_random(void)
{
	struct tp_fspec s;
	uint32_t it, fail = 0, by[32] = { 0 }, opts = 0, vlan = 0, nocsum = 0;
	int rc;

	sl_test_srand(0x4a7);
	for (it = 0; it < 5000; it++) {
		rand_spec(&s);
		opts += s.ip_opt_len != 0;
		vlan += s.vlan;
		nocsum += s.udp_no_csum;
		rc = nat_case(&s, it & 1 ? NAT_SNAT : NAT_DNAT, sl_test_rand(),
			      (uint16_t)sl_test_rand(), fail == 0);
		if (rc != 0) {
			fail++;
			by[rc & 31]++;
		}
	}
	if (fail)
		fprintf(stderr, "\n    %u of 5000 random rewrites wrong\n", fail);
	CU_ASSERT_EQUAL(fail, 0);
	CU_ASSERT(opts > 500);
	CU_ASSERT(vlan > 500);
	CU_ASSERT(nocsum > 100);
}

/* FullNAT in both directions, byte-exact against frames built from
 * scratch, then random packets (VLAN, IP options, UDP without checksum). */
static void
test_fullnat_exact(void)
{
	struct tp_fspec s;
	uint32_t it, fail = 0;

	client_spec(&s, IPPROTO_TCP);
	CU_ASSERT_EQUAL(fnat_case(&s, 0x0a010063u, 40001, BACKEND_IP, 8080, 1), 0);
	client_spec(&s, IPPROTO_UDP);
	CU_ASSERT_EQUAL(fnat_case(&s, 0x0a010063u, 40001, BACKEND_IP, 5353, 1), 0);
	s.udp_no_csum = 1;
	CU_ASSERT_EQUAL(fnat_case(&s, 0x0a010063u, 40001, BACKEND_IP, 5353, 1), 0);
	backend_spec(&s, IPPROTO_TCP);
	CU_ASSERT_EQUAL(fnat_case(&s, VIP, 80, CLIENT_IP, 51000, 1), 0);
	backend_spec(&s, IPPROTO_UDP);
	CU_ASSERT_EQUAL(fnat_case(&s, VIP, 53, CLIENT_IP, 51000, 1), 0);

	sl_test_srand(0xf7a1);
	for (it = 0; it < 5000; it++) {
		rand_spec(&s);
		if (fnat_case(&s, sl_test_rand(), (uint16_t)sl_test_rand(), sl_test_rand(),
			      (uint16_t)sl_test_rand(), fail == 0) != 0)
			fail++;
	}
	if (fail)
		fprintf(stderr, "\n    %u of 5000 random fullnat rewrites wrong\n", fail);
	CU_ASSERT_EQUAL(fail, 0);
}

static void
test_nat_udp_no_csum(void)
{
	static uint8_t f[TP_MAX_FRAME];
	struct tp_fspec s;
	struct tp_flayout lo;
	struct sl_pkt_info pi;

	client_spec(&s, IPPROTO_UDP);
	s.udp_no_csum = 1;
	CU_ASSERT_EQUAL(nat_case(&s, NAT_DNAT, BACKEND_IP, 5353, 1), 0);
	tp_build_frame(&s, f, &lo);
	CU_ASSERT_EQUAL_FATAL(sl_pkt_parse(f, lo.len, 0, &pi), 0);
	sl_nat_dnat(f, &pi, rte_cpu_to_be_32(BACKEND_IP), rte_cpu_to_be_16(5353));
	CU_ASSERT_EQUAL(tp_get16(f + lo.l4 + 6), 0);
	CU_ASSERT_EQUAL(tp_get16(f + lo.l4 + 2), 5353);
	CU_ASSERT_EQUAL(tp_get32(f + lo.l2 + 16), BACKEND_IP);
	CU_ASSERT_EQUAL(tp_ref_fold(tp_ref_sum(f + lo.l2, lo.ihl, 0)), 0xffff);

	backend_spec(&s, IPPROTO_UDP);
	s.udp_no_csum = 1;
	s.vlan = 1;
	CU_ASSERT_EQUAL(nat_case(&s, NAT_SNAT, VIP, 53, 1), 0);
}

static void
test_nat_udp_becomes_zero(void)
{
	static uint8_t f[TP_MAX_FRAME];
	struct tp_fspec in, out;
	struct tp_flayout lo;
	struct sl_pkt_info pi;

	/* DNAT: choose the payload so the rewritten datagram sums to -0 */
	client_spec(&in, IPPROTO_UDP);
	in.payload_len = 64;
	out = in;
	out.dst = BACKEND_IP;
	out.dport = 5353;
	out.ttl--;
	tp_force_zero_csum(&out);
	memcpy(in.payload, out.payload, 2);
	tp_build_frame(&in, f, &lo);
	/* the input checksum is an ordinary one */
	CU_ASSERT_NOT_EQUAL(tp_get16(f + lo.l4 + 6), 0xffff);
	CU_ASSERT_NOT_EQUAL(tp_get16(f + lo.l4 + 6), 0);
	CU_ASSERT_EQUAL_FATAL(sl_pkt_parse(f, lo.len, 0, &pi), 0);
	sl_nat_dnat(f, &pi, rte_cpu_to_be_32(BACKEND_IP), rte_cpu_to_be_16(5353));
	CU_ASSERT_EQUAL(tp_get16(f + lo.l4 + 6), 0xffff);
	CU_ASSERT_EQUAL(tp_ref_fold(tp_ref_l4_sum(f, lo.l2)), 0xffff);
	CU_ASSERT_EQUAL(nat_case(&in, NAT_DNAT, BACKEND_IP, 5353, 1), 0);

	/* SNAT, behind a VLAN tag with IP options */
	backend_spec(&in, IPPROTO_UDP);
	in.vlan = 1;
	tp_spec_ip_opts(&in, 8);
	in.payload_len = 3;
	out = in;
	out.src = VIP;
	out.sport = 53;
	out.ttl--;
	tp_force_zero_csum(&out);
	memcpy(in.payload, out.payload, 2);
	tp_build_frame(&in, f, &lo);
	CU_ASSERT_EQUAL_FATAL(sl_pkt_parse(f, lo.len, 0, &pi), 0);
	sl_nat_snat(f, &pi, rte_cpu_to_be_32(VIP), rte_cpu_to_be_16(53));
	CU_ASSERT_EQUAL(tp_get16(f + lo.l4 + 6), 0xffff);
	CU_ASSERT_EQUAL(nat_case(&in, NAT_SNAT, VIP, 53, 1), 0);

	/* TCP has no such rule: a zero result is written as 0 */
	client_spec(&in, IPPROTO_TCP);
	out = in;
	out.dst = BACKEND_IP;
	out.dport = 8080;
	out.ttl--;
	tp_force_zero_csum(&out);
	memcpy(in.payload, out.payload, 2);
	tp_build_frame(&in, f, &lo);
	CU_ASSERT_EQUAL_FATAL(sl_pkt_parse(f, lo.len, 0, &pi), 0);
	sl_nat_dnat(f, &pi, rte_cpu_to_be_32(BACKEND_IP), rte_cpu_to_be_16(8080));
	CU_ASSERT_EQUAL(tp_get16(f + lo.l4 + 16), 0);
	CU_ASSERT_EQUAL(tp_ref_fold(tp_ref_l4_sum(f, lo.l2)), 0xffff);
}

static void
test_nat_udp_from_ffff(void)
{
	/* an input whose checksum computed to zero, sent as 0xffff */
	static uint8_t f[TP_MAX_FRAME];
	struct tp_fspec in;
	struct tp_flayout lo;

	client_spec(&in, IPPROTO_UDP);
	in.payload_len = 20;
	tp_force_zero_csum(&in);
	tp_build_frame(&in, f, &lo);
	CU_ASSERT_EQUAL(tp_get16(f + lo.l4 + 6), 0xffff);
	CU_ASSERT_EQUAL(nat_case(&in, NAT_DNAT, BACKEND_IP, 5353, 1), 0);
	CU_ASSERT_EQUAL(nat_case(&in, NAT_SNAT, BACKEND_IP, 5353, 1), 0);
	/* a rewrite that leaves the datagram unchanged keeps 0xffff */
	in.ttl = 65;
	CU_ASSERT_EQUAL(nat_case(&in, NAT_DNAT, VIP, 80, 1), 0);
}

static void
test_nat_set_macs(void)
{
	static uint8_t f[TP_MAX_FRAME], orig[TP_MAX_FRAME];
	static const struct rte_ether_addr d = {{ 0x52, 0x54, 0x00, 0xaa, 0xbb, 0xcc }};
	static const struct rte_ether_addr sm = {{ 0x02, 0x11, 0x22, 0x33, 0x44, 0x55 }};
	struct tp_fspec s;
	struct tp_flayout lo;
	unsigned v;

	for (v = 0; v < 2; v++) {
		client_spec(&s, IPPROTO_TCP);
		s.vlan = v;
		tp_build_frame(&s, f, &lo);
		memcpy(orig, f, lo.len);
		sl_nat_set_macs(f, &d, &sm);
		CU_ASSERT_EQUAL(memcmp(f, d.addr_bytes, 6), 0);
		CU_ASSERT_EQUAL(memcmp(f + 6, sm.addr_bytes, 6), 0);
		CU_ASSERT_EQUAL(memcmp(f + 12, orig + 12, lo.len - 12), 0);
	}
	/* eight bytes each way on an untagged IPv4 frame: the destination's
	 * last two bytes (junk here) covered, the ethertype rewritten as
	 * itself, nothing after it touched */
	{
		uint8_t d8[8] = { 0x52, 0x54, 0x00, 0xaa, 0xbb, 0xcc, 0xee, 0xff };
		uint8_t s8[8] = { 0x02, 0x11, 0x22, 0x33, 0x44, 0x55, 0x08, 0x00 };
		uint64_t dw, sw;

		memcpy(&dw, d8, 8);
		memcpy(&sw, s8, 8);
		client_spec(&s, IPPROTO_TCP);
		tp_build_frame(&s, f, &lo);
		memcpy(orig, f, lo.len);
		sl_nat_set_macs8(f, dw, sw);
		CU_ASSERT_EQUAL(memcmp(f, d.addr_bytes, 6), 0);
		CU_ASSERT_EQUAL(memcmp(f + 6, sm.addr_bytes, 6), 0);
		CU_ASSERT_EQUAL(f[12], 0x08);
		CU_ASSERT_EQUAL(f[13], 0x00);
		CU_ASSERT_EQUAL(memcmp(f + 12, orig + 12, lo.len - 12), 0);
	}
}

/* ---------- ICMP echo reply ---------- */

static int
echo_case(const struct tp_fspec *req, int verbose)
{
	static uint8_t f[TP_MAX_FRAME], g[TP_MAX_FRAME];
	struct tp_fspec want = *req;
	struct tp_flayout lo;
	struct sl_pkt_info pi;
	int rc, bad = 0;

	tp_build_frame(req, f, &lo);
	rc = sl_pkt_parse(f, lo.len, 0, &pi);
	if (rc != 0)
		return 8;
	sl_nat_icmp_echo_reply(f, &pi);
	memcpy(want.dmac, req->smac, 6);
	memcpy(want.smac, req->dmac, 6);
	want.src = req->dst;
	want.dst = req->src;
	want.ttl = 64;
	want.icmp_type = RTE_IP_ICMP_ECHO_REPLY;
	tp_build_frame(&want, g, NULL);
	/* 0x0000 and 0xffff are the same one's complement checksum for a
	 * message that is not all zero; verify_csums() below catches the
	 * all-zero case, where only 0xffff is right */
	if ((tp_get16(g + lo.l4 + 2) == 0 ||
	     tp_get16(g + lo.l4 + 2) == 0xffff) &&
	    (tp_get16(f + lo.l4 + 2) == 0 ||
	     tp_get16(f + lo.l4 + 2) == 0xffff))
		memcpy(g + lo.l4 + 2, f + lo.l4 + 2, 2);
	if (memcmp(f, g, lo.len) != 0) {
		bad |= 4;
		if (verbose)
			report_diff("echo reply", f, g, lo.len);
	}
	bad |= verify_csums(f, &lo);
	if (verbose && (bad & 3))
		fprintf(stderr, "\n    echo reply: checksum does not verify "
			"(ip %d icmp %d)\n", bad & 1, !!(bad & 2));
	return bad;
}

static void
test_echo_reply(void)
{
	static uint8_t f[TP_MAX_FRAME];
	struct tp_fspec s;
	struct tp_flayout lo;
	struct sl_pkt_info pi;

	tp_spec_default(&s, IPPROTO_ICMP);
	s.sport = 0x1234;  /* identifier */
	s.dport = 7;       /* sequence */
	s.payload_len = 56;
	CU_ASSERT_EQUAL(echo_case(&s, 1), 0);

	/* the fields one by one */
	tp_build_frame(&s, f, &lo);
	CU_ASSERT_EQUAL_FATAL(sl_pkt_parse(f, lo.len, 0, &pi), 0);
	sl_nat_icmp_echo_reply(f, &pi);
	CU_ASSERT_EQUAL(memcmp(f, s.smac, 6), 0);
	CU_ASSERT_EQUAL(memcmp(f + 6, s.dmac, 6), 0);
	CU_ASSERT_EQUAL(tp_get32(f + 14 + 12), s.dst);
	CU_ASSERT_EQUAL(tp_get32(f + 14 + 16), s.src);
	CU_ASSERT_EQUAL(f[14 + 8], 64);
	CU_ASSERT_EQUAL(f[34], 0);    /* type: echo reply */
	CU_ASSERT_EQUAL(f[35], 0);    /* code */
	CU_ASSERT_EQUAL(tp_get16(f + 38), 0x1234);
	CU_ASSERT_EQUAL(tp_get16(f + 40), 7);
	CU_ASSERT_EQUAL(verify_csums(f, &lo), 0);

	/* odd payload, VLAN, options, TTL already 64 and 1 */
	s.payload_len = 1;
	CU_ASSERT_EQUAL(echo_case(&s, 1), 0);
	s.vlan = 1;
	tp_spec_ip_opts(&s, 12);
	s.ttl = 64;
	CU_ASSERT_EQUAL(echo_case(&s, 1), 0);
	s.ttl = 1;
	s.payload_len = 1472 - 12;
	CU_ASSERT_EQUAL(echo_case(&s, 1), 0);
}

static void
test_echo_reply_random(void)
{
	struct tp_fspec s;
	uint32_t it, fail = 0;

	sl_test_srand(0xec40);
	for (it = 0; it < 2000; it++) {
		tp_spec_default(&s, IPPROTO_ICMP);
		tp_rnd_fill(s.dmac, 6);
		tp_rnd_fill(s.smac, 6);
		s.vlan = tp_rnd(3) == 0;
		s.tci = (uint16_t)sl_test_rand();
		s.ip_opt_len =
			tp_rnd(3) == 0 ? (uint8_t)(4 * (1 + tp_rnd(10))) : 0;
		tp_rnd_fill(s.ip_opt, s.ip_opt_len);
		s.tos = (uint8_t)sl_test_rand();
		s.ttl = (uint8_t)(1 + tp_rnd(255));
		s.ip_id = (uint16_t)sl_test_rand();
		s.src = sl_test_rand();
		s.dst = sl_test_rand();
		s.sport = (uint16_t)sl_test_rand();
		s.dport = (uint16_t)sl_test_rand();
		s.payload_len = (uint16_t)tp_rnd(1401);
		tp_rnd_fill(s.payload, s.payload_len);
		if (echo_case(&s, fail == 0) != 0)
			fail++;
	}
	CU_ASSERT_EQUAL(fail, 0);
}

static void
test_echo_reply_zero_message(void)
{
	/* identifier 0, sequence 0, no data: the reply's ICMP message is all
	 * zero, so its only valid checksum is 0xffff (sum -0) */
	struct tp_fspec s;

	tp_spec_default(&s, IPPROTO_ICMP);
	s.sport = 0;
	s.dport = 0;
	s.payload_len = 0;
	CU_ASSERT_EQUAL(echo_case(&s, 1), 0);
}

/* ---------- ICMP errors about connections ---------- */

#define ROUTER_IP  0x0a020001u /* 10.2.0.1: a router on the client's side */
#define TO_BACKEND 1
#define TO_CLIENT  0

/*
 * ICMP error @p os (built with tp_spec_icmp_err() from @p inner, then
 * given any outer VLAN, options, TTL) rewritten by sl_nat_icmp_err(),
 * against the frame built from the expected specs: toward the backend
 * the outer destination and the quoted source address and port become
 * @p addr:@p port, toward the client the outer source and the quoted
 * destination. Every checksum is then recomputed from scratch with the
 * reference: outer IPv4, ICMP, quoted IPv4 header, and the quoted TCP/UDP
 * checksum when the whole packet is quoted. Returns 0 when all is right.
 */
static int
icmp_err_case(const struct tp_fspec *os, const struct tp_fspec *inner,
	      int to_backend, uint32_t addr, uint16_t port, int verbose)
{
	static uint8_t f[TP_MAX_FRAME], g[TP_MAX_FRAME], h[TP_MAX_FRAME];
	struct tp_fspec wi = *inner, wo = *os;
	struct tp_flayout lo, wlo, ilo;
	struct sl_pkt_info pi;
	struct sl_pkt_quote q;
	uint32_t qlen = os->payload_len;
	int rc, bad = 0;

	tp_build_frame(os, f, &lo);
	rc = sl_pkt_parse(f, lo.len, 0, &pi);
	if (rc == 0)
		rc = sl_pkt_icmp_quote(f, lo.len, &pi, &q);
	if (rc != 0) {
		if (verbose)
			fprintf(stderr, "\n    input refused: %d\n", rc);
		return 64;
	}
	sl_nat_icmp_err(f, &pi, &q, to_backend, rte_cpu_to_be_32(addr),
			rte_cpu_to_be_16(port));

	if (to_backend) {
		wi.src = addr;
		wi.sport = port;
		wo.dst = addr;
	} else {
		wi.dst = addr;
		wi.dport = port;
		wo.src = addr;
	}
	wo.ttl--;
	tp_build_frame(&wi, h, &ilo);
	memcpy(wo.payload, h + ilo.l2, qlen);
	/* a TCP checksum cut in half by the quote is left as it was */
	if (inner->proto == IPPROTO_TCP && qlen == ilo.ihl + 17)
		wo.payload[qlen - 1] = os->payload[qlen - 1];
	tp_build_frame(&wo, g, &wlo);
	if (wlo.len != lo.len || memcmp(f, g, lo.len) != 0) {
		bad |= 4;
		if (verbose)
			report_diff(to_backend ? "icmp to backend" : "icmp to client",
				    f, g, lo.len);
	}
	bad |= verify_csums(f, &lo);
	if (tp_ref_fold(tp_ref_sum(f + q.ip_off, q.l3_len, 0)) != 0xffff)
		bad |= 8;
	if (qlen == ilo.ip_len &&
	    !(inner->proto == IPPROTO_UDP && tp_get16(f + q.ip_off + q.l3_len + 6) == 0) &&
	    tp_ref_fold(tp_ref_l4_sum(f, q.ip_off)) != 0xffff)
		bad |= 16;
	/* it still reads as an error about the rewritten packet */
	rc = sl_pkt_parse(f, lo.len, 0, &pi);
	if (rc == 0)
		rc = sl_pkt_icmp_quote(f, lo.len, &pi, &q);
	if (rc != 0 || q.src != rte_cpu_to_be_32(wi.src) ||
	    q.dst != rte_cpu_to_be_32(wi.dst) ||
	    q.sport != rte_cpu_to_be_16(wi.sport) ||
	    q.dport != rte_cpu_to_be_16(wi.dport))
		bad |= 32;
	if (verbose && (bad & ~4))
		fprintf(stderr, "\n    icmp error rewrite: bad %#x\n", bad);
	return bad;
}

/* A reply VIP:80 -> client:40000, as Sluice sent it to the client. */
static void
vip_reply_spec(struct tp_fspec *s, uint8_t proto)
{
	tp_spec_default(s, proto);
	s->src = VIP;
	s->sport = proto == IPPROTO_UDP ? 53 : 80;
	s->dst = CLIENT_IP;
	s->dport = 40000;
	s->ttl = 63;
	s->tcp_flags = RTE_TCP_ACK_FLAG | RTE_TCP_PSH_FLAG;
	s->payload_len = 200;
}

/* A client packet client:40000 -> backend, as Sluice passed it on. */
static void
to_backend_spec(struct tp_fspec *s, uint8_t proto)
{
	tp_spec_default(s, proto);
	s->src = CLIENT_IP;
	s->sport = 40000;
	s->dst = BACKEND_IP;
	s->dport = proto == IPPROTO_UDP ? 5353 : 8080;
	s->ttl = 63;
	s->tcp_flags = RTE_TCP_ACK_FLAG;
	s->payload_len = 20;
}

static void
test_icmp_err_to_backend(void)
{
	static uint8_t f[TP_MAX_FRAME];
	struct tp_fspec os, in;
	struct tp_flayout lo;
	struct sl_pkt_info pi;
	struct sl_pkt_quote q;
	uint32_t ihl;

	/* "fragmentation needed", next-hop MTU 1200, from a router on the
	 * client's side to the VIP: the whole reply quoted */
	vip_reply_spec(&in, IPPROTO_TCP);
	tp_spec_icmp_err(&os, 3, 4, 1200, &in, 0);
	os.src = ROUTER_IP;
	os.dst = VIP;
	CU_ASSERT_EQUAL(icmp_err_case(&os, &in, TO_BACKEND, BACKEND_IP, 8080, 1), 0);

	/* field by field */
	tp_build_frame(&os, f, &lo);
	CU_ASSERT_EQUAL_FATAL(sl_pkt_parse(f, lo.len, 0, &pi), 0);
	CU_ASSERT_EQUAL_FATAL(sl_pkt_icmp_quote(f, lo.len, &pi, &q), 0);
	sl_nat_icmp_err(f, &pi, &q, TO_BACKEND, rte_cpu_to_be_32(BACKEND_IP),
			rte_cpu_to_be_16(8080));
	CU_ASSERT_EQUAL(f[14 + 8], 63);                       /* TTL */
	CU_ASSERT_EQUAL(tp_get32(f + 14 + 12), ROUTER_IP);    /* source kept */
	CU_ASSERT_EQUAL(tp_get32(f + 14 + 16), BACKEND_IP);
	CU_ASSERT_EQUAL(f[34], 3);
	CU_ASSERT_EQUAL(f[35], 4);
	CU_ASSERT_EQUAL(tp_get16(f + 36 + 2), 0);             /* unused */
	CU_ASSERT_EQUAL(tp_get16(f + 36 + 4), 1200);          /* next-hop MTU */
	CU_ASSERT_EQUAL(tp_get32(f + 42 + 12), BACKEND_IP);   /* quoted source */
	CU_ASSERT_EQUAL(tp_get32(f + 42 + 16), CLIENT_IP);
	CU_ASSERT_EQUAL(f[42 + 8], 63);                       /* quoted TTL kept */
	CU_ASSERT_EQUAL(tp_get16(f + 62), 8080);
	CU_ASSERT_EQUAL(tp_get16(f + 64), 40000);

	/* the RFC 792 minimum (header + 8 bytes: no TCP checksum), up to
	 * the TCP checksum, half of it; UDP; options; VLAN */
	ihl = 20;
	tp_spec_icmp_err(&os, 3, 4, 1200, &in, ihl + 8);
	CU_ASSERT_EQUAL(icmp_err_case(&os, &in, TO_BACKEND, BACKEND_IP, 8080, 1), 0);
	tp_spec_icmp_err(&os, 3, 4, 1200, &in, ihl + 18);
	CU_ASSERT_EQUAL(icmp_err_case(&os, &in, TO_BACKEND, BACKEND_IP, 8080, 1), 0);
	tp_spec_icmp_err(&os, 3, 4, 1200, &in, ihl + 17);
	CU_ASSERT_EQUAL(icmp_err_case(&os, &in, TO_BACKEND, BACKEND_IP, 8080, 1), 0);
	vip_reply_spec(&in, IPPROTO_UDP);
	tp_spec_icmp_err(&os, 3, 3, 0, &in, 0);
	os.dst = VIP;
	CU_ASSERT_EQUAL(icmp_err_case(&os, &in, TO_BACKEND, BACKEND_IP, 5353, 1), 0);
	tp_spec_icmp_err(&os, 3, 3, 0, &in, 28);
	CU_ASSERT_EQUAL(icmp_err_case(&os, &in, TO_BACKEND, BACKEND_IP, 5353, 1), 0);
	vip_reply_spec(&in, IPPROTO_TCP);
	tp_spec_ip_opts(&in, 12);
	tp_spec_icmp_err(&os, 11, 0, 0, &in, 0);
	os.vlan = 1;
	tp_spec_ip_opts(&os, 8);
	os.dst = VIP;
	os.ttl = 2;
	CU_ASSERT_EQUAL(icmp_err_case(&os, &in, TO_BACKEND, BACKEND_IP, 8080, 1), 0);
}

static void
test_icmp_err_to_client(void)
{
	struct tp_fspec os, in;

	/* port unreachable from the backend, quoting the client's datagram */
	to_backend_spec(&in, IPPROTO_UDP);
	tp_spec_icmp_err(&os, 3, 3, 0, &in, 0);
	os.src = BACKEND_IP;
	os.dst = CLIENT_IP;
	CU_ASSERT_EQUAL(icmp_err_case(&os, &in, TO_CLIENT, VIP, 53, 1), 0);
	/* time exceeded from a router inside, quoting a TCP segment */
	to_backend_spec(&in, IPPROTO_TCP);
	tp_spec_icmp_err(&os, 11, 0, 0, &in, 0);
	os.src = 0x0a010001u;
	os.dst = CLIENT_IP;
	CU_ASSERT_EQUAL(icmp_err_case(&os, &in, TO_CLIENT, VIP, 80, 1), 0);
	tp_spec_icmp_err(&os, 3, 1, 0, &in, 28);
	os.dst = CLIENT_IP;
	os.vlan = 1;
	CU_ASSERT_EQUAL(icmp_err_case(&os, &in, TO_CLIENT, VIP, 80, 1), 0);
	/* parameter problem, pointer 0x14 in the first byte of the word */
	to_backend_spec(&in, IPPROTO_TCP);
	tp_spec_ip_opts(&in, 40);
	tp_spec_icmp_err(&os, 12, 0, 0x14000000u, &in, 0);
	os.dst = CLIENT_IP;
	CU_ASSERT_EQUAL(icmp_err_case(&os, &in, TO_CLIENT, VIP, 80, 1), 0);
}

static void
test_icmp_err_udp_csum(void)
{
	static uint8_t f[TP_MAX_FRAME];
	struct tp_fspec os, in, out;
	struct tp_flayout lo;
	struct sl_pkt_info pi;
	struct sl_pkt_quote q;

	/* a quoted UDP checksum of zero (none) stays zero */
	to_backend_spec(&in, IPPROTO_UDP);
	in.udp_no_csum = 1;
	tp_spec_icmp_err(&os, 3, 3, 0, &in, 0);
	os.dst = CLIENT_IP;
	CU_ASSERT_EQUAL(icmp_err_case(&os, &in, TO_CLIENT, VIP, 53, 1), 0);
	tp_build_frame(&os, f, &lo);
	CU_ASSERT_EQUAL_FATAL(sl_pkt_parse(f, lo.len, 0, &pi), 0);
	CU_ASSERT_EQUAL_FATAL(sl_pkt_icmp_quote(f, lo.len, &pi, &q), 0);
	sl_nat_icmp_err(f, &pi, &q, TO_CLIENT, rte_cpu_to_be_32(VIP),
			rte_cpu_to_be_16(53));
	CU_ASSERT_EQUAL(tp_get16(f + q.ip_off + q.l3_len + 6), 0);

	/* one that becomes -0 is written 0xffff */
	to_backend_spec(&in, IPPROTO_UDP);
	out = in;
	out.dst = VIP;
	out.dport = 53;
	tp_force_zero_csum(&out);
	memcpy(in.payload, out.payload, 2);
	tp_spec_icmp_err(&os, 3, 3, 0, &in, 0);
	os.dst = CLIENT_IP;
	CU_ASSERT_EQUAL(icmp_err_case(&os, &in, TO_CLIENT, VIP, 53, 1), 0);
	tp_build_frame(&os, f, &lo);
	CU_ASSERT_EQUAL_FATAL(sl_pkt_parse(f, lo.len, 0, &pi), 0);
	CU_ASSERT_EQUAL_FATAL(sl_pkt_icmp_quote(f, lo.len, &pi, &q), 0);
	CU_ASSERT_NOT_EQUAL(tp_get16(f + q.ip_off + q.l3_len + 6), 0xffff);
	sl_nat_icmp_err(f, &pi, &q, TO_CLIENT, rte_cpu_to_be_32(VIP),
			rte_cpu_to_be_16(53));
	CU_ASSERT_EQUAL(tp_get16(f + q.ip_off + q.l3_len + 6), 0xffff);
}

static void
test_icmp_err_random(void)
{
	static const uint8_t types[] = { 3, 11, 12 };
	struct tp_fspec os, in;
	uint32_t it, fail = 0, ihl, tot, qlen;
	int dir;

	sl_test_srand(0x1c4d);
	for (it = 0; it < 3000; it++) {
		tp_spec_default(&in, tp_rnd(2) ? IPPROTO_TCP : IPPROTO_UDP);
		in.ip_opt_len = tp_rnd(3) == 0 ? (uint8_t)(4 * tp_rnd(11)) : 0;
		tp_rnd_fill(in.ip_opt, in.ip_opt_len);
		in.tos = (uint8_t)sl_test_rand();
		in.ttl = (uint8_t)sl_test_rand();
		in.ip_id = (uint16_t)sl_test_rand();
		in.frag = tp_rnd(2) ? 0x4000 : 0x2000 * tp_rnd(2);
		in.src = sl_test_rand();
		in.dst = sl_test_rand();
		in.sport = (uint16_t)sl_test_rand();
		in.dport = (uint16_t)sl_test_rand();
		in.seq = sl_test_rand();
		in.ack = sl_test_rand();
		in.tcp_flags = (uint8_t)sl_test_rand();
		in.tcp_opt_len = tp_rnd(3) == 0 ? (uint8_t)(4 * tp_rnd(11)) : 0;
		tp_rnd_fill(in.tcp_opt, in.tcp_opt_len);
		in.payload_len = (uint16_t)tp_rnd(500);
		tp_rnd_fill(in.payload, in.payload_len);
		in.udp_no_csum = in.proto == IPPROTO_UDP && tp_rnd(8) == 0;
		ihl = 20u + in.ip_opt_len;
		tot = ihl + tp_l4_hdr_len(&in) + in.payload_len;
		/* whole, or any cut from header + 8 on */
		qlen = tp_rnd(2) ? 0 : ihl + 8 + tp_rnd(tot - ihl - 8 + 1);
		tp_spec_icmp_err(&os, types[tp_rnd(3)], (uint8_t)tp_rnd(16),
				 sl_test_rand(), &in, qlen);
		tp_rnd_fill(os.dmac, 6);
		tp_rnd_fill(os.smac, 6);
		os.vlan = tp_rnd(3) == 0;
		os.tci = (uint16_t)sl_test_rand();
		os.ip_opt_len = tp_rnd(3) == 0 ? (uint8_t)(4 * tp_rnd(11)) : 0;
		tp_rnd_fill(os.ip_opt, os.ip_opt_len);
		os.tos = (uint8_t)sl_test_rand();
		os.ttl = (uint8_t)(2 + tp_rnd(254));
		os.ip_id = (uint16_t)sl_test_rand();
		os.src = sl_test_rand();
		os.dst = sl_test_rand();
		os.pad_len = tp_rnd(4) == 0 ? (uint16_t)tp_rnd(30) : 0;
		tp_rnd_fill(os.pad, os.pad_len);
		dir = (int)tp_rnd(2);
		if (icmp_err_case(&os, &in, dir, sl_test_rand(),
				  (uint16_t)sl_test_rand(), fail == 0) != 0)
			fail++;
	}
	CU_ASSERT_EQUAL(fail, 0);
}

/* ---- modes tunnel and dr: outer headers, fragmentation needed ----- */

#define TUN_SRC 0x0a010063u /* 10.1.0.99: a local address */

/*
 * Encapsulate the IPv4 packet of frame @p in (untagged) with tunnel
 * @p encap and compare with the frame written here field by field:
 * Ethernet addresses kept, EtherType IPv4, outer header (DS field and DF
 * from the inner one, id 0, TTL 64, lengths, protocol, addresses, the
 * checksum of a full recomputation), the encapsulation's own header, the
 * inner packet byte for byte. Returns 0 when all hold.
 */
static int
encap_case(const struct tp_fspec *in, uint8_t encap, uint16_t sport, int verbose)
{
	static const uint8_t overhead[] = {
		[SL_ENCAP_IPIP] = 20, [SL_ENCAP_GRE] = 24, [SL_ENCAP_GUE] = 32,
	};
	static const uint8_t oproto[] = {
		[SL_ENCAP_IPIP] = 4, [SL_ENCAP_GRE] = 47, [SL_ENCAP_GUE] = 17,
	};
	static uint8_t f[TP_MAX_FRAME + 64], g[TP_MAX_FRAME + 64], w[TP_MAX_FRAME + 64];
	unsigned add = overhead[encap], len;
	const struct rte_ipv4_hdr *oh;
	struct tp_flayout lo;
	struct sl_tun t;
	uint8_t *o;
	int bad = 0;

	len = tp_build_frame(in, g, &lo);
	sl_nat_tun_init(&t, encap, rte_cpu_to_be_32(TUN_SRC), rte_cpu_to_be_32(BACKEND_IP),
			rte_cpu_to_be_16(6080));
	if (t.len != add || t.proto != oproto[encap])
		bad |= 1;
	/* the frame as the forwarding path has it after the prepend: the
	 * Ethernet header, room, the inner packet (and the pad after it) */
	memcpy(f, g, 14);
	memset(f + 14, 0xa5, add);
	memcpy(f + 14 + add, g + 14, len - 14);
	sl_nat_encap(f, &t, rte_cpu_to_be_16(sport));

	memcpy(w, g, 12);
	tp_put16(w + 12, 0x0800);
	o = w + 14;
	o[0] = 0x45;
	o[1] = in->tos;
	tp_put16(o + 2, (uint16_t)(lo.ip_len + add));
	tp_put16(o + 4, 0);
	tp_put16(o + 6, in->frag & 0x4000);
	o[8] = 64;
	o[9] = oproto[encap];
	tp_put16(o + 10, 0);
	tp_put32(o + 12, TUN_SRC);
	tp_put32(o + 16, BACKEND_IP);
	tp_put16(o + 10, tp_ref_csum(o, 20));
	if (encap == SL_ENCAP_GRE) {
		tp_put32(o + 20, 0x00000800);
	} else if (encap == SL_ENCAP_GUE) {
		tp_put16(o + 20, sport);
		tp_put16(o + 22, 6080);
		tp_put16(o + 24, (uint16_t)(lo.ip_len + 12));
		tp_put16(o + 26, 0);
		tp_put32(o + 28, 0x00040000);
	}
	memcpy(w + 14 + add, g + 14, len - 14);
	if (memcmp(f, w, len + add) != 0) {
		bad |= 2;
		if (verbose)
			report_diff("encap", f, w, len + add);
	}
	/* the outer checksum is the one a full recomputation gives */
	oh = (const struct rte_ipv4_hdr *)(f + 14);
	if (oh->hdr_checksum != sl_ipv4_csum(oh) || tp_ref_csum(f + 14, 20) != 0)
		bad |= 4;
	/* the inner packet still verifies where it now sits */
	if (tp_ref_csum(f + 14 + add, lo.ihl) != 0)
		bad |= 8;
	if (verbose && (bad & ~2))
		fprintf(stderr, "\n    encap %u: bad %#x\n", encap, bad);
	return bad;
}

static void
test_encap_exact(void)
{
	static const uint8_t encaps[] = { SL_ENCAP_IPIP, SL_ENCAP_GRE, SL_ENCAP_GUE };
	struct tp_fspec in;
	unsigned e, i, bad;

	for (e = 0; e < RTE_DIM(encaps); e++) {
		/* TCP with DF; UDP without; DS field and ECN bits; the
		 * inner packet a fragment (MF, an offset: not copied); IP
		 * options; the largest packet of a 1500 link */
		tp_spec_default(&in, IPPROTO_TCP);
		CU_ASSERT_EQUAL(encap_case(&in, encaps[e], 0xc123, 1), 0);
		tp_spec_default(&in, IPPROTO_UDP);
		in.frag = 0;
		CU_ASSERT_EQUAL(encap_case(&in, encaps[e], 0xffff, 1), 0);
		tp_spec_default(&in, IPPROTO_TCP);
		in.tos = 0xbb;
		CU_ASSERT_EQUAL(encap_case(&in, encaps[e], 0xc000, 1), 0);
		tp_spec_default(&in, IPPROTO_UDP);
		in.frag = 0x6000 | 185;
		CU_ASSERT_EQUAL(encap_case(&in, encaps[e], 0xd00d, 1), 0);
		in.frag = 0x2000 | 185;
		CU_ASSERT_EQUAL(encap_case(&in, encaps[e], 0xd00d, 1), 0);
		tp_spec_default(&in, IPPROTO_TCP);
		tp_spec_ip_opts(&in, 16);
		CU_ASSERT_EQUAL(encap_case(&in, encaps[e], 0xe000, 1), 0);
		tp_spec_default(&in, IPPROTO_TCP);
		in.payload_len = 1460;
		CU_ASSERT_EQUAL(encap_case(&in, encaps[e], 0xf00f, 1), 0);
		/* random packets */
		sl_test_srand(0x7e11 + e);
		for (i = 0, bad = 0; i < 2000; i++) {
			rand_spec(&in);
			in.vlan = 0;
			in.frag = (uint16_t)sl_test_rand() & 0x7fff;
			if (encap_case(&in, encaps[e], (uint16_t)(0xc000 | sl_test_rand()),
				       bad == 0) != 0)
				bad++;
		}
		CU_ASSERT_EQUAL(bad, 0);
	}
}

/*
 * Build the frame of @p in, answer it with sl_nat_icmp_too_big() and
 * compare with the frame written by the reference builder: Ethernet to
 * the sender from @p src_mac, IPv4 from @p saddr to the sender (TOS 0,
 * id 0, no DF, TTL 64), ICMP 3/4 with the MTU in the low half of its
 * second word, and the inner IP header with the 8 bytes after it as the
 * quote; checksums valid. Returns 0 when all hold.
 */
static int
too_big_case(const struct tp_fspec *in, uint16_t mtu, int verbose)
{
	static const uint8_t src_mac[6] = { 0x02, 0x5a, 0, 0, 0, 0x07 };
	static uint8_t f[TP_MAX_FRAME], out[256], w[TP_MAX_FRAME];
	struct tp_fspec e, q = *in;
	struct tp_flayout lo, wlo;
	struct sl_pkt_info pi;
	unsigned len, qlen;
	int bad = 0;

	len = tp_build_frame(in, f, &lo);
	if (sl_pkt_parse(f, len, 0, &pi) != 0)
		return 1;
	memset(out, 0xee, sizeof(out));
	len = sl_nat_icmp_too_big(out, f, &pi, (const struct rte_ether_addr *)src_mac,
				  rte_cpu_to_be_32(ROUTER_IP), mtu);
	/* the quote: the header (options too) and 8 bytes */
	q.vlan = 0;
	qlen = tp_spec_icmp_err(&e, 3, 4, mtu, &q, lo.ihl + 8);
	if (qlen != lo.ihl + 8)
		return 1;
	memcpy(e.dmac, in->smac, 6);
	memcpy(e.smac, src_mac, 6);
	e.src = ROUTER_IP;
	e.dst = in->src;
	e.tos = 0;
	e.ip_id = 0;
	e.frag = 0;
	e.ttl = 64;
	tp_build_frame(&e, w, &wlo);
	if (len != wlo.len || memcmp(out, w, wlo.len) != 0) {
		bad |= 2;
		if (verbose)
			report_diff("too big", out, w, RTE_MIN(len, wlo.len));
	}
	if (tp_get16(out + 14 + 2) != 20 + 8 + qlen)
		bad |= 4;
	bad |= verify_csums(out, &wlo) << 4;
	if (((const struct rte_ipv4_hdr *)(out + 14))->hdr_checksum !=
	    sl_ipv4_csum((const struct rte_ipv4_hdr *)(out + 14)))
		bad |= 8;
	/* nothing written past the frame */
	if (out[len] != 0xee)
		bad |= 64;
	if (verbose && (bad & ~2))
		fprintf(stderr, "\n    too big: bad %#x\n", bad);
	return bad;
}

static void
test_icmp_too_big(void)
{
	struct tp_fspec in;
	unsigned i, bad;

	/* a client's TCP segment over a 1480 link (1500 less IPIP) */
	tp_spec_default(&in, IPPROTO_TCP);
	in.src = CLIENT_IP;
	in.dst = VIP;
	in.payload_len = 1460;
	CU_ASSERT_EQUAL(too_big_case(&in, 1480, 1), 0);
	/* UDP; IP options (a longer quote); tagged (the answer is not) */
	tp_spec_default(&in, IPPROTO_UDP);
	in.payload_len = 1400;
	CU_ASSERT_EQUAL(too_big_case(&in, 1468, 1), 0);
	tp_spec_default(&in, IPPROTO_TCP);
	tp_spec_ip_opts(&in, 40);
	in.payload_len = 1300;
	CU_ASSERT_EQUAL(too_big_case(&in, 1200, 1), 0);
	tp_spec_default(&in, IPPROTO_UDP);
	in.vlan = 1;
	in.tci = 100;
	in.payload_len = 1000;
	CU_ASSERT_EQUAL(too_big_case(&in, 576, 1), 0);
	sl_test_srand(0xb16);
	for (i = 0, bad = 0; i < 2000; i++) {
		rand_spec(&in);
		if (too_big_case(&in, (uint16_t)(576 + tp_rnd(9000)), bad == 0) != 0)
			bad++;
	}
	CU_ASSERT_EQUAL(bad, 0);
}

/* ---------- NAT66 ---------- */

static void
rand_spec6(struct tp6_fspec *s, uint8_t proto)
{
	unsigned k, n;

	tp6_spec_default(s, proto);
	tp_rnd_fill(s->dmac, 6);
	tp_rnd_fill(s->smac, 6);
	s->vlan = tp_rnd(3) == 0;
	s->tci = (uint16_t)sl_test_rand();
	s->tclass = (uint8_t)sl_test_rand();
	s->flow = sl_test_rand() & 0xfffff;
	s->hlim = (uint8_t)(2 + tp_rnd(254));
	tp_rnd_fill(s->src, 16);
	tp_rnd_fill(s->dst, 16);
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
	n = tp_rnd(4) == 0 ? 1 + tp_rnd(3) : 0;
	for (k = 0; k < n; k++)
		tp6_add_ext(s, k == 0 ? 0 : 60, (uint16_t)(8 * (1 + tp_rnd(3))));
	s->pad_len = tp_rnd(4) == 0 ? (uint16_t)tp_rnd(30) : 0;
	tp_rnd_fill(s->pad, s->pad_len);
}

/* Parse a built IPv6 frame as the fast path does. */
static int
parse6(const uint8_t *f, uint32_t len, struct sl_pkt6_info *pi)
{
	struct sl_pkt_info p4;

	if (sl_pkt_parse(f, len, 0, &p4) != 0 || p4.kind != SL_PKT_IPV6)
		return -1;
	pi->l2_len = p4.l2_len;
	return sl_pkt_parse6(f, len, 0, pi);
}

/*
 * Rewrite @p s's frame's source or destination to @p addr:@p port and
 * compare it byte for byte with the frame built from the spec so
 * changed (hop limit one less), and its checksum with sl_l4_csum6()
 * recomputing it. Returns 0 when all agree.
 */
static int
nat6_case(const struct tp6_fspec *s, int dst, const uint8_t *addr, uint16_t port)
{
	static uint8_t f[TP_MAX_FRAME], g[TP_MAX_FRAME];
	struct tp6_fspec e = *s;
	struct tp_flayout lo;
	struct sl_pkt6_info pi;
	struct sl_in6 a;
	uint32_t coff;
	uint16_t full;

	tp6_build_frame(s, f, &lo);
	if (parse6(f, lo.len, &pi) != 0)
		return 1;
	memcpy(a.b, addr, 16);
	sl_nat6_rewrite(f, &pi, dst, &a, rte_cpu_to_be_16(port));
	memcpy(dst ? e.dst : e.src, addr, 16);
	if (dst)
		e.dport = port;
	else
		e.sport = port;
	e.hlim--;
	tp6_build_frame(&e, g, NULL);
	coff = lo.l4 + tp6_csum_off(s->proto);
	full = sl_l4_csum6(dst ? &pi.src : &a, dst ? &a : &pi.dst, s->proto,
			   f + lo.l4, lo.ip_len - lo.ihl, tp6_csum_off(s->proto));
	if (memcmp(f + coff, &full, 2) != 0)
		return 2;
	if (memcmp(f, g, lo.len) != 0)
		return 3;
	/* and the result parses, checksum verified */
	return parse6(f, lo.len, &pi) != 0 ? 4 : 0;
}

static void
test_nat6_exact(void)
{
	static const uint8_t vip[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0x01, [15] = 0x80 };
	static const uint8_t be[16] = { 0xfd, 0, 0, 0, 0, 0, 0, 0x02, [15] = 0x0a };
	struct tp6_fspec s;

	/* client -> VIP becomes client -> backend, and the reply back */
	tp6_spec_default(&s, IPPROTO_TCP);
	CU_ASSERT_EQUAL(nat6_case(&s, 1, be, 8080), 0);
	tp6_spec_default(&s, IPPROTO_UDP);
	s.vlan = 1;
	tp6_add_ext(&s, 60, 16);
	CU_ASSERT_EQUAL(nat6_case(&s, 1, be, 53), 0);
	tp6_spec_default(&s, IPPROTO_TCP);
	memcpy(s.src, be, 16);
	s.sport = 8080;
	CU_ASSERT_EQUAL(nat6_case(&s, 0, vip, 80), 0);
	/* nothing changes but the hop limit */
	tp6_spec_default(&s, IPPROTO_UDP);
	CU_ASSERT_EQUAL(nat6_case(&s, 0, s.src, s.sport), 0);
}

static void
test_nat6_random(void)
{
	struct tp6_fspec s;
	uint8_t addr[16];
	uint32_t it, fail = 0;
	int rc;

	sl_test_srand(0x6a7);
	for (it = 0; it < 2000; it++) {
		rand_spec6(&s, tp_rnd(2) ? IPPROTO_TCP : IPPROTO_UDP);
		tp_rnd_fill(addr, 16);
		/* sometimes words at the extremes */
		if (tp_rnd(8) == 0)
			memset(addr, tp_rnd(2) ? 0xff : 0, 8);
		rc = nat6_case(&s, (int)(it & 1), addr, (uint16_t)sl_test_rand());
		if (rc != 0 && fail++ < 3)
			fprintf(stderr, "\n    nat6 iteration %u proto %u: failure %d\n",
				it, s.proto, rc);
	}
	CU_ASSERT_EQUAL(fail, 0);
}

/* A UDP checksum whose sum becomes -0 is sent as 0xffff, never 0. */
static void
test_nat6_udp_becomes_zero(void)
{
	static uint8_t g[TP_MAX_FRAME];
	static const uint8_t be[16] = { 0xfd, 0, 0, 0, 0, 0, 0, 0x02, [15] = 0x0a };
	struct tp6_fspec s, e;
	struct tp_flayout lo;
	uint32_t x;

	tp6_spec_default(&s, IPPROTO_UDP);
	s.payload_len = 2;
	e = s;
	memcpy(e.dst, be, 16);
	e.dport = 53;
	for (x = 0; x < 0x10000; x++) {
		e.payload[0] = (uint8_t)(x >> 8);
		e.payload[1] = (uint8_t)x;
		tp6_build_frame(&e, g, &lo);
		if (tp_get16(g + lo.l4 + 6) == 0xffff)
			break;
	}
	CU_ASSERT_FATAL(x < 0x10000);
	s.payload[0] = e.payload[0];
	s.payload[1] = e.payload[1];
	CU_ASSERT_EQUAL(nat6_case(&s, 1, be, 53), 0);
}

static int
echo6_case(const struct tp6_fspec *s)
{
	static uint8_t f[TP_MAX_FRAME], g[TP_MAX_FRAME];
	struct tp6_fspec e = *s;
	struct tp_flayout lo;
	struct sl_pkt6_info pi;

	tp6_build_frame(s, f, &lo);
	if (parse6(f, lo.len, &pi) != 0)
		return 1;
	sl_nat6_icmp_echo_reply(f, &pi);
	memcpy(e.dmac, s->smac, 6);
	memcpy(e.smac, s->dmac, 6);
	memcpy(e.src, s->dst, 16);
	memcpy(e.dst, s->src, 16);
	e.icmp_type = 129;
	e.hlim = 64;
	tp6_build_frame(&e, g, NULL);
	if (memcmp(f, g, lo.len) != 0)
		return 2;
	if (parse6(f, lo.len, &pi) != 0 || pi.dport != RTE_BE16(129 << 8) ||
	    pi.sport != rte_cpu_to_be_16(s->sport))
		return 3;
	return 0;
}

static void
test_echo6_reply(void)
{
	struct tp6_fspec s;
	uint32_t it, fail = 0;
	int rc;

	tp6_spec_default(&s, 58);
	s.sport = 0x1234;
	s.dport = 1;
	CU_ASSERT_EQUAL(echo6_case(&s), 0);
	s.payload_len = 0;
	s.vlan = 1;
	tp6_add_ext(&s, 0, 8);
	CU_ASSERT_EQUAL(echo6_case(&s), 0);

	sl_test_srand(0xec6);
	for (it = 0; it < 500; it++) {
		rand_spec6(&s, 58);
		s.icmp_type = 128;
		s.hlim = (uint8_t)sl_test_rand();
		rc = echo6_case(&s);
		if (rc != 0 && fail++ < 3)
			fprintf(stderr, "\n    echo6 iteration %u: failure %d\n", it, rc);
	}
	CU_ASSERT_EQUAL(fail, 0);
}

/*
 * NAT64 translation both ways, random TCP and UDP packets: the new IP
 * header is well formed (IPv4: its checksum, DF, TTL = hop limit - 1,
 * DS = traffic class; IPv6: hop limit = TTL - 1, traffic class = DS,
 * payload length), the ports are the new ones, the payload is untouched
 * and the L4 checksum equals a full recomputation in the new family.
 */
static void
test_nat64_translate(void)
{
	static uint8_t f[TP_MAX_FRAME + 64];
	unsigned it, fail = 0;

	sl_test_srand(0x64);
	for (it = 0; it < 2000; it++) {
		uint8_t proto = tp_rnd(2) ? IPPROTO_TCP : IPPROTO_UDP;
		struct tp6_fspec s6;
		struct tp_fspec s4;
		struct tp_flayout lo;
		struct sl_pkt6_info p6;
		struct sl_pkt_info p4;
		struct sl_in6 a6, b6;
		rte_be32_t a4, b4;
		rte_be16_t ps = (rte_be16_t)sl_test_rand(), pd = (rte_be16_t)sl_test_rand();
		uint8_t *g, *l4;
		uint16_t want, got;
		uint32_t len, l4len;

		/* 6 -> 4 */
		tp6_spec_default(&s6, proto);
		tp_rnd_fill(s6.src, 16);
		tp_rnd_fill(s6.dst, 16);
		s6.tclass = (uint8_t)sl_test_rand();
		s6.hlim = (uint8_t)(2 + tp_rnd(250));
		s6.payload_len = (uint16_t)tp_rnd(200);
		tp_rnd_fill(s6.payload, s6.payload_len);
		len = tp6_build_frame(&s6, f, &lo);
		p6.l2_len = 14;
		if (sl_pkt_parse6(f, len, 0, &p6) != 0) {
			fail++;
			continue;
		}
		a4 = (rte_be32_t)sl_test_rand();
		b4 = (rte_be32_t)sl_test_rand();
		l4 = f + lo.l4;
		l4len = p6.plen;
		g = sl_nat_6to4(f, &p6, a4, ps, b4, pd);
		if (g != l4 - 34 || tp_get16(g + 12) != 0x0800 ||
		    !sl_ipv4_csum_ok(g + 14, 20) || g[14] != 0x45 ||
		    g[14 + 1] != s6.tclass || g[14 + 8] != s6.hlim - 1 || g[14 + 9] != proto ||
		    tp_get16(g + 14 + 2) != 20 + l4len || tp_get16(g + 14 + 6) != 0x4000 ||
		    memcmp(g + 14 + 12, &a4, 4) != 0 || memcmp(g + 14 + 16, &b4, 4) != 0 ||
		    memcmp(l4, &ps, 2) != 0 || memcmp(l4 + 2, &pd, 2) != 0 ||
		    memcmp(g, s6.dmac, 6) != 0 || memcmp(g + 6, s6.smac, 6) != 0) {
			fail++;
			continue;
		}
		memcpy(&got, l4 + (proto == IPPROTO_TCP ? 16 : 6), 2);
		want = sl_l4_csum((const struct rte_ipv4_hdr *)(g + 14), l4);
		if (got != want)
			fail++;

		/* 4 -> 6: the frame starts 20 bytes into the buffer, the room
		 * the caller makes with rte_pktmbuf_prepend */
		tp_spec_default(&s4, proto);
		s4.src = sl_test_rand();
		s4.dst = sl_test_rand();
		s4.tos = (uint8_t)sl_test_rand();
		s4.ttl = (uint8_t)(2 + tp_rnd(250));
		s4.payload_len = (uint16_t)tp_rnd(200);
		tp_rnd_fill(s4.payload, s4.payload_len);
		len = tp_build_frame(&s4, f + 20, &lo);
		if (sl_pkt_parse(f + 20, len, 0, &p4) != 0) {
			fail++;
			continue;
		}
		tp_rnd_fill(a6.b, 16);
		tp_rnd_fill(b6.b, 16);
		l4 = f + 20 + lo.l4;
		l4len = (uint32_t)p4.ip_len - p4.l3_len;
		g = sl_nat_4to6(f, &p4, &a6, ps, &b6, pd);
		if (g != f || tp_get16(g + 12) != 0x86dd || (g[14] >> 4) != 6 ||
		    (uint8_t)((g[14] << 4) | (g[15] >> 4)) != s4.tos ||
		    tp_get16(g + 14 + 4) != l4len || g[14 + 6] != proto ||
		    g[14 + 7] != s4.ttl - 1 || memcmp(g + 14 + 8, &a6, 16) != 0 ||
		    memcmp(g + 14 + 24, &b6, 16) != 0 || g + 54 != l4 ||
		    memcmp(l4, &ps, 2) != 0 || memcmp(l4 + 2, &pd, 2) != 0 ||
		    memcmp(g, s4.dmac, 6) != 0 || memcmp(g + 6, s4.smac, 6) != 0) {
			fail++;
			continue;
		}
		memcpy(&got, l4 + (proto == IPPROTO_TCP ? 16 : 6), 2);
		want = sl_l4_csum6(&a6, &b6, proto, l4, l4len, proto == IPPROTO_TCP ? 16 : 6);
		if (got != want)
			fail++;
	}
	CU_ASSERT_EQUAL(fail, 0);
}

static const struct sl_test_case nat_tests[] = {
	{ "DNAT TCP byte-exact", test_dnat_tcp_exact },
	{ "DNAT TCP field by field", test_dnat_tcp_bytes },
	{ "DNAT UDP byte-exact", test_dnat_udp_exact },
	{ "SNAT TCP byte-exact", test_snat_tcp_exact },
	{ "SNAT UDP byte-exact", test_snat_udp_exact },
	{ "NAT with VLAN and IP options", test_nat_vlan_options_exact },
	{ "NAT TTL edges", test_nat_ttl_edges },
	{ "NAT random packets", test_nat_random },
	{ "FullNAT both endpoints byte-exact, random packets", test_fullnat_exact },
	{ "UDP checksum 0 stays 0", test_nat_udp_no_csum },
	{ "UDP checksum becoming 0 is 0xffff", test_nat_udp_becomes_zero },
	{ "UDP checksum 0xffff input", test_nat_udp_from_ffff },
	{ "set MACs", test_nat_set_macs },
	{ "ICMP echo reply", test_echo_reply },
	{ "ICMP echo reply random", test_echo_reply_random },
	{ "ICMP echo reply of all-zero message", test_echo_reply_zero_message },
	{ "ICMP error toward the backend byte-exact", test_icmp_err_to_backend },
	{ "ICMP error toward the client byte-exact", test_icmp_err_to_client },
	{ "ICMP error quoting UDP checksums 0 and -0", test_icmp_err_udp_csum },
	{ "ICMP error rewrite random packets", test_icmp_err_random },
	{ "tunnel encapsulation (ipip, gre, gue) byte-exact", test_encap_exact },
	{ "fragmentation needed byte-exact", test_icmp_too_big },
	{ "NAT64 translation both ways vs full checksums", test_nat64_translate },
	{ "NAT66 rewrite byte-exact", test_nat6_exact },
	{ "NAT66 rewrite random packets vs full checksum", test_nat6_random },
	{ "NAT66 UDP checksum becoming 0 is 0xffff", test_nat6_udp_becomes_zero },
	{ "ICMPv6 echo reply byte-exact", test_echo6_reply },
};

SL_TEST_MAIN(NULL,
	SL_TEST_SUITE("nat", NULL, NULL, nat_tests));
