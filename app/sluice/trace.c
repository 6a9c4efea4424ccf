/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The `trace` command: what the workers do with the packets of one
 * service or one client, as they pass, and why (sl_fwd_trace.h). The
 * management lcore sets the filter and turns the trace on; each worker
 * traces at most COUNT matching packets and passes their verdicts over
 * its trace ring (a full ring loses the verdict and counts it,
 * trace_lost: a worker never waits); the command answers once COUNT
 * verdicts have come or its time is over, and turns the trace off.
 * One trace at a time.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include <rte_cycles.h>

#include "sluice.h"
#include "cmd.h"
#include "sl_fwd_trace.h"

#define TRACE_COUNT_MAX   10000
#define TRACE_TIMEOUT_MAX 60

struct trace_state {
	uint64_t start, end;       /* TSC */
	uint32_t want, got;
	uint8_t gen;
	uint64_t lost0;            /* trace_lost over the workers at start */
	struct sl_out lines;       /* text lines, or JSON strings joined by commas */
};

static uint64_t
lost_now(const struct sl_app *app)
{
	uint64_t n = 0;
	unsigned i;

	for (i = 0; i < app->n_workers; i++)
		n += app->workers[i]->stats.trace_lost;
	return n;
}

/* Verdicts left in the rings (a trace before this one): thrown away. */
static void
drain_rings(struct sl_app *app)
{
	struct sl_fwd_verdict v;
	unsigned i;

	for (i = 0; i < app->n_workers; i++)
		while (rte_ring_sc_dequeue_elem(app->workers[i]->trace_ring, &v, sizeof(v)) == 0)
			;
}

static int
trace_cont(struct sl_app *app, void *state, struct sl_out *o, int give_up)
{
	struct trace_state *t = state;
	const struct sl_snapshot *s = sl_svc_current(&app->svc);
	uint64_t now = rte_rdtsc(), lost;
	struct sl_fwd_verdict v;
	char line[1024];
	unsigned i;

	for (i = 0; i < app->n_workers && t->got < t->want; i++)
		while (t->got < t->want &&
		       rte_ring_sc_dequeue_elem(app->workers[i]->trace_ring, &v, sizeof(v)) == 0) {
			if (v.gen != t->gen)
				continue;
			sl_fwd_verdict_format(&v, s, t->start, app->hz, line, sizeof(line));
			if (o->json) {
				if (t->got != 0)
					sl_out_printf(&t->lines, ",");
				sl_out_jstr(&t->lines, line);
			} else {
				sl_out_printf(&t->lines, "%s\n", line);
			}
			t->got++;
		}
	if (t->got < t->want && !give_up && now < t->end)
		return -EINPROGRESS;
	__atomic_store_n(&app->fwd.trace.on, 0, __ATOMIC_RELEASE);
	lost = lost_now(app) - t->lost0;
	if (o->json) {
		sl_out_printf(o, "{\"packets\":[%s],\"traced\":%u,\"lost\":%" PRIu64 ",\"seconds\":%.3f}",
			      t->lines.buf != NULL ? t->lines.buf : "", t->got, lost,
			      (double)(now - t->start) / (double)app->hz);
	} else {
		sl_out_printf(o, "%s%u packet(s) traced in %.3f s (%s), %" PRIu64 " lost (trace ring full)\n",
			      t->lines.buf != NULL ? t->lines.buf : "", t->got,
			      (double)(now - t->start) / (double)app->hz,
			      t->got >= t->want ? "count reached" : "time over", lost);
	}
	sl_out_free(&t->lines);
	free(t);
	return 0;
}

int
sl_cmd_trace(struct sl_app *app, int argc, char **argv, struct sl_out *o)
{
	struct sl_fwd_trace_ctl *tc = &app->fwd.trace;
	const struct sl_snapshot *s = sl_svc_current(&app->svc);
	const struct sl_service *sv = sl_svc_find(s, argv[0]);
	unsigned long count = 10, timeout = 10;
	struct sl_in6 client = { { 0 } };
	struct trace_state *t;
	struct in_addr a4;
	int i, ret;

	if (sv == NULL) {
		if (inet_pton(AF_INET, argv[0], &a4) == 1) {
			client.b[10] = client.b[11] = 0xff;
			memcpy(&client.b[12], &a4, 4);
		} else if (inet_pton(AF_INET6, argv[0], client.b) != 1) {
			sl_out_printf(o, "'%s' is neither a service nor an IPv4/IPv6 address; usage: trace SERVICE|CLIENT [count N] [timeout S]",
				      argv[0]);
			return -EINVAL;
		}
	}
	for (i = 1; i < argc; i++) {
		unsigned long *dst = strcmp(argv[i], "count") == 0 ? &count :
			strcmp(argv[i], "timeout") == 0 ? &timeout : NULL;
		unsigned long max = dst == &count ? TRACE_COUNT_MAX : TRACE_TIMEOUT_MAX;
		char *end;

		if (dst == NULL || i + 1 >= argc) {
			sl_out_printf(o, "unexpected '%s'; usage: trace SERVICE|CLIENT [count N] [timeout S]",
				      argv[i]);
			return -EINVAL;
		}
		*dst = strtoul(argv[++i], &end, 10);
		if (*end != '\0' || *dst == 0 || *dst > max || argv[i][0] == '-') {
			sl_out_printf(o, "%s '%s' is not a number from 1 to %lu", argv[i - 1], argv[i], max);
			return -EINVAL;
		}
	}
	if (__atomic_load_n(&tc->on, __ATOMIC_ACQUIRE)) {
		sl_out_printf(o, "a trace is running (one at a time)");
		return -EBUSY;
	}
	t = calloc(1, sizeof(*t));
	if (t == NULL) {
		sl_out_printf(o, "out of memory");
		return -ENOMEM;
	}
	t->want = (uint32_t)count;
	t->start = rte_rdtsc();
	t->end = t->start + timeout * app->hz;
	t->lost0 = lost_now(app);
	t->lines.json = o->json;
	drain_rings(app);
	tc->svc = sv != NULL ? (int)sv->id : -1;
	tc->client = client;
	/* each worker may trace the whole count: the command takes the first */
	tc->max = (uint32_t)count;
	/* a new generation: workers count from 0 and old verdicts are told apart */
	__atomic_store_n(&tc->gen, tc->gen + 1, __ATOMIC_RELEASE);
	t->gen = (uint8_t)tc->gen;
	ret = sl_cmd_defer_for(o, trace_cont, t, (unsigned)timeout + 1);
	if (ret != -EINPROGRESS) {
		free(t);
		return ret;
	}
	__atomic_store_n(&tc->on, 1, __ATOMIC_RELEASE);
	return ret;
}
