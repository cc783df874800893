#!/usr/bin/env python3
"""Writes the hand-made seeds of tests/fuzz/corpus/ (seed-* files).

The rest of each corpus is what fuzzing added (libFuzzer names those by their
SHA-1); re-running this script rewrites only the seeds. Input layouts are
described in expression_fuzz.cc and request_fuzz.cc.
"""
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))

# ---- expression_fuzz: flags byte, expression, placeholder lines
COND, FILTER, UPDATE, PROJ, KEY = range(5)
NAMES, VALUES, SORT = 0x08, 0x10, 0x20
SORT_S, SORT_N, SORT_B = 0x00, 0x40, 0x80

EXPRESSIONS = [
    (COND, "attribute_not_exists(pk)", []),
    (COND, "attribute_exists(#n) AND #n = :v", ["#n=name", ":v=S:abc"]),
    (COND, "a.b[2].c <> :v OR NOT (x < :w)", [":v=N:1", ":w=N:2.5e10"]),
    (COND, "a BETWEEN :lo AND :hi", [":lo=N:1", ":hi=N:9"]),
    (COND, "#s IN (:a, :b, :c)", ["#s=status", ":a=S:x", ":b=S:y", ":c=S:z"]),
    (COND, "begins_with(title, :p) and contains(tags, :t)", [":p=S:The", ":t=S:jazz"]),
    (COND, "size(items) >= :n AND attribute_type(x, :ty)", [":n=N:3", ":ty=S:SS"]),
    (COND, "(a = :v) OR (b = :v) AND NOT c <> :v", [":v=BOOL:true"]),
    (COND, "contains(#l, :m)", ["#l=list", ":m=M:a,b"]),
    (COND, "status = :v", [":v=S:reserved"]),
    (COND, "a = = b", []),
    (COND, "x[0][1].y.z = :unused", [":unused=NULL:", ":other=S:o"]),
    (FILTER, "attribute_exists(pk) AND other > :v", [":v=B:xy"]),
    (FILTER, "size(#a) < :n", ["#a=pk", ":n=N:4"]),
    (UPDATE, "SET a = :v", [":v=S:x"]),
    (UPDATE, "SET #y = #y + :one REMOVE notes ADD tags :t", ["#y=year", ":one=N:1", ":t=SS:blues"]),
    (UPDATE, "SET l = list_append(if_not_exists(l, :e), :l)", [":e=L:", ":l=L:1,a,2"]),
    (UPDATE, "SET a.b[3] = :v, c = d - :n DELETE s :ss", [":v=N:0", ":n=N:7", ":ss=NS:1,2"]),
    (UPDATE, "REMOVE a, b.c[0], #n", ["#n=name"]),
    (UPDATE, "ADD counter :n SET updated = :t", [":n=N:1", ":t=S:now"]),
    (UPDATE, "SET a = :v SET b = :v", [":v=S:x"]),
    (UPDATE, "SET a = :v, a.b = :v", [":v=S:x"]),
    (UPDATE, "set x = size(y)", []),
    (PROJ, "a, b.c, d[0]", []),
    (PROJ, "#n, #n.x", ["#n=name"]),
    (PROJ, "a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.q.r.s.t.u.v.w.x.y.z.aa.bb.cc.dd.ee.ff.gg", []),
    (PROJ, "a[0], a[1], a[4294967296]", []),
    (KEY, "pk = :v", [":v=S:k"]),
    (KEY | SORT | SORT_N, "pk = :v AND sk BETWEEN :a AND :b", [":v=S:k", ":a=N:1", ":b=N:5"]),
    (KEY | SORT | SORT_S, "#k = :v and begins_with(sk, :p)", ["#k=pk", ":v=S:k", ":p=S:pre"]),
    (KEY | SORT | SORT_B, ":v = pk AND :s <= sk", [":v=S:k", ":s=B:zz"]),
    (KEY | SORT | SORT_N, "pk = :v AND sk > :n", [":v=S:k", ":n=S:notanumber"]),
    (KEY, "pk = :v OR pk = :w", [":v=S:k", ":w=S:j"]),
    (KEY | SORT, "(pk = :v) AND (sk = :w)", [":v=S:k", ":w=S:j"]),
    (COND, "", [":v=S:x"]),
    (COND, "a = :v", [":v=SS:a,a"]),
    (COND, "a = :v", ["bad=name", ":=S:x", "#=x"]),
]


def expression_seed(flags, text, lines):
    if any(l.startswith("#") for l in lines):
        flags |= NAMES
    if any(not l.startswith("#") for l in lines):
        flags |= VALUES
    return bytes([flags]) + "\n".join([text] + lines).encode()


# ---- request_fuzz: operation byte, JSON body
TARGETS = [
    "CreateTable", "DeleteTable", "DescribeTable", "UpdateTable", "ListTables",
    "PutItem", "GetItem", "UpdateItem", "DeleteItem", "Query", "Scan",
    "BatchWriteItem", "BatchGetItem", "TransactWriteItems", "UpdateTimeToLive",
    "DescribeTimeToLive", "ListStreams", "DescribeStream", "GetShardIterator",
    "GetRecords", "TransactGetItems", "DynamoDB.GetRecords", "Streams.PutItem", "NoPrefix",
]
AUTH = 0x80

S = lambda v: {"S": v}
N = lambda v: {"N": v}
B = lambda v: {"B": v}
KEY_I = {"pk": S("a"), "sk": N("1")}
KEY_S = {"id": B("AAEC")}

REQUESTS = [
    ("CreateTable", {"TableName": "scratch",
                     "KeySchema": [{"AttributeName": "h", "KeyType": "HASH"}],
                     "AttributeDefinitions": [{"AttributeName": "h", "AttributeType": "S"}],
                     "BillingMode": "PAY_PER_REQUEST"}),
    ("CreateTable", {"TableName": "scratch2",
                     "KeySchema": [{"AttributeName": "h", "KeyType": "HASH"},
                                   {"AttributeName": "r", "KeyType": "RANGE"}],
                     "AttributeDefinitions": [{"AttributeName": "h", "AttributeType": "N"},
                                              {"AttributeName": "r", "AttributeType": "B"},
                                              {"AttributeName": "g", "AttributeType": "S"}],
                     "GlobalSecondaryIndexes": [{"IndexName": "gi",
                                                 "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                                                 "Projection": {"ProjectionType": "ALL"}}],
                     "ProvisionedThroughput": {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5},
                     "StreamSpecification": {"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"}}),
    ("DeleteTable", {"TableName": "scratch"}),
    ("DescribeTable", {"TableName": "items"}),
    ("DescribeTable", {"TableName": "streamed"}),
    ("UpdateTable", {"TableName": "scratch2",
                     "StreamSpecification": {"StreamEnabled": False}}),
    ("UpdateTable", {"TableName": "items", "BillingMode": "PAY_PER_REQUEST"}),
    ("ListTables", {}),
    ("ListTables", {"Limit": 1, "ExclusiveStartTableName": "items"}),
    ("PutItem", {"TableName": "items",
                 "Item": {"pk": S("a"), "sk": N("1"), "year": N("1965.0"), "tags": {"SS": ["jazz", "soul"]},
                          "cover": B("AAEC"), "live": {"BOOL": True}, "notes": {"NULL": True},
                          "meta": {"M": {"len": N("622"), "takes": {"L": [N("1"), S("b")]}}},
                          "nums": {"NS": ["1", "2.5"]}, "bins": {"BS": ["AA==", "AQ=="]}}}),
    ("PutItem", {"TableName": "items", "Item": {"pk": S("a"), "sk": N("2")},
                 "ConditionExpression": "attribute_not_exists(pk)", "ReturnValues": "ALL_OLD",
                 "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}),
    ("PutItem", {"TableName": "streamed", "Item": {"id": B("AAEC"), "v": S("x")}}),
    ("GetItem", {"TableName": "items", "Key": KEY_I, "ProjectionExpression": "#y, meta.takes[1]",
                 "ExpressionAttributeNames": {"#y": "year"}, "ConsistentRead": True}),
    ("GetItem", {"TableName": "streamed", "Key": KEY_S, "AttributesToGet": ["v"]}),
    ("UpdateItem", {"TableName": "items", "Key": KEY_I,
                    "UpdateExpression": "SET #y = #y + :one REMOVE notes ADD tags :t",
                    "ExpressionAttributeNames": {"#y": "year"},
                    "ExpressionAttributeValues": {":one": N("1"), ":t": {"SS": ["blues"]}},
                    "ReturnValues": "UPDATED_NEW"}),
    ("UpdateItem", {"TableName": "streamed", "Key": KEY_S,
                    "UpdateExpression": "SET l = list_append(if_not_exists(l, :e), :l)",
                    "ConditionExpression": "attribute_exists(id)",
                    "ExpressionAttributeValues": {":e": {"L": []}, ":l": {"L": [N("1")]}},
                    "ReturnValues": "ALL_NEW"}),
    ("DeleteItem", {"TableName": "items", "Key": {"pk": S("a"), "sk": N("2")}, "ReturnValues": "ALL_OLD",
                    "ConditionExpression": "size(tags) > :n", "ExpressionAttributeValues": {":n": N("0")}}),
    ("Query", {"TableName": "items", "KeyConditionExpression": "pk = :a AND sk BETWEEN :lo AND :hi",
               "FilterExpression": "attribute_exists(tags)", "ProjectionExpression": "sk, meta.len",
               "ExpressionAttributeValues": {":a": S("a"), ":lo": N("0"), ":hi": N("9")},
               "ScanIndexForward": False, "Limit": 2}),
    ("Query", {"TableName": "items", "KeyConditionExpression": "pk = :a",
               "ExpressionAttributeValues": {":a": S("a")}, "Select": "COUNT",
               "ExclusiveStartKey": KEY_I}),
    ("Scan", {"TableName": "items", "FilterExpression": "contains(tags, :t)",
              "ExpressionAttributeValues": {":t": S("jazz")}, "Limit": 5,
              "Segment": 0, "TotalSegments": 2, "ReturnConsumedCapacity": "TOTAL"}),
    ("Scan", {"TableName": "streamed"}),
    ("BatchWriteItem", {"RequestItems": {
        "items": [{"PutRequest": {"Item": {"pk": S("b"), "sk": N("1"), "x": S("y")}}},
                  {"DeleteRequest": {"Key": {"pk": S("b"), "sk": N("2")}}}],
        "streamed": [{"PutRequest": {"Item": {"id": B("AQ=="), "n": N("-1e-5")}}}]},
        "ReturnItemCollectionMetrics": "SIZE"}),
    ("BatchGetItem", {"RequestItems": {
        "items": {"Keys": [KEY_I, {"pk": S("b"), "sk": N("1")}], "ProjectionExpression": "pk, x"},
        "streamed": {"Keys": [KEY_S], "ConsistentRead": True}}}),
    ("TransactWriteItems", {"TransactItems": [
        {"Put": {"TableName": "items", "Item": {"pk": S("t"), "sk": N("1")},
                 "ConditionExpression": "attribute_not_exists(pk)"}},
        {"Update": {"TableName": "streamed", "Key": KEY_S, "UpdateExpression": "ADD c :one",
                    "ExpressionAttributeValues": {":one": N("1")}}},
        {"Delete": {"TableName": "items", "Key": {"pk": S("b"), "sk": N("1")}}},
        {"ConditionCheck": {"TableName": "items", "Key": KEY_I,
                            "ConditionExpression": "attribute_exists(pk)"}}],
        "ClientRequestToken": "tok-1"}),
    ("UpdateTimeToLive", {"TableName": "items",
                          "TimeToLiveSpecification": {"Enabled": True, "AttributeName": "expires"}}),
    ("DescribeTimeToLive", {"TableName": "items"}),
    ("ListStreams", {}),
    ("ListStreams", {"TableName": "streamed", "Limit": 1}),
    ("DescribeStream", {"StreamArn": "@ARN@"}),
    ("DescribeStream", {"StreamArn": "@ARN@", "Limit": 1, "ExclusiveStartShardId": "@SHARD@"}),
    ("GetShardIterator", {"StreamArn": "@ARN@", "ShardId": "@SHARD@", "ShardIteratorType": "TRIM_HORIZON"}),
    ("GetShardIterator", {"StreamArn": "@ARN@", "ShardId": "@SHARD@",
                          "ShardIteratorType": "AFTER_SEQUENCE_NUMBER",
                          "SequenceNumber": "000000000000000000001"}),
    ("GetRecords", {"ShardIterator": "@ITER@", "Limit": 10}),
    ("GetRecords", {"ShardIterator": "not-an-iterator"}),
    ("TransactGetItems", {}),
    ("DynamoDB.GetRecords", {}),
    ("Streams.PutItem", {}),
    ("NoPrefix", {"TableName": "items"}),
]

RAW_REQUESTS = [
    ("PutItem", b'{"TableName":"items","Item":{"pk":{"S":"a"},"sk":{"N":3}}}'),
    ("PutItem", b'{"TableName":"items","Item":{"pk":{"S":"a","N":"1"},"sk":{"N":"1"}}}'),
    ("GetItem", b'{"TableName":"items","Key":'),
    ("Scan", b'[]'),
    ("Query", b''),
    ("UpdateItem", b'{"TableName":"items","Key":{"pk":{"S":"a"},"sk":{"N":"1"}},'
                   b'"UpdateExpression":"SET a = = b"}'),
]


def write(dirname, name, data):
    path = os.path.join(HERE, "corpus", dirname, name)
    with open(path, "wb") as f:
        f.write(data)


def main():
    for d in ("expression", "request"):
        os.makedirs(os.path.join(HERE, "corpus", d), exist_ok=True)
        for f in os.listdir(os.path.join(HERE, "corpus", d)):
            if f.startswith("seed-"):
                os.remove(os.path.join(HERE, "corpus", d, f))
    kinds = ["cond", "filter", "update", "proj", "key"]
    for i, (flags, text, lines) in enumerate(EXPRESSIONS):
        write("expression", f"seed-{i:02d}-{kinds[flags & 7]}", expression_seed(flags, text, lines))
    for i, (op, body) in enumerate(REQUESTS + RAW_REQUESTS):
        data = body if isinstance(body, bytes) else json.dumps(body, separators=(",", ":")).encode()
        flags = TARGETS.index(op) | (AUTH if i % 3 == 0 else 0)
        write("request", f"seed-{i:02d}-{op.replace('.', '-')}", bytes([flags]) + data)


if __name__ == "__main__":
    main()
