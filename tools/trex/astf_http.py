# SPDX-License-Identifier: BSD-3-Clause
#
# Sluice -- TRex advanced-stateful (ASTF) profile: real TCP connections with
# one HTTP request and response each, through Sluice's NAT mode.
#
# TRex port 0 (cabled to Sluice's [port.outside]) runs the clients: they
# open TCP connections from 16.0.0.0/16 to the VIP, 10.0.0.100:80.  Sluice
# picks a backend and DNATs the connection to it; TRex port 1 (cabled to
# [port.inside]) plays every backend: it accepts the SYN whatever backend
# address and port Sluice chose, answers the request, and its replies go back
# through Sluice, which restores VIP:80 as their source.  TRex's TCP stack
# checks sequence numbers, lengths and checksums on both sides, so a
# connection only counts as good when Sluice forwarded every byte of it
# intact in both directions.
#
#   trex> start -f tools/trex/astf_http.py -m 1000            1000 conn/s
#   trex> start -f tools/trex/astf_http.py -m 100000 -t --resp_size 64
#   trex> start -f tools/trex/astf_http.py -m 250 -t --backend_ports 8080,8081,8082,8083
#                                                             1000 conn/s
#
# The multiplier (-m) is the number of new connections per second per backend
# port: each template (one per port) opens one connection per second of base
# rate, because TRex refuses a template rate below 0.5 connections per second,
# so the templates cannot share one connection per second between them.  With
# the default single port, -m is the total rate.
#
# How ASTF is made to connect to a VIP that is not a server address
# ----------------------------------------------------------------
# An ASTF client template connects to an address drawn from the *server*
# pool of its IP generator and to the template's destination port.  Here that
# pool is the VIP alone, and the port is the virtual port, so every client
# connects to VIP:VPORT, as a real client would.  The server side of TRex
# does not use that pool at all: it takes any SYN arriving on a server port
# and matches it to a server template by destination port (and, optionally,
# by a destination address range), answering from whatever address the SYN
# was sent to.  So the server templates associate on the *backend* ports
# (--backend_ports) and on the backend network (--servers), which is what
# Sluice rewrites the VIP to.  A SYN that reaches TRex without having been
# rewritten (destination still VIP:VPORT) matches no server template and is
# counted as err_no_template: that counter doubles as a "NAT did not happen"
# check.  Limits are listed in README.md (backend addresses must answer ARP,
# one program for all backends, backend ports must differ from VPORT).
#
# Tunables (-t must be the last option of "start"):
#   --vip A.B.C.D        virtual IP, default 10.0.0.100
#   --vport N            virtual TCP port, default 80
#   --clients CIDR       client network, default 16.0.0.0/16
#   --servers CIDR|any   backend network the server side accepts, default
#                        10.1.0.0/24; "any" accepts every destination address
#   --backend_ports LIST comma-separated backend TCP ports, default 8080; one
#                        server template per port (all run the same program)
#   --resp_size N        bytes of HTTP body in each response, default 1024
#   --mss N              TCP MSS of both sides, 0 = TRex default
#   --limit N            stop after N connections per template, 0 = no limit

import argparse
import ipaddress
import os

try:                                    # TRex v2.4x and later
    from trex.astf.api import *         # noqa: F401,F403
except ImportError:                     # older TRex trees
    from trex_astf_lib.api import *     # noqa: F401,F403


def _port(text):
    n = int(text, 0)
    if not 1 <= n <= 65535:
        raise argparse.ArgumentTypeError("port %r is outside 1..65535" % text)
    return n


def _port_list(text):
    ports = []
    for item in text.split(","):
        item = item.strip()
        if item:
            ports.append(_port(item))
    if not ports:
        raise argparse.ArgumentTypeError("expected at least one port")
    if len(set(ports)) != len(ports):
        raise argparse.ArgumentTypeError("backend ports repeat: %s" % text)
    return ports


def _host_range(cidr):
    net = ipaddress.IPv4Network(cidr, strict=False)
    if net.num_addresses <= 2:
        return str(net.network_address), str(net.broadcast_address)
    return str(net.network_address + 1), str(net.broadcast_address - 1)


class SluiceAstfHttp(object):
    """HTTP/1.1 GET per connection, clients to the VIP, TRex servers behind Sluice."""

    def _parser(self):
        p = argparse.ArgumentParser(prog=os.path.basename(__file__),
                                    description="Sluice ASTF HTTP profile",
                                    formatter_class=argparse.ArgumentDefaultsHelpFormatter)
        p.add_argument("--vip", default="10.0.0.100", help="virtual IP the clients connect to")
        p.add_argument("--vport", type=_port, default=80, help="virtual TCP port")
        p.add_argument("--clients", default="16.0.0.0/16", help="client network")
        p.add_argument("--servers", default="10.1.0.0/24",
                       help="backend network accepted by the server side, or 'any'")
        p.add_argument("--backend_ports", type=_port_list, default=[8080],
                       help="comma-separated backend ports")
        p.add_argument("--resp_size", type=int, default=1024, help="HTTP body bytes per response")
        p.add_argument("--mss", type=int, default=0, help="TCP MSS, 0 = TRex default")
        p.add_argument("--limit", type=int, default=0,
                       help="connections per template before it stops, 0 = no limit")
        return p

    def create_profile(self, args):
        if args.resp_size < 0:
            raise ASTFError("--resp_size must be 0 or more")
        if args.vport in args.backend_ports:
            # a SYN Sluice did not rewrite would then be answered too, and a
            # missing NAT would look like a passing test
            raise ASTFError("--vport %d must differ from every backend port" % args.vport)

        request = ("GET /sluice/%d HTTP/1.1\r\n"
                   "Host: %s\r\n"
                   "User-Agent: sluice-trex-astf\r\n"
                   "Accept: */*\r\n"
                   "\r\n" % (args.resp_size, args.vip)).encode()
        response = ("HTTP/1.1 200 OK\r\n"
                    "Server: sluice-trex-astf\r\n"
                    "Content-Type: application/octet-stream\r\n"
                    "Content-Length: %d\r\n"
                    "\r\n" % args.resp_size).encode() + b"s" * args.resp_size

        # client: connect (implicit), ask, read the whole answer, then close
        client = ASTFProgram()
        client.send(request)
        client.recv(len(response))

        # backend: read the request, answer, and let the client close first
        server = ASTFProgram()
        server.recv(len(request))
        server.send(response)
        server.wait_for_peer_close()

        c_first, c_last = _host_range(args.clients)
        # the server pool is the VIP alone: it is where clients connect to
        ip_gen = ASTFIPGen(glob=ASTFIPGenGlobal(ip_offset="1.0.0.0"),
                           dist_client=ASTFIPGenDist(ip_range=[c_first, c_last], distribution="seq"),
                           dist_server=ASTFIPGenDist(ip_range=[args.vip, args.vip], distribution="seq"))

        if args.servers.strip().lower() == "any":
            s_range = {}
        else:
            net = ipaddress.IPv4Network(args.servers, strict=False)
            s_range = {"ip_start": str(net.network_address), "ip_end": str(net.broadcast_address)}

        info = None
        if args.mss:
            info = ASTFGlobalInfo()
            info.tcp.mss = args.mss

        # one connection per second per template: TRex's schema wants at
        # least 0.5, so "1 / number of ports" fails from three ports up
        cps = 1.0
        templates = []
        for bport in args.backend_ports:
            kw = {}
            if args.limit > 0:
                kw["limit"] = args.limit
            temp_c = ASTFTCPClientTemplate(program=client, ip_gen=ip_gen,
                                           port=args.vport, cps=cps, **kw)
            temp_s = ASTFTCPServerTemplate(program=server,
                                           assoc=ASTFAssociationRule(port=bport, **s_range))
            templates.append(ASTFTemplate(client_template=temp_c, server_template=temp_s,
                                          tg_name="be%d" % bport))

        return ASTFProfile(default_ip_gen=ip_gen, templates=templates,
                           default_c_glob_info=info, default_s_glob_info=info)

    def get_profile(self, tunables=None, **kwargs):
        if tunables is None:
            tunables = []
            for key, value in kwargs.items():
                tunables += ["--%s" % key, str(value)]
        return self.create_profile(self._parser().parse_args(tunables))


def register():
    return SluiceAstfHttp()
