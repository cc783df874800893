#!/usr/bin/env bash
# Eddy conformance scenario with the AWS CLI (v1 or v2): `aws dynamodb` and
# `aws dynamodbstreams` against the server tests/conformance/run.sh started
# (EDDY_ENDPOINT, dummy credentials in the environment). Exit 1 on any failure.
set -uo pipefail

: "${EDDY_ENDPOINT:?run through tests/conformance/run.sh}"
export AWS_MAX_ATTEMPTS=1 AWS_RETRY_MODE=standard  # errors surface, never retried away

# Resolve pyenv shims once: they cost ~0.5 s a call.
AWS=$(command -v aws)
if [ -n "$(command -v pyenv)" ] && pyenv which aws >/dev/null 2>&1; then AWS=$(pyenv which aws); fi
PY=$(python3 -c 'import sys; print(sys.executable)')
echo "$("$AWS" --version 2>&1), endpoint $EDDY_ENDPOINT"

failures=0
checks=0
section_name=""
section() { section_name=$1; echo "== $1 (at $(( $(date +%s) - start_s ))s)"; }
pass() { checks=$((checks + 1)); }
fail() {
  checks=$((checks + 1)); failures=$((failures + 1))
  echo "  FAIL [$section_name] $*"
}

ddb() { "$AWS" --endpoint-url "$EDDY_ENDPOINT" --output json dynamodb "$@"; }
dds() { "$AWS" --endpoint-url "$EDDY_ENDPOINT" --output json dynamodbstreams "$@"; }

# jcheck WHAT JSON PYTHON-EXPR: the expression (over `d`, the parsed JSON) must be true.
jcheck() {
  local what=$1 json=$2 expr=$3 out
  if out=$("$PY" -c '
import json, sys
d = json.loads(sys.argv[1]) if sys.argv[1].strip() else None
ok = eval("(" + sys.argv[2] + "\n)")
if not ok:
    print(json.dumps(d)[:1500])
sys.exit(0 if ok else 1)' "$json" "$expr" 2>&1); then
    pass
  else
    fail "$what: expected $expr; got: $out"
  fi
}

# run WHAT CMD...: the command must succeed; its stdout goes to $out.
out=""
run() {
  local what=$1; shift
  local err
  err=$(mktemp)
  if out=$("$@" 2>"$err"); then
    pass
  else
    fail "$what: exit $?: $(head -c 600 "$err")"
    out=""
  fi
  rm -f "$err"
}

# expect_error WHAT CODE OPERATION CMD...: the command must fail with the CLI's
# service-error exit status (v1: 255, v2: 254) and its message
# "An error occurred (CODE) when calling the OPERATION operation: ...".
errmsg=""
expect_error() {
  local what=$1 code=$2 op=$3; shift 3
  local status
  errmsg=$("$@" 2>&1 >/dev/null)
  status=$?
  if [ "$status" -ne 254 ] && [ "$status" -ne 255 ]; then
    fail "$what: exit status $status, expected 254/255 (service error); output: ${errmsg:0:300}"
  elif ! grep -Eq "An error occurred \($code\) when calling the $op operation( \(reached max retries: [0-9]+\))?: " <<<"$errmsg"; then
    fail "$what: expected '$code' from $op; got: ${errmsg:0:300}"
  else
    pass
  fi
}

keys_sn='AttributeName=pk,AttributeType=S AttributeName=sk,AttributeType=N'
schema_sn='AttributeName=pk,KeyType=HASH AttributeName=sk,KeyType=RANGE'
T=conf_cli_items
Q=conf_cli_query
start_s=$(date +%s)

# ---------------------------------------------------------------------------
section "control plane"
run "create-table with a stream" ddb create-table --table-name $T --attribute-definitions $keys_sn \
  --key-schema $schema_sn --billing-mode PAY_PER_REQUEST \
  --stream-specification StreamEnabled=true,StreamViewType=NEW_AND_OLD_IMAGES
jcheck "create-table" "$out" 'd["TableDescription"]["StreamSpecification"] == {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"} and d["TableDescription"]["LatestStreamArn"].endswith("/stream/" + d["TableDescription"]["LatestStreamLabel"])'
run "wait table-exists" ddb wait table-exists --table-name $T
run "create-table (provisioned)" ddb create-table --table-name $Q --attribute-definitions $keys_sn \
  --key-schema $schema_sn --provisioned-throughput ReadCapacityUnits=2,WriteCapacityUnits=3
jcheck "provisioned throughput" "$out" 'd["TableDescription"]["ProvisionedThroughput"]["WriteCapacityUnits"] == 3'
for i in 1 2; do
  run "create-table conf_cli_list_$i" ddb create-table --table-name conf_cli_list_$i \
    --attribute-definitions AttributeName=pk,AttributeType=S --key-schema AttributeName=pk,KeyType=HASH \
    --billing-mode PAY_PER_REQUEST
done
expect_error "create-table of an existing table" ResourceInUseException CreateTable \
  ddb create-table --table-name $T --attribute-definitions $keys_sn --key-schema $schema_sn --billing-mode PAY_PER_REQUEST
expect_error "describe-table of a missing table" ResourceNotFoundException DescribeTable \
  ddb describe-table --table-name conf_cli_missing
expect_error "create-table with a bad key schema" ValidationException CreateTable \
  ddb create-table --table-name conf_cli_bad --attribute-definitions AttributeName=pk,AttributeType=S \
  --key-schema AttributeName=nope,KeyType=HASH --billing-mode PAY_PER_REQUEST
run "describe-table --query" ddb describe-table --table-name $T --query 'Table.[TableStatus,KeySchema[0].AttributeName,StreamSpecification.StreamViewType]'
jcheck "describe-table --query" "$out" 'd == ["ACTIVE", "pk", "NEW_AND_OLD_IMAGES"]'

# list-tables: the CLI's own pagination.
run "list-tables (all pages, --page-size 2)" ddb list-tables --page-size 2
all_tables=$out
jcheck "list-tables" "$out" 'set(d["TableNames"]) >= {"conf_cli_items", "conf_cli_query", "conf_cli_list_1", "conf_cli_list_2"} and d["TableNames"] == sorted(d["TableNames"]) and "NextToken" not in d'
run "list-tables --max-items 2" ddb list-tables --max-items 2 --page-size 1
jcheck "list-tables --max-items" "$out" 'len(d["TableNames"]) == 2 and "NextToken" in d'
token=$("$PY" -c 'import json,sys; print(json.loads(sys.argv[1]).get("NextToken",""))' "$out")
run "list-tables --starting-token" ddb list-tables --starting-token "$token" --page-size 3
first_two=$("$PY" -c 'import json,sys; print(json.dumps(json.loads(sys.argv[1])["TableNames"][:2]))' "$all_tables")
jcheck "list-tables resumed" "$out" "$first_two + d['TableNames'] == $(printf '%s' "$all_tables" | "$PY" -c 'import json,sys; print(json.dumps(json.load(sys.stdin)["TableNames"]))')"
run "list-tables --no-paginate --limit" ddb list-tables --no-paginate --limit 1
jcheck "list-tables --no-paginate" "$out" 'len(d["TableNames"]) == 1 and "LastEvaluatedTableName" in d'

run "update-table capacity" ddb update-table --table-name $Q --provisioned-throughput ReadCapacityUnits=5,WriteCapacityUnits=5
jcheck "update-table capacity" "$out" 'd["TableDescription"]["ProvisionedThroughput"]["ReadCapacityUnits"] == 5'
run "update-time-to-live" ddb update-time-to-live --table-name $Q --time-to-live-specification Enabled=true,AttributeName=ttl
jcheck "update-time-to-live" "$out" 'd == {"TimeToLiveSpecification": {"Enabled": True, "AttributeName": "ttl"}}'
run "describe-time-to-live" ddb describe-time-to-live --table-name $Q
jcheck "describe-time-to-live" "$out" 'd == {"TimeToLiveDescription": {"TimeToLiveStatus": "ENABLED", "AttributeName": "ttl"}}'
for i in 1 2; do run "delete-table" ddb delete-table --table-name conf_cli_list_$i; done
jcheck "delete-table output" "$out" 'd["TableDescription"]["TableName"] == "conf_cli_list_2"'
run "wait table-not-exists" ddb wait table-not-exists --table-name conf_cli_list_2
expect_error "delete-table of a missing table" ResourceNotFoundException DeleteTable \
  ddb delete-table --table-name conf_cli_list_1

# ---------------------------------------------------------------------------
section "items"
item='{"pk":{"S":"a"},"sk":{"N":"1"},"s":{"S":"héllo"},"n":{"N":"-1.5"},"t":{"BOOL":true},"z":{"NULL":true},"m":{"M":{"x":{"L":[{"N":"1"},{"S":"y"}]}}},"ss":{"SS":["b","a"]},"ns":{"NS":["2","1"]}}'
run "put-item" ddb put-item --table-name $T --item "$item" --return-values ALL_OLD
jcheck "put-item of a new item" "$out" 'd is None or "Attributes" not in d'
run "get-item" ddb get-item --table-name $T --key '{"pk":{"S":"a"},"sk":{"N":"1"}}' --consistent-read
jcheck "get-item" "$out" 'd["Item"]["s"] == {"S": "héllo"} and d["Item"]["m"] == {"M": {"x": {"L": [{"N": "1"}, {"S": "y"}]}}} and sorted(d["Item"]["ss"]["SS"]) == ["a", "b"] and d["Item"]["z"] == {"NULL": True}'
run "get-item --projection-expression" ddb get-item --table-name $T --key '{"pk":{"S":"a"},"sk":{"N":"1"}}' \
  --projection-expression '#m.x[1], n' --expression-attribute-names '{"#m":"m"}'
jcheck "projection" "$out" 'd["Item"] == {"m": {"M": {"x": {"L": [{"S": "y"}]}}}, "n": {"N": "-1.5"}}'
run "get-item of a missing item" ddb get-item --table-name $T --key '{"pk":{"S":"none"},"sk":{"N":"1"}}'
jcheck "missing item" "$out" 'd is None or "Item" not in d'

expect_error "conditional put-item" ConditionalCheckFailedException PutItem \
  ddb put-item --table-name $T --item '{"pk":{"S":"a"},"sk":{"N":"1"}}' --condition-expression 'attribute_not_exists(pk)'
grep -q "The conditional request failed" <<<"$errmsg" && pass || fail "ConditionalCheckFailedException message: $errmsg"
expect_error "conditional update-item" ConditionalCheckFailedException UpdateItem \
  ddb update-item --table-name $T --key '{"pk":{"S":"a"},"sk":{"N":"1"}}' --update-expression 'SET n = :v' \
  --condition-expression 'n > :v' --expression-attribute-values '{":v":{"N":"0"}}'
expect_error "conditional delete-item" ConditionalCheckFailedException DeleteItem \
  ddb delete-item --table-name $T --key '{"pk":{"S":"a"},"sk":{"N":"1"}}' --condition-expression 'attribute_not_exists(s)'

run "update-item ALL_NEW" ddb update-item --table-name $T --key '{"pk":{"S":"a"},"sk":{"N":"1"}}' \
  --update-expression 'SET n = n + :one, l = list_append(if_not_exists(l, :empty), :l) ADD c :one REMOVE z DELETE ss :b' \
  --expression-attribute-values '{":one":{"N":"1"},":empty":{"L":[]},":l":{"L":[{"S":"p"}]},":b":{"SS":["b"]}}' \
  --return-values ALL_NEW
jcheck "update-item ALL_NEW" "$out" '(a := d["Attributes"]) and a["n"] == {"N": "-0.5"} and a["l"] == {"L": [{"S": "p"}]} and a["c"] == {"N": "1"} and "z" not in a and a["ss"] == {"SS": ["a"]}'
run "update-item UPDATED_OLD" ddb update-item --table-name $T --key '{"pk":{"S":"a"},"sk":{"N":"1"}}' \
  --update-expression 'SET c = :v' --expression-attribute-values '{":v":{"N":"7"}}' --return-values UPDATED_OLD
jcheck "update-item UPDATED_OLD" "$out" 'd == {"Attributes": {"c": {"N": "1"}}}'
run "update-item upsert UPDATED_NEW" ddb update-item --table-name $T --key '{"pk":{"S":"b"},"sk":{"N":"2"}}' \
  --update-expression 'SET v = :v' --expression-attribute-values '{":v":{"S":"new"}}' --return-values UPDATED_NEW
jcheck "update-item upsert" "$out" 'd == {"Attributes": {"v": {"S": "new"}}}'
run "delete-item ALL_OLD" ddb delete-item --table-name $T --key '{"pk":{"S":"b"},"sk":{"N":"2"}}' --return-values ALL_OLD
jcheck "delete-item ALL_OLD" "$out" 'd["Attributes"]["v"] == {"S": "new"}'

expect_error "put-item without the sort key" ValidationException PutItem \
  ddb put-item --table-name $T --item '{"pk":{"S":"x"}}'
expect_error "bad update expression" ValidationException UpdateItem \
  ddb update-item --table-name $T --key '{"pk":{"S":"a"},"sk":{"N":"1"}}' --update-expression 'SET'
expect_error "undefined :value" ValidationException UpdateItem \
  ddb update-item --table-name $T --key '{"pk":{"S":"a"},"sk":{"N":"1"}}' --update-expression 'SET x = :nope'
expect_error "put-item on a missing table" ResourceNotFoundException PutItem \
  ddb put-item --table-name conf_cli_missing --item '{"pk":{"S":"x"}}'

# ---------------------------------------------------------------------------
section "batches, query, scan"
reqs=$("$PY" -c '
import json
print(json.dumps({"conf_cli_query": [{"PutRequest": {"Item": {"pk": {"S": "q"}, "sk": {"N": str(i)}, "odd": {"BOOL": i % 2 == 1}}}} for i in range(25)]}))')
run "batch-write-item (25 puts)" ddb batch-write-item --request-items "$reqs"
jcheck "batch-write-item" "$out" 'd == {"UnprocessedItems": {}}'
reqs=$("$PY" -c '
import json
print(json.dumps({"conf_cli_query": [{"PutRequest": {"Item": {"pk": {"S": "o%d" % i}, "sk": {"N": "0"}}}} for i in range(5)] + [{"DeleteRequest": {"Key": {"pk": {"S": "q"}, "sk": {"N": "24"}}}}]}))')
run "batch-write-item (puts and a delete)" ddb batch-write-item --request-items "$reqs"
run "batch-get-item" ddb batch-get-item --request-items \
  '{"conf_cli_query":{"Keys":[{"pk":{"S":"q"},"sk":{"N":"3"}},{"pk":{"S":"q"},"sk":{"N":"24"}},{"pk":{"S":"o1"},"sk":{"N":"0"}}],"ProjectionExpression":"pk, sk"},"conf_cli_items":{"Keys":[{"pk":{"S":"a"},"sk":{"N":"1"}}]}}'
jcheck "batch-get-item" "$out" 'sorted(i["pk"]["S"] + i["sk"]["N"] for i in d["Responses"]["conf_cli_query"]) == ["o10", "q3"] and len(d["Responses"]["conf_cli_items"]) == 1 and d["UnprocessedKeys"] == {}'
expect_error "batch-write-item with a duplicate key" ValidationException BatchWriteItem \
  ddb batch-write-item --request-items '{"conf_cli_query":[{"PutRequest":{"Item":{"pk":{"S":"d"},"sk":{"N":"1"}}}},{"DeleteRequest":{"Key":{"pk":{"S":"d"},"sk":{"N":"1"}}}}]}'

run "query (all pages, --page-size 5)" ddb query --table-name $Q --key-condition-expression 'pk = :p AND sk >= :a' \
  --expression-attribute-values '{":p":{"S":"q"},":a":{"N":"2"}}' --page-size 5
jcheck "query paginated" "$out" '[int(i["sk"]["N"]) for i in d["Items"]] == list(range(2, 24)) and d["Count"] == 22 and "NextToken" not in d'
run "query --max-items" ddb query --table-name $Q --key-condition-expression 'pk = :p' \
  --expression-attribute-values '{":p":{"S":"q"}}' --max-items 7 --page-size 3 --no-scan-index-forward
jcheck "query --max-items" "$out" '[int(i["sk"]["N"]) for i in d["Items"]] == list(range(23, 16, -1)) and "NextToken" in d'
token=$("$PY" -c 'import json,sys; print(json.loads(sys.argv[1]).get("NextToken",""))' "$out")
run "query --starting-token" ddb query --table-name $Q --key-condition-expression 'pk = :p' \
  --expression-attribute-values '{":p":{"S":"q"}}' --starting-token "$token" --page-size 3 --no-scan-index-forward
jcheck "query resumed" "$out" '[int(i["sk"]["N"]) for i in d["Items"]] == list(range(16, -1, -1))'
run "query filter, select COUNT" ddb query --table-name $Q --key-condition-expression 'pk = :p' \
  --filter-expression 'odd = :t' --expression-attribute-values '{":p":{"S":"q"},":t":{"BOOL":true}}' \
  --select COUNT --page-size 10
jcheck "query COUNT" "$out" 'd["Count"] == 12 and d["ScannedCount"] == 24 and "Items" not in d'
expect_error "query without the partition key" ValidationException Query \
  ddb query --table-name $Q --key-condition-expression 'sk = :a' --expression-attribute-values '{":a":{"N":"1"}}'

run "scan (all pages, --page-size 4)" ddb scan --table-name $Q --page-size 4
jcheck "scan paginated" "$out" 'd["Count"] == 29 and len({(i["pk"]["S"], i["sk"]["N"]) for i in d["Items"]}) == 29'
run "scan --max-items" ddb scan --table-name $Q --max-items 10 --page-size 4
first_scan=$out
jcheck "scan --max-items" "$out" 'len(d["Items"]) == 10 and "NextToken" in d'
token=$("$PY" -c 'import json,sys; print(json.loads(sys.argv[1]).get("NextToken",""))' "$out")
run "scan --starting-token" ddb scan --table-name $Q --starting-token "$token" --page-size 4
both=$("$PY" -c 'import json,sys; print(json.dumps(json.loads(sys.argv[1])["Items"] + json.loads(sys.argv[2])["Items"]))' "$first_scan" "$out")
jcheck "scan --max-items + --starting-token" "$both" 'len(d) == 29 and len({(i["pk"]["S"], i["sk"]["N"]) for i in d}) == 29'
run "scan segment 0/2" ddb scan --table-name $Q --segment 0 --total-segments 2
seg0=$out
run "scan segment 1/2" ddb scan --table-name $Q --segment 1 --total-segments 2
jcheck "scan segments" "$out" "d['Count'] + $("$PY" -c 'import json,sys; print(json.loads(sys.argv[1])["Count"])' "$seg0") == 29"
run "scan filter" ddb scan --table-name $Q --filter-expression 'begins_with(pk, :o)' \
  --expression-attribute-values '{":o":{"S":"o"}}' --query 'Count'
jcheck "scan filter count" "$out" 'd == 5'

# ---------------------------------------------------------------------------
section "transactions"
run "transact-write-items" ddb transact-write-items --transact-items \
  '[{"Put":{"TableName":"conf_cli_items","Item":{"pk":{"S":"tx"},"sk":{"N":"1"},"bal":{"N":"10"}}}},{"Update":{"TableName":"conf_cli_items","Key":{"pk":{"S":"a"},"sk":{"N":"1"}},"UpdateExpression":"SET tx = :t","ExpressionAttributeValues":{":t":{"BOOL":true}}}},{"ConditionCheck":{"TableName":"conf_cli_query","Key":{"pk":{"S":"q"},"sk":{"N":"1"}},"ConditionExpression":"attribute_exists(pk)"}}]'
expect_error "cancelled transaction" TransactionCanceledException TransactWriteItems \
  ddb transact-write-items --transact-items \
  '[{"Delete":{"TableName":"conf_cli_items","Key":{"pk":{"S":"tx"},"sk":{"N":"1"}}}},{"ConditionCheck":{"TableName":"conf_cli_query","Key":{"pk":{"S":"q"},"sk":{"N":"1"}},"ConditionExpression":"attribute_not_exists(pk)"}}]'
# The CLI prints only the message; DynamoDB's lists the reasons in request order.
grep -q "Transaction cancelled, please refer cancellation reasons for specific reasons \[None, ConditionalCheckFailed\]" <<<"$errmsg" \
  && pass || fail "TransactionCanceledException message lists [None, ConditionalCheckFailed]: $errmsg"
run "get-item after the cancelled transaction" ddb get-item --table-name $T --key '{"pk":{"S":"tx"},"sk":{"N":"1"}}'
jcheck "cancelled transaction applied nothing" "$out" 'd["Item"]["bal"] == {"N": "10"}'

# ---------------------------------------------------------------------------
section "streams"
run "list-streams" dds list-streams
jcheck "list-streams" "$out" 'any(s["TableName"] == "conf_cli_items" for s in d["Streams"])'
run "list-streams --table-name" dds list-streams --table-name $T --query 'Streams[0].StreamArn' --output text
arn=$out
[[ "$arn" == arn:aws:dynamodb:us-east-1:*:table/$T/stream/* ]] && pass || fail "stream ARN: $arn"
run "list-streams --table-name (no stream)" dds list-streams --table-name $Q
jcheck "list-streams of a table without a stream" "$out" 'd == {"Streams": []}'

# Some more changes for the stream: a no-op put, a MODIFY, a REMOVE.
cur=$(ddb get-item --table-name $T --key '{"pk":{"S":"tx"},"sk":{"N":"1"}}' --query Item)
run "no-op put-item" ddb put-item --table-name $T --item "$cur"
run "modify" ddb put-item --table-name $T --item '{"pk":{"S":"tx"},"sk":{"N":"1"},"bal":{"N":"11"}}'
run "remove" ddb delete-item --table-name $T --key '{"pk":{"S":"tx"},"sk":{"N":"1"}}'
run "delete of a missing item (no record)" ddb delete-item --table-name $T --key '{"pk":{"S":"tx"},"sk":{"N":"1"}}'

# Wait for the server's rollover (run.sh: every 10 s for the CLI), so the stream has a parent -> child lineage.
for _ in $(seq 1 60); do  # up to ~25 s
  n=$(dds describe-stream --stream-arn "$arn" --query 'length(StreamDescription.Shards[?ParentShardId])' --output text)
  [ "${n:-0}" -gt 0 ] && break
  sleep 0.25
done
run "describe-stream" dds describe-stream --stream-arn "$arn"
desc=$out
jcheck "describe-stream" "$out" '(sd := d["StreamDescription"]) and sd["StreamStatus"] == "ENABLED" and sd["StreamViewType"] == "NEW_AND_OLD_IMAGES" and sd["TableName"] == "conf_cli_items" and any("ParentShardId" in s for s in sd["Shards"])'
run "describe-stream --limit 1 (the CLI does not paginate it)" dds describe-stream --stream-arn "$arn" --limit 1
jcheck "describe-stream --limit 1" "$out" 'len(d["StreamDescription"]["Shards"]) == 1 and "LastEvaluatedShardId" in d["StreamDescription"]'
parent=$("$PY" -c 'import json,sys; print([s for s in json.loads(sys.argv[1])["StreamDescription"]["Shards"] if "ParentShardId" in s][0]["ParentShardId"])' "$desc")
run "describe-stream --shard-filter" dds describe-stream --stream-arn "$arn" --shard-filter "Type=CHILD_SHARDS,ShardId=$parent"
jcheck "shard filter" "$out" 'd["StreamDescription"]["Shards"] and all(s["ParentShardId"] == "'"$parent"'" for s in d["StreamDescription"]["Shards"])'

# Read every shard, parents first (DescribeStream lists parents before children
# here; the order is checked), each to its end or until an empty page.
records_file=$(mktemp)
order=$("$PY" -c '
import json, sys
shards = json.loads(sys.argv[1])["StreamDescription"]["Shards"]
ids = [s["ShardId"] for s in shards]
for i, s in enumerate(shards):
    p = s.get("ParentShardId")
    if p in ids and ids.index(p) > i:
        sys.exit("child listed before its parent")
print(" ".join(ids))' "$desc") && pass || fail "shard order: $order"
for shard in $order; do
  it=$(dds get-shard-iterator --stream-arn "$arn" --shard-id "$shard" --shard-iterator-type TRIM_HORIZON \
    --query ShardIterator --output text)
  for _ in $(seq 1 50); do
    page=$(dds get-records --shard-iterator "$it" --limit 100) || { fail "get-records on $shard"; break; }
    read -r n it < <("$PY" -c '
import json, sys
d = json.loads(sys.argv[1])
with open(sys.argv[2], "a") as f:
    f.write(json.dumps(d) + "\n")
print(len(d["Records"]), d.get("NextShardIterator", "-"))' "$page" "$records_file")
    [ "$it" = "-" ] && break            # closed shard, read to its end
    [ "$n" -eq 0 ] && break             # open shard, caught up
  done
done
jcheck "stream records" "$(cat "$records_file" | "$PY" -c '
import json, sys
recs = [r for line in sys.stdin if line.strip() for r in json.loads(line)["Records"]]
print(json.dumps(recs))')" '
[(r["eventName"]) for r in d if r["dynamodb"]["Keys"]["pk"]["S"] == "a"] == ["INSERT", "MODIFY", "MODIFY", "MODIFY"]
and [(r["eventName"]) for r in d if r["dynamodb"]["Keys"]["pk"]["S"] == "b"] == ["INSERT", "REMOVE"]
and [(r["eventName"], r["dynamodb"].get("OldImage", {}).get("bal"), r["dynamodb"].get("NewImage", {}).get("bal"))
     for r in d if r["dynamodb"]["Keys"]["pk"]["S"] == "tx"] == [
    ("INSERT", None, {"N": "10"}), ("MODIFY", {"N": "10"}, {"N": "11"}), ("REMOVE", {"N": "11"}, None)]
and all(r["eventSource"] == "aws:dynamodb" and r["dynamodb"]["StreamViewType"] == "NEW_AND_OLD_IMAGES" for r in d)
and len({r["eventID"] for r in d}) == len(d)'
rm -f "$records_file"

first_shard=${order%% *}
run "get-shard-iterator LATEST" dds get-shard-iterator --stream-arn "$arn" --shard-id "$first_shard" --shard-iterator-type LATEST
expect_error "get-shard-iterator AT_SEQUENCE_NUMBER without a number" ValidationException GetShardIterator \
  dds get-shard-iterator --stream-arn "$arn" --shard-id "$first_shard" --shard-iterator-type AT_SEQUENCE_NUMBER
expect_error "get-shard-iterator of an unknown shard" ResourceNotFoundException GetShardIterator \
  dds get-shard-iterator --stream-arn "$arn" --shard-id shardId-00000000000000000000-00000000 --shard-iterator-type TRIM_HORIZON
expect_error "get-records with a garbage iterator" ValidationException GetRecords \
  dds get-records --shard-iterator garbage
expect_error "describe-stream of a missing table's stream" ResourceNotFoundException DescribeStream \
  dds describe-stream --stream-arn "${arn/table\/$T\//table/conf_cli_missing/}"

# Disable, re-enable: a new stream; the old one stays listed.
run "update-table disable stream" ddb update-table --table-name $T --stream-specification StreamEnabled=false
expect_error "update-table disable again" ValidationException UpdateTable \
  ddb update-table --table-name $T --stream-specification StreamEnabled=false
run "describe-stream after disable" dds describe-stream --stream-arn "$arn" --query StreamDescription.StreamStatus --output text
[[ "$out" == DISABLED || "$out" == DISABLING ]] && pass || fail "status after disable: $out"
run "update-table enable stream" ddb update-table --table-name $T --stream-specification StreamEnabled=true,StreamViewType=KEYS_ONLY
jcheck "re-enabled" "$out" 'd["TableDescription"]["LatestStreamArn"] != "'"$arn"'" and d["TableDescription"]["StreamSpecification"]["StreamViewType"] == "KEYS_ONLY"'
expect_error "update-table enable again" ValidationException UpdateTable \
  ddb update-table --table-name $T --stream-specification StreamEnabled=true,StreamViewType=NEW_IMAGE
run "list-streams after re-enable" dds list-streams --table-name $T
jcheck "two streams listed" "$out" 'len(d["Streams"]) == 2 and "'"$arn"'" in [s["StreamArn"] for s in d["Streams"]]'

run "delete-table (items)" ddb delete-table --table-name $T
run "delete-table (query)" ddb delete-table --table-name $Q

echo "aws_cli: $checks checks, $failures failed, $(( $(date +%s) - start_s ))s"
[ "$failures" -eq 0 ]
