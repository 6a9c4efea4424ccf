#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# End-to-end test of NAT mode: client -> VIP -> 3 backends, through Sluice
# running on net_af_packet ports in a network namespace (SL_PMD=af_xdp:
# on net_af_xdp ports, see sl_port_device in lib.sh).
#
# Usage: test/e2e/nat.sh SLUICE_BIN [WORKERS]     (WORKERS: 1 or 2)
# Needs root (network namespaces); exits 77 (skip) otherwise.
# SL_KEEP_TMP=1 keeps the temp dir (config, Sluice log) for inspection.

set -u

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=test/e2e/lib.sh
. "$here/lib.sh"

sl_test_bin_workers "$@"   # sets bin, workers
SL_TEST_LOG_LINES=60

sl_init "slt$$"
conf=$SL_TMP/sluice.ini
log=$SL_TMP/sluice.log

echo "# e2e NAT, $workers worker(s), namespaces ${SL_PFX}-*"
if ! sl_topo_up; then
	notok "topology set up"
	sl_test_finish
fi
setup "topology set up (client, sluice, switch, 3 backends)"

# let the client take gratuitous ARP into its neighbour table, so the
# GARP Sluice sends for the VIP at start can be observed
ip netns exec "$SL_NS_CLIENT" sysctl -qw net.ipv4.conf.c0.arp_accept=1

# on AF_XDP ports an idle worker sleeps on its sockets (idle_wake)
if [ "$SL_PMD" = af_xdp ]; then
	sl_write_config "$conf" "$workers" "idle_wake = yes"
else
	sl_write_config "$conf" "$workers"
fi
sl_sluice_start "$bin" "$conf" "$log"
if ! sl_sluice_wait_ready 60; then
	notok "sluice ready"
	sl_test_finish
fi
setup "sluice ready (pid $SL_SLUICE_PID)"
dev=$(sl_port_device 0 out "$workers")
check "the outside port is ${dev%%,*} ($SL_PMD)" grep -qF "port outside: $dev (port 0)" "$log"

# 0. gratuitous ARP for the VIP reached the client before any traffic
garp=$(ip -n "$SL_NS_CLIENT" neigh show "$SL_VIP" | awk '{print $5}')
check "gratuitous ARP for the VIP at start (client learned ${garp:-nothing}, out is $(sl_out_mac))" \
	[ "${garp:-none}" = "$(sl_out_mac)" ]

# 1. ping the VIP and Sluice's outside address
for dst in "$SL_VIP" "$SL_OUT_IP"; do
	out=$(sl_exec_client ping -c 3 -i 0.2 -W 2 "$dst" 2>&1)
	rcv=$(printf '%s\n' "$out" | sed -n 's/.* \([0-9]*\) received.*/\1/p')
	if [ "${rcv:-0}" -eq 3 ]; then
		ok "ping $dst: 3/3 replies"
	else
		notok "ping $dst: ${rcv:-0}/3 replies"
		printf '%s\n' "$out" | diag
	fi
done

# 2. 30 sequential HTTP requests spread over the backends
declare -A hits=()
good=0
for ((i = 0; i < 30; i++)); do
	body=$(sl_http name)
	case $body in
	b1|b2|b3) good=$((good + 1)); hits[$body]=$((${hits[$body]:-0} + 1)) ;;
	*) echo "# request $i: got '${body}'" ;;
	esac
done
dist="b1=${hits[b1]:-0} b2=${hits[b2]:-0} b3=${hits[b3]:-0}"
check "30 HTTP requests to the VIP succeed ($good/30)" [ "$good" -eq 30 ]
spread_ok=1
for b in b1 b2 b3; do
	n=${hits[$b]:-0}
	if [ "$workers" -eq 1 ]; then
		[ "$n" -eq 10 ] || spread_ok=
	else
		{ [ "$n" -ge 8 ] && [ "$n" -le 12 ]; } || spread_ok=
	fi
done
if [ "$workers" -eq 1 ]; then
	check "round robin: exactly 10 per backend ($dist)" [ -n "$spread_ok" ]
else
	check "round robin over 2 workers: 10 +/- 2 per backend, all used ($dist)" [ -n "$spread_ok" ]
fi

# 3. 20 MB download through the VIP
sha=$(SL_CURL_TIMEOUT=120 sl_http blob | sha256sum | cut -d' ' -f1)
check "20 MB download through the VIP: sha256 matches" [ "$sha" = "$SL_BLOB_SHA" ]

# 4. UDP: 9 datagrams from distinct source ports
udp_out=$(sl_udp_exchange 9 2>&1)
udp_good=$(printf '%s\n' "$udp_out" | grep -c '^ok ')
declare -A uhits=()
while read -r st _ name; do
	[ "$st" = ok ] && uhits[$name]=$((${uhits[$name]:-0} + 1))
done <<<"$udp_out"
udist="b1=${uhits[b1]:-0} b2=${uhits[b2]:-0} b3=${uhits[b3]:-0}"
if [ "$udp_good" -eq 9 ]; then
	ok "UDP: 9/9 replies from $SL_VIP:53 with bN:payload"
else
	notok "UDP: $udp_good/9 replies from $SL_VIP:53 with bN:payload"
	printf '%s\n' "$udp_out" | grep -v '^ok ' | diag
fi
if [ "$workers" -eq 1 ]; then
	check "UDP round robin: exactly 3 per backend ($udist)" \
		[ "${uhits[b1]:-0}-${uhits[b2]:-0}-${uhits[b3]:-0}" = 3-3-3 ]
fi

# 5. malformed burst, then Sluice must still forward
mac=$(sl_out_mac)
mf_out=$(sl_exec_client "$SL_PY" "$here/malformed.py" --iface c0 --dst-mac "$mac" \
	--src-ip "$SL_CLIENT_IP" --vip "$SL_VIP" --garbage 300 2>&1)
mf_rc=$?
if [ $mf_rc -eq 0 ]; then
	setup "malformed burst sent ($(printf '%s\n' "$mf_out" | tail -n 1))"
else
	notok "malformed burst sent (malformed.py exit $mf_rc)"
	printf '%s\n' "$mf_out" | diag
fi
# net_af_packet's fanout socket defragments what arrives from the wire, so
# the fragments above never reach Sluice one by one; inject them as frames
# leaving Sluice's own "out" interface instead (see malformed.py).
cmac=$(ip -n "$SL_NS_CLIENT" link show c0 | awk '/link\/ether/ {print $2}')
mf_out=$(ip netns exec "$SL_NS_SLUICE" "$SL_PY" "$here/malformed.py" --tap --only fragment \
	--iface out --dst-mac "$mac" --src-mac "$cmac" --src-ip "$SL_CLIENT_IP" --vip "$SL_VIP" 2>&1)
mf_rc=$?
if [ $mf_rc -eq 0 ]; then
	setup "IPv4 fragments injected at Sluice's out port ($(printf '%s\n' "$mf_out" | tail -n 1))"
else
	notok "IPv4 fragments injected at Sluice's out port (malformed.py exit $mf_rc)"
	printf '%s\n' "$mf_out" | diag
fi
sleep 0.5
check "sluice still running after the malformed burst" sl_sluice_alive
good=0
for ((i = 0; i < 10; i++)); do
	case $(sl_http name) in b1|b2|b3) good=$((good + 1)) ;; esac
done
check "10 HTTP requests after the malformed burst succeed ($good/10)" [ "$good" -eq 10 ]

# 6. stop Sluice, read its exit counters
sl_sluice_stop
check "sluice exits 0 on SIGTERM (status ${SL_SLUICE_RC:-none})" [ "${SL_SLUICE_RC:-1}" = 0 ]

counter() { # counter REGEX: last number of the last line matching REGEX
	grep -E "$1" "$log" | tail -n 1 | grep -oE '[0-9]+$'
}
for reason in bad_ihl bad_ip_len bad_ip_csum bad_ip_version fragment \
	bad_l4_len unsupported_l4 no_flow no_service other_host; do
	n=$(counter "(^|[[:space:]])drop $reason [0-9]+\$")
	check "drop counter $reason nonzero (${n:-absent})" [ "${n:-0}" -gt 0 ]
done
if [ "$SL_PMD" = af_xdp ]; then
	# frames on the AF_XDP sockets ended idle sleeps, and only some: the
	# others ran their time (the sockets were waited on, not spun on)
	wline=$(grep -E '(^|[[:space:]])worker 0 rx ' "$log" | tail -n 1)
	wakes=$(printf '%s\n' "$wline" | sed -nE 's/.* sleep_wakes ([0-9]+).*/\1/p')
	sleeps=$(printf '%s\n' "$wline" | sed -nE 's/.* sleeps ([0-9]+).*/\1/p')
	check "worker 0's idle sleeps ended by frames on its sockets (sleep_wakes ${wakes:-absent} of ${sleeps:-absent} sleeps)" \
		[ "${wakes:-0}" -gt 0 -a "${wakes:-0}" -lt "${sleeps:-0}" ]
fi
web=$(grep -E '(^|[[:space:]])service web conns_total [0-9]+' "$log" | tail -n 1 |
	sed -E 's/.*service web conns_total ([0-9]+).*/\1/')
check "service web conns_total >= 40 (${web:-absent})" [ "${web:-0}" -ge 40 ]

echo "# exit counters:"
grep -E '(^|[[:space:]])(drop|service|backend) ' "$log" | diag
sl_test_finish
