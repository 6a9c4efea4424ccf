#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# End-to-end test of the limits a service puts on its clients and
# backends, one worker, lib.sh's topology; the client namespace gets
# three more addresses, 10.0.0.3, .4 and .5, so that several clients
# connect at once. Three services on the VIP, each to the backends' :8080:
#   web  :80  allow = 10.0.0.0/24, deny = 10.0.0.3 (then a reload that
#             denies 10.0.0.2 as well)
#   rl   :81  conn_rate_per_client = 5 (burst 5)
#   mc   :82  scheduler wrr, b1 weight=1000 max_conns=2, b2 and b3 weight=1
#
#   1. ACL: 10.0.0.2 is served; 10.0.0.3 gets nothing (curl times out:
#      no RST either), counted as acl_denied of web and drop acl_denied;
#      a reload that denies 10.0.0.2 keeps its open connection (it
#      completes) and stops its new ones.
#   2. Rate: 10.0.0.4 opens 40 connections as fast as it can: at most
#      burst + rate x elapsed (+1) connect, the others are refused with a
#      RST at once (ECONNREFUSED), exactly as many as web's rl counter
#      rate_limited; meanwhile 10.0.0.5 makes 5 requests, 0.3 s apart,
#      all answered.
#   3. max_conns: three connections held open to mc: wrr would give all
#      three to b1 (weight 1000), max_conns=2 sends the third elsewhere;
#      show backends mc counts 2 active on b1 meanwhile.
#   4. Sluice exits 0 on SIGTERM.
#
# Usage: test/e2e/limits.sh SLUICE_BIN SLUICECTL_BIN
# Needs root (network namespaces); exits 77 (skip) otherwise.
# SL_KEEP_TMP=1 keeps the temp dir (configuration, logs).

set -u
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=test/e2e/lib.sh
. "$here/lib.sh"

sl_test_bin_ctl "${1:-}" "${2:-}"   # sets bin, ctl_bin
passed=0 failed=0 skipped=0

sl_init "sll$$"
sock=$SL_TMP/sluice.sock
B=("${SL_BACKEND_IPS[@]/%/:$SL_HTTP_PORT}")

# jval FILE EXPR: evaluate the Python expression EXPR over the JSON answer
# in FILE (d: the answer, r: its result); prints the value.
jval() {
	"$SL_PY" - "$1" "$2" <<'EOF'
import json, sys
try:
    d = json.loads(open(sys.argv[1]).read())
    r = d.get("result")
    print(eval(sys.argv[2], {"d": d, "r": r}))
except Exception as e:
    print("error: %s" % e)
EOF
}

# svc_counter NAME COUNTER: a counter of service NAME (show services).
svc_counter() {
	ctl --json show services
	jval "$CTL_OUT" "[s for s in r if s['name'] == '$1'][0]['$2']"
}

# drops REASON: the "drop REASON N" lines of show stats, summed.
drops() {
	ctl show stats
	awk -v r="$1" '$1 == "drop" && $2 == r { s += $3 } END { print s + 0 }' "$CTL_OUT"
}

# curl_from SRC PORT [MAX_TIME]: GET /name from source SRC; prints the body,
# or "curl exit N" (7: refused, 28: timed out).
curl_from() {
	local out rc
	out=$(sl_exec_client curl -s --interface "$1" --max-time "${3:-3}" \
		"http://$SL_VIP:$2/name")
	rc=$?
	if [ "$rc" = 0 ]; then printf '%s\n' "$out"; else echo "curl exit $rc"; fi
}

write_conf() {
	local web_deny=$1
	sl_write_config_services "$conf" 1 "admin_socket = $sock" <<EOF
[service.web]
vip = $SL_VIP
port = 80
protocol = tcp
allow = 10.0.0.0/24
deny = $web_deny
backend = ${B[0]}
backend = ${B[1]}
backend = ${B[2]}

[service.rl]
vip = $SL_VIP
port = 81
protocol = tcp
conn_rate_per_client = 5
backend = ${B[0]}
backend = ${B[1]}
backend = ${B[2]}

[service.mc]
vip = $SL_VIP
port = 82
protocol = tcp
scheduler = wrr
backend = ${B[0]} weight=1000 max_conns=2
backend = ${B[1]}
backend = ${B[2]}
EOF
}

echo "# e2e limits, 1 worker, namespaces ${SL_PFX}-*"
sl_test_topo_up setup
for a in 10.0.0.3 10.0.0.4 10.0.0.5; do
	ip -n "$SL_NS_CLIENT" addr add "$a/24" dev c0
done

conf=$SL_TMP/sluice.ini
log=$SL_TMP/sluice.log
write_conf 10.0.0.3
if ! sl_test_sluice_start "sluice ready" "$bin" "$conf" "$log"; then
	sl_test_finish
fi
setup "sluice ready (pid $SL_SLUICE_PID)"

# --- 1. allow / deny ------------------------------------------------------------
out=$(curl_from 10.0.0.2 80)
check "acl: an allowed client (10.0.0.2) is served ($out)" grep -qx 'b[123]' <<<"$out"
t0=${EPOCHREALTIME//[!0-9]/}
out=$(curl_from 10.0.0.3 80 2)
t1=${EPOCHREALTIME//[!0-9]/}
# a RST would end curl at once with exit 7; nothing at all makes it wait
check "acl: a denied client (10.0.0.3) gets nothing, not even a RST ($out after $(((t1 - t0) / 1000)) ms)" \
	[ "$out" = "curl exit 28" ]
n=$(svc_counter web acl_denied)
check "acl: web counts acl_denied ($n) and rl does not ($(svc_counter rl acl_denied))" \
	[ "$n" -ge 1 ] 2>/dev/null
d=$(drops acl_denied)
check "acl: show stats has drop acl_denied ($d)" [ "$d" -ge 1 ] 2>/dev/null
out=$(curl_from 10.0.0.3 81)
check "acl: the denied client is served by a service without lists ($out)" grep -qx 'b[123]' <<<"$out"

# a reload that denies 10.0.0.2 too: its open connection carries on
sl_http_hold_start held name 10.0.0.2 80
if port=$(sl_http_hold_wait held); then
	write_conf "10.0.0.3, 10.0.0.2/32"
	if verdict=$(sl_sluice_reload); then
		setup "reload: $verdict"
		out=$(curl_from 10.0.0.2 80 2)
		check "acl after reload: a new connection of 10.0.0.2 gets nothing ($out)" \
			[ "$out" = "curl exit 28" ]
		out=$(sl_http_hold_finish held)
		check "acl after reload: the connection 10.0.0.2 opened before (port $port) completes ($out)" \
			grep -qx 'b[123]' <<<"$out"
	else
		notok "reload denying 10.0.0.2 accepted ($verdict)"
	fi
else
	notok "acl: a connection from 10.0.0.2 held open"
fi

# --- 2. per-client connection rate --------------------------------------------------
rate_out=$(sl_exec_client "$SL_PY" - "$SL_VIP" <<'EOF'
import socket, threading, time
vip = __import__("sys").argv[1]
res = {}

def hammer():
    conn = refused = other = 0
    t0 = time.monotonic()
    for i in range(40):
        s = socket.socket()
        s.bind(("10.0.0.4", 0))
        s.settimeout(2)
        try:
            s.connect((vip, 81))
            conn += 1
        except ConnectionRefusedError:
            refused += 1
        except OSError:
            other += 1
        s.close()
    res["hammer"] = "hammer %d %d %d %d" % (conn, refused, other,
                                           int((time.monotonic() - t0) * 1000))

def good():
    n = 0
    for i in range(5):
        s = socket.socket()
        s.bind(("10.0.0.5", 0))
        s.settimeout(3)
        try:
            s.connect((vip, 81))
            s.sendall(b"GET /name HTTP/1.0\r\n\r\n")
            data = b""
            while True:
                d = s.recv(4096)
                if not d:
                    break
                data += d
            head, _, body = data.partition(b"\r\n\r\n")
            if head.startswith(b"HTTP/1.0 200") and body in (b"b1", b"b2", b"b3"):
                n += 1
        except OSError:
            pass
        s.close()
        time.sleep(0.3)
    res["good"] = "good %d" % n

ts = [threading.Thread(target=f) for f in (hammer, good)]
for t in ts:
    t.start()
for t in ts:
    t.join()
print(res["hammer"])
print(res["good"])
EOF
)
read -r _ conn refused other ms <<<"$(grep '^hammer' <<<"$rate_out")"
read -r _ good <<<"$(grep '^good' <<<"$rate_out")"
if [ -z "${ms:-}" ] || [ -z "${good:-}" ]; then
	notok "rate: the clients ran"
	printf '%s\n' "$rate_out" | diag
else
	most=$((5 + 5 * ms / 1000 + 1))
	check "rate: 10.0.0.4's 40 fast connections: $conn connected (5..$most in $ms ms)" \
		[ "$conn" -ge 5 ] && [ "$conn" -le "$most" ]
	check "rate: the others refused at once with a RST ($refused refused, $other otherwise)" \
		[ "$refused" -ge 1 ] && [ "$other" = 0 ] && [ $((conn + refused)) = 40 ]
	n=$(svc_counter rl rate_limited)
	check "rate: rl counts rate_limited $n = $refused refused" [ "$n" = "$refused" ]
	d=$(drops rate_limited)
	check "rate: show stats has drop rate_limited $d" [ "$d" = "$refused" ]
	check "rate: meanwhile 10.0.0.5 is served 5 of 5 ($good)" [ "$good" = 5 ]
fi

# --- 3. max_conns -----------------------------------------------------------------
for h in m1 m2 m3; do
	sl_http_hold_start "$h" name 10.0.0.2 82
	sl_http_hold_wait "$h" >/dev/null || notok "max_conns: connection $h held open"
done
ctl --json show backends mc
act=$(jval "$CTL_OUT" "[b['conns_active'] for b in r if b['address'] == '${SL_BACKEND_IPS[0]}' and b['max_conns'] == 2][0]")
if [ "$act" != 2 ]; then
	# the answer's shape, for whoever reads a failure
	ctl_diag
fi
check "max_conns: b1 holds 2 connections while 3 are open ($act)" [ "$act" = 2 ]
got=()
for h in m1 m2 m3; do got+=("$(sl_http_hold_finish "$h")"); done
n1=0
for g in "${got[@]}"; do [ "$g" = b1 ] && n1=$((n1 + 1)); done
check "max_conns: 2 of the 3 go to b1 (weight 1000), the third elsewhere (${got[*]})" \
	[ "$n1" = 2 ] && [ "${#got[@]}" = 3 ] && ! grep -q ERR <<<"${got[*]}"

sl_test_sluice_stop "limits" "$log"
sl_test_finish
