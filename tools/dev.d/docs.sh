# shellcheck shell=bash
# tools/dev.d/docs.sh: `tools/dev docs`: the HTML API reference of the public headers, made by
# doxygen from docs/Doxyfile into build/docs/html; any warning fails it.

cmd_docs() {
    cmd_deps
    # The generated headers (eddy/version.hpp, eddy/config.hpp) come from a configured build.
    is_configured build/release || meson_setup release
    local out="$ROOT/build/docs"
    rm -rf "$out"
    mkdir -p "$out"
    heading "doxygen: the API reference of include/eddy (warnings are errors)"
    EDDY_GENERATED_HEADERS="$ROOT/build/release/include" EDDY_DOCS_OUT="$out" \
        doxygen docs/Doxyfile || die "doxygen failed (see the warnings above)"
    echo "API reference: $out/html/index.html"
}
