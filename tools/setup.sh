#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Install what Sluice needs to build, test and run its demo on Debian 12.
# Idempotent: does nothing (and needs no network) when everything is there.
# Usage: tools/setup.sh          (as root, or with sudo available)

set -eu

PACKAGES=(
	libdpdk-dev dpdk dpdk-dev libnuma-dev libpcap-dev libinih-dev
	libcunit1-dev meson ninja-build pkg-config gcc python3 python3-scapy
	iproute2 ethtool curl iputils-ping procps tcpdump
	nginx libnginx-mod-stream haproxy iptables wrk iperf3
	clang libclang-rt-14-dev llvm
	debhelper dpkg-dev systemd
	bird2   # BIRD 2: the anycast test and demo run their own daemons
)

missing=()
for p in "${PACKAGES[@]}"; do
	st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	[ "$st" = installed ] || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
	echo "setup: all ${#PACKAGES[@]} packages already installed"
	exit 0
fi

echo "setup: installing ${missing[*]}"
sudo=
if [ "$(id -u)" -ne 0 ]; then
	command -v sudo >/dev/null || { echo "setup: need root (or sudo) to install packages" >&2; exit 1; }
	sudo=sudo
fi
export DEBIAN_FRONTEND=noninteractive
$sudo env DEBIAN_FRONTEND=noninteractive apt-get update -q
$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
echo "setup: done"
