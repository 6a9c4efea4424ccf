#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# End-to-end test of the service manager notifications (systemd's
# sd_notify protocol, app/sluice/notify.c): Sluice runs on lib.sh's
# topology with NOTIFY_SOCKET pointing at a Unix datagram listener
# (python) that records every datagram, the time it arrived and the
# sender's PID (SO_PASSCRED), as systemd does.
#
# Run 1: NOTIFY_SOCKET a path, WATCHDOG_USEC=1000000 (a keep-alive due
# every 500 ms). Services web (TCP :80, tcp health checks every 200 ms,
# check_fall = check_rise = 1) and dns (UDP :53), three backends each.
#   1. The first datagram is READY=1, sent after "sluice: ready" is
#      logged, by Sluice's own PID, with STATUS= "2 service(s), 6/6
#      backends up, 1 worker(s), 2 port(s)".
#   2. WATCHDOG=1 keep-alives: the median gap between them within
#      400..650 ms, none as long as WATCHDOG_USEC.
#   3. STATUS= follows the backends: b3's server stopped, "5/6 backends
#      up" arrives; started again, "6/6" again.
#   4. SIGHUP with a file that adds a service: RELOADING=1 (with
#      MONOTONIC_USEC) then READY=1 whose STATUS= says "reloaded; 3
#      service(s), 9/9 backends up"; an HTTP connection opened before the
#      reload completes afterwards (the reload is hitless).
#   5. SIGHUP with a broken file: RELOADING=1 then READY=1 saying the
#      reload was refused and the running configuration stays (3
#      services).
#   6. SIGTERM: STOPPING=1 is the last datagram, Sluice exits 0.
# Run 2: NOTIFY_SOCKET in the abstract namespace ("@name"; the listener
# runs in Sluice's network namespace, which scopes abstract sockets),
# WATCHDOG_USEC set but WATCHDOG_PID naming another process.
#   7. READY=1 arrives; no WATCHDOG=1 in 1.5 s (three periods of the
#      watchdog run 1 had); STOPPING=1 at SIGTERM, exit 0.
#
# Usage: test/e2e/notify.sh SLUICE_BIN
# Needs root (network namespaces); exits 77 (skip) otherwise.
# SL_KEEP_TMP=1 keeps the temp dir (configurations, logs, datagrams).

set -u
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=test/e2e/lib.sh
. "$here/lib.sh"

sl_test_bin "${1:-}"   # sets bin
sl_init "sln$$"

WEB_CHECKS="check = tcp
check_interval = 200
check_timeout = 100
check_fall = 1
check_rise = 1"

# listen SOCKET OUT [NETNS]: record every datagram on SOCKET (a path or
# @name) into OUT, one line each: "MONO_US PID FIELD|FIELD|...". Waits
# until the socket is bound (the listener writes OUT.bound).
listen() {
	local sock=$1 out=$2 ns=${3:-} t
	local run=()
	[ -z "$ns" ] || run=(ip netns exec "$ns")
	rm -f "$out" "$out.bound"
	"${run[@]}" "$SL_PY" - "$sock" "$out" <<'PYEOF' >"$out.log" 2>&1 &
import os, socket, struct, sys, time
path, out = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
s.bind("\0" + path[1:] if path.startswith("@") else path)
open(out + ".bound", "w").close()
f = open(out, "a")
while True:
    data, anc, _, _ = s.recvmsg(4096, socket.CMSG_SPACE(12))
    pid = 0
    for level, kind, cdata in anc:
        if level == socket.SOL_SOCKET and kind == socket.SCM_CREDENTIALS:
            pid = struct.unpack("iII", cdata[:12])[0]
    f.write("%d %d %s\n" % (time.monotonic_ns() // 1000, pid,
                            data.decode(errors="replace").replace("\n", "|")))
    f.flush()
PYEOF
	SL_PIDS+=($!)
	LISTEN_PID=$!
	for ((t = 0; t < 50; t++)); do
		[ -f "$out.bound" ] && return 0
		sl_pid_alive "$LISTEN_PID" || break
		sleep 0.1
	done
	sl_log "notification listener did not start:"
	cat "$out.log" >&2
	return 1
}

# msgs ERE: the recorded datagrams (their fields) matching ERE.
msgs() { cut -d' ' -f3- "$NOTES" | grep -E -- "$1"; }
# nmsgs ERE: how many.
nmsgs() { msgs "$1" | wc -l; }
# wait_msg ERE N [TIMEOUT_S]: until N datagrams match ERE (default 5 s);
# prints the Nth.
wait_msg() {
	local re=$1 n=$2 timeout=${3:-5} t line
	for ((t = 0; t < timeout * 20; t++)); do
		line=$(msgs "$re" | sed -n "${n}p")
		[ -n "$line" ] && { printf '%s\n' "$line"; return 0; }
		sleep 0.05
	done
	return 1
}
# has_msg ERE N [TIMEOUT_S]: wait_msg, quietly.
has_msg() { wait_msg "$@" >/dev/null; }
# status_of LINE: the STATUS= field of a datagram.
status_of() { tr '|' '\n' <<<"$1" | sed -n 's/^STATUS=//p'; }

sl_test_topo_up
# health checks leave through the exception path's kernel interface
sl_kernel_interfaces inside

# --- run 1 ----------------------------------------------------------------
conf=$SL_TMP/sluice.conf
{ sl_service web 80 tcp "$SL_HTTP_PORT" "$WEB_CHECKS"; echo
  sl_service dns 53 udp "$SL_UDP_PORT"; } | sl_write_config_services "$conf" 1
NOTES=$SL_TMP/notes
listen "$SL_TMP/notify.sock" "$NOTES" || { notok "notification listener"; sl_test_finish; }
setup "listener on $SL_TMP/notify.sock"

export NOTIFY_SOCKET=$SL_TMP/notify.sock WATCHDOG_USEC=1000000
sl_test_sluice_start "run 1: sluice ready" "$bin" "$conf" "$SL_TMP/sluice1.log" ||
	sl_test_finish
unset NOTIFY_SOCKET WATCHDOG_USEC

# 1. READY=1 first, from Sluice's PID, with the counts
if ready=$(wait_msg '^READY=1' 1); then
	first=$(head -n 1 "$NOTES")
	case $first in
	*" READY=1|"*) ok "READY=1 is the first datagram" ;;
	*) notok "READY=1 is the first datagram (first: $first)" ;;
	esac
	check "READY=1 comes from sluice's PID ($SL_SLUICE_PID)" \
		test "$(awk 'NR == 1 {print $2}' "$NOTES")" = "$SL_SLUICE_PID"
	st=$(status_of "$ready")
	check "READY=1 carries STATUS=2 service(s), 6/6 backends up, 1 worker(s), 2 port(s) (got '$st')" \
		test "$st" = "2 service(s), 6/6 backends up, 1 worker(s), 2 port(s)"
else
	notok "READY=1 received within 5 s of 'sluice: ready'"
	diag <"$NOTES"
fi

# 2. keep-alives every half WATCHDOG_USEC
wait_msg '^WATCHDOG=1$' 8 10 >/dev/null
gaps=$(awk '$3 == "WATCHDOG=1" { if (p) print int(($1 - p) / 1000); p = $1 }' "$NOTES")
n=$(wc -w <<<"$gaps")
if [ "$n" -ge 7 ]; then
	median=$(tr ' ' '\n' <<<"$gaps" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')
	max=$(tr ' ' '\n' <<<"$gaps" | sort -n | tail -n 1)
	echo "# watchdog gaps (ms): $(tr '\n' ' ' <<<"$gaps")"
	check "WATCHDOG=1 every ~500 ms (median gap $median ms of $n)" \
		test "$median" -ge 400 -a "$median" -le 650
	check "no gap between keep-alives reaches WATCHDOG_USEC (longest $max ms)" \
		test "$max" -lt 1000
else
	notok "8 WATCHDOG=1 datagrams within 10 s (got $((n + 1)))"
fi

# 3. STATUS= follows the health checks
sl_backend_stop 3
check "b3 down: STATUS=2 service(s), 5/6 backends up" \
	has_msg '^STATUS=2 service\(s\), 5/6 backends up' 1 10
sl_backend_start 3 || notok "b3 restarted"
check "b3 back: STATUS=2 service(s), 6/6 backends up" \
	has_msg '^STATUS=2 service\(s\), 6/6 backends up' 1 10

# 4. a reload that adds a service, an open connection across it
sl_http_hold_start held name
if port=$(sl_http_hold_wait held); then
	setup "connection held open from client port $port"
else
	notok "connection held open before the reload"
fi
{ sl_service web 80 tcp "$SL_HTTP_PORT" "$WEB_CHECKS"; echo
  sl_service dns 53 udp "$SL_UDP_PORT"; echo
  sl_service web2 81 tcp "$SL_HTTP_PORT"; } | sl_write_config_services "$conf" 1
n_ready=$(nmsgs '^READY=1')
verdict=$(sl_sluice_reload)
setup "SIGHUP: $verdict"
check "RELOADING=1 with MONOTONIC_USEC after SIGHUP" \
	has_msg '^RELOADING=1\|.*MONOTONIC_USEC=[0-9]+' 1
if ready=$(wait_msg '^READY=1' $((n_ready + 1))); then
	st=$(status_of "$ready")
	check "READY=1 after the reload: STATUS=reloaded; 3 service(s), 9/9 backends up (got '$st')" \
		test "$st" = "reloaded; 3 service(s), 9/9 backends up, 1 worker(s), 2 port(s)"
	order=$(grep -nE ' (RELOADING|READY)=1' "$NOTES" | tail -n 2 | cut -d' ' -f3 | cut -d'|' -f1 | tr '\n' ' ')
	check "RELOADING=1 comes before that READY=1 (got: $order)" \
		test "$order" = "RELOADING=1 READY=1 "
else
	notok "READY=1 after the reload"
fi
body=$(sl_http_hold_finish held)
check "the connection opened before the reload completes after it (got '$body')" \
	grep -qx 'b[123]' <<<"$body"

# 5. a refused reload still ends in READY=1, and says so
echo "[service.bad" >>"$conf"
n_ready=$(nmsgs '^READY=1')
n_reloading=$(nmsgs '^RELOADING=1')
verdict=$(sl_sluice_reload)
setup "SIGHUP with a broken file: $verdict"
check "refused reload: RELOADING=1" has_msg '^RELOADING=1' $((n_reloading + 1))
if ready=$(wait_msg '^READY=1' $((n_ready + 1))); then
	st=$(status_of "$ready")
	check "refused reload: READY=1, STATUS says refused and 3 services stay (got '$st')" \
		test "$st" = "reload refused, the running configuration stays; 3 service(s), 9/9 backends up, 1 worker(s), 2 port(s)"
else
	notok "refused reload: READY=1"
fi

# 6. STOPPING=1 at SIGTERM, the last word
sl_test_sluice_stop "run 1" "$SL_TMP/sluice1.log"
check "STOPPING=1 at SIGTERM" has_msg '^STOPPING=1' 1
last=$(tail -n 1 "$NOTES" | cut -d' ' -f3-)
check "STOPPING=1 is the last datagram (last: $last)" grep -q '^STOPPING=1' <<<"$last"
sl_pid_stop "$LISTEN_PID"

# --- run 2: abstract socket, a watchdog meant for another process -----------
NOTES=$SL_TMP/notes2
abstract="@sluice-notify-$SL_PFX"
listen "$abstract" "$NOTES" "$SL_NS_SLUICE" || { notok "abstract listener"; sl_test_finish; }
setup "listener on $abstract in sluice's namespace"
conf2=$SL_TMP/sluice2.conf
sl_service web 80 tcp "$SL_HTTP_PORT" | sl_write_config_services "$conf2" 1
export NOTIFY_SOCKET=$abstract WATCHDOG_USEC=200000 WATCHDOG_PID=1
started=1
sl_test_sluice_start "run 2: sluice ready" "$bin" "$conf2" "$SL_TMP/sluice2.log" || started=
unset NOTIFY_SOCKET WATCHDOG_USEC WATCHDOG_PID
if [ -n "$started" ]; then
	if ready=$(wait_msg '^READY=1' 1); then
		st=$(status_of "$ready")
		check "abstract socket: READY=1 with STATUS=1 service(s), 3/3 backends up (got '$st')" \
			test "$st" = "1 service(s), 3/3 backends up, 1 worker(s), 2 port(s)"
	else
		notok "abstract socket: READY=1"
	fi
	# an absence: waited for over three of run 1's keep-alive periods
	sleep 1.5
	check "WATCHDOG_PID of another process: no WATCHDOG=1 (got $(nmsgs '^WATCHDOG=1'))" \
		test "$(nmsgs '^WATCHDOG=1')" -eq 0
	sl_test_sluice_stop "run 2" "$SL_TMP/sluice2.log"
	check "abstract socket: STOPPING=1 at SIGTERM" has_msg '^STOPPING=1' 1
fi

sl_test_finish
