/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SL_GEN_H
#define SL_GEN_H

/*
 * sluice-gen: a DPDK traffic generator that plays both the clients and
 * the backends around a device under test (Sluice, or dpdk-testpmd as
 * the ceiling). Port C faces the DUT's client side, port S its backend
 * side. Clients send to the VIP; whatever the DUT delivers on S is
 * answered the way a server would (addresses and ports swapped, TCP
 * flags turned into the reply a server sends) and must come back on C
 * from the VIP. Every packet carries its send time (48 bits of TSC) so
 * round-trip latency is measured per packet.
 *
 * With a DUT in a one-direction mode (dr, tunnel) the backends answer
 * nothing: the backend side checks, counts and times what it receives
 * (after taking off a tunnel's outer headers), and latency is one way,
 * client to backend.
 *
 * With --ipv6 the clients speak IPv6 to an IPv6 VIP (NAT66 through the
 * DUT); client addresses are a /96 prefix and the 32 bits below it, so
 * the IPv4 arithmetic of slots and ports applies to those 32 bits.
 * Neighbour solicitations for the client and backend addresses are
 * answered as ARP requests are for IPv4.
 *
 * Thread-safety: one lcore does everything; nothing is shared.
 */

#include <stdint.h>
#include <rte_ether.h>
#include <rte_mbuf.h>

#include "sl_pkt.h"

enum gen_profile {
	GEN_UDP,   /* N established UDP flows, round robin, both directions */
	GEN_TCP,   /* N concurrent TCP connections: SYN, data, FIN, again */
	GEN_SYN,   /* SYN storm, each SYN a new connection, answered by RST */
};

/* How the DUT forwards, as far as the backend side can tell. */
enum gen_mode {
	GEN_MODE_NAT,     /* addresses rewritten, replies through the DUT (nat, fullnat) */
	GEN_MODE_DR,      /* the client's packet unchanged, only MACs rewritten */
	GEN_MODE_TUNNEL,  /* the client's packet unchanged inside an outer header */
};

enum gen_encap { GEN_ENCAP_IPIP, GEN_ENCAP_GUE, GEN_ENCAP_GRE };

struct gen_opts {
	enum gen_profile profile;
	uint32_t flows;
	uint32_t size;          /* frame size with CRC, 64..1518 */
	uint64_t rate;          /* offered client packets/s, 0 = as fast as possible */
	double duration;        /* measured seconds */
	double warmup;          /* seconds (udp: flows created before this) */
	uint32_t data_pkts;     /* tcp: data packets per connection */
	rte_be32_t vip;
	rte_be16_t vport;
	rte_be32_t client_base; /* first client address (--ipv6: its last 32 bits) */
	int ipv6;               /* IPv6 clients, VIP and backends */
	struct sl_in6 vip6;
	struct sl_in6 client6;  /* first client address; its /96 is the clients' */
	struct sl_in6 backend6_net;
	unsigned backend6_len;
	rte_be32_t backend_net, backend_mask;
	rte_be16_t backend_port; /* 0 = any; with --verify: expected */
	uint16_t cport, sport;  /* DPDK port ids */
	enum gen_mode mode;
	enum gen_encap encap;   /* mode tunnel: the encapsulation expected */
	rte_be16_t gue_port;    /* encap gue: the outer UDP destination port */
	int verify;             /* check checksums and NAT on every packet */
	int json;
	int hold;               /* keep the links up after the report */
	int have_dut_mac;
	struct rte_ether_addr dut_mac;
};

struct gen_stats {
	uint64_t c_tx, c_tx_full, c_rx, c_rx_bytes;
	uint64_t s_rx, s_rx_bytes, s_tx, s_tx_full;
	uint64_t handshakes, conns_done, rst;
	uint64_t bad_csum, bad_nat, unknown;
	uint64_t lat_hist[1024];
	uint64_t lat_n, lat_max;
};

/* Packet building and answering (gen_flow.c). */
struct gen_tmpl;
struct gen_tmpl *gen_tmpl_create(const struct gen_opts *o,
				 const struct rte_ether_addr *src_mac,
				 const struct rte_ether_addr *dst_mac);
uint32_t gen_tmpl_len(const struct gen_tmpl *t);
/* Write a client packet of flow slot @p slot, generation @p g. */
void gen_client_pkt(const struct gen_tmpl *t, uint8_t *f, uint32_t slot,
		    uint32_t g, uint8_t tcp_flags, uint32_t seq, uint64_t tsc);
/* Slot and generation of a client address/port (inverse of the above);
 * -1 when it is not one of ours. */
int gen_slot_of(const struct gen_opts *o, rte_be32_t ip, rte_be16_t port,
		uint32_t *slot, uint32_t *g);
/* The same for an IPv6 client address (--ipv6). */
int gen_slot_of6(const struct gen_opts *o, const struct sl_in6 *ip, rte_be16_t port,
		 uint32_t *slot, uint32_t *g);
/* Whether @p a is in @p net/@p len. */
int gen_in6_prefix(const struct sl_in6 *a, const struct sl_in6 *net, unsigned len);
void gen_tmpl_free(struct gen_tmpl *t);

void gen_lat_add(struct gen_stats *s, uint64_t ns);
uint64_t gen_lat_pct(const struct gen_stats *s, double pct);

/* smallest frames, with CRC, that leave room for the 6-byte send time */
#define GEN_MIN_SIZE      64
#define GEN_MIN_SIZE6_UDP 78
#define GEN_MIN_SIZE6_TCP 84

#define GEN_PORTS_PER_SLOT_GEN 64   /* generations before a port repeats */
#define GEN_SLOTS_PER_IP       1000

#endif
