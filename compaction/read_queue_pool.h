// ReadQueuePool: synchronous positional reads from any thread — through the
// Env's ReadAt (pread) where it has one, else through its IoQueues.
//
// An IoQueue belongs to one thread at a time, but table reads come from
// whichever thread runs a query. The pool lends a queue for the length of one
// read (a mutex-guarded free list; queues are made on demand and at most
// `max_idle` are kept), so a read costs one submit-and-wait on a ring that
// already exists, much like a pread. One pool can serve every table of an
// Env; a TableReader opened without one makes its own.
//
// The real Env reads with pread (about 1 µs less per page-cache hit than a
// ring's submit-and-wait, docs/sstable_format.md "I/O choices"); the
// in-memory and fault-injecting Envs have no ReadAt, so their reads go
// through queues, where their fault injection sees them.
//
// Thread-safety: Read() is thread-safe. `env` must outlive the pool.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "eddy/result.h"
#include "wal/env.h"

namespace eddy::compaction {

class ReadQueuePool {
 public:
  explicit ReadQueuePool(wal::Env* env, std::size_t max_idle = 8);

  ReadQueuePool(const ReadQueuePool&) = delete;
  ReadQueuePool& operator=(const ReadQueuePool&) = delete;

  // Reads up to `len` bytes at `offset` into `dst`, resubmitting short reads;
  // returns the bytes read, fewer than `len` only at the end of the file.
  Result<std::uint32_t> Read(wal::FileId file, std::uint64_t offset, void* dst, std::uint32_t len);

  wal::Env* env() const { return env_; }

 private:
  Result<std::unique_ptr<wal::IoQueue>> Acquire();
  void Release(std::unique_ptr<wal::IoQueue> queue);

  wal::Env* const env_;
  const std::size_t max_idle_;
  std::mutex mu_;
  std::vector<std::unique_ptr<wal::IoQueue>> idle_;  // GUARDED_BY(mu_)
};

}  // namespace eddy::compaction
