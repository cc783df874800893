#include "engine/read_view.h"

#include "common/blocked_bloom.h"

namespace eddy::engine {
namespace {

// Sets *found from a memtable version; false when the memtable never saw the key.
bool FromVersion(const memtable::ItemVersion* v, std::optional<std::string_view>* found) {
  if (v == nullptr) return false;
  *found = v->is_deletion() ? std::nullopt : std::optional<std::string_view>(v->value());
  return true;
}

}  // namespace

Status FindBelowActive(const ReadView& view, std::string_view key, std::uint64_t key_hash,
                       std::string* owned, std::optional<std::string_view>* found) {
  *found = std::nullopt;
  // With random keys every file's range holds the key, so a read that misses
  // the memtables asks every file's filter: start all those cache misses now,
  // to overlap one another and the memtable searches, rather than pay them
  // one after another.
  const compaction::KeyProbe probe(key, key_hash);
  for (const std::shared_ptr<const TableFile>& file : view.files)
    file->reader->PrefetchFilter(probe);
  for (const FrozenMemtable& f : view.immutables) {
    if (FromVersion(f.mem->Get(key, key_hash), found)) return Status::Ok();
  }
  for (const std::shared_ptr<const TableFile>& file : view.files) {
    EDDY_ASSIGN_OR_RETURN(std::optional<compaction::OwnedTableEntry> e, file->reader->Get(probe));
    if (!e) continue;  // not in this file, or a bloom false positive
    if (e->deletion) return Status::Ok();
    *owned = std::move(e->value);
    *found = std::string_view(*owned);
    return Status::Ok();
  }
  return Status::Ok();
}

Status FindCurrent(const ReadView& view, std::string_view key, std::string* owned,
                   std::optional<std::string_view>* found) {
  const std::uint64_t key_hash = blocked_bloom::KeyHash(key);
  if (FromVersion(view.active->Get(key, key_hash), found)) return Status::Ok();
  return FindBelowActive(view, key, key_hash, owned, found);
}

}  // namespace eddy::engine
