/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SL_NEIGH_H
#define SL_NEIGH_H

/**
 * @file
 * Neighbour (ARP) table and ARP frames.
 *
 * Entries are next hops Sluice sends to: backends and gateways. The
 * management lcore adds them when it builds a snapshot, resolves them by
 * ARP, refreshes them before they age out and holds a few packets per
 * entry while it waits. Workers only read an entry's MAC, a 64-bit word
 * (valid bit 63, the MAC in its first six bytes in memory) stored and loaded atomically, so
 * a MAC change needs no snapshot and no lock.
 *
 * Entries are counted references: each snapshot takes one per backend
 * that uses an entry (sl_neigh_add) and gives them back when it is freed,
 * after the RCU grace period, so no worker reads an entry after its last
 * reference goes. The entry is then freed: its held packets are dropped,
 * its MAC cleared and its slot put on a free list for a later add. Live
 * entries never move. A reference (what snapshots and the packets workers
 * hand to the management lcore carry) is the slot index in the low 16 bits
 * and the slot's generation above, so a reference to a freed entry is told
 * apart from the next entry in the same slot (sl_neigh_index). References
 * are below 2^31: values with bit 31 set are free for callers' markers.
 *
 * Thread-safety: sl_neigh_mac() from any lcore; everything else on the
 * management lcore only.
 */

#include <stdint.h>
#include <string.h>
#include <rte_common.h>
#include <rte_ether.h>
#include <rte_mbuf.h>

#include "sl_pkt.h"

#define SL_NEIGH_VALID   (1ULL << 63)
#define SL_NEIGH_HOLD    4      /**< packets held per unresolved entry */
#define SL_NEIGH_RETRIES 3      /**< ARP requests before giving up a hold queue */
#define SL_NEIGH_MAX     65536u /**< largest capacity: an index takes 16 bits */
#define SL_NEIGH_GEN_MASK 0x7fffu
#define SL_NEIGH_NONE    UINT32_MAX  /**< end of the free list */

/** Slot index of a reference (or of a plain index). */
#define SL_NEIGH_IDX(ref) ((uint32_t)(ref) & 0xffffu)

struct sl_neigh_meta {
	rte_be32_t ip;          /**< IPv4 next hop (v6 == 0) */
	uint8_t v6;             /**< an IPv6 next hop: @c ip6, resolved by
				 *   neighbour discovery */
	struct sl_in6 ip6;
	uint16_t port;          /**< index of the Sluice port it is reached on */
	uint8_t n_held;
	uint8_t tries;          /**< unanswered requests in a row */
	uint64_t updated;       /**< TSC of the last reply heard */
	uint64_t requested;     /**< TSC of the last request sent */
	struct rte_mbuf *held[SL_NEIGH_HOLD];
	uint32_t refs;          /**< references held; 0 = free slot */
	uint32_t next_free;     /**< free list link, SL_NEIGH_NONE at the end */
	uint16_t gen;           /**< bumped each time the slot is freed */
};

struct sl_neigh_table {
	uint32_t capacity;
	uint32_t count;              /**< slots [0, count) were ever used; some
				      *   may be free now (sl_neigh_in_use) */
	uint32_t live;               /**< entries in use */
	uint32_t free_head, free_tail;  /**< freed slots, oldest first */
	uint64_t released_drops;     /**< held packets dropped by frees, reported
				      *   by the next sl_neigh_age() */
	uint64_t *macw;              /**< read by workers */
	struct sl_neigh_meta *meta;  /**< management lcore only */
};

/** Create a table; NULL with rte_errno set on failure. */
struct sl_neigh_table *sl_neigh_create(uint32_t capacity, int socket_id);
/** Free a table and any held packets. */
void sl_neigh_free(struct sl_neigh_table *t);

/** Reference of the entry for (@p port, @p ip), or -ENOENT. Takes no
 *  reference. */
int sl_neigh_find(const struct sl_neigh_table *t, uint16_t port, rte_be32_t ip);
/**
 * Take a reference on the entry for (@p port, @p ip), adding it unresolved
 * if new (in the slot freed longest ago, else a new one).
 * @return the entry's reference, or -ENOSPC when the table is full. Each
 * success is paired with one sl_neigh_unref().
 */
int sl_neigh_add(struct sl_neigh_table *t, uint16_t port, rte_be32_t ip);
/** One more reference on the entry @p ref: 0, or -ENOENT if it was freed. */
int sl_neigh_ref(struct sl_neigh_table *t, uint32_t ref);
/**
 * Give back a reference on @p ref; the last one frees the entry (held
 * packets dropped and counted in sl_neigh_age()'s result, MAC cleared,
 * slot reusable with the next generation). Only when no worker can read
 * the entry any more. 0, or -ENOENT if @p ref names no live entry.
 */
int sl_neigh_unref(struct sl_neigh_table *t, uint32_t ref);
/** Slot index of the live entry @p ref, or -ENOENT if it was freed since
 *  (its slot may hold another next hop by now). */
int sl_neigh_index(const struct sl_neigh_table *t, uint32_t ref);

/** Whether slot @p idx (below count) holds a live entry. */
static inline int
sl_neigh_in_use(const struct sl_neigh_table *t, uint32_t idx)
{
	return idx < t->count && t->meta[idx].refs != 0;
}

/** Worker side: the word of entry @p ref (a reference or a slot index):
 *  its MAC in the first six bytes in memory, SL_NEIGH_VALID set once
 *  resolved (for sl_nat_set_macs8()). */
static __rte_always_inline uint64_t
sl_neigh_word(const struct sl_neigh_table *t, uint32_t ref)
{
	/* acquire: pairs with the release store in sl_neigh_learn() */
	return __atomic_load_n(&t->macw[SL_NEIGH_IDX(ref)], __ATOMIC_ACQUIRE);
}

/** Worker side: copy the MAC of entry @p ref (a reference or a slot
 *  index); 1 if resolved, 0 if not. */
static __rte_always_inline int
sl_neigh_mac(const struct sl_neigh_table *t, uint32_t ref, struct rte_ether_addr *mac)
{
	uint64_t w = sl_neigh_word(t, ref);

	if (!(w & SL_NEIGH_VALID))
		return 0;
	/* the MAC's bytes are the word's first six in memory */
	memcpy(mac, &w, RTE_ETHER_ADDR_LEN);
	return 1;
}

/**
 * Record that @p ip on @p port has @p mac (from an ARP packet). Only
 * live entries are updated, so ARP traffic cannot fill the table.
 * @return the entry's reference, or -ENOENT.
 */
int sl_neigh_learn(struct sl_neigh_table *t, uint16_t port, rte_be32_t ip,
		   const struct rte_ether_addr *mac, uint64_t now);

/** Hold a packet for live entry @p ref (reference or slot index) until it
 *  resolves; -ENOSPC when the hold queue is full (the caller drops and
 *  counts). */
int sl_neigh_hold(struct sl_neigh_table *t, uint32_t ref, struct rte_mbuf *m);

/** Take the packets held for @p ref (at most @p max). */
unsigned sl_neigh_take_held(struct sl_neigh_table *t, uint32_t ref,
			    struct rte_mbuf **out, unsigned max);

/** Called by sl_neigh_age() for each entry that needs an ARP request;
 *  @p ref is the entry's reference. */
typedef void (*sl_neigh_request_cb)(uint32_t ref, uint16_t port, rte_be32_t ip,
				    void *arg);

/**
 * Periodic upkeep of the live entries: request unresolved entries once a
 * second; refresh resolved ones after 3/4 of @p timeout; invalidate those
 * not heard from for @p timeout; drop held packets after SL_NEIGH_RETRIES
 * requests.
 * @return number of held packets dropped, including those of entries
 * freed since the last call.
 */
unsigned sl_neigh_age(struct sl_neigh_table *t, uint64_t now, uint64_t hz,
		      uint32_t timeout_s, sl_neigh_request_cb cb, void *arg);

/** sl_neigh_find(), _add() and _learn() for an IPv6 next hop. */
int sl_neigh_find6(const struct sl_neigh_table *t, uint16_t port, const struct sl_in6 *ip);
int sl_neigh_add6(struct sl_neigh_table *t, uint16_t port, const struct sl_in6 *ip);
int sl_neigh_learn6(struct sl_neigh_table *t, uint16_t port, const struct sl_in6 *ip,
		    const struct rte_ether_addr *mac, uint64_t now);

/** Neighbour discovery (RFC 4861) message fields of interest. */
struct sl_nd_info {
	uint8_t type;                /**< 135 solicitation, 136 advertisement */
	uint8_t flags;               /**< NA: R (0x80), S (0x40), O (0x20) */
	uint8_t has_lla;             /**< a link-layer address option was there */
	struct sl_in6 target;        /**< target address */
	struct rte_ether_addr lla;   /**< source (NS) or target (NA) link-layer
				      *   address option */
};

#define SL_ND_NS 135
#define SL_ND_NA 136

/**
 * Check an NS or NA already parsed by sl_pkt_parse6() (ICMPv6 type 135
 * or 136, checksum verified there) against RFC 4861 section 7.1: hop
 * limit 255, code 0, message at least 24 bytes, the target not
 * multicast, options well formed (none of length 0, none past the
 * message); an NA sent to a multicast group without the S flag; an NS
 * from :: (duplicate address detection) to the target's solicited-node
 * group and without a source link-layer address option. Fills @p nd
 * (the link-layer address from option 1 in an NS, 2 in an NA; other
 * options are skipped). @return 0 or -EINVAL.
 */
int sl_nd_parse(const uint8_t *frame, uint32_t len, const struct sl_pkt6_info *pi,
		struct sl_nd_info *nd);

/** The solicited-node multicast address of @p a (ff02::1:ffXX:XXXX) and
 *  its Ethernet group address (33:33:ff:XX:XX:XX). */
void sl_nd_solicited_node(const struct sl_in6 *a, struct sl_in6 *group,
			  struct rte_ether_addr *mac);

/**
 * Write a neighbour solicitation for @p target from @p src (a unicast
 * address, not ::) and @p src_mac, also in the source link-layer address
 * option, to the target's solicited-node multicast group: Ethernet +
 * IPv6 (hop limit 255) + ICMPv6 135 with a correct checksum.
 * @return the frame length (86).
 */
unsigned sl_nd_build_ns(uint8_t *frame, const struct rte_ether_addr *src_mac,
			const struct sl_in6 *src, const struct sl_in6 *target);

/**
 * Write a neighbour advertisement for @p target from @p src / @p mac
 * (@p mac also in the target link-layer address option) to @p dst /
 * @p dst_mac: Ethernet + IPv6 (hop limit 255) + ICMPv6 136 with a
 * correct checksum. @p flags: R (0x80), S (0x40), O (0x20), other bits
 * ignored. An unsolicited one goes to ff02::1 / 33:33:00:00:00:01
 * without S. @return the frame length (86).
 */
unsigned sl_nd_build_na(uint8_t *frame, const struct rte_ether_addr *mac,
			const struct rte_ether_addr *dst_mac, const struct sl_in6 *src,
			const struct sl_in6 *dst, const struct sl_in6 *target,
			uint8_t flags);

/** ARP fields of interest, network byte order. */
struct sl_arp_info {
	uint16_t op;                 /**< host order: 1 request, 2 reply */
	struct rte_ether_addr sha;
	rte_be32_t spa;
	struct rte_ether_addr tha;
	rte_be32_t tpa;
};

/** Parse an ARP payload at @p arp (@p len bytes); 0 or -EINVAL. */
int sl_arp_parse(const uint8_t *arp, uint32_t len, struct sl_arp_info *ai);

/**
 * Write a 60-byte (minimum size, zero padded) Ethernet+ARP frame.
 * @param eth_dst  Ethernet destination (broadcast for requests)
 * @return frame length (60).
 */
unsigned sl_arp_build(uint8_t *frame, uint16_t op,
		      const struct rte_ether_addr *eth_dst,
		      const struct rte_ether_addr *sha, rte_be32_t spa,
		      const struct rte_ether_addr *tha, rte_be32_t tpa);

#endif /* SL_NEIGH_H */
