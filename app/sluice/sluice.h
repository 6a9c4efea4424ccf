/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SLUICE_H
#define SLUICE_H

/*
 * The sluice process: one management lcore (the EAL main lcore) and one
 * worker per remaining lcore. This header holds the application context
 * shared by main.c, port.c, worker.c and mgmt.c.
 *
 * Thread-safety: workers' contexts follow lib/fwd's rules (sl_fwd.h).
 * Fields of struct sl_app are set before the workers start and only read
 * after, except `stop` (atomic), `svc.cur` (RCU, see sl_svc.h) and the
 * capture filter in `fwd.cap`.
 */

#include <stdint.h>
#include <pthread.h>
#include <rte_common.h>
#include <rte_log.h>
#include <rte_ring.h>
#include <rte_mbuf.h>
#include <rte_ethdev.h>

#include "sl_config.h"
#include "sl_stats.h"
#include "sl_flow.h"
#include "sl_neigh.h"
#include "sl_svc.h"
#include "sl_persist.h"
#include "sl_fwd.h"

/* Local ports at the top of local_ports kept for the health checks of
 * fullnat services, when the range holds more than twice as many. */
#define SL_CHECK_PORTS 256

extern int sl_logtype;
#define SL_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_##level, sl_logtype, "sluice: " fmt "\n", ##__VA_ARGS__)

/* A listing of a worker's connections, asked for by the management
 * lcore through the worker's command ring and answered a slice of the
 * table per loop iteration (so forwarding never stalls for long).
 *
 * Ownership: a heap object. Enqueued, it and its listing belong to the
 * worker until the worker sets done; only then may the management lcore
 * read the listing and free both. The management lcore never waits for
 * it: it polls done from its loop (see cmd.h), and a request it gives
 * up on gets cancel set and is freed only once done. */
struct sl_flow_req {
	int svc;                 /* service id, -1 = all */
	unsigned limit;          /* at most this many */
	unsigned n;              /* filled in by the worker */
	uint32_t cursor;         /* worker's scan position */
	int done;                /* set by the worker (release): handed back */
	int cancel;              /* set by management (relaxed): stop early */
	struct sl_flow_req *next; /* management's list of abandoned ones */
	struct sl_conn *out;     /* limit entries */
	struct sl_conn6 *out6;   /* limit entries: IPv6 ones, listed after
				  * the IPv4 table (n + n6 <= limit) */
	unsigned n6;
	uint32_t cursor6;
};

struct sl_app {
	struct sl_config *cfg;
	const char *config_path;
	unsigned n_workers;
	uint16_t n_ports;
	struct sl_port_hw hw[SL_MAX_PORTS];
	int16_t port_index[RTE_MAX_ETHPORTS]; /* DPDK port id -> config index */
	int32_t tap[SL_MAX_PORTS];   /* exception path TAP port id, -1 = none */
	int af_ifindex[SL_MAX_PORTS]; /* net_af_packet: its interface, 0 = other */
	uint64_t kdrops[SL_MAX_PORTS]; /* net_af_packet: frames the kernel's ring
					* had no room for (atomic adds) */
	int xsk_fd[SL_MAX_PORTS][SL_MAX_WORKERS]; /* net_af_xdp: the AF_XDP socket of
						   * each queue, -1 = none */
	unsigned n_xsk[SL_MAX_PORTS];             /* queues with one */
	struct {
		uint8_t mode;        /* enum sl_steering: source, destination or
				      * off, as set up on the device */
		uint16_t reta_size;  /* the device's table, when steering */
		const char *why;     /* why that mode (or why not) */
	} steer[SL_MAX_PORTS];
	struct rte_mempool *pool;
	struct sl_neigh_table *neigh;
	struct sl_svc_ctl svc;
	struct sl_worker *workers[SL_MAX_WORKERS];
	uint64_t hz;
	uint64_t start_tsc;  /* the management clock's second 0 */
	struct sl_config *live_cfg;  /* services now in force (mgmt only) */
	struct sl_svc_ids *ids;      /* service/backend identities (mgmt only) */
	volatile int stop;   /* set by signals; read with __atomic loads */
	volatile int reload; /* SIGHUP: re-read the INI (mgmt polls it) */
	volatile int term_drains;    /* SIGTERM drains first ([bgp]) */
	volatile int term_drain_req; /* SIGTERM seen: drain (mgmt polls it) */
	struct sl_fwd_env fwd;   /* what the workers share (lib/fwd) */
	uint16_t check_port_lo;  /* local ports kept for health checks of */
	uint16_t check_port_hi;  /* fullnat services; lo 0 = none kept */
	uint64_t cap_limit;  /* capture: packets to write, 0 = until stopped */
	pthread_mutex_t snap_lock; /* held to publish snapshots and by
				    * readers off the management lcore
				    * (telemetry thread) */
	uint64_t mgmt_drops[SL_DROP_MAX];
	int interactive;     /* -i: the console on stdin (mgmt polls it) */
};

extern struct sl_app sl_app;

/* port.c */
int sl_ports_vdev_args(const struct sl_config *cfg, unsigned n_workers,
		       char **argv, int argc, int max, char *store, size_t store_len);
int sl_ports_init(struct sl_app *app);
void sl_ports_stop(struct sl_app *app);
/* Port @p idx's counters: DPDK's, with the kernel's ring drops of a
 * net_af_packet port added to imissed (rx_missed). */
int sl_ports_stats(struct sl_app *app, unsigned idx, struct rte_eth_stats *st);
/* NIC rules sending replies to @p cfg's fullnat local addresses to their
 * worker's queue, where the device takes them, made again when a port's
 * local addresses change. */
void sl_ports_steer(struct sl_app *app, const struct sl_config *cfg);
/* What steers fullnat replies on port @p idx ("NIC rules: ..." or
 * "redirect rings: why"), NULL for a port without local addresses;
 * @p rules: the NIC rules in place. */
const char *sl_ports_reply_steering(unsigned idx, unsigned *rules);
/* The kernel interfaces hold @p cfg's fullnat local addresses. */
void sl_ports_kernel_locals(struct sl_app *app, const struct sl_config *cfg);

/* worker.c: the lcore loop; workers' contexts (app->fwd must be set) */
int sl_worker_main(void *arg);
int sl_workers_create(struct sl_app *app);
/* A slice of the management lcore's pending request (a listing of
 * connections), if any: what the loop runs when the command ring has
 * one (the command fuzzer runs it in the worker's stead). */
void sl_worker_serve(struct sl_worker *w);
void sl_workers_free(struct sl_app *app);

/* mgmt.c */
int sl_mgmt_start(struct sl_app *app);
unsigned sl_mgmt_poll(struct sl_app *app);
void sl_mgmt_print_stats(struct sl_app *app, FILE *f);
/* Sum the workers' counters of service @p svc, or (svc < 0) of backend
 * slot @p slot. Racy reads of other lcores' counters, as every printer. */
void sl_mgmt_sum(const struct sl_app *app, int svc, int slot, struct sl_obj_stats *t);
/* Share (percent) of a worker's time spent in iterations with work. */
double sl_mgmt_busy_pct(const struct sl_worker_stats *s);
/* Re-read the INI and apply its services hitlessly; 0, or -errno with
 * the reason logged and the running configuration untouched. */
int sl_mgmt_reload(struct sl_app *app);
/* Connections in worker @p w's tables, IPv4 and IPv6 (read by the
 * management lcore; each count is the owner's plain store). */
static inline uint32_t
sl_worker_flows(const struct sl_worker *w)
{
	return sl_flow_count(w->flows) + (w->flows6 != NULL ? sl_flow6_count(w->flows6) : 0);
}

/* health.c: checks follow the current snapshot (call after each
 * publish); poll runs them (returns how many backends flipped, already
 * marked for the next rebuild); stop closes every socket. */
void sl_health_sync(struct sl_app *app);
int sl_health_poll(struct sl_app *app);
void sl_health_stop(void);
/* The backend slot a check through a VIP (dr/tunnel) leaving from source
 * port @p sport (host order) is for, or -1; a check's port still counts
 * for a second after its socket closed (its closing frames). */
int sl_health_vip_slot(uint16_t sport);
/* capture.c: the capture command's pcap writer */
void sl_capture_init(struct sl_app *app);
int sl_capture_start(struct sl_app *app, const char *file, int svc, int port,
		     uint64_t count, char *err, size_t errlen);
void sl_capture_poll(struct sl_app *app);
uint64_t sl_capture_stop(struct sl_app *app);
int sl_capture_running(uint64_t *n, const char **file);

/* telemetry.c: /sluice/... endpoints for dpdk-telemetry.py */
void sl_telemetry_register(void);
/* From now on the endpoints answer with an error: call before the
 * snapshot and the workers go at shutdown. */
void sl_telemetry_stop(struct sl_app *app);

/* admin.c: the admin socket, polled by the management loop */
int sl_admin_open(struct sl_app *app);
void sl_admin_poll(struct sl_app *app);
void sl_admin_close(void);

/* console.c: the interactive console (-i) on stdin, polled by the
 * management loop; start after "ready", stop at shutdown (restores the
 * terminal; safe when never started). */
int sl_console_start(struct sl_app *app);
void sl_console_poll(struct sl_app *app);
void sl_console_stop(void);

/* bgp.c: the VIPs BIRD announces ([bgp]); init writes the include file
 * empty, poll decides and reconfigures, term withdraws at a clean stop.
 * drain: withdraw every VIP, forward `grace` seconds more, stop (0, or
 * -ENOENT without [bgp], -EALREADY when already draining). */
struct sl_out;
int sl_bgp_init(struct sl_app *app);
unsigned sl_bgp_poll(struct sl_app *app);
void sl_bgp_term(struct sl_app *app);
int sl_bgp_drain(struct sl_app *app, int stopping);
int sl_bgp_show(struct sl_app *app, struct sl_out *o);

/* Rebuild the snapshot from @p cfg and publish it; 0, or -EINVAL with
 * the reason logged and nothing changed. */
int sl_mgmt_apply(struct sl_app *app, const struct sl_config *cfg, const char *why);
/* Seconds on the management clock. */
uint32_t sl_mgmt_now_s(const struct sl_app *app);

/* notify.c: systemd's notification protocol on $NOTIFY_SOCKET (no-ops
 * without it). sl_notify_open() reads the environment; the rest send
 * READY=1 (with a note such as a reload's outcome, or NULL), RELOADING=1,
 * STOPPING=1, and from the management loop WATCHDOG=1 and STATUS=. */
int sl_notify_open(void);
void sl_notify_close(void);
int sl_notify_send(const char *msg);
void sl_notify_ready(const struct sl_app *app, const char *note);
void sl_notify_reloading(void);
void sl_notify_stopping(void);
void sl_notify_poll(const struct sl_app *app);

static inline int
sl_stopping(const struct sl_app *app)
{
	/* relaxed: a flag polled every loop, no data published with it */
	return __atomic_load_n(&app->stop, __ATOMIC_RELAXED);
}

#endif /* SLUICE_H */
