/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SL_FWD_PRIV_H
#define SL_FWD_PRIV_H

/*
 * What the files of lib/fwd share and nothing else sees: the way frames
 * are dropped and sent, and the Proxy Protocol steps the packet path
 * calls (fwd_proxy.c).
 *
 * Thread-safety: a worker's own lcore only, as all of lib/fwd.
 */

#include "sl_fwd.h"
#include "sl_pkt.h"

/* Send what port @p pidx's TX buffer holds (fwd.c). */
void sl_fwd_tx_flush(struct sl_worker *w, uint16_t pidx);

static __rte_always_inline void
drop(struct sl_worker *w, struct rte_mbuf *m, enum sl_drop why)
{
	w->stats.drops[why]++;
	rte_pktmbuf_free(m);
}

/*
 * Every frame leaves through here (sl_fwd_send() included) into its
 * port's TX buffer, sent by sl_fwd_tx_flush() when full or at the end of the
 * loop (sl_fwd_flush()).
 */
static __rte_always_inline void
tx(struct sl_worker *w, uint16_t pidx, struct rte_mbuf *m)
{
	struct rte_eth_dev_tx_buffer *b = w->txb[pidx];

	w->stats.tx_pkts++;
	b->pkts[b->length++] = m;
	if (unlikely(b->length == b->size))
		sl_fwd_tx_flush(w, pidx);
}

/* Proxy Protocol (fwd_proxy.c): the client's SYN of a new connection of
 * a service with a header; a client packet rewritten for the backend
 * (@p out_port < 0: not sent yet, the header waits); a backend packet
 * before its rewrite for the client. */
void sl_fwd_pp_begin(struct sl_worker *w, struct sl_conn *c, const uint8_t *data,
		     const struct sl_pkt_info *pi, uint8_t version);
void sl_fwd_pp_client(struct sl_worker *w, struct sl_conn *c, struct rte_mbuf *m,
		      uint8_t *data, const struct sl_pkt_info *pi, int out_port, uint64_t now);
void sl_fwd_pp_backend(struct sl_worker *w, const struct sl_snapshot *snap,
		       struct sl_conn *c, uint8_t *data, const struct sl_pkt_info *pi);

#endif /* SL_FWD_PRIV_H */
