/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sluice-perf: the worker's fast path alone, fed from memory.
 *
 * Builds Sluice's real worker state (flow table, snapshot, resolved
 * neighbours, TX buffers on net_null ports that discard what they are
 * given) and pushes prebuilt frames through sl_fwd_burst(), timing
 * only the burst and the TX flush. The figure is the worker's own cost
 * per packet, with no generator or link in the way: TSC cycles per
 * packet, and under callgrind (collection toggled around the measured
 * calls) instructions per packet. The established scenario also times
 * the same frames handed straight to net_null's transmit in the same
 * bursts (the driver's share: it frees each mbuf) and prints the
 * cycles left without it, the fast path alone.
 *
 *   sluice-perf [EAL options] -- --scenario established|new [--flows N]
 *                                [--packets N] [--mode nat|fullnat|dr|tunnel]
 *                                [--encap ipip|gue|gre] [--workers N]
 *                                [--clock K]
 * In modes dr and tunnel only client packets cross Sluice (the backends
 * answer the clients directly), so only client packets are fed: in
 * established, client packets alone; in new, each connection's SYN and
 * then the client's RST (two packets per connection, as in the other
 * modes' SYN and reply RST). --fullnat is --mode fullnat.
 *   sluice-perf [EAL options] -- --scenario synflood [--packets N]
 * The synflood scenario feeds only SYNs of new connections (spoofed
 * sources that never answer) to a service with synproxy = on: each is
 * answered with a cookie and leaves nothing behind (any record made
 * fails the run). Its baseline is the new scenario, whose SYNs make
 * connections.
 *   sluice-perf [EAL options] -- --scenario maglev
 * The maglev scenario times Maglev lookup table builds for 10, 100 and
 * 1000 backends at M = 65537 and 655373, beside the paper's figures.
 * EAL defaults when none are given: --no-pci -m 2048 and two net_null
 * ports, on 2 MiB hugepages when 1024 of them are free on a mounted
 * hugetlbfs (as Sluice runs), else with --no-huge; "hugepages" in the
 * output says which. Tables on 4 KiB pages pay a TLB miss on most
 * loads: the new-connection figures are about twice as high.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <rte_eal.h>
#include <rte_cycles.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_ethdev.h>

#include "sl_fwd.h"
#include "sl_fwd_steer.h"
#include "sl_pkt.h"

/* callgrind's client requests when valgrind's headers are there (meson
 * detects them); without them the markers do nothing */
#ifdef SL_HAVE_CALLGRIND
#include <valgrind/callgrind.h>
#else
#define CALLGRIND_TOGGLE_COLLECT do { } while (0)
#endif

#define FRAME 60

static const char *ini =
	"[eal]\n"
	"lcores = 0-1\n"
	"[global]\n"
	"flow_capacity = %u\n"
	"timeout_tcp_close = 1\n"
	"[port.outside]\n"
	"device = net_null0,no-rx=1\n"
	"address = 10.0.0.1/24\n"
	"[port.inside]\n"
	"device = net_null1,no-rx=1\n"
	"address = 10.1.0.1/24\n"
	"%s"
	"[service.dns]\n"
	"vip = 10.0.0.100\n"
	"port = 53\n"
	"protocol = udp\n"
	"%s"
	"backend = 10.1.0.11:%u\n"
	"backend = 10.1.0.12:%u\n"
	"backend = 10.1.0.13:%u\n"
	"[service.web]\n"
	"vip = 10.0.0.100\n"
	"port = 80\n"
	"protocol = tcp\n"
	"%s"
	"backend = 10.1.0.11:%u\n"
	"backend = 10.1.0.12:%u\n"
	"backend = 10.1.0.13:%u\n";

/* --ipv6: the same two services on IPv6 (NAT66) */
static const char *ini6 =
	"[eal]\n"
	"lcores = 0-1\n"
	"[global]\n"
	"flow_capacity = %u\n"
	"timeout_tcp_close = 1\n"
	"[port.outside]\n"
	"device = net_null0,no-rx=1\n"
	"address = 10.0.0.1/24\n"
	"address = 2001:db8::1/64\n"
	"gateway = 2001:db8::fe\n"
	"[port.inside]\n"
	"device = net_null1,no-rx=1\n"
	"address = 10.1.0.1/24\n"
	"address = 2001:db8:1::1/64\n"
	"[service.dns]\n"
	"vip = 2001:db8::64\n"
	"port = 53\n"
	"protocol = udp\n"
	"backend = [2001:db8:1::11]:5353\n"
	"backend = [2001:db8:1::12]:5353\n"
	"backend = [2001:db8:1::13]:5353\n"
	"[service.web]\n"
	"vip = 2001:db8::64\n"
	"port = 80\n"
	"protocol = tcp\n"
	"backend = [2001:db8:1::11]:8080\n"
	"backend = [2001:db8:1::12]:8080\n"
	"backend = [2001:db8:1::13]:8080\n";

static const char *const mode_names[] = {
	[SL_MODE_NAT] = "nat", [SL_MODE_FULLNAT] = "fullnat",
	[SL_MODE_DR] = "dr", [SL_MODE_TUNNEL] = "tunnel",
};
static const char *const encap_names[] = {
	[SL_ENCAP_IPIP] = "ipip", [SL_ENCAP_GUE] = "gue", [SL_ENCAP_GRE] = "gre",
};

/* Index of @p v in @p names (@p n entries), or -1. */
static int
name_index(const char *const *names, unsigned n, const char *v)
{
	unsigned i;

	for (i = 0; i < n; i++)
		if (strcmp(names[i], v) == 0)
			return (int)i;
	return -1;
}

#define FRAME6 78   /* the smallest IPv6 frame with TCP or UDP and payload */

struct frame {
	/* built through struct rte_ether_hdr, which needs 2-byte alignment:
	 * without it every other frame of an array starts at an odd address */
	uint8_t b[FRAME6] __rte_aligned(2);
	uint8_t len;
};

/* A client or backend frame with full checksums (built outside the timing). */
static void
build(struct frame *f, const struct rte_ether_addr *dst, uint32_t src_ip,
      uint32_t dst_ip, uint16_t sport, uint16_t dport, uint8_t proto,
      uint8_t tcp_flags)
{
	struct rte_ether_hdr *eh = (struct rte_ether_hdr *)f->b;
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eh + 1);
	uint8_t *l4 = (uint8_t *)(ip + 1);

	memset(f, 0, sizeof(*f));
	f->len = FRAME;
	eh->dst_addr = *dst;
	eh->src_addr.addr_bytes[0] = 0x02;
	eh->src_addr.addr_bytes[5] = 0xaa;
	eh->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	ip->version_ihl = 0x45;
	ip->total_length = rte_cpu_to_be_16(FRAME - 14);
	ip->time_to_live = 64;
	ip->next_proto_id = proto;
	ip->src_addr = src_ip;
	ip->dst_addr = dst_ip;
	ip->hdr_checksum = sl_ipv4_csum(ip);
	if (proto == IPPROTO_UDP) {
		struct rte_udp_hdr *uh = (struct rte_udp_hdr *)l4;

		uh->src_port = sport;
		uh->dst_port = dport;
		uh->dgram_len = rte_cpu_to_be_16(FRAME - 34);
		uh->dgram_cksum = sl_l4_csum(ip, uh);
	} else {
		struct rte_tcp_hdr *th = (struct rte_tcp_hdr *)l4;

		th->src_port = sport;
		th->dst_port = dport;
		th->data_off = 5 << 4;
		th->tcp_flags = tcp_flags;
		th->rx_win = RTE_BE16(1024);
		th->cksum = sl_l4_csum(ip, th);
	}
}

/* The same for IPv6 (78 bytes, 4 bytes of payload). */
static void
build6(struct frame *f, const struct rte_ether_addr *dst, const struct sl_in6 *src,
       const struct sl_in6 *dip, uint16_t sport, uint16_t dport, uint8_t proto,
       uint8_t tcp_flags)
{
	struct rte_ether_hdr *eh = (struct rte_ether_hdr *)f->b;
	struct rte_ipv6_hdr *ip = (struct rte_ipv6_hdr *)(eh + 1);
	uint8_t *l4 = (uint8_t *)(ip + 1);
	uint16_t l4len = FRAME6 - 54;

	memset(f, 0, sizeof(*f));
	f->len = FRAME6;
	eh->dst_addr = *dst;
	eh->src_addr.addr_bytes[0] = 0x02;
	eh->src_addr.addr_bytes[5] = 0xaa;
	eh->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV6);
	ip->vtc_flow = RTE_BE32(0x60000000);
	ip->payload_len = rte_cpu_to_be_16(l4len);
	ip->proto = proto;
	ip->hop_limits = 64;
	memcpy(ip->src_addr, src, 16);
	memcpy(ip->dst_addr, dip, 16);
	if (proto == IPPROTO_UDP) {
		struct rte_udp_hdr *uh = (struct rte_udp_hdr *)l4;

		uh->src_port = sport;
		uh->dst_port = dport;
		uh->dgram_len = rte_cpu_to_be_16(l4len);
		uh->dgram_cksum = sl_l4_csum6(src, dip, proto, uh, l4len, 6);
	} else {
		struct rte_tcp_hdr *th = (struct rte_tcp_hdr *)l4;

		th->src_port = sport;
		th->dst_port = dport;
		th->data_off = 5 << 4;
		th->tcp_flags = tcp_flags;
		th->rx_win = RTE_BE16(1024);
		th->cksum = sl_l4_csum6(src, dip, proto, th, l4len, 16);
	}
}

/*
 * --workers N: the worker measured is worker 0 of N, so every packet
 * pays for the owner test, and the clients are the addresses it owns
 * (nothing is passed on). Client address k is the k-th of those.
 */
static unsigned n_workers = 1;
#define OWNED_MAX 512
static uint32_t owned4[OWNED_MAX], owned6[OWNED_MAX];

static void
owned_init(void)
{
	uint32_t a, k = 0, k6 = 0;

	for (a = 0; k < OWNED_MAX || k6 < OWNED_MAX; a++) {
		uint32_t be = htonl(0x64400000u + a);
		uint8_t b6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0x64 };
		uint32_t n6 = htonl(a);

		memcpy(&b6[12], &n6, 4);
		if (k < OWNED_MAX && sl_steer_owner4(be, n_workers) == 0)
			owned4[k++] = a;
		if (k6 < OWNED_MAX && sl_steer_owner6(b6, n_workers) == 0)
			owned6[k6++] = a;
	}
}

/* Client @p i's IPv6 address: 2001:db8:64::/48 with i / 50000 below. */
static struct sl_in6
client_ip6(uint32_t i)
{
	struct sl_in6 a = { .b = { 0x20, 0x01, 0x0d, 0xb8, 0, 0x64 } };
	uint32_t n = htonl(owned6[i / 50000 % OWNED_MAX]);

	memcpy(&a.b[12], &n, 4);
	return a;
}

static const struct sl_in6 vip6 = { .b = { 0x20, 0x01, 0x0d, 0xb8, [15] = 0x64 } };

static uint32_t
client_ip(uint32_t i)
{
	return htonl(0x64400000u + owned4[i / 50000 % OWNED_MAX]);    /* 100.64.0.0/10 */
}

static uint16_t
client_port(uint32_t i)
{
	return htons((uint16_t)(1024 + i % 50000));
}

struct run {
	struct rte_mempool *pool;
	struct sl_worker *w;
	const struct sl_snapshot *snap;
	uint64_t cycles, pkts;
	uint64_t part[3];   /* new: cycles of SYN bursts, reply bursts, expiry */
	unsigned speed;     /* the worker's clock runs this many times the TSC */
	int measure;    /* 0 while warming up: not timed, not counted */
};

/* @p n new mbufs in @p m holding frames @p fr (not timed). */
static void
mbufs_of(struct run *r, struct frame *const *fr, unsigned n, struct rte_mbuf **m)
{
	unsigned i;

	if (rte_pktmbuf_alloc_bulk(r->pool, m, n) != 0) {
		fprintf(stderr, "sluice-perf: out of mbufs\n");
		exit(1);
	}
	for (i = 0; i < n; i++)
		memcpy(rte_pktmbuf_append(m[i], fr[i]->len), fr[i]->b, fr[i]->len);
}

/* Push @p n frames (port index @p pidx) through the worker, timed. */
static uint64_t
push(struct run *r, struct frame *const *fr, unsigned n, int pidx)
{
	struct rte_mbuf *m[SL_BURST];
	uint64_t t0, dt;

	mbufs_of(r, fr, n, m);
	if (r->measure)
		CALLGRIND_TOGGLE_COLLECT;
	t0 = rte_rdtsc_precise();
	sl_fwd_burst(r->w, r->snap, m, n, pidx, t0 * r->speed);
	sl_fwd_flush(r->w);
	dt = rte_rdtsc_precise() - t0;
	r->cycles += dt;
	if (r->measure)
		CALLGRIND_TOGGLE_COLLECT;
	r->pkts += n;
	return dt;
}

/*
 * The driver's share of a forwarded packet: the same frames handed
 * straight to the net_null port's transmit (which frees them) in bursts
 * of SL_BURST, as sl_fwd_flush() hands them, timed the same way; port
 * @p port_id, the worker's queue. Cycles per packet.
 */
static double
driver_tx(struct run *r, struct frame *const *fr, unsigned n, const uint16_t *port_id,
	  uint64_t packets)
{
	struct rte_mbuf *m[SL_BURST];
	uint64_t cycles = 0, pkts = 0, t0;
	unsigned i, sent, p = 0;

	while (pkts < packets) {
		mbufs_of(r, fr, n, m);
		t0 = rte_rdtsc_precise();
		sent = rte_eth_tx_burst(port_id[p], (uint16_t)r->w->id, m, (uint16_t)n);
		cycles += rte_rdtsc_precise() - t0;
		for (i = sent; i < n; i++)
			rte_pktmbuf_free(m[i]);
		pkts += n;
		p ^= 1;
	}
	return (double)cycles / (double)pkts;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Median of 5 Maglev table builds per size, in milliseconds. */
static int
maglev_builds(void)
{
	static const uint32_t ms[] = { 65537, 655373 };
	static const uint16_t ns[] = { 10, 100, 1000 };
	const struct sl_sched_ops *ops = sl_sched_find("maglev");
	uint32_t weight[1000];
	uint64_t ident[1000];
	unsigned i, j, k, r;
	char id[32];

	for (k = 0; k < 1000; k++) {
		weight[k] = 1;
		snprintf(id, sizeof(id), "10.1.%u.%u:8080", k / 250, k % 250 + 1);
		ident[k] = sl_svc_ident_hash(id);
	}
	printf("Maglev table build (median of 5), TSC %.2f GHz\n", rte_get_tsc_hz() / 1e9);
	printf("  %8s %9s %10s %12s\n", "M", "backends", "build ms", "paper ms");
	for (i = 0; i < RTE_DIM(ms); i++) {
		for (j = 0; j < RTE_DIM(ns); j++) {
			struct sl_sched_svc sv = {
				.n = ns[j], .weight = weight, .ident = ident,
				.table_size = ms[i],
			};
			uint64_t t[5];

			for (r = 0; r < 5; r++) {
				uint64_t t0 = rte_rdtsc_precise();
				void *tab = ops->build(&sv, SOCKET_ID_ANY);

				t[r] = rte_rdtsc_precise() - t0;
				if (tab == NULL) {
					fprintf(stderr, "sluice-perf: maglev build failed\n");
					return 1;
				}
				ops->free(tab);
			}
			qsort(t, 5, sizeof(t[0]), cmp_u64);
			printf("  %8u %9u %10.2f %12s\n", ms[i], ns[j],
			       (double)t[2] * 1e3 / (double)rte_get_tsc_hz(),
			       /* Eisenbud et al., NSDI 2016, 1000 backends */
			       ns[j] == 1000 ? (i == 0 ? "1.8" : "22.9") : "-");
		}
	}
	return 0;
}

/* The configured ports (net_null), one queue each, and the one worker. */
static int
setup(struct sl_fwd_env *env, struct run *r, const struct sl_config *cfg,
      struct sl_port_hw *hw, int16_t *port_index)
{
	struct rte_eth_conf conf = { 0 };
	struct sl_fwd_params p = {
		.id = 0,
		.lcore = rte_lcore_id(),
		.socket_id = (int)rte_socket_id(),
		.flow_capacity = cfg->global.flow_capacity,
		.timeouts = cfg->global.timeouts,
	};
	unsigned i;

	/* as Sluice sizes it: a quarter of the IPv4 table */
	for (i = 0; i < cfg->n_ports; i++)
		if (cfg->ports[i].prefix6_len != 0)
			p.flow6_capacity = RTE_MAX(1024u, cfg->global.flow_capacity / 4);
	r->pool = rte_pktmbuf_pool_create("perf_pool", 16383, 256, 0,
					  RTE_MBUF_DEFAULT_BUF_SIZE, (int)rte_socket_id());
	env->neigh = sl_neigh_create(64, (int)rte_socket_id());
	if (r->pool == NULL || env->neigh == NULL)
		goto fail;
	for (i = 0; i < RTE_MAX_ETHPORTS; i++)
		port_index[i] = -1;
	for (i = 0; i < cfg->n_ports; i++) {
		char name[RTE_ETH_NAME_MAX_LEN];
		uint16_t pid;

		snprintf(name, sizeof(name), "%.*s", (int)strcspn(cfg->ports[i].device, ","),
			 cfg->ports[i].device);
		if (rte_eth_dev_get_port_by_name(name, &pid) != 0 ||
		    rte_eth_dev_configure(pid, 1, 1, &conf) != 0 ||
		    rte_eth_rx_queue_setup(pid, 0, 512, rte_socket_id(), NULL, r->pool) != 0 ||
		    rte_eth_tx_queue_setup(pid, 0, 512, rte_socket_id(), NULL) != 0 ||
		    rte_eth_dev_start(pid) != 0)
			goto fail;
		rte_eth_macaddr_get(pid, &hw[i].mac);
		hw[i].port_id = pid;
		port_index[pid] = (int16_t)i;
		env->port_id[i] = pid;
	}
	env->port_index = port_index;
	env->n_ports = cfg->n_ports;
	env->n_workers = n_workers;
	env->hz = rte_get_tsc_hz();
	env->lport_lo = cfg->global.local_port_lo;
	env->lport_hi = cfg->global.local_port_hi;
	env->cap.svc = env->cap.port = -1;
	r->w = sl_fwd_worker_create(env, &p);
	if (r->w != NULL)
		return 0;
fail:
	fprintf(stderr, "sluice-perf: set-up failed: %s\n", rte_strerror(rte_errno));
	return -1;
}

/*
 * Whether 2 GiB of free 2 MiB hugepages wait on a mounted hugetlbfs. The
 * default EAL options then take them, as Sluice does: on 4 KiB pages
 * every load into a large table pays a TLB miss as well.
 */
static int
hugepages_ready(void)
{
	char line[512];
	unsigned long n = 0;
	int mounted = 0;
	FILE *f = fopen("/sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages", "r");

	if (f == NULL)
		return 0;
	if (fscanf(f, "%lu", &n) != 1)
		n = 0;
	fclose(f);
	f = fopen("/proc/mounts", "r");
	if (f == NULL)
		return 0;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strstr(line, " hugetlbfs ") != NULL)
			mounted = 1;
	fclose(f);
	return mounted && n >= 1024;
}

int
main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "scenario", 1, 0, 's' }, { "flows", 1, 0, 'f' },
		{ "packets", 1, 0, 'p' }, { "fullnat", 0, 0, 'F' }, { "mode", 1, 0, 'm' },
		{ "encap", 1, 0, 'e' }, { "ipv6", 0, 0, '6' }, { "workers", 1, 0, 'w' },
		{ "clock", 1, 0, 'c' },
		{ 0, 0, 0, 0 },
	};
	char *def_argv[] = { argv[0], "--no-pci", "--no-huge", "-m", "2048",
			     "--lcores", "0,1@0", "--file-prefix", "slperf",
			     "--log-level", "lib.*:error", "--log-level", "sluice:warning",
			     "--vdev", "net_null0,no-rx=1", "--vdev", "net_null1,no-rx=1",
			     NULL };
	static int16_t port_index[RTE_MAX_ETHPORTS];
	struct sl_port_hw hw[SL_MAX_PORTS];
	struct sl_fwd_env env = { 0 };
	struct sl_config *cfg;
	const char *scenario = "established";
	uint32_t flows = 1000, i, k;
	uint64_t packets = 2000000;
	struct frame *fwd, *rep;
	struct frame *batch[SL_BURST];
	struct sl_snapshot *snap;
	struct rte_ether_addr mac_out, mac_in;
	char text[2048], err[256], mode_line[64], label[64];
	struct run r = { 0 };
	double tx_cpp = 0;
	unsigned speed = 0;
	int huge = 0, ret, c, mode = SL_MODE_NAT, encap = SL_ENCAP_IPIP, oneway, v6 = 0;
	unsigned dns_port, web_port;
	uint64_t drops;

	if (argc > 1 && strcmp(argv[1], "--") != 0) {
		ret = rte_eal_init(argc, argv);
	} else {
		int n = (int)(sizeof(def_argv) / sizeof(def_argv[0])) - 1;

		huge = hugepages_ready();
		if (huge)   /* "-m 2048" in hugepages, their files gone at exit */
			def_argv[2] = "--huge-unlink";
		ret = rte_eal_init(n, def_argv);
		if (ret >= 0) {
			ret = argc > 1 ? 1 : 0;   /* skip our own "--" */
			argc -= ret;
			argv += ret;
			ret = 0;
		}
	}
	if (ret < 0) {
		fprintf(stderr, "sluice-perf: EAL init failed\n");
		return 1;
	}
	argc -= ret;
	argv += ret;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 's': scenario = optarg; break;
		case 'f': flows = (uint32_t)strtoul(optarg, NULL, 0); break;
		case 'p': packets = strtoull(optarg, NULL, 0); break;
		case 'F': mode = SL_MODE_FULLNAT; break;
		case 'm': mode = name_index(mode_names, RTE_DIM(mode_names), optarg); break;
		case 'e': encap = name_index(encap_names, RTE_DIM(encap_names), optarg); break;
		case '6': v6 = 1; break;
		case 'c':
			speed = (unsigned)strtoul(optarg, NULL, 0);
			if (speed < 1 || speed > 1024)
				mode = -1;
			break;
		case 'w':
			n_workers = (unsigned)strtoul(optarg, NULL, 0);
			if (n_workers < 1 || n_workers > SL_MAX_WORKERS)
				mode = -1;
			break;
		default:
			mode = -1;
			break;
		}
		if (mode < 0 || encap < 0) {
			fprintf(stderr, "usage: sluice-perf [EAL] -- --scenario established|new|synflood [--flows N] [--packets N] [--mode nat|fullnat|dr|tunnel] [--encap ipip|gue|gre] [--fullnat] [--ipv6] [--workers N] [--clock K]\n");
			return 1;
		}
	}
	oneway = SL_MODE_ONEWAY(mode);
	owned_init();
	if (strcmp(scenario, "maglev") == 0)
		return maglev_builds();
	if (flows == 0 || flows > 8000000 ||
	    (strcmp(scenario, "established") != 0 && strcmp(scenario, "new") != 0 &&
	     strcmp(scenario, "synflood") != 0)) {
		fprintf(stderr, "sluice-perf: scenario established|new|synflood|maglev, flows 1..8M\n");
		return 1;
	}
	if (strcmp(scenario, "synflood") == 0 && (mode != SL_MODE_NAT || v6)) {
		fprintf(stderr, "sluice-perf: synflood runs IPv4 mode nat only\n");
		return 1;
	}
	/* fullnat: both services one-arm, from two local addresses; tunnel:
	 * the outer source from them; dr and tunnel keep the service's port */
	if (mode == SL_MODE_TUNNEL)
		snprintf(mode_line, sizeof(mode_line), "mode = tunnel\nencap = %s\n",
			 encap_names[encap]);
	else
		snprintf(mode_line, sizeof(mode_line), "mode = %s\n", mode_names[mode]);
	dns_port = oneway ? 53 : 5353;
	web_port = oneway ? 80 : 8080;
	snprintf(text, sizeof(text), ini,
		 RTE_MAX(65536u, strcmp(scenario, "new") == 0 ? 4194304u : 2 * flows),
		 mode == SL_MODE_FULLNAT || mode == SL_MODE_TUNNEL ?
		 "local_address = 10.1.0.5-10.1.0.6\n" : "",
		 mode_line, dns_port, dns_port, dns_port,
		 strcmp(scenario, "synflood") == 0 ? "mode = nat\nsynproxy = on\n" : mode_line,
		 web_port, web_port, web_port);
	if (v6 && mode != SL_MODE_NAT) {
		fprintf(stderr, "sluice-perf: --ipv6 runs mode nat only\n");
		return 1;
	}
	if (v6)
		snprintf(text, sizeof(text), ini6,
			 RTE_MAX(65536u, strcmp(scenario, "new") == 0 ? 4194304u : 8 * flows));
	cfg = sl_config_parse_string(text, "sluice-perf", err, sizeof(err));
	if (cfg == NULL) {
		fprintf(stderr, "sluice-perf: %s\n", err);
		return 1;
	}
	if (setup(&env, &r, cfg, hw, port_index) != 0)
		return 1;
	snap = sl_svc_build(cfg, hw, env.neigh, n_workers, 1, err, sizeof(err));
	if (snap == NULL) {
		fprintf(stderr, "sluice-perf: %s\n", err);
		return 1;
	}
	for (i = 0; i < env.neigh->count; i++) {
		struct rte_ether_addr m = { { 0x02, 0, 0, 0, 0x01, (uint8_t)i } };

		if (env.neigh->meta[i].v6)
			sl_neigh_learn6(env.neigh, env.neigh->meta[i].port,
					&env.neigh->meta[i].ip6, &m, rte_rdtsc());
		else
			sl_neigh_learn(env.neigh, env.neigh->meta[i].port,
				       env.neigh->meta[i].ip, &m, rte_rdtsc());
	}
	mac_out = hw[0].mac;
	mac_in = hw[1].mac;
	r.snap = snap;
	r.measure = strcmp(scenario, "established") != 0;
	/*
	 * new: the worker's clock runs 16 times the TSC, so that the
	 * connections the RSTs closed expire (close timeout 1 s) within a
	 * run of a few seconds and expiry is measured in its steady state,
	 * as many connections expiring as are made, about 100 000 of them
	 * waiting. --clock K sets K (1: the TSC itself, as many waiting as
	 * the close timeout holds at that rate, out of the cache).
	 */
	r.speed = speed != 0 ? speed : strcmp(scenario, "new") == 0 ? 16 : 1;

	if (strcmp(scenario, "synflood") == 0) {
		/* SYNs alone, each from a new source: cookies, no records */
		struct frame syn[SL_BURST];
		uint32_t n = 0;

		while (r.pkts < packets) {
			for (c = 0; c < SL_BURST; c++, n++) {
				build(&syn[c], &mac_out, client_ip(n % 4000000),
				      inet_addr("10.0.0.100"), client_port(n % 4000000),
				      htons(80), IPPROTO_TCP, RTE_TCP_SYN_FLAG);
				batch[c] = &syn[c];
			}
			push(&r, batch, SL_BURST, 0);
		}
		if (r.w->stats.sp_cookies != r.pkts || sl_flow_count(r.w->flows) != 0) {
			fprintf(stderr, "sluice-perf: %" PRIu64 " cookies for %" PRIu64
				" SYNs, %u records\n", r.w->stats.sp_cookies, r.pkts,
				sl_flow_count(r.w->flows));
			return 1;
		}
	} else if (strcmp(scenario, "established") == 0) {
		/* forward frames, then replies built from the connections made */
		fwd = calloc(flows, sizeof(*fwd));
		rep = calloc(flows, sizeof(*rep));
		if (fwd == NULL || rep == NULL)
			return 1;
		for (i = 0; i < flows; i++) {
			struct sl_in6 cip6 = client_ip6(i);

			if (v6)
				build6(&fwd[i], &mac_out, &cip6, &vip6, client_port(i),
				       htons(53), IPPROTO_UDP, 0);
			else
				build(&fwd[i], &mac_out, client_ip(i), inet_addr("10.0.0.100"),
				      client_port(i), htons(53), IPPROTO_UDP, 0);
		}
		for (i = 0; i < flows; i += k) {
			k = RTE_MIN((uint32_t)SL_BURST, flows - i);
			for (c = 0; c < (int)k; c++)
				batch[c] = &fwd[i + c];
			push(&r, batch, k, 0);
		}
		for (i = 0; i < flows; i++) {
			struct sl_flow_key key = {
				.src = client_ip(i), .dst = inet_addr("10.0.0.100"),
				.sport = client_port(i), .dport = htons(53),
				.proto = IPPROTO_UDP,
			};
			struct sl_conn *cn;
			int dir;

			if (v6) {
				struct sl_flow6_key k6 = {
					.src = client_ip6(i), .dst = vip6, .sport = client_port(i),
					.dport = htons(53), .proto = IPPROTO_UDP,
				};
				struct sl_conn6 *c6 = sl_flow6_lookup(r.w->flows6, &k6, &dir);

				if (c6 == NULL) {
					fprintf(stderr, "sluice-perf: flow %u was not created\n", i);
					return 1;
				}
				build6(&rep[i], &mac_in, &c6->bip, &c6->lip, c6->bport, c6->lport,
				       IPPROTO_UDP, 0);
				continue;
			}
			cn = sl_flow_lookup(r.w->flows, &key, &dir);
			if (cn == NULL) {
				fprintf(stderr, "sluice-perf: flow %u was not created\n", i);
				return 1;
			}
			build(&rep[i], &mac_in, cn->bip, cn->lip, cn->bport, cn->lport,
			      IPPROTO_UDP, 0);
		}
		r.cycles = r.pkts = 0;
		r.measure = 1;
		for (i = 0; r.pkts < packets; ) {
			for (c = 0; c < SL_BURST; c++)
				batch[c] = &fwd[(i + (uint32_t)c) % flows];
			push(&r, batch, SL_BURST, 0);
			if (!oneway) {
				for (c = 0; c < SL_BURST; c++)
					batch[c] = &rep[(i + (uint32_t)c) % flows];
				push(&r, batch, SL_BURST, 1);
			}
			i = (i + SL_BURST) % flows;
		}
		{
			uint16_t pids[2] = { hw[1].port_id, hw[0].port_id };

			for (c = 0; c < SL_BURST; c++)
				batch[c] = &fwd[(uint32_t)c % flows];
			tx_cpp = driver_tx(&r, batch, SL_BURST, pids, r.pkts);
		}
		free(fwd);
		free(rep);
	} else {
		/* every client frame a SYN of a new connection, every reply a RST */
		struct frame syn[SL_BURST], rst[SL_BURST];
		uint32_t n = 0;

		while (r.pkts < packets) {
			for (c = 0; c < SL_BURST; c++, n++) {
				struct sl_in6 cip6 = client_ip6(n % 4000000);

				if (v6)
					build6(&syn[c], &mac_out, &cip6, &vip6,
					       client_port(n % 4000000), htons(80), IPPROTO_TCP,
					       RTE_TCP_SYN_FLAG);
				else
					build(&syn[c], &mac_out, client_ip(n % 4000000),
					      inet_addr("10.0.0.100"), client_port(n % 4000000),
					      htons(80), IPPROTO_TCP, RTE_TCP_SYN_FLAG);
				batch[c] = &syn[c];
			}
			r.part[0] += push(&r, batch, SL_BURST, 0);
			for (c = 0; c < SL_BURST; c++) {
				uint32_t j = (n - SL_BURST + (uint32_t)c) % 4000000;
				struct sl_flow_key key = {
					.src = client_ip(j), .dst = inet_addr("10.0.0.100"),
					.sport = client_port(j), .dport = htons(80),
					.proto = IPPROTO_TCP,
				};
				struct sl_conn *cn;
				int dir;

				if (v6) {
					struct sl_flow6_key k6 = {
						.src = client_ip6(j), .dst = vip6,
						.sport = client_port(j), .dport = htons(80),
						.proto = IPPROTO_TCP,
					};
					struct sl_conn6 *c6 = sl_flow6_lookup(r.w->flows6, &k6, &dir);

					if (c6 == NULL) {
						fprintf(stderr, "sluice-perf: SYN %u made no connection\n", j);
						return 1;
					}
					build6(&rst[c], &mac_in, &c6->bip, &c6->lip, c6->bport,
					       c6->lport, IPPROTO_TCP,
					       RTE_TCP_RST_FLAG | RTE_TCP_ACK_FLAG);
					batch[c] = &rst[c];
					continue;
				}
				cn = sl_flow_lookup(r.w->flows, &key, &dir);
				if (cn == NULL) {
					fprintf(stderr, "sluice-perf: SYN %u made no connection\n", j);
					return 1;
				}
				/* one direction: the client resets its own SYN */
				if (oneway)
					build(&rst[c], &mac_out, key.src, key.dst, key.sport,
					      key.dport, IPPROTO_TCP, RTE_TCP_RST_FLAG);
				else
					build(&rst[c], &mac_in, cn->bip, cn->lip, cn->bport,
					      cn->lport, IPPROTO_TCP,
					      RTE_TCP_RST_FLAG | RTE_TCP_ACK_FLAG);
				batch[c] = &rst[c];
			}
			r.part[1] += push(&r, batch, SL_BURST, oneway ? 0 : 1);
			/* expiry is part of a connection's cost */
			CALLGRIND_TOGGLE_COLLECT;
			{
				uint64_t t0 = rte_rdtsc_precise(), dt;

				sl_fwd_expire(r.w, t0 * r.speed);
				dt = rte_rdtsc_precise() - t0;
				r.part[2] += dt;
				r.cycles += dt;
			}
			CALLGRIND_TOGGLE_COLLECT;
		}
	}
	if (v6)
		snprintf(label, sizeof(label), "-ipv6");
	else if (mode == SL_MODE_NAT)
		label[0] = '\0';
	else if (mode == SL_MODE_TUNNEL)
		snprintf(label, sizeof(label), "-tunnel-%s", encap_names[encap]);
	else
		snprintf(label, sizeof(label), "-%s", mode_names[mode]);
	/* every packet must have gone through: any drop means a broken path */
	drops = 0;
	for (i = 0; i < SL_DROP_MAX; i++)
		drops += r.w->stats.drops[i];
	printf("{\"scenario\":\"%s%s\",\"tsc_hz\":%" PRIu64 ",\"flows\":%u,\"packets\":%" PRIu64
	       ",\"cycles_per_pkt\":%.1f,\"mpps_per_core\":%.3f,\"tx_drops\":%" PRIu64
	       ",\"drops\":%" PRIu64 ",\"conns\":%u,\"workers\":%u,\"redirected\":%" PRIu64
	       ",\"hugepages\":%d}\n",
	       scenario, label, env.hz, flows, r.pkts, (double)r.cycles / (double)r.pkts,
	       (double)env.hz / ((double)r.cycles / (double)r.pkts) / 1e6,
	       r.w->stats.drops[SL_DROP_TX], drops - r.w->stats.drops[SL_DROP_TX],
	       sl_flow_count(r.w->flows) + (r.w->flows6 != NULL ? sl_flow6_count(r.w->flows6) : 0),
	       n_workers, r.w->stats.redirected, huge);
	/* new: the SYN bursts, the reply bursts and expiry apart, per SYN,
	 * per reply and per connection expired */
	/* established: the driver's transmit alone, and what is left of a
	 * packet's cycles without it */
	if (tx_cpp > 0)
		printf("{\"driver_tx_cycles_per_pkt\":%.1f,\"fast_path_cycles_per_pkt\":%.1f}\n",
		       tx_cpp, (double)r.cycles / (double)r.pkts - tx_cpp);
	if (r.part[0] != 0)
		printf("{\"cycles_per_syn\":%.1f,\"cycles_per_reply\":%.1f,"
		       "\"expiry_cycles_per_conn\":%.1f,\"expired\":%" PRIu64 "}\n",
		       (double)r.part[0] / (double)(r.pkts / 2),
		       (double)r.part[1] / (double)(r.pkts / 2),
		       r.w->stats.conns_expired != 0 ?
		       (double)r.part[2] / (double)r.w->stats.conns_expired : 0.0,
		       r.w->stats.conns_expired);
	sl_config_free(cfg);
	/* a packet passed on would have measured another worker's share */
	return drops != 0 || r.w->stats.redirected != 0;
}
