// The DynamoDB Streams walk-through of the AWS Developer Guide ("DynamoDB
// Streams low-level API example"), written as a user would write it for real
// DynamoDB: only the endpoint (EDDY_ENDPOINT) and the credentials, which come
// from the environment, point it at Eddy.
//
// It creates a table, enables a stream on it with UpdateTable, takes the
// stream's ARN from DescribeTable, makes some changes, then describes the
// stream and prints every shard's records from a TRIM_HORIZON iterator.
import {
  CreateTableCommand,
  DeleteItemCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  PutItemCommand,
  UpdateItemCommand,
  UpdateTableCommand,
  waitUntilTableExists,
} from "@aws-sdk/client-dynamodb";
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
} from "@aws-sdk/client-dynamodb-streams";

const endpoint = process.env.EDDY_ENDPOINT;
const dynamodb = new DynamoDBClient({ endpoint });
const streams = new DynamoDBStreamsClient({ endpoint });
const tableName = "StreamsLowLevelDemo";

console.log(`Creating table ${tableName}`);
await dynamodb.send(new CreateTableCommand({
  TableName: tableName,
  AttributeDefinitions: [{ AttributeName: "Id", AttributeType: "N" }],
  KeySchema: [{ AttributeName: "Id", KeyType: "HASH" }],
  ProvisionedThroughput: { ReadCapacityUnits: 2, WriteCapacityUnits: 2 },
}));
await waitUntilTableExists({ client: dynamodb, maxWaitTime: 60 }, { TableName: tableName });

console.log("Enabling a stream with UpdateTable");
await dynamodb.send(new UpdateTableCommand({
  TableName: tableName,
  StreamSpecification: { StreamEnabled: true, StreamViewType: "NEW_AND_OLD_IMAGES" },
}));
const { Table } = await dynamodb.send(new DescribeTableCommand({ TableName: tableName }));
const streamArn = Table.LatestStreamArn;
console.log(`Current stream ARN for ${tableName}: ${streamArn}`);

console.log("Making some changes to table data");
await dynamodb.send(new PutItemCommand({
  TableName: tableName,
  Item: { Id: { N: "101" }, Message: { S: "New item!" } },
}));
await dynamodb.send(new UpdateItemCommand({
  TableName: tableName,
  Key: { Id: { N: "101" } },
  UpdateExpression: "SET Message = :newMessage",
  ExpressionAttributeValues: { ":newMessage": { S: "This item has changed" } },
}));
await dynamodb.send(new DeleteItemCommand({ TableName: tableName, Key: { Id: { N: "101" } } }));

// Every shard, page by page of the shard list, from its oldest record.
let lastEvaluatedShardId;
do {
  const { StreamDescription } = await streams.send(new DescribeStreamCommand({
    StreamArn: streamArn,
    ExclusiveStartShardId: lastEvaluatedShardId,
  }));
  for (const shard of StreamDescription.Shards) {
    console.log(`Shard: ${shard.ShardId}`);
    const { ShardIterator } = await streams.send(new GetShardIteratorCommand({
      StreamArn: streamArn,
      ShardId: shard.ShardId,
      ShardIteratorType: "TRIM_HORIZON",
    }));
    let iterator = ShardIterator;
    while (iterator) {
      const { Records, NextShardIterator } = await streams.send(
        new GetRecordsCommand({ ShardIterator: iterator }));
      for (const record of Records) console.log(JSON.stringify(record.dynamodb));
      // An open shard has no end: stop once it is caught up.
      iterator = Records.length > 0 ? NextShardIterator : undefined;
    }
  }
  lastEvaluatedShardId = StreamDescription.LastEvaluatedShardId;
} while (lastEvaluatedShardId);

console.log(`Deleting the table ${tableName}`);
await dynamodb.send(new DeleteTableCommand({ TableName: tableName }));
console.log("Demo complete");
