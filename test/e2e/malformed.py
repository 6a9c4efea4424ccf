#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Send malformed and unwanted frames at Sluice's outside port.

Run in the client namespace (Debian's /usr/bin/python3, python3-scapy):

    malformed.py --iface c0 --dst-mac MAC [--src-ip 10.0.0.2] [--vip 10.0.0.100]
                 [--garbage 300] [--seed 1]

Every case is built so that exactly one check fails (correct checksums
elsewhere), so each should land on its own drop counter in Sluice.
Prints one line per case: "CASE COUNT EXPECTED_DROP".

IPv4 fragments never reach a DPDK net_af_packet port from the wire: the
PMD joins a PACKET_FANOUT group with PACKET_FANOUT_FLAG_DEFRAG, so the
kernel holds fragments for reassembly and hands over only whole datagrams.
To exercise Sluice's fragment check anyway, run a second time in Sluice's
namespace with --tap --only fragment --iface out --src-mac CLIENT_MAC: the
frames are then sent out of Sluice's own interface from a packet socket of a
non-IP protocol, so the kernel does not defragment them, and Sluice's
af_packet socket receives them as it receives every frame on the interface.
"""

import argparse
import logging
import random
import socket
import struct
import sys

logging.getLogger("scapy.runtime").setLevel(logging.ERROR)
from scapy.all import (GRE, ICMP, IP, TCP, UDP, Ether, Raw,  # noqa: E402
                       get_if_hwaddr, sendp)
from scapy.utils import checksum  # noqa: E402


def ip_csum(hdr: bytes) -> bytes:
    """Return @hdr with its IPv4 header checksum filled in."""
    hdr = hdr[:10] + b"\0\0" + hdr[12:]
    c = checksum(hdr)
    return hdr[:10] + struct.pack("!H", c) + hdr[12:]


def raw_ip(ver_ihl: int, total_len: int, proto: int, src: str, dst: str,
           payload: bytes, options: bytes = b"", frag: int = 0,
           ttl: int = 64, good_csum: bool = True) -> bytes:
    """Hand-made IPv4 header (+ payload), fields exactly as given."""
    hdr = struct.pack("!BBHHHBBH4s4s", ver_ihl, 0, total_len, 0x1234, frag,
                      ttl, proto, 0, socket.inet_aton(src),
                      socket.inet_aton(dst)) + options
    hdr = ip_csum(hdr)
    if not good_csum:
        hdr = hdr[:10] + struct.pack("!H", struct.unpack("!H", hdr[10:12])[0] ^ 0x5a5a) + hdr[12:]
    return hdr + payload


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--iface", default="c0")
    ap.add_argument("--dst-mac", required=True)
    ap.add_argument("--src-ip", default="10.0.0.2")
    ap.add_argument("--vip", default="10.0.0.100")
    ap.add_argument("--garbage", type=int, default=300)
    ap.add_argument("--repeat", type=int, default=3,
                    help="copies of each crafted case")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--src-mac", help="source MAC (default: the interface's)")
    ap.add_argument("--only", help="comma-separated case-name prefixes to send")
    ap.add_argument("--tap", action="store_true",
                    help="send from a packet socket of a non-IP protocol "
                         "(see above), no scapy sendp")
    a = ap.parse_args()

    rnd = random.Random(a.seed)
    src_mac = a.src_mac or get_if_hwaddr(a.iface)
    eth = Ether(dst=a.dst_mac, src=src_mac)
    ethb = bytes(eth / Raw(b""))[:12]          # dst + src MAC
    ip4 = struct.pack("!H", 0x0800)
    src, vip = a.src_ip, a.vip

    def sport() -> int:
        return rnd.randint(10000, 19999)   # below the ephemeral range

    udp_ok = bytes(UDP(sport=40000, dport=53) / Raw(b"payload!"))
    tcp_syn = bytes(IP(src=src, dst=vip) / TCP(sport=40001, dport=80, flags="S"))[20:]

    cases = []  # (name, expected drop, [frames as bytes])

    cases.append(("truncated_ethernet", "short_frame", [ethb[:10]]))
    cases.append(("truncated_ipv4", "short_ip",
                  [ethb + ip4 + bytes(IP(src=src, dst=vip) / UDP())[:12]]))
    cases.append(("ihl_3", "bad_ihl",
                  [ethb + ip4 + raw_ip(0x43, 20 + len(udp_ok), 17, src, vip,
                                       udp_ok)]))
    # IHL 15 (60-byte header) in a frame carrying only a 20-byte header +
    # 8 bytes: header runs beyond the frame.
    cases.append(("ihl_beyond_frame", "bad_ihl",
                  [ethb + ip4 + raw_ip(0x4f, 28, 17, src, vip, b"",
                                       options=udp_ok[:8])]))
    cases.append(("total_length_too_small", "bad_ip_len",
                  [ethb + ip4 + raw_ip(0x45, 12, 17, src, vip, udp_ok)]))
    cases.append(("total_length_too_big", "bad_ip_len",
                  [ethb + ip4 + raw_ip(0x45, 20 + len(udp_ok) + 400, 17, src,
                                       vip, udp_ok)]))
    cases.append(("bad_ip_checksum", "bad_ip_csum",
                  [ethb + ip4 + raw_ip(0x45, 20 + len(udp_ok), 17, src, vip,
                                       udp_ok, good_csum=False)]))
    cases.append(("ip_version_6", "bad_ip_version",
                  [ethb + ip4 + raw_ip(0x65, 20 + len(udp_ok), 17, src, vip,
                                       udp_ok)]))
    cases.append(("fragment_mf", "fragment",
                  [bytes(eth / IP(src=src, dst=vip, flags="MF", id=77) /
                         UDP(sport=40002, dport=53) / Raw(b"x" * 32))]))
    cases.append(("fragment_offset", "fragment",
                  [bytes(eth / IP(src=src, dst=vip, frag=4, id=78, proto=17) /
                         Raw(b"y" * 32))]))
    tcp_do2 = bytearray(tcp_syn)
    tcp_do2[12] = (2 << 4) | (tcp_do2[12] & 0x0f)
    cases.append(("tcp_data_offset_2", "bad_l4_len",
                  [ethb + ip4 + raw_ip(0x45, 20 + len(tcp_do2), 6, src, vip,
                                       bytes(tcp_do2))]))
    cases.append(("truncated_tcp", "bad_l4_len",
                  [ethb + ip4 + raw_ip(0x45, 20 + 10, 6, src, vip, tcp_syn[:10])]))
    cases.append(("truncated_udp", "bad_l4_len",
                  [ethb + ip4 + raw_ip(0x45, 20 + 4, 17, src, vip, udp_ok[:4])]))
    udp_biglen = bytearray(udp_ok)
    udp_biglen[4:6] = struct.pack("!H", 200)
    udp_biglen[6:8] = b"\0\0"
    cases.append(("udp_length_too_big", "bad_l4_len",
                  [ethb + ip4 + raw_ip(0x45, 20 + len(udp_biglen), 17, src, vip,
                                       bytes(udp_biglen))]))
    udp_smalllen = bytearray(udp_ok)
    udp_smalllen[4:6] = struct.pack("!H", 4)
    udp_smalllen[6:8] = b"\0\0"
    cases.append(("udp_length_below_8", "bad_l4_len",
                  [ethb + ip4 + raw_ip(0x45, 20 + len(udp_smalllen), 17, src,
                                       vip, bytes(udp_smalllen))]))
    cases.append(("gre_to_vip", "unsupported_l4",
                  [bytes(eth / IP(src=src, dst=vip) / GRE() /
                         IP(src="192.0.2.1", dst="192.0.2.2") / ICMP())]))
    cases.append(("tcp_ack_no_flow", "no_flow",
                  [bytes(eth / IP(src=src, dst=vip) /
                         TCP(sport=sport(), dport=80, flags="A", seq=1000,
                             ack=2000)) for _ in range(2)]))
    cases.append(("tcp_syn_no_service", "no_service",
                  [bytes(eth / IP(src=src, dst=vip) /
                         TCP(sport=sport(), dport=81, flags="S"))
                   for _ in range(2)]))
    cases.append(("udp_no_service", "no_service",
                  [bytes(eth / IP(src=src, dst=vip) /
                         UDP(sport=sport(), dport=54) / Raw(b"q"))]))

    cases.append(("syn_for_other_mac", "other_host",
                  [bytes(Ether(dst="02:00:00:00:00:99", src=src_mac) /
                         IP(src=src, dst=vip) /
                         TCP(sport=sport(), dport=80, flags="S"))]))

    garbage = []
    for i in range(a.garbage):
        n = rnd.randint(0, 1500)
        body = bytes(rnd.getrandbits(8) for _ in range(n))
        kind = i % 3
        if kind == 0:     # random EtherType
            et = struct.pack("!H", rnd.getrandbits(16))
        elif kind == 1:   # IPv4 EtherType, random header
            et = ip4
        else:             # IPv4, plausible version/IHL, random rest
            et = ip4
            body = bytes([0x45]) + body[1:] if body else b"\x45"
        garbage.append(ethb + et + body)
    cases.append(("random_garbage", "*", garbage))

    if a.only:
        prefixes = a.only.split(",")
        cases = [c for c in cases if any(c[0].startswith(p) for p in prefixes)]

    frames = []
    for name, drop, fr in cases:
        reps = 1 if name == "random_garbage" else a.repeat
        frames.extend(fr * reps)
        print("%-24s %4d %s" % (name, len(fr) * reps, drop))
    if a.tap:
        proto = 0x88b5   # IEEE local experimental EtherType
        s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(proto))
        s.bind((a.iface, proto))
        for f in frames:
            s.send(f)
        s.close()
    else:
        sendp(frames, iface=a.iface, verbose=False)
    print("sent %d frames" % len(frames))
    return 0


if __name__ == "__main__":
    sys.exit(main())
