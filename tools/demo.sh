#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Sluice demo: install, build, then run Sluice in NAT mode between a client
# and three backends, all in network namespaces on this machine (no NIC),
# and show what it does. Run from anywhere, as root:
#
#   tools/demo.sh
#
# Environment: BUILD_DIR (default: build, in the repository).
# Everything it creates (namespaces sldemo<pid>-*, temp files) is removed
# on exit, also on Ctrl-C or failure.

set -u

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo" || exit 1
build=${BUILD_DIR:-build}

if [ "$(id -u)" -ne 0 ]; then
	if command -v sudo >/dev/null; then
		exec sudo BUILD_DIR="$build" "$0" "$@"
	fi
	echo "demo: needs root (network namespaces); run it as root" >&2
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
	if [ -n "${SL_SLUICE_LOG:-}" ] && [ -f "$SL_SLUICE_LOG" ]; then
		echo "--- last lines of the Sluice log ---"
		tail -n 30 "$SL_SLUICE_LOG"
	fi
	exit 1
}

heading "1. Packages (tools/setup.sh)"
bash tools/setup.sh || fail "package installation"

heading "2. Build ($build)"
blog=$(mktemp /tmp/sldemo-build.XXXXXX)
if [ ! -f "$build/build.ninja" ]; then
	meson setup "$build" >"$blog" 2>&1 || { cat "$blog"; rm -f "$blog"; fail "meson setup"; }
fi
ninja -C "$build" >>"$blog" 2>&1 || { tail -n 40 "$blog"; rm -f "$blog"; fail "ninja"; }
rm -f "$blog"
bin=$repo/$build/app/sluice/sluice
[ "${build#/}" != "$build" ] && bin=$build/app/sluice/sluice
[ -x "$bin" ] || fail "no binary at $bin"
echo "built $bin"

# shellcheck source=test/e2e/lib.sh
. "$repo/test/e2e/lib.sh"
sl_init "sldemo$$"

heading "3. Topology (network namespaces ${SL_PFX}-*)"
sl_topo_up || fail "topology"
cat <<EOF
  client            Sluice (DPDK, net_af_packet)       switch        backends
  $SL_CLIENT_IP  c0 --- out [ $SL_OUT_IP | VIP $SL_VIP ]
                          [ $SL_IN_IP ] in --- lb  br0  --- b1, b2, b3
                                                         ${SL_BACKEND_IPS[0]} (b1)
                                                         ${SL_BACKEND_IPS[1]} (b2)
                                                         ${SL_BACKEND_IPS[2]} (b3)
  each backend: HTTP on :$SL_HTTP_PORT (files name, blob), UDP echo on :$SL_UDP_PORT
EOF

conf=$SL_TMP/sluice.ini
log=$SL_TMP/sluice.log
# health checks: a kernel interface on the inside port (checks are kernel
# sockets; see sl_kernel_interfaces in test/e2e/lib.sh) and an HTTP check
# on the web service
sl_kernel_interfaces inside
sl_write_config "$conf" 1
sed -i '/^\[service.web\]$/a check = http\ncheck_path = /name\ncheck_interval = 500\ncheck_timeout = 300\ncheck_fall = 2\ncheck_rise = 2' \
	"$conf"

heading "4. Configuration in use ($conf)"
grep -v '^;' "$conf"

heading "5. Start Sluice (1 worker)"
echo "ip netns exec $SL_NS_SLUICE $bin -c $conf"
sl_sluice_start "$bin" "$conf" "$log"
sl_sluice_wait_ready 60 || fail "Sluice did not become ready"
grep '^sluice: ' "$log" | sed 's/^/  /'

heading "6. HTTP: 12 requests to http://$SL_VIP/name (scheduler rr)"
declare -A hits=()
printf '  %-4s %-22s %-8s %-20s %s\n' req client backend "backend address" status
errors=0
for ((i = 1; i <= 12; i++)); do
	out=$(sl_exec_client curl -s --max-time 5 -w ' %{local_port} %{http_code}' "http://$SL_VIP/name")
	read -r name port code <<<"$out"
	case $name in
	b1|b2|b3)
		hits[$name]=$((${hits[$name]:-0} + 1))
		addr=${SL_BACKEND_IPS[$((${name#b} - 1))]}:$SL_HTTP_PORT ;;
	*) addr=-; errors=$((errors + 1)); name=error ;;
	esac
	printf '  %-4s %-22s %-8s %-20s %s\n' "$i" "$SL_CLIENT_IP:${port:-?}" "$name" "$addr" "${code:-000}"
done
echo
echo "  per-backend totals:"
for b in b1 b2 b3; do
	printf '    %s  %-18s %2d requests\n' "$b" "${SL_BACKEND_IPS[$((${b#b} - 1))]}:$SL_HTTP_PORT" "${hits[$b]:-0}"
done
[ "$errors" -eq 0 ] || fail "$errors of 12 HTTP requests failed"
if [ "${hits[b1]:-0}-${hits[b2]:-0}-${hits[b3]:-0}" = 4-4-4 ]; then
	good "  12/12 answered, round robin: 4 per backend"
else
	good "  12/12 answered"
fi

heading "7. UDP: 3 datagrams to $SL_VIP:53"
uout=$(sl_udp_exchange 3)
while read -r st port rest; do
	if [ "$st" = ok ]; then
		echo "  client port $port -> answered by $rest, reply source $SL_VIP:53"
	else
		echo "  client port $port -> ${red}$rest${off}"
	fi
done <<<"$uout"
[ "$(grep -c '^ok ' <<<"$uout")" -eq 3 ] || fail "UDP exchange"
good "  3/3 replies came from the VIP"

heading "8. ICMP: ping $SL_VIP (answered by Sluice itself)"
pout=$(sl_exec_client ping -c 3 -i 0.2 -W 2 "$SL_VIP" 2>&1)
prc=$?
printf '%s\n' "$pout" | tail -n 2 | sed 's/^/  /'
[ $prc -eq 0 ] || fail "ping"

heading "9. Download of a 20 MB file through the VIP"
dl=$SL_TMP/download
stats=$(sl_exec_client curl -s --max-time 120 -o "$dl" -w '%{size_download} %{time_total} %{speed_download}' "http://$SL_VIP/blob")
read -r size secs speed <<<"$stats"
sha=$(sha256sum "$dl" 2>/dev/null | cut -d' ' -f1)
rm -f "$dl"
printf '  %s bytes in %.2f s (%.1f MB/s)\n' "${size:-0}" "${secs:-0}" "$(awk -v s="${speed:-0}" 'BEGIN {print s / 1e6}')"
echo "  original   sha256 $SL_BLOB_SHA"
echo "  downloaded sha256 ${sha:-none}"
[ "$sha" = "$SL_BLOB_SHA" ] || fail "checksum mismatch"
good "  checksums match"

heading "10. A backend fails and recovers (HTTP check every 500 ms, fall 2, rise 2)"
spread() {   # spread N: N requests, backends that answered
	local i out=()
	for ((i = 0; i < $1; i++)); do out+=("$(sl_http name || echo error)"); done
	echo "${out[*]}"
}
echo "  b2's HTTP server stops"
sl_backend_stop 2
t0=$(date +%s%N)
sl_log_wait 'backend 10\.1\.0\.12:8080 is down' 1 10 >/dev/null || fail "b2 not taken out"
t1=$(date +%s%N)
grep 'is down' "$log" | tail -n 1 | sed 's/^/  /'
printf '  out of rotation %d ms after it stopped\n' $(((t1 - t0) / 1000000))
down_spread=$(spread 9)
echo "  9 requests: $down_spread"
case " $down_spread " in *" b2 "*|*error*) fail "a request went to b2 or failed while it was down" ;; esac
echo "  b2's HTTP server starts again"
sl_backend_start 2 http
sl_log_wait 'backend 10\.1\.0\.12:8080 is up' 1 10 >/dev/null || fail "b2 not back"
grep 'is up' "$log" | tail -n 1 | sed 's/^/  /'
up_spread=$(spread 9)
echo "  9 requests: $up_spread"
case " $up_spread " in *" b2 "*) ;; *) fail "b2 got no request after it came back" ;; esac
good "  while b2 was down every request was answered by b1 or b3; back, it takes its share"

heading "11. Stop Sluice (SIGTERM) and its exit counters"
sl_sluice_stop
echo "  exit status $SL_SLUICE_RC"
sed -n '/^--- sluice counters ---$/,$p' "$log" | sed '1d; s/^/  /'
if ! grep -q '^--- sluice counters ---$' "$log"; then
	grep -E '^(port|worker|drop|service|backend) ' "$log" | sed 's/^/  /'
fi
[ "$SL_SLUICE_RC" = 0 ] || fail "Sluice exited with status $SL_SLUICE_RC"

heading "12. Clean up"
sl_cleanup
echo "  namespaces ${SL_PFX}-* and temp files removed"
echo
good "Demo finished: Sluice balanced HTTP and UDP over 3 backends in NAT mode."
exit 0
