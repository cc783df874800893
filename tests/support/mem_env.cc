// MemEnv design note: a file is an Inode shared by every path and handle that
// names it, so a rename or remove never disturbs open files (as on POSIX).
// Durability is tracked per inode as a second image plus the byte ranges
// written since the last datasync, so a datasync costs the dirty bytes, not
// the file size (segments are tens of MiB). Directory durability is a second
// path -> inode map that SyncDir() copies one directory of.
#include "support/mem_env.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <iterator>

namespace eddy::wal::testing {

struct MemEnv::Inode {
  std::string data;                              // what reads see
  std::string durable;                           // what a power loss leaves
  std::map<std::uint64_t, std::uint64_t> dirty;  // [begin, end) written since last datasync
};

struct MemEnv::Handle {
  std::shared_ptr<Inode> inode;
  OpenOptions options;
  std::uint64_t generation = 0;
  std::string path;
};

struct MemEnv::Op {
  enum class Kind { kWrite, kRead, kDatasync, kNotifyWait };
  Kind kind = Kind::kWrite;
  FileId file = -1;
  std::uint64_t offset = 0;
  const void* src = nullptr;
  void* dst = nullptr;
  std::uint32_t len = 0;
  std::uint64_t tag = 0;
  bool link_next = false;
};

namespace {

[[noreturn]] void Die(const char* what) {
  std::fprintf(stderr, "MemEnv: caller bug: %s\n", what);
  std::abort();
}

std::string Normalize(const std::string& path) {
  std::string out;
  out.reserve(path.size());
  for (char c : path) {
    if (c == '/' && !out.empty() && out.back() == '/') continue;
    out += c;
  }
  while (out.size() > 1 && out.back() == '/')
    out.pop_back();
  while (out.size() > 2 && out.compare(out.size() - 2, 2, "/.") == 0)
    out.resize(out.size() - 2);
  return out;
}

std::string Parent(const std::string& path) {
  std::size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

std::string Basename(const std::string& path) {
  std::size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

void AddDirty(std::map<std::uint64_t, std::uint64_t>* ranges, std::uint64_t begin,
              std::uint64_t end) {
  auto it = ranges->upper_bound(begin);
  if (it != ranges->begin()) {
    auto prev = std::prev(it);
    if (prev->second >= begin) {
      begin = prev->first;
      end = std::max(end, prev->second);
      it = ranges->erase(prev);
    }
  }
  while (it != ranges->end() && it->first <= end) {
    end = std::max(end, it->second);
    it = ranges->erase(it);
  }
  (*ranges)[begin] = end;
}

bool Aligned(std::uint64_t v) {
  return v % kIoAlignment == 0;
}

class MemIoQueue final : public IoQueue {
 public:
  MemIoQueue(MemEnv* env, std::uint32_t depth) : env_(env), depth_(depth) {}

  void QueueWrite(FileId file, std::uint64_t offset, const void* data, std::uint32_t len,
                  std::uint64_t tag, bool link_next) override {
    MemEnv::Op op;
    op.kind = MemEnv::Op::Kind::kWrite;
    op.file = file;
    op.offset = offset;
    op.src = data;
    op.len = len;
    op.tag = tag;
    op.link_next = link_next;
    Push(op);
  }
  void QueueRead(FileId file, std::uint64_t offset, void* data, std::uint32_t len,
                 std::uint64_t tag) override {
    MemEnv::Op op;
    op.kind = MemEnv::Op::Kind::kRead;
    op.file = file;
    op.offset = offset;
    op.dst = data;
    op.len = len;
    op.tag = tag;
    Push(op);
  }
  void QueueDatasync(FileId file, std::uint64_t tag) override {
    MemEnv::Op op;
    op.kind = MemEnv::Op::Kind::kDatasync;
    op.file = file;
    op.tag = tag;
    Push(op);
  }

  void QueueNotifyWait(std::uint64_t tag) override {
    MemEnv::Op op;
    op.kind = MemEnv::Op::Kind::kNotifyWait;
    op.tag = tag;
    Push(op);
  }

  void Notify() override {
    std::lock_guard lock(notify_mu_);
    notified_ = true;
    notify_cv_.notify_all();
  }

  Status Submit() override {
    if (queued_.empty()) return Status::Ok();
    // A chain ends with its submission.
    for (auto it = queued_.rbegin(); it != queued_.rend(); ++it) {
      if (it->kind != MemEnv::Op::Kind::kNotifyWait) {
        it->link_next = false;
        break;
      }
    }
    for (const MemEnv::Op& op : queued_) {
      if (op.kind == MemEnv::Op::Kind::kNotifyWait) {
        std::lock_guard lock(notify_mu_);
        if (armed_) Die("a second notify wait armed while one is pending");
        armed_ = true;
        armed_tag_ = op.tag;
        continue;
      }
      submitted_.push_back(op);
    }
    queued_.clear();
    return Status::Ok();
  }

  Status WaitCompletion(IoCompletion* out) override {
    while (true) {
      if (PollCompletion(out)) return Status::Ok();
      std::unique_lock lock(notify_mu_);
      if (!armed_) Die("WaitCompletion with nothing submitted (would block forever)");
      notify_cv_.wait(lock, [this] { return notified_; });
    }
  }

  bool PollCompletion(IoCompletion* out) override {
    if (!submitted_.empty()) {
      Reap(out);
      return true;
    }
    return TakeNotify(out);
  }

  Result<bool> WaitCompletionFor(IoCompletion* out, std::uint64_t timeout_us) override {
    if (PollCompletion(out)) return true;
    {
      std::unique_lock lock(notify_mu_);
      notify_cv_.wait_for(lock, std::chrono::microseconds(timeout_us),
                          [this] { return armed_ && notified_; });
    }
    return TakeNotify(out);
  }

  std::uint32_t depth() const override { return depth_; }

 private:
  void Push(const MemEnv::Op& op) {
    std::size_t armed = 0;
    {
      std::lock_guard lock(notify_mu_);
      armed = armed_ ? 1 : 0;
    }
    if (queued_.size() + submitted_.size() + armed >= depth_) env_->CountDepthViolation();
    queued_.push_back(op);
  }

  bool TakeNotify(IoCompletion* out) {
    std::lock_guard lock(notify_mu_);
    if (!armed_ || !notified_) return false;
    armed_ = false;
    notified_ = false;
    out->tag = armed_tag_;
    out->result = sizeof(std::uint64_t);  // an eventfd read
    return true;
  }

  void Reap(IoCompletion* out) {
    MemEnv::Op op = submitted_.front();
    submitted_.pop_front();
    std::int32_t result = cancel_next_ ? -ECANCELED : env_->Execute(op);
    bool broken = result < 0 || (op.kind != MemEnv::Op::Kind::kDatasync &&
                                 static_cast<std::uint32_t>(result) < op.len);
    cancel_next_ = op.link_next && (cancel_next_ || broken);
    out->tag = op.tag;
    out->result = result;
  }

  MemEnv* env_;
  std::uint32_t depth_;
  std::vector<MemEnv::Op> queued_;
  std::deque<MemEnv::Op> submitted_;
  bool cancel_next_ = false;
  std::mutex notify_mu_;
  std::condition_variable notify_cv_;
  bool armed_ = false;           // GUARDED_BY(notify_mu_)
  std::uint64_t armed_tag_ = 0;  // GUARDED_BY(notify_mu_)
  bool notified_ = false;        // GUARDED_BY(notify_mu_)
};

}  // namespace

MemEnv::MemEnv() {
  dirs_.insert("/");
  dirs_.insert(".");
}
MemEnv::~MemEnv() = default;

MemEnv::Handle* MemEnv::FindHandleLocked(FileId file) {
  auto it = handles_.find(file);
  return it == handles_.end() ? nullptr : it->second.get();
}

Result<FileId> MemEnv::Open(const std::string& raw_path, const OpenOptions& options) {
  std::string path = Normalize(raw_path);
  std::lock_guard lock(mu_);
  if (dirs_.count(path) != 0) return Status::IOError("open " + path + ": is a directory");
  auto it = files_.find(path);
  std::shared_ptr<Inode> inode;
  if (it != files_.end()) {
    inode = it->second;
  } else {
    if (!options.create) return Status::NotFound("open " + path + ": no such file");
    if (dirs_.count(Parent(path)) == 0) {
      return Status::NotFound("open " + path + ": no such directory");
    }
    inode = std::make_shared<Inode>();
    files_[path] = inode;
  }
  auto handle = std::make_unique<Handle>();
  handle->inode = std::move(inode);
  handle->options = options;
  handle->generation = generation_;
  handle->path = path;
  FileId id = next_file_++;
  handles_[id] = std::move(handle);
  return id;
}

Status MemEnv::Close(FileId file) {
  std::lock_guard lock(mu_);
  if (handles_.erase(file) == 0) return Status::IOError("close: bad file id");
  return Status::Ok();
}

Result<std::uint64_t> MemEnv::FileSize(FileId file) {
  std::lock_guard lock(mu_);
  Handle* h = FindHandleLocked(file);
  if (h == nullptr) return Status::IOError("size: bad file id");
  if (h->generation != generation_) return Status::IOError("size: file lost in a power loss");
  return static_cast<std::uint64_t>(h->inode->data.size());
}

Status MemEnv::CreateDirIfMissing(const std::string& raw_dir) {
  std::string dir = Normalize(raw_dir);
  std::lock_guard lock(mu_);
  if (files_.count(dir) != 0) return Status::IOError("mkdir " + dir + ": is a file");
  // Like `mkdir -p`: callers hand over nested scratch paths.
  for (std::string d = dir; dirs_.count(d) == 0; d = Parent(d))
    dirs_.insert(d);
  return Status::Ok();
}

Result<std::vector<std::string>> MemEnv::ListDir(const std::string& raw_dir) {
  std::string dir = Normalize(raw_dir);
  std::lock_guard lock(mu_);
  if (dirs_.count(dir) == 0) return Status::NotFound("list " + dir + ": no such directory");
  std::vector<std::string> names;
  for (const auto& [path, inode] : files_) {
    if (Parent(path) == dir) names.push_back(Basename(path));
  }
  for (const std::string& d : dirs_) {
    if (d != dir && Parent(d) == dir) names.push_back(Basename(d));
  }
  return names;
}

Status MemEnv::Rename(const std::string& raw_from, const std::string& raw_to) {
  std::string from = Normalize(raw_from);
  std::string to = Normalize(raw_to);
  std::lock_guard lock(mu_);
  auto it = files_.find(from);
  if (it == files_.end()) return Status::NotFound("rename " + from + ": no such file");
  if (dirs_.count(Parent(to)) == 0) return Status::NotFound("rename to " + to + ": no such dir");
  if (dirs_.count(to) != 0) return Status::IOError("rename to " + to + ": is a directory");
  std::shared_ptr<Inode> inode = it->second;
  files_.erase(it);
  files_[to] = std::move(inode);
  return Status::Ok();
}

Status MemEnv::Remove(const std::string& raw_path) {
  std::string path = Normalize(raw_path);
  std::lock_guard lock(mu_);
  if (files_.erase(path) == 0) return Status::NotFound("remove " + path + ": no such file");
  return Status::Ok();
}

Status MemEnv::SyncDir(const std::string& raw_dir) {
  std::string dir = Normalize(raw_dir);
  std::lock_guard lock(mu_);
  if (dirs_.count(dir) == 0) return Status::NotFound("syncdir " + dir + ": no such directory");
  ++dir_syncs_;
  for (auto it = durable_.begin(); it != durable_.end();) {
    if (Parent(it->first) == dir && files_.count(it->first) == 0) {
      it = durable_.erase(it);
    } else {
      ++it;
    }
  }
  for (const auto& [path, inode] : files_) {
    if (Parent(path) == dir) durable_[path] = inode;
  }
  return Status::Ok();
}

Result<std::unique_ptr<IoQueue>> MemEnv::NewIoQueue(std::uint32_t depth) {
  if (depth == 0) return Status::InvalidArgument("io queue depth 0");
  return std::unique_ptr<IoQueue>(std::make_unique<MemIoQueue>(this, depth));
}

std::int32_t MemEnv::Execute(const Op& op) {
  std::lock_guard lock(mu_);
  Handle* h = FindHandleLocked(op.file);
  if (h == nullptr) return -EBADF;
  if (h->generation != generation_) return -EIO;
  Inode& inode = *h->inode;
  if (h->options.direct && (op.kind == Op::Kind::kWrite || op.kind == Op::Kind::kRead)) {
    const void* buf = op.kind == Op::Kind::kWrite ? op.src : op.dst;
    if (!Aligned(op.offset) || !Aligned(op.len) ||
        !Aligned(reinterpret_cast<std::uintptr_t>(buf))) {
      return -EINVAL;
    }
  }
  switch (op.kind) {
    case Op::Kind::kWrite: {
      if (h->options.read_only) return -EBADF;
      std::uint64_t end = op.offset + op.len;
      if (inode.data.size() < end) inode.data.resize(end, '\0');
      std::memcpy(inode.data.data() + op.offset, op.src, op.len);
      if (h->options.dsync) {
        if (inode.durable.size() < end) inode.durable.resize(end, '\0');
        std::memcpy(inode.durable.data() + op.offset, op.src, op.len);
      } else if (op.len > 0) {
        AddDirty(&inode.dirty, op.offset, end);
      }
      return static_cast<std::int32_t>(op.len);
    }
    case Op::Kind::kRead: {
      if (op.offset >= inode.data.size()) return 0;
      std::uint64_t n = std::min<std::uint64_t>(op.len, inode.data.size() - op.offset);
      std::memcpy(op.dst, inode.data.data() + op.offset, n);
      return static_cast<std::int32_t>(n);
    }
    case Op::Kind::kNotifyWait:
      break;  // never executed: the queue completes it on Notify()
    case Op::Kind::kDatasync: {
      ++datasyncs_;
      inode.durable.resize(inode.data.size(), '\0');
      for (const auto& [begin, end] : inode.dirty) {
        std::uint64_t stop = std::min<std::uint64_t>(end, inode.data.size());
        if (begin < stop) {
          std::memcpy(inode.durable.data() + begin, inode.data.data() + begin, stop - begin);
        }
      }
      inode.dirty.clear();
      return 0;
    }
  }
  return -EINVAL;
}

void MemEnv::DropUnsyncedData() {
  std::lock_guard lock(mu_);
  ++generation_;
  files_ = durable_;
  for (auto& [path, inode] : files_) {
    inode->data = inode->durable;
    inode->dirty.clear();
  }
}

Result<std::string> MemEnv::ReadFileForTest(const std::string& raw_path) {
  std::string path = Normalize(raw_path);
  std::lock_guard lock(mu_);
  auto it = files_.find(path);
  if (it == files_.end()) return Status::NotFound(path);
  return it->second->data;
}

Status MemEnv::WriteFileForTest(const std::string& raw_path, const std::string& contents) {
  std::string path = Normalize(raw_path);
  std::lock_guard lock(mu_);
  if (dirs_.count(Parent(path)) == 0) return Status::NotFound(path + ": no such directory");
  std::shared_ptr<Inode>& inode = files_[path];
  if (inode == nullptr) inode = std::make_shared<Inode>();
  inode->data = contents;
  inode->durable = contents;
  inode->dirty.clear();
  durable_[path] = inode;
  return Status::Ok();
}

bool MemEnv::Exists(const std::string& path) {
  std::lock_guard lock(mu_);
  return files_.count(Normalize(path)) != 0;
}

bool MemEnv::ExistsDurably(const std::string& path) {
  std::lock_guard lock(mu_);
  return durable_.count(Normalize(path)) != 0;
}

std::uint64_t MemEnv::datasyncs() const {
  std::lock_guard lock(mu_);
  return datasyncs_;
}

std::uint64_t MemEnv::dir_syncs() const {
  std::lock_guard lock(mu_);
  return dir_syncs_;
}

void MemEnv::CountDepthViolation() {
  depth_violations_.fetch_add(1, std::memory_order_relaxed);
}

std::uint64_t MemEnv::depth_violations() const {
  return depth_violations_.load(std::memory_order_relaxed);
}

std::uint64_t MemEnv::open_files() const {
  std::lock_guard lock(mu_);
  return handles_.size();
}

}  // namespace eddy::wal::testing
