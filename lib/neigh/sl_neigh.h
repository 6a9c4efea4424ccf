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
 * a MAC change needs no snapshot and no lock. Entries are never moved or
 * removed while Sluice runs, so an index stays valid in any snapshot.
 *
 * Thread-safety: sl_neigh_mac() from any lcore; everything else on the
 * management lcore only.
 */

#include <stdint.h>
#include <string.h>
#include <rte_common.h>
#include <rte_ether.h>
#include <rte_mbuf.h>

#define SL_NEIGH_VALID   (1ULL << 63)
#define SL_NEIGH_HOLD    4      /**< packets held per unresolved entry */
#define SL_NEIGH_RETRIES 3      /**< ARP requests before giving up a hold queue */

struct sl_neigh_meta {
	rte_be32_t ip;
	uint16_t port;          /**< index of the Sluice port it is reached on */
	uint8_t n_held;
	uint8_t tries;          /**< unanswered requests in a row */
	uint64_t updated;       /**< TSC of the last reply heard */
	uint64_t requested;     /**< TSC of the last request sent */
	struct rte_mbuf *held[SL_NEIGH_HOLD];
};

struct sl_neigh_table {
	uint32_t capacity;
	uint32_t count;
	uint64_t *macw;              /**< read by workers */
	struct sl_neigh_meta *meta;  /**< management lcore only */
};

/** Create a table; NULL with rte_errno set on failure. */
struct sl_neigh_table *sl_neigh_create(uint32_t capacity, int socket_id);
/** Free a table and any held packets. */
void sl_neigh_free(struct sl_neigh_table *t);

/** Index of the entry for (@p port, @p ip), or -ENOENT. */
int sl_neigh_find(const struct sl_neigh_table *t, uint16_t port, rte_be32_t ip);
/** Index of the entry, added unresolved if new; -ENOSPC when full. */
int sl_neigh_add(struct sl_neigh_table *t, uint16_t port, rte_be32_t ip);

/** Worker side: copy the MAC of entry @p idx; 1 if resolved, 0 if not. */
static __rte_always_inline int
sl_neigh_mac(const struct sl_neigh_table *t, uint32_t idx, struct rte_ether_addr *mac)
{
	/* acquire: pairs with the release store in sl_neigh_learn() */
	uint64_t w = __atomic_load_n(&t->macw[idx], __ATOMIC_ACQUIRE);

	if (!(w & SL_NEIGH_VALID))
		return 0;
	/* the MAC's bytes are the word's first six in memory */
	memcpy(mac, &w, RTE_ETHER_ADDR_LEN);
	return 1;
}

/**
 * Record that @p ip on @p port has @p mac (from an ARP packet). Only
 * known entries are updated, so ARP traffic cannot fill the table.
 * @return the entry index, or -ENOENT.
 */
int sl_neigh_learn(struct sl_neigh_table *t, uint16_t port, rte_be32_t ip,
		   const struct rte_ether_addr *mac, uint64_t now);

/** Hold a packet for entry @p idx until it resolves; -ENOSPC when the
 *  hold queue is full (the caller drops and counts). */
int sl_neigh_hold(struct sl_neigh_table *t, uint32_t idx, struct rte_mbuf *m);

/** Take the packets held for @p idx (at most @p max). */
unsigned sl_neigh_take_held(struct sl_neigh_table *t, uint32_t idx,
			    struct rte_mbuf **out, unsigned max);

/** Called by sl_neigh_age() for each entry that needs an ARP request. */
typedef void (*sl_neigh_request_cb)(uint32_t idx, uint16_t port, rte_be32_t ip,
				    void *arg);

/**
 * Periodic upkeep: request unresolved entries once a second; refresh
 * resolved ones after 3/4 of @p timeout; invalidate those not heard from
 * for @p timeout; drop held packets after SL_NEIGH_RETRIES requests.
 * @return number of held packets dropped.
 */
unsigned sl_neigh_age(struct sl_neigh_table *t, uint64_t now, uint64_t hz,
		      uint32_t timeout_s, sl_neigh_request_cb cb, void *arg);

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
