/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests for lib/nat: DNAT/SNAT rewrites compared byte for byte with
 * frames built independently (full checksums from a reference RFC 1071
 * implementation in this file), checksum validity on random packets,
 * the UDP zero-checksum rules, MAC rewrite and ICMP echo replies.
 *
 * The frame builder is the same as test_pkt.c's (each suite is a single
 * file); it writes every field byte by byte in network order and shares
 * no code with the library.
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

#define MAX_FRAME 2048

/* ---------- reference checksum (network-order words) ---------- */

static uint32_t
ref_sum(const uint8_t *p, size_t n, uint32_t sum)
{
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (n & 1)
		sum += (uint32_t)p[n - 1] << 8;
	return sum;
}

static uint16_t
ref_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

static uint16_t
ref_csum(const uint8_t *p, size_t n)
{
	return (uint16_t)~ref_fold(ref_sum(p, n, 0));
}

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void
put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static uint32_t
rnd(uint32_t n)
{
	return n ? sl_test_rand() % n : 0;
}

static void
rnd_fill(uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)sl_test_rand();
}

/* ---------- frame builder ---------- */

struct fspec {
	uint8_t dmac[6];
	uint8_t smac[6];
	int vlan;               /* add one 802.1Q tag */
	uint16_t tci;
	uint16_t etype;         /* (inner) EtherType */
	uint8_t ip_opt_len;     /* multiple of 4, <= 40 */
	uint8_t ip_opt[40];
	uint8_t tos, ttl, proto;
	uint16_t ip_id, frag;   /* frag: flags + offset word */
	uint32_t src, dst;      /* host order */
	uint16_t sport, dport;  /* ICMP: identifier, sequence */
	uint8_t tcp_flags;
	uint8_t tcp_opt_len;    /* multiple of 4, <= 40 */
	uint8_t tcp_opt[40];
	uint32_t seq, ack;
	uint16_t win;
	uint8_t icmp_type, icmp_code;
	int udp_no_csum;        /* send UDP checksum 0 */
	uint16_t payload_len;
	uint8_t payload[1500];
	uint16_t pad_len;       /* Ethernet padding after the IP packet */
	uint8_t pad[64];
};

/* Layout of a built frame. */
struct flayout {
	uint32_t len;    /* whole frame */
	uint32_t l2;     /* IP header offset */
	uint32_t ihl;
	uint32_t l4;     /* L4 header offset */
	uint32_t l4_hlen;
	uint32_t ip_len; /* IPv4 total length */
};

static uint32_t
l4_hdr_len(const struct fspec *s)
{
	switch (s->proto) {
	case IPPROTO_TCP:
		return 20u + s->tcp_opt_len;
	case IPPROTO_UDP:
	case IPPROTO_ICMP:
		return 8;
	default:
		return 0;
	}
}

/* Pseudo-header + segment sum of the L4 part of a built IPv4 frame. */
static uint32_t
ref_l4_sum(const uint8_t *f, uint32_t l2)
{
	const uint8_t *ip = f + l2;
	uint32_t ihl = (ip[0] & 0xfu) * 4;
	uint32_t l4len = get16(ip + 2) - ihl;
	uint32_t sum = 0;

	sum = ref_sum(ip + 12, 8, sum);
	sum += ip[9];
	sum += l4len;
	return ref_sum(ip + ihl, l4len, sum);
}

static uint32_t
build_frame(const struct fspec *s, uint8_t *f, struct flayout *lo)
{
	uint32_t l2 = s->vlan ? 18 : 14;
	uint32_t ihl = 20u + s->ip_opt_len;
	uint32_t l4h = l4_hdr_len(s);
	uint32_t ip_len = ihl + l4h + s->payload_len;
	uint8_t *ip = f + l2, *l4 = f + l2 + ihl;
	uint16_t c;

	memcpy(f, s->dmac, 6);
	memcpy(f + 6, s->smac, 6);
	if (s->vlan) {
		put16(f + 12, 0x8100);
		put16(f + 14, s->tci);
		put16(f + 16, s->etype);
	} else {
		put16(f + 12, s->etype);
	}
	ip[0] = (uint8_t)(0x40 | ihl / 4);
	ip[1] = s->tos;
	put16(ip + 2, (uint16_t)ip_len);
	put16(ip + 4, s->ip_id);
	put16(ip + 6, s->frag);
	ip[8] = s->ttl;
	ip[9] = s->proto;
	put16(ip + 10, 0);
	put32(ip + 12, s->src);
	put32(ip + 16, s->dst);
	memcpy(ip + 20, s->ip_opt, s->ip_opt_len);
	put16(ip + 10, ref_csum(ip, ihl));

	switch (s->proto) {
	case IPPROTO_TCP:
		put16(l4, s->sport);
		put16(l4 + 2, s->dport);
		put32(l4 + 4, s->seq);
		put32(l4 + 8, s->ack);
		l4[12] = (uint8_t)((l4h / 4) << 4);
		l4[13] = s->tcp_flags;
		put16(l4 + 14, s->win);
		put16(l4 + 16, 0);
		put16(l4 + 18, 0);
		memcpy(l4 + 20, s->tcp_opt, s->tcp_opt_len);
		break;
	case IPPROTO_UDP:
		put16(l4, s->sport);
		put16(l4 + 2, s->dport);
		put16(l4 + 4, (uint16_t)(l4h + s->payload_len));
		put16(l4 + 6, 0);
		break;
	case IPPROTO_ICMP:
		l4[0] = s->icmp_type;
		l4[1] = s->icmp_code;
		put16(l4 + 2, 0);
		put16(l4 + 4, s->sport);
		put16(l4 + 6, s->dport);
		break;
	default:
		break;
	}
	memcpy(l4 + l4h, s->payload, s->payload_len);

	switch (s->proto) {
	case IPPROTO_TCP:
		put16(l4 + 16, (uint16_t)~ref_fold(ref_l4_sum(f, l2)));
		break;
	case IPPROTO_UDP:
		if (!s->udp_no_csum) {
			c = (uint16_t)~ref_fold(ref_l4_sum(f, l2));
			put16(l4 + 6, c ? c : 0xffff);
		}
		break;
	case IPPROTO_ICMP:
		put16(l4 + 2, ref_csum(l4, l4h + s->payload_len));
		break;
	default:
		break;
	}
	memcpy(f + l2 + ip_len, s->pad, s->pad_len);

	if (lo != NULL) {
		lo->len = l2 + ip_len + s->pad_len;
		lo->l2 = l2;
		lo->ihl = ihl;
		lo->l4 = l2 + ihl;
		lo->l4_hlen = l4h;
		lo->ip_len = ip_len;
	}
	return l2 + ip_len + s->pad_len;
}

static void
spec_default(struct fspec *s, uint8_t proto)
{
	static const uint8_t dmac[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 };
	static const uint8_t smac[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x02 };
	unsigned i;

	memset(s, 0, sizeof(*s));
	memcpy(s->dmac, dmac, 6);
	memcpy(s->smac, smac, 6);
	s->etype = 0x0800;
	s->ttl = 64;
	s->tos = 0x10;
	s->ip_id = 0x1234;
	s->frag = 0x4000; /* DF */
	s->proto = proto;
	s->src = 0x0a000001;  /* 10.0.0.1 */
	s->dst = 0xc0a80164;  /* 192.168.1.100 */
	s->sport = 40000;
	s->dport = 80;
	s->seq = 0x01020304;
	s->ack = 0x0a0b0c0d;
	s->win = 65535;
	s->tcp_flags = RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG;
	s->icmp_type = RTE_IP_ICMP_ECHO_REQUEST;
	s->payload_len = 37;
	for (i = 0; i < sizeof(s->payload); i++)
		s->payload[i] = (uint8_t)(i * 7 + 3);
}

/* Options: NOP padding around a record-route-like blob; content is not
 * interpreted by the parser. */
static void
spec_ip_opts(struct fspec *s, uint8_t len)
{
	unsigned i;

	s->ip_opt_len = len;
	for (i = 0; i < len; i++)
		s->ip_opt[i] = i + 1 < len ? (uint8_t)(0x80 + i) : 0; /* EOL last */
	if (len >= 4)
		s->ip_opt[0] = 1; /* NOP */
}

static void
rand_spec(struct fspec *s)
{
	spec_default(s, rnd(2) ? IPPROTO_TCP : IPPROTO_UDP);
	rnd_fill(s->dmac, 6);
	rnd_fill(s->smac, 6);
	s->vlan = rnd(3) == 0;
	s->tci = (uint16_t)sl_test_rand();
	s->ip_opt_len = rnd(3) == 0 ? (uint8_t)(4 * (1 + rnd(10))) : 0;
	rnd_fill(s->ip_opt, s->ip_opt_len);
	s->tos = (uint8_t)sl_test_rand();
	s->ttl = (uint8_t)(2 + rnd(254));
	s->ip_id = (uint16_t)sl_test_rand();
	s->frag = rnd(2) ? 0x4000 : 0;
	s->src = sl_test_rand();
	s->dst = sl_test_rand();
	s->sport = (uint16_t)sl_test_rand();
	s->dport = (uint16_t)sl_test_rand();
	s->seq = sl_test_rand();
	s->ack = sl_test_rand();
	s->win = (uint16_t)sl_test_rand();
	s->tcp_flags = (uint8_t)sl_test_rand();
	s->tcp_opt_len = rnd(3) == 0 ? (uint8_t)(4 * rnd(11)) : 0;
	rnd_fill(s->tcp_opt, s->tcp_opt_len);
	s->payload_len = (uint16_t)rnd(1401);
	rnd_fill(s->payload, s->payload_len);
	s->udp_no_csum = s->proto == IPPROTO_UDP && rnd(8) == 0;
	s->pad_len = rnd(4) == 0 ? (uint16_t)rnd(30) : 0;
	rnd_fill(s->pad, s->pad_len);
}

/* Checksum verification with the reference: 0 when the IPv4 header and
 * the L4 checksum (TCP, UDP unless 0, ICMP) are right. */
static int
verify_csums(const uint8_t *f, const struct flayout *lo)
{
	const uint8_t *ip = f + lo->l2;
	uint8_t proto = ip[9];
	int bad = 0;

	if (ref_fold(ref_sum(ip, lo->ihl, 0)) != 0xffff)
		bad |= 1;
	switch (proto) {
	case IPPROTO_TCP:
		if (ref_fold(ref_l4_sum(f, lo->l2)) != 0xffff)
			bad |= 2;
		break;
	case IPPROTO_UDP:
		if (get16(f + lo->l4 + 6) != 0 &&
		    ref_fold(ref_l4_sum(f, lo->l2)) != 0xffff)
			bad |= 2;
		break;
	case IPPROTO_ICMP:
		if (ref_fold(ref_sum(f + lo->l4, lo->ip_len - lo->ihl, 0)) != 0xffff)
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
nat_case(const struct fspec *in, int dir, uint32_t nip, uint16_t nport,
	 int verbose)
{
	static uint8_t f[MAX_FRAME], g[MAX_FRAME];
	struct fspec want = *in;
	struct flayout lo, wlo;
	struct sl_pkt_info pi;
	int rc, bad = 0;

	build_frame(in, f, &lo);
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
	build_frame(&want, g, &wlo);
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

#define CLIENT_IP  0x0a000001u /* 10.0.0.1 */
#define VIP        0xc0a80164u /* 192.168.1.100 */
#define BACKEND_IP 0x0a010005u /* 10.1.0.5 */

static void
client_spec(struct fspec *s, uint8_t proto)
{
	spec_default(s, proto);
	s->src = CLIENT_IP;
	s->sport = 40000;
	s->dst = VIP;
	s->dport = 80;
}

static void
backend_spec(struct fspec *s, uint8_t proto)
{
	spec_default(s, proto);
	s->src = BACKEND_IP;
	s->sport = 8080;
	s->dst = CLIENT_IP;
	s->dport = 40000;
	s->tcp_flags = RTE_TCP_ACK_FLAG | RTE_TCP_PSH_FLAG;
}

static void
test_dnat_tcp_exact(void)
{
	struct fspec s;

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
	static uint8_t f[MAX_FRAME], orig[MAX_FRAME];
	struct fspec s;
	struct flayout lo;
	struct sl_pkt_info pi;
	uint32_t i;

	client_spec(&s, IPPROTO_TCP);
	build_frame(&s, f, &lo);
	memcpy(orig, f, lo.len);
	CU_ASSERT_EQUAL_FATAL(sl_pkt_parse(f, lo.len, 0, &pi), 0);
	sl_nat_dnat(f, &pi, rte_cpu_to_be_32(BACKEND_IP), rte_cpu_to_be_16(8080));
	CU_ASSERT_EQUAL(get32(f + 14 + 16), BACKEND_IP);
	CU_ASSERT_EQUAL(get32(f + 14 + 12), CLIENT_IP);
	CU_ASSERT_EQUAL(get16(f + 34 + 2), 8080);
	CU_ASSERT_EQUAL(get16(f + 34), 40000);
	CU_ASSERT_EQUAL(f[14 + 8], 63);
	CU_ASSERT_EQUAL(ref_fold(ref_sum(f + 14, 20, 0)), 0xffff);
	CU_ASSERT_EQUAL(ref_fold(ref_l4_sum(f, 14)), 0xffff);
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
	struct fspec s;

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
	struct fspec s;

	backend_spec(&s, IPPROTO_TCP);
	CU_ASSERT_EQUAL(nat_case(&s, NAT_SNAT, VIP, 80, 1), 0);
	s.payload_len = 0;
	s.tcp_flags = RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG;
	CU_ASSERT_EQUAL(nat_case(&s, NAT_SNAT, VIP, 80, 1), 0);
}

static void
test_snat_udp_exact(void)
{
	struct fspec s;

	backend_spec(&s, IPPROTO_UDP);
	CU_ASSERT_EQUAL(nat_case(&s, NAT_SNAT, VIP, 53, 1), 0);
	s.payload_len = 513;
	CU_ASSERT_EQUAL(nat_case(&s, NAT_SNAT, VIP, 53, 1), 0);
}

static void
test_nat_vlan_options_exact(void)
{
	static const uint8_t olens[] = { 4, 12, 40 };
	struct fspec s;
	unsigned i, p;

	for (p = 0; p < 2; p++)
		for (i = 0; i < RTE_DIM(olens); i++) {
			client_spec(&s, p ? IPPROTO_UDP : IPPROTO_TCP);
			s.vlan = 1;
			s.tci = 42;
			spec_ip_opts(&s, olens[i]);
			CU_ASSERT_EQUAL(nat_case(&s, NAT_DNAT, BACKEND_IP, 8080, 1), 0);
			backend_spec(&s, p ? IPPROTO_UDP : IPPROTO_TCP);
			s.vlan = 1;
			spec_ip_opts(&s, olens[i]);
			s.pad_len = 10;
			CU_ASSERT_EQUAL(nat_case(&s, NAT_SNAT, VIP, 80, 1), 0);
		}
}

static void
test_nat_ttl_edges(void)
{
	struct fspec s;
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
	struct fspec s;
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

static void
test_nat_udp_no_csum(void)
{
	static uint8_t f[MAX_FRAME];
	struct fspec s;
	struct flayout lo;
	struct sl_pkt_info pi;

	client_spec(&s, IPPROTO_UDP);
	s.udp_no_csum = 1;
	CU_ASSERT_EQUAL(nat_case(&s, NAT_DNAT, BACKEND_IP, 5353, 1), 0);
	build_frame(&s, f, &lo);
	CU_ASSERT_EQUAL_FATAL(sl_pkt_parse(f, lo.len, 0, &pi), 0);
	sl_nat_dnat(f, &pi, rte_cpu_to_be_32(BACKEND_IP), rte_cpu_to_be_16(5353));
	CU_ASSERT_EQUAL(get16(f + lo.l4 + 6), 0);
	CU_ASSERT_EQUAL(get16(f + lo.l4 + 2), 5353);
	CU_ASSERT_EQUAL(get32(f + lo.l2 + 16), BACKEND_IP);
	CU_ASSERT_EQUAL(ref_fold(ref_sum(f + lo.l2, lo.ihl, 0)), 0xffff);

	backend_spec(&s, IPPROTO_UDP);
	s.udp_no_csum = 1;
	s.vlan = 1;
	CU_ASSERT_EQUAL(nat_case(&s, NAT_SNAT, VIP, 53, 1), 0);
}

/* Set a payload word of @p s so that its L4 checksum computes to zero
 * (the one's complement sum is -0). */
static void
force_zero_csum(struct fspec *s)
{
	static uint8_t g[MAX_FRAME];
	struct fspec t = *s;
	struct flayout lo;
	uint16_t sum, x;

	t.payload[0] = 0;
	t.payload[1] = 0;
	build_frame(&t, g, &lo);
	put16(g + lo.l4 + (t.proto == IPPROTO_TCP ? 16 : 6), 0);
	sum = ref_fold(ref_l4_sum(g, lo.l2));
	x = (uint16_t)(0xffff - sum);
	s->payload[0] = (uint8_t)(x >> 8);
	s->payload[1] = (uint8_t)x;
}

static void
test_nat_udp_becomes_zero(void)
{
	static uint8_t f[MAX_FRAME];
	struct fspec in, out;
	struct flayout lo;
	struct sl_pkt_info pi;

	/* DNAT: choose the payload so the rewritten datagram sums to -0 */
	client_spec(&in, IPPROTO_UDP);
	in.payload_len = 64;
	out = in;
	out.dst = BACKEND_IP;
	out.dport = 5353;
	out.ttl--;
	force_zero_csum(&out);
	memcpy(in.payload, out.payload, 2);
	build_frame(&in, f, &lo);
	/* the input checksum is an ordinary one */
	CU_ASSERT_NOT_EQUAL(get16(f + lo.l4 + 6), 0xffff);
	CU_ASSERT_NOT_EQUAL(get16(f + lo.l4 + 6), 0);
	CU_ASSERT_EQUAL_FATAL(sl_pkt_parse(f, lo.len, 0, &pi), 0);
	sl_nat_dnat(f, &pi, rte_cpu_to_be_32(BACKEND_IP), rte_cpu_to_be_16(5353));
	CU_ASSERT_EQUAL(get16(f + lo.l4 + 6), 0xffff);
	CU_ASSERT_EQUAL(ref_fold(ref_l4_sum(f, lo.l2)), 0xffff);
	CU_ASSERT_EQUAL(nat_case(&in, NAT_DNAT, BACKEND_IP, 5353, 1), 0);

	/* SNAT, behind a VLAN tag with IP options */
	backend_spec(&in, IPPROTO_UDP);
	in.vlan = 1;
	spec_ip_opts(&in, 8);
	in.payload_len = 3;
	out = in;
	out.src = VIP;
	out.sport = 53;
	out.ttl--;
	force_zero_csum(&out);
	memcpy(in.payload, out.payload, 2);
	build_frame(&in, f, &lo);
	CU_ASSERT_EQUAL_FATAL(sl_pkt_parse(f, lo.len, 0, &pi), 0);
	sl_nat_snat(f, &pi, rte_cpu_to_be_32(VIP), rte_cpu_to_be_16(53));
	CU_ASSERT_EQUAL(get16(f + lo.l4 + 6), 0xffff);
	CU_ASSERT_EQUAL(nat_case(&in, NAT_SNAT, VIP, 53, 1), 0);

	/* TCP has no such rule: a zero result is written as 0 */
	client_spec(&in, IPPROTO_TCP);
	out = in;
	out.dst = BACKEND_IP;
	out.dport = 8080;
	out.ttl--;
	force_zero_csum(&out);
	memcpy(in.payload, out.payload, 2);
	build_frame(&in, f, &lo);
	CU_ASSERT_EQUAL_FATAL(sl_pkt_parse(f, lo.len, 0, &pi), 0);
	sl_nat_dnat(f, &pi, rte_cpu_to_be_32(BACKEND_IP), rte_cpu_to_be_16(8080));
	CU_ASSERT_EQUAL(get16(f + lo.l4 + 16), 0);
	CU_ASSERT_EQUAL(ref_fold(ref_l4_sum(f, lo.l2)), 0xffff);
}

static void
test_nat_udp_from_ffff(void)
{
	/* an input whose checksum computed to zero, sent as 0xffff */
	static uint8_t f[MAX_FRAME];
	struct fspec in;
	struct flayout lo;

	client_spec(&in, IPPROTO_UDP);
	in.payload_len = 20;
	force_zero_csum(&in);
	build_frame(&in, f, &lo);
	CU_ASSERT_EQUAL(get16(f + lo.l4 + 6), 0xffff);
	CU_ASSERT_EQUAL(nat_case(&in, NAT_DNAT, BACKEND_IP, 5353, 1), 0);
	CU_ASSERT_EQUAL(nat_case(&in, NAT_SNAT, BACKEND_IP, 5353, 1), 0);
	/* a rewrite that leaves the datagram unchanged keeps 0xffff */
	in.ttl = 65;
	CU_ASSERT_EQUAL(nat_case(&in, NAT_DNAT, VIP, 80, 1), 0);
}

static void
test_nat_set_macs(void)
{
	static uint8_t f[MAX_FRAME], orig[MAX_FRAME];
	static const struct rte_ether_addr d = {{ 0x52, 0x54, 0x00, 0xaa, 0xbb, 0xcc }};
	static const struct rte_ether_addr sm = {{ 0x02, 0x11, 0x22, 0x33, 0x44, 0x55 }};
	struct fspec s;
	struct flayout lo;
	unsigned v;

	for (v = 0; v < 2; v++) {
		client_spec(&s, IPPROTO_TCP);
		s.vlan = v;
		build_frame(&s, f, &lo);
		memcpy(orig, f, lo.len);
		sl_nat_set_macs(f, &d, &sm);
		CU_ASSERT_EQUAL(memcmp(f, d.addr_bytes, 6), 0);
		CU_ASSERT_EQUAL(memcmp(f + 6, sm.addr_bytes, 6), 0);
		CU_ASSERT_EQUAL(memcmp(f + 12, orig + 12, lo.len - 12), 0);
	}
}

/* ---------- ICMP echo reply ---------- */

static int
echo_case(const struct fspec *req, int verbose)
{
	static uint8_t f[MAX_FRAME], g[MAX_FRAME];
	struct fspec want = *req;
	struct flayout lo;
	struct sl_pkt_info pi;
	int rc, bad = 0;

	build_frame(req, f, &lo);
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
	build_frame(&want, g, NULL);
	/* 0x0000 and 0xffff are the same one's complement checksum for a
	 * message that is not all zero; verify_csums() below catches the
	 * all-zero case, where only 0xffff is right */
	if ((get16(g + lo.l4 + 2) == 0 || get16(g + lo.l4 + 2) == 0xffff) &&
	    (get16(f + lo.l4 + 2) == 0 || get16(f + lo.l4 + 2) == 0xffff))
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
	static uint8_t f[MAX_FRAME];
	struct fspec s;
	struct flayout lo;
	struct sl_pkt_info pi;

	spec_default(&s, IPPROTO_ICMP);
	s.sport = 0x1234;  /* identifier */
	s.dport = 7;       /* sequence */
	s.payload_len = 56;
	CU_ASSERT_EQUAL(echo_case(&s, 1), 0);

	/* the fields one by one */
	build_frame(&s, f, &lo);
	CU_ASSERT_EQUAL_FATAL(sl_pkt_parse(f, lo.len, 0, &pi), 0);
	sl_nat_icmp_echo_reply(f, &pi);
	CU_ASSERT_EQUAL(memcmp(f, s.smac, 6), 0);
	CU_ASSERT_EQUAL(memcmp(f + 6, s.dmac, 6), 0);
	CU_ASSERT_EQUAL(get32(f + 14 + 12), s.dst);
	CU_ASSERT_EQUAL(get32(f + 14 + 16), s.src);
	CU_ASSERT_EQUAL(f[14 + 8], 64);
	CU_ASSERT_EQUAL(f[34], 0);    /* type: echo reply */
	CU_ASSERT_EQUAL(f[35], 0);    /* code */
	CU_ASSERT_EQUAL(get16(f + 38), 0x1234);
	CU_ASSERT_EQUAL(get16(f + 40), 7);
	CU_ASSERT_EQUAL(verify_csums(f, &lo), 0);

	/* odd payload, VLAN, options, TTL already 64 and 1 */
	s.payload_len = 1;
	CU_ASSERT_EQUAL(echo_case(&s, 1), 0);
	s.vlan = 1;
	spec_ip_opts(&s, 12);
	s.ttl = 64;
	CU_ASSERT_EQUAL(echo_case(&s, 1), 0);
	s.ttl = 1;
	s.payload_len = 1472 - 12;
	CU_ASSERT_EQUAL(echo_case(&s, 1), 0);
}

static void
test_echo_reply_random(void)
{
	struct fspec s;
	uint32_t it, fail = 0;

	sl_test_srand(0xec40);
	for (it = 0; it < 2000; it++) {
		spec_default(&s, IPPROTO_ICMP);
		rnd_fill(s.dmac, 6);
		rnd_fill(s.smac, 6);
		s.vlan = rnd(3) == 0;
		s.tci = (uint16_t)sl_test_rand();
		s.ip_opt_len = rnd(3) == 0 ? (uint8_t)(4 * (1 + rnd(10))) : 0;
		rnd_fill(s.ip_opt, s.ip_opt_len);
		s.tos = (uint8_t)sl_test_rand();
		s.ttl = (uint8_t)(1 + rnd(255));
		s.ip_id = (uint16_t)sl_test_rand();
		s.src = sl_test_rand();
		s.dst = sl_test_rand();
		s.sport = (uint16_t)sl_test_rand();
		s.dport = (uint16_t)sl_test_rand();
		s.payload_len = (uint16_t)rnd(1401);
		rnd_fill(s.payload, s.payload_len);
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
	struct fspec s;

	spec_default(&s, IPPROTO_ICMP);
	s.sport = 0;
	s.dport = 0;
	s.payload_len = 0;
	CU_ASSERT_EQUAL(echo_case(&s, 1), 0);
}

int
main(void)
{
	CU_pSuite s;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 2;
	s = CU_add_suite("nat", NULL, NULL);
	if (s == NULL)
		return 2;
	CU_add_test(s, "DNAT TCP byte-exact", test_dnat_tcp_exact);
	CU_add_test(s, "DNAT TCP field by field", test_dnat_tcp_bytes);
	CU_add_test(s, "DNAT UDP byte-exact", test_dnat_udp_exact);
	CU_add_test(s, "SNAT TCP byte-exact", test_snat_tcp_exact);
	CU_add_test(s, "SNAT UDP byte-exact", test_snat_udp_exact);
	CU_add_test(s, "NAT with VLAN and IP options", test_nat_vlan_options_exact);
	CU_add_test(s, "NAT TTL edges", test_nat_ttl_edges);
	CU_add_test(s, "NAT random packets", test_nat_random);
	CU_add_test(s, "UDP checksum 0 stays 0", test_nat_udp_no_csum);
	CU_add_test(s, "UDP checksum becoming 0 is 0xffff", test_nat_udp_becomes_zero);
	CU_add_test(s, "UDP checksum 0xffff input", test_nat_udp_from_ffff);
	CU_add_test(s, "set MACs", test_nat_set_macs);
	CU_add_test(s, "ICMP echo reply", test_echo_reply);
	CU_add_test(s, "ICMP echo reply random", test_echo_reply_random);
	CU_add_test(s, "ICMP echo reply of all-zero message", test_echo_reply_zero_message);
	return sl_test_run();
}
