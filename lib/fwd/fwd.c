/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The packet path of a worker (see sl_fwd.h): classification, connection
 * lookup and creation, scheduling, NAT rewrite, resets, redirects to the
 * owning worker, TX buffering. No locks, no allocation but packet
 * buffers, no syscalls, nothing but the context and snapshot it is given.
 */
#include <netinet/in.h>

#include <rte_arp.h>
#include <rte_cycles.h>
#include <rte_prefetch.h>

#include "sl_fwd.h"
#include "fwd_priv.h"
#include "sl_pkt.h"
#include "sl_nat.h"
#include "sl_persist.h"



/*
 * Send what port @p pidx's TX buffer holds. A port with a VLAN id gets
 * its tag on every frame here, where all of them pass (frames the
 * management lcore built too, through sl_fwd_send()), a burst at a time:
 * a port without one pays nothing per packet for VLANs. The priority bits
 * are 0: Sluice does not map classes of service between ports.
 */
void
sl_fwd_tx_flush(struct sl_worker *w, uint16_t pidx)
{
	struct rte_eth_dev_tx_buffer *b = w->txb[pidx];
	uint16_t vid = w->vlan[pidx], i, k;

	if (unlikely(vid != 0)) {
		for (i = k = 0; i < b->length; i++) {
			struct rte_mbuf *m = b->pkts[i];

			/* rte_vlan_insert() prepends within the same mbuf */
			m->vlan_tci = vid;
			if (unlikely(rte_vlan_insert(&m) != 0))
				drop(w, m, SL_DROP_VLAN_INSERT);
			else
				b->pkts[k++] = m;
		}
		b->length = k;
	}
	rte_eth_tx_buffer_flush(w->env->port_id[pidx], (uint16_t)w->id, b);
}

/*
 * A frame from a port with VLAN id @p vid: keep it only when it carries
 * that tag, in the frame or (a NIC that strips tags) in m->vlan_tci, and
 * take the tag off, so the rest of the path sees an untagged frame with
 * no trace of one (a frame passed to another worker is not looked at
 * twice). Returns 0 when it dropped the frame.
 */
static __rte_always_inline int
vlan_pop(struct sl_worker *w, struct rte_mbuf *m, uint16_t vid)
{
	const struct rte_ether_hdr *eh = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	uint16_t tci;

	if (m->ol_flags & RTE_MBUF_F_RX_VLAN_STRIPPED) {
		tci = m->vlan_tci;
	} else if (rte_pktmbuf_data_len(m) >= RTE_ETHER_HDR_LEN &&
		   eh->ether_type == RTE_BE16(RTE_ETHER_TYPE_VLAN)) {
		if (unlikely(rte_pktmbuf_data_len(m) < RTE_ETHER_HDR_LEN +
			     sizeof(struct rte_vlan_hdr))) {
			drop(w, m, SL_DROP_SHORT_FRAME);
			return 0;
		}
		tci = rte_be_to_cpu_16(((const struct rte_vlan_hdr *)(eh + 1))->vlan_tci);
	} else {
		drop(w, m, SL_DROP_VLAN_UNTAGGED);
		return 0;
	}
	if (unlikely((tci & RTE_VLAN_ID_MASK) != vid)) {
		drop(w, m, SL_DROP_VLAN_MISMATCH);
		return 0;
	}
	if (!(m->ol_flags & RTE_MBUF_F_RX_VLAN_STRIPPED))
		rte_vlan_strip(m);
	/* a second tag under this one stays, for parsing to refuse */
	m->ol_flags &= ~(RTE_MBUF_F_RX_VLAN | RTE_MBUF_F_RX_VLAN_STRIPPED);
	return 1;
}

/*
 * A burst from a port with a VLAN id: the tags come off before
 * classification, the port checked once per burst, so a port without
 * one pays nothing per packet for them. Returns how many frames are left
 * in @p pkts.
 */
static __rte_noinline unsigned
vlan_pop_burst(struct sl_worker *w, struct rte_mbuf **pkts, unsigned n, uint16_t vid)
{
	unsigned i, k = 0;

	for (i = 0; i < n; i++)
		if (vlan_pop(w, pkts[i], vid))
			pkts[k++] = pkts[i];
	return k;
}







/* GUE's outer source port: a hash of the inner flow in 49152..65535, so
 * that the backend's NIC spreads flows over its queues by it. */
static __rte_always_inline rte_be16_t
gue_sport(const struct sl_pkt_info *pi)
{
	uint32_t h = (pi->src ^ pi->dst ^ ((uint32_t)pi->sport << 16 | pi->dport)) *
		     0x9e3779b1u;

	return rte_cpu_to_be_16((uint16_t)(0xc000 | (h >> 18)));
}

/*
 * A dr/tunnel packet too big for the link to its backend: a client that
 * set DF gets "fragmentation needed" with the MTU it may use (from the
 * address of the port it came in on, as a router on its path would
 * answer); without DF it is dropped (counted as well), never sent over
 * size.
 */
static __rte_cold void
too_big(struct sl_worker *w, const struct sl_snapshot *snap, struct rte_mbuf *m,
	const uint8_t *data, const struct sl_pkt_info *pi, uint16_t pidx, uint16_t mtu)
{
	const struct rte_ipv4_hdr *ip = (const struct rte_ipv4_hdr *)(data + pi->l2_len);
	struct rte_mbuf *r;
	unsigned len;

	if (pi->proto != IPPROTO_ICMP &&
	    (ip->fragment_offset & RTE_BE16(RTE_IPV4_HDR_DF_FLAG)) &&
	    (r = rte_pktmbuf_alloc(m->pool)) != NULL) {
		len = sl_nat_icmp_too_big(rte_pktmbuf_mtod(r, uint8_t *), data, pi,
					  &snap->ports[pidx].mac, snap->ports[pidx].addr, mtu);
		r->data_len = (uint16_t)len;
		r->pkt_len = len;
		w->stats.frag_needed++;
		tx(w, pidx, r);
	}
	drop(w, m, SL_DROP_TOO_BIG);
}

/*
 * Send a client's packet (or an ICMP error about its connection) to
 * backend @p be of a dr or tunnel service: the IP packet unchanged,
 * encapsulated for a tunnel, to the backend's MAC address (or to the
 * management lcore until that is known); one too big for the link is
 * dropped (see too_big()).
 */
static __rte_always_inline void
oneway_send(struct sl_worker *w, const struct sl_snapshot *snap,
	    const struct sl_backend *be, uint8_t mode, struct rte_mbuf *m,
	    uint8_t *data, const struct sl_pkt_info *pi, uint16_t pidx, uint16_t svc)
{
	unsigned add = mode == SL_MODE_TUNNEL ? be->tun.len : 0;
	uint16_t mtu = w->mtu[be->out_port];

	if (unlikely(pi->ip_len + add > mtu)) {
		too_big(w, snap, m, data, pi, pidx, (uint16_t)(mtu - add));
		return;
	}
	if (add != 0) {
		data = (uint8_t *)rte_pktmbuf_prepend(m, (uint16_t)add);
		if (unlikely(data == NULL)) {
			drop(w, m, SL_DROP_NO_HEADROOM);
			return;
		}
		sl_nat_encap(data, &be->tun, gue_sport(pi));
	}
	to_backend(w, snap, m, data, be, svc);
}

int
sl_fwd_oneway_frame(const struct sl_worker *w, const struct sl_snapshot *snap,
		    const struct sl_service *svc, const struct sl_backend *be,
		    struct rte_mbuf *m, const struct rte_ether_addr *mac)
{
	unsigned add = svc->mode == SL_MODE_TUNNEL ? be->tun.len : 0;
	struct sl_pkt_info pi;
	uint8_t *data;

	if (m->nb_segs != 1 ||
	    sl_pkt_parse(rte_pktmbuf_mtod(m, uint8_t *), rte_pktmbuf_data_len(m), 0, &pi) != 0 ||
	    pi.l2_len != RTE_ETHER_HDR_LEN)
		return -EINVAL;
	if (pi.kind == SL_PKT_IPV6)
		return sl_fwd6_oneway_frame(w, snap, svc, be, m, mac);
	if (pi.kind != SL_PKT_IPV4)
		return -EINVAL;
	if (pi.ip_len + add > w->mtu[be->out_port])
		return -EMSGSIZE;
	data = rte_pktmbuf_mtod(m, uint8_t *);
	if (add != 0) {
		data = (uint8_t *)rte_pktmbuf_prepend(m, (uint16_t)add);
		if (data == NULL)
			return -ENOBUFS;
		sl_nat_encap(data, &be->tun, gue_sport(&pi));
	}
	sl_nat_set_macs(data, mac, &snap->ports[be->out_port].mac);
	m->port = snap->ports[be->out_port].port_id;
	return 0;
}

/*
 * An ICMP error about a connection, relayed to its other end as IPVS
 * does, or path-MTU discovery and unreachables would stop at Sluice:
 * - to a VIP, quoting VIP:vport -> client:cport: a reply Sluice sent the
 *   client met trouble on the client's side ("fragmentation needed" from
 *   a router with a smaller MTU, or the client's port unreachable). The
 *   quote reversed is the client's key; the error goes to the backend,
 *   rewritten as if about the backend's own packet (fullnat: the
 *   backend's packet to the local address, from the local address).
 * - to a client, quoting client:cport -> backend:bport, or to a local
 *   address, quoting lip:lport -> backend:bport (fullnat): a packet
 *   Sluice passed to the backend met trouble inside (the backend's port
 *   unreachable, a router there). The quote reversed is the reply key;
 *   the error goes to the client as if from the VIP, about the client's
 *   own packet. A local address no IPv4 connection knows may be a NAT64
 *   connection's (sl_fwd64_icmp_err()).
 * The connection's owner is the worker of the client address, the
 * quote's destination or source, or for a local address the worker its
 * local port names (lport_owner()); the error does not refresh the
 * connection or change its state.
 */
/*
 * A connection with a Proxy Protocol header: the segment a relayed error
 * quotes went to the backend with the client's sequence number moved on
 * by the header's length @p hlen; the client knows its own numbers, so
 * the quote gets them back (a kernel checks that a quoted sequence
 * number is in its window). The ICMP checksum, and the quoted TCP
 * checksum where the quote holds it, follow.
 */
static __rte_cold void
quote_unshift(uint8_t *data, const struct sl_pkt_info *pi, const struct sl_pkt_quote *q,
	      uint8_t hlen)
{
	uint8_t *tcp = data + q->ip_off + q->l3_len;
	uint8_t *icsum = data + pi->l2_len + pi->l3_len + 2;
	uint32_t old_seq, seq;
	uint16_t ic, cs, old_cs;

	memcpy(&old_seq, tcp + 4, 4);
	seq = rte_cpu_to_be_32(rte_be_to_cpu_32(old_seq) - hlen);
	memcpy(tcp + 4, &seq, 4);
	memcpy(&ic, icsum, 2);
	ic = sl_csum_update32(ic, old_seq, seq);
	if (q->l4_len >= 18) {
		memcpy(&old_cs, tcp + 16, 2);
		cs = sl_csum_update32(old_cs, old_seq, seq);
		memcpy(tcp + 16, &cs, 2);
		ic = sl_csum_update16(ic, old_cs, cs);
	}
	memcpy(icsum, &ic, 2);
}

static __rte_cold void
icmp_err(struct sl_worker *w, const struct sl_snapshot *snap, struct rte_mbuf *m,
	 uint8_t *data, const struct sl_pkt_info *pi, uint16_t pidx, int redirected,
	 int to_vip)
{
	const struct sl_backend *be;
	struct sl_pkt_quote q;
	struct sl_flow_key k;
	struct sl_conn *c;
	unsigned owner;
	int r, dir, local;

	r = sl_pkt_icmp_quote(data, rte_pktmbuf_data_len(m), pi, &q);
	if (r != 0) {
		drop(w, m, (enum sl_drop)r);
		return;
	}
	/* an error goes to the source of the packet it quotes */
	if (unlikely(q.src != pi->dst)) {
		drop(w, m, SL_DROP_ICMP_NO_FLOW);
		return;
	}
	local = !to_vip && snap->n_local != 0 && sl_svc_is_local(snap, q.src);
	owner = local ? lport_owner(q.sport, snap->n_workers) :
		owner_of(to_vip ? q.dst : q.src, snap->n_workers);
	if (owner != w->id && !redirected) {
		pass_on(w, snap, owner, m, pidx);
		return;
	}
	if (unlikely(((struct rte_ipv4_hdr *)(data + pi->l2_len))->time_to_live <= 1)) {
		drop(w, m, SL_DROP_TTL);
		return;
	}
	k = (struct sl_flow_key){
		.src = q.dst, .dst = q.src, .sport = q.dport, .dport = q.sport,
		.proto = q.proto,
	};
	c = sl_flow_lookup(w->flows, &k, &dir);
	if (c == NULL && local && snap->nat64 && w->flows6 != NULL) {
		sl_fwd64_icmp_err(w, snap, m, data, pi, &q);
		return;
	}
	if (c == NULL && to_vip) {
		/* a dr/tunnel service that schedules without state finds the
		 * connection's backend by its hash, as the next packet would */
		const struct sl_service *svc = sl_svc_lookup(snap, q.src, q.sport, q.proto);
		int bi;

		if (svc == NULL || !svc->stateless ||
		    (bi = svc->sched->pick(&svc->ss, sl_svc_ws(snap, w->id, svc),
					   sched_hash(svc, &k), w->be_stats)) < 0) {
			drop(w, m, SL_DROP_ICMP_NO_FLOW);
			return;
		}
		capture(w, m, svc->id, pidx);
		w->stats.icmp_relayed++;
		oneway_send(w, snap, &svc->backends[bi], svc->mode, m, data, pi, pidx, svc->id);
		return;
	}
	if (c == NULL || dir != (to_vip ? SL_DIR_ORIG : SL_DIR_REPLY)) {
		drop(w, m, SL_DROP_ICMP_NO_FLOW);
		return;
	}
	be = snap->by_slot[c->be];
	if (unlikely(be == NULL || be->gen != c->be_gen)) {
		/* its backend is gone: the connection's next packet resets it */
		drop(w, m, SL_DROP_ICMP_NO_FLOW);
		return;
	}
	capture(w, m, c->svc, pidx);
	if (SL_MODE_ONEWAY(c->mode)) {
		/* the backend holds the VIP: the error is about its own
		 * packet as it sent it, and goes to it unchanged */
		count_in(w, c->svc, c->be, m);
		w->stats.icmp_relayed++;
		oneway_send(w, snap, be, c->mode, m, data, pi, pidx, c->svc);
		return;
	}
	w->stats.icmp_relayed++;
	if (!to_vip) {
		count_out(w, c->svc, c->be, m);
		if (c->mode == SL_MODE_FULLNAT)
			sl_nat_icmp_err_fullnat(data, pi, &q, c->cip, c->cport, c->vip, c->vport);
		else
			sl_nat_icmp_err(data, pi, &q, 0, c->vip, c->vport);
		if (unlikely(c->pp & SL_PP_SENT) && q.proto == IPPROTO_TCP)
			quote_unshift(data, pi, &q, w->pp[sl_flow_index(w->flows, c)].hlen);
		sl_nat_set_macs(data, &c->cmac, &snap->ports[c->in_port].mac);
		capture(w, m, c->svc, c->in_port);
		tx(w, c->in_port, m);
		return;
	}
	count_in(w, c->svc, c->be, m);
	if (c->mode == SL_MODE_FULLNAT)
		sl_nat_icmp_err_fullnat(data, pi, &q, c->bip, c->bport, c->lip, c->lport);
	else
		sl_nat_icmp_err(data, pi, &q, 1, c->bip, c->bport);
	to_backend(w, snap, m, data, be, c->svc);
}

static __rte_cold void
icmp_in(struct sl_worker *w, const struct sl_snapshot *snap, struct rte_mbuf *m,
	uint8_t *data, const struct sl_pkt_info *pi, uint16_t pidx, int redirected,
	uint64_t now)
{
	int own = sl_svc_own_port(snap, pi->dst);
	int to_vip;

	/* with an exception path, all of the own address is the kernel's */
	if (own >= 0 && snap->ports[own].kernel) {
		to_kernel(w, snap, m, own, pidx, sl_svc_is_peer(snap, pi->src), now);
		return;
	}
	to_vip = sl_svc_is_vip(snap, pi->dst);
	/* dport holds type << 8 | code for ICMP */
	if ((rte_be_to_cpu_16(pi->dport) >> 8) == RTE_IP_ICMP_ECHO_REQUEST &&
	    (own >= 0 || to_vip)) {
		sl_nat_icmp_echo_reply(data, pi);
		w->stats.icmp_echo++;
		tx(w, pidx, m);
		return;
	}
	/* errors about Sluice's own packets have nowhere to go */
	if (own < 0 || to_vip) {
		icmp_err(w, snap, m, data, pi, pidx, redirected, to_vip);
		return;
	}
	drop(w, m, SL_DROP_ICMP);
}

/*
 * The backend this client's earlier connections went to, if its affinity
 * window is open and the backend can still take connections; an affinity
 * to a backend removed or drained is forgotten at once.
 */
static __rte_always_inline const struct sl_backend *
persisted(struct sl_worker *w, const struct sl_snapshot *snap,
	  const struct sl_service *svc, rte_be32_t cip, uint64_t now)
{
	const struct sl_backend *be;
	uint16_t slot;
	uint32_t gen;

	if (!sl_persist_lookup(w->persist, svc->id, cip, now, &slot, &gen))
		return NULL;
	be = snap->by_slot[slot];
	if (be != NULL && be->gen == gen && be->svc == svc->id &&
	    svc->ss.weight[be->index] != 0 &&
	    !sl_sched_full(&svc->ss, w->be_stats, be->index))
		return be;
	sl_persist_del(w->persist, svc->id, cip);
	return NULL;
}

/* TCP sequence fields of a parsed segment, host order. */
static __rte_always_inline void
tcp_seq_of(const uint8_t *data, const struct sl_pkt_info *pi, uint32_t *seq,
	   uint32_t *ack, uint32_t *next)
{
	const struct rte_tcp_hdr *th =
		(const struct rte_tcp_hdr *)(data + pi->l2_len + pi->l3_len);
	uint32_t len = pi->ip_len - pi->l3_len - pi->l4_len;

	*seq = rte_be_to_cpu_32(th->sent_seq);
	*ack = rte_be_to_cpu_32(th->recv_ack);
	/* SYN and FIN take a sequence number each */
	*next = *seq + len + !!(pi->tcp_flags & RTE_TCP_SYN_FLAG) +
		!!(pi->tcp_flags & RTE_TCP_FIN_FLAG);
}

/* Turn @p m into a RST and send it out of port index @p pidx. */
static __rte_cold void
send_rst(struct sl_worker *w, const struct sl_snapshot *snap, struct rte_mbuf *m,
	 uint16_t pidx, const struct rte_ether_addr *dst_mac, rte_be32_t saddr,
	 rte_be32_t daddr, rte_be16_t sport, rte_be16_t dport, uint32_t seq,
	 uint32_t ack, int ack_flag)
{
	uint16_t len;

	/* the RST is built in the first segment: the rest of a chain goes */
	if (unlikely(m->next != NULL)) {
		rte_pktmbuf_free(m->next);
		m->next = NULL;
	}
	rte_pktmbuf_reset(m);
	len = (uint16_t)sl_nat_tcp_rst(rte_pktmbuf_mtod(m, uint8_t *), dst_mac,
				       &snap->ports[pidx].mac, saddr, daddr, sport,
				       dport, seq, ack, ack_flag);
	m->data_len = len;
	m->pkt_len = len;
	w->stats.rst_sent++;
	tx(w, pidx, m);
}

/*
 * A new TCP connection no backend (or no room in the table) can take:
 * refuse it with a RST from the VIP rather than leave the client waiting
 * and retrying. Counted once per connection: the client does not retry.
 */
static __rte_cold void
refuse(struct sl_worker *w, const struct sl_snapshot *snap, struct rte_mbuf *m,
       uint8_t *data, const struct sl_pkt_info *pi, uint16_t pidx, enum sl_drop why)
{
	struct rte_ether_addr cmac;
	uint32_t seq, ack, next;

	w->stats.drops[why]++;
	if (pi->proto != IPPROTO_TCP) {
		rte_pktmbuf_free(m);
		return;
	}
	tcp_seq_of(data, pi, &seq, &ack, &next);
	rte_ether_addr_copy(&((struct rte_ether_hdr *)data)->src_addr, &cmac);
	send_rst(w, snap, m, pidx, &cmac, pi->dst, pi->src, pi->dport, pi->sport,
		 0, next, 1);
}

/*
 * The backend of connection @p c is gone or its drain time is over:
 * reset both sides, with sequence numbers each side accepts (taken from
 * the packet in hand), and forget the connection.
 */
static __rte_cold void
flush_conn(struct sl_worker *w, const struct sl_snapshot *snap,
	   const struct sl_backend *be, struct sl_conn *c, struct rte_mbuf *m,
	   uint8_t *data, const struct sl_pkt_info *pi, int dir)
{
	struct rte_ether_addr bmac;
	struct rte_mbuf *m2 = NULL;
	uint32_t seq, ack, next;

	w->stats.conns_flushed++;
	if (pi->proto == IPPROTO_TCP) {
		tcp_seq_of(data, pi, &seq, &ack, &next);
		/* the backend counts the client's bytes after a Proxy
		 * Protocol header */
		if (dir == SL_DIR_ORIG && (c->pp & SL_PP_SENT))
			seq += w->pp[sl_flow_index(w->flows, c)].hlen;
		/* a dr/tunnel connection has no address of its own to reset
		 * the backend from (lip 0): only the client is reset, and
		 * the backend's next segment to it meets the client's RST */
		if (be != NULL && be->gen == c->be_gen && !SL_MODE_ONEWAY(c->mode) &&
		    sl_neigh_mac(w->env->neigh, be->neigh, &bmac))
			m2 = rte_pktmbuf_alloc(m->pool);
		if (dir == SL_DIR_ORIG) {
			/* client sent seq S, ack A: the client expects A from
			 * us, the backend expects S from the client */
			if (m2 != NULL)
				send_rst(w, snap, m2, be->out_port, &bmac, c->lip, c->bip,
					 c->lport, c->bport, seq, 0, 0);
			send_rst(w, snap, m, c->in_port, &c->cmac, c->vip, c->cip,
				 c->vport, c->cport, ack, next, 1);
		} else {
			if (m2 != NULL)
				send_rst(w, snap, m2, be->out_port, &bmac, c->lip, c->bip,
					 c->lport, c->bport, ack, next, 1);
			send_rst(w, snap, m, c->in_port, &c->cmac, c->vip, c->cip,
				 c->vport, c->cport, seq, 0, 0);
		}
	} else {
		rte_pktmbuf_free(m);
	}
	conn_gone(w, c);
	sl_flow_del(w->flows, c);
}


/* Whether a NAT64 connection holds reply key @p k (IPv4-mapped in the
 * IPv6 table). */
static __rte_noinline int
nat64_holds(struct sl_worker *w, const struct sl_flow_key *k)
{
	struct sl_flow6_key k6 = { .sport = k->sport, .dport = k->dport, .proto = k->proto };
	int dir;

	k6.src.b[10] = k6.src.b[11] = k6.dst.b[10] = k6.dst.b[11] = 0xff;
	memcpy(&k6.src.b[12], &k->src, 4);
	memcpy(&k6.dst.b[12], &k->dst, 4);
	return sl_flow6_lookup(w->flows6, &k6, &dir) != NULL;
}


/*
 * A fullnat connection for client packet @p pi scheduled to @p be: a
 * local address of the port that reaches the backend (by the client
 * address, so one client keeps to one), and a local port of this
 * worker's slice whose reply key (backend -> local address:port) is
 * free: the add itself finds a taken key, so the usual case costs no
 * more than a NAT connection's add. A port is free again as soon as its
 * connection leaves the table (after TIME_WAIT for TCP). NULL when no
 * port was found or the table is full.
 */
static __rte_noinline struct sl_conn *
fullnat_add(struct sl_worker *w, const struct sl_snapshot *snap,
	    const struct sl_pkt_info *pi, const struct sl_backend *be, uint64_t now)
{
	const struct sl_port_info *op = &snap->ports[be->out_port];
	const struct sl_lport_slice *ls;
	unsigned tries;
	struct sl_flow_key key = {
		.src = be->addr, .sport = be->port, .proto = pi->proto,
	};

	if (unlikely(op->n_local == 0))
		return NULL;
	key.dst = fullnat_local(op, pi->src);
	ls = lport_slice(w);
	if (ls == NULL)
		return NULL;
	tries = RTE_MIN(ls->count, (uint32_t)LPORT_TRIES);
	if (unlikely(sl_flow_count(w->flows) >= sl_flow_capacity(w->flows)))
		return NULL;
	for (; tries > 0; tries--) {
		struct sl_conn *c;

		key.dport = lport_at(ls, w->lport_next++);
		/* a NAT64 connection may hold this reply key (IPv6 table) */
		if (unlikely(snap->nat64) && w->flows6 != NULL && nat64_holds(w, &key))
			continue;
		/* with room in the table, only a taken reply key refuses it */
		c = sl_flow_add_local(w->flows, pi->src, pi->sport, pi->dst, pi->dport,
				      be->addr, be->port, key.dst, key.dport, pi->proto, now);
		if (c != NULL)
			return c;
	}
	return NULL;
}

/*
 * The limits of @p svc for a client packet that matches no connection
 * and would open one (or, dr/tunnel, a RST passing without a record),
 * before anything is scheduled or allocated: the allow/deny lists (a
 * refused client gets nothing, not even a RST; its connections opened
 * before a reload denied it carry on, they are not looked at again),
 * then the per-client rate, for a packet that opens a connection
 * (refused as a full table refuses one). Returns 1 when it took the
 * packet (counted), 0 when the packet goes on.
 */
static __rte_noinline int
limited(struct sl_worker *w, const struct sl_snapshot *snap, const struct sl_service *svc,
	struct rte_mbuf *m, uint8_t *data, const struct sl_pkt_info *pi, uint16_t pidx,
	uint64_t now)
{
	uint8_t f = pi->tcp_flags & (RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG | RTE_TCP_RST_FLAG);
	int syn = pi->proto != IPPROTO_TCP || f == RTE_TCP_SYN_FLAG;

	if ((svc->limits & SL_SVC_LIMIT_ACL) &&
	    !sl_svc_acl_pass(svc, rte_be_to_cpu_32(pi->src))) {
		w->svc_stats[svc->id].acl_denied++;
		w->svc_stats[svc->id].drops++;
		drop(w, m, SL_DROP_ACL_DENIED);
		return 1;
	}
	/* a token for what opens a connection: a SYN, a datagram, or (dr
	 * and tunnel scheduling by hash) the middle of one */
	if (!(svc->limits & SL_SVC_LIMIT_RATE) ||
	    (!syn && !(svc->stateless && !(pi->tcp_flags & (RTE_TCP_SYN_FLAG | RTE_TCP_RST_FLAG)))) ||
	    rate_pass4(w, svc, pi->src, now))
		return 0;
	w->svc_stats[svc->id].rate_limited++;
	w->svc_stats[svc->id].drops++;
	if (syn)
		refuse(w, snap, m, data, pi, pidx, SL_DROP_RATE_LIMITED);
	else
		drop(w, m, SL_DROP_RATE_LIMITED);
	return 1;
}

/* The burst's filter bit of client key @p k (key_bit_of()). */
static __rte_always_inline uint64_t
key_bit(const struct sl_flow_key *k)
{
	return key_bit_of(k->src ^ k->dst ^ ((uint32_t)k->sport << 16 | k->dport));
}

/* A client packet for a service: use or make its connection, DNAT it.
 * @p svc is its service when the burst looked it up (&sl_fwd_no_svc:
 * the port has none), or NULL: looked up here when no connection takes
 * the packet. Returns FC_* flags telling the caller which
 * lookups went stale. */
static __rte_always_inline int
from_client(struct sl_worker *w, const struct sl_snapshot *snap,
	    const struct sl_service *svc, struct rte_mbuf *m, uint8_t *data,
	    const struct sl_pkt_info *pi, uint16_t pidx, uint64_t now,
	    const struct sl_flow_key *k, struct sl_conn *c, int dir, uint64_t *added)
{
	const struct sl_backend *be;
	struct sl_sp_open spo;
	uint64_t macw;
	int ret = 0, sp = SP_PASS;

	if (c != NULL) {
		be = snap->by_slot[c->be];
		if (unlikely(pi->proto == IPPROTO_TCP &&
			     (pi->tcp_flags & (RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG)) == RTE_TCP_SYN_FLAG &&
			     (c->state == SL_CS_TIME_WAIT || c->state == SL_CS_CLOSE ||
			      (c->state == SL_CS_FIN_WAIT && c->lip == 0)))) {
			/* the client reuses its port: a new connection (one
			 * direction: its FIN is the last Sluice sees) */
			conn_gone(w, c);
			sl_flow_del(w->flows, c);
			c = NULL;
			ret |= FC_DELETED;
		} else if (unlikely(be == NULL || be->gen != c->be_gen || be->flush ||
				    be->down)) {
			if (be != NULL && be->gen == c->be_gen && !be->flush) {
				/*
				 * The backend failed its checks. TCP connections
				 * carry on (as with IPVS); a UDP flow has no end
				 * and would live on as long as the client sends,
				 * so it is scheduled anew.
				 */
				if (pi->proto == IPPROTO_UDP && dir == SL_DIR_ORIG) {
					conn_gone(w, c);
					sl_flow_del(w->flows, c);
					c = NULL;
					ret |= FC_DELETED;
				}
			} else if (dir == SL_DIR_ORIG) {
				/* backend gone, or its drain time over */
				flush_conn(w, snap, be, c, m, data, pi, SL_DIR_ORIG);
				return ret | FC_DELETED;
			}
		}
	}
	if (c == NULL) {
		int bi, midstream = 0, lim_done = 0;

		if (svc == NULL)
			svc = sl_svc_lookup(snap, pi->dst, pi->dport, pi->proto);
		if (unlikely(svc == NULL || svc == &sl_fwd_no_svc)) {
			drop(w, m, SL_DROP_NO_SERVICE);
			return ret;
		}
		if (unlikely(svc->synproxy != SL_SYNPROXY_OFF) && pi->proto == IPPROTO_TCP) {
			/* a SYN meets the service's limits before its cookie */
			if ((pi->tcp_flags & (RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG | RTE_TCP_RST_FLAG)) ==
			    RTE_TCP_SYN_FLAG && (svc->limits & (SL_SVC_LIMIT_ACL | SL_SVC_LIMIT_RATE))) {
				if (limited(w, snap, svc, m, data, pi, pidx, now))
					return ret;
				lim_done = 1;
			}
			sp = sl_fwd_sp_new(w, snap, svc, m, data, pi, pidx, now, &spo);
			if (sp == SP_TAKEN)
				return ret;
		}
		if (pi->proto == IPPROTO_TCP && likely(sp != SP_OPEN) &&
		    (pi->tcp_flags & (RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG | RTE_TCP_RST_FLAG)) !=
		    RTE_TCP_SYN_FLAG) {
			/*
			 * The middle of a connection Sluice does not know. A
			 * dr/tunnel service that schedules by hash alone sends
			 * it where the connection went before (a restart, or
			 * another instance behind ECMP, with the same backends)
			 * and keeps it from here on; a RST passes without a
			 * record. Elsewhere it is dropped.
			 */
			if (!svc->stateless || (pi->tcp_flags & RTE_TCP_SYN_FLAG)) {
				w->svc_stats[svc->id].drops++;
				drop(w, m, SL_DROP_NO_FLOW);
				return ret;
			}
			if (pi->tcp_flags & RTE_TCP_RST_FLAG) {
				if ((svc->limits & SL_SVC_LIMIT_ACL) &&
				    limited(w, snap, svc, m, data, pi, pidx, now))
					return ret;
				bi = svc->sched->pick(&svc->ss, sl_svc_ws(snap, w->id, svc),
						      sched_hash(svc, k), w->be_stats);
				if (bi < 0) {
					w->svc_stats[svc->id].drops++;
					drop(w, m, SL_DROP_NO_BACKEND);
					return ret;
				}
				capture(w, m, svc->id, pidx);
				oneway_send(w, snap, &svc->backends[bi], svc->mode, m, data, pi,
					    pidx, svc->id);
				return ret;
			}
			midstream = 1;
		}
		be = NULL;
		/* the service's limits, then its affinities: one test for a
		 * service with neither */
		if (svc->limits != 0) {
			if ((svc->limits & (SL_SVC_LIMIT_ACL | SL_SVC_LIMIT_RATE)) && !lim_done &&
			    limited(w, snap, svc, m, data, pi, pidx, now))
				return ret;
			if (svc->persist_s != 0)
				be = persisted(w, snap, svc, pi->src, now);
		}
		if (be == NULL) {
			/* the middle of a connection goes where the hash says,
			 * whatever the backend's max_conns: it is there already */
			bi = (likely(!midstream) ? svc->pick : svc->sched->pick)
				(&svc->ss, sl_svc_ws(snap, w->id, svc), sched_hash(svc, k),
				 w->be_stats);
			if (unlikely(bi < 0)) {
				enum sl_drop why = no_pick(svc);

				w->svc_stats[svc->id].drops++;
				w->svc_stats[svc->id].backend_full += why == SL_DROP_BACKEND_FULL;
				refuse(w, snap, m, data, pi, pidx, why);
				return ret;
			}
			be = &svc->backends[bi];
		}
		if (svc->persist_s != 0)
			sl_persist_set(w->persist, svc->id, pi->src, be->slot, be->gen,
				       now + (uint64_t)svc->persist_s * w->env->hz);
		/* the burst loop looked this key up after any add before it */
		if (svc->mode == SL_MODE_NAT)
			c = sl_flow_add_new(w->flows, pi->src, pi->sport, pi->dst, pi->dport,
					    be->addr, be->port, pi->proto, now);
		else if (svc->mode == SL_MODE_FULLNAT)
			c = fullnat_add(w, snap, pi, be, now);
		else
			c = sl_flow_add_oneway(w->flows, pi->src, pi->sport, pi->dst,
					       pi->dport, be->addr, be->port, pi->proto, now);
		if (unlikely(c == NULL)) {
			if (svc->stateless) {
				/* no room for a record: a service that schedules
				 * by hash alone forwards by hash without one, and
				 * the connection's next packets find the same
				 * backend the same way */
				w->stats.stateless++;
				count_in(w, svc->id, be->slot, m);
				capture(w, m, svc->id, pidx);
				oneway_send(w, snap, be, svc->mode, m, data, pi, pidx, svc->id);
				return ret;
			}
			w->svc_stats[svc->id].drops++;
			refuse(w, snap, m, data, pi, pidx,
			       add_refused(svc->mode, sl_flow_count(w->flows) >=
						      sl_flow_capacity(w->flows)));
			return ret;
		}
		if (unlikely(midstream)) {
			c->state = SL_CS_ESTABLISHED;
			w->stats.conns_midstream++;
		}
		c->mode = svc->mode;
		w->stats.local_ports += svc->mode == SL_MODE_FULLNAT;
		if (unlikely(svc->pp != 0) && pi->proto == IPPROTO_TCP) {
			sl_fwd_pp_begin(w, c, data, pi, svc->pp);
			/* opened by a cookie ACK: its sequence number is ISN+1 */
			if (sp == SP_OPEN)
				w->pp[sl_flow_index(w->flows, c)].isn = spo.isn;
		}
		ret |= FC_ADDED;
		*added |= key_bit(k);
		c->svc = svc->id;
		c->be = be->slot;
		c->be_gen = be->gen;
		c->in_port = pidx;
		w->stats.conns_created++;
		w->svc_stats[svc->id].conns_total++;
		w->svc_stats[svc->id].conns_active++;
		w->be_stats[be->slot].conns_total++;
		w->be_stats[be->slot].conns_active++;
	} else if (unlikely(dir != SL_DIR_ORIG)) {
		drop(w, m, SL_DROP_NO_FLOW);
		return ret;
	} else if (unlikely(c->pp & SL_SP_PENDING)) {
		/* the backend's handshake is not done: the client's first
		 * data waits, the rest goes */
		sl_fwd_sp_hold(w, c, m, pi);
		return ret;
	}
	/* replies go back to whichever hop the client's packets came from */
	rte_ether_addr_copy(&((struct rte_ether_hdr *)data)->src_addr, &c->cmac);
	c->in_port = pidx;
	if (unlikely(sp == SP_OPEN)) {
		/* opened by a SYN cookie: the backend gets its own SYN */
		capture(w, m, c->svc, pidx);
		sl_fwd_sp_open(w, snap, c, be, m, pi, &spo, now);
		return ret;
	}
	sl_flow_touch(w->flows, c, SL_DIR_ORIG, pi->tcp_flags, now);

	count_in(w, c->svc, c->be, m);

	capture(w, m, c->svc, pidx);
	if (SL_MODE_ONEWAY(c->mode)) {
		oneway_send(w, snap, be, c->mode, m, data, pi, pidx, c->svc);
		return ret;
	}
	if (unlikely(c->pp & SL_SP_ON))
		sl_fwd_sp_client(w, c, data, pi);
	if (likely(c->mode == SL_MODE_NAT))
		sl_nat_dnat(data, pi, be->addr, be->port);
	else
		sl_nat_fullnat(data, pi, c->lip, c->lport, be->addr, be->port);
	macw = sl_neigh_word(w->env->neigh, be->neigh);
	if (unlikely(!(macw & SL_NEIGH_VALID))) {
		/* the management lcore holds it until ARP answers (a Proxy
		 * Protocol header waits for a packet sent the usual way) */
		if (unlikely(c->pp != 0))
			sl_fwd_pp_client(w, c, m, data, pi, -1, now);
		/* (its destination MAC written once ARP answers) */
		rte_ether_addr_copy(&snap->ports[be->out_port].mac,
				    &((struct rte_ether_hdr *)data)->src_addr);
		m->port = snap->ports[be->out_port].port_id;
		to_mgmt(w, m, be->neigh);
		return ret;
	}
	sl_nat_set_macs8(data, macw, snap->ports[be->out_port].mac_ip4);
	if (unlikely(c->pp != 0))
		sl_fwd_pp_client(w, c, m, data, pi, be->out_port, now);
	capture(w, m, c->svc, be->out_port);
	tx(w, be->out_port, m);
	return ret;
}

/*
 * A backend's packet while Sluice's handshake with it runs (SYN proxy):
 * its SYN-ACK ends it, then the client's data that waited goes the
 * usual way. Returns FC_* flags.
 */
static __rte_noinline int
sp_synack(struct sl_worker *w, const struct sl_snapshot *snap, struct sl_conn *c,
	  struct rte_mbuf *m, uint8_t *data, const struct sl_pkt_info *pi, uint64_t now)
{
	struct rte_mbuf *held;
	struct sl_pkt_info hpi;
	uint8_t *hd;
	int r = sl_fwd_sp_synack(w, snap, c, m, data, pi, now, &held);

	if (r < 0)
		return FC_DELETED;
	if (held == NULL)
		return 0;
	hd = rte_pktmbuf_mtod(held, uint8_t *);
	if (sl_pkt_parse(hd, rte_pktmbuf_data_len(held), 0, &hpi) != 0) {
		drop(w, held, SL_DROP_SP_WAIT);
		return 0;
	}
	return from_client(w, snap, &snap->services[c->svc], held, hd, &hpi, c->in_port, now,
			   &hpi.key, c, SL_DIR_ORIG, &(uint64_t){ 0 });
}

/* A packet not for a VIP or for us: a backend's reply, or nothing.
 * Returns FC_DELETED when it removed the connection. */
static __rte_always_inline int
from_backend(struct sl_worker *w, const struct sl_snapshot *snap,
	     struct rte_mbuf *m, uint8_t *data, const struct sl_pkt_info *pi,
	     uint16_t pidx, uint64_t now, struct sl_conn *c, int dir)
{
	const struct sl_backend *be;
	uint64_t cmac8;

	if (unlikely(c == NULL || dir != SL_DIR_REPLY)) {
		/* for a local address but no IPv4 connection: a NAT64
		 * connection's reply, or the kernel's own (health checks of
		 * fullnat services leave from there) */
		if (snap->nat64 && w->flows6 != NULL && c == NULL &&
		    sl_fwd64_reply(w, snap, m, pi, now))
			return 0;
		if (snap->n_local != 0 && snap->ports[pidx].kernel &&
		    sl_svc_is_local(snap, pi->dst))
			to_kernel(w, snap, m, pidx, pidx, sl_svc_is_peer(snap, pi->src), now);
		else
			drop(w, m, SL_DROP_NO_FLOW);
		return 0;
	}
	be = snap->by_slot[c->be];
	if (unlikely(be == NULL || be->gen != c->be_gen || be->flush)) {
		flush_conn(w, snap, be, c, m, data, pi, SL_DIR_REPLY);
		return FC_DELETED;
	}
	if (unlikely(c->pp & SL_SP_PENDING))
		return sp_synack(w, snap, c, m, data, pi, now);
	sl_flow_touch(w->flows, c, SL_DIR_REPLY, pi->tcp_flags, now);
	count_out(w, c->svc, c->be, m);
	capture(w, m, c->svc, pidx);
	if (unlikely(c->pp != 0)) {
		sl_fwd_pp_backend(w, snap, c, data, pi);
		if (c->pp & SL_SP_ON)
			sl_fwd_sp_backend(w, c, data, pi);
	}
	if (likely(c->mode == SL_MODE_NAT))
		sl_nat_snat(data, pi, c->vip, c->vport);
	else
		sl_nat_fullnat(data, pi, c->vip, c->vport, c->cip, c->cport);
	memcpy(&cmac8, &c->cmac, sizeof(cmac8));
	sl_nat_set_macs8(data, cmac8, snap->ports[c->in_port].mac_ip4);
	capture(w, m, c->svc, c->in_port);
	tx(w, c->in_port, m);
	return 0;
}

const struct sl_service sl_fwd_no_svc;

/* A packet that passed classification and needs its connection. */
struct flow_pkt {
	struct rte_mbuf *m;
	/* a client's packet (to a VIP): its service, looked up only when
	 * no connection matched (NULL until then, &sl_fwd_no_svc when the
	 * port has none); NULL for the others */
	const struct sl_service *svc;
	uint16_t pidx;
	uint8_t client;
	struct sl_pkt_info pi;
};

/*
 * The parser's flags from the NIC's checksum verdicts, one table lookup
 * per packet instead of three tests: bits 3..8 of ol_flags hold L4 BAD
 * (bit 3), IP BAD (4), IP GOOD (7) and L4 GOOD (8); both bits of a pair
 * set means "not checked" (NONE), neither "unknown".
 */
_Static_assert(RTE_MBUF_F_RX_L4_CKSUM_BAD == 1ULL << 3 && RTE_MBUF_F_RX_IP_CKSUM_BAD == 1ULL << 4 &&
	       RTE_MBUF_F_RX_IP_CKSUM_GOOD == 1ULL << 7 && RTE_MBUF_F_RX_L4_CKSUM_GOOD == 1ULL << 8,
	       "checksum verdict bits moved: rebuild csum_flags");
#define CS_ONLY(i, yes, no) ((((i) >> (yes)) & 1) && !(((i) >> (no)) & 1))
#define CS(i) (uint8_t)((CS_ONLY(i, 4, 1) ? SL_PKT_F_IP_CSUM_GOOD : 0) | \
			(CS_ONLY(i, 1, 4) ? SL_PKT_F_IP_CSUM_BAD : 0) | \
			(CS_ONLY(i, 0, 5) ? SL_PKT_F_L4_CSUM_BAD : 0))
#define CS4(i) CS(i), CS((i) + 1), CS((i) + 2), CS((i) + 3)
#define CS16(i) CS4(i), CS4((i) + 4), CS4((i) + 8), CS4((i) + 12)
static const uint8_t csum_flags[64] = { CS16(0), CS16(16), CS16(32), CS16(48) };
#undef CS16
#undef CS4
#undef CS
#undef CS_ONLY

/*
 * ARP, for the management lcore: requests for an address that is not
 * Sluice's (not its ports', VIPs', local addresses') are dropped here,
 * gratuitous ones (sender = target: a neighbour announcing a new MAC)
 * excepted, so that the broadcast ARP of a large segment costs the
 * management lcore nothing; requests and the rest each within their
 * slow-path budget.
 */
static __rte_cold void
arp_in(struct sl_worker *w, const struct sl_snapshot *snap, struct rte_mbuf *m,
       const uint8_t *data, uint16_t pidx, uint64_t now)
{
	const uint8_t *a = data + RTE_ETHER_HDR_LEN;
	rte_be32_t spa, tpa;

	if (rte_pktmbuf_data_len(m) < RTE_ETHER_HDR_LEN + 28) {
		drop(w, m, SL_DROP_ARP_BAD);
		return;
	}
	if (sl_ld16(a + 6) == RTE_BE16(RTE_ARP_OP_REQUEST)) {
		memcpy(&spa, a + 14, 4);
		memcpy(&tpa, a + 24, 4);
		if (spa != tpa && sl_svc_own_port(snap, tpa) < 0 && !sl_svc_is_vip(snap, tpa) &&
		    !sl_svc_is_local(snap, tpa)) {
			drop(w, m, SL_DROP_NEIGH_OTHER);
			return;
		}
		if (!slowpath_admit(w, m, pidx, SL_SP_NEIGH_REQ, now))
			return;
	} else if (!slowpath_admit(w, m, pidx, SL_SP_NEIGH, now)) {
		return;
	}
	to_mgmt(w, m, SL_MGMT_SLOWPATH);
}

/* Whether the 6 bytes at @p p are @p mac: a 4-byte and a 2-byte compare
 * (rte_is_same_ether_addr() makes three of 2 bytes). */
static __rte_always_inline int
mac_is(const uint8_t *p, const struct rte_ether_addr *mac)
{
	uint32_t a0, b0;
	uint16_t a1, b1;

	memcpy(&a0, p, 4);
	memcpy(&a1, p + 4, 2);
	memcpy(&b0, mac->addr_bytes, 4);
	memcpy(&b1, mac->addr_bytes + 4, 2);
	return ((a0 ^ b0) | (uint32_t)(a1 ^ b1)) == 0;
}

/*
 * First stage: validate and sort out everything that needs no flow
 * lookup (drops, ARP, ICMP, packets owned by another worker). Returns
 * 1 when the packet goes on to the flow stage, filled in @p fp; an IPv6
 * frame goes to the IPv6 stage, added to @p v6 (@p n6 of them so far).
 */
static __rte_always_inline int
classify(struct sl_worker *w, const struct sl_snapshot *snap, struct rte_mbuf *m,
	 uint16_t pidx, int redirected, struct flow_pkt *fp, struct sl_fwd6_in *v6,
	 unsigned *n6, uint64_t now)
{
	uint8_t *data = rte_pktmbuf_mtod(m, uint8_t *);
	struct sl_pkt_info *pi = &fp->pi;
	unsigned flags, owner;
	int r, own, client = 0;

	/* promiscuous ports (af_packet, switches flooding) show us frames
	 * for other hosts: only our MAC, broadcast and multicast are ours */
	if (unlikely(rte_pktmbuf_data_len(m) >= RTE_ETHER_HDR_LEN &&
		     !mac_is(data, &snap->ports[pidx].mac) &&
		     !rte_is_multicast_ether_addr(&((struct rte_ether_hdr *)data)->dst_addr))) {
		drop(w, m, SL_DROP_OTHER_HOST);
		return 0;
	}
	flags = csum_flags[(m->ol_flags >> 3) & 0x3f];

	r = sl_pkt_parse_inline(data, rte_pktmbuf_data_len(m), flags, pi);
	if (unlikely(r != 0)) {
		/* a frame in chained buffers: parsed and rewritten whole once
		 * joined into one (headers never read from a first segment
		 * alone), dropped and counted when it does not fit */
		if (m->nb_segs > 1) {
			if (rte_pktmbuf_linearize(m) != 0) {
				drop(w, m, SL_DROP_MULTI_SEG);
				return 0;
			}
			data = rte_pktmbuf_mtod(m, uint8_t *);
			r = sl_pkt_parse(data, rte_pktmbuf_data_len(m), flags, pi);
		}
		if (r != 0) {
			drop(w, m, (enum sl_drop)r);
			return 0;
		}
	}
	/*
	 * A VLAN port's tags came off in vlan_pop_burst(): a tag still in
	 * the frame is on a port without one, or a second tag. A tag the NIC
	 * stripped (RTE_MBUF_F_RX_VLAN_STRIPPED) can only be on a port with
	 * stripping turned on, and Sluice turns it on nowhere, so only
	 * vlan_pop() looks for one.
	 */
	if (unlikely(pi->l2_len != RTE_ETHER_HDR_LEN)) {
		drop(w, m, SL_DROP_VLAN_TAGGED);
		return 0;
	}
	if (unlikely(pi->kind != SL_PKT_IPV4)) {
		if (pi->kind == SL_PKT_ARP)
			arp_in(w, snap, m, data, pidx, now);
		else
			v6[(*n6)++] = (struct sl_fwd6_in){ .m = m, .pidx = pidx,
							   .flags = (uint8_t)flags };
		return 0;
	}
	if (unlikely(pi->proto == IPPROTO_ICMP)) {
		icmp_in(w, snap, m, data, pi, pidx, redirected, now);
		return 0;
	}
	if (sl_svc_is_vip(snap, pi->dst)) {
		/* a client's packet: the client is the source. Its service
		 * matters only to a packet no connection matches (the
		 * connection knows its own), so it is looked up then. */
		client = 1;
		owner = owner_of(pi->src, snap->n_workers);
	} else if (unlikely((own = sl_svc_own_port(snap, pi->dst)) >= 0)) {
		to_kernel(w, snap, m, own, pidx, sl_svc_is_peer(snap, pi->src), now);
		return 0;
	} else if (unlikely(snap->n_local != 0) && sl_svc_is_local(snap, pi->dst)) {
		/* a fullnat reply: its local port names the worker that
		 * chose it */
		owner = lport_owner(pi->dport, snap->n_workers);
	} else {
		/* a reply, if anything: the client is the destination */
		owner = owner_of(pi->dst, snap->n_workers);
	}
	if (owner != w->id && !redirected) {
		/* a VIP port without a service (a port scan) ends here, not
		 * in another worker's ring */
		if (client && sl_svc_lookup(snap, pi->dst, pi->dport, pi->proto) == NULL) {
			drop(w, m, SL_DROP_NO_SERVICE);
			return 0;
		}
		pass_on(w, snap, owner, m, pidx);
		return 0;
	}
	if (unlikely(((struct rte_ipv4_hdr *)(data + pi->l2_len))->time_to_live <= 1)) {
		drop(w, m, SL_DROP_TTL);
		return 0;
	}
	fp->m = m;
	fp->svc = NULL;
	fp->pidx = pidx;
	fp->client = (uint8_t)client;
	return 1;
}

/*
 * The connections a burst is about to open (clients' packets that found
 * none, TCP ones SYNs). Each one's reply key goes into buckets nothing
 * has loaded yet: the one cache miss of a SYN the burst's lookup did not
 * overlap, and most of its cost. Guess each one's backend as the
 * scheduler would pick it, without picking, and have that reply key's
 * buckets and the record the connection takes loaded meanwhile; a wrong
 * guess costs only those loads. nat and fullnat services (a fullnat
 * connection takes the next local port in turn); dr and tunnel keep no
 * reply key.
 */
static __rte_noinline void
prefetch_adds(struct sl_worker *w, const struct sl_snapshot *snap,
	      struct flow_pkt *fp, struct sl_conn *const *conns, unsigned nf)
{
	struct add_guesses g = { 0 };
	unsigned i, ahead = 0;

	for (i = 0; i < nf; i++) {
		const struct sl_service *svc;
		const struct sl_flow_key *k = &fp[i].pi.key;
		const struct sl_backend *be;
		struct sl_flow_key kr;

		if (conns[i] != NULL || !fp[i].client)
			continue;
		/* looked up once here for from_client() too */
		svc = sl_svc_lookup(snap, fp[i].pi.dst, fp[i].pi.dport, fp[i].pi.proto);
		fp[i].svc = svc != NULL ? svc : &sl_fwd_no_svc;
		if (!add_wanted(svc, fp[i].pi.proto, fp[i].pi.tcp_flags) ||
		    (be = add_guess(w, snap, svc, sched_hash(svc, k), &g)) == NULL)
			continue;
		kr = (struct sl_flow_key){
			.src = be->addr, .dst = k->src,
			.sport = be->port, .dport = k->sport, .proto = k->proto,
		};
		if (svc->mode == SL_MODE_FULLNAT) {
			/* to a local address and the local port of its turn */
			const struct sl_port_info *op = &snap->ports[be->out_port];

			if (op->n_local == 0 || !guess_lport(w, &g, &kr.dport))
				continue;
			kr.dst = fullnat_local(op, k->src);
		}
		sl_flow_prefetch_add(w->flows, &kr, ahead++);
	}
}

/*
 * A burst, in three stages: classify every packet, look all their
 * connections up at once (the flow index pipelines the bucket loads of
 * the whole burst), then act on each; IPv6 packets the same way, in
 * stages of their own (sl_fwd6_burst()). @p pidx is the port the burst came
 * from, or -1 when each packet's mbuf port says (redirected packets).
 */
void
sl_fwd_burst(struct sl_worker *w, const struct sl_snapshot *snap,
	     struct rte_mbuf **pkts, unsigned n, int pidx, uint64_t now)
{
	struct flow_pkt fp[SL_BURST];
	const struct sl_flow_key *kp[SL_BURST];
	struct sl_conn *conns[SL_BURST];
	struct sl_fwd6_in v6[SL_BURST];
	int dirs[SL_BURST];
	unsigned i, nf = 0, n6 = 0;
	int changed = 0;
	uint64_t added = 0;

	/* frames from other workers lost their tags where they came in */
	if (unlikely(pidx >= 0 && w->vlan[pidx] != 0))
		n = vlan_pop_burst(w, pkts, n, w->vlan[pidx]);
	for (i = 0; i < n; i++) {
		uint16_t p = pidx >= 0 ? (uint16_t)pidx :
			(uint16_t)w->env->port_index[pkts[i]->port];

		if (i + 1 < n)
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i + 1], void *));
		if (!classify(w, snap, pkts[i], p, pidx < 0, &fp[nf], v6, &n6, now))
			continue;
		/* both directions are looked up by the packet as it arrives */
		kp[nf] = &fp[nf].pi.key;
		nf++;
	}
	/* IPv6 in a stage of its own, on its own table: the order of IPv4
	 * and IPv6 packets between them does not matter */
	if (unlikely(n6 != 0))
		sl_fwd6_burst(w, snap, v6, n6, pidx < 0, now);
	if (nf == 0)
		return;
	/* (the lookup has the records on their way into the cache) */
	if (sl_flow_lookup_bulk(w->flows, kp, nf, conns, dirs) != (int)nf)
		prefetch_adds(w, snap, fp, conns, nf);
	for (i = 0; i < nf; i++) {
		struct flow_pkt *f = &fp[i];
		uint8_t *data = rte_pktmbuf_mtod(f->m, uint8_t *);

		/* an earlier packet of this burst may have opened the
		 * connection this one missed (its key is in @c added), or
		 * (port reuse) removed one it found */
		if ((changed & FC_DELETED) ||
		    (conns[i] == NULL && (added & key_bit(&f->pi.key)) != 0))
			conns[i] = sl_flow_lookup(w->flows, &f->pi.key, &dirs[i]);
		if (f->client) {
			changed |= from_client(w, snap, f->svc, f->m, data, &f->pi,
					       f->pidx, now, &f->pi.key, conns[i], dirs[i], &added);
		} else {
			changed |= from_backend(w, snap, f->m, data, &f->pi, f->pidx,
						now, conns[i], dirs[i]);
		}
	}
}

static void
on_expire(const struct sl_conn *c, void *arg)
{
	conn_gone(arg, c);
}

static void
flush_redirects(struct sl_worker *w, unsigned n_workers)
{
	unsigned o, sent;

	for (o = 0; o < n_workers; o++) {
		if (w->redir_n[o] == 0)
			continue;
		sent = rte_ring_sp_enqueue_burst(w->redir_out[o],
						 (void **)w->redir_buf[o],
						 w->redir_n[o], NULL);
		for (; sent < w->redir_n[o]; sent++)
			drop(w, w->redir_buf[o][sent], SL_DROP_REDIRECT);
		w->redir_n[o] = 0;
	}
}

void
sl_fwd_flush(struct sl_worker *w)
{
	unsigned p;

	flush_redirects(w, w->env->n_workers);
	for (p = 0; p < w->env->n_ports; p++)
		if (w->txb[p]->length != 0)
			sl_fwd_tx_flush(w, (uint16_t)p);
}

void
sl_fwd_expire(struct sl_worker *w, uint64_t now)
{
	sl_flow_expire(w->flows, now, 256, on_expire, w);
	sl_fwd6_expire(w, now);
}

void
sl_fwd_send(struct sl_worker *w, struct rte_mbuf **pkts, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++)
		tx(w, (uint16_t)w->env->port_index[pkts[i]->port], pkts[i]);
}
