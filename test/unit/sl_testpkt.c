/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Independent reference packet builder for the unit tests; see
 * sl_testpkt.h. Every field is written byte by byte in network order and
 * every checksum comes from tp_ref_sum(), so nothing here shares code
 * with lib/.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <netinet/in.h>

#include <rte_icmp.h>
#include <rte_tcp.h>

#include "sl_test.h"
#include "sl_testpkt.h"

/* ---------- reference checksum (network-order words) ---------- */

uint32_t
tp_ref_sum(const uint8_t *p, size_t n, uint32_t sum)
{
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (n & 1)
		sum += (uint32_t)p[n - 1] << 8;
	return sum;
}

uint16_t
tp_ref_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

uint16_t
tp_ref_csum(const uint8_t *p, size_t n)
{
	return (uint16_t)~tp_ref_fold(tp_ref_sum(p, n, 0));
}

void
tp_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

void
tp_put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

uint16_t
tp_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

uint32_t
tp_get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

uint32_t
tp_rnd(uint32_t n)
{
	return n ? sl_test_rand() % n : 0;
}

void
tp_rnd_fill(uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)sl_test_rand();
}

/* ---------- frame builder ---------- */

uint32_t
tp_l4_hdr_len(const struct tp_fspec *s)
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

uint32_t
tp_ref_l4_sum(const uint8_t *f, uint32_t l2)
{
	const uint8_t *ip = f + l2;
	uint32_t ihl = (ip[0] & 0xfu) * 4;
	uint32_t l4len = tp_get16(ip + 2) - ihl;
	uint32_t sum = 0;

	sum = tp_ref_sum(ip + 12, 8, sum);
	sum += ip[9];
	sum += l4len;
	return tp_ref_sum(ip + ihl, l4len, sum);
}

void
tp_fix_ip_csum(uint8_t *f, uint32_t l2)
{
	uint32_t ihl = (f[l2] & 0xfu) * 4;

	tp_put16(f + l2 + 10, 0);
	tp_put16(f + l2 + 10, tp_ref_csum(f + l2, ihl));
}

uint32_t
tp_build_frame(const struct tp_fspec *s, uint8_t *f,
	       struct tp_flayout *lo)
{
	uint32_t l2 = s->vlan ? 18 : 14;
	uint32_t ihl = 20u + s->ip_opt_len;
	uint32_t l4h = tp_l4_hdr_len(s);
	uint32_t ip_len = ihl + l4h + s->payload_len;
	uint8_t *ip = f + l2, *l4 = f + l2 + ihl;
	uint16_t c;

	memcpy(f, s->dmac, 6);
	memcpy(f + 6, s->smac, 6);
	if (s->vlan) {
		tp_put16(f + 12, 0x8100);
		tp_put16(f + 14, s->tci);
		tp_put16(f + 16, s->etype);
	} else {
		tp_put16(f + 12, s->etype);
	}
	ip[0] = (uint8_t)(0x40 | ihl / 4);
	ip[1] = s->tos;
	tp_put16(ip + 2, (uint16_t)ip_len);
	tp_put16(ip + 4, s->ip_id);
	tp_put16(ip + 6, s->frag);
	ip[8] = s->ttl;
	ip[9] = s->proto;
	tp_put16(ip + 10, 0);
	tp_put32(ip + 12, s->src);
	tp_put32(ip + 16, s->dst);
	memcpy(ip + 20, s->ip_opt, s->ip_opt_len);
	tp_put16(ip + 10, tp_ref_csum(ip, ihl));

	switch (s->proto) {
	case IPPROTO_TCP:
		tp_put16(l4, s->sport);
		tp_put16(l4 + 2, s->dport);
		tp_put32(l4 + 4, s->seq);
		tp_put32(l4 + 8, s->ack);
		l4[12] = (uint8_t)((l4h / 4) << 4);
		l4[13] = s->tcp_flags;
		tp_put16(l4 + 14, s->win);
		tp_put16(l4 + 16, 0);
		tp_put16(l4 + 18, 0);
		memcpy(l4 + 20, s->tcp_opt, s->tcp_opt_len);
		break;
	case IPPROTO_UDP:
		tp_put16(l4, s->sport);
		tp_put16(l4 + 2, s->dport);
		tp_put16(l4 + 4, (uint16_t)(l4h + s->payload_len));
		tp_put16(l4 + 6, 0);
		break;
	case IPPROTO_ICMP:
		l4[0] = s->icmp_type;
		l4[1] = s->icmp_code;
		tp_put16(l4 + 2, 0);
		tp_put16(l4 + 4, s->sport);
		tp_put16(l4 + 6, s->dport);
		break;
	default:
		break;
	}
	memcpy(l4 + l4h, s->payload, s->payload_len);

	switch (s->proto) {
	case IPPROTO_TCP:
		tp_put16(l4 + 16, (uint16_t)~tp_ref_fold(tp_ref_l4_sum(f, l2)));
		break;
	case IPPROTO_UDP:
		if (!s->udp_no_csum) {
			c = (uint16_t)~tp_ref_fold(tp_ref_l4_sum(f, l2));
			tp_put16(l4 + 6, c ? c : 0xffff);
		}
		break;
	case IPPROTO_ICMP:
		tp_put16(l4 + 2, tp_ref_csum(l4, l4h + s->payload_len));
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

void
tp_spec_default(struct tp_fspec *s, uint8_t proto)
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

void
tp_spec_ip_opts(struct tp_fspec *s, uint8_t len)
{
	unsigned i;

	s->ip_opt_len = len;
	for (i = 0; i < len; i++)
		s->ip_opt[i] = i + 1 < len ? (uint8_t)(0x80 + i) : 0; /* EOL last */
	if (len >= 4)
		s->ip_opt[0] = 1; /* NOP */
}

void
tp_force_zero_csum(struct tp_fspec *s)
{
	static uint8_t g[TP_MAX_FRAME];
	struct tp_fspec t = *s;
	struct tp_flayout lo;
	uint16_t sum, x;

	t.payload[0] = 0;
	t.payload[1] = 0;
	tp_build_frame(&t, g, &lo);
	tp_put16(g + lo.l4 + (t.proto == IPPROTO_TCP ? 16 : 6), 0);
	sum = tp_ref_fold(tp_ref_l4_sum(g, lo.l2));
	x = (uint16_t)(0xffff - sum);
	s->payload[0] = (uint8_t)(x >> 8);
	s->payload[1] = (uint8_t)x;
}

uint32_t
tp_spec_icmp_err(struct tp_fspec *s, uint8_t type, uint8_t code, uint32_t rest,
		 const struct tp_fspec *inner, uint32_t qlen)
{
	static uint8_t g[TP_MAX_FRAME];
	struct tp_flayout lo;

	tp_build_frame(inner, g, &lo);
	if (qlen == 0 || qlen > lo.ip_len)
		qlen = lo.ip_len;
	if (qlen > sizeof(s->payload))
		qlen = sizeof(s->payload);
	tp_spec_default(s, IPPROTO_ICMP);
	s->icmp_type = type;
	s->icmp_code = code;
	s->sport = (uint16_t)(rest >> 16);
	s->dport = (uint16_t)rest;
	s->payload_len = (uint16_t)qlen;
	memcpy(s->payload, g + lo.l2, qlen);
	return qlen;
}

/* ---------- IPv6 frames ---------- */

uint32_t
tp6_l4_hdr_len(const struct tp6_fspec *s)
{
	switch (s->proto) {
	case IPPROTO_TCP:
		return 20u + s->tcp_opt_len;
	case IPPROTO_UDP:
	case TP_IPPROTO_ICMPV6:
		return 8;
	default:
		return 0;
	}
}

uint32_t
tp6_csum_off(uint8_t proto)
{
	return proto == IPPROTO_TCP ? 16 : proto == IPPROTO_UDP ? 6 : 2;
}

uint32_t
tp6_ref_l4_sum(const uint8_t *f, const struct tp_flayout *lo, uint8_t proto)
{
	const uint8_t *ip = f + lo->l2;
	uint32_t n = 40u + tp_get16(ip + 4) - (lo->l4 - lo->l2);
	uint32_t sum;

	sum = tp_ref_sum(ip + 8, 32, 0);
	sum += n >> 16;
	sum += n & 0xffff;
	sum += proto;
	return tp_ref_sum(f + lo->l4, n, sum);
}

void
tp6_fix_l4_csum(uint8_t *f, const struct tp_flayout *lo, uint8_t proto)
{
	uint8_t *c = f + lo->l4 + tp6_csum_off(proto);
	uint16_t v;

	tp_put16(c, 0);
	v = (uint16_t)~tp_ref_fold(tp6_ref_l4_sum(f, lo, proto));
	if (v == 0 && proto == IPPROTO_UDP)
		v = 0xffff;
	tp_put16(c, v);
}

uint32_t
tp6_build_frame(const struct tp6_fspec *s, uint8_t *f, struct tp_flayout *lo)
{
	struct tp_flayout l;
	uint32_t l2 = s->vlan ? 18 : 14, off = 40, i, k;
	uint32_t l4h = tp6_l4_hdr_len(s);
	uint8_t *ip = f + l2, *l4, *nh = ip + 6;

	memcpy(f, s->dmac, 6);
	memcpy(f + 6, s->smac, 6);
	if (s->vlan) {
		tp_put16(f + 12, 0x8100);
		tp_put16(f + 14, s->tci);
		tp_put16(f + 16, 0x86dd);
	} else {
		tp_put16(f + 12, 0x86dd);
	}
	tp_put32(ip, 6u << 28 | (uint32_t)s->tclass << 20 | (s->flow & 0xfffff));
	ip[7] = s->hlim;
	memcpy(ip + 8, s->src, 16);
	memcpy(ip + 24, s->dst, 16);
	for (k = 0; k < s->n_ext && k < TP6_EXT_MAX; k++) {
		const struct tp6_ext *e = &s->ext[k];

		*nh = e->type;
		nh = ip + off;
		ip[off + 1] = (uint8_t)(e->len / 8 - 1);
		for (i = 2; i < e->len; i++)
			ip[off + i] = e->data[(i - 2) % sizeof(e->data)];
		off += e->len;
	}
	*nh = s->proto;
	l4 = ip + off;
	tp_put16(ip + 4, (uint16_t)(off - 40 + l4h + s->payload_len));

	switch (s->proto) {
	case IPPROTO_TCP:
		tp_put16(l4, s->sport);
		tp_put16(l4 + 2, s->dport);
		tp_put32(l4 + 4, s->seq);
		tp_put32(l4 + 8, s->ack);
		l4[12] = (uint8_t)((l4h / 4) << 4);
		l4[13] = s->tcp_flags;
		tp_put16(l4 + 14, s->win);
		tp_put16(l4 + 16, 0);
		tp_put16(l4 + 18, 0);
		memcpy(l4 + 20, s->tcp_opt, s->tcp_opt_len);
		break;
	case IPPROTO_UDP:
		tp_put16(l4, s->sport);
		tp_put16(l4 + 2, s->dport);
		tp_put16(l4 + 4, (uint16_t)(l4h + s->payload_len));
		tp_put16(l4 + 6, 0);
		break;
	case TP_IPPROTO_ICMPV6:
		l4[0] = s->icmp_type;
		l4[1] = s->icmp_code;
		tp_put16(l4 + 2, 0);
		tp_put16(l4 + 4, s->sport);
		tp_put16(l4 + 6, s->dport);
		break;
	default:
		break;
	}
	memcpy(l4 + l4h, s->payload, s->payload_len);
	memcpy(l4 + l4h + s->payload_len, s->pad, s->pad_len);

	l.l2 = l2;
	l.ihl = off;
	l.l4 = l2 + off;
	l.l4_hlen = l4h;
	l.ip_len = off + l4h + s->payload_len;
	l.len = l2 + l.ip_len + s->pad_len;
	if (l4h != 0 && !(s->proto == IPPROTO_UDP && s->udp_zero_csum))
		tp6_fix_l4_csum(f, &l, s->proto);
	if (lo != NULL)
		*lo = l;
	return l.len;
}

void
tp6_spec_default(struct tp6_fspec *s, uint8_t proto)
{
	static const uint8_t dmac[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 };
	static const uint8_t smac[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x02 };
	static const uint8_t src[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 0x01 };
	static const uint8_t dst[16] = { 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01,
					 [14] = 0x01, [15] = 0x00 };
	unsigned i;

	memset(s, 0, sizeof(*s));
	memcpy(s->dmac, dmac, 6);
	memcpy(s->smac, smac, 6);
	memcpy(s->src, src, 16);
	memcpy(s->dst, dst, 16);
	s->hlim = 64;
	s->tclass = 0x10;
	s->flow = 0x12345;
	s->proto = proto;
	s->sport = 40000;
	s->dport = 80;
	s->seq = 0x01020304;
	s->ack = 0x0a0b0c0d;
	s->win = 65535;
	s->tcp_flags = RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG;
	s->icmp_type = 128;
	s->payload_len = 37;
	for (i = 0; i < sizeof(s->payload); i++)
		s->payload[i] = (uint8_t)(i * 7 + 3);
}

void
tp6_add_ext(struct tp6_fspec *s, uint8_t type, uint16_t len)
{
	struct tp6_ext *e;
	unsigned i;

	if (s->n_ext >= TP6_EXT_MAX)
		return;
	e = &s->ext[s->n_ext++];
	e->type = type;
	e->len = len;
	for (i = 0; i < sizeof(e->data); i++)
		e->data[i] = (uint8_t)(0x11 * (i + 1));
	/* options headers start with one PadN option (type 1) covering the
	 * header; routing headers have no segments left */
	if (type == 0 || type == 60) {
		e->data[0] = 1;
		e->data[1] = (uint8_t)(len - 4);
		memset(e->data + 2, 0, sizeof(e->data) - 2);
	} else if (type == 43) {
		e->data[0] = 4;   /* routing type (segment routing) */
		e->data[1] = 0;   /* segments left */
	}
}
