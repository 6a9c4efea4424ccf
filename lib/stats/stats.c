/* SPDX-License-Identifier: BSD-3-Clause */
#include "sl_stats.h"

static const char *const drop_names[SL_DROP_MAX] = {
	[SL_DROP_NONE] = "none",
#define SL_X_NAME(e, n, d) [SL_DROP_##e] = n,
	SL_DROP_REASONS(SL_X_NAME)
#undef SL_X_NAME
};

static const char *const drop_descs[SL_DROP_MAX] = {
	[SL_DROP_NONE] = "not dropped",
#define SL_X_DESC(e, n, d) [SL_DROP_##e] = d,
	SL_DROP_REASONS(SL_X_DESC)
#undef SL_X_DESC
};

const char *
sl_drop_name(enum sl_drop d)
{
	return (unsigned)d < SL_DROP_MAX ? drop_names[d] : "unknown";
}

const char *
sl_drop_desc(enum sl_drop d)
{
	return (unsigned)d < SL_DROP_MAX ? drop_descs[d] : "unknown";
}

void
sl_obj_stats_add(struct sl_obj_stats *dst, const struct sl_obj_stats *src)
{
	dst->pkts_in += src->pkts_in;
	dst->bytes_in += src->bytes_in;
	dst->pkts_out += src->pkts_out;
	dst->bytes_out += src->bytes_out;
	dst->conns_total += src->conns_total;
	dst->conns_active += src->conns_active;
	dst->drops += src->drops;
}

void
sl_worker_stats_add(struct sl_worker_stats *dst, const struct sl_worker_stats *src)
{
	unsigned i;

	dst->rx_pkts += src->rx_pkts;
	dst->rx_bursts += src->rx_bursts;
	dst->tx_pkts += src->tx_pkts;
	dst->redirected += src->redirected;
	dst->slowpath += src->slowpath;
	dst->icmp_echo += src->icmp_echo;
	dst->polls += src->polls;
	dst->idle_polls += src->idle_polls;
	dst->busy_tsc += src->busy_tsc;
	dst->sleeps += src->sleeps;
	dst->conns_created += src->conns_created;
	dst->conns_expired += src->conns_expired;
	dst->conns_flushed += src->conns_flushed;
	dst->rst_sent += src->rst_sent;
	dst->cap_drops += src->cap_drops;
	for (i = 0; i < SL_DROP_MAX; i++)
		dst->drops[i] += src->drops[i];
}
