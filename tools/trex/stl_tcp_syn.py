# SPDX-License-Identifier: BSD-3-Clause
#
# Sluice -- TRex stateless (STL) profile: TCP SYN flood towards a virtual
# service, for new-connection-rate and flow-table-pressure tests.
#
# Every packet is a TCP SYN from the client side (TRex port 0, cabled to
# Sluice's [port.outside]) to VIP:VPORT.  Source address, source port and
# initial sequence number vary per packet, so (almost) every packet is a new
# connection for Sluice: a flow-table insert, a scheduler decision and a DNAT
# towards a backend on [port.inside], where TRex port 1 counts what came
# through.  Nobody answers the SYNs (STL is not a TCP stack), so every flow
# stays in SYN_SENT until Sluice's timeout_tcp_syn; see README.md for sizing
# flow_capacity and that timeout for a steady-state measurement.
#
#   trex> start -f tools/trex/stl_tcp_syn.py -m 5mpps --port 0
#   trex> start -f tools/trex/stl_tcp_syn.py -m 5mpps --port 0 -t --options --size 78
#   trex> start -f tools/trex/stl_tcp_syn.py -m 2mpps --port 0 -t --flows 1000000
#
# Tunables (-t must be the last option of "start"):
#   --size N          Ethernet frame size in bytes, FCS included, 64..1518;
#                     default: the smallest frame the SYN fits in (64, or 78
#                     with --options).  Bytes beyond the headers are zero
#                     Ethernet trailer padding, not TCP payload: the SYN
#                     carries no data, and zero bytes leave the offloaded TCP
#                     checksum (computed to the end of the frame) correct.
#   --options         add the TCP options a Linux client sends (MSS 1460,
#                     SACK permitted, timestamps, window scale 7): 20 more
#                     header bytes, a 78-byte frame.
#   --vip A.B.C.D     destination, default 10.0.0.100.
#   --vport N         destination TCP port, default 80.
#   --clients CIDR    client source network, default 16.0.0.0/16.
#   --sport_min N, --sport_max N
#                     source port range, default 1025..65535.
#   --flows N         0 (default): source address and port are drawn at random
#                     for every packet (a flood of new tuples).  N > 0: the
#                     packets cycle through N fixed tuples, so after the first
#                     pass each SYN hits an existing flow (a retransmitted SYN).
#   --seed N          random seed for repeatable runs; 0 = TRex's default.

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

# What a current Linux client puts in its SYN (20 bytes of options).
LINUX_SYN_OPTIONS = [("MSS", 1460), ("SAckOK", b""), ("Timestamp", (1, 0)),
                     ("NOP", None), ("WScale", 7)]


def _frame_size(text):
    try:
        n = int(text, 0)
    except ValueError:
        raise argparse.ArgumentTypeError("size must be an integer, got %r" % text)
    if not MIN_FRAME <= n <= MAX_FRAME:
        raise argparse.ArgumentTypeError("size %d is outside %d..%d (frame bytes, FCS included)"
                                         % (n, MIN_FRAME, MAX_FRAME))
    return n


def _port(text):
    n = int(text, 0)
    if not 1 <= n <= 65535:
        raise argparse.ArgumentTypeError("port %r is outside 1..65535" % text)
    return n


def _host_range(cidr):
    net = ipaddress.IPv4Network(cidr, strict=False)
    if net.num_addresses <= 2:
        return str(net.network_address), str(net.broadcast_address)
    return str(net.network_address + 1), str(net.broadcast_address - 1)


def _builder(pkt, vm):
    # STLPktBuilder drops a trailing Padding layer (it takes it for an FCS)
    # unless told not to; TRex trees without that switch keep their default.
    try:
        return STLPktBuilder(pkt=pkt, vm=vm, remove_fcs=False)
    except TypeError:
        return STLPktBuilder(pkt=pkt, vm=vm)


class SluiceTcpSyn(object):
    """TCP SYNs from a client network to VIP:VPORT."""

    def _parser(self):
        p = argparse.ArgumentParser(prog=os.path.basename(__file__),
                                    description="Sluice TCP SYN profile",
                                    formatter_class=argparse.ArgumentDefaultsHelpFormatter)
        p.add_argument("--size", type=_frame_size, default=None,
                       help="frame size 64..1518, FCS included (default: smallest that fits)")
        p.add_argument("--options", action="store_true",
                       help="Linux-like SYN options (MSS, SACK, timestamps, wscale)")
        p.add_argument("--vip", default="10.0.0.100", help="virtual IP (destination)")
        p.add_argument("--vport", type=_port, default=80, help="virtual TCP port")
        p.add_argument("--clients", default="16.0.0.0/16", help="client source network")
        p.add_argument("--sport_min", type=_port, default=1025, help="lowest source port")
        p.add_argument("--sport_max", type=_port, default=65535, help="highest source port")
        p.add_argument("--flows", type=int, default=0,
                       help="0 = random tuple per packet; N = cycle through N tuples")
        p.add_argument("--seed", type=int, default=0, help="random seed, 0 = TRex default")
        return p

    def _packet(self, args, src):
        tcp = TCP(sport=args.sport_min, dport=args.vport, flags="S", seq=1, window=64240)
        if args.options:
            tcp.options = LINUX_SYN_OPTIONS
        pkt = Ether() / IP(src=src, dst=args.vip, ttl=64) / tcp
        need = max(len(pkt) + FCS_LEN, MIN_FRAME)
        if args.size is None:
            args.size = need
        if args.size < need:
            raise STLError("--size %d is below the %d-byte frame this SYN needs"
                           % (args.size, need))
        pad = args.size - FCS_LEN - len(pkt)
        if pad > 0:
            # after the IP datagram: Ethernet trailer, not counted in IP.len
            pkt = pkt / Padding(load=b"\x00" * pad)
        return pkt

    def _vm(self, args, first, last):
        vm = STLVM()
        if args.flows > 0:
            vm.tuple_var(name="cl", ip_min=first, ip_max=last,
                         port_min=args.sport_min, port_max=args.sport_max,
                         limit_flows=args.flows)
            vm.write(fv_name="cl.ip", pkt_offset="IP.src")
            vm.write(fv_name="cl.port", pkt_offset="TCP.sport")
        else:
            vm.var(name="src", min_value=first, max_value=last, size=4, op="random")
            vm.var(name="sport", min_value=args.sport_min, max_value=args.sport_max,
                   size=2, op="random")
            vm.write(fv_name="src", pkt_offset="IP.src")
            vm.write(fv_name="sport", pkt_offset="TCP.sport")
        # a fresh initial sequence number per SYN, as real clients do
        vm.var(name="isn", min_value=1, max_value=0xFFFFFFFF, size=4, op="random")
        vm.write(fv_name="isn", pkt_offset="TCP.seq")
        # IPv4 header and TCP checksums, per packet (NIC offload, or TRex software)
        vm.fix_chksum_hw(l3_offset="IP", l4_offset="TCP",
                         l4_type=CTRexVmInsFixHwCs.L4_TYPE_TCP)
        return vm

    def get_streams(self, direction=0, port_id=0, tunables=None, **kwargs):
        if tunables is None:
            tunables = []
            for key, value in kwargs.items():
                tunables += ["--%s" % key, str(value)]
        args = self._parser().parse_args(tunables)
        if direction != 0:
            raise STLError("stl_tcp_syn: load it on the client-side port only "
                           "(--port 0 in a 2-port setup), not on port %d" % port_id)
        first, last = _host_range(args.clients)
        n_ips = int(ipaddress.IPv4Address(last)) - int(ipaddress.IPv4Address(first)) + 1
        n_ports = args.sport_max - args.sport_min + 1
        if n_ports <= 0:
            raise STLError("sport_min %d is above sport_max %d" % (args.sport_min, args.sport_max))
        if args.flows < 0 or args.flows > n_ips * n_ports:
            raise STLError("--flows %d: expected 0..%d for these clients and ports"
                           % (args.flows, n_ips * n_ports))

        pkt = _builder(self._packet(args, first), self._vm(args, first, last))
        kw = {}
        if args.seed:
            kw["random_seed"] = args.seed & 0xFFFF
        return [STLStream(name="tcp-syn", packet=pkt, mode=STLTXCont(pps=1), **kw)]


def register():
    return SluiceTcpSyn()
