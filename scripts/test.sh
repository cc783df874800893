#!/usr/bin/env bash
# The whole test suite: installs what is missing, builds Release and runs its
# tests through ctest; then one clang ASan+UBSan tree builds the tests and the
# libFuzzer targets, and runs both (the fuzzers for 20 s each); then a
# ThreadSanitizer build runs the stream tests (concurrent writers and
# lock-free readers). Prints the wall time of each stage and of the whole.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
jobs=${EDDY_TEST_JOBS:-$(nproc)}
start=$SECONDS
stage_start=$SECONDS
stage_done() {
  echo "-- $1: $((SECONDS - stage_start)) s"
  stage_start=$SECONDS
}

"$root/scripts/setup.sh"

echo "== Release build and tests"
"$root/scripts/build.sh" "$root/build" -DCMAKE_BUILD_TYPE=Release -DEDDY_BUILD_TESTS=ON
stage_done "Release build"
(cd "$root/build" && ctest --output-on-failure -j "$jobs" --timeout 600)
stage_done "Release tests"

# The sanitizer trees: -O1 and line tables only (-g1), enough for symbolized
# reports and much faster to build than -O2 with full debug info; the
# engine's libraries in unity batches too (nothing in these trees is measured).
san_flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g1 -DNDEBUG"
           -DEDDY_BUILD_TOOLS=OFF -DEDDY_UNITY_LIBRARIES=ON)

echo "== ASan+UBSan build (clang, with the libFuzzer targets), tests and short fuzz runs"
# tests/fuzz/README.md: the libraries are compiled with
# -fsanitize=fuzzer-no-link,address,undefined and -UNDEBUG, the tests link
# ASan+UBSan, the fuzz targets libFuzzer; fuzz.<name> fuzzes a copy of its
# corpus for EDDY_FUZZ_SECONDS (20 s).
# A build-asan from before this tree moved to clang (it was GCC's) starts afresh:
# CMake cannot switch the compiler of a configured tree in one pass.
if [ -f "$root/build-asan/CMakeCache.txt" ] &&
  ! grep -q '^CMAKE_CXX_COMPILER:.*clang++' "$root/build-asan/CMakeCache.txt"; then
  rm -rf "$root/build-asan"
fi
"$root/scripts/build.sh" "$root/build-asan" -DCMAKE_CXX_COMPILER=clang++ "${san_flags[@]}" \
  -DEDDY_SANITIZE=address,undefined -DEDDY_FUZZ=ON
stage_done "ASan+UBSan build"
(cd "$root/build-asan" && ctest --output-on-failure -j "$jobs" --timeout 900)
stage_done "ASan+UBSan tests and fuzz runs"

echo "== ThreadSanitizer build and stream tests"
# Only the test files with the stream tests it runs (EDDY_TEST_SOURCES).
EDDY_BUILD_TARGETS="eddy_shards_tests eddy_engine_tests" \
  "$root/scripts/build.sh" "$root/build-tsan" "${san_flags[@]}" -DEDDY_SANITIZE=thread \
  '-DEDDY_TEST_SOURCES=/tests/(shards/.*|engine/stream_(test|sequencer_test|read_cache_test)\.cc)$'
stage_done "ThreadSanitizer build"
(cd "$root/build-tsan" && ctest --output-on-failure -j "$jobs" --timeout 900 \
  -R '^(StreamTest|StreamSequencer|StreamReadCache|DecodedRecordCache|Shard|StreamSegment|SegmentTender)')
stage_done "ThreadSanitizer tests"

echo "== All tests passed in $((SECONDS - start)) s"
