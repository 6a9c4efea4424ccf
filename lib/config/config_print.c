/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The resolved configuration as INI text (sluice --check): what the
 * parser made of a file, every default filled in, written so that the
 * parser accepts it again and prints the same text from it.
 *
 * Keys follow the parser's own order (sl_config_key_name()), and the
 * unit tests check that every key the parser knows is written, so a new
 * key cannot be left out silently. A key with no value in this
 * configuration is written as a comment: an absent gateway, an empty
 * string, or a key the validator refuses outside its mode or scheduler
 * (encap outside mode = tunnel, ...), which the parser would refuse if
 * it were written as a key.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include "sl_config.h"

static const char *
ip4(uint32_t a, char *buf)
{
	snprintf(buf, INET_ADDRSTRLEN, "%u.%u.%u.%u", a >> 24, (a >> 16) & 0xff,
		 (a >> 8) & 0xff, a & 0xff);
	return buf;
}

static const char *
ip6(const uint8_t a[16], char *buf)
{
	if (inet_ntop(AF_INET6, a, buf, INET6_ADDRSTRLEN) == NULL)
		snprintf(buf, INET6_ADDRSTRLEN, "?");
	return buf;
}

static int
ip6_zero(const uint8_t a[16])
{
	static const uint8_t zero[16];

	return memcmp(a, zero, 16) == 0;
}

static void
print_eal(const struct sl_config *cfg, FILE *f)
{
	fprintf(f, "[eal]\n");
	fprintf(f, "lcores = %s\n", cfg->lcores);
	/* an empty args is a valid key: "args =" */
	fprintf(f, "args =%s%s\n", cfg->eal_args[0] ? " " : "", cfg->eal_args);
}

static void
print_global(const struct sl_config *cfg, FILE *f)
{
	const struct sl_config_global *g = &cfg->global;

	fprintf(f, "\n[global]\n");
	fprintf(f, "flow_capacity = %u\n", g->flow_capacity);
	fprintf(f, "idle_sleep = %uus\n", g->idle_sleep_us);
	fprintf(f, "idle_polls = %u\n", g->idle_polls);
	fprintf(f, "idle_wake = %s\n", g->idle_wake ? "yes" : "no");
	fprintf(f, "stats_interval = %us\n", g->stats_interval);
	fprintf(f, "mbufs = %u\n", g->mbufs);
	fprintf(f, "neigh_timeout = %us\n", g->neigh_timeout);
	fprintf(f, "slowpath_rate = %u\n", g->slowpath_rate);
	fprintf(f, "slowpath_burst = %u\n", g->slowpath_burst);
	fprintf(f, "timeout_tcp_syn = %us\n", g->timeouts[SL_CS_SYN_SENT]);
	fprintf(f, "timeout_tcp_syn_recv = %us\n", g->timeouts[SL_CS_SYN_RECV]);
	fprintf(f, "timeout_tcp_established = %us\n", g->timeouts[SL_CS_ESTABLISHED]);
	fprintf(f, "timeout_tcp_fin = %us\n", g->timeouts[SL_CS_FIN_WAIT]);
	fprintf(f, "timeout_tcp_time_wait = %us\n", g->timeouts[SL_CS_TIME_WAIT]);
	fprintf(f, "timeout_tcp_close = %us\n", g->timeouts[SL_CS_CLOSE]);
	fprintf(f, "timeout_udp = %us\n", g->timeouts[SL_CS_UDP]);
	fprintf(f, "admin_socket = %s\n", g->admin_socket);
	fprintf(f, "local_ports = %u-%u\n", g->local_port_lo, g->local_port_hi);
}

/*
 * The default routes are written as the gateway key, the others as
 * route keys: the parser makes the same routes of them (in another
 * order when route = 0.0.0.0/0 came first, which changes nothing).
 */
static void
print_port(const struct sl_config *cfg, unsigned idx, FILE *f)
{
	const struct sl_config_port *p = &cfg->ports[idx];
	char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];
	unsigned i, n = 0;

	fprintf(f, "\n[port.%s]\n", p->name);
	fprintf(f, "device = %s\n", p->device);
	fprintf(f, "address = %s/%u\n", ip4(p->addr, a), p->prefix_len);
	if (p->prefix6_len != 0)
		fprintf(f, "address = %s/%u\n", ip6(p->addr6, a), p->prefix6_len);
	if (p->gateway != 0)
		fprintf(f, "gateway = %s\n", ip4(p->gateway, a));
	if (!ip6_zero(p->gateway6))
		fprintf(f, "gateway = %s\n", ip6(p->gateway6, a));
	if (p->gateway == 0 && ip6_zero(p->gateway6))
		fprintf(f, "; gateway = (none)\n");
	fprintf(f, "rx_descriptors = %u\n", p->rx_desc);
	fprintf(f, "tx_descriptors = %u\n", p->tx_desc);
	if (p->kernel_if[0] != '\0')
		fprintf(f, "kernel_interface = %s\n", p->kernel_if);
	else
		fprintf(f, "; kernel_interface = (none)\n");
	for (i = 0; i < p->n_routes; i++)
		if (p->routes[i].len != 0) {
			fprintf(f, "route = %s/%u via %s\n", ip4(p->routes[i].prefix, a),
				p->routes[i].len, ip4(p->routes[i].via, b));
			n++;
		}
	for (i = 0; i < p->n_routes6; i++)
		if (p->routes6[i].len != 0) {
			fprintf(f, "route = %s/%u via %s\n", ip6(p->routes6[i].prefix, a),
				p->routes6[i].len, ip6(p->routes6[i].via, b));
			n++;
		}
	if (n == 0)
		fprintf(f, "; route = (none)\n");
	if (p->vlan != 0)
		fprintf(f, "vlan = %u\n", p->vlan);
	else
		fprintf(f, "; vlan = (none: untagged)\n");
	/* one per line: sixteen of them would not fit a line */
	for (i = 0; i < p->n_local; i++)
		fprintf(f, "local_address = %s\n", ip4(p->local_addrs[i], a));
	for (i = 0; i < p->n_local6; i++)
		fprintf(f, "local_address = %s\n", ip6(p->local6[i], a));
	if (p->n_local + p->n_local6 == 0)
		fprintf(f, "; local_address = (none)\n");
	if (p->mtu != 0)
		fprintf(f, "mtu = %u\n", p->mtu);
	else
		fprintf(f, "; mtu = (the device's)\n");
	fprintf(f, "steering = %s\n", sl_config_steering_name(p->steering));
	if (p->steering == SL_STEERING_AUTO)
		fprintf(f, "; auto here: %s\n",
			sl_config_steering_name(sl_config_steering(cfg, idx, NULL)));
}

static const char *
check_name(uint8_t kind)
{
	switch (kind) {
	case SL_CHECK_TCP: return "tcp";
	case SL_CHECK_HTTP: return "http";
	case SL_CHECK_UDP: return "udp";
	default: return "none";
	}
}

static void
print_backend(const struct sl_config_backend *b, FILE *f)
{
	char a[INET6_ADDRSTRLEN];

	if (b->v6)
		fprintf(f, "backend = [%s]:%u", ip6(b->addr6, a), b->port);
	else
		fprintf(f, "backend = %s:%u", ip4(b->addr, a), b->port);
	fprintf(f, " weight=%u", b->weight);
	if (b->id[0] != '\0')
		fprintf(f, " id=%s", b->id);
	fprintf(f, " state=%s", b->drain ? "drain" : "active");
	if (b->check_port != 0)
		fprintf(f, " check_port=%u", b->check_port);
	if (b->max_conns != 0)
		fprintf(f, " max_conns=%u", b->max_conns);
	fprintf(f, "\n");
}

static void
print_acl(const struct sl_config_acl *e, FILE *f)
{
	char a[INET6_ADDRSTRLEN];
	uint32_t v4;

	if (e->v6) {
		ip6(e->addr, a);
	} else {
		memcpy(&v4, e->addr + 12, 4);
		ip4(ntohl(v4), a);
	}
	fprintf(f, "%s = %s/%u\n", e->deny ? "deny" : "allow", a, e->len);
}

static void
print_service(const struct sl_config_service *s, FILE *f)
{
	static const char *const synproxy[] = { "off", "on", "auto" };
	static const char *const proxy[] = { "off", "v1", "v2" };
	static const char *const encap[] = { "ipip", "gue", "gre" };
	int maglev = strcmp(s->scheduler, "maglev") == 0;
	int sh = strcmp(s->scheduler, "sh") == 0;
	int tunnel = s->mode == SL_MODE_TUNNEL;
	const char *hash;
	char a[INET6_ADDRSTRLEN];
	unsigned i, allow = 0, deny = 0;

	fprintf(f, "\n[service.%s]\n", s->name);
	fprintf(f, "vip = %s\n", s->v6 ? ip6(s->vip6, a) : ip4(s->vip, a));
	fprintf(f, "port = %u\n", s->port);
	fprintf(f, "protocol = %s\n", s->proto == IPPROTO_UDP ? "udp" : "tcp");
	fprintf(f, "mode = %s\n", tunnel ? "tunnel" : sl_config_mode_name(s->mode, 0));
	fprintf(f, "%sencap = %s%s\n", tunnel ? "" : "; ",
		encap[s->encap < 3 ? s->encap : 0], tunnel ? "" : " (mode = tunnel only)");
	if (tunnel && s->encap == SL_ENCAP_GUE)
		fprintf(f, "gue_port = %u\n", s->gue_port);
	else
		fprintf(f, "; gue_port = %u (encap = gue only)\n", s->gue_port);
	if (SL_MODE_ONEWAY(s->mode))
		fprintf(f, "check_target = %s\n", s->check_backend ? "backend" : "vip");
	else
		fprintf(f, "; check_target = %s (mode = dr or tunnel only)\n",
			s->check_backend ? "backend" : "vip");
	fprintf(f, "scheduler = %s\n", s->scheduler);
	if (maglev)
		fprintf(f, "maglev_table_size = %u\n", s->maglev_table_size);
	else
		fprintf(f, "; maglev_table_size = %u (scheduler = maglev only)\n",
			s->maglev_table_size);
	hash = s->hash_mode == SL_HASH_SOURCE ? "source" :
	       s->hash_mode == SL_HASH_5TUPLE ? "5tuple" : sh ? "source" : "5tuple";
	if (maglev || sh)
		fprintf(f, "hash = %s\n", hash);
	else
		fprintf(f, "; hash = 5tuple (scheduler = sh or maglev only)\n");
	fprintf(f, "persistence = %us\n", s->persistence);
	fprintf(f, "drain_timeout = %us\n", s->drain_timeout);
	fprintf(f, "check = %s\n", check_name(s->check.kind));
	fprintf(f, "check_interval = %ums\n", s->check.interval_ms);
	fprintf(f, "check_timeout = %ums\n", s->check.timeout_ms);
	fprintf(f, "check_rise = %u\n", s->check.rise);
	fprintf(f, "check_fall = %u\n", s->check.fall);
	fprintf(f, "check_path = %s\n", s->check.path);
	if (s->check.host[0] != '\0')
		fprintf(f, "check_host = %s\n", s->check.host);
	else
		fprintf(f, "; check_host = (the VIP)\n");
	fprintf(f, "check_expect = %s\n", s->check.expect);
	if (s->check.send[0] != '\0')
		fprintf(f, "check_send = %s\n", s->check.send);
	else
		fprintf(f, "; check_send = (none)\n");
	if (s->check.expect_payload[0] != '\0')
		fprintf(f, "check_expect_payload = %s\n", s->check.expect_payload);
	else
		fprintf(f, "; check_expect_payload = (any answer)\n");
	fprintf(f, "proxy_protocol = %s\n", proxy[s->proxy_protocol < 3 ? s->proxy_protocol : 0]);
	for (i = 0; i < s->n_acl; i++) {
		print_acl(&s->acl[i], f);
		allow += !s->acl[i].deny;
		deny += s->acl[i].deny;
	}
	if (allow == 0)
		fprintf(f, "; allow = (every client)\n");
	if (deny == 0)
		fprintf(f, "; deny = (none)\n");
	if (s->conn_rate != 0) {
		fprintf(f, "conn_rate_per_client = %u\n", s->conn_rate);
		fprintf(f, "conn_burst_per_client = %u\n",
			s->conn_burst != 0 ? s->conn_burst : s->conn_rate);
	} else {
		fprintf(f, "; conn_rate_per_client = (no limit)\n");
		fprintf(f, "; conn_burst_per_client = (conn_rate_per_client only)\n");
	}
	fprintf(f, "synproxy = %s\n", synproxy[s->synproxy < 3 ? s->synproxy : 0]);
	if (s->synproxy == SL_SYNPROXY_AUTO)
		fprintf(f, "synproxy_threshold = %u\n", s->synproxy_threshold);
	else
		fprintf(f, "; synproxy_threshold = %u (synproxy = auto only)\n",
			s->synproxy_threshold);
	for (i = 0; i < s->n_backends; i++)
		print_backend(&s->backends[i], f);
}

/* [bgp] is optional: absent, it stays absent (a comment says so). */
static void
print_bgp(const struct sl_config_bgp *b, FILE *f)
{
	if (b->line == 0) {
		fprintf(f, "\n; [bgp] (none: no VIP is announced over BGP)\n");
		return;
	}
	fprintf(f, "\n[bgp]\n");
	fprintf(f, "daemon = bird\n");
	fprintf(f, "include = %s\n", b->include);
	fprintf(f, "control = %s\n", b->control);
	fprintf(f, "grace = %us\n", b->grace_s);
	fprintf(f, "withdraw_on_sigterm = %s\n", b->withdraw_on_sigterm ? "yes" : "no");
}

int
sl_config_print(const struct sl_config *cfg, FILE *f)
{
	unsigned i;

	fprintf(f, "; Sluice configuration as loaded: every key with its value, defaults\n"
		"; included; a key in a comment has no value here.\n\n");
	print_eal(cfg, f);
	print_global(cfg, f);
	for (i = 0; i < cfg->n_ports; i++)
		print_port(cfg, i, f);
	for (i = 0; i < cfg->n_services; i++)
		print_service(&cfg->services[i], f);
	print_bgp(&cfg->bgp, f);
	if (fflush(f) != 0 || ferror(f))
		return -EIO;
	return 0;
}
