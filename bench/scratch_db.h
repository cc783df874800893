// ScratchDb: a database in its own temporary directory for the
// microbenchmarks, opened with sync none and one table; closed and removed
// when it goes away.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "eddy/db.h"

namespace eddy::bench {

class ScratchDb {
 public:
  explicit ScratchDb(std::string_view name)
      : dir_(std::filesystem::temp_directory_path() /
             ("eddy-" + std::string(name) + "-" + std::to_string(::getpid()))) {}
  ~ScratchDb() {
    if (db_ != nullptr) (void)db_->Close();
    db_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  ScratchDb(const ScratchDb&) = delete;
  ScratchDb& operator=(const ScratchDb&) = delete;

  // Opens a fresh database (shards never split) and creates `table`.
  Status Open(const TableSpec& table, std::uint64_t memtable_budget_bytes = 64ull << 20) {
    std::filesystem::remove_all(dir_);
    Options options;
    options.dir = dir_.string();
    options.sync_mode = SyncMode::kNone;
    options.report_progress = false;
    options.shard_split_records_per_s = 0;
    options.memtable_budget_bytes = memtable_budget_bytes;
    EDDY_ASSIGN_OR_RETURN(db_, Db::Open(options));
    return db_->CreateTable(table).status();
  }

  Db& db() { return *db_; }

 private:
  std::filesystem::path dir_;
  std::unique_ptr<Db> db_;
};

}  // namespace eddy::bench
