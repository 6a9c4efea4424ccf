#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# End-to-end test of the admin socket under load and at its limits, in
# the namespace topology of lib.sh (client -> VIP -> b1, b2, b3):
#   1. admin_socket naming a file that is not a socket (the INI file
#      itself; a symbolic link): the file is left intact, the log names
#      the path, Sluice forwards without an admin socket;
#   2. slow workers (a large flow table scanned a slice per loop, a long
#      idle sleep) and TCP health checks (300 ms, fall 2): show flows
#      answers once every worker has listed, while the management loop
#      goes on: another client is answered meanwhile, and five show flows
#      in a row take no healthy backend down; the console (-i, on a pipe)
#      answers its lines in order; a worker that cannot list within 10 s
#      makes show flows answer an error, at most 8 listings at a time,
#      and the abandoned ones are freed once the worker lets go;
#   3. a stale socket at admin_socket is replaced; thousands of UDP
#      connections listed with show flows limit 100000 reach a client that
#      reads slowly whole (text and JSON); a line of exactly 4095
#      characters is taken, one of 4096 refused, by the socket and by
#      sluicectl;
#   4. sluicectl against a fake Sluice whose answers are cut short or are
#      not JSON: exit 2, "incomplete answer"; whole answers pass.
#
# Usage: test/e2e/admin_robust.sh SLUICE_BIN SLUICECTL_BIN
# Needs root (network namespaces); exits 77 (skip) otherwise.
# SL_KEEP_TMP=1 keeps the temp dir (configs, Sluice logs) for inspection.

set -u
export LC_ALL=C

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=test/e2e/lib.sh
. "$here/lib.sh"

sl_test_bin_ctl "$@"   # sets bin, ctl_bin
SL_TEST_LOG_LINES=0   # each part has its own Sluice and log

sl_init "slq$$"
hostile=$here/admin_hostile.py
sock=

# --- helpers ------------------------------------------------------------------

# shellcheck disable=SC2317  # called through check
is_backend() { [[ $1 == b[123] ]]; }
now_ms() { echo $((${EPOCHREALTIME//[!0-9]/} / 1000)); }

# ctl ARGS...: lib.sh's, on $sock, at most 30 s
SL_CTL_TIMEOUT=30
SL_CTL_DIAG_BYTES=1000

# hostile MODE ARGS...: admin_hostile.py MODE $sock ARGS (at most 90 s)
hostile() {
	local mode=$1 out st
	shift
	out=$(timeout 90 "$SL_PY" "$hostile" "$mode" "$sock" "$@" 2>&1)
	st=$?
	if [ "$st" = 0 ] && [[ $out == "ok "* ]]; then
		ok "admin client '$mode $*': ${out#ok }"
	else
		notok "admin client '$mode $*' (exit $st): ${out#bad }"
	fi
}

cur_log=
# start TAG GLOBAL <SERVICES: write TAG.ini with the "key = value" lines of
# GLOBAL in [global] (replacing lib.sh's own), start Sluice, wait ready.
start() {
	local conf=$SL_TMP/$1.ini key val
	cur_log=$SL_TMP/$1.log
	sl_write_config_services "$conf" 1 || return 1
	while IFS=' =' read -r key val; do
		[ -n "$key" ] || continue
		if grep -q "^$key = " "$conf"; then
			sed -i "s|^$key = .*|$key = $val|" "$conf"
		else
			sed -i "/^\[global\]\$/a $key = $val" "$conf"
		fi
	done <<<"$2"
	sl_test_sluice_start "$1: sluice ready" "$bin" "$conf" "$cur_log"
}

web_service() { sl_service web 80 tcp "$SL_HTTP_PORT" "${1:-}"; }   # web_service [EXTRA]

echo "# e2e admin socket under load and at its limits, namespaces ${SL_PFX}-*"
sl_test_topo_up ok
# health checks (part 2) are kernel sockets: the exception path
sl_kernel_interfaces outside inside

# --- 1. admin_socket on a file that is not a socket -------------------------------

# not_a_socket TAG PATH WHAT: Sluice with admin_socket = PATH runs, says why
# it has no admin socket, and leaves PATH (and what it points to) alone.
not_a_socket() {
	local tag=$1 path=$2 what=$3 conf=$SL_TMP/$1.ini before after b
	cur_log=$SL_TMP/$tag.log
	web_service | sl_write_config_services "$conf" 1 "admin_socket = $path"
	before=$(ls -l "$path"; sha256sum "$conf" "$(readlink -f "$path")")
	if sl_test_sluice_start "$tag: sluice ready" "$bin" "$conf" "$cur_log"; then
		ok "$tag: sluice starts with admin_socket on $what"
		after=$(ls -l "$path"; sha256sum "$conf" "$(readlink -f "$path")")
		check "$tag: $path is left as it was (type and content)" [ "$before" = "$after" ]
		check "$tag: the log names the path and says it is $what" \
			grep -qF "admin socket $path: the path is $what, left as it is" "$cur_log"
		check "$tag: the log says there is no admin socket" \
			grep -q 'no admin socket: sluicectl will not reach this Sluice' "$cur_log"
		b=$(sl_http name)
		check "$tag: Sluice forwards without its admin socket (got '$b')" is_backend "$b"
		sl_test_sluice_stop "$tag" "$cur_log"
		after=$(ls -l "$path"; sha256sum "$conf" "$(readlink -f "$path")")
		check "$tag: $path is still as it was after Sluice stopped" [ "$before" = "$after" ]
	fi
}
not_a_socket self "$SL_TMP/self.ini" "a regular file"
echo "kept" >"$SL_TMP/target.txt"
ln -s "$SL_TMP/target.txt" "$SL_TMP/link.sock"
not_a_socket link "$SL_TMP/link.sock" "a symbolic link"

# --- 2. slow workers, health checks, show flows --------------------------------------

# 262144 slots scanned 4096 a loop, each idle loop sleeping 50 ms: a
# listing takes about 3 s; the management loop must not wait for it.
sock=$SL_TMP/slow.sock
# (start reads the services from a redirection, not a pipe: a pipe would
# run it in a subshell, and Sluice's pid with it)
if start slow "admin_socket = $sock
flow_capacity = 262144
idle_sleep = 50000
idle_polls = 1" < <(web_service "check = tcp
check_interval = 300
check_timeout = 300
check_fall = 2
check_rise = 2"); then
	sleep 2
	nd=$(sl_log_count 'is down: ')
	check "slow: all backends pass their checks before any show flows ($nd down lines)" [ "$nd" -eq 0 ]

	# one show flows pending; another client meanwhile
	"$ctl_bin" -s "$sock" show flows >"$SL_TMP/flows0.out" 2>"$SL_TMP/flows0.err" &
	bg=$!
	SL_PIDS+=("$bg")
	t0=$(now_ms)
	sleep 0.5
	ctl show services
	alive=no; sl_pid_alive "$bg" && alive=yes
	v=no; [ "$rc" = 0 ] && grep -q '^service web ' "$CTL_OUT" && [ "$ms" -lt 1000 ] && v=yes
	check "slow: with a show flows waiting for the worker, show services is answered in $ms ms (exit $rc)" [ $v = yes ]
	[ $v = yes ] || ctl_diag
	check "slow: ... while that show flows still waits (it was running: $alive)" [ $alive = yes ]
	wait "$bg"
	bgrc=$?
	bgms=$(($(now_ms) - t0))
	v=no; [ "$bgrc" = 0 ] && grep -qx 'no connections' "$SL_TMP/flows0.out" && v=yes
	check "slow: the waiting show flows is answered, exit 0, 'no connections', after $bgms ms (exit $bgrc)" [ $v = yes ]
	check "slow: that listing took the worker more than 1 s ($bgms ms: the test's premise)" [ "$bgms" -gt 1000 ]

	# show flows in a row: no healthy backend may go down
	n_ok=0
	for i in 1 2 3 4 5; do
		ctl show flows
		if [ "$rc" = 0 ] && grep -qx 'no connections' "$CTL_OUT"; then
			n_ok=$((n_ok + 1))
		else
			echo "# show flows $i: exit $rc"; ctl_diag
		fi
	done
	check "slow: 5 show flows in a row all answered 'no connections' ($n_ok/5)" [ "$n_ok" = 5 ]
	sleep 1   # checks in flight finish
	nd=$(sl_log_count 'is down: ')
	check "slow: no backend went down meanwhile ($nd 'is down' lines)" [ "$nd" -eq 0 ]
	[ "$nd" -eq 0 ] || grep -E 'is (up|down): ' "$cur_log" | diag
	b=$(sl_http name)
	check "slow: the VIP still answers (got '$b')" is_backend "$b"
	sl_test_sluice_stop slow "$cur_log"

	# the console (-i) on a pipe, same slow worker: answers in the order
	# of the lines; the last line (no newline) is answered before the end
	out=$(printf 'show flows\nshow services\nshow flows web' |
		timeout 60 ip netns exec "$SL_NS_SLUICE" "$bin" -c "$SL_TMP/slow.ini" -i 2>"$SL_TMP/console.log")
	st=$?
	want=$'no connections\nservice web '
	v=no
	[ "$st" = 0 ] && [[ $out == "$want"* ]] && [[ $out == *$'\nno connections' ]] &&
		[ "$(grep -cx 'no connections' <<<"$out")" = 2 ] && v=yes
	check "slow: console on a pipe answers show flows, show services, show flows in order, exits 0 (status $st)" [ $v = yes ]
	[ $v = yes ] || { echo "# console output:"; diag <<<"$out"; tail -n 5 "$SL_TMP/console.log" | diag; }
fi

# --- 2b. a worker too slow to list within 10 s ------------------------------------------

# 1048576 slots, 4096 a loop, 100 ms sleeps: a listing would take 25 s
sock=$SL_TMP/stuck.sock
if start stuck "admin_socket = $sock
flow_capacity = 1048576
idle_sleep = 100000
idle_polls = 1" < <(web_service); then
	pids=()
	for i in 0 1 2 3 4 5 6 7 8; do
		"$ctl_bin" -s "$sock" show flows >"$SL_TMP/stuck$i.out" 2>"$SL_TMP/stuck$i.err" &
		pids+=($!)
		SL_PIDS+=($!)
	done
	sleep 1
	ctl show services
	v=no; [ "$rc" = 0 ] && [ "$ms" -lt 1000 ] && v=yes
	check "stuck: with 9 show flows waiting, show services is answered in $ms ms (exit $rc)" [ $v = yes ]
	n_late=0 n_busy=0 n_other=0
	for i in 0 1 2 3 4 5 6 7 8; do
		wait "${pids[i]}"
		st=$?
		if [ "$st" = 1 ] && grep -qx 'sluicectl: worker 0 did not list its connections within 10 s (try again, or with a smaller limit)' "$SL_TMP/stuck$i.err"; then
			n_late=$((n_late + 1))
		elif [ "$st" = 1 ] && grep -q '^sluicectl: busy: other listings of connections are in progress (at most 8 at a time' "$SL_TMP/stuck$i.err"; then
			n_busy=$((n_busy + 1))
		else
			n_other=$((n_other + 1))
			echo "# show flows $i: exit $st: $(cat "$SL_TMP/stuck$i.out" "$SL_TMP/stuck$i.err")"
		fi
	done
	check "stuck: of 9 show flows at once, 8 answer that the worker did not list within 10 s, 1 is refused as busy ($n_late, $n_busy, $n_other other)" \
		[ "$n_late/$n_busy/$n_other" = 8/1/0 ]
	# the abandoned listings end at the worker's next slice and are freed:
	# a new show flows is taken (it waits) instead of refused as busy
	sleep 2
	SL_CTL_TIMEOUT=3 ctl show flows
	v=no; [ "$rc" = 124 ] && [ ! -s "$CTL_ERR" ] && v=yes
	check "stuck: afterwards a show flows is taken again and waits for the worker (exit $rc: 124 = still waiting after 3 s)" [ $v = yes ]
	[ $v = yes ] || ctl_diag
	b=$(sl_http name)
	check "stuck: the VIP still answers (got '$b')" is_backend "$b"
	sl_test_sluice_stop stuck "$cur_log"
fi

# --- 3. stale socket, a long answer to a slow reader, line limits ----------------------

sock=$SL_TMP/big.sock
"$SL_PY" -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$sock"
v=no; [ -S "$sock" ] && v=yes
check "big: a stale socket sits at $sock (bound, nobody listening)" [ $v = yes ]
if start big "admin_socket = $sock" < <(sl_service dns 53 udp "$SL_UDP_PORT"); then
	check "big: the log says the stale socket was removed" \
		grep -qF "admin socket $sock: removed a stale socket" "$cur_log"
	ctl show services
	v=no; [ "$rc" = 0 ] && grep -q '^service dns ' "$CTL_OUT" && v=yes
	check "big: sluicectl reaches Sluice on the new socket (exit $rc)" [ $v = yes ]

	# 6000 UDP connections, each from its own source port
	sl_exec_client "$SL_PY" - "$SL_CLIENT_IP" "$SL_VIP" 6000 <<'EOF'
import socket, sys, time
src, vip, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
for i in range(n):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((src, 0))
    s.sendto(b"x", (vip, 53))
    s.close()
    if i % 50 == 49:
        time.sleep(0.005)   # within what af_packet's ring holds
EOF
	sleep 1
	ctl --json show stats
	flows=$("$SL_PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["result"]["workers"][0]["flows"])' "$CTL_OUT" 2>/dev/null)
	flows=${flows:-0}
	check "big: at least 4000 connections in the flow table ($flows)" [ "$flows" -ge 4000 ]
	hostile slow "show flows limit 100000" "$flows"
	hostile slow "--json show flows limit 100000" "$flows"
	ctl show flows limit 100000
	n=$(grep -c '^udp ' "$CTL_OUT")
	v=no; [ "$rc" = 0 ] && [ "$n" = "$flows" ] && v=yes
	check "big: sluicectl show flows limit 100000: exit 0, $n lines for $flows connections" [ $v = yes ]

	# line limits: 4095 characters and the newline are taken, 4096 are not
	hostile line 4095 accept
	hostile line 4096 refuse
	hostile line 2000 accept
	survives=no; ctl show services; [ "$rc" = 0 ] && survives=yes
	check "big: Sluice answers after the long lines (exit $rc)" [ $survives = yes ]
	pad=$(printf '%*s' $((4095 - 13)) '')
	ctl show "${pad}services"
	v=no; [ "$rc" = 0 ] && grep -q '^service dns ' "$CTL_OUT" && v=yes
	check "big: sluicectl with a line of 4095 characters: answered (exit $rc)" [ $v = yes ]
	[ $v = yes ] || ctl_diag
	ctl show "${pad} services"
	v=no; [ "$rc" = 64 ] && grep -q '^sluicectl: command too long (at most 4095 characters)$' "$CTL_ERR" && v=yes
	check "big: sluicectl with a line of 4096 characters: exit 64, command too long (exit $rc)" [ $v = yes ]
	[ $v = yes ] || ctl_diag
	sl_test_sluice_stop big "$cur_log"
fi

# --- 4. sluicectl against answers cut short ----------------------------------------

sock=$SL_TMP/fake.sock
# fake WANT_RC DESC ARGS... <ANSWER: a fake Sluice answers ANSWER once;
# "sluicectl ARGS" exits WANT_RC; 2 must come with "incomplete answer".
fake() {
	local want=$1 desc=$2 why='' pid t
	shift 2
	cat >"$SL_TMP/answer"
	rm -f "$sock"
	"$SL_PY" "$hostile" serve "$sock" "$SL_TMP/answer" >"$SL_TMP/fake.out" 2>&1 &
	pid=$!
	SL_PIDS+=("$pid")
	for ((t = 0; t < 50; t++)); do [ -S "$sock" ] && break; sleep 0.1; done
	ctl "$@"
	[ "$rc" = "$want" ] || why="exit $rc, want $want"
	if [ "$want" = 2 ]; then
		grep -qx "sluicectl: incomplete answer from $sock" "$CTL_ERR" ||
			why+="${why:+; }no 'incomplete answer' on stderr"
		[ -s "$CTL_OUT" ] && why+="${why:+; }stdout not empty"
	fi
	sl_pid_stop "$pid"
	if [ -z "$why" ]; then
		ok "sluicectl $*, $desc: exit $rc"
	else
		notok "sluicectl $*, $desc ($why)"
		ctl_diag
	fi
}
printf 'service web 10.0.0.100:80/tcp scheduler rr\n' | fake 2 "text without its status line" show services
printf 'service web 10.0.0.100:80/tcp sched' | fake 2 "text cut in a line" show services
printf 'service web 10.0.0.100:80/tcp\nok' | fake 2 "status line without its newline" show services
printf 'service web 10.0.0.100:80/tcp\nok\n' | fake 0 "a whole text answer" show services
printf 'error: unknown command\n' | fake 1 "a whole error" frobnicate
printf '{"ok":true,"result":[{"name":"web","port":80},{"na' | fake 2 "JSON cut in an object" --json show services
printf '{"ok":true,"result":[]}' | fake 2 "JSON without its newline" --json show services
printf '{"ok":true,"result":[1,]}\n' | fake 2 "JSON with a trailing comma" --json show services
printf '{"ok":true,"result":[1]}\n{"ok":true}\n' | fake 2 "two JSON objects" --json show services
printf '{"ok":true,"result":"a\tb"}\n' | fake 2 "JSON with a raw control character" --json show services
printf '{"ok":true,"result":nan}\n' | fake 2 "JSON with nan" --json show services
printf '{"ok":true,"result":[{"a":-1.5e3,"b":"x\\u00e9\\"\\\\","c":[true,false,null,{}]}]}\n' |
	fake 0 "a whole JSON answer with escapes, numbers, literals" --json show services
printf '{"ok":false,"error":"unknown service"}\n' | fake 1 "a whole JSON error" --json show backends x
printf 'error: too many clients\n' | fake 1 "a text refusal to a JSON request" --json show services

sl_test_finish
