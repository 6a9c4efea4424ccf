#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Command-line behaviour of sluice without namespaces: usage errors, a bad
# config refused with file:line before EAL starts, and a clean start/stop
# on net_null ports in both invocation styles (-c FILE and
# [EAL options] -- -c FILE). Usage: cli.sh SLUICE_BIN
set -u
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=test/e2e/lib.sh
. "$here/lib.sh"   # ok / notok / check, sl_test_finish (no namespaces here)
BIN=$1
T=$(mktemp -d /tmp/sl-cli.XXXXXX)
PREFIX=slcli$$
pids=()

cleanup() {
	for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null; done
	rm -rf "$T" /dev/hugepages/${PREFIX}* /var/run/dpdk/${PREFIX}*
}
trap cleanup EXIT

# --- usage errors ---
"$BIN" >"$T/o" 2>&1; rc=$?
check "no arguments exits non-zero" test $rc -ne 0
check "no arguments says -c is needed" grep -q "use -c FILE" "$T/o"
"$BIN" --help >"$T/o" 2>&1; rc=$?
check "--help exits 0 and prints usage" test $rc -eq 0 -a -n "$(grep usage "$T/o")"
"$BIN" -c "$T/missing.ini" >"$T/o" 2>&1; rc=$?
check "missing file exits non-zero" test $rc -ne 0
check "missing file is named" grep -q "missing.ini" "$T/o"

# --- a bad config is refused before EAL touches anything ---
cat >"$T/bad.ini" <<INI
[eal]
lcores = 0-1
args = --no-pci --no-huge -m 256 --file-prefix ${PREFIX}bad
[port.a]
device = net_null0,no-rx=1
address = 10.9.0.1/24
[service.s]
vip = 10.9.0.100
port = 80
protocol = sctp
backend = 10.9.0.11:80
INI
"$BIN" -c "$T/bad.ini" >"$T/o" 2>&1; rc=$?
check "bad protocol exits non-zero" test $rc -ne 0
check "bad protocol names file and line 10" grep -q "bad.ini:10:" "$T/o"
check "EAL was not started for a bad config" test -z "$(grep '^EAL:' "$T/o")"

# --- good config on net_null ports: starts, runs, stops with 0 ---
cat >"$T/good.ini" <<INI
[eal]
lcores = 0-1
args = --no-pci --no-huge -m 256 --file-prefix ${PREFIX}
[global]
flow_capacity = 4096
[port.a]
device = net_null0,no-rx=1
address = 10.9.0.1/24
[port.b]
device = net_null1,no-rx=1
address = 10.9.1.1/24
[service.s]
vip = 10.9.0.100
port = 80
protocol = tcp
backend = 10.9.1.11:80
INI

run_until_ready() {   # log, args...
	local log=$1; shift
	"$BIN" "$@" >"$log.out" 2>"$log" &
	local pid=$!
	pids+=("$pid")
	local i
	for i in $(seq 1 100); do
		grep -qs "sluice: ready" "$log" && break
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if ! grep -q "sluice: ready" "$log"; then
		echo "# sluice did not become ready:"; sed 's/^/#   /' "$log"
		kill -KILL "$pid" 2>/dev/null
		return 1
	fi
	kill -TERM "$pid"
	wait "$pid"
}

run_until_ready "$T/good.log" -c "$T/good.ini"; rc=$?
check "-c FILE: ready, then exit 0 on SIGTERM" test $rc -eq 0
check "-c FILE: counters printed at exit" grep -q "^service s conns_total 0" "$T/good.log"
check "-c FILE: logs go to stderr, not stdout" test ! -s "$T/good.log.out"

run_until_ready "$T/dpdk.log" --no-pci --no-huge -m 256 --file-prefix ${PREFIX}x -l 0-1 -- -c "$T/good.ini"; rc=$?
check "[EAL options] -- -c FILE: ready, then exit 0" test $rc -eq 0
check "[EAL options] -- -c FILE: EAL used the command line prefix" grep -q "${PREFIX}x" "$T/dpdk.log"

# --- periodic counters: stats_interval = 1 prints while running ---
sed 's/^flow_capacity = 4096/flow_capacity = 4096\nstats_interval = 1/' "$T/good.ini" >"$T/interval.ini"
"$BIN" -c "$T/interval.ini" >/dev/null 2>"$T/interval.log" &
ipid=$!
pids+=("$ipid")
sleep 4.5
kill -TERM "$ipid"; wait "$ipid"; rc=$?
n=$(grep -c -- "--- sluice counters ---" "$T/interval.log")
check "stats_interval = 1: counters printed every second (saw $n blocks in ~4 s)" test "$n" -ge 3
check "stats_interval run exits 0" test $rc -eq 0

# --- a start-up step that fails after EAL: the modules that came up go
# down in reverse, the process exits 1 with the reason, never a crash ---
sed 's|^device = net_null1,no-rx=1|device = net_pcap1,rx_pcap=/nonexistent/in.pcap|' "$T/good.ini" >"$T/noport.ini"
timeout 30 "$BIN" -c "$T/noport.ini" >/dev/null 2>"$T/noport.log"; rc=$?
check "a port that was not probed: exit 1 (got $rc)" test $rc -eq 1
check "a port that was not probed: FILE:LINE and the device named" grep -q "noport.ini:9: port b: no device 'net_pcap1,rx_pcap=/nonexistent/in.pcap' was probed" "$T/noport.log"
check "a port that was not probed: the failing module named" grep -q "start-up failed in ports" "$T/noport.log"
check "a port that was not probed: the port that came up was stopped, no counters printed" test -z "$(grep -e 'sluice: ready' -e '^--- sluice counters' "$T/noport.log")"

sl_test_finish
