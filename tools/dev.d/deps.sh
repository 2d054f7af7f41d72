# shellcheck shell=bash
# tools/dev.d/deps.sh: `tools/dev deps`, installing what the builds need on Debian or Ubuntu
# with apt-get: the toolchains, the libraries, Catch2 (v3 on bookworm, from bookworm-backports
# on the archive the machine already uses: no mirror is named here) and clang's sanitizer
# runtime.

APT_PACKAGES=(meson ninja-build g++ clang pkg-config libboost-context-dev libspdlog-dev
    libcli11-dev cmake doxygen)
APT_UPDATED=0

# Run a command as root (directly, or through sudo).
as_root() {
    if [[ $(id -u) -eq 0 ]]; then
        "$@"
    elif command -v sudo >/dev/null; then
        sudo "$@"
    else
        die "need root or sudo to run: $*"
    fi
}

apt_get() {
    as_root env DEBIAN_FRONTEND=noninteractive apt-get "$@"
}

apt_update_once() {
    if [[ $APT_UPDATED -eq 0 ]]; then
        apt_get update -qq
        APT_UPDATED=1
    fi
}

is_installed() {
    [[ $(dpkg-query -W -f='${db:Status-Abbrev}' "$1" 2>/dev/null) == ii* ]]
}

os_codename() {
    # shellcheck disable=SC1091
    (. /etc/os-release 2>/dev/null && echo "${VERSION_CODENAME:-}")
}

# Catch2 is fine if installed; on bookworm it must be v3 (from backports).
catch2_ok() {
    is_installed libcatch2-dev || return 1
    [[ $(os_codename) == bookworm ]] || return 0
    local version
    version="$(dpkg-query -W -f='${Version}' libcatch2-dev)"
    dpkg --compare-versions "$version" ge 3~
}

has_backports_source() {
    grep -rqsE '^[^#]*bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/
}

# The archive this machine already gets bookworm from (deb822 .sources or a one-line
# sources.list entry), so backports come from the same mirror: the project names none.
bookworm_archive_uri() {
    local f
    for f in /etc/apt/sources.list.d/*.sources; do
        [[ -f "$f" ]] || continue
        awk '
            /^URIs:/ { uri = $2 }
            /^Suites:/ { for (i = 2; i <= NF; i++) if ($i == "bookworm") found = 1 }
            /^[[:space:]]*$/ { if (found && uri) { print uri; exit } uri = ""; found = 0 }
            END { if (found && uri) print uri }
        ' "$f" | head -n 1
    done
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
        [[ -f "$f" ]] || continue
        awk '$1 == "deb" && $3 == "bookworm" { print $2 }' "$f"
    done
}

enable_bookworm_backports() {
    has_backports_source && return 0
    local uri
    uri="$(bookworm_archive_uri | head -n 1)"
    if [[ -z "$uri" ]]; then
        echo "deps: no apt source for bookworm found; add bookworm-backports by hand" >&2
        return 1
    fi
    echo "deps: enabling bookworm-backports from $uri (for Catch2 v3)"
    printf 'Types: deb\nURIs: %s\nSuites: bookworm-backports\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
        "$uri" | as_root tee /etc/apt/sources.list.d/bookworm-backports.sources >/dev/null
    APT_UPDATED=0
}

install_catch2() {
    if [[ $(os_codename) == bookworm ]]; then
        enable_bookworm_backports
        apt_update_once
        apt_get install -y -qq -t bookworm-backports libcatch2-dev
    else
        apt_update_once
        apt_get install -y -qq libcatch2-dev
    fi
}

# Does clang++ link a trivial program with each sanitizer the builds use (ASan+UBSan, TSan)
# and a trivial fuzz target with libFuzzer? All come with clang's runtime package.
sanitizers_link() {
    command -v clang++ >/dev/null || return 1
    local flags
    for flags in address,undefined thread; do
        printf 'int main() { return 0; }\n' |
            clang++ -x c++ "-fsanitize=$flags" -o "$SCRATCH/sanitize-check" - \
                >/dev/null 2>&1 || return 1
    done
    printf '%s\n' '#include <cstddef>' '#include <cstdint>' \
        'extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t*, std::size_t) { return 0; }' |
        clang++ -x c++ -fsanitize=fuzzer,address,undefined -o "$SCRATCH/fuzzer-check" - \
            >/dev/null 2>&1
}

install_sanitizer_runtime() {
    local major pkg
    major="$(clang++ -dumpversion 2>/dev/null | cut -d. -f1)"
    pkg="libclang-rt-${major:-14}-dev"
    apt_update_once
    if apt-cache show "$pkg" >/dev/null 2>&1; then
        echo "deps: installing $pkg (clang sanitizer runtime)"
        apt_get install -y -qq "$pkg"
    fi
    sanitizers_link ||
        echo "deps: warning: clang++ -fsanitize=address,undefined, thread or fuzzer still does" \
            "not link" >&2
}

cmd_deps() {
    if ! command -v apt-get >/dev/null || ! command -v dpkg-query >/dev/null; then
        echo "deps: not a Debian-like system; install meson, ninja, g++, clang, pkg-config," \
            "Boost.Context, spdlog, CLI11 and Catch2 by hand (meson falls back to the wraps" \
            "in subprojects/ for spdlog, CLI11 and Catch2)"
        return 0
    fi

    local missing=() pkg
    for pkg in "${APT_PACKAGES[@]}"; do
        is_installed "$pkg" || missing+=("$pkg")
    done
    if [[ ${#missing[@]} -gt 0 ]]; then
        echo "deps: installing ${missing[*]}"
        apt_update_once
        apt_get install -y -qq "${missing[@]}"
    fi

    if ! catch2_ok; then
        echo "deps: installing libcatch2-dev (Catch2 v3)"
        install_catch2
    fi

    sanitizers_link || install_sanitizer_runtime
}

# `deps` for test/demo: run it as its own process (so `set -e` applies inside),
# and carry on if it fails: the build will tell what is really missing.
deps_or_warn() {
    "$ROOT/tools/dev" deps || echo "tools/dev: warning: deps failed, trying to build anyway" >&2
}
