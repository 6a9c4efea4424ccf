#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# End-to-end test of health checks under a small file-descriptor limit,
# in the namespace topology of lib.sh with kernel interfaces on both
# ports (as health.sh). One configuration, 303 checked backends:
#   web      VIP:80  http check  b1, b2, b3 :8080 (real servers)
#   refused  VIP:81  tcp check   b1 and b2, ports 10001..10100 (nobody
#                                listens: refused at once)
#   dead     VIP:82  tcp check   10.1.0.100..199:8080 (no such hosts: each
#                                check holds its socket until the timeout,
#                                or until the kernel gives up on ARP: "No
#                                route to host")
# Every check runs each 1000 ms at most, timeout 500 ms, fall 2, rise 2.
#   1. hard limit: Sluice runs under "ulimit -n 64" (soft and hard). It
#      says how many checks it runs at once (at most half of what is
#      free); every refused and dead backend is marked down with its own
#      reason (the checks get through all of them), no backend is ever
#      marked down for Sluice's own lack of descriptors, web's backends
#      stay up and serve requests. Then the running Sluice's limit is
#      lowered under what it had when it fixed its budget (prlimit), so
#      socket() fails with EMFILE for SHORT_S s: that is logged at most
#      once per 10 s, no backend goes down for it, and once the limit is
#      back the checks go on (b3's server stopped: b3 goes down). Sluice
#      exits 0 and its exit summary counts the shortages.
#   2. soft limit only: under "ulimit -Sn 64" the soft limit is raised
#      to the hard one (EAL does it at start-up, Sluice's health module
#      would otherwise), every check runs at once, and the same checks
#      get through.
#
# Usage: test/e2e/health_fds.sh SLUICE_BIN
# Needs root (network namespaces); exits 77 (skip) otherwise.
# SL_KEEP_TMP=1 keeps the temp dir (configs, Sluice logs) for inspection.

set -u

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=test/e2e/lib.sh
. "$here/lib.sh"

sl_test_bin "$@"   # sets bin
SL_TEST_LOG_LINES=0   # each part has its own Sluice and log

sl_init "slf$$"

NOFILE=64
N_REFUSED=200   # 100 ports on b1 and on b2
N_DEAD=100      # 10.1.0.100..199
DUE_S=40        # every refused and dead backend is down by then
SHORT_S=12      # s with the limit of a running Sluice lowered

echo "# e2e health checks under a file-descriptor limit of $NOFILE, namespaces ${SL_PFX}-*"
sl_test_topo_up ok
sl_kernel_interfaces outside inside

B1=${SL_BACKEND_IPS[0]} B2=${SL_BACKEND_IPS[1]} B3=${SL_BACKEND_IPS[2]}
HP=$SL_HTTP_PORT

CHECK_KEYS="check_interval = 1000
check_timeout = 500
check_fall = 2
check_rise = 2"

services() {
	local p i
	sl_service web 80 tcp "$HP" "check = http
check_path = /name
$CHECK_KEYS"
	cat <<EOF

[service.refused]
vip = $SL_VIP
port = 81
protocol = tcp
check = tcp
$CHECK_KEYS
EOF
	for ((p = 10001; p <= 10000 + N_REFUSED / 2; p++)); do
		echo "backend = $B1:$p"
		echo "backend = $B2:$p"
	done
	cat <<EOF

[service.dead]
vip = $SL_VIP
port = 82
protocol = tcp
check = tcp
$CHECK_KEYS
EOF
	for ((i = 100; i < 100 + N_DEAD; i++)); do
		echo "backend = 10.1.0.$i:$HP"
	done
}

# wrapper LIMIT_OPTION: a script that sets the limit and runs Sluice
# (exec: its pid is Sluice's)
wrapper() {
	local w=$SL_TMP/sluice-ulimit$1
	printf '#!/bin/bash\nulimit %s %s || exit 1\nexec %q "$@"\n' "$1" "$NOFILE" "$bin" >"$w"
	chmod +x "$w"
	echo "$w"
}

# count ERE: lines of the current log
count() { sl_log_count "$1"; }

# wait_downs TAG: wait until every refused and dead backend is down
# (DUE_S at most); sets nr, nd and secs.
nr=0 nd=0 secs=0
wait_downs() {
	local t0=$SECONDS
	for (( ; ; )); do
		nr=$(count 'service refused backend .* is down: connect: Connection refused \(2 checks failed\)$')
		nd=$(count 'service dead backend .* is down: (timeout|connect: No route to host) \(2 checks failed\)$')
		secs=$((SECONDS - t0))
		[ "$nr" -ge "$N_REFUSED" ] && [ "$nd" -ge "$N_DEAD" ] && return 0
		[ "$secs" -lt "$DUE_S" ] || return 1
		sl_sluice_alive || return 1
		sleep 0.5
	done
}

# run TAG ULIMIT_OPTION WHAT
run() {
	local tag=$1 opt=$2 what=$3 conf=$SL_TMP/$1.ini log=$SL_TMP/$1.log line n out t
	services | sl_write_config_services "$conf" 1
	if ! sl_test_sluice_start "$tag: sluice ready under ulimit $opt $NOFILE" "$(wrapper "$opt")" "$conf" "$log"; then
		return 1
	fi
	ok "$tag: sluice ready under ulimit $opt $NOFILE ($what; $((3 + N_REFUSED + N_DEAD)) checked backends)"
	line=$(grep -E 'health: at most [0-9]+ checks at once' "$log" | tail -n 1)
	echo "# ${line#*sluice: }"
	n=$(sed -nE 's/.*health: at most ([0-9]+) checks at once.*/\1/p' <<<"$line")
	if [ "$opt" = -n ]; then
		check "$tag: checks hold at most half of the $NOFILE descriptors (${n:-no such line})" \
			eval "[ -n '$n' ] && [ '$n' -ge 1 ] && [ '$n' -le $((NOFILE / 2)) ]"
	else
		check "$tag: the soft limit is raised to the hard one, checks run all at once (${n:-no such line})" \
			eval "[ -n '$n' ] && [ '$n' -ge $((3 + N_REFUSED + N_DEAD)) ]"
	fi

	if wait_downs; then
		ok "$tag: every refused ($nr) and dead ($nd) backend marked down, with its reason, within $secs s"
	else
		notok "$tag: every refused and dead backend marked down within $DUE_S s (refused $nr/$N_REFUSED, dead $nd/$N_DEAD)"
	fi
	n=$(count 'is down: .*(open files|Too many)')
	check "$tag: no backend marked down for Sluice's lack of descriptors ($n lines)" [ "$n" -eq 0 ]
	[ "$n" -eq 0 ] || grep -E 'is down: .*(open files|Too many)' "$log" | head -n 5 | diag
	n=$(count 'service web backend .* is down: ')
	check "$tag: web's backends never go down ($n down lines)" [ "$n" -eq 0 ]
	[ "$n" -eq 0 ] || grep -E 'service web backend .* is down: ' "$log" | diag
	n=$(count 'is down: ')
	check "$tag: no other backend marked down ($n down lines, $((N_REFUSED + N_DEAD)) expected)" \
		[ "$n" -eq $((N_REFUSED + N_DEAD)) ]

	out=$(sl_http_port 80 6)
	t=$(sl_tally "$out")
	check "$tag: 6 requests to web reach b1, b2 and b3 twice each ($t)" [ "$t" = "b1=2 b2=2 b3=2 other=0" ]

	[ "$opt" = -n ] && short "$tag"

	sl_test_sluice_stop "$tag" "$log"
	line=$(grep -E 'health: [0-9]+ checks run' "$log" | tail -n 1)
	echo "# ${line#*sluice: }"
	if [ "$opt" = -n ]; then
		n=$(sed -nE 's/.*; ([0-9]+) times short of file descriptors$/\1/p' <<<"$line")
		check "$tag: the exit summary counts the shortages (${n:-no such line})" \
			eval "[ -n '$n' ] && [ '$n' -ge 1 ]"
	fi
	return 0
}

# short TAG: the (soft) limit of the running Sluice lowered under what its
# budget assumed, so socket() fails with EMFILE; then restored.
short() {
	local tag=$1 low=$((NOFILE - 24)) n nw t0 pid=$SL_SLUICE_PID
	n=$(count 'is down: ')
	nw=$(count 'health: no socket for the check')
	if ! prlimit --pid "$pid" --nofile="$low:$NOFILE"; then
		notok "$tag: lower the running Sluice's limit to $low"
		return
	fi
	sleep "$SHORT_S"
	prlimit --pid "$pid" --nofile="$NOFILE:$NOFILE" || notok "$tag: restore the running Sluice's limit to $NOFILE"
	nw=$(($(count 'health: no socket for the check') - nw))
	n=$(($(count 'is down: ') - n))
	grep -E 'health: no socket for the check' "$SL_SLUICE_LOG" | tail -n 2 | diag
	check "$tag: limit lowered to $low for $SHORT_S s: the shortage is logged, at most once per 10 s ($nw lines)" \
		eval "[ $nw -ge 1 ] && [ $nw -le $(((SHORT_S + 9) / 10)) ]"
	check "$tag: and no backend goes down for it ($n down lines)" [ "$n" -eq 0 ]

	# checks go on once descriptors are back: b3 stopped is seen
	t0=$SECONDS
	sl_backend_stop 3
	if sl_log_wait "service web backend $B3:$HP is down: connect: Connection refused" 1 20 >/dev/null; then
		ok "$tag: limit restored: b3's server stopped, b3 marked down ($((SECONDS - t0)) s)"
	else
		notok "$tag: limit restored: b3's server stopped, b3 marked down within 20 s"
	fi
	sl_backend_start 3 || notok "$tag: restart b3's server"
}

run hard -n "hard and soft limit"
run soft -Sn "soft limit, hard limit $(ulimit -Hn)"

sl_test_finish
