/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Service snapshots: built from a struct sl_config filled in by hand
 * (not parsed), checked for service lookup, VIP set, own addresses,
 * routes, backend next hops and slots, per-worker scheduler state, build
 * errors, a large open-addressing table, and RCU publication.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <pthread.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <CUnit/CUnit.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_rcu_qsbr.h>

#include "sl_svc.h"
#include "sl_test.h"

#define IP(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | \
			(uint32_t)(c) << 8 | (uint32_t)(d))

static const struct sl_port_hw hw[SL_MAX_PORTS] = {
	{ .port_id = 3, .mac = {{ 0x02, 0, 0, 0, 0, 0x03 }} },
	{ .port_id = 7, .mac = {{ 0x02, 0, 0, 0, 0, 0x07 }} },
};

static struct sl_config *
cfg_new(int with_gateway)
{
	struct sl_config *c = calloc(1, sizeof(*c));

	if (c == NULL)
		return NULL;
	snprintf(c->path, sizeof(c->path), "test_svc.ini");
	c->n_ports = 2;
	snprintf(c->ports[0].name, SL_NAME_MAX, "front");
	c->ports[0].addr = IP(10, 0, 0, 1);
	c->ports[0].prefix_len = 24;
	c->ports[0].gateway = with_gateway ? IP(10, 0, 0, 254) : 0;
	snprintf(c->ports[1].name, SL_NAME_MAX, "back");
	c->ports[1].addr = IP(10, 1, 0, 1);
	c->ports[1].prefix_len = 24;
	c->ports[1].gateway = 0;
	return c;
}

static struct sl_config_service *
cfg_svc(struct sl_config *c, const char *name, uint32_t vip, uint16_t port,
	uint8_t proto, const char *sched)
{
	struct sl_config_service *s = &c->services[c->n_services++];

	snprintf(s->name, sizeof(s->name), "%s", name);
	s->vip = vip;
	s->port = port;
	s->proto = proto;
	s->mode = SL_MODE_NAT;
	snprintf(s->scheduler, sizeof(s->scheduler), "%s", sched);
	return s;
}

static void
cfg_be(struct sl_config_service *s, uint32_t addr, uint16_t port,
       uint32_t weight)
{
	struct sl_config_backend *b = &s->backends[s->n_backends++];

	b->addr = addr;
	b->port = port;
	b->weight = weight;
}

/*
 * The reference config: ports 10.0.0.1/24 (gw 10.0.0.254) and
 * 10.1.0.1/24; services
 *   web tcp 10.0.0.100:80  rr  10.0.0.11, 10.1.0.12, 192.168.5.13 (via gw)
 *   dns udp 10.0.0.100:53  wrr 10.1.0.21 w3, 10.1.0.22 w1
 *   tls tcp 10.0.0.101:443 rr  10.0.0.31, 192.168.5.14 (via gw)
 */
static struct sl_config *
cfg_ref(void)
{
	struct sl_config *c = cfg_new(1);
	struct sl_config_service *s;

	if (c == NULL)
		return NULL;
	s = cfg_svc(c, "web", IP(10, 0, 0, 100), 80, IPPROTO_TCP, "rr");
	cfg_be(s, IP(10, 0, 0, 11), 8080, 1);
	cfg_be(s, IP(10, 1, 0, 12), 8080, 1);
	cfg_be(s, IP(192, 168, 5, 13), 8080, 1);
	s = cfg_svc(c, "dns", IP(10, 0, 0, 100), 53, IPPROTO_UDP, "wrr");
	cfg_be(s, IP(10, 1, 0, 21), 53, 3);
	cfg_be(s, IP(10, 1, 0, 22), 53, 1);
	s = cfg_svc(c, "tls", IP(10, 0, 0, 101), 443, IPPROTO_TCP, "rr");
	cfg_be(s, IP(10, 0, 0, 31), 443, 1);
	cfg_be(s, IP(192, 168, 5, 14), 443, 1);
	return c;
}

static struct sl_snapshot *
build(const struct sl_config *c, struct sl_neigh_table *n, unsigned workers,
      uint64_t gen)
{
	char err[256] = "";
	struct sl_snapshot *s = sl_svc_build(c, hw, n, workers, gen, err, sizeof(err));

	if (s == NULL)
		fprintf(stderr, "  sl_svc_build: %s\n", err);
	return s;
}

static unsigned
heap_allocs(void)
{
	struct rte_malloc_socket_stats st;

	memset(&st, 0, sizeof(st));
	rte_malloc_get_socket_stats((int)rte_socket_id(), &st);
	return st.alloc_count;
}

static const struct sl_service *
lk(const struct sl_snapshot *s, uint32_t vip, uint16_t port, uint8_t proto)
{
	return sl_svc_lookup(s, htonl(vip), htons(port), proto);
}

/* ------------------------------------------------------------------ */

static void
test_ports(void)
{
	struct sl_config *c = cfg_ref();
	struct sl_neigh_table *n = sl_neigh_create(64, (int)rte_socket_id());
	struct sl_snapshot *s;

	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_PTR_NOT_NULL_FATAL(n);
	s = build(c, n, 2, 42);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL(s->gen, 42);
	CU_ASSERT_EQUAL(s->n_ports, 2);
	CU_ASSERT_EQUAL(s->n_services, 3);
	CU_ASSERT_EQUAL(s->n_workers, 2);
	CU_ASSERT_EQUAL(s->ports[0].addr, htonl(IP(10, 0, 0, 1)));
	CU_ASSERT_EQUAL(s->ports[0].mask, htonl(0xFFFFFF00u));
	CU_ASSERT_EQUAL(s->ports[0].gw, htonl(IP(10, 0, 0, 254)));
	CU_ASSERT_EQUAL(s->ports[0].port_id, 3);
	CU_ASSERT_EQUAL(memcmp(&s->ports[0].mac, &hw[0].mac, 6), 0);
	CU_ASSERT_STRING_EQUAL(s->ports[0].name, "front");
	CU_ASSERT_EQUAL(s->ports[1].addr, htonl(IP(10, 1, 0, 1)));
	CU_ASSERT_EQUAL(s->ports[1].mask, htonl(0xFFFFFF00u));
	CU_ASSERT_EQUAL(s->ports[1].gw, 0);
	CU_ASSERT_EQUAL(s->ports[1].port_id, 7);
	CU_ASSERT_EQUAL(memcmp(&s->ports[1].mac, &hw[1].mac, 6), 0);
	CU_ASSERT_STRING_EQUAL(s->ports[1].name, "back");

	CU_ASSERT_EQUAL(sl_svc_own_port(s, htonl(IP(10, 0, 0, 1))), 0);
	CU_ASSERT_EQUAL(sl_svc_own_port(s, htonl(IP(10, 1, 0, 1))), 1);
	CU_ASSERT_EQUAL(sl_svc_own_port(s, htonl(IP(10, 0, 0, 100))), -1);
	CU_ASSERT_EQUAL(sl_svc_own_port(s, htonl(IP(10, 0, 0, 254))), -1);
	CU_ASSERT_EQUAL(sl_svc_own_port(s, htonl(IP(1, 0, 0, 10))), -1);  /* byte order */
	CU_ASSERT_EQUAL(sl_svc_port_index(s, 3), 0);
	CU_ASSERT_EQUAL(sl_svc_port_index(s, 7), 1);
	CU_ASSERT_EQUAL(sl_svc_port_index(s, 0), -1);
	CU_ASSERT_EQUAL(sl_svc_port_index(s, 1), -1);
	sl_svc_free(s);
	sl_neigh_free(n);
	free(c);
}

static void
test_lookup_grid(void)
{
	static const uint32_t vips[] = {
		IP(10, 0, 0, 100), IP(10, 0, 0, 101), IP(10, 0, 0, 102),
		IP(10, 0, 0, 1), IP(10, 1, 0, 1), IP(100, 0, 0, 10),
		IP(10, 0, 0, 11), IP(255, 255, 255, 255),
	};
	static const uint16_t ports[] = { 80, 53, 443, 8080, 81, 20480, 13568, 47873 };
	static const uint8_t protos[] = { IPPROTO_TCP, IPPROTO_UDP, IPPROTO_ICMP, IPPROTO_SCTP };
	struct sl_config *c = cfg_ref();
	struct sl_neigh_table *n = sl_neigh_create(64, (int)rte_socket_id());
	struct sl_snapshot *s;
	unsigned i, j, k, hits = 0, bad = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_PTR_NOT_NULL_FATAL(n);
	s = build(c, n, 1, 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);

	for (i = 0; i < RTE_DIM(vips); i++)
		for (j = 0; j < RTE_DIM(ports); j++)
			for (k = 0; k < RTE_DIM(protos); k++) {
				const struct sl_service *sv = lk(s, vips[i], ports[j], protos[k]);
				int want = -1, m;

				for (m = 0; m < c->n_services; m++)
					if (c->services[m].vip == vips[i] &&
					    c->services[m].port == ports[j] &&
					    c->services[m].proto == protos[k])
						want = m;
				if (want < 0) {
					if (sv != NULL) {
						bad++;
						fprintf(stderr, "  false hit %08x:%u/%u\n",
							vips[i], ports[j], protos[k]);
					}
					continue;
				}
				hits++;
				if (sv == NULL || sv->id != want ||
				    sv != &s->services[want] ||
				    strcmp(sv->name, c->services[want].name) != 0) {
					bad++;
					fprintf(stderr, "  miss %08x:%u/%u\n",
						vips[i], ports[j], protos[k]);
				}
			}
	CU_ASSERT_EQUAL(hits, 3);
	CU_ASSERT_EQUAL(bad, 0);

	/* the service records themselves, network byte order */
	{
		const struct sl_service *w = lk(s, IP(10, 0, 0, 100), 80, IPPROTO_TCP);
		const struct sl_service *d = lk(s, IP(10, 0, 0, 100), 53, IPPROTO_UDP);
		const struct sl_service *t = lk(s, IP(10, 0, 0, 101), 443, IPPROTO_TCP);

		CU_ASSERT_PTR_NOT_NULL_FATAL(w);
		CU_ASSERT_PTR_NOT_NULL_FATAL(d);
		CU_ASSERT_PTR_NOT_NULL_FATAL(t);
		CU_ASSERT_STRING_EQUAL(w->name, "web");
		CU_ASSERT_EQUAL(w->vip, htonl(IP(10, 0, 0, 100)));
		CU_ASSERT_EQUAL(w->port, htons(80));
		CU_ASSERT_EQUAL(w->proto, IPPROTO_TCP);
		CU_ASSERT_EQUAL(w->mode, SL_MODE_NAT);
		CU_ASSERT_EQUAL(w->n_backends, 3);
		CU_ASSERT_EQUAL(w->vip_port, 0);
		CU_ASSERT_PTR_NOT_NULL(w->sched);
		if (w->sched != NULL)
			CU_ASSERT_STRING_EQUAL(w->sched->name, "rr");
		CU_ASSERT_STRING_EQUAL(d->name, "dns");
		CU_ASSERT_EQUAL(d->proto, IPPROTO_UDP);
		CU_ASSERT_EQUAL(d->port, htons(53));
		CU_ASSERT_EQUAL(d->n_backends, 2);
		if (d->sched != NULL)
			CU_ASSERT_STRING_EQUAL(d->sched->name, "wrr");
		CU_ASSERT_EQUAL(d->ss.n, 2);
		CU_ASSERT_EQUAL(d->ss.weight[0], 3);
		CU_ASSERT_EQUAL(d->ss.weight[1], 1);
		CU_ASSERT_STRING_EQUAL(t->name, "tls");
		CU_ASSERT_EQUAL(t->vip, htonl(IP(10, 0, 0, 101)));
		CU_ASSERT_EQUAL(t->n_backends, 2);
	}

	/* the VIP set */
	CU_ASSERT_EQUAL(sl_svc_is_vip(s, htonl(IP(10, 0, 0, 100))), 1);
	CU_ASSERT_EQUAL(sl_svc_is_vip(s, htonl(IP(10, 0, 0, 101))), 1);
	CU_ASSERT_EQUAL(sl_svc_is_vip(s, htonl(IP(10, 0, 0, 102))), 0);
	CU_ASSERT_EQUAL(sl_svc_is_vip(s, htonl(IP(10, 0, 0, 1))), 0);
	CU_ASSERT_EQUAL(sl_svc_is_vip(s, htonl(IP(10, 1, 0, 12))), 0);
	CU_ASSERT_EQUAL(sl_svc_is_vip(s, htonl(IP(100, 0, 0, 10))), 0);  /* byte order */
	CU_ASSERT_EQUAL(sl_svc_is_vip(s, htonl(IP(255, 255, 255, 255))), 0);
	sl_svc_free(s);
	sl_neigh_free(n);
	free(c);
}

/* 0.0.0.0 (e.g. the sender of an ARP probe, or a bogus destination) is
 * not a VIP, and the all-zero key is no service. */
static void
test_zero_not_vip(void)
{
	struct sl_config *c = cfg_ref();
	struct sl_neigh_table *n = sl_neigh_create(64, (int)rte_socket_id());
	struct sl_snapshot *s;

	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_PTR_NOT_NULL_FATAL(n);
	s = build(c, n, 1, 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL(sl_svc_is_vip(s, 0), 0);
	CU_ASSERT_PTR_NULL(sl_svc_lookup(s, 0, 0, 0));
	sl_svc_free(s);
	sl_neigh_free(n);
	free(c);
}

static void
test_route(void)
{
	struct sl_config *c = cfg_ref(), *c2 = cfg_new(0);
	struct sl_neigh_table *n = sl_neigh_create(64, (int)rte_socket_id());
	struct sl_snapshot *s, *s2;
	rte_be32_t nh;

	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c2);
	CU_ASSERT_PTR_NOT_NULL_FATAL(n);
	s = build(c, n, 1, 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);

	nh = 0;
	CU_ASSERT_EQUAL(sl_svc_route(s, htonl(IP(10, 0, 0, 77)), &nh), 0);
	CU_ASSERT_EQUAL(nh, htonl(IP(10, 0, 0, 77)));
	CU_ASSERT_EQUAL(sl_svc_route(s, htonl(IP(10, 1, 0, 77)), &nh), 1);
	CU_ASSERT_EQUAL(nh, htonl(IP(10, 1, 0, 77)));
	CU_ASSERT_EQUAL(sl_svc_route(s, htonl(IP(10, 1, 0, 255)), &nh), 1);
	CU_ASSERT_EQUAL(nh, htonl(IP(10, 1, 0, 255)));
	/* off every subnet: the gateway of port 0 */
	CU_ASSERT_EQUAL(sl_svc_route(s, htonl(IP(8, 8, 8, 8)), &nh), 0);
	CU_ASSERT_EQUAL(nh, htonl(IP(10, 0, 0, 254)));
	CU_ASSERT_EQUAL(sl_svc_route(s, htonl(IP(10, 0, 1, 5)), &nh), 0);
	CU_ASSERT_EQUAL(nh, htonl(IP(10, 0, 0, 254)));
	CU_ASSERT_EQUAL(sl_svc_route(s, htonl(IP(10, 2, 0, 1)), &nh), 0);
	CU_ASSERT_EQUAL(nh, htonl(IP(10, 0, 0, 254)));

	/* no gateway anywhere: off-subnet is unreachable, nexthop untouched */
	s2 = build(c2, n, 1, 2);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s2);
	nh = 0x12345678;
	CU_ASSERT_EQUAL(sl_svc_route(s2, htonl(IP(8, 8, 8, 8)), &nh), -1);
	CU_ASSERT_EQUAL(nh, 0x12345678);
	CU_ASSERT_EQUAL(sl_svc_route(s2, htonl(IP(10, 0, 1, 5)), &nh), -1);
	CU_ASSERT_EQUAL(sl_svc_route(s2, htonl(IP(10, 0, 0, 9)), &nh), 0);
	CU_ASSERT_EQUAL(nh, htonl(IP(10, 0, 0, 9)));
	CU_ASSERT_EQUAL(sl_svc_route(s2, htonl(IP(10, 1, 0, 9)), &nh), 1);
	/* a snapshot without services answers no lookups */
	CU_ASSERT_EQUAL(s2->n_services, 0);
	CU_ASSERT_PTR_NULL(lk(s2, IP(10, 0, 0, 100), 80, IPPROTO_TCP));
	CU_ASSERT_EQUAL(sl_svc_is_vip(s2, htonl(IP(10, 0, 0, 100))), 0);

	/* the gateway is taken from the first port that has one */
	c2->ports[1].gateway = IP(10, 1, 0, 254);
	sl_svc_free(s2);
	s2 = build(c2, n, 1, 3);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s2);
	CU_ASSERT_EQUAL(sl_svc_route(s2, htonl(IP(8, 8, 8, 8)), &nh), 1);
	CU_ASSERT_EQUAL(nh, htonl(IP(10, 1, 0, 254)));
	sl_svc_free(s2);
	sl_svc_free(s);
	sl_neigh_free(n);
	free(c);
	free(c2);
}

static void
test_backends(void)
{
	struct sl_config *c = cfg_ref();
	struct sl_neigh_table *n = sl_neigh_create(64, (int)rte_socket_id());
	struct sl_snapshot *s;
	const struct sl_service *w, *d, *t;
	unsigned i, j, total = 0, dup = 0;
	uint16_t slots[16];

	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_PTR_NOT_NULL_FATAL(n);
	s = build(c, n, 1, 9);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	w = lk(s, IP(10, 0, 0, 100), 80, IPPROTO_TCP);
	d = lk(s, IP(10, 0, 0, 100), 53, IPPROTO_UDP);
	t = lk(s, IP(10, 0, 0, 101), 443, IPPROTO_TCP);
	CU_ASSERT_FATAL(w != NULL && d != NULL && t != NULL);

	/* on-subnet: next hop is the backend itself, on its port */
	CU_ASSERT_EQUAL(w->backends[0].addr, htonl(IP(10, 0, 0, 11)));
	CU_ASSERT_EQUAL(w->backends[0].port, htons(8080));
	CU_ASSERT_EQUAL(w->backends[0].out_port, 0);
	CU_ASSERT_EQUAL(w->backends[0].neigh,
			(uint32_t)sl_neigh_find(n, 0, htonl(IP(10, 0, 0, 11))));
	CU_ASSERT_EQUAL(w->backends[1].addr, htonl(IP(10, 1, 0, 12)));
	CU_ASSERT_EQUAL(w->backends[1].out_port, 1);
	CU_ASSERT_EQUAL(w->backends[1].neigh,
			(uint32_t)sl_neigh_find(n, 1, htonl(IP(10, 1, 0, 12))));
	/* off-subnet: through the gateway on port 0 */
	CU_ASSERT_EQUAL(w->backends[2].addr, htonl(IP(192, 168, 5, 13)));
	CU_ASSERT_EQUAL(w->backends[2].out_port, 0);
	CU_ASSERT_EQUAL(w->backends[2].neigh,
			(uint32_t)sl_neigh_find(n, 0, htonl(IP(10, 0, 0, 254))));
	CU_ASSERT_EQUAL(sl_neigh_find(n, 0, htonl(IP(192, 168, 5, 13))), -ENOENT);
	/* the gateway entry is shared */
	CU_ASSERT_EQUAL(t->backends[1].neigh, w->backends[2].neigh);
	CU_ASSERT_EQUAL(t->backends[0].out_port, 0);
	CU_ASSERT_EQUAL(t->backends[0].port, htons(443));
	CU_ASSERT_EQUAL(d->backends[0].out_port, 1);
	CU_ASSERT_EQUAL(d->backends[1].out_port, 1);
	CU_ASSERT_EQUAL(d->backends[1].neigh,
			(uint32_t)sl_neigh_find(n, 1, htonl(IP(10, 1, 0, 22))));
	/* every neighbour entry is a distinct next hop, unresolved */
	CU_ASSERT_EQUAL(n->count, 6);
	for (i = 0; i < n->count; i++) {
		struct rte_ether_addr m;

		CU_ASSERT_EQUAL(sl_neigh_mac(n, i, &m), 0);
	}
	/* each backend's entry holds its next hop on its port */
	for (i = 0; i < s->n_services; i++)
		for (j = 0; j < s->services[i].n_backends; j++) {
			const struct sl_backend *b = &s->services[i].backends[j];
			rte_be32_t nh;
			int p = sl_svc_route(s, b->addr, &nh);

			CU_ASSERT_EQUAL(p, b->out_port);
			CU_ASSERT_FATAL(b->neigh < n->count);
			CU_ASSERT_EQUAL(n->meta[b->neigh].ip, nh);
			CU_ASSERT_EQUAL(n->meta[b->neigh].port, b->out_port);
			CU_ASSERT_EQUAL(b->gen, 9);
			CU_ASSERT_FATAL(total < RTE_DIM(slots));
			slots[total++] = b->slot;
		}
	CU_ASSERT_EQUAL(total, 7);
	for (i = 0; i < total; i++) {
		CU_ASSERT(slots[i] < SL_MAX_BACKENDS);
		for (j = i + 1; j < total; j++)
			dup += slots[i] == slots[j];
	}
	CU_ASSERT_EQUAL(dup, 0);

	/* a second build reuses the neighbour entries */
	{
		struct sl_snapshot *s2 = build(c, n, 1, 10);

		CU_ASSERT_PTR_NOT_NULL_FATAL(s2);
		CU_ASSERT_EQUAL(n->count, 6);
		CU_ASSERT_EQUAL(s2->services[0].backends[2].neigh, w->backends[2].neigh);
		CU_ASSERT_EQUAL(s2->services[0].backends[0].gen, 10);
		sl_svc_free(s2);
	}
	sl_svc_free(s);
	sl_neigh_free(n);
	free(c);
}

static int
pick(const struct sl_snapshot *s, unsigned w, const struct sl_service *sv)
{
	return sv->sched->pick(&sv->ss, sl_svc_ws(s, w, sv), 0x9e3779b9u, NULL);
}

static void
test_worker_sched_state(void)
{
	struct sl_config *c = cfg_ref();
	struct sl_neigh_table *n = sl_neigh_create(64, (int)rte_socket_id());
	struct sl_snapshot *s;
	const struct sl_service *w, *d, *t;
	int seq0[6], seq1[6], seq3[6], dseq0[8], dseq1[8];
	unsigned i;

	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_PTR_NOT_NULL_FATAL(n);
	s = build(c, n, 4, 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	w = lk(s, IP(10, 0, 0, 100), 80, IPPROTO_TCP);
	d = lk(s, IP(10, 0, 0, 100), 53, IPPROTO_UDP);
	t = lk(s, IP(10, 0, 0, 101), 443, IPPROTO_TCP);
	CU_ASSERT_FATAL(w != NULL && d != NULL && t != NULL);
	CU_ASSERT_PTR_NOT_EQUAL(s->ws[0], s->ws[1]);
	/* services' state blocks do not overlap within a worker */
	CU_ASSERT_PTR_NOT_EQUAL(sl_svc_ws(s, 0, w), sl_svc_ws(s, 0, d));
	CU_ASSERT_PTR_NOT_EQUAL(sl_svc_ws(s, 0, w), sl_svc_ws(s, 0, t));
	CU_ASSERT_PTR_NOT_EQUAL(sl_svc_ws(s, 0, d), sl_svc_ws(s, 0, t));

	/* interleaved: one worker's picks never move another's position */
	for (i = 0; i < 6; i++) {
		seq0[i] = pick(s, 0, w);
		seq1[i] = pick(s, 1, w);
		seq3[i] = pick(s, 3, w);
		(void)pick(s, 0, t);    /* another service of worker 0 */
	}
	for (i = 0; i < 6; i++) {
		CU_ASSERT_EQUAL(seq0[i], (int)(i % 3));
		CU_ASSERT_EQUAL(seq1[i], (int)((i + 1) % 3));
		CU_ASSERT_EQUAL(seq3[i], (int)((i + 3) % 3));   /* 3 % 3 = 0 */
	}
	/* worker 2 untouched so far: starts at 2 */
	CU_ASSERT_EQUAL(pick(s, 2, w), 2);
	CU_ASSERT_EQUAL(pick(s, 2, w), 0);
	/* tls, 2 backends: worker 1 starts at 1 */
	CU_ASSERT_EQUAL(pick(s, 1, t), 1);
	CU_ASSERT_EQUAL(pick(s, 1, t), 0);
	CU_ASSERT_EQUAL(pick(s, 1, t), 1);

	/* smooth wrr 3:1 is a a b a on every worker */
	for (i = 0; i < 8; i++) {
		dseq0[i] = pick(s, 0, d);
		dseq1[i] = pick(s, 1, d);
	}
	for (i = 0; i < 8; i++) {
		static const int want[4] = { 0, 0, 1, 0 };

		CU_ASSERT_EQUAL(dseq0[i], want[i % 4]);
		CU_ASSERT_EQUAL(dseq1[i], want[i % 4]);
	}
	sl_svc_free(s);
	sl_neigh_free(n);
	free(c);
}

static void
test_build_errors(void)
{
	struct sl_neigh_table *n = sl_neigh_create(64, (int)rte_socket_id());
	struct sl_config *c;
	struct sl_snapshot *s;
	char err[256];
	unsigned before;

	CU_ASSERT_PTR_NOT_NULL_FATAL(n);

	/* unknown scheduler, on the second service */
	c = cfg_ref();
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	snprintf(c->services[1].scheduler, SL_SCHED_NAME_MAX, "fancy");
	before = heap_allocs();
	err[0] = '\0';
	s = sl_svc_build(c, hw, n, 2, 1, err, sizeof(err));
	CU_ASSERT_PTR_NULL(s);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "fancy"));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "dns"));
	CU_ASSERT_EQUAL(heap_allocs(), before);       /* nothing leaked */
	printf("\n    message: %s ", err);
	free(c);

	/* unreachable backend: no gateway, backend off both subnets */
	c = cfg_ref();
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	c->ports[0].gateway = 0;
	c->services[0].n_backends = 2;      /* drop the one behind the gw */
	c->services[2].backends[1].addr = IP(172, 16, 0, 5);
	before = heap_allocs();
	err[0] = '\0';
	s = sl_svc_build(c, hw, n, 2, 1, err, sizeof(err));
	CU_ASSERT_PTR_NULL(s);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "172.16.0.5"));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "tls"));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "unreachable"));
	CU_ASSERT_EQUAL(heap_allocs(), before);
	printf("\n    message: %s ", err);
	free(c);

	/* neighbour table full */
	{
		struct sl_neigh_table *small = sl_neigh_create(2, (int)rte_socket_id());

		CU_ASSERT_PTR_NOT_NULL_FATAL(small);
		c = cfg_ref();
		CU_ASSERT_PTR_NOT_NULL_FATAL(c);
		before = heap_allocs();
		err[0] = '\0';
		s = sl_svc_build(c, hw, small, 1, 1, err, sizeof(err));
		CU_ASSERT_PTR_NULL(s);
		CU_ASSERT(err[0] != '\0');
		CU_ASSERT_EQUAL(heap_allocs(), before);
		sl_neigh_free(small);
		free(c);
	}
	sl_neigh_free(n);
}

/* Many services: the open-addressing tables must answer every one of
 * them and nothing else. */
static void
stress_services(unsigned n_svc)
{
	struct sl_config *c = cfg_new(1);
	struct sl_neigh_table *n = sl_neigh_create(64, (int)rte_socket_id());
	struct sl_snapshot *s;
	unsigned i, bad = 0, false_hit = 0, vip_bad = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_PTR_NOT_NULL_FATAL(n);
	/* 4 services per VIP on 10.0.0.100.., ports and protos mixed */
	for (i = 0; i < n_svc; i++) {
		char name[SL_NAME_MAX];
		struct sl_config_service *sv;

		snprintf(name, sizeof(name), "s%u", i);
		sv = cfg_svc(c, name, IP(10, 0, 0, 100) + i / 4,
			     (uint16_t)(1000 + (i % 4) * 7 + i / 4),
			     i % 2 ? IPPROTO_UDP : IPPROTO_TCP, i % 3 ? "rr" : "wrr");
		cfg_be(sv, IP(10, 0, 0, 2) + i % 40, 80, 1 + i % 5);
	}
	s = build(c, n, 2, 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL(s->n_services, n_svc);
	/* at most half full */
	CU_ASSERT(2 * n_svc <= s->svc_mask + 1);
	for (i = 0; i < n_svc; i++) {
		const struct sl_config_service *cs = &c->services[i];
		const struct sl_service *sv = lk(s, cs->vip, cs->port, cs->proto);

		if (sv == NULL || sv->id != i || strcmp(sv->name, cs->name) != 0 ||
		    sv->backends[0].addr != htonl(cs->backends[0].addr))
			bad++;
		/* same VIP and port with the other protocol, another
		 * port, another VIP: no service */
		if (lk(s, cs->vip, cs->port,
		       cs->proto == IPPROTO_TCP ? IPPROTO_UDP : IPPROTO_TCP) != NULL)
			false_hit++;
		if (lk(s, cs->vip, (uint16_t)(cs->port + 5000), cs->proto) != NULL)
			false_hit++;
		if (lk(s, cs->vip + 1000, cs->port, cs->proto) != NULL)
			false_hit++;
		if (!sl_svc_is_vip(s, htonl(cs->vip)))
			vip_bad++;
		if (sl_svc_is_vip(s, htonl(cs->vip + 1000)))
			vip_bad++;
	}
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT_EQUAL(false_hit, 0);
	CU_ASSERT_EQUAL(vip_bad, 0);
	CU_ASSERT_EQUAL(n->count, n_svc < 40 ? n_svc : 40);
	sl_svc_free(s);
	sl_neigh_free(n);
	free(c);
}

static void
test_many_services(void)
{
	static const unsigned sizes[] = { 1, 2, 7, 200, SL_MAX_SERVICES };
	unsigned i;

	for (i = 0; i < RTE_DIM(sizes); i++)
		stress_services(sizes[i]);
}

/* ---- publication ------------------------------------------------- */

static struct rte_rcu_qsbr *
qsv_new(void)
{
	size_t sz = rte_rcu_qsbr_get_memsize(1);
	struct rte_rcu_qsbr *q = rte_zmalloc("tsvc_qsv", sz, RTE_CACHE_LINE_SIZE);

	if (q == NULL || rte_rcu_qsbr_init(q, 1) != 0) {
		rte_free(q);
		return NULL;
	}
	return q;
}

static void
test_publish_no_rcu(void)
{
	struct sl_config *c = cfg_ref();
	struct sl_neigh_table *n = sl_neigh_create(64, (int)rte_socket_id());
	struct sl_svc_ctl ctl = { NULL, NULL };
	struct sl_snapshot *a, *b;
	unsigned before_a, with_a, with_ab;

	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_PTR_NOT_NULL_FATAL(n);
	before_a = heap_allocs();
	a = build(c, n, 2, 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	with_a = heap_allocs();
	b = build(c, n, 2, 2);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	with_ab = heap_allocs();

	CU_ASSERT_PTR_NULL(sl_svc_current(&ctl));
	sl_svc_publish(&ctl, a);
	CU_ASSERT_PTR_EQUAL(sl_svc_current(&ctl), a);
	CU_ASSERT_EQUAL(heap_allocs(), with_ab);        /* nothing freed */
	sl_svc_publish(&ctl, b);
	CU_ASSERT_PTR_EQUAL(sl_svc_current(&ctl), b);
	CU_ASSERT_EQUAL(sl_svc_current(&ctl)->gen, 2);
	/* A freed at once: exactly its allocations are gone */
	CU_ASSERT_EQUAL(heap_allocs(), with_ab - (with_a - before_a));
	sl_svc_free(b);
	CU_ASSERT_EQUAL(heap_allocs(), before_a);
	sl_neigh_free(n);
	free(c);
}

static void
test_publish_rcu_offline(void)
{
	struct sl_config *c = cfg_ref();
	struct sl_neigh_table *n = sl_neigh_create(64, (int)rte_socket_id());
	struct rte_rcu_qsbr *q = qsv_new();
	struct sl_svc_ctl ctl;
	struct sl_snapshot *a, *b, *c3;
	const struct sl_snapshot *seen;
	unsigned with_all, size_a;

	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_PTR_NOT_NULL_FATAL(n);
	CU_ASSERT_PTR_NOT_NULL_FATAL(q);
	CU_ASSERT_EQUAL(rte_rcu_qsbr_thread_register(q, 0), 0);
	rte_rcu_qsbr_thread_online(q, 0);
	ctl.cur = NULL;
	ctl.qsv = q;

	size_a = heap_allocs();
	a = build(c, n, 1, 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	size_a = heap_allocs() - size_a;
	b = build(c, n, 1, 2);
	c3 = build(c, n, 1, 3);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c3);

	/* first publication: nothing to wait for */
	sl_svc_publish(&ctl, a);
	/* "worker" thread 0: load, use, report quiescent, go offline */
	seen = sl_svc_current(&ctl);
	CU_ASSERT_PTR_EQUAL(seen, a);
	CU_ASSERT_PTR_NOT_NULL(lk(seen, IP(10, 0, 0, 100), 80, IPPROTO_TCP));
	rte_rcu_qsbr_quiescent(q, 0);
	rte_rcu_qsbr_thread_offline(q, 0);

	with_all = heap_allocs();
	sl_svc_publish(&ctl, b);       /* would block if thread 0 were online */
	CU_ASSERT_PTR_EQUAL(sl_svc_current(&ctl), b);
	CU_ASSERT_EQUAL(sl_svc_current(&ctl)->gen, 2);
	CU_ASSERT_EQUAL(heap_allocs(), with_all - size_a);   /* A freed */

	/* back online, use B, offline again, publish C */
	rte_rcu_qsbr_thread_online(q, 0);
	seen = sl_svc_current(&ctl);
	CU_ASSERT_PTR_EQUAL(seen, b);
	rte_rcu_qsbr_quiescent(q, 0);
	rte_rcu_qsbr_thread_offline(q, 0);
	sl_svc_publish(&ctl, c3);
	CU_ASSERT_PTR_EQUAL(sl_svc_current(&ctl), c3);
	CU_ASSERT_EQUAL(rte_rcu_qsbr_check(q, rte_rcu_qsbr_start(q), false), 1);

	sl_svc_free(c3);
	rte_rcu_qsbr_thread_unregister(q, 0);
	rte_free(q);
	sl_neigh_free(n);
	free(c);
}

/* A real reader on another thread holds snapshot A: publish(B) must not
 * return (and so must not free A) until the reader reports quiescent. */
struct reader {
	struct sl_svc_ctl *ctl;
	struct rte_rcu_qsbr *q;
	const struct sl_snapshot *first, *after;
	volatile int holding;
	volatile int published;
	int published_while_held;
	int lookup_ok;
};

static void
sleep_ms(unsigned ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static void *
reader_main(void *arg)
{
	struct reader *r = arg;
	unsigned i;

	rte_rcu_qsbr_thread_register(r->q, 0);
	rte_rcu_qsbr_thread_online(r->q, 0);
	r->first = sl_svc_current(r->ctl);
	__atomic_store_n(&r->holding, 1, __ATOMIC_RELEASE);
	/* a long "burst" on snapshot A */
	sleep_ms(200);
	r->published_while_held = __atomic_load_n(&r->published, __ATOMIC_ACQUIRE);
	r->lookup_ok = lk(r->first, IP(10, 0, 0, 101), 443, IPPROTO_TCP) != NULL;
	/* end of burst */
	for (i = 0; i < 5000 && !__atomic_load_n(&r->published, __ATOMIC_ACQUIRE); i++) {
		rte_rcu_qsbr_quiescent(r->q, 0);
		sleep_ms(1);
	}
	r->after = sl_svc_current(r->ctl);
	rte_rcu_qsbr_thread_offline(r->q, 0);
	rte_rcu_qsbr_thread_unregister(r->q, 0);
	return NULL;
}

static void
test_publish_rcu_reader(void)
{
	struct sl_config *c = cfg_ref();
	struct sl_neigh_table *n = sl_neigh_create(64, (int)rte_socket_id());
	struct rte_rcu_qsbr *q = qsv_new();
	struct sl_svc_ctl ctl;
	struct sl_snapshot *a, *b;
	struct reader r;
	pthread_t th;
	struct timespec t0, t1;
	double waited;

	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_PTR_NOT_NULL_FATAL(n);
	CU_ASSERT_PTR_NOT_NULL_FATAL(q);
	a = build(c, n, 1, 1);
	b = build(c, n, 1, 2);
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	ctl.cur = NULL;
	ctl.qsv = q;
	sl_svc_publish(&ctl, a);

	memset(&r, 0, sizeof(r));
	r.ctl = &ctl;
	r.q = q;
	CU_ASSERT_EQUAL_FATAL(pthread_create(&th, NULL, reader_main, &r), 0);
	while (!__atomic_load_n(&r.holding, __ATOMIC_ACQUIRE))
		sleep_ms(1);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	sl_svc_publish(&ctl, b);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	__atomic_store_n(&r.published, 1, __ATOMIC_RELEASE);
	pthread_join(th, NULL);
	waited = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;

	CU_ASSERT_PTR_EQUAL(r.first, a);
	CU_ASSERT_EQUAL(r.published_while_held, 0);
	CU_ASSERT_EQUAL(r.lookup_ok, 1);
	CU_ASSERT(waited > 0.1);         /* it waited for the reader's burst */
	CU_ASSERT_PTR_EQUAL(r.after, b);
	CU_ASSERT_PTR_EQUAL(sl_svc_current(&ctl), b);
	sl_svc_free(b);
	rte_free(q);
	sl_neigh_free(n);
	free(c);
}

int
main(void)
{
	CU_pSuite s;

	sl_test_eal_init("svc");
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 2;
	s = CU_add_suite("svc", NULL, NULL);
	if (s == NULL)
		return 2;
	CU_add_test(s, "ports, own addresses", test_ports);
	CU_add_test(s, "lookup every (vip, port, proto)", test_lookup_grid);
	CU_add_test(s, "0.0.0.0 is not a VIP", test_zero_not_vip);
	CU_add_test(s, "routes", test_route);
	CU_add_test(s, "backends: ports, next hops, slots", test_backends);
	CU_add_test(s, "per-worker scheduler state", test_worker_sched_state);
	CU_add_test(s, "build errors", test_build_errors);
	CU_add_test(s, "many services", test_many_services);
	CU_add_test(s, "publish without rcu", test_publish_no_rcu);
	CU_add_test(s, "publish with rcu, reader offline", test_publish_rcu_offline);
	CU_add_test(s, "publish waits for a reader", test_publish_rcu_reader);
	return sl_test_run();
}
