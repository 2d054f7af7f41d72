#!/bin/sh
# Runs a libFuzzer target for a bounded time, starting from a copy of its seed corpus.
#
#     run_fuzzer.sh FUZZER SEED_DIR WORK_DIR [LIBFUZZER_OPTIONS...]
#
# WORK_DIR is made anew: WORK_DIR/corpus gets the seeds and what the run finds (the seed
# directory is only read), WORK_DIR/artifacts the input of a crash, timeout or leak.
# Exits 1 when the target failed (crash, failed check, sanitizer report, leak), 70 on a
# timeout.
set -eu
fuzzer="$1"
seeds="$2"
work="$3"
shift 3

rm -rf "$work"
mkdir -p "$work/corpus" "$work/artifacts"
cp -R "$seeds/." "$work/corpus/"
# libFuzzer's own exit code for a crash, 77, is the one meson takes for a skipped test.
exec "$fuzzer" -artifact_prefix="$work/artifacts/" -error_exitcode=1 "$@" "$work/corpus"
