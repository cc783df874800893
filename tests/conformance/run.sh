#!/usr/bin/env bash
# Conformance test driver: tests/conformance/run.sh CLIENT EDDY_BINARY
#
# Starts `EDDY_BINARY serve` on a free port over a fresh data directory, runs
# one client's scenario against it (CLIENT: aws_cli | boto3 | js), then stops
# the server with SIGTERM and checks that it exits 0.
#
# Exit status: 0 pass; 77 the client is not installed (ctest SKIP_RETURN_CODE;
# scripts/setup.sh installs the clients); anything else is a failure.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
client=${1:-}
eddy=${2:-}
if [ -z "$client" ] || [ -z "$eddy" ]; then
  echo "usage: $0 aws_cli|boto3|js EDDY_BINARY" >&2
  exit 2
fi
if [ ! -x "$eddy" ]; then
  echo "conformance: FAIL: $eddy is not an executable" >&2
  exit 1
fi

skip() {
  echo "conformance[$client]: SKIP: $*" >&2
  exit 77
}

# --- The client must be present (else skip) ---------------------------------
python=${EDDY_CONFORMANCE_PYTHON:-python3}
case "$client" in
  aws_cli)
    command -v aws >/dev/null 2>&1 || skip "no 'aws' command (scripts/setup.sh installs awscli)"
    aws --version >/dev/null 2>&1 || skip "'aws --version' fails"
    command -v "$python" >/dev/null 2>&1 || skip "no $python (the scenario parses JSON with it)"
    cmd=(bash "$here/aws_cli.sh")
    ;;
  boto3)
    command -v "$python" >/dev/null 2>&1 || skip "no $python"
    "$python" -c 'import boto3' >/dev/null 2>&1 ||
      skip "$python cannot import boto3 (scripts/setup.sh installs python3-boto3)"
    cmd=("$python" "$here/boto3_conformance.py")
    ;;
  js)
    command -v node >/dev/null 2>&1 || skip "no 'node' (scripts/setup.sh installs nodejs)"
    node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
    [ "$node_major" -ge 18 ] 2>/dev/null ||
      skip "node $(node --version 2>/dev/null) is older than 18, which the pinned AWS SDK v3 needs"
    for p in client-dynamodb client-dynamodb-streams; do
      [ -f "$here/js/node_modules/@aws-sdk/$p/package.json" ] ||
        skip "tests/conformance/js/node_modules lacks @aws-sdk/$p (run scripts/setup.sh, or npm ci in tests/conformance/js)"
    done
    # The scenario, then the Developer Guide's low-level streams walk-through
    # run unchanged: it must print the three changes of its item.
    cmd=(bash -c '
      node "$1/js/conformance.mjs" || exit 1
      out=$(node "$1/js/streams_low_level_example.mjs") || { echo "$out"; exit 1; }
      echo "$out" | sed "s/^/  example | /"
      for want in "\"NewImage\":{\"Id\":{\"N\":\"101\"},\"Message\":{\"S\":\"New item!\"}}" \
                  "\"Message\":{\"S\":\"This item has changed\"}" "Demo complete"; do
        grep -qF "$want" <<<"$out" || { echo "example: missing $want"; exit 1; }
      done
      [ "$(grep -c "\"SequenceNumber\"" <<<"$out")" = 3 ] || { echo "example: not 3 records"; exit 1; }
    ' _ "$here")
    ;;
  *)
    echo "conformance: unknown client '$client' (aws_cli, boto3 or js)" >&2
    exit 2
    ;;
esac

# --- Start the server ---------------------------------------------------------
work=$(mktemp -d "${TMPDIR:-/tmp}/eddy-conformance-$client.XXXXXX")
log="$work/server.log"
server_pid=""
cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -KILL "$server_pid" 2>/dev/null
    wait "$server_pid" 2>/dev/null
  fi
  if [ "${keep_work:-0}" = 1 ]; then
    echo "conformance[$client]: server log and data kept in $work" >&2
  else
    rm -rf "$work"
  fi
}
trap cleanup EXIT

# Two initial shards and a fast rollover, so every scenario sees several
# shards and a parent -> child lineage to follow: every 3 s for the SDKs, every
# 10 s for the CLI (each `aws` call costs ~0.3 s, so fewer shards to read).
rollover=3
[ "$client" = aws_cli ] && rollover=10
server_args=(serve --address 127.0.0.1 --port 0 --dir "$work/data" --sync none
             --shards 2 --shard-rollover "$rollover")
"$eddy" "${server_args[@]}" >"$log" 2>&1 &
server_pid=$!

port=""
for _ in $(seq 1 200); do  # up to 10 s
  line=$(grep -m1 '^eddy serve: listening on http://' "$log" 2>/dev/null || true)
  if [ -n "$line" ]; then
    port=$(sed -E 's|.*http://[^:/]+:([0-9]+).*|\1|' <<<"$line")
    break
  fi
  if ! kill -0 "$server_pid" 2>/dev/null; then
    break
  fi
  sleep 0.05
done
if [ -z "$port" ]; then
  echo "conformance[$client]: FAIL: the server did not print its ready line; log:" >&2
  sed 's/^/  | /' "$log" >&2
  keep_work=1
  exit 1
fi

export EDDY_ENDPOINT="http://127.0.0.1:$port"
export AWS_ACCESS_KEY_ID=AKIDEDDYCONFORMANCE
export AWS_SECRET_ACCESS_KEY=eddy-conformance-secret
export AWS_DEFAULT_REGION=us-east-1
export AWS_REGION=us-east-1
unset AWS_PROFILE AWS_SESSION_TOKEN AWS_ENDPOINT_URL AWS_ENDPOINT_URL_DYNAMODB \
  AWS_ENDPOINT_URL_DYNAMODB_STREAMS
export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null
export AWS_PAGER=""                  # AWS CLI v2: never page output
export AWS_EC2_METADATA_DISABLED=true
export PYTHONDONTWRITEBYTECODE=1
export NODE_NO_WARNINGS=1
export AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE=1

echo "conformance[$client]: server on $EDDY_ENDPOINT (pid $server_pid, data $work/data)"
start=$(date +%s.%N)
"${cmd[@]}"
status=$?
elapsed=$(python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.1f}')" \
  "$start" "$(date +%s.%N)" 2>/dev/null || echo '?')

# --- Stop the server, which must exit 0 ----------------------------------------
server_status=0
if kill -0 "$server_pid" 2>/dev/null; then
  kill -TERM "$server_pid"
  for _ in $(seq 1 200); do  # up to 20 s
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$server_pid" 2>/dev/null; then
    echo "conformance[$client]: FAIL: the server did not stop within 20 s of SIGTERM" >&2
    server_status=1
  else
    wait "$server_pid"
    code=$?
    if [ "$code" -ne 0 ]; then
      echo "conformance[$client]: FAIL: the server exited with status $code after SIGTERM" >&2
      server_status=1
    fi
  fi
else
  wait "$server_pid"
  echo "conformance[$client]: FAIL: the server died during the scenario (status $?)" >&2
  server_status=1
fi
server_pid=""

if [ "$status" -ne 0 ] || [ "$server_status" -ne 0 ]; then
  [ "$status" -ne 0 ] &&
    echo "conformance[$client]: FAIL: the $client scenario failed (status $status) after ${elapsed}s" >&2
  echo "conformance[$client]: server log:" >&2
  tail -n 50 "$log" | sed 's/^/  | /' >&2
  keep_work=1
  exit 1
fi
echo "conformance[$client]: PASS in ${elapsed}s; server stopped cleanly"
exit 0
