// FaultEnv design note: a queue keeps the operations it is given until
// Submit(), decides each one's fate there (forward, shorten, fail, cancel) in
// queue order, and only then hands the survivors to the wrapped queue. Deciding
// at Submit() is what lets a faulted operation break a link chain: the
// operation before it must be forwarded without its link flag, and the ones
// after it must never reach the wrapped Env. Faulted operations complete from
// a local list, held back until every earlier forwarded operation has been
// reaped, so a chain's completions arrive in order as they do from io_uring.
#include "support/fault_env.h"

#include <cerrno>
#include <deque>
#include <set>
#include <vector>

#include "wal/segment_name.h"

namespace eddy::wal::testing {
namespace {

std::string Basename(const std::string& path) {
  std::size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

class FaultIoQueue final : public IoQueue {
 public:
  FaultIoQueue(FaultEnv* env, std::unique_ptr<IoQueue> base) : env_(env), base_(std::move(base)) {}

  void QueueWrite(FileId file, std::uint64_t offset, const void* data, std::uint32_t len,
                  std::uint64_t tag, bool link_next) override {
    queued_.push_back({Kind::kWrite, file, offset, data, nullptr, len, tag, link_next});
  }
  void QueueRead(FileId file, std::uint64_t offset, void* data, std::uint32_t len,
                 std::uint64_t tag) override {
    queued_.push_back({Kind::kRead, file, offset, nullptr, data, len, tag, false});
  }
  void QueueDatasync(FileId file, std::uint64_t tag) override {
    queued_.push_back({Kind::kDatasync, file, 0, nullptr, nullptr, 0, tag, false});
  }
  void QueueNotifyWait(std::uint64_t tag) override {
    queued_.push_back({Kind::kNotifyWait, -1, 0, nullptr, nullptr, 0, tag, false});
  }
  void Notify() override { base_->Notify(); }

  Status Submit() override {
    if (queued_.empty()) return Status::Ok();
    // A chain ends with its submission.
    for (auto it = queued_.rbegin(); it != queued_.rend(); ++it) {
      if (it->kind != Kind::kNotifyWait) {
        it->link_next = false;
        break;
      }
    }
    // Pass 1: fates, in order.
    std::vector<Fate> fates(queued_.size());
    for (std::size_t i = 0; i < queued_.size(); ++i) {
      const Op& op = queued_[i];
      Fate& fate = fates[i];
      fate.seq = next_seq_++;
      if (op.kind == Kind::kNotifyWait) continue;  // not file I/O: never faulted
      const bool in_chain = i > 0 && queued_[i - 1].link_next;
      if (in_chain && (fates[i - 1].kind == Fate::kSynthetic || fates[i - 1].shortened)) {
        fate.kind = Fate::kSynthetic;  // an earlier member failed or was short
        fate.result = -ECANCELED;
        env_->CountCancelled();
        continue;
      }
      FaultEnv::OpInfo info;
      info.is_write = op.kind == Kind::kWrite;
      info.is_datasync = op.kind == Kind::kDatasync;
      info.len = op.len;
      int error = 0;
      std::uint32_t short_len = op.len;
      switch (env_->Decide(op.file, info, &error, &short_len)) {
        case FaultEnv::Decision::kForward:
          fate.kind = Fate::kForward;
          fate.len = op.len;
          break;
        case FaultEnv::Decision::kShorten:
          fate.kind = Fate::kForward;
          fate.len = short_len;
          fate.shortened = true;
          break;
        case FaultEnv::Decision::kFail:
          fate.kind = Fate::kSynthetic;
          fate.result = -error;
          // It would only have run had the forwarded operation before it
          // succeeded in full; that is known at its completion.
          if (in_chain) fate.depends_on = fates[i - 1].seq;
          break;
      }
    }
    // Pass 2: forward or park.
    bool forwarded = false;
    for (std::size_t i = 0; i < queued_.size(); ++i) {
      const Op& op = queued_[i];
      const Fate& fate = fates[i];
      if (fate.kind == Fate::kSynthetic) {
        synthetic_.push_back({fate.seq, op.tag, fate.result, fate.depends_on});
        continue;
      }
      if (op.kind == Kind::kNotifyWait) {
        // Kept apart from in_flight_: it may stay armed for ever, and must not
        // hold back the completions of faulted operations behind it.
        notify_waits_[fate.seq] = op.tag;
        base_->QueueNotifyWait(fate.seq);
        forwarded = true;
        continue;
      }
      bool link = op.link_next && !fate.shortened && i + 1 < queued_.size() &&
                  fates[i + 1].kind == Fate::kForward && queued_[i + 1].kind != Kind::kNotifyWait;
      in_flight_[fate.seq] = {op.tag, op.kind == Kind::kDatasync ? 0 : fate.len};
      forwarded = true;
      switch (op.kind) {
        case Kind::kWrite:
          base_->QueueWrite(op.file, op.offset, op.src, fate.len, fate.seq, link);
          break;
        case Kind::kRead:
          base_->QueueRead(op.file, op.offset, op.dst, op.len, fate.seq);
          break;
        case Kind::kDatasync:
          base_->QueueDatasync(op.file, fate.seq);
          break;
        case Kind::kNotifyWait:
          break;  // handled above
      }
    }
    queued_.clear();
    return forwarded ? base_->Submit() : Status::Ok();
  }

  Status WaitCompletion(IoCompletion* out) override {
    if (TakeSynthetic(out)) return Status::Ok();
    IoCompletion c;
    EDDY_RETURN_IF_ERROR(base_->WaitCompletion(&c));
    Translate(c, out);
    return Status::Ok();
  }

  bool PollCompletion(IoCompletion* out) override {
    if (TakeSynthetic(out)) return true;
    IoCompletion c;
    if (!base_->PollCompletion(&c)) return false;
    Translate(c, out);
    return true;
  }

  Result<bool> WaitCompletionFor(IoCompletion* out, std::uint64_t timeout_us) override {
    if (TakeSynthetic(out)) return true;
    IoCompletion c;
    EDDY_ASSIGN_OR_RETURN(bool got, base_->WaitCompletionFor(&c, timeout_us));
    if (!got) return false;
    Translate(c, out);
    return true;
  }

  std::uint32_t depth() const override { return base_->depth(); }

 private:
  enum class Kind { kWrite, kRead, kDatasync, kNotifyWait };
  struct Op {
    Kind kind;
    FileId file;
    std::uint64_t offset;
    const void* src;
    void* dst;
    std::uint32_t len;
    std::uint64_t tag;
    bool link_next;
  };
  struct Fate {
    enum { kForward, kSynthetic } kind = kForward;
    std::uint64_t seq = 0;
    std::uint32_t len = 0;
    bool shortened = false;
    std::int32_t result = 0;
    std::uint64_t depends_on = 0;  // 0: none
  };
  struct Synthetic {
    std::uint64_t seq;
    std::uint64_t tag;
    std::int32_t result;
    std::uint64_t depends_on;
  };

  bool TakeSynthetic(IoCompletion* out) {
    if (synthetic_.empty()) return false;
    if (!in_flight_.empty() && in_flight_.begin()->first < synthetic_.front().seq) return false;
    out->tag = synthetic_.front().tag;
    out->result = synthetic_.front().result;
    synthetic_.pop_front();
    return true;
  }

  void Translate(const IoCompletion& c, IoCompletion* out) {
    if (auto n = notify_waits_.find(c.tag); n != notify_waits_.end()) {
      out->tag = n->second;
      out->result = c.result;
      notify_waits_.erase(n);
      return;
    }
    auto it = in_flight_.find(c.tag);
    if (it == in_flight_.end()) {
      // The wrapped queue returned a tag we never gave it: a bug there.
      std::abort();
    }
    out->tag = it->second.tag;
    out->result = c.result;
    if (c.result < 0 || static_cast<std::uint32_t>(c.result) < it->second.len) {
      for (Synthetic& s : synthetic_) {
        if (s.depends_on == c.tag) s.result = -ECANCELED;
      }
    }
    in_flight_.erase(it);
  }

  FaultEnv* env_;
  std::unique_ptr<IoQueue> base_;
  std::vector<Op> queued_;
  struct InFlight {
    std::uint64_t tag;  // the caller's
    std::uint32_t len;  // bytes asked of the wrapped queue (0 for a sync)
  };
  std::map<std::uint64_t, InFlight> in_flight_;          // by our seq
  std::map<std::uint64_t, std::uint64_t> notify_waits_;  // our seq -> caller's tag
  std::deque<Synthetic> synthetic_;
  std::uint64_t next_seq_ = 1;
};

}  // namespace

FaultEnv::FaultEnv(Env* base) : base_(base) {}
FaultEnv::~FaultEnv() = default;

Result<FileId> FaultEnv::Open(const std::string& path, const OpenOptions& options) {
  {
    std::lock_guard lock(mu_);
    ++counters_.opens;
    if (crashed_) return Status::IOError("open " + path + ": injected crash");
  }
  Result<FileId> file = base_->Open(path, options);
  if (file.ok()) {
    std::lock_guard lock(mu_);
    files_[*file] = FileInfo{path, options.direct, options.dsync};
  }
  return file;
}

Status FaultEnv::Close(FileId file) {
  {
    std::lock_guard lock(mu_);
    files_.erase(file);
  }
  return base_->Close(file);  // even "dead" processes release their files
}

Result<std::uint64_t> FaultEnv::FileSize(FileId file) {
  {
    std::lock_guard lock(mu_);
    if (crashed_) return Status::IOError("size: injected crash");
  }
  return base_->FileSize(file);
}

Status FaultEnv::CreateDirIfMissing(const std::string& dir) {
  {
    std::lock_guard lock(mu_);
    if (crashed_) return Status::IOError("mkdir " + dir + ": injected crash");
  }
  return base_->CreateDirIfMissing(dir);
}

Result<std::vector<std::string>> FaultEnv::ListDir(const std::string& dir) {
  {
    std::lock_guard lock(mu_);
    if (crashed_) return Status::IOError("list " + dir + ": injected crash");
  }
  return base_->ListDir(dir);
}

Status FaultEnv::Rename(const std::string& from, const std::string& to) {
  {
    std::lock_guard lock(mu_);
    ++counters_.renames;
    if (crashed_) return Status::IOError("rename " + from + ": injected crash");
  }
  Status s = base_->Rename(from, to);
  if (s.ok()) {
    std::lock_guard lock(mu_);
    for (auto& [id, info] : files_) {
      if (info.path == from) info.path = to;
    }
  }
  return s;
}

Status FaultEnv::Remove(const std::string& path) {
  {
    std::lock_guard lock(mu_);
    ++counters_.removes;
    if (crashed_) return Status::IOError("remove " + path + ": injected crash");
  }
  return base_->Remove(path);
}

Status FaultEnv::SyncDir(const std::string& dir) {
  {
    std::lock_guard lock(mu_);
    ++counters_.dir_syncs;
    if (crashed_) return Status::IOError("syncdir " + dir + ": injected crash");
  }
  return base_->SyncDir(dir);
}

Result<std::unique_ptr<IoQueue>> FaultEnv::NewIoQueue(std::uint32_t depth) {
  EDDY_ASSIGN_OR_RETURN(std::unique_ptr<IoQueue> base, base_->NewIoQueue(depth));
  return std::unique_ptr<IoQueue>(std::make_unique<FaultIoQueue>(this, std::move(base)));
}

namespace {
void Arm(FaultEnv::Rule* rule, std::uint64_t nth, bool every_after, int error) {
  rule->armed = nth > 0;
  rule->nth = nth;
  rule->every_after = every_after;
  rule->error = error;
  rule->seen = 0;
}
}  // namespace

void FaultEnv::FailWrites(std::uint64_t nth, bool every_after, int error) {
  std::lock_guard lock(mu_);
  Arm(&write_fail_, nth, every_after, error);
}

void FaultEnv::FailDatasyncs(std::uint64_t nth, bool every_after, int error) {
  std::lock_guard lock(mu_);
  Arm(&datasync_fail_, nth, every_after, error);
}

void FaultEnv::ShortenWrites(std::uint64_t nth, bool every_after) {
  std::lock_guard lock(mu_);
  Arm(&write_short_, nth, every_after, 0);
}

void FaultEnv::ClearFaults() {
  std::lock_guard lock(mu_);
  write_fail_ = Rule();
  datasync_fail_ = Rule();
  write_short_ = Rule();
}

void FaultEnv::SetCrashed(bool crashed) {
  std::lock_guard lock(mu_);
  crashed_ = crashed;
}

void FaultEnv::SetFileFilter(std::function<bool(std::string_view name)> filter) {
  std::lock_guard lock(mu_);
  filter_ = std::move(filter);
}

bool FaultEnv::IsSegmentFile(std::string_view name) {
  return ParseSegmentFileName(name).has_value();
}

FaultEnv::Counters FaultEnv::counters() const {
  std::lock_guard lock(mu_);
  return counters_;
}

bool FaultEnv::MatchesLocked(FileId file) const {
  if (!filter_) return true;
  auto it = files_.find(file);
  if (it == files_.end()) return false;
  return filter_(Basename(it->second.path));
}

bool FaultEnv::Fires(Rule* rule) {
  if (!rule->armed) return false;
  ++rule->seen;
  return rule->seen == rule->nth || (rule->every_after && rule->seen > rule->nth);
}

FaultEnv::Decision FaultEnv::Decide(FileId file, const OpInfo& info, int* error,
                                    std::uint32_t* short_len) {
  std::lock_guard lock(mu_);
  if (crashed_) {
    *error = EIO;
    return Decision::kFail;
  }
  if (!MatchesLocked(file)) return Decision::kForward;
  auto it = files_.find(file);
  const bool direct = it != files_.end() && it->second.direct;
  const bool dsync = it != files_.end() && it->second.dsync;
  if (info.is_write) {
    ++counters_.writes;
    counters_.write_bytes += info.len;
    if (dsync) ++counters_.dsync_writes;
    if (Fires(&write_fail_)) {
      ++counters_.injected_errors;
      *error = write_fail_.error;
      return Decision::kFail;
    }
    std::uint32_t part = info.len / 2;
    if (direct) part -= part % kIoAlignment;
    if (part > 0 && Fires(&write_short_)) {
      ++counters_.short_writes;
      *short_len = part;
      return Decision::kShorten;
    }
    return Decision::kForward;
  }
  if (info.is_datasync) {
    ++counters_.datasyncs;
    if (Fires(&datasync_fail_)) {
      ++counters_.injected_errors;
      *error = datasync_fail_.error;
      return Decision::kFail;
    }
    return Decision::kForward;
  }
  ++counters_.reads;
  return Decision::kForward;
}

void FaultEnv::CountCancelled() {
  std::lock_guard lock(mu_);
  ++counters_.cancelled;
}

}  // namespace eddy::wal::testing
