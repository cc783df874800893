#!/usr/bin/env bash
# HTTP throughput and latency of PutItem, GetItem and GetRecords: Eddy
# (`eddy serve`) against dynalite (npm, a DynamoDB emulator) on the same
# machine in the same run, driven by wrk with the Lua scripts of this directory.
#
#   bench/http/run.sh [--quick] [--duration S] [--conns "2 4 8"] [--no-batch]
#                     [--eddy PATH] [--plot PNG]
#
# --quick: 2, 16 and 64 connections, 3 s each (a smoke run, not a measurement).
# Default: 2 4 8 16 32 64 connections, 10 s each; wrk threads = min(connections, 2),
# keep-alive, --latency. Output: bench/http/results/<stamp>/ (raw wrk output,
# results.csv, report.md, machine.txt) and a plot (default docs/images/http_throughput.png;
# a --quick run writes it only into the results directory unless --plot is given).
# Installs nothing except `npm ci` of dynalite here when node_modules is missing.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"

quick=0; duration=10; conns="2 4 8 16 32 64"; batch=1
eddy="$root/build/eddy"; plot=""; conns_set=0; duration_set=0
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=1 ;;
    --duration) duration="$2"; duration_set=1; shift ;;
    --conns) conns="$2"; conns_set=1; shift ;;
    --no-batch) batch=0 ;;
    --eddy) eddy="$2"; shift ;;
    --plot) plot="$2"; shift ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done
if [ "$quick" = 1 ]; then
  [ "$conns_set" = 1 ] || conns="2 16 64"
  [ "$duration_set" = 1 ] || duration=3
fi

die() { echo "run.sh: $*" >&2; exit 1; }
command -v wrk >/dev/null || die "wrk is missing: apt-get install wrk (or scripts/setup.sh)"
command -v node >/dev/null || die "node is missing: apt-get install nodejs npm (or scripts/setup.sh)"
command -v python3 >/dev/null || die "python3 is missing"
[ -x "$eddy" ] || die "no eddy binary at $eddy: cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release && ninja -C build eddy"
dynalite="$here/node_modules/.bin/dynalite"
if [ ! -x "$dynalite" ]; then
  command -v npm >/dev/null || die "dynalite is not installed and npm is missing: apt-get install npm, then (cd bench/http && npm ci)"
  echo "run.sh: installing dynalite (npm ci in bench/http)"
  (cd "$here" && npm ci --no-audit --no-fund --loglevel=error) || die "npm ci failed in bench/http (offline?)"
fi
command -v gnuplot >/dev/null || echo "run.sh: warning: gnuplot is missing (apt-get install gnuplot-nox): no plot" >&2

stamp="$(date -u +%Y%m%dT%H%M%SZ)"
out="$here/results/$stamp"
mkdir -p "$out/raw"
if [ -z "$plot" ]; then
  if [ "$quick" = 1 ]; then plot="$out/http_throughput.png"; else plot="$root/docs/images/http_throughput.png"; fi
fi
work="$(mktemp -d "${TMPDIR:-/tmp}/eddy-http-bench.XXXXXX")"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

tool() { node "$here/tool.js" "$@"; }

# eddy serve on a free port (--port 0) with a fresh directory; sets $started_url.
# (Not called in $(...): the server's pid must land in this shell's $pids.)
start_eddy() {  # name sync
  local log="$out/eddy-$1.log"
  "$eddy" serve --port 0 --dir "$work/$1" --sync "$2" --iterator-lifetime 3600 >"$log" 2>&1 &
  pids+=($!)
  for _ in $(seq 100); do
    if grep -q 'listening on' "$log"; then
      started_url="$(grep -o 'http://[0-9.]*:[0-9]*' "$log" | head -1)"; return
    fi
    sleep 0.1
  done
  die "eddy serve did not start: $(cat "$log")"
}

free_port() {
  node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

{
  echo "date: $(date -u +%FT%TZ)"
  echo "host: $(uname -srm), $(nproc) cpus"
  echo "load before: $(cat /proc/loadavg)"
  echo "eddy: $("$eddy" --version | tr '\n' ' ')"
  echo "wrk: $(wrk -v 2>&1 | head -1)"
  echo "node: $(node --version), dynalite $(node -p 'require(process.argv[1]).version' "$here/node_modules/dynalite/package.json")"
  echo "git: $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?') $(git -C "$root" status --porcelain 2>/dev/null | grep -qv '^??' && echo '(tracked files modified)')"
  echo "duration per cell: ${duration}s; connections: $conns"
} >"$out/machine.txt"

echo "run.sh: starting servers"
start_eddy none none; eddy_url="$started_url"
if [ "$batch" = 1 ]; then start_eddy batch batch; eddy_batch_url="$started_url"; fi
dport="$(free_port)"
"$dynalite" --host 127.0.0.1 --port "$dport" --createTableMs 0 --deleteTableMs 0 --updateTableMs 0 \
  >"$out/dynalite.log" 2>&1 &
pids+=($!)
dyn_url="http://127.0.0.1:$dport"
tool "$dyn_url" wait

keys=10000
echo "run.sh: tables and $keys preloaded keys (eddy $eddy_url, dynalite $dyn_url)"
for u in "$eddy_url" "$dyn_url"; do
  tool "$u" create-table bench
  tool "$u" preload bench g "$keys"
  tool "$u" check bench "g$((keys - 1))"
done
tool "$eddy_url" create-table sbench stream      # PutItem with a stream on
tool "$eddy_url" create-table records stream     # GetRecords reads this one's shard
tool "$eddy_url" preload records r 2000
if [ "$batch" = 1 ]; then tool "$eddy_batch_url" create-table bench; fi
# dynalite 4.0.0 accepts a StreamSpecification but has no stream (no LatestStreamArn,
# no DynamoDB Streams API): GetRecords and stream on/off are Eddy-only.

# The ceiling: nginx answering every request with Eddy's own GetItem answer,
# fixed (no parsing, no lookup, no JSON). What it reaches is the most any
# server can show here with wrk on the same cores; a ratio target above
# ceiling / dynalite cannot be met on this machine. Skipped without nginx.
ceiling_url=""
if command -v nginx >/dev/null; then
  cport="$(free_port)"
  mkdir -p "$work/nginx/logs"
  body="$(tool "$eddy_url" get-body bench g1)"
  cat >"$work/nginx/nginx.conf" <<NGINX
worker_processes 2;
daemon off;
pid $work/nginx/nginx.pid;
error_log $out/nginx.log;
events { worker_connections 1024; }
http {
  access_log off;
  keepalive_requests 100000000;
  server {
    listen 127.0.0.1:$cport;
    location / {
      default_type application/x-amz-json-1.0;
      return 200 '$body';
    }
  }
}
NGINX
  nginx -c "$work/nginx/nginx.conf" -p "$work/nginx" &
  pids+=($!)
  ceiling_url="http://127.0.0.1:$cport"
  tool "$ceiling_url" wait
  echo "nginx: $(nginx -v 2>&1), static answer of ${#body} bytes" >>"$out/machine.txt"
else
  echo "run.sh: nginx is missing (apt-get install nginx-light): no ceiling cell" >&2
fi

csv="$out/results.csv"
echo "server,op,sync,stream,connections,threads,duration_s,requests,rps,p50_us,p90_us,p99_us,max_us,non200,socket_errors,load1" >"$csv"

# cell SERVER OP SYNC STREAM URL SCRIPT CONNS [ENV=VALUE...]
cell() {
  local server="$1" op="$2" sync="$3" stream="$4" url="$5" script="$6" c="$7"; shift 7
  local t=$(( c < 2 ? c : 2 ))
  local name="$server-$op-$sync-$stream-c$c"
  local load1; load1="$(cut -d' ' -f1 /proc/loadavg)"
  env HTTP_BENCH_DIR="$here" "$@" \
    wrk -t"$t" -c"$c" -d"${duration}s" --timeout 10s --latency -s "$here/$script" "$url/" \
    >"$out/raw/$name.txt" 2>&1 || die "wrk failed for $name: $(tail -5 "$out/raw/$name.txt")"
  local line; line="$(grep '^EDDY_HTTP_RESULT' "$out/raw/$name.txt")" || die "no result line in $out/raw/$name.txt"
  # requests=.. duration_s=.. rps=.. p50_us=.. p90_us=.. p99_us=.. max_us=.. non200=.. socket_errors=..
  local vals; vals="$(echo "$line" | sed -e 's/^EDDY_HTTP_RESULT //' -e 's/[a-z0-9_]*=//g' | tr ' ' ',')"
  local dur req rps rest
  IFS=, read -r req dur rps rest <<<"$vals"
  echo "$server,$op,$sync,$stream,$c,$t,$dur,$req,$rps,$rest,$load1" >>"$csv"
  printf '  %-44s %10s req/s  p50 %6s us  p99 %7s us  non200 %s\n' "$name" "$rps" \
    "$(echo "$rest" | cut -d, -f1)" "$(echo "$rest" | cut -d, -f3)" "$(echo "$rest" | cut -d, -f5)"
  if grep -q '^EDDY_HTTP_FIRST_ERROR' "$out/raw/$name.txt"; then
    echo "    first error: $(grep '^EDDY_HTTP_FIRST_ERROR' "$out/raw/$name.txt" | cut -c23-200)"
  fi
}

for c in $conns; do
  echo "run.sh: $c connections, ${duration}s per cell (load $(cut -d' ' -f1-3 /proc/loadavg))"
  cell eddy put none off "$eddy_url" put.lua "$c" TABLE=bench KEY_PREFIX="c$c-"
  cell eddy put none on "$eddy_url" put.lua "$c" TABLE=sbench KEY_PREFIX="c$c-"
  if [ "$batch" = 1 ]; then
    cell eddy put batch off "$eddy_batch_url" put.lua "$c" TABLE=bench KEY_PREFIX="c$c-"
  fi
  cell dynalite put memory off "$dyn_url" put.lua "$c" TABLE=bench KEY_PREFIX="c$c-"
  cell eddy get none off "$eddy_url" get.lua "$c" TABLE=bench KEYS="$keys"
  cell dynalite get memory off "$dyn_url" get.lua "$c" TABLE=bench KEYS="$keys"
  if [ -n "$ceiling_url" ]; then
    cell ceiling get static off "$ceiling_url" get.lua "$c" TABLE=bench KEYS="$keys"
  fi
  iterator="$(tool "$eddy_url" iterator records)"
  cell eddy getrecords none on "$eddy_url" getrecords.lua "$c" ITERATOR="$iterator"
done
echo "load after: $(cat /proc/loadavg)" >>"$out/machine.txt"
for p in "${pids[@]}"; do  # servers still alive?
  kill -0 "$p" 2>/dev/null || echo "run.sh: warning: server pid $p exited during the run (see $out/*.log)" >&2
done

python3 "$here/report.py" "$csv" --machine "$out/machine.txt" --markdown "$out/report.md" --plot "$plot"
echo "run.sh: results in $out (plot: $plot)"
