// Env: the seam between the log and the operating system.
//
// Every byte of log data moves through an IoQueue (io_uring in production:
// wal/uring_env.cc). Metadata operations (open, rename, list, directory sync)
// are plain system calls. Tests substitute an in-memory Env that can drop
// unsynced data, and a fault-injecting Env that fails or shortens chosen
// operations (tests/support/).
//
// Errors: an operation's -errno becomes a Status in exactly one place per
// implementation (for the real Env: ErrnoStatus() in wal/io_status.h).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "eddy/result.h"
#include "eddy/status.h"

namespace eddy::wal {

// Alignment of buffers, offsets and lengths for files opened with `direct`.
inline constexpr std::uint32_t kIoAlignment = 4096;

// An open file. Its meaning belongs to the Env that opened it.
using FileId = int;

struct OpenOptions {
  bool create = false;     // create the file if it is missing
  bool read_only = false;  // open for reading only
  bool direct = false;     // O_DIRECT: bypass the page cache (aligned I/O only)
  bool dsync = false;      // O_DSYNC: a write completes only once it is durable
};

// The outcome of one queued operation: `result` is the number of bytes moved
// (0 for a sync), or -errno. A short write or read is not an error here; the
// caller resubmits the rest.
struct IoCompletion {
  std::uint64_t tag = 0;
  std::int32_t result = 0;
};

// One thread's queue of asynchronous file operations. Not thread-safe: each
// thread that does I/O owns its own queue. Buffers handed to Queue* must stay
// valid and untouched until their completion has been returned.
class IoQueue {
 public:
  virtual ~IoQueue() = default;

  // Queue operations; nothing reaches the kernel before Submit(). With
  // `link_next`, the next queued operation starts only after this one fully
  // succeeded; if this one fails or is short, the next completes with
  // -ECANCELED.
  virtual void QueueWrite(FileId file, std::uint64_t offset, const void* data, std::uint32_t len,
                          std::uint64_t tag, bool link_next) = 0;
  virtual void QueueRead(FileId file, std::uint64_t offset, void* data, std::uint32_t len,
                         std::uint64_t tag) = 0;
  virtual void QueueDatasync(FileId file, std::uint64_t tag) = 0;

  // Hands every queued operation to the kernel.
  virtual Status Submit() = 0;
  // Blocks until one completion is available and returns it.
  virtual Status WaitCompletion(IoCompletion* out) = 0;
  // Returns false at once when no completion is ready.
  virtual bool PollCompletion(IoCompletion* out) = 0;
  // Like WaitCompletion, but gives up after `timeout_us`: returns false then.
  virtual Result<bool> WaitCompletionFor(IoCompletion* out, std::uint64_t timeout_us) = 0;

  // Wake-ups from other threads, delivered as completions so that a thread
  // waiting for I/O also wakes for new work (io_uring: a read of an eventfd).
  // QueueNotifyWait arms one wait: a completion with `tag` arrives once
  // Notify() has been called (any number of times) since the previous such
  // completion. At most one wait is armed at a time. Notify() is the only
  // member that is thread-safe.
  virtual void QueueNotifyWait(std::uint64_t tag) = 0;
  virtual void Notify() = 0;

  // Registers memory with the queue for its life, so that writes from
  // within it no longer pin its pages on every write (io_uring's
  // registered buffers; each pin is a costly trip through the hypervisor
  // on the machines of docs/benchmarks.md). Writes from elsewhere work as
  // before. Returns false, changing nothing, where the queue cannot (no
  // such support, a second call, or the locked-memory limit); every write
  // works either way. The memory must outlive the queue.
  struct Region {
    const void* data;
    std::size_t bytes;
  };
  virtual bool RegisterBuffers(const std::vector<Region>& regions) {
    (void)regions;
    return false;
  }

  // How many operations may be queued or in flight at once.
  virtual std::uint32_t depth() const = 0;
};

class Env {
 public:
  virtual ~Env() = default;

  // The real file system with io_uring. Never null; never freed.
  static Env* Default();

  virtual Result<FileId> Open(const std::string& path, const OpenOptions& options) = 0;
  virtual Status Close(FileId file) = 0;
  virtual Result<std::uint64_t> FileSize(FileId file) = 0;

  virtual Status CreateDirIfMissing(const std::string& dir) = 0;
  // Names (not paths) of the entries of `dir`, in no particular order.
  virtual Result<std::vector<std::string>> ListDir(const std::string& dir) = 0;
  virtual Status Rename(const std::string& from, const std::string& to) = 0;
  virtual Status Remove(const std::string& path) = 0;
  // Makes creations, renames and removals in `dir` durable.
  virtual Status SyncDir(const std::string& dir) = 0;

  // A new queue for the calling thread, able to hold `depth` operations.
  virtual Result<std::unique_ptr<IoQueue>> NewIoQueue(std::uint32_t depth) = 0;

  // A synchronous positional read from any thread, outside every queue
  // (pread in the real Env): table block reads are small and mostly hit the
  // page cache, where a ring's submit-and-wait costs more than the read
  // (docs/sstable_format.md, "I/O choices"). Reads up to `len` bytes;
  // fewer only at the end of the file. Envs without it (the test Envs, so
  // that their fault injection sees every read) say so, and callers use an
  // IoQueue instead.
  virtual bool SupportsReadAt() const { return false; }
  virtual Result<std::uint32_t> ReadAt(FileId file, std::uint64_t offset, void* dst,
                                       std::uint32_t len);

  // A read-only shared mapping of the first `bytes` of an open file, which
  // stays valid until the last copy of the pointer goes (closing the file
  // does not end it); null where the Env has no mappings (the test Envs,
  // for the same reason as ReadAt). Table files are read through one: a
  // block costs neither a system call nor a copy. The price: an I/O error
  // under a mapping, or a file cut short while mapped, arrives as SIGBUS
  // rather than a Status (docs/sstable_format.md, "I/O choices").
  virtual Result<std::shared_ptr<const char>> MapReadOnly(FileId file, std::uint64_t bytes);
};

}  // namespace eddy::wal
