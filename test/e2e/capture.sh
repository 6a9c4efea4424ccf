#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# End-to-end test of packet capture: `capture start FILE web count N`
# through sluicectl while a client fetches through the VIP; the file is a
# valid pcap that tcpdump reads, holding the client's packets as they
# arrived (to the VIP) and as they left rewritten (to a backend), and the
# replies both ways.
#
# Then the counters: the Prometheus exporter (tools/sluice-prometheus)
# turns every counter of `show counters` into a metric with its
# description; a service that takes the id of one removed before starts
# from zero; and telemetry queried while Sluice shuts down answers
# (errors) without crashing it.
#
# Usage: test/e2e/capture.sh SLUICE_BIN SLUICECTL_BIN
set -u
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=test/e2e/lib.sh
. "$here/lib.sh"
bin=${1:-}
ctl=${2:-}
sl_test_usage "SLUICE_BIN SLUICECTL_BIN" "$bin" "$ctl"
sl_test_require_root
bin=$(sl_abspath "$bin")
ctl=$(sl_abspath "$ctl")
SL_TEST_LOG_LINES=30

sl_init "slc$$"
conf=$SL_TMP/sluice.ini
log=$SL_TMP/sluice.log
sock=$SL_TMP/sluice.sock
pcap=$SL_TMP/web.pcap
if ! sl_topo_up; then
	notok "topology set up"
	sl_test_finish
fi
# short timeouts: a removed service's id is free again within seconds
global="admin_socket = $sock
timeout_tcp_syn = 2
timeout_tcp_syn_recv = 2
timeout_tcp_established = 2
timeout_tcp_fin = 2
timeout_tcp_time_wait = 2
timeout_tcp_close = 2
timeout_udp = 2"
svc_web="[service.web]
vip = $SL_VIP
port = 80
protocol = tcp
backend = ${SL_BACKEND_IPS[0]}:$SL_HTTP_PORT
"
# write_conf [SERVICE_SECTION...]: web and the sections given
write_conf() {
	local extra
	extra=$(printf '%s\n' "$@")
	sl_write_config_services "$conf" 1 "$global" <<<"$svc_web
$extra"
}
svc_old="[service.old]
vip = $SL_VIP
port = 81
protocol = tcp
drain_timeout = 0
backend = ${SL_BACKEND_IPS[1]}:$SL_HTTP_PORT"
write_conf "$svc_old"
sl_sluice_start "$bin" "$conf" "$log"
if ! sl_sluice_wait_ready 60; then
	notok "sluice ready"
	sl_test_finish
fi
ctlx() { "$ctl" -s "$sock" "$@"; }

out=$(ctlx capture start "$pcap" web count 12 2>&1)
check "capture start answers ($out)" grep -q "started" <<<"$out"
out=$(ctlx capture start "$pcap.2" 2>&1)
check "a second capture is refused while one runs" grep -q "running" <<<"$out"
for i in 1 2 3; do sl_http name >/dev/null; done
sleep 0.5
out=$(ctlx capture stop 2>&1)
# the count already closed the file: stop says there is none, or stops it
check "capture ends (count reached or stopped: $out)" \
	bash -c "grep -Eq 'no capture is running|capture stopped' <<<'$out'"

read_pcap() { tcpdump -nn -r "$pcap" 2>/dev/null; }
lines=$(read_pcap | wc -l)
check "tcpdump reads the pcap: 12 packets ($lines)" [ "$lines" -eq 12 ]
dump=$(read_pcap)
check "client packets to the VIP are in it" \
	grep -q "$SL_CLIENT_IP\.[0-9]* > $SL_VIP\.80:" <<<"$dump"
check "the same rewritten to the backend are in it" \
	grep -q "$SL_CLIENT_IP\.[0-9]* > ${SL_BACKEND_IPS[0]}\.$SL_HTTP_PORT:" <<<"$dump"
check "backend replies and their rewritten copies are in it" \
	bash -c "grep -q '${SL_BACKEND_IPS[0]}\.$SL_HTTP_PORT > $SL_CLIENT_IP' <<<'$dump' && grep -q '$SL_VIP\.80 > $SL_CLIENT_IP' <<<'$dump'"

# a port filter and no count, stopped by hand
out=$(ctlx capture start "$pcap.port" port inside 2>&1)
check "capture on port inside starts" grep -q started <<<"$out"
sl_http name >/dev/null
sleep 0.3
out=$(ctlx capture stop 2>&1)
n=$(sed -n 's/.*capture stopped: \([0-9]*\) packets.*/\1/p' <<<"$out")
check "capture stop reports packets (${n:-none})" [ "${n:-0}" -gt 0 ]
inside=$(tcpdump -nn -r "$pcap.port" 2>/dev/null)
check "port inside capture holds only backend-side addresses" \
	bash -c "! grep -q '$SL_VIP' <<<'$inside' && grep -q '${SL_BACKEND_IPS[0]}' <<<'$inside'"
out=$(ctlx capture start /nonexistent/dir/x.pcap 2>&1)
check "an unwritable file is refused" grep -q "cannot write" <<<"$out"

# the Prometheus exporter reads the same admin socket
prom=$(/usr/bin/python3 "$here/../../tools/sluice-prometheus" -s "$sock" --once 2>&1)
check "prometheus: sluice_up 1" grep -qx "sluice_up 1" <<<"$prom"
check "prometheus: web's backend counted (>= 4 connections)" \
	awk -v b="${SL_BACKEND_IPS[0]}:$SL_HTTP_PORT" '$1 ~ "^sluice_backend_connections_total" && index($1, b) { found = $2 >= 4 } END { exit !found }' <<<"$prom"
check "prometheus: the port counters are there" \
	grep -q '^sluice_port_rx_packets_total{port="outside"} [1-9]' <<<"$prom"
check "prometheus: each port's steering mode and what went over the redirect rings (none with one worker)" \
	eval "grep -qx 'sluice_port_steering{port=\"outside\",mode=\"off\"} 1' <<<\"\$prom\" &&
	      grep -qx 'sluice_port_rx_redirected_total{port=\"inside\"} 0' <<<\"\$prom\""
check "prometheus: the service counters are there" \
	grep -q '^sluice_service_connections_total{service="web"} [1-9]' <<<"$prom"
# every counter of the lists, by the exporter's naming rule, with its
# description as HELP: the exporter has no list of its own
ctlx --json show counters >"$SL_TMP/counters.json" 2>&1
printf '%s\n' "$prom" >"$SL_TMP/prom.txt"
v=$(/usr/bin/python3 - "$SL_TMP/counters.json" "$SL_TMP/prom.txt" <<'PY' 2>&1
import json, re, sys
counters = json.load(open(sys.argv[1]))["result"]
prom = open(sys.argv[2]).read()
missing = []
for c in counters:
    if c["object"] == "drop":
        continue
    base = re.sub(r"^conns_", "connections_", c["name"])
    base = re.sub(r"(^|_)pkts(_|$)", r"\1packets\2", base)
    if c["type"] == "counter" and not base.endswith("_total"):
        base += "_total"
    name = f'sluice_{c["object"]}_{base}'
    if f"# HELP {name} {c['help']}\n" not in prom or f"# TYPE {name} {c['type']}\n" not in prom \
       or not re.search("^" + re.escape(name) + r"\{[^}]*\} -?[0-9]", prom, re.M):
        missing.append(name)
kinds = {c["object"] for c in counters}
print("yes" if not missing and kinds == {"worker", "service", "backend", "drop"}
      else f"missing {missing}, objects {sorted(kinds)}")
PY
)
check "prometheus: every counter of show counters is a metric with its HELP and TYPE ($v)" [ "$v" = yes ]
check "prometheus: the management lcore's drops are there" \
	grep -q '^sluice_drops_total{worker="management",reason="arp_bad"} [0-9]' <<<"$prom"
check "prometheus: busy as a ratio, flows as a gauge" \
	bash -c "grep -q '^sluice_worker_busy_ratio{worker=\"0\"} ' '$SL_TMP/prom.txt' && grep -q '^# TYPE sluice_worker_flows gauge' '$SL_TMP/prom.txt'"
prom=$(/usr/bin/python3 "$here/../../tools/sluice-prometheus" -s "$SL_TMP/none.sock" --once 2>&1)
check "prometheus: sluice_up 0 when Sluice does not answer" grep -qx "sluice_up 0" <<<"$prom"

out=$(ctlx show stats 2>&1)
check "show stats: a management line" grep -Eq '^management \(lcore 0\):' <<<"$out"
out=$(ctlx --json show stats 2>&1)
v=$(/usr/bin/python3 -c "import json, sys; r = json.loads(sys.argv[1])['result']
print('yes' if isinstance(r['management']['drops'].get('arp_bad'), int) else 'no')" "$out" 2>&1)
check "show stats (JSON): the management lcore's drops by reason ($v)" [ "$v" = yes ]

# --- a service that reuses a removed one's id starts from zero ---------------------
# conns_total of service NAME (JSON), or "none"
svc_total() {
	ctlx --json show services 2>/dev/null | /usr/bin/python3 -c "import json, sys
r = json.load(sys.stdin)['result']
print(next((str(s['conns_total']) for s in r if s['name'] == sys.argv[1]), 'none'))" "$1"
}
for i in 1 2 3; do sl_exec_client curl -s --max-time 5 "http://$SL_VIP:81/name" >/dev/null; done
n=$(svc_total old)
check "service old counted its 3 connections ($n)" [ "$n" = 3 ]
write_conf
line=$(sl_sluice_reload 10)
check "reload without service old applied (${line:-no log line})" [ $? = 0 ]
# it leaves once its connections are gone: drain_timeout 0, timeouts 2 s
for ((t = 0; t < 100; t++)); do
	n=$(svc_total old)
	[ "$n" = none ] && break
	sleep 0.2
done
check "service old is gone after its drain (conns_total ${n})" [ "$n" = none ]
write_conf "${svc_old//old/new}"
sed -i 's/^port = 81$/port = 82/' "$conf"
line=$(sl_sluice_reload 10)
check "reload adding service new applied (${line:-no log line})" [ $? = 0 ]
n=$(svc_total new)
check "service new (old's id again) starts with conns_total 0 ($n)" [ "$n" = 0 ]
sl_exec_client curl -s --max-time 5 "http://$SL_VIP:82/name" >/dev/null
n=$(svc_total new)
check "service new counts its own connection: conns_total 1 ($n)" [ "$n" = 1 ]

# --- telemetry while Sluice stops ----------------------------------------------------
# A client asks the telemetry socket as fast as it can while Sluice shuts
# down: the endpoints must answer (or refuse) until the process is gone,
# never read the freed snapshot or workers.
tsock=/var/run/dpdk/$SL_FILE_PREFIX/dpdk_telemetry.v2
/usr/bin/python3 - "$tsock" "$SL_TMP/tel.out" <<'PY' &
import json, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
n = nulls = 0
try:
    s.connect(sys.argv[1])
    s.recv(65536)
    open(sys.argv[2] + ".ready", "w").close()
    while True:
        for c in ("/sluice/services,web", "/sluice/stats", "/sluice/backends,web", "/sluice/services"):
            s.send(c.encode())
            r = s.recv(65536)
            if not r:
                raise EOFError
            n += 1
            nulls += next(iter(json.loads(r).values())) is None
except (OSError, EOFError, ValueError):
    pass
open(sys.argv[2], "w").write(f"{n} {nulls}\n")
PY
tel_pid=$!
for ((t = 0; t < 50; t++)); do [ -e "$SL_TMP/tel.out.ready" ] && break; sleep 0.1; done
check "telemetry client connected" [ -e "$SL_TMP/tel.out.ready" ]
sleep 0.3
sl_sluice_stop
wait "$tel_pid" 2>/dev/null
read -r tel_n tel_nulls <"$SL_TMP/tel.out" 2>/dev/null
echo "# telemetry during shutdown: ${tel_n:-?} answers, ${tel_nulls:-?} of them null (endpoints off)"
check "sluice exits 0 while telemetry is queried (${SL_SLUICE_RC:-none})" [ "${SL_SLUICE_RC:-1}" = 0 ]
sl_test_finish
