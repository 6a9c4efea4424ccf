#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
#
# Hostile clients of Sluice's admin socket, for test/e2e/admin.sh.
# Standard library only. Each mode prints one result line on stdout,
# starting with "ok " when the client saw what the admin protocol
# promises, "bad " otherwise, and exits 0 / 1 accordingly.
#
#   admin_hostile.py garbage SOCK        binary bytes, no newline, hang up
#   admin_hostile.py garbage-line SOCK   binary bytes and a newline: an error line back
#   admin_hostile.py long SOCK BYTES     one line of BYTES bytes: "error: line too
#                                        long" (or the connection is cut), quickly
#   admin_hostile.py half SOCK           half a command, then hang up
#   admin_hostile.py split SOCK          a command in two writes 0.5 s apart: answered
#   admin_hostile.py many SOCK N [MAX]   N clients connect at once, then each sends
#                                        "show services"; MAX (64) get answers, the
#                                        others "error: too many clients"; nobody
#                                        waits more than 5 s
#   admin_hostile.py silent SOCK SECS    connect, send nothing; report when (and
#                                        with what) Sluice drops us, or that it
#                                        did not within SECS. Prints "connected"
#                                        on stderr once connected.
#   admin_hostile.py slow SOCK LINE MIN  send LINE (a show flows), read nothing
#                                        for 1 s, then read slowly: the whole
#                                        answer arrives (text: a final "ok" and
#                                        at least MIN flow lines; "--json ...":
#                                        one JSON line with at least MIN entries)
#   admin_hostile.py line SOCK N accept|refuse
#                                        one line of exactly N characters
#                                        ("show", spaces, "services"): answered
#                                        (accept) or "error: line too long"
#   admin_hostile.py serve SOCK FILE...  a fake Sluice: listen on SOCK, answer
#                                        the i-th connection's line with the
#                                        bytes of the i-th FILE, then close it

import json
import os
import re
import socket
import sys
import threading
import time

TIMEOUT = 5.0


def connect(path, timeout=TIMEOUT):
    # A blocking connect: with a timeout Python makes the socket
    # non-blocking, and a Unix connect then fails with EAGAIN instead of
    # waiting while the listen backlog is full (many clients at once).
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    s.settimeout(timeout)
    return s


def answer_done(buf):
    """A text answer is complete after its "ok" or "error: ..." line."""
    if not buf.endswith(b"\n"):
        return False
    last = buf[:-1].rsplit(b"\n", 1)[-1]
    return last == b"ok" or last.startswith(b"error: ")


def read_answer(s, timeout=TIMEOUT):
    """Read until a complete answer, EOF or timeout.
    Returns (data, how) with how in answer|eof|reset|timeout."""
    end = time.monotonic() + timeout
    data = b""
    while True:
        left = end - time.monotonic()
        if left <= 0:
            return data, "timeout"
        s.settimeout(left)
        try:
            d = s.recv(65536)
        except socket.timeout:
            return data, "timeout"
        except ConnectionResetError:
            return data, "reset"
        if not d:
            return data, "eof"
        data += d
        if answer_done(data):
            return data, "answer"


def show(b, n=120):
    return repr(b[:n]) + ("..." if len(b) > n else "")


def out(good, text):
    print(("ok " if good else "bad ") + text)
    sys.stdout.flush()
    return 0 if good else 1


def mode_garbage(path):
    s = connect(path)
    junk = bytes(b for b in os.urandom(4096) if b != 0x0A)[:2000]
    s.sendall(junk)
    s.close()
    return out(True, "sent %d bytes without a newline and hung up" % len(junk))


def mode_garbage_line(path):
    s = connect(path)
    s.sendall(b"\xde\xad\xbe\xef\x01\x7f\xff garbage \x00 after a NUL\n")
    data, how = read_answer(s)
    s.close()
    good = how == "answer" and data.startswith(b"error: ") and data.count(b"\n") == 1
    return out(good, "binary line answered with %s (%s)" % (show(data), how))


def mode_long(path, nbytes):
    s = connect(path)
    line = b"A" * (nbytes - 1) + b"\n"
    t0 = time.monotonic()
    sent = 0
    err = None
    # send what Sluice takes; it may hang up long before the end
    s.settimeout(2.0)
    try:
        while sent < len(line):
            n = s.send(line[sent:sent + 65536])
            if n <= 0:
                break
            sent += n
    except (BrokenPipeError, ConnectionResetError) as e:
        err = type(e).__name__
    except socket.timeout:
        err = "send timed out"
    data, how = read_answer(s)
    dt = time.monotonic() - t0
    s.close()
    first = data.split(b"\n", 1)[0]
    if first.startswith(b"error: line too long"):
        verdict = "answered %s" % show(first)
        good = True
    elif data == b"" and how in ("eof", "reset"):
        verdict = "cut without an answer (%s)" % how
        good = True
    else:
        verdict = "unexpected answer %s (%s)" % (show(data), how)
        good = False
    good = good and dt < TIMEOUT
    return out(good, "%d-byte line: %s; %d bytes accepted%s; %.2f s" %
               (nbytes, verdict, sent, ", then " + err if err else "", dt))


def mode_half(path):
    s = connect(path)
    s.sendall(b"show serv")
    s.close()
    return out(True, "sent half a command and hung up")


def mode_split(path):
    s = connect(path)
    s.sendall(b"show ser")
    time.sleep(0.5)
    s.sendall(b"vices\n")
    data, how = read_answer(s)
    s.close()
    good = how == "answer" and data.startswith(b"service ") and data.endswith(b"\nok\n")
    return out(good, "command in two writes: %s (%s)" % (show(data, 200), how))


def mode_many(path, n, cap):
    connected = threading.Barrier(n + 1, timeout=30)
    go = threading.Event()
    res = [None] * n

    def client(i):
        r = {"how": "?", "data": b"", "wait": 0.0, "err": None}
        res[i] = r
        s = None
        try:
            s = connect(path, 10.0)
        except OSError as e:
            r["err"] = "connect: %s" % e
        try:
            connected.wait()
        except threading.BrokenBarrierError:
            pass
        if s is None:
            return
        go.wait()
        t0 = time.monotonic()
        try:
            s.sendall(b"show services\n")
        except OSError as e:
            r["err"] = "send: %s" % type(e).__name__
        r["data"], r["how"] = read_answer(s)
        r["wait"] = time.monotonic() - t0
        s.close()

    ts = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(n)]
    for t in ts:
        t.start()
    try:
        connected.wait()
    except threading.BrokenBarrierError:
        pass
    go.set()
    for t in ts:
        t.join(30)
    answered = refused = other = 0
    worst = 0.0
    odd = []
    for i, r in enumerate(res):
        if r is None:
            other += 1
            odd.append("%d: no result" % i)
            continue
        worst = max(worst, r["wait"])
        d = r["data"]
        if r["how"] == "answer" and d.startswith(b"service ") and d.endswith(b"\nok\n"):
            answered += 1
        elif d == b"error: too many clients\n":
            refused += 1
        else:
            other += 1
            odd.append("%d: %s %s %s" % (i, r["how"], r["err"], show(d, 60)))
    good = answered == cap and refused == n - cap and other == 0 and worst < TIMEOUT
    text = ("%d clients: %d answered, %d refused with 'too many clients', %d other; "
            "longest wait %.2f s" % (n, answered, refused, other, worst))
    if odd:
        text += "; " + "; ".join(odd[:5])
    return out(good, text)


def mode_silent(path, secs):
    s = connect(path)
    t0 = time.monotonic()
    sys.stderr.write("connected\n")
    sys.stderr.flush()
    data, how = b"", "timeout"
    end = t0 + secs
    while time.monotonic() < end:
        s.settimeout(max(0.1, end - time.monotonic()))
        try:
            d = s.recv(4096)
        except socket.timeout:
            break
        except ConnectionResetError:
            how = "reset"
            break
        if not d:
            how = "eof"
            break
        data += d
    dt = time.monotonic() - t0
    s.close()
    if how == "timeout":
        return out(False, "silent client still connected after %.1f s (got %s)" % (dt, show(data)))
    return out(True, "silent client dropped after %.1f s (%s), it was sent %s" % (dt, how, show(data)))


def mode_slow(path, line, least):
    s = connect(path, 60.0)
    s.sendall(line.encode() + b"\n")
    s.shutdown(socket.SHUT_WR)
    time.sleep(1.0)   # Sluice meets a full socket buffer meanwhile
    t0 = time.monotonic()
    data, how = b"", "timeout"
    while time.monotonic() - t0 < 60:
        try:
            d = s.recv(16384)
        except (socket.timeout, ConnectionResetError) as e:
            how = type(e).__name__
            break
        if not d:
            how = "eof"
            break
        data += d
        time.sleep(0.002)
    dt = time.monotonic() - t0
    s.close()
    what = "%d bytes in %.1f s, then %s" % (len(data), dt, how)
    if line.startswith("--json"):
        try:
            if data.count(b"\n") != 1 or not data.endswith(b"\n"):
                raise ValueError("not one line")
            d = json.loads(data)
            n = len(d["result"])
            good = d["ok"] is True and n >= least
        except (ValueError, KeyError, TypeError) as e:
            return out(False, "%s: not one whole JSON answer (%s); ends %s" %
                       (what, e, show(data[-80:])))
        return out(good and how == "eof", "%s: one JSON answer, %d entries (at least %d)" %
                   (what, n, least))
    lines = data.split(b"\n")
    flows = [x for x in lines[:-2] if re.match(rb"^(tcp|udp) \S+ -> ", x)]
    good = (data.endswith(b"\nok\n") and len(flows) == len(lines) - 2 and
            len(flows) >= least and how == "eof")
    return out(good, "%s: %d flow lines (at least %d), last line %s" %
               (what, len(flows), least, show(lines[-2] if len(lines) > 1 else data)))


def mode_line(path, n, want):
    words = b"show" + b" " * (n - 12) + b"services"
    assert len(words) == n
    s = connect(path)
    s.sendall(words + b"\n")
    data, how = read_answer(s)
    s.close()
    if want == "accept":
        good = data.startswith(b"service ") and data.endswith(b"\nok\n")
    else:
        good = data == b"error: line too long (at most 4095 characters)\n"
    return out(good and how == "answer", "a line of %d characters: %s (%s)" %
               (n, show(data, 100), how))


def mode_serve(path, files):
    ls = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    ls.bind(path)
    ls.listen(4)
    ls.settimeout(20)
    for f in files:
        with open(f, "rb") as fh:
            answer = fh.read()
        c, _ = ls.accept()
        c.settimeout(5)
        got = b""
        while not got.endswith(b"\n"):
            d = c.recv(4096)
            if not d:
                break
            got += d
        c.sendall(answer)
        c.close()
    ls.close()
    os.unlink(path)
    return out(True, "served %d answers" % len(files))


def main():
    if len(sys.argv) < 3:
        sys.stderr.write(__doc__ if __doc__ else "usage: admin_hostile.py MODE SOCK ...\n")
        return 64
    mode, path = sys.argv[1], sys.argv[2]
    rest = sys.argv[3:]
    try:
        if mode == "garbage":
            return mode_garbage(path)
        if mode == "garbage-line":
            return mode_garbage_line(path)
        if mode == "long":
            return mode_long(path, int(rest[0]))
        if mode == "half":
            return mode_half(path)
        if mode == "split":
            return mode_split(path)
        if mode == "many":
            return mode_many(path, int(rest[0]), int(rest[1]) if len(rest) > 1 else 64)
        if mode == "silent":
            return mode_silent(path, float(rest[0]))
        if mode == "slow":
            return mode_slow(path, rest[0], int(rest[1]))
        if mode == "line":
            return mode_line(path, int(rest[0]), rest[1])
        if mode == "serve":
            return mode_serve(path, rest)
    except OSError as e:
        return out(False, "%s: %s: %s" % (mode, type(e).__name__, e))
    sys.stderr.write("unknown mode %s\n" % mode)
    return 64


if __name__ == "__main__":
    sys.exit(main())
