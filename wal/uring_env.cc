// The production Env: POSIX metadata calls plus one io_uring per IoQueue.
//
// Each IoQueue owns a ring sized to its depth and an eventfd for Notify().
// Queue* only fills SQEs; Submit() makes one io_uring_submit call for all of
// them, which is how a batch of records becomes one system call.
#include <dirent.h>
#include <fcntl.h>
#include <liburing.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "wal/env.h"
#include "wal/io_status.h"

namespace eddy::wal {
namespace {

class UringIoQueue final : public IoQueue {
 public:
  UringIoQueue(io_uring ring, int event_fd, std::uint32_t depth)
      : ring_(ring), event_fd_(event_fd), depth_(depth) {}
  ~UringIoQueue() override {
    io_uring_queue_exit(&ring_);
    close(event_fd_);
  }

  void QueueWrite(FileId file, std::uint64_t offset, const void* data, std::uint32_t len,
                  std::uint64_t tag, bool link_next) override {
    io_uring_sqe* sqe = GetSqe();
    const int index = RegisteredIndex(data, len);
    if (index >= 0) {
      io_uring_prep_write_fixed(sqe, file, data, len, offset, index);
    } else {
      io_uring_prep_write(sqe, file, data, len, offset);
    }
    Finish(sqe, tag, link_next);
  }

  bool RegisterBuffers(const std::vector<Region>& regions) override {
    if (!registered_.empty() || regions.empty()) return false;
    std::vector<iovec> iov;
    for (const Region& r : regions)
      iov.push_back({const_cast<void*>(r.data), r.bytes});
    if (io_uring_register_buffers(&ring_, iov.data(), static_cast<unsigned>(iov.size())) != 0) {
      return false;
    }
    registered_ = std::move(iov);
    return true;
  }

  void QueueRead(FileId file, std::uint64_t offset, void* data, std::uint32_t len,
                 std::uint64_t tag) override {
    io_uring_sqe* sqe = GetSqe();
    io_uring_prep_read(sqe, file, data, len, offset);
    Finish(sqe, tag, false);
  }

  void QueueDatasync(FileId file, std::uint64_t tag) override {
    io_uring_sqe* sqe = GetSqe();
    io_uring_prep_fsync(sqe, file, IORING_FSYNC_DATASYNC);
    Finish(sqe, tag, false);
  }

  void QueueNotifyWait(std::uint64_t tag) override {
    io_uring_sqe* sqe = GetSqe();
    io_uring_prep_read(sqe, event_fd_, &event_count_, sizeof(event_count_), 0);
    Finish(sqe, tag, false);
  }

  void Notify() override {
    std::uint64_t one = 1;
    // An eventfd write cannot fail short of a counter overflow, which needs
    // 2^64 - 1 unread notifications.
    [[maybe_unused]] ssize_t n = write(event_fd_, &one, sizeof(one));
  }

  Status Submit() override {
    while (true) {
      int n = io_uring_submit(&ring_);
      if (n >= 0) return Status::Ok();
      if (n != -EINTR && n != -EAGAIN && n != -EBUSY) return ErrnoStatus(n, "io_uring_submit");
    }
  }

  Status WaitCompletion(IoCompletion* out) override {
    io_uring_cqe* cqe = nullptr;
    while (true) {
      int rc = io_uring_wait_cqe(&ring_, &cqe);
      if (rc == 0) break;
      if (rc != -EINTR) return ErrnoStatus(rc, "io_uring_wait_cqe");
    }
    Consume(cqe, out);
    return Status::Ok();
  }

  bool PollCompletion(IoCompletion* out) override {
    io_uring_cqe* cqe = nullptr;
    if (io_uring_peek_cqe(&ring_, &cqe) != 0) return false;
    Consume(cqe, out);
    return true;
  }

  Result<bool> WaitCompletionFor(IoCompletion* out, std::uint64_t timeout_us) override {
    __kernel_timespec ts{};
    ts.tv_sec = static_cast<long long>(timeout_us / 1'000'000);
    ts.tv_nsec = static_cast<long long>((timeout_us % 1'000'000) * 1'000);
    io_uring_cqe* cqe = nullptr;
    while (true) {
      int rc = io_uring_wait_cqe_timeout(&ring_, &cqe, &ts);
      if (rc == 0) break;
      if (rc == -ETIME) return false;
      if (rc != -EINTR) return ErrnoStatus(rc, "io_uring_wait_cqe_timeout");
    }
    Consume(cqe, out);
    return true;
  }

  std::uint32_t depth() const override { return depth_; }

 private:
  io_uring_sqe* GetSqe() {
    io_uring_sqe* sqe = io_uring_get_sqe(&ring_);
    if (sqe == nullptr) {
      // The submission ring is full of queued entries: push them to the kernel
      // to make room. Callers bound what they keep in flight by depth().
      Status s = Submit();
      sqe = io_uring_get_sqe(&ring_);
      if (!s.ok() || sqe == nullptr) {
        std::fprintf(stderr, "eddy: io_uring submission queue exhausted: %s\n",
                     s.ToString().c_str());
        std::abort();
      }
    }
    return sqe;
  }

  // The registered buffer holding [data, data + len), or -1.
  int RegisteredIndex(const void* data, std::uint32_t len) const {
    const auto p = reinterpret_cast<std::uintptr_t>(data);
    for (std::size_t i = 0; i < registered_.size(); ++i) {
      const auto base = reinterpret_cast<std::uintptr_t>(registered_[i].iov_base);
      if (p >= base && p + len <= base + registered_[i].iov_len) return static_cast<int>(i);
    }
    return -1;
  }

  static void Finish(io_uring_sqe* sqe, std::uint64_t tag, bool link_next) {
    io_uring_sqe_set_data64(sqe, tag);
    if (link_next) sqe->flags |= IOSQE_IO_LINK;
  }

  void Consume(io_uring_cqe* cqe, IoCompletion* out) {
    out->tag = io_uring_cqe_get_data64(cqe);
    out->result = cqe->res;
    io_uring_cqe_seen(&ring_, cqe);
  }

  io_uring ring_;
  int event_fd_;
  std::uint32_t depth_;
  std::vector<iovec> registered_;  // RegisterBuffers; index = buffer index
  std::uint64_t event_count_ = 0;  // target of the armed eventfd read
};

class PosixUringEnv final : public Env {
 public:
  Result<FileId> Open(const std::string& path, const OpenOptions& options) override {
    int flags = O_CLOEXEC;
    flags |= options.read_only ? O_RDONLY : O_RDWR;
    if (options.create) flags |= O_CREAT;
    if (options.direct) flags |= O_DIRECT;
    if (options.dsync) flags |= O_DSYNC;
    int fd = open(path.c_str(), flags, 0644);
    if (fd < 0) return ErrnoStatus(errno, "open " + path);
    return fd;
  }

  Status Close(FileId file) override {
    if (close(file) != 0) return ErrnoStatus(errno, "close");
    return Status::Ok();
  }

  Result<std::uint64_t> FileSize(FileId file) override {
    struct stat st {};
    if (fstat(file, &st) != 0) return ErrnoStatus(errno, "fstat");
    return static_cast<std::uint64_t>(st.st_size);
  }

  Status CreateDirIfMissing(const std::string& dir) override {
    if (mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) {
      return ErrnoStatus(errno, "mkdir " + dir);
    }
    return Status::Ok();
  }

  Result<std::vector<std::string>> ListDir(const std::string& dir) override {
    DIR* d = opendir(dir.c_str());
    if (d == nullptr) return ErrnoStatus(errno, "opendir " + dir);
    std::vector<std::string> names;
    while (dirent* entry = readdir(d)) {
      std::string_view name = entry->d_name;
      if (name != "." && name != "..") names.emplace_back(name);
    }
    closedir(d);
    return names;
  }

  Status Rename(const std::string& from, const std::string& to) override {
    if (rename(from.c_str(), to.c_str()) != 0) {
      return ErrnoStatus(errno, "rename " + from + " to " + to);
    }
    return Status::Ok();
  }

  Status Remove(const std::string& path) override {
    if (unlink(path.c_str()) != 0) return ErrnoStatus(errno, "unlink " + path);
    return Status::Ok();
  }

  Status SyncDir(const std::string& dir) override {
    int fd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return ErrnoStatus(errno, "open directory " + dir);
    int rc = fsync(fd);
    int err = errno;
    close(fd);
    if (rc != 0) return ErrnoStatus(err, "fsync directory " + dir);
    return Status::Ok();
  }

  bool SupportsReadAt() const override { return true; }

  Result<std::uint32_t> ReadAt(FileId file, std::uint64_t offset, void* dst,
                               std::uint32_t len) override {
    std::uint32_t done = 0;
    while (done < len) {
      const ssize_t n = pread(file, static_cast<char*>(dst) + done, len - done,
                              static_cast<off_t>(offset + done));
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return ErrnoStatus(errno, "pread");
      if (n == 0) break;  // end of file
      done += static_cast<std::uint32_t>(n);
    }
    return done;
  }

  Result<std::shared_ptr<const char>> MapReadOnly(FileId file, std::uint64_t bytes) override {
    if (bytes == 0) return Status::InvalidArgument("cannot map an empty file");
    void* base = mmap(nullptr, bytes, PROT_READ, MAP_SHARED, file, 0);
    if (base == MAP_FAILED) return ErrnoStatus(errno, "mmap");
    return std::shared_ptr<const char>(static_cast<const char*>(base), [bytes](const char* p) {
      munmap(const_cast<char*>(p), bytes);
    });
  }

  Result<std::unique_ptr<IoQueue>> NewIoQueue(std::uint32_t depth) override {
    io_uring ring{};
    int rc = io_uring_queue_init(depth, &ring, 0);
    if (rc < 0) return ErrnoStatus(rc, "io_uring_queue_init");
    int event_fd = eventfd(0, EFD_CLOEXEC);
    if (event_fd < 0) {
      int err = errno;
      io_uring_queue_exit(&ring);
      return ErrnoStatus(err, "eventfd");
    }
    return std::unique_ptr<IoQueue>(std::make_unique<UringIoQueue>(ring, event_fd, depth));
  }
};

}  // namespace

Result<std::uint32_t> Env::ReadAt(FileId, std::uint64_t, void*, std::uint32_t) {
  return Status::InvalidArgument("this Env has no positional reads; use an IoQueue");
}

Result<std::shared_ptr<const char>> Env::MapReadOnly(FileId, std::uint64_t) {
  return std::shared_ptr<const char>();
}

Env* Env::Default() {
  static PosixUringEnv env;
  return &env;
}

}  // namespace eddy::wal
