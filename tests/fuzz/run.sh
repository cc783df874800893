#!/usr/bin/env bash
# One short fuzz run, as ctest's fuzz.<name> runs it:
#   tests/fuzz/run.sh FUZZER FUZZ_DIR NAME SECONDS
# Fuzzes a scratch copy of FUZZ_DIR/corpus/NAME (the checked-in corpus stays
# as it is) with FUZZ_DIR/NAME.dict for SECONDS seconds. Any crash, leak,
# assertion, sanitizer report or hang (an input running over 10 s) fails the
# run; the input that did it is kept under ./fuzz-artifacts/ (the build dir
# when run by ctest) and its path printed.
set -euo pipefail
fuzzer=$1 fuzz_dir=$2 name=$3 seconds=$4

scratch=$(mktemp -d "${TMPDIR:-/tmp}/eddy-fuzz-$name-XXXXXX")
trap 'rm -rf "$scratch"' EXIT
cp -r "$fuzz_dir/corpus/$name/." "$scratch/"
artifacts="$PWD/fuzz-artifacts"
mkdir -p "$artifacts"

status=0
"$fuzzer" "$scratch" -dict="$fuzz_dir/$name.dict" -max_total_time="$seconds" \
  -rss_limit_mb=2048 -timeout=10 -error_exitcode=1 -timeout_exitcode=1 \
  -print_final_stats=1 -artifact_prefix="$artifacts/$name-" || status=$?
if [ "$status" -ne 0 ]; then
  echo "fuzz.$name: FAILED (exit $status); inputs kept:" >&2
  ls -1 "$artifacts"/"$name"-* >&2 2>/dev/null || true
  exit 1
fi
echo "fuzz.$name: ok, $(find "$scratch" -type f | wc -l) inputs in the corpus after ${seconds}s"
