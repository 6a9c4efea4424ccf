# SPDX-License-Identifier: BSD-3-Clause
"""Userspace decapsulator for one backend of the tunnel-mode end-to-end test.

The test kernel has no ipip, gre or fou module, so a backend cannot
terminate Sluice's tunnels itself. This program does it for the network
namespace it runs in: it opens a TUN device, receives the encapsulated
packets (IPIP: raw socket of protocol 4; GRE: raw socket of protocol 47;
GUE: a UDP socket on the GUE port), strips the outer headers and writes
the inner IPv4 packet to the TUN device, where the kernel takes it as
received (the VIP on lo accepts it). Replies leave by the ordinary routes,
not through here. Over IPv6 (ipip6: IPv6 in IPv6, next header 41;
gre6: GRE of protocol 0x86dd; gue6: GUE of protocol 41 in UDP over IPv6,
whose checksum the kernel verifies): an IPv6 raw socket of protocol 41 or
47, or a UDP socket on [::], receives what follows the outer IPv6 header,
and the inner IPv6 packet goes to the TUN device the same way (IPv6 is
then left on for it).

Usage: decap.py KIND[,KIND...] [--tun NAME] [--gue-port PORT]
  KIND: ipip, gre, gue, ipip6, gre6 or gue6 (several at once, comma-separated).
It prints "ready" once every socket is open and the TUN device is up, then
"stats ..." lines (packets received, written, dropped by reason) on SIGUSR1
and on exit (SIGTERM or SIGINT: exit status 0).
"""

import argparse
import fcntl
import os
import select
import signal
import socket
import struct
import subprocess
import sys

TUNSETIFF = 0x400454CA
IFF_TUN = 0x0001
IFF_NO_PI = 0x1000

IPPROTO_IPIP = 4
IPPROTO_GRE = 47
IPPROTO_IPV6 = 41
ETH_P_IP = 0x0800
ETH_P_IPV6 = 0x86DD

# GRE (RFC 2784 / 2890): flags and version in the first 16 bits
GRE_C = 0x8000      # checksum and reserved1 present
GRE_R = 0x4000      # routing present (RFC 1701, obsolete)
GRE_K = 0x2000      # key present
GRE_S = 0x1000      # sequence number present
GRE_VER = 0x0007


class Stop(Exception):
    pass


def tun_open(name, ipv6):
    fd = os.open("/dev/net/tun", os.O_RDWR)
    ifr = struct.pack("16sH", name.encode(), IFF_TUN | IFF_NO_PI)
    fcntl.ioctl(fd, TUNSETIFF, ifr)
    # the inner source (the client) is routed elsewhere: no reverse-path
    # filter on the TUN; no IPv6 chatter either, unless IPv6 packets are
    # to be taken from it (then no router advertisements accepted)
    conf6 = "/proc/sys/net/ipv6/conf/%s/" % name
    sysctls = [("/proc/sys/net/ipv4/conf/%s/rp_filter" % name, "0")]
    if ipv6:
        sysctls += [(conf6 + "accept_ra", "0"), (conf6 + "disable_ipv6", "0")]
    else:
        sysctls += [(conf6 + "disable_ipv6", "1")]
    for path, value in sysctls:
        try:
            with open(path, "w") as f:
                f.write(value)
        except OSError:
            pass
    subprocess.run(["ip", "link", "set", "dev", name, "up"], check=True)
    return fd


def inner_ipv4(buf):
    """The inner packet if it is a whole IPv4 packet, trimmed to its
    total length; else None."""
    if len(buf) < 20 or buf[0] >> 4 != 4 or (buf[0] & 0xF) < 5:
        return None
    tot = struct.unpack_from("!H", buf, 2)[0]
    if tot < (buf[0] & 0xF) * 4 or tot > len(buf):
        return None
    return buf[:tot]


def inner_ipv6(buf):
    """The inner packet if it is a whole IPv6 packet, trimmed to its
    payload length; else None."""
    if len(buf) < 40 or buf[0] >> 4 != 6:
        return None
    tot = 40 + struct.unpack_from("!H", buf, 4)[0]
    if tot > len(buf):
        return None
    return buf[:tot]


def outer_payload(pkt):
    """What follows the outer IPv4 header of a raw socket's packet."""
    if len(pkt) < 20:
        return None
    ihl = (pkt[0] & 0xF) * 4
    tot = struct.unpack_from("!H", pkt, 2)[0]
    if ihl < 20 or tot < ihl or tot > len(pkt):
        return None
    return pkt[ihl:tot]


def strip_gre(p, inner_proto=ETH_P_IP):
    """(inner, None) or (None, reason)."""
    if len(p) < 4:
        return None, "gre_short"
    flags, proto = struct.unpack_from("!HH", p, 0)
    if flags & GRE_VER:
        return None, "gre_version"
    if flags & GRE_R:
        return None, "gre_routing"
    if proto != inner_proto:
        return None, "gre_proto"
    off = 4
    for bit in (GRE_C, GRE_K, GRE_S):
        if flags & bit:
            off += 4
    if len(p) < off:
        return None, "gre_short"
    return p[off:], None


def strip_gue(p, inner_proto=IPPROTO_IPIP):
    """GUE version 0 (draft-ietf-intarea-gue): byte 0 = version (2 bits),
    C (1 bit), Hlen (5 bits, optional fields in 32-bit words); byte 1 =
    protocol of the payload; bytes 2-3 = flags."""
    if len(p) < 4:
        return None, "gue_short"
    b0, proto = p[0], p[1]
    if b0 >> 6 != 0:
        return None, "gue_version"
    if b0 & 0x20:
        return None, "gue_control"
    if proto != inner_proto:
        return None, "gue_proto"
    off = 4 + (b0 & 0x1F) * 4
    if len(p) < off:
        return None, "gue_short"
    return p[off:], None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("kinds")
    ap.add_argument("--tun", default="tun0")
    ap.add_argument("--gue-port", type=int, default=6080)
    args = ap.parse_args()
    kinds = args.kinds.split(",")
    for k in kinds:
        if k not in ("ipip", "gre", "gue", "ipip6", "gre6", "gue6"):
            ap.error("unknown encapsulation %r" % k)

    stats = {"rx": 0, "tx": 0}

    def drop(reason):
        stats[reason] = stats.get(reason, 0) + 1

    def report():
        print("stats " + " ".join("%s=%d" % kv for kv in sorted(stats.items())), flush=True)

    def on_term(signum, frame):
        raise Stop()

    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, on_term)
    signal.signal(signal.SIGUSR1, lambda s, f: report())

    v6 = [k for k in kinds if k.endswith("6")]
    tun = tun_open(args.tun, bool(v6))
    socks = {}
    if "ipip" in kinds:
        socks["ipip"] = socket.socket(socket.AF_INET, socket.SOCK_RAW, IPPROTO_IPIP)
    if "gre" in kinds:
        socks["gre"] = socket.socket(socket.AF_INET, socket.SOCK_RAW, IPPROTO_GRE)
    if "ipip6" in kinds:
        socks["ipip6"] = socket.socket(socket.AF_INET6, socket.SOCK_RAW, IPPROTO_IPV6)
    if "gre6" in kinds:
        socks["gre6"] = socket.socket(socket.AF_INET6, socket.SOCK_RAW, IPPROTO_GRE)
    if "gue" in kinds:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind(("0.0.0.0", args.gue_port))
        socks["gue"] = s
    if "gue6" in kinds:
        s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        s.bind(("::", args.gue_port))
        socks["gue6"] = s
    for s in socks.values():
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
        s.setblocking(False)
    by_fd = {s.fileno(): (k, s) for k, s in socks.items()}
    poller = select.poll()
    for fd in by_fd:
        poller.register(fd, select.POLLIN)
    print("ready %s tun %s" % (",".join(kinds), args.tun), flush=True)

    try:
        while True:
            for fd, _ in poller.poll():
                kind, s = by_fd[fd]
                while True:
                    try:
                        pkt = s.recv(65535)
                    except BlockingIOError:
                        break
                    stats["rx"] += 1
                    stats[kind] = stats.get(kind, 0) + 1
                    if kind in v6:
                        # no outer header: IPv6 raw sockets start after it
                        why = None
                        if kind == "gre6":
                            pkt, why = strip_gre(pkt, ETH_P_IPV6)
                        elif kind == "gue6":
                            pkt, why = strip_gue(pkt, IPPROTO_IPV6)
                        if pkt is None:
                            drop(why)
                            continue
                        inner = inner_ipv6(pkt)
                        if inner is None:
                            drop("inner_bad")
                            continue
                        try:
                            os.write(tun, inner)
                            stats["tx"] += 1
                        except OSError:
                            drop("tun_write")
                        continue
                    if kind == "gue":
                        payload, why = strip_gue(pkt)
                    else:
                        payload = outer_payload(pkt)
                        why = None if payload is not None else kind + "_outer"
                        if payload is not None and kind == "gre":
                            payload, why = strip_gre(payload)
                    if payload is None:
                        drop(why)
                        continue
                    inner = inner_ipv4(payload)
                    if inner is None:
                        drop("inner_bad")
                        continue
                    try:
                        os.write(tun, inner)
                        stats["tx"] += 1
                    except OSError:
                        drop("tun_write")
    except Stop:
        pass
    report()
    for s in socks.values():
        s.close()
    os.close(tun)
    return 0


if __name__ == "__main__":
    sys.exit(main())
