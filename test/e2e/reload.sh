#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# End-to-end test of configuration reload (SIGHUP), draining and flushing,
# through Sluice on net_af_packet in the namespace topology of lib.sh
# (client -> VIP:80 -> b1, b2, b3). One Sluice runs parts 1-3, another
# part 4, so each one's exit counters are its own.
#   1. Reload under load: while a loop of sequential requests and a rate
#      limited 20 MB download run, three reloads add b3, change the
#      weights and remove b1 (the download's backend; drain_timeout 600
#      keeps it). No request fails, b3 answers after it is added, b1 never
#      after its removal, the download arrives intact.
#   2. 30 broken edits (bad values, unknown keys, syntax errors, changes
#      to [eal], [global] and [port.*]) are each refused with FILE:LINE
#      and the reason (or the section and key that need a restart) while traffic
#      goes on; the good file is then accepted, and so is the good file
#      with its [eal] and [port.*] sections moved to the end.
#   3. Every backend state=drain: a new connection is refused at once with
#      a RST (curl exit 7); restored, traffic flows again.
#   4. Drain with drain_timeout = 3: with two held connections and a slow
#      download on b2 (then the only backend), a reload brings b1 and b3
#      and drains b2. New connections avoid b2; a held connection completed
#      inside the window works; after the deadline the download and the
#      other held connection are reset (both sides) and counted as
#      conns_flushed.
#
# Usage: test/e2e/reload.sh SLUICE_BIN [WORKERS]     (WORKERS: 1 or 2)
# Needs root (network namespaces); exits 77 (skip) otherwise.
# SL_KEEP_TMP=1 keeps the temp dir (configs, Sluice logs) for inspection.

set -u
export LC_ALL=C   # "." in $EPOCHREALTIME and for awk

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=test/e2e/lib.sh
. "$here/lib.sh"

sl_test_bin_workers "$@"   # sets bin, workers

sl_init "slr$$"
conf=$SL_TMP/sluice.ini

# --- helpers ------------------------------------------------------------------

now() { echo "$EPOCHREALTIME"; }
# fsub A B: A - B (seconds, 2 decimals); fle A B: A <= B
fsub() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a - b }'; }
fle() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a <= b) }'; }

be_ip() { echo "${SL_BACKEND_IPS[$(($1 - 1))]}"; }

# write_conf "SERVICE LINES" BACKEND...: the configuration file (replaced
# atomically) with one [service.web] on VIP:80/tcp, the extra lines
# (scheduler, drain_timeout...) and a backend line per argument, given as
# "N [OPTIONS]" for bN (e.g. "2 weight=3 state=drain").
write_conf() {
	local extra=$1 b n
	shift
	{
		printf '[service.web]\nvip = %s\nport = 80\nprotocol = tcp\nmode = nat\n' "$SL_VIP"
		printf '%s\n' "$extra"
		for b in "$@"; do
			n=${b%% *}
			printf 'backend = %s:%s%s\n' "$(be_ip "$n")" "$SL_HTTP_PORT" "${b#"$n"}"
		done
	} | sl_write_config_services "$conf.new" "$workers" || return 1
	mv -f "$conf.new" "$conf"
}

# start_sluice TAG: run Sluice on $conf, log in $SL_TMP/TAG.log.
snap=0
start_sluice() {
	sl_test_sluice_start "$1: sluice ready" "$bin" "$conf" "$SL_TMP/$1.log" || return 1
	snap=1
	setup "$1: sluice ready (pid $SL_SLUICE_PID)"
}

# stop_sluice TAG: SIGTERM, check the exit status.
stop_sluice() { sl_test_sluice_stop "$1"; }

# reload_expect DESC CHANGES: SIGHUP; the file must be accepted with the log
# line "reload: snapshot N: CHANGES" (N the next snapshot number). Sets
# t_reload to the time the line was seen.
t_reload=
reload_expect() {
	local desc=$1 want=$2 line rc
	line=$(sl_sluice_reload 5)
	rc=$?
	t_reload=$(now)
	if [ $rc -eq 0 ] && [[ $line == *"reload: snapshot $((snap + 1)): $want" ]]; then
		snap=$((snap + 1))
		ok "$desc: accepted (${line#*sluice: })"
		return 0
	fi
	notok "$desc: want 'reload: snapshot $((snap + 1)): $want', got '${line:-nothing (status $rc)}'"
	[[ $line =~ snapshot\ ([0-9]+): ]] && snap=${BASH_REMATCH[1]}
	return 1
}

# wait_pid PID TIMEOUT_S: wait for a child to end; sets wait_rc (its exit
# status, or "running" after TIMEOUT_S). Forgets it in SL_PIDS once reaped.
wait_rc=
wait_pid() {
	local pid=$1 t p keep=()
	for ((t = 0; t < $2 * 10; t++)); do
		sl_pid_alive "$pid" || break
		sleep 0.1
	done
	if sl_pid_alive "$pid"; then
		wait_rc=running
		return 1
	fi
	wait "$pid" 2>/dev/null
	wait_rc=$?
	for p in "${SL_PIDS[@]}"; do [ "$p" = "$pid" ] || keep+=("$p"); done
	SL_PIDS=("${keep[@]}")
	return 0
}

# be_established N: connections to :8080 backend bN holds (ESTABLISHED)
be_established() {
	ip netns exec "${SL_NS_BACKENDS[$(($1 - 1))]}" ss -Htn state established "( sport = :$SL_HTTP_PORT )" |
		grep -c .
}

# wait_established N COUNT TIMEOUT_S: until bN holds COUNT connections
wait_established() {
	local t
	for ((t = 0; t < $3 * 10; t++)); do
		[ "$(be_established "$1")" -eq "$2" ] && return 0
		sleep 0.1
	done
	return 1
}

# names N: N sequential requests for /name; prints the answers
# (bN, or "failN" with curl's exit status).
names() {
	local i body
	for ((i = 0; i < $1; i++)); do
		body=$(sl_exec_client curl -s --max-time 3 "http://$SL_VIP/name")
		local rc=$?
		if [ $rc -eq 0 ] && [[ $body == b[123] ]]; then echo "$body"; else echo "fail$rc"; fi
	done
}

# fetch_blob OUT RATE MAXTIME: rate-limited download of /blob in the
# background into OUT (curl's messages in OUT.err); sets fetch_pid.
fetch_pid=
fetch_blob() {
	# not through sl_exec_client: $! must be curl itself
	ip netns exec "$SL_NS_CLIENT" curl -sS -o "$1" --limit-rate "$2" --max-time "$3" \
		"http://$SL_VIP/blob" 2>"$1.err" &
	fetch_pid=$!
	SL_PIDS+=("$fetch_pid")
}

fsize() { stat -c %s "$1" 2>/dev/null || echo 0; }

# counter_sum LOG NAME: sum of "NAME N" over the worker lines of the exit counters
counter_sum() {
	grep -E '(^|[[:space:]])worker [0-9]+ rx ' "$1" |
		grep -oE "(^|[[:space:]])$2 [0-9]+" | awk '{ s += $2 } END { print s + 0 }'
}
# drop_counter LOG REASON: the "drop REASON N" exit counter
drop_counter() {
	grep -E "(^|[[:space:]])drop $2 [0-9]+\$" "$1" | tail -n 1 | grep -oE '[0-9]+$'
}

echo "# e2e reload, $workers worker(s), namespaces ${SL_PFX}-*"
if ! sl_topo_up; then
	notok "topology set up"
	sl_test_finish
fi
setup "topology set up (client, sluice, switch, 3 backends)"
# Small socket buffers (at most 256 KB each side): a rate-limited download
# keeps its backend sending to the end instead of sitting whole in the
# client's receive buffer, so reloads meet a flow with data in flight.
ip netns exec "$SL_NS_CLIENT" sysctl -qw net.ipv4.tcp_rmem="4096 65536 262144"
for ns in "${SL_NS_BACKENDS[@]}"; do
	ip netns exec "$ns" sysctl -qw net.ipv4.tcp_wmem="4096 65536 262144"
done

# --- 1. reload under load -------------------------------------------------------

W600=$'scheduler = wrr\ndrain_timeout = 600'
write_conf "$W600" "1 weight=1" "2 weight=1"
start_sluice A || sl_test_finish
logA=$SL_SLUICE_LOG

# The download first: wrr's first pick (equal weights, ties to the first)
# is b1, the backend removed below.
fetch_blob "$SL_TMP/dl1" 3M 40
dl1_pid=$fetch_pid
dl_on=
for ((t = 0; t < 30; t++)); do
	for i in 1 2 3; do [ "$(be_established "$i")" -ge 1 ] && dl_on=b$i; done
	[ -n "$dl_on" ] && break
	sleep 0.1
done
check "load: the 20 MB download (3 MB/s) runs on b1, the backend to be removed (on ${dl_on:-none})" \
	[ "$dl_on" = b1 ]

cat >"$SL_TMP/loop.sh" <<'EOF'
# sequential requests until STOP exists; per request "START END RC BODY"
stop=$1 out=$2 url=$3
while [ ! -e "$stop" ]; do
	t0=$EPOCHREALTIME
	body=$(curl -s --max-time 3 "$url" 2>/dev/null)
	rc=$?
	body=${body//[[:space:]]/_}
	printf '%s %s %s %s\n' "$t0" "$EPOCHREALTIME" "$rc" "${body:-empty}" >>"$out"
done
EOF
: >"$SL_TMP/loop.out"
ip netns exec "$SL_NS_CLIENT" bash "$SL_TMP/loop.sh" "$SL_TMP/loop.stop" "$SL_TMP/loop.out" \
	"http://$SL_VIP/name" &
loop_pid=$!
SL_PIDS+=("$loop_pid")

sleep 1
write_conf "$W600" "1 weight=1" "2 weight=1" "3 weight=1"
reload_expect "load: reload adding b3" "services +0 -0, backends +1 -0, 0 draining, 0 gone"
t_add=$t_reload
sleep 1.5
write_conf "$W600" "1 weight=1" "2 weight=1" "3 weight=4"
reload_expect "load: reload with b3's weight 1 -> 4" "services +0 -0, backends +0 -0, 0 draining, 0 gone"
t_weight=$t_reload
sleep 1.5
write_conf "$W600" "2 weight=1" "3 weight=4"
reload_expect "load: reload removing b1" "services +0 -0, backends +0 -1, 1 draining, 0 gone"
t_del=$t_reload
est1=$(be_established 1)
s1=$(fsize "$SL_TMP/dl1")
sleep 1.5
s2=$(fsize "$SL_TMP/dl1")
v=no; [ "$est1" -eq 1 ] && [ "$s2" -gt "$s1" ] && [ "$s1" -lt $((SL_BLOB_BYTES - 2 * 1024 * 1024)) ] && v=yes
check "load: the download goes on from b1 after its removal (b1 still sending: $est1 established; $s1 -> $s2 bytes in 1.5 s)" [ $v = yes ]
: >"$SL_TMP/loop.stop"
wait_pid "$loop_pid" 10 || notok "load: request loop did not stop"

# START END RC BODY lines -> summary
read -r total bad b3_after b1_after n_after w_b1 w_b2 w_b3 <<<"$(awk \
	-v add="$t_add" -v wt="$t_weight" -v del="$t_del" '
	{ n++ }
	$3 != 0 || $4 !~ /^b[123]$/ { bad++; next }
	$1 > add + 0.5 && $4 == "b3" { b3++ }
	$1 > del + 0.5 { after++; if ($4 == "b1") b1++ }
	$1 > wt + 0.5 && $2 < del { w[$4]++ }
	END { printf "%d %d %d %d %d %d %d %d\n", n, bad, b3, b1, after,
	      w["b1"], w["b2"], w["b3"] }' "$SL_TMP/loop.out")"
v=no; [ "$total" -ge 20 ] && [ "$bad" -eq 0 ] && v=yes
check "load: $total sequential requests during 3 reloads, none failed ($bad failed)" [ $v = yes ]
[ "$bad" -eq 0 ] || awk '$3 != 0 || $4 !~ /^b[123]$/' "$SL_TMP/loop.out" | head -n 10 | diag
check "load: b3 answered after it was added ($b3_after requests)" [ "$b3_after" -gt 0 ]
v=no; [ "$n_after" -ge 5 ] && [ "$b1_after" -eq 0 ] && v=yes
check "load: b1 never answered a request started 0.5 s after its removal ($b1_after of $n_after)" [ $v = yes ]
v=no; [ $((w_b1 + w_b2 + w_b3)) -ge 6 ] && [ "$w_b3" -gt $((w_b1 + w_b2)) ] && v=yes
check "load: weights 1:1:4 in force between the 2nd and 3rd reload (b1=$w_b1 b2=$w_b2 b3=$w_b3)" [ $v = yes ]

wait_pid "$dl1_pid" 30
sha=$(sha256sum "$SL_TMP/dl1" | cut -d' ' -f1)
dsize=$(fsize "$SL_TMP/dl1")
if [ "$wait_rc" = 0 ] && [ "$sha" = "$SL_BLOB_SHA" ]; then
	ok "load: the download over the reloads is byte-identical (sha256, $dsize bytes)"
else
	notok "load: the download over the reloads is byte-identical (curl status $wait_rc, $dsize bytes, sha256 ${sha:0:16}...)"
	diag <"$SL_TMP/dl1.err"
fi

# --- 2. broken edits are refused -----------------------------------------------

cp "$conf" "$SL_TMP/good.ini"

# bad_case N: describe broken edit N of good.ini: B_DESC, B_SED (a sed
# script; "EMPTY" for an empty file), B_MARK (fixed text of the line the
# message must name; its first occurrence) and B_WHY (text the reason
# must contain), or B_RESTART (the section and key that need a restart).
# shellcheck disable=SC2016  # sed's $ (last line) in single quotes
bad_case() {
	B_DESC='' B_SED='' B_MARK='' B_WHY='' B_RESTART=''
	case $1 in
	1) B_DESC="unknown key in [service.web]"
	   B_SED='/^scheduler = /a colour = blue'; B_MARK='colour = blue'; B_WHY="unknown key 'colour'" ;;
	2) B_DESC="unknown key in [global]"
	   B_SED='/^idle_sleep = /a frobnicate = 1'; B_MARK='frobnicate = 1'; B_WHY="unknown key 'frobnicate'" ;;
	3) B_DESC="service port out of range"
	   B_SED='s/^port = 80$/port = 70000/'; B_MARK='port = 70000'; B_WHY='out of range' ;;
	4) B_DESC="key before any section"
	   B_SED='1i port = 80'; B_MARK='port = 80'; B_WHY='outside any section' ;;
	5) B_DESC="vip not an address"
	   B_SED='s/^vip = .*/vip = 10.0.0.300/'; B_MARK='vip = 10.0.0.300'; B_WHY='not an IPv4 address' ;;
	6) B_DESC="unknown protocol"
	   B_SED='s/^protocol = .*/protocol = sctp/'; B_MARK='protocol = sctp'; B_WHY="unknown protocol 'sctp'" ;;
	7) B_DESC="unknown scheduler"
	   B_SED='s/^scheduler = .*/scheduler = fastest/'; B_MARK='scheduler = fastest'; B_WHY="unknown scheduler 'fastest'" ;;
	8) B_DESC="unknown mode"
	   B_SED='s/^mode = .*/mode = bridge/'; B_MARK='mode = bridge'; B_WHY="unknown mode 'bridge'" ;;
	9) B_DESC="backend without port"
	   B_SED='s/^backend = 10\.1\.0\.12:8080.*/backend = 10.1.0.12/'; B_MARK='backend = 10.1.0.12'; B_WHY='has no port' ;;
	10) B_DESC="backend weight 0"
	   B_SED='s/weight=4/weight=0/'; B_MARK='weight=0'; B_WHY='out of range' ;;
	11) B_DESC="unknown backend state"
	   B_SED='s/weight=4/weight=4 state=sleeping/'; B_MARK='state=sleeping'; B_WHY="unknown backend state 'sleeping'" ;;
	12) B_DESC="unknown backend option"
	   B_SED='s/weight=4/weight=4 maxconn=10/'; B_MARK='maxconn=10'; B_WHY="unknown backend option 'maxconn=10'" ;;
	13) B_DESC="duplicate backend"
	   B_SED='$a backend = 10.1.0.13:8080 weight=2'; B_MARK='weight=2'; B_WHY='duplicate backend 10.1.0.13:8080' ;;
	14) B_DESC="unreachable backend"
	   B_SED='$a backend = 192.168.7.7:8080'; B_MARK='192.168.7.7'; B_WHY='not reachable' ;;
	15) B_DESC="negative drain_timeout"
	   B_SED='s/^drain_timeout = .*/drain_timeout = -1/'; B_MARK='drain_timeout = -1'; B_WHY='negative' ;;
	16) B_DESC="drain_timeout out of range"
	   B_SED='s/^drain_timeout = .*/drain_timeout = 100000/'; B_MARK='drain_timeout = 100000'; B_WHY='out of range' ;;
	17) B_DESC="empty file"
	   B_SED=EMPTY; B_MARK=; B_WHY='no [port.NAME] section' ;;
	18) B_DESC="duplicate key"
	   B_SED='/^protocol = /a port = 81'; B_MARK='port = 81'; B_WHY="duplicate key 'port'" ;;
	19) B_DESC="section header without ]"
	   B_SED='s/^\[service\.web\]$/[service.web/'; B_MARK='[service.web'; B_WHY="no closing ']'" ;;
	20) B_DESC="line that is not key = value"
	   B_SED='/^mode = /a this is not ini'; B_MARK='this is not ini'; B_WHY='syntax error' ;;
	21) B_DESC="key without value"
	   B_SED='s/^scheduler = .*/scheduler =/'; B_MARK='scheduler ='; B_WHY='has no value' ;;
	22) B_DESC="unknown section"
	   B_SED='$a [frontend.x]\nname = x'; B_MARK='[frontend.x]'; B_WHY='unknown section [frontend' ;;
	23) B_DESC="service without backends"
	   B_SED='/^backend = /d'; B_MARK='[service.web]'; B_WHY='has no backend' ;;
	24) B_DESC="service without vip"
	   B_SED='/^vip = /d'; B_MARK='[service.web]'; B_WHY='has no vip' ;;
	25) B_DESC="second service on the same vip:port/protocol"
	   B_SED="\$a [service.web2]\\nvip = $SL_VIP\\nport = 80\\nprotocol = tcp\\nbackend = 10.1.0.11:8080"
	   B_MARK='[service.web2]'; B_WHY='same vip:port/protocol' ;;
	26) B_DESC="maglev_table_size with wrr"
	   B_SED='/^scheduler = /a maglev_table_size = 65537'; B_MARK='maglev_table_size'; B_WHY='maglev only' ;;
	27) B_DESC="vip is Sluice's own address"
	   B_SED="s/^vip = .*/vip = $SL_OUT_IP/"; B_MARK="vip = $SL_OUT_IP"; B_WHY='own address' ;;
	28) B_DESC="[port.outside] address changed"
	   B_SED="s|^address = $SL_OUT_IP/24|address = 10.0.0.3/24|"; B_RESTART='[port.outside] address changed' ;;
	29) B_DESC="[global] idle_sleep changed"
	   B_SED='s/^idle_sleep = .*/idle_sleep = 50/'; B_RESTART='[global] idle_sleep changed' ;;
	30) B_DESC="[eal] args changed"
	   B_SED='/^args = /s/$/ --log-level lib.eal:info/'; B_RESTART='[eal] args changed' ;;
	esac
}

n_bad=30
bad_ok=0
refused_before=$(sl_log_count 'reload refused: ')
for ((k = 1; k <= n_bad; k++)); do
	bad_case "$k"
	if [ "$B_SED" = EMPTY ]; then
		: >"$conf.new"
		want_line=1
	else
		sed -e "$B_SED" "$SL_TMP/good.ini" >"$conf.new"
		want_line=
		[ -n "$B_MARK" ] && want_line=$(grep -nF -m1 -- "$B_MARK" "$conf.new" | cut -d: -f1)
	fi
	if cmp -s "$conf.new" "$SL_TMP/good.ini"; then
		notok "bad edit $k ($B_DESC): the edit changed nothing (test bug)"
		continue
	fi
	mv -f "$conf.new" "$conf"
	line=$(sl_sluice_reload 5)
	rc=$?
	msg=${line#*reload refused: }
	why=
	if [ $rc -ne 1 ]; then
		why="not refused (status $rc): ${line:-no verdict}"
	elif [ -n "$B_RESTART" ]; then
		[ "$msg" = "$conf: $B_RESTART: needs a restart; the running configuration stays" ] ||
			why="want '$conf: $B_RESTART: needs a restart; ...', got '$msg'"
	elif [[ $msg != "$conf:$want_line: "* ]]; then
		why="want '$conf:$want_line: ...', got '$msg'"
	elif [[ $msg != *"$B_WHY"* ]]; then
		why="reason lacks '$B_WHY': '$msg'"
	elif [[ $msg != *"; the running configuration stays" ]]; then
		why="no '; the running configuration stays': '$msg'"
	fi
	body=$(sl_exec_client curl -s --max-time 3 "http://$SL_VIP/name")
	crc=$?
	if [ -z "$why" ] && { [ $crc -ne 0 ] || [[ $body != b[23] ]]; }; then
		why="refused, but then a request through the VIP got '${body}' (curl status $crc)"
	fi
	short=${msg#"$conf"}
	if [ -z "$why" ]; then
		ok "bad edit $k ($B_DESC): refused (FILE${short:0:90}), then a request got $body"
		bad_ok=$((bad_ok + 1))
	else
		notok "bad edit $k ($B_DESC): $why"
		echo "# the edit: $B_SED"
	fi
done
refused=$(( $(sl_log_count 'reload refused: ') - refused_before ))
v=no; [ "$refused" -eq "$n_bad" ] && [ "$(sl_log_count "reload: snapshot $((snap + 1)):")" -eq 0 ] && v=yes
check "bad edits: $refused 'reload refused' lines for $n_bad edits, no reload accepted (still snapshot $snap)" [ $v = yes ]
cp "$SL_TMP/good.ini" "$conf"
reload_expect "bad edits: the good file again" "services +0 -0, backends +0 -0, 1 draining, 0 gone"
# the same file with [eal] and the [port.*] sections moved to its end: no
# key changed, so nothing needs a restart
awk '/^\[/ { moved = /^\[(port\.|eal\])/ } moved { tail = tail $0 "\n"; next }
     { print } END { printf "%s", tail }' "$SL_TMP/good.ini" >"$conf.new"
mv -f "$conf.new" "$conf"
reload_expect "bad edits: the good file with [eal] and [port.*] moved to its end" \
	"services +0 -0, backends +0 -0, 1 draining, 0 gone"
cp "$SL_TMP/good.ini" "$conf"
got=$(names 6 | sort | uniq -c | awk '{ printf "%s=%s ", $2, $1 }')
# wrr keeps its place across snapshots of the same backends, so six picks
# of the 1:4 cycle hold one b2 or two, depending on where it stood
v=no
case "${got% }" in "b2=1 b3=5" | "b2=2 b3=4") v=yes ;; esac
check "bad edits: 6 requests after the good file, b2 and b3 only, weights 1:4 (${got% })" [ $v = yes ]

# --- 3. every backend drained: refused with a RST -------------------------------

write_conf "$W600" "1 weight=1 state=drain" "2 weight=1 state=drain" "3 weight=4 state=drain"
reload_expect "all drained: reload with every backend state=drain" \
	"services +0 -0, backends +0 -0, 3 draining, 0 gone"
for ((i = 1; i <= 3; i++)); do
	t0=$(now)
	err=$(sl_exec_client curl -sS -o /dev/null --max-time 5 "http://$SL_VIP/name" 2>&1)
	rc=$?
	dt=$(fsub "$(now)" "$t0")
	if [ $rc -eq 7 ] && fle "$dt" 0.5; then
		ok "all drained: request $i refused in ${dt}s (curl exit 7: ${err#curl: })"
	else
		notok "all drained: request $i: want curl exit 7 within 0.5 s, got exit $rc after ${dt}s (${err})"
	fi
done
write_conf "$W600" "1 weight=1" "2 weight=1" "3 weight=1"
reload_expect "all drained: restored, all active (b1 back after its removal)" \
	"services +0 -0, backends +0 -0, 0 draining, 0 gone"
got=$(names 6 | sort | uniq -c | awk '{ printf "%s=%s ", $2, $1 }')
check "all drained: 6 requests after the restore reach b1, b2, b3 (${got% })" \
	[ "${got% }" = "b1=2 b2=2 b3=2" ]

stop_sluice "parts 1-3"
flushed=$(counter_sum "$logA" conns_flushed)
rst=$(counter_sum "$logA" rst_sent)
nob=$(drop_counter "$logA" no_backend)
v=no; [ "$flushed" -eq 0 ] && [ "${nob:-0}" -ge 3 ] && [ "$rst" -ge 3 ] && v=yes
check "parts 1-3: no connection flushed (conns_flushed $flushed), the refusals counted (drop no_backend ${nob:-absent}, rst_sent $rst)" [ $v = yes ]

# --- 4. drain, then flush -------------------------------------------------------

RR3=$'scheduler = rr\ndrain_timeout = 3'
write_conf "$RR3" "2"
start_sluice B || sl_test_finish
logB=$SL_SLUICE_LOG

# b2 is the only backend: both held connections and the download go there
sl_http_hold_start h1 name
sl_http_hold_start h2 name
p1=$(sl_http_hold_wait h1 10)
p2=$(sl_http_hold_wait h2 10)
fetch_blob "$SL_TMP/dl2" 1M 30
dl2_pid=$fetch_pid
if wait_established 2 3 5 && [ -n "$p1" ] && [ -n "$p2" ]; then
	setup "drain: 2 held connections (ports $p1, $p2) and a 1 MB/s download open on b2"
else
	notok "drain: 2 held connections and a download open on b2 (b2 holds $(be_established 2))"
fi

write_conf "$RR3" "1" "2 state=drain" "3"
reload_expect "drain: reload adding b1, b3 and draining b2" \
	"services +0 -0, backends +2 -0, 1 draining, 0 gone"
t_drain=$t_reload
got=$(names 10 | sort | uniq -c | awk '{ printf "%s=%s ", $2, $1 }')
check "drain: 10 new requests avoid the drained b2 (${got% })" [ "${got% }" = "b1=5 b3=5" ]
a1=$(sl_http_hold_finish h1 5)
dt=$(fsub "$(now)" "$t_drain")
check "drain: a held connection completed ${dt}s after the reload is answered by b2 (got '$a1')" \
	[ "$a1" = b2 ]
s1=$(fsize "$SL_TMP/dl2")
sleep 0.5
s2=$(fsize "$SL_TMP/dl2")
v=no; sl_pid_alive "$dl2_pid" && [ "$s2" -gt "$s1" ] && v=yes
check "drain: the download from b2 goes on during the drain ($s1 -> $s2 bytes in 0.5 s)" [ $v = yes ]

# at the deadline the management lcore publishes a snapshot that flushes b2
dline=$(sl_log_wait 'drain: snapshot [0-9]+: ' 1 7)
t_flush=$(now)
dt=$(fsub "$t_flush" "$t_drain")
# the drain clock counts whole seconds: the deadline falls 2-3 s after
# a reload with drain_timeout = 3
v=no; [ -n "$dline" ] && fle 1.9 "$dt" && fle "$dt" 4.5 && v=yes
check "drain: b2's drain ends ${dt}s after the reload (drain_timeout = 3): ${dline#*sluice: }" [ $v = yes ]
[[ $dline =~ snapshot\ ([0-9]+): ]] && snap=${BASH_REMATCH[1]}

# the download: its next packet after the flush resets it
wait_pid "$dl2_pid" 3
dsize=$(fsize "$SL_TMP/dl2")
dt=$(fsub "$(now)" "$t_flush")
derr=$(head -c 200 "$SL_TMP/dl2.err")
if [ "$wait_rc" = 56 ] && [[ $derr == *"reset"* ]] && [ "$dsize" -lt "$SL_BLOB_BYTES" ]; then
	ok "drain: the download is reset after the deadline (curl exit 56 '${derr#curl: }', $dsize bytes)"
else
	notok "drain: the download is reset after the deadline: want curl exit 56 'Connection reset', got status $wait_rc '${derr}' ($dsize bytes, ${dt}s after the flush snapshot)"
	[ "$wait_rc" = running ] && kill -TERM "$dl2_pid" 2>/dev/null
fi

# the idle held connection: reset when it next sends (its request's end)
a2=$(sl_http_hold_finish h2 5)
v=no; [[ $a2 == ERR*[Rr]eset* ]] && v=yes
check "drain: the connection held past the deadline gets a reset when it sends (got '$a2')" [ $v = yes ]
# and the backend side was reset too: b2 keeps no connection
v=no; wait_established 2 0 3 && v=yes
check "drain: b2 holds no connection after the flush (the backend side got its RST; $(be_established 2) left)" [ $v = yes ]
got=$(names 6 | sort | uniq -c | awk '{ printf "%s=%s ", $2, $1 }')
check "drain: 6 requests after the flush avoid b2 (${got% })" [ "${got% }" = "b1=3 b3=3" ]

stop_sluice "part 4"
flushed=$(counter_sum "$logB" conns_flushed)
rst=$(counter_sum "$logB" rst_sent)
v=no; [ "$flushed" -ge 2 ] && [ "$rst" -ge 4 ] && v=yes
check "drain: exit counters conns_flushed $flushed (want >= 2: download, held connection), rst_sent $rst (want >= 4)" [ $v = yes ]
b2line=$(grep -E "(^|[[:space:]])backend web $(be_ip 2 | sed 's/\./\\./g'):$SL_HTTP_PORT " "$logB" | tail -n 1)
v=no; [[ $b2line == *"(flushed)"* ]] && v=yes
check "drain: b2 listed as flushed in the exit counters (${b2line#*backend })" [ $v = yes ]
echo "# exit counters (part 4):"
grep -E '(^|[[:space:]])(worker [0-9]+ rx|drop no_|service web|backend web)' "$logB" | diag

sl_test_finish
