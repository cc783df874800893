#!/usr/bin/env node
// Set-up helper for bench/http/run.sh: talks DynamoDB JSON to one endpoint with
// node's own http module (no SDK needed).
//   node tool.js ENDPOINT create-table NAME [stream]   (waits until ACTIVE)
//   node tool.js ENDPOINT preload NAME PREFIX COUNT    (BatchWriteItem, 25 per request)
//   node tool.js ENDPOINT wait                         (until the server answers ListTables)
//   node tool.js ENDPOINT check NAME KEY               (GetItem must return the item)
//   node tool.js ENDPOINT get-body NAME KEY            (prints GetItem's answer, compact JSON)
//   node tool.js ENDPOINT iterator NAME                (prints a TRIM_HORIZON iterator of
//                                                       the stream's first shard)
'use strict';
const http = require('http');

const [endpoint, cmd, ...args] = process.argv.slice(2);
if (!endpoint || !cmd) {
  console.error('usage: tool.js ENDPOINT create-table|preload|iterator ...');
  process.exit(2);
}
const url = new URL(endpoint);
const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });

function call(target, body) {
  const data = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: url.hostname, port: url.port, path: '/', method: 'POST', agent,
      headers: {
        'X-Amz-Target': target,
        'Content-Type': 'application/x-amz-json-1.0',
        'X-Amz-Date': '20240101T000000Z',
        'Authorization': 'AWS4-HMAC-SHA256 Credential=bench/20240101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0',
        'Content-Length': Buffer.byteLength(data),
      },
    }, (res) => {
      let out = '';
      res.setEncoding('utf8');
      res.on('data', (c) => { out += c; });
      res.on('end', () => {
        if (res.statusCode !== 200) reject(new Error(`${target}: HTTP ${res.statusCode}: ${out}`));
        else resolve(out ? JSON.parse(out) : {});
      });
    });
    req.on('error', reject);
    req.end(data);
  });
}
const ddb = (op, body) => call(`DynamoDB_20120810.${op}`, body);
const streams = (op, body) => call(`DynamoDBStreams_20120810.${op}`, body);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const VALUE = 'v'.repeat(100);

async function main() {
  if (cmd === 'create-table') {
    const [name, stream] = args;
    const req = {
      TableName: name,
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    };
    if (stream === 'stream') {
      req.StreamSpecification = { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' };
    }
    await ddb('CreateTable', req);
    for (let i = 0; i < 200; i++) {
      const d = await ddb('DescribeTable', { TableName: name });
      if (d.Table.TableStatus === 'ACTIVE') return;
      await sleep(50);
    }
    throw new Error(`table ${name} never became ACTIVE`);
  } else if (cmd === 'preload') {
    const [name, prefix, countStr] = args;
    const count = Number(countStr);
    let next = 0;
    async function worker() {
      while (next < count) {
        const batch = [];
        while (batch.length < 25 && next < count) {
          batch.push({ PutRequest: { Item: { pk: { S: `${prefix}${next++}` }, v: { S: VALUE } } } });
        }
        let items = { [name]: batch };
        for (let tries = 0; Object.keys(items).length > 0; tries++) {
          if (tries > 50) throw new Error('BatchWriteItem keeps returning UnprocessedItems');
          const r = await ddb('BatchWriteItem', { RequestItems: items });
          items = r.UnprocessedItems || {};
        }
      }
    }
    await Promise.all(Array.from({ length: 4 }, worker));
  } else if (cmd === 'wait') {
    for (let i = 0; ; i++) {
      try { await ddb('ListTables', {}); return; } catch (e) {
        if (i >= 100) throw e;
        await sleep(100);
      }
    }
  } else if (cmd === 'check') {
    const [name, key] = args;
    const r = await ddb('GetItem', { TableName: name, Key: { pk: { S: key } } });
    if (!r.Item || !r.Item.v || r.Item.v.S !== VALUE) throw new Error(`GetItem ${name} ${key}: no such item: ${JSON.stringify(r)}`);
  } else if (cmd === 'get-body') {
    const [name, key] = args;
    const r = await ddb('GetItem', { TableName: name, Key: { pk: { S: key } } });
    if (!r.Item) throw new Error(`GetItem ${name} ${key}: no such item`);
    process.stdout.write(JSON.stringify(r) + '\n');
  } else if (cmd === 'iterator') {
    const [name] = args;
    const d = await ddb('DescribeTable', { TableName: name });
    const arn = d.Table.LatestStreamArn;
    if (!arn) throw new Error(`table ${name} has no stream`);
    const s = await streams('DescribeStream', { StreamArn: arn });
    const shard = s.StreamDescription.Shards[0].ShardId;
    const it = await streams('GetShardIterator', {
      StreamArn: arn, ShardId: shard, ShardIteratorType: 'TRIM_HORIZON',
    });
    process.stdout.write(it.ShardIterator + '\n');
  } else {
    throw new Error(`unknown command ${cmd}`);
  }
}
main().then(() => agent.destroy(), (e) => { console.error(`tool.js: ${e.message}`); process.exit(1); });
