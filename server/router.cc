#include "server/router.h"

#include <array>
#include <exception>
#include <utility>

#include "server/sigv4.h"
#include "server/stream_ops.h"

namespace eddy::server {
namespace {

constexpr std::string_view kDynamoDbPrefix = "DynamoDB_20120810.";
constexpr std::string_view kStreamsPrefix = "DynamoDBStreams_20120810.";

struct Route {
  std::string_view name;
  Operation run;
};

constexpr std::array kDynamoDbRoutes = {
    Route{"CreateTable", &CreateTable},
    Route{"DeleteTable", &DeleteTable},
    Route{"DescribeTable", &DescribeTable},
    Route{"UpdateTable", &UpdateTable},
    Route{"ListTables", &ListTables},
    Route{"PutItem", &PutItem},
    Route{"GetItem", &GetItem},
    Route{"UpdateItem", &UpdateItem},
    Route{"DeleteItem", &DeleteItem},
    Route{"Query", &Query},
    Route{"Scan", &Scan},
    Route{"BatchWriteItem", &BatchWriteItem},
    Route{"BatchGetItem", &BatchGetItem},
    Route{"TransactWriteItems", &TransactWriteItems},
    Route{"UpdateTimeToLive", &UpdateTimeToLive},
    Route{"DescribeTimeToLive", &DescribeTimeToLive},
};

constexpr std::array kStreamsRoutes = {
    Route{"ListStreams", &ListStreams},
    Route{"DescribeStream", &DescribeStream},
    Route{"GetShardIterator", &GetShardIterator},
    Route{"GetRecords", &GetRecords},
};

template <std::size_t N>
Operation Find(const std::array<Route, N>& routes, std::string_view name) {
  for (const Route& r : routes) {
    if (r.name == name) return r.run;
  }
  return nullptr;
}

Operation Lookup(std::string_view target) {
  if (target.starts_with(kDynamoDbPrefix)) {
    return Find(kDynamoDbRoutes, target.substr(kDynamoDbPrefix.size()));
  }
  if (target.starts_with(kStreamsPrefix)) {
    return Find(kStreamsRoutes, target.substr(kStreamsPrefix.size()));
  }
  return nullptr;
}

}  // namespace

Router::Router(Db* db, RouterOptions options) : db_(db), options_(std::move(options)) {}

bool Router::MayBlock(std::string_view target) const {
  if (!options_.writes_wait_for_sync || !target.starts_with(kDynamoDbPrefix)) return false;
  const std::string_view op = target.substr(kDynamoDbPrefix.size());
  for (std::string_view write :
       {"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems",
        "CreateTable", "DeleteTable", "UpdateTable", "UpdateTimeToLive"}) {
    if (op == write) return true;
  }
  return false;
}

ApiResponse Router::RenderError(const ApiError& error) {
  JsonDocument doc(rapidjson::kObjectType);
  auto& alloc = doc.GetAllocator();
  doc.AddMember("__type", JsonString(error.QualifiedType(), alloc), alloc);
  if (!error.message.empty()) {
    doc.AddMember(error.capitalized_message ? "Message" : "message",
                  JsonString(error.message, alloc), alloc);
  }
  if (error.extra && error.extra->IsObject()) {
    for (const auto& m : error.extra->GetObject()) {
      doc.AddMember(JsonValue(m.name, alloc), JsonValue(m.value, alloc), alloc);
    }
  }
  return {error.http_status, JsonToString(doc)};
}

ApiResponse Router::Handle(std::string_view target, std::string_view body,
                           std::string_view authorization) {
  const Operation op = Lookup(target);
  if (op == nullptr) return RenderError(ApiError::UnknownOperation(""));

  JsonDocument request;
  // Iterative parsing: nesting depth in hostile input cannot exhaust the
  // stack. An empty body reads as {} (botocore always sends at least that).
  const std::string_view text = body.empty() ? std::string_view("{}") : body;
  request.Parse<rapidjson::kParseIterativeFlag | rapidjson::kParseValidateEncodingFlag>(
      text.data(), text.size());
  if (request.HasParseError() || !request.IsObject()) {
    return RenderError(ApiError::Serialization(""));
  }

  std::optional<std::string> region = RegionFromAuthorization(authorization);
  JsonDocument response(rapidjson::kObjectType);
  RequestContext ctx{
      *db_,    settings_, region ? std::move(*region) : options_.default_region, options_.account,
      request, response};
  ctx.engine_region = options_.default_region;
  try {
    ApiStatus status = op(ctx);
    if (!status.ok()) return RenderError(status.error());
  } catch (const std::exception& e) {
    // Library exceptions (allocation failure) stop at the edge.
    return RenderError(ApiError::Internal(e.what()));
  }
  return {200, JsonToString(response)};
}

}  // namespace eddy::server
