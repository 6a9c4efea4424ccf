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

/* sl_svc_free each snapshot of an array of @p n (NULL ones too). */
static void
snaps_free(struct sl_snapshot *const *s, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++)
		sl_svc_free(s[i]);
}

/* SNAPS_FREE(s1, s2, ...): the end of a test that built them one by one */
#define SNAPS_FREE(...) \
	snaps_free((struct sl_snapshot *[]){ __VA_ARGS__ }, \
		   RTE_DIM(((struct sl_snapshot *[]){ __VA_ARGS__ })))

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
	unsigned i;

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
	/* each port's MAC and the IPv4 ethertype as a frame holds them */
	for (i = 0; i < 2; i++) {
		uint8_t want[8];

		memcpy(want, &hw[i].mac, 6);
		want[6] = 0x08;
		want[7] = 0x00;
		CU_ASSERT_EQUAL(memcmp(&s->ports[i].mac_ip4, want, 8), 0);
	}

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

/* ---- rebuilds: stable identities, draining, flush, expiry --------- */

#define MAX_TO 600      /* the largest [global] timeout of cfg_live() */

/* cfg_ref() with [global] timeouts (largest MAX_TO) and drain timeouts:
 * web 100 s, dns 50 s, tls 20 s. */
static struct sl_config *
cfg_live(void)
{
	struct sl_config *c = cfg_ref();
	unsigned i;

	if (c == NULL)
		return NULL;
	for (i = 0; i < SL_CS_MAX; i++)
		c->global.timeouts[i] = 30 + i;
	c->global.timeouts[SL_CS_ESTABLISHED] = MAX_TO;
	c->services[0].drain_timeout = 100;
	c->services[1].drain_timeout = 50;
	c->services[2].drain_timeout = 20;
	return c;
}

static struct sl_config *
cfg_dup(const struct sl_config *c)
{
	struct sl_config *d = malloc(sizeof(*d));

	if (d != NULL)
		memcpy(d, c, sizeof(*d));
	return d;
}

static void
cfg_be_del(struct sl_config_service *s, unsigned j)
{
	memmove(&s->backends[j], &s->backends[j + 1],
		(s->n_backends - j - 1) * sizeof(s->backends[0]));
	s->n_backends--;
}

static void
cfg_svc_del(struct sl_config *c, unsigned i)
{
	memmove(&c->services[i], &c->services[i + 1],
		(c->n_services - i - 1) * sizeof(c->services[0]));
	c->n_services--;
}

static struct sl_config_service *
cfg_svc_named(struct sl_config *c, const char *name)
{
	unsigned i;

	for (i = 0; i < c->n_services; i++)
		if (strcmp(c->services[i].name, name) == 0)
			return &c->services[i];
	return NULL;
}

/* cfg_svc() on a cleared entry: after cfg_svc_del() or a lowered
 * n_services the entry still holds an old service's backends. */
static struct sl_config_service *
cfg_svc0(struct sl_config *c, const char *name, uint32_t vip, uint16_t port,
	 uint8_t proto, const char *sched)
{
	memset(&c->services[c->n_services], 0, sizeof(c->services[0]));
	return cfg_svc(c, name, vip, port, proto, sched);
}

static struct sl_snapshot *
rb(const struct sl_config *c, struct sl_neigh_table *n, struct sl_svc_ids *ids,
   const struct sl_snapshot *prev, uint32_t now, struct sl_svc_change *chg)
{
	char err[256] = "";
	struct sl_snapshot *s;

	memset(chg, 0xa5, sizeof(*chg));     /* the rebuild sets every count */
	s = sl_svc_rebuild(c, hw, n, 2, ids, prev, now, chg, err, sizeof(err));
	if (s == NULL)
		fprintf(stderr, "  sl_svc_rebuild: %s\n", err);
	return s;
}

static int
chg_diff(const char *step, const struct sl_svc_change *c, unsigned sa,
	 unsigned sr, unsigned ba, unsigned br, unsigned bd, unsigned bx)
{
	int bad = c->svc_added != sa || c->svc_removed != sr ||
		c->be_added != ba || c->be_removed != br ||
		c->be_draining != bd || c->be_expired != bx;

	if (bad)
		fprintf(stderr, "\n    %s: svc +%u -%u be +%u -%u draining %u expired %u;"
			" want svc +%u -%u be +%u -%u draining %u expired %u ", step,
			c->svc_added, c->svc_removed, c->be_added, c->be_removed,
			c->be_draining, c->be_expired, sa, sr, ba, br, bd, bx);
	return bad;
}

/* change counts: svc added, removed; backends added, removed, draining, expired */
#define CU_ASSERT_CHG(step, c, sa, sr, ba, br, bd, bx) \
	CU_ASSERT(chg_diff(step, c, sa, sr, ba, br, bd, bx) == 0)

static const struct sl_service *
find_svc(const struct sl_snapshot *s, const char *name)
{
	unsigned i;

	for (i = 0; i < s->n_services; i++)
		if (s->services[i].used && strcmp(s->services[i].name, name) == 0)
			return &s->services[i];
	return NULL;
}

static const struct sl_backend *
find_be(const struct sl_snapshot *s, const char *svc, uint32_t addr, uint16_t port)
{
	const struct sl_service *sv = find_svc(s, svc);
	unsigned j;

	for (j = 0; sv != NULL && j < sv->n_backends; j++)
		if (sv->backends[j].addr == htonl(addr) && sv->backends[j].port == htons(port))
			return &sv->backends[j];
	return NULL;
}

static uint32_t
weight_of(const struct sl_snapshot *s, const struct sl_backend *be)
{
	return s->services[be->svc].ss.weight[be->index];
}

/* Invariants of any snapshot: services at their ids, backends where
 * by_slot says, scheduler views in step, weight 0 exactly when draining,
 * no other slot taken. Returns the number of violations. */
static unsigned
snap_check(const struct sl_snapshot *s)
{
	unsigned i, j, bad = 0, total = 0, taken = 0;

	for (i = 0; i < s->n_services; i++) {
		const struct sl_service *sv = &s->services[i];

		if (!sv->used)
			continue;
		if (sv->id != i || sv->ss.n != sv->n_backends) {
			fprintf(stderr, "\n    service %u (%s): id %u, ss.n %u ", i, sv->name,
				sv->id, sv->ss.n);
			bad++;
		}
		for (j = 0; j < sv->n_backends; j++) {
			const struct sl_backend *be = &sv->backends[j];

			total++;
			if (be->slot >= SL_MAX_BACKENDS || s->by_slot[be->slot] != be ||
			    be->svc != i || be->index != j || sv->ss.slot[j] != be->slot ||
			    (be->drain_until != 0) != (sv->ss.weight[j] == 0) ||
			    (be->flush && be->drain_until == 0)) {
				fprintf(stderr, "\n    %s backend %u: slot %u svc %u index %u"
					" weight %u drain_until %u flush %u ", sv->name, j,
					be->slot, be->svc, be->index, sv->ss.weight[j],
					be->drain_until, be->flush);
				bad++;
			}
		}
	}
	for (i = 0; i < SL_MAX_BACKENDS; i++)
		taken += s->by_slot[i] != NULL;
	if (taken != total) {
		fprintf(stderr, "\n    %u slots taken for %u backends ", taken, total);
		bad++;
	}
	return bad;
}

/* Whether two snapshots hold the same slots with the same generations. */
static int
same_slots(const struct sl_snapshot *a, const struct sl_snapshot *b)
{
	unsigned i;

	for (i = 0; i < SL_MAX_BACKENDS; i++) {
		const struct sl_backend *x = a->by_slot[i], *y = b->by_slot[i];

		if ((x == NULL) != (y == NULL))
			return 0;
		if (x != NULL && (x->gen != y->gen || x->addr != y->addr || x->port != y->port))
			return 0;
	}
	return 1;
}

/* Whether rr on worker 0 ever picks backend @p idx of @p sv in 4n picks. */
static int
rr_picks(const struct sl_snapshot *s, const struct sl_service *sv, int idx)
{
	unsigned i;

	for (i = 0; i < 4u * sv->n_backends; i++)
		if (pick(s, 0, sv) == idx)
			return 1;
	return 0;
}

struct be_rec {
	const char *svc;
	uint32_t addr;
	uint16_t port;
	uint16_t slot;
	uint32_t gen;
};

static void
test_rebuild_identity(void)
{
	struct sl_config *c1 = cfg_live(), *c2, *c3;
	struct sl_neigh_table *n = sl_neigh_create(64, (int)rte_socket_id());
	struct sl_svc_ids *ids = sl_svc_ids_create();
	struct sl_snapshot *s1, *s2, *s3, *s4;
	struct sl_svc_change chg;
	struct sl_config_service *cs, *web;
	struct be_rec old[16];
	unsigned i, j, n_old = 0, dup = 0;
	uint16_t svc_ids[4];
	static const char *const names[4] = { "web", "dns", "tls", "alt" };

	CU_ASSERT_PTR_NOT_NULL_FATAL(c1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(n);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ids);
	/* a 4th service with the same backend ADDR:PORT as web's first;
	 * dns's second backend has an id= */
	cs = cfg_svc0(c1, "alt", IP(10, 0, 0, 100), 8080, IPPROTO_TCP, "wrr");
	cs->drain_timeout = 10;
	cfg_be(cs, IP(10, 0, 0, 11), 8080, 2);
	snprintf(c1->services[1].backends[1].id, SL_NAME_MAX, "dns-b");

	s1 = rb(c1, n, ids, NULL, 1000, &chg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s1);
	CU_ASSERT_CHG("first build", &chg, 4, 0, 8, 0, 0, 0);
	CU_ASSERT_EQUAL(snap_check(s1), 0);
	CU_ASSERT_EQUAL(sl_svc_drain_due(s1, UINT32_MAX), 0);
	for (i = 0; i < 4; i++) {
		const struct sl_service *sv = find_svc(s1, names[i]);

		CU_ASSERT_PTR_NOT_NULL_FATAL(sv);
		svc_ids[i] = sv->id;
		CU_ASSERT_PTR_EQUAL(lk(s1, c1->services[i].vip, c1->services[i].port,
				       c1->services[i].proto), sv);
	}
	for (i = 0; i < c1->n_services; i++)
		for (j = 0; j < c1->services[i].n_backends; j++) {
			const struct sl_config_backend *cb = &c1->services[i].backends[j];
			const struct sl_backend *be = find_be(s1, c1->services[i].name,
							      cb->addr, cb->port);

			CU_ASSERT_PTR_NOT_NULL_FATAL(be);
			CU_ASSERT_EQUAL(be->drain_until, 0);
			CU_ASSERT_EQUAL(be->flush, 0);
			CU_ASSERT_EQUAL(weight_of(s1, be), cb->weight);
			old[n_old].svc = names[i];
			old[n_old].addr = cb->addr;
			old[n_old].port = cb->port;
			old[n_old].slot = be->slot;
			old[n_old].gen = be->gen;
			n_old++;
		}
	CU_ASSERT_EQUAL(n_old, 8);
	for (i = 0; i < n_old; i++)
		for (j = i + 1; j < n_old; j++)
			dup += old[i].slot == old[j].slot;
	CU_ASSERT_EQUAL(dup, 0);     /* web's and alt's 10.0.0.11:8080 apart too */

	/* services reordered in the file, web's backends reversed with a new
	 * one in the middle, dns-b moved to another address (same id=) */
	c2 = cfg_dup(c1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c2);
	c2->services[0] = c1->services[2];
	c2->services[2] = c1->services[0];
	web = cfg_svc_named(c2, "web");
	CU_ASSERT_PTR_NOT_NULL_FATAL(web);
	web->n_backends = 0;
	cfg_be(web, IP(192, 168, 5, 13), 8080, 1);
	cfg_be(web, IP(10, 1, 0, 15), 8080, 1);
	cfg_be(web, IP(10, 1, 0, 12), 8080, 1);
	cfg_be(web, IP(10, 0, 0, 11), 8080, 1);
	cfg_svc_named(c2, "dns")->backends[1].addr = IP(10, 1, 0, 23);

	s2 = rb(c2, n, ids, s1, 1010, &chg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s2);
	CU_ASSERT_CHG("reorder + 1 new", &chg, 0, 0, 1, 0, 0, 0);
	CU_ASSERT_EQUAL(snap_check(s2), 0);
	CU_ASSERT_EQUAL(s2->gen, s1->gen + 1);
	for (i = 0; i < 4; i++) {
		const struct sl_service *sv = find_svc(s2, names[i]);
		const struct sl_config_service *c = cfg_svc_named(c2, names[i]);

		CU_ASSERT_PTR_NOT_NULL_FATAL(sv);
		CU_ASSERT_EQUAL(sv->id, svc_ids[i]);
		CU_ASSERT_PTR_EQUAL(lk(s2, c->vip, c->port, c->proto), sv);
	}
	for (i = 0; i < n_old; i++) {
		uint32_t addr = old[i].addr == IP(10, 1, 0, 22) ? IP(10, 1, 0, 23) : old[i].addr;
		const struct sl_backend *be = find_be(s2, old[i].svc, addr, old[i].port);

		CU_ASSERT_PTR_NOT_NULL_FATAL(be);
		CU_ASSERT_EQUAL(be->slot, old[i].slot);
		CU_ASSERT_EQUAL(be->gen, old[i].gen);
		CU_ASSERT_PTR_EQUAL(s2->by_slot[old[i].slot], be);
		CU_ASSERT_EQUAL(be->svc, find_svc(s2, old[i].svc)->id);
		CU_ASSERT_EQUAL(be->drain_until, 0);
		CU_ASSERT_NOT_EQUAL(weight_of(s2, be), 0);
	}
	/* web's backends in file order, the new one fresh */
	{
		const struct sl_service *w = find_svc(s2, "web");
		const struct sl_backend *nb = find_be(s2, "web", IP(10, 1, 0, 15), 8080);

		CU_ASSERT_EQUAL_FATAL(w->n_backends, 4);
		for (j = 0; j < 4; j++)
			CU_ASSERT_EQUAL(w->backends[j].addr, htonl(web->backends[j].addr));
		CU_ASSERT_PTR_NOT_NULL_FATAL(nb);
		CU_ASSERT_EQUAL(nb->index, 1);
		CU_ASSERT_PTR_EQUAL(s2->by_slot[nb->slot], nb);
		CU_ASSERT_EQUAL(weight_of(s2, nb), 1);
		CU_ASSERT_EQUAL(nb->drain_until, 0);
		for (i = 0; i < n_old; i++) {
			CU_ASSERT_NOT_EQUAL(nb->slot, old[i].slot);
			CU_ASSERT_NOT_EQUAL(nb->gen, old[i].gen);
		}
	}

	/* without id=, ADDR:PORT is the identity: a new port is a new
	 * backend, the old one drains */
	c3 = cfg_dup(c2);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c3);
	cfg_svc_named(c3, "tls")->backends[0].port = 444;
	s3 = rb(c3, n, ids, s2, 1020, &chg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s3);
	CU_ASSERT_CHG("tls port change", &chg, 0, 0, 1, 1, 1, 0);
	CU_ASSERT_EQUAL(snap_check(s3), 0);
	{
		const struct sl_backend *ob = find_be(s3, "tls", IP(10, 0, 0, 31), 443);
		const struct sl_backend *nb = find_be(s3, "tls", IP(10, 0, 0, 31), 444);

		CU_ASSERT_PTR_NOT_NULL_FATAL(ob);
		CU_ASSERT_PTR_NOT_NULL_FATAL(nb);
		CU_ASSERT_EQUAL(ob->slot, old[5].slot);     /* tls 10.0.0.31:443 */
		CU_ASSERT_EQUAL(ob->gen, old[5].gen);
		CU_ASSERT_EQUAL(weight_of(s3, ob), 0);
		CU_ASSERT_EQUAL(ob->drain_until, 1020 + 20);
		CU_ASSERT_NOT_EQUAL(nb->slot, ob->slot);
		CU_ASSERT_NOT_EQUAL(nb->gen, ob->gen);
		CU_ASSERT_EQUAL(weight_of(s3, nb), 1);
	}
	/* nothing changed: nothing moves */
	s4 = rb(c3, n, ids, s3, 1030, &chg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s4);
	CU_ASSERT_CHG("no change", &chg, 0, 0, 0, 0, 1, 0);
	CU_ASSERT(same_slots(s3, s4));
	CU_ASSERT_EQUAL(snap_check(s4), 0);

	SNAPS_FREE(s1, s2, s3, s4);
	sl_svc_ids_free(ids);
	sl_neigh_free(n);
	free(c1);
	free(c2);
	free(c3);
}

/* A backend gone from the file: draining, flushed at its deadline,
 * dropped after the largest timeout more; its identity forgotten. */
static void
test_rebuild_remove_backend(void)
{
	struct sl_config *c1 = cfg_live(), *c2, *c3;
	struct sl_neigh_table *n = sl_neigh_create(64, (int)rte_socket_id());
	struct sl_svc_ids *ids = sl_svc_ids_create();
	struct sl_snapshot *s1, *s2, *s3, *s4, *s5, *s6;
	struct sl_svc_change chg;
	const struct sl_backend *b, *b1;
	const struct sl_service *w;
	uint16_t slot;
	uint32_t gen;

	CU_ASSERT_PTR_NOT_NULL_FATAL(c1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(n);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ids);
	s1 = rb(c1, n, ids, NULL, 1000, &chg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s1);
	b1 = find_be(s1, "web", IP(10, 1, 0, 12), 8080);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b1);
	slot = b1->slot;
	gen = b1->gen;

	/* web loses 10.1.0.12 */
	c2 = cfg_dup(c1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c2);
	cfg_be_del(&c2->services[0], 1);
	s2 = rb(c2, n, ids, s1, 1010, &chg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s2);
	CU_ASSERT_CHG("removal", &chg, 0, 0, 0, 1, 1, 0);
	CU_ASSERT_EQUAL(snap_check(s2), 0);
	w = find_svc(s2, "web");
	CU_ASSERT_PTR_NOT_NULL_FATAL(w);
	CU_ASSERT_EQUAL(w->n_backends, 3);
	b = s2->by_slot[slot];
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	CU_ASSERT_EQUAL(b->addr, htonl(IP(10, 1, 0, 12)));
	CU_ASSERT_EQUAL(b->port, htons(8080));
	CU_ASSERT_EQUAL(b->gen, gen);
	CU_ASSERT_EQUAL(b->svc, w->id);
	CU_ASSERT_EQUAL(b->drain_until, 1010 + 100);
	CU_ASSERT_EQUAL(b->flush, 0);
	CU_ASSERT_EQUAL(weight_of(s2, b), 0);
	CU_ASSERT_EQUAL(rr_picks(s2, w, b->index), 0);     /* no new connections */
	CU_ASSERT_EQUAL(weight_of(s2, find_be(s2, "web", IP(10, 0, 0, 11), 8080)), 1);
	CU_ASSERT_EQUAL(weight_of(s2, find_be(s2, "web", IP(192, 168, 5, 13), 8080)), 1);
	CU_ASSERT_EQUAL(sl_svc_drain_due(s2, 1010), 0);
	CU_ASSERT_EQUAL(sl_svc_drain_due(s2, 1109), 0);
	CU_ASSERT_EQUAL(sl_svc_drain_due(s2, 1110), 1);
	CU_ASSERT_EQUAL(sl_svc_drain_due(s2, 5000), 1);

	/* deadline: flush */
	s3 = rb(c2, n, ids, s2, 1110, &chg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s3);
	CU_ASSERT_CHG("deadline", &chg, 0, 0, 0, 0, 1, 0);
	CU_ASSERT_EQUAL(snap_check(s3), 0);
	b = s3->by_slot[slot];
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	CU_ASSERT_EQUAL(b->gen, gen);
	CU_ASSERT_EQUAL(b->flush, 1);
	CU_ASSERT_EQUAL(b->drain_until, 1110);
	CU_ASSERT_EQUAL(weight_of(s3, b), 0);
	CU_ASSERT_EQUAL(sl_svc_drain_due(s3, 1110), 0);
	CU_ASSERT_EQUAL(sl_svc_drain_due(s3, 1111), 0);

	/* one second before deadline + largest timeout: still there */
	s4 = rb(c2, n, ids, s3, 1110 + MAX_TO - 1, &chg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s4);
	CU_ASSERT_CHG("before expiry", &chg, 0, 0, 0, 0, 1, 0);
	b = s4->by_slot[slot];
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	CU_ASSERT_EQUAL(b->gen, gen);
	CU_ASSERT_EQUAL(b->flush, 1);

	/* deadline + largest timeout: gone */
	s5 = rb(c2, n, ids, s4, 1110 + MAX_TO, &chg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s5);
	CU_ASSERT_CHG("expiry", &chg, 0, 0, 0, 0, 0, 1);
	CU_ASSERT_EQUAL(snap_check(s5), 0);
	CU_ASSERT_PTR_NULL(s5->by_slot[slot]);
	CU_ASSERT_PTR_NULL(find_be(s5, "web", IP(10, 1, 0, 12), 8080));
	CU_ASSERT_EQUAL(find_svc(s5, "web")->n_backends, 2);
	CU_ASSERT_EQUAL(sl_svc_drain_due(s5, UINT32_MAX), 0);
	CU_ASSERT(same_slots(s1, s5) == 0);

	/* the same ADDR:PORT back: a new identity, a fresh slot (round robin:
	 * not the one just freed) and a new generation */
	c3 = cfg_dup(c1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c3);
	s6 = rb(c3, n, ids, s5, 1110 + MAX_TO + 5, &chg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s6);
	CU_ASSERT_CHG("back", &chg, 0, 0, 1, 0, 0, 0);
	CU_ASSERT_EQUAL(snap_check(s6), 0);
	b = find_be(s6, "web", IP(10, 1, 0, 12), 8080);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	CU_ASSERT_NOT_EQUAL(b->slot, slot);
	CU_ASSERT_NOT_EQUAL(b->gen, gen);
	CU_ASSERT_PTR_NULL(s6->by_slot[slot]);
	CU_ASSERT_EQUAL(b->drain_until, 0);
	CU_ASSERT_EQUAL(weight_of(s6, b), 1);

	SNAPS_FREE(s1, s2, s3, s4, s5, s6);
	sl_svc_ids_free(ids);
	sl_neigh_free(n);
	free(c1);
	free(c2);
	free(c3);
}

/* A freed slot comes back only after the others went round once, and
 * then with a new generation. */
static void
test_rebuild_slot_reuse(void)
{
	enum { BATCH = 120, ROUNDS = 40 };   /* new + draining <= SL_MAX_SVC_BACKENDS */
	struct sl_config *c = cfg_live();
	struct sl_neigh_table *n = sl_neigh_create(64, (int)rte_socket_id());
	struct sl_svc_ids *ids = sl_svc_ids_create();
	struct sl_snapshot *s, *next;
	struct sl_svc_change chg;
	struct sl_config_service *churn;
	const struct sl_backend *b;
	unsigned r, k, reused_round = 0, bad_chg = 0, allocs = 0;
	uint32_t now = 1000;
	uint16_t slot;
	uint32_t gen;

	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_PTR_NOT_NULL_FATAL(n);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ids);
	c->n_services = 1;                   /* web alone */
	churn = cfg_svc0(c, "churn", IP(10, 0, 0, 102), 80, IPPROTO_TCP, "rr");
	churn->drain_timeout = 10;
	cfg_be(churn, IP(10, 1, 0, 49), 80, 1);      /* a service has a backend */
	s = rb(c, n, ids, NULL, now, &chg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	b = find_be(s, "web", IP(10, 1, 0, 12), 8080);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	slot = b->slot;
	gen = b->gen;
	/* drop it: removed, then expired */
	cfg_be_del(&c->services[0], 1);
	now += 10;
	next = rb(c, n, ids, s, now, &chg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(next);
	sl_svc_free(s);
	s = next;
	now += 100 + MAX_TO;
	next = rb(c, n, ids, s, now, &chg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(next);
	CU_ASSERT_CHG("expiry", &chg, 0, 0, 0, 0, 0, 1);
	sl_svc_free(s);
	s = next;
	CU_ASSERT_PTR_NULL_FATAL(s->by_slot[slot]);

	/* each round, BATCH new churn backends; the last round's drain and
	 * the one before expire */
	for (r = 0; r < ROUNDS && reused_round == 0; r++) {
		churn = cfg_svc_named(c, "churn");
		churn->n_backends = 1;
		for (k = 0; k < BATCH; k++)
			cfg_be(churn, IP(10, 1, 0, 50), (uint16_t)(10000 + r * BATCH + k), 1);
		now += 1000;
		next = rb(c, n, ids, s, now, &chg);
		CU_ASSERT_PTR_NOT_NULL_FATAL(next);
		sl_svc_free(s);
		s = next;
		if (chg_diff("churn", &chg, 0, 0, BATCH, r >= 1 ? BATCH : 0,
			     r >= 1 ? BATCH : 0, r >= 2 ? BATCH : 0))
			bad_chg++;
		allocs += BATCH;
		if (s->by_slot[slot] != NULL) {
			b = s->by_slot[slot];
			reused_round = r + 1;
			CU_ASSERT_NOT_EQUAL(b->gen, gen);
			CU_ASSERT_EQUAL(b->svc, find_svc(s, "churn")->id);
			CU_ASSERT_EQUAL(b->drain_until, 0);
		}
	}
	CU_ASSERT_EQUAL(bad_chg, 0);
	CU_ASSERT_NOT_EQUAL(reused_round, 0);
	/* not before nearly every other slot was handed out once */
	CU_ASSERT(allocs >= SL_MAX_BACKENDS - 3 * BATCH);
	CU_ASSERT_EQUAL(snap_check(s), 0);
	printf("\n    slot %u reused after %u new backends ", slot, allocs);
	sl_svc_free(s);
	sl_svc_ids_free(ids);
	sl_neigh_free(n);
	free(c);
}

/* state=drain in the file: weight 0, still there, deadline kept; back
 * to active: weight restored, same slot and generation. */
static void
test_rebuild_state_drain(void)
{
	struct sl_config *c1 = cfg_live(), *c2;
	struct sl_neigh_table *n = sl_neigh_create(64, (int)rte_socket_id());
	struct sl_svc_ids *ids = sl_svc_ids_create();
	struct sl_snapshot *s[9];
	struct sl_svc_change chg;
	const struct sl_backend *b;
	const struct sl_service *d;
	uint16_t slot;
	uint32_t gen;
	unsigned i;

	CU_ASSERT_PTR_NOT_NULL_FATAL(c1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(n);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ids);
	memset(s, 0, sizeof(s));
	s[0] = rb(c1, n, ids, NULL, 1000, &chg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s[0]);
	b = find_be(s[0], "dns", IP(10, 1, 0, 21), 53);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	slot = b->slot;
	gen = b->gen;

	/* dns 10.1.0.21 (weight 3) drained */
	c2 = cfg_dup(c1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c2);
	c2->services[1].backends[0].drain = 1;
	s[1] = rb(c2, n, ids, s[0], 1010, &chg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s[1]);
	CU_ASSERT_CHG("state=drain", &chg, 0, 0, 0, 0, 1, 0);
	CU_ASSERT_EQUAL(snap_check(s[1]), 0);
	d = find_svc(s[1], "dns");
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	CU_ASSERT_EQUAL(d->n_backends, 2);
	b = s[1]->by_slot[slot];
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	CU_ASSERT_PTR_EQUAL(b, &d->backends[0]);        /* in place */
	CU_ASSERT_EQUAL(b->gen, gen);
	CU_ASSERT_EQUAL(b->drain_until, 1010 + 50);
	CU_ASSERT_EQUAL(b->flush, 0);
	CU_ASSERT_EQUAL(d->ss.weight[0], 0);
	CU_ASSERT_EQUAL(d->ss.weight[1], 1);
	CU_ASSERT_EQUAL(sl_svc_drain_due(s[1], 1059), 0);
	CU_ASSERT_EQUAL(sl_svc_drain_due(s[1], 1060), 1);

	/* the same file again: the deadline stays */
	s[2] = rb(c2, n, ids, s[1], 1030, &chg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s[2]);
	CU_ASSERT_CHG("state=drain again", &chg, 0, 0, 0, 0, 1, 0);
	b = s[2]->by_slot[slot];
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	CU_ASSERT_EQUAL(b->drain_until, 1060);
	CU_ASSERT_EQUAL(b->gen, gen);

	/* active again before the deadline */
	s[3] = rb(c1, n, ids, s[2], 1040, &chg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s[3]);
	CU_ASSERT_CHG("active again", &chg, 0, 0, 0, 0, 0, 0);
	CU_ASSERT_EQUAL(snap_check(s[3]), 0);
	CU_ASSERT(same_slots(s[0], s[3]));
	d = find_svc(s[3], "dns");
	b = s[3]->by_slot[slot];
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	CU_ASSERT_EQUAL(b->gen, gen);
	CU_ASSERT_EQUAL(b->drain_until, 0);
	CU_ASSERT_EQUAL(b->flush, 0);
	CU_ASSERT_EQUAL(d->ss.weight[0], 3);
	CU_ASSERT_EQUAL(sl_svc_drain_due(s[3], UINT32_MAX), 0);

	/* drained anew: a fresh deadline; past it: flushed, yet still there
	 * however long (it is in the file) */
	s[4] = rb(c2, n, ids, s[3], 1070, &chg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s[4]);
	b = s[4]->by_slot[slot];
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	CU_ASSERT_EQUAL(b->drain_until, 1070 + 50);
	CU_ASSERT_EQUAL(sl_svc_drain_due(s[4], 1120), 1);
	s[5] = rb(c2, n, ids, s[4], 1120, &chg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s[5]);
	CU_ASSERT_CHG("state=drain deadline", &chg, 0, 0, 0, 0, 1, 0);
	b = s[5]->by_slot[slot];
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	CU_ASSERT_EQUAL(b->flush, 1);
	CU_ASSERT_EQUAL(b->gen, gen);
	CU_ASSERT_EQUAL(weight_of(s[5], b), 0);
	CU_ASSERT_EQUAL(sl_svc_drain_due(s[5], 1120), 0);
	s[6] = rb(c2, n, ids, s[5], 1120 + 10 * MAX_TO, &chg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s[6]);
	CU_ASSERT_CHG("state=drain long after", &chg, 0, 0, 0, 0, 1, 0);
	b = s[6]->by_slot[slot];
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	CU_ASSERT_EQUAL(b->flush, 1);
	CU_ASSERT_EQUAL(b->gen, gen);
	CU_ASSERT_EQUAL(snap_check(s[6]), 0);

	/* active again after the flush */
	s[7] = rb(c1, n, ids, s[6], 1120 + 10 * MAX_TO + 1, &chg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s[7]);
	CU_ASSERT_CHG("active after flush", &chg, 0, 0, 0, 0, 0, 0);
	CU_ASSERT(same_slots(s[0], s[7]));
	b = s[7]->by_slot[slot];
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	CU_ASSERT_EQUAL(b->flush, 0);
	CU_ASSERT_EQUAL(b->drain_until, 0);
	CU_ASSERT_EQUAL(weight_of(s[7], b), 3);
	CU_ASSERT_EQUAL(snap_check(s[7]), 0);

	for (i = 0; i < RTE_DIM(s); i++)
		sl_svc_free(s[i]);
	sl_svc_ids_free(ids);
	sl_neigh_free(n);
	free(c1);
	free(c2);
}

/* A service gone from the file stays, found by lookup, while its
 * backends drain; then it goes and its id is free again. */
static void
test_rebuild_remove_service(void)
{
	struct sl_config *c1 = cfg_live(), *c2, *c3;
	struct sl_neigh_table *n = sl_neigh_create(64, (int)rte_socket_id());
	struct sl_svc_ids *ids = sl_svc_ids_create();
	struct sl_snapshot *s1, *s2, *s3, *s4, *s5, *s6;
	struct sl_svc_change chg;
	struct sl_config_service *cs;
	const struct sl_service *t, *m, *nw;
	uint16_t tid, slots[2];
	uint32_t gens[2];
	unsigned j;

	CU_ASSERT_PTR_NOT_NULL_FATAL(c1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(n);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ids);
	s1 = rb(c1, n, ids, NULL, 1000, &chg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s1);
	t = find_svc(s1, "tls");
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	tid = t->id;
	for (j = 0; j < 2; j++) {
		slots[j] = t->backends[j].slot;
		gens[j] = t->backends[j].gen;
	}

	/* tls leaves the file, mail comes */
	c2 = cfg_dup(c1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c2);
	cfg_svc_del(c2, 2);
	cs = cfg_svc0(c2, "mail", IP(10, 0, 0, 103), 25, IPPROTO_TCP, "rr");
	cs->drain_timeout = 30;
	cfg_be(cs, IP(10, 0, 0, 41), 25, 1);
	s2 = rb(c2, n, ids, s1, 1010, &chg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s2);
	CU_ASSERT_CHG("tls removed, mail added", &chg, 1, 1, 1, 2, 2, 0);
	CU_ASSERT_EQUAL(snap_check(s2), 0);
	CU_ASSERT_FATAL(tid < s2->n_services);
	t = &s2->services[tid];
	CU_ASSERT_EQUAL(t->used, 1);
	CU_ASSERT_STRING_EQUAL(t->name, "tls");
	CU_ASSERT_EQUAL(t->id, tid);
	CU_ASSERT_EQUAL_FATAL(t->n_backends, 2);
	for (j = 0; j < 2; j++) {
		const struct sl_backend *b = s2->by_slot[slots[j]];

		CU_ASSERT_PTR_NOT_NULL_FATAL(b);
		CU_ASSERT_EQUAL(b->svc, tid);
		CU_ASSERT_EQUAL(b->gen, gens[j]);
		CU_ASSERT_EQUAL(b->drain_until, 1010 + 20);
		CU_ASSERT_EQUAL(b->flush, 0);
		CU_ASSERT_EQUAL(weight_of(s2, b), 0);
	}
	CU_ASSERT_EQUAL(t->vip, htonl(IP(10, 0, 0, 101)));
	CU_ASSERT_PTR_EQUAL(lk(s2, IP(10, 0, 0, 101), 443, IPPROTO_TCP), t);
	CU_ASSERT_EQUAL(sl_svc_is_vip(s2, htonl(IP(10, 0, 0, 101))), 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t->sched);
	CU_ASSERT_STRING_EQUAL(t->sched->name, "rr");
	CU_ASSERT_EQUAL(pick(s2, 0, t), -1);           /* nothing new for it */
	CU_ASSERT_EQUAL(t->drain_timeout, 20);
	m = lk(s2, IP(10, 0, 0, 103), 25, IPPROTO_TCP);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	CU_ASSERT_STRING_EQUAL(m->name, "mail");
	CU_ASSERT_NOT_EQUAL(m->id, tid);                /* tls still holds its id */
	CU_ASSERT_EQUAL(sl_svc_drain_due(s2, 1029), 0);
	CU_ASSERT_EQUAL(sl_svc_drain_due(s2, 1030), 1);

	/* deadline: flushed, service still there */
	s3 = rb(c2, n, ids, s2, 1030, &chg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s3);
	/* svc_removed: see test_rebuild_svc_removed_once */
	CU_ASSERT_EQUAL(chg.svc_added, 0);
	CU_ASSERT_EQUAL(chg.be_added, 0);
	CU_ASSERT_EQUAL(chg.be_removed, 0);
	CU_ASSERT_EQUAL(chg.be_draining, 2);
	CU_ASSERT_EQUAL(chg.be_expired, 0);
	CU_ASSERT_EQUAL(snap_check(s3), 0);
	CU_ASSERT_FATAL(tid < s3->n_services);
	t = &s3->services[tid];
	CU_ASSERT_EQUAL(t->used, 1);
	CU_ASSERT_PTR_EQUAL(lk(s3, IP(10, 0, 0, 101), 443, IPPROTO_TCP), t);
	for (j = 0; j < 2; j++) {
		CU_ASSERT_PTR_NOT_NULL_FATAL(s3->by_slot[slots[j]]);
		CU_ASSERT_EQUAL(s3->by_slot[slots[j]]->flush, 1);
		CU_ASSERT_EQUAL(s3->by_slot[slots[j]]->gen, gens[j]);
	}
	CU_ASSERT_EQUAL(sl_svc_drain_due(s3, 1030), 0);

	s4 = rb(c2, n, ids, s3, 1030 + MAX_TO - 1, &chg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s4);
	CU_ASSERT_PTR_NOT_NULL(lk(s4, IP(10, 0, 0, 101), 443, IPPROTO_TCP));

	/* deadline + largest timeout: the service is gone, its id free */
	s5 = rb(c2, n, ids, s4, 1030 + MAX_TO, &chg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s5);
	CU_ASSERT_EQUAL(chg.svc_added, 0);
	CU_ASSERT_EQUAL(chg.be_added, 0);
	CU_ASSERT_EQUAL(chg.be_removed, 0);
	CU_ASSERT_EQUAL(chg.be_draining, 0);
	CU_ASSERT_EQUAL(chg.be_expired, 2);
	CU_ASSERT_EQUAL(snap_check(s5), 0);
	CU_ASSERT(tid >= s5->n_services || !s5->services[tid].used);
	CU_ASSERT_PTR_NULL(find_svc(s5, "tls"));
	CU_ASSERT_PTR_NULL(lk(s5, IP(10, 0, 0, 101), 443, IPPROTO_TCP));
	CU_ASSERT_EQUAL(sl_svc_is_vip(s5, htonl(IP(10, 0, 0, 101))), 0);
	CU_ASSERT_PTR_NULL(s5->by_slot[slots[0]]);
	CU_ASSERT_PTR_NULL(s5->by_slot[slots[1]]);
	/* the others are untouched, holes skipped */
	CU_ASSERT_PTR_NOT_NULL(lk(s5, IP(10, 0, 0, 100), 80, IPPROTO_TCP));
	CU_ASSERT_PTR_NOT_NULL(lk(s5, IP(10, 0, 0, 100), 53, IPPROTO_UDP));
	CU_ASSERT_PTR_EQUAL(lk(s5, IP(10, 0, 0, 103), 25, IPPROTO_TCP), find_svc(s5, "mail"));
	CU_ASSERT_EQUAL(sl_svc_drain_due(s5, UINT32_MAX), 0);

	/* a new service takes the lowest free id: tls's */
	c3 = cfg_dup(c2);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c3);
	cs = cfg_svc0(c3, "new", IP(10, 0, 0, 104), 8443, IPPROTO_TCP, "wrr");
	cs->drain_timeout = 5;
	cfg_be(cs, IP(10, 0, 0, 42), 8443, 2);
	s6 = rb(c3, n, ids, s5, 1030 + MAX_TO + 10, &chg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s6);
	CU_ASSERT_CHG("new service", &chg, 1, 0, 1, 0, 0, 0);
	CU_ASSERT_EQUAL(snap_check(s6), 0);
	nw = lk(s6, IP(10, 0, 0, 104), 8443, IPPROTO_TCP);
	CU_ASSERT_PTR_NOT_NULL_FATAL(nw);
	CU_ASSERT_STRING_EQUAL(nw->name, "new");
	CU_ASSERT_EQUAL(nw->id, tid);
	CU_ASSERT_PTR_EQUAL(nw, &s6->services[tid]);
	CU_ASSERT_EQUAL(nw->n_backends, 1);
	CU_ASSERT_EQUAL(nw->ss.weight[0], 2);
	CU_ASSERT_PTR_NULL(lk(s6, IP(10, 0, 0, 101), 443, IPPROTO_TCP));

	SNAPS_FREE(s1, s2, s3, s4, s5, s6);
	sl_svc_ids_free(ids);
	sl_neigh_free(n);
	free(c1);
	free(c2);
	free(c3);
}

/* svc_removed counts a service leaving the file once, not once per
 * rebuild while it drains. */
static void
test_rebuild_svc_removed_once(void)
{
	struct sl_config *c1 = cfg_live(), *c2;
	struct sl_neigh_table *n = sl_neigh_create(64, (int)rte_socket_id());
	struct sl_svc_ids *ids = sl_svc_ids_create();
	struct sl_snapshot *s[4];
	struct sl_svc_change chg;
	static const uint32_t when[4] = { 1000, 1010, 1030, 1030 + MAX_TO };
	unsigned i, per_step[4], total = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(c1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(n);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ids);
	c2 = cfg_dup(c1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c2);
	cfg_svc_del(c2, 2);                  /* tls */
	for (i = 0; i < 4; i++) {
		s[i] = rb(i == 0 ? c1 : c2, n, ids, i == 0 ? NULL : s[i - 1], when[i], &chg);
		CU_ASSERT_PTR_NOT_NULL_FATAL(s[i]);
		per_step[i] = chg.svc_removed;
		total += chg.svc_removed;
	}
	printf("\n    svc_removed: removal %u, flush %u, drop %u ",
	       per_step[1], per_step[2], per_step[3]);
	CU_ASSERT_PTR_NOT_NULL(find_svc(s[2], "tls"));   /* still draining */
	CU_ASSERT_PTR_NULL(find_svc(s[3], "tls"));       /* gone */
	CU_ASSERT_EQUAL(per_step[0], 0);
	CU_ASSERT_EQUAL(per_step[1], 1);
	CU_ASSERT_EQUAL(per_step[2], 0);
	CU_ASSERT_EQUAL(per_step[3], 0);
	CU_ASSERT_EQUAL(total, 1);
	for (i = 0; i < 4; i++)
		sl_svc_free(s[i]);
	sl_svc_ids_free(ids);
	sl_neigh_free(n);
	free(c1);
	free(c2);
}

/* A service back in the file while it drains keeps its id, and its
 * backends their slots, active again. */
static void
test_rebuild_service_back(void)
{
	struct sl_config *c1 = cfg_live(), *c2;
	struct sl_neigh_table *n = sl_neigh_create(64, (int)rte_socket_id());
	struct sl_svc_ids *ids = sl_svc_ids_create();
	struct sl_snapshot *s[5];
	struct sl_svc_change chg;
	const struct sl_service *t;
	uint16_t tid;
	unsigned i;

	CU_ASSERT_PTR_NOT_NULL_FATAL(c1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(n);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ids);
	c2 = cfg_dup(c1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c2);
	cfg_svc_del(c2, 2);
	s[0] = rb(c1, n, ids, NULL, 1000, &chg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s[0]);
	tid = find_svc(s[0], "tls")->id;
	s[1] = rb(c2, n, ids, s[0], 1010, &chg);    /* removed, draining */
	CU_ASSERT_PTR_NOT_NULL_FATAL(s[1]);
	s[2] = rb(c1, n, ids, s[1], 1015, &chg);    /* back before the deadline */
	CU_ASSERT_PTR_NOT_NULL_FATAL(s[2]);
	CU_ASSERT_EQUAL(chg.be_added, 0);
	CU_ASSERT_EQUAL(chg.be_removed, 0);
	CU_ASSERT_EQUAL(chg.be_draining, 0);
	CU_ASSERT_EQUAL(chg.be_expired, 0);
	CU_ASSERT(same_slots(s[0], s[2]));
	CU_ASSERT_EQUAL(snap_check(s[2]), 0);
	t = find_svc(s[2], "tls");
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	CU_ASSERT_EQUAL(t->id, tid);
	CU_ASSERT_EQUAL(t->n_backends, 2);
	CU_ASSERT_EQUAL(t->ss.weight[0], 1);
	CU_ASSERT_EQUAL(t->ss.weight[1], 1);
	CU_ASSERT_EQUAL(t->backends[0].drain_until, 0);

	s[3] = rb(c2, n, ids, s[2], 1020, &chg);    /* removed again */
	CU_ASSERT_PTR_NOT_NULL_FATAL(s[3]);
	CU_ASSERT_EQUAL(chg.be_removed, 2);
	CU_ASSERT_EQUAL(find_svc(s[3], "tls")->backends[0].drain_until, 1020 + 20);
	{
		/* flushed, then back */
		struct sl_snapshot *f = rb(c2, n, ids, s[3], 1040, &chg);

		CU_ASSERT_PTR_NOT_NULL_FATAL(f);
		CU_ASSERT_EQUAL(find_svc(f, "tls")->backends[0].flush, 1);
		s[4] = rb(c1, n, ids, f, 1050, &chg);
		sl_svc_free(f);
	}
	CU_ASSERT_PTR_NOT_NULL_FATAL(s[4]);
	CU_ASSERT(same_slots(s[0], s[4]));
	t = find_svc(s[4], "tls");
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	CU_ASSERT_EQUAL(t->id, tid);
	CU_ASSERT_EQUAL(t->backends[0].flush, 0);
	CU_ASSERT_EQUAL(t->backends[1].flush, 0);
	CU_ASSERT_EQUAL(t->ss.weight[0], 1);
	CU_ASSERT_EQUAL(snap_check(s[4]), 0);
	for (i = 0; i < RTE_DIM(s); i++)
		sl_svc_free(s[i]);
	sl_svc_ids_free(ids);
	sl_neigh_free(n);
	free(c1);
	free(c2);
}

/* A service renamed in the file, same VIP, port and protocol: the old
 * name drains, but new connections must find the service in the file. */
static void
test_rebuild_renamed_service_lookup(void)
{
	struct sl_config *c1 = cfg_live(), *c2;
	struct sl_neigh_table *n = sl_neigh_create(64, (int)rte_socket_id());
	struct sl_svc_ids *ids = sl_svc_ids_create();
	struct sl_snapshot *s1, *s2;
	struct sl_svc_change chg;
	const struct sl_service *t;

	CU_ASSERT_PTR_NOT_NULL_FATAL(c1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(n);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ids);
	s1 = rb(c1, n, ids, NULL, 1000, &chg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s1);
	c2 = cfg_dup(c1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c2);
	snprintf(c2->services[2].name, SL_NAME_MAX, "tls2");
	s2 = rb(c2, n, ids, s1, 1010, &chg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s2);
	CU_ASSERT_CHG("rename", &chg, 1, 1, 2, 2, 2, 0);
	CU_ASSERT_PTR_NOT_NULL(find_svc(s2, "tls"));     /* draining */
	CU_ASSERT_PTR_NOT_NULL(find_svc(s2, "tls2"));
	t = lk(s2, IP(10, 0, 0, 101), 443, IPPROTO_TCP);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	printf("\n    lookup 10.0.0.101:443/tcp -> %s ", t->name);
	CU_ASSERT_STRING_EQUAL(t->name, "tls2");
	CU_ASSERT_NOT_EQUAL(pick(s2, 0, t), -1);
	SNAPS_FREE(s1, s2);
	sl_svc_ids_free(ids);
	sl_neigh_free(n);
	free(c1);
	free(c2);
}

/* A refused rebuild returns NULL, frees what it built, and the next good
 * rebuild still finds every identity and deadline where it was. */
static void
test_rebuild_failure(void)
{
	struct sl_config *c1 = cfg_live(), *c2, *bad, *c4;
	struct sl_neigh_table *n = sl_neigh_create(64, (int)rte_socket_id());
	struct sl_svc_ids *ids = sl_svc_ids_create();
	struct sl_snapshot *s1, *s2, *s3, *s4, *x;
	struct sl_svc_change chg;
	struct sl_config_service *cs;
	const struct sl_backend *b;
	char err[256];
	unsigned before, i;
	uint16_t slot;

	CU_ASSERT_PTR_NOT_NULL_FATAL(c1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(n);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ids);
	/* no gateway: the off-subnet backends move onto 10.1.0.0/24 */
	c1->ports[0].gateway = 0;
	c1->services[0].backends[2].addr = IP(10, 1, 0, 13);
	c1->services[2].backends[1].addr = IP(10, 1, 0, 14);
	s1 = rb(c1, n, ids, NULL, 1000, &chg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s1);
	c2 = cfg_dup(c1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c2);
	cfg_be_del(&c2->services[0], 1);     /* web 10.1.0.12 drains until 1110 */
	s2 = rb(c2, n, ids, s1, 1010, &chg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s2);
	b = find_be(s1, "web", IP(10, 1, 0, 12), 8080);
	slot = b->slot;
	CU_ASSERT_EQUAL(s2->by_slot[slot]->drain_until, 1110);

	/* unknown scheduler, with a new backend and a new service */
	bad = cfg_dup(c2);
	CU_ASSERT_PTR_NOT_NULL_FATAL(bad);
	snprintf(bad->services[1].scheduler, SL_SCHED_NAME_MAX, "fancy");
	cfg_be(&bad->services[0], IP(10, 1, 0, 16), 8080, 1);
	cs = cfg_svc0(bad, "extra", IP(10, 0, 0, 105), 80, IPPROTO_TCP, "rr");
	cfg_be(cs, IP(10, 0, 0, 43), 80, 1);
	before = heap_allocs();
	err[0] = '\0';
	x = sl_svc_rebuild(bad, hw, n, 2, ids, s2, 1020, &chg, err, sizeof(err));
	CU_ASSERT_PTR_NULL(x);
	sl_svc_free(x);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "fancy"));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "dns"));
	CU_ASSERT_EQUAL(heap_allocs(), before);
	printf("\n    message: %s ", err);
	free(bad);

	/* unreachable backend, after a new one */
	bad = cfg_dup(c2);
	CU_ASSERT_PTR_NOT_NULL_FATAL(bad);
	cfg_be(&bad->services[0], IP(10, 1, 0, 17), 8080, 1);
	cfg_be(&bad->services[0], IP(172, 16, 0, 5), 8080, 1);
	before = heap_allocs();
	err[0] = '\0';
	x = sl_svc_rebuild(bad, hw, n, 2, ids, s2, 1020, &chg, err, sizeof(err));
	CU_ASSERT_PTR_NULL(x);
	sl_svc_free(x);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "172.16.0.5"));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "unreachable"));
	CU_ASSERT_EQUAL(heap_allocs(), before);
	printf("\n    message: %s ", err);
	free(bad);

	/* the previous snapshot is untouched */
	CU_ASSERT_EQUAL(snap_check(s2), 0);
	CU_ASSERT_EQUAL(s2->by_slot[slot]->drain_until, 1110);

	/* the running file again: nothing moved, the deadline kept */
	s3 = rb(c2, n, ids, s2, 1030, &chg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s3);
	CU_ASSERT_CHG("after failures", &chg, 0, 0, 0, 0, 1, 0);
	CU_ASSERT_EQUAL(snap_check(s3), 0);
	CU_ASSERT(same_slots(s2, s3));
	CU_ASSERT_PTR_NOT_NULL_FATAL(s3->by_slot[slot]);
	CU_ASSERT_EQUAL(s3->by_slot[slot]->drain_until, 1110);
	CU_ASSERT_EQUAL(s3->by_slot[slot]->gen, b->gen);
	CU_ASSERT_EQUAL(s3->gen, s2->gen + 1);

	/* then a good change with what the failures tried to add */
	c4 = cfg_dup(c2);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c4);
	cfg_be(&c4->services[0], IP(10, 1, 0, 16), 8080, 1);
	cs = cfg_svc0(c4, "extra", IP(10, 0, 0, 105), 80, IPPROTO_TCP, "rr");
	cfg_be(cs, IP(10, 0, 0, 43), 80, 1);
	s4 = rb(c4, n, ids, s3, 1040, &chg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s4);
	CU_ASSERT_CHG("good change", &chg, 1, 0, 2, 0, 1, 0);
	CU_ASSERT_EQUAL(snap_check(s4), 0);
	for (i = 0; i < SL_MAX_BACKENDS; i++)
		if (s3->by_slot[i] != NULL) {
			CU_ASSERT_PTR_NOT_NULL(s4->by_slot[i]);
			if (s4->by_slot[i] != NULL) {
				CU_ASSERT_EQUAL(s4->by_slot[i]->gen, s3->by_slot[i]->gen);
				CU_ASSERT_EQUAL(s4->by_slot[i]->addr, s3->by_slot[i]->addr);
			}
		}
	CU_ASSERT_PTR_NOT_NULL(find_be(s4, "web", IP(10, 1, 0, 16), 8080));
	CU_ASSERT_PTR_NOT_NULL(lk(s4, IP(10, 0, 0, 105), 80, IPPROTO_TCP));
	CU_ASSERT_EQUAL(s4->by_slot[slot]->drain_until, 1110);
	CU_ASSERT_PTR_NULL(find_be(s4, "web", IP(10, 1, 0, 17), 8080));

	SNAPS_FREE(s1, s2, s3, s4);
	sl_svc_ids_free(ids);
	sl_neigh_free(n);
	free(c1);
	free(c2);
	free(c4);
}

/* The management clock starts at 0 (sl_mgmt_now_s), and drain_timeout=0
 * is valid: a drained or removed backend must still take no new
 * connections then. */
static void
test_rebuild_drain_at_zero(void)
{
	struct sl_config *c1 = cfg_live(), *c2;
	struct sl_neigh_table *n = sl_neigh_create(64, (int)rte_socket_id());
	struct sl_svc_ids *ids = sl_svc_ids_create();
	struct sl_snapshot *s1, *s2, *s3;
	struct sl_svc_change chg;
	const struct sl_backend *b;
	const struct sl_service *w;

	CU_ASSERT_PTR_NOT_NULL_FATAL(c1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(n);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ids);
	c1->services[0].drain_timeout = 0;
	c1->services[0].backends[0].drain = 1;          /* web 10.0.0.11 */
	s1 = rb(c1, n, ids, NULL, 0, &chg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s1);
	w = find_svc(s1, "web");
	b = find_be(s1, "web", IP(10, 0, 0, 11), 8080);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	printf("\n    state=drain at 0: drain_until %u flush %u weight %u ",
	       b->drain_until, b->flush, weight_of(s1, b));
	CU_ASSERT_EQUAL(weight_of(s1, b), 0);
	CU_ASSERT_EQUAL(b->flush, 1);
	CU_ASSERT_EQUAL(rr_picks(s1, w, b->index), 0);

	/* web 10.1.0.12 removed within the first second */
	c2 = cfg_dup(c1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c2);
	cfg_be_del(&c2->services[0], 1);
	s2 = rb(c2, n, ids, s1, 0, &chg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s2);
	CU_ASSERT_EQUAL(chg.be_removed, 1);
	w = find_svc(s2, "web");
	b = find_be(s2, "web", IP(10, 1, 0, 12), 8080);
	if (b != NULL) {
		printf("\n    removed at 0: drain_until %u flush %u weight %u ",
		       b->drain_until, b->flush, weight_of(s2, b));
		CU_ASSERT_EQUAL(weight_of(s2, b), 0);
		CU_ASSERT_EQUAL(rr_picks(s2, w, b->index), 0);
	}
	s3 = rb(c2, n, ids, s2, 1, &chg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s3);
	CU_ASSERT_EQUAL(chg.be_removed, 0);             /* removed once, at 0 */
	SNAPS_FREE(s1, s2, s3);
	sl_svc_ids_free(ids);
	sl_neigh_free(n);
	free(c1);
	free(c2);
}

/* The management loop rebuilds only when sl_svc_drain_due() says so: it
 * must also say so when a flushed, removed backend is due to be dropped
 * (the header: "then a rebuild turns it into a flush or drops it"). */
static void
test_rebuild_drain_due_drop(void)
{
	struct sl_config *c1 = cfg_live(), *c2;
	struct sl_neigh_table *n = sl_neigh_create(64, (int)rte_socket_id());
	struct sl_svc_ids *ids = sl_svc_ids_create();
	struct sl_snapshot *s1, *s2, *s3, *s4;
	struct sl_svc_change chg;

	CU_ASSERT_PTR_NOT_NULL_FATAL(c1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(n);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ids);
	s1 = rb(c1, n, ids, NULL, 1000, &chg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s1);
	c2 = cfg_dup(c1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c2);
	cfg_svc_del(c2, 2);                              /* tls, 20 s */
	s2 = rb(c2, n, ids, s1, 1010, &chg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s2);
	CU_ASSERT_EQUAL(sl_svc_drain_due(s2, 1030), 1);
	s3 = rb(c2, n, ids, s2, 1030, &chg);             /* flush */
	CU_ASSERT_PTR_NOT_NULL_FATAL(s3);
	CU_ASSERT_EQUAL(sl_svc_drain_due(s3, 1030), 0);
	/* a rebuild now would drop tls ... */
	s4 = rb(c2, n, ids, s3, 1030 + MAX_TO, &chg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s4);
	CU_ASSERT_EQUAL(chg.be_expired, 2);
	CU_ASSERT_PTR_NULL(find_svc(s4, "tls"));
	/* ... so the loop must be told */
	CU_ASSERT_EQUAL(sl_svc_drain_due(s3, 1030 + MAX_TO), 1);
	CU_ASSERT_EQUAL(sl_svc_drain_due(s3, 1030 + 100 * MAX_TO), 1);
	SNAPS_FREE(s1, s2, s3, s4);
	sl_svc_ids_free(ids);
	sl_neigh_free(n);
	free(c1);
	free(c2);
}

/* Add route PREFIX/LEN via VIA to port @p pi of a hand-built config. */
static void
cfg_route(struct sl_config *c, unsigned pi, uint32_t prefix, uint8_t len,
	  uint32_t via)
{
	struct sl_config_route *r = &c->ports[pi].routes[c->ports[pi].n_routes++];

	r->prefix = prefix;
	r->len = len;
	r->via = via;
	if (len == 0)
		c->ports[pi].gateway = via;
}

/*
 * A site as it is deployed: the default route on the outside port
 * (front, 10.0.0.254), networks behind routers on the inside (back):
 * 48.0.0.0/8 via 10.1.0.254, 48.1.2.0/24 via 10.1.0.253, the host
 * 48.1.2.3/32 via 10.1.0.252 (longer than /24: rte_lpm's second level),
 * and the upper half of the front subnet, 10.0.0.128/25, via 10.1.0.254.
 */
static struct sl_config *
cfg_site(void)
{
	struct sl_config *c = cfg_new(0);

	if (c == NULL)
		return NULL;
	cfg_route(c, 0, 0, 0, IP(10, 0, 0, 254));
	cfg_route(c, 1, IP(48, 0, 0, 0), 8, IP(10, 1, 0, 254));
	cfg_route(c, 1, IP(48, 1, 2, 0), 24, IP(10, 1, 0, 253));
	cfg_route(c, 1, IP(48, 1, 2, 3), 32, IP(10, 1, 0, 252));
	cfg_route(c, 1, IP(10, 0, 0, 128), 25, IP(10, 1, 0, 254));
	return c;
}

/* sl_svc_route() as one assertion: port and next hop. */
static int
routes_to(const struct sl_snapshot *s, uint32_t dst, int port, uint32_t nexthop)
{
	rte_be32_t nh = 0;
	int p = sl_svc_route(s, htonl(dst), &nh);

	if (p == port && (p < 0 || nh == htonl(nexthop)))
		return 1;
	printf("\n    %u.%u.%u.%u: port %d next hop %08x, expected port %d next hop %08x",
	       dst >> 24, (dst >> 16) & 0xff, (dst >> 8) & 0xff, dst & 0xff,
	       p, ntohl(nh), port, nexthop);
	return 0;
}

static void
test_route_lpm(void)
{
	struct sl_config *c = cfg_site();
	struct sl_neigh_table *n = sl_neigh_create(64, (int)rte_socket_id());
	struct sl_snapshot *s;

	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_PTR_NOT_NULL_FATAL(n);
	s = build(c, n, 1, 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_PTR_NOT_NULL(s->lpm);
	/* two subnets, five static routes (the default one included) */
	CU_ASSERT_EQUAL(s->n_routes, 7);

	/* the longest prefix wins, whatever the order in the file */
	CU_ASSERT(routes_to(s, IP(48, 9, 9, 9), 1, IP(10, 1, 0, 254)));
	CU_ASSERT(routes_to(s, IP(48, 1, 2, 9), 1, IP(10, 1, 0, 253)));
	CU_ASSERT(routes_to(s, IP(48, 1, 2, 3), 1, IP(10, 1, 0, 252)));
	CU_ASSERT(routes_to(s, IP(48, 1, 2, 4), 1, IP(10, 1, 0, 253)));
	CU_ASSERT(routes_to(s, IP(48, 1, 3, 3), 1, IP(10, 1, 0, 254)));
	/* a route inside a subnet is longer than the subnet */
	CU_ASSERT(routes_to(s, IP(10, 0, 0, 200), 1, IP(10, 1, 0, 254)));
	CU_ASSERT(routes_to(s, IP(10, 0, 0, 100), 0, IP(10, 0, 0, 100)));
	/* connected subnets beat the default route */
	CU_ASSERT(routes_to(s, IP(10, 1, 0, 77), 1, IP(10, 1, 0, 77)));
	CU_ASSERT(routes_to(s, IP(10, 0, 0, 5), 0, IP(10, 0, 0, 5)));
	/* everything else: the default route, on the outside */
	CU_ASSERT(routes_to(s, IP(8, 8, 8, 8), 0, IP(10, 0, 0, 254)));
	CU_ASSERT(routes_to(s, IP(49, 0, 0, 1), 0, IP(10, 0, 0, 254)));
	CU_ASSERT(routes_to(s, IP(10, 1, 1, 1), 0, IP(10, 0, 0, 254)));
	sl_svc_free(s);

	/* no default route: what no prefix covers is unreachable, and the
	 * next hop is left alone */
	c->ports[0].n_routes = 0;
	c->ports[0].gateway = 0;
	s = build(c, n, 1, 2);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL(s->n_routes, 6);
	CU_ASSERT(routes_to(s, IP(8, 8, 8, 8), -1, 0));
	CU_ASSERT(routes_to(s, IP(10, 1, 1, 1), -1, 0));
	{
		rte_be32_t nh = 0x12345678;

		CU_ASSERT_EQUAL(sl_svc_route(s, htonl(IP(49, 0, 0, 1)), &nh), -1);
		CU_ASSERT_EQUAL(nh, 0x12345678);
	}
	CU_ASSERT(routes_to(s, IP(48, 9, 9, 9), 1, IP(10, 1, 0, 254)));
	CU_ASSERT(routes_to(s, IP(10, 0, 0, 5), 0, IP(10, 0, 0, 5)));
	sl_svc_free(s);
	sl_neigh_free(n);
	free(c);
}

/*
 * Backends two hops away on the inside while the default route points
 * outside: each backend is sent out of the port its route names, to the
 * route's gateway, never to the default gateway.
 */
static void
test_route_backends_behind_router(void)
{
	struct sl_config *c = cfg_site();
	struct sl_neigh_table *n = sl_neigh_create(64, (int)rte_socket_id());
	struct sl_config_service *cs;
	const struct sl_service *sv;
	struct sl_snapshot *s;
	int gw_in, gw_out;

	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_PTR_NOT_NULL_FATAL(n);
	cs = cfg_svc(c, "web", IP(10, 0, 0, 100), 80, IPPROTO_TCP, "rr");
	cfg_be(cs, IP(48, 0, 0, 11), 8080, 1);
	cfg_be(cs, IP(48, 0, 0, 12), 8080, 1);
	cfg_be(cs, IP(8, 8, 4, 4), 8080, 1);
	s = build(c, n, 1, 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	sv = lk(s, IP(10, 0, 0, 100), 80, IPPROTO_TCP);
	CU_ASSERT_PTR_NOT_NULL_FATAL(sv);
	CU_ASSERT_EQUAL(sv->vip_port, 0);
	gw_in = sl_neigh_find(n, 1, htonl(IP(10, 1, 0, 254)));
	gw_out = sl_neigh_find(n, 0, htonl(IP(10, 0, 0, 254)));
	CU_ASSERT(gw_in >= 0);
	CU_ASSERT(gw_out >= 0);
	CU_ASSERT_EQUAL(sv->backends[0].out_port, 1);
	CU_ASSERT_EQUAL(sv->backends[0].neigh, (uint32_t)gw_in);
	CU_ASSERT_EQUAL(sv->backends[1].out_port, 1);
	CU_ASSERT_EQUAL(sv->backends[1].neigh, (uint32_t)gw_in);
	CU_ASSERT_EQUAL(sv->backends[2].out_port, 0);
	CU_ASSERT_EQUAL(sv->backends[2].neigh, (uint32_t)gw_out);
	/* only next hops in the table, no entry per remote backend */
	CU_ASSERT_EQUAL(n->count, 2);
	sl_svc_free(s);
	sl_neigh_free(n);
	free(c);
}

/* IPv6 @p txt in network order (a test's own literal: it parses). */
static struct sl_in6
in6(const char *txt)
{
	struct sl_in6 a;

	if (inet_pton(AF_INET6, txt, &a) != 1)
		memset(&a, 0xee, sizeof(a));
	return a;
}

/* Add IPv6 route PREFIX/LEN via VIA to port @p pi of a hand-built config. */
static void
cfg_route6(struct sl_config *c, unsigned pi, const char *prefix, uint8_t len,
	   const char *via)
{
	struct sl_config_route6 *r = &c->ports[pi].routes6[c->ports[pi].n_routes6++];
	struct sl_in6 a = in6(prefix), g = in6(via);

	memcpy(r->prefix, &a, 16);
	r->len = len;
	memcpy(r->via, &g, 16);
	if (len == 0)
		memcpy(c->ports[pi].gateway6, &g, 16);
}

/* The IPv6 addresses of the two ports of cfg_new(). */
static void
cfg_v6(struct sl_config *c)
{
	struct sl_in6 a = in6("2001:db8::1"), b = in6("fd00:1::1");

	memcpy(c->ports[0].addr6, &a, 16);
	c->ports[0].prefix6_len = 64;
	memcpy(c->ports[1].addr6, &b, 16);
	c->ports[1].prefix6_len = 64;
}

/*
 * IPv6 as cfg_site(): the default route ::/0 via fe80::1 on the front,
 * networks behind routers on the back: 2001:db8:5::/48 via fd00:1::fe,
 * 2001:db8:5:1::/64 via fe80::2 (link-local), the host
 * 2001:db8:5:1::7/128 via fd00:1::fd, and the upper half of the front
 * subnet, 2001:db8::8000:0:0:0/65, via fd00:1::fe.
 */
static struct sl_config *
cfg_site6(void)
{
	struct sl_config *c = cfg_new(0);

	if (c == NULL)
		return NULL;
	cfg_v6(c);
	cfg_route6(c, 0, "::", 0, "fe80::1");
	cfg_route6(c, 1, "2001:db8:5::", 48, "fd00:1::fe");
	cfg_route6(c, 1, "2001:db8:5:1::", 64, "fe80::2");
	cfg_route6(c, 1, "2001:db8:5:1::7", 128, "fd00:1::fd");
	cfg_route6(c, 1, "2001:db8:0:0:8000::", 65, "fd00:1::fe");
	return c;
}

/* sl_svc_route6() as one assertion: port and next hop. */
static int
routes6_to(const struct sl_snapshot *s, const char *dst, int port, const char *nexthop)
{
	struct sl_in6 d = in6(dst), nh = in6("::"), want = in6(nexthop);
	char got[INET6_ADDRSTRLEN];
	int p = sl_svc_route6(s, &d, &nh);

	if (p == port && (p < 0 || sl_in6_eq(&nh, &want)))
		return 1;
	inet_ntop(AF_INET6, &nh, got, sizeof(got));
	printf("\n    %s: port %d next hop %s, expected port %d next hop %s",
	       dst, p, got, port, nexthop);
	return 0;
}

static void
test_route6_lpm(void)
{
	struct sl_config *c = cfg_site6();
	struct sl_neigh_table *n = sl_neigh_create(64, (int)rte_socket_id());
	struct sl_snapshot *s;

	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_PTR_NOT_NULL_FATAL(n);
	s = build(c, n, 1, 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	/* two subnets, five static routes (the default one included) */
	CU_ASSERT_EQUAL(s->n_routes6, 7);

	/* the longest prefix wins, whatever the order of the routes */
	CU_ASSERT(routes6_to(s, "2001:db8:5:9::1", 1, "fd00:1::fe"));
	CU_ASSERT(routes6_to(s, "2001:db8:5:1::9", 1, "fe80::2"));
	CU_ASSERT(routes6_to(s, "2001:db8:5:1::7", 1, "fd00:1::fd"));
	CU_ASSERT(routes6_to(s, "2001:db8:5:1::6", 1, "fe80::2"));
	CU_ASSERT(routes6_to(s, "2001:db8:5:2::7", 1, "fd00:1::fe"));
	/* a route inside a subnet is longer than the subnet */
	CU_ASSERT(routes6_to(s, "2001:db8::8000:0:0:9", 1, "fd00:1::fe"));
	CU_ASSERT(routes6_to(s, "2001:db8::7fff:0:0:9", 0, "2001:db8::7fff:0:0:9"));
	/* connected subnets beat the default route */
	CU_ASSERT(routes6_to(s, "fd00:1::77", 1, "fd00:1::77"));
	CU_ASSERT(routes6_to(s, "2001:db8::5", 0, "2001:db8::5"));
	/* everything else: the default route, on the front */
	CU_ASSERT(routes6_to(s, "2001:db9::1", 0, "fe80::1"));
	CU_ASSERT(routes6_to(s, "2001:db8:6::1", 0, "fe80::1"));
	CU_ASSERT(routes6_to(s, "fd00:2::1", 0, "fe80::1"));
	sl_svc_free(s);

	/* a subnet wins over a route of the same prefix and length (the
	 * validator refuses one; the table still prefers the subnet) */
	cfg_route6(c, 0, "fd00:1::", 64, "2001:db8::fe");
	s = build(c, n, 1, 2);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT(routes6_to(s, "fd00:1::77", 1, "fd00:1::77"));
	sl_svc_free(s);
	c->ports[0].n_routes6--;

	/* no default route: what no prefix covers is unreachable, and the
	 * next hop is left alone */
	c->ports[0].routes6[0] = c->ports[0].routes6[--c->ports[0].n_routes6];
	memset(c->ports[0].gateway6, 0, 16);
	s = build(c, n, 1, 3);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL(s->n_routes6, 6);
	CU_ASSERT(routes6_to(s, "2001:db9::1", -1, "::"));
	{
		struct sl_in6 d = in6("2001:db9::1"), nh = in6("1::2");

		CU_ASSERT_EQUAL(sl_svc_route6(s, &d, &nh), -1);
		CU_ASSERT(sl_in6_eq(&nh, &(struct sl_in6){ .b = { 0, 1, [15] = 2 } }));
	}
	CU_ASSERT(routes6_to(s, "2001:db8:5:9::1", 1, "fd00:1::fe"));
	sl_svc_free(s);

	/* a config built with an IPv6 gateway and no routes6: the gateway
	 * is the default route */
	c->ports[1].n_routes6 = 0;
	{
		struct sl_in6 g = in6("fd00:1::fe");

		memcpy(c->ports[1].gateway6, &g, 16);
	}
	s = build(c, n, 1, 4);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL(s->n_routes6, 3);
	CU_ASSERT(routes6_to(s, "2001:db8:5:9::1", 1, "fd00:1::fe"));
	CU_ASSERT(routes6_to(s, "2001:db8::5", 0, "2001:db8::5"));
	sl_svc_free(s);
	sl_neigh_free(n);
	free(c);
}

/*
 * IPv6 backends behind routers: each goes out of the port of its
 * route, to the route's gateway (a neighbour entry for the gateway, to
 * be resolved by neighbour discovery), never to the default gateway.
 */
static void
test_route6_backends_behind_router(void)
{
	struct sl_config *c = cfg_site6();
	struct sl_neigh_table *n = sl_neigh_create(64, (int)rte_socket_id());
	struct sl_config_service *cs;
	const struct sl_service *sv;
	struct sl_snapshot *s;
	struct sl_in6 g;
	int gw_in, gw_ll, gw_out;
	unsigned i;

	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_PTR_NOT_NULL_FATAL(n);
	cs = cfg_svc(c, "web6", 0, 80, IPPROTO_TCP, "rr");
	cs->v6 = 1;
	g = in6("2001:db8::100");
	memcpy(cs->vip6, &g, 16);
	for (i = 0; i < 4; i++) {
		static const char *const be[] = {
			"2001:db8:5::11", "2001:db8:5:1::11", "2001:db9::11", "fd00:1::11",
		};

		cfg_be(cs, 0, 8080, 1);
		cs->backends[i].v6 = 1;
		g = in6(be[i]);
		memcpy(cs->backends[i].addr6, &g, 16);
	}
	s = build(c, n, 1, 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	sv = &s->services[0];
	CU_ASSERT_EQUAL(sv->vip_port, 0);
	g = in6("fd00:1::fe");
	gw_in = sl_neigh_find6(n, 1, &g);
	g = in6("fe80::2");
	gw_ll = sl_neigh_find6(n, 1, &g);
	g = in6("fe80::1");
	gw_out = sl_neigh_find6(n, 0, &g);
	CU_ASSERT(gw_in >= 0);
	CU_ASSERT(gw_ll >= 0);
	CU_ASSERT(gw_out >= 0);
	CU_ASSERT_EQUAL(sv->backends[0].out_port, 1);
	CU_ASSERT_EQUAL(sv->backends[0].neigh, (uint32_t)gw_in);
	CU_ASSERT_EQUAL(sv->backends[1].out_port, 1);
	CU_ASSERT_EQUAL(sv->backends[1].neigh, (uint32_t)gw_ll);
	CU_ASSERT_EQUAL(sv->backends[2].out_port, 0);
	CU_ASSERT_EQUAL(sv->backends[2].neigh, (uint32_t)gw_out);
	/* on the subnet: the backend itself is the next hop */
	g = in6("fd00:1::11");
	CU_ASSERT_EQUAL(sv->backends[3].out_port, 1);
	CU_ASSERT_EQUAL(sv->backends[3].neigh, (uint32_t)sl_neigh_find6(n, 1, &g));
	CU_ASSERT_EQUAL(n->count, 4);
	sl_svc_free(s);
	sl_neigh_free(n);
	free(c);
}

/*
 * A rebuild with the same routes shares the table of the snapshot before
 * (rte_lpm's first level is 64 MB); snapshots built apart each have
 * their own; the table goes with the last snapshot holding it, and
 * nothing stays allocated.
 */
static void
test_route_tables_shared(void)
{
	struct sl_config *c = cfg_site();
	struct sl_neigh_table *n = sl_neigh_create(64, (int)rte_socket_id());
	struct sl_svc_ids *ids = sl_svc_ids_create();
	struct sl_svc_change chg;
	struct sl_snapshot *a, *b, *r1, *r2;
	char err[256];
	unsigned before;

	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_PTR_NOT_NULL_FATAL(n);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ids);
	before = heap_allocs();
	a = build(c, n, 1, 5);
	b = build(c, n, 1, 5);
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	CU_ASSERT(a->lpm != b->lpm);
	sl_svc_free(a);
	CU_ASSERT(routes_to(b, IP(48, 1, 2, 3), 1, IP(10, 1, 0, 252)));
	CU_ASSERT(routes_to(b, IP(8, 8, 8, 8), 0, IP(10, 0, 0, 254)));
	sl_svc_free(b);

	r1 = sl_svc_rebuild(c, hw, n, 1, ids, NULL, 0, &chg, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(r1);
	r2 = sl_svc_rebuild(c, hw, n, 1, ids, r1, 0, &chg, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(r2);
	CU_ASSERT_PTR_EQUAL(r1->lpm, r2->lpm);
	CU_ASSERT_EQUAL(r2->lpm->refs, 2);
	sl_svc_free(r1);
	CU_ASSERT_EQUAL(r2->lpm->refs, 1);
	CU_ASSERT(routes_to(r2, IP(48, 1, 2, 3), 1, IP(10, 1, 0, 252)));
	sl_svc_free(r2);
	CU_ASSERT_EQUAL(heap_allocs(), before);
	sl_svc_ids_free(ids);
	sl_neigh_free(n);
	free(c);
}

/* ---- neighbour references ----------------------------------------- */

/* Ports with a /16 behind port 1: room for many distinct next hops. */
static struct sl_config *
cfg_wide(void)
{
	struct sl_config *c = cfg_new(0);

	if (c != NULL)
		c->ports[1].prefix_len = 16;
	return c;
}

/*
 * A backend whose address changes at every rebuild, 10000 times: far
 * more distinct next hops than the neighbour table holds. Each snapshot
 * is freed once the next one is built (as publishing does), and with it
 * the references on the next hops only it used: every rebuild succeeds,
 * the table never holds more than the two snapshots alive at a time use.
 */
static void
test_neigh_churn(void)
{
	struct sl_config *c = cfg_wide();
	struct sl_neigh_table *n = sl_neigh_create(4096, (int)rte_socket_id());
	struct sl_svc_ids *ids = sl_svc_ids_create();
	struct sl_snapshot *prev, *s;
	struct sl_config_service *sv;
	struct sl_svc_change chg;
	uint32_t k, failed = 0, max_count = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_PTR_NOT_NULL_FATAL(n);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ids);
	sv = cfg_svc(c, "churn", IP(10, 0, 0, 100), 80, IPPROTO_TCP, "rr");
	cfg_be(sv, IP(10, 1, 0, 2), 8080, 1);           /* stays */
	cfg_be(sv, IP(10, 1, 1, 0), 8080, 1);           /* moves */
	prev = rb(c, n, ids, NULL, 1, &chg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(prev);
	for (k = 1; k <= 10000; k++) {
		sv->backends[1].addr = IP(10, 1, 1 + k / 250, k % 250);
		s = rb(c, n, ids, prev, 1 + k, &chg);
		if (s == NULL) {
			failed++;
			break;
		}
		sl_svc_free(prev);
		prev = s;
		max_count = RTE_MAX(max_count, n->count);
	}
	CU_ASSERT_EQUAL(failed, 0);
	/* the fixed next hop, the old moving one and the new one */
	CU_ASSERT(max_count <= 3);
	if (max_count > 3 || failed)
		fprintf(stderr, "\n    table grew to %u entries, rebuild %u failed ",
			max_count, failed ? k : 0);
	/* only what the last snapshot uses is known */
	CU_ASSERT(sl_neigh_find(n, 1, htonl(IP(10, 1, 0, 2))) >= 0);
	CU_ASSERT(sl_neigh_find(n, 1, htonl(sv->backends[1].addr)) >= 0);
	CU_ASSERT_EQUAL(sl_neigh_find(n, 1, htonl(IP(10, 1, 1, 0))), -ENOENT);
	CU_ASSERT_EQUAL(sl_neigh_find(n, 1, htonl(IP(10, 1, 40, 249))), -ENOENT);
	sl_svc_free(prev);
	sl_svc_ids_free(ids);
	sl_neigh_free(n);
	free(c);
}

struct asked {
	unsigned n;
	rte_be32_t ip[16];
};

static void
asked_cb(uint32_t ref, uint16_t port, rte_be32_t ip, void *arg)
{
	struct asked *a = arg;

	RTE_SET_USED(ref);
	RTE_SET_USED(port);
	if (a->n < RTE_DIM(a->ip))
		a->ip[a->n] = ip;
	a->n++;
}

static int
was_asked(const struct asked *a, uint32_t addr)
{
	unsigned i;

	for (i = 0; i < a->n && i < RTE_DIM(a->ip); i++)
		if (a->ip[i] == htonl(addr))
			return 1;
	return 0;
}

/* A removed backend's next hop is ARPed for as long as a snapshot that
 * uses it lives, and never after. */
static void
test_neigh_released(void)
{
	struct sl_config *c1 = cfg_new(1), *c2;
	struct sl_neigh_table *n = sl_neigh_create(64, (int)rte_socket_id());
	struct sl_svc_ids *ids = sl_svc_ids_create();
	struct sl_config_service *sv;
	struct sl_snapshot *s1, *s2;
	struct sl_svc_change chg;
	struct asked a;
	const uint64_t hz = 1000;
	uint64_t now = 10 * hz;

	CU_ASSERT_PTR_NOT_NULL_FATAL(c1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(n);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ids);
	sv = cfg_svc(c1, "web", IP(10, 0, 0, 100), 80, IPPROTO_TCP, "rr");
	cfg_be(sv, IP(10, 1, 0, 21), 8080, 1);
	cfg_be(sv, IP(10, 1, 0, 22), 8080, 1);
	cfg_be(sv, IP(192, 168, 7, 7), 8080, 1);        /* via the gateway */
	s1 = rb(c1, n, ids, NULL, 100, &chg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s1);
	c2 = cfg_dup(c1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c2);
	/* 10.1.0.22 and the one behind the gateway go (drain_timeout 0) */
	c2->services[0].n_backends = 1;
	s2 = rb(c2, n, ids, s1, 100, &chg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s2);
	CU_ASSERT_EQUAL(chg.be_expired, 2);
	CU_ASSERT_EQUAL(s2->services[0].n_backends, 1);

	/* s1 still readable by some worker: all three next hops are asked for */
	memset(&a, 0, sizeof(a));
	sl_neigh_age(n, now, hz, 300, asked_cb, &a);
	CU_ASSERT_EQUAL(a.n, 3);
	CU_ASSERT(was_asked(&a, IP(10, 1, 0, 21)));
	CU_ASSERT(was_asked(&a, IP(10, 1, 0, 22)));
	CU_ASSERT(was_asked(&a, IP(10, 0, 0, 254)));

	/* s1 gone: its own next hops are forgotten */
	sl_svc_free(s1);
	memset(&a, 0, sizeof(a));
	for (now += hz; now < 20 * hz; now += hz / 2)
		sl_neigh_age(n, now, hz, 300, asked_cb, &a);
	CU_ASSERT(was_asked(&a, IP(10, 1, 0, 21)));
	CU_ASSERT(!was_asked(&a, IP(10, 1, 0, 22)));
	CU_ASSERT(!was_asked(&a, IP(10, 0, 0, 254)));
	CU_ASSERT_EQUAL(sl_neigh_find(n, 1, htonl(IP(10, 1, 0, 22))), -ENOENT);
	CU_ASSERT_EQUAL(sl_neigh_find(n, 0, htonl(IP(10, 0, 0, 254))), -ENOENT);
	/* the next hop s2 uses is the same entry as before */
	CU_ASSERT_EQUAL((int)s2->services[0].backends[0].neigh,
			sl_neigh_find(n, 1, htonl(IP(10, 1, 0, 21))));
	sl_svc_free(s2);
	CU_ASSERT_EQUAL(sl_neigh_find(n, 1, htonl(IP(10, 1, 0, 21))), -ENOENT);
	memset(&a, 0, sizeof(a));
	sl_neigh_age(n, now + 10 * hz, hz, 300, asked_cb, &a);
	CU_ASSERT_EQUAL(a.n, 0);
	sl_svc_ids_free(ids);
	sl_neigh_free(n);
	free(c1);
	free(c2);
}

/* ---- scheduler state across rebuilds ------------------------------ */

/*
 * @p picks picks on worker @p w of service @p name, the snapshot rebuilt
 * from @p c (and the old one freed) after every @p every picks; the
 * count per backend index in @p cnt.
 */
static struct sl_snapshot *
picks_with_rebuilds(const struct sl_config *c, struct sl_neigh_table *n,
		    struct sl_svc_ids *ids, struct sl_snapshot *s, const char *name,
		    unsigned w, unsigned picks, unsigned every, unsigned *cnt,
		    int *seq)
{
	struct sl_svc_change chg;
	unsigned i;

	for (i = 0; i < picks && s != NULL; i++) {
		const struct sl_service *sv = find_svc(s, name);
		int b = sv != NULL ? pick(s, w, sv) : -1;

		if (b >= 0)
			cnt[b]++;
		if (seq != NULL)
			seq[i] = b;
		if ((i + 1) % every == 0) {
			struct sl_snapshot *next = rb(c, n, ids, s, 100, &chg);

			sl_svc_free(s);
			s = next;
		}
	}
	return s;
}

/* rr and wrr pick on from where they were when the snapshot is rebuilt
 * with the same backends, however often that happens. */
static void
test_sched_state_kept(void)
{
	struct sl_config *c = cfg_ref();
	struct sl_neigh_table *n = sl_neigh_create(64, (int)rte_socket_id());
	struct sl_svc_ids *ids = sl_svc_ids_create();
	struct sl_snapshot *s;
	struct sl_svc_change chg;
	unsigned cnt[4], i;
	int seq[12];

	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_PTR_NOT_NULL_FATAL(n);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ids);
	s = rb(c, n, ids, NULL, 100, &chg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);

	/* rr over 3, rebuilt after 3 picks: 0 1 2 | 0 1 2; after every
	 * pick: still 0 1 2 0 1 2 */
	memset(cnt, 0, sizeof(cnt));
	s = picks_with_rebuilds(c, n, ids, s, "web", 0, 6, 3, cnt, seq);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	for (i = 0; i < 6; i++)
		CU_ASSERT_EQUAL(seq[i], (int)(i % 3));
	s = picks_with_rebuilds(c, n, ids, s, "web", 0, 12, 1, cnt, seq);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	for (i = 0; i < 12; i++)
		CU_ASSERT_EQUAL(seq[i], (int)(i % 3));
	/* worker 1 has its own position, started at 1 */
	s = picks_with_rebuilds(c, n, ids, s, "web", 1, 6, 1, cnt, seq);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	for (i = 0; i < 6; i++)
		CU_ASSERT_EQUAL(seq[i], (int)((i + 1) % 3));

	/* 300 picks, a rebuild after each: an even spread */
	memset(cnt, 0, sizeof(cnt));
	s = picks_with_rebuilds(c, n, ids, s, "web", 0, 300, 1, cnt, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	for (i = 0; i < 3; i++)
		CU_ASSERT(cnt[i] >= 99 && cnt[i] <= 101);
	fprintf(stderr, "\n    rr, rebuilt after every pick: %u/%u/%u ", cnt[0], cnt[1], cnt[2]);

	/* smooth wrr 3:1 (a a b a) the same */
	memset(cnt, 0, sizeof(cnt));
	s = picks_with_rebuilds(c, n, ids, s, "dns", 0, 8, 1, cnt, seq);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	for (i = 0; i < 8; i++) {
		static const int want[4] = { 0, 0, 1, 0 };

		CU_ASSERT_EQUAL(seq[i], want[i % 4]);
	}
	memset(cnt, 0, sizeof(cnt));
	s = picks_with_rebuilds(c, n, ids, s, "dns", 1, 400, 1, cnt, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT(cnt[0] >= 299 && cnt[0] <= 301);
	CU_ASSERT(cnt[1] >= 99 && cnt[1] <= 101);
	fprintf(stderr, "\n    wrr 3:1, rebuilt after every pick: %u/%u ", cnt[0], cnt[1]);
	sl_svc_free(s);
	sl_svc_ids_free(ids);
	sl_neigh_free(n);
	free(c);
}

/* A health flip changes the backend set: rr goes on with the backend
 * that was next, not from the start. */
static void
test_sched_state_health_flip(void)
{
	struct sl_config *c = cfg_ref();
	struct sl_neigh_table *n = sl_neigh_create(64, (int)rte_socket_id());
	struct sl_svc_ids *ids = sl_svc_ids_create();
	struct sl_snapshot *s, *s2;
	const struct sl_service *w;
	struct sl_svc_change chg;
	uint16_t slot0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_PTR_NOT_NULL_FATAL(n);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ids);
	s = rb(c, n, ids, NULL, 100, &chg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	w = find_svc(s, "web");
	CU_ASSERT_PTR_NOT_NULL_FATAL(w);
	CU_ASSERT_EQUAL(pick(s, 0, w), 0);
	CU_ASSERT_EQUAL(pick(s, 0, w), 1);
	/* backend 0 fails: next is still backend 2 */
	slot0 = w->backends[0].slot;
	sl_svc_ids_set_down(ids, slot0, 1);
	s2 = rb(c, n, ids, s, 100, &chg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s2);
	sl_svc_free(s);
	s = s2;
	w = find_svc(s, "web");
	CU_ASSERT_PTR_NOT_NULL_FATAL(w);
	CU_ASSERT_EQUAL(w->ss.weight[0], 0);
	CU_ASSERT_EQUAL(pick(s, 0, w), 2);
	CU_ASSERT_EQUAL(pick(s, 0, w), 1);
	/* back: the turn after 1 is 2 */
	sl_svc_ids_set_down(ids, slot0, 0);
	s2 = rb(c, n, ids, s, 100, &chg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s2);
	sl_svc_free(s);
	s = s2;
	w = find_svc(s, "web");
	CU_ASSERT_PTR_NOT_NULL_FATAL(w);
	CU_ASSERT_EQUAL(pick(s, 0, w), 2);
	CU_ASSERT_EQUAL(pick(s, 0, w), 0);
	sl_svc_free(s);
	sl_svc_ids_free(ids);
	sl_neigh_free(n);
	free(c);
}

/*
 * A local address removed by a reload drains: no new connection takes
 * it (gone from its port's list) but replies to it still find their
 * connections (still in the set, ARP answered) for the longest
 * drain_timeout, then it goes; given back before that, it is simply
 * in use again.
 */
static void
test_local_address_retired(void)
{
	struct sl_config *c = cfg_live();
	struct sl_neigh_table *n = sl_neigh_create(64, (int)rte_socket_id());
	struct sl_svc_ids *ids = sl_svc_ids_create();
	struct sl_svc_change chg;
	struct sl_snapshot *s1, *s2, *s3, *s4;
	rte_be32_t a5 = rte_cpu_to_be_32(IP(10, 1, 0, 5));
	rte_be32_t a6 = rte_cpu_to_be_32(IP(10, 1, 0, 6));

	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_PTR_NOT_NULL_FATAL(n);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ids);
	c->ports[1].n_local = 2;
	c->ports[1].local_addrs[0] = IP(10, 1, 0, 5);
	c->ports[1].local_addrs[1] = IP(10, 1, 0, 6);
	s1 = rb(c, n, ids, NULL, 10, &chg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s1);
	CU_ASSERT_EQUAL(s1->ports[1].n_local, 2);
	CU_ASSERT(sl_svc_is_local(s1, a5) && sl_svc_is_local(s1, a6));
	CU_ASSERT_EQUAL(s1->n_retired, 0);

	/* 10.1.0.6 removed at second 20: retired until 20 + 100 */
	c->ports[1].n_local = 1;
	s2 = rb(c, n, ids, s1, 20, &chg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s2);
	CU_ASSERT_EQUAL(s2->ports[1].n_local, 1);
	CU_ASSERT_EQUAL(s2->ports[1].local[0], a5);
	CU_ASSERT(sl_svc_is_local(s2, a6));
	CU_ASSERT_EQUAL_FATAL(s2->n_retired, 1);
	CU_ASSERT_EQUAL(s2->retired[0].addr, a6);
	CU_ASSERT_EQUAL(s2->retired[0].port, 1);
	CU_ASSERT_EQUAL(s2->retired[0].until, 120);
	CU_ASSERT_FALSE(sl_svc_drain_due(s2, 119));
	CU_ASSERT_TRUE(sl_svc_drain_due(s2, 120));

	/* a rebuild before then (a health flip) keeps it retired */
	s3 = rb(c, n, ids, s2, 60, &chg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s3);
	CU_ASSERT(sl_svc_is_local(s3, a6));
	CU_ASSERT_EQUAL(s3->n_retired, 1);
	/* its time is up: gone */
	s4 = rb(c, n, ids, s3, 120, &chg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s4);
	CU_ASSERT_FALSE(sl_svc_is_local(s4, a6));
	CU_ASSERT(sl_svc_is_local(s4, a5));
	CU_ASSERT_EQUAL(s4->n_retired, 0);
	SNAPS_FREE(s1, s3);

	/* given back while retired: in use again, not retired */
	c->ports[1].n_local = 1;
	s1 = rb(c, n, ids, s4, 130, &chg);
	c->ports[1].n_local = 0;
	s3 = rb(c, n, ids, s1, 140, &chg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s3);
	CU_ASSERT_EQUAL(s3->n_retired, 1);
	c->ports[1].n_local = 1;
	SNAPS_FREE(s2, s4);
	s2 = rb(c, n, ids, s3, 150, &chg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s2);
	CU_ASSERT_EQUAL(s2->n_retired, 0);
	CU_ASSERT_EQUAL(s2->ports[1].n_local, 1);
	CU_ASSERT(sl_svc_is_local(s2, a5));
	SNAPS_FREE(s1, s3, s2);
	sl_svc_ids_free(ids);
	sl_neigh_free(n);
	free(c);
}

static const struct sl_test_case svc_tests[] = {
	{ "local addresses: a removed one drains, then goes", test_local_address_retired },
	{ "ports, own addresses", test_ports },
	{ "lookup every (vip, port, proto)", test_lookup_grid },
	{ "0.0.0.0 is not a VIP", test_zero_not_vip },
	{ "routes", test_route },
	{ "backends: ports, next hops, slots", test_backends },
	{ "per-worker scheduler state", test_worker_sched_state },
	{ "build errors", test_build_errors },
	{ "many services", test_many_services },
	{ "publish without rcu", test_publish_no_rcu },
	{ "publish with rcu, reader offline", test_publish_rcu_offline },
	{ "publish waits for a reader", test_publish_rcu_reader },
	{ "rebuild: ids, slots, generations kept", test_rebuild_identity },
	{ "rebuild: removed backend drains, flushes, goes", test_rebuild_remove_backend },
	{ "rebuild: freed slot reused late, new generation", test_rebuild_slot_reuse },
	{ "rebuild: state=drain and back", test_rebuild_state_drain },
	{ "rebuild: removed service drains, id reused", test_rebuild_remove_service },
	{ "rebuild: removed service counted once", test_rebuild_svc_removed_once },
	{ "rebuild: service back while draining", test_rebuild_service_back },
	{ "rebuild: renamed service owns its VIP:port", test_rebuild_renamed_service_lookup },
	{ "rebuild: failures leave ids usable", test_rebuild_failure },
	{ "rebuild: drain_timeout=0 at second 0", test_rebuild_drain_at_zero },
	{ "rebuild: drain_due signals the drop", test_rebuild_drain_due_drop },
	{ "neighbours: 10000 rebuilds, next hops released", test_neigh_churn },
	{ "neighbours: a removed next hop is no longer asked for", test_neigh_released },
	{ "rebuild: rr/wrr go on where they were", test_sched_state_kept },
	{ "rebuild: rr goes on across a health flip", test_sched_state_health_flip },
	{ "routes: longest prefix, connected before default, unreachable", test_route_lpm },
	{ "routes: backends behind a router on the inside", test_route_backends_behind_router },
	{ "routes: a rebuild with the same routes shares the table", test_route_tables_shared },
	{ "IPv6 routes: longest prefix, subnet first, gateway fallback", test_route6_lpm },
	{ "IPv6 routes: backends behind a router on the inside", test_route6_backends_behind_router },
};

SL_TEST_MAIN("svc",
	SL_TEST_SUITE("svc", NULL, NULL, svc_tests));
