# shellcheck shell=bash
# tools/dev.d/demo.sh: `tools/dev demo`: build the sample programs it runs (and the library
# they link), not the tests, then run the echo server over TCP (also with --fibers), UDP and a
# Unix socket with eddy-echo-client and eddy-connect talking to it, eddy-proxy in front of it,
# and the chat server with two eddy-connect clients chatting through it.

# The programs the demo runs: their ninja targets in build/release, and their paths (the
# bench runs ECHO_SERVER too).
ECHO_SERVER_TARGET=samples/echo/eddy-echo
ECHO_CLIENT_TARGET=samples/echo/eddy-echo-client
CONNECT_TARGET=samples/connect/eddy-connect
PROXY_TARGET=samples/proxy/eddy-proxy
CHAT_SERVER_TARGET=samples/chat/eddy-chat
ECHO_SERVER="build/release/$ECHO_SERVER_TARGET"
ECHO_CLIENT="build/release/$ECHO_CLIENT_TARGET"
CONNECT="build/release/$CONNECT_TARGET"
PROXY="build/release/$PROXY_TARGET"
CHAT_SERVER="build/release/$CHAT_SERVER_TARGET"

# Start a server in the background; its stdout goes to $SCRATCH/server.out.
# Sets SERVER_PID. Line-buffer stdout so "listening on" shows up at once.
start_server() {
    local -a prefix=()
    command -v stdbuf >/dev/null && prefix=(stdbuf -oL)
    "${prefix[@]}" "$@" >"$SCRATCH/server.out" 2>"$SCRATCH/server.err" &
    SERVER_PID=$!
}

show_server_output() {
    echo "--- server stdout ---"
    cat "$SCRATCH/server.out"
    echo "--- server stderr ---"
    cat "$SCRATCH/server.err"
}

# Wait (at most 10 s) for "listening on ADDRESS"; sets LISTEN_ADDR.
# Returns 1 on timeout, 2 if the server exited.
LISTEN_ADDR=""
wait_for_listen_address() {
    local i
    for ((i = 0; i < 100; i++)); do
        LISTEN_ADDR="$(sed -n 's/^listening on \([^[:space:]]*\).*/\1/p' "$SCRATCH/server.out" |
            head -n 1)"
        [[ -n "$LISTEN_ADDR" ]] && return 0
        kill -0 "$SERVER_PID" 2>/dev/null || return 2
        sleep 0.1
    done
    return 1
}

# SIGTERM the server, wait at most 5 s (then SIGKILL); print its exit code.
stop_server() {
    local i rc=0
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    for ((i = 0; i < 50; i++)); do
        kill -0 "$SERVER_PID" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$SERVER_PID" 2>/dev/null; then
        echo "server did not stop within 5 s, sending SIGKILL"
        kill -KILL "$SERVER_PID" 2>/dev/null || true
    fi
    # (stderr hidden: bash's "Killed" job notice)
    { wait "$SERVER_PID" || rc=$?; } 2>/dev/null
    SERVER_PID=""
    echo "server exited with code $rc"
}

# Start server program $1 with the rest as its arguments and wait for its "listening on
# ADDRESS"; sets LISTEN_ADDR.
start_listening_server() {
    start_server "$@"
    local status=0
    wait_for_listen_address || status=$?
    if [[ $status -ne 0 ]]; then
        show_server_output
        [[ $status -eq 2 ]] && die "$1 exited before it was listening"
        die "$1 did not report 'listening on ADDRESS' within 10 s"
    fi
    echo "server is listening on $LISTEN_ADDR"
}

# Put eddy-proxy with "$@" in front of the running server, which becomes UPSTREAM_PID (its
# output files are renamed, not reopened, so it keeps writing to them), and wait for the
# proxy's "listening on ADDRESS"; sets LISTEN_ADDR to the proxy's.
start_proxy() {
    UPSTREAM_PID="$SERVER_PID"
    mv "$SCRATCH/server.out" "$SCRATCH/upstream.out"
    mv "$SCRATCH/server.err" "$SCRATCH/upstream.err"
    start_listening_server "$PROXY" "$@"
}

# Stop the proxy, then the server behind it (each as stop_server does).
stop_proxy_and_upstream() {
    stop_server
    SERVER_PID="$UPSTREAM_PID"
    UPSTREAM_PID=""
    stop_server
}

# Start the echo server with "$@" and wait for its "listening on ADDRESS"; sets LISTEN_ADDR.
start_echo_server() {
    start_listening_server "$ECHO_SERVER" "$@"
}

# Run a client command, bounded to 10 s; die (after stopping the server) if it fails.
run_client() {
    local -a prefix=()
    command -v timeout >/dev/null && prefix=(timeout 10)
    local rc=0
    "${prefix[@]}" "$@" || rc=$?
    if [[ $rc -ne 0 ]]; then
        echo "client exited with code $rc"
        stop_server
        die "echo demo failed"
    fi
}

demo_echo() {
    [[ -x "$ECHO_SERVER" && -x "$ECHO_CLIENT" && -x "$CONNECT" ]] ||
        die "sample binaries not built"

    heading "echo over TCP: starting $ECHO_SERVER on 127.0.0.1 (port chosen by the OS)"
    start_echo_server --listen 127.0.0.1:0
    heading "sending three lines with $ECHO_CLIENT"
    run_client "$ECHO_CLIENT" "$LISTEN_ADDR" "hello from eddy" "second line" "third line"
    heading "piping text through it with $CONNECT (stdin to the socket, the socket to stdout)"
    printf 'netcat-style line one\nnetcat-style line two\n' | run_client "$CONNECT" "$LISTEN_ADDR"
    heading "stopping the server (SIGTERM)"
    stop_server

    heading "echo over TCP with each connection served by a fiber: $ECHO_SERVER --fibers"
    start_echo_server --listen 127.0.0.1:0 --fibers
    run_client "$ECHO_CLIENT" "$LISTEN_ADDR" "hello from a fiber" "written in blocking style"
    stop_server

    heading "echo over UDP: $ECHO_SERVER --udp"
    start_echo_server --udp --listen 127.0.0.1:0
    heading "one datagram with $CONNECT --udp"
    printf 'a datagram from eddy-connect\n' | run_client "$CONNECT" --udp --wait 0.3 "$LISTEN_ADDR"
    stop_server

    local sock="$SCRATCH/echo.sock"
    heading "echo over a Unix socket: $ECHO_SERVER --unix $sock"
    start_echo_server --unix "$sock"
    heading "piping text through it with $CONNECT --unix"
    printf 'over a Unix stream socket\n' | run_client "$CONNECT" --unix "$sock"
    stop_server
    if [[ -e "$sock" ]]; then
        die "the server left its socket file $sock behind"
    fi
    echo "the server removed its socket file"
}

demo_proxy() {
    [[ -x "$ECHO_SERVER" && -x "$ECHO_CLIENT" && -x "$PROXY" ]] || die "sample binaries not built"

    heading "a TCP proxy: $PROXY in front of $ECHO_SERVER"
    start_echo_server --listen 127.0.0.1:0
    local upstream="$LISTEN_ADDR"
    start_proxy --listen 127.0.0.1:0 --to "$upstream" --connect-timeout 2
    heading "sending a line to the proxy ($LISTEN_ADDR), echoed by the server behind it"
    run_client "$ECHO_CLIENT" "$LISTEN_ADDR" "through the proxy and back"
    heading "stopping the proxy and the echo server (SIGTERM)"
    stop_proxy_and_upstream
}

# One chat client: eddy-connect with its stdin fed by `say` (name, then lines, with pauses);
# what it receives goes to $SCRATCH/NAME.out. Runs in the background; sets CLIENT_PID.
# Usage: chat_client NAME STEP... where a STEP is "sleep S" or a line to send.
chat_client() {
    local name="$1"
    shift
    local -a prefix=()
    command -v timeout >/dev/null && prefix=(timeout 10)
    {
        local step
        for step in "$@"; do
            if [[ "$step" == sleep\ * ]]; then sleep "${step#sleep }"; else printf '%s\n' "$step"; fi
        done
    } | "${prefix[@]}" "$CONNECT" "$LISTEN_ADDR" >"$SCRATCH/$name.out" &
    CLIENT_PID=$!
}

demo_chat() {
    [[ -x "$CHAT_SERVER" && -x "$CONNECT" ]] || die "sample binaries not built"

    heading "chat: starting $CHAT_SERVER on 127.0.0.1 (port chosen by the OS)"
    start_listening_server "$CHAT_SERVER" --listen 127.0.0.1:0
    heading "alice and bob chat through it, each with $CONNECT"
    # Alice answers the prompt with her name, says hello and leaves after 1.5 s; bob joins a
    # little later, answers, and stays until alice has gone.
    local alice bob rc=0
    chat_client alice alice "sleep 0.5" "hi bob, this is alice" "sleep 1"
    alice=$CLIENT_PID
    chat_client bob "sleep 0.25" bob "sleep 0.5" "hello alice" "sleep 1.25"
    bob=$CLIENT_PID
    wait "$alice" || rc=$?
    wait "$bob" || rc=$?
    echo "--- what alice saw ---"
    cat "$SCRATCH/alice.out"
    echo "--- what bob saw ---"
    cat "$SCRATCH/bob.out"
    heading "stopping the server (SIGTERM)"
    stop_server
    [[ $rc -eq 0 ]] || die "a chat client exited with code $rc"
    if ! grep -qx "alice: hi bob, this is alice" "$SCRATCH/bob.out" ||
        ! grep -qx "bob: hello alice" "$SCRATCH/alice.out" ||
        ! grep -qx "alice has left the chat" "$SCRATCH/bob.out"; then
        die "chat demo failed: the clients did not see each other's lines"
    fi
}

cmd_demo() {
    deps_or_warn
    # Only the programs it runs: the tests are left for `tools/dev test` to build.
    build_one release "$ECHO_SERVER_TARGET" "$ECHO_CLIENT_TARGET" "$CONNECT_TARGET" \
        "$PROXY_TARGET" "$CHAT_SERVER_TARGET" || die "release build failed"
    demo_echo
    demo_proxy
    demo_chat
}
