#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Anycast demo: two Sluice instances announce the same VIP over BGP, each
# through its own BIRD peering with a router over Sluice's kernel
# interface; the router spreads clients over both (ECMP). Then one
# instance loses its backends (withdrawn), is drained with
# drain-instance (no request fails), and comes back. All in network
# namespaces on this machine, no NIC. Run from anywhere, as root:
#
#   tools/anycast-demo.sh
#
# Environment: BUILD_DIR (default: build, in the repository).
# Everything it creates (namespaces slany<pid>-*, BIRD and Sluice
# processes, temp files) is stopped and removed on exit, also on Ctrl-C
# or failure. The topology is test/e2e/anycast_topo.sh's.

set -u

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo" || exit 1
build=${BUILD_DIR:-build}

if [ "$(id -u)" -ne 0 ]; then
	if command -v sudo >/dev/null; then
		exec sudo BUILD_DIR="$build" "$0" "$@"
	fi
	echo "anycast-demo: needs root (network namespaces); run it as root" >&2
	exit 1
fi

bold=; red=; green=; off=
if [ -t 1 ]; then
	bold=$'\e[1m'; red=$'\e[31m'; green=$'\e[32m'; off=$'\e[0m'
fi
heading() { printf '\n%s== %s ==%s\n' "$bold" "$*" "$off"; }
good() { printf '%s%s%s\n' "$green" "$*" "$off"; }
fail() {
	printf '%sFAILED: %s%s\n' "$red" "$*" "$off"
	local i
	for i in a b; do
		[ -f "${SL_TMP:-/nonexistent}/sluice-$i.log" ] || continue
		echo "--- last lines of Sluice $i's log ---"
		tail -n 20 "$SL_TMP/sluice-$i.log"
	done
	exit 1
}

heading "1. Packages (tools/setup.sh) and build ($build)"
bash tools/setup.sh || fail "package installation"
blog=$(mktemp /tmp/slany-build.XXXXXX)
if [ ! -f "$build/build.ninja" ]; then
	meson setup "$build" >"$blog" 2>&1 || { cat "$blog"; rm -f "$blog"; fail "meson setup"; }
fi
ninja -C "$build" >>"$blog" 2>&1 || { tail -n 40 "$blog"; rm -f "$blog"; fail "ninja"; }
rm -f "$blog"
bin=$repo/$build/app/sluice/sluice
ctl_bin=$repo/$build/app/sluicectl/sluicectl
if [ "${build#/}" != "$build" ]; then
	bin=$build/app/sluice/sluice
	ctl_bin=$build/app/sluicectl/sluicectl
fi
if [ ! -x "$bin" ] || [ ! -x "$ctl_bin" ]; then fail "no binaries under $build"; fi
echo "built $bin"

# shellcheck source=test/e2e/lib.sh
. "$repo/test/e2e/lib.sh"
# shellcheck source=test/e2e/anycast_topo.sh
. "$repo/test/e2e/anycast_topo.sh"
sl_init "slany$$"
ac_init
trap 'ac_sluice_kill a; ac_sluice_kill b; sl_cleanup; ac_cleanup' EXIT
client() { ip netns exec "${AC_NS[c]}" "$SL_PY" "$repo/test/e2e/anycast_client.py" "$@"; }
conns() {
	ac_ctl "$1" --json show services 2>/dev/null |
		"$SL_PY" -c 'import json,sys; print(sum(s["conns_total"] for s in json.load(sys.stdin)["result"]))' 2>/dev/null ||
		echo 0
}

heading "2. Topology (network namespaces ${SL_PFX}-*)"
ac_topo_up || fail "topology"
cat <<EOF
  client $AC_CLIENT -- router (BIRD, AS 65000, ECMP, L4 hash) --+-- ${AC_OUT[a]} Sluice A + BIRD (AS 65001)
                                                          +-- ${AC_OUT[b]} Sluice B + BIRD (AS 65001)
  both: VIP $AC_VIP:80, tunnel (IPIP) + maglev to b1 b2 b3 (${AC_BIPS[*]}),
  which answer the client directly; each BIRD peers through its Sluice's TAP (sl-out), BFD 4 x 200 ms
EOF

heading "3. Two Sluice instances, three BIRDs"
ac_sluice_conf a
ac_sluice_conf b
ac_sluice_start a
ac_sluice_start b
ac_sluice_wait_ready a || fail "Sluice A did not start"
ac_sluice_wait_ready b || fail "Sluice B did not start"
for w in router a b; do ac_bird_start "$w" || fail "BIRD $w did not start"; done
echo "Sluice A's [bgp] section:"
sed -n '/^\[bgp\]/,$p' "$SL_TMP/a.ini" | sed 's/^/  /'
echo "BIRD A's configuration:"
sed 's/^/  /' "$SL_TMP/bird-a.conf"
both="${AC_OUT[a]} ${AC_OUT[b]}"
ms=$(ac_wait_nexthops "$both" 30000) || fail "the router never got both paths (has $ms)"
good "the router has both paths after $ms ms:"
ip -n "${AC_NS[r]}" route show "$AC_VIP/32" | sed 's/^/  /'
echo "what Sluice A wrote for BIRD ($SL_TMP/a-vips.conf):"
sed 's/^/  /' "$SL_TMP/a-vips.conf"
ac_ctl a show bgp | sed 's/^/  /'

heading "4. 200 connections from 200 source ports"
ca=$(conns a)
cb=$(conns b)
client spread "$AC_VIP" 200 | sed 's/^/  /'
good "Sluice A took $(($(conns a) - ca)), Sluice B $(($(conns b) - cb))"

heading "5. Every backend down on A (its health checks blocked)"
ip netns exec "${AC_NS[a]}" iptables -A OUTPUT -o sl-in -p tcp --dport 80 -j DROP
ms=$(ac_wait_nexthops "${AC_OUT[b]}" 10000) || fail "A never withdrew"
good "A withdrew the VIP; the router's route lost A after $ms ms:"
ip -n "${AC_NS[r]}" route show "$AC_VIP/32" | sed 's/^/  /'
ac_ctl a show bgp | sed 's/^/  /'
ip netns exec "${AC_NS[a]}" iptables -D OUTPUT -o sl-in -p tcp --dport 80 -j DROP
ms=$(ac_wait_nexthops "$both" 10000) || fail "A never announced again"
good "checks pass again: A announces again ($ms ms)"

heading "6. drain-instance on A while a client loops on requests"
stop=$SL_TMP/loop.stop
client loop "$AC_VIP" "$stop" >"$SL_TMP/loop.out" 2>&1 &
loop_pid=$!
SL_PIDS+=("$loop_pid")
sleep 1
ac_ctl a drain-instance | sed 's/^/  /'
ms=$(ac_wait_nexthops "${AC_OUT[b]}" 5000) || fail "A never withdrew"
echo "  the route lost A after $ms ms; A forwards for its grace of $AC_GRACE s, then stops"
ac_ctl a show bgp | sed 's/^/  /'
ac_sluice_reap a $((AC_GRACE + 8)) || fail "A did not stop"
echo "  Sluice A exited with status ${AC_RC[a]}"
sleep 1
: >"$stop"
for ((t = 0; t < 50; t++)); do grep -q '^ok ' "$SL_TMP/loop.out" && break; sleep 0.1; done
sl_pid_stop "$loop_pid"
good "the client's loop: $(grep '^ok ' "$SL_TMP/loop.out")"

heading "7. A starts again"
ac_sluice_start a
ac_sluice_wait_ready a || fail "A did not start again"
ms=$(ac_wait_nexthops "$both" 30000) || fail "A never announced again"
good "both paths again, $ms ms after A was ready"
ip -n "${AC_NS[r]}" route show "$AC_VIP/32" | sed 's/^/  /'

heading "8. Done"
echo "SIGTERM withdraws first ([bgp] withdraw_on_sigterm = yes): stopping both"
for i in a b; do
	kill -TERM "${AC_PID[$i]}"
done
ms=$(ac_wait_nexthops "" 5000) && good "the VIP is withdrawn from the router ($ms ms)"
for i in a b; do ac_sluice_reap "$i" $((AC_GRACE + 8)); echo "  Sluice $i exited with status ${AC_RC[$i]:-?}"; done
