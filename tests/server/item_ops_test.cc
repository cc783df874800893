// PutItem, GetItem, UpdateItem, DeleteItem over HTTP.
#include "tests/server/test_server.h"

// The file's own namespace: the unity build compiles the files of a test
// folder as one translation unit, where anonymous namespaces are shared.
namespace eddy::testing::item_ops_test {
namespace {

class ItemOpsTest : public ServerTest {
 protected:
  void SetUp() override {
    ServerTest::SetUp();
    MakeTable("tbl");
  }
};

TEST_F(ItemOpsTest, PutThenGet) {
  EXPECT_EQ(
      Ok("PutItem",
         R"({"TableName":"tbl","Item":{"pk":{"S":"a"},"n":{"N":"1.0"},"b":{"B":"Zm9v"},"ss":{"SS":["y","x"]}}})")
          .body,
      "{}");
  EXPECT_EQ(
      Ok("GetItem", R"({"TableName":"tbl","Key":{"pk":{"S":"a"}},"ConsistentRead":true})").body,
      R"({"Item":{"b":{"B":"Zm9v"},"n":{"N":"1"},"pk":{"S":"a"},"ss":{"SS":["x","y"]}}})");
  EXPECT_EQ(Ok("GetItem", R"({"TableName":"tbl","Key":{"pk":{"S":"zz"}}})").body, "{}");
}

TEST_F(ItemOpsTest, GetWithProjection) {
  Ok("PutItem",
     R"({"TableName":"tbl","Item":{"pk":{"S":"a"},"x":{"N":"1"},"y":{"M":{"z":{"S":"q"},"w":{"S":"r"}}}}})");
  EXPECT_EQ(
      Ok("GetItem",
         R"({"TableName":"tbl","Key":{"pk":{"S":"a"}},"ProjectionExpression":"#y.z, x","ExpressionAttributeNames":{"#y":"y"}})")
          .body,
      R"({"Item":{"x":{"N":"1"},"y":{"M":{"z":{"S":"q"}}}}})");
}

TEST_F(ItemOpsTest, PutReturnsOldItem) {
  Ok("PutItem", R"({"TableName":"tbl","Item":{"pk":{"S":"a"},"v":{"N":"1"}}})");
  EXPECT_EQ(
      Ok("PutItem",
         R"({"TableName":"tbl","Item":{"pk":{"S":"a"},"v":{"N":"2"}},"ReturnValues":"ALL_OLD"})")
          .body,
      R"({"Attributes":{"pk":{"S":"a"},"v":{"N":"1"}}})");
  EXPECT_NE(
      Err("PutItem", R"({"TableName":"tbl","Item":{"pk":{"S":"a"}},"ReturnValues":"ALL_NEW"})",
          "ValidationException")
          .find("ReturnValues"),
      std::string::npos);
  Err("PutItem", R"({"TableName":"tbl","Item":{"pk":{"S":"a"}},"ReturnValues":"SOME"})",
      "ValidationException");
}

TEST_F(ItemOpsTest, ConditionalPutFailsWithTheCurrentItemWhenAsked) {
  Ok("PutItem", R"({"TableName":"tbl","Item":{"pk":{"S":"a"},"v":{"N":"1"}}})");
  ApiReply r = Call(
      "PutItem",
      R"J({"TableName":"tbl","Item":{"pk":{"S":"a"}},"ConditionExpression":"attribute_not_exists(pk)","ReturnValuesOnConditionCheckFailure":"ALL_OLD"})J");
  EXPECT_EQ(
      r.body,
      R"({"__type":"com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException","message":"The conditional request failed","Item":{"pk":{"S":"a"},"v":{"N":"1"}}})");
  r = Call(
      "PutItem",
      R"({"TableName":"tbl","Item":{"pk":{"S":"a"}},"ConditionExpression":"v = :one","ExpressionAttributeValues":{":one":{"N":"2"}}})");
  EXPECT_EQ(
      r.body,
      R"({"__type":"com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException","message":"The conditional request failed"})");
  Ok("PutItem",
     R"({"TableName":"tbl","Item":{"pk":{"S":"a"}},"ConditionExpression":"v = :one","ExpressionAttributeValues":{":one":{"N":"1"}}})");
}

TEST_F(ItemOpsTest, UpdateItemInEveryReturnValuesMode) {
  Ok("PutItem", R"({"TableName":"tbl","Item":{"pk":{"S":"a"},"n":{"N":"1"},"keep":{"S":"k"}}})");
  const std::string base =
      R"({"TableName":"tbl","Key":{"pk":{"S":"a"}},"UpdateExpression":"SET n = n + :one","ExpressionAttributeValues":{":one":{"N":"1"}},"ReturnValues":")";
  EXPECT_EQ(Ok("UpdateItem", base + R"(NONE"})").body, "{}");
  EXPECT_EQ(Ok("UpdateItem", base + R"(UPDATED_OLD"})").body, R"({"Attributes":{"n":{"N":"2"}}})");
  EXPECT_EQ(Ok("UpdateItem", base + R"(UPDATED_NEW"})").body, R"({"Attributes":{"n":{"N":"4"}}})");
  EXPECT_EQ(Ok("UpdateItem", base + R"(ALL_OLD"})").body,
            R"({"Attributes":{"keep":{"S":"k"},"n":{"N":"4"},"pk":{"S":"a"}}})");
  EXPECT_EQ(Ok("UpdateItem", base + R"(ALL_NEW"})").body,
            R"({"Attributes":{"keep":{"S":"k"},"n":{"N":"6"},"pk":{"S":"a"}}})");
}

TEST_F(ItemOpsTest, UpdateItemUpsertsAndCreatesKeyOnlyItems) {
  Ok("UpdateItem", R"({"TableName":"tbl","Key":{"pk":{"S":"new"}}})");
  EXPECT_EQ(Ok("GetItem", R"({"TableName":"tbl","Key":{"pk":{"S":"new"}}})").body,
            R"({"Item":{"pk":{"S":"new"}}})");
  Ok("UpdateItem",
     R"({"TableName":"tbl","Key":{"pk":{"S":"b"}},"UpdateExpression":"ADD c :one","ExpressionAttributeValues":{":one":{"N":"1"}}})");
  EXPECT_EQ(Ok("GetItem", R"({"TableName":"tbl","Key":{"pk":{"S":"b"}}})").body,
            R"({"Item":{"c":{"N":"1"},"pk":{"S":"b"}}})");
}

TEST_F(ItemOpsTest, DeleteItemWithConditionAndOldItem) {
  Ok("PutItem", R"({"TableName":"tbl","Item":{"pk":{"S":"a"},"v":{"N":"1"}}})");
  Err("DeleteItem",
      R"({"TableName":"tbl","Key":{"pk":{"S":"a"}},"ConditionExpression":"v > :v","ExpressionAttributeValues":{":v":{"N":"5"}}})",
      "ConditionalCheckFailedException");
  EXPECT_EQ(
      Ok("DeleteItem", R"({"TableName":"tbl","Key":{"pk":{"S":"a"}},"ReturnValues":"ALL_OLD"})")
          .body,
      R"({"Attributes":{"pk":{"S":"a"},"v":{"N":"1"}}})");
  EXPECT_EQ(Ok("DeleteItem", R"({"TableName":"tbl","Key":{"pk":{"S":"a"}}})").body, "{}");
}

TEST_F(ItemOpsTest, MainErrors) {
  Err("PutItem", R"({"TableName":"nope","Item":{"pk":{"S":"a"}}})", "ResourceNotFoundException");
  Err("PutItem", R"({"TableName":"tbl"})", "ValidationException");
  EXPECT_NE(Err("PutItem", R"({"TableName":"tbl","Item":{"x":{"S":"a"}}})", "ValidationException")
                .find("Missing the key pk"),
            std::string::npos);
  Err("PutItem", R"({"TableName":"tbl","Item":{"pk":{"N":"1"}}})", "ValidationException");
  Err("PutItem", R"({"TableName":"tbl","Item":{"pk":{"S":"a"},"v":{"N":1}}})",
      "SerializationException");
  Err("GetItem", R"({"TableName":"tbl","Key":{"pk":{"S":"a"},"x":{"S":"b"}}})",
      "ValidationException");
  Err("UpdateItem", R"({"TableName":"tbl","Key":{"pk":{"S":"a"}},"UpdateExpression":"SET = 1"})",
      "ValidationException");
  EXPECT_NE(
      Err("PutItem",
          R"J({"TableName":"tbl","Item":{"pk":{"S":"a"}},"ConditionExpression":"attribute_exists(pk)","ExpressionAttributeValues":{":unused":{"S":"x"}}})J",
          "ValidationException")
          .find("unused"),
      std::string::npos);
  EXPECT_NE(
      Err("PutItem",
          R"({"TableName":"tbl","Item":{"pk":{"S":"a"}},"ExpressionAttributeNames":{"#a":"a"}})",
          "ValidationException")
          .find("can only be specified when using expressions"),
      std::string::npos);
  Err("PutItem", R"({"TableName":"tbl","Item":{"pk":{"S":"a"}},"Expected":{}})",
      "ValidationException");
}

}  // namespace
}  // namespace eddy::testing::item_ops_test
