# shellcheck shell=bash
# tools/dev.d/common.sh: what every command of tools/dev shares: the scratch directory, the
# clean-up on exit (which also stops a demo server left running), messages and errors.
# Sourced by tools/dev, which has already set ROOT and changed into it.

# Scratch space and the demo server's PID; both are cleaned up on any exit.
SCRATCH="$(mktemp -d "${TMPDIR:-/tmp}/eddy-dev.XXXXXX")"
SERVER_PID=""

cleanup() {
    if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -TERM "$SERVER_PID" 2>/dev/null || true
        sleep 0.5
        kill -KILL "$SERVER_PID" 2>/dev/null || true
    fi
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
