#!/usr/bin/env python3
"""Eddy conformance scenario with boto3 (client and resource APIs).

Run by tests/conformance/run.sh, which starts `eddy serve` and exports
EDDY_ENDPOINT and dummy AWS credentials. Every section runs even when an
earlier one failed; the exit status is 1 when any check failed.
"""

import base64
import os
import re
import sys
import time
import traceback
from contextlib import contextmanager
from decimal import Decimal

import boto3
import botocore
from boto3.dynamodb.conditions import Attr, Key
from botocore.config import Config
from botocore.exceptions import ClientError

ENDPOINT = os.environ["EDDY_ENDPOINT"]
REGION = os.environ.get("AWS_DEFAULT_REGION", "us-east-1")
# No retries: a server error or a bad x-amz-crc32 must surface, not be retried away.
CONFIG = Config(retries={"max_attempts": 1, "mode": "standard"}, connect_timeout=5, read_timeout=20)
NO_VALIDATION = Config(retries={"max_attempts": 1, "mode": "standard"}, parameter_validation=False)

ddb = boto3.client("dynamodb", endpoint_url=ENDPOINT, region_name=REGION, config=CONFIG)
ddb_raw = boto3.client("dynamodb", endpoint_url=ENDPOINT, region_name=REGION, config=NO_VALIDATION)
streams = boto3.client("dynamodbstreams", endpoint_url=ENDPOINT, region_name=REGION, config=CONFIG)
streams_raw = boto3.client("dynamodbstreams", endpoint_url=ENDPOINT, region_name=REGION,
                           config=NO_VALIDATION)
resource = boto3.resource("dynamodb", endpoint_url=ENDPOINT, region_name=REGION, config=CONFIG)

failures = []
checks = 0


@contextmanager
def section(name):
    start = time.monotonic()
    try:
        yield
        print(f"  ok   {name} ({time.monotonic() - start:.2f}s)")
    except Exception as e:  # noqa: BLE001 - report and go on with the next section
        failures.append(name)
        print(f"  FAIL {name}: {type(e).__name__}: {e}")
        traceback.print_exc(limit=6, file=sys.stdout)


notes = []


def note(what):
    """A difference from what DynamoDB is believed (not verified) to do: reported, not failed."""
    notes.append(what)
    print(f"  NOTE {what}")


def check(cond, what):
    global checks
    checks += 1
    if not cond:
        raise AssertionError(what)


def eq(actual, expected, what):
    check(actual == expected, f"{what}: expected {expected!r}, got {actual!r}")


def expect_error(code, fn, *args, **kwargs):
    """Calls fn, which must fail with the given error code; returns the ClientError."""
    try:
        fn(*args, **kwargs)
    except ClientError as e:
        got = e.response["Error"]["Code"]
        eq(got, code, f"error code of {getattr(fn, '__name__', fn)}")
        eq(e.response["ResponseMetadata"]["HTTPStatusCode"], 400, f"HTTP status of {code}")
        return e
    raise AssertionError(f"{getattr(fn, '__name__', fn)} succeeded; expected {code}")


def S(v):
    return {"S": v}


def N(v):
    return {"N": str(v)}


def key_schema(hash_type="S", range_type=None):
    attrs = [{"AttributeName": "pk", "AttributeType": hash_type}]
    keys = [{"AttributeName": "pk", "KeyType": "HASH"}]
    if range_type:
        attrs.append({"AttributeName": "sk", "AttributeType": range_type})
        keys.append({"AttributeName": "sk", "KeyType": "RANGE"})
    return {"AttributeDefinitions": attrs, "KeySchema": keys}


def create_table(name, range_type=None, stream_view=None, **extra):
    args = dict(TableName=name, BillingMode="PAY_PER_REQUEST", **key_schema("S", range_type), **extra)
    if stream_view:
        args["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": stream_view}
    out = ddb.create_table(**args)["TableDescription"]
    ddb.get_waiter("table_exists").wait(TableName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 10})
    return out


# ---------------------------------------------------------------------------
# Stream reading: every shard, parents before children, until caught up.
# ---------------------------------------------------------------------------

def describe_all_shards(arn, page_limit=None, shard_filter=None):
    """DescribeStream with ExclusiveStartShardId pagination (boto3 has no paginator for it)."""
    shards, start, pages, desc = [], None, 0, None
    while True:
        args = {"StreamArn": arn}
        if page_limit:
            args["Limit"] = page_limit
        if start:
            args["ExclusiveStartShardId"] = start
        if shard_filter:
            args["ShardFilter"] = shard_filter
        desc = streams.describe_stream(**args)["StreamDescription"]
        pages += 1
        shards.extend(desc["Shards"])
        start = desc.get("LastEvaluatedShardId")
        if not start:
            return desc, shards, pages
        check(pages < 1000, "DescribeStream pagination does not end")


def seq_int(record):
    return int(record["dynamodb"]["SequenceNumber"])


class StreamReader:
    """Reads a stream the way a KCL-style consumer does: a shard's children only
    after the shard is closed and drained; open shards until an empty page."""

    def __init__(self, arn, limit=None):
        self.arn = arn
        self.limit = limit
        self.iterators = {}   # shard id -> next iterator (open shard we are caught up on)
        self.done = set()     # shard ids read to their end (closed)
        self.last_seq = {}    # shard id -> last sequence number read
        self.records = []     # in read order
        self.shard_of = {}    # sequence number -> shard id
        self.shards = {}

    def _read_shard(self, shard):
        sid = shard["ShardId"]
        it = self.iterators.get(sid)
        if it is None:
            it = streams.get_shard_iterator(StreamArn=self.arn, ShardId=sid,
                                            ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
            check(isinstance(it, str) and 1 <= len(it) <= 2048, f"iterator length {len(it)}")
        got = 0
        for _ in range(10000):
            args = {"ShardIterator": it}
            if self.limit:
                args["Limit"] = self.limit
            page = streams.get_records(**args)
            check("Records" in page, "GetRecords response has Records")
            recs = page["Records"]
            if self.limit:
                check(len(recs) <= self.limit, f"GetRecords returned {len(recs)} > Limit {self.limit}")
            for r in recs:
                s = seq_int(r)
                prev = self.last_seq.get(sid)
                check(prev is None or s > prev, f"SequenceNumber not increasing in {sid}: {prev} then {s}")
                parent = shard.get("ParentShardId")
                if prev is None and parent in self.last_seq:
                    check(s > self.last_seq[parent], f"child {sid} record {s} not after parent's {self.last_seq[parent]}")
                start = int(shard["SequenceNumberRange"]["StartingSequenceNumber"])
                check(s >= start, f"record {s} before shard {sid} StartingSequenceNumber {start}")
                end = shard["SequenceNumberRange"].get("EndingSequenceNumber")
                if end is not None:
                    check(s <= int(end), f"record {s} after shard {sid} EndingSequenceNumber {end}")
                self.last_seq[sid] = s
                self.records.append(r)
                self.shard_of[r["dynamodb"]["SequenceNumber"]] = sid
            got += len(recs)
            nxt = page.get("NextShardIterator")
            if nxt is None:
                check("EndingSequenceNumber" in shard["SequenceNumberRange"] or self._now_closed(sid),
                      f"open shard {sid} returned no NextShardIterator")
                self.done.add(sid)
                self.iterators.pop(sid, None)
                return got
            check(nxt != "", "NextShardIterator is an empty string")
            it = nxt
            if not recs:
                self.iterators[sid] = it
                return got
        raise AssertionError(f"shard {sid} never caught up")

    def _now_closed(self, sid):
        _, shards, _ = describe_all_shards(self.arn)
        return any(s["ShardId"] == sid and "EndingSequenceNumber" in s["SequenceNumberRange"] for s in shards)

    def catch_up(self):
        """Reads until a full pass over every readable shard yields nothing new."""
        for _ in range(100):
            desc, shards, _ = describe_all_shards(self.arn)
            self.shards = {s["ShardId"]: s for s in shards}
            progress = 0
            for s in shards:
                sid = s["ShardId"]
                if sid in self.done:
                    continue
                parent = s.get("ParentShardId")
                if parent and parent in self.shards and parent not in self.done:
                    continue  # drain the parent first
                before = len(self.done)
                progress += self._read_shard(s)
                progress += len(self.done) - before
            if progress == 0:
                return self.records
        raise AssertionError("stream reader never caught up")


def stream_arn_of(table):
    return ddb.describe_table(TableName=table)["Table"]["LatestStreamArn"]


def check_record_shape(r, view_type):
    eq(r["eventSource"], "aws:dynamodb", "eventSource")
    eq(r["awsRegion"], REGION, "awsRegion")
    check(r["eventVersion"] in ("1.0", "1.1"), f"eventVersion {r['eventVersion']}")
    check(re.fullmatch(r"[0-9a-f]{32}", r["eventID"]) is not None, f"eventID {r['eventID']}")
    d = r["dynamodb"]
    check(re.fullmatch(r"[0-9]{21,40}", d["SequenceNumber"]) is not None, f"SequenceNumber {d['SequenceNumber']}")
    eq(d["StreamViewType"], view_type, "dynamodb.StreamViewType")
    check(d["SizeBytes"] > 0, "SizeBytes > 0")
    # botocore parses the epoch-seconds number into a datetime.
    check(hasattr(d["ApproximateCreationDateTime"], "year"), "ApproximateCreationDateTime is a timestamp")
    check(abs(d["ApproximateCreationDateTime"].timestamp() - time.time()) < 600,
          "ApproximateCreationDateTime is about now")
    check("userIdentity" not in r, "no userIdentity on a user write")


# ---------------------------------------------------------------------------
# Sections
# ---------------------------------------------------------------------------

T_ITEMS = "conf_py_items"
T_QUERY = "conf_py_query"


def control_plane():
    d = create_table(T_ITEMS, "N", "NEW_AND_OLD_IMAGES")
    eq(d["TableName"], T_ITEMS, "TableName")
    check(d["TableStatus"] in ("CREATING", "ACTIVE"), f"TableStatus {d['TableStatus']}")
    eq(d["StreamSpecification"], {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
       "StreamSpecification")
    check(d["LatestStreamArn"].startswith(f"arn:aws:dynamodb:{REGION}:") and
          d["LatestStreamArn"].endswith("/stream/" + d["LatestStreamLabel"]), "LatestStreamArn")
    check(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}", d["LatestStreamLabel"]) is not None,
          f"LatestStreamLabel {d['LatestStreamLabel']}")
    eq(d["TableArn"], f"arn:aws:dynamodb:{REGION}:{d['TableArn'].split(':')[4]}:table/{T_ITEMS}", "TableArn")
    eq(d["BillingModeSummary"]["BillingMode"], "PAY_PER_REQUEST", "BillingMode")

    t = ddb.describe_table(TableName=T_ITEMS)["Table"]
    eq(t["TableStatus"], "ACTIVE", "DescribeTable TableStatus")
    eq(sorted((k["AttributeName"], k["KeyType"]) for k in t["KeySchema"]),
       [("pk", "HASH"), ("sk", "RANGE")], "KeySchema")
    eq(t["LatestStreamArn"], d["LatestStreamArn"], "DescribeTable LatestStreamArn")
    check(hasattr(t["CreationDateTime"], "year"), "CreationDateTime parses as a timestamp")

    e = expect_error("ResourceInUseException", ddb.create_table, TableName=T_ITEMS,
                     BillingMode="PAY_PER_REQUEST", **key_schema("S", "N"))
    check(isinstance(e, ddb.exceptions.ResourceInUseException), "ResourceInUseException class")
    try:
        ddb.describe_table(TableName="conf_py_missing")
        raise AssertionError("DescribeTable of a missing table succeeded")
    except ddb.exceptions.ResourceNotFoundException as e:
        eq(e.response["Error"]["Code"], "ResourceNotFoundException", "missing table code")
    expect_error("ValidationException", ddb.create_table, TableName="conf_py_bad",
                 BillingMode="PAY_PER_REQUEST",
                 AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                 KeySchema=[{"AttributeName": "other", "KeyType": "HASH"}])
    expect_error("ValidationException", ddb.create_table, TableName="conf_py_bad2",
                 BillingMode="PROVISIONED", **key_schema())  # no ProvisionedThroughput

    create_table(T_QUERY, "N")

    # ListTables: the paginator, with small pages and a resumed MaxItems.
    extra = [f"conf_py_list_{i:02d}" for i in range(7)]
    for name in extra:
        ddb.create_table(TableName=name, BillingMode="PROVISIONED",
                         ProvisionedThroughput={"ReadCapacityUnits": 1, "WriteCapacityUnits": 1},
                         **key_schema("N"))
    pag = ddb.get_paginator("list_tables")
    pages = list(pag.paginate(PaginationConfig={"PageSize": 3}))
    names = [n for p in pages for n in p["TableNames"]]
    check(set(extra) | {T_ITEMS, T_QUERY} <= set(names), f"ListTables lists every table: {names}")
    eq(names, sorted(names), "ListTables order")
    eq(len(names), len(set(names)), "ListTables has no duplicates")
    check(all(len(p["TableNames"]) <= 3 for p in pages), "ListTables pages respect Limit")
    # ceil(n/3) pages; one more (empty) if the server also sets LastEvaluatedTableName on a full last page.
    check(len(pages) in (-(-len(names) // 3), -(-len(names) // 3) + (len(names) % 3 == 0)),
          f"ListTables page count {len(pages)} for {len(names)} tables")
    check("LastEvaluatedTableName" not in pages[-1], "last ListTables page has no LastEvaluatedTableName")
    first = pag.paginate(PaginationConfig={"MaxItems": 4, "PageSize": 3}).build_full_result()
    eq(first["TableNames"], names[:4], "ListTables MaxItems")
    rest = pag.paginate(PaginationConfig={"StartingToken": first["NextToken"], "PageSize": 3}).build_full_result()
    eq(first["TableNames"] + rest["TableNames"], names, "ListTables resumed from NextToken")
    one = ddb.list_tables(Limit=2, ExclusiveStartTableName=names[0])
    eq(one["TableNames"], names[1:3], "ListTables ExclusiveStartTableName")
    expect_error("ValidationException", ddb_raw.list_tables, Limit=0)
    expect_error("ValidationException", ddb_raw.list_tables, Limit=101)

    # UpdateTable: capacity.
    u = ddb.update_table(TableName=extra[0], ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 6})
    eq(u["TableDescription"]["ProvisionedThroughput"]["ReadCapacityUnits"], 5, "UpdateTable RCU")
    u = ddb.update_table(TableName=extra[1], BillingMode="PAY_PER_REQUEST")
    eq(u["TableDescription"]["BillingModeSummary"]["BillingMode"], "PAY_PER_REQUEST", "UpdateTable BillingMode")
    expect_error("ResourceNotFoundException", ddb.update_table, TableName="conf_py_missing",
                 BillingMode="PAY_PER_REQUEST")

    # DeleteTable, and the waiter for it.
    for name in extra:
        out = ddb.delete_table(TableName=name)["TableDescription"]
        eq(out["TableName"], name, "DeleteTable TableName")
        check(out["TableStatus"] in ("DELETING", "ACTIVE"), f"DeleteTable status {out['TableStatus']}")
    ddb.get_waiter("table_not_exists").wait(TableName=extra[-1], WaiterConfig={"Delay": 1, "MaxAttempts": 10})
    expect_error("ResourceNotFoundException", ddb.delete_table, TableName=extra[0])
    left = ddb.get_paginator("list_tables").paginate().build_full_result()["TableNames"]
    check(not set(extra) & set(left), "deleted tables are not listed")

    # Time to Live.
    ttl = ddb.describe_time_to_live(TableName=T_QUERY)["TimeToLiveDescription"]
    eq(ttl["TimeToLiveStatus"], "DISABLED", "TTL status before")
    out = ddb.update_time_to_live(TableName=T_QUERY,
                                  TimeToLiveSpecification={"Enabled": True, "AttributeName": "expires"})
    eq(out["TimeToLiveSpecification"], {"Enabled": True, "AttributeName": "expires"}, "UpdateTimeToLive")
    ttl = ddb.describe_time_to_live(TableName=T_QUERY)["TimeToLiveDescription"]
    eq(ttl, {"TimeToLiveStatus": "ENABLED", "AttributeName": "expires"}, "DescribeTimeToLive")
    expect_error("ValidationException", ddb.update_time_to_live, TableName=T_QUERY,
                 TimeToLiveSpecification={"Enabled": True, "AttributeName": "expires"})
    expect_error("ResourceNotFoundException", ddb.describe_time_to_live, TableName="conf_py_missing")


ALL_TYPES = {
    "pk": S("types"), "sk": N(1),
    "s": S("héllo"), "empty": S(""), "n": N("-12.5"), "big": N("1E+100"),
    "b": {"B": b"\x00\x01\xfe\xff"}, "t": {"BOOL": True}, "f": {"BOOL": False}, "nul": {"NULL": True},
    "m": {"M": {"inner": {"L": [N(1), S("x"), {"M": {}}]}, "e": {"L": []}}},
    "l": {"L": [S("a"), N(2), {"BOOL": False}, {"NULL": True}]},
    "ss": {"SS": ["b", "a", "c"]}, "ns": {"NS": ["3", "1", "2.5"]}, "bs": {"BS": [b"\x02", b"\x01"]},
}


def normalize(av):
    """Makes an AttributeValue comparable: sets as sets, numbers by value."""
    (t, v), = av.items()
    if t == "N":
        return ("N", Decimal(v))
    if t in ("SS", "BS"):
        return (t, frozenset(v))
    if t == "NS":
        return (t, frozenset(Decimal(x) for x in v))
    if t == "M":
        return ("M", tuple(sorted((k, normalize(x)) for k, x in v.items())))
    if t == "L":
        return ("L", tuple(normalize(x) for x in v))
    return (t, v)


def item_eq(actual, expected, what):
    na = {k: normalize(v) for k, v in (actual or {}).items()}
    ne = {k: normalize(v) for k, v in (expected or {}).items()}
    eq(na, ne, what)


def items_crud():
    key = {"pk": S("types"), "sk": N(1)}
    out = ddb.put_item(TableName=T_ITEMS, Item=ALL_TYPES, ReturnValues="ALL_OLD")
    check("Attributes" not in out, "PutItem ALL_OLD on a new item returns no Attributes")
    got = ddb.get_item(TableName=T_ITEMS, Key=key, ConsistentRead=True)["Item"]
    item_eq(got, ALL_TYPES, "GetItem of every attribute type")
    eq(got["b"]["B"], b"\x00\x01\xfe\xff", "binary round trip")
    check("Item" not in ddb.get_item(TableName=T_ITEMS, Key={"pk": S("nope"), "sk": N(1)}),
          "GetItem of a missing item has no Item")

    proj = ddb.get_item(TableName=T_ITEMS, Key=key, ProjectionExpression="#s, m.#i[1], l[0]",
                        ExpressionAttributeNames={"#s": "s", "#i": "inner"})["Item"]
    item_eq(proj, {"s": S("héllo"), "m": {"M": {"inner": {"L": [S("x")]}}}, "l": {"L": [S("a")]}},
            "ProjectionExpression")

    # Conditional put: ConditionalCheckFailedException, with the old item on request.
    try:
        ddb.put_item(TableName=T_ITEMS, Item={"pk": S("types"), "sk": N(1)},
                     ConditionExpression="attribute_not_exists(pk)",
                     ReturnValuesOnConditionCheckFailure="ALL_OLD")
        raise AssertionError("conditional put succeeded")
    except ddb.exceptions.ConditionalCheckFailedException as e:
        eq(e.response["Error"]["Code"], "ConditionalCheckFailedException", "code")
        eq(e.response["Error"]["Message"], "The conditional request failed", "message")
        item_eq(e.response.get("Item"), ALL_TYPES, "ConditionalCheckFailedException Item")
    e = expect_error("ConditionalCheckFailedException", ddb.put_item, TableName=T_ITEMS,
                     Item={"pk": S("types"), "sk": N(1)}, ConditionExpression="n > :z",
                     ExpressionAttributeValues={":z": N(0)})
    check("Item" not in e.response, "no Item without ReturnValuesOnConditionCheckFailure")

    # PutItem ALL_OLD on replace.
    out = ddb.put_item(TableName=T_ITEMS, Item={"pk": S("types"), "sk": N(1), "v": N(1)},
                       ConditionExpression="attribute_exists(pk) AND size(ss) = :three",
                       ExpressionAttributeValues={":three": N(3)}, ReturnValues="ALL_OLD")
    item_eq(out["Attributes"], ALL_TYPES, "PutItem ALL_OLD")

    # UpdateItem: every ReturnValues, every clause.
    k2 = {"pk": S("upd"), "sk": N(2)}
    out = ddb.update_item(TableName=T_ITEMS, Key=k2, UpdateExpression="SET a = :one, l = :l",
                          ExpressionAttributeValues={":one": N(1), ":l": {"L": [S("x")]}},
                          ReturnValues="ALL_NEW")
    item_eq(out["Attributes"], {**k2, "a": N(1), "l": {"L": [S("x")]}}, "UpdateItem upsert ALL_NEW")
    out = ddb.update_item(TableName=T_ITEMS, Key=k2,
                          UpdateExpression="SET a = a + :two, l = list_append(l, :y) ADD c :five, tags :t",
                          ExpressionAttributeValues={":two": N(2), ":y": {"L": [S("y")]}, ":five": N(5),
                                                     ":t": {"SS": ["p", "q"]}},
                          ReturnValues="UPDATED_NEW")
    item_eq(out["Attributes"], {"a": N(3), "l": {"L": [S("x"), S("y")]}, "c": N(5), "tags": {"SS": ["p", "q"]}},
            "UpdateItem UPDATED_NEW")
    out = ddb.update_item(TableName=T_ITEMS, Key=k2, UpdateExpression="REMOVE l[0] DELETE tags :p SET #n = if_not_exists(#n, :d)",
                          ExpressionAttributeNames={"#n": "name"},
                          ExpressionAttributeValues={":p": {"SS": ["p"]}, ":d": S("dflt")},
                          ReturnValues="UPDATED_OLD")
    # UPDATED_OLD holds the updated paths only: l[0] (not all of l), tags; name did not exist.
    item_eq(out["Attributes"], {"l": {"L": [S("x")]}, "tags": {"SS": ["p", "q"]}}, "UpdateItem UPDATED_OLD")
    out = ddb.update_item(TableName=T_ITEMS, Key=k2, UpdateExpression="SET a = :a", ExpressionAttributeValues={":a": N(10)},
                          ReturnValues="ALL_OLD")
    item_eq(out["Attributes"], {**k2, "a": N(3), "l": {"L": [S("y")]}, "c": N(5), "tags": {"SS": ["q"]},
                                "name": S("dflt")}, "UpdateItem ALL_OLD")
    out = ddb.update_item(TableName=T_ITEMS, Key=k2, UpdateExpression="SET a = :a", ExpressionAttributeValues={":a": N(11)},
                          ReturnValues="NONE")
    check("Attributes" not in out, "UpdateItem NONE returns no Attributes")
    try:
        ddb.update_item(TableName=T_ITEMS, Key=k2, UpdateExpression="SET a = :a",
                        ConditionExpression="a = :old", ExpressionAttributeValues={":a": N(1), ":old": N(999)},
                        ReturnValuesOnConditionCheckFailure="ALL_OLD")
        raise AssertionError("conditional update succeeded")
    except ddb.exceptions.ConditionalCheckFailedException as e:
        eq(e.response["Item"]["a"], N(11), "UpdateItem condition failure Item")
    out = ddb.update_item(TableName=T_ITEMS, Key={"pk": S("keyonly"), "sk": N(0)}, ReturnValues="ALL_NEW")
    item_eq(out.get("Attributes"), {"pk": S("keyonly"), "sk": N(0)}, "UpdateItem without UpdateExpression")

    # DeleteItem.
    out = ddb.delete_item(TableName=T_ITEMS, Key=k2, ReturnValues="ALL_OLD")
    eq(out["Attributes"]["a"], N(11), "DeleteItem ALL_OLD")
    out = ddb.delete_item(TableName=T_ITEMS, Key=k2, ReturnValues="ALL_OLD")
    check("Attributes" not in out, "DeleteItem of a missing item returns no Attributes")
    expect_error("ConditionalCheckFailedException", ddb.delete_item, TableName=T_ITEMS, Key=k2,
                 ConditionExpression="attribute_exists(pk)")

    # ValidationException cases clients see.
    expect_error("ValidationException", ddb.put_item, TableName=T_ITEMS, Item={"pk": S("x")})
    expect_error("ValidationException", ddb.put_item, TableName=T_ITEMS, Item={"pk": S("x"), "sk": S("notanumber")})
    expect_error("ValidationException", ddb.get_item, TableName=T_ITEMS, Key={"pk": S("x")})
    expect_error("ValidationException", ddb.update_item, TableName=T_ITEMS, Key=k2, UpdateExpression="SET = broken")
    expect_error("ValidationException", ddb.update_item, TableName=T_ITEMS, Key=k2, UpdateExpression="SET a = :a",
                 ExpressionAttributeValues={":a": N(1), ":unused": N(2)})
    expect_error("ValidationException", ddb.update_item, TableName=T_ITEMS, Key=k2, UpdateExpression="SET a = :missing")
    expect_error("ValidationException", ddb.update_item, TableName=T_ITEMS, Key=k2, UpdateExpression="SET sk = :a",
                 ExpressionAttributeValues={":a": N(1)})
    expect_error("ValidationException", ddb.put_item, TableName=T_ITEMS, Item={"pk": S("x"), "sk": N(1)},
                 ReturnValues="ALL_NEW")
    expect_error("ValidationException", ddb.put_item, TableName=T_ITEMS,
                 Item={"pk": S("x"), "sk": N(1), "big": S("x" * 410_000)})
    expect_error("ValidationException", ddb.put_item, TableName=T_ITEMS,
                 Item={"pk": S("x"), "sk": N("1" * 39)})
    expect_error("ResourceNotFoundException", ddb.put_item, TableName="conf_py_missing", Item={"pk": S("x")})
    expect_error("ResourceNotFoundException", ddb.get_item, TableName="conf_py_missing", Key={"pk": S("x")})


def query_scan():
    with_ddb = [{"PutRequest": {"Item": {"pk": S("q"), "sk": N(i), "odd": {"BOOL": i % 2 == 1},
                                         "pad": S("p" * 10)}}} for i in range(25)]
    out = ddb.batch_write_item(RequestItems={T_QUERY: with_ddb})
    eq(out["UnprocessedItems"], {}, "BatchWriteItem UnprocessedItems")
    more = [{"PutRequest": {"Item": {"pk": S("q"), "sk": N(i), "odd": {"BOOL": i % 2 == 1}}}} for i in range(25, 30)]
    more += [{"PutRequest": {"Item": {"pk": S(f"other{i}"), "sk": N(0)}}} for i in range(10)]
    ddb.batch_write_item(RequestItems={T_QUERY: more})

    # Query paginator: ascending, descending, with a filter.
    pag = ddb.get_paginator("query")
    base = dict(TableName=T_QUERY, KeyConditionExpression="pk = :p AND sk BETWEEN :a AND :b",
                ExpressionAttributeValues={":p": S("q"), ":a": N(5), ":b": N(24)})
    pages = list(pag.paginate(**base, PaginationConfig={"PageSize": 6}))
    sks = [int(i["sk"]["N"]) for p in pages for i in p["Items"]]
    eq(sks, list(range(5, 25)), "Query paginator items in order")
    eq([p["Count"] for p in pages], [6, 6, 6, 2], "Query page counts")
    check("LastEvaluatedKey" not in pages[-1], "last Query page has no LastEvaluatedKey")
    eq(pages[0]["LastEvaluatedKey"], {"pk": S("q"), "sk": N(10)}, "Query LastEvaluatedKey")
    desc = pag.paginate(**base, ScanIndexForward=False, PaginationConfig={"PageSize": 7}).build_full_result()
    eq([int(i["sk"]["N"]) for i in desc["Items"]], list(range(24, 4, -1)), "Query ScanIndexForward=False")
    part = pag.paginate(**base, PaginationConfig={"MaxItems": 8, "PageSize": 5}).build_full_result()
    eq(len(part["Items"]), 8, "Query MaxItems")
    rest = pag.paginate(**base, PaginationConfig={"StartingToken": part["NextToken"], "PageSize": 5}).build_full_result()
    eq([int(i["sk"]["N"]) for i in part["Items"] + rest["Items"]], list(range(5, 25)), "Query resumed")
    filt = pag.paginate(TableName=T_QUERY, KeyConditionExpression="pk = :p",
                        FilterExpression="#o = :t", ExpressionAttributeNames={"#o": "odd"},
                        ExpressionAttributeValues={":p": S("q"), ":t": {"BOOL": True}},
                        PaginationConfig={"PageSize": 10}).build_full_result()
    eq([int(i["sk"]["N"]) for i in filt["Items"]], list(range(1, 30, 2)), "Query FilterExpression")
    eq(filt["ScannedCount"], 30, "Query ScannedCount over pages")
    eq(filt["Count"], 15, "Query Count over pages")
    # DynamoDB stops at Limit without looking ahead, so a page that ends exactly at the last
    # item still carries LastEvaluatedKey (and the next page is empty).
    exact = ddb.query(TableName=T_QUERY, KeyConditionExpression="pk = :p AND sk >= :x",
                      ExpressionAttributeValues={":p": S("q"), ":x": N(26)}, Limit=4)
    eq(exact["Count"], 4, "Query Limit = number of matching items")
    eq(exact.get("LastEvaluatedKey"), {"pk": S("q"), "sk": N(29)},
       "Query stopping at Limit on the last item returns LastEvaluatedKey")
    after = ddb.query(TableName=T_QUERY, KeyConditionExpression="pk = :p AND sk >= :x",
                      ExpressionAttributeValues={":p": S("q"), ":x": N(26)}, Limit=4,
                      ExclusiveStartKey=exact["LastEvaluatedKey"])
    eq((after["Count"], "LastEvaluatedKey" in after), (0, False),
       "the page after the last item is empty and ends the query")
    cnt = ddb.query(TableName=T_QUERY, KeyConditionExpression="pk = :p AND sk < :x",
                    ExpressionAttributeValues={":p": S("q"), ":x": N(10)}, Select="COUNT")
    eq(cnt["Count"], 10, "Query Select=COUNT")
    check("Items" not in cnt, "Query Select=COUNT returns no Items")
    pr = ddb.query(TableName=T_QUERY, KeyConditionExpression="pk = :p AND sk >= :x",
                   ExpressionAttributeValues={":p": S("q"), ":x": N(28)}, ProjectionExpression="sk")
    eq(pr["Items"], [{"sk": N(28)}, {"sk": N(29)}], "Query ProjectionExpression")
    expect_error("ValidationException", ddb.query, TableName=T_QUERY, KeyConditionExpression="sk = :x",
                 ExpressionAttributeValues={":x": N(1)})
    expect_error("ValidationException", ddb.query, TableName=T_QUERY, KeyConditionExpression="pk = :p",
                 FilterExpression="sk > :x", ExpressionAttributeValues={":p": S("q"), ":x": N(1)})
    expect_error("ResourceNotFoundException", ddb.query, TableName="conf_py_missing",
                 KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": S("q")})

    # Scan paginator, segments.
    spag = ddb.get_paginator("scan")
    pages = list(spag.paginate(TableName=T_QUERY, PaginationConfig={"PageSize": 7}))
    keys = [(i["pk"]["S"], int(i["sk"]["N"])) for p in pages for i in p["Items"]]
    eq(len(keys), 40, "Scan paginator item count")
    eq(len(set(keys)), 40, "Scan returns each item once")
    check(all(p["Count"] <= 7 for p in pages), "Scan pages respect Limit")
    check(len(pages) in (6, 7), f"Scan page count {len(pages)}")
    part = spag.paginate(TableName=T_QUERY, PaginationConfig={"MaxItems": 11, "PageSize": 4}).build_full_result()
    rest = spag.paginate(TableName=T_QUERY, PaginationConfig={"StartingToken": part["NextToken"]}).build_full_result()
    eq(sorted(keys), sorted((i["pk"]["S"], int(i["sk"]["N"])) for i in part["Items"] + rest["Items"]),
       "Scan MaxItems + resume")
    seg = []
    for s in range(3):
        seg += [(i["pk"]["S"], int(i["sk"]["N"])) for i in
                spag.paginate(TableName=T_QUERY, Segment=s, TotalSegments=3).build_full_result()["Items"]]
    eq(sorted(seg), sorted(keys), "parallel Scan segments cover the table once")
    f = spag.paginate(TableName=T_QUERY, FilterExpression="begins_with(pk, :o)",
                      ExpressionAttributeValues={":o": S("other")}).build_full_result()
    eq(f["Count"], 10, "Scan FilterExpression Count")
    eq(f["ScannedCount"], 40, "Scan ScannedCount")
    c = ddb.scan(TableName=T_QUERY, Select="COUNT")
    eq(c["Count"], 40, "Scan Select=COUNT")
    expect_error("ValidationException", ddb.scan, TableName=T_QUERY, Segment=3, TotalSegments=3)
    expect_error("ValidationException", ddb_raw.scan, TableName=T_QUERY, Limit=0)


def batches():
    keys = [{"pk": S(f"bg{i}"), "sk": N(i)} for i in range(30)]
    for chunk in (keys[:25], keys[25:]):
        ddb.batch_write_item(RequestItems={T_ITEMS: [{"PutRequest": {"Item": {**k, "v": N(7)}}} for k in chunk]})
    out = ddb.batch_get_item(RequestItems={T_ITEMS: {"Keys": keys + [{"pk": S("absent"), "sk": N(0)}],
                                                     "ProjectionExpression": "pk, sk, v"},
                                           T_QUERY: {"Keys": [{"pk": S("q"), "sk": N(3)}], "ConsistentRead": True}})
    eq(out["UnprocessedKeys"], {}, "BatchGetItem UnprocessedKeys")
    eq(sorted(int(i["sk"]["N"]) for i in out["Responses"][T_ITEMS]), list(range(30)), "BatchGetItem Responses")
    eq(len(out["Responses"][T_QUERY]), 1, "BatchGetItem second table")
    out = ddb.batch_write_item(RequestItems={T_ITEMS: [{"DeleteRequest": {"Key": k}} for k in keys[:20]]})
    eq(out["UnprocessedItems"], {}, "BatchWriteItem deletes")
    left = ddb.batch_get_item(RequestItems={T_ITEMS: {"Keys": keys[:25]}})["Responses"][T_ITEMS]
    eq(sorted(int(i["sk"]["N"]) for i in left), list(range(20, 25)), "items left after batch delete")

    expect_error("ValidationException", ddb.batch_write_item,
                 RequestItems={T_ITEMS: [{"PutRequest": {"Item": {**keys[0]}}}, {"DeleteRequest": {"Key": keys[0]}}]})
    expect_error("ValidationException", ddb.batch_get_item, RequestItems={T_ITEMS: {"Keys": [keys[0], keys[0]]}})
    expect_error("ValidationException", ddb_raw.batch_write_item,
                 RequestItems={T_ITEMS: [{"PutRequest": {"Item": {"pk": S(f"x{i}"), "sk": N(i)}}} for i in range(26)]})
    expect_error("ResourceNotFoundException", ddb.batch_write_item,
                 RequestItems={"conf_py_missing": [{"PutRequest": {"Item": {"pk": S("x")}}}]})
    expect_error("ResourceNotFoundException", ddb.batch_get_item,
                 RequestItems={"conf_py_missing": {"Keys": [{"pk": S("x")}]}})


def transactions():
    a, b, c = ({"pk": S("tx"), "sk": N(i)} for i in (1, 2, 3))
    ddb.transact_write_items(TransactItems=[
        {"Put": {"TableName": T_ITEMS, "Item": {**a, "bal": N(100)}}},
        {"Put": {"TableName": T_ITEMS, "Item": {**b, "bal": N(0)}, "ConditionExpression": "attribute_not_exists(pk)"}},
    ], ClientRequestToken="conformance-token-1")
    ddb.transact_write_items(TransactItems=[
        {"Update": {"TableName": T_ITEMS, "Key": a, "UpdateExpression": "SET bal = bal - :x",
                    "ConditionExpression": "bal >= :x", "ExpressionAttributeValues": {":x": N(30)}}},
        {"Update": {"TableName": T_ITEMS, "Key": b, "UpdateExpression": "SET bal = bal + :x",
                    "ExpressionAttributeValues": {":x": N(30)}}},
        {"ConditionCheck": {"TableName": T_QUERY, "Key": {"pk": S("q"), "sk": N(1)},
                            "ConditionExpression": "attribute_exists(pk)"}},
    ])
    got = ddb.batch_get_item(RequestItems={T_ITEMS: {"Keys": [a, b]}})["Responses"][T_ITEMS]
    eq(sorted((int(i["sk"]["N"]), int(i["bal"]["N"])) for i in got), [(1, 70), (2, 30)], "transfer applied")

    # Cancelled: the second action's condition fails; nothing is applied.
    try:
        ddb.transact_write_items(TransactItems=[
            {"Put": {"TableName": T_ITEMS, "Item": {**c, "bal": N(1)}}},
            {"Update": {"TableName": T_ITEMS, "Key": a, "UpdateExpression": "SET bal = bal - :x",
                        "ConditionExpression": "bal >= :x", "ExpressionAttributeValues": {":x": N(1000)},
                        "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}},
            {"Delete": {"TableName": T_ITEMS, "Key": b}},
        ])
        raise AssertionError("transaction with a failing condition succeeded")
    except ddb.exceptions.TransactionCanceledException as e:
        eq(e.response["Error"]["Code"], "TransactionCanceledException", "code")
        reasons = e.response.get("CancellationReasons")
        check(reasons is not None, "CancellationReasons present")
        eq([r["Code"] for r in reasons], ["None", "ConditionalCheckFailed", "None"], "CancellationReasons codes")
        item_eq(reasons[1].get("Item"), {**a, "bal": N(70)}, "CancellationReasons[1].Item")
        check("ConditionalCheckFailed" in e.response["Error"]["Message"], f"message {e.response['Error']['Message']}")
    check("Item" not in ddb.get_item(TableName=T_ITEMS, Key=c), "cancelled transaction put nothing")
    eq(ddb.get_item(TableName=T_ITEMS, Key=b)["Item"]["bal"], N(30), "cancelled transaction deleted nothing")

    e = expect_error("TransactionCanceledException", ddb.transact_write_items, TransactItems=[
        {"ConditionCheck": {"TableName": T_ITEMS, "Key": c, "ConditionExpression": "attribute_exists(pk)"}},
        {"Put": {"TableName": T_ITEMS, "Item": {**b, "bal": N(5)}, "ConditionExpression": "bal = :x",
                 "ExpressionAttributeValues": {":x": N(30)}}},
    ])
    eq([r["Code"] for r in e.response["CancellationReasons"]], ["ConditionalCheckFailed", "None"],
       "CancellationReasons for a failing ConditionCheck")
    expect_error("ValidationException", ddb.transact_write_items, TransactItems=[
        {"Put": {"TableName": T_ITEMS, "Item": {**a}}}, {"Delete": {"TableName": T_ITEMS, "Key": a}}])
    expect_error("ResourceNotFoundException", ddb.transact_write_items, TransactItems=[
        {"Put": {"TableName": "conf_py_missing", "Item": {"pk": S("x")}}}])


def resource_api():
    table = resource.Table(T_QUERY)
    eq(table.table_status, "ACTIVE", "Table.table_status")
    eq(table.key_schema[0]["AttributeName"], "pk", "Table.key_schema")
    table.put_item(Item={"pk": "res", "sk": 1, "price": Decimal("9.99"), "tags": {"a", "b"},
                         "doc": {"nested": [1, "two", None, True]}, "raw": b"\x00bin"})
    item = table.get_item(Key={"pk": "res", "sk": 1})["Item"]
    eq(item["price"], Decimal("9.99"), "resource Decimal")
    eq(item["tags"], {"a", "b"}, "resource set")
    eq(item["doc"], {"nested": [Decimal(1), "two", None, True]}, "resource nested document")
    eq(bytes(item["raw"].value), b"\x00bin", "resource Binary")
    with table.batch_writer() as bw:
        for i in range(2, 40):
            bw.put_item(Item={"pk": "res", "sk": i, "even": i % 2 == 0})
    r = table.query(KeyConditionExpression=Key("pk").eq("res") & Key("sk").between(10, 19),
                    FilterExpression=Attr("even").eq(True))
    eq([int(i["sk"]) for i in r["Items"]], [10, 12, 14, 16, 18], "resource query with Key/Attr conditions")
    r = table.query(KeyConditionExpression=Key("pk").eq("res") & Key("sk").lt(4), ScanIndexForward=False)
    eq([int(i["sk"]) for i in r["Items"]], [3, 2, 1], "resource query descending")
    out = table.update_item(Key={"pk": "res", "sk": 1}, UpdateExpression="SET price = price + :d",
                            ConditionExpression=Attr("price").lt(10), ExpressionAttributeValues={":d": Decimal("0.01")},
                            ReturnValues="UPDATED_NEW")
    eq(out["Attributes"], {"price": Decimal("10")}, "resource update_item")
    try:
        table.put_item(Item={"pk": "res", "sk": 1}, ConditionExpression=Attr("pk").not_exists())
        raise AssertionError("resource conditional put succeeded")
    except resource.meta.client.exceptions.ConditionalCheckFailedException:
        pass
    table.delete_item(Key={"pk": "res", "sk": 1})
    check("Item" not in table.get_item(Key={"pk": "res", "sk": 1}), "resource delete_item")
    n = sum(1 for _ in resource.tables.all())
    check(n >= 2, "resource.tables.all()")


# --- Streams -----------------------------------------------------------------

VIEW_TYPES = ("KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES")


def view_table(view):
    return f"conf_py_view_{view.lower()}"


def stream_writes(table, phase, exp):
    """The same changes on every view-type table, in two phases (a shard rollover
    happens between them). Fills exp: key -> [(eventName, old item, new item)]."""
    k1 = {"pk": S("k1")}
    i1 = {**k1, "a": N(1), "m": {"M": {"x": N(1), "y": S("y")}}, "ss": {"SS": ["a", "b"]}}
    i1_same = {**k1, "ss": {"SS": ["b", "a"]}, "m": {"M": {"y": S("y"), "x": N("1.0")}}, "a": N("1.00")}
    i2 = {**k1, "a": N(2)}
    i3 = {**i2, "b": S("x")}
    for k in ("k1", "k2", "k3", "k4"):
        exp.setdefault(k, [])
    if phase == 1:
        ddb.put_item(TableName=table, Item=i1)
        exp["k1"].append(("INSERT", None, i1))
        ddb.put_item(TableName=table, Item=i1_same)  # the same item (map order, set order, number form): no record
        ddb.put_item(TableName=table, Item=i2)
        exp["k1"].append(("MODIFY", i1, i2))
        ddb.update_item(TableName=table, Key=k1, UpdateExpression="SET a = :two",
                        ExpressionAttributeValues={":two": N(2)})
        ddb.update_item(TableName=table, Key=k1, UpdateExpression="REMOVE nothere")
        ddb.update_item(TableName=table, Key=k1, UpdateExpression="ADD a :zero",
                        ExpressionAttributeValues={":zero": N(0)})
        ddb.batch_write_item(RequestItems={table: [{"PutRequest": {"Item": {"pk": S("k3"), "v": N(1)}}},
                                                   {"DeleteRequest": {"Key": {"pk": S("k2")}}}]})
        exp["k3"].append(("INSERT", None, {"pk": S("k3"), "v": N(1)}))
        return
    ddb.update_item(TableName=table, Key=k1, UpdateExpression="SET b = :x", ExpressionAttributeValues={":x": S("x")})
    exp["k1"].append(("MODIFY", i2, i3))
    expect_error("ConditionalCheckFailedException", ddb.put_item, TableName=table, Item=k1,
                 ConditionExpression="attribute_not_exists(pk)")
    ddb.delete_item(TableName=table, Key=k1)
    exp["k1"].append(("REMOVE", i3, None))
    ddb.delete_item(TableName=table, Key=k1)  # missing: no record
    ddb.update_item(TableName=table, Key={"pk": S("k2")}, UpdateExpression="REMOVE a")  # creates nothing
    check("Item" not in ddb.get_item(TableName=table, Key={"pk": S("k2")}), "REMOVE on a missing item creates nothing")
    ddb.transact_write_items(TransactItems=[
        {"Put": {"TableName": table, "Item": {"pk": S("k4")}}},
        {"Update": {"TableName": table, "Key": {"pk": S("k3")}, "UpdateExpression": "REMOVE v"}},
    ])
    exp["k4"].append(("INSERT", None, {"pk": S("k4")}))
    exp["k3"].append(("MODIFY", {"pk": S("k3"), "v": N(1)}, {"pk": S("k3")}))
    expect_error("TransactionCanceledException", ddb.transact_write_items, TransactItems=[
        {"Put": {"TableName": table, "Item": {"pk": S("k5")}}},
        {"ConditionCheck": {"TableName": table, "Key": {"pk": S("k4")}, "ConditionExpression": "attribute_not_exists(pk)"}},
    ])
    ddb.put_item(TableName=table, Item={"pk": S("k4")})  # key-only over key-only: no record


def wait_for_rollover(arns, seconds=10):
    """Waits until every stream has closed its first shards (server: --shard-rollover 3)."""
    first = {arn: {s["ShardId"] for s in describe_all_shards(arn)[1]} for arn in arns}
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if all(any("ParentShardId" in s and s["ShardId"] not in first[arn] for s in describe_all_shards(arn)[1])
               for arn in arns):
            return
        time.sleep(0.25)
    raise AssertionError(f"no shard rollover within {seconds} s")


def check_view_records(view, records, exp):
    by_key = {}
    for r in records:
        check_record_shape(r, view)
        by_key.setdefault(r["dynamodb"]["Keys"]["pk"]["S"], []).append(r)
    eq(sorted(by_key), sorted(k for k, v in exp.items() if v), f"{view}: keys with records")
    for k, want in exp.items():
        got = by_key.get(k, [])
        eq([r["eventName"] for r in got], [w[0] for w in want], f"{view}: eventNames of {k}")
        for r, (name, old, new) in zip(got, want):
            d = r["dynamodb"]
            eq(d["Keys"], {"pk": S(k)}, f"{view} {k} {name}: Keys")
            want_new = new if view in ("NEW_IMAGE", "NEW_AND_OLD_IMAGES") else None
            want_old = old if view in ("OLD_IMAGE", "NEW_AND_OLD_IMAGES") else None
            item_eq(d.get("NewImage"), want_new, f"{view} {k} {name}: NewImage")
            item_eq(d.get("OldImage"), want_old, f"{view} {k} {name}: OldImage")
            check(("NewImage" in d) == (want_new is not None), f"{view} {k} {name}: NewImage presence")
            check(("OldImage" in d) == (want_old is not None), f"{view} {k} {name}: OldImage presence")


def streams_view_types():
    for view in VIEW_TYPES:
        create_table(view_table(view), None, view)
    arns = {view: stream_arn_of(view_table(view)) for view in VIEW_TYPES}
    expected = {view: {} for view in VIEW_TYPES}
    readers = {view: StreamReader(arns[view], limit=3) for view in VIEW_TYPES}
    for view in VIEW_TYPES:
        stream_writes(view_table(view), 1, expected[view])
        readers[view].catch_up()  # a reader that is caught up, then continues across the rollover
    wait_for_rollover(list(arns.values()))
    for view in VIEW_TYPES:
        stream_writes(view_table(view), 2, expected[view])
    for view in VIEW_TYPES:
        records = readers[view].catch_up()
        check(any(s.get("ParentShardId") for s in readers[view].shards.values()), f"{view}: lineage")
        check_view_records(view, records, expected[view])
        # A second reader from scratch sees the same records in the same order.
        again = StreamReader(arns[view]).catch_up()
        eq([r["eventID"] for r in again], [r["eventID"] for r in records], f"{view}: a fresh reader agrees")


def streams_api():
    arn = stream_arn_of(T_ITEMS)
    # ListStreams: every stream, paginated by hand (boto3 has no paginator for it).
    check(not streams.can_paginate("list_streams"), "botocore has no ListStreams paginator")
    listed, start, pages = [], None, 0
    while True:
        args = {"Limit": 2}
        if start:
            args["ExclusiveStartStreamArn"] = start
        out = streams.list_streams(**args)
        pages += 1
        check(len(out["Streams"]) <= 2, "ListStreams Limit")
        listed += out["Streams"]
        start = out.get("LastEvaluatedStreamArn")
        if not start:
            break
        eq(start, out["Streams"][-1]["StreamArn"], "LastEvaluatedStreamArn is the last ARN returned")
    arns = [s["StreamArn"] for s in listed]
    eq(len(arns), len(set(arns)), "ListStreams has no duplicates")
    check(arn in arns, "ListStreams lists the items table's stream")
    for view in VIEW_TYPES:
        check(stream_arn_of(view_table(view)) in arns, f"ListStreams lists {view}")
    one = streams.list_streams(TableName=T_ITEMS)["Streams"]
    eq(one, [{"StreamArn": arn, "TableName": T_ITEMS, "StreamLabel": arn.split("/stream/")[1]}],
       "ListStreams TableName")
    eq(streams.list_streams(TableName=T_QUERY)["Streams"], [], "ListStreams of a table without a stream")
    expect_error("ValidationException", streams_raw.list_streams, Limit=0)
    # DynamoDB documents ResourceNotFoundException for ListStreams of a nonexistent table.
    expect_error("ResourceNotFoundException", streams_raw.list_streams, TableName="conf_py_missing")

    # DescribeStream; wait for a rollover so there is lineage to see.
    deadline = time.monotonic() + 10
    while True:
        desc, shards, _ = describe_all_shards(arn)
        if any("ParentShardId" in s for s in shards) or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    eq(desc["StreamStatus"], "ENABLED", "StreamStatus")
    eq(desc["StreamViewType"], "NEW_AND_OLD_IMAGES", "StreamViewType")
    eq(desc["TableName"], T_ITEMS, "StreamDescription.TableName")
    eq(desc["StreamArn"], arn, "StreamDescription.StreamArn")
    check(hasattr(desc["CreationRequestDateTime"], "year"), "CreationRequestDateTime")
    eq([k["KeyType"] for k in desc["KeySchema"]], ["HASH", "RANGE"], "StreamDescription.KeySchema")
    for s in shards:
        check(re.fullmatch(r"shardId-\d{20}-[0-9a-f]{8}", s["ShardId"]) is not None, f"ShardId {s['ShardId']}")
    ids = [s["ShardId"] for s in shards]
    eq(len(ids), len(set(ids)), "DescribeStream has no duplicate shards")
    children = [s for s in shards if s.get("ParentShardId") in ids]
    check(children, "a rollover produced a child shard within 10 s (server runs --shard-rollover 3)")
    _, paged, npages = describe_all_shards(arn, page_limit=1)
    eq([s["ShardId"] for s in paged], ids, "DescribeStream Limit=1 pages give the same shards")
    eq(npages, len(ids), "DescribeStream Limit=1 page count")
    parent = children[0]["ParentShardId"]
    check("EndingSequenceNumber" in next(s for s in shards if s["ShardId"] == parent)["SequenceNumberRange"],
          "a parent shard is closed")
    filtered = streams.describe_stream(StreamArn=arn, ShardFilter={"Type": "CHILD_SHARDS", "ShardId": parent})
    eq([s["ShardId"] for s in filtered["StreamDescription"]["Shards"]],
       [s["ShardId"] for s in shards if s.get("ParentShardId") == parent], "ShardFilter CHILD_SHARDS")
    check(all(s["ParentShardId"] == parent for s in filtered["StreamDescription"]["Shards"]), "filtered parents")
    expect_error("ValidationException", streams_raw.describe_stream, StreamArn=arn,
                 ShardFilter={"Type": "PARENT_SHARDS", "ShardId": parent})
    missing = arn.replace(f"table/{T_ITEMS}/", "table/conf_py_missing/")
    expect_error("ResourceNotFoundException", streams.describe_stream, StreamArn=missing)
    expect_error("ValidationException", streams.describe_stream, StreamArn="x" * 40)

    # GetShardIterator types and GetRecords details, on a fresh table with one key.
    create_table("conf_py_iter", None, "NEW_IMAGE")
    iarn = stream_arn_of("conf_py_iter")
    for i in range(5):
        ddb.put_item(TableName="conf_py_iter", Item={"pk": S("same"), "v": N(i)})
    reader = StreamReader(iarn)
    records = reader.catch_up()
    eq([r["dynamodb"]["NewImage"]["v"]["N"] for r in records], ["0", "1", "2", "3", "4"], "records in write order")
    eq([r["eventName"] for r in records], ["INSERT"] + ["MODIFY"] * 4, "eventNames")
    seqs = [r["dynamodb"]["SequenceNumber"] for r in records]
    check([int(s) for s in seqs] == sorted(int(s) for s in seqs), "SequenceNumbers increase for one key")
    home = reader.shard_of[seqs[2]]
    at = streams.get_shard_iterator(StreamArn=iarn, ShardId=home, ShardIteratorType="AT_SEQUENCE_NUMBER",
                                    SequenceNumber=seqs[2])["ShardIterator"]
    eq(streams.get_records(ShardIterator=at, Limit=1)["Records"][0]["dynamodb"]["SequenceNumber"], seqs[2],
       "AT_SEQUENCE_NUMBER")
    after = streams.get_shard_iterator(StreamArn=iarn, ShardId=home, ShardIteratorType="AFTER_SEQUENCE_NUMBER",
                                       SequenceNumber=seqs[2])["ShardIterator"]
    got = streams.get_records(ShardIterator=after, Limit=1)["Records"]
    check(got and got[0]["dynamodb"]["SequenceNumber"] == seqs[3] or not got,
          "AFTER_SEQUENCE_NUMBER starts after the record")
    # The iterator may be reused until it expires.
    eq(streams.get_records(ShardIterator=at, Limit=1)["Records"][0]["dynamodb"]["SequenceNumber"], seqs[2],
       "an iterator can be reused")
    # LATEST on the currently open shard of this key sees only later writes.
    _, ishards, _ = describe_all_shards(iarn)
    open_shards = [s["ShardId"] for s in ishards if "EndingSequenceNumber" not in s["SequenceNumberRange"]]
    latest = {sid: streams.get_shard_iterator(StreamArn=iarn, ShardId=sid, ShardIteratorType="LATEST")["ShardIterator"]
              for sid in open_shards}
    ddb.put_item(TableName="conf_py_iter", Item={"pk": S("same"), "v": N(99)})
    seen = []
    for sid, it in latest.items():
        page = streams.get_records(ShardIterator=it)
        seen += [r["dynamodb"]["NewImage"]["v"]["N"] for r in page["Records"]]
        check("NextShardIterator" in page, "open shard keeps a NextShardIterator")
    check(seen in (["99"], []), f"LATEST sees only the new write: {seen}")
    # A closed, drained shard ends without NextShardIterator (checked in StreamReader too).
    closed = [s for s in ishards if "EndingSequenceNumber" in s["SequenceNumberRange"]]
    if closed:
        it = streams.get_shard_iterator(StreamArn=iarn, ShardId=closed[0]["ShardId"],
                                        ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        for _ in range(100):
            page = streams.get_records(ShardIterator=it)
            if "NextShardIterator" not in page:
                break
            it = page["NextShardIterator"]
        check("NextShardIterator" not in page, "closed shard ends without NextShardIterator")

    # Errors.
    expect_error("ValidationException", streams.get_shard_iterator, StreamArn=iarn, ShardId=home,
                 ShardIteratorType="AT_SEQUENCE_NUMBER")
    expect_error("ValidationException", streams.get_shard_iterator, StreamArn=iarn, ShardId=home,
                 ShardIteratorType="TRIM_HORIZON", SequenceNumber=seqs[0])
    expect_error("ResourceNotFoundException", streams.get_shard_iterator, StreamArn=iarn,
                 ShardId="shardId-00000000000000000000-00000000", ShardIteratorType="TRIM_HORIZON")
    expect_error("ValidationException", streams.get_records, ShardIterator="garbage-iterator")
    expect_error("ValidationException", streams_raw.get_records, ShardIterator=at, Limit=0)
    expect_error("ValidationException", streams_raw.get_records, ShardIterator=at, Limit=1001)


def streams_lifecycle():
    t = "conf_py_life"
    create_table(t)
    check("LatestStreamArn" not in ddb.describe_table(TableName=t)["Table"], "no LatestStreamArn before a stream")
    check("StreamSpecification" not in ddb.describe_table(TableName=t)["Table"], "no StreamSpecification before")
    expect_error("ValidationException", ddb.update_table, TableName=t, StreamSpecification={"StreamEnabled": False})
    expect_error("ValidationException", ddb.update_table, TableName=t, StreamSpecification={"StreamEnabled": True})
    u = ddb.update_table(TableName=t, StreamSpecification={"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"})
    d = u["TableDescription"]
    eq(d["StreamSpecification"], {"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"}, "UpdateTable enables")
    first = d["LatestStreamArn"]
    eq(streams.describe_stream(StreamArn=first)["StreamDescription"]["StreamStatus"], "ENABLED", "status")
    ddb.put_item(TableName=t, Item={"pk": S("a"), "x": N(1)})
    e = expect_error("ValidationException", ddb.update_table, TableName=t,
                     StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"})
    check("already" in e.response["Error"]["Message"], f"message: {e.response['Error']['Message']}")
    ddb.update_table(TableName=t, StreamSpecification={"StreamEnabled": False})
    check("StreamSpecification" not in ddb.describe_table(TableName=t)["Table"]
          or ddb.describe_table(TableName=t)["Table"]["StreamSpecification"].get("StreamEnabled") is False,
          "StreamSpecification after disable")
    ddb.put_item(TableName=t, Item={"pk": S("b")})  # no stream: no record
    desc = streams.describe_stream(StreamArn=first)["StreamDescription"]
    check(desc["StreamStatus"] in ("DISABLING", "DISABLED"), f"status after disable {desc['StreamStatus']}")
    check(all("EndingSequenceNumber" in s["SequenceNumberRange"] for s in desc["Shards"]), "disable closes shards")
    time.sleep(0.01)
    u = ddb.update_table(TableName=t, StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"})
    second = u["TableDescription"]["LatestStreamArn"]
    check(second != first, "re-enabling creates a new stream ARN")
    ddb.put_item(TableName=t, Item={"pk": S("c")})
    listed = [s["StreamArn"] for s in streams.list_streams(TableName=t)["Streams"]]
    eq(sorted(listed), sorted([first, second]), "ListStreams lists the disabled and the new stream")
    old = StreamReader(first).catch_up()
    eq([(r["eventName"], r["dynamodb"]["Keys"]["pk"]["S"]) for r in old], [("INSERT", "a")], "old stream records")
    check("NewImage" not in old[0]["dynamodb"], "KEYS_ONLY record has no image")
    new = StreamReader(second).catch_up()
    eq([(r["eventName"], r["dynamodb"]["NewImage"]) for r in new], [("INSERT", {"pk": S("c")})], "new stream records")
    ddb.delete_table(TableName=t)
    desc = streams.describe_stream(StreamArn=second)["StreamDescription"]
    check(desc["StreamStatus"] in ("DISABLING", "DISABLED"), f"stream status after DeleteTable {desc['StreamStatus']}")
    eq(len(StreamReader(second).catch_up()), 1, "a deleted table's stream stays readable")


def wire_details():
    # botocore checks x-amz-crc32 for dynamodb; look at the raw headers too.
    out = ddb.list_tables()
    h = out["ResponseMetadata"]["HTTPHeaders"]
    eq(h.get("content-type"), "application/x-amz-json-1.0", "Content-Type")
    check(re.fullmatch(r"[A-Z0-9]{52}", out["ResponseMetadata"]["RequestId"]) is not None, "RequestId")
    check(h.get("x-amz-crc32", "").isdigit(), "x-amz-crc32 present")
    sh = streams.list_streams()["ResponseMetadata"]["HTTPHeaders"]
    eq(sh.get("content-type"), "application/x-amz-json-1.0", "Streams Content-Type")


def main():
    print(f"boto3 {boto3.__version__}, botocore {botocore.__version__}, endpoint {ENDPOINT}")
    start = time.monotonic()
    with section("control plane: CreateTable/DescribeTable/ListTables/UpdateTable/DeleteTable/TTL"):
        control_plane()
    with section("items: PutItem/GetItem/UpdateItem/DeleteItem, conditions, errors"):
        items_crud()
    with section("Query and Scan with paginators"):
        query_scan()
    with section("BatchWriteItem and BatchGetItem"):
        batches()
    with section("TransactWriteItems and TransactionCanceledException"):
        transactions()
    with section("boto3.resource Table"):
        resource_api()
    with section("streams: records per view type, no-op writes, lineage"):
        streams_view_types()
    with section("streams: ListStreams, DescribeStream, ShardFilter, iterators, errors"):
        streams_api()
    with section("streams: enable, disable, re-enable, delete table"):
        streams_lifecycle()
    with section("wire: headers"):
        wire_details()
    for n in notes:
        print(f"NOTE: {n}")
    print(f"boto3: {checks} checks, {len(failures)} failed sections, {time.monotonic() - start:.1f}s")
    if failures:
        print("FAILED: " + "; ".join(failures))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
