/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SL_FWD_H
#define SL_FWD_H

/**
 * @file
 * The packet path: what a worker does to a burst of packets, driven with
 * an explicit per-worker context (struct sl_worker) and the snapshot the
 * caller loaded. The worker lcore loop (app/sluice/worker.c), the
 * fast-path benchmark (tools/sluice-perf) and offline tools all run this
 * same code; none of it reaches a process global.
 *
 * A burst goes through three stages: classify each packet (parse, drop
 * and count what is malformed, hand ARP and traffic for Sluice's own
 * addresses to the management lcore, pass packets another worker owns
 * over a redirect ring), look all remaining connections up at once, then
 * act on each (schedule new connections, rewrite, buffer for TX).
 *
 * VLANs: a port with a VLAN id (env->vlan) takes only frames tagged with
 * it, and the tags come off before classification, so everything after
 * (parse offsets, rewrites, resets, the management lcore, the kernel's
 * exception path) sees untagged frames. Every frame sent on such a port,
 * the management lcore's through sl_fwd_send() included, gets the tag in
 * one place, when the port's TX buffer is sent. A port without a VLAN id
 * takes only untagged frames. The port's VLAN id is looked at once per
 * RX burst and once per TX burst, so a port without one pays a single
 * compare per packet: that parsing found no tag.
 *
 * Owner of a connection: a function of the client address only, which
 * both directions carry (source of client packets, destination of
 * replies), so both land on the same worker whatever the NIC does. Every
 * connection of one client then meets the same worker, which is what
 * makes per-worker affinity (persistence) and least-connection counts
 * hold for that client.
 *
 * Thread-safety: a struct sl_worker is used by its own lcore only, except
 * its rings (single producer / single consumer each, named by who
 * produces) and its counters (plain stores by the worker, read by the
 * management lcore). struct sl_fwd_env is shared by all workers and
 * read-only once they run, except the capture filter (set by the
 * management lcore, read with relaxed loads).
 */

#include <stdint.h>
#include <rte_common.h>
#include <rte_ring.h>
#include <rte_mbuf.h>
#include <rte_ethdev.h>

#include "sl_config.h"
#include "sl_stats.h"
#include "sl_flow.h"
#include "sl_neigh.h"
#include "sl_svc.h"
#include "sl_persist.h"

#define SL_BURST        32     /**< packets per RX burst, TX batch, ring move */
#define SL_RING_SIZE    1024   /**< redirect and management rings */

/* m->hash.usr on packets a worker passes to the management lcore */
/* Classes of slow-path packets, each with its own budget per worker and
 * port, so that a flood of one cannot crowd out the others: address
 * resolution requests (ARP requests, neighbour solicitations), answers
 * and the rest of ARP/ND, packets for the kernel's exception path from
 * the snapshot's peers (backends, gateways: health-check answers), and
 * from anyone else. */
enum { SL_SP_NEIGH_REQ, SL_SP_NEIGH, SL_SP_PEER, SL_SP_KERNEL, SL_SP_CLASSES };

#define SL_MGMT_SLOWPATH UINT32_MAX   /**< ARP and the like: handle it */
#define SL_MGMT_KERNEL   0xffff0000u  /**< | port index: for the kernel */
/* any other value: the next-hop entry the packet waits for */

/** Packet capture filter: workers copy matching packets when on. */
struct sl_fwd_cap {
	int on;          /**< workers copy (release store, read once per loop) */
	int svc;         /**< service id, -1 = any */
	int port;        /**< port index, -1 = any */
};

/**
 * A live trace's filter (the `trace` command): workers that see a
 * matching packet run it alone through the path, note what became of it
 * (struct sl_fwd_verdict, sl_fwd_trace.h) and pass that to the
 * management lcore over their trace ring. Set by the management lcore
 * before it turns @c on (release store; workers read @c on once per loop).
 */
struct sl_fwd_trace_ctl {
	int on;               /**< workers trace */
	int svc;              /**< service id, or -1: packets from or to @c client */
	struct sl_in6 client; /**< IPv4 as ::ffff:a.b.c.d, or IPv6 */
	uint32_t max;         /**< packets each worker traces at most */
	uint32_t gen;         /**< a new trace: workers count from 0 again */
};

/** What every worker shares: set before workers start. */
struct sl_fwd_env {
	struct sl_neigh_table *neigh;   /**< next hops (workers read MACs) */
	const int16_t *port_index;      /**< DPDK port id -> port index */
	uint16_t port_id[SL_MAX_PORTS]; /**< port index -> DPDK port id */
	uint16_t vlan[SL_MAX_PORTS];    /**< port index -> 802.1Q VLAN id of
					 *   every frame on it, 0 = untagged */
	uint16_t mtu[SL_MAX_PORTS];     /**< port index -> largest IPv4 packet
					 *   it sends, 0 = 1500 */
	uint16_t n_ports;
	unsigned n_workers;
	uint64_t hz;                    /**< TSC ticks per second */
	uint16_t lport_lo, lport_hi;    /**< fullnat local ports: port P belongs
					 *   to worker sl_lport_owner(P, n_workers) */
	struct rte_mempool *pool;       /**< for frames a worker makes itself
					 *   (Proxy Protocol retransmissions) */
	uint32_t sp_rate;               /**< slow-path packets per second a worker
					 *   passes per port and class, 0 = no limit */
	uint32_t sp_burst;              /**< ... of which at once (>= 1) */
	uint64_t cookie_key[2];         /**< SYN cookies' secret (SipHash key) */
	struct sl_fwd_cap cap;          /**< capture filter */
	struct sl_fwd_trace_ctl trace;  /**< live trace filter */
};

struct sl_flow_req;

/* Proxy Protocol: bits of struct sl_conn.pp besides the version (1, 2) */
#define SL_PP_VER   0x03   /**< version of the header, 0 = none */
#define SL_PP_SENT  0x04   /**< header sent: client sequence numbers shifted */
#define SL_PP_ACKED 0x08   /**< the backend acknowledged the whole header */

/** Proxy Protocol state of a connection, by its record's index. */
struct sl_pp_conn {
	uint32_t isn;      /**< the client's initial sequence number */
	uint32_t ack;      /**< the client's last acknowledgement */
	uint16_t win;      /**< the client's last window field */
	uint8_t hlen;      /**< header length: the shift of the client's sequence */
	uint8_t tries;     /**< header retransmissions so far */
};

/** A header waiting for the backend's acknowledgement. */
struct sl_pp_timer {
	uint32_t idx;      /**< record index */
	uint32_t isn;      /**< of that connection (a reused record differs) */
	uint64_t due;      /**< TSC of the next retransmission */
};

#define SL_PP_TIMERS 1024  /**< headers a worker retransmits at once */

/* SYN proxy: bits of struct sl_conn.pp (next to Proxy Protocol's) */
#define SL_SP_ON      0x10  /**< opened by a SYN cookie: sequence numbers,
			     *   timestamps and windows are translated */
#define SL_SP_PENDING 0x20  /**< the backend's handshake is not done yet */

/** SYN proxy state of a connection, by its record's index. */
struct sl_sp_conn {
	uint32_t isn;      /**< the client's initial sequence number */
	uint32_t delta;    /**< pending: Sluice's ISN (the cookie); then the
			    *   backend's ISN minus it */
	uint32_t tsd;      /**< pending: Sluice's timestamp the client echoed;
			    *   then the backend's minus it */
	uint32_t tsv;      /**< the client's timestamp at its cookie ACK */
	uint16_t mss;      /**< the MSS the cookie kept */
	uint16_t win;      /**< the client's window field at its cookie ACK */
	uint16_t pend;     /**< its entry in sp_pend while pending */
	uint8_t ws;        /**< window scales: the client's (bits 0-3) and the
			    *   backend's (bits 4-7), 0xf = none */
	uint8_t opt;       /**< SL_SP_O_* */
};

#define SL_SP_O_SACK  0x01  /**< SACK permitted both ways */
#define SL_SP_O_TS    0x02  /**< timestamps: translated */
#define SL_SP_WS      7     /**< window scale Sluice offers clients */

/** A connection waiting for its backend's SYN-ACK. */
struct sl_sp_pend {
	uint32_t idx;              /**< record index */
	uint32_t isn;              /**< Sluice's ISN for it (a reused record differs) */
	uint64_t due;              /**< TSC of the next SYN to the backend */
	struct rte_mbuf *held;     /**< the client's first data, sent once the
				    *   backend answers; NULL = none */
	uint8_t tries;
};

#define SL_SP_PEND   1024   /**< backend handshakes a worker waits for at once */

/** synproxy = auto: a worker's count of a service's SYNs per second. */
struct sl_sp_rate {
	uint64_t start;            /**< TSC the current second began */
	uint32_t n;                /**< SYNs in it */
	uint32_t prev;             /**< in the second before */
};

/** Per-worker context: one cache-aligned block per worker. */
/**
 * Per-client new-connection rate limits (conn_rate_per_client), one
 * table per worker: a client address belongs to one worker, so nothing
 * is shared. A generic cell rate algorithm keeps one time per client and
 * service, the theoretical arrival time (TAT) of its next connection: a
 * connection at @c now passes when TAT - now is at most (burst - 1)
 * intervals of 1/rate seconds, and moves TAT on by one interval; a full
 * bucket is any TAT <= now. The table is bounded: SL_RATE_SETS sets of
 * 4 entries (one cache line), the set chosen by a hash of client and
 * service. A client not found takes the entry of its set with the
 * smallest TAT: an entry whose TAT has passed holds a full bucket, the
 * same as a new one, so that loses nothing; with every entry busy it
 * evicts the client closest to a full bucket, never one being held back
 * (whose TAT is furthest ahead). A client evicted starts again with a
 * full bucket: under more busy clients than entries a limit can only
 * be looser, never stricter.
 */
#define SL_RATE_SETS 4096
#define SL_RATE_WAYS 4

struct sl_rate_entry {
	uint64_t tag;                    /**< hash of client and service, 0 = free */
	uint64_t tat;                    /**< TSC of the next connection's slot */
};

struct sl_rate_set {
	struct sl_rate_entry e[SL_RATE_WAYS];
} __rte_cache_aligned;

struct sl_worker {
	/* hot: read every loop */
	unsigned id;
	unsigned lcore;
	const struct sl_fwd_env *env;
	struct sl_flow_table *flows;
	struct sl_flow6_table *flows6;   /**< IPv6 connections, NULL = none */
	struct sl_persist *persist;      /**< client affinity, see sl_persist.h */
	struct rte_eth_dev_tx_buffer *txb[SL_MAX_PORTS];
	struct rte_ring *to_mgmt;        /**< this worker -> management */
	struct rte_ring *from_mgmt;      /**< management -> this worker, to send */
	struct rte_ring *cmd;            /**< management -> worker: requests */
	struct sl_flow_req *req;         /**< the request being answered */
	struct rte_ring *cap_ring;       /**< worker -> management: capture copies */
	int cap_on;                      /**< env->cap.on, read once per loop */
	int trace_on;                    /**< env->trace.on, read once per loop */
	uint16_t vlan[SL_MAX_PORTS];     /**< env->vlan, copied at creation
					  *   next to the hot fields */
	uint16_t mtu[SL_MAX_PORTS];      /**< env->mtu, 0 made 1500 */
	struct rte_ring *redir_in[SL_MAX_WORKERS];  /**< from worker i */
	struct rte_ring *redir_out[SL_MAX_WORKERS]; /**< to worker i */
	uint16_t redir_n[SL_MAX_WORKERS];
	/** packets of each port this worker passed on to their owner: what
	 *  the port's steering left to the redirect rings */
	uint64_t port_redirected[SL_MAX_PORTS];
	struct rte_mbuf *redir_buf[SL_MAX_WORKERS][SL_BURST];

	uint32_t lport_next;             /**< fullnat: where the search for a
					  *   free local port of its slice goes on */
	/** fullnat: the worker's slice of the local ports (lib/fwd's
	 *  lport_slice()), made for the env's range and worker count */
	struct sl_lport_slice {
		uint32_t base, first, count, k, m, n, id;
		uint16_t lo, hi;
	} lport;
	struct sl_rate_set *rate;        /**< SL_RATE_SETS sets: per-client rates */
	struct sl_pp_conn *pp;           /**< Proxy Protocol state, by record index */
	uint32_t n_pp_timers;            /**< headers not yet acknowledged */
	struct sl_pp_timer *pp_timers;   /**< SL_PP_TIMERS of them */
	struct sl_sp_conn *sp;           /**< SYN proxy state, by record index */
	struct sl_sp_pend *sp_pend;      /**< SL_SP_PEND backend handshakes */
	uint32_t n_sp_pend;
	struct sl_sp_rate sp_rate[SL_MAX_SERVICES];
	/* slow-path limits (see slowpath_admit()): TSC ticks a packet costs,
	 * how far ahead of now the schedule may run, and per port and class
	 * the schedule's next free time */
	uint64_t sp_cost;
	uint64_t sp_window;
	uint64_t sp_tat[SL_MAX_PORTS][SL_SP_CLASSES];
	uint32_t mgmt_tag;               /**< tag of the last packet passed to the
					  *   management lcore (a trace tells why) */
	uint32_t trace_gen;              /**< env->trace.gen its count is for */
	uint32_t traced;                 /**< packets traced in this trace */
	struct rte_ring *trace_ring;     /**< worker -> management: verdicts */
	size_t flow_bytes;               /**< memory of its flow table (control) */
	size_t flow6_bytes;              /**< memory of its IPv6 flow table */

	struct sl_worker_stats stats;
	struct sl_obj_stats svc_stats[SL_MAX_SERVICES];
	struct sl_obj_stats be_stats[SL_MAX_BACKENDS];
} __rte_cache_aligned;

/** Creation parameters of a worker context. */
struct sl_fwd_params {
	unsigned id;                 /**< worker index, 0..n_workers-1 */
	unsigned lcore;              /**< lcore it runs on */
	int socket_id;               /**< NUMA node for its memory */
	uint32_t flow_capacity;      /**< connections in its table */
	uint32_t flow6_capacity;     /**< IPv6 connections, 0 = no IPv6 table
				      *   (IPv6 packets dropped as ipv6_off) */
	const uint32_t *timeouts;    /**< seconds per connection state */
};

/**
 * Create worker @p p->id's context: flow table, affinity table, TX
 * buffers for every port of @p env, rings to and from the management
 * lcore. Redirect rings come from sl_fwd_link().
 * @return the context, or NULL with rte_errno set.
 */
struct sl_worker *sl_fwd_worker_create(const struct sl_fwd_env *env,
				       const struct sl_fwd_params *p);

/**
 * Join @p n workers with one redirect ring per ordered pair.
 * @return 0, or -rte_errno.
 */
int sl_fwd_link(struct sl_worker **w, unsigned n);

/** Free a worker context, its rings and what they hold. NULL is fine. */
void sl_fwd_worker_free(struct sl_worker *w);

/**
 * One burst through the packet path. @p pidx is the port index the
 * burst came from, or -1 to take each packet's port from its mbuf
 * (packets from redirect rings). @p now is the TSC of this loop. The
 * packets are the path's from here on, and so is the content of
 * @p pkts (VLAN ports compact it).
 */
void sl_fwd_burst(struct sl_worker *w, const struct sl_snapshot *snap,
		  struct rte_mbuf **pkts, unsigned n, int pidx, uint64_t now);

/** Send frames the management lcore built, each on its mbuf's port. */
void sl_fwd_send(struct sl_worker *w, struct rte_mbuf **pkts, unsigned n);

/** Send what the worker buffered (TX buffers, redirect rings). */
void sl_fwd_flush(struct sl_worker *w);

/** Run the worker's connection expiry up to @p now. */
void sl_fwd_expire(struct sl_worker *w, uint64_t now);

/**
 * Make @p m, a frame for the VIP of dr/tunnel service @p svc, ready to
 * leave for backend @p be as a client's packet would (control path: the
 * management lcore's health checks through the VIP): encapsulated for a
 * tunnel service (its encapsulation over IPv4 or IPv6), the Ethernet
 * addresses set to @p mac and the port's. The frame
 * must parse as IPv4 (TCP, UDP or ICMP) or, for an IPv6 backend, as
 * IPv6 (TCP, UDP or ICMPv6), without a VLAN tag.
 * @return 0, -EMSGSIZE when it would not fit the MTU, -ENOBUFS when the
 *   buffer has no room for the outer headers, -EINVAL when it does not
 *   parse.
 */
int sl_fwd_oneway_frame(const struct sl_worker *w, const struct sl_snapshot *snap,
			const struct sl_service *svc, const struct sl_backend *be,
			struct rte_mbuf *m, const struct rte_ether_addr *mac);

/** Retransmit Proxy Protocol headers the backends have not acknowledged
 *  in time, and SYN proxy SYNs the backends have not answered (a cheap
 *  test when there are none). */
void sl_fwd_timers(struct sl_worker *w, const struct sl_snapshot *snap, uint64_t now);

#endif /* SL_FWD_H */
