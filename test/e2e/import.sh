#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# End-to-end test of tools/import-keepalived, in the namespace topology of
# lib.sh. A keepalived configuration with four NAT virtual servers on the
# VIP over b1..b3 (lib.sh's backends on :8080):
#   :80 lb_algo rr, HTTP_GET /name status 200       (delay_loop 1, 0.5 s timeout)
#   :81 lb_algo wrr, weights 3, 1, 1, TCP_CHECK
#   :82 lb_algo lc, TCP_CHECK
#   :83 lb_algo sh, persistence_timeout 30
# and what Sluice has no equivalent for: a fwmark virtual server, lb_algo
# dh, an SSL_GET check, a sorry_server.
#   1. The converter names each of those four on standard error with the
#      file and line, and exits 1; the sections it writes, with lib.sh's
#      ports, are a configuration Sluice accepts and starts with.
#   2. They balance as keepalived's would: rr 30 requests 10/10/10; wrr 50
#      requests 30/10/10; lc 9 sequential requests reach every backend; sh
#      sends one client's 10 requests to one backend; the http check
#      passes for all (every backend up).
#
# Usage: test/e2e/import.sh SLUICE_BIN SLUICECTL_BIN
# Needs root (network namespaces); exits 77 (skip) otherwise.

set -u
export LC_ALL=C
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=test/e2e/lib.sh
. "$here/lib.sh"

sl_test_bin_ctl "${1:-}" "${2:-}"   # sets bin, ctl_bin
sl_init "slki$$"
sock=$SL_TMP/sluice.sock
IMPORT=$here/../../tools/import-keepalived
B=("${SL_BACKEND_IPS[@]}")
HP=$SL_HTTP_PORT

echo "# e2e keepalived import, namespaces ${SL_PFX}-*"
sl_test_topo_up
sl_kernel_interfaces inside

kc=$SL_TMP/keepalived.conf
cat >"$kc" <<KEEPALIVED
! Configuration File for keepalived
global_defs {
   router_id LVS_TEST
}

virtual_server $SL_VIP 80 {
    delay_loop 1
    lb_algo rr
    lb_kind NAT
    protocol TCP
    real_server ${B[0]} $HP {
        weight 1
        HTTP_GET {
            url {
              path /name
              status_code 200
            }
            connect_timeout 0.5
        }
    }
    real_server ${B[1]} $HP {
        weight 1
        HTTP_GET {
            url {
              path /name
              status_code 200
            }
            connect_timeout 0.5
        }
    }
    real_server ${B[2]} $HP {
        weight 1
        HTTP_GET {
            url {
              path /name
              status_code 200
            }
            connect_timeout 0.5
        }
    }
}

virtual_server $SL_VIP 81 {
    delay_loop 1
    lb_algo wrr
    lb_kind NAT
    protocol TCP
    real_server ${B[0]} $HP {
        weight 3
        TCP_CHECK {
            connect_timeout 0.5
        }
    }
    real_server ${B[1]} $HP {
        weight 1
        TCP_CHECK {
            connect_timeout 0.5
        }
    }
    real_server ${B[2]} $HP {
        weight 1
        TCP_CHECK {
            connect_timeout 0.5
        }
    }
}

virtual_server $SL_VIP 82 {
    lb_algo lc
    lb_kind NAT
    protocol TCP
    real_server ${B[0]} $HP {
        TCP_CHECK {
            connect_port $HP
        }
    }
    real_server ${B[1]} $HP {
    }
    real_server ${B[2]} $HP {
    }
}

virtual_server $SL_VIP 83 {
    lb_algo sh
    lb_kind NAT
    persistence_timeout 30
    protocol TCP
    sorry_server ${B[0]} $HP
    real_server ${B[0]} $HP {
    }
    real_server ${B[1]} $HP {
    }
    real_server ${B[2]} $HP {
    }
}

virtual_server fwmark 1 {
    lb_algo rr
    real_server ${B[0]} $HP {
    }
}

virtual_server $SL_VIP 84 {
    lb_algo dh
    lb_kind NAT
    protocol TCP
    real_server ${B[0]} $HP {
        SSL_GET {
            url {
              path /
            }
        }
    }
}
KEEPALIVED

# --- 1. conversion -----------------------------------------------------------------
svcs=$SL_TMP/services.ini
"$SL_PY" "$IMPORT" -o "$svcs" "$kc" 2>"$SL_TMP/import.err"
rc=$?
diag <"$SL_TMP/import.err"
check "the converter exits 1: something had no equivalent (status $rc)" [ "$rc" -eq 1 ]
for what in "$(grep -n 'virtual_server fwmark' "$kc" | cut -d: -f1): virtual_server fwmark" \
	"$(grep -n 'lb_algo dh' "$kc" | cut -d: -f1): lb_algo dh" \
	"$(grep -n 'SSL_GET' "$kc" | cut -d: -f1): SSL_GET" \
	"$(grep -n 'sorry_server' "$kc" | cut -d: -f1): sorry_server"; do
	check "reported with its line: $kc:${what%%: *}: ${what#*: }" \
		grep -qF "$kc:$what" "$SL_TMP/import.err"
done
n=$(grep -c '^\[service\.' "$svcs")
check "5 services written (the fwmark one left out): $n" [ "$n" -eq 5 ]
sl_write_config_services "$SL_TMP/sluice.ini" 1 "admin_socket = $sock" <"$svcs"
if ! sl_test_sluice_start "sluice starts with the converted services" "$bin" "$SL_TMP/sluice.ini" \
	"$SL_TMP/sluice.log"; then
	sl_test_finish
fi
ok "sluice starts with the converted services"

# --- 2. balancing ------------------------------------------------------------------
# the checks every second have run a few times
sleep 2.5
t=$(sl_tally "$(sl_http_port 80 30)")
check "rr (HTTP_GET checked): 30 requests to :80 -> $t" [ "$t" = "b1=10 b2=10 b3=10 other=0" ]
t=$(sl_tally "$(sl_http_port 81 50)")
check "wrr 3:1:1: 50 requests to :81 -> $t" [ "$t" = "b1=30 b2=10 b3=10 other=0" ]
t=$(sl_tally "$(sl_http_port 82 9)")
v=no
[[ "$t" =~ b1=[1-9].*b2=[1-9].*b3=[1-9].*other=0 ]] && v=yes
check "lc: 9 requests to :82 reach every backend -> $t" [ $v = yes ]
t=$(sl_tally "$(sl_http_port 83 10)")
v=no
[[ "$t" =~ (b1=10|b2=10|b3=10) ]] && v=yes
check "sh: one client's 10 requests to :83 go to one backend -> $t" [ $v = yes ]
: >"$SL_TMP/backends.txt"
for s in vs_10_0_0_100_80_tcp vs_10_0_0_100_81_tcp; do
	ctl show backends "$s"
	cat "$CTL_OUT" >>"$SL_TMP/backends.txt"
done
diag <"$SL_TMP/backends.txt"
n=$(grep -c '^backend .* state active .* check passing' "$SL_TMP/backends.txt")
check "the converted http and tcp checks pass: $n of 6 checked backends up" [ "$n" -eq 6 ]
sl_test_sluice_stop "import" "$SL_TMP/sluice.log"
sl_test_finish
