# SPDX-License-Identifier: BSD-3-Clause
"""Frame flood for the end-to-end tests: as many frames as one CPU can
write to a raw packet socket for a given time, from prebuilt variants.

Usage: flood.py IFACE DST_MAC SECONDS [--spoof A.B] [--variants N] [--rate PPS] KIND...
  KIND: arp-for:IP     ARP requests for IP (broadcast) from random
                       senders in A.B.0.0/16 (default 10.99)
        arp-other:IP   the same for another host's address IP
        syn:IP:PORT    TCP SYNs to IP:PORT from random A.B.x.y sources
                       and ports, to DST_MAC
The frames of all kinds are sent in turn (N variants of each, default
256: N distinct sources and ports, N connections for a SYN flood), as
fast as it can or at about PPS frames per second. At the
end it prints "sent N frames in S s (R frames/s)".
"""

import random
import socket
import struct
import sys
import time


def mac_bytes(m):
    return bytes(int(x, 16) for x in m.split(":"))


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def ip4(a):
    return socket.inet_aton(a)


def arp_req(smac, spa, tpa):
    eth = b"\xff" * 6 + smac + b"\x08\x06"
    arp = struct.pack("!HHBBH", 1, 0x0800, 6, 4, 1) + smac + spa + b"\0" * 6 + tpa
    return eth + arp + b"\0" * 18


def syn(smac, dmac, src, dst, sport, dport, seq):
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq, 0, 5 << 4, 0x02, 65535, 0, 0)
    pseudo = src + dst + struct.pack("!BBH", 0, 6, len(tcp))
    tcp = tcp[:16] + struct.pack("!H", csum(pseudo + tcp)) + tcp[18:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 0, 0x4000, 64, 6, 0, src, dst)
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    return dmac + smac + b"\x08\x00" + ip + tcp


def main():
    args = sys.argv[1:]
    spoof = "10.99"
    variants = 256
    if "--spoof" in args:
        i = args.index("--spoof")
        spoof = args[i + 1]
        del args[i:i + 2]
    if "--variants" in args:
        i = args.index("--variants")
        variants = int(args[i + 1])
        del args[i:i + 2]
    rate = 0
    if "--rate" in args:
        i = args.index("--rate")
        rate = float(args[i + 1])
        del args[i:i + 2]
    if len(args) < 4:
        sys.exit(__doc__)
    iface, dmac, secs, kinds = args[0], mac_bytes(args[1]), float(args[2]), args[3:]
    rnd = random.Random(11)
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((iface, 0))
    smac = s.getsockname()[4]

    def rand_src():
        return ip4("%s.%d.%d" % (spoof, rnd.randrange(256), rnd.randrange(1, 255)))

    frames = []
    for k in kinds:
        what, _, rest = k.partition(":")
        for _ in range(variants):
            if what in ("arp-for", "arp-other"):
                frames.append(arp_req(smac, rand_src(), ip4(rest)))
            elif what == "syn":
                host, port = rest.rsplit(":", 1)
                frames.append(syn(smac, dmac, rand_src(), ip4(host), rnd.randrange(1024, 65535),
                                  int(port), rnd.randrange(1 << 32)))
            else:
                sys.exit("unknown kind %r" % k)
    # interleave the kinds
    frames = [f for i in range(variants) for f in frames[i::variants]]
    n = 0
    t0 = time.monotonic()
    end = t0 + secs
    send = s.send
    while time.monotonic() < end:
        for k in range(0, len(frames), 64):
            for f in frames[k:k + 64]:
                try:
                    send(f)
                except OSError:
                    pass
            n += len(frames[k:k + 64])
            if rate:
                # paced: wait until this many frames are due
                ahead = n / rate - (time.monotonic() - t0)
                if ahead > 0:
                    time.sleep(ahead)
            if time.monotonic() >= end:
                break
    dt = time.monotonic() - t0
    print("sent %d frames in %.1f s (%d frames/s)" % (n, dt, n / dt), flush=True)


if __name__ == "__main__":
    main()
