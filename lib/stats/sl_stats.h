/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SL_STATS_H
#define SL_STATS_H

/**
 * @file
 * Counters: the drop reasons every module shares, and the per-worker,
 * per-service and per-backend counter blocks.
 *
 * Thread-safety: each worker writes only its own blocks, with plain
 * stores (one writer per cache line, no atomics). The management lcore
 * reads all blocks and sums them; a sum may be a few packets stale,
 * never torn on x86-64 (aligned 64-bit stores).
 */

#include <stdint.h>
#include <rte_common.h>

/** Drop reasons: X(enum suffix, counter name, description). */
#define SL_DROP_REASONS(X) \
	X(SHORT_FRAME,   "short_frame",   "frame shorter than its Ethernet/VLAN header") \
	X(OTHER_HOST,    "other_host",    "unicast frame for another MAC address") \
	X(NOT_IPV4,      "not_ipv4",      "EtherType is neither IPv4 nor ARP") \
	X(SHORT_IP,      "short_ip",      "frame too short for an IPv4 header") \
	X(BAD_IP_VER,    "bad_ip_version", "IP version field is not 4") \
	X(BAD_IHL,       "bad_ihl",       "IPv4 header length below 20 bytes or beyond the frame") \
	X(BAD_IP_LEN,    "bad_ip_len",    "IPv4 total length inconsistent with header or frame") \
	X(BAD_IP_CSUM,   "bad_ip_csum",   "IPv4 header checksum wrong") \
	X(FRAGMENT,      "fragment",      "IPv4 fragment (not reassembled)") \
	X(BAD_L4_LEN,    "bad_l4_len",    "TCP/UDP/ICMP header truncated or length field wrong") \
	X(BAD_L4_CSUM,   "bad_l4_csum",   "L4 checksum reported bad by the NIC") \
	X(UNSUP_L4,      "unsupported_l4", "IP protocol other than TCP, UDP, ICMP") \
	X(NO_SERVICE,    "no_service",    "addressed to a VIP port with no service") \
	X(NO_FLOW,       "no_flow",       "TCP non-SYN or reply matching no connection") \
	X(FLOW_FULL,     "flow_full",     "flow table full: new connection refused") \
	X(NO_BACKEND,    "no_backend",    "service has no usable backend") \
	X(TTL,           "ttl_exceeded",  "TTL would reach zero") \
	X(TO_SELF,       "to_self",       "for Sluice's own address, not handled") \
	X(ICMP,          "icmp_other",    "ICMP neither an echo request to own address or VIP nor an error about a connection") \
	X(ICMP_QUOTE,    "icmp_bad_quote", "ICMP error: bad checksum, or quoted packet truncated, malformed, not TCP/UDP or a later fragment") \
	X(ICMP_NO_FLOW,  "icmp_no_flow",  "ICMP error quoting a packet of no connection") \
	X(NEIGH,         "neigh_unresolved", "next hop MAC unknown and hold queue full") \
	X(REDIRECT,      "redirect_full", "redirect ring to the owner worker full") \
	X(SLOWPATH,      "slowpath_full", "ring to the management lcore full") \
	X(TX,            "tx_full",       "TX queue full") \
	X(NO_MBUF,       "no_mbuf",       "mbuf pool empty") \
	X(ARP_BAD,       "arp_bad",       "ARP packet malformed or not for us") \
	X(MULTI_SEG,     "multi_seg",     "frame in chained buffers too long to join into one")

enum sl_drop {
	SL_DROP_NONE = 0,  /* not a drop: sl_pkt_parse() success */
#define SL_X_ENUM(e, n, d) SL_DROP_##e,
	SL_DROP_REASONS(SL_X_ENUM)
#undef SL_X_ENUM
	SL_DROP_MAX
};

/** Counter name of a drop reason ("short_frame", ...). */
const char *sl_drop_name(enum sl_drop d);
/** One-line description of a drop reason. */
const char *sl_drop_desc(enum sl_drop d);

/** Per-worker counters, written only by their worker. */
struct sl_worker_stats {
	uint64_t rx_pkts;       /**< packets received from ports */
	uint64_t rx_bursts;     /**< non-empty RX bursts */
	uint64_t tx_pkts;       /**< packets handed to TX */
	uint64_t redirected;    /**< packets passed to their owner worker */
	uint64_t slowpath;      /**< packets passed to the management lcore */
	uint64_t icmp_echo;     /**< echo requests answered */
	uint64_t polls;         /**< loop iterations */
	uint64_t idle_polls;    /**< loop iterations with no work */
	uint64_t busy_tsc;      /**< TSC ticks spent in iterations with work */
	uint64_t start_tsc;     /**< TSC when the worker started */
	uint64_t sleeps;        /**< idle back-off sleeps */
	uint64_t conns_created; /**< connections created */
	uint64_t conns_expired; /**< connections expired */
	uint64_t conns_flushed; /**< connections reset: backend gone or drain over */
	uint64_t rst_sent;      /**< TCP resets sent (refused or flushed) */
	uint64_t cap_drops;     /**< capture copies lost (ring full, no mbuf) */
	uint64_t drops[SL_DROP_MAX]; /**< drops by reason */
} __rte_cache_aligned;

/** Per-service or per-backend counters (one block per worker). */
struct sl_obj_stats {
	uint64_t pkts_in;       /**< client to backend packets */
	uint64_t bytes_in;      /**< client to backend bytes (L2 frame) */
	uint64_t pkts_out;      /**< backend to client packets */
	uint64_t bytes_out;     /**< backend to client bytes */
	uint64_t conns_total;   /**< connections scheduled */
	int64_t  conns_active;  /**< created minus expired on this worker */
	uint64_t drops;         /**< drops attributed to this object */
	uint64_t pad;
};

/** Add @p src into @p dst field by field. */
void sl_obj_stats_add(struct sl_obj_stats *dst, const struct sl_obj_stats *src);
/** Add @p src into @p dst field by field. */
void sl_worker_stats_add(struct sl_worker_stats *dst, const struct sl_worker_stats *src);

#endif /* SL_STATS_H */
