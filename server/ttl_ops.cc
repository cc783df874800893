// UpdateTimeToLive and DescribeTimeToLive: the engine deletes expired items
// in the background, and their stream records carry the service identity.
#include "server/operation.h"
#include "server/request_params.h"

namespace eddy::server {

ApiStatus UpdateTimeToLive(RequestContext& ctx) {
  EDDY_API_ASSIGN_OR_RETURN(std::string table, TableNameParam(ctx.request));
  EDDY_API_ASSIGN_OR_RETURN(const JsonValue* spec,
                            OptionalObject(ctx.request, "TimeToLiveSpecification"));
  if (spec == nullptr) return MissingParam("timeToLiveSpecification");
  EDDY_API_ASSIGN_OR_RETURN(std::optional<bool> enabled, OptionalBool(*spec, "Enabled"));
  if (!enabled) return MissingParam("timeToLiveSpecification.enabled");
  EDDY_API_ASSIGN_OR_RETURN(
      std::string_view attribute,
      RequiredString(*spec, "AttributeName", "timeToLiveSpecification.attributeName"));
  TimeToLiveSpecification ttl{*enabled, std::string(attribute)};
  EDDY_API_ASSIGN_OR_RETURN(TimeToLiveSpecification done, ctx.db.UpdateTimeToLive(table, ttl));
  JsonAllocator& alloc = ctx.alloc();
  JsonValue out(rapidjson::kObjectType);
  out.AddMember("Enabled", done.enabled, alloc);
  out.AddMember("AttributeName", JsonString(done.attribute_name, alloc), alloc);
  ctx.response.AddMember("TimeToLiveSpecification", out, alloc);
  return ApiStatus::Ok();
}

ApiStatus DescribeTimeToLive(RequestContext& ctx) {
  EDDY_API_ASSIGN_OR_RETURN(std::string table, TableNameParam(ctx.request));
  EDDY_API_ASSIGN_OR_RETURN(TableDescription d, ctx.db.DescribeTable(table));
  JsonAllocator& alloc = ctx.alloc();
  JsonValue out(rapidjson::kObjectType);
  out.AddMember("TimeToLiveStatus",
                JsonString(d.time_to_live.enabled ? "ENABLED" : "DISABLED", alloc), alloc);
  if (d.time_to_live.enabled) {
    out.AddMember("AttributeName", JsonString(d.time_to_live.attribute_name, alloc), alloc);
  }
  ctx.response.AddMember("TimeToLiveDescription", out, alloc);
  return ApiStatus::Ok();
}

}  // namespace eddy::server
