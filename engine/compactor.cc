// Compaction: merges runs of table files into one, so reads touch few files
// and overwritten versions, tombstones and deleted tables' items do not
// pile up (docs/flush_and_compaction.md, "Compaction").
//
// Shape: tiered ("universal", as RocksDB calls it). Files form one list,
// newest first; a compaction always merges a contiguous run starting at the
// newest file, so "newer file wins" stays true of the list and a flush that
// lands meanwhile (at the front) does not disturb it. Picking, in order:
//   1. Space: when all files hold more than Options::compaction_max_space_amp
//      (default 1.25) times the oldest's bytes, merge everything (the table
//      files' space amplification stays below that when newer data
//      overwrites older). Only this merge reaches the bottom, so only it
//      drops tombstones.
//   2. Size ratio: the newest files while each next file is at most twice
//      the run so far, if that makes 4 or more: merges small flushes early,
//      so the file count stays logarithmic between full merges.
//   3. Count: more than kMaxFiles files: everything but the oldest.
// Why not leveled: it needs output splitting, per-level key ranges and a
// picker per level; with one run list the same merge code, manifest rewrite
// and view swap as a flush suffice, and rule 1 bounds space directly.
// The cost is write amplification: a full merge rewrites everything, about
// 1 / (amp - 1) times per byte of overwrites: 4× at the default 1.25.
//
// Every merge also drops items of deleted tables (ids are never reused, so
// an id missing from the catalog is dead for good). The merge is paced to
// Options::compaction_bytes_per_s and gives up when the Db closes.
#include <chrono>
#include <cstdio>
#include <set>
#include <thread>

#include "compaction/merging_iterator.h"
#include "compaction/table_builder.h"
#include "engine/db_impl.h"

namespace eddy::engine {
namespace {

constexpr double kSizeRatio = 1.0;
constexpr std::size_t kMinMergeWidth = 4;
constexpr std::size_t kMaxFiles = 24;

struct Pick {
  std::size_t last = 0;  // merge files[0..last] (newest first)
};

std::optional<Pick> PickCompaction(const std::vector<std::shared_ptr<const TableFile>>& files,
                                   double max_space_amp) {
  const std::size_t n = files.size();
  if (n < 2) return std::nullopt;
  double newer = 0;
  for (std::size_t i = 0; i + 1 < n; ++i)
    newer += static_cast<double>(files[i]->meta.file_bytes);
  if (newer > (max_space_amp - 1) * static_cast<double>(files[n - 1]->meta.file_bytes)) {
    return Pick{n - 1};
  }
  double run = static_cast<double>(files[0]->meta.file_bytes);
  std::size_t last = 0;
  while (last + 1 < n &&
         static_cast<double>(files[last + 1]->meta.file_bytes) <= (1 + kSizeRatio) * run) {
    ++last;
    run += static_cast<double>(files[last]->meta.file_bytes);
  }
  if (last + 1 >= kMinMergeWidth) return Pick{last};
  if (n > kMaxFiles) return Pick{n - 2};
  return std::nullopt;
}

TableId TableOfKey(std::string_view key) {
  TableId id = 0;
  for (std::size_t i = 0; i < kTableIdBytes && i < key.size(); ++i)
    id = (id << 8) | static_cast<unsigned char>(key[i]);
  return id;
}

// The merge's output stream: skips dead tables' items and paces the
// bytes that pass.
class CompactionInput final : public compaction::EntryIterator {
 public:
  CompactionInput(compaction::EntryIterator* in, const Catalog* catalog, std::uint64_t bytes_per_s,
                  const std::atomic<bool>* stop)
      : in_(in), catalog_(catalog), bytes_per_s_(bytes_per_s), stop_(stop) {}

  void SeekToFirst() override {
    start_ = std::chrono::steady_clock::now();
    bytes_ = 0;
    in_->SeekToFirst();
    Skip();
  }
  void Seek(std::string_view target) override {
    in_->Seek(target);
    Skip();
  }
  void Next() override {
    bytes_ += in_->entry().key.size() + in_->entry().value.size();
    in_->Next();
    Skip();
    Pace();
  }
  bool Valid() const override { return status_.ok() && in_->Valid(); }
  compaction::TableEntry entry() const override { return in_->entry(); }
  Status status() const override { return status_.ok() ? in_->status() : status_; }

 private:
  void Skip() {
    while (in_->Valid()) {
      const TableId table = TableOfKey(in_->entry().key);
      if (table == live_table_) return;
      if (catalog_->FindById(table) != nullptr) {
        live_table_ = table;
        return;
      }
      in_->Next();  // a deleted table's item
    }
  }
  void Pace() {
    if (stop_->load(std::memory_order_relaxed)) {
      status_ = Status::Busy("compaction stopped: the database is closing");
      return;
    }
    if (bytes_per_s_ == 0) return;
    const auto due = start_ + std::chrono::microseconds(bytes_ * 1'000'000 / bytes_per_s_);
    if (due > std::chrono::steady_clock::now() + std::chrono::milliseconds(5)) {
      std::this_thread::sleep_until(
          std::min(due, std::chrono::steady_clock::now() + std::chrono::milliseconds(100)));
    }
  }

  compaction::EntryIterator* in_;
  const Catalog* catalog_;
  const std::uint64_t bytes_per_s_;
  const std::atomic<bool>* stop_;
  std::chrono::steady_clock::time_point start_;
  std::uint64_t bytes_ = 0;
  TableId live_table_ = 0;  // table ids start at 1
  Status status_;
};

}  // namespace

std::vector<std::uint64_t> DbImpl::TableFileBytes() const {
  std::vector<std::uint64_t> bytes;
  for (const auto& f : View()->files)
    bytes.push_back(f->meta.file_bytes);
  return bytes;
}

Result<bool> DbImpl::CompactOnce() {
  std::lock_guard one(compaction_mu_);
  const std::shared_ptr<const ReadView> view = View();
  const std::optional<Pick> pick = PickCompaction(view->files, options_.compaction_max_space_amp);
  if (!pick) return false;
  const bool bottom = pick->last + 1 == view->files.size();
  std::vector<std::shared_ptr<const TableFile>> inputs(view->files.begin(),
                                                       view->files.begin() + pick->last + 1);
  std::vector<std::unique_ptr<compaction::EntryIterator>> sources;
  for (const auto& f : inputs)
    sources.push_back(f->reader->NewIterator(/*fill_cache=*/false));
  // Tombstones go only where nothing older lies beneath.
  compaction::MergingIterator merged(std::move(sources), /*drop_deletions=*/bottom);
  CompactionInput input(&merged, &catalog_, options_.compaction_bytes_per_s, &closed_);

  const std::string dir = tables_dir();
  std::shared_ptr<TableFile> out;
  input.SeekToFirst();
  EDDY_RETURN_IF_ERROR(input.status());
  if (input.Valid()) {
    EDDY_ASSIGN_OR_RETURN(out, WriteTableFile(input, "compaction"));
  }

  std::set<std::uint64_t> gone;
  for (const auto& f : inputs)
    gone.insert(f->meta.number);
  {
    // The inputs are still contiguous: flushes only add at the front, and
    // compactions run one at a time. The output takes their place.
    std::lock_guard manifest_lock(manifest_mu_);
    compaction::Manifest next = manifest_;
    auto at = std::find_if(next.files.begin(), next.files.end(),
                           [&](const compaction::ManifestFile& f) { return gone.count(f.number); });
    const auto pos = at - next.files.begin();
    std::erase_if(next.files,
                  [&](const compaction::ManifestFile& f) { return gone.count(f.number) != 0; });
    if (out) next.files.insert(next.files.begin() + pos, out->meta);
    EDDY_RETURN_IF_ERROR(compaction::WriteManifest(env_, dir, next));
    Hook("compaction:recorded");
    manifest_ = std::move(next);

    std::lock_guard lock(view_mu_);
    auto v = std::make_shared<ReadView>(*view_);
    std::erase_if(v->files, [&](const auto& f) { return gone.count(f->meta.number) != 0; });
    if (out) v->files.insert(v->files.begin() + pos, out);
    view_ = std::move(v);
  }
  // Readers that still hold the old view keep the files open; unlinking
  // them now is fine on POSIX. A crash before this leaves orphans that Open
  // removes.
  for (std::uint64_t number : gone) {
    env_->Remove(dir + "/" + compaction::TableFileName(number)).IgnoreError();
    block_cache_->EraseFile(number);
  }
  // The inputs' pages are gone with them; bring back what the merge pushed
  // out of its own output while both were in memory (page_cache.h).
  if (out) out->reader->WarmPageCache();
  return true;
}

Status DbImpl::CompactUntilDone() {
  while (true) {
    EDDY_ASSIGN_OR_RETURN(bool did, CompactOnce());
    if (!did) return Status::Ok();
  }
}

void DbImpl::CompactionLoop() {
  std::uint64_t seen = 0;
  while (true) {
    {
      std::unique_lock lock(flush_mu_);
      compact_cv_.wait(lock, [&] { return stop_flush_ || flushes_ != seen; });
      if (stop_flush_) return;
      seen = flushes_;
    }
    while (true) {
      Result<bool> did = CompactOnce();
      if (closed_.load()) return;
      if (!did.ok()) {
        // Nothing is lost: the inputs stay live. Try again after the next flush.
        std::fprintf(stderr, "eddy: compaction failed: %s\n", did.status().ToString().c_str());
        break;
      }
      if (!*did) break;
    }
  }
}

}  // namespace eddy::engine
