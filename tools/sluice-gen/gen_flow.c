/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Client packets from a template: every field that varies per packet
 * (source address and port, TCP sequence and flags, the timestamp) is
 * zero in the template, so a packet's checksums are the template's plus
 * the sum of its varying fields: one fold per checksum, no pass over
 * the payload. Over IPv6 only the last 32 bits of the client address
 * vary (the /96 above them is fixed): the same arithmetic, no IP header
 * checksum.
 */
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>

#include <rte_byteorder.h>
#include <rte_ip.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "sl_pkt.h"
#include "gen.h"

struct gen_tmpl {
	uint32_t len;
	uint8_t proto;
	uint8_t ipv6;
	uint16_t l3_len;       /* 20 or 40 */
	uint16_t src_off;      /* the varying 32 bits of the source address */
	uint16_t ip_sum0;      /* ~checksum of the template IPv4 header */
	uint16_t l4_sum0;      /* ~checksum of the template L4 part */
	uint16_t tcp_word0;    /* data offset / flags word, flags zero */
	uint32_t ts_off;       /* timestamp position in the frame */
	uint32_t ts_len;       /* 6 bytes (48-bit TSC), or fewer if no room */
	uint32_t client_base;  /* host order */
	uint8_t frame[RTE_ETHER_MAX_LEN];
};

#define ETH_L 14
#define IP_L  20
#define IP6_L 40

uint32_t
gen_tmpl_len(const struct gen_tmpl *t)
{
	return t->len;
}

/* The template's IPv6 header and L4 part: the client address with its
 * last 32 bits zero. */
static void
tmpl6(struct gen_tmpl *t, const struct gen_opts *o, struct rte_ipv6_hdr *ip)
{
	uint16_t l4len = (uint16_t)(t->len - ETH_L - IP6_L);
	struct sl_in6 src = o->client6;
	uint8_t *l4 = (uint8_t *)(ip + 1);

	memset(src.b + 12, 0, 4);
	ip->vtc_flow = RTE_BE32(0x60000000);
	ip->payload_len = rte_cpu_to_be_16(l4len);
	ip->proto = t->proto;
	ip->hop_limits = 64;
	memcpy(ip->src_addr, &src, 16);
	memcpy(ip->dst_addr, &o->vip6, 16);
	if (t->proto == IPPROTO_UDP) {
		struct rte_udp_hdr *uh = (struct rte_udp_hdr *)l4;

		uh->dst_port = o->vport;
		uh->dgram_len = rte_cpu_to_be_16(l4len);
		uh->dgram_cksum = sl_l4_csum6(&src, &o->vip6, t->proto, l4, l4len, 6);
		t->l4_sum0 = (uint16_t)~uh->dgram_cksum;
	} else {
		struct rte_tcp_hdr *th = (struct rte_tcp_hdr *)l4;

		th->dst_port = o->vport;
		th->data_off = 5 << 4;
		th->rx_win = RTE_BE16(65535);
		th->cksum = sl_l4_csum6(&src, &o->vip6, t->proto, l4, l4len, 16);
		t->l4_sum0 = (uint16_t)~th->cksum;
		t->tcp_word0 = sl_ld16(&th->data_off);
	}
}

struct gen_tmpl *
gen_tmpl_create(const struct gen_opts *o, const struct rte_ether_addr *src_mac,
		const struct rte_ether_addr *dst_mac)
{
	struct gen_tmpl *t = calloc(1, sizeof(*t));
	struct rte_ether_hdr *eh;
	struct rte_ipv4_hdr *ip;
	uint32_t l4h;

	if (t == NULL)
		return NULL;
	t->proto = o->profile == GEN_UDP ? IPPROTO_UDP : IPPROTO_TCP;
	t->len = o->size - RTE_ETHER_CRC_LEN;
	t->ipv6 = (uint8_t)o->ipv6;
	t->l3_len = o->ipv6 ? IP6_L : IP_L;
	/* IPv4: the source address; IPv6: the last word of it */
	t->src_off = o->ipv6 ? ETH_L + 8 + 12 : ETH_L + 12;
	l4h = t->proto == IPPROTO_UDP ? sizeof(struct rte_udp_hdr) : sizeof(struct rte_tcp_hdr);
	t->client_base = rte_be_to_cpu_32(o->client_base);
	t->ts_off = ETH_L + t->l3_len + l4h;
	t->ts_len = RTE_MIN(6u, t->len - t->ts_off);

	eh = (struct rte_ether_hdr *)t->frame;
	rte_ether_addr_copy(dst_mac, &eh->dst_addr);
	rte_ether_addr_copy(src_mac, &eh->src_addr);
	if (o->ipv6) {
		eh->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV6);
		tmpl6(t, o, (struct rte_ipv6_hdr *)(eh + 1));
		return t;
	}
	eh->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	ip = (struct rte_ipv4_hdr *)(eh + 1);
	ip->version_ihl = 0x45;
	ip->total_length = rte_cpu_to_be_16((uint16_t)(t->len - ETH_L));
	ip->time_to_live = 64;
	ip->next_proto_id = t->proto;
	ip->src_addr = 0;
	ip->dst_addr = o->vip;
	ip->hdr_checksum = sl_ipv4_csum(ip);
	t->ip_sum0 = (uint16_t)~ip->hdr_checksum;
	if (t->proto == IPPROTO_UDP) {
		struct rte_udp_hdr *uh = (struct rte_udp_hdr *)(ip + 1);

		uh->dst_port = o->vport;
		uh->dgram_len = rte_cpu_to_be_16((uint16_t)(t->len - ETH_L - IP_L));
		uh->dgram_cksum = sl_l4_csum(ip, uh);
		t->l4_sum0 = (uint16_t)~uh->dgram_cksum;
	} else {
		struct rte_tcp_hdr *th = (struct rte_tcp_hdr *)(ip + 1);

		th->dst_port = o->vport;
		th->data_off = 5 << 4;
		th->rx_win = RTE_BE16(65535);
		th->cksum = sl_l4_csum(ip, th);
		t->l4_sum0 = (uint16_t)~th->cksum;
		t->tcp_word0 = sl_ld16(&th->data_off);
	}
	return t;
}

void
gen_tmpl_free(struct gen_tmpl *t)
{
	free(t);
}

static inline uint32_t
add32(uint32_t sum, uint32_t v)
{
	return sum + (v & 0xffff) + (v >> 16);
}

void
gen_client_pkt(const struct gen_tmpl *t, uint8_t *f, uint32_t slot, uint32_t g,
	       uint8_t tcp_flags, uint32_t seq, uint64_t tsc)
{
	uint32_t ipsum = t->ip_sum0, l4sum = t->l4_sum0, i;
	uint32_t l4 = ETH_L + t->l3_len;
	rte_be32_t src = rte_cpu_to_be_32(t->client_base + slot / GEN_SLOTS_PER_IP);
	rte_be16_t sport = rte_cpu_to_be_16((uint16_t)(1024 +
		(slot % GEN_SLOTS_PER_IP) * GEN_PORTS_PER_SLOT_GEN +
		g % GEN_PORTS_PER_SLOT_GEN));
	uint16_t c;

	memcpy(f, t->frame, t->len);
	memcpy(f + t->src_off, &src, 4);
	if (!t->ipv6) {
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(f + ETH_L);

		ipsum = add32(ipsum, src);
		c = (uint16_t)~sl_csum_fold(ipsum);
		memcpy(&ip->hdr_checksum, &c, 2);
	}

	l4sum = add32(l4sum, src);          /* pseudo-header */
	memcpy(f + l4, &sport, 2);
	l4sum += sport;
	if (t->proto == IPPROTO_TCP) {
		struct rte_tcp_hdr *th = (struct rte_tcp_hdr *)(f + l4);
		rte_be32_t s = rte_cpu_to_be_32(seq);
		uint16_t w;

		memcpy(&th->sent_seq, &s, 4);
		l4sum = add32(l4sum, s);
		th->tcp_flags = tcp_flags;
		w = sl_ld16(&th->data_off);
		l4sum += (uint16_t)~t->tcp_word0;
		l4sum += w;
	}
	/* 48-bit send time, little-endian bytes, as 16-bit words */
	for (i = 0; i < t->ts_len; i++)
		f[t->ts_off + i] = (uint8_t)(tsc >> (8 * i));
	for (i = 0; i + 1 < t->ts_len; i += 2)
		l4sum += sl_ld16(f + t->ts_off + i);
	c = (uint16_t)~sl_csum_fold(l4sum);
	if (t->proto == IPPROTO_UDP && c == 0)
		c = 0xffff;
	memcpy(f + l4 + (t->proto == IPPROTO_UDP ? 6 : 16), &c, 2);
}

int
gen_slot_of(const struct gen_opts *o, rte_be32_t ip, rte_be16_t port,
	    uint32_t *slot, uint32_t *g)
{
	uint32_t ipoff = rte_be_to_cpu_32(ip) - rte_be_to_cpu_32(o->client_base);
	uint32_t p = rte_be_to_cpu_16(port);
	uint32_t s;

	if (p < 1024)
		return -1;
	p -= 1024;
	if (p >= GEN_SLOTS_PER_IP * GEN_PORTS_PER_SLOT_GEN ||
	    ipoff > UINT32_MAX / GEN_SLOTS_PER_IP)
		return -1;
	s = ipoff * GEN_SLOTS_PER_IP + p / GEN_PORTS_PER_SLOT_GEN;
	if (s >= o->flows)
		return -1;
	*slot = s;
	*g = p % GEN_PORTS_PER_SLOT_GEN;
	return 0;
}

int
gen_slot_of6(const struct gen_opts *o, const struct sl_in6 *ip, rte_be16_t port,
	     uint32_t *slot, uint32_t *g)
{
	rte_be32_t low;

	if (memcmp(ip->b, o->client6.b, 12) != 0)
		return -1;
	memcpy(&low, ip->b + 12, 4);
	return gen_slot_of(o, low, port, slot, g);
}

int
gen_in6_prefix(const struct sl_in6 *a, const struct sl_in6 *net, unsigned len)
{
	unsigned full = len / 8, rest = len % 8;

	if (memcmp(a->b, net->b, full) != 0)
		return 0;
	return rest == 0 ||
	       ((a->b[full] ^ net->b[full]) & (uint8_t)(0xff << (8 - rest))) == 0;
}

/*
 * Latency histogram: 16 ns steps below 1024 ns, then 16 buckets per
 * power of two (about 6% resolution) up to 2^40 ns.
 */
static unsigned
lat_bucket(uint64_t ns)
{
	unsigned e;

	if (ns < 1024)
		return (unsigned)(ns / 16);
	e = 63 - (unsigned)__builtin_clzll(ns);
	if (e > 40)
		return 1023;
	return 64 + (e - 10) * 16 + (unsigned)((ns >> (e - 4)) & 15);
}

static uint64_t
lat_bucket_floor(unsigned b)
{
	unsigned e;

	if (b < 64)
		return (uint64_t)b * 16;
	e = (b - 64) / 16 + 10;
	return (1ULL << e) + ((uint64_t)((b - 64) % 16) << (e - 4));
}

void
gen_lat_add(struct gen_stats *s, uint64_t ns)
{
	s->lat_hist[lat_bucket(ns)]++;
	s->lat_n++;
	if (ns > s->lat_max)
		s->lat_max = ns;
}

uint64_t
gen_lat_pct(const struct gen_stats *s, double pct)
{
	uint64_t want = (uint64_t)((double)s->lat_n * pct / 100.0), acc = 0;
	unsigned b;

	if (s->lat_n == 0)
		return 0;
	for (b = 0; b < 1024; b++) {
		acc += s->lat_hist[b];
		if (acc > want)
			return lat_bucket_floor(b);
	}
	return s->lat_max;
}
