/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sluice --replay: recorded frames through the real packet path
 * (lib/fwd), offline. No NIC and no management lcore: EAL runs in memory
 * with one lcore, each configured port becomes a pair of rings, worker 0
 * takes the frames one at a time at the clock of their capture, and
 * what it sends is read back from the rings (and written to --out).
 * With --explain, each frame's verdict is printed (sl_fwd_trace.h).
 *
 * What live Sluice learns from the network comes from the capture
 * itself, before the replay: a port's MAC address is the destination of
 * frames for its VIPs, own or local addresses (else of frames routed
 * through it from its subnet); next hops' MAC addresses are the sources
 * of frames from them (and ARP senders). Frames sent by Sluice (source
 * MAC one of its ports') are left out, so a capture of both directions
 * replays its input only. Backends are all taken as up: no health checks
 * run offline.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>

#include <pcap/pcap.h>
#include <rte_arp.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_random.h>

#include "sluice.h"
#include "replay.h"
#include "sl_fwd_trace.h"

struct input {
	const char *file;
	int port;                 /* pinned to this port index, -1 = infer */
	pcap_t *pc;
	struct pcap_pkthdr *h;    /* the next frame, NULL at the end */
	const u_char *data;
};

struct replay {
	const struct sl_config *cfg;
	struct input in[SL_REPLAY_INPUTS];
	unsigned n_in;
	struct rte_mempool *pool;
	struct rte_ring *rx[SL_MAX_PORTS], *tx[SL_MAX_PORTS];
	int16_t port_index[RTE_MAX_ETHPORTS];
	struct sl_port_hw hw[SL_MAX_PORTS];
	struct sl_fwd_env env;
	struct sl_neigh_table *neigh;
	struct sl_svc_ids *ids;
	struct sl_snapshot *snap;
	struct sl_worker *w;
	/* port MAC evidence: [port][0] strong (frames for its own, VIP or
	 * local addresses), [port][1] weak (routed through it) */
	struct rte_ether_addr mac_seen[SL_MAX_PORTS][2];
	uint8_t have_mac[SL_MAX_PORTS][2];
};

/* ---- reading the inputs in time order ---- */

static int
input_next(struct input *in)
{
	int r = pcap_next_ex(in->pc, &in->h, &in->data);

	if (r != 1)
		in->h = NULL;
	return r == 1 || r == PCAP_ERROR_BREAK ? 0 : -1;
}

static int
inputs_open(struct replay *r, char *err, size_t errlen)
{
	char ebuf[PCAP_ERRBUF_SIZE];
	unsigned i;

	for (i = 0; i < r->n_in; i++) {
		struct input *in = &r->in[i];

		if (in->pc != NULL)
			pcap_close(in->pc);
		in->pc = pcap_open_offline(in->file, ebuf);
		if (in->pc == NULL) {
			/* libpcap names the file in some messages, not all */
			if (strstr(ebuf, in->file) != NULL)
				snprintf(err, errlen, "%s", ebuf);
			else
				snprintf(err, errlen, "%s: %s", in->file, ebuf);
			return -1;
		}
		if (pcap_datalink(in->pc) != DLT_EN10MB) {
			snprintf(err, errlen, "%s: not an Ethernet capture (link type %d)",
				 in->file, pcap_datalink(in->pc));
			return -1;
		}
		if (input_next(in) != 0) {
			snprintf(err, errlen, "%s: %s", in->file, pcap_geterr(in->pc));
			return -1;
		}
	}
	return 0;
}

static void
inputs_close(struct replay *r)
{
	unsigned i;

	for (i = 0; i < r->n_in; i++)
		if (r->in[i].pc != NULL) {
			pcap_close(r->in[i].pc);
			r->in[i].pc = NULL;
		}
}

/* The earliest frame of all inputs, or NULL at the end of all. */
static struct input *
inputs_earliest(struct replay *r)
{
	struct input *best = NULL;
	unsigned i;

	for (i = 0; i < r->n_in; i++) {
		struct input *in = &r->in[i];

		if (in->h == NULL)
			continue;
		if (best == NULL || timercmp(&in->h->ts, &best->h->ts, <))
			best = in;
	}
	return best;
}

/* ---- what a frame is ---- */

struct frame {
	const uint8_t *d;
	uint32_t len;
	uint16_t et;          /* EtherType after one VLAN tag, if any */
	uint32_t l3;          /* offset of the network header */
	int v6;
	rte_be32_t src, dst;  /* IPv4; ARP: sender and target */
	struct sl_in6 src6, dst6;
	int ip;               /* an IPv4 or IPv6 header is there */
};

static void
frame_parse(const uint8_t *d, uint32_t len, struct frame *f)
{
	memset(f, 0, sizeof(*f));
	f->d = d;
	f->len = len;
	if (len < RTE_ETHER_HDR_LEN)
		return;
	f->et = (uint16_t)(d[12] << 8 | d[13]);
	f->l3 = RTE_ETHER_HDR_LEN;
	if (f->et == RTE_ETHER_TYPE_VLAN && len >= RTE_ETHER_HDR_LEN + 4) {
		f->et = (uint16_t)(d[16] << 8 | d[17]);
		f->l3 += 4;
	}
	if (f->et == RTE_ETHER_TYPE_IPV4 && len >= f->l3 + 20) {
		memcpy(&f->src, d + f->l3 + 12, 4);
		memcpy(&f->dst, d + f->l3 + 16, 4);
		f->ip = 1;
	} else if (f->et == RTE_ETHER_TYPE_IPV6 && len >= f->l3 + 40) {
		memcpy(f->src6.b, d + f->l3 + 8, 16);
		memcpy(f->dst6.b, d + f->l3 + 24, 16);
		f->ip = f->v6 = 1;
	} else if (f->et == RTE_ETHER_TYPE_ARP && len >= f->l3 + 28) {
		memcpy(&f->src, d + f->l3 + 14, 4);
		memcpy(&f->dst, d + f->l3 + 24, 4);
	}
}

static int
in_subnet4(const struct sl_config_port *p, rte_be32_t ip)
{
	uint32_t mask = p->prefix_len == 0 ? 0 : ~0u << (32 - p->prefix_len);

	return p->addr != 0 && ((rte_be_to_cpu_32(ip) ^ p->addr) & mask) == 0;
}

static int
in_subnet6(const struct sl_config_port *p, const struct sl_in6 *ip)
{
	unsigned bits = p->prefix6_len, i;

	if (bits == 0)
		return 0;
	for (i = 0; i < 16 && bits > 0; i++, bits = bits >= 8 ? bits - 8 : 0) {
		uint8_t m = bits >= 8 ? 0xff : (uint8_t)(0xff << (8 - bits));

		if ((ip->b[i] ^ p->addr6[i]) & m)
			return 0;
	}
	return 1;
}

/* The port a frame came in on: its input's, else the port whose subnet
 * holds its source, else the first port with a default gateway. */
static int
frame_port(const struct replay *r, const struct input *in, const struct frame *f)
{
	const struct sl_config *cfg = r->cfg;
	unsigned p;

	if (in->port >= 0)
		return in->port;
	for (p = 0; p < cfg->n_ports; p++)
		if (f->v6 ? in_subnet6(&cfg->ports[p], &f->src6) :
		    (f->ip || f->et == RTE_ETHER_TYPE_ARP) && in_subnet4(&cfg->ports[p], f->src))
			return (int)p;
	for (p = 0; p < cfg->n_ports; p++)
		if (f->v6 ? cfg->ports[p].prefix6_len != 0 && !sl_in6_zero((const struct sl_in6 *)cfg->ports[p].gateway6) :
		    cfg->ports[p].gateway != 0)
			return (int)p;
	return 0;
}

/* Whether a frame's source MAC is one of Sluice's ports': its output. */
static int
from_sluice(const struct replay *r, const struct frame *f)
{
	unsigned p;

	for (p = 0; p < r->cfg->n_ports; p++)
		if (rte_is_same_ether_addr((const struct rte_ether_addr *)(f->d + 6),
					   &r->hw[p].mac))
			return 1;
	return 0;
}

/* Pass one: each port's MAC address. */
static void
learn_port_mac(struct replay *r, int p, const struct frame *f)
{
	const struct sl_snapshot *s = r->snap;
	const struct rte_ether_addr *dmac = (const struct rte_ether_addr *)f->d;
	const struct sl_config_port *cp = &r->cfg->ports[p];
	int strong, weak;

	if (!f->ip || rte_is_multicast_ether_addr(dmac))
		return;
	if (f->v6) {
		strong = sl_svc_is_vip6(s, &f->dst6) || sl_svc_own_port6(s, &f->dst6) >= 0 ||
			sl_svc_is_local6(s, &f->dst6);
		weak = in_subnet6(cp, &f->src6) && !in_subnet6(cp, &f->dst6);
	} else {
		strong = sl_svc_is_vip(s, f->dst) || sl_svc_own_port(s, f->dst) >= 0 ||
			(s->n_local != 0 && sl_svc_is_local(s, f->dst));
		weak = in_subnet4(cp, f->src) && !in_subnet4(cp, f->dst);
	}
	if (strong && !r->have_mac[p][0]) {
		r->mac_seen[p][0] = *dmac;
		r->have_mac[p][0] = 1;
	} else if (weak && !r->have_mac[p][1]) {
		r->mac_seen[p][1] = *dmac;
		r->have_mac[p][1] = 1;
	}
}

/* Pass two: next hops' MAC addresses (only the snapshot's next hops are
 * taken: sl_neigh_learn() updates live entries only). */
static void
learn_neigh(struct replay *r, int p, const struct frame *f)
{
	const struct sl_config_port *cp = &r->cfg->ports[p];
	const struct rte_ether_addr *smac = (const struct rte_ether_addr *)(f->d + 6);
	uint64_t now = rte_rdtsc();

	if (f->et == RTE_ETHER_TYPE_ARP) {
		struct rte_ether_addr sha;

		memcpy(&sha, f->d + f->l3 + 8, sizeof(sha));
		sl_neigh_learn(r->neigh, (uint16_t)p, f->src, &sha, now);
	} else if (f->ip && !f->v6) {
		if (in_subnet4(cp, f->src))
			sl_neigh_learn(r->neigh, (uint16_t)p, f->src, smac, now);
		else if (cp->gateway != 0)
			sl_neigh_learn(r->neigh, (uint16_t)p, rte_cpu_to_be_32(cp->gateway), smac, now);
	} else if (f->ip) {
		if (in_subnet6(cp, &f->src6) || (f->src6.b[0] == 0xfe && (f->src6.b[1] & 0xc0) == 0x80))
			sl_neigh_learn6(r->neigh, (uint16_t)p, &f->src6, smac, now);
		else
			sl_neigh_learn6(r->neigh, (uint16_t)p, (const struct sl_in6 *)cp->gateway6, smac, now);
	}
}

/* ---- set-up ---- */

static int
ring_port(struct replay *r, unsigned i, char *err, size_t errlen)
{
	char name[32];
	int pid, ret;

	snprintf(name, sizeof(name), "replay_rx%u", i);
	r->rx[i] = rte_ring_create(name, 1024, SOCKET_ID_ANY, RING_F_SP_ENQ | RING_F_SC_DEQ);
	snprintf(name, sizeof(name), "replay_tx%u", i);
	r->tx[i] = rte_ring_create(name, 4096, SOCKET_ID_ANY, RING_F_SP_ENQ | RING_F_SC_DEQ);
	if (r->rx[i] == NULL || r->tx[i] == NULL) {
		snprintf(err, errlen, "ring: %s", rte_strerror(rte_errno));
		return -1;
	}
	snprintf(name, sizeof(name), "replay_port%u", i);
	pid = rte_eth_from_rings(name, &r->rx[i], 1, &r->tx[i], 1, SOCKET_ID_ANY);
	if (pid < 0) {
		snprintf(err, errlen, "ring port: %s", rte_strerror(rte_errno));
		return -1;
	}
	ret = rte_eth_dev_configure((uint16_t)pid, 1, 1, &(struct rte_eth_conf){ 0 });
	if (ret == 0)
		ret = rte_eth_rx_queue_setup((uint16_t)pid, 0, 512, rte_socket_id(), NULL, r->pool);
	if (ret == 0)
		ret = rte_eth_tx_queue_setup((uint16_t)pid, 0, 512, rte_socket_id(), NULL);
	if (ret == 0)
		ret = rte_eth_dev_start((uint16_t)pid);
	if (ret != 0) {
		snprintf(err, errlen, "ring port %d does not start: %s", pid, rte_strerror(-ret));
		return -1;
	}
	r->hw[i].port_id = (uint16_t)pid;
	/* until the capture says otherwise: locally administered */
	r->hw[i].mac = (struct rte_ether_addr){ { 0x02, 0x5c, 0, 0, 0, (uint8_t)(i + 1) } };
	r->hw[i].mtu = r->cfg->ports[i].mtu != 0 ? r->cfg->ports[i].mtu : RTE_ETHER_MTU;
	r->port_index[pid] = (int16_t)i;
	r->env.port_id[i] = (uint16_t)pid;
	r->env.vlan[i] = r->cfg->ports[i].vlan;
	r->env.mtu[i] = r->hw[i].mtu;
	return 0;
}

static int
setup(struct replay *r, char *err, size_t errlen)
{
	const struct sl_config *cfg = r->cfg;
	struct sl_fwd_params p = {
		.id = 0, .lcore = rte_lcore_id(), .socket_id = (int)rte_socket_id(),
		.flow_capacity = cfg->global.flow_capacity,
		.timeouts = cfg->global.timeouts,
	};
	char why[512];
	unsigned i;

	for (i = 0; i < cfg->n_ports; i++)
		if (cfg->ports[i].prefix6_len != 0)
			p.flow6_capacity = RTE_MAX(1024u, cfg->global.flow_capacity / 4);
	for (i = 0; i < RTE_MAX_ETHPORTS; i++)
		r->port_index[i] = -1;
	r->pool = rte_pktmbuf_pool_create("replay_pool", 8191, 256, 0,
					  RTE_MBUF_DEFAULT_BUF_SIZE, (int)rte_socket_id());
	r->neigh = sl_neigh_create(4096, (int)rte_socket_id());
	r->ids = sl_svc_ids_create();
	if (r->pool == NULL || r->neigh == NULL || r->ids == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (i = 0; i < cfg->n_ports; i++)
		if (ring_port(r, i, err, errlen) != 0)
			return -1;
	r->env.neigh = r->neigh;
	r->env.port_index = r->port_index;
	r->env.n_ports = cfg->n_ports;
	r->env.n_workers = 1;
	r->env.hz = rte_get_tsc_hz();
	r->env.pool = r->pool;
	r->env.sp_rate = cfg->global.slowpath_rate;
	r->env.sp_burst = cfg->global.slowpath_burst;
	r->env.cookie_key[0] = rte_rand();
	r->env.cookie_key[1] = rte_rand();
	r->env.lport_lo = cfg->global.local_port_lo;
	r->env.lport_hi = cfg->global.local_port_hi;
	/* as the application: the top of a wide range is the health checks' */
	if (r->env.lport_hi - r->env.lport_lo + 1 > 2 * SL_CHECK_PORTS)
		r->env.lport_hi = (uint16_t)(r->env.lport_hi - SL_CHECK_PORTS);
	r->env.cap.svc = r->env.cap.port = -1;
	r->w = sl_fwd_worker_create(&r->env, &p);
	if (r->w == NULL) {
		snprintf(err, errlen, "worker: %s (flow_capacity %u)", rte_strerror(rte_errno),
			 p.flow_capacity);
		return -1;
	}
	r->snap = sl_svc_rebuild(cfg, r->hw, r->neigh, 1, r->ids, NULL, 0,
				 &(struct sl_svc_change){ 0 }, why, sizeof(why));
	if (r->snap == NULL) {
		snprintf(err, errlen, "%s", why);
		return -1;
	}
	return 0;
}

/* Passes one and two over the inputs. */
static int
learn(struct replay *r, char *err, size_t errlen)
{
	struct input *in;
	struct frame f;
	unsigned p;
	int pass;

	for (pass = 0; pass < 2; pass++) {
		if (inputs_open(r, err, errlen) != 0)
			return -1;
		while ((in = inputs_earliest(r)) != NULL) {
			frame_parse(in->data, in->h->caplen, &f);
			if (f.len >= RTE_ETHER_HDR_LEN && !from_sluice(r, &f)) {
				int port = frame_port(r, in, &f);

				if (pass == 0)
					learn_port_mac(r, port, &f);
				else
					learn_neigh(r, port, &f);
			}
			if (input_next(in) != 0) {
				snprintf(err, errlen, "%s: %s", in->file, pcap_geterr(in->pc));
				return -1;
			}
		}
		if (pass != 0)
			break;
		for (p = 0; p < r->cfg->n_ports; p++) {
			int k = r->have_mac[p][0] ? 0 : r->have_mac[p][1] ? 1 : -1;

			if (k >= 0)
				r->hw[p].mac = r->mac_seen[p][k];
			sl_svc_port_mac(&r->snap->ports[p], &r->hw[p].mac);
			fprintf(stderr, "replay: port %s: MAC " RTE_ETHER_ADDR_PRT_FMT "%s\n",
				r->cfg->ports[p].name, RTE_ETHER_ADDR_BYTES(&r->hw[p].mac),
				k < 0 ? " (no frame for it in the capture: made up)" : "");
		}
	}
	return 0;
}

/* ---- the replay ---- */

struct totals {
	uint64_t read, replayed, skipped, sent, mgmt, fate[SL_FATE_MAX];
};

/* What the worker sent (to --out) and handed to management (freed). */
static void
collect(struct replay *r, pcap_dumper_t *out, const struct timeval *ts, struct totals *t)
{
	struct rte_mbuf *m;
	unsigned p;
	void *o;

	sl_fwd_flush(r->w);
	for (p = 0; p < r->cfg->n_ports; p++)
		while (rte_ring_dequeue(r->tx[p], &o) == 0) {
			m = o;
			if (out != NULL) {
				struct pcap_pkthdr h = { .ts = *ts };
				uint8_t buf[RTE_MBUF_DEFAULT_DATAROOM];
				const uint8_t *d = rte_pktmbuf_read(m, 0,
					RTE_MIN(m->pkt_len, (uint32_t)sizeof(buf)), buf);

				h.caplen = RTE_MIN(m->pkt_len, (uint32_t)sizeof(buf));
				h.len = m->pkt_len;
				if (d != NULL)
					pcap_dump((u_char *)out, &h, d);
			}
			t->sent++;
			rte_pktmbuf_free(m);
		}
	while (rte_ring_dequeue(r->w->to_mgmt, &o) == 0) {
		t->mgmt++;
		rte_pktmbuf_free(o);
	}
}

static int
run(struct replay *r, const struct sl_replay_opts *o, char *err, size_t errlen)
{
	pcap_dumper_t *out = NULL;
	pcap_t *dead = NULL;
	struct totals t = { 0 };
	struct timeval t0 = { 0, 0 };
	uint64_t base = rte_rdtsc(), hz = r->env.hz;
	struct input *in;
	char line[1024];
	unsigned i;
	int ret = -1;

	if (o->out != NULL) {
		dead = pcap_open_dead(DLT_EN10MB, 65535);
		out = dead != NULL ? pcap_dump_open(dead, o->out) : NULL;
		if (out == NULL) {
			snprintf(err, errlen, "cannot write %s: %s", o->out,
				 dead != NULL ? pcap_geterr(dead) : "libpcap");
			goto done;
		}
	}
	if (inputs_open(r, err, errlen) != 0)
		goto done;
	while ((in = inputs_earliest(r)) != NULL) {
		struct frame f;
		struct rte_mbuf *m;
		struct timeval dt;
		uint64_t now;
		int port;

		t.read++;
		if (t.read == 1)
			t0 = in->h->ts;
		timersub(&in->h->ts, &t0, &dt);
		if (dt.tv_sec < 0)
			dt = (struct timeval){ 0, 0 };
		now = base + (uint64_t)dt.tv_sec * hz + (uint64_t)dt.tv_usec * hz / 1000000;
		frame_parse(in->data, in->h->caplen, &f);
		if (in->h->caplen < in->h->len || in->h->caplen > RTE_MBUF_DEFAULT_DATAROOM ||
		    (f.len >= RTE_ETHER_HDR_LEN && from_sluice(r, &f))) {
			/* cut short by the capture, or Sluice's own output */
			t.skipped++;
			goto next;
		}
		port = frame_port(r, in, &f);
		m = rte_pktmbuf_alloc(r->pool);
		if (m == NULL) {
			snprintf(err, errlen, "mbuf pool empty");
			goto done;
		}
		memcpy(rte_pktmbuf_mtod(m, void *), in->data, in->h->caplen);
		m->data_len = (uint16_t)in->h->caplen;
		m->pkt_len = in->h->caplen;
		m->port = r->hw[port].port_id;
		sl_fwd_expire(r->w, now);
		sl_fwd_timers(r->w, r->snap, now);
		collect(r, out, &in->h->ts, &t);
		if (o->explain) {
			struct sl_fwd_verdict v;

			sl_fwd_trace_one(r->w, r->snap, m, port, now, &v);
			sl_fwd_verdict_format(&v, r->snap, base, hz, line, sizeof(line));
			printf("%" PRIu64 " %s\n", t.read, line);
			t.fate[v.fate]++;
		} else {
			r->w->stats.rx_pkts++;
			sl_fwd_burst(r->w, r->snap, &m, 1, port, now);
		}
		t.replayed++;
		collect(r, out, &in->h->ts, &t);
next:
		if (input_next(in) != 0) {
			snprintf(err, errlen, "%s: %s", in->file, pcap_geterr(in->pc));
			goto done;
		}
	}
	printf("replay: %" PRIu64 " frames read, %" PRIu64 " replayed, %" PRIu64
	       " skipped (Sluice's own or cut short), %" PRIu64 " frames sent%s%s, %" PRIu64
	       " to the management lcore\n", t.read, t.replayed, t.skipped, t.sent,
	       o->out != NULL ? " to " : "", o->out != NULL ? o->out : "", t.mgmt);
	if (o->explain) {
		printf("replay: verdicts:");
		for (i = 0; i < SL_FATE_MAX; i++)
			if (t.fate[i] != 0)
				printf(" %s %" PRIu64 ";", sl_fate_name(i), t.fate[i]);
		printf("\n");
	}
	printf("replay: connections created %" PRIu64 ", drops:", r->w->stats.conns_created);
	for (i = 1; i < SL_DROP_MAX; i++)
		if (r->w->stats.drops[i] != 0)
			printf(" %s %" PRIu64, sl_drop_name((enum sl_drop)i), r->w->stats.drops[i]);
	printf("\n");
	ret = 0;
done:
	if (out != NULL)
		pcap_dump_close(out);
	if (dead != NULL)
		pcap_close(dead);
	return ret;
}

static void
teardown(struct replay *r)
{
	unsigned i;

	inputs_close(r);
	sl_fwd_worker_free(r->w);
	sl_svc_free(r->snap);
	sl_svc_ids_free(r->ids);
	sl_neigh_free(r->neigh);
	for (i = 0; i < r->cfg->n_ports; i++) {
		if (r->hw[i].port_id != 0 || r->rx[i] != NULL) {
			rte_eth_dev_stop(r->hw[i].port_id);
			rte_eth_dev_close(r->hw[i].port_id);
		}
		rte_ring_free(r->rx[i]);
		rte_ring_free(r->tx[i]);
	}
	rte_mempool_free(r->pool);
}

int
sl_replay(const char *prog, const struct sl_config *cfg, const struct sl_replay_opts *o)
{
	static struct replay r;
	char mem[32], prefix[48], err[512];
	const char *eal[] = {
		prog, "-l", "0", "--no-pci", "--no-huge", "-m", mem, "--no-shconf",
		"--file-prefix", prefix, "--no-telemetry", "--log-level", "lib.*:error", NULL,
	};
	unsigned i;
	int ret = EXIT_FAILURE;

	memset(&r, 0, sizeof(r));
	r.cfg = cfg;
	for (i = 0; i < o->n_inputs; i++) {
		char *at = strrchr(o->inputs[i], '@');
		unsigned p;

		r.in[i].file = o->inputs[i];
		r.in[i].port = -1;
		if (at != NULL && o->inputs[i][0] != '\0') {
			for (p = 0; p < cfg->n_ports; p++)
				if (strcmp(cfg->ports[p].name, at + 1) == 0)
					r.in[i].port = (int)p;
			if (r.in[i].port < 0) {
				fprintf(stderr, "sluice: --replay %s: no port named '%s'\n",
					o->inputs[i], at + 1);
				return EXIT_FAILURE;
			}
			*at = '\0';
		}
		if (o->port >= 0 && r.in[i].port < 0)
			r.in[i].port = o->port;
	}
	r.n_in = o->n_inputs;
	/* the flow tables' memory (about 200 bytes a connection, IPv6 ones
	 * included), taken as it is touched */
	snprintf(mem, sizeof(mem), "%" PRIu64,
		 (uint64_t)256 + (uint64_t)cfg->global.flow_capacity * 400 / 1048576);
	/* no shared files, but a prefix of its own beside a running Sluice */
	snprintf(prefix, sizeof(prefix), "sluice-replay-%d", (int)getpid());
	rte_openlog_stream(stderr);
	if (rte_eal_init((int)RTE_DIM(eal) - 1, (char **)(uintptr_t)eal) < 0) {
		fprintf(stderr, "sluice: EAL initialisation failed: %s\n", rte_strerror(rte_errno));
		return EXIT_FAILURE;
	}
	if (setup(&r, err, sizeof(err)) == 0 && learn(&r, err, sizeof(err)) == 0 &&
	    run(&r, o, err, sizeof(err)) == 0)
		ret = EXIT_SUCCESS;
	else
		fprintf(stderr, "sluice: replay: %s\n", err);
	teardown(&r);
	rte_eal_cleanup();
	return ret;
}
