#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Command-line behaviour of sluice without namespaces: usage errors, a bad
# config refused with file:line before EAL starts, and a clean start/stop
# on net_null ports in both invocation styles (-c FILE and
# [EAL options] -- -c FILE); --version of both programs; --check, which
# prints the resolved configuration that --check takes back unchanged.
# Usage: cli.sh SLUICE_BIN [SLUICECTL_BIN]
set -u
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=test/e2e/lib.sh
. "$here/lib.sh"   # ok / notok / check, sl_test_finish (no namespaces here)
BIN=$1
CTL=${2:-$(dirname "$BIN")/../sluicectl/sluicectl}
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

# --- --version: the project version and git describe (or the version
# alone for a build without git) ---
"$BIN" --version >"$T/o" 2>&1; rc=$?
check "sluice --version exits 0" test $rc -eq 0
check "sluice --version: 'sluice VERSION' or 'sluice VERSION (git DESCRIBE)'" \
	grep -Eqx 'sluice [0-9]+\.[0-9]+\.[0-9]+( \(git [0-9a-zA-Z.+_-]+\))?' "$T/o"
SL_VERSION_TEXT=$(sed 's/^sluice //' "$T/o")
"$CTL" --version >"$T/o" 2>&1; rc=$?
check "sluicectl --version exits 0 with the same version" \
	test $rc -eq 0 -a "$(cat "$T/o")" = "sluicectl $SL_VERSION_TEXT"
if git -C "$here" rev-parse --git-dir >/dev/null 2>&1; then
	# the commit git describe named (TAG-N-gHASH, or HASH), one of this
	# tree's (the build may be older than HEAD)
	described=$(sed -n 's/.*(git \(.*\))$/\1/p' <<<"$SL_VERSION_TEXT")
	hash=$(sed -E 's/-dirty$//; s/.*-g([0-9a-f]+)$/\1/' <<<"$described")
	check "--version names a commit of the tree it was built from ($described)" \
		git -C "$here" cat-file -e "$hash^{commit}"
fi

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
"$BIN" --check -c "$T/bad.ini" >"$T/o" 2>"$T/e"; rc=$?
check "--check of a bad file exits 1 (got $rc)" test $rc -eq 1
check "--check of a bad file: FILE:LINE: reason on stderr" \
	grep -q "bad.ini:10: unknown protocol 'sctp' (expected tcp|udp)" "$T/e"
check "--check of a bad file prints no configuration" test ! -s "$T/o"
printf '[global]\nneigh_timeout = 1500ms\n' >"$T/dur.ini"
"$BIN" --check -c "$T/dur.ini" >/dev/null 2>"$T/e"; rc=$?
check "--check: a time that is no whole number of the key's unit: exit 1, FILE:LINE" \
	test $rc -eq 1 -a -n "$(grep "dur.ini:2: neigh_timeout '1500ms' is not a whole number of seconds" "$T/e")"

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

# --- --check of a valid file: the resolved configuration on stdout,
# which --check accepts again and prints unchanged ---
sed -e 's/^flow_capacity = 4096/flow_capacity = 4096\ntimeout_tcp_established = 2h\nidle_sleep = 1ms/' \
	-e 's/^backend = 10.9.1.11:80/scheduler = maglev\ncheck_interval = 3s\nbackend = 10.9.1.11:80 weight=4/' \
	"$T/good.ini" >"$T/check.ini"
"$BIN" --check -c "$T/check.ini" >"$T/check1.ini" 2>"$T/e"; rc=$?
check "--check of a valid file exits 0 (got $rc)" test $rc -eq 0
check "--check: nothing on stderr, EAL not started" test ! -s "$T/e"
check "--check: every section" test "$(grep -c '^\[' "$T/check1.ini")" -eq 5
check "--check: defaults included" grep -qx 'timeout_udp = 300s' "$T/check1.ini"
check "--check: values with units in the key's unit" \
	test -n "$(grep -x 'timeout_tcp_established = 7200s' "$T/check1.ini")" -a \
	     -n "$(grep -x 'idle_sleep = 1000us' "$T/check1.ini")" -a \
	     -n "$(grep -x 'check_interval = 3000ms' "$T/check1.ini")"
check "--check: backend options" grep -qx 'backend = 10.9.1.11:80 weight=4 state=active' "$T/check1.ini"
check "--check: keys of another scheduler or mode as comments" \
	test -n "$(grep -x 'maglev_table_size = 65537' "$T/check1.ini")" -a \
	     -n "$(grep -x '; encap = ipip (mode = tunnel only)' "$T/check1.ini")"
"$BIN" --check -c "$T/check1.ini" >"$T/check2.ini" 2>"$T/e"; rc=$?
check "--check of its own output exits 0 (got $rc; $(head -c 200 "$T/e"))" test $rc -eq 0
check "--check of its own output prints the same configuration" cmp -s "$T/check1.ini" "$T/check2.ini"

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
check "-c FILE: the start-up line has the version and the file" \
	grep -qF "sluice: sluice $SL_VERSION_TEXT starting with $T/good.ini" "$T/good.log"

run_until_ready "$T/dpdk.log" --no-pci --no-huge -m 256 --file-prefix ${PREFIX}x -l 0-1 -- -c "$T/good.ini"; rc=$?
check "[EAL options] -- -c FILE: ready, then exit 0" test $rc -eq 0
check "[EAL options] -- -c FILE: EAL used the command line prefix" grep -q "${PREFIX}x" "$T/dpdk.log"

# --- the bash completion of sluicectl asks the running Sluice for its
# services (show services --json over the admin socket) ---
COMP=$here/../../tools/completion/sluicectl.bash
sed "s|^flow_capacity = 4096|flow_capacity = 4096\nadmin_socket = $T/admin.sock|" "$T/good.ini" >"$T/admin.ini"
printf '[service.dns]\nvip = 10.9.0.101\nport = 53\nprotocol = udp\nbackend = 10.9.1.12:53\n' >>"$T/admin.ini"
"$BIN" -c "$T/admin.ini" >/dev/null 2>"$T/admin.log" &
apid=$!
pids+=("$apid")
for _ in $(seq 1 100); do
	grep -qs "sluice: ready" "$T/admin.log" && break
	kill -0 "$apid" 2>/dev/null || break
	sleep 0.1
done
got=$(bash -c '. "$1"; COMP_WORDS=("$2" -s "$3" drain ""); COMP_CWORD=4; _sluicectl; printf "%s\n" "${COMPREPLY[@]}" | LC_ALL=C sort | tr "\n" " "' \
	_ "$COMP" "$CTL" "$T/admin.sock")
check "completion: 'sluicectl -s SOCKET drain ' offers the running services (got '$got')" test "$got" = "dns s "
got=$(bash -c '. "$1"; COMP_WORDS=("$2" -s "$3" show backends d); COMP_CWORD=5; _sluicectl; echo "${COMPREPLY[*]}"' \
	_ "$COMP" "$CTL" "$T/admin.sock")
check "completion: 'show backends d' offers dns (got '$got')" test "$got" = "dns"
kill -TERM "$apid"; wait "$apid"

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
