// CreateTable, DescribeTable, UpdateTable, DeleteTable, ListTables.
#include "tests/server/test_server.h"

// The file's own namespace: the unity build compiles the files of a test
// folder as one translation unit, where anonymous namespaces are shared.
namespace eddy::testing::table_ops_test {
namespace {

using TableOpsTest = ServerTest;

constexpr const char* kCreate =
    R"({"TableName":"orders","KeySchema":[{"AttributeName":"pk","KeyType":"HASH"},)"
    R"({"AttributeName":"sk","KeyType":"RANGE"}],"AttributeDefinitions":[)"
    R"({"AttributeName":"pk","AttributeType":"S"},{"AttributeName":"sk","AttributeType":"N"}],)"
    R"("ProvisionedThroughput":{"ReadCapacityUnits":5,"WriteCapacityUnits":7},)"
    R"("StreamSpecification":{"StreamEnabled":true,"StreamViewType":"NEW_AND_OLD_IMAGES"}})";

TEST_F(TableOpsTest, CreateTableDescribesTheTable) {
  ApiReply r = Ok("CreateTable", kCreate);
  const auto& d = r.json["TableDescription"];
  EXPECT_STREQ(d["TableName"].GetString(), "orders");
  EXPECT_STREQ(d["TableStatus"].GetString(), "ACTIVE");
  EXPECT_STREQ(d["TableArn"].GetString(), "arn:aws:dynamodb:us-east-1:000000000000:table/orders");
  EXPECT_STREQ(d["KeySchema"][0]["KeyType"].GetString(), "HASH");
  EXPECT_STREQ(d["KeySchema"][1]["AttributeName"].GetString(), "sk");
  EXPECT_STREQ(d["AttributeDefinitions"][1]["AttributeType"].GetString(), "N");
  EXPECT_EQ(d["ProvisionedThroughput"]["ReadCapacityUnits"].GetInt(), 5);
  EXPECT_EQ(d["ProvisionedThroughput"]["WriteCapacityUnits"].GetInt(), 7);
  EXPECT_STREQ(d["BillingModeSummary"]["BillingMode"].GetString(), "PROVISIONED");
  EXPECT_TRUE(d["StreamSpecification"]["StreamEnabled"].GetBool());
  EXPECT_STREQ(d["StreamSpecification"]["StreamViewType"].GetString(), "NEW_AND_OLD_IMAGES");
  EXPECT_GT(d["CreationDateTime"].GetDouble(), 1.6e9);
  EXPECT_EQ(d["ItemCount"].GetUint64(), 0u);

  ApiReply described = Ok("DescribeTable", R"({"TableName":"orders"})");
  EXPECT_STREQ(described.json["Table"]["TableId"].GetString(), d["TableId"].GetString());
  EXPECT_EQ(described.json["Table"]["ProvisionedThroughput"]["ReadCapacityUnits"].GetInt(), 5);
}

TEST_F(TableOpsTest, CreateTableTwiceIsResourceInUse) {
  Ok("CreateTable", kCreate);
  Err("CreateTable", kCreate, "ResourceInUseException");
}

TEST_F(TableOpsTest, CreateTableValidatesLikeDynamoDb) {
  auto create = [&](const std::string& schema, const std::string& defs,
                    const std::string& extra = R"(,"BillingMode":"PAY_PER_REQUEST")") {
    return Err("CreateTable",
               R"({"TableName":"bad","KeySchema":)" + schema + R"(,"AttributeDefinitions":)" +
                   defs + extra + "}",
               "ValidationException");
  };
  const std::string pk = R"([{"AttributeName":"pk","AttributeType":"S"}])";
  EXPECT_NE(create(R"([{"AttributeName":"x","KeyType":"HASH"}])", pk)
                .find("Some index key attributes are not defined in AttributeDefinitions"),
            std::string::npos);
  EXPECT_NE(
      create(
          R"([{"AttributeName":"pk","KeyType":"HASH"}])",
          R"([{"AttributeName":"pk","AttributeType":"S"},{"AttributeName":"q","AttributeType":"S"}])")
          .find("Number of attributes in KeySchema does not exactly match"),
      std::string::npos);
  EXPECT_NE(create(R"([{"AttributeName":"pk","KeyType":"RANGE"}])", pk)
                .find("The first KeySchemaElement is not a HASH key type"),
            std::string::npos);
  EXPECT_NE(create(R"([{"AttributeName":"pk","KeyType":"HUSH"}])", pk)
                .find("Member must satisfy enum value set: [HASH, RANGE]"),
            std::string::npos);
  EXPECT_NE(create(R"([{"AttributeName":"pk","KeyType":"HASH"}])",
                   R"([{"AttributeName":"pk","AttributeType":"BOOL"}])")
                .find("Member must satisfy enum value set: [B, N, S]"),
            std::string::npos);
  EXPECT_NE(create("[]", pk).find("keySchema"), std::string::npos);
  EXPECT_NE(create(R"([{"AttributeName":"pk","KeyType":"HASH"}])", pk, "")
                .find("ReadCapacityUnits and WriteCapacityUnits must both be specified"),
            std::string::npos);
  EXPECT_NE(
      create(
          R"([{"AttributeName":"pk","KeyType":"HASH"}])", pk,
          R"(,"BillingMode":"PAY_PER_REQUEST","ProvisionedThroughput":{"ReadCapacityUnits":1,"WriteCapacityUnits":1})")
          .find("Neither ReadCapacityUnits nor WriteCapacityUnits"),
      std::string::npos);
  EXPECT_EQ(Err("CreateTable", R"({"TableName":"x"})", "ValidationException"),
            "TableName must be at least 3 characters long and at most 255 characters long");
  EXPECT_EQ(Err("CreateTable", R"({})", "ValidationException"),
            "1 validation error detected: Value null at 'tableName' failed to satisfy "
            "constraint: Member must not be null");
  EXPECT_NE(create(R"([{"AttributeName":"pk","KeyType":"HASH"}])", pk,
                   R"(,"BillingMode":"PAY_PER_REQUEST","GlobalSecondaryIndexes":[])")
                .find("GlobalSecondaryIndexes"),
            std::string::npos);
}

TEST_F(TableOpsTest, DescribeAndDeleteMissingTableAreResourceNotFound) {
  Err("DescribeTable", R"({"TableName":"nope"})", "ResourceNotFoundException");
  Err("DeleteTable", R"({"TableName":"nope"})", "ResourceNotFoundException");
}

TEST_F(TableOpsTest, DeleteTableReturnsDeletingDescription) {
  Ok("CreateTable", kCreate);
  ApiReply r = Ok("DeleteTable", R"({"TableName":"orders"})");
  EXPECT_STREQ(r.json["TableDescription"]["TableStatus"].GetString(), "DELETING");
  Err("DescribeTable", R"({"TableName":"orders"})", "ResourceNotFoundException");
}

TEST_F(TableOpsTest, UpdateTableTogglesTheStream) {
  MakeTable("tbl");
  EXPECT_FALSE(
      Ok("DescribeTable", R"({"TableName":"tbl"})").json["Table"].HasMember("StreamSpecification"));
  ApiReply r = Ok(
      "UpdateTable",
      R"({"TableName":"tbl","StreamSpecification":{"StreamEnabled":true,"StreamViewType":"KEYS_ONLY"}})");
  EXPECT_STREQ(r.json["TableDescription"]["StreamSpecification"]["StreamViewType"].GetString(),
               "KEYS_ONLY");
  Err("UpdateTable",
      R"({"TableName":"tbl","StreamSpecification":{"StreamEnabled":true,"StreamViewType":"NEW_IMAGE"}})",
      "ValidationException");
  Ok("UpdateTable", R"({"TableName":"tbl","StreamSpecification":{"StreamEnabled":false}})");
  Err("UpdateTable", R"({"TableName":"tbl","StreamSpecification":{"StreamEnabled":false}})",
      "ValidationException");
  Err("UpdateTable", R"({"TableName":"tbl","StreamSpecification":{"StreamEnabled":true}})",
      "ValidationException");
  Err("UpdateTable", R"({"TableName":"tbl"})", "ValidationException");
  Err("UpdateTable", R"({"TableName":"nope","BillingMode":"PAY_PER_REQUEST"})",
      "ResourceNotFoundException");
}

TEST_F(TableOpsTest, UpdateTableChangesBilling) {
  MakeTable("tbl");
  ApiReply r = Ok(
      "UpdateTable",
      R"({"TableName":"tbl","BillingMode":"PROVISIONED","ProvisionedThroughput":{"ReadCapacityUnits":3,"WriteCapacityUnits":4}})");
  EXPECT_EQ(r.json["TableDescription"]["ProvisionedThroughput"]["WriteCapacityUnits"].GetInt(), 4);
}

TEST_F(TableOpsTest, ListTablesPages) {
  for (const char* n : {"aaa", "bbb", "ccc", "ddd", "eee"})
    MakeTable(n);
  ApiReply page1 = Ok("ListTables", R"({"Limit":2})");
  EXPECT_EQ(page1.body, R"({"TableNames":["aaa","bbb"],"LastEvaluatedTableName":"bbb"})");
  ApiReply page2 = Ok("ListTables", R"({"Limit":2,"ExclusiveStartTableName":"bbb"})");
  EXPECT_EQ(page2.body, R"({"TableNames":["ccc","ddd"],"LastEvaluatedTableName":"ddd"})");
  ApiReply page3 = Ok("ListTables", R"({"Limit":2,"ExclusiveStartTableName":"ddd"})");
  EXPECT_EQ(page3.body, R"({"TableNames":["eee"]})");
  Err("ListTables", R"({"Limit":0})", "ValidationException");
  Err("ListTables", R"({"Limit":101})", "ValidationException");
}

}  // namespace
}  // namespace eddy::testing::table_ops_test
