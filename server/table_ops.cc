// CreateTable, DeleteTable, DescribeTable, UpdateTable, ListTables.
//
// The engine keeps name, key schema, stream setting, id, creation time and
// item count; the rest of DynamoDB's TableDescription is rendered from
// those (status is always ACTIVE: tables are created synchronously) or from
// the in-memory billing settings (operation.h).
#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "server/operation.h"
#include "server/request_params.h"
#include "server/stream_ops.h"

namespace eddy::server {
namespace {

constexpr std::string_view kInvalid = "One or more parameter values were invalid: ";

std::string TableArn(const RequestContext& ctx, std::string_view name) {
  return "arn:aws:dynamodb:" + ctx.region + ":" + ctx.account + ":table/" + std::string(name);
}

// A stable UUID-shaped id derived from the engine's table id and creation
// time (both unique for the life of the directory).
std::string TableId(const TableDescription& d) {
  char buf[40];
  std::snprintf(buf, sizeof(buf), "%08x-%04x-4%03x-8%03x-%012llx",
                static_cast<unsigned>(d.creation_time_us >> 32),
                static_cast<unsigned>((d.creation_time_us >> 16) & 0xffff),
                static_cast<unsigned>(d.creation_time_us & 0xfff),
                static_cast<unsigned>((d.table_id >> 48) & 0xfff),
                static_cast<unsigned long long>(d.table_id & 0xffffffffffffull));
  return buf;
}

void AddKeyAttribute(const KeyAttribute& k, std::string_view key_type, JsonValue* schema,
                     JsonValue* definitions, JsonAllocator& alloc) {
  JsonValue element(rapidjson::kObjectType);
  element.AddMember("AttributeName", JsonString(k.name, alloc), alloc);
  element.AddMember("KeyType", JsonString(key_type, alloc), alloc);
  schema->PushBack(element, alloc);
  JsonValue definition(rapidjson::kObjectType);
  definition.AddMember("AttributeName", JsonString(k.name, alloc), alloc);
  definition.AddMember("AttributeType", JsonString(TypeName(k.type), alloc), alloc);
  definitions->PushBack(definition, alloc);
}

JsonValue DescriptionToJson(RequestContext& ctx, const TableDescription& d,
                            std::string_view status) {
  JsonAllocator& alloc = ctx.alloc();
  const BillingSettings billing = ctx.settings.Get(d.table_id);
  JsonValue out(rapidjson::kObjectType);
  JsonValue schema(rapidjson::kArrayType);
  JsonValue definitions(rapidjson::kArrayType);
  AddKeyAttribute(d.key_schema.partition_key, "HASH", &schema, &definitions, alloc);
  if (d.key_schema.sort_key) {
    AddKeyAttribute(*d.key_schema.sort_key, "RANGE", &schema, &definitions, alloc);
  }
  out.AddMember("AttributeDefinitions", definitions, alloc);
  out.AddMember("TableName", JsonString(d.name, alloc), alloc);
  out.AddMember("KeySchema", schema, alloc);
  out.AddMember("TableStatus", JsonString(status, alloc), alloc);
  out.AddMember("CreationDateTime", static_cast<double>(d.creation_time_us) / 1e6, alloc);
  JsonValue throughput(rapidjson::kObjectType);
  throughput.AddMember("NumberOfDecreasesToday", 0, alloc);
  throughput.AddMember("ReadCapacityUnits", billing.read_capacity_units, alloc);
  throughput.AddMember("WriteCapacityUnits", billing.write_capacity_units, alloc);
  out.AddMember("ProvisionedThroughput", throughput, alloc);
  out.AddMember("TableSizeBytes", 0, alloc);
  out.AddMember("ItemCount", d.item_count, alloc);
  out.AddMember("TableArn", JsonString(TableArn(ctx, d.name), alloc), alloc);
  out.AddMember("TableId", JsonString(TableId(d), alloc), alloc);
  JsonValue billing_summary(rapidjson::kObjectType);
  billing_summary.AddMember(
      "BillingMode", JsonString(billing.provisioned ? "PROVISIONED" : "PAY_PER_REQUEST", alloc),
      alloc);
  out.AddMember("BillingModeSummary", billing_summary, alloc);
  if (d.stream.enabled) {
    JsonValue stream(rapidjson::kObjectType);
    stream.AddMember("StreamEnabled", true, alloc);
    stream.AddMember("StreamViewType", JsonString(StreamViewTypeName(d.stream.view_type), alloc),
                     alloc);
    out.AddMember("StreamSpecification", stream, alloc);
  }
  if (!d.latest_stream_arn.empty()) {
    out.AddMember("LatestStreamArn",
                  JsonString(ArnInRegion(d.latest_stream_arn, ctx.region), alloc), alloc);
    out.AddMember("LatestStreamLabel", JsonString(d.latest_stream_label, alloc), alloc);
  }
  out.AddMember("DeletionProtectionEnabled", false, alloc);
  return out;
}

ApiResult<AttributeType> KeyTypeOf(std::string_view type, std::string_view path) {
  if (type == "S") return AttributeType::kS;
  if (type == "N") return AttributeType::kN;
  if (type == "B") return AttributeType::kB;
  return ConstraintViolation(type, path, "Member must satisfy enum value set: [B, N, S]");
}

// KeySchema + AttributeDefinitions -> KeySchema, with DynamoDB's checks and
// (mostly) its messages.
ApiResult<KeySchema> ParseKeySchema(const JsonValue& req) {
  EDDY_API_ASSIGN_OR_RETURN(const JsonValue* elements, OptionalArray(req, "KeySchema"));
  if (elements == nullptr) return MissingParam("keySchema");
  EDDY_API_ASSIGN_OR_RETURN(const JsonValue* defs, OptionalArray(req, "AttributeDefinitions"));
  if (defs == nullptr) return MissingParam("attributeDefinitions");
  if (elements->Empty() || elements->Size() > 2) {
    return ConstraintViolation(std::to_string(elements->Size()) + " elements", "keySchema",
                               elements->Empty()
                                   ? "Member must have length greater than or equal to 1"
                                   : "Member must have length less than or equal to 2");
  }
  std::vector<std::pair<std::string, AttributeType>> definitions;
  for (rapidjson::SizeType i = 0; i < defs->Size(); ++i) {
    const std::string path = "attributeDefinitions." + std::to_string(i + 1) + ".member.";
    const JsonValue& d = (*defs)[i];
    if (!d.IsObject()) return ApiError::Serialization("AttributeDefinitions");
    EDDY_API_ASSIGN_OR_RETURN(std::string_view name,
                              RequiredString(d, "AttributeName", path + "attributeName"));
    EDDY_API_ASSIGN_OR_RETURN(std::string_view type,
                              RequiredString(d, "AttributeType", path + "attributeType"));
    EDDY_API_ASSIGN_OR_RETURN(AttributeType t, KeyTypeOf(type, path + "attributeType"));
    for (const auto& [existing, _] : definitions) {
      if (existing == name) {
        return ApiError::Validation(
            std::string(kInvalid) +
            "Duplicate AttributeName in AttributeDefinitions: " + std::string(name));
      }
    }
    definitions.emplace_back(std::string(name), t);
  }
  KeySchema schema;
  std::vector<std::string> key_names;
  for (rapidjson::SizeType i = 0; i < elements->Size(); ++i) {
    const std::string path = "keySchema." + std::to_string(i + 1) + ".member.";
    const JsonValue& e = (*elements)[i];
    if (!e.IsObject()) return ApiError::Serialization("KeySchema");
    EDDY_API_ASSIGN_OR_RETURN(std::string_view name,
                              RequiredString(e, "AttributeName", path + "attributeName"));
    EDDY_API_ASSIGN_OR_RETURN(std::string_view key_type,
                              RequiredString(e, "KeyType", path + "keyType"));
    if (key_type != "HASH" && key_type != "RANGE") {
      return ConstraintViolation(key_type, path + "keyType",
                                 "Member must satisfy enum value set: [HASH, RANGE]");
    }
    if (i == 0 && key_type != "HASH") {
      return ApiError::Validation(
          "Invalid KeySchema: The first KeySchemaElement is not a HASH key type");
    }
    if (i == 1 && key_type == "HASH") {
      return ApiError::Validation(
          "Too many hash keys specified.  All Dynamo DB tables must have exactly one hash key");
    }
    if (i == 1 && name == key_names[0]) {
      return ApiError::Validation(
          "Both the Hash Key and the Range Key element in the KeySchema have the same name");
    }
    key_names.emplace_back(name);
  }
  for (const std::string& name : key_names) {
    auto it = std::find_if(definitions.begin(), definitions.end(),
                           [&](const auto& d) { return d.first == name; });
    if (it == definitions.end()) {
      std::string keys, defined;
      for (const std::string& k : key_names)
        keys += (keys.empty() ? "" : ", ") + k;
      for (const auto& d : definitions)
        defined += (defined.empty() ? "" : ", ") + d.first;
      return ApiError::Validation(std::string(kInvalid) +
                                  "Some index key attributes are not defined in "
                                  "AttributeDefinitions. Keys: [" +
                                  keys + "], AttributeDefinitions: [" + defined + "]");
    }
    KeyAttribute attribute{name, it->second};
    if (&name == &key_names[0]) {
      schema.partition_key = attribute;
    } else {
      schema.sort_key = attribute;
    }
  }
  if (definitions.size() != key_names.size()) {
    return ApiError::Validation(std::string(kInvalid) +
                                "Number of attributes in KeySchema does not exactly match number "
                                "of attributes defined in AttributeDefinitions");
  }
  EDDY_API_RETURN_IF_ERROR(ValidateKeySchema(schema));
  return schema;
}

// BillingMode + ProvisionedThroughput. `current` is the table's setting for
// UpdateTable, nullptr for CreateTable (where BillingMode defaults to
// PROVISIONED, as in DynamoDB).
ApiResult<BillingSettings> ParseBilling(const JsonValue& req, const BillingSettings* current) {
  EDDY_API_ASSIGN_OR_RETURN(std::optional<std::string_view> mode,
                            OptionalString(req, "BillingMode"));
  EDDY_API_ASSIGN_OR_RETURN(const JsonValue* pt, OptionalObject(req, "ProvisionedThroughput"));
  if (mode && *mode != "PROVISIONED" && *mode != "PAY_PER_REQUEST") {
    return ConstraintViolation(
        *mode, "billingMode", "Member must satisfy enum value set: [PROVISIONED, PAY_PER_REQUEST]");
  }
  BillingSettings out = current ? *current : BillingSettings{true, 0, 0};
  if (mode) out.provisioned = *mode == "PROVISIONED";
  if (!out.provisioned) {
    if (pt != nullptr) {
      return ApiError::Validation(std::string(kInvalid) +
                                  "Neither ReadCapacityUnits nor WriteCapacityUnits can be "
                                  "specified when BillingMode is PAY_PER_REQUEST");
    }
    out.read_capacity_units = out.write_capacity_units = 0;
    return out;
  }
  if (pt == nullptr) {
    if (current != nullptr && current->provisioned) return out;
    return ApiError::Validation(std::string(kInvalid) +
                                "ReadCapacityUnits and WriteCapacityUnits must both be specified "
                                "when BillingMode is PROVISIONED");
  }
  EDDY_API_ASSIGN_OR_RETURN(std::optional<std::int64_t> rcu,
                            OptionalInteger(*pt, "ReadCapacityUnits"));
  EDDY_API_ASSIGN_OR_RETURN(std::optional<std::int64_t> wcu,
                            OptionalInteger(*pt, "WriteCapacityUnits"));
  if (!rcu) return MissingParam("provisionedThroughput.readCapacityUnits");
  if (!wcu) return MissingParam("provisionedThroughput.writeCapacityUnits");
  if (*rcu < 1 || *wcu < 1) {
    return ConstraintViolation(std::to_string(*rcu < 1 ? *rcu : *wcu),
                               *rcu < 1 ? "provisionedThroughput.readCapacityUnits"
                                        : "provisionedThroughput.writeCapacityUnits",
                               "Member must have value greater than or equal to 1");
  }
  out.read_capacity_units = *rcu;
  out.write_capacity_units = *wcu;
  return out;
}

// nullopt when the request has no StreamSpecification.
ApiResult<std::optional<StreamSpecification>> ParseStreamSpecification(const JsonValue& req) {
  EDDY_API_ASSIGN_OR_RETURN(const JsonValue* spec, OptionalObject(req, "StreamSpecification"));
  if (spec == nullptr) return std::optional<StreamSpecification>();
  EDDY_API_ASSIGN_OR_RETURN(std::optional<bool> enabled, OptionalBool(*spec, "StreamEnabled"));
  if (!enabled) return MissingParam("streamSpecification.streamEnabled");
  EDDY_API_ASSIGN_OR_RETURN(std::optional<std::string_view> view,
                            OptionalString(*spec, "StreamViewType"));
  StreamSpecification out;
  out.enabled = *enabled;
  if (view) {
    std::optional<StreamViewType> t = ParseStreamViewType(*view);
    if (!t) {
      return ConstraintViolation(*view, "streamSpecification.streamViewType",
                                 "Member must satisfy enum value set: [NEW_IMAGE, OLD_IMAGE, "
                                 "NEW_AND_OLD_IMAGES, KEYS_ONLY]");
    }
    out.view_type = *t;
  }
  if (out.enabled && !view) {
    return ApiError::Validation(std::string(kInvalid) +
                                "You must specify a StreamViewType when enabling a stream");
  }
  return std::optional<StreamSpecification>(out);
}

}  // namespace

ApiStatus CreateTable(RequestContext& ctx) {
  const JsonValue& req = ctx.request;
  EDDY_API_RETURN_IF_ERROR(
      RejectUnsupported(req, {"LocalSecondaryIndexes", "GlobalSecondaryIndexes"}));
  EDDY_API_ASSIGN_OR_RETURN(std::string name, TableNameParam(req));
  EDDY_API_ASSIGN_OR_RETURN(KeySchema schema, ParseKeySchema(req));
  EDDY_API_ASSIGN_OR_RETURN(BillingSettings billing, ParseBilling(req, nullptr));
  EDDY_API_ASSIGN_OR_RETURN(std::optional<StreamSpecification> stream,
                            ParseStreamSpecification(req));
  TableSpec spec{name, schema, stream.value_or(StreamSpecification{})};
  EDDY_API_ASSIGN_OR_RETURN(TableDescription d, ctx.db.CreateTable(spec));
  ctx.settings.Set(d.table_id, billing);
  ctx.response.AddMember("TableDescription", DescriptionToJson(ctx, d, "ACTIVE"), ctx.alloc());
  return ApiStatus::Ok();
}

ApiStatus DeleteTable(RequestContext& ctx) {
  EDDY_API_ASSIGN_OR_RETURN(std::string name, TableNameParam(ctx.request));
  EDDY_API_ASSIGN_OR_RETURN(TableDescription d, ctx.db.DeleteTable(name));
  ctx.response.AddMember("TableDescription", DescriptionToJson(ctx, d, "DELETING"), ctx.alloc());
  ctx.settings.Erase(d.table_id);
  return ApiStatus::Ok();
}

ApiStatus DescribeTable(RequestContext& ctx) {
  EDDY_API_ASSIGN_OR_RETURN(std::string name, TableNameParam(ctx.request));
  EDDY_API_ASSIGN_OR_RETURN(TableDescription d, ctx.db.DescribeTable(name));
  ctx.response.AddMember("Table", DescriptionToJson(ctx, d, "ACTIVE"), ctx.alloc());
  return ApiStatus::Ok();
}

ApiStatus UpdateTable(RequestContext& ctx) {
  const JsonValue& req = ctx.request;
  EDDY_API_RETURN_IF_ERROR(RejectUnsupported(
      req, {"GlobalSecondaryIndexUpdates", "ReplicaUpdates", "AttributeDefinitions"}));
  EDDY_API_ASSIGN_OR_RETURN(std::string name, TableNameParam(req));
  EDDY_API_ASSIGN_OR_RETURN(std::optional<StreamSpecification> stream,
                            ParseStreamSpecification(req));
  const bool billing_given = FindMember(req, "BillingMode") != nullptr ||
                             FindMember(req, "ProvisionedThroughput") != nullptr;
  if (!stream && !billing_given && FindMember(req, "SSESpecification") == nullptr &&
      FindMember(req, "DeletionProtectionEnabled") == nullptr &&
      FindMember(req, "TableClass") == nullptr) {
    return ApiError::Validation(
        "At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, "
        "GlobalSecondaryIndexUpdates or SSESpecification or ReplicaUpdates is required");
  }
  EDDY_API_ASSIGN_OR_RETURN(TableDescription d, ctx.db.DescribeTable(name));
  std::optional<BillingSettings> billing;
  if (billing_given) {
    const BillingSettings current = ctx.settings.Get(d.table_id);
    EDDY_API_ASSIGN_OR_RETURN(billing, ParseBilling(req, &current));
  }
  if (stream) {
    EDDY_API_ASSIGN_OR_RETURN(d, ctx.db.UpdateStream(name, *stream));
  }
  if (billing) ctx.settings.Set(d.table_id, *billing);
  ctx.response.AddMember("TableDescription", DescriptionToJson(ctx, d, "ACTIVE"), ctx.alloc());
  return ApiStatus::Ok();
}

ApiStatus ListTables(RequestContext& ctx) {
  const JsonValue& req = ctx.request;
  EDDY_API_ASSIGN_OR_RETURN(std::optional<std::int64_t> limit, OptionalInteger(req, "Limit"));
  EDDY_API_ASSIGN_OR_RETURN(std::optional<std::string_view> start,
                            OptionalString(req, "ExclusiveStartTableName"));
  if (limit && (*limit < 1 || *limit > 100)) {
    return ConstraintViolation(std::to_string(*limit), "limit",
                               *limit < 1 ? "Member must have value greater than or equal to 1"
                                          : "Member must have value less than or equal to 100");
  }
  const std::size_t page = static_cast<std::size_t>(limit.value_or(100));
  std::vector<std::string> names = ctx.db.ListTables();  // ascending
  auto it = names.begin();
  if (start) it = std::upper_bound(names.begin(), names.end(), *start);
  JsonAllocator& alloc = ctx.alloc();
  JsonValue out(rapidjson::kArrayType);
  std::size_t n = 0;
  for (; it != names.end() && n < page; ++it, ++n)
    out.PushBack(JsonString(*it, alloc), alloc);
  ctx.response.AddMember("TableNames", out, alloc);
  if (it != names.end()) {
    ctx.response.AddMember("LastEvaluatedTableName", JsonString(*(it - 1), alloc), alloc);
  }
  return ApiStatus::Ok();
}

}  // namespace eddy::server
