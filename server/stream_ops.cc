#include "server/stream_ops.h"

#include <cstdio>

#include "server/attribute_json.h"
#include "server/request_params.h"

namespace eddy::server {
namespace {

constexpr std::string_view kArnPrefix = "arn:aws:dynamodb:";

ApiResult<std::uint32_t> LimitParam(const JsonValue& req, std::int64_t max) {
  EDDY_API_ASSIGN_OR_RETURN(std::optional<std::int64_t> limit, OptionalInteger(req, "Limit"));
  if (!limit) return static_cast<std::uint32_t>(max);
  if (*limit < 1) {
    return ConstraintViolation(std::to_string(*limit), "limit",
                               "Member must have value greater than or equal to 1");
  }
  if (*limit > max) {
    return ConstraintViolation(
        std::to_string(*limit), "limit",
        "Member must have value less than or equal to " + std::to_string(max));
  }
  return static_cast<std::uint32_t>(*limit);
}

// The engine's own region in an ARN (or iterator) the client sent.
std::string EngineArn(RequestContext& ctx, std::string_view arn) {
  return ArnInRegion(arn, ctx.engine_region);
}
std::string ClientArn(RequestContext& ctx, std::string_view arn) {
  return ArnInRegion(arn, ctx.region);
}

ApiResult<std::string> StreamArnParam(RequestContext& ctx) {
  EDDY_API_ASSIGN_OR_RETURN(std::string_view arn, RequiredString(ctx.request, "StreamArn"));
  if (arn.size() < 37 || arn.size() > 1024) {
    return ConstraintViolation(arn, "streamArn",
                               arn.size() < 37
                                   ? "Member must have length greater than or equal to 37"
                                   : "Member must have length less than or equal to 1024");
  }
  return EngineArn(ctx, arn);
}

JsonValue KeySchemaJson(const KeySchema& schema, JsonAllocator& alloc) {
  JsonValue out(rapidjson::kArrayType);
  auto add = [&](const KeyAttribute& key, std::string_view type) {
    JsonValue e(rapidjson::kObjectType);
    e.AddMember("AttributeName", JsonString(key.name, alloc), alloc);
    e.AddMember("KeyType", JsonString(type, alloc), alloc);
    out.PushBack(e, alloc);
  };
  add(schema.partition_key, "HASH");
  if (schema.sort_key) add(*schema.sort_key, "RANGE");
  return out;
}

JsonValue RecordJson(RequestContext& ctx, const StreamRecord& r, JsonAllocator& alloc) {
  JsonValue record(rapidjson::kObjectType);
  record.AddMember("eventID", JsonString(r.event_id, alloc), alloc);
  record.AddMember("eventName", JsonString(ChangeTypeName(r.event_name), alloc), alloc);
  record.AddMember("eventVersion", "1.1", alloc);
  record.AddMember("eventSource", "aws:dynamodb", alloc);
  record.AddMember("awsRegion", JsonString(ctx.region, alloc), alloc);
  JsonValue ddb(rapidjson::kObjectType);
  // Epoch seconds, rounded down to the second, as a JSON number.
  ddb.AddMember("ApproximateCreationDateTime",
                static_cast<std::int64_t>(r.approximate_creation_time_us / 1'000'000), alloc);
  ddb.AddMember("Keys", ItemToJson(r.keys, alloc), alloc);
  if (r.new_image) ddb.AddMember("NewImage", ItemToJson(*r.new_image, alloc), alloc);
  if (r.old_image) ddb.AddMember("OldImage", ItemToJson(*r.old_image, alloc), alloc);
  ddb.AddMember("SequenceNumber", JsonString(r.sequence_number, alloc), alloc);
  ddb.AddMember("SizeBytes", static_cast<std::uint64_t>(r.size_bytes), alloc);
  ddb.AddMember("StreamViewType", JsonString(StreamViewTypeName(r.view_type), alloc), alloc);
  record.AddMember("dynamodb", ddb, alloc);
  if (r.by_service) {
    JsonValue identity(rapidjson::kObjectType);
    identity.AddMember("type", "Service", alloc);
    identity.AddMember("principalId", "dynamodb.amazonaws.com", alloc);
    record.AddMember("userIdentity", identity, alloc);
  }
  return record;
}

}  // namespace

std::string ArnInRegion(std::string_view arn, std::string_view region) {
  if (!arn.starts_with(kArnPrefix)) return std::string(arn);
  const std::size_t end = arn.find(':', kArnPrefix.size());
  if (end == std::string_view::npos) return std::string(arn);
  std::string out(kArnPrefix);
  out.append(region).append(arn.substr(end));
  return out;
}

ApiStatus ListStreams(RequestContext& ctx) {
  ListStreamsRequest request;
  EDDY_API_ASSIGN_OR_RETURN(request.limit, LimitParam(ctx.request, 100));
  EDDY_API_ASSIGN_OR_RETURN(std::optional<std::string_view> table,
                            OptionalString(ctx.request, "TableName"));
  if (table) request.table_name = std::string(*table);
  EDDY_API_ASSIGN_OR_RETURN(std::optional<std::string_view> start,
                            OptionalString(ctx.request, "ExclusiveStartStreamArn"));
  if (start) {
    if (!start->starts_with(kArnPrefix)) {
      return ApiError::Validation("Invalid ExclusiveStartStreamArn");
    }
    request.exclusive_start_stream_arn = EngineArn(ctx, *start);
  }
  EDDY_API_ASSIGN_OR_RETURN(ListStreamsResult result, ctx.db.ListStreams(request));
  // A table that does not exist (and left no retained stream) is an error,
  // as DynamoDB's API reference lists it, not an empty list.
  if (table && result.streams.empty() && request.exclusive_start_stream_arn.empty()) {
    EDDY_API_RETURN_IF_ERROR(ctx.db.DescribeTable(*table).status());
  }
  JsonAllocator& alloc = ctx.alloc();
  JsonValue streams(rapidjson::kArrayType);
  for (const StreamSummary& s : result.streams) {
    JsonValue e(rapidjson::kObjectType);
    e.AddMember("StreamArn", JsonString(ClientArn(ctx, s.stream_arn), alloc), alloc);
    e.AddMember("TableName", JsonString(s.table_name, alloc), alloc);
    e.AddMember("StreamLabel", JsonString(s.stream_label, alloc), alloc);
    streams.PushBack(e, alloc);
  }
  ctx.response.AddMember("Streams", streams, alloc);
  if (!result.last_evaluated_stream_arn.empty()) {
    ctx.response.AddMember("LastEvaluatedStreamArn",
                           JsonString(ClientArn(ctx, result.last_evaluated_stream_arn), alloc),
                           alloc);
  }
  return ApiStatus::Ok();
}

ApiStatus DescribeStream(RequestContext& ctx) {
  DescribeStreamRequest request;
  EDDY_API_ASSIGN_OR_RETURN(request.stream_arn, StreamArnParam(ctx));
  EDDY_API_ASSIGN_OR_RETURN(request.limit, LimitParam(ctx.request, 100));
  EDDY_API_ASSIGN_OR_RETURN(std::optional<std::string_view> start,
                            OptionalString(ctx.request, "ExclusiveStartShardId"));
  if (start) request.exclusive_start_shard_id = std::string(*start);
  EDDY_API_ASSIGN_OR_RETURN(const JsonValue* filter, OptionalObject(ctx.request, "ShardFilter"));
  if (filter != nullptr) {
    EDDY_API_ASSIGN_OR_RETURN(std::string_view type,
                              RequiredString(*filter, "Type", "shardFilter.type"));
    if (type != "CHILD_SHARDS") {
      return ConstraintViolation(type, "shardFilter.type",
                                 "Member must satisfy enum value set: [CHILD_SHARDS]");
    }
    EDDY_API_ASSIGN_OR_RETURN(std::string_view shard,
                              RequiredString(*filter, "ShardId", "shardFilter.shardId"));
    if (shard.size() < 28 || shard.size() > 65) {
      return ConstraintViolation(shard, "shardFilter.shardId",
                                 "Member must have length between 28 and 65");
    }
    request.children_of_shard_id = std::string(shard);
  }
  EDDY_API_ASSIGN_OR_RETURN(StreamDescription d, ctx.db.DescribeStream(request));
  JsonAllocator& alloc = ctx.alloc();
  JsonValue out(rapidjson::kObjectType);
  out.AddMember("StreamArn", JsonString(ClientArn(ctx, d.stream_arn), alloc), alloc);
  out.AddMember("StreamLabel", JsonString(d.stream_label, alloc), alloc);
  out.AddMember("StreamStatus", JsonString(StreamStatusName(d.status), alloc), alloc);
  out.AddMember("StreamViewType", JsonString(StreamViewTypeName(d.view_type), alloc), alloc);
  out.AddMember("CreationRequestDateTime", static_cast<double>(d.creation_time_us / 1000) / 1000.0,
                alloc);
  out.AddMember("TableName", JsonString(d.table_name, alloc), alloc);
  out.AddMember("KeySchema", KeySchemaJson(d.key_schema, alloc), alloc);
  JsonValue shards(rapidjson::kArrayType);
  for (const ShardDescription& s : d.shards) {
    JsonValue shard(rapidjson::kObjectType);
    shard.AddMember("ShardId", JsonString(s.shard_id, alloc), alloc);
    if (!s.parent_shard_id.empty()) {
      shard.AddMember("ParentShardId", JsonString(s.parent_shard_id, alloc), alloc);
    }
    JsonValue range(rapidjson::kObjectType);
    range.AddMember("StartingSequenceNumber", JsonString(s.starting_sequence_number, alloc), alloc);
    if (!s.ending_sequence_number.empty()) {
      range.AddMember("EndingSequenceNumber", JsonString(s.ending_sequence_number, alloc), alloc);
    }
    shard.AddMember("SequenceNumberRange", range, alloc);
    shards.PushBack(shard, alloc);
  }
  out.AddMember("Shards", shards, alloc);
  if (!d.last_evaluated_shard_id.empty()) {
    out.AddMember("LastEvaluatedShardId", JsonString(d.last_evaluated_shard_id, alloc), alloc);
  }
  ctx.response.AddMember("StreamDescription", out, alloc);
  return ApiStatus::Ok();
}

ApiStatus GetShardIterator(RequestContext& ctx) {
  GetShardIteratorRequest request;
  EDDY_API_ASSIGN_OR_RETURN(request.stream_arn, StreamArnParam(ctx));
  EDDY_API_ASSIGN_OR_RETURN(std::string_view shard, RequiredString(ctx.request, "ShardId"));
  if (shard.size() < 28 || shard.size() > 65) {
    return ConstraintViolation(shard, "shardId", "Member must have length between 28 and 65");
  }
  request.shard_id = std::string(shard);
  EDDY_API_ASSIGN_OR_RETURN(std::string_view type,
                            RequiredString(ctx.request, "ShardIteratorType"));
  std::optional<ShardIteratorType> parsed = ParseShardIteratorType(type);
  if (!parsed) {
    return ConstraintViolation(type, "shardIteratorType",
                               "Member must satisfy enum value set: [AFTER_SEQUENCE_NUMBER, "
                               "TRIM_HORIZON, AT_SEQUENCE_NUMBER, LATEST]");
  }
  request.type = *parsed;
  EDDY_API_ASSIGN_OR_RETURN(std::optional<std::string_view> seq,
                            OptionalString(ctx.request, "SequenceNumber"));
  if (seq) request.sequence_number = std::string(*seq);
  EDDY_API_ASSIGN_OR_RETURN(std::string iterator, ctx.db.GetShardIterator(request));
  ctx.response.AddMember("ShardIterator", JsonString(ClientArn(ctx, iterator), ctx.alloc()),
                         ctx.alloc());
  return ApiStatus::Ok();
}

ApiStatus GetRecords(RequestContext& ctx) {
  EDDY_API_ASSIGN_OR_RETURN(std::string_view iterator,
                            RequiredString(ctx.request, "ShardIterator"));
  if (iterator.empty() || iterator.size() > 2048) {
    return ConstraintViolation(iterator, "shardIterator",
                               "Member must have length between 1 and 2048");
  }
  EDDY_API_ASSIGN_OR_RETURN(std::uint32_t limit, LimitParam(ctx.request, kMaxGetRecordsLimit));
  EDDY_API_ASSIGN_OR_RETURN(GetRecordsResult result,
                            ctx.db.GetRecords(EngineArn(ctx, iterator), limit));
  JsonAllocator& alloc = ctx.alloc();
  JsonValue records(rapidjson::kArrayType);
  for (const StreamRecord& r : result.records)
    records.PushBack(RecordJson(ctx, r, alloc), alloc);
  ctx.response.AddMember("Records", records, alloc);
  // Omitted (not null, not "") once a closed shard is read to its end.
  if (!result.next_shard_iterator.empty()) {
    ctx.response.AddMember("NextShardIterator",
                           JsonString(ClientArn(ctx, result.next_shard_iterator), alloc), alloc);
  }
  return ApiStatus::Ok();
}

}  // namespace eddy::server
