#!/usr/bin/env bash
# The main job: installs what is missing, builds Release, runs Eddy on its
# embedded default: `eddy serve` on 127.0.0.1:8000 with data in ./eddy-data.
# Extra arguments go to `eddy serve`.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/setup.sh"
"$root/scripts/build.sh" "$root/build" -DCMAKE_BUILD_TYPE=Release
exec "$root/build/eddy" serve "$@"
