// Eddy conformance scenario with the AWS SDK for JavaScript v3
// (@aws-sdk/client-dynamodb and @aws-sdk/client-dynamodb-streams).
//
// Run by tests/conformance/run.sh, which starts `eddy serve` and exports
// EDDY_ENDPOINT and dummy AWS credentials. Every section runs even when an
// earlier one failed; the exit status is 1 when any check failed.
import assert from "node:assert/strict";
import { createRequire } from "node:module";

import {
  BatchGetItemCommand,
  BatchWriteItemCommand,
  ConditionalCheckFailedException,
  CreateTableCommand,
  DeleteItemCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  DynamoDBServiceException,
  GetItemCommand,
  ListTablesCommand,
  PutItemCommand,
  QueryCommand,
  ResourceInUseException,
  ResourceNotFoundException,
  ScanCommand,
  TransactionCanceledException,
  TransactWriteItemsCommand,
  UpdateItemCommand,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
  paginateListTables,
  paginateQuery,
  paginateScan,
  waitUntilTableExists,
  waitUntilTableNotExists,
} from "@aws-sdk/client-dynamodb";
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  DynamoDBStreamsServiceException,
  GetRecordsCommand,
  GetShardIteratorCommand,
  ListStreamsCommand,
  ResourceNotFoundException as StreamsResourceNotFoundException,
} from "@aws-sdk/client-dynamodb-streams";

const require = createRequire(import.meta.url);
const endpoint = process.env.EDDY_ENDPOINT;
const region = process.env.AWS_DEFAULT_REGION ?? "us-east-1";
assert.ok(endpoint, "EDDY_ENDPOINT is not set (run through tests/conformance/run.sh)");
const common = {
  endpoint,
  region,
  credentials: { accessKeyId: "AKIDEDDYCONFORMANCE", secretAccessKey: "eddy-conformance-secret" },
  maxAttempts: 1, // no retries: a server error must surface
};
const ddb = new DynamoDBClient(common);
const streams = new DynamoDBStreamsClient(common);

const failures = [];
const notes = [];
let checks = 0;

async function section(name, fn) {
  const start = performance.now();
  try {
    await fn();
    console.log(`  ok   ${name} (${((performance.now() - start) / 1000).toFixed(2)}s)`);
  } catch (e) {
    failures.push(name);
    console.log(`  FAIL ${name}: ${e?.name}: ${e?.message}`);
    console.log(String(e?.stack ?? "").split("\n").slice(1, 7).join("\n"));
  }
}

function check(cond, what) {
  checks++;
  assert.ok(cond, what);
}
function eq(actual, expected, what) {
  checks++;
  assert.deepStrictEqual(actual, expected, what);
}
function note(what) {
  notes.push(what);
  console.log(`  NOTE ${what}`);
}

// Sends cmd, which must fail with an error named `name` (and, if given, of class cls).
async function expectError(client, cmd, name, cls) {
  let err;
  try {
    await client.send(cmd);
  } catch (e) {
    err = e;
  }
  check(err !== undefined, `${cmd.constructor.name} succeeded; expected ${name}`);
  eq(err.name, name, `${cmd.constructor.name}: error name (message: ${err.message})`);
  eq(err.$metadata?.httpStatusCode, 400, `${cmd.constructor.name}: HTTP status of ${name}`);
  check(err.$fault === "client", `${name} is a client fault`);
  if (cls) check(err instanceof cls, `${name} is an instance of ${cls.name}`);
  return err;
}

const S = (v) => ({ S: v });
const N = (v) => ({ N: String(v) });

function keySchema(hashType = "S", rangeType) {
  const AttributeDefinitions = [{ AttributeName: "pk", AttributeType: hashType }];
  const KeySchema = [{ AttributeName: "pk", KeyType: "HASH" }];
  if (rangeType) {
    AttributeDefinitions.push({ AttributeName: "sk", AttributeType: rangeType });
    KeySchema.push({ AttributeName: "sk", KeyType: "RANGE" });
  }
  return { AttributeDefinitions, KeySchema };
}

async function createTable(name, rangeType, streamView) {
  const input = { TableName: name, BillingMode: "PAY_PER_REQUEST", ...keySchema("S", rangeType) };
  if (streamView) input.StreamSpecification = { StreamEnabled: true, StreamViewType: streamView };
  const out = await ddb.send(new CreateTableCommand(input));
  await waitUntilTableExists({ client: ddb, maxWaitTime: 10, minDelay: 1 }, { TableName: name });
  return out.TableDescription;
}

// Comparable form of an AttributeValue map: sets as sorted arrays, numbers by value.
function norm(av) {
  const [[t, v]] = Object.entries(av);
  switch (t) {
    case "N": return { N: Number(v) };
    case "SS": return { SS: [...v].sort() };
    case "NS": return { NS: v.map(Number).sort((a, b) => a - b) };
    case "BS": return { BS: v.map((b) => Buffer.from(b).toString("hex")).sort() };
    case "B": return { B: Buffer.from(v).toString("hex") };
    case "M": return { M: normItem(v) };
    case "L": return { L: v.map(norm) };
    default: return { [t]: v };
  }
}
function normItem(item) {
  if (item === undefined) return undefined;
  return Object.fromEntries(Object.entries(item).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => [k, norm(v)]));
}
const itemEq = (actual, expected, what) => eq(normItem(actual), normItem(expected), what);

// --- Stream reading: parents before children, until caught up ---------------

async function describeAllShards(arn, { limit, shardFilter } = {}) {
  const shards = [];
  let start, desc, pages = 0;
  do {
    const out = await streams.send(new DescribeStreamCommand({
      StreamArn: arn, Limit: limit, ExclusiveStartShardId: start, ShardFilter: shardFilter,
    }));
    desc = out.StreamDescription;
    pages++;
    shards.push(...desc.Shards);
    start = desc.LastEvaluatedShardId;
  } while (start);
  return { desc, shards, pages };
}

class StreamReader {
  constructor(arn, limit) {
    this.arn = arn;
    this.limit = limit;
    this.iterators = new Map(); // open shard -> iterator to continue from
    this.done = new Set();      // shards read to their end
    this.lastSeq = new Map();
    this.records = [];
    this.shardOf = new Map();   // sequence number -> shard id
  }

  async readShard(shard) {
    const sid = shard.ShardId;
    let it = this.iterators.get(sid);
    if (it === undefined) {
      it = (await streams.send(new GetShardIteratorCommand({
        StreamArn: this.arn, ShardId: sid, ShardIteratorType: "TRIM_HORIZON",
      }))).ShardIterator;
    }
    let got = 0;
    for (let i = 0; i < 10000; i++) {
      const page = await streams.send(new GetRecordsCommand({ ShardIterator: it, Limit: this.limit }));
      check(Array.isArray(page.Records), "GetRecords has Records");
      if (this.limit) check(page.Records.length <= this.limit, "GetRecords Limit");
      for (const r of page.Records) {
        const s = BigInt(r.dynamodb.SequenceNumber);
        const prev = this.lastSeq.get(sid);
        check(prev === undefined || s > prev, `SequenceNumber increases in ${sid}`);
        const parent = shard.ParentShardId;
        if (prev === undefined && parent && this.lastSeq.has(parent)) {
          check(s > this.lastSeq.get(parent), `child ${sid} records come after its parent's`);
        }
        check(s >= BigInt(shard.SequenceNumberRange.StartingSequenceNumber), "record >= StartingSequenceNumber");
        if (shard.SequenceNumberRange.EndingSequenceNumber !== undefined) {
          check(s <= BigInt(shard.SequenceNumberRange.EndingSequenceNumber), "record <= EndingSequenceNumber");
        }
        this.lastSeq.set(sid, s);
        this.records.push(r);
        this.shardOf.set(r.dynamodb.SequenceNumber, sid);
      }
      got += page.Records.length;
      if (page.NextShardIterator === undefined) {
        this.done.add(sid);
        this.iterators.delete(sid);
        return got + 1;
      }
      check(page.NextShardIterator !== "" && page.NextShardIterator !== null, "NextShardIterator is a string");
      it = page.NextShardIterator;
      if (page.Records.length === 0) {
        this.iterators.set(sid, it);
        return got;
      }
    }
    throw new Error(`shard ${sid} never caught up`);
  }

  async catchUp() {
    for (let round = 0; round < 100; round++) {
      const { shards } = await describeAllShards(this.arn);
      this.shards = new Map(shards.map((s) => [s.ShardId, s]));
      let progress = 0;
      for (const s of shards) {
        if (this.done.has(s.ShardId)) continue;
        const parent = s.ParentShardId;
        if (parent && this.shards.has(parent) && !this.done.has(parent)) continue;
        progress += await this.readShard(s);
      }
      if (progress === 0) return this.records;
    }
    throw new Error("stream reader never caught up");
  }
}

async function streamArnOf(table) {
  return (await ddb.send(new DescribeTableCommand({ TableName: table }))).Table.LatestStreamArn;
}

function checkRecordShape(r, view) {
  eq(r.eventSource, "aws:dynamodb", "eventSource");
  eq(r.awsRegion, region, "awsRegion");
  check(["1.0", "1.1"].includes(r.eventVersion), "eventVersion");
  check(/^[0-9a-f]{32}$/.test(r.eventID), `eventID ${r.eventID}`);
  const d = r.dynamodb;
  check(/^[0-9]{21,40}$/.test(d.SequenceNumber), `SequenceNumber ${d.SequenceNumber}`);
  eq(d.StreamViewType, view, "dynamodb.StreamViewType");
  check(d.SizeBytes > 0, "SizeBytes");
  check(d.ApproximateCreationDateTime instanceof Date, "ApproximateCreationDateTime parses as a Date");
  check(Math.abs(d.ApproximateCreationDateTime.getTime() - Date.now()) < 600_000, "ApproximateCreationDateTime ~ now");
  check(r.userIdentity === undefined, "no userIdentity on a user write");
}

// --- Sections -------------------------------------------------------------

const T_ITEMS = "conf_js_items";
const T_QUERY = "conf_js_query";
const VIEWS = ["KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES"];

async function controlPlane() {
  const d = await createTable(T_ITEMS, "N", "NEW_AND_OLD_IMAGES");
  eq(d.TableName, T_ITEMS, "TableName");
  eq(d.StreamSpecification, { StreamEnabled: true, StreamViewType: "NEW_AND_OLD_IMAGES" }, "StreamSpecification");
  check(d.LatestStreamArn.endsWith(`/stream/${d.LatestStreamLabel}`), "LatestStreamArn");
  check(d.CreationDateTime instanceof Date, "CreationDateTime is a Date");
  await createTable(T_QUERY, "N");
  const t = (await ddb.send(new DescribeTableCommand({ TableName: T_ITEMS }))).Table;
  eq(t.TableStatus, "ACTIVE", "TableStatus");
  eq(t.LatestStreamArn, d.LatestStreamArn, "DescribeTable LatestStreamArn");

  await expectError(ddb, new CreateTableCommand({ TableName: T_ITEMS, BillingMode: "PAY_PER_REQUEST",
    ...keySchema("S", "N") }), "ResourceInUseException", ResourceInUseException);
  await expectError(ddb, new DescribeTableCommand({ TableName: "conf_js_missing" }), "ResourceNotFoundException",
    ResourceNotFoundException);
  const v = await expectError(ddb, new CreateTableCommand({ TableName: "conf_js_bad", BillingMode: "PAY_PER_REQUEST",
    AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
    KeySchema: [{ AttributeName: "other", KeyType: "HASH" }] }), "ValidationException", DynamoDBServiceException);
  check(v.message.length > 0, "ValidationException has a message");

  // ListTables with the SDK's paginator.
  const extra = Array.from({ length: 7 }, (_, i) => `conf_js_list_${String(i).padStart(2, "0")}`);
  for (const name of extra) {
    await ddb.send(new CreateTableCommand({ TableName: name, BillingMode: "PROVISIONED",
      ProvisionedThroughput: { ReadCapacityUnits: 1, WriteCapacityUnits: 1 }, ...keySchema("N") }));
  }
  const names = [];
  let pages = 0;
  for await (const page of paginateListTables({ client: ddb, pageSize: 3 }, {})) {
    pages++;
    check(page.TableNames.length <= 3, "ListTables page size");
    names.push(...page.TableNames);
  }
  for (const n of [...extra, T_ITEMS, T_QUERY]) check(names.includes(n), `ListTables lists ${n}`);
  eq(names, [...names].sort(), "ListTables order");
  eq(new Set(names).size, names.length, "ListTables has no duplicates");
  check(pages >= Math.ceil(names.length / 3), "ListTables paginated");
  const one = await ddb.send(new ListTablesCommand({ Limit: 2, ExclusiveStartTableName: names[0] }));
  eq(one.TableNames, names.slice(1, 3), "ExclusiveStartTableName");
  eq(one.LastEvaluatedTableName, names[2], "LastEvaluatedTableName");

  const u = await ddb.send(new UpdateTableCommand({ TableName: extra[0],
    ProvisionedThroughput: { ReadCapacityUnits: 4, WriteCapacityUnits: 2 } }));
  eq(u.TableDescription.ProvisionedThroughput.ReadCapacityUnits, 4, "UpdateTable RCU");
  for (const name of extra) await ddb.send(new DeleteTableCommand({ TableName: name }));
  await waitUntilTableNotExists({ client: ddb, maxWaitTime: 10, minDelay: 1 }, { TableName: extra[6] });
  await expectError(ddb, new DeleteTableCommand({ TableName: extra[0] }), "ResourceNotFoundException",
    ResourceNotFoundException);

  // Time to Live.
  eq((await ddb.send(new DescribeTimeToLiveCommand({ TableName: T_QUERY }))).TimeToLiveDescription,
    { TimeToLiveStatus: "DISABLED" }, "TTL before");
  const ttl = await ddb.send(new UpdateTimeToLiveCommand({ TableName: T_QUERY,
    TimeToLiveSpecification: { Enabled: true, AttributeName: "expires" } }));
  eq(ttl.TimeToLiveSpecification, { Enabled: true, AttributeName: "expires" }, "UpdateTimeToLive");
  eq((await ddb.send(new DescribeTimeToLiveCommand({ TableName: T_QUERY }))).TimeToLiveDescription,
    { TimeToLiveStatus: "ENABLED", AttributeName: "expires" }, "DescribeTimeToLive");
}

const ALL_TYPES = {
  pk: S("types"), sk: N(1), s: S("héllo"), empty: S(""), n: N("-12.5"), big: N("1E+100"),
  b: { B: new Uint8Array([0, 1, 254, 255]) }, t: { BOOL: true }, nul: { NULL: true },
  m: { M: { inner: { L: [N(1), S("x"), { M: {} }] } } }, l: { L: [S("a"), N(2)] },
  ss: { SS: ["b", "a"] }, ns: { NS: ["3", "1"] }, bs: { BS: [new Uint8Array([2]), new Uint8Array([1])] },
};

async function items() {
  const key = { pk: S("types"), sk: N(1) };
  const put = await ddb.send(new PutItemCommand({ TableName: T_ITEMS, Item: ALL_TYPES, ReturnValues: "ALL_OLD" }));
  eq(put.Attributes, undefined, "PutItem ALL_OLD of a new item");
  const got = (await ddb.send(new GetItemCommand({ TableName: T_ITEMS, Key: key, ConsistentRead: true }))).Item;
  itemEq(got, ALL_TYPES, "GetItem of every type");
  check(got.b.B instanceof Uint8Array, "B is a Uint8Array");
  eq((await ddb.send(new GetItemCommand({ TableName: T_ITEMS, Key: { pk: S("no"), sk: N(0) } }))).Item, undefined,
    "GetItem of a missing item");

  let err = await expectError(ddb, new PutItemCommand({ TableName: T_ITEMS, Item: key,
    ConditionExpression: "attribute_not_exists(pk)", ReturnValuesOnConditionCheckFailure: "ALL_OLD" }),
  "ConditionalCheckFailedException", ConditionalCheckFailedException);
  eq(err.message, "The conditional request failed", "ConditionalCheckFailedException message");
  itemEq(err.Item, ALL_TYPES, "ConditionalCheckFailedException.Item");
  err = await expectError(ddb, new DeleteItemCommand({ TableName: T_ITEMS, Key: key, ConditionExpression: "n > :z",
    ExpressionAttributeValues: { ":z": N(0) } }), "ConditionalCheckFailedException", ConditionalCheckFailedException);
  eq(err.Item, undefined, "no Item without ReturnValuesOnConditionCheckFailure");

  const k2 = { pk: S("upd"), sk: N(2) };
  let out = await ddb.send(new UpdateItemCommand({ TableName: T_ITEMS, Key: k2,
    UpdateExpression: "SET a = :one ADD c :five, tags :t",
    ExpressionAttributeValues: { ":one": N(1), ":five": N(5), ":t": { SS: ["p", "q"] } }, ReturnValues: "ALL_NEW" }));
  itemEq(out.Attributes, { ...k2, a: N(1), c: N(5), tags: { SS: ["p", "q"] } }, "UpdateItem ALL_NEW");
  out = await ddb.send(new UpdateItemCommand({ TableName: T_ITEMS, Key: k2,
    UpdateExpression: "SET a = a + :one REMOVE c DELETE tags :p", ExpressionAttributeValues: { ":one": N(1), ":p": { SS: ["p"] } },
    ReturnValues: "UPDATED_OLD" }));
  itemEq(out.Attributes, { a: N(1), c: N(5), tags: { SS: ["p", "q"] } }, "UpdateItem UPDATED_OLD");
  out = await ddb.send(new UpdateItemCommand({ TableName: T_ITEMS, Key: k2, UpdateExpression: "SET a = :x",
    ExpressionAttributeValues: { ":x": N(9) }, ReturnValues: "UPDATED_NEW" }));
  itemEq(out.Attributes, { a: N(9) }, "UpdateItem UPDATED_NEW");
  err = await expectError(ddb, new UpdateItemCommand({ TableName: T_ITEMS, Key: k2, UpdateExpression: "SET a = :x",
    ConditionExpression: "a = :old", ExpressionAttributeValues: { ":x": N(1), ":old": N(0) },
    ReturnValuesOnConditionCheckFailure: "ALL_OLD" }), "ConditionalCheckFailedException", ConditionalCheckFailedException);
  eq(err.Item.a, N(9), "UpdateItem condition failure Item");
  out = await ddb.send(new DeleteItemCommand({ TableName: T_ITEMS, Key: k2, ReturnValues: "ALL_OLD" }));
  itemEq(out.Attributes, { ...k2, a: N(9), tags: { SS: ["q"] } }, "DeleteItem ALL_OLD");
  out = await ddb.send(new DeleteItemCommand({ TableName: T_ITEMS, Key: k2, ReturnValues: "ALL_OLD" }));
  eq(out.Attributes, undefined, "DeleteItem of a missing item");

  for (const [what, cmd] of [
    ["missing key attribute", new PutItemCommand({ TableName: T_ITEMS, Item: { pk: S("x") } })],
    ["wrong key type", new PutItemCommand({ TableName: T_ITEMS, Item: { pk: S("x"), sk: S("1") } })],
    ["bad expression", new UpdateItemCommand({ TableName: T_ITEMS, Key: key, UpdateExpression: "SET = 1" })],
    ["unused value", new UpdateItemCommand({ TableName: T_ITEMS, Key: key, UpdateExpression: "SET a = :a",
      ExpressionAttributeValues: { ":a": N(1), ":b": N(2) } })],
    ["key update", new UpdateItemCommand({ TableName: T_ITEMS, Key: key, UpdateExpression: "SET sk = :a",
      ExpressionAttributeValues: { ":a": N(1) } })],
    ["key schema", new GetItemCommand({ TableName: T_ITEMS, Key: { pk: S("x") } })],
  ]) {
    const e = await expectError(ddb, cmd, "ValidationException", DynamoDBServiceException);
    check(e.message, `ValidationException (${what}) has a message`);
  }
  await expectError(ddb, new PutItemCommand({ TableName: "conf_js_missing", Item: { pk: S("x") } }),
    "ResourceNotFoundException", ResourceNotFoundException);
}

async function queryScan() {
  const puts = (from, to) => Array.from({ length: to - from }, (_, i) => ({
    PutRequest: { Item: { pk: S("q"), sk: N(from + i), odd: { BOOL: (from + i) % 2 === 1 } } } }));
  for (const chunk of [puts(0, 25), puts(25, 30)]) {
    const out = await ddb.send(new BatchWriteItemCommand({ RequestItems: { [T_QUERY]: chunk } }));
    eq(out.UnprocessedItems, {}, "BatchWriteItem UnprocessedItems");
  }
  await ddb.send(new BatchWriteItemCommand({ RequestItems: { [T_QUERY]: Array.from({ length: 10 }, (_, i) => ({
    PutRequest: { Item: { pk: S(`other${i}`), sk: N(0) } } })) } }));

  const base = { TableName: T_QUERY, KeyConditionExpression: "pk = :p AND sk BETWEEN :a AND :b",
    ExpressionAttributeValues: { ":p": S("q"), ":a": N(5), ":b": N(24) } };
  let sks = [], counts = [];
  // The SDK's paginators write ExclusiveStartKey into the input object: pass copies.
  for await (const page of paginateQuery({ client: ddb, pageSize: 6 }, { ...base })) {
    counts.push(page.Count);
    sks.push(...page.Items.map((i) => Number(i.sk.N)));
  }
  eq(sks, Array.from({ length: 20 }, (_, i) => 5 + i), "paginateQuery items");
  eq(counts, [6, 6, 6, 2], "paginateQuery page counts");
  sks = [];
  for await (const page of paginateQuery({ client: ddb, pageSize: 7 }, { ...base, ScanIndexForward: false })) {
    sks.push(...page.Items.map((i) => Number(i.sk.N)));
  }
  eq(sks, Array.from({ length: 20 }, (_, i) => 24 - i), "paginateQuery descending");
  let count = 0, scanned = 0;
  sks = [];
  for await (const page of paginateQuery({ client: ddb, pageSize: 10 }, { TableName: T_QUERY,
    KeyConditionExpression: "pk = :p", FilterExpression: "#o = :t", ExpressionAttributeNames: { "#o": "odd" },
    ExpressionAttributeValues: { ":p": S("q"), ":t": { BOOL: true } } })) {
    count += page.Count;
    scanned += page.ScannedCount;
    sks.push(...page.Items.map((i) => Number(i.sk.N)));
  }
  eq([count, scanned], [15, 30], "filtered Query Count/ScannedCount");
  eq(sks, Array.from({ length: 15 }, (_, i) => 2 * i + 1), "filtered Query items");
  const c = await ddb.send(new QueryCommand({ TableName: T_QUERY, KeyConditionExpression: "pk = :p AND sk < :x",
    ExpressionAttributeValues: { ":p": S("q"), ":x": N(10) }, Select: "COUNT" }));
  eq([c.Count, c.Items], [10, undefined], "Query Select=COUNT");
  await expectError(ddb, new QueryCommand({ TableName: T_QUERY, KeyConditionExpression: "sk = :x",
    ExpressionAttributeValues: { ":x": N(1) } }), "ValidationException");

  const keys = [];
  let scanPages = 0;
  for await (const page of paginateScan({ client: ddb, pageSize: 7 }, { TableName: T_QUERY })) {
    scanPages++;
    check(page.Items.length <= 7, "Scan page size");
    keys.push(...page.Items.map((i) => `${i.pk.S}/${i.sk.N}`));
  }
  eq(keys.length, 40, "paginateScan item count");
  eq(new Set(keys).size, 40, "paginateScan returns each item once");
  check(scanPages >= 6, "paginateScan paginated");
  const seg = [];
  for (let s = 0; s < 4; s++) {
    for await (const page of paginateScan({ client: ddb }, { TableName: T_QUERY, Segment: s, TotalSegments: 4 })) {
      seg.push(...page.Items.map((i) => `${i.pk.S}/${i.sk.N}`));
    }
  }
  eq(seg.sort(), [...keys].sort(), "parallel Scan segments");
  const f = await ddb.send(new ScanCommand({ TableName: T_QUERY, FilterExpression: "begins_with(pk, :o)",
    ExpressionAttributeValues: { ":o": S("other") } }));
  eq([f.Count, f.ScannedCount], [10, 40], "Scan filter counts");
}

async function batchesAndTransactions() {
  const keys = Array.from({ length: 30 }, (_, i) => ({ pk: S(`bg${i}`), sk: N(i) }));
  for (const chunk of [keys.slice(0, 25), keys.slice(25)]) {
    await ddb.send(new BatchWriteItemCommand({ RequestItems: { [T_ITEMS]: chunk.map((k) => ({
      PutRequest: { Item: { ...k, v: N(1) } } })) } }));
  }
  const out = await ddb.send(new BatchGetItemCommand({ RequestItems: {
    [T_ITEMS]: { Keys: keys, ProjectionExpression: "sk" },
    [T_QUERY]: { Keys: [{ pk: S("q"), sk: N(3) }] } } }));
  eq(out.UnprocessedKeys, {}, "BatchGetItem UnprocessedKeys");
  eq(out.Responses[T_ITEMS].map((i) => Number(i.sk.N)).sort((a, b) => a - b), [...Array(30).keys()], "BatchGetItem");
  eq(out.Responses[T_QUERY].length, 1, "BatchGetItem second table");
  await ddb.send(new BatchWriteItemCommand({ RequestItems: { [T_ITEMS]: keys.slice(0, 10).map((k) => ({
    DeleteRequest: { Key: k } })) } }));
  const left = await ddb.send(new BatchGetItemCommand({ RequestItems: { [T_ITEMS]: { Keys: keys.slice(0, 12) } } }));
  eq(left.Responses[T_ITEMS].length, 2, "BatchWriteItem deletes");
  await expectError(ddb, new BatchWriteItemCommand({ RequestItems: { [T_ITEMS]: [
    { PutRequest: { Item: keys[0] } }, { DeleteRequest: { Key: keys[0] } }] } }), "ValidationException");
  await expectError(ddb, new BatchGetItemCommand({ RequestItems: { conf_js_missing: { Keys: [{ pk: S("x") }] } } }),
    "ResourceNotFoundException", ResourceNotFoundException);

  const a = { pk: S("tx"), sk: N(1) }, b = { pk: S("tx"), sk: N(2) };
  await ddb.send(new TransactWriteItemsCommand({ TransactItems: [
    { Put: { TableName: T_ITEMS, Item: { ...a, bal: N(100) } } },
    { Put: { TableName: T_ITEMS, Item: { ...b, bal: N(0) }, ConditionExpression: "attribute_not_exists(pk)" } },
  ] }));
  await ddb.send(new TransactWriteItemsCommand({ TransactItems: [
    { Update: { TableName: T_ITEMS, Key: a, UpdateExpression: "SET bal = bal - :x", ConditionExpression: "bal >= :x",
      ExpressionAttributeValues: { ":x": N(40) } } },
    { Update: { TableName: T_ITEMS, Key: b, UpdateExpression: "SET bal = bal + :x", ExpressionAttributeValues: { ":x": N(40) } } },
    { ConditionCheck: { TableName: T_QUERY, Key: { pk: S("q"), sk: N(1) }, ConditionExpression: "attribute_exists(pk)" } },
  ], ClientRequestToken: "js-conformance-1" }));
  const err = await expectError(ddb, new TransactWriteItemsCommand({ TransactItems: [
    { Delete: { TableName: T_ITEMS, Key: b } },
    { ConditionCheck: { TableName: T_QUERY, Key: { pk: S("q"), sk: N(99) }, ConditionExpression: "attribute_exists(pk)" } },
    { Update: { TableName: T_ITEMS, Key: a, UpdateExpression: "SET bal = :z", ConditionExpression: "bal = :wrong",
      ExpressionAttributeValues: { ":z": N(0), ":wrong": N(1) }, ReturnValuesOnConditionCheckFailure: "ALL_OLD" } },
  ] }), "TransactionCanceledException", TransactionCanceledException);
  eq(err.CancellationReasons.map((r) => r.Code), ["None", "ConditionalCheckFailed", "ConditionalCheckFailed"],
    "CancellationReasons codes");
  itemEq(err.CancellationReasons[2].Item, { ...a, bal: N(60) }, "CancellationReasons Item");
  eq(err.CancellationReasons[1].Item, undefined, "no Item without ReturnValuesOnConditionCheckFailure");
  check(/ConditionalCheckFailed/.test(err.message), `TransactionCanceledException message: ${err.message}`);
  const bal = await ddb.send(new BatchGetItemCommand({ RequestItems: { [T_ITEMS]: { Keys: [a, b] } } }));
  eq(bal.Responses[T_ITEMS].map((i) => Number(i.bal.N)).sort((x, y) => x - y), [40, 60], "cancelled: nothing applied");
  await expectError(ddb, new TransactWriteItemsCommand({ TransactItems: [
    { Put: { TableName: "conf_js_missing", Item: { pk: S("x") } } }] }), "ResourceNotFoundException", ResourceNotFoundException);
}

async function streamsRecords() {
  // Each view type gets the same writes in two phases with a shard rollover between.
  for (const v of VIEWS) await createTable(`conf_js_view_${v.toLowerCase()}`, undefined, v);
  const arns = {};
  for (const v of VIEWS) arns[v] = await streamArnOf(`conf_js_view_${v.toLowerCase()}`);
  const readers = Object.fromEntries(VIEWS.map((v) => [v, new StreamReader(arns[v], 2)]));
  const i1 = { pk: S("k1"), a: N(1), m: { M: { x: N(1), y: S("y") } } };
  const i1same = { pk: S("k1"), m: { M: { y: S("y"), x: N("1.0") } }, a: N(1) };
  const i2 = { pk: S("k1"), a: N(2) };
  const i3 = { pk: S("k1"), a: N(2), b: S("x") };
  for (const v of VIEWS) {
    const t = `conf_js_view_${v.toLowerCase()}`;
    await ddb.send(new PutItemCommand({ TableName: t, Item: i1 }));
    await ddb.send(new PutItemCommand({ TableName: t, Item: i1same })); // no record
    await ddb.send(new PutItemCommand({ TableName: t, Item: i2 }));
    await ddb.send(new UpdateItemCommand({ TableName: t, Key: { pk: S("k1") }, UpdateExpression: "SET a = :a",
      ExpressionAttributeValues: { ":a": N(2) } })); // no record
    await readers[v].catchUp();
  }
  const first = Object.fromEntries(await Promise.all(VIEWS.map(async (v) =>
    [v, new Set((await describeAllShards(arns[v])).shards.map((s) => s.ShardId))])));
  const deadline = Date.now() + 10_000;
  for (;;) {
    let all = true;
    for (const v of VIEWS) {
      const { shards } = await describeAllShards(arns[v]);
      if (!shards.some((s) => s.ParentShardId && !first[v].has(s.ShardId))) all = false;
    }
    if (all) break;
    check(Date.now() < deadline, "a shard rollover within 10 s (server: --shard-rollover 3)");
    await new Promise((r) => setTimeout(r, 250));
  }
  for (const v of VIEWS) {
    const t = `conf_js_view_${v.toLowerCase()}`;
    await ddb.send(new UpdateItemCommand({ TableName: t, Key: { pk: S("k1") }, UpdateExpression: "SET b = :x",
      ExpressionAttributeValues: { ":x": S("x") } }));
    await expectError(ddb, new PutItemCommand({ TableName: t, Item: { pk: S("k1") },
      ConditionExpression: "attribute_not_exists(pk)" }), "ConditionalCheckFailedException");
    await ddb.send(new DeleteItemCommand({ TableName: t, Key: { pk: S("k1") } }));
    await ddb.send(new DeleteItemCommand({ TableName: t, Key: { pk: S("k1") } })); // no record
    await ddb.send(new TransactWriteItemsCommand({ TransactItems: [
      { Put: { TableName: t, Item: { pk: S("k2") } } },
      { Update: { TableName: t, Key: { pk: S("k3") }, UpdateExpression: "REMOVE z" } }, // creates nothing
    ] }));
  }
  const want = [
    ["k1", "INSERT", undefined, i1], ["k1", "MODIFY", i1, i2], ["k1", "MODIFY", i2, i3],
    ["k1", "REMOVE", i3, undefined], ["k2", "INSERT", undefined, { pk: S("k2") }],
  ];
  for (const v of VIEWS) {
    const recs = await readers[v].catchUp();
    check([...readers[v].shards.values()].some((s) => s.ParentShardId), `${v}: lineage was followed`);
    recs.forEach((r) => checkRecordShape(r, v));
    const byKey = (k) => recs.filter((r) => r.dynamodb.Keys.pk.S === k);
    for (const k of ["k1", "k2", "k3"]) {
      const exp = want.filter((w) => w[0] === k);
      const got = byKey(k);
      eq(got.map((r) => r.eventName), exp.map((w) => w[1]), `${v}: eventNames of ${k}`);
      got.forEach((r, i) => {
        const [, name, oldImg, newImg] = exp[i];
        eq(r.dynamodb.Keys, { pk: S(k) }, `${v} ${name}: Keys`);
        itemEq(r.dynamodb.NewImage, ["NEW_IMAGE", "NEW_AND_OLD_IMAGES"].includes(v) ? newImg : undefined, `${v} ${k} ${name}: NewImage`);
        itemEq(r.dynamodb.OldImage, ["OLD_IMAGE", "NEW_AND_OLD_IMAGES"].includes(v) ? oldImg : undefined, `${v} ${k} ${name}: OldImage`);
      });
    }
    const again = await new StreamReader(arns[v]).catchUp();
    eq(again.map((r) => r.eventID), recs.map((r) => r.eventID), `${v}: a fresh reader agrees`);
  }
}

async function streamsApi() {
  const arn = await streamArnOf(T_ITEMS);
  // ListStreams by hand (the streams client has no paginators).
  const listed = [];
  let start;
  do {
    const out = await streams.send(new ListStreamsCommand({ Limit: 2, ExclusiveStartStreamArn: start }));
    check(out.Streams.length <= 2, "ListStreams Limit");
    listed.push(...out.Streams);
    start = out.LastEvaluatedStreamArn;
    if (start) eq(start, out.Streams.at(-1).StreamArn, "LastEvaluatedStreamArn");
  } while (start);
  check(listed.some((s) => s.StreamArn === arn), "ListStreams lists the table's stream");
  eq(new Set(listed.map((s) => s.StreamArn)).size, listed.length, "ListStreams has no duplicates");
  eq((await streams.send(new ListStreamsCommand({ TableName: T_ITEMS }))).Streams,
    [{ StreamArn: arn, TableName: T_ITEMS, StreamLabel: arn.split("/stream/")[1] }], "ListStreams TableName");
  eq((await streams.send(new ListStreamsCommand({ TableName: T_QUERY }))).Streams, [], "no stream");

  const { desc, shards } = await describeAllShards(arn);
  eq([desc.StreamStatus, desc.StreamViewType, desc.TableName], ["ENABLED", "NEW_AND_OLD_IMAGES", T_ITEMS], "StreamDescription");
  check(desc.CreationRequestDateTime instanceof Date, "CreationRequestDateTime is a Date");
  eq(desc.KeySchema, [{ AttributeName: "pk", KeyType: "HASH" }, { AttributeName: "sk", KeyType: "RANGE" }], "KeySchema");
  for (const s of shards) check(/^shardId-\d{20}-[0-9a-f]{8}$/.test(s.ShardId), `ShardId ${s.ShardId}`);
  const paged = await describeAllShards(arn, { limit: 1 });
  eq(paged.shards.map((s) => s.ShardId), shards.map((s) => s.ShardId), "DescribeStream Limit=1 pagination");
  eq(paged.pages, shards.length, "DescribeStream Limit=1 page count");
  const child = shards.find((s) => s.ParentShardId);
  check(child, "the items stream has a child shard by now");
  const filtered = await streams.send(new DescribeStreamCommand({ StreamArn: arn,
    ShardFilter: { Type: "CHILD_SHARDS", ShardId: child.ParentShardId } }));
  eq(filtered.StreamDescription.Shards.map((s) => s.ShardId),
    shards.filter((s) => s.ParentShardId === child.ParentShardId).map((s) => s.ShardId), "ShardFilter CHILD_SHARDS");

  const missing = arn.replace(`table/${T_ITEMS}/`, "table/conf_js_missing/");
  await expectError(streams, new DescribeStreamCommand({ StreamArn: missing }), "ResourceNotFoundException",
    StreamsResourceNotFoundException);
  await expectError(streams, new DescribeStreamCommand({ StreamArn: "x".repeat(40) }), "ValidationException",
    DynamoDBStreamsServiceException);
  await expectError(streams, new GetShardIteratorCommand({ StreamArn: arn,
    ShardId: "shardId-00000000000000000000-00000000", ShardIteratorType: "TRIM_HORIZON" }),
  "ResourceNotFoundException", StreamsResourceNotFoundException);
  await expectError(streams, new GetShardIteratorCommand({ StreamArn: arn, ShardId: shards[0].ShardId,
    ShardIteratorType: "AFTER_SEQUENCE_NUMBER" }), "ValidationException");
  await expectError(streams, new GetRecordsCommand({ ShardIterator: "garbage" }), "ValidationException");

  // Iterator types on a one-key table.
  await createTable("conf_js_iter", undefined, "NEW_IMAGE");
  const iarn = await streamArnOf("conf_js_iter");
  for (let i = 0; i < 5; i++) await ddb.send(new PutItemCommand({ TableName: "conf_js_iter", Item: { pk: S("one"), v: N(i) } }));
  const reader = new StreamReader(iarn);
  const recs = await reader.catchUp();
  eq(recs.map((r) => r.dynamodb.NewImage.v.N), ["0", "1", "2", "3", "4"], "records in write order");
  const seq = recs.map((r) => r.dynamodb.SequenceNumber);
  const home = reader.shardOf.get(seq[2]);
  const at = (await streams.send(new GetShardIteratorCommand({ StreamArn: iarn, ShardId: home,
    ShardIteratorType: "AT_SEQUENCE_NUMBER", SequenceNumber: seq[2] }))).ShardIterator;
  eq((await streams.send(new GetRecordsCommand({ ShardIterator: at, Limit: 1 }))).Records[0].dynamodb.SequenceNumber,
    seq[2], "AT_SEQUENCE_NUMBER");
  const after = (await streams.send(new GetShardIteratorCommand({ StreamArn: iarn, ShardId: home,
    ShardIteratorType: "AFTER_SEQUENCE_NUMBER", SequenceNumber: seq[2] }))).ShardIterator;
  eq((await streams.send(new GetRecordsCommand({ ShardIterator: after, Limit: 1 }))).Records[0].dynamodb.SequenceNumber,
    seq[3], "AFTER_SEQUENCE_NUMBER");
  const open = (await describeAllShards(iarn)).shards.filter((s) => s.SequenceNumberRange.EndingSequenceNumber === undefined);
  const latest = [];
  for (const s of open) {
    latest.push((await streams.send(new GetShardIteratorCommand({ StreamArn: iarn, ShardId: s.ShardId,
      ShardIteratorType: "LATEST" }))).ShardIterator);
  }
  await ddb.send(new PutItemCommand({ TableName: "conf_js_iter", Item: { pk: S("one"), v: N(99) } }));
  const seen = [];
  for (const it of latest) {
    const page = await streams.send(new GetRecordsCommand({ ShardIterator: it }));
    seen.push(...page.Records.map((r) => r.dynamodb.NewImage.v.N));
  }
  check(seen.length === 0 || (seen.length === 1 && seen[0] === "99"), `LATEST sees only the new write: ${seen}`);
  await expectError(streams, new GetRecordsCommand({ ShardIterator: at, Limit: 1001 }), "ValidationException");
}

async function streamLifecycle() {
  const t = "conf_js_life";
  await createTable(t);
  await expectError(ddb, new UpdateTableCommand({ TableName: t, StreamSpecification: { StreamEnabled: false } }),
    "ValidationException");
  const first = (await ddb.send(new UpdateTableCommand({ TableName: t,
    StreamSpecification: { StreamEnabled: true, StreamViewType: "NEW_AND_OLD_IMAGES" } }))).TableDescription.LatestStreamArn;
  check(first, "UpdateTable returns LatestStreamArn");
  await expectError(ddb, new UpdateTableCommand({ TableName: t,
    StreamSpecification: { StreamEnabled: true, StreamViewType: "KEYS_ONLY" } }), "ValidationException");
  await ddb.send(new PutItemCommand({ TableName: t, Item: { pk: S("a") } }));
  await ddb.send(new UpdateTableCommand({ TableName: t, StreamSpecification: { StreamEnabled: false } }));
  const d = (await streams.send(new DescribeStreamCommand({ StreamArn: first }))).StreamDescription;
  check(["DISABLING", "DISABLED"].includes(d.StreamStatus), `status after disable: ${d.StreamStatus}`);
  check(d.Shards.every((s) => s.SequenceNumberRange.EndingSequenceNumber), "disable closes every shard");
  const second = (await ddb.send(new UpdateTableCommand({ TableName: t,
    StreamSpecification: { StreamEnabled: true, StreamViewType: "KEYS_ONLY" } }))).TableDescription.LatestStreamArn;
  check(second !== first, "re-enable gives a new stream");
  await ddb.send(new PutItemCommand({ TableName: t, Item: { pk: S("b") } }));
  eq((await new StreamReader(first).catchUp()).map((r) => r.dynamodb.Keys.pk.S), ["a"], "old stream still readable");
  eq((await new StreamReader(second).catchUp()).map((r) => [r.eventName, r.dynamodb.Keys.pk.S, r.dynamodb.NewImage]),
    [["INSERT", "b", undefined]], "new stream");
  await ddb.send(new DeleteTableCommand({ TableName: t }));
  const after = (await streams.send(new DescribeStreamCommand({ StreamArn: second }))).StreamDescription;
  check(["DISABLING", "DISABLED"].includes(after.StreamStatus), "stream disabled by DeleteTable");
}

async function main() {
  const v = (p) => require(`${p}/package.json`).version;
  console.log(`node ${process.version}, @aws-sdk/client-dynamodb ${v("@aws-sdk/client-dynamodb")}, ` +
    `@aws-sdk/client-dynamodb-streams ${v("@aws-sdk/client-dynamodb-streams")}, endpoint ${endpoint}`);
  const start = performance.now();
  await section("control plane: CreateTable/DescribeTable/paginateListTables/UpdateTable/DeleteTable/TTL", controlPlane);
  await section("items: PutItem/GetItem/UpdateItem/DeleteItem, ConditionalCheckFailedException", items);
  await section("paginateQuery and paginateScan", queryScan);
  await section("BatchWriteItem/BatchGetItem, TransactWriteItems and TransactionCanceledException", batchesAndTransactions);
  await section("streams: records per view type across a rollover, no-op writes", streamsRecords);
  await section("streams: ListStreams, DescribeStream (Limit, ShardFilter), iterators, errors", streamsApi);
  await section("streams: enable, disable, re-enable, delete table", streamLifecycle);
  for (const n of notes) console.log(`NOTE: ${n}`);
  console.log(`js: ${checks} checks, ${failures.length} failed sections, ${((performance.now() - start) / 1000).toFixed(1)}s`);
  ddb.destroy();
  streams.destroy();
  if (failures.length) {
    console.log(`FAILED: ${failures.join("; ")}`);
    process.exitCode = 1;
  }
}

await main();
