#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# End-to-end test of "proxy_protocol = v1 | v2" on TCP services: after the
# handshake Sluice puts a Proxy Protocol header ahead of the client's data
# on the way to the backend, so a backend that expects one learns the
# client's address (and port, and the VIP:port it asked for) even when
# the connection reaches it from a FullNAT local address. Real servers
# judge the headers: nginx (HTTP and its stream module), HAProxy.
#
# In every backend namespace (lib.sh's topology) an nginx listens on
#   :8090  HTTP, "listen ... proxy_protocol"     (access log pp.log)
#   :8091  the same, plus PUT under /up/           (access log loss.log)
#   :8093  HTTP without proxy_protocol           (access log plain.log)
#   :8095  stream, proxy_protocol, speaks first: "banner $proxy_protocol_addr"
# Each access log line is "CONN REQUESTS REMOTE_ADDR PP_ADDR PP_PORT
# PP_SERVER_ADDR PP_SERVER_PORT STATUS METHOD URI ...". In b2's namespace
# an HAProxy listens on :8092 with accept-proxy and answers every request
# with %[src] (the address of the header).
# 0. Preconditions, without Sluice: each server answers a header sent by
#    hand (a small python client, v1 and v2) with the client address of
#    that header, and nginx and HAProxy refuse a connection without one.
# Run 1 (one worker, mode nat), services on the VIP:
#    80 -> :8090 x3 v1    81 -> :8090 x3 v2     87 -> :8093 x3 off
#    82 -> b2:8092 v2     83 -> b2:8092 v1      84 -> :8095 x3 v2
#    85 -> b1:8091 v2     86 -> b1:8095 v2
#  1. 9 requests each to :80 (v1) and :81 (v2), all 200; each answered
#     connection is one access log line with one request, remote_addr and
#     proxy_protocol_addr 10.0.0.2, the client's port (as curl saw it) as
#     proxy_protocol_port, the VIP and the service port as the server
#     address and port. proxy_protocol = off (:87) leaves the stream
#     alone: 9 requests served by a listener without proxy_protocol.
#  2. HAProxy (accept-proxy): the body is 10.0.0.2, with v2 and with v1
#     (a connection without a header it refuses, see 0).
#  3. A server that speaks first: on :84 the client, sending nothing,
#     reads "banner 10.0.0.2" within 2 s (3 connections, each backend).
#  4. Loss on b1's link (iptables there, both ways): 5 % of all packets
#     dropped at random and, deterministically, every other segment
#     carrying a v2 header to :8091 and to :8095, starting with the first
#     (so the first copy of each header is lost). Through :85 a
#     20 MB download and a 20 MB upload (PUT: the backend's SACKs of the
#     shifted client data go back through Sluice) are byte-identical and 20
#     more requests are answered; loss.log has exactly one line per
#     connection, each one request from proxy_protocol_addr 10.0.0.2, and
#     nginx logs no broken header. Through :86 the banner still arrives
#     (the dropped header is sent again although the client sends
#     nothing). The drop rules' counters show that headers were dropped.
#  5. Sluice exits 0 on SIGTERM.
# Run 2 (mode fullnat, local_address 10.1.0.5 10.1.0.6, the backends'
# default route moved away from Sluice as in fullnat.sh; every service
# with synproxy = on, so each connection's header goes with the ACK that
# ends Sluice's own handshake with the backend):
#  6. :80 (v1) and :81 (v2) -> :8090: 9 requests each, remote_addr a local
#     address, proxy_protocol_addr still 10.0.0.2 with the client's port;
#     HAProxy (:82 v2, :83 v1 -> b2:8092) answers 10.0.0.2, not the local
#     address the connection comes from; the banner (:84, v2) says
#     10.0.0.2.
#  7. Sluice exits 0 on SIGTERM; its counters show the connections were
#     opened by SYN cookies (synproxy_opened).
#
# Usage: test/e2e/proxy.sh SLUICE_BIN SLUICECTL_BIN
# Needs root (network namespaces), nginx with libnginx-mod-stream, haproxy
# and iptables (tools/setup.sh installs them); exits 77 (skip) without root.
# SL_KEEP_TMP=1 keeps the temp dir (configurations, server logs).

set -u
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=test/e2e/lib.sh
. "$here/lib.sh"

sl_test_bin_ctl "${1:-}" "${2:-}"   # sets bin, ctl_bin
SL_TEST_LOG_LINES=60

NGINX_STREAM_SO=/usr/lib/nginx/modules/ngx_stream_module.so
missing=()
for t in nginx haproxy iptables; do command -v "$t" >/dev/null || missing+=("$t"); done
[ -f "$NGINX_STREAM_SO" ] || missing+=("$NGINX_STREAM_SO (libnginx-mod-stream)")
if [ "${#missing[@]}" -ne 0 ]; then
	notok "servers for the test installed (missing: ${missing[*]}; run tools/setup.sh)"
	SL_TEST_LOG_LINES=0 sl_test_finish
fi

sl_init "slp$$"
sock=$SL_TMP/sluice.sock
LOCAL_IPS=(10.1.0.5 10.1.0.6)
NOWHERE=10.1.0.254
V2SIG=0d0a0d0a000d0a515549540a   # the v2 header's first 12 bytes

# --- servers -------------------------------------------------------------------

# nginx_start I: backend I's nginx (see the header), in the foreground of
# a background job; waits until it listens on :8095.
NGINX_PID=()
nginx_start() {
	local i=$1 ip=${SL_BACKEND_IPS[$(($1 - 1))]} b=${SL_NS_BACKENDS[$(($1 - 1))]}
	local d=$SL_TMP/nginx$1 t
	mkdir -p "$d/tmp" "$d/up"
	cat >"$d/nginx.conf" <<EOF
user root;
worker_processes 1;
daemon off;
pid $d/nginx.pid;
error_log $d/error.log info;
load_module $NGINX_STREAM_SO;
events { worker_connections 512; }
http {
	log_format pp '\$connection \$connection_requests \$remote_addr \$proxy_protocol_addr \$proxy_protocol_port \$proxy_protocol_server_addr \$proxy_protocol_server_port \$status \$request_method \$uri \$request_length \$body_bytes_sent';
	access_log off;
	client_body_temp_path $d/tmp;
	proxy_temp_path $d/tmp;
	fastcgi_temp_path $d/tmp;
	uwsgi_temp_path $d/tmp;
	scgi_temp_path $d/tmp;
	keepalive_timeout 10;
	server {
		listen $ip:8090 proxy_protocol;
		access_log $d/pp.log pp;
		root $SL_TMP/www$i;
	}
	server {
		listen $ip:8091 proxy_protocol;
		access_log $d/loss.log pp;
		root $SL_TMP/www$i;
		client_max_body_size 30m;
		location /up/ {
			root $d;
			dav_methods PUT;
			create_full_put_path on;
		}
	}
	server {
		listen $ip:8093;
		access_log $d/plain.log pp;
		root $SL_TMP/www$i;
	}
}
stream {
	log_format banner '\$remote_addr \$proxy_protocol_addr \$status \$bytes_received \$bytes_sent';
	server {
		listen $ip:8095 proxy_protocol;
		access_log $d/banner.log banner;
		return "banner \$proxy_protocol_addr\n";
	}
}
EOF
	ip netns exec "$b" nginx -p "$d/" -e "$d/error.log" -c "$d/nginx.conf" \
		</dev/null >"$d/stdout" 2>&1 &
	NGINX_PID[i]=$!
	SL_PIDS+=($!)
	for ((t = 0; t < 50; t++)); do
		sl_ns_listening "$b" tcp 8095 && sl_ns_listening "$b" tcp 8090 && return 0
		sl_pid_alive "${NGINX_PID[$i]}" || break
		sleep 0.1
	done
	sl_log "nginx in $b did not start:"
	tail -n 20 "$d/error.log" "$d/stdout" >&2
	return 1
}

# haproxy_start: HAProxy in b2's namespace, :8092, accept-proxy, every
# request answered 200 with the source address of the PROXY header.
HAPROXY_PID=
haproxy_start() {
	local b=${SL_NS_BACKENDS[1]} d=$SL_TMP/haproxy t
	mkdir -p "$d"
	cat >"$d/haproxy.cfg" <<EOF
global
	log stdout format raw local0 info
defaults
	mode http
	log global
	option httplog
	timeout connect 5s
	timeout client 10s
	timeout server 10s
frontend pp
	bind ${SL_BACKEND_IPS[1]}:8092 accept-proxy
	http-request return status 200 content-type text/plain lf-string "%[src]\n"
EOF
	ip netns exec "$b" haproxy -db -f "$d/haproxy.cfg" </dev/null >"$d/log" 2>&1 &
	HAPROXY_PID=$!
	SL_PIDS+=($!)
	for ((t = 0; t < 50; t++)); do
		sl_ns_listening "$b" tcp 8092 && return 0
		sl_pid_alive "$HAPROXY_PID" || break
		sleep 0.1
	done
	sl_log "haproxy in $b did not start:"
	tail -n 20 "$d/log" >&2
	return 1
}

# The client of the direct probes and of the banner checks.
cat >"$SL_TMP/pp.py" <<'EOF'
import socket, struct, sys, time

def header(ver, src, dst, sport, dport):
    if ver == "v1":
        return ("PROXY TCP4 %s %s %d %d\r\n" % (src, dst, sport, dport)).encode()
    if ver == "v2":
        body = socket.inet_aton(src) + socket.inet_aton(dst) + struct.pack("!HH", sport, dport)
        return (b"\r\n\r\n\x00\r\nQUIT\n" + bytes([0x21, 0x11])
                + struct.pack("!H", len(body)) + body)
    return b""

# http HOST PORT VER SRC DST SPORT DPORT PATH: header (VER none: no header),
#   then GET PATH; prints "STATUS BODY" ("000 -" when nothing came back).
# banner HOST PORT VER SRC DST SPORT DPORT TIMEOUT: header (or none) and
#   nothing more; prints "MS LINE", the first line that arrived and the
#   milliseconds from the connection to it ("-1 -" when none came in time).
mode, host, port, ver, src, dst, sport, dport, arg = sys.argv[1:10]
s = socket.create_connection((host, int(port)), timeout=5)
t0 = time.monotonic()
hdr = header(ver, src, dst, int(sport), int(dport))
if mode == "http":
    s.sendall(hdr + ("GET %s HTTP/1.0\r\nHost: x\r\n\r\n" % arg).encode())
    data = b""
    try:
        while True:
            d = s.recv(65536)
            if not d:
                break
            data += d
    except (socket.timeout, ConnectionResetError):
        pass
    head, _, body = data.partition(b"\r\n\r\n")
    parts = head.split(b" ", 2)
    if len(parts) < 2:
        print("000 -")
    else:
        print(parts[1].decode(), body.decode(errors="replace").strip() or "-")
else:
    if hdr:
        s.sendall(hdr)
    s.settimeout(float(arg))
    data = b""
    try:
        while b"\n" not in data:
            d = s.recv(4096)
            if not d:
                break
            data += d
    except (socket.timeout, ConnectionResetError):
        pass
    if b"\n" in data:
        print(int((time.monotonic() - t0) * 1000), data.split(b"\n")[0].decode(errors="replace"))
    else:
        print("-1 -")
EOF

# probe I MODE PORT VER SPORT ARG: pp.py from backend I's own namespace to
# its own server, the header saying client 10.0.0.2:SPORT -> VIP:80.
probe() {
	local i=$1
	ip netns exec "${SL_NS_BACKENDS[$((i - 1))]}" "$SL_PY" "$SL_TMP/pp.py" "$2" \
		"${SL_BACKEND_IPS[$((i - 1))]}" "$3" "$4" "$SL_CLIENT_IP" "$SL_VIP" "$5" 80 "$6" 2>&1
}

# banner PORT TIMEOUT: from the client, connect to VIP:PORT, send nothing,
# print "MS LINE" (pp.py banner).
banner() {
	sl_exec_client "$SL_PY" "$SL_TMP/pp.py" banner "$SL_VIP" "$1" none - - 0 0 "$2" 2>&1
}

# --- access logs -----------------------------------------------------------------

# mark: remember how long every server log is; since NAME: the lines of
# the nginx logs NAME (pp, loss, plain, banner, error) of all backends
# written after the last mark.
declare -A MARK=()
mark() {
	local f
	for f in "$SL_TMP"/nginx*/*.log; do MARK[$f]=$(wc -l <"$f"); done
}
since() {
	local f
	for f in "$SL_TMP"/nginx*/"$1".log; do
		[ -f "$f" ] || continue
		tail -n +$((${MARK[$f]:-0} + 1)) "$f"
	done
}

# gets PORT N [PATH]: N GETs of PATH (default /name) to VIP:PORT from the
# client, one connection each; a line each, "BODY CODE CLIENT_PORT".
gets() {
	local i
	for ((i = 0; i < $2; i++)); do
		sl_exec_client curl -s --max-time 10 -w ' %{http_code} %{local_port}\n' \
			"http://$SL_VIP:$1${3:-/name}"
	done
}

# judge PORT REMOTES STATUSES CPORTS <LINES: every line of an access log
# (format pp) must be one request on its connection, from
# proxy_protocol_addr 10.0.0.2 to server VIP:PORT, with a remote_addr
# and a status among REMOTES and STATUSES (space separated); the
# proxy_protocol_ports, sorted, must be CPORTS (the client ports, sorted,
# space separated). Prints "N lines, M bad" and the bad lines; fails
# unless all is well.
judge() {
	awk -v vip="$SL_VIP" -v port="$1" -v remotes=" $2 " -v statuses=" $3 " \
		-v client="$SL_CLIENT_IP" -v want="$4" '
	{
		n++
		if ($2 == 1 && index(remotes, " " $3 " ") && $4 == client && $6 == vip &&
		    $7 == port && index(statuses, " " $8 " "))
			ports[n] = $5
		else
			bad[++nb] = $0
	}
	END {
		k = 0
		for (i = 1; i <= n; i++) if (i in ports) got[++k] = ports[i] + 0
		# insertion sort: few lines
		for (i = 2; i <= k; i++) {
			v = got[i]
			for (j = i - 1; j >= 1 && got[j] > v; j--) got[j + 1] = got[j]
			got[j + 1] = v
		}
		s = ""
		for (i = 1; i <= k; i++) s = s (i > 1 ? " " : "") got[i]
		printf "%d lines, %d bad\n", n, nb
		for (i = 1; i <= nb && i <= 10; i++) print "bad: " bad[i]
		if (s != want) printf "proxy_protocol_ports %s, client ports %s\n", s, want
		exit !(nb == 0 && n > 0 && s == want)
	}'
}

# cports LINES: the client ports (last field) of gets' lines, sorted.
cports() { awk 'NF { print $NF }' <<<"$1" | sort -n | tr '\n' ' ' | sed 's/ $//'; }

# http_run TAG PORT REMOTES REMOTE_TEXT LOG: 9 GETs to VIP:PORT, all
# "bN 200", and the access log lines they left in LOG judged (remote_addr
# one of REMOTES).
http_run() {
	local tag=$1 port=$2 re=$3 rtext=$4 logname=$5 out good verdict
	mark
	out=$(gets "$port" 9)
	good=$(grep -cE '^b[123] 200 [0-9]+$' <<<"$out")
	check "$tag: 9 requests to :$port answered 200 ($good/9; $(sl_tally "$out"))" [ "$good" -eq 9 ]
	[ "$good" -eq 9 ] || grep -vE '^b[123] 200 [0-9]+$' <<<"$out" | head -n 5 | diag
	sleep 0.2   # nginx writes the log line after the response
	if verdict=$(since "$logname" | judge "$port" "$re" 200 "$(cports "$out")"); then
		ok "$tag: the backends logged 9 connections, one request each, proxy_protocol_addr $SL_CLIENT_IP with the client's port, server $SL_VIP:$port, remote_addr $rtext"
	else
		notok "$tag: the backends logged 9 connections, one request each, proxy_protocol_addr $SL_CLIENT_IP with the client's port, server $SL_VIP:$port, remote_addr $rtext ($(head -n 1 <<<"$verdict"))"
		diag <<<"$verdict"
	fi
}

# haproxy_run TAG: 3 requests each to :82 (v2) and :83 (v1), HAProxy's
# answer must be the header's source address, the client's.
haproxy_run() {
	local pv port v good bodies body i
	for pv in "82 v2" "83 v1"; do
		read -r port v <<<"$pv"
		good=0 bodies=()
		for i in 1 2 3; do
			body=$(sl_exec_client curl -s --max-time 5 "http://$SL_VIP:$port/")
			bodies+=("${body:-none}")
			[ "$body" = "$SL_CLIENT_IP" ] && good=$((good + 1))
		done
		check "$1, $v: haproxy (accept-proxy) answers %[src] = $SL_CLIENT_IP on :$port ($good/3; got ${bodies[*]})" \
			[ "$good" -eq 3 ]
	done
}

# write_config FILE LOCAL_ADDRESSES <SERVICES: one worker, lib.sh's ports,
# the admin socket, local_address on the inside port if given.
write_config() {
	local la=''
	[ -z "$2" ] || la=$'\nlocal_address = '"$2"
	{
		cat <<EOF
; Sluice end-to-end configuration (generated by test/e2e/proxy.sh)
[eal]
lcores = 0-1
args = --no-pci --no-huge -m 512 --file-prefix $SL_FILE_PREFIX --log-level lib.*:notice

[global]
idle_sleep = 100
stats_interval = 0
flow_capacity = 65536
admin_socket = $sock

[port.outside]
device = net_af_packet0,iface=out
address = $SL_OUT_IP/24

[port.inside]
device = net_af_packet1,iface=in
address = $SL_IN_IP/24$la

EOF
		cat
	} >"$1"
}

# svc NAME PORT BACKEND_PORT PROXY_PROTOCOL MODE BACKEND_IP...
svc() {
	local ip
	printf '[service.%s]\nvip = %s\nport = %s\nprotocol = tcp\nmode = %s\nscheduler = rr\nproxy_protocol = %s\n%s' \
		"$1" "$SL_VIP" "$2" "$5" "$4" "${SVC_EXTRA:+$SVC_EXTRA$'\n'}"
	for ip in "${@:6}"; do echo "backend = $ip:$3"; done
	echo
}

echo "# e2e proxy protocol, namespaces ${SL_PFX}-*"
sl_test_topo_up setup
up=1
for i in 1 2 3; do nginx_start "$i" || up=; done
haproxy_start || up=
if [ -z "$up" ]; then
	notok "nginx in every backend namespace and haproxy in b2's start"
	sl_test_finish
fi
setup "nginx runs in every backend namespace (pids ${NGINX_PID[*]}), haproxy in b2's (pid $HAPROXY_PID)"

# --- 0. the servers, without Sluice ---------------------------------------------------
# What the checks below rely on: each server takes a header sent by hand
# for the client address in it, and refuses a connection without one (so
# a missing header cannot go unnoticed).
mark
pre=()
sport=41000
for i in 1 2 3; do
	for v in v1 v2; do
		sport=$((sport + 1))
		r=$(probe "$i" http 8090 "$v" "$sport" /name)
		[ "$r" = "200 b$i" ] || pre+=("b$i :8090 $v: '$r'")
		sport=$((sport + 1))
		r=$(probe "$i" banner 8095 "$v" "$sport" 2)
		[ "${r#* }" = "banner $SL_CLIENT_IP" ] || pre+=("b$i :8095 $v: '$r'")
	done
	r=$(probe "$i" http 8091 v2 41100 /name)
	[ "$r" = "200 b$i" ] || pre+=("b$i :8091 v2: '$r'")
	r=$(probe "$i" http 8093 none 0 /name)
	[ "$r" = "200 b$i" ] || pre+=("b$i :8093 no header: '$r'")
done
for v in v1 v2; do
	r=$(probe 2 http 8092 "$v" 41200 /)
	[ "$r" = "200 $SL_CLIENT_IP" ] || pre+=("haproxy $v: '$r'")
done
sleep 0.2
# the access log lines the probes left: 6 on each :8090 with the header's port
n=$(since pp | awk -v c="$SL_CLIENT_IP" '$4 == c && $5 > 41000 && $5 < 41100 && $8 == 200' | grep -c .)
[ "$n" -eq 6 ] || pre+=("pp.log: $n lines with proxy_protocol_addr $SL_CLIENT_IP, 6 wanted")
n=$(since banner | awk -v c="$SL_CLIENT_IP" '$2 == c' | grep -c .)
[ "$n" -eq 6 ] || pre+=("banner.log: $n lines with proxy_protocol_addr $SL_CLIENT_IP, 6 wanted")
# and without a header: refused
r=$(probe 1 http 8090 none 0 /name)
[ "$r" = "000 -" ] || pre+=("b1 :8090 without a header answered '$r'")
r=$(probe 2 http 8092 none 0 /)
case $r in "200 "*) pre+=("haproxy without a header answered '$r'") ;; esac
sleep 0.2
since error | grep -q 'broken header' || pre+=("b1's nginx did not log the connection without a header as a broken header")
if [ "${#pre[@]}" -eq 0 ]; then
	setup "without Sluice: nginx (:8090, :8091, :8095) and haproxy (:8092) read v1 and v2 headers sent by hand, nginx and haproxy refuse a connection without one"
else
	notok "without Sluice: the servers read v1 and v2 headers sent by hand and refuse a connection without one"
	printf '%s\n' "${pre[@]}" | diag
fi

# --- run 1: mode nat ------------------------------------------------------------------
conf=$SL_TMP/sluice1.ini
log=$SL_TMP/sluice1.log
B=("${SL_BACKEND_IPS[@]}")
{
	svc pp1 80 8090 v1 nat "${B[@]}"
	svc pp2 81 8090 v2 nat "${B[@]}"
	svc hap2 82 8092 v2 nat "${B[1]}"
	svc hap1 83 8092 v1 nat "${B[1]}"
	svc banner 84 8095 v2 nat "${B[@]}"
	svc lossy 85 8091 v2 nat "${B[0]}"
	svc lossybanner 86 8095 v2 nat "${B[0]}"
	svc plain 87 8093 off nat "${B[@]}"
} | write_config "$conf" ""
if ! sl_test_sluice_start "run 1: sluice ready (mode nat, proxy_protocol v1, v2 and off)" \
	"$bin" "$conf" "$log"; then
	sl_test_finish
fi
setup "run 1: sluice ready (pid $SL_SLUICE_PID)"

# --- 1. nginx HTTP, v1, v2, off ------------------------------------------------------
http_run "run 1, v1" 80 "$SL_CLIENT_IP" "$SL_CLIENT_IP" pp
http_run "run 1, v2" 81 "$SL_CLIENT_IP" "$SL_CLIENT_IP" pp
# off: no header, so a listener without proxy_protocol serves it (a
# header would be a bad request line: 400)
mark
out=$(gets 87 9)
good=$(grep -cE '^b[123] 200 [0-9]+$' <<<"$out")
sleep 0.2
plain=$(since plain | awk -v c="$SL_CLIENT_IP" '$2 == 1 && $3 == c && $8 == 200 && $9 == "GET" && $10 == "/name"' | grep -c .)
check "run 1, off: 9 requests to :87 answered by a listener without proxy_protocol ($good/9 answered 200, $plain/9 logged as GET /name from $SL_CLIENT_IP)" \
	[ "$good-$plain" = 9-9 ]
[ "$good-$plain" = 9-9 ] || { grep -vE '^b[123] 200' <<<"$out"; since plain; } | head -n 10 | diag

# --- 2. HAProxy, accept-proxy ------------------------------------------------------
haproxy_run "run 1"

# --- 3. a server that speaks first -------------------------------------------------
good=0 got=()
for i in 1 2 3; do
	r=$(banner 84 2)
	got+=("'$r'")
	ms=${r%% *}
	[[ $ms =~ ^[0-9]+$ ]] && [ "${r#* }" = "banner $SL_CLIENT_IP" ] && [ "$ms" -lt 2000 ] &&
		good=$((good + 1))
done
check "run 1, v2: a client that sends nothing reads 'banner $SL_CLIENT_IP' from :84 within 2 s ($good/3; ms and line: ${got[*]})" \
	[ "$good" -eq 3 ]

# --- 4. loss on b1's link ------------------------------------------------------------
b1=${SL_NS_BACKENDS[0]}
ipt() { ip netns exec "$b1" iptables "$@"; }
# nth, every 2, packet 0: the 1st, 3rd, ... header segment to the port
# (each header's first copy; its retransmission passes)
if ! { ipt -A INPUT -p tcp --dport 8091 -m string --algo bm --hex-string "|$V2SIG|" \
		-m statistic --mode nth --every 2 --packet 0 -j DROP &&
	ipt -A INPUT -p tcp --dport 8095 -m string --algo bm --hex-string "|$V2SIG|" \
		-m statistic --mode nth --every 2 --packet 0 -j DROP &&
	ipt -A INPUT -m statistic --mode random --probability 0.05 -j DROP &&
	ipt -A OUTPUT -m statistic --mode random --probability 0.05 -j DROP; }; then
	notok "run 1: iptables drop rules in $b1"
fi
setup "run 1: in $b1, 5 % of the packets dropped each way, and every other v2 header segment to :8091 and :8095"
mark
t0=${EPOCHREALTIME//[!0-9]/}
lines=()
dl=$(sl_exec_client curl -s --max-time 60 -o "$SL_TMP/down" -w '%{http_code} %{local_port}' \
	"http://$SL_VIP:85/blob")
lines+=("b1 $dl")
sha=$(sha256sum <"$SL_TMP/down" | cut -d' ' -f1)
check "run 1, loss: 20 MB download through :85 (v2) byte-identical (HTTP ${dl% *}, $(((${EPOCHREALTIME//[!0-9]/} - t0) / 1000)) ms)" \
	[ "${dl% *} $sha" = "200 $SL_BLOB_SHA" ]
t0=${EPOCHREALTIME//[!0-9]/}
ul=$(sl_exec_client curl -s --max-time 60 -o /dev/null -w '%{http_code} %{local_port}' \
	-T "$SL_TMP/blob" "http://$SL_VIP:85/up/blob")
lines+=("b1 $ul")
usha=$(sha256sum <"$SL_TMP/nginx1/up/blob" 2>/dev/null | cut -d' ' -f1)
check "run 1, loss: 20 MB upload (PUT) through :85 stored byte-identical (HTTP ${ul% *}, $(((${EPOCHREALTIME//[!0-9]/} - t0) / 1000)) ms)" \
	[ "${ul% *} $usha" = "201 $SL_BLOB_SHA" ]
out=$(gets 85 20)
good=$(grep -cE '^b1 200 [0-9]+$' <<<"$out")
check "run 1, loss: 20 more requests to :85 answered 200 ($good/20)" [ "$good" -eq 20 ]
[ "$good" -eq 20 ] || grep -vE '^b1 200 [0-9]+$' <<<"$out" | head -n 5 | diag
all=$(printf '%s\n' "${lines[@]}" "$out")
sleep 0.2
if verdict=$(since loss | judge 85 "$SL_CLIENT_IP" '200 201' "$(cports "$all")"); then
	ok "run 1, loss: loss.log has one line per connection (22), each one request from proxy_protocol_addr $SL_CLIENT_IP with the client's port"
else
	notok "run 1, loss: loss.log has one line per connection (22), each one request from proxy_protocol_addr $SL_CLIENT_IP with the client's port ($(head -n 1 <<<"$verdict"))"
	diag <<<"$verdict"
fi
good=0 got=()
for i in 1 2 3 4; do
	r=$(banner 86 8)
	got+=("'$r'")
	[ "${r#* }" = "banner $SL_CLIENT_IP" ] && good=$((good + 1))
done
check "run 1, loss: the banner of :86 arrives although every other header is dropped ($good/4 within 8 s; ms and line: ${got[*]})" \
	[ "$good" -eq 4 ]
sleep 0.2
broken=$(since error | grep -c 'broken header')
check "run 1, loss: nginx logged no broken header ($broken)" [ "$broken" -eq 0 ]
[ "$broken" -eq 0 ] || since error | grep 'broken header' | head -n 5 | diag
# the drops really happened (else the checks above proved nothing about loss)
drops=$(ipt -nvx -L INPUT | awk '$3 == "DROP" { printf "%s%s", sep, $1; sep = " " }')
read -r d8091 d8095 dr_in <<<"$drops"
dr_out=$(ipt -nvx -L OUTPUT | awk '$3 == "DROP" { print $1 }')
v=no
[ "${d8091:-0}" -ge 5 ] && [ "${d8095:-0}" -ge 2 ] && [ "${dr_in:-0}" -ge 1 ] && [ "${dr_out:-0}" -ge 1 ] && v=yes
check "run 1, loss: headers were dropped (${d8091:-none} to :8091, ${d8095:-none} to :8095) and random packets (${dr_in:-none} in, ${dr_out:-none} out)" \
	[ $v = yes ]
ipt -F INPUT
ipt -F OUTPUT

ctl show stats
if [ "$rc" -eq 0 ]; then
	echo "# run 1: show stats:"
	diag <"$CTL_OUT"
fi

# --- 5. stop ---------------------------------------------------------------------------
sl_test_sluice_stop "run 1" "$log"

# --- run 2: mode fullnat, one arm -------------------------------------------------------
for b in "${SL_NS_BACKENDS[@]}"; do
	ip -n "$b" route replace default via "$NOWHERE" dev e0
done
conf=$SL_TMP/sluice2.ini
log=$SL_TMP/sluice2.log
{
	SVC_EXTRA="synproxy = on"
	svc pp1 80 8090 v1 fullnat "${B[@]}"
	svc pp2 81 8090 v2 fullnat "${B[@]}"
	svc hap2 82 8092 v2 fullnat "${B[1]}"
	svc hap1 83 8092 v1 fullnat "${B[1]}"
	svc banner 84 8095 v2 fullnat "${B[@]}"
} | write_config "$conf" "${LOCAL_IPS[*]}"
if sl_test_sluice_start "run 2: sluice ready (mode fullnat, local_address ${LOCAL_IPS[*]})" \
	"$bin" "$conf" "$log"; then
	setup "run 2: sluice ready (pid $SL_SLUICE_PID), the backends' default route via $NOWHERE"
	# --- 6. the client's address survives FullNAT --------------------------------
	http_run "run 2, fullnat, v1" 80 "${LOCAL_IPS[*]}" "a local address" pp
	http_run "run 2, fullnat, v2" 81 "${LOCAL_IPS[*]}" "a local address" pp
	haproxy_run "run 2, fullnat"
	mark
	good=0 got=()
	for i in 1 2 3; do
		r=$(banner 84 2)
		got+=("'$r'")
		[ "${r#* }" = "banner $SL_CLIENT_IP" ] && good=$((good + 1))
	done
	sleep 0.2
	nl=$(since banner | awk -v c="$SL_CLIENT_IP" -v a="${LOCAL_IPS[0]}" -v b="${LOCAL_IPS[1]}" \
		'($1 == a || $1 == b) && $2 == c' | grep -c .)
	check "run 2, fullnat, v2: the banner of :84 says $SL_CLIENT_IP ($good/3; ${got[*]}), nginx saw $nl/3 from a local address" \
		[ "$good-$nl" = 3-3 ]
	# --- 7. stop -------------------------------------------------------------------
	sl_test_sluice_stop "run 2" "$log"
	n=$(sed -nE 's/.* synproxy_opened ([0-9]+).*/\1/p' "$log" | awk '{ s += $1 } END { print s + 0 }')
	check "run 2: the connections were opened by SYN cookies (synproxy_opened $n)" [ "$n" -ge 27 ]
fi

for i in 1 2 3; do sl_pid_stop "${NGINX_PID[$i]}"; done
sl_pid_stop "$HAPROXY_PID"
sl_test_finish
