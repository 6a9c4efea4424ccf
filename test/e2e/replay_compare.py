#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Compare what Sluice sent live with what `sluice --replay` sent offline.

Usage: replay_compare.py OUT_PCAP IN_PCAP REPLAY_PCAP EXPLAIN_TXT CLIENT_IP

OUT_PCAP and IN_PCAP are captures of both directions on the links of
Sluice's outside and inside ports; REPLAY_PCAP is --out of the replay of
those two, EXPLAIN_TXT its --explain output. Only frames to or from the
client count (health checks are the management lcore's, not the path's).
Prints one "ok"/"not ok" line per check, TAP style, and exits 1 if any
check failed.
"""
import collections
import re
import sys

from scapy.all import IP, TCP, Ether, rdpcap


def client_tcp(frames, client):
    return [f for f in frames if IP in f and TCP in f and client in (f[IP].src, f[IP].dst)]


def main():
    out_p, in_p, rep_p, explain, client = sys.argv[1:6]
    outside, inside, replay = rdpcap(out_p), rdpcap(in_p), rdpcap(rep_p)
    # Sluice's MACs: where the client's frames to the VIP go, and where
    # the backends' replies to the client go
    out_mac = next(f[Ether].dst for f in outside if IP in f and f[IP].src == client)
    in_mac = next(f[Ether].dst for f in inside if IP in f and f[IP].dst == client)
    live = client_tcp([f for f in outside if f[Ether].src == out_mac], client) + \
        client_tcp([f for f in inside if f[Ether].src == in_mac], client)
    offline = client_tcp(replay, client)
    failed = 0

    def check(ok, what):
        nonlocal failed
        print(("ok - " if ok else "not ok - ") + what)
        failed += not ok

    lc = collections.Counter(bytes(f) for f in live)
    oc = collections.Counter(bytes(f) for f in offline)
    check(len(live) >= 40, f"the live run sent at least 40 frames of the client's ({len(live)})")
    check(lc == oc, f"the replay sent the same frames, byte for byte ({len(offline)} offline, "
          f"{len(live)} live, {sum((lc - oc).values())} live only, {sum((oc - lc).values())} offline only)")
    # backend of each client connection: live, from the SYNs leaving on the inside
    live_be = {f[TCP].sport: f"{f[IP].dst}:{f[TCP].dport}" for f in live
               if f[Ether].src == in_mac and f[TCP].flags & 0x3f == 0x02}
    said = {}
    pat = re.compile(r"w0 outside: " + re.escape(client) +
                     r":(\d+) > \S+ tcp \[S\]; service \S+ \(\S+\); forwarded; new connection, "
                     r"scheduler maglev hash [0-9a-f]{8} slot \d+ of \d+ -> backend (\S+?);")
    with open(explain) as f:
        for line in f:
            m = pat.search(line)
            if m:
                said[int(m.group(1))] = m.group(2)
    check(len(live_be) >= 8, f"at least 8 live connections ({len(live_be)})")
    check(len(set(live_be.values())) >= 2, f"the live connections went to several backends "
          f"({sorted(set(live_be.values()))})")
    check(said == live_be, f"--explain names the live run's backend for each connection "
          f"({sum(said.get(p) == b for p, b in live_be.items())} of {len(live_be)} agree)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
