// Catalog: the tables of an open directory, rebuilt from catalog records in
// the log.
//
// A table's description is immutable once published: a change (stream
// setting) publishes a new TableState, so a writer that took a snapshot sees
// one consistent description. The item count is shared across versions.
//
// Thread-safety: all members are thread-safe. Mutations are serialised by
// the caller (the engine's DDL mutex), so that log order and catalog order
// agree.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "eddy/table.h"
#include "engine/log_records.h"

namespace eddy::engine {

struct TableState {
  TableDescription description;
  std::shared_ptr<std::atomic<std::int64_t>> item_count;

  TableId id() const { return description.table_id; }
  const KeySchema& key_schema() const { return description.key_schema; }
};

class Catalog {
 public:
  std::shared_ptr<const TableState> Find(std::string_view name) const;
  std::shared_ptr<const TableState> FindById(TableId id) const;
  std::vector<std::string> Names() const;
  TableId NextTableId() const;

  // Checks that `record` can apply to the current catalog (name free, table
  // present, stream transition valid).
  Status Check(const CatalogRecord& record) const;
  // Applies a record that passed Check (live) or came from the log (replay).
  // Returns the table's new state (the removed one for a delete).
  Result<std::shared_ptr<const TableState>> Apply(const CatalogRecord& record);

  // ---- Checkpoints (catalog_checkpoint.cc; written into the manifest so
  // the log that created the tables can be released)
  // Every table's item count now. The engine takes it while no write is
  // between its log append and its memtable install, so the counts are
  // exact as of one LSN.
  std::vector<std::pair<TableId, std::int64_t>> ItemCounts() const;
  // Encodes the tables and next table id, which reflect every catalog
  // record up to `catalog_lsn` (the caller holds the DDL mutex), and
  // `counts`, which reflect every item change up to `counts_lsn`. Tables
  // missing from `counts` (created after counts_lsn) count 0.
  void EncodeCheckpoint(Lsn catalog_lsn, Lsn counts_lsn,
                        const std::vector<std::pair<TableId, std::int64_t>>& counts,
                        std::string* out) const;
  // Replaces the catalog with a checkpoint's (at open, before replay).
  struct CheckpointLsns {
    Lsn catalog = 0;  // replay skips catalog records at or below it
    Lsn counts = 0;   // and item count updates at or below this one
  };
  Result<CheckpointLsns> Restore(std::string_view bytes);

 private:
  mutable std::shared_mutex mu_;
  std::map<std::string, std::shared_ptr<const TableState>, std::less<>>
      by_name_;                                                           // GUARDED_BY(mu_)
  std::unordered_map<TableId, std::shared_ptr<const TableState>> by_id_;  // GUARDED_BY(mu_)
  TableId next_id_ = 1;                                                   // GUARDED_BY(mu_)
};

}  // namespace eddy::engine
