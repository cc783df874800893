#!/usr/bin/env bash
# The main job: installs what is missing, builds Release, runs Eddy on its
# embedded default. Extra arguments go to the command.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/setup.sh"
"$root/scripts/build.sh" "$root/build" -DCMAKE_BUILD_TYPE=Release
exec "$root/build/eddy" demo "$@"
