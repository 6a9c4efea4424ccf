#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# End-to-end test of packet capture: `capture start FILE web count N`
# through sluicectl while a client fetches through the VIP; the file is a
# valid pcap that tcpdump reads, holding the client's packets as they
# arrived (to the VIP) and as they left rewritten (to a backend), and the
# replies both ways.
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
sl_write_config_services "$conf" 1 "admin_socket = $sock" <<INI
[service.web]
vip = $SL_VIP
port = 80
protocol = tcp
backend = ${SL_BACKEND_IPS[0]}:$SL_HTTP_PORT
INI
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
prom=$(/usr/bin/python3 "$here/../../tools/sluice-prometheus" -s "$SL_TMP/none.sock" --once 2>&1)
check "prometheus: sluice_up 0 when Sluice does not answer" grep -qx "sluice_up 0" <<<"$prom"

sl_sluice_stop
check "sluice exits 0 (${SL_SLUICE_RC:-none})" [ "${SL_SLUICE_RC:-1}" = 0 ]
sl_test_finish
