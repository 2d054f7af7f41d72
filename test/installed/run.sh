#!/usr/bin/env bash
# Installs eddy into a temporary prefix (library, headers, eddy.pc), then builds the consumer
# program (test/consumer/main.cpp) against that installation the two ways a user does:
#   1. with `pkg-config --cflags --libs eddy` alone;
#   2. as a meson project with `dependency('eddy')`, found through PKG_CONFIG_PATH;
#   3. as a CMake project with find_package(eddy) and eddy::eddy, through CMAKE_PREFIX_PATH;
# and runs each (one echo round trip over loopback).
# Usage: run.sh EDDY_SOURCE_DIR
set -euo pipefail
src="$1"
work="$(mktemp -d "${TMPDIR:-/tmp}/eddy-installed.XXXXXX")"
trap 'rm -rf "$work"' EXIT
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
prefix="$work/prefix"

step() { # NAME COMMAND...: runs it quietly; on failure shows its output and fails
    local name="$1"
    shift
    "$@" >"$work/$name.log" 2>&1 || { echo "installed: $name failed:" >&2; cat "$work/$name.log" >&2; exit 1; }
}

step setup meson setup "$work/build" "$src" --prefix="$prefix" --buildtype=plain \
    -Dsamples=disabled -Dtests=disabled -Dtools=disabled
step install meson install -C "$work/build"

pc="$(find "$prefix" -name eddy.pc -print -quit)"
[[ -n "$pc" ]] || { echo "installed: no eddy.pc under the prefix" >&2; exit 1; }
[[ -f "$prefix/include/eddy/eddy.hpp" && -f "$prefix/include/eddy/version.hpp" ]] ||
    { echo "installed: headers missing under $prefix/include/eddy" >&2; exit 1; }
export PKG_CONFIG_PATH="$(dirname "$pc")"
libdir="$(pkg-config --variable=libdir eddy)"

# 1. pkg-config alone.
read -r -a flags <<<"$(pkg-config --cflags --libs eddy)"
step pkg-config-build c++ -std=c++20 "$here/../consumer/main.cpp" -o "$work/by-pkg-config" "${flags[@]}"
LD_LIBRARY_PATH="$libdir" "$work/by-pkg-config"

# 2. A meson project that asks for dependency('eddy') and finds the installed one.
mkdir -p "$work/project"
cp "$here/../consumer/main.cpp" "$work/project/"
cat >"$work/project/meson.build" <<'MESON'
project('installed-consumer', 'cpp', default_options: ['cpp_std=c++20'])
executable('consumer', 'main.cpp', dependencies: dependency('eddy'))
MESON
step meson-setup meson setup "$work/project/build" "$work/project"
step meson-build ninja -C "$work/project/build"
LD_LIBRARY_PATH="$libdir" "$work/project/build/consumer"

# 3. A CMake project: find_package(eddy) through CMAKE_PREFIX_PATH, target eddy::eddy.
if command -v cmake >/dev/null; then
    mkdir -p "$work/cmake-project"
    cp "$here/../consumer/main.cpp" "$work/cmake-project/"
    cat >"$work/cmake-project/CMakeLists.txt" <<'CMAKE'
cmake_minimum_required(VERSION 3.16)
project(installed_consumer CXX)
find_package(eddy 0.1 REQUIRED)
add_executable(consumer main.cpp)
target_link_libraries(consumer PRIVATE eddy::eddy)
CMAKE
    step cmake-configure cmake -S "$work/cmake-project" -B "$work/cmake-project/build" \
        -DCMAKE_PREFIX_PATH="$prefix"
    step cmake-build cmake --build "$work/cmake-project/build"
    LD_LIBRARY_PATH="$libdir" "$work/cmake-project/build/consumer"
else
    echo "installed: cmake is not installed; the CMake package was not tried (tools/dev deps installs it)"
fi
