/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SL_CONN_TABLE_H
#define SL_CONN_TABLE_H

/*
 * Private to lib/flow: the hash index from a packet's 5-tuple to a
 * connection record and direction.
 *
 * Built for one writer and for keys that live in the records: a bucket
 * holds eight 16-bit signatures and eight 32-bit references (record
 * index and direction), one cache line, and no keys. A lookup compares
 * signatures in the key's two candidate buckets, then compares the key
 * with the fields of the record it points to, the record the caller
 * needs next anyway. Two keys per connection cost 2 x 64 / 6 = about
 * 21 bytes at the 75% load the table is sized for, against rte_hash's
 * key store, bucket and extendable-bucket arrays.
 *
 * Insertion takes a free slot in either candidate bucket, else moves one
 * entry of those buckets to its own other bucket (recomputing its hash
 * from its record). Removal finds the entry by its reference, with no
 * key comparison.
 *
 * Thread-safety: one thread only (the owning worker).
 */

#include <stdint.h>
#include <rte_common.h>

#include "sl_flow.h"

#define CT_WAYS 8

struct ct_bucket {
	uint16_t sig[CT_WAYS];
	uint32_t ref[CT_WAYS];      /* 0 = free; else (idx + 1) << 1 | dir */
	uint8_t pad[RTE_CACHE_LINE_SIZE - CT_WAYS * 6];
} __rte_cache_aligned;

struct conn_table {
	struct ct_bucket *b;
	uint32_t nb;                /* buckets */
	const struct sl_conn *recs; /* the records references point into */
};

#endif
