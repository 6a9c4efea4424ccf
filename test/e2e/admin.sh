#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# End-to-end test of Sluice's operator interfaces, in the namespace
# topology of lib.sh (client -> VIP -> b1, b2, b3), with real clients:
#   1. every show command through sluicectl, in text and in JSON (parsed),
#      exit status 0;
#   2. errors: unknown command, wrong arguments, unknown service and
#      backend, unreachable socket, no command; their exit statuses,
#      messages and the JSON error object;
#   3. changes seen by real clients: drain / enable, set weight (wrr),
#      add / del backend, reload;
#   4. hostile admin clients (test/e2e/admin_hostile.py): garbage, a 1 MB
#      line, half a line, 100 clients at once, a silent client. After
#      each, Sluice runs, forwards and answers sluicectl;
#   5. DPDK telemetry: /sluice/services, /sluice/backends, /sluice/stats
#      through dpdk-telemetry.py;
#   6. sluicectl quit: Sluice exits 0 and removes its socket.
#
# Usage: test/e2e/admin.sh SLUICE_BIN SLUICECTL_BIN
# Needs root (network namespaces); exits 77 (skip) otherwise.
# SL_KEEP_TMP=1 keeps the temp dir (config, Sluice log) for inspection.

set -u

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=test/e2e/lib.sh
. "$here/lib.sh"

sl_test_bin_ctl "$@"   # sets bin, ctl_bin

sl_init "sla$$"
conf=$SL_TMP/sluice.ini
log=$SL_TMP/sluice.log
sock=$SL_TMP/sluice.sock
hostile=$here/admin_hostile.py

B1=${SL_BACKEND_IPS[0]}:$SL_HTTP_PORT
B2=${SL_BACKEND_IPS[1]}:$SL_HTTP_PORT
B3=${SL_BACKEND_IPS[2]}:$SL_HTTP_PORT

# --- helpers ------------------------------------------------------------------

# (ctl, ctl_diag: lib.sh's, on $sock)

# jpy FILE EXPR: parse FILE as one JSON value d (r = d["result"]) and
# evaluate the Python expression EXPR; prints its value (or why it could
# not be evaluated) and succeeds if it is true.
jpy() {
	"$SL_PY" - "$1" "$2" <<'EOF'
import json, sys
try:
    text = open(sys.argv[1]).read()
    if text.count("\n") != 1 or not text.endswith("\n"):
        raise ValueError("not exactly one line: %r" % text[:200])
    d = json.loads(text)
except Exception as e:
    print("not one JSON line: %s" % e)
    sys.exit(2)
r = d.get("result") if isinstance(d, dict) else None
try:
    v = eval("(" + sys.argv[2] + "\n)", {"d": d, "r": r})
except Exception as e:
    print("%s: %s" % (type(e).__name__, e))
    sys.exit(1)
print(v)
sys.exit(0 if v else 1)
EOF
}

# t_cmd DESC ERE... -- ARGS...: "sluicectl ARGS" exits 0, prints nothing on
# stderr, and each ERE matches a line of its output.
t_cmd() {
	local desc=$1 res=() why="" re
	shift
	while [ $# -gt 0 ] && [ "$1" != -- ]; do res+=("$1"); shift; done
	shift
	ctl "$@"
	[ "$rc" = 0 ] || why="exit $rc"
	[ -s "$CTL_ERR" ] && why+="${why:+; }stderr not empty"
	for re in "${res[@]}"; do
		grep -qE -- "$re" "$CTL_OUT" || why+="${why:+; }no line matches /$re/"
	done
	if [ -z "$why" ]; then
		ok "sluicectl $*: $desc"
	else
		notok "sluicectl $*: $desc ($why)"
		ctl_diag
	fi
}

# j_cmd DESC EXPR ARGS...: "sluicectl --json ARGS" exits 0 and prints one
# JSON line {"ok":true,"result":r} for which the Python EXPR holds.
j_cmd() {
	local desc=$1 expr=$2 why="" v
	shift 2
	ctl --json "$@"
	[ "$rc" = 0 ] || why="exit $rc"
	v=$(jpy "$CTL_OUT" "d.get('ok') is True and ($expr)") || why+="${why:+; }check gave: $v"
	if [ -z "$why" ]; then
		ok "sluicectl --json $*: $desc"
	else
		notok "sluicectl --json $*: $desc ($why)"
		echo "# check: $expr"
		ctl_diag
	fi
}

# e_cmd DESC WANT_RC ERE ARGS...: "sluicectl ARGS" exits WANT_RC, prints
# nothing on stdout, and its stderr matches ERE.
e_cmd() {
	local desc=$1 want=$2 re=$3 why=
	shift 3
	ctl "$@"
	[ "$rc" = "$want" ] || why="exit $rc, want $want"
	[ -s "$CTL_OUT" ] && why+="${why:+; }stdout not empty"
	grep -qE -- "$re" "$CTL_ERR" || why+="${why:+; }stderr does not match /$re/"
	if [ -z "$why" ]; then
		ok "sluicectl $*: $desc (exit $rc: $(head -n 1 "$CTL_ERR"))"
	else
		notok "sluicectl $*: $desc ($why)"
		ctl_diag
	fi
}

# http_names N [PORT]: N requests for /name through the VIP, one body a
# line ("none" when a request failed, or at once once Sluice is gone).
http_names() {
	local i b
	for ((i = 0; i < $1; i++)); do
		b=
		sl_sluice_alive && b=$(sl_exec_client curl -s --max-time 5 "http://$SL_VIP:${2:-80}/name")
		case $b in b[123]) echo "$b" ;; *) echo none ;; esac
	done
}
# count NAME <<<NAMES: how many lines are NAME
count() { grep -cx -- "$1"; }
dist() { # dist NAMES: "b1=N b2=N b3=N none=N"
	local n
	for n in b1 b2 b3 none; do printf '%s=%s ' "$n" "$(count "$n" <<<"$1")"; done | sed 's/ $//'
}

# survives WHAT: Sluice still runs, a request through the VIP is answered
# by a backend and sluicectl show services still answers.
survives() {
	local why="" b
	sl_sluice_alive || why="sluice is not running"
	b=$(sl_http name)
	[[ $b == b[123] ]] || why+="${why:+; }request through the VIP got '${b}'"
	ctl show services
	{ [ "$rc" = 0 ] && grep -q '^service web ' "$CTL_OUT"; } ||
		why+="${why:+; }sluicectl show services: exit $rc"
	if [ -z "$why" ]; then
		ok "after $1: sluice runs, the VIP answers ($b), sluicectl show services works"
	else
		notok "after $1: sluice runs, the VIP answers, sluicectl show services works ($why)"
		ctl_diag
	fi
}

# hostile MODE ARGS...: run admin_hostile.py MODE on the socket (at most 60 s)
hostile() {
	local mode=$1 out st
	shift
	out=$(timeout 60 "$SL_PY" "$hostile" "$mode" "$sock" "$@" 2>&1)
	st=$?
	if [ "$st" = 0 ] && [[ $out == "ok "* ]]; then
		ok "hostile client '$mode': ${out#ok }"
	else
		notok "hostile client '$mode' (exit $st): ${out#bad }"
	fi
}

# --- set up -------------------------------------------------------------------

echo "# e2e admin socket, sluicectl and telemetry, namespaces ${SL_PFX}-*"
sl_test_topo_up setup

# web: wrr with equal weights (b1, b2, b3 in turn, like rr) so that
# set weight can be checked exactly; dns: udp, for add/del backend.
sl_write_config_services "$conf" 1 "admin_socket = $sock" <<EOF
[service.web]
vip = $SL_VIP
port = 80
protocol = tcp
mode = nat
scheduler = wrr
backend = $B1
backend = $B2
backend = $B3

[service.dns]
vip = $SL_VIP
port = 53
protocol = udp
scheduler = rr
backend = ${SL_BACKEND_IPS[0]}:$SL_UDP_PORT
backend = ${SL_BACKEND_IPS[1]}:$SL_UDP_PORT
backend = ${SL_BACKEND_IPS[2]}:$SL_UDP_PORT
EOF
sl_sluice_start "$bin" "$conf" "$log"
if ! sl_sluice_wait_ready 60; then
	notok "sluice ready"
	echo "# config:"; diag <"$conf"
	sl_test_finish
fi
setup "sluice ready (pid $SL_SLUICE_PID)"
v=no; [ -S "$sock" ] && [ "$(stat -c %a "$sock")" = 600 ] && v=yes
check "admin socket $sock exists, mode 0600" [ $v = yes ]

# --- 1. every show command, text and JSON --------------------------------------

names=$(http_names 6)
check "6 requests through the VIP before the show commands: wrr with equal weights gives each backend 2 ($(dist "$names"))" \
	[ "$(dist "$names")" = "b1=2 b2=2 b3=2 none=0" ]

# (capture is someone else's: only its presence in help is checked)
all_cmds='["help","show ports","show services","show backends","show flows","show neighbours","show stats","set weight","drain","enable","add backend","del backend","reload","capture start","capture stop","quit"]'

t_cmd "lists the commands with their arguments" '^  help$' '^  show ports$' '^  show services$' \
	'^  show backends SERVICE$' '^  show flows \[SERVICE\] \[limit N\]$' '^  show neighbours$' \
	'^  show stats$' '^  set weight SERVICE BACKEND N$' '^  drain SERVICE BACKEND$' \
	'^  enable SERVICE BACKEND$' '^  add backend SERVICE IP:PORT' '^  del backend SERVICE BACKEND$' \
	'^  reload$' '^  capture start FILE' '^  capture stop$' '^  quit$' -- help
j_cmd "every command listed once, each with command, args and help" \
	"set($all_cmds) <= set(c['command'] for c in r) and len(r) == len(set(c['command'] for c in r))
	 and all(isinstance(c['args'], str) and c['help'] for c in r)" help

out_mac=$(sl_out_mac)
t_cmd "both ports, link up, their addresses and MTUs" \
	"^port outside \\(net_af_packet0,iface=out, port 0\\): link up .* $SL_OUT_IP/24, mtu 1500" \
	"^port inside \\(net_af_packet1,iface=in, port 1\\): link up .* $SL_IN_IP/24, mtu 1500" \
	'^  rx [1-9][0-9]* packets' '^  tx [1-9][0-9]* packets' -- show ports
j_cmd "outside and inside: link, address, MAC of out, packets counted" \
	"[p['name'] for p in r] == ['outside', 'inside'] and all(p['link'] is True for p in r)
	 and [p['address'] for p in r] == ['$SL_OUT_IP/24', '$SL_IN_IP/24']
	 and r[0]['mac'].lower() == '$out_mac' and all(p['rx_packets'] > 0 and p['tx_packets'] > 0 for p in r)
	 and all(p['mtu'] == 1500 for p in r)" \
	show ports

t_cmd "web and dns with VIP, scheduler, 3/3 usable, 6 connections" \
	"^service web $SL_VIP:80/tcp mode nat scheduler wrr, 3/3 backends usable, connections [0-9]+ active 6 total" \
	"^service dns $SL_VIP:53/udp mode nat scheduler rr, 3/3 backends usable" -- show services
j_cmd "services[0] is web: VIP, port, wrr, 3 backends usable, conns_total 6; services[1] is dns" \
	"r[0]['name'] == 'web' and r[0]['vip'] == '$SL_VIP' and r[0]['port'] == 80
	 and r[0]['protocol'] == 'tcp' and r[0]['scheduler'] == 'wrr' and r[0]['backends'] == 3
	 and r[0]['usable'] == 3 and r[0]['conns_total'] == 6 and r[0]['pkts_in'] > 0
	 and r[0]['leaving'] is False and r[1]['name'] == 'dns' and r[1]['protocol'] == 'udp'" \
	show services

t_cmd "3 backends, active, weight 1, 2 connections each" \
	"^backend $B1 state active weight 1 check none connections [0-9]+ active 2 total" \
	"^backend $B2 state active weight 1 check none connections [0-9]+ active 2 total" \
	"^backend $B3 state active weight 1 check none connections [0-9]+ active 2 total" -- show backends web
j_cmd "3 backends: addresses, active, weight 1, conns_total 2 each" \
	"len(r) == 3 and ['%s:%d' % (b['address'], b['port']) for b in r] == ['$B1', '$B2', '$B3']
	 and all(b['state'] == 'active' and b['weight'] == 1 and b['conns_total'] == 2 for b in r)" \
	show backends web

t_cmd "connections of client $SL_CLIENT_IP to the VIP and a backend" \
	"^tcp $SL_CLIENT_IP:[0-9]+ -> $SL_VIP:80 -> 10\\.1\\.0\\.1[123]:8080 web " -- show flows
check "sluicectl show flows: 6 connections listed ($(wc -l <"$CTL_OUT") lines)" [ "$(wc -l <"$CTL_OUT")" -eq 6 ]
j_cmd "6 entries with client $SL_CLIENT_IP, the VIP, a backend, web, tcp" \
	"len(r) == 6 and all(f['client'].startswith('$SL_CLIENT_IP:') and f['vip'] == '$SL_VIP:80'
	 and f['backend'] in ('$B1', '$B2', '$B3') and f['service'] == 'web' and f['protocol'] == 'tcp'
	 and 'state' in f and 'worker' in f for f in r)
	 and sorted(f['backend'] for f in r) == sorted(['$B1', '$B2', '$B3'] * 2)" \
	show flows
t_cmd "a web connection" "^tcp $SL_CLIENT_IP:[0-9]+ -> $SL_VIP:80 -> " -- show flows web limit 1
check "sluicectl show flows web limit 1: exactly 1 line ($(wc -l <"$CTL_OUT"))" [ "$(wc -l <"$CTL_OUT")" -eq 1 ]
j_cmd "exactly 1 entry, of web" "len(r) == 1 and r[0]['service'] == 'web'" show flows web limit 1
t_cmd "dns has none" '^no connections$' -- show flows dns
j_cmd "dns: empty list" "r == []" show flows dns

# the backends' MACs, as their namespaces see them
want_neigh=
macs=()
for i in 0 1 2; do
	macs[i]=$(ip -n "${SL_NS_BACKENDS[i]}" link show e0 | awk '/link\/ether/ {print $2}')
	want_neigh+="('${SL_BACKEND_IPS[i]}', '${macs[i]}'),"
done
t_cmd "the 3 backends resolved on inside, with their MACs" \
	"^${SL_BACKEND_IPS[0]} on inside is ${macs[0]^^} " "^${SL_BACKEND_IPS[1]} on inside is ${macs[1]^^} " \
	"^${SL_BACKEND_IPS[2]} on inside is ${macs[2]^^} " -- show neighbours
j_cmd "the 3 backends resolved on inside, with their MACs" \
	"sorted((n['address'], (n['mac'] or 'none').lower()) for n in r if n['port'] == 'inside' and n['address'].startswith('10.1.0.1')) == [$want_neigh]" \
	show neighbours

t_cmd "worker 0 counted packets and 6 connections" \
	'^worker 0 \(lcore 1\): rx [1-9][0-9]* tx [1-9][0-9]* bursts [0-9]+ redirected [0-9]+ connections 6 created ' -- show stats
j_cmd "one worker: rx/tx packets > 0, conns_created 6, drops by reason" \
	"len(r['workers']) == 1 and r['workers'][0]['rx_packets'] > 0 and r['workers'][0]['tx_packets'] > 0
	 and r['workers'][0]['conns_created'] == 6 and isinstance(r['workers'][0]['drops'], dict)
	 and len(r['workers'][0]['drops']) > 0" \
	show stats

# --- 2. errors ------------------------------------------------------------------

e_cmd "unknown command names help" 1 "^sluicectl: unknown command 'frobnicate' \\(try help\\)$" frobnicate
e_cmd "missing argument gives the usage" 1 '^sluicectl: wrong arguments; usage: show backends SERVICE$' show backends
e_cmd "extra argument gives the usage" 1 '^sluicectl: wrong arguments; usage: show services$' show services now
e_cmd "missing weight gives the usage" 1 '^sluicectl: wrong arguments; usage: set weight SERVICE BACKEND N$' set weight web "$B1"
e_cmd "unknown service" 1 "^sluicectl: unknown service 'nosuch'$" show backends nosuch
e_cmd "unknown service in show flows" 1 "^sluicectl: unknown service 'nosuch'$" show flows nosuch
e_cmd "unknown service in drain" 1 "^sluicectl: unknown service 'nosuch'$" drain nosuch "$B1"
e_cmd "unknown backend" 1 "^sluicectl: unknown backend '10.1.0.99:8080' in service web" drain web 10.1.0.99:8080
e_cmd "unknown backend in set weight" 1 "^sluicectl: unknown backend 'b9' in service web" set weight web b9 2
e_cmd "weight 0 refused" 1 "^sluicectl: weight '0' is not a number 1\\.\\.65535" set weight web "$B1" 0
e_cmd "limit 0 refused" 1 "^sluicectl: limit '0' is not a number 1\\.\\.100000$" show flows limit 0
j_cmd "the failed commands changed nothing (3 backends, active, weight 1)" \
	"all(b['state'] == 'active' and b['weight'] == 1 for b in r) and len(r) == 3" show backends web

sock=$SL_TMP/nosuch.sock ctl show services
v=no; [ "$rc" = 2 ] && grep -q "^sluicectl: cannot reach Sluice at $SL_TMP/nosuch.sock: " "$CTL_ERR" && v=yes
check "sluicectl -s (no such socket) show services: exit 2, cannot reach (exit $rc: $(head -n 1 "$CTL_ERR"))" [ $v = yes ]
ctl
v=no; [ "$rc" = 64 ] && grep -q '^usage: sluicectl ' "$CTL_ERR" && v=yes
check "sluicectl without a command: exit 64 and the usage (exit $rc)" [ $v = yes ]
timeout 10 "$ctl_bin" --bogus show services >"$CTL_OUT" 2>"$CTL_ERR"
rc=$?
check "sluicectl --bogus: exit 64 (exit $rc)" [ "$rc" = 64 ]
SLUICE_SOCKET=$sock timeout 10 "$ctl_bin" show services >"$CTL_OUT" 2>"$CTL_ERR"
rc=$?
v=no; [ "$rc" = 0 ] && grep -q '^service web ' "$CTL_OUT" && v=yes
check "SLUICE_SOCKET=SOCK sluicectl show services: exit 0, answered (exit $rc)" [ $v = yes ]

for args in "show backends nosuch" "frobnicate"; do
	# shellcheck disable=SC2086  # words on purpose
	ctl --json $args
	case $args in
	frobnicate) want="d == {'ok': False, 'error': \"unknown command 'frobnicate' (try help)\"}" ;;
	*) want="d == {'ok': False, 'error': \"unknown service 'nosuch'\"}" ;;
	esac
	v=$(jpy "$CTL_ERR" "$want")
	st=$?
	if [ "$rc" = 1 ] && [ "$st" = 0 ] && [ ! -s "$CTL_OUT" ]; then
		ok "sluicectl --json $args: exit 1, JSON error object on stderr: $(cat "$CTL_ERR")"
	else
		notok "sluicectl --json $args: exit 1, JSON error object on stderr (exit $rc; check: $v)"
		ctl_diag
	fi
done

# --- 3. changes, seen by real clients ---------------------------------------

t_cmd "drain applied" '^drain applied$' -- drain web "$B2"
t_cmd "b2 draining, b1 b3 active" "^backend $B2 state draining " "^backend $B1 state active " \
	"^backend $B3 state active " -- show backends web
j_cmd "b2 draining" "[b['state'] for b in r] == ['active', 'draining', 'active']" show backends web
j_cmd "web: 2 of 3 backends usable" "r[0]['usable'] == 2 and r[0]['backends'] == 3" show services
names=$(http_names 12)
v=no; [ "$(count b2 <<<"$names")" = 0 ] && [ "$(count none <<<"$names")" = 0 ] && v=yes
check "after drain b2: 12 requests all answered, none by b2 ($(dist "$names"))" [ $v = yes ]
check "after drain b2: b1 and b3 take turns, 6 each ($(dist "$names"))" \
	[ "$(dist "$names")" = "b1=6 b2=0 b3=6 none=0" ]

j_cmd "enable applied" "r == {'applied': 'enable'}" enable web "$B2"
j_cmd "b2 active again" "[b['state'] for b in r] == ['active'] * 3" show backends web
names=$(http_names 6)
v=no; [ "$(count b2 <<<"$names")" -gt 0 ] && [ "$(count none <<<"$names")" = 0 ] && v=yes
check "after enable b2: b2 answers again, all answered ($(dist "$names"))" [ $v = yes ]

t_cmd "set weight applied" '^set weight applied$' -- set weight web "$B1" 3
t_cmd "b1 weight 3" "^backend $B1 state active weight 3 " "^backend $B2 state active weight 1 " \
	"^backend $B3 state active weight 1 " -- show backends web
j_cmd "weights 3 1 1" "[b['weight'] for b in r] == [3, 1, 1]" show backends web
names=$(http_names 15)
check "after set weight b1 3 (wrr): 15 requests split 9:3:3 ($(dist "$names"))" \
	[ "$(dist "$names")" = "b1=9 b2=3 b3=3 none=0" ]

# add / del on dns (no traffic there: an address without a server is fine)
j_cmd "add backend applied" "r == {'applied': 'add backend'}" add backend dns 10.1.0.14:5353 weight=2 id=b4
j_cmd "dns has the 4th backend, active, weight 2" \
	"len(r) == 4 and (r[3]['address'], r[3]['port'], r[3]['state'], r[3]['weight']) == ('10.1.0.14', 5353, 'active', 2)" \
	show backends dns
e_cmd "adding it twice is refused" 1 "^sluicectl: backend 10.1.0.14:5353 is already in service dns$" \
	add backend dns 10.1.0.14:5353
e_cmd "an unknown option is refused" 1 "^sluicectl: unknown option 'colour=red'" add backend dns 10.1.0.15:5353 colour=red
e_cmd "not IP:PORT is refused" 1 "^sluicectl: backend '10.1.0.15' is not IP:PORT or \[IPv6\]:PORT$" add backend dns 10.1.0.15
t_cmd "del backend by id applied" '^del backend applied$' -- del backend dns b4
t_cmd "the 4th backend of dns is removed" '^backend 10\.1\.0\.14:5353 state (removed|draining) ' -- show backends dns

t_cmd "del backend applied" '^del backend applied$' -- del backend web "$B3"
t_cmd "b3 removed" "^backend $B3 state (removed|draining) " -- show backends web
j_cmd "b3 removed, b1 b2 active; 2 usable" \
	"[b['state'] for b in r][:2] == ['active', 'active'] and r[2]['state'] in ('removed', 'draining') and '%s:%d' % (r[2]['address'], r[2]['port']) == '$B3'" \
	show backends web
j_cmd "web: 2 usable" "r[0]['usable'] == 2" show services
names=$(http_names 9)
v=no; [ "$(count b3 <<<"$names")" = 0 ] && [ "$(count none <<<"$names")" = 0 ] && v=yes
check "after del backend b3: 9 requests all answered, none by b3 ($(dist "$names"))" [ $v = yes ]

n_reload=$(sl_log_count 'reload: snapshot')
t_cmd "reload applied" '^reload applied$' -- reload
check "the log says reload: snapshot ..." [ "$(sl_log_count 'reload: snapshot')" -gt "${n_reload:-0}" ]
j_cmd "after reload web is the file's again: b1 b2 b3 active, weight 1" \
	"[('%s:%d' % (b['address'], b['port']), b['state'], b['weight']) for b in r] == [('$B1', 'active', 1), ('$B2', 'active', 1), ('$B3', 'active', 1)]" \
	show backends web
names=$(http_names 6)
check "after reload: 6 requests, 2 per backend ($(dist "$names"))" \
	[ "$(dist "$names")" = "b1=2 b2=2 b3=2 none=0" ]

# --- 4. hostile clients ---------------------------------------------------------

hostile garbage
sleep 0.2
survives "garbage without a newline, then hang-up"
hostile garbage-line
survives "a line of binary garbage"
hostile long $((1024 * 1024))
survives "a 1 MB line"
hostile long 5000
survives "a 5000-byte line"
hostile half
sleep 0.2
survives "half a line, then hang-up"
hostile split
survives "a command split over two writes"
sleep 0.5   # the hung-up clients above are gone from Sluice's table
hostile many 100 64
sleep 0.5
survives "100 clients at once"

# a silent client: others are answered at once; Sluice drops it after
# 30 s of silence (checked after the telemetry part)
"$SL_PY" "$hostile" silent "$sock" 50 >"$SL_TMP/silent.out" 2>"$SL_TMP/silent.err" &
silent_pid=$!
SL_PIDS+=("$silent_pid")
for ((t = 0; t < 50; t++)); do
	grep -q connected "$SL_TMP/silent.err" 2>/dev/null && break
	sleep 0.1
done
t0=${EPOCHREALTIME//[!0-9]/}
ctl show services
ms=$(((${EPOCHREALTIME//[!0-9]/} - t0) / 1000))
v=no; grep -q connected "$SL_TMP/silent.err" && [ "$rc" = 0 ] && [ "$ms" -lt 1000 ] && v=yes
check "with a silent client connected, sluicectl show services is answered in ${ms} ms (exit $rc)" [ $v = yes ]
survives "a silent client"

# --- 5. telemetry ---------------------------------------------------------------

tel=$(command -v dpdk-telemetry.py || true)
if [ -z "$tel" ]; then
	skip "telemetry" "dpdk-telemetry.py not found"
else
	tel_out=$(printf '%s\n' /sluice/services /sluice/services,web /sluice/backends,web /sluice/stats \
		/sluice/services,nosuch | timeout 20 "$SL_PY" "$tel" -f "$SL_FILE_PREFIX" 2>&1)
	printf '%s\n' "$tel_out" >"$SL_TMP/tel.out"
	tel_check() { # tel_check DESC LINE EXPR: line LINE of the output, d = its JSON
		local v
		if v=$(sed -n "$2p" "$SL_TMP/tel.out" >"$SL_TMP/tel.line" && jpy "$SL_TMP/tel.line" "$3"); then
			ok "telemetry $1"
		else
			notok "telemetry $1 (check gave: $v)"
			diag <"$SL_TMP/tel.out"
		fi
	}
	tel_check "/sluice/services: [\"web\", \"dns\"]" 1 "d == {'/sluice/services': ['web', 'dns']}"
	tel_check "/sluice/services,web: vip $SL_VIP, port 80, wrr, 3 backends, conns_total > 0" 2 \
		"d['/sluice/services']['vip'] == '$SL_VIP' and d['/sluice/services']['name'] == 'web'
		 and d['/sluice/services']['port'] == 80 and d['/sluice/services']['scheduler'] == 'wrr'
		 and d['/sluice/services']['backends'] == 3 and d['/sluice/services']['conns_total'] > 0"
	tel_check "/sluice/backends,web: b0_address $B1 .. b2_address $B3, active" 3 \
		"[d['/sluice/backends']['b%d_address' % i] for i in range(3)] == ['$B1', '$B2', '$B3']
		 and all(d['/sluice/backends']['b%d_state' % i] == 'active' for i in range(3))"
	tel_check "/sluice/stats: rx_packets > 0, conns_created > 0, 1 worker" 4 \
		"d['/sluice/stats']['rx_packets'] > 0 and d['/sluice/stats']['conns_created'] > 0 and d['/sluice/stats']['workers'] == 1"
	tel_check "/sluice/services,nosuch: no data (null)" 5 "d == {'/sluice/services': None}"
	survives "telemetry"
fi

# the silent client: dropped after 30 s of silence
for ((t = 0; t < 550; t++)); do
	sl_pid_alive "$silent_pid" || break
	sleep 0.1
done
wait "$silent_pid" 2>/dev/null
sres=$(cat "$SL_TMP/silent.out")
secs=$(sed -n 's/.* dropped after \([0-9]*\)\.[0-9] s.*/\1/p' <<<"$sres")
v=no; [ -n "$secs" ] && [ "$secs" -ge 29 ] && [ "$secs" -le 40 ] && v=yes
check "a silent client is dropped after about 30 s: ${sres#[a-z]* }" [ $v = yes ]
v=no; [[ $sres == *"it was sent b'error: "* ]] && v=yes
check "the dropped silent client is told why (an 'error: ...' line, as admin.c promises)" [ $v = yes ]
survives "the silent client was dropped"

# --- 6. quit --------------------------------------------------------------------

t_cmd "answers stopping" '^stopping$' -- quit
if sl_sluice_wait_exit 10; then
	check "sluice exits after sluicectl quit, status 0 (status $SL_SLUICE_RC)" [ "$SL_SLUICE_RC" = 0 ]
else
	notok "sluice exits within 10 s of sluicectl quit"
fi
check "the admin socket is removed" [ ! -e "$sock" ]
ctl show services
check "sluicectl show services afterwards: exit 2 (exit $rc: $(head -n 1 "$CTL_ERR"))" [ "$rc" = 2 ]
grep -q 'sluice: stopping' "$log" || echo "# (no 'stopping' line in the log)"

sl_test_finish
