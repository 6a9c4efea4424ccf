/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SL_FWD_STEER_H
#define SL_FWD_STEER_H

/**
 * @file
 * Owner of a client address, in the form a NIC can compute.
 *
 * A connection belongs to the worker of its client address (sl_fwd.h).
 * That worker is read off a Toeplitz hash of the address alone, with
 * Sluice's key, through a table of SL_STEER_SLOTS slots:
 *
 *     owner = slot_owner(toeplitz(key, client address) % SL_STEER_SLOTS)
 *
 * which is what a NIC's RSS does when it hashes one address with that
 * key and its redirection table (RETA) holds slot_owner(j %
 * SL_STEER_SLOTS) at entry j (sl_steer_reta_fill()), queue i being
 * worker i's. A port whose packets carry the client as source (clients
 * to VIPs) hashes the source address only; a port whose packets carry
 * it as destination (replies of nat services) the destination address
 * only. Such a port delivers every packet to its owner's queue and
 * nothing is passed between workers; on any other port the redirect
 * rings pass what lands elsewhere. The hash is computed here from
 * per-byte tables: four loads for an IPv4 address, sixteen for IPv6.
 */

#include <stdint.h>
#include <rte_byteorder.h>
#include <rte_ethdev.h>
#include <rte_flow.h>

#include "sl_config.h"

/** Bytes of the Toeplitz key Sluice gives every steering port. */
#define SL_STEER_KEY_LEN 40
/** Slots of the software redirection table: a power of two that
 *  divides every RETA a steering port may have. */
#define SL_STEER_SLOTS 128

/** Sluice's RSS key (the key most NICs ship as their default). */
extern const uint8_t sl_steer_key[SL_STEER_KEY_LEN];

/** [i][v]: the Toeplitz hash of an input whose byte i is v and every
 *  other byte 0. A hash is the XOR of one entry per input byte. */
extern uint32_t sl_steer_tab[16][256];

/** Toeplitz hash of an IPv4 address (network order) under sl_steer_key. */
static inline uint32_t
sl_steer_hash4(rte_be32_t ip)
{
	const uint8_t *b = (const uint8_t *)&ip;

	return sl_steer_tab[0][b[0]] ^ sl_steer_tab[1][b[1]] ^
	       sl_steer_tab[2][b[2]] ^ sl_steer_tab[3][b[3]];
}

/** Toeplitz hash of @p len bytes (at most 16) under sl_steer_key. */
static inline uint32_t
sl_steer_hash(const uint8_t *in, unsigned len)
{
	uint32_t h = 0;
	unsigned i;

	for (i = 0; i < len; i++)
		h ^= sl_steer_tab[i][in[i]];
	return h;
}

/** Worker of redirection slot @p slot among @p n: slots in n runs. */
static inline unsigned
sl_steer_slot_owner(unsigned slot, unsigned n)
{
	return (slot * n) / SL_STEER_SLOTS;
}

/** Worker of IPv4 client @p ip (network order) among @p n workers. */
static inline unsigned
sl_steer_owner4(rte_be32_t ip, unsigned n)
{
	if (n == 1)
		return 0;
	return sl_steer_slot_owner(sl_steer_hash4(ip) & (SL_STEER_SLOTS - 1), n);
}

/** Worker of IPv6 client @p a (16 bytes, network order) among @p n. */
static inline unsigned
sl_steer_owner6(const void *a, unsigned n)
{
	if (n == 1)
		return 0;
	return sl_steer_slot_owner(sl_steer_hash((const uint8_t *)a, 16) &
				   (SL_STEER_SLOTS - 1), n);
}

/**
 * Fill a port's redirection table of @p reta_size entries (@p conf holds
 * reta_size / RTE_ETH_RETA_GROUP_SIZE groups) so that entry j names the
 * queue of sl_steer_slot_owner(j % SL_STEER_SLOTS, n).
 *
 * @return 0, or -EINVAL when @p reta_size is not a power of two of at
 *   least SL_STEER_SLOTS (the NIC's choice of entry would then disagree
 *   with the slot) or @p n is 0.
 */
int sl_steer_reta_fill(struct rte_eth_rss_reta_entry64 *conf,
		       uint16_t reta_size, unsigned n);

/**
 * The RSS types a port with @p nq queues asks for to steer as @p mode
 * says (source or destination), or 0 when it cannot or should not, with
 * the reason in @p why. Steering needs several queues, RSS over IPv4 or
 * IPv6 with the one address alone (RTE_ETH_RSS_L3_SRC_ONLY or
 * _DST_ONLY), a key of 40 to 64 bytes, and a redirection table whose
 * entry the NIC picks as the slot does (sl_steer_reta_fill()), of at
 * most SL_STEER_RETA_MAX entries.
 */
uint64_t sl_steer_rss_hf(enum sl_steering mode, const struct rte_eth_dev_info *info,
			 unsigned nq, const char **why);

/**
 * Give port @p pid (started, with @p n RX queues) the redirection table
 * of @p reta_size entries that steers each slot to its owner, and read
 * it back.
 * @return 0, or a negative errno with the reason in @p why: a size
 *   sl_steer_reta_fill() refuses or larger than 8192, the device
 *   refusing the table, or a table read back that differs.
 */
int sl_steer_port_reta(uint16_t pid, uint16_t reta_size, unsigned n, const char **why);
/* (at start, from one thread: the tables it builds are static) */

/*
 * FullNAT replies. A fullnat connection's replies carry a local address
 * and port, not the client's address: the worker that opened it chose
 * the local port from its own slice, so the port names the owner
 * (sl_lport_owner(), sl_config.h). The port's low bits are its slot, of
 * sl_lport_slots(); slot s belongs to worker s % n. A NIC can match low
 * bits: one rte_flow rule per local address, protocol and slot
 * (destination address, destination port under the slot mask, to the
 * slot's worker's queue) delivers every reply where its connection is.
 */

/**
 * The destination-port match of slot @p slot among @p n workers:
 * (port & @p mask) == @p spec, host order; its replies go to worker
 * @p slot % @p n.
 * @return 0, or -EINVAL when @p n < 2 (nothing to steer) or @p slot is
 *   not one of sl_lport_slots(@p n).
 */
int sl_steer_lport_match(unsigned slot, unsigned n, uint16_t *spec, uint16_t *mask);

/** One rte_flow rule: replies to one local address and protocol whose
 *  destination port is in one slot go to its worker's queue. Its
 *  pattern and actions point into it: fill it in place and do not copy
 *  it before rte_flow_create() has taken it. */
struct sl_steer_lport_flow {
	struct rte_flow_attr attr;
	struct rte_flow_item pattern[4];     /**< ETH, IPV4|IPV6, TCP|UDP, END */
	struct rte_flow_action actions[2];   /**< QUEUE, END */
	union {
		struct rte_flow_item_ipv4 v4;
		struct rte_flow_item_ipv6 v6;
	} ip, ip_mask;
	union {
		struct rte_flow_item_tcp tcp;
		struct rte_flow_item_udp udp;
	} l4, l4_mask;
	struct rte_flow_action_queue queue;
};

/**
 * Fill @p f: ingress frames to local address @p addr (4 bytes if not
 * @p v6, else 16; network order), protocol @p proto (IPPROTO_TCP or
 * IPPROTO_UDP), destination port in slot @p slot among @p n workers
 * (sl_steer_lport_match()), to queue @p slot % @p n.
 * @return 0, or -EINVAL for a protocol other than TCP or UDP or what
 *   sl_steer_lport_match() refuses.
 */
int sl_steer_lport_flow(struct sl_steer_lport_flow *f, int v6, const void *addr,
			uint8_t proto, unsigned slot, unsigned n);

/** A port's fullnat local addresses, as its rules cover them (zero
 *  beyond the counts, so that two sets compare with memcmp()). */
struct sl_steer_locals {
	uint16_t n4, n6;
	rte_be32_t a4[SL_MAX_LOCAL_ADDRS];
	uint8_t a6[SL_MAX_LOCAL_ADDRS][16];
};

/** Make one rule on the device: its handle, or NULL with the device's
 *  reason in @p err (NULL: none given). */
typedef void *(*sl_steer_make_fn)(void *ctx, const struct sl_steer_lport_flow *f,
				  const char **err);
/** Remove a rule sl_steer_make_fn made. */
typedef void (*sl_steer_undo_fn)(void *ctx, void *rule);

/** Rules a port with @p loc's addresses and @p n workers takes. */
static inline unsigned
sl_steer_lport_count(const struct sl_steer_locals *loc, unsigned n)
{
	return (loc->n4 + loc->n6) * 2u * sl_lport_slots(n);
}

/**
 * Make the rules that steer the replies to @p loc's addresses among @p n
 * workers: per address (IPv4, then IPv6), TCP and UDP, and slot, all
 * or none: when @p make refuses one, every rule made before it is
 * undone. @p rules has room for sl_steer_lport_count() handles.
 * @p why says what steers the replies: "NIC rules: ..." or "redirect
 * rings: " and why (the device's refusal of a rule for an address), or
 * that one worker needs none.
 * @return the rules made: sl_steer_lport_count(), or 0.
 */
unsigned sl_steer_lport_install(const struct sl_steer_locals *loc, unsigned n,
				sl_steer_make_fn make, sl_steer_undo_fn undo, void *ctx,
				void **rules, char *why, size_t whylen);

/** Largest redirection table a steering port takes (entries). */
#define SL_STEER_RETA_MAX 8192

/** Largest RSS key a steering port takes (bytes). */
#define SL_STEER_KEY_MAX 64

#endif /* SL_FWD_STEER_H */
