#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
#
# Sluice -- make TRex's server-side port answer for many backend addresses.
#
# TRex answers ARP only for the one address of each port (port_info "ip" in
# trex_cfg.yaml).  Sluice must resolve every backend address to a MAC before
# it forwards to it, so backends at other addresses of the inside subnet
# (10.1.0.11, 10.1.0.12, ...) stay unresolved and their traffic is held and
# then dropped.  Sluice learns a neighbour from any ARP packet whose sender
# address is one of its next hops, so a gratuitous ARP sent from the TRex port
# for each backend address, with the port's MAC as sender, resolves them all.
# Each announcement lasts Sluice's neigh_timeout ([global], up to 86400 s):
# announce again before it runs out (--every), or raise neigh_timeout.
#
# Two ways to use it:
#
#   1. print TRex console commands to paste (no TRex libraries needed); the
#      MAC is the one "portattr -p 1" (or "stats --ps") shows for port 1:
#        tools/trex/announce_backends.py --print --mac 3c:fd:fe:aa:bb:cc \
#            --backends 10.1.0.11-10.1.0.14
#
#   2. push them through the TRex Python API (run with TRex's interactive
#      library on PYTHONPATH, or TREX_DIR set to TRex's install directory):
#        TREX_DIR=/opt/trex/v3.06 tools/trex/announce_backends.py \
#            --mode astf --backends 10.1.0.11-10.1.0.14 [--every 60]
#      The port must not be owned by another session (the console), or pass
#      --force to take it over.

import argparse
import ipaddress
import os
import sys
import time


def parse_backends(text):
    """'10.1.0.11-10.1.0.14,10.1.0.20,10.1.0.32/30' -> list of address strings."""
    out = []
    for item in text.split(","):
        item = item.strip()
        if not item:
            continue
        if "-" in item:
            lo, hi = (ipaddress.IPv4Address(x.strip()) for x in item.split("-", 1))
            if hi < lo:
                raise argparse.ArgumentTypeError("empty range %s" % item)
            out += [str(ipaddress.IPv4Address(a)) for a in range(int(lo), int(hi) + 1)]
        elif "/" in item:
            out += [str(a) for a in ipaddress.IPv4Network(item, strict=False).hosts()]
        else:
            out.append(str(ipaddress.IPv4Address(item)))
    if not out:
        raise argparse.ArgumentTypeError("no backend addresses in %r" % text)
    if len(out) > 4096:
        raise argparse.ArgumentTypeError("%d addresses: too many to announce" % len(out))
    return out


def console_line(port, mac, ip):
    # "pkt" splits its arguments on blanks: the expression must have none
    return ('pkt -p %d -s Ether(dst="ff:ff:ff:ff:ff:ff")/'
            'ARP(op=1,hwsrc="%s",psrc="%s",hwdst="00:00:00:00:00:00",pdst="%s")'
            % (port, mac, ip, ip))


def trex_client(mode, server):
    trex_dir = os.environ.get("TREX_DIR")
    if trex_dir:
        sys.path.insert(0, os.path.join(trex_dir, "automation", "trex_control_plane",
                                        "interactive"))
    if mode == "stl":
        from trex.stl.api import STLClient
        return STLClient(server=server)
    from trex.astf.api import ASTFClient
    return ASTFClient(server=server)


def push(args):
    from scapy.all import ARP, Ether

    c = trex_client(args.mode, args.server)
    c.connect()
    try:
        if args.mode == "stl":
            c.acquire(ports=[args.port], force=args.force)
        else:
            c.acquire(force=args.force)
        mac = c.get_port(args.port).get_layer_cfg()["ether"]["src"]
        pkts = [Ether(dst="ff:ff:ff:ff:ff:ff") /
                ARP(op=1, hwsrc=mac, psrc=ip, hwdst="00:00:00:00:00:00", pdst=ip)
                for ip in args.backends]
        while True:
            # at most ~1 ms apart: a burst of a few thousand is fine for Sluice
            c.push_packets(pkts, ports=[args.port], force=True, ipg_usec=100)
            print("announced %d address(es) on port %d as %s" % (len(pkts), args.port, mac))
            if args.every <= 0:
                break
            time.sleep(args.every)
    except KeyboardInterrupt:
        pass
    finally:
        try:
            if args.mode == "stl":
                c.release(ports=[args.port])
            else:
                c.release()
        finally:
            c.disconnect()


def main():
    p = argparse.ArgumentParser(description="Announce Sluice backend addresses from a TRex port "
                                            "with gratuitous ARP")
    p.add_argument("--backends", type=parse_backends, required=True,
                   help="addresses: A.B.C.D, A.B.C.D-A.B.C.E or A.B.C.D/NN, comma-separated")
    p.add_argument("--port", type=int, default=1, help="TRex port facing Sluice's inside port")
    p.add_argument("--print", dest="print_only", action="store_true",
                   help="print TRex console 'pkt' commands instead of pushing")
    p.add_argument("--mac", help="MAC of the TRex port (with --print)")
    p.add_argument("--mode", choices=("stl", "astf"), default="stl",
                   help="mode the TRex server was started in")
    p.add_argument("--server", default="localhost", help="TRex server address")
    p.add_argument("--every", type=float, default=0,
                   help="repeat every N seconds until interrupted (0 = once)")
    p.add_argument("--force", action="store_true", help="take the port over from another session")
    args = p.parse_args()

    if args.print_only:
        if not args.mac:
            p.error("--print needs --mac (see 'portattr -p %d' in the TRex console)" % args.port)
        for ip in args.backends:
            print(console_line(args.port, args.mac.lower(), ip))
        return 0
    push(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
