/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SL_CONFIG_H
#define SL_CONFIG_H

/**
 * @file
 * INI configuration: parses and validates a whole file into a plain
 * struct sl_config. Nothing here touches DPDK state; the management
 * lcore turns a validated config into a snapshot (lib/svc).
 *
 * A file is accepted whole or refused whole: the first error found is
 * reported as "FILE:LINE: reason" (LINE is the line of the offending
 * key, or of the section header when a required key is missing).
 *
 * Thread-safety: control path only; functions are reentrant (no
 * global state), so tests may parse many files concurrently.
 */

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/*
 * Limits. The validator checks every one of them with FILE:LINE, so a
 * file that loads also fits the tables the rest of Sluice sizes from
 * these (config/README.md, "Limits").
 */
#define SL_MAX_PORTS            8     /**< [port.*] sections */
#define SL_MAX_SERVICES         256   /**< [service.*] sections */
#define SL_MAX_SVC_BACKENDS     256   /**< backends of one service */
#define SL_MAX_BACKENDS_TOTAL   4096  /**< backends of all services together */
#define SL_MAX_LCORES           128   /**< lcore ids 0..127 */
#define SL_MAX_WORKERS          64    /**< worker lcores: lcores names at most 65 */
#define SL_NAME_MAX             32
#define SL_DEVICE_MAX           256
#define SL_EAL_ARGS_MAX         1024
#define SL_SCHED_NAME_MAX       16
#define SL_MAX_PORT_ROUTES      32   /**< static routes per port, IPv4 and IPv6
				       *   together, default routes included */
#define SL_MAX_LOCAL_ADDRS      16   /**< fullnat local addresses per port */
#define SL_MAX_SVC_ACL          64   /**< allow and deny prefixes of one service,
				       *   both lists together */

/** Forwarding modes of a service. */
enum sl_mode {
	SL_MODE_NAT = 0,     /**< DNAT, replies through Sluice (two-arm) */
	SL_MODE_FULLNAT,     /**< DNAT + SNAT to a local address (one-arm) */
	SL_MODE_DR,          /**< direct server return: MAC rewrite only */
	SL_MODE_TUNNEL,      /**< client packet encapsulated to the backend */
};

/** Modes in which only client packets cross Sluice (one-direction state). */
#define SL_MODE_ONEWAY(m) ((m) >= SL_MODE_DR)

/** Encapsulations of mode tunnel. */
/** SYN proxy of a TCP service. */
enum sl_synproxy {
	SL_SYNPROXY_OFF = 0,
	SL_SYNPROXY_ON,      /**< every SYN answered with a cookie */
	SL_SYNPROXY_AUTO,    /**< when the service's SYN rate on a worker passes
			      *   synproxy_threshold, or the table is 3/4 full */
};

enum sl_encap {
	SL_ENCAP_IPIP = 0,   /**< IPv4 in IPv4 (protocol 4), 20 bytes */
	SL_ENCAP_GUE,        /**< UDP + 4-byte GUE header (version 0), 32 bytes */
	SL_ENCAP_GRE,        /**< GRE without options (protocol 47), 24 bytes */
};

#define SL_GUE_PORT_DEFAULT 6080  /**< IANA's port for GUE */

/** Connection states tracked per flow; also indexes the timeout table. */
enum sl_conn_state {
	SL_CS_NONE = 0,
	SL_CS_SYN_SENT,     /**< client SYN seen */
	SL_CS_SYN_RECV,     /**< backend SYN+ACK seen */
	SL_CS_ESTABLISHED,  /**< handshake complete */
	SL_CS_FIN_WAIT,     /**< one side sent FIN */
	SL_CS_TIME_WAIT,    /**< both sides sent FIN */
	SL_CS_CLOSE,        /**< RST seen */
	SL_CS_UDP,          /**< UDP pseudo-connection */
	SL_CS_MAX
};

/**
 * A static route of a port: destinations in prefix/len are sent to the
 * gateway @c via, a host on the port's subnet. `gateway = GW` is the
 * route 0.0.0.0/0 via GW.
 */
struct sl_config_route {
	uint32_t prefix;             /**< host byte order, no host bits set */
	uint8_t len;                 /**< prefix length 0..32, 0 = default route */
	uint32_t via;                /**< gateway, host byte order */
	int line;                    /**< line of the route (or gateway) key */
};

/**
 * An IPv6 static route: destinations in prefix/len are sent to @c via,
 * a host on the port's IPv6 subnet or a link-local address. `gateway =
 * ADDR` with an IPv6 address is the route ::/0 via ADDR.
 */
struct sl_config_route6 {
	uint8_t prefix[16];          /**< network order, no host bits set */
	uint8_t len;                 /**< prefix length 0..128, 0 = default route */
	uint8_t via[16];             /**< gateway, network order */
	int line;                    /**< line of the route (or gateway) key */
};

/** What a port's RSS hashes, so that packets arrive at their owner's
 *  queue (see sl_fwd_steer.h). */
enum sl_steering {
	SL_STEERING_AUTO = 0,      /**< from the services: sl_config_steering() */
	SL_STEERING_SOURCE,        /**< the source address alone: clients to VIPs */
	SL_STEERING_DESTINATION,   /**< the destination address alone: replies
				    *   of nat services to their clients */
	SL_STEERING_OFF,           /**< the device's own RSS, or none */
};

struct sl_config_port {
	char name[SL_NAME_MAX];      /**< from [port.NAME] */
	char device[SL_DEVICE_MAX];  /**< vdev string or PCI address */
	uint32_t addr;               /**< own IPv4 address, host byte order */
	uint8_t prefix_len;          /**< 1..32 */
	uint32_t gateway;            /**< via of the port's default route (also in
				      *   @c routes), host order; 0 = none */
	uint16_t rx_desc;            /**< RX ring size (default 1024) */
	uint16_t tx_desc;            /**< TX ring size (default 1024) */
	char kernel_if[16];          /**< TAP interface for the exception path,
				      *   "" = none */
	uint16_t vlan;               /**< 802.1Q VLAN id 1..4094 every frame of
				      *   the port carries, 0 = untagged */
	uint16_t n_routes;           /**< static routes, in file order */
	struct sl_config_route routes[SL_MAX_PORT_ROUTES];
	uint16_t n_local;            /**< fullnat local addresses on this port */
	uint32_t local_addrs[SL_MAX_LOCAL_ADDRS]; /**< host order, file order */
	int local_line;              /**< line of the first local_address key, 0 = none */
	int local_lines[SL_MAX_LOCAL_ADDRS]; /**< line of the key that gave each
					      *   local address (the key repeats) */
	int line;                    /**< line of the section header */
	int device_line;             /**< line of a key, 0 = not in the file */
	int address_line;
	int gateway_line;
	int kernel_if_line;
	int vlan_line;
	uint16_t mtu;                /**< egress IPv4 MTU, 0 = the device's */
	int mtu_line;
	uint8_t steering;            /**< enum sl_steering, default auto */
	int steering_line;
	uint8_t addr6[16];           /**< own IPv6 address (a second `address`
				      *   key), network order */
	uint8_t prefix6_len;         /**< 1..128, 0 = no IPv6 address */
	uint8_t gateway6[16];        /**< IPv6 default route's next hop (also
				      *   in @c routes6), all zero = none
				      *   (`gateway` with an IPv6 address, or
				      *   `route = ::/0 via ADDR`) */
	int address6_line;
	int gateway6_line;
	uint16_t n_routes6;          /**< IPv6 static routes, in file order;
				      *   n_routes + n_routes6 <= SL_MAX_PORT_ROUTES */
	struct sl_config_route6 routes6[SL_MAX_PORT_ROUTES];
	uint16_t n_local6;           /**< IPv6 local addresses (fullnat of IPv6
				      *   services to IPv6 backends) */
	uint8_t local6[SL_MAX_LOCAL_ADDRS][16]; /**< network order, file order */
	int local6_lines[SL_MAX_LOCAL_ADDRS];
};

struct sl_config_backend {
	uint32_t addr;               /**< host byte order (IPv4) */
	uint8_t v6;                  /**< IPv6 backend: "[ADDR]:PORT", @c addr6 */
	uint8_t addr6[16];           /**< network order */
	uint16_t port;               /**< host byte order */
	uint32_t weight;             /**< 1..65535, default 1 */
	uint8_t drain;               /**< state=drain: no new connections */
	uint16_t check_port;         /**< check_port=N, 0 = the backend's port */
	uint32_t max_conns;          /**< max_conns=N: connections it may hold,
				      *   0 = no limit */
	char id[SL_NAME_MAX];        /**< id=NAME: identity for consistent
				      *   hashing; "" = "ADDR:PORT", for
				      *   IPv6 "[ADDR]:PORT" */
	int line;                    /**< line of the backend key */
};

/** Health check kinds. */
enum sl_check {
	SL_CHECK_NONE = 0,
	SL_CHECK_TCP,               /**< TCP connect */
	SL_CHECK_HTTP,              /**< HTTP GET, status matched */
	SL_CHECK_UDP,               /**< datagram sent, answer matched */
};

#define SL_CHECK_STR_MAX 128

/** Health check settings of a service. */
struct sl_config_check {
	uint8_t kind;                /**< enum sl_check */
	uint32_t interval_ms;        /**< between checks of a backend (default 2000) */
	uint32_t timeout_ms;         /**< one check (default 1000) */
	uint32_t rise;               /**< successes to come back (default 2) */
	uint32_t fall;               /**< failures to go out (default 3) */
	char path[SL_CHECK_STR_MAX]; /**< http: request path (default /) */
	char host[SL_CHECK_STR_MAX]; /**< http: Host header (default the VIP) */
	char expect[64];             /**< http: status codes, e.g. "200,204" or
				      *   "2xx" (default "2xx,3xx") */
	char send[SL_CHECK_STR_MAX]; /**< udp: payload to send */
	char expect_payload[SL_CHECK_STR_MAX]; /**< udp: answer must contain it;
						*   "" = any answer */
};

/** What hashing schedulers (sh, maglev) hash. */
enum sl_hash_mode {
	SL_HASH_DEFAULT = 0,         /**< the scheduler's own: sh source, maglev 5tuple */
	SL_HASH_5TUPLE,
	SL_HASH_SOURCE,
};

/**
 * One item of a service's allow or deny list: a prefix of the service's
 * family (an IPv4 prefix in the last 4 bytes of @c addr for an IPv4
 * service), no host bits set.
 */
struct sl_config_acl {
	uint8_t addr[16];            /**< network order */
	uint8_t len;                 /**< prefix length 0..32 (IPv4), 0..128 (IPv6) */
	uint8_t v6;                  /**< an IPv6 prefix */
	uint8_t deny;                /**< from a deny key, else allow */
	int line;                    /**< line of its key */
};

struct sl_config_service {
	char name[SL_NAME_MAX];      /**< from [service.NAME] */
	uint32_t vip;                /**< host byte order (IPv4) */
	uint8_t v6;                  /**< an IPv6 VIP: @c vip6 */
	uint8_t vip6[16];            /**< network order */
	uint16_t port;               /**< 1..65535, host byte order */
	uint8_t proto;               /**< IPPROTO_TCP or IPPROTO_UDP */
	uint8_t mode;                /**< enum sl_mode */
	char scheduler[SL_SCHED_NAME_MAX]; /**< a name sl_sched_find() knows */
	uint32_t maglev_table_size;  /**< prime, default 65537 (maglev only) */
	uint8_t hash_mode;           /**< enum sl_hash_mode */
	uint32_t persistence;        /**< seconds of client affinity, 0 = off */
	uint32_t drain_timeout;      /**< seconds a drained or removed backend keeps
				      *   its connections (default 300) */
	struct sl_config_check check; /**< health check */
	uint16_t n_backends;
	struct sl_config_backend backends[SL_MAX_SVC_BACKENDS];
	int line;                    /**< line of the section header */
	int vip_line;                /**< line of a key, 0 = not in the file */
	int scheduler_line;
	int check_line;
	int check_timeout_line;
	int maglev_line;
	int hash_line;
	uint8_t synproxy;            /**< enum sl_synproxy */
	uint32_t synproxy_threshold; /**< auto: SYNs per second and worker that turn
				      *   it on (default 1000) */
	int synproxy_line;           /**< lines of the keys, 0 = not in the file */
	int synproxy_threshold_line;
	uint8_t proxy_protocol;      /**< 0 off, 1 v1, 2 v2: header to the backend */
	int proxy_line;              /**< line of proxy_protocol, 0 = none */
	uint8_t encap;               /**< enum sl_encap (mode tunnel) */
	uint16_t gue_port;           /**< encap gue: UDP destination port */
	uint8_t check_backend;       /**< dr/tunnel: check the backend's own
				      *   address instead of the VIP through it */
	int mode_line;               /**< line of a key, 0 = not in the file */
	int encap_line;
	int gue_port_line;
	int check_target_line;
	/** allow and deny prefixes, in file order (keys repeat, each may
	 *  list several): with any allow, only allowed clients connect;
	 *  deny wins over allow */
	uint16_t n_acl;
	struct sl_config_acl acl[SL_MAX_SVC_ACL];
	uint32_t conn_rate;          /**< conn_rate_per_client: new connections
				      *   per second per client address, 0 = off */
	uint32_t conn_burst;         /**< conn_burst_per_client, 0 = conn_rate */
	int conn_burst_line;         /**< line of a key, 0 = not in the file */
};

struct sl_config_global {
	uint32_t flow_capacity;      /**< connections per worker (default 1048576) */
	uint32_t idle_sleep_us;      /**< back-off sleep when idle, 0 = busy poll (default 100) */
	uint32_t idle_polls;         /**< empty polls before sleeping (default 256) */
	uint32_t idle_wake;          /**< 1: an idle sleep ends at a frame on an AF_XDP
				      *  port's socket (default 0) */
	uint32_t stats_interval;     /**< seconds between counter prints, 0 = only at exit */
	uint32_t mbufs;              /**< packet buffers in the pool (default 16383) */
	uint32_t timeouts[SL_CS_MAX];/**< seconds per connection state */
	uint32_t neigh_timeout;      /**< seconds an ARP entry stays valid (default 300) */
	uint32_t slowpath_rate;      /**< ARP/ND and exception-path packets a worker passes
				      *   to the management lcore per second, per port and
				      *   class; 0 = no limit (default 10000) */
	uint32_t slowpath_burst;     /**< ... of which at once (default 1000) */
	char admin_socket[108];      /**< Unix socket path (default /run/sluice/sluice.sock) */
	uint16_t local_port_lo;      /**< fullnat local ports, first (default 1024) */
	uint16_t local_port_hi;      /**< fullnat local ports, last (default 65535) */
	int local_ports_line;        /**< line of the local_ports key, 0 = default */
};

/*
 * [bgp]: the VIPs announced by a routing daemon Sluice drives (it never
 * speaks BGP itself). Sluice writes @c include, the routes the daemon
 * should announce, and asks the daemon to re-read its configuration
 * through @c control. Absent section (line 0): no announcements.
 */
enum { SL_BGP_DAEMON_BIRD = 1 };

struct sl_config_bgp {
	int line;                    /**< line of [bgp], 0 = section absent */
	uint8_t daemon;              /**< SL_BGP_DAEMON_* (only bird) */
	char include[256];           /**< file Sluice writes, absolute path */
	char control[108];           /**< the daemon's control socket
				      *   (default /run/bird/bird.ctl) */
	uint32_t grace_s;            /**< drain-instance: seconds Sluice keeps
				      *   forwarding once the VIPs are withdrawn
				      *   (default 5) */
	uint8_t withdraw_on_sigterm; /**< SIGTERM drains as drain-instance does
				      *   (default yes) */
};

struct sl_config {
	char path[256];              /**< file name used in messages */
	char lcores[128];            /**< [eal] lcores, EAL --lcores syntax subset */
	uint16_t n_lcores;           /**< number of lcores in @c lcores (>= 2) */
	char eal_args[SL_EAL_ARGS_MAX]; /**< [eal] args, verbatim */
	int lcores_line;             /**< line of [eal] lcores, 0 = default */
	int eal_args_line;           /**< line of [eal] args, 0 = none */
	struct sl_config_global global;
	uint16_t n_ports;
	struct sl_config_port ports[SL_MAX_PORTS];
	uint16_t n_services;
	struct sl_config_service services[SL_MAX_SERVICES];
	struct sl_config_bgp bgp;
};

/**
 * Parse and validate an INI file.
 *
 * @param path  file to read
 * @param err   buffer for "FILE:LINE: reason" on failure
 * @param errlen size of @p err
 * @return a config to release with sl_config_free(), or NULL on error.
 */
struct sl_config *sl_config_load(const char *path, char *err, size_t errlen);

/**
 * Parse and validate INI text held in memory; @p name stands for the
 * file name in error messages.
 */
struct sl_config *sl_config_parse_string(const char *text, const char *name,
					 char *err, size_t errlen);

/**
 * Check a whole parsed config against every rule that spans keys,
 * sections or limits: port subnets, devices and gateways; VIPs; each
 * backend's address (unicast, not a port's or any VIP, reachable through
 * a port that has kernel_interface when checks run), weight, id and
 * uniqueness; per-service and total backend counts; worker count;
 * scheduler options; fullnat local addresses (a free host of their
 * port's subnet, once over all ports, one on the port that reaches each
 * backend of a fullnat service) and a local port range with a port for
 * every worker. The parser calls it after the last line; runtime
 * commands call sl_config_validate_edit() on their edited copy, so a
 * command can never install what the file would have refused.
 *
 * @param cfg    the config (unchanged)
 * @param err    "FILE:LINE: reason" on failure (LINE of the key or
 *               item at fault; "FILE: reason" for items not from the file)
 * @param errlen size of @p err
 * @return 0, or -EINVAL with @p err filled in.
 */
int sl_config_validate(const struct sl_config *cfg, char *err, size_t errlen);

/**
 * As sl_config_validate(), for a config changed by a runtime command:
 * the message is "CMD: reason", without file lines, since the running
 * configuration no longer matches the file.
 */
int sl_config_validate_edit(const struct sl_config *cfg, const char *cmd,
			    char *err, size_t errlen);

/**
 * Parse one backend, "IP:PORT [weight=N] [id=NAME] [state=active|drain]
 * [check_port=N] [max_conns=N]", IP an IPv4 address or a bracketed IPv6 one
 * ("[2001:db8::11]:80", then @c v6 = 1), with the checks that need nothing but the backend
 * itself (a unicast address, ranges, id characters). The INI parser and
 * the "add backend" command both use it; rules across the config
 * (duplicates, port addresses, VIPs, limits) are sl_config_validate()'s.
 *
 * @param spec   the text
 * @param b      filled in on success (line 0)
 * @param err    the reason on failure, without location
 * @return 0 or -EINVAL.
 */
int sl_config_backend_parse(const char *spec, struct sl_config_backend *b,
			    char *err, size_t errlen);

/**
 * What a reload from @p a to @p b would change that only a restart can
 * apply: [eal] keys, [global] keys, [bgp] keys, and [port.*] sections (added,
 * removed, reordered or with any key but local_address changed: local
 * addresses may be added or removed by a reload). Compared key by key, so
 * moving a section within the file or changing comments changes nothing.
 *
 * @param buf  on 1, what changed, e.g. "[port.inside] address changed"
 * @return 1 if a restart is needed, 0 if not.
 */
int sl_config_restart_diff(const struct sl_config *a, const struct sl_config *b,
			   char *buf, size_t len);

/**
 * The sections the parser reads, by the name of their header before any
 * ".NAME": "eal", "global", "port", "service".
 *
 * @return section @p i, or NULL past the last.
 */
const char *sl_config_section_name(unsigned i);

/**
 * The keys the parser accepts in a section (a name from
 * sl_config_section_name()), in the parser's own order; section
 * "backend" gives the options of a backend line ("weight", ...). Man
 * pages and the resolved configuration (sl_config_print()) are checked
 * against these lists.
 *
 * @return key @p i, or NULL past the last or for an unknown section.
 */
const char *sl_config_key_name(const char *section, unsigned i);

/**
 * Write @p cfg as an INI file Sluice accepts: every section and every
 * key with its effective value, defaults included, times with their
 * unit (e.g. "check_interval = 2000ms"). A key that has no value in
 * this configuration (an unset gateway, a key that applies to another
 * mode or scheduler) is written as a comment, "; key = ..." with what
 * it would be. Loading the output gives a configuration that prints the
 * same text again.
 *
 * @return 0, or -EIO if writing failed.
 */
int sl_config_print(const struct sl_config *cfg, FILE *f);

/** Release a config from sl_config_load() or sl_config_parse_string(). */
void sl_config_free(struct sl_config *cfg);

/** Fill @p g with the documented defaults. */
void sl_config_global_defaults(struct sl_config_global *g);

/** Name of a forwarding mode: "nat", "fullnat", "dr", or for mode tunnel
 *  "tunnel/" and the encapsulation @p encap ("tunnel/gue"). */
const char *sl_config_mode_name(uint8_t mode, uint8_t encap);

/**
 * The steering port @p idx gets: its `steering` key, or for auto, from
 * the services: a port with fullnat local addresses gets off (the
 * replies to them are owned by the local port, not a client address,
 * and hashing the backend's address alone would crowd them on few
 * queues); a port no backend of a nat service is behind (in its subnets
 * or its routes other than a default route) receives clients, so
 * source; a port nat backends are behind and that holds no default
 * route receives their replies, so destination; a port with both gets
 * off. dr and tunnel backends do not count (their replies do not come
 * back), fullnat ones neither. Auto is decided at start: a reload that
 * changes the services does not change what the device does.
 * @p why, when not NULL, gets a phrase saying why.
 */
enum sl_steering sl_config_steering(const struct sl_config *cfg, unsigned idx,
				    const char **why);

/** "auto", "source", "destination" or "off". */
const char *sl_config_steering_name(uint8_t steering);

/** Name of a connection state ("established", ...). */
const char *sl_conn_state_name(enum sl_conn_state s);

/*
 * Which worker owns a fullnat local port: the port's low bits are its
 * slot, of sl_lport_slots(), and slot s belongs to worker s % n (the
 * port of a reply names its owner, and a NIC can match low bits).
 */

/** Slots of the local ports among @p n workers (a power of two): @p n
 *  itself when it is one, else four times the next, so that no worker
 *  holds more than a quarter more of the ports than another. */
static inline unsigned
sl_lport_slots(unsigned n)
{
	unsigned p = n <= 1 ? 1 : 1u << (32 - __builtin_clz(n - 1));

	return p == n ? p : 4 * p;
}

/** Worker of local port @p port (host order) among @p n workers. */
static inline unsigned
sl_lport_owner(uint16_t port, unsigned n)
{
	return (port & (sl_lport_slots(n) - 1)) % n;
}

#endif /* SL_CONFIG_H */
