/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SL_TESTPKT_H
#define SL_TESTPKT_H

/*
 * Independent reference packet builder for the unit tests. It writes
 * Ethernet (optionally 802.1Q tagged) IPv4 frames carrying TCP, UDP or
 * ICMP byte by byte with big-endian stores, and computes their checksums
 * with a plain RFC 1071 implementation that reads 16-bit words in network
 * order. It uses no DPDK header structs and shares no code with lib/, so
 * the library's parsing, native-order checksum arithmetic and rewrites
 * are checked against something written separately.
 */

#include <stddef.h>
#include <stdint.h>

/* Large enough for any frame tp_build_frame() and tp6_build_frame()
 * write in the tests: the largest has an IPv6 extension header of the
 * largest size (2048 bytes) before its headers and payload. */
#define TP_MAX_FRAME 4096

/* ---------- reference checksum (network-order words) ---------- */

/* Add the bytes of p[0..n) to sum as big-endian 16-bit words (an odd
 * last byte is the high half of a word); no folding. */
uint32_t tp_ref_sum(const uint8_t *p, size_t n, uint32_t sum);

/* Fold a 32-bit sum to 16 bits with end-around carry. */
uint16_t tp_ref_fold(uint32_t sum);

/* Internet checksum of p[0..n), host order. */
uint16_t tp_ref_csum(const uint8_t *p, size_t n);

/* Big-endian stores and loads. */
void tp_put16(uint8_t *p, uint16_t v);
void tp_put32(uint8_t *p, uint32_t v);
uint16_t tp_get16(const uint8_t *p);
uint32_t tp_get32(const uint8_t *p);

/* Random input from sl_test_rand(): a number in [0, n) (0 when n is 0),
 * and n random bytes. */
uint32_t tp_rnd(uint32_t n);
void tp_rnd_fill(uint8_t *p, size_t n);

/* ---------- frame builder ---------- */

struct tp_fspec {
	uint8_t dmac[6];
	uint8_t smac[6];
	int vlan;               /* add one 802.1Q tag */
	uint16_t tci;
	uint16_t etype;         /* (inner) EtherType */
	uint8_t ip_opt_len;     /* multiple of 4, <= 40 */
	uint8_t ip_opt[40];
	uint8_t tos, ttl, proto;
	uint16_t ip_id, frag;   /* frag: flags + offset word */
	uint32_t src, dst;      /* host order */
	uint16_t sport, dport;  /* ICMP: identifier, sequence */
	uint8_t tcp_flags;
	uint8_t tcp_opt_len;    /* multiple of 4, <= 40 */
	uint8_t tcp_opt[40];
	uint32_t seq, ack;
	uint16_t win;
	uint8_t icmp_type, icmp_code;
	int udp_no_csum;        /* send UDP checksum 0 */
	uint16_t payload_len;
	uint8_t payload[1500];
	uint16_t pad_len;       /* Ethernet padding after the IP packet */
	uint8_t pad[64];
};

/* Layout of a built frame. */
struct tp_flayout {
	uint32_t len;    /* whole frame */
	uint32_t l2;     /* IP header offset */
	uint32_t ihl;
	uint32_t l4;     /* L4 header offset */
	uint32_t l4_hlen;
	uint32_t ip_len; /* IPv4 total length */
};

/* L4 header length the builder writes for s (0 for other protocols). */
uint32_t tp_l4_hdr_len(const struct tp_fspec *s);

/* Pseudo-header + segment sum of the L4 part of a built IPv4 frame whose
 * IP header starts at f + l2 (lengths taken from that header). */
uint32_t tp_ref_l4_sum(const uint8_t *f, uint32_t l2);

/* Recompute the IPv4 header checksum of a frame after editing it. */
void tp_fix_ip_csum(uint8_t *f, uint32_t l2);

/* Write the frame described by s to f (at least TP_MAX_FRAME bytes),
 * all checksums correct (UDP 0 only with udp_no_csum; a UDP sum of -0 is
 * sent as 0xffff). Fills lo unless NULL; returns the frame length. */
uint32_t tp_build_frame(const struct tp_fspec *s, uint8_t *f,
			struct tp_flayout *lo);

/* A valid frame of protocol proto: 10.0.0.1:40000 -> 192.168.1.100:80,
 * TTL 64, DF, 37 bytes of patterned payload (buffer fully patterned). */
void tp_spec_default(struct tp_fspec *s, uint8_t proto);

/* Options: NOP padding around a record-route-like blob; content is not
 * interpreted by the parser. */
void tp_spec_ip_opts(struct tp_fspec *s, uint8_t len);

/* Set the first payload word of s so that its L4 checksum computes to
 * zero (the one's complement sum is -0). */
void tp_force_zero_csum(struct tp_fspec *s);

/* Make s an ICMP error frame (tp_spec_default() otherwise): ICMP type and
 * code, the 32-bit word after the checksum set to rest (for
 * "fragmentation needed": the next-hop MTU in its low 16 bits), and as
 * payload the first qlen bytes of the IPv4 packet built from inner (all
 * of it when qlen is 0 or larger). Returns the quote's length. */
uint32_t tp_spec_icmp_err(struct tp_fspec *s, uint8_t type, uint8_t code,
			  uint32_t rest, const struct tp_fspec *inner,
			  uint32_t qlen);

/* ---------- IPv6 frames ---------- */

#define TP6_EXT_MAX 12
#define TP_IPPROTO_ICMPV6 58

/* An IPv6 extension header: the builder writes next header and length
 * (len / 8 - 1); bytes 2.. of the header are data[], repeated. */
struct tp6_ext {
	uint8_t type;           /* 0, 43, 44, 60 or anything to test */
	uint16_t len;           /* bytes, a multiple of 8, at least 8 */
	uint8_t data[14];
};

struct tp6_fspec {
	uint8_t dmac[6];
	uint8_t smac[6];
	int vlan;               /* add one 802.1Q tag */
	uint16_t tci;
	uint8_t tclass;
	uint32_t flow;          /* 20 bits */
	uint8_t hlim;
	uint8_t src[16], dst[16];
	unsigned n_ext;
	struct tp6_ext ext[TP6_EXT_MAX];
	uint8_t proto;          /* upper layer after the extension headers */
	uint16_t sport, dport;  /* ICMPv6: identifier, sequence */
	uint8_t tcp_flags;
	uint8_t tcp_opt_len;    /* multiple of 4, <= 40 */
	uint8_t tcp_opt[40];
	uint32_t seq, ack;
	uint16_t win;
	uint8_t icmp_type, icmp_code;
	int udp_zero_csum;      /* send UDP checksum 0 (invalid over IPv6) */
	uint16_t payload_len;
	uint8_t payload[1500];
	uint16_t pad_len;       /* Ethernet padding after the IPv6 packet */
	uint8_t pad[64];
};

/* L4 header length the builder writes for s (TCP/UDP/ICMPv6: 20+, 8, 8;
 * 0 for other protocols). */
uint32_t tp6_l4_hdr_len(const struct tp6_fspec *s);

/* Offset of the checksum in the L4 header of proto (TCP 16, UDP 6,
 * ICMPv6 2). */
uint32_t tp6_csum_off(uint8_t proto);

/* Pseudo-header + upper-layer sum of a built IPv6 frame: addresses from
 * the header at f + lo->l2, upper layer at f + lo->l4 up to 40 + payload
 * length, protocol proto; no folding. */
uint32_t tp6_ref_l4_sum(const uint8_t *f, const struct tp_flayout *lo,
			uint8_t proto);

/* Recompute the L4 checksum of a built IPv6 frame after editing it. */
void tp6_fix_l4_csum(uint8_t *f, const struct tp_flayout *lo, uint8_t proto);

/* Write the IPv6 frame described by s to f (at least TP_MAX_FRAME bytes),
 * the L4 checksum correct (UDP: -0 as 0xffff, 0 with udp_zero_csum).
 * lo->ihl is 40 plus the extension headers, lo->ip_len 40 plus the
 * payload length. Returns the frame length. */
uint32_t tp6_build_frame(const struct tp6_fspec *s, uint8_t *f,
			 struct tp_flayout *lo);

/* A valid frame of protocol proto: [2001:db8::1]:40000 ->
 * [2001:db8:1::100]:80, hop limit 64, no extension header, 37 bytes of
 * patterned payload; ICMPv6: echo request. */
void tp6_spec_default(struct tp6_fspec *s, uint8_t proto);

/* Append an extension header of type and len bytes (data patterned). */
void tp6_add_ext(struct tp6_fspec *s, uint8_t type, uint16_t len);

#endif
