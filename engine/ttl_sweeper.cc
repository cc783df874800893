// Time to Live: the engine deletes items whose TTL attribute holds a number
// of epoch seconds in the past. The sweep scans each table with TTL enabled
// page by page and deletes each expired item through the ordinary write
// path, under the condition that the attribute still holds the value the
// scan saw (a concurrent update that extends the item's life wins). The
// deletes are marked as made by the service, so their stream records carry
// DynamoDB's service userIdentity.
#include "eddy/condition.h"
#include "engine/db_impl.h"

namespace eddy::engine {
namespace {

// DynamoDB leaves items alone whose TTL value is more than five years in
// the past (a value that is more likely a mistake than an expiry).
constexpr std::int64_t kIgnoreOlderThanS = 5LL * 365 * 24 * 3600;

}  // namespace

Status DbImpl::RunTimeToLiveSweep() {
  const auto now_s = static_cast<std::int64_t>(
      (options_.clock ? options_.clock : Clock::Real())->NowMicros() / 1'000'000);
  const Number now = Number::FromInt64(now_s);
  const Number oldest = Number::FromInt64(now_s - kIgnoreOlderThanS);
  for (const std::string& name : catalog_.Names()) {
    std::shared_ptr<const TableState> table = catalog_.Find(name);
    if (!table || !table->description.time_to_live.enabled) continue;
    const std::string& attribute = table->description.time_to_live.attribute_name;
    ScanRequest scan;
    scan.table = name;
    while (true) {
      if (closed_.load(std::memory_order_acquire)) return Status::Ok();
      Result<QueryResult> page = Scan(scan);
      if (page.status().IsNotFound()) break;  // the table went meanwhile
      EDDY_RETURN_IF_ERROR(page.status());
      for (const Item& item : page->items) {
        const AttributeValue* ttl = item.Find(attribute);
        if (ttl == nullptr || !ttl->Is(AttributeType::kN)) continue;
        if (!(ttl->AsNumber() < now) || ttl->AsNumber() < oldest) continue;
        EDDY_ASSIGN_OR_RETURN(Item key, ExtractKey(item, table->key_schema()));
        const Condition unchanged = cond::Eq(Path(attribute), *ttl);
        WriteOp op = WriteOp::Delete(name, std::move(key));
        op.condition = &unchanged;
        std::vector<WriteOutcome> outcomes;
        Status s = Execute(std::span<const WriteOp>(&op, 1), false, &outcomes, true);
        if (!s.ok() && !s.IsConditionFailed() && !s.IsNotFound()) return s;
      }
      if (!page->last_evaluated_key) break;
      scan.exclusive_start_key = std::move(page->last_evaluated_key);
    }
  }
  return Status::Ok();
}

}  // namespace eddy::engine
