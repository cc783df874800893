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
#include <unordered_map>
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

 private:
  mutable std::shared_mutex mu_;
  std::map<std::string, std::shared_ptr<const TableState>, std::less<>>
      by_name_;                                                           // GUARDED_BY(mu_)
  std::unordered_map<TableId, std::shared_ptr<const TableState>> by_id_;  // GUARDED_BY(mu_)
  TableId next_id_ = 1;                                                   // GUARDED_BY(mu_)
};

}  // namespace eddy::engine
