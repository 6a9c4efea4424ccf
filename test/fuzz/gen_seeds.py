#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Write the seed corpus of the packet and command harnesses
(corpus/fwd, corpus/cmd) for the configuration in fuzz_common.c.
Deterministic: running it again rewrites the same files.

A packet seed is the harness's input format (fuzz_fwd.c): an options
byte, then per frame a control byte (bit 0: arrives on the inside
port), a big-endian length (bit 15: two chained mbufs) and the frame."""
import os
import struct
import sys

from scapy.all import (raw, IPOption, ARP, Ether, ICMP, IP, IPerror, TCP,
                       TCPerror, UDP, UDPerror, Dot1Q, IPv6, IPv6ExtHdrHopByHop,
                       IPv6ExtHdrDestOpt, IPv6ExtHdrFragment,
                       IPv6ExtHdrRouting, ICMPv6EchoRequest,
                       ICMPv6ND_NS, ICMPv6ND_NA, ICMPv6NDOptSrcLLAddr,
                       ICMPv6NDOptDstLLAddr, ICMPv6PacketTooBig,
                       ICMPv6DestUnreach, IPerror6, TCPerror as TCPerr6)

OUT, IN = 0, 1
SL_MAC = "02:00:00:00:00:01"       # Sluice's port (not checked)
CLIENT_MAC = "02:00:00:00:cc:01"
GW_MAC = "02:00:00:00:cc:fe"
BE_MAC = "02:00:00:00:01:00"
CLIENT, CLIENT6 = "10.0.0.50", "2001:db8::50"
FAR = "198.51.100.7"               # behind the outside gateway
VIP, VIP6 = "10.0.0.100", "2001:db8::100"


def rec(frame, port=OUT, new_burst=False, tick=0, chained=False):
    data = frame if isinstance(frame, bytes) else raw(frame)
    ctl = port | (2 if new_burst else 0) | (tick << 2)
    return struct.pack(">BH", ctl, len(data) | (0x8000 if chained else 0)) + data


def c2s(dst, sport, dport, flags="S", proto="tcp", src=CLIENT, payload=b"",
        smac=CLIENT_MAC, seq=1000, ack=0):
    l4 = (TCP(sport=sport, dport=dport, flags=flags, seq=seq, ack=ack)
          if proto == "tcp" else UDP(sport=sport, dport=dport))
    return Ether(src=smac, dst=SL_MAC) / IP(src=src, dst=dst) / l4 / payload


def c2s6(dst, sport, dport, flags="S", proto="tcp", src=CLIENT6, payload=b"",
         ext=None, seq=1000, ack=0):
    l4 = (TCP(sport=sport, dport=dport, flags=flags, seq=seq, ack=ack)
          if proto == "tcp" else UDP(sport=sport, dport=dport))
    ip = IPv6(src=src, dst=dst)
    if ext is not None:
        ip = ip / ext
    return Ether(src=CLIENT_MAC, dst=SL_MAC) / ip / l4 / payload


def b2c(src, sport, dst, dport, flags="SA", proto="tcp", payload=b"", seq=5000, ack=1001):
    l4 = (TCP(sport=sport, dport=dport, flags=flags, seq=seq, ack=ack)
          if proto == "tcp" else UDP(sport=sport, dport=dport))
    return Ether(src=BE_MAC, dst=SL_MAC) / IP(src=src, dst=dst) / l4 / payload


def b2c6(src, sport, dst, dport, flags="SA", proto="tcp", payload=b""):
    l4 = (TCP(sport=sport, dport=dport, flags=flags, seq=5000, ack=1001)
          if proto == "tcp" else UDP(sport=sport, dport=dport))
    return Ether(src=BE_MAC, dst=SL_MAC) / IPv6(src=src, dst=dst) / l4 / payload


def fwd_seeds():
    s = {}
    # nat: handshake, data, replies from each backend the scheduler may
    # have picked, FIN and RST
    recs = [rec(c2s(VIP, 40000, 80))]
    for be in ("10.1.0.11", "10.1.0.12", "10.2.0.13"):
        recs.append(rec(b2c(be, 8080, CLIENT, 40000), IN, True, 1))
    recs += [rec(c2s(VIP, 40000, 80, "A", seq=1001, ack=5001), OUT, True),
             rec(c2s(VIP, 40000, 80, "PA", payload=b"GET / HTTP/1.0\r\n\r\n",
                     seq=1001, ack=5001)),
             rec(c2s(VIP, 40000, 80, "FA", seq=1019, ack=5001), tick=4),
             rec(b2c("10.1.0.11", 8080, CLIENT, 40000, "R"), IN, True)]
    s["tcp-nat-handshake"] = recs
    s["tcp-syn-vip"] = [rec(c2s(VIP, 40001, 80))]
    s["tcp-syn-far-client"] = [rec(c2s(VIP, 40002, 80, src=FAR, smac=GW_MAC))]
    s["tcp-ack-no-flow"] = [rec(c2s(VIP, 40003, 80, "A"))]
    s["udp-dns"] = [rec(c2s(VIP, 40010, 53, proto="udp", payload=b"\x12\x34" + b"\0" * 10)),
                    rec(b2c("10.1.0.11", 5353, CLIENT, 40010, proto="udp", payload=b"ok"), IN, True),
                    rec(b2c("10.1.0.12", 5353, CLIENT, 40010, proto="udp", payload=b"ok"), IN)]
    s["tcp-wlc"] = [rec(c2s(VIP, 40020 + i, 8000)) for i in range(4)]
    # fullnat with Proxy Protocol: the reply comes to a local address and
    # port of the worker's slice
    recs = [rec(c2s(VIP, 40030, 443))]
    for la in ("10.1.0.5", "10.1.0.6"):
        for be in ("10.1.0.21", "10.1.0.22"):
            recs.append(rec(b2c(be, 443, la, 20000), IN, True))
    recs.append(rec(c2s(VIP, 40030, 443, "PA", payload=b"hello", seq=1001, ack=5001), OUT, True, 2))
    s["tcp-fullnat-pp2"] = recs
    s["tcp-fullnat-pp1"] = [rec(c2s(VIP, 40031, 8443)),
                            rec(b2c("10.1.0.21", 8443, "10.1.0.5", 20000), IN, True),
                            rec(b2c("10.1.0.21", 8443, "10.1.0.6", 20000), IN)]
    s["udp-fullnat"] = [rec(c2s(VIP, 40032, 5000, proto="udp", payload=b"x" * 8)),
                        rec(b2c("10.1.0.21", 5000, "10.1.0.5", 20000, proto="udp"), IN, True)]
    s["tcp-sh-persist"] = [rec(c2s("10.0.0.101", 40040, 80)),
                           rec(c2s("10.0.0.101", 40041, 80), tick=8)]
    # one-way modes: dr, ipip, gre (udp), gue; a packet too big for the
    # inside port once wrapped
    s["oneway-modes"] = [rec(c2s("10.0.0.102", 40050, 80)),
                         rec(c2s("10.0.0.103", 40051, 80)),
                         rec(c2s("10.0.0.104", 40052, 53, proto="udp", payload=b"q")),
                         rec(c2s("10.0.0.105", 40053, 80))]
    s["tunnel-too-big"] = [rec(c2s("10.0.0.103", 40054, 80, "PA", payload=b"z" * 1380,
                                   seq=1001, ack=1))]
    # ICMP: echo to a port and to a VIP; errors about a connection from
    # the client's side and from the backend's side
    s["icmp-echo"] = [rec(Ether(src=CLIENT_MAC, dst=SL_MAC) / IP(src=CLIENT, dst="10.0.0.1") /
                          ICMP(id=7, seq=1) / b"ping"),
                      rec(Ether(src=CLIENT_MAC, dst=SL_MAC) / IP(src=CLIENT, dst=VIP) /
                          ICMP(id=7, seq=2) / b"ping")]
    inner = IPerror(src=VIP, dst=CLIENT) / TCPerror(sport=80, dport=40060, flags="SA")
    s["icmp-error-to-vip"] = [
        rec(c2s(VIP, 40060, 80)),
        rec(Ether(src=GW_MAC, dst=SL_MAC) / IP(src="10.0.0.254", dst=VIP) /
            ICMP(type=3, code=4, nexthopmtu=1200) / inner, OUT, True)]
    inner = IPerror(src=CLIENT, dst="10.1.0.11") / TCPerror(sport=40061, dport=8080, flags="S")
    s["icmp-error-from-inside"] = [
        rec(c2s(VIP, 40061, 80)),
        rec(Ether(src=BE_MAC, dst=SL_MAC) / IP(src="10.1.0.254", dst=CLIENT) /
            ICMP(type=3, code=3) / inner, IN, True),
        rec(Ether(src=BE_MAC, dst=SL_MAC) / IP(src="10.1.0.254", dst=CLIENT) /
            ICMP(type=11, code=0) / IPerror(src=CLIENT, dst="10.1.0.12") /
            UDPerror(sport=40062, dport=5353), IN)]
    # ARP: a request for the VIP and for the port, a next hop's reply
    s["arp"] = [rec(Ether(src=CLIENT_MAC, dst="ff:ff:ff:ff:ff:ff") /
                    ARP(op=1, hwsrc=CLIENT_MAC, psrc=CLIENT, pdst=VIP)),
                rec(Ether(src=CLIENT_MAC, dst="ff:ff:ff:ff:ff:ff") /
                    ARP(op=1, hwsrc=CLIENT_MAC, psrc=CLIENT, pdst="10.0.0.1")),
                rec(Ether(src=BE_MAC, dst=SL_MAC) /
                    ARP(op=2, hwsrc=BE_MAC, psrc="10.1.0.11", pdst="10.1.0.1"), IN, True),
                rec(Ether(src=GW_MAC, dst="ff:ff:ff:ff:ff:ff") /
                    ARP(op=1, hwsrc=GW_MAC, psrc="10.0.0.254", pdst="10.0.0.254"), OUT, True)]
    # IPv4 odds and ends: fragments, options, a VLAN tag, truncation
    s["ipv4-odd"] = [rec(Ether(src=CLIENT_MAC, dst=SL_MAC) /
                         IP(src=CLIENT, dst=VIP, flags="MF", frag=0) / TCP(dport=80) / (b"a" * 16)),
                     rec(Ether(src=CLIENT_MAC, dst=SL_MAC) /
                         IP(src=CLIENT, dst=VIP, options=[IPOption(b"\x01\x01\x01\x00")]) / TCP(dport=80)),
                     rec(Ether(src=CLIENT_MAC, dst=SL_MAC) / Dot1Q(vlan=5) /
                         IP(src=CLIENT, dst=VIP) / TCP(dport=80)),
                     rec(raw(c2s(VIP, 40070, 80))[:30]),
                     rec(c2s(VIP, 40071, 80, "PA", payload=b"y" * 300), chained=True)]
    # IPv6: nat66 with replies, extension headers, NAT64, fullnat, dr, tunnel
    recs = [rec(c2s6(VIP6, 41000, 80))]
    for be in ("2001:db8:1::11", "2001:db8:2::12"):
        recs.append(rec(b2c6(be, 8080, CLIENT6, 41000), IN, True))
    recs.append(rec(c2s6(VIP6, 41000, 80, "A", seq=1001, ack=5001), OUT, True))
    s["ipv6-nat66"] = recs
    s["ipv6-ext-headers"] = [
        rec(c2s6(VIP6, 41001, 80, ext=IPv6ExtHdrHopByHop() / IPv6ExtHdrDestOpt())),
        rec(c2s6(VIP6, 41002, 80, ext=IPv6ExtHdrRouting(addresses=[VIP6]))),
        rec(c2s6(VIP6, 41003, 53, proto="udp", payload=b"q",
                 ext=IPv6ExtHdrFragment(offset=0, m=0, id=9))),
        rec(c2s6(VIP6, 41004, 80, ext=IPv6ExtHdrFragment(offset=0, m=1, id=10)))]
    s["ipv6-udp"] = [rec(c2s6(VIP6, 41010, 53, proto="udp", payload=b"dns?")),
                     rec(b2c6("2001:db8:1::11", 5353, CLIENT6, 41010, proto="udp", payload=b"a"),
                         IN, True)]
    s["ipv6-nat64"] = [rec(c2s6(VIP6, 41020, 443)),
                       rec(b2c("10.1.0.21", 443, "10.1.0.5", 20000), IN, True),
                       rec(b2c("10.1.0.22", 443, "10.1.0.6", 20000), IN)]
    s["ipv6-fullnat"] = [rec(c2s6(VIP6, 41030, 8443)),
                         rec(b2c6("2001:db8:1::21", 8443, "2001:db8:1::5", 20000), IN, True)]
    s["ipv6-oneway"] = [rec(c2s6("2001:db8::200", 41040, 80)),
                        rec(c2s6("2001:db8::300", 41041, 80)),
                        rec(c2s6("2001:db8::300", 41042, 80, "PA", payload=b"w" * 1380,
                                 seq=1001, ack=1))]
    # neighbour discovery: solicitations for the VIP and the port, a
    # next hop's advertisement, echo, errors
    s["ipv6-nd"] = [
        rec(Ether(src=CLIENT_MAC, dst="33:33:ff:00:01:00") /
            IPv6(src=CLIENT6, dst="ff02::1:ff00:100", hlim=255) /
            ICMPv6ND_NS(tgt=VIP6) / ICMPv6NDOptSrcLLAddr(lladdr=CLIENT_MAC)),
        rec(Ether(src=CLIENT_MAC, dst="33:33:ff:00:00:01") /
            IPv6(src="::", dst="ff02::1:ff00:1", hlim=255) / ICMPv6ND_NS(tgt="2001:db8::1")),
        rec(Ether(src=BE_MAC, dst=SL_MAC) /
            IPv6(src="2001:db8:1::11", dst="2001:db8:1::1", hlim=255) /
            ICMPv6ND_NA(tgt="2001:db8:1::11", R=0, S=1, O=1) /
            ICMPv6NDOptDstLLAddr(lladdr=BE_MAC), IN, True),
        rec(Ether(src=GW_MAC, dst=SL_MAC) /
            IPv6(src="fe80::1", dst="2001:db8::1", hlim=255) /
            ICMPv6ND_NA(tgt="fe80::1", R=1, S=0, O=1) /
            ICMPv6NDOptDstLLAddr(lladdr=GW_MAC), OUT, True)]
    s["ipv6-icmp"] = [
        rec(Ether(src=CLIENT_MAC, dst=SL_MAC) / IPv6(src=CLIENT6, dst="2001:db8::1") /
            ICMPv6EchoRequest(id=3, seq=1, data=b"ping6")),
        rec(Ether(src=CLIENT_MAC, dst=SL_MAC) / IPv6(src=CLIENT6, dst=VIP6) /
            ICMPv6EchoRequest(id=3, seq=2)),
        rec(c2s6(VIP6, 41050, 80)),
        rec(Ether(src=GW_MAC, dst=SL_MAC) / IPv6(src="2001:db8::fe", dst=VIP6) /
            ICMPv6PacketTooBig(mtu=1280) /
            IPerror6(src=VIP6, dst=CLIENT6) / TCPerr6(sport=80, dport=41050, flags="SA"),
            OUT, True),
        rec(Ether(src=BE_MAC, dst=SL_MAC) / IPv6(src="2001:db8:1::fe", dst=CLIENT6) /
            ICMPv6DestUnreach(code=4) /
            IPerror6(src=CLIENT6, dst="2001:db8:1::11") / TCPerr6(sport=41050, dport=8080),
            IN, True)]
    return s


CMD_SEEDS = {
    "help": "help\n--json help\n",
    "show-all": "show ports\nshow services\nshow backends web\nshow neighbours\n"
                "show routes\nshow stats\nshow counters\n",
    "show-json": "--json show ports\n--json show services\n--json show backends web6\n"
                 "--json show neighbours\n--json show routes\n--json show stats\n",
    "show-flows": "show flows\nshow flows web limit 3\n--json show flows full\n"
                  "show flows limit 1\nshow flows nosuch\n",
    "weight": "set weight web 10.1.0.11:8080 5\nset weight dns dns-b 2\n"
              "set weight web 10.1.0.99:8080 5\nset weight web 10.1.0.11:8080 0\n",
    "drain-enable": "drain web 10.1.0.12:8080\nshow backends web\nenable web 10.1.0.12:8080\n"
                    "drain web6 [2001:db8:1::11]:8080\n",
    "add-del": "add backend web 10.1.0.14:8080 weight=2 id=extra\nshow backends web\n"
               "del backend web extra\ndel backend tun6 [2001:db8:1::33]:80\n"
               "add backend web6 [2001:db8:1::14]:8080 state=drain\n"
               "add backend nat64 10.1.0.23:443 check_port=9000\n",
    "add-bad": "add backend web 10.1.0.1:8080\nadd backend web 10.0.0.100:80\n"
               "add backend web 300.1.1.1:1\nadd backend web [::1]:80 bogus=1\n",
    "reload": "reload\nshow services\n",
    "capture": "capture start cap.pcap web count 3\ncapture start again.pcap\n"
               "capture stop\ncapture start p.pcap port inside\ncapture stop\n",
    "errors": "\nshow\nshow backends\nshow backends nosuch\nfrobnicate\n"
              "a b c d e f g h i j k l m n o p q r\n--json\n",
    "quit": "quit\n",
}


def c_ini(path, start):
    """The INI text of a C string literal that follows @start in @path
    (one quoted piece per line, comments between them skipped)."""
    text, inside = [], False
    for line in open(path):
        if not inside:
            inside = start in line
            continue
        line = line.strip()
        if line.startswith('"'):
            text.append(line[1:line.rindex('"')].encode().decode("unicode_escape"))
        if line.endswith(";"):
            break
    return "".join(text)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    out = os.path.join(here, "corpus")
    root = os.path.dirname(os.path.dirname(here))
    # the configuration harness: the example, the one of the packet and
    # command harnesses, the lib/fwd unit suite's
    with open(os.path.join(root, "config", "sluice.ini")) as f:
        example = f.read()
    for name, text in (("sluice.ini", example),
                       ("fuzz.ini", c_ini(os.path.join(here, "fuzz_common.c"), "sl_fuzz_ini[] =")),
                       ("test_fwd.ini", c_ini(os.path.join(root, "test", "unit", "test_fwd.c"),
                                              "static const char *ini ="))):
        with open(os.path.join(out, "config", name), "w") as f:
            f.write(text)
    for name, recs in fwd_seeds().items():
        opts = 0
        if name in ("tcp-nat-handshake", "ipv6-nat66"):
            opts = 1    # capture on
        if name in ("arp", "ipv6-nd"):
            opts = 2    # management lcore after each burst
        with open(os.path.join(out, "fwd", name), "wb") as f:
            f.write(bytes([opts]) + b"".join(recs))
    for name, text in CMD_SEEDS.items():
        with open(os.path.join(out, "cmd", name), "w") as f:
            f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
