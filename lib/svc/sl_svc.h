/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SL_SVC_H
#define SL_SVC_H

/**
 * @file
 * Service snapshots: everything the fast path reads about services,
 * backends, ports and routes, built whole by the management lcore from a
 * validated config and published with one atomic pointer store.
 *
 * A snapshot is immutable once published, with one exception kept apart
 * on purpose: each worker has its own scheduler-state block (the rr
 * position, wrr scores) that only that worker writes. The old snapshot is
 * freed after every worker has reported a quiescent state (rte_rcu_qsbr),
 * so a worker may use the snapshot it loaded for the rest of its burst.
 *
 * Thread-safety: sl_svc_build/free/publish on the management lcore only;
 * sl_svc_current() and the inline lookups from any lcore.
 */

#include <stdint.h>
#include <string.h>
#include <rte_common.h>
#include <rte_ether.h>
#include <rte_rcu_qsbr.h>

#include "sl_config.h"
#include "sl_sched.h"
#include "sl_neigh.h"
#include "sl_nat.h"

#define SL_MAX_BACKENDS SL_MAX_BACKENDS_TOTAL /**< backend slots over all services */
/** Routes of a snapshot: each port's subnet and its static routes. */
#define SL_MAX_ROUTES (SL_MAX_PORTS * (SL_MAX_PORT_ROUTES + 1))

struct rte_lpm;

/** A route table shared by the snapshots that have the same routes. */
struct sl_lpm {
	struct rte_lpm *t;
	uint32_t refs;              /**< snapshots holding it */
};

/**
 * A route of the snapshot's table. Connected routes (a port's own
 * subnet) have no gateway: the destination itself is the next hop.
 */
struct sl_route {
	rte_be32_t prefix;          /**< network address */
	rte_be32_t via;             /**< gateway, 0 = connected */
	uint16_t port;              /**< index in sl_snapshot.ports */
	uint8_t len;                /**< prefix length 0..32 */
};

/**
 * An IPv6 route of the snapshot: a port's IPv6 subnet (connected, the
 * destination itself is the next hop) or a static route. The table is
 * scanned linearly, on the control path only (next hops of backends and
 * VIPs are resolved when a snapshot is built, never per packet).
 */
struct sl_route6 {
	struct sl_in6 prefix;       /**< network address */
	struct sl_in6 via;          /**< gateway, :: = connected */
	uint16_t port;              /**< index in sl_snapshot.ports */
	uint8_t len;                /**< prefix length 0..128 */
	uint8_t connected;          /**< a port's own subnet */
};

/** A Sluice port as the fast path sees it. */
struct sl_port_info {
	rte_be32_t addr;            /**< own address */
	rte_be32_t mask;            /**< subnet mask */
	rte_be32_t gw;              /**< gateway or 0 */
	uint16_t port_id;           /**< DPDK port id */
	uint8_t kernel;             /**< traffic for the own address goes to the
				     *   kernel (exception path) */
	struct rte_ether_addr mac;  /**< own MAC */
	/** the eight bytes of an IPv4 frame it sends from its source MAC
	 *  on: the MAC and the ethertype (sl_nat_set_macs8()) */
	uint64_t mac_ip4;
	uint8_t has6;               /**< the port has an IPv6 address */
	uint8_t prefix6;            /**< its prefix length */
	uint8_t has_gw6;            /**< an IPv6 default gateway */
	struct sl_in6 addr6;        /**< own IPv6 address */
	struct sl_in6 gw6;          /**< IPv6 default gateway */
	uint16_t n_local6;          /**< IPv6 local addresses (fullnat) */
	struct sl_in6 local6[SL_MAX_LOCAL_ADDRS];
	uint16_t n_local;           /**< fullnat local addresses on the port */
	rte_be32_t local[SL_MAX_LOCAL_ADDRS]; /**< they, answered by ARP */
	char name[SL_NAME_MAX];
};

/** Slots of a snapshot's set of local addresses (at most 128 in all). */
#define SL_LOCAL_TAB 256

struct sl_backend {
	rte_be32_t addr;
	rte_be16_t port;
	uint16_t slot;              /**< stable id: index of per-backend counters */
	uint32_t gen;               /**< generation of the slot */
	uint16_t out_port;          /**< index in sl_snapshot.ports */
	uint32_t neigh;             /**< next hop: reference of its neighbour
				     *   entry, held by the snapshot */
	uint16_t svc;               /**< service id it belongs to */
	uint16_t index;             /**< its index in that service */
	uint32_t drain_until;       /**< draining until this second (management
				     *   clock), UINT32_MAX = for ever; 0 = active */
	uint8_t flush;              /**< drain time over: workers reset the
				     *   backend's remaining connections */
	uint8_t down;               /**< failed its health checks: no new
				     *   connections, old ones carry on */
	uint8_t removed;            /**< gone from the file, kept while it drains */
	struct sl_tun tun;          /**< mode tunnel: its outer headers */
	uint8_t v6;                 /**< an IPv6 backend: @c addr6 */
	struct sl_in6 addr6;
	struct sl_in6 tun6_src;     /**< IPv6 tunnel: outer source, an IPv6
				     *   local address of its port */
};

/**
 * A range of client addresses a service admits, bounds included, as
 * numbers (an IPv4 address in the low 32 bits). A service's allow and
 * deny lists become one sorted list of disjoint ranges when the
 * snapshot is built, so a new connection's check is a binary search.
 */
struct sl_acl_range {
	unsigned __int128 lo, hi;
};

/** Limits of a service (struct sl_service.limits). */
#define SL_SVC_LIMIT_ACL   1        /**< allow/deny lists */
#define SL_SVC_LIMIT_RATE  2        /**< conn_rate_per_client */
#define SL_SVC_PERSIST     4        /**< persistence: with the limits, so that
				     *   a service with neither tests once */

struct sl_service {
	rte_be32_t vip;
	rte_be16_t port;
	uint8_t proto;
	uint8_t mode;
	uint16_t id;                /**< index: per-service counters */
	uint16_t vip_port;          /**< port index answering ARP for the VIP */
	uint16_t n_backends;
	uint8_t used;               /**< 0: a free service id, skip it */
	uint8_t leaving;            /**< gone from the file, kept while it drains */
	uint8_t hash_source;        /**< scheduler hash: client address only */
	uint8_t pp;                 /**< Proxy Protocol version to backends, 0 = off */
	uint8_t synproxy;           /**< enum sl_synproxy */
	uint32_t sp_threshold;      /**< synproxy = auto: SYNs per second and worker */
	uint8_t encap;              /**< mode tunnel: enum sl_encap */
	uint8_t check_backend;      /**< dr/tunnel: checks go to the backend's
				     *   own address, not to the VIP through it */
	rte_be16_t gue_port;        /**< encap gue: UDP destination port */
	uint8_t v6;                 /**< an IPv6 service: @c vip6 */
	struct sl_in6 vip6;
	uint8_t stateless;          /**< dr/tunnel with a hashing scheduler
				     *   (maglev, sh): a packet matching no
				     *   connection is scheduled, not dropped */
	uint32_t drain_timeout;     /**< seconds removed backends keep connections */
	uint32_t persist_s;         /**< client affinity window, 0 = none */
	uint8_t limits;             /**< SL_SVC_LIMIT_*: what a new connection
				     *   meets before it is scheduled (one test
				     *   for a service without any) */
	uint8_t acl;                /**< allow/deny lists: new connections
				     *   only from @c acl_ranges */
	uint16_t n_acl_ranges;      /**< 0 with @c acl: every client denied */
	const struct sl_acl_range *acl_ranges; /**< sorted, disjoint */
	uint32_t conn_rate;         /**< new connections per second per client
				     *   address, 0 = no limit */
	uint32_t conn_burst;        /**< of them at once (token bucket depth) */
	const struct sl_sched_ops *sched;
	/** what picks a new connection's backend: sched->pick, or
	 *  sl_sched_pick_limited() when a backend has max_conns */
	int (*pick)(const struct sl_sched_svc *svc, void *ws, uint32_t hash,
		    const struct sl_obj_stats *stats);
	struct sl_sched_svc ss;     /**< scheduler view (weights, shared table) */
	struct sl_backend *backends;
	size_t ws_off;              /**< offset of its state in a worker block */
	char name[SL_NAME_MAX];
};

struct sl_svc_slot {
	uint64_t key;               /**< vip << 32 | port << 16 | proto, 0 = empty */
	uint32_t svc;
};

struct sl_snapshot {
	uint64_t gen;
	uint16_t n_ports;
	uint16_t n_services;
	uint32_t svc_mask;          /**< open-addressing table size - 1 */
	struct sl_svc_slot *svc_tab;
	rte_be32_t *vip_tab;        /**< set of VIPs, same size, 0 = empty */
	rte_be32_t *peer_tab;       /**< set of IPv4 backends, gateways and
				     *   next hops, 0 = empty */
	uint32_t peer_mask;         /**< its size - 1 */
	uint16_t n_local;           /**< fullnat local addresses over all ports */
	rte_be32_t local_tab[SL_LOCAL_TAB]; /**< set of them, 0 = empty; the
				     *   retired ones included */
	/** Local addresses gone from the file: no new connections take
	 *  them, replies to them still find their connections (and ARP is
	 *  answered) until @c until, a second of the management clock. */
	uint16_t n_retired;
	struct {
		rte_be32_t addr;
		uint16_t port;
		uint32_t until;
	} retired[SL_MAX_PORTS * SL_MAX_LOCAL_ADDRS];
	struct sl_service *services;
	/** IPv6 services, by id, looked up by a scan (sl_svc_lookup6):
	 *  sites have a few of them; a table like the IPv4 one when that
	 *  changes */
	uint16_t n_svc6;
	uint16_t svc6[SL_MAX_SERVICES];
	uint8_t any6;               /**< some port has an IPv6 address */
	uint8_t any_local6;         /**< some port has IPv6 local addresses */
	uint8_t nat64;              /**< some IPv6 service is fullnat (NAT64):
				     *   replies to local addresses may belong
				     *   to the IPv6 table */
	struct sl_backend **by_slot;  /**< SL_MAX_BACKENDS entries, NULL = free slot */
	unsigned n_workers;
	uint32_t max_timeout;       /**< longest connection timeout, seconds */
	uint8_t **ws;               /**< per-worker scheduler state blocks */
	struct sl_neigh_table *neigh;  /**< where its next hops live */
	uint32_t *neigh_refs;       /**< neighbour references it holds (one per
				     *   backend), given back by sl_svc_free() */
	uint32_t n_neigh_refs;
	struct sl_port_info ports[SL_MAX_PORTS];
	/*
	 * Routing: longest-prefix match (rte_lpm) whose next-hop value is an
	 * index in @c routes. rte_lpm's first level alone is 64 MB, and
	 * routes change only with a restart, so a snapshot whose routes are
	 * those of the one before shares its table (counted references,
	 * management lcore only) instead of building another on every
	 * health flip. rte_lpm takes prefix lengths 1..32: the default
	 * route is kept aside and used on a miss.
	 */
	struct sl_lpm *lpm;
	int32_t default_route;      /**< index in @c routes, -1 = none */
	uint16_t n_routes;
	struct sl_route routes[SL_MAX_ROUTES];
	/* IPv6: the ports' IPv6 subnets first, then their routes, in port
	 * order; sl_svc_route6() scans them (control path only) */
	uint16_t n_routes6;
	struct sl_route6 routes6[SL_MAX_ROUTES];
};

/** Set port @p p's MAC (@c mac and @c mac_ip4). */
static inline void
sl_svc_port_mac(struct sl_port_info *p, const struct rte_ether_addr *mac)
{
	const rte_be16_t etype = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	uint8_t b[8];

	p->mac = *mac;
	memcpy(b, mac, RTE_ETHER_ADDR_LEN);
	memcpy(b + RTE_ETHER_ADDR_LEN, &etype, sizeof(etype));
	memcpy(&p->mac_ip4, b, sizeof(b));
}

/** Port facts known only once DPDK is up. */
struct sl_port_hw {
	uint16_t port_id;
	struct rte_ether_addr mac;
	uint16_t mtu;               /**< largest IPv4 packet it sends */
};

/**
 * Build a snapshot from @p cfg: resolves routes for backends, takes a
 * reference on their next hops in @p neigh (given back when the snapshot
 * is freed, so @p neigh must outlive it), builds scheduler tables and
 * per-worker state.
 * @return snapshot, or NULL with a message in @p err.
 */
struct sl_snapshot *sl_svc_build(const struct sl_config *cfg,
				 const struct sl_port_hw *hw,
				 struct sl_neigh_table *neigh,
				 unsigned n_workers, uint64_t gen,
				 char *err, size_t errlen);

/** 64-bit hash of a backend identity string (stable across builds and
 *  machines): what maglev derives a backend's permutation from. */
uint64_t sl_svc_ident_hash(const char *ident);

/** What a rebuild changed, for the log and the counters. */
struct sl_svc_change {
	unsigned svc_added, svc_removed;
	unsigned be_added, be_removed, be_draining, be_expired;
	/** Ids and slots handed out anew since the last successful rebuild
	 *  (possibly ones used before): their counters start from zero. */
	uint8_t svc_new[SL_MAX_SERVICES];
	uint8_t be_new[SL_MAX_BACKENDS];
};

/**
 * Identities that outlive snapshots: a service keeps its id and a backend
 * its counter slot and generation (its stable identity, which flows
 * store) as long as it is in the file or draining. Management lcore only.
 */
struct sl_svc_ids;
struct sl_svc_ids *sl_svc_ids_create(void);
void sl_svc_ids_free(struct sl_svc_ids *ids);
/** Mark the backend in @p slot failed (or recovered) for the next rebuild. */
void sl_svc_ids_set_down(struct sl_svc_ids *ids, uint16_t slot, int down);

/**
 * Build the next snapshot from @p cfg after @p prev (NULL at start):
 * services keep their ids, backends their slots; a backend drained in the
 * file (state=drain) or gone from it keeps its connections but takes no
 * new ones until @p now_s passes its service's drain_timeout, then leaves
 * (its flows are flushed by the workers). A service gone from the file
 * stays while any of its backends drains.
 *
 * Each worker's scheduler state of a service carries on from @p prev
 * (sl_sched_ops.ws_carry), so frequent rebuilds do not restart rr and wrr
 * at their first backends (wrr does restart when its backends or weights
 * changed). It is copied while the workers still pick
 * with @p prev: the picks made between the copy and the publication are
 * made again by the new snapshot, a bounded and small skew.
 * @return snapshot, or NULL with a message in @p err (nothing changed).
 */
struct sl_snapshot *sl_svc_rebuild(const struct sl_config *cfg,
				   const struct sl_port_hw *hw,
				   struct sl_neigh_table *neigh, unsigned n_workers,
				   struct sl_svc_ids *ids,
				   const struct sl_snapshot *prev, uint32_t now_s,
				   struct sl_svc_change *chg, char *err, size_t errlen);

/** Whether a draining backend of @p s reached its deadline at @p now_s
 *  (then a rebuild turns it into a flush or drops it). */
int sl_svc_drain_due(const struct sl_snapshot *s, uint32_t now_s);

/** Free a snapshot no worker can see any more, giving back its
 *  neighbour references (the last one frees the entry). */
void sl_svc_free(struct sl_snapshot *s);

/** Published snapshot and its grace-period tracker. */
struct sl_svc_ctl {
	struct sl_snapshot *cur;    /**< atomic pointer, see sl_svc_current() */
	struct rte_rcu_qsbr *qsv;   /**< workers report quiescence here */
};

/**
 * Publish @p next, wait until no worker can hold the previous snapshot,
 * then free it. Management lcore only; may block for one worker loop.
 */
void sl_svc_publish(struct sl_svc_ctl *ctl, struct sl_snapshot *next);

/** Current snapshot (worker: once per loop iteration). */
static __rte_always_inline const struct sl_snapshot *
sl_svc_current(const struct sl_svc_ctl *ctl)
{
	/* acquire: pairs with the release exchange in sl_svc_publish() */
	return __atomic_load_n(&ctl->cur, __ATOMIC_ACQUIRE);
}

static __rte_always_inline uint32_t
sl_svc_hash(uint64_t key)
{
	key ^= key >> 33;
	key *= 0xff51afd7ed558ccdULL;
	key ^= key >> 33;
	return (uint32_t)key;
}

static __rte_always_inline uint64_t
sl_svc_key(rte_be32_t vip, rte_be16_t port, uint8_t proto)
{
	return (uint64_t)vip << 32 | (uint64_t)port << 16 | proto;
}

/** Service for (VIP, port, protocol), or NULL. */
static __rte_always_inline const struct sl_service *
sl_svc_lookup(const struct sl_snapshot *s, rte_be32_t vip, rte_be16_t port,
	      uint8_t proto)
{
	uint64_t key = sl_svc_key(vip, port, proto);
	uint32_t i = sl_svc_hash(key) & s->svc_mask;

	for (;; i = (i + 1) & s->svc_mask) {
		/* empty first: a zero key must not match an empty slot */
		if (s->svc_tab[i].key == 0)
			return NULL;
		if (s->svc_tab[i].key == key)
			return &s->services[s->svc_tab[i].svc];
	}
}

/** Whether @p ip is a VIP of any service. */
static __rte_always_inline int
sl_svc_is_vip(const struct sl_snapshot *s, rte_be32_t ip)
{
	uint32_t i = sl_svc_hash(ip) & s->svc_mask;

	for (;; i = (i + 1) & s->svc_mask) {
		if (s->vip_tab[i] == 0)
			return 0;
		if (s->vip_tab[i] == ip)
			return 1;
	}
}

/** Whether @p ip is a backend, gateway or next hop of the snapshot: its
 *  packets to Sluice's own addresses (health-check answers, the
 *  kernel's own traffic with them) are budgeted apart from the rest. */
static __rte_always_inline int
sl_svc_is_peer(const struct sl_snapshot *s, rte_be32_t ip)
{
	uint32_t i = sl_svc_hash(ip) & s->peer_mask;

	for (;; i = (i + 1) & s->peer_mask) {
		if (s->peer_tab[i] == 0)
			return 0;
		if (s->peer_tab[i] == ip)
			return 1;
	}
}

/** Whether @p ip is a fullnat local address (worth asking only when
 *  n_local != 0). */
static __rte_always_inline int
sl_svc_is_local(const struct sl_snapshot *s, rte_be32_t ip)
{
	uint32_t i = sl_svc_hash(ip) & (SL_LOCAL_TAB - 1);

	for (;; i = (i + 1) & (SL_LOCAL_TAB - 1)) {
		if (s->local_tab[i] == 0)
			return 0;
		if (s->local_tab[i] == ip)
			return 1;
	}
}

/**
 * Whether service @p sv admits new connections from client address @p a
 * (an IPv4 address in host order, or an IPv6 one as a big-endian
 * number). Only asked when @c sv->acl is set.
 */
static __rte_always_inline int
sl_svc_acl_pass(const struct sl_service *sv, unsigned __int128 a)
{
	const struct sl_acl_range *r = sv->acl_ranges;
	unsigned lo = 0, hi = sv->n_acl_ranges;

	/* the first range ending at or after a */
	while (lo < hi) {
		unsigned mid = (lo + hi) / 2;

		if (r[mid].hi < a)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < sv->n_acl_ranges && r[lo].lo <= a;
}

/** An IPv6 address as the number sl_svc_acl_pass() takes. */
static __rte_always_inline unsigned __int128
sl_svc_acl_addr6(const struct sl_in6 *a)
{
	uint64_t h, l;

	memcpy(&h, a->b, 8);
	memcpy(&l, a->b + 8, 8);
	return (unsigned __int128)rte_be_to_cpu_64(h) << 64 | rte_be_to_cpu_64(l);
}

/** The service named @p name (in use), or NULL. Control path. */
const struct sl_service *sl_svc_find(const struct sl_snapshot *s, const char *name);

/** Index of the port whose own address is @p ip, or -1. */
static __rte_always_inline int
sl_svc_own_port(const struct sl_snapshot *s, rte_be32_t ip)
{
	unsigned i;

	for (i = 0; i < s->n_ports; i++)
		if (s->ports[i].addr == ip)
			return (int)i;
	return -1;
}

/** Index of the port whose own IPv6 address is @p ip, or -1. */
static __rte_always_inline int
sl_svc_own_port6(const struct sl_snapshot *s, const struct sl_in6 *ip)
{
	unsigned i;

	for (i = 0; i < s->n_ports; i++)
		if (s->ports[i].has6 && sl_in6_eq(&s->ports[i].addr6, ip))
			return (int)i;
	return -1;
}

/** Whether @p ip is an IPv6 local address of some port. */
static __rte_always_inline int
sl_svc_is_local6(const struct sl_snapshot *s, const struct sl_in6 *ip)
{
	unsigned i, j;

	for (i = 0; i < s->n_ports; i++)
		for (j = 0; j < s->ports[i].n_local6; j++)
			if (sl_in6_eq(&s->ports[i].local6[j], ip))
				return 1;
	return 0;
}

/** The IPv6 service for @p vip, @p port, @p proto, or NULL. */
static __rte_always_inline const struct sl_service *
sl_svc_lookup6(const struct sl_snapshot *s, const struct sl_in6 *vip, rte_be16_t port,
	       uint8_t proto)
{
	unsigned i;

	for (i = 0; i < s->n_svc6; i++) {
		const struct sl_service *sv = &s->services[s->svc6[i]];

		if (sv->port == port && sv->proto == proto && sl_in6_eq(&sv->vip6, vip))
			return sv;
	}
	return NULL;
}

/** Whether @p ip is the VIP of an IPv6 service. */
static __rte_always_inline int
sl_svc_is_vip6(const struct sl_snapshot *s, const struct sl_in6 *ip)
{
	unsigned i;

	for (i = 0; i < s->n_svc6; i++)
		if (sl_in6_eq(&s->services[s->svc6[i]].vip6, ip))
			return 1;
	return 0;
}

/**
 * Route IPv6 @p dst by the longest matching prefix among the ports' IPv6
 * subnets (next hop = @p dst) and their IPv6 routes, the default route
 * ::/0 included (next hop = the route's gateway). A subnet wins over a
 * route of the same length. A linear scan of @c routes6: for the control
 * path (snapshot building, commands), not per packet.
 * @return port index, or -1 when nothing covers @p dst (@p nexthop is
 * then left as it was).
 */
int sl_svc_route6(const struct sl_snapshot *s, const struct sl_in6 *dst,
		  struct sl_in6 *nexthop);

/** Index of the port with this DPDK port id, or -1. */
static __rte_always_inline int
sl_svc_port_index(const struct sl_snapshot *s, uint16_t port_id)
{
	unsigned i;

	for (i = 0; i < s->n_ports; i++)
		if (s->ports[i].port_id == port_id)
			return (int)i;
	return -1;
}

/**
 * Route @p dst by the longest matching prefix among the ports' subnets
 * (next hop = @p dst) and their static routes, the default route
 * included (next hop = the route's gateway). A subnet wins over a
 * static route of the same length.
 * @return port index, or -1 when no route covers @p dst (@p nexthop is
 * then left as it was).
 */
int sl_svc_route(const struct sl_snapshot *s, rte_be32_t dst, rte_be32_t *nexthop);

/** Scheduler state of service @p svc for worker @p w. */
static __rte_always_inline void *
sl_svc_ws(const struct sl_snapshot *s, unsigned w, const struct sl_service *svc)
{
	return s->ws[w] + svc->ws_off;
}

#endif /* SL_SVC_H */
