#!/usr/bin/env bash
# Syscalls an echo server makes per echoed message, counted by strace over one ping-pong run.
#
#   tools/syscall_count/run.sh LOADGEN 'SERVER COMMAND with {port}' [CONNS] [SIZE] [SECS]
#   tools/syscall_count/run.sh build/release/tools/eddy-loadgen \
#       'build/release/samples/echo/eddy-echo --listen 127.0.0.1:{port}' 64 64 3
#
# The server is started, strace attaches to it (so its start-up is not counted), the load
# generator (tools/bench's eddy-loadgen, `pingpong` mode; it waits for the server with `probe`)
# runs CONNS connections for SECS seconds with no warm-up, and strace's table is printed with
# the calls per message: total calls / (messages per second x seconds). strace slows the
# server down; the counts per message are what it is for, not the speed. Loopback only; the
# server is stopped by its PID.
set -euo pipefail

loadgen="$1" server_cmd="$2" conns="${3:-64}" size="${4:-64}" secs="${5:-3}"
command -v strace >/dev/null || { echo "syscall_count: strace is not installed" >&2; exit 2; }

port=$((20000 + RANDOM % 20000))
out="$(mktemp -d)"
server_pid='' strace_pid=''
cleanup() {
    [[ -n "$strace_pid" ]] && kill "$strace_pid" 2>/dev/null || true
    [[ -n "$server_pid" ]] && kill "$server_pid" 2>/dev/null || true
    wait 2>/dev/null || true
    rm -rf "$out"
}
trap cleanup EXIT

# shellcheck disable=SC2086 # the command is split into words on purpose
bash -c "exec ${server_cmd//\{port\}/$port}" >"$out/server.log" 2>&1 &
server_pid=$!
"$loadgen" probe --port "$port" --secs 10 >/dev/null

strace -c -f -q -p "$server_pid" -o "$out/strace.txt" &
strace_pid=$!
sleep 1 # strace has attached to every thread
result="$("$loadgen" pingpong --port "$port" --conns "$conns" --size "$size" --secs "$secs" \
    --warmup 0)"
kill -INT "$strace_pid"
wait "$strace_pid" 2>/dev/null || true
strace_pid=''

rate="$(sed -n 's/.*msgs_per_s=\([0-9.]*\).*/\1/p' <<<"$result")"
echo "loadgen: $result"
python3 - "$out/strace.txt" "$rate" "$secs" <<'PY'
import sys
path, rate, secs = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
messages = rate * secs
rows = []
for line in open(path):
    parts = line.split()
    # % time, seconds, usecs/call, calls, [errors], syscall
    if len(parts) >= 5 and parts[0][0].isdigit() and parts[-1] != "total":
        calls = int(parts[3])
        errors = int(parts[4]) if len(parts) == 6 else 0
        rows.append((parts[-1], calls, errors))
total = sum(c for _, c, _ in rows)
print(f"messages: {messages:.0f}")
print(f"{'syscall':<16}{'calls':>10}{'errors':>10}{'per message':>14}")
for name, calls, errors in sorted(rows, key=lambda r: -r[1]):
    print(f"{name:<16}{calls:>10}{errors:>10}{calls / messages:>14.3f}")
print(f"{'total':<16}{total:>10}{'':>10}{total / messages:>14.3f}")
PY
