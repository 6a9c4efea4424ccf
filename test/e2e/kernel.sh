#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# End-to-end test of the exception path: with kernel_interface set on
# both ports, traffic for Sluice's own addresses reaches the kernel of
# Sluice's namespace through TAP interfaces, and the kernel reaches the
# backends through the DPDK-owned inside port, while VIP traffic is still
# balanced by the workers.
#
# Usage: test/e2e/kernel.sh SLUICE_BIN
# Needs root (network namespaces); exits 77 (skip) otherwise.

set -u
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=test/e2e/lib.sh
. "$here/lib.sh"
bin=${1:-}
sl_test_usage "SLUICE_BIN" "$bin"
sl_test_require_root
bin=$(sl_abspath "$bin")

sl_init "slk$$"
conf=$SL_TMP/sluice.ini
log=$SL_TMP/sluice.log
if ! sl_topo_up; then
	notok "topology set up"
	sl_test_finish
fi
# both ports get a kernel interface (and the namespace strict rp_filter:
# see sl_kernel_interfaces in lib.sh)
sl_kernel_interfaces outside inside
sl_write_config_services "$conf" 1 <<INI
[service.web]
vip = $SL_VIP
port = 80
protocol = tcp
backend = ${SL_BACKEND_IPS[0]}:$SL_HTTP_PORT
backend = ${SL_BACKEND_IPS[1]}:$SL_HTTP_PORT
INI
sl_sluice_start "$bin" "$conf" "$log"
if ! sl_sluice_wait_ready 60; then
	notok "sluice ready"
	sl_test_finish
fi
setup "sluice ready with kernel interfaces"
check "kernel interface sl-out has $SL_OUT_IP" \
	grep -q "$SL_OUT_IP/24" <<<"$(ip -n "$SL_NS_SLUICE" -br addr show sl-out)"

# 1. ping to Sluice's own address, answered by the kernel
out=$(sl_exec_client ping -c 3 -i 0.3 -W 2 "$SL_OUT_IP" 2>&1)
check "ping $SL_OUT_IP: 3 replies, no duplicates" \
	grep -q "3 packets transmitted, 3 received, 0% packet loss" <<<"$out"

# 2. a TCP service of the kernel's, on Sluice's own address
ip netns exec "$SL_NS_SLUICE" "$SL_PY" -c "
import socket
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('$SL_OUT_IP', 9000)); s.listen(1); s.settimeout(20)
c, a = s.accept(); c.sendall(b'kernel behind sluice\n'); c.close()" &
SL_PIDS+=($!)
sleep 0.5
banner=$(sl_exec_client "$SL_PY" -c "
import socket
s = socket.create_connection(('$SL_OUT_IP', 9000), timeout=5)
print(s.recv(100).decode().strip())" 2>&1)
check "TCP to $SL_OUT_IP:9000 reaches a kernel listener ('$banner')" \
	[ "$banner" = "kernel behind sluice" ]

# 3. the kernel reaches a backend through the DPDK-owned inside port
body=$(ip netns exec "$SL_NS_SLUICE" curl -s --max-time 5 \
	"http://${SL_BACKEND_IPS[0]}:$SL_HTTP_PORT/name")
check "kernel in Sluice's namespace fetches from a backend ($body)" [ "$body" = b1 ]

# 4. VIP traffic still balanced by the workers
good=0
for i in 1 2 3 4; do
	case $(sl_http name) in b1|b2) good=$((good + 1)) ;; esac
done
check "4 requests to the VIP succeed ($good/4)" [ "$good" -eq 4 ]

sl_sluice_stop
check "sluice exits 0 (status ${SL_SLUICE_RC:-none})" [ "${SL_SLUICE_RC:-1}" = 0 ]
echo=$(grep -E '^worker 0 ' "$log" | grep -oE 'icmp_echo [0-9]+')
check "the workers answered no ping themselves ($echo)" [ "$echo" = "icmp_echo 0" ]
check "kernel interfaces gone after exit" \
	bash -c "! ip -n '$SL_NS_SLUICE' link show sl-out >/dev/null 2>&1"
sl_test_finish
