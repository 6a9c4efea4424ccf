/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Management lcore: ARP (answers for own addresses and VIPs, resolution
 * of next hops with a small hold queue), gratuitous ARP at start, and
 * counters. It sleeps between rounds and never busy-spins; what it sends
 * goes out through worker 0's queues.
 */
#include <stdio.h>
#include <string.h>
#include <errno.h>
#include <inttypes.h>
#include <time.h>
#include <arpa/inet.h>

#include <rte_arp.h>
#include <rte_cycles.h>
#include <rte_ethdev.h>

#include "sluice.h"
#include "sl_pkt.h"

#define MGMT_SLEEP_US   1000   /* while waiting for ARP at start */
#define NEIGH_PERIOD_MS 100

static const struct rte_ether_addr bcast = {
	.addr_bytes = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff }
};
static const struct rte_ether_addr zero_mac;
static const struct rte_ether_addr all_nodes_mac = {
	.addr_bytes = { 0x33, 0x33, 0, 0, 0, 1 }
};
static const struct sl_in6 all_nodes6 = { .b = { 0xff, 0x02, [15] = 1 } };

static void
mgmt_drop(struct sl_app *app, struct rte_mbuf *m, enum sl_drop why)
{
	app->mgmt_drops[why]++;
	rte_pktmbuf_free(m);
}

/* Hand a finished frame to worker 0 for sending on port @p pidx. */
static void
mgmt_send(struct sl_app *app, unsigned pidx, struct rte_mbuf *m)
{
	m->port = app->hw[pidx].port_id;
	if (rte_ring_sp_enqueue(app->workers[0]->from_mgmt, m) != 0)
		mgmt_drop(app, m, SL_DROP_TX);
}

static void
send_arp(struct sl_app *app, unsigned pidx, uint16_t op,
	 const struct rte_ether_addr *eth_dst, rte_be32_t spa,
	 const struct rte_ether_addr *tha, rte_be32_t tpa)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(app->pool);
	uint8_t *p;
	unsigned len;

	if (m == NULL) {
		app->mgmt_drops[SL_DROP_NO_MBUF]++;
		return;
	}
	p = (uint8_t *)rte_pktmbuf_append(m, RTE_ETHER_MIN_LEN - RTE_ETHER_CRC_LEN);
	len = sl_arp_build(p, op, eth_dst, &app->hw[pidx].mac, spa, tha, tpa);
	RTE_SET_USED(len);
	mgmt_send(app, pidx, m);
}

/* A neighbour solicitation for @p target from port @p pidx's IPv6 address. */
static void
send_ns(struct sl_app *app, unsigned pidx, const struct sl_in6 *target)
{
	const struct sl_snapshot *snap = sl_svc_current(&app->svc);
	struct rte_mbuf *m;
	uint8_t *p;

	if (!snap->ports[pidx].has6)
		return;
	m = rte_pktmbuf_alloc(app->pool);
	if (m == NULL) {
		app->mgmt_drops[SL_DROP_NO_MBUF]++;
		return;
	}
	p = (uint8_t *)rte_pktmbuf_append(m, 96);
	rte_pktmbuf_trim(m, (uint16_t)(96 - sl_nd_build_ns(p, &app->hw[pidx].mac,
							   &snap->ports[pidx].addr6, target)));
	mgmt_send(app, pidx, m);
}

/* A neighbour advertisement for @p target (ours) on port @p pidx. */
static void
send_na(struct sl_app *app, unsigned pidx, const struct rte_ether_addr *dst_mac,
	const struct sl_in6 *dst, const struct sl_in6 *target, uint8_t flags)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(app->pool);
	uint8_t *p;

	if (m == NULL) {
		app->mgmt_drops[SL_DROP_NO_MBUF]++;
		return;
	}
	p = (uint8_t *)rte_pktmbuf_append(m, 96);
	rte_pktmbuf_trim(m, (uint16_t)(96 - sl_nd_build_na(p, &app->hw[pidx].mac, dst_mac,
							   target, dst, target, flags)));
	mgmt_send(app, pidx, m);
}

static void
request_cb(uint32_t idx, uint16_t port, rte_be32_t ip, void *arg)
{
	struct sl_app *app = arg;
	const struct sl_snapshot *snap = sl_svc_current(&app->svc);
	const struct sl_neigh_meta *nm = &app->neigh->meta[SL_NEIGH_IDX(idx)];

	if (nm->v6) {
		send_ns(app, port, &nm->ip6);
		return;
	}
	send_arp(app, port, RTE_ARP_OP_REQUEST, &bcast, snap->ports[port].addr,
		 &zero_mac, ip);
}

/* Whether we answer neighbour solicitations for @p ip on port @p pidx:
 * its own IPv6 address and the IPv6 VIPs it announces. */
static int
nd_is_ours(const struct sl_snapshot *snap, unsigned pidx, const struct sl_in6 *ip)
{
	unsigned i;

	if (snap->ports[pidx].has6 && sl_in6_eq(&snap->ports[pidx].addr6, ip))
		return 1;
	for (i = 0; i < snap->ports[pidx].n_local6; i++)
		if (sl_in6_eq(&snap->ports[pidx].local6[i], ip))
			return 1;
	for (i = 0; i < snap->n_svc6; i++) {
		const struct sl_service *sv = &snap->services[snap->svc6[i]];

		if (sv->vip_port == pidx && sl_in6_eq(&sv->vip6, ip))
			return 1;
	}
	return 0;
}

/* Whether @p ip is port @p pidx's own address or one of its local ones. */
static int
arp_is_local(const struct sl_snapshot *snap, unsigned pidx, rte_be32_t ip)
{
	unsigned i;

	if (snap->ports[pidx].addr == ip)
		return 1;
	for (i = 0; i < snap->ports[pidx].n_local; i++)
		if (snap->ports[pidx].local[i] == ip)
			return 1;
	return 0;
}

/* Whether we answer ARP for @p ip on port @p pidx. */
static int
arp_is_ours(const struct sl_snapshot *snap, unsigned pidx, rte_be32_t ip)
{
	unsigned i;

	if (arp_is_local(snap, pidx, ip))
		return 1;
	for (i = 0; i < snap->n_retired; i++)
		if (snap->retired[i].addr == ip && snap->retired[i].port == pidx)
			return 1;
	for (i = 0; i < snap->n_services; i++)
		if (snap->services[i].used && snap->services[i].vip == ip &&
		    snap->services[i].vip_port == pidx)
			return 1;
	return 0;
}

static void
release_held(struct sl_app *app, uint32_t idx, const struct rte_ether_addr *mac)
{
	struct rte_mbuf *held[SL_NEIGH_HOLD];
	unsigned n, i;

	n = sl_neigh_take_held(app->neigh, idx, held, SL_NEIGH_HOLD);
	for (i = 0; i < n; i++) {
		struct rte_ether_hdr *eh = rte_pktmbuf_mtod(held[i], struct rte_ether_hdr *);
		int pidx = app->port_index[held[i]->port];

		rte_ether_addr_copy(mac, &eh->dst_addr);
		mgmt_send(app, (unsigned)pidx, held[i]);
	}
}

static void hold_in(struct sl_app *app, struct rte_mbuf *m, uint32_t ref);

/*
 * A frame of a health check through a VIP (see health.c), IPv4 or IPv6:
 * a TCP or UDP frame whose port on Sluice's side (source @p from_kernel,
 * else destination) is a check's, and whose address on the backend's
 * side is the backend's own (frames from the kernel) or the VIP's
 * (answers). It gets the other one there, the VIP on the way out, the
 * backend's own address on the way back, its TCP/UDP checksum updated
 * for the changed pseudo-header. Returns its backend; NULL, the frame
 * untouched, when it is no check's.
 */
static const struct sl_backend *
vip_check_readdress(const struct sl_snapshot *snap, struct rte_mbuf *m, int from_kernel)
{
	uint8_t *data = rte_pktmbuf_mtod(m, uint8_t *);
	uint32_t len = rte_pktmbuf_data_len(m);
	const struct sl_service *svc;
	const struct sl_backend *be;
	struct sl_pkt6_info pi6;
	struct sl_pkt_info pi;
	rte_be16_t sport, dport;
	uint8_t proto;
	int slot;

	if (m->nb_segs != 1 || sl_pkt_parse(data, len, 0, &pi) != 0 ||
	    pi.l2_len != RTE_ETHER_HDR_LEN)
		return NULL;
	if (pi.kind == SL_PKT_IPV4) {
		proto = pi.proto;
		sport = pi.sport;
		dport = pi.dport;
	} else if (pi.kind == SL_PKT_IPV6) {
		pi6.l2_len = pi.l2_len;
		if (sl_pkt_parse6(data, len, 0, &pi6) != 0)
			return NULL;
		proto = pi6.proto;
		sport = pi6.sport;
		dport = pi6.dport;
	} else {
		return NULL;
	}
	if (proto != IPPROTO_TCP && proto != IPPROTO_UDP)
		return NULL;
	slot = sl_health_vip_slot(rte_be_to_cpu_16(from_kernel ? sport : dport));
	if (slot < 0 || (be = snap->by_slot[slot]) == NULL ||
	    be->v6 != (pi.kind == SL_PKT_IPV6))
		return NULL;
	svc = &snap->services[be->svc];
	if (be->v6) {
		if (!sl_in6_eq(from_kernel ? &pi6.dst : &pi6.src,
			       from_kernel ? &be->addr6 : &svc->vip6))
			return NULL;
		sl_nat6_rewrite(data, &pi6, from_kernel, from_kernel ? &svc->vip6 : &be->addr6,
				from_kernel ? dport : sport);
		return be;
	}
	if (from_kernel ? pi.dst != be->addr : pi.src != svc->vip)
		return NULL;
	sl_nat_rewrite(data, &pi, from_kernel, from_kernel ? svc->vip : be->addr,
		       from_kernel ? dport : sport);
	return be;
}

/* A frame from the kernel: a check through a VIP goes to its backend as
 * a client's packet would; returns 1 when it took the frame. */
static int
vip_check_out(struct sl_app *app, const struct sl_snapshot *snap, struct rte_mbuf *m)
{
	const struct sl_backend *be;
	struct rte_ether_addr mac;
	int resolved, ret;

	be = vip_check_readdress(snap, m, 1);
	if (be == NULL)
		return 0;
	memset(&mac, 0, sizeof(mac));
	resolved = sl_neigh_mac(app->neigh, be->neigh, &mac);
	ret = sl_fwd_oneway_frame(app->workers[0], snap, &snap->services[be->svc], be, m, &mac);
	if (ret != 0) {
		mgmt_drop(app, m, ret == -EMSGSIZE ? SL_DROP_TOO_BIG : SL_DROP_NO_HEADROOM);
		return 1;
	}
	if (resolved)
		mgmt_send(app, be->out_port, m);
	else
		hold_in(app, m, be->neigh);
	return 1;
}

/* Hand a frame to the kernel through port @p pidx's TAP. */
static void
kernel_send(struct sl_app *app, unsigned pidx, struct rte_mbuf *m)
{
	/* the answer to a check through a VIP: from the backend's own
	 * address again, as the kernel's socket expects */
	vip_check_readdress(sl_svc_current(&app->svc), m, 0);
	if (pidx >= SL_MAX_PORTS || app->tap[pidx] < 0 ||
	    rte_eth_tx_burst((uint16_t)app->tap[pidx], 0, &m, 1) != 1)
		mgmt_drop(app, m, SL_DROP_TO_SELF);
}

static void
arp_in(struct sl_app *app, const struct sl_snapshot *snap, struct rte_mbuf *m)
{
	uint8_t *data = rte_pktmbuf_mtod(m, uint8_t *);
	int pidx = app->port_index[m->port];
	struct sl_pkt_info pi;
	struct sl_arp_info ai;
	int idx;

	if (pidx < 0 || sl_pkt_parse(data, rte_pktmbuf_data_len(m), 0, &pi) != 0 ||
	    sl_arp_parse(data + pi.l2_len, rte_pktmbuf_data_len(m) - pi.l2_len, &ai) != 0) {
		mgmt_drop(app, m, SL_DROP_ARP_BAD);
		return;
	}
	/* learn from requests and replies alike, for next hops we use */
	idx = sl_neigh_learn(app->neigh, (uint16_t)pidx, ai.spa, &ai.sha, rte_rdtsc());
	if (idx >= 0)
		release_held(app, (uint32_t)idx, &ai.sha);

	/* the kernel behind the port resolves its own next hops, also
	 * for sockets bound to a local address */
	if (ai.op == RTE_ARP_OP_REPLY && app->tap[pidx] >= 0 &&
	    arp_is_local(snap, (unsigned)pidx, ai.tpa)) {
		kernel_send(app, (unsigned)pidx, m);
		return;
	}
	if (ai.op == RTE_ARP_OP_REQUEST && arp_is_ours(snap, (unsigned)pidx, ai.tpa)) {
		send_arp(app, (unsigned)pidx, RTE_ARP_OP_REPLY, &ai.sha, ai.tpa,
			 &ai.sha, ai.spa);
		rte_pktmbuf_free(m);
		return;
	}
	if (idx < 0 && !(ai.op == RTE_ARP_OP_REPLY && arp_is_ours(snap, (unsigned)pidx, ai.tpa))) {
		/* neither for us nor from a next hop: not our business */
		mgmt_drop(app, m, SL_DROP_ARP_BAD);
		return;
	}
	rte_pktmbuf_free(m);
}

/*
 * Neighbour discovery from a worker: learn the sender's (or the
 * target's) link-layer address for next hops we use, answer
 * solicitations for our own IPv6 addresses and VIPs; what concerns the
 * kernel behind the port (its own address) goes to it.
 */
static void
nd_in(struct sl_app *app, const struct sl_snapshot *snap, struct rte_mbuf *m)
{
	uint8_t *data = rte_pktmbuf_mtod(m, uint8_t *);
	uint32_t len = rte_pktmbuf_data_len(m);
	int pidx = app->port_index[m->port];
	struct sl_pkt_info pi4;
	struct sl_pkt6_info pi;
	struct sl_nd_info nd;
	const struct rte_ether_addr *lla;
	int idx;

	if (pidx < 0 || m->nb_segs != 1 || sl_pkt_parse(data, len, 0, &pi4) != 0 ||
	    pi4.kind != SL_PKT_IPV6) {
		mgmt_drop(app, m, SL_DROP_ICMP6);
		return;
	}
	pi.l2_len = pi4.l2_len;
	if (sl_pkt_parse6(data, len, 0, &pi) != 0 || pi.proto != SL_IPPROTO_ICMPV6 ||
	    sl_nd_parse(data, len, &pi, &nd) != 0) {
		mgmt_drop(app, m, SL_DROP_ICMP6);
		return;
	}
	lla = nd.has_lla ? &nd.lla : &rte_pktmbuf_mtod(m, struct rte_ether_hdr *)->src_addr;
	/* an advertisement speaks for its target, a solicitation for its
	 * source (unless it comes from :: , address resolution's probe) */
	if (nd.type == SL_ND_NA)
		idx = sl_neigh_learn6(app->neigh, (uint16_t)pidx, &nd.target, lla, rte_rdtsc());
	else if (!sl_in6_zero(&pi.src) && nd.has_lla)
		idx = sl_neigh_learn6(app->neigh, (uint16_t)pidx, &pi.src, lla, rte_rdtsc());
	else
		idx = -ENOENT;
	if (idx >= 0)
		release_held(app, (uint32_t)idx, lla);
	if (nd.type == SL_ND_NS && nd_is_ours(snap, (unsigned)pidx, &nd.target) &&
	    !(snap->ports[pidx].kernel && sl_in6_eq(&snap->ports[pidx].addr6, &nd.target))) {
		if (sl_in6_zero(&pi.src))
			send_na(app, (unsigned)pidx, &all_nodes_mac,
				&all_nodes6, &nd.target, 0x20);
		else
			send_na(app, (unsigned)pidx, lla, &pi.src, &nd.target, 0x60);
		rte_pktmbuf_free(m);
		return;
	}
	/* the kernel behind the port answers for its own address and
	 * resolves its own next hops */
	if (app->tap[pidx] >= 0 && snap->ports[pidx].has6) {
		kernel_send(app, (unsigned)pidx, m);
		return;
	}
	rte_pktmbuf_free(m);
}

/* A packet a worker could not address: @p ref is its next hop's
 * neighbour reference, taken from a snapshot that may be gone by now. */
static void
hold_in(struct sl_app *app, struct rte_mbuf *m, uint32_t ref)
{
	struct rte_ether_addr mac;
	int idx = sl_neigh_index(app->neigh, ref);

	/* the entry was freed while the packet was in the ring, and its
	 * slot may hold another next hop by now: not this packet's */
	if (idx < 0) {
		mgmt_drop(app, m, SL_DROP_NEIGH);
		return;
	}
	/* resolved while the packet was in the ring */
	if (sl_neigh_mac(app->neigh, idx, &mac)) {
		rte_ether_addr_copy(&mac, &rte_pktmbuf_mtod(m, struct rte_ether_hdr *)->dst_addr);
		mgmt_send(app, (unsigned)app->port_index[m->port], m);
		return;
	}
	if (sl_neigh_hold(app->neigh, idx, m) != 0)
		mgmt_drop(app, m, SL_DROP_NEIGH);
	/* ask now rather than at the next upkeep round, at most 10 times/s */
	if (rte_rdtsc() - app->neigh->meta[idx].requested > app->hz / 10) {
		app->neigh->meta[idx].requested = rte_rdtsc();
		request_cb(ref, app->neigh->meta[idx].port, app->neigh->meta[idx].ip, app);
	}
}

static unsigned
mgmt_poll(struct sl_app *app)
{
	const struct sl_snapshot *snap = sl_svc_current(&app->svc);
	struct rte_mbuf *pkts[SL_BURST];
	unsigned w, i, n, p, total = 0;

	for (w = 0; w < app->n_workers; w++) {
		n = rte_ring_sc_dequeue_burst(app->workers[w]->to_mgmt, (void **)pkts,
					      SL_BURST, NULL);
		total += n;
		for (i = 0; i < n; i++) {
			uint32_t tag = pkts[i]->hash.usr;

			if (tag == SL_MGMT_SLOWPATH &&
			    rte_pktmbuf_mtod(pkts[i], struct rte_ether_hdr *)->ether_type ==
			    RTE_BE16(RTE_ETHER_TYPE_IPV6))
				nd_in(app, snap, pkts[i]);
			else if (tag == SL_MGMT_SLOWPATH)
				arp_in(app, snap, pkts[i]);
			else if ((tag & SL_MGMT_KERNEL) == SL_MGMT_KERNEL)
				kernel_send(app, tag & 0xffff, pkts[i]);
			else
				hold_in(app, pkts[i], tag);
		}
	}
	/* what the kernel sends through its interfaces goes out of the port */
	for (p = 0; p < app->n_ports; p++) {
		if (app->tap[p] < 0)
			continue;
		n = rte_eth_rx_burst((uint16_t)app->tap[p], 0, pkts, SL_BURST);
		total += n;
		for (i = 0; i < n; i++)
			if (!vip_check_out(app, snap, pkts[i]))
				mgmt_send(app, p, pkts[i]);
	}
	return total;
}

static void
send_garps(struct sl_app *app)
{
	const struct sl_snapshot *snap = sl_svc_current(&app->svc);
	unsigned i, j;

	for (i = 0; i < snap->n_ports; i++) {
		send_arp(app, i, RTE_ARP_OP_REQUEST, &bcast, snap->ports[i].addr,
			 &zero_mac, snap->ports[i].addr);
		for (j = 0; j < snap->ports[i].n_local; j++)
			send_arp(app, i, RTE_ARP_OP_REQUEST, &bcast, snap->ports[i].local[j],
				 &zero_mac, snap->ports[i].local[j]);
	}
	for (i = 0; i < snap->n_services; i++) {
		const struct sl_service *sv = &snap->services[i];

		if (!sv->used || sv->v6)
			continue;
		for (j = 0; j < i; j++)
			if (snap->services[j].used && !snap->services[j].v6 &&
			    snap->services[j].vip == sv->vip)
				break;
		if (j == i)
			send_arp(app, sv->vip_port, RTE_ARP_OP_REQUEST, &bcast,
				 sv->vip, &zero_mac, sv->vip);
	}
	/* IPv6: unsolicited advertisements (override) to all nodes */
	for (i = 0; i < snap->n_ports; i++) {
		if (snap->ports[i].has6 && !snap->ports[i].kernel)
			send_na(app, i, &all_nodes_mac, &all_nodes6, &snap->ports[i].addr6, 0x20);
		for (j = 0; j < snap->ports[i].n_local6; j++)
			send_na(app, i, &all_nodes_mac, &all_nodes6, &snap->ports[i].local6[j], 0x20);
	}
	for (i = 0; i < snap->n_svc6; i++) {
		const struct sl_service *sv = &snap->services[snap->svc6[i]];

		send_na(app, sv->vip_port, &all_nodes_mac, &all_nodes6, &sv->vip6, 0x20);
	}
}

static unsigned
neigh_upkeep(struct sl_app *app)
{
	unsigned dropped = sl_neigh_age(app->neigh, rte_rdtsc(), app->hz,
					app->cfg->global.neigh_timeout, request_cb, app);

	app->mgmt_drops[SL_DROP_NEIGH] += dropped;
	return dropped;
}

static int
all_resolved(const struct sl_app *app)
{
	struct rte_ether_addr mac;
	uint32_t i;

	for (i = 0; i < app->neigh->count; i++)
		if (sl_neigh_in_use(app->neigh, i) && !sl_neigh_mac(app->neigh, i, &mac))
			return 0;
	return 1;
}

static void
sleep_us(unsigned us)
{
	struct timespec ts = { .tv_sec = 0, .tv_nsec = (long)us * 1000 };

	nanosleep(&ts, NULL);
}

int
sl_mgmt_start(struct sl_app *app)
{
	uint64_t deadline = rte_rdtsc() + app->hz;   /* wait at most 1 s */
	char a[INET6_ADDRSTRLEN];
	uint32_t i;

	send_garps(app);
	neigh_upkeep(app);
	while (!all_resolved(app) && rte_rdtsc() < deadline && !sl_stopping(app)) {
		mgmt_poll(app);
		sleep_us(MGMT_SLEEP_US);
	}
	for (i = 0; i < app->neigh->count; i++) {
		struct rte_ether_addr mac;

		if (!sl_neigh_in_use(app->neigh, i))
			continue;
		if (app->neigh->meta[i].v6)
			inet_ntop(AF_INET6, &app->neigh->meta[i].ip6, a, sizeof(a));
		else
			inet_ntop(AF_INET, &app->neigh->meta[i].ip, a, sizeof(a));
		if (sl_neigh_mac(app->neigh, i, &mac))
			SL_LOG(INFO, "next hop %s on port %s is " RTE_ETHER_ADDR_PRT_FMT, a,
			       app->cfg->ports[app->neigh->meta[i].port].name,
			       RTE_ETHER_ADDR_BYTES(&mac));
		else
			SL_LOG(WARNING, "next hop %s on port %s does not answer ARP or neighbour solicitations yet",
			       a, app->cfg->ports[app->neigh->meta[i].port].name);
	}
	return 0;
}

uint32_t
sl_mgmt_now_s(const struct sl_app *app)
{
	return (uint32_t)((rte_rdtsc() - app->start_tsc) / app->hz);
}

static void
log_change(const char *why, const struct sl_svc_change *c, const struct sl_snapshot *s)
{
	SL_LOG(NOTICE, "%s: snapshot %" PRIu64 ": services +%u -%u, backends +%u -%u, %u draining, %u gone",
	       why, s->gen, c->svc_added, c->svc_removed, c->be_added, c->be_removed,
	       c->be_draining, c->be_expired);
}

/*
 * Zero every worker's counters of the ids and slots @p chg hands out
 * anew, before the snapshot that first uses them is published, so a
 * service or backend never inherits its predecessor's totals. No worker
 * writes them meanwhile: an id or slot is free only once no snapshot a
 * worker can see names it and its connections are gone. The release of
 * the publication orders these stores before the workers' first use.
 */
static void
clear_new_counters(struct sl_app *app, const struct sl_svc_change *chg)
{
	unsigned w, i;

	for (w = 0; w < app->n_workers; w++) {
		struct sl_worker *wk = app->workers[w];

		for (i = 0; i < SL_MAX_SERVICES; i++)
			if (chg->svc_new[i])
				memset(&wk->svc_stats[i], 0, sizeof(wk->svc_stats[i]));
		for (i = 0; i < SL_MAX_BACKENDS; i++)
			if (chg->be_new[i])
				memset(&wk->be_stats[i], 0, sizeof(wk->be_stats[i]));
	}
}

/* Rebuild from @p cfg after the current snapshot and publish it. */
int
sl_mgmt_apply(struct sl_app *app, const struct sl_config *cfg, const char *why)
{
	const struct sl_snapshot *cur = sl_svc_current(&app->svc);
	struct sl_svc_change chg;
	struct sl_snapshot *next;
	uint32_t now_s;
	char err[512];

	/*
	 * Whole seconds: a drain that starts now must last at least its
	 * timeout, so new deadlines count from the next second; the drain
	 * timer itself checks deadlines against the current one.
	 */
	now_s = sl_mgmt_now_s(app);
	if (strcmp(why, "drain") != 0)
		now_s++;
	next = sl_svc_rebuild(cfg, app->hw, app->neigh, app->n_workers, app->ids,
			      cur, now_s, &chg, err, sizeof(err));
	if (next == NULL) {
		SL_LOG(ERR, "%s refused: %s; the running configuration stays", why, err);
		return -EINVAL;
	}
	clear_new_counters(app, &chg);
	/* readers of the old snapshot finish their burst before it goes;
	 * the lock keeps the telemetry thread off it meanwhile */
	pthread_mutex_lock(&app->snap_lock);
	sl_svc_publish(&app->svc, next);
	pthread_mutex_unlock(&app->snap_lock);
	if (strcmp(why, "health") != 0)
		log_change(why, &chg, next);
	sl_ports_kernel_locals(app, cfg);
	sl_ports_steer(app, cfg);
	sl_health_sync(app);
	return 0;
}

/*
 * What a running Sluice cannot change without a restart, compared key by
 * key (lib/config), so moving a section within the file is no change.
 * Returns NULL or @p buf saying which section and key changed.
 */
static const char *
restart_needed(const struct sl_config *a, const struct sl_config *b,
	       char *buf, size_t len)
{
	return sl_config_restart_diff(a, b, buf, len) ? buf : NULL;
}

int
sl_mgmt_reload(struct sl_app *app)
{
	struct sl_config *cfg;
	const char *what;
	char err[512], diff[160];

	cfg = sl_config_load(app->config_path, err, sizeof(err));
	if (cfg == NULL) {
		SL_LOG(ERR, "reload refused: %s; the running configuration stays", err);
		return -EINVAL;
	}
	what = restart_needed(app->cfg, cfg, diff, sizeof(diff));
	if (what != NULL) {
		SL_LOG(ERR, "reload refused: %s: %s: needs a restart; the running configuration stays",
		       app->config_path, what);
		sl_config_free(cfg);
		return -EINVAL;
	}
	if (sl_mgmt_apply(app, cfg, "reload") != 0) {
		sl_config_free(cfg);
		return -EINVAL;
	}
	sl_config_free(app->live_cfg);
	app->live_cfg = cfg;
	send_garps(app);
	return 0;
}

/*
 * One management round (the module table in main.c calls it with the
 * other modules' polls): slow-path packets, ARP upkeep, drain deadlines,
 * a reload asked for by SIGHUP, the periodic counters. Returns the
 * packets handled, so an idle round can sleep.
 */
unsigned
sl_mgmt_poll(struct sl_app *app)
{
	static uint64_t next_neigh, next_stats;
	uint64_t neigh_period = app->hz * NEIGH_PERIOD_MS / 1000;
	uint64_t stats_period = app->hz * app->cfg->global.stats_interval;
	unsigned n = mgmt_poll(app);
	uint64_t now = rte_rdtsc();

	if (now >= next_neigh) {
		neigh_upkeep(app);
		/* drain deadlines reached: flush or drop those backends */
		if (sl_svc_drain_due(sl_svc_current(&app->svc), sl_mgmt_now_s(app)))
			sl_mgmt_apply(app, app->live_cfg, "drain");
		next_neigh = now + neigh_period;
	}
	if (__atomic_exchange_n(&app->reload, 0, __ATOMIC_RELAXED)) {
		/* the service manager holds "systemctl reload" until READY=1 */
		sl_notify_reloading();
		sl_notify_ready(app, sl_mgmt_reload(app) == 0 ? "reloaded" :
				"reload refused, the running configuration stays");
	}
	if (stats_period != 0) {
		if (next_stats == 0)
			next_stats = now + stats_period;
		if (now >= next_stats) {
			sl_mgmt_print_stats(app, stderr);
			next_stats = now + stats_period;
		}
	}
	return n;
}

static void
ip_port_str(const struct sl_backend *be, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	if (be->v6) {
		inet_ntop(AF_INET6, &be->addr6, a, sizeof(a));
		snprintf(buf, len, "[%s]:%u", a, rte_be_to_cpu_16(be->port));
		return;
	}
	inet_ntop(AF_INET, &be->addr, a, sizeof(a));
	snprintf(buf, len, "%s:%u", a, rte_be_to_cpu_16(be->port));
}

static void
print_obj(FILE *f, const char *what, const char *name,
	  const struct sl_obj_stats *s)
{
	char buf[SL_STATS_RENDER_MAX];

	sl_obj_stats_render(s, SL_STATS_TEXT, buf, sizeof(buf));
	fprintf(f, "%s %s %s\n", what, name, buf);
}

/* Share of the worker's time spent in loop iterations that had work. */
double
sl_mgmt_busy_pct(const struct sl_worker_stats *s)
{
	uint64_t up = s->start_tsc ? rte_rdtsc() - s->start_tsc : 0;

	return up ? 100.0 * (double)s->busy_tsc / (double)up : 0.0;
}

void
sl_mgmt_sum(const struct sl_app *app, int svc, int slot, struct sl_obj_stats *t)
{
	unsigned w;

	memset(t, 0, sizeof(*t));
	for (w = 0; w < app->n_workers; w++)
		sl_obj_stats_add(t, svc >= 0 ? &app->workers[w]->svc_stats[svc] :
				 &app->workers[w]->be_stats[slot]);
}

void
sl_mgmt_print_stats(struct sl_app *app, FILE *f)
{
	const struct sl_snapshot *snap = sl_svc_current(&app->svc);
	struct sl_worker_stats tot = { 0 };
	unsigned w, i, j;
	char name[128], ep[64], buf[SL_STATS_RENDER_MAX];

	fprintf(f, "--- sluice counters ---\n");
	for (i = 0; i < app->n_ports; i++) {
		struct rte_eth_stats es;

		if (sl_ports_stats(app, i, &es) != 0)
			continue;
		fprintf(f, "port %s rx_packets %" PRIu64 " rx_bytes %" PRIu64
			" tx_packets %" PRIu64 " tx_bytes %" PRIu64 " rx_missed %" PRIu64
			" rx_errors %" PRIu64 " tx_errors %" PRIu64 " rx_nombuf %" PRIu64 "\n",
			app->cfg->ports[i].name, es.ipackets, es.ibytes, es.opackets,
			es.obytes, es.imissed, es.ierrors, es.oerrors, es.rx_nombuf);
	}
	for (w = 0; w < app->n_workers; w++) {
		const struct sl_worker_stats *s = &app->workers[w]->stats;

		sl_worker_stats_render(s, SL_STATS_TEXT, buf, sizeof(buf));
		fprintf(f, "worker %u %s flows %u busy %.1f%%\n", w, buf,
			sl_worker_flows(app->workers[w]), sl_mgmt_busy_pct(s));
		sl_worker_stats_add(&tot, s);
	}
	/* the management lcore's own drops count with the workers' */
	for (i = 0; i < SL_DROP_MAX; i++)
		tot.drops[i] += app->mgmt_drops[i];
	sl_drops_render(tot.drops, SL_STATS_TEXT, NULL, buf, sizeof(buf));
	fputs(buf, f);
	for (i = 0; i < snap->n_services; i++) {
		const struct sl_service *sv = &snap->services[i];
		struct sl_obj_stats s;

		if (!sv->used)
			continue;
		sl_mgmt_sum(app, sv->id, 0, &s);
		print_obj(f, "service", sv->name, &s);
		for (j = 0; j < sv->n_backends; j++) {
			const struct sl_backend *be = &sv->backends[j];
			struct sl_obj_stats b;

			sl_mgmt_sum(app, -1, be->slot, &b);
			ip_port_str(be, ep, sizeof(ep));
			snprintf(name, sizeof(name), "%s %s%s", sv->name, ep,
				 be->flush ? " (flushed)" : be->drain_until ? " (draining)" :
				 be->down ? " (down)" : "");
			print_obj(f, "backend", name, &b);
		}
	}
	fflush(f);
}
