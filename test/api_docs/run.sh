#!/usr/bin/env bash
# The API reference builds without a warning (every public function and type documented, no
# broken reference): doxygen with docs/Doxyfile, as `tools/dev docs` runs it, into a
# temporary directory.
# Usage: run.sh EDDY_SOURCE_DIR EDDY_GENERATED_INCLUDE_DIR
set -euo pipefail
src="$1"
generated="$2"
out="$(mktemp -d "${TMPDIR:-/tmp}/eddy-api-docs.XXXXXX")"
trap 'rm -rf "$out"' EXIT
cd "$src"
if ! EDDY_GENERATED_HEADERS="$generated" EDDY_DOCS_OUT="$out" doxygen docs/Doxyfile; then
    echo "api_docs: doxygen failed or warned (above)" >&2
    exit 1
fi
[[ -f "$out/html/index.html" ]] || {
    echo "api_docs: no html/index.html was made" >&2
    exit 1
}
echo "api_docs: the reference built without a warning"
