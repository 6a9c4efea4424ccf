/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sluice-gen: see gen.h. Usage:
 *   sluice-gen [EAL options] -- --profile udp|tcp|syn [options]
 * The first port EAL probes faces the DUT's client side, the second its
 * backend side (override with --client-port/--server-port). With
 * --mode dr|tunnel the backend side only receives (see gen.h). With
 * --ipv6 everything is IPv6 (NAT66): the VIP, clients and backends.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_cycles.h>
#include <rte_arp.h>
#include <rte_ip.h>
#include <rte_tcp.h>
#include <rte_udp.h>
#include <rte_malloc.h>

#include "sl_pkt.h"
#include "sl_neigh.h"
#include "gen.h"

#define BURST 32
#define NB_MBUF 32767

static volatile int stop;
static struct rte_mempool *pool;
static struct gen_opts opt;
static struct gen_stats st;
static struct rte_ether_addr cmac, smac;
static struct gen_tmpl *tmpl;
static uint64_t hz;

static void
on_signal(int sig)
{
	RTE_SET_USED(sig);
	stop = 1;
}

static void
usage(void)
{
	fprintf(stderr,
		"usage: sluice-gen [EAL options] -- [options]\n"
		"  --profile udp|tcp|syn   traffic (default udp)\n"
		"  --flows N               flows / concurrent connections (default 1000)\n"
		"  --size B                frame size with CRC, 64..1518 (default 64; see --ipv6)\n"
		"  --rate PPS              offered client packets/s, 0 = max (default 0)\n"
		"  --duration S            measured seconds (default 5)\n"
		"  --warmup S              seconds before measuring (default 1)\n"
		"  --data N                tcp: data packets per connection (default 4)\n"
		"  --vip A --vport P       service (default 10.0.0.100, --ipv6 2001:db8::100;\n"
		"                          53 udp / 80 tcp)\n"
		"  --clients A             first client address (default 100.64.0.1,\n"
		"                          --ipv6 2001:db8:64::1, clients in its /96)\n"
		"  --backends CIDR         answer ARP (--ipv6: neighbour solicitations)\n"
		"                          for these (default 10.1.0.0/24, 2001:db8:1::/64)\n"
		"  --ipv6                  IPv6 clients, VIP and backends (mode nat: NAT66);\n"
		"                          frames of at least 78 bytes (tcp, syn: 84)\n"
		"  --backend-port P        expected backend port, for --verify\n"
		"  --dut-mac MAC           DUT's client-side MAC (default: ARP for the VIP)\n"
		"  --client-port N --server-port N   DPDK port ids (default 0 and 1)\n"
		"  --mode nat|dr|tunnel    how the DUT forwards (default nat, also for\n"
		"                          fullnat); dr and tunnel: no answers, the\n"
		"                          backend side counts and times what it gets\n"
		"  --encap ipip|gue|gre    mode tunnel: the encapsulation (default ipip)\n"
		"  --gue-port P            encap gue: outer UDP port (default 6080)\n"
		"  --verify                check checksums and NAT of every packet (dr,\n"
		"                          tunnel: the client's packet arrives unchanged,\n"
		"                          a tunnel's outer headers are well formed)\n"
		"  --json                  print one JSON object instead of text\n"
		"  --hold                  after the report, keep the links up until\n"
		"                          SIGINT/SIGTERM (stop the DUT first)\n");
}

static int
parse_cidr(const char *s, rte_be32_t *net, rte_be32_t *mask)
{
	char buf[64], *slash;
	struct in_addr a;
	unsigned len = 32;

	snprintf(buf, sizeof(buf), "%s", s);
	slash = strchr(buf, '/');
	if (slash != NULL) {
		*slash = '\0';
		len = (unsigned)atoi(slash + 1);
		if (len > 32)
			return -1;
	}
	if (inet_pton(AF_INET, buf, &a) != 1)
		return -1;
	*mask = rte_cpu_to_be_32(len == 0 ? 0 : ~0u << (32 - len));
	*net = a.s_addr & *mask;
	return 0;
}

/* "ADDR/LEN" (LEN 0..128, default 128) to a prefix with no bits below LEN. */
static int
parse_cidr6(const char *s, struct sl_in6 *net, unsigned *plen)
{
	char buf[64], *slash;
	unsigned len = 128, i;

	snprintf(buf, sizeof(buf), "%s", s);
	slash = strchr(buf, '/');
	if (slash != NULL) {
		*slash = '\0';
		len = (unsigned)atoi(slash + 1);
		if (len > 128)
			return -1;
	}
	if (inet_pton(AF_INET6, buf, net) != 1)
		return -1;
	for (i = len; i < 128; i++)
		net->b[i / 8] &= (uint8_t)~(0x80 >> (i % 8));
	*plen = len;
	return 0;
}

/* The VIP, first client and backends (NULL: the default) of the family
 * --ipv6 chose. */
static int
parse_addrs(const char *vip, const char *clients, const char *backends)
{
	struct in_addr a;

	if (!opt.ipv6) {
		if (inet_pton(AF_INET, vip ? vip : "10.0.0.100", &opt.vip) != 1 ||
		    inet_pton(AF_INET, clients ? clients : "100.64.0.1", &a) != 1 ||
		    parse_cidr(backends ? backends : "10.1.0.0/24", &opt.backend_net,
			       &opt.backend_mask) != 0)
			goto bad;
		opt.client_base = a.s_addr;
		return 0;
	}
	if (inet_pton(AF_INET6, vip ? vip : "2001:db8::100", &opt.vip6) != 1 ||
	    inet_pton(AF_INET6, clients ? clients : "2001:db8:64::1", &opt.client6) != 1 ||
	    parse_cidr6(backends ? backends : "2001:db8:1::/64", &opt.backend6_net,
			&opt.backend6_len) != 0)
		goto bad;
	memcpy(&opt.client_base, opt.client6.b + 12, 4);
	return 0;
bad:
	fprintf(stderr, "sluice-gen: bad --vip, --clients or --backends for %s\n",
		opt.ipv6 ? "IPv6" : "IPv4");
	return -1;
}

static int
parse_args(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "profile", 1, 0, 'p' }, { "flows", 1, 0, 'f' }, { "size", 1, 0, 's' },
		{ "rate", 1, 0, 'r' }, { "duration", 1, 0, 'd' }, { "warmup", 1, 0, 'w' },
		{ "data", 1, 0, 'D' }, { "vip", 1, 0, 'V' }, { "vport", 1, 0, 'P' },
		{ "clients", 1, 0, 'C' }, { "backends", 1, 0, 'B' },
		{ "backend-port", 1, 0, 'b' }, { "dut-mac", 1, 0, 'm' },
		{ "client-port", 1, 0, 'c' }, { "server-port", 1, 0, 'S' },
		{ "verify", 0, 0, 'v' }, { "json", 0, 0, 'j' }, { "help", 0, 0, 'h' },
		{ "hold", 0, 0, 'H' }, { "mode", 1, 0, 'M' }, { "encap", 1, 0, 'E' },
		{ "gue-port", 1, 0, 'G' }, { "ipv6", 0, 0, '6' },
		{ 0, 0, 0, 0 },
	};
	const char *vip = NULL, *clients = NULL, *backends = NULL;
	unsigned min_size;
	int c, vport = -1;

	opt.profile = GEN_UDP;
	opt.flows = 1000;
	opt.size = 64;
	opt.duration = 5;
	opt.warmup = 1;
	opt.data_pkts = 4;
	opt.sport = 1;
	opt.gue_port = RTE_BE16(6080);
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'p':
			if (strcmp(optarg, "udp") == 0)
				opt.profile = GEN_UDP;
			else if (strcmp(optarg, "tcp") == 0)
				opt.profile = GEN_TCP;
			else if (strcmp(optarg, "syn") == 0)
				opt.profile = GEN_SYN;
			else
				goto bad;
			break;
		case 'f': opt.flows = (uint32_t)strtoul(optarg, NULL, 0); break;
		case 's': opt.size = (uint32_t)strtoul(optarg, NULL, 0); break;
		case 'r': opt.rate = strtoull(optarg, NULL, 0); break;
		case 'd': opt.duration = atof(optarg); break;
		case 'w': opt.warmup = atof(optarg); break;
		case 'D': opt.data_pkts = (uint32_t)strtoul(optarg, NULL, 0); break;
		/* addresses are read once the family is known */
		case 'V': vip = optarg; break;
		case 'P': vport = atoi(optarg); break;
		case 'C': clients = optarg; break;
		case 'B': backends = optarg; break;
		case '6': opt.ipv6 = 1; break;
		case 'b': opt.backend_port = rte_cpu_to_be_16((uint16_t)atoi(optarg)); break;
		case 'm':
			if (rte_ether_unformat_addr(optarg, &opt.dut_mac) != 0)
				goto bad;
			opt.have_dut_mac = 1;
			break;
		case 'c': opt.cport = (uint16_t)atoi(optarg); break;
		case 'S': opt.sport = (uint16_t)atoi(optarg); break;
		case 'v': opt.verify = 1; break;
		case 'j': opt.json = 1; break;
		case 'H': opt.hold = 1; break;
		case 'M':
			if (strcmp(optarg, "nat") == 0 || strcmp(optarg, "fullnat") == 0)
				opt.mode = GEN_MODE_NAT;
			else if (strcmp(optarg, "dr") == 0)
				opt.mode = GEN_MODE_DR;
			else if (strcmp(optarg, "tunnel") == 0)
				opt.mode = GEN_MODE_TUNNEL;
			else
				goto bad;
			break;
		case 'E':
			if (strcmp(optarg, "ipip") == 0)
				opt.encap = GEN_ENCAP_IPIP;
			else if (strcmp(optarg, "gue") == 0)
				opt.encap = GEN_ENCAP_GUE;
			else if (strcmp(optarg, "gre") == 0)
				opt.encap = GEN_ENCAP_GRE;
			else
				goto bad;
			break;
		case 'G': opt.gue_port = rte_cpu_to_be_16((uint16_t)atoi(optarg)); break;
		default:
			usage();
			exit(c == 'h' ? 0 : 1);
		}
	}
	if (parse_addrs(vip, clients, backends) != 0)
		return -1;
	if (vport < 0)
		vport = opt.profile == GEN_UDP ? 53 : 80;
	opt.vport = rte_cpu_to_be_16((uint16_t)vport);
	min_size = !opt.ipv6 ? GEN_MIN_SIZE :
		opt.profile == GEN_UDP ? GEN_MIN_SIZE6_UDP : GEN_MIN_SIZE6_TCP;
	if (opt.size < min_size || opt.size > 1518 || opt.flows == 0 ||
	    opt.flows > 64u * 1000 * 1000 || opt.duration <= 0 || opt.data_pkts == 0) {
		fprintf(stderr, "sluice-gen: size %u..1518, flows 1..64M, duration > 0, data >= 1\n",
			min_size);
		return -1;
	}
	if (opt.ipv6 && opt.mode != GEN_MODE_NAT) {
		/* the DUT forwards IPv6 in mode nat only */
		fprintf(stderr, "sluice-gen: --ipv6 needs mode nat\n");
		return -1;
	}
	if (opt.mode != GEN_MODE_NAT && opt.profile == GEN_TCP) {
		/* its connections advance on the backends' answers, which a
		 * one-direction DUT never carries */
		fprintf(stderr, "sluice-gen: profile tcp needs mode nat (answers through the DUT)\n");
		return -1;
	}
	return 0;
bad:
	fprintf(stderr, "sluice-gen: bad value for --%s: %s\n", argv[optind - 1] + 2, optarg);
	return -1;
}

static int
port_init(uint16_t pid, struct rte_ether_addr *mac)
{
	struct rte_eth_conf conf;
	int ret;

	memset(&conf, 0, sizeof(conf));
	ret = rte_eth_dev_configure(pid, 1, 1, &conf);
	if (ret == 0)
		ret = rte_eth_rx_queue_setup(pid, 0, 1024, rte_eth_dev_socket_id(pid), NULL, pool);
	if (ret == 0)
		ret = rte_eth_tx_queue_setup(pid, 0, 1024, rte_eth_dev_socket_id(pid), NULL);
	if (ret == 0)
		ret = rte_eth_dev_start(pid);
	if (ret == 0)
		ret = rte_eth_macaddr_get(pid, mac);
	if (ret != 0)
		fprintf(stderr, "sluice-gen: port %u: %s\n", pid, rte_strerror(-ret));
	return ret;
}

static void
tx_burst(uint16_t pid, struct rte_mbuf **m, uint16_t n, uint64_t *sent, uint64_t *full)
{
	uint16_t k = rte_eth_tx_burst(pid, 0, m, n);

	*sent += k;
	if (k < n) {
		*full += n - k;
		rte_pktmbuf_free_bulk(m + k, n - k);
	}
}

static struct rte_mbuf *
new_client_pkt(uint32_t slot, uint32_t g, uint8_t flags, uint32_t seq, uint64_t now)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	uint8_t *p;

	if (m == NULL)
		return NULL;
	p = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)gen_tmpl_len(tmpl));
	gen_client_pkt(tmpl, p, slot, g, flags, seq, now);
	return m;
}

/* Answer an ARP request on @p pid if it asks for one of @p net/@p mask. */
static int
arp_answer(uint16_t pid, const struct rte_ether_addr *mac, struct rte_mbuf *m,
	   rte_be32_t net, rte_be32_t mask)
{
	uint8_t *d = rte_pktmbuf_mtod(m, uint8_t *);
	struct sl_arp_info ai;
	struct rte_mbuf *r;

	if (rte_pktmbuf_data_len(m) < 14 ||
	    sl_arp_parse(d + 14, rte_pktmbuf_data_len(m) - 14, &ai) != 0)
		return 0;
	if (ai.op == RTE_ARP_OP_REPLY && pid == opt.cport && ai.spa == opt.vip &&
	    !opt.have_dut_mac) {
		opt.dut_mac = ai.sha;
		opt.have_dut_mac = 1;
		return 1;
	}
	if (ai.op != RTE_ARP_OP_REQUEST || (ai.tpa & mask) != net)
		return 1;
	r = rte_pktmbuf_alloc(pool);
	if (r == NULL)
		return 1;
	sl_arp_build((uint8_t *)rte_pktmbuf_append(r, 60), RTE_ARP_OP_REPLY, &ai.sha,
		     mac, ai.tpa, &ai.sha, ai.spa);
	if (rte_eth_tx_burst(pid, 0, &r, 1) != 1)
		rte_pktmbuf_free(r);
	return 1;
}

static int
csum_ok(const struct sl_pkt_info *pi, const uint8_t *d)
{
	const struct rte_ipv4_hdr *ip = (const struct rte_ipv4_hdr *)(d + pi->l2_len);
	const uint8_t *l4 = (const uint8_t *)ip + pi->l3_len;
	uint16_t c;

	if (sl_ipv4_csum(ip) != ip->hdr_checksum)
		return 0;
	memcpy(&c, l4 + (pi->proto == IPPROTO_TCP ? 16 : 6), 2);
	if (pi->proto == IPPROTO_UDP && c == 0)
		return 1;
	return sl_l4_csum(ip, l4) == c;
}

/*
 * Neighbour discovery on @p pid, as arp_answer() for IPv4: answer a
 * solicitation for an address in @p net/@p plen with an advertisement
 * carrying @p mac (the DUT resolves its IPv6 next hops that way); on the
 * client side, learn the DUT's MAC from its advertisement for the VIP.
 * Anything else in @p m is left alone. @return 1 for neighbour
 * discovery, 0 otherwise.
 */
static int
nd_answer(uint16_t pid, const struct rte_ether_addr *mac, struct rte_mbuf *m,
	  const struct sl_in6 *net, unsigned plen)
{
	uint8_t *d = rte_pktmbuf_mtod(m, uint8_t *);
	uint32_t len = rte_pktmbuf_data_len(m);
	const struct rte_ether_addr *lla;
	struct sl_pkt_info pi4;
	struct sl_pkt6_info pi;
	struct sl_nd_info nd;
	struct rte_mbuf *r;

	if (sl_pkt_parse(d, len, 0, &pi4) != 0 || pi4.kind != SL_PKT_IPV6)
		return 0;
	pi.l2_len = pi4.l2_len;
	if (sl_pkt_parse6(d, len, 0, &pi) != 0 || pi.proto != SL_IPPROTO_ICMPV6 ||
	    sl_nd_parse(d, len, &pi, &nd) != 0)
		return 0;
	lla = nd.has_lla ? &nd.lla : &((const struct rte_ether_hdr *)d)->src_addr;
	if (nd.type == SL_ND_NA) {
		if (pid == opt.cport && sl_in6_eq(&nd.target, &opt.vip6) && !opt.have_dut_mac) {
			opt.dut_mac = *lla;
			opt.have_dut_mac = 1;
		}
		return 1;
	}
	/* duplicate address detection (from ::) is not address resolution */
	if (sl_in6_zero(&pi.src) || !gen_in6_prefix(&nd.target, net, plen))
		return 1;
	r = rte_pktmbuf_alloc(pool);
	if (r == NULL)
		return 1;
	/* solicited, override: the answer to a solicitation for a host's
	 * own address (RFC 4861 section 7.2.4) */
	sl_nd_build_na((uint8_t *)rte_pktmbuf_append(r, 86), mac, lla, &nd.target,
		       &pi.src, &nd.target, 0x60);
	if (rte_eth_tx_burst(pid, 0, &r, 1) != 1)
		rte_pktmbuf_free(r);
	return 1;
}

/* Whether the TCP or UDP checksum of an IPv6 packet verifies. */
static int
csum6_ok(const uint8_t *d, const struct sl_pkt6_info *pi)
{
	const uint8_t *l4 = d + pi->l2_len + pi->l3_len;
	unsigned off = pi->proto == IPPROTO_TCP ? 16 : 6;

	return sl_l4_csum6(&pi->src, &pi->dst, pi->proto, l4,
			   40u + pi->plen - pi->l3_len, off) == sl_ld16(l4 + off);
}

/* The send time a client packet carries after its L4 header, at @p off. */
static uint64_t
sent_tsc(const uint8_t *d, uint32_t len, unsigned off)
{
	uint64_t sent = 0;
	unsigned j;

	for (j = 0; j < 6 && off + j < len; j++)
		sent |= (uint64_t)d[off + j] << (8 * j);
	return sent;
}

/*
 * Mode tunnel: check the outer headers in front of the client's packet
 * (IPv4 header and checksum, lengths, to a backend, the encapsulation
 * expected; GRE without options carrying IPv4; GUE version 0 carrying
 * IPIP) and take them off, the Ethernet header moved up to the inner
 * packet. A frame that is not IPv4 (ARP) passes as it is; so does one
 * without an outer header unless --verify asks for one.
 * @return 0, or -1 for a malformed or unexpected encapsulation.
 */
static int
decap(struct rte_mbuf *m)
{
	static const uint8_t gre[4] = { 0, 0, 0x08, 0x00 };
	uint8_t *d = rte_pktmbuf_mtod(m, uint8_t *);
	uint32_t len = rte_pktmbuf_data_len(m);
	const struct rte_ether_hdr *eh = (const struct rte_ether_hdr *)d;
	const struct rte_ipv4_hdr *ip = (const struct rte_ipv4_hdr *)(d + RTE_ETHER_HDR_LEN);
	const uint8_t *o;
	unsigned ihl, outer;
	enum gen_encap e;

	if (len < RTE_ETHER_HDR_LEN + sizeof(*ip) ||
	    eh->ether_type != RTE_BE16(RTE_ETHER_TYPE_IPV4))
		return 0;
	ihl = (ip->version_ihl & 0xf) * 4u;
	o = (const uint8_t *)ip + ihl;
	if (ip->next_proto_id == IPPROTO_IPIP) {
		e = GEN_ENCAP_IPIP;
		outer = ihl;
	} else if (ip->next_proto_id == IPPROTO_GRE) {
		e = GEN_ENCAP_GRE;
		outer = ihl + 4;
	} else if (ip->next_proto_id == IPPROTO_UDP && ihl >= 20 &&
		   len >= RTE_ETHER_HDR_LEN + ihl + 8 && sl_ld16(o + 2) == opt.gue_port) {
		e = GEN_ENCAP_GUE;
		outer = ihl + 8 + 4;
	} else {
		return opt.verify ? -1 : 0;
	}
	if (opt.verify &&
	    ((ip->version_ihl >> 4) != 4 || ihl < 20 || e != opt.encap ||
	     len < RTE_ETHER_HDR_LEN + outer + sizeof(*ip) ||
	     rte_be_to_cpu_16(ip->total_length) != len - RTE_ETHER_HDR_LEN ||
	     sl_ipv4_csum(ip) != ip->hdr_checksum || ip->time_to_live == 0 ||
	     (ip->fragment_offset & RTE_BE16(RTE_IPV4_HDR_OFFSET_MASK | RTE_IPV4_HDR_MF_FLAG)) ||
	     (ip->dst_addr & opt.backend_mask) != opt.backend_net ||
	     (e == GEN_ENCAP_GRE && memcmp(o, gre, 4) != 0) ||
	     (e == GEN_ENCAP_GUE &&
	      (rte_be_to_cpu_16(sl_ld16(o + 4)) != len - RTE_ETHER_HDR_LEN - ihl ||
	       o[8] != 0 || o[9] != IPPROTO_IPIP)) ||
	     (d[RTE_ETHER_HDR_LEN + outer] >> 4) != 4))
		return -1;
	memmove(d + outer, d, RTE_ETHER_HDR_LEN);
	rte_pktmbuf_adj(m, (uint16_t)outer);
	return 0;
}

/*
 * A packet a one-direction DUT delivered: with --verify, the client's
 * packet must arrive as the client sent it (to the VIP and service
 * port, from one of the clients, checksums intact), to this side's MAC;
 * its one-way latency is recorded. Nothing is answered.
 */
static void
receive_oneway(const uint8_t *d, uint32_t len, const struct sl_pkt_info *pi,
	       uint64_t now, int measuring)
{
	const struct rte_ether_hdr *eh = (const struct rte_ether_hdr *)d;
	uint32_t slot, g;

	if (opt.verify && (!csum_ok(pi, d) || pi->dst != opt.vip || pi->dport != opt.vport ||
			   gen_slot_of(&opt, pi->src, pi->sport, &slot, &g) != 0 ||
			   !rte_is_same_ether_addr(&eh->dst_addr, &smac)))
		st.bad_nat++;
	if (measuring)
		gen_lat_add(&st, ((now - sent_tsc(d, len, pi->l2_len + pi->l3_len +
						      pi->l4_len)) & ((1ULL << 48) - 1)) *
			    1000000000ULL / hz);
}

/*
 * Turn a client's TCP segment (addresses and ports already swapped) into
 * the server's answer: the flags changed, the checksum updated.
 * @return 0, or -1 when a server answers nothing (the client's last
 * ACK, a reset).
 */
static int
tcp_answer(struct rte_tcp_hdr *th)
{
	uint8_t f = th->tcp_flags, nf;
	uint16_t ow, nw, c;

	if (f & RTE_TCP_RST_FLAG)
		return -1;
	if (f & RTE_TCP_SYN_FLAG)
		nf = opt.profile == GEN_SYN ?
			(RTE_TCP_RST_FLAG | RTE_TCP_ACK_FLAG) :
			(RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG);
	else if (f & RTE_TCP_FIN_FLAG)
		nf = f;
	else if (f & RTE_TCP_PSH_FLAG)
		nf = RTE_TCP_ACK_FLAG;
	else
		return -1;
	ow = sl_ld16(&th->data_off);
	th->tcp_flags = nf;
	nw = sl_ld16(&th->data_off);
	memcpy(&c, &th->cksum, 2);
	c = sl_csum_update16(c, ow, nw);
	memcpy(&th->cksum, &c, 2);
	return 0;
}

/*
 * Backend side, IPv6 (NAT66): neighbour solicitations for the backends
 * answered; with --verify, a client's packet must arrive from the client
 * (NAT66 rewrites the destination only), to a backend (and its port),
 * with the hop limit decremented once and the checksum intact. The
 * answer swaps addresses and ports as over IPv4 and leaves with hop
 * limit 64, as a server's own packet would. @return 1 when @p m is to
 * be sent back.
 */
static int
serve6(struct rte_mbuf *m, uint8_t l2_len, uint32_t wire)
{
	uint8_t *d = rte_pktmbuf_mtod(m, uint8_t *);
	struct rte_ether_hdr *eh = (struct rte_ether_hdr *)d;
	struct rte_ether_addr tm;
	struct sl_pkt6_info pi;
	struct sl_in6 a;
	uint32_t slot, g;
	uint8_t *ip, *l4;
	rte_be16_t p;

	pi.l2_len = l2_len;
	if (!opt.ipv6 || sl_pkt_parse6(d, rte_pktmbuf_data_len(m), 0, &pi) != 0) {
		st.unknown++;
		return 0;
	}
	if (pi.proto == SL_IPPROTO_ICMPV6) {
		if (!nd_answer(opt.sport, &smac, m, &opt.backend6_net, opt.backend6_len))
			st.unknown++;
		return 0;
	}
	st.s_rx++;
	st.s_rx_bytes += wire;
	ip = d + pi.l2_len;
	l4 = ip + pi.l3_len;
	if (opt.verify && (!csum6_ok(d, &pi) ||
			   !gen_in6_prefix(&pi.dst, &opt.backend6_net, opt.backend6_len) ||
			   (opt.backend_port != 0 && pi.dport != opt.backend_port) ||
			   gen_slot_of6(&opt, &pi.src, pi.sport, &slot, &g) != 0 ||
			   ip[7] != 63))
		st.bad_nat++;
	/* the swap leaves the checksum valid; the hop limit is in none */
	tm = eh->src_addr;
	eh->src_addr = eh->dst_addr;
	eh->dst_addr = tm;
	memcpy(&a, ip + 8, 16);
	memmove(ip + 8, ip + 24, 16);
	memcpy(ip + 24, &a, 16);
	ip[7] = 64;
	memcpy(&p, l4, 2);
	memcpy(l4, l4 + 2, 2);
	memcpy(l4 + 2, &p, 2);
	if (pi.proto == IPPROTO_TCP && tcp_answer((struct rte_tcp_hdr *)l4) != 0)
		return 0;
	return 1;
}

/*
 * Backend side: answer what the DUT delivered as a server would. The
 * reply keeps the client's timestamp, so the round trip is measured.
 */
static uint16_t
serve(struct rte_mbuf **in, uint16_t n, struct rte_mbuf **out, uint64_t now,
      int measuring)
{
	uint16_t i, k = 0;

	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = in[i];
		uint8_t *d;
		struct sl_pkt_info pi;
		struct rte_ether_hdr *eh;
		struct rte_ipv4_hdr *ip;
		struct rte_ether_addr tm;
		rte_be32_t a;
		rte_be16_t p;
		uint8_t *l4;
		/* bytes as they crossed the link, outer headers included */
		uint32_t wire = rte_pktmbuf_pkt_len(m);

		if (opt.mode == GEN_MODE_TUNNEL && decap(m) != 0) {
			st.s_rx++;
			st.s_rx_bytes += wire;
			st.bad_nat++;
			rte_pktmbuf_free(m);
			continue;
		}
		d = rte_pktmbuf_mtod(m, uint8_t *);
		eh = (struct rte_ether_hdr *)d;
		if (sl_pkt_parse(d, rte_pktmbuf_data_len(m), 0, &pi) != 0 ||
		    (opt.ipv6 && pi.kind == SL_PKT_IPV4)) {
			st.unknown++;
			rte_pktmbuf_free(m);
			continue;
		}
		if (pi.kind == SL_PKT_IPV6) {
			if (serve6(m, pi.l2_len, wire))
				out[k++] = m;
			else
				rte_pktmbuf_free(m);
			continue;
		}
		if (pi.kind == SL_PKT_ARP) {
			arp_answer(opt.sport, &smac, m, opt.backend_net, opt.backend_mask);
			rte_pktmbuf_free(m);
			continue;
		}
		st.s_rx++;
		st.s_rx_bytes += wire;
		if (opt.mode != GEN_MODE_NAT) {
			receive_oneway(d, rte_pktmbuf_data_len(m), &pi, now, measuring);
			rte_pktmbuf_free(m);
			continue;
		}
		if (opt.verify && (!csum_ok(&pi, d) ||
				   (pi.dst & opt.backend_mask) != opt.backend_net ||
				   (opt.backend_port != 0 && pi.dport != opt.backend_port)))
			st.bad_nat++;
		ip = (struct rte_ipv4_hdr *)(d + pi.l2_len);
		l4 = (uint8_t *)ip + pi.l3_len;
		/* swapping addresses and ports leaves every checksum valid */
		tm = eh->src_addr;
		eh->src_addr = eh->dst_addr;
		eh->dst_addr = tm;
		a = ip->src_addr;
		ip->src_addr = ip->dst_addr;
		ip->dst_addr = a;
		memcpy(&p, l4, 2);
		memcpy(l4, l4 + 2, 2);
		memcpy(l4 + 2, &p, 2);
		if (pi.proto == IPPROTO_TCP && tcp_answer((struct rte_tcp_hdr *)l4) != 0) {
			rte_pktmbuf_free(m);
			continue;
		}
		out[k++] = m;
	}
	return k;
}

/*
 * Client side, IPv6: neighbour discovery handled (solicitations for the
 * clients' /96 answered, the DUT's advertisement for the VIP learnt);
 * an answer must come to one of the clients, and with --verify from the
 * VIP and service port, hop limit decremented once (the backends send
 * 64), checksum intact. Fills the slot, generation, protocol, L4 and
 * timestamp offsets; @return 0, or -1 for a packet not to count.
 */
static int
client6(struct rte_mbuf *m, uint8_t l2_len, uint32_t *slot, uint32_t *g,
	uint8_t *proto, uint32_t *l4off, uint32_t *tsoff)
{
	const uint8_t *d = rte_pktmbuf_mtod(m, const uint8_t *);
	struct sl_pkt6_info pi;

	pi.l2_len = l2_len;
	if (sl_pkt_parse6(d, rte_pktmbuf_data_len(m), 0, &pi) != 0) {
		st.unknown++;
		return -1;
	}
	if (pi.proto == SL_IPPROTO_ICMPV6) {
		if (!nd_answer(opt.cport, &cmac, m, &opt.client6, 96))
			st.unknown++;
		return -1;
	}
	if (gen_slot_of6(&opt, &pi.dst, pi.dport, slot, g) != 0) {
		st.unknown++;
		return -1;
	}
	if (opt.verify && (!csum6_ok(d, &pi) || !sl_in6_eq(&pi.src, &opt.vip6) ||
			   pi.sport != opt.vport || d[pi.l2_len + 7] != 63))
		st.bad_nat++;
	*proto = pi.proto;
	*l4off = (uint32_t)pi.l2_len + pi.l3_len;
	*tsoff = *l4off + pi.l4_len;
	return 0;
}

/* Client side: count, time, and drive each TCP connection's next step. */
static uint16_t
client_rx(struct rte_mbuf **in, uint16_t n, struct rte_mbuf **out, uint64_t now,
	  int measuring)
{
	uint16_t i, k = 0;

	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = in[i];
		uint8_t *d = rte_pktmbuf_mtod(m, uint8_t *);
		struct sl_pkt_info pi;
		uint32_t slot, g, seq, l4off, tsoff;
		uint8_t proto;
		uint64_t dt;

		if (sl_pkt_parse(d, rte_pktmbuf_data_len(m), 0, &pi) != 0 ||
		    (opt.ipv6 && pi.kind == SL_PKT_IPV4) ||
		    (!opt.ipv6 && pi.kind == SL_PKT_IPV6)) {
			st.unknown++;
			rte_pktmbuf_free(m);
			continue;
		}
		if (pi.kind == SL_PKT_ARP) {
			arp_answer(opt.cport, &cmac, m, opt.client_base, RTE_BE32(0xffffff00));
			rte_pktmbuf_free(m);
			continue;
		}
		if (pi.kind == SL_PKT_IPV6) {
			if (client6(m, pi.l2_len, &slot, &g, &proto, &l4off, &tsoff) != 0) {
				rte_pktmbuf_free(m);
				continue;
			}
		} else {
			if (pi.proto == IPPROTO_ICMP ||
			    gen_slot_of(&opt, pi.dst, pi.dport, &slot, &g) != 0) {
				st.unknown++;
				rte_pktmbuf_free(m);
				continue;
			}
			if (opt.verify && (!csum_ok(&pi, d) || pi.src != opt.vip ||
					   pi.sport != opt.vport))
				st.bad_nat++;
			proto = pi.proto;
			l4off = (uint32_t)pi.l2_len + pi.l3_len;
			tsoff = l4off + pi.l4_len;
		}
		if (measuring) {
			st.c_rx++;
			st.c_rx_bytes += rte_pktmbuf_pkt_len(m);
		}
		dt = (now - sent_tsc(d, rte_pktmbuf_data_len(m), tsoff)) & ((1ULL << 48) - 1);
		if (measuring)
			gen_lat_add(&st, dt * 1000000000ULL / hz);
		if (proto == IPPROTO_TCP && opt.profile == GEN_TCP) {
			const struct rte_tcp_hdr *th = (const struct rte_tcp_hdr *)(d + l4off);
			uint8_t f = th->tcp_flags;
			struct rte_mbuf *r = NULL;

			seq = rte_be_to_cpu_32(th->sent_seq);
			if ((f & (RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG)) ==
			    (RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG)) {
				if (measuring)
					st.handshakes++;
				r = new_client_pkt(slot, g, RTE_TCP_PSH_FLAG | RTE_TCP_ACK_FLAG, 1, now);
			} else if (f & RTE_TCP_RST_FLAG) {
				st.rst++;
				r = new_client_pkt(slot, g + 1, RTE_TCP_SYN_FLAG, 0, now);
			} else if (f & RTE_TCP_FIN_FLAG) {
				/* last ACK, then the slot opens its next connection */
				r = new_client_pkt(slot, g, RTE_TCP_ACK_FLAG, seq + 1, now);
				if (r != NULL)
					out[k++] = r;
				if (measuring)
					st.conns_done++;
				r = new_client_pkt(slot, g + 1, RTE_TCP_SYN_FLAG, 0, now);
			} else if (seq < opt.data_pkts) {
				r = new_client_pkt(slot, g, RTE_TCP_PSH_FLAG | RTE_TCP_ACK_FLAG, seq + 1, now);
			} else {
				r = new_client_pkt(slot, g, RTE_TCP_FIN_FLAG | RTE_TCP_ACK_FLAG, seq + 1, now);
			}
			if (r != NULL)
				out[k++] = r;
		} else if (opt.profile == GEN_SYN) {
			st.rst++;
		}
		rte_pktmbuf_free(m);
	}
	return k;
}

/* memif links come up when the peer connects: give it 10 s */
static void
wait_link(uint16_t pid)
{
	struct rte_eth_link link;
	int i;

	for (i = 0; i < 1000 && !stop; i++) {
		if (rte_eth_link_get_nowait(pid, &link) == 0 && link.link_status)
			return;
		rte_delay_ms(10);
	}
	fprintf(stderr, "sluice-gen: port %u link still down, going on\n", pid);
}

static void
resolve_dut(void)
{
	uint64_t end;
	int tries;

	for (tries = 0; tries < 5 && !opt.have_dut_mac && !stop; tries++) {
		struct rte_mbuf *m = rte_pktmbuf_alloc(pool), *in[BURST];
		struct rte_ether_addr bc, zero = { { 0 } };
		uint16_t n, i;

		memset(&bc, 0xff, sizeof(bc));
		if (m == NULL)
			break;
		if (opt.ipv6)
			sl_nd_build_ns((uint8_t *)rte_pktmbuf_append(m, 86), &cmac,
				       &opt.client6, &opt.vip6);
		else
			sl_arp_build((uint8_t *)rte_pktmbuf_append(m, 60), RTE_ARP_OP_REQUEST,
				     &bc, &cmac, opt.client_base, &zero, opt.vip);
		if (rte_eth_tx_burst(opt.cport, 0, &m, 1) != 1)
			rte_pktmbuf_free(m);
		end = rte_rdtsc() + hz / 5;
		while (rte_rdtsc() < end && !opt.have_dut_mac) {
			n = rte_eth_rx_burst(opt.cport, 0, in, BURST);
			for (i = 0; i < n; i++) {
				if (opt.ipv6)
					nd_answer(opt.cport, &cmac, in[i], &opt.client6, 96);
				else
					arp_answer(opt.cport, &cmac, in[i], 0, 0xffffffff);
				rte_pktmbuf_free(in[i]);
			}
			/* the DUT may be resolving its backends meanwhile */
			n = rte_eth_rx_burst(opt.sport, 0, in, BURST);
			n = serve(in, n, in, rte_rdtsc(), 0);
			for (i = 0; i < n; i++)
				rte_pktmbuf_free(in[i]);
		}
	}
	if (!opt.have_dut_mac) {
		/* a plain forwarder (testpmd io) answers no ARP or neighbour
		 * solicitation: broadcast */
		memset(&opt.dut_mac, 0xff, sizeof(opt.dut_mac));
	}
}

static void
report(double secs)
{
	double offered = (double)(st.c_tx + st.c_tx_full) / secs;
	double tx = (double)st.c_tx / secs, rx = (double)st.c_rx / secs;
	double srx = (double)st.s_rx / secs;
	double gbps = ((double)st.c_rx_bytes + (double)st.s_rx_bytes) * 8 / secs / 1e9;
	double cps = opt.profile == GEN_SYN ? srx : (double)st.handshakes / secs;
	const char *prof = opt.profile == GEN_UDP ? "udp" : opt.profile == GEN_TCP ? "tcp" : "syn";
	const char *mode = opt.mode == GEN_MODE_NAT ? "nat" : opt.mode == GEN_MODE_DR ? "dr" : "tunnel";

	if (opt.json) {
		printf("{\"profile\":\"%s\",\"mode\":\"%s\",\"ipv6\":%s,\"flows\":%u,\"size\":%u,\"seconds\":%.3f,"
		       "\"offered_pps\":%.0f,\"tx_pps\":%.0f,\"rx_pps\":%.0f,"
		       "\"server_rx_pps\":%.0f,\"server_tx_pps\":%.0f,\"fwd_pps\":%.0f,\"gbps\":%.3f,\"conns_per_s\":%.0f,"
		       "\"tx_full\":%" PRIu64 ",\"rst\":%" PRIu64 ",\"bad\":%" PRIu64 ",\"unknown\":%" PRIu64 ","
		       "\"lat_p50_us\":%.2f,\"lat_p99_us\":%.2f,\"lat_p999_us\":%.2f,\"lat_max_us\":%.2f}\n",
		       prof, mode, opt.ipv6 ? "true" : "false", opt.flows, opt.size, secs, offered, tx, rx, srx,
		       (double)st.s_tx / secs, rx + srx, gbps, cps,
		       st.c_tx_full, st.rst, st.bad_nat, st.unknown,
		       gen_lat_pct(&st, 50) / 1e3, gen_lat_pct(&st, 99) / 1e3,
		       gen_lat_pct(&st, 99.9) / 1e3, st.lat_max / 1e3);
		return;
	}
	printf("profile %s, %s, %u flows, %u-byte frames, %.2f s measured\n", prof,
	       opt.ipv6 ? "IPv6" : "IPv4", opt.flows, opt.size, secs);
	printf("  client offered  %12.0f pps (%" PRIu64 " refused by a full TX ring)\n",
	       offered, st.c_tx_full);
	printf("  client sent     %12.0f pps\n", tx);
	printf("  backend rx      %12.0f pps  (client->backend, through the DUT)\n", srx);
	printf("  client rx       %12.0f pps  (backend->client, through the DUT)\n", rx);
	printf("  forwarded       %12.0f pps  %.3f Gbps (both directions)\n", rx + srx, gbps);
	if (opt.profile != GEN_UDP)
		printf("  new connections %12.0f /s  (%" PRIu64 " completed, %" PRIu64 " reset)\n",
		       cps, st.conns_done, st.rst);
	printf("  latency (%s) p50 %.2f us  p99 %.2f us  p99.9 %.2f us  max %.2f us\n",
	       opt.mode == GEN_MODE_NAT ? "round trip" : "one way, client to backend",
	       gen_lat_pct(&st, 50) / 1e3, gen_lat_pct(&st, 99) / 1e3,
	       gen_lat_pct(&st, 99.9) / 1e3, st.lat_max / 1e3);
	printf("  bad packets %" PRIu64 ", unrecognised %" PRIu64 "\n", st.bad_nat, st.unknown);
}

int
main(int argc, char **argv)
{
	struct rte_mbuf *in[BURST], *out[BURST * 2];
	uint64_t start, warm_end, end, now, next_tx, gap = 0;
	uint32_t slot = 0, g = 0, opened = 0;
	int ret, measuring = 0;
	double secs;

	ret = rte_eal_init(argc, argv);
	if (ret < 0) {
		fprintf(stderr, "sluice-gen: EAL init failed\n");
		return 1;
	}
	argc -= ret;
	argv += ret;
	if (parse_args(argc, argv) != 0)
		return 1;
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	hz = rte_get_tsc_hz();
	if (rte_eth_dev_count_avail() < 2) {
		fprintf(stderr, "sluice-gen: needs two ports (client side, backend side)\n");
		return 1;
	}
	pool = rte_pktmbuf_pool_create("gen_pool", NB_MBUF, 256, 0,
				       RTE_MBUF_DEFAULT_BUF_SIZE, (int)rte_socket_id());
	if (pool == NULL || port_init(opt.cport, &cmac) != 0 ||
	    port_init(opt.sport, &smac) != 0)
		return 1;
	wait_link(opt.cport);
	wait_link(opt.sport);
	resolve_dut();
	tmpl = gen_tmpl_create(&opt, &cmac, &opt.dut_mac);
	if (tmpl == NULL)
		return 1;
	if (opt.rate != 0)
		gap = hz / opt.rate ? hz / opt.rate : 1;

	start = rte_rdtsc();
	warm_end = start + (uint64_t)(opt.warmup * (double)hz);
	end = warm_end + (uint64_t)(opt.duration * (double)hz);
	next_tx = start;
	while (!stop) {
		uint16_t n, k, i, want;

		now = rte_rdtsc();
		if (!measuring && now >= warm_end) {
			/* measure from here: forget warm-up counts */
			uint64_t ft = st.c_tx_full;

			memset(&st, 0, sizeof(st));
			RTE_SET_USED(ft);
			measuring = 1;
		}
		if (now >= end)
			break;

		/* clients: open or send, paced */
		want = BURST;
		if (gap != 0) {
			if (now < next_tx)
				want = 0;
			else
				want = (uint16_t)RTE_MIN((uint64_t)BURST, (now - next_tx) / gap + 1);
		}
		if (opt.profile == GEN_TCP && opened >= opt.flows)
			want = 0;   /* connections run themselves from here */
		for (k = 0; k < want; k++) {
			uint8_t flags = opt.profile == GEN_UDP ? 0 : RTE_TCP_SYN_FLAG;

			out[k] = new_client_pkt(slot, g, flags, 0, now);
			if (out[k] == NULL)
				break;
			if (opt.profile == GEN_TCP)
				opened++;
			if (++slot == opt.flows) {
				slot = 0;
				if (opt.profile == GEN_SYN)
					g++;   /* every SYN a new client port */
			}
		}
		if (k != 0) {
			tx_burst(opt.cport, out, k, &st.c_tx, &st.c_tx_full);
			next_tx += (uint64_t)k * gap;
		}
		if (gap != 0 && now > next_tx + hz / 100)
			next_tx = now;   /* do not burst to catch up after a stall */

		/* backends */
		n = rte_eth_rx_burst(opt.sport, 0, in, BURST);
		if (n != 0) {
			k = serve(in, n, out, now, measuring);
			if (k != 0)
				tx_burst(opt.sport, out, k, &st.s_tx, &st.s_tx_full);
		}
		/* clients receive */
		n = rte_eth_rx_burst(opt.cport, 0, in, BURST);
		if (n != 0) {
			k = client_rx(in, n, out, now, measuring);
			if (k != 0)
				tx_burst(opt.cport, out, k, &st.c_tx, &st.c_tx_full);
		}
		RTE_SET_USED(i);
	}
	secs = (double)(RTE_MIN(rte_rdtsc(), end) - warm_end) / (double)hz;
	if (secs <= 0)
		secs = 1e-9;
	report(secs);
	fflush(stdout);
	/* a memif peer that goes away while the DUT forwards can crash the
	 * DUT's memif driver (its control thread unmaps the shared regions
	 * under the data path): let the DUT stop first */
	while (opt.hold && !stop)
		rte_delay_ms(10);
	rte_eth_dev_stop(opt.cport);
	rte_eth_dev_stop(opt.sport);
	gen_tmpl_free(tmpl);
	rte_eal_cleanup();
	return st.bad_nat != 0 ? 2 : 0;
}
