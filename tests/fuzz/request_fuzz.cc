// libFuzzer target for request decoding: every DynamoDB / DynamoDB Streams
// operation the router knows, and a few it does not, fed arbitrary bodies
// through Router::Handle against one live Db. Whatever the body — malformed
// JSON, wrong types, oversize items, keys or bodies, invalid expressions —
// the router must answer with a JSON object and 200 or 4xx/5xx; never crash,
// hang, leak or trip an assertion.
//
// Input layout: byte 0 picks the operation (bits 0-6, modulo kTargets' size)
// and whether the request carries a SigV4 Authorization header (bit 7, region
// eu-west-1); the rest is the body. See README.md for the seed corpus.
//
// State: one Db in a fresh directory under /tmp (sync mode none), created in
// LLVMFuzzerInitialize with the tables below and removed at exit. Inputs
// write to it, so a crash may need the inputs before it; the fuzz log names
// them (-print_final_stats, or run with -runs over the corpus to replay).
// The tables are recreated when an input deletes them, so the corpus keeps
// reaching the item paths.
//
// Stream names cannot be guessed (the ARN holds the creation time), so the
// body's placeholders @ARN@, @SHARD@ and @ITER@ become the streamed table's
// stream ARN, its first shard and a fresh TRIM_HORIZON iterator on it.
#include <rapidjson/document.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "eddy/db.h"
#include "eddy/options.h"
#include "eddy/stream.h"
#include "server/router.h"

namespace {

constexpr std::string_view kTargets[] = {
    "DynamoDB_20120810.CreateTable",
    "DynamoDB_20120810.DeleteTable",
    "DynamoDB_20120810.DescribeTable",
    "DynamoDB_20120810.UpdateTable",
    "DynamoDB_20120810.ListTables",
    "DynamoDB_20120810.PutItem",
    "DynamoDB_20120810.GetItem",
    "DynamoDB_20120810.UpdateItem",
    "DynamoDB_20120810.DeleteItem",
    "DynamoDB_20120810.Query",
    "DynamoDB_20120810.Scan",
    "DynamoDB_20120810.BatchWriteItem",
    "DynamoDB_20120810.BatchGetItem",
    "DynamoDB_20120810.TransactWriteItems",
    "DynamoDB_20120810.UpdateTimeToLive",
    "DynamoDB_20120810.DescribeTimeToLive",
    "DynamoDBStreams_20120810.ListStreams",
    "DynamoDBStreams_20120810.DescribeStream",
    "DynamoDBStreams_20120810.GetShardIterator",
    "DynamoDBStreams_20120810.GetRecords",
    // Unknown: an op DynamoDB has and Eddy does not, a Streams op under the
    // DynamoDB prefix, a DynamoDB op under the Streams prefix, no prefix.
    "DynamoDB_20120810.TransactGetItems",
    "DynamoDB_20120810.GetRecords",
    "DynamoDBStreams_20120810.PutItem",
    "PutItem",
};
constexpr std::size_t kTargetCount = sizeof(kTargets) / sizeof(kTargets[0]);
constexpr std::size_t kKnownTargets = 20;  // kTargets[20..] are unknown

constexpr std::string_view kAuthorization =
    "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240101/eu-west-1/dynamodb/aws4_request, "
    "SignedHeaders=host;x-amz-date;x-amz-target, Signature=0123456789abcdef";

// The tables every input may use (names in request.dict and the seeds).
struct FixedTable {
  std::string_view name;
  std::string_view create_body;
};
constexpr FixedTable kTables[] = {
    {"items",
     R"({"TableName":"items","KeySchema":[{"AttributeName":"pk","KeyType":"HASH"},)"
     R"({"AttributeName":"sk","KeyType":"RANGE"}],"AttributeDefinitions":[)"
     R"({"AttributeName":"pk","AttributeType":"S"},{"AttributeName":"sk","AttributeType":"N"}],)"
     R"("BillingMode":"PAY_PER_REQUEST"})"},
    {"streamed", R"({"TableName":"streamed","KeySchema":[{"AttributeName":"id","KeyType":"HASH"}],)"
                 R"("AttributeDefinitions":[{"AttributeName":"id","AttributeType":"B"}],)"
                 R"("BillingMode":"PAY_PER_REQUEST","StreamSpecification":{"StreamEnabled":true,)"
                 R"("StreamViewType":"NEW_AND_OLD_IMAGES"}})"},
};

std::filesystem::path g_dir;
std::string g_stream_arn;
std::string g_shard_id;
std::unique_ptr<eddy::Db> g_db;
std::unique_ptr<eddy::server::Router> g_router;

[[noreturn]] void Fail(const char* what, std::string_view target,
                       const eddy::server::ApiResponse& response) {
  std::fprintf(stderr, "request_fuzz: %s\n  target: %.*s\n  status: %u\n  body: %.*s\n", what,
               static_cast<int>(target.size()), target.data(), response.http_status,
               static_cast<int>(response.body.size()), response.body.data());
  std::abort();
}

void FindStream();

void EnsureTables() {
  bool recreated = false;
  for (const FixedTable& t : kTables) {
    if (g_db->DescribeTable(t.name).ok()) continue;
    recreated = true;
    // A table deleted by an input, or one just made with another schema by
    // a CreateTable input after the deletion; either way, best effort.
    (void)g_router->Handle("DynamoDB_20120810.DeleteTable",
                           std::string(R"({"TableName":")") + std::string(t.name) + "\"}", "");
    (void)g_router->Handle("DynamoDB_20120810.CreateTable", t.create_body, "");
  }
  if (recreated || g_stream_arn.empty()) FindStream();
}

// Looks up the streamed table's stream (again after an input recreated it).
void FindStream() {
  g_stream_arn.clear();
  g_shard_id.clear();
  eddy::ListStreamsRequest list;
  list.table_name = "streamed";
  auto streams = g_db->ListStreams(list);
  if (!streams.ok() || streams.value().streams.empty()) return;
  g_stream_arn = streams.value().streams.front().stream_arn;
  eddy::DescribeStreamRequest describe;
  describe.stream_arn = g_stream_arn;
  auto stream = g_db->DescribeStream(describe);
  if (stream.ok() && !stream.value().shards.empty()) {
    g_shard_id = stream.value().shards.front().shard_id;
  }
}

void ReplaceAll(std::string& text, std::string_view token, const std::string& with) {
  for (std::size_t at = text.find(token); at != std::string::npos;
       at = text.find(token, at + with.size())) {
    text.replace(at, token.size(), with);
  }
}

// The body with the stream placeholders filled in; nullopt when it has none.
std::optional<std::string> FillStreamPlaceholders(std::string_view body) {
  if (body.find('@') == std::string_view::npos) return std::nullopt;
  std::string text(body);
  if (text.find("@ITER@") != std::string::npos) {
    eddy::GetShardIteratorRequest request;
    request.stream_arn = g_stream_arn;
    request.shard_id = g_shard_id;
    auto iterator = g_db->GetShardIterator(request);
    ReplaceAll(text, "@ITER@", iterator.ok() ? iterator.value() : std::string());
  }
  ReplaceAll(text, "@ARN@", g_stream_arn);
  ReplaceAll(text, "@SHARD@", g_shard_id);
  if (text == body) return std::nullopt;
  return text;
}

void Cleanup() {
  g_router.reset();
  if (g_db) (void)g_db->Close();
  g_db.reset();
  std::error_code ignored;
  std::filesystem::remove_all(g_dir, ignored);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
  char pattern[] = "/tmp/eddy-request-fuzz-XXXXXX";
  if (mkdtemp(pattern) == nullptr) {
    std::perror("request_fuzz: mkdtemp");
    std::abort();
  }
  g_dir = pattern;
  eddy::Options options;
  options.dir = g_dir.string();
  options.sync_mode = eddy::SyncMode::kNone;
  options.report_progress = false;
  options.shard_split_records_per_s = 0;  // keep the stream's shard layout fixed
  auto db = eddy::Db::Open(options);
  if (!db.ok()) {
    std::fprintf(stderr, "request_fuzz: Db::Open(%s) failed\n", pattern);
    std::abort();
  }
  g_db = std::move(db).value();
  g_router = std::make_unique<eddy::server::Router>(g_db.get(), eddy::server::RouterOptions{});
  EnsureTables();
  for (const FixedTable& t : kTables) {
    if (!g_db->DescribeTable(t.name).ok()) {
      std::fprintf(stderr, "request_fuzz: could not create table %.*s\n",
                   static_cast<int>(t.name.size()), t.name.data());
      std::abort();
    }
  }
  std::atexit(Cleanup);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::size_t target_index = (data[0] & 0x7f) % kTargetCount;
  const std::string_view target = kTargets[target_index];
  const std::string_view authorization = (data[0] & 0x80) ? kAuthorization : std::string_view();
  const std::string_view raw(reinterpret_cast<const char*>(data + 1), size - 1);
  const std::optional<std::string> filled = FillStreamPlaceholders(raw);
  const std::string_view text = filled ? std::string_view(*filled) : raw;
  // A copy sized exactly, so ASan sees any read past the body's end.
  const std::unique_ptr<char[]> body(new char[text.size()]);
  std::copy(text.begin(), text.end(), body.get());

  const eddy::server::ApiResponse response =
      g_router->Handle(target, std::string_view(body.get(), text.size()), authorization);

  const unsigned status = response.http_status;
  if (status != 200 && (status < 400 || status > 599)) Fail("bad HTTP status", target, response);
  rapidjson::Document doc;
  doc.Parse(response.body.data(), response.body.size());
  if (doc.HasParseError() || !doc.IsObject()) Fail("body is not a JSON object", target, response);
  if (status != 200 && !doc.HasMember("__type")) Fail("error without __type", target, response);
  if (status == 200 && target_index >= kKnownTargets) {
    Fail("unknown operation succeeded", target, response);
  }

  EnsureTables();
  return 0;
}
