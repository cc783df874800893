#!/usr/bin/env bash
# One run of everything the wal_append targets compare: the fio anchors, then
# `eddy-bench --json wal_append` on the same filesystem, then the ratios with
# met / NOT MET (bench/wal_ratios.py). Raw JSON lines are kept in --out.
#
#   bench/run_wal_ratios.sh [--bin PATH] [--dir DIR] [--out DIR] [--quick]
#                           [--repeat N] [-- EDDY-BENCH-ARGS...]
#
# --repeat N runs fio and eddy-bench N times each (alternating) and compares
# medians, as performance-anchors.md does with N=3. ratios.md and results.md
# in --out are ready to paste into docs/benchmarks.md. Exit status as
# wal_ratios.py: 0 all met, 1 some not met, 2 something missing or failed.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
bin=${EDDY_BENCH:-$here/../build-bench/eddy-bench}
dir=./eddy-bench-data
out=./eddy-bench-results/$(date +%Y%m%d-%H%M%S)
quick=()
repeat=1
bench_args=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --bin) bin="$2"; shift 2 ;;
    --dir) dir="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --quick) quick=(--quick); shift ;;
    --repeat) repeat="$2"; shift 2 ;;
    --) shift; bench_args=("$@"); break ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "run_wal_ratios.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done

[[ -x "$bin" ]] || { echo "run_wal_ratios.sh: no eddy-bench at $bin (use --bin)" >&2; exit 2; }
mkdir -p "$out"
{
  echo "date: $(date -Is)"
  echo "host: $(uname -n), kernel $(uname -r), nproc $(nproc)"
  echo "memory: $(free -g | awk '/^Mem:/ {print $2 " GiB"}')"
  echo "filesystem: $(df -T "$(dirname "$(realpath -m "$dir")")" | awk 'NR==2 {print $2 " on " $1}')"
  echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "eddy-bench: $bin ${quick[*]} ${bench_args[*]}"
} | tee "$out/machine.txt" >&2

for ((i = 1; i <= repeat; i++)); do
  echo "# round $i/$repeat: fio anchors" >&2
  "$here/fio_anchors.sh" --dir "$dir" "${quick[@]}" >"$out/fio-$i.jsonl"
  echo "# round $i/$repeat: eddy-bench --json wal_append" >&2
  "$bin" --json "${quick[@]}" --dir "$dir" "${bench_args[@]}" wal_append >"$out/wal_append-$i.jsonl"
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$out/machine.txt" >&2

status=0
python3 "$here/wal_ratios.py" "$out"/*.jsonl | tee "$out/ratios.txt" || status=$?
python3 "$here/wal_ratios.py" --markdown "$out"/*.jsonl >"$out/ratios.md" 2>/dev/null || true
python3 "$here/wal_ratios.py" --results "$out"/*.jsonl >"$out/results.md" 2>/dev/null || true
echo "# raw results and ratios in $out" >&2
exit "$status"
