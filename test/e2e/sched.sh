#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# End-to-end test of the schedulers, through Sluice on net_af_packet in
# the namespace topology of lib.sh (client -> VIP:80 -> b1, b2, b3):
#   1. maglev: a client source port always reaches the same backend; after
#      b2 is removed, ports that were not on b2 keep their backend and the
#      ports of b2 move to b1 or b3.
#   2. persistence (rr, persistence = 60): every connection of a client
#      address reaches one backend; different addresses still spread.
#   3. lc: with long-lived connections held on b1 and b2, new connections
#      go to b3 (the one with no active connection).
# Each part runs its own Sluice, so the exit counters are its own.
#
# Usage: test/e2e/sched.sh SLUICE_BIN [WORKERS]     (WORKERS: 1 or 2)
# Needs root (network namespaces); exits 77 (skip) otherwise.
# SL_KEEP_TMP=1 keeps the temp dir (configs, Sluice logs) for inspection.

set -u

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=test/e2e/lib.sh
. "$here/lib.sh"

sl_test_bin_workers "$@"   # sets bin, workers
SL_TEST_LOG_LINES=0   # each part has its own Sluice and log

sl_init "slt$$"

# --- helpers ------------------------------------------------------------------

BE_NAMES=(b1 b2 b3)
be_ep() { echo "${SL_BACKEND_IPS[$(($1 - 1))]}:$SL_HTTP_PORT"; }   # be_ep 2 -> 10.1.0.12:8080

# web_service "EXTRA LINES" INDEX...: a [service.web] on VIP:80/tcp over
# the backends INDEX (1..3), with EXTRA LINES (scheduler etc.) added.
web_service() {
	local extra=$1 i
	shift
	printf '[service.web]\nvip = %s\nport = 80\nprotocol = tcp\nmode = nat\n' "$SL_VIP"
	printf '%s\n' "$extra"
	for i in "$@"; do printf 'backend = %s\n' "$(be_ep "$i")"; done
}

# run_sluice TAG "GLOBAL_EXTRA" <SERVICES: write the config, start Sluice,
# wait until it is ready. Sets cur_log.
cur_log=
run_sluice() {
	local conf=$SL_TMP/$1.ini
	cur_log=$SL_TMP/$1.log
	sl_write_config_services "$conf" "$workers" "$2" || return 1
	sl_test_sluice_start "$1: sluice ready" "$bin" "$conf" "$cur_log"
}

# stop_sluice TAG: SIGTERM, check the exit status.
stop_sluice() { sl_test_sluice_stop "$1" "$cur_log"; }

# be_counter LOG INDEX FIELD: FIELD (conns_total, conns_active, ...) of
# backend INDEX of service web in Sluice's exit counters; empty if absent.
be_counter() {
	grep -E "(^|[[:space:]])backend web $(be_ep "$2" | sed 's/\./\\./g') " "$1" | tail -n 1 |
		sed -nE "s/.*[[:space:]]$3 (-?[0-9]+)([[:space:]].*)?\$/\\1/p"
}

show_counters() { # show_counters LOG
	echo "# exit counters:"
	grep -E '(^|[[:space:]])(service|backend) web ' "$1" | diag
}

# http_from_ports SRC_IP PORT...: one HTTP request for /name from each
# fixed local PORT (SO_REUSEADDR, up to 3 tries). One line per port:
#   ok PORT NAME TRIES | bad PORT REASON
http_from_ports() {
	local src=$1
	shift
	sl_exec_client "$SL_PY" - "$src" "$SL_VIP" 80 "$@" <<'EOF'
import socket, sys, time
src, vip, vport = sys.argv[1], sys.argv[2], int(sys.argv[3])
req = ("GET /name HTTP/1.0\r\nHost: %s\r\n\r\n" % vip).encode()
for p in map(int, sys.argv[4:]):
    why = "?"
    for attempt in range(1, 4):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.settimeout(5)
        try:
            s.bind((src, p))
            s.connect((vip, vport))
            s.sendall(req)
            data = b""
            while True:
                d = s.recv(4096)
                if not d:
                    break
                data += d
        except OSError as e:
            why = "%s: %s" % (type(e).__name__, e)
            time.sleep(0.5)
            continue
        finally:
            s.close()
        head, _, body = data.partition(b"\r\n\r\n")
        body = body.decode(errors="replace")
        if b" 200 " in head.split(b"\r\n", 1)[0] + b" " and body in ("b1", "b2", "b3"):
            print("ok %d %s %d" % (p, body, attempt))
            break
        why = "answer %r" % data[:80]
    else:
        print("bad %d %s" % (p, why))
    sys.stdout.flush()
EOF
}

# curl_name SRC_IP: one request for /name from SRC_IP (any port), the body.
curl_name() {
	sl_exec_client curl -s --max-time 5 --interface "$1" "http://$SL_VIP/name"
}

# count the established connections to :8080 a backend sees
be_established() {
	ip netns exec "${SL_NS_BACKENDS[$(($1 - 1))]}" ss -Htn state established "( sport = :$SL_HTTP_PORT )" |
		grep -c .
}

echo "# e2e schedulers, $workers worker(s), namespaces ${SL_PFX}-*"
if ! sl_topo_up; then
	notok "topology set up"
	sl_test_finish
fi
setup "topology set up (client, sluice, switch, 3 backends)"

# --- 1. maglev ----------------------------------------------------------------
#
# 30 fixed source ports, two rounds each (the second in reverse order). The Sluice flow of a port is in
# TIME_WAIT when the next round reuses it: the SYN makes Sluice schedule
# it anew, so agreement between rounds comes from the hash, not from the
# flow table. With the default table size (65537) removing one of three
# backends moves about 0.01% of the other backends' positions, so all of
# the ~20 ports not on b2 keep their backend (the hash is fixed, so this
# is deterministic for these ports).

ports=()
for ((p = 20001; p <= 20030; p++)); do ports+=("$p"); done

declare -A r1=() r2=() r3=() r4=()

rports=()
for ((i = ${#ports[@]} - 1; i >= 0; i--)); do rports+=("${ports[$i]}"); done

# maglev_round ARRAYNAME TAG [reverse]: run the 30 ports (in reverse order
# if asked), fill ARRAYNAME[port]=bN. Prints an ok/not ok line for the
# answers; returns the number of bad ports.
# The second round of each phase goes in reverse order, so that no
# position-based scheduler (rr over 3 backends, 30 ports) could agree.
maglev_round() {
	local -n into=$1
	local out st p name bad=0 retried=0 tries
	if [ "${3:-}" = reverse ]; then
		out=$(http_from_ports "$SL_CLIENT_IP" "${rports[@]}" 2>&1)
	else
		out=$(http_from_ports "$SL_CLIENT_IP" "${ports[@]}" 2>&1)
	fi
	while read -r st p name tries; do
		# shellcheck disable=SC2004  # associative: the key is the port
		case $st in
		ok) into[$p]=$name; [ "$tries" -gt 1 ] && retried=$((retried + 1)) ;;
		*) bad=$((bad + 1)) ;;
		esac
	done <<<"$out"
	if [ "${#into[@]}" -eq "${#ports[@]}" ]; then
		ok "$2: ${#ports[@]}/${#ports[@]} requests from fixed source ports answered ($retried needed a retry)"
	else
		notok "$2: ${#into[@]}/${#ports[@]} requests from fixed source ports answered"
		printf '%s\n' "$out" | grep -v '^ok ' | diag
	fi
	[ "$retried" -eq 0 ] || printf '%s\n' "$out" | awk '$1 == "ok" && $4 > 1' | diag
	return "$bad"
}

count_of() { # count_of ARRAYNAME BACKEND: ports that reached BACKEND
	local -n m=$1
	local q n=0
	for q in "${ports[@]}"; do [ "${m[$q]:-}" = "$2" ] && n=$((n + 1)); done
	echo "$n"
}
dist_of() { # dist_of ARRAYNAME: "b1=N b2=N b3=N"
	echo "b1=$(count_of "$1" b1) b2=$(count_of "$1" b2) b3=$(count_of "$1" b3)"
}

if run_sluice maglev-3 "" < <(web_service "scheduler = maglev" 1 2 3); then
	setup "maglev over b1 b2 b3: sluice ready"
	maglev_round r1 "maglev, 3 backends, round 1"
	maglev_round r2 "maglev, 3 backends, round 2 (ports in reverse order)" reverse
	same=0 differ=()
	for p in "${ports[@]}"; do
		if [ -n "${r1[$p]:-}" ] && [ "${r1[$p]}" = "${r2[$p]:-}" ]; then
			same=$((same + 1))
		else
			differ+=("$p:${r1[$p]:-none}/${r2[$p]:-none}")
		fi
	done
	check "maglev: each source port reaches the same backend in both rounds ($same/${#ports[@]} agree${differ[*]:+; differ: ${differ[*]}})" \
		[ "$same" -eq "${#ports[@]}" ]
	used=0
	for b in "${BE_NAMES[@]}"; do [ "$(count_of r1 "$b")" -gt 0 ] && used=$((used + 1)); done
	check "maglev: all 3 backends used ($(dist_of r1))" [ "$used" -eq 3 ]
	stop_sluice "maglev, 3 backends"
	# the counters must match what the client saw: 2 rounds
	cnt_ok=1 cnt_txt=
	for i in 1 2 3; do
		b=b$i
		want=$(( $(count_of r1 "$b") + $(count_of r2 "$b") ))
		got=$(be_counter "$cur_log" "$i" conns_total)
		cnt_txt+="$b $got/$want "
		[ "${got:-x}" = "$want" ] || cnt_ok=
	done
	check "maglev: exit counters conns_total per backend match the answers (got/want: ${cnt_txt% })" [ -n "$cnt_ok" ]
	[ -n "$cnt_ok" ] || show_counters "$cur_log"
fi

if [ "${#r1[@]}" -gt 0 ] && run_sluice maglev-2 "" < <(web_service "scheduler = maglev" 1 3); then
	setup "maglev over b1 b3 (b2 removed): sluice ready"
	maglev_round r3 "maglev, b2 removed, round 1"
	maglev_round r4 "maglev, b2 removed, round 2 (ports in reverse order)" reverse
	kept=0 nkeep=0 moved=0 nmove=0 bad=()
	for p in "${ports[@]}"; do
		case ${r1[$p]:-} in
		'') ;;
		b2)
			nmove=$((nmove + 1))
			case ${r3[$p]:-} in b1|b3) moved=$((moved + 1)) ;; *) bad+=("$p:b2->${r3[$p]:-none}") ;; esac ;;
		*)
			nkeep=$((nkeep + 1))
			if [ "${r3[$p]:-}" = "${r1[$p]}" ]; then kept=$((kept + 1)); else bad+=("$p:${r1[$p]}->${r3[$p]:-none}"); fi ;;
		esac
	done
	v=no; [ "$nkeep" -gt 0 ] && [ "$kept" -eq "$nkeep" ] && v=yes
	check "maglev after removing b2: ports not on b2 keep their backend ($kept/$nkeep)" [ $v = yes ]
	v=no; [ "$nmove" -gt 0 ] && [ "$moved" -eq "$nmove" ] && v=yes
	check "maglev after removing b2: ports that were on b2 now reach b1 or b3 ($moved/$nmove)" [ $v = yes ]
	echo "# b2's ports went to: b1=$(for p in "${ports[@]}"; do [ "${r1[$p]:-}" = b2 ] && echo "${r3[$p]:-}"; done | grep -cx b1)" \
		"b3=$(for p in "${ports[@]}"; do [ "${r1[$p]:-}" = b2 ] && echo "${r3[$p]:-}"; done | grep -cx b3)"
	[ "${#bad[@]}" -eq 0 ] || echo "# changed: ${bad[*]}"
	same=0
	for p in "${ports[@]}"; do
		[ -n "${r3[$p]:-}" ] && [ "${r3[$p]}" = "${r4[$p]:-}" ] && same=$((same + 1))
	done
	check "maglev after removing b2: both rounds agree ($same/${#ports[@]}; $(dist_of r3))" \
		[ "$same" -eq "${#ports[@]}" ]
	stop_sluice "maglev, b2 removed"
fi

# --- 2. persistence -----------------------------------------------------------
#
# rr with persistence = 60. Without persistence, rr sends consecutive
# connections of one client to b1, b2, b3, b1, ...; with it, all of them
# to the backend of the client's first connection. Clients 10.0.0.3-8
# (extra addresses on c0) each make 3 requests in a row.

extra_ips=(10.0.0.3 10.0.0.4 10.0.0.5 10.0.0.6 10.0.0.7 10.0.0.8)
for ip in "${extra_ips[@]}"; do
	ip -n "$SL_NS_CLIENT" addr add "$ip/24" dev c0 || notok "add $ip to the client"
done

if run_sluice persist "" < <(web_service $'scheduler = rr\npersistence = 60' 1 2 3); then
	setup "rr with persistence = 60: sluice ready"
	declare -A seen=()   # backend -> answers seen from it
	names=()
	for ((i = 0; i < 12; i++)); do
		n=$(curl_name "$SL_CLIENT_IP")
		names+=("${n:-none}")
		seen[${n:-none}]=$((${seen[${n:-none}]:-0} + 1))
	done
	u=$(printf '%s\n' "${names[@]}" | sort -u)
	v=no; [[ $u == b[123] ]] && v=yes
	check "persistence: 12 requests from $SL_CLIENT_IP all reach one backend (${names[*]})" [ $v = yes ]
	sticky=0 firsts=() detail=
	for ip in "${extra_ips[@]}"; do
		cn=()
		for ((i = 0; i < 3; i++)); do
			n=$(curl_name "$ip")
			cn+=("${n:-none}")
			seen[${n:-none}]=$((${seen[${n:-none}]:-0} + 1))
		done
		detail+="${ip##*.}:$(IFS=,; echo "${cn[*]}") "
		if [ "${cn[0]}" = "${cn[1]}" ] && [ "${cn[1]}" = "${cn[2]}" ] && [[ ${cn[0]} == b[123] ]]; then
			sticky=$((sticky + 1))
		fi
		firsts+=("${cn[0]}")
	done
	check "persistence: each of 6 other client addresses sticks to one backend over 3 requests ($sticky/6; ${detail% })" \
		[ "$sticky" -eq 6 ]
	ndist=$(printf '%s\n' "${firsts[@]}" | grep -x 'b[123]' | sort -u | wc -l)
	check "persistence: the 6 other clients spread over >= 2 backends ($ndist distinct: ${firsts[*]})" \
		[ "$ndist" -ge 2 ]
	stop_sluice "persistence"
	cnt_ok=1 cnt_txt=
	for i in 1 2 3; do
		got=$(be_counter "$cur_log" "$i" conns_total)
		cnt_txt+="b$i $got/${seen[b$i]:-0} "
		[ "${got:-x}" = "${seen[b$i]:-0}" ] || cnt_ok=
	done
	check "persistence: exit counters conns_total per backend match the answers (got/want: ${cnt_txt% })" [ -n "$cnt_ok" ]
	[ -n "$cnt_ok" ] || show_counters "$cur_log"
fi

# --- 3. least connections ------------------------------------------------------
#
# Two connections held open (a request without its final blank line) take
# b1 (all at 0: ties go to the first) and b2 (b1 has 1). Every short
# request then finds b1 = 1, b2 = 1, b3 = 0 and goes to b3, provided its
# predecessor has left Sluice's table: a closed connection stays there
# (and counts as active) for timeout_tcp_time_wait / timeout_tcp_close,
# set to 1 s here, and the requests are 2 s apart. All from one client
# address, so all on one worker: lc is exact even with 2 workers.

if run_sluice lc $'timeout_tcp_time_wait = 1\ntimeout_tcp_close = 1' < <(web_service "scheduler = lc" 1 2 3); then
	setup "lc: sluice ready"
	hold_ok=1
	for h in h1 h2; do
		sl_http_hold_start "$h" name
		if hp=$(sl_http_hold_wait "$h" 10); then
			echo "# long-lived connection $h from port $hp"
		else
			hold_ok=
		fi
		sleep 0.3
	done
	est="b1=$(be_established 1) b2=$(be_established 2) b3=$(be_established 3)"
	v=no; [ -n "$hold_ok" ] && [ "$est" = "b1=1 b2=1 b3=0" ] && v=yes
	check "lc: 2 long-lived connections open, seen by the backends as $est (want b1=1 b2=1 b3=0)" [ $v = yes ]
	short=()
	for ((i = 0; i < 6; i++)); do
		sleep 2
		n=$(curl_name "$SL_CLIENT_IP")
		short+=("${n:-none}")
	done
	n3=$(printf '%s\n' "${short[@]}" | grep -cx b3)
	check "lc: 6 short requests, 2 s apart, all reach b3 (${short[*]})" [ "$n3" -eq 6 ]
	a1=$(sl_http_hold_finish h1 10)
	a2=$(sl_http_hold_finish h2 10)
	check "lc: the long-lived connections were on b1 and b2 (got ${a1:-none}, ${a2:-none})" \
		[ "$a1/$a2" = b1/b2 ]
	stop_sluice "lc"
	got="b1=$(be_counter "$cur_log" 1 conns_total) b2=$(be_counter "$cur_log" 2 conns_total) b3=$(be_counter "$cur_log" 3 conns_total)"
	check "lc: exit counters conns_total $got (want b1=1 b2=1 b3=6)" [ "$got" = "b1=1 b2=1 b3=6" ]
	[ "$got" = "b1=1 b2=1 b3=6" ] || show_counters "$cur_log"
fi

sl_test_finish
