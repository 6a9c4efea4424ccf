#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# End-to-end test of the configuration validator as runtime commands meet
# it, in the namespace topology of lib.sh (client -> VIP -> b1, b2, b3):
#   1. Limits are refused before EAL starts, with FILE:LINE: more than 64
#      workers in [eal] lcores.
#   2. "add backend" through sluicectl is refused, naming the command and
#      the reason, for every backend the file would refuse: loopback,
#      unspecified, broadcast, multicast, a VIP, Sluice's own port
#      addresses, a subnet's broadcast address, an unreachable address,
#      bad id characters, a duplicate, a health-checked service whose
#      backend would sit behind a port without kernel_interface, and a
#      257th backend in a service.
#   3. After all of them nothing changed: the backends are the ones of the
#      file, the VIP answers; a valid backend is still accepted.
#
# Usage: test/e2e/validate.sh SLUICE_BIN SLUICECTL_BIN
# Needs root (network namespaces); exits 77 (skip) otherwise.
# SL_KEEP_TMP=1 keeps the temp dir (config, Sluice log) for inspection.

set -u

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=test/e2e/lib.sh
. "$here/lib.sh"

sl_test_bin_ctl "$@"   # sets bin, ctl_bin

sl_init "slv$$"
conf=$SL_TMP/sluice.ini
log=$SL_TMP/sluice.log
sock=$SL_TMP/sluice.sock

B1=${SL_BACKEND_IPS[0]}:$SL_HTTP_PORT
B2=${SL_BACKEND_IPS[1]}:$SL_HTTP_PORT
B3=${SL_BACKEND_IPS[2]}:$SL_HTTP_PORT

# refused DESC TEXT ARGS...: "sluicectl ARGS" exits 1 and its error is
# exactly "sluicectl: TEXT".
refused() {
	local desc=$1 want="sluicectl: $2" got
	shift 2
	ctl "$@"
	got=$(head -n 1 "$CTL_ERR")
	if [ "$rc" = 1 ] && [ "$got" = "$want" ]; then
		ok "$desc: refused ($got)"
	else
		notok "$desc: want exit 1 and '$want', got exit $rc and '$got'"
	fi
}

# --- 1. limits before EAL ------------------------------------------------------

cat >"$SL_TMP/workers.ini" <<EOF
[eal]
lcores = 0-65
args = --no-pci --no-huge -m 256 --file-prefix ${SL_FILE_PREFIX}w
[port.a]
device = net_null0
address = 10.9.0.1/24
[service.s]
vip = 10.9.0.100
port = 80
protocol = tcp
backend = 10.9.0.11:80
EOF
out=$("$bin" -c "$SL_TMP/workers.ini" 2>&1)
st=$?
want="$SL_TMP/workers.ini:2: lcores '0-65' names 66 lcores: at most 64 workers besides the management lcore (65 lcores in all)"
v=no; [ $st -ne 0 ] && grep -qF -- "$want" <<<"$out" && ! grep -q '^EAL:' <<<"$out" && v=yes
check "66 lcores: refused before EAL with FILE:LINE (status $st: $(head -n 1 <<<"$out" | cut -c1-150))" [ $v = yes ]

# --- set up --------------------------------------------------------------------

echo "# e2e validator through sluicectl, namespaces ${SL_PFX}-*"
sl_test_topo_up ok
# the inside port gets a kernel interface: health checks of [service.chk]
# reach b1..b3 through it, never anything behind the outside port
sl_kernel_interfaces inside

# [service.big]: 256 backends (one address nobody answers, 256 ports;
# nothing is sent to them), the most a service can have
{
	sl_write_config_services "$conf" 1 "admin_socket = $sock" <<EOF
[service.web]
vip = $SL_VIP
port = 80
protocol = tcp
scheduler = rr
backend = $B1 id=one
backend = $B2
backend = $B3

[service.chk]
vip = $SL_VIP
port = 53
protocol = udp
check = tcp
backend = ${SL_BACKEND_IPS[0]}:$SL_UDP_PORT check_port=$SL_HTTP_PORT

[service.big]
vip = $SL_VIP
port = 81
protocol = tcp
EOF
	for ((i = 0; i < 256; i++)); do
		echo "backend = 10.1.0.20:$((1000 + i))"
	done >>"$conf"
} || { notok "write the configuration"; sl_test_finish; }
sl_sluice_start "$bin" "$conf" "$log"
if ! sl_sluice_wait_ready 60; then
	notok "sluice ready"
	tail -n 40 "$log" | diag
	sl_test_finish
fi
ok "sluice ready (pid $SL_SLUICE_PID)"
ctl show backends web
before=$(cat "$CTL_OUT")

# --- 2. add backend: what the file would refuse ----------------------------------

refused "loopback" "add backend: backend address 127.0.0.1 is a loopback address (expected a unicast address); nothing changed" \
	add backend web 127.0.0.1:80
refused "unspecified" "add backend: backend address 0.0.0.0 is the unspecified address (expected a unicast address); nothing changed" \
	add backend web 0.0.0.0:80
refused "broadcast" "add backend: backend address 255.255.255.255 is the broadcast address (expected a unicast address); nothing changed" \
	add backend web 255.255.255.255:80
refused "multicast" "add backend: backend address 224.0.0.9 is a multicast address (expected a unicast address); nothing changed" \
	add backend web 224.0.0.9:80
refused "the VIP" "add backend: backend $SL_VIP is the vip of [service.web]; a backend must be a real server; nothing changed" \
	add backend web "$SL_VIP:8081"
refused "the outside port's address" "add backend: backend $SL_OUT_IP is the own address of [port.outside]; choose another address; nothing changed" \
	add backend web "$SL_OUT_IP:80"
refused "the inside port's address" "add backend: backend $SL_IN_IP is the own address of [port.inside]; choose another address; nothing changed" \
	add backend web "$SL_IN_IP:8080"
refused "a subnet's broadcast address" "add backend: backend 10.1.0.255 is the broadcast address of subnet 10.1.0.0/24 of [port.inside] (expected a host address); nothing changed" \
	add backend web 10.1.0.255:80
refused "unreachable" "add backend: backend 192.168.5.5 is not reachable: it is inside no port's subnet and no route covers it (add 'route = PREFIX via GATEWAY' or 'gateway = GATEWAY' to the port that reaches it); nothing changed" \
	add backend web 192.168.5.5:80
refused "bad id characters" "add backend: backend id 'a/b' is not 1-31 characters of A-Z a-z 0-9 _ . : -; nothing changed" \
	add backend web 10.1.0.50:8080 id=a/b
refused "weight 0" "add backend: backend weight 0 is out of range (expected 1..65535); nothing changed" \
	add backend web 10.1.0.50:8080 weight=0
refused "a duplicate id" "backend 10.1.0.50:8080 is already in service web" \
	add backend web 10.1.0.50:8080 id=one
refused "an id that is another backend's IP:PORT" "backend 10.1.0.50:8080 is already in service web" \
	add backend web 10.1.0.50:8080 "id=$B2"
refused "checks, but no kernel_interface on the port that reaches it" \
	"add backend: health checks of [service.chk] need kernel_interface on [port.outside], the port that reaches backend 10.0.0.50; nothing changed" \
	add backend chk 10.0.0.50:53
refused "a 257th backend" "add backend: service big has 256 backends, the most a service can have; remove one first" \
	add backend big 10.1.0.50:80

# --- 3. nothing changed; a good backend still goes in ---------------------------

ctl show backends web
v=no; [ "$rc" = 0 ] && [ "$(cat "$CTL_OUT")" = "$before" ] && v=yes
check "after the refusals: service web has the backends of the file only" [ $v = yes ]
b=$(sl_http name)
check "after the refusals: the VIP answers ($b)" eval '[[ $b == b[123] ]]'
ctl add backend chk "${SL_BACKEND_IPS[1]}:$SL_UDP_PORT"
check "a backend behind the port with kernel_interface goes into the checked service (exit $rc)" [ "$rc" = 0 ]
ctl add backend web 10.1.0.50:8080 weight=2 id=five
check "a valid backend is accepted (exit $rc: $(head -c 100 "$CTL_OUT"))" [ "$rc" = 0 ]
ctl show backends web
check "it is listed" grep -q '^backend 10.1.0.50:8080 ' "$CTL_OUT"
sl_sluice_alive
check "sluice still runs" [ $? = 0 ]

sl_test_sluice_stop "validate" "$log"
sl_test_finish
