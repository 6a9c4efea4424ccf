/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Proxy Protocol v1/v2 for the packet path (see sl_fwd.h and README):
 * the header sent to the backend when the client's handshake ends, the
 * sequence shift that follows, and the header's retransmissions. Cold
 * code: a connection without Proxy Protocol never gets here.
 */
#include <string.h>
#include <netinet/in.h>

#include <rte_byteorder.h>

#include "fwd_priv.h"

/* Sequence number @p a at or after @p b (serial arithmetic). */
static __rte_always_inline int
seq_geq(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) >= 0;
}

/* Decimal digits of @p v at @p p; returns the end. */
static char *
put_dec(char *p, unsigned v)
{
	char tmp[10];
	int n = 0;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	while (n > 0)
		*p++ = tmp[--n];
	return p;
}

static char *
put_ip(char *p, rte_be32_t a)
{
	const uint8_t *b = (const uint8_t *)&a;

	p = put_dec(p, b[0]);
	*p++ = '.';
	p = put_dec(p, b[1]);
	*p++ = '.';
	p = put_dec(p, b[2]);
	*p++ = '.';
	return put_dec(p, b[3]);
}

/*
 * Connection @p c's Proxy Protocol header at @p buf (room for 108
 * bytes): the client's endpoint as source, the VIP's as destination.
 * Returns its length.
 */
static __rte_cold unsigned
pp_header(const struct sl_conn *c, uint8_t *buf)
{
	static const uint8_t sig[12] = {
		0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a
	};
	char *p = (char *)buf;

	if ((c->pp & SL_PP_VER) == 2) {
		memcpy(buf, sig, sizeof(sig));
		buf[12] = 0x21;         /* version 2, command PROXY */
		buf[13] = 0x11;         /* TCP over IPv4 */
		buf[14] = 0;
		buf[15] = 12;           /* addresses and ports */
		memcpy(buf + 16, &c->cip, 4);
		memcpy(buf + 20, &c->vip, 4);
		memcpy(buf + 24, &c->cport, 2);
		memcpy(buf + 26, &c->vport, 2);
		return 28;
	}
	memcpy(p, "PROXY TCP4 ", 11);
	p = put_ip(p + 11, c->cip);
	*p++ = ' ';
	p = put_ip(p, c->vip);
	*p++ = ' ';
	p = put_dec(p, rte_be_to_cpu_16(c->cport));
	*p++ = ' ';
	p = put_dec(p, rte_be_to_cpu_16(c->vport));
	*p++ = '\r';
	*p++ = '\n';
	return (unsigned)(p - (char *)buf);
}

/* A new connection of a Proxy Protocol service: the client's SYN. */
void
sl_fwd_pp_begin(struct sl_worker *w, struct sl_conn *c, const uint8_t *data,
	 const struct sl_pkt_info *pi, uint8_t version)
{
	const struct rte_tcp_hdr *th =
		(const struct rte_tcp_hdr *)(data + pi->l2_len + pi->l3_len);
	struct sl_pp_conn *st = &w->pp[sl_flow_index(w->flows, c)];
	uint8_t tmp[108];

	c->pp = version;
	st->isn = rte_be_to_cpu_32(th->sent_seq);
	st->hlen = (uint8_t)pp_header(c, tmp);
	st->tries = 0;
}

/* Watch the header of @p c until the backend acknowledges it. */
static __rte_cold void
pp_timer(struct sl_worker *w, const struct sl_conn *c, uint64_t now)
{
	uint32_t idx = sl_flow_index(w->flows, c);

	if (w->n_pp_timers == SL_PP_TIMERS)
		return;          /* the backend's duplicate ACKs still recover it */
	w->pp_timers[w->n_pp_timers++] = (struct sl_pp_timer){
		.idx = idx, .isn = w->pp[idx].isn, .due = now + w->env->hz / 5,
	};
}

/*
 * A client packet of a Proxy Protocol connection, already rewritten for
 * the backend: the handshake's last ACK sends the header first (a copy
 * of this packet's headers, the header as payload, at the client's
 * ISN+1); from then on every client sequence number moves by its length.
 */
void
sl_fwd_pp_client(struct sl_worker *w, struct sl_conn *c, struct rte_mbuf *m, uint8_t *data,
	  const struct sl_pkt_info *pi, int out_port, uint64_t now)
{
	struct rte_tcp_hdr *th = (struct rte_tcp_hdr *)(data + pi->l2_len + pi->l3_len);
	struct sl_pp_conn *st = &w->pp[sl_flow_index(w->flows, c)];

	if (!(c->pp & SL_PP_VER))
		return;          /* SYN proxy only */
	if (!(c->pp & SL_PP_SENT)) {
		/* no next-hop MAC yet (out_port < 0): the header goes
		 * with a later packet */
		if (out_port < 0)
			return;
		unsigned hdr = (unsigned)pi->l2_len + pi->l3_len + pi->l4_len;
		struct rte_mbuf *hm;
		uint8_t *p;

		/* still the handshake, or not the packet that ends it */
		if ((pi->tcp_flags & (RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG | RTE_TCP_RST_FLAG)) !=
		    RTE_TCP_ACK_FLAG || rte_be_to_cpu_32(th->sent_seq) != st->isn + 1)
			return;
		hm = rte_pktmbuf_alloc(m->pool);
		if (hm != NULL && (p = (uint8_t *)rte_pktmbuf_append(hm, (uint16_t)(hdr + st->hlen))) != NULL) {
			struct rte_ipv4_hdr *ip;
			struct rte_tcp_hdr *ht;

			memcpy(p, data, hdr);
			pp_header(c, p + hdr);
			ip = (struct rte_ipv4_hdr *)(p + pi->l2_len);
			ip->total_length = rte_cpu_to_be_16((uint16_t)(pi->l3_len + pi->l4_len + st->hlen));
			ip->hdr_checksum = 0;
			ip->hdr_checksum = sl_ipv4_csum(ip);
			ht = (struct rte_tcp_hdr *)(p + pi->l2_len + pi->l3_len);
			ht->tcp_flags = RTE_TCP_ACK_FLAG | RTE_TCP_PSH_FLAG;
			ht->cksum = sl_l4_csum(ip, ht);
			tx(w, (uint16_t)out_port, hm);
			w->stats.pp_headers++;
		} else {
			rte_pktmbuf_free(hm);
		}
		c->pp |= SL_PP_SENT;
		pp_timer(w, c, now);
	}
	tcp_set32(th, &th->sent_seq, rte_be_to_cpu_32(th->sent_seq) + st->hlen);
	st->ack = rte_be_to_cpu_32(th->recv_ack);
	st->win = rte_be_to_cpu_16(th->rx_win);
}

/* Send connection @p c's header again, built from the record. */
static __rte_cold void
pp_resend(struct sl_worker *w, const struct sl_snapshot *snap, const struct sl_conn *c,
	  const struct sl_pp_conn *st)
{
	const struct sl_backend *be = snap->by_slot[c->be];
	struct rte_ether_addr mac;
	struct rte_ether_hdr *eh;
	struct rte_ipv4_hdr *ip;
	struct rte_tcp_hdr *th;
	struct rte_mbuf *m;
	uint16_t len = (uint16_t)(sizeof(*eh) + sizeof(*ip) + sizeof(*th) + st->hlen);

	if (be == NULL || be->gen != c->be_gen ||
	    !sl_neigh_mac(w->env->neigh, be->neigh, &mac) ||
	    (m = rte_pktmbuf_alloc(w->env->pool)) == NULL)
		return;
	eh = (struct rte_ether_hdr *)rte_pktmbuf_append(m, len);
	if (eh == NULL) {
		rte_pktmbuf_free(m);
		return;
	}
	memset(eh, 0, len);
	rte_ether_addr_copy(&mac, &eh->dst_addr);
	rte_ether_addr_copy(&snap->ports[be->out_port].mac, &eh->src_addr);
	eh->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	ip = (struct rte_ipv4_hdr *)(eh + 1);
	ip->version_ihl = 0x45;
	ip->total_length = rte_cpu_to_be_16((uint16_t)(len - sizeof(*eh)));
	ip->fragment_offset = RTE_BE16(RTE_IPV4_HDR_DF_FLAG);
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_TCP;
	ip->src_addr = c->lip;
	ip->dst_addr = c->bip;
	ip->hdr_checksum = sl_ipv4_csum(ip);
	th = (struct rte_tcp_hdr *)(ip + 1);
	th->src_port = c->lport;
	th->dst_port = c->bport;
	th->sent_seq = rte_cpu_to_be_32(st->isn + 1);
	th->recv_ack = rte_cpu_to_be_32(st->ack);
	th->data_off = 5 << 4;
	th->tcp_flags = RTE_TCP_ACK_FLAG | RTE_TCP_PSH_FLAG;
	th->rx_win = rte_cpu_to_be_16(st->win);
	pp_header(c, (uint8_t *)(th + 1));
	th->cksum = sl_l4_csum(ip, th);
	w->stats.pp_retrans++;
	tx(w, be->out_port, m);
}

/*
 * A backend packet of a Proxy Protocol connection: its acknowledgement
 * and SACK edges move back by the header's length (an ACK of part of
 * the header alone becomes the client's ISN+1: nothing of the client's
 * acknowledged yet); the header counts as delivered once acknowledged.
 */
void
sl_fwd_pp_backend(struct sl_worker *w, const struct sl_snapshot *snap, struct sl_conn *c,
	   uint8_t *data, const struct sl_pkt_info *pi)
{
	struct rte_tcp_hdr *th = (struct rte_tcp_hdr *)(data + pi->l2_len + pi->l3_len);
	struct sl_pp_conn *st = &w->pp[sl_flow_index(w->flows, c)];
	uint32_t end = st->isn + 1 + st->hlen, a;
	uint8_t *o, *oend;

	if (!(c->pp & SL_PP_SENT) || !(pi->tcp_flags & RTE_TCP_ACK_FLAG))
		return;
	a = rte_be_to_cpu_32(th->recv_ack);
	if (seq_geq(a, end)) {
		c->pp |= SL_PP_ACKED;
		tcp_set32(th, &th->recv_ack, a - st->hlen);
	} else {
		/* the backend still waits for the header: a duplicate ACK
		 * says it was lost (the client's own retransmissions never
		 * carry it), so it goes again at once, a bounded number of
		 * times */
		if (a == st->isn + 1 && !(c->pp & SL_PP_ACKED) && st->tries < 16) {
			pp_resend(w, snap, c, st);
			st->tries++;
		}
		tcp_set32(th, &th->recv_ack, st->isn + 1);
	}
	/* SACK blocks (kind 5) name client bytes too */
	o = (uint8_t *)th + sizeof(*th);
	oend = (uint8_t *)th + pi->l4_len;
	while (o < oend && *o != 0) {
		unsigned len, k;

		if (*o == 1) {
			o++;
			continue;
		}
		if (o + 1 >= oend || o[1] < 2 || o + o[1] > oend)
			break;
		len = o[1];
		if (*o == 5)
			for (k = 2; k + 4 <= len; k += 4) {
				rte_be32_t e;
				uint32_t v;

				memcpy(&e, o + k, 4);
				v = rte_be_to_cpu_32(e);
				tcp_set32(th, o + k, seq_geq(v, end) ? v - st->hlen : st->isn + 1);
			}
		o += len;
	}
}

void
sl_fwd_timers(struct sl_worker *w, const struct sl_snapshot *snap, uint64_t now)
{
	uint32_t i = 0;

	if (unlikely(w->n_sp_pend != 0))
		sl_fwd_sp_timers(w, snap, now);
	if (likely(w->n_pp_timers == 0))
		return;
	while (i < w->n_pp_timers) {
		struct sl_pp_timer *t = &w->pp_timers[i];
		const struct sl_conn *c = sl_flow_at(w->flows, t->idx);
		struct sl_pp_conn *st = &w->pp[t->idx];

		/* acknowledged, gone, or given up after 16 tries */
		if (c->state == SL_CS_NONE || !(c->pp & SL_PP_SENT) || (c->pp & SL_PP_ACKED) ||
		    st->isn != t->isn || st->tries >= 16) {
			*t = w->pp_timers[--w->n_pp_timers];
			continue;
		}
		if (now >= t->due) {
			pp_resend(w, snap, c, st);
			st->tries++;
			t->due = now + (w->env->hz / 5 << RTE_MIN(st->tries, 6));
		}
		i++;
	}
}

