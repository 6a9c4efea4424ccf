# SPDX-License-Identifier: BSD-3-Clause
# shellcheck shell=bash
#
# Network-namespace topology for Sluice end-to-end tests and the demo.
# Sourced by the scripts in test/e2e and by tools/demo.sh; needs root.
#
#   client ns              sluice ns                switch ns          backend ns (x3)
#   c0 10.0.0.2/24 ---- out [sluice] in ---- lb ]  br0  [ b1 ---- e0 10.1.0.11/24
#   gw 10.0.0.1                                      [ b2 ---- e0 10.1.0.12/24
#                                                    [ b3 ---- e0 10.1.0.13/24
#                                                          gw 10.1.0.1
#
# Sluice owns out (10.0.0.1, VIP 10.0.0.100) and in (10.1.0.1) through
# net_af_packet; the kernel interfaces there carry no address.
# Each backend serves HTTP on :8080 (files "name" = bN, and "blob", 20 MB
# random) and answers UDP on :5353 with "bN:" + payload.
#
# Usage:
#   . test/e2e/lib.sh
#   sl_init [PREFIX]        # names, temp dir, cleanup trap
#   sl_topo_up              # namespaces, links, servers
#   [sl_kernel_interfaces PORT...]   # kernel_interface on those ports
#   sl_write_config FILE WORKERS
#   (or sl_write_config_services FILE WORKERS [GLOBAL_EXTRA] <SERVICES,
#    the services e.g. from sl_service)
#   sl_sluice_start BIN CONF LOG
#   sl_sluice_wait_ready [TIMEOUT_S]
#   ... sl_exec_client CMD...; sl_http PATH; sl_udp_exchange N ...
#   ... sl_http_hold_start/_wait/_finish (a long-lived HTTP connection)
#   ... sl_sluice_reload (SIGHUP, wait for the verdict); sl_log_count/_wait
#   ... sl_backend_stop/_start I (one backend's server); sl_status_server_start
#   sl_sluice_stop          # sets SL_SLUICE_RC
#   (sl_cleanup runs on EXIT, INT and TERM)
#
# The test scripts take their preamble and results from the test section:
#   sl_test_usage / sl_test_require_* / sl_test_bin* (arguments, root:
#   exit 77 to skip), sl_test_topo_up, ok / notok / check / diag,
#   sl_test_finish; and, to drive the admin socket, ctl / ctl_diag.

SL_PY=/usr/bin/python3          # Debian's python (has scapy), not pyenv's
SL_CLIENT_IP=10.0.0.2
SL_OUT_IP=10.0.0.1
SL_IN_IP=10.1.0.1
SL_VIP=10.0.0.100
SL_BACKEND_IPS=(10.1.0.11 10.1.0.12 10.1.0.13)
SL_HTTP_PORT=8080
SL_UDP_PORT=5353
SL_BLOB_BYTES=$((20 * 1024 * 1024))

SL_PIDS=()             # helper processes to kill on cleanup
SL_BACKEND_PID=()      # [I] = pid of backend I's server (1..3), if running
SL_NAMESPACES=()       # namespaces this run created
SL_SLUICE_PID=
SL_SLUICE_RC=
SL_SLUICE_LOG=
SL_CLEANED=
SL_KEEP_TMP=${SL_KEEP_TMP:-}

sl_log() { printf '%s\n' "$*" >&2; }

# sl_init [PREFIX]: choose names, make the temp dir, install the trap.
sl_init() {
	SL_PFX=${1:-slt$$}
	SL_NS_CLIENT=${SL_PFX}-c
	SL_NS_SLUICE=${SL_PFX}-s
	SL_NS_SWITCH=${SL_PFX}-w
	SL_NS_BACKENDS=()
	local i
	for i in 1 2 3; do SL_NS_BACKENDS+=("${SL_PFX}-b$i"); done
	SL_FILE_PREFIX=${SL_PFX}
	SL_TMP=$(mktemp -d "/tmp/${SL_PFX}.XXXXXX")
	trap 'sl_cleanup' EXIT
	trap 'sl_cleanup; trap - EXIT; exit 130' INT
	trap 'sl_cleanup; trap - EXIT; exit 143' TERM
}

sl_ns_add() {
	ip netns add "$1" || return 1
	SL_NAMESPACES+=("$1")
	ip netns exec "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1 >/dev/null
	ip -n "$1" link set lo up
}

# sl_if_prep NS IF: IPv6 off, TX checksum offload off (so af_packet never
# sees frames with checksums still to be filled in), link up.
sl_if_prep() {
	ip netns exec "$1" sysctl -qw "net.ipv6.conf.$2.disable_ipv6=1" >/dev/null 2>&1
	ip netns exec "$1" ethtool -K "$2" tx off >/dev/null 2>&1 || {
		sl_log "ethtool -K $2 tx off failed in $1"; return 1; }
	ip -n "$1" link set "$2" up
}

# Write the backend server (HTTP on 8080, UDP echo on 5353) and content.
sl_write_servers() {
	cat >"$SL_TMP/backend.py" <<'EOF'
import http.server, os, socket, socketserver, sys, threading
name, ip, root, hport, uport = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
os.chdir(root)

def udp():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((ip, uport))
    prefix = (name + ":").encode()
    while True:
        data, addr = s.recvfrom(65535)
        s.sendto(prefix + data, addr)

class Handler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *a):
        pass

class Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True
    request_queue_size = 128

# port 0: that server is not run (sl_backend_start ... http|udp)
if uport:
    threading.Thread(target=udp, daemon=True).start()
if hport:
    Server((ip, hport), Handler).serve_forever()
else:
    threading.Event().wait()
EOF
	head -c "$SL_BLOB_BYTES" /dev/urandom >"$SL_TMP/blob"
	# shellcheck disable=SC2034  # used by the scripts that source this file
	SL_BLOB_SHA=$(sha256sum "$SL_TMP/blob" | cut -d' ' -f1)
	local i
	for i in 1 2 3; do
		mkdir -p "$SL_TMP/www$i"
		printf 'b%s' "$i" >"$SL_TMP/www$i/name"
		ln "$SL_TMP/blob" "$SL_TMP/www$i/blob"
	done
}

# sl_topo_up: build the namespaces and links, start the backend servers.
sl_topo_up() {
	local ns i b
	for ns in "$SL_NS_CLIENT" "$SL_NS_SLUICE" "$SL_NS_SWITCH" "${SL_NS_BACKENDS[@]}"; do
		sl_ns_add "$ns" || { sl_log "cannot create namespace $ns"; return 1; }
	done

	# client <-> sluice "out"
	ip -n "$SL_NS_CLIENT" link add c0 type veth peer name out netns "$SL_NS_SLUICE" || return 1
	# sluice "in" <-> switch "lb"
	ip -n "$SL_NS_SLUICE" link add in type veth peer name lb netns "$SL_NS_SWITCH" || return 1
	ip -n "$SL_NS_SWITCH" link add br0 type bridge stp_state 0 forward_delay 0 mcast_snooping 0 || return 1
	ip netns exec "$SL_NS_SWITCH" sysctl -qw net.ipv6.conf.br0.disable_ipv6=1 >/dev/null
	ip -n "$SL_NS_SWITCH" link set br0 up
	sl_if_prep "$SL_NS_SWITCH" lb || return 1
	ip -n "$SL_NS_SWITCH" link set lb master br0

	for i in 1 2 3; do
		b=${SL_NS_BACKENDS[$((i - 1))]}
		ip -n "$b" link add e0 type veth peer name "b$i" netns "$SL_NS_SWITCH" || return 1
		sl_if_prep "$SL_NS_SWITCH" "b$i" || return 1
		ip -n "$SL_NS_SWITCH" link set "b$i" master br0
		sl_if_prep "$b" e0 || return 1
		ip -n "$b" addr add "${SL_BACKEND_IPS[$((i - 1))]}/24" dev e0
		ip -n "$b" route add default via "$SL_IN_IP"
	done

	sl_if_prep "$SL_NS_CLIENT" c0 || return 1
	ip -n "$SL_NS_CLIENT" addr add "$SL_CLIENT_IP/24" dev c0
	ip -n "$SL_NS_CLIENT" route add default via "$SL_OUT_IP"

	sl_if_prep "$SL_NS_SLUICE" out || return 1
	sl_if_prep "$SL_NS_SLUICE" in || return 1
	# af_packet sees every frame anyway; keep the kernel side quiet.
	ip netns exec "$SL_NS_SLUICE" sysctl -qw net.ipv4.conf.all.arp_ignore=8 >/dev/null 2>&1

	sl_write_servers
	for i in 1 2 3; do
		b=${SL_NS_BACKENDS[$((i - 1))]}
		ip netns exec "$b" "$SL_PY" "$SL_TMP/backend.py" "b$i" \
			"${SL_BACKEND_IPS[$((i - 1))]}" "$SL_TMP/www$i" \
			"$SL_HTTP_PORT" "$SL_UDP_PORT" </dev/null >"$SL_TMP/backend$i.log" 2>&1 &
		SL_PIDS+=($!)
		SL_BACKEND_PID[i]=$!
	done
	# Wait until every server answers locally.
	local t ok
	for i in 1 2 3; do
		b=${SL_NS_BACKENDS[$((i - 1))]}
		ok=
		for ((t = 0; t < 100; t++)); do
			if ip netns exec "$b" curl -s --max-time 1 \
				"http://${SL_BACKEND_IPS[$((i - 1))]}:$SL_HTTP_PORT/name" 2>/dev/null | grep -qx "b$i"; then
				ok=1; break
			fi
			sleep 0.1
		done
		[ -n "$ok" ] || { sl_log "backend b$i did not start:"; cat "$SL_TMP/backend$i.log" >&2; return 1; }
	done
}

# sl_port_device N IFACE WORKERS: the DPDK device of Sluice's port on veth
# IFACE: net_af_packetN (the default), or with SL_PMD=af_xdp net_af_xdpN,
# an AF_XDP socket per worker on the interface's queues (XDP steers the
# frames to Sluice before the namespace's kernel sees them). A veth has
# one combined queue for AF_XDP: one worker only.
SL_PMD=${SL_PMD:-af_packet}
sl_port_device() {
	case $SL_PMD in
	af_xdp) echo "net_af_xdp$1,iface=$2,start_queue=0,queue_count=$3" ;;
	*) echo "net_af_packet$1,iface=$2" ;;
	esac
}

# sl_write_config FILE WORKERS [GLOBAL_EXTRA]: the NAT configuration
# (GLOBAL_EXTRA as for sl_write_config_services).
sl_write_config() {
	sl_write_config_services "$1" "${2:-1}" "${3:-}" <<EOF
[service.web]
vip = $SL_VIP
port = 80
protocol = tcp
mode = nat
scheduler = rr
backend = ${SL_BACKEND_IPS[0]}:$SL_HTTP_PORT
backend = ${SL_BACKEND_IPS[1]}:$SL_HTTP_PORT
backend = ${SL_BACKEND_IPS[2]}:$SL_HTTP_PORT

[service.dns]
vip = $SL_VIP
port = 53
protocol = udp
scheduler = rr
backend = ${SL_BACKEND_IPS[0]}:$SL_UDP_PORT
backend = ${SL_BACKEND_IPS[1]}:$SL_UDP_PORT
backend = ${SL_BACKEND_IPS[2]}:$SL_UDP_PORT
EOF
}

# sl_write_config_services FILE WORKERS [GLOBAL_EXTRA] <SERVICES: the same
# [eal], [global] and ports as sl_write_config, then GLOBAL_EXTRA (extra
# "key = value" lines for [global], e.g. timeouts) and, instead of the
# built-in services, whatever [service.*] sections arrive on stdin.
# The ports named in SL_KERNEL_INTERFACES (see sl_kernel_interfaces) get
# a kernel_interface.
sl_write_config_services() {
	local file=$1 workers=${2:-1} extra=${3:-} lcores kout='' kin=''
	case $workers in
	1) lcores=0-1 ;;
	2) lcores=0,1,2@1 ;;
	*) sl_log "unsupported worker count $workers"; return 1 ;;
	esac
	case " $SL_KERNEL_INTERFACES " in *" outside "*) kout=$'\nkernel_interface = sl-out' ;; esac
	case " $SL_KERNEL_INTERFACES " in *" inside "*) kin=$'\nkernel_interface = sl-in' ;; esac
	{
		cat <<EOF
; Sluice end-to-end configuration (generated by test/e2e/lib.sh)
[eal]
lcores = $lcores
args = --no-pci --no-huge -m 512 --file-prefix $SL_FILE_PREFIX --log-level lib.*:notice

[global]
idle_sleep = 100
stats_interval = 0
flow_capacity = 65536
EOF
		[ -n "$extra" ] && printf '%s\n' "$extra"
		cat <<EOF

[port.outside]
device = $(sl_port_device 0 out "$workers")
address = $SL_OUT_IP/24$kout

[port.inside]
device = $(sl_port_device 1 in "$workers")
address = $SL_IN_IP/24$kin

EOF
		cat
	} >"$file"
}

# sl_service NAME PORT PROTO BACKEND_PORT [LINES]: a [service.NAME] section
# for sl_write_config_services: VIP:PORT/PROTO, scheduler rr, then LINES
# (more "key = value" lines, e.g. the checks), then the three backends,
# each on BACKEND_PORT.
sl_service() {
	local ip
	printf '[service.%s]\nvip = %s\nport = %s\nprotocol = %s\nscheduler = rr\n' \
		"$1" "$SL_VIP" "$2" "$3"
	[ -z "${5:-}" ] || printf '%s\n' "$5"
	for ip in "${SL_BACKEND_IPS[@]}"; do echo "backend = $ip:$4"; done
}

# sl_kernel_interfaces PORT...: from now on the configurations written by
# sl_write_config* give these ports (outside, inside) a kernel_interface
# (sl-out, sl-in: the exception path). Call it after sl_topo_up: it also
# turns on strict reverse-path filtering in Sluice's namespace. There the
# DPDK ports are veths of the namespace itself, so its kernel sees their
# traffic too and, once the TAPs give it Sluice's addresses, would answer
# it itself; strict rp_filter makes it ignore what arrives on them (on a
# real NIC bound to vfio-pci the kernel sees nothing and none of this is
# needed).
SL_KERNEL_INTERFACES=
sl_kernel_interfaces() {
	SL_KERNEL_INTERFACES="$*"
	ip netns exec "$SL_NS_SLUICE" sysctl -qw net.ipv4.conf.all.rp_filter=1 \
		net.ipv4.conf.out.rp_filter=1 net.ipv4.conf.in.rp_filter=1
}

# sl_sluice_start BIN CONF LOG: run Sluice in its namespace, in the background.
sl_sluice_start() {
	# one Sluice at a time: one still running (a run that did not stop
	# it) is stopped, not left behind when its PID is forgotten
	if sl_sluice_alive; then
		sl_log "sluice (pid $SL_SLUICE_PID) still running at the next start: stopped"
		sl_sluice_stop
	fi
	SL_SLUICE_LOG=$3
	SL_SLUICE_RC=
	ip netns exec "$SL_NS_SLUICE" "$1" -c "$2" </dev/null >"$3" 2>&1 &
	SL_SLUICE_PID=$!
}

sl_pid_alive() {
	local st
	kill -0 "$1" 2>/dev/null || return 1
	st=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)
	[ -n "$st" ] && [ "$st" != Z ]
}

sl_sluice_alive() { [ -n "$SL_SLUICE_PID" ] && sl_pid_alive "$SL_SLUICE_PID"; }

# sl_sluice_wait_ready [TIMEOUT_S]: wait for "sluice: ready" in the log.
sl_sluice_wait_ready() {
	local timeout=${1:-30} t
	for ((t = 0; t < timeout * 10; t++)); do
		grep -q 'sluice: ready' "$SL_SLUICE_LOG" 2>/dev/null && return 0
		if ! sl_sluice_alive; then
			wait "$SL_SLUICE_PID" 2>/dev/null
			SL_SLUICE_RC=$?
			SL_SLUICE_PID=
			sl_log "sluice exited (status $SL_SLUICE_RC) before it was ready"
			return 1
		fi
		sleep 0.1
	done
	sl_log "sluice not ready after ${timeout}s"
	return 1
}

# sl_sluice_stop: SIGTERM, wait up to 10 s, then SIGKILL. Sets SL_SLUICE_RC.
sl_sluice_stop() {
	[ -n "$SL_SLUICE_PID" ] || return 0
	local pid=$SL_SLUICE_PID t
	kill -TERM "$pid" 2>/dev/null
	for ((t = 0; t < 100; t++)); do
		sl_pid_alive "$pid" || break
		sleep 0.1
	done
	if sl_pid_alive "$pid"; then
		sl_log "sluice (pid $pid) still running 10 s after SIGTERM: SIGKILL"
		kill -KILL "$pid" 2>/dev/null
	fi
	wait "$pid" 2>/dev/null
	SL_SLUICE_RC=$?
	SL_SLUICE_PID=
	return 0
}

# sl_cleanup: stop everything this run started and remove what it created.
sl_cleanup() {
	[ -n "$SL_CLEANED" ] && return 0
	SL_CLEANED=1
	trap - INT TERM
	sl_sluice_stop
	local pid ns
	for pid in "${SL_PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null; done
	for pid in "${SL_PIDS[@]}"; do
		local t
		for ((t = 0; t < 30; t++)); do sl_pid_alive "$pid" || break; sleep 0.1; done
		sl_pid_alive "$pid" && kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	SL_PIDS=()
	for ns in "${SL_NAMESPACES[@]}"; do ip netns del "$ns" 2>/dev/null; done
	SL_NAMESPACES=()
	if [ -n "${SL_FILE_PREFIX:-}" ]; then
		rm -f /dev/hugepages/"${SL_FILE_PREFIX}"map_* /dev/hugepages/"${SL_FILE_PREFIX}"-* 2>/dev/null
		rm -rf "/var/run/dpdk/${SL_FILE_PREFIX}" 2>/dev/null
	fi
	if [ -n "${SL_TMP:-}" ] && [ -d "$SL_TMP" ]; then
		if [ -n "$SL_KEEP_TMP" ]; then sl_log "kept $SL_TMP"; else rm -rf "$SL_TMP"; fi
	fi
	return 0
}

# --- helpers for the checks -------------------------------------------------

sl_exec_client() { ip netns exec "$SL_NS_CLIENT" "$@"; }

# sl_http PATH: fetch http://VIP/PATH from the client, body on stdout.
sl_http() { sl_exec_client curl -s --max-time "${SL_CURL_TIMEOUT:-5}" "http://$SL_VIP/$1"; }

# sl_out_mac: MAC address of Sluice's "out" interface.
sl_out_mac() { ip -n "$SL_NS_SLUICE" link show out | awk '/link\/ether/ {print $2}'; }

# sl_udp_exchange N [PORT]: N datagrams to VIP:PORT (default 53), each from a
# fresh socket (distinct source port). One line per datagram on stdout:
#   ok SRCPORT BACKEND          reply from VIP:PORT with "BACKEND:" + payload
#   bad SRCPORT REASON...       anything else
sl_udp_exchange() {
	sl_exec_client "$SL_PY" - "$SL_CLIENT_IP" "$SL_VIP" "${2:-53}" "$1" <<'EOF'
import socket, sys
src, vip, port, n = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
for i in range(n):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((src, 0))
    s.settimeout(3)
    sport = s.getsockname()[1]
    payload = "hello-%d-%d" % (i, sport)
    s.sendto(payload.encode(), (vip, port))
    try:
        data, addr = s.recvfrom(2048)
    except socket.timeout:
        print("bad %d timeout" % sport)
        continue
    finally:
        s.close()
    text = data.decode(errors="replace")
    name, sep, rest = text.partition(":")
    if addr != (vip, port):
        print("bad %d reply from %s:%d" % (sport, addr[0], addr[1]))
    elif not sep or rest != payload or not name.startswith("b"):
        print("bad %d payload %r" % (sport, text))
    else:
        print("ok %d %s" % (sport, name))
EOF
}

# sl_wait_state ADDR STATE MS: until the script's own "be_state ADDR"
# (one backend's state, from show backends) prints STATE; prints the time
# taken (ms), or the last state and fails once MS ms have passed.
sl_wait_state() {
	local t0=${EPOCHREALTIME//[!0-9]/} st
	while :; do
		st=$(be_state "$1")
		if [ "$st" = "$2" ]; then
			echo $(((${EPOCHREALTIME//[!0-9]/} - t0) / 1000))
			return 0
		fi
		[ $(((${EPOCHREALTIME//[!0-9]/} - t0) / 1000)) -lt "$3" ] || { echo "$st"; return 1; }
		sleep 0.05
	done
}

# sl_stays_state ADDR STATE MS: "be_state ADDR" prints STATE throughout
# MS ms; prints the other state and fails as soon as it changes.
sl_stays_state() {
	local t0=${EPOCHREALTIME//[!0-9]/} st
	while [ $(((${EPOCHREALTIME//[!0-9]/} - t0) / 1000)) -lt "$3" ]; do
		st=$(be_state "$1")
		[ "$st" = "$2" ] || { echo "$st"; return 1; }
		sleep 0.1
	done
	return 0
}

# --- long-lived HTTP connections --------------------------------------------
#
# sl_http_hold_start NAME PATH [SRC_IP] [PORT]: from the client (source
# SRC_IP, default the client address) connect to VIP:PORT (default 80) and
# send an HTTP/1.0 request for PATH without its final blank line, so the
# backend keeps waiting and the connection stays open (ESTABLISHED, idle).
# Runs in the background (its pid is in SL_PIDS and SL_HOLD_PID[NAME]).
# sl_http_hold_wait NAME [TIMEOUT_S]: wait until it is connected; prints
#   its local port. Fails if it could not connect.
# sl_http_hold_finish NAME [TIMEOUT_S]: complete the request, wait for the
#   answer, print its body (the backend's file; "ERR ..." on failure).
declare -A SL_HOLD_PID=()

sl_http_hold_start() {
	local name=$1 path=$2 src=${3:-$SL_CLIENT_IP} port=${4:-80}
	local f=$SL_TMP/hold.$name
	rm -f "$f.state" "$f.go" "$f.out"
	# not through sl_exec_client: $! must be the python process itself
	ip netns exec "$SL_NS_CLIENT" "$SL_PY" - "$SL_VIP" "$port" "$src" "$path" "$f" <<'PYEOF' >"$f.log" 2>&1 &
import os, socket, sys, time
vip, port, src, path, f = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]

def put(suffix, text):
    with open(f + suffix + ".tmp", "w") as o:
        o.write(text + "\n")
    os.rename(f + suffix + ".tmp", f + suffix)

try:
    s = socket.create_connection((vip, port), timeout=10, source_address=(src, 0))
except OSError as e:
    put(".state", "failed %s" % e)
    sys.exit(1)
s.settimeout(None)
s.sendall(("GET /%s HTTP/1.0\r\nHost: %s\r\n" % (path, vip)).encode())
put(".state", "connected %d" % s.getsockname()[1])
while not os.path.exists(f + ".go"):
    time.sleep(0.05)
s.settimeout(10)
data = b""
try:
    s.sendall(b"\r\n")
    while True:
        d = s.recv(65536)
        if not d:
            break
        data += d
except OSError as e:
    put(".out", "ERR %s after %d bytes" % (e, len(data)))
    sys.exit(1)
s.close()
head, _, body = data.partition(b"\r\n\r\n")
status = head.split(b"\r\n", 1)[0].decode(errors="replace")
if " 200 " not in status + " ":
    put(".out", "ERR status %r" % status)
    sys.exit(1)
put(".out", body.decode(errors="replace"))
PYEOF
	SL_HOLD_PID[$name]=$!
	SL_PIDS+=($!)
}

sl_http_hold_wait() {
	local f=$SL_TMP/hold.$1 timeout=${2:-10} t st port
	for ((t = 0; t < timeout * 10; t++)); do
		if [ -f "$f.state" ]; then
			read -r st port <"$f.state"
			[ "$st" = connected ] || { sl_log "hold $1: $(cat "$f.state")"; return 1; }
			printf '%s\n' "$port"
			return 0
		fi
		sl_pid_alive "${SL_HOLD_PID[$1]}" || break
		sleep 0.1
	done
	sl_log "hold $1: not connected after ${timeout}s"
	return 1
}

sl_http_hold_finish() {
	local f=$SL_TMP/hold.$1 timeout=${2:-10} pid=${SL_HOLD_PID[$1]:-} t
	[ -n "$pid" ] || { echo "ERR no hold named $1"; return 1; }
	: >"$f.go"
	for ((t = 0; t < timeout * 10; t++)); do
		sl_pid_alive "$pid" || break
		sleep 0.1
	done
	if sl_pid_alive "$pid"; then
		kill -TERM "$pid" 2>/dev/null
		echo "ERR no answer after ${timeout}s"
		return 1
	fi
	wait "$pid" 2>/dev/null
	# reaped: forget the pid, so cleanup never signals a reused one
	local p keep=()
	for p in "${SL_PIDS[@]}"; do [ "$p" = "$pid" ] || keep+=("$p"); done
	SL_PIDS=("${keep[@]}")
	unset "SL_HOLD_PID[$1]"
	if [ -f "$f.out" ]; then cat "$f.out"; else echo "ERR exited without answer: $(head -c 300 "$f.log")"; fi
}

# --- configuration reload (SIGHUP) --------------------------------------------
#
# sl_log_count ERE: how many lines of Sluice's log match ERE.
# sl_log_wait ERE N [TIMEOUT_S]: wait (default 5 s, whole seconds) until N
#   lines of the log match ERE; prints the Nth. Fails on timeout.
# sl_sluice_reload [TIMEOUT_S]: send SIGHUP to Sluice and wait for its
#   verdict, the next "reload: snapshot N: ..." or "reload refused: ..."
#   line, and print it. Returns 0 if the file was accepted, 1 if it was
#   refused, 2 if Sluice is not running or said nothing within TIMEOUT_S
#   (default 5).
SL_RELOAD_RE='(^|[[:space:]])reload( refused)?: '

sl_log_count() { grep -cE -- "$1" "$SL_SLUICE_LOG" 2>/dev/null; }

sl_log_wait() {
	local re=$1 n=$2 timeout=${3:-5} line end
	end=$((${EPOCHREALTIME//[!0-9]/} + timeout * 1000000))
	for (( ; ; )); do
		line=$(grep -E -- "$re" "$SL_SLUICE_LOG" 2>/dev/null | sed -n "${n}p")
		if [ -n "$line" ]; then
			printf '%s\n' "$line"
			return 0
		fi
		[ "${EPOCHREALTIME//[!0-9]/}" -lt "$end" ] || return 1
		sleep 0.02
	done
}

sl_sluice_reload() {
	local timeout=${1:-5} n line
	sl_sluice_alive || return 2
	n=$(sl_log_count "$SL_RELOAD_RE")
	kill -HUP "$SL_SLUICE_PID" 2>/dev/null || return 2
	line=$(sl_log_wait "$SL_RELOAD_RE" $((n + 1)) "$timeout") || return 2
	printf '%s\n' "$line"
	case $line in *"reload refused:"*) return 1 ;; esac
	return 0
}

# --- stopping and starting backend servers ------------------------------------
#
# Backend I's HTTP (:8080) and UDP (:5353) servers are one process, started
# by sl_topo_up (pid in SL_BACKEND_PID[I]).
# sl_pid_stop PID: SIGTERM (SIGKILL after 3 s) a process this run started,
#   reap it and drop it from SL_PIDS.
# sl_backend_stop I: stop backend I's server (both protocols).
# sl_backend_start I [both|http|udp]: start it again (default both; "http"
#   or "udp" runs only that one), wait until it listens. Fails if it is
#   already running (stop it first) or does not come up within 5 s.
# sl_status_server_start I PORT STATUS: in backend I's namespace, an extra
#   HTTP server on PORT that accepts connections and answers every GET
#   (any path) with STATUS and the body "bI". Waits until it listens;
#   stop it with sl_pid_stop "${SL_STATUS_PID[I:PORT]}".
declare -A SL_STATUS_PID=()

sl_pid_stop() {
	local pid=$1 t p keep=()
	[ -n "$pid" ] || return 0
	kill -TERM "$pid" 2>/dev/null
	for ((t = 0; t < 30; t++)); do sl_pid_alive "$pid" || break; sleep 0.1; done
	sl_pid_alive "$pid" && kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	for p in "${SL_PIDS[@]}"; do [ "$p" = "$pid" ] || keep+=("$p"); done
	SL_PIDS=("${keep[@]}")
	return 0
}

sl_backend_stop() {
	local i=$1
	[ -n "${SL_BACKEND_PID[i]:-}" ] || return 0
	sl_pid_stop "${SL_BACKEND_PID[i]}"
	unset "SL_BACKEND_PID[i]"
}

# sl_ns_listening NS PROTO PORT: a socket listens (tcp) / is bound (udp) on PORT.
sl_ns_listening() {
	local opt=-Hltn
	[ "$2" = udp ] && opt=-Hlun
	ip netns exec "$1" ss "$opt" "( sport = :$3 )" 2>/dev/null | grep -q .
}

sl_backend_start() {
	local i=$1 what=${2:-both} hport=$SL_HTTP_PORT uport=$SL_UDP_PORT
	local b=${SL_NS_BACKENDS[$(($1 - 1))]} t
	if [ -n "${SL_BACKEND_PID[i]:-}" ] && sl_pid_alive "${SL_BACKEND_PID[i]}"; then
		sl_log "backend b$i is already running (pid ${SL_BACKEND_PID[i]})"
		return 1
	fi
	case $what in
	both) ;;
	http) uport=0 ;;
	udp) hport=0 ;;
	*) sl_log "sl_backend_start: both, http or udp, not '$what'"; return 1 ;;
	esac
	ip netns exec "$b" "$SL_PY" "$SL_TMP/backend.py" "b$i" \
		"${SL_BACKEND_IPS[$((i - 1))]}" "$SL_TMP/www$i" \
		"$hport" "$uport" </dev/null >>"$SL_TMP/backend$i.log" 2>&1 &
	SL_PIDS+=($!)
	SL_BACKEND_PID[i]=$!
	for ((t = 0; t < 50; t++)); do
		if { [ "$hport" = 0 ] || sl_ns_listening "$b" tcp "$hport"; } &&
			{ [ "$uport" = 0 ] || sl_ns_listening "$b" udp "$uport"; }; then
			return 0
		fi
		sl_pid_alive "${SL_BACKEND_PID[i]}" || break
		sleep 0.1
	done
	sl_log "backend b$i ($what) did not start:"
	tail -n 20 "$SL_TMP/backend$i.log" >&2
	return 1
}

sl_status_server_start() {
	local i=$1 port=$2 status=$3 b=${SL_NS_BACKENDS[$(($1 - 1))]} t pid
	cat >"$SL_TMP/status_server.py" <<'PYEOF'
import http.server, socketserver, sys
name, ip, port, status = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])

class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = name.encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *a):
        pass

class Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True
    request_queue_size = 128

Server((ip, port), Handler).serve_forever()
PYEOF
	ip netns exec "$b" "$SL_PY" "$SL_TMP/status_server.py" "b$i" \
		"${SL_BACKEND_IPS[$((i - 1))]}" "$port" "$status" \
		</dev/null >"$SL_TMP/status$i-$port.log" 2>&1 &
	pid=$!
	SL_PIDS+=("$pid")
	# shellcheck disable=SC2034  # used by the scripts that source this file
	SL_STATUS_PID[$i:$port]=$pid
	for ((t = 0; t < 50; t++)); do
		sl_ns_listening "$b" tcp "$port" && return 0
		sl_pid_alive "$pid" || break
		sleep 0.1
	done
	sl_log "status server b$i:$port did not start:"
	tail -n 20 "$SL_TMP/status$i-$port.log" >&2
	return 1
}

# --- Sluice stopping on its own ------------------------------------------------
#
# sl_sluice_wait_exit [TIMEOUT_S]: wait (default 10 s) for Sluice to exit by
#   itself (e.g. after "sluicectl quit"), reap it and set SL_SLUICE_RC.
#   Fails if it is still running then (it is left to sl_sluice_stop or
#   the cleanup).
sl_sluice_wait_exit() {
	local timeout=${1:-10} pid=$SL_SLUICE_PID t
	[ -n "$pid" ] || return 0
	for ((t = 0; t < timeout * 10; t++)); do
		sl_pid_alive "$pid" || break
		sleep 0.1
	done
	sl_pid_alive "$pid" && return 1
	wait "$pid" 2>/dev/null
	SL_SLUICE_RC=$?
	SL_SLUICE_PID=
	return 0
}

# --- test scripts: preamble and results ------------------------------------------
#
# sl_test_usage USAGE ARG...: unless every ARG is set, print
#   "usage: SCRIPT USAGE" and exit 2.
# sl_test_require_root: exit 77 (SKIP) unless running as root and able
#   to create a network namespace.
# sl_test_require_uid0: only the first half, root (kernel.sh and capture.sh
#   leave a namespace failure to sl_topo_up, a failed check).
# sl_test_require_workers N: exit 2 unless N is 1 or 2.
# sl_test_require_exe WHAT FILE: unless FILE is executable, report
#   "not ok - WHAT FILE not found or not executable", "0 passed, 1 failed"
#   and exit 1.
# sl_abspath FILE: FILE with an absolute directory.
# sl_test_bin_workers "$@": the arguments SLUICE_BIN [WORKERS] (1 or 2,
#   default 1) of nat.sh, sched.sh and reload.sh, all of the above checked;
#   sets bin (absolute) and workers.
# sl_test_bin "$@": the argument SLUICE_BIN, checked the same way; sets
#   bin (absolute).
# sl_test_bin_ctl "$@": the arguments SLUICE_BIN SLUICECTL_BIN, checked
#   the same way; sets bin and ctl_bin (absolute).
# sl_test_topo_up [ok|setup]: sl_topo_up. If it fails, notok "topology set
#   up" and sl_test_finish; else say so with setup (default) or, where the
#   script counts it as a check, ok.
#
# Results. Only ok / notok / check / skip lines are results; everything
# else a script prints should be a "# " comment.
# ok TEXT / notok TEXT: one result line, counted in passed / failed.
# check TEXT COMMAND...: ok TEXT if COMMAND succeeds, else notok TEXT.
# setup TEXT: a precondition that holds (topology up, Sluice ready,
#   traffic sent): "# setup: TEXT", counted nowhere. It tests nothing, so
#   it is no pass; when a precondition fails, report it with notok.
# skip TEXT REASON: a check that could not be made here: "skip - TEXT #
#   SKIP REASON", counted in skipped, never in passed.
# diag: stdin as "# " comment lines (diagnostics, never counted).
# sl_test_sluice_start TEXT BIN CONF LOG: sl_sluice_start, wait (60 s)
#   until Sluice is ready. If it is not: notok TEXT, the configuration and
#   the last 40 lines of LOG as comments, and fail.
# sl_test_sluice_stop TAG [LOG]: sl_sluice_stop, then ok / notok
#   "TAG: sluice exits 0 on SIGTERM" (and, if not, LOG's last 40 lines).
# sl_test_finish: if a check failed, the last SL_TEST_LOG_LINES (default
#   40; 0 = none) lines of Sluice's log as comments; then
#   "N passed, M failed[, K skipped]" and the exit status: 1 if a check
#   failed or none was made at all; 1 if a check was skipped and
#   SL_REQUIRE_E2E=1 (CI: nothing may be left untested); 77 (SKIP) if
#   every check was skipped; else 0.

passed=0
failed=0
skipped=0
SL_TEST_SKIPPED=()
SL_TEST_LOG_LINES=40

sl_test_usage() {
	local usage=$1 a
	shift
	for a in "$@"; do
		if [ -z "$a" ]; then
			echo "usage: $0 $usage" >&2
			exit 2
		fi
	done
}

sl_test_require_uid0() {
	if [ "$(id -u)" -ne 0 ]; then
		echo "SKIP: $(basename "$0"): e2e tests need root (network namespaces)"
		exit 77
	fi
}

sl_test_require_root() {
	sl_test_require_uid0
	local probe=sltprobe$$
	if ! ip netns add "$probe" 2>/dev/null; then
		echo "SKIP: $(basename "$0"): cannot create network namespaces here"
		exit 77
	fi
	ip netns del "$probe"
}

sl_test_require_workers() {
	case $1 in 1|2) ;; *) echo "WORKERS must be 1 or 2" >&2; exit 2 ;; esac
}

sl_test_require_exe() {
	if [ ! -x "$2" ]; then
		notok "$1 $2 not found or not executable"
		SL_TEST_LOG_LINES=0 sl_test_finish
	fi
}

sl_abspath() { echo "$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"; }

sl_test_bin_workers() {
	bin=${1:-}
	workers=${2:-1}
	sl_test_usage "SLUICE_BIN [WORKERS]" "$bin"
	sl_test_require_root
	sl_test_require_workers "$workers"
	sl_test_require_exe "sluice binary" "$bin"
	bin=$(sl_abspath "$bin")
}

sl_test_bin() {
	bin=${1:-}
	sl_test_usage "SLUICE_BIN" "$bin"
	sl_test_require_root
	sl_test_require_exe "sluice binary" "$bin"
	bin=$(sl_abspath "$bin")
}

sl_test_bin_ctl() {
	bin=${1:-}
	ctl_bin=${2:-}
	sl_test_usage "SLUICE_BIN SLUICECTL_BIN" "$bin" "$ctl_bin"
	sl_test_require_root
	sl_test_require_exe "sluice binary" "$bin"
	sl_test_require_exe "sluicectl binary" "$ctl_bin"
	bin=$(sl_abspath "$bin")
	ctl_bin=$(sl_abspath "$ctl_bin")
}

sl_test_topo_up() {
	if ! sl_topo_up; then
		notok "topology set up"
		sl_test_finish
	fi
	"${1:-setup}" "topology set up (client, sluice, switch, 3 backends)"
}

ok() { echo "ok - $*"; passed=$((passed + 1)); }
notok() { echo "not ok - $*"; failed=$((failed + 1)); }
check() { # check DESCRIPTION COMMAND...
	local d=$1; shift
	if "$@"; then ok "$d"; else notok "$d"; fi
}
setup() { echo "# setup: $*"; }
skip() { # skip TEXT REASON
	echo "skip - $1 # SKIP ${2:-}"
	skipped=$((skipped + 1))
	SL_TEST_SKIPPED+=("$1")
}
diag() { sed 's/^/# /'; }

sl_test_sluice_start() {
	sl_sluice_start "$2" "$3" "$4"
	sl_sluice_wait_ready 60 && return 0
	notok "$1"
	echo "# config:"; diag <"$3"
	echo "# sluice log:"; tail -n 40 "$4" | diag
	return 1
}

sl_test_sluice_stop() {
	sl_sluice_stop
	if [ "${SL_SLUICE_RC:-1}" = 0 ]; then
		ok "$1: sluice exits 0 on SIGTERM"
	else
		notok "$1: sluice exits 0 on SIGTERM (status ${SL_SLUICE_RC:-none})"
		if [ -n "${2:-}" ]; then tail -n 40 "$2" | diag; fi
	fi
	return 0
}

# sl_sanitizer_reports: under a build with sanitizers (docs/FUZZING.md)
# Sluice and sluicectl write AddressSanitizer, LeakSanitizer and UBSan
# reports into their logs: one "not ok" for each file of the run's
# directory that holds one, its first lines quoted. Nothing otherwise.
SL_SANITIZER_RE='==[0-9]+==ERROR: [A-Za-z]+Sanitizer|: runtime error: '
sl_sanitizer_reports() {
	local f
	[ -n "${SL_TMP:-}" ] && [ -d "$SL_TMP" ] || return 0
	while IFS= read -r f; do
		notok "sanitizer report in ${f#"$SL_TMP"/}"
		grep -m 5 -E "$SL_SANITIZER_RE" "$f" | diag
	done < <(grep -rlIE "$SL_SANITIZER_RE" "$SL_TMP" 2>/dev/null)
}

sl_test_finish() {
	local line rc=0 names
	sl_sanitizer_reports
	if [ "$failed" -ne 0 ] && [ "$SL_TEST_LOG_LINES" -gt 0 ] && [ -f "${SL_SLUICE_LOG:-}" ]; then
		echo "# --- sluice log $SL_SLUICE_LOG (last $SL_TEST_LOG_LINES lines) ---"
		tail -n "$SL_TEST_LOG_LINES" "$SL_SLUICE_LOG" | diag
	fi
	if [ "$failed" -ne 0 ]; then
		rc=1
	elif [ $((passed + skipped)) -eq 0 ]; then
		echo "# no check was made: the test proved nothing"
		rc=1
	elif [ "$skipped" -ne 0 ] && [ "${SL_REQUIRE_E2E:-0}" = 1 ]; then
		names=$(printf '%s, ' "${SL_TEST_SKIPPED[@]}")
		echo "# SL_REQUIRE_E2E=1 and $skipped checks skipped: ${names%, }"
		rc=1
	elif [ "$passed" -eq 0 ]; then
		rc=77
	fi
	line="$passed passed, $failed failed"
	[ "$skipped" -eq 0 ] || line+=", $skipped skipped"
	echo "$line"
	exit "$rc"
}

# --- sluicectl ---------------------------------------------------------------------
#
# For the scripts that take SLUICECTL_BIN (sl_test_bin_ctl sets ctl_bin)
# and set sock to Sluice's admin_socket (it may change between runs).
# ctl ARGS...: "sluicectl -s $sock ARGS", at most SL_CTL_TIMEOUT s (default
#   10); its stdout in the file $CTL_OUT, stderr in $CTL_ERR (both in
#   SL_TMP; set by the first ctl, a script may then run sluicectl into
#   them itself), exit status in $rc (124: timed out), duration in ms in
#   $ms.
# ctl_diag: the first SL_CTL_DIAG_BYTES (default 2000) bytes of both, as
#   comments.
CTL_OUT=
CTL_ERR=
rc=
# shellcheck disable=SC2034  # used by the scripts that source this file
ms=

# shellcheck disable=SC2154  # sock: set by the script
ctl() {
	local t0=${EPOCHREALTIME//[!0-9]/}
	CTL_OUT=$SL_TMP/ctl.out
	CTL_ERR=$SL_TMP/ctl.err
	timeout "${SL_CTL_TIMEOUT:-10}" "$ctl_bin" -s "$sock" "$@" >"$CTL_OUT" 2>"$CTL_ERR"
	rc=$?
	# shellcheck disable=SC2034  # used by the scripts that source this file
	ms=$(((${EPOCHREALTIME//[!0-9]/} - t0) / 1000))
}

ctl_diag() {
	echo "# stdout:"; head -c "${SL_CTL_DIAG_BYTES:-2000}" "$CTL_OUT" | diag
	echo "# stderr:"; head -c "${SL_CTL_DIAG_BYTES:-2000}" "$CTL_ERR" | diag
}

# --- requests counted by backend ---------------------------------------------------
#
# sl_http_port PORT N: N requests for /name to VIP:PORT from the client; a
#   line each, "BODY CODE" ("000" and an empty body when nothing answered).
#   The client's ephemeral ports come from a window of 1000 below the
#   kernel's default range, chosen by PORT (10000 + PORT % 20 * 1000):
#   in nat mode a connection whose client port already reaches the same
#   backend through another VIP port is refused (its reply key is taken,
#   drop reply_taken), so requests to different VIP ports must not share
#   client ports within the close timeouts. The range is put back after.
# sl_tally LINES: "b1=N b2=N b3=N other=N" over the first word of each line.
sl_http_port() {
	local port=$1 n=$2 i lo old
	lo=$((10000 + port % 20 * 1000))
	old=$(sl_exec_client sysctl -n net.ipv4.ip_local_port_range)
	sl_exec_client sysctl -qw net.ipv4.ip_local_port_range="$lo $((lo + 999))"
	for ((i = 0; i < n; i++)); do
		sl_exec_client curl -s --max-time 3 -w ' %{http_code}\n' "http://$SL_VIP:$port/name"
	done
	sl_exec_client sysctl -qw net.ipv4.ip_local_port_range="${old//$'\t'/ }"
}

sl_tally() {
	awk '{ if ($1 ~ /^b[123]$/) c[$1]++; else c["other"]++ }
	     END { printf "b1=%d b2=%d b3=%d other=%d\n", c["b1"], c["b2"], c["b3"], c["other"] }' <<<"$1"
}
