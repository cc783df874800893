// BatchWriteItem, BatchGetItem and TransactWriteItems over HTTP.
#include "tests/server/test_server.h"

// The file's own namespace: the unity build compiles the files of a test
// folder as one translation unit, where anonymous namespaces are shared.
namespace eddy::testing::batch_transact_test {
namespace {

class BatchTransactTest : public ServerTest {
 protected:
  void SetUp() override {
    ServerTest::SetUp();
    MakeTable("tbl");
    MakeTable("two");
  }
};

TEST_F(BatchTransactTest, BatchWriteThenBatchGet) {
  EXPECT_EQ(
      Ok("BatchWriteItem",
         R"({"RequestItems":{"tbl":[{"PutRequest":{"Item":{"pk":{"S":"a"}}}},{"PutRequest":{"Item":{"pk":{"S":"b"},"v":{"N":"2"}}}}],"two":[{"PutRequest":{"Item":{"pk":{"S":"c"}}}}]}})")
          .body,
      R"({"UnprocessedItems":{}})");
  Ok("BatchWriteItem", R"({"RequestItems":{"tbl":[{"DeleteRequest":{"Key":{"pk":{"S":"a"}}}}]}})");
  ApiReply r = Ok(
      "BatchGetItem",
      R"({"RequestItems":{"tbl":{"Keys":[{"pk":{"S":"a"}},{"pk":{"S":"b"}}],"ProjectionExpression":"v"},"two":{"Keys":[{"pk":{"S":"c"}}]}}})");
  EXPECT_EQ(
      r.body,
      R"({"Responses":{"tbl":[{"v":{"N":"2"}}],"two":[{"pk":{"S":"c"}}]},"UnprocessedKeys":{}})");
}

TEST_F(BatchTransactTest, BatchLimitsAndDuplicates) {
  std::string many = R"({"RequestItems":{"tbl":[)";
  for (int i = 0; i < 26; ++i) {
    many += std::string(i ? "," : "") + R"({"PutRequest":{"Item":{"pk":{"S":"k)" +
            std::to_string(i) + R"("}}}})";
  }
  many += "]}}";
  Err("BatchWriteItem", many, "ValidationException");
  EXPECT_NE(
      Err("BatchWriteItem",
          R"({"RequestItems":{"tbl":[{"PutRequest":{"Item":{"pk":{"S":"a"}}}},{"DeleteRequest":{"Key":{"pk":{"S":"a"}}}}]}})",
          "ValidationException")
          .find("duplicates"),
      std::string::npos);
  EXPECT_NE(Err("BatchGetItem",
                R"({"RequestItems":{"tbl":{"Keys":[{"pk":{"S":"a"}},{"pk":{"S":"a"}}]}}})",
                "ValidationException")
                .find("duplicates"),
            std::string::npos);
  std::string keys;
  for (int i = 0; i < 101; ++i)
    keys += std::string(i ? "," : "") + R"({"pk":{"S":"k)" + std::to_string(i) + R"("}})";
  Err("BatchGetItem", R"({"RequestItems":{"tbl":{"Keys":[)" + keys + "]}}}", "ValidationException");
  Err("BatchWriteItem", R"({"RequestItems":{}})", "ValidationException");
  Err("BatchWriteItem", R"({"RequestItems":{"nope":[{"PutRequest":{"Item":{"pk":{"S":"a"}}}}]}})",
      "ResourceNotFoundException");
  Err("BatchGetItem", R"({"RequestItems":{"nope":{"Keys":[{"pk":{"S":"a"}}]}}})",
      "ResourceNotFoundException");
}

TEST_F(BatchTransactTest, TransactWritesAllActions) {
  Ok("PutItem", R"({"TableName":"tbl","Item":{"pk":{"S":"gone"}}})");
  Ok("PutItem", R"({"TableName":"tbl","Item":{"pk":{"S":"check"},"ok":{"BOOL":true}}})");
  EXPECT_EQ(
      Ok("TransactWriteItems",
         R"({"TransactItems":[)"
         R"({"Put":{"TableName":"tbl","Item":{"pk":{"S":"new"}}}},)"
         R"({"Update":{"TableName":"two","Key":{"pk":{"S":"u"}},"UpdateExpression":"SET n = :n","ExpressionAttributeValues":{":n":{"N":"7"}}}},)"
         R"({"Delete":{"TableName":"tbl","Key":{"pk":{"S":"gone"}}}},)"
         R"({"ConditionCheck":{"TableName":"tbl","Key":{"pk":{"S":"check"}},"ConditionExpression":"ok = :t","ExpressionAttributeValues":{":t":{"BOOL":true}}}}],)"
         R"("ClientRequestToken":"tok-1"})")
          .body,
      "{}");
  EXPECT_EQ(Ok("GetItem", R"({"TableName":"two","Key":{"pk":{"S":"u"}}})").body,
            R"({"Item":{"n":{"N":"7"},"pk":{"S":"u"}}})");
  EXPECT_EQ(Ok("GetItem", R"({"TableName":"tbl","Key":{"pk":{"S":"gone"}}})").body, "{}");
}

TEST_F(BatchTransactTest, TransactCancelsWithReasonsInOrder) {
  Ok("PutItem", R"({"TableName":"tbl","Item":{"pk":{"S":"x"},"v":{"N":"1"}}})");
  ApiReply r = Call(
      "TransactWriteItems",
      R"({"TransactItems":[)"
      R"({"Put":{"TableName":"tbl","Item":{"pk":{"S":"y"}}}},)"
      R"({"Update":{"TableName":"tbl","Key":{"pk":{"S":"x"}},"UpdateExpression":"SET v = :two","ConditionExpression":"v = :two","ExpressionAttributeValues":{":two":{"N":"2"}},"ReturnValuesOnConditionCheckFailure":"ALL_OLD"}}]})");
  EXPECT_EQ(r.status, 400u);
  EXPECT_EQ(
      r.body,
      R"({"__type":"com.amazonaws.dynamodb.v20120810#TransactionCanceledException",)"
      R"("Message":"Transaction cancelled, please refer cancellation reasons for specific reasons [None, ConditionalCheckFailed]",)"
      R"("CancellationReasons":[{"Code":"None"},{"Code":"ConditionalCheckFailed","Message":"The conditional request failed","Item":{"pk":{"S":"x"},"v":{"N":"1"}}}]})");
  // Nothing was written.
  EXPECT_EQ(Ok("GetItem", R"({"TableName":"tbl","Key":{"pk":{"S":"y"}}})").body, "{}");
}

TEST_F(BatchTransactTest, TransactErrors) {
  Err("TransactWriteItems", R"({"TransactItems":[]})", "ValidationException");
  Err("TransactWriteItems", R"({})", "ValidationException");
  Err("TransactWriteItems",
      R"({"TransactItems":[{"Put":{"TableName":"tbl","Item":{"pk":{"S":"a"}}}},{"Delete":{"TableName":"tbl","Key":{"pk":{"S":"a"}}}}]})",
      "ValidationException");
  Err("TransactWriteItems",
      R"({"TransactItems":[{"Update":{"TableName":"tbl","Key":{"pk":{"S":"a"}}}}]})",
      "ValidationException");
  Err("TransactWriteItems",
      R"({"TransactItems":[{"ConditionCheck":{"TableName":"tbl","Key":{"pk":{"S":"a"}}}}]})",
      "ValidationException");
  Err("TransactWriteItems",
      R"({"TransactItems":[{"Put":{"TableName":"nope","Item":{"pk":{"S":"a"}}}}]})",
      "ResourceNotFoundException");
}

}  // namespace
}  // namespace eddy::testing::batch_transact_test
