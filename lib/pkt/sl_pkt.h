/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SL_PKT_H
#define SL_PKT_H

/**
 * @file
 * Packet parsing and checksum arithmetic for the fast path.
 *
 * sl_pkt_parse() validates one frame (Ethernet, at most one 802.1Q tag,
 * IPv4, TCP/UDP/ICMP headers) and records offsets and the 5-tuple; it
 * never reads payload. Malformed frames return the drop reason to count.
 * sl_pkt_icmp_quote() reads the packet an ICMP error quotes, within the
 * frame, for relaying the error to the other end of a connection.
 * The checksum helpers update a checksum for a changed 16- or 32-bit
 * field (RFC 1624, eqn. 3) instead of recomputing it.
 *
 * Thread-safety: all functions are pure; any thread may call them.
 */

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <netinet/in.h>
#include <rte_common.h>
#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_tcp.h>
#include <rte_udp.h>
#include <rte_icmp.h>

#include "sl_stats.h"

/** What a frame carries, when it parsed. */
enum sl_pkt_kind {
	SL_PKT_IPV4 = 0,  /**< IPv4 with TCP, UDP or ICMP header checked */
	SL_PKT_ARP,       /**< ARP: for the management lcore */
	SL_PKT_IPV6,      /**< IPv6: only l2_len is set; sl_pkt_parse6() next */
};

/** An IPv6 address, network order. */
struct sl_in6 {
	uint8_t b[16];
};

/** Whether two IPv6 addresses are equal. */
static __rte_always_inline int
sl_in6_eq(const struct sl_in6 *a, const struct sl_in6 *b)
{
	return memcmp(a, b, sizeof(*a)) == 0;
}

/** Whether an IPv6 address is all zero (::, "none"). */
static __rte_always_inline int
sl_in6_zero(const struct sl_in6 *a)
{
	static const struct sl_in6 z;

	return memcmp(a, &z, sizeof(*a)) == 0;
}

/** The four 32-bit words of an address folded to one, for hashing
 *  (a connection's owner, the scheduler's hash). */
static __rte_always_inline uint32_t
sl_in6_fold(const struct sl_in6 *a)
{
	uint32_t w[4];

	memcpy(w, a, sizeof(w));
	return w[0] ^ w[1] ^ w[2] ^ w[3];
}

#define SL_IPPROTO_ICMPV6 58

/** IPv6 parse result: offsets from the start of the frame. */
struct sl_pkt6_info {
	uint8_t proto;       /**< upper layer after the extension headers:
			      *   TCP, UDP or ICMPv6 (58) */
	uint8_t tcp_flags;   /**< TCP flags byte, 0 otherwise */
	uint8_t l2_len;      /**< 14, or 18 with a VLAN tag */
	uint8_t l4_len;      /**< TCP/UDP/ICMPv6 header length (ICMPv6: 8) */
	uint16_t l3_len;     /**< 40 + extension headers */
	uint16_t plen;       /**< payload length field, host order: the
			      *   packet is 40 + plen bytes */
	struct sl_in6 src;
	struct sl_in6 dst;
	rte_be16_t sport;    /**< TCP/UDP source port; ICMPv6 echo: identifier */
	rte_be16_t dport;    /**< TCP/UDP destination port; ICMPv6: type<<8|code */
};

/**
 * A flow table's lookup key: a packet's 5-tuple as it arrives, network
 * byte order. The tables read its fields, never its padding.
 */
struct sl_flow_key {
	rte_be32_t src;
	rte_be32_t dst;
	rte_be16_t sport;
	rte_be16_t dport;
	uint8_t proto;
	uint8_t pad[3];   /**< zero in a key made alone; never read */
};

/**
 * Parse result: offsets from the start of the frame, fields in network
 * order. The 5-tuple is laid out as a struct sl_flow_key (@c key), so
 * that the fast path looks a parsed packet up without copying it; the
 * key's padding holds kind, tcp_flags and l2_len.
 */
struct sl_pkt_info {
	union {
		struct sl_flow_key key;
		struct {
			rte_be32_t src;    /**< IPv4 source */
			rte_be32_t dst;    /**< IPv4 destination */
			rte_be16_t sport;  /**< TCP/UDP source port; ICMP: echo identifier */
			rte_be16_t dport;  /**< TCP/UDP destination port; ICMP: type<<8|code */
			uint8_t proto;     /**< IPPROTO_TCP, IPPROTO_UDP, IPPROTO_ICMP */
			uint8_t kind;      /**< enum sl_pkt_kind */
			uint8_t tcp_flags; /**< TCP flags byte, 0 otherwise */
			uint8_t l2_len;    /**< 14, or 18 with a VLAN tag */
		};
	};
	uint8_t l3_len;    /**< IPv4 header length incl. options */
	uint8_t l4_len;    /**< TCP/UDP/ICMP header length */
	uint16_t ip_len;   /**< IPv4 total length, host order */
};

_Static_assert(offsetof(struct sl_pkt_info, src) == offsetof(struct sl_flow_key, src) &&
	       offsetof(struct sl_pkt_info, dst) == offsetof(struct sl_flow_key, dst) &&
	       offsetof(struct sl_pkt_info, sport) == offsetof(struct sl_flow_key, sport) &&
	       offsetof(struct sl_pkt_info, dport) == offsetof(struct sl_flow_key, dport) &&
	       offsetof(struct sl_pkt_info, proto) == offsetof(struct sl_flow_key, proto) &&
	       offsetof(struct sl_pkt_info, kind) >= offsetof(struct sl_flow_key, pad),
	       "a parsed packet's 5-tuple is its flow key");

/** Flags for sl_pkt_parse(). */
#define SL_PKT_F_IP_CSUM_GOOD 0x1 /**< NIC verified the IPv4 header checksum */
#define SL_PKT_F_IP_CSUM_BAD  0x2 /**< NIC found it bad */
#define SL_PKT_F_L4_CSUM_BAD  0x4 /**< NIC found the L4 checksum bad */

/**
 * Parse and validate a frame.
 *
 * @param data  first byte of the Ethernet header (contiguous, any
 *              alignment)
 * @param len   bytes available at @p data
 * @param flags SL_PKT_F_* from the NIC's RX offload results
 * @param pi    filled in on success
 * @return 0 on success, else the enum sl_drop reason (> 0).
 */
int sl_pkt_parse(const uint8_t *data, uint32_t len, unsigned flags,
		 struct sl_pkt_info *pi);

/**
 * Parse the IPv6 packet of a frame sl_pkt_parse() called SL_PKT_IPV6
 * (@p pi->l2_len set by the caller from that parse): version 6, payload
 * length not 0 (jumbograms are refused) and 40 + payload length within
 * the frame (Ethernet padding allowed); the extension header chain
 * (hop-by-hop first only, destination options, routing with no segments
 * left; at most 8 headers, each within the packet) up to TCP, UDP or
 * ICMPv6, whose header must be whole (TCP data offset; UDP length equal
 * to the rest of the packet, checksum not 0). An ICMPv6 checksum over
 * the pseudo-header is verified in software; TCP and UDP checksums are
 * left to the end hosts, as over IPv4 (the rewrites keep them
 * consistent), and only a NIC's verdict (SL_PKT_F_L4_CSUM_BAD) drops
 * such a packet. A fragment header
 * anywhere in the chain is refused (SL_DROP_FRAGMENT): a fragment is
 * never half parsed. Nothing is read beyond 40 + payload length or
 * @p len.
 *
 * @param data  first byte of the Ethernet header (contiguous, any
 *              alignment)
 * @param len   bytes available at @p data
 * @param flags SL_PKT_F_* from the NIC's RX offload results
 * @param pi    l2_len set by the caller; the rest filled in on success
 * @return 0, or an enum sl_drop reason: BAD_IP6 (truncated header,
 *   version, payload length), BAD_EXT_HDR, FRAGMENT, UNSUP_L4 (any other
 *   next header, No Next Header included), BAD_L4_LEN, BAD_L4_CSUM.
 */
int sl_pkt_parse6(const uint8_t *data, uint32_t len, unsigned flags,
		  struct sl_pkt6_info *pi);

/**
 * TCP/UDP/ICMPv6 checksum computed from scratch over the IPv6
 * pseudo-header (@p src, @p dst, @p l4_len, @p proto) and @p l4_len bytes
 * at @p l4, the 2-byte field at the even offset @p csum_off read as 0
 * (TCP 16, UDP 6, ICMPv6 2). A UDP result of 0 is returned as 0xffff.
 * In the byte order of the packet, ready to store.
 */
uint16_t sl_l4_csum6(const struct sl_in6 *src, const struct sl_in6 *dst,
		     uint8_t proto, const void *l4, uint32_t l4_len,
		     unsigned csum_off);

/* ICMPv6 error types Sluice relays (RFC 4443) */
#define SL_ICMP6_DEST_UNREACH 1
#define SL_ICMP6_PKT_TOO_BIG  2   /**< path MTU discovery's message */
#define SL_ICMP6_TIME_EXCEEDED 3
#define SL_ICMP6_PARAM_PROBLEM 4

/** The packet an ICMPv6 error quotes (sl_pkt_icmp6_quote()). Offsets from
 *  the start of the frame, fields in network order. */
struct sl_pkt6_quote {
	uint8_t type;        /**< ICMPv6 type: 1..4 */
	uint8_t proto;       /**< quoted upper layer: TCP or UDP */
	uint16_t ip_off;     /**< offset of the quoted IPv6 header */
	uint16_t l4_off;     /**< offset of its TCP/UDP header */
	uint16_t l4_len;     /**< quoted L4 bytes present (>= 8) */
	struct sl_in6 src;   /**< quoted source */
	struct sl_in6 dst;   /**< quoted destination */
	rte_be16_t sport;
	rte_be16_t dport;
};

/**
 * Read the packet an ICMPv6 error (types 1 to 4) quotes: an IPv6 header,
 * extension headers walked as sl_pkt_parse6() walks them (a fragment
 * header refuses the quote), and at least the first 8 bytes of a TCP or
 * UDP header. The ICMPv6 checksum was verified by sl_pkt_parse6().
 * @return 0, or SL_DROP_ICMP_QUOTE.
 */
int sl_pkt_icmp6_quote(const uint8_t *data, uint32_t len,
		       const struct sl_pkt6_info *pi, struct sl_pkt6_quote *q);

/* ICMP error types Sluice relays (RFC 792) */
#define SL_ICMP_DEST_UNREACH  3   /**< code 4: fragmentation needed */
#define SL_ICMP_TIME_EXCEEDED 11
#define SL_ICMP_PARAM_PROBLEM 12

/** The packet an ICMP error quotes (sl_pkt_icmp_quote()). Offsets from
 *  the start of the frame, fields in network order. */
struct sl_pkt_quote {
	uint8_t type;      /**< ICMP type of the error: 3, 11 or 12 */
	uint8_t code;      /**< ICMP code */
	uint8_t proto;     /**< quoted protocol: IPPROTO_TCP or IPPROTO_UDP */
	uint8_t ip_off;    /**< offset of the quoted IPv4 header */
	uint8_t l3_len;    /**< quoted IPv4 header length incl. options */
	uint16_t l4_len;   /**< quoted L4 bytes present (>= 8, at most what the
			    *   quoted total length says the packet held) */
	rte_be32_t src;    /**< quoted IPv4 source */
	rte_be32_t dst;    /**< quoted IPv4 destination */
	rte_be16_t sport;  /**< quoted TCP/UDP source port */
	rte_be16_t dport;  /**< quoted TCP/UDP destination port */
};

/**
 * Read the packet an ICMP error quotes: destination unreachable (3, any
 * code, "fragmentation needed" included), time exceeded (11) or
 * parameter problem (12), carrying an IPv4 header and at least the first
 * 8 bytes of a TCP or UDP header (RFC 792). The whole ICMP message's
 * checksum is verified (it is summed in full: errors are rare). Nothing
 * is read beyond the outer IPv4 total length or @p len.
 *
 * @param data  the frame, accepted by sl_pkt_parse() as ICMP
 * @param len   bytes available at @p data
 * @param pi    sl_pkt_parse()'s result for it
 * @param q     filled in on success
 * @return 0 on success; SL_DROP_ICMP for an ICMP type other than those
 *   errors; SL_DROP_ICMP_QUOTE for a bad ICMP checksum, or a quote that
 *   is truncated, malformed (IP version, header length, total length),
 *   a later fragment, or of a protocol other than TCP and UDP.
 */
int sl_pkt_icmp_quote(const uint8_t *data, uint32_t len,
		      const struct sl_pkt_info *pi, struct sl_pkt_quote *q);

/** Load 16 bits from any address (no alignment or aliasing assumption). */
static __rte_always_inline uint16_t
sl_ld16(const void *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/**
 * Fold a 32-bit one's complement sum to 16 bits. Adding the sum to
 * itself rotated by 16 adds its halves in the high half, where the carry
 * out of the low half (the same addition) lands as the end-around carry:
 * a rotate, an add and a shift, for any 32-bit value.
 */
static __rte_always_inline uint16_t
sl_csum_fold(uint32_t sum)
{
	return (uint16_t)((sum + (sum << 16 | sum >> 16)) >> 16);
}

/**
 * Checksum after a 16-bit field changed from @p old to @p new
 * (RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m')). All values in the byte
 * order they have in the packet.
 */
static __rte_always_inline uint16_t
sl_csum_update16(uint16_t csum, uint16_t old, uint16_t new)
{
	uint32_t sum = (uint16_t)~csum;

	sum += (uint16_t)~old;
	sum += new;
	return (uint16_t)~sl_csum_fold(sum);
}

/** Checksum after a 32-bit field (an address) changed. */
static __rte_always_inline uint16_t
sl_csum_update32(uint16_t csum, uint32_t old, uint32_t new)
{
	uint32_t sum = (uint16_t)~csum;

	sum += (uint16_t)~(old & 0xffff);
	sum += (uint16_t)~(old >> 16);
	sum += new & 0xffff;
	sum += new >> 16;
	return (uint16_t)~sl_csum_fold(sum);
}

/**
 * What changing a 32-bit field from @p old to @p new adds to a checksum
 * being patched (RFC 1624 eqn. 3: ~m + m' for each 16-bit word),
 * unfolded, so that several changes are summed and folded once by
 * sl_csum_apply(). Values in the byte order they have in the packet.
 */
static __rte_always_inline uint32_t
sl_csum_delta32(uint32_t old, uint32_t new)
{
	return (uint32_t)(uint16_t)~(old & 0xffff) + (uint16_t)~(old >> 16) +
	       (new & 0xffff) + (new >> 16);
}

/** The same for a 16-bit field. */
static __rte_always_inline uint32_t
sl_csum_delta16(uint16_t old, uint16_t new)
{
	return (uint32_t)(uint16_t)~old + new;
}

/** Checksum @p csum patched by the sum of deltas @p delta (below 2^23,
 *  so two folds suffice). */
static __rte_always_inline uint16_t
sl_csum_apply(uint16_t csum, uint32_t delta)
{
	return (uint16_t)~sl_csum_fold((uint32_t)(uint16_t)~csum + delta);
}

/**
 * Whether a 64-bit one's complement sum of a header, its checksum
 * included, folds to 0xffff: the checksum verifies. Folded to 32 bits
 * and then to 16 the way sl_csum_fold() folds, the 16-bit result being
 * the high half of the last step.
 */
static __rte_always_inline int
sl_csum_ok64(uint64_t sum)
{
	uint32_t x;

	sum += sum << 32 | sum >> 32;
	x = (uint32_t)(sum >> 32);
	x += x << 16 | x >> 16;
	return x >= 0xffff0000u;
}

/**
 * Whether an IPv4 header's checksum verifies. The 20-byte header without
 * options, nearly every packet, is summed as five 32-bit words.
 */
static __rte_always_inline int
sl_ipv4_csum_ok(const void *hdr, uint32_t ihl)
{
	const uint8_t *p = hdr;
	uint64_t sum = 0;
	uint32_t i, w;

	if (likely(ihl == 20)) {
		uint64_t a, b;

		memcpy(&a, p, 8);
		memcpy(&b, p + 8, 8);
		memcpy(&w, p + 16, 4);
		/* 64-bit words: the carries out of bit 63 come back in */
		sum = a + b;
		sum += sum < a;
		sum += w;
		sum += sum < w;
		return sl_csum_ok64(sum);
	}
	for (i = 0; i < ihl; i += 4) {
		memcpy(&w, p + i, 4);
		sum += w;
	}
	return sl_csum_ok64(sum);
}

/** Full Internet checksum of @p len bytes (RFC 1071), for slow paths and tests. */
uint16_t sl_csum_full(const void *buf, uint32_t len, uint32_t initial);

/** IPv4 header checksum computed from scratch (field itself read as 0). */
uint16_t sl_ipv4_csum(const struct rte_ipv4_hdr *ip);

/** TCP/UDP checksum computed from scratch over the pseudo-header and
 *  segment (@p l4 points at the L4 header, its checksum field read as 0). */
uint16_t sl_l4_csum(const struct rte_ipv4_hdr *ip, const void *l4);

/**
 * Length of the TCP header at @p th (its data offset), which has @p avail
 * bytes of segment: 0 when the header does not fit in them or is shorter
 * than 20 bytes. Both parsers' test.
 */
static __rte_always_inline uint32_t
sl_tcp_hdr_len(const struct rte_tcp_hdr *th, uint32_t avail)
{
	uint32_t off;

	if (unlikely(avail < sizeof(*th)))
		return 0;
	off = (uint32_t)(th->data_off >> 4) * 4;
	if (unlikely(off < sizeof(*th) || off > avail))
		return 0;
	return off;
}

/** Frame lengths sl_pkt_parse() knows. */
#define SL_PKT_ETH_LEN  14
#define SL_PKT_VLAN_LEN 4

/**
 * sl_pkt_parse() inline, for the fast path's classification: the
 * caller's tests of what it set (kind, l2_len, proto) fold into its own
 * branches, and the call goes.
 */
static __rte_always_inline int
sl_pkt_parse_inline(const uint8_t *data, uint32_t len, unsigned flags,
		    struct sl_pkt_info *pi)
{
	const struct rte_ipv4_hdr *ip;
	uint16_t etype, ip_len;
	uint32_t l2 = SL_PKT_ETH_LEN, ihl, l4_avail;
	const uint8_t *l4;

	if (unlikely(len < SL_PKT_ETH_LEN))
		return SL_DROP_SHORT_FRAME;
	/* read byte-wise, as every other header here is (DPDK's IP, TCP and
	 * UDP headers are packed types): struct rte_ether_hdr requires
	 * 2-byte alignment, and the parser takes a frame at any address */
	etype = sl_ld16(data + RTE_ETHER_ADDR_LEN * 2);
	if (etype == RTE_BE16(RTE_ETHER_TYPE_VLAN)) {
		if (unlikely(len < SL_PKT_ETH_LEN + SL_PKT_VLAN_LEN))
			return SL_DROP_SHORT_FRAME;
		etype = ((const struct rte_vlan_hdr *)(data + SL_PKT_ETH_LEN))->eth_proto;
		l2 += SL_PKT_VLAN_LEN;
	}
	pi->l2_len = (uint8_t)l2;
	pi->tcp_flags = 0;
	if (etype == RTE_BE16(RTE_ETHER_TYPE_ARP)) {
		pi->kind = SL_PKT_ARP;
		return 0;
	}
	if (unlikely(etype != RTE_BE16(RTE_ETHER_TYPE_IPV4))) {
		if (etype == RTE_BE16(RTE_ETHER_TYPE_IPV6)) {
			pi->kind = SL_PKT_IPV6;
			return 0;
		}
		return SL_DROP_NOT_IPV4;
	}

	if (unlikely(len < l2 + sizeof(struct rte_ipv4_hdr)))
		return SL_DROP_SHORT_IP;
	ip = (const struct rte_ipv4_hdr *)(data + l2);
	if (likely(ip->version_ihl == 0x45)) {
		/* version 4, no options: the length check above covers it */
		ihl = sizeof(struct rte_ipv4_hdr);
	} else {
		if (unlikely((ip->version_ihl >> 4) != 4))
			return SL_DROP_BAD_IP_VER;
		ihl = (uint32_t)(ip->version_ihl & 0xf) * 4;
		if (unlikely(ihl < sizeof(struct rte_ipv4_hdr) || l2 + ihl > len))
			return SL_DROP_BAD_IHL;
	}
	ip_len = rte_be_to_cpu_16(ip->total_length);
	/* Ethernet may pad short frames, so the frame may exceed ip_len */
	if (unlikely(ip_len < ihl || l2 + ip_len > len))
		return SL_DROP_BAD_IP_LEN;
	if (unlikely(flags & SL_PKT_F_IP_CSUM_BAD))
		return SL_DROP_BAD_IP_CSUM;
	if (!(flags & SL_PKT_F_IP_CSUM_GOOD) &&
	    unlikely(!sl_ipv4_csum_ok(ip, ihl)))
		return SL_DROP_BAD_IP_CSUM;
	/* tested in network order: no byte swap */
	if (unlikely(ip->fragment_offset &
		     RTE_BE16(RTE_IPV4_HDR_MF_FLAG | RTE_IPV4_HDR_OFFSET_MASK)))
		return SL_DROP_FRAGMENT;

	pi->kind = SL_PKT_IPV4;
	pi->proto = ip->next_proto_id;
	pi->l3_len = (uint8_t)ihl;
	pi->ip_len = ip_len;
	pi->src = ip->src_addr;
	pi->dst = ip->dst_addr;
	l4 = (const uint8_t *)ip + ihl;
	l4_avail = ip_len - ihl;

	switch (ip->next_proto_id) {
	case IPPROTO_TCP: {
		const struct rte_tcp_hdr *th = (const struct rte_tcp_hdr *)l4;
		uint32_t off = sl_tcp_hdr_len(th, l4_avail);

		if (unlikely(off == 0))
			return SL_DROP_BAD_L4_LEN;
		pi->l4_len = (uint8_t)off;
		pi->sport = th->src_port;
		pi->dport = th->dst_port;
		pi->tcp_flags = th->tcp_flags;
		break;
	}
	case IPPROTO_UDP: {
		const struct rte_udp_hdr *uh = (const struct rte_udp_hdr *)l4;
		uint16_t ulen;

		if (unlikely(l4_avail < sizeof(*uh)))
			return SL_DROP_BAD_L4_LEN;
		ulen = rte_be_to_cpu_16(uh->dgram_len);
		if (unlikely(ulen < sizeof(*uh) || ulen > l4_avail))
			return SL_DROP_BAD_L4_LEN;
		pi->l4_len = sizeof(*uh);
		pi->sport = uh->src_port;
		pi->dport = uh->dst_port;
		break;
	}
	case IPPROTO_ICMP: {
		const struct rte_icmp_hdr *ih = (const struct rte_icmp_hdr *)l4;

		if (unlikely(l4_avail < sizeof(*ih)))
			return SL_DROP_BAD_L4_LEN;
		pi->l4_len = sizeof(*ih);
		pi->sport = ih->icmp_ident;
		pi->dport = rte_cpu_to_be_16((uint16_t)(ih->icmp_type << 8 | ih->icmp_code));
		return 0;
	}
	default:
		return SL_DROP_UNSUP_L4;
	}
	if (unlikely(flags & SL_PKT_F_L4_CSUM_BAD))
		return SL_DROP_BAD_L4_CSUM;
	return 0;
}

#endif /* SL_PKT_H */
