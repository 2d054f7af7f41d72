# shellcheck shell=bash
# tools/dev.d/dist.sh: `tools/dev dist`: the release tarball, checked by meson as a user would
# build it: `meson dist` archives the last commit, unpacks the tarball, builds it, runs its whole
# test suite (the tests that need a git checkout skip there) and installs it into a scratch dir.
# It prints where the tarball is and its sha256. Not part of `tools/dev test`, which would take
# twice as long with it.

DIST_DIR=build/dist

# ARGS go to meson dist: e.g. --allow-dirty, to archive the last commit although the work tree
# has uncommitted changes (which are then not in the tarball, nor tested).
cmd_dist() {
    deps_or_warn
    # Configured anew each time: meson dist reads the project (its version, its dist scripts)
    # from the build dir, and the tarball is built and tested with build/release's options.
    heading "configuring $DIST_DIR (the options of build/release)"
    rm -rf "$DIST_DIR"
    local -a opts
    read -r -a opts <<<"$(build_opts release)"
    meson setup --native-file "$(build_native_file release)" "$DIST_DIR" "${opts[@]}" ||
        die "configuring $DIST_DIR failed"

    heading "meson dist: the tarball of the last commit, built, tested and installed from itself"
    local start=$SECONDS
    meson dist -C "$DIST_DIR" --formats xztar "$@" || die "meson dist failed (see above)"
    echo "meson dist took $((SECONDS - start)) s"

    local tarball sum
    tarball="$(find "$DIST_DIR/meson-dist" -maxdepth 1 -name '*.tar.xz' -print -quit)"
    [[ -n "$tarball" ]] || die "meson dist made no .tar.xz in $DIST_DIR/meson-dist"
    sum="$(sha256sum "$tarball" | cut -d ' ' -f 1)"
    echo
    echo "dist: $tarball sha256 $sum"
}
