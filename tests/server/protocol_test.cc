// The wire protocol (facts doc §1): routing, headers, CRC, error envelopes,
// body limits, keep-alive and concurrent connections.
#include <boost/crc.hpp>

#include <atomic>
#include <thread>
#include <vector>

#include "tests/server/test_server.h"

// The file's own namespace: the unity build compiles the files of a test
// folder as one translation unit, where anonymous namespaces are shared.
namespace eddy::testing::protocol_test {
namespace {

using ProtocolTest = ServerTest;

std::uint32_t Crc32(const std::string& s) {
  boost::crc_32_type crc;
  crc.process_bytes(s.data(), s.size());
  return crc.checksum();
}

TEST_F(ProtocolTest, ResponsesCarryJsonTypeRequestIdAndCrc) {
  HttpReply r = client_->Post("DynamoDB_20120810.ListTables", "{}");
  ASSERT_EQ(r.error, "");
  EXPECT_EQ(r.status, 200u);
  EXPECT_EQ(r.body, R"({"TableNames":[]})");
  EXPECT_EQ(r.headers["content-type"], "application/x-amz-json-1.0");
  EXPECT_EQ(r.headers["x-amzn-requestid"].size(), 52u);
  EXPECT_EQ(r.headers["x-amz-crc32"], std::to_string(Crc32(r.body)));
  EXPECT_TRUE(r.keep_alive);
}

TEST_F(ProtocolTest, ErrorsCarryCrcToo) {
  HttpReply r = client_->Post("DynamoDB_20120810.DescribeTable", R"({"TableName":"nope"})");
  EXPECT_EQ(r.status, 400u);
  EXPECT_EQ(r.headers["x-amz-crc32"], std::to_string(Crc32(r.body)));
  EXPECT_NE(r.body.find(R"("__type":"com.amazonaws.dynamodb.v20120810#ResourceNotFoundException")"),
            std::string::npos);
}

TEST_F(ProtocolTest, UnknownOperation) {
  for (const char* target : {"DynamoDB_20120810.Frobnicate", "DynamoDBStreams_20120810.Frobnicate",
                             "Nope.ListTables", ""}) {
    HttpReply r = client_->Post(target, "{}");
    EXPECT_EQ(r.status, 400u) << target;
    EXPECT_EQ(r.body, R"({"__type":"com.amazon.coral.service#UnknownOperationException"})")
        << target;
  }
}

TEST_F(ProtocolTest, MalformedJsonIsASerializationException) {
  for (const char* body : {"{", "[]", "\"x\"", "{\"TableName\":}", "nul"}) {
    HttpReply r = client_->Post("DynamoDB_20120810.ListTables", body);
    EXPECT_EQ(r.status, 400u) << body;
    EXPECT_EQ(r.body, R"({"__type":"com.amazon.coral.service#SerializationException"})") << body;
  }
}

TEST_F(ProtocolTest, WrongMemberTypeIsASerializationException) {
  EXPECT_EQ(Call("DescribeTable", R"({"TableName":5})").ErrorType(), "SerializationException");
  EXPECT_EQ(Call("ListTables", R"({"Limit":"5"})").ErrorType(), "SerializationException");
}

TEST_F(ProtocolTest, EmptyBodyReadsAsEmptyObject) {
  HttpReply r = client_->Post("DynamoDB_20120810.ListTables", "");
  EXPECT_EQ(r.status, 200u);
  EXPECT_EQ(r.body, R"({"TableNames":[]})");
}

TEST_F(ProtocolTest, HealthCheckAnswersGet) {
  HttpReply r = client_->Get("/");
  EXPECT_EQ(r.status, 200u);
  EXPECT_EQ(r.body, "healthy: eddy");
}

TEST_F(ProtocolTest, OversizeBodyIsRefusedAndTheConnectionClosed) {
  StopServer();
  server::HttpServerOptions options;
  options.body_limit_bytes = 1024;
  StartServer(options);
  HttpReply r = client_->Post("DynamoDB_20120810.ListTables", std::string(4096, ' '));
  EXPECT_EQ(r.status, 413u);
  EXPECT_NE(r.body.find("ValidationException"), std::string::npos);
  EXPECT_FALSE(r.keep_alive);
  // A fresh connection still works, and a body under the limit is fine.
  HttpClient again(port());
  EXPECT_EQ(again.Post("DynamoDB_20120810.ListTables", "{}").status, 200u);
}

TEST_F(ProtocolTest, KeepAliveServesManyRequestsOnOneConnection) {
  MakeTable();
  for (int i = 0; i < 50; ++i) {
    std::string item = R"({"TableName":"tbl","Item":{"pk":{"S":"k)" + std::to_string(i) + R"("}}})";
    HttpReply r = client_->Post("DynamoDB_20120810.PutItem", item);
    ASSERT_EQ(r.status, 200u) << r.body;
    ASSERT_TRUE(r.keep_alive);
  }
  EXPECT_EQ(Ok("DescribeTable", R"({"TableName":"tbl"})").json["Table"]["ItemCount"].GetUint64(),
            50u);
}

TEST_F(ProtocolTest, ConnectionCloseIsHonoured) {
  HttpReply r = client_->Post("DynamoDB_20120810.ListTables", "{}", {{"Connection", "close"}});
  EXPECT_EQ(r.status, 200u);
  EXPECT_FALSE(r.keep_alive);
}

TEST_F(ProtocolTest, ConcurrentConnections) {
  MakeTable();
  constexpr int kThreads = 8;
  constexpr int kPerThread = 40;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      HttpClient c(port());
      for (int i = 0; i < kPerThread; ++i) {
        std::string key = std::to_string(t) + "-" + std::to_string(i);
        HttpReply w = c.Post("DynamoDB_20120810.PutItem",
                             R"({"TableName":"tbl","Item":{"pk":{"S":")" + key + R"("}}})");
        HttpReply g = c.Post("DynamoDB_20120810.GetItem",
                             R"({"TableName":"tbl","Key":{"pk":{"S":")" + key + R"("}}})");
        if (w.status != 200 || g.body.find(key) == std::string::npos) failures++;
      }
    });
  }
  for (auto& th : threads)
    th.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(Ok("DescribeTable", R"({"TableName":"tbl"})").json["Table"]["ItemCount"].GetUint64(),
            static_cast<std::uint64_t>(kThreads * kPerThread));
}

TEST_F(ProtocolTest, RegionComesFromTheCredentialScope) {
  MakeTable();
  HttpReply r = client_->Post(
      "DynamoDB_20120810.DescribeTable", R"({"TableName":"tbl"})",
      {{"Authorization",
        "AWS4-HMAC-SHA256 Credential=AKID/20240101/eu-central-1/dynamodb/aws4_request, "
        "SignedHeaders=host, Signature=00"}});
  EXPECT_NE(r.body.find("arn:aws:dynamodb:eu-central-1:000000000000:table/tbl"), std::string::npos)
      << r.body;
  // Without one, the server's default region.
  EXPECT_NE(Call("DescribeTable", R"({"TableName":"tbl"})")
                .body.find("arn:aws:dynamodb:us-east-1:000000000000:table/tbl"),
            std::string::npos);
}

TEST_F(ProtocolTest, StopClosesIdleConnectionsAndKeepsAcknowledgedWrites) {
  MakeTable();
  Ok("PutItem", R"({"TableName":"tbl","Item":{"pk":{"S":"kept"}}})");
  HttpClient idle(port());
  server_->Stop();
  // The idle connection was closed by the server.
  HttpReply r = idle.Post("DynamoDB_20120810.ListTables", "{}");
  EXPECT_NE(r.error, "");
  client_.reset();
  server_.reset();
  router_.reset();
  ASSERT_TRUE(db_->Close().ok());
  db_.reset();
  Options options;
  options.dir = dir_.Sub("db");
  auto db = Db::Open(options);
  ASSERT_TRUE(db.ok());
  auto item = (*db)->Get("tbl", *Item::FromEntries({{"pk", AttributeValue::S("kept")}}));
  ASSERT_TRUE(item.ok());
  EXPECT_TRUE(item->has_value());
  (*db)->Close().IgnoreError();
}

}  // namespace
}  // namespace eddy::testing::protocol_test
