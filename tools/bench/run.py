#!/usr/bin/env python3
"""eddy's echo benchmark: eddy-echo against a hand-written epoll echo server.

    tools/bench/run.py [--scenarios LIST] [--reps R] [--secs D] [--warmup W]
                       [--servers LIST] [--idle-conns N] [--server-cpu N] [--client-cpu N]
                       [--build DIR] [--out DIR]
    tools/bench/run.py --summarize build/bench-results/STAMP/raw.txt
    tools/bench/run.py --list

Every scenario runs for every server in every repetition, each time with a fresh server
process pinned to one CPU (taskset, --server-cpu) and the load generator (eddy-loadgen) on
another (--client-cpu). The server order is rotated from one repetition to the next, so no
server always runs first. The raw lines (one per measurement, the load generator's
key=value line after rep=, scen= and server=) and the summary tables go to
build/bench-results/STAMP/ (raw.txt, summary.md, logs/); the summary is printed too.

The figure to read is the server's CPU time per message (from /proc/PID/stat over the
measured window), divided by the reference server's in the same repetition: it holds even
when the load generator, not the server, limits the rate. Everything runs on loopback;
each server is stopped by its PID, and every wait is bounded.

Run from `tools/dev bench`, which builds the three programs first (build/release).
"""

import argparse
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

sys.dont_write_bytecode = True  # leave no __pycache__ in the source tree
sys.path.insert(0, str(Path(__file__).resolve().parent))
import summary  # noqa: E402  (beside this file)

ROOT = Path(__file__).resolve().parents[2]

# name -> (load generator mode, connections, bytes per message); idle's connections come
# from --idle-conns.
SCENARIOS = {
    "pp_c1_s64": ("pingpong", 1, 64),
    "pp_c64_s64": ("pingpong", 64, 64),
    "pp_c256_s64": ("pingpong", 256, 64),
    "pp_c64_s4096": ("pingpong", 64, 4096),
    "stream_c16_s16k": ("stream", 16, 16384),
    "udp_c16_s64": ("udp", 16, 64),
    "idle_10k": ("idle", None, 1),
}

# name -> the program, relative to the build directory. Both take --listen HOST:PORT and
# --udp and print "listening on ADDRESS". The last is the reference (the 1.00).
SERVERS = {
    "eddy": "samples/echo/eddy-echo",
    "epoll": "tools/eddy-epoll-echo",
}
REFERENCE = "epoll"
LOADGEN = "tools/eddy-loadgen"

STARTUP_SECS = 10  # for a server to say where it listens and answer a probe
STOP_SECS = 5  # for a server to end after SIGTERM (then SIGKILL)


def parse_args(argv):
    p = argparse.ArgumentParser(
        prog="tools/bench/run.py",
        description="eddy-echo against the hand-written epoll echo server, over loopback.",
    )
    p.add_argument("--scenarios", default=",".join(SCENARIOS),
                   help="comma-separated, from: " + ", ".join(SCENARIOS))
    p.add_argument("--servers", default=",".join(SERVERS),
                   help="comma-separated, from: " + ", ".join(SERVERS))
    p.add_argument("--reps", type=int, default=3, help="repetitions (default 3)")
    p.add_argument("--secs", type=float, default=3, help="measured seconds per run (default 3)")
    p.add_argument("--warmup", type=float, default=1, help="seconds before measuring (default 1)")
    p.add_argument("--idle-conns", type=int, default=10000,
                   help="connections of the idle scenario (default 10000)")
    p.add_argument("--server-cpu", type=int, default=0, help="CPU the server runs on (default 0)")
    p.add_argument("--client-cpu", type=int, default=1,
                   help="CPU the load generator runs on (default 1)")
    p.add_argument("--build", default="build/release",
                   help="build directory holding the programs (default build/release)")
    p.add_argument("--out", help="results directory (default build/bench-results/STAMP)")
    p.add_argument("--summarize", metavar="RAW", help="only print the tables of a raw.txt")
    p.add_argument("--list", action="store_true", help="list the scenarios and servers")
    args = p.parse_args(argv)
    args.scenarios = [s for s in args.scenarios.split(",") if s]
    args.servers = [s for s in args.servers.split(",") if s]
    for s in args.scenarios:
        if s not in SCENARIOS:
            p.error(f"unknown scenario '{s}' (see --list)")
    for s in args.servers:
        if s not in SERVERS:
            p.error(f"unknown server '{s}' (see --list)")
    if args.reps < 1 or args.secs <= 0 or args.warmup < 0 or args.idle_conns < 1:
        p.error("--reps, --secs and --idle-conns must be positive, --warmup not negative")
    return args


class Bench:
    def __init__(self, args):
        self.args = args
        build = Path(args.build)
        self.build = build if build.is_absolute() else ROOT / build
        self.loadgen = self.build / LOADGEN
        self.out = Path(args.out) if args.out else (
            ROOT / "build" / "bench-results" / datetime.now().strftime("%Y%m%d-%H%M%S"))
        self.server = None  # the running server's Popen, stopped by its PID

    # --- processes -------------------------------------------------------------------

    def pinned(self, cpu, command):
        return ["taskset", "-c", str(cpu)] + [str(c) for c in command]

    def start_server(self, name, udp, log_path):
        """Starts a fresh server; gives its port, or None (then it is stopped)."""
        command = [self.build / SERVERS[name], "--listen", "127.0.0.1:0"]
        if udp:
            command.append("--udp")
        with open(log_path, "wb") as log:
            self.server = subprocess.Popen(self.pinned(self.args.server_cpu, command),
                                           stdout=log, stderr=subprocess.STDOUT)
        # taskset execs the server: the PID is the server's own.
        deadline = time.monotonic() + STARTUP_SECS
        while time.monotonic() < deadline and self.server.poll() is None:
            match = re.search(r"^listening on \S+:(\d+)$", log_path.read_text(errors="replace"),
                              re.MULTILINE)
            if match:
                port = match.group(1)
                probe = [self.loadgen, "probe", "--port", port, "--secs", "5"]
                if udp:
                    probe.append("--udp")
                if self.run_loadgen(probe, timeout=10) is not None:
                    return port
                break
            time.sleep(0.02)
        self.stop_server()
        return None

    def stop_server(self):
        """SIGTERM, at most STOP_SECS, then SIGKILL; gives the exit code."""
        proc, self.server = self.server, None
        if proc is None:
            return None
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                return proc.wait(timeout=STOP_SECS)
            except subprocess.TimeoutExpired:
                proc.kill()
        return proc.wait(timeout=STOP_SECS)

    def run_loadgen(self, command, timeout):
        """The load generator's line (pinned to the client CPU), or None if it failed."""
        try:
            done = subprocess.run(self.pinned(self.args.client_cpu, command), timeout=timeout,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        except subprocess.TimeoutExpired:
            self.note("the load generator did not finish within %d s" % timeout)
            return None
        if done.stderr.strip():
            self.note(done.stderr.strip())
        lines = done.stdout.strip().splitlines()
        return lines[-1] if done.returncode == 0 and lines else None

    def note(self, text):
        with open(self.out / "logs" / "loadgen.err", "a") as f:
            f.write(text + "\n")

    # --- one measurement -------------------------------------------------------------

    def measure(self, rep, scenario, server):
        """Runs one scenario against a fresh server; gives its raw line."""
        mode, conns, size = SCENARIOS[scenario]
        head = f"rep={rep} scen={scenario} server={server}"
        log = self.out / "logs" / f"rep{rep}-{scenario}-{server}.log"
        port = self.start_server(server, mode == "udp", log)
        if port is None:
            return f"{head} failed=start"
        pid = str(self.server.pid)
        if mode == "idle":
            command = [self.loadgen, "idle", "--port", port, "--conns", self.args.idle_conns,
                       "--secs", "1", "--connect-timeout", "60", "--pid", pid]
            timeout = 150
        else:
            command = [self.loadgen, mode, "--port", port, "--conns", conns, "--size", size,
                       "--secs", self.args.secs, "--warmup", self.args.warmup, "--pid", pid]
            timeout = int(self.args.secs + self.args.warmup) + 60
        line = self.run_loadgen(command, timeout)
        died = self.server.poll() is not None
        code = self.stop_server()
        if line is None:
            return f"{head} failed=loadgen"
        if died:
            return f"{head} failed=server_died {line}"
        if code != 0:
            line += f" server_exit={code}"
        return f"{head} {line}"

    # --- the whole run ---------------------------------------------------------------

    def check_ready(self):
        missing = [p for p in [self.loadgen] + [self.build / SERVERS[s] for s in self.args.servers]
                   if not os.access(p, os.X_OK)]
        if missing:
            names = ", ".join(str(p.relative_to(self.build)) for p in missing)
            sys.exit(f"run.py: not built in {self.args.build}: {names} (tools/dev bench builds them)")
        if shutil.which("taskset") is None:
            sys.exit("run.py: taskset (util-linux) is needed to pin the server and the load generator")
        cpus = os.sched_getaffinity(0)
        for cpu in (self.args.server_cpu, self.args.client_cpu):
            if cpu not in cpus:
                sys.exit(f"run.py: CPU {cpu} is not available (this process may use {sorted(cpus)})")
        # The servers and the load generator inherit the limit: idle needs a descriptor per
        # connection on each side.
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
        if "idle_10k" in self.args.scenarios and hard != resource.RLIM_INFINITY \
                and hard < self.args.idle_conns + 100:
            print(f"run.py: warning: {self.args.idle_conns} idle connections need more "
                  f"descriptors than the limit ({hard})", file=sys.stderr)

    def describe(self):
        """What was run, where and how: one line each."""
        a = self.args
        lines = [
            f"eddy echo benchmark, {datetime.now().astimezone().isoformat(timespec='seconds')}",
            f"host: {os.cpu_count()} CPUs, Linux {os.uname().release}",
            f"reps={a.reps} secs={a.secs:g} warmup={a.warmup:g} idle_conns={a.idle_conns} "
            f"server_cpu={a.server_cpu} client_cpu={a.client_cpu} reference={REFERENCE}",
        ]
        for s in a.servers:
            lines.append(f"server {s}: {SERVERS[s]} --listen 127.0.0.1:0 [--udp]")
        return lines

    def run(self):
        self.check_ready()
        (self.out / "logs").mkdir(parents=True, exist_ok=True)
        meta = self.describe()
        print("\n".join(meta), flush=True)
        lines = []
        servers = self.args.servers
        with open(self.out / "raw.txt", "w") as raw:
            raw.write("".join(f"# {m}\n" for m in meta))
            for rep in range(1, self.args.reps + 1):
                print(f"== repetition {rep}/{self.args.reps}", flush=True)
                shift = (rep - 1) % len(servers)
                order = servers[shift:] + servers[:shift]
                for scenario in self.args.scenarios:
                    for server in order:
                        line = self.measure(rep, scenario, server)
                        raw.write(line + "\n")
                        raw.flush()
                        lines.append(line)
                        print("  " + progress(line), flush=True)
        text = summary.render(lines, self.args.scenarios, servers, REFERENCE)
        (self.out / "summary.md").write_text(
            f"## {meta[0]}\n\n" + "".join(f"- {m}\n" for m in meta[1:]) + "\n" + text)
        print("\n" + text)
        shown = self.out.relative_to(ROOT) if self.out.is_relative_to(ROOT) else self.out
        print(f"raw lines and summary: {shown}/ (raw.txt, summary.md, logs/)")


def progress(line):
    kv = summary.parse_line(line)
    keys = ["msgs_per_s", "mb_per_s", "p99_us", "srv_us_per_msg", "established",
            "bytes_per_conn", "lost", "errors", "failed"]
    shown = " ".join(f"{k}={kv[k]}" for k in keys if k in kv)
    return f"{kv.get('scen', '?'):<16} {kv.get('server', '?'):<6} {shown}"


def stop_on_term(signum, frame):
    raise KeyboardInterrupt


def main(argv):
    args = parse_args(argv)
    if args.list:
        for name, (mode, conns, size) in SCENARIOS.items():
            if conns is None:
                print(f"scenario {name:<16} {mode} --conns {args.idle_conns}")
            else:
                print(f"scenario {name:<16} {mode} --conns {conns} --size {size}")
        for name, path in SERVERS.items():
            ref = " (reference)" if name == REFERENCE else ""
            print(f"server   {name:<16} {path}{ref}")
        return 0
    if args.summarize:
        raw = [l for l in Path(args.summarize).read_text().splitlines() if l.startswith("rep=")]
        scenarios = list(dict.fromkeys(summary.parse_line(l).get("scen") for l in raw))
        servers = list(dict.fromkeys(summary.parse_line(l).get("server") for l in raw))
        print(summary.render(raw, scenarios, servers, REFERENCE))
        return 0
    signal.signal(signal.SIGTERM, stop_on_term)
    bench = Bench(args)
    try:
        bench.run()
    except KeyboardInterrupt:
        print("run.py: interrupted", file=sys.stderr)
        return 130
    finally:
        bench.stop_server()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
