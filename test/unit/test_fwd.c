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
#include <rte_arp.h>
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
	fx.env.pool = fx.pool;
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

/* Services web and dns in fullnat mode with local addresses 10.1.0.5
 * and 10.1.0.6 on the inside port, local ports @p lo..hi; or back. */
static void
set_fullnat(int on, uint16_t lo, uint16_t hi)
{
	unsigned i;

	for (i = 0; i < fx.cfg->n_services; i++)
		fx.cfg->services[i].mode = on ? SL_MODE_FULLNAT : SL_MODE_NAT;
	fx.cfg->ports[IN].n_local = on ? 2 : 0;
	fx.cfg->ports[IN].local_addrs[0] = 0x0a010005;
	fx.cfg->ports[IN].local_addrs[1] = 0x0a010006;
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

static const struct sl_test_case fwd_tests[] = {
	{ "Proxy Protocol v2: header, shifts, SACK, retransmission", test_proxy_protocol_v2 },
	{ "Proxy Protocol v1: text header, shift", test_proxy_protocol_v1 },
	{ "fullnat: local address and port both ways, TCP and UDP", test_fullnat_both_ways },
	{ "fullnat: local ports run out: RST, counted, free again", test_fullnat_ports_exhausted },
	{ "NIC checksum verdicts", test_nic_csum_verdicts },
	{ "UDP client packet DNAT'd to a backend", test_udp_dnat },
	{ "full table: RST from the VIP, counted once, old flows kept", test_full_table_rst },
	{ "UDP flow of a failed backend scheduled anew, TCP kept", test_udp_flow_of_down_backend },
	{ "chained mbuf joined and forwarded", test_chained_mbuf },
	{ "chained mbuf too long: dropped and counted", test_chained_too_long },
	{ "VLAN: tagged client frame DNAT'd, tag of the egress port", test_vlan_dnat },
	{ "VLAN: tag stripped by the NIC", test_vlan_stripped_by_nic },
	{ "VLAN: wrong, missing, extra tags dropped and counted", test_vlan_drops },
	{ "VLAN: RST, echo reply tagged; ARP to management untagged", test_vlan_own_frames },
	{ "VLAN: management frames tagged on the way out", test_vlan_send },
};

SL_TEST_MAIN("fwd",
	SL_TEST_SUITE("fwd", suite_init, suite_cleanup, fwd_tests));
