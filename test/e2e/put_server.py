#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""A backend's HTTP server for uploads: serves the files of ROOT, answers
a PUT or POST with the SHA-256 of the body it received (so that a test
compares what arrived with what was sent), optionally with the
backend's NAME before it, and optionally echoes UDP datagrams with
"NAME:" before them. IPv4 or IPv6 by the address given.

Usage: put_server.py NAME ROOT ADDR PORT [--put-name] [--udp ADDR:PORT]
"""
import argparse
import hashlib
import http.server
import os
import socket
import socketserver
import threading


def family(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("name")
    ap.add_argument("root")
    ap.add_argument("addr")
    ap.add_argument("port", type=int)
    ap.add_argument("--put-name", action="store_true",
                    help="the PUT answer is 'NAME SHA256' (else 'SHA256')")
    ap.add_argument("--udp", help="ADDR:PORT to echo UDP on, the port after the last colon")
    a = ap.parse_args()
    os.chdir(a.root)

    class Handler(http.server.SimpleHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def do_PUT(self):
            n = int(self.headers.get("Content-Length") or 0)
            h = hashlib.sha256()
            while n > 0:
                d = self.rfile.read(min(n, 65536))
                if not d:
                    break
                h.update(d)
                n -= len(d)
            body = ((a.name + " " if a.put_name else "") + h.hexdigest() + "\n").encode()
            self.send_response(200 if n == 0 else 400)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_POST = do_PUT

    class Server(socketserver.ThreadingTCPServer):
        address_family = family(a.addr)
        allow_reuse_address = True
        daemon_threads = True
        request_queue_size = 256

    if a.udp:
        uaddr, uport = a.udp.rsplit(":", 1)

        def echo():
            s = socket.socket(family(uaddr), socket.SOCK_DGRAM)
            s.bind((uaddr, int(uport)))
            prefix = (a.name + ":").encode()
            while True:
                data, peer = s.recvfrom(65535)
                s.sendto(prefix + data, peer)

        threading.Thread(target=echo, daemon=True).start()
    Server((a.addr, a.port), Handler).serve_forever()


if __name__ == "__main__":
    main()
