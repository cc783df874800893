// The DynamoDB Streams operations over HTTP: records in DynamoDB Streams'
// JSON, lineage metadata, iterators, errors, and Time to Live.
#include <gtest/gtest.h>

#include <map>

#include "tests/server/test_server.h"

// The file's own namespace: the unity build compiles the files of a test
// folder as one translation unit, where anonymous namespaces are shared.
namespace eddy::testing::stream_ops_test {
namespace {

class StreamOpsTest : public ServerTest {
 protected:
  ApiReply Streams(std::string_view op, const std::string& body,
                   std::string_view authorization = {}) {
    std::map<std::string, std::string> headers;
    if (!authorization.empty()) headers["Authorization"] = std::string(authorization);
    HttpReply r = client_->Post("DynamoDBStreams_20120810." + std::string(op), body, headers);
    ApiReply out;
    out.status = r.status;
    out.body = r.body;
    out.json.Parse(r.body.c_str());
    EXPECT_FALSE(out.json.HasParseError()) << r.body;
    return out;
  }

  // A table with a NEW_AND_OLD_IMAGES stream; returns its stream ARN.
  std::string MakeStreamTable() {
    Ok("CreateTable",
       R"({"TableName":"tbl","BillingMode":"PAY_PER_REQUEST",)"
       R"("KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],)"
       R"("AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],)"
       R"("StreamSpecification":{"StreamEnabled":true,"StreamViewType":"NEW_AND_OLD_IMAGES"}})");
    ApiReply d = Ok("DescribeTable", R"({"TableName":"tbl"})");
    EXPECT_TRUE(d.json["Table"].HasMember("LatestStreamArn")) << d.body;
    EXPECT_TRUE(d.json["Table"].HasMember("LatestStreamLabel")) << d.body;
    return d.json["Table"]["LatestStreamArn"].GetString();
  }

  std::string FirstShard(const std::string& arn) {
    ApiReply d = Streams("DescribeStream", R"({"StreamArn":")" + arn + R"("})");
    EXPECT_EQ(d.status, 200u) << d.body;
    return d.json["StreamDescription"]["Shards"][0]["ShardId"].GetString();
  }

  std::string TrimHorizon(const std::string& arn, const std::string& shard) {
    ApiReply r =
        Streams("GetShardIterator", R"({"StreamArn":")" + arn + R"(","ShardId":")" + shard +
                                        R"(","ShardIteratorType":"TRIM_HORIZON"})");
    EXPECT_EQ(r.status, 200u) << r.body;
    return r.json["ShardIterator"].GetString();
  }
};

TEST_F(StreamOpsTest, RecordsLookLikeDynamoDbStreams) {
  std::string arn = MakeStreamTable();
  EXPECT_TRUE(arn.starts_with("arn:aws:dynamodb:us-east-1:000000000000:table/tbl/stream/"));
  Ok("PutItem", R"({"TableName":"tbl","Item":{"pk":{"S":"a"},"n":{"N":"1"}}})");
  Ok("PutItem", R"({"TableName":"tbl","Item":{"pk":{"S":"a"},"n":{"N":"1"}}})");  // no-op
  Ok("UpdateItem",
     R"({"TableName":"tbl","Key":{"pk":{"S":"a"}},"UpdateExpression":"SET n = n + :one",)"
     R"("ExpressionAttributeValues":{":one":{"N":"1"}}})");
  Ok("DeleteItem", R"({"TableName":"tbl","Key":{"pk":{"S":"a"}}})");

  ApiReply list = Streams("ListStreams", "{}");
  ASSERT_EQ(list.status, 200u) << list.body;
  ASSERT_EQ(list.json["Streams"].Size(), 1u);
  EXPECT_EQ(std::string(list.json["Streams"][0]["StreamArn"].GetString()), arn);
  EXPECT_EQ(std::string(list.json["Streams"][0]["TableName"].GetString()), "tbl");
  EXPECT_FALSE(list.json.HasMember("LastEvaluatedStreamArn"));

  ApiReply d = Streams("DescribeStream", R"({"StreamArn":")" + arn + R"("})");
  ASSERT_EQ(d.status, 200u) << d.body;
  const auto& desc = d.json["StreamDescription"];
  EXPECT_STREQ(desc["StreamStatus"].GetString(), "ENABLED");
  EXPECT_STREQ(desc["StreamViewType"].GetString(), "NEW_AND_OLD_IMAGES");
  EXPECT_STREQ(desc["KeySchema"][0]["KeyType"].GetString(), "HASH");
  EXPECT_TRUE(desc["CreationRequestDateTime"].IsNumber());
  ASSERT_EQ(desc["Shards"].Size(), 1u);
  EXPECT_FALSE(desc["Shards"][0]["SequenceNumberRange"].HasMember("EndingSequenceNumber"));

  ApiReply page =
      Streams("GetRecords", R"({"ShardIterator":")" + TrimHorizon(arn, FirstShard(arn)) + R"("})");
  ASSERT_EQ(page.status, 200u) << page.body;
  ASSERT_EQ(page.json["Records"].Size(), 3u) << page.body;
  EXPECT_TRUE(page.json.HasMember("NextShardIterator"));
  const char* names[] = {"INSERT", "MODIFY", "REMOVE"};
  for (unsigned i = 0; i < 3; ++i) {
    const auto& r = page.json["Records"][i];
    EXPECT_STREQ(r["eventName"].GetString(), names[i]);
    EXPECT_STREQ(r["eventVersion"].GetString(), "1.1");
    EXPECT_STREQ(r["eventSource"].GetString(), "aws:dynamodb");
    EXPECT_STREQ(r["awsRegion"].GetString(), "us-east-1");
    EXPECT_EQ(std::string(r["eventID"].GetString()).size(), 32u);
    EXPECT_FALSE(r.HasMember("userIdentity"));
    const auto& ddb = r["dynamodb"];
    EXPECT_TRUE(ddb["ApproximateCreationDateTime"].IsInt64());
    EXPECT_EQ(std::string(ddb["SequenceNumber"].GetString()).size(), 21u);
    EXPECT_STREQ(ddb["StreamViewType"].GetString(), "NEW_AND_OLD_IMAGES");
    EXPECT_STREQ(ddb["Keys"]["pk"]["S"].GetString(), "a");
    EXPECT_TRUE(ddb["SizeBytes"].IsUint64());
  }
  const auto& modify = page.json["Records"][1]["dynamodb"];
  EXPECT_STREQ(modify["OldImage"]["n"]["N"].GetString(), "1");
  EXPECT_STREQ(modify["NewImage"]["n"]["N"].GetString(), "2");
  EXPECT_FALSE(page.json["Records"][0]["dynamodb"].HasMember("OldImage"));
  EXPECT_FALSE(page.json["Records"][2]["dynamodb"].HasMember("NewImage"));
}

TEST_F(StreamOpsTest, ADisabledStreamEndsItsShardsAndOmitsTheNextIterator) {
  std::string arn = MakeStreamTable();
  Ok("PutItem", R"({"TableName":"tbl","Item":{"pk":{"S":"a"}}})");
  Ok("UpdateTable", R"({"TableName":"tbl","StreamSpecification":{"StreamEnabled":false}})");
  ApiReply d = Streams("DescribeStream", R"({"StreamArn":")" + arn + R"("})");
  ASSERT_EQ(d.status, 200u) << d.body;
  EXPECT_STREQ(d.json["StreamDescription"]["StreamStatus"].GetString(), "DISABLED");
  EXPECT_TRUE(d.json["StreamDescription"]["Shards"][0]["SequenceNumberRange"].HasMember(
      "EndingSequenceNumber"));
  std::string it = TrimHorizon(arn, FirstShard(arn));
  ApiReply page = Streams("GetRecords", R"({"ShardIterator":")" + it + R"("})");
  ASSERT_EQ(page.status, 200u) << page.body;
  EXPECT_EQ(page.json["Records"].Size(), 1u);
  if (page.json.HasMember("NextShardIterator")) {
    page = Streams("GetRecords", R"({"ShardIterator":")" +
                                     std::string(page.json["NextShardIterator"].GetString()) +
                                     R"("})");
    EXPECT_EQ(page.json["Records"].Size(), 0u);
  }
  EXPECT_FALSE(page.json.HasMember("NextShardIterator")) << page.body;
}

TEST_F(StreamOpsTest, BadRequestsGetDynamoDbErrors) {
  std::string arn = MakeStreamTable();
  std::string shard = FirstShard(arn);
  auto type = [](const ApiReply& r) { return r.ErrorType(); };
  EXPECT_EQ(type(Streams("GetRecords", R"({"ShardIterator":"garbage"})")), "ValidationException");
  EXPECT_EQ(type(Streams("GetRecords",
                         R"({"ShardIterator":")" + TrimHorizon(arn, shard) + R"(","Limit":0})")),
            "ValidationException");
  EXPECT_EQ(type(Streams("GetRecords",
                         R"({"ShardIterator":")" + TrimHorizon(arn, shard) + R"(","Limit":1001})")),
            "ValidationException");
  EXPECT_EQ(
      type(Streams("GetShardIterator", R"({"StreamArn":")" + arn + R"(","ShardId":")" + shard +
                                           R"(","ShardIteratorType":"AT_SEQUENCE_NUMBER"})")),
      "ValidationException");
  EXPECT_EQ(
      type(Streams("GetShardIterator", R"({"StreamArn":")" + arn +
                                           R"(","ShardId":"shardId-00000000000000000000-00000000",)"
                                           R"("ShardIteratorType":"LATEST"})")),
      "ResourceNotFoundException");
  EXPECT_EQ(type(Streams("GetShardIterator", R"({"StreamArn":")" + arn + R"(","ShardId":")" +
                                                 shard + R"(","ShardIteratorType":"SIDEWAYS"})")),
            "ValidationException");
  EXPECT_EQ(
      type(Streams("DescribeStream", R"({"StreamArn":"arn:aws:dynamodb:us-east-1:000000000000:)"
                                     R"(table/nope/stream/2020-01-01T00:00:00.000"})")),
      "ResourceNotFoundException");
  EXPECT_EQ(type(Streams("DescribeStream", R"({"StreamArn":"this is not an arn at all, really"})")),
            "ValidationException");
  EXPECT_EQ(type(Streams("ListStreams", R"({"Limit":0})")), "ValidationException");
  EXPECT_EQ(type(Streams("ListStreams", R"({"TableName":"missing"})")),
            "ResourceNotFoundException");
  EXPECT_EQ(type(Streams("DescribeStream",
                         R"({"StreamArn":")" + arn + R"(","ShardFilter":{"Type":"PARENT"}})")),
            "ValidationException");
}

TEST_F(StreamOpsTest, AClientInAnotherRegionSeesItsRegion) {
  MakeStreamTable();
  const std::string auth =
      "AWS4-HMAC-SHA256 Credential=AKID/20260101/eu-west-1/dynamodb/aws4_request, "
      "SignedHeaders=host, Signature=0";
  ApiReply list = Streams("ListStreams", "{}", auth);
  ASSERT_EQ(list.status, 200u) << list.body;
  std::string arn = list.json["Streams"][0]["StreamArn"].GetString();
  EXPECT_TRUE(arn.starts_with("arn:aws:dynamodb:eu-west-1:")) << arn;
  ApiReply d = Streams("DescribeStream", R"({"StreamArn":")" + arn + R"("})", auth);
  ASSERT_EQ(d.status, 200u) << d.body;
  Ok("PutItem", R"({"TableName":"tbl","Item":{"pk":{"S":"a"}}})");
  std::string shard = d.json["StreamDescription"]["Shards"][0]["ShardId"].GetString();
  ApiReply it = Streams("GetShardIterator",
                        R"({"StreamArn":")" + arn + R"(","ShardId":")" + shard +
                            R"(","ShardIteratorType":"TRIM_HORIZON"})",
                        auth);
  ASSERT_EQ(it.status, 200u) << it.body;
  ApiReply page = Streams(
      "GetRecords",
      R"({"ShardIterator":")" + std::string(it.json["ShardIterator"].GetString()) + R"("})", auth);
  ASSERT_EQ(page.status, 200u) << page.body;
  ASSERT_EQ(page.json["Records"].Size(), 1u);
  EXPECT_STREQ(page.json["Records"][0]["awsRegion"].GetString(), "eu-west-1");
}

TEST_F(StreamOpsTest, TimeToLiveCanBeEnabledAndDescribed) {
  MakeStreamTable();
  ApiReply d = Ok("DescribeTimeToLive", R"({"TableName":"tbl"})");
  EXPECT_STREQ(d.json["TimeToLiveDescription"]["TimeToLiveStatus"].GetString(), "DISABLED");
  ApiReply u = Ok("UpdateTimeToLive", R"({"TableName":"tbl","TimeToLiveSpecification":)"
                                      R"({"Enabled":true,"AttributeName":"expires"}})");
  EXPECT_TRUE(u.json["TimeToLiveSpecification"]["Enabled"].GetBool());
  d = Ok("DescribeTimeToLive", R"({"TableName":"tbl"})");
  EXPECT_STREQ(d.json["TimeToLiveDescription"]["TimeToLiveStatus"].GetString(), "ENABLED");
  EXPECT_STREQ(d.json["TimeToLiveDescription"]["AttributeName"].GetString(), "expires");
  Err("UpdateTimeToLive",
      R"({"TableName":"tbl","TimeToLiveSpecification":{"Enabled":true,"AttributeName":"expires"}})",
      "ValidationException");
}

}  // namespace
}  // namespace eddy::testing::stream_ops_test
