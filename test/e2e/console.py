#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""The interactive console (sluice -c FILE -i) on a pseudo-terminal.

Sluice runs on net_null ports (no namespaces). The test types into the
console as a person would and checks the prompt, help (every command of
the table, as the admin socket lists it), TAB completion, answers,
errors, history (up arrow), that the management loop still serves the
admin socket while the console waits, and that quit and Ctrl-D stop
Sluice with exit status 0 and the counters printed. A last run feeds
the console from a pipe.

Usage: console.py SLUICE_BIN (root; exits 77 without it)
"""
import json
import os
import pty
import re
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

PROMPT = "sluice> "
UP = "\x1b[A"
ESCAPES = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b[ME78]")

passed = 0
failed = 0


def check(what, cond, detail=""):
    global passed, failed
    if cond:
        passed += 1
        print(f"ok - {what}")
    else:
        failed += 1
        print(f"not ok - {what}")
        for line in str(detail).splitlines()[-30:]:
            print(f"#   {line}")
    sys.stdout.flush()
    return cond


def clean(raw):
    """What a person would read: no escape sequences, no carriage returns."""
    return ESCAPES.sub("", raw).replace("\r", "")


class Console:
    """Sluice started with -i on a pseudo-terminal; stderr to a file."""

    def __init__(self, binary, cfg, log):
        self.log = log
        self.raw = ""
        self.mark = 0
        self.status = None
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            try:
                err = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
                os.dup2(err, 2)
                os.execv(binary, [binary, "-c", cfg, "-i"])
            finally:
                os._exit(127)

    def _read(self, timeout):
        r, _, _ = select.select([self.fd], [], [], timeout)
        if not r:
            return False
        try:
            data = os.read(self.fd, 65536)
        except OSError:   # EIO: every slave side closed, Sluice is gone
            data = b""
        if not data:
            return None
        self.raw += data.decode("utf-8", "replace")
        return True

    def text(self):
        """Output since the last mark(), cleaned."""
        return clean(self.raw[self.mark:])

    def set_mark(self):
        self.mark = len(self.raw)

    def expect(self, what, timeout=10.0):
        """Wait until @what (str or compiled regex) shows after the mark."""
        end = time.monotonic() + timeout
        while True:
            t = self.text()
            if (what.search(t) if hasattr(what, "search") else what in t):
                return True
            left = end - time.monotonic()
            if left <= 0 or self._read(left) is None:
                t = self.text()
                return bool(what.search(t) if hasattr(what, "search") else what in t)

    def send(self, s):
        os.write(self.fd, s.encode())

    def command(self, line, timeout=10.0):
        """Type @line and Enter; return what came back up to the next prompt."""
        self.set_mark()
        self.send(line + "\r")
        # the echoed line, then the answer, then a new prompt
        self.expect(re.compile(re.escape(line) + r"\n(.*\n)?" + re.escape(PROMPT) + r"$",
                               re.S), timeout)
        return self.text()

    def wait_exit(self, timeout):
        """Exit status within @timeout seconds, or None (output drained meanwhile)."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            pid, st = os.waitpid(self.pid, os.WNOHANG)
            if pid == self.pid:
                self.status = os.waitstatus_to_exitcode(st)
                while self._read(0.1):
                    pass
                return self.status
            self._read(0.1)
        return None

    def stderr(self):
        try:
            with open(self.log, errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def close(self):
        if self.status is None:
            try:
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
            except (ProcessLookupError, ChildProcessError):
                pass
            self.status = -9
        try:
            os.close(self.fd)
        except OSError:
            pass


def admin(path, line, timeout=5.0):
    """One line to the admin socket; the reply up to its status line."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(timeout)
        s.connect(path)
        s.sendall((line + "\n").encode())
        buf = b""
        while not buf.endswith(b"\n"):
            data = s.recv(65536)
            if not data:
                break
            buf += data
        return buf.decode()


def write_config(tmp, prefix):
    path = os.path.join(tmp, f"{prefix}.ini")
    with open(path, "w") as f:
        f.write(f"""[eal]
lcores = 0-1
args = --no-pci --no-huge -m 256 --file-prefix {prefix}
[global]
flow_capacity = 4096
admin_socket = {tmp}/sluice.sock
[port.a]
device = net_null0,no-rx=1
address = 10.9.0.1/24
[port.b]
device = net_null1,no-rx=1
address = 10.9.1.1/24
[service.s]
vip = 10.9.0.100
port = 80
protocol = tcp
backend = 10.9.1.11:80
backend = 10.9.1.12:80
""")
    return path


def wait_prompt(c, what):
    ok = c.expect(PROMPT, 30)
    check(f"{what}: prompt '{PROMPT}' appears", ok, c.stderr() + "\n" + c.text())
    return ok


def run_interactive(binary, tmp, prefix, consoles):
    c = Console(binary, write_config(tmp, prefix), os.path.join(tmp, f"{prefix}.log"))
    consoles.append(c)
    if not wait_prompt(c, "-i on a terminal"):
        return
    err = c.stderr()
    check("logs go to stderr ('sluice: ready' there, not on the console)",
          "sluice: ready" in err and "sluice: ready" not in c.text() and
          "EAL:" not in c.text(), c.text())

    # the management loop runs while the console waits for input
    sock = os.path.join(tmp, "sluice.sock")
    table = []
    try:
        reply = json.loads(admin(sock, "--json help"))
        table = [e["command"] for e in reply["result"]]
        services = admin(sock, "show services")
    except (OSError, ValueError, KeyError) as e:
        services = f"admin socket: {e}"
    check("admin socket answers while the console waits (management loop runs)",
          "service s 10.9.0.100:80/tcp" in services and len(table) > 0, services)

    out = c.command("help")
    missing = [n for n in table if not re.search(r"^  " + re.escape(n) + r"( |$)", out, re.M)]
    check(f"help lists every command of the table ({len(table)})",
          table and not missing, f"missing: {missing}\n{out}")
    for name in ("show backends", "set weight", "quit"):
        check(f"help lists '{name}'", re.search(r"^  " + re.escape(name) + r"( |$)", out, re.M), out)

    # TAB completes a word of the table
    c.set_mark()
    c.send("show serv\t")
    ok = c.expect("show services", 5)
    check("'show serv' + TAB completes to 'show services'", ok, repr(c.raw[c.mark:]))
    c.set_mark()
    c.send("\r")
    c.expect(re.compile(r"\n.*" + re.escape(PROMPT) + "$", re.S), 10)
    out = c.text()
    check("show services (completed) prints the configured service",
          re.search(r"^service s 10\.9\.0\.100:80/tcp .*2/2 backends usable", out, re.M), out)

    out = c.command("show services")
    check("show services prints the configured service",
          re.search(r"^service s 10\.9\.0\.100:80/tcp", out, re.M), out)

    out = c.command("show backends s")
    both = (re.search(r"^backend 10\.9\.1\.11:80 state active", out, re.M) and
            re.search(r"^backend 10\.9\.1\.12:80 state active", out, re.M))
    check("show backends s prints both backends", both, out)

    # history: up arrow brings back the last line, Enter runs it again
    c.set_mark()
    c.send(UP)
    ok = c.expect("show backends s", 5)
    check("up arrow recalls the previous command", ok, repr(c.raw[c.mark:]))
    c.set_mark()
    c.send("\r")
    c.expect(re.compile(r"12:80 .*\n" + re.escape(PROMPT) + "$", re.S), 10)
    out = c.text()
    check("the recalled command runs again (both backends)",
          "10.9.1.11:80" in out and "10.9.1.12:80" in out, out)

    out = c.command("bogus thing")
    check("an unknown command prints an error naming help",
          re.search(r"^error: .*bogus.*help", out, re.M), out)
    out = c.command("show backends")
    check("a missing argument prints an error with the usage",
          re.search(r"^error: .*usage: show backends SERVICE", out, re.M), out)
    out = c.command("show backends nosuch")
    check("an unknown service prints an error",
          re.search(r"^error: unknown service 'nosuch'", out, re.M), out)
    out = c.command("show flows")
    check("a command with only optional arguments runs without them",
          "no connections" in out and "error" not in out, out)
    out = c.command("show flows s limit 5")
    check("... and with them", "no connections" in out and "error" not in out, out)

    c.set_mark()
    c.send("quit\r")
    t0 = time.monotonic()
    rc = c.wait_exit(10)
    check(f"quit: Sluice exits with status 0 within 10 s (status {rc}, "
          f"{time.monotonic() - t0:.1f} s)", rc == 0, c.stderr()[-2000:] + c.text())
    check("quit: counters printed as on SIGTERM",
          re.search(r"^service s conns_total 0", c.stderr(), re.M), c.stderr()[-2000:])
    check("quit: the terminal gets no new prompt after quit",
          not c.text().rstrip().endswith(PROMPT.strip()), repr(c.text()))


def run_ctrl_d(binary, tmp, prefix, consoles):
    c = Console(binary, write_config(tmp, prefix), os.path.join(tmp, f"{prefix}.log"))
    consoles.append(c)
    if not wait_prompt(c, "second run"):
        return
    c.set_mark()
    c.send("\x04")
    t0 = time.monotonic()
    rc = c.wait_exit(10)
    check(f"Ctrl-D: Sluice exits with status 0 within 10 s (status {rc}, "
          f"{time.monotonic() - t0:.1f} s)", rc == 0, c.stderr()[-2000:] + c.text())
    check("Ctrl-D: counters printed as on SIGTERM",
          re.search(r"^service s conns_total 0", c.stderr(), re.M), c.stderr()[-2000:])


def run_piped(binary, tmp, prefix, procs):
    cfg = write_config(tmp, prefix)
    with open(os.path.join(tmp, f"{prefix}.log"), "w") as err:
        p = subprocess.Popen([binary, "-c", cfg, "-i"], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, stderr=err)
        procs.append(p)
        try:
            # the last line without its newline still counts
            out, _ = p.communicate(b"show services\nbogus\nshow backends s", timeout=60)
        except subprocess.TimeoutExpired:
            p.kill()
            out, _ = p.communicate()
    out = out.decode(errors="replace")
    check(f"piped stdin: exits 0 at the end of the input (status {p.returncode})",
          p.returncode == 0, out)
    check("piped stdin: answers line by line, no prompt or echo",
          re.search(r"^service s 10\.9\.0\.100:80/tcp", out, re.M) and
          re.search(r"^error: .*bogus", out, re.M) and
          re.search(r"^backend 10\.9\.1\.12:80", out, re.M) and PROMPT not in out, out)


def main():
    if len(sys.argv) != 2:
        print(f"usage: {sys.argv[0]} SLUICE_BIN", file=sys.stderr)
        return 2
    if os.geteuid() != 0:
        print("# skipped: needs root (EAL)")
        return 77
    binary = os.path.abspath(sys.argv[1])
    tmp = tempfile.mkdtemp(prefix="sl-console.")
    base = f"slcon{os.getpid()}"
    consoles, procs = [], []
    try:
        run_interactive(binary, tmp, base + "a", consoles)
        run_ctrl_d(binary, tmp, base + "b", consoles)
        run_piped(binary, tmp, base + "c", procs)
    finally:
        for c in consoles:
            c.close()
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
        shutil.rmtree(tmp, ignore_errors=True)
        for d in ("/dev/hugepages", "/var/run/dpdk"):
            try:
                for n in os.listdir(d):
                    if n.startswith(base):
                        f = os.path.join(d, n)
                        if os.path.isdir(f):
                            shutil.rmtree(f, ignore_errors=True)
                        else:
                            os.remove(f)
            except OSError:
                pass
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
