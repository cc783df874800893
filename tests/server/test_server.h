// ServerTest: a fixture running the whole server in-process — a Db over a
// temporary directory, the Router, and the HTTP server on an ephemeral port
// of 127.0.0.1 — plus helpers to call operations and read JSON replies.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <string_view>

#include "eddy/db.h"
#include "server/http_server.h"
#include "server/json.h"
#include "server/router.h"
#include "support/temp_dir.h"
#include "tests/server/http_client.h"

namespace eddy::testing {

struct ApiReply {
  unsigned status = 0;
  std::string body;
  server::JsonDocument json;
  // The short error type ("ValidationException") or "" on success.
  std::string ErrorType() const {
    if (!json.IsObject() || !json.HasMember("__type")) return "";
    std::string t = json["__type"].GetString();
    return t.substr(t.find('#') + 1);
  }
  std::string Message() const {
    for (const char* m : {"message", "Message"}) {
      if (json.IsObject() && json.HasMember(m)) return json[m].GetString();
    }
    return "";
  }
};

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override { StartServer(); }
  void TearDown() override { StopServer(); }

  void StartServer(server::HttpServerOptions http = {}) {
    Options options;
    options.dir = dir_.Sub("db");
    options.sync_mode = SyncMode::kNone;
    auto db = Db::Open(options);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(db).value();
    router_ = std::make_unique<server::Router>(db_.get(), server::RouterOptions{});
    http.port = 0;
    http.worker_threads = 4;
    auto srv = server::HttpServer::Start(router_.get(), http);
    ASSERT_TRUE(srv.ok()) << srv.status().ToString();
    server_ = std::move(srv).value();
    client_ = std::make_unique<HttpClient>(server_->port());
  }

  void StopServer() {
    client_.reset();
    if (server_) server_->Stop();
    server_.reset();
    router_.reset();
    if (db_) db_->Close().IgnoreError();
    db_.reset();
  }

  std::uint16_t port() const { return server_->port(); }

  ApiReply Call(std::string_view op, std::string_view body) {
    HttpReply r = client_->Post("DynamoDB_20120810." + std::string(op), body);
    EXPECT_EQ(r.error, "");
    ApiReply out;
    out.status = r.status;
    out.body = r.body;
    out.json.Parse(r.body.c_str());
    EXPECT_FALSE(out.json.HasParseError()) << r.body;
    return out;
  }

  // Calls and expects success; returns the reply.
  ApiReply Ok(std::string_view op, std::string_view body) {
    ApiReply r = Call(op, body);
    EXPECT_EQ(r.status, 200u) << op << " " << body << " -> " << r.body;
    return r;
  }

  // Calls and expects the given error type; returns the message.
  std::string Err(std::string_view op, std::string_view body, std::string_view type) {
    ApiReply r = Call(op, body);
    EXPECT_EQ(r.ErrorType(), type) << op << " " << body << " -> " << r.body;
    EXPECT_EQ(r.status, type == "InternalServerError" ? 500u : 400u) << r.body;
    return r.Message();
  }

  // A table "t" with pk (S) and optionally sk (N).
  void MakeTable(std::string_view name = "tbl", bool with_sort = false) {
    std::string body =
        R"({"TableName":")" + std::string(name) +
        R"(","BillingMode":"PAY_PER_REQUEST","KeySchema":[{"AttributeName":"pk","KeyType":"HASH"})";
    if (with_sort) body += R"(,{"AttributeName":"sk","KeyType":"RANGE"})";
    body += R"(],"AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"})";
    if (with_sort) body += R"(,{"AttributeName":"sk","AttributeType":"N"})";
    body += "]}";
    Ok("CreateTable", body);
  }

  TempDir dir_{"server"};
  std::unique_ptr<Db> db_;
  std::unique_ptr<server::Router> router_;
  std::unique_ptr<server::HttpServer> server_;
  std::unique_ptr<HttpClient> client_;
};

}  // namespace eddy::testing
