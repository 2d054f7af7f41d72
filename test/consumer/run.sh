#!/usr/bin/env bash
# Builds a small project that uses eddy the way a user of a release does, and runs it:
#   1. `meson dist` makes eddy's release tarball from this checkout;
#   2. the tarball must hold what builds and tests eddy on its own (the wraps, tests, samples,
#      tools, docs);
#   3. the consumer (meson.build.in, main.cpp) gets eddy through subprojects/eddy.wrap, a
#      wrap-file with the tarball's source_hash, the tarball already in
#      subprojects/packagecache/ so nothing is downloaded, and asks for `dependency('eddy')`;
#   4. eddy builds its library there and nothing else, and hands the consumer its compiler
#      workarounds;
#   5. the consumer runs: one echo round trip over loopback. It also builds the README's
#      first program (tools/compile_cost/eddy_echo.cpp, the README's first block, whole).
# Usage: run.sh EDDY_SOURCE_DIR
set -euo pipefail
src="$1"

# meson dist archives what git has committed, so it needs a git checkout. The unpacked
# tarball (where `tools/dev dist` runs the test suite) is none: the test is skipped there.
# This asks git the question meson dist asks: is this directory's meson.build tracked?
if ! command -v git >/dev/null ||
    ! git -C "$src" ls-files --error-unmatch meson.build >/dev/null 2>&1; then
    echo "consumer_wrap: skipped: $src is not a git checkout, which meson dist needs"
    exit 77 # meson test's "skipped"
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/eddy-consumer.XXXXXX")"
trap 'rm -rf "$work"' EXIT
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

fail() {
    echo "consumer_wrap: $*" >&2
    exit 1
}

step() { # NAME COMMAND...: runs it quietly; on failure shows its output and fails
    local name="$1"
    shift
    "$@" >"$work/$name.log" 2>&1 || {
        echo "consumer_wrap: $name failed:" >&2
        cat "$work/$name.log" >&2
        exit 1
    }
}

# 1. The tarball. The build dir only has to be configured for meson dist; nothing is built
# in it. --allow-dirty: meson dist archives the last commit (git archive HEAD), so a
# developer's uncommitted changes are not in the tarball and this checks that commit, as a
# release would hold it. --wrap-mode=nodownload here and below: a wrap that would download
# fails the test at once instead of hanging on the network.
step dist-setup meson setup "$work/dist-build" "$src" --wrap-mode=nodownload \
    -Dsamples=disabled -Dtests=disabled -Dtools=disabled
step dist meson dist -C "$work/dist-build" --no-tests --formats xztar --allow-dirty
tarball="$(find "$work/dist-build/meson-dist" -name '*.tar.xz' -print -quit)"
[[ -n "$tarball" ]] || fail "meson dist made no .tar.xz"
filename="$(basename "$tarball")"
directory="${filename%.tar.xz}" # eddy-VERSION, the tarball's top directory
version="${directory#eddy-}"
hash="$(sha256sum "$tarball" | cut -d ' ' -f 1)"
echo "consumer_wrap: $filename, sha256 $hash"

# 2. What the tarball must hold to build and pass its tests on its own. meson dist takes
# exactly what git tracks, so a file missing here was never committed, or is export-ignore'd.
tar -tJf "$tarball" >"$work/listing"
for path in meson.build meson_options.txt subprojects/spdlog.wrap subprojects/cli11.wrap \
    subprojects/catch2.wrap test/meson.build test/consumer/main.cpp samples/echo/main.cpp \
    tools/meson.build tools/dev docs/architecture.md README.md; do
    grep -qxF "$directory/$path" "$work/listing" || fail "$filename lacks $path"
done

# 3. The consumer project, with eddy's wrap and the tarball in its package cache. The URL is
# where a release would be published; it is never fetched, since the file is in the cache.
consumer="$work/consumer"
mkdir -p "$consumer/subprojects/packagecache"
cp "$here/meson.build.in" "$consumer/meson.build"
cp "$here/main.cpp" "$consumer/"
cp "$src/tools/compile_cost/eddy_echo.cpp" "$consumer/first_program.cpp"
cp "$tarball" "$consumer/subprojects/packagecache/"
cat >"$consumer/subprojects/eddy.wrap" <<WRAP
[wrap-file]
directory = $directory
source_url = https://github.com/eddy-cpp/eddy/releases/download/v$version/$filename
source_filename = $filename
source_hash = $hash
WRAP

# --force-fallback-for=eddy: an eddy installed on this machine must not stand in for the wrap.
# Fibers off: eddy builds as it does where Boost.Context is missing, and says so.
step setup meson setup "$consumer/build" "$consumer" --buildtype=plain \
    --wrap-mode=nodownload --force-fallback-for=eddy -Deddy:fibers=disabled
if ! grep -q "Using eddy source from cache" "$work/setup.log"; then
    cat "$work/setup.log" >&2
    fail "meson did not take eddy's source from the package cache"
fi
if ! grep -q "fibers (Boost.Context) *: *no" "$work/setup.log"; then
    cat "$work/setup.log" >&2
    fail "eddy's configure summary does not say that fibers are left out"
fi
step build ninja -C "$consumer/build"
[[ -x "$consumer/build/first_program" ]] || fail "the README's first program was not built"

# 4. As a subproject eddy builds its library and nothing else: no test, sample or tool.
eddy_build="$consumer/build/subprojects/$directory"
[[ -d "$eddy_build" ]] || fail "eddy was not built as the consumer's subproject $directory"
built="$(find "$eddy_build" -type f -perm -u+x ! -name '*.so*' | sort)"
if [[ -n "$built" ]]; then
    echo "eddy built programs inside the consumer:" >&2
    echo "$built" >&2
    exit 1
fi
tests="$(meson introspect "$consumer/build" --tests)"
[[ "$tests" == "[]" ]] || fail "the consumer's build has tests (eddy's?): $tests"
# eddy_dep carries eddy's compiler workarounds to the consumer's own code (g++ 12's is
# -fno-tree-slp-vectorize; see eddy's meson.build).
meson introspect "$consumer/build" --targets | python3 -c '
import json, subprocess, sys
consumer = next(t for t in json.load(sys.stdin) if t["name"] == "consumer")
source = consumer["target_sources"][0]
ask = lambda flag: subprocess.run(source["compiler"] + [flag], capture_output=True, text=True).stdout
is_gcc = "clang" not in ask("--version")
if is_gcc and int(ask("-dumpversion").split(".")[0]) < 14 \
        and "-fno-tree-slp-vectorize" not in source["parameters"]:
    sys.exit("the consumer does not get -fno-tree-slp-vectorize from eddy_dep")
'

# 5. The consumer's echo server and client: prints "consumer: ok".
"$consumer/build/consumer"
