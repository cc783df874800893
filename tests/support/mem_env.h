// MemEnv: an in-memory file system behind the Env seam, for tests.
//
// Model
// - Files hold bytes in memory. Every file also keeps its durable image: what
//   a power loss would leave. A write to a file opened with `dsync` is durable
//   when it completes; other writes become durable at a datasync of that file.
//   A datasync also makes the file's size durable.
// - Directory entries are durable only once SyncDir() of their directory ran:
//   a creation, rename or removal not yet synced is undone by a power loss.
//   Directories themselves (CreateDirIfMissing) are durable at once.
// - DropUnsyncedData() simulates the power loss: every path reverts to its
//   durable entry, every file to its durable image, and every file opened
//   before it goes dead (I/O on it completes with -EIO; Close still works).
//   Call it only while no Wal is running on this Env, or while all of the
//   running Wal's I/O is failing (FaultEnv::SetCrashed) so it cannot write on.
//
// IoQueue: operations are queued, handed over at Submit(), and carried out one
// at a time, in order, when WaitCompletion()/PollCompletion() reaps them (so a
// submitted but unreaped write is not yet in the file). `link_next` is
// honoured: when a linked operation fails or is short, the rest of its chain
// completes with -ECANCELED. A chain ends at the end of a Submit(). Files
// opened with `direct` demand kIoAlignment-aligned offsets, lengths and
// buffers (-EINVAL otherwise), as O_DIRECT does. A notify wait completes (in
// any order relative to I/O) once Notify() was called since the last one.
// Having more than depth() operations queued or in flight is counted
// (depth_violations()); waiting with nothing in flight and no notify wait
// armed aborts with a message (a real io_uring would hang).
//
// Thread-safety: MemEnv is thread-safe (one mutex). Each IoQueue belongs to
// the thread that uses it, as the Env contract says.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "wal/env.h"

namespace eddy::wal::testing {

class MemEnv final : public Env {
 public:
  MemEnv();
  ~MemEnv() override;

  Result<FileId> Open(const std::string& path, const OpenOptions& options) override;
  Status Close(FileId file) override;
  Result<std::uint64_t> FileSize(FileId file) override;
  Status CreateDirIfMissing(const std::string& dir) override;
  Result<std::vector<std::string>> ListDir(const std::string& dir) override;
  Status Rename(const std::string& from, const std::string& to) override;
  Status Remove(const std::string& path) override;
  Status SyncDir(const std::string& dir) override;
  Result<std::unique_ptr<IoQueue>> NewIoQueue(std::uint32_t depth) override;

  // Simulates a power loss (see the model above).
  void DropUnsyncedData();

  // Test access to whole files, bypassing queues and durability: the current
  // contents, and a replacement (which is durable at once).
  Result<std::string> ReadFileForTest(const std::string& path);
  Status WriteFileForTest(const std::string& path, const std::string& contents);
  // Whether the path exists now / would survive a power loss now.
  bool Exists(const std::string& path);
  bool ExistsDurably(const std::string& path);

  // Counters, for tests that check how the log used the disk.
  std::uint64_t datasyncs() const;
  std::uint64_t dir_syncs() const;
  std::uint64_t open_files() const;
  // Times a queue was handed more operations than its depth (a caller bug).
  std::uint64_t depth_violations() const;

  // Internal: the queue calls back into the Env under its lock.
  struct Inode;
  struct Handle;
  struct Op;
  std::int32_t Execute(const Op& op);
  void CountDepthViolation();

 private:
  Handle* FindHandleLocked(FileId file);

  mutable std::mutex mu_;
  std::set<std::string> dirs_;                             // GUARDED_BY(mu_)
  std::map<std::string, std::shared_ptr<Inode>> files_;    // GUARDED_BY(mu_)
  std::map<std::string, std::shared_ptr<Inode>> durable_;  // GUARDED_BY(mu_)
  std::map<FileId, std::unique_ptr<Handle>> handles_;      // GUARDED_BY(mu_)
  FileId next_file_ = 3;                                   // GUARDED_BY(mu_)
  std::uint64_t generation_ = 0;                           // GUARDED_BY(mu_)
  std::uint64_t datasyncs_ = 0;                            // GUARDED_BY(mu_)
  std::uint64_t dir_syncs_ = 0;                            // GUARDED_BY(mu_)
  std::atomic<std::uint64_t> depth_violations_{0};
};

}  // namespace eddy::wal::testing
