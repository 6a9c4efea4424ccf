/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SL_FWD_PRIV_H
#define SL_FWD_PRIV_H

/*
 * What the files of lib/fwd share and nothing else sees: the way frames
 * are dropped and sent, and the Proxy Protocol steps the packet path
 * calls (fwd_proxy.c).
 *
 * Thread-safety: a worker's own lcore only, as all of lib/fwd.
 */

#include <string.h>

#include <rte_mbuf.h>

#include "sl_fwd.h"
#include "sl_fwd_steer.h"
#include "sl_pkt.h"
#include "sl_nat.h"

/*
 * Add @p v to counter @p c. On x86-64, one add to memory: GCC's SLP
 * vectorizer would otherwise pair a packets and a bytes counter into an
 * SSE add of five instructions where two scalar adds do.
 */
static __rte_always_inline void
sl_fwd_count(uint64_t *c, uint64_t v)
{
#if defined(RTE_ARCH_X86_64)
	__asm__("addq %1, %0" : "+m"(*c) : "er"(v) : "cc");
#else
	*c += v;
#endif
}

/* Frame @p m, client to backend, in service @p svc's and backend slot
 * @p be's counters. */
static __rte_always_inline void
count_in(struct sl_worker *w, uint16_t svc, uint16_t be, const struct rte_mbuf *m)
{
	sl_fwd_count(&w->be_stats[be].pkts_in, 1);
	sl_fwd_count(&w->be_stats[be].bytes_in, m->pkt_len);
	sl_fwd_count(&w->svc_stats[svc].pkts_in, 1);
	sl_fwd_count(&w->svc_stats[svc].bytes_in, m->pkt_len);
}

/* Frame @p m, backend to client, likewise. */
static __rte_always_inline void
count_out(struct sl_worker *w, uint16_t svc, uint16_t be, const struct rte_mbuf *m)
{
	sl_fwd_count(&w->be_stats[be].pkts_out, 1);
	sl_fwd_count(&w->be_stats[be].bytes_out, m->pkt_len);
	sl_fwd_count(&w->svc_stats[svc].pkts_out, 1);
	sl_fwd_count(&w->svc_stats[svc].bytes_out, m->pkt_len);
}

/* Send what port @p pidx's TX buffer holds (fwd.c). */
void sl_fwd_tx_flush(struct sl_worker *w, uint16_t pidx);

static __rte_always_inline void
drop(struct sl_worker *w, struct rte_mbuf *m, enum sl_drop why)
{
	w->stats.drops[why]++;
	rte_pktmbuf_free(m);
}

/*
 * Every frame leaves through here (sl_fwd_send() included) into its
 * port's TX buffer, sent by sl_fwd_tx_flush() when full or at the end of the
 * loop (sl_fwd_flush()).
 */
static __rte_always_inline void
tx(struct sl_worker *w, uint16_t pidx, struct rte_mbuf *m)
{
	struct rte_eth_dev_tx_buffer *b = w->txb[pidx];

	w->stats.tx_pkts++;
	b->pkts[b->length++] = m;
	if (unlikely(b->length == b->size))
		sl_fwd_tx_flush(w, pidx);
}

/*
 * The hash a hashing scheduler (sh, maglev) picks by, from a client's
 * key: CRC32C with fixed seeds over the key's words (sl_flow_key_word(),
 * the key's bytes on a little-endian CPU), so that every Sluice
 * instance, and one restarted, hashes a connection alike and maglev
 * choices agree.
 */
static __rte_always_inline uint32_t
sched_hash(const struct sl_service *svc, const struct sl_flow_key *k)
{
	_Static_assert(sizeof(*k) == 16, "sched_hash() hashes two words");
	if (!svc->sched->needs_hash)
		return 0;
	return svc->hash_source ? sl_crc32c_4byte(k->src, 0x51ce) :
		sl_crc32c_8byte(sl_flow_key_word(k, 1),
				sl_crc32c_8byte(sl_flow_key_word(k, 0), 0x51ce));
}

/* The scheduler's hash of an IPv6 client key (see sched_hash()):
 * CRC32C with the same fixed seed, so instances agree. */
static __rte_always_inline uint32_t
sched_hash6(const struct sl_service *svc, const struct sl_flow6_key *k)
{
	uint32_t h = 0x51ce;
	unsigned i;

	_Static_assert(sizeof(*k) == 40 && sizeof(k->src) == 16,
		       "sched_hash6() hashes five words, or two of the source");
	if (!svc->sched->needs_hash)
		return 0;
	for (i = 0; i < (svc->hash_source ? 2u : 5u); i++)
		h = sl_crc32c_8byte(sl_flow6_key_word(k, i), h);
	return h;
}

/* Owner of a connection: the worker of the client address, as a NIC
 * steering on that address computes it (sl_fwd_steer.h). */
static __rte_always_inline unsigned
owner_of(rte_be32_t ip, unsigned n)
{
	return sl_steer_owner4(ip, n);
}

static __rte_always_inline void
redirect(struct sl_worker *w, unsigned owner, struct rte_mbuf *m)
{
	w->redir_buf[owner][w->redir_n[owner]++] = m;
	w->stats.redirected++;
	if (unlikely(w->redir_n[owner] == SL_BURST)) {
		unsigned sent = rte_ring_sp_enqueue_burst(w->redir_out[owner],
				(void **)w->redir_buf[owner], SL_BURST, NULL);

		for (; sent < SL_BURST; sent++)
			drop(w, w->redir_buf[owner][sent], SL_DROP_REDIRECT);
		w->redir_n[owner] = 0;
	}
}

/* Pass a packet that arrived on port index @p pidx to its owner, and
 * count it against the port (its steering did not reach the owner). */
static __rte_always_inline void
pass_on(struct sl_worker *w, const struct sl_snapshot *snap, unsigned owner,
	struct rte_mbuf *m, uint16_t pidx)
{
	m->port = snap->ports[pidx].port_id;
	w->port_redirected[pidx]++;
	redirect(w, owner, m);
}

static __rte_always_inline void
to_mgmt(struct sl_worker *w, struct rte_mbuf *m, uint32_t tag)
{
	m->hash.usr = tag;
	w->mgmt_tag = tag;
	if (unlikely(rte_ring_sp_enqueue(w->to_mgmt, m) != 0))
		drop(w, m, SL_DROP_SLOWPATH);
	else
		w->stats.slowpath++;
}

/* A connection leaves the table: its counters follow. */
static __rte_always_inline void
conn_gone(struct sl_worker *w, const struct sl_conn *c)
{
	w->stats.local_ports -= c->mode == SL_MODE_FULLNAT;
	w->svc_stats[c->svc].conns_active--;
	w->be_stats[c->be].conns_active--;
	w->stats.conns_expired++;
}

/* A copy of @p m for the capture, if one runs and @p svc / @p pidx match.
 * Never waits: no mbuf or a full ring loses the copy (counted). */
static __rte_always_inline void
capture(struct sl_worker *w, const struct rte_mbuf *m, int svc, int pidx)
{
	struct rte_mbuf *cp;

	if (likely(!w->cap_on))
		return;
	if ((w->env->cap.svc >= 0 && w->env->cap.svc != svc) ||
	    (w->env->cap.port >= 0 && w->env->cap.port != pidx))
		return;
	cp = rte_pktmbuf_copy(m, m->pool, 0, UINT32_MAX);
	if (cp == NULL || rte_ring_sp_enqueue(w->cap_ring, cp) != 0) {
		rte_pktmbuf_free(cp);
		w->stats.cap_drops++;
	}
}

/*
 * Whether a slow-path packet of class @p cls (SL_SP_*) that came in on
 * port @p pidx may go to the management lcore: a budget of slowpath_rate
 * packets per second per worker, port and class, slowpath_burst of them
 * at once (a virtual schedule: each packet takes the next sp_cost ticks
 * of it; one that would be scheduled more than sp_window ahead of now is
 * over the budget), so that a flood on one port or of one kind cannot
 * fill the management ring and starve address resolution, health checks
 * and the admin socket. Dropped and counted (slowpath_limited) when not.
 */
static __rte_always_inline int
slowpath_admit(struct sl_worker *w, struct rte_mbuf *m, uint16_t pidx, unsigned cls,
	       uint64_t now)
{
	uint64_t *tat = &w->sp_tat[pidx][cls];
	uint64_t t = RTE_MAX(*tat, now);

	if (w->sp_cost == 0)
		return 1;
	if (unlikely(t - now > w->sp_window)) {
		drop(w, m, SL_DROP_SLOWPATH_LIMIT);
		return 0;
	}
	*tat = t + w->sp_cost;
	return 1;
}

/* Send @p m, rewritten for backend @p be (either family), out of the
 * backend's port, or to the management lcore, which sets the MAC address
 * once it is known. */
static __rte_always_inline void
to_backend(struct sl_worker *w, const struct sl_snapshot *snap, struct rte_mbuf *m,
	   uint8_t *data, const struct sl_backend *be, uint16_t svc)
{
	struct rte_ether_addr mac;

	if (unlikely(!sl_neigh_mac(w->env->neigh, be->neigh, &mac))) {
		memset(&mac, 0, sizeof(mac));
		sl_nat_set_macs(data, &mac, &snap->ports[be->out_port].mac);
		m->port = snap->ports[be->out_port].port_id;
		to_mgmt(w, m, be->neigh);
		return;
	}
	sl_nat_set_macs(data, &mac, &snap->ports[be->out_port].mac);
	capture(w, m, svc, be->out_port);
	tx(w, be->out_port, m);
}

/* Move a 32-bit field of a TCP header (sequence, acknowledgement, SACK
 * edge, timestamp), its checksum patched (Proxy Protocol, SYN proxy). */
static __rte_always_inline void
tcp_set32(struct rte_tcp_hdr *th, void *field, uint32_t host_value)
{
	rte_be32_t old, nv = rte_cpu_to_be_32(host_value);

	memcpy(&old, field, 4);
	memcpy(field, &nv, 4);
	th->cksum = sl_csum_update32(th->cksum, old, nv);
}

/* Traffic for Sluice's own address on port @p own, arrived on port
 * @p pidx, from a peer of the snapshot or not (@p peer): to the kernel
 * through the exception path when the port has one (within the slow-path
 * budget of its class), else counted and dropped. */
static __rte_cold __rte_unused void
to_kernel(struct sl_worker *w, const struct sl_snapshot *snap, struct rte_mbuf *m,
	  int own, uint16_t pidx, int peer, uint64_t now)
{
	if (!snap->ports[own].kernel)
		drop(w, m, SL_DROP_TO_SELF);
	else if (slowpath_admit(w, m, pidx, peer ? SL_SP_PEER : SL_SP_KERNEL, now))
		to_mgmt(w, m, SL_MGMT_KERNEL | (uint32_t)own);
}

/* Owner of a fullnat connection's replies: its local port, chosen by
 * that worker from its own slice (sl_lport_owner(), which a NIC's
 * rules match where it takes them). */
static __rte_always_inline unsigned
lport_owner(rte_be16_t lport, unsigned n)
{
	return sl_lport_owner(rte_be_to_cpu_16(lport), n);
}

/* Local ports tried for one new fullnat connection before it is
 * refused: bounds the work a connection can cost. */
#define LPORT_TRIES 64

/*
 * A worker's slice of the fullnat local ports (struct sl_lport_slice):
 * the ports of lport_lo .. lport_hi whose slot (the port's low bits,
 * sl_lport_slots()) is one of its own, slots id, id + n, id + 2n, ...,
 * in port order. Port j of the slice is candidate first + j, candidate
 * i being port base + (i / k) * m + id + (i % k) * n: block i / k of m
 * ports from base, the worker's (i % k)-th slot in it.
 */

/* The worker's candidates (see above) below port @p x. */
static __rte_always_inline uint32_t
lport_below(const struct sl_lport_slice *s, uint32_t x)
{
	uint32_t r = (x - s->base) & (s->m - 1);
	uint32_t t = r > s->id ? RTE_MIN((r - s->id + s->n - 1) / s->n, s->k) : 0;

	return ((x - s->base) >> __builtin_ctz(s->m)) * s->k + t;
}

/* Make worker @p w's slice for its env's range and worker count. */
static __rte_noinline void
lport_slice_make(struct sl_worker *w)
{
	const struct sl_fwd_env *e = w->env;
	struct sl_lport_slice *s = &w->lport;

	s->lo = e->lport_lo;
	s->hi = e->lport_hi;
	s->n = e->n_workers;
	s->m = sl_lport_slots(s->n);
	s->id = w->id;
	s->k = (s->m - 1 - s->id) / s->n + 1;
	s->base = e->lport_lo & ~(s->m - 1);
	s->first = lport_below(s, e->lport_lo);
	s->count = lport_below(s, (uint32_t)e->lport_hi + 1) - s->first;
}

/* Worker @p w's slice of the fullnat local ports, or NULL when the
 * range holds none of its ports. */
static __rte_always_inline const struct sl_lport_slice *
lport_slice(struct sl_worker *w)
{
	const struct sl_fwd_env *e = w->env;

	if (unlikely(w->lport.n != e->n_workers || w->lport.lo != e->lport_lo ||
		     w->lport.hi != e->lport_hi))
		lport_slice_make(w);
	return w->lport.count != 0 ? &w->lport : NULL;
}

/* Local port number @p seq of a worker's slice (lport_slice()), in turn. */
static __rte_always_inline rte_be16_t
lport_at(const struct sl_lport_slice *s, uint32_t seq)
{
	uint32_t i = s->first + seq % s->count;

	if (s->k == 1)  /* a power-of-two count of workers: one slot each */
		return rte_cpu_to_be_16((uint16_t)(s->base + i * s->m + s->id));
	return rte_cpu_to_be_16((uint16_t)(s->base + i / s->k * s->m + s->id +
					   i % s->k * s->n));
}

/* The local address of port @p op a fullnat connection from client
 * address @p cip leaves from. */
static __rte_always_inline rte_be32_t
fullnat_local(const struct sl_port_info *op, rte_be32_t cip)
{
	return op->local[rte_be_to_cpu_32(cip) % op->n_local];
}

/*
 * A one-bit-of-64 filter of client keys, folded to 32 bits in @p x: the
 * connections a burst opened are looked for again only by the later
 * packets of the burst whose key may be one of theirs (a SYN storm's
 * burst of 32 new clients does not look each of them up twice). A
 * connection is opened by the packet that carries its client key; its
 * reply key cannot be in the same burst (the backend has not seen the
 * connection yet).
 */
static __rte_always_inline uint64_t
key_bit_of(uint32_t x)
{
	return 1ull << (((uint64_t)x * 0x9e3779b97f4a7c15ull) >> 58);
}

#define FC_ADDED   1   /* a connection was created */
#define FC_DELETED 2   /* a connection was removed (port reuse, a backend gone) */

/* What the burst's prefetch stage records for a client packet to a VIP
 * port that has no service (defined in fwd.c): from_client() drops it
 * without looking again. */
extern const struct sl_service sl_fwd_no_svc;

/* The guesses of a burst's prefetch of its adds so far (add_guess()). */
struct add_guesses {
	const struct sl_service *prev;  /* service of the last guess */
	unsigned same;                  /* guesses of it in a row before this one */
	unsigned lports;                /* fullnat local ports guessed */
};

/*
 * Whether a client packet of @p svc that found no connection opens one
 * worth guessing the backend of (the IPv4 and IPv6 burst stages prefetch
 * that connection's reply key and record): a TCP SYN or a datagram, for
 * a service that keeps a reply key (nat, fullnat), without a SYN proxy,
 * with a scheduler that can peek.
 */
static __rte_always_inline int
add_wanted(const struct sl_service *svc, uint8_t proto, uint8_t tcp_flags)
{
	return svc != NULL && (svc->mode == SL_MODE_NAT || svc->mode == SL_MODE_FULLNAT) &&
	       svc->synproxy == SL_SYNPROXY_OFF && svc->sched->peek != NULL &&
	       (proto != IPPROTO_TCP ||
		(tcp_flags & (RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG | RTE_TCP_RST_FLAG)) ==
		RTE_TCP_SYN_FLAG);
}

/* The backend the scheduler would pick for that connection (@p hash: the
 * scheduler's hash of its client key), without picking; NULL when it
 * would refuse it. */
static __rte_always_inline const struct sl_backend *
add_guess(const struct sl_worker *w, const struct sl_snapshot *snap,
	  const struct sl_service *svc, uint32_t hash, struct add_guesses *g)
{
	int bi;

	/* the picks ahead of it: of the same service, in a row */
	g->same = svc == g->prev ? g->same + 1 : 0;
	g->prev = svc;
	bi = svc->sched->peek(&svc->ss, sl_svc_ws(snap, w->id, svc), hash, g->same,
			      w->be_stats);
	return bi < 0 ? NULL : &svc->backends[bi];
}

/* The local port the next guessed fullnat connection takes (each takes
 * the next of the worker's slice in turn); 0 when the slice is empty. */
static __rte_always_inline int
guess_lport(struct sl_worker *w, struct add_guesses *g, rte_be16_t *lport)
{
	const struct sl_lport_slice *s = lport_slice(w);

	if (s == NULL)
		return 0;
	*lport = lport_at(s, w->lport_next + g->lports++);
	return 1;
}

/*
 * Why a new connection of a service in mode @p mode got no record, the
 * table being @p full or not: below capacity a fullnat add found no free
 * local port, and a nat add found its reply key taken (the same client
 * address and port to the same backend through another service). A
 * one-way add has no reply key: the table (its two buckets) was full.
 */
static __rte_always_inline enum sl_drop
add_refused(uint8_t mode, int full)
{
	if (full || SL_MODE_ONEWAY(mode))
		return SL_DROP_FLOW_FULL;
	return mode == SL_MODE_FULLNAT ? SL_DROP_LOCAL_PORTS_FULL : SL_DROP_REPLY_TAKEN;
}

/* Why the scheduler found no backend for a new connection of @p svc:
 * every usable one at its max_conns, or none usable. */
static __rte_cold __rte_unused enum sl_drop
no_pick(const struct sl_service *svc)
{
	uint16_t i;

	for (i = 0; svc->ss.max_conns != NULL && i < svc->ss.n; i++)
		if (svc->ss.weight[i] != 0)
			return SL_DROP_BACKEND_FULL;
	return SL_DROP_NO_BACKEND;
}

/* 64-bit mix (murmur3's finaliser): the rate table's set and tag. */
static __rte_always_inline uint64_t
rate_mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

/*
 * Whether a new connection of service @p svc from the client whose hash
 * is @p h may open at @p now (TSC) under the service's
 * conn_rate_per_client; counts it when it may (see struct sl_rate_set).
 */
static __rte_always_inline int
rate_pass(struct sl_worker *w, const struct sl_service *svc, uint64_t h, uint64_t now)
{
	struct sl_rate_set *set = &w->rate[h & (SL_RATE_SETS - 1)];
	uint64_t tag = h | 1, iv = w->env->hz / svc->conn_rate, tat;
	struct sl_rate_entry *e = &set->e[0];
	unsigned i;

	for (i = 0; i < SL_RATE_WAYS; i++) {
		if (set->e[i].tag == tag) {
			e = &set->e[i];
			goto found;
		}
		if (set->e[i].tat < e->tat)
			e = &set->e[i];
	}
	e->tag = tag;
	e->tat = now;
found:
	tat = e->tat > now ? e->tat : now;
	if (tat - now > iv * (svc->conn_burst - 1))
		return 0;
	e->tat = tat + iv;
	return 1;
}

/* rate_pass() for an IPv4 client. */
static __rte_always_inline int
rate_pass4(struct sl_worker *w, const struct sl_service *svc, rte_be32_t src, uint64_t now)
{
	return rate_pass(w, svc, rate_mix((uint64_t)svc->id << 32 | src), now);
}

/* rate_pass() for an IPv6 client. */
static __rte_always_inline int
rate_pass6(struct sl_worker *w, const struct sl_service *svc, const struct sl_in6 *src,
	   uint64_t now)
{
	uint64_t a, b;

	memcpy(&a, src->b, 8);
	memcpy(&b, src->b + 8, 8);
	return rate_pass(w, svc, rate_mix(a ^ rate_mix(b ^ ((uint64_t)svc->id << 48 | 6))),
			 now);
}

/* A frame classify() found to be IPv6, for the IPv6 stage of its burst:
 * the port index it came from and the parser's checksum flags. */
struct sl_fwd6_in {
	struct rte_mbuf *m;
	uint16_t pidx;
	uint8_t flags;
};

/* The IPv6 path (fwd6.c): the IPv6 frames of a burst (@p redirected:
 * from other workers), in the order they came; the expiry of the
 * worker's IPv6 connections. */
void sl_fwd6_burst(struct sl_worker *w, const struct sl_snapshot *snap,
		   const struct sl_fwd6_in *in, unsigned n, int redirected, uint64_t now);
void sl_fwd6_expire(struct sl_worker *w, uint64_t now);
/* sl_fwd_oneway_frame() for a frame that parsed as IPv6 (fwd6.c). */
int sl_fwd6_oneway_frame(const struct sl_worker *w, const struct sl_snapshot *snap,
			 const struct sl_service *svc, const struct sl_backend *be,
			 struct rte_mbuf *m, const struct rte_ether_addr *mac);
/* An IPv4 packet to a local address that no IPv4 connection knows: the
 * reply of a NAT64 connection (fwd6.c), translated and sent to its IPv6
 * client. Returns 1 when it took the packet, 0 when it is not one. */
int sl_fwd64_reply(struct sl_worker *w, const struct sl_snapshot *snap, struct rte_mbuf *m,
		   const struct sl_pkt_info *pi, uint64_t now);

/* An ICMPv4 error to a local address quoting lip:lport -> backend:bport
 * that no IPv4 connection knows: a NAT64 connection's, if any (fwd6.c),
 * translated to ICMPv6 and sent to its IPv6 client; else dropped. Takes
 * the packet in every case. */
void sl_fwd64_icmp_err(struct sl_worker *w, const struct sl_snapshot *snap,
		       struct rte_mbuf *m, uint8_t *data, const struct sl_pkt_info *pi,
		       const struct sl_pkt_quote *q);

/* Proxy Protocol (fwd_proxy.c): the client's SYN of a new connection of
 * a service with a header; a client packet rewritten for the backend
 * (@p out_port < 0: not sent yet, the header waits); a backend packet
 * before its rewrite for the client. */
void sl_fwd_pp_begin(struct sl_worker *w, struct sl_conn *c, const uint8_t *data,
		     const struct sl_pkt_info *pi, uint8_t version);
void sl_fwd_pp_client(struct sl_worker *w, struct sl_conn *c, struct rte_mbuf *m,
		      uint8_t *data, const struct sl_pkt_info *pi, int out_port, uint64_t now);
void sl_fwd_pp_backend(struct sl_worker *w, const struct sl_snapshot *snap,
		       struct sl_conn *c, uint8_t *data, const struct sl_pkt_info *pi);

/*
 * SYN proxy (fwd_synproxy.c), IPv4 TCP services with synproxy on or auto.
 * sl_fwd_sp_new(): a client packet of such a service with no connection:
 * SP_TAKEN when it took it (a SYN answered with a cookie, a bad cookie
 * dropped), SP_OPEN when it is an ACK with a valid cookie (@p o filled:
 * open the connection, then sl_fwd_sp_open()), SP_PASS when the packet
 * goes the usual way. sl_fwd_sp_open(): send the backend its SYN, keep
 * the client's data for later. sl_fwd_sp_hold(): a client packet while
 * the backend's handshake runs. sl_fwd_sp_synack(): a backend packet
 * while it runs: 1 when the handshake is done (*held: the client's data
 * to send now, or NULL). sl_fwd_sp_client() / _backend(): translate a
 * packet of an opened connection.
 */
enum { SP_PASS, SP_TAKEN, SP_OPEN };

struct sl_sp_open {
	uint32_t isn;      /**< the client's ISN */
	uint32_t cookie;   /**< Sluice's ISN */
	uint32_t tsv;      /**< the client's timestamp, its echo of Sluice's */
	uint32_t tsecr;
	uint16_t mss;
	uint16_t win;
	uint8_t ws;        /**< the client's window scale, 0xf = none */
	uint8_t opt;       /**< SL_SP_O_* */
};

int sl_fwd_sp_new(struct sl_worker *w, const struct sl_snapshot *snap,
		  const struct sl_service *svc, struct rte_mbuf *m, uint8_t *data,
		  const struct sl_pkt_info *pi, uint16_t pidx, uint64_t now,
		  struct sl_sp_open *o);
void sl_fwd_sp_open(struct sl_worker *w, const struct sl_snapshot *snap, struct sl_conn *c,
		    const struct sl_backend *be, struct rte_mbuf *m, const struct sl_pkt_info *pi,
		    const struct sl_sp_open *o, uint64_t now);
void sl_fwd_sp_hold(struct sl_worker *w, struct sl_conn *c, struct rte_mbuf *m,
		    const struct sl_pkt_info *pi);
int sl_fwd_sp_synack(struct sl_worker *w, const struct sl_snapshot *snap, struct sl_conn *c,
		     struct rte_mbuf *m, uint8_t *data, const struct sl_pkt_info *pi,
		     uint64_t now, struct rte_mbuf **held);
void sl_fwd_sp_client(struct sl_worker *w, const struct sl_conn *c, uint8_t *data,
		      const struct sl_pkt_info *pi);
void sl_fwd_sp_backend(struct sl_worker *w, const struct sl_conn *c, uint8_t *data,
		       const struct sl_pkt_info *pi);
void sl_fwd_sp_timers(struct sl_worker *w, const struct sl_snapshot *snap, uint64_t now);

#endif /* SL_FWD_PRIV_H */
