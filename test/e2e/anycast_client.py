# SPDX-License-Identifier: BSD-3-Clause
"""Client load for the anycast end-to-end test (test/e2e/anycast.sh).

  anycast_client.py spread VIP N
      N requests for /name, each on a new connection (a new source port):
      prints "ok K fail F" and "backend bN C" lines.
  anycast_client.py loop VIP STOPFILE
      one request after another, each on a new connection, until STOPFILE
      exists: prints "ok K fail F", then each failure.
  anycast_client.py stream VIP N BYTES SECONDS
      N connections at once, each PUTs BYTES of random data evenly over
      SECONDS and checks the sha256 the backend answers: prints
      "done K of N", then each failure.
"""

import hashlib
import os
import socket
import sys
import threading
import time


def request(vip, timeout=3.0):
    s = socket.create_connection((vip, 80), timeout=timeout)
    try:
        s.sendall(b"GET /name HTTP/1.1\r\nHost: vip\r\nConnection: close\r\n\r\n")
        data = b""
        while True:
            d = s.recv(4096)
            if not d:
                break
            data += d
    finally:
        s.close()
    head, _, body = data.partition(b"\r\n\r\n")
    if not head.startswith(b"HTTP/1.1 200") and not head.startswith(b"HTTP/1.0 200"):
        raise RuntimeError("status %r" % head[:40])
    return body.decode(errors="replace")


def spread(vip, n):
    ok, fail, by = 0, 0, {}
    for _ in range(n):
        try:
            b = request(vip)
            by[b] = by.get(b, 0) + 1
            ok += 1
        except Exception as e:  # noqa: BLE001 - every failure counts
            fail += 1
            print("failure %s" % e)
    print("ok %d fail %d" % (ok, fail))
    for b in sorted(by):
        print("backend %s %d" % (b, by[b]))


def loop(vip, stopfile):
    ok, fails = 0, []
    while not os.path.exists(stopfile):
        try:
            request(vip)
            ok += 1
        except Exception as e:  # noqa: BLE001
            fails.append("%.3f %s" % (time.time(), e))
        time.sleep(0.005)
    print("ok %d fail %d" % (ok, len(fails)))
    for f in fails:
        print("failure %s" % f)


def stream(vip, n, size, seconds):
    results = [None] * n
    start = threading.Barrier(n)

    def one(i):
        data = os.urandom(size)
        want = hashlib.sha256(data).hexdigest()
        chunks = 50
        step = size // chunks
        try:
            s = socket.create_connection((vip, 80), timeout=10)
            s.settimeout(30)
            start.wait(timeout=10)
            s.sendall(b"PUT /up HTTP/1.1\r\nHost: vip\r\nContent-Length: %d\r\n\r\n" % size)
            for k in range(chunks):
                end = size if k == chunks - 1 else (k + 1) * step
                s.sendall(data[k * step:end])
                time.sleep(seconds / chunks)
            got = b""
            while b"\r\n\r\n" not in got or not got.endswith(b"\n"):
                d = s.recv(4096)
                if not d:
                    break
                got += d
            s.close()
            body = got.partition(b"\r\n\r\n")[2].decode(errors="replace").split()
            if len(body) == 2 and body[1] == want:
                results[i] = "ok"
            else:
                results[i] = "bad answer %r" % got[:80]
        except Exception as e:  # noqa: BLE001
            results[i] = "error %s" % e

    threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print("done %d of %d" % (results.count("ok"), n))
    sys.stdout.flush()
    for i, r in enumerate(results):
        if r != "ok":
            print("failure %d %s" % (i, r))


def main():
    mode, vip = sys.argv[1], sys.argv[2]
    if mode == "spread":
        spread(vip, int(sys.argv[3]))
    elif mode == "loop":
        loop(vip, sys.argv[3])
    elif mode == "stream":
        stream(vip, int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5]))
    else:
        sys.exit("unknown mode %s" % mode)


if __name__ == "__main__":
    main()
