#!/usr/bin/env bash
# Runs the disk anchors of docs/performance-anchors.md with fio, in the same
# scratch filesystem eddy-bench uses, and prints each figure as one JSON line
# shaped like eddy-bench --json rows (workload "fio_anchor", engine "fio"),
# so bench/run_wal_ratios.sh can divide the two in one run.
#
#   bench/fio_anchors.sh [--dir DIR] [--quick] [--runtime S] [--repeat N]
#
# Patterns (flags as in performance-anchors.md, runtimes and sizes capped):
#   fdatasync_4k_prewritten  4 KiB writes + fdatasync into pre-written space
#   dsync_4k_direct_uring    4 KiB O_DIRECT + O_DSYNC via io_uring, pre-written
#   direct_1m_qd8            1 MiB O_DIRECT sequential writes, io_uring qd 8
# With --repeat N each pattern runs N times and the median (by ops/s) is kept.
# The human summary goes to stderr; stdout carries only JSON lines.
set -euo pipefail

dir=./eddy-bench-data
quick=0
runtime=10
repeat=1
while [[ $# -gt 0 ]]; do
  case "$1" in
    --dir) dir="$2"; shift 2 ;;
    --quick) quick=1; shift ;;
    --runtime) runtime="$2"; shift 2 ;;
    --repeat) repeat="$2"; shift 2 ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) echo "fio_anchors.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done

for tool in fio jq; do
  command -v "$tool" >/dev/null || { echo "fio_anchors.sh: $tool not found (apt-get install $tool)" >&2; exit 1; }
done

# Sizes keep a run short: at ~7k fdatasyncs/s, 256 MiB of 4 KiB writes take
# ~9 s, so --runtime=10 rarely cuts it; --quick shrinks everything for smoke runs.
if [[ $quick == 1 ]]; then
  runtime=2; sync_size=16M; direct_size=512M
else
  sync_size=256M; direct_size=2G
fi

created_dir=0
[[ -d "$dir" ]] || created_dir=1
mkdir -p "$dir"
work=$(mktemp -d "$dir/fio-XXXXXX")
cleanup() {
  rm -rf "$work"
  if [[ $created_dir == 1 ]]; then rmdir "$dir" 2>/dev/null || true; fi
}
trap cleanup EXIT

# run_pattern NAME FLAGS...: runs fio `repeat` times, prints the median line.
run_pattern() {
  local name=$1; shift
  local common=(--name="$name" --filename="$work/$name" --output-format=json --runtime="$runtime")
  local lines=()
  for ((i = 0; i < repeat; i++)); do
    local out
    out=$(fio "${common[@]}" "$@")
    # Ops/s and MB/s (1 MB = 1e6 B, as eddy-bench) of the writes; latency of a
    # whole write + its fdatasync when fdatasync is used, else of the write.
    lines+=("$(jq -c --arg pattern "$name" --arg cmd "fio ${common[*]} $*" '
      .jobs[0] as $j
      | ($j.sync.lat_ns.N // 0) as $syncs
      | (if $syncs > 0 then $j.sync.lat_ns.percentile else $j.write.clat_ns.percentile end) as $pct
      | {workload: "fio_anchor", engine: "fio", threads: 1, pattern: $pattern,
         ops_per_s: $j.write.iops, mb_per_s: ($j.write.bw_bytes / 1e6),
         p50_us: ($pct["50.000000"] / 1000), p99_us: ($pct["99.000000"] / 1000),
         latency_of: (if $syncs > 0 then "fdatasync" else "write" end),
         seconds: ($j.write.runtime / 1000), fio_version: ."fio version", command: $cmd}' \
      <<<"$out")")
    rm -f "$work/$name"
  done
  printf '%s\n' "${lines[@]}" | jq -s -c 'sort_by(.ops_per_s) | .[(length / 2 | floor)]'
}

{
  run_pattern fdatasync_4k_prewritten --rw=write --bs=4k --size="$sync_size" --ioengine=psync \
    --fdatasync=1 --fallocate=none --overwrite=1
  run_pattern dsync_4k_direct_uring --rw=write --bs=4k --size="$sync_size" --ioengine=io_uring \
    --iodepth=1 --direct=1 --sync=dsync --overwrite=1
  run_pattern direct_1m_qd8 --rw=write --bs=1M --size="$direct_size" --ioengine=io_uring \
    --iodepth=8 --direct=1
} | tee >(jq -r '"# fio \(.pattern): \(.ops_per_s | floor) ops/s, \(.mb_per_s | floor) MB/s, p50 \(.p50_us) us, p99 \(.p99_us) us (\(.latency_of))"' >&2)
