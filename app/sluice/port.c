/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Ports: turn [port.*] sections into EAL device arguments, then configure
 * each port with one RX and one TX queue per worker (RSS when the port
 * offers it and there are several workers). Where the device can hash
 * one address alone, its RSS is set up to steer (Sluice's key, the
 * source or destination address, a redirection table naming each
 * address's owner: sl_fwd_steer.h). The management lcore never
 * touches a queue: what it sends goes through a worker.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <net/route.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <linux/if_packet.h>
#include <linux/if_xdp.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include <rte_ethdev.h>
#include <rte_bus_vdev.h>
#include <rte_flow.h>

#include "sluice.h"
#include "sl_fwd_steer.h"

static int
is_vdev(const char *device)
{
	return strncmp(device, "net_", 4) == 0;
}

/* Device name as ethdev knows it: the vdev name before the first comma. */
static void
device_name(const char *device, char *name, size_t len)
{
	size_t n = strcspn(device, ",");

	if (n >= len)
		n = len - 1;
	memcpy(name, device, n);
	name[n] = '\0';
}

int
sl_ports_vdev_args(const struct sl_config *cfg, unsigned n_workers,
		   char **argv, int argc, int max, char *store, size_t store_len)
{
	size_t used = 0;
	unsigned i;

	for (i = 0; i < cfg->n_ports; i++) {
		const char *dev = cfg->ports[i].device;
		int n;

		if (argc + 2 > max)
			return -E2BIG;
		if (is_vdev(dev)) {
			/*
			 * af_packet opens one socket per queue pair and the
			 * kernel fans packets out over all of them: ask for
			 * exactly one pair per worker unless told otherwise.
			 */
			if (strncmp(dev, "net_af_packet", 13) == 0 &&
			    strstr(dev, "qpairs=") == NULL)
				n = snprintf(store + used, store_len - used,
					     "%s,qpairs=%u", dev, n_workers);
			else
				n = snprintf(store + used, store_len - used, "%s", dev);
			argv[argc++] = "--vdev";
		} else {
			n = snprintf(store + used, store_len - used, "%s", dev);
			argv[argc++] = "-a";
		}
		if (n < 0 || (size_t)n >= store_len - used)
			return -E2BIG;
		argv[argc++] = store + used;
		used += (size_t)n + 1;
	}
	return argc;
}

static int
find_port(const char *device, uint16_t *port_id)
{
	char name[RTE_ETH_NAME_MAX_LEN];
	char full[RTE_ETH_NAME_MAX_LEN + 8];

	device_name(device, name, sizeof(name));
	if (rte_eth_dev_get_port_by_name(name, port_id) == 0)
		return 0;
	/* a PCI address given without its domain */
	snprintf(full, sizeof(full), "0000:%s", name);
	return rte_eth_dev_get_port_by_name(full, port_id);
}

/* The descriptors of this process's sockets of family @p domain
 * (AF_PACKET, AF_XDP: the PMDs' own), at most @p max. */
static unsigned
socket_fds(int domain, int *out, unsigned max)
{
	struct dirent *e;
	unsigned n = 0;
	DIR *d = opendir("/proc/self/fd");

	if (d == NULL)
		return 0;
	while ((e = readdir(d)) != NULL && n < max) {
		socklen_t len = sizeof(int);
		struct stat sb;
		int fd, dom;

		if (e->d_name[0] < '0' || e->d_name[0] > '9')
			continue;
		fd = atoi(e->d_name);
		if (fd != dirfd(d) && fstat(fd, &sb) == 0 && S_ISSOCK(sb.st_mode) &&
		    getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &dom, &len) == 0 && dom == domain)
			out[n++] = fd;
	}
	closedir(d);
	return n;
}

/*
 * net_af_packet ports lose frames silently: when a socket's ring is full
 * the kernel drops what arrives and counts it on the socket, and DPDK
 * 22.11's PMD reports none of it. Sluice reads those counts from the
 * PMD's sockets itself, recognised as its process's packet sockets bound
 * to the port's interface (PACKET_STATISTICS resets the kernel's count
 * on each read, so every drop is added once), and adds them to the
 * port's rx_missed.
 */
static void
af_packet_drops_poll(struct sl_app *app)
{
	int fds[SL_MAX_PORTS * SL_MAX_WORKERS * 2];
	unsigned i, k, n, any = 0;

	for (i = 0; i < app->n_ports; i++)
		any |= app->af_ifindex[i] != 0;
	if (!any)
		return;
	n = socket_fds(AF_PACKET, fds, RTE_DIM(fds));
	for (k = 0; k < n; k++) {
		struct sockaddr_ll sll;
		struct tpacket_stats_v3 st;
		socklen_t len = sizeof(sll);
		int fd = fds[k];

		if (getsockname(fd, (struct sockaddr *)&sll, &len) != 0 || sll.sll_ifindex == 0)
			continue;
		for (i = 0; i < app->n_ports; i++)
			if (app->af_ifindex[i] == sll.sll_ifindex)
				break;
		if (i == app->n_ports)
			continue;
		memset(&st, 0, sizeof(st));
		len = sizeof(st);
		if (getsockopt(fd, SOL_PACKET, PACKET_STATISTICS, &st, &len) == 0 && st.tp_drops != 0)
			__atomic_fetch_add(&app->kdrops[i], st.tp_drops, __ATOMIC_RELAXED);
	}
}

/*
 * net_af_xdp ports: the PMD reports a socket's rx_dropped as rx_missed
 * but not the frames the kernel dropped because the socket's RX ring was
 * full (XDP_STATISTICS rx_ring_full), which is where a busy or
 * descheduled worker loses them. Those are added here, from the sockets
 * the port's set-up opened (an AF_XDP socket tells neither its interface
 * nor its queue, so they are told apart by when they appeared: the PMD
 * opens a queue's socket when the queue is set up). The count is the
 * kernel's running total: read, not accumulated.
 */
static uint64_t
xsk_ring_full(const struct sl_app *app, unsigned idx)
{
	uint64_t n = 0;
	unsigned i;

	for (i = 0; i < app->n_workers; i++) {
		struct xdp_statistics xs;
		socklen_t len = sizeof(xs);

		memset(&xs, 0, sizeof(xs));
		if (app->xsk_fd[idx][i] >= 0 &&
		    getsockopt(app->xsk_fd[idx][i], SOL_XDP, XDP_STATISTICS, &xs, &len) == 0)
			n += xs.rx_ring_full;
	}
	return n;
}

int
sl_ports_stats(struct sl_app *app, unsigned idx, struct rte_eth_stats *st)
{
	int ret = rte_eth_stats_get(app->hw[idx].port_id, st);

	if (ret != 0)
		return ret;
	af_packet_drops_poll(app);
	st->imissed += __atomic_load_n(&app->kdrops[idx], __ATOMIC_RELAXED);
	st->imissed += xsk_ring_full(app, idx);
	return 0;
}

/*
 * The AF_XDP socket rte_eth_rx_queue_setup() just opened for queue @p q
 * of port @p idx: the one socket that is not among the @p n_before of
 * @p before, which then counts it. None found, or several: none.
 */
static void
xsk_of_queue(struct sl_app *app, unsigned idx, unsigned q, int *before, unsigned *n_before,
	     unsigned max)
{
	int now[SL_MAX_PORTS * SL_MAX_WORKERS];
	unsigned n = socket_fds(AF_XDP, now, RTE_DIM(now)), i, j, found = 0;
	int fd = -1;

	for (i = 0; i < n; i++) {
		for (j = 0; j < *n_before && before[j] != now[i]; j++)
			;
		if (j < *n_before)
			continue;
		found++;
		fd = now[i];
		if (*n_before < max)
			before[(*n_before)++] = now[i];
	}
	if (found == 1) {
		app->xsk_fd[idx][q] = fd;
		app->n_xsk[idx]++;
	}
}

/* The interface of a net_af_packet device string ("iface=NAME"), 0 for
 * other devices. */
static int
af_packet_ifindex(const char *device)
{
	const char *p = strstr(device, "iface=");
	char name[IF_NAMESIZE];
	size_t n;

	if (strncmp(device, "net_af_packet", 13) != 0 || p == NULL)
		return 0;
	p += 6;
	n = strcspn(p, ",");
	if (n == 0 || n >= sizeof(name))
		return 0;
	memcpy(name, p, n);
	name[n] = '\0';
	return (int)if_nametoindex(name);
}

/* The RSS types a port without steering gets: addresses and ports, as
 * far as the device hashes them. */
static uint64_t
own_rss_hf(const struct rte_eth_dev_info *info)
{
	return info->flow_type_rss_offloads &
		(RTE_ETH_RSS_IP | RTE_ETH_RSS_TCP | RTE_ETH_RSS_UDP);
}

/* The RSS types port @p idx asks for to steer, or 0 (app->steer[idx]
 * says why). */
static uint64_t
steering_hf(struct sl_app *app, unsigned idx, const struct rte_eth_dev_info *info,
	    unsigned nq)
{
	enum sl_steering mode = sl_config_steering(app->cfg, idx, &app->steer[idx].why);
	uint64_t hf = sl_steer_rss_hf(mode, info, nq, &app->steer[idx].why);

	app->steer[idx].mode = (uint8_t)(hf != 0 ? mode : SL_STEERING_OFF);
	app->steer[idx].reta_size = 0;
	return hf;
}

/*
 * After the start: fill the device's redirection table with each slot's
 * owner and check that it kept the hash types asked for. Either failing
 * leaves the port with RSS of its own (app->steer[idx] says why).
 */
static void
steering_reta(struct sl_app *app, unsigned idx, uint16_t pid,
	      const struct rte_eth_dev_info *info, uint64_t hf)
{
	uint8_t key[SL_STEER_KEY_MAX];
	struct rte_eth_rss_conf got = {
		.rss_key = key, .rss_key_len = sizeof(key),
	};
	int ret;

	app->steer[idx].mode = SL_STEERING_OFF;
	ret = sl_steer_port_reta(pid, info->reta_size, app->n_workers, &app->steer[idx].why);
	if (ret != 0) {
		SL_LOG(WARNING, "port %u: redirection table: %s", pid, rte_strerror(-ret));
		goto own;
	}
	memset(key, 0, sizeof(key));
	if (info->hash_key_size != 0)
		got.rss_key_len = info->hash_key_size;
	ret = rte_eth_dev_rss_hash_conf_get(pid, &got);
	if (ret == 0 && (got.rss_hf & hf) != hf) {
		app->steer[idx].why = "the device did not keep the hash types asked for";
		goto own;
	}
	if (ret == 0 && memcmp(key, sl_steer_key, SL_STEER_KEY_LEN) != 0) {
		app->steer[idx].why = "the device did not keep Sluice's RSS key";
		goto own;
	}
	app->steer[idx].mode = (uint8_t)sl_config_steering(app->cfg, idx, &app->steer[idx].why);
	app->steer[idx].reta_size = info->reta_size;
	return;
own:
	/* one address alone would spread worse than the device's own hash */
	ret = rte_eth_dev_rss_hash_update(pid, &(struct rte_eth_rss_conf){
			.rss_hf = own_rss_hf(info) });
	if (ret != 0)
		SL_LOG(WARNING, "port %u: RSS back to addresses and ports: %s", pid,
		       rte_strerror(-ret));
}

static int
port_setup(struct sl_app *app, unsigned idx)
{
	const struct sl_config_port *cp = &app->cfg->ports[idx];
	uint8_t key[SL_STEER_KEY_MAX];
	struct rte_eth_conf conf;
	struct rte_eth_dev_info info;
	uint64_t steer_hf;
	uint16_t pid, nrx = cp->rx_desc, ntx = cp->tx_desc;
	uint16_t nq = (uint16_t)app->n_workers;
	int before[SL_MAX_PORTS * SL_MAX_WORKERS];
	int xdp = strncmp(cp->device, "net_af_xdp", 10) == 0;
	unsigned q, n_before;
	int ret, socket;

	app->af_ifindex[idx] = af_packet_ifindex(cp->device);
	if (find_port(cp->device, &pid) != 0) {
		SL_LOG(ERR, "%s:%d: port %s: no device '%s' was probed (check the device string, or bind the NIC to vfio-pci)",
		       app->config_path, cp->line, cp->name, cp->device);
		return -ENODEV;
	}
	ret = rte_eth_dev_info_get(pid, &info);
	if (ret != 0)
		return ret;
	if (info.max_rx_queues < nq || info.max_tx_queues < nq) {
		SL_LOG(ERR, "port %s: device offers %u RX / %u TX queues, %u workers need %u of each",
		       cp->name, info.max_rx_queues, info.max_tx_queues, nq, nq);
		return -EINVAL;
	}
	memset(&conf, 0, sizeof(conf));
	steer_hf = steering_hf(app, idx, &info, nq);
	if (steer_hf != 0) {
		memset(key, 0, sizeof(key));
		memcpy(key, sl_steer_key, SL_STEER_KEY_LEN);
		conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
		conf.rx_adv_conf.rss_conf.rss_key = key;
		conf.rx_adv_conf.rss_conf.rss_key_len = info.hash_key_size != 0 ?
			info.hash_key_size : SL_STEER_KEY_LEN;
		conf.rx_adv_conf.rss_conf.rss_hf = steer_hf;
	} else if (nq > 1 && info.flow_type_rss_offloads != 0) {
		conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
		conf.rx_adv_conf.rss_conf.rss_hf = own_rss_hf(&info);
	}
	if (info.rx_offload_capa & RTE_ETH_RX_OFFLOAD_IPV4_CKSUM)
		conf.rxmode.offloads |= RTE_ETH_RX_OFFLOAD_IPV4_CKSUM;
again:
	ret = rte_eth_dev_configure(pid, nq, nq, &conf);
	if (ret != 0 && steer_hf != 0)
		goto own_rss;
	if (ret != 0) {
		SL_LOG(ERR, "port %s: configure failed: %s", cp->name, rte_strerror(-ret));
		return ret;
	}
	ret = rte_eth_dev_adjust_nb_rx_tx_desc(pid, &nrx, &ntx);
	if (ret != 0)
		return ret;
	if (cp->mtu != 0) {
		ret = rte_eth_dev_set_mtu(pid, cp->mtu);
		if (ret != 0) {
			SL_LOG(ERR, "%s:%d: port %s: mtu %u refused by the device: %s (its range is %u-%u)",
			       app->config_path, cp->mtu_line, cp->name, cp->mtu,
			       rte_strerror(-ret), info.min_mtu, info.max_mtu);
			return ret;
		}
	}
	/* what the tunnel modes measure encapsulated packets against */
	if (rte_eth_dev_get_mtu(pid, &app->hw[idx].mtu) != 0 || app->hw[idx].mtu == 0)
		app->hw[idx].mtu = RTE_ETHER_MTU;
	socket = rte_eth_dev_socket_id(pid);
	if (socket < 0)
		socket = (int)rte_socket_id();
	/* the AF_XDP sockets there before: not this port's */
	n_before = socket_fds(AF_XDP, before, RTE_DIM(before));
	app->n_xsk[idx] = 0;
	for (q = 0; q < nq; q++) {
		ret = rte_eth_rx_queue_setup(pid, (uint16_t)q, nrx, (unsigned)socket,
					     NULL, app->pool);
		app->xsk_fd[idx][q] = -1;
		if (ret == 0 && xdp)
			xsk_of_queue(app, idx, q, before, &n_before, RTE_DIM(before));
		if (ret == 0)
			ret = rte_eth_tx_queue_setup(pid, (uint16_t)q, ntx,
						     (unsigned)socket, NULL);
		if (ret != 0) {
			SL_LOG(ERR, "port %s: queue %u setup failed: %s", cp->name, q,
			       rte_strerror(-ret));
			return ret;
		}
	}
	ret = rte_eth_dev_start(pid);
	if (ret != 0 && steer_hf != 0)
		goto own_rss;
	if (ret != 0) {
		SL_LOG(ERR, "port %s: start failed: %s", cp->name, rte_strerror(-ret));
		return ret;
	}
	if (steer_hf != 0)
		steering_reta(app, idx, pid, &info, steer_hf);
	SL_LOG(INFO, "port %s: steering %s%s%s", cp->name,
	       sl_config_steering_name(app->steer[idx].mode),
	       app->steer[idx].mode == SL_STEERING_OFF ? ": " : " - ", app->steer[idx].why);
	if (xdp && app->n_xsk[idx] == nq)
		SL_LOG(INFO, "port %s: %u AF_XDP socket(s); their RX ring overflows count as rx_missed%s",
		       cp->name, app->n_xsk[idx],
		       app->cfg->global.idle_wake ? ", and a frame on one ends its worker's idle sleep" : "");
	else if (xdp)
		SL_LOG(WARNING, "port %s: the AF_XDP sockets of %u of %u queues not found: their RX ring overflows are not in rx_missed%s",
		       cp->name, nq - app->n_xsk[idx], nq,
		       app->cfg->global.idle_wake ? ", and their workers sleep plainly" : "");
	rte_eth_macaddr_get(pid, &app->hw[idx].mac);
	app->hw[idx].port_id = pid;
	app->port_index[pid] = (int16_t)idx;
	SL_LOG(INFO, "port %s: %s (port %u) MAC " RTE_ETHER_ADDR_PRT_FMT
	       ", mtu %u, %u queue pair(s), %u/%u descriptors%s",
	       cp->name, cp->device, pid, RTE_ETHER_ADDR_BYTES(&app->hw[idx].mac),
	       app->hw[idx].mtu, nq, nrx, ntx, conf.rxmode.mq_mode == RTE_ETH_MQ_RX_RSS ? ", RSS" : "");
	return 0;
own_rss:
	/* the device's own RSS rather than no port at all */
	SL_LOG(WARNING, "port %s: RSS for steering refused: %s", cp->name, rte_strerror(-ret));
	app->steer[idx].mode = SL_STEERING_OFF;
	app->steer[idx].why = "the device refused Sluice's key or hash types";
	steer_hf = 0;
	conf.rx_adv_conf.rss_conf.rss_key = NULL;
	conf.rx_adv_conf.rss_conf.rss_key_len = 0;
	conf.rx_adv_conf.rss_conf.rss_hf = own_rss_hf(&info);
	goto again;
}

/* Give the kernel side of a TAP the port's address and bring it up. */
static int
kernel_if_address(const char *ifname, uint32_t addr, uint8_t prefix)
{
	struct ifreq ifr;
	struct sockaddr_in *sin = (struct sockaddr_in *)&ifr.ifr_addr;
	int fd, ret = 0;

	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0)
		return -errno;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	sin->sin_family = AF_INET;
	sin->sin_addr.s_addr = htonl(addr);
	if (ioctl(fd, SIOCSIFADDR, &ifr) < 0)
		ret = -errno;
	sin->sin_addr.s_addr = htonl(prefix == 0 ? 0 : ~0u << (32 - prefix));
	if (ret == 0 && ioctl(fd, SIOCSIFNETMASK, &ifr) < 0)
		ret = -errno;
	if (ret == 0 && ioctl(fd, SIOCGIFFLAGS, &ifr) == 0) {
		ifr.ifr_flags |= IFF_UP;
		if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
			ret = -errno;
	}
	close(fd);
	return ret;
}

/*
 * The port's static routes (its default route included) in the kernel,
 * on the TAP: kernel sockets of Sluice's own (health checks above all)
 * then reach what lies behind a gateway as the workers do. A route the
 * kernel refuses is logged and skipped: the port still forwards, only
 * the kernel's own traffic to that prefix goes wherever its table says.
 */
static void
kernel_if_routes(const struct sl_config_port *cp)
{
	char a[INET_ADDRSTRLEN], g[INET_ADDRSTRLEN], dev[IFNAMSIZ];
	unsigned k;
	int fd;

	if (cp->n_routes == 0)
		return;
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0) {
		SL_LOG(ERR, "port %s: cannot add its routes to kernel interface %s: socket: %s",
		       cp->name, cp->kernel_if, strerror(errno));
		return;
	}
	snprintf(dev, sizeof(dev), "%s", cp->kernel_if);
	for (k = 0; k < cp->n_routes; k++) {
		const struct sl_config_route *r = &cp->routes[k];
		struct rtentry rt;
		struct sockaddr_in *sin;
		struct in_addr ia;

		memset(&rt, 0, sizeof(rt));
		sin = (struct sockaddr_in *)&rt.rt_dst;
		sin->sin_family = AF_INET;
		sin->sin_addr.s_addr = htonl(r->prefix);
		sin = (struct sockaddr_in *)&rt.rt_gateway;
		sin->sin_family = AF_INET;
		sin->sin_addr.s_addr = htonl(r->via);
		sin = (struct sockaddr_in *)&rt.rt_genmask;
		sin->sin_family = AF_INET;
		sin->sin_addr.s_addr = htonl(r->len == 0 ? 0 : ~0u << (32 - r->len));
		rt.rt_flags = RTF_UP | RTF_GATEWAY | (r->len == 32 ? RTF_HOST : 0);
		rt.rt_dev = dev;
		ia.s_addr = htonl(r->prefix);
		inet_ntop(AF_INET, &ia, a, sizeof(a));
		ia.s_addr = htonl(r->via);
		inet_ntop(AF_INET, &ia, g, sizeof(g));
		if (ioctl(fd, SIOCADDRT, &rt) == 0)
			SL_LOG(INFO, "port %s: kernel route %s/%u via %s dev %s",
			       cp->name, a, r->len, g, dev);
		else if (errno == EEXIST)
			SL_LOG(WARNING, "port %s: the kernel has a route for %s/%u already and keeps it: Sluice's own sockets (health checks) there follow it, not via %s dev %s (delete it if the port's route should apply)",
			       cp->name, a, r->len, g, dev);
		else
			SL_LOG(ERR, "port %s: cannot add kernel route %s/%u via %s dev %s: %s; health checks to backends behind %s will fail",
			       cp->name, a, r->len, g, dev, strerror(errno), g);
	}
	close(fd);
}

/*
 * The port's IPv6 address on its kernel interface, through rtnetlink,
 * without duplicate address detection (the address is Sluice's; the
 * kernel would otherwise keep it tentative for a second), and its IPv6
 * default gateway. 0 or -errno.
 */
static int
kernel_if_address6(const struct sl_config_port *cp)
{
	struct {
		struct nlmsghdr nh;
		struct ifaddrmsg ifa;
		char attrs[2 * RTA_SPACE(16)];
	} req;
	struct {
		struct nlmsghdr nh;
		struct nlmsgerr err;
	} ack;
	struct rtattr *rta;
	unsigned ifindex = if_nametoindex(cp->kernel_if);
	int fd, ret;

	if (ifindex == 0)
		return -errno;
	memset(&req, 0, sizeof(req));
	req.nh.nlmsg_len = NLMSG_LENGTH(sizeof(req.ifa));
	req.nh.nlmsg_type = RTM_NEWADDR;
	req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_REPLACE;
	req.ifa.ifa_family = AF_INET6;
	req.ifa.ifa_prefixlen = cp->prefix6_len;
	req.ifa.ifa_flags = IFA_F_NODAD;
	req.ifa.ifa_scope = RT_SCOPE_UNIVERSE;
	req.ifa.ifa_index = ifindex;
	rta = (struct rtattr *)((char *)&req + NLMSG_ALIGN(req.nh.nlmsg_len));
	rta->rta_type = IFA_LOCAL;
	rta->rta_len = RTA_LENGTH(16);
	memcpy(RTA_DATA(rta), cp->addr6, 16);
	req.nh.nlmsg_len = NLMSG_ALIGN(req.nh.nlmsg_len) + RTA_SPACE(16);
	rta = (struct rtattr *)((char *)&req + req.nh.nlmsg_len);
	rta->rta_type = IFA_ADDRESS;
	rta->rta_len = RTA_LENGTH(16);
	memcpy(RTA_DATA(rta), cp->addr6, 16);
	req.nh.nlmsg_len += RTA_SPACE(16);

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return -errno;
	if (send(fd, &req, req.nh.nlmsg_len, 0) < 0)
		ret = -errno;
	else if (recv(fd, &ack, sizeof(ack), 0) < (ssize_t)sizeof(ack.nh))
		ret = -EIO;
	else
		ret = ack.nh.nlmsg_type == NLMSG_ERROR ? ack.err.error : 0;
	close(fd);
	return ret;
}

/* Send one rtnetlink request and read its acknowledgement: 0 or -errno. */
static int
nl_request(void *req, size_t len)
{
	struct {
		struct nlmsghdr nh;
		struct nlmsgerr err;
	} ack;
	int fd, ret;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return -errno;
	if (send(fd, req, len, 0) < 0)
		ret = -errno;
	else if (recv(fd, &ack, sizeof(ack), 0) < (ssize_t)sizeof(ack.nh))
		ret = -EIO;
	else
		ret = ack.nh.nlmsg_type == NLMSG_ERROR ? ack.err.error : 0;
	close(fd);
	return ret;
}

/*
 * An IPv6 route, @p prefix/@p len via @p via, on the port's kernel
 * interface (rtnetlink: IPv6 routes have no ioctl). @p flags adds
 * NLM_F_REPLACE or NLM_F_EXCL to the creation. 0 or -errno.
 */
static int
kernel_if_route6(const struct sl_config_port *cp, const uint8_t prefix[16],
		 uint8_t len, const uint8_t via[16], uint16_t flags)
{
	struct {
		struct nlmsghdr nh;
		struct rtmsg rt;
		char attrs[2 * RTA_SPACE(16) + RTA_SPACE(4)];
	} req;
	struct rtattr *rta;
	uint32_t ifindex = if_nametoindex(cp->kernel_if);

	if (ifindex == 0)
		return -errno;
	memset(&req, 0, sizeof(req));
	req.nh.nlmsg_len = NLMSG_LENGTH(sizeof(req.rt));
	req.nh.nlmsg_type = RTM_NEWROUTE;
	req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | flags;
	req.rt.rtm_family = AF_INET6;
	req.rt.rtm_dst_len = len;
	req.rt.rtm_table = RT_TABLE_MAIN;
	req.rt.rtm_protocol = RTPROT_STATIC;
	req.rt.rtm_scope = RT_SCOPE_UNIVERSE;
	req.rt.rtm_type = RTN_UNICAST;
	req.nh.nlmsg_len = NLMSG_ALIGN(req.nh.nlmsg_len);
	if (len != 0) {
		rta = (struct rtattr *)((char *)&req + req.nh.nlmsg_len);
		rta->rta_type = RTA_DST;
		rta->rta_len = RTA_LENGTH(16);
		memcpy(RTA_DATA(rta), prefix, 16);
		req.nh.nlmsg_len += RTA_SPACE(16);
	}
	rta = (struct rtattr *)((char *)&req + req.nh.nlmsg_len);
	rta->rta_type = RTA_GATEWAY;
	rta->rta_len = RTA_LENGTH(16);
	memcpy(RTA_DATA(rta), via, 16);
	req.nh.nlmsg_len += RTA_SPACE(16);
	rta = (struct rtattr *)((char *)&req + req.nh.nlmsg_len);
	rta->rta_type = RTA_OIF;
	rta->rta_len = RTA_LENGTH(4);
	memcpy(RTA_DATA(rta), &ifindex, 4);
	req.nh.nlmsg_len += RTA_SPACE(4);
	return nl_request(&req, req.nh.nlmsg_len);
}

/* The port's IPv6 default route (its IPv6 gateway) on its kernel
 * interface, so that health checks reach IPv6 backends behind it. */
static int
kernel_if_gateway6(const struct sl_config_port *cp)
{
	static const uint8_t any[16];

	return kernel_if_route6(cp, any, 0, cp->gateway6, NLM_F_REPLACE);
}

/*
 * The port's other IPv6 routes on its kernel interface, as
 * kernel_if_routes() does for IPv4 (the default route is the gateway's,
 * kernel_if_gateway6()). A route the kernel already has for the same
 * prefix stays: NLM_F_EXCL, as SIOCADDRT refuses an existing IPv4 one.
 */
static void
kernel_if_routes6(const struct sl_config_port *cp)
{
	char a[INET6_ADDRSTRLEN], g[INET6_ADDRSTRLEN];
	unsigned k;
	int ret;

	for (k = 0; k < cp->n_routes6; k++) {
		const struct sl_config_route6 *r = &cp->routes6[k];

		if (r->len == 0)
			continue;
		inet_ntop(AF_INET6, r->prefix, a, sizeof(a));
		inet_ntop(AF_INET6, r->via, g, sizeof(g));
		ret = kernel_if_route6(cp, r->prefix, r->len, r->via, NLM_F_EXCL);
		if (ret == 0)
			SL_LOG(INFO, "port %s: kernel route %s/%u via %s dev %s",
			       cp->name, a, r->len, g, cp->kernel_if);
		else if (ret == -EEXIST)
			SL_LOG(WARNING, "port %s: the kernel has a route for %s/%u already and keeps it: Sluice's own sockets (health checks) there follow it, not via %s dev %s (delete it if the port's route should apply)",
			       cp->name, a, r->len, g, cp->kernel_if);
		else
			SL_LOG(ERR, "port %s: cannot add kernel route %s/%u via %s dev %s: %s; health checks to backends behind %s will fail",
			       cp->name, a, r->len, g, cp->kernel_if, strerror(-ret), g);
	}
}

/*
 * The exception path of port @p idx: a TAP interface with the port's MAC
 * and address, so the kernel's sockets, ping and routing daemons work
 * over a port DPDK owns. Only the management lcore touches its queues.
 */
static int
kernel_if_setup(struct sl_app *app, unsigned idx)
{
	const struct sl_config_port *cp = &app->cfg->ports[idx];
	char name[32], args[128];
	struct rte_eth_conf conf;
	uint16_t pid;
	int ret;

	snprintf(name, sizeof(name), "net_tap_sl%u", idx);
	snprintf(args, sizeof(args), "iface=%s,mac=" RTE_ETHER_ADDR_PRT_FMT,
		 cp->kernel_if, RTE_ETHER_ADDR_BYTES(&app->hw[idx].mac));
	ret = rte_vdev_init(name, args);
	if (ret != 0 || rte_eth_dev_get_port_by_name(name, &pid) != 0) {
		SL_LOG(ERR, "port %s: cannot create kernel interface %s: %s",
		       cp->name, cp->kernel_if, rte_strerror(-ret));
		return ret != 0 ? ret : -ENODEV;
	}
	memset(&conf, 0, sizeof(conf));
	ret = rte_eth_dev_configure(pid, 1, 1, &conf);
	if (ret == 0)
		ret = rte_eth_rx_queue_setup(pid, 0, 512, rte_eth_dev_socket_id(pid) < 0 ?
					     rte_socket_id() : (unsigned)rte_eth_dev_socket_id(pid),
					     NULL, app->pool);
	if (ret == 0)
		ret = rte_eth_tx_queue_setup(pid, 0, 512, rte_socket_id(), NULL);
	if (ret == 0)
		ret = rte_eth_dev_start(pid);
	if (ret == 0)
		ret = kernel_if_address(cp->kernel_if, cp->addr, cp->prefix_len);
	if (ret == 0 && cp->prefix6_len != 0)
		ret = kernel_if_address6(cp);
	if (ret == 0 && cp->prefix6_len != 0 &&
	    memcmp(cp->gateway6, (const uint8_t[16]){ 0 }, 16) != 0) {
		int r6 = kernel_if_gateway6(cp);

		if (r6 != 0)
			SL_LOG(ERR, "port %s: cannot add the IPv6 default route to kernel interface %s: %s; health checks to IPv6 backends behind the gateway will fail",
			       cp->name, cp->kernel_if, strerror(-r6));
	}
	if (ret != 0) {
		SL_LOG(ERR, "port %s: kernel interface %s: %s", cp->name, cp->kernel_if,
		       strerror(-ret));
		rte_eth_dev_stop(pid);
		rte_eth_dev_close(pid);
		return ret;
	}
	app->tap[idx] = pid;
	SL_LOG(INFO, "port %s: kernel interface %s (port %u) carries traffic for its address",
	       cp->name, cp->kernel_if, pid);
	kernel_if_routes(cp);
	if (cp->prefix6_len != 0)
		kernel_if_routes6(cp);
	return 0;
}

/* Local addresses each port's kernel interface holds (management lcore). */
static struct {
	uint16_t n;
	uint32_t addr[SL_MAX_LOCAL_ADDRS];   /* host order */
} kern_local[SL_MAX_PORTS];

/* Add (RTM_NEWADDR) or remove (RTM_DELADDR) @p addr/32 on interface
 * @p ifindex through rtnetlink; 0 or -errno (EEXIST on an add: there). */
static int
nl_addr(int op, int ifindex, uint32_t addr)
{
	struct {
		struct nlmsghdr nh;
		struct ifaddrmsg ifa;
		char attrs[2 * RTA_SPACE(4)];
	} req;
	struct {
		struct nlmsghdr nh;
		struct nlmsgerr err;
	} ack;
	struct rtattr *rta;
	uint32_t a = htonl(addr);
	int fd, ret;

	memset(&req, 0, sizeof(req));
	req.nh.nlmsg_len = NLMSG_LENGTH(sizeof(req.ifa));
	req.nh.nlmsg_type = (uint16_t)op;
	req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK |
		(op == RTM_NEWADDR ? NLM_F_CREATE | NLM_F_EXCL : 0);
	req.ifa.ifa_family = AF_INET;
	req.ifa.ifa_prefixlen = 32;
	req.ifa.ifa_scope = RT_SCOPE_UNIVERSE;
	req.ifa.ifa_index = (unsigned)ifindex;
	rta = (struct rtattr *)((char *)&req + NLMSG_ALIGN(req.nh.nlmsg_len));
	rta->rta_type = IFA_LOCAL;
	rta->rta_len = RTA_LENGTH(4);
	memcpy(RTA_DATA(rta), &a, 4);
	req.nh.nlmsg_len = NLMSG_ALIGN(req.nh.nlmsg_len) + RTA_SPACE(4);
	rta = (struct rtattr *)((char *)&req + req.nh.nlmsg_len);
	rta->rta_type = IFA_ADDRESS;
	rta->rta_len = RTA_LENGTH(4);
	memcpy(RTA_DATA(rta), &a, 4);
	req.nh.nlmsg_len += RTA_SPACE(4);

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return -errno;
	if (send(fd, &req, req.nh.nlmsg_len, 0) < 0)
		ret = -errno;
	else if (recv(fd, &ack, sizeof(ack), 0) < (ssize_t)sizeof(ack.nh))
		ret = -EIO;
	else
		ret = ack.nh.nlmsg_type == NLMSG_ERROR ? ack.err.error : 0;
	close(fd);
	return ret;
}

/*
 * The kernel interface of each port holds the port's fullnat local
 * addresses, so health checks of fullnat services can leave from them
 * as the traffic does: new ones are added, ones no longer configured
 * removed. Called at start and after every applied configuration;
 * nothing is done when the addresses did not change.
 */
void
sl_ports_kernel_locals(struct sl_app *app, const struct sl_config *cfg)
{
	char a[INET_ADDRSTRLEN];
	unsigned i, j, k;

	for (i = 0; i < app->n_ports && i < cfg->n_ports; i++) {
		const struct sl_config_port *cp = &cfg->ports[i];
		int ifindex, ret;

		if (app->tap[i] < 0)
			continue;
		if (kern_local[i].n == cp->n_local &&
		    memcmp(kern_local[i].addr, cp->local_addrs, cp->n_local * sizeof(uint32_t)) == 0)
			continue;
		ifindex = (int)if_nametoindex(cp->kernel_if);
		if (ifindex == 0) {
			SL_LOG(ERR, "port %s: kernel interface %s: %s", cp->name, cp->kernel_if,
			       strerror(errno));
			continue;
		}
		/* gone from the configuration: off the interface */
		for (j = 0; j < kern_local[i].n; j++) {
			for (k = 0; k < cp->n_local && cp->local_addrs[k] != kern_local[i].addr[j]; k++)
				;
			if (k < cp->n_local)
				continue;
			ret = nl_addr(RTM_DELADDR, ifindex, kern_local[i].addr[j]);
			inet_ntop(AF_INET, &(struct in_addr){ htonl(kern_local[i].addr[j]) }, a, sizeof(a));
			if (ret != 0 && ret != -EADDRNOTAVAIL)
				SL_LOG(WARNING, "port %s: cannot remove local address %s from %s: %s",
				       cp->name, a, cp->kernel_if, strerror(-ret));
		}
		for (k = 0; k < cp->n_local; k++) {
			ret = nl_addr(RTM_NEWADDR, ifindex, cp->local_addrs[k]);
			inet_ntop(AF_INET, &(struct in_addr){ htonl(cp->local_addrs[k]) }, a, sizeof(a));
			if (ret == 0)
				SL_LOG(INFO, "port %s: local address %s on kernel interface %s",
				       cp->name, a, cp->kernel_if);
			else if (ret != -EEXIST)
				SL_LOG(ERR, "port %s: cannot add local address %s to %s: %s; health checks from it will fail",
				       cp->name, a, cp->kernel_if, strerror(-ret));
		}
		kern_local[i].n = cp->n_local;
		memcpy(kern_local[i].addr, cp->local_addrs, cp->n_local * sizeof(uint32_t));
	}
}

/*
 * FullNAT replies steered by the NIC: a reply's destination port names
 * its worker through its low bits (sl_lport_owner()), so where the
 * device takes rte_flow rules, one per local address, protocol and port
 * slot sends the replies straight to their owner's queue. A device that
 * refuses one keeps none (sl_steer_lport_install()): replies then reach
 * their owner over the redirect rings, slower, never wrong. The rules follow the local
 * addresses across reloads; a device that refused them is asked again
 * only when they change.
 */
static struct {
	void **rule;                 /* the rules in place (struct rte_flow *) */
	unsigned n;
	struct sl_steer_locals loc;  /* the local addresses they cover (at
				      * first none, which needs no rules) */
	char why[160];               /* what steers the replies, and why */
} lsteer[SL_MAX_PORTS];

static void *
lsteer_make(void *ctx, const struct sl_steer_lport_flow *f, const char **err)
{
	struct rte_flow_error e = { 0 };
	struct rte_flow *r = rte_flow_create(*(const uint16_t *)ctx, &f->attr, f->pattern,
					     f->actions, &e);

	if (r == NULL)
		*err = e.message != NULL ? e.message : rte_strerror(rte_errno);
	return r;
}

static void
lsteer_undo(void *ctx, void *rule)
{
	uint16_t pid = *(const uint16_t *)ctx;
	struct rte_flow_error e = { 0 };

	if (rte_flow_destroy(pid, rule, &e) != 0)
		SL_LOG(WARNING, "port %u: a fullnat steering rule stays in the device: %s", pid,
		       e.message != NULL ? e.message : rte_strerror(rte_errno));
}

/* Remove port @p idx's rules. */
static void
lsteer_clear(struct sl_app *app, unsigned idx)
{
	while (lsteer[idx].n > 0)
		lsteer_undo(&app->hw[idx].port_id, lsteer[idx].rule[--lsteer[idx].n]);
	free(lsteer[idx].rule);
	lsteer[idx].rule = NULL;
}

void
sl_ports_steer(struct sl_app *app, const struct sl_config *cfg)
{
	unsigned i;

	for (i = 0; i < app->n_ports && i < cfg->n_ports; i++) {
		const struct sl_config_port *cp = &cfg->ports[i];
		struct sl_steer_locals loc;
		unsigned k;

		memset(&loc, 0, sizeof(loc));
		loc.n4 = cp->n_local;
		loc.n6 = cp->n_local6;
		for (k = 0; k < cp->n_local; k++)
			loc.a4[k] = rte_cpu_to_be_32(cp->local_addrs[k]);
		memcpy(loc.a6, cp->local6, cp->n_local6 * sizeof(loc.a6[0]));
		if (memcmp(&loc, &lsteer[i].loc, sizeof(loc)) == 0)
			continue;
		lsteer_clear(app, i);
		lsteer[i].loc = loc;
		lsteer[i].why[0] = '\0';
		if (loc.n4 + loc.n6 == 0)
			continue;
		lsteer[i].rule = calloc(sl_steer_lport_count(&loc, app->n_workers),
					sizeof(*lsteer[i].rule));
		if (lsteer[i].rule == NULL)
			snprintf(lsteer[i].why, sizeof(lsteer[i].why), "redirect rings: out of memory");
		else
			lsteer[i].n = sl_steer_lport_install(&loc, app->n_workers, lsteer_make,
							     lsteer_undo, &app->hw[i].port_id,
							     lsteer[i].rule, lsteer[i].why,
							     sizeof(lsteer[i].why));
		SL_LOG(INFO, "port %s: fullnat replies: %s", cp->name, lsteer[i].why);
	}
}

const char *
sl_ports_reply_steering(unsigned idx, unsigned *rules)
{
	*rules = idx < SL_MAX_PORTS ? lsteer[idx].n : 0;
	return idx < SL_MAX_PORTS && lsteer[idx].why[0] != '\0' ? lsteer[idx].why : NULL;
}

int
sl_ports_init(struct sl_app *app)
{
	unsigned i;
	int ret;

	for (i = 0; i < RTE_MAX_ETHPORTS; i++)
		app->port_index[i] = -1;
	for (i = 0; i < SL_MAX_PORTS; i++)
		app->tap[i] = -1;
	for (i = 0; i < app->cfg->n_ports; i++) {
		ret = port_setup(app, i);
		if (ret != 0)
			return ret;
		app->n_ports = (uint16_t)(i + 1);
		if (app->cfg->ports[i].kernel_if[0] != '\0') {
			ret = kernel_if_setup(app, i);
			if (ret != 0)
				return ret;
		}
	}
	return 0;
}

void
sl_ports_stop(struct sl_app *app)
{
	unsigned i;

	for (i = 0; i < app->n_ports; i++) {
		uint16_t pid = app->hw[i].port_id;

		/* a device keeps its rules over a stop only when it says so:
		 * they go first */
		lsteer_clear(app, i);
		memset(&lsteer[i], 0, sizeof(lsteer[i]));
		if (rte_eth_dev_stop(pid) != 0)
			SL_LOG(WARNING, "port %s: stop failed", app->cfg->ports[i].name);
		rte_eth_dev_close(pid);
		if (app->tap[i] >= 0) {
			rte_eth_dev_stop((uint16_t)app->tap[i]);
			rte_eth_dev_close((uint16_t)app->tap[i]);
			app->tap[i] = -1;
			kern_local[i].n = 0;
		}
	}
	app->n_ports = 0;
}
