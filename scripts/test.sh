#!/usr/bin/env bash
# The whole test suite: installs what is missing, builds Release and an
# AddressSanitizer+UndefinedBehaviorSanitizer build of the tests, and runs
# both through ctest; then a ThreadSanitizer build runs the stream tests
# (concurrent writers and lock-free readers).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/setup.sh"
jobs=${EDDY_TEST_JOBS:-$(nproc)}

echo "== Release build and tests"
"$root/scripts/build.sh" "$root/build" -DCMAKE_BUILD_TYPE=Release -DEDDY_BUILD_TESTS=ON
(cd "$root/build" && ctest --output-on-failure -j "$jobs" --timeout 600)

echo "== ASan+UBSan build and tests"
"$root/scripts/build.sh" "$root/build-asan" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DEDDY_SANITIZE=address,undefined -DEDDY_BUILD_TOOLS=OFF
(cd "$root/build-asan" && ctest --output-on-failure -j "$jobs" --timeout 900)

echo "== ThreadSanitizer build and stream tests"
EDDY_BUILD_TARGETS="eddy_shards_tests eddy_engine_tests" \
  "$root/scripts/build.sh" "$root/build-tsan" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DEDDY_SANITIZE=thread -DEDDY_BUILD_TOOLS=OFF
(cd "$root/build-tsan" && ctest --output-on-failure -j "$jobs" --timeout 900 \
  -R '^(StreamTest|Shard|StreamSegment)')

echo "== libFuzzer build and short fuzz runs"
# tests/fuzz/README.md: clang with -fsanitize=fuzzer,address,undefined; each
# target fuzzes a copy of its corpus for EDDY_FUZZ_SECONDS (20 s).
CC=clang CXX=clang++ EDDY_BUILD_TARGETS="eddy_expression_fuzz eddy_request_fuzz" \
  "$root/scripts/build.sh" "$root/build-fuzz" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DEDDY_FUZZ=ON -DEDDY_BUILD_TOOLS=OFF
(cd "$root/build-fuzz" && ctest --output-on-failure -j "$jobs" -R '^fuzz\.')
