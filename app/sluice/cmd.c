/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The command table and its handlers (see cmd.h). Changes to services go
 * through the live configuration and a snapshot rebuild, exactly as a
 * reload does, so a command can never half-apply.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_malloc.h>

#include "sluice.h"
#include "cmd.h"

#define MAX_ARGS 16

void
sl_out_printf(struct sl_out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		size_t room = o->cap - o->len;

		va_start(ap, fmt);
		n = vsnprintf(o->buf != NULL ? o->buf + o->len : NULL, room, fmt, ap);
		va_end(ap);
		if (n < 0)
			return;
		if ((size_t)n < room) {
			o->len += (size_t)n;
			return;
		}
		{
			size_t cap = (o->cap ? o->cap * 2 : 4096) + (size_t)n;
			char *nb = realloc(o->buf, cap);

			if (nb == NULL)
				return;
			o->buf = nb;
			o->cap = cap;
		}
	}
}

void
sl_out_jstr(struct sl_out *o, const char *s)
{
	sl_out_printf(o, "\"");
	for (; *s != '\0'; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			sl_out_printf(o, "\\%c", ch);
		else if (ch < 0x20)
			sl_out_printf(o, "\\u%04x", ch);
		else
			sl_out_printf(o, "%c", ch);
	}
	sl_out_printf(o, "\"");
}

void
sl_out_free(struct sl_out *o)
{
	free(o->buf);
	o->buf = NULL;
	o->len = o->cap = 0;
}

static const char *
ipstr(rte_be32_t a, char *buf)
{
	inet_ntop(AF_INET, &a, buf, INET_ADDRSTRLEN);
	return buf;
}

/* An address for text: IPv4 as it is, IPv6 in brackets when
 * @p bracket (before ":PORT"); @p buf holds ADDR_MAX. */
#define ADDR_MAX (INET6_ADDRSTRLEN + 2)
static const char *
addrstr(int v6, rte_be32_t a4, const struct sl_in6 *a6, int bracket, char *buf)
{
	char t[INET6_ADDRSTRLEN];

	if (!v6)
		return ipstr(a4, buf);
	inet_ntop(AF_INET6, a6, t, sizeof(t));
	snprintf(buf, ADDR_MAX, bracket ? "[%s]" : "%s", t);
	return buf;
}

static const char *
proto_name(uint8_t p)
{
	return p == IPPROTO_TCP ? "tcp" : p == IPPROTO_UDP ? "udp" : "?";
}

/* ---- show ---- */

static int
show_ports(struct sl_app *app, int argc, char **argv, struct sl_out *o)
{
	const struct sl_snapshot *s = sl_svc_current(&app->svc);
	char a[INET_ADDRSTRLEN];
	unsigned i;

	if (o->json)
		sl_out_printf(o, "[");
	for (i = 0; i < app->n_ports; i++) {
		const struct sl_config_port *cp = &app->cfg->ports[i];
		struct rte_eth_link link = { 0 };
		struct rte_eth_stats st = { 0 };
		char a6[ADDR_MAX], pfx6[8], reta[40];
		uint64_t passed;
		unsigned k, rules;
		const char *rsteer = sl_ports_reply_steering(i, &rules);

		snprintf(pfx6, sizeof(pfx6), "/%u", s->ports[i].prefix6);
		snprintf(reta, sizeof(reta), " (redirection table of %u): ",
			 app->steer[i].reta_size);
		if (app->steer[i].why == NULL)
			app->steer[i].why = "not set up";
		for (k = 0, passed = 0; k < app->n_workers; k++)
			if (app->workers[k] != NULL)
				passed += app->workers[k]->port_redirected[i];
		rte_eth_link_get_nowait(app->hw[i].port_id, &link);
		sl_ports_stats(app, i, &st);
		if (o->json) {
			sl_out_printf(o, "%s{\"name\":", i ? "," : "");
			sl_out_jstr(o, cp->name);
			sl_out_printf(o, ",\"device\":");
			sl_out_jstr(o, cp->device);
			sl_out_printf(o, ",\"port_id\":%u,\"link\":%s,\"speed_mbps\":%u,"
				      "\"mac\":\"" RTE_ETHER_ADDR_PRT_FMT "\",\"address\":\"%s/%u\","
				      "\"mtu\":%u,\"kernel_interface\":", app->hw[i].port_id,
				      link.link_status ? "true" : "false", link.link_speed,
				      RTE_ETHER_ADDR_BYTES(&app->hw[i].mac),
				      ipstr(s->ports[i].addr, a), cp->prefix_len, app->hw[i].mtu);
			sl_out_jstr(o, cp->kernel_if);
			if (s->ports[i].has6)
				sl_out_printf(o, ",\"address6\":\"%s/%u\"",
					      addrstr(1, 0, &s->ports[i].addr6, 0, a6), s->ports[i].prefix6);
			sl_out_printf(o, ",\"rx_packets\":%" PRIu64 ",\"rx_bytes\":%" PRIu64
				      ",\"tx_packets\":%" PRIu64 ",\"tx_bytes\":%" PRIu64
				      ",\"rx_missed\":%" PRIu64 ",\"rx_errors\":%" PRIu64
				      ",\"tx_errors\":%" PRIu64 ",\"rx_nombuf\":%" PRIu64
				      ",\"rx_redirected\":%" PRIu64
				      ",\"steering\":\"%s\",\"steering_reta\":%u,\"steering_why\":",
				      st.ipackets, st.ibytes, st.opackets, st.obytes,
				      st.imissed, st.ierrors, st.oerrors, st.rx_nombuf, passed,
				      sl_config_steering_name(app->steer[i].mode),
				      app->steer[i].reta_size);
			sl_out_jstr(o, app->steer[i].why);
			if (rsteer != NULL) {
				sl_out_printf(o, ",\"fullnat_reply_rules\":%u,\"fullnat_reply_steering\":",
					      rules);
				sl_out_jstr(o, rsteer);
			}
			sl_out_printf(o, "}");
			continue;
		}
		sl_out_printf(o, "port %s (%s, port %u): link %s %u Mb/s, MAC "
			      RTE_ETHER_ADDR_PRT_FMT ", %s/%u%s%s%s, mtu %u%s%s\n"
			      "  rx %" PRIu64 " packets %" PRIu64 " bytes, missed %" PRIu64
			      ", errors %" PRIu64 ", no mbuf %" PRIu64 "\n"
			      "  tx %" PRIu64 " packets %" PRIu64 " bytes, errors %" PRIu64 "\n"
			      "  steering %s%s%s\n"
			      "  redirected %" PRIu64 " (%.1f%% of rx): passed to their owner worker\n",
			      cp->name, cp->device, app->hw[i].port_id,
			      link.link_status ? "up" : "down", link.link_speed,
			      RTE_ETHER_ADDR_BYTES(&app->hw[i].mac), ipstr(s->ports[i].addr, a),
			      cp->prefix_len, s->ports[i].has6 ? ", " : "",
			      s->ports[i].has6 ? addrstr(1, 0, &s->ports[i].addr6, 0, a6) : "",
			      s->ports[i].has6 ? pfx6 : "", app->hw[i].mtu,
			      cp->kernel_if[0] ? ", kernel interface " : "",
			      cp->kernel_if, st.ipackets, st.ibytes, st.imissed, st.ierrors,
			      st.rx_nombuf, st.opackets, st.obytes, st.oerrors,
			      sl_config_steering_name(app->steer[i].mode),
			      app->steer[i].mode == SL_STEERING_OFF ? ": " : reta,
			      app->steer[i].why, passed,
			      st.ipackets != 0 ? 100.0 * (double)passed / (double)st.ipackets : 0.0);
		if (rsteer != NULL)
			sl_out_printf(o, "  fullnat replies: %s\n", rsteer);
	}
	if (o->json)
		sl_out_printf(o, "]");
	return 0;
}

static const struct sl_config_service *
live_service(const struct sl_app *app, const char *name)
{
	unsigned i;

	for (i = 0; i < app->live_cfg->n_services; i++)
		if (strcmp(app->live_cfg->services[i].name, name) == 0)
			return &app->live_cfg->services[i];
	return NULL;
}

static int
show_services(struct sl_app *app, int argc, char **argv, struct sl_out *o)
{
	const struct sl_snapshot *s = sl_svc_current(&app->svc);
	char a[ADDR_MAX], cnt[SL_STATS_RENDER_MAX];
	unsigned i, k = 0;

	if (o->json)
		sl_out_printf(o, "[");
	for (i = 0; i < s->n_services; i++) {
		const struct sl_service *sv = &s->services[i];
		const struct sl_config_service *cs;
		struct sl_obj_stats t;
		unsigned j, usable = 0;

		if (!sv->used)
			continue;
		cs = live_service(app, sv->name);
		for (j = 0; j < sv->n_backends; j++)
			usable += sv->ss.weight[j] != 0;
		sl_mgmt_sum(app, sv->id, 0, &t);
		sl_obj_stats_render(&t, o->json ? SL_STATS_JSON : SL_STATS_TEXT, cnt, sizeof(cnt));
		if (o->json) {
			sl_out_printf(o, "%s{\"name\":", k++ ? "," : "");
			sl_out_jstr(o, sv->name);
			sl_out_printf(o, ",\"vip\":\"%s\",\"port\":%u,\"protocol\":\"%s\","
				      "\"mode\":\"%s\",\"scheduler\":\"%s\",\"persistence\":%u,\"check\":\"%s\","
				      "\"backends\":%u,\"usable\":%u,\"leaving\":%s,%s}",
				      addrstr(sv->v6, sv->vip, &sv->vip6, 0, a),
				      rte_be_to_cpu_16(sv->port),
				      proto_name(sv->proto), sl_config_mode_name(sv->mode, sv->encap),
				      sv->sched->name, sv->persist_s,
				      cs == NULL ? "none" : cs->check.kind == SL_CHECK_TCP ? "tcp" :
				      cs->check.kind == SL_CHECK_HTTP ? "http" :
				      cs->check.kind == SL_CHECK_UDP ? "udp" : "none",
				      sv->n_backends, usable, sv->leaving ? "true" : "false", cnt);
			continue;
		}
		/* a summary line, then every counter */
		sl_out_printf(o, "service %s %s:%u/%s mode %s scheduler %s, %u/%u backends usable%s, "
			      "connections %" PRId64 " active %" PRIu64 " total, packets %" PRIu64
			      " in %" PRIu64 " out\n  %s\n", sv->name,
			      addrstr(sv->v6, sv->vip, &sv->vip6, 1, a),
			      rte_be_to_cpu_16(sv->port), proto_name(sv->proto),
			      sl_config_mode_name(sv->mode, sv->encap), sv->sched->name, usable, sv->n_backends, sv->leaving ? " (leaving)" : "",
			      t.conns_active, t.conns_total, t.pkts_in, t.pkts_out, cnt);
	}
	if (o->json)
		sl_out_printf(o, "]");
	return 0;
}

static const char *
be_state(const struct sl_backend *be)
{
	if (be->flush)
		return "flushed";
	if (be->removed)
		return "removed";
	if (be->drain_until != 0)
		return "draining";
	if (be->down)
		return "down";
	return "active";
}

static int
show_backends(struct sl_app *app, int argc, char **argv, struct sl_out *o)
{
	const struct sl_snapshot *s = sl_svc_current(&app->svc);
	const struct sl_service *sv = sl_svc_find(s, argv[0]);
	const struct sl_config_service *cs;
	char a[ADDR_MAX], cnt[SL_STATS_RENDER_MAX];
	unsigned j;

	if (sv == NULL) {
		sl_out_printf(o, "unknown service '%s'", argv[0]);
		return -ENOENT;
	}
	cs = live_service(app, sv->name);
	if (o->json)
		sl_out_printf(o, "[");
	for (j = 0; j < sv->n_backends; j++) {
		const struct sl_backend *be = &sv->backends[j];
		uint32_t weight = 0, max_conns = 0;
		struct sl_obj_stats t;
		const char *check = cs == NULL || cs->check.kind == SL_CHECK_NONE ? "none" :
			be->down ? "failing" : "passing";
		unsigned k;

		for (k = 0; cs != NULL && k < cs->n_backends; k++)
			if (cs->backends[k].v6 == be->v6 &&
			    (be->v6 ? memcmp(cs->backends[k].addr6, &be->addr6, 16) == 0 :
			     rte_cpu_to_be_32(cs->backends[k].addr) == be->addr) &&
			    rte_cpu_to_be_16(cs->backends[k].port) == be->port) {
				weight = cs->backends[k].weight;
				max_conns = cs->backends[k].max_conns;
			}
		sl_mgmt_sum(app, -1, be->slot, &t);
		sl_obj_stats_render(&t, o->json ? SL_STATS_JSON : SL_STATS_TEXT, cnt, sizeof(cnt));
		if (o->json) {
			sl_out_printf(o, "%s{\"address\":\"%s\",\"port\":%u,\"state\":\"%s\","
				      "\"weight\":%u,\"max_conns\":%u,\"check\":\"%s\",%s}",
				      j ? "," : "", addrstr(be->v6, be->addr, &be->addr6, 0, a),
				      rte_be_to_cpu_16(be->port), be_state(be),
				      weight, max_conns, check, cnt);
			continue;
		}
		/* a summary line, then every counter */
		sl_out_printf(o, "backend %s:%u state %s weight %u check %s connections %" PRId64
			      " active %" PRIu64 " total\n  %s\n",
			      addrstr(be->v6, be->addr, &be->addr6, 1, a),
			      rte_be_to_cpu_16(be->port), be_state(be), weight, check,
			      t.conns_active, t.conns_total, cnt);
	}
	if (o->json)
		sl_out_printf(o, "]");
	return 0;
}

/*
 * show flows asks every worker for a listing (a heap request it owns
 * until it sets done) and parks itself; flows_answer() collects the
 * listings from the management loop. Requests given up on wait on
 * `orphans` until their worker hands them back: never freed before.
 */
#define FLOWS_MAX_LISTINGS 8   /* show flows answered at a time */

struct flows_job {
	int svc;
	unsigned limit;
	unsigned n;                               /* workers asked */
	struct sl_flow_req *req[SL_MAX_WORKERS];
};

static struct sl_flow_req *orphans;
static unsigned n_listings;   /* jobs alive and orphaned requests */

/*
 * Room for a listing of @p n records. The records (struct sl_conn,
 * struct sl_conn6) are cache-line aligned types that the worker copies
 * whole: in memory from malloc() (16-byte aligned) every access to them
 * is undefined behaviour, and a compiler may copy them with moves that
 * need their full alignment (32-byte AVX ones fault on less).
 */
static void *
listing_alloc(unsigned n, size_t size)
{
	void *p;

	return posix_memalign(&p, RTE_CACHE_LINE_SIZE, (size_t)n * size) == 0 ? p : NULL;
}

static void
free_req(struct sl_flow_req *r)
{
	free(r->out);
	free(r->out6);
	free(r);
}

static void
free_job(struct flows_job *j)
{
	unsigned w;

	for (w = 0; w < j->n; w++)
		if (j->req[w] != NULL)
			free_req(j->req[w]);
	free(j);
	n_listings--;
}

/* Free the abandoned requests their workers have handed back. */
static void
reap_orphans(void)
{
	struct sl_flow_req **pp = &orphans, *r;

	while ((r = *pp) != NULL) {
		/* acquire: pairs with the worker's release of done */
		if (!__atomic_load_n(&r->done, __ATOMIC_ACQUIRE)) {
			pp = &r->next;
			continue;
		}
		*pp = r->next;
		free_req(r);
		n_listings--;
	}
}

static int
flows_answer(struct sl_app *app, void *state, struct sl_out *o, int give_up)
{
	const struct sl_snapshot *s = sl_svc_current(&app->svc);
	struct flows_job *j = state;
	unsigned w, i, shown = 0, late = j->n;
	char a[INET_ADDRSTRLEN], b[INET_ADDRSTRLEN], c[INET_ADDRSTRLEN];

	for (w = 0; w < j->n; w++) {
		/* acquire: pairs with the worker's release of done */
		if (!__atomic_load_n(&j->req[w]->done, __ATOMIC_ACQUIRE)) {
			late = w;
			break;
		}
	}
	if (late < j->n) {
		if (!give_up)
			return -EINPROGRESS;
		/* the late ones stay the workers' until they hand them back */
		for (w = late; w < j->n; w++) {
			struct sl_flow_req *r = j->req[w];

			if (__atomic_load_n(&r->done, __ATOMIC_ACQUIRE))
				continue;
			/* relaxed: the worker stops at its next slice */
			__atomic_store_n(&r->cancel, 1, __ATOMIC_RELAXED);
			n_listings++;   /* until its worker hands it back */
			r->next = orphans;
			orphans = r;
			j->req[w] = NULL;
		}
		free_job(j);
		sl_out_printf(o, "worker %u did not list its connections within %d s (try again, or with a smaller limit)",
			      late, SL_CMD_TIMEOUT_S);
		return -ETIMEDOUT;
	}
	if (o->json)
		sl_out_printf(o, "[");
	for (w = 0; w < j->n; w++) {
		const struct sl_flow_req *r = j->req[w];

		for (i = 0; i < r->n && shown < j->limit; i++, shown++) {
			const struct sl_conn *cn = &r->out[i];
			const char *sn = cn->svc < s->n_services ? s->services[cn->svc].name : "?";

			if (o->json) {
				sl_out_printf(o, "%s{\"worker\":%u,\"service\":", shown ? "," : "", w);
				sl_out_jstr(o, sn);
				sl_out_printf(o, ",\"client\":\"%s:%u\",\"vip\":\"%s:%u\","
					      "\"backend\":\"%s:%u\",\"protocol\":\"%s\",\"state\":\"%s\"",
					      ipstr(cn->cip, a), rte_be_to_cpu_16(cn->cport),
					      ipstr(cn->vip, b), rte_be_to_cpu_16(cn->vport),
					      ipstr(cn->bip, c), rte_be_to_cpu_16(cn->bport),
					      proto_name(cn->proto),
					      sl_conn_state_name((enum sl_conn_state)cn->state));
				if (cn->mode == SL_MODE_FULLNAT)
					sl_out_printf(o, ",\"local\":\"%s:%u\"", ipstr(cn->lip, a),
						      rte_be_to_cpu_16(cn->lport));
				sl_out_printf(o, "}");
				continue;
			}
			sl_out_printf(o, "%s %s:%u -> %s:%u -> %s:%u %s %s (worker %u)",
				      proto_name(cn->proto), ipstr(cn->cip, a),
				      rte_be_to_cpu_16(cn->cport), ipstr(cn->vip, b),
				      rte_be_to_cpu_16(cn->vport), ipstr(cn->bip, c),
				      rte_be_to_cpu_16(cn->bport), sn,
				      sl_conn_state_name((enum sl_conn_state)cn->state), w);
			if (cn->mode == SL_MODE_FULLNAT)
				sl_out_printf(o, " from %s:%u", ipstr(cn->lip, a),
					      rte_be_to_cpu_16(cn->lport));
			sl_out_printf(o, "\n");
		}
		for (i = 0; i < r->n6 && shown < j->limit; i++, shown++) {
			const struct sl_conn6 *cn = &r->out6[i];
			const char *sn = cn->svc < s->n_services ? s->services[cn->svc].name : "?";
			char a6[ADDR_MAX], b6[ADDR_MAX], c6[ADDR_MAX];
			int js = o->json;

			addrstr(1, 0, &cn->cip, !js, a6);
			addrstr(1, 0, &cn->vip, !js, b6);
			addrstr(1, 0, &cn->bip, !js, c6);
			if (js) {
				sl_out_printf(o, "%s{\"worker\":%u,\"service\":", shown ? "," : "", w);
				sl_out_jstr(o, sn);
				sl_out_printf(o, ",\"client\":\"[%s]:%u\",\"vip\":\"[%s]:%u\","
					      "\"backend\":\"[%s]:%u\",\"protocol\":\"%s\",\"state\":\"%s\"}",
					      a6, rte_be_to_cpu_16(cn->cport), b6,
					      rte_be_to_cpu_16(cn->vport), c6, rte_be_to_cpu_16(cn->bport),
					      proto_name(cn->proto),
					      sl_conn_state_name((enum sl_conn_state)cn->state));
				continue;
			}
			sl_out_printf(o, "%s %s:%u -> %s:%u -> %s:%u %s %s (worker %u)\n",
				      proto_name(cn->proto), a6, rte_be_to_cpu_16(cn->cport), b6,
				      rte_be_to_cpu_16(cn->vport), c6, rte_be_to_cpu_16(cn->bport), sn,
				      sl_conn_state_name((enum sl_conn_state)cn->state), w);
		}
	}
	free_job(j);
	if (o->json)
		sl_out_printf(o, "]");
	else if (shown == 0)
		sl_out_printf(o, "no connections\n");
	return 0;
}

static int
show_flows(struct sl_app *app, int argc, char **argv, struct sl_out *o)
{
	const struct sl_snapshot *s = sl_svc_current(&app->svc);
	struct flows_job *j;
	unsigned limit = 100, w;
	int svc = -1, ai, ret;

	for (ai = 0; ai < argc; ai++) {
		if (strcmp(argv[ai], "limit") == 0 && ai + 1 < argc) {
			char *end;
			unsigned long v = strtoul(argv[ai + 1], &end, 10);

			if (*end != '\0' || v == 0 || v > 100000) {
				sl_out_printf(o, "limit '%s' is not a number 1..100000", argv[ai + 1]);
				return -EINVAL;
			}
			limit = (unsigned)v;
			ai++;
		} else if (svc < 0) {
			const struct sl_service *sv = sl_svc_find(s, argv[ai]);

			if (sv == NULL) {
				sl_out_printf(o, "unknown service '%s'", argv[ai]);
				return -ENOENT;
			}
			svc = sv->id;
		} else {
			sl_out_printf(o, "unexpected argument '%s'", argv[ai]);
			return -EINVAL;
		}
	}
	reap_orphans();
	/* management is the rings' only producer: room now is room later */
	for (w = 0; w < app->n_workers; w++)
		if (rte_ring_free_count(app->workers[w]->cmd) == 0)
			break;
	if (n_listings >= FLOWS_MAX_LISTINGS || w < app->n_workers) {
		sl_out_printf(o, "busy: other listings of connections are in progress (at most %d at a time; try again in a moment)",
			      FLOWS_MAX_LISTINGS);
		return -EBUSY;
	}
	j = calloc(1, sizeof(*j));
	if (j == NULL)
		goto nomem;
	n_listings++;
	j->svc = svc;
	j->limit = limit;
	for (j->n = 0; j->n < app->n_workers; j->n++) {
		struct sl_flow_req *r = calloc(1, sizeof(*r));

		if (r == NULL)
			break;
		r->svc = svc;
		r->limit = limit;
		r->out = listing_alloc(limit, sizeof(struct sl_conn));
		if (app->workers[j->n]->flows6 != NULL)
			r->out6 = listing_alloc(limit, sizeof(struct sl_conn6));
		if (r->out == NULL || (app->workers[j->n]->flows6 != NULL && r->out6 == NULL)) {
			free_req(r);
			break;
		}
		j->req[j->n] = r;
	}
	if (j->n < app->n_workers) {
		free_job(j);
		goto nomem;
	}
	ret = sl_cmd_defer(o, flows_answer, j);
	if (ret != -EINPROGRESS) {
		free_job(j);
		return ret;
	}
	for (w = 0; w < j->n; w++) {
		if (rte_ring_sp_enqueue(app->workers[w]->cmd, j->req[w]) != 0) {
			/* cannot happen (room checked above): an empty listing */
			__atomic_store_n(&j->req[w]->done, 1, __ATOMIC_RELAXED);
		}
	}
	return -EINPROGRESS;
nomem:
	sl_out_printf(o, "out of memory for listings of %u connections (try a smaller limit)", limit);
	return -ENOMEM;
}

static int
show_neighbours(struct sl_app *app, int argc, char **argv, struct sl_out *o)
{
	const struct sl_neigh_table *t = app->neigh;
	char a[ADDR_MAX];
	uint32_t i, shown = 0;

	if (o->json)
		sl_out_printf(o, "[");
	for (i = 0; i < t->count; i++) {
		struct rte_ether_addr mac;
		int ok = sl_neigh_mac(t, i, &mac);
		double age = t->meta[i].updated ?
			(double)(rte_rdtsc() - t->meta[i].updated) / (double)app->hz : -1;

		if (!sl_neigh_in_use(t, i))
			continue;       /* freed: no snapshot uses it */
		if (o->json) {
			sl_out_printf(o, "%s{\"address\":\"%s\",\"port\":", shown++ ? "," : "",
				      addrstr(t->meta[i].v6, t->meta[i].ip, &t->meta[i].ip6, 0, a));
			sl_out_jstr(o, app->cfg->ports[t->meta[i].port].name);
			if (ok)
				sl_out_printf(o, ",\"mac\":\"" RTE_ETHER_ADDR_PRT_FMT "\",\"age_s\":%.1f}",
					      RTE_ETHER_ADDR_BYTES(&mac), age);
			else
				sl_out_printf(o, ",\"mac\":null,\"held\":%u}", t->meta[i].n_held);
			continue;
		}
		if (ok)
			sl_out_printf(o, "%s on %s is " RTE_ETHER_ADDR_PRT_FMT " (heard %.1f s ago)\n",
				      addrstr(t->meta[i].v6, t->meta[i].ip, &t->meta[i].ip6, 0, a),
				      app->cfg->ports[t->meta[i].port].name,
				      RTE_ETHER_ADDR_BYTES(&mac), age);
		else
			sl_out_printf(o, "%s on %s is unresolved (%u packets held)\n",
				      addrstr(t->meta[i].v6, t->meta[i].ip, &t->meta[i].ip6, 0, a),
				      app->cfg->ports[t->meta[i].port].name, t->meta[i].n_held);
	}
	if (o->json)
		sl_out_printf(o, "]");
	return 0;
}

/*
 * One route of "show routes", either family: @p via NULL for a connected
 * one; @p ni the gateway's neighbour entry (-ENOENT: no backend uses it
 * yet), @p ok whether it has a MAC.
 */
static void
show_route(struct sl_out *o, int first, const char *prefix, unsigned len,
	   const char *via, const char *port, int ni, int ok,
	   const struct rte_ether_addr *mac)
{
	if (o->json) {
		sl_out_printf(o, "%s{\"prefix\":\"%s/%u\",\"via\":", first ? "" : ",",
			      prefix, len);
		if (via != NULL)
			sl_out_printf(o, "\"%s\"", via);
		else
			sl_out_printf(o, "null");
		sl_out_printf(o, ",\"port\":");
		sl_out_jstr(o, port);
		sl_out_printf(o, ",\"connected\":%s", via == NULL ? "true" : "false");
		if (via == NULL)
			sl_out_printf(o, ",\"in_use\":null,\"resolved\":null,\"mac\":null}");
		else if (ok)
			sl_out_printf(o, ",\"in_use\":true,\"resolved\":true,\"mac\":\""
				      RTE_ETHER_ADDR_PRT_FMT "\"}", RTE_ETHER_ADDR_BYTES(mac));
		else
			sl_out_printf(o, ",\"in_use\":%s,\"resolved\":false,\"mac\":null}",
				      ni >= 0 ? "true" : "false");
		return;
	}
	if (via == NULL)
		sl_out_printf(o, "route %s/%u connected port %s\n", prefix, len, port);
	else if (ok)
		sl_out_printf(o, "route %s/%u via %s port %s resolved " RTE_ETHER_ADDR_PRT_FMT "\n",
			      prefix, len, via, port, RTE_ETHER_ADDR_BYTES(mac));
	else
		sl_out_printf(o, "route %s/%u via %s port %s %s\n", prefix, len, via, port,
			      ni >= 0 ? "unresolved" : "unresolved (no backend uses it)");
}

/* The snapshot's routes: IPv4 ones, then IPv6 ones. */
static int
show_routes(struct sl_app *app, int argc, char **argv, struct sl_out *o)
{
	const struct sl_snapshot *s = sl_svc_current(&app->svc);
	char a[ADDR_MAX], b[ADDR_MAX];
	unsigned i, shown = 0;

	if (o->json)
		sl_out_printf(o, "[");
	for (i = 0; i < s->n_routes; i++) {
		const struct sl_route *r = &s->routes[i];
		struct rte_ether_addr mac;
		int ni = -ENOENT, ok = 0;

		/* a gateway is in the neighbour table once a backend uses it */
		if (r->via != 0)
			ni = sl_neigh_find(app->neigh, r->port, r->via);
		if (ni >= 0)
			ok = sl_neigh_mac(app->neigh, (uint32_t)ni, &mac);
		show_route(o, shown++ == 0, ipstr(r->prefix, a), r->len,
			   r->via != 0 ? ipstr(r->via, b) : NULL,
			   app->cfg->ports[r->port].name, ni, ok, &mac);
	}
	for (i = 0; i < s->n_routes6; i++) {
		const struct sl_route6 *r = &s->routes6[i];
		struct rte_ether_addr mac;
		int ni = -ENOENT, ok = 0;

		if (!r->connected)
			ni = sl_neigh_find6(app->neigh, r->port, &r->via);
		if (ni >= 0)
			ok = sl_neigh_mac(app->neigh, (uint32_t)ni, &mac);
		show_route(o, shown++ == 0, addrstr(1, 0, &r->prefix, 0, a), r->len,
			   r->connected ? NULL : addrstr(1, 0, &r->via, 0, b),
			   app->cfg->ports[r->port].name, ni, ok, &mac);
	}
	if (o->json)
		sl_out_printf(o, "]");
	return 0;
}

static int
show_stats(struct sl_app *app, int argc, char **argv, struct sl_out *o)
{
	enum sl_stats_fmt fmt = o->json ? SL_STATS_JSON : SL_STATS_TEXT;
	char cnt[SL_STATS_RENDER_MAX], drops[SL_STATS_RENDER_MAX];
	unsigned w;

	if (o->json)
		sl_out_printf(o, "{\"workers\":[");
	for (w = 0; w < app->n_workers; w++) {
		const struct sl_worker_stats *st = &app->workers[w]->stats;
		double busy = sl_mgmt_busy_pct(st);
		/* the share of what it received that another worker owned:
		 * what NIC steering would save (see sl_fwd.h, owner) */
		double redir = st->rx_pkts != 0 ? 100.0 * (double)st->redirected / (double)st->rx_pkts : 0.0;

		sl_worker_stats_render(st, fmt, cnt, sizeof(cnt));
		sl_drops_render(st->drops, fmt, "  ", drops, sizeof(drops));
		if (o->json) {
			sl_out_printf(o, "%s{\"worker\":%u,\"lcore\":%u,%s,\"flows\":%u"
				      ",\"busy_pct\":%.2f,\"idle_pct\":%.2f,\"redirected_pct\":%.2f"
				      ",\"drops\":%s}",
				      w ? "," : "", w, app->workers[w]->lcore, cnt,
				      sl_worker_flows(app->workers[w]), busy, 100.0 - busy,
				      redir, drops);
			continue;
		}
		/* a summary line, then every counter, then drops by reason */
		sl_out_printf(o, "worker %u (lcore %u): rx %" PRIu64 " tx %" PRIu64 " bursts %" PRIu64
			      " redirected %" PRIu64 " connections %" PRIu64 " created %" PRIu64
			      " expired, %u flows, busy %.1f%% idle %.1f%%, redirected %.1f%% of rx\n  %s\n%s", w,
			      app->workers[w]->lcore, st->rx_pkts, st->tx_pkts, st->rx_bursts,
			      st->redirected, st->conns_created, st->conns_expired,
			      sl_worker_flows(app->workers[w]), busy, 100.0 - busy, redir, cnt, drops);
	}
	/* what the management lcore drops itself (ARP, held packets, the
	 * kernel path): the exit counters and telemetry add it to the total */
	sl_drops_render(app->mgmt_drops, fmt, "  ", drops, sizeof(drops));
	if (o->json)
		sl_out_printf(o, "],\"management\":{\"lcore\":%u,\"drops\":%s}}",
			      rte_get_main_lcore(), drops);
	else
		sl_out_printf(o, "management (lcore %u):%s\n%s", rte_get_main_lcore(),
			      drops[0] == '\0' ? " no drops" : "", drops);
	return 0;
}

/* The counter lists with their descriptions (what the metrics say). */
static int
show_counters(struct sl_app *app, int argc, char **argv, struct sl_out *o)
{
	static const struct {
		const char *object;
		const struct sl_counter *tab;
		const unsigned *n;
	} lists[] = {
		{ "worker", sl_worker_counters, &sl_n_worker_counters },
		{ "service", sl_obj_counters, &sl_n_obj_counters },
		{ "backend", sl_obj_counters, &sl_n_obj_counters },
	};
	unsigned l, i, k = 0;

	if (o->json)
		sl_out_printf(o, "[");
	for (l = 0; l < RTE_DIM(lists); l++) {
		for (i = 0; i < *lists[l].n; i++) {
			const struct sl_counter *c = &lists[l].tab[i];

			if (o->json) {
				sl_out_printf(o, "%s{\"object\":\"%s\",\"name\":\"%s\",\"text\":\"%s\","
					      "\"type\":\"%s\",\"help\":", k++ ? "," : "",
					      lists[l].object, c->name, c->text,
					      c->gauge ? "gauge" : "counter");
				sl_out_jstr(o, c->desc);
				sl_out_printf(o, "}");
				continue;
			}
			sl_out_printf(o, "%-8s %-16s %-7s %s%s%s%s\n", lists[l].object, c->name,
				      c->gauge ? "gauge" : "counter", c->desc,
				      strcmp(c->name, c->text) ? " (in text: " : "",
				      strcmp(c->name, c->text) ? c->text : "",
				      strcmp(c->name, c->text) ? ")" : "");
		}
	}
	for (i = 1; i < SL_DROP_MAX; i++) {
		if (o->json) {
			sl_out_printf(o, "%s{\"object\":\"drop\",\"name\":\"%s\",\"text\":\"%s\","
				      "\"type\":\"counter\",\"help\":", k++ ? "," : "",
				      sl_drop_name((enum sl_drop)i), sl_drop_name((enum sl_drop)i));
			sl_out_jstr(o, sl_drop_desc((enum sl_drop)i));
			sl_out_printf(o, "}");
			continue;
		}
		sl_out_printf(o, "%-8s %-16s %-7s %s\n", "drop", sl_drop_name((enum sl_drop)i),
			      "counter", sl_drop_desc((enum sl_drop)i));
	}
	if (o->json)
		sl_out_printf(o, "]");
	return 0;
}

/* ---- changes: edit the live configuration, rebuild, publish ---- */

static struct sl_config_service *
edit_service(struct sl_config *cfg, const char *name)
{
	unsigned i;

	for (i = 0; i < cfg->n_services; i++)
		if (strcmp(cfg->services[i].name, name) == 0)
			return &cfg->services[i];
	return NULL;
}

/* Whether @p spec reads IP:PORT or [IPv6]:PORT (PORT 1..65535): the
 * syntax alone; what the address may be is the validator's to say. */
static int
ep_syntax_ok(const char *spec)
{
	char buf[64], *colon, *end;
	unsigned long port;
	uint8_t a[16];
	int v6 = spec[0] == '[';

	snprintf(buf, sizeof(buf), "%s", spec + v6);
	colon = strrchr(buf, ':');
	if (colon == NULL || colon[1] == '\0')
		return 0;
	*colon = '\0';
	port = strtoul(colon + 1, &end, 10);
	if (*end != '\0' || port < 1 || port > 65535)
		return 0;
	if (v6) {
		size_t n = strlen(buf);

		if (n == 0 || buf[n - 1] != ']')
			return 0;
		buf[n - 1] = '\0';
		return inet_pton(AF_INET6, buf, a) == 1;
	}
	return inet_pton(AF_INET, buf, a) == 1;
}

/* Backend given as IP:PORT, [IPv6]:PORT or by its id=. */
static int
find_backend(const struct sl_config_service *cs, const char *spec)
{
	struct sl_config_backend b;
	char err[128];
	unsigned i;

	for (i = 0; i < cs->n_backends; i++)
		if (cs->backends[i].id[0] != '\0' && strcmp(cs->backends[i].id, spec) == 0)
			return (int)i;
	if (strchr(spec, ' ') != NULL ||
	    sl_config_backend_parse(spec, &b, err, sizeof(err)) != 0)
		return -1;
	for (i = 0; i < cs->n_backends; i++)
		if (cs->backends[i].v6 == b.v6 && cs->backends[i].port == b.port &&
		    (b.v6 ? memcmp(cs->backends[i].addr6, b.addr6, 16) == 0 :
		     cs->backends[i].addr == b.addr))
			return (int)i;
	return -1;
}

/*
 * Apply @p cfg (a changed copy of the live config) or leave all as is.
 * The copy goes through the validator the file goes through, so no
 * command can install what a reload would refuse.
 */
static int
commit(struct sl_app *app, struct sl_config *cfg, const char *what, struct sl_out *o)
{
	char err[512];

	if (sl_config_validate_edit(cfg, what, err, sizeof(err)) != 0) {
		sl_out_printf(o, "%s; nothing changed", err);
		sl_config_free(cfg);
		return -EINVAL;
	}
	if (sl_mgmt_apply(app, cfg, what) != 0) {
		sl_out_printf(o, "%s refused (see the log); nothing changed", what);
		sl_config_free(cfg);
		return -EINVAL;
	}
	sl_config_free(app->live_cfg);
	app->live_cfg = cfg;
	sl_out_printf(o, o->json ? "{\"applied\":\"%s\"}" : "%s applied\n", what);
	return 0;
}

static struct sl_config *
copy_live(struct sl_app *app)
{
	struct sl_config *c = malloc(sizeof(*c));

	if (c != NULL)
		memcpy(c, app->live_cfg, sizeof(*c));
	return c;
}

static int
backend_edit(struct sl_app *app, char **argv, struct sl_out *o,
	     struct sl_config **cfgp, struct sl_config_service **csp, int *bip)
{
	struct sl_config *cfg = copy_live(app);

	if (cfg == NULL)
		return -ENOMEM;
	*csp = edit_service(cfg, argv[0]);
	if (*csp == NULL) {
		sl_out_printf(o, "unknown service '%s'", argv[0]);
		free(cfg);
		return -ENOENT;
	}
	*bip = find_backend(*csp, argv[1]);
	if (*bip < 0) {
		sl_out_printf(o, "unknown backend '%s' in service %s (give IP:PORT or its id)",
			      argv[1], argv[0]);
		free(cfg);
		return -ENOENT;
	}
	*cfgp = cfg;
	return 0;
}

static int
set_weight(struct sl_app *app, int argc, char **argv, struct sl_out *o)
{
	struct sl_config_service *cs;
	struct sl_config *cfg;
	char *end;
	unsigned long w = strtoul(argv[2], &end, 10);
	int bi, ret;

	if (*end != '\0' || w < 1 || w > 65535) {
		sl_out_printf(o, "weight '%s' is not a number 1..65535 (use drain to stop new connections)",
			      argv[2]);
		return -EINVAL;
	}
	ret = backend_edit(app, argv, o, &cfg, &cs, &bi);
	if (ret != 0)
		return ret;
	cs->backends[bi].weight = (uint32_t)w;
	return commit(app, cfg, "set weight", o);
}

static int
drain_enable(struct sl_app *app, char **argv, struct sl_out *o, int drain)
{
	struct sl_config_service *cs;
	struct sl_config *cfg;
	int bi, ret;

	ret = backend_edit(app, argv, o, &cfg, &cs, &bi);
	if (ret != 0)
		return ret;
	cs->backends[bi].drain = (uint8_t)drain;
	return commit(app, cfg, drain ? "drain" : "enable", o);
}

static int
cmd_drain(struct sl_app *app, int argc, char **argv, struct sl_out *o)
{
	return drain_enable(app, argv, o, 1);
}

static int
cmd_enable(struct sl_app *app, int argc, char **argv, struct sl_out *o)
{
	return drain_enable(app, argv, o, 0);
}

/*
 * The backend itself is parsed by lib/config as a "backend =" line is,
 * and the edited config is validated whole in commit(); the checks here
 * only keep the messages scripts already know for a malformed IP:PORT,
 * an unknown option and a backend that is already there.
 */
static int
add_backend(struct sl_app *app, int argc, char **argv, struct sl_out *o)
{
	static const char *const opts[] = { "weight=", "id=", "state=", "check_port=", "max_conns=" };
	struct sl_config *cfg;
	struct sl_config_service *cs;
	struct sl_config_backend b;
	char spec[256], err[512];
	size_t len;
	unsigned k;
	int i;

	if (live_service(app, argv[0]) == NULL) {
		sl_out_printf(o, "unknown service '%s'", argv[0]);
		return -ENOENT;
	}
	if (!ep_syntax_ok(argv[1])) {
		sl_out_printf(o, "backend '%s' is not IP:PORT or [IPv6]:PORT", argv[1]);
		return -EINVAL;
	}
	len = (size_t)snprintf(spec, sizeof(spec), "%s", argv[1]);
	for (i = 2; i < argc; i++) {
		for (k = 0; k < RTE_DIM(opts); k++)
			if (strncmp(argv[i], opts[k], strlen(opts[k])) == 0)
				break;
		if (k == RTE_DIM(opts)) {
			sl_out_printf(o, "unknown option '%s' (expected weight=N, id=NAME, state=active|drain, check_port=N or max_conns=N)",
				      argv[i]);
			return -EINVAL;
		}
		if (len < sizeof(spec))
			len += (size_t)snprintf(spec + len, sizeof(spec) - len, " %s", argv[i]);
	}
	if (len >= sizeof(spec)) {
		sl_out_printf(o, "add backend: '%.40s...' is too long", spec);
		return -EINVAL;
	}
	if (sl_config_backend_parse(spec, &b, err, sizeof(err)) != 0) {
		sl_out_printf(o, "add backend: %s; nothing changed", err);
		return -EINVAL;
	}
	cfg = copy_live(app);
	if (cfg == NULL)
		return -ENOMEM;
	cs = edit_service(cfg, argv[0]);
	if (find_backend(cs, argv[1]) >= 0 || (b.id[0] && find_backend(cs, b.id) >= 0)) {
		sl_out_printf(o, "backend %s is already in service %s", argv[1], argv[0]);
		free(cfg);
		return -EEXIST;
	}
	if (cs->n_backends >= SL_MAX_SVC_BACKENDS) {
		sl_out_printf(o, "add backend: service %s has %d backends, the most a service can have; remove one first",
			      argv[0], SL_MAX_SVC_BACKENDS);
		free(cfg);
		return -ENOSPC;
	}
	cs->backends[cs->n_backends++] = b;
	return commit(app, cfg, "add backend", o);
}

static int
del_backend(struct sl_app *app, int argc, char **argv, struct sl_out *o)
{
	struct sl_config_service *cs;
	struct sl_config *cfg;
	int bi, ret;

	ret = backend_edit(app, argv, o, &cfg, &cs, &bi);
	if (ret != 0)
		return ret;
	if (cs->n_backends == 1) {
		sl_out_printf(o, "backend %s is the last of service %s (drain it instead)",
			      argv[1], argv[0]);
		free(cfg);
		return -EINVAL;
	}
	memmove(&cs->backends[bi], &cs->backends[bi + 1],
		(cs->n_backends - (unsigned)bi - 1) * sizeof(cs->backends[0]));
	cs->n_backends--;
	return commit(app, cfg, "del backend", o);
}

static int
cmd_reload(struct sl_app *app, int argc, char **argv, struct sl_out *o)
{
	if (sl_mgmt_reload(app) != 0) {
		sl_out_printf(o, "reload refused (see the log); the running configuration stays");
		return -EINVAL;
	}
	sl_out_printf(o, o->json ? "{\"applied\":\"reload\"}" : "reload applied\n");
	return 0;
}

static int
capture_start(struct sl_app *app, int argc, char **argv, struct sl_out *o)
{
	const struct sl_snapshot *s = sl_svc_current(&app->svc);
	int svc = -1, port = -1, i, ret;
	uint64_t count = 0;
	char err[256];

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "count") == 0 && i + 1 < argc) {
			char *end;

			count = strtoull(argv[++i], &end, 10);
			if (*end != '\0' || count == 0) {
				sl_out_printf(o, "count '%s' is not a positive number", argv[i]);
				return -EINVAL;
			}
		} else if (strcmp(argv[i], "port") == 0 && i + 1 < argc) {
			unsigned p;

			for (p = 0; p < app->n_ports; p++)
				if (strcmp(app->cfg->ports[p].name, argv[i + 1]) == 0)
					port = (int)p;
			if (port < 0) {
				sl_out_printf(o, "unknown port '%s'", argv[i + 1]);
				return -ENOENT;
			}
			i++;
		} else {
			const struct sl_service *sv = sl_svc_find(s, argv[i]);

			if (sv == NULL) {
				sl_out_printf(o, "unknown service '%s'; usage: capture start FILE [SERVICE|port NAME] [count N]",
					      argv[i]);
				return -ENOENT;
			}
			svc = sv->id;
		}
	}
	ret = sl_capture_start(app, argv[0], svc, port, count, err, sizeof(err));
	if (ret != 0) {
		sl_out_printf(o, "%s", err);
		return ret;
	}
	sl_out_printf(o, o->json ? "{\"capture\":\"started\"}" : "capture to %s started\n", argv[0]);
	return 0;
}

static int
capture_stop(struct sl_app *app, int argc, char **argv, struct sl_out *o)
{
	const char *file;
	uint64_t n;

	if (!sl_capture_running(&n, &file)) {
		sl_out_printf(o, "no capture is running");
		return -ENOENT;
	}
	sl_capture_poll(app);
	n = sl_capture_stop(app);
	sl_out_printf(o, o->json ? "{\"packets\":%" PRIu64 "}" : "capture stopped: %" PRIu64 " packets\n", n);
	return 0;
}

static int
cmd_quit(struct sl_app *app, int argc, char **argv, struct sl_out *o)
{
	/* relaxed: a flag the loops poll */
	__atomic_store_n(&app->stop, 1, __ATOMIC_RELAXED);
	sl_out_printf(o, o->json ? "{\"stopping\":true}" : "stopping\n");
	return 0;
}

static int
show_bgp(struct sl_app *app, int argc, char **argv, struct sl_out *o)
{
	return sl_bgp_show(app, o);
}

static int
cmd_drain_instance(struct sl_app *app, int argc, char **argv, struct sl_out *o)
{
	int ret = sl_bgp_drain(app, 0);

	if (ret == -ENOENT) {
		sl_out_printf(o, "no [bgp] section: no VIP to withdraw (use quit to stop)");
		return ret;
	}
	if (ret == -EALREADY) {
		sl_out_printf(o, "already draining or stopping (see show bgp)");
		return ret;
	}
	sl_out_printf(o, o->json ? "{\"draining\":true,\"grace\":%u}" :
		      "draining: every VIP withdrawn, then %u s of forwarding, then Sluice stops\n",
		      app->cfg->bgp.grace_s);
	return 0;
}

static int
cmd_help(struct sl_app *app, int argc, char **argv, struct sl_out *o)
{
	unsigned i;

	if (o->json)
		sl_out_printf(o, "[");
	for (i = 0; i < sl_n_cmds; i++) {
		if (o->json) {
			sl_out_printf(o, "%s{\"command\":", i ? "," : "");
			sl_out_jstr(o, sl_cmds[i].name);
			sl_out_printf(o, ",\"args\":");
			sl_out_jstr(o, sl_cmds[i].args);
			sl_out_printf(o, ",\"help\":");
			sl_out_jstr(o, sl_cmds[i].help);
			sl_out_printf(o, "}");
			continue;
		}
		sl_out_printf(o, "  %s%s%s\n      %s\n", sl_cmds[i].name,
			      sl_cmds[i].args[0] ? " " : "", sl_cmds[i].args, sl_cmds[i].help);
	}
	if (o->json)
		sl_out_printf(o, "]");
	return 0;
}

const struct sl_cmd sl_cmds[] = {
	{ "help", "", "list the commands", 0, 0, cmd_help },
	{ "show ports", "", "ports: link, MAC, address, counters, missed and errors, steering and packets passed between workers", 0, 0, show_ports },
	{ "show services", "", "services: VIP, scheduler, usable backends, connections", 0, 0, show_services },
	{ "show backends", "SERVICE", "a service's backends: state, weight, check, connections", 1, 1, show_backends },
	{ "show flows", "[SERVICE] [limit N]", "connections (default limit 100)", 0, 3, show_flows },
	{ "show neighbours", "", "ARP table: next hops and their MACs", 0, 0, show_neighbours },
	{ "show routes", "", "routes: prefix, gateway, port, whether the gateway is resolved", 0, 0, show_routes },
	{ "show stats", "", "per worker: packets, bursts, drops by reason, busy/idle, the share of what it received that another worker owned (redirected); the management lcore's drops", 0, 0, show_stats },
	{ "show bgp", "", "the VIPs BIRD announces: each one, announced or not and why; the last reconfigure", 0, 0, show_bgp },
	{ "show counters", "", "every counter with its description", 0, 0, show_counters },
	{ "set weight", "SERVICE BACKEND N", "set a backend's weight (BACKEND is IP:PORT or its id)", 3, 3, set_weight },
	{ "drain", "SERVICE BACKEND", "no new connections to the backend; existing ones carry on", 2, 2, cmd_drain },
	{ "enable", "SERVICE BACKEND", "undo drain", 2, 2, cmd_enable },
	{ "add backend", "SERVICE IP:PORT [weight=N] [id=NAME]", "add a backend to a service", 2, 4, add_backend },
	{ "del backend", "SERVICE BACKEND", "remove a backend (it drains first)", 2, 2, del_backend },
	{ "reload", "", "re-read the configuration file (as SIGHUP)", 0, 0, cmd_reload },
	{ "capture start", "FILE [SERVICE|port NAME] [count N]", "write the packets of a service's connections (or a port's), as they arrive and as they leave rewritten, to a pcap file", 1, 5, capture_start },
	{ "capture stop", "", "stop the capture and close its file", 0, 0, capture_stop },
	{ "trace", "SERVICE|CLIENT [count N] [timeout S]", "what the workers do with the next N packets (default 10, at most 10000) of a service or to/from a client address, and why: service, backend and how it was chosen, rewrite, or the drop reason; answers after N packets or S seconds (default 10, at most 60)", 1, 5, sl_cmd_trace },
	{ "drain-instance", "", "withdraw every VIP from BGP, keep forwarding for [bgp] grace seconds, then stop", 0, 0, cmd_drain_instance },
	{ "quit", "", "stop Sluice", 0, 0, cmd_quit },
};
const unsigned sl_n_cmds = RTE_DIM(sl_cmds);

static int
dispatch(struct sl_app *app, const char *line, struct sl_out *out)
{
	char buf[SL_CMD_LINE_MAX + 1], *argv[MAX_ARGS], *save = NULL, *tok;
	const struct sl_cmd *best = NULL;
	unsigned i, best_words = 0;
	int argc = 0, json = out->json;

	if (strlen(line) > SL_CMD_LINE_MAX) {
		sl_out_printf(out, "command too long (at most %d characters)", SL_CMD_LINE_MAX);
		return -E2BIG;
	}
	snprintf(buf, sizeof(buf), "%s", line);
	for (tok = strtok_r(buf, " \t\r\n", &save); tok != NULL;
	     tok = strtok_r(NULL, " \t\r\n", &save)) {
		if (argc == MAX_ARGS) {
			sl_out_printf(out, "too many words (at most %d)", MAX_ARGS);
			return -E2BIG;
		}
		argv[argc++] = tok;
	}
	if (argc > 0 && strcmp(argv[0], "--json") == 0) {
		out->json = json = 1;
		memmove(argv, argv + 1, (size_t)--argc * sizeof(argv[0]));
	}
	if (argc == 0) {
		sl_out_printf(out, "empty command (try help)");
		return -EINVAL;
	}
	/* the command whose words match the most leading words */
	for (i = 0; i < sl_n_cmds; i++) {
		char words[64], *ws = NULL, *w;
		unsigned n = 0;
		int match = 1;

		snprintf(words, sizeof(words), "%s", sl_cmds[i].name);
		for (w = strtok_r(words, " ", &ws); w != NULL; w = strtok_r(NULL, " ", &ws), n++)
			if ((int)n >= argc || strcmp(w, argv[n]) != 0) {
				match = 0;
				break;
			}
		if (match && n > best_words) {
			best = &sl_cmds[i];
			best_words = n;
		}
	}
	if (best == NULL) {
		sl_out_printf(out, "unknown command '%s' (try help)", argv[0]);
		return -ENOENT;
	}
	argc -= (int)best_words;
	if (argc < best->min_args || argc > best->max_args) {
		sl_out_printf(out, "wrong arguments; usage: %s%s%s", best->name,
			      best->args[0] ? " " : "", best->args);
		return -EINVAL;
	}
	out->json = json;
	return best->fn(app, argc, argv + best_words, out);
}

/* ---- commands that answer later ---- */

struct sl_cmd_pending {
	struct sl_cmd_pending *next;
	sl_cmd_cont_t cont;      /* NULL until the handler parks */
	void *state;
	sl_cmd_done_t done;      /* NULL once cancelled */
	void *arg;
	int json;
	uint64_t deadline;       /* TSC */
};

static struct sl_cmd_pending *parked;

int
sl_cmd_defer(struct sl_out *out, sl_cmd_cont_t cont, void *state)
{
	return sl_cmd_defer_for(out, cont, state, SL_CMD_TIMEOUT_S);
}

int
sl_cmd_defer_for(struct sl_out *out, sl_cmd_cont_t cont, void *state, unsigned seconds)
{
	struct sl_cmd_pending *p = out->pend;

	if (p == NULL) {
		sl_out_printf(out, "this command answers later and cannot run here (use sluicectl or the console)");
		return -EAGAIN;
	}
	p->cont = cont;
	p->state = state;
	p->json = out->json;
	p->deadline = rte_rdtsc() + (uint64_t)seconds * rte_get_tsc_hz();
	p->next = parked;
	parked = p;
	return -EINPROGRESS;
}

int
sl_cmd_start(struct sl_app *app, const char *line, struct sl_out *out,
	     sl_cmd_done_t done, void *arg, struct sl_cmd_pending **pend)
{
	struct sl_cmd_pending *p = NULL;
	int ret;

	if (pend != NULL)
		*pend = NULL;
	if (done != NULL) {
		p = calloc(1, sizeof(*p));
		if (p == NULL) {
			sl_out_printf(out, "out of memory");
			return -ENOMEM;
		}
		p->done = done;
		p->arg = arg;
	}
	out->pend = p;
	ret = dispatch(app, line, out);
	out->pend = NULL;
	if (p != NULL && p->cont != NULL) {
		/* parked (sl_cmd_defer): sl_cmd_poll() answers and frees it */
		if (pend != NULL)
			*pend = p;
		return -EINPROGRESS;
	}
	free(p);
	return ret == -EINPROGRESS ? -EIO : ret;
}

int
sl_cmd_exec(struct sl_app *app, const char *line, struct sl_out *out)
{
	return sl_cmd_start(app, line, out, NULL, NULL, NULL);
}

void
sl_cmd_cancel(struct sl_cmd_pending *p)
{
	if (p != NULL)
		p->done = NULL;   /* sl_cmd_poll() gives it up at its next round */
}

void
sl_cmd_poll(struct sl_app *app)
{
	struct sl_cmd_pending **pp = &parked, *p;
	uint64_t now;

	if (orphans != NULL)
		reap_orphans();
	if (parked == NULL)
		return;
	now = rte_rdtsc();
	while ((p = *pp) != NULL) {
		struct sl_out o = { .json = p->json };
		int ret = p->cont(app, p->state, &o, p->done == NULL || now >= p->deadline);

		if (ret == -EINPROGRESS) {
			sl_out_free(&o);
			pp = &p->next;
			continue;
		}
		/* unlinked first: done() may start (park) the next command */
		*pp = p->next;
		if (p->done != NULL)
			p->done(p->arg, ret, &o);
		sl_out_free(&o);
		free(p);
	}
}
