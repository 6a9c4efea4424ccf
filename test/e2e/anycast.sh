#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# End-to-end test of anycast VIPs over BGP ([bgp], daemon = bird): two
# Sluice instances in tunnel mode with maglev and the same backends, each
# with its own BIRD peering with the router through Sluice's kernel
# interface; the router (BIRD too) installs one multipath route for the
# VIP and hashes clients over both by L4 ports. Topology and functions:
# test/e2e/anycast_topo.sh.
#
#   0. [bgp] control naming a program, not BIRD's socket: no start.
#   1. Both instances announce: the router's route has both next hops;
#      show bgp says announced. 200 connections from as many source
#      ports all succeed and both instances count some (conns_total).
#   2. Every backend down on instance A (its checks dropped by iptables
#      in its namespace) while A's BIRD configuration has a syntax error:
#      BIRD refuses (8002), show bgp says so, the VIP stays announced;
#      the configuration mended, A's retry withdraws, the route loses
#      A's next hop, show bgp says why (no usable backend); one
#      reconfigure taken for the three flips. Checks let through again:
#      announced again.
#   2b. A's VIP made usable and unusable 30 times in a row (drain and
#      enable of its last backend): at most one reconfigure per 200 ms,
#      and the last state is the one BIRD has.
#   3. drain-instance on A while a loop of requests runs: A withdraws,
#      keeps forwarding for its grace, exits 0; not one request fails.
#      A started again: announced again.
#   4. SIGKILL of A while 100 slow uploads stream through both: BFD takes
#      A's next hop away, the uploads whose packets went to A carry on
#      through B (maglev picks the same backend, midstream); at least 99%
#      complete with the right sha256. Failover time from captures of what
#      each instance forwards (its IPIP packets to the backends, on the
#      switch ports of its inside link): the last packet through A, to the
#      first packet of one of A's connections through B.
#   5. A started again, then quit on it: it withdraws before it stops
#      (BIRD's answer in its log), exit 0. SIGTERM on B
#      (withdraw_on_sigterm = yes by default): B withdraws, forwards for
#      its grace, the route goes, B exits 0.
#
# Usage: test/e2e/anycast.sh SLUICE_BIN SLUICECTL_BIN
# Needs root (network namespaces) and BIRD 2 (bird, birdc); exits 77
# (skip) otherwise. SL_KEEP_TMP=1 keeps the temp dir (configurations,
# logs of Sluice and BIRD).

set -u
export LC_ALL=C
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=test/e2e/lib.sh
. "$here/lib.sh"
# shellcheck source=test/e2e/anycast_topo.sh
. "$here/anycast_topo.sh"

sl_test_bin_ctl "${1:-}" "${2:-}"   # sets bin, ctl_bin
if [ ! -x "$AC_BIRD" ] || [ ! -x "$AC_BIRDC" ]; then
	echo "SKIP: $(basename "$0"): BIRD 2 (bird, birdc) is not installed (tools/setup.sh installs bird2)"
	exit 77
fi
SL_TEST_LOG_LINES=0
CLIENT=$here/anycast_client.py
T0=${EPOCHREALTIME//[!0-9]/}

sl_init "slg$$"
ac_init
trap 'ac_sluice_kill a; ac_sluice_kill b; sl_cleanup; ac_cleanup' EXIT

elapsed() { echo $(((${EPOCHREALTIME//[!0-9]/} - T0) / 1000000)); }
client() { ip netns exec "${AC_NS[c]}" "$SL_PY" "$CLIENT" "$@"; }

# conns I: connections instance I scheduled (service web).
conns() {
	ac_ctl "$1" --json show services 2>/dev/null |
		"$SL_PY" -c 'import json,sys; print(sum(s["conns_total"] for s in json.load(sys.stdin)["result"]))' 2>/dev/null ||
		echo 0
}

# bgp_field I EXPR: a Python expression over show bgp's JSON (b) for instance I.
bgp_field() {
	ac_ctl "$1" --json show bgp 2>/dev/null |
		"$SL_PY" -c "import json,sys; b=json.load(sys.stdin)[\"result\"]; print($2)" 2>/dev/null
}

# wait_bgp I EXPR WANT MS: until bgp_field I EXPR prints WANT.
wait_bgp() {
	local t0=${EPOCHREALTIME//[!0-9]/} got
	while :; do
		got=$(bgp_field "$1" "$2")
		[ "$got" = "$3" ] && return 0
		[ $(((${EPOCHREALTIME//[!0-9]/} - t0) / 1000)) -lt "$4" ] || { echo "# got '$got'"; return 1; }
		sleep 0.05
	done
}

failures() {
	echo "# --- show bgp a, b ---"
	ac_ctl a show bgp 2>&1 | diag
	ac_ctl b show bgp 2>&1 | diag
	echo "# router: $(ip -n "${AC_NS[r]}" route show "$AC_VIP/32" | tr '\n' ' ')"
	for w in router a b; do
		echo "# --- bird $w log (last 15 lines) ---"
		tail -n 15 "$SL_TMP/bird-$w.log" 2>/dev/null | diag
	done
	for i in a b; do
		echo "# --- sluice $i log (last 25 lines) ---"
		tail -n 25 "$SL_TMP/sluice-$i.log" 2>/dev/null | diag
	done
}

# --- set up --------------------------------------------------------------------

if ! ac_topo_up; then
	notok "topology set up"
	sl_test_finish
fi
setup "topology: client, router, 2 Sluice instances, 3 backends with decap.py ($(elapsed) s)"

# control naming something that is not a socket (here: the birdc
# program) stops the start with the reason
ac_sluice_conf a
sed -i "s|^control = .*|control = $AC_BIRDC|" "$SL_TMP/a.ini"
ac_sluice_start a
if ac_sluice_reap a 60; then
	check "0: [bgp] control = $AC_BIRDC (a program): Sluice refuses to start (status ${AC_RC[a]})" \
		[ "${AC_RC[a]}" != 0 ]
	check "0: ... and says why" grep -q "\[bgp\] control $AC_BIRDC is not a socket" "$SL_TMP/sluice-a.log"
else
	notok "0: [bgp] control = $AC_BIRDC: Sluice refuses to start (still running)"
	ac_sluice_kill a
fi

ac_sluice_conf a
ac_sluice_conf b
ac_sluice_start a
ac_sluice_start b
if ! ac_sluice_wait_ready a || ! ac_sluice_wait_ready b; then
	notok "both Sluice instances start"
	failures
	sl_test_finish
fi
ac_bird_conf a
check "BIRD (bird -p) parses A's configuration with the file Sluice wrote, before BIRD runs" \
	"$AC_BIRD" -p -c "$SL_TMP/bird-a.conf"
for w in router a b; do
	if ! ac_bird_start "$w"; then
		notok "BIRD ($w) starts"
		sl_test_finish
	fi
done
setup "Sluice A and B ready, BIRD running in router, A and B ($(elapsed) s)"

# --- 1. both announce, clients spread ----------------------------------------------

both="${AC_OUT[a]} ${AC_OUT[b]}"
if ms=$(ac_wait_nexthops "$both" 20000); then
	ok "1: the router's route for $AC_VIP has both next hops ($both) after $ms ms"
else
	notok "1: the router's route for $AC_VIP has both next hops (has $ms)"
	failures
	sl_test_finish
fi
for i in a b; do
	check "1: show bgp on $i: $AC_VIP announced" \
		[ "$(bgp_field "$i" '[v["announced"] and v["why"] for v in b["vips"]]')" = "['announced']" ]
done
check "1: the include file of A holds the VIP's route" \
	grep -q "route $AC_VIP/32 blackhole;" "$SL_TMP/a-vips.conf"
ca0=$(conns a)
cb0=$(conns b)
out=$(client spread "$AC_VIP" 200)
ca=$(($(conns a) - ca0))
cb=$(($(conns b) - cb0))
check "1: 200 connections from 200 source ports all answered ($(head -n 1 <<<"$out"))" \
	grep -qx 'ok 200 fail 0' <<<"$out"
check "1: ECMP spreads them over both instances (A $ca, B $cb connections)" \
	[ "$ca" -gt 20 ] && [ "$cb" -gt 20 ] && [ $((ca + cb)) -ge 200 ]

# --- 2. every backend down on A: withdrawn, back: announced ------------------------

# first with BIRD's own configuration broken: BIRD refuses the
# reconfigure, keeps announcing; show bgp says so; mended, the retry
# withdraws
n_re=$(grep -c 'bgp: reconfigure done' "$SL_TMP/sluice-a.log")
cp "$SL_TMP/bird-a.conf" "$SL_TMP/bird-a.conf.good"
echo "this is no BIRD statement;" >>"$SL_TMP/bird-a.conf"
ip netns exec "${AC_NS[a]}" iptables -A OUTPUT -o sl-in -p tcp --dport 80 -j DROP
if wait_bgp a '(b["last"]["ok"], b["last"]["answer"][:4], [(v["announced"], v["pending"]) for v in b["vips"]])' \
	"(False, '8002', [(True, True)])" 5000; then
	ok "2: backends down on A, BIRD's configuration broken: show bgp says BIRD refused (8002) and the VIP is still announced, withdrawal pending"
else
	notok "2: backends down on A, BIRD's configuration broken: show bgp says BIRD refused (8002)"
fi
ac_ctl a show bgp | diag
check "2: ... and the router still has A's next hop" [ "$(ac_nexthops)" = "$both" ]
mv "$SL_TMP/bird-a.conf.good" "$SL_TMP/bird-a.conf"
if ms=$(ac_wait_nexthops "${AC_OUT[b]}" 10000); then
	ok "2: BIRD's configuration mended: A's retry withdraws, the route keeps only B ($ms ms)"
else
	notok "2: BIRD's configuration mended: A withdraws, the route keeps only B (has $ms)"
	failures
fi
check "2: show bgp on A: not announced, no usable backend" \
	[ "$(bgp_field a '[(v["announced"], v["why"]) for v in b["vips"]]')" = "[(False, 'no usable backend')]" ]
ac_ctl a show bgp | diag
n=$(($(grep -c 'bgp: reconfigure done' "$SL_TMP/sluice-a.log") - n_re))
check "2: three backends down, one reconfigure BIRD took on A ($n)" [ "$n" -eq 1 ]
out=$(client spread "$AC_VIP" 50)
check "2: with A withdrawn, 50 requests all answered through B ($(head -n 1 <<<"$out"))" \
	grep -qx 'ok 50 fail 0' <<<"$out"
ip netns exec "${AC_NS[a]}" iptables -D OUTPUT -o sl-in -p tcp --dport 80 -j DROP
if ms=$(ac_wait_nexthops "$both" 10000); then
	ok "2: checks pass again: A announces again, both next hops ($ms ms)"
else
	notok "2: checks pass again: A announces again, both next hops (has $ms)"
	failures
fi

# --- 2b. flapping: reconfigures coalesce --------------------------------------------

# b2 and b3 drained on A; b1 drained and enabled 15 times in a row: the
# VIP's usability flips 30 times, BIRD is reconfigured at most once per
# 200 ms, and the end state (b1 enabled: announced) is what BIRD has.
ac_ctl a drain web 10.1.0.12:80 >/dev/null && ac_ctl a drain web 10.1.0.13:80 >/dev/null
r0=$(bgp_field a 'b["reconfigures_ok"] + b["reconfigures_failed"]')
t_flap=${EPOCHREALTIME//[!0-9]/}
for ((k = 0; k < 15; k++)); do
	ac_ctl a drain web 10.1.0.11:80 >/dev/null
	ac_ctl a enable web 10.1.0.11:80 >/dev/null
done
flap_ms=$(((${EPOCHREALTIME//[!0-9]/} - t_flap) / 1000))
wait_bgp a '(b["in_flight"], [v["announced"] for v in b["vips"]])' "(False, [True])" 3000
sleep 0.3
r1=$(bgp_field a 'b["reconfigures_ok"] + b["reconfigures_failed"]')
n=$((r1 - r0))
flap_ms=$((flap_ms + 300))
check "2b: 30 flips in $flap_ms ms: $n reconfigures (at most one per 200 ms: <= $((flap_ms / 200 + 1)))" \
	[ "$n" -le $((flap_ms / 200 + 1)) ]
check "2b: after the flips A's VIP is announced and the route has both next hops" \
	ac_wait_nexthops "$both" 5000
ac_ctl a enable web 10.1.0.12:80 >/dev/null && ac_ctl a enable web 10.1.0.13:80 >/dev/null

# --- 3. drain-instance under load ------------------------------------------------------

stop=$SL_TMP/loop.stop
rm -f "$stop"
client loop "$AC_VIP" "$stop" >"$SL_TMP/loop.out" 2>&1 &
loop_pid=$!
SL_PIDS+=("$loop_pid")
sleep 1
t_drain=${EPOCHREALTIME//[!0-9]/}
out=$(ac_ctl a drain-instance)
check "3: drain-instance on A accepted ($(head -n 1 <<<"$out"))" grep -q '^draining' <<<"$out"
if ms=$(ac_wait_nexthops "${AC_OUT[b]}" 5000); then
	ok "3: A's next hop gone from the route $ms ms after drain-instance"
else
	notok "3: A's next hop gone from the route (has $ms)"
fi
check "3: show bgp on A while it drains: draining" \
	[ "$(bgp_field a '(b["state"], [v["why"] for v in b["vips"]])')" = "('draining', ['draining'])" ]
if ac_sluice_reap a $((AC_GRACE + 8)); then
	ms=$(((${EPOCHREALTIME//[!0-9]/} - t_drain) / 1000))
	check "3: A exits 0 after its grace of $AC_GRACE s (exit after $ms ms, status ${AC_RC[a]})" \
		[ "${AC_RC[a]}" = 0 ] && [ "$ms" -ge $((AC_GRACE * 1000)) ]
else
	notok "3: A exits after its grace of $AC_GRACE s (still running)"
fi
sleep 1
: >"$stop"
sl_pid_stop "$loop_pid" >/dev/null 2>&1 || true
for ((t = 0; t < 50; t++)); do grep -q '^ok ' "$SL_TMP/loop.out" && break; sleep 0.1; done
read -r _ nok _ nfail <<<"$(grep '^ok ' "$SL_TMP/loop.out")"
check "3: requests in a loop across the drain: ${nok:-0} answered, ${nfail:-?} failed" \
	[ "${nok:-0}" -gt 50 ] && [ "${nfail:-1}" -eq 0 ]
grep '^failure' "$SL_TMP/loop.out" | head -n 5 | diag

ac_sluice_start a
if ac_sluice_wait_ready a && ms=$(ac_wait_nexthops "$both" 20000); then
	ok "3: A started again: announced again, both next hops ($ms ms after ready)"
else
	notok "3: A started again: announced again (route has $(ac_nexthops))"
	failures
fi

# --- 4. SIGKILL under streaming connections -------------------------------------------

NSTREAM=100
cap_pids=()
for i in a b; do
	ip netns exec "${AC_NS[r]}" tcpdump -i "i$i" -Q in -nn -U -s 128 -w "$SL_TMP/via-$i.pcap" \
		"ip proto 4" >/dev/null 2>&1 &
	cap_pids+=($!)
	SL_PIDS+=($!)
done
sleep 0.5
client stream "$AC_VIP" "$NSTREAM" 400000 6 >"$SL_TMP/stream.out" 2>&1 &
stream_pid=$!
SL_PIDS+=("$stream_pid")
sleep 2
ca0=$(conns a)
n_bfd=$(grep -c 'a: BFD session down' "$SL_TMP/bird-router.log")
t_kill=${EPOCHREALTIME//[!0-9]/}
kill -KILL "${AC_PID[a]}"
if ac_wait_nexthops "${AC_OUT[b]}" 5000 >/dev/null; then
	ms=$(((${EPOCHREALTIME//[!0-9]/} - t_kill) / 1000))
	ok "4: A killed (SIGKILL): its next hop gone from the router's route $ms ms later (BFD 4 x 200 ms)"
	echo "# failover time: $ms ms (SIGKILL to the router's route without A)"
else
	notok "4: A killed: its next hop gone (route has $(ac_nexthops))"
	failures
fi
ac_sluice_reap a 5
check "4: the router's BIRD saw A's BFD session go down" \
	[ "$(grep -c 'a: BFD session down' "$SL_TMP/bird-router.log")" -gt "$n_bfd" ]
for ((t = 0; t < 300; t++)); do sl_pid_alive "$stream_pid" || break; sleep 0.1; done
sl_pid_stop "$stream_pid"
for p in "${cap_pids[@]}"; do sl_pid_stop "$p"; done
# failover from the captures: the last packet A forwarded, then the first
# packet of one of A's connections (by the inner client address and
# port: "... IP OUTER > OUTER: IP CLIENT.PORT > VIP.80: ...", the
# client's only: the instances' health checks go through the VIP too)
# B forwarded
fo=$(for i in a b; do
	tcpdump -tt -nn -r "$SL_TMP/via-$i.pcap" 2>/dev/null |
		awk -v l="$i" -v v="$AC_VIP.80:" -v c="$AC_CLIENT." '{ for (k = 2; k < NF; k++)
			if ($k == ">" && $(k + 1) == v && index($(k - 1), c) == 1) {
				print l, $1, $(k - 1); break } }'
done | awk '
	$1 == "a" { if ($2 > lasta) lasta = $2; ports[$3] = 1; next }
	{ b[NR] = $2; bp[NR] = $3 }
	END {
		first = 0
		for (k in b) if (b[k] > lasta && (bp[k] in ports) && (first == 0 || b[k] < first)) first = b[k]
		if (lasta > 0 && first > 0) printf "%d %d\n", (first - lasta) * 1000, length(ports)
	}')
read -r fo_ms fo_conns <<<"$fo"
echo "# failover from captures: ${fo_ms:-?} ms from the last packet through A to the first of A's ${fo_conns:-?} connections through B"
check "4: captures show A's connections moving to B (${fo_ms:-?} ms, under 1.5 s)" \
	eval "[ -n '${fo_ms:-}' ] && [ ${fo_ms:-9999} -lt 1500 ]"
read -r _ ndone _ _ <<<"$(grep '^done ' "$SL_TMP/stream.out")"
mid=$(ac_ctl b show stats | awk '{ for (i = 1; i < NF; i++) if ($i == "conns_midstream") s += $(i + 1) } END { print s + 0 }')
share=$(( ${ndone:-0} * 1000 / NSTREAM ))
echo "# survival: ${ndone:-0} of $NSTREAM uploads complete ($((share / 10)).$((share % 10))%); A had scheduled $ca0 connections; B took $mid up midstream"
check "4: >= 99% of $NSTREAM streaming uploads complete with the right sha256 (${ndone:-0})" \
	[ $(( ${ndone:-0} * 100 )) -ge $((NSTREAM * 99)) ]
check "4: B took A's connections up in mid-stream (conns_midstream $mid)" [ "${mid:-0}" -gt 0 ]
grep '^failure' "$SL_TMP/stream.out" | head -n 5 | diag

# --- 5. quit withdraws first; SIGTERM drains ----------------------------------------------

ac_sluice_start a
if ac_sluice_wait_ready a && ms=$(ac_wait_nexthops "$both" 20000); then
	setup "A started again, both next hops ($ms ms after ready)"
else
	notok "5: A started again: both next hops (route has $(ac_nexthops))"
fi
n0=$(grep -c 'bgp: reconfigure done: .*(0 VIP' "$SL_TMP/sluice-a.log")
out=$(ac_ctl a quit)
if ac_sluice_reap a 10; then
	check "5: quit on A: exit status 0 (${AC_RC[a]})" [ "${AC_RC[a]}" = 0 ]
else
	notok "5: quit on A: A stops (still running)"
fi
n1=$(grep -c 'bgp: reconfigure done: .*(0 VIP' "$SL_TMP/sluice-a.log")
check "5: quit on A: BIRD took the withdrawal before A stopped (its log: $((n1 - n0)) withdrawal)" \
	[ "$n1" -gt "$n0" ]
check "5: ... and the router's route keeps only B" ac_wait_nexthops "${AC_OUT[b]}" 3000


kill -TERM "${AC_PID[b]}"
if ms=$(ac_wait_nexthops "" 5000); then
	ok "5: SIGTERM on B: the route is withdrawn before B stops ($ms ms)"
else
	notok "5: SIGTERM on B: the route is withdrawn (has $ms)"
fi
check "5: B still forwards during its grace after SIGTERM" sl_pid_alive "${AC_PID[b]}"
ac_sluice_reap b $((AC_GRACE + 8))
check "5: B exits 0 after withdrawing and its grace (status ${AC_RC[b]:-none})" [ "${AC_RC[b]:-1}" = 0 ]
check "5: B's log: withdrawn on SIGTERM, then the grace" \
	grep -q 'bgp: every VIP withdrawn; forwarding' "$SL_TMP/sluice-b.log"

[ "$failed" -eq 0 ] || failures
echo "# total time $(elapsed) s"
sl_test_finish
