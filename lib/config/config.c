/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * INI configuration parser and validator.
 *
 * inih does the tokenising; everything around it is ours. inih's handler
 * is not told the line number and never sees a section without keys, so
 * all text reaches inih through read_line(), which counts lines, opens
 * and closes sections, and rejects malformed lines with a precise
 * message before inih sees them. The handler, on_key(), then works on
 * the section read_line() opened. Both stop at the first error: the
 * reader returns NULL (end of input) once an error is recorded.
 *
 * The parser checks what one line or one section shows (syntax, values,
 * required keys, when the section is closed). Every rule across keys,
 * sections and limits is the validator's, sl_config_validate(), which
 * runs after the last line on the struct alone: reloads and runtime
 * commands go through the same one. Every check reports the line of the
 * key it is about, or of the section header when a key is missing; the
 * parser records those lines in the struct for the validator.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* GNU strerror_r */
#endif
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <ini.h>
#include <rte_common.h>

#include "sl_config.h"
#include "sl_sched.h"

#define MAX_KEYS	32	/* most keys any section has (asserted below) */
#define MAX_CPU_ID	1023	/* CPU_SETSIZE - 1, what EAL accepts after '@' */
#define ERR_MAX		1024
#define QUOTE_MAX	60	/* longest excerpt of a bad line in a message */

#define NAME_CHARS	"A-Z a-z 0-9 _ -"
#define SECTIONS_HINT	"[eal], [global], [port.NAME], [service.NAME] or [bgp]"
#define LCORES_SYNTAX	"items N or N-M or (list), separated by ',', " \
			"each optionally followed by @CPU or @(CPU list)"

enum sect_kind {
	SECT_NONE = 0,	/* before the first section header */
	SECT_EAL,
	SECT_GLOBAL,
	SECT_PORT,
	SECT_SERVICE,
	SECT_BGP,
};

static const char *const eal_keys[] = { "lcores", "args" };
enum { EK_LCORES, EK_ARGS };

static const char *const bgp_keys[] = {
	"daemon", "include", "control", "grace", "withdraw_on_sigterm",
};
enum { BK_DAEMON, BK_INCLUDE, BK_CONTROL, BK_GRACE, BK_WITHDRAW };

static const char *const port_keys[] = {
	"device", "address", "gateway", "rx_descriptors", "tx_descriptors",
	"kernel_interface", "route", "vlan", "local_address", "mtu", "steering",
};
enum { PK_DEVICE, PK_ADDRESS, PK_GATEWAY, PK_RXD, PK_TXD, PK_KNI, PK_ROUTE, PK_VLAN,
       PK_LOCAL, PK_MTU, PK_STEERING };

/* Options of a backend line, "NAME=VALUE" after IP:PORT. */
static const char *const backend_opts[] = {
	"weight", "id", "state", "check_port", "max_conns",
};
enum { BO_WEIGHT, BO_ID, BO_STATE, BO_CHECK_PORT, BO_MAX_CONNS };

static const char *const svc_keys[] = {
	"vip", "port", "protocol", "mode", "scheduler", "backend",
	"maglev_table_size", "hash", "persistence", "drain_timeout",
	"check", "check_interval", "check_timeout", "check_rise", "check_fall",
	"check_path", "check_host", "check_expect", "check_send",
	"check_expect_payload", "proxy_protocol", "encap", "gue_port", "check_target",
	"allow", "deny", "conn_rate_per_client", "conn_burst_per_client",
	"synproxy", "synproxy_threshold",
};
enum { SK_VIP, SK_PORT, SK_PROTO, SK_MODE, SK_SCHED, SK_BACKEND,
       SK_MAGLEV_M, SK_HASH, SK_PERSIST, SK_DRAIN, SK_CHECK, SK_CHECK_INTERVAL,
       SK_CHECK_TIMEOUT, SK_CHECK_RISE, SK_CHECK_FALL, SK_CHECK_PATH,
       SK_CHECK_HOST, SK_CHECK_EXPECT, SK_CHECK_SEND, SK_CHECK_EXPECT_PAYLOAD,
       SK_PROXY, SK_ENCAP, SK_GUE_PORT, SK_CHECK_TARGET, SK_ALLOW, SK_DENY,
       SK_CONN_RATE, SK_CONN_BURST, SK_SYNPROXY, SK_SYNPROXY_THRESHOLD };

/*
 * Units of keys that set a time. A plain number is in the key's own
 * unit; a number with a unit is converted to it, and must come out
 * whole ("1500ms" is no number of seconds).
 */
enum dur_unit {
	DU_NONE = 0,	/* not a time */
	DU_US,
	DU_MS,
	DU_S,
};

struct global_key {
	const char *name;
	size_t off;		/* of a uint32_t in struct sl_config_global */
	uint32_t min;
	uint32_t max;
	uint8_t unit;		/* enum dur_unit */
};

#define G(field) offsetof(struct sl_config_global, field)
static const struct global_key global_keys[] = {
	{ "flow_capacity",           G(flow_capacity),  1024, 67108864, DU_NONE },
	{ "idle_sleep",              G(idle_sleep_us),  0, 100000,      DU_US },
	{ "idle_polls",              G(idle_polls),     1, 1000000,     DU_NONE },
	/* yes|no: handled by name */
	{ "idle_wake",               G(idle_wake),      0, 1,           DU_NONE },
	{ "stats_interval",          G(stats_interval), 0, 86400,       DU_S },
	{ "mbufs",                   G(mbufs),          1023, 4194303,  DU_NONE },
	{ "neigh_timeout",           G(neigh_timeout),  5, 86400,       DU_S },
	{ "slowpath_rate",           G(slowpath_rate),  0, 10000000,    DU_NONE },
	{ "slowpath_burst",          G(slowpath_burst), 1, 1000000,     DU_NONE },
	{ "timeout_tcp_syn",         G(timeouts[SL_CS_SYN_SENT]),   1, 86400, DU_S },
	{ "timeout_tcp_syn_recv",    G(timeouts[SL_CS_SYN_RECV]),   1, 86400, DU_S },
	{ "timeout_tcp_established", G(timeouts[SL_CS_ESTABLISHED]), 1, 86400, DU_S },
	{ "timeout_tcp_fin",         G(timeouts[SL_CS_FIN_WAIT]),   1, 86400, DU_S },
	{ "timeout_tcp_time_wait",   G(timeouts[SL_CS_TIME_WAIT]),  1, 86400, DU_S },
	{ "timeout_tcp_close",       G(timeouts[SL_CS_CLOSE]),      1, 86400, DU_S },
	{ "timeout_udp",             G(timeouts[SL_CS_UDP]),        1, 86400, DU_S },
	/* not a number: handled by name in handle_global() */
	{ "admin_socket",            G(admin_socket),               0, 0, DU_NONE },
	/* LO-HI: handled by name; it decides which worker owns a fullnat
	 * connection, so sl_config_restart_diff() keeps it a restart key */
	{ "local_ports",             G(local_port_lo),              0, 0, DU_NONE },
};
#undef G

_Static_assert(RTE_DIM(global_keys) <= MAX_KEYS, "raise MAX_KEYS");
_Static_assert(RTE_DIM(svc_keys) <= MAX_KEYS, "raise MAX_KEYS");
_Static_assert(RTE_DIM(port_keys) <= MAX_KEYS, "raise MAX_KEYS");

/*
 * All parsing state, so that several files can be parsed at once from
 * different threads. Key lines are kept per section (0 = key not seen)
 * because duplicate-key messages and the checks run after the last line
 * must point at the key, not at the section.
 */
struct parse_ctx {
	struct sl_config *cfg;
	const char *name;	/* file name in messages */

	const char *text;	/* whole input, NUL-free */
	size_t len;
	size_t pos;
	int lineno;		/* line last handed to inih */

	enum sect_kind kind;	/* section being read */
	char sect[SL_NAME_MAX + 16]; /* "port.NAME", for messages */
	int *keys;		/* key lines of the section being read */
	struct sl_config_port *port;
	struct sl_config_service *svc;
	int gateway4_line;	/* IPv4 gateway key of the port being read */
	int gateway6_line;	/* and its IPv6 one */

	int eal_line;		/* header lines, 0 = section absent */
	int global_line;
	int eal_keys[MAX_KEYS];
	int bgp_keys[MAX_KEYS];
	int global_keys[MAX_KEYS];
	int port_keys[SL_MAX_PORTS][MAX_KEYS];
	int svc_keys[SL_MAX_SERVICES][MAX_KEYS];

	bool failed;
	int errnum;
	char err[ERR_MAX];
};

/* Record the first error as "FILE:LINE: reason"; later ones are dropped. */
static int __rte_format_printf(3, 4)
fail(struct parse_ctx *c, int line, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (c->failed)
		return -EINVAL;
	c->failed = true;
	c->errnum = EINVAL;
	n = snprintf(c->err, sizeof(c->err), "%s:%d: ", c->name, line);
	if (n < 0 || (size_t)n >= sizeof(c->err))
		return -EINVAL;
	va_start(ap, fmt);
	vsnprintf(c->err + n, sizeof(c->err) - n, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* A yes|no value of key @p name into @p yes (1 or 0). */
static int
parse_yes_no(struct parse_ctx *c, const char *name, const char *v, int *yes)
{
	if (strcmp(v, "yes") != 0 && strcmp(v, "no") != 0)
		return fail(c, c->lineno, "%s '%s' is not yes or no", name, v);
	*yes = v[0] == 'y';
	return 0;
}

static const char *
ip_str(uint32_t addr, char *buf)
{
	snprintf(buf, INET_ADDRSTRLEN, "%u.%u.%u.%u", addr >> 24,
		 (addr >> 16) & 0xff, (addr >> 8) & 0xff, addr & 0xff);
	return buf;
}

static uint32_t
prefix_mask(unsigned prefix_len)
{
	return prefix_len == 0 ? 0 : UINT32_MAX << (32 - prefix_len);
}

/*
 * Addresses that can never be a host we forward to or answer for. Port
 * addresses, gateways, VIPs and backends all go through this.
 */
static const char *
non_unicast(uint32_t a)
{
	if (a == 0)
		return "the unspecified address";
	if ((a >> 24) == 0)
		return "in 0.0.0.0/8 (\"this network\")";
	if ((a >> 24) == 127)
		return "a loopback address";
	if (a == UINT32_MAX)
		return "the broadcast address";
	if ((a >> 28) == 0xe)
		return "a multicast address";
	if ((a >> 28) == 0xf)
		return "a reserved (240.0.0.0/4) address";
	return NULL;
}

/*
 * IPv6 counterparts. Addresses stay in network order (as inet_pton
 * gives them), compared bytewise.
 */
static const uint8_t v4_mapped_pfx[12] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff,
};

static const char *
ip6_str(const uint8_t a[16], char *buf)
{
	if (inet_ntop(AF_INET6, a, buf, INET6_ADDRSTRLEN) == NULL)
		snprintf(buf, INET6_ADDRSTRLEN, "?");
	return buf;
}

static bool
ip6_zero(const uint8_t a[16])
{
	static const uint8_t zero[16];

	return memcmp(a, zero, 16) == 0;
}

/* Do @p a and @p b agree in their first @p len bits? */
static bool
ip6_match(const uint8_t a[16], const uint8_t b[16], unsigned len)
{
	unsigned bytes = len / 8, bits = len % 8;

	if (memcmp(a, b, bytes) != 0)
		return false;
	if (bits == 0)
		return true;
	return ((a[bytes] ^ b[bytes]) & (uint8_t)(0xff << (8 - bits))) == 0;
}

/* @p a with every bit past @p len cleared. */
static void
ip6_net(const uint8_t a[16], unsigned len, uint8_t out[16])
{
	unsigned i;

	for (i = 0; i < 16; i++) {
		unsigned keep = len >= 8 * (i + 1) ? 8 : len > 8 * i ? len - 8 * i : 0;

		out[i] = keep == 0 ? 0 : a[i] & (uint8_t)(0xff << (8 - keep));
	}
}

/* As non_unicast(): never a host we forward to or answer for. */
static const char *
non_unicast6(const uint8_t a[16])
{
	static const uint8_t loop[16] = { [15] = 1 };

	if (ip6_zero(a))
		return "the unspecified address";
	if (memcmp(a, loop, 16) == 0)
		return "the loopback address";
	if (a[0] == 0xff)
		return "a multicast address";
	if (memcmp(a, v4_mapped_pfx, sizeof(v4_mapped_pfx)) == 0)
		return "an IPv4-mapped address (write IPv4 addresses as A.B.C.D)";
	return NULL;
}

static bool
link_local6(const uint8_t a[16])
{
	return a[0] == 0xfe && (a[1] & 0xc0) == 0x80;
}

/*
 * The subnet-router anycast address (RFC 4291 2.6.1): the subnet prefix
 * with an all-zero interface identifier. /127 and /128 have none
 * (RFC 6164), as /31 and /32 have no network address.
 */
static bool
subnet_anycast6(const uint8_t a[16], const uint8_t net[16], uint8_t len)
{
	uint8_t n[16];

	if (len >= 127 || !ip6_match(a, net, len))
		return false;
	ip6_net(a, len, n);
	return memcmp(a, n, 16) == 0;
}

/*
 * The network and broadcast addresses of a subnet are not hosts; /31
 * and /32 have neither (RFC 3021).
 */
static const char *
subnet_special(uint32_t a, uint32_t net, uint8_t prefix_len)
{
	uint32_t mask = prefix_mask(prefix_len);

	if (prefix_len > 30 || (a & mask) != (net & mask))
		return NULL;
	if (a == (net & mask))
		return "network";
	if (a == ((net & mask) | ~mask))
		return "broadcast";
	return NULL;
}

/*
 * Decimal integer in [min, max]. Only digits: no sign, no hex, no
 * trailing text, so "10s" or "0x10" are refused rather than half-read.
 * The reason goes to @p err without a location, so that the parser and
 * runtime commands can each say where.
 */
static int
u32_check(const char *what, const char *v, uint32_t min, uint32_t max,
	  uint32_t *out, char *err, size_t errlen)
{
	uint64_t n = 0;
	bool overflow = false;
	const char *p = v;

	if (*p == '-') {
		snprintf(err, errlen, "%s '%s' is negative (expected an integer %u..%u)",
			 what, v, min, max);
		return -EINVAL;
	}
	if (!isdigit((unsigned char)*p)) {
		snprintf(err, errlen, "%s '%s' is not a number (expected an integer %u..%u)",
			 what, v, min, max);
		return -EINVAL;
	}
	for (; isdigit((unsigned char)*p); p++) {
		if (!overflow)
			n = n * 10 + (unsigned)(*p - '0');
		if (n > UINT32_MAX)
			overflow = true;
	}
	if (*p != '\0') {
		snprintf(err, errlen, "%s '%s' has junk after the number (expected an integer %u..%u)",
			 what, v, min, max);
		return -EINVAL;
	}
	if (overflow || n < min || n > max) {
		snprintf(err, errlen, "%s %s is out of range (expected %u..%u)",
			 what, v, min, max);
		return -EINVAL;
	}
	*out = (uint32_t)n;
	return 0;
}

static int
parse_u32(struct parse_ctx *c, const char *what, const char *v,
	  uint32_t min, uint32_t max, uint32_t *out)
{
	char msg[ERR_MAX];

	if (u32_check(what, v, min, max, out, msg, sizeof(msg)) < 0)
		return fail(c, c->lineno, "%s", msg);
	return 0;
}

/* Microseconds in one of each unit, by suffix. */
static const struct {
	const char *suffix;
	uint64_t us;
	const char *name;	/* the key's unit, in messages */
} dur_units[] = {
	[DU_NONE] = { "", 0, "" },
	[DU_US] = { "us", 1, "microseconds" },
	[DU_MS] = { "ms", 1000, "milliseconds" },
	[DU_S] = { "s", 1000000, "seconds" },
	{ "m", 60000000, "minutes" },
	{ "h", 3600000000ULL, "hours" },
};

#define DUR_UNITS	"us, ms, s, m or h"

/*
 * A time: digits, then optionally one of the units of dur_units with no
 * space between. A plain number is in @p unit, the key's own; a value
 * with a unit is converted to it and refused unless it converts
 * exactly, so nothing is rounded behind the operator's back. The range
 * is the key's, in its unit. The reason goes to @p err as for
 * u32_check().
 */
static int
dur_check(const char *what, const char *v, enum dur_unit unit, uint32_t min,
	  uint32_t max, uint32_t *out, char *err, size_t errlen)
{
	static const char *const example[] = {
		[DU_US] = "100us", [DU_MS] = "500ms", [DU_S] = "5m",
	};
	const char *kunit = dur_units[unit].suffix, *uname = dur_units[unit].name;
	uint64_t n = 0, us, per = dur_units[unit].us;
	bool overflow = false;
	const char *p = v;
	unsigned i;

	if (*p == '-') {
		snprintf(err, errlen, "%s '%s' is negative (expected %u..%u %s)",
			 what, v, min, max, uname);
		return -EINVAL;
	}
	if (!isdigit((unsigned char)*p)) {
		snprintf(err, errlen, "%s '%s' is not a duration (expected %u..%u %s: a plain number, or a number with a unit %s, e.g. %s)",
			 what, v, min, max, uname, DUR_UNITS, example[unit]);
		return -EINVAL;
	}
	for (; isdigit((unsigned char)*p); p++) {
		if (!overflow)
			n = n * 10 + (unsigned)(*p - '0');
		if (n > UINT32_MAX)
			overflow = true;
	}
	i = unit;
	if (*p != '\0') {
		for (i = DU_US; i < RTE_DIM(dur_units); i++)
			if (strcmp(p, dur_units[i].suffix) == 0)
				break;
		if (i == RTE_DIM(dur_units)) {
			snprintf(err, errlen, "%s '%s' has an unknown unit '%s' (expected a plain number of %s, or a unit %s right after the number, e.g. %s)",
				 what, v, p, uname, DUR_UNITS, example[unit]);
			return -EINVAL;
		}
	}
	/* at most (2^32 - 1) * 3.6e9: fits in 64 bits */
	us = overflow ? UINT64_MAX : n * dur_units[i].us;
	if (!overflow && us % per != 0) {
		snprintf(err, errlen, "%s '%s' is not a whole number of %s (the unit of %s; e.g. %s)",
			 what, v, uname, what, example[unit]);
		return -EINVAL;
	}
	if (overflow || us / per < min || us / per > max) {
		if (i == unit || overflow || us / per > UINT32_MAX)
			snprintf(err, errlen, "%s %s is out of range (expected %u..%u %s)",
				 what, v, min, max, uname);
		else
			snprintf(err, errlen, "%s %s (%" PRIu64 "%s) is out of range (expected %u..%u %s)",
				 what, v, us / per, kunit, min, max, uname);
		return -EINVAL;
	}
	*out = (uint32_t)(us / per);
	return 0;
}

static int
parse_dur(struct parse_ctx *c, const char *what, const char *v, enum dur_unit unit,
	  uint32_t min, uint32_t max, uint32_t *out)
{
	char msg[ERR_MAX];

	if (dur_check(what, v, unit, min, max, out, msg, sizeof(msg)) < 0)
		return fail(c, c->lineno, "%s", msg);
	return 0;
}

/* A unicast IPv4 address; the reason to @p err as for u32_check(). */
static int
ip_check(const char *what, const char *v, uint32_t *out, char *err, size_t errlen)
{
	struct in_addr a;
	const char *bad;

	if (inet_pton(AF_INET, v, &a) != 1) {
		snprintf(err, errlen, "%s '%s' is not an IPv4 address (expected dotted quad, e.g. 10.0.0.1)",
			 what, v);
		return -EINVAL;
	}
	*out = ntohl(a.s_addr);
	bad = non_unicast(*out);
	if (bad != NULL) {
		snprintf(err, errlen, "%s %s is %s (expected a unicast address)",
			 what, v, bad);
		return -EINVAL;
	}
	return 0;
}

static int
parse_ip(struct parse_ctx *c, const char *what, const char *v, uint32_t *out)
{
	char msg[ERR_MAX];

	if (ip_check(what, v, out, msg, sizeof(msg)) < 0)
		return fail(c, c->lineno, "%s", msg);
	return 0;
}

/* A unicast IPv6 address, network order; the reason as for ip_check(). */
static int
ip6_check(const char *what, const char *v, uint8_t out[16], char *err,
	  size_t errlen)
{
	const char *bad;

	if (inet_pton(AF_INET6, v, out) != 1) {
		snprintf(err, errlen, "%s '%s' is not an IPv6 address (expected e.g. 2001:db8::1)",
			 what, v);
		return -EINVAL;
	}
	bad = non_unicast6(out);
	if (bad != NULL) {
		snprintf(err, errlen, "%s %s is %s (expected a unicast address)",
			 what, v, bad);
		return -EINVAL;
	}
	return 0;
}

static int
parse_ip6(struct parse_ctx *c, const char *what, const char *v, uint8_t out[16])
{
	char msg[ERR_MAX];

	if (ip6_check(what, v, out, msg, sizeof(msg)) < 0)
		return fail(c, c->lineno, "%s", msg);
	return 0;
}

/* An IPv6 value is told from an IPv4 one by its colons. */
static bool
is_v6(const char *v)
{
	return strchr(v, ':') != NULL;
}

/* "A.B.C.D/P", prefix required: a port has to know its subnet. */
static int
parse_prefix(struct parse_ctx *c, const char *v, uint32_t *addr, uint8_t *len)
{
	char buf[INET_ADDRSTRLEN + 8];
	const char *slash = strchr(v, '/');
	const char *special;
	uint32_t plen;
	size_t n;

	if (slash == NULL)
		return fail(c, c->lineno, "address '%s' has no prefix length (expected A.B.C.D/P with P 1..32, e.g. 10.0.0.1/24)",
			    v);
	n = (size_t)(slash - v);
	if (n >= sizeof(buf))
		return fail(c, c->lineno, "address '%s' is not an IPv4 address (expected A.B.C.D/P, e.g. 10.0.0.1/24)",
			    v);
	memcpy(buf, v, n);
	buf[n] = '\0';
	if (parse_ip(c, "address", buf, addr) < 0)
		return -EINVAL;
	if (parse_u32(c, "prefix length", slash + 1, 1, 32, &plen) < 0)
		return -EINVAL;
	*len = (uint8_t)plen;
	special = subnet_special(*addr, *addr, *len);
	if (special != NULL) {
		char ex[INET_ADDRSTRLEN];

		return fail(c, c->lineno, "address %s is the %s address of its subnet (expected the port's own host address, e.g. %s/%u)",
			    v, special,
			    ip_str((*addr & prefix_mask(plen)) + 1, ex), plen);
	}
	return 0;
}

/* "ADDR/P" with an IPv6 address, P 1..128: the port's second address. */
static int
parse_prefix6(struct parse_ctx *c, const char *v, uint8_t addr[16], uint8_t *len)
{
	char buf[INET6_ADDRSTRLEN + 8], ex[INET6_ADDRSTRLEN];
	const char *slash = strchr(v, '/');
	uint32_t plen;
	size_t n;

	if (slash == NULL)
		return fail(c, c->lineno, "address '%s' has no prefix length (expected ADDR/P with P 1..128, e.g. 2001:db8::1/64)",
			    v);
	n = (size_t)(slash - v);
	if (n >= sizeof(buf))
		return fail(c, c->lineno, "address '%s' is not an IPv6 address (expected ADDR/P, e.g. 2001:db8::1/64)",
			    v);
	memcpy(buf, v, n);
	buf[n] = '\0';
	if (parse_ip6(c, "address", buf, addr) < 0)
		return -EINVAL;
	if (parse_u32(c, "prefix length", slash + 1, 1, 128, &plen) < 0)
		return -EINVAL;
	*len = (uint8_t)plen;
	if (subnet_anycast6(addr, addr, *len)) {
		uint8_t host[16];

		memcpy(host, addr, 16);
		host[15] |= 1;
		return fail(c, c->lineno, "address %s is the subnet-router anycast address of its subnet (expected the port's own host address, e.g. %s/%u)",
			    v, ip6_str(host, ex), plen);
	}
	return 0;
}

/* Exactly @p n hex digits. */
static const char *
hex_field(const char *p, int n, unsigned *out)
{
	unsigned v = 0;
	int i;

	for (i = 0; i < n; i++) {
		if (!isxdigit((unsigned char)p[i]))
			return NULL;
		v = v * 16 + (unsigned)(isdigit((unsigned char)p[i]) ?
			p[i] - '0' : tolower((unsigned char)p[i]) - 'a' + 10);
	}
	*out = v;
	return p + n;
}

/*
 * PCI address DDDD:BB:DD.F or BB:DD.F, optionally followed by ",devargs".
 * Writes the canonical DDDD:BB:DD.F to @p canon so that both spellings
 * of one device compare equal.
 */
static bool
parse_pci(const char *s, char *canon, size_t canon_len)
{
	unsigned dom = 0, bus, dev, fn;
	const char *p;

	p = hex_field(s, 4, &dom);
	if (p == NULL || *p != ':') {
		dom = 0;
		p = s;
	} else {
		p++;
	}
	p = hex_field(p, 2, &bus);
	if (p == NULL || *p != ':')
		return false;
	p = hex_field(p + 1, 2, &dev);
	if (p == NULL || *p != '.' || dev > 0x1f)
		return false;
	if (p[1] < '0' || p[1] > '7')
		return false;
	fn = (unsigned)(p[1] - '0');
	p += 2;
	if (*p != '\0' && *p != ',')
		return false;
	snprintf(canon, canon_len, "%04x:%02x:%02x.%x", dom, bus, dev, fn);
	return true;
}

/*
 * Device identity for duplicate detection: DPDK refuses two vdevs with
 * one name even if their arguments differ, so compare names only.
 */
static void
device_key(const char *dev, char *key, size_t key_len)
{
	size_t n;

	if (parse_pci(dev, key, key_len))
		return;
	n = strcspn(dev, ",");
	if (n >= key_len)
		n = key_len - 1;
	memcpy(key, dev, n);
	key[n] = '\0';
}

static int
parse_device(struct parse_ctx *c, const char *v)
{
	char canon[32];
	const char *p;

	if (strlen(v) >= SL_DEVICE_MAX)
		return fail(c, c->lineno, "device '%.40s...' is too long (at most %d characters)",
			    v, SL_DEVICE_MAX - 1);
	for (p = v; *p != '\0'; p++)
		if (isspace((unsigned char)*p))
			return fail(c, c->lineno, "device '%s' contains a space (devargs are 'name,key=value,...' without spaces)",
				    v);
	if (strncmp(v, "net_", 4) == 0) {
		p = v + 4;
		while (isalnum((unsigned char)*p) || *p == '_')
			p++;
		if (p == v + 4)
			return fail(c, c->lineno, "device '%s' has no driver name after 'net_' (e.g. net_af_packet0,iface=eth0)",
				    v);
		if (*p != '\0' && *p != ',')
			return fail(c, c->lineno, "device '%s': vdev name may hold only A-Z a-z 0-9 _ and ends at ',' (e.g. net_af_packet0,iface=eth0)",
				    v);
	} else if (!parse_pci(v, canon, sizeof(canon))) {
		return fail(c, c->lineno, "device '%s' is neither a vdev (net_...) nor a PCI address (DDDD:BB:DD.F or BB:DD.F)",
			    v);
	}
	strcpy(c->port->device, v);
	return 0;
}

static int
parse_desc(struct parse_ctx *c, const char *key, const char *v, uint16_t *out)
{
	uint32_t n;

	if (parse_u32(c, key, v, 64, 16384, &n) < 0)
		return -EINVAL;
	if ((n & (n - 1)) != 0)
		return fail(c, c->lineno, "%s %u is not a power of two (expected 64, 128, ..., 16384)",
			    key, n);
	*out = (uint16_t)n;
	return 0;
}

/* A decimal id in [0, max], for lcore and CPU lists. */
static const char *
lcores_num(struct parse_ctx *c, const char *v, const char *p, const char *what,
	   unsigned max, unsigned *out)
{
	unsigned long n = 0;

	if (*p == '\0') {
		fail(c, c->lineno, "bad lcores '%s': expected a number at the end (%s)",
		     v, LCORES_SYNTAX);
		return NULL;
	}
	if (!isdigit((unsigned char)*p)) {
		fail(c, c->lineno, "bad lcores '%s': expected a number at position %d, found '%c' (%s)",
		     v, (int)(p - v) + 1, *p, LCORES_SYNTAX);
		return NULL;
	}
	while (isdigit((unsigned char)*p)) {
		n = n * 10 + (unsigned)(*p++ - '0');
		if (n > max)
			break;
	}
	if (n > max) {
		fail(c, c->lineno, "%s id in lcores '%s' is out of range (expected 0..%u)",
		     what, v, max);
		return NULL;
	}
	*out = (unsigned)n;
	return p;
}

/* N or N-M, each id at most @p max. */
static const char *
lcores_range(struct parse_ctx *c, const char *v, const char *p, const char *what,
	     unsigned max, unsigned *lo, unsigned *hi)
{
	p = lcores_num(c, v, p, what, max, lo);
	if (p == NULL)
		return NULL;
	*hi = *lo;
	if (*p == '-') {
		p = lcores_num(c, v, p + 1, what, max, hi);
		if (p == NULL)
			return NULL;
		if (*hi < *lo) {
			fail(c, c->lineno, "bad lcores '%s': range %u-%u runs backwards (expected N-M with N <= M)",
			     v, *lo, *hi);
			return NULL;
		}
	}
	return p;
}

static const char *
lcores_add(struct parse_ctx *c, const char *v, const char *p, bool *seen,
	   unsigned *count)
{
	unsigned lo, hi, id;

	p = lcores_range(c, v, p, "lcore", SL_MAX_LCORES - 1, &lo, &hi);
	if (p == NULL)
		return NULL;
	for (id = lo; id <= hi; id++) {
		if (seen[id]) {
			fail(c, c->lineno, "duplicate lcore %u in lcores '%s' (each lcore id may appear once)",
			     id, v);
			return NULL;
		}
		seen[id] = true;
		(*count)++;
	}
	return p;
}

/* "N", "N-M" or "(list)"; the caller has checked for '('. */
static const char *
lcores_set(struct parse_ctx *c, const char *v, const char *p, bool group,
	   bool cpus, bool *seen, unsigned *count)
{
	unsigned lo, hi;

	if (group)
		p++;
	for (;;) {
		if (cpus)
			p = lcores_range(c, v, p, "cpu", MAX_CPU_ID, &lo, &hi);
		else
			p = lcores_add(c, v, p, seen, count);
		if (p == NULL)
			return NULL;
		if (!group || *p == ')')
			break;
		if (*p != ',') {
			fail(c, c->lineno, "bad lcores '%s': expected ',' or ')' at position %d (%s)",
			     v, (int)(p - v) + 1, LCORES_SYNTAX);
			return NULL;
		}
		p++;
	}
	return group ? p + 1 : p;
}

/*
 * A subset of EAL --lcores: "0-1", "0,1,2@1", "(0-2)@(0-1)", "1@(2-3)".
 * Ids are only counted and checked for duplicates; EAL does the pinning.
 */
static int
parse_lcores(struct parse_ctx *c, const char *v)
{
	bool seen[SL_MAX_LCORES] = { false };
	unsigned count = 0;
	const char *p = v;

	if (strlen(v) >= sizeof(c->cfg->lcores))
		return fail(c, c->lineno, "lcores value is too long (at most %zu characters)",
			    sizeof(c->cfg->lcores) - 1);
	for (;;) {
		p = lcores_set(c, v, p, *p == '(', false, seen, &count);
		if (p == NULL)
			return -EINVAL;
		if (*p == '@') {
			p++;
			p = lcores_set(c, v, p, *p == '(', true, NULL, NULL);
			if (p == NULL)
				return -EINVAL;
		}
		if (*p == '\0')
			break;
		if (*p != ',')
			return fail(c, c->lineno, "bad lcores '%s': unexpected '%c' at position %d (%s)",
				    v, *p, (int)(p - v) + 1, LCORES_SYNTAX);
		p++;
	}
	if (count < 2)
		return fail(c, c->lineno, "lcores '%s' names %u lcore: need at least 2 lcores: one management, one worker",
			    v, count);
	strcpy(c->cfg->lcores, v);
	c->cfg->n_lcores = (uint16_t)count;
	return 0;
}

/*
 * Sluice builds -l/--lcores and the main lcore from 'lcores' itself;
 * the same options in 'args' would contradict it.
 */
static int
parse_eal_args(struct parse_ctx *c, const char *v)
{
	static const char *const owned[] = {
		"--lcores", "--main-lcore", "--master-lcore",
	};
	const char *p = v;
	size_t n, i;

	if (strlen(v) >= SL_EAL_ARGS_MAX)
		return fail(c, c->lineno, "args is too long (at most %d characters)",
			    SL_EAL_ARGS_MAX - 1);
	while (*p != '\0') {
		p += strspn(p, " \t");
		n = strcspn(p, " \t");
		if (n >= 2 && p[0] == '-' && (p[1] == 'l' || p[1] == 'c'))
			return fail(c, c->lineno, "args must not contain '%.*s': set lcores with the 'lcores' key",
				    (int)n, p);
		for (i = 0; i < RTE_DIM(owned); i++) {
			size_t ol = strlen(owned[i]);

			if (n >= ol && strncmp(p, owned[i], ol) == 0 &&
			    (n == ol || p[ol] == '='))
				return fail(c, c->lineno, "args must not contain '%.*s': the first lcore of 'lcores' is the main lcore",
					    (int)n, p);
		}
		p += n;
	}
	strcpy(c->cfg->eal_args, v);
	return 0;
}

#define ID_CHARS "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.:-"

/* Is @p id a valid backend id=: 1-31 characters of ID_CHARS? */
static bool
id_ok(const char *id)
{
	size_t n = strnlen(id, SL_NAME_MAX);

	return n > 0 && n < SL_NAME_MAX && id[strspn(id, ID_CHARS)] == '\0';
}

static int __rte_format_printf(3, 4)
reason(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err != NULL && errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

int
sl_config_backend_parse(const char *spec, struct sl_config_backend *out,
			char *err, size_t errlen)
{
	struct sl_config_backend b = { .weight = 1 };
	char tok[200], msg[ERR_MAX];
	const char *p = spec, *colon;
	bool have_weight = false;
	const char *val;
	uint32_t port;
	unsigned k;
	size_t n;

	if (spec == NULL || out == NULL)
		return reason(err, errlen, "no backend given (expected IP:PORT)");
	p += strspn(p, " \t");
	n = strcspn(p, " \t");
	if (n >= sizeof(tok))
		return reason(err, errlen, "backend '%.40s...' is too long", p);
	memcpy(tok, p, n);
	tok[n] = '\0';
	p += n;
	if (tok[0] == '[') {
		/* [ADDR]:PORT: the brackets keep the port apart from the
		 * address's own colons */
		char *close = strchr(tok, ']');

		if (close == NULL)
			return reason(err, errlen, "backend '%s' has no ']' (expected [ADDR]:PORT, e.g. [2001:db8::11]:8080)",
				      tok);
		if (close[1] != ':')
			return reason(err, errlen, "backend '%s' has no port (expected [ADDR]:PORT, e.g. [2001:db8::11]:8080)",
				      tok);
		*close = '\0';
		colon = close + 1;
		b.v6 = 1;
		if (ip6_check("backend address", tok + 1, b.addr6, msg, sizeof(msg)) < 0)
			return reason(err, errlen, "%s", msg);
	} else {
		colon = strrchr(tok, ':');
		if (colon == NULL)
			return reason(err, errlen, "backend '%s' has no port (expected IP:PORT, e.g. 10.1.0.11:8080, or [ADDR]:PORT for IPv6)",
				      tok);
		if (strchr(tok, ':') != colon)
			return reason(err, errlen, "backend '%s': an IPv6 address needs brackets (expected [ADDR]:PORT, e.g. [2001:db8::11]:8080)",
				      tok);
		tok[colon - tok] = '\0';
		if (ip_check("backend address", tok, &b.addr, msg, sizeof(msg)) < 0)
			return reason(err, errlen, "%s", msg);
	}
	if (u32_check("backend port", colon + 1, 1, 65535, &port, msg, sizeof(msg)) < 0)
		return reason(err, errlen, "%s", msg);
	b.port = (uint16_t)port;

	for (;;) {
		p += strspn(p, " \t");
		if (*p == '\0')
			break;
		n = strcspn(p, " \t");
		if (n >= sizeof(tok))
			return reason(err, errlen, "backend option '%.40s...' is too long", p);
		memcpy(tok, p, n);
		tok[n] = '\0';
		p += n;
		for (k = 0; k < RTE_DIM(backend_opts); k++) {
			n = strlen(backend_opts[k]);
			if (strncmp(tok, backend_opts[k], n) == 0 && tok[n] == '=')
				break;
		}
		if (k == RTE_DIM(backend_opts))
			return reason(err, errlen, "unknown backend option '%s' (expected weight=N, id=NAME, state=active|drain, check_port=N or max_conns=N)",
				      tok);
		val = tok + n + 1;
		if (k == BO_ID) {
			if (b.id[0] != '\0')
				return reason(err, errlen, "backend id given twice (give id=NAME once)");
			if (!id_ok(val))
				return reason(err, errlen, "backend id '%s' is not 1-%d characters of A-Z a-z 0-9 _ . : -",
					      val, SL_NAME_MAX - 1);
			strcpy(b.id, val);
			continue;
		}
		if (k == BO_CHECK_PORT) {
			uint32_t cp;

			if (u32_check("backend check_port", val, 1, 65535, &cp,
				      msg, sizeof(msg)) < 0)
				return reason(err, errlen, "%s", msg);
			b.check_port = (uint16_t)cp;
			continue;
		}
		if (k == BO_MAX_CONNS) {
			if (b.max_conns != 0)
				return reason(err, errlen, "backend max_conns given twice (give max_conns=N once)");
			if (u32_check("backend max_conns", val, 1, 100000000, &b.max_conns,
				      msg, sizeof(msg)) < 0)
				return reason(err, errlen, "%s", msg);
			continue;
		}
		if (k == BO_STATE) {
			if (strcmp(val, "drain") == 0)
				b.drain = 1;
			else if (strcmp(val, "active") == 0)
				b.drain = 0;
			else
				return reason(err, errlen, "unknown backend state '%s' (expected active|drain)",
					      val);
			continue;
		}
		if (have_weight)
			return reason(err, errlen, "backend weight given twice (give weight=N once)");
		have_weight = true;
		if (u32_check("backend weight", val, 1, 65535, &b.weight,
			      msg, sizeof(msg)) < 0)
			return reason(err, errlen, "%s", msg);
	}
	*out = b;
	return 0;
}

/*
 * One "backend = ..." line. Duplicates, port addresses, VIPs and the
 * total count are rules across the config: sl_config_validate() checks
 * them after the last line, for the file and for runtime commands alike.
 */
static int
parse_backend(struct parse_ctx *c, const char *v)
{
	struct sl_config_service *s = c->svc;
	struct sl_config_backend b;
	char msg[ERR_MAX];

	if (s->n_backends >= SL_MAX_SVC_BACKENDS)
		return fail(c, c->lineno, "too many backends in [%s] (at most %d)",
			    c->sect, SL_MAX_SVC_BACKENDS);
	if (sl_config_backend_parse(v, &b, msg, sizeof(msg)) < 0)
		return fail(c, c->lineno, "%s", msg);
	b.line = c->lineno;
	s->backends[s->n_backends++] = b;
	return 0;
}

/* "200,204", "2xx", "2xx,301": three-character items of digits, the
 * last two may be x. */
static int
parse_expect(struct parse_ctx *c, const char *v, char *out, size_t len)
{
	const char *p = v;

	if (strlen(v) >= len)
		return fail(c, c->lineno, "check_expect '%s' is too long", v);
	for (;;) {
		if (!(p[0] >= '1' && p[0] <= '5') ||
		    !((p[1] >= '0' && p[1] <= '9') || p[1] == 'x') ||
		    !((p[2] >= '0' && p[2] <= '9') || p[2] == 'x') ||
		    (p[1] == 'x' && p[2] != 'x'))
			return fail(c, c->lineno, "check_expect '%s' is not a list of status codes (e.g. 200,204 or 2xx)", v);
		p += 3;
		if (*p == '\0')
			break;
		if (*p != ',')
			return fail(c, c->lineno, "check_expect '%s' is not a list of status codes (e.g. 200,204 or 2xx)", v);
		p++;
	}
	strcpy(out, v);
	return 0;
}

static bool
is_prime(uint32_t n)
{
	uint32_t d;

	if (n < 2)
		return false;
	for (d = 2; (uint64_t)d * d <= n; d++)
		if (n % d == 0)
			return false;
	return true;
}

const char *
sl_config_mode_name(uint8_t mode, uint8_t encap)
{
	static const char *const names[] = {
		[SL_MODE_NAT] = "nat", [SL_MODE_FULLNAT] = "fullnat", [SL_MODE_DR] = "dr",
	};
	static const char *const tunnels[] = {
		[SL_ENCAP_IPIP] = "tunnel/ipip", [SL_ENCAP_GUE] = "tunnel/gue",
		[SL_ENCAP_GRE] = "tunnel/gre",
	};

	if (mode == SL_MODE_TUNNEL)
		return encap < RTE_DIM(tunnels) ? tunnels[encap] : "tunnel";
	return mode < RTE_DIM(names) ? names[mode] : "?";
}

static const char *
mode_name(uint8_t m)
{
	return m == SL_MODE_TUNNEL ? "tunnel" : sl_config_mode_name(m, 0);
}

static int
parse_mode(struct parse_ctx *c, const char *v)
{
	if (strcmp(v, "nat") == 0) {
		c->svc->mode = SL_MODE_NAT;
		return 0;
	}
	if (strcmp(v, "fullnat") == 0) {
		c->svc->mode = SL_MODE_FULLNAT;
		return 0;
	}
	if (strcmp(v, "dr") == 0) {
		c->svc->mode = SL_MODE_DR;
		return 0;
	}
	if (strcmp(v, "tunnel") == 0) {
		c->svc->mode = SL_MODE_TUNNEL;
		return 0;
	}
	return fail(c, c->lineno, "unknown mode '%s' (expected nat|fullnat|dr|tunnel)", v);
}

static int
parse_scheduler(struct parse_ctx *c, const char *v)
{
	if (strlen(v) >= SL_SCHED_NAME_MAX || sl_sched_find(v) == NULL)
		return fail(c, c->lineno, "unknown scheduler '%s' (expected %s)",
			    v, sl_sched_names());
	strcpy(c->svc->scheduler, v);
	return 0;
}

static int
handle_eal(struct parse_ctx *c, int key, const char *v)
{
	if (key == EK_LCORES) {
		c->cfg->lcores_line = c->lineno;
		return parse_lcores(c, v);
	}
	c->cfg->eal_args_line = c->lineno;
	return parse_eal_args(c, v);
}

#define LOCAL_PORTS_SYNTAX	"expected LO-HI with 1 <= LO <= HI <= 65535, e.g. 1024-65535"

/*
 * "local_ports = LO-HI": the source ports fullnat gives connections on
 * their local address. Whether the range holds a slice for every worker
 * depends on [eal] lcores, so that is check_global()'s.
 */
static int
parse_local_ports(struct parse_ctx *c, const char *v)
{
	char lo_s[16], hi_s[16], msg[ERR_MAX];
	const char *dash = strchr(v, '-');
	uint32_t lo, hi;
	size_t n;

	c->cfg->global.local_ports_line = c->lineno;
	if (dash == NULL || dash == v)
		return fail(c, c->lineno, "local_ports '%s' is not a range (%s)",
			    v, LOCAL_PORTS_SYNTAX);
	n = (size_t)(dash - v);
	if (n >= sizeof(lo_s) || strlen(dash + 1) >= sizeof(hi_s))
		return fail(c, c->lineno, "local_ports '%s' is not a range (%s)",
			    v, LOCAL_PORTS_SYNTAX);
	memcpy(lo_s, v, n);
	lo_s[n] = '\0';
	strcpy(hi_s, dash + 1);
	if (u32_check("local_ports first port", lo_s, 1, 65535, &lo, msg, sizeof(msg)) < 0 ||
	    u32_check("local_ports last port", hi_s, 1, 65535, &hi, msg, sizeof(msg)) < 0)
		return fail(c, c->lineno, "%s; %s", msg, LOCAL_PORTS_SYNTAX);
	if (lo > hi)
		return fail(c, c->lineno, "local_ports %u-%u runs backwards (%s)",
			    lo, hi, LOCAL_PORTS_SYNTAX);
	c->cfg->global.local_port_lo = (uint16_t)lo;
	c->cfg->global.local_port_hi = (uint16_t)hi;
	return 0;
}

static int
handle_global(struct parse_ctx *c, int key, const char *v)
{
	const struct global_key *g = &global_keys[key];
	uint32_t *field = (uint32_t *)(void *)((char *)&c->cfg->global + g->off);

	if (strcmp(g->name, "admin_socket") == 0) {
		if (v[0] != '/' || strlen(v) >= sizeof(c->cfg->global.admin_socket))
			return fail(c, c->lineno, "admin_socket '%s' is not an absolute path under %zu characters",
				    v, sizeof(c->cfg->global.admin_socket));
		strcpy(c->cfg->global.admin_socket, v);
		return 0;
	}
	if (strcmp(g->name, "local_ports") == 0)
		return parse_local_ports(c, v);
	if (strcmp(g->name, "idle_wake") == 0) {
		int yes = 0;

		if (parse_yes_no(c, g->name, v, &yes) != 0)
			return -EINVAL;
		*field = (uint32_t)yes;
		return 0;
	}
	if (g->unit != DU_NONE)
		return parse_dur(c, g->name, v, g->unit, g->min, g->max, field);
	return parse_u32(c, g->name, v, g->min, g->max, field);
}

/*
 * [bgp]: which daemon, the file Sluice writes for it, its control socket,
 * the drain grace and what SIGTERM does. Paths must be absolute: Sluice
 * may run from anywhere, the daemon reads the same file.
 */
static int
handle_bgp(struct parse_ctx *c, int key, const char *v)
{
	struct sl_config_bgp *b = &c->cfg->bgp;

	switch (key) {
	case BK_DAEMON:
		if (strcmp(v, "bird") != 0)
			return fail(c, c->lineno, "daemon '%s' is not supported (expected bird: BIRD 2, driven through its control socket)",
				    v);
		b->daemon = SL_BGP_DAEMON_BIRD;
		return 0;
	case BK_INCLUDE:
		if (v[0] != '/' || strlen(v) >= sizeof(b->include))
			return fail(c, c->lineno, "include '%s' is not an absolute path under %zu characters",
				    v, sizeof(b->include));
		if (v[strlen(v) - 1] == '/')
			return fail(c, c->lineno, "include '%s' names a directory; expected a file, e.g. /run/sluice/bird-vips.conf",
				    v);
		strcpy(b->include, v);
		return 0;
	case BK_CONTROL:
		if (v[0] != '/' || strlen(v) >= sizeof(b->control))
			return fail(c, c->lineno, "control '%s' is not an absolute path under %zu characters (BIRD's control socket, e.g. /run/bird/bird.ctl)",
				    v, sizeof(b->control));
		strcpy(b->control, v);
		return 0;
	case BK_GRACE:
		return parse_dur(c, "grace", v, DU_S, 0, 3600, &b->grace_s);
	default: {
		int yes = 0;

		if (parse_yes_no(c, "withdraw_on_sigterm", v, &yes) != 0)
			return -EINVAL;
		b->withdraw_on_sigterm = (uint8_t)yes;
		return 0;
	}
	}
}

/*
 * Static routes. "route = PREFIX via GW" may repeat in a [port.*]
 * section; "gateway = GW" is the route 0.0.0.0/0 via GW (::/0 for an
 * IPv6 GW). Only the syntax is checked here: whether a gateway is on its
 * port's subnet and whether prefixes collide is known once every port is
 * read (check_routes()). Both families share one limit per port: the
 * kernel interface and the snapshot size their tables from it.
 */
#define ROUTE_LIMIT	"too many routes in [%s] (at most %d, IPv4 and IPv6 together, the default routes included)"

static int
add_route(struct parse_ctx *c, uint32_t prefix, uint8_t len, uint32_t via)
{
	struct sl_config_port *p = c->port;
	struct sl_config_route *r;

	if (p->n_routes + p->n_routes6 >= SL_MAX_PORT_ROUTES)
		return fail(c, c->lineno, ROUTE_LIMIT, c->sect, SL_MAX_PORT_ROUTES);
	r = &p->routes[p->n_routes++];
	r->prefix = prefix;
	r->len = len;
	r->via = via;
	r->line = c->lineno;
	/* the default route is the port's gateway, checked as one */
	if (len == 0 && p->gateway_line == 0) {
		p->gateway = via;
		p->gateway_line = c->lineno;
	}
	return 0;
}

/*
 * The IPv6 route prefix/len via @p via. The first default route (the
 * gateway key, or ::/0) is the port's IPv6 gateway, checked as one
 * (check_port6()); a second is check_routes6()'s.
 */
static int
add_route6(struct parse_ctx *c, const uint8_t prefix[16], uint8_t len,
	   const uint8_t via[16])
{
	struct sl_config_port *p = c->port;
	struct sl_config_route6 *r;

	if (p->n_routes + p->n_routes6 >= SL_MAX_PORT_ROUTES)
		return fail(c, c->lineno, ROUTE_LIMIT, c->sect, SL_MAX_PORT_ROUTES);
	r = &p->routes6[p->n_routes6++];
	memcpy(r->prefix, prefix, 16);
	r->len = len;
	memcpy(r->via, via, 16);
	r->line = c->lineno;
	if (len == 0 && p->gateway6_line == 0) {
		memcpy(p->gateway6, via, 16);
		p->gateway6_line = c->lineno;
	}
	return 0;
}

#define ROUTE_SYNTAX	"expected 'route = PREFIX via GATEWAY', e.g. route = 48.0.0.0/8 via 10.1.0.254 " \
			"or route = 2001:db8:5::/48 via fd00:1::fe"

/* "ADDR/P via GW" with IPv6 addresses, P 0..128, no host bits. */
static int
parse_route6(struct parse_ctx *c, const char *pfx, const char *via)
{
	char a[INET6_ADDRSTRLEN + 8], ex[INET6_ADDRSTRLEN];
	uint8_t addr[16], net[16], gw[16];
	const char *slash = strchr(pfx, '/');
	uint32_t len;
	size_t n;

	if (slash == NULL)
		return fail(c, c->lineno, "route prefix '%s' has no prefix length (expected ADDR/P with P 0..128, e.g. 2001:db8:5::/48)",
			    pfx);
	n = (size_t)(slash - pfx);
	memcpy(a, pfx, RTE_MIN(n, sizeof(a) - 1));
	a[RTE_MIN(n, sizeof(a) - 1)] = '\0';
	if (n >= sizeof(a) || inet_pton(AF_INET6, a, addr) != 1)
		return fail(c, c->lineno, "route prefix '%s' is not an IPv6 prefix (expected ADDR/P, e.g. 2001:db8:5::/48)",
			    pfx);
	if (parse_u32(c, "route prefix length", slash + 1, 0, 128, &len) < 0)
		return -EINVAL;
	ip6_net(addr, len, net);
	if (memcmp(addr, net, 16) != 0)
		return fail(c, c->lineno, "route prefix %s has host bits set beyond /%u (did you mean %s/%u?)",
			    pfx, len, ip6_str(net, ex), len);
	if (!is_v6(via))
		return fail(c, c->lineno, "route %s via %s: the gateway of an IPv6 prefix is an IPv6 address (a host on the port's IPv6 subnet or a link-local fe80::/10 address)",
			    pfx, via);
	if (parse_ip6(c, "route gateway", via, gw) < 0)
		return -EINVAL;
	return add_route6(c, net, (uint8_t)len, gw);
}

/* "A.B.C.D/P via GW", P 0..32, no host bits; or an IPv6 one. */
static int
parse_route(struct parse_ctx *c, const char *v)
{
	char pfx[INET6_ADDRSTRLEN + 8], via[INET6_ADDRSTRLEN + 8], word[8];
	char a[INET_ADDRSTRLEN], extra[2];
	const char *slash;
	struct in_addr ia;
	uint32_t addr, len, gw, mask;
	size_t n;

	if (sscanf(v, "%53s %7s %53s %1s", pfx, word, via, extra) != 3 ||
	    strcmp(word, "via") != 0)
		return fail(c, c->lineno, "route '%s' is not PREFIX via GATEWAY (%s)",
			    v, ROUTE_SYNTAX);
	/* the prefix tells the family, the gateway must agree */
	if (is_v6(pfx))
		return parse_route6(c, pfx, via);
	if (is_v6(via))
		return fail(c, c->lineno, "route %s via %s: the gateway of an IPv4 prefix is an IPv4 address (a host on the port's subnet)",
			    pfx, via);
	slash = strchr(pfx, '/');
	if (slash == NULL)
		return fail(c, c->lineno, "route prefix '%s' has no prefix length (expected A.B.C.D/P with P 0..32, e.g. 48.0.0.0/8)",
			    pfx);
	n = (size_t)(slash - pfx);
	memcpy(a, pfx, RTE_MIN(n, sizeof(a) - 1));
	a[RTE_MIN(n, sizeof(a) - 1)] = '\0';
	if (n >= sizeof(a) || inet_pton(AF_INET, a, &ia) != 1)
		return fail(c, c->lineno, "route prefix '%s' is not an IPv4 prefix (expected A.B.C.D/P, e.g. 48.0.0.0/8)",
			    pfx);
	if (parse_u32(c, "route prefix length", slash + 1, 0, 32, &len) < 0)
		return -EINVAL;
	addr = ntohl(ia.s_addr);
	mask = prefix_mask(len);
	if ((addr & ~mask) != 0)
		return fail(c, c->lineno, "route prefix %s has host bits set beyond /%u (did you mean %s/%u?)",
			    pfx, len, ip_str(addr & mask, a), len);
	if (parse_ip(c, "route gateway", via, &gw) < 0)
		return -EINVAL;
	return add_route(c, addr, (uint8_t)len, gw);
}

/*
 * "vlan = N": the 802.1Q VLAN id of every frame on the port. 0 means
 * priority-tagged and 4095 is reserved (IEEE 802.1Q), so 1..4094; an
 * untagged port leaves the key out.
 */
static int
parse_vlan(struct parse_ctx *c, const char *v)
{
	char msg[ERR_MAX];
	uint32_t n;

	c->port->vlan_line = c->lineno;
	if (u32_check("vlan", v, 1, 4094, &n, msg, sizeof(msg)) < 0)
		return fail(c, c->lineno, "%s; leave 'vlan' out for an untagged port", msg);
	c->port->vlan = (uint16_t)n;
	return 0;
}

#define LOCAL_SYNTAX	"expected addresses or ranges A.B.C.D-A.B.C.E within one /24, " \
			"separated by spaces or commas, e.g. local_address = 10.1.0.50 10.1.0.60-10.1.0.63"

static int
add_local(struct parse_ctx *c, uint32_t addr)
{
	struct sl_config_port *p = c->port;

	if (p->n_local >= SL_MAX_LOCAL_ADDRS)
		return fail(c, c->lineno, "too many local addresses in [%s] (at most %d per port, ranges counted address by address)",
			    c->sect, SL_MAX_LOCAL_ADDRS);
	p->local_lines[p->n_local] = c->lineno;
	p->local_addrs[p->n_local++] = addr;
	return 0;
}

/*
 * One item of local_address: "A.B.C.D" or "A.B.C.D-A.B.C.E". A range
 * stays inside one /24 (the last octet runs), which covers any block an
 * operator sets aside for fullnat and keeps a typo from expanding into
 * thousands of addresses. Whether the addresses suit the port (its
 * subnet, not its own, no VIP, backend or gateway) and duplicates are
 * the validator's, check_local().
 */
static int
parse_local_item(struct parse_ctx *c, const char *item)
{
	char a_s[INET_ADDRSTRLEN + 8], msg[ERR_MAX];
	const char *dash = strchr(item, '-');
	uint32_t lo, hi, a;
	size_t n;

	/* IPv6: addresses one by one (a block is rarely a range of them) */
	if (is_v6(item)) {
		struct sl_config_port *p = c->port;

		if (dash != NULL)
			return fail(c, c->lineno, "local_address '%s': IPv6 local addresses are given one by one, not as ranges",
				    item);
		if (p->n_local6 >= SL_MAX_LOCAL_ADDRS)
			return fail(c, c->lineno, "too many IPv6 local addresses in [%s] (at most %d per port)",
				    c->sect, SL_MAX_LOCAL_ADDRS);
		if (ip6_check("local_address", item, p->local6[p->n_local6], msg, sizeof(msg)) < 0)
			return fail(c, c->lineno, "%s", msg);
		p->local6_lines[p->n_local6++] = c->lineno;
		if (p->local_line == 0)
			p->local_line = c->lineno;
		return 0;
	}

	if (dash == item || (dash != NULL && dash[1] == '\0'))
		return fail(c, c->lineno, "local_address '%s' is neither an address nor a range A.B.C.D-A.B.C.E (no spaces around '-'; %s)",
			    item, LOCAL_SYNTAX);
	n = dash != NULL ? (size_t)(dash - item) : strlen(item);
	if (n >= sizeof(a_s))
		return fail(c, c->lineno, "local_address '%s' is not an IPv4 address (%s)",
			    item, LOCAL_SYNTAX);
	memcpy(a_s, item, n);
	a_s[n] = '\0';
	if (ip_check("local_address", a_s, &lo, msg, sizeof(msg)) < 0)
		return fail(c, c->lineno, "%s", msg);
	if (dash == NULL)
		return add_local(c, lo);
	if (ip_check("local_address", dash + 1, &hi, msg, sizeof(msg)) < 0)
		return fail(c, c->lineno, "%s (in range '%s')", msg, item);
	if ((lo >> 8) != (hi >> 8))
		return fail(c, c->lineno, "local_address range '%s' spans more than one /24 (a range A.B.C.D-A.B.C.E runs the last octet only; give one range per /24)",
			    item);
	if (lo > hi)
		return fail(c, c->lineno, "local_address range '%s' runs backwards (expected A.B.C.D-A.B.C.E with D <= E)",
			    item);
	for (a = lo; a <= hi; a++)
		if (add_local(c, a) < 0)
			return -EINVAL;
	return 0;
}

/*
 * "local_address = ITEM [ITEM ...]", items separated by spaces and/or
 * one comma; the key may repeat and adds to the list.
 */
static int
parse_local(struct parse_ctx *c, const char *v)
{
	char item[2 * INET_ADDRSTRLEN + 8];
	const char *p = v;
	size_t n;

	if (c->port->local_line == 0)
		c->port->local_line = c->lineno;
	for (;;) {
		p += strspn(p, " \t");
		if (*p == ',')
			return fail(c, c->lineno, "local_address '%s' has an empty item before ',' (%s)",
				    v, LOCAL_SYNTAX);
		n = strcspn(p, " \t,");
		if (n >= sizeof(item))
			return fail(c, c->lineno, "local_address item '%.*s...' is too long (%s)",
				    QUOTE_MAX, p, LOCAL_SYNTAX);
		memcpy(item, p, n);
		item[n] = '\0';
		if (parse_local_item(c, item) < 0)
			return -EINVAL;
		p += n;
		p += strspn(p, " \t");
		if (*p == ',') {
			p++;
			p += strspn(p, " \t");
			if (*p == '\0' || *p == ',')
				return fail(c, c->lineno, "local_address '%s' has an empty item after ',' (%s)",
					    v, LOCAL_SYNTAX);
		}
		if (*p == '\0')
			return 0;
	}
}

/*
 * "address" may be given twice: once IPv4 (required) and once IPv6. The
 * family decides which one a line sets; a family given twice is an
 * error naming the first.
 */
static int
parse_address(struct parse_ctx *c, const char *v)
{
	struct sl_config_port *p = c->port;

	if (is_v6(v)) {
		if (p->address6_line != 0)
			return fail(c, c->lineno, "a second IPv6 address in [%s]: one IPv4 and one IPv6 address per port (first at line %d)",
				    c->sect, p->address6_line);
		p->address6_line = c->lineno;
		return parse_prefix6(c, v, p->addr6, &p->prefix6_len);
	}
	if (p->address_line != 0)
		return fail(c, c->lineno, "a second IPv4 address in [%s]: one IPv4 and one IPv6 address per port (first at line %d)",
			    c->sect, p->address_line);
	p->address_line = c->lineno;
	return parse_prefix(c, v, &p->addr, &p->prefix_len);
}

/*
 * "gateway" once per family. The IPv4 one is the default route; the
 * IPv6 one is the next hop of everything outside the port's IPv6
 * subnet. Whether it fits the port's IPv6 address is the validator's
 * (check_port6()): the address may come later in the section.
 */
static int
parse_gateway(struct parse_ctx *c, const char *v)
{
	struct sl_config_port *p = c->port;

	if (is_v6(v)) {
		static const uint8_t any[16];

		/* as for IPv4: route = ::/0 is check_routes6()'s "second
		 * default route" */
		if (c->gateway6_line != 0)
			return fail(c, c->lineno, "a second IPv6 gateway in [%s]: one IPv4 and one IPv6 gateway per port (first at line %d)",
				    c->sect, c->gateway6_line);
		c->gateway6_line = c->lineno;
		p->gateway6_line = c->lineno;
		if (parse_ip6(c, "gateway", v, p->gateway6) < 0)
			return -EINVAL;
		return add_route6(c, any, 0, p->gateway6);
	}
	/* not gateway_line: route = 0.0.0.0/0 sets that too, and is
	 * check_routes()'s "second default route" */
	if (c->gateway4_line != 0)
		return fail(c, c->lineno, "a second IPv4 gateway in [%s]: one IPv4 and one IPv6 gateway per port (first at line %d)",
			    c->sect, c->gateway4_line);
	c->gateway4_line = c->lineno;
	p->gateway_line = c->lineno;
	if (parse_ip(c, "gateway", v, &p->gateway) < 0)
		return -EINVAL;
	return add_route(c, 0, 0, p->gateway);
}

static int
handle_port(struct parse_ctx *c, int key, const char *v)
{
	struct sl_config_port *p = c->port;

	switch (key) {
	case PK_DEVICE:
		p->device_line = c->lineno;
		return parse_device(c, v);
	case PK_ADDRESS:
		return parse_address(c, v);
	case PK_GATEWAY:
		return parse_gateway(c, v);
	case PK_ROUTE:
		return parse_route(c, v);
	case PK_VLAN:
		return parse_vlan(c, v);
	case PK_STEERING: {
		unsigned k;

		p->steering_line = c->lineno;
		for (k = SL_STEERING_AUTO; k <= SL_STEERING_OFF; k++)
			if (strcmp(v, sl_config_steering_name((uint8_t)k)) == 0) {
				p->steering = (uint8_t)k;
				return 0;
			}
		return fail(c, c->lineno, "unknown steering '%s' (expected auto|source|destination|off)", v);
	}
	case PK_LOCAL:
		return parse_local(c, v);
	case PK_MTU: {
		uint32_t n;

		p->mtu_line = c->lineno;
		if (parse_u32(c, "mtu", v, 576, 9600, &n) < 0)
			return -EINVAL;
		p->mtu = (uint16_t)n;
		return 0;
	}
	case PK_RXD:
		return parse_desc(c, "rx_descriptors", v, &p->rx_desc);
	case PK_KNI: {
		size_t n = strlen(v);

		p->kernel_if_line = c->lineno;
		if (n == 0 || n > 15 || v[strspn(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-")] != '\0')
			return fail(c, c->lineno, "kernel_interface '%s' is not an interface name (1-15 characters of A-Z a-z 0-9 _ . -)",
				    v);
		strcpy(p->kernel_if, v);
		return 0;
	}
	default:
		return parse_desc(c, "tx_descriptors", v, &p->tx_desc);
	}
}

#define ACL_SYNTAX "expected PREFIX[, PREFIX...], e.g. allow = 10.0.0.0/8, 192.0.2.7 or deny = 2001:db8:bad::/48"

/*
 * One item of an allow or deny list: "A.B.C.D/P" (P 0..32) or "ADDR/P"
 * (P 0..128), no host bits set; an address without /P is that one host.
 * Whether its family is the service's is sl_config_validate()'s: the
 * vip key may come later in the section.
 */
static int
parse_acl_item(struct parse_ctx *c, const char *item, int deny)
{
	struct sl_config_service *s = c->svc;
	const char *key = deny ? "deny" : "allow";
	char a[INET6_ADDRSTRLEN + 8], ex[INET6_ADDRSTRLEN];
	const char *slash = strchr(item, '/');
	struct sl_config_acl *e;
	uint8_t addr[16] = { 0 }, net[16];
	bool v6 = is_v6(item);
	uint32_t len, max = v6 ? 128 : 32;
	size_t n = slash != NULL ? (size_t)(slash - item) : strlen(item);

	if (s->n_acl >= SL_MAX_SVC_ACL)
		return fail(c, c->lineno, "too many allow/deny prefixes in [%s] (at most %d, both lists together)",
			    c->sect, SL_MAX_SVC_ACL);
	memcpy(a, item, RTE_MIN(n, sizeof(a) - 1));
	a[RTE_MIN(n, sizeof(a) - 1)] = '\0';
	if (n >= sizeof(a) ||
	    inet_pton(v6 ? AF_INET6 : AF_INET, a, v6 ? addr : addr + 12) != 1)
		return fail(c, c->lineno, "%s '%s' is not an %s prefix (%s)", key, item,
			    v6 ? "IPv6" : "IPv4", ACL_SYNTAX);
	len = max;
	if (slash != NULL && parse_u32(c, "prefix length", slash + 1, 0, max, &len) < 0)
		return -EINVAL;
	if (v6) {
		ip6_net(addr, (uint8_t)len, net);
		if (memcmp(addr, net, 16) != 0)
			return fail(c, c->lineno, "%s prefix %s has host bits set beyond /%u (did you mean %s/%u?)",
				    key, item, len, ip6_str(net, ex), len);
	} else {
		uint32_t v4, mask = prefix_mask(len);

		memcpy(&v4, addr + 12, 4);
		v4 = ntohl(v4);
		if ((v4 & ~mask) != 0)
			return fail(c, c->lineno, "%s prefix %s has host bits set beyond /%u (did you mean %s/%u?)",
				    key, item, len, ip_str(v4 & mask, ex), len);
	}
	e = &s->acl[s->n_acl++];
	memcpy(e->addr, addr, 16);
	e->len = (uint8_t)len;
	e->v6 = v6;
	e->deny = (uint8_t)deny;
	e->line = c->lineno;
	return 0;
}

/* "allow = ITEM[, ITEM...]" (or deny): items separated by commas
 * and/or spaces. */
static int
parse_acl(struct parse_ctx *c, const char *v, int deny)
{
	char item[INET6_ADDRSTRLEN + 8];
	const char *p = v;
	bool any = false;
	size_t n;

	for (;;) {
		p += strspn(p, " \t");
		if (*p == '\0')
			break;
		if (*p == ',') {
			if (!any)
				return fail(c, c->lineno, "%s '%s' has an empty item before ',' (%s)",
					    deny ? "deny" : "allow", v, ACL_SYNTAX);
			p++;
			p += strspn(p, " \t");
			if (*p == '\0' || *p == ',')
				return fail(c, c->lineno, "%s '%s' has an empty item after ',' (%s)",
					    deny ? "deny" : "allow", v, ACL_SYNTAX);
		}
		n = strcspn(p, " \t,");
		if (n >= sizeof(item))
			return fail(c, c->lineno, "%s item '%.*s...' is too long (%s)",
				    deny ? "deny" : "allow", 40, p, ACL_SYNTAX);
		memcpy(item, p, n);
		item[n] = '\0';
		if (parse_acl_item(c, item, deny) < 0)
			return -EINVAL;
		any = true;
		p += n;
	}
	return 0;
}

static int
handle_service(struct parse_ctx *c, int key, const char *v)
{
	struct sl_config_service *s = c->svc;
	uint32_t n;

	switch (key) {
	case SK_VIP:
		s->vip_line = c->lineno;
		if (is_v6(v)) {
			s->v6 = 1;
			return parse_ip6(c, "vip", v, s->vip6);
		}
		return parse_ip(c, "vip", v, &s->vip);
	case SK_PORT:
		if (parse_u32(c, "port", v, 1, 65535, &n) < 0)
			return -EINVAL;
		s->port = (uint16_t)n;
		return 0;
	case SK_PROTO:
		if (strcmp(v, "tcp") == 0)
			s->proto = IPPROTO_TCP;
		else if (strcmp(v, "udp") == 0)
			s->proto = IPPROTO_UDP;
		else
			return fail(c, c->lineno, "unknown protocol '%s' (expected tcp|udp)", v);
		return 0;
	case SK_MODE:
		s->mode_line = c->lineno;
		return parse_mode(c, v);
	case SK_SCHED:
		s->scheduler_line = c->lineno;
		return parse_scheduler(c, v);
	case SK_MAGLEV_M:
		s->maglev_line = c->lineno;
		if (parse_u32(c, "maglev_table_size", v, 7, 16777213, &n) < 0)
			return -EINVAL;
		if (!is_prime(n))
			return fail(c, c->lineno, "maglev_table_size %u is not a prime (e.g. 65537, 655373)", n);
		s->maglev_table_size = n;
		return 0;
	case SK_HASH:
		s->hash_line = c->lineno;
		if (strcmp(v, "5tuple") == 0)
			s->hash_mode = SL_HASH_5TUPLE;
		else if (strcmp(v, "source") == 0)
			s->hash_mode = SL_HASH_SOURCE;
		else
			return fail(c, c->lineno, "unknown hash '%s' (expected 5tuple|source)", v);
		return 0;
	case SK_SYNPROXY:
		s->synproxy_line = c->lineno;
		if (strcmp(v, "off") == 0)
			s->synproxy = SL_SYNPROXY_OFF;
		else if (strcmp(v, "on") == 0)
			s->synproxy = SL_SYNPROXY_ON;
		else if (strcmp(v, "auto") == 0)
			s->synproxy = SL_SYNPROXY_AUTO;
		else
			return fail(c, c->lineno, "unknown synproxy '%s' (expected off|on|auto)", v);
		return 0;
	case SK_SYNPROXY_THRESHOLD:
		s->synproxy_threshold_line = c->lineno;
		return parse_u32(c, "synproxy_threshold", v, 1, 100000000, &s->synproxy_threshold);
	case SK_PROXY:
		s->proxy_line = c->lineno;
		if (strcmp(v, "off") == 0)
			s->proxy_protocol = 0;
		else if (strcmp(v, "v1") == 0)
			s->proxy_protocol = 1;
		else if (strcmp(v, "v2") == 0)
			s->proxy_protocol = 2;
		else
			return fail(c, c->lineno, "unknown proxy_protocol '%s' (expected off|v1|v2)", v);
		return 0;
	case SK_ENCAP:
		s->encap_line = c->lineno;
		if (strcmp(v, "ipip") == 0)
			s->encap = SL_ENCAP_IPIP;
		else if (strcmp(v, "gue") == 0)
			s->encap = SL_ENCAP_GUE;
		else if (strcmp(v, "gre") == 0)
			s->encap = SL_ENCAP_GRE;
		else
			return fail(c, c->lineno, "unknown encap '%s' (expected ipip|gue|gre)", v);
		return 0;
	case SK_GUE_PORT:
		s->gue_port_line = c->lineno;
		if (parse_u32(c, "gue_port", v, 1, 65535, &n) < 0)
			return -EINVAL;
		s->gue_port = (uint16_t)n;
		return 0;
	case SK_CHECK_TARGET:
		s->check_target_line = c->lineno;
		if (strcmp(v, "vip") == 0)
			s->check_backend = 0;
		else if (strcmp(v, "backend") == 0)
			s->check_backend = 1;
		else
			return fail(c, c->lineno, "unknown check_target '%s' (expected vip|backend)", v);
		return 0;
	case SK_ALLOW:
	case SK_DENY:
		return parse_acl(c, v, key == SK_DENY);
	case SK_CONN_RATE:
		return parse_u32(c, "conn_rate_per_client", v, 1, 10000000, &s->conn_rate);
	case SK_CONN_BURST:
		s->conn_burst_line = c->lineno;
		return parse_u32(c, "conn_burst_per_client", v, 1, 10000000, &s->conn_burst);
	case SK_PERSIST:
		return parse_dur(c, "persistence", v, DU_S, 0, 86400, &s->persistence);
	case SK_DRAIN:
		return parse_dur(c, "drain_timeout", v, DU_S, 0, 86400, &s->drain_timeout);
	case SK_CHECK:
		s->check_line = c->lineno;
		if (strcmp(v, "none") == 0)
			s->check.kind = SL_CHECK_NONE;
		else if (strcmp(v, "tcp") == 0)
			s->check.kind = SL_CHECK_TCP;
		else if (strcmp(v, "http") == 0)
			s->check.kind = SL_CHECK_HTTP;
		else if (strcmp(v, "udp") == 0)
			s->check.kind = SL_CHECK_UDP;
		else
			return fail(c, c->lineno, "unknown check '%s' (expected tcp|http|udp|none)", v);
		return 0;
	case SK_CHECK_INTERVAL:
		return parse_dur(c, "check_interval", v, DU_MS, 100, 3600000, &s->check.interval_ms);
	case SK_CHECK_TIMEOUT:
		s->check_timeout_line = c->lineno;
		return parse_dur(c, "check_timeout", v, DU_MS, 10, 600000, &s->check.timeout_ms);
	case SK_CHECK_RISE:
		return parse_u32(c, "check_rise", v, 1, 100, &s->check.rise);
	case SK_CHECK_FALL:
		return parse_u32(c, "check_fall", v, 1, 100, &s->check.fall);
	case SK_CHECK_PATH:
		if (v[0] != '/' || strlen(v) >= SL_CHECK_STR_MAX || strpbrk(v, " \t\r\n") != NULL)
			return fail(c, c->lineno, "check_path '%s' is not a path (starts with /, no spaces, under %d characters)",
				    v, SL_CHECK_STR_MAX);
		strcpy(s->check.path, v);
		return 0;
	case SK_CHECK_HOST:
		if (strlen(v) >= SL_CHECK_STR_MAX || strpbrk(v, " \t\r\n") != NULL)
			return fail(c, c->lineno, "check_host '%s' is not a host name", v);
		strcpy(s->check.host, v);
		return 0;
	case SK_CHECK_EXPECT:
		return parse_expect(c, v, s->check.expect, sizeof(s->check.expect));
	case SK_CHECK_SEND:
		if (strlen(v) >= SL_CHECK_STR_MAX)
			return fail(c, c->lineno, "check_send is too long (at most %d characters)",
				    SL_CHECK_STR_MAX - 1);
		strcpy(s->check.send, v);
		return 0;
	case SK_CHECK_EXPECT_PAYLOAD:
		if (strlen(v) >= SL_CHECK_STR_MAX)
			return fail(c, c->lineno, "check_expect_payload is too long (at most %d characters)",
				    SL_CHECK_STR_MAX - 1);
		strcpy(s->check.expect_payload, v);
		return 0;
	default:
		return parse_backend(c, v);
	}
}

/* Name of key @p i of a section kind, NULL past the last. */
static const char *
key_name(enum sect_kind kind, unsigned i)
{
	switch (kind) {
	case SECT_EAL:
		return i < RTE_DIM(eal_keys) ? eal_keys[i] : NULL;
	case SECT_GLOBAL:
		return i < RTE_DIM(global_keys) ? global_keys[i].name : NULL;
	case SECT_PORT:
		return i < RTE_DIM(port_keys) ? port_keys[i] : NULL;
	case SECT_SERVICE:
		return i < RTE_DIM(svc_keys) ? svc_keys[i] : NULL;
	case SECT_BGP:
		return i < RTE_DIM(bgp_keys) ? bgp_keys[i] : NULL;
	default:
		return NULL;
	}
}

/*
 * Section kinds by the name of their header (before any ".NAME"): what
 * sl_config_section_name() lists. A new section goes here, into
 * SECTIONS_HINT (the unit tests hold the two equal), into
 * sl_config_print() and into sluice.ini(5) (both checked against
 * sl_config_key_name()).
 */
static const struct {
	const char *name;
	enum sect_kind kind;
} sect_names[] = {
	{ "eal", SECT_EAL },
	{ "global", SECT_GLOBAL },
	{ "port", SECT_PORT },
	{ "service", SECT_SERVICE },
	{ "bgp", SECT_BGP },
};

const char *
sl_config_section_name(unsigned i)
{
	return i < RTE_DIM(sect_names) ? sect_names[i].name : NULL;
}

const char *
sl_config_key_name(const char *section, unsigned i)
{
	unsigned k;

	if (section == NULL)
		return NULL;
	if (strcmp(section, "backend") == 0)
		return i < RTE_DIM(backend_opts) ? backend_opts[i] : NULL;
	for (k = 0; k < RTE_DIM(sect_names); k++)
		if (strcmp(section, sect_names[k].name) == 0)
			return key_name(sect_names[k].kind, i);
	return NULL;
}

static bool
has_upper(const char *s)
{
	for (; *s != '\0'; s++)
		if (isupper((unsigned char)*s))
			return true;
	return false;
}

static int
unknown_key(struct parse_ctx *c, const char *key)
{
	char list[400];
	const char *k;
	size_t len = 0;
	unsigned i;

	list[0] = '\0';
	for (i = 0; (k = key_name(c->kind, i)) != NULL; i++) {
		int n = snprintf(list + len, sizeof(list) - len, "%s%s",
				 i ? "|" : "", k);

		if (n < 0 || (size_t)n >= sizeof(list) - len)
			break;
		len += (size_t)n;
	}
	return fail(c, c->lineno, "unknown key '%s' in [%s] (expected %s%s)",
		    key, c->sect, list,
		    has_upper(key) ? "; key names are lowercase" : "");
}

/* inih handler: one "key = value" of the section read_line() opened. */
static int
on_key(void *user, const char *section, const char *key, const char *value)
{
	struct parse_ctx *c = user;
	const char *k;
	unsigned i;

	RTE_SET_USED(section);	/* read_line() tracks the section */
	/* after an error read_line() ends the input; ignore this line */
	if (c->failed)
		return 1;
	if (c->kind == SECT_NONE) {
		fail(c, c->lineno, "key '%s' is outside any section (put it under %s)",
		     key, SECTIONS_HINT);
		return 1;
	}
	for (i = 0; (k = key_name(c->kind, i)) != NULL; i++)
		if (strcmp(k, key) == 0)
			break;
	if (k == NULL) {
		unknown_key(c, key);
		return 1;
	}
	/* address and gateway: once per family, handle_port() tells */
	if (c->keys[i] != 0 &&
	    !(c->kind == SECT_SERVICE && (i == SK_BACKEND || i == SK_ALLOW || i == SK_DENY)) &&
	    !(c->kind == SECT_PORT && (i == PK_ROUTE || i == PK_LOCAL ||
				       i == PK_ADDRESS || i == PK_GATEWAY))) {
		fail(c, c->lineno, "duplicate key '%s' in [%s] (first at line %d; only 'backend', 'allow', 'deny', 'route' and 'local_address' may repeat)",
		     key, c->sect, c->keys[i]);
		return 1;
	}
	if (c->keys[i] == 0)
		c->keys[i] = c->lineno;
	if (*value == '\0' && !(c->kind == SECT_EAL && i == EK_ARGS)) {
		fail(c, c->lineno, "key '%s' in [%s] has no value", key, c->sect);
		return 1;
	}

	/* errors are in c->err; read_line() stops at the next line */
	switch (c->kind) {
	case SECT_EAL:
		handle_eal(c, (int)i, value);
		break;
	case SECT_GLOBAL:
		handle_global(c, (int)i, value);
		break;
	case SECT_PORT:
		handle_port(c, (int)i, value);
		break;
	case SECT_BGP:
		handle_bgp(c, (int)i, value);
		break;
	default:
		handle_service(c, (int)i, value);
		break;
	}
	return 1;
}

/*
 * Keys a section cannot do without; checked when the next section opens,
 * so the message names the section header. Every other rule is in
 * sl_config_validate().
 */
static int
close_section(struct parse_ctx *c)
{
	if (c->kind == SECT_PORT) {
		if (c->keys[PK_DEVICE] == 0)
			return fail(c, c->port->line, "[%s] has no device (add 'device = net_...' or a PCI address)",
				    c->sect);
		if (c->keys[PK_ADDRESS] == 0)
			return fail(c, c->port->line, "[%s] has no address (add 'address = A.B.C.D/P')",
				    c->sect);
		if (c->port->address_line == 0)
			return fail(c, c->port->line, "[%s] has no IPv4 address (add 'address = A.B.C.D/P'; an IPv6 address comes in addition to it, not instead)",
				    c->sect);
	} else if (c->kind == SECT_SERVICE) {
		struct sl_config_service *s = c->svc;

		if (c->keys[SK_VIP] == 0)
			return fail(c, s->line, "[%s] has no vip (add 'vip = A.B.C.D')", c->sect);
		if (c->keys[SK_PORT] == 0)
			return fail(c, s->line, "[%s] has no port (add 'port = 1..65535')", c->sect);
		if (c->keys[SK_PROTO] == 0)
			return fail(c, s->line, "[%s] has no protocol (add 'protocol = tcp' or 'protocol = udp')",
				    c->sect);
		if (s->n_backends == 0)
			return fail(c, s->line, "[%s] has no backend (add at least one 'backend = IP:PORT')",
				    c->sect);
	} else if (c->kind == SECT_BGP) {
		if (c->keys[BK_DAEMON] == 0)
			return fail(c, c->cfg->bgp.line, "[bgp] has no daemon (add 'daemon = bird')");
		if (c->keys[BK_INCLUDE] == 0)
			return fail(c, c->cfg->bgp.line, "[bgp] has no include (add 'include = /run/sluice/bird-vips.conf', the file Sluice writes and BIRD's configuration includes)");
	}
	return 0;
}

static int
check_name(struct parse_ctx *c, const char *kind, const char *name)
{
	size_t len = strlen(name);
	size_t bad;

	if (len == 0)
		return fail(c, c->lineno, "section [%s.] has an empty name (expected [%s.NAME], NAME 1-%d characters of %s)",
			    kind, kind, SL_NAME_MAX - 1, NAME_CHARS);
	if (len >= SL_NAME_MAX)
		return fail(c, c->lineno, "name of [%s.%s] is too long (%zu characters, at most %d)",
			    kind, name, len, SL_NAME_MAX - 1);
	bad = strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-");
	if (name[bad] != '\0')
		return fail(c, c->lineno, "name of [%s.%s] has invalid character '%c' (allowed: %s)",
			    kind, name, name[bad], NAME_CHARS);
	return 0;
}

static int
open_port(struct parse_ctx *c, const char *name)
{
	struct sl_config *cfg = c->cfg;
	struct sl_config_port *p;
	uint16_t i;

	if (check_name(c, "port", name) < 0)
		return -EINVAL;
	for (i = 0; i < cfg->n_ports; i++)
		if (strcmp(cfg->ports[i].name, name) == 0)
			return fail(c, c->lineno, "duplicate section [port.%s] (first at line %d)",
				    name, cfg->ports[i].line);
	if (cfg->n_ports >= SL_MAX_PORTS)
		return fail(c, c->lineno, "too many ports: [port.%s] would be number %d (at most %d [port.*] sections)",
			    name, SL_MAX_PORTS + 1, SL_MAX_PORTS);
	p = &cfg->ports[cfg->n_ports];
	strcpy(p->name, name);
	p->rx_desc = 1024;
	p->tx_desc = 1024;
	p->line = c->lineno;
	c->port = p;
	c->gateway4_line = 0;
	c->gateway6_line = 0;
	c->keys = c->port_keys[cfg->n_ports];
	cfg->n_ports++;
	c->kind = SECT_PORT;
	return 0;
}

static int
open_service(struct parse_ctx *c, const char *name)
{
	struct sl_config *cfg = c->cfg;
	struct sl_config_service *s;
	uint16_t i;

	if (check_name(c, "service", name) < 0)
		return -EINVAL;
	for (i = 0; i < cfg->n_services; i++)
		if (strcmp(cfg->services[i].name, name) == 0)
			return fail(c, c->lineno, "duplicate section [service.%s] (first at line %d)",
				    name, cfg->services[i].line);
	if (cfg->n_services >= SL_MAX_SERVICES)
		return fail(c, c->lineno, "too many services: at most %d [service.*] sections",
			    SL_MAX_SERVICES);
	s = &cfg->services[cfg->n_services];
	strcpy(s->name, name);
	s->mode = SL_MODE_NAT;
	s->gue_port = SL_GUE_PORT_DEFAULT;
	s->synproxy_threshold = 1000;
	strcpy(s->scheduler, "rr");
	s->maglev_table_size = 65537;
	s->drain_timeout = 300;
	s->check.interval_ms = 2000;
	s->check.timeout_ms = 1000;
	s->check.rise = 2;
	s->check.fall = 3;
	strcpy(s->check.path, "/");
	strcpy(s->check.expect, "2xx,3xx");
	s->line = c->lineno;
	c->svc = s;
	c->keys = c->svc_keys[cfg->n_services];
	cfg->n_services++;
	c->kind = SECT_SERVICE;
	return 0;
}

static int
open_section(struct parse_ctx *c, const char *name)
{
	if (close_section(c) < 0)
		return -EINVAL;
	c->kind = SECT_NONE;
	snprintf(c->sect, sizeof(c->sect), "%.*s", (int)sizeof(c->sect) - 1, name);

	if (strcmp(name, "eal") == 0) {
		if (c->eal_line != 0)
			return fail(c, c->lineno, "duplicate section [eal] (first at line %d)",
				    c->eal_line);
		c->eal_line = c->lineno;
		c->keys = c->eal_keys;
		c->kind = SECT_EAL;
		return 0;
	}
	if (strcmp(name, "global") == 0) {
		if (c->global_line != 0)
			return fail(c, c->lineno, "duplicate section [global] (first at line %d)",
				    c->global_line);
		c->global_line = c->lineno;
		c->keys = c->global_keys;
		c->kind = SECT_GLOBAL;
		return 0;
	}
	if (strcmp(name, "bgp") == 0) {
		if (c->cfg->bgp.line != 0)
			return fail(c, c->lineno, "duplicate section [bgp] (first at line %d)",
				    c->cfg->bgp.line);
		c->cfg->bgp.line = c->lineno;
		strcpy(c->cfg->bgp.control, "/run/bird/bird.ctl");
		c->cfg->bgp.grace_s = 5;
		c->cfg->bgp.withdraw_on_sigterm = 1;
		c->keys = c->bgp_keys;
		c->kind = SECT_BGP;
		return 0;
	}
	if (strncmp(name, "port.", 5) == 0)
		return open_port(c, name + 5);
	if (strncmp(name, "service.", 8) == 0)
		return open_service(c, name + 8);
	if (strcmp(name, "port") == 0 || strcmp(name, "service") == 0)
		return fail(c, c->lineno, "section [%s] needs a name: [%s.NAME] (NAME 1-%d characters of %s)",
			    name, name, SL_NAME_MAX - 1, NAME_CHARS);
	return fail(c, c->lineno, "unknown section [%s] (expected %s%s)", name,
		    SECTIONS_HINT,
		    has_upper(name) ? "; section names are lowercase" : "");
}

/*
 * Scan like inih's find_chars_or_comment(): stop at one of @p chars, or
 * at ';' preceded by whitespace (an inline comment), or at the end.
 */
static const char *
find_sep(const char *s, const char *chars)
{
	bool was_space = false;

	while (*s != '\0' && strchr(chars, *s) == NULL &&
	       !(was_space && *s == ';')) {
		was_space = isspace((unsigned char)*s);
		s++;
	}
	return s;
}

static void
rstrip(char *s)
{
	size_t n = strlen(s);

	while (n > 0 && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
}

/*
 * Classify a line (leading space already gone) so that inih only ever
 * sees well-formed lines, and open sections as their headers go by.
 */
static int
scan_line(struct parse_ctx *c, char *line)
{
	char name[256];
	const char *end, *p;
	size_t n;

	if (*line == '\0' || *line == ';' || *line == '#')
		return 0;
	if (*line == '[') {
		end = find_sep(line + 1, "]");
		if (*end != ']')
			return fail(c, c->lineno, "syntax error: section header '%.*s' has no closing ']'",
				    QUOTE_MAX, line);
		p = end + 1;
		p += strspn(p, " \t\r");
		if (*p != '\0' && *p != ';')
			return fail(c, c->lineno, "syntax error: unexpected '%.*s' after section header (only a ; comment may follow)",
				    QUOTE_MAX, p);
		/* tolerate "[ eal ]" */
		p = line + 1;
		p += strspn(p, " \t");
		n = (size_t)(end - p);
		if (n >= sizeof(name))
			n = sizeof(name) - 1;
		memcpy(name, p, n);
		name[n] = '\0';
		rstrip(name);
		return open_section(c, name);
	}
	end = find_sep(line, "=:");
	if (*end == ':')
		return fail(c, c->lineno, "syntax error: expected 'key = value', found ':' before any '=' in '%.*s'",
			    QUOTE_MAX, line);
	if (*end != '=') {
		char quote[QUOTE_MAX + 1];

		snprintf(quote, sizeof(quote), "%s", line);
		rstrip(quote);
		return fail(c, c->lineno, "syntax error: '%s' is not a [section], 'key = value' or a comment",
			    quote);
	}
	if (end == line)
		return fail(c, c->lineno, "syntax error: missing key name before '='");
	return 0;
}

/*
 * inih reader: hands out exactly one line per call so that inih's line
 * count and ours agree. Leading whitespace is dropped, which also turns
 * off inih's multi-line values (an indented line would otherwise be
 * appended to the previous key's value).
 */
static char *
read_line(char *str, int num, void *stream)
{
	struct parse_ctx *c = stream;
	const char *start, *nl;
	size_t n, skip;

	if (c->failed || c->pos >= c->len)
		return NULL;
	start = c->text + c->pos;
	nl = memchr(start, '\n', c->len - c->pos);
	n = nl != NULL ? (size_t)(nl - start) : c->len - c->pos;
	c->pos += n + (nl != NULL);
	c->lineno++;

	/* room for the line, the '\n' fgets would keep, and the NUL */
	if (num < 3 || n > (size_t)num - 2) {
		fail(c, c->lineno, "line too long (%zu characters, at most %d)",
		     n, num - 2);
		return NULL;
	}
	if (c->lineno == 1 && n >= 3 && memcmp(start, "\xEF\xBB\xBF", 3) == 0) {
		start += 3;
		n -= 3;
	}
	for (skip = 0; skip < n && isspace((unsigned char)start[skip]); skip++)
		;
	memcpy(str, start + skip, n - skip);
	str[n - skip] = '\0';
	if (scan_line(c, str) < 0)
		return NULL;
	return str;
}

/*
 * The validator. It sees only a struct sl_config, never the text, so the
 * file, a reload and runtime commands are held to the same rules; the
 * parser records the line of every key a rule may blame. A message is
 * "FILE:LINE: reason" for the file, "CMD: reason" for a runtime edit.
 */
struct vctx {
	const struct sl_config *cfg;
	const char *cmd;	/* runtime command, NULL = the file */
	char *err;
	size_t errlen;
};

static int __rte_format_printf(3, 4)
vfail(const struct vctx *v, int line, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (v->err == NULL || v->errlen == 0)
		return -EINVAL;
	if (v->cmd != NULL)
		n = snprintf(v->err, v->errlen, "%s: ", v->cmd);
	else if (line > 0)
		n = snprintf(v->err, v->errlen, "%s:%d: ", v->cfg->path, line);
	else
		n = snprintf(v->err, v->errlen, "%s: ", v->cfg->path);
	if (n < 0 || (size_t)n >= v->errlen)
		return -EINVAL;
	va_start(ap, fmt);
	vsnprintf(v->err + n, v->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* " (line N)" pointing at another item of the file, or "" at run time. */
static const char *
vref(const struct vctx *v, const char *word, int line, char *buf, size_t len)
{
	if (v->cmd != NULL || line <= 0)
		return "";
	snprintf(buf, len, " (%s%d)", word, line);
	return buf;
}

#define REF_MAX 32

/* Is @p opt one of the whitespace-separated words of @p args? */
static bool
has_word(const char *args, const char *opt)
{
	size_t n, ol = strlen(opt);

	while (*args != '\0') {
		args += strspn(args, " \t");
		n = strcspn(args, " \t");
		if (n == ol && strncmp(args, opt, n) == 0)
			return true;
		args += n;
	}
	return false;
}

static int
check_eal(const struct vctx *v)
{
	const struct sl_config *cfg = v->cfg;

	if (cfg->n_lcores < 2)
		return vfail(v, cfg->lcores_line, "lcores '%s' names %u lcore: need at least 2 lcores: one management, one worker",
			     cfg->lcores, cfg->n_lcores);
	/* workers have fixed-size tables (redirect rings, flow requests) */
	if (cfg->n_lcores - 1u > SL_MAX_WORKERS)
		return vfail(v, cfg->lcores_line, "lcores '%s' names %u lcores: at most %d workers besides the management lcore (%d lcores in all)",
			     cfg->lcores, cfg->n_lcores, SL_MAX_WORKERS,
			     SL_MAX_WORKERS + 1);
	return 0;
}

/* A port's own address and gateway. */
static int
check_port(const struct vctx *v, const struct sl_config_port *p)
{
	uint32_t mask = prefix_mask(p->prefix_len);
	char a[INET_ADDRSTRLEN], b[INET_ADDRSTRLEN];
	const char *bad;
	int line;

	line = p->address_line ? p->address_line : p->line;
	if (p->prefix_len < 1 || p->prefix_len > 32)
		return vfail(v, line, "prefix length %u of [port.%s] is out of range (expected 1..32)",
			     p->prefix_len, p->name);
	bad = non_unicast(p->addr);
	if (bad != NULL)
		return vfail(v, line, "address %s of [port.%s] is %s (expected a unicast address)",
			     ip_str(p->addr, a), p->name, bad);
	bad = subnet_special(p->addr, p->addr, p->prefix_len);
	if (bad != NULL)
		return vfail(v, line, "address %s/%u of [port.%s] is the %s address of its subnet (expected the port's own host address)",
			     ip_str(p->addr, a), p->prefix_len, p->name, bad);
	if (p->gateway == 0)
		return 0;
	line = p->gateway_line ? p->gateway_line : p->line;
	bad = non_unicast(p->gateway);
	if (bad != NULL)
		return vfail(v, line, "gateway %s of [port.%s] is %s (expected a unicast address)",
			     ip_str(p->gateway, a), p->name, bad);
	if ((p->gateway & mask) != (p->addr & mask))
		return vfail(v, line, "gateway %s is outside the subnet %s/%u of [port.%s] (a gateway must be on the port's own subnet)",
			     ip_str(p->gateway, a), ip_str(p->addr & mask, b),
			     p->prefix_len, p->name);
	if (p->gateway == p->addr)
		return vfail(v, line, "gateway %s is the address of [port.%s] itself (expected another host on its subnet)",
			     ip_str(p->gateway, a), p->name);
	bad = subnet_special(p->gateway, p->addr, p->prefix_len);
	if (bad != NULL)
		return vfail(v, line, "gateway %s is the %s address of subnet %s/%u (expected a host on the subnet)",
			     ip_str(p->gateway, a), bad, ip_str(p->addr & mask, b),
			     p->prefix_len);
	return 0;
}

/*
 * A port's IPv6 address and gateway. The gateway is on the port's IPv6
 * subnet or link-local (routers advertise themselves by their fe80::
 * address), never the port itself.
 */
static int
check_port6(const struct vctx *v, const struct sl_config_port *p)
{
	char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN], ref[REF_MAX];
	uint8_t net[16];
	const char *bad;
	int line;

	line = p->gateway6_line ? p->gateway6_line : p->line;
	if (p->prefix6_len == 0) {
		if (!ip6_zero(p->gateway6))
			return vfail(v, line, "IPv6 gateway %s of [port.%s] needs an IPv6 address on the port (add a second 'address = ADDR/P' with the port's IPv6 address)",
				     ip6_str(p->gateway6, a), p->name);
		return 0;
	}
	line = p->address6_line ? p->address6_line : p->line;
	if (p->prefix6_len > 128)
		return vfail(v, line, "IPv6 prefix length %u of [port.%s] is out of range (expected 1..128)",
			     p->prefix6_len, p->name);
	bad = non_unicast6(p->addr6);
	if (bad != NULL)
		return vfail(v, line, "address %s of [port.%s] is %s (expected a unicast address)",
			     ip6_str(p->addr6, a), p->name, bad);
	ip6_net(p->addr6, p->prefix6_len, net);
	if (subnet_anycast6(p->addr6, p->addr6, p->prefix6_len))
		return vfail(v, line, "address %s/%u of [port.%s] is the subnet-router anycast address of its subnet (expected the port's own host address)",
			     ip6_str(p->addr6, a), p->prefix6_len, p->name);
	if (ip6_zero(p->gateway6))
		return 0;
	line = p->gateway6_line ? p->gateway6_line : p->line;
	bad = non_unicast6(p->gateway6);
	if (bad != NULL)
		return vfail(v, line, "gateway %s of [port.%s] is %s (expected a unicast address)",
			     ip6_str(p->gateway6, a), p->name, bad);
	if (memcmp(p->gateway6, p->addr6, 16) == 0)
		return vfail(v, line, "gateway %s is the IPv6 address of [port.%s] itself%s (expected another host on its subnet)",
			     ip6_str(p->gateway6, a), p->name,
			     vref(v, "line ", p->address6_line, ref, sizeof(ref)));
	if (link_local6(p->gateway6))
		return 0;
	if (!ip6_match(p->gateway6, p->addr6, p->prefix6_len))
		return vfail(v, line, "gateway %s is outside the IPv6 subnet %s/%u of [port.%s] (an IPv6 gateway must be on the port's own subnet or a link-local fe80::/10 address)",
			     ip6_str(p->gateway6, a), ip6_str(net, b), p->prefix6_len,
			     p->name);
	if (subnet_anycast6(p->gateway6, p->addr6, p->prefix6_len))
		return vfail(v, line, "gateway %s is the subnet-router anycast address of subnet %s/%u (expected a host on the subnet)",
			     ip6_str(p->gateway6, a), ip6_str(net, b), p->prefix6_len);
	return 0;
}

/* IPv6 across ports: addresses, disjoint subnets, one IPv6 gateway. */
static int
check_ports6(const struct vctx *v, const struct sl_config_port *pi,
	     const struct sl_config_port *pj)
{
	char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN], ref[REF_MAX];
	uint8_t ni[16], nj[16];

	if (!ip6_zero(pi->gateway6) && !ip6_zero(pj->gateway6))
		return vfail(v, pj->gateway6_line, "a second IPv6 gateway in [port.%s]: [port.%s] has one%s; at most one IPv6 gateway (or route ::/0) over all ports",
			     pj->name, pi->name,
			     vref(v, "line ", pi->gateway6_line, ref, sizeof(ref)));
	if (pi->prefix6_len == 0 || pj->prefix6_len == 0)
		return 0;
	if (memcmp(pi->addr6, pj->addr6, 16) == 0)
		return vfail(v, pj->address6_line, "address %s of [port.%s] is already the address of [port.%s]%s",
			     ip6_str(pj->addr6, a), pj->name, pi->name,
			     vref(v, "line ", pi->address6_line, ref, sizeof(ref)));
	if (ip6_match(pi->addr6, pj->addr6, RTE_MIN(pi->prefix6_len, pj->prefix6_len))) {
		ip6_net(pi->addr6, pi->prefix6_len, ni);
		ip6_net(pj->addr6, pj->prefix6_len, nj);
		return vfail(v, pj->address6_line, "subnet %s/%u of [port.%s] overlaps subnet %s/%u of [port.%s]%s; ports need disjoint subnets",
			     ip6_str(nj, a), pj->prefix6_len, pj->name,
			     ip6_str(ni, b), pi->prefix6_len, pi->name,
			     vref(v, "line ", pi->address6_line, ref, sizeof(ref)));
	}
	return 0;
}

static int
check_ports(const struct vctx *v)
{
	const struct sl_config *cfg = v->cfg;
	char a[INET_ADDRSTRLEN], b[INET_ADDRSTRLEN], ref[REF_MAX];
	char ki[32], kj[32];
	uint16_t i, j;

	if (cfg->n_ports == 0)
		return vfail(v, 0, "no [port.NAME] section: at least one port is required");
	if (cfg->n_ports > SL_MAX_PORTS)
		return vfail(v, cfg->ports[SL_MAX_PORTS - 1].line, "too many ports: %u (at most %d [port.*] sections)",
			     cfg->n_ports, SL_MAX_PORTS);
	for (j = 0; j < cfg->n_ports; j++) {
		const struct sl_config_port *pj = &cfg->ports[j];

		if (check_port(v, pj) < 0 || check_port6(v, pj) < 0)
			return -EINVAL;
		/* EAL would not probe the bus the port is on */
		if (strncmp(pj->device, "net_", 4) != 0 &&
		    has_word(cfg->eal_args, "--no-pci"))
			return vfail(v, pj->device_line, "device '%s' of [port.%s] is a PCI address but [eal] args contain --no-pci%s",
				     pj->device, pj->name,
				     vref(v, "line ", cfg->eal_args_line, ref, sizeof(ref)));
		device_key(pj->device, kj, sizeof(kj));
		for (i = 0; i < j; i++) {
			const struct sl_config_port *pi = &cfg->ports[i];
			uint8_t plen = RTE_MIN(pi->prefix_len, pj->prefix_len);
			uint32_t mask = prefix_mask(plen);

			device_key(pi->device, ki, sizeof(ki));
			if (strcmp(ki, kj) == 0)
				return vfail(v, pj->device_line, "device '%s' of [port.%s] is already used by [port.%s]%s; each port needs its own device (and each vdev its own name)",
					     pj->device, pj->name, pi->name,
					     vref(v, "line ", pi->device_line, ref, sizeof(ref)));
			if (pi->addr == pj->addr)
				return vfail(v, pj->address_line, "address %s of [port.%s] is already the address of [port.%s]%s",
					     ip_str(pj->addr, a), pj->name, pi->name,
					     vref(v, "line ", pi->address_line, ref, sizeof(ref)));
			if ((pi->addr & mask) == (pj->addr & mask))
				return vfail(v, pj->address_line, "subnet %s/%u of [port.%s] overlaps subnet %s/%u of [port.%s]%s; ports need disjoint subnets",
					     ip_str(pj->addr & prefix_mask(pj->prefix_len), a),
					     pj->prefix_len, pj->name,
					     ip_str(pi->addr & prefix_mask(pi->prefix_len), b),
					     pi->prefix_len, pi->name,
					     vref(v, "line ", pi->address_line, ref, sizeof(ref)));
			if (check_ports6(v, pi, pj) < 0)
				return -EINVAL;
			if (pj->kernel_if[0] != '\0' &&
			    strcmp(pi->kernel_if, pj->kernel_if) == 0)
				return vfail(v, pj->kernel_if_line, "kernel_interface '%s' is used by [port.%s] too%s",
					     pj->kernel_if, pi->name,
					     vref(v, "line ", pi->kernel_if_line, ref, sizeof(ref)));
		}
	}
	return 0;
}

/*
 * Routes across ports, once every port is known: each gateway on its
 * port's subnet (a host there, not the port itself), each prefix once
 * over all ports and none equal to a port's own subnet (that one is
 * reached directly), one default route at most.
 */
static const char *
proto_name(uint8_t proto)
{
	return proto == IPPROTO_TCP ? "tcp" : "udp";
}

/* Is @p addr a port address or its subnet's network/broadcast address? */
static int
check_host(const struct vctx *v, const char *what, uint32_t addr, int line)
{
	const struct sl_config *cfg = v->cfg;
	char a[INET_ADDRSTRLEN], b[INET_ADDRSTRLEN], ref[REF_MAX];
	const char *special;
	uint16_t i;

	for (i = 0; i < cfg->n_ports; i++) {
		const struct sl_config_port *p = &cfg->ports[i];

		if (addr == p->addr)
			return vfail(v, line, "%s %s is the own address of [port.%s]%s; choose another address",
				     what, ip_str(addr, a), p->name,
				     vref(v, "line ", p->address_line, ref, sizeof(ref)));
		special = subnet_special(addr, p->addr, p->prefix_len);
		if (special != NULL)
			return vfail(v, line, "%s %s is the %s address of subnet %s/%u of [port.%s] (expected a host address)",
				     what, ip_str(addr, a), special,
				     ip_str(p->addr & prefix_mask(p->prefix_len), b),
				     p->prefix_len, p->name);
	}
	return 0;
}

/* As check_host(), for an IPv6 address against the ports' IPv6 ones. */
static int
check_host6(const struct vctx *v, const char *what, const uint8_t addr[16],
	    int line)
{
	const struct sl_config *cfg = v->cfg;
	char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN], ref[REF_MAX];
	uint8_t net[16];
	uint16_t i;

	for (i = 0; i < cfg->n_ports; i++) {
		const struct sl_config_port *p = &cfg->ports[i];

		if (p->prefix6_len == 0)
			continue;
		if (memcmp(addr, p->addr6, 16) == 0)
			return vfail(v, line, "%s %s is the own address of [port.%s]%s; choose another address",
				     what, ip6_str(addr, a), p->name,
				     vref(v, "line ", p->address6_line, ref, sizeof(ref)));
		if (subnet_anycast6(addr, p->addr6, p->prefix6_len)) {
			ip6_net(p->addr6, p->prefix6_len, net);
			return vfail(v, line, "%s %s is the subnet-router anycast address of subnet %s/%u of [port.%s] (expected a host address)",
				     what, ip6_str(addr, a), ip6_str(net, b),
				     p->prefix6_len, p->name);
		}
	}
	return 0;
}

/*
 * Index of the port that reaches IPv6 @p addr, or -1: as route_port(),
 * the longest prefix among the ports' IPv6 subnets and IPv6 routes (the
 * default route ::/0 included), a subnet before a route of the same
 * length (as lib/svc's sl_svc_route6()). A config built without routes6
 * but with an IPv6 gateway falls back to that gateway's port.
 */
static int
route_port6_how(const struct sl_config *cfg, const uint8_t addr[16], bool *direct)
{
	int best = -1, best_len = -1;
	bool subnet = false;
	uint16_t i, k;

	for (i = 0; i < cfg->n_ports; i++) {
		const struct sl_config_port *p = &cfg->ports[i];

		if (p->prefix6_len == 0)
			continue;
		if (p->prefix6_len > best_len &&
		    ip6_match(addr, p->addr6, p->prefix6_len)) {
			best = i;
			best_len = p->prefix6_len;
			subnet = true;
		}
		for (k = 0; k < p->n_routes6; k++) {
			const struct sl_config_route6 *r = &p->routes6[k];

			if (r->len > best_len && ip6_match(addr, r->prefix, r->len)) {
				best = i;
				best_len = r->len;
				subnet = false;
			}
		}
	}
	if (direct != NULL)
		*direct = subnet;
	if (best >= 0)
		return best;
	for (i = 0; i < cfg->n_ports; i++)
		if (cfg->ports[i].prefix6_len != 0 && !ip6_zero(cfg->ports[i].gateway6))
			return i;
	return -1;
}

static int
route_port6(const struct sl_config *cfg, const uint8_t addr[16])
{
	return route_port6_how(cfg, addr, NULL);
}

#define BK_STR_MAX (INET6_ADDRSTRLEN + 8)

/* A backend's address alone, in its family. */
static const char *
bk_addr(const struct sl_config_backend *b, char *buf)
{
	return b->v6 ? ip6_str(b->addr6, buf) : ip_str(b->addr, buf);
}

/* "ADDR:PORT", or "[ADDR]:PORT" for IPv6: also a backend's default
 * identity for consistent hashing. */
static const char *
bk_str(const struct sl_config_backend *b, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	if (b->v6)
		snprintf(buf, len, "[%s]:%u", ip6_str(b->addr6, a), b->port);
	else
		snprintf(buf, len, "%s:%u", ip_str(b->addr, a), b->port);
	return buf;
}

static bool
bk_same_addr(const struct sl_config_backend *x, const struct sl_config_backend *y)
{
	if (x->v6 != y->v6)
		return false;
	return x->v6 ? memcmp(x->addr6, y->addr6, 16) == 0 : x->addr == y->addr;
}

/* Is @p b's address the VIP of @p s? */
static bool
bk_is_vip(const struct sl_config_backend *b, const struct sl_config_service *s)
{
	if (b->v6 != s->v6)
		return false;
	return b->v6 ? memcmp(b->addr6, s->vip6, 16) == 0 : b->addr == s->vip;
}

static const char *
vip_str(const struct sl_config_service *s, char *buf)
{
	return s->v6 ? ip6_str(s->vip6, buf) : ip_str(s->vip, buf);
}

/*
 * Index of the port that reaches @p addr, or -1: the longest prefix
 * among the ports' subnets and routes, a subnet before a route of the
 * same length (as lib/svc's table routes). @p direct (may be NULL)
 * tells whether the winner is the port's subnet (the address is on a
 * directly connected network) rather than a route through a gateway.
 */
static int
route_port_how(const struct sl_config *cfg, uint32_t addr, bool *direct)
{
	int best = -1, best_len = -1;
	bool subnet = false;
	uint16_t i, k;

	for (i = 0; i < cfg->n_ports; i++) {
		const struct sl_config_port *p = &cfg->ports[i];
		uint32_t mask = prefix_mask(p->prefix_len);

		if ((addr & mask) == (p->addr & mask) && p->prefix_len > best_len) {
			best = i;
			best_len = p->prefix_len;
			subnet = true;
		}
		for (k = 0; k < p->n_routes; k++) {
			const struct sl_config_route *r = &p->routes[k];

			if ((addr & prefix_mask(r->len)) == r->prefix && r->len > best_len) {
				best = i;
				best_len = r->len;
				subnet = false;
			}
		}
	}
	if (direct != NULL)
		*direct = subnet;
	return best;
}

static int
route_port(const struct sl_config *cfg, uint32_t addr)
{
	return route_port_how(cfg, addr, NULL);
}

/* Keys of a service that depend on each other. */
static int
check_service_keys(const struct vctx *v, const struct sl_config_service *s)
{
	bool maglev = strcmp(s->scheduler, "maglev") == 0;
	char a[INET6_ADDRSTRLEN];
	const char *bad;
	unsigned i;
	int line;

	bad = s->v6 ? non_unicast6(s->vip6) : non_unicast(s->vip);
	if (bad != NULL)
		return vfail(v, s->vip_line ? s->vip_line : s->line, "vip %s of [service.%s] is %s (expected a unicast address)",
			     vip_str(s, a), s->name, bad);
	/* IPv6 services: NAT66 (nat), fullnat (IPv6 or, NAT64, IPv4
	 * backends), dr, tunnel over IPv6 (IPv6 in IPv6, GRE, GUE) */
	if (s->synproxy != SL_SYNPROXY_OFF &&
	    (s->v6 || s->proto != IPPROTO_TCP || SL_MODE_ONEWAY(s->mode)))
		return vfail(v, s->synproxy_line,
			     "synproxy of [service.%s] needs an IPv4 TCP service in mode nat or fullnat (%s)",
			     s->name, s->v6 ? "IPv6 services have no SYN proxy yet" :
			     s->proto != IPPROTO_TCP ? "SYN cookies are TCP's" :
			     "in dr and tunnel modes the backend's replies bypass Sluice, which must move their sequence numbers");
	if (s->synproxy_threshold_line != 0 && s->synproxy != SL_SYNPROXY_AUTO)
		return vfail(v, s->synproxy_threshold_line,
			     "synproxy_threshold applies to synproxy = auto only ([service.%s])", s->name);
	if (s->v6 && s->proxy_protocol != 0)
		return vfail(v, s->proxy_line ? s->proxy_line : s->line,
			     "proxy_protocol of [service.%s]: IPv6 services do not send Proxy Protocol headers yet",
			     s->name);
	if (s->port == 0)
		return vfail(v, s->line, "[service.%s] has port 0 (expected 1..65535)", s->name);
	if (s->proto != IPPROTO_TCP && s->proto != IPPROTO_UDP)
		return vfail(v, s->line, "[service.%s] has no protocol (expected tcp|udp)", s->name);
	if (s->encap_line != 0 && s->mode != SL_MODE_TUNNEL)
		return vfail(v, s->encap_line, "encap applies to mode = tunnel only ([service.%s] is %s)",
			     s->name, mode_name(s->mode));
	if (s->gue_port_line != 0 && (s->mode != SL_MODE_TUNNEL || s->encap != SL_ENCAP_GUE))
		return vfail(v, s->gue_port_line, "gue_port applies to mode = tunnel with encap = gue only ([service.%s])",
			     s->name);
	if (s->check_target_line != 0 && !SL_MODE_ONEWAY(s->mode))
		return vfail(v, s->check_target_line, "check_target applies to mode = dr or tunnel only ([service.%s] is %s: checks go to the backend's own address)",
			     s->name, mode_name(s->mode));
	if (s->proxy_protocol != 0 && SL_MODE_ONEWAY(s->mode))
		return vfail(v, s->proxy_line ? s->proxy_line : s->line,
			     "proxy_protocol of [service.%s] needs mode nat or fullnat (in mode %s the backend's replies bypass Sluice, which must shift their sequence numbers)",
			     s->name, mode_name(s->mode));
	if (s->proxy_protocol != 0 && s->proto != IPPROTO_TCP)
		return vfail(v, s->proxy_line ? s->proxy_line : s->line,
			     "proxy_protocol of [service.%s] needs protocol tcp (a header goes into a TCP stream)",
			     s->name);
	if (sl_sched_find(s->scheduler) == NULL)
		return vfail(v, s->scheduler_line ? s->scheduler_line : s->line,
			     "unknown scheduler '%s' (expected %s)", s->scheduler,
			     sl_sched_names());
	line = s->check_line ? s->check_line : s->line;
	if (s->check.kind == SL_CHECK_HTTP && s->proto != IPPROTO_TCP)
		return vfail(v, line, "check = http needs protocol = tcp ([service.%s] is udp)",
			     s->name);
	if (s->check.kind == SL_CHECK_UDP && s->check.send[0] == '\0')
		return vfail(v, line, "check = udp needs check_send (the payload to send) in [service.%s]",
			     s->name);
	if (s->check.timeout_ms > s->check.interval_ms)
		return vfail(v, s->check_timeout_line ? s->check_timeout_line : s->line,
			     "check_timeout %u ms is longer than check_interval %u ms in [service.%s]",
			     s->check.timeout_ms, s->check.interval_ms, s->name);
	if (s->maglev_line != 0 && !maglev)
		return vfail(v, s->maglev_line, "maglev_table_size applies to scheduler = maglev only ([service.%s] uses %s)",
			     s->name, s->scheduler);
	if ((s->hash_line != 0 || s->hash_mode != SL_HASH_DEFAULT) && !maglev &&
	    strcmp(s->scheduler, "sh") != 0)
		return vfail(v, s->hash_line ? s->hash_line : s->line,
			     "hash applies to scheduler = sh or maglev only ([service.%s] uses %s)",
			     s->name, s->scheduler);
	for (i = 0; i < s->n_acl; i++)
		if (s->acl[i].v6 != s->v6)
			return vfail(v, s->acl[i].line,
				     "%s: an %s prefix in IPv%d service [service.%s] (a service's clients are of its VIP's family)",
				     s->acl[i].deny ? "deny" : "allow", s->acl[i].v6 ? "IPv6" : "IPv4",
				     s->v6 ? 6 : 4, s->name);
	if (s->conn_burst_line != 0 && s->conn_rate == 0)
		return vfail(v, s->conn_burst_line,
			     "conn_burst_per_client needs conn_rate_per_client in [service.%s]",
			     s->name);
	if (s->n_backends == 0)
		return vfail(v, s->line, "[service.%s] has no backend (add at least one)", s->name);
	if (maglev && s->maglev_table_size < s->n_backends)
		return vfail(v, s->maglev_line ? s->maglev_line : s->line,
			     "maglev_table_size %u is smaller than the %u backends of [service.%s] (use a prime over 100 times the backend count)",
			     s->maglev_table_size, s->n_backends, s->name);
	return 0;
}

/* Backend @p k of @p s: its own values, then against the rest. */
static int
check_backend(const struct vctx *v, const struct sl_config_service *s,
	      uint16_t k)
{
	const struct sl_config *cfg = v->cfg;
	const struct sl_config_backend *b = &s->backends[k];
	char a[INET6_ADDRSTRLEN], bs[BK_STR_MAX], ident[BK_STR_MAX], ref[REF_MAX];
	const char *bad;
	uint16_t i;
	int rp;

	bad = b->v6 ? non_unicast6(b->addr6) : non_unicast(b->addr);
	if (bad != NULL)
		return vfail(v, b->line, "backend %s is %s (expected a unicast address)",
			     bk_addr(b, a), bad);
	if (b->port == 0)
		return vfail(v, b->line, "backend %s port 0 is out of range (expected 1..65535)",
			     bk_addr(b, a));
	if (b->weight < 1 || b->weight > 65535)
		return vfail(v, b->line, "backend %s weight %u is out of range (expected 1..65535)",
			     bk_str(b, bs, sizeof(bs)), b->weight);
	if (b->id[0] != '\0' && !id_ok(b->id))
		return vfail(v, b->line, "backend id '%.*s' is not 1-%d characters of A-Z a-z 0-9 _ . : -",
			     SL_NAME_MAX, b->id, SL_NAME_MAX - 1);
	/* nat keeps the family; fullnat of an IPv6 service translates to
	 * IPv4 backends (NAT64) */
	if (b->v6 && !s->v6)
		return vfail(v, b->line, "backend %s is IPv6 but [service.%s] has an IPv4 vip; translating IPv4 clients to IPv6 backends (NAT46) is not supported",
			     bk_str(b, bs, sizeof(bs)), s->name);
	if (!b->v6 && s->v6 && s->mode != SL_MODE_FULLNAT)
		return vfail(v, b->line, "backend %s is IPv4 but [service.%s] has an IPv6 vip; mode nat keeps the family (use mode = fullnat to reach IPv4 backends: NAT64)",
			     bk_str(b, bs, sizeof(bs)), s->name);

	if (b->v6 ? check_host6(v, "backend", b->addr6, b->line) < 0 :
		    check_host(v, "backend", b->addr, b->line) < 0)
		return -EINVAL;
	/* a VIP is Sluice's own: traffic to it would come straight back */
	for (i = 0; i < cfg->n_services; i++)
		if (bk_is_vip(b, &cfg->services[i]))
			return vfail(v, b->line, "backend %s is the vip of [service.%s]%s; a backend must be a real server",
				     bk_addr(b, a), cfg->services[i].name,
				     vref(v, "line ", cfg->services[i].vip_line, ref, sizeof(ref)));
	if (b->v6) {
		rp = route_port6(cfg, b->addr6);
		if (rp < 0)
			return vfail(v, b->line, "backend %s is not reachable: it is inside no port's IPv6 subnet and no IPv6 route covers it (add 'route = PREFIX via GATEWAY' or 'gateway = GATEWAY' with IPv6 addresses to the port that reaches it)",
				     bk_addr(b, a));
	} else {
		rp = route_port(cfg, b->addr);
		if (rp < 0)
			return vfail(v, b->line, "backend %s is not reachable: it is inside no port's subnet and no route covers it (add 'route = PREFIX via GATEWAY' or 'gateway = GATEWAY' to the port that reaches it)",
				     bk_addr(b, a));
	}
	/* checks are kernel sockets: they leave through the exception path
	 * of the port that reaches the backend */
	if (s->check.kind != SL_CHECK_NONE && cfg->ports[rp].kernel_if[0] == '\0')
		return vfail(v, s->check_line ? s->check_line : b->line,
			     "health checks of [service.%s] need kernel_interface on [port.%s], the port that reaches backend %s",
			     s->name, cfg->ports[rp].name, bk_addr(b, a));
	/* fullnat sends to the backend from a local address of the port the
	 * backend is routed through, so that its replies come back there;
	 * tunnel takes the outer source address from there (IPv6 services
	 * are nat only, check_service_keys()) */
	if ((s->mode == SL_MODE_FULLNAT || s->mode == SL_MODE_TUNNEL) && b->v6 &&
	    cfg->ports[rp].n_local6 == 0)
		return vfail(v, b->line, "service %s is %s: [port.%s], the port that reaches backend %s, has no IPv6 local_address (add 'local_address = ADDR' with an unused address of its IPv6 subnet)",
			     s->name, mode_name(s->mode), cfg->ports[rp].name, bk_addr(b, a));
	if ((s->mode == SL_MODE_FULLNAT || s->mode == SL_MODE_TUNNEL) && !b->v6 &&
	    cfg->ports[rp].n_local == 0)
		return vfail(v, b->line, "service %s is %s: [port.%s], the port that reaches backend %s, has no local_address (add 'local_address = ADDR' with an unused address of its subnet)",
			     s->name, mode_name(s->mode), cfg->ports[rp].name, bk_addr(b, a));
	if (SL_MODE_ONEWAY(s->mode) && b->port != s->port)
		return vfail(v, b->line, "backend %s of [service.%s]: mode %s keeps the destination port, so the backend serves port %u",
			     bk_str(b, bs, sizeof(bs)), s->name, mode_name(s->mode), s->port);
	if (s->mode == SL_MODE_DR && b->v6) {
		bool direct;

		/* a longer route inside the subnet wins, as in the snapshot */
		route_port6_how(cfg, b->addr6, &direct);
		if (!direct)
			return vfail(v, b->line, "backend %s of [service.%s] is not on a directly connected network: mode dr hands the frame to the backend's MAC address, so it must be inside the IPv6 subnet of a port, not behind a route",
				     bk_addr(b, a), s->name);
	} else if (s->mode == SL_MODE_DR) {
		bool direct;

		route_port_how(cfg, b->addr, &direct);
		if (!direct)
			return vfail(v, b->line, "backend %s of [service.%s] is not on a directly connected network: mode dr hands the frame to the backend's MAC address, so it must be inside the subnet of a port, not behind a route (use mode tunnel for backends behind a router)",
				     ip_str(b->addr, a), s->name);
	}
	for (i = 0; i < k; i++) {
		const struct sl_config_backend *o = &s->backends[i];

		if (bk_same_addr(o, b) && o->port == b->port)
			return vfail(v, b->line, "duplicate backend %s in [service.%s]%s",
				     bk_str(b, bs, sizeof(bs)), s->name,
				     vref(v, "first at line ", o->line, ref, sizeof(ref)));
		if (b->id[0] != '\0' && strcmp(o->id, b->id) == 0)
			return vfail(v, b->line, "duplicate backend id '%s' in [service.%s]%s",
				     b->id, s->name,
				     vref(v, "first at line ", o->line, ref, sizeof(ref)));
		/* a backend without id= is known by ADDR:PORT ([ADDR]:PORT):
		 * an id that spells another's would give two backends one
		 * identity */
		if ((b->id[0] != '\0') != (o->id[0] != '\0')) {
			const struct sl_config_backend *plain = b->id[0] ? o : b;
			const char *id = b->id[0] ? b->id : o->id;

			if (strchr(id, ':') == NULL)
				continue;
			if (strcmp(bk_str(plain, ident, sizeof(ident)), id) == 0)
				return vfail(v, b->line, "backend id '%s' in [service.%s] is the address of another backend%s; choose another id",
					     id, s->name,
					     vref(v, "line ", o->line, ref, sizeof(ref)));
		}
	}
	return 0;
}

static int
check_services(const struct vctx *v)
{
	const struct sl_config *cfg = v->cfg;
	char a[INET6_ADDRSTRLEN], bs[BK_STR_MAX], ref[REF_MAX];
	unsigned total = 0;
	uint16_t i, j, k;

	if (cfg->n_services == 0)
		return vfail(v, 0, "no [service.NAME] section: at least one service is required");
	if (cfg->n_services > SL_MAX_SERVICES)
		return vfail(v, 0, "too many services: %u (at most %d [service.*] sections)",
			     cfg->n_services, SL_MAX_SERVICES);
	for (j = 0; j < cfg->n_services; j++) {
		const struct sl_config_service *s = &cfg->services[j];

		if (check_service_keys(v, s) < 0)
			return -EINVAL;
		if (s->v6 ? check_host6(v, "vip", s->vip6, s->vip_line ? s->vip_line : s->line) < 0 :
			    check_host(v, "vip", s->vip, s->vip_line ? s->vip_line : s->line) < 0)
			return -EINVAL;
		for (i = 0; i < j; i++) {
			const struct sl_config_service *o = &cfg->services[i];

			if (strcmp(o->name, s->name) == 0)
				return vfail(v, s->line, "duplicate section [service.%s]%s",
					     s->name, vref(v, "first at line ", o->line, ref, sizeof(ref)));
			if (o->v6 == s->v6 && o->port == s->port &&
			    o->proto == s->proto &&
			    (s->v6 ? memcmp(o->vip6, s->vip6, 16) == 0 : o->vip == s->vip))
				return vfail(v, s->line, s->v6 ?
					     "[service.%s] has the same vip:port/protocol [%s]:%u/%s as [service.%s]%s" :
					     "[service.%s] has the same vip:port/protocol %s:%u/%s as [service.%s]%s",
					     s->name, vip_str(s, a), s->port,
					     proto_name(s->proto), o->name,
					     vref(v, "line ", o->line, ref, sizeof(ref)));
		}
		if (s->n_backends > SL_MAX_SVC_BACKENDS)
			return vfail(v, s->line, "too many backends in [service.%s]: %u (at most %d)",
				     s->name, s->n_backends, SL_MAX_SVC_BACKENDS);
		for (k = 0; k < s->n_backends; k++) {
			const struct sl_config_backend *b = &s->backends[k];

			/* backend slots are a fixed table shared by all services */
			if (++total > SL_MAX_BACKENDS_TOTAL)
				return vfail(v, b->line, "backend %s of [service.%s] is backend number %u: at most %d backends in all services together (remove backends or spread services over more Sluice instances)",
					     bk_str(b, bs, sizeof(bs)), s->name, total,
					     SL_MAX_BACKENDS_TOTAL);
			if (check_backend(v, s, k) < 0)
				return -EINVAL;
		}
	}
	return 0;
}

static int
check_routes(const struct vctx *v)
{
	const struct sl_config *cfg = v->cfg;
	char a[INET_ADDRSTRLEN], b[INET_ADDRSTRLEN], d[INET_ADDRSTRLEN];
	uint16_t pi, ri, pj, rj;

	for (pi = 0; pi < cfg->n_ports; pi++) {
		const struct sl_config_port *p = &cfg->ports[pi];
		uint32_t mask = prefix_mask(p->prefix_len);

		for (ri = 0; ri < p->n_routes; ri++) {
			const struct sl_config_route *r = &p->routes[ri];
			const char *special;

			/* the gateway key's own checks ran at its section */
			if (r->line == p->gateway_line)
				continue;
			if ((r->via & mask) != (p->addr & mask))
				return vfail(v, r->line, "gateway %s of route %s/%u is not on the subnet %s/%u of [port.%s] (a gateway must be a host on the port's own subnet)",
					     ip_str(r->via, a), ip_str(r->prefix, b), r->len,
					     ip_str(p->addr & mask, d), p->prefix_len, p->name);
			if (r->via == p->addr)
				return vfail(v, r->line, "gateway %s of route %s/%u is the address of [port.%s] itself (expected another host on its subnet)",
					     ip_str(r->via, a), ip_str(r->prefix, b), r->len, p->name);
			special = subnet_special(r->via, p->addr, p->prefix_len);
			if (special != NULL)
				return vfail(v, r->line, "gateway %s of route %s/%u is the %s address of subnet %s/%u (expected a host on the subnet)",
					     ip_str(r->via, a), ip_str(r->prefix, b), r->len, special,
					     ip_str(p->addr & mask, d), p->prefix_len);
		}
	}
	for (pi = 0; pi < cfg->n_ports; pi++) {
		const struct sl_config_port *p = &cfg->ports[pi];

		for (ri = 0; ri < p->n_routes; ri++) {
			const struct sl_config_route *r = &p->routes[ri];

			for (pj = 0; pj < cfg->n_ports; pj++) {
				const struct sl_config_port *q = &cfg->ports[pj];

				if (r->len == q->prefix_len &&
				    r->prefix == (q->addr & prefix_mask(q->prefix_len)))
					return vfail(v, r->line, "route %s/%u is the subnet of [port.%s] (line %d), which Sluice reaches directly; remove the route",
						      ip_str(r->prefix, a), r->len, q->name,
						      q->address_line);
				/* earlier routes only: report the later one */
				for (rj = 0; rj < (pj < pi ? q->n_routes : pj == pi ? ri : 0); rj++) {
					const struct sl_config_route *o = &q->routes[rj];

					if (o->len != r->len || o->prefix != r->prefix)
						continue;
					if (r->len == 0)
						return vfail(v, r->line, "a second default route in [port.%s] ([port.%s] has one at line %d); at most one default route (gateway, or route 0.0.0.0/0) over all ports",
							       p->name, q->name, o->line);
					return vfail(v, r->line, "duplicate route %s/%u in [port.%s] (first at line %d in [port.%s])",
						      ip_str(r->prefix, a), r->len, p->name,
						      o->line, q->name);
				}
			}
		}
	}
	return 0;
}

/*
 * IPv6 routes across ports, as check_routes(): each gateway a host of its
 * port's IPv6 subnet or a link-local address (routers advertise
 * themselves by their fe80:: address), never the port's own; each prefix
 * once over all ports and none a port's own IPv6 subnet; one IPv6
 * default route at most (the gateway key, or ::/0).
 */
static int
check_routes6(const struct vctx *v)
{
	const struct sl_config *cfg = v->cfg;
	char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN], d[INET6_ADDRSTRLEN];
	uint8_t net[16];
	uint16_t pi, ri, pj, rj;

	for (pi = 0; pi < cfg->n_ports; pi++) {
		const struct sl_config_port *p = &cfg->ports[pi];

		for (ri = 0; ri < p->n_routes6; ri++) {
			const struct sl_config_route6 *r = &p->routes6[ri];

			if (p->prefix6_len == 0)
				return vfail(v, r->line, "IPv6 route %s/%u of [port.%s] needs an IPv6 address on the port (add a second 'address = ADDR/P' with the port's IPv6 address)",
					     ip6_str(r->prefix, a), r->len, p->name);
			/* the default route's own checks ran at its section
			 * (check_port6()) */
			if (r->line == p->gateway6_line)
				continue;
			ip6_net(p->addr6, p->prefix6_len, net);
			if (memcmp(r->via, p->addr6, 16) == 0)
				return vfail(v, r->line, "gateway %s of route %s/%u is the IPv6 address of [port.%s] itself (expected another host on its subnet)",
					     ip6_str(r->via, a), ip6_str(r->prefix, b), r->len, p->name);
			if (link_local6(r->via))
				continue;
			if (!ip6_match(r->via, p->addr6, p->prefix6_len))
				return vfail(v, r->line, "gateway %s of route %s/%u is not on the IPv6 subnet %s/%u of [port.%s] (a gateway must be a host on the port's own subnet or a link-local fe80::/10 address)",
					     ip6_str(r->via, a), ip6_str(r->prefix, b), r->len,
					     ip6_str(net, d), p->prefix6_len, p->name);
			if (subnet_anycast6(r->via, p->addr6, p->prefix6_len))
				return vfail(v, r->line, "gateway %s of route %s/%u is the subnet-router anycast address of subnet %s/%u (expected a host on the subnet)",
					     ip6_str(r->via, a), ip6_str(r->prefix, b), r->len,
					     ip6_str(net, d), p->prefix6_len);
		}
	}
	for (pi = 0; pi < cfg->n_ports; pi++) {
		const struct sl_config_port *p = &cfg->ports[pi];

		for (ri = 0; ri < p->n_routes6; ri++) {
			const struct sl_config_route6 *r = &p->routes6[ri];

			for (pj = 0; pj < cfg->n_ports; pj++) {
				const struct sl_config_port *q = &cfg->ports[pj];

				if (q->prefix6_len != 0 && r->len == q->prefix6_len &&
				    ip6_match(r->prefix, q->addr6, r->len))
					return vfail(v, r->line, "route %s/%u is the IPv6 subnet of [port.%s] (line %d), which Sluice reaches directly; remove the route",
						     ip6_str(r->prefix, a), r->len, q->name,
						     q->address6_line);
				/* earlier routes only: report the later one */
				for (rj = 0; rj < (pj < pi ? q->n_routes6 : pj == pi ? ri : 0); rj++) {
					const struct sl_config_route6 *o = &q->routes6[rj];

					if (o->len != r->len || memcmp(o->prefix, r->prefix, 16) != 0)
						continue;
					if (r->len == 0)
						return vfail(v, r->line, "a second IPv6 default route in [port.%s] ([port.%s] has one at line %d); at most one IPv6 default route (gateway, or route ::/0) over all ports",
							     p->name, q->name, o->line);
					return vfail(v, r->line, "duplicate route %s/%u in [port.%s] (first at line %d in [port.%s])",
						     ip6_str(r->prefix, a), r->len, p->name,
						     o->line, q->name);
				}
			}
		}
	}
	return 0;
}

/*
 * [global] keys that depend on other sections. Each worker owns the
 * local ports whose slot is its own (sl_lport_owner(): the port of a
 * reply names its owner), so the range must hold a port of every
 * worker; any sl_lport_slots() ports in a row do.
 */
static int
check_global(const struct vctx *v)
{
	const struct sl_config *cfg = v->cfg;
	const struct sl_config_global *g = &cfg->global;
	unsigned workers = cfg->n_lcores - 1u, held = 0, w;
	int line = g->local_ports_line ? g->local_ports_line : cfg->lcores_line;
	uint8_t has[SL_MAX_WORKERS] = { 0 };
	uint32_t p;

	if (g->local_port_lo == 0 || g->local_port_lo > g->local_port_hi)
		return vfail(v, line, "local_ports %u-%u is not a range of ports (expected LO-HI with 1 <= LO <= HI <= 65535)",
			     g->local_port_lo, g->local_port_hi);
	if (workers == 0 || workers > SL_MAX_WORKERS)
		return 0;   /* check_eal()'s to say */
	for (p = g->local_port_lo; p <= g->local_port_hi && held < workers; p++) {
		w = sl_lport_owner((uint16_t)p, workers);
		held += !has[w];
		has[w] = 1;
	}
	for (w = 0; held < workers && has[w]; w++)
		;
	if (held < workers)
		return vfail(v, line, "local_ports %u-%u holds no port of worker %u of %u: each worker takes the ports of its own slots (a port's low bits, %u slots for %u workers), so give at least %u ports in a row",
			     g->local_port_lo, g->local_port_hi, w, workers,
			     sl_lport_slots(workers), workers, sl_lport_slots(workers));
	return 0;
}

/*
 * Fullnat local addresses. Sluice answers ARP for each on its port and
 * takes every packet to it as a reply of a fullnat connection, so each
 * must be a free host address of that port's subnet: not the port's
 * own, not a VIP, a backend or a gateway, and given once over all
 * ports. Runs after check_services(), so VIPs and backends are sound.
 */
static int
check_local_addr(const struct vctx *v, uint16_t pi, uint16_t k)
{
	const struct sl_config *cfg = v->cfg;
	const struct sl_config_port *p = &cfg->ports[pi];
	uint32_t addr = p->local_addrs[k], mask = prefix_mask(p->prefix_len);
	char a[INET_ADDRSTRLEN], b[INET_ADDRSTRLEN], ref[REF_MAX];
	int line = p->local_lines[k] ? p->local_lines[k] :
		   p->local_line ? p->local_line : p->line;
	const char *bad;
	uint16_t i, j;

	bad = non_unicast(addr);
	if (bad != NULL)
		return vfail(v, line, "local_address %s of [port.%s] is %s (expected a unicast address)",
			     ip_str(addr, a), p->name, bad);
	/* earlier ones only, so the later of two is reported */
	for (i = 0; i <= pi; i++) {
		const struct sl_config_port *q = &cfg->ports[i];

		for (j = 0; j < (i == pi ? k : q->n_local); j++) {
			if (q->local_addrs[j] != addr)
				continue;
			if (i == pi)
				return vfail(v, line, "local_address %s is given twice in [port.%s]%s",
					     ip_str(addr, a), p->name,
					     vref(v, "first at line ", q->local_lines[j], ref, sizeof(ref)));
			return vfail(v, line, "local_address %s of [port.%s] is already a local_address of [port.%s]%s; each local address belongs to one port",
				     ip_str(addr, a), p->name, q->name,
				     vref(v, "line ", q->local_lines[j], ref, sizeof(ref)));
		}
	}
	if ((addr & mask) != (p->addr & mask))
		return vfail(v, line, "local_address %s is outside the subnet %s/%u of [port.%s] (Sluice answers ARP for it on that port: give a free address of the port's subnet)",
			     ip_str(addr, a), ip_str(p->addr & mask, b), p->prefix_len,
			     p->name);
	if (addr == p->addr)
		return vfail(v, line, "local_address %s is the own address of [port.%s]%s; give another, free address of its subnet",
			     ip_str(addr, a), p->name,
			     vref(v, "line ", p->address_line, ref, sizeof(ref)));
	bad = subnet_special(addr, p->addr, p->prefix_len);
	if (bad != NULL)
		return vfail(v, line, "local_address %s is the %s address of subnet %s/%u of [port.%s] (expected a host address)",
			     ip_str(addr, a), bad, ip_str(p->addr & mask, b),
			     p->prefix_len, p->name);
	for (i = 0; i < cfg->n_ports; i++) {
		const struct sl_config_port *q = &cfg->ports[i];

		for (j = 0; j < q->n_routes; j++)
			if (q->routes[j].via == addr)
				return vfail(v, line, "local_address %s of [port.%s] is the gateway of route %s/%u in [port.%s]%s; a local address must be free",
					     ip_str(addr, a), p->name,
					     ip_str(q->routes[j].prefix, b), q->routes[j].len,
					     q->name, vref(v, "line ", q->routes[j].line, ref, sizeof(ref)));
	}
	for (i = 0; i < cfg->n_services; i++) {
		const struct sl_config_service *s = &cfg->services[i];

		if (!s->v6 && s->vip == addr)
			return vfail(v, line, "local_address %s of [port.%s] is the vip of [service.%s]%s; a local address must be free",
				     ip_str(addr, a), p->name, s->name,
				     vref(v, "line ", s->vip_line, ref, sizeof(ref)));
		for (j = 0; j < s->n_backends; j++)
			if (!s->backends[j].v6 && s->backends[j].addr == addr)
				return vfail(v, line, "local_address %s of [port.%s] is backend %s:%u of [service.%s]%s; a local address must be free",
					     ip_str(addr, a), p->name, ip_str(addr, b),
					     s->backends[j].port, s->name,
					     vref(v, "line ", s->backends[j].line, ref, sizeof(ref)));
	}
	return 0;
}

/* IPv6 local address @p k of port @p pi: in the port's IPv6 subnet, not
 * its own, not a VIP, a backend or a route's gateway, given once over
 * all ports. */
static int
check_local6(const struct vctx *v, uint16_t pi, uint16_t k)
{
	const struct sl_config *cfg = v->cfg;
	const struct sl_config_port *p = &cfg->ports[pi];
	const uint8_t *addr = p->local6[k];
	char a[INET6_ADDRSTRLEN], pfx[INET6_ADDRSTRLEN], ref[REF_MAX];
	int line = p->local6_lines[k] ? p->local6_lines[k] : p->line;
	uint16_t i, j;

	if (p->prefix6_len == 0)
		return vfail(v, line, "local_address %s: [port.%s] has no IPv6 address (add a second 'address' with its IPv6 subnet)",
			     ip6_str(addr, a), p->name);
	if (!ip6_match(addr, p->addr6, p->prefix6_len))
		return vfail(v, line, "local_address %s is outside the IPv6 subnet of [port.%s] (Sluice answers neighbour solicitations for it on that port: give a free address of the port's subnet)",
			     ip6_str(addr, a), p->name);
	if (check_host6(v, "local_address", addr, line) < 0)
		return -EINVAL;
	for (i = 0; i <= pi; i++) {
		const struct sl_config_port *q = &cfg->ports[i];

		for (j = 0; j < (i == pi ? k : q->n_local6); j++)
			if (memcmp(q->local6[j], addr, 16) == 0)
				return vfail(v, line, "local_address %s is given twice%s",
					     ip6_str(addr, a),
					     vref(v, "first at line ", q->local6_lines[j], ref, sizeof(ref)));
	}
	for (i = 0; i < cfg->n_ports; i++) {
		const struct sl_config_port *q = &cfg->ports[i];

		for (j = 0; j < q->n_routes6; j++)
			if (memcmp(q->routes6[j].via, addr, 16) == 0)
				return vfail(v, line, "local_address %s of [port.%s] is the gateway of route %s/%u in [port.%s]%s; a local address must be free",
					     ip6_str(addr, a), p->name,
					     ip6_str(q->routes6[j].prefix, pfx), q->routes6[j].len,
					     q->name, vref(v, "line ", q->routes6[j].line, ref, sizeof(ref)));
	}
	for (i = 0; i < cfg->n_services; i++) {
		const struct sl_config_service *s = &cfg->services[i];

		if (s->v6 && memcmp(s->vip6, addr, 16) == 0)
			return vfail(v, line, "local_address %s of [port.%s] is the vip of [service.%s]; a local address must be free",
				     ip6_str(addr, a), p->name, s->name);
		for (j = 0; j < s->n_backends; j++)
			if (s->backends[j].v6 && memcmp(s->backends[j].addr6, addr, 16) == 0)
				return vfail(v, line, "local_address %s of [port.%s] is a backend of [service.%s]; a local address must be free",
					     ip6_str(addr, a), p->name, s->name);
	}
	return 0;
}

static int
check_local(const struct vctx *v)
{
	const struct sl_config *cfg = v->cfg;
	uint16_t i, k;

	for (i = 0; i < cfg->n_ports; i++) {
		const struct sl_config_port *p = &cfg->ports[i];

		if (p->n_local > SL_MAX_LOCAL_ADDRS)
			return vfail(v, p->local_line ? p->local_line : p->line,
				     "too many local addresses in [port.%s]: %u (at most %d per port)",
				     p->name, p->n_local, SL_MAX_LOCAL_ADDRS);
		for (k = 0; k < p->n_local; k++)
			if (check_local_addr(v, i, k) < 0)
				return -EINVAL;
		for (k = 0; k < p->n_local6; k++)
			if (check_local6(v, i, k) < 0)
				return -EINVAL;
	}
	return 0;
}

static int
validate(const struct vctx *v)
{
	if (v->cfg == NULL)
		return -EINVAL;
	if (check_eal(v) < 0 || check_global(v) < 0 || check_ports(v) < 0 ||
	    check_routes(v) < 0 || check_routes6(v) < 0 || check_services(v) < 0 ||
	    check_local(v) < 0)
		return -EINVAL;
	return 0;
}

const char *
sl_config_steering_name(uint8_t steering)
{
	static const char *const names[] = {
		[SL_STEERING_AUTO] = "auto", [SL_STEERING_SOURCE] = "source",
		[SL_STEERING_DESTINATION] = "destination", [SL_STEERING_OFF] = "off",
	};

	return steering < RTE_DIM(names) ? names[steering] : "?";
}

/* Whether the first @p len bits of @p a and @p b (network order) agree. */
static int
bits_eq(const uint8_t *a, const uint8_t *b, unsigned len)
{
	unsigned full = len / 8, rest = len % 8;

	if (memcmp(a, b, full) != 0)
		return 0;
	return rest == 0 || ((a[full] ^ b[full]) & (uint8_t)(0xff << (8 - rest))) == 0;
}

/* Whether backend @p b is reached through port @p p other than by a
 * default route: in one of its subnets or behind one of its routes. */
static int
behind_port(const struct sl_config_port *p, const struct sl_config_backend *b)
{
	unsigned i;

	if (b->v6) {
		if (p->prefix6_len != 0 && bits_eq(b->addr6, p->addr6, p->prefix6_len))
			return 1;
		for (i = 0; i < p->n_routes6; i++)
			if (p->routes6[i].len != 0 &&
			    bits_eq(b->addr6, p->routes6[i].prefix, p->routes6[i].len))
				return 1;
		return 0;
	}
	if (((b->addr ^ p->addr) & prefix_mask(p->prefix_len)) == 0)
		return 1;
	for (i = 0; i < p->n_routes; i++)
		if (p->routes[i].len != 0 &&
		    ((b->addr ^ p->routes[i].prefix) & prefix_mask(p->routes[i].len)) == 0)
			return 1;
	return 0;
}

enum sl_steering
sl_config_steering(const struct sl_config *cfg, unsigned idx, const char **why)
{
	const struct sl_config_port *p = &cfg->ports[idx];
	const char *dummy;
	int backends = 0, def = 0;
	unsigned i, k;

	if (why == NULL)
		why = &dummy;
	if (p->steering != SL_STEERING_AUTO) {
		*why = "set in the port's section";
		return (enum sl_steering)p->steering;
	}
	if (p->n_local + p->n_local6 != 0) {
		*why = "fullnat replies arrive at the port's local addresses: a hash of one address would crowd them on few queues";
		return SL_STEERING_OFF;
	}
	for (i = 0; i < cfg->n_services && !backends; i++) {
		const struct sl_config_service *s = &cfg->services[i];

		for (k = 0; s->mode == SL_MODE_NAT && k < s->n_backends && !backends; k++)
			backends = behind_port(p, &s->backends[k]);
	}
	for (i = 0; i < p->n_routes; i++)
		def |= p->routes[i].len == 0;
	for (i = 0; i < p->n_routes6; i++)
		def |= p->routes6[i].len == 0;
	if (!backends) {
		*why = "no nat backend behind the port: it receives clients";
		return SL_STEERING_SOURCE;
	}
	if (!def) {
		*why = "nat backends behind the port and no default route: it receives their replies";
		return SL_STEERING_DESTINATION;
	}
	*why = "nat backends and a default route on one port: it receives clients and replies";
	return SL_STEERING_OFF;
}

int
sl_config_validate(const struct sl_config *cfg, char *err, size_t errlen)
{
	const struct vctx v = { .cfg = cfg, .err = err, .errlen = errlen };

	if (cfg == NULL) {
		reason(err, errlen, "no configuration");
		return -EINVAL;
	}
	return validate(&v);
}

int
sl_config_validate_edit(const struct sl_config *cfg, const char *cmd,
			char *err, size_t errlen)
{
	const struct vctx v = {
		.cfg = cfg, .cmd = cmd != NULL ? cmd : "edit",
		.err = err, .errlen = errlen,
	};

	if (cfg == NULL) {
		reason(err, errlen, "%s: no configuration", v.cmd);
		return -EINVAL;
	}
	return validate(&v);
}

/* Say what needs a restart; returns 1 for sl_config_restart_diff(). */
static int __rte_format_printf(3, 4)
restart(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (buf != NULL && len > 0) {
		va_start(ap, fmt);
		vsnprintf(buf, len, fmt, ap);
		va_end(ap);
	}
	return 1;
}

/*
 * The same routes of one family, in any order: the file order of route
 * keys does not matter, and `gateway = GW` is the default route spelled
 * otherwise. Prefixes are unique within a port (check_routes()), so
 * equal counts and each route of @p a found in @p b make equal sets.
 */
static bool
same_routes(const struct sl_config_port *a, const struct sl_config_port *b)
{
	uint16_t i, j;

	if (a->n_routes != b->n_routes)
		return false;
	for (i = 0; i < a->n_routes; i++) {
		const struct sl_config_route *r = &a->routes[i];

		for (j = 0; j < b->n_routes; j++)
			if (b->routes[j].prefix == r->prefix && b->routes[j].len == r->len &&
			    b->routes[j].via == r->via)
				break;
		if (j == b->n_routes)
			return false;
	}
	return true;
}

static bool
same_routes6(const struct sl_config_port *a, const struct sl_config_port *b)
{
	uint16_t i, j;

	if (a->n_routes6 != b->n_routes6)
		return false;
	for (i = 0; i < a->n_routes6; i++) {
		const struct sl_config_route6 *r = &a->routes6[i];

		for (j = 0; j < b->n_routes6; j++)
			if (b->routes6[j].len == r->len &&
			    memcmp(b->routes6[j].prefix, r->prefix, 16) == 0 &&
			    memcmp(b->routes6[j].via, r->via, 16) == 0)
				break;
		if (j == b->n_routes6)
			return false;
	}
	return true;
}

/*
 * Key by key rather than memcmp: line numbers, padding and bytes after a
 * string's NUL say nothing about the running system, and the operator
 * needs to know which key to put back.
 */
int
sl_config_restart_diff(const struct sl_config *a, const struct sl_config *b,
		       char *buf, size_t len)
{
	uint16_t i, j;
	size_t k;

	if (strcmp(a->lcores, b->lcores) != 0)
		return restart(buf, len, "[eal] lcores changed");
	if (strcmp(a->eal_args, b->eal_args) != 0)
		return restart(buf, len, "[eal] args changed");
	for (k = 0; k < RTE_DIM(global_keys); k++) {
		const struct global_key *g = &global_keys[k];
		const char *pa = (const char *)&a->global + g->off;
		const char *pb = (const char *)&b->global + g->off;
		bool same;

		if (strcmp(g->name, "admin_socket") == 0)
			same = strcmp(a->global.admin_socket, b->global.admin_socket) == 0;
		else if (strcmp(g->name, "local_ports") == 0)
			same = a->global.local_port_lo == b->global.local_port_lo &&
			       a->global.local_port_hi == b->global.local_port_hi;
		else
			same = memcmp(pa, pb, sizeof(uint32_t)) == 0;
		if (!same)
			return restart(buf, len, "[global] %s changed", g->name);
	}
	if (a->bgp.line == 0 || b->bgp.line == 0) {
		if (a->bgp.line != b->bgp.line)
			return restart(buf, len, a->bgp.line ? "[bgp] removed" : "[bgp] added");
	} else {
		if (a->bgp.daemon != b->bgp.daemon)
			return restart(buf, len, "[bgp] daemon changed");
		if (strcmp(a->bgp.include, b->bgp.include) != 0)
			return restart(buf, len, "[bgp] include changed");
		if (strcmp(a->bgp.control, b->bgp.control) != 0)
			return restart(buf, len, "[bgp] control changed");
		if (a->bgp.grace_s != b->bgp.grace_s)
			return restart(buf, len, "[bgp] grace changed");
		if (a->bgp.withdraw_on_sigterm != b->bgp.withdraw_on_sigterm)
			return restart(buf, len, "[bgp] withdraw_on_sigterm changed");
	}
	/* ports are matched by name: their order is the DPDK port order */
	for (i = 0; i < a->n_ports; i++) {
		const struct sl_config_port *pa = &a->ports[i], *pb = NULL;

		for (j = 0; j < b->n_ports; j++)
			if (strcmp(b->ports[j].name, pa->name) == 0)
				pb = &b->ports[j];
		if (pb == NULL)
			return restart(buf, len, "[port.%s] removed", pa->name);
		if (pb != &b->ports[i])
			return restart(buf, len, "[port.%s] moved before or after another [port.*] section (the order of ports)",
				      pa->name);
		if (strcmp(pa->device, pb->device) != 0)
			return restart(buf, len, "[port.%s] device changed", pa->name);
		if (pa->addr != pb->addr || pa->prefix_len != pb->prefix_len)
			return restart(buf, len, "[port.%s] address changed", pa->name);
		if (pa->gateway != pb->gateway)
			return restart(buf, len, "[port.%s] gateway changed", pa->name);
		if (pa->prefix6_len != pb->prefix6_len ||
		    memcmp(pa->addr6, pb->addr6, 16) != 0)
			return restart(buf, len, "[port.%s] IPv6 address changed", pa->name);
		if (memcmp(pa->gateway6, pb->gateway6, 16) != 0)
			return restart(buf, len, "[port.%s] IPv6 gateway changed", pa->name);
		/* the kernel interface gets the routes once, at start */
		if (!same_routes(pa, pb))
			return restart(buf, len, "[port.%s] routes changed", pa->name);
		if (!same_routes6(pa, pb))
			return restart(buf, len, "[port.%s] IPv6 routes changed", pa->name);
		if (pa->rx_desc != pb->rx_desc)
			return restart(buf, len, "[port.%s] rx_descriptors changed", pa->name);
		if (pa->tx_desc != pb->tx_desc)
			return restart(buf, len, "[port.%s] tx_descriptors changed", pa->name);
		if (strcmp(pa->kernel_if, pb->kernel_if) != 0)
			return restart(buf, len, "[port.%s] kernel_interface changed", pa->name);
		if (pa->vlan != pb->vlan)
			return restart(buf, len, "[port.%s] vlan changed", pa->name);
		if (pa->mtu != pb->mtu)
			return restart(buf, len, "[port.%s] mtu changed", pa->name);
		if (pa->steering != pb->steering)
			return restart(buf, len, "[port.%s] steering changed", pa->name);
		/* IPv6 local addresses do not drain as IPv4 ones do on a reload */
		if (pa->n_local6 != pb->n_local6 ||
		    memcmp(pa->local6, pb->local6, sizeof(pa->local6[0]) * pa->n_local6) != 0)
			return restart(buf, len, "[port.%s] IPv6 local_address changed", pa->name);
		/* local_address is left out on purpose: a reload may add or
		 * remove fullnat local addresses, the port itself stays */
	}
	if (b->n_ports > a->n_ports)
		return restart(buf, len, "[port.%s] added", b->ports[a->n_ports].name);
	return 0;
}

static struct sl_config *
parse_text(const char *text, size_t len, const char *name, char *err,
	   size_t errlen)
{
	struct parse_ctx *c;
	struct sl_config *cfg;
	int ret;

	c = calloc(1, sizeof(*c));
	cfg = calloc(1, sizeof(*cfg));
	if (c == NULL || cfg == NULL) {
		if (err != NULL && errlen > 0)
			snprintf(err, errlen, "%s: out of memory", name);
		free(c);
		free(cfg);
		errno = ENOMEM;
		return NULL;
	}
	c->cfg = cfg;
	c->name = name;
	c->text = text;
	c->len = len;
	snprintf(cfg->path, sizeof(cfg->path), "%s", name);
	strcpy(cfg->lcores, "0-1");
	cfg->n_lcores = 2;
	sl_config_global_defaults(&cfg->global);

	ret = ini_parse_stream(read_line, c, on_key, c);
	if (!c->failed && ret > 0)
		fail(c, ret, "syntax error or line too long");
	else if (!c->failed && ret < 0)
		fail(c, c->lineno, "inih failed (%d)", ret);
	if (!c->failed && close_section(c) == 0) {
		/* reported at the last line: there is no better one */
		if (cfg->n_ports == 0)
			fail(c, RTE_MAX(c->lineno, 1), "no [port.NAME] section: at least one port is required");
		else if (cfg->n_services == 0)
			fail(c, RTE_MAX(c->lineno, 1), "no [service.NAME] section: at least one service is required");
		else if (sl_config_validate(cfg, c->err, sizeof(c->err)) < 0) {
			c->failed = true;
			c->errnum = EINVAL;
		}
	}

	if (c->failed) {
		if (err != NULL && errlen > 0)
			snprintf(err, errlen, "%s", c->err);
		errno = c->errnum;
		free(cfg);
		cfg = NULL;
	}
	free(c);
	return cfg;
}

struct sl_config *
sl_config_parse_string(const char *text, const char *name, char *err,
		       size_t errlen)
{
	if (name == NULL)
		name = "<string>";
	if (text == NULL) {
		if (err != NULL && errlen > 0)
			snprintf(err, errlen, "%s: no text", name);
		errno = EINVAL;
		return NULL;
	}
	return parse_text(text, strlen(text), name, err, errlen);
}

struct sl_config *
sl_config_load(const char *path, char *err, size_t errlen)
{
	struct sl_config *cfg = NULL;
	char ebuf[128];
	char *buf = NULL, *nul;
	size_t len = 0, cap = 0;
	FILE *f;
	int e;

	f = fopen(path, "r");
	if (f == NULL) {
		e = errno;
		if (err != NULL && errlen > 0)
			snprintf(err, errlen, "%s: cannot open: %s", path,
				 strerror_r(e, ebuf, sizeof(ebuf)));
		errno = e;
		return NULL;
	}
	/* whole file in memory: one reader for files and strings */
	for (;;) {
		if (len == cap) {
			char *nb;

			cap = cap ? cap * 2 : 65536;
			nb = realloc(buf, cap + 1);
			if (nb == NULL) {
				e = ENOMEM;
				goto err;
			}
			buf = nb;
		}
		len += fread(buf + len, 1, cap - len, f);
		if (ferror(f)) {
			e = errno ? errno : EIO;
			goto err;
		}
		if (feof(f))
			break;
	}
	fclose(f);
	f = NULL;
	buf[len] = '\0';

	nul = memchr(buf, '\0', len);
	if (nul != NULL) {
		int line = 1;
		const char *p;

		for (p = buf; p < nul; p++)
			line += *p == '\n';
		if (err != NULL && errlen > 0)
			snprintf(err, errlen, "%s:%d: NUL byte in the file (expected a text file)",
				 path, line);
		free(buf);
		errno = EINVAL;
		return NULL;
	}
	cfg = parse_text(buf, len, path, err, errlen);
	e = errno;
	free(buf);
	errno = e;
	return cfg;

err:
	if (err != NULL && errlen > 0)
		snprintf(err, errlen, "%s: cannot read: %s", path,
			 strerror_r(e, ebuf, sizeof(ebuf)));
	if (f != NULL)
		fclose(f);
	free(buf);
	errno = e;
	return NULL;
}

void
sl_config_free(struct sl_config *cfg)
{
	free(cfg);
}

void
sl_config_global_defaults(struct sl_config_global *g)
{
	memset(g, 0, sizeof(*g));
	g->flow_capacity = 1048576;
	g->idle_sleep_us = 100;
	g->idle_polls = 256;
	g->stats_interval = 0;
	g->mbufs = 16383;
	g->neigh_timeout = 300;
	g->slowpath_rate = 10000;
	g->slowpath_burst = 1000;
	strcpy(g->admin_socket, "/run/sluice/sluice.sock");
	g->local_port_lo = 1024;
	g->local_port_hi = 65535;
	g->timeouts[SL_CS_NONE] = 10;
	g->timeouts[SL_CS_SYN_SENT] = 120;
	g->timeouts[SL_CS_SYN_RECV] = 60;
	g->timeouts[SL_CS_ESTABLISHED] = 900;
	g->timeouts[SL_CS_FIN_WAIT] = 120;
	g->timeouts[SL_CS_TIME_WAIT] = 120;
	g->timeouts[SL_CS_CLOSE] = 10;
	g->timeouts[SL_CS_UDP] = 300;
}

const char *
sl_conn_state_name(enum sl_conn_state s)
{
	static const char *const names[SL_CS_MAX] = {
		[SL_CS_NONE] = "none",
		[SL_CS_SYN_SENT] = "syn_sent",
		[SL_CS_SYN_RECV] = "syn_recv",
		[SL_CS_ESTABLISHED] = "established",
		[SL_CS_FIN_WAIT] = "fin_wait",
		[SL_CS_TIME_WAIT] = "time_wait",
		[SL_CS_CLOSE] = "close",
		[SL_CS_UDP] = "udp",
	};

	if ((unsigned)s >= SL_CS_MAX)
		return "unknown";
	return names[s];
}
