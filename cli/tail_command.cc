// `eddy tail TABLE`: follows a table's stream on a running server, the way a
// DynamoDB Streams consumer does — DescribeTable for the stream, then
// DescribeStream, GetShardIterator and GetRecords per shard, reading a
// parent to its end before its children — and prints each record.
#include <CLI/CLI.hpp>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <ctime>
#include <iostream>
#include <map>
#include <memory>
#include <thread>

#include "cli/commands.h"
#include "cli/dynamodb_client.h"

namespace eddy::cli {
namespace {

using server::JsonDocument;
using server::JsonValue;

constexpr std::string_view kDynamoDb = "DynamoDB_20120810.";
constexpr std::string_view kStreams = "DynamoDBStreams_20120810.";

struct TailArgs {
  std::string table;
  std::string endpoint = "http://127.0.0.1:8000";
  std::string region = "us-east-1";
  std::string from = "latest";
  bool json = false;
  std::uint32_t poll_ms = 100;
};

std::atomic<bool> interrupted{false};

std::string Str(const JsonValue& object, const char* member) {
  auto it = object.FindMember(member);
  return it != object.MemberEnd() && it->value.IsString() ? it->value.GetString() : "";
}

// DynamoDB-typed JSON ({"S":"x"}) as a reader would write it (x = "x").
void Plain(const JsonValue& typed, std::string* out) {
  if (!typed.IsObject() || typed.MemberCount() != 1) {
    out->append(server::JsonToString(typed));
    return;
  }
  const std::string_view type = typed.MemberBegin()->name.GetString();
  const JsonValue& v = typed.MemberBegin()->value;
  if (type == "S" || type == "B") {
    out->append(server::JsonToString(v));
  } else if (type == "N" && v.IsString()) {
    out->append(v.GetString());
  } else if (type == "BOOL" || type == "NULL") {
    out->append(type == "NULL" ? "null" : (v.IsTrue() ? "true" : "false"));
  } else if (type == "M" && v.IsObject()) {
    out->push_back('{');
    bool first = true;
    for (const auto& m : v.GetObject()) {
      if (!first) out->append(", ");
      first = false;
      out->append(m.name.GetString()).append(": ");
      Plain(m.value, out);
    }
    out->push_back('}');
  } else if (v.IsArray()) {  // L, SS, NS, BS
    out->append(type == "L" ? "[" : "<<");
    bool first = true;
    for (const auto& e : v.GetArray()) {
      if (!first) out->append(", ");
      first = false;
      if (type == "L") {
        Plain(e, out);
      } else if (type == "NS" && e.IsString()) {
        out->append(e.GetString());
      } else {
        out->append(server::JsonToString(e));
      }
    }
    out->append(type == "L" ? "]" : ">>");
  } else {
    out->append(server::JsonToString(typed));
  }
}

std::string PlainItem(const JsonValue& item) {
  JsonDocument wrapper;
  JsonValue m(rapidjson::kObjectType);
  m.AddMember("M", JsonValue(item, wrapper.GetAllocator()), wrapper.GetAllocator());
  std::string out;
  Plain(m, &out);
  return out;
}

void PrintRecord(const JsonValue& record, bool json) {
  if (json) {
    std::cout << server::JsonToString(record) << '\n';
    return;
  }
  const JsonValue& ddb = record["dynamodb"];
  std::time_t when = 0;
  if (auto it = ddb.FindMember("ApproximateCreationDateTime");
      it != ddb.MemberEnd() && it->value.IsNumber()) {
    when = static_cast<std::time_t>(it->value.GetDouble());
  }
  char stamp[32];
  std::tm tm;
  gmtime_r(&when, &tm);
  std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
  std::string line = std::string(stamp) + "  " + Str(record, "eventName");
  line.resize(std::max<std::size_t>(line.size(), 30), ' ');
  if (auto it = ddb.FindMember("Keys"); it != ddb.MemberEnd()) line += PlainItem(it->value);
  if (auto it = ddb.FindMember("OldImage"); it != ddb.MemberEnd()) {
    line += "  old " + PlainItem(it->value);
  }
  if (auto it = ddb.FindMember("NewImage"); it != ddb.MemberEnd()) {
    line += "  new " + PlainItem(it->value);
  }
  std::cout << line << '\n';
}

struct ShardState {
  std::string parent;
  std::string iterator;
  std::string last_sequence;  // of the last record printed, to resume after expiry
  bool start_latest = false;  // open when `tail --from latest` began: skip its history
  bool done = false;
};

class Tail {
 public:
  Tail(const TailArgs& args, DynamoDbClient* client) : args_(args), client_(client) {}

  int Run() {
    if (!FindStream()) return 1;
    if (!Refresh(/*first=*/true)) return 1;
    auto last_refresh = std::chrono::steady_clock::now();
    while (!interrupted.load()) {
      bool any = false;
      for (auto& [id, shard] : shards_) {
        if (shard.done || !Ready(shard)) continue;
        int got = Poll(id, &shard);
        if (got < 0) return 1;
        any |= got > 0;
      }
      std::cout.flush();
      const auto now = std::chrono::steady_clock::now();
      if (now - last_refresh >= std::chrono::seconds(1)) {
        if (!Refresh(false)) return 1;
        last_refresh = now;
        if (disabled_ && AllDone()) {
          std::cerr << "eddy tail: the stream is disabled and every record has been read\n";
          return 0;
        }
      }
      if (!any) std::this_thread::sleep_for(std::chrono::milliseconds(args_.poll_ms));
    }
    return 0;
  }

 private:
  bool Fail(const CallError& e) {
    std::cerr << "eddy tail: " << e.type << ": " << e.message << '\n';
    return false;
  }

  bool Call(std::string_view prefix, std::string_view op, const JsonValue& req, JsonDocument* out,
            CallError* error) {
    return client_->Call(std::string(prefix) + std::string(op), req, out, error);
  }

  bool FindStream() {
    JsonDocument req(rapidjson::kObjectType);
    req.AddMember("TableName", server::JsonString(args_.table, req.GetAllocator()),
                  req.GetAllocator());
    JsonDocument res;
    CallError error;
    if (!Call(kDynamoDb, "DescribeTable", req, &res, &error)) return Fail(error);
    stream_arn_ = Str(res["Table"], "LatestStreamArn");
    if (stream_arn_.empty()) {
      std::cerr << "eddy tail: table " << args_.table
                << " has no stream; enable one with\n  aws dynamodb update-table --table-name "
                << args_.table
                << " --stream-specification StreamEnabled=true,StreamViewType=NEW_AND_OLD_IMAGES"
                << " --endpoint-url " << args_.endpoint << '\n';
      return false;
    }
    std::cerr << "eddy tail: following " << stream_arn_ << " from "
              << (args_.from == "latest" ? "now" : "the oldest record") << " (Ctrl-C stops)\n";
    return true;
  }

  // Learns the stream's shards (new children appear over time).
  bool Refresh(bool first) {
    std::string start;
    while (true) {
      JsonDocument req(rapidjson::kObjectType);
      auto& a = req.GetAllocator();
      req.AddMember("StreamArn", server::JsonString(stream_arn_, a), a);
      if (!start.empty()) req.AddMember("ExclusiveStartShardId", server::JsonString(start, a), a);
      JsonDocument res;
      CallError error;
      if (!Call(kStreams, "DescribeStream", req, &res, &error)) return Fail(error);
      const JsonValue& d = res["StreamDescription"];
      disabled_ = Str(d, "StreamStatus") == "DISABLED";
      for (const auto& s : d["Shards"].GetArray()) {
        const std::string id = Str(s, "ShardId");
        if (shards_.contains(id)) continue;
        ShardState state;
        state.parent = Str(s, "ParentShardId");
        const bool closed = s["SequenceNumberRange"].HasMember("EndingSequenceNumber");
        // From "latest", history is skipped: shards already closed are done.
        state.done = first && args_.from == "latest" && closed;
        state.start_latest = first && args_.from == "latest" && !closed;
        shards_.emplace(id, std::move(state));
      }
      start = Str(d, "LastEvaluatedShardId");
      if (start.empty()) return true;
    }
  }

  bool Ready(const ShardState& shard) const {
    auto parent = shards_.find(shard.parent);
    return shard.parent.empty() || parent == shards_.end() || parent->second.done;
  }

  bool AllDone() const {
    for (const auto& [id, s] : shards_) {
      if (!s.done) return false;
    }
    return true;
  }

  bool GetIterator(const std::string& id, ShardState* shard) {
    JsonDocument req(rapidjson::kObjectType);
    auto& a = req.GetAllocator();
    req.AddMember("StreamArn", server::JsonString(stream_arn_, a), a);
    req.AddMember("ShardId", server::JsonString(id, a), a);
    const char* type = !shard->last_sequence.empty() ? "AFTER_SEQUENCE_NUMBER"
                       : shard->start_latest         ? "LATEST"
                                                     : "TRIM_HORIZON";
    req.AddMember("ShardIteratorType", JsonValue(type, a), a);
    if (!shard->last_sequence.empty()) {
      req.AddMember("SequenceNumber", server::JsonString(shard->last_sequence, a), a);
    }
    JsonDocument res;
    CallError error;
    if (!Call(kStreams, "GetShardIterator", req, &res, &error)) return Fail(error);
    shard->iterator = Str(res, "ShardIterator");
    return true;
  }

  // Reads one page; the number of records, or -1 on a fatal error.
  int Poll(const std::string& id, ShardState* shard) {
    if (shard->iterator.empty() && !GetIterator(id, shard)) return -1;
    JsonDocument req(rapidjson::kObjectType);
    auto& a = req.GetAllocator();
    req.AddMember("ShardIterator", server::JsonString(shard->iterator, a), a);
    req.AddMember("Limit", 1000, a);
    JsonDocument res;
    CallError error;
    if (!Call(kStreams, "GetRecords", req, &res, &error)) {
      if (error.type == "ExpiredIteratorException" || error.type == "TrimmedDataAccessException") {
        shard->iterator.clear();  // ask again from where we are
        if (error.type == "TrimmedDataAccessException") shard->last_sequence.clear();
        return 0;
      }
      return Fail(error) ? 0 : -1;
    }
    const JsonValue& records = res["Records"];
    for (const auto& r : records.GetArray()) {
      PrintRecord(r, args_.json);
      shard->last_sequence = Str(r["dynamodb"], "SequenceNumber");
    }
    shard->iterator = Str(res, "NextShardIterator");
    // A closed shard read to its end: its children are next.
    if (shard->iterator.empty()) shard->done = true;
    return static_cast<int>(records.Size());
  }

  const TailArgs& args_;
  DynamoDbClient* client_;
  std::string stream_arn_;
  std::map<std::string, ShardState> shards_;
  bool disabled_ = false;
};

int RunTail(const TailArgs& args) {
  auto client = DynamoDbClient::Connect(args.endpoint, args.region);
  if (!client.ok()) {
    std::cerr << "eddy tail: " << client.status().ToString() << '\n';
    return 2;
  }
  std::signal(SIGINT, [](int) { interrupted.store(true); });
  std::signal(SIGTERM, [](int) { interrupted.store(true); });
  Tail tail(args, client->get());
  return tail.Run();
}

}  // namespace

Runner RegisterTail(CLI::App& app) {
  auto args = std::make_shared<TailArgs>();
  CLI::App* cmd = app.add_subcommand(
      "tail", "Follow a table's stream on a running server, across shard lineage");
  cmd->add_option("table", args->table, "Table whose stream to follow")->required();
  cmd->add_option("--endpoint", args->endpoint, "Server to read from")->capture_default_str();
  cmd->add_option("--region", args->region, "Region named in requests")->capture_default_str();
  cmd->add_option("--from", args->from, "Start at the newest record or the oldest one kept")
      ->check(CLI::IsMember({"latest", "trim-horizon"}))
      ->capture_default_str();
  cmd->add_flag("--json", args->json, "Print each record as one line of DynamoDB Streams JSON");
  cmd->add_option("--poll-ms", args->poll_ms, "Pause between empty polls")
      ->check(CLI::Range(1, 60000))
      ->capture_default_str();
  return [args] { return RunTail(*args); };
}

}  // namespace eddy::cli
