#!/usr/bin/env python3
"""The benchmark's load generator (tools/bench) against eddy-echo and against the epoll
reference server: short pingpong, stream, udp and idle runs echo without errors and at a
rate above zero; a server that changes one byte is caught; bad arguments end with a usage
line and exit code 2. No speed is asserted.

The programs come from EDDY_ECHO, EDDY_EPOLL_ECHO and EDDY_LOADGEN (test/meson.build sets
them). Loopback only; every server is stopped by its PID; every wait is bounded.
"""

import os
import selectors
import signal
import socket
import subprocess
import sys
import threading
import time

FAILURES = []


def check(condition, what, detail=""):
    print(("ok   " if condition else "FAIL ") + what + (f"  [{detail}]" if detail else ""))
    if not condition:
        FAILURES.append(what)


def program(variable):
    path = os.environ.get(variable)
    if not path:
        sys.exit(f"{variable} is not set: run this test through meson test")
    return path


ECHO, EPOLL_ECHO, LOADGEN = program("EDDY_ECHO"), program("EDDY_EPOLL_ECHO"), program("EDDY_LOADGEN")


class Server:
    """A server started on a free loopback port; stopped (SIGTERM, then SIGKILL) by its PID."""

    def __init__(self, binary, udp=False):
        command = [binary, "--listen", "127.0.0.1:0"] + (["--udp"] if udp else [])
        self.proc = subprocess.Popen(command, stdout=subprocess.PIPE)
        self.port = self._port_from_first_line(timeout=30)

    def _port_from_first_line(self, timeout):
        line = b""
        deadline = time.monotonic() + timeout
        with selectors.DefaultSelector() as sel:
            sel.register(self.proc.stdout, selectors.EVENT_READ)
            while not line.endswith(b"\n") and time.monotonic() < deadline:
                if sel.select(timeout=max(0.0, deadline - time.monotonic())):
                    chunk = os.read(self.proc.stdout.fileno(), 1)
                    if not chunk:
                        break
                    line += chunk
        text = line.decode(errors="replace").strip()
        if not text.startswith("listening on "):
            self.stop()
            sys.exit(f"the server printed {text!r}, not 'listening on ADDRESS'")
        return text.rsplit(":", 1)[1]

    def stop(self):
        """Gives the exit code."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        code = self.proc.wait(timeout=10)
        self.proc.stdout.close()
        return code


def loadgen(*args):
    """The load generator's exit code and key=value pairs."""
    done = subprocess.run([LOADGEN] + [str(a) for a in args], timeout=60,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if done.stderr.strip():
        print(done.stderr.strip())
    lines = done.stdout.strip().splitlines()
    pairs = dict(f.split("=", 1) for f in (lines[-1].split() if lines else []) if "=" in f)
    return done.returncode, pairs


def echoes_cleanly(name, mode, pairs, code):
    rate = float(pairs.get("msgs_per_s", 0))
    check(code == 0 and pairs.get("errors") == "0" and rate > 0,
          f"{name}: {mode} echoes without errors at a rate above zero",
          " ".join(f"{k}={pairs.get(k)}" for k in ("msgs_per_s", "errors", "srv_us_per_msg")))
    check("srv_us_per_msg" in pairs or "srv_cpu_s" in pairs,
          f"{name}: {mode} reports the server's CPU time (--pid)")


def against(name, binary):
    server = Server(binary)
    pid = server.proc.pid
    code, pairs = loadgen("probe", "--port", server.port, "--secs", 10)
    check(code == 0 and pairs.get("ok") == "1", f"{name}: probe finds the server")
    code, pairs = loadgen("pingpong", "--port", server.port, "--conns", 4, "--size", 64,
                          "--secs", 0.5, "--warmup", 0.1, "--pid", pid)
    echoes_cleanly(name, "pingpong", pairs, code)
    check(float(pairs.get("p99_us", 0)) > 0, f"{name}: pingpong times round trips")
    code, pairs = loadgen("stream", "--port", server.port, "--conns", 4, "--size", 16384,
                          "--secs", 0.3, "--warmup", 0.1, "--pid", pid)
    echoes_cleanly(name, "stream", pairs, code)
    code, pairs = loadgen("idle", "--port", server.port, "--conns", 50, "--secs", 0.2,
                          "--pid", pid)
    check(code == 0 and pairs.get("established") == "50" and pairs.get("errors") == "0",
          f"{name}: idle holds 50 connections, each served",
          f"established={pairs.get('established')} errors={pairs.get('errors')}")
    check("bytes_per_conn" in pairs, f"{name}: idle reads the server's RSS (--pid)")
    check(server.stop() == 0, f"{name}: SIGTERM ends the TCP server with exit code 0")

    server = Server(binary, udp=True)
    code, pairs = loadgen("probe", "--udp", "--port", server.port, "--secs", 10)
    check(code == 0 and pairs.get("ok") == "1", f"{name}: probe --udp finds the server")
    code, pairs = loadgen("udp", "--port", server.port, "--conns", 16, "--size", 64,
                          "--secs", 0.5, "--warmup", 0.1, "--pid", server.proc.pid)
    echoes_cleanly(name, "udp", pairs, code)
    check(server.stop() == 0, f"{name}: SIGTERM ends the UDP server with exit code 0")


def corrupting_server():
    """A TCP server that echoes everything but flips the first byte; gives its port."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    listener.settimeout(30)

    def serve():
        with listener:
            conn, _ = listener.accept()
        with conn:
            conn.settimeout(30)
            flipped = False
            while data := conn.recv(65536):
                if not flipped:
                    data, flipped = bytes([data[0] ^ 0xFF]) + data[1:], True
                conn.sendall(data)

    threading.Thread(target=lambda: _quietly(serve), daemon=True).start()
    return listener.getsockname()[1]


def _quietly(body):
    try:
        body()
    except OSError:
        pass


def main():
    against("eddy-echo", ECHO)
    against("eddy-epoll-echo", EPOLL_ECHO)

    port = corrupting_server()
    code, pairs = loadgen("pingpong", "--port", port, "--conns", 1, "--secs", 0.3,
                          "--warmup", 0)
    check(pairs.get("errors") == "1", "a server that changes one echoed byte is caught",
          f"errors={pairs.get('errors')}")

    for command in ([LOADGEN, "pingpong", "--conns", "4"], [LOADGEN, "ping", "--port", "1"],
                    [LOADGEN, "udp", "--port", "1", "--size", "4"],
                    [LOADGEN, "pingpong", "--port", "1", "--host", "192.0.2.1"],
                    [EPOLL_ECHO], [EPOLL_ECHO, "--listen", "nowhere"]):
        done = subprocess.run(command, timeout=30, capture_output=True, text=True)
        check(done.returncode == 2 and "usage:" in done.stderr,
              "bad arguments give a usage line and exit code 2: "
              + (" ".join(command[1:]) or "(none)"),
              f"exit code {done.returncode}")

    print(f"{len(FAILURES)} failed" if FAILURES else "all passed")
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())
