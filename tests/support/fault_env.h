// FaultEnv: an Env that forwards to another Env (the real one or a MemEnv) and
// injects failures into chosen data operations.
//
// Faults
// - FailWrites / FailDatasyncs: the nth matching operation from the moment of
//   arming (1 = the next one), or that one and every later one, completes with
//   -error without reaching the wrapped Env.
// - ShortenWrites: the chosen write moves only part of its bytes and reports
//   that count; the caller must resubmit the rest. For `direct` files the
//   part is a multiple of kIoAlignment, so writes of one block cannot be
//   shortened and are not counted by the rule.
// - SetCrashed(true): every operation fails (-EIO, IOError) and nothing
//   reaches the wrapped Env until SetCrashed(false): the process is "dead".
// A failed or short operation with link_next cancels the rest of its chain
// (-ECANCELED), as io_uring does; completions of a chain arrive in order.
//
// Which files count: SetFileFilter() picks files by their current name (the
// last path component; renames are followed). Operations on other files are
// forwarded untouched and neither counted nor faulted. Default: all files.
//
// Thread-safety: FaultEnv is thread-safe; arming faults and reading counters
// may race with I/O on other threads. Each IoQueue belongs to one thread.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "wal/env.h"

namespace eddy::wal::testing {

class FaultEnv final : public Env {
 public:
  // `base` must outlive this FaultEnv and every queue made from it.
  explicit FaultEnv(Env* base);
  ~FaultEnv() override;

  Result<FileId> Open(const std::string& path, const OpenOptions& options) override;
  Status Close(FileId file) override;
  Result<std::uint64_t> FileSize(FileId file) override;
  Status CreateDirIfMissing(const std::string& dir) override;
  Result<std::vector<std::string>> ListDir(const std::string& dir) override;
  Status Rename(const std::string& from, const std::string& to) override;
  Status Remove(const std::string& path) override;
  Status SyncDir(const std::string& dir) override;
  Result<std::unique_ptr<IoQueue>> NewIoQueue(std::uint32_t depth) override;

  void FailWrites(std::uint64_t nth, bool every_after = false, int error = 5 /* EIO */);
  void FailDatasyncs(std::uint64_t nth, bool every_after = false, int error = 5 /* EIO */);
  void ShortenWrites(std::uint64_t nth, bool every_after = false);
  void ClearFaults();
  void SetCrashed(bool crashed);

  void SetFileFilter(std::function<bool(std::string_view name)> filter);
  // A filter for live log segments ("wal-<20 digits>.log"), not spares.
  static bool IsSegmentFile(std::string_view name);

  // Operations seen on matching files (all files for the metadata counters).
  struct Counters {
    std::uint64_t writes = 0;        // writes that reached the disk or were failed
    std::uint64_t write_bytes = 0;   // bytes those writes asked to move
    std::uint64_t dsync_writes = 0;  // of those, writes to files opened with dsync
    std::uint64_t datasyncs = 0;     // datasyncs that reached the disk or were failed
    std::uint64_t reads = 0;
    std::uint64_t injected_errors = 0;
    std::uint64_t short_writes = 0;
    std::uint64_t cancelled = 0;  // chain members cancelled by an injected fault
    std::uint64_t opens = 0;
    std::uint64_t renames = 0;
    std::uint64_t removes = 0;
    std::uint64_t dir_syncs = 0;
    // Anything that may make data durable: datasyncs plus dsync writes.
    std::uint64_t syncs() const { return datasyncs + dsync_writes; }
  };
  Counters counters() const;

  // Internal, for the queue.
  struct Rule {
    bool armed = false;
    std::uint64_t nth = 0;
    bool every_after = false;
    int error = 0;
    std::uint64_t seen = 0;
  };
  enum class Decision { kForward, kFail, kShorten };
  struct OpInfo {
    bool is_write = false;
    bool is_datasync = false;
    std::uint32_t len = 0;
  };
  // Counts the operation and says what to do with it; *error for kFail.
  Decision Decide(FileId file, const OpInfo& info, int* error, std::uint32_t* short_len);
  void CountCancelled();

 private:
  bool MatchesLocked(FileId file) const;
  static bool Fires(Rule* rule);

  Env* const base_;
  mutable std::mutex mu_;
  struct FileInfo {
    std::string path;
    bool direct = false;
    bool dsync = false;
  };
  std::map<FileId, FileInfo> files_;               // GUARDED_BY(mu_)
  std::function<bool(std::string_view)> filter_;   // GUARDED_BY(mu_)
  Rule write_fail_, datasync_fail_, write_short_;  // GUARDED_BY(mu_)
  bool crashed_ = false;                           // GUARDED_BY(mu_)
  Counters counters_;                              // GUARDED_BY(mu_)
};

}  // namespace eddy::wal::testing
