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
# eddy_dep carries eddy's compiler workarounds to the consumer's own code (g++ 12's is
# -fno-tree-slp-vectorize; see eddy's meson.build).
meson introspect "$work/build" --targets | python3 -c '
import json, subprocess, sys
consumer = next(t for t in json.load(sys.stdin) if t["name"] == "consumer")
source = consumer["target_sources"][0]
ask = lambda flag: subprocess.run(source["compiler"] + [flag], capture_output=True, text=True).stdout
is_gcc = "clang" not in ask("--version")
if is_gcc and int(ask("-dumpversion").split(".")[0]) < 13 \
        and "-fno-tree-slp-vectorize" not in source["parameters"]:
    sys.exit("the consumer does not get -fno-tree-slp-vectorize from eddy_dep")
'
"$work/build/consumer"
