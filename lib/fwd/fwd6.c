/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The IPv6 packet path of a worker: NAT66 for IPv6 services (mode nat),
 * neighbour discovery handed to the management lcore, echo requests to
 * Sluice's own IPv6 addresses and VIPs answered, ICMPv6 errors about
 * connections relayed to their other end. The IPv6 frames of a burst,
 * which classify() (fwd.c) set aside once it saw an IPv6 EtherType, in
 * stages of their own (sl_fwd6_burst()): IPv6 connections live in their
 * own table (struct sl_conn6, two cache lines), so the IPv4 path, its
 * records and its bulk lookups stay as they are.
 *
 * Ownership as for IPv4: the worker of the client address (folded to 32
 * bits), which both directions carry.
 */
#include <errno.h>
#include <netinet/in.h>

#include "sl_fwd.h"
#include "fwd_priv.h"
#include "sl_nat.h"

#define ICMP6_ECHO_REQUEST 128
#define ICMP6_RS 133
#define ICMP6_RA 134

/* An IPv6 packet that passed classification and needs its connection
 * (the flow stage of sl_fwd6_burst()). */
struct flow6_pkt {
	struct sl_flow6_key k;         /* the packet's key as it arrives */
	struct rte_mbuf *m;
	/* a client's packet (to a VIP): its service, looked up only when
	 * no connection matched (NULL until then, &sl_fwd_no_svc when the
	 * port has none); NULL for the others */
	const struct sl_service *svc;
	uint16_t pidx;
	uint8_t client;
	struct sl_pkt6_info pi;
};

static void dr6_send(struct sl_worker *w, const struct sl_snapshot *snap,
		     const struct sl_backend *be, uint8_t mode, struct rte_mbuf *m,
		     uint8_t *data, const struct sl_pkt6_info *pi, uint16_t pidx,
		     uint16_t svc);

/* Hop limit of a parsed IPv6 packet. */
static __rte_always_inline uint8_t
hop_limit(const uint8_t *data, const struct sl_pkt6_info *pi)
{
	return data[pi->l2_len + 7];
}

/* The burst's filter bit of IPv6 client key @p k (key_bit_of()). */
static __rte_always_inline uint64_t
key_bit6(const struct sl_flow6_key *k)
{
	return key_bit_of(sl_in6_fold(&k->src) ^ sl_in6_fold(&k->dst) ^
			  ((uint32_t)k->sport << 16 | k->dport));
}

static void icmp6_to_backend64(struct sl_worker *w, const struct sl_snapshot *snap,
			       struct rte_mbuf *m, uint8_t *data, const struct sl_pkt6_info *pi,
			       const struct sl_pkt6_quote *q, const struct sl_conn6 *c,
			       const struct sl_backend *be);

/*
 * An ICMPv6 error about a connection, relayed to the other end as IPv4's
 * are (see icmp_err() in fwd.c), so that path MTU discovery ("packet too
 * big": routers do not fragment IPv6) and unreachables work through
 * Sluice: to a VIP, quoting VIP:vport -> client:cport, it goes to the
 * backend as if about the backend's own packet (fullnat: to the local
 * address; NAT64: translated to ICMPv4); to a client, quoting
 * client:cport -> backend:bport, or to a local address, quoting
 * lip:lport -> backend:bport (fullnat), it goes to the client as if from
 * the VIP, about the client's own packet. An error to a local address
 * belongs to the worker its local port names.
 */
static __rte_cold void
icmp6_err(struct sl_worker *w, const struct sl_snapshot *snap, struct rte_mbuf *m,
	  uint8_t *data, const struct sl_pkt6_info *pi, uint16_t pidx, int redirected)
{
	int to_vip = sl_svc_is_vip6(snap, &pi->dst);
	const struct sl_backend *be;
	struct sl_pkt6_quote q;
	struct sl_flow6_key k;
	struct sl_conn6 *c;
	unsigned owner;
	int r, dir;

	r = sl_pkt_icmp6_quote(data, rte_pktmbuf_data_len(m), pi, &q);
	if (r != 0) {
		drop(w, m, (enum sl_drop)r);
		return;
	}
	/* an error goes to the source of the packet it quotes */
	if (!sl_in6_eq(&q.src, &pi->dst)) {
		drop(w, m, SL_DROP_ICMP_NO_FLOW);
		return;
	}
	if (!to_vip && snap->any_local6 && sl_svc_is_local6(snap, &q.src))
		owner = lport_owner(q.sport, snap->n_workers);
	else
		owner = sl_steer_owner6(to_vip ? &q.dst : &q.src, snap->n_workers);
	if (owner != w->id && !redirected) {
		pass_on(w, snap, owner, m, pidx);
		return;
	}
	if (hop_limit(data, pi) <= 1) {
		drop(w, m, SL_DROP_TTL);
		return;
	}
	memset(&k, 0, sizeof(k));
	k.src = q.dst;
	k.dst = q.src;
	k.sport = q.dport;
	k.dport = q.sport;
	k.proto = q.proto;
	c = sl_flow6_lookup(w->flows6, &k, &dir);
	if (c == NULL || dir != (to_vip ? SL_DIR_ORIG : SL_DIR_REPLY)) {
		drop(w, m, SL_DROP_ICMP_NO_FLOW);
		return;
	}
	be = snap->by_slot[c->be];
	if (be == NULL || be->gen != c->be_gen) {
		drop(w, m, SL_DROP_ICMP_NO_FLOW);
		return;
	}
	/* dr/tunnel: the backend holds the VIP, the error is about its own
	 * packet: unchanged, as the connection's packets go */
	if (SL_MODE_ONEWAY(c->mode) && to_vip) {
		capture(w, m, c->svc, pidx);
		w->stats.icmp_relayed++;
		dr6_send(w, snap, be, c->mode, m, data, pi, pidx, c->svc);
		return;
	}
	if (SL_MODE_ONEWAY(c->mode)) {
		drop(w, m, SL_DROP_ICMP_NO_FLOW);
		return;
	}
	capture(w, m, c->svc, pidx);
	if (!to_vip) {
		count_out(w, c->svc, c->be, m);
		w->stats.icmp_relayed++;
		if (c->mode == SL_MODE_FULLNAT)
			sl_nat6_icmp_err_fullnat(data, pi, &q, &c->cip, c->cport, &c->vip,
						 c->vport);
		else
			sl_nat6_icmp_err(data, pi, &q, 0, &c->vip, c->vport);
		sl_nat_set_macs(data, &c->cmac, &snap->ports[c->in_port].mac);
		capture(w, m, c->svc, c->in_port);
		tx(w, c->in_port, m);
		return;
	}
	if (c->mode == SL_MODE_FULLNAT && !be->v6) {
		icmp6_to_backend64(w, snap, m, data, pi, &q, c, be);
		return;
	}
	count_in(w, c->svc, c->be, m);
	w->stats.icmp_relayed++;
	if (c->mode == SL_MODE_FULLNAT)
		sl_nat6_icmp_err_fullnat(data, pi, &q, &c->bip, c->bport, &c->lip, c->lport);
	else
		sl_nat6_icmp_err(data, pi, &q, 1, &be->addr6, be->port);
	to_backend(w, snap, m, data, be, c->svc);
}

/* ICMPv6: neighbour discovery to the management lcore (all of it: the
 * kernel behind an exception path resolves its own neighbours through
 * there too), echo requests to us answered, router messages and the rest
 * counted and dropped. */
static __rte_cold void
icmp6_in(struct sl_worker *w, const struct sl_snapshot *snap, struct rte_mbuf *m,
	 uint8_t *data, const struct sl_pkt6_info *pi, uint16_t pidx, int redirected,
	 uint64_t now)
{
	uint8_t type = (uint8_t)(rte_be_to_cpu_16(pi->dport) >> 8);
	int own;

	if (type == SL_ND_NS) {
		/* as ARP requests (see arp_in() in fwd.c): for a target that
		 * is not Sluice's, dropped here */
		struct sl_in6 t;

		if (40u + pi->plen < (uint32_t)pi->l3_len + 24) {
			drop(w, m, SL_DROP_ICMP6);
			return;
		}
		memcpy(&t, data + pi->l2_len + pi->l3_len + 8, 16);
		if (sl_svc_own_port6(snap, &t) < 0 && !sl_svc_is_vip6(snap, &t) &&
		    !sl_svc_is_local6(snap, &t)) {
			drop(w, m, SL_DROP_NEIGH_OTHER);
			return;
		}
		if (slowpath_admit(w, m, pidx, SL_SP_NEIGH_REQ, now))
			to_mgmt(w, m, SL_MGMT_SLOWPATH);
		return;
	}
	if (type == SL_ND_NA) {
		if (slowpath_admit(w, m, pidx, SL_SP_NEIGH, now))
			to_mgmt(w, m, SL_MGMT_SLOWPATH);
		return;
	}
	own = sl_svc_own_port6(snap, &pi->dst);
	if (own >= 0 && snap->ports[own].kernel) {
		to_kernel(w, snap, m, own, pidx, 0, now);
		return;
	}
	if (type == ICMP6_ECHO_REQUEST && (own >= 0 || sl_svc_is_vip6(snap, &pi->dst))) {
		sl_nat6_icmp_echo_reply(data, pi);
		w->stats.icmp_echo++;
		tx(w, pidx, m);
		return;
	}
	/* errors about Sluice's own packets have nowhere to go */
	if (type >= SL_ICMP6_DEST_UNREACH && type <= SL_ICMP6_PARAM_PROBLEM && own < 0) {
		icmp6_err(w, snap, m, data, pi, pidx, redirected);
		return;
	}
	drop(w, m, SL_DROP_ICMP6);
}

/* A connection leaves the IPv6 table: its counters follow. */
static __rte_always_inline void
conn6_gone(struct sl_worker *w, const struct sl_conn6 *c)
{
	w->stats.local_ports -= c->mode == SL_MODE_FULLNAT;
	w->svc_stats[c->svc].conns_active--;
	w->be_stats[c->be].conns_active--;
	w->stats.conns_expired++;
}

static void
on_expire6(const struct sl_conn6 *c, void *arg)
{
	conn6_gone(arg, c);
}

void
sl_fwd6_expire(struct sl_worker *w, uint64_t now)
{
	if (w->flows6 != NULL)
		sl_flow6_expire(w->flows6, now, 256, on_expire6, w);
}

/* IPv4 address @p a as IPv4-mapped IPv6 (::ffff:a.b.c.d): how NAT64
 * connections keep their IPv4 side in the IPv6 table. */
static __rte_always_inline struct sl_in6
mapped6(rte_be32_t a)
{
	struct sl_in6 m = { .b = { [10] = 0xff, [11] = 0xff } };

	memcpy(&m.b[12], &a, 4);
	return m;
}

static __rte_always_inline rte_be32_t
mapped4(const struct sl_in6 *m)
{
	rte_be32_t a;

	memcpy(&a, &m->b[12], 4);
	return a;
}

/*
 * A connection of an IPv6 fullnat service: a local address of the port
 * that reaches backend @p be (by the client address) and a local port of
 * this worker's slice, as IPv4 fullnat takes them, so the backend's
 * replies name this worker. An IPv6 backend gets an IPv6 local address;
 * an IPv4 one (NAT64) an IPv4 local address, the reply key then in the
 * IPv6 table with IPv4-mapped addresses, and a port whose reply key an
 * IPv4 fullnat connection holds is skipped. NULL when no port was found
 * or the table is full.
 */
/*
 * The local address of port @p op an IPv6 fullnat connection from
 * client @p cip to backend @p be leaves from, in @p lip6: an IPv6 one
 * for an IPv6 backend, else (NAT64) an IPv4 one, IPv4-mapped. 0 when the
 * port has none of that family.
 */
static __rte_always_inline int
fullnat6_local(const struct sl_port_info *op, const struct sl_backend *be,
	       const struct sl_in6 *cip, struct sl_in6 *lip6)
{
	uint32_t f = sl_in6_fold(cip);

	if (be->v6) {
		if (op->n_local6 == 0)
			return 0;
		*lip6 = op->local6[f % op->n_local6];
	} else {
		if (op->n_local == 0)
			return 0;
		*lip6 = mapped6(op->local[f % op->n_local]);
	}
	return 1;
}

static struct sl_conn6 *
fullnat6_add(struct sl_worker *w, const struct sl_snapshot *snap,
	     const struct sl_pkt6_info *pi, const struct sl_backend *be, uint64_t now)
{
	const struct sl_port_info *op = &snap->ports[be->out_port];
	const struct sl_lport_slice *ls;
	unsigned tries;
	struct sl_in6 bip6 = be->v6 ? be->addr6 : mapped6(be->addr), lip6;
	struct sl_flow_key k4 = { .src = be->addr, .sport = be->port, .proto = pi->proto };

	if (!fullnat6_local(op, be, &pi->src, &lip6))
		return NULL;
	/* NAT64: the IPv4 reply key this connection must not take */
	if (!be->v6)
		memcpy(&k4.dst, &lip6.b[12], 4);
	ls = lport_slice(w);
	if (ls == NULL)
		return NULL;
	tries = RTE_MIN(ls->count, (uint32_t)LPORT_TRIES);
	if (sl_flow6_count(w->flows6) >= sl_flow6_capacity(w->flows6))
		return NULL;
	for (; tries > 0; tries--) {
		struct sl_conn6 *c;
		int dir;

		k4.dport = lport_at(ls, w->lport_next++);
		if (!be->v6 && sl_flow_lookup(w->flows, &k4, &dir) != NULL)
			continue;
		c = sl_flow6_add(w->flows6, &pi->src, pi->sport, &pi->dst, pi->dport, &bip6,
				 be->port, &lip6, k4.dport, pi->proto, now);
		if (c != NULL)
			return c;
	}
	return NULL;
}

/* The NAT64 connection whose backend sends IPv4 @p src:sport ->
 * @p dst:dport (its reply key, IPv4-mapped), or NULL. */
static struct sl_conn6 *
lookup64(struct sl_worker *w, rte_be32_t src, rte_be16_t sport, rte_be32_t dst,
	 rte_be16_t dport, uint8_t proto)
{
	struct sl_flow6_key k;
	struct sl_conn6 *c;
	int dir;

	memset(&k, 0, sizeof(k));
	k.src = mapped6(src);
	k.dst = mapped6(dst);
	k.sport = sport;
	k.dport = dport;
	k.proto = proto;
	c = sl_flow6_lookup(w->flows6, &k, &dir);
	return c != NULL && dir == SL_DIR_REPLY ? c : NULL;
}

int
sl_fwd64_reply(struct sl_worker *w, const struct sl_snapshot *snap, struct rte_mbuf *m,
	       const struct sl_pkt_info *pi, uint64_t now)
{
	const struct sl_backend *be;
	struct sl_conn6 *c;
	uint8_t *d6;

	c = lookup64(w, pi->src, pi->sport, pi->dst, pi->dport, pi->proto);
	if (c == NULL)
		return 0;
	be = snap->by_slot[c->be];
	if (be == NULL || be->gen != c->be_gen || be->flush) {
		conn6_gone(w, c);
		sl_flow6_del(w->flows6, c);
		w->stats.conns_flushed++;
		drop(w, m, SL_DROP_NO_FLOW);
		return 1;
	}
	if (rte_pktmbuf_prepend(m, (uint16_t)(40 - pi->l3_len)) == NULL) {
		drop(w, m, SL_DROP_NO_HEADROOM);
		return 1;
	}
	sl_flow6_touch(w->flows6, c, SL_DIR_REPLY, pi->tcp_flags, now);
	count_out(w, c->svc, c->be, m);
	d6 = sl_nat_4to6(rte_pktmbuf_mtod(m, uint8_t *), pi, &c->vip, c->vport, &c->cip,
			 c->cport);
	sl_nat_set_macs(d6, &c->cmac, &snap->ports[c->in_port].mac);
	capture(w, m, c->svc, c->in_port);
	tx(w, c->in_port, m);
	return 1;
}

void
sl_fwd64_icmp_err(struct sl_worker *w, const struct sl_snapshot *snap, struct rte_mbuf *m,
		  uint8_t *data, const struct sl_pkt_info *pi, const struct sl_pkt_quote *q)
{
	const struct sl_backend *be;
	struct sl_conn6 *c;
	uint32_t len;
	uint8_t *f;
	int grow;

	/* the quote reversed: the backend's packet to the local address */
	c = lookup64(w, q->dst, q->dport, q->src, q->sport, q->proto);
	if (c == NULL || (be = snap->by_slot[c->be]) == NULL || be->gen != c->be_gen) {
		drop(w, m, SL_DROP_ICMP_NO_FLOW);
		return;
	}
	/* the headers grow in front of the quoted TCP/UDP header, the tail
	 * is trimmed: one buffer */
	if (m->nb_segs > 1) {
		if (rte_pktmbuf_linearize(m) != 0) {
			drop(w, m, SL_DROP_MULTI_SEG);
			return;
		}
		data = rte_pktmbuf_mtod(m, uint8_t *);
	}
	grow = SL_ICMP64_HDRS6 - (q->ip_off + q->l3_len);
	if (grow > 0 && rte_pktmbuf_headroom(m) < (uint16_t)grow) {
		drop(w, m, SL_DROP_NO_HEADROOM);
		return;
	}
	f = sl_nat_icmp_4to6(data, pi, q, &c->cip, c->cport, &c->vip, c->vport,
			     (uint16_t)RTE_MIN(w->mtu[c->in_port], w->mtu[be->out_port] + 20),
			     &len);
	if (f == NULL) {
		drop(w, m, SL_DROP_ICMP_XLATE);
		return;
	}
	if (grow > 0)
		rte_pktmbuf_prepend(m, (uint16_t)grow);
	else
		rte_pktmbuf_adj(m, (uint16_t)-grow);
	rte_pktmbuf_trim(m, (uint16_t)(rte_pktmbuf_data_len(m) - len));
	count_out(w, c->svc, c->be, m);
	w->stats.icmp_relayed++;
	sl_nat_set_macs(f, &c->cmac, &snap->ports[c->in_port].mac);
	capture(w, m, c->svc, c->in_port);
	tx(w, c->in_port, m);
}

/*
 * NAT64: an ICMPv6 error to the VIP about a reply Sluice sent the client
 * ("packet too big" on the client's side, its port unreachable) becomes
 * an ICMPv4 error from the connection's local address to its backend,
 * about the backend's own packet backend:bport -> lip:lport.
 */
static __rte_cold void
icmp6_to_backend64(struct sl_worker *w, const struct sl_snapshot *snap, struct rte_mbuf *m,
		   uint8_t *data, const struct sl_pkt6_info *pi, const struct sl_pkt6_quote *q,
		   const struct sl_conn6 *c, const struct sl_backend *be)
{
	uint16_t mtu = (uint16_t)RTE_MIN(w->mtu[be->out_port], w->mtu[c->in_port] - 20);
	uint32_t len;
	uint8_t *f;

	f = sl_nat_icmp_6to4(data, pi, q, be->addr, c->bport, mapped4(&c->lip), c->lport, mtu,
			     &len);
	if (f == NULL) {
		drop(w, m, SL_DROP_ICMP_XLATE);
		return;
	}
	/* the IPv4 headers are shorter: the front moves on (classify6()
	 * made the frame one buffer) */
	rte_pktmbuf_adj(m, (uint16_t)(f - data));
	rte_pktmbuf_trim(m, (uint16_t)(rte_pktmbuf_data_len(m) - len));
	count_in(w, c->svc, c->be, m);
	w->stats.icmp_relayed++;
	to_backend(w, snap, m, f, be, c->svc);
}

/*
 * An IPv6 dr/tunnel packet too big for the link to its backend: routers
 * do not fragment IPv6, so the client gets "packet too big" (RFC 4443)
 * with the MTU it may use, from the address of the port it came in on,
 * quoting the start of its packet (counted as frag_needed), and the
 * packet is dropped (too_big); an ICMPv6 message gets no answer.
 */
static __rte_cold void
too_big6(struct sl_worker *w, const struct sl_snapshot *snap, struct rte_mbuf *m,
	 const uint8_t *data, const struct sl_pkt6_info *pi, uint16_t pidx, uint16_t mtu)
{
	const struct sl_port_info *pt = &snap->ports[pidx];
	uint32_t quote = RTE_MIN(40u + pi->plen, (uint32_t)pi->l3_len + 60u);
	struct rte_mbuf *r;
	uint8_t *f, *ip, *ic;
	uint32_t vtc = rte_cpu_to_be_32(0x60000000u), mtu32 = rte_cpu_to_be_32(mtu);
	rte_be16_t plen = rte_cpu_to_be_16((uint16_t)(8 + quote));
	uint16_t cs;

	if (pi->proto != SL_IPPROTO_ICMPV6 && pt->has6 &&
	    (r = rte_pktmbuf_alloc(m->pool)) != NULL) {
		f = (uint8_t *)rte_pktmbuf_append(r, (uint16_t)(14 + 40 + 8 + quote));
		if (f == NULL) {
			rte_pktmbuf_free(r);
		} else {
			ip = f + 14;
			ic = ip + 40;
			sl_nat_set_macs(f, &((const struct rte_ether_hdr *)data)->src_addr, &pt->mac);
			((struct rte_ether_hdr *)f)->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV6);
			memcpy(ip, &vtc, 4);
			memcpy(ip + 4, &plen, 2);
			ip[6] = SL_IPPROTO_ICMPV6;
			ip[7] = 64;
			memcpy(ip + 8, &pt->addr6, 16);
			memcpy(ip + 24, &pi->src, 16);
			ic[0] = SL_ICMP6_PKT_TOO_BIG;
			ic[1] = 0;
			memset(ic + 2, 0, 2);
			memcpy(ic + 4, &mtu32, 4);
			memcpy(ic + 8, data + pi->l2_len, quote);
			cs = sl_l4_csum6(&pt->addr6, &pi->src, SL_IPPROTO_ICMPV6, ic, 8 + quote, 2);
			memcpy(ic + 2, &cs, 2);
			w->stats.frag_needed++;
			tx(w, pidx, r);
		}
	}
	drop(w, m, SL_DROP_TOO_BIG);
}

/* GUE's outer UDP source port for an IPv6 packet: from its addresses and
 * ports, as gue_sport() in fwd.c, so a connection keeps one. */
static __rte_always_inline rte_be16_t
gue_sport6(const struct sl_pkt6_info *pi)
{
	uint32_t h = (sl_in6_fold(&pi->src) ^ sl_in6_fold(&pi->dst) ^
		      ((uint32_t)pi->sport << 16 | pi->dport)) * 0x9e3779b1u;

	return rte_cpu_to_be_16((uint16_t)(0xc000 | (h >> 18)));
}

/* The outer headers of backend @p be's IPv6 tunnel in front of the
 * packet of @p m (parsed: @p pi): the new start of the frame, or NULL
 * when the buffer has no room in front. */
static __rte_always_inline uint8_t *
tun6_wrap(struct rte_mbuf *m, const struct sl_backend *be, const struct sl_pkt6_info *pi)
{
	uint8_t *data = (uint8_t *)rte_pktmbuf_prepend(m, be->tun.len);

	if (data != NULL)
		sl_nat_encap6(data, &be->tun, &be->tun6_src, &be->addr6, gue_sport6(pi), pi);
	return data;
}

/* dr and tunnel: the frame as it came, to the backend's MAC address, for
 * a tunnel behind the outer headers of the backend's struct sl_tun (IPv6
 * in IPv6, GRE or GUE over IPv6) from its IPv6 local address; one that
 * would not fit the egress MTU is dropped (too_big), never sent. */
static void
dr6_send(struct sl_worker *w, const struct sl_snapshot *snap, const struct sl_backend *be,
	 uint8_t mode, struct rte_mbuf *m, uint8_t *data, const struct sl_pkt6_info *pi,
	 uint16_t pidx, uint16_t svc)
{
	unsigned add = mode == SL_MODE_TUNNEL ? be->tun.len : 0;

	if (40u + pi->plen + add > w->mtu[be->out_port]) {
		too_big6(w, snap, m, data, pi, pidx, (uint16_t)(w->mtu[be->out_port] - add));
		return;
	}
	if (add != 0 && (data = tun6_wrap(m, be, pi)) == NULL) {
		drop(w, m, SL_DROP_NO_HEADROOM);
		return;
	}
	to_backend(w, snap, m, data, be, svc);
}

int
sl_fwd6_oneway_frame(const struct sl_worker *w, const struct sl_snapshot *snap,
		     const struct sl_service *svc, const struct sl_backend *be,
		     struct rte_mbuf *m, const struct rte_ether_addr *mac)
{
	unsigned add = svc->mode == SL_MODE_TUNNEL ? be->tun.len : 0;
	uint8_t *data = rte_pktmbuf_mtod(m, uint8_t *);
	struct sl_pkt6_info pi;

	pi.l2_len = RTE_ETHER_HDR_LEN;
	if (!be->v6 || sl_pkt_parse6(data, rte_pktmbuf_data_len(m), 0, &pi) != 0)
		return -EINVAL;
	if (40u + pi.plen + add > w->mtu[be->out_port])
		return -EMSGSIZE;
	if (add != 0 && (data = tun6_wrap(m, be, &pi)) == NULL)
		return -ENOBUFS;
	sl_nat_set_macs(data, mac, &snap->ports[be->out_port].mac);
	m->port = snap->ports[be->out_port].port_id;
	return 0;
}

/*
 * A TCP client whose connection Sluice refuses or ends (no backend, all
 * full, over its rate, a full table, its backend gone) hears a RST from
 * the VIP, as over IPv4, rather than waiting for its timeouts: to a
 * segment with an ACK, at the sequence number it acknowledged (RFC 793);
 * to a SYN, acknowledging it. Counted as @p why, as a drop; a RST gets
 * no answer, and UDP is only dropped.
 */
static __rte_cold void
refuse6(struct sl_worker *w, const struct sl_snapshot *snap, struct rte_mbuf *m,
	uint8_t *data, const struct sl_pkt6_info *pi, uint16_t pidx, enum sl_drop why)
{
	const struct rte_tcp_hdr *th = (const struct rte_tcp_hdr *)(data + pi->l2_len + pi->l3_len);
	uint32_t len = 40u + pi->plen - pi->l3_len - pi->l4_len, seq = 0, ack = 0;
	struct rte_ether_addr cmac;
	struct sl_in6 src = pi->dst, dst = pi->src;
	rte_be16_t sport = pi->dport, dport = pi->sport;
	uint8_t flags = RTE_TCP_RST_FLAG, *f, *ip;
	struct rte_tcp_hdr *t;
	uint32_t vtc = rte_cpu_to_be_32(0x60000000u);
	rte_be16_t plen = RTE_BE16(20);

	if (pi->proto != IPPROTO_TCP || (pi->tcp_flags & RTE_TCP_RST_FLAG)) {
		drop(w, m, why);
		return;
	}
	w->stats.drops[why]++;
	if (pi->tcp_flags & RTE_TCP_ACK_FLAG) {
		seq = rte_be_to_cpu_32(th->recv_ack);
	} else {
		ack = rte_be_to_cpu_32(th->sent_seq) + len +
		      !!(pi->tcp_flags & RTE_TCP_SYN_FLAG) + !!(pi->tcp_flags & RTE_TCP_FIN_FLAG);
		flags |= RTE_TCP_ACK_FLAG;
	}
	rte_ether_addr_copy(&((struct rte_ether_hdr *)data)->src_addr, &cmac);
	if (m->next != NULL) {
		rte_pktmbuf_free(m->next);
		m->next = NULL;
	}
	rte_pktmbuf_reset(m);
	f = rte_pktmbuf_mtod(m, uint8_t *);
	m->data_len = RTE_ETHER_HDR_LEN + 40 + 20;
	m->pkt_len = m->data_len;
	memset(f, 0, m->data_len);
	sl_nat_set_macs(f, &cmac, &snap->ports[pidx].mac);
	((struct rte_ether_hdr *)f)->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV6);
	ip = f + RTE_ETHER_HDR_LEN;
	memcpy(ip, &vtc, 4);
	memcpy(ip + 4, &plen, 2);
	ip[6] = IPPROTO_TCP;
	ip[7] = 64;
	memcpy(ip + 8, &src, 16);
	memcpy(ip + 24, &dst, 16);
	t = (struct rte_tcp_hdr *)(ip + 40);
	t->src_port = sport;
	t->dst_port = dport;
	t->sent_seq = rte_cpu_to_be_32(seq);
	t->recv_ack = rte_cpu_to_be_32(ack);
	t->data_off = 5 << 4;
	t->tcp_flags = flags;
	t->cksum = sl_l4_csum6(&src, &dst, IPPROTO_TCP, t, 20, 16);
	w->stats.rst_sent++;
	tx(w, pidx, m);
}

/* A client's packet for IPv6 service @p svc: NAT66 (nat), fullnat (IPv6
 * or, NAT64, IPv4 backends), dr or tunnel (IPv6 in IPv6). */
/*
 * As limited() in fwd.c, for an IPv6 client: its lists, then its rate
 * for a packet that would open a connection (a refused TCP client gets
 * a RST, see refuse6()). Returns 1 when it took the packet.
 */
static __rte_noinline int
limited6(struct sl_worker *w, const struct sl_snapshot *snap, const struct sl_service *svc,
	 struct rte_mbuf *m, uint8_t *data, const struct sl_pkt6_info *pi, uint16_t pidx,
	 uint64_t now)
{
	uint8_t f = pi->tcp_flags & (RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG | RTE_TCP_RST_FLAG);
	int opens = pi->proto != IPPROTO_TCP || f == RTE_TCP_SYN_FLAG ||
		    (svc->stateless && !(pi->tcp_flags & (RTE_TCP_SYN_FLAG | RTE_TCP_RST_FLAG)));

	if ((svc->limits & SL_SVC_LIMIT_ACL) &&
	    !sl_svc_acl_pass(svc, sl_svc_acl_addr6(&pi->src))) {
		w->svc_stats[svc->id].acl_denied++;
		w->svc_stats[svc->id].drops++;
		drop(w, m, SL_DROP_ACL_DENIED);
		return 1;
	}
	if (!(svc->limits & SL_SVC_LIMIT_RATE) || !opens || rate_pass6(w, svc, &pi->src, now))
		return 0;
	w->svc_stats[svc->id].rate_limited++;
	w->svc_stats[svc->id].drops++;
	if (f == RTE_TCP_SYN_FLAG)
		refuse6(w, snap, m, data, pi, pidx, SL_DROP_RATE_LIMITED);
	else
		drop(w, m, SL_DROP_RATE_LIMITED);
	return 1;
}

/* A client's IPv6 packet: use or make its connection. @p svc as for
 * from_client() in fwd.c. */
static __rte_always_inline int
from_client6(struct sl_worker *w, const struct sl_snapshot *snap,
	     const struct sl_service *svc, struct rte_mbuf *m, uint8_t *data,
	     const struct sl_pkt6_info *pi, uint16_t pidx, uint64_t now,
	     const struct sl_flow6_key *k, struct sl_conn6 *c, int dir, uint64_t *added)
{
	const struct sl_backend *be = NULL;
	int ret = 0;

	if (c != NULL && dir != SL_DIR_ORIG) {
		drop(w, m, SL_DROP_NO_FLOW);
		return ret;
	}
	if (c != NULL) {
		be = snap->by_slot[c->be];
		if (pi->proto == IPPROTO_TCP &&
		    (pi->tcp_flags & (RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG)) == RTE_TCP_SYN_FLAG &&
		    (c->state == SL_CS_TIME_WAIT || c->state == SL_CS_CLOSE ||
		     (c->state == SL_CS_FIN_WAIT && SL_MODE_ONEWAY(c->mode)))) {
			/* the client reuses its port: a new connection (dr:
			 * its FIN is the last Sluice sees) */
			conn6_gone(w, c);
			sl_flow6_del(w->flows6, c);
			c = NULL;
			ret |= FC_DELETED;
		} else if (be == NULL || be->gen != c->be_gen || be->flush ||
			   (be->down && pi->proto == IPPROTO_UDP)) {
			/* backend gone or drained out: the connection ends (a
			 * TCP client is reset); a UDP flow of a failed backend
			 * is scheduled anew */
			conn6_gone(w, c);
			sl_flow6_del(w->flows6, c);
			ret |= FC_DELETED;
			if (pi->proto == IPPROTO_TCP) {
				w->stats.conns_flushed++;
				refuse6(w, snap, m, data, pi, pidx, SL_DROP_NO_FLOW);
				return ret;
			}
			c = NULL;
		}
	}
	if (c == NULL) {
		int bi, midstream = 0;

		if (svc == NULL)
			svc = sl_svc_lookup6(snap, &pi->dst, pi->dport, pi->proto);
		if (unlikely(svc == NULL || svc == &sl_fwd_no_svc)) {
			drop(w, m, SL_DROP_NO_SERVICE);
			return ret;
		}
		if (unlikely(svc->limits != 0) && limited6(w, snap, svc, m, data, pi, pidx, now))
			return ret;
		if (pi->proto == IPPROTO_TCP &&
		    (pi->tcp_flags & (RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG | RTE_TCP_RST_FLAG)) !=
		    RTE_TCP_SYN_FLAG) {
			/* dr with a hashing scheduler: the middle of a connection
			 * goes where its hash says (see from_client() in fwd.c) */
			if (!svc->stateless || (pi->tcp_flags & RTE_TCP_SYN_FLAG)) {
				w->svc_stats[svc->id].drops++;
				drop(w, m, SL_DROP_NO_FLOW);
				return ret;
			}
			midstream = 1;
		}
		/* the middle of a connection goes where the hash says,
		 * whatever the backend's max_conns */
		bi = (likely(!midstream) ? svc->pick : svc->sched->pick)
			(&svc->ss, sl_svc_ws(snap, w->id, svc), sched_hash6(svc, k),
			 w->be_stats);
		/* no backend, or all full: refused */
		if (bi < 0) {
			enum sl_drop why = no_pick(svc);

			w->svc_stats[svc->id].drops++;
			w->svc_stats[svc->id].backend_full += why == SL_DROP_BACKEND_FULL;
			refuse6(w, snap, m, data, pi, pidx, why);
			return ret;
		}
		be = &svc->backends[bi];
		if (midstream && (pi->tcp_flags & RTE_TCP_RST_FLAG)) {
			/* a RST passes without a record */
			dr6_send(w, snap, be, svc->mode, m, data, pi, pidx, svc->id);
			return ret;
		}
		if (svc->mode == SL_MODE_FULLNAT)
			c = fullnat6_add(w, snap, pi, be, now);
		else if (SL_MODE_ONEWAY(svc->mode))
			c = sl_flow6_add(w->flows6, &pi->src, pi->sport, &pi->dst, pi->dport,
					 &be->addr6, be->port, NULL, 0, pi->proto, now);
		else
			c = sl_flow6_add(w->flows6, &pi->src, pi->sport, &pi->dst, pi->dport,
					 &be->addr6, be->port, &pi->src, pi->sport, pi->proto,
					 now);
		if (c == NULL && svc->stateless) {
			/* no room for a record: by hash without one, as over
			 * IPv4 */
			w->stats.stateless++;
			count_in(w, svc->id, be->slot, m);
			capture(w, m, svc->id, pidx);
			dr6_send(w, snap, be, svc->mode, m, data, pi, pidx, svc->id);
			return ret;
		}
		if (c == NULL) {
			w->svc_stats[svc->id].drops++;
			refuse6(w, snap, m, data, pi, pidx,
				add_refused(svc->mode, sl_flow6_count(w->flows6) >=
						       sl_flow6_capacity(w->flows6)));
			return ret;
		}
		ret |= FC_ADDED;
		*added |= key_bit6(k);
		c->mode = svc->mode;
		if (midstream) {
			c->state = SL_CS_ESTABLISHED;
			w->stats.conns_midstream++;
		}
		w->stats.local_ports += svc->mode == SL_MODE_FULLNAT;
		c->svc = svc->id;
		c->be = be->slot;
		c->be_gen = be->gen;
		w->stats.conns_created++;
		w->svc_stats[svc->id].conns_total++;
		w->svc_stats[svc->id].conns_active++;
		w->be_stats[be->slot].conns_total++;
		w->be_stats[be->slot].conns_active++;
	}
	rte_ether_addr_copy(&((struct rte_ether_hdr *)data)->src_addr, &c->cmac);
	c->in_port = (uint8_t)pidx;
	sl_flow6_touch(w->flows6, c, SL_DIR_ORIG, pi->tcp_flags, now);
	count_in(w, c->svc, c->be, m);
	capture(w, m, c->svc, pidx);
	if (SL_MODE_ONEWAY(c->mode)) {
		dr6_send(w, snap, be, c->mode, m, data, pi, pidx, c->svc);
		return ret;
	}
	if (c->mode == SL_MODE_FULLNAT && !be->v6) {
		/* NAT64: the IPv4 headers in front of the same L4 header */
		uint8_t *d4 = sl_nat_6to4(data, pi, mapped4(&c->lip), c->lport, be->addr,
					  be->port);

		rte_pktmbuf_adj(m, (uint16_t)(d4 - data));
		data = d4;
	} else if (c->mode == SL_MODE_FULLNAT) {
		/* both ends: to the backend from the local address and port;
		 * a hop, so the hop limit goes down once */
		sl_nat6_rewrite(data, pi, 1, &be->addr6, be->port);
		sl_nat6_rewrite(data, pi, 0, &c->lip, c->lport);
		data[pi->l2_len + 7]++;
	} else {
		sl_nat6_rewrite(data, pi, 1, &be->addr6, be->port);
	}
	to_backend(w, snap, m, data, be, c->svc);
	return ret;
}

/* A backend's reply, if it is one: back to the client from the VIP.
 * Returns FC_DELETED when it removed the connection. */
static __rte_always_inline int
from_backend6(struct sl_worker *w, const struct sl_snapshot *snap, struct rte_mbuf *m,
	      uint8_t *data, const struct sl_pkt6_info *pi, uint16_t pidx, uint64_t now,
	      struct sl_conn6 *c, int dir)
{
	const struct sl_backend *be;

	if (c == NULL || dir != SL_DIR_REPLY) {
		drop(w, m, SL_DROP_NO_FLOW);
		return 0;
	}
	be = snap->by_slot[c->be];
	if (be == NULL || be->gen != c->be_gen || be->flush) {
		conn6_gone(w, c);
		sl_flow6_del(w->flows6, c);
		w->stats.conns_flushed++;
		drop(w, m, SL_DROP_NO_FLOW);
		return FC_DELETED;
	}
	sl_flow6_touch(w->flows6, c, SL_DIR_REPLY, pi->tcp_flags, now);
	count_out(w, c->svc, c->be, m);
	capture(w, m, c->svc, pidx);
	sl_nat6_rewrite(data, pi, 0, &c->vip, c->vport);
	if (c->mode == SL_MODE_FULLNAT) {
		/* to the client again, from the VIP: one hop */
		sl_nat6_rewrite(data, pi, 1, &c->cip, c->cport);
		data[pi->l2_len + 7]++;
	}
	sl_nat_set_macs(data, &c->cmac, &snap->ports[c->in_port].mac);
	capture(w, m, c->svc, c->in_port);
	tx(w, c->in_port, m);
	return 0;
}

/*
 * The IPv6 stage's classify() (fwd.c): parse, and sort out everything
 * that needs no flow lookup (ICMPv6, the kernel's and other workers'
 * packets, drops). Returns 1 when the packet goes on to the flow stage,
 * filled in @p f.
 */
static __rte_always_inline int
classify6(struct sl_worker *w, const struct sl_snapshot *snap, struct rte_mbuf *m,
	  uint16_t pidx, int redirected, unsigned flags, uint64_t now, struct flow6_pkt *f)
{
	uint8_t *data;
	struct sl_pkt6_info *pi = &f->pi;
	unsigned owner;
	int r, own, client = 0;

	if (w->flows6 == NULL || !snap->ports[pidx].has6) {
		drop(w, m, SL_DROP_IPV6_OFF);
		return 0;
	}
	if (m->nb_segs > 1 && rte_pktmbuf_linearize(m) != 0) {
		drop(w, m, SL_DROP_MULTI_SEG);
		return 0;
	}
	data = rte_pktmbuf_mtod(m, uint8_t *);
	pi->l2_len = RTE_ETHER_HDR_LEN;
	r = sl_pkt_parse6(data, rte_pktmbuf_data_len(m), flags, pi);
	if (r != 0) {
		drop(w, m, (enum sl_drop)r);
		return 0;
	}
	if (pi->proto == SL_IPPROTO_ICMPV6) {
		icmp6_in(w, snap, m, data, pi, pidx, redirected, now);
		return 0;
	}
	if (sl_svc_is_vip6(snap, &pi->dst)) {
		/* a client's packet; its service is looked up when no
		 * connection takes it (as in classify() of fwd.c) */
		client = 1;
		owner = sl_steer_owner6(&pi->src, snap->n_workers);
	} else if ((own = sl_svc_own_port6(snap, &pi->dst)) >= 0) {
		to_kernel(w, snap, m, own, pidx, 0, now);
		return 0;
	} else if (snap->any_local6 && sl_svc_is_local6(snap, &pi->dst)) {
		/* an IPv6 fullnat reply: its local port names its worker */
		owner = lport_owner(pi->dport, snap->n_workers);
	} else {
		owner = sl_steer_owner6(&pi->dst, snap->n_workers);
	}
	if (owner != w->id && !redirected) {
		/* a VIP port without a service ends here (as in classify()) */
		if (client && sl_svc_lookup6(snap, &pi->dst, pi->dport, pi->proto) == NULL) {
			drop(w, m, SL_DROP_NO_SERVICE);
			return 0;
		}
		pass_on(w, snap, owner, m, pidx);
		return 0;
	}
	if (hop_limit(data, pi) <= 1) {
		drop(w, m, SL_DROP_TTL);
		return 0;
	}
	f->m = m;
	f->svc = NULL;
	f->pidx = pidx;
	f->client = (uint8_t)client;
	/* both directions are looked up by the packet as it arrives */
	memset(&f->k, 0, sizeof(f->k));
	f->k.src = pi->src;
	f->k.dst = pi->dst;
	f->k.sport = pi->sport;
	f->k.dport = pi->dport;
	f->k.proto = pi->proto;
	return 1;
}

/*
 * As prefetch_adds() in fwd.c: the reply key's buckets and the record of
 * each connection the burst is about to open, its backend guessed.
 * NAT66 replies come to the client's own endpoint; fullnat ones to a
 * local address of the backend's port and the local port of its turn,
 * IPv4-mapped for an IPv4 backend (NAT64: its reply key is in this
 * table too).
 */
static __rte_noinline void
prefetch_adds6(struct sl_worker *w, const struct sl_snapshot *snap,
	       struct flow6_pkt *fp, struct sl_conn6 *const *conns, unsigned nf)
{
	struct add_guesses g = { 0 };
	unsigned i, ahead = 0;

	for (i = 0; i < nf; i++) {
		const struct sl_service *svc;
		const struct sl_flow6_key *k = &fp[i].k;
		const struct sl_backend *be;
		struct sl_flow6_key kr;

		if (conns[i] != NULL || !fp[i].client)
			continue;
		/* looked up once here for from_client6() too */
		svc = sl_svc_lookup6(snap, &fp[i].pi.dst, fp[i].pi.dport, fp[i].pi.proto);
		fp[i].svc = svc != NULL ? svc : &sl_fwd_no_svc;
		if (!add_wanted(svc, k->proto, fp[i].pi.tcp_flags) ||
		    (be = add_guess(w, snap, svc, sched_hash6(svc, k), &g)) == NULL)
			continue;
		memset(&kr, 0, sizeof(kr));
		kr.src = be->v6 ? be->addr6 : mapped6(be->addr);
		kr.dst = k->src;
		kr.sport = be->port;
		kr.dport = k->sport;
		kr.proto = k->proto;
		if (svc->mode == SL_MODE_FULLNAT &&
		    (!fullnat6_local(&snap->ports[be->out_port], be, &k->src, &kr.dst) ||
		     !guess_lport(w, &g, &kr.dport)))
			continue;
		sl_flow6_prefetch_add(w->flows6, &kr, ahead++);
	}
}

/*
 * The IPv6 frames of a burst, in stages as sl_fwd_burst() takes IPv4
 * ones: classify each, look all their connections up at once, prefetch
 * what the adds will touch, then act on each in the order they came. A
 * connection an earlier packet opened (its key in @c added) or removed
 * is seen by the later ones: they look their key up again.
 */
void
sl_fwd6_burst(struct sl_worker *w, const struct sl_snapshot *snap,
	      const struct sl_fwd6_in *in, unsigned n, int redirected, uint64_t now)
{
	struct flow6_pkt fp[SL_BURST];
	const struct sl_flow6_key *kp[SL_BURST];
	struct sl_conn6 *conns[SL_BURST];
	int dirs[SL_BURST];
	unsigned i, nf = 0;
	int changed = 0;
	uint64_t added = 0;

	for (i = 0; i < n; i++)
		if (classify6(w, snap, in[i].m, in[i].pidx, redirected, in[i].flags, now,
			      &fp[nf])) {
			kp[nf] = &fp[nf].k;
			nf++;
		}
	if (nf == 0)
		return;
	if (sl_flow6_lookup_bulk(w->flows6, kp, nf, conns, dirs) != (int)nf)
		prefetch_adds6(w, snap, fp, conns, nf);
	for (i = 0; i < nf; i++) {
		struct flow6_pkt *f = &fp[i];
		uint8_t *data = rte_pktmbuf_mtod(f->m, uint8_t *);

		if ((changed & FC_DELETED) ||
		    (conns[i] == NULL && (added & key_bit6(&f->k)) != 0))
			conns[i] = sl_flow6_lookup(w->flows6, &f->k, &dirs[i]);
		if (f->client)
			changed |= from_client6(w, snap, f->svc, f->m, data, &f->pi, f->pidx,
						now, &f->k, conns[i], dirs[i], &added);
		else
			changed |= from_backend6(w, snap, f->m, data, &f->pi, f->pidx, now,
						 conns[i], dirs[i]);
	}
}
