#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# End-to-end test of the health checks, through Sluice on net_af_packet in
# the namespace topology of lib.sh (client -> VIP -> b1, b2, b3). Checks
# are kernel sockets of Sluice's namespace, so both ports have a
# kernel_interface (the exception path, as in kernel.sh). Every service
# checks every 500 ms with a 300 ms timeout, fall 2, rise 2.
#   1. http: all up; b2's server is killed: b2 is marked down within
#      fall x interval + 1 s (the time is measured and printed), 30
#      requests all succeed and none reaches b2; b2's server restarted:
#      b2 is up again after rise checks, and requests reach it.
#   2. http against tcp: b3 runs a second server on :8081 that answers
#      every request with HTTP 500. Service a (http check) takes
#      b3:8081 down with "status 500"; service b (tcp check, another VIP
#      port, same backends) keeps it up and sends it requests.
#   3. udp: check_send = ping, check_expect_payload = ping against the
#      UDP echo servers: all up; b1's UDP server stopped (its HTTP server
#      keeps running): b1 goes down; other datagrams avoid it; restarted,
#      it comes back.
#   4. every backend down: a new TCP connection to the VIP is refused at
#      once with a RST (curl exit 7, under 1 s), counted as no_backend.
#   5. checks that fail at once: an "unreachable" route to b2 in Sluice's
#      namespace makes the checks' connect() fail before any packet
#      leaves; b2 goes down after fall checks in an http and a udp
#      service, with the reason, and takes no new connections or
#      datagrams; without the route it comes back.
# Each part runs its own Sluice, so the exit counters are its own.
#
# Usage: test/e2e/health.sh SLUICE_BIN
# Needs root (network namespaces); exits 77 (skip) otherwise.
# SL_KEEP_TMP=1 keeps the temp dir (configs, Sluice logs) for inspection.

set -u
export LC_ALL=C   # "." in $EPOCHREALTIME

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=test/e2e/lib.sh
. "$here/lib.sh"

sl_test_bin "$@"   # sets bin
SL_TEST_LOG_LINES=0   # each part has its own Sluice and log
# SL_HEALTH_PARTS="1 5" runs only those parts (default: all)
PARTS=" ${SL_HEALTH_PARTS:-1 2 3 4 5} "
part() { [[ $PARTS == *" $1 "* ]]; }

sl_init "slh$$"

# --- settings and helpers -----------------------------------------------------

INTERVAL=500   # ms
TIMEOUT=300    # ms
FALL=2
RISE=2
# a transition is due within this many ms of its cause
DOWN_MS=$((FALL * INTERVAL + 1000))
UP_MS=$((RISE * INTERVAL + 1000))
SETTLE=1.5     # s, three intervals: a failing check would have shown by then

CHECK_KEYS="check_interval = $INTERVAL
check_timeout = $TIMEOUT
check_fall = $FALL
check_rise = $RISE"
# the checks of the web (http) and dns (udp) services
HTTP_CHECK="check = http
check_path = /name
$CHECK_KEYS"
UDP_CHECK="check = udp
check_send = ping
check_expect_payload = ping
$CHECK_KEYS"

now_us() { echo "${EPOCHREALTIME//[!0-9]/}"; }

ip_re() { echo "${1//./\\.}"; }

# transition regexes: down_re SVC IP:PORT / up_re SVC IP:PORT
down_re() { echo "service $1 backend $(ip_re "$2") is down: "; }
up_re() { echo "service $1 backend $(ip_re "$2") is up: "; }

# run_sluice TAG <SERVICES: write a configuration with kernel interfaces
# on both ports and SERVICES, start Sluice, wait until it is ready. Sets
# cur_log.
cur_log=
run_sluice() {
	local conf=$SL_TMP/$1.ini
	cur_log=$SL_TMP/$1.log
	sl_write_config_services "$conf" 1
	sl_test_sluice_start "$1: sluice ready" "$bin" "$conf" "$cur_log"
}

# stop_sluice TAG: SIGTERM, check the exit status.
stop_sluice() { sl_test_sluice_stop "$1" "$cur_log"; }

# transitions: the health lines of the current log, as diagnostics
show_transitions() {
	echo "# health transitions in the log:"
	grep -E 'backend .* is (up|down): ' "$cur_log" | diag
}

# wait_transition RE TIMEOUT_S: wait for the next (count + 1) line matching
# RE; sets tr_line and tr_ms (time from the call). Fails on timeout.
tr_line='' tr_ms=''
wait_transition() {
	local re=$1 timeout=$2 n t0
	n=$(sl_log_count "$re")
	t0=$(now_us)
	tr_line=$(sl_log_wait "$re" $((n + 1)) "$timeout") || { tr_line=; tr_ms=; return 1; }
	tr_ms=$((($(now_us) - t0) / 1000))
	return 0
}

# wait_transition_from T0_US RE N TIMEOUT_S: the Nth line matching RE, with
# tr_ms measured from T0_US.
wait_transition_from() {
	local t0=$1 re=$2 n=$3 timeout=$4
	tr_line=$(sl_log_wait "$re" "$n" "$timeout") || { tr_line=; tr_ms=; return 1; }
	tr_ms=$((($(now_us) - t0) / 1000))
	return 0
}

# be_line LOG SVC IP:PORT: the exit-counter line of that backend.
be_line() {
	grep -E "(^|[[:space:]])backend $2 $(ip_re "$3")( |\$)" "$1" | tail -n 1
}
# be_counter LOG SVC IP:PORT FIELD
be_counter() {
	be_line "$1" "$2" "$3" | sed -nE "s/.*[[:space:]]$4 (-?[0-9]+)([[:space:]].*)?\$/\\1/p"
}
show_counters() { # show_counters LOG
	echo "# exit counters:"
	grep -E '(^|[[:space:]])(service|backend|drop) ' "$1" | diag
}

# (sl_http_port PORT N and sl_tally LINES: lib.sh's)
count_word() { grep -cE "^$2( |\$)" <<<"$1"; }

echo "# e2e health checks, namespaces ${SL_PFX}-*"
sl_test_topo_up setup
# health checks are kernel sockets: kernel interfaces on both ports, as
# in kernel.sh (with strict rp_filter, see sl_kernel_interfaces)
sl_kernel_interfaces outside inside

B1=${SL_BACKEND_IPS[0]} B2=${SL_BACKEND_IPS[1]} B3=${SL_BACKEND_IPS[2]}
HP=$SL_HTTP_PORT UP=$SL_UDP_PORT

# --- 1. http check: a backend goes down and comes back ------------------------

if part 1 && run_sluice http < <(sl_service web 80 tcp "$HP" "$HTTP_CHECK
check_expect = 200"); then
	setup "http: sluice ready (check = http every $INTERVAL ms, timeout $TIMEOUT, fall $FALL, rise $RISE)"
	declare -A seen=()
	sleep "$SETTLE"
	nd=$(sl_log_count 'is down: ')
	check "http: all backends stay up for 3 intervals ($nd down lines)" [ "$nd" -eq 0 ]
	[ "$nd" -eq 0 ] || show_transitions
	out=$(sl_http_port 80 6)
	t=$(sl_tally "$out")
	for b in b1 b2 b3; do seen[$b]=$(count_word "$out" "$b"); done
	check "http: 6 requests reach b1, b2 and b3 twice each ($t)" [ "$t" = "b1=2 b2=2 b3=2 other=0" ]

	# b2 killed: down within fall x interval + 1 s
	n=$(sl_log_count "$(down_re web "$B2:$HP")")
	t0=$(now_us)
	sl_backend_stop 2
	if wait_transition_from "$t0" "$(down_re web "$B2:$HP")" $((n + 1)) 10; then
		echo "# b2 marked down ${tr_ms} ms after its server was killed: ${tr_line#*sluice: }"
		check "http: b2 down within $DOWN_MS ms of the kill (${tr_ms} ms)" [ "$tr_ms" -le "$DOWN_MS" ]
		check "http: the down line gives a reason and $FALL failed checks" \
			grep -qE "is down: .+ \($FALL checks failed\)\$" <<<"$tr_line"
	else
		notok "http: b2 marked down after its server was killed (no log line in 10 s)"
		show_transitions
	fi
	other=$(grep -E 'is down: ' "$cur_log" | grep -vcE "$(down_re web "$B2:$HP")")
	check "http: no other backend went down ($other)" [ "$other" -eq 0 ]

	out=$(sl_http_port 80 30)
	t=$(sl_tally "$out")
	n200=$(grep -cE '^b[13] 200$' <<<"$out")
	for b in b1 b2 b3; do seen[$b]=$((seen[$b] + $(count_word "$out" "$b"))); done
	check "http: with b2 down, 30 requests all succeed ($n200/30; $t)" [ "$n200" -eq 30 ]
	check "http: with b2 down, none reaches b2 ($t)" [ "$(count_word "$out" b2)" -eq 0 ]

	# b2 back: up after rise checks
	if sl_backend_start 2; then
		n=$(sl_log_count "$(up_re web "$B2:$HP")")
		t0=$(now_us)
		if wait_transition_from "$t0" "$(up_re web "$B2:$HP")" $((n + 1)) 10; then
			echo "# b2 marked up ${tr_ms} ms after its server listened again: ${tr_line#*sluice: }"
			check "http: b2 up again after $RISE checks passed, within $UP_MS ms (${tr_ms} ms)" \
				eval "grep -qE 'is up: $RISE checks passed\$' <<<\"\$tr_line\" && [ $tr_ms -le $UP_MS ]"
		else
			notok "http: b2 marked up after its server was restarted (no log line in 10 s)"
			show_transitions
		fi
	else
		notok "http: restart b2's server"
	fi
	out=$(sl_http_port 80 9)
	t=$(sl_tally "$out")
	n200=$(grep -cE '^b[123] 200$' <<<"$out")
	for b in b1 b2 b3; do seen[$b]=$((seen[$b] + $(count_word "$out" "$b"))); done
	check "http: b2 back: 9 requests succeed ($n200/9) and reach b2 again ($t)" \
		eval "[ $n200 -eq 9 ] && [ $(count_word "$out" b2) -ge 1 ]"

	stop_sluice "http"
	cnt_ok=1 cnt_txt=
	for i in 1 2 3; do
		ipi=${SL_BACKEND_IPS[$((i - 1))]}
		got=$(be_counter "$cur_log" web "$ipi:$HP" conns_total)
		cnt_txt+="b$i $got/${seen[b$i]} "
		[ "${got:-x}" = "${seen[b$i]}" ] || cnt_ok=
	done
	check "http: exit counters conns_total per backend match the answers; checks are not counted (got/want: ${cnt_txt% })" [ -n "$cnt_ok" ]
	l=$(be_line "$cur_log" web "$B2:$HP")
	check "http: exit counters show b2 in rotation again (${l:-no line})" \
		eval "[ -n \"\$l\" ] && ! grep -q '(down)' <<<\"\$l\""
	[ -n "$cnt_ok" ] || show_counters "$cur_log"
fi

# --- 2. http check against tcp check -------------------------------------------

P500=8081
if ! part 2; then
	:
elif ! sl_status_server_start 3 "$P500" 500; then
	notok "http/tcp: a server answering 500 on b3:$P500"
elif run_sluice http-tcp <<EOF
[service.a]
vip = $SL_VIP
port = 80
protocol = tcp
scheduler = rr
check = http
$CHECK_KEYS
backend = $B1:$HP
backend = $B3:$P500

[service.b]
vip = $SL_VIP
port = 81
protocol = tcp
scheduler = rr
check = tcp
$CHECK_KEYS
backend = $B1:$HP
backend = $B3:$P500
EOF
then
	setup "http/tcp: sluice ready (service a: check = http on VIP:80; service b: check = tcp on VIP:81; b1:$HP and b3:$P500, which answers 500)"
	t0=$(now_us)
	if wait_transition_from "$t0" "$(down_re a "$B3:$P500")" 1 10; then
		echo "# ${tr_ms} ms after ready: ${tr_line#*sluice: }"
		check "http/tcp: service a takes b3:$P500 down for its status 500" \
			grep -qE "is down: status 500\b" <<<"$tr_line"
	else
		notok "http/tcp: service a takes b3:$P500 down (no log line in 10 s)"
		show_transitions
	fi
	sleep 3
	nb=$(sl_log_count 'service b backend .* is down: ')
	check "http/tcp: service b (tcp check) keeps b3:$P500 up: no down line 3 s later ($nb)" [ "$nb" -eq 0 ]
	na1=$(sl_log_count "$(down_re a "$B1:$HP")")
	check "http/tcp: service a keeps b1 up ($na1 down lines)" [ "$na1" -eq 0 ]
	if [ "$nb" -ne 0 ] || [ "$na1" -ne 0 ]; then show_transitions; fi

	out=$(sl_http_port 81 6)
	n1=$(grep -cx 'b1 200' <<<"$out")
	n3=$(grep -cx 'b3 500' <<<"$out")
	check "http/tcp: service b sends requests to b3:$P500 too (6 requests: $n1 x 'b1 200', $n3 x 'b3 500')" \
		eval "[ $n3 -ge 1 ] && [ $n1 -ge 1 ] && [ $((n1 + n3)) -eq 6 ]"
	[ $((n1 + n3)) -eq 6 ] || printf '%s\n' "$out" | diag
	out=$(sl_http_port 80 6)
	n1=$(grep -cx 'b1 200' <<<"$out")
	check "http/tcp: service a sends every request to b1 ($n1/6 'b1 200')" [ "$n1" -eq 6 ]
	[ "$n1" -eq 6 ] || printf '%s\n' "$out" | diag

	stop_sluice "http/tcp"
	la=$(be_line "$cur_log" a "$B3:$P500")
	lb=$(be_line "$cur_log" b "$B3:$P500")
	check "http/tcp: exit counters: b3:$P500 down in service a (${la:-no line})" \
		grep -q '(down)' <<<"$la"
	check "http/tcp: exit counters: b3:$P500 in rotation in service b (${lb:-no line})" \
		eval "[ -n \"\$lb\" ] && ! grep -q '(down)' <<<\"\$lb\""
fi
sl_pid_stop "${SL_STATUS_PID[3:$P500]:-}"

# --- 3. udp check ------------------------------------------------------------

# udp_round N: N datagrams to VIP:53; sets udp_out (sl_udp_exchange's
# lines) and t ("ok=N b1=N b2=N b3=N").
udp_out='' t=''
udp_round() {
	udp_out=$(sl_udp_exchange "$1" 53 2>&1)
	t=$(awk '$1 == "ok" { ok++; c[$3]++ }
	     END { printf "ok=%d b1=%d b2=%d b3=%d\n", ok, c["b1"], c["b2"], c["b3"] }' <<<"$udp_out")
	if grep -qv '^ok ' <<<"$udp_out"; then grep -v '^ok ' <<<"$udp_out" | diag; fi
}

if part 3 && run_sluice udp < <(sl_service dns 53 udp "$UP" "$UDP_CHECK"); then
	setup "udp: sluice ready (check = udp, check_send = ping, check_expect_payload = ping)"
	sleep "$SETTLE"
	nd=$(sl_log_count 'is down: ')
	check "udp: all backends stay up for 3 intervals ($nd down lines)" [ "$nd" -eq 0 ]
	[ "$nd" -eq 0 ] || show_transitions
	udp_round 6
	check "udp: 6 datagrams answered by b1, b2 and b3 ($t)" [ "$t" = "ok=6 b1=2 b2=2 b3=2" ]

	# b1's UDP server stopped, its HTTP server kept
	n=$(sl_log_count "$(down_re dns "$B1:$UP")")
	t0=$(now_us)
	sl_backend_stop 1
	sl_backend_start 1 http || notok "udp: restart b1 with its HTTP server only"
	if wait_transition_from "$t0" "$(down_re dns "$B1:$UP")" $((n + 1)) 10; then
		echo "# b1 marked down ${tr_ms} ms after its UDP server stopped: ${tr_line#*sluice: }"
		check "udp: b1 down within $DOWN_MS ms (${tr_ms} ms), reason 'Connection refused' or 'timeout'" \
			eval "[ $tr_ms -le $DOWN_MS ] && grep -qE 'is down: .*(Connection refused|timeout)' <<<\"\$tr_line\""
	else
		notok "udp: b1 marked down after its UDP server stopped (no log line in 10 s)"
		show_transitions
	fi
	udp_round 6
	check "udp: with b1 down, 6 datagrams answered, none by b1 ($t)" \
		eval "[[ '$t' == 'ok=6 b1=0 '* ]]"

	# b1's UDP server back
	sl_backend_stop 1
	if sl_backend_start 1; then
		if wait_transition "$(up_re dns "$B1:$UP")" 10; then
			echo "# b1 marked up ${tr_ms} ms after its UDP server was back: ${tr_line#*sluice: }"
			check "udp: b1 up again within $UP_MS ms (${tr_ms} ms)" [ "$tr_ms" -le "$UP_MS" ]
		else
			notok "udp: b1 marked up after its UDP server was restarted (no log line in 10 s)"
			show_transitions
		fi
	else
		notok "udp: restart b1's servers"
	fi
	udp_round 6
	check "udp: b1 back: 6 datagrams answered, b1 among them ($t)" \
		eval "[[ '$t' == ok=6* ]] && [[ '$t' != *' b1=0 '* ]]"
	stop_sluice "udp"
fi

# --- 4. every backend down -------------------------------------------------------

if part 4 && run_sluice alldown <<EOF
[service.web]
vip = $SL_VIP
port = 80
protocol = tcp
check = http
$CHECK_KEYS
backend = $B2:$HP
EOF
then
	setup "all down: sluice ready (service web: b2 alone, check = http)"
	out=$(sl_http_port 80 1)
	check "all down: a request reaches b2 while it is up ($out)" [ "$out" = "b2 200" ]
	n=$(sl_log_count "$(down_re web "$B2:$HP")")
	t0=$(now_us)
	sl_backend_stop 2
	if wait_transition_from "$t0" "$(down_re web "$B2:$HP")" $((n + 1)) 10; then
		ok "all down: b2, the only backend, marked down (${tr_ms} ms): ${tr_line#*sluice: }"
		refused=0 detail=
		for i in 1 2 3; do
			t1=$(now_us)
			sl_exec_client curl -s -o /dev/null --max-time 5 "http://$SL_VIP/name"
			rc=$?
			ms=$((($(now_us) - t1) / 1000))
			detail+="exit $rc in $ms ms; "
			[ "$rc" -eq 7 ] && [ "$ms" -lt 1000 ] && refused=$((refused + 1))
		done
		check "all down: 3 new connections refused at once (curl exit 7 under 1 s: ${detail%; })" [ "$refused" -eq 3 ]
	else
		notok "all down: b2 marked down after its server was killed (no log line in 10 s)"
		show_transitions
	fi
	stop_sluice "all down"
	nb=$(sed -nE 's/^drop no_backend ([0-9]+)$/\1/p' "$cur_log" | tail -n 1)
	check "all down: exit counters drop no_backend >= 1 (${nb:-none})" [ "${nb:-0}" -ge 1 ]
	l=$(be_line "$cur_log" web "$B2:$HP")
	check "all down: exit counters show b2 down (${l:-no line})" grep -q '(down)' <<<"$l"
	[ "${nb:-0}" -ge 1 ] || show_counters "$cur_log"
fi

# --- 5. checks that fail at once ----------------------------------------------------

# An "unreachable" route to b2 in Sluice's namespace: the kernel refuses
# the check sockets' connect() there and then (EHOSTUNREACH), while the
# fast path still reaches b2 through its own ARP. Such a failure counts
# as any other: b2 leaves rotation at its fall-th check, in both services.
# Part 4 leaves b2's servers stopped: start them again first.
if part 5 && [ -z "${SL_BACKEND_PID[2]:-}" ]; then
	sl_backend_start 2 || notok "at once: restart b2's servers"
fi
if part 5 && run_sluice atonce < <(sl_service web 80 tcp "$HP" "$HTTP_CHECK"; echo
	sl_service dns 53 udp "$UP" "$UDP_CHECK"); then
	ok "at once: sluice ready (web: http check, dns: udp check, b1..b3)"
	sleep "$SETTLE"
	nd=$(sl_log_count 'is down: ')
	check "at once: all backends up before the route goes ($nd down lines)" [ "$nd" -eq 0 ]
	t0=$(now_us)
	if ip -n "$SL_NS_SLUICE" route add unreachable "$B2/32"; then
		for sv in "web $B2:$HP" "dns $B2:$UP"; do
			read -r svn bep <<<"$sv"
			if wait_transition_from "$t0" "$(down_re "$svn" "$bep")" 1 10; then
				echo "# $svn: b2 down ${tr_ms} ms after the route: ${tr_line#*sluice: }"
				check "at once: $svn: b2 down within $DOWN_MS ms (${tr_ms} ms)" [ "$tr_ms" -le "$DOWN_MS" ]
				check "at once: $svn: the down line says why and counts $FALL failed checks" \
					grep -qE "is down: .*No route to host.* \($FALL checks failed\)\$" <<<"$tr_line"
			else
				notok "at once: $svn: b2 marked down while the kernel has no route to it (no log line in 10 s)"
				show_transitions
			fi
		done
		sleep 0.5   # the snapshot of the last flip is out by now
		out=$(sl_http_port 80 30)
		t=$(sl_tally "$out")
		n200=$(grep -cE '^b[13] 200$' <<<"$out")
		check "at once: with b2 down, 30 requests all succeed, none at b2 ($n200/30 from b1/b3; $t)" \
			[ "$n200" -eq 30 ]
		udp_round 6
		check "at once: with b2 down, 6 datagrams answered, none by b2 ($t)" \
			eval "[[ '$t' == ok=6*' b2=0 '* ]]"

		ip -n "$SL_NS_SLUICE" route del unreachable "$B2/32"
		t0=$(now_us)
		for sv in "web $B2:$HP" "dns $B2:$UP"; do
			read -r svn bep <<<"$sv"
			if wait_transition_from "$t0" "$(up_re "$svn" "$bep")" 1 10; then
				check "at once: $svn: b2 up again within $UP_MS ms of the route's removal (${tr_ms} ms)" \
					[ "$tr_ms" -le "$UP_MS" ]
			else
				notok "at once: $svn: b2 up again once the route is gone (no log line in 10 s)"
				show_transitions
			fi
		done
		sleep 0.5
		out=$(sl_http_port 80 6)
		t=$(sl_tally "$out")
		check "at once: b2 back: 6 requests reach b1, b2 and b3 ($t)" [ "$t" = "b1=2 b2=2 b3=2 other=0" ]
	else
		notok "at once: add an unreachable route to b2 in Sluice's namespace"
	fi
	stop_sluice "at once"
fi

sl_test_finish
