/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/fwd: whole bursts through the packet path with a real snapshot, on
 * ring-backed ports, so every frame Sluice sends can be read back and
 * checked: where it went, what it says, what was counted.
 */
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <CUnit/CUnit.h>
#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "sl_test.h"
#include "sl_testpkt.h"
#include "sl_fwd.h"

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
	"[port.inside]\n"
	"device = net_null1\n"
	"address = 10.1.0.1/24\n"
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
	"backend = 10.1.0.13:8080\n";

static struct {
	struct rte_mempool *pool;
	struct rte_ring *rx[2], *tx[2];   /* per port: what it receives, sends */
	int16_t port_index[RTE_MAX_ETHPORTS];
	struct sl_port_hw hw[SL_MAX_PORTS];
	struct sl_fwd_env env;
	struct sl_config *cfg;
	struct sl_svc_ids *ids;
	struct sl_snapshot *snap;
	struct sl_worker *w;
	uint64_t now;
} fx;

static const uint8_t client_mac[6] = { 0x02, 0, 0, 0, 0xcc, 0x01 };

/* Next hops answer ARP: every entry resolved to 02:00:00:00:01:<index>. */
static void
resolve_all(void)
{
	uint32_t i;

	for (i = 0; i < fx.env.neigh->count; i++) {
		struct rte_ether_addr m = { { 0x02, 0, 0, 0, 0x01, (uint8_t)i } };

		sl_neigh_learn(fx.env.neigh, fx.env.neigh->meta[i].port,
			       fx.env.neigh->meta[i].ip, &m, rte_rdtsc());
	}
}

/* A fresh snapshot from @p cfg after the current one (health marks in
 * fx.ids apply). */
static void
rebuild(void)
{
	struct sl_svc_change chg;
	struct sl_snapshot *next;
	char err[256];

	next = sl_svc_rebuild(fx.cfg, fx.hw, fx.env.neigh, 1, fx.ids, fx.snap, 0,
			      &chg, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(next);
	sl_svc_free(fx.snap);
	fx.snap = next;
	resolve_all();
}

static int
suite_init(void)
{
	char err[256], name[16];
	struct sl_fwd_params p = {
		.id = 0, .lcore = rte_lcore_id(), .socket_id = (int)rte_socket_id(),
	};
	unsigned i;
	int ret;

	fx.pool = rte_pktmbuf_pool_create("fwd_pool", 4095, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
					  (int)rte_socket_id());
	fx.cfg = sl_config_parse_string(ini, "test_fwd.ini", err, sizeof(err));
	fx.env.neigh = sl_neigh_create(64, (int)rte_socket_id());
	fx.ids = sl_svc_ids_create();
	if (fx.pool == NULL || fx.cfg == NULL || fx.env.neigh == NULL || fx.ids == NULL) {
		fprintf(stderr, "test_fwd: set-up failed: %s\n", fx.cfg == NULL ? err : "no memory");
		return -1;
	}
	for (i = 0; i < RTE_MAX_ETHPORTS; i++)
		fx.port_index[i] = -1;
	for (i = 0; i < 2; i++) {
		int pid;

		snprintf(name, sizeof(name), "fwd_rx%u", i);
		fx.rx[i] = rte_ring_create(name, 1024, SOCKET_ID_ANY, RING_F_SP_ENQ | RING_F_SC_DEQ);
		snprintf(name, sizeof(name), "fwd_tx%u", i);
		fx.tx[i] = rte_ring_create(name, 1024, SOCKET_ID_ANY, RING_F_SP_ENQ | RING_F_SC_DEQ);
		snprintf(name, sizeof(name), "fwd_port%u", i);
		pid = rte_eth_from_rings(name, &fx.rx[i], 1, &fx.tx[i], 1, SOCKET_ID_ANY);
		if (pid < 0) {
			fprintf(stderr, "test_fwd: ring port: %s\n", rte_strerror(rte_errno));
			return -1;
		}
		rte_eth_macaddr_get((uint16_t)pid, &fx.hw[i].mac);
		fx.hw[i].port_id = (uint16_t)pid;
		fx.port_index[pid] = (int16_t)i;
		fx.env.port_id[i] = (uint16_t)pid;
		/* configured like any port, though the rings are its queues */
		ret = rte_eth_dev_configure((uint16_t)pid, 1, 1, &(struct rte_eth_conf){ 0 });
		if (ret == 0)
			ret = rte_eth_rx_queue_setup((uint16_t)pid, 0, 512, rte_socket_id(),
						     NULL, fx.pool);
		if (ret == 0)
			ret = rte_eth_tx_queue_setup((uint16_t)pid, 0, 512, rte_socket_id(), NULL);
		if (ret == 0)
			ret = rte_eth_dev_start((uint16_t)pid);
		if (ret != 0) {
			fprintf(stderr, "test_fwd: ring port %d does not start: %s\n", pid,
				rte_strerror(-ret));
			return -1;
		}
	}
	fx.env.port_index = fx.port_index;
	fx.env.n_ports = 2;
	fx.env.n_workers = 1;
	fx.env.hz = rte_get_tsc_hz();
	fx.env.cap.svc = fx.env.cap.port = -1;
	p.flow_capacity = fx.cfg->global.flow_capacity;
	p.timeouts = fx.cfg->global.timeouts;
	fx.w = sl_fwd_worker_create(&fx.env, &p);
	if (fx.w == NULL) {
		fprintf(stderr, "test_fwd: worker: %s\n", rte_strerror(rte_errno));
		return -1;
	}
	fx.snap = sl_svc_rebuild(fx.cfg, fx.hw, fx.env.neigh, 1, fx.ids, NULL, 0,
				 &(struct sl_svc_change){ 0 }, err, sizeof(err));
	if (fx.snap == NULL) {
		fprintf(stderr, "test_fwd: snapshot: %s\n", err);
		return -1;
	}
	resolve_all();
	fx.now = rte_rdtsc();
	return 0;
}

static int
suite_cleanup(void)
{
	sl_fwd_worker_free(fx.w);
	sl_svc_free(fx.snap);
	sl_svc_ids_free(fx.ids);
	sl_config_free(fx.cfg);
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
	void *m;

	return rte_ring_dequeue(fx.tx[pidx], &m) == 0 ? m : NULL;
}

static void
drain_all(void)
{
	struct rte_mbuf *m;
	int p;

	for (p = 0; p < 2; p++)
		while ((m = sent(p)) != NULL)
			rte_pktmbuf_free(m);
}

/* Expire every connection (the wheel takes a slice per call). */
static void
empty_table(void)
{
	unsigned i;

	fx.now += 100000 * fx.env.hz;
	for (i = 0; i < 10000 && sl_flow_count(fx.w->flows) != 0; i++)
		sl_fwd_expire(fx.w, fx.now);
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

static const struct sl_test_case fwd_tests[] = {
	{ "NIC checksum verdicts", test_nic_csum_verdicts },
	{ "UDP client packet DNAT'd to a backend", test_udp_dnat },
	{ "full table: RST from the VIP, counted once, old flows kept", test_full_table_rst },
	{ "UDP flow of a failed backend scheduled anew, TCP kept", test_udp_flow_of_down_backend },
	{ "chained mbuf joined and forwarded", test_chained_mbuf },
	{ "chained mbuf too long: dropped and counted", test_chained_too_long },
};

SL_TEST_MAIN("fwd",
	SL_TEST_SUITE("fwd", suite_init, suite_cleanup, fwd_tests));
