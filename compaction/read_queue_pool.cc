#include "compaction/read_queue_pool.h"

#include "wal/io_status.h"

namespace eddy::compaction {
namespace {

// One read in flight per lent queue; a little slack costs nothing.
constexpr std::uint32_t kQueueDepth = 2;

}  // namespace

ReadQueuePool::ReadQueuePool(wal::Env* env, std::size_t max_idle)
    : env_(env), max_idle_(max_idle) {}

Result<std::unique_ptr<wal::IoQueue>> ReadQueuePool::Acquire() {
  {
    std::lock_guard lock(mu_);
    if (!idle_.empty()) {
      std::unique_ptr<wal::IoQueue> queue = std::move(idle_.back());
      idle_.pop_back();
      return queue;
    }
  }
  return env_->NewIoQueue(kQueueDepth);
}

void ReadQueuePool::Release(std::unique_ptr<wal::IoQueue> queue) {
  std::lock_guard lock(mu_);
  if (idle_.size() < max_idle_) idle_.push_back(std::move(queue));
  // Otherwise the surplus queue is destroyed here.
}

Result<std::uint32_t> ReadQueuePool::Read(wal::FileId file, std::uint64_t offset, void* dst,
                                          std::uint32_t len) {
  if (env_->SupportsReadAt()) return env_->ReadAt(file, offset, dst, len);
  EDDY_ASSIGN_OR_RETURN(std::unique_ptr<wal::IoQueue> queue, Acquire());
  std::uint32_t done = 0;
  while (done < len) {
    queue->QueueRead(file, offset + done, static_cast<char*>(dst) + done, len - done, 0);
    Status s = queue->Submit();
    wal::IoCompletion completion;
    if (s.ok()) s = queue->WaitCompletion(&completion);
    // A queue whose submit or wait failed may hold a stray operation; it is
    // dropped rather than lent again.
    if (!s.ok()) return s;
    if (completion.result < 0) {
      Release(std::move(queue));
      return wal::ErrnoStatus(completion.result, "read table");
    }
    if (completion.result == 0) break;  // end of file
    done += static_cast<std::uint32_t>(completion.result);
  }
  Release(std::move(queue));
  return done;
}

}  // namespace eddy::compaction
