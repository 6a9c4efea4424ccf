# SPDX-License-Identifier: BSD-3-Clause
#
# Sluice -- TRex stateless (STL) profile: many-flow UDP towards one virtual
# service, for packet-rate (Mpps) and flow-table tests of the NAT fast path.
#
# Every packet goes from the client side (TRex port 0, cabled to Sluice's
# [port.outside]) to VIP:VPORT.  The source address and source port walk a
# tuple generator, so the stream carries exactly FLOWS distinct 5-tuples,
# each of which becomes one connection in Sluice's flow table.  Sluice DNATs
# them to its backends on [port.inside], where TRex port 1 counts them.
#
# Load it on the client port only:
#
#   trex> start -f tools/trex/stl_udp_many_flows.py -m 10mpps --port 0
#   trex> start -f tools/trex/stl_udp_many_flows.py -m 10mpps --port 0 \
#             -t --size imix --flows 1000000
#   trex> start -f tools/trex/stl_udp_many_flows.py -m 10mpps --port 0 \
#             -t size=128,flows=65536,vport=53          (old-style tunables)
#   trex> profile -f tools/trex/stl_udp_many_flows.py -t --help
#
# Tunables (-t must be the last option of "start"):
#   --size N|imix     Ethernet frame size in bytes, FCS included (64..1518), or
#                     "imix": 64/594/1518-byte frames at 7:4:1 packet weights,
#                     one stream per size.  Default 64.
#   --flows N         distinct (source IP, source port) pairs, default 100000.
#   --vip A.B.C.D     destination address, default 10.0.0.100.
#   --vport N         destination UDP port, default 53.
#   --clients CIDR    client source network, default 16.0.0.0/16; network and
#                     broadcast addresses are skipped.
#   --sport_min N, --sport_max N
#                     source port range, default 1025..65535.
#   --csum hw|zero    hw (default): UDP checksum filled per packet by the TRex
#                     NIC offload (TRex computes it in software when the NIC
#                     cannot); zero: UDP checksum 0 ("none", legal for IPv4),
#                     which also exercises Sluice's zero-checksum handling.
#   --latency_pps N   add a latency/flow-stats stream of N pps (one fixed
#                     flow, packet group --pg_id, default 5); 0 = off.
#
# Sizes: TRex builds packets without the 4-byte FCS, so a 64-byte frame is
# a 60-byte packet.  The rate given with -m (10mpps, 40gbps, 100%) is for
# the whole port; with imix the three streams keep their 7:4:1 ratio.

import argparse
import ipaddress
import os

try:                                    # TRex v2.4x and later
    from trex.stl.api import *          # noqa: F401,F403
except ImportError:                     # older TRex trees
    from trex_stl_lib.api import *      # noqa: F401,F403

FCS_LEN = 4
MIN_FRAME = 64
MAX_FRAME = 1518

# IMIX: (frame size with FCS, relative packet rate); 7:4:1 packet weights.
IMIX = ((64, 7), (594, 4), (1518, 1))


def _frame_size(text):
    if text.strip().lower() == "imix":
        return "imix"
    try:
        n = int(text, 0)
    except ValueError:
        raise argparse.ArgumentTypeError("size must be an integer or 'imix', got %r" % text)
    if not MIN_FRAME <= n <= MAX_FRAME:
        raise argparse.ArgumentTypeError("size %d is outside %d..%d (frame bytes, FCS included)"
                                         % (n, MIN_FRAME, MAX_FRAME))
    return n


def _positive(text):
    n = int(text, 0)
    if n <= 0:
        raise argparse.ArgumentTypeError("expected a positive integer, got %r" % text)
    return n


def _port(text):
    n = int(text, 0)
    if not 1 <= n <= 65535:
        raise argparse.ArgumentTypeError("port %r is outside 1..65535" % text)
    return n


def _host_range(cidr):
    """First and last usable host of an IPv4 network, as strings."""
    net = ipaddress.IPv4Network(cidr, strict=False)
    if net.num_addresses <= 2:
        return str(net.network_address), str(net.broadcast_address)
    return str(net.network_address + 1), str(net.broadcast_address - 1)


class SluiceUdpManyFlows(object):
    """UDP from a client network to VIP:VPORT, FLOWS distinct flows."""

    def _parser(self):
        p = argparse.ArgumentParser(prog=os.path.basename(__file__),
                                    description="Sluice many-flow UDP profile",
                                    formatter_class=argparse.ArgumentDefaultsHelpFormatter)
        p.add_argument("--size", type=_frame_size, default=64,
                       help="frame size 64..1518 (FCS included) or 'imix'")
        p.add_argument("--flows", type=_positive, default=100000,
                       help="number of distinct (source IP, source port) flows")
        p.add_argument("--vip", default="10.0.0.100", help="virtual IP (destination)")
        p.add_argument("--vport", type=_port, default=53, help="virtual UDP port")
        p.add_argument("--clients", default="16.0.0.0/16", help="client source network")
        p.add_argument("--sport_min", type=_port, default=1025, help="lowest source port")
        p.add_argument("--sport_max", type=_port, default=65535, help="highest source port")
        p.add_argument("--csum", choices=("hw", "zero"), default="hw",
                       help="UDP checksum: offloaded per packet, or zero (none)")
        p.add_argument("--latency_pps", type=int, default=0,
                       help="rate of an extra latency stream (0 = none)")
        p.add_argument("--pg_id", type=int, default=5, help="packet group of the latency stream")
        return p

    def _base(self, frame, args, src, sport):
        udp = UDP(sport=sport, dport=args.vport)
        if args.csum == "zero":
            udp.chksum = 0
        pkt = Ether() / IP(src=src, dst=args.vip, ttl=64) / udp
        pad = frame - FCS_LEN - len(pkt)
        if pad > 0:
            # a recognisable payload: easy to spot in a capture on either side
            pkt = pkt / (b"SLUICE-TREX-UDP-" * (pad // 16 + 1))[:pad]
        return pkt

    def _vm(self, args, first, last):
        vm = STLVM()
        vm.tuple_var(name="cl", ip_min=first, ip_max=last,
                     port_min=args.sport_min, port_max=args.sport_max,
                     limit_flows=args.flows)
        vm.write(fv_name="cl.ip", pkt_offset="IP.src")
        vm.write(fv_name="cl.port", pkt_offset="UDP.sport")
        if args.csum == "zero":
            vm.fix_chksum()                      # IPv4 header only
        else:
            vm.fix_chksum_hw(l3_offset="IP", l4_offset="UDP",
                             l4_type=CTRexVmInsFixHwCs.L4_TYPE_UDP)
        return vm

    def _streams(self, args):
        first, last = _host_range(args.clients)
        n_ips = int(ipaddress.IPv4Address(last)) - int(ipaddress.IPv4Address(first)) + 1
        n_ports = args.sport_max - args.sport_min + 1
        if n_ports <= 0:
            raise STLError("sport_min %d is above sport_max %d" % (args.sport_min, args.sport_max))
        if args.flows > n_ips * n_ports:
            raise STLError("%d flows do not fit in %d addresses x %d ports"
                           % (args.flows, n_ips, n_ports))

        sizes = IMIX if args.size == "imix" else ((args.size, 1),)
        streams = []
        for frame, weight in sizes:
            pkt = STLPktBuilder(pkt=self._base(frame, args, first, args.sport_min),
                                vm=self._vm(args, first, last))
            streams.append(STLStream(name="udp-%d" % frame, packet=pkt,
                                     mode=STLTXCont(pps=weight)))

        if args.latency_pps > 0:
            # one fixed flow (no field engine) carrying TRex's latency signature
            frame = 128 if args.size == "imix" else max(args.size, 128)
            lat = STLPktBuilder(pkt=self._base(frame, args, first, args.sport_max))
            streams.append(STLStream(name="udp-latency", packet=lat,
                                     mode=STLTXCont(pps=args.latency_pps),
                                     flow_stats=STLFlowLatencyStats(pg_id=args.pg_id)))
        return streams

    def get_streams(self, direction=0, port_id=0, tunables=None, **kwargs):
        if tunables is None:
            # very old loaders pass key=value tunables as keyword arguments
            tunables = []
            for key, value in kwargs.items():
                tunables += ["--%s" % key, str(value)]
        args = self._parser().parse_args(tunables)
        if direction != 0:
            raise STLError("stl_udp_many_flows: load it on the client-side port only "
                           "(--port 0 in a 2-port setup), not on port %d" % port_id)
        return self._streams(args)


def register():
    return SluiceUdpManyFlows()
