#!/usr/bin/env bash
# Configures and builds one build tree: scripts/build.sh DIR [cmake args...]
# EDDY_BUILD_TARGETS (space-separated) builds only those targets.
set -euo pipefail
dir=$1
shift
root=$(cd "$(dirname "$0")/.." && pwd)
cmake -S "$root" -B "$dir" -G Ninja "$@" >/dev/null
# Two cores on CI; more jobs only add memory pressure.
# shellcheck disable=SC2086  # the target list is meant to split
ninja -C "$dir" -j "${EDDY_BUILD_JOBS:-$(nproc)}" ${EDDY_BUILD_TARGETS:-}
