#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# The Debian package, built from this tree by tools/build-deb with
# DEB_BUILD_OPTIONS="nocheck noopt noddebs" (no tests, no optimisation:
# the same files, built in half the time), then taken apart:
#   1. dpkg-deb -I: package sluice, version = meson.build's version + "-N";
#      Depends names the package of every librte_* library /usr/bin/sluice
#      is linked against (dpkg-shlibdeps), the DPDK drivers EAL loads at
#      run time (mempool ring, af_packet, TAP), python3; Recommends the
#      AF_XDP driver; conffiles holds /etc/sluice/sluice.ini.
#   2. dpkg-deb -c: sluice, sluicectl and sluice-prometheus in /usr/bin,
#      executable; /etc/sluice/sluice.ini; sluice.service in
#      /lib/systemd/system; every file the build directory's meson
#      install plan names (man pages included, compressed or not).
#   3. Maintainer scripts: the unit is stopped when the package is
#      removed, never restarted by an upgrade, not enabled (so not
#      started) by a first installation.
#   4. dpkg -x into a scratch root: the packaged sluice, sluicectl and
#      sluice-prometheus run (--help); the configuration is the tree's
#      config/sluice.ini; the unit's ExecStart names the packaged binary
#      and configuration; its RuntimeDirectory holds the configuration's
#      admin_socket.
#   5. systemd-analyze verify accepts the unit without a word (its
#      commands looked up in the scratch root), and does complain about a
#      copy with a bad Type= (the check can fail).
#
# Usage: test/pkg/deb.sh SOURCE_DIR BUILD_DIR
# Needs dpkg-dev, debhelper and systemd (tools/setup.sh installs them);
# without them the checks are skipped. No root needed.

set -u
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=test/e2e/lib.sh
. "$here/../e2e/lib.sh"

src=${1:-}
build=${2:-}
sl_test_usage "SOURCE_DIR BUILD_DIR" "$src" "$build"
src=$(cd "$src" && pwd)
SL_TEST_LOG_LINES=0

missing=
for t in dpkg-buildpackage dh dpkg-deb dpkg-shlibdeps systemd-analyze; do
	command -v "$t" >/dev/null || missing+=" $t"
done
if [ -n "$missing" ]; then
	skip "Debian package built and checked" "missing:$missing (tools/setup.sh installs them)"
	sl_test_finish
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/sluice-pkg.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# --- build ------------------------------------------------------------------
t0=$SECONDS
if DEB_BUILD_OPTIONS="nocheck noopt noddebs parallel=$(nproc)" \
	"$src/tools/build-deb" "$tmp/out" >"$tmp/build.log" 2>&1; then
	ok "tools/build-deb built the package in $((SECONDS - t0)) s"
else
	notok "tools/build-deb built the package"
	tail -n 40 "$tmp/build.log" | diag
	sl_test_finish
fi
deb=$(ls "$tmp"/out/sluice_*.deb)
echo "# $(basename "$deb"), $(stat -c %s "$deb") bytes"

# --- 1. control data -----------------------------------------------------------
dpkg-deb -e "$deb" "$tmp/control"
dpkg-deb -I "$deb" | diag
field() { dpkg-deb -f "$deb" "$1"; }
check "package name is sluice" test "$(field Package)" = sluice
version=$(sed -n "s/^ *version: *'\([^']*\)'.*/\1/p" "$src/meson.build" | head -n 1)
case $(field Version) in
"$version"-*) ok "version $(field Version) is meson.build's $version" ;;
*) notok "version $(field Version) is meson.build's $version" ;;
esac
depends=" $(field Depends | tr -d ' ' | tr ',' ' ') "
# has_dep NAME: Depends lists package NAME (any version constraint)
has_dep() { [[ $depends == *" $1 "* || $depends == *" $1("* ]]; }

dpkg -x "$deb" "$tmp/root"
root=$tmp/root
needed=$(objdump -p "$root/usr/bin/sluice" | awk '$1 == "NEEDED" && $2 ~ /^librte_/ {print $2}')
bad=
for lib in $needed; do
	p=$(dpkg-query -S "*/$lib" 2>/dev/null | head -n 1 | cut -d: -f1)
	{ [ -n "$p" ] && has_dep "$p"; } || bad+=" $lib(${p:-no package})"
done
check "Depends names the package of each of sluice's $(wc -w <<<"$needed") librte_* libraries${bad:+ (missing:$bad)}" \
	test -n "$needed" -a -z "$bad"
for d in mempool_ring net_af_packet net_tap; do
	p=$(dpkg-query -S "$(readlink -f /usr/lib/*/dpdk/pmds-*/librte_$d.so | head -n 1)" 2>/dev/null | cut -d: -f1)
	check "Depends names the DPDK driver $d (${p:-no package})" has_dep "${p:-none}"
done
check "Depends names python3 (sluice-prometheus)" has_dep python3
p=$(dpkg-query -S "$(readlink -f /usr/lib/*/dpdk/pmds-*/librte_net_af_xdp.so | head -n 1)" 2>/dev/null | cut -d: -f1)
check "Recommends names the DPDK driver net_af_xdp (${p:-no package})" \
	grep -qE "(^|, )${p:-none}(,|$)" <<<"$(field Recommends)"
check "conffiles holds /etc/sluice/sluice.ini" grep -qx /etc/sluice/sluice.ini "$tmp/control/conffiles"

# --- 2. files --------------------------------------------------------------------
dpkg-deb -c "$deb" | awk '{print $1, $6}' >"$tmp/files"
for f in /usr/bin/sluice /usr/bin/sluicectl /usr/bin/sluice-prometheus; do
	check "$f is in the package, executable" grep -qE "^-rwxr-xr-x \.$f\$" "$tmp/files"
done
for f in /etc/sluice/sluice.ini /lib/systemd/system/sluice.service; do
	check "$f is in the package" grep -qE "^-rw-r--r-- \.$f\$" "$tmp/files"
done
# whatever meson installs (binaries, man pages, ...), by name: the build
# directory's prefix may differ from the package's /usr
if plan=$(meson introspect --installed "$build" 2>/dev/null); then
	names=$("$SL_PY" -c 'import json, os, sys
for p in json.load(sys.stdin).values():
    print(os.path.basename(p))' <<<"$plan" | sort -u)
	have=$(awk '{ n = split($2, p, "/"); sub(/\.gz$/, "", p[n]); print p[n] }' "$tmp/files")
	lost=
	for n in $names; do
		grep -qxF -- "$n" <<<"$have" || lost+=" $n"
	done
	check "every file meson installs is in the package ($(wc -w <<<"$names") names${lost:+; missing:$lost})" \
		test -z "$lost"
	mans=$(grep -cE '^-.* \./usr/share/man/' "$tmp/files")
	echo "# man pages in the package: $mans"
else
	notok "meson introspect --installed $build"
fi

# --- 3. maintainer scripts -------------------------------------------------------
check "prerm stops sluice.service on removal" \
	grep -qE "deb-systemd-invoke stop .*sluice\.service" "$tmp/control/prerm"
check "no maintainer script restarts sluice.service" \
	bash -c "! grep -ls -E 'restart' '$tmp'/control/p*inst '$tmp'/control/prerm"
# dh_installsystemd --no-enable: enable only what an earlier version of
# the package had installed and the admin had enabled
check "postinst enables sluice.service only where the admin had it enabled" \
	grep -qE "deb-systemd-helper debian-installed 'sluice\.service'" "$tmp/control/postinst"

# --- 4. the unpacked package -------------------------------------------------------
out=$("$root/usr/bin/sluice" --help 2>&1)
check "the packaged sluice runs (--help)" grep -q '^usage: .*sluice -c FILE' <<<"$out"
out=$("$root/usr/bin/sluicectl" --help 2>&1)
check "the packaged sluicectl runs (--help)" grep -q '^usage: sluicectl' <<<"$out"
out=$("$root/usr/bin/sluice-prometheus" --help 2>&1)
check "the packaged sluice-prometheus runs (--help)" grep -q '^usage: sluice-prometheus' <<<"$out"
check "/etc/sluice/sluice.ini is the tree's config/sluice.ini" \
	cmp -s "$root/etc/sluice/sluice.ini" "$src/config/sluice.ini"

unit=$root/lib/systemd/system/sluice.service
key() { sed -n "s/^$1=//p" "$unit" | tail -n 1; }
check "unit: Type=notify" test "$(key Type)" = notify
exec_start=$(key ExecStart)
read -r exe _ conf <<<"$exec_start"
check "unit: ExecStart ($exec_start) runs the packaged binary on the packaged file" \
	test "$exe" = /usr/bin/sluice -a -x "$root$exe" -a -f "$root$conf"
# shellcheck disable=SC2016  # $MAINPID is systemd's, not ours
check "unit: ExecReload sends SIGHUP to the main process" \
	test "$(key ExecReload)" = '/bin/kill -HUP $MAINPID'
sock=$(sed -n 's/^admin_socket *= *//p' "$root/etc/sluice/sluice.ini")
check "unit: RuntimeDirectory=$(key RuntimeDirectory) holds admin_socket $sock" \
	test "/run/$(key RuntimeDirectory)/$(basename "$sock")" = "$sock"
check "unit: WatchdogSec set ($(key WatchdogSec)), LimitMEMLOCK=infinity" \
	test -n "$(key WatchdogSec)" -a "$(key LimitMEMLOCK)" = infinity

# --- 5. systemd-analyze verify --------------------------------------------------------
# the unit's absolute /usr/bin paths point into the scratch root, so the
# packaged binary is the one looked up; everything else is the host's
sed "s|=/usr/bin/|=$root/usr/bin/|" "$unit" >"$tmp/sluice.service"
v=$(SYSTEMD_LOG_TARGET=console SYSTEMD_LOG_COLOR=0 systemd-analyze verify "$tmp/sluice.service" 2>&1)
vrc=$?
if [ "$vrc" -eq 0 ] && [ -z "$v" ]; then
	ok "systemd-analyze verify: no error, no warning"
else
	notok "systemd-analyze verify: no error, no warning (status $vrc)"
	diag <<<"$v"
fi
sed -i 's/^Type=notify$/Type=notifyx/' "$tmp/sluice.service"
v=$(SYSTEMD_LOG_TARGET=console SYSTEMD_LOG_COLOR=0 systemd-analyze verify "$tmp/sluice.service" 2>&1)
check "systemd-analyze verify complains about Type=notifyx (the check can fail)" \
	grep -q notifyx <<<"$v"
if sec=$(SYSTEMD_LOG_TARGET=console systemd-analyze security --offline=yes \
	"$tmp/sluice.service" 2>/dev/null | tail -n 1); then
	echo "# systemd-analyze security: ${sec#→ }"
fi

sl_test_finish
