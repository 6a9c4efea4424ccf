/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SL_FLOW_H
#define SL_FLOW_H

/**
 * @file
 * Per-worker connection table.
 *
 * A connection has one record (struct sl_conn, one 64-byte cache line)
 * from a fixed pool and two entries in a hash index: the client's packet
 * as it arrives (client -> VIP) and the backend's reply as it arrives
 * (backend -> client). Both map to the record, with the direction, so
 * either direction is one lookup. The index stores no keys, only short
 * signatures and record references; keys are compared with the record's
 * own fields (conn_table.h), about 90 bytes per connection in all.
 *
 * Expiry uses a timer wheel in TSC ticks. A packet only refreshes the
 * record's deadline; the wheel entry is not moved. When the wheel reaches
 * an entry whose deadline has moved on, the entry is filed again for the
 * new deadline (lazy re-arming), so the per-packet cost is one store and
 * expiry never scans the table.
 *
 * TCP state tracking follows IPVS: SYN_SENT on the client SYN, SYN_RECV
 * on the backend SYN+ACK, ESTABLISHED on the client's ACK of it,
 * FIN_WAIT on the first FIN, TIME_WAIT once both sides sent FIN, CLOSE on
 * RST. Each state has its own timeout.
 *
 * One-direction connections (modes dr and tunnel, where the backend
 * answers the client directly) have only the client's key and lip 0.
 * Only the client's flags are seen, so their states follow them, as
 * IPVS does for its direct-routing and tunnel modes: SYN_SENT on the
 * SYN, ESTABLISHED on the first ACK without SYN, FIN_WAIT on the
 * client's FIN, CLOSE on RST.
 *
 * Thread-safety: a table belongs to one worker. Only that worker may call
 * any function on it (single writer, no locks, no atomics). The
 * management lcore may read sl_flow_count() for statistics.
 */

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <rte_common.h>
#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_hash_crc.h>
#include <rte_tcp.h>
#if defined(RTE_ARCH_X86_64) && defined(__SSE4_2__)
#include <nmmintrin.h>
#endif

#include "sl_config.h"
#include "sl_pkt.h"

/**
 * Word @p i (0 or 1) of key @p k for a hash, made from its fields. A key
 * just written field by field is then read back in the widths it was
 * written in, each load forwarded from its own store; one 8-byte load
 * over several smaller stores would wait for all of them to complete.
 * On a little-endian CPU the words are the key's bytes in memory,
 * padding taken as zero, so a hash over them is the hash of those bytes
 * (of a key made with its padding zero).
 */
_Static_assert(sizeof(struct sl_flow_key) == 16 && offsetof(struct sl_flow_key, sport) == 8,
	       "sl_flow_key_word(): the addresses are word 0, ports and protocol word 1");

static __rte_always_inline uint64_t
sl_flow_key_word(const struct sl_flow_key *k, unsigned i)
{
	if (i == 0)
		return (uint64_t)k->dst << 32 | k->src;
	return (uint64_t)k->proto << 32 | (uint64_t)k->dport << 16 | k->sport;
}

/**
 * CRC32C of eight bytes @p data on @p init, the value rte_hash_crc_8byte()
 * gives. Where the build's target has SSE 4.2 (DPDK's x86-64 builds
 * require it) this is the instruction alone, without rte_hash_crc's test
 * of its chosen implementation on every call.
 */
static __rte_always_inline uint32_t
sl_crc32c_8byte(uint64_t data, uint32_t init)
{
#if defined(RTE_ARCH_X86_64) && defined(__SSE4_2__)
	return (uint32_t)_mm_crc32_u64(init, data);
#else
	return rte_hash_crc_8byte(data, init);
#endif
}

/** The same for four bytes (rte_hash_crc_4byte()). */
static __rte_always_inline uint32_t
sl_crc32c_4byte(uint32_t data, uint32_t init)
{
#if defined(RTE_ARCH_X86_64) && defined(__SSE4_2__)
	return _mm_crc32_u32(init, data);
#else
	return rte_hash_crc_4byte(data, init);
#endif
}

#define SL_DIR_ORIG  0   /**< client -> VIP */
#define SL_DIR_REPLY 1   /**< backend -> client */

/**
 * Connection record: one cache line. The reply key is the backend's
 * packet as it arrives: bip:bport -> lip:lport, where lip:lport is the
 * client's own endpoint in NAT mode and Sluice's local address and port
 * in FullNAT. The wheel fields lead so that the 64-bit deadline needs no
 * padding; the whole record is one line, so the order costs nothing.
 */
struct sl_conn {
	uint64_t expire;      /**< TSC deadline */
	uint32_t wheel_next;  /**< next record in the same wheel slot */
	uint32_t wheel_prev;  /**< previous record in the slot, or none */
	uint32_t wheel_slot;  /**< slot the record is filed in */
	rte_be32_t cip;       /**< client address */
	rte_be32_t vip;       /**< virtual address */
	rte_be32_t bip;       /**< backend address */
	rte_be32_t lip;       /**< address replies are sent to: cip (nat) or
			       *   the local address (fullnat); 0: a
			       *   one-direction connection, no reply key */
	uint32_t be_gen;      /**< backend slot generation */
	rte_be16_t cport;     /**< client port */
	rte_be16_t vport;     /**< virtual port */
	rte_be16_t bport;     /**< backend port */
	rte_be16_t lport;     /**< port replies are sent to: cport or local port */
	uint16_t svc;         /**< service id in the snapshot */
	uint16_t be;          /**< backend slot (stable id) */
	uint8_t proto;        /**< IPPROTO_TCP / IPPROTO_UDP */
	uint8_t state;        /**< enum sl_conn_state */
	uint8_t in_port;      /**< port index the client's packets arrive on */
	uint8_t fin_seen;     /**< bit per direction */
	/** previous hop towards the client; with the two bytes after it
	 *  read as eight, one load (sl_nat_set_macs8()) */
	struct rte_ether_addr cmac;
	uint8_t mode;         /**< enum sl_mode of its service */
	uint8_t pp;           /**< Proxy Protocol: version (bits 0-1) and
			       *   SL_PP_* state bits; 0 = none */
} __rte_cache_aligned;

/**
 * The TCP state after a segment with @p flags in direction @p dir
 * (IPVS's transitions, see the file comment); @p fin_seen keeps a bit per
 * direction. @p oneway: only the client's segments are seen. Shared by
 * the IPv4 and IPv6 tables.
 */
static __rte_always_inline uint8_t
sl_flow_tcp_next(uint8_t st, uint8_t *fin_seen, int oneway, int dir, uint8_t flags)
{
	if (flags & RTE_TCP_RST_FLAG)
		return SL_CS_CLOSE;
	if (flags & RTE_TCP_FIN_FLAG) {
		*fin_seen |= (uint8_t)(1u << dir);
		if (st == SL_CS_CLOSE)
			return st;
		return *fin_seen == 3 ? SL_CS_TIME_WAIT : SL_CS_FIN_WAIT;
	}
	switch (st) {
	case SL_CS_SYN_SENT:
		/* one direction: the client's ACK after its SYN is all there
		 * is to see of the handshake */
		if (oneway && !(flags & RTE_TCP_SYN_FLAG) && (flags & RTE_TCP_ACK_FLAG))
			return SL_CS_ESTABLISHED;
		if (dir == SL_DIR_REPLY &&
		    (flags & (RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG)) ==
		    (RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG))
			return SL_CS_SYN_RECV;
		return st;
	case SL_CS_SYN_RECV:
		if (dir == SL_DIR_ORIG && !(flags & RTE_TCP_SYN_FLAG) &&
		    (flags & RTE_TCP_ACK_FLAG))
			return SL_CS_ESTABLISHED;
		return st;
	default:
		return st;
	}
}

/** Creation parameters. */
struct sl_flow_params {
	const char *name;       /**< labels the table's memory */
	uint32_t capacity;      /**< connections (hash holds 2x keys) */
	int socket_id;          /**< NUMA node of the owning worker */
	uint64_t hz;            /**< TSC ticks per second */
	const uint32_t *timeouts; /**< seconds, indexed by enum sl_conn_state */
};

struct sl_flow_table;

/** Called for every connection the wheel expires, before it is freed. */
typedef void (*sl_flow_expire_cb)(const struct sl_conn *c, void *arg);

/**
 * Create a table. NULL with rte_errno set on failure (EINVAL, ENOMEM).
 * The name labels its memory only.
 */
struct sl_flow_table *sl_flow_create(const struct sl_flow_params *p);

/** Index of record @p c in its table (0 .. capacity-1). */
uint32_t sl_flow_index(const struct sl_flow_table *t, const struct sl_conn *c);

/** Record at index @p idx (in use or not). */
struct sl_conn *sl_flow_at(struct sl_flow_table *t, uint32_t idx);

/** Free a table and all its records. */
void sl_flow_free(struct sl_flow_table *t);

/**
 * Look up a packet's key.
 * @return the connection or NULL; @p dir gets SL_DIR_ORIG / SL_DIR_REPLY.
 */
struct sl_conn *sl_flow_lookup(struct sl_flow_table *t,
			       const struct sl_flow_key *k, int *dir);

/**
 * Look up @p n keys at once (n <= 64); conns[i] NULL when absent. The
 * records found are on their way into the cache (prefetched) when it
 * returns: the caller need not prefetch them again.
 * @return number of hits.
 */
int sl_flow_lookup_bulk(struct sl_flow_table *t, const struct sl_flow_key **keys,
			unsigned n, struct sl_conn **conns, int *dirs);

/**
 * A hint, changing nothing: start loading what the @p ahead-th
 * connection added from now (0: the next) will touch, the two buckets of
 * its reply key @p kr (NULL: none) and the record it will take. The
 * reply key's buckets are the one cache miss of an add the lookup before
 * it did not already overlap.
 */
void sl_flow_prefetch_add(const struct sl_flow_table *t, const struct sl_flow_key *kr,
			  unsigned ahead);

/**
 * Create a connection for client @p cip:cport -> @p vip:vport, scheduled
 * to @p bip:bport. Record fields other than the addresses are zero; the
 * caller fills svc/be/in_port/cmac. Its state is SYN_SENT for TCP, UDP
 * for UDP; deadline now + that state's timeout.
 * @return the record, or NULL when the table is full (or on a key clash:
 *   either key already taken by another connection).
 */
struct sl_conn *sl_flow_add(struct sl_flow_table *t, rte_be32_t cip,
			    rte_be16_t cport, rte_be32_t vip, rte_be16_t vport,
			    rte_be32_t bip, rte_be16_t bport, uint8_t proto,
			    uint64_t now);

/**
 * sl_flow_add() for a caller that has just looked the client's key up
 * and missed, with no add to this table since: the orig key is not
 * checked again (the reply key still is). Same results otherwise.
 */
struct sl_conn *sl_flow_add_new(struct sl_flow_table *t, rte_be32_t cip,
				rte_be16_t cport, rte_be32_t vip, rte_be16_t vport,
				rte_be32_t bip, rte_be16_t bport, uint8_t proto,
				uint64_t now);

/**
 * sl_flow_add_new() for a one-direction connection (modes dr, tunnel):
 * only the client's key goes into the index; lip and lport are 0.
 * NULL when the table is full.
 */
struct sl_conn *sl_flow_add_oneway(struct sl_flow_table *t, rte_be32_t cip,
				   rte_be16_t cport, rte_be32_t vip, rte_be16_t vport,
				   rte_be32_t bip, rte_be16_t bport, uint8_t proto,
				   uint64_t now);

/**
 * sl_flow_add_new() for a FullNAT connection: replies come to
 * @p lip:lport (a local address and port) instead of the client's own
 * endpoint. NULL when the table is full or the reply key is taken (the
 * caller picks local ports whose reply key is free).
 */
struct sl_conn *sl_flow_add_local(struct sl_flow_table *t, rte_be32_t cip,
				  rte_be16_t cport, rte_be32_t vip, rte_be16_t vport,
				  rte_be32_t bip, rte_be16_t bport, rte_be32_t lip,
				  rte_be16_t lport, uint8_t proto, uint64_t now);

/**
 * The part of a table (IPv4 or IPv6) that sl_flow_touch() reads inline:
 * its first member, so that a pointer to the table points to it.
 */
struct sl_flow_head {
	uint64_t timeout_ticks[SL_CS_MAX]; /**< per state, in TSC ticks */
};

/** The deadline of a connection of table @p t (IPv4 or IPv6) in state
 *  @p state touched at @p now. */
static __rte_always_inline uint64_t
sl_flow_deadline(const void *t, uint8_t state, uint64_t now)
{
	return now + ((const struct sl_flow_head *)t)->timeout_ticks[state];
}

/** File connection @p c again for @p deadline, earlier than its own
 *  (sl_flow_touch()'s rare case: a RST or FIN shortens the timeout). */
void sl_flow_refile(struct sl_flow_table *t, struct sl_conn *c, uint64_t deadline);

/**
 * Account a packet of an existing connection: advance the TCP state from
 * @p tcp_flags and direction @p dir, and push the deadline. Inline: one
 * store on most packets; a deadline that moves earlier files the
 * connection again (sl_flow_refile()).
 */
static __rte_always_inline void
sl_flow_touch(struct sl_flow_table *t, struct sl_conn *c, int dir,
	      uint8_t tcp_flags, uint64_t now)
{
	uint64_t deadline;

	if (c->proto == IPPROTO_TCP)
		c->state = sl_flow_tcp_next(c->state, &c->fin_seen, c->lip == 0, dir,
					    tcp_flags);
	deadline = sl_flow_deadline(t, c->state, now);
	if (unlikely(deadline < c->expire))
		sl_flow_refile(t, c, deadline);
	else
		c->expire = deadline;
}

/**
 * Remove a connection now (keys and record), without the callback.
 */
void sl_flow_del(struct sl_flow_table *t, struct sl_conn *c);

/**
 * Run the wheel up to @p now, expiring at most @p budget connections
 * (the rest wait for the next call).
 * @return number of connections expired.
 */
unsigned sl_flow_expire(struct sl_flow_table *t, uint64_t now, unsigned budget,
			sl_flow_expire_cb cb, void *arg);

/** Connections in the table. */
uint32_t sl_flow_count(const struct sl_flow_table *t);

/** Capacity in connections. */
uint32_t sl_flow_capacity(const struct sl_flow_table *t);

/** Visit every connection (control path, for `show flows`); stop when
 *  @p fn returns non-zero. */
void sl_flow_walk(struct sl_flow_table *t,
		  int (*fn)(const struct sl_conn *c, void *arg), void *arg);

/** Visit the records at indices [@p start, @p start + @p count) that hold
 *  a connection; returns the index after the last one visited (capacity
 *  when the table is done). Owner worker only: lets it answer a listing
 *  request a slice per loop iteration. */
uint32_t sl_flow_walk_range(struct sl_flow_table *t, uint32_t start, uint32_t count,
			    int (*fn)(const struct sl_conn *c, void *arg), void *arg);

/*
 * IPv6 connections live in a table of their own, so that IPv4 records
 * stay one cache line: struct sl_conn6 is two (four 16-byte addresses).
 * The same states, timeouts, expiry and index as the IPv4 table (keys
 * are the packet's 5-tuple as it arrives, two per connection, one for
 * dr/tunnel connections, lip all zero), each naming the record and the
 * direction. Same thread-safety as the IPv4 table.
 */

/** IPv6 lookup key: a packet's 5-tuple as it arrives. */
struct sl_flow6_key {
	struct sl_in6 src;
	struct sl_in6 dst;
	rte_be16_t sport;
	rte_be16_t dport;
	uint8_t proto;
	uint8_t pad[3];   /**< must be zero */
};

/**
 * Word @p i (0 to 4) of IPv6 key @p k for a hash, as
 * sl_flow_key_word(): the addresses 8 bytes at a time (each load within
 * the 16 bytes of one address), the ports and protocol from their fields.
 */
_Static_assert(sizeof(struct sl_flow6_key) == 40 && offsetof(struct sl_flow6_key, sport) == 32,
	       "sl_flow6_key_word(): the addresses are words 0 to 3, ports and protocol word 4");

static __rte_always_inline uint64_t
sl_flow6_key_word(const struct sl_flow6_key *k, unsigned i)
{
	uint64_t w;

	if (i < 4) {
		memcpy(&w, (const uint8_t *)k + i * 8, 8);
		return w;
	}
	return (uint64_t)k->proto << 32 | (uint64_t)k->dport << 16 | k->sport;
}

/**
 * IPv6 connection record: two cache lines. The first holds what a
 * client's packet and the wheel read (the client's key, the state, the
 * deadline and the wheel's links), the second the backend's side.
 */
struct sl_conn6 {
	uint64_t expire;      /**< TSC deadline */
	uint32_t wheel_next;  /**< next record in the same wheel slot */
	uint32_t wheel_prev;  /**< previous record in the slot, or none */
	uint32_t wheel_slot;  /**< slot the record is filed in */
	struct sl_in6 cip;    /**< client address */
	struct sl_in6 vip;    /**< virtual address */
	rte_be16_t cport, vport;
	uint8_t proto;
	uint8_t state;        /**< enum sl_conn_state */
	uint8_t fin_seen;
	uint8_t mode;         /**< enum sl_mode */
	uint16_t svc;         /**< service id */
	uint16_t be;          /**< backend slot */
	struct sl_in6 bip;    /**< backend address */
	struct sl_in6 lip;    /**< replies are sent to: cip (nat) or a local
			       *   address (fullnat); zero: one direction */
	rte_be16_t bport, lport;
	uint32_t be_gen;      /**< backend slot generation */
	uint8_t in_port;      /**< port index the client's packets arrive on */
	struct rte_ether_addr cmac; /**< previous hop towards the client */
} __rte_cache_aligned;

struct sl_flow6_table;

typedef void (*sl_flow6_expire_cb)(const struct sl_conn6 *c, void *arg);

/** Create an IPv6 table from the same parameters as an IPv4 one; NULL
 *  with rte_errno set on failure. */
struct sl_flow6_table *sl_flow6_create(const struct sl_flow_params *p);

/** Free a table and its records. NULL is fine. */
void sl_flow6_free(struct sl_flow6_table *t);

/** Look up a packet's key; @p dir gets SL_DIR_ORIG / SL_DIR_REPLY. */
struct sl_conn6 *sl_flow6_lookup(struct sl_flow6_table *t,
				 const struct sl_flow6_key *k, int *dir);

/**
 * Look up @p n keys at once (n <= 64), as sl_flow_lookup_bulk(): conns[i]
 * NULL when absent, the records found on their way into the cache.
 * @return number of hits.
 */
int sl_flow6_lookup_bulk(struct sl_flow6_table *t, const struct sl_flow6_key **keys,
			 unsigned n, struct sl_conn6 **conns, int *dirs);

/** As sl_flow_prefetch_add(): a hint to load the two buckets of reply
 *  key @p kr (NULL: none) and the record of the @p ahead-th add from now. */
void sl_flow6_prefetch_add(const struct sl_flow6_table *t, const struct sl_flow6_key *kr,
			   unsigned ahead);

/**
 * Create a connection: client @p cip:cport -> @p vip:vport scheduled to
 * @p bip:bport, replies to @p lip:lport (the client's own endpoint in
 * nat; NULL @p lip: one direction, no reply key). Other fields zero,
 * state SYN_SENT (TCP) or UDP. NULL when the table is full or a key is
 * taken.
 */
struct sl_conn6 *sl_flow6_add(struct sl_flow6_table *t, const struct sl_in6 *cip,
			      rte_be16_t cport, const struct sl_in6 *vip, rte_be16_t vport,
			      const struct sl_in6 *bip, rte_be16_t bport,
			      const struct sl_in6 *lip, rte_be16_t lport, uint8_t proto,
			      uint64_t now);

/** File connection @p c again for @p deadline, earlier than its own
 *  (as sl_flow_refile()). */
void sl_flow6_refile(struct sl_flow6_table *t, struct sl_conn6 *c, uint64_t deadline);

/** Account a packet: TCP state (sl_flow_tcp_next) and deadline, inline
 *  as sl_flow_touch() (a one-direction connection has no local address). */
static __rte_always_inline void
sl_flow6_touch(struct sl_flow6_table *t, struct sl_conn6 *c, int dir,
	       uint8_t tcp_flags, uint64_t now)
{
	uint64_t deadline;

	if (c->proto == IPPROTO_TCP)
		c->state = sl_flow_tcp_next(c->state, &c->fin_seen, sl_in6_zero(&c->lip), dir,
					    tcp_flags);
	deadline = sl_flow_deadline(t, c->state, now);
	if (unlikely(deadline < c->expire))
		sl_flow6_refile(t, c, deadline);
	else
		c->expire = deadline;
}

/** Remove a connection now, without the callback. */
void sl_flow6_del(struct sl_flow6_table *t, struct sl_conn6 *c);

/** Expire connections whose deadline passed, at most @p budget per call
 *  (and at most a bounded amount of work). @return how many. */
unsigned sl_flow6_expire(struct sl_flow6_table *t, uint64_t now, unsigned budget,
			 sl_flow6_expire_cb cb, void *arg);

uint32_t sl_flow6_count(const struct sl_flow6_table *t);
uint32_t sl_flow6_capacity(const struct sl_flow6_table *t);

/** As sl_flow_walk_range() for the IPv6 table. */
uint32_t sl_flow6_walk_range(struct sl_flow6_table *t, uint32_t start, uint32_t count,
			     int (*fn)(const struct sl_conn6 *c, void *arg), void *arg);

#endif /* SL_FLOW_H */
