#include "wal/segment_pool.h"

#include <algorithm>

#include "common/thread_name.h"
#include "wal/aligned_buffer.h"
#include "wal/io_status.h"
#include "wal/segment_name.h"

namespace eddy::wal {
namespace {
constexpr std::uint32_t kZeroChunkBytes = 1u << 20;
constexpr std::uint32_t kZeroWritesInFlight = 4;
constexpr std::uint64_t AlignDownChunk(std::uint64_t n) {
  return n / kZeroChunkBytes * kZeroChunkBytes;
}
}  // namespace

SegmentPool::SegmentPool(Env* env, std::string dir, std::uint64_t segment_bytes,
                         std::uint32_t target)
    : env_(env), dir_(std::move(dir)), segment_bytes_(segment_bytes), target_(target) {}

SegmentPool::~SegmentPool() {
  Stop();
}

Status SegmentPool::Start() {
  EDDY_ASSIGN_OR_RETURN(std::vector<std::string> names, env_->ListDir(dir_));
  for (const std::string& name : names) {
    if (name.starts_with("wal-spare-") && name.ends_with(".prep")) {
      EDDY_RETURN_IF_ERROR(env_->Remove(dir_ + "/" + name));
      continue;
    }
    if (!IsSpareFileName(name)) continue;
    std::string path = dir_ + "/" + name;
    std::uint64_t id = std::strtoull(name.c_str() + 10, nullptr, 10);
    next_id_ = std::max(next_id_, id + 1);
    EDDY_ASSIGN_OR_RETURN(FileId f, env_->Open(path, {.read_only = true}));
    Result<std::uint64_t> size = env_->FileSize(f);
    env_->Close(f).IgnoreError();
    if (size.ok() && *size == segment_bytes_) {
      ready_.push_back(path);
    } else {
      EDDY_RETURN_IF_ERROR(env_->Remove(path));
    }
  }
  EDDY_ASSIGN_OR_RETURN(queue_, env_->NewIoQueue(kZeroWritesInFlight + 1));
  if (ready_.empty() && target_ > 0) {
    // The first spare is made before the log takes writes: zero-filling it
    // in the background would compete with the first seconds of syncs.
    std::string spare = dir_ + "/" + SpareFileName(next_id_++);
    std::string prep = spare.substr(0, spare.size() - 4) + ".prep";
    EDDY_RETURN_IF_ERROR(Prepare(prep));
    EDDY_RETURN_IF_ERROR(env_->Rename(prep, spare));
    ready_.push_back(spare);
  }
  thread_ = std::thread([this] {
    NameThisThread("eddy-wal-spare");
    Run();
  });
  return Status::Ok();
}

void SegmentPool::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

Result<std::string> SegmentPool::Take() {
  std::unique_lock lock(mu_);
  cv_.notify_all();  // wake the preparer: a spare is about to go
  cv_.wait(lock, [&] { return !ready_.empty() || !error_.ok() || stopping_; });
  if (!ready_.empty()) {
    std::string path = std::move(ready_.front());
    ready_.pop_front();
    cv_.notify_all();
    return path;
  }
  if (!error_.ok()) return error_;
  return Status::IOError("segment pool stopped");
}

Status SegmentPool::Recycle(const std::string& path) {
  std::string spare;
  {
    std::lock_guard lock(mu_);
    if (ready_.size() >= target_ + 1) return env_->Remove(path);
    spare = dir_ + "/" + SpareFileName(next_id_++);
  }
  EDDY_RETURN_IF_ERROR(env_->Rename(path, spare));
  std::lock_guard lock(mu_);
  ready_.push_back(spare);
  cv_.notify_all();
  return Status::Ok();
}

void SegmentPool::Run() {
  while (true) {
    std::string prep, spare;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return stopping_ || (ready_.size() < target_ && error_.ok()); });
      if (stopping_) return;
      std::uint64_t id = next_id_++;
      spare = dir_ + "/" + SpareFileName(id);
      prep = spare.substr(0, spare.size() - 4) + ".prep";
    }
    Status s = Prepare(prep);
    if (s.ok()) s = env_->Rename(prep, spare);
    std::lock_guard lock(mu_);
    if (s.ok()) {
      ready_.push_back(spare);
    } else {
      error_ = s;
    }
    cv_.notify_all();
  }
}

// Zero-fills the whole file and syncs it, so that later overwrites need no
// metadata change (fallocate alone leaves unwritten extents that cost the
// same as growing the file).
Status SegmentPool::Prepare(const std::string& prep_path) {
  EDDY_ASSIGN_OR_RETURN(FileId file, env_->Open(prep_path, {.create = true, .direct = true}));
  auto close_file = [&] { env_->Close(file).IgnoreError(); };
  IoQueue& queue = *queue_;
  AlignedBuffer zeros(kZeroChunkBytes);
  std::uint64_t next = 0, done = 0;
  std::uint32_t in_flight = 0;
  Status status;
  while (status.ok() && done < segment_bytes_) {
    while (in_flight < kZeroWritesInFlight && next < segment_bytes_) {
      auto len = static_cast<std::uint32_t>(
          std::min<std::uint64_t>(kZeroChunkBytes, segment_bytes_ - next));
      queue.QueueWrite(file, next, zeros.data(), len, next, false);
      next += len;
      ++in_flight;
    }
    status = queue.Submit();
    if (!status.ok()) break;
    IoCompletion c;
    status = queue.WaitCompletion(&c);
    if (!status.ok()) break;
    --in_flight;
    if (c.result < 0) {
      status = ErrnoStatus(c.result, "write " + prep_path);
    } else {
      // A chunk (or the rest of one) runs from its tag to the chunk's end.
      std::uint64_t chunk_end =
          std::min<std::uint64_t>(AlignDownChunk(c.tag) + kZeroChunkBytes, segment_bytes_);
      std::uint64_t written = static_cast<std::uint64_t>(c.result);
      if (written == 0) {
        status = Status::IOError("write " + prep_path + ": no progress");
        break;
      }
      done += written;
      if (c.tag + written < chunk_end) {  // short write: queue the rest again
        queue.QueueWrite(file, c.tag + written, zeros.data(),
                         static_cast<std::uint32_t>(chunk_end - c.tag - written), c.tag + written,
                         false);
        ++in_flight;
      }
    }
  }
  while (in_flight > 0) {  // drain before the buffer goes away
    IoCompletion c;
    if (!queue.WaitCompletion(&c).ok()) break;
    --in_flight;
  }
  if (status.ok()) {
    queue.QueueDatasync(file, 0);
    status = queue.Submit();
    IoCompletion c;
    if (status.ok()) status = queue.WaitCompletion(&c);
    if (status.ok() && c.result < 0) status = ErrnoStatus(c.result, "fdatasync " + prep_path);
  }
  close_file();
  return status;
}

}  // namespace eddy::wal
