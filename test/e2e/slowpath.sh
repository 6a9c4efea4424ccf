#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# End-to-end test of the slow path's protection, in the namespace
# topology of lib.sh with kernel interfaces on both ports: service web
# VIP:80 over b1..b3 with TCP checks through sl-in every 200 ms (timeout
# 200, fall 2). From b1's namespace, on the inside segment where the
# checks and the backends' ARP live, flood.py sends for FLOOD_S s, at
# 30 000 frames/s (15 times the budget; not faster, so that what is
# tested is Sluice's budget and not the af_packet ring's overflow, which
# run 3 tests, on a machine shared with other jobs), ARP requests for
# Sluice's inside address and for another host's, and TCP SYNs to
# Sluice's inside address, all from spoofed 10.99.0.0/16 sources. During the flood: sluicectl show stats every
# 0.5 s, 10 requests to the VIP from the client.
#   1. slowpath_rate = 2000, slowpath_burst = 200: no backend is marked
#      down, every request is answered, the admin socket answers each
#      time within 1 s; the flood is cut at the worker (slowpath_limited,
#      neigh_other) and the management ring never overflows
#      (slowpath_full 0).
#   2. slowpath_rate = 0 (no limit), the same flood: what happens is
#      printed, for comparison, not checked.
#   3. The inside port with a 64-frame af_packet ring (framecnt=64) and
#      the same flood: the kernel's ring drops are not lost from view:
#      show ports reports them as the port's rx_missed, and what the port
#      received plus what it missed accounts for the frames the flood
#      sent (at least 95 %; the rest the veth and bridge dropped before
#      the ring).
#   4. The same with the inside port on AF_XDP (net_af_xdp) and an RX
#      ring of 64 descriptors: the frames the kernel could not put in the
#      socket's full ring are the port's rx_missed too.
#
# Usage: test/e2e/slowpath.sh SLUICE_BIN SLUICECTL_BIN
# Needs root (network namespaces); exits 77 (skip) otherwise.

set -u
export LC_ALL=C
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=test/e2e/lib.sh
. "$here/lib.sh"

sl_test_bin_ctl "${1:-}" "${2:-}"   # sets bin, ctl_bin
sl_init "slsp$$"
sock=$SL_TMP/sluice.sock
FLOOD=$here/flood.py
FLOOD_S=6

echo "# e2e slow-path protection under an ARP and SYN flood, namespaces ${SL_PFX}-*"
sl_test_topo_up
sl_kernel_interfaces outside inside

# drop_sum FILE NAME: NAME's count over the workers' drop lines
drop_sum() {
	awk -v k="$2" '{ for (i = 1; i < NF; i++) if ($i == k) s += $(i + 1) } END { print s + 0 }' "$1"
}

# port_stat FILE PORT WHAT: "rx" packets or "missed" of PORT in show ports
port_stat() {
	awk -v p="$2" -v w="$3" '$1 == "port" { cur = $2 }
		cur == p && $1 == "rx" { if (w == "rx") print $2; else { gsub(",", "", $7); print $7 } }' "$1"
}

# run TAG RATE CHECKED [RING]
run() {
	local tag=$1 rate=$2 checked=$3 ring=${4:-} conf=$SL_TMP/$1.ini log=$SL_TMP/$1.log
	local d0 d1 fpid fout=$SL_TMP/flood-$1.log inmac i max=0 fails=0 n=0 out good lim other full
	sl_service web 80 tcp "$SL_HTTP_PORT" "check = tcp
check_interval = 200
check_timeout = 200
check_fall = 2
check_rise = 2" | sl_write_config_services "$conf" 1 "admin_socket = $sock
slowpath_rate = $rate
slowpath_burst = 200"
	# the budget runs get a deep ring (4096 frames: 136 ms of the flood)
	# so that a worker descheduled on a loaded machine loses nothing there;
	# xdpN: the port on AF_XDP with an RX ring of N descriptors
	case $ring in
	xdp*) sed -i "s/^device = net_af_packet1,iface=in\$/device = $(SL_PMD=af_xdp sl_port_device 1 in 1)\nrx_descriptors = ${ring#xdp}/" "$conf" ;;
	*) sed -i "s/^device = net_af_packet1,iface=in\$/&,framecnt=${ring:-4096}/" "$conf" ;;
	esac
	if ! sl_test_sluice_start "$tag: sluice ready" "$bin" "$conf" "$log"; then
		return
	fi
	setup "$tag: sluice ready (slowpath_rate $rate)"
	# every backend up first
	for ((i = 0; i < 50; i++)); do
		[ "$(sl_log_count 'backend .* is up')" -ge 3 ] && break
		sleep 0.1
	done
	d0=$(sl_log_count 'is down: ')
	inmac=$(ip -n "$SL_NS_SLUICE" link show in | awk '/link\/ether/ { print $2 }')
	ip netns exec "${SL_NS_BACKENDS[0]}" "$SL_PY" "$FLOOD" e0 "$inmac" "$FLOOD_S" \
		--rate "$([ -n "$ring" ] && echo 0 || echo 30000)" \
		"arp-for:$SL_IN_IP" "arp-other:10.1.0.200" "syn:$SL_IN_IP:22" >"$fout" 2>&1 &
	fpid=$!
	SL_PIDS+=("$fpid")
	sleep 1
	for ((i = 0; i < 6; i++)); do
		SL_CTL_TIMEOUT=5 ctl show stats
		n=$((n + 1))
		if [ "$rc" -ne 0 ]; then fails=$((fails + 1)); fi
		[ "$ms" -gt "$max" ] && max=$ms
		sleep 0.5
	done
	out=$(sl_http_port 80 10)
	good=$(grep -cE '^b[123] 200$' <<<"$out")
	wait "$fpid"
	echo "# $tag: flood from b1: $(cat "$fout")"
	d1=$(sl_log_count 'is down: ')
	ctl show stats
	lim=$(drop_sum "$CTL_OUT" slowpath_limited)
	other=$(drop_sum "$CTL_OUT" neigh_other)
	full=$(($(drop_sum "$CTL_OUT" slowpath_full)))
	if [ "$checked" = ring ]; then
		local sent rx missed
		sent=$(sed -nE 's/^sent ([0-9]+) frames.*/\1/p' "$fout")
		ctl show ports
		rx=$(port_stat "$CTL_OUT" inside rx)
		missed=$(port_stat "$CTL_OUT" inside missed)
		check "$tag: the ring's drops are counted: inside port rx ${rx:-?} + rx_missed ${missed:-?} of ${sent:-?} frames sent" \
			eval "[ ${missed:-0} -gt 0 ] && [ $((${rx:-0} + ${missed:-0})) -ge $((${sent:-1} * 95 / 100)) ]"
		[ "${missed:-0}" -gt 0 ] || diag <"$CTL_OUT"
	elif [ "$checked" = yes ]; then
		check "$tag: no backend marked down during the flood ($((d1 - d0)) down lines)" \
			[ "$((d1 - d0))" -eq 0 ]
		[ "$((d1 - d0))" -eq 0 ] || grep 'is down: ' "$log" | tail -n 3 | diag
		check "$tag: 10 requests to the VIP answered during the flood ($good/10)" [ "$good" -eq 10 ]
		check "$tag: the admin socket answers during the flood: $((n - fails))/$n, slowest $max ms" \
			eval "[ $fails -eq 0 ] && [ $max -lt 1000 ]"
		check "$tag: the flood is cut at the worker: slowpath_limited $lim, neigh_other $other, slowpath_full $full" \
			eval "[ $lim -gt 0 ] && [ $other -gt 0 ] && [ $full -eq 0 ]"
	else
		echo "# $tag: without limits: $((d1 - d0)) backend(s) marked down, $good/10 requests answered," \
			"admin $((n - fails))/$n answered (slowest $max ms), neigh_other $other, slowpath_full $full"
	fi
	sl_test_sluice_stop "$tag" "$log"
}

run limited 2000 yes
run unlimited 0 no
run ring 2000 ring 64
run xdpring 2000 ring xdp64

sl_test_finish
