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
  // `options` gives what the caller sets; dir, sync none, no progress and no
  // splits are the scratch database's own.
  Status Open(const TableSpec& table, Options options = {}) {
    std::filesystem::remove_all(dir_);
    options.dir = dir_.string();
    options.sync_mode = SyncMode::kNone;
    options.report_progress = false;
    options.shard_split_records_per_s = 0;
    EDDY_ASSIGN_OR_RETURN(db_, Db::Open(options));
    return db_->CreateTable(table).status();
  }

  Db& db() { return *db_; }

 private:
  std::filesystem::path dir_;
  std::unique_ptr<Db> db_;
};

}  // namespace eddy::bench
