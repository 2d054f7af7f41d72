# shellcheck shell=bash
# tools/dev.d/test.sh: `tools/dev test`: build the three build dirs, run their tests and count
# the results from each run's meson-logs/testlog.json. Its last line is "N passed, N failed",
# summed over the builds; it exits non-zero if anything failed or nothing passed.

# Sanitizer runtime settings used by `test` (harmless for the release build). A TSan report
# stops the program at once with a non-zero exit code, so it fails its test.
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
export TSAN_OPTIONS="halt_on_error=1:exitcode=66:second_deadlock_stack=1"

# Print "PASSED FAILED RAN" for a meson test log (testlog.json: one JSON object per test; RAN
# counts them all). As in meson's own summary, OK and EXPECTEDFAIL pass, SKIP counts as
# neither, and every other result (FAIL, ERROR, INTERRUPT, TIMEOUT, UNEXPECTEDPASS) fails.
count_results() {
    python3 -c '
import json, sys
passed = failed = ran = 0
with open(sys.argv[1], encoding="utf-8") as log:
    for line in log:
        if not line.strip():
            continue
        result = json.loads(line)["result"]
        ran += 1
        if result in ("OK", "EXPECTEDFAIL"):
            passed += 1
        elif result != "SKIP":
            failed += 1
print(passed, failed, ran)
' "$1"
}

TOTAL_PASSED=0
TOTAL_FAILED=0

# Run meson test in one build dir and add its counts to the totals.
test_one() {
    local name="$1" dir="build/$1"
    local json="$dir/meson-logs/testlog.json"

    # The tsan build holds only its suite's programs: run that suite, and do not let meson
    # rebuild (which would build every target).
    local -a select=()
    [[ "$name" == tsan ]] && select=(--suite "$TSAN_SUITE" --no-rebuild)

    heading "testing $dir"
    # A log left by an earlier run must not be counted if this one stops before writing its own.
    rm -f "$json"
    local rc=0
    meson test -C "$dir" "${select[@]}" --print-errorlogs --num-processes 2 || rc=$?

    local passed=0 failed=0 ran=0 counts
    if [[ -f "$json" ]] && counts="$(count_results "$json")"; then
        read -r passed failed ran <<<"$counts"
    else
        echo "tools/dev: no readable test log in $dir" >&2
    fi

    # meson test failed (e.g. a rebuild error) without a failed test, or no test ran at all.
    if [[ $failed -eq 0 && ($rc -ne 0 || $ran -eq 0) ]]; then
        echo "tools/dev: meson test in $dir failed (exit code $rc, $ran tests ran)" >&2
        failed=1
    fi

    echo "$dir: $passed passed, $failed failed"
    TOTAL_PASSED=$((TOTAL_PASSED + passed))
    TOTAL_FAILED=$((TOTAL_FAILED + failed))
}

cmd_test() {
    deps_or_warn

    # Build everything first; a build that fails counts as one failure.
    local name built=() start
    for name in "${BUILD_NAMES[@]}"; do
        start=$SECONDS
        if build_one "$name"; then
            built+=("$name")
            echo "build/$name: built in $((SECONDS - start)) s"
        else
            echo "tools/dev: build of build/$name failed" >&2
            TOTAL_FAILED=$((TOTAL_FAILED + 1))
        fi
    done

    for name in "${built[@]}"; do
        start=$SECONDS
        test_one "$name"
        echo "build/$name: tests ran for $((SECONDS - start)) s"
    done

    echo
    echo "$TOTAL_PASSED passed, $TOTAL_FAILED failed"
    [[ $TOTAL_FAILED -eq 0 && $TOTAL_PASSED -gt 0 ]]
}
