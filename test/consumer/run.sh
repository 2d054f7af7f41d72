#!/usr/bin/env bash
# Builds a small project that pulls eddy in as a meson subproject, and runs it.
# Usage: run.sh EDDY_SOURCE_DIR
set -euo pipefail
src="$1"
work="$(mktemp -d "${TMPDIR:-/tmp}/eddy-consumer.XXXXXX")"
trap 'rm -rf "$work"' EXIT

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cp "$here/meson.build.in" "$work/meson.build"
cp "$here/main.cpp" "$work/"
# The subproject is a copy of what a wrap would unpack (the build files, headers, sources).
mkdir -p "$work/subprojects/eddy"
cp -r "$src/meson.build" "$src/meson_options.txt" "$src/include" "$src/lib" \
    "$work/subprojects/eddy/"

meson setup "$work/build" "$work" --buildtype=plain >"$work/setup.log" 2>&1 ||
    { cat "$work/setup.log"; exit 1; }
ninja -C "$work/build" >"$work/build.log" 2>&1 || { cat "$work/build.log"; exit 1; }
# As a subproject eddy builds its library and nothing else: no test, sample or tool.
built="$(find "$work/build/subprojects/eddy" -type f -perm -u+x ! -name '*.so*' | sort)"
if [[ -n "$built" ]]; then
    echo "eddy built programs inside the consumer:" >&2
    echo "$built" >&2
    exit 1
fi
"$work/build/consumer"
