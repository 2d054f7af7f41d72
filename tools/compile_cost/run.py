#!/usr/bin/env python3
"""What eddy costs a user to compile.

Compiles, several times each with the compiler a user would use: a file that holds only
`#include <eddy/eddy.hpp>`, and the README's whole echo server (eddy_echo.cpp, beside this
script); when the system has Boost.Asio, also `#include <boost/asio.hpp>` alone and the same
echo server written with Asio's coroutines (asio_echo.cpp). Prints the fastest and median
wall time and the peak memory of each, one line a file. Run from the repository root after
a build has configured build/release (eddy/version.hpp is generated there):

    tools/compile_cost/run.py [--cxx g++] [--flags "-std=c++20 -O2"] [--runs 5]
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def measure(cxx, flags, includes, source, runs):
    """Wall seconds of each run, and the compiler's largest peak RSS (MiB)."""
    times, peak = [], 0
    with tempfile.TemporaryDirectory() as scratch:
        path = os.path.join(scratch, "case.cpp")
        with open(path, "w") as f:
            f.write(source)
        cmd = [cxx, *flags, *[f"-I{d}" for d in includes], "-c", path, "-o", os.devnull]
        for _ in range(runs):
            start = time.monotonic()
            child = subprocess.Popen(cmd, stderr=subprocess.PIPE)
            _, status, usage = os.wait4(child.pid, 0)  # this compiler's own peak memory
            times.append(time.monotonic() - start)
            if os.waitstatus_to_exitcode(status) != 0:
                sys.exit(f"compile_cost: {' '.join(cmd)} failed:\n{child.stderr.read().decode()}")
            peak = max(peak, usage.ru_maxrss)
    return times, peak / 1024


def spdlog_includes():
    """Where spdlog's headers are, as pkg-config says (the echo server logs with it)."""
    try:
        flags = subprocess.run(["pkg-config", "--cflags-only-I", "spdlog"], capture_output=True,
                               text=True, check=True).stdout.split()
    except (OSError, subprocess.CalledProcessError):
        return []
    return [f[2:] for f in flags]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cxx", default="g++", help="compiler (default g++)")
    parser.add_argument("--flags", default="-std=c++20 -O2", help='flags (default "-std=c++20 -O2")')
    parser.add_argument("--runs", type=int, default=5, help="compilations of each file (default 5)")
    parser.add_argument("--build", default="build/release", help="a configured build directory")
    args = parser.parse_args()
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    generated = os.path.join(ROOT, args.build, "include")
    if not os.path.exists(os.path.join(generated, "eddy", "version.hpp")):
        sys.exit(f"compile_cost: no eddy/version.hpp under {generated}: configure {args.build} first")

    eddy_includes = [os.path.join(ROOT, "include"), generated, *spdlog_includes()]
    read = lambda name: open(os.path.join(HERE, name)).read()
    cases = [("eddy/eddy.hpp", "#include <eddy/eddy.hpp>\nint main() {}\n", eddy_includes),
             ("eddy echo server", read("eddy_echo.cpp"), eddy_includes)]
    if os.path.exists("/usr/include/boost/asio.hpp"):
        # Boost 1.74's asio uses std::exchange in C++20 mode without including <utility>.
        cases += [("boost/asio.hpp", "#include <utility>\n#include <boost/asio.hpp>\nint main() {}\n", []),
                  ("asio echo server", read("asio_echo.cpp"), [])]
    flags = args.flags.split()
    for name, source, includes in cases:
        times, peak = measure(args.cxx, flags, includes, source, args.runs)
        print(f"{name}: fastest {min(times):.2f} s, median {statistics.median(times):.2f} s, "
              f"peak {peak:.0f} MiB ({args.cxx} {args.flags}, {args.runs} runs)")


if __name__ == "__main__":
    main()
