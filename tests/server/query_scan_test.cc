// Query and Scan over HTTP: key conditions, filters, projections, paging.
#include "tests/server/test_server.h"

// The file's own namespace: the unity build compiles the files of a test
// folder as one translation unit, where anonymous namespaces are shared.
namespace eddy::testing::query_scan_test {
namespace {

class QueryScanTest : public ServerTest {
 protected:
  void SetUp() override {
    ServerTest::SetUp();
    MakeTable("tbl", /*with_sort=*/true);
    for (int p = 0; p < 2; ++p) {
      for (int s = 1; s <= 10; ++s) {
        Ok("PutItem", R"({"TableName":"tbl","Item":{"pk":{"S":"p)" + std::to_string(p) +
                          R"("},"sk":{"N":")" + std::to_string(s) + R"("},"odd":{"BOOL":)" +
                          (s % 2 ? "true" : "false") + "}}}");
      }
    }
  }

  std::string Sks(const ApiReply& r) {
    std::string out;
    for (const auto& item : r.json["Items"].GetArray())
      out += std::string(out.empty() ? "" : ",") + item["sk"]["N"].GetString();
    return out;
  }
};

TEST_F(QueryScanTest, QueryByPartitionAndSortKey) {
  ApiReply r = Ok(
      "Query",
      R"({"TableName":"tbl","KeyConditionExpression":"pk = :p AND sk BETWEEN :a AND :b","ExpressionAttributeValues":{":p":{"S":"p1"},":a":{"N":"3"},":b":{"N":"6"}}})");
  EXPECT_EQ(Sks(r), "3,4,5,6");
  EXPECT_EQ(r.json["Count"].GetInt(), 4);
  EXPECT_EQ(r.json["ScannedCount"].GetInt(), 4);
  EXPECT_FALSE(r.json.HasMember("LastEvaluatedKey"));
}

TEST_F(QueryScanTest, QueryBackwardsWithFilterAndProjection) {
  ApiReply r = Ok(
      "Query",
      R"({"TableName":"tbl","KeyConditionExpression":"pk = :p","FilterExpression":"odd = :t","ProjectionExpression":"sk","ScanIndexForward":false,"ExpressionAttributeValues":{":p":{"S":"p0"},":t":{"BOOL":true}}})");
  EXPECT_EQ(Sks(r), "9,7,5,3,1");
  EXPECT_EQ(r.json["Count"].GetInt(), 5);
  EXPECT_EQ(r.json["ScannedCount"].GetInt(), 10);
  EXPECT_FALSE(r.json["Items"][0].HasMember("odd"));
}

TEST_F(QueryScanTest, QueryPagesWithLimitAndExclusiveStartKey) {
  const std::string base =
      R"({"TableName":"tbl","KeyConditionExpression":"pk = :p","ExpressionAttributeValues":{":p":{"S":"p0"}},"Limit":4)";
  ApiReply r = Ok("Query", base + "}");
  EXPECT_EQ(Sks(r), "1,2,3,4");
  ASSERT_TRUE(r.json.HasMember("LastEvaluatedKey"));
  std::string esk = server::JsonToString(r.json["LastEvaluatedKey"]);
  EXPECT_EQ(esk, R"({"pk":{"S":"p0"},"sk":{"N":"4"}})");
  r = Ok("Query", base + R"(,"ExclusiveStartKey":)" + esk + "}");
  EXPECT_EQ(Sks(r), "5,6,7,8");
}

// DynamoDB stops at Limit without looking ahead: a page that ends on the last
// item carries LastEvaluatedKey, and the page after it is empty and has none.
TEST_F(QueryScanTest, LimitLandingOnTheLastItemStillGivesAKey) {
  const std::string base =
      R"({"TableName":"tbl","KeyConditionExpression":"pk = :p","ExpressionAttributeValues":{":p":{"S":"p0"}})";
  ApiReply r = Ok("Query", base + R"(,"Limit":10})");
  EXPECT_EQ(r.json["Count"].GetInt(), 10);
  ASSERT_TRUE(r.json.HasMember("LastEvaluatedKey"));
  std::string esk = server::JsonToString(r.json["LastEvaluatedKey"]);
  EXPECT_EQ(esk, R"({"pk":{"S":"p0"},"sk":{"N":"10"}})");
  r = Ok("Query", base + R"(,"Limit":10,"ExclusiveStartKey":)" + esk + "}");
  EXPECT_EQ(r.body, R"({"Items":[],"Count":0,"ScannedCount":0})");
  r = Ok("Query", base + R"(,"Limit":11})");
  EXPECT_EQ(r.json["Count"].GetInt(), 10);
  EXPECT_FALSE(r.json.HasMember("LastEvaluatedKey"));

  r = Ok("Scan", R"({"TableName":"tbl","Limit":20})");
  EXPECT_EQ(r.json["Count"].GetInt(), 20);
  ASSERT_TRUE(r.json.HasMember("LastEvaluatedKey"));
  esk = server::JsonToString(r.json["LastEvaluatedKey"]);
  r = Ok("Scan", R"({"TableName":"tbl","Limit":20,"ExclusiveStartKey":)" + esk + "}");
  EXPECT_EQ(r.body, R"({"Items":[],"Count":0,"ScannedCount":0})");
}

// Limit counts items read before the filter; the key is the last item read.
TEST_F(QueryScanTest, LimitCountsItemsReadBeforeTheFilter) {
  ApiReply r = Ok(
      "Query",
      R"({"TableName":"tbl","KeyConditionExpression":"pk = :p","FilterExpression":"odd = :t","Limit":4,"ExpressionAttributeValues":{":p":{"S":"p0"},":t":{"BOOL":true}}})");
  EXPECT_EQ(Sks(r), "1,3");
  EXPECT_EQ(r.json["Count"].GetInt(), 2);
  EXPECT_EQ(r.json["ScannedCount"].GetInt(), 4);
  ASSERT_TRUE(r.json.HasMember("LastEvaluatedKey"));
  EXPECT_EQ(server::JsonToString(r.json["LastEvaluatedKey"]),
            R"({"pk":{"S":"p0"},"sk":{"N":"4"}})");
}

TEST_F(QueryScanTest, SelectCount) {
  ApiReply r = Ok(
      "Query",
      R"({"TableName":"tbl","KeyConditionExpression":"pk = :p","Select":"COUNT","ExpressionAttributeValues":{":p":{"S":"p0"}}})");
  EXPECT_EQ(r.body, R"({"Count":10,"ScannedCount":10})");
}

TEST_F(QueryScanTest, QueryErrors) {
  Err("Query", R"({"TableName":"tbl"})", "ValidationException");
  EXPECT_NE(
      Err("Query",
          R"({"TableName":"tbl","KeyConditionExpression":"pk = :p","FilterExpression":"sk > :p","ExpressionAttributeValues":{":p":{"S":"p0"}}})",
          "ValidationException")
          .find("Filter Expression can only contain non-primary key attributes"),
      std::string::npos);
  Err("Query",
      R"({"TableName":"tbl","KeyConditionExpression":"pk = :p","Limit":0,"ExpressionAttributeValues":{":p":{"S":"p0"}}})",
      "ValidationException");
  Err("Query",
      R"({"TableName":"tbl","KeyConditionExpression":"pk = :p","Select":"COUNT","ProjectionExpression":"sk","ExpressionAttributeValues":{":p":{"S":"p0"}}})",
      "ValidationException");
  Err("Query",
      R"({"TableName":"nope","KeyConditionExpression":"pk = :p","ExpressionAttributeValues":{":p":{"S":"p0"}}})",
      "ResourceNotFoundException");
  Err("Query",
      R"({"TableName":"tbl","IndexName":"gsi","KeyConditionExpression":"pk = :p","ExpressionAttributeValues":{":p":{"S":"p0"}}})",
      "ValidationException");
}

TEST_F(QueryScanTest, ScanEverythingAndPage) {
  ApiReply r = Ok("Scan", R"({"TableName":"tbl"})");
  EXPECT_EQ(r.json["Count"].GetInt(), 20);
  int seen = 0;
  std::string esk;
  for (int pages = 0; pages < 10; ++pages) {
    std::string body = R"({"TableName":"tbl","Limit":7)";
    if (!esk.empty()) body += R"(,"ExclusiveStartKey":)" + esk;
    r = Ok("Scan", body + "}");
    seen += r.json["Count"].GetInt();
    if (!r.json.HasMember("LastEvaluatedKey")) break;
    esk = server::JsonToString(r.json["LastEvaluatedKey"]);
  }
  EXPECT_EQ(seen, 20);
}

TEST_F(QueryScanTest, ScanSegmentsCoverTheTable) {
  int total = 0;
  for (int s = 0; s < 3; ++s) {
    total += Ok("Scan",
                R"({"TableName":"tbl","Segment":)" + std::to_string(s) + R"(,"TotalSegments":3})")
                 .json["Count"]
                 .GetInt();
  }
  EXPECT_EQ(total, 20);
  Err("Scan", R"({"TableName":"tbl","Segment":1})", "ValidationException");
  Err("Scan", R"({"TableName":"tbl","Segment":3,"TotalSegments":3})", "ValidationException");
  Err("Scan", R"({"TableName":"tbl","Segment":0,"TotalSegments":0})", "ValidationException");
}

TEST_F(QueryScanTest, ScanWithFilter) {
  ApiReply r = Ok(
      "Scan",
      R"({"TableName":"tbl","FilterExpression":"odd = :f AND sk >= :n","ExpressionAttributeValues":{":f":{"BOOL":false},":n":{"N":"8"}}})");
  EXPECT_EQ(r.json["Count"].GetInt(), 4);
  EXPECT_EQ(r.json["ScannedCount"].GetInt(), 20);
}

}  // namespace
}  // namespace eddy::testing::query_scan_test
