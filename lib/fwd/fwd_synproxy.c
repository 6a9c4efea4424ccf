/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SYN proxy for IPv4 TCP services (synproxy = on | auto): Sluice answers
 * a client's SYN itself with a SYN cookie and keeps nothing; only an ACK
 * that carries a valid cookie opens a connection, whose backend then
 * gets its own handshake from Sluice. From there on the connection's
 * packets are translated: the backend's sequence numbers are not
 * Sluice's cookie, its timestamps are not Sluice's, its window scale
 * need not be the one Sluice offered the client.
 *
 * The cookie (Sluice's ISN, 32 bits): 2 bits of a 64-second counter, 3
 * bits of an MSS table index and 27 bits of SipHash-2-4 over the
 * connection's endpoints, the client's ISN, the counter and the index,
 * keyed with a secret drawn at start. It is good for the counter's
 * current and previous value (64 to 128 s). Window scale and SACK, which
 * the cookie has no room for, ride in the low 6 bits of Sluice's
 * timestamp and come back in the client's echo, as Linux does; without
 * timestamps the connection has neither.
 *
 * Cold code: a connection without SYN proxy never gets here, and the
 * path of a service with it costs one test.
 */
#include <string.h>
#include <netinet/in.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_tcp.h>

#include "fwd_priv.h"

#define SP_PERIOD_S  64          /* seconds per cookie counter step */
#define SP_TRIES     3           /* SYNs to a backend before giving up */
#define SP_WS_NONE   0x0f

#define TCPOPT_EOL   0
#define TCPOPT_NOP   1
#define TCPOPT_MSS   2
#define TCPOPT_WS    3
#define TCPOPT_SACKOK 4
#define TCPOPT_SACK  5
#define TCPOPT_TS    8

/* MSS values a cookie can name: the largest at most the client's */
static const uint16_t sp_mss_tab[8] = { 536, 1200, 1220, 1360, 1400, 1440, 1452, 1460 };

/* ---------- SipHash-2-4 of three 64-bit words ---------- */

#define ROTL64(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))
#define SIPROUND(v0, v1, v2, v3) do { \
	v0 += v1; v1 = ROTL64(v1, 13); v1 ^= v0; v0 = ROTL64(v0, 32); \
	v2 += v3; v3 = ROTL64(v3, 16); v3 ^= v2; \
	v0 += v3; v3 = ROTL64(v3, 21); v3 ^= v0; \
	v2 += v1; v1 = ROTL64(v1, 17); v1 ^= v2; v2 = ROTL64(v2, 32); \
} while (0)

static uint64_t
siphash24(const uint64_t key[2], const uint64_t m[3])
{
	uint64_t v0 = key[0] ^ 0x736f6d6570736575ull, v1 = key[1] ^ 0x646f72616e646f6dull;
	uint64_t v2 = key[0] ^ 0x6c7967656e657261ull, v3 = key[1] ^ 0x7465646279746573ull;
	uint64_t b = (uint64_t)24 << 56;
	unsigned i;

	for (i = 0; i < 3; i++) {
		v3 ^= m[i];
		SIPROUND(v0, v1, v2, v3);
		SIPROUND(v0, v1, v2, v3);
		v0 ^= m[i];
	}
	v3 ^= b;
	SIPROUND(v0, v1, v2, v3);
	SIPROUND(v0, v1, v2, v3);
	v0 ^= b;
	v2 ^= 0xff;
	for (i = 0; i < 4; i++)
		SIPROUND(v0, v1, v2, v3);
	return v0 ^ v1 ^ v2 ^ v3;
}

static uint32_t
cookie_make(const struct sl_worker *w, const struct sl_pkt_info *pi, uint32_t isn,
	    uint64_t t, unsigned mssi)
{
	uint64_t m[3] = {
		(uint64_t)pi->src << 32 | pi->dst,
		(uint64_t)pi->sport << 48 | (uint64_t)pi->dport << 32 | isn,
		t << 8 | mssi,
	};
	uint64_t h = siphash24(w->env->cookie_key, m);

	return (uint32_t)(t & 3) << 30 | (uint32_t)mssi << 27 | (uint32_t)(h & 0x7ffffff);
}

static __rte_always_inline uint64_t
cookie_time(const struct sl_worker *w, uint64_t now)
{
	return now / (w->env->hz * SP_PERIOD_S);
}

/* Sluice's timestamp clock: milliseconds. */
static __rte_always_inline uint32_t
ts_now(const struct sl_worker *w, uint64_t now)
{
	return (uint32_t)(now / (w->env->hz / 1000 ? w->env->hz / 1000 : 1));
}

/* ---------- TCP options ---------- */

struct tcpo {
	uint16_t mss;       /* 0: none */
	uint8_t ws;         /* SP_WS_NONE: none */
	uint8_t sackok;
	uint8_t ts;
	uint32_t tsval, tsecr;
	uint8_t *ts_at;     /* the option's value (after kind and length) */
};

static void
opts_parse(struct rte_tcp_hdr *th, unsigned l4_len, struct tcpo *o)
{
	uint8_t *p = (uint8_t *)(th + 1), *end = (uint8_t *)th + l4_len;

	memset(o, 0, sizeof(*o));
	o->ws = SP_WS_NONE;
	while (p < end && *p != TCPOPT_EOL) {
		unsigned len;

		if (*p == TCPOPT_NOP) {
			p++;
			continue;
		}
		if (p + 1 >= end || p[1] < 2 || p + p[1] > end)
			return;
		len = p[1];
		switch (*p) {
		case TCPOPT_MSS:
			if (len == 4)
				o->mss = (uint16_t)(p[2] << 8 | p[3]);
			break;
		case TCPOPT_WS:
			if (len == 3)
				o->ws = RTE_MIN(p[2], (uint8_t)14);
			break;
		case TCPOPT_SACKOK:
			o->sackok = len == 2;
			break;
		case TCPOPT_TS:
			if (len == 10) {
				rte_be32_t v;

				o->ts = 1;
				memcpy(&v, p + 2, 4);
				o->tsval = rte_be_to_cpu_32(v);
				memcpy(&v, p + 6, 4);
				o->tsecr = rte_be_to_cpu_32(v);
				o->ts_at = p + 2;
			}
			break;
		}
		p += len;
	}
}

/* Options of a SYN or SYN-ACK at @p p: MSS, SACK permitted, timestamps
 * and window scale (@p ws SP_WS_NONE: none), in Linux's order, padded
 * with NOPs to 32-bit words. Returns the length. */
static unsigned
opts_syn(uint8_t *p, uint16_t mss, int sack, int ts, uint32_t tsval, uint32_t tsecr,
	 uint8_t ws)
{
	uint8_t *s = p;
	rte_be32_t v;

	*p++ = TCPOPT_MSS;
	*p++ = 4;
	*p++ = (uint8_t)(mss >> 8);
	*p++ = (uint8_t)mss;
	if (ts) {
		if (sack) {
			*p++ = TCPOPT_SACKOK;
			*p++ = 2;
		} else {
			*p++ = TCPOPT_NOP;
			*p++ = TCPOPT_NOP;
		}
		*p++ = TCPOPT_TS;
		*p++ = 10;
		v = rte_cpu_to_be_32(tsval);
		memcpy(p, &v, 4);
		v = rte_cpu_to_be_32(tsecr);
		memcpy(p + 4, &v, 4);
		p += 8;
	} else if (sack) {
		*p++ = TCPOPT_NOP;
		*p++ = TCPOPT_NOP;
		*p++ = TCPOPT_SACKOK;
		*p++ = 2;
	}
	if (ws != SP_WS_NONE) {
		*p++ = TCPOPT_NOP;
		*p++ = TCPOPT_WS;
		*p++ = 3;
		*p++ = ws;
	}
	return (unsigned)(p - s);
}

/* ---------- frames ---------- */

struct seg {
	rte_be32_t saddr, daddr;
	rte_be16_t sport, dport;
	uint32_t seq, ack;
	uint8_t flags;
	uint16_t win;
	const uint8_t *opts;
	unsigned olen;
};

/* Write an Ethernet + IPv4 + TCP frame (no payload) into @p m, reset;
 * the MAC addresses are the caller's. Returns the TCP header. */
static struct rte_tcp_hdr *
seg_write(struct rte_mbuf *m, const struct seg *s)
{
	uint16_t len = (uint16_t)(RTE_ETHER_HDR_LEN + 20 + 20 + s->olen);
	struct rte_ether_hdr *eh;
	struct rte_ipv4_hdr *ip;
	struct rte_tcp_hdr *th;

	if (m->next != NULL) {
		rte_pktmbuf_free(m->next);
		m->next = NULL;
	}
	rte_pktmbuf_reset(m);
	eh = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	m->data_len = len;
	m->pkt_len = len;
	memset(eh, 0, len);
	eh->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	ip = (struct rte_ipv4_hdr *)(eh + 1);
	ip->version_ihl = 0x45;
	ip->total_length = rte_cpu_to_be_16((uint16_t)(len - RTE_ETHER_HDR_LEN));
	ip->fragment_offset = RTE_BE16(RTE_IPV4_HDR_DF_FLAG);
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_TCP;
	ip->src_addr = s->saddr;
	ip->dst_addr = s->daddr;
	ip->hdr_checksum = sl_ipv4_csum(ip);
	th = (struct rte_tcp_hdr *)(ip + 1);
	th->src_port = s->sport;
	th->dst_port = s->dport;
	th->sent_seq = rte_cpu_to_be_32(s->seq);
	th->recv_ack = rte_cpu_to_be_32(s->ack);
	th->data_off = (uint8_t)((20 + s->olen) / 4 << 4);
	th->tcp_flags = s->flags;
	th->rx_win = rte_cpu_to_be_16(s->win);
	memcpy(th + 1, s->opts, s->olen);
	th->cksum = sl_l4_csum(ip, th);
	return th;
}

/* The SYN Sluice sends connection @p c's backend (again, on a timer). */
static void
syn_send(struct sl_worker *w, const struct sl_snapshot *snap, const struct sl_conn *c,
	 const struct sl_backend *be, const struct sl_sp_conn *st, struct rte_mbuf *m)
{
	uint8_t opts[40];
	uint8_t cws = st->ws & 0x0f;
	uint32_t win = (uint32_t)st->win << (cws == SP_WS_NONE ? 0 : cws);
	struct seg s = {
		.saddr = c->lip, .daddr = c->bip, .sport = c->lport, .dport = c->bport,
		.seq = st->isn, .ack = 0, .flags = RTE_TCP_SYN_FLAG,
		.win = (uint16_t)RTE_MIN(win, 65535u), .opts = opts,
	};

	s.olen = opts_syn(opts, st->mss, st->opt & SL_SP_O_SACK, st->opt & SL_SP_O_TS,
			  st->tsv, 0, cws);
	seg_write(m, &s);
	w->stats.sp_syns++;
	to_backend(w, snap, m, rte_pktmbuf_mtod(m, uint8_t *), be, c->svc);
}

/* A RST to connection @p c's client, from the VIP, at the sequence
 * number it expects (Sluice's ISN + 1), in @p m. */
static void
client_rst(struct sl_worker *w, const struct sl_snapshot *snap, const struct sl_conn *c,
	   uint32_t cookie, struct rte_mbuf *m)
{
	struct seg s = {
		.saddr = c->vip, .daddr = c->cip, .sport = c->vport, .dport = c->cport,
		.seq = cookie + 1, .flags = RTE_TCP_RST_FLAG,
	};
	struct rte_ether_hdr *eh;

	seg_write(m, &s);
	eh = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	rte_ether_addr_copy(&c->cmac, &eh->dst_addr);
	rte_ether_addr_copy(&snap->ports[c->in_port].mac, &eh->src_addr);
	w->stats.rst_sent++;
	tx(w, c->in_port, m);
}

/* ---------- new connections ---------- */

/* Whether a SYN of @p svc gets a cookie: always with synproxy = on; with
 * auto while the service's SYNs on this worker pass its threshold in
 * this second or the last, or the table is three quarters full. */
static int
sp_active(struct sl_worker *w, const struct sl_service *svc, uint64_t now)
{
	struct sl_sp_rate *r = &w->sp_rate[svc->id];
	uint64_t hz = w->env->hz;

	if (svc->synproxy == SL_SYNPROXY_ON)
		return 1;
	if (now - r->start >= hz) {
		r->prev = now - r->start < 2 * hz ? r->n : 0;
		r->n = 0;
		r->start = now;
	}
	r->n++;
	return r->n > svc->sp_threshold || r->prev > svc->sp_threshold ||
	       sl_flow_count(w->flows) >= sl_flow_capacity(w->flows) / 4 * 3;
}

/* Answer SYN @p m with a SYN-ACK whose ISN is a cookie; nothing kept. */
static void
syn_answer(struct sl_worker *w, const struct sl_snapshot *snap, struct rte_mbuf *m,
	   uint8_t *data, const struct sl_pkt_info *pi, uint16_t pidx, uint64_t now)
{
	struct rte_tcp_hdr *th = (struct rte_tcp_hdr *)(data + pi->l2_len + pi->l3_len);
	uint32_t isn = rte_be_to_cpu_32(th->sent_seq);
	struct rte_ether_addr cmac;
	struct rte_ether_hdr *eh;
	struct tcpo o;
	uint8_t opts[40];
	unsigned mssi = 0, i;
	uint16_t mss = (uint16_t)RTE_MIN(w->mtu[pidx] - 40u, 65535u);
	uint32_t tsval = 0;
	struct seg s = {
		.saddr = pi->dst, .daddr = pi->src, .sport = pi->dport, .dport = pi->sport,
		.ack = isn + 1, .flags = RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG, .win = 65535,
		.opts = opts,
	};

	opts_parse(th, pi->l4_len, &o);
	for (i = 0; i < RTE_DIM(sp_mss_tab); i++)
		if (sp_mss_tab[i] <= (o.mss ? o.mss : 536))
			mssi = i;
	s.seq = cookie_make(w, pi, isn, cookie_time(w, now), mssi);
	if (o.ts) {
		/* window scale and SACK ride in the timestamp's low bits */
		tsval = (ts_now(w, now) & ~0x3fu) | (o.sackok ? 0x10u : 0) | o.ws;
		s.olen = opts_syn(opts, mss, o.sackok, 1, tsval, o.tsval,
				  o.ws != SP_WS_NONE ? SL_SP_WS : SP_WS_NONE);
	} else {
		s.olen = opts_syn(opts, mss, 0, 0, 0, 0, SP_WS_NONE);
	}
	rte_ether_addr_copy(&((struct rte_ether_hdr *)data)->src_addr, &cmac);
	seg_write(m, &s);
	eh = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	rte_ether_addr_copy(&cmac, &eh->dst_addr);
	rte_ether_addr_copy(&snap->ports[pidx].mac, &eh->src_addr);
	w->stats.sp_cookies++;
	tx(w, pidx, m);
}

int
sl_fwd_sp_new(struct sl_worker *w, const struct sl_snapshot *snap,
	      const struct sl_service *svc, struct rte_mbuf *m, uint8_t *data,
	      const struct sl_pkt_info *pi, uint16_t pidx, uint64_t now,
	      struct sl_sp_open *o)
{
	uint8_t f = pi->tcp_flags & (RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG | RTE_TCP_RST_FLAG |
				     RTE_TCP_FIN_FLAG);
	struct rte_tcp_hdr *th = (struct rte_tcp_hdr *)(data + pi->l2_len + pi->l3_len);
	uint32_t cookie, isn;
	uint64_t t;
	struct tcpo to;
	unsigned k;

	if (f == RTE_TCP_SYN_FLAG) {
		if (!sp_active(w, svc, now))
			return SP_PASS;
		syn_answer(w, snap, m, data, pi, pidx, now);
		return SP_TAKEN;
	}
	/* an ACK (data may come with it) that would end a handshake */
	if ((f & (RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG | RTE_TCP_RST_FLAG)) != RTE_TCP_ACK_FLAG)
		return SP_PASS;
	cookie = rte_be_to_cpu_32(th->recv_ack) - 1;
	isn = rte_be_to_cpu_32(th->sent_seq) - 1;
	t = cookie_time(w, now);
	for (k = 0; k < 2; k++, t--)
		if ((t & 3) == cookie >> 30 &&
		    cookie_make(w, pi, isn, t, cookie >> 27 & 7) == cookie)
			break;
	if (k == 2) {
		w->svc_stats[svc->id].drops++;
		drop(w, m, SL_DROP_SP_BAD_COOKIE);
		return SP_TAKEN;
	}
	if (w->n_sp_pend == SL_SP_PEND) {
		/* the client's next ACK or data tries again */
		w->svc_stats[svc->id].drops++;
		drop(w, m, SL_DROP_SP_BUSY);
		return SP_TAKEN;
	}
	opts_parse(th, pi->l4_len, &to);
	o->isn = isn;
	o->cookie = cookie;
	o->mss = sp_mss_tab[cookie >> 27 & 7];
	o->win = rte_be_to_cpu_16(th->rx_win);
	o->ws = SP_WS_NONE;
	o->opt = 0;
	o->tsv = 0;
	o->tsecr = 0;
	if (to.ts) {
		o->opt = SL_SP_O_TS | ((to.tsecr & 0x10) ? SL_SP_O_SACK : 0);
		o->ws = (uint8_t)(to.tsecr & 0x0f);
		o->tsv = to.tsval;
		o->tsecr = to.tsecr;
	}
	return SP_OPEN;
}

void
sl_fwd_sp_open(struct sl_worker *w, const struct sl_snapshot *snap, struct sl_conn *c,
	       const struct sl_backend *be, struct rte_mbuf *m, const struct sl_pkt_info *pi,
	       const struct sl_sp_open *o, uint64_t now)
{
	uint32_t idx = sl_flow_index(w->flows, c);
	struct sl_sp_conn *st = &w->sp[idx];
	struct sl_sp_pend *e = &w->sp_pend[w->n_sp_pend];
	struct rte_mbuf *syn;

	st->delta = o->cookie;
	st->tsd = o->tsecr;
	st->tsv = o->tsv;
	st->isn = o->isn;
	st->mss = o->mss;
	st->win = o->win;
	st->ws = (uint8_t)(SP_WS_NONE << 4 | o->ws);
	st->opt = o->opt;
	st->pend = (uint16_t)w->n_sp_pend++;
	c->pp |= SL_SP_ON | SL_SP_PENDING;
	sl_flow_touch(w->flows, c, SL_DIR_ORIG, RTE_TCP_SYN_FLAG, now);
	w->stats.sp_opened++;
	e->idx = idx;
	e->isn = o->cookie;
	e->tries = 0;
	e->due = now + w->env->hz;
	/* data with the ACK waits for the backend; a bare ACK is done */
	if (pi->ip_len > pi->l3_len + pi->l4_len) {
		e->held = m;
		syn = rte_pktmbuf_alloc(m->pool);
	} else {
		e->held = NULL;
		syn = m;
	}
	if (syn != NULL)
		syn_send(w, snap, c, be, st, syn);
}

/* Forget pending entry @p i (its held packet freed unless taken). */
static void
pend_del(struct sl_worker *w, uint32_t i)
{
	struct sl_sp_pend *e = &w->sp_pend[i];

	rte_pktmbuf_free(e->held);
	*e = w->sp_pend[--w->n_sp_pend];
	if (i < w->n_sp_pend)
		w->sp[e->idx].pend = (uint16_t)i;
}

void
sl_fwd_sp_hold(struct sl_worker *w, struct sl_conn *c, struct rte_mbuf *m,
	       const struct sl_pkt_info *pi)
{
	struct sl_sp_conn *st = &w->sp[sl_flow_index(w->flows, c)];
	struct sl_sp_pend *e = &w->sp_pend[st->pend];

	if (e->held == NULL && pi->ip_len > pi->l3_len + pi->l4_len &&
	    !(pi->tcp_flags & (RTE_TCP_SYN_FLAG | RTE_TCP_RST_FLAG))) {
		e->held = m;
		return;
	}
	drop(w, m, SL_DROP_SP_WAIT);
}

int
sl_fwd_sp_synack(struct sl_worker *w, const struct sl_snapshot *snap, struct sl_conn *c,
		 struct rte_mbuf *m, uint8_t *data, const struct sl_pkt_info *pi,
		 uint64_t now, struct rte_mbuf **held)
{
	struct rte_tcp_hdr *th = (struct rte_tcp_hdr *)(data + pi->l2_len + pi->l3_len);
	uint32_t idx = sl_flow_index(w->flows, c);
	struct sl_sp_conn *st = &w->sp[idx];
	const struct sl_backend *be = snap->by_slot[c->be];
	uint8_t f = pi->tcp_flags & (RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG | RTE_TCP_RST_FLAG);
	uint32_t bisn = rte_be_to_cpu_32(th->sent_seq);
	struct sl_pkt_info ai;
	struct rte_mbuf *am;
	uint8_t opts[12], bws;
	struct tcpo o;
	struct seg s;

	*held = NULL;
	if ((f & RTE_TCP_RST_FLAG) && rte_be_to_cpu_32(th->recv_ack) == st->isn + 1) {
		/* the backend refuses: so does Sluice, to the client */
		pend_del(w, st->pend);
		client_rst(w, snap, c, st->delta, m);
		conn_gone(w, c);
		sl_flow_del(w->flows, c);
		return -1;
	}
	if (f != (RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG) ||
	    rte_be_to_cpu_32(th->recv_ack) != st->isn + 1) {
		drop(w, m, SL_DROP_SP_WAIT);
		return 0;
	}
	opts_parse(th, pi->l4_len, &o);
	bws = o.ws == SP_WS_NONE ? 0 : o.ws;
	if ((st->opt & SL_SP_O_TS) && !o.ts)
		st->opt &= (uint8_t)~SL_SP_O_TS;   /* the backend has none: nothing to move */
	st->tsd = (st->opt & SL_SP_O_TS) ? o.tsval - st->tsd : 0;
	st->delta = bisn - st->delta;
	st->ws = (uint8_t)(bws << 4 | (st->ws & 0x0f));
	c->pp &= (uint8_t)~SL_SP_PENDING;
	sl_flow_touch(w->flows, c, SL_DIR_REPLY, f, now);
	*held = w->sp_pend[st->pend].held;
	w->sp_pend[st->pend].held = NULL;
	pend_del(w, st->pend);

	/* the handshake's last ACK, as the client would have sent it to the
	 * backend (a Proxy Protocol header goes with it) */
	am = m;
	memset(&s, 0, sizeof(s));
	s.saddr = c->lip;
	s.daddr = c->bip;
	s.sport = c->lport;
	s.dport = c->bport;
	s.seq = st->isn + 1;
	s.ack = bisn + 1;
	s.flags = RTE_TCP_ACK_FLAG;
	s.win = st->win;
	s.opts = opts;
	if (st->opt & SL_SP_O_TS) {
		rte_be32_t v;

		opts[0] = TCPOPT_NOP;
		opts[1] = TCPOPT_NOP;
		opts[2] = TCPOPT_TS;
		opts[3] = 10;
		v = rte_cpu_to_be_32(st->tsv);
		memcpy(opts + 4, &v, 4);
		v = rte_cpu_to_be_32(o.tsval);
		memcpy(opts + 8, &v, 4);
		s.olen = 12;
	}
	seg_write(am, &s);
	sl_flow_touch(w->flows, c, SL_DIR_ORIG, RTE_TCP_ACK_FLAG, now);
	if (be == NULL) {
		rte_pktmbuf_free(am);
		return 1;
	}
	if (c->pp & SL_PP_VER) {
		struct rte_ether_addr mac;
		uint8_t *d = rte_pktmbuf_mtod(am, uint8_t *);

		memset(&ai, 0, sizeof(ai));
		if (sl_pkt_parse(d, rte_pktmbuf_data_len(am), 0, &ai) == 0 &&
		    sl_neigh_mac(w->env->neigh, be->neigh, &mac)) {
			sl_nat_set_macs(d, &mac, &snap->ports[be->out_port].mac);
			sl_fwd_pp_client(w, c, am, d, &ai, be->out_port, now);
			capture(w, am, c->svc, be->out_port);
			tx(w, be->out_port, am);
			return 1;
		}
	}
	to_backend(w, snap, am, rte_pktmbuf_mtod(am, uint8_t *), be, c->svc);
	return 1;
}

/* ---------- translation of an opened connection ---------- */

void
sl_fwd_sp_client(struct sl_worker *w, const struct sl_conn *c, uint8_t *data,
		 const struct sl_pkt_info *pi)
{
	struct rte_tcp_hdr *th = (struct rte_tcp_hdr *)(data + pi->l2_len + pi->l3_len);
	const struct sl_sp_conn *st = &w->sp[sl_flow_index(w->flows, c)];
	uint8_t *p = (uint8_t *)(th + 1), *end = (uint8_t *)th + pi->l4_len;

	/* what the client acknowledges (and SACKs) is the backend's */
	if (pi->tcp_flags & RTE_TCP_ACK_FLAG)
		tcp_set32(th, &th->recv_ack,
		      rte_be_to_cpu_32(th->recv_ack) + st->delta);
	while (p < end && *p != TCPOPT_EOL) {
		unsigned len, k;

		if (*p == TCPOPT_NOP) {
			p++;
			continue;
		}
		if (p + 1 >= end || p[1] < 2 || p + p[1] > end)
			break;
		len = p[1];
		if (*p == TCPOPT_SACK) {
			for (k = 2; k + 4 <= len; k += 4) {
				rte_be32_t v;

				memcpy(&v, p + k, 4);
				tcp_set32(th, p + k, rte_be_to_cpu_32(v) + st->delta);
			}
		} else if (*p == TCPOPT_TS && len == 10 && (st->opt & SL_SP_O_TS)) {
			rte_be32_t v;

			memcpy(&v, p + 6, 4);
			tcp_set32(th, p + 6, rte_be_to_cpu_32(v) + st->tsd);
		}
		p += len;
	}
}

void
sl_fwd_sp_backend(struct sl_worker *w, const struct sl_conn *c, uint8_t *data,
		  const struct sl_pkt_info *pi)
{
	struct rte_tcp_hdr *th = (struct rte_tcp_hdr *)(data + pi->l2_len + pi->l3_len);
	const struct sl_sp_conn *st = &w->sp[sl_flow_index(w->flows, c)];
	uint8_t cws = st->ws & 0x0f, bws = st->ws >> 4;
	struct tcpo o;

	tcp_set32(th, &th->sent_seq, rte_be_to_cpu_32(th->sent_seq) - st->delta);
	if (cws != SP_WS_NONE && bws != SL_SP_WS) {
		/* the client scales the backend's window by what Sluice
		 * offered it */
		uint32_t win = ((uint32_t)rte_be_to_cpu_16(th->rx_win) << bws) >> SL_SP_WS;
		rte_be16_t nv = rte_cpu_to_be_16((uint16_t)RTE_MIN(win, 65535u));

		th->cksum = sl_csum_update16(th->cksum, th->rx_win, nv);
		th->rx_win = nv;
	}
	if (st->opt & SL_SP_O_TS) {
		opts_parse(th, pi->l4_len, &o);
		if (o.ts)
			tcp_set32(th, o.ts_at, o.tsval - st->tsd);
	}
}

/* ---------- backends that do not answer ---------- */

void
sl_fwd_sp_timers(struct sl_worker *w, const struct sl_snapshot *snap, uint64_t now)
{
	uint32_t i = 0;

	while (i < w->n_sp_pend) {
		struct sl_sp_pend *e = &w->sp_pend[i];
		struct sl_conn *c = sl_flow_at(w->flows, e->idx);
		struct sl_sp_conn *st = &w->sp[e->idx];
		const struct sl_backend *be;
		struct rte_mbuf *m;

		/* gone (expired, flushed) or another connection now */
		if (c->state == SL_CS_NONE || !(c->pp & SL_SP_PENDING) || st->delta != e->isn) {
			pend_del(w, i);
			continue;
		}
		if (now < e->due) {
			i++;
			continue;
		}
		be = snap->by_slot[c->be];
		m = rte_pktmbuf_alloc(w->env->pool);
		if (e->tries + 1 >= SP_TRIES || be == NULL || be->gen != c->be_gen) {
			/* the backend never answered: the client is reset */
			w->stats.sp_timeouts++;
			if (m != NULL)
				client_rst(w, snap, c, e->isn, m);
			pend_del(w, i);
			conn_gone(w, c);
			sl_flow_del(w->flows, c);
			continue;
		}
		e->tries++;
		e->due = now + (w->env->hz << e->tries);
		if (m != NULL)
			syn_send(w, snap, c, be, st, m);
		i++;
	}
}
