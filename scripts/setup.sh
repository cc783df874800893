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
  clang libclang-rt-14-dev       # the libFuzzer build (tests/fuzz/): the fuzzer and sanitizer runtimes
  python3                        # conformance and benchmark scripts
  wrk gnuplot-nox                # HTTP benchmarks (bench/http/run.sh) and their plot
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

# --- Conformance test clients (tests/conformance/) --------------------------
# The AWS CLI, boto3, and node + npm for the AWS SDK for JavaScript v3. They
# may come from outside apt (pyenv, nodesource), so a Debian package is added
# only when the tool itself is absent.
command -v aws >/dev/null 2>&1 || missing+=(awscli)
python3 -c 'import boto3' >/dev/null 2>&1 || missing+=(python3-boto3)
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)
# --- end of the conformance test clients --------------------------------------

if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "setup: need root to install: ${missing[*]}" >&2; exit 1; }
    sudo="sudo"
  fi
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# --- The JavaScript SDK for the conformance tests, from npm (set-up time only;
# the build never downloads). Its test skips when this fails (offline).
js_dir="$(cd "$(dirname "$0")/.." && pwd)/tests/conformance/js"
if [ -f "$js_dir/package-lock.json" ] && [ ! -d "$js_dir/node_modules" ] && command -v npm >/dev/null 2>&1; then
  echo "setup: npm ci in tests/conformance/js"
  if ! (cd "$js_dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null); then
    echo "setup: warning: npm ci failed; the conformance.js test will be skipped" >&2
  fi
fi
