#!/usr/bin/env bash
# Installs the Debian 12 packages Eddy needs to build, test and benchmark.
# Idempotent, and quiet when everything is already there. Runs as root (or
# through sudo when available).
set -euo pipefail

packages=(
  g++ cmake ninja-build pkg-config
  liburing-dev libxxhash-dev libmimalloc-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libcli11-dev
  libboost-dev rapidjson-dev     # the server: Boost.Beast (HTTP), RapidJSON
  librocksdb-dev libleveldb-dev  # benchmark peers, linked only into eddy-bench
  fio                            # disk anchors for the benchmark ratios
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "setup: need root to install: ${missing[*]}" >&2; exit 1; }
  sudo="sudo"
fi
echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
