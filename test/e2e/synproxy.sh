#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# End-to-end test of the SYN proxy, in the namespace topology of lib.sh:
# service web VIP:80 (nat, rr over b1..b3), flow_capacity 8192 per worker
# (the backends close each connection: wrk opens one per request).
# From the client's namespace flood.py sends SYNs to VIP:80 from spoofed
# 10.99.0.0/16 sources (20000 of them) for FLOOD_S s (their SYN-ACKs
# reach nobody);
# meanwhile the real client runs wrk (10 connections, 5 s) and downloads
# the 20 MB blob.
#   1. synproxy = on: wrk's requests all succeed (no socket error, no
#      non-2xx), its p99 latency is printed; the download is byte-
#      identical (sequence numbers, timestamps, SACK and window scale
#      translated for its whole length); the table holds only the real
#      connections (no more records than synproxy_opened); the flood
#      was answered with cookies (synproxy_cookies), the real connections
#      opened by theirs (synproxy_opened).
#   2. synproxy = off, the same flood: what breaks is printed (the table
#      fills, new connections are refused), not checked.
#   3. synproxy = on with a backend port nobody listens on: the client's
#      connection is accepted by the cookie, then reset when the backend
#      refuses (curl fails at once with "reset", not a timeout).
#
# Usage: test/e2e/synproxy.sh SLUICE_BIN SLUICECTL_BIN
# Needs root (network namespaces); exits 77 (skip) otherwise.

set -u
export LC_ALL=C
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=test/e2e/lib.sh
. "$here/lib.sh"

sl_test_bin_ctl "${1:-}" "${2:-}"   # sets bin, ctl_bin
sl_init "slsy$$"
sock=$SL_TMP/sluice.sock
FLOOD=$here/flood.py
FLOOD_S=9

echo "# e2e SYN proxy under a spoofed SYN flood, namespaces ${SL_PFX}-*"
sl_test_topo_up

# flows FILE: records in the workers' tables (show stats)
flows() {
	sed -nE 's/.* ([0-9]+) flows, busy .*/\1/p' "$1" | awk '{ s += $1 } END { print s + 0 }'
}
# stat FILE NAME: NAME's count over the workers
stat() {
	awk -v k="$2" '{ for (i = 1; i < NF; i++) if ($i == k) s += $(i + 1) } END { print s + 0 }' "$1"
}

# run TAG SYNPROXY CHECKED
run() {
	local tag=$1 mode=$2 checked=$3 conf=$SL_TMP/$1.ini log=$SL_TMP/$1.log
	local fpid fout=$SL_TMP/flood-$1.log outmac wout reqs bad serr p99 maxf=0 i n
	local sha crc cookies opened full
	sl_service web 80 tcp "$SL_HTTP_PORT" "synproxy = $mode" |
		sl_write_config_services "$conf" 1 "admin_socket = $sock
flow_capacity = 8192"
	sed -i 's/^flow_capacity = 65536$//' "$conf"
	if ! sl_test_sluice_start "$tag: sluice ready" "$bin" "$conf" "$log"; then
		return
	fi
	setup "$tag: sluice ready (synproxy = $mode, flow_capacity 8192)"
	outmac=$(sl_out_mac)
	sl_exec_client "$SL_PY" "$FLOOD" c0 "$outmac" "$FLOOD_S" --variants 20000 "syn:$SL_VIP:80" >"$fout" 2>&1 &
	fpid=$!
	SL_PIDS+=("$fpid")
	sleep 1
	ctl show stats
	n=$(flows "$CTL_OUT")
	[ "$n" -gt "$maxf" ] && maxf=$n
	wout=$(sl_exec_client wrk -t1 -c10 -d5s --latency "http://$SL_VIP/name" 2>&1)
	reqs=$(awk '/requests in/ { print $1 }' <<<"$wout")
	bad=$(awk '/Non-2xx/ { print $NF }' <<<"$wout")
	serr=$(awk '/Socket errors/ { gsub(",", ""); print $4 + $6 + $8 + $10 }' <<<"$wout")
	p99=$(awk '$1 == "99%" { print $2 }' <<<"$wout")
	ctl show stats
	n=$(flows "$CTL_OUT")
	[ "$n" -gt "$maxf" ] && maxf=$n
	sha=$(sl_exec_client curl -s --max-time 30 "http://$SL_VIP/blob" | sha256sum | cut -d' ' -f1)
	crc=$?
	wait "$fpid"
	echo "# $tag: flood: $(cat "$fout")"
	ctl show stats
	cookies=$(stat "$CTL_OUT" synproxy_cookies)
	opened=$(stat "$CTL_OUT" synproxy_opened)
	full=$(stat "$CTL_OUT" flow_full)
	if [ "$checked" = yes ]; then
		local v=no
		[ "${reqs:-0}" -ge 50 ] && [ -z "$bad" ] && [ "${serr:-0}" -eq 0 ] && v=yes
		check "$tag: wrk under the flood: ${reqs:-0} requests, all answered (non-2xx ${bad:-0}, socket errors ${serr:-0}), p99 ${p99:-?}" \
			[ $v = yes ]
		[ $v = yes ] || printf '%s\n' "$wout" | diag
		check "$tag: 20 MB download under the flood is byte-identical" [ "$sha" = "$SL_BLOB_SHA" ]
		check "$tag: the table holds only real connections: at most $maxf records, $opened opened by cookies" \
			[ "$maxf" -le $((opened + 2)) ]
		v=no
		[ "$cookies" -gt 1000 ] && [ "$opened" -ge "${reqs:-0}" ] && [ "$full" -eq 0 ] && v=yes
		check "$tag: the flood got cookies ($cookies), the real connections opened by theirs ($opened), flow_full $full" \
			[ $v = yes ]
	else
		echo "# $tag: without SYN proxy: wrk ${reqs:-0} requests, non-2xx ${bad:-0}, socket errors ${serr:-0}, p99 ${p99:-?};" \
			"download $([ "$sha" = "$SL_BLOB_SHA" ] && echo identical || echo failed);" \
			"the table held up to $maxf records of 8192, flow_full $full"
	fi
	sl_test_sluice_stop "$tag" "$log"
}

# refused TAG: a backend port nobody listens on
refused() {
	local tag=$1 conf=$SL_TMP/$1.ini log=$SL_TMP/$1.log out rc t0 ms
	sl_service web 80 tcp 9 "synproxy = on" | sl_write_config_services "$conf" 1 "admin_socket = $sock"
	if ! sl_test_sluice_start "$tag: sluice ready" "$bin" "$conf" "$log"; then
		return
	fi
	t0=${EPOCHREALTIME//[!0-9]/}
	out=$(sl_exec_client curl -s -S --max-time 5 "http://$SL_VIP/name" 2>&1)
	rc=$?
	ms=$(((${EPOCHREALTIME//[!0-9]/} - t0) / 1000))
	# Where the reset lands decides curl's error: 7 before connect() returns,
	# 55 between connect() and curl's getpeername() or first send, 56 or 52
	# while it waits for the answer. A timeout (28) means no reset came.
	check "$tag: backend port closed: the client is reset ($ms ms, curl $rc: $out)" \
		eval "[ $rc -eq 56 ] || [ $rc -eq 55 ] || [ $rc -eq 52 ] || [ $rc -eq 7 ]"
	sl_test_sluice_stop "$tag" "$log"
}

run on on yes
run off off no
refused refused

sl_test_finish
