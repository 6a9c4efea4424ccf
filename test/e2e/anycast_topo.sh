# SPDX-License-Identifier: BSD-3-Clause
# shellcheck shell=bash
#
# Anycast topology: two Sluice instances announce the same VIP to one
# router over BGP, each through its own BIRD, and the router spreads the
# clients over both by ECMP. Sourced by test/e2e/anycast.sh and
# tools/anycast-demo.sh after lib.sh (sl_init, sl_ns_add, sl_if_prep,
# sl_pid_alive, sl_pid_stop, the cleanup); needs root.
#
#   client ns           router ns (BIRD, AS 65000)           sluice A ns (AS 65001)
#   c0 10.8.0.2/24 -- rc 10.8.0.1/24                          BIRD over sl-out (TAP)
#                       ra 10.0.1.1/24 ---------------- out [Sluice A 10.0.1.2] in --+
#                       rb 10.0.2.1/24 ---------------- out [Sluice B 10.0.2.2] in --+
#                       br0 10.1.0.254/24 (the inside switch) ----------------------+
#                        |   |   |                     sluice B ns (AS 65001)
#                       b1  b2  b3: e0 10.1.0.1N/24, VIP 10.0.0.100 on lo, default via 10.1.0.254
#
# Sluice A and B: the same service (VIP 10.0.0.100:80/TCP, mode tunnel,
# IPIP, maglev, TCP checks every 200 ms) and the same backends; A's
# inside address 10.1.0.1 (tunnels from 10.1.0.5), B's 10.1.0.2 (from
# 10.1.0.6). Each has kernel_interface on both ports: its BIRD peers
# with the router through sl-out (so the session dies with Sluice), BFD
# 200 ms x 4 (a machine shared with other tests delays a BFD packet now
# and then; 100 ms x 3 flapped there), hold time 3 s. The router's BIRD
# merges the two paths into one multipath route (kernel protocol, merge
# paths) and the kernel hashes on L4 (fib_multipath_hash_policy = 1). The backends
# answer the client directly through the router (direct server return);
# the test kernel has no ipip module, so decap.py stands in for it.
#
# Functions:
#   ac_init                 names (after sl_init)
#   ac_topo_up              namespaces, links, backends' servers and decap.py
#   ac_sluice_conf I [EXTRA_BGP_LINES]   write instance I's (a|b) configuration
#   ac_sluice_start I; ac_sluice_wait_ready I; ac_sluice_term I; ac_sluice_kill I
#   ac_bird_start WHO       WHO: router, a or b (configuration written here)
#   ac_bird_stop WHO
#   ac_nexthops             the router's next hops for the VIP, sorted, one line
#   ac_wait_nexthops WANT MS   until ac_nexthops is WANT; prints the ms taken
#   ac_ctl I ARGS...        sluicectl against instance I (stdout)

AC_VIP=10.0.0.100
AC_CLIENT=10.8.0.2
AC_ROUTER_C=10.8.0.1
AC_BIPS=(10.1.0.11 10.1.0.12 10.1.0.13)
AC_SWITCH=10.1.0.254
declare -A AC_OUT=([a]=10.0.1.2 [b]=10.0.2.2)
declare -A AC_RTR=([a]=10.0.1.1 [b]=10.0.2.1)
declare -A AC_IN=([a]=10.1.0.1 [b]=10.1.0.2)
declare -A AC_LOCAL=([a]=10.1.0.5 [b]=10.1.0.6)
declare -A AC_NS=()
declare -A AC_PID=()        # Sluice instances
# shellcheck disable=SC2034  # read by the scripts that source this file
declare -A AC_RC=()         # their exit status once reaped
declare -A AC_BIRD_PID=()   # BIRD daemons: router, a, b
AC_HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
AC_DECAP=${AC_DECAP:-$AC_HERE/decap.py}
AC_GRACE=${AC_GRACE:-3}
AC_BIRD=$(command -v bird || echo /usr/sbin/bird)
AC_BIRDC=$(command -v birdc || echo /usr/sbin/birdc)

ac_init() {
	AC_NS=([c]=$SL_PFX-c [r]=$SL_PFX-r [a]=$SL_PFX-a [b]=$SL_PFX-b
	       [b1]=$SL_PFX-b1 [b2]=$SL_PFX-b2 [b3]=$SL_PFX-b3)
}

ac_topo_up() {
	local ns i r=${AC_NS[r]} c=${AC_NS[c]} t
	for ns in "${AC_NS[@]}"; do sl_ns_add "$ns" || return 1; done
	ip -n "$c" link add c0 type veth peer name rc netns "$r" || return 1
	sl_if_prep "$c" c0 && sl_if_prep "$r" rc || return 1
	ip -n "$c" addr add "$AC_CLIENT/24" dev c0
	ip -n "$c" route add default via "$AC_ROUTER_C"
	ip -n "$r" addr add "$AC_ROUTER_C/24" dev rc
	ip -n "$r" link add br0 type bridge stp_state 0 forward_delay 0 mcast_snooping 0 || return 1
	ip -n "$r" link set br0 up
	ip -n "$r" addr add "$AC_SWITCH/24" dev br0
	for i in a b; do
		ns=${AC_NS[$i]}
		ip -n "$r" link add "r$i" type veth peer name out netns "$ns" || return 1
		ip -n "$r" link add "i$i" type veth peer name in netns "$ns" || return 1
		sl_if_prep "$r" "r$i" && sl_if_prep "$r" "i$i" || return 1
		ip -n "$r" link set "i$i" master br0
		ip -n "$r" addr add "${AC_RTR[$i]}/24" dev "r$i"
		sl_if_prep "$ns" out && sl_if_prep "$ns" in || return 1
		# af_packet sees the veths' frames, the kernel must not answer
		# them itself: see sl_kernel_interfaces in lib.sh
		ip netns exec "$ns" sysctl -qw net.ipv4.conf.all.arp_ignore=8 \
			net.ipv4.conf.all.rp_filter=1 net.ipv4.conf.out.rp_filter=1 \
			net.ipv4.conf.in.rp_filter=1 >/dev/null || return 1
	done
	ip netns exec "$r" sysctl -qw net.ipv4.ip_forward=1 \
		net.ipv4.fib_multipath_hash_policy=1 net.ipv4.conf.all.rp_filter=0 \
		net.ipv4.conf.default.rp_filter=0 >/dev/null || return 1
	for i in 1 2 3; do
		ns=${AC_NS[b$i]}
		ip -n "$ns" link add e0 type veth peer name "b$i" netns "$r" || return 1
		sl_if_prep "$r" "b$i" && sl_if_prep "$ns" e0 || return 1
		ip -n "$r" link set "b$i" master br0
		ip -n "$ns" addr add "${AC_BIPS[$((i - 1))]}/24" dev e0
		ip -n "$ns" addr add "$AC_VIP/32" dev lo
		ip -n "$ns" route add default via "$AC_SWITCH"
		ip netns exec "$ns" sysctl -qw net.ipv4.conf.all.arp_ignore=1 \
			net.ipv4.conf.all.arp_announce=2 net.ipv4.conf.e0.arp_ignore=1 \
			net.ipv4.conf.e0.arp_announce=2 net.ipv4.conf.all.rp_filter=0 \
			net.ipv4.conf.default.rp_filter=0 net.ipv4.conf.e0.rp_filter=0 >/dev/null || return 1
	done
	for i in 1 2 3; do
		ns=${AC_NS[b$i]}
		mkdir -p "$SL_TMP/www$i"
		printf 'b%s' "$i" >"$SL_TMP/www$i/name"
		ip netns exec "$ns" "$SL_PY" "$AC_HERE/put_server.py" "b$i" "$SL_TMP/www$i" 0.0.0.0 80 --put-name \
			</dev/null >"$SL_TMP/server$i.log" 2>&1 &
		SL_PIDS+=($!)
		ip netns exec "$ns" "$SL_PY" "$AC_DECAP" ipip --tun tun0 \
			</dev/null >"$SL_TMP/decap$i.log" 2>&1 &
		SL_PIDS+=($!)
	done
	for i in 1 2 3; do
		for ((t = 0; t < 100; t++)); do
			grep -q '^ready' "$SL_TMP/decap$i.log" 2>/dev/null &&
				ip netns exec "${AC_NS[b$i]}" ss -Hltn '( sport = :80 )' | grep -q . && break
			sleep 0.1
		done
		[ "$t" -lt 100 ] || { sl_log "backend b$i did not start"; cat "$SL_TMP/decap$i.log" "$SL_TMP/server$i.log" >&2; return 1; }
	done
}

# ac_sluice_conf I [EXTRA]: instance I's configuration, EXTRA appended to [bgp].
ac_sluice_conf() {
	local i=$1 b
	{
		cat <<EOF
; anycast instance $i (generated by test/e2e/anycast_topo.sh)
[eal]
lcores = 0-1
args = --no-pci --no-huge -m 256 --file-prefix $SL_PFX-$i --log-level lib.*:notice

[global]
idle_sleep = 100
stats_interval = 0
flow_capacity = 65536
admin_socket = $SL_TMP/$i.sock

[port.outside]
device = net_af_packet0,iface=out
address = ${AC_OUT[$i]}/24
kernel_interface = sl-out

[port.inside]
device = net_af_packet1,iface=in
address = ${AC_IN[$i]}/24
kernel_interface = sl-in
local_address = ${AC_LOCAL[$i]}
mtu = 1500

[service.web]
vip = $AC_VIP
port = 80
protocol = tcp
mode = tunnel
encap = ipip
scheduler = maglev
check = tcp
check_interval = 200
check_timeout = 200
check_fall = 2
check_rise = 2
EOF
		for b in "${AC_BIPS[@]}"; do echo "backend = $b:80"; done
		cat <<EOF

[bgp]
daemon = bird
include = $SL_TMP/$i-vips.conf
control = $SL_TMP/bird-$i.ctl
grace = $AC_GRACE
EOF
		[ -z "${2:-}" ] || printf '%s\n' "$2"
	} >"$SL_TMP/$i.ini"
}

# shellcheck disable=SC2154  # bin, ctl_bin: set by the sourcing script
ac_sluice_start() {
	local i=$1
	ip netns exec "${AC_NS[$i]}" "$bin" -c "$SL_TMP/$i.ini" </dev/null >>"$SL_TMP/sluice-$i.log" 2>&1 &
	AC_PID[$i]=$!
	SL_PIDS+=($!)
	unset "AC_RC[$i]"
}

# ac_sluice_wait_ready I: the Nth "ready" of instance I's log, N = its starts.
ac_sluice_wait_ready() {
	local i=$1 t n
	n=$(grep -c 'sluice: ready' "$SL_TMP/sluice-$i.log" 2>/dev/null)
	for ((t = 0; t < 600; t++)); do
		[ "$(grep -c 'sluice: ready' "$SL_TMP/sluice-$i.log")" -gt "${AC_SEEN_READY[$i]:-0}" ] && {
			AC_SEEN_READY[$i]=$((AC_SEEN_READY[$i] + 1)); return 0; }
		sl_pid_alive "${AC_PID[$i]}" || break
		sleep 0.1
	done
	sl_log "sluice $i not ready ($n): $(tail -n 20 "$SL_TMP/sluice-$i.log")"
	return 1
}
declare -A AC_SEEN_READY=([a]=0 [b]=0)

# ac_sluice_reap I TIMEOUT_S: wait for instance I to exit; AC_RC[I].
ac_sluice_reap() {
	local i=$1 pid=${AC_PID[$1]:-} t p keep=()
	[ -n "$pid" ] || return 0
	for ((t = 0; t < $2 * 10; t++)); do sl_pid_alive "$pid" || break; sleep 0.1; done
	sl_pid_alive "$pid" && return 1
	wait "$pid" 2>/dev/null
	# shellcheck disable=SC2034  # read by the sourcing scripts
	AC_RC[$i]=$?
	for p in "${SL_PIDS[@]}"; do [ "$p" = "$pid" ] || keep+=("$p"); done
	SL_PIDS=("${keep[@]}")
	unset "AC_PID[$i]"
	return 0
}

ac_sluice_term() {
	[ -n "${AC_PID[$1]:-}" ] || return 0
	kill -TERM "${AC_PID[$1]}" 2>/dev/null
	ac_sluice_reap "$1" $((AC_GRACE + 10)) || { kill -KILL "${AC_PID[$1]}"; ac_sluice_reap "$1" 5; }
}

ac_sluice_kill() {
	[ -n "${AC_PID[$1]:-}" ] || return 0
	kill -KILL "${AC_PID[$1]}" 2>/dev/null
	ac_sluice_reap "$1" 5
}

ac_bird_conf() {
	local who=$1 f=$SL_TMP/bird-$1.conf
	if [ "$who" = router ]; then
		cat >"$f" <<EOF
router id $AC_ROUTER_C;
log "$SL_TMP/bird-router.log" all;
debug protocols { states, events };
protocol device { scan time 1; }
protocol kernel {
	ipv4 { import none; export all; };
	merge paths on;
}
protocol bfd {
	interface "r*" { min rx interval 200 ms; min tx interval 200 ms; multiplier 4; };
}
template bgp lb {
	local as 65000;
	bfd on;
	hold time 3;
	connect retry time 1;
	error wait time 1, 5;
	ipv4 { import all; export none; };
}
protocol bgp a from lb { neighbor ${AC_OUT[a]} as 65001; }
protocol bgp b from lb { neighbor ${AC_OUT[b]} as 65001; }
EOF
		return
	fi
	# Sluice's side: the include file Sluice writes; export only its VIPs
	cat >"$f" <<EOF
router id ${AC_OUT[$who]};
log "$SL_TMP/bird-$who.log" all;
debug protocols { states };
protocol device { scan time 1; }
protocol bfd {
	interface "sl-out" { min rx interval 200 ms; min tx interval 200 ms; multiplier 4; };
}
include "$SL_TMP/$who-vips.conf";
protocol bgp uplink {
	local ${AC_OUT[$who]} as 65001;
	neighbor ${AC_RTR[$who]} as 65000;
	bfd on;
	hold time 3;
	connect retry time 1;
	error wait time 1, 5;
	ipv4 { import none; export where proto = "sluice_vip4"; };
}
EOF
}

ac_bird_start() {
	local who=$1 ns t
	ns=${AC_NS[r]}
	[ "$who" = router ] || ns=${AC_NS[$who]}
	ac_bird_conf "$who"
	ip netns exec "$ns" "$AC_BIRD" -f -c "$SL_TMP/bird-$who.conf" -s "$SL_TMP/bird-$who.ctl" \
		</dev/null >>"$SL_TMP/bird-$who.out" 2>&1 &
	AC_BIRD_PID[$who]=$!
	SL_PIDS+=($!)
	for ((t = 0; t < 50; t++)); do
		sl_pid_alive "${AC_BIRD_PID[$who]}" &&
			"$AC_BIRDC" -s "$SL_TMP/bird-$who.ctl" show status 2>/dev/null | grep -q '^Daemon is up' &&
			return 0
		sl_pid_alive "${AC_BIRD_PID[$who]}" || break
		sleep 0.1
	done
	sl_log "bird $who did not start: $(cat "$SL_TMP/bird-$who.out")"
	return 1
}

ac_bird_stop() {
	sl_pid_stop "${AC_BIRD_PID[$1]:-}"
	unset "AC_BIRD_PID[$1]"
}

ac_nexthops() {
	ip -n "${AC_NS[r]}" route show "$AC_VIP/32" 2>/dev/null |
		grep -oE 'via [0-9.]+' | awk '{ print $2 }' | sort | paste -sd' '
}

ac_wait_nexthops() {
	local want=$1 ms=$2 t0=${EPOCHREALTIME//[!0-9]/} got
	while :; do
		got=$(ac_nexthops)
		if [ "$got" = "$want" ]; then
			echo $(((${EPOCHREALTIME//[!0-9]/} - t0) / 1000))
			return 0
		fi
		[ $(((${EPOCHREALTIME//[!0-9]/} - t0) / 1000)) -lt "$ms" ] || { echo "'${got}'"; return 1; }
		sleep 0.02
	done
}

# shellcheck disable=SC2154
ac_ctl() {
	local i=$1
	shift
	timeout 10 "$ctl_bin" -s "$SL_TMP/$i.sock" "$@"
}

# ac_cleanup: what sl_cleanup does not know of (two DPDK file prefixes).
ac_cleanup() {
	local i
	for i in a b; do
		rm -rf "/var/run/dpdk/$SL_PFX-$i" 2>/dev/null
		rm -f /dev/hugepages/"$SL_PFX-$i"map_* 2>/dev/null
	done
}
