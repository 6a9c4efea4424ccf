/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/config: the documented example parses into exactly the documented
 * values, config/sluice.ini loads, and every class of mistake is refused
 * with "FILE:LINE: reason" naming the right line. No EAL needed.
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <pthread.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <CUnit/CUnit.h>

#include "sl_config.h"
#include "sl_sched.h"
#include "sl_test.h"

#define IP(a, b, c, d) (((uint32_t)(a) << 24) | ((b) << 16) | ((c) << 8) | (d))
#define DIM(x) (sizeof(x) / sizeof((x)[0]))

/* The example of the specification, verbatim. */
static const char full_example[] =
	"[eal]\n"
	"lcores = 0-1            ; first lcore manages, the others are workers\n"
	"args = --no-pci --no-huge -m 1024 --file-prefix sluice   ; further EAL options, verbatim\n"
	"\n"
	"[global]                ; optional, all keys optional\n"
	"flow_capacity = 1048576 ; connections per worker, 1024..67108864\n"
	"idle_sleep = 100        ; microseconds a worker sleeps after idle_polls empty polls; 0 = busy poll; max 100000\n"
	"idle_polls = 256        ; 1..1000000\n"
	"idle_wake = yes         ; AF_XDP ports: a frame ends a worker's sleep\n"
	"stats_interval = 0      ; seconds between counter prints (0 = only at exit); max 86400\n"
	"mbufs = 16383           ; packet buffers, 1023..4194303\n"
	"neigh_timeout = 300     ; seconds an ARP entry stays valid, 5..86400\n"
	"timeout_tcp_syn = 120        ; SYN_SENT (seconds, 1..86400 for all timeouts)\n"
	"timeout_tcp_syn_recv = 60    ; SYN_RECV\n"
	"timeout_tcp_established = 900\n"
	"timeout_tcp_fin = 120        ; FIN_WAIT\n"
	"timeout_tcp_time_wait = 120\n"
	"timeout_tcp_close = 10\n"
	"timeout_udp = 300\n"
	"\n"
	"[port.outside]          ; NAME: 1-31 chars [A-Za-z0-9_-]\n"
	"device = net_af_packet0,iface=veth-out   ; a DPDK vdev string (starts with \"net_\") or a PCI address (DDDD:BB:DD.F or BB:DD.F)\n"
	"address = 10.0.0.1/24                    ; required, prefix 1..32\n"
	"gateway = 10.0.0.254                     ; optional; must be inside the port's subnet and not the port address\n"
	"rx_descriptors = 1024                    ; optional, power of two 64..16384\n"
	"tx_descriptors = 1024\n"
	"\n"
	"[service.web]\n"
	"vip = 10.0.0.100\n"
	"port = 80               ; 1..65535\n"
	"protocol = tcp          ; tcp | udp\n"
	"mode = nat              ; nat | fullnat | dr | tunnel\n"
	"scheduler = rr          ; any name sl_sched_find() knows; default rr\n"
	"backend = 10.1.0.11:8080            ; repeatable, \"IP:PORT\" then optional options\n"
	"backend = 10.1.0.12:8080 weight=3   ; weight 1..65535, default 1\n";

static void
test_full_example(void)
{
	char err[512] = "";
	struct sl_config *cfg;
	const struct sl_config_port *p;
	const struct sl_config_service *s;

	cfg = sl_config_parse_string(full_example, "ex.ini", err, sizeof(err));
	if (cfg == NULL)
		printf("\n  unexpected error: %s\n", err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);

	CU_ASSERT_STRING_EQUAL(cfg->path, "ex.ini");
	CU_ASSERT_STRING_EQUAL(cfg->lcores, "0-1");
	CU_ASSERT_EQUAL(cfg->n_lcores, 2);
	CU_ASSERT_STRING_EQUAL(cfg->eal_args,
			       "--no-pci --no-huge -m 1024 --file-prefix sluice");

	CU_ASSERT_EQUAL(cfg->global.flow_capacity, 1048576);
	CU_ASSERT_EQUAL(cfg->global.idle_sleep_us, 100);
	CU_ASSERT_EQUAL(cfg->global.idle_polls, 256);
	CU_ASSERT_EQUAL(cfg->global.idle_wake, 1);
	CU_ASSERT_EQUAL(cfg->global.stats_interval, 0);
	CU_ASSERT_EQUAL(cfg->global.mbufs, 16383);
	CU_ASSERT_EQUAL(cfg->global.neigh_timeout, 300);
	CU_ASSERT_EQUAL(cfg->global.timeouts[SL_CS_NONE], 10);
	CU_ASSERT_EQUAL(cfg->global.timeouts[SL_CS_SYN_SENT], 120);
	CU_ASSERT_EQUAL(cfg->global.timeouts[SL_CS_SYN_RECV], 60);
	CU_ASSERT_EQUAL(cfg->global.timeouts[SL_CS_ESTABLISHED], 900);
	CU_ASSERT_EQUAL(cfg->global.timeouts[SL_CS_FIN_WAIT], 120);
	CU_ASSERT_EQUAL(cfg->global.timeouts[SL_CS_TIME_WAIT], 120);
	CU_ASSERT_EQUAL(cfg->global.timeouts[SL_CS_CLOSE], 10);
	CU_ASSERT_EQUAL(cfg->global.timeouts[SL_CS_UDP], 300);

	CU_ASSERT_EQUAL_FATAL(cfg->n_ports, 1);
	p = &cfg->ports[0];
	CU_ASSERT_STRING_EQUAL(p->name, "outside");
	CU_ASSERT_STRING_EQUAL(p->device, "net_af_packet0,iface=veth-out");
	CU_ASSERT_EQUAL(p->addr, IP(10, 0, 0, 1));
	CU_ASSERT_EQUAL(p->prefix_len, 24);
	CU_ASSERT_EQUAL(p->gateway, IP(10, 0, 0, 254));
	CU_ASSERT_EQUAL(p->rx_desc, 1024);
	CU_ASSERT_EQUAL(p->tx_desc, 1024);
	CU_ASSERT_EQUAL(p->line, 21);

	CU_ASSERT_EQUAL_FATAL(cfg->n_services, 1);
	s = &cfg->services[0];
	CU_ASSERT_STRING_EQUAL(s->name, "web");
	CU_ASSERT_EQUAL(s->vip, IP(10, 0, 0, 100));
	CU_ASSERT_EQUAL(s->port, 80);
	CU_ASSERT_EQUAL(s->proto, IPPROTO_TCP);
	CU_ASSERT_EQUAL(s->mode, SL_MODE_NAT);
	CU_ASSERT_STRING_EQUAL(s->scheduler, "rr");
	CU_ASSERT_EQUAL(s->line, 28);
	CU_ASSERT_EQUAL_FATAL(s->n_backends, 2);
	CU_ASSERT_EQUAL(s->backends[0].addr, IP(10, 1, 0, 11));
	CU_ASSERT_EQUAL(s->backends[0].port, 8080);
	CU_ASSERT_EQUAL(s->backends[0].weight, 1);
	CU_ASSERT_EQUAL(s->backends[0].line, 34);
	CU_ASSERT_EQUAL(s->backends[1].addr, IP(10, 1, 0, 12));
	CU_ASSERT_EQUAL(s->backends[1].port, 8080);
	CU_ASSERT_EQUAL(s->backends[1].weight, 3);
	CU_ASSERT_EQUAL(s->backends[1].line, 35);
	sl_config_free(cfg);
}

/* Omitted keys take their defaults; udp, wrr and a PCI device parse. */
static void
test_defaults(void)
{
	static const char text[] =
		"[port.p0]\n"
		"device = 0000:03:00.1\n"
		"address = 192.168.7.10/16\n"
		"[global]\n"
		"timeout_udp = 30\n"
		"idle_sleep = 0\n"
		"[service.dns]\n"
		"vip = 192.168.100.1\n"
		"port = 53\n"
		"protocol = udp\n"
		"scheduler = wrr\n"
		"backend = 192.168.1.1:5353 weight=65535\n";
	struct sl_config_global def;
	char err[512] = "";
	struct sl_config *cfg;

	cfg = sl_config_parse_string(text, "d.ini", err, sizeof(err));
	if (cfg == NULL)
		printf("\n  unexpected error: %s\n", err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
	CU_ASSERT_STRING_EQUAL(cfg->lcores, "0-1");
	CU_ASSERT_EQUAL(cfg->n_lcores, 2);
	CU_ASSERT_STRING_EQUAL(cfg->eal_args, "");
	CU_ASSERT_EQUAL(cfg->global.timeouts[SL_CS_UDP], 30);
	CU_ASSERT_EQUAL(cfg->global.idle_sleep_us, 0);
	CU_ASSERT_EQUAL(cfg->global.idle_wake, 0);
	CU_ASSERT_EQUAL(cfg->global.flow_capacity, 1048576);
	CU_ASSERT_EQUAL(cfg->global.timeouts[SL_CS_ESTABLISHED], 900);
	CU_ASSERT_STRING_EQUAL(cfg->ports[0].device, "0000:03:00.1");
	CU_ASSERT_EQUAL(cfg->ports[0].addr, IP(192, 168, 7, 10));
	CU_ASSERT_EQUAL(cfg->ports[0].prefix_len, 16);
	CU_ASSERT_EQUAL(cfg->ports[0].gateway, 0);
	CU_ASSERT_EQUAL(cfg->ports[0].rx_desc, 1024);
	CU_ASSERT_EQUAL(cfg->ports[0].tx_desc, 1024);
	CU_ASSERT_EQUAL(cfg->ports[0].vlan, 0);
	CU_ASSERT_EQUAL(cfg->services[0].proto, IPPROTO_UDP);
	CU_ASSERT_EQUAL(cfg->services[0].mode, SL_MODE_NAT);
	CU_ASSERT_STRING_EQUAL(cfg->services[0].scheduler, "wrr");
	CU_ASSERT_EQUAL(cfg->services[0].backends[0].weight, 65535);
	CU_ASSERT_EQUAL(cfg->services[0].backends[0].port, 5353);
	sl_config_free(cfg);

	memset(&def, 0xff, sizeof(def));
	sl_config_global_defaults(&def);
	CU_ASSERT_EQUAL(def.flow_capacity, 1048576);
	CU_ASSERT_EQUAL(def.idle_sleep_us, 100);
	CU_ASSERT_EQUAL(def.idle_polls, 256);
	CU_ASSERT_EQUAL(def.idle_wake, 0);
	CU_ASSERT_EQUAL(def.stats_interval, 0);
	CU_ASSERT_EQUAL(def.mbufs, 16383);
	CU_ASSERT_EQUAL(def.neigh_timeout, 300);
	CU_ASSERT_EQUAL(def.timeouts[SL_CS_NONE], 10);
	CU_ASSERT_EQUAL(def.timeouts[SL_CS_SYN_SENT], 120);
	CU_ASSERT_EQUAL(def.timeouts[SL_CS_SYN_RECV], 60);
	CU_ASSERT_EQUAL(def.timeouts[SL_CS_ESTABLISHED], 900);
	CU_ASSERT_EQUAL(def.timeouts[SL_CS_FIN_WAIT], 120);
	CU_ASSERT_EQUAL(def.timeouts[SL_CS_TIME_WAIT], 120);
	CU_ASSERT_EQUAL(def.timeouts[SL_CS_CLOSE], 10);
	CU_ASSERT_EQUAL(def.timeouts[SL_CS_UDP], 300);
}

static void
test_state_names(void)
{
	CU_ASSERT_STRING_EQUAL(sl_conn_state_name(SL_CS_NONE), "none");
	CU_ASSERT_STRING_EQUAL(sl_conn_state_name(SL_CS_SYN_SENT), "syn_sent");
	CU_ASSERT_STRING_EQUAL(sl_conn_state_name(SL_CS_SYN_RECV), "syn_recv");
	CU_ASSERT_STRING_EQUAL(sl_conn_state_name(SL_CS_ESTABLISHED), "established");
	CU_ASSERT_STRING_EQUAL(sl_conn_state_name(SL_CS_FIN_WAIT), "fin_wait");
	CU_ASSERT_STRING_EQUAL(sl_conn_state_name(SL_CS_TIME_WAIT), "time_wait");
	CU_ASSERT_STRING_EQUAL(sl_conn_state_name(SL_CS_CLOSE), "close");
	CU_ASSERT_STRING_EQUAL(sl_conn_state_name(SL_CS_UDP), "udp");
	CU_ASSERT_STRING_EQUAL(sl_conn_state_name(SL_CS_MAX), "unknown");
}

/* The shipped example must stay valid. */
static void
test_sluice_ini(void)
{
	static const char *const paths[] = {
		"config/sluice.ini", "../config/sluice.ini",
		"../../config/sluice.ini",
	};
	char err[512] = "", env_path[512];
	const char *path = NULL;
	struct sl_config *cfg;
	unsigned i;

	if (getenv("SL_SRCDIR") != NULL) {
		snprintf(env_path, sizeof(env_path), "%s/config/sluice.ini",
			 getenv("SL_SRCDIR"));
		if (access(env_path, R_OK) == 0)
			path = env_path;
	}
	for (i = 0; path == NULL && i < DIM(paths); i++)
		if (access(paths[i], R_OK) == 0)
			path = paths[i];
	if (path == NULL)
		printf("\n  config/sluice.ini not found (set SL_SRCDIR)\n");
	CU_ASSERT_PTR_NOT_NULL_FATAL(path);

	cfg = sl_config_load(path, err, sizeof(err));
	if (cfg == NULL)
		printf("\n  %s\n", err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
	CU_ASSERT_STRING_EQUAL(cfg->path, path);
	CU_ASSERT_EQUAL(cfg->n_lcores, 2);
	CU_ASSERT_EQUAL(cfg->n_ports, 2);
	CU_ASSERT_STRING_EQUAL(cfg->ports[0].name, "outside");
	CU_ASSERT_EQUAL(cfg->ports[0].gateway, IP(10, 0, 0, 254));
	CU_ASSERT_STRING_EQUAL(cfg->ports[1].name, "inside");
	CU_ASSERT_EQUAL(cfg->n_services, 3);
	CU_ASSERT_EQUAL(cfg->services[0].n_backends, 2);
	CU_ASSERT_EQUAL(cfg->services[0].backends[1].weight, 3);
	CU_ASSERT_EQUAL(cfg->services[0].persistence, 0);
	CU_ASSERT_EQUAL(cfg->services[1].proto, IPPROTO_UDP);
	CU_ASSERT_STRING_EQUAL(cfg->services[1].scheduler, "wrr");
	CU_ASSERT_STRING_EQUAL(cfg->services[2].scheduler, "maglev");
	CU_ASSERT_EQUAL(cfg->services[2].maglev_table_size, 65537);
	CU_ASSERT_EQUAL(cfg->services[2].hash_mode, SL_HASH_5TUPLE);
	CU_ASSERT_STRING_EQUAL(cfg->services[2].backends[0].id, "api-a");
	CU_ASSERT_STRING_EQUAL(cfg->services[2].backends[1].id, "api-b");
	CU_ASSERT_EQUAL(cfg->services[2].backends[1].weight, 2);
	sl_config_free(cfg);

	/* the scheduler keys, parsed into their fields */
	cfg = sl_config_parse_string(
		"[port.a]\ndevice = net_null0\naddress = 10.0.0.1/24\n"
		"[service.m]\nvip = 10.0.0.100\nport = 80\nprotocol = tcp\n"
		"scheduler = maglev\nmaglev_table_size = 655373\nhash = source\n"
		"persistence = 300\nbackend = 10.0.0.11:80 id=x weight=4\n"
		"[service.s]\nvip = 10.0.0.100\nport = 81\nprotocol = tcp\n"
		"scheduler = sh\nbackend = 10.0.0.11:80\n",
		"sched.ini", err, sizeof(err));
	if (cfg == NULL)
		printf("\n  %s\n", err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
	CU_ASSERT_EQUAL(cfg->services[0].maglev_table_size, 655373);
	CU_ASSERT_EQUAL(cfg->services[0].hash_mode, SL_HASH_SOURCE);
	CU_ASSERT_EQUAL(cfg->services[0].persistence, 300);
	CU_ASSERT_STRING_EQUAL(cfg->services[0].backends[0].id, "x");
	CU_ASSERT_EQUAL(cfg->services[0].backends[0].weight, 4);
	CU_ASSERT_EQUAL(cfg->services[1].hash_mode, SL_HASH_DEFAULT);
	CU_ASSERT_EQUAL(cfg->services[1].maglev_table_size, 65537);
	CU_ASSERT_STRING_EQUAL(cfg->services[1].backends[0].id, "");
	sl_config_free(cfg);
}

/* Building blocks for the invalid files: PORT_A is 3 lines, SVC_A 5. */
#define PORT_A "[port.a]\ndevice = net_null0\naddress = 10.0.0.1/24\n"
#define SVC_HDR "[service.s]\nvip = 10.0.0.100\nport = 80\nprotocol = tcp\n"
#define SVC_A SVC_HDR "backend = 10.0.0.11:80\n"
#define PN(n) "[port.p" #n "]\ndevice = net_null" #n "\naddress = 10." #n ".0.1/24\n"
#define A10 "aaaaaaaaaa"
#define A100 A10 A10 A10 A10 A10 A10 A10 A10 A10 A10

struct bad_case {
	const char *text;
	int line;
	const char *phrase;
};

static const struct bad_case bad_cases[] = {
	/* sections */
	{ PORT_A "[foo]\n" SVC_A, 4, "unknown section [foo] (expected [eal], [global], [port.NAME], [service.NAME] or [bgp])" },
	{ PORT_A SVC_A "[EAL]\n", 9, "section names are lowercase" },
	{ "[port.]\ndevice = net_null0\n", 1, "section [port.] has an empty name" },
	{ "[port.abcdefghijklmnopqrstuvwxyz012345]\n", 1, "is too long (32 characters, at most 31)" },
	{ "[service.a b]\n", 1, "has invalid character ' ' (allowed: A-Z a-z 0-9 _ -)" },
	{ "[port]\n", 1, "section [port] needs a name: [port.NAME]" },
	{ PORT_A "[port.a]\n", 4, "duplicate section [port.a] (first at line 1)" },
	{ PORT_A SVC_A "\n[service.s]\n", 10, "duplicate section [service.s] (first at line 4)" },
	{ "[global]\n[eal]\n[global]\n", 3, "duplicate section [global] (first at line 1)" },
	{ "[port.a\n", 1, "section header '[port.a' has no closing ']'" },
	{ "[port.a] x\n", 1, "unexpected 'x' after section header" },
	{ PN(1) PN(2) PN(3) PN(4) PN(5) PN(6) PN(7) PN(8) PN(9), 25, "too many ports" },
	/* keys */
	{ "[port.a]\ndevice = net_null0\nspeed = 10\n", 3,
	  "unknown key 'speed' in [port.a] (expected device|address|gateway|rx_descriptors|tx_descriptors|kernel_interface|route|vlan|local_address|mtu|steering)" },
	{ PORT_A "[service.s]\nVIP = 10.0.0.100\n", 5, "key names are lowercase" },
	{ PORT_A "address = 10.0.0.2/24\n", 4,
	  "a second IPv4 address in [port.a]: one IPv4 and one IPv6 address per port (first at line 3)" },
	{ "[eal]\nlcores = 0-1\n\nlcores = 0-2\n", 4, "duplicate key 'lcores' in [eal] (first at line 2" },
	{ "; comment\nvip = 10.0.0.100\n", 2, "key 'vip' is outside any section" },
	{ PORT_A "[service.s]\nvip =\n", 5, "key 'vip' in [service.s] has no value" },
	{ "[port.a]\ngarbage\n", 2, "syntax error: 'garbage' is not a [section], 'key = value' or a comment" },
	{ "[port.a]\ndevice: net_null0\n", 2, "syntax error: expected 'key = value', found ':'" },
	{ "[port.a]\n= 5\n", 2, "missing key name before '='" },
	{ "[eal]\nargs = " A100 A100 "\n", 2, "line too long (207 characters, at most 198)" },
	/* integers */
	{ "[global]\nflow_capacity = lots\n", 2, "flow_capacity 'lots' is not a number (expected an integer 1024..67108864)" },
	{ "[global]\nidle_polls = 10x\n", 2, "idle_polls '10x' has junk after the number" },
	{ "[global]\nidle_sleep = -1\n", 2, "idle_sleep '-1' is negative (expected 0..100000 microseconds)" },
	{ "[global]\nidle_wake = 1\n", 2, "idle_wake '1' is not yes or no" },
	{ "[global]\nidle_wake = on\n", 2, "idle_wake 'on' is not yes or no" },
	{ "[global]\n\nmbufs = 99999999999999999999\n", 3, "mbufs 99999999999999999999 is out of range (expected 1023..4194303)" },
	{ "[global]\ntimeout_udp = 0\n", 2, "timeout_udp 0 is out of range (expected 1..86400 seconds)" },
	{ "[global]\nstats_interval = 86401\n", 2, "stats_interval 86401 is out of range (expected 0..86400 seconds)" },
	{ "[global]\nneigh_timeout = 4\n", 2, "neigh_timeout 4 is out of range (expected 5..86400 seconds)" },
	{ "[global]\nflow_capacity = 0x400\n", 2, "flow_capacity '0x400' has junk after the number" },
	/* ports */
	{ "[port.a]\ndevice = net_null0\naddress = 10.0.0.256/24\n", 3, "address '10.0.0.256' is not an IPv4 address" },
	{ "[port.a]\ndevice = net_null0\naddress = 10.0.0.1\n", 3, "address '10.0.0.1' has no prefix length" },
	{ "[port.a]\ndevice = net_null0\naddress = 10.0.0.1/33\n", 3, "prefix length 33 is out of range (expected 1..32)" },
	{ "[port.a]\ndevice = net_null0\naddress = 10.0.0.1/\n", 3, "prefix length '' is not a number" },
	{ "[port.a]\ndevice = net_null0\naddress = 10.0.0.0/24\n", 3, "is the network address of its subnet" },
	{ "[port.a]\ndevice = net_null0\naddress = 224.0.0.1/24\n", 3, "address 224.0.0.1 is a multicast address" },
	{ PORT_A "gateway = 10.0.1.1\n" SVC_A, 4, "gateway 10.0.1.1 is outside the subnet 10.0.0.0/24 of [port.a]" },
	{ PORT_A "gateway = 10.0.0.1\n" SVC_A, 4, "gateway 10.0.0.1 is the address of [port.a] itself" },
	{ PORT_A "gateway = 10.0.0.255\n" SVC_A, 4, "gateway 10.0.0.255 is the broadcast address of subnet 10.0.0.0/24" },
	{ "[port.a]\ngateway = 10.0.0.9\naddress = 10.0.0.1/24\n" SVC_A, 1, "[port.a] has no device" },
	{ "\n\n[port.a]\ndevice = net_null0\n" SVC_A, 3, "[port.a] has no address" },
	{ "[port.a]\ndevice = net_null0\naddress = 10.0.0.1/24\n", 3, "no [service.NAME] section" },
	{ "[port.a]\ndevice = eth0\n", 2, "device 'eth0' is neither a vdev (net_...) nor a PCI address (DDDD:BB:DD.F or BB:DD.F)" },
	{ "[port.a]\ndevice = 03:00.8\n", 2, "neither a vdev" },
	{ "[port.a]\ndevice = net_\n", 2, "has no driver name after 'net_'" },
	{ PORT_A "rx_descriptors = 1000\n", 4, "rx_descriptors 1000 is not a power of two" },
	{ PORT_A "tx_descriptors = 32768\n", 4, "tx_descriptors 32768 is out of range (expected 64..16384)" },
	{ PORT_A "[port.b]\ndevice = net_null1\naddress = 10.0.0.1/16\n" SVC_A, 6,
	  "address 10.0.0.1 of [port.b] is already the address of [port.a] (line 3)" },
	{ PORT_A "[port.b]\ndevice = net_null1\naddress = 10.0.5.1/16\n" SVC_A, 6,
	  "subnet 10.0.0.0/16 of [port.b] overlaps subnet 10.0.0.0/24 of [port.a] (line 3)" },
	{ PORT_A "[port.b]\ndevice = net_null0,size=64\naddress = 10.1.0.1/24\n" SVC_A, 5,
	  "device 'net_null0,size=64' of [port.b] is already used by [port.a] (line 2)" },
	{ "[port.a]\ndevice = 0000:03:00.0\naddress = 10.0.0.1/24\n"
	  "[port.b]\ndevice = 03:00.0\naddress = 10.1.0.1/24\n" SVC_A, 5,
	  "device '03:00.0' of [port.b] is already used by [port.a]" },
	{ "[eal]\nargs = --no-huge --no-pci\n[port.a]\ndevice = 0000:03:00.0\naddress = 10.0.0.1/24\n" SVC_A, 4,
	  "device '0000:03:00.0' of [port.a] is a PCI address but [eal] args contain --no-pci (line 2)" },
	{ SVC_A, 5, "no [port.NAME] section: at least one port is required" },
	{ "", 1, "no [port.NAME] section" },
	/* eal */
	{ "[eal]\nlcores = 0-1x\n", 2, "bad lcores '0-1x': unexpected 'x' at position 4" },
	{ "[eal]\nlcores = 0-2,1\n", 2, "duplicate lcore 1 in lcores '0-2,1'" },
	{ "[eal]\nlcores = 3\n", 2, "need at least 2 lcores: one management, one worker" },
	{ "[eal]\nlcores = 0-128\n", 2, "lcore id in lcores '0-128' is out of range (expected 0..127)" },
	{ "[eal]\nargs = --no-pci -l 0-3\n", 2, "args must not contain '-l': set lcores with the 'lcores' key" },
	{ "[eal]\nargs = --main-lcore=1\n", 2, "args must not contain '--main-lcore=1'" },
	/* services */
	{ PORT_A "[service.s]\nport = 80\nprotocol = tcp\nbackend = 10.0.0.11:80\n", 4, "[service.s] has no vip (add 'vip = A.B.C.D')" },
	{ PORT_A "[service.s]\nvip = 10.0.0.100\nprotocol = tcp\nbackend = 10.0.0.11:80\n", 4, "[service.s] has no port" },
	{ PORT_A "[service.s]\nvip = 10.0.0.100\nport = 80\nbackend = 10.0.0.11:80\n" PN(2), 4, "[service.s] has no protocol" },
	{ PORT_A SVC_HDR "[global]\n", 4, "[service.s] has no backend (add at least one 'backend = IP:PORT')" },
	{ PORT_A SVC_HDR "protocol = sctp\n", 8, "duplicate key 'protocol' in [service.s] (first at line 7" },
	{ PORT_A "[service.s]\nprotocol = sctp\n", 5, "unknown protocol 'sctp' (expected tcp|udp)" },
	{ PORT_A "[service.s]\nmode = dsr\n", 5, "unknown mode 'dsr' (expected nat|fullnat|dr|tunnel)" },
	{ PORT_A "[service.s]\nmode = bridge\n", 5, "unknown mode 'bridge' (expected nat|fullnat|dr|tunnel)" },
	{ PORT_A "[service.s]\nmode = FullNAT\n", 5, "unknown mode 'FullNAT' (expected nat|fullnat|dr|tunnel)" },
	/* dr and tunnel */
	{ PORT_A "[service.s]\nencap = vxlan\n", 5, "unknown encap 'vxlan' (expected ipip|gue|gre)" },
	{ PORT_A "[service.s]\ncheck_target = self\n", 5, "unknown check_target 'self' (expected vip|backend)" },
	{ PORT_A "[service.s]\ngue_port = 0\n", 5, "gue_port" },
	{ PORT_A "mtu = 100\n" SVC_A, 4, "mtu" },
	{ PORT_A SVC_A "encap = gre\n", 9, "encap applies to mode = tunnel only ([service.s] is nat)" },
	{ PORT_A SVC_A "mode = tunnel\nencap = ipip\ngue_port = 5555\n", 11,
	  "gue_port applies to mode = tunnel with encap = gue only ([service.s])" },
	{ PORT_A SVC_A "mode = fullnat\ncheck_target = vip\n", 10,
	  "check_target applies to mode = dr or tunnel only ([service.s] is fullnat" },
	{ PORT_A SVC_A "mode = dr\nproxy_protocol = v2\n", 10,
	  "proxy_protocol of [service.s] needs mode nat or fullnat (in mode dr" },
	{ PORT_A SVC_HDR "mode = dr\nbackend = 10.0.0.11:8080\n", 9,
	  "backend 10.0.0.11:8080 of [service.s]: mode dr keeps the destination port, so the backend serves port 80" },
	{ PORT_A "route = 10.5.0.0/16 via 10.0.0.254\n" SVC_HDR "mode = dr\nbackend = 10.5.0.11:80\n", 10,
	  "backend 10.5.0.11 of [service.s] is not on a directly connected network: mode dr" },
	{ PORT_A SVC_HDR "mode = tunnel\nbackend = 10.0.0.11:80\n", 9,
	  "service s is tunnel: [port.a], the port that reaches backend 10.0.0.11, has no local_address" },
	{ PORT_A "[service.s]\nscheduler = foo\n", 5, "unknown scheduler 'foo' (expected " },
	{ PORT_A "[service.s]\nport = 0\n", 5, "port 0 is out of range (expected 1..65535)" },
	{ PORT_A "[service.s]\nvip = 10.0.0.300\n", 5, "vip '10.0.0.300' is not an IPv4 address" },
	{ PORT_A "[service.s]\nvip = 0.0.0.0\n", 5, "vip 0.0.0.0 is the unspecified address" },
	{ PORT_A "[service.s]\nvip = 239.1.1.1\n", 5, "vip 239.1.1.1 is a multicast address" },
	{ PORT_A "[service.s]\nvip = 255.255.255.255\n", 5, "vip 255.255.255.255 is the broadcast address" },
	{ PORT_A "[service.s]\nvip = 10.0.0.1\nport = 80\nprotocol = tcp\nbackend = 10.0.0.11:80\n", 5,
	  "vip 10.0.0.1 is the own address of [port.a] (line 3)" },
	{ PORT_A "[service.s]\nvip = 10.0.0.255\nport = 80\nprotocol = tcp\nbackend = 10.0.0.11:80\n", 5,
	  "vip 10.0.0.255 is the broadcast address of subnet 10.0.0.0/24 of [port.a]" },
	{ PORT_A SVC_A "[service.t]\nvip = 10.0.0.100\nport = 80\nprotocol = tcp\nbackend = 10.0.0.12:80\n", 9,
	  "[service.t] has the same vip:port/protocol 10.0.0.100:80/tcp as [service.s] (line 4)" },
	/* backends */
	{ PORT_A SVC_HDR "backend = 10.0.0.11\n", 8, "backend '10.0.0.11' has no port (expected IP:PORT" },
	{ PORT_A SVC_HDR "backend = 10.0.0.x:80\n", 8, "backend address '10.0.0.x' is not an IPv4 address" },
	{ PORT_A SVC_HDR "backend = 10.0.0.11:0\n", 8, "backend port 0 is out of range (expected 1..65535)" },
	{ PORT_A SVC_HDR "backend = 10.0.0.11:70000\n", 8, "backend port 70000 is out of range (expected 1..65535)" },
	{ PORT_A SVC_HDR "backend = 10.0.0.11:\n", 8, "backend port '' is not a number" },
	{ PORT_A SVC_HDR "backend = 10.0.0.11:80 wieght=2\n", 8, "unknown backend option 'wieght=2' (expected weight=N, id=NAME, state=active|drain, check_port=N or max_conns=N)" },
	/* vlan: 0 is priority tagging and 4095 reserved (802.1Q) */
	{ PORT_A "vlan = 0\n" SVC_A, 4,
	  "vlan 0 is out of range (expected 1..4094); leave 'vlan' out for an untagged port" },
	{ PORT_A "vlan = 4095\n" SVC_A, 4, "vlan 4095 is out of range (expected 1..4094)" },
	{ PORT_A "\nvlan = 70000\n" SVC_A, 5, "vlan 70000 is out of range (expected 1..4094)" },
	{ PORT_A "vlan = ten\n" SVC_A, 4, "vlan 'ten' is not a number (expected an integer 1..4094)" },
	{ PORT_A "vlan = -5\n" SVC_A, 4, "vlan '-5' is negative" },
	{ PORT_A "vlan = 10 \nvlan = 20\n" SVC_A, 5, "duplicate key 'vlan' in [port.a] (first at line 4" },
	{ PORT_A "steering = both\n" SVC_A, 4,
	  "unknown steering 'both' (expected auto|source|destination|off)" },
	{ PORT_A "steering = Source\n" SVC_A, 4, "unknown steering 'Source'" },
	{ "[port.a]\ndevice = net_null0\naddress = 10.0.0.1/24\nkernel_interface = a/b\n" SVC_A, 4,
	  "kernel_interface 'a/b' is not an interface name" },
	{ "[port.a]\ndevice = net_null0\naddress = 10.0.0.1/24\nkernel_interface = sl0\n"
	  "[port.b]\ndevice = net_null1\naddress = 10.2.0.1/24\nkernel_interface = sl0\n" SVC_A, 8,
	  "kernel_interface 'sl0' is used by [port.a] too" },
	{ PORT_A SVC_HDR "check = ping\nbackend = 10.0.0.11:80\n", 8,
	  "unknown check 'ping' (expected tcp|http|udp|none)" },
	{ PORT_A SVC_HDR "check = tcp\nbackend = 10.0.0.11:80\n", 8,
	  "health checks of [service.s] need kernel_interface on [port.a], the port that reaches backend 10.0.0.11" },
	{ PORT_A SVC_HDR "check_expect = 2x0\nbackend = 10.0.0.11:80\n", 8,
	  "check_expect '2x0' is not a list of status codes" },
	{ PORT_A SVC_HDR "check_path = index.html\nbackend = 10.0.0.11:80\n", 8,
	  "check_path 'index.html' is not a path" },
	{ PORT_A SVC_HDR "check_interval = 500\ncheck_timeout = 1000\nbackend = 10.0.0.11:80\n", 9,
	  "check_timeout 1000 ms is longer than check_interval 500 ms" },
	{ "[port.a]\ndevice = net_null0\naddress = 10.0.0.1/24\nkernel_interface = k0\n"
	  "[service.s]\nvip = 10.0.0.100\nport = 53\nprotocol = udp\ncheck = udp\nbackend = 10.0.0.11:53\n", 9,
	  "check = udp needs check_send" },
	{ PORT_A SVC_HDR "backend = 10.0.0.11:80 check_port=0\n", 8,
	  "backend check_port 0 is out of range" },
	{ PORT_A SVC_HDR "backend = 10.0.0.11:80 state=down\n", 8,
	  "unknown backend state 'down' (expected active|drain)" },
	{ PORT_A SVC_HDR "drain_timeout = -1\nbackend = 10.0.0.11:80\n", 8, "drain_timeout" },
	{ PORT_A SVC_HDR "scheduler = maglev\nmaglev_table_size = 65536\nbackend = 10.0.0.11:80\n", 9,
	  "maglev_table_size 65536 is not a prime" },
	{ PORT_A SVC_HDR "scheduler = maglev\nmaglev_table_size = 5\nbackend = 10.0.0.11:80\n", 9,
	  "maglev_table_size 5 is out of range" },
	{ PORT_A SVC_HDR "maglev_table_size = 65537\nbackend = 10.0.0.11:80\n", 8,
	  "maglev_table_size applies to scheduler = maglev only ([service.s] uses rr)" },
	{ PORT_A SVC_HDR "hash = source\nbackend = 10.0.0.11:80\n", 8,
	  "hash applies to scheduler = sh or maglev only ([service.s] uses rr)" },
	{ PORT_A SVC_HDR "scheduler = sh\nhash = ip\nbackend = 10.0.0.11:80\n", 9,
	  "unknown hash 'ip' (expected 5tuple|source)" },
	{ PORT_A SVC_HDR "persistence = 100000\nbackend = 10.0.0.11:80\n", 8,
	  "persistence 100000 is out of range (expected 0..86400 seconds)" },
	{ PORT_A SVC_HDR "backend = 10.0.0.11:80 id=a id=b\n", 8, "backend id given twice" },
	{ PORT_A SVC_HDR "backend = 10.0.0.11:80 id=bad/id\n", 8,
	  "backend id 'bad/id' is not 1-31 characters" },
	{ PORT_A SVC_HDR "backend = 10.0.0.11:80 id=x\nbackend = 10.0.0.12:80 id=x\n", 9,
	  "duplicate backend id 'x' in [service.s] (first at line 8)" },
	{ PORT_A SVC_HDR "backend = 10.0.0.11:80 weight=abc\n", 8, "backend weight 'abc' is not a number (expected an integer 1..65535)" },
	{ PORT_A SVC_HDR "backend = 10.0.0.11:80 weight=0\n", 8, "backend weight 0 is out of range (expected 1..65535)" },
	{ PORT_A SVC_HDR "backend = 10.0.0.11:80 weight=1 weight=2\n", 8, "backend weight given twice" },
	{ PORT_A SVC_A "backend = 10.0.0.12:80\nbackend = 10.0.0.11:80\n", 10,
	  "duplicate backend 10.0.0.11:80 in [service.s] (first at line 8)" },
	{ PORT_A SVC_A "backend = 192.168.1.10:80\n", 9,
	  "backend 192.168.1.10 is not reachable: it is inside no port's subnet and no route covers it" },
	{ PORT_A SVC_A "backend = 10.0.0.1:80\n", 9, "backend 10.0.0.1 is the own address of [port.a]" },
	{ PORT_A SVC_A "backend = 127.0.0.1:80\n", 9, "backend address 127.0.0.1 is a loopback address" },
	/* the validator: rules across sections */
	{ PORT_A SVC_A "backend = 10.0.0.100:8080\n", 9,
	  "backend 10.0.0.100 is the vip of [service.s] (line 5); a backend must be a real server" },
	{ PORT_A SVC_A "[service.t]\nvip = 10.0.0.200\nport = 80\nprotocol = tcp\nbackend = 10.0.0.100:80\n", 13,
	  "backend 10.0.0.100 is the vip of [service.s] (line 5)" },
	{ PORT_A SVC_A "backend = 10.0.0.12:80 id=10.0.0.11:80\n", 9,
	  "backend id '10.0.0.11:80' in [service.s] is the address of another backend (line 8)" },
	{ PORT_A SVC_HDR "backend = 10.0.0.11:80 id=10.0.0.12:80\nbackend = 10.0.0.12:80\n", 9,
	  "backend id '10.0.0.12:80' in [service.s] is the address of another backend (line 8)" },
	{ PORT_A SVC_A "backend = 10.0.0.0:80\n", 9,
	  "backend 10.0.0.0 is the network address of subnet 10.0.0.0/24 of [port.a]" },
	{ "[eal]\nlcores = 0-65\n" PORT_A SVC_A, 2,
	  "lcores '0-65' names 66 lcores: at most 64 workers besides the management lcore (65 lcores in all)" },
	/* fullnat local_address: syntax, at the line */
	{ PORT_A "local_address = 10.0.0.x\n" SVC_A, 4,
	  "local_address '10.0.0.x' is not an IPv4 address (expected dotted quad" },
	{ PORT_A "local_address = 127.0.0.1\n" SVC_A, 4,
	  "local_address 127.0.0.1 is a loopback address (expected a unicast address)" },
	{ PORT_A "local_address = 10.0.0.50,,10.0.0.51\n" SVC_A, 4,
	  "local_address '10.0.0.50,,10.0.0.51' has an empty item after ','" },
	{ PORT_A "local_address = , 10.0.0.50\n" SVC_A, 4,
	  "local_address ', 10.0.0.50' has an empty item before ','" },
	{ PORT_A "local_address = 10.0.0.50,\n" SVC_A, 4, "has an empty item after ','" },
	{ PORT_A "local_address = 10.0.0.250-10.0.1.5\n" SVC_A, 4,
	  "local_address range '10.0.0.250-10.0.1.5' spans more than one /24" },
	{ PORT_A "local_address = 10.0.0.60-10.0.0.50\n" SVC_A, 4,
	  "local_address range '10.0.0.60-10.0.0.50' runs backwards" },
	{ PORT_A "local_address = 10.0.0.50-x\n" SVC_A, 4,
	  "local_address 'x' is not an IPv4 address (expected dotted quad, e.g. 10.0.0.1) (in range '10.0.0.50-x')" },
	{ PORT_A "local_address =  10.0.0.50  10.0.0.51 -10.0.0.52\n" SVC_A, 4,
	  "local_address '-10.0.0.52' is neither an address nor a range A.B.C.D-A.B.C.E (no spaces around '-'" },
	{ PORT_A "local_address = 10.0.0.51 - 10.0.0.52\n" SVC_A, 4,
	  "local_address '-' is neither an address nor a range" },
	{ PORT_A "local_address = 10.0.0.20-10.0.0.36\n" SVC_A, 4,
	  "too many local addresses in [port.a] (at most 16 per port, ranges counted address by address)" },
	{ PORT_A "local_address = 10.0.0.20-10.0.0.35\n\nlocal_address = 10.0.0.40\n" SVC_A, 6,
	  "too many local addresses in [port.a] (at most 16 per port" },
	/* fullnat local_address: the validator, at the line of the address */
	{ PORT_A "local_address = 10.0.0.50\nlocal_address = 10.0.0.51 10.0.0.50\n" SVC_A, 5,
	  "local_address 10.0.0.50 is given twice in [port.a] (first at line 4)" },
	{ PORT_A "local_address = 10.0.0.48-10.0.0.52, 10.0.0.49\n" SVC_A, 4,
	  "local_address 10.0.0.49 is given twice in [port.a] (first at line 4)" },
	{ PORT_A "local_address = 10.0.0.50\n[port.b]\ndevice = net_null1\naddress = 10.2.0.1/24\n"
	  "local_address = 10.2.0.50\nlocal_address = 10.0.0.50\n" SVC_A, 9,
	  "local_address 10.0.0.50 of [port.b] is already a local_address of [port.a] (line 4); each local address belongs to one port" },
	{ PORT_A "local_address = 10.9.0.50\n" SVC_A, 4,
	  "local_address 10.9.0.50 is outside the subnet 10.0.0.0/24 of [port.a] (Sluice answers ARP for it on that port" },
	{ PORT_A "local_address = 10.0.0.50 10.0.0.1\n" SVC_A, 4,
	  "local_address 10.0.0.1 is the own address of [port.a] (line 3)" },
	{ PORT_A "local_address = 10.0.0.0\n" SVC_A, 4,
	  "local_address 10.0.0.0 is the network address of subnet 10.0.0.0/24 of [port.a] (expected a host address)" },
	{ PORT_A "local_address = 10.0.0.250-10.0.0.255\n" SVC_A, 4,
	  "local_address 10.0.0.255 is the broadcast address of subnet 10.0.0.0/24 of [port.a]" },
	{ PORT_A "local_address = 10.0.0.100\n" SVC_A, 4,
	  "local_address 10.0.0.100 of [port.a] is the vip of [service.s] (line 6); a local address must be free" },
	{ PORT_A "local_address = 10.0.0.11\n" SVC_A, 4,
	  "local_address 10.0.0.11 of [port.a] is backend 10.0.0.11:80 of [service.s] (line 9)" },
	{ PORT_A "gateway = 10.0.0.254\nlocal_address = 10.0.0.254\n" SVC_A, 5,
	  "local_address 10.0.0.254 of [port.a] is the gateway of route 0.0.0.0/0 in [port.a] (line 4)" },
	{ PORT_A "route = 48.0.0.0/8 via 10.0.0.253\nlocal_address = 10.0.0.250-10.0.0.253\n" SVC_A, 5,
	  "local_address 10.0.0.253 of [port.a] is the gateway of route 48.0.0.0/8 in [port.a] (line 4)" },
	/* a fullnat service needs a local address where each backend is */
	{ PORT_A SVC_HDR "mode = fullnat\nbackend = 10.0.0.11:80\n", 9,
	  "service s is fullnat: [port.a], the port that reaches backend 10.0.0.11, has no local_address (add 'local_address = ADDR'" },
	{ "[port.outside]\ndevice = net_null1\naddress = 10.0.0.1/24\nlocal_address = 10.0.0.50\n"
	  "[port.inside]\ndevice = net_null0\naddress = 10.1.0.1/24\n"
	  "[service.web]\nvip = 10.0.0.100\nport = 80\nprotocol = tcp\nmode = fullnat\nbackend = 10.1.0.11:80\n", 13,
	  "service web is fullnat: [port.inside], the port that reaches backend 10.1.0.11, has no local_address" },
	{ "[port.outside]\ndevice = net_null1\naddress = 10.0.0.1/24\ngateway = 10.0.0.254\n"
	  "[port.inside]\ndevice = net_null0\naddress = 10.1.0.1/24\nlocal_address = 10.1.0.50\n"
	  "[service.web]\nvip = 10.0.0.100\nport = 80\nprotocol = udp\nmode = fullnat\n"
	  "backend = 10.1.0.11:80\nbackend = 192.168.7.7:80\n", 15,
	  "service web is fullnat: [port.outside], the port that reaches backend 192.168.7.7, has no local_address" },
	/* [global] local_ports */
	{ "[global]\nlocal_ports = 1024\n", 2,
	  "local_ports '1024' is not a range (expected LO-HI with 1 <= LO <= HI <= 65535, e.g. 1024-65535)" },
	{ "[global]\nlocal_ports = -5\n", 2, "local_ports '-5' is not a range" },
	{ "[global]\nlocal_ports = 0-100\n", 2,
	  "local_ports first port 0 is out of range (expected 1..65535); expected LO-HI" },
	{ "[global]\nlocal_ports = 1024-65536\n", 2,
	  "local_ports last port 65536 is out of range (expected 1..65535)" },
	{ "[global]\nlocal_ports = 1024 - 2048\n", 2,
	  "local_ports first port '1024 ' has junk after the number" },
	{ "[global]\nlocal_ports = a-b\n", 2, "local_ports first port 'a' is not a number" },
	{ "[global]\nlocal_ports = 3000-2000\n", 2,
	  "local_ports 3000-2000 runs backwards (expected LO-HI with 1 <= LO <= HI <= 65535" },
	{ "[global]\nlocal_ports = 1024-2048\nlocal_ports = 1024-4096\n", 3,
	  "duplicate key 'local_ports' in [global] (first at line 2" },
	{ "[eal]\nlcores = 0-4\n[global]\nlocal_ports = 5000-5002\n" PORT_A SVC_A, 4,
	  "local_ports 5000-5002 holds no port of worker 3 of 4: each worker takes the ports of its own slots (a port's low bits, 4 slots for 4 workers), so give at least 4 ports in a row" },
	{ "[global]\nlocal_ports = 5000-5000\n" PORT_A SVC_A "[eal]\nlcores = 0-2\n", 2,
	  "local_ports 5000-5000 holds no port of worker 1 of 2" },
	/* 3 workers, 16 slots: 5007-5009 are slots 15, 0 and 1, workers 0, 0, 1 */
	{ "[eal]\nlcores = 0-3\n[global]\nlocal_ports = 5007-5009\n" PORT_A SVC_A, 4,
	  "local_ports 5007-5009 holds no port of worker 2 of 3: each worker takes the ports of its own slots (a port's low bits, 16 slots for 3 workers), so give at least 16 ports in a row" },
	/* the first error is the first in the file, whichever check finds it */
	{ PORT_A SVC_A "backend = 10.0.0.11:80\nbackend = 10.0.0.12:80\nbackend = 10.0.0.12:80\n", 9,
	  "duplicate backend 10.0.0.11:80 in [service.s] (first at line 8)" },
};

/* The building blocks themselves are valid, so each case fails for its
 * own reason only. */
static void
test_blocks_valid(void)
{
	static const char *const ok[] = {
		PORT_A SVC_A,
		SVC_A PORT_A,
		PORT_A "gateway = 10.0.0.254\n" SVC_HDR "backend = 192.168.1.10:80\n",
		PN(1) PN(2) PN(3) PN(4) PN(5) PN(6) PN(7) PN(8)
		"[service.s]\nvip = 10.9.9.9\nport = 80\nprotocol = tcp\nbackend = 10.8.0.11:80\n",
		PORT_A SVC_A "[service.t]\nvip = 10.0.0.100\nport = 80\nprotocol = udp\nbackend = 10.0.0.12:80\n",
		PORT_A SVC_A "[service.t]\nvip = 10.0.0.100\nport = 81\nprotocol = tcp\nbackend = 10.0.0.11:80\n",
		PORT_A "[port.b]\ndevice = net_null1\naddress = 10.0.1.1/24\n" SVC_A,
		PORT_A SVC_A "[eal]\nargs = --log-level lib.*:debug --no-shconf\n",
		PORT_A SVC_A "[eal]\nargs =\n",
	};
	unsigned i;

	for (i = 0; i < DIM(ok); i++) {
		char err[512] = "";
		struct sl_config *cfg;

		cfg = sl_config_parse_string(ok[i], "ok.ini", err, sizeof(err));
		if (cfg == NULL)
			printf("\n  valid case %u refused: %s\n", i, err);
		CU_ASSERT_PTR_NOT_NULL(cfg);
		sl_config_free(cfg);
	}
}

static void
test_invalid(void)
{
	unsigned i, failed = 0;

	for (i = 0; i < DIM(bad_cases); i++) {
		const struct bad_case *bc = &bad_cases[i];
		char err[1024] = "", prefix[32];
		struct sl_config *cfg;
		bool ok;

		cfg = sl_config_parse_string(bc->text, "t.ini", err, sizeof(err));
		snprintf(prefix, sizeof(prefix), "t.ini:%d: ", bc->line);
		ok = cfg == NULL &&
		     strncmp(err, prefix, strlen(prefix)) == 0 &&
		     strstr(err, bc->phrase) != NULL;
		if (!ok) {
			printf("\n  case %u: want '%s...%s'\n          got  '%s'",
			       i, prefix, bc->phrase, cfg ? "(accepted)" : err);
			failed++;
		}
		CU_ASSERT(ok);
		sl_config_free(cfg);
	}
	if (failed)
		printf("\n  %u of %zu invalid cases wrong\n", failed, DIM(bad_cases));
}

/* The scheduler list in the message is the registry's, not hard-coded. */
static void
test_sched_message(void)
{
	char err[512] = "", want[128];
	struct sl_config *cfg;

	cfg = sl_config_parse_string(PORT_A SVC_A "scheduler = Rr\n", "s.ini",
				     err, sizeof(err));
	CU_ASSERT_PTR_NULL(cfg);
	snprintf(want, sizeof(want),
		 "s.ini:9: unknown scheduler 'Rr' (expected %s)", sl_sched_names());
	CU_ASSERT_STRING_EQUAL(err, want);
	CU_ASSERT_PTR_NOT_NULL(strstr(sl_sched_names(), "wrr"));
	sl_config_free(cfg);
}

struct lcores_case {
	const char *value;
	int n;          /* expected n_lcores, -1 = refused */
};

static void
test_lcores(void)
{
	static const struct lcores_case cases[] = {
		{ "0-1", 2 },
		{ "0,1,2@1", 3 },
		/* EAL group syntax: accepted, the group counts its members */
		{ "(0-2)@(0-1)", 3 },
		{ "0,(1,3)@(4-5),7@2", 4 },
		{ "1@(2-3),2", 2 },
		/* ids up to 127, but at most 64 workers: 65 lcores in all */
		{ "0-64", 65 },
		{ "63-127", 65 },
		{ "0-65", -1 },
		{ "0-127", -1 },
		{ "5,3", 2 },
		{ "0", -1 },
		{ "0-0", -1 },
		{ "(0)", -1 },
		{ "0-128", -1 },
		{ "2-1", -1 },
		{ "0,,1", -1 },
		{ "0,1,", -1 },
		{ "0-1,1", -1 },
		{ "(0-1),(1-2)", -1 },
		{ "0-1@", -1 },
		{ "0-1@1024", -1 },
		{ "(0,1", -1 },
		{ "0 ,1", -1 },
		{ "a-b", -1 },
		{ "-1,2", -1 },
	};
	unsigned i;

	for (i = 0; i < DIM(cases); i++) {
		char text[256], err[512] = "";
		struct sl_config *cfg;

		snprintf(text, sizeof(text), "[eal]\nlcores = %s\n" PORT_A SVC_A,
			 cases[i].value);
		cfg = sl_config_parse_string(text, "l.ini", err, sizeof(err));
		if (cases[i].n < 0) {
			if (cfg != NULL)
				printf("\n  lcores '%s' accepted\n", cases[i].value);
			CU_ASSERT_PTR_NULL(cfg);
			CU_ASSERT_EQUAL(strncmp(err, "l.ini:2: ", 9), 0);
			CU_ASSERT_PTR_NOT_NULL(strstr(err, "lcore"));
		} else {
			if (cfg == NULL)
				printf("\n  lcores '%s': %s\n", cases[i].value, err);
			CU_ASSERT_PTR_NOT_NULL(cfg);
			if (cfg != NULL) {
				CU_ASSERT_EQUAL(cfg->n_lcores, cases[i].n);
				CU_ASSERT_STRING_EQUAL(cfg->lcores, cases[i].value);
			}
		}
		sl_config_free(cfg);
	}
}

/* Comments, blank lines, indentation, CRLF and a BOM are all harmless,
 * and ';' only starts a comment after whitespace. */
static void
test_comments(void)
{
	static const char text[] =
		"\xEF\xBB\xBF; leading comment after a byte order mark\r\n"
		"# hash comment\r\n"
		"\r\n"
		"   \r\n"
		"[eal] ; trailing comment on a header\r\n"
		"\targs = --no-huge --vdev=net_null0;x ; only this part is a comment\r\n"
		"[ port.a ]\r\n"
		"  device = net_null0\r\n"
		"  address = 10.0.0.1/24   ;  comment\r\n"
		"\n"
		"  ; indented comment\n"
		"[service.s]\n"
		"vip = 10.0.0.100\n"
		"  port = 8080\n"
		"\t protocol = tcp\n"
		"backend = 10.0.0.11:80     weight=7   ; tabs and spaces\n"
		"backend=10.0.0.12:80\n"
		"; last line without newline";
	char err[512] = "";
	struct sl_config *cfg;

	cfg = sl_config_parse_string(text, "c.ini", err, sizeof(err));
	if (cfg == NULL)
		printf("\n  %s\n", err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
	CU_ASSERT_STRING_EQUAL(cfg->eal_args, "--no-huge --vdev=net_null0;x");
	CU_ASSERT_STRING_EQUAL(cfg->ports[0].name, "a");
	CU_ASSERT_EQUAL(cfg->ports[0].line, 7);
	CU_ASSERT_EQUAL(cfg->ports[0].addr, IP(10, 0, 0, 1));
	CU_ASSERT_EQUAL(cfg->services[0].line, 12);
	/* an indented key is a key, not a continuation of 'vip' */
	CU_ASSERT_EQUAL(cfg->services[0].vip, IP(10, 0, 0, 100));
	CU_ASSERT_EQUAL(cfg->services[0].port, 8080);
	CU_ASSERT_EQUAL(cfg->services[0].n_backends, 2);
	CU_ASSERT_EQUAL(cfg->services[0].backends[0].weight, 7);
	CU_ASSERT_EQUAL(cfg->services[0].backends[0].line, 16);
	CU_ASSERT_EQUAL(cfg->services[0].backends[1].weight, 1);
	sl_config_free(cfg);

	/* errors after CRLF lines still carry the right line */
	cfg = sl_config_parse_string("[port.a]\r\n\r\ndevice = net_null0\r\nfoo = 1\r\n",
				     "c.ini", err, sizeof(err));
	CU_ASSERT_PTR_NULL(cfg);
	CU_ASSERT_EQUAL(strncmp(err, "c.ini:4: unknown key 'foo'", 26), 0);
}

/* Lines up to 198 characters pass, 199 do not. */
static void
test_line_length(void)
{
	char text[1024], err[512] = "";
	struct sl_config *cfg;
	int pad;

	/* "args = " is 7 characters */
	pad = 198 - 7;
	snprintf(text, sizeof(text), PORT_A SVC_A "[eal]\nargs = %.*s\n", pad,
		 A100 A100);
	cfg = sl_config_parse_string(text, "w.ini", err, sizeof(err));
	if (cfg == NULL)
		printf("\n  %s\n", err);
	CU_ASSERT_PTR_NOT_NULL(cfg);
	if (cfg != NULL)
		CU_ASSERT_EQUAL(strlen(cfg->eal_args), (size_t)pad);
	sl_config_free(cfg);

	snprintf(text, sizeof(text), PORT_A SVC_A "[eal]\nargs = %.*s\n", pad + 1,
		 A100 A100);
	cfg = sl_config_parse_string(text, "w.ini", err, sizeof(err));
	CU_ASSERT_PTR_NULL(cfg);
	CU_ASSERT_STRING_EQUAL(err, "w.ini:10: line too long (199 characters, at most 198)");
	sl_config_free(cfg);
}

/* 256 backends fit in a service, the 257th does not; 256 services fit. */
static void
test_limits(void)
{
	size_t cap = 1 << 20, len;
	char *text = malloc(cap);
	char err[512] = "";
	struct sl_config *cfg;
	int i;

	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	len = (size_t)snprintf(text, cap, "[port.a]\ndevice = net_null0\naddress = 10.0.0.1/16\n" SVC_HDR);
	for (i = 0; i < 256; i++)
		len += (size_t)snprintf(text + len, cap - len,
					"backend = 10.0.%d.%d:80\n", 1 + i / 200, 1 + i % 200);
	cfg = sl_config_parse_string(text, "b.ini", err, sizeof(err));
	if (cfg == NULL)
		printf("\n  %s\n", err);
	CU_ASSERT_PTR_NOT_NULL(cfg);
	if (cfg != NULL) {
		CU_ASSERT_EQUAL(cfg->services[0].n_backends, 256);
		CU_ASSERT_EQUAL(cfg->services[0].backends[255].addr, IP(10, 0, 2, 56));
	}
	sl_config_free(cfg);

	/* lines 1-7 header, 8..263 backends, 264 the extra one */
	snprintf(text + len, cap - len, "backend = 10.0.9.9:80\n");
	cfg = sl_config_parse_string(text, "b.ini", err, sizeof(err));
	CU_ASSERT_PTR_NULL(cfg);
	CU_ASSERT_STRING_EQUAL(err, "b.ini:264: too many backends in [service.s] (at most 256)");
	sl_config_free(cfg);

	len = (size_t)snprintf(text, cap, "[port.a]\ndevice = net_null0\naddress = 10.0.0.1/16\n");
	for (i = 0; i < 257; i++)
		len += (size_t)snprintf(text + len, cap - len,
					"[service.s%d]\nvip = 10.0.0.100\nport = %d\nprotocol = tcp\nbackend = 10.0.1.1:80\n",
					i, 1000 + i);
	cfg = sl_config_parse_string(text, "v.ini", err, sizeof(err));
	CU_ASSERT_PTR_NULL(cfg);
	/* service i starts at line 4 + 5 * i */
	CU_ASSERT_STRING_EQUAL(err, "v.ini:1284: too many services: at most 256 [service.*] sections");
	sl_config_free(cfg);
	/* drop the last service: 256 are fine */
	*strstr(text, "[service.s256]") = '\0';
	cfg = sl_config_parse_string(text, "v.ini", err, sizeof(err));
	if (cfg == NULL)
		printf("\n  %s\n", err);
	CU_ASSERT_PTR_NOT_NULL(cfg);
	if (cfg != NULL)
		CU_ASSERT_EQUAL(cfg->n_services, 256);
	sl_config_free(cfg);
	free(text);
}

static void
test_files(void)
{
	char path[] = "/tmp/sl_test_config_XXXXXX";
	char err[512] = "", want[600];
	struct sl_config *cfg;
	FILE *f;
	int fd;

	cfg = sl_config_load("/nonexistent/sluice.ini", err, sizeof(err));
	CU_ASSERT_PTR_NULL(cfg);
	CU_ASSERT_EQUAL(errno, ENOENT);
	CU_ASSERT_STRING_EQUAL(err, "/nonexistent/sluice.ini: cannot open: No such file or directory");

	cfg = sl_config_load("/", err, sizeof(err));
	CU_ASSERT_PTR_NULL(cfg);
	CU_ASSERT_STRING_EQUAL(err, "/: cannot read: Is a directory");

	fd = mkstemp(path);
	CU_ASSERT_FATAL(fd >= 0);
	f = fdopen(fd, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs(PORT_A SVC_A "[global]\nmbufs = 5\n", f);
	fclose(f);
	cfg = sl_config_load(path, err, sizeof(err));
	CU_ASSERT_PTR_NULL(cfg);
	snprintf(want, sizeof(want), "%s:10: mbufs 5 is out of range (expected 1023..4194303)", path);
	CU_ASSERT_STRING_EQUAL(err, want);

	f = fopen(path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs(PORT_A, f);
	fwrite("[x\0]\n", 1, 5, f);
	fclose(f);
	cfg = sl_config_load(path, err, sizeof(err));
	CU_ASSERT_PTR_NULL(cfg);
	snprintf(want, sizeof(want), "%s:4: NUL byte in the file (expected a text file)", path);
	CU_ASSERT_STRING_EQUAL(err, want);

	f = fopen(path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs(PORT_A SVC_A, f);
	fclose(f);
	cfg = sl_config_load(path, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL(cfg);
	if (cfg != NULL)
		CU_ASSERT_STRING_EQUAL(cfg->path, path);
	sl_config_free(cfg);
	unlink(path);
}

/* A short or absent error buffer is never overrun. */
static void
test_err_buffer(void)
{
	char err[16];
	struct sl_config *cfg;

	memset(err, 'x', sizeof(err));
	cfg = sl_config_parse_string("[foo]\n", "t.ini", err, 8);
	CU_ASSERT_PTR_NULL(cfg);
	CU_ASSERT_STRING_EQUAL(err, "t.ini:1");
	CU_ASSERT_EQUAL(err[8], 'x');
	CU_ASSERT_PTR_NULL(sl_config_parse_string("[foo]\n", "t.ini", NULL, 0));
	CU_ASSERT_PTR_NULL(sl_config_load("/nonexistent", NULL, 0));
	CU_ASSERT_PTR_NULL(sl_config_parse_string(NULL, NULL, err, sizeof(err)));
}

/* Parsing is reentrant: threads parsing at once get their own results. */
struct thread_arg {
	int id;
	int bad;
};

static void *
parse_thread(void *p)
{
	struct thread_arg *a = p;
	int i;

	for (i = 0; i < 200; i++) {
		char err[512] = "", want[64];
		struct sl_config *cfg;

		if ((i + a->id) % 2 == 0) {
			cfg = sl_config_parse_string(full_example, "ex.ini", err, sizeof(err));
			if (cfg == NULL || cfg->services[0].backends[1].weight != 3)
				a->bad++;
		} else {
			char text[256];

			snprintf(text, sizeof(text), PORT_A SVC_A "%.*s[bogus%d]\n",
				 a->id, "\n\n\n\n\n\n\n\n", a->id);
			cfg = sl_config_parse_string(text, "t.ini", err, sizeof(err));
			snprintf(want, sizeof(want), "t.ini:%d: unknown section [bogus%d]",
				 9 + a->id, a->id);
			if (cfg != NULL || strncmp(err, want, strlen(want)) != 0)
				a->bad++;
		}
		sl_config_free(cfg);
	}
	return NULL;
}

/*
 * Static routes. Two ports as at a real site: the default route on the
 * outside, a network behind a router on the inside.
 */
#define RT_OUT "[port.out]\ndevice = net_null0\naddress = 1.1.1.2/24\n"
#define RT_IN "[port.in]\ndevice = net_null1\naddress = 2.2.2.2/24\n"
#define RT_SVC "[service.s]\nvip = 1.1.1.100\nport = 80\nprotocol = tcp\nbackend = 48.0.0.11:80\n"

static void
test_routes(void)
{
	static const char text[] =
		RT_OUT
		"gateway = 1.1.1.1\n"                   /* 4 */
		RT_IN
		"route = 48.0.0.0/8 via 2.2.2.1\n"      /* 8 */
		"route = 48.1.2.0/24 via 2.2.2.9   ; more specific\n"
		"route = 10.9.9.9/32 via 2.2.2.1\n"
		RT_SVC
		"backend = 48.1.2.3:80\n"
		"backend = 9.9.9.9:80\n";
	char err[512] = "";
	struct sl_config *cfg;
	const struct sl_config_port *o, *in;

	cfg = sl_config_parse_string(text, "rt.ini", err, sizeof(err));
	if (cfg == NULL)
		printf("\n  unexpected error: %s\n", err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
	o = &cfg->ports[0];
	in = &cfg->ports[1];
	/* gateway is the route 0.0.0.0/0 */
	CU_ASSERT_EQUAL(o->gateway, IP(1, 1, 1, 1));
	CU_ASSERT_EQUAL_FATAL(o->n_routes, 1);
	CU_ASSERT_EQUAL(o->routes[0].prefix, 0);
	CU_ASSERT_EQUAL(o->routes[0].len, 0);
	CU_ASSERT_EQUAL(o->routes[0].via, IP(1, 1, 1, 1));
	CU_ASSERT_EQUAL(o->routes[0].line, 4);
	CU_ASSERT_EQUAL(in->gateway, 0);
	CU_ASSERT_EQUAL_FATAL(in->n_routes, 3);
	CU_ASSERT_EQUAL(in->routes[0].prefix, IP(48, 0, 0, 0));
	CU_ASSERT_EQUAL(in->routes[0].len, 8);
	CU_ASSERT_EQUAL(in->routes[0].via, IP(2, 2, 2, 1));
	CU_ASSERT_EQUAL(in->routes[0].line, 8);
	CU_ASSERT_EQUAL(in->routes[1].prefix, IP(48, 1, 2, 0));
	CU_ASSERT_EQUAL(in->routes[1].len, 24);
	CU_ASSERT_EQUAL(in->routes[1].via, IP(2, 2, 2, 9));
	CU_ASSERT_EQUAL(in->routes[2].len, 32);
	sl_config_free(cfg);

	/* route = 0.0.0.0/0 via GW is the gateway */
	cfg = sl_config_parse_string(RT_OUT "route = 0.0.0.0/0 via 1.1.1.1\n" RT_SVC,
				     "rt.ini", err, sizeof(err));
	if (cfg == NULL)
		printf("\n  unexpected error: %s\n", err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
	CU_ASSERT_EQUAL(cfg->ports[0].gateway, IP(1, 1, 1, 1));
	CU_ASSERT_EQUAL(cfg->ports[0].n_routes, 1);
	sl_config_free(cfg);
}

/*
 * Health checks leave through the port that routes to the backend, by
 * the longest prefix: the router's network on the inside, not the
 * outside port that holds the default route.
 */
static void
test_routes_check_port(void)
{
	char err[512] = "";
	struct sl_config *cfg;

	cfg = sl_config_parse_string(RT_OUT "gateway = 1.1.1.1\n"
				     RT_IN "route = 48.0.0.0/8 via 2.2.2.1\nkernel_interface = k-in\n"
				     RT_SVC "check = tcp\n", "rt.ini", err, sizeof(err));
	if (cfg == NULL)
		printf("\n  unexpected error: %s\n", err);
	CU_ASSERT_PTR_NOT_NULL(cfg);
	sl_config_free(cfg);
	/* the kernel interface on the outside port does not reach 48/8 */
	cfg = sl_config_parse_string(RT_OUT "gateway = 1.1.1.1\nkernel_interface = k-out\n"
				     RT_IN "route = 48.0.0.0/8 via 2.2.2.1\n"
				     RT_SVC "check = tcp\n", "rt.ini", err, sizeof(err));
	CU_ASSERT_PTR_NULL(cfg);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "need kernel_interface on [port.in], the port that reaches backend 48.0.0.11"));
	sl_config_free(cfg);
}

static const struct bad_case route_bad_cases[] = {
	{ RT_OUT "route = 48.0.0.0/8\n" RT_SVC, 4,
	  "route '48.0.0.0/8' is not PREFIX via GATEWAY (expected 'route = PREFIX via GATEWAY'" },
	{ RT_OUT "route = 48.0.0.0/8 by 1.1.1.1\n" RT_SVC, 4, "is not PREFIX via GATEWAY" },
	{ RT_OUT "route = 48.0.0.0/8 via 1.1.1.1 x\n" RT_SVC, 4, "is not PREFIX via GATEWAY" },
	{ RT_OUT "route = 48.0.0.0 via 1.1.1.1\n" RT_SVC, 4,
	  "route prefix '48.0.0.0' has no prefix length (expected A.B.C.D/P with P 0..32" },
	{ RT_OUT "route = 48.0.0/8 via 1.1.1.1\n" RT_SVC, 4, "route prefix '48.0.0/8' is not an IPv4 prefix" },
	{ RT_OUT "route = 48.0.0.0/33 via 1.1.1.1\n" RT_SVC, 4,
	  "route prefix length 33 is out of range (expected 0..32)" },
	{ RT_OUT "route = 48.1.0.0/8 via 1.1.1.1\n" RT_SVC, 4,
	  "route prefix 48.1.0.0/8 has host bits set beyond /8 (did you mean 48.0.0.0/8?)" },
	{ RT_OUT "route = 0.0.0.1/0 via 1.1.1.1\n" RT_SVC, 4, "has host bits set beyond /0 (did you mean 0.0.0.0/0?)" },
	{ RT_OUT "route = 48.0.0.0/8 via 1.1.1.x\n" RT_SVC, 4, "route gateway '1.1.1.x' is not an IPv4 address" },
	{ RT_OUT "route = 48.0.0.0/8 via 127.0.0.1\n" RT_SVC, 4, "route gateway 127.0.0.1 is a loopback address" },
	/* gateways on-link */
	{ RT_OUT "route = 48.0.0.0/8 via 2.2.2.1\n" RT_IN RT_SVC, 4,
	  "gateway 2.2.2.1 of route 48.0.0.0/8 is not on the subnet 1.1.1.0/24 of [port.out] (a gateway must be a host on the port's own subnet)" },
	{ RT_OUT "route = 48.0.0.0/8 via 1.1.1.2\n" RT_SVC, 4,
	  "gateway 1.1.1.2 of route 48.0.0.0/8 is the address of [port.out] itself" },
	{ RT_OUT "route = 48.0.0.0/8 via 1.1.1.255\n" RT_SVC, 4,
	  "gateway 1.1.1.255 of route 48.0.0.0/8 is the broadcast address of subnet 1.1.1.0/24" },
	{ RT_OUT "route = 0.0.0.0/0 via 1.1.1.0\n" RT_SVC, 4,
	  "gateway 1.1.1.0 is the network address of subnet 1.1.1.0/24" },
	/* duplicates, defaults, connected subnets */
	{ RT_OUT "route = 48.0.0.0/8 via 1.1.1.1\nroute = 48.0.0.0/8 via 1.1.1.3\n" RT_SVC, 5,
	  "duplicate route 48.0.0.0/8 in [port.out] (first at line 4 in [port.out])" },
	{ RT_OUT "route = 48.0.0.0/8 via 1.1.1.1\n" RT_IN "route = 48.0.0.0/8 via 2.2.2.1\n" RT_SVC, 8,
	  "duplicate route 48.0.0.0/8 in [port.in] (first at line 4 in [port.out])" },
	{ RT_OUT "gateway = 1.1.1.1\n" RT_IN "gateway = 2.2.2.1\n" RT_SVC, 8,
	  "a second default route in [port.in] ([port.out] has one at line 4); at most one default route" },
	{ RT_OUT "gateway = 1.1.1.1\nroute = 0.0.0.0/0 via 1.1.1.3\n" RT_SVC, 5,
	  "a second default route in [port.out] ([port.out] has one at line 4)" },
	{ RT_OUT "gateway = 1.1.1.1\n" RT_IN "route = 0.0.0.0/0 via 2.2.2.1\n" RT_SVC, 8,
	  "a second default route in [port.in] ([port.out] has one at line 4)" },
	{ RT_OUT "route = 2.2.2.0/24 via 1.1.1.1\n" RT_IN RT_SVC, 4,
	  "route 2.2.2.0/24 is the subnet of [port.in] (line 7), which Sluice reaches directly" },
	/* still unreachable: no route covers the backend */
	{ RT_OUT RT_IN "route = 48.0.0.0/16 via 2.2.2.1\n" RT_SVC "backend = 48.1.0.1:80\n", 13,
	  "backend 48.1.0.1 is not reachable: it is inside no port's subnet and no route covers it" },
	{ RT_OUT "gateway = 1.1.1.1\ngateway = 1.1.1.3\n" RT_SVC, 5,
	  "a second IPv4 gateway in [port.out]: one IPv4 and one IPv6 gateway per port (first at line 4)" },
};

static void
test_routes_invalid(void)
{
	unsigned i, failed = 0;

	for (i = 0; i < DIM(route_bad_cases); i++) {
		const struct bad_case *bc = &route_bad_cases[i];
		char err[1024] = "", prefix[32];
		struct sl_config *cfg;
		bool ok;

		cfg = sl_config_parse_string(bc->text, "t.ini", err, sizeof(err));
		snprintf(prefix, sizeof(prefix), "t.ini:%d: ", bc->line);
		ok = cfg == NULL &&
		     strncmp(err, prefix, strlen(prefix)) == 0 &&
		     strstr(err, bc->phrase) != NULL;
		if (!ok) {
			printf("\n  route case %u: want '%s...%s'\n          got  '%s'",
			       i, prefix, bc->phrase, cfg ? "(accepted)" : err);
			failed++;
		}
		CU_ASSERT(ok);
		sl_config_free(cfg);
	}
	if (failed)
		printf("\n  %u of %zu invalid route cases wrong\n", failed, DIM(route_bad_cases));
}

/* SL_MAX_PORT_ROUTES routes per port, the default included; one more is refused. */
static void
test_routes_limit(void)
{
	char text[8192], err[512] = "", want[160];
	struct sl_config *cfg;
	size_t len;
	int i, line;

	len = (size_t)snprintf(text, sizeof(text), "%sgateway = 1.1.1.1\n", RT_OUT);
	for (i = 1; i < SL_MAX_PORT_ROUTES; i++)
		len += (size_t)snprintf(text + len, sizeof(text) - len,
					"route = 48.%d.0.0/16 via 1.1.1.1\n", i);
	snprintf(text + len, sizeof(text) - len, "%s", RT_SVC);
	cfg = sl_config_parse_string(text, "lim.ini", err, sizeof(err));
	if (cfg == NULL)
		printf("\n  unexpected error: %s\n", err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
	CU_ASSERT_EQUAL(cfg->ports[0].n_routes, SL_MAX_PORT_ROUTES);
	sl_config_free(cfg);

	line = 4 + SL_MAX_PORT_ROUTES;
	snprintf(text + len, sizeof(text) - len, "route = 49.0.0.0/8 via 1.1.1.1\n%s", RT_SVC);
	cfg = sl_config_parse_string(text, "lim.ini", err, sizeof(err));
	CU_ASSERT_PTR_NULL(cfg);
	snprintf(want, sizeof(want), "lim.ini:%d: too many routes in [port.out] (at most %d, IPv4 and IPv6 together, the default routes included)",
		 line, SL_MAX_PORT_ROUTES);
	CU_ASSERT_STRING_EQUAL(err, want);
	sl_config_free(cfg);
}

static void
test_threads(void)
{
	pthread_t t[4];
	struct thread_arg a[4];
	int i;

	for (i = 0; i < 4; i++) {
		a[i].id = i;
		a[i].bad = 0;
		CU_ASSERT_EQUAL_FATAL(pthread_create(&t[i], NULL, parse_thread, &a[i]), 0);
	}
	for (i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		CU_ASSERT_EQUAL(a[i].bad, 0);
	}
}

/*
 * Reload: what needs a restart is compared key by key. Moving a section,
 * comments and service changes need none; each [eal], [global] and
 * [port.*] key does, and the message names the section and key.
 */
#define RS_EAL "[eal]\nlcores = 0-1\nargs = --no-pci\n"
#define RS_GLOBAL "[global]\nidle_sleep = 100\n"
#define RS_IN "[port.inside]\ndevice = net_null0\naddress = 10.1.0.1/24\n"
#define RS_OUT "[port.outside]\ndevice = net_null1\naddress = 10.0.0.1/24\ngateway = 10.0.0.254\n"
#define RS_SVC "[service.web]\nvip = 10.0.0.100\nport = 80\nprotocol = tcp\nbackend = 10.1.0.11:80\n"

struct restart_case {
	const char *text;
	const char *want;	/* NULL = no restart needed */
};

static void
test_restart_diff(void)
{
	static const struct restart_case cases[] = {
		/* the same file */
		{ RS_EAL RS_GLOBAL RS_OUT RS_IN RS_SVC, NULL },
		/* ports moved below the services, [eal] to the end */
		{ RS_GLOBAL RS_SVC RS_OUT RS_IN RS_EAL, NULL },
		{ "; moved\n\n" RS_SVC "\n" RS_EAL RS_GLOBAL "\n\n" RS_OUT "; x\n" RS_IN, NULL },
		/* keys reordered inside a section */
		{ RS_EAL RS_GLOBAL "[port.outside]\ngateway = 10.0.0.254\naddress = 10.0.0.1/24\ndevice = net_null1\n"
		  RS_IN RS_SVC, NULL },
		/* services may change at will */
		{ RS_EAL RS_GLOBAL RS_OUT RS_IN RS_SVC "backend = 10.1.0.12:80 weight=3\n"
		  "[service.dns]\nvip = 10.0.0.100\nport = 53\nprotocol = udp\nbackend = 10.1.0.11:53\n", NULL },
		/* a default spelled out is no change */
		{ RS_EAL RS_GLOBAL "flow_capacity = 1048576\n" RS_OUT "rx_descriptors = 1024\n" RS_IN RS_SVC, NULL },
		{ "[eal]\nlcores = 0-2\nargs = --no-pci\n" RS_GLOBAL RS_OUT RS_IN RS_SVC, "[eal] lcores changed" },
		{ "[eal]\nlcores = 0-1\nargs = --no-pci --no-huge\n" RS_GLOBAL RS_OUT RS_IN RS_SVC, "[eal] args changed" },
		{ RS_EAL "[global]\nidle_sleep = 50\n" RS_OUT RS_IN RS_SVC, "[global] idle_sleep changed" },
		{ RS_EAL RS_GLOBAL "idle_wake = no\n" RS_OUT RS_IN RS_SVC, NULL },
		{ RS_EAL RS_GLOBAL "idle_wake = yes\n" RS_OUT RS_IN RS_SVC, "[global] idle_wake changed" },
		{ RS_EAL RS_GLOBAL "timeout_udp = 30\n" RS_OUT RS_IN RS_SVC, "[global] timeout_udp changed" },
		{ RS_EAL RS_GLOBAL "admin_socket = /tmp/x.sock\n" RS_OUT RS_IN RS_SVC, "[global] admin_socket changed" },
		{ RS_EAL RS_GLOBAL RS_OUT "[port.inside]\ndevice = net_null0\naddress = 10.1.0.2/24\n" RS_SVC,
		  "[port.inside] address changed" },
		{ RS_EAL RS_GLOBAL RS_OUT "[port.inside]\ndevice = net_null0\naddress = 10.1.0.1/23\n" RS_SVC,
		  "[port.inside] address changed" },
		{ RS_EAL RS_GLOBAL RS_OUT "[port.inside]\ndevice = net_null2\naddress = 10.1.0.1/24\n" RS_SVC,
		  "[port.inside] device changed" },
		{ RS_EAL RS_GLOBAL RS_OUT "tx_descriptors = 512\n" RS_IN RS_SVC, "[port.outside] tx_descriptors changed" },
		{ RS_EAL RS_GLOBAL RS_OUT RS_IN "kernel_interface = k0\n" RS_SVC, "[port.inside] kernel_interface changed" },
		/* tagging is set up with the port: a VLAN id needs a restart */
		{ RS_EAL RS_GLOBAL RS_OUT RS_IN "vlan = 100\n" RS_SVC, "[port.inside] vlan changed" },
		/* RSS is set up with the port */
		{ RS_EAL RS_GLOBAL RS_OUT RS_IN "steering = off\n" RS_SVC, "[port.inside] steering changed" },
		{ RS_EAL RS_GLOBAL "[port.outside]\ndevice = net_null1\naddress = 10.0.0.1/24\n" RS_IN RS_SVC,
		  "[port.outside] gateway changed" },
		{ RS_EAL RS_GLOBAL RS_OUT RS_SVC, "[port.inside] removed" },
		/* the kernel interface takes routes at start only */
		{ RS_EAL RS_GLOBAL RS_OUT RS_IN "route = 10.20.0.0/16 via 10.1.0.254\n" RS_SVC,
		  "[port.inside] routes changed" },
		{ RS_EAL RS_GLOBAL RS_OUT RS_IN "[port.third]\ndevice = net_null3\naddress = 10.3.0.1/24\n" RS_SVC,
		  "[port.third] added" },
		/* the order of ports is the order of DPDK ports */
		{ RS_EAL RS_GLOBAL RS_IN RS_OUT RS_SVC, "[port.outside] moved before or after another [port.*] section" },
	};
	char err[512] = "", buf[160];
	struct sl_config *a, *b;
	unsigned i;

	a = sl_config_parse_string(cases[0].text, "a.ini", err, sizeof(err));
	if (a == NULL)
		printf("\n  %s\n", err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	for (i = 0; i < DIM(cases); i++) {
		int r;

		b = sl_config_parse_string(cases[i].text, "b.ini", err, sizeof(err));
		if (b == NULL)
			printf("\n  case %u: %s\n", i, err);
		CU_ASSERT_PTR_NOT_NULL(b);
		if (b == NULL)
			continue;
		strcpy(buf, "(untouched)");
		r = sl_config_restart_diff(a, b, buf, sizeof(buf));
		if (cases[i].want == NULL) {
			if (r != 0)
				printf("\n  case %u: restart wanted: %s\n", i, buf);
			CU_ASSERT_EQUAL(r, 0);
		} else {
			if (r != 1 || strncmp(buf, cases[i].want, strlen(cases[i].want)) != 0)
				printf("\n  case %u: want '%s', got %d '%s'\n", i, cases[i].want, r, buf);
			CU_ASSERT_EQUAL(r, 1);
			CU_ASSERT_EQUAL(strncmp(buf, cases[i].want, strlen(cases[i].want)), 0);
		}
		sl_config_free(b);
	}
	sl_config_free(a);
}

/*
 * vlan = N per port: both ends of the range, a port without the key
 * untagged, and any change of it (set, changed, removed) a restart.
 */
static void
test_vlan(void)
{
	static const char *const text[] = {
		RS_EAL RS_OUT "vlan = 4094\n" RS_IN "vlan = 1\n" RS_SVC,
		RS_EAL RS_OUT "vlan = 4094\n" RS_IN "vlan = 2\n" RS_SVC,
		RS_EAL RS_OUT "vlan = 4094\n" RS_IN RS_SVC,
		RS_EAL RS_OUT RS_IN "vlan = 1\n" RS_SVC,
	};
	struct sl_config *c[DIM(text)];
	char err[512], buf[160];
	unsigned i;

	for (i = 0; i < DIM(text); i++) {
		c[i] = sl_config_parse_string(text[i], "v.ini", err, sizeof(err));
		if (c[i] == NULL)
			printf("\n  case %u: %s\n", i, err);
		CU_ASSERT_PTR_NOT_NULL_FATAL(c[i]);
	}
	/* ports in file order: outside, inside */
	CU_ASSERT_EQUAL(c[0]->ports[0].vlan, 4094);
	CU_ASSERT_EQUAL(c[0]->ports[0].vlan_line, 8);
	CU_ASSERT_EQUAL(c[0]->ports[1].vlan, 1);
	CU_ASSERT_EQUAL(c[2]->ports[1].vlan, 0);
	CU_ASSERT_EQUAL(c[2]->ports[1].vlan_line, 0);
	CU_ASSERT_EQUAL(c[3]->ports[0].vlan, 0);

	CU_ASSERT_EQUAL(sl_config_restart_diff(c[0], c[0], buf, sizeof(buf)), 0);
	CU_ASSERT_EQUAL(sl_config_restart_diff(c[0], c[1], buf, sizeof(buf)), 1);
	CU_ASSERT_STRING_EQUAL(buf, "[port.inside] vlan changed");
	CU_ASSERT_EQUAL(sl_config_restart_diff(c[1], c[2], buf, sizeof(buf)), 1);
	CU_ASSERT_STRING_EQUAL(buf, "[port.inside] vlan changed");
	CU_ASSERT_EQUAL(sl_config_restart_diff(c[0], c[3], buf, sizeof(buf)), 1);
	CU_ASSERT_STRING_EQUAL(buf, "[port.outside] vlan changed");
	for (i = 0; i < DIM(text); i++)
		sl_config_free(c[i]);
}

/*
 * The shared backend parser: the same text gives the same backend or
 * the same reason for the file and for "add backend".
 */
static void
test_backend_parse(void)
{
	static const struct { const char *spec, *why; } bad[] = {
		{ "127.0.0.1:80", "backend address 127.0.0.1 is a loopback address" },
		{ "0.0.0.0:80", "backend address 0.0.0.0 is the unspecified address" },
		{ "255.255.255.255:80", "backend address 255.255.255.255 is the broadcast address" },
		{ "224.0.0.5:80", "backend address 224.0.0.5 is a multicast address" },
		{ "10.0.0.11", "backend '10.0.0.11' has no port" },
		{ "10.0.0.11:0", "backend port 0 is out of range" },
		{ "10.0.0.11:80 weight=0", "backend weight 0 is out of range (expected 1..65535)" },
		{ "10.0.0.11:80 id=a/b", "backend id 'a/b' is not 1-31 characters" },
		{ "10.0.0.11:80 id=" "abcdefghijabcdefghijabcdefghij12", "is not 1-31 characters" },
		{ "10.0.0.11:80 id=", "backend id '' is not 1-31 characters" },
		{ "10.0.0.11:80 colour=red", "unknown backend option 'colour=red'" },
	};
	struct sl_config_backend b;
	char err[512];
	unsigned i;

	CU_ASSERT_EQUAL(sl_config_backend_parse("10.1.0.11:8080 weight=3 id=b-1 state=drain check_port=81",
						&b, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(b.addr, IP(10, 1, 0, 11));
	CU_ASSERT_EQUAL(b.port, 8080);
	CU_ASSERT_EQUAL(b.weight, 3);
	CU_ASSERT_STRING_EQUAL(b.id, "b-1");
	CU_ASSERT_EQUAL(b.drain, 1);
	CU_ASSERT_EQUAL(b.check_port, 81);
	CU_ASSERT_EQUAL(b.line, 0);
	CU_ASSERT_EQUAL(sl_config_backend_parse("10.1.0.11:8080", &b, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(b.weight, 1);
	CU_ASSERT_STRING_EQUAL(b.id, "");
	for (i = 0; i < DIM(bad); i++) {
		err[0] = '\0';
		CU_ASSERT_EQUAL(sl_config_backend_parse(bad[i].spec, &b, err, sizeof(err)), -EINVAL);
		if (strstr(err, bad[i].why) == NULL)
			printf("\n  '%s': want '%s', got '%s'\n", bad[i].spec, bad[i].why, err);
		CU_ASSERT_PTR_NOT_NULL(strstr(err, bad[i].why));
	}
}

/*
 * A runtime edit ("add backend") of a valid config: each bad backend is
 * refused by the validator the file goes through, named by the command
 * and without file lines; the config itself is left as it was.
 */
#define ED_FILE "[port.a]\ndevice = net_null0\naddress = 10.0.0.1/24\n" \
	"[port.b]\ndevice = net_null1\naddress = 10.1.0.1/24\nkernel_interface = k1\n" \
	"[service.s]\nvip = 10.0.0.100\nport = 80\nprotocol = tcp\n" \
	"backend = 10.0.0.11:80 id=one\nbackend = 10.0.0.12:80\n" \
	"[service.c]\nvip = 10.0.0.101\nport = 80\nprotocol = tcp\ncheck = tcp\n" \
	"backend = 10.1.0.11:80\n"

struct edit_case {
	const char *svc;
	const char *spec;
	const char *why;	/* the whole message, NULL = accepted */
};

static void
test_validate_edit(void)
{
	static const struct edit_case cases[] = {
		{ "s", "10.0.0.13:80 weight=2 id=three", NULL },
		{ "c", "10.1.0.12:80", NULL },
		{ "s", "10.0.0.100:80",
		  "add backend: backend 10.0.0.100 is the vip of [service.s]; a backend must be a real server" },
		{ "s", "10.0.0.101:8080",
		  "add backend: backend 10.0.0.101 is the vip of [service.c]; a backend must be a real server" },
		{ "s", "10.0.0.1:80",
		  "add backend: backend 10.0.0.1 is the own address of [port.a]; choose another address" },
		{ "s", "10.1.0.1:80",
		  "add backend: backend 10.1.0.1 is the own address of [port.b]; choose another address" },
		{ "s", "10.0.0.255:80",
		  "add backend: backend 10.0.0.255 is the broadcast address of subnet 10.0.0.0/24 of [port.a] (expected a host address)" },
		{ "s", "192.168.0.1:80",
		  "add backend: backend 192.168.0.1 is not reachable: it is inside no port's subnet and no route covers it (add 'route = PREFIX via GATEWAY' or 'gateway = GATEWAY' to the port that reaches it)" },
		{ "s", "10.0.0.11:80",
		  "add backend: duplicate backend 10.0.0.11:80 in [service.s]" },
		{ "s", "10.0.0.13:80 id=one",
		  "add backend: duplicate backend id 'one' in [service.s]" },
		{ "s", "10.0.0.13:80 id=10.0.0.12:80",
		  "add backend: backend id '10.0.0.12:80' in [service.s] is the address of another backend; choose another id" },
		/* checks leave through the port that reaches the backend */
		{ "c", "10.0.0.13:80",
		  "add backend: health checks of [service.c] need kernel_interface on [port.a], the port that reaches backend 10.0.0.13" },
	};
	char err[512] = "";
	struct sl_config *base, *cfg;
	unsigned i;

	base = sl_config_parse_string(ED_FILE, "e.ini", err, sizeof(err));
	if (base == NULL)
		printf("\n  %s\n", err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(base);
	CU_ASSERT_EQUAL(sl_config_validate(base, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(sl_config_validate_edit(base, "add backend", err, sizeof(err)), 0);
	cfg = malloc(sizeof(*cfg));
	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
	for (i = 0; i < DIM(cases); i++) {
		struct sl_config_service *s = NULL;
		struct sl_config_backend b;
		unsigned j;
		int r;

		memcpy(cfg, base, sizeof(*cfg));
		for (j = 0; j < cfg->n_services; j++)
			if (strcmp(cfg->services[j].name, cases[i].svc) == 0)
				s = &cfg->services[j];
		CU_ASSERT_PTR_NOT_NULL_FATAL(s);
		CU_ASSERT_EQUAL_FATAL(sl_config_backend_parse(cases[i].spec, &b, err, sizeof(err)), 0);
		s->backends[s->n_backends++] = b;
		err[0] = '\0';
		r = sl_config_validate_edit(cfg, "add backend", err, sizeof(err));
		if (cases[i].why == NULL) {
			if (r != 0)
				printf("\n  case %u refused: %s\n", i, err);
			CU_ASSERT_EQUAL(r, 0);
			continue;
		}
		if (r != -EINVAL || strcmp(err, cases[i].why) != 0)
			printf("\n  case %u: want '%s'\n           got  %d '%s'\n", i, cases[i].why, r, err);
		CU_ASSERT_EQUAL(r, -EINVAL);
		CU_ASSERT_STRING_EQUAL(err, cases[i].why);
		/*
		 * The same config from the file: the same rule, at the
		 * backend's line (the check's line for the kernel_interface
		 * rule), and the same reason up to any "(line N)".
		 */
		s->backends[s->n_backends - 1].line = 42;
		CU_ASSERT_EQUAL(sl_config_validate(cfg, err, sizeof(err)), -EINVAL);
		{
			const char *why = cases[i].why + strlen("add backend: ");
			size_t n = strcspn(why, "(;");
			char want[32];

			snprintf(want, sizeof(want), "e.ini:%d: ",
				 strstr(why, "health checks") != NULL ? 18 : 42);
			if (strncmp(err, want, strlen(want)) != 0 ||
			    strncmp(err + strlen(want), why, n) != 0)
				printf("\n  case %u from the file: want '%s%.*s', got '%s'\n",
				       i, want, (int)n, why, err);
			CU_ASSERT_EQUAL(strncmp(err, want, strlen(want)), 0);
			CU_ASSERT_EQUAL(strncmp(err + strlen(want), why, n), 0);
		}
	}

	/* other edits: weights the parser would refuse, the last backend gone */
	memcpy(cfg, base, sizeof(*cfg));
	cfg->services[0].backends[1].weight = 0;
	CU_ASSERT_EQUAL(sl_config_validate_edit(cfg, "set weight", err, sizeof(err)), -EINVAL);
	CU_ASSERT_STRING_EQUAL(err, "set weight: backend 10.0.0.12:80 weight 0 is out of range (expected 1..65535)");
	memcpy(cfg, base, sizeof(*cfg));
	cfg->services[1].n_backends = 0;
	CU_ASSERT_EQUAL(sl_config_validate_edit(cfg, "del backend", err, sizeof(err)), -EINVAL);
	CU_ASSERT_STRING_EQUAL(err, "del backend: [service.c] has no backend (add at least one)");
	free(cfg);
	sl_config_free(base);
}

/*
 * Backend slots are shared by all services: 4096 fit, backend 4097 is
 * refused at its own line, in the file and for a runtime edit.
 */
static void
test_total_backends(void)
{
	size_t cap = 1 << 20, len;
	char *text = malloc(cap);
	char err[512] = "", want[256];
	struct sl_config *cfg;
	int i, k, line = 3;

	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	len = (size_t)snprintf(text, cap, "[port.a]\ndevice = net_null0\naddress = 10.0.0.1/16\n");
	for (i = 0; i < 16; i++) {
		len += (size_t)snprintf(text + len, cap - len,
					"[service.s%d]\nvip = 10.0.100.1\nport = %d\nprotocol = tcp\n",
					i, 1000 + i);
		line += 4;
		for (k = 0; k < SL_MAX_SVC_BACKENDS; k++, line++)
			len += (size_t)snprintf(text + len, cap - len, "backend = 10.0.%d.%d:80\n",
						1 + k / 200, 1 + k % 200);
	}
	cfg = sl_config_parse_string(text, "t.ini", err, sizeof(err));
	if (cfg == NULL)
		printf("\n  %s\n", err);
	CU_ASSERT_PTR_NOT_NULL(cfg);
	if (cfg != NULL) {
		struct sl_config_service *s = &cfg->services[16];

		CU_ASSERT_EQUAL(cfg->n_services, 16);
		/* one service more, with one backend: 4097 */
		*s = cfg->services[15];
		snprintf(s->name, sizeof(s->name), "more");
		s->port = 80;
		s->n_backends = 1;
		s->backends[0].line = 0;
		cfg->n_services++;
		CU_ASSERT_EQUAL(sl_config_validate_edit(cfg, "add backend", err, sizeof(err)), -EINVAL);
		CU_ASSERT_STRING_EQUAL(err, "add backend: backend 10.0.1.1:80 of [service.more] is backend number 4097: at most 4096 backends in all services together (remove backends or spread services over more Sluice instances)");
		/* one fewer elsewhere: fine */
		cfg->services[2].n_backends--;
		CU_ASSERT_EQUAL(sl_config_validate_edit(cfg, "add backend", err, sizeof(err)), 0);
	}
	sl_config_free(cfg);

	len += (size_t)snprintf(text + len, cap - len,
				"[service.last]\nvip = 10.0.100.1\nport = 80\nprotocol = tcp\n"
				"backend = 10.0.9.1:80\nbackend = 10.0.9.2:80\n");
	cfg = sl_config_parse_string(text, "t.ini", err, sizeof(err));
	CU_ASSERT_PTR_NULL(cfg);
	snprintf(want, sizeof(want),
		 "t.ini:%d: backend 10.0.9.1:80 of [service.last] is backend number 4097: at most 4096 backends in all services together",
		 line + 5);
	if (strncmp(err, want, strlen(want)) != 0)
		printf("\n  want '%s'\n  got  '%s'\n", want, err);
	CU_ASSERT_EQUAL(strncmp(err, want, strlen(want)), 0);
	sl_config_free(cfg);
	free(text);
}

/*
 * mode = fullnat with its local addresses: a single address, a list
 * (spaces and commas), a range, the key repeated, two ports each with
 * their own, the 16-address limit, and [global] local_ports.
 */
#define FN_OUT "[port.outside]\ndevice = net_null1\naddress = 10.0.0.1/24\ngateway = 10.0.0.254\n"
#define FN_IN "[port.inside]\ndevice = net_null0\naddress = 10.1.0.1/24\n"
#define FN_SVC "[service.web]\nvip = 10.0.0.100\nport = 80\nprotocol = tcp\nmode = fullnat\n" \
	"backend = 10.1.0.11:80\nbackend = 10.1.0.12:80\n"

static struct sl_config *
parse_ok(const char *text)
{
	char err[512] = "";
	struct sl_config *cfg;

	cfg = sl_config_parse_string(text, "fn.ini", err, sizeof(err));
	if (cfg == NULL)
		printf("\n  refused: %s\n", err);
	return cfg;
}

/*
 * Steering: auto gives source to a port no nat backend is behind,
 * destination to a port nat backends are behind (in its subnet, or
 * behind a route, IPv4 or IPv6) without a default route, off to a port
 * with both and to a port with fullnat local addresses; dr backends do
 * not count; the key overrides.
 */
static void
test_steering(void)
{
	static const struct {
		const char *text;
		uint8_t out, in;
	} cases[] = {
		{ FN_OUT FN_IN "[service.web]\nvip = 10.0.0.100\nport = 80\nprotocol = tcp\n"
		  "backend = 10.1.0.11:80\n", SL_STEERING_SOURCE, SL_STEERING_DESTINATION },
		/* behind a route of the inside port */
		{ FN_OUT FN_IN "route = 10.20.0.0/16 via 10.1.0.254\n"
		  "[service.web]\nvip = 10.0.0.100\nport = 80\nprotocol = tcp\n"
		  "backend = 10.20.3.4:80\n", SL_STEERING_SOURCE, SL_STEERING_DESTINATION },
		/* IPv6 backends in the inside port's IPv6 subnet */
		{ FN_OUT FN_IN "address = fd00:1::1/64\n"
		  "[service.web]\nvip = 2001:db8::100\nport = 80\nprotocol = tcp\n"
		  "backend = [fd00:1::11]:80\n", SL_STEERING_SOURCE, SL_STEERING_DESTINATION },
		/* one arm: backends and the default route on the outside */
		{ FN_OUT FN_IN "[service.web]\nvip = 10.0.0.100\nport = 80\nprotocol = tcp\n"
		  "backend = 10.0.0.11:80\n", SL_STEERING_OFF, SL_STEERING_SOURCE },
		/* fullnat: the port of the local addresses stays off; dr
		 * backends' replies do not come back */
		{ FN_OUT FN_IN "local_address = 10.1.0.50\n" FN_SVC, SL_STEERING_SOURCE, SL_STEERING_OFF },
		{ FN_OUT FN_IN "[service.web]\nvip = 10.0.0.100\nport = 80\nprotocol = tcp\nmode = dr\n"
		  "backend = 10.1.0.11:80\n", SL_STEERING_SOURCE, SL_STEERING_SOURCE },
		/* the key wins */
		{ FN_OUT "steering = off\n" FN_IN "steering = source\n"
		  "[service.web]\nvip = 10.0.0.100\nport = 80\nprotocol = tcp\n"
		  "backend = 10.1.0.11:80\n", SL_STEERING_OFF, SL_STEERING_SOURCE },
	};
	unsigned i;

	for (i = 0; i < DIM(cases); i++) {
		struct sl_config *cfg = parse_ok(cases[i].text);
		const char *why = NULL;

		CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
		CU_ASSERT_EQUAL(sl_config_steering(cfg, 0, &why), cases[i].out);
		CU_ASSERT_PTR_NOT_NULL(why);
		CU_ASSERT_EQUAL(sl_config_steering(cfg, 1, NULL), cases[i].in);
		if (sl_config_steering(cfg, 0, NULL) != cases[i].out ||
		    sl_config_steering(cfg, 1, NULL) != cases[i].in)
			printf("\n  case %u: %s %s\n", i,
			       sl_config_steering_name(sl_config_steering(cfg, 0, NULL)),
			       sl_config_steering_name(sl_config_steering(cfg, 1, NULL)));
		sl_config_free(cfg);
	}
}

static void
test_fullnat_valid(void)
{
	struct sl_config *cfg;
	const struct sl_config_port *p;
	unsigned i;

	/* one address; ports in file order: outside, inside */
	cfg = parse_ok(FN_OUT FN_IN "local_address = 10.1.0.50\n" FN_SVC);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
	CU_ASSERT_EQUAL(cfg->services[0].mode, SL_MODE_FULLNAT);
	CU_ASSERT_EQUAL(cfg->ports[0].n_local, 0);
	CU_ASSERT_EQUAL(cfg->ports[0].local_line, 0);
	p = &cfg->ports[1];
	CU_ASSERT_EQUAL(p->n_local, 1);
	CU_ASSERT_EQUAL(p->local_addrs[0], IP(10, 1, 0, 50));
	CU_ASSERT_EQUAL(p->local_line, 8);
	CU_ASSERT_EQUAL(p->local_lines[0], 8);
	/* the defaults of [global] local_ports */
	CU_ASSERT_EQUAL(cfg->global.local_port_lo, 1024);
	CU_ASSERT_EQUAL(cfg->global.local_port_hi, 65535);
	CU_ASSERT_EQUAL(cfg->global.local_ports_line, 0);
	sl_config_free(cfg);

	/* a list: spaces, commas, both */
	cfg = parse_ok(FN_OUT FN_IN "local_address = 10.1.0.50 10.1.0.51,10.1.0.52 ,  10.1.0.53\t10.1.0.54\n" FN_SVC);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
	p = &cfg->ports[1];
	CU_ASSERT_EQUAL_FATAL(p->n_local, 5);
	for (i = 0; i < 5; i++)
		CU_ASSERT_EQUAL(p->local_addrs[i], IP(10, 1, 0, 50 + i));
	sl_config_free(cfg);

	/* a range, a single-address range, the key repeated: file order kept,
	 * each address with the line of its key */
	cfg = parse_ok(FN_OUT FN_IN "local_address = 10.1.0.60-10.1.0.63\n"
		       "rx_descriptors = 512\nlocal_address = 10.1.0.70-10.1.0.70, 10.1.0.40\n" FN_SVC);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
	p = &cfg->ports[1];
	CU_ASSERT_EQUAL_FATAL(p->n_local, 6);
	for (i = 0; i < 4; i++) {
		CU_ASSERT_EQUAL(p->local_addrs[i], IP(10, 1, 0, 60 + i));
		CU_ASSERT_EQUAL(p->local_lines[i], 8);
	}
	CU_ASSERT_EQUAL(p->local_addrs[4], IP(10, 1, 0, 70));
	CU_ASSERT_EQUAL(p->local_addrs[5], IP(10, 1, 0, 40));
	CU_ASSERT_EQUAL(p->local_lines[5], 10);
	CU_ASSERT_EQUAL(p->local_line, 8);
	sl_config_free(cfg);

	/* 16 addresses, the most a port takes */
	cfg = parse_ok(FN_OUT FN_IN "local_address = 10.1.0.200-10.1.0.215\n" FN_SVC);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
	CU_ASSERT_EQUAL(cfg->ports[1].n_local, SL_MAX_LOCAL_ADDRS);
	CU_ASSERT_EQUAL(cfg->ports[1].local_addrs[15], IP(10, 1, 0, 215));
	sl_config_free(cfg);

	/* two ports, each with its own: a fullnat service with a backend on
	 * each side (one behind the outside default route), a nat service
	 * beside it, a udp fullnat service, and local_ports for 3 workers */
	cfg = parse_ok("[eal]\nlcores = 0-3\n[global]\nlocal_ports = 20000-20002\n"
		       FN_OUT "local_address = 10.0.0.50, 10.0.0.51\n"
		       FN_IN "local_address = 10.1.0.50\n" FN_SVC
		       "backend = 192.168.7.7:80\n"
		       "[service.plain]\nvip = 10.0.0.100\nport = 81\nprotocol = tcp\nbackend = 10.1.0.11:81\n"
		       "[service.dns]\nvip = 10.0.0.100\nport = 53\nprotocol = udp\nmode = fullnat\n"
		       "backend = 10.1.0.21:53\n");
	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
	CU_ASSERT_EQUAL(cfg->ports[0].n_local, 2);
	CU_ASSERT_EQUAL(cfg->ports[0].local_addrs[1], IP(10, 0, 0, 51));
	CU_ASSERT_EQUAL(cfg->ports[1].n_local, 1);
	CU_ASSERT_EQUAL(cfg->services[0].mode, SL_MODE_FULLNAT);
	CU_ASSERT_EQUAL(cfg->services[1].mode, SL_MODE_NAT);
	CU_ASSERT_EQUAL(cfg->services[2].mode, SL_MODE_FULLNAT);
	CU_ASSERT_EQUAL(cfg->services[2].proto, IPPROTO_UDP);
	CU_ASSERT_EQUAL(cfg->global.local_port_lo, 20000);
	CU_ASSERT_EQUAL(cfg->global.local_port_hi, 20002);
	CU_ASSERT_EQUAL(cfg->global.local_ports_line, 4);
	sl_config_free(cfg);

	/* local addresses without a fullnat service, and a nat service on a
	 * port without any, are fine; one port for one worker too */
	cfg = parse_ok("[global]\nlocal_ports = 65535-65535\n" FN_OUT FN_IN "local_address = 10.1.0.50\n"
		       "[service.web]\nvip = 10.0.0.100\nport = 80\nprotocol = tcp\nmode = nat\n"
		       "backend = 10.1.0.11:80\n");
	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
	CU_ASSERT_EQUAL(cfg->services[0].mode, SL_MODE_NAT);
	CU_ASSERT_EQUAL(cfg->global.local_port_lo, 65535);
	sl_config_free(cfg);
}

/*
 * Reload: local addresses may come and go without a restart (the port
 * stays as it is), while [global] local_ports decides which worker owns
 * a connection and so needs one.
 */
static void
test_fullnat_restart_diff(void)
{
	static const struct restart_case cases[] = {
		{ RS_EAL RS_GLOBAL FN_OUT FN_IN "local_address = 10.1.0.50\n" FN_SVC, NULL },
		/* one added, in a second key */
		{ RS_EAL RS_GLOBAL FN_OUT FN_IN "local_address = 10.1.0.50\nlocal_address = 10.1.0.51\n" FN_SVC, NULL },
		/* changed */
		{ RS_EAL RS_GLOBAL FN_OUT FN_IN "local_address = 10.1.0.60-10.1.0.63\n" FN_SVC, NULL },
		/* one added on the other port */
		{ RS_EAL RS_GLOBAL FN_OUT "local_address = 10.0.0.50\n" FN_IN "local_address = 10.1.0.50\n" FN_SVC, NULL },
		/* all removed, the service back to nat */
		{ RS_EAL RS_GLOBAL FN_OUT FN_IN
		  "[service.web]\nvip = 10.0.0.100\nport = 80\nprotocol = tcp\nbackend = 10.1.0.11:80\n", NULL },
		/* the default spelled out is no change */
		{ RS_EAL RS_GLOBAL "local_ports = 1024-65535\n" FN_OUT FN_IN "local_address = 10.1.0.50\n" FN_SVC, NULL },
		{ RS_EAL RS_GLOBAL "local_ports = 1024-65534\n" FN_OUT FN_IN "local_address = 10.1.0.50\n" FN_SVC,
		  "[global] local_ports changed" },
		{ RS_EAL RS_GLOBAL "local_ports = 2000-65535\n" FN_OUT FN_IN "local_address = 10.1.0.50\n" FN_SVC,
		  "[global] local_ports changed" },
		/* other port keys still do */
		{ RS_EAL RS_GLOBAL FN_OUT FN_IN "local_address = 10.1.0.50\nvlan = 5\n" FN_SVC,
		  "[port.inside] vlan changed" },
	};
	char err[512] = "", buf[160];
	struct sl_config *a, *b;
	unsigned i;

	a = sl_config_parse_string(cases[0].text, "a.ini", err, sizeof(err));
	if (a == NULL)
		printf("\n  %s\n", err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	for (i = 0; i < DIM(cases); i++) {
		int r;

		b = sl_config_parse_string(cases[i].text, "b.ini", err, sizeof(err));
		if (b == NULL)
			printf("\n  case %u: %s\n", i, err);
		CU_ASSERT_PTR_NOT_NULL(b);
		if (b == NULL)
			continue;
		strcpy(buf, "(untouched)");
		r = sl_config_restart_diff(a, b, buf, sizeof(buf));
		if (cases[i].want == NULL) {
			if (r != 0)
				printf("\n  case %u: restart wanted: %s\n", i, buf);
			CU_ASSERT_EQUAL(r, 0);
			/* and back again */
			CU_ASSERT_EQUAL(sl_config_restart_diff(b, a, buf, sizeof(buf)), 0);
		} else {
			if (r != 1 || strcmp(buf, cases[i].want) != 0)
				printf("\n  case %u: want '%s', got %d '%s'\n", i, cases[i].want, r, buf);
			CU_ASSERT_EQUAL(r, 1);
			CU_ASSERT_STRING_EQUAL(buf, cases[i].want);
		}
		sl_config_free(b);
	}
	sl_config_free(a);
}

/*
 * Runtime edits go through the same rules: a backend added to a fullnat
 * service behind a port without local addresses, or on a local address,
 * is refused and named by the command.
 */
static void
test_fullnat_edit(void)
{
	struct sl_config *cfg, *ed;
	char err[512];

	cfg = parse_ok(FN_OUT FN_IN "local_address = 10.1.0.50\n" FN_SVC);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
	ed = malloc(sizeof(*ed));
	CU_ASSERT_PTR_NOT_NULL_FATAL(ed);

	memcpy(ed, cfg, sizeof(*ed));
	ed->services[0].backends[ed->services[0].n_backends++] =
		(struct sl_config_backend){ .addr = IP(10, 1, 0, 13), .port = 80, .weight = 1 };
	CU_ASSERT_EQUAL(sl_config_validate_edit(ed, "add backend", err, sizeof(err)), 0);

	memcpy(ed, cfg, sizeof(*ed));
	ed->services[0].backends[ed->services[0].n_backends++] =
		(struct sl_config_backend){ .addr = IP(192, 168, 7, 7), .port = 80, .weight = 1 };
	err[0] = '\0';
	CU_ASSERT_EQUAL(sl_config_validate_edit(ed, "add backend", err, sizeof(err)), -EINVAL);
	CU_ASSERT_STRING_EQUAL(err, "add backend: service web is fullnat: [port.outside], the port that reaches backend 192.168.7.7, has no local_address (add 'local_address = ADDR' with an unused address of its subnet)");

	memcpy(ed, cfg, sizeof(*ed));
	ed->services[0].backends[ed->services[0].n_backends++] =
		(struct sl_config_backend){ .addr = IP(10, 1, 0, 50), .port = 80, .weight = 1 };
	err[0] = '\0';
	CU_ASSERT_EQUAL(sl_config_validate_edit(ed, "add backend", err, sizeof(err)), -EINVAL);
	CU_ASSERT_STRING_EQUAL(err, "add backend: local_address 10.1.0.50 of [port.inside] is backend 10.1.0.50:80 of [service.web]; a local address must be free");

	/* a struct with more workers than local ports (no file lines) */
	memcpy(ed, cfg, sizeof(*ed));
	ed->n_lcores = 5;
	ed->global.local_port_lo = 100;
	ed->global.local_port_hi = 101;
	ed->global.local_ports_line = 0;
	err[0] = '\0';
	CU_ASSERT_EQUAL(sl_config_validate(ed, err, sizeof(err)), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "fn.ini: local_ports 100-101 holds no port of worker 2 of 4"));
	free(ed);
	sl_config_free(cfg);
}

/*
 * Every service key of one service, then a second service: each section
 * keeps its own key lines (the table of key lines once was narrower than
 * the key list, and a later key of one service landed on the next
 * service's vip: "duplicate key 'vip'").
 */
static void
test_many_keys_then_service(void)
{
	static const char text[] =
		"[eal]\nlcores = 0-1\n"
		"[port.a]\ndevice = net_null0\naddress = 10.0.0.1/24\nkernel_interface = sla\n"
		"[service.one]\nvip = 10.0.0.100\nport = 80\nprotocol = tcp\nmode = nat\n"
		"scheduler = rr\npersistence = 10\ndrain_timeout = 20\ncheck = http\n"
		"check_interval = 1000\ncheck_timeout = 500\ncheck_rise = 2\ncheck_fall = 2\n"
		"check_path = /x\ncheck_host = example\ncheck_expect = 200\n"
		"proxy_protocol = v2\nbackend = 10.0.0.11:80\n"
		"[service.two]\nvip = 10.0.0.101\nport = 80\nprotocol = tcp\n"
		"proxy_protocol = v1\nbackend = 10.0.0.12:80\n"
		"[service.three]\nvip = 10.0.0.102\nport = 53\nprotocol = udp\n"
		"backend = 10.0.0.13:53\n";
	char err[512] = "";
	struct sl_config *cfg = sl_config_parse_string(text, "k.ini", err, sizeof(err));

	if (cfg == NULL)
		printf("\n  refused: %s\n", err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
	CU_ASSERT_EQUAL(cfg->n_services, 3);
	CU_ASSERT_EQUAL(cfg->services[0].proxy_protocol, 2);
	CU_ASSERT_EQUAL(cfg->services[1].proxy_protocol, 1);
	CU_ASSERT_EQUAL(cfg->services[2].proxy_protocol, 0);
	sl_config_free(cfg);
}

/* proxy_protocol: off|v1|v2, TCP services only, FILE:LINE otherwise. */
static void
test_proxy_protocol_invalid(void)
{
	static const char head[] =
		"[eal]\nlcores = 0-1\n"
		"[port.a]\ndevice = net_null0\naddress = 10.0.0.1/24\n"
		"[service.s]\nvip = 10.0.0.100\nport = 53\n";
	static const struct { const char *tail, *want; } cases[] = {
		{ "protocol = tcp\nproxy_protocol = v3\nbackend = 10.0.0.11:53\n",
		  "p.ini:10: unknown proxy_protocol 'v3' (expected off|v1|v2)" },
		{ "protocol = udp\nproxy_protocol = v1\nbackend = 10.0.0.11:53\n",
		  "p.ini:10: proxy_protocol of [service.s] needs protocol tcp" },
	};
	char text[1024], err[512];
	unsigned i;

	for (i = 0; i < RTE_DIM(cases); i++) {
		struct sl_config *cfg;

		snprintf(text, sizeof(text), "%s%s", head, cases[i].tail);
		err[0] = '\0';
		cfg = sl_config_parse_string(text, "p.ini", err, sizeof(err));
		CU_ASSERT_PTR_NULL(cfg);
		if (strncmp(err, cases[i].want, strlen(cases[i].want)) != 0)
			printf("\n  case %u: want '%s', got '%s'\n", i, cases[i].want, err);
		CU_ASSERT_EQUAL(strncmp(err, cases[i].want, strlen(cases[i].want)), 0);
		sl_config_free(cfg);
	}
}

/* dr and tunnel: the keys land where the snapshot reads them, with
 * their defaults; mtu is a restart key */
static void
test_oneway_valid(void)
{
	struct sl_config *cfg, *cfg2;
	const struct sl_config_service *sv;
	char why[128];

	cfg = parse_ok(FN_OUT FN_IN "local_address = 10.1.0.50\nmtu = 1400\n"
		       "[service.d]\nvip = 10.0.0.100\nport = 80\nprotocol = tcp\nmode = dr\n"
		       "scheduler = maglev\nbackend = 10.1.0.11:80\n"
		       "[service.t]\nvip = 10.0.0.101\nport = 53\nprotocol = udp\nmode = tunnel\n"
		       "encap = gue\ngue_port = 5555\ncheck_target = backend\nbackend = 10.1.0.12:53\n"
		       "[service.i]\nvip = 10.0.0.102\nport = 80\nprotocol = tcp\nmode = tunnel\n"
		       "backend = 10.1.0.13:80\n");
	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
	CU_ASSERT_EQUAL(cfg->ports[1].mtu, 1400);
	CU_ASSERT_EQUAL(cfg->ports[0].mtu, 0);
	sv = &cfg->services[0];
	CU_ASSERT_EQUAL(sv->mode, SL_MODE_DR);
	CU_ASSERT_EQUAL(sv->check_backend, 0);
	sv = &cfg->services[1];
	CU_ASSERT_EQUAL(sv->mode, SL_MODE_TUNNEL);
	CU_ASSERT_EQUAL(sv->encap, SL_ENCAP_GUE);
	CU_ASSERT_EQUAL(sv->gue_port, 5555);
	CU_ASSERT_EQUAL(sv->check_backend, 1);
	sv = &cfg->services[2];
	CU_ASSERT_EQUAL(sv->encap, SL_ENCAP_IPIP);
	CU_ASSERT_EQUAL(sv->gue_port, SL_GUE_PORT_DEFAULT);
	CU_ASSERT_STRING_EQUAL(sl_config_mode_name(SL_MODE_TUNNEL, SL_ENCAP_GUE), "tunnel/gue");
	CU_ASSERT_STRING_EQUAL(sl_config_mode_name(SL_MODE_DR, 0), "dr");
	cfg2 = parse_ok(FN_OUT FN_IN "local_address = 10.1.0.50\nmtu = 1500\n"
			"[service.i]\nvip = 10.0.0.102\nport = 80\nprotocol = tcp\nmode = tunnel\n"
			"backend = 10.1.0.13:80\n");
	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg2);
	CU_ASSERT_EQUAL(sl_config_restart_diff(cfg, cfg2, why, sizeof(why)), 1);
	CU_ASSERT_STRING_EQUAL(why, "[port.inside] mtu changed");
	sl_config_free(cfg);
	sl_config_free(cfg2);
}

/*
 * IPv6: a second address and a gateway per family on ports, IPv6 VIPs
 * and [ADDR]:PORT backends. Bytes are compared with inet_pton's, so the
 * fields hold network order.
 */
#define V6_OUT "[port.out]\ndevice = net_null0\naddress = 10.0.0.1/24\naddress = 2001:db8::1/64\n"
#define V6_IN "[port.in]\ndevice = net_null1\naddress = 10.1.0.1/24\naddress = fd00:1::1/64\n"
#define V6_SVC "[service.w6]\nvip = 2001:db8::100\nport = 80\nprotocol = tcp\n"

static bool
v6_eq(const uint8_t a[16], const char *s)
{
	uint8_t want[16];

	if (inet_pton(AF_INET6, s, want) != 1)
		return false;
	return memcmp(a, want, 16) == 0;
}

static void
test_v6_valid(void)
{
	static const char text[] =
		"[port.out]\n"				/* 1 */
		"device = net_null0\n"
		"address = 2001:db8::1/64\n"		/* 3: IPv6 first is fine */
		"address = 10.0.0.1/24\n"
		"gateway = fe80::1\n"			/* 5: link-local */
		"kernel_interface = k0\n"
		"[port.in]\n"				/* 7 */
		"device = net_null1\n"
		"gateway = 10.1.0.254\n"
		"address = 10.1.0.1/24\n"
		"address = fd00:1::1/48\n"		/* 11 */
		"[service.w6]\n"			/* 12 */
		"vip = 2001:db8::100\n"
		"port = 80\n"
		"protocol = tcp\n"
		"scheduler = maglev\n"
		"backend = [fd00:1::11]:8080 weight=3\n"	/* 17 */
		"backend = [2001:db9::5]:8080 id=far\n"	/* 18: via fe80::1 */
		"backend = [fd00:1::11]:8081\n"
		"[service.dns6]\n"			/* 20: the same VIP, udp */
		"vip = 2001:db8::100\n"
		"port = 80\n"
		"protocol = udp\n"
		"backend = [fd00:1::12]:53\n"
		"[service.w4]\n"			/* 25 */
		"vip = 10.0.0.100\n"
		"port = 80\n"
		"protocol = tcp\n"
		"backend = 10.1.0.11:80\n";
	const struct sl_config_port *p;
	const struct sl_config_service *s;
	const struct sl_config_backend *b;
	struct sl_config *cfg;
	char err[512] = "";

	cfg = sl_config_parse_string(text, "v6.ini", err, sizeof(err));
	if (cfg == NULL)
		printf("\n  unexpected error: %s\n", err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
	CU_ASSERT_EQUAL_FATAL(cfg->n_ports, 2);
	p = &cfg->ports[0];
	CU_ASSERT_EQUAL(p->addr, IP(10, 0, 0, 1));
	CU_ASSERT_EQUAL(p->prefix_len, 24);
	CU_ASSERT_EQUAL(p->address_line, 4);
	CU_ASSERT(v6_eq(p->addr6, "2001:db8::1"));
	CU_ASSERT_EQUAL(p->addr6[0], 0x20);
	CU_ASSERT_EQUAL(p->addr6[1], 0x01);
	CU_ASSERT_EQUAL(p->addr6[15], 0x01);
	CU_ASSERT_EQUAL(p->prefix6_len, 64);
	CU_ASSERT_EQUAL(p->address6_line, 3);
	CU_ASSERT(v6_eq(p->gateway6, "fe80::1"));
	CU_ASSERT_EQUAL(p->gateway6_line, 5);
	CU_ASSERT_EQUAL(p->gateway, 0);
	CU_ASSERT_EQUAL(p->n_routes, 0);
	p = &cfg->ports[1];
	CU_ASSERT(v6_eq(p->addr6, "fd00:1::1"));
	CU_ASSERT_EQUAL(p->prefix6_len, 48);
	CU_ASSERT_EQUAL(p->address6_line, 11);
	CU_ASSERT(v6_eq(p->gateway6, "::"));
	CU_ASSERT_EQUAL(p->gateway6_line, 0);
	CU_ASSERT_EQUAL(p->gateway, IP(10, 1, 0, 254));
	CU_ASSERT_EQUAL(p->n_routes, 1);

	CU_ASSERT_EQUAL_FATAL(cfg->n_services, 3);
	s = &cfg->services[0];
	CU_ASSERT_EQUAL(s->v6, 1);
	CU_ASSERT(v6_eq(s->vip6, "2001:db8::100"));
	CU_ASSERT_EQUAL(s->vip, 0);
	CU_ASSERT_EQUAL(s->vip_line, 13);
	CU_ASSERT_EQUAL(s->mode, SL_MODE_NAT);
	CU_ASSERT_EQUAL_FATAL(s->n_backends, 3);
	b = &s->backends[0];
	CU_ASSERT_EQUAL(b->v6, 1);
	CU_ASSERT(v6_eq(b->addr6, "fd00:1::11"));
	CU_ASSERT_EQUAL(b->addr, 0);
	CU_ASSERT_EQUAL(b->port, 8080);
	CU_ASSERT_EQUAL(b->weight, 3);
	CU_ASSERT_EQUAL(b->line, 17);
	b = &s->backends[1];
	CU_ASSERT(v6_eq(b->addr6, "2001:db9::5"));
	CU_ASSERT_STRING_EQUAL(b->id, "far");
	CU_ASSERT_EQUAL(b->weight, 1);
	CU_ASSERT_EQUAL(s->backends[2].port, 8081);
	s = &cfg->services[1];
	CU_ASSERT_EQUAL(s->v6, 1);
	CU_ASSERT_EQUAL(s->proto, IPPROTO_UDP);
	CU_ASSERT(v6_eq(s->backends[0].addr6, "fd00:1::12"));
	s = &cfg->services[2];
	CU_ASSERT_EQUAL(s->v6, 0);
	CU_ASSERT(v6_eq(s->vip6, "::"));
	CU_ASSERT_EQUAL(s->vip, IP(10, 0, 0, 100));
	CU_ASSERT_EQUAL(s->backends[0].v6, 0);
	CU_ASSERT_EQUAL(s->backends[0].addr, IP(10, 1, 0, 11));
	sl_config_free(cfg);
}

/* Files that differ from a valid one by one line each: all accepted. */
static void
test_v6_blocks_valid(void)
{
	static const char *const ok[] = {
		V6_OUT V6_SVC "backend = [2001:db8::11]:80\n",
		/* an IPv6 gateway inside the subnet; checks through the
		 * port that has it */
		V6_OUT "gateway = 2001:db8::fe\nkernel_interface = k0\n" V6_IN
		V6_SVC "check = tcp\nbackend = [2001:db9::11]:80\n",
		/* /127 and /128 have no subnet-router anycast address */
		"[port.a]\ndevice = net_null0\naddress = 10.0.0.1/24\naddress = 2001:db8::/127\n"
		V6_SVC "backend = [2001:db8::1]:80\n",
		/* the same IPv6 VIP on another port of the service */
		V6_OUT V6_SVC "backend = [2001:db8::11]:80\n"
		"[service.x]\nvip = 2001:db8::100\nport = 443\nprotocol = tcp\nbackend = [2001:db8::11]:443\n",
		/* an IPv4 and an IPv6 service side by side, IPv4 checks unchanged */
		V6_OUT V6_SVC "backend = [2001:db8::11]:80\n" SVC_A,
	};
	unsigned i;

	for (i = 0; i < DIM(ok); i++) {
		char err[512] = "";
		struct sl_config *cfg;

		cfg = sl_config_parse_string(ok[i], "ok.ini", err, sizeof(err));
		if (cfg == NULL)
			printf("\n  valid case %u refused: %s\n", i, err);
		CU_ASSERT_PTR_NOT_NULL(cfg);
		sl_config_free(cfg);
	}
}

/* IPv6 dr and tunnel services check through the VIP by default, as
 * IPv4 ones do; check_target = backend still picks the own address */
static void
test_v6_oneway_check_target(void)
{
	static const struct {
		const char *extra;
		uint8_t mode, check_backend;
	} cases[] = {
		{ "mode = dr\n", SL_MODE_DR, 0 },
		{ "mode = dr\ncheck_target = vip\n", SL_MODE_DR, 0 },
		{ "mode = dr\ncheck_target = backend\n", SL_MODE_DR, 1 },
		{ "mode = tunnel\n", SL_MODE_TUNNEL, 0 },
		{ "mode = tunnel\ncheck_target = backend\n", SL_MODE_TUNNEL, 1 },
		{ "mode = tunnel\nencap = gue\n", SL_MODE_TUNNEL, 0 },
		{ "mode = tunnel\nencap = gre\n", SL_MODE_TUNNEL, 0 },
	};
	unsigned i;

	for (i = 0; i < DIM(cases); i++) {
		char text[512];
		struct sl_config *cfg;
		const struct sl_config_service *sv;

		snprintf(text, sizeof(text), V6_OUT "kernel_interface = k0\n"
			 "local_address = 2001:db8::5\n" V6_SVC "%s"
			 "check = tcp\nbackend = [2001:db8::11]:80\n", cases[i].extra);
		cfg = parse_ok(text);
		CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
		CU_ASSERT_EQUAL_FATAL(cfg->n_services, 1);
		sv = &cfg->services[0];
		CU_ASSERT_EQUAL(sv->v6, 1);
		CU_ASSERT_EQUAL(sv->mode, cases[i].mode);
		CU_ASSERT_EQUAL(sv->check.kind, SL_CHECK_TCP);
		if (sv->check_backend != cases[i].check_backend)
			printf("\n  case %u: check_backend %u\n", i, sv->check_backend);
		CU_ASSERT_EQUAL(sv->check_backend, cases[i].check_backend);
		sl_config_free(cfg);
	}
}

static const struct bad_case v6_bad_cases[] = {
	/* port addresses */
	{ PORT_A "address = 2001:db8::g/64\n" SVC_A, 4,
	  "address '2001:db8::g' is not an IPv6 address (expected e.g. 2001:db8::1)" },
	{ PORT_A "address = 2001:db8::1/129\n" SVC_A, 4, "prefix length 129 is out of range (expected 1..128)" },
	{ PORT_A "address = 2001:db8::1\n" SVC_A, 4,
	  "address '2001:db8::1' has no prefix length (expected ADDR/P with P 1..128" },
	{ PORT_A "address = 2001:db8::/64\n" SVC_A, 4,
	  "address 2001:db8::/64 is the subnet-router anycast address of its subnet (expected the port's own host address, e.g. 2001:db8::1/64)" },
	{ PORT_A "address = ff02::1/64\n" SVC_A, 4, "address ff02::1 is a multicast address (expected a unicast address)" },
	{ PORT_A "address = ::1/128\n" SVC_A, 4, "address ::1 is the loopback address" },
	{ PORT_A "address = ::ffff:10.0.0.1/120\n" SVC_A, 4, "address ::ffff:10.0.0.1 is an IPv4-mapped address" },
	{ V6_OUT "address = 2001:db8::2/64\n" SVC_A, 5,
	  "a second IPv6 address in [port.out]: one IPv4 and one IPv6 address per port (first at line 4)" },
	{ "[port.a]\ndevice = net_null0\naddress = 2001:db8::1/64\n" SVC_A, 1,
	  "[port.a] has no IPv4 address (add 'address = A.B.C.D/P'" },
	{ V6_OUT "[port.in]\ndevice = net_null1\naddress = 10.1.0.1/24\naddress = 2001:db8:0:0:1::1/48\n" SVC_A, 8,
	  "subnet 2001:db8::/48 of [port.in] overlaps subnet 2001:db8::/64 of [port.out] (line 4); ports need disjoint subnets" },
	/* gateways */
	{ PORT_A "gateway = 2001:db8::fe\n" SVC_A, 4,
	  "IPv6 gateway 2001:db8::fe of [port.a] needs an IPv6 address on the port" },
	{ V6_OUT "gateway = 2001:db9::1\n" SVC_A, 5,
	  "gateway 2001:db9::1 is outside the IPv6 subnet 2001:db8::/64 of [port.out] (an IPv6 gateway must be on the port's own subnet or a link-local fe80::/10 address)" },
	{ V6_OUT "gateway = 2001:db8::1\n" SVC_A, 5,
	  "gateway 2001:db8::1 is the IPv6 address of [port.out] itself (line 4)" },
	{ V6_OUT "gateway = 2001:db8::\n" SVC_A, 5,
	  "gateway 2001:db8:: is the subnet-router anycast address of subnet 2001:db8::/64" },
	{ V6_OUT "gateway = ff02::2\n" SVC_A, 5, "gateway ff02::2 is a multicast address" },
	{ V6_OUT "gateway = 2001:db8::fe\ngateway = 2001:db8::fd\n" SVC_A, 6,
	  "a second IPv6 gateway in [port.out]: one IPv4 and one IPv6 gateway per port (first at line 5)" },
	{ V6_OUT "gateway = 2001:db8::fe\n" V6_IN "gateway = fd00:1::fe\n" SVC_A, 10,
	  "a second IPv6 gateway in [port.in]: [port.out] has one (line 5); at most one IPv6 gateway (or route ::/0) over all ports" },
	/* VIPs */
	{ V6_OUT "[service.w6]\nvip = ff05::1\n", 6, "vip ff05::1 is a multicast address (expected a unicast address)" },
	{ V6_OUT "[service.w6]\nvip = ::\n", 6, "vip :: is the unspecified address" },
	{ V6_OUT "[service.w6]\nvip = 2001:db8::1\nport = 80\nprotocol = tcp\nbackend = [2001:db8::11]:80\n", 6,
	  "vip 2001:db8::1 is the own address of [port.out] (line 4); choose another address" },
	{ V6_OUT V6_SVC "backend = [2001:db8::11]:80\n"
	  "[service.x]\nvip = 2001:db8::100\nport = 80\nprotocol = tcp\nbackend = [2001:db8::12]:80\n", 10,
	  "[service.x] has the same vip:port/protocol [2001:db8::100]:80/tcp as [service.w6] (line 5)" },
	/* backends */
	{ V6_OUT SVC_HDR "backend = [2001:db8::11]:80\n", 9,
	  "backend [2001:db8::11]:80 is IPv6 but [service.s] has an IPv4 vip; translating IPv4 clients to IPv6 backends (NAT46) is not supported" },
	{ V6_OUT V6_SVC "backend = 10.0.0.11:80\n", 9,
	  "backend 10.0.0.11:80 is IPv4 but [service.w6] has an IPv6 vip; mode nat keeps the family (use mode = fullnat to reach IPv4 backends: NAT64)" },
	{ V6_OUT V6_SVC "mode = fullnat\nbackend = [2001:db8::11]:80\n", 10,
	  "service w6 is fullnat: [port.out], the port that reaches backend 2001:db8::11, has no IPv6 local_address (add 'local_address = ADDR' with an unused address of its IPv6 subnet)" },
	{ V6_OUT "local_address = 2001:db8::50-2001:db8::52\n" V6_SVC "backend = [2001:db8::11]:80\n", 5,
	  "local_address '2001:db8::50-2001:db8::52': IPv6 local addresses are given one by one, not as ranges" },
	{ V6_OUT "local_address = 2001:db9::50\n" V6_SVC "mode = fullnat\nbackend = [2001:db8::11]:80\n", 5,
	  "local_address 2001:db9::50 is outside the IPv6 subnet of [port.out]" },
	{ V6_OUT "local_address = 2001:db8::1\n" V6_SVC "mode = fullnat\nbackend = [2001:db8::11]:80\n", 5,
	  "local_address 2001:db8::1 is the own address of [port.out]" },
	{ V6_OUT "local_address = 2001:db8::100\n" V6_SVC "mode = fullnat\nbackend = [2001:db8::11]:80\n", 5,
	  "local_address 2001:db8::100 of [port.out] is the vip of [service.w6]; a local address must be free" },
	{ V6_OUT "local_address = 2001:db8::50 2001:db8::50\n" V6_SVC "mode = fullnat\nbackend = [2001:db8::11]:80\n", 5,
	  "local_address 2001:db8::50 is given twice (first at line 5)" },
	{ V6_OUT V6_SVC "mode = fullnat\nbackend = 10.0.0.11:80\n", 10,
	  "service w6 is fullnat: [port.out], the port that reaches backend 10.0.0.11, has no local_address" },
	{ V6_OUT V6_SVC "proxy_protocol = v2\nbackend = [2001:db8::11]:80\n", 9,
	  "proxy_protocol of [service.w6]: IPv6 services do not send Proxy Protocol headers yet" },
	{ V6_OUT V6_SVC "backend = [2001:db8::11]:80\nmode = tunnel\n", 9,
	  "service w6 is tunnel: [port.out], the port that reaches backend 2001:db8::11, has no IPv6 local_address" },
	/* checks through an IPv6 VIP leave by the kernel interface too */
	{ V6_OUT V6_SVC "mode = dr\ncheck = tcp\nbackend = [2001:db8::11]:80\n", 10,
	  "health checks of [service.w6] need kernel_interface on [port.out]" },
	{ V6_OUT V6_SVC "mode = dr\nbackend = [2001:db8::11]:8080\n", 10,
	  "backend [2001:db8::11]:8080 of [service.w6]: mode dr keeps the destination port, so the backend serves port 80" },
	{ V6_OUT V6_SVC "backend = [2001:db9::11]:80\n", 9,
	  "backend 2001:db9::11 is not reachable: it is inside no port's IPv6 subnet and no IPv6 route covers it (add 'route = PREFIX via GATEWAY' or 'gateway = GATEWAY' with IPv6 addresses to the port that reaches it)" },
	{ V6_OUT V6_SVC "backend = [2001:db8::11]:80\nbackend = [2001:db8::11]:80\n", 10,
	  "duplicate backend [2001:db8::11]:80 in [service.w6] (first at line 9)" },
	{ V6_OUT V6_SVC "backend = 2001:db8::11:80\n", 9,
	  "backend '2001:db8::11:80': an IPv6 address needs brackets (expected [ADDR]:PORT, e.g. [2001:db8::11]:8080)" },
	{ V6_OUT V6_SVC "backend = [2001:db8::11:80\n", 9, "backend '[2001:db8::11:80' has no ']'" },
	{ V6_OUT V6_SVC "backend = [2001:db8::1]:80\n", 9,
	  "backend 2001:db8::1 is the own address of [port.out] (line 4); choose another address" },
	{ V6_OUT V6_SVC "backend = [2001:db8::]:80\n", 9,
	  "backend 2001:db8:: is the subnet-router anycast address of subnet 2001:db8::/64 of [port.out]" },
	{ V6_OUT V6_SVC "backend = [2001:db8::100]:80\n", 9,
	  "backend 2001:db8::100 is the vip of [service.w6] (line 6); a backend must be a real server" },
	/* checks leave through the port of the longest prefix: the
	 * subnet of [port.in] before the gateway of [port.out] */
	{ V6_OUT "gateway = 2001:db8::fe\nkernel_interface = k0\n" V6_IN V6_SVC
	  "check = tcp\nbackend = [fd00:1::11]:80\n", 15,
	  "health checks of [service.w6] need kernel_interface on [port.in], the port that reaches backend fd00:1::11" },
	{ V6_OUT V6_SVC "check = tcp\nbackend = [2001:db8::11]:80\n", 9,
	  "health checks of [service.w6] need kernel_interface on [port.out]" },
};

static void
test_v6_invalid(void)
{
	unsigned i, failed = 0;

	for (i = 0; i < DIM(v6_bad_cases); i++) {
		const struct bad_case *bc = &v6_bad_cases[i];
		char err[1024] = "", prefix[32];
		struct sl_config *cfg;
		bool ok;

		cfg = sl_config_parse_string(bc->text, "t.ini", err, sizeof(err));
		snprintf(prefix, sizeof(prefix), "t.ini:%d: ", bc->line);
		ok = cfg == NULL &&
		     strncmp(err, prefix, strlen(prefix)) == 0 &&
		     strstr(err, bc->phrase) != NULL;
		if (!ok) {
			printf("\n  v6 case %u: want '%s...%s'\n             got  '%s'",
			       i, prefix, bc->phrase, cfg ? "(accepted)" : err);
			failed++;
		}
		CU_ASSERT(ok);
		sl_config_free(cfg);
	}
	if (failed)
		printf("\n  %u of %zu invalid IPv6 cases wrong\n", failed, DIM(v6_bad_cases));
}

/* The shared backend parser with [ADDR]:PORT. */
static void
test_v6_backend_parse(void)
{
	static const struct { const char *spec, *why; } bad[] = {
		{ "[2001:db8::11]", "backend '[2001:db8::11]' has no port (expected [ADDR]:PORT" },
		{ "[2001:db8::11]80", "backend '[2001:db8::11]80' has no port" },
		{ "[2001:db8::11:80", "backend '[2001:db8::11:80' has no ']'" },
		{ "2001:db8::11:80", "an IPv6 address needs brackets" },
		{ "[10.0.0.1]:80", "backend address '10.0.0.1' is not an IPv6 address" },
		{ "[::1]:80", "backend address ::1 is the loopback address" },
		{ "[ff02::1]:80", "backend address ff02::1 is a multicast address" },
		{ "[::ffff:10.0.0.1]:80", "is an IPv4-mapped address" },
		{ "[2001:db8::11]:0", "backend port 0 is out of range" },
		{ "[2001:db8::11]:80 weight=x", "backend weight 'x' is not a number" },
	};
	struct sl_config_backend b;
	uint8_t want[16];
	char err[512];
	unsigned i;

	CU_ASSERT_EQUAL_FATAL(sl_config_backend_parse("[2001:db8::11]:8080 weight=3", &b, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(inet_pton(AF_INET6, "2001:db8::11", want), 1);
	CU_ASSERT_EQUAL(b.v6, 1);
	CU_ASSERT_EQUAL(memcmp(b.addr6, want, 16), 0);
	CU_ASSERT_EQUAL(b.addr6[0], 0x20);
	CU_ASSERT_EQUAL(b.addr6[15], 0x11);
	CU_ASSERT_EQUAL(b.addr, 0);
	CU_ASSERT_EQUAL(b.port, 8080);
	CU_ASSERT_EQUAL(b.weight, 3);
	CU_ASSERT_STRING_EQUAL(b.id, "");
	CU_ASSERT_EQUAL(b.line, 0);
	CU_ASSERT_EQUAL_FATAL(sl_config_backend_parse("[fd00::1:2]:53 id=dns-1 state=drain check_port=5353",
						      &b, err, sizeof(err)), 0);
	CU_ASSERT(v6_eq(b.addr6, "fd00::1:2"));
	CU_ASSERT_EQUAL(b.port, 53);
	CU_ASSERT_STRING_EQUAL(b.id, "dns-1");
	CU_ASSERT_EQUAL(b.drain, 1);
	CU_ASSERT_EQUAL(b.check_port, 5353);
	/* IPv4 still has v6 = 0 */
	CU_ASSERT_EQUAL_FATAL(sl_config_backend_parse("10.1.0.11:80", &b, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(b.v6, 0);
	CU_ASSERT(v6_eq(b.addr6, "::"));
	for (i = 0; i < DIM(bad); i++) {
		err[0] = '\0';
		CU_ASSERT_EQUAL(sl_config_backend_parse(bad[i].spec, &b, err, sizeof(err)), -EINVAL);
		if (strstr(err, bad[i].why) == NULL)
			printf("\n  '%s': want '%s', got '%s'\n", bad[i].spec, bad[i].why, err);
		CU_ASSERT_PTR_NOT_NULL(strstr(err, bad[i].why));
	}
}

/* A runtime "add backend" of an IPv6 backend meets the file's rules. */
static void
test_v6_edit(void)
{
	struct sl_config *base, *cfg;
	struct sl_config_service *s;
	char err[512] = "";

	base = sl_config_parse_string(V6_OUT V6_SVC "backend = [2001:db8::11]:80\n" SVC_HDR
				      "backend = 10.0.0.11:80\n", "e.ini", err, sizeof(err));
	if (base == NULL)
		printf("\n  %s\n", err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(base);
	cfg = malloc(sizeof(*cfg));
	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);

	memcpy(cfg, base, sizeof(*cfg));
	s = &cfg->services[0];
	CU_ASSERT_EQUAL_FATAL(sl_config_backend_parse("[2001:db8::12]:80", &s->backends[s->n_backends++],
						      err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(sl_config_validate_edit(cfg, "add backend", err, sizeof(err)), 0);

	memcpy(cfg, base, sizeof(*cfg));
	s = &cfg->services[0];
	CU_ASSERT_EQUAL_FATAL(sl_config_backend_parse("[2001:db8::11]:80 weight=2", &s->backends[s->n_backends++],
						      err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(sl_config_validate_edit(cfg, "add backend", err, sizeof(err)), -EINVAL);
	CU_ASSERT_STRING_EQUAL(err, "add backend: duplicate backend [2001:db8::11]:80 in [service.w6]");

	memcpy(cfg, base, sizeof(*cfg));
	s = &cfg->services[1];
	CU_ASSERT_EQUAL_FATAL(sl_config_backend_parse("[2001:db8::12]:80", &s->backends[s->n_backends++],
						      err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(sl_config_validate_edit(cfg, "add backend", err, sizeof(err)), -EINVAL);
	CU_ASSERT_STRING_EQUAL(err, "add backend: backend [2001:db8::12]:80 is IPv6 but [service.s] has an IPv4 vip; translating IPv4 clients to IPv6 backends (NAT46) is not supported");
	free(cfg);
	sl_config_free(base);
}

/*
 * Each case against the first: the exact reason, or none; and the same
 * answer the other way round.
 */
static void
restart_cases(const struct restart_case *cases, unsigned n)
{
	char err[512] = "", buf[160];
	struct sl_config *a, *b;
	unsigned i;

	a = sl_config_parse_string(cases[0].text, "a.ini", err, sizeof(err));
	if (a == NULL)
		printf("\n  %s\n", err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	for (i = 0; i < n; i++) {
		int r;

		b = sl_config_parse_string(cases[i].text, "b.ini", err, sizeof(err));
		if (b == NULL)
			printf("\n  case %u: %s\n", i, err);
		CU_ASSERT_PTR_NOT_NULL(b);
		if (b == NULL)
			continue;
		strcpy(buf, "(untouched)");
		r = sl_config_restart_diff(a, b, buf, sizeof(buf));
		if (cases[i].want == NULL) {
			if (r != 0)
				printf("\n  case %u: restart wanted: %s\n", i, buf);
			CU_ASSERT_EQUAL(r, 0);
		} else {
			if (r != 1 || strcmp(buf, cases[i].want) != 0)
				printf("\n  case %u: want '%s', got %d '%s'\n", i, cases[i].want, r, buf);
			CU_ASSERT_EQUAL(r, 1);
			CU_ASSERT_STRING_EQUAL(buf, cases[i].want);
		}
		/* and back again */
		CU_ASSERT_EQUAL(sl_config_restart_diff(b, a, buf, sizeof(buf)), cases[i].want != NULL);
		sl_config_free(b);
	}
	sl_config_free(a);
}

#define RD_IN "[port.inside]\ndevice = net_null0\naddress = 10.1.0.1/24\n"

/* A port's IPv6 address and gateway are restart keys; IPv6 services are not. */
static void
test_v6_restart_diff(void)
{
	static const struct restart_case cases[] = {
		{ RS_EAL RS_OUT RD_IN "address = fd00::1/64\ngateway = fd00::fe\n" RS_SVC, NULL },
		{ RS_EAL RS_OUT RD_IN "gateway = fd00::fe\naddress = fd00:0::1/64\n" RS_SVC
		  V6_SVC "backend = [fd00::11]:80\n", NULL },
		{ RS_EAL RS_OUT RD_IN "address = fd00::2/64\ngateway = fd00::fe\n" RS_SVC,
		  "[port.inside] IPv6 address changed" },
		{ RS_EAL RS_OUT RD_IN "address = fd00::1/56\ngateway = fd00::fe\n" RS_SVC,
		  "[port.inside] IPv6 address changed" },
		{ RS_EAL RS_OUT RD_IN RS_SVC, "[port.inside] IPv6 address changed" },
		{ RS_EAL RS_OUT RD_IN "address = fd00::1/64\ngateway = fd00::fd\n" RS_SVC,
		  "[port.inside] IPv6 gateway changed" },
		{ RS_EAL RS_OUT RD_IN "address = fd00::1/64\ngateway = fe80::1\n" RS_SVC,
		  "[port.inside] IPv6 gateway changed" },
		{ RS_EAL RS_OUT RD_IN "address = fd00::1/64\n" RS_SVC,
		  "[port.inside] IPv6 gateway changed" },
	};
	restart_cases(cases, DIM(cases));
}

/*
 * IPv6 static routes: a router's networks behind the inside port (one
 * gateway on the subnet, one link-local), the default route on the
 * outside. Checks leave through the port of the longest prefix.
 */
static void
test_v6_routes(void)
{
	static const char text[] =
		"[port.out]\n"					/* 1 */
		"device = net_null0\n"
		"address = 10.0.0.1/24\n"
		"address = 2001:db8::1/64\n"
		"gateway = fe80::1\n"				/* 5 */
		"kernel_interface = k-out\n"
		"[port.in]\n"					/* 7 */
		"device = net_null1\n"
		"address = 10.1.0.1/24\n"
		"address = fd00:1::1/64\n"			/* 10 */
		"route = 2001:db8:5::/48 via fd00:1::fe\n"	/* 11 */
		"route = 2001:db8:5:1::/64 via fe80::2\n"	/* 12 */
		"route = fd00:2::5/128 via fd00:1::fd\n"	/* 13 */
		"route = 10.20.0.0/16 via 10.1.0.254\n"		/* 14 */
		"kernel_interface = k-in\n"
		"[service.w6]\n"				/* 16 */
		"vip = 2001:db8::100\n"
		"port = 80\n"
		"protocol = tcp\n"
		"check = tcp\n"
		"backend = [2001:db8:5::11]:80\n"		/* 21: in, /48 */
		"backend = [2001:db8:5:1::11]:80\n"		/* in, /64 */
		"backend = [fd00:2::5]:80\n"			/* in, /128 */
		"backend = [2001:db9::11]:80\n";		/* out, ::/0 */
	const struct sl_config_port *o, *in;
	struct sl_config *cfg;
	char err[512] = "";

	cfg = sl_config_parse_string(text, "r6.ini", err, sizeof(err));
	if (cfg == NULL)
		printf("\n  unexpected error: %s\n", err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
	o = &cfg->ports[0];
	in = &cfg->ports[1];
	/* the IPv6 gateway is the route ::/0 */
	CU_ASSERT_EQUAL_FATAL(o->n_routes6, 1);
	CU_ASSERT(v6_eq(o->routes6[0].prefix, "::"));
	CU_ASSERT_EQUAL(o->routes6[0].len, 0);
	CU_ASSERT(v6_eq(o->routes6[0].via, "fe80::1"));
	CU_ASSERT_EQUAL(o->routes6[0].line, 5);
	CU_ASSERT(v6_eq(o->gateway6, "fe80::1"));
	CU_ASSERT_EQUAL(o->n_routes, 0);
	CU_ASSERT_EQUAL_FATAL(in->n_routes6, 3);
	CU_ASSERT(v6_eq(in->routes6[0].prefix, "2001:db8:5::"));
	CU_ASSERT_EQUAL(in->routes6[0].len, 48);
	CU_ASSERT(v6_eq(in->routes6[0].via, "fd00:1::fe"));
	CU_ASSERT_EQUAL(in->routes6[0].line, 11);
	CU_ASSERT(v6_eq(in->routes6[1].prefix, "2001:db8:5:1::"));
	CU_ASSERT_EQUAL(in->routes6[1].len, 64);
	CU_ASSERT(v6_eq(in->routes6[1].via, "fe80::2"));
	CU_ASSERT(v6_eq(in->routes6[2].prefix, "fd00:2::5"));
	CU_ASSERT_EQUAL(in->routes6[2].len, 128);
	CU_ASSERT_EQUAL(in->routes6[2].line, 13);
	/* no default route on the inside; its IPv4 route apart */
	CU_ASSERT(v6_eq(in->gateway6, "::"));
	CU_ASSERT_EQUAL(in->gateway6_line, 0);
	CU_ASSERT_EQUAL_FATAL(in->n_routes, 1);
	CU_ASSERT_EQUAL(in->routes[0].prefix, IP(10, 20, 0, 0));
	CU_ASSERT_EQUAL(cfg->services[0].n_backends, 4);
	sl_config_free(cfg);

	/* route ::/0 is the gateway */
	cfg = sl_config_parse_string(V6_OUT "route = ::/0 via 2001:db8::fe\n" V6_SVC
				     "backend = [2001:db9::11]:80\n", "r6.ini", err, sizeof(err));
	if (cfg == NULL)
		printf("\n  unexpected error: %s\n", err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
	CU_ASSERT(v6_eq(cfg->ports[0].gateway6, "2001:db8::fe"));
	CU_ASSERT_EQUAL(cfg->ports[0].gateway6_line, 5);
	CU_ASSERT_EQUAL(cfg->ports[0].n_routes6, 1);
	sl_config_free(cfg);

	/* the longest prefix decides the check port: the /48 on the inside
	 * with kernel_interface, although the outside has the default
	 * route; without it on the inside, refused */
	cfg = sl_config_parse_string(V6_OUT "gateway = 2001:db8::fe\n"
				     V6_IN "route = 2001:db8:5::/48 via fd00:1::fe\nkernel_interface = k-in\n"
				     V6_SVC "check = tcp\nbackend = [2001:db8:5::11]:80\n",
				     "r6.ini", err, sizeof(err));
	if (cfg == NULL)
		printf("\n  unexpected error: %s\n", err);
	CU_ASSERT_PTR_NOT_NULL(cfg);
	sl_config_free(cfg);
	/* a subnet wins over a route of the same length elsewhere */
	cfg = sl_config_parse_string(V6_OUT "route = fd00:1::/56 via 2001:db8::fe\nkernel_interface = k-out\n"
				     "[port.in]\ndevice = net_null1\naddress = 10.1.0.1/24\naddress = fd00:1::1/56\n"
				     V6_SVC "check = tcp\nbackend = [fd00:1::11]:80\n",
				     "r6.ini", err, sizeof(err));
	CU_ASSERT_PTR_NULL(cfg);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "r6.ini:5: route fd00:1::/56 is the IPv6 subnet of [port.in] (line 10)"));
	sl_config_free(cfg);
}

static const struct bad_case v6_route_bad_cases[] = {
	/* syntax */
	{ V6_OUT "route = 2001:db8:5::/48\n" SVC_A, 5,
	  "route '2001:db8:5::/48' is not PREFIX via GATEWAY (expected 'route = PREFIX via GATEWAY', e.g. route = 48.0.0.0/8 via 10.1.0.254 or route = 2001:db8:5::/48 via fd00:1::fe)" },
	{ V6_OUT "route = 2001:db8:5:: via 2001:db8::fe\n" SVC_A, 5,
	  "route prefix '2001:db8:5::' has no prefix length (expected ADDR/P with P 0..128, e.g. 2001:db8:5::/48)" },
	{ V6_OUT "route = 2001:db8:5:::/48 via 2001:db8::fe\n" SVC_A, 5,
	  "route prefix '2001:db8:5:::/48' is not an IPv6 prefix (expected ADDR/P, e.g. 2001:db8:5::/48)" },
	{ V6_OUT "route = 2001:db8:5::/129 via 2001:db8::fe\n" SVC_A, 5,
	  "route prefix length 129 is out of range (expected 0..128)" },
	{ V6_OUT "route = 2001:db8:5::1/48 via 2001:db8::fe\n" SVC_A, 5,
	  "route prefix 2001:db8:5::1/48 has host bits set beyond /48 (did you mean 2001:db8:5::/48?)" },
	{ V6_OUT "route = 2001:db8:5:ff00::/50 via 2001:db8::fe\n" SVC_A, 5,
	  "route prefix 2001:db8:5:ff00::/50 has host bits set beyond /50 (did you mean 2001:db8:5:c000::/50?)" },
	{ V6_OUT "route = ::1/0 via 2001:db8::fe\n" SVC_A, 5, "has host bits set beyond /0 (did you mean ::/0?)" },
	/* families */
	{ V6_OUT "route = 2001:db8:5::/48 via 10.0.0.254\n" SVC_A, 5,
	  "route 2001:db8:5::/48 via 10.0.0.254: the gateway of an IPv6 prefix is an IPv6 address (a host on the port's IPv6 subnet or a link-local fe80::/10 address)" },
	{ V6_OUT "route = 48.0.0.0/8 via 2001:db8::fe\n" SVC_A, 5,
	  "route 48.0.0.0/8 via 2001:db8::fe: the gateway of an IPv4 prefix is an IPv4 address (a host on the port's subnet)" },
	{ PORT_A "route = 2001:db8:5::/48 via 2001:db8::fe\n" SVC_A, 4,
	  "IPv6 route 2001:db8:5::/48 of [port.a] needs an IPv6 address on the port (add a second 'address = ADDR/P' with the port's IPv6 address)" },
	{ PORT_A "route = ::/0 via 2001:db8::fe\n" SVC_A, 4,
	  "IPv6 gateway 2001:db8::fe of [port.a] needs an IPv6 address on the port" },
	/* gateways */
	{ V6_OUT "route = 2001:db8:5::/48 via ff02::2\n" SVC_A, 5,
	  "route gateway ff02::2 is a multicast address (expected a unicast address)" },
	{ V6_OUT "route = 2001:db8:5::/48 via fd00:1::fe\n" V6_IN SVC_A, 5,
	  "gateway fd00:1::fe of route 2001:db8:5::/48 is not on the IPv6 subnet 2001:db8::/64 of [port.out] (a gateway must be a host on the port's own subnet or a link-local fe80::/10 address)" },
	{ V6_OUT "route = 2001:db8:5::/48 via 2001:db8::1\n" SVC_A, 5,
	  "gateway 2001:db8::1 of route 2001:db8:5::/48 is the IPv6 address of [port.out] itself (expected another host on its subnet)" },
	{ V6_OUT "route = 2001:db8:5::/48 via 2001:db8::\n" SVC_A, 5,
	  "gateway 2001:db8:: of route 2001:db8:5::/48 is the subnet-router anycast address of subnet 2001:db8::/64 (expected a host on the subnet)" },
	{ V6_OUT "route = ::/0 via 2001:db9::1\n" SVC_A, 5,
	  "gateway 2001:db9::1 is outside the IPv6 subnet 2001:db8::/64 of [port.out]" },
	/* duplicates, defaults, connected subnets */
	{ V6_OUT "route = 2001:db8:5::/48 via 2001:db8::fe\nroute = 2001:db8:5::/48 via 2001:db8::fd\n" SVC_A, 6,
	  "duplicate route 2001:db8:5::/48 in [port.out] (first at line 5 in [port.out])" },
	{ V6_OUT "route = 2001:db8:5::/48 via 2001:db8::fe\n" V6_IN "route = 2001:db8:5::/48 via fd00:1::fe\n" SVC_A, 10,
	  "duplicate route 2001:db8:5::/48 in [port.in] (first at line 5 in [port.out])" },
	{ V6_OUT "gateway = 2001:db8::fe\nroute = ::/0 via 2001:db8::fd\n" SVC_A, 6,
	  "a second IPv6 default route in [port.out] ([port.out] has one at line 5); at most one IPv6 default route (gateway, or route ::/0) over all ports" },
	{ V6_OUT "route = ::/0 via 2001:db8::fd\ngateway = 2001:db8::fe\n" SVC_A, 6,
	  "a second IPv6 default route in [port.out] ([port.out] has one at line 5)" },
	{ V6_OUT "route = ::/0 via 2001:db8::fe\n" V6_IN "route = ::/0 via fd00:1::fe\n" SVC_A, 10,
	  "a second IPv6 gateway in [port.in]: [port.out] has one (line 5); at most one IPv6 gateway (or route ::/0) over all ports" },
	{ V6_OUT "route = fd00:1::/64 via 2001:db8::fe\n" V6_IN SVC_A, 5,
	  "route fd00:1::/64 is the IPv6 subnet of [port.in] (line 9), which Sluice reaches directly; remove the route" },
	{ V6_OUT "route = 2001:db8::/64 via 2001:db8::fe\n" SVC_A, 5,
	  "route 2001:db8::/64 is the IPv6 subnet of [port.out] (line 4), which Sluice reaches directly" },
	/* local addresses are free: not a route's gateway */
	{ V6_OUT "route = 2001:db8:5::/48 via 2001:db8::fe\nlocal_address = 2001:db8::fe\n" SVC_A, 6,
	  "local_address 2001:db8::fe of [port.out] is the gateway of route 2001:db8:5::/48 in [port.out] (line 5); a local address must be free" },
	{ V6_OUT "gateway = 2001:db8::fe\nlocal_address = 2001:db8::fe\n" SVC_A, 6,
	  "local_address 2001:db8::fe of [port.out] is the gateway of route ::/0 in [port.out] (line 5)" },
	/* dr: a route inside the subnet is longer, the backend behind it */
	{ V6_OUT "route = 2001:db8::8000:0:0:0/65 via 2001:db8::fe\n" V6_SVC
	  "mode = dr\nbackend = [2001:db8::8000:0:0:11]:80\n", 11,
	  "backend 2001:db8::8000:0:0:11 of [service.w6] is not on a directly connected network: mode dr hands the frame to the backend's MAC address, so it must be inside the IPv6 subnet of a port, not behind a route" },
	/* a backend no route covers; checks through the port of the
	 * longest prefix */
	{ V6_OUT V6_IN "route = 2001:db8:5::/48 via fd00:1::fe\n" V6_SVC "backend = [2001:db8:6::11]:80\n", 14,
	  "backend 2001:db8:6::11 is not reachable: it is inside no port's IPv6 subnet and no IPv6 route covers it" },
	{ V6_OUT "gateway = 2001:db8::fe\nkernel_interface = k0\n" V6_IN "route = 2001:db8:5::/48 via fd00:1::fe\n"
	  V6_SVC "check = tcp\nbackend = [2001:db8:5::11]:80\n", 16,
	  "health checks of [service.w6] need kernel_interface on [port.in], the port that reaches backend 2001:db8:5::11" },
};

static void
test_v6_routes_invalid(void)
{
	unsigned i, failed = 0;

	for (i = 0; i < DIM(v6_route_bad_cases); i++) {
		const struct bad_case *bc = &v6_route_bad_cases[i];
		char err[1024] = "", prefix[32];
		struct sl_config *cfg;
		bool ok;

		cfg = sl_config_parse_string(bc->text, "t.ini", err, sizeof(err));
		snprintf(prefix, sizeof(prefix), "t.ini:%d: ", bc->line);
		ok = cfg == NULL &&
		     strncmp(err, prefix, strlen(prefix)) == 0 &&
		     strstr(err, bc->phrase) != NULL;
		if (!ok) {
			printf("\n  v6 route case %u: want '%s...%s'\n                   got  '%s'",
			       i, prefix, bc->phrase, cfg ? "(accepted)" : err);
			failed++;
		}
		CU_ASSERT(ok);
		sl_config_free(cfg);
	}
	if (failed)
		printf("\n  %u of %zu invalid IPv6 route cases wrong\n", failed, DIM(v6_route_bad_cases));
}

/* Both families share SL_MAX_PORT_ROUTES per port. */
static void
test_v6_routes_limit(void)
{
	char text[8192], err[512] = "", want[200];
	struct sl_config *cfg;
	size_t len;
	int i, n;

	/* the IPv4 and IPv6 default routes, then half and half */
	len = (size_t)snprintf(text, sizeof(text), "%sgateway = 10.0.0.254\ngateway = 2001:db8::fe\n", V6_OUT);
	n = 2;
	for (i = 1; n < SL_MAX_PORT_ROUTES; i++, n++)
		len += (size_t)snprintf(text + len, sizeof(text) - len, i % 2 ?
					"route = 2001:db8:%x::/48 via 2001:db8::fe\n" :
					"route = 48.%d.0.0/16 via 10.0.0.254\n", i);
	snprintf(text + len, sizeof(text) - len, "%s", SVC_A);
	cfg = sl_config_parse_string(text, "lim.ini", err, sizeof(err));
	if (cfg == NULL)
		printf("\n  unexpected error: %s\n", err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
	CU_ASSERT_EQUAL(cfg->ports[0].n_routes + cfg->ports[0].n_routes6, SL_MAX_PORT_ROUTES);
	CU_ASSERT_EQUAL(cfg->ports[0].n_routes6, SL_MAX_PORT_ROUTES / 2);
	sl_config_free(cfg);

	/* one more of either family is refused at its line */
	snprintf(text + len, sizeof(text) - len, "route = 2001:db9::/32 via 2001:db8::fe\n%s", SVC_A);
	cfg = sl_config_parse_string(text, "lim.ini", err, sizeof(err));
	CU_ASSERT_PTR_NULL(cfg);
	snprintf(want, sizeof(want), "lim.ini:%d: too many routes in [port.out] (at most %d, IPv4 and IPv6 together, the default routes included)",
		 5 + SL_MAX_PORT_ROUTES, SL_MAX_PORT_ROUTES);
	CU_ASSERT_STRING_EQUAL(err, want);
	sl_config_free(cfg);
	snprintf(text + len, sizeof(text) - len, "route = 49.0.0.0/8 via 10.0.0.254\n%s", SVC_A);
	cfg = sl_config_parse_string(text, "lim.ini", err, sizeof(err));
	CU_ASSERT_PTR_NULL(cfg);
	CU_ASSERT_STRING_EQUAL(err, want);
	sl_config_free(cfg);
}

/*
 * IPv6 routes are restart keys (the kernel interface takes them at
 * start), compared as a set: order, and `gateway` against route ::/0,
 * make no difference.
 */
static void
test_v6_routes_restart_diff(void)
{
#define RD_V6 "address = fd00::1/64\n"
#define RD_R1 "route = 2001:db8:5::/48 via fd00::fd\n"
#define RD_R2 "route = 2001:db8:6::/48 via fe80::1\n"
	static const struct restart_case cases[] = {
		{ RS_EAL RS_OUT RD_IN RD_V6 "gateway = fd00::fe\n" RD_R1 RD_R2 RS_SVC, NULL },
		{ RS_EAL RS_OUT RD_IN RD_R2 RD_V6 RD_R1 "gateway = fd00::fe\n" RS_SVC, NULL },
		{ RS_EAL RS_OUT RD_IN RD_V6 "route = ::/0 via fd00::fe\n" RD_R1 RD_R2 RS_SVC, NULL },
		{ RS_EAL RS_OUT RD_IN RD_V6 "gateway = fd00::fe\n" RD_R1 RS_SVC,
		  "[port.inside] IPv6 routes changed" },
		{ RS_EAL RS_OUT RD_IN RD_V6 "gateway = fd00::fe\n" RD_R1 RD_R2
		  "route = 2001:db8:7::/48 via fd00::fd\n" RS_SVC,
		  "[port.inside] IPv6 routes changed" },
		{ RS_EAL RS_OUT RD_IN RD_V6 "gateway = fd00::fe\n" RD_R1
		  "route = 2001:db8:6::/48 via fe80::2\n" RS_SVC,
		  "[port.inside] IPv6 routes changed" },
		{ RS_EAL RS_OUT RD_IN RD_V6 "gateway = fd00::fe\n" RD_R1
		  "route = 2001:db8:6::/56 via fe80::1\n" RS_SVC,
		  "[port.inside] IPv6 routes changed" },
		/* the default route's own key says more */
		{ RS_EAL RS_OUT RD_IN RD_V6 RD_R1 RD_R2 RS_SVC, "[port.inside] IPv6 gateway changed" },
		{ RS_EAL RS_OUT RD_IN RD_V6 "gateway = fd00::fe\n" RD_R1 RD_R2
		  "route = 10.20.0.0/16 via 10.1.0.254\n" RS_SVC, "[port.inside] routes changed" },
	};

	restart_cases(cases, DIM(cases));
#undef RD_V6
#undef RD_R1
#undef RD_R2
}
#undef RD_IN

/*
 * allow/deny, conn_rate_per_client, conn_burst_per_client, max_conns:
 * values as written (lists in file order, both keys repeatable, a bare
 * address a host), refusals with the line of the key at fault.
 */
static void
test_limits_keys(void)
{
	static const char text[] =
		"[port.out]\ndevice = net_null0\naddress = 10.0.0.1/24\naddress = 2001:db8::1/64\n"
		"[service.s]\nvip = 10.0.0.100\nport = 80\nprotocol = tcp\n"   /* 5..8 */
		"allow = 10.0.0.0/8, 192.0.2.7 198.51.100.0/24\n"            /* 9 */
		"deny = 10.9.0.0/16\n"                                       /* 10 */
		"allow = 0.0.0.0/0\n"                                        /* 11 */
		"conn_rate_per_client = 20\n"
		"backend = 10.0.0.11:80 max_conns=100 weight=2\n"
		"backend = 10.0.0.12:80\n"
		"[service.w6]\nvip = 2001:db8::100\nport = 80\nprotocol = udp\n"
		"deny = 2001:db8:bad::/48,2001:db8::7\n"
		"conn_rate_per_client = 5\nconn_burst_per_client = 50\n"
		"backend = [2001:db8::11]:80 max_conns=1\n";
	char err[512] = "";
	struct sl_config *cfg = sl_config_parse_string(text, "l.ini", err, sizeof(err));
	const struct sl_config_service *s, *w6;
	uint8_t a6[16];

	if (cfg == NULL)
		printf("\n  refused: %s\n", err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
	s = &cfg->services[0];
	w6 = &cfg->services[1];
	CU_ASSERT_EQUAL(s->n_acl, 5);
	CU_ASSERT(!s->acl[0].deny && !s->acl[0].v6 && s->acl[0].len == 8 && s->acl[0].addr[12] == 10 &&
		  s->acl[0].line == 9);
	CU_ASSERT(s->acl[1].len == 32 && s->acl[1].addr[12] == 192 && s->acl[1].addr[15] == 7);
	CU_ASSERT(s->acl[2].len == 24 && s->acl[2].addr[14] == 100 && s->acl[2].line == 9);
	CU_ASSERT(s->acl[3].deny && s->acl[3].len == 16 && s->acl[3].addr[13] == 9 && s->acl[3].line == 10);
	CU_ASSERT(!s->acl[4].deny && s->acl[4].len == 0 && s->acl[4].line == 11);
	CU_ASSERT_EQUAL(s->conn_rate, 20);
	CU_ASSERT_EQUAL(s->conn_burst, 0);     /* the snapshot makes it 20 */
	CU_ASSERT_EQUAL(s->backends[0].max_conns, 100);
	CU_ASSERT_EQUAL(s->backends[0].weight, 2);
	CU_ASSERT_EQUAL(s->backends[1].max_conns, 0);
	CU_ASSERT_EQUAL(w6->n_acl, 2);
	inet_pton(AF_INET6, "2001:db8:bad::", a6);
	CU_ASSERT(w6->acl[0].deny && w6->acl[0].v6 && w6->acl[0].len == 48 &&
		  memcmp(w6->acl[0].addr, a6, 16) == 0);
	inet_pton(AF_INET6, "2001:db8::7", a6);
	CU_ASSERT(w6->acl[1].len == 128 && memcmp(w6->acl[1].addr, a6, 16) == 0);
	CU_ASSERT_EQUAL(w6->conn_rate, 5);
	CU_ASSERT_EQUAL(w6->conn_burst, 50);
	CU_ASSERT_EQUAL(w6->backends[0].max_conns, 1);
	sl_config_free(cfg);
}

#define LSVC6 "[service.w6]\nvip = 2001:db8::100\nport = 80\nprotocol = tcp\n"
static const struct bad_case limit_bad_cases[] = {
	{ PORT_A SVC_HDR "allow = 10.0.0.0/33\nbackend = 10.0.0.11:80\n", 8,
	  "prefix length 33 is out of range (expected 0..32)" },
	{ PORT_A SVC_HDR "deny = 10.1.2.0/8\nbackend = 10.0.0.11:80\n", 8,
	  "deny prefix 10.1.2.0/8 has host bits set beyond /8 (did you mean 10.0.0.0/8?)" },
	{ PORT_A SVC_HDR "allow = 10.0.0.300/24\nbackend = 10.0.0.11:80\n", 8,
	  "allow '10.0.0.300/24' is not an IPv4 prefix" },
	{ PORT_A SVC_HDR "allow = 10.0.0.0/8,,10.1.0.0/16\nbackend = 10.0.0.11:80\n", 8,
	  "allow '10.0.0.0/8,,10.1.0.0/16' has an empty item after ','" },
	{ PORT_A SVC_HDR "allow = , 10.0.0.0/8\nbackend = 10.0.0.11:80\n", 8,
	  "has an empty item before ','" },
	{ PORT_A SVC_HDR "allow = 10.0.0.0/8\nallow = 10.0.0.0/x\nbackend = 10.0.0.11:80\n", 9,
	  "prefix length 'x' is not a number" },
	{ PORT_A SVC_HDR "deny = 2001:db8::1:0/96\nbackend = 10.0.0.11:80\n", 8,
	  "deny prefix 2001:db8::1:0/96 has host bits set beyond /96 (did you mean 2001:db8::/96?)" },
	{ PORT_A SVC_HDR "backend = 10.0.0.11:80\ndeny = 2001:db8::/32\n", 9,
	  "deny: an IPv6 prefix in IPv4 service [service.s]" },
	{ V6_OUT LSVC6 "allow = 10.0.0.0/8\nbackend = [2001:db8::11]:80\n", 9,
	  "allow: an IPv4 prefix in IPv6 service [service.w6]" },
	{ PORT_A SVC_HDR "conn_rate_per_client = 0\nbackend = 10.0.0.11:80\n", 8,
	  "conn_rate_per_client 0 is out of range (expected 1..10000000)" },
	{ PORT_A SVC_HDR "conn_rate_per_client = 5\nconn_rate_per_client = 6\nbackend = 10.0.0.11:80\n", 9,
	  "duplicate key 'conn_rate_per_client'" },
	{ PORT_A SVC_HDR "backend = 10.0.0.11:80\nconn_burst_per_client = 10\n", 9,
	  "conn_burst_per_client needs conn_rate_per_client in [service.s]" },
	{ PORT_A SVC_HDR "backend = 10.0.0.11:80 max_conns=0\n", 8,
	  "backend max_conns 0 is out of range (expected 1..100000000)" },
	{ PORT_A SVC_HDR "backend = 10.0.0.11:80 max_conns=5 max_conns=6\n", 8,
	  "backend max_conns given twice" },
	{ PORT_A SVC_HDR "backend = 10.0.0.11:80 max_conns=x\n", 8,
	  "backend max_conns 'x' is not a number" },
};
#undef LSVC6

static void
test_limits_invalid(void)
{
	unsigned i, failed = 0;

	for (i = 0; i < DIM(limit_bad_cases); i++) {
		const struct bad_case *bc = &limit_bad_cases[i];
		char err[1024] = "", prefix[32];
		struct sl_config *cfg;
		bool ok;

		cfg = sl_config_parse_string(bc->text, "t.ini", err, sizeof(err));
		snprintf(prefix, sizeof(prefix), "t.ini:%d: ", bc->line);
		ok = cfg == NULL && strncmp(err, prefix, strlen(prefix)) == 0 &&
		     strstr(err, bc->phrase) != NULL;
		if (!ok)
			printf("\n  case %u: want '%s...%s'\n          got  '%s'",
			       i, prefix, bc->phrase, cfg ? "(accepted)" : err);
		failed += !ok;
		CU_ASSERT(ok);
		sl_config_free(cfg);
	}
}

/*
 * Durations: a plain number is in the key's unit; us, ms, s, m and h are
 * converted to it; a value that does not convert exactly, an unknown
 * unit or one out of the key's range (in its unit) is refused at the
 * key's line.
 */
static void
test_durations(void)
{
	static const struct {
		const char *global;	/* [global] lines */
		const char *svc;	/* lines of [service.s] */
		size_t off;		/* of the uint32_t in struct sl_config_global, */
		int svc_field;		/* or: 1 persistence, 2 drain_timeout,
					 * 3 check_interval, 4 check_timeout */
		uint32_t want;
	} good[] = {
#define GOFF(f) offsetof(struct sl_config_global, f)
		{ "idle_sleep = 250\n", "", GOFF(idle_sleep_us), 0, 250 },
		{ "idle_sleep = 250us\n", "", GOFF(idle_sleep_us), 0, 250 },
		{ "idle_sleep = 20ms\n", "", GOFF(idle_sleep_us), 0, 20000 },
		{ "idle_sleep = 0ms\n", "", GOFF(idle_sleep_us), 0, 0 },
		{ "stats_interval = 5m\n", "", GOFF(stats_interval), 0, 300 },
		{ "stats_interval = 2000ms\n", "", GOFF(stats_interval), 0, 2 },
		{ "neigh_timeout = 1h\n", "", GOFF(neigh_timeout), 0, 3600 },
		{ "neigh_timeout = 24h\n", "", GOFF(neigh_timeout), 0, 86400 },
		{ "timeout_tcp_syn = 90s\n", "", GOFF(timeouts[SL_CS_SYN_SENT]), 0, 90 },
		{ "timeout_tcp_established = 15m\n", "", GOFF(timeouts[SL_CS_ESTABLISHED]), 0, 900 },
		{ "timeout_udp = 5000000us\n", "", GOFF(timeouts[SL_CS_UDP]), 0, 5 },
		{ "timeout_tcp_close = 7\n", "", GOFF(timeouts[SL_CS_CLOSE]), 0, 7 },
		{ "", "persistence = 30m\n", 0, 1, 1800 },
		{ "", "persistence = 0s\n", 0, 1, 0 },
		{ "", "drain_timeout = 2m\n", 0, 2, 120 },
		{ "", "check_interval = 2s\n", 0, 3, 2000 },
		{ "", "check_timeout = 100\ncheck_interval = 500ms\n", 0, 3, 500 },
		{ "", "check_interval = 1h\n", 0, 3, 3600000 },
		{ "", "check_timeout = 250\n", 0, 4, 250 },
		{ "", "check_timeout = 1500000us\n", 0, 4, 1500 },
#undef GOFF
	};
	static const struct bad_case bad[] = {
		{ "[global]\nstats_interval = 1500ms\n", 2,
		  "stats_interval '1500ms' is not a whole number of seconds (the unit of stats_interval; e.g. 5m)" },
		{ "[global]\ntimeout_udp = 1us\n", 2,
		  "timeout_udp '1us' is not a whole number of seconds" },
		{ "[global]\nidle_sleep = 2h\n", 2,
		  "idle_sleep 2h is out of range (expected 0..100000 microseconds)" },
		{ "[global]\nidle_sleep = 101ms\n", 2,
		  "idle_sleep 101ms (101000us) is out of range (expected 0..100000 microseconds)" },
		{ "[global]\nneigh_timeout = 2d\n", 2,
		  "neigh_timeout '2d' has an unknown unit 'd' (expected a plain number of seconds, or a unit us, ms, s, m or h right after the number, e.g. 5m)" },
		{ "[global]\nneigh_timeout = 2S\n", 2, "neigh_timeout '2S' has an unknown unit 'S'" },
		{ "[global]\nneigh_timeout = 2 s\n", 2, "neigh_timeout '2 s' has an unknown unit ' s'" },
		{ "[global]\nneigh_timeout = 2sec\n", 2, "has an unknown unit 'sec'" },
		{ "[global]\nneigh_timeout = 4s\n", 2,
		  "neigh_timeout 4s is out of range (expected 5..86400 seconds)" },
		{ "[global]\nneigh_timeout = 4000ms\n", 2,
		  "neigh_timeout 4000ms (4s) is out of range (expected 5..86400 seconds)" },
		{ "[global]\nneigh_timeout = 25h\n", 2,
		  "neigh_timeout 25h (90000s) is out of range (expected 5..86400 seconds)" },
		{ "[global]\ntimeout_tcp_fin = 99999999999h\n", 2,
		  "timeout_tcp_fin 99999999999h is out of range (expected 1..86400 seconds)" },
		{ "[global]\ntimeout_tcp_fin = 4294967295h\n", 2,
		  "timeout_tcp_fin 4294967295h is out of range (expected 1..86400 seconds)" },
		{ "[global]\ntimeout_tcp_fin = ms\n", 2,
		  "timeout_tcp_fin 'ms' is not a duration (expected 1..86400 seconds: a plain number, or a number with a unit us, ms, s, m or h, e.g. 5m)" },
		{ "[global]\ntimeout_tcp_fin = -3s\n", 2, "timeout_tcp_fin '-3s' is negative" },
		{ "[global]\ntimeout_tcp_fin = 1.5m\n", 2, "timeout_tcp_fin '1.5m' has an unknown unit '.5m'" },
		{ PORT_A SVC_A "check_interval = 1500us\n", 9,
		  "check_interval '1500us' is not a whole number of milliseconds (the unit of check_interval; e.g. 500ms)" },
		{ PORT_A SVC_A "check_interval = 50ms\n", 9,
		  "check_interval 50ms is out of range (expected 100..3600000 milliseconds)" },
		{ PORT_A SVC_A "check_interval = 2h\n", 9,
		  "check_interval 2h (7200000ms) is out of range (expected 100..3600000 milliseconds)" },
		{ PORT_A SVC_A "check_timeout = 11m\n", 9,
		  "check_timeout 11m (660000ms) is out of range (expected 10..600000 milliseconds)" },
		{ PORT_A SVC_A "check_interval = 1s\ncheck_timeout = 2s\n", 10,
		  "check_timeout 2000 ms is longer than check_interval 1000 ms" },
		{ PORT_A SVC_A "persistence = 1500m\n", 9,
		  "persistence 1500m (90000s) is out of range (expected 0..86400 seconds)" },
		{ PORT_A SVC_A "persistence = 1500ms\n", 9,
		  "persistence '1500ms' is not a whole number of seconds" },
		{ PORT_A SVC_A "drain_timeout = 2d\n", 9, "drain_timeout '2d' has an unknown unit 'd'" },
		{ PORT_A SVC_A "drain_timeout = 25h\n", 9,
		  "drain_timeout 25h (90000s) is out of range (expected 0..86400 seconds)" },
		/* keys that are no time take no unit */
		{ "[global]\nidle_polls = 10s\n", 2, "idle_polls '10s' has junk after the number" },
		{ PORT_A SVC_A "check_rise = 2s\n", 9, "check_rise '2s' has junk after the number" },
	};
	char text[1024], err[1024];
	struct sl_config *cfg;
	unsigned i;

	for (i = 0; i < DIM(good); i++) {
		uint32_t got;

		snprintf(text, sizeof(text), "[global]\n%s" PORT_A SVC_A "%s",
			 good[i].global, good[i].svc);
		cfg = sl_config_parse_string(text, "d.ini", err, sizeof(err));
		if (cfg == NULL)
			printf("\n  good case %u refused: %s", i, err);
		CU_ASSERT_PTR_NOT_NULL(cfg);
		if (cfg == NULL)
			continue;
		switch (good[i].svc_field) {
		case 0:
			memcpy(&got, (const char *)&cfg->global + good[i].off, sizeof(got));
			break;
		case 1: got = cfg->services[0].persistence; break;
		case 2: got = cfg->services[0].drain_timeout; break;
		case 3: got = cfg->services[0].check.interval_ms; break;
		default: got = cfg->services[0].check.timeout_ms; break;
		}
		if (got != good[i].want)
			printf("\n  good case %u: got %u, want %u", i, got, good[i].want);
		CU_ASSERT_EQUAL(got, good[i].want);
		sl_config_free(cfg);
	}
	for (i = 0; i < DIM(bad); i++) {
		char prefix[32];
		bool ok;

		cfg = sl_config_parse_string(bad[i].text, "d.ini", err, sizeof(err));
		snprintf(prefix, sizeof(prefix), "d.ini:%d: ", bad[i].line);
		ok = cfg == NULL && strncmp(err, prefix, strlen(prefix)) == 0 &&
		     strstr(err, bad[i].phrase) != NULL;
		if (!ok)
			printf("\n  bad case %u: want '%s...%s'\n              got  '%s'",
			       i, prefix, bad[i].phrase, cfg ? "(accepted)" : err);
		CU_ASSERT(ok);
		sl_config_free(cfg);
	}
}

/* A configuration using most of what the parser knows, for the printer. */
static const char print_example[] =
	"[eal]\n"
	"lcores = 0-2\n"
	"[global]\n"
	"idle_sleep = 2ms\n"
	"stats_interval = 1m\n"
	"timeout_tcp_established = 2h\n"
	"local_ports = 2000-60000\n"
	"[port.out]\n"
	"device = net_null0\n"
	"address = 2001:db8::1/64\n"
	"address = 10.0.0.1/24\n"
	"route = 0.0.0.0/0 via 10.0.0.254\n"	/* the gateway, as a route */
	"gateway = fe80::1\n"
	"kernel_interface = k0\n"
	"vlan = 12\n"
	"rx_descriptors = 512\n"
	"[port.in]\n"
	"device = net_null1\n"
	"address = 10.1.0.1/24\n"
	"address = fd00:1::1/64\n"
	"route = 10.20.0.0/16 via 10.1.0.254\n"
	"route = 2001:db8:5::/48 via fd00:1::fe\n"
	"local_address = 10.1.0.50-10.1.0.52, 10.1.0.60\n"
	"local_address = fd00:1::50\n"
	"kernel_interface = k1\n"
	"mtu = 1400\n"
	"[service.web]\n"
	"vip = 10.0.0.100\n"
	"port = 80\n"
	"protocol = tcp\n"
	"mode = fullnat\n"
	"scheduler = maglev\n"
	"maglev_table_size = 251\n"
	"persistence = 10m\n"
	"check = http\n"
	"check_interval = 5s\n"
	"check_timeout = 1500ms\n"
	"check_host = www.example.com\n"
	"check_path = /health\n"
	"check_expect = 200,204\n"
	"allow = 10.0.0.0/8, 192.0.2.7\n"
	"deny = 10.9.0.0/16\n"
	"conn_rate_per_client = 50\n"
	"synproxy = auto\n"
	"synproxy_threshold = 2000\n"
	"proxy_protocol = v2\n"
	"backend = 10.1.0.11:8080 weight=3 id=a max_conns=100\n"
	"backend = 10.20.0.5:8080 state=drain check_port=9000\n"
	"[service.dns]\n"
	"vip = 10.0.0.101\n"
	"port = 53\n"
	"protocol = udp\n"
	"mode = tunnel\n"
	"encap = gue\n"
	"gue_port = 5555\n"
	"check_target = backend\n"
	"scheduler = sh\n"
	"check = udp\n"
	"check_send = ping\n"
	"check_expect_payload = pong\n"
	"drain_timeout = 0\n"
	"backend = 10.1.0.12:53\n"
	"[service.w6]\n"
	"vip = 2001:db8::100\n"
	"port = 80\n"
	"protocol = tcp\n"
	"deny = 2001:db8:bad::/48\n"
	"backend = [fd00:1::11]:8080 weight=2\n"
	"[bgp]\n"
	"daemon = bird\n"
	"include = /run/sluice/bird-vips.conf\n"
	"grace = 1m\n";

/* sl_config_print() of @p cfg into a string (to free). */
static char *
print_str(const struct sl_config *cfg)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_EQUAL(sl_config_print(cfg, f), 0);
	fclose(f);
	return buf;
}

/* Does @p text have a line "KEY = ..." (or "; KEY = ..." when
 * @p commented) in section @p sect ("port" stands for every [port.*])? */
static bool
has_key_line(const char *text, const char *sect, const char *key, bool commented)
{
	char want[80], hdr[40];
	const char *p = text, *nl;
	bool in = false;

	snprintf(want, sizeof(want), "%s%s =", commented ? "; " : "", key);
	snprintf(hdr, sizeof(hdr), "[%s", sect);
	for (; *p != '\0'; p = nl + 1) {
		nl = strchr(p, '\n');
		if (nl == NULL)
			nl = p + strlen(p);
		if (*p == '[')
			in = strncmp(p, hdr, strlen(hdr)) == 0 &&
			     (p[strlen(hdr)] == ']' || p[strlen(hdr)] == '.');
		else if (in && strncmp(p, want, strlen(want)) == 0 &&
			 (p[strlen(want)] == ' ' || p + strlen(want) == nl))
			return true;
		if (*nl == '\0')
			break;
	}
	return false;
}

/*
 * The resolved configuration: loading what sl_config_print() wrote gives
 * the same values (printed again, the same text), every key the parser
 * accepts is written in every section, as a key when it has a value.
 */
static void
test_print(void)
{
	const char *texts[] = { print_example, full_example };
	struct sl_config *cfg, *cfg2;
	char err[512] = "", *out, *out2;
	const char *sect, *key;
	unsigned t, i, k;

	for (t = 0; t < DIM(texts); t++) {
		cfg = sl_config_parse_string(texts[t], "p.ini", err, sizeof(err));
		if (cfg == NULL)
			printf("\n  example %u refused: %s", t, err);
		CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
		out = print_str(cfg);
		cfg2 = sl_config_parse_string(out, "out.ini", err, sizeof(err));
		if (cfg2 == NULL)
			printf("\n  printed example %u refused: %s\n%s", t, err, out);
		CU_ASSERT_PTR_NOT_NULL_FATAL(cfg2);
		out2 = print_str(cfg2);
		CU_ASSERT_STRING_EQUAL(out, out2);
		CU_ASSERT_EQUAL(sl_config_restart_diff(cfg, cfg2, err, sizeof(err)), 0);
		CU_ASSERT_EQUAL(cfg2->n_services, cfg->n_services);
		for (i = 0; i < cfg->n_services; i++) {
			const struct sl_config_service *a = &cfg->services[i], *b = &cfg2->services[i];

			CU_ASSERT_EQUAL(a->n_backends, b->n_backends);
			CU_ASSERT_EQUAL(a->n_acl, b->n_acl);
			CU_ASSERT_EQUAL(a->persistence, b->persistence);
			CU_ASSERT_EQUAL(memcmp(&a->check, &b->check, sizeof(a->check)), 0);
			CU_ASSERT_EQUAL(a->synproxy_threshold, b->synproxy_threshold);
			CU_ASSERT_EQUAL(a->conn_rate, b->conn_rate);
			for (k = 0; k < a->n_backends && k < b->n_backends; k++) {
				CU_ASSERT_EQUAL(a->backends[k].weight, b->backends[k].weight);
				CU_ASSERT_EQUAL(a->backends[k].drain, b->backends[k].drain);
				CU_ASSERT_EQUAL(a->backends[k].max_conns, b->backends[k].max_conns);
				CU_ASSERT_EQUAL(a->backends[k].check_port, b->backends[k].check_port);
				CU_ASSERT_STRING_EQUAL(a->backends[k].id, b->backends[k].id);
			}
		}
		/* every key of every section, written or commented; an
		 * optional section left out is a comment */
		for (i = 0; (sect = sl_config_section_name(i)) != NULL; i++) {
			if (strcmp(sect, "bgp") == 0 && cfg->bgp.line == 0) {
				CU_ASSERT_PTR_NOT_NULL(strstr(out, "\n; [bgp] (none"));
				CU_ASSERT_EQUAL(cfg2->bgp.line, 0);
				continue;
			}
			for (k = 0; (key = sl_config_key_name(sect, k)) != NULL; k++) {
				bool found = has_key_line(out, sect, key, false) ||
					     has_key_line(out, sect, key, true);

				if (!found)
					printf("\n  example %u: [%s] %s not printed", t, sect, key);
				CU_ASSERT(found);
			}
		}
		free(out);
		free(out2);
		sl_config_free(cfg);
		sl_config_free(cfg2);
	}

	/* values: units, the default routes as gateways, ranges one by one */
	cfg = sl_config_parse_string(print_example, "p.ini", err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
	out = print_str(cfg);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\nidle_sleep = 2000us\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\nstats_interval = 60s\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\ntimeout_tcp_established = 7200s\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\ntimeout_udp = 300s\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\ngateway = 10.0.0.254\ngateway = fe80::1\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\nroute = 10.20.0.0/16 via 10.1.0.254\n"
				      "route = 2001:db8:5::/48 via fd00:1::fe\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\nlocal_address = 10.1.0.52\nlocal_address = 10.1.0.60\n"
				      "local_address = fd00:1::50\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\ncheck_interval = 5000ms\ncheck_timeout = 1500ms\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\npersistence = 600s\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\nallow = 10.0.0.0/8\nallow = 192.0.2.7/32\ndeny = 10.9.0.0/16\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\nconn_rate_per_client = 50\nconn_burst_per_client = 50\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\n[bgp]\ndaemon = bird\ninclude = /run/sluice/bird-vips.conf\n"
				      "control = /run/bird/bird.ctl\ngrace = 60s\nwithdraw_on_sigterm = yes\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\nhash = 5tuple\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\nhash = source\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\nbackend = 10.1.0.11:8080 weight=3 id=a state=active max_conns=100\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\nbackend = 10.20.0.5:8080 weight=1 state=drain check_port=9000\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\nbackend = [fd00:1::11]:8080 weight=2 state=active\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\n; encap = ipip (mode = tunnel only)\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\nencap = gue\ngue_port = 5555\ncheck_target = backend\n"));
	CU_ASSERT(has_key_line(out, "port", "vlan", false));
	CU_ASSERT(has_key_line(out, "port", "vlan", true));
	free(out);
	sl_config_free(cfg);
}

/*
 * The lists behind the man pages: every name listed is one the parser
 * takes (no "unknown key" for it), in the sections the parser has.
 */
static void
test_key_names(void)
{
	const char *sect, *key;
	char text[512], err[512], spec[128];
	struct sl_config *cfg;
	unsigned i, k, n = 0;

	CU_ASSERT_STRING_EQUAL(sl_config_section_name(0), "eal");
	CU_ASSERT_PTR_NULL(sl_config_key_name("nonsense", 0));
	CU_ASSERT_PTR_NULL(sl_config_key_name(NULL, 0));
	for (i = 0; (sect = sl_config_section_name(i)) != NULL; i++) {
		CU_ASSERT_PTR_NOT_NULL(sl_config_key_name(sect, 0));
		for (k = 0; (key = sl_config_key_name(sect, k)) != NULL; k++, n++) {
			/* a bad value for every key: refused, but not as unknown */
			snprintf(text, sizeof(text), "[%s%s]\n%s = \x01\n", sect,
				 strcmp(sect, "port") == 0 || strcmp(sect, "service") == 0 ? ".x" : "",
				 key);
			cfg = sl_config_parse_string(text, "k.ini", err, sizeof(err));
			CU_ASSERT_PTR_NULL(cfg);
			if (strstr(err, "unknown key") != NULL)
				printf("\n  [%s] %s: %s", sect, key, err);
			CU_ASSERT_PTR_NULL(strstr(err, "unknown key"));
			sl_config_free(cfg);
		}
	}
	CU_ASSERT(n > 50);

	/* the sections an unknown one is told about are the ones listed */
	cfg = sl_config_parse_string("[zzz]\n", "k.ini", err, sizeof(err));
	CU_ASSERT_PTR_NULL(cfg);
	{
		const char *p = strstr(err, "(expected ");
		unsigned named = 0;

		CU_ASSERT_PTR_NOT_NULL_FATAL(p);
		for (p = strchr(p, '['); p != NULL; p = strchr(p + 1, '[')) {
			char name[32];
			bool listed = false;

			snprintf(name, sizeof(name), "%.*s", (int)strcspn(p + 1, ".]"), p + 1);
			for (i = 0; (sect = sl_config_section_name(i)) != NULL; i++)
				listed |= strcmp(sect, name) == 0;
			if (!listed)
				printf("\n  section [%s] is not in sl_config_section_name()", name);
			CU_ASSERT(listed);
			named++;
		}
		for (i = 0; sl_config_section_name(i) != NULL; i++)
			;
		CU_ASSERT_EQUAL(named, i);
	}
	for (k = 0; (key = sl_config_key_name("backend", k)) != NULL; k++) {
		struct sl_config_backend b;

		snprintf(spec, sizeof(spec), "10.0.0.1:80 %s=\x01", key);
		CU_ASSERT_EQUAL(sl_config_backend_parse(spec, &b, err, sizeof(err)), -EINVAL);
		CU_ASSERT_PTR_NULL(strstr(err, "unknown backend option"));
	}
	CU_ASSERT_EQUAL(k, 5);
}

/* More prefixes than a service holds: refused at the key that adds one
 * too many. */
static void
test_limits_acl_max(void)
{
	size_t cap = 8192, len;
	char *text = malloc(cap), err[512] = "", want[128];
	struct sl_config *cfg;
	unsigned i;

	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	len = (size_t)snprintf(text, cap, PORT_A SVC_HDR);
	for (i = 0; i <= SL_MAX_SVC_ACL; i++)
		len += (size_t)snprintf(text + len, cap - len, "deny = 10.%u.0.0/16\n", i);
	snprintf(text + len, cap - len, "backend = 10.0.0.11:80\n");
	cfg = sl_config_parse_string(text, "a.ini", err, sizeof(err));
	CU_ASSERT_PTR_NULL(cfg);
	snprintf(want, sizeof(want), "a.ini:%d: too many allow/deny prefixes in [service.s] (at most %d",
		 8 + SL_MAX_SVC_ACL, SL_MAX_SVC_ACL);
	CU_ASSERT_EQUAL(strncmp(err, want, strlen(want)), 0);
	sl_config_free(cfg);
	free(text);
}

/*
 * [bgp]: defaults, every key, and each mistake refused at its line:
 * PORT_A (3 lines) and SVC_A (5 lines) come first, so [bgp] is line 9.
 */
#define BGP_HDR PORT_A SVC_A "[bgp]\n"

static void
test_bgp(void)
{
	static const struct bad_case bad[] = {
		{ BGP_HDR "daemon = frr\ninclude = /run/x.conf\n", 10, "daemon 'frr' is not supported" },
		{ BGP_HDR "daemon = bird\ninclude = run/x.conf\n", 11, "include 'run/x.conf' is not an absolute path" },
		{ BGP_HDR "daemon = bird\ninclude = /run/sluice/\n", 11, "names a directory" },
		{ BGP_HDR "daemon = bird\ninclude = /x\ncontrol = bird.ctl\n", 12, "control 'bird.ctl' is not an absolute path" },
		{ BGP_HDR "daemon = bird\ninclude = /x\ngrace = 3601\n", 12, "grace" },
		{ BGP_HDR "daemon = bird\ninclude = /x\ngrace = -1\n", 12, "grace" },
		{ BGP_HDR "daemon = bird\ninclude = /x\ngrace = 1500ms\n", 12, "grace '1500ms' is not a whole number of seconds" },
		{ BGP_HDR "daemon = bird\ninclude = /x\ngrace = 2h\n", 12, "grace 2h (7200s) is out of range (expected 0..3600 seconds)" },
		{ BGP_HDR "daemon = bird\ninclude = /x\nwithdraw_on_sigterm = maybe\n", 12,
		  "withdraw_on_sigterm 'maybe' is not yes or no" },
		{ BGP_HDR "daemon = bird\ninclude = /x\ninclude = /y\n", 12, "duplicate key 'include' in [bgp] (first at line 11" },
		{ BGP_HDR "daemon = bird\ninclude = /x\nhold = 3\n", 12, "unknown key 'hold' in [bgp] (expected daemon|include|control|grace|withdraw_on_sigterm)" },
		{ BGP_HDR "include = /x\n", 9, "[bgp] has no daemon" },
		{ BGP_HDR "daemon = bird\n", 9, "[bgp] has no include" },
		{ BGP_HDR "daemon = bird\ninclude = /x\n[bgp]\n", 12, "duplicate section [bgp] (first at line 9)" },
		{ BGP_HDR "daemon = bird\ninclude = /x\n[BGP]\n", 12, "section names are lowercase" },
	};
	char err[1024] = "", prefix[32];
	struct sl_config *cfg;
	unsigned i;

	cfg = sl_config_parse_string(PORT_A SVC_A, "t.ini", err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
	CU_ASSERT_EQUAL(cfg->bgp.line, 0);
	sl_config_free(cfg);

	cfg = sl_config_parse_string(BGP_HDR "daemon = bird\ninclude = /run/sluice/bird-vips.conf\n",
				     "t.ini", err, sizeof(err));
	if (cfg == NULL)
		printf("\n  %s\n", err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
	CU_ASSERT_EQUAL(cfg->bgp.line, 9);
	CU_ASSERT_EQUAL(cfg->bgp.daemon, SL_BGP_DAEMON_BIRD);
	CU_ASSERT_STRING_EQUAL(cfg->bgp.include, "/run/sluice/bird-vips.conf");
	CU_ASSERT_STRING_EQUAL(cfg->bgp.control, "/run/bird/bird.ctl");
	CU_ASSERT_EQUAL(cfg->bgp.grace_s, 5);
	CU_ASSERT_EQUAL(cfg->bgp.withdraw_on_sigterm, 1);
	sl_config_free(cfg);

	cfg = sl_config_parse_string(BGP_HDR "daemon = bird\ninclude = /x\ngrace = 1m\n", "t.ini", err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
	CU_ASSERT_EQUAL(cfg->bgp.grace_s, 60);
	sl_config_free(cfg);

	cfg = sl_config_parse_string(BGP_HDR "withdraw_on_sigterm = no\ngrace = 0\n"
				     "control = /tmp/b.ctl\ninclude = /tmp/v.conf\ndaemon = bird\n",
				     "t.ini", err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
	CU_ASSERT_STRING_EQUAL(cfg->bgp.control, "/tmp/b.ctl");
	CU_ASSERT_STRING_EQUAL(cfg->bgp.include, "/tmp/v.conf");
	CU_ASSERT_EQUAL(cfg->bgp.grace_s, 0);
	CU_ASSERT_EQUAL(cfg->bgp.withdraw_on_sigterm, 0);
	sl_config_free(cfg);

	for (i = 0; i < DIM(bad); i++) {
		bool ok;

		err[0] = '\0';
		cfg = sl_config_parse_string(bad[i].text, "t.ini", err, sizeof(err));
		snprintf(prefix, sizeof(prefix), "t.ini:%d: ", bad[i].line);
		ok = cfg == NULL && strncmp(err, prefix, strlen(prefix)) == 0 &&
		     strstr(err, bad[i].phrase) != NULL;
		if (!ok)
			printf("\n  bgp case %u: want '%s...%s'\n              got  '%s'",
			       i, prefix, bad[i].phrase, cfg ? "(accepted)" : err);
		CU_ASSERT(ok);
		sl_config_free(cfg);
	}
}

/* Every [bgp] key takes a restart; adding or removing the section too. */
static void
test_bgp_restart_diff(void)
{
	static const char *const base = PORT_A SVC_A "[bgp]\ndaemon = bird\ninclude = /x\n";
	static const struct restart_case cases[] = {
		{ PORT_A SVC_A "[bgp]\ninclude = /x\ndaemon = bird\ncontrol = /run/bird/bird.ctl\ngrace = 5\n", NULL },
		{ PORT_A SVC_A, "[bgp] removed" },
		{ PORT_A SVC_A "[bgp]\ndaemon = bird\ninclude = /y\n", "[bgp] include changed" },
		{ PORT_A SVC_A "[bgp]\ndaemon = bird\ninclude = /x\ncontrol = /c\n", "[bgp] control changed" },
		{ PORT_A SVC_A "[bgp]\ndaemon = bird\ninclude = /x\ngrace = 6\n", "[bgp] grace changed" },
		{ PORT_A SVC_A "[bgp]\ndaemon = bird\ninclude = /x\nwithdraw_on_sigterm = no\n",
		  "[bgp] withdraw_on_sigterm changed" },
	};
	char err[512] = "", buf[160];
	struct sl_config *a, *b;
	unsigned i;

	a = sl_config_parse_string(base, "a.ini", err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	for (i = 0; i < DIM(cases); i++) {
		int r;

		b = sl_config_parse_string(cases[i].text, "b.ini", err, sizeof(err));
		CU_ASSERT_PTR_NOT_NULL(b);
		if (b == NULL)
			continue;
		buf[0] = '\0';
		r = sl_config_restart_diff(a, b, buf, sizeof(buf));
		if (cases[i].want == NULL) {
			CU_ASSERT_EQUAL(r, 0);
		} else {
			if (r != 1 || strcmp(buf, cases[i].want) != 0)
				printf("\n  bgp case %u: want '%s', got %d '%s'\n", i, cases[i].want, r, buf);
			CU_ASSERT_EQUAL(r, 1);
			CU_ASSERT_STRING_EQUAL(buf, cases[i].want);
		}
		sl_config_free(b);
		/* and the other way round */
		if (cases[i].want != NULL && i == 1) {
			b = sl_config_parse_string(cases[i].text, "b.ini", err, sizeof(err));
			CU_ASSERT_EQUAL(sl_config_restart_diff(b, a, buf, sizeof(buf)), 1);
			CU_ASSERT_STRING_EQUAL(buf, "[bgp] added");
			sl_config_free(b);
		}
	}
	sl_config_free(a);
}

static const struct sl_test_case config_tests[] = {
	{ "[bgp]: keys, defaults, errors", test_bgp },
	{ "[bgp]: restart diff", test_bgp_restart_diff },
	{ "every service key, then another service", test_many_keys_then_service },
	{ "limits: allow, deny, rates, max_conns", test_limits_keys },
	{ "limits: invalid", test_limits_invalid },
	{ "limits: prefixes per service", test_limits_acl_max },
	{ "proxy_protocol: values, tcp only", test_proxy_protocol_invalid },
	{ "full example", test_full_example },
	{ "durations with units", test_durations },
	{ "print: loads again, every key", test_print },
	{ "key names", test_key_names },
	{ "defaults", test_defaults },
	{ "state names", test_state_names },
	{ "config/sluice.ini", test_sluice_ini },
	{ "test blocks valid", test_blocks_valid },
	{ "invalid files", test_invalid },
	{ "scheduler message", test_sched_message },
	{ "lcores", test_lcores },
	{ "comments", test_comments },
	{ "line length", test_line_length },
	{ "limits", test_limits },
	{ "files", test_files },
	{ "error buffer", test_err_buffer },
	{ "threads", test_threads },
	{ "restart diff", test_restart_diff },
	{ "vlan", test_vlan },
	{ "backend parse", test_backend_parse },
	{ "validate edit", test_validate_edit },
	{ "total backends", test_total_backends },
	{ "routes", test_routes },
	{ "routes: check port by longest prefix", test_routes_check_port },
	{ "routes: invalid", test_routes_invalid },
	{ "routes: limit", test_routes_limit },
	{ "fullnat: valid", test_fullnat_valid },
	{ "steering: auto from the services, or the key", test_steering },
	{ "fullnat: restart diff", test_fullnat_restart_diff },
	{ "fullnat: runtime edit", test_fullnat_edit },
	{ "dr and tunnel: valid", test_oneway_valid },
	{ "IPv6: valid", test_v6_valid },
	{ "IPv6: blocks valid", test_v6_blocks_valid },
	{ "IPv6 dr/tunnel: checks through the VIP by default", test_v6_oneway_check_target },
	{ "IPv6: invalid", test_v6_invalid },
	{ "IPv6: backend parse", test_v6_backend_parse },
	{ "IPv6: runtime edit", test_v6_edit },
	{ "IPv6: restart diff", test_v6_restart_diff },
	{ "IPv6 routes", test_v6_routes },
	{ "IPv6 routes: invalid", test_v6_routes_invalid },
	{ "IPv6 routes: limit", test_v6_routes_limit },
	{ "IPv6 routes: restart diff", test_v6_routes_restart_diff },
};

SL_TEST_MAIN(NULL,
	SL_TEST_SUITE("config", NULL, NULL, config_tests));
