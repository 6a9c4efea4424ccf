/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/fwd: whole bursts through the packet path with a real snapshot, on
 * ring-backed ports, so every frame Sluice sends can be read back and
 * checked: where it went, what it says, what was counted.
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <CUnit/CUnit.h>
#include <rte_arp.h>
#include <rte_bus_vdev.h>
#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_hash_crc.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_ring.h>
#include <rte_thash.h>

#include "sl_test.h"
#include "sl_testpkt.h"
#include "sl_fwdfix.h"
#include "sl_fwd_trace.h"
#include "sl_fwd_steer.h"
#include "fwd_priv.h"       /* lport_slice(), lport_at(): the workers' slices */

#define OUT 0   /* port index facing clients */
#define IN  1   /* port index facing backends */

static const char *ini =
	"[eal]\n"
	"lcores = 0-1\n"
	"[global]\n"
	"flow_capacity = 1024\n"
	"[port.outside]\n"
	"device = net_null0\n"
	"address = 10.0.0.1/24\n"
	"address = 2001:db8::1/64\n"
	"[port.inside]\n"
	"device = net_null1\n"
	"address = 10.1.0.1/24\n"
	"address = 2001:db8:1::1/64\n"
	"local_address = 10.1.0.5, 10.1.0.6\n"
	"local_address = 2001:db8:1::5\n"
	"[service.dns]\n"
	"vip = 10.0.0.100\n"
	"port = 53\n"
	"protocol = udp\n"
	"backend = 10.1.0.11:5353\n"
	"backend = 10.1.0.12:5353\n"
	"backend = 10.1.0.13:5353\n"
	"[service.web]\n"
	"vip = 10.0.0.100\n"
	"port = 80\n"
	"protocol = tcp\n"
	"backend = 10.1.0.11:8080\n"
	"backend = 10.1.0.12:8080\n"
	"backend = 10.1.0.13:8080\n"
	/* direct server return and the tunnels: maglev (a packet with no
	 * connection is scheduled), and dr with rr (it is not) */
	"[service.dr]\n"
	"vip = 10.0.0.101\n"
	"port = 80\n"
	"protocol = tcp\n"
	"mode = dr\n"
	"scheduler = maglev\n"
	"maglev_table_size = 251\n"
	"backend = 10.1.0.21:80\n"
	"backend = 10.1.0.22:80\n"
	"backend = 10.1.0.23:80\n"
	"[service.drrr]\n"
	"vip = 10.0.0.102\n"
	"port = 80\n"
	"protocol = tcp\n"
	"mode = dr\n"
	"backend = 10.1.0.24:80\n"
	"backend = 10.1.0.25:80\n"
	"[service.ipip]\n"
	"vip = 10.0.0.103\n"
	"port = 80\n"
	"protocol = tcp\n"
	"mode = tunnel\n"
	"encap = ipip\n"
	"scheduler = maglev\n"
	"maglev_table_size = 251\n"
	"backend = 10.1.0.31:80\n"
	"backend = 10.1.0.32:80\n"
	"backend = 10.1.0.33:80\n"
	"[service.gre]\n"
	"vip = 10.0.0.104\n"
	"port = 80\n"
	"protocol = tcp\n"
	"mode = tunnel\n"
	"encap = gre\n"
	"scheduler = maglev\n"
	"maglev_table_size = 251\n"
	"backend = 10.1.0.34:80\n"
	"backend = 10.1.0.35:80\n"
	"backend = 10.1.0.36:80\n"
	"[service.gue]\n"
	"vip = 10.0.0.105\n"
	"port = 80\n"
	"protocol = tcp\n"
	"mode = tunnel\n"
	"encap = gue\n"
	"scheduler = maglev\n"
	"maglev_table_size = 251\n"
	"backend = 10.1.0.37:80\n"
	"backend = 10.1.0.38:80\n"
	"backend = 10.1.0.39:80\n"
	/* IPv6 (NAT66), on the ports of the IPv4 services web and dns */
	"[service.web6]\n"
	"vip = 2001:db8::100\n"
	"port = 80\n"
	"protocol = tcp\n"
	"backend = [2001:db8:1::11]:8080\n"
	"backend = [2001:db8:1::12]:8080\n"
	"backend = [2001:db8:1::13]:8080\n"
	"[service.dns6]\n"
	"vip = 2001:db8::100\n"
	"port = 53\n"
	"protocol = udp\n"
	"backend = [2001:db8:1::11]:5353\n"
	"backend = [2001:db8:1::12]:5353\n"
	"backend = [2001:db8:1::13]:5353\n"
	/* IPv6 direct server return */
	"[service.dr6]\n"
	"vip = 2001:db8::200\n"
	"port = 80\n"
	"protocol = tcp\n"
	"mode = dr\n"
	"scheduler = maglev\n"
	"backend = [2001:db8:1::11]:80\n"
	"backend = [2001:db8:1::12]:80\n"
	"backend = [2001:db8:1::13]:80\n"
	/* IPv6 in IPv6 */
	"[service.tun6]\n"
	"vip = 2001:db8::300\n"
	"port = 80\n"
	"protocol = tcp\n"
	"mode = tunnel\n"
	"scheduler = maglev\n"
	"backend = [2001:db8:1::11]:80\n"
	"backend = [2001:db8:1::12]:80\n"
	"backend = [2001:db8:1::13]:80\n"
	/* GRE and GUE over IPv6 */
	"[service.gre6]\n"
	"vip = 2001:db8::301\n"
	"port = 80\n"
	"protocol = tcp\n"
	"mode = tunnel\n"
	"encap = gre\n"
	"backend = [2001:db8:1::11]:80\n"
	"[service.gue6]\n"
	"vip = 2001:db8::302\n"
	"port = 53\n"
	"protocol = udp\n"
	"mode = tunnel\n"
	"encap = gue\n"
	"gue_port = 7000\n"
	"backend = [2001:db8:1::12]:53\n"
	/* NAT64: IPv6 clients, an IPv4 backend */
	"[service.web64]\n"
	"vip = 2001:db8::400\n"
	"port = 80\n"
	"protocol = tcp\n"
	"mode = fullnat\n"
	"backend = 10.1.0.41:8080\n";

/* IPv6 connections per worker */
#define FLOW6_CAP 256

static struct sl_fwdfix fx;

static const uint8_t client_mac[6] = { 0x02, 0, 0, 0, 0xcc, 0x01 };

/* A fresh snapshot from @p cfg after the current one (health marks in
 * fx.ids apply). */
static void
rebuild(void)
{
	char err[256];
	int ret = sl_fwdfix_rebuild(&fx, err, sizeof(err));

	if (ret != 0)
		fprintf(stderr, "test_fwd: rebuild: %s\n", err);
	CU_ASSERT_EQUAL_FATAL(ret, 0);
}

static int
suite_init(void)
{
	char err[256];

	if (sl_fwdfix_init(&fx, ini, "test_fwd.ini", FLOW6_CAP, err, sizeof(err)) != 0) {
		fprintf(stderr, "test_fwd: %s\n", err);
		return -1;
	}
	return 0;
}

static int
suite_cleanup(void)
{
	sl_fwdfix_free(&fx);
	return 0;
}

/* A client frame to the VIP, as the outside port receives it. */
static void
client_spec(struct tp_fspec *s, uint8_t proto, uint32_t client, uint16_t cport,
	    uint16_t vport, uint8_t flags)
{
	tp_spec_default(s, proto);
	memcpy(s->dmac, &fx.hw[OUT].mac, 6);
	memcpy(s->smac, client_mac, 6);
	s->src = client;
	s->dst = 0x0a000064;          /* 10.0.0.100 */
	s->sport = cport;
	s->dport = vport;
	s->tcp_flags = flags;
	s->payload_len = proto == IPPROTO_TCP && (flags & RTE_TCP_SYN_FLAG) ? 0 : 20;
}

static struct rte_mbuf *
mbuf_of(const struct tp_fspec *s)
{
	uint8_t f[TP_MAX_FRAME];
	struct tp_flayout lo;
	uint32_t len = tp_build_frame(s, f, &lo);
	struct rte_mbuf *m = rte_pktmbuf_alloc(fx.pool);

	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	memcpy(rte_pktmbuf_append(m, (uint16_t)len), f, len);
	return m;
}

/* One packet through the path, arriving on port index @p pidx. */
static void
push(struct rte_mbuf *m, int pidx)
{
	sl_fwd_burst(fx.w, fx.snap, &m, 1, pidx, fx.now);
	sl_fwd_flush(fx.w);
}

/* The next frame port index @p pidx sent, or NULL. */
static struct rte_mbuf *
sent(int pidx)
{
	return sl_fwdfix_sent(&fx, pidx);
}

static void
drain_all(void)
{
	sl_fwdfix_drain(&fx);
}

/* Expire every connection, IPv4 and IPv6. */
static void
empty_table(void)
{
	sl_fwdfix_expire_all(&fx);
}

static const struct rte_ipv4_hdr *
ip_of(const struct rte_mbuf *m)
{
	return rte_pktmbuf_mtod_offset(m, const struct rte_ipv4_hdr *, RTE_ETHER_HDR_LEN);
}

/* Source or destination port of a frame's TCP/UDP header. */
static uint16_t
l4_port(const struct rte_mbuf *m, int dst)
{
	const uint8_t *l4 = (const uint8_t *)ip_of(m) + 20;

	return tp_get16(l4 + (dst ? 2 : 0));
}

/* IPv4 header and L4 checksums of a frame verify. */
static int
csums_ok(const struct rte_mbuf *m)
{
	const uint8_t *f = rte_pktmbuf_mtod(m, const uint8_t *);

	return tp_ref_csum(f + RTE_ETHER_HDR_LEN, 20) == 0 &&
	       tp_ref_fold(tp_ref_l4_sum(f, RTE_ETHER_HDR_LEN)) == 0xffff;
}

static void
test_udp_dnat(void)
{
	struct tp_fspec s;
	struct rte_mbuf *m;

	drain_all();
	client_spec(&s, IPPROTO_UDP, 0x64400001, 40001, 53, 0);
	push(mbuf_of(&s), OUT);
	m = sent(IN);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	CU_ASSERT_EQUAL(ntohl(ip_of(m)->dst_addr) >> 8, 0x0a0100);  /* 10.1.0.x */
	CU_ASSERT_EQUAL(l4_port(m, 1), 5353);
	CU_ASSERT(csums_ok(m));
	rte_pktmbuf_free(m);
	CU_ASSERT_PTR_NULL(sent(OUT));
}

/*
 * Frames for another host's MAC (a promiscuous port sees them) are
 * dropped as other_host, whichever of the six bytes differs; the port's
 * own MAC, broadcast and multicast go on.
 */
static void
test_other_host_mac(void)
{
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	uint64_t oh0 = fx.w->stats.drops[SL_DROP_OTHER_HOST];
	struct tp_fspec s;
	struct rte_mbuf *m;
	unsigned i;

	drain_all();
	for (i = 0; i < 6; i++) {
		client_spec(&s, IPPROTO_UDP, 0x64400002, 40002, 53, 0);
		s.dmac[i] ^= 0x02;          /* not the group bit of byte 0 */
		push(mbuf_of(&s), OUT);
		CU_ASSERT_PTR_NULL(sent(IN));
		CU_ASSERT_EQUAL(fx.w->stats.drops[SL_DROP_OTHER_HOST], oh0 + i + 1);
	}
	client_spec(&s, IPPROTO_UDP, 0x64400002, 40002, 53, 0);
	push(mbuf_of(&s), OUT);
	m = sent(IN);
	CU_ASSERT_PTR_NOT_NULL(m);
	rte_pktmbuf_free(m);
	client_spec(&s, IPPROTO_UDP, 0x64400002, 40002, 53, 0);
	memcpy(s.dmac, bcast, 6);
	push(mbuf_of(&s), OUT);
	m = sent(IN);
	CU_ASSERT_PTR_NOT_NULL(m);
	rte_pktmbuf_free(m);
	CU_ASSERT_EQUAL(fx.w->stats.drops[SL_DROP_OTHER_HOST], oh0 + 6);
	drain_all();
}

/*
 * Packets of one new connection in one burst: the first opens it, the
 * later ones find it (one connection, one backend, not one each): a UDP
 * flow's first three datagrams, and a SYN with the client's next
 * segment; another client's flow in between gets a connection of its
 * own. (The burst loop looks a key up again only when the burst opened
 * a connection its filter says may be that key's.)
 */
static void
test_new_flow_burst(void)
{
	struct rte_mbuf *pkts[6], *m;
	uint64_t created;
	uint32_t dst[6];
	struct tp_fspec s;
	unsigned i, n = 0;

	empty_table();
	drain_all();
	created = fx.w->stats.conns_created;
	for (i = 0; i < 2; i++) {
		client_spec(&s, IPPROTO_UDP, 0x64500001, 40100, 53, 0);
		pkts[n++] = mbuf_of(&s);
	}
	client_spec(&s, IPPROTO_UDP, 0x64500002, 40100, 53, 0);
	pkts[n++] = mbuf_of(&s);
	client_spec(&s, IPPROTO_UDP, 0x64500001, 40100, 53, 0);
	pkts[n++] = mbuf_of(&s);
	client_spec(&s, IPPROTO_TCP, 0x64500003, 40200, 80, RTE_TCP_SYN_FLAG);
	pkts[n++] = mbuf_of(&s);
	client_spec(&s, IPPROTO_TCP, 0x64500003, 40200, 80, RTE_TCP_ACK_FLAG);
	pkts[n++] = mbuf_of(&s);
	sl_fwd_burst(fx.w, fx.snap, pkts, n, OUT, fx.now);
	sl_fwd_flush(fx.w);
	CU_ASSERT_EQUAL(fx.w->stats.conns_created - created, 3);
	for (i = 0; i < n; i++) {
		m = sent(IN);
		CU_ASSERT_PTR_NOT_NULL_FATAL(m);
		dst[i] = ntohl(ip_of(m)->dst_addr);
		CU_ASSERT(csums_ok(m));
		rte_pktmbuf_free(m);
	}
	CU_ASSERT_EQUAL(dst[0], dst[1]);
	CU_ASSERT_EQUAL(dst[0], dst[3]);
	CU_ASSERT_NOT_EQUAL(dst[0], dst[2]);   /* rr: the next backend */
	CU_ASSERT_EQUAL(dst[4], dst[5]);
	/* nothing refused, nothing reset */
	CU_ASSERT_PTR_NULL(sent(IN));
	CU_ASSERT_PTR_NULL(sent(OUT));
	empty_table();
}

/*
 * A full table refuses a new TCP connection with a RST from the VIP (the
 * client does not wait for its timeout), counts it once, and keeps
 * forwarding the connections it has.
 */
static void
test_full_table_rst(void)
{
	uint32_t cap = fx.cfg->global.flow_capacity, i, first;
	uint64_t full0 = fx.w->stats.drops[SL_DROP_FLOW_FULL];
	const struct rte_tcp_hdr *th;
	struct tp_fspec s;
	struct rte_mbuf *m;

	drain_all();
	/* fill it: one SYN per client port */
	first = sl_flow_count(fx.w->flows);
	for (i = first; i < cap; i++) {
		client_spec(&s, IPPROTO_TCP, 0x64410000 + i / 1000, (uint16_t)(1024 + i % 1000),
			    80, RTE_TCP_SYN_FLAG);
		push(mbuf_of(&s), OUT);
		drain_all();
	}
	CU_ASSERT_EQUAL_FATAL(sl_flow_count(fx.w->flows), cap);

	client_spec(&s, IPPROTO_TCP, 0x64420001, 50000, 80, RTE_TCP_SYN_FLAG);
	s.seq = 1000;
	push(mbuf_of(&s), OUT);
	CU_ASSERT_PTR_NULL(sent(IN));
	m = sent(OUT);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	th = (const struct rte_tcp_hdr *)((const uint8_t *)ip_of(m) + 20);
	CU_ASSERT_EQUAL(th->tcp_flags, RTE_TCP_RST_FLAG | RTE_TCP_ACK_FLAG);
	CU_ASSERT_EQUAL(ntohl(th->recv_ack), 1001);
	CU_ASSERT_EQUAL(ntohl(ip_of(m)->src_addr), 0x0a000064);
	CU_ASSERT_EQUAL(ntohl(ip_of(m)->dst_addr), 0x64420001);
	CU_ASSERT_EQUAL(ntohs(th->src_port), 80);
	CU_ASSERT_EQUAL(ntohs(th->dst_port), 50000);
	CU_ASSERT(memcmp(rte_pktmbuf_mtod(m, const uint8_t *), client_mac, 6) == 0);
	CU_ASSERT(csums_ok(m));
	rte_pktmbuf_free(m);
	CU_ASSERT_EQUAL(fx.w->stats.drops[SL_DROP_FLOW_FULL], full0 + 1);

	/* an established connection still goes through */
	client_spec(&s, IPPROTO_TCP, 0x64410000 + first / 1000, (uint16_t)(1024 + first % 1000),
		    80, RTE_TCP_ACK_FLAG);
	push(mbuf_of(&s), OUT);
	m = sent(IN);
	CU_ASSERT_PTR_NOT_NULL(m);
	rte_pktmbuf_free(m);

	empty_table();
	CU_ASSERT_EQUAL(sl_flow_count(fx.w->flows), 0);
}

/*
 * A UDP flow whose backend fails its checks is scheduled anew on its
 * next packet; a TCP connection to it carries on.
 */
static void
test_udp_flow_of_down_backend(void)
{
	struct tp_fspec u, t;
	struct rte_mbuf *m;
	uint32_t first, tcp_be, i;
	const struct sl_backend *be = NULL;

	drain_all();
	client_spec(&u, IPPROTO_UDP, 0x64430001, 40100, 53, 0);
	push(mbuf_of(&u), OUT);
	m = sent(IN);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	first = ip_of(m)->dst_addr;
	rte_pktmbuf_free(m);
	/* a TCP connection to the same backend address */
	for (i = 0; i < 3; i++) {
		client_spec(&t, IPPROTO_TCP, 0x64430002, (uint16_t)(40200 + i), 80,
			    RTE_TCP_SYN_FLAG);
		push(mbuf_of(&t), OUT);
		m = sent(IN);
		CU_ASSERT_PTR_NOT_NULL_FATAL(m);
		tcp_be = ip_of(m)->dst_addr;
		rte_pktmbuf_free(m);
		if (tcp_be == first)
			break;
	}
	CU_ASSERT_EQUAL_FATAL(tcp_be, first);

	/* the UDP backend fails its checks */
	for (i = 0; i < SL_MAX_BACKENDS; i++) {
		be = fx.snap->by_slot[i];
		if (be != NULL && be->addr == first && be->port == htons(5353))
			break;
	}
	CU_ASSERT_PTR_NOT_NULL_FATAL(be);
	sl_svc_ids_set_down(fx.ids, be->slot, 1);
	rebuild();

	push(mbuf_of(&u), OUT);
	m = sent(IN);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	CU_ASSERT_NOT_EQUAL(ip_of(m)->dst_addr, first);
	rte_pktmbuf_free(m);
	/* and stays on its new backend */
	push(mbuf_of(&u), OUT);
	m = sent(IN);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	CU_ASSERT_NOT_EQUAL(ip_of(m)->dst_addr, first);
	rte_pktmbuf_free(m);

	/* the TCP connection to the failed backend's address carries on */
	t.tcp_flags = RTE_TCP_ACK_FLAG;
	t.payload_len = 10;
	push(mbuf_of(&t), OUT);
	m = sent(IN);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	CU_ASSERT_EQUAL(ip_of(m)->dst_addr, first);
	rte_pktmbuf_free(m);

	sl_svc_ids_set_down(fx.ids, be->slot, 0);
	rebuild();
	empty_table();
}

/* A frame split over two mbufs: joined, forwarded, checksums right. */
static void
test_chained_mbuf(void)
{
	uint64_t ms0 = fx.w->stats.drops[SL_DROP_MULTI_SEG];
	struct rte_mbuf *a, *b, *m;
	struct tp_fspec s;
	uint16_t cut = 30;

	drain_all();
	client_spec(&s, IPPROTO_UDP, 0x64440001, 40300, 53, 0);
	s.payload_len = 200;
	a = mbuf_of(&s);
	b = rte_pktmbuf_alloc(fx.pool);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	/* move all but the first 30 bytes into a second segment */
	memcpy(rte_pktmbuf_append(b, (uint16_t)(a->data_len - cut)),
	       rte_pktmbuf_mtod_offset(a, uint8_t *, cut), a->data_len - cut);
	rte_pktmbuf_trim(a, (uint16_t)(a->data_len - cut));
	CU_ASSERT_EQUAL_FATAL(rte_pktmbuf_chain(a, b), 0);
	CU_ASSERT_EQUAL(a->nb_segs, 2);
	push(a, OUT);
	m = sent(IN);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	CU_ASSERT_EQUAL(m->nb_segs, 1);
	CU_ASSERT_EQUAL(l4_port(m, 1), 5353);
	CU_ASSERT(csums_ok(m));
	rte_pktmbuf_free(m);
	CU_ASSERT_EQUAL(fx.w->stats.drops[SL_DROP_MULTI_SEG], ms0);
}

/* A chain that cannot be joined (longer than one buffer) is dropped and
 * counted, never parsed from its first segment alone. */
static void
test_chained_too_long(void)
{
	uint64_t ms0 = fx.w->stats.drops[SL_DROP_MULTI_SEG];
	struct rte_mbuf *a, *b;
	struct tp_fspec s;

	drain_all();
	client_spec(&s, IPPROTO_UDP, 0x64450001, 40400, 53, 0);
	s.payload_len = 1400;
	a = mbuf_of(&s);
	b = rte_pktmbuf_alloc(fx.pool);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	/* a jumbo datagram: its IP packet goes on in a second full
	 * segment, together more than one buffer holds */
	CU_ASSERT_PTR_NOT_NULL_FATAL(rte_pktmbuf_append(b, 1400));
	CU_ASSERT_EQUAL_FATAL(rte_pktmbuf_chain(a, b), 0);
	tp_put16(rte_pktmbuf_mtod_offset(a, uint8_t *, RTE_ETHER_HDR_LEN + 2),
		 (uint16_t)(a->pkt_len - RTE_ETHER_HDR_LEN));
	tp_fix_ip_csum(rte_pktmbuf_mtod(a, uint8_t *), RTE_ETHER_HDR_LEN);
	push(a, OUT);
	CU_ASSERT_PTR_NULL(sent(IN));
	CU_ASSERT_PTR_NULL(sent(OUT));
	CU_ASSERT_EQUAL(fx.w->stats.drops[SL_DROP_MULTI_SEG], ms0 + 1);
	CU_ASSERT_EQUAL(rte_mempool_in_use_count(fx.pool), 0);
}

/*
 * The NIC's checksum verdicts: a bad IP or L4 checksum the NIC reports
 * is dropped by reason, a good IP checksum is taken on its word, and
 * "not checked" (both bits) or none at all leaves it to the parser.
 */
static void
test_nic_csum_verdicts(void)
{
	static const struct {
		uint64_t ol;
		int corrupt_ip;      /* break the IP header checksum first */
		enum sl_drop want;   /* SL_DROP_NONE: forwarded */
	} cases[] = {
		{ 0, 0, SL_DROP_NONE },
		{ RTE_MBUF_F_RX_IP_CKSUM_BAD, 0, SL_DROP_BAD_IP_CSUM },
		{ RTE_MBUF_F_RX_L4_CKSUM_BAD, 0, SL_DROP_BAD_L4_CSUM },
		{ RTE_MBUF_F_RX_IP_CKSUM_GOOD | RTE_MBUF_F_RX_L4_CKSUM_GOOD, 0, SL_DROP_NONE },
		/* good on the NIC's word: the header sum is not checked again */
		{ RTE_MBUF_F_RX_IP_CKSUM_GOOD, 1, SL_DROP_NONE },
		{ 0, 1, SL_DROP_BAD_IP_CSUM },
		{ RTE_MBUF_F_RX_IP_CKSUM_NONE | RTE_MBUF_F_RX_L4_CKSUM_NONE, 1, SL_DROP_BAD_IP_CSUM },
		{ RTE_MBUF_F_RX_IP_CKSUM_NONE | RTE_MBUF_F_RX_L4_CKSUM_NONE, 0, SL_DROP_NONE },
	};
	unsigned i;

	for (i = 0; i < RTE_DIM(cases); i++) {
		uint64_t before = cases[i].want != SL_DROP_NONE ?
			fx.w->stats.drops[cases[i].want] : 0;
		struct rte_mbuf *m, *out;
		struct tp_fspec s;

		drain_all();
		client_spec(&s, IPPROTO_UDP, 0x64460001, (uint16_t)(40500 + i), 53, 0);
		m = mbuf_of(&s);
		m->ol_flags = cases[i].ol;
		if (cases[i].corrupt_ip)
			rte_pktmbuf_mtod_offset(m, uint8_t *, RTE_ETHER_HDR_LEN + 10)[0] ^= 0x5a;
		push(m, OUT);
		out = sent(IN);
		if (cases[i].want == SL_DROP_NONE) {
			CU_ASSERT_PTR_NOT_NULL(out);
		} else {
			CU_ASSERT_PTR_NULL(out);
			CU_ASSERT_EQUAL(fx.w->stats.drops[cases[i].want], before + 1);
		}
		if (out != NULL)
			rte_pktmbuf_free(out);
	}
	empty_table();
}

/*
 * VLANs. A port's VLAN id is set up with the worker (changing it needs a
 * restart), so each case starts a worker with the ids it wants.
 */
static void
set_vlans(uint16_t out, uint16_t in)
{
	struct sl_fwd_params p = {
		.id = 0, .lcore = rte_lcore_id(), .socket_id = (int)rte_socket_id(),
		.flow_capacity = fx.cfg->global.flow_capacity,
		.flow6_capacity = FLOW6_CAP,
		.timeouts = fx.cfg->global.timeouts,
	};

	drain_all();
	sl_fwd_worker_free(fx.w);
	fx.env.vlan[OUT] = out;
	fx.env.vlan[IN] = in;
	fx.w = sl_fwd_worker_create(&fx.env, &p);
	CU_ASSERT_PTR_NOT_NULL_FATAL(fx.w);
}

/* The MAC resolve_all() gave next hop @p ip (host order). */
static void
hop_mac(uint32_t ip, uint8_t mac[6])
{
	uint32_t i;

	for (i = 0; i < fx.env.neigh->count; i++)
		if (fx.env.neigh->meta[i].ip == htonl(ip))
			break;
	CU_ASSERT_FATAL(i < fx.env.neigh->count);
	memcpy(mac, (uint8_t[6]){ 0x02, 0, 0, 0, 0x01, (uint8_t)i }, 6);
}

/* @p m is, byte for byte, the frame @p s describes. */
static int
frame_is(const struct rte_mbuf *m, const struct tp_fspec *s)
{
	uint8_t f[TP_MAX_FRAME];
	struct tp_flayout lo;
	uint32_t len = tp_build_frame(s, f, &lo);

	if (m->pkt_len != len || m->nb_segs != 1) {
		printf("\n  frame of %u bytes, expected %u\n", m->pkt_len, len);
		return 0;
	}
	return memcmp(rte_pktmbuf_mtod(m, const uint8_t *), f, len) == 0;
}

/*
 * A client frame tagged with the outside port's VLAN id is DNAT'd and
 * leaves the inside port with the inside port's tag (or none when that
 * port has none), the reply the other way: whole frames, byte for byte.
 */
static void
test_vlan_dnat(void)
{
	uint16_t in_vids[] = { 200, 0 };
	struct tp_fspec s, want, rep;
	struct rte_mbuf *m;
	unsigned v;

	for (v = 0; v < RTE_DIM(in_vids); v++) {
		uint16_t bport;
		uint32_t bip;

		set_vlans(100, in_vids[v]);
		client_spec(&s, IPPROTO_UDP, 0x64460001, (uint16_t)(40500 + v), 53, 0);
		s.vlan = 1;
		s.tci = 0x2000 | 100;     /* priority 1: the id is what counts */
		push(mbuf_of(&s), OUT);
		CU_ASSERT_PTR_NULL(sent(OUT));
		m = sent(IN);
		CU_ASSERT_PTR_NOT_NULL_FATAL(m);
		/* read where it went from the output, then compare all of it */
		bip = ntohl(rte_pktmbuf_mtod_offset(m, const struct rte_ipv4_hdr *,
						    in_vids[v] ? 18 : 14)->dst_addr);
		bport = tp_get16(rte_pktmbuf_mtod_offset(m, const uint8_t *,
							 (in_vids[v] ? 18 : 14) + 22));
		CU_ASSERT_EQUAL(bip >> 8, 0x0a0100);
		CU_ASSERT_EQUAL(bport, 5353);
		want = s;
		want.vlan = in_vids[v] != 0;
		want.tci = in_vids[v];
		hop_mac(bip, want.dmac);
		memcpy(want.smac, &fx.hw[IN].mac, 6);
		want.dst = bip;
		want.dport = bport;
		want.ttl = (uint8_t)(s.ttl - 1);
		CU_ASSERT(frame_is(m, &want));
		rte_pktmbuf_free(m);

		/* the backend's reply, tagged as its port wants */
		rep = want;
		memcpy(rep.dmac, &fx.hw[IN].mac, 6);
		memcpy(rep.smac, want.dmac, 6);
		rep.src = bip;
		rep.dst = s.src;
		rep.sport = bport;
		rep.dport = s.sport;
		rep.ttl = 64;
		push(mbuf_of(&rep), IN);
		CU_ASSERT_PTR_NULL(sent(IN));
		m = sent(OUT);
		CU_ASSERT_PTR_NOT_NULL_FATAL(m);
		want = rep;
		want.vlan = 1;
		want.tci = 100;
		memcpy(want.dmac, client_mac, 6);
		memcpy(want.smac, &fx.hw[OUT].mac, 6);
		want.src = 0x0a000064;
		want.sport = 53;
		want.ttl = 63;
		CU_ASSERT(frame_is(m, &want));
		rte_pktmbuf_free(m);
	}
	CU_ASSERT_EQUAL(fx.w->stats.drops[SL_DROP_VLAN_INSERT], 0);
	set_vlans(0, 0);
}

/*
 * A tag the NIC stripped (RTE_MBUF_F_RX_VLAN_STRIPPED, the id in
 * m->vlan_tci) counts as the frame's tag.
 */
static void
test_vlan_stripped_by_nic(void)
{
	uint64_t mis0;
	struct tp_fspec s;
	struct rte_mbuf *m;

	set_vlans(100, 0);
	mis0 = fx.w->stats.drops[SL_DROP_VLAN_MISMATCH];
	client_spec(&s, IPPROTO_UDP, 0x64470001, 40600, 53, 0);
	m = mbuf_of(&s);
	m->ol_flags |= RTE_MBUF_F_RX_VLAN | RTE_MBUF_F_RX_VLAN_STRIPPED;
	m->vlan_tci = 100;
	push(m, OUT);
	m = sent(IN);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	CU_ASSERT_EQUAL(tp_get16(rte_pktmbuf_mtod_offset(m, const uint8_t *, 12)), 0x0800);
	CU_ASSERT(csums_ok(m));
	rte_pktmbuf_free(m);

	m = mbuf_of(&s);
	m->ol_flags |= RTE_MBUF_F_RX_VLAN | RTE_MBUF_F_RX_VLAN_STRIPPED;
	m->vlan_tci = 101;
	push(m, OUT);
	CU_ASSERT_PTR_NULL(sent(IN));
	CU_ASSERT_EQUAL(fx.w->stats.drops[SL_DROP_VLAN_MISMATCH], mis0 + 1);
	set_vlans(0, 0);
}

/*
 * Frames on the wrong VLAN are dropped and counted by reason, nothing
 * leaks: another id, no tag on a VLAN port, a tag on a plain port, a
 * second tag under the right one, a tag cut short.
 */
static void
test_vlan_drops(void)
{
	uint64_t d0[SL_DROP_MAX];
	struct tp_fspec s;
	struct rte_mbuf *m;
	uint8_t *p;

	set_vlans(100, 0);
	memcpy(d0, fx.w->stats.drops, sizeof(d0));
	client_spec(&s, IPPROTO_UDP, 0x64480001, 40700, 53, 0);
	s.vlan = 1;
	s.tci = 101;
	push(mbuf_of(&s), OUT);
	s.vlan = 0;
	push(mbuf_of(&s), OUT);
	/* a backend frame tagged on the plain inside port */
	client_spec(&s, IPPROTO_UDP, 0x0a01000b, 5353, 40700, 0);
	memcpy(s.dmac, &fx.hw[IN].mac, 6);
	s.dst = 0x64480001;
	s.vlan = 1;
	s.tci = 100;
	push(mbuf_of(&s), IN);
	/* two tags: the outer one right, the inner one refused */
	client_spec(&s, IPPROTO_UDP, 0x64480002, 40701, 53, 0);
	s.vlan = 1;
	s.tci = 55;
	m = mbuf_of(&s);
	p = (uint8_t *)rte_pktmbuf_prepend(m, 4);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	memmove(p, p + 4, 12);
	tp_put16(p + 12, 0x8100);
	tp_put16(p + 14, 100);
	push(m, OUT);
	/* a tag and nothing after it */
	m = mbuf_of(&s);
	rte_pktmbuf_trim(m, (uint16_t)(m->pkt_len - 16));
	push(m, OUT);

	CU_ASSERT_PTR_NULL(sent(IN));
	CU_ASSERT_PTR_NULL(sent(OUT));
	CU_ASSERT_EQUAL(fx.w->stats.drops[SL_DROP_VLAN_MISMATCH], d0[SL_DROP_VLAN_MISMATCH] + 1);
	CU_ASSERT_EQUAL(fx.w->stats.drops[SL_DROP_VLAN_UNTAGGED], d0[SL_DROP_VLAN_UNTAGGED] + 1);
	CU_ASSERT_EQUAL(fx.w->stats.drops[SL_DROP_VLAN_TAGGED], d0[SL_DROP_VLAN_TAGGED] + 2);
	CU_ASSERT_EQUAL(fx.w->stats.drops[SL_DROP_SHORT_FRAME], d0[SL_DROP_SHORT_FRAME] + 1);
	CU_ASSERT_EQUAL(fx.w->stats.tx_pkts, 0);
	CU_ASSERT_EQUAL(sl_flow_count(fx.w->flows), 0);
	CU_ASSERT_EQUAL(rte_mempool_in_use_count(fx.pool), 0);
	set_vlans(0, 0);
}

/*
 * What Sluice answers itself goes out tagged: a RST refusing a
 * connection to a service with no usable backend, an echo reply from
 * the VIP. ARP goes to the management lcore without its tag.
 */
static void
test_vlan_own_frames(void)
{
	const struct rte_tcp_hdr *th;
	struct tp_fspec s;
	struct rte_mbuf *m;
	void *obj = NULL;
	unsigned i;

	set_vlans(100, 0);
	for (i = 0; i < SL_MAX_BACKENDS; i++) {
		const struct sl_backend *be = fx.snap->by_slot[i];

		if (be != NULL && be->port == htons(8080))
			sl_svc_ids_set_down(fx.ids, be->slot, 1);
	}
	rebuild();
	client_spec(&s, IPPROTO_TCP, 0x64490001, 40800, 80, RTE_TCP_SYN_FLAG);
	s.vlan = 1;
	s.tci = 100;
	s.seq = 5000;
	push(mbuf_of(&s), OUT);
	CU_ASSERT_PTR_NULL(sent(IN));
	m = sent(OUT);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	CU_ASSERT(memcmp(rte_pktmbuf_mtod(m, const uint8_t *), client_mac, 6) == 0);
	CU_ASSERT(memcmp(rte_pktmbuf_mtod_offset(m, const uint8_t *, 6), &fx.hw[OUT].mac, 6) == 0);
	CU_ASSERT_EQUAL(tp_get16(rte_pktmbuf_mtod_offset(m, const uint8_t *, 12)), 0x8100);
	CU_ASSERT_EQUAL(tp_get16(rte_pktmbuf_mtod_offset(m, const uint8_t *, 14)), 100);
	CU_ASSERT_EQUAL(tp_get16(rte_pktmbuf_mtod_offset(m, const uint8_t *, 16)), 0x0800);
	th = rte_pktmbuf_mtod_offset(m, const struct rte_tcp_hdr *, 18 + 20);
	CU_ASSERT_EQUAL(th->tcp_flags, RTE_TCP_RST_FLAG | RTE_TCP_ACK_FLAG);
	CU_ASSERT_EQUAL(ntohl(th->recv_ack), 5001);
	CU_ASSERT_EQUAL(tp_ref_csum(rte_pktmbuf_mtod_offset(m, const uint8_t *, 18), 20), 0);
	CU_ASSERT_EQUAL(tp_ref_fold(tp_ref_l4_sum(rte_pktmbuf_mtod(m, const uint8_t *), 18)),
			0xffff);
	rte_pktmbuf_free(m);
	for (i = 0; i < SL_MAX_BACKENDS; i++)
		sl_svc_ids_set_down(fx.ids, (uint16_t)i, 0);
	rebuild();

	/* ping the VIP */
	tp_spec_default(&s, IPPROTO_ICMP);
	memcpy(s.dmac, &fx.hw[OUT].mac, 6);
	memcpy(s.smac, client_mac, 6);
	s.src = 0x64490002;
	s.dst = 0x0a000064;
	s.vlan = 1;
	s.tci = 100;
	push(mbuf_of(&s), OUT);
	m = sent(OUT);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	CU_ASSERT_EQUAL(tp_get16(rte_pktmbuf_mtod_offset(m, const uint8_t *, 12)), 0x8100);
	CU_ASSERT_EQUAL(tp_get16(rte_pktmbuf_mtod_offset(m, const uint8_t *, 14)), 100);
	CU_ASSERT_EQUAL(*rte_pktmbuf_mtod_offset(m, const uint8_t *, 18 + 20), 0);  /* echo reply */
	CU_ASSERT_EQUAL(ntohl(rte_pktmbuf_mtod_offset(m, const struct rte_ipv4_hdr *, 18)->dst_addr),
			0x64490002);
	rte_pktmbuf_free(m);

	/* ARP for the VIP: to the management lcore, untagged */
	m = rte_pktmbuf_alloc(fx.pool);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	{
		uint8_t *f = (uint8_t *)rte_pktmbuf_append(m, 64);
		uint8_t arp[60];

		sl_arp_build(arp, RTE_ARP_OP_REQUEST, &(struct rte_ether_addr){
				{ 0xff, 0xff, 0xff, 0xff, 0xff, 0xff } },
			     (const struct rte_ether_addr *)client_mac, htonl(0x64490002),
			     &(struct rte_ether_addr){ { 0 } }, htonl(0x0a000064));
		memcpy(f, arp, 12);
		tp_put16(f + 12, 0x8100);
		tp_put16(f + 14, 100);
		memcpy(f + 16, arp + 12, 48);
		push(m, OUT);
		CU_ASSERT_EQUAL_FATAL(rte_ring_dequeue(fx.w->to_mgmt, &obj), 0);
		m = obj;
		CU_ASSERT_EQUAL(m->hash.usr, SL_MGMT_SLOWPATH);
		CU_ASSERT_EQUAL(m->pkt_len, 60);
		CU_ASSERT(memcmp(rte_pktmbuf_mtod(m, const uint8_t *), arp, 60) == 0);
		rte_pktmbuf_free(m);
	}
	set_vlans(0, 0);
}

/* Push an ARP frame (@p op) from the client, @p spa asking for / telling
 * @p tpa (host order), in on OUT; 1 if it went to the management lcore. */
static int
push_arp(uint16_t op, uint32_t spa, uint32_t tpa)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(fx.pool);
	void *obj;

	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	sl_arp_build((uint8_t *)rte_pktmbuf_append(m, 60), op,
		     &(struct rte_ether_addr){ { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff } },
		     (const struct rte_ether_addr *)client_mac, htonl(spa),
		     &(struct rte_ether_addr){ { 0 } }, htonl(tpa));
	push(m, OUT);
	if (rte_ring_dequeue(fx.w->to_mgmt, &obj) != 0)
		return 0;
	CU_ASSERT_EQUAL(((struct rte_mbuf *)obj)->hash.usr, SL_MGMT_SLOWPATH);
	rte_pktmbuf_free(obj);
	return 1;
}

/*
 * The slow path's protection: an ARP request for an address that is not
 * Sluice's is dropped by the worker (a gratuitous one is not); with a
 * budget of 4 at once and one per 1000 ticks, 10 requests at one instant
 * pass 4 and drop 6 (slowpath_limited), while a reply, another class,
 * still passes; 1000 ticks later one more request passes. The same for
 * packets to Sluice's own address, where a backend's packets have a
 * budget apart from everyone else's.
 */
static void
test_slowpath_limits(void)
{
	uint64_t other0 = fx.w->stats.drops[SL_DROP_NEIGH_OTHER];
	uint64_t lim0 = fx.w->stats.drops[SL_DROP_SLOWPATH_LIMIT];
	unsigned i, passed = 0;

	CU_ASSERT_EQUAL(push_arp(RTE_ARP_OP_REQUEST, 0x0a000002, 0x0a000077), 0);
	CU_ASSERT_EQUAL(fx.w->stats.drops[SL_DROP_NEIGH_OTHER], other0 + 1);
	CU_ASSERT_EQUAL(push_arp(RTE_ARP_OP_REQUEST, 0x0a000002, 0x0a000002), 1);
	CU_ASSERT_EQUAL(push_arp(RTE_ARP_OP_REQUEST, 0x0a000002, 0x0a000001), 1);   /* own */
	CU_ASSERT_EQUAL(push_arp(RTE_ARP_OP_REQUEST, 0x0a000002, 0x0a000064), 1);   /* VIP */
	CU_ASSERT_EQUAL(fx.w->stats.drops[SL_DROP_NEIGH_OTHER], other0 + 1);

	fx.w->sp_cost = 1000;
	fx.w->sp_window = 3000;
	memset(fx.w->sp_tat, 0, sizeof(fx.w->sp_tat));
	for (i = 0; i < 10; i++)
		passed += (unsigned)push_arp(RTE_ARP_OP_REQUEST, 0x0a000002, 0x0a000001);
	CU_ASSERT_EQUAL(passed, 4);
	CU_ASSERT_EQUAL(fx.w->stats.drops[SL_DROP_SLOWPATH_LIMIT], lim0 + 6);
	CU_ASSERT_EQUAL(push_arp(RTE_ARP_OP_REPLY, 0x0a000002, 0x0a000001), 1);
	fx.now += 1000;
	CU_ASSERT_EQUAL(push_arp(RTE_ARP_OP_REQUEST, 0x0a000002, 0x0a000001), 1);
	CU_ASSERT_EQUAL(push_arp(RTE_ARP_OP_REQUEST, 0x0a000002, 0x0a000001), 0);
	CU_ASSERT_EQUAL(fx.w->stats.drops[SL_DROP_SLOWPATH_LIMIT], lim0 + 7);

	/* the exception path: 10 SYNs from a client to Sluice's own address
	 * pass 4; a backend's (a peer's) still passes, on the same port */
	fx.snap->ports[OUT].kernel = 1;
	passed = 0;
	for (i = 0; i < 11; i++) {
		struct tp_fspec s;
		void *obj;

		client_spec(&s, IPPROTO_TCP, i < 10 ? 0x64470001 : 0x0a01000b,
			    (uint16_t)(30000 + i), 22, RTE_TCP_SYN_FLAG);
		s.dst = 0x0a000001;
		push(mbuf_of(&s), OUT);
		if (rte_ring_dequeue(fx.w->to_mgmt, &obj) == 0) {
			CU_ASSERT_EQUAL(((struct rte_mbuf *)obj)->hash.usr, SL_MGMT_KERNEL | OUT);
			rte_pktmbuf_free(obj);
			passed += i < 10 ? 1 : 100;
		}
	}
	CU_ASSERT_EQUAL(passed, 104);
	CU_ASSERT_EQUAL(fx.w->stats.drops[SL_DROP_SLOWPATH_LIMIT], lim0 + 13);
	fx.snap->ports[OUT].kernel = 0;
	fx.w->sp_cost = 0;
	fx.w->sp_window = 0;
	CU_ASSERT_EQUAL(rte_mempool_in_use_count(fx.pool), 0);
}

/*
 * Frames the management lcore builds (ARP, GARP, the kernel's, held
 * packets) go out through sl_fwd_send() untagged and leave a VLAN port
 * with its tag; on a plain port as they are.
 */
static void
test_vlan_send(void)
{
	uint8_t arp[60];
	struct rte_mbuf *m;
	uint16_t vids[] = { 100, 0 };
	unsigned v;

	sl_arp_build(arp, RTE_ARP_OP_REPLY, (const struct rte_ether_addr *)client_mac,
		     &fx.hw[OUT].mac, htonl(0x0a000064),
		     (const struct rte_ether_addr *)client_mac, htonl(0x64490002));
	for (v = 0; v < RTE_DIM(vids); v++) {
		set_vlans(vids[v], 0);
		m = rte_pktmbuf_alloc(fx.pool);
		CU_ASSERT_PTR_NOT_NULL_FATAL(m);
		memcpy(rte_pktmbuf_append(m, 60), arp, 60);
		m->port = fx.hw[OUT].port_id;
		sl_fwd_send(fx.w, &m, 1);
		sl_fwd_flush(fx.w);
		CU_ASSERT_PTR_NULL(sent(IN));
		m = sent(OUT);
		CU_ASSERT_PTR_NOT_NULL_FATAL(m);
		if (vids[v] != 0) {
			const uint8_t *f = rte_pktmbuf_mtod(m, const uint8_t *);

			CU_ASSERT_EQUAL(m->pkt_len, 64);
			CU_ASSERT(memcmp(f, arp, 12) == 0);
			CU_ASSERT_EQUAL(tp_get16(f + 12), 0x8100);
			CU_ASSERT_EQUAL(tp_get16(f + 14), vids[v]);
			CU_ASSERT(memcmp(f + 16, arp + 12, 48) == 0);
		} else {
			CU_ASSERT_EQUAL(m->pkt_len, 60);
			CU_ASSERT(memcmp(rte_pktmbuf_mtod(m, const uint8_t *), arp, 60) == 0);
		}
		rte_pktmbuf_free(m);
	}
	set_vlans(0, 0);
}

/* Services web and dns in fullnat mode (the inside port's local
 * addresses are 10.1.0.5 and 10.1.0.6), local ports @p lo..hi; or back
 * to nat. */
static void
set_fullnat(int on, uint16_t lo, uint16_t hi)
{
	unsigned i;

	for (i = 0; i < fx.cfg->n_services; i++)
		if (!SL_MODE_ONEWAY(fx.cfg->services[i].mode) && !fx.cfg->services[i].v6)
			fx.cfg->services[i].mode = on ? SL_MODE_FULLNAT : SL_MODE_NAT;
	CU_ASSERT_EQUAL(fx.cfg->ports[IN].n_local, 2);
	CU_ASSERT_EQUAL(fx.cfg->ports[IN].local_addrs[0], 0x0a010005);
	CU_ASSERT_EQUAL(fx.cfg->ports[IN].local_addrs[1], 0x0a010006);
	fx.env.lport_lo = lo;
	fx.env.lport_hi = hi;
	rebuild();
}

/*
 * FullNAT: a client's SYN leaves for the backend from a local address
 * and a local port of the worker's range; the backend's answer to that
 * address and port goes back to the client from the VIP; every checksum
 * verifies. A UDP service likewise.
 */
static void
test_fullnat_both_ways(void)
{
	const struct rte_ipv4_hdr *ip;
	struct tp_fspec s, r;
	struct rte_mbuf *m;
	uint32_t lip, bip;
	uint16_t lport, bport;
	int i;

	empty_table();
	drain_all();
	set_fullnat(1, 40000, 40999);
	for (i = 0; i < 2; i++) {
		uint8_t proto = i == 0 ? IPPROTO_TCP : IPPROTO_UDP;

		client_spec(&s, proto, 0x64470001, 41000, i == 0 ? 80 : 53,
			    RTE_TCP_SYN_FLAG);
		push(mbuf_of(&s), OUT);
		m = sent(IN);
		CU_ASSERT_PTR_NOT_NULL_FATAL(m);
		ip = ip_of(m);
		lip = ntohl(ip->src_addr);
		bip = ntohl(ip->dst_addr);
		lport = l4_port(m, 0);
		bport = l4_port(m, 1);
		CU_ASSERT(lip == 0x0a010005 || lip == 0x0a010006);
		CU_ASSERT_EQUAL(bip >> 8, 0x0a0100);
		CU_ASSERT(lport >= 40000 && lport <= 40999);
		CU_ASSERT_EQUAL(bport, i == 0 ? 8080 : 5353);
		CU_ASSERT(csums_ok(m));
		rte_pktmbuf_free(m);

		/* the backend answers the local address */
		tp_spec_default(&r, proto);
		memcpy(r.dmac, &fx.hw[IN].mac, 6);
		r.src = bip;
		r.dst = lip;
		r.sport = bport;
		r.dport = lport;
		r.tcp_flags = RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG;
		r.payload_len = proto == IPPROTO_TCP ? 0 : 12;
		push(mbuf_of(&r), IN);
		m = sent(OUT);
		CU_ASSERT_PTR_NOT_NULL_FATAL(m);
		ip = ip_of(m);
		CU_ASSERT_EQUAL(ntohl(ip->src_addr), 0x0a000064);
		CU_ASSERT_EQUAL(ntohl(ip->dst_addr), 0x64470001);
		CU_ASSERT_EQUAL(l4_port(m, 0), i == 0 ? 80 : 53);
		CU_ASSERT_EQUAL(l4_port(m, 1), 41000);
		CU_ASSERT(memcmp(rte_pktmbuf_mtod(m, const uint8_t *), client_mac, 6) == 0);
		CU_ASSERT(csums_ok(m));
		rte_pktmbuf_free(m);
	}
	/* a packet to a local port no connection holds is no reply */
	r.dport = (uint16_t)(lport + 1);
	push(mbuf_of(&r), IN);
	CU_ASSERT_PTR_NULL(sent(OUT));
	/* the worker's gauge: two local ports held, none once they expire */
	CU_ASSERT_EQUAL(fx.w->stats.local_ports, 2);
	empty_table();
	CU_ASSERT_EQUAL(fx.w->stats.local_ports, 0);
	set_fullnat(0, 1024, 65535);
}

/*
 * FullNAT local ports run out: with two ports per (local address,
 * backend), three backends take six connections of one client; the
 * seventh is refused with a RST from the VIP and counted; once the
 * connections leave the table their ports serve again.
 */
static void
test_fullnat_ports_exhausted(void)
{
	uint64_t full0 = fx.w->stats.drops[SL_DROP_LOCAL_PORTS_FULL];
	const struct rte_tcp_hdr *th;
	struct tp_fspec s;
	struct rte_mbuf *m;
	unsigned i;

	empty_table();
	drain_all();
	set_fullnat(1, 40000, 40001);
	for (i = 0; i < 6; i++) {
		client_spec(&s, IPPROTO_TCP, 0x64480001, (uint16_t)(42000 + i), 80,
			    RTE_TCP_SYN_FLAG);
		push(mbuf_of(&s), OUT);
		m = sent(IN);
		CU_ASSERT_PTR_NOT_NULL(m);
		if (m != NULL)
			rte_pktmbuf_free(m);
	}
	client_spec(&s, IPPROTO_TCP, 0x64480001, 42010, 80, RTE_TCP_SYN_FLAG);
	s.seq = 7;
	push(mbuf_of(&s), OUT);
	CU_ASSERT_PTR_NULL(sent(IN));
	m = sent(OUT);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	th = (const struct rte_tcp_hdr *)((const uint8_t *)ip_of(m) + 20);
	CU_ASSERT_EQUAL(th->tcp_flags, RTE_TCP_RST_FLAG | RTE_TCP_ACK_FLAG);
	CU_ASSERT_EQUAL(ntohl(th->recv_ack), 8);
	CU_ASSERT_EQUAL(ntohl(ip_of(m)->src_addr), 0x0a000064);
	rte_pktmbuf_free(m);
	CU_ASSERT_EQUAL(fx.w->stats.drops[SL_DROP_LOCAL_PORTS_FULL], full0 + 1);

	empty_table();
	push(mbuf_of(&s), OUT);
	m = sent(IN);
	CU_ASSERT_PTR_NOT_NULL(m);
	if (m != NULL)
		rte_pktmbuf_free(m);
	empty_table();
	set_fullnat(0, 1024, 65535);
}

/* TCP header of a frame (no IP options). */
static const struct rte_tcp_hdr *
tcp_of(const struct rte_mbuf *m)
{
	return (const struct rte_tcp_hdr *)((const uint8_t *)ip_of(m) + 20);
}

/* A backend segment to the client 100.73.0.1:41000 of service web. */
static void
backend_seg(struct tp_fspec *r, uint32_t bip, uint32_t seq, uint32_t ack, uint8_t flags)
{
	tp_spec_default(r, IPPROTO_TCP);
	memcpy(r->dmac, &fx.hw[IN].mac, 6);
	r->src = bip;
	r->dst = 0x64490001;
	r->sport = 8080;
	r->dport = 41000;
	r->seq = seq;
	r->ack = ack;
	r->tcp_flags = flags;
	r->payload_len = 0;
}

/*
 * Proxy Protocol v2: the client's handshake ACK sends the header first
 * (at the client's ISN+1, the client's own header copied, the PROXY
 * header as payload), then the client's sequence numbers move by its 28
 * bytes and the backend's acknowledgements and SACK edges move back; a
 * header not acknowledged in time is sent again, built from the record.
 */
static void
test_proxy_protocol_v2(void)
{
	static const uint8_t want_hdr[28] = {
		0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a,
		0x21, 0x11, 0x00, 0x0c, 100, 73, 0, 1, 10, 0, 0, 100, 0xa0, 0x28, 0x00, 0x50,
	};
	uint64_t hdrs0 = fx.w->stats.pp_headers, re0 = fx.w->stats.pp_retrans;
	struct tp_fspec s, r;
	struct rte_mbuf *m, *h;
	uint32_t bip;

	empty_table();
	drain_all();
	fx.cfg->services[1].proxy_protocol = 2;     /* web */
	rebuild();
	client_spec(&s, IPPROTO_TCP, 0x64490001, 41000, 80, RTE_TCP_SYN_FLAG);
	s.seq = 1000;
	push(mbuf_of(&s), OUT);
	m = sent(IN);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	CU_ASSERT_EQUAL(ntohl(tcp_of(m)->sent_seq), 1000);
	bip = ntohl(ip_of(m)->dst_addr);
	rte_pktmbuf_free(m);

	backend_seg(&r, bip, 5000, 1001, RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG);
	push(mbuf_of(&r), IN);
	m = sent(OUT);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	CU_ASSERT_EQUAL(ntohl(tcp_of(m)->recv_ack), 1001);
	rte_pktmbuf_free(m);

	/* the handshake's last ACK: header, then the ACK moved by 28 */
	client_spec(&s, IPPROTO_TCP, 0x64490001, 41000, 80, RTE_TCP_ACK_FLAG);
	s.seq = 1001;
	s.ack = 5001;
	s.payload_len = 0;
	push(mbuf_of(&s), OUT);
	h = sent(IN);
	m = sent(IN);
	CU_ASSERT_PTR_NOT_NULL_FATAL(h);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	CU_ASSERT_EQUAL(ntohl(tcp_of(h)->sent_seq), 1001);
	CU_ASSERT_EQUAL(ntohl(tcp_of(h)->recv_ack), 5001);
	CU_ASSERT_EQUAL(tcp_of(h)->tcp_flags, RTE_TCP_ACK_FLAG | RTE_TCP_PSH_FLAG);
	CU_ASSERT_EQUAL(ntohs(ip_of(h)->total_length), 20 + 20 + 28);
	CU_ASSERT(memcmp((const uint8_t *)tcp_of(h) + 20, want_hdr, 28) == 0);
	CU_ASSERT(csums_ok(h));
	CU_ASSERT_EQUAL(ntohl(tcp_of(m)->sent_seq), 1029);
	CU_ASSERT(csums_ok(m));
	rte_pktmbuf_free(h);
	rte_pktmbuf_free(m);
	CU_ASSERT_EQUAL(fx.w->stats.pp_headers, hdrs0 + 1);

	/* client data: moved */
	s.payload_len = 20;
	push(mbuf_of(&s), OUT);
	m = sent(IN);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	CU_ASSERT_EQUAL(ntohl(tcp_of(m)->sent_seq), 1029);
	CU_ASSERT(csums_ok(m));
	rte_pktmbuf_free(m);

	/* not acknowledged for a second: sent again from the record */
	sl_fwd_timers(fx.w, fx.snap, fx.now + fx.env.hz);
	sl_fwd_flush(fx.w);
	h = sent(IN);
	CU_ASSERT_PTR_NOT_NULL_FATAL(h);
	CU_ASSERT_EQUAL(ntohl(tcp_of(h)->sent_seq), 1001);
	CU_ASSERT_EQUAL(ntohl(tcp_of(h)->recv_ack), 5001);
	CU_ASSERT(memcmp((const uint8_t *)tcp_of(h) + 20, want_hdr, 28) == 0);
	CU_ASSERT(csums_ok(h));
	rte_pktmbuf_free(h);
	CU_ASSERT_EQUAL(fx.w->stats.pp_retrans, re0 + 1);

	/* a duplicate ACK of ISN+1: the backend waits for the header */
	backend_seg(&r, bip, 5001, 1001, RTE_TCP_ACK_FLAG);
	push(mbuf_of(&r), IN);
	h = sent(IN);
	CU_ASSERT_PTR_NOT_NULL_FATAL(h);
	CU_ASSERT_EQUAL(ntohl(tcp_of(h)->sent_seq), 1001);
	CU_ASSERT(memcmp((const uint8_t *)tcp_of(h) + 20, want_hdr, 28) == 0);
	rte_pktmbuf_free(h);
	m = sent(OUT);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	CU_ASSERT_EQUAL(ntohl(tcp_of(m)->recv_ack), 1001);
	rte_pktmbuf_free(m);
	CU_ASSERT_EQUAL(fx.w->stats.pp_retrans, re0 + 2);

	/* the backend acknowledges the header only: the client sees ISN+1 */
	backend_seg(&r, bip, 5001, 1029, RTE_TCP_ACK_FLAG);
	push(mbuf_of(&r), IN);
	m = sent(OUT);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	CU_ASSERT_EQUAL(ntohl(tcp_of(m)->recv_ack), 1001);
	CU_ASSERT(csums_ok(m));
	rte_pktmbuf_free(m);
	/* ... then the data, with a SACK block past it */
	backend_seg(&r, bip, 5001, 1049, RTE_TCP_ACK_FLAG);
	r.tcp_opt_len = 12;
	r.tcp_opt[0] = 1;
	r.tcp_opt[1] = 1;
	r.tcp_opt[2] = 5;
	r.tcp_opt[3] = 10;
	tp_put32(r.tcp_opt + 4, 1059);
	tp_put32(r.tcp_opt + 8, 1069);
	push(mbuf_of(&r), IN);
	m = sent(OUT);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	CU_ASSERT_EQUAL(ntohl(tcp_of(m)->recv_ack), 1021);
	CU_ASSERT_EQUAL(tp_get32((const uint8_t *)tcp_of(m) + 24), 1031);
	CU_ASSERT_EQUAL(tp_get32((const uint8_t *)tcp_of(m) + 28), 1041);
	CU_ASSERT(csums_ok(m));
	rte_pktmbuf_free(m);
	/* acknowledged: no more retransmissions */
	sl_fwd_timers(fx.w, fx.snap, fx.now + 10 * fx.env.hz);
	sl_fwd_flush(fx.w);
	CU_ASSERT_PTR_NULL(sent(IN));
	CU_ASSERT_EQUAL(fx.w->n_pp_timers, 0);

	fx.cfg->services[1].proxy_protocol = 0;
	rebuild();
	empty_table();
}

/* Proxy Protocol v1: the text header, and the shift is its length. */
static void
test_proxy_protocol_v1(void)
{
	static const char want[] = "PROXY TCP4 100.73.0.2 10.0.0.100 41001 80\r\n";
	struct tp_fspec s, r;
	struct rte_mbuf *m, *h;
	uint32_t bip;
	size_t n = strlen(want);

	empty_table();
	drain_all();
	fx.cfg->services[1].proxy_protocol = 1;
	rebuild();
	client_spec(&s, IPPROTO_TCP, 0x64490002, 41001, 80, RTE_TCP_SYN_FLAG);
	s.seq = 7000;
	push(mbuf_of(&s), OUT);
	m = sent(IN);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	bip = ntohl(ip_of(m)->dst_addr);
	rte_pktmbuf_free(m);
	backend_seg(&r, bip, 9000, 7001, RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG);
	r.dst = 0x64490002;
	r.dport = 41001;
	push(mbuf_of(&r), IN);
	rte_pktmbuf_free(sent(OUT));
	client_spec(&s, IPPROTO_TCP, 0x64490002, 41001, 80, RTE_TCP_ACK_FLAG);
	s.seq = 7001;
	s.ack = 9001;
	s.payload_len = 5;
	push(mbuf_of(&s), OUT);
	h = sent(IN);
	m = sent(IN);
	CU_ASSERT_PTR_NOT_NULL_FATAL(h);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	CU_ASSERT_EQUAL(ntohs(ip_of(h)->total_length), 40 + n);
	CU_ASSERT(memcmp((const uint8_t *)tcp_of(h) + 20, want, n) == 0);
	CU_ASSERT(csums_ok(h));
	CU_ASSERT_EQUAL(ntohl(tcp_of(m)->sent_seq), 7001 + n);
	CU_ASSERT(csums_ok(m));
	rte_pktmbuf_free(h);
	rte_pktmbuf_free(m);
	fx.cfg->services[1].proxy_protocol = 0;
	rebuild();
	empty_table();
	fx.w->n_pp_timers = 0;
}

/* ---- modes dr and tunnel ------------------------------------------ */

#define DR_VIP   0x0a000065u   /* 10.0.0.101: dr, maglev */
#define DRRR_VIP 0x0a000066u   /* 10.0.0.102: dr, rr */
#define IPIP_VIP 0x0a000067u   /* 10.0.0.103: tunnel ipip, maglev */
#define GRE_VIP  0x0a000068u   /* 10.0.0.104: tunnel gre, maglev */
#define GUE_VIP  0x0a000069u   /* 10.0.0.105: tunnel gue, maglev */

/* A new worker with the inside port's MTU @p mtu (0: the default): a
 * port's MTU is read once, when its worker is set up. Its table and
 * counters start empty, as after a restart. */
static void
set_mtu(uint16_t mtu)
{
	struct sl_fwd_params p = {
		.id = 0, .lcore = rte_lcore_id(), .socket_id = (int)rte_socket_id(),
		.flow_capacity = fx.cfg->global.flow_capacity,
		.flow6_capacity = FLOW6_CAP,
		.timeouts = fx.cfg->global.timeouts,
	};

	drain_all();
	sl_fwd_worker_free(fx.w);
	fx.env.mtu[IN] = mtu;
	fx.w = sl_fwd_worker_create(&fx.env, &p);
	CU_ASSERT_PTR_NOT_NULL_FATAL(fx.w);
}

static const struct sl_service *
svc_named(const char *name)
{
	unsigned i;

	for (i = 0; i < fx.snap->n_services; i++)
		if (fx.snap->services[i].used && strcmp(fx.snap->services[i].name, name) == 0)
			return &fx.snap->services[i];
	CU_FAIL_FATAL("no such service");
	return NULL;
}

/* The backend of service @p svc at address @p bip (host order). */
static const struct sl_backend *
be_at(const struct sl_service *svc, uint32_t bip)
{
	unsigned i;

	for (i = 0; i < svc->n_backends; i++)
		if (svc->backends[i].addr == htonl(bip))
			return &svc->backends[i];
	return NULL;
}

/*
 * A connection's frames are counted in its service's and its backend's
 * packets and bytes (whole frames, as they arrived), the client's in the
 * _in pair, the backend's in the _out pair.
 */
static void
test_counts_both_ways(void)
{
	const struct sl_service *svc = svc_named("dns");
	struct sl_obj_stats s0, b0[SL_SCHED_MAX_BACKENDS];
	const struct sl_obj_stats *ss = &fx.w->svc_stats[svc->id];
	const struct sl_backend *be;
	struct tp_fspec s, r;
	struct rte_mbuf *m;
	uint32_t qlen, alen;
	unsigned i;

	drain_all();
	s0 = *ss;
	for (i = 0; i < svc->n_backends; i++)
		b0[i] = fx.w->be_stats[svc->backends[i].slot];
	client_spec(&s, IPPROTO_UDP, 0x64400031, 40031, 53, 0);
	s.payload_len = 33;
	m = mbuf_of(&s);
	qlen = m->pkt_len;
	push(m, OUT);
	m = sent(IN);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	be = be_at(svc, ntohl(ip_of(m)->dst_addr));
	rte_pktmbuf_free(m);
	CU_ASSERT_PTR_NOT_NULL_FATAL(be);

	tp_spec_default(&r, IPPROTO_UDP);
	memcpy(r.dmac, &fx.hw[IN].mac, 6);
	r.src = ntohl(be->addr);
	r.dst = 0x64400031;
	r.sport = 5353;
	r.dport = 40031;
	r.payload_len = 101;
	m = mbuf_of(&r);
	alen = m->pkt_len;
	push(m, IN);
	m = sent(OUT);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	rte_pktmbuf_free(m);

	CU_ASSERT_EQUAL(ss->pkts_in, s0.pkts_in + 1);
	CU_ASSERT_EQUAL(ss->bytes_in, s0.bytes_in + qlen);
	CU_ASSERT_EQUAL(ss->pkts_out, s0.pkts_out + 1);
	CU_ASSERT_EQUAL(ss->bytes_out, s0.bytes_out + alen);
	for (i = 0; i < svc->n_backends; i++) {
		const struct sl_obj_stats *o = &fx.w->be_stats[svc->backends[i].slot];
		int it = &svc->backends[i] == be;

		CU_ASSERT_EQUAL(o->pkts_in, b0[i].pkts_in + it);
		CU_ASSERT_EQUAL(o->bytes_in, b0[i].bytes_in + (it ? qlen : 0));
		CU_ASSERT_EQUAL(o->pkts_out, b0[i].pkts_out + it);
		CU_ASSERT_EQUAL(o->bytes_out, b0[i].bytes_out + (it ? alen : 0));
	}
	CU_ASSERT(qlen != alen);
	empty_table();
}

/* A client segment to the VIP @p vip, port 80. */
static void
vip_spec(struct tp_fspec *s, uint32_t vip, uint32_t client, uint16_t cport, uint8_t flags)
{
	client_spec(s, IPPROTO_TCP, client, cport, 80, flags);
	s->dst = vip;
	s->seq = 1000;
	s->ack = 2000;
}

/* The worker's connection of client @p s (its key), or NULL. */
static struct sl_conn *
conn_of_w(struct sl_worker *w, const struct tp_fspec *s)
{
	struct sl_flow_key k = {
		.src = htonl(s->src), .dst = htonl(s->dst), .sport = htons(s->sport),
		.dport = htons(s->dport), .proto = s->proto,
	};
	int dir;
	struct sl_conn *c = sl_flow_lookup(w->flows, &k, &dir);

	return c != NULL && dir == SL_DIR_ORIG ? c : NULL;
}

static struct sl_conn *
conn_of(const struct tp_fspec *s)
{
	return conn_of_w(fx.w, s);
}

/* Whether a lookup of the reply key of @p s (backend @p bip -> client)
 * finds anything. */
static int
reply_key_found(const struct tp_fspec *s, uint32_t bip)
{
	struct sl_flow_key k = {
		.src = htonl(bip), .dst = htonl(s->src), .sport = htons(s->dport),
		.dport = htons(s->sport), .proto = s->proto,
	};
	int dir;

	return sl_flow_lookup(fx.w->flows, &k, &dir) != NULL;
}

/* @p m is the frame of @p s (an IPv4 packet from the client, or an ICMP
 * error) sent to backend @p bip of dr service @p svc: the IP packet byte
 * for byte, to the backend's MAC from the inside port's. */
static int
dr_frame_is(const struct rte_mbuf *m, const struct tp_fspec *s, uint32_t bip)
{
	struct tp_fspec want = *s;

	hop_mac(bip, want.dmac);
	memcpy(want.smac, &fx.hw[IN].mac, 6);
	return frame_is(m, &want);
}

/*
 * @p m is the frame of @p s encapsulated by tunnel service @p svc to its
 * backend @p bip, written out here: Ethernet to the backend's MAC from
 * the inside port's; outer IPv4 with the inner DS field and DF, id 0,
 * TTL 64, the local address of the inside port by the backend's slot as
 * source, a valid checksum; GRE 00 00 08 00, or UDP from a port in
 * 49152..65535 (returned in @p gue_sport) to 6080 with checksum 0 and
 * GUE 00 04 00 00; then the packet byte for byte.
 */
static int
tun_frame_is(const struct rte_mbuf *m, const struct tp_fspec *s,
	     const struct sl_service *svc, uint32_t bip, uint16_t *gue_sport)
{
	static const uint8_t add[] = {
		[SL_ENCAP_IPIP] = 20, [SL_ENCAP_GRE] = 24, [SL_ENCAP_GUE] = 32,
	};
	static const uint8_t proto[] = {
		[SL_ENCAP_IPIP] = 4, [SL_ENCAP_GRE] = 47, [SL_ENCAP_GUE] = 17,
	};
	const struct sl_backend *be = be_at(svc, bip);
	uint8_t in[TP_MAX_FRAME], w[TP_MAX_FRAME + 64], *o = w + 14;
	const uint8_t *f = rte_pktmbuf_mtod(m, const uint8_t *);
	struct tp_flayout lo;
	uint32_t len = tp_build_frame(s, in, &lo);
	unsigned n = add[svc->encap];
	uint16_t sport = 0;

	if (be == NULL || m->nb_segs != 1 || m->pkt_len != len + n) {
		printf("\n  backend %08x of %s, frame of %u bytes, expected %u\n", bip,
		       svc->name, m->pkt_len, len + n);
		return 0;
	}
	hop_mac(bip, w);
	memcpy(w + 6, &fx.hw[IN].mac, 6);
	tp_put16(w + 12, 0x0800);
	o[0] = 0x45;
	o[1] = s->tos;
	tp_put16(o + 2, (uint16_t)(lo.ip_len + n));
	tp_put16(o + 4, 0);
	tp_put16(o + 6, s->frag & 0x4000);
	o[8] = 64;
	o[9] = proto[svc->encap];
	tp_put16(o + 10, 0);
	tp_put32(o + 12, fx.cfg->ports[IN].local_addrs[be->slot % fx.cfg->ports[IN].n_local]);
	tp_put32(o + 16, bip);
	tp_put16(o + 10, tp_ref_csum(o, 20));
	if (svc->encap == SL_ENCAP_GRE) {
		tp_put32(o + 20, 0x00000800);
	} else if (svc->encap == SL_ENCAP_GUE) {
		sport = tp_get16(f + 14 + 20);
		if (sport < 0xc000)
			printf("\n  GUE source port %u below 49152\n", sport);
		tp_put16(o + 20, sport < 0xc000 ? 0 : sport);
		tp_put16(o + 22, 6080);
		tp_put16(o + 24, (uint16_t)(lo.ip_len + 12));
		tp_put16(o + 26, 0);
		tp_put32(o + 28, 0x00040000);
	}
	memcpy(w + 14 + n, in + 14, len - 14);
	if (gue_sport != NULL)
		*gue_sport = sport;
	return memcmp(f, w, len + n) == 0;
}

/* Backend address (host order) of client @p s's connection, 0 if none. */
static uint32_t
conn_bip(const struct tp_fspec *s)
{
	const struct sl_conn *c = conn_of(s);

	return c != NULL ? ntohl(c->bip) : 0;
}

/*
 * dr: the client's packets reach the backend with nothing changed but
 * the Ethernet addresses (TTL, addresses, ports, checksums as sent);
 * the connection has the client's key only and follows the client's
 * flags; the backend's own answers do not pass Sluice, and one that
 * comes anyway matches nothing. After its FIN the client's SYN from the
 * same port is a new connection.
 */
static void
test_dr_mac_only(void)
{
	const struct sl_service *svc;
	uint64_t nf0, created0;
	struct tp_fspec s, r;
	struct rte_mbuf *m;
	struct sl_conn *c;
	uint32_t bip;

	empty_table();
	drain_all();
	svc = svc_named("dr");
	vip_spec(&s, DR_VIP, 0x64500001, 45000, RTE_TCP_SYN_FLAG);
	s.tos = 0xb9;
	push(mbuf_of(&s), OUT);
	CU_ASSERT_PTR_NULL(sent(OUT));
	m = sent(IN);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	c = conn_of(&s);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	bip = ntohl(c->bip);
	CU_ASSERT_PTR_NOT_NULL(be_at(svc, bip));
	CU_ASSERT_EQUAL(ntohs(c->bport), 80);
	CU_ASSERT_EQUAL(c->lip, 0);
	CU_ASSERT_EQUAL(c->mode, SL_MODE_DR);
	CU_ASSERT_EQUAL(c->state, SL_CS_SYN_SENT);
	CU_ASSERT(!reply_key_found(&s, bip));
	CU_ASSERT(dr_frame_is(m, &s, bip));
	rte_pktmbuf_free(m);

	/* the handshake's ACK and data: same backend, established */
	vip_spec(&s, DR_VIP, 0x64500001, 45000, RTE_TCP_ACK_FLAG);
	s.tos = 0xb9;
	s.frag = 0;
	push(mbuf_of(&s), OUT);
	m = sent(IN);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	CU_ASSERT(dr_frame_is(m, &s, bip));
	rte_pktmbuf_free(m);
	CU_ASSERT_EQUAL(conn_of(&s)->state, SL_CS_ESTABLISHED);

	/* the backend's answer from the VIP, handed to Sluice: no key */
	nf0 = fx.w->stats.drops[SL_DROP_NO_FLOW];
	tp_spec_default(&r, IPPROTO_TCP);
	memcpy(r.dmac, &fx.hw[IN].mac, 6);
	r.src = bip;
	r.dst = s.src;
	r.sport = 80;
	r.dport = s.sport;
	r.tcp_flags = RTE_TCP_ACK_FLAG;
	push(mbuf_of(&r), IN);
	CU_ASSERT_PTR_NULL(sent(OUT));
	CU_ASSERT_PTR_NULL(sent(IN));
	CU_ASSERT_EQUAL(fx.w->stats.drops[SL_DROP_NO_FLOW], nf0 + 1);

	/* the client's FIN, then a SYN from the same port */
	vip_spec(&s, DR_VIP, 0x64500001, 45000, RTE_TCP_FIN_FLAG | RTE_TCP_ACK_FLAG);
	push(mbuf_of(&s), OUT);
	m = sent(IN);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	CU_ASSERT(dr_frame_is(m, &s, bip));
	rte_pktmbuf_free(m);
	CU_ASSERT_EQUAL(conn_of(&s)->state, SL_CS_FIN_WAIT);
	created0 = fx.w->stats.conns_created;
	vip_spec(&s, DR_VIP, 0x64500001, 45000, RTE_TCP_SYN_FLAG);
	push(mbuf_of(&s), OUT);
	m = sent(IN);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	CU_ASSERT_EQUAL(fx.w->stats.conns_created, created0 + 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(conn_of(&s));
	CU_ASSERT_EQUAL(conn_of(&s)->state, SL_CS_SYN_SENT);
	CU_ASSERT(dr_frame_is(m, &s, conn_bip(&s)));
	rte_pktmbuf_free(m);
	CU_ASSERT_EQUAL(sl_flow_count(fx.w->flows), 1);
	empty_table();
}

/*
 * tunnel: each encapsulation's outer headers exact, the client's packet
 * inside unchanged; DF and the DS field follow each inner packet; GUE's
 * source port is one per flow, and flows spread over several.
 */
static void
test_tunnel_encaps(void)
{
	static const char *const names[] = { "ipip", "gre", "gue" };
	static const uint32_t vips[] = { IPIP_VIP, GRE_VIP, GUE_VIP };
	unsigned v, i;

	empty_table();
	drain_all();
	for (v = 0; v < RTE_DIM(names); v++) {
		const struct sl_service *svc = svc_named(names[v]);
		uint16_t sp0 = 0, sp1 = 0, first = 0;
		unsigned other_sport = 0, bes = 0;
		struct tp_fspec s;
		struct rte_mbuf *m;
		uint32_t bip, seen[3] = { 0 };

		CU_ASSERT_EQUAL(svc->mode, SL_MODE_TUNNEL);
		for (i = 0; i < 16; i++) {
			vip_spec(&s, vips[v], 0x64510001, (uint16_t)(46000 + i), RTE_TCP_SYN_FLAG);
			s.tos = (uint8_t)(0x28 + i);      /* DS field and ECN */
			push(mbuf_of(&s), OUT);
			CU_ASSERT_PTR_NULL(sent(OUT));
			m = sent(IN);
			CU_ASSERT_PTR_NOT_NULL_FATAL(m);
			bip = conn_bip(&s);
			CU_ASSERT_FATAL(bip != 0);
			CU_ASSERT(tun_frame_is(m, &s, svc, bip, &sp0));
			rte_pktmbuf_free(m);
			CU_ASSERT(!reply_key_found(&s, bip));

			/* the same flow's data, without DF: the same backend,
			 * the same GUE source port */
			vip_spec(&s, vips[v], 0x64510001, (uint16_t)(46000 + i), RTE_TCP_ACK_FLAG);
			s.frag = 0;
			s.tos = 0;
			s.payload_len = (uint16_t)(100 + i);
			push(mbuf_of(&s), OUT);
			m = sent(IN);
			CU_ASSERT_PTR_NOT_NULL_FATAL(m);
			CU_ASSERT(tun_frame_is(m, &s, svc, bip, &sp1));
			rte_pktmbuf_free(m);
			CU_ASSERT_EQUAL(sp0, sp1);
			if (i == 0)
				first = sp0;
			else if (sp0 != first)
				other_sport++;
			if (bip != seen[0] && bip != seen[1] && bip != seen[2] && bes < 3)
				seen[bes++] = bip;
		}
		if (svc->encap == SL_ENCAP_GUE)
			CU_ASSERT(other_sport > 0);
		/* backends of both local addresses' slots were exercised */
		CU_ASSERT(bes >= 2);
	}
	empty_table();
}

/*
 * The egress MTU: a packet that fits, once encapsulated, goes; one byte
 * more with DF set gets "fragmentation needed" back out of the port it
 * came in on, from that port's address, with the MTU it may use, and is
 * dropped; without DF it is only dropped. The default MTU is 1500.
 */
static void
test_oneway_frag_needed(void)
{
	static const struct {
		const char *svc;
		uint32_t vip;
		uint16_t mtu;        /* of the inside port, 0: default */
		uint16_t add;        /* what the mode adds */
	} cases[] = {
		{ "dr", DR_VIP, 1000, 0 },
		{ "ipip", IPIP_VIP, 1000, 20 },
		{ "gre", GRE_VIP, 1000, 24 },
		{ "gue", GUE_VIP, 1000, 32 },
		{ "ipip", IPIP_VIP, 0, 20 },
		{ "gue", GUE_VIP, 0, 32 },
	};
	unsigned i;

	for (i = 0; i < RTE_DIM(cases); i++) {
		uint16_t mtu = cases[i].mtu != 0 ? cases[i].mtu : 1500;
		uint16_t fit = (uint16_t)(mtu - cases[i].add);
		uint64_t tb0, fn0;
		struct tp_fspec s, e;
		struct rte_mbuf *m;
		uint32_t bip;
		int df;

		set_mtu(cases[i].mtu);
		vip_spec(&s, cases[i].vip, 0x64520001, (uint16_t)(47000 + i), RTE_TCP_SYN_FLAG);
		push(mbuf_of(&s), OUT);
		m = sent(IN);
		CU_ASSERT_PTR_NOT_NULL_FATAL(m);
		rte_pktmbuf_free(m);
		bip = conn_bip(&s);

		/* exactly the MTU once encapsulated */
		vip_spec(&s, cases[i].vip, 0x64520001, (uint16_t)(47000 + i), RTE_TCP_ACK_FLAG);
		s.payload_len = (uint16_t)(fit - 40);
		push(mbuf_of(&s), OUT);
		m = sent(IN);
		CU_ASSERT_PTR_NOT_NULL_FATAL(m);
		CU_ASSERT_EQUAL(m->pkt_len, 14u + mtu);
		CU_ASSERT_EQUAL(tp_get16(rte_pktmbuf_mtod_offset(m, const uint8_t *, 16)), mtu);
		CU_ASSERT(cases[i].add == 0 ? dr_frame_is(m, &s, bip) :
			  tun_frame_is(m, &s, svc_named(cases[i].svc), bip, NULL));
		rte_pktmbuf_free(m);
		CU_ASSERT_PTR_NULL(sent(OUT));

		/* one byte more */
		for (df = 1; df >= 0; df--) {
			tb0 = fx.w->stats.drops[SL_DROP_TOO_BIG];
			fn0 = fx.w->stats.frag_needed;
			s.payload_len = (uint16_t)(fit - 40 + 1);
			s.frag = df ? 0x4000 : 0;
			push(mbuf_of(&s), OUT);
			CU_ASSERT_PTR_NULL(sent(IN));
			CU_ASSERT_EQUAL(fx.w->stats.drops[SL_DROP_TOO_BIG], tb0 + 1);
			CU_ASSERT_EQUAL(fx.w->stats.frag_needed, fn0 + (unsigned)df);
			m = sent(OUT);
			if (!df) {
				CU_ASSERT_PTR_NULL(m);
				continue;
			}
			CU_ASSERT_PTR_NOT_NULL_FATAL(m);
			tp_spec_icmp_err(&e, 3, 4, fit, &s, 20 + 8);
			memcpy(e.dmac, client_mac, 6);
			memcpy(e.smac, &fx.hw[OUT].mac, 6);
			e.src = 0x0a000001;       /* the outside port's address */
			e.dst = s.src;
			e.tos = 0;
			e.ip_id = 0;
			e.frag = 0;
			e.ttl = 64;
			CU_ASSERT(frame_is(m, &e));
			/* IP header and ICMP message sums */
			CU_ASSERT_EQUAL(tp_ref_csum(rte_pktmbuf_mtod_offset(m, const uint8_t *, 14),
						    20), 0);
			CU_ASSERT_EQUAL(tp_ref_csum(rte_pktmbuf_mtod_offset(m, const uint8_t *, 34),
						    m->pkt_len - 34), 0);
			rte_pktmbuf_free(m);
		}
		CU_ASSERT_PTR_NULL(sent(OUT));
		CU_ASSERT_EQUAL(rte_mempool_in_use_count(fx.pool), 0);
	}
	set_mtu(0);
}

/*
 * A full table and a dr service with maglev: a new connection's packets
 * go by hash, without a record, to the backend its SYN would have had
 * with room in the table (counted as stateless, not refused), while a
 * nat service's SYN is still refused.
 */
static void
test_full_table_stateless(void)
{
	enum { N = 16 };
	uint32_t cap = fx.cfg->global.flow_capacity, i, bip[N];
	uint64_t full0, sl0;
	struct tp_fspec s;
	struct rte_mbuf *m;

	drain_all();
	empty_table();
	set_mtu(0);
	for (i = 0; i < N; i++) {
		vip_spec(&s, DR_VIP, 0x64440001, (uint16_t)(47000 + i), RTE_TCP_SYN_FLAG);
		push(mbuf_of(&s), OUT);
		bip[i] = conn_bip(&s);
		CU_ASSERT_FATAL(bip[i] != 0);
	}
	empty_table();
	for (i = 0; sl_flow_count(fx.w->flows) < cap && i < 2 * cap; i++) {
		vip_spec(&s, DR_VIP, 0x64450000 + i / 1000, (uint16_t)(1024 + i % 1000),
			 RTE_TCP_SYN_FLAG);
		push(mbuf_of(&s), OUT);
		drain_all();
	}
	CU_ASSERT_EQUAL_FATAL(sl_flow_count(fx.w->flows), cap);
	full0 = fx.w->stats.drops[SL_DROP_FLOW_FULL];
	sl0 = fx.w->stats.stateless;
	for (i = 0; i < N; i++) {
		unsigned k;

		for (k = 0; k < 2; k++) {
			vip_spec(&s, DR_VIP, 0x64440001, (uint16_t)(47000 + i),
				 k == 0 ? RTE_TCP_SYN_FLAG : RTE_TCP_ACK_FLAG);
			push(mbuf_of(&s), OUT);
			m = sent(IN);
			CU_ASSERT_PTR_NOT_NULL_FATAL(m);
			CU_ASSERT(dr_frame_is(m, &s, bip[i]));
			rte_pktmbuf_free(m);
			CU_ASSERT_PTR_NULL(conn_of(&s));
		}
	}
	CU_ASSERT_EQUAL(fx.w->stats.stateless, sl0 + 2 * N);
	CU_ASSERT_EQUAL(fx.w->stats.drops[SL_DROP_FLOW_FULL], full0);
	CU_ASSERT_EQUAL(sl_flow_count(fx.w->flows), cap);

	/* the nat service cannot do without its record: refused (RST) */
	client_spec(&s, IPPROTO_TCP, 0x64460001, 50000, 80, RTE_TCP_SYN_FLAG);
	push(mbuf_of(&s), OUT);
	CU_ASSERT_PTR_NULL(sent(IN));
	rte_pktmbuf_free(sent(OUT));
	CU_ASSERT_EQUAL(fx.w->stats.drops[SL_DROP_FLOW_FULL], full0 + 1);
	CU_ASSERT_EQUAL(fx.w->stats.stateless, sl0 + 2 * N);
	empty_table();
	set_mtu(0);
}

/*
 * A TCP segment in the middle of a connection Sluice has no record of
 * (a restart) in a dr or tunnel service with maglev: it goes to the
 * backend the connection's SYN went to, and the connection is kept from
 * there on, established. A RST goes there too but makes no record.
 */
static void
test_midstream_maglev(void)
{
	enum { N = 24 };
	static const char *const names[] = { "dr", "gue" };
	static const uint32_t vips[] = { DR_VIP, GUE_VIP };
	unsigned v, i;

	for (v = 0; v < RTE_DIM(names); v++) {
		const struct sl_service *svc = svc_named(names[v]);
		uint32_t bip[N], distinct = 0;
		struct tp_fspec s;
		struct rte_mbuf *m;
		struct sl_conn *c;

		/* where each connection's SYN goes */
		set_mtu(0);
		for (i = 0; i < N; i++) {
			vip_spec(&s, vips[v], 0x64530001, (uint16_t)(48000 + i), RTE_TCP_SYN_FLAG);
			push(mbuf_of(&s), OUT);
			bip[i] = conn_bip(&s);
			CU_ASSERT_FATAL(bip[i] != 0);
			if (i > 0 && bip[i] != bip[0])
				distinct++;
		}
		/* more than one backend, or the comparison says little */
		CU_ASSERT_FATAL(distinct > 0);

		/* a new worker (a restart): the connections' next segments
		 * (some without ACK: established all the same) */
		set_mtu(0);
		for (i = 0; i < N; i++) {
			vip_spec(&s, vips[v], 0x64530001, (uint16_t)(48000 + i),
				 i % 3 ? RTE_TCP_ACK_FLAG | RTE_TCP_PSH_FLAG : RTE_TCP_PSH_FLAG);
			push(mbuf_of(&s), OUT);
			m = sent(IN);
			CU_ASSERT_PTR_NOT_NULL_FATAL(m);
			c = conn_of(&s);
			CU_ASSERT_PTR_NOT_NULL_FATAL(c);
			CU_ASSERT_EQUAL(ntohl(c->bip), bip[i]);
			CU_ASSERT_EQUAL(c->state, SL_CS_ESTABLISHED);
			CU_ASSERT_EQUAL(c->lip, 0);
			CU_ASSERT(svc->mode == SL_MODE_DR ? dr_frame_is(m, &s, bip[i]) :
				  tun_frame_is(m, &s, svc, bip[i], NULL));
			rte_pktmbuf_free(m);
		}
		CU_ASSERT_EQUAL(fx.w->stats.conns_midstream, N);
		CU_ASSERT_EQUAL(fx.w->stats.conns_created, N);
		CU_ASSERT_EQUAL(sl_flow_count(fx.w->flows), N);
		/* they are connections now: the next segment is no midstream */
		vip_spec(&s, vips[v], 0x64530001, 48000, RTE_TCP_ACK_FLAG);
		push(mbuf_of(&s), OUT);
		rte_pktmbuf_free(sent(IN));
		CU_ASSERT_EQUAL(fx.w->stats.conns_midstream, N);

		/* a RST with no connection: to the SYN's backend, no record */
		set_mtu(0);
		for (i = 0; i < N; i++) {
			vip_spec(&s, vips[v], 0x64530001, (uint16_t)(48000 + i),
				 RTE_TCP_RST_FLAG | (i % 2 ? RTE_TCP_ACK_FLAG : 0));
			push(mbuf_of(&s), OUT);
			m = sent(IN);
			CU_ASSERT_PTR_NOT_NULL_FATAL(m);
			CU_ASSERT(svc->mode == SL_MODE_DR ? dr_frame_is(m, &s, bip[i]) :
				  tun_frame_is(m, &s, svc, bip[i], NULL));
			rte_pktmbuf_free(m);
		}
		CU_ASSERT_EQUAL(sl_flow_count(fx.w->flows), 0);
		CU_ASSERT_EQUAL(fx.w->stats.conns_midstream, 0);
		CU_ASSERT_EQUAL(fx.w->stats.conns_created, 0);

		/* a SYN+ACK from the client side starts nothing */
		vip_spec(&s, vips[v], 0x64530001, 48000, RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG);
		push(mbuf_of(&s), OUT);
		CU_ASSERT_PTR_NULL(sent(IN));
		CU_ASSERT_EQUAL(fx.w->stats.drops[SL_DROP_NO_FLOW], 1);
		CU_ASSERT_EQUAL(sl_flow_count(fx.w->flows), 0);
	}
	set_mtu(0);
}

/* With rr (a dr service), or in a NAT service even with maglev, a
 * segment or a RST with no connection is dropped, nothing created. */
static void
test_midstream_dropped(void)
{
	struct tp_fspec s;
	uint64_t nf0;
	unsigned i, web = UINT_MAX;
	char sched[sizeof(fx.cfg->services[0].scheduler)];

	set_mtu(0);
	CU_ASSERT(!svc_named("drrr")->stateless);
	CU_ASSERT(svc_named("dr")->stateless);
	nf0 = fx.w->stats.drops[SL_DROP_NO_FLOW];
	vip_spec(&s, DRRR_VIP, 0x64540001, 49000, RTE_TCP_ACK_FLAG);
	push(mbuf_of(&s), OUT);
	vip_spec(&s, DRRR_VIP, 0x64540001, 49001, RTE_TCP_RST_FLAG);
	push(mbuf_of(&s), OUT);
	CU_ASSERT_PTR_NULL(sent(IN));
	CU_ASSERT_PTR_NULL(sent(OUT));
	CU_ASSERT_EQUAL(fx.w->stats.drops[SL_DROP_NO_FLOW], nf0 + 2);
	CU_ASSERT_EQUAL(fx.w->svc_stats[svc_named("drrr")->id].drops, 2);
	CU_ASSERT_EQUAL(sl_flow_count(fx.w->flows), 0);
	CU_ASSERT_EQUAL(fx.w->stats.conns_midstream, 0);
	/* its SYN is taken */
	vip_spec(&s, DRRR_VIP, 0x64540001, 49000, RTE_TCP_SYN_FLAG);
	push(mbuf_of(&s), OUT);
	rte_pktmbuf_free(sent(IN));
	CU_ASSERT_EQUAL(sl_flow_count(fx.w->flows), 1);
	empty_table();

	for (i = 0; i < fx.cfg->n_services; i++)
		if (strcmp(fx.cfg->services[i].name, "web") == 0)
			web = i;
	CU_ASSERT_FATAL(web != UINT_MAX);
	memcpy(sched, fx.cfg->services[web].scheduler, sizeof(sched));
	snprintf(fx.cfg->services[web].scheduler, sizeof(sched), "maglev");
	rebuild();
	CU_ASSERT(!svc_named("web")->stateless);
	nf0 = fx.w->stats.drops[SL_DROP_NO_FLOW];
	vip_spec(&s, 0x0a000064, 0x64540001, 49002, RTE_TCP_ACK_FLAG);
	push(mbuf_of(&s), OUT);
	CU_ASSERT_PTR_NULL(sent(IN));
	CU_ASSERT_EQUAL(fx.w->stats.drops[SL_DROP_NO_FLOW], nf0 + 1);
	CU_ASSERT_EQUAL(sl_flow_count(fx.w->flows), 0);
	memcpy(fx.cfg->services[web].scheduler, sched, sizeof(sched));
	rebuild();
}

/* An ICMP error from a router on the client's side to VIP @p vip, about
 * the backend's segment VIP:80 -> client:@p cport. */
static void
err_to_vip_spec(struct tp_fspec *e, uint32_t vip, uint32_t client, uint16_t cport)
{
	struct tp_fspec in;

	tp_spec_default(&in, IPPROTO_TCP);
	in.src = vip;
	in.dst = client;
	in.sport = 80;
	in.dport = cport;
	in.tcp_flags = RTE_TCP_ACK_FLAG;
	in.payload_len = 1400;
	tp_spec_icmp_err(e, 3, 4, 1300, &in, 20 + 20 + 64);
	memcpy(e->dmac, &fx.hw[OUT].mac, 6);
	memcpy(e->smac, client_mac, 6);
	e->src = 0x64aa0001;     /* the router */
	e->dst = vip;
	e->ttl = 60;
}

/*
 * An ICMP error to the VIP of a dr or tunnel service, quoting the
 * backend's segment to a client, goes unchanged (encapsulated for a
 * tunnel) to the backend of that connection only. With maglev and no
 * connection it goes where the hash sends the connection; with rr and
 * no connection nowhere (with rr only the record knows the backend).
 */
static void
test_icmp_to_vip_relay(void)
{
	static const char *const names[] = { "dr", "gre", "drrr" };
	static const uint32_t vips[] = { DR_VIP, GRE_VIP, DRRR_VIP };
	unsigned v, i;

	for (v = 0; v < RTE_DIM(names); v++) {
		const struct sl_service *svc = svc_named(names[v]);
		uint16_t port[2] = { 0, 0 };
		uint32_t bip[2] = { 0, 0 };
		struct tp_fspec s, e;
		struct rte_mbuf *m;
		uint64_t inf0;
		unsigned k;

		set_mtu(0);
		/* two connections on different backends */
		for (i = 0; i < 64 && port[1] == 0; i++) {
			vip_spec(&s, vips[v], 0x64550001, (uint16_t)(50000 + i), RTE_TCP_SYN_FLAG);
			push(mbuf_of(&s), OUT);
			rte_pktmbuf_free(sent(IN));
			if (i == 0) {
				port[0] = s.sport;
				bip[0] = conn_bip(&s);
			} else if (conn_bip(&s) != bip[0]) {
				port[1] = s.sport;
				bip[1] = conn_bip(&s);
			}
		}
		CU_ASSERT_FATAL(port[1] != 0);

		for (k = 0; k < 2; k++) {
			uint64_t pkts0 = fx.w->be_stats[be_at(svc, bip[k])->slot].pkts_in;

			err_to_vip_spec(&e, vips[v], 0x64550001, port[k]);
			push(mbuf_of(&e), OUT);
			CU_ASSERT_PTR_NULL(sent(OUT));
			m = sent(IN);
			CU_ASSERT_PTR_NOT_NULL_FATAL(m);
			CU_ASSERT(svc->mode == SL_MODE_DR ? dr_frame_is(m, &e, bip[k]) :
				  tun_frame_is(m, &e, svc, bip[k], NULL));
			rte_pktmbuf_free(m);
			CU_ASSERT_PTR_NULL(sent(IN));
			CU_ASSERT_EQUAL(fx.w->be_stats[be_at(svc, bip[k])->slot].pkts_in, pkts0 + 1);
		}
		/* the connections are left as they were */
		CU_ASSERT_EQUAL(sl_flow_count(fx.w->flows), i);
		CU_ASSERT_EQUAL(conn_of(&s)->state, SL_CS_SYN_SENT);

		/* no connection (a restart): the hash finds the backend, if
		 * the scheduler hashes */
		set_mtu(0);
		inf0 = fx.w->stats.drops[SL_DROP_ICMP_NO_FLOW];
		for (k = 0; k < 2; k++) {
			err_to_vip_spec(&e, vips[v], 0x64550001, port[k]);
			push(mbuf_of(&e), OUT);
			CU_ASSERT_PTR_NULL(sent(OUT));
			m = sent(IN);
			if (!svc->stateless) {
				CU_ASSERT_PTR_NULL(m);
				continue;
			}
			CU_ASSERT_PTR_NOT_NULL_FATAL(m);
			CU_ASSERT(svc->mode == SL_MODE_DR ? dr_frame_is(m, &e, bip[k]) :
				  tun_frame_is(m, &e, svc, bip[k], NULL));
			rte_pktmbuf_free(m);
		}
		CU_ASSERT_EQUAL(fx.w->stats.drops[SL_DROP_ICMP_NO_FLOW],
				inf0 + (svc->stateless ? 0 : 2));
		CU_ASSERT_EQUAL(sl_flow_count(fx.w->flows), 0);
	}
	set_mtu(0);
}

/*
 * nat: a client address and port that already reaches a backend through
 * another service (here connections made in the table for other VIPs,
 * one on each backend of web) cannot open a connection to that backend
 * again: its reply key is taken. The SYN gets a RST, counted as
 * reply_taken, not flow_full: the table is far from full.
 */
static void
test_reply_taken(void)
{
	const uint64_t *d = fx.w->stats.drops;
	uint64_t full0 = d[SL_DROP_FLOW_FULL], taken0 = d[SL_DROP_REPLY_TAKEN];
	const struct sl_service *web = svc_named("web");
	struct sl_conn *held[8];
	struct tp_fspec s;
	struct rte_mbuf *m;
	unsigned i, n;

	empty_table();
	drain_all();
	n = web->n_backends;
	CU_ASSERT_FATAL(n > 0 && n <= RTE_DIM(held));
	for (i = 0; i < n; i++) {
		held[i] = sl_flow_add(fx.w->flows, htonl(0x64530001), htons(43000),
				      htonl(0x0a000060 + i), htons(80), web->backends[i].addr,
				      web->backends[i].port, IPPROTO_TCP, fx.now);
		CU_ASSERT_PTR_NOT_NULL_FATAL(held[i]);
	}
	client_spec(&s, IPPROTO_TCP, 0x64530001, 43000, 80, RTE_TCP_SYN_FLAG);
	push(mbuf_of(&s), OUT);
	CU_ASSERT_PTR_NULL(conn_of(&s));
	CU_ASSERT_EQUAL(d[SL_DROP_REPLY_TAKEN], taken0 + 1);
	CU_ASSERT_EQUAL(d[SL_DROP_FLOW_FULL], full0);
	m = sent(OUT);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	CU_ASSERT(tcp_of(m)->tcp_flags & RTE_TCP_RST_FLAG);
	rte_pktmbuf_free(m);
	CU_ASSERT_PTR_NULL(sent(IN));
	/* the held connections go without the worker's counters, which
	 * never counted them */
	for (i = 0; i < n; i++)
		sl_flow_del(fx.w->flows, held[i]);
	CU_ASSERT_EQUAL(sl_flow_count(fx.w->flows), 0);
}

/*
 * A connection an earlier packet of a burst removed is not used by a
 * later packet the burst's lookup had found it for. Connection A's
 * backend is flushed: A's first segment removes A; a SYN of a new
 * connection C takes A's freed record; A's next segment must find no
 * connection (dropped, no_flow), not C's record under A's key.
 */
static void
test_removed_in_burst(void)
{
	uint64_t noflow = fx.w->stats.drops[SL_DROP_NO_FLOW];
	const struct sl_service *web = svc_named("web");
	struct rte_mbuf *pkts[3], *m;
	struct tp_fspec a, c;
	struct sl_backend *be;
	struct sl_conn *ca;
	uint32_t ia;

	empty_table();
	drain_all();
	client_spec(&a, IPPROTO_TCP, 0x64510001, 41000, 80, RTE_TCP_SYN_FLAG);
	push(mbuf_of(&a), OUT);
	drain_all();
	ca = conn_of(&a);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ca);
	ia = sl_flow_index(fx.w->flows, ca);
	be = (struct sl_backend *)(uintptr_t)be_at(web, ntohl(ca->bip));
	CU_ASSERT_PTR_NOT_NULL_FATAL(be);
	be->flush = 1;
	client_spec(&a, IPPROTO_TCP, 0x64510001, 41000, 80, RTE_TCP_ACK_FLAG);
	pkts[0] = mbuf_of(&a);
	client_spec(&c, IPPROTO_TCP, 0x64510002, 42000, 80, RTE_TCP_SYN_FLAG);
	pkts[1] = mbuf_of(&c);
	pkts[2] = mbuf_of(&a);
	sl_fwd_burst(fx.w, fx.snap, pkts, 3, OUT, fx.now);
	sl_fwd_flush(fx.w);
	be->flush = 0;
	/* C took A's record: the case where a stale pointer would pass */
	CU_ASSERT_PTR_NOT_NULL_FATAL(conn_of(&c));
	CU_ASSERT_EQUAL(sl_flow_index(fx.w->flows, conn_of(&c)), ia);
	CU_ASSERT_PTR_NULL(conn_of(&a));
	CU_ASSERT_EQUAL(sl_flow_count(fx.w->flows), 1);
	CU_ASSERT_EQUAL(fx.w->stats.drops[SL_DROP_NO_FLOW], noflow + 1);
	/* out to the backends: C's SYN, and the flush's RST to A's backend
	 * if it sends one; nothing under A's key through C's record */
	while ((m = sent(IN)) != NULL) {
		CU_ASSERT(ntohs(tcp_of(m)->src_port) != 41000 ||
			  (tcp_of(m)->tcp_flags & RTE_TCP_RST_FLAG));
		rte_pktmbuf_free(m);
	}
	drain_all();
	empty_table();
}

/*
 * The backend of a dr or tunnel connection past its drain time: the
 * client is reset from the VIP. The backend is not sent a RST of the
 * two-way modes: it would come from the connection's local address and
 * port, which a one-way connection does not have (0.0.0.0:0).
 */
static void
test_oneway_flush(void)
{
	static const char *const names[] = { "dr", "ipip" };
	static const uint32_t vips[] = { DR_VIP, IPIP_VIP };
	unsigned v;

	for (v = 0; v < RTE_DIM(names); v++) {
		const struct sl_service *svc = svc_named(names[v]);
		struct sl_backend *be;
		const struct rte_tcp_hdr *th;
		struct tp_fspec s;
		struct rte_mbuf *m;

		set_mtu(0);
		vip_spec(&s, vips[v], 0x64560001, 51000, RTE_TCP_SYN_FLAG);
		push(mbuf_of(&s), OUT);
		rte_pktmbuf_free(sent(IN));
		be = (struct sl_backend *)(uintptr_t)be_at(svc, conn_bip(&s));
		CU_ASSERT_PTR_NOT_NULL_FATAL(be);
		be->flush = 1;
		vip_spec(&s, vips[v], 0x64560001, 51000, RTE_TCP_ACK_FLAG);
		s.seq = 1001;
		s.ack = 7000;
		push(mbuf_of(&s), OUT);
		be->flush = 0;
		m = sent(IN);
		if (m != NULL)
			printf("\n  to the backend: %u bytes from %08x\n", m->pkt_len,
			       ntohl(ip_of(m)->src_addr));
		CU_ASSERT_PTR_NULL(m);
		rte_pktmbuf_free(m);
		m = sent(OUT);
		CU_ASSERT_PTR_NOT_NULL_FATAL(m);
		th = tcp_of(m);
		CU_ASSERT_EQUAL(th->tcp_flags, RTE_TCP_RST_FLAG | RTE_TCP_ACK_FLAG);
		CU_ASSERT_EQUAL(ntohl(th->sent_seq), 7000);
		CU_ASSERT_EQUAL(ntohl(ip_of(m)->src_addr), vips[v]);
		CU_ASSERT_EQUAL(ntohl(ip_of(m)->dst_addr), 0x64560001);
		CU_ASSERT(memcmp(rte_pktmbuf_mtod(m, const uint8_t *), client_mac, 6) == 0);
		CU_ASSERT(csums_ok(m));
		rte_pktmbuf_free(m);
		CU_ASSERT_EQUAL(sl_flow_count(fx.w->flows), 0);
	}
	set_mtu(0);
}

/* An ICMP error from @p router (TTL 60) to @p dst, arriving on port
 * index @p pidx from @p smac, quoting the whole of packet @p in. */
static void
err_spec(struct tp_fspec *e, int pidx, const uint8_t smac[6], uint32_t router, uint32_t dst,
	 uint8_t type, uint8_t code, uint32_t rest, const struct tp_fspec *in)
{
	tp_spec_icmp_err(e, type, code, rest, in, 0);
	memcpy(e->dmac, &fx.hw[pidx].mac, 6);
	memcpy(e->smac, smac, 6);
	e->src = router;
	e->dst = dst;
	e->ttl = 60;
}

/*
 * ICMP errors of IPv4 fullnat connections, TCP and UDP, byte for byte:
 * - to the local address, quoting lip:lport -> backend (too big for a
 *   router on the backend's side; the backend's UDP port unreachable):
 *   to the client from the VIP, about the client's own packet
 *   client:cport -> VIP:vport, the MTU kept, TTL one less;
 * - to the VIP, quoting VIP:vport -> client:cport (a reply too big on
 *   the client's side): to the backend from the local address, about its
 *   own packet backend:bport -> lip:lport.
 * Every checksum is the reference builder's; the connection's state and
 * deadline stay; icmp_relayed counts them, an error quoting a local port
 * no connection holds is icmp_no_flow.
 */
static void
test_fullnat_icmp_errors(void)
{
	static const uint8_t router_mac[6] = { 0x02, 0, 0, 0, 0xee, 0x01 };
	struct tp_fspec s, seen, e, in, want;
	struct rte_mbuf *m;
	struct sl_conn *c;
	uint64_t rel0 = fx.w->stats.icmp_relayed, nf0, expire;
	uint32_t lip = 0, bip = 0;
	uint16_t lport = 0;
	uint8_t bmac[6];
	int i;

	empty_table();
	drain_all();
	set_fullnat(1, 40000, 40999);
	for (i = 0; i < 2; i++) {
		uint8_t proto = i == 0 ? IPPROTO_TCP : IPPROTO_UDP;
		uint16_t vport = i == 0 ? 80 : 53, bport = i == 0 ? 8080 : 5353;

		client_spec(&s, proto, 0x64560001, 41000, vport, RTE_TCP_SYN_FLAG);
		push(mbuf_of(&s), OUT);
		m = sent(IN);
		CU_ASSERT_PTR_NOT_NULL_FATAL(m);
		lip = ntohl(ip_of(m)->src_addr);
		bip = ntohl(ip_of(m)->dst_addr);
		lport = l4_port(m, 0);
		rte_pktmbuf_free(m);
		hop_mac(bip, bmac);
		c = conn_of(&s);
		CU_ASSERT_PTR_NOT_NULL_FATAL(c);
		expire = c->expire;

		/* the client's next packet as the backend's side saw it */
		seen = s;
		seen.src = lip;
		seen.dst = bip;
		seen.sport = lport;
		seen.dport = bport;
		seen.ttl = (uint8_t)(s.ttl - 1);
		seen.tcp_flags = RTE_TCP_ACK_FLAG;
		seen.payload_len = 300;
		if (i == 0)
			err_spec(&e, IN, router_mac, 0x0a0100fe, lip, 3, 4, 1200, &seen);
		else
			err_spec(&e, IN, bmac, bip, lip, 3, 3, 0, &seen);
		push(mbuf_of(&e), IN);
		CU_ASSERT_PTR_NULL(sent(IN));
		m = sent(OUT);
		CU_ASSERT_PTR_NOT_NULL_FATAL(m);
		in = seen;
		in.src = s.src;
		in.dst = s.dst;
		in.sport = s.sport;
		in.dport = s.dport;
		want = e;
		tp_spec_icmp_err(&want, 3, i == 0 ? 4 : 3, i == 0 ? 1200 : 0, &in, 0);
		memcpy(want.dmac, client_mac, 6);
		memcpy(want.smac, &fx.hw[OUT].mac, 6);
		want.src = 0x0a000064;
		want.dst = s.src;
		want.ttl = 59;
		CU_ASSERT(frame_is(m, &want));
		rte_pktmbuf_free(m);

		/* the backend's reply as the client got it, too big there */
		in = seen;
		in.src = 0x0a000064;
		in.dst = s.src;
		in.sport = vport;
		in.dport = s.sport;
		in.ttl = 62;
		err_spec(&e, OUT, client_mac, 0x64aa0001, 0x0a000064, 3, 4, 1300, &in);
		push(mbuf_of(&e), OUT);
		CU_ASSERT_PTR_NULL(sent(OUT));
		m = sent(IN);
		CU_ASSERT_PTR_NOT_NULL_FATAL(m);
		in.src = bip;
		in.sport = bport;
		in.dst = lip;
		in.dport = lport;
		tp_spec_icmp_err(&want, 3, 4, 1300, &in, 0);
		memcpy(want.dmac, bmac, 6);
		memcpy(want.smac, &fx.hw[IN].mac, 6);
		want.src = lip;
		want.dst = bip;
		want.ttl = 59;
		CU_ASSERT(frame_is(m, &want));
		rte_pktmbuf_free(m);

		CU_ASSERT_EQUAL(c->expire, expire);
		CU_ASSERT_EQUAL(c->state, proto == IPPROTO_TCP ? SL_CS_SYN_SENT : SL_CS_UDP);
	}
	CU_ASSERT_EQUAL(fx.w->stats.icmp_relayed, rel0 + 4);

	/* a local port no connection holds */
	nf0 = fx.w->stats.drops[SL_DROP_ICMP_NO_FLOW];
	seen.sport = (uint16_t)(lport + 1);
	err_spec(&e, IN, router_mac, 0x0a0100fe, lip, 3, 4, 1200, &seen);
	push(mbuf_of(&e), IN);
	CU_ASSERT_PTR_NULL(sent(OUT));
	CU_ASSERT_PTR_NULL(sent(IN));
	CU_ASSERT_EQUAL(fx.w->stats.drops[SL_DROP_ICMP_NO_FLOW], nf0 + 1);
	CU_ASSERT_EQUAL(fx.w->stats.icmp_relayed, rel0 + 4);
	empty_table();
	set_fullnat(0, 1024, 65535);
	CU_ASSERT_EQUAL(rte_mempool_in_use_count(fx.pool), 0);
}

/*
 * Proxy Protocol: the segments a client sends reach the backend with
 * sequence numbers moved by the header's length; an ICMP error about one
 * (too big for a router on the backend's side) reaches the client
 * quoting the numbers it sent, with the quoted TCP checksum and the ICMP
 * checksum right.
 */
static void
test_pp_icmp_quote(void)
{
	static const uint8_t rmac[6] = { 0x02, 0, 0, 0, 0x0e, 0x01 };
	struct tp_fspec s, r, e, seen;
	struct rte_mbuf *m;
	const uint8_t *f;
	uint32_t bip;

	empty_table();
	drain_all();
	fx.cfg->services[1].proxy_protocol = 2;     /* web: a 28-byte header */
	rebuild();
	client_spec(&s, IPPROTO_TCP, 0x64570001, 41500, 80, RTE_TCP_SYN_FLAG);
	s.seq = 1000;
	push(mbuf_of(&s), OUT);
	m = sent(IN);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	bip = ntohl(ip_of(m)->dst_addr);
	rte_pktmbuf_free(m);
	backend_seg(&r, bip, 5000, 1001, RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG);
	r.dst = 0x64570001;
	r.dport = 41500;
	push(mbuf_of(&r), IN);
	rte_pktmbuf_free(sent(OUT));
	client_spec(&s, IPPROTO_TCP, 0x64570001, 41500, 80, RTE_TCP_ACK_FLAG);
	s.seq = 1001;
	s.ack = 5001;
	s.payload_len = 0;
	push(mbuf_of(&s), OUT);
	rte_pktmbuf_free(sent(IN));
	rte_pktmbuf_free(sent(IN));
	/* a segment of data, as the backend's side saw it */
	s.payload_len = 200;
	push(mbuf_of(&s), OUT);
	m = sent(IN);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	CU_ASSERT_EQUAL(ntohl(tcp_of(m)->sent_seq), 1029);
	rte_pktmbuf_free(m);
	seen = s;
	seen.dst = bip;
	seen.dport = 8080;
	seen.seq = 1029;
	err_spec(&e, IN, rmac, 0x0a0100fe, s.src, 3, 4, 1200, &seen);
	push(mbuf_of(&e), IN);
	m = sent(OUT);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	f = rte_pktmbuf_mtod(m, const uint8_t *);
	{
		const struct rte_ipv4_hdr *qip = (const struct rte_ipv4_hdr *)(f + 14 + 20 + 8);
		const uint8_t *qtcp = (const uint8_t *)(qip + 1);

		CU_ASSERT_EQUAL(f[14 + 20], 3);
		CU_ASSERT_EQUAL(tp_get32(qtcp + 4), 1001);
		CU_ASSERT_EQUAL(ntohl(qip->dst_addr), 0x0a000064);
		CU_ASSERT_EQUAL(tp_get16(qtcp + 2), 80);
		CU_ASSERT_EQUAL(rte_ipv4_udptcp_cksum_verify(qip, qtcp), 0);
		CU_ASSERT_EQUAL(sl_csum_full(f + 14 + 20, m->pkt_len - 14 - 20, 0), 0xffff);
	}
	rte_pktmbuf_free(m);
	fx.cfg->services[1].proxy_protocol = 0;
	rebuild();
	empty_table();
}

/* TCP options of a SYN: MSS 1460, SACK permitted, timestamps (@p tsval,
 * @p tsecr), window scale 7; or only the timestamps (@p syn 0). */
static void
sp_opts(struct tp_fspec *s, int syn, uint32_t tsval, uint32_t tsecr)
{
	uint8_t *o = s->tcp_opt;

	if (syn) {
		memcpy(o, (const uint8_t[]){ 2, 4, 0x05, 0xb4, 4, 2, 8, 10 }, 8);
		tp_put32(o + 8, tsval);
		tp_put32(o + 12, tsecr);
		memcpy(o + 16, (const uint8_t[]){ 1, 3, 3, 7 }, 4);
		s->tcp_opt_len = 20;
	} else {
		memcpy(o, (const uint8_t[]){ 1, 1, 8, 10 }, 4);
		tp_put32(o + 4, tsval);
		tp_put32(o + 8, tsecr);
		s->tcp_opt_len = 12;
	}
}

/* The value of TCP option @p kind of @p m's segment, or NULL. */
static const uint8_t *
opt_of(const struct rte_mbuf *m, uint8_t kind)
{
	const uint8_t *t = (const uint8_t *)tcp_of(m), *p = t + 20, *end = t + (t[12] >> 4) * 4;

	while (p < end && *p != 0) {
		if (*p == 1) {
			p++;
			continue;
		}
		if (p + 1 >= end || p[1] < 2)
			return NULL;
		if (*p == kind)
			return p + 2;
		p += p[1];
	}
	return NULL;
}

/*
 * SYN proxy (web, nat, synproxy = on): a SYN is answered by Sluice with
 * a cookie and leaves no record; an ACK with a bad cookie is dropped; a
 * good one opens the connection and sends the backend a SYN with the
 * client's ISN, MSS, SACK, timestamp and window scale; the client's data
 * meanwhile waits; the backend's SYN-ACK gets the handshake's last ACK
 * and the data follows, its acknowledgement and timestamp echo moved to
 * the backend's numbers; the backend's segments come back with Sluice's
 * sequence numbers, timestamps and window scale. Every checksum right.
 */
static void
test_synproxy(void)
{
	uint64_t ck0 = fx.w->stats.sp_cookies, op0 = fx.w->stats.sp_opened;
	uint64_t bad0 = fx.w->stats.drops[SL_DROP_SP_BAD_COOKIE];
	struct tp_fspec s, r;
	struct rte_mbuf *m;
	const uint8_t *o;
	uint32_t cookie, ts_sl, bip, isn = 7000;

	empty_table();
	drain_all();
	fx.cfg->services[1].synproxy = SL_SYNPROXY_ON;     /* web */
	rebuild();

	client_spec(&s, IPPROTO_TCP, 0x64580001, 42000, 80, RTE_TCP_SYN_FLAG);
	s.seq = isn;
	sp_opts(&s, 1, 1000, 0);
	push(mbuf_of(&s), OUT);
	CU_ASSERT_PTR_NULL(sent(IN));
	m = sent(OUT);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	CU_ASSERT_EQUAL(tcp_of(m)->tcp_flags, RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG);
	CU_ASSERT_EQUAL(ntohl(ip_of(m)->src_addr), 0x0a000064);
	CU_ASSERT_EQUAL(ntohl(ip_of(m)->dst_addr), 0x64580001);
	CU_ASSERT_EQUAL(ntohs(tcp_of(m)->src_port), 80);
	CU_ASSERT_EQUAL(ntohl(tcp_of(m)->recv_ack), isn + 1);
	CU_ASSERT(memcmp(rte_pktmbuf_mtod(m, const uint8_t *), client_mac, 6) == 0);
	CU_ASSERT(csums_ok(m));
	cookie = ntohl(tcp_of(m)->sent_seq);
	o = opt_of(m, 8);
	CU_ASSERT_PTR_NOT_NULL_FATAL(o);
	ts_sl = tp_get32(o);
	CU_ASSERT_EQUAL(tp_get32(o + 4), 1000);
	CU_ASSERT_EQUAL(ts_sl & 0x1f, 0x10 | 7);          /* SACK, scale 7 */
	CU_ASSERT_PTR_NOT_NULL(opt_of(m, 4));
	CU_ASSERT_PTR_NOT_NULL_FATAL(opt_of(m, 3));
	CU_ASSERT_EQUAL(*opt_of(m, 3), SL_SP_WS);
	CU_ASSERT_EQUAL(tp_get16(opt_of(m, 2)), 1460);
	rte_pktmbuf_free(m);
	CU_ASSERT_EQUAL(sl_flow_count(fx.w->flows), 0);
	CU_ASSERT_EQUAL(fx.w->stats.sp_cookies, ck0 + 1);

	/* an ACK whose cookie is wrong: nothing */
	client_spec(&s, IPPROTO_TCP, 0x64580001, 42000, 80, RTE_TCP_ACK_FLAG);
	s.seq = isn + 1;
	s.ack = cookie + 2;
	s.payload_len = 0;
	sp_opts(&s, 0, 1001, ts_sl);
	push(mbuf_of(&s), OUT);
	CU_ASSERT_PTR_NULL(sent(IN));
	CU_ASSERT_PTR_NULL(sent(OUT));
	CU_ASSERT_EQUAL(fx.w->stats.drops[SL_DROP_SP_BAD_COOKIE], bad0 + 1);
	CU_ASSERT_EQUAL(sl_flow_count(fx.w->flows), 0);

	/* the right one: the backend's SYN */
	s.ack = cookie + 1;
	push(mbuf_of(&s), OUT);
	CU_ASSERT_PTR_NULL(sent(OUT));
	m = sent(IN);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	CU_ASSERT_EQUAL(tcp_of(m)->tcp_flags, RTE_TCP_SYN_FLAG);
	CU_ASSERT_EQUAL(ntohl(tcp_of(m)->sent_seq), isn);
	CU_ASSERT_EQUAL(ntohl(ip_of(m)->src_addr), 0x64580001);
	CU_ASSERT_EQUAL(ntohs(tcp_of(m)->src_port), 42000);
	CU_ASSERT_EQUAL(ntohs(tcp_of(m)->dst_port), 8080);
	CU_ASSERT(csums_ok(m));
	CU_ASSERT_EQUAL(tp_get16(opt_of(m, 2)), 1460);
	CU_ASSERT_PTR_NOT_NULL(opt_of(m, 4));
	CU_ASSERT_PTR_NOT_NULL_FATAL(opt_of(m, 8));
	CU_ASSERT_EQUAL(tp_get32(opt_of(m, 8)), 1001);
	CU_ASSERT_PTR_NOT_NULL_FATAL(opt_of(m, 3));
	CU_ASSERT_EQUAL(*opt_of(m, 3), 7);
	bip = ntohl(ip_of(m)->dst_addr);
	rte_pktmbuf_free(m);
	CU_ASSERT_EQUAL(sl_flow_count(fx.w->flows), 1);
	CU_ASSERT_EQUAL(fx.w->stats.sp_opened, op0 + 1);

	/* the client's request before the backend answers: it waits */
	s.tcp_flags = RTE_TCP_ACK_FLAG | RTE_TCP_PSH_FLAG;
	s.payload_len = 100;
	push(mbuf_of(&s), OUT);
	CU_ASSERT_PTR_NULL(sent(IN));

	/* the backend's SYN-ACK: the last ACK of its handshake, then the
	 * request, on the backend's numbers */
	backend_seg(&r, bip, 90000, isn + 1, RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG);
	r.dst = 0x64580001;
	r.dport = 42000;
	memcpy(r.tcp_opt, (const uint8_t[]){ 2, 4, 0x05, 0xb4, 1, 1, 8, 10 }, 8);
	tp_put32(r.tcp_opt + 8, 500000);
	tp_put32(r.tcp_opt + 12, 1001);
	memcpy(r.tcp_opt + 16, (const uint8_t[]){ 1, 3, 3, 5 }, 4);
	r.tcp_opt_len = 20;
	push(mbuf_of(&r), IN);
	CU_ASSERT_PTR_NULL(sent(OUT));
	m = sent(IN);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	CU_ASSERT_EQUAL(tcp_of(m)->tcp_flags, RTE_TCP_ACK_FLAG);
	CU_ASSERT_EQUAL(ntohl(tcp_of(m)->sent_seq), isn + 1);
	CU_ASSERT_EQUAL(ntohl(tcp_of(m)->recv_ack), 90001);
	CU_ASSERT_EQUAL(tp_get32(opt_of(m, 8) + 4), 500000);
	CU_ASSERT(csums_ok(m));
	rte_pktmbuf_free(m);
	m = sent(IN);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	CU_ASSERT_EQUAL(ntohl(tcp_of(m)->sent_seq), isn + 1);
	CU_ASSERT_EQUAL(ntohl(tcp_of(m)->recv_ack), 90001);
	CU_ASSERT_EQUAL(tp_get32(opt_of(m, 8)), 1001);
	CU_ASSERT_EQUAL(tp_get32(opt_of(m, 8) + 4), 500000);
	CU_ASSERT_EQUAL(ntohs(ip_of(m)->total_length), 20 + 32 + 100);
	CU_ASSERT(csums_ok(m));
	rte_pktmbuf_free(m);
	CU_ASSERT_EQUAL(conn_of(&s)->state, SL_CS_ESTABLISHED);

	/* the backend's answer: Sluice's numbers, timestamps, window
	 * scale (the backend's 5, the client's view 7) */
	backend_seg(&r, bip, 90001, isn + 101, RTE_TCP_ACK_FLAG | RTE_TCP_PSH_FLAG);
	r.dst = 0x64580001;
	r.dport = 42000;
	r.payload_len = 300;
	r.win = 1000;
	sp_opts(&r, 0, 500010, 1001);
	push(mbuf_of(&r), IN);
	m = sent(OUT);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	CU_ASSERT_EQUAL(ntohl(tcp_of(m)->sent_seq), cookie + 1);
	CU_ASSERT_EQUAL(ntohl(tcp_of(m)->recv_ack), isn + 101);
	CU_ASSERT_EQUAL(ntohs(tcp_of(m)->rx_win), 1000 << 5 >> 7);
	CU_ASSERT_EQUAL(tp_get32(opt_of(m, 8)), ts_sl + 10);
	CU_ASSERT_EQUAL(tp_get32(opt_of(m, 8) + 4), 1001);
	CU_ASSERT_EQUAL(ntohl(ip_of(m)->src_addr), 0x0a000064);
	CU_ASSERT(csums_ok(m));
	rte_pktmbuf_free(m);

	/* the client acknowledges it, with a SACK block, on Sluice's numbers */
	client_spec(&s, IPPROTO_TCP, 0x64580001, 42000, 80, RTE_TCP_ACK_FLAG);
	s.seq = isn + 101;
	s.ack = cookie + 301;
	s.payload_len = 0;
	sp_opts(&s, 0, 1002, ts_sl + 10);
	memcpy(s.tcp_opt + 12, (const uint8_t[]){ 1, 1, 5, 10 }, 4);
	tp_put32(s.tcp_opt + 16, cookie + 401);
	tp_put32(s.tcp_opt + 20, cookie + 501);
	s.tcp_opt_len = 24;
	push(mbuf_of(&s), OUT);
	m = sent(IN);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	CU_ASSERT_EQUAL(ntohl(tcp_of(m)->recv_ack), 90301);
	CU_ASSERT_EQUAL(tp_get32(opt_of(m, 8) + 4), 500010);
	CU_ASSERT_EQUAL(tp_get32(opt_of(m, 5)), 90401);
	CU_ASSERT_EQUAL(tp_get32(opt_of(m, 5) + 4), 90501);
	CU_ASSERT(csums_ok(m));
	rte_pktmbuf_free(m);

	fx.cfg->services[1].synproxy = SL_SYNPROXY_OFF;
	rebuild();
	empty_table();
	CU_ASSERT_EQUAL(rte_mempool_in_use_count(fx.pool), 0);
}

/*
 * SYN proxy in fullnat with a Proxy Protocol v2 header: the backend's SYN
 * leaves from a local address and port with the client's ISN; its
 * SYN-ACK gets the handshake's last ACK, the header (28 bytes at ISN+1)
 * and the client's data that waited, moved by the header's length and
 * acknowledging on the backend's numbers; the backend's answer reaches
 * the client from the VIP on Sluice's numbers, acknowledging the
 * client's bytes without the header.
 */
static void
test_synproxy_fullnat_pp(void)
{
	struct tp_fspec s, r;
	struct rte_mbuf *m;
	uint32_t cookie, lip, bip, isn = 3000;
	uint16_t lport;

	empty_table();
	drain_all();
	set_fullnat(1, 40000, 40999);
	fx.cfg->services[1].synproxy = SL_SYNPROXY_ON;
	fx.cfg->services[1].proxy_protocol = 2;
	rebuild();
	client_spec(&s, IPPROTO_TCP, 0x645b0001, 45000, 80, RTE_TCP_SYN_FLAG);
	s.seq = isn;
	sp_opts(&s, 1, 2000, 0);
	push(mbuf_of(&s), OUT);
	m = sent(OUT);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	cookie = ntohl(tcp_of(m)->sent_seq);
	CU_ASSERT_PTR_NOT_NULL_FATAL(opt_of(m, 8));
	client_spec(&s, IPPROTO_TCP, 0x645b0001, 45000, 80, RTE_TCP_ACK_FLAG | RTE_TCP_PSH_FLAG);
	s.seq = isn + 1;
	s.ack = cookie + 1;
	s.payload_len = 40;
	sp_opts(&s, 0, 2001, tp_get32(opt_of(m, 8)));
	rte_pktmbuf_free(m);
	push(mbuf_of(&s), OUT);
	m = sent(IN);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	CU_ASSERT_EQUAL(tcp_of(m)->tcp_flags, RTE_TCP_SYN_FLAG);
	CU_ASSERT_EQUAL(ntohl(tcp_of(m)->sent_seq), isn);
	lip = ntohl(ip_of(m)->src_addr);
	bip = ntohl(ip_of(m)->dst_addr);
	lport = l4_port(m, 0);
	CU_ASSERT(lip == 0x0a010005 || lip == 0x0a010006);
	CU_ASSERT(lport >= 40000 && lport <= 40999);
	CU_ASSERT(csums_ok(m));
	rte_pktmbuf_free(m);
	CU_ASSERT_PTR_NULL(sent(IN));

	backend_seg(&r, bip, 80000, isn + 1, RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG);
	r.dst = lip;
	r.dport = lport;
	sp_opts(&r, 1, 900, 2001);
	push(mbuf_of(&r), IN);
	CU_ASSERT_PTR_NULL(sent(OUT));
	/* the header first (a copy of the ACK's headers), then the ACK
	 * after it, then the data */
	m = sent(IN);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	CU_ASSERT_EQUAL(ntohl(tcp_of(m)->sent_seq), isn + 1);
	CU_ASSERT_EQUAL(ntohl(tcp_of(m)->recv_ack), 80001);
	CU_ASSERT_EQUAL(ntohs(ip_of(m)->total_length), 20 + 32 + 28);
	CU_ASSERT(memcmp((const uint8_t *)tcp_of(m) + 32, "\r\n\r\n\0\r\nQUIT\n", 12) == 0);
	CU_ASSERT(csums_ok(m));
	rte_pktmbuf_free(m);
	m = sent(IN);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	CU_ASSERT_EQUAL(tcp_of(m)->tcp_flags, RTE_TCP_ACK_FLAG);
	CU_ASSERT_EQUAL(ntohl(tcp_of(m)->sent_seq), isn + 1 + 28);
	CU_ASSERT(csums_ok(m));
	rte_pktmbuf_free(m);
	m = sent(IN);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	CU_ASSERT_EQUAL(ntohl(tcp_of(m)->sent_seq), isn + 1 + 28);
	CU_ASSERT_EQUAL(ntohl(tcp_of(m)->recv_ack), 80001);
	CU_ASSERT_EQUAL(ntohl(ip_of(m)->src_addr), lip);
	CU_ASSERT_EQUAL(ntohs(ip_of(m)->total_length), 20 + 32 + 40);
	CU_ASSERT_EQUAL(tp_get32(opt_of(m, 8) + 4), 900);
	CU_ASSERT(csums_ok(m));
	rte_pktmbuf_free(m);

	/* the backend acknowledges header and data, and answers */
	backend_seg(&r, bip, 80001, isn + 1 + 28 + 40, RTE_TCP_ACK_FLAG | RTE_TCP_PSH_FLAG);
	r.dst = lip;
	r.dport = lport;
	r.payload_len = 10;
	sp_opts(&r, 0, 905, 2001);
	push(mbuf_of(&r), IN);
	m = sent(OUT);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	CU_ASSERT_EQUAL(ntohl(ip_of(m)->src_addr), 0x0a000064);
	CU_ASSERT_EQUAL(ntohl(ip_of(m)->dst_addr), 0x645b0001);
	CU_ASSERT_EQUAL(ntohl(tcp_of(m)->sent_seq), cookie + 1);
	CU_ASSERT_EQUAL(ntohl(tcp_of(m)->recv_ack), isn + 1 + 40);
	CU_ASSERT(csums_ok(m));
	rte_pktmbuf_free(m);

	fx.cfg->services[1].synproxy = SL_SYNPROXY_OFF;
	fx.cfg->services[1].proxy_protocol = 0;
	set_fullnat(0, 40000, 40999);
	empty_table();
	CU_ASSERT_EQUAL(rte_mempool_in_use_count(fx.pool), 0);
}

/*
 * SYN proxy, a backend that never answers: its SYN goes again after 1 s
 * and 2 s more, and after 4 s more the client is reset (at the sequence
 * number it expects) and the connection forgotten, the data it sent
 * freed. synproxy = auto with threshold 2: the first two SYNs of a second
 * open connections the usual way, the third gets a cookie.
 */
static void
test_synproxy_timeout_auto(void)
{
	uint64_t syn0 = fx.w->stats.sp_syns, to0 = fx.w->stats.sp_timeouts, hz = fx.env.hz;
	uint64_t t0;
	struct tp_fspec s;
	struct rte_mbuf *m;
	uint32_t cookie, i;

	empty_table();
	drain_all();
	fx.cfg->services[1].synproxy = SL_SYNPROXY_ON;
	rebuild();
	t0 = fx.now;
	client_spec(&s, IPPROTO_TCP, 0x64590001, 43000, 80, RTE_TCP_SYN_FLAG);
	s.seq = 100;
	push(mbuf_of(&s), OUT);
	m = sent(OUT);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	cookie = ntohl(tcp_of(m)->sent_seq);
	CU_ASSERT_PTR_NULL(opt_of(m, 8));       /* no timestamps: none back */
	CU_ASSERT_PTR_NULL(opt_of(m, 3));
	rte_pktmbuf_free(m);
	client_spec(&s, IPPROTO_TCP, 0x64590001, 43000, 80, RTE_TCP_ACK_FLAG | RTE_TCP_PSH_FLAG);
	s.seq = 101;
	s.ack = cookie + 1;
	s.payload_len = 50;
	push(mbuf_of(&s), OUT);
	m = sent(IN);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	CU_ASSERT_EQUAL(tcp_of(m)->tcp_flags, RTE_TCP_SYN_FLAG);
	CU_ASSERT_EQUAL(tp_get16(opt_of(m, 2)), 536);  /* no MSS from the client */
	rte_pktmbuf_free(m);
	CU_ASSERT_EQUAL(fx.w->stats.sp_syns, syn0 + 1);
	for (i = 1; i <= 2; i++) {
		fx.now = t0 + ((1u << i) - 1) * hz + 1;
		sl_fwd_timers(fx.w, fx.snap, fx.now);
		sl_fwd_flush(fx.w);
		m = sent(IN);
		CU_ASSERT_PTR_NOT_NULL_FATAL(m);
		CU_ASSERT_EQUAL(tcp_of(m)->tcp_flags, RTE_TCP_SYN_FLAG);
		CU_ASSERT_EQUAL(ntohl(tcp_of(m)->sent_seq), 100);
		rte_pktmbuf_free(m);
	}
	CU_ASSERT_EQUAL(fx.w->stats.sp_syns, syn0 + 3);
	fx.now = t0 + 7 * hz + 1;
	sl_fwd_timers(fx.w, fx.snap, fx.now);
	sl_fwd_flush(fx.w);
	CU_ASSERT_PTR_NULL(sent(IN));
	m = sent(OUT);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	CU_ASSERT_EQUAL(tcp_of(m)->tcp_flags, RTE_TCP_RST_FLAG);
	CU_ASSERT_EQUAL(ntohl(tcp_of(m)->sent_seq), cookie + 1);
	CU_ASSERT_EQUAL(ntohl(ip_of(m)->src_addr), 0x0a000064);
	CU_ASSERT(csums_ok(m));
	rte_pktmbuf_free(m);
	CU_ASSERT_EQUAL(fx.w->stats.sp_timeouts, to0 + 1);
	CU_ASSERT_EQUAL(sl_flow_count(fx.w->flows), 0);
	CU_ASSERT_EQUAL(fx.w->n_sp_pend, 0);
	CU_ASSERT_EQUAL(rte_mempool_in_use_count(fx.pool), 0);

	/* auto, threshold 2 */
	fx.cfg->services[1].synproxy = SL_SYNPROXY_AUTO;
	fx.cfg->services[1].synproxy_threshold = 2;
	rebuild();
	fx.now += 3 * hz;
	for (i = 0; i < 3; i++) {
		client_spec(&s, IPPROTO_TCP, 0x645a0001, (uint16_t)(44000 + i), 80,
			    RTE_TCP_SYN_FLAG);
		push(mbuf_of(&s), OUT);
		m = sent(i < 2 ? IN : OUT);
		CU_ASSERT_PTR_NOT_NULL_FATAL(m);
		CU_ASSERT_EQUAL(tcp_of(m)->tcp_flags, i < 2 ? RTE_TCP_SYN_FLAG :
				RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG);
		rte_pktmbuf_free(m);
	}
	CU_ASSERT_EQUAL(sl_flow_count(fx.w->flows), 2);
	fx.cfg->services[1].synproxy = SL_SYNPROXY_OFF;
	fx.cfg->services[1].synproxy_threshold = 1000;
	rebuild();
	empty_table();
	CU_ASSERT_EQUAL(rte_mempool_in_use_count(fx.pool), 0);
}

/* ---- IPv6: NAT66 ---------------------------------------------------- */

static const uint8_t vip6[16] = { 0x20, 0x01, 0x0d, 0xb8, [14] = 0x01 };      /* 2001:db8::100 */
static const uint8_t out_addr6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 0x01 }; /* 2001:db8::1 */
static const uint8_t in_addr6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0x01, [15] = 0x01 };

/* Client @p n: 2001:db8:5::n. */
static void
client6(uint8_t a[16], uint16_t n)
{
	static const uint8_t base[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0x05 };

	memcpy(a, base, 16);
	a[14] = (uint8_t)(n >> 8);
	a[15] = (uint8_t)n;
}

/* Which of the backends 2001:db8:1::11, ::12, ::13 @p a is, or -1. */
static int
be6_index(const uint8_t a[16])
{
	static const uint8_t net[15] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0x01 };

	if (memcmp(a, net, 15) != 0 || a[15] < 0x11 || a[15] > 0x13)
		return -1;
	return a[15] - 0x11;
}

/* A client frame to [2001:db8::100]:@p vport from client @p n, as the
 * outside port receives it. */
static void
client6_spec(struct tp6_fspec *s, uint8_t proto, uint16_t n, uint16_t cport,
	     uint16_t vport, uint8_t flags)
{
	tp6_spec_default(s, proto);
	memcpy(s->dmac, &fx.hw[OUT].mac, 6);
	memcpy(s->smac, client_mac, 6);
	client6(s->src, n);
	memcpy(s->dst, vip6, 16);
	s->sport = cport;
	s->dport = vport;
	s->tcp_flags = flags;
	s->seq = 1000;
	s->ack = 0;
	s->payload_len = proto == IPPROTO_TCP && (flags & RTE_TCP_SYN_FLAG) ? 0 : 20;
}

static struct rte_mbuf *
mbuf6_of(const struct tp6_fspec *s)
{
	uint8_t f[TP_MAX_FRAME];
	uint32_t len = tp6_build_frame(s, f, NULL);
	struct rte_mbuf *m = rte_pktmbuf_alloc(fx.pool);

	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	memcpy(rte_pktmbuf_append(m, (uint16_t)len), f, len);
	return m;
}

/* @p m is, byte for byte, the IPv6 frame @p s describes. */
static int
frame6_is(const struct rte_mbuf *m, const struct tp6_fspec *s)
{
	uint8_t f[TP_MAX_FRAME];
	uint32_t len = tp6_build_frame(s, f, NULL), i;
	const uint8_t *g = rte_pktmbuf_mtod(m, const uint8_t *);

	if (m->pkt_len != len || m->nb_segs != 1) {
		printf("\n  frame of %u bytes, expected %u\n", m->pkt_len, len);
		return 0;
	}
	for (i = 0; i < len; i++)
		if (g[i] != f[i]) {
			printf("\n  byte %u is %02x, expected %02x\n", i, g[i], f[i]);
			return 0;
		}
	return 1;
}

/* The MAC resolve_all() gave IPv6 next hop @p a. */
static void
hop_mac6(const uint8_t a[16], uint8_t mac[6])
{
	uint32_t i;

	for (i = 0; i < fx.env.neigh->count; i++)
		if (fx.env.neigh->meta[i].refs != 0 && fx.env.neigh->meta[i].v6 &&
		    memcmp(&fx.env.neigh->meta[i].ip6, a, 16) == 0)
			break;
	CU_ASSERT_FATAL(i < fx.env.neigh->count);
	memcpy(mac, (uint8_t[6]){ 0x02, 0, 0, 0, 0x01, (uint8_t)i }, 6);
}

/* Offsets in an untagged IPv6 frame without extension headers. */
#define IP6_SRC (14 + 8)
#define IP6_DST (14 + 24)
#define IP6_L4  (14 + 40)

/* The L4 checksum of an untagged IPv6 frame without extension headers,
 * as sent, equals the library's full recomputation (sl_l4_csum6). */
static int
l4_csum6_ok(const struct rte_mbuf *m, uint8_t proto)
{
	const uint8_t *f = rte_pktmbuf_mtod(m, const uint8_t *);
	unsigned off = proto == IPPROTO_TCP ? 16 : proto == IPPROTO_UDP ? 6 : 2;
	uint16_t want = sl_l4_csum6((const struct sl_in6 *)(f + IP6_SRC),
				    (const struct sl_in6 *)(f + IP6_DST), proto,
				    f + IP6_L4, tp_get16(f + 14 + 4), off);
	uint16_t got;

	memcpy(&got, f + IP6_L4 + off, 2);
	return got == want;
}

/* The worker's IPv6 connection of the client frame @p s, or NULL. */
static struct sl_conn6 *
conn6_of(struct sl_worker *w, const struct tp6_fspec *s)
{
	struct sl_flow6_key k;
	struct sl_conn6 *c;
	int dir;

	memset(&k, 0, sizeof(k));
	memcpy(&k.src, s->src, 16);
	memcpy(&k.dst, s->dst, 16);
	k.sport = htons(s->sport);
	k.dport = htons(s->dport);
	k.proto = s->proto;
	c = sl_flow6_lookup(w->flows6, &k, &dir);
	return c != NULL && dir == SL_DIR_ORIG ? c : NULL;
}

/* The frame client frame @p s becomes on its way to backend @p b:bport
 * (destination only, hop limit - 1, to the backend's MAC). */
static void
to_backend6(struct tp6_fspec *want, const struct tp6_fspec *s, const uint8_t b[16],
	    uint16_t bport)
{
	*want = *s;
	hop_mac6(b, want->dmac);
	memcpy(want->smac, &fx.hw[IN].mac, 6);
	memcpy(want->dst, b, 16);
	want->dport = bport;
	want->hlim = (uint8_t)(s->hlim - 1);
}

/* Backend @p b:bport's answer to client frame @p s, as the inside port
 * receives it. */
static void
backend6_spec(struct tp6_fspec *r, const struct tp6_fspec *s, const uint8_t b[16],
	      uint16_t bport, uint8_t flags)
{
	tp6_spec_default(r, s->proto);
	memcpy(r->dmac, &fx.hw[IN].mac, 6);
	hop_mac6(b, r->smac);
	memcpy(r->src, b, 16);
	memcpy(r->dst, s->src, 16);
	r->sport = bport;
	r->dport = s->sport;
	r->tcp_flags = flags;
	r->seq = 5000;
	r->ack = s->seq + 1;
	r->hlim = 64;
	r->payload_len = s->proto == IPPROTO_TCP && (flags & RTE_TCP_SYN_FLAG) ? 0 : 30;
}

/* The frame backend frame @p r becomes on its way to the client: from
 * [VIP]:@p vport, hop limit - 1, to the client's MAC. */
static void
to_client6(struct tp6_fspec *want, const struct tp6_fspec *r, uint16_t vport)
{
	*want = *r;
	memcpy(want->dmac, client_mac, 6);
	memcpy(want->smac, &fx.hw[OUT].mac, 6);
	memcpy(want->src, vip6, 16);
	want->sport = vport;
	want->hlim = (uint8_t)(r->hlim - 1);
}

/*
 * Client frame @p s through the outside port: it leaves the inside port
 * to a backend with only the destination address (returned in @p b) and
 * port (@p bport) changed and the hop limit one less, its L4 checksum
 * equal to a full recomputation. Returns the backend's index.
 */
static int
client_out6(const struct tp6_fspec *s, uint16_t bport, uint8_t b[16])
{
	struct tp6_fspec want;
	struct rte_mbuf *m;
	int bi;

	push(mbuf6_of(s), OUT);
	CU_ASSERT_PTR_NULL(sent(OUT));
	m = sent(IN);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	CU_ASSERT_PTR_NULL(sent(IN));
	memcpy(b, rte_pktmbuf_mtod_offset(m, const uint8_t *, IP6_DST), 16);
	bi = be6_index(b);
	CU_ASSERT_FATAL(bi >= 0);
	to_backend6(&want, s, b, bport);
	CU_ASSERT(frame6_is(m, &want));
	CU_ASSERT(l4_csum6_ok(m, s->proto));
	rte_pktmbuf_free(m);
	return bi;
}

/* Backend @p b:bport's answer with @p rflags to client frame @p s,
 * through the inside port: it leaves the outside port from [VIP]:port
 * to the client's MAC, checked whole. */
static void
reply_out6(const struct tp6_fspec *s, const uint8_t b[16], uint16_t bport, uint8_t rflags)
{
	struct tp6_fspec want, r;
	struct rte_mbuf *m;

	backend6_spec(&r, s, b, bport, rflags);
	push(mbuf6_of(&r), IN);
	CU_ASSERT_PTR_NULL(sent(IN));
	m = sent(OUT);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	CU_ASSERT_PTR_NULL(sent(OUT));
	to_client6(&want, &r, s->dport);
	CU_ASSERT(frame6_is(m, &want));
	CU_ASSERT(l4_csum6_ok(m, s->proto));
	rte_pktmbuf_free(m);
}

/* Both of the above. */
static int
exchange6(const struct tp6_fspec *s, uint16_t bport, uint8_t rflags, uint8_t b[16])
{
	int bi = client_out6(s, bport, b);

	reply_out6(s, b, bport, rflags);
	return bi;
}

/*
 * NAT66, TCP: a client's SYN to [VIP]:80 reaches a backend [B]:8080 with
 * nothing else changed but the hop limit, the backend's SYN-ACK reaches
 * the client from [VIP]:80; the connection is in the worker's IPv6
 * table (not its IPv4 one) and follows the handshake and the close; a
 * SYN from the same port after the close is a new connection. UDP alike.
 */
static void
test_nat66_both_ways(void)
{
	const struct sl_service *web6, *dns6;
	uint64_t created0, expired0, in0, out0;
	struct tp6_fspec s;
	struct sl_conn6 *c;
	uint8_t b[16], b2[16];
	int bi;

	empty_table();
	drain_all();
	CU_ASSERT_PTR_NOT_NULL_FATAL(fx.w->flows6);
	web6 = svc_named("web6");
	dns6 = svc_named("dns6");
	CU_ASSERT(web6->v6 && dns6->v6);
	created0 = fx.w->stats.conns_created;
	expired0 = fx.w->stats.conns_expired;
	in0 = fx.w->svc_stats[web6->id].pkts_in;
	out0 = fx.w->svc_stats[web6->id].pkts_out;

	client6_spec(&s, IPPROTO_TCP, 1, 40000, 80, RTE_TCP_SYN_FLAG);
	s.hlim = 60;
	bi = client_out6(&s, 8080, b);
	CU_ASSERT_EQUAL(sl_flow6_count(fx.w->flows6), 1);
	CU_ASSERT_EQUAL(sl_flow_count(fx.w->flows), 0);
	c = conn6_of(fx.w, &s);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_EQUAL(c->state, SL_CS_SYN_SENT);
	CU_ASSERT(memcmp(&c->bip, b, 16) == 0);
	CU_ASSERT(memcmp(&c->vip, vip6, 16) == 0);
	CU_ASSERT(memcmp(&c->lip, s.src, 16) == 0);
	CU_ASSERT_EQUAL(ntohs(c->bport), 8080);
	CU_ASSERT_EQUAL(c->svc, web6->id);
	CU_ASSERT_EQUAL(c->be, web6->backends[bi].slot);
	CU_ASSERT_EQUAL(c->mode, SL_MODE_NAT);
	CU_ASSERT_EQUAL(c->in_port, OUT);
	CU_ASSERT_EQUAL(fx.w->stats.conns_created, created0 + 1);
	CU_ASSERT_EQUAL(fx.w->svc_stats[web6->id].conns_active, 1);
	CU_ASSERT_EQUAL(fx.w->be_stats[c->be].conns_active, 1);
	reply_out6(&s, b, 8080, RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG);
	CU_ASSERT_EQUAL(c->state, SL_CS_SYN_RECV);
	CU_ASSERT_EQUAL(fx.w->svc_stats[web6->id].pkts_in, in0 + 1);
	CU_ASSERT_EQUAL(fx.w->svc_stats[web6->id].pkts_out, out0 + 1);

	/* the handshake's ACK with data: established, same backend */
	client6_spec(&s, IPPROTO_TCP, 1, 40000, 80, RTE_TCP_ACK_FLAG);
	s.seq = 1001;
	s.ack = 5001;
	CU_ASSERT_EQUAL(exchange6(&s, 8080, RTE_TCP_ACK_FLAG, b2), bi);
	CU_ASSERT_EQUAL(c->state, SL_CS_ESTABLISHED);
	/* the client closes, the backend acknowledges, then closes */
	client6_spec(&s, IPPROTO_TCP, 1, 40000, 80, RTE_TCP_FIN_FLAG | RTE_TCP_ACK_FLAG);
	s.seq = 1021;
	CU_ASSERT_EQUAL(exchange6(&s, 8080, RTE_TCP_ACK_FLAG, b2), bi);
	CU_ASSERT_EQUAL(c->state, SL_CS_FIN_WAIT);
	reply_out6(&s, b, 8080, RTE_TCP_FIN_FLAG | RTE_TCP_ACK_FLAG);
	CU_ASSERT_EQUAL(c->state, SL_CS_TIME_WAIT);
	CU_ASSERT_EQUAL(sl_flow6_count(fx.w->flows6), 1);
	CU_ASSERT_EQUAL(fx.w->stats.conns_created, created0 + 1);

	/* the client's port again: a new connection, on the next backend */
	client6_spec(&s, IPPROTO_TCP, 1, 40000, 80, RTE_TCP_SYN_FLAG);
	exchange6(&s, 8080, RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG, b2);
	CU_ASSERT(memcmp(b, b2, 16) != 0);
	CU_ASSERT_EQUAL(fx.w->stats.conns_created, created0 + 2);
	CU_ASSERT_EQUAL(fx.w->stats.conns_expired, expired0 + 1);
	CU_ASSERT_EQUAL(sl_flow6_count(fx.w->flows6), 1);
	CU_ASSERT_EQUAL(fx.w->svc_stats[web6->id].conns_active, 1);
	c = conn6_of(fx.w, &s);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT(memcmp(&c->bip, b2, 16) == 0);
	CU_ASSERT_EQUAL(c->state, SL_CS_SYN_RECV);

	/* UDP: both ways, a connection of service dns6 */
	client6_spec(&s, IPPROTO_UDP, 2, 40001, 53, 0);
	bi = exchange6(&s, 5353, 0, b);
	c = conn6_of(fx.w, &s);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_EQUAL(c->state, SL_CS_UDP);
	CU_ASSERT_EQUAL(c->svc, dns6->id);
	CU_ASSERT_EQUAL(c->be, dns6->backends[bi].slot);
	CU_ASSERT_EQUAL(ntohs(c->bport), 5353);
	/* its next datagram: the same backend */
	s.payload_len = 111;
	CU_ASSERT_EQUAL(exchange6(&s, 5353, 0, b2), bi);
	CU_ASSERT_EQUAL(sl_flow6_count(fx.w->flows6), 2);
	CU_ASSERT_EQUAL(fx.w->svc_stats[dns6->id].conns_active, 1);
	CU_ASSERT_EQUAL(sl_flow_count(fx.w->flows), 0);
	empty_table();
	CU_ASSERT_EQUAL(rte_mempool_in_use_count(fx.pool), 0);
}

/*
 * A backend whose MAC is not known yet: the client's packet, rewritten
 * for it, goes to the management lcore tagged with the backend's
 * neighbour entry, to be sent once neighbour discovery answers.
 */
static void
test_nat66_unresolved_backend(void)
{
	const struct sl_service *web6 = svc_named("web6");
	const struct sl_backend *be = &web6->backends[0];
	uint32_t idx = SL_NEIGH_IDX(be->neigh);
	uint64_t macw = fx.env.neigh->macw[idx], sp0 = fx.w->stats.slowpath;
	struct tp6_fspec s, want;
	struct rte_mbuf *m;
	unsigned i, to_mgmt = 0, sent_in = 0;
	void *obj = NULL;

	empty_table();
	drain_all();
	CU_ASSERT_EQUAL_FATAL(be6_index(be->addr6.b), 0);
	__atomic_store_n(&fx.env.neigh->macw[idx], 0, __ATOMIC_RELEASE);
	/* rr: one of three new connections is the backend's */
	for (i = 0; i < 3; i++) {
		client6_spec(&s, IPPROTO_TCP, 4, (uint16_t)(40100 + i), 80, RTE_TCP_SYN_FLAG);
		push(mbuf6_of(&s), OUT);
		m = sent(IN);
		if (m != NULL) {
			CU_ASSERT_NOT_EQUAL(be6_index(rte_pktmbuf_mtod_offset(m, const uint8_t *,
									     IP6_DST)), 0);
			rte_pktmbuf_free(m);
			sent_in++;
			continue;
		}
		CU_ASSERT_EQUAL_FATAL(rte_ring_dequeue(fx.w->to_mgmt, &obj), 0);
		m = obj;
		to_mgmt++;
		CU_ASSERT_EQUAL(m->hash.usr, be->neigh);
		CU_ASSERT_EQUAL(m->port, fx.hw[IN].port_id);
		to_backend6(&want, &s, be->addr6.b, 8080);
		memset(want.dmac, 0, 6);
		CU_ASSERT(frame6_is(m, &want));
		rte_pktmbuf_free(m);
	}
	__atomic_store_n(&fx.env.neigh->macw[idx], macw, __ATOMIC_RELEASE);
	CU_ASSERT_EQUAL(to_mgmt, 1);
	CU_ASSERT_EQUAL(sent_in, 2);
	CU_ASSERT_EQUAL(fx.w->stats.slowpath, sp0 + 1);
	CU_ASSERT_EQUAL(rte_ring_count(fx.w->to_mgmt), 0);
	CU_ASSERT_EQUAL(sl_flow6_count(fx.w->flows6), 3);
	empty_table();
}

/*
 * rr spreads new IPv6 connections over the three backends in turn. A
 * client's TCP segment without SYN (or with SYN and ACK) of no
 * connection, and a backend's packet of no connection, are dropped as
 * no_flow: nothing sent, nothing created.
 */
static void
test_nat66_rr_and_no_flow(void)
{
	const struct sl_service *web6 = svc_named("web6");
	uint64_t total0[3], nf0, sd0;
	unsigned per[3] = { 0 }, i;
	int order[3] = { -1, -1, -1 };
	struct tp6_fspec s, r;
	uint8_t b[16];

	empty_table();
	drain_all();
	for (i = 0; i < 3; i++)
		total0[i] = fx.w->be_stats[web6->backends[i].slot].conns_total;
	for (i = 0; i < 9; i++) {
		int bi;

		client6_spec(&s, IPPROTO_TCP, 3, (uint16_t)(41000 + i), 80, RTE_TCP_SYN_FLAG);
		bi = client_out6(&s, 8080, b);
		if (i < 3)
			order[i] = bi;
		else
			CU_ASSERT_EQUAL(bi, order[i % 3]);
		per[bi]++;
	}
	for (i = 0; i < 3; i++) {
		CU_ASSERT_EQUAL(per[i], 3);
		CU_ASSERT_EQUAL(fx.w->be_stats[web6->backends[i].slot].conns_total, total0[i] + 3);
		CU_ASSERT_EQUAL(fx.w->be_stats[web6->backends[i].slot].conns_active, 3);
	}
	CU_ASSERT_EQUAL(sl_flow6_count(fx.w->flows6), 9);

	nf0 = fx.w->stats.drops[SL_DROP_NO_FLOW];
	sd0 = fx.w->svc_stats[web6->id].drops;
	client6_spec(&s, IPPROTO_TCP, 3, 41100, 80, RTE_TCP_ACK_FLAG);
	push(mbuf6_of(&s), OUT);
	client6_spec(&s, IPPROTO_TCP, 3, 41101, 80, RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG);
	push(mbuf6_of(&s), OUT);
	backend6_spec(&r, &s, b, 8080, RTE_TCP_ACK_FLAG);
	push(mbuf6_of(&r), IN);
	CU_ASSERT_PTR_NULL(sent(IN));
	CU_ASSERT_PTR_NULL(sent(OUT));
	CU_ASSERT_EQUAL(fx.w->stats.drops[SL_DROP_NO_FLOW], nf0 + 3);
	CU_ASSERT_EQUAL(fx.w->svc_stats[web6->id].drops, sd0 + 2);
	CU_ASSERT_EQUAL(sl_flow6_count(fx.w->flows6), 9);
	empty_table();
	for (i = 0; i < 3; i++)
		CU_ASSERT_EQUAL(fx.w->be_stats[web6->backends[i].slot].conns_active, 0);
	CU_ASSERT_EQUAL(rte_mempool_in_use_count(fx.pool), 0);
}

/*
 * IPv4 and IPv6 services on the same ports (web and web6 on 80, dns and
 * dns6 on 53) at once: each family's connections in its own table, each
 * answered in its own family, the IPv4 counts unaffected by IPv6.
 */
static void
test_nat66_with_ipv4(void)
{
	static const char *const names[] = { "web", "dns", "web6", "dns6" };
	struct tp_fspec s4, r4;
	uint64_t in0[RTE_DIM(names)], out0[RTE_DIM(names)];
	struct tp6_fspec s6;
	struct rte_mbuf *m;
	uint8_t b[16];
	uint32_t bip;
	unsigned i;

	empty_table();
	drain_all();
	for (i = 0; i < RTE_DIM(names); i++) {
		in0[i] = fx.w->svc_stats[svc_named(names[i])->id].pkts_in;
		out0[i] = fx.w->svc_stats[svc_named(names[i])->id].pkts_out;
	}
	for (i = 0; i < 2; i++) {
		uint8_t proto = i == 0 ? IPPROTO_TCP : IPPROTO_UDP;
		uint16_t port = i == 0 ? 80 : 53, bport = i == 0 ? 8080 : 5353;

		client_spec(&s4, proto, 0x64600001, (uint16_t)(42000 + i), port,
			    RTE_TCP_SYN_FLAG);
		push(mbuf_of(&s4), OUT);
		m = sent(IN);
		CU_ASSERT_PTR_NOT_NULL_FATAL(m);
		bip = ntohl(ip_of(m)->dst_addr);
		CU_ASSERT_EQUAL(bip >> 8, 0x0a0100);
		CU_ASSERT_EQUAL(l4_port(m, 1), bport);
		CU_ASSERT(csums_ok(m));
		rte_pktmbuf_free(m);

		client6_spec(&s6, proto, 5, (uint16_t)(42000 + i), port, RTE_TCP_SYN_FLAG);
		client_out6(&s6, bport, b);
		CU_ASSERT_EQUAL(sl_flow_count(fx.w->flows), i + 1);
		CU_ASSERT_EQUAL(sl_flow6_count(fx.w->flows6), i + 1);

		/* each backend answers in its family */
		tp_spec_default(&r4, proto);
		memcpy(r4.dmac, &fx.hw[IN].mac, 6);
		r4.src = bip;
		r4.dst = s4.src;
		r4.sport = bport;
		r4.dport = s4.sport;
		r4.tcp_flags = RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG;
		push(mbuf_of(&r4), IN);
		m = sent(OUT);
		CU_ASSERT_PTR_NOT_NULL_FATAL(m);
		CU_ASSERT_EQUAL(ntohl(ip_of(m)->src_addr), 0x0a000064);
		CU_ASSERT_EQUAL(ntohl(ip_of(m)->dst_addr), 0x64600001);
		CU_ASSERT_EQUAL(l4_port(m, 0), port);
		CU_ASSERT(csums_ok(m));
		rte_pktmbuf_free(m);
		reply_out6(&s6, b, bport, RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG);
	}
	CU_ASSERT_PTR_NULL(sent(IN));
	CU_ASSERT_PTR_NULL(sent(OUT));
	CU_ASSERT_EQUAL(sl_flow_count(fx.w->flows), 2);
	CU_ASSERT_EQUAL(sl_flow6_count(fx.w->flows6), 2);
	for (i = 0; i < RTE_DIM(names); i++) {
		CU_ASSERT_EQUAL(fx.w->svc_stats[svc_named(names[i])->id].conns_active, 1);
		CU_ASSERT_EQUAL(fx.w->svc_stats[svc_named(names[i])->id].pkts_in, in0[i] + 1);
		CU_ASSERT_EQUAL(fx.w->svc_stats[svc_named(names[i])->id].pkts_out, out0[i] + 1);
	}
	empty_table();
	for (i = 0; i < RTE_DIM(names); i++)
		CU_ASSERT_EQUAL(fx.w->svc_stats[svc_named(names[i])->id].conns_active, 0);
	CU_ASSERT_EQUAL(rte_mempool_in_use_count(fx.pool), 0);
}

/* One packet through worker @p w, arriving on port index @p pidx. */
static void
push_w(struct sl_worker *w, struct rte_mbuf *m, int pidx)
{
	sl_fwd_burst(w, fx.snap, &m, 1, pidx, fx.now);
	sl_fwd_flush(w);
}

/* Worker @p to handles what worker @p from passed it, as its loop does
 * with its redirect rings. Returns how many packets that was. */
static unsigned
take_redirects(struct sl_worker *to, unsigned from)
{
	struct rte_mbuf *pkts[SL_BURST];
	unsigned n;

	n = rte_ring_dequeue_burst(to->redir_in[from], (void **)pkts, SL_BURST, NULL);
	if (n != 0) {
		sl_fwd_burst(to, fx.snap, pkts, n, -1, fx.now);
		sl_fwd_flush(to);
	}
	return n;
}

/*
 * Two workers: a connection belongs to the worker of its client address.
 * A client's SYN arriving at the other worker is passed to the owner
 * (counted as redirected) and handled there; the backend's answer,
 * arriving at the other worker, meets the connection at the same owner.
 * Clients of both workers exist among a few addresses.
 */
/* @p n workers linked by redirect rings in place of the fixture's one. */
static void
workers_make(struct sl_worker **w, unsigned n)
{
	struct sl_fwd_params p = {
		.lcore = rte_lcore_id(), .socket_id = (int)rte_socket_id(),
		.flow_capacity = fx.cfg->global.flow_capacity,
		.flow6_capacity = FLOW6_CAP,
		.timeouts = fx.cfg->global.timeouts,
	};
	unsigned i;

	drain_all();
	sl_fwd_worker_free(fx.w);
	fx.w = NULL;
	fx.env.n_workers = n;
	for (i = 0; i < n; i++) {
		p.id = i;
		w[i] = sl_fwd_worker_create(&fx.env, &p);
		CU_ASSERT_PTR_NOT_NULL_FATAL(w[i]);
	}
	CU_ASSERT_EQUAL_FATAL(sl_fwd_link(w, n), 0);
	rebuild();
	CU_ASSERT_EQUAL_FATAL(fx.snap->n_workers, n);
}

/* Back to the fixture's one worker. */
static void
workers_free(struct sl_worker **w, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++)
		sl_fwd_worker_free(w[i]);
	fx.env.n_workers = 1;
	rebuild();
	set_mtu(0);
}

static void
test_nat66_two_workers(void)
{
	struct sl_worker *w[2];
	unsigned seen[2] = { 0, 0 }, k;
	uint16_t n;

	workers_make(w, 2);

	for (n = 20; n < 84 && (seen[0] < 2 || seen[1] < 2); n++) {
		struct tp6_fspec s, want, r;
		uint64_t red[2] = { w[0]->stats.redirected, w[1]->stats.redirected };
		uint32_t held0 = sl_flow6_count(w[0]->flows6);
		unsigned owner, other;
		struct rte_mbuf *m;
		uint8_t b[16];

		/* the client's SYN arrives at worker 0 */
		client6_spec(&s, IPPROTO_TCP, n, 43000, 80, RTE_TCP_SYN_FLAG);
		push_w(w[0], mbuf6_of(&s), OUT);
		owner = w[0]->stats.redirected != red[0];
		other = 1 - owner;
		seen[owner]++;
		if (owner == 1) {
			/* passed on, not handled here */
			CU_ASSERT_EQUAL(w[0]->stats.redirected, red[0] + 1);
			CU_ASSERT_PTR_NULL(sent(IN));
			CU_ASSERT_EQUAL(sl_flow6_count(w[0]->flows6), held0);
			CU_ASSERT_EQUAL(take_redirects(w[1], 0), 1);
		}
		CU_ASSERT_EQUAL(w[1]->stats.redirected, red[1]);
		CU_ASSERT_PTR_NULL(sent(OUT));
		m = sent(IN);
		CU_ASSERT_PTR_NOT_NULL_FATAL(m);
		memcpy(b, rte_pktmbuf_mtod_offset(m, const uint8_t *, IP6_DST), 16);
		CU_ASSERT_FATAL(be6_index(b) >= 0);
		to_backend6(&want, &s, b, 8080);
		CU_ASSERT(frame6_is(m, &want));
		rte_pktmbuf_free(m);
		CU_ASSERT_PTR_NOT_NULL(conn6_of(w[owner], &s));
		CU_ASSERT_PTR_NULL(conn6_of(w[other], &s));

		/* the backend's answer arrives at the other worker: passed
		 * to the owner, out to the client from the VIP */
		backend6_spec(&r, &s, b, 8080, RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG);
		push_w(w[other], mbuf6_of(&r), IN);
		CU_ASSERT_PTR_NULL(sent(OUT));
		CU_ASSERT_EQUAL(w[other]->stats.redirected, red[other] + 1 + (owner == 1));
		CU_ASSERT_EQUAL(take_redirects(w[owner], other), 1);
		m = sent(OUT);
		CU_ASSERT_PTR_NOT_NULL_FATAL(m);
		to_client6(&want, &r, 80);
		CU_ASSERT(frame6_is(m, &want));
		rte_pktmbuf_free(m);
		CU_ASSERT_EQUAL(conn6_of(w[owner], &s)->state, SL_CS_SYN_RECV);

		/* at the owner directly: handled there, nothing passed */
		client6_spec(&s, IPPROTO_TCP, n, 43000, 80, RTE_TCP_ACK_FLAG);
		push_w(w[owner], mbuf6_of(&s), OUT);
		m = sent(IN);
		CU_ASSERT_PTR_NOT_NULL_FATAL(m);
		to_backend6(&want, &s, b, 8080);
		CU_ASSERT(frame6_is(m, &want));
		rte_pktmbuf_free(m);
		CU_ASSERT_EQUAL(conn6_of(w[owner], &s)->state, SL_CS_ESTABLISHED);
		for (k = 0; k < 2; k++) {
			CU_ASSERT_EQUAL(rte_ring_count(w[k]->redir_in[1 - k]), 0);
			CU_ASSERT_EQUAL(rte_ring_count(w[k]->to_mgmt), 0);
		}
	}
	CU_ASSERT(seen[0] >= 2);
	CU_ASSERT(seen[1] >= 2);
	CU_ASSERT_EQUAL(sl_flow6_count(w[0]->flows6) + sl_flow6_count(w[1]->flows6),
			seen[0] + seen[1]);
	CU_ASSERT_EQUAL(sl_flow6_count(w[0]->flows6), seen[0]);
	CU_ASSERT_EQUAL(sl_flow6_count(w[1]->flows6), seen[1]);
	/* each packet passed on is counted against the port it came in on:
	 * the client's SYNs on the outside, the backends' answers inside */
	for (k = 0; k < 2; k++)
		CU_ASSERT_EQUAL(w[k]->port_redirected[OUT] + w[k]->port_redirected[IN],
				w[k]->stats.redirected);
	CU_ASSERT_EQUAL(w[0]->port_redirected[OUT], seen[1]);
	CU_ASSERT_EQUAL(w[1]->port_redirected[OUT], 0);
	CU_ASSERT_EQUAL(w[0]->port_redirected[IN] + w[1]->port_redirected[IN],
			seen[0] + seen[1]);

	workers_free(w, 2);
	CU_ASSERT_EQUAL(rte_mempool_in_use_count(fx.pool), 0);
}

/*
 * Two workers: a packet to a VIP port without a service is dropped
 * (no_service) by whichever worker it reaches, owner or not, and never
 * passed on; a SYN to the service's port from the same client is still
 * passed to its owner. IPv4 and IPv6, clients of both workers.
 */
static void
test_no_service_not_passed_on(void)
{
	struct sl_worker *w[2];
	struct rte_mbuf *m;
	unsigned k, n, passed = 0;

	workers_make(w, 2);
	for (n = 0; n < 16; n++) {
		uint64_t ns[2], red[2];
		struct tp_fspec s;
		struct tp6_fspec s6;

		for (k = 0; k < 2; k++) {
			ns[k] = w[k]->stats.drops[SL_DROP_NO_SERVICE];
			red[k] = w[k]->stats.redirected;
		}
		client_spec(&s, IPPROTO_TCP, 0x64480001 + n, 41000, 81, RTE_TCP_SYN_FLAG);
		push_w(w[0], mbuf_of(&s), OUT);
		client6_spec(&s6, IPPROTO_TCP, (uint16_t)(100 + n), 41000, 81, RTE_TCP_SYN_FLAG);
		push_w(w[1], mbuf6_of(&s6), OUT);
		for (k = 0; k < 2; k++) {
			CU_ASSERT_EQUAL(w[k]->stats.drops[SL_DROP_NO_SERVICE], ns[k] + 1);
			CU_ASSERT_EQUAL(w[k]->stats.redirected, red[k]);
			CU_ASSERT_EQUAL(rte_ring_count(w[1 - k]->redir_in[k]), 0);
		}
		CU_ASSERT_PTR_NULL(sent(IN));
		CU_ASSERT_PTR_NULL(sent(OUT));
		/* the service's own port from the same client at worker 0 */
		client_spec(&s, IPPROTO_TCP, 0x64480001 + n, 41000, 80, RTE_TCP_SYN_FLAG);
		push_w(w[0], mbuf_of(&s), OUT);
		if (w[0]->stats.redirected != red[0]) {
			passed++;
			CU_ASSERT_EQUAL(take_redirects(w[1], 0), 1);
		}
		m = sent(IN);
		CU_ASSERT_PTR_NOT_NULL(m);
		rte_pktmbuf_free(m);
		CU_ASSERT_PTR_NULL(sent(IN));
	}
	/* some of those clients belong to worker 1 */
	CU_ASSERT(passed >= 2 && passed <= 14);
	workers_free(w, 2);
	CU_ASSERT_EQUAL(rte_mempool_in_use_count(fx.pool), 0);
}

/*
 * The owner function is the Toeplitz hash NICs compute: with the key
 * most NICs ship, it gives the published RSS verification hashes of
 * IPv4 source and destination (and with ports), and it equals DPDK's
 * reference rte_softrss() on random IPv4 and IPv6 addresses.
 */
static void
test_steer_hash(void)
{
	static const struct {
		uint32_t src, dst;
		uint16_t sport, dport;
		uint32_t ip, ip_ports;
	} v[] = {
		{ 0x420995bb, 0xa18e6450, 2794, 1766, 0x323e8fc2, 0x51ccc178 },
		{ 0xc75c6f02, 0x41458c53, 14230, 4739, 0xd718262a, 0xc626b0ea },
		{ 0x1813c65f, 0x0c16cfb8, 12898, 38024, 0xd2d0a5de, 0x5c2b394a },
		{ 0x261bcd1e, 0xd18ea306, 48228, 2217, 0x82989176, 0xafc7327f },
		{ 0x9927a3bf, 0xcabc7f02, 44251, 1303, 0x5d1809c5, 0x10e828a2 },
	};
	uint32_t seed = 0x5eed;
	unsigned i, k;

	for (i = 0; i < RTE_DIM(v); i++) {
		uint8_t in[12];

		tp_put32(in, v[i].src);
		tp_put32(in + 4, v[i].dst);
		tp_put16(in + 8, v[i].sport);
		tp_put16(in + 10, v[i].dport);
		CU_ASSERT_EQUAL(sl_steer_hash(in, 8), v[i].ip);
		CU_ASSERT_EQUAL(sl_steer_hash(in, 12), v[i].ip_ports);
	}
	for (i = 0; i < 20000; i++) {
		uint32_t words[4];
		uint8_t a[16];
		rte_be32_t ip;

		for (k = 0; k < 4; k++) {
			seed = seed * 1103515245u + 12345u;
			words[k] = seed ^ (seed >> 16) * 0x9e3779b9u;
			tp_put32(a + 4 * k, words[k]);
		}
		memcpy(&ip, a, 4);
		CU_ASSERT_EQUAL(sl_steer_hash4(ip), rte_softrss(words, 1, sl_steer_key));
		CU_ASSERT_EQUAL(sl_steer_hash(a, 16), rte_softrss(words, 4, sl_steer_key));
	}
}

/* The queue a NIC picks for @p len bytes at @p in: the Toeplitz hash
 * of them with Sluice's key (DPDK's reference implementation) through
 * the redirection table @p reta of @p size entries. */
static unsigned
nic_queue(const struct rte_eth_rss_reta_entry64 *reta, uint16_t size,
	  const uint8_t *in, unsigned len)
{
	uint32_t words[4];
	unsigned k, j;

	for (k = 0; k < len / 4; k++)
		words[k] = tp_get32(in + 4 * k);
	j = rte_softrss(words, len / 4, sl_steer_key) % size;
	return reta[j / RTE_ETH_RETA_GROUP_SIZE].reta[j % RTE_ETH_RETA_GROUP_SIZE];
}

/*
 * A redirection table filled for any RETA size a NIC may have sends
 * every address to the queue of its owner; the slots are shared out
 * evenly; sizes a NIC would index otherwise are refused.
 */
static void
test_steer_reta(void)
{
	struct rte_eth_rss_reta_entry64 reta[2048 / RTE_ETH_RETA_GROUP_SIZE];
	uint32_t seed = 77;
	uint16_t size;
	unsigned n, i;

	for (size = 128; size <= 2048; size *= 2)
		for (n = 1; n <= 8; n++) {
			unsigned per[8] = { 0 }, bad = 0;

			CU_ASSERT_EQUAL_FATAL(sl_steer_reta_fill(reta, size, n), 0);
			for (i = 0; i < SL_STEER_SLOTS; i++)
				per[sl_steer_slot_owner(i, n)]++;
			for (i = 0; i < n; i++)
				CU_ASSERT(per[i] >= SL_STEER_SLOTS / n &&
					  per[i] <= SL_STEER_SLOTS / n + 1);
			for (i = 0; i < 5000; i++) {
				uint8_t a[16];
				rte_be32_t ip;
				unsigned k;

				for (k = 0; k < 16; k += 4) {
					seed = seed * 1664525u + 1013904223u;
					tp_put32(a + k, seed);
				}
				memcpy(&ip, a, 4);
				bad += nic_queue(reta, size, a, 4) != sl_steer_owner4(ip, n);
				bad += nic_queue(reta, size, a, 16) != sl_steer_owner6(a, n);
			}
			CU_ASSERT_EQUAL(bad, 0);
		}
	CU_ASSERT_EQUAL(sl_steer_reta_fill(reta, 64, 2), -EINVAL);
	CU_ASSERT_EQUAL(sl_steer_reta_fill(reta, 384, 2), -EINVAL);
	CU_ASSERT_EQUAL(sl_steer_reta_fill(reta, 512, 0), -EINVAL);
}

/*
 * Which devices steer: RSS on one address alone with a 40..64-byte key
 * and a power-of-two redirection table of 128 entries or more; each
 * other device is refused with its reason, and so is one queue; off
 * asks for nothing.
 */
static void
test_steer_devices(void)
{
	const uint64_t ip = RTE_ETH_RSS_IPV4 | RTE_ETH_RSS_IPV6, tcp = RTE_ETH_RSS_TCP;
	const uint64_t both = RTE_ETH_RSS_L3_SRC_ONLY | RTE_ETH_RSS_L3_DST_ONLY;
	static const struct {
		uint64_t offloads;
		uint8_t key;
		uint16_t reta;
		unsigned nq;
		uint8_t mode;
		int steers;
		const char *why;
	} c[] = {
		{ 0, 40, 512, 2, SL_STEERING_SOURCE, 1, NULL },
		{ 0, 52, 512, 4, SL_STEERING_DESTINATION, 1, NULL },
		{ 0, 0, 128, 2, SL_STEERING_SOURCE, 1, NULL },
		{ 1, 40, 2048, 8, SL_STEERING_SOURCE, 1, NULL },
		{ 2, 40, 128, 2, SL_STEERING_SOURCE, 0, "cannot hash the source address alone" },
		{ 3, 40, 128, 2, SL_STEERING_DESTINATION, 0,
		  "cannot hash the destination address alone" },
		{ 0, 40, 64, 2, SL_STEERING_SOURCE, 0, "not a power of two of 128 to 8192 entries" },
		{ 0, 40, 16384, 2, SL_STEERING_SOURCE, 0, "not a power of two of 128 to 8192 entries" },
		{ 0, 40, 384, 2, SL_STEERING_SOURCE, 0, "not a power of two" },
		{ 0, 16, 512, 2, SL_STEERING_SOURCE, 0, "key is not 40 to 64 bytes" },
		{ 0, 40, 512, 1, SL_STEERING_SOURCE, 0, "one worker" },
		{ 0, 40, 512, 2, SL_STEERING_OFF, 0, "untouched" },
	};
	unsigned i;

	for (i = 0; i < RTE_DIM(c); i++) {
		struct rte_eth_dev_info info;
		const char *why = "untouched";
		uint64_t only = c[i].mode == SL_STEERING_SOURCE ? RTE_ETH_RSS_L3_SRC_ONLY :
			RTE_ETH_RSS_L3_DST_ONLY;
		uint64_t hf;

		memset(&info, 0, sizeof(info));
		/* 0: both addresses alone; 1: IPv4 only; 2: no "only" bits
		 * at all; 3: the source alone but not the destination */
		info.flow_type_rss_offloads = c[i].offloads == 0 ? ip | tcp | both :
			c[i].offloads == 1 ? RTE_ETH_RSS_IPV4 | both :
			c[i].offloads == 2 ? ip | tcp : ip | RTE_ETH_RSS_L3_SRC_ONLY;
		info.hash_key_size = c[i].key;
		info.reta_size = c[i].reta;
		hf = sl_steer_rss_hf((enum sl_steering)c[i].mode, &info, c[i].nq, &why);
		if (c[i].steers) {
			CU_ASSERT_EQUAL(hf, (info.flow_type_rss_offloads & ip) | only);
			CU_ASSERT_STRING_EQUAL(why, "untouched");
		} else {
			CU_ASSERT_EQUAL(hf, 0);
			CU_ASSERT_PTR_NOT_NULL(strstr(why, c[i].why));
		}
	}
}

/*
 * The redirection table through a device's own ethdev calls: a net_null
 * port (RSS with a 128-entry table, nothing else) takes the table for
 * two and for three workers and reads it back slot by slot; a size the
 * device does not have is refused by the device, a size too small by
 * Sluice, each with its reason.
 */
static void
test_steer_device_reta(void)
{
	struct rte_eth_conf conf;
	struct rte_eth_dev_info info;
	struct rte_eth_rss_reta_entry64 got[128 / RTE_ETH_RETA_GROUP_SIZE];
	const char *why = NULL;
	uint16_t pid;
	unsigned n, j, q;

	CU_ASSERT_EQUAL_FATAL(rte_vdev_init("net_null_steer0", NULL), 0);
	CU_ASSERT_EQUAL_FATAL(rte_eth_dev_get_port_by_name("net_null_steer0", &pid), 0);
	CU_ASSERT_EQUAL_FATAL(rte_eth_dev_info_get(pid, &info), 0);
	CU_ASSERT_EQUAL_FATAL(info.reta_size, 128);
	memset(&conf, 0, sizeof(conf));
	conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
	conf.rx_adv_conf.rss_conf.rss_hf = RTE_ETH_RSS_IPV4;
	CU_ASSERT_EQUAL_FATAL(rte_eth_dev_configure(pid, 3, 3, &conf), 0);
	for (q = 0; q < 3; q++) {
		CU_ASSERT_EQUAL_FATAL(rte_eth_rx_queue_setup(pid, (uint16_t)q, 64,
							     rte_socket_id(), NULL, fx.pool), 0);
		CU_ASSERT_EQUAL_FATAL(rte_eth_tx_queue_setup(pid, (uint16_t)q, 64,
							     rte_socket_id(), NULL), 0);
	}
	CU_ASSERT_EQUAL_FATAL(rte_eth_dev_start(pid), 0);
	for (n = 2; n <= 3; n++) {
		unsigned bad = 0, per[3] = { 0 };

		CU_ASSERT_EQUAL(sl_steer_port_reta(pid, 128, n, &why), 0);
		for (j = 0; j < RTE_DIM(got); j++)
			got[j].mask = UINT64_MAX;
		CU_ASSERT_EQUAL_FATAL(rte_eth_dev_rss_reta_query(pid, got, 128), 0);
		for (j = 0; j < 128; j++) {
			unsigned e = got[j / RTE_ETH_RETA_GROUP_SIZE].reta[j % RTE_ETH_RETA_GROUP_SIZE];

			bad += e != sl_steer_slot_owner(j, n);
			per[e < 3 ? e : 0]++;
		}
		CU_ASSERT_EQUAL(bad, 0);
		for (j = 0; j < n; j++)
			CU_ASSERT(per[j] >= 128 / n);
	}
	CU_ASSERT_NOT_EQUAL(sl_steer_port_reta(pid, 256, 2, &why), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "refused the redirection table"));
	CU_ASSERT_EQUAL(sl_steer_port_reta(pid, 64, 2, &why), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "not a power of two of 128"));
	CU_ASSERT_EQUAL(rte_eth_dev_stop(pid), 0);
	CU_ASSERT_EQUAL(rte_eth_dev_close(pid), 0);
	CU_ASSERT_EQUAL(rte_vdev_uninit("net_null_steer0"), 0);
}

/*
 * NIC steering end to end, two and three workers: each frame goes to
 * the worker whose queue a NIC picks for it (the outside port hashing
 * the source address, the inside port the destination, both through a
 * 512-entry table Sluice filled). Every client's SYN, the backend's
 * SYN-ACK and the client's ACK are handled where they land: the
 * connection is at that worker, nothing is passed between workers, and
 * all workers get clients. IPv4 and IPv6.
 */
static void
test_steer_workers(void)
{
	struct rte_eth_rss_reta_entry64 reta[512 / RTE_ETH_RETA_GROUP_SIZE];
	struct sl_worker *w[3];
	unsigned n, i, k;

	for (n = 2; n <= 3; n++) {
		unsigned seen[3] = { 0 }, seen6[3] = { 0 };
		uint64_t redirected = 0;

		workers_make(w, n);
		CU_ASSERT_EQUAL_FATAL(sl_steer_reta_fill(reta, 512, n), 0);
		for (i = 0; i < 60; i++) {
			uint32_t client = 0x64400000 + i * 7919;
			struct tp_fspec s, r;
			struct rte_mbuf *m;
			unsigned q;
			uint32_t bip;

			client_spec(&s, IPPROTO_TCP, client, 40000 + i, 80, RTE_TCP_SYN_FLAG);
			m = mbuf_of(&s);
			q = nic_queue(reta, 512, rte_pktmbuf_mtod_offset(m, uint8_t *, 14 + 12), 4);
			if (q >= n) {
				CU_FAIL("a queue beyond the workers");
				rte_pktmbuf_free(m);
				break;
			}
			seen[q]++;
			push_w(w[q], m, OUT);
			m = sent(IN);
			if (m == NULL) {
				CU_FAIL("the SYN was not forwarded where it landed");
				break;
			}
			bip = ntohl(ip_of(m)->dst_addr);
			rte_pktmbuf_free(m);
			CU_ASSERT_PTR_NOT_NULL(conn_of_w(w[q], &s));

			backend_seg(&r, bip, 9000, s.seq + 1, RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG);
			r.dst = client;
			r.dport = s.sport;
			m = mbuf_of(&r);
			CU_ASSERT_EQUAL(nic_queue(reta, 512,
				rte_pktmbuf_mtod_offset(m, uint8_t *, 14 + 16), 4), q);
			push_w(w[q], m, IN);
			m = sent(OUT);
			if (m == NULL) {
				CU_FAIL("the SYN-ACK was not forwarded where it landed");
				break;
			}
			CU_ASSERT_EQUAL(ntohl(ip_of(m)->src_addr), 0x0a000064);
			CU_ASSERT_EQUAL(ntohl(ip_of(m)->dst_addr), client);
			rte_pktmbuf_free(m);
		}
		for (i = 1; i <= 60; i++) {
			struct tp6_fspec s, r;
			struct rte_mbuf *m;
			uint8_t b[16];
			unsigned q;

			client6_spec(&s, IPPROTO_TCP, (uint16_t)(i * 131), 41000, 80,
				     RTE_TCP_SYN_FLAG);
			m = mbuf6_of(&s);
			q = nic_queue(reta, 512, rte_pktmbuf_mtod_offset(m, uint8_t *, IP6_SRC), 16);
			if (q >= n) {
				CU_FAIL("a queue beyond the workers");
				rte_pktmbuf_free(m);
				break;
			}
			seen6[q]++;
			push_w(w[q], m, OUT);
			m = sent(IN);
			if (m == NULL) {
				CU_FAIL("the SYN was not forwarded where it landed");
				break;
			}
			memcpy(b, rte_pktmbuf_mtod_offset(m, const uint8_t *, IP6_DST), 16);
			rte_pktmbuf_free(m);
			CU_ASSERT_PTR_NOT_NULL(conn6_of(w[q], &s));

			backend6_spec(&r, &s, b, 8080, RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG);
			m = mbuf6_of(&r);
			CU_ASSERT_EQUAL(nic_queue(reta, 512,
				rte_pktmbuf_mtod_offset(m, uint8_t *, IP6_DST), 16), q);
			push_w(w[q], m, IN);
			m = sent(OUT);
			if (m == NULL) {
				CU_FAIL("the SYN-ACK was not forwarded where it landed");
				break;
			}
			rte_pktmbuf_free(m);
		}
		for (k = 0; k < n; k++) {
			redirected += w[k]->stats.redirected;
			CU_ASSERT(seen[k] > 0);
			CU_ASSERT(seen6[k] > 0);
			CU_ASSERT_EQUAL(sl_flow_count(w[k]->flows), seen[k]);
			CU_ASSERT_EQUAL(sl_flow6_count(w[k]->flows6), seen6[k]);
		}
		CU_ASSERT_EQUAL(redirected, 0);
		workers_free(w, n);
	}
	CU_ASSERT_EQUAL(rte_mempool_in_use_count(fx.pool), 0);
}

/* Whether @p len bytes of header @p f match item @p spec under @p mask,
 * byte by byte (the items' headers are in wire layout). */
static int
item_bytes_match(const uint8_t *f, const void *spec, const void *mask, size_t len)
{
	const uint8_t *sp = spec, *mk = mask;
	size_t i;

	for (i = 0; i < len; i++)
		if ((f[i] & mk[i]) != (sp[i] & mk[i]))
			return 0;
	return 1;
}

/*
 * A NIC taking rte_flow rules, as far as steering fullnat replies needs:
 * the queue of the first of @p nr rules whose every item matches frame
 * @p f (Ethernet without spec; IPv4 or IPv6 and TCP or UDP, each header
 * compared under its mask), or -1 when none does; @p matches (unless
 * NULL) counts the rules that match. Read off the rules' items and
 * actions, not off what made them.
 */
static int
nic_flow_queue(const struct sl_steer_lport_flow *rules, unsigned nr, const uint8_t *f,
	       unsigned *matches)
{
	unsigned r, dummy;
	int first = -1;

	if (matches == NULL)
		matches = &dummy;
	*matches = 0;

	for (r = 0; r < nr; r++) {
		const struct rte_flow_item *it = rules[r].pattern;
		uint16_t etype = tp_get16(f + 12);
		unsigned off = 0, match = 1;
		uint8_t l4 = 0;

		if (!rules[r].attr.ingress || rules[r].actions[0].type != RTE_FLOW_ACTION_TYPE_QUEUE ||
		    rules[r].actions[1].type != RTE_FLOW_ACTION_TYPE_END) {
			CU_FAIL("a rule not of ingress frames to one queue");
			return -1;
		}
		for (; match && it->type != RTE_FLOW_ITEM_TYPE_END; it++) {
			if (it->type != RTE_FLOW_ITEM_TYPE_ETH && (it->spec == NULL || it->mask == NULL)) {
				CU_FAIL("an item without spec or mask");
				return -1;
			}
			switch (it->type) {
			case RTE_FLOW_ITEM_TYPE_ETH:
				CU_ASSERT_PTR_NULL(it->spec);
				off = 14;
				break;
			case RTE_FLOW_ITEM_TYPE_IPV4:
				match = etype == RTE_ETHER_TYPE_IPV4 &&
					item_bytes_match(f + off, it->spec, it->mask,
							 sizeof(struct rte_ipv4_hdr));
				l4 = f[off + 9];
				off += (f[off] & 0x0f) * 4u;
				break;
			case RTE_FLOW_ITEM_TYPE_IPV6:
				match = etype == RTE_ETHER_TYPE_IPV6 &&
					item_bytes_match(f + off, it->spec, it->mask,
							 sizeof(struct rte_ipv6_hdr));
				l4 = f[off + 6];
				off += 40;
				break;
			case RTE_FLOW_ITEM_TYPE_TCP:
				match = l4 == IPPROTO_TCP &&
					item_bytes_match(f + off, it->spec, it->mask,
							 sizeof(struct rte_tcp_hdr));
				break;
			case RTE_FLOW_ITEM_TYPE_UDP:
				match = l4 == IPPROTO_UDP &&
					item_bytes_match(f + off, it->spec, it->mask,
							 sizeof(struct rte_udp_hdr));
				break;
			default:
				CU_FAIL("an item this NIC does not know");
				return -1;
			}
		}
		if (match && (*matches)++ == 0)
			first = ((const struct rte_flow_action_queue *)rules[r].actions[0].conf)->index;
	}
	return first;
}

/* A frame from @p src to @p dst (4 or 16 bytes, @p v6) port @p dport,
 * protocol @p proto, written to @p f. */
static void
reply_frame(uint8_t *f, int v6, uint8_t proto, const uint8_t *src, const uint8_t *dst,
	    uint16_t dport)
{
	if (v6) {
		struct tp6_fspec r;

		tp6_spec_default(&r, proto);
		memcpy(r.src, src, 16);
		memcpy(r.dst, dst, 16);
		r.sport = 8080;
		r.dport = dport;
		tp6_build_frame(&r, f, NULL);
	} else {
		struct tp_fspec r;

		tp_spec_default(&r, proto);
		r.src = tp_get32(src);
		r.dst = tp_get32(dst);
		r.sport = 8080;
		r.dport = dport;
		tp_build_frame(&r, f, NULL);
	}
}

/*
 * The rules that steer fullnat replies, through a NIC model: for 2 to 16
 * workers, powers of two and not, every local port of one IPv4 address
 * over TCP, and every 97th of the other protocol and of another IPv4 and
 * an IPv6 address, matches exactly one rule, its owner's queue's, and
 * each worker gets its share of the ports (at most a quarter more than
 * another's); a frame to another address, or of another protocol,
 * matches none; slots beyond the workers' and other protocols are
 * refused.
 */
static void
test_steer_lport_rules(void)
{
	static const unsigned counts[] = { 2, 3, 4, 5, 6, 8, 12, 16 };
	static struct sl_steer_lport_flow rules[3 * 2 * 64];
	static const uint8_t l4s[2] = { IPPROTO_TCP, IPPROTO_UDP };
	const uint8_t a4[2][4] = { { 10, 1, 0, 5 }, { 10, 1, 0, 6 } }, b4[4] = { 10, 1, 0, 11 };
	const uint8_t a6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 1, [15] = 5 };
	const uint8_t b6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 1, [15] = 0x11 };
	uint8_t f[TP_MAX_FRAME];
	struct sl_steer_lport_flow one;
	uint16_t spec, mask;
	unsigned c, n, m, a, p, q, nr, port, bad = 0, hits[16], all[16];

	for (c = 0; c < RTE_DIM(counts); c++) {
		n = counts[c];
		m = sl_lport_slots(n);
		CU_ASSERT(m >= n && (m & (m - 1)) == 0 && (m == n || m >= 4 * n));
		nr = 0;
		for (a = 0; a < 3; a++)
			for (p = 0; p < 2; p++)
				for (q = 0; q < m; q++)
					CU_ASSERT_EQUAL_FATAL(sl_steer_lport_flow(&rules[nr++], a == 2,
						a == 2 ? a6 : a4[a], l4s[p], q, n), 0);
		memset(hits, 0, sizeof(hits));
		memset(all, 0, sizeof(all));
		for (a = 0; a < 3; a++)
			for (p = 0; p < 2; p++)
				/* every port for one address and protocol, a sample for the rest */
				for (port = 0; port < 65536; port += (a == 0 && p == 0) ? 1 : 97) {
					unsigned matches;
					int got;

					reply_frame(f, a == 2, l4s[p], a == 2 ? b6 : b4,
						    a == 2 ? a6 : a4[a], (uint16_t)port);
					got = nic_flow_queue(rules, nr, f, &matches);
					bad += got != (int)sl_lport_owner((uint16_t)port, n) ||
					       matches != 1;
					if (got >= 0 && got < 16) {
						hits[got]++;
						all[got] += a == 0 && p == 0;
					}
				}
		CU_ASSERT_EQUAL(bad, 0);
		for (q = 0; q < n; q++) {
			/* m / n slots or one more: a quarter more at most */
			CU_ASSERT(all[q] == 65536 / m * (m / n) || all[q] == 65536 / m * (m / n + 1));
			CU_ASSERT(4 * all[q] <= 5 * (65536 / m * (m / n)));
		}
		/* not a local address; ICMP to one */
		reply_frame(f, 0, IPPROTO_TCP, b4, b4, 40000);
		CU_ASSERT_EQUAL(nic_flow_queue(rules, nr, f, NULL), -1);
		reply_frame(f, 1, IPPROTO_UDP, a6, b6, 40000);
		CU_ASSERT_EQUAL(nic_flow_queue(rules, nr, f, NULL), -1);
		reply_frame(f, 0, IPPROTO_ICMP, b4, a4[0], 40000);
		CU_ASSERT_EQUAL(nic_flow_queue(rules, nr, f, NULL), -1);
	}
	CU_ASSERT_EQUAL(sl_steer_lport_match(0, 1, &spec, &mask), -EINVAL);
	CU_ASSERT_EQUAL(sl_steer_lport_match(4, 4, &spec, &mask), -EINVAL);
	CU_ASSERT_EQUAL(sl_steer_lport_match(16, 3, &spec, &mask), -EINVAL);
	CU_ASSERT_EQUAL(sl_steer_lport_match(3, 4, &spec, &mask), 0);
	CU_ASSERT_EQUAL(spec, 3);
	CU_ASSERT_EQUAL(mask, 3);
	CU_ASSERT_EQUAL(sl_steer_lport_match(15, 3, &spec, &mask), 0);
	CU_ASSERT_EQUAL(spec, 15);
	CU_ASSERT_EQUAL(mask, 15);
	CU_ASSERT_EQUAL(sl_steer_lport_flow(&one, 0, a4[0], IPPROTO_TCP, 14, 3), 0);
	CU_ASSERT_EQUAL(one.queue.index, 2);
	CU_ASSERT_EQUAL(sl_steer_lport_flow(&one, 0, a4[0], IPPROTO_ICMP, 0, 2), -EINVAL);
	CU_ASSERT_EQUAL(sl_steer_lport_flow(&one, 0, a4[0], IPPROTO_TCP, 32, 6), -EINVAL);
}

/*
 * The workers' slices of the fullnat local ports, for 1 to 9, 12, 16 and
 * 64 workers over ranges that start and end anywhere in a block of
 * slots: every port of the range is in exactly one slice, that of its
 * owner (sl_lport_owner()), and each slice lists its ports in
 * order, the count it gives, before it wraps; a range that holds none
 * of a worker's ports gives it no slice.
 */
static void
test_lport_slices(void)
{
	static const unsigned counts[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 16, 64 };
	static const uint16_t ranges[][2] = {
		{ 1024, 65535 }, { 40000, 40999 }, { 40000, 40003 }, { 1, 1 },
		{ 65535, 65535 }, { 13, 200 }, { 1021, 1100 }, { 0, 65535 },
	};
	static uint8_t seen[65536];
	static struct sl_worker wk;
	struct sl_fwd_env e;
	unsigned c, r, id, bad = 0, empty = 0;

	memset(&e, 0, sizeof(e));
	wk.env = &e;
	for (c = 0; c < RTE_DIM(counts); c++)
		for (r = 0; r < RTE_DIM(ranges); r++) {
			uint32_t lo = ranges[r][0], hi = ranges[r][1], p;

			e.n_workers = counts[c];
			e.lport_lo = (uint16_t)lo;
			e.lport_hi = (uint16_t)hi;
			memset(seen, 0, sizeof(seen));
			for (id = 0; id < counts[c]; id++) {
				const struct sl_lport_slice *s;
				uint32_t seq, prev = 0;

				wk.id = id;
				wk.lport.n = 0;   /* a worker's id never changes: made again */
				s = lport_slice(&wk);
				if (s == NULL) {
					empty++;
					continue;
				}
				for (seq = 0; seq < s->count; seq++) {
					p = rte_be_to_cpu_16(lport_at(s, seq));
					bad += p < lo || p > hi || (seq > 0 && p <= prev) ||
					       sl_lport_owner((uint16_t)p, counts[c]) != id;
					seen[p]++;
					prev = p;
				}
				/* then it starts again */
				bad += lport_at(s, s->count) != lport_at(s, 0);
			}
			for (p = 0; p < 65536; p++)
				bad += seen[p] != (p >= lo && p <= hi);
		}
	CU_ASSERT_EQUAL(bad, 0);
	/* one-port ranges leave all workers but one without a slice */
	CU_ASSERT(empty > 0);
}

static void set_mode(const char *name, uint8_t mode);

/* A device taking rules for sl_steer_lport_install(): refuses the
 * refuse-th (from 1; 0: none), keeps copies of what it holds. */
struct fake_dev {
	unsigned calls, refuse, held, undone;
	struct sl_steer_lport_flow kept[3 * 2 * 16];
	int live[3 * 2 * 16];
};

static void *
fake_make(void *ctx, const struct sl_steer_lport_flow *f, const char **err)
{
	struct fake_dev *d = ctx;
	unsigned i = d->calls++;

	if (d->calls == d->refuse || i >= RTE_DIM(d->kept)) {
		*err = "no room";
		return NULL;
	}
	/* a copy, its items pointing into itself, as the device's own */
	d->kept[i] = *f;
	d->kept[i].pattern[1].spec = &d->kept[i].ip;
	d->kept[i].pattern[1].mask = &d->kept[i].ip_mask;
	d->kept[i].pattern[2].spec = &d->kept[i].l4;
	d->kept[i].pattern[2].mask = &d->kept[i].l4_mask;
	d->kept[i].actions[0].conf = &d->kept[i].queue;
	d->live[i] = 1;
	d->held++;
	return &d->live[i];
}

static void
fake_undo(void *ctx, void *rule)
{
	struct fake_dev *d = ctx;
	int *live = rule;

	CU_ASSERT_EQUAL(*live, 1);
	*live = 0;
	d->held--;
	d->undone++;
}

/*
 * A port's rules made all or none: two IPv4 and one IPv6 local address
 * with 2, 3, 4 and 8 workers take every (address, protocol, slot) rule,
 * and through a NIC model they send each local port to its owner; a
 * device refusing the k-th rule is left with none, and says for which
 * address; one worker makes none and says why.
 */
static void
test_steer_lport_install(void)
{
	static struct fake_dev d;
	struct sl_steer_locals loc;
	void *rules[3 * 2 * 16];
	const uint8_t a6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 1, [15] = 5 };
	const uint8_t b4[4] = { 10, 1, 0, 11 };
	const uint8_t b6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 1, [15] = 0x11 };
	uint8_t f[TP_MAX_FRAME];
	char why[160];
	static const unsigned counts[] = { 2, 3, 4, 8 };
	unsigned c, n, i, k, port, bad;

	memset(&loc, 0, sizeof(loc));
	loc.n4 = 2;
	loc.n6 = 1;
	loc.a4[0] = htonl(0x0a010005);
	loc.a4[1] = htonl(0x0a010006);
	memcpy(loc.a6[0], a6, 16);
	for (c = 0; c < RTE_DIM(counts); c++) {
		unsigned m = sl_lport_slots(counts[c]), want = 3 * 2 * m;

		n = counts[c];
		memset(&d, 0, sizeof(d));
		CU_ASSERT_EQUAL(sl_steer_lport_count(&loc, n), want);
		CU_ASSERT_EQUAL(sl_steer_lport_install(&loc, n, fake_make, fake_undo, &d, rules,
						       why, sizeof(why)), want);
		CU_ASSERT_EQUAL(d.held, want);
		CU_ASSERT_EQUAL(d.undone, 0);
		CU_ASSERT(strncmp(why, "NIC rules: 3 local addresses", 28) == 0);
		/* what the device holds steers every port of every address */
		for (bad = 0, port = 0; port < 65536; port += 7) {
			const uint8_t *dst = port % 3 == 2 ? a6 : (const uint8_t *)&loc.a4[port % 3];
			unsigned matches;

			reply_frame(f, port % 3 == 2, port % 2 ? IPPROTO_UDP : IPPROTO_TCP,
				    port % 3 == 2 ? b6 : b4, dst, (uint16_t)port);
			bad += nic_flow_queue(d.kept, d.calls, f, &matches) !=
				(int)sl_lport_owner((uint16_t)port, n) || matches != 1;
		}
		CU_ASSERT_EQUAL(bad, 0);
		/* refused at the first, a middle and the last rule */
		for (i = 0; i < 3; i++) {
			k = i == 0 ? 1 : i == 1 ? want / 2 : want;
			memset(&d, 0, sizeof(d));
			d.refuse = k;
			CU_ASSERT_EQUAL(sl_steer_lport_install(&loc, n, fake_make, fake_undo, &d,
							       rules, why, sizeof(why)), 0);
			CU_ASSERT_EQUAL(d.calls, k);
			CU_ASSERT_EQUAL(d.held, 0);
			CU_ASSERT_EQUAL(d.undone, k - 1);
			CU_ASSERT(strstr(why, "redirect rings: the device refused a rule for ") == why);
			CU_ASSERT(strstr(why, (k - 1) / (2 * m) == 2 ? "2001:db8:1::5 (no room)" :
					 (k - 1) / (2 * m) == 1 ? "10.1.0.6 (no room)" :
					 "10.1.0.5 (no room)") != NULL);
		}
	}
	memset(&d, 0, sizeof(d));
	CU_ASSERT_EQUAL(sl_steer_lport_install(&loc, 1, fake_make, fake_undo, &d, rules,
					       why, sizeof(why)), 0);
	CU_ASSERT_STRING_EQUAL(why, "one worker: nothing to steer");
	CU_ASSERT_EQUAL(d.calls, 0);
}

/* Backend reply @p m through the NIC model's @p nr rules to the worker
 * of the queue they pick, of @p n, which must be @p own (counted in
 * @p per_queue): what that worker sent out of the outside port, or NULL
 * (the test failed). */
static struct rte_mbuf *
reply_by_rules(const struct sl_steer_lport_flow *rules, unsigned nr, struct sl_worker **w,
	       unsigned n, unsigned own, struct rte_mbuf *m, unsigned *per_queue)
{
	int got = nic_flow_queue(rules, nr, rte_pktmbuf_mtod(m, const uint8_t *), NULL);

	CU_ASSERT_EQUAL(got, (int)own);
	if (got < 0 || got >= (int)n) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	per_queue[got]++;
	push_w(w[got], m, IN);
	m = sent(OUT);
	if (m == NULL)
		CU_FAIL("the reply was not forwarded where the rules put it");
	return m;
}

/*
 * FullNAT replies where a NIC with Sluice's rules puts them, two, three
 * and four workers: each client's SYN (TCP) or first datagram (UDP) is handled by
 * its owner, the backend's answer to the local address and port goes to
 * the queue the rules pick for it, and that is the worker holding the
 * connection: answered from the VIP, nothing passed between workers, and
 * every worker gets replies.
 */
static void
test_steer_lport_workers(void)
{
	static struct sl_steer_lport_flow rules[3 * 2 * 16];
	static const uint8_t l4s[2] = { IPPROTO_TCP, IPPROTO_UDP };
	const struct sl_config_port *in = &fx.cfg->ports[IN];
	struct sl_worker *w[4];
	unsigned n, a, p, q, i, k, nr;

	CU_ASSERT_EQUAL_FATAL(in->n_local, 2);
	CU_ASSERT_EQUAL_FATAL(in->n_local6, 1);
	for (n = 2; n <= 4; n++) {
		unsigned replies[4] = { 0 }, replies6[4] = { 0 };
		uint64_t redirected = 0;

		workers_make(w, n);
		set_fullnat(1, 40000, 40999);
		nr = 0;
		for (a = 0; a < 3; a++) {
			uint32_t la = a < 2 ? htonl(in->local_addrs[a]) : 0;

			for (p = 0; p < 2; p++)
				for (q = 0; q < sl_lport_slots(n); q++)
					CU_ASSERT_EQUAL_FATAL(sl_steer_lport_flow(&rules[nr++], a == 2,
						a == 2 ? (const void *)in->local6[0] : (const void *)&la,
						l4s[p], q, n), 0);
		}
		for (i = 0; i < 80; i++) {
			uint8_t proto = l4s[i % 2];
			uint32_t client = 0x64400000 + i * 7919;
			struct tp_fspec s, r;
			struct rte_mbuf *m;
			unsigned own = sl_steer_owner4(htonl(client), n);

			client_spec(&s, proto, client, (uint16_t)(42000 + i), proto == IPPROTO_TCP ? 80 : 53,
				    RTE_TCP_SYN_FLAG);
			push_w(w[own], mbuf_of(&s), OUT);
			m = sent(IN);
			if (m == NULL) {
				CU_FAIL("the client's packet was not forwarded by its owner");
				break;
			}
			tp_spec_default(&r, proto);
			memcpy(r.dmac, &fx.hw[IN].mac, 6);
			r.src = ntohl(ip_of(m)->dst_addr);
			r.dst = ntohl(ip_of(m)->src_addr);
			r.sport = l4_port(m, 1);
			r.dport = l4_port(m, 0);
			r.tcp_flags = RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG;
			r.payload_len = proto == IPPROTO_TCP ? 0 : 12;
			rte_pktmbuf_free(m);
			m = reply_by_rules(rules, nr, w, n, own, mbuf_of(&r), replies);
			if (m == NULL)
				break;
			CU_ASSERT_EQUAL(ntohl(ip_of(m)->src_addr), 0x0a000064);
			CU_ASSERT_EQUAL(ntohl(ip_of(m)->dst_addr), client);
			rte_pktmbuf_free(m);
		}
		/* IPv6 fullnat, from the IPv6 local address */
		set_mode("web6", SL_MODE_FULLNAT);
		set_mode("dns6", SL_MODE_FULLNAT);
		for (i = 1; i <= 80; i++) {
			uint8_t proto = l4s[i % 2];
			struct tp6_fspec s, r;
			struct rte_mbuf *m;
			uint8_t b[16], lip[16];
			unsigned own;

			client6_spec(&s, proto, (uint16_t)(i * 131), (uint16_t)(43000 + i),
				     proto == IPPROTO_TCP ? 80 : 53, RTE_TCP_SYN_FLAG);
			own = sl_steer_owner6(s.src, n);
			push_w(w[own], mbuf6_of(&s), OUT);
			m = sent(IN);
			if (m == NULL) {
				CU_FAIL("the IPv6 client's packet was not forwarded by its owner");
				break;
			}
			memcpy(lip, rte_pktmbuf_mtod_offset(m, const uint8_t *, IP6_SRC), 16);
			memcpy(b, rte_pktmbuf_mtod_offset(m, const uint8_t *, IP6_DST), 16);
			CU_ASSERT(memcmp(lip, in->local6[0], 16) == 0);
			backend6_spec(&r, &s, b, proto == IPPROTO_TCP ? 8080 : 5353,
				      RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG);
			memcpy(r.dst, lip, 16);
			r.dport = tp_get16(rte_pktmbuf_mtod_offset(m, const uint8_t *, IP6_L4));
			rte_pktmbuf_free(m);
			m = reply_by_rules(rules, nr, w, n, own, mbuf6_of(&r), replies6);
			if (m == NULL)
				break;
			CU_ASSERT(memcmp(rte_pktmbuf_mtod_offset(m, const uint8_t *, IP6_SRC), vip6, 16) == 0);
			CU_ASSERT(memcmp(rte_pktmbuf_mtod_offset(m, const uint8_t *, IP6_DST), s.src, 16) == 0);
			rte_pktmbuf_free(m);
		}
		for (k = 0; k < n; k++) {
			redirected += w[k]->stats.redirected;
			CU_ASSERT(replies[k] > 0);
			CU_ASSERT(replies6[k] > 0);
		}
		CU_ASSERT_EQUAL(redirected, 0);
		set_mode("web6", SL_MODE_NAT);
		set_mode("dns6", SL_MODE_NAT);
		set_fullnat(0, 1024, 65535);
		workers_free(w, n);
	}
	CU_ASSERT_EQUAL(rte_mempool_in_use_count(fx.pool), 0);
}

/* An ICMPv6 message of @p type from client @p n to @p dst, as the
 * outside port receives it (echo: identifier 0x4242, sequence 7). */
static void
icmp6_spec(struct tp6_fspec *s, uint8_t type, uint16_t n, const uint8_t dst[16])
{
	tp6_spec_default(s, TP_IPPROTO_ICMPV6);
	memcpy(s->dmac, &fx.hw[OUT].mac, 6);
	memcpy(s->smac, client_mac, 6);
	client6(s->src, n);
	memcpy(s->dst, dst, 16);
	s->icmp_type = type;
	s->sport = 0x4242;
	s->dport = 7;
	s->hlim = 50;
}

/* Echo request @p s through port @p pidx: answered out of the same
 * port, byte for byte the request with MACs and addresses swapped, type
 * 129, hop limit 64, its checksum valid. */
static void
echo6_answered(const struct tp6_fspec *s, int pidx)
{
	uint64_t echo0 = fx.w->stats.icmp_echo;
	struct tp6_fspec want = *s;
	struct rte_mbuf *m;

	push(mbuf6_of(s), pidx);
	CU_ASSERT_PTR_NULL(sent(1 - pidx));
	m = sent(pidx);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	CU_ASSERT_PTR_NULL(sent(pidx));
	memcpy(want.dmac, s->smac, 6);
	memcpy(want.smac, s->dmac, 6);
	memcpy(want.src, s->dst, 16);
	memcpy(want.dst, s->src, 16);
	want.icmp_type = 129;
	want.hlim = 64;
	CU_ASSERT(frame6_is(m, &want));
	CU_ASSERT(l4_csum6_ok(m, TP_IPPROTO_ICMPV6));
	rte_pktmbuf_free(m);
	CU_ASSERT_EQUAL(fx.w->stats.icmp_echo, echo0 + 1);
}

/*
 * ICMPv6: a neighbour solicitation to the VIP's solicited-node group and
 * an unsolicited advertisement go, unchanged, to the management lcore
 * (tagged to be handled there); echo requests to the VIP and to each
 * port's own IPv6 address are answered in place; a router advertisement,
 * an echo request to an address that is not ours and an echo reply are
 * dropped as icmp6_other. Nothing is created, nothing leaks.
 */
static void
test_icmp6(void)
{
	static const uint8_t group[16] = {
		0xff, 0x02, [11] = 0x01, [12] = 0xff, [13] = 0x00, [14] = 0x01, [15] = 0x00,
	};
	static const uint8_t all_nodes[16] = { 0xff, 0x02, [15] = 0x01 };
	static const uint8_t router[16] = { 0xfe, 0x80, [15] = 0x01 };
	uint64_t sp0 = fx.w->stats.slowpath, other0 = fx.w->stats.drops[SL_DROP_ICMP6];
	uint8_t f[TP_MAX_FRAME], b[16];
	struct tp6_fspec s;
	struct rte_mbuf *m;
	uint32_t len;
	void *obj = NULL;

	empty_table();
	drain_all();
	/* who has the VIP? (with the client's link-layer address option) */
	icmp6_spec(&s, 135, 7, group);
	memcpy(s.dmac, (uint8_t[6]){ 0x33, 0x33, 0xff, 0x00, 0x01, 0x00 }, 6);
	s.hlim = 255;
	s.sport = s.dport = 0;
	s.payload_len = 24;
	memcpy(s.payload, vip6, 16);
	memcpy(s.payload + 16, (uint8_t[2]){ 1, 1 }, 2);
	memcpy(s.payload + 18, client_mac, 6);
	len = tp6_build_frame(&s, f, NULL);
	push(mbuf6_of(&s), OUT);
	CU_ASSERT_EQUAL_FATAL(rte_ring_dequeue(fx.w->to_mgmt, &obj), 0);
	m = obj;
	CU_ASSERT_EQUAL(m->hash.usr, SL_MGMT_SLOWPATH);
	CU_ASSERT_EQUAL(m->pkt_len, len);
	CU_ASSERT(memcmp(rte_pktmbuf_mtod(m, const uint8_t *), f, len) == 0);
	rte_pktmbuf_free(m);
	/* a backend announces itself on the inside */
	icmp6_spec(&s, 136, 7, all_nodes);
	memcpy(s.dmac, (uint8_t[6]){ 0x33, 0x33, 0, 0, 0, 0x01 }, 6);
	memcpy(b, (uint8_t[16]){ 0x20, 0x01, 0x0d, 0xb8, 0, 0x01, [15] = 0x11 }, 16);
	memcpy(s.src, b, 16);
	s.hlim = 255;
	s.sport = 0x2000;       /* override */
	s.dport = 0;
	s.payload_len = 16;
	memcpy(s.payload, b, 16);
	len = tp6_build_frame(&s, f, NULL);
	push(mbuf6_of(&s), IN);
	CU_ASSERT_EQUAL_FATAL(rte_ring_dequeue(fx.w->to_mgmt, &obj), 0);
	m = obj;
	CU_ASSERT_EQUAL(m->hash.usr, SL_MGMT_SLOWPATH);
	CU_ASSERT_EQUAL(m->pkt_len, len);
	CU_ASSERT(memcmp(rte_pktmbuf_mtod(m, const uint8_t *), f, len) == 0);
	rte_pktmbuf_free(m);
	CU_ASSERT_EQUAL(fx.w->stats.slowpath, sp0 + 2);
	CU_ASSERT_PTR_NULL(sent(OUT));
	CU_ASSERT_PTR_NULL(sent(IN));

	/* pings: the VIP, the outside port's address, the inside port's
	 * address from a backend */
	icmp6_spec(&s, 128, 8, vip6);
	echo6_answered(&s, OUT);
	icmp6_spec(&s, 128, 8, out_addr6);
	s.payload_len = 200;
	echo6_answered(&s, OUT);
	icmp6_spec(&s, 128, 8, in_addr6);
	memcpy(s.dmac, &fx.hw[IN].mac, 6);
	memcpy(s.src, b, 16);
	echo6_answered(&s, IN);

	/* a router advertisement, a ping through us, an echo reply */
	icmp6_spec(&s, 134, 9, all_nodes);
	memcpy(s.dmac, (uint8_t[6]){ 0x33, 0x33, 0, 0, 0, 0x01 }, 6);
	memcpy(s.src, router, 16);
	s.hlim = 255;
	s.sport = 0x4000;       /* hop limit 64, no flags */
	s.dport = 1800;         /* router lifetime */
	s.payload_len = 8;
	memset(s.payload, 0, 8);
	push(mbuf6_of(&s), OUT);
	icmp6_spec(&s, 128, 9, b);
	push(mbuf6_of(&s), OUT);
	icmp6_spec(&s, 129, 9, vip6);
	push(mbuf6_of(&s), OUT);
	CU_ASSERT_EQUAL(fx.w->stats.drops[SL_DROP_ICMP6], other0 + 3);
	CU_ASSERT_EQUAL(fx.w->stats.slowpath, sp0 + 2);
	CU_ASSERT_EQUAL(rte_ring_count(fx.w->to_mgmt), 0);
	CU_ASSERT_PTR_NULL(sent(OUT));
	CU_ASSERT_PTR_NULL(sent(IN));
	CU_ASSERT_EQUAL(sl_flow6_count(fx.w->flows6), 0);
	CU_ASSERT_EQUAL(rte_mempool_in_use_count(fx.pool), 0);
}

/* A worker with an IPv6 table of @p flow6 connections (0: none). */
static void
set_flow6(uint32_t flow6)
{
	struct sl_fwd_params p = {
		.id = 0, .lcore = rte_lcore_id(), .socket_id = (int)rte_socket_id(),
		.flow_capacity = fx.cfg->global.flow_capacity,
		.flow6_capacity = flow6,
		.timeouts = fx.cfg->global.timeouts,
	};

	drain_all();
	sl_fwd_worker_free(fx.w);
	fx.w = sl_fwd_worker_create(&fx.env, &p);
	CU_ASSERT_PTR_NOT_NULL_FATAL(fx.w);
}

/*
 * Drops of the IPv6 path, each counted by reason, nothing sent, nothing
 * created, nothing leaked: hop limit 1 (2 passes with 1); a malformed
 * extension header chain (hop-by-hop after another header, a routing
 * header with segments left) while a well-formed one is stepped over and
 * kept; a fragment; IPv6 on a port without an IPv6 address, or at a
 * worker without an IPv6 table.
 */
static void
test_ipv6_drops(void)
{
	uint64_t d0[SL_DROP_MAX];
	struct tp6_fspec s, want, r;
	struct rte_mbuf *m;
	uint8_t b[16], prefix;
	void *obj = NULL;

	empty_table();
	drain_all();
	memcpy(d0, fx.w->stats.drops, sizeof(d0));

	/* hop limits */
	client6_spec(&s, IPPROTO_TCP, 10, 44000, 80, RTE_TCP_SYN_FLAG);
	s.hlim = 1;
	push(mbuf6_of(&s), OUT);
	CU_ASSERT_PTR_NULL(sent(IN));
	CU_ASSERT_EQUAL(fx.w->stats.drops[SL_DROP_TTL], d0[SL_DROP_TTL] + 1);
	CU_ASSERT_EQUAL(sl_flow6_count(fx.w->flows6), 0);
	s.hlim = 2;
	client_out6(&s, 8080, b);
	CU_ASSERT_EQUAL(sl_flow6_count(fx.w->flows6), 1);
	backend6_spec(&r, &s, b, 8080, RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG);
	r.hlim = 1;
	push(mbuf6_of(&r), IN);
	CU_ASSERT_PTR_NULL(sent(OUT));
	CU_ASSERT_EQUAL(fx.w->stats.drops[SL_DROP_TTL], d0[SL_DROP_TTL] + 2);
	CU_ASSERT_EQUAL(conn6_of(fx.w, &s)->state, SL_CS_SYN_SENT);

	/* destination options before UDP: stepped over, kept as they are */
	client6_spec(&s, IPPROTO_UDP, 10, 44001, 53, 0);
	tp6_add_ext(&s, 60, 16);
	push(mbuf6_of(&s), OUT);
	m = sent(IN);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	memcpy(b, rte_pktmbuf_mtod_offset(m, const uint8_t *, IP6_DST), 16);
	CU_ASSERT_FATAL(be6_index(b) >= 0);
	to_backend6(&want, &s, b, 5353);
	CU_ASSERT(frame6_is(m, &want));
	rte_pktmbuf_free(m);
	/* hop-by-hop after destination options; routing, segments left 1 */
	client6_spec(&s, IPPROTO_UDP, 10, 44002, 53, 0);
	tp6_add_ext(&s, 60, 8);
	tp6_add_ext(&s, 0, 8);
	push(mbuf6_of(&s), OUT);
	client6_spec(&s, IPPROTO_UDP, 10, 44003, 53, 0);
	tp6_add_ext(&s, 43, 24);
	s.ext[0].data[1] = 1;
	push(mbuf6_of(&s), OUT);
	CU_ASSERT_EQUAL(fx.w->stats.drops[SL_DROP_BAD_EXT_HDR], d0[SL_DROP_BAD_EXT_HDR] + 2);
	/* fragments, first in the chain or after another header */
	client6_spec(&s, IPPROTO_UDP, 10, 44004, 53, 0);
	tp6_add_ext(&s, 44, 8);
	push(mbuf6_of(&s), OUT);
	client6_spec(&s, IPPROTO_TCP, 10, 44005, 80, RTE_TCP_SYN_FLAG);
	tp6_add_ext(&s, 0, 8);
	tp6_add_ext(&s, 44, 8);
	push(mbuf6_of(&s), OUT);
	CU_ASSERT_EQUAL(fx.w->stats.drops[SL_DROP_FRAGMENT], d0[SL_DROP_FRAGMENT] + 2);
	/* the VIP on a port no service has; the outside port's own address
	 * (no kernel interface behind it) */
	client6_spec(&s, IPPROTO_TCP, 10, 44008, 81, RTE_TCP_SYN_FLAG);
	push(mbuf6_of(&s), OUT);
	CU_ASSERT_EQUAL(fx.w->stats.drops[SL_DROP_NO_SERVICE], d0[SL_DROP_NO_SERVICE] + 1);
	client6_spec(&s, IPPROTO_TCP, 10, 44009, 22, RTE_TCP_SYN_FLAG);
	memcpy(s.dst, out_addr6, 16);
	push(mbuf6_of(&s), OUT);
	CU_ASSERT_EQUAL(fx.w->stats.drops[SL_DROP_TO_SELF], d0[SL_DROP_TO_SELF] + 1);
	CU_ASSERT_PTR_NULL(sent(IN));
	CU_ASSERT_PTR_NULL(sent(OUT));
	CU_ASSERT_EQUAL(sl_flow6_count(fx.w->flows6), 2);

	/* the outside port without its IPv6 address: a client's SYN and a
	 * solicitation are dropped there; the inside port still answers */
	prefix = fx.cfg->ports[OUT].prefix6_len;
	fx.cfg->ports[OUT].prefix6_len = 0;
	rebuild();
	client6_spec(&s, IPPROTO_TCP, 10, 44006, 80, RTE_TCP_SYN_FLAG);
	push(mbuf6_of(&s), OUT);
	icmp6_spec(&s, 135, 10, vip6);
	s.hlim = 255;
	push(mbuf6_of(&s), OUT);
	CU_ASSERT_EQUAL(fx.w->stats.drops[SL_DROP_IPV6_OFF], d0[SL_DROP_IPV6_OFF] + 2);
	CU_ASSERT_NOT_EQUAL(rte_ring_dequeue(fx.w->to_mgmt, &obj), 0);
	icmp6_spec(&s, 128, 10, in_addr6);
	memcpy(s.dmac, &fx.hw[IN].mac, 6);
	echo6_answered(&s, IN);
	fx.cfg->ports[OUT].prefix6_len = prefix;
	rebuild();

	/* a worker without an IPv6 table: IPv6 off, IPv4 as ever */
	set_flow6(0);
	CU_ASSERT_PTR_NULL_FATAL(fx.w->flows6);
	client6_spec(&s, IPPROTO_TCP, 10, 44007, 80, RTE_TCP_SYN_FLAG);
	push(mbuf6_of(&s), OUT);
	CU_ASSERT_EQUAL(fx.w->stats.drops[SL_DROP_IPV6_OFF], 1);
	CU_ASSERT_PTR_NULL(sent(IN));
	test_udp_dnat();
	set_flow6(FLOW6_CAP);

	CU_ASSERT_PTR_NULL(sent(IN));
	CU_ASSERT_PTR_NULL(sent(OUT));
	CU_ASSERT_EQUAL(rte_ring_count(fx.w->to_mgmt), 0);
	CU_ASSERT_EQUAL(rte_mempool_in_use_count(fx.pool), 0);
}

/*
 * A backend that fails its checks: a UDP connection to it is scheduled
 * anew on its next datagram and stays on its new backend; a TCP
 * connection to it carries on; new connections avoid it.
 */
static void
test_nat66_down_backend(void)
{
	const struct sl_service *dns6 = svc_named("dns6"), *web6 = svc_named("web6");
	struct tp6_fspec u, t;
	uint8_t b[16], bt[16], b2[16];
	uint16_t down_slot[2];
	unsigned i;
	int bu, bi;

	empty_table();
	drain_all();
	client6_spec(&u, IPPROTO_UDP, 13, 46000, 53, 0);
	bu = client_out6(&u, 5353, b);
	/* a TCP connection to the same backend address */
	for (i = 0; i < 3; i++) {
		client6_spec(&t, IPPROTO_TCP, 13, (uint16_t)(46100 + i), 80, RTE_TCP_SYN_FLAG);
		if (client_out6(&t, 8080, bt) == bu)
			break;
	}
	CU_ASSERT_FATAL(i < 3);
	down_slot[0] = dns6->backends[bu].slot;
	down_slot[1] = web6->backends[bu].slot;
	sl_svc_ids_set_down(fx.ids, down_slot[0], 1);
	sl_svc_ids_set_down(fx.ids, down_slot[1], 1);
	rebuild();

	u.payload_len = 50;
	bi = client_out6(&u, 5353, b2);
	CU_ASSERT_NOT_EQUAL(bi, bu);
	CU_ASSERT_EQUAL(client_out6(&u, 5353, b2), bi);
	CU_ASSERT_EQUAL(sl_flow6_count(fx.w->flows6), 1 + i + 1);
	CU_ASSERT_EQUAL(fx.w->be_stats[down_slot[0]].conns_active, 0);
	/* TCP carries on to it */
	t.tcp_flags = RTE_TCP_ACK_FLAG;
	t.payload_len = 10;
	CU_ASSERT_EQUAL(client_out6(&t, 8080, b2), bu);
	/* new connections go elsewhere */
	for (i = 0; i < 4; i++) {
		client6_spec(&t, IPPROTO_TCP, 13, (uint16_t)(46200 + i), 80, RTE_TCP_SYN_FLAG);
		CU_ASSERT_NOT_EQUAL(client_out6(&t, 8080, b2), bu);
	}

	sl_svc_ids_set_down(fx.ids, down_slot[0], 0);
	sl_svc_ids_set_down(fx.ids, down_slot[1], 0);
	rebuild();
	empty_table();
}

/* An IPv6 frame split over two mbufs: joined, rewritten, forwarded. */
static void
test_nat66_chained_mbuf(void)
{
	struct tp6_fspec s, want;
	struct rte_mbuf *a, *b, *m;
	uint8_t bip[16];
	uint16_t cut = 30;

	empty_table();
	drain_all();
	client6_spec(&s, IPPROTO_UDP, 14, 47000, 53, 0);
	s.payload_len = 300;
	a = mbuf6_of(&s);
	b = rte_pktmbuf_alloc(fx.pool);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	/* the IPv6 header splits between the segments */
	memcpy(rte_pktmbuf_append(b, (uint16_t)(a->data_len - cut)),
	       rte_pktmbuf_mtod_offset(a, uint8_t *, cut), a->data_len - cut);
	rte_pktmbuf_trim(a, (uint16_t)(a->data_len - cut));
	CU_ASSERT_EQUAL_FATAL(rte_pktmbuf_chain(a, b), 0);
	push(a, OUT);
	m = sent(IN);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	memcpy(bip, rte_pktmbuf_mtod_offset(m, const uint8_t *, IP6_DST), 16);
	CU_ASSERT_FATAL(be6_index(bip) >= 0);
	to_backend6(&want, &s, bip, 5353);
	CU_ASSERT(frame6_is(m, &want));
	rte_pktmbuf_free(m);
	empty_table();
	CU_ASSERT_EQUAL(rte_mempool_in_use_count(fx.pool), 0);
}

/*
 * Set the first payload word of @p s so that, once @p s becomes @p want
 * (a rewrite), the UDP checksum of @p want computes to 0: the library
 * must send 0xffff instead (0 means "no checksum", forbidden over IPv6).
 */
static void
udp6_force_zero_after(struct tp6_fspec *s, struct tp6_fspec *want)
{
	uint8_t f[TP_MAX_FRAME];
	struct tp_flayout lo;
	uint16_t sum, x;

	want->payload[0] = want->payload[1] = 0;
	tp6_build_frame(want, f, &lo);
	tp_put16(f + lo.l4 + 6, 0);
	sum = tp_ref_fold(tp6_ref_l4_sum(f, &lo, IPPROTO_UDP));
	x = (uint16_t)(0xffff - sum);
	want->payload[0] = s->payload[0] = (uint8_t)(x >> 8);
	want->payload[1] = s->payload[1] = (uint8_t)x;
}

/* A UDP datagram whose rewritten checksum comes to 0 leaves with 0xffff,
 * both ways. */
static void
test_nat66_udp_zero_csum(void)
{
	struct tp6_fspec s, want, r;
	struct rte_mbuf *m;
	uint8_t b[16];

	empty_table();
	drain_all();
	client6_spec(&s, IPPROTO_UDP, 15, 48000, 53, 0);
	client_out6(&s, 5353, b);
	/* the next datagram, to the same backend */
	to_backend6(&want, &s, b, 5353);
	udp6_force_zero_after(&s, &want);
	push(mbuf6_of(&s), OUT);
	m = sent(IN);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	CU_ASSERT_EQUAL(tp_get16(rte_pktmbuf_mtod_offset(m, const uint8_t *, IP6_L4 + 6)),
			0xffff);
	CU_ASSERT(frame6_is(m, &want));
	CU_ASSERT(l4_csum6_ok(m, IPPROTO_UDP));
	rte_pktmbuf_free(m);
	/* and the answer */
	backend6_spec(&r, &s, b, 5353, 0);
	to_client6(&want, &r, 53);
	udp6_force_zero_after(&r, &want);
	push(mbuf6_of(&r), IN);
	m = sent(OUT);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	CU_ASSERT_EQUAL(tp_get16(rte_pktmbuf_mtod_offset(m, const uint8_t *, IP6_L4 + 6)),
			0xffff);
	CU_ASSERT(frame6_is(m, &want));
	rte_pktmbuf_free(m);
	empty_table();
}

/*
 * An IPv6 UDP connection lives its UDP timeout from its last packet:
 * still there a little before, gone after, through sl_fwd_expire() as
 * the worker loop runs it; its service and backend gauges back to 0.
 */
static void
test_nat66_expiry(void)
{
	const struct sl_service *dns6 = svc_named("dns6");
	uint64_t hz = fx.env.hz, t0, exp0;
	uint32_t udp = fx.cfg->global.timeouts[SL_CS_UDP];
	struct tp6_fspec s;
	uint8_t b[16];
	unsigned i;
	int bi;

	empty_table();
	drain_all();
	CU_ASSERT_FATAL(udp > 10);
	exp0 = fx.w->stats.conns_expired;
	t0 = fx.now;
	client6_spec(&s, IPPROTO_UDP, 12, 45000, 53, 0);
	bi = client_out6(&s, 5353, b);
	CU_ASSERT_EQUAL(fx.w->svc_stats[dns6->id].conns_active, 1);
	CU_ASSERT_EQUAL(fx.w->be_stats[dns6->backends[bi].slot].conns_active, 1);

	/* a little before its timeout, then a datagram renews it */
	for (i = 0; i < 100; i++)
		sl_fwd_expire(fx.w, t0 + (udp - 1) * hz);
	CU_ASSERT_EQUAL(sl_flow6_count(fx.w->flows6), 1);
	fx.now = t0 + (udp - 1) * hz;
	CU_ASSERT_EQUAL(client_out6(&s, 5353, b), bi);
	/* past the first timeout, not past the second */
	for (i = 0; i < 100; i++)
		sl_fwd_expire(fx.w, t0 + (udp + 1) * hz);
	for (i = 0; i < 100; i++)
		sl_fwd_expire(fx.w, t0 + (2 * udp - 2) * hz);
	CU_ASSERT_EQUAL(sl_flow6_count(fx.w->flows6), 1);
	CU_ASSERT_EQUAL(fx.w->stats.conns_expired, exp0);
	/* past it */
	fx.now = t0 + 2 * udp * hz;
	for (i = 0; i < 100 && sl_flow6_count(fx.w->flows6) != 0; i++)
		sl_fwd_expire(fx.w, fx.now);
	CU_ASSERT_EQUAL(sl_flow6_count(fx.w->flows6), 0);
	CU_ASSERT_EQUAL(fx.w->stats.conns_expired, exp0 + 1);
	CU_ASSERT_EQUAL(fx.w->svc_stats[dns6->id].conns_active, 0);
	CU_ASSERT_EQUAL(fx.w->be_stats[dns6->backends[bi].slot].conns_active, 0);
	/* the client again: a new connection */
	CU_ASSERT(client_out6(&s, 5353, b) >= 0);
	CU_ASSERT_EQUAL(fx.w->svc_stats[dns6->id].conns_active, 1);
	empty_table();
	CU_ASSERT_EQUAL(fx.w->svc_stats[dns6->id].conns_active, 0);
	CU_ASSERT_EQUAL(rte_mempool_in_use_count(fx.pool), 0);
}

/*
 * An ICMPv6 error frame: Ethernet to @p dmac from @p smac, IPv6 from
 * @p src to @p dst (hop limit 60), ICMPv6 @p type with a 4-byte field
 * @p word and the quote @p q (@p qlen bytes), checksum correct. Returns
 * its length.
 */
static uint32_t
icmp6_err_frame(uint8_t *f, const uint8_t dmac[6], const uint8_t smac[6],
		const uint8_t src[16], const uint8_t dst[16], uint8_t type, uint32_t word,
		const uint8_t *q, uint32_t qlen)
{
	uint8_t *ip = f + 14, *ic = ip + 40;
	uint32_t plen = 8 + qlen;
	uint16_t cs;

	memset(f, 0, 14 + 40 + 8);
	memcpy(f, dmac, 6);
	memcpy(f + 6, smac, 6);
	f[12] = 0x86;
	f[13] = 0xdd;
	ip[0] = 0x60;
	tp_put16(ip + 4, (uint16_t)plen);
	ip[6] = 58;
	ip[7] = 60;
	memcpy(ip + 8, src, 16);
	memcpy(ip + 24, dst, 16);
	ic[0] = type;
	word = htonl(word);
	memcpy(ic + 4, &word, 4);
	memcpy(ic + 8, q, qlen);
	cs = sl_l4_csum6((const struct sl_in6 *)src, (const struct sl_in6 *)dst, 58, ic, plen, 2);
	memcpy(ic + 2, &cs, 2);
	return 14 + 40 + plen;
}

/* The ICMPv6 checksum of error frame @p m and the quoted TCP checksum
 * (the quote holds the whole segment) both equal full recomputations. */
static int
icmp6_err_csums_ok(const struct rte_mbuf *m)
{
	const uint8_t *f = rte_pktmbuf_mtod(m, const uint8_t *);
	const uint8_t *ip = f + 14, *ic = ip + 40, *qip = ic + 8, *ql4 = qip + 40;
	uint32_t plen = tp_get16(ip + 4), qplen = tp_get16(qip + 4);
	uint16_t got, want;

	memcpy(&got, ic + 2, 2);
	want = sl_l4_csum6((const struct sl_in6 *)(ip + 8), (const struct sl_in6 *)(ip + 24),
			   58, ic, plen, 2);
	if (got != want)
		return 0;
	memcpy(&got, ql4 + 16, 2);
	want = sl_l4_csum6((const struct sl_in6 *)(qip + 8), (const struct sl_in6 *)(qip + 24),
			   IPPROTO_TCP, ql4, qplen, 16);
	return got == want;
}

/*
 * ICMPv6 errors about a NAT66 connection reach its other end rewritten
 * for it: a "packet too big" from a router on the client's side, sent to
 * the VIP about a reply, goes to the connection's backend as about the
 * backend's own packet (quoted source [B]:8080, outer destination B); an
 * unreachable from the backend's side about a packet Sluice passed on
 * goes to the client as if from the VIP (quoted destination [VIP]:80).
 * Checksums (ICMPv6 and the quoted TCP one) equal full recomputations,
 * the MTU field is kept. An error quoting no connection is dropped as
 * icmp_no_flow.
 */
static void
test_icmp6_errors(void)
{
	static const uint8_t router_out[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 0xfe };
	static const uint8_t router_in[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0x01, [15] = 0xfe };
	uint8_t f[TP_MAX_FRAME], q[TP_MAX_FRAME], b[16], bmac[6];
	struct tp6_fspec s, r, seen;
	struct tp_flayout lo;
	struct rte_mbuf *m;
	uint32_t len, qlen, mtu;
	const uint8_t *g;
	uint64_t nf0 = fx.w->stats.drops[SL_DROP_ICMP_NO_FLOW];

	client6_spec(&s, IPPROTO_TCP, 9, 40009, 80, RTE_TCP_SYN_FLAG);
	exchange6(&s, 8080, RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG, b);
	hop_mac6(b, bmac);

	/* too big, to the VIP, quoting the reply as the client got it */
	backend6_spec(&r, &s, b, 8080, RTE_TCP_ACK_FLAG);
	to_client6(&seen, &r, 80);
	qlen = tp6_build_frame(&seen, q, &lo) - 14;
	len = icmp6_err_frame(f, (const uint8_t *)&fx.hw[OUT].mac, client_mac, router_out,
			      vip6, 2, 1280, q + 14, qlen);
	m = rte_pktmbuf_alloc(fx.pool);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	memcpy(rte_pktmbuf_append(m, (uint16_t)len), f, len);
	push(m, OUT);
	CU_ASSERT_PTR_NULL(sent(OUT));
	m = sent(IN);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	g = rte_pktmbuf_mtod(m, const uint8_t *);
	CU_ASSERT_EQUAL(m->pkt_len, len);
	CU_ASSERT(memcmp(g, bmac, 6) == 0);
	CU_ASSERT(memcmp(g + 6, &fx.hw[IN].mac, 6) == 0);
	CU_ASSERT_EQUAL(g[14 + 7], 59);                          /* hop limit - 1 */
	CU_ASSERT(memcmp(g + IP6_SRC, router_out, 16) == 0);
	CU_ASSERT(memcmp(g + IP6_DST, b, 16) == 0);              /* to the backend */
	CU_ASSERT_EQUAL(g[IP6_L4], 2);
	memcpy(&mtu, g + IP6_L4 + 4, 4);
	CU_ASSERT_EQUAL(ntohl(mtu), 1280);
	CU_ASSERT(memcmp(g + IP6_L4 + 8 + 8, b, 16) == 0);       /* quoted source */
	CU_ASSERT(memcmp(g + IP6_L4 + 8 + 24, s.src, 16) == 0);  /* quoted client */
	CU_ASSERT_EQUAL(tp_get16(g + IP6_L4 + 8 + 40), 8080);    /* quoted sport */
	CU_ASSERT_EQUAL(tp_get16(g + IP6_L4 + 8 + 42), 40009);
	/* the rest of the quote as it was (after the TCP checksum) */
	CU_ASSERT(memcmp(g + IP6_L4 + 8 + 58, q + 14 + 58, qlen - 58) == 0);
	CU_ASSERT(icmp6_err_csums_ok(m));
	rte_pktmbuf_free(m);

	/* unreachable from the backend's side, to the client, quoting the
	 * client's packet as the backend got it */
	to_backend6(&seen, &s, b, 8080);
	seen.tcp_flags = RTE_TCP_ACK_FLAG;
	seen.payload_len = 100;
	qlen = tp6_build_frame(&seen, q, &lo) - 14;
	len = icmp6_err_frame(f, (const uint8_t *)&fx.hw[IN].mac, bmac, router_in, s.src,
			      1, 0, q + 14, qlen);
	m = rte_pktmbuf_alloc(fx.pool);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	memcpy(rte_pktmbuf_append(m, (uint16_t)len), f, len);
	push(m, IN);
	CU_ASSERT_PTR_NULL(sent(IN));
	m = sent(OUT);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	g = rte_pktmbuf_mtod(m, const uint8_t *);
	CU_ASSERT(memcmp(g, client_mac, 6) == 0);
	CU_ASSERT(memcmp(g + IP6_SRC, vip6, 16) == 0);           /* from the VIP */
	CU_ASSERT(memcmp(g + IP6_DST, s.src, 16) == 0);
	CU_ASSERT(memcmp(g + IP6_L4 + 8 + 8, s.src, 16) == 0);
	CU_ASSERT(memcmp(g + IP6_L4 + 8 + 24, vip6, 16) == 0);   /* quoted VIP */
	CU_ASSERT_EQUAL(tp_get16(g + IP6_L4 + 8 + 42), 80);      /* quoted dport */
	CU_ASSERT(icmp6_err_csums_ok(m));
	rte_pktmbuf_free(m);

	/* quoting a connection that does not exist: dropped, counted */
	seen.sport = 40999;
	qlen = tp6_build_frame(&seen, q, &lo) - 14;
	len = icmp6_err_frame(f, (const uint8_t *)&fx.hw[IN].mac, bmac, router_in, s.src,
			      1, 0, q + 14, qlen);
	m = rte_pktmbuf_alloc(fx.pool);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	memcpy(rte_pktmbuf_append(m, (uint16_t)len), f, len);
	push(m, IN);
	CU_ASSERT_PTR_NULL(sent(IN));
	CU_ASSERT_PTR_NULL(sent(OUT));
	CU_ASSERT_EQUAL(fx.w->stats.drops[SL_DROP_ICMP_NO_FLOW], nf0 + 1);
	empty_table();
	CU_ASSERT_EQUAL(rte_mempool_in_use_count(fx.pool), 0);
}

/* Service @p name of the configuration in mode @p mode, local ports
 * 40000-40999 for fullnat; a new snapshot. */
static void
set_mode(const char *name, uint8_t mode)
{
	unsigned i;

	for (i = 0; i < fx.cfg->n_services; i++)
		if (strcmp(fx.cfg->services[i].name, name) == 0)
			fx.cfg->services[i].mode = mode;
	fx.env.lport_lo = 40000;
	fx.env.lport_hi = 40999;
	rebuild();
}

/* An mbuf of the ICMPv6 error icmp6_err_frame() writes, quoting the
 * IPv6 packet of frame @p q (hop limit of the error 60). */
static struct rte_mbuf *
icmp6_err_mbuf(const uint8_t dmac[6], const uint8_t smac[6], const uint8_t src[16],
	       const uint8_t dst[16], uint8_t type, uint32_t word, const struct tp6_fspec *q)
{
	uint8_t f[TP_MAX_FRAME], g[TP_MAX_FRAME];
	uint32_t qlen = tp6_build_frame(q, g, NULL) - 14, len;
	struct rte_mbuf *m = rte_pktmbuf_alloc(fx.pool);

	len = icmp6_err_frame(f, dmac, smac, src, dst, type, word, g + 14, qlen);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	memcpy(rte_pktmbuf_append(m, (uint16_t)len), f, len);
	return m;
}

/* @p m is, byte for byte, the ICMPv6 error of icmp6_err_mbuf()'s
 * arguments with hop limit 59. */
static int
icmp6_err_is(const struct rte_mbuf *m, const uint8_t dmac[6], const uint8_t smac[6],
	     const uint8_t src[16], const uint8_t dst[16], uint8_t type, uint32_t word,
	     const struct tp6_fspec *q)
{
	struct rte_mbuf *w = icmp6_err_mbuf(dmac, smac, src, dst, type, word, q);
	uint8_t *f = rte_pktmbuf_mtod(w, uint8_t *);
	const uint8_t *g = rte_pktmbuf_mtod(m, const uint8_t *);
	uint32_t i;
	int ok = m->pkt_len == w->pkt_len && m->nb_segs == 1;

	f[14 + 7] = 59;             /* not in the checksum */
	if (!ok)
		printf("\n  frame of %u bytes, expected %u\n", m->pkt_len, w->pkt_len);
	for (i = 0; ok && i < w->pkt_len; i++)
		if (g[i] != f[i]) {
			printf("\n  byte %u is %02x, expected %02x\n", i, g[i], f[i]);
			ok = 0;
		}
	rte_pktmbuf_free(w);
	return ok;
}

/*
 * IPv6 fullnat: "packet too big" from a router on the backend's side to
 * the IPv6 local address, quoting [lip]:lport -> [B]:8080, reaches the
 * client from the VIP about its own packet; one from the client's side
 * to the VIP about a reply reaches the backend from the local address
 * about its own packet [B]:8080 -> [lip]:lport. Byte for byte (ICMPv6
 * and quoted TCP checksums those of the reference builder).
 */
static void
test_fullnat6_icmp_errors(void)
{
	static const uint8_t router_in[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0x01, [15] = 0xfe };
	static const uint8_t router_out[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 0xfe };
	uint8_t b[16], lip[16], bmac[6];
	uint64_t rel0 = fx.w->stats.icmp_relayed;
	struct tp6_fspec s, seen, in;
	struct rte_mbuf *m;
	uint16_t lport;

	empty_table();
	drain_all();
	set_mode("web6", SL_MODE_FULLNAT);
	client6_spec(&s, IPPROTO_TCP, 11, 40011, 80, RTE_TCP_SYN_FLAG);
	push(mbuf6_of(&s), OUT);
	m = sent(IN);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	memcpy(lip, rte_pktmbuf_mtod_offset(m, const uint8_t *, IP6_SRC), 16);
	memcpy(b, rte_pktmbuf_mtod_offset(m, const uint8_t *, IP6_DST), 16);
	lport = tp_get16(rte_pktmbuf_mtod_offset(m, const uint8_t *, IP6_L4));
	rte_pktmbuf_free(m);
	CU_ASSERT(lport >= 40000 && lport <= 40999);
	CU_ASSERT_EQUAL(lip[15], 5);
	hop_mac6(b, bmac);

	/* the client's segment as the backend's side saw it */
	seen = s;
	memcpy(seen.src, lip, 16);
	memcpy(seen.dst, b, 16);
	seen.sport = lport;
	seen.dport = 8080;
	seen.hlim = 63;
	seen.tcp_flags = RTE_TCP_ACK_FLAG;
	seen.payload_len = 300;
	push(icmp6_err_mbuf((const uint8_t *)&fx.hw[IN].mac, bmac, router_in, lip, 2, 1280,
			    &seen), IN);
	CU_ASSERT_PTR_NULL(sent(IN));
	m = sent(OUT);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	in = seen;
	memcpy(in.src, s.src, 16);
	memcpy(in.dst, vip6, 16);
	in.sport = s.sport;
	in.dport = 80;
	CU_ASSERT(icmp6_err_is(m, client_mac, (const uint8_t *)&fx.hw[OUT].mac, vip6, s.src, 2,
			       1280, &in));
	rte_pktmbuf_free(m);

	/* the backend's reply as the client got it */
	in = seen;
	memcpy(in.src, vip6, 16);
	memcpy(in.dst, s.src, 16);
	in.sport = 80;
	in.dport = s.sport;
	push(icmp6_err_mbuf((const uint8_t *)&fx.hw[OUT].mac, client_mac, router_out, vip6, 2,
			    1280, &in), OUT);
	CU_ASSERT_PTR_NULL(sent(OUT));
	m = sent(IN);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	memcpy(in.src, b, 16);
	memcpy(in.dst, lip, 16);
	in.sport = 8080;
	in.dport = lport;
	CU_ASSERT(icmp6_err_is(m, bmac, (const uint8_t *)&fx.hw[IN].mac, lip, b, 2, 1280, &in));
	rte_pktmbuf_free(m);
	CU_ASSERT_EQUAL(fx.w->stats.icmp_relayed, rel0 + 2);
	CU_ASSERT_EQUAL(conn6_of(fx.w, &s)->state, SL_CS_SYN_SENT);
	empty_table();
	set_mode("web6", SL_MODE_NAT);
	CU_ASSERT_EQUAL(rte_mempool_in_use_count(fx.pool), 0);
}

/*
 * NAT64 (RFC 7915): an ICMPv4 error from the IPv4 side to the local
 * address, quoting lip:lport -> backend:8080, reaches the IPv6 client as
 * the ICMPv6 error about its own packet [client]:cport -> [VIP]:80:
 * "fragmentation needed" (MTU 1000) as "packet too big" with MTU 1020,
 * byte for byte; the other codes mapped (port unreachable, protocol
 * unreachable as a parameter problem at the next header, prohibited,
 * time exceeded, a parameter problem's pointer moved, no MTU: a plateau
 * of at least 1280), host precedence violation dropped as
 * icmp_untranslatable. An ICMPv6 "packet too big" (1280) at the VIP about
 * a reply reaches the backend as "fragmentation needed" with MTU 1260
 * about its own IPv4 packet backend:8080 -> lip:lport, byte for byte.
 */
static void
test_nat64_icmp_errors(void)
{
	static const uint8_t vip64[16] = { 0x20, 0x01, 0x0d, 0xb8, [14] = 0x04 };
	static const uint8_t router_out[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 0xfe };
	static const uint8_t router_mac[6] = { 0x02, 0, 0, 0, 0xee, 0x01 };
	static const struct {
		uint8_t type, code;
		uint32_t rest;
		int t6, c6;          /* -1: dropped */
		uint32_t word6;
	} map[] = {
		{ 3, 3, 0, 1, 4, 0 },
		{ 3, 1, 0, 1, 0, 0 },
		{ 3, 2, 0, 4, 1, 6 },
		{ 3, 13, 0, 1, 1, 0 },
		{ 3, 4, 0, 2, 0, 1280 },
		{ 11, 0, 0, 3, 0, 0 },
		{ 12, 0, 9u << 24, 4, 0, 6 },
		{ 3, 14, 0, -1, 0, 0 },
		{ 12, 1, 0, -1, 0, 0 },
	};
	uint64_t rel0 = fx.w->stats.icmp_relayed, x0 = fx.w->stats.drops[SL_DROP_ICMP_XLATE];
	struct tp6_fspec s, q6, r6;
	struct tp_fspec seen, e, want;
	uint32_t lip, bip, word;
	struct rte_mbuf *m;
	const uint8_t *g;
	uint16_t lport;
	uint8_t bmac[6];
	unsigned i, relayed = 0, dropped = 0;

	empty_table();
	drain_all();
	set_mode("web64", SL_MODE_FULLNAT);
	client6_spec(&s, IPPROTO_TCP, 12, 40012, 80, RTE_TCP_SYN_FLAG);
	memcpy(s.dst, vip64, 16);
	push(mbuf6_of(&s), OUT);
	m = sent(IN);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	CU_ASSERT_EQUAL(rte_pktmbuf_mtod_offset(m, const uint8_t *, 12)[0], 0x08);
	lip = ntohl(ip_of(m)->src_addr);
	bip = ntohl(ip_of(m)->dst_addr);
	lport = l4_port(m, 0);
	rte_pktmbuf_free(m);
	CU_ASSERT_EQUAL(bip, 0x0a010029);
	CU_ASSERT(lip == 0x0a010005 || lip == 0x0a010006);
	hop_mac(bip, bmac);

	/* the client's segment as the IPv4 side saw it, and as it sent it */
	tp_spec_default(&seen, IPPROTO_TCP);
	seen.src = lip;
	seen.dst = bip;
	seen.sport = lport;
	seen.dport = 8080;
	seen.ttl = 63;
	seen.tos = 0;
	seen.seq = s.seq;
	seen.ack = 7;
	seen.tcp_flags = RTE_TCP_ACK_FLAG;
	seen.payload_len = 100;
	q6 = s;
	q6.hlim = 63;
	q6.tclass = 0;
	q6.flow = 0;
	q6.ack = 7;
	q6.tcp_flags = RTE_TCP_ACK_FLAG;
	q6.payload_len = 100;

	err_spec(&e, IN, router_mac, 0x0a0100fe, lip, 3, 4, 1000, &seen);
	e.tos = 0;
	push(mbuf_of(&e), IN);
	CU_ASSERT_PTR_NULL(sent(IN));
	m = sent(OUT);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	/* from the VIP, hop limit 60 - 1 */
	CU_ASSERT(icmp6_err_is(m, client_mac, (const uint8_t *)&fx.hw[OUT].mac, vip64, s.src, 2,
			       1020, &q6));
	rte_pktmbuf_free(m);
	relayed++;

	for (i = 0; i < RTE_DIM(map); i++) {
		err_spec(&e, IN, router_mac, 0x0a0100fe, lip, map[i].type, map[i].code,
			 map[i].rest, &seen);
		push(mbuf_of(&e), IN);
		CU_ASSERT_PTR_NULL(sent(IN));
		m = sent(OUT);
		if (map[i].t6 < 0) {
			CU_ASSERT_PTR_NULL(m);
			dropped++;
			continue;
		}
		CU_ASSERT_PTR_NOT_NULL_FATAL(m);
		relayed++;
		g = rte_pktmbuf_mtod(m, const uint8_t *);
		CU_ASSERT_EQUAL(g[IP6_L4], map[i].t6);
		CU_ASSERT_EQUAL(g[IP6_L4 + 1], map[i].c6);
		memcpy(&word, g + IP6_L4 + 4, 4);
		CU_ASSERT_EQUAL(ntohl(word), map[i].word6);
		CU_ASSERT(memcmp(g + IP6_L4 + 8 + 8, s.src, 16) == 0);
		CU_ASSERT(icmp6_err_csums_ok(m));
		rte_pktmbuf_free(m);
	}
	CU_ASSERT_EQUAL(fx.w->stats.drops[SL_DROP_ICMP_XLATE], x0 + dropped);

	/* packet too big at the VIP about a reply */
	r6 = q6;
	memcpy(r6.src, vip64, 16);
	memcpy(r6.dst, s.src, 16);
	r6.sport = 80;
	r6.dport = s.sport;
	push(icmp6_err_mbuf((const uint8_t *)&fx.hw[OUT].mac, client_mac, router_out, vip64, 2,
			    1280, &r6), OUT);
	CU_ASSERT_PTR_NULL(sent(OUT));
	m = sent(IN);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	relayed++;
	seen.src = bip;
	seen.dst = lip;
	seen.sport = 8080;
	seen.dport = lport;
	seen.ip_id = 0;
	tp_spec_icmp_err(&want, 3, 4, 1260, &seen, 0);
	memcpy(want.dmac, bmac, 6);
	memcpy(want.smac, &fx.hw[IN].mac, 6);
	want.src = lip;
	want.dst = bip;
	want.ttl = 59;
	want.tos = 0;
	want.ip_id = 0;
	want.frag = 0;
	CU_ASSERT(frame_is(m, &want));
	rte_pktmbuf_free(m);

	/* port unreachable and time exceeded over IPv4; an ICMPv6 parameter
	 * problem of code 2 has no IPv4 counterpart */
	push(icmp6_err_mbuf((const uint8_t *)&fx.hw[OUT].mac, client_mac, router_out, vip64, 1,
			    0, &r6), OUT);
	m = sent(IN);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	relayed++;
	g = rte_pktmbuf_mtod(m, const uint8_t *);
	CU_ASSERT_EQUAL(g[14 + 20], 3);
	CU_ASSERT_EQUAL(g[14 + 20 + 1], 1);
	CU_ASSERT_EQUAL(tp_ref_csum(g + 14, 20), 0);
	CU_ASSERT_EQUAL(tp_ref_csum(g + 14 + 20, m->pkt_len - 34), 0);
	rte_pktmbuf_free(m);
	x0 = fx.w->stats.drops[SL_DROP_ICMP_XLATE];
	m = icmp6_err_mbuf((const uint8_t *)&fx.hw[OUT].mac, client_mac, router_out, vip64, 4, 0,
			   &r6);
	{
		uint8_t *f = rte_pktmbuf_mtod(m, uint8_t *);
		uint16_t cs;

		f[IP6_L4 + 1] = 2;
		memset(f + IP6_L4 + 2, 0, 2);
		cs = sl_l4_csum6((const struct sl_in6 *)(f + IP6_SRC),
				 (const struct sl_in6 *)(f + IP6_DST), 58, f + IP6_L4,
				 m->pkt_len - IP6_L4, 2);
		memcpy(f + IP6_L4 + 2, &cs, 2);
	}
	push(m, OUT);
	CU_ASSERT_PTR_NULL(sent(IN));
	CU_ASSERT_EQUAL(fx.w->stats.drops[SL_DROP_ICMP_XLATE], x0 + 1);

	CU_ASSERT_EQUAL(fx.w->stats.icmp_relayed, rel0 + relayed);
	CU_ASSERT_EQUAL(conn6_of(fx.w, &s)->state, SL_CS_SYN_SENT);
	empty_table();
	CU_ASSERT_EQUAL(rte_mempool_in_use_count(fx.pool), 0);
}

/*
 * dr over IPv6: a client's SYN to [2001:db8::200]:80 leaves the inside
 * port to a backend with only the Ethernet addresses changed (not even
 * the hop limit), as a one-direction connection; in a fresh worker its
 * next segment, with no record, goes to the same backend (maglev) and is
 * taken up as established (conns_midstream).
 */
static void
test_dr6(void)
{
	static const uint8_t vip_dr[16] = { 0x20, 0x01, 0x0d, 0xb8, [14] = 0x02 };
	struct tp6_fspec s, want;
	struct sl_conn6 *c;
	struct rte_mbuf *m;
	uint8_t b[16], b2[16];
	uint64_t mid0;

	client6_spec(&s, IPPROTO_TCP, 21, 40021, 80, RTE_TCP_SYN_FLAG);
	memcpy(s.dst, vip_dr, 16);
	push(mbuf6_of(&s), OUT);
	CU_ASSERT_PTR_NULL(sent(OUT));
	m = sent(IN);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	/* which backend: the one whose MAC it went to */
	{
		const struct sl_service *sv = sl_svc_find(fx.snap, "dr6");
		unsigned i;
		int found = 0;

		for (i = 0; i < sv->n_backends; i++) {
			uint8_t mac[6];

			hop_mac6(sv->backends[i].addr6.b, mac);
			if (memcmp(rte_pktmbuf_mtod(m, const uint8_t *), mac, 6) == 0) {
				memcpy(b, sv->backends[i].addr6.b, 16);
				found = 1;
			}
		}
		CU_ASSERT_FATAL(found);
	}
	want = s;
	hop_mac6(b, want.dmac);
	memcpy(want.smac, &fx.hw[IN].mac, 6);
	CU_ASSERT(frame6_is(m, &want));          /* IPv6 and TCP untouched */
	rte_pktmbuf_free(m);
	c = conn6_of(fx.w, &s);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT(sl_in6_zero(&c->lip));          /* one direction */
	CU_ASSERT_EQUAL(c->state, SL_CS_SYN_SENT);
	/* a "packet too big" to the VIP about the backend's reply reaches
	 * that backend unchanged (it holds the VIP: its own packet) */
	{
		static const uint8_t router[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 0xfe };
		uint8_t q[TP_MAX_FRAME], f[TP_MAX_FRAME];
		struct tp6_fspec r;
		uint32_t qlen, len;

		tp6_spec_default(&r, IPPROTO_TCP);
		memcpy(r.src, vip_dr, 16);
		memcpy(r.dst, s.src, 16);
		r.sport = 80;
		r.dport = 40021;
		r.tcp_flags = RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG;
		qlen = tp6_build_frame(&r, q, NULL) - 14;
		len = icmp6_err_frame(f, (const uint8_t *)&fx.hw[OUT].mac, client_mac, router,
				      vip_dr, 2, 1280, q + 14, qlen);
		m = rte_pktmbuf_alloc(fx.pool);
		CU_ASSERT_PTR_NOT_NULL_FATAL(m);
		memcpy(rte_pktmbuf_append(m, (uint16_t)len), f, len);
		push(m, OUT);
		m = sent(IN);
		CU_ASSERT_PTR_NOT_NULL_FATAL(m);
		hop_mac6(b, b2);
		CU_ASSERT(memcmp(rte_pktmbuf_mtod(m, const uint8_t *), b2, 6) == 0);
		CU_ASSERT_EQUAL(m->pkt_len, len);
		CU_ASSERT(memcmp(rte_pktmbuf_mtod(m, const uint8_t *) + 14, f + 14, len - 14) == 0);
		rte_pktmbuf_free(m);
	}
	/* a segment in the middle, no record (the table emptied): the same
	 * backend, the connection taken up */
	empty_table();
	mid0 = fx.w->stats.conns_midstream;
	s.tcp_flags = RTE_TCP_ACK_FLAG;
	s.payload_len = 100;
	push(mbuf6_of(&s), OUT);
	m = sent(IN);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	hop_mac6(b, b2);
	CU_ASSERT(memcmp(rte_pktmbuf_mtod(m, const uint8_t *), b2, 6) == 0);
	rte_pktmbuf_free(m);
	c = conn6_of(fx.w, &s);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_EQUAL(c->state, SL_CS_ESTABLISHED);
	CU_ASSERT_EQUAL(fx.w->stats.conns_midstream, mid0 + 1);
	empty_table();
	CU_ASSERT_EQUAL(rte_mempool_in_use_count(fx.pool), 0);
}

/*
 * tunnel over IPv6: a client's segment to [2001:db8::300]:80 leaves the
 * inside port to a backend's MAC inside an outer IPv6 header (next
 * header 41, hop limit 64, the inner traffic class, payload length 40 +
 * the inner one) from the port's IPv6 local address 2001:db8:1::5 to the
 * backend; the packet inside is the client's, byte for byte.
 */
static void
test_tunnel6(void)
{
	static const uint8_t vip_t[16] = { 0x20, 0x01, 0x0d, 0xb8, [14] = 0x03 };
	static const uint8_t local6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0x01, [15] = 0x05 };
	const struct sl_service *sv = sl_svc_find(fx.snap, "tun6");
	uint8_t in[TP_MAX_FRAME], mac[6];
	struct tp6_fspec s;
	struct rte_mbuf *m;
	const uint8_t *g;
	uint32_t len, vtc;
	unsigned i;
	int found = -1;

	CU_ASSERT_PTR_NOT_NULL_FATAL(sv);
	client6_spec(&s, IPPROTO_TCP, 31, 40031, 80, RTE_TCP_SYN_FLAG);
	memcpy(s.dst, vip_t, 16);
	s.tclass = 0xb8;
	len = tp6_build_frame(&s, in, NULL);
	push(mbuf6_of(&s), OUT);
	CU_ASSERT_PTR_NULL(sent(OUT));
	m = sent(IN);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	g = rte_pktmbuf_mtod(m, const uint8_t *);
	for (i = 0; i < sv->n_backends; i++)
		if (memcmp(g + IP6_DST, sv->backends[i].addr6.b, 16) == 0)
			found = (int)i;
	CU_ASSERT_FATAL(found >= 0);
	hop_mac6(sv->backends[found].addr6.b, mac);
	CU_ASSERT_EQUAL(m->pkt_len, len + 40);
	CU_ASSERT(memcmp(g, mac, 6) == 0);
	CU_ASSERT(memcmp(g + 6, &fx.hw[IN].mac, 6) == 0);
	CU_ASSERT_EQUAL(tp_get16(g + 12), 0x86dd);
	memcpy(&vtc, g + 14, 4);
	CU_ASSERT_EQUAL(ntohl(vtc), 0x60000000u | 0xb8u << 20);
	CU_ASSERT_EQUAL(tp_get16(g + 14 + 4), 40 + (len - 14 - 40));
	CU_ASSERT_EQUAL(g[14 + 6], 41);
	CU_ASSERT_EQUAL(g[14 + 7], 64);
	CU_ASSERT(memcmp(g + IP6_SRC, local6, 16) == 0);
	CU_ASSERT(memcmp(g + 54, in + 14, len - 14) == 0);   /* inside: unchanged */
	rte_pktmbuf_free(m);

	/* a full-size segment (1500 bytes) would not fit once wrapped: the
	 * client gets "packet too big" with 1460, nothing goes inside */
	{
		uint64_t tb0 = fx.w->stats.drops[SL_DROP_TOO_BIG];
		uint64_t fn0 = fx.w->stats.frag_needed;
		uint32_t mtu;

		s.tcp_flags = RTE_TCP_ACK_FLAG;
		s.payload_len = 1440;
		push(mbuf6_of(&s), OUT);
		CU_ASSERT_PTR_NULL(sent(IN));
		m = sent(OUT);
		CU_ASSERT_PTR_NOT_NULL_FATAL(m);
		g = rte_pktmbuf_mtod(m, const uint8_t *);
		CU_ASSERT(memcmp(g, client_mac, 6) == 0);
		CU_ASSERT_EQUAL(tp_get16(g + 12), 0x86dd);
		CU_ASSERT_EQUAL(g[14 + 6], 58);
		CU_ASSERT(memcmp(g + IP6_SRC, out_addr6, 16) == 0);
		CU_ASSERT(memcmp(g + IP6_DST, s.src, 16) == 0);
		CU_ASSERT_EQUAL(g[IP6_L4], 2);
		memcpy(&mtu, g + IP6_L4 + 4, 4);
		CU_ASSERT_EQUAL(ntohl(mtu), 1460);
		CU_ASSERT(memcmp(g + IP6_L4 + 8 + 8, s.src, 16) == 0);   /* the quote */
		CU_ASSERT(l4_csum6_ok(m, TP_IPPROTO_ICMPV6));
		rte_pktmbuf_free(m);
		CU_ASSERT_EQUAL(fx.w->stats.drops[SL_DROP_TOO_BIG], tb0 + 1);
		CU_ASSERT_EQUAL(fx.w->stats.frag_needed, fn0 + 1);
	}
	empty_table();
	CU_ASSERT_EQUAL(rte_mempool_in_use_count(fx.pool), 0);
}

/*
 * GRE and GUE over IPv6: the outer IPv6 header (next header 47 / 17,
 * payload length the inner packet plus 4 / 12), GRE's protocol 0x86dd,
 * GUE's UDP to gue_port from a port of 0xc000-0xffff with a UDP checksum
 * that verifies (IPv6 requires one: it is computed without reading the
 * payload), GUE's protocol 41; the packet inside unchanged. Two packets
 * of one flow keep one GUE source port.
 */
static void
test_tunnel6_gre_gue(void)
{
	static const uint8_t vip_gre[16] = { 0x20, 0x01, 0x0d, 0xb8, [14] = 0x03, [15] = 0x01 };
	static const uint8_t vip_gue[16] = { 0x20, 0x01, 0x0d, 0xb8, [14] = 0x03, [15] = 0x02 };
	static const uint8_t local6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0x01, [15] = 0x05 };
	static const uint8_t b12[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0x01, [15] = 0x12 };
	uint8_t in[TP_MAX_FRAME];
	struct tp6_fspec s;
	struct rte_mbuf *m;
	const uint8_t *g;
	uint16_t sport0 = 0;
	uint32_t len;
	unsigned round;

	/* GRE */
	client6_spec(&s, IPPROTO_TCP, 41, 40041, 80, RTE_TCP_SYN_FLAG);
	memcpy(s.dst, vip_gre, 16);
	len = tp6_build_frame(&s, in, NULL);
	push(mbuf6_of(&s), OUT);
	m = sent(IN);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	g = rte_pktmbuf_mtod(m, const uint8_t *);
	CU_ASSERT_EQUAL(m->pkt_len, len + 44);
	CU_ASSERT_EQUAL(tp_get16(g + 12), 0x86dd);
	CU_ASSERT_EQUAL(g[14 + 6], 47);
	CU_ASSERT_EQUAL(g[14 + 7], 64);
	CU_ASSERT_EQUAL(tp_get16(g + 14 + 4), 4 + (len - 14));
	CU_ASSERT(memcmp(g + IP6_SRC, local6, 16) == 0);
	CU_ASSERT_EQUAL(tp_get16(g + IP6_L4), 0);
	CU_ASSERT_EQUAL(tp_get16(g + IP6_L4 + 2), 0x86dd);
	CU_ASSERT(memcmp(g + IP6_L4 + 4, in + 14, len - 14) == 0);
	rte_pktmbuf_free(m);

	/* GUE, UDP inside: payload sizes odd and even, the checksum must
	 * verify for each (and not be 0) */
	for (round = 0; round < 3; round++) {
		client6_spec(&s, IPPROTO_UDP, 42, 40042, 53, 0);
		memcpy(s.dst, vip_gue, 16);
		s.payload_len = (uint16_t)(17 + round * 100);
		len = tp6_build_frame(&s, in, NULL);
		push(mbuf6_of(&s), OUT);
		m = sent(IN);
		CU_ASSERT_PTR_NOT_NULL_FATAL(m);
		g = rte_pktmbuf_mtod(m, const uint8_t *);
		CU_ASSERT_EQUAL(m->pkt_len, len + 52);
		CU_ASSERT_EQUAL(g[14 + 6], 17);
		CU_ASSERT(memcmp(g + IP6_SRC, local6, 16) == 0);
		CU_ASSERT(memcmp(g + IP6_DST, b12, 16) == 0);
		CU_ASSERT_EQUAL(tp_get16(g + 14 + 4), 12 + (len - 14));
		CU_ASSERT(tp_get16(g + IP6_L4) >= 0xc000);
		if (round == 0)
			sport0 = tp_get16(g + IP6_L4);
		CU_ASSERT_EQUAL(tp_get16(g + IP6_L4), sport0);
		CU_ASSERT_EQUAL(tp_get16(g + IP6_L4 + 2), 7000);
		CU_ASSERT_EQUAL(tp_get16(g + IP6_L4 + 4), 12 + (len - 14));
		CU_ASSERT_NOT_EQUAL(tp_get16(g + IP6_L4 + 6), 0);
		CU_ASSERT(l4_csum6_ok(m, IPPROTO_UDP));
		CU_ASSERT_EQUAL(g[IP6_L4 + 8], 0);
		CU_ASSERT_EQUAL(g[IP6_L4 + 9], 41);
		CU_ASSERT(memcmp(g + IP6_L4 + 12, in + 14, len - 14) == 0);
		rte_pktmbuf_free(m);
	}
	empty_table();
	CU_ASSERT_EQUAL(rte_mempool_in_use_count(fx.pool), 0);
}

/* ---------- allow/deny, per-client rates, max_conns ---------- */

/* Service @p i of the test config: prefix @p a/@p len appended to its
 * lists (an IPv4 prefix as a host-order number, or @p a6). */
static void
acl_add(unsigned i, int deny, uint32_t a, const uint8_t *a6, uint8_t len)
{
	struct sl_config_service *cs = &fx.cfg->services[i];
	struct sl_config_acl *e = &cs->acl[cs->n_acl++];

	memset(e, 0, sizeof(*e));
	e->deny = (uint8_t)deny;
	e->len = len;
	e->v6 = a6 != NULL;
	if (a6 != NULL) {
		memcpy(e->addr, a6, 16);
	} else {
		a = htonl(a);
		memcpy(e->addr + 12, &a, 4);
	}
}

/* A SYN (TCP) or datagram from @p client to 10.0.0.100:@p vport: the
 * frame the backend side got (NULL: none), any client-side answer
 * freed after noting whether it was a RST from the VIP. */
static struct rte_mbuf *
new_conn(uint8_t proto, uint32_t client, uint16_t cport, uint16_t vport, int *rst)
{
	struct tp_fspec s;
	struct rte_mbuf *m;

	client_spec(&s, proto, client, cport, vport, proto == IPPROTO_TCP ? RTE_TCP_SYN_FLAG : 0);
	s.seq = 1000;
	push(mbuf_of(&s), OUT);
	*rst = 0;
	while ((m = sent(OUT)) != NULL) {
		const struct rte_tcp_hdr *th =
			(const struct rte_tcp_hdr *)((const uint8_t *)ip_of(m) + 20);

		if (proto == IPPROTO_TCP && th->tcp_flags == (RTE_TCP_RST_FLAG | RTE_TCP_ACK_FLAG) &&
		    ntohl(ip_of(m)->src_addr) == 0x0a000064 && ntohl(ip_of(m)->dst_addr) == client)
			*rst = 1;
		rte_pktmbuf_free(m);
	}
	return sent(IN);
}

/* Whether a new connection from @p client reaches a backend. */
static int
served(uint8_t proto, uint32_t client, uint16_t cport, uint16_t vport)
{
	int rst;
	struct rte_mbuf *m = new_conn(proto, client, cport, vport, &rst);

	rte_pktmbuf_free(m);
	return m != NULL;
}

/*
 * allow/deny of an IPv4 service: allowed prefixes only, deny wins; a
 * denied client's SYN is dropped without a RST and counted; a reload
 * that denies a client stops its new connections, not its open one.
 */
static void
test_acl(void)
{
	uint64_t d0 = fx.w->stats.drops[SL_DROP_ACL_DENIED];
	uint64_t s0 = fx.w->svc_stats[1].acl_denied;
	const struct sl_service *web;
	struct tp_fspec s;
	struct rte_mbuf *m;
	int rst;

	drain_all();
	empty_table();
	acl_add(1, 0, 0x64400000, NULL, 16);   /* allow 100.64.0.0/16 */
	acl_add(1, 0, 0x64420000, NULL, 16);   /* allow 100.66.0.0/16 */
	acl_add(1, 1, 0x64400900, NULL, 24);   /* deny 100.64.9.0/24 */
	acl_add(1, 1, 0x6442ff07, NULL, 32);   /* deny 100.66.255.7 */
	rebuild();
	web = svc_named("web");
	CU_ASSERT_FATAL(web != NULL && web->acl);
	/* the edges of every range */
	CU_ASSERT(!sl_svc_acl_pass(web, 0x643fffff));
	CU_ASSERT(sl_svc_acl_pass(web, 0x64400000));
	CU_ASSERT(sl_svc_acl_pass(web, 0x644008ff));
	CU_ASSERT(!sl_svc_acl_pass(web, 0x64400900));
	CU_ASSERT(!sl_svc_acl_pass(web, 0x644009ff));
	CU_ASSERT(sl_svc_acl_pass(web, 0x64400a00));
	CU_ASSERT(sl_svc_acl_pass(web, 0x6440ffff));
	CU_ASSERT(!sl_svc_acl_pass(web, 0x64410000));
	CU_ASSERT(sl_svc_acl_pass(web, 0x64420000));
	CU_ASSERT(sl_svc_acl_pass(web, 0x6442ff06));
	CU_ASSERT(!sl_svc_acl_pass(web, 0x6442ff07));
	CU_ASSERT(sl_svc_acl_pass(web, 0x6442ff08));
	CU_ASSERT(!sl_svc_acl_pass(web, 0x64430000));
	CU_ASSERT(!sl_svc_acl_pass(web, 0));
	CU_ASSERT(!sl_svc_acl_pass(web, 0xffffffff));
	/* dns has no lists */
	CU_ASSERT(!svc_named("dns")->acl);

	CU_ASSERT(served(IPPROTO_TCP, 0x64400001, 40000, 80));
	m = new_conn(IPPROTO_TCP, 0x64400905, 40000, 80, &rst);
	CU_ASSERT_PTR_NULL(m);
	CU_ASSERT_EQUAL(rst, 0);
	rte_pktmbuf_free(m);
	CU_ASSERT(!served(IPPROTO_TCP, 0x64410001, 40000, 80));
	CU_ASSERT_EQUAL(fx.w->stats.drops[SL_DROP_ACL_DENIED], d0 + 2);
	CU_ASSERT_EQUAL(fx.w->svc_stats[1].acl_denied, s0 + 2);
	/* another service of the same VIP is not concerned */
	CU_ASSERT(served(IPPROTO_UDP, 0x64410001, 40000, 53));

	/* deny everything: the open connection of 100.64.0.1 carries on */
	acl_add(1, 1, 0, NULL, 0);
	rebuild();
	CU_ASSERT_EQUAL(svc_named("web")->n_acl_ranges, 0);
	client_spec(&s, IPPROTO_TCP, 0x64400001, 40000, 80, RTE_TCP_ACK_FLAG);
	push(mbuf_of(&s), OUT);
	m = sent(IN);
	CU_ASSERT_PTR_NOT_NULL(m);
	rte_pktmbuf_free(m);
	CU_ASSERT(!served(IPPROTO_TCP, 0x64400001, 40001, 80));
	CU_ASSERT_EQUAL(fx.w->stats.drops[SL_DROP_ACL_DENIED], d0 + 3);

	fx.cfg->services[1].n_acl = 0;
	rebuild();
	CU_ASSERT(!svc_named("web")->acl);
	CU_ASSERT(served(IPPROTO_TCP, 0x64410001, 40002, 80));
	drain_all();
	empty_table();
}

/* allow/deny of an IPv6 service (UDP): the same rules. */
static void
test_acl6(void)
{
	uint64_t d0 = fx.w->stats.drops[SL_DROP_ACL_DENIED];
	uint8_t net[16], host[16];
	struct tp6_fspec s;
	struct rte_mbuf *m;
	unsigned i, fwd = 0;

	drain_all();
	empty_table();
	client6(net, 0);
	client6(host, 7);
	net[14] = 0;
	acl_add(8, 0, 0, net, 120);    /* allow 2001:db8:5::/120: clients 0..255 */
	acl_add(8, 1, 0, host, 128);   /* deny 2001:db8:5::7 */
	rebuild();
	CU_ASSERT(svc_named("dns6")->acl);
	for (i = 1; i <= 300; i++) {
		client6_spec(&s, IPPROTO_UDP, (uint16_t)i, 5000, 53, 0);
		push(mbuf6_of(&s), OUT);
		m = sent(IN);
		if (m != NULL) {
			fwd++;
			CU_ASSERT(i != 7 && i <= 255);
		}
		rte_pktmbuf_free(m);
		CU_ASSERT_PTR_NULL(sent(OUT));
	}
	CU_ASSERT_EQUAL(fwd, 254);
	CU_ASSERT_EQUAL(fx.w->stats.drops[SL_DROP_ACL_DENIED], d0 + 46);
	CU_ASSERT_EQUAL(fx.w->svc_stats[8].acl_denied, 46);
	fx.cfg->services[8].n_acl = 0;
	rebuild();
	drain_all();
	empty_table();
}

/*
 * conn_rate_per_client: a client gets its burst at once, then one
 * connection per interval; over it a SYN is refused with a RST, a
 * datagram dropped, both counted; another client is not affected.
 */
static void
test_rate_limit(void)
{
	uint64_t d0 = fx.w->stats.drops[SL_DROP_RATE_LIMITED];
	uint64_t s0 = fx.w->svc_stats[1].rate_limited;
	unsigned i;
	int rst;
	struct rte_mbuf *m;

	drain_all();
	empty_table();
	fx.cfg->services[1].conn_rate = 10;     /* web: 10/s, burst 3 */
	fx.cfg->services[1].conn_burst = 3;
	fx.cfg->services[0].conn_rate = 2;      /* dns: 2/s, burst 2 */
	rebuild();
	for (i = 0; i < 3; i++)
		CU_ASSERT(served(IPPROTO_TCP, 0x64500001, (uint16_t)(41000 + i), 80));
	m = new_conn(IPPROTO_TCP, 0x64500001, 41003, 80, &rst);
	CU_ASSERT_PTR_NULL(m);
	rte_pktmbuf_free(m);
	CU_ASSERT_EQUAL(rst, 1);
	CU_ASSERT_EQUAL(fx.w->stats.drops[SL_DROP_RATE_LIMITED], d0 + 1);
	CU_ASSERT_EQUAL(fx.w->svc_stats[1].rate_limited, s0 + 1);
	/* the same moment, another client: its own bucket */
	for (i = 0; i < 3; i++)
		CU_ASSERT(served(IPPROTO_TCP, 0x64500002, (uint16_t)(41000 + i), 80));
	/* the open connections of the first client are not limited */
	{
		struct tp_fspec s;

		client_spec(&s, IPPROTO_TCP, 0x64500001, 41000, 80, RTE_TCP_ACK_FLAG);
		push(mbuf_of(&s), OUT);
		m = sent(IN);
		CU_ASSERT_PTR_NOT_NULL(m);
		rte_pktmbuf_free(m);
	}
	/* a tenth of a second later: one more, not two */
	fx.now += fx.env.hz / 10 + 1;
	CU_ASSERT(served(IPPROTO_TCP, 0x64500001, 41010, 80));
	CU_ASSERT(!served(IPPROTO_TCP, 0x64500001, 41011, 80));
	/* after a second the bucket is full again: 3, not more */
	fx.now += fx.env.hz;
	for (i = 0; i < 3; i++)
		CU_ASSERT(served(IPPROTO_TCP, 0x64500001, (uint16_t)(41020 + i), 80));
	CU_ASSERT(!served(IPPROTO_TCP, 0x64500001, 41023, 80));
	CU_ASSERT_EQUAL(fx.w->stats.drops[SL_DROP_RATE_LIMITED], d0 + 3);

	/* UDP: the burst defaults to the rate; over it, dropped silently */
	CU_ASSERT(served(IPPROTO_UDP, 0x64500003, 5000, 53));
	CU_ASSERT(served(IPPROTO_UDP, 0x64500003, 5001, 53));
	m = new_conn(IPPROTO_UDP, 0x64500003, 5002, 53, &rst);
	CU_ASSERT_PTR_NULL(m);
	rte_pktmbuf_free(m);
	CU_ASSERT_EQUAL(fx.w->svc_stats[0].rate_limited, 1);
	CU_ASSERT_EQUAL(fx.w->stats.drops[SL_DROP_RATE_LIMITED], d0 + 4);

	fx.cfg->services[1].conn_rate = fx.cfg->services[1].conn_burst = 0;
	fx.cfg->services[0].conn_rate = 0;
	rebuild();
	for (i = 0; i < 5; i++)
		CU_ASSERT(served(IPPROTO_TCP, 0x64500001, (uint16_t)(41030 + i), 80));
	drain_all();
	empty_table();
}

/*
 * Many clients in one rate table: more than it has entries never makes
 * a limit stricter: each of 2 * SL_RATE_SETS * SL_RATE_WAYS clients gets
 * its first connection, whoever it evicts.
 */
static void
test_rate_limit_churn(void)
{
	unsigned i, refused = 0;

	drain_all();
	empty_table();
	fx.cfg->services[0].conn_rate = 1;      /* dns: 1/s, burst 1 */
	rebuild();
	CU_ASSERT(served(IPPROTO_UDP, 0x64600001, 6000, 53));
	CU_ASSERT(!served(IPPROTO_UDP, 0x64600001, 6001, 53));
	for (i = 0; i < SL_RATE_SETS * SL_RATE_WAYS * 2; i++) {
		refused += !served(IPPROTO_UDP, 0x65000000 + i, 6000, 53);
		/* the flow table is small: keep it from filling up (time
		 * moves on; none of these clients asks twice) */
		if (sl_flow_count(fx.w->flows) > 512)
			empty_table();
	}
	CU_ASSERT_EQUAL(refused, 0);
	fx.cfg->services[0].conn_rate = 0;
	rebuild();
	drain_all();
	empty_table();
}

/* Whether @p m is a RST (with ACK, to a SYN) from [2001:db8::100]:80 to
 * the client of @p s, acknowledging its SYN, with a valid checksum. */
static int
rst6_to(const struct rte_mbuf *m, const struct tp6_fspec *s)
{
	const uint8_t *f = rte_pktmbuf_mtod(m, const uint8_t *);

	return m->pkt_len == 14 + 40 + 20 && f[14 + 6] == IPPROTO_TCP &&
	       memcmp(f + IP6_DST, s->src, 16) == 0 && memcmp(f + IP6_SRC, s->dst, 16) == 0 &&
	       tp_get16(f + IP6_L4) == s->dport && tp_get16(f + IP6_L4 + 2) == s->sport &&
	       f[IP6_L4 + 13] == (RTE_TCP_RST_FLAG | RTE_TCP_ACK_FLAG) &&
	       tp_get32(f + IP6_L4 + 8) == s->seq + 1 && l4_csum6_ok(m, IPPROTO_TCP);
}

/* IPv6: over the rate, dropped (no IPv6 RST) and counted. */
static void
test_rate_limit6(void)
{
	uint64_t d0 = fx.w->stats.drops[SL_DROP_RATE_LIMITED];
	struct tp6_fspec s;
	struct rte_mbuf *m;
	unsigned i, fwd = 0;

	drain_all();
	empty_table();
	fx.cfg->services[7].conn_rate = 1;      /* web6: 1/s, burst 2 */
	fx.cfg->services[7].conn_burst = 2;
	rebuild();
	for (i = 0; i < 4; i++) {
		client6_spec(&s, IPPROTO_TCP, 9, (uint16_t)(7000 + i), 80, RTE_TCP_SYN_FLAG);
		push(mbuf6_of(&s), OUT);
		m = sent(IN);
		fwd += m != NULL;
		rte_pktmbuf_free(m);
		/* a refused SYN is reset from the VIP */
		m = sent(OUT);
		CU_ASSERT((m != NULL) == (i >= 2));
		if (m != NULL)
			CU_ASSERT(rst6_to(m, &s));
		rte_pktmbuf_free(m);
	}
	CU_ASSERT_EQUAL(fwd, 2);
	CU_ASSERT_EQUAL(fx.w->stats.drops[SL_DROP_RATE_LIMITED], d0 + 2);
	CU_ASSERT_EQUAL(fx.w->svc_stats[7].rate_limited, 2);
	/* another client meanwhile */
	client6_spec(&s, IPPROTO_TCP, 10, 7000, 80, RTE_TCP_SYN_FLAG);
	push(mbuf6_of(&s), OUT);
	m = sent(IN);
	CU_ASSERT_PTR_NOT_NULL(m);
	rte_pktmbuf_free(m);
	fx.cfg->services[7].conn_rate = fx.cfg->services[7].conn_burst = 0;
	rebuild();
	drain_all();
	empty_table();
}

/*
 * max_conns: a backend at its limit is skipped, the others take the
 * connections; with all of them full a SYN gets a RST (counted
 * backend_full); a connection leaving the table frees its place.
 */
static void
test_max_conns(void)
{
	uint64_t d0 = fx.w->stats.drops[SL_DROP_BACKEND_FULL];
	uint64_t nb0 = fx.w->stats.drops[SL_DROP_NO_BACKEND];
	unsigned i, per[3] = { 0 };
	struct rte_mbuf *m;
	int rst;

	drain_all();
	empty_table();
	fx.cfg->services[1].backends[0].max_conns = 1;   /* 10.1.0.11 */
	rebuild();
	for (i = 0; i < 9; i++) {
		m = new_conn(IPPROTO_TCP, 0x64700001 + i, 42000, 80, &rst);
		CU_ASSERT_PTR_NOT_NULL_FATAL(m);
		per[(ntohl(ip_of(m)->dst_addr) & 0xff) - 11]++;
		rte_pktmbuf_free(m);
	}
	CU_ASSERT_EQUAL(per[0], 1);
	CU_ASSERT_EQUAL(per[1] + per[2], 8);
	CU_ASSERT_EQUAL(fx.w->stats.drops[SL_DROP_BACKEND_FULL], d0);

	/* every backend at 3: the tenth is refused */
	for (i = 0; i < 3; i++)
		fx.cfg->services[1].backends[i].max_conns = 3;
	rebuild();
	CU_ASSERT(served(IPPROTO_TCP, 0x64700010, 42000, 80));
	CU_ASSERT(served(IPPROTO_TCP, 0x64700011, 42000, 80));
	m = new_conn(IPPROTO_TCP, 0x64700012, 42000, 80, &rst);
	CU_ASSERT_PTR_NULL(m);
	rte_pktmbuf_free(m);
	CU_ASSERT_EQUAL(rst, 1);
	CU_ASSERT_EQUAL(fx.w->stats.drops[SL_DROP_BACKEND_FULL], d0 + 1);
	CU_ASSERT_EQUAL(fx.w->svc_stats[1].backend_full, 1);
	/* full, not without backends */
	CU_ASSERT_EQUAL(fx.w->stats.drops[SL_DROP_NO_BACKEND], nb0);
	/* the connections leave the table: room again */
	empty_table();
	CU_ASSERT(served(IPPROTO_TCP, 0x64700012, 42001, 80));
	for (i = 0; i < 3; i++)
		fx.cfg->services[1].backends[i].max_conns = 0;
	rebuild();
	CU_ASSERT_PTR_NULL(svc_named("web")->ss.max_conns);
	drain_all();
	empty_table();
}

/* max_conns of an IPv6 service: all full, the SYN is dropped, counted. */
static void
test_max_conns6(void)
{
	uint64_t d0 = fx.w->stats.drops[SL_DROP_BACKEND_FULL];
	struct tp6_fspec s;
	struct rte_mbuf *m;
	unsigned i, fwd = 0, seen[3] = { 0 };

	drain_all();
	empty_table();
	for (i = 0; i < 3; i++)
		fx.cfg->services[7].backends[i].max_conns = 1;
	rebuild();
	for (i = 0; i < 4; i++) {
		client6_spec(&s, IPPROTO_TCP, (uint16_t)(20 + i), 7000, 80, RTE_TCP_SYN_FLAG);
		push(mbuf6_of(&s), OUT);
		m = sent(IN);
		if (m != NULL) {
			const struct rte_ipv6_hdr *ip6 = rte_pktmbuf_mtod_offset(m,
				const struct rte_ipv6_hdr *, RTE_ETHER_HDR_LEN);
			int b = be6_index(ip6->dst_addr);

			CU_ASSERT(b >= 0);
			if (b >= 0)
				seen[b]++;
			fwd++;
		}
		rte_pktmbuf_free(m);
		m = sent(OUT);
		CU_ASSERT((m != NULL) == (fwd < i + 1));
		if (m != NULL)
			CU_ASSERT(rst6_to(m, &s));
		rte_pktmbuf_free(m);
	}
	CU_ASSERT_EQUAL(fwd, 3);
	CU_ASSERT(seen[0] == 1 && seen[1] == 1 && seen[2] == 1);
	CU_ASSERT_EQUAL(fx.w->stats.drops[SL_DROP_BACKEND_FULL], d0 + 1);
	CU_ASSERT_EQUAL(fx.w->svc_stats[7].backend_full, 1);
	for (i = 0; i < 3; i++)
		fx.cfg->services[7].backends[i].max_conns = 0;
	rebuild();
	drain_all();
	empty_table();
}

/*
 * A health check through an IPv6 VIP, as the management lcore sends it:
 * the kernel's frame from the inside port's address to the backend's
 * own, readdressed to the VIP (sl_nat6_rewrite: the TCP/UDP checksum
 * stays valid, the hop limit one less), then made ready by
 * sl_fwd_oneway_frame(): dr: to the backend's MAC from the port's,
 * nothing else changed; tunnel: behind the outer headers of the
 * service's encapsulation (IPv6 in IPv6, GRE, GUE with a UDP checksum
 * that verifies) from the port's IPv6 local address to the backend, as
 * a client's packet. A
 * frame that would not fit the MTU once wrapped is refused
 * (-EMSGSIZE), and so is an IPv6 frame for an IPv4 backend (-EINVAL);
 * an IPv4 frame of a dr service still only gets its MACs.
 */
static void
test_oneway_frame6(void)
{
	static const uint8_t local6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0x01, [15] = 0x05 };
	static const char *const names[] = { "dr6", "tun6", "gre6", "gue6" };
	static const uint8_t nh[] = { 0, 41, 47, IPPROTO_UDP };
	static const uint8_t protos[] = { IPPROTO_TCP, IPPROTO_UDP };
	unsigned n, p;

	for (n = 0; n < RTE_DIM(names); n++) {
		for (p = 0; p < RTE_DIM(protos); p++) {
			const struct sl_service *sv = svc_named(names[n]);
			const struct sl_backend *be = &sv->backends[(p + 1) % sv->n_backends];
			unsigned add = sv->mode == SL_MODE_TUNNEL ? be->tun.len : 0;
			struct tp6_fspec s, want;
			struct sl_pkt6_info pi;
			struct rte_ether_addr mac;
			struct rte_mbuf *m;
			uint8_t f[TP_MAX_FRAME];
			const uint8_t *g;
			uint32_t len;

			tp6_spec_default(&s, protos[p]);
			memcpy(s.dmac, (uint8_t[6]){ 0x02, 0, 0, 0, 0xee, 1 }, 6);
			memcpy(s.smac, (uint8_t[6]){ 0x02, 0, 0, 0, 0xee, 2 }, 6);
			memcpy(s.src, in_addr6, 16);
			memcpy(s.dst, be->addr6.b, 16);
			s.sport = 40100;
			s.dport = rte_be_to_cpu_16(be->port);
			s.tcp_flags = RTE_TCP_SYN_FLAG;
			s.tclass = 0x28;
			s.payload_len = protos[p] == IPPROTO_TCP ? 0 : 12;
			m = mbuf6_of(&s);
			pi.l2_len = RTE_ETHER_HDR_LEN;
			CU_ASSERT_EQUAL_FATAL(sl_pkt_parse6(rte_pktmbuf_mtod(m, uint8_t *),
							    rte_pktmbuf_data_len(m), 0, &pi), 0);
			sl_nat6_rewrite(rte_pktmbuf_mtod(m, uint8_t *), &pi, 1, &sv->vip6, pi.dport);
			CU_ASSERT(l4_csum6_ok(m, protos[p]));
			hop_mac6(be->addr6.b, mac.addr_bytes);
			CU_ASSERT_EQUAL_FATAL(sl_fwd_oneway_frame(fx.w, fx.snap, sv, be, m, &mac), 0);
			CU_ASSERT_EQUAL(m->port, fx.snap->ports[be->out_port].port_id);
			want = s;
			memcpy(want.dst, sv->vip6.b, 16);
			want.hlim = (uint8_t)(s.hlim - 1);
			len = tp6_build_frame(&want, f, NULL);
			g = rte_pktmbuf_mtod(m, const uint8_t *);
			CU_ASSERT_EQUAL(m->pkt_len, len + add);
			CU_ASSERT(memcmp(g, mac.addr_bytes, 6) == 0);
			CU_ASSERT(memcmp(g + 6, &fx.hw[be->out_port].mac, 6) == 0);
			CU_ASSERT_EQUAL(tp_get16(g + 12), 0x86dd);
			if (add != 0) {
				uint32_t vtc;

				memcpy(&vtc, g + 14, 4);
				CU_ASSERT_EQUAL(ntohl(vtc), 0x60000000u | 0x28u << 20);
				CU_ASSERT_EQUAL(tp_get16(g + 14 + 4), len - 14 + add - 40);
				CU_ASSERT_EQUAL(g[14 + 6], nh[n]);
				CU_ASSERT_EQUAL(g[14 + 7], 64);
				CU_ASSERT(memcmp(g + IP6_SRC, local6, 16) == 0);
				CU_ASSERT(memcmp(g + IP6_DST, be->addr6.b, 16) == 0);
				if (nh[n] == IPPROTO_UDP)
					CU_ASSERT(l4_csum6_ok(m, IPPROTO_UDP));
			}
			/* the packet for the VIP, byte for byte */
			CU_ASSERT(m->pkt_len == len + add &&
				  memcmp(g + 14 + add, f + 14, len - 14) == 0);
			rte_pktmbuf_free(m);
		}
	}

	/* over the MTU once wrapped: 1500 bytes fit dr, not the tunnels */
	{
		const struct sl_service *sv;
		struct rte_ether_addr mac = { { 0x02, 0, 0, 0, 0xee, 3 } };
		struct tp6_fspec s;
		struct rte_mbuf *m;
		unsigned n;

		for (n = 0; n < RTE_DIM(names); n++) {
			sv = svc_named(names[n]);
			tp6_spec_default(&s, IPPROTO_TCP);
			memcpy(s.dst, sv->vip6.b, 16);
			s.tcp_flags = RTE_TCP_ACK_FLAG;
			s.payload_len = 1440;
			m = mbuf6_of(&s);
			CU_ASSERT_EQUAL(m->pkt_len, 14u + 1500u);
			CU_ASSERT_EQUAL(sl_fwd_oneway_frame(fx.w, fx.snap, sv, &sv->backends[0], m, &mac),
					sv->mode == SL_MODE_TUNNEL ? -EMSGSIZE : 0);
			/* refused: not grown either */
			CU_ASSERT_EQUAL(m->pkt_len, 14u + 1500u);
			rte_pktmbuf_free(m);
		}
		/* an IPv6 frame for an IPv4 dr backend */
		sv = svc_named("dr");
		tp6_spec_default(&s, IPPROTO_TCP);
		m = mbuf6_of(&s);
		CU_ASSERT_EQUAL(sl_fwd_oneway_frame(fx.w, fx.snap, sv, &sv->backends[0], m, &mac),
				-EINVAL);
		rte_pktmbuf_free(m);
	}

	/* IPv4, as before: a dr frame gets its MACs and nothing else */
	{
		const struct sl_service *sv = svc_named("dr");
		const struct sl_backend *be = &sv->backends[0];
		struct rte_ether_addr mac;
		struct tp_fspec s;
		struct rte_mbuf *m;

		vip_spec(&s, DR_VIP, ntohl(fx.snap->ports[IN].addr), 40100, RTE_TCP_SYN_FLAG);
		m = mbuf_of(&s);
		hop_mac(ntohl(be->addr), mac.addr_bytes);
		CU_ASSERT_EQUAL_FATAL(sl_fwd_oneway_frame(fx.w, fx.snap, sv, be, m, &mac), 0);
		CU_ASSERT_EQUAL(m->port, fx.snap->ports[be->out_port].port_id);
		CU_ASSERT(dr_frame_is(m, &s, ntohl(be->addr)));
		rte_pktmbuf_free(m);
	}
	CU_ASSERT_EQUAL(rte_mempool_in_use_count(fx.pool), 0);
}

/* ---- the packet tracer ------------------------------------------- */

/* @p a set to IPv4 address @p ip (host order) as ::ffff:a.b.c.d. */
static void
mapped4(struct sl_in6 *a, uint32_t ip)
{
	memset(a, 0, sizeof(*a));
	a->b[10] = a->b[11] = 0xff;
	tp_put32(&a->b[12], ip);
}

/* Whether @p a is IPv4 address @p ip (host order), mapped. */
static int
is4(const struct sl_in6 *a, uint32_t ip)
{
	struct sl_in6 m;

	mapped4(&m, ip);
	return sl_in6_eq(a, &m);
}

/* @p m traced through the path from port index @p pidx, its frames
 * handed to the ports. */
static void
trace_pkt(struct rte_mbuf *m, int pidx, struct sl_fwd_verdict *v)
{
	memset(v, 0xa5, sizeof(*v));
	sl_fwd_trace_one(fx.w, fx.snap, m, pidx, fx.now, v);
	sl_fwd_flush(fx.w);
}

/* Whether the line made of @p v has @p what in it (the line is shown
 * when it has not). */
static int
line_has(const struct sl_fwd_verdict *v, const char *what)
{
	char line[1024];
	int n = sl_fwd_verdict_format(v, fx.snap, v->tsc, fx.env.hz, line, sizeof(line));

	if (n <= 0 || (size_t)n >= sizeof(line) || strstr(line, what) == NULL) {
		printf("\n  \"%s\" not in: %s\n", what, line);
		return 0;
	}
	return 1;
}

/* Service web's scheduler and persistence set to @p sched and
 * @p persist in the configuration, and a snapshot made of it; the
 * values it had are left in @p old_sched (may be NULL) and returned. */
static uint32_t
set_web(const char *sched, uint32_t persist, char old_sched[SL_SCHED_NAME_MAX])
{
	unsigned i, web = UINT_MAX;
	uint32_t old;

	for (i = 0; i < fx.cfg->n_services; i++)
		if (strcmp(fx.cfg->services[i].name, "web") == 0)
			web = i;
	CU_ASSERT_FATAL(web != UINT_MAX);
	if (old_sched != NULL)
		memcpy(old_sched, fx.cfg->services[web].scheduler, SL_SCHED_NAME_MAX);
	snprintf(fx.cfg->services[web].scheduler, SL_SCHED_NAME_MAX, "%s", sched);
	old = fx.cfg->services[web].persistence;
	fx.cfg->services[web].persistence = persist;
	rebuild();
	return old;
}

/* A backend's segment of service web to client @p client:@p cport. */
static void
web_reply_spec(struct tp_fspec *r, uint32_t bip, uint32_t client, uint16_t cport, uint8_t flags)
{
	tp_spec_default(r, IPPROTO_TCP);
	memcpy(r->dmac, &fx.hw[IN].mac, 6);
	r->src = bip;
	r->dst = client;
	r->sport = 8080;
	r->dport = cport;
	r->seq = 7000;
	r->ack = 1001;
	r->tcp_flags = flags;
	r->payload_len = 20;
}

/*
 * A new connection to a NAT service with maglev: the verdict names the
 * backend the SYN was sent to, the scheduler's hash (the one that picks
 * that backend from the service's table), and the addresses and port
 * the frame left with; the connection's next packet goes by its record,
 * and the backend's reply is rewritten from the VIP.
 */
static void
test_trace_new_conn(void)
{
	enum { N = 8 };
	char old_sched[SL_SCHED_NAME_MAX];
	const struct sl_service *svc;
	const struct sl_backend *be;
	struct sl_fwd_verdict v;
	uint32_t bip, first_bip = 0, distinct = 0;
	struct tp_fspec s, r;
	struct rte_mbuf *m;
	unsigned i;

	set_mtu(0);
	set_web("maglev", 0, old_sched);
	svc = svc_named("web");
	CU_ASSERT_FATAL(svc->sched->needs_hash && !svc->hash_source && svc->mode == SL_MODE_NAT);
	for (i = 0; i < N; i++) {
		struct sl_flow_key k;
		uint64_t kw[2];   /* read as words: no aliasing of the key */
		int bi;

		vip_spec(&s, 0x0a000064, 0x64700001, (uint16_t)(42000 + i), RTE_TCP_SYN_FLAG);
		trace_pkt(mbuf_of(&s), OUT, &v);
		m = sent(IN);
		CU_ASSERT_PTR_NOT_NULL_FATAL(m);
		CU_ASSERT_PTR_NULL(sent(OUT));
		bip = ntohl(ip_of(m)->dst_addr);
		be = be_at(svc, bip);
		CU_ASSERT_PTR_NOT_NULL_FATAL(be);
		if (i == 0)
			first_bip = bip;
		else if (bip != first_bip)
			distinct++;

		CU_ASSERT_EQUAL(v.fate, SL_FATE_FORWARDED);
		CU_ASSERT_EQUAL(v.drop, 0);
		CU_ASSERT_EQUAL(v.why, SL_WHY_SCHED);
		CU_ASSERT_EQUAL(v.new_conn, 1);
		CU_ASSERT_EQUAL(v.dir, SL_DIR_ORIG);
		CU_ASSERT_EQUAL(v.svc, svc->id);
		CU_ASSERT_EQUAL(v.be, be->slot);
		CU_ASSERT_EQUAL(v.be_gen, be->gen);
		CU_ASSERT_EQUAL(v.mode, SL_MODE_NAT);
		CU_ASSERT_EQUAL(v.parsed, 1);
		CU_ASSERT_EQUAL(v.v6, 0);
		CU_ASSERT_EQUAL(v.proto, IPPROTO_TCP);
		CU_ASSERT_EQUAL(v.tcp_flags, RTE_TCP_SYN_FLAG);
		CU_ASSERT_EQUAL(v.in_port, OUT);
		CU_ASSERT_EQUAL(v.out_port, IN);
		CU_ASSERT_EQUAL(v.gen, 0);
		CU_ASSERT(is4(&v.src, 0x64700001) && is4(&v.dst, 0x0a000064));
		CU_ASSERT_EQUAL(v.sport, 42000 + i);
		CU_ASSERT_EQUAL(v.dport, 80);
		/* the rewrite: what the frame on the inside port says */
		CU_ASSERT_EQUAL(v.rewritten, 1);
		CU_ASSERT(is4(&v.ndst, bip));
		CU_ASSERT_EQUAL(v.ndport, l4_port(m, 1));
		CU_ASSERT(is4(&v.nsrc, ntohl(ip_of(m)->src_addr)));
		CU_ASSERT_EQUAL(v.nsport, l4_port(m, 0));
		/* the hash of the client's key, the one that picks this
		 * backend from the maglev table */
		k = (struct sl_flow_key){ .src = htonl(s.src), .dst = htonl(s.dst),
					  .sport = htons(s.sport), .dport = htons(s.dport),
					  .proto = IPPROTO_TCP };
		RTE_BUILD_BUG_ON(sizeof(k) != sizeof(kw));
		memcpy(kw, &k, sizeof(kw));
		CU_ASSERT_EQUAL(v.hash, rte_hash_crc(kw, sizeof(kw), 0x51ce));
		bi = svc->sched->pick(&svc->ss, NULL, v.hash, NULL);
		CU_ASSERT_FATAL(bi >= 0 && bi < svc->n_backends);
		CU_ASSERT_EQUAL(svc->backends[bi].slot, v.be);
		{
			char want[64];

			snprintf(want, sizeof(want), "hash %08x", v.hash);
			CU_ASSERT(line_has(&v, want));
			snprintf(want, sizeof(want), "-> backend %u.%u.%u.%u:%u", bip >> 24,
				 (bip >> 16) & 0xff, (bip >> 8) & 0xff, bip & 0xff, l4_port(m, 1));
			CU_ASSERT(line_has(&v, want));
		}
		CU_ASSERT(line_has(&v, "scheduler maglev"));
		CU_ASSERT(line_has(&v, "; out inside"));
		rte_pktmbuf_free(m);
	}
	/* more than one backend, or a wrong backend could pass */
	CU_ASSERT(distinct > 0);

	/* the first connection's next packet: its record */
	vip_spec(&s, 0x0a000064, 0x64700001, 42000, RTE_TCP_ACK_FLAG);
	s.seq = 1001;
	s.payload_len = 20;
	trace_pkt(mbuf_of(&s), OUT, &v);
	m = sent(IN);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	CU_ASSERT_EQUAL(ntohl(ip_of(m)->dst_addr), first_bip);
	be = be_at(svc, first_bip);
	CU_ASSERT_PTR_NOT_NULL_FATAL(be);
	CU_ASSERT_EQUAL(v.fate, SL_FATE_FORWARDED);
	CU_ASSERT_EQUAL(v.why, SL_WHY_CONN);
	CU_ASSERT_EQUAL(v.new_conn, 0);
	CU_ASSERT_EQUAL(v.dir, SL_DIR_ORIG);
	CU_ASSERT_EQUAL(v.svc, svc->id);
	CU_ASSERT_EQUAL(v.be, be->slot);
	CU_ASSERT(is4(&v.ndst, first_bip));
	CU_ASSERT_EQUAL(v.ndport, l4_port(m, 1));
	CU_ASSERT_EQUAL(v.out_port, IN);
	CU_ASSERT(line_has(&v, "packet of a connection"));
	rte_pktmbuf_free(m);

	/* the backend's reply: from the VIP to the client */
	web_reply_spec(&r, first_bip, 0x64700001, 42000, RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG);
	r.payload_len = 0;
	trace_pkt(mbuf_of(&r), IN, &v);
	m = sent(OUT);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	CU_ASSERT_PTR_NULL(sent(IN));
	CU_ASSERT_EQUAL(ntohl(ip_of(m)->src_addr), 0x0a000064);
	CU_ASSERT_EQUAL(l4_port(m, 0), 80);
	CU_ASSERT_EQUAL(ntohl(ip_of(m)->dst_addr), 0x64700001);
	CU_ASSERT_EQUAL(l4_port(m, 1), 42000);
	CU_ASSERT(csums_ok(m));
	CU_ASSERT_EQUAL(v.fate, SL_FATE_FORWARDED);
	CU_ASSERT_EQUAL(v.dir, SL_DIR_REPLY);
	CU_ASSERT_EQUAL(v.why, SL_WHY_CONN);
	CU_ASSERT_EQUAL(v.new_conn, 0);
	CU_ASSERT_EQUAL(v.svc, svc->id);
	CU_ASSERT_EQUAL(v.be, be->slot);
	CU_ASSERT_EQUAL(v.in_port, IN);
	CU_ASSERT_EQUAL(v.out_port, OUT);
	CU_ASSERT(is4(&v.src, first_bip) && v.sport == 8080);
	CU_ASSERT_EQUAL(v.rewritten, 1);
	CU_ASSERT(is4(&v.nsrc, ntohl(ip_of(m)->src_addr)));
	CU_ASSERT_EQUAL(v.nsport, l4_port(m, 0));
	CU_ASSERT(is4(&v.ndst, ntohl(ip_of(m)->dst_addr)));
	CU_ASSERT_EQUAL(v.ndport, l4_port(m, 1));
	CU_ASSERT(line_has(&v, "reply of a connection"));
	CU_ASSERT(line_has(&v, "rewritten 10.0.0.100:80 > 100.112.0.1:42000"));
	rte_pktmbuf_free(m);

	empty_table();
	set_web(old_sched, 0, NULL);
}

/*
 * What is dropped, and why: no service at the VIP's port, no connection
 * for a segment, no usable backend (the client's SYN answered with the
 * RST the verdict says); each line names its drop reason.
 */
static void
test_trace_drops(void)
{
	const struct sl_service *web;
	const struct rte_tcp_hdr *th;
	struct sl_fwd_verdict v;
	struct tp_fspec s;
	struct rte_mbuf *m;
	uint64_t d0;
	unsigned i;

	set_mtu(0);
	web = svc_named("web");

	/* a SYN to a port of the VIP no service has */
	d0 = fx.w->stats.drops[SL_DROP_NO_SERVICE];
	client_spec(&s, IPPROTO_TCP, 0x64710001, 43000, 81, RTE_TCP_SYN_FLAG);
	trace_pkt(mbuf_of(&s), OUT, &v);
	CU_ASSERT_PTR_NULL(sent(IN));
	CU_ASSERT_PTR_NULL(sent(OUT));
	CU_ASSERT_EQUAL(fx.w->stats.drops[SL_DROP_NO_SERVICE], d0 + 1);
	CU_ASSERT_EQUAL(v.fate, SL_FATE_DROPPED);
	CU_ASSERT_EQUAL(v.drop, SL_DROP_NO_SERVICE);
	CU_ASSERT_EQUAL(v.svc, -1);
	CU_ASSERT_EQUAL(v.be, -1);
	CU_ASSERT_EQUAL(v.why, SL_WHY_NONE);
	CU_ASSERT_EQUAL(v.new_conn, 0);
	CU_ASSERT_EQUAL(v.out_port, 0xff);
	CU_ASSERT_EQUAL(v.dport, 81);
	CU_ASSERT(line_has(&v, sl_drop_name(SL_DROP_NO_SERVICE)));
	CU_ASSERT(line_has(&v, "; dropped: "));

	/* a segment of no connection to a NAT service */
	d0 = fx.w->stats.drops[SL_DROP_NO_FLOW];
	client_spec(&s, IPPROTO_TCP, 0x64710001, 43001, 80, RTE_TCP_ACK_FLAG);
	trace_pkt(mbuf_of(&s), OUT, &v);
	CU_ASSERT_PTR_NULL(sent(IN));
	CU_ASSERT_PTR_NULL(sent(OUT));
	CU_ASSERT_EQUAL(fx.w->stats.drops[SL_DROP_NO_FLOW], d0 + 1);
	CU_ASSERT_EQUAL(sl_flow_count(fx.w->flows), 0);
	CU_ASSERT_EQUAL(v.fate, SL_FATE_DROPPED);
	CU_ASSERT_EQUAL(v.drop, SL_DROP_NO_FLOW);
	CU_ASSERT_EQUAL(v.svc, web->id);
	CU_ASSERT_EQUAL(v.be, -1);
	CU_ASSERT_EQUAL(v.new_conn, 0);
	CU_ASSERT_EQUAL(v.out_port, 0xff);
	CU_ASSERT(line_has(&v, sl_drop_name(SL_DROP_NO_FLOW)));
	CU_ASSERT(line_has(&v, "service web"));

	/* every backend of web down: the SYN is refused with a RST */
	for (i = 0; i < web->n_backends; i++)
		sl_svc_ids_set_down(fx.ids, web->backends[i].slot, 1);
	rebuild();
	web = svc_named("web");
	d0 = fx.w->stats.drops[SL_DROP_NO_BACKEND];
	client_spec(&s, IPPROTO_TCP, 0x64710002, 43002, 80, RTE_TCP_SYN_FLAG);
	s.seq = 9000;
	trace_pkt(mbuf_of(&s), OUT, &v);
	CU_ASSERT_PTR_NULL(sent(IN));
	m = sent(OUT);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	th = tcp_of(m);
	CU_ASSERT_EQUAL(th->tcp_flags, RTE_TCP_RST_FLAG | RTE_TCP_ACK_FLAG);
	CU_ASSERT_EQUAL(ntohl(th->recv_ack), 9001);
	CU_ASSERT_EQUAL(ntohl(ip_of(m)->src_addr), 0x0a000064);
	CU_ASSERT_EQUAL(ntohl(ip_of(m)->dst_addr), 0x64710002);
	CU_ASSERT_EQUAL(ntohs(th->dst_port), 43002);
	CU_ASSERT(csums_ok(m));
	rte_pktmbuf_free(m);
	CU_ASSERT_PTR_NULL(sent(OUT));
	CU_ASSERT_EQUAL(fx.w->stats.drops[SL_DROP_NO_BACKEND], d0 + 1);
	CU_ASSERT_EQUAL(v.fate, SL_FATE_REFUSED);
	CU_ASSERT_EQUAL(v.drop, SL_DROP_NO_BACKEND);
	CU_ASSERT_EQUAL(v.svc, web->id);
	CU_ASSERT_EQUAL(v.be, -1);
	CU_ASSERT_EQUAL(v.new_conn, 0);
	CU_ASSERT_EQUAL(v.out_port, OUT);
	CU_ASSERT(line_has(&v, sl_drop_name(SL_DROP_NO_BACKEND)));
	CU_ASSERT(line_has(&v, "RST sent to the client"));
	CU_ASSERT(line_has(&v, "10.1.0.11:8080 (down)"));
	CU_ASSERT(line_has(&v, "; out outside"));
	for (i = 0; i < web->n_backends; i++)
		sl_svc_ids_set_down(fx.ids, web->backends[i].slot, 0);
	rebuild();
	CU_ASSERT_EQUAL(sl_flow_count(fx.w->flows), 0);
}

/*
 * Persistence: a client's later connections go to its first one's
 * backend by affinity (rr would have moved them on), and the verdict
 * says so; another client's first connection is the scheduler's.
 */
static void
test_trace_affinity(void)
{
	char old_sched[SL_SCHED_NAME_MAX];
	const struct sl_service *web;
	const struct sl_backend *be;
	struct sl_fwd_verdict v;
	struct tp_fspec s;
	struct rte_mbuf *m;
	uint32_t first;
	unsigned i;

	set_mtu(0);
	set_web("rr", 300, old_sched);
	web = svc_named("web");
	CU_ASSERT_EQUAL_FATAL(web->persist_s, 300);

	client_spec(&s, IPPROTO_TCP, 0x64720001, 44000, 80, RTE_TCP_SYN_FLAG);
	trace_pkt(mbuf_of(&s), OUT, &v);
	m = sent(IN);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	first = ntohl(ip_of(m)->dst_addr);
	rte_pktmbuf_free(m);
	be = be_at(web, first);
	CU_ASSERT_PTR_NOT_NULL_FATAL(be);
	CU_ASSERT_EQUAL(v.why, SL_WHY_SCHED);
	CU_ASSERT_EQUAL(v.be, be->slot);
	CU_ASSERT_EQUAL(v.new_conn, 1);

	for (i = 1; i < 4; i++) {
		client_spec(&s, IPPROTO_TCP, 0x64720001, (uint16_t)(44000 + i), 80,
			    RTE_TCP_SYN_FLAG);
		trace_pkt(mbuf_of(&s), OUT, &v);
		m = sent(IN);
		CU_ASSERT_PTR_NOT_NULL_FATAL(m);
		CU_ASSERT_EQUAL(ntohl(ip_of(m)->dst_addr), first);
		CU_ASSERT(is4(&v.ndst, first));
		rte_pktmbuf_free(m);
		CU_ASSERT_EQUAL(v.fate, SL_FATE_FORWARDED);
		CU_ASSERT_EQUAL(v.why, SL_WHY_AFFINITY);
		CU_ASSERT_EQUAL(v.new_conn, 1);
		CU_ASSERT_EQUAL(v.svc, web->id);
		CU_ASSERT_EQUAL(v.be, be->slot);
		CU_ASSERT(line_has(&v, "affinity"));
	}

	/* another client: scheduled (rr: on from where it was) */
	client_spec(&s, IPPROTO_TCP, 0x64720002, 44000, 80, RTE_TCP_SYN_FLAG);
	trace_pkt(mbuf_of(&s), OUT, &v);
	m = sent(IN);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	CU_ASSERT_EQUAL(v.why, SL_WHY_SCHED);
	CU_ASSERT_PTR_NOT_NULL(be_at(web, ntohl(ip_of(m)->dst_addr)));
	CU_ASSERT_EQUAL(v.be, be_at(web, ntohl(ip_of(m)->dst_addr))->slot);
	rte_pktmbuf_free(m);

	empty_table();
	set_web(old_sched, 0, NULL);
}

/* A UDP datagram from @p client:@p cport to service dns. */
static struct rte_mbuf *
dns_query(uint32_t client, uint16_t cport)
{
	struct tp_fspec s;

	client_spec(&s, IPPROTO_UDP, client, cport, 53, 0);
	return mbuf_of(&s);
}

/* The next frame port index @p pidx sent is from @p client:@p cport
 * (after the NAT) to service dns's backend port; its destination
 * address in @p bip. */
static int
sent_from(int pidx, uint32_t client, uint16_t cport, uint32_t *bip)
{
	struct rte_mbuf *m = sent(pidx);
	int ok;

	if (m == NULL)
		return 0;
	ok = ntohl(ip_of(m)->src_addr) == client && l4_port(m, 0) == cport &&
	     l4_port(m, 1) == 5353 && csums_ok(m);
	if (bip != NULL)
		*bip = ntohl(ip_of(m)->dst_addr);
	rte_pktmbuf_free(m);
	return ok;
}

/*
 * The live trace: of a burst, the packets of the traced client only, at
 * most max of them, go through the tracer and their verdicts onto the
 * worker's trace ring, while every packet of the burst is forwarded in
 * its order; a service filter takes its VIP's packets and its backends'
 * replies; a full ring loses verdicts (counted), never packets.
 */
static void
test_trace_live(void)
{
	enum { A = 0x64730001, B = 0x64730002 };
	struct sl_fwd_trace_ctl *tc = &fx.env.trace;
	struct sl_fwd_verdict v[4], fill;
	const struct sl_service *web;
	struct rte_mbuf *pkts[5];
	uint32_t bip[5], room = 0;
	struct tp_fspec s, r;
	uint64_t lost0;
	struct rte_mbuf *m;

	set_mtu(0);
	CU_ASSERT_EQUAL_FATAL(rte_ring_count(fx.w->trace_ring), 0);
	memset(tc, 0, sizeof(*tc));
	tc->svc = -1;
	mapped4(&tc->client, A);
	tc->max = 2;
	tc->gen = 1;
	tc->on = 1;
	fx.w->trace_on = 1;
	lost0 = fx.w->stats.trace_lost;

	/* A, B, A, B, A: A's first two traced, its third over max */
	pkts[0] = dns_query(A, 45000);
	pkts[1] = dns_query(B, 45000);
	pkts[2] = dns_query(A, 45001);
	pkts[3] = dns_query(B, 45001);
	pkts[4] = dns_query(A, 45002);
	sl_fwd_trace_burst(fx.w, fx.snap, pkts, 5, OUT, fx.now);
	sl_fwd_flush(fx.w);
	CU_ASSERT(sent_from(IN, A, 45000, &bip[0]));
	CU_ASSERT(sent_from(IN, B, 45000, &bip[1]));
	CU_ASSERT(sent_from(IN, A, 45001, &bip[2]));
	CU_ASSERT(sent_from(IN, B, 45001, &bip[3]));
	CU_ASSERT(sent_from(IN, A, 45002, &bip[4]));
	CU_ASSERT_PTR_NULL(sent(IN));
	CU_ASSERT_PTR_NULL(sent(OUT));
	CU_ASSERT_EQUAL(fx.w->traced, 2);
	CU_ASSERT_EQUAL(fx.w->stats.trace_lost, lost0);
	CU_ASSERT_EQUAL_FATAL(rte_ring_count(fx.w->trace_ring), 2);
	CU_ASSERT_EQUAL_FATAL(rte_ring_sc_dequeue_elem(fx.w->trace_ring, &v[0], sizeof(v[0])), 0);
	CU_ASSERT_EQUAL_FATAL(rte_ring_sc_dequeue_elem(fx.w->trace_ring, &v[1], sizeof(v[1])), 0);
	CU_ASSERT_NOT_EQUAL(rte_ring_sc_dequeue_elem(fx.w->trace_ring, &v[2], sizeof(v[2])), 0);
	CU_ASSERT(is4(&v[0].src, A) && v[0].sport == 45000);
	CU_ASSERT(is4(&v[1].src, A) && v[1].sport == 45001);
	CU_ASSERT(is4(&v[0].ndst, bip[0]) && v[0].ndport == 5353);
	CU_ASSERT(is4(&v[1].ndst, bip[2]) && v[1].ndport == 5353);
	CU_ASSERT(v[0].fate == SL_FATE_FORWARDED && v[1].fate == SL_FATE_FORWARDED);
	CU_ASSERT(v[0].why == SL_WHY_SCHED && v[1].why == SL_WHY_SCHED);
	CU_ASSERT(v[0].svc == svc_named("dns")->id && v[1].svc == svc_named("dns")->id);
	CU_ASSERT(v[0].out_port == IN && v[1].out_port == IN);
	CU_ASSERT(v[0].gen == 1 && v[1].gen == 1);

	/* by service: web's VIP and port, and its backends' replies */
	web = svc_named("web");
	memset(tc, 0, sizeof(*tc));
	tc->svc = web->id;
	tc->max = 8;
	tc->gen = 2;
	tc->on = 1;
	pkts[0] = dns_query(A, 45003);
	client_spec(&s, IPPROTO_TCP, B, 45004, 80, RTE_TCP_SYN_FLAG);
	pkts[1] = mbuf_of(&s);
	sl_fwd_trace_burst(fx.w, fx.snap, pkts, 2, OUT, fx.now);
	sl_fwd_flush(fx.w);
	CU_ASSERT(sent_from(IN, A, 45003, NULL));
	m = sent(IN);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	bip[0] = ntohl(ip_of(m)->dst_addr);
	CU_ASSERT_EQUAL(l4_port(m, 1), 8080);
	rte_pktmbuf_free(m);
	CU_ASSERT_EQUAL_FATAL(rte_ring_sc_dequeue_elem(fx.w->trace_ring, &v[0], sizeof(v[0])), 0);
	CU_ASSERT_EQUAL(rte_ring_count(fx.w->trace_ring), 0);
	CU_ASSERT(is4(&v[0].src, B) && v[0].sport == 45004);
	CU_ASSERT_EQUAL(v[0].svc, web->id);
	CU_ASSERT_EQUAL(v[0].gen, 2);
	CU_ASSERT_EQUAL(v[0].why, SL_WHY_SCHED);
	CU_ASSERT(is4(&v[0].ndst, bip[0]));
	web_reply_spec(&r, bip[0], B, 45004, RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG);
	r.payload_len = 0;
	pkts[0] = mbuf_of(&r);
	sl_fwd_trace_burst(fx.w, fx.snap, pkts, 1, IN, fx.now);
	sl_fwd_flush(fx.w);
	m = sent(OUT);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	CU_ASSERT_EQUAL(ntohl(ip_of(m)->dst_addr), B);
	rte_pktmbuf_free(m);
	CU_ASSERT_EQUAL_FATAL(rte_ring_sc_dequeue_elem(fx.w->trace_ring, &v[0], sizeof(v[0])), 0);
	CU_ASSERT_EQUAL(v[0].dir, SL_DIR_REPLY);
	CU_ASSERT_EQUAL(v[0].svc, web->id);
	CU_ASSERT(is4(&v[0].nsrc, 0x0a000064) && v[0].nsport == 80);
	CU_ASSERT_EQUAL(v[0].in_port, IN);
	CU_ASSERT_EQUAL(v[0].out_port, OUT);

	/* a full ring: verdicts lost and counted, packets all sent */
	memset(tc, 0, sizeof(*tc));
	tc->svc = -1;
	mapped4(&tc->client, A);
	tc->max = 2;
	tc->gen = 3;
	tc->on = 1;
	memset(&fill, 0, sizeof(fill));
	while (rte_ring_sp_enqueue_elem(fx.w->trace_ring, &fill, sizeof(fill)) == 0)
		room++;
	CU_ASSERT_FATAL(room > 0);
	lost0 = fx.w->stats.trace_lost;
	pkts[0] = dns_query(A, 45010);
	pkts[1] = dns_query(B, 45010);
	pkts[2] = dns_query(A, 45011);
	sl_fwd_trace_burst(fx.w, fx.snap, pkts, 3, OUT, fx.now);
	sl_fwd_flush(fx.w);
	CU_ASSERT(sent_from(IN, A, 45010, NULL));
	CU_ASSERT(sent_from(IN, B, 45010, NULL));
	CU_ASSERT(sent_from(IN, A, 45011, NULL));
	CU_ASSERT_PTR_NULL(sent(IN));
	CU_ASSERT_EQUAL(fx.w->traced, 2);
	CU_ASSERT_EQUAL(fx.w->stats.trace_lost, lost0 + 2);
	CU_ASSERT_EQUAL(rte_ring_count(fx.w->trace_ring), room);
	while (rte_ring_sc_dequeue_elem(fx.w->trace_ring, &fill, sizeof(fill)) == 0)
		;

	/* off: nothing traced, packets forwarded as ever */
	tc->on = 0;
	fx.w->trace_on = 0;
	pkts[0] = dns_query(A, 45012);
	sl_fwd_burst(fx.w, fx.snap, pkts, 1, OUT, fx.now);
	sl_fwd_flush(fx.w);
	CU_ASSERT(sent_from(IN, A, 45012, NULL));
	CU_ASSERT_EQUAL(rte_ring_count(fx.w->trace_ring), 0);
	CU_ASSERT_EQUAL(fx.w->stats.trace_lost, lost0 + 2);
	memset(tc, 0, sizeof(*tc));
	empty_table();
}

/* ---- IPv4 and IPv6 in one burst, as packet by packet ---------------- */

#define MIX_MAX 24

/* What a run of mixed_run() sent: frames (one port's after the other's)
 * and the worker's counters. */
struct mix_out {
	unsigned n;
	struct {
		uint8_t port;
		uint8_t flow[40];      /* EtherType, addresses, ports */
		uint16_t len;
		uint8_t f[256];
	} fr[2 * MIX_MAX];
	struct sl_worker_stats st;
	struct sl_obj_stats svc[SL_MAX_SERVICES];
	struct sl_obj_stats be[SL_MAX_BACKENDS];
};

/* Take every frame the worker sent into @p o, with its flow. */
static void
mix_take(struct mix_out *o)
{
	struct rte_mbuf *m;
	int p;

	for (p = 0; p < 2; p++)
		while ((m = sent(p)) != NULL) {
			const uint8_t *f = rte_pktmbuf_mtod(m, const uint8_t *);

			CU_ASSERT_FATAL(o->n < RTE_DIM(o->fr));
			CU_ASSERT_FATAL(m->pkt_len <= sizeof(o->fr[0].f));
			o->fr[o->n].port = (uint8_t)p;
			o->fr[o->n].len = (uint16_t)m->pkt_len;
			memcpy(o->fr[o->n].f, f, m->pkt_len);
			memset(o->fr[o->n].flow, 0, 40);
			memcpy(o->fr[o->n].flow, f + 12, 2);
			if (tp_get16(f + 12) == RTE_ETHER_TYPE_IPV6) {
				memcpy(o->fr[o->n].flow + 2, f + IP6_SRC, 32);
				memcpy(o->fr[o->n].flow + 34, f + IP6_L4, 4);
			} else {
				memcpy(o->fr[o->n].flow + 2, f + 14 + 12, 12);
			}
			o->n++;
			rte_pktmbuf_free(m);
		}
}

/* Whether frame @p a goes after @p b: by port, then by flow; frames of
 * one flow keep the order they left in. */
static int
mix_after(const struct mix_out *o, unsigned a, unsigned b)
{
	if (o->fr[a].port != o->fr[b].port)
		return o->fr[a].port > o->fr[b].port;
	return memcmp(o->fr[a].flow, o->fr[b].flow, 40) > 0;
}

/* Frames by port and flow, each flow's in the order they left (a
 * stable insertion sort): the order between flows is not compared. */
static void
mix_sort(struct mix_out *o)
{
	unsigned i, j;

	for (i = 1; i < o->n; i++)
		for (j = i; j > 0 && mix_after(o, j - 1, j); j--) {
			__typeof__(o->fr[0]) t = o->fr[j];

			o->fr[j] = o->fr[j - 1];
			o->fr[j - 1] = t;
		}
}

/* Frames @p m through the worker: one burst, or (@p one) a burst each. */
static void
mix_push(struct rte_mbuf **m, unsigned n, int pidx, int one)
{
	unsigned i;

	if (!one) {
		sl_fwd_burst(fx.w, fx.snap, m, n, pidx, fx.now);
		sl_fwd_flush(fx.w);
		return;
	}
	for (i = 0; i < n; i++)
		push(m[i], pidx);
}

/* A client packet of test_mixed_burst(): IPv4 from 100.112.0.@p n, or
 * IPv6 from client @p n (NAT64: to web64's VIP); @p len: payload bytes
 * if not the default. */
struct mix_pkt {
	uint8_t v6, proto, flags;
	uint16_t n, cport, len;
	uint32_t seq;
};

static const struct mix_pkt mix_clients[] = {
	{ 1, IPPROTO_TCP, RTE_TCP_SYN_FLAG, 9, 45003, 0, 1000 },                   /* d */
	{ 1, IPPROTO_UDP, 0, 10, 45004, 0, 1000 },                                 /* e */
	{ 0, IPPROTO_TCP, RTE_TCP_SYN_FLAG, 2, 45005, 0, 1000 },                   /* f */
	{ 1, IPPROTO_TCP, RTE_TCP_RST_FLAG | RTE_TCP_ACK_FLAG, 7, 45001, 0, 1001 }, /* b */
	{ 1, IPPROTO_TCP, RTE_TCP_ACK_FLAG, 9, 45003, 0, 1001 },                   /* d */
	{ 0, IPPROTO_TCP, RTE_TCP_ACK_FLAG, 1, 45000, 0, 1001 },                   /* a */
	{ 1, IPPROTO_UDP, 0, 10, 45004, 33, 1000 },                                /* e */
	{ 1, IPPROTO_TCP, RTE_TCP_SYN_FLAG, 7, 45001, 0, 3000 },                   /* b */
	{ 0, IPPROTO_TCP, RTE_TCP_ACK_FLAG, 2, 45005, 0, 1001 },                   /* f */
	{ 1, IPPROTO_TCP, RTE_TCP_ACK_FLAG, 8, 45002, 0, 1001 },                   /* c */
	{ 1, IPPROTO_UDP, 0, 11, 45006, 0, 1000 },                                 /* i */
	{ 0, IPPROTO_TCP, RTE_TCP_SYN_FLAG, 3, 45007, 0, 1000 },                   /* g */
	{ 1, IPPROTO_TCP, RTE_TCP_ACK_FLAG, 7, 45001, 0, 3001 },                   /* b */
	{ 1, IPPROTO_UDP, 0, 12, 45008, 0, 1000 },                                 /* j */
	{ 1, IPPROTO_TCP, RTE_TCP_ACK_FLAG, 9, 45003, 50, 1021 },                  /* d */
};

static struct rte_mbuf *
mix_client(const struct mix_pkt *p)
{
	static const uint8_t vip64[16] = { 0x20, 0x01, 0x0d, 0xb8, [14] = 0x04 };
	uint16_t vport = p->proto == IPPROTO_TCP ? 80 : 53;
	struct tp6_fspec s6;
	struct tp_fspec s;

	if (!p->v6) {
		client_spec(&s, p->proto, 0x64700000 + p->n, p->cport, vport, p->flags);
		s.seq = p->seq;
		s.payload_len = p->len != 0 ? p->len : s.payload_len;
		return mbuf_of(&s);
	}
	client6_spec(&s6, p->proto, p->n, p->cport, vport, p->flags);
	if (p->n == 8)
		memcpy(s6.dst, vip64, 16);
	s6.seq = p->seq;
	s6.payload_len = p->len != 0 ? p->len : s6.payload_len;
	return mbuf6_of(&s6);
}

/*
 * The scenario of test_mixed_burst() on a fresh worker, its packets in
 * bursts as they would come (client packets on the outside port, the
 * backends' on the inside one), or (@p one) each alone.
 */
static void
mixed_run(struct mix_out *o, int one)
{
	static const uint8_t vip64[16] = { 0x20, 0x01, 0x0d, 0xb8, [14] = 0x04 };
	struct tp_fspec a, r4;
	struct tp6_fspec b, c, r6;
	struct rte_mbuf *m[MIX_MAX];
	struct sl_conn6 *c6;
	struct sl_conn *c4;
	unsigned n = 0;

	set_mtu(0);
	fx.w->lport_next = 0;    /* a worker starts at a random one */
	memset(o, 0, sizeof(*o));
	/* opened in a burst before: a (IPv4), b (NAT66), c (NAT64) */
	client_spec(&a, IPPROTO_TCP, 0x64700001, 45000, 80, RTE_TCP_SYN_FLAG);
	client6_spec(&b, IPPROTO_TCP, 7, 45001, 80, RTE_TCP_SYN_FLAG);
	client6_spec(&c, IPPROTO_TCP, 8, 45002, 80, RTE_TCP_SYN_FLAG);
	memcpy(c.dst, vip64, 16);
	m[n++] = mbuf6_of(&b);
	m[n++] = mbuf_of(&a);
	m[n++] = mbuf6_of(&c);
	mix_push(m, n, OUT, one);
	mix_take(o);
	c4 = conn_of(&a);
	c6 = conn6_of(fx.w, &c);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c4);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c6);
	CU_ASSERT_PTR_NOT_NULL_FATAL(conn6_of(fx.w, &b));

	/* the backends answer, in one burst on the inside port */
	n = 0;
	tp_spec_default(&r4, IPPROTO_TCP);
	memcpy(r4.dmac, &fx.hw[IN].mac, 6);
	hop_mac(ntohl(c4->bip), r4.smac);
	r4.src = ntohl(c4->bip);
	r4.dst = a.src;
	r4.sport = 8080;
	r4.dport = a.sport;
	r4.tcp_flags = RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG;
	m[n++] = mbuf_of(&r4);
	backend6_spec(&r6, &b, conn6_of(fx.w, &b)->bip.b, 8080,
		      RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG);
	m[n++] = mbuf6_of(&r6);
	/* NAT64: the IPv4 backend's answer to the local address and port */
	r4.src = 0x0a010029;
	hop_mac(r4.src, r4.smac);
	memcpy(&r4.dst, &c6->lip.b[12], 4);
	r4.dst = ntohl(r4.dst);
	r4.dport = ntohs(c6->lport);
	m[n++] = mbuf_of(&r4);
	mix_push(m, n, IN, one);
	mix_take(o);

	/*
	 * The clients, in one burst: new connections (d, e, f, g, i, j)
	 * with their next packets, those of a, b and c, b's RST and its
	 * port again (a new connection) with its next packet
	 */
	for (n = 0; n < RTE_DIM(mix_clients); n++)
		m[n] = mix_client(&mix_clients[n]);
	mix_push(m, n, OUT, one);
	mix_take(o);
	CU_ASSERT_PTR_NULL(rte_ring_dequeue(fx.w->to_mgmt, (void **)&m[0]) == 0 ? m[0] : NULL);

	o->st = fx.w->stats;
	memcpy(o->svc, fx.w->svc_stats, sizeof(o->svc));
	memcpy(o->be, fx.w->be_stats, sizeof(o->be));
	o->st.start_tsc = 0;
	mix_sort(o);
	empty_table();
}

/*
 * A burst mixing IPv4 and IPv6 (NAT66, NAT64) packets is handled as
 * packet-by-packet processing would: the same frames out of each port,
 * those of one flow in the same order, and the same counters. Among
 * them: SYNs, the backends' answers, the next packets of connections the
 * same burst opened earlier (TCP and UDP, both families), and an IPv6
 * connection ended by its RST, opened again from the same port and used
 * within the burst.
 */
static void
test_mixed_burst(void)
{
	static struct mix_out one, burst;
	unsigned i;

	set_mode("web64", SL_MODE_FULLNAT);
	mixed_run(&one, 1);
	mixed_run(&burst, 0);
	/* every packet left: a SYN, answer or segment each, nothing dropped */
	CU_ASSERT_EQUAL(one.n, 21);
	CU_ASSERT_EQUAL(one.st.conns_created, 10);
	CU_ASSERT_EQUAL(burst.n, one.n);
	for (i = 0; i < one.n && i < burst.n; i++) {
		CU_ASSERT_EQUAL(burst.fr[i].port, one.fr[i].port);
		CU_ASSERT_EQUAL(burst.fr[i].len, one.fr[i].len);
		CU_ASSERT(memcmp(burst.fr[i].f, one.fr[i].f, one.fr[i].len) == 0);
	}
	CU_ASSERT(memcmp(&burst.st, &one.st, sizeof(one.st)) == 0);
	CU_ASSERT(memcmp(burst.svc, one.svc, sizeof(one.svc)) == 0);
	CU_ASSERT(memcmp(burst.be, one.be, sizeof(one.be)) == 0);
	set_mtu(0);
	CU_ASSERT_EQUAL(rte_mempool_in_use_count(fx.pool), 0);
}

static const struct sl_test_case fwd_tests[] = {
	{ "packets of one new connection in one burst: one connection", test_new_flow_burst },
	{ "allow/deny: IPv4, silent drop, reload keeps open connections", test_acl },
	{ "allow/deny: IPv6", test_acl6 },
	{ "conn_rate_per_client: burst, refill, RST, UDP drop", test_rate_limit },
	{ "conn_rate_per_client: more clients than entries", test_rate_limit_churn },
	{ "conn_rate_per_client: IPv6", test_rate_limit6 },
	{ "max_conns: skipped, all full refused, freed on expiry", test_max_conns },
	{ "max_conns: IPv6", test_max_conns6 },
	{ "Proxy Protocol v2: header, shifts, SACK, retransmission", test_proxy_protocol_v2 },
	{ "Proxy Protocol v1: text header, shift", test_proxy_protocol_v1 },
	{ "Proxy Protocol: a relayed ICMP error quotes the client's numbers", test_pp_icmp_quote },
	{ "SYN proxy: cookie, backend handshake, data held, numbers translated", test_synproxy },
	{ "SYN proxy: backend silent (SYN again, client reset); auto threshold", test_synproxy_timeout_auto },
	{ "SYN proxy in fullnat with Proxy Protocol v2", test_synproxy_fullnat_pp },
	{ "fullnat: local address and port both ways, TCP and UDP", test_fullnat_both_ways },
	{ "fullnat: local ports run out: RST, counted, free again", test_fullnat_ports_exhausted },
	{ "NIC checksum verdicts", test_nic_csum_verdicts },
	{ "UDP client packet DNAT'd to a backend", test_udp_dnat },
	{ "full table: RST from the VIP, counted once, old flows kept", test_full_table_rst },
	{ "full table: dr with maglev forwards by hash without a record", test_full_table_stateless },
	{ "UDP flow of a failed backend scheduled anew, TCP kept", test_udp_flow_of_down_backend },
	{ "chained mbuf joined and forwarded", test_chained_mbuf },
	{ "chained mbuf too long: dropped and counted", test_chained_too_long },
	{ "VLAN: tagged client frame DNAT'd, tag of the egress port", test_vlan_dnat },
	{ "VLAN: tag stripped by the NIC", test_vlan_stripped_by_nic },
	{ "VLAN: wrong, missing, extra tags dropped and counted", test_vlan_drops },
	{ "VLAN: RST, echo reply tagged; ARP to management untagged", test_vlan_own_frames },
	{ "VLAN: management frames tagged on the way out", test_vlan_send },
	{ "slow path: ARP for others dropped, budget per class", test_slowpath_limits },
	{ "dr: only the MACs change; one-way connection", test_dr_mac_only },
	{ "tunnel ipip, gre, gue: outer headers exact, packet inside unchanged", test_tunnel_encaps },
	{ "dr/tunnel: egress MTU, fragmentation needed with and without DF", test_oneway_frag_needed },
	{ "dr/tunnel maglev: midstream segment to the SYN's backend, RST without record", test_midstream_maglev },
	{ "midstream dropped with rr and in nat", test_midstream_dropped },
	{ "ICMP error to a dr/tunnel VIP relayed to its connection's backend", test_icmp_to_vip_relay },
	{ "fullnat: ICMP errors relayed both ways, TCP and UDP, byte for byte", test_fullnat_icmp_errors },
	{ "dr/tunnel backend flushed: client reset, no RST from 0.0.0.0", test_oneway_flush },
	{ "a connection removed earlier in the burst is looked up again", test_removed_in_burst },
	{ "frames for another MAC dropped, any byte differing; own, broadcast pass", test_other_host_mac },
	{ "frames counted in their service's and backend's packets and bytes, each way", test_counts_both_ways },
	{ "nat: a reply key another connection holds: RST, reply_taken", test_reply_taken },
	{ "NAT66 TCP and UDP both ways, byte for byte; TCP states; port reuse", test_nat66_both_ways },
	{ "NAT66: backend MAC unknown: to management with its neighbour entry", test_nat66_unresolved_backend },
	{ "NAT66: rr over three backends; no connection: no_flow", test_nat66_rr_and_no_flow },
	{ "IPv4 and IPv6 services on the same ports at once", test_nat66_with_ipv4 },
	{ "NAT66, two workers: redirected to the client's worker both ways", test_nat66_two_workers },
	{ "IPv4, NAT66 and NAT64 in one burst: as packet by packet", test_mixed_burst },
	{ "Steering: the owner hash is the NICs' Toeplitz hash", test_steer_hash },
	{ "Steering: a filled RETA sends every address to its owner", test_steer_reta },
	{ "Steering: which devices steer, and why not", test_steer_devices },
	{ "Steering: a device's redirection table written and read back", test_steer_device_reta },
	{ "Steering: 2 and 3 workers, frames where a NIC puts them, none passed on", test_steer_workers },
	{ "fullnat: the workers' slices share the local ports out by slot", test_lport_slices },
	{ "Steering: fullnat rules send every local port to its owner's queue", test_steer_lport_rules },
	{ "Steering: fullnat rules made all or none, the device's refusal said", test_steer_lport_install },
	{ "Steering: fullnat replies where the rules put them, none passed on", test_steer_lport_workers },
	{ "ICMPv6: ND to management, echo answered, the rest dropped", test_icmp6 },
	{ "GRE and GUE over IPv6: outer headers, UDP checksum, packet inside", test_tunnel6_gre_gue },
	{ "ICMPv6 errors relayed for NAT66 connections both ways", test_icmp6_errors },
	{ "IPv6 fullnat: ICMPv6 errors relayed both ways, byte for byte", test_fullnat6_icmp_errors },
	{ "NAT64: ICMP errors translated both ways (RFC 7915)", test_nat64_icmp_errors },
	{ "dr over IPv6: MACs only, one direction, midstream with maglev", test_dr6 },
	{ "tunnel over IPv6: IPv6 in IPv6 from the local address, inside unchanged", test_tunnel6 },
	{ "dr/tunnel over IPv6: a check readdressed to the VIP, made ready to leave", test_oneway_frame6 },
	{ "IPv6 drops: hop limit, extension headers, fragments, IPv6 off", test_ipv6_drops },
	{ "NAT66: UDP connection expires after its timeout", test_nat66_expiry },
	{ "NAT66: failed backend: UDP scheduled anew, TCP carries on", test_nat66_down_backend },
	{ "two workers: a VIP port without a service is dropped where it arrives", test_no_service_not_passed_on },
	{ "NAT66: chained mbuf joined and forwarded", test_nat66_chained_mbuf },
	{ "NAT66: UDP checksum of 0 sent as 0xffff", test_nat66_udp_zero_csum },
	{ "trace: new connection (maglev), its next packet, the reply", test_trace_new_conn },
	{ "trace: no service, no connection, no usable backend (RST)", test_trace_drops },
	{ "trace: persistence: later connections by affinity", test_trace_affinity },
	{ "trace: live filter by client and service, max, full ring", test_trace_live },
};

SL_TEST_MAIN("fwd",
	SL_TEST_SUITE("fwd", suite_init, suite_cleanup, fwd_tests));
