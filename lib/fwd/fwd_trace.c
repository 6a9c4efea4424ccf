/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Tracing the packet path (see sl_fwd_trace.h): one packet at a time,
 * its verdict read off the counters and the connection table before and
 * after it, and the live trace's filter over a burst.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <rte_ether.h>

#include "sl_fwd.h"
#include "sl_fwd_trace.h"
#include "fwd_priv.h"

static const char *const fate_names[SL_FATE_MAX] = {
	[SL_FATE_FORWARDED] = "forwarded",
	[SL_FATE_DROPPED] = "dropped",
	[SL_FATE_REFUSED] = "refused",
	[SL_FATE_RESET] = "reset",
	[SL_FATE_REDIRECTED] = "redirected",
	[SL_FATE_NEXT_HOP] = "waits for its next hop",
	[SL_FATE_SLOWPATH] = "to the management lcore",
	[SL_FATE_KERNEL] = "to the kernel",
	[SL_FATE_ANSWERED] = "answered",
	[SL_FATE_KEPT] = "kept",
};

const char *
sl_fate_name(unsigned fate)
{
	return fate < SL_FATE_MAX ? fate_names[fate] : "?";
}

static void
mapped(struct sl_in6 *a, rte_be32_t ip)
{
	memset(a, 0, sizeof(*a));
	a->b[10] = a->b[11] = 0xff;
	memcpy(&a->b[12], &ip, 4);
}

static int
is_mapped(const struct sl_in6 *a)
{
	static const uint8_t pfx[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

	return memcmp(a->b, pfx, sizeof(pfx)) == 0;
}

/* What the packet is: addresses, ports, its service (a VIP's), its
 * connection before it passes; 0 when it is not an IP packet Sluice
 * parses. */
struct before {
	struct sl_flow_key k;
	struct sl_flow6_key k6;
	const struct sl_service *svc;
	int had_conn;
	int aff;                /* the client had an affinity ... */
	uint16_t aff_slot;      /* ... to this backend slot */
};

static void
peek(struct sl_worker *w, const struct sl_snapshot *snap, const struct rte_mbuf *m,
     uint64_t now, struct sl_fwd_verdict *v, struct before *b)
{
	const uint8_t *data = rte_pktmbuf_mtod(m, const uint8_t *);
	uint32_t len = rte_pktmbuf_data_len(m);
	struct sl_pkt_info pi;
	struct sl_pkt6_info pi6;
	uint32_t gen;
	int dir;

	if (sl_pkt_parse(data, len, 0, &pi) != 0) {
		/* malformed: its addresses still say whose it is, when an
		 * IPv4 header is there to read them from */
		uint32_t off = RTE_ETHER_HDR_LEN + (len >= 18 && data[12] == 0x81 && data[13] == 0 ? 4 : 0);

		if (len >= off + 20 && data[off - 2] == 0x08 && data[off - 1] == 0x00 &&
		    (data[off] >> 4) == 4) {
			rte_be32_t s, d;

			/* (a frame need not be aligned: copied, not cast) */
			memcpy(&s, data + off + 12, 4);
			memcpy(&d, data + off + 16, 4);
			v->parsed = 1;
			v->proto = data[off + 9];
			mapped(&v->src, s);
			mapped(&v->dst, d);
			if ((v->proto == IPPROTO_TCP || v->proto == IPPROTO_UDP) &&
			    len >= off + (data[off] & 0xfu) * 4u + 4) {
				const uint8_t *l4 = data + off + (data[off] & 0xfu) * 4u;

				v->sport = (uint16_t)(l4[0] << 8 | l4[1]);
				v->dport = (uint16_t)(l4[2] << 8 | l4[3]);
			}
		}
		return;
	}
	if (pi.kind == SL_PKT_IPV4) {
		v->parsed = 1;
		v->proto = pi.proto;
		v->tcp_flags = pi.tcp_flags;
		mapped(&v->src, pi.src);
		mapped(&v->dst, pi.dst);
		v->sport = rte_be_to_cpu_16(pi.sport);
		v->dport = rte_be_to_cpu_16(pi.dport);
		if (pi.proto == IPPROTO_ICMP)
			return;
		b->k = (struct sl_flow_key){ .src = pi.src, .dst = pi.dst, .sport = pi.sport,
					     .dport = pi.dport, .proto = pi.proto };
		if (sl_svc_is_vip(snap, pi.dst))
			b->svc = sl_svc_lookup(snap, pi.dst, pi.dport, pi.proto);
		b->had_conn = sl_flow_lookup(w->flows, &b->k, &dir) != NULL;
		if (b->svc != NULL && b->svc->persist_s != 0)
			b->aff = sl_persist_lookup(w->persist, b->svc->id, pi.src, now,
						   &b->aff_slot, &gen);
	} else if (pi.kind == SL_PKT_IPV6) {
		pi6.l2_len = pi.l2_len;
		if (sl_pkt_parse6(data, len, 0, &pi6) != 0)
			return;
		v->parsed = v->v6 = 1;
		v->proto = pi6.proto;
		v->tcp_flags = pi6.tcp_flags;
		v->src = pi6.src;
		v->dst = pi6.dst;
		v->sport = rte_be_to_cpu_16(pi6.sport);
		v->dport = rte_be_to_cpu_16(pi6.dport);
		if (pi6.proto != IPPROTO_TCP && pi6.proto != IPPROTO_UDP)
			return;
		b->k6 = (struct sl_flow6_key){ .src = pi6.src, .dst = pi6.dst,
					       .sport = pi6.sport, .dport = pi6.dport,
					       .proto = pi6.proto };
		b->svc = sl_svc_lookup6(snap, &pi6.dst, pi6.dport, pi6.proto);
		b->had_conn = w->flows6 != NULL && sl_flow6_lookup(w->flows6, &b->k6, &dir) != NULL;
	}
}

/* What connection @p c (IPv6, or IPv4 with mapped addresses) says of a
 * packet of direction @p dir: service, backend, state, and the addresses
 * it was rewritten to (none in dr/tunnel modes). */
static void
from_conn(struct sl_fwd_verdict *v, const struct sl_conn6 *c, int dir)
{
	int fn = c->mode == SL_MODE_FULLNAT;

	v->svc = (int16_t)c->svc;
	v->be = (int16_t)c->be;
	v->be_gen = c->be_gen;
	v->dir = (uint8_t)dir;
	v->mode = c->mode;
	v->state = c->state;
	if (SL_MODE_ONEWAY(c->mode))
		return;
	v->rewritten = 1;
	v->nsrc = dir == SL_DIR_ORIG ? (fn ? c->lip : c->cip) : c->vip;
	v->nsport = rte_be_to_cpu_16(dir == SL_DIR_ORIG ? (fn ? c->lport : c->cport) : c->vport);
	v->ndst = dir == SL_DIR_ORIG ? c->bip : c->cip;
	v->ndport = rte_be_to_cpu_16(dir == SL_DIR_ORIG ? c->bport : c->cport);
}

/* The connection the packet belongs to after it passed. */
static void
conn_after(struct sl_worker *w, const struct before *b, struct sl_fwd_verdict *v)
{
	const struct sl_conn6 *c6;
	int dir;

	if (!v->v6) {
		const struct sl_conn *c = sl_flow_lookup(w->flows, &b->k, &dir);
		struct sl_conn6 m;

		if (c == NULL)
			return;
		/* the IPv4 record's fields, its addresses mapped */
		memset(&m, 0, sizeof(m));
		mapped(&m.cip, c->cip);
		mapped(&m.vip, c->vip);
		mapped(&m.bip, c->bip);
		mapped(&m.lip, c->lip);
		m.cport = c->cport;
		m.vport = c->vport;
		m.bport = c->bport;
		m.lport = c->lport;
		m.svc = c->svc;
		m.be = c->be;
		m.be_gen = c->be_gen;
		m.mode = c->mode;
		m.state = c->state;
		from_conn(v, &m, dir);
		return;
	}
	if (w->flows6 != NULL && (c6 = sl_flow6_lookup(w->flows6, &b->k6, &dir)) != NULL)
		from_conn(v, c6, dir);
}

#define GREW(f) (w->stats.f != st.f)

void
sl_fwd_trace_one(struct sl_worker *w, const struct sl_snapshot *snap,
		 struct rte_mbuf *m, int pidx, uint64_t now, struct sl_fwd_verdict *v)
{
	static __thread struct sl_obj_stats sv[SL_MAX_SERVICES];
	static __thread struct sl_obj_stats bv[SL_SCHED_MAX_BACKENDS];
	uint16_t txlen[SL_MAX_PORTS];
	struct sl_worker_stats st;
	struct before b = { 0 };
	unsigned i, nb = 0;
	int d;

	memset(v, 0, sizeof(*v));
	v->tsc = now;
	v->worker = (uint8_t)w->id;
	v->in_port = (uint8_t)(pidx >= 0 ? pidx : w->env->port_index[m->port]);
	v->out_port = 0xff;
	v->svc = v->be = -1;
	v->dir = 2;
	peek(w, snap, m, now, v, &b);

	st = w->stats;
	memcpy(sv, w->svc_stats, snap->n_services * sizeof(sv[0]));
	if (b.svc != NULL) {
		nb = RTE_MIN(b.svc->n_backends, (uint16_t)SL_SCHED_MAX_BACKENDS);
		for (i = 0; i < nb; i++)
			bv[i] = w->be_stats[b.svc->backends[i].slot];
	}
	for (i = 0; i < w->env->n_ports; i++)
		txlen[i] = w->txb[i]->length;

	sl_fwd_burst(w, snap, &m, 1, pidx, now);

	for (d = 1; d < SL_DROP_MAX; d++)
		if (w->stats.drops[d] != st.drops[d]) {
			v->drop = (uint8_t)d;
			break;
		}
	if (GREW(conns_flushed))
		v->fate = SL_FATE_RESET;
	else if (v->drop != 0)
		v->fate = GREW(rst_sent) ? SL_FATE_REFUSED : SL_FATE_DROPPED;
	else if (GREW(redirected))
		v->fate = SL_FATE_REDIRECTED;
	else if (GREW(sp_cookies) || GREW(icmp_echo))
		v->fate = SL_FATE_ANSWERED;
	else if (GREW(slowpath))
		v->fate = w->mgmt_tag == SL_MGMT_SLOWPATH ? SL_FATE_SLOWPATH :
			(w->mgmt_tag & 0xffff0000u) == SL_MGMT_KERNEL ? SL_FATE_KERNEL :
			SL_FATE_NEXT_HOP;
	else if (GREW(tx_pkts))
		v->fate = SL_FATE_FORWARDED;
	else
		v->fate = SL_FATE_KEPT;
	for (i = 0; i < w->env->n_ports; i++)
		if (w->txb[i]->length != txlen[i]) {
			v->out_port = (uint8_t)i;
			break;
		}
	/* the service whose counters moved, else the VIP's */
	for (i = 0; i < snap->n_services; i++)
		if (memcmp(&sv[i], &w->svc_stats[i], sizeof(sv[i])) != 0) {
			v->svc = (int16_t)i;
			break;
		}
	if (v->svc < 0 && b.svc != NULL)
		v->svc = (int16_t)b.svc->id;
	if (b.svc != NULL)
		v->dir = SL_DIR_ORIG;
	if (v->parsed && (v->proto == IPPROTO_TCP || v->proto == IPPROTO_UDP) &&
	    v->fate != SL_FATE_REDIRECTED)
		conn_after(w, &b, v);
	/* no record (forwarded by hash, a RST passing): the backend whose
	 * counters moved */
	if (v->be < 0 && b.svc != NULL)
		for (i = 0; i < nb; i++) {
			const struct sl_obj_stats *now_s = &w->be_stats[b.svc->backends[i].slot];

			if (now_s->pkts_in != bv[i].pkts_in || now_s->conns_total != bv[i].conns_total) {
				v->be = (int16_t)b.svc->backends[i].slot;
				v->be_gen = b.svc->backends[i].gen;
				break;
			}
		}
	v->new_conn = GREW(conns_created);
	if (v->be >= 0 && (v->new_conn || GREW(stateless))) {
		if (GREW(conns_midstream))
			v->why = SL_WHY_MIDSTREAM;
		else if (GREW(stateless))
			v->why = SL_WHY_STATELESS;
		else if (GREW(sp_opened))
			v->why = SL_WHY_COOKIE;
		else if (b.aff && b.aff_slot == (uint16_t)v->be)
			v->why = SL_WHY_AFFINITY;
		else
			v->why = SL_WHY_SCHED;
		if (b.svc != NULL)
			v->hash = v->v6 ? sched_hash6(b.svc, &b.k6) : sched_hash(b.svc, &b.k);
	} else if (v->be >= 0 && b.had_conn) {
		v->why = SL_WHY_CONN;
	} else if (v->be >= 0 && v->dir == SL_DIR_REPLY) {
		v->why = SL_WHY_CONN;
	}
}

/* ---- the live trace ---- */

/*
 * Whether @p m is for the trace: from or to its client, or for its
 * service (to the VIP and port, or from one of its backends). A look at
 * the IP header and the ports only, before anything is validated (a
 * malformed packet that matches is traced too, and its verdict says why
 * it was dropped).
 */
static int
trace_match(const struct sl_fwd_trace_ctl *tc, const struct sl_snapshot *snap,
	    const struct rte_mbuf *m)
{
	const uint8_t *d = rte_pktmbuf_mtod(m, const uint8_t *);
	uint32_t len = rte_pktmbuf_data_len(m), off = RTE_ETHER_HDR_LEN, l4;
	struct sl_in6 src, dst;
	const struct sl_service *svc;
	uint16_t et, sport = 0, dport = 0;
	uint8_t proto;
	unsigned i;

	if (len < off + 4)
		return 0;
	et = (uint16_t)(d[12] << 8 | d[13]);
	if (et == RTE_ETHER_TYPE_VLAN) {
		et = (uint16_t)(d[16] << 8 | d[17]);
		off += 4;
	}
	if (et == RTE_ETHER_TYPE_IPV4 && len >= off + 20) {
		rte_be32_t s, t;

		memcpy(&s, d + off + 12, 4);
		memcpy(&t, d + off + 16, 4);
		mapped(&src, s);
		mapped(&dst, t);
		proto = d[off + 9];
		l4 = off + (d[off] & 0xfu) * 4u;
	} else if (et == RTE_ETHER_TYPE_IPV6 && len >= off + 40) {
		memcpy(src.b, d + off + 8, 16);
		memcpy(dst.b, d + off + 24, 16);
		proto = d[off + 6];
		l4 = off + 40;
	} else {
		return 0;
	}
	if ((proto == IPPROTO_TCP || proto == IPPROTO_UDP) && len >= l4 + 4) {
		sport = (uint16_t)(d[l4] << 8 | d[l4 + 1]);
		dport = (uint16_t)(d[l4 + 2] << 8 | d[l4 + 3]);
	}
	if (tc->svc < 0)
		return sl_in6_eq(&src, &tc->client) || sl_in6_eq(&dst, &tc->client);
	if (tc->svc >= snap->n_services || !snap->services[tc->svc].used)
		return 0;
	svc = &snap->services[tc->svc];
	if (proto == svc->proto && dport == rte_be_to_cpu_16(svc->port)) {
		struct sl_in6 vip;

		if (svc->v6)
			vip = svc->vip6;
		else
			mapped(&vip, svc->vip);
		if (sl_in6_eq(&dst, &vip))
			return 1;
	}
	for (i = 0; i < svc->n_backends; i++) {
		const struct sl_backend *be = &svc->backends[i];
		struct sl_in6 a;

		if (be->v6)
			a = be->addr6;
		else
			mapped(&a, be->addr);
		if (sl_in6_eq(&src, &a) && sport == rte_be_to_cpu_16(be->port))
			return 1;
	}
	return 0;
}

void
sl_fwd_trace_burst(struct sl_worker *w, const struct sl_snapshot *snap,
		   struct rte_mbuf **pkts, unsigned n, int pidx, uint64_t now)
{
	const struct sl_fwd_trace_ctl *tc = &w->env->trace;
	uint32_t gen = __atomic_load_n(&tc->gen, __ATOMIC_ACQUIRE);
	unsigned i, start = 0;

	if (w->trace_gen != gen) {
		w->trace_gen = gen;
		w->traced = 0;
	}
	for (i = 0; i < n && w->traced < tc->max; i++) {
		struct sl_fwd_verdict v;

		if (!trace_match(tc, snap, pkts[i]))
			continue;
		/* what came before it goes first, as a burst */
		if (i > start)
			sl_fwd_burst(w, snap, pkts + start, i - start, pidx, now);
		sl_fwd_trace_one(w, snap, pkts[i], pidx, now, &v);
		v.gen = (uint8_t)gen;
		w->traced++;
		if (rte_ring_sp_enqueue_elem(w->trace_ring, &v, sizeof(v)) != 0)
			w->stats.trace_lost++;
		start = i + 1;
	}
	if (n > start)
		sl_fwd_burst(w, snap, pkts + start, n - start, pidx, now);
}

/* ---- formatting ---- */

static int
addr_port(char *buf, size_t len, const struct sl_in6 *a, uint16_t port, int with_port)
{
	char s[INET6_ADDRSTRLEN];

	if (is_mapped(a)) {
		inet_ntop(AF_INET, &a->b[12], s, sizeof(s));
		return with_port ? snprintf(buf, len, "%s:%u", s, port) : snprintf(buf, len, "%s", s);
	}
	inet_ntop(AF_INET6, a->b, s, sizeof(s));
	return with_port ? snprintf(buf, len, "[%s]:%u", s, port) : snprintf(buf, len, "%s", s);
}

static const char *
proto_name(uint8_t p, int v6)
{
	switch (p) {
	case IPPROTO_TCP: return "tcp";
	case IPPROTO_UDP: return "udp";
	case IPPROTO_ICMP: return "icmp";
	case IPPROTO_ICMPV6: return v6 ? "icmp6" : "icmp";
	default: return "ip";
	}
}

static void
tcp_flags_str(uint8_t f, char *s)
{
	static const char names[] = "FSRPAUEC";
	unsigned i, k = 0;

	for (i = 0; i < 8; i++)
		if (f & (1u << i))
			s[k++] = names[i];
	s[k] = '\0';
}

/* Bounded appends: the line is cut, never overrun. */
struct line {
	char *buf;
	size_t len, off;
};

static void __attribute__((format(printf, 2, 3)))
put(struct line *l, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (l->off >= l->len)
		return;
	va_start(ap, fmt);
	n = vsnprintf(l->buf + l->off, l->len - l->off, fmt, ap);
	va_end(ap);
	if (n > 0)
		l->off += (size_t)n;
}

static const char *
port_name(const struct sl_snapshot *snap, unsigned p)
{
	return p < snap->n_ports ? snap->ports[p].name : "?";
}

/* The backend a verdict names, if the snapshot still has it. */
static const struct sl_backend *
backend_of(const struct sl_fwd_verdict *v, const struct sl_snapshot *snap)
{
	const struct sl_backend *be;

	if (v->be < 0 || v->be >= SL_MAX_BACKENDS)
		return NULL;
	be = snap->by_slot[v->be];
	return be != NULL && be->gen == v->be_gen ? be : NULL;
}

static void
put_backend(struct line *l, const struct sl_backend *be)
{
	struct sl_in6 a;
	char s[64];

	if (be->v6)
		a = be->addr6;
	else
		mapped(&a, be->addr);
	addr_port(s, sizeof(s), &a, rte_be_to_cpu_16(be->port), 1);
	put(l, "%s", s);
}

/* The backends a new connection could not go to, and why. */
static void
put_unusable(struct line *l, const struct sl_service *svc)
{
	unsigned i, n = 0;

	for (i = 0; i < svc->n_backends; i++) {
		const struct sl_backend *be = &svc->backends[i];
		const char *why = be->flush ? "drain over" : be->removed ? "removed, draining" :
			be->down ? "down" : svc->ss.weight[i] == 0 ? "weight 0" : NULL;

		if (why == NULL)
			continue;
		put(l, n++ == 0 ? "; not eligible: " : ", ");
		put_backend(l, be);
		put(l, " (%s)", why);
	}
}

int
sl_fwd_verdict_format(const struct sl_fwd_verdict *v, const struct sl_snapshot *snap,
		      uint64_t t0, uint64_t hz, char *buf, size_t len)
{
	const struct sl_service *svc = v->svc >= 0 && v->svc < snap->n_services &&
		snap->services[v->svc].used ? &snap->services[v->svc] : NULL;
	const struct sl_backend *be = backend_of(v, snap);
	struct line l = { buf, len, 0 };
	char a[64], b[64], f[9];

	if (len != 0)
		buf[0] = '\0';
	put(&l, "%.6f w%u %s: ", hz != 0 && v->tsc >= t0 ? (double)(v->tsc - t0) / (double)hz : 0.0,
	    v->worker, port_name(snap, v->in_port));
	if (v->parsed) {
		int ports = v->proto == IPPROTO_TCP || v->proto == IPPROTO_UDP;

		addr_port(a, sizeof(a), &v->src, v->sport, ports);
		addr_port(b, sizeof(b), &v->dst, v->dport, ports);
		put(&l, "%s > %s %s", a, b, proto_name(v->proto, v->v6));
		if (v->proto == IPPROTO_TCP) {
			tcp_flags_str(v->tcp_flags, f);
			put(&l, " [%s]", f);
		}
	} else {
		put(&l, "not an IP packet Sluice parses");
	}
	if (svc != NULL)
		put(&l, "; service %s (%s)", svc->name, sl_config_mode_name(svc->mode, svc->encap));
	put(&l, "; %s", sl_fate_name(v->fate));
	if (v->fate == SL_FATE_DROPPED || v->fate == SL_FATE_REFUSED) {
		put(&l, ": %s (%s)", sl_drop_name((enum sl_drop)v->drop),
		    sl_drop_desc((enum sl_drop)v->drop));
		if (v->fate == SL_FATE_REFUSED)
			put(&l, "; RST sent to the client");
	}
	if (v->be >= 0) {
		put(&l, "; ");
		switch (v->why) {
		case SL_WHY_SCHED:
		case SL_WHY_COOKIE:
		case SL_WHY_MIDSTREAM:
		case SL_WHY_STATELESS:
			put(&l, "%s", v->why == SL_WHY_COOKIE ? "new connection (opened by a valid SYN cookie), " :
			    v->why == SL_WHY_MIDSTREAM ? "middle of an unknown connection, by hash, " :
			    v->why == SL_WHY_STATELESS ? "no record (table full), by hash, " :
			    "new connection, ");
			if (svc != NULL) {
				put(&l, "scheduler %s", svc->sched->name);
				if (svc->sched->needs_hash)
					put(&l, " hash %08x", v->hash);
				if (svc->sched->needs_hash && strcmp(svc->sched->name, "maglev") == 0 &&
				    svc->ss.table_size != 0)
					put(&l, " slot %u of %u", v->hash % svc->ss.table_size,
					    svc->ss.table_size);
			}
			break;
		case SL_WHY_AFFINITY:
			put(&l, "new connection, the client's affinity (persistence) to its earlier backend");
			break;
		case SL_WHY_CONN:
			put(&l, "%s of a connection", v->dir == SL_DIR_REPLY ? "reply" : "packet");
			break;
		default:
			put(&l, "connection");
			break;
		}
		put(&l, " -> backend ");
		if (be != NULL)
			put_backend(&l, be);
		else
			put(&l, "slot %d (gone since)", v->be);
		if (svc != NULL && v->why != SL_WHY_CONN && v->why != SL_WHY_NONE)
			put_unusable(&l, svc);
		if (v->state != 0)
			put(&l, "; connection %s", sl_conn_state_name((enum sl_conn_state)v->state));
	} else if (v->fate == SL_FATE_REFUSED && svc != NULL) {
		put_unusable(&l, svc);
	}
	if (v->fate == SL_FATE_FORWARDED) {
		if (v->rewritten) {
			addr_port(a, sizeof(a), &v->nsrc, v->nsport, 1);
			addr_port(b, sizeof(b), &v->ndst, v->ndport, 1);
			put(&l, "; rewritten %s > %s", a, b);
		} else if (v->be >= 0 && (v->mode == SL_MODE_DR || v->mode == SL_MODE_TUNNEL ||
					  (svc != NULL && SL_MODE_ONEWAY(svc->mode)))) {
			put(&l, "; %s", v->mode == SL_MODE_TUNNEL ||
			    (svc != NULL && svc->mode == SL_MODE_TUNNEL) ?
			    "encapsulated to the backend" : "unchanged, to the backend's MAC address");
		}
	}
	if (v->out_port != 0xff)
		put(&l, "; out %s", port_name(snap, v->out_port));
	return (int)l.off;
}
