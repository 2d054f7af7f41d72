# shellcheck shell=bash
# tools/dev.d/common.sh: what every command of tools/dev shares: the scratch directory, the
# clean-up on exit (which also stops a demo server left running), messages and errors.
# Sourced by tools/dev, which has already set ROOT and changed into it.

# Scratch space and the demo servers' PIDs (the server, and the one behind it when the
# server is a proxy); all are cleaned up on any exit.
SCRATCH="$(mktemp -d "${TMPDIR:-/tmp}/eddy-dev.XXXXXX")"
SERVER_PID=""
UPSTREAM_PID=""

cleanup() {
    local pid
    for pid in "$SERVER_PID" "$UPSTREAM_PID"; do
        if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
            kill -TERM "$pid" 2>/dev/null || true
            sleep 0.5
            kill -KILL "$pid" 2>/dev/null || true
        fi
    done
    rm -rf "$SCRATCH"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

die() {
    echo "tools/dev: $*" >&2
    exit 1
}

heading() {
    printf '\n==> %s\n' "$*"
}
