/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SL_STATS_H
#define SL_STATS_H

/**
 * @file
 * Counters: the drop reasons every module shares, and the per-worker,
 * per-service and per-backend counter blocks. Each list is declared once
 * (an X-macro with name, type, kind and description); the structs, the
 * adders, the tables below and the one renderer come from it, so the
 * printers, command answers, telemetry and metrics show every counter.
 *
 * Thread-safety: each worker writes only its own blocks, with plain
 * stores (one writer per cache line, no atomics). The management lcore
 * reads all blocks and sums them; a sum may be a few packets stale,
 * never torn on x86-64 (aligned 64-bit stores).
 */

#include <stddef.h>
#include <stdint.h>
#include <rte_common.h>

/** Drop reasons: X(enum suffix, counter name, description). */
#define SL_DROP_REASONS(X) \
	X(SHORT_FRAME,   "short_frame",   "frame shorter than its Ethernet/VLAN header") \
	X(OTHER_HOST,    "other_host",    "unicast frame for another MAC address") \
	X(VLAN_MISMATCH, "vlan_mismatch", "802.1Q tag with another VLAN id than its port's vlan") \
	X(VLAN_UNTAGGED, "vlan_untagged", "untagged frame on a port with vlan") \
	X(VLAN_TAGGED,   "vlan_tagged",   "802.1Q tagged frame on a port without vlan, or a second tag") \
	X(VLAN_INSERT,   "vlan_insert",   "no room to add the port's 802.1Q tag to a frame") \
	X(NOT_IPV4,      "not_ipv4",      "EtherType is neither IPv4, IPv6 nor ARP") \
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
	X(SLOWPATH_LIMIT, "slowpath_limited", "ARP/ND or exception-path packet over its port's slowpath_rate (per worker)") \
	X(NEIGH_OTHER,   "neigh_other",   "ARP request (not gratuitous) or neighbour solicitation for an address that is not Sluice's") \
	X(TX,            "tx_full",       "TX queue full") \
	X(NO_MBUF,       "no_mbuf",       "mbuf pool empty") \
	X(ARP_BAD,       "arp_bad",       "ARP packet malformed or not for us") \
	X(MULTI_SEG,     "multi_seg",     "frame in chained buffers too long to join into one") \
	X(LOCAL_PORTS_FULL, "local_ports_full", "fullnat: no free local port for a new connection (refused)") \
	X(TOO_BIG,       "too_big",       "dr/tunnel: larger than the egress MTU (once encapsulated); a client that set DF gets fragmentation needed") \
	X(NO_HEADROOM,   "no_headroom",   "tunnel: no room in the buffer for the outer headers") \
	X(BAD_IP6,       "bad_ipv6",      "IPv6 header truncated, version not 6, or payload length beyond the frame") \
	X(BAD_EXT_HDR,   "bad_ext_header", "IPv6 extension header chain malformed, truncated or longer than 8 headers") \
	X(ICMP6,         "icmp6_other",   "ICMPv6 neither neighbour discovery nor an echo request to own address or VIP") \
	X(IPV6_OFF,      "ipv6_off",      "IPv6 on a port without an IPv6 address") \
	X(ICMP_XLATE,    "icmp_untranslatable", "NAT64: ICMP error with no counterpart in the other family (RFC 7915), or no room to translate it") \
	X(ACL_DENIED,    "acl_denied",    "new connection from a client address the service's allow/deny lists refuse (dropped, no RST)") \
	X(RATE_LIMITED,  "rate_limited",  "new connection over its client address's conn_rate_per_client (refused)") \
	X(BACKEND_FULL,  "backend_full",  "new connection while every usable backend of the service is at its max_conns (refused)") \
	X(SP_BAD_COOKIE, "synproxy_bad_cookie", "SYN proxy: an ACK with no connection and no valid cookie") \
	X(SP_BUSY,       "synproxy_busy", "SYN proxy: a valid cookie while the worker waits for SL_SP_PEND backend handshakes (the client tries again)") \
	X(SP_WAIT,       "synproxy_wait", "SYN proxy: a packet while the backend's handshake runs (the client's first data is kept)") \
	X(REPLY_TAKEN,   "reply_taken",   "nat: a new connection's reply key (backend address and port to client address and port) is another connection's: the client used the same address and port for another service on that backend (refused)")

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

/**
 * Per-worker counters: X(field, type, kind, text name, name, description).
 * The field is the struct member; the name is the key in JSON answers,
 * telemetry and metrics; the text name is the one in text lines (the
 * exit counters: "worker 0 rx 15405 tx 15408 bursts 712 ..."); kind is
 * COUNTER (only grows) or GAUGE (goes up and down). A counter added here
 * appears in every printer, answer and metric.
 */
#define SL_WORKER_COUNTERS(X) \
	X(rx_pkts,       uint64_t, COUNTER, "rx",            "rx_packets",    "packets received from ports") \
	X(tx_pkts,       uint64_t, COUNTER, "tx",            "tx_packets",    "packets handed to TX") \
	X(rx_bursts,     uint64_t, COUNTER, "bursts",        "bursts",        "non-empty RX bursts") \
	X(redirected,    uint64_t, COUNTER, "redirected",    "redirected",    "packets passed to their owner worker") \
	X(slowpath,      uint64_t, COUNTER, "slowpath",      "slowpath",      "packets passed to the management lcore") \
	X(icmp_echo,     uint64_t, COUNTER, "icmp_echo",     "icmp_echo",     "ICMP echo requests answered") \
	X(conns_created, uint64_t, COUNTER, "conns_created", "conns_created", "connections created") \
	X(conns_expired, uint64_t, COUNTER, "conns_expired", "conns_expired", "connections expired") \
	X(conns_flushed, uint64_t, COUNTER, "conns_flushed", "conns_flushed", "connections reset: backend gone or drain over") \
	X(rst_sent,      uint64_t, COUNTER, "rst_sent",      "rst_sent",      "TCP resets sent (refused or flushed connections)") \
	X(cap_drops,     uint64_t, COUNTER, "cap_drops",     "cap_drops",     "capture copies lost (ring full, no mbuf)") \
	X(polls,         uint64_t, COUNTER, "polls",         "polls",         "worker loop iterations") \
	X(idle_polls,    uint64_t, COUNTER, "idle_polls",    "idle_polls",    "worker loop iterations with no work") \
	X(sleeps,        uint64_t, COUNTER, "sleeps",        "sleeps",        "idle back-off sleeps") \
	X(sleep_wakes,   uint64_t, COUNTER, "sleep_wakes",   "sleep_wakes",   "idle sleeps a frame on an AF_XDP port's socket ended early") \
	X(busy_tsc,      uint64_t, COUNTER, "busy_tsc",      "busy_tsc",      "TSC ticks spent in loop iterations with work") \
	X(local_ports,   int64_t,  GAUGE,   "local_ports",   "local_ports_in_use", "fullnat local ports held by the worker's connections") \
	X(pp_headers,    uint64_t, COUNTER, "pp_headers",    "pp_headers",    "Proxy Protocol headers sent to backends") \
	X(pp_retrans,    uint64_t, COUNTER, "pp_retrans",    "pp_retransmits", "Proxy Protocol headers sent again (not acknowledged in time)") \
	X(frag_needed,   uint64_t, COUNTER, "frag_needed",   "icmp_frag_needed_sent", "ICMP fragmentation needed sent to clients (dr/tunnel packet over the egress MTU)") \
	X(conns_midstream, uint64_t, COUNTER, "conns_midstream", "conns_midstream", "connections created for a packet in the middle of one (dr/tunnel with maglev or sh: after a restart or a move between instances)") \
	X(stateless,     uint64_t, COUNTER, "stateless",     "stateless_packets", "dr/tunnel packets with maglev or sh forwarded by hash without a connection record (flow table full)") \
	X(icmp_relayed,  uint64_t, COUNTER, "icmp_relayed",  "icmp_relayed",  "ICMP and ICMPv6 errors about a connection relayed to its other end (NAT64: translated)") \
	X(sp_cookies,    uint64_t, COUNTER, "synproxy_cookies", "synproxy_cookies", "SYN proxy: SYN-ACKs with a cookie sent to clients") \
	X(sp_opened,     uint64_t, COUNTER, "synproxy_opened", "synproxy_opened", "SYN proxy: connections opened by a valid cookie") \
	X(sp_syns,       uint64_t, COUNTER, "synproxy_syns", "synproxy_syns",  "SYN proxy: SYNs sent to backends (retransmissions included)") \
	X(sp_timeouts,   uint64_t, COUNTER, "synproxy_timeouts", "synproxy_timeouts", "SYN proxy: backends that never answered (the client reset)") \
	X(trace_lost,    uint64_t, COUNTER, "trace_lost",    "trace_lost",    "live trace: verdicts lost (the trace ring to the management lcore was full)")

/**
 * Per-service and per-backend counters, same columns as
 * SL_WORKER_COUNTERS.
 */
#define SL_OBJ_COUNTERS(X) \
	X(conns_total,  uint64_t, COUNTER, "conns_total",  "conns_total",  "connections scheduled") \
	X(conns_active, int64_t,  GAUGE,   "conns_active", "conns_active", "connections open (created minus ended, summed over the workers)") \
	X(pkts_in,      uint64_t, COUNTER, "pkts_in",      "pkts_in",      "client to backend packets") \
	X(bytes_in,     uint64_t, COUNTER, "bytes_in",     "bytes_in",     "client to backend bytes (L2 frames)") \
	X(pkts_out,     uint64_t, COUNTER, "pkts_out",     "pkts_out",     "backend to client packets") \
	X(bytes_out,    uint64_t, COUNTER, "bytes_out",    "bytes_out",    "backend to client bytes (L2 frames)") \
	X(drops,        uint64_t, COUNTER, "drops",        "drops",        "packets dropped and attributed to this service or backend") \
	X(acl_denied,   uint64_t, COUNTER, "acl_denied",   "acl_denied",   "services: new connections refused by the allow/deny lists (0 for backends)") \
	X(rate_limited, uint64_t, COUNTER, "rate_limited", "rate_limited", "services: new connections over conn_rate_per_client (0 for backends)") \
	X(backend_full, uint64_t, COUNTER, "backend_full", "backend_full", "services: new connections refused with every usable backend at its max_conns (0 for backends)")

#define SL_X_FIELD(f, type, kind, text, name, desc) type f;

/** Per-worker counters, written only by their worker. */
struct sl_worker_stats {
	SL_WORKER_COUNTERS(SL_X_FIELD)
	uint64_t start_tsc;     /**< TSC when the worker started (not a counter) */
	uint64_t drops[SL_DROP_MAX]; /**< drops by reason */
} __rte_cache_aligned;

/** Per-service or per-backend counters (one block per worker, one
 *  cache line while they fit in one). */
struct sl_obj_stats {
	SL_OBJ_COUNTERS(SL_X_FIELD)
} __rte_aligned(64);

#undef SL_X_FIELD

/** What a counter is: how it is named, printed and exported. */
struct sl_counter {
	const char *name;  /**< key in JSON answers, telemetry and metrics */
	const char *text;  /**< name in text lines */
	const char *desc;  /**< one line for help and metric HELP */
	uint16_t off;      /**< byte offset of its 64-bit field in its block */
	uint8_t is_signed; /**< int64_t: print signed */
	uint8_t gauge;     /**< goes up and down (else only grows) */
};

/** The counters of struct sl_worker_stats, in list order. */
extern const struct sl_counter sl_worker_counters[];
extern const unsigned sl_n_worker_counters;
/** The counters of struct sl_obj_stats, in list order. */
extern const struct sl_counter sl_obj_counters[];
extern const unsigned sl_n_obj_counters;

/** Value of counter @p c in block @p blk (two's complement when signed). */
static inline uint64_t
sl_counter_get(const struct sl_counter *c, const void *blk)
{
	return *(const uint64_t *)(const void *)((const char *)blk + c->off);
}

/** Add @p src into @p dst field by field. */
void sl_obj_stats_add(struct sl_obj_stats *dst, const struct sl_obj_stats *src);
/** Add @p src into @p dst field by field (drops too; not start_tsc). */
void sl_worker_stats_add(struct sl_worker_stats *dst, const struct sl_worker_stats *src);

/** Called for each counter of a block with its value. */
typedef void sl_stats_visit_t(const struct sl_counter *c, uint64_t v, void *arg);

/** Call @p fn for each of the @p n counters of table @p tab in @p blk. */
void sl_stats_foreach(const struct sl_counter *tab, unsigned n, const void *blk,
		      sl_stats_visit_t *fn, void *arg);

/** How sl_stats_render() writes a block. */
enum sl_stats_fmt {
	/** "rx 1 tx 2 bursts 3": text names and values, space separated */
	SL_STATS_TEXT,
	/** "\"rx_packets\":1,\"tx_packets\":2": JSON object members, no braces */
	SL_STATS_JSON,
};

/** A buffer that holds any rendered block or drop list. */
#define SL_STATS_RENDER_MAX 2048

/**
 * Render the @p n counters of table @p tab in @p blk into @p buf.
 * @return length of the whole rendering (as snprintf: @p buf holds it
 *   all, NUL-terminated, when the result is below @p len; truncated
 *   otherwise).
 */
int sl_stats_render(const struct sl_counter *tab, unsigned n, const void *blk,
		    enum sl_stats_fmt fmt, char *buf, size_t len);
/** sl_stats_render() of a struct sl_worker_stats. */
int sl_worker_stats_render(const struct sl_worker_stats *s, enum sl_stats_fmt fmt,
			   char *buf, size_t len);
/** sl_stats_render() of a struct sl_obj_stats. */
int sl_obj_stats_render(const struct sl_obj_stats *s, enum sl_stats_fmt fmt,
			char *buf, size_t len);

/**
 * Render drop counters by reason: SL_STATS_TEXT gives one line
 * "PREFIXdrop REASON N\n" per reason with N != 0; SL_STATS_JSON one
 * object {"REASON":N,...} with every reason. @p prefix may be NULL.
 * @return as sl_stats_render().
 */
int sl_drops_render(const uint64_t drops[SL_DROP_MAX], enum sl_stats_fmt fmt,
		    const char *prefix, char *buf, size_t len);

#endif /* SL_STATS_H */
