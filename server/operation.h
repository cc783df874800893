// What a DynamoDB operation handler sees, and the handlers themselves.
//
// A handler reads its input from `request` (the parsed JSON body, an
// object), does its work through `db` and fills `response` (an object,
// initially empty) on success. On failure it returns the ApiError; the
// router then discards `response` and renders the error, so a handler may
// fail after having written part of its response.
//
// Handlers run on the server's worker threads, many at once; everything
// reachable from the context is thread-safe (Db is, TableSettings locks).
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>

#include "eddy/db.h"
#include "server/errors.h"
#include "server/json.h"

namespace eddy::server {

// Billing settings the engine does not keep: DynamoDB echoes them in every
// TableDescription, Eddy ignores them. Held in memory by table id, so after a
// restart tables report PAY_PER_REQUEST (a documented deviation).
struct BillingSettings {
  bool provisioned = false;
  std::int64_t read_capacity_units = 0;
  std::int64_t write_capacity_units = 0;
};

class TableSettings {
 public:
  void Set(std::uint64_t table_id, const BillingSettings& settings) {
    std::lock_guard lock(mu_);
    by_id_[table_id] = settings;
  }
  BillingSettings Get(std::uint64_t table_id) const {
    std::lock_guard lock(mu_);
    auto it = by_id_.find(table_id);
    return it == by_id_.end() ? BillingSettings{} : it->second;
  }
  void Erase(std::uint64_t table_id) {
    std::lock_guard lock(mu_);
    by_id_.erase(table_id);
  }

 private:
  mutable std::mutex mu_;
  std::map<std::uint64_t, BillingSettings> by_id_;  // GUARDED_BY(mu_)
};

struct RequestContext {
  Db& db;
  TableSettings& settings;
  std::string region;   // from the SigV4 credential scope, else the server's default
  std::string account;  // the server's --account
  const JsonValue& request;
  JsonDocument& response;
  // The region the engine names its streams with (the server's --region);
  // stream ARNs are shown to the client in `region` (stream_ops.h).
  std::string engine_region = {};
  JsonAllocator& alloc() { return response.GetAllocator(); }
};

using Operation = ApiStatus (*)(RequestContext& ctx);

// table_ops.cc
ApiStatus CreateTable(RequestContext& ctx);
ApiStatus DeleteTable(RequestContext& ctx);
ApiStatus DescribeTable(RequestContext& ctx);
ApiStatus UpdateTable(RequestContext& ctx);
ApiStatus ListTables(RequestContext& ctx);
// item_ops.cc
ApiStatus PutItem(RequestContext& ctx);
ApiStatus GetItem(RequestContext& ctx);
ApiStatus UpdateItem(RequestContext& ctx);
ApiStatus DeleteItem(RequestContext& ctx);
// query_ops.cc
ApiStatus Query(RequestContext& ctx);
ApiStatus Scan(RequestContext& ctx);
// batch_ops.cc
ApiStatus BatchWriteItem(RequestContext& ctx);
ApiStatus BatchGetItem(RequestContext& ctx);
// transact_ops.cc
ApiStatus TransactWriteItems(RequestContext& ctx);
// ttl_ops.cc
ApiStatus UpdateTimeToLive(RequestContext& ctx);
ApiStatus DescribeTimeToLive(RequestContext& ctx);

}  // namespace eddy::server
