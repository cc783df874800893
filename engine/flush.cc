// Memtable switch and flush (docs/flush_and_compaction.md).
//
//   1. Switch (a writer, after its write, when the active memtable is over
//      Options::memtable_budget_bytes): under switch_mu_ exclusive no writer
//      is between its read of an item and its install, so the log's last LSN
//      covers every change the memtable holds. The memtable joins the front
//      of the immutable list with that LSN; a fresh one takes writes.
//   2. Flush (one background thread, oldest immutable first): write the
//      memtable as tables/NNNNNN.sst (newest version per key, tombstones
//      kept), sync the directory, open it, sync the log through every LSN
//      the manifest will name (so none can be lost and handed out again),
//      write the manifest (the new file first, flushed_lsn = the switch
//      LSN), then publish a view in which the file replaces the memtable.
//   3. Open: read the manifest, open its files, remove every other file in
//      tables/ (a flush cut short before its manifest), replay the log while
//      skipping item changes at or below flushed_lsn.
//
//   4. Log release (CheckpointAndReleaseLog, after flushes): the manifest
//      holds the catalog checkpoint, the stream registry writes its own
//      (streams/CHECKPOINT) after syncing its segments, and the log drops
//      segments below the older of the two.
#include <algorithm>
#include <atomic>
#include <cassert>
#include <cstdio>
#include <set>

#include "compaction/table_builder.h"
#include "engine/db_impl.h"
#include "engine/memtable_source.h"

namespace eddy::engine {
namespace {

// Flushes wait behind this many immutable memtables before writers stall:
// bounds the memory a slow disk can pile up.
constexpr std::size_t kMaxImmutables = 4;

std::atomic<void (*)(std::string_view)> flush_hook{nullptr};

}  // namespace

void DbImpl::Hook(std::string_view point) {
  if (auto* hook = flush_hook.load(std::memory_order_acquire)) hook(point);
}

void DbImpl::SetFlushHookForTesting(void (*hook)(std::string_view point)) {
  flush_hook.store(hook, std::memory_order_release);
}

std::shared_ptr<memtable::ArenaBlockPool> DbImpl::NewArenaBlockPool(const Options& options) {
  // Arena blocks well below the budget, so a small budget still means many
  // items per memtable rather than one block's worth of bytes.
  const std::size_t block = static_cast<std::size_t>(
      std::clamp<std::uint64_t>(options.memtable_budget_bytes / 8, 4096, 4u << 20));
  // One memtable's worth (its two arenas may each end with a part-used
  // block), so the next memtable after a flush writes only warm pages.
  const std::size_t allocation = memtable::Arena::PoolAllocationBytes(block);
  return std::make_shared<memtable::ArenaBlockPool>(
      allocation, static_cast<std::size_t>(options.memtable_budget_bytes) + 2 * allocation);
}

std::shared_ptr<memtable::Memtable> DbImpl::NewMemtable() const {
  // The key filter gets 1/64 of the budget: about 25 bits per item of 100
  // bytes, 5 per item of a bare key (memtable/key_filter.h); a 64 MiB
  // budget gives a 1 MiB filter.
  const auto filter = static_cast<std::size_t>(options_.memtable_budget_bytes / 64);
  return std::make_shared<memtable::Memtable>(arena_pool_, filter);
}

std::size_t DbImpl::MemtableBytes() const {
  std::shared_ptr<const ReadView> view = View();
  std::size_t bytes = view->active->MemoryBytes();
  for (const FrozenMemtable& f : view->immutables)
    bytes += f.mem->MemoryBytes();
  return bytes;
}

Status DbImpl::OpenTables() {
  block_cache_ = std::make_unique<compaction::BlockCache>(
      options_.block_cache_bytes, compaction::BlockCache::Admission::kSecondMiss);
  read_pool_ = std::make_unique<compaction::ReadQueuePool>(env_);
  const std::string dir = tables_dir();
  EDDY_RETURN_IF_ERROR(env_->CreateDirIfMissing(dir));
  EDDY_ASSIGN_OR_RETURN(std::optional<compaction::Manifest> manifest,
                        compaction::ReadManifest(read_pool_.get(), dir));
  if (manifest) manifest_ = std::move(*manifest);
  flushed_lsn_.store(manifest_.flushed_lsn, std::memory_order_relaxed);
  if (!manifest_.catalog.empty()) {
    EDDY_ASSIGN_OR_RETURN(Catalog::CheckpointLsns lsns, catalog_.Restore(manifest_.catalog));
    if (lsns.counts != manifest_.flushed_lsn || lsns.catalog < lsns.counts) {
      return Status::Corruption("manifest " + dir + "/" + compaction::kManifestName +
                                ": catalog checkpoint LSNs disagree with the flushed LSN");
    }
    catalog_lsn_ = lsns.catalog;
    counts_lsn_ = lsns.counts;
  }

  std::set<std::uint64_t> live;
  for (const compaction::ManifestFile& f : manifest_.files)
    live.insert(f.number);
  EDDY_ASSIGN_OR_RETURN(std::vector<std::string> names, env_->ListDir(dir));
  bool removed = false;
  for (const std::string& name : names) {
    if (name == compaction::kManifestName) continue;
    std::optional<std::uint64_t> number = compaction::ParseTableFileName(name);
    if (number && live.count(*number) != 0) continue;
    EDDY_RETURN_IF_ERROR(env_->Remove(dir + "/" + name));
    removed = true;
  }
  if (removed) EDDY_RETURN_IF_ERROR(env_->SyncDir(dir));

  auto view = std::make_shared<ReadView>();
  view->active = NewMemtable();
  for (const compaction::ManifestFile& f : manifest_.files) {
    EDDY_ASSIGN_OR_RETURN(std::shared_ptr<TableFile> file, OpenTableFile(f));
    if (file->reader->smallest_key() != f.smallest_key ||
        file->reader->largest_key() != f.largest_key) {
      return Status::Corruption("table " + dir + "/" + compaction::TableFileName(f.number) +
                                ": key range differs from the manifest's");
    }
    view->files.push_back(std::move(file));
  }
  std::lock_guard lock(view_mu_);
  view_ = std::move(view);
  return Status::Ok();
}

void DbImpl::MaybeSwitchMemtable() {
  {
    std::lock_guard gate(switch_gate_);
    std::unique_lock exclusive(switch_mu_);
    std::lock_guard lock(view_mu_);
    if (view_->active->MemoryBytes() <= options_.memtable_budget_bytes) return;
    auto next = std::make_shared<ReadView>(*view_);
    // No writer is between its log append and its install now, so the
    // counts are exactly those of every change up to the switch LSN.
    next->immutables.insert(
        next->immutables.begin(),
        FrozenMemtable{view_->active, wal_->last_lsn(),
                       std::make_shared<const std::vector<std::pair<TableId, std::int64_t>>>(
                           catalog_.ItemCounts())});
    next->active = NewMemtable();
    view_ = std::move(next);
  }
  // Under flush_mu_, so the flusher cannot miss it between check and wait.
  std::lock_guard lock(flush_mu_);
  flush_cv_.notify_one();
}

Status DbImpl::WaitForFlushRoom() {
  if (View()->immutables.size() < kMaxImmutables) return Status::Ok();
  std::unique_lock lock(flush_mu_);
  room_cv_.wait(lock, [&] {
    return !flush_error_.ok() || stop_flush_ || View()->immutables.size() < kMaxImmutables;
  });
  return flush_error_;
}

Status DbImpl::WaitForFlushes() {
  std::unique_lock lock(flush_mu_);
  room_cv_.wait(lock,
                [&] { return !flush_error_.ok() || stop_flush_ || View()->immutables.empty(); });
  return flush_error_;
}

void DbImpl::FlushLoop() {
  while (true) {
    std::shared_ptr<const ReadView> view;
    {
      std::unique_lock lock(flush_mu_);
      flush_cv_.wait(lock, [&] {
        view = View();
        return stop_flush_ || !view->immutables.empty();
      });
      if (stop_flush_) return;
    }
    Status s = FlushOldest(view->immutables.back());
    std::lock_guard lock(flush_mu_);
    if (!s.ok()) {
      // Sticky: the memtables stay in memory and in the log, so nothing is
      // lost; writers stall once kMaxImmutables pile up and then see this.
      std::fprintf(stderr, "eddy: flush failed: %s\n", s.ToString().c_str());
      flush_error_ = s;
      room_cv_.notify_all();
      return;
    }
    ++flushes_;
    room_cv_.notify_all();
    compact_cv_.notify_one();
  }
}

std::uint64_t DbImpl::NewFileNumber() {
  std::lock_guard lock(manifest_mu_);
  return manifest_.next_file_number++;
}

Result<std::shared_ptr<TableFile>> DbImpl::OpenTableFile(const compaction::ManifestFile& meta) {
  auto file = std::make_shared<TableFile>();
  file->meta = meta;
  compaction::TableReaderOptions r;
  r.env = env_;
  r.path = tables_dir() + "/" + compaction::TableFileName(meta.number);
  r.file_number = meta.number;
  r.cache = block_cache_.get();
  r.io = read_pool_.get();
  r.map_file = options_.map_table_files;
  EDDY_ASSIGN_OR_RETURN(file->reader, compaction::TableReader::Open(r));
  return file;
}

Result<std::shared_ptr<TableFile>> DbImpl::WriteTableFile(compaction::EntryIterator& source,
                                                          std::string_view job) {
  const std::uint64_t number = NewFileNumber();
  compaction::TableWriteOptions w;
  w.env = env_;
  w.path = tables_dir() + "/" + compaction::TableFileName(number);
  // Buffered, so the new file is in the page cache when the write path and
  // readers look items up in it: written with O_DIRECT, every block of a
  // fresh flush or compaction output was first read from disk (measured in
  // docs/sstable_format.md, "I/O choices").
  w.direct_io = false;
  w.bloom_bits_per_key = options_.table_bloom_bits_per_key;
  Hook(std::string(job) + ":writing");
  EDDY_ASSIGN_OR_RETURN(compaction::TableFileInfo info, compaction::WriteTable(w, source));
  EDDY_RETURN_IF_ERROR(env_->SyncDir(tables_dir()));
  Hook(std::string(job) + ":written");
  return OpenTableFile({number, info.file_bytes, info.smallest_lsn, info.largest_lsn,
                        info.smallest_key, info.largest_key});
}

Status DbImpl::FlushOldest(const FrozenMemtable& frozen) {
  const std::string dir = tables_dir();
  std::shared_ptr<TableFile> file;
  if (frozen.mem->KeyCount() != 0) {
    MemtableSource source(frozen.mem.get());
    EDDY_ASSIGN_OR_RETURN(file, WriteTableFile(source, "flush"));
  }
  // The catalog checkpoint travels with the file: tables as of now (under
  // the DDL mutex, every catalog record up to the log's last LSN is
  // applied), item counts as of the switch.
  std::string catalog;
  Lsn catalog_lsn;
  {
    std::lock_guard ddl(ddl_mu_);
    catalog_lsn = wal_->last_lsn();
    catalog_.EncodeCheckpoint(catalog_lsn, frozen.switch_lsn, *frozen.item_counts, &catalog);
  }
  // Every LSN the manifest names must be durable in the log before it is
  // written: the file's changes (up to the switch LSN, which catalog_lsn
  // covers), or the log would not replay what a crash took from the file;
  // and the rest, since the next run's log continues above them (Open's
  // min_next_lsn). last_lsn() counts records other writers are still
  // waiting to have written: were the manifest durable before them and the
  // process killed, the next run would start above a hole in the log, and
  // the run after it would find the hole and refuse to open.
  if (wal_->durable_lsn() < catalog_lsn) EDDY_RETURN_IF_ERROR(wal_->Sync().status());
  // Manifest then view, under manifest_mu_, so that a compaction's rewrite
  // cannot interleave and both agree on the file order.
  std::lock_guard manifest_lock(manifest_mu_);
  compaction::Manifest next = manifest_;
  if (file) next.files.insert(next.files.begin(), file->meta);
  next.flushed_lsn = std::max(next.flushed_lsn, frozen.switch_lsn);
  next.catalog = std::move(catalog);
  Hook("flush:recording");
  EDDY_RETURN_IF_ERROR(compaction::WriteManifest(env_, dir, next));
  Hook("flush:recorded");
  flushed_lsn_.store(next.flushed_lsn, std::memory_order_relaxed);
  manifest_ = std::move(next);

  std::lock_guard lock(view_mu_);
  auto view = std::make_shared<ReadView>(*view_);
  // Only the flusher removes immutables, oldest first.
  assert(!view->immutables.empty() && view->immutables.back().mem == frozen.mem);
  view->immutables.pop_back();
  if (file) view->files.insert(view->files.begin(), std::move(file));
  view_ = std::move(view);
  return Status::Ok();
}

void DbImpl::StopFlusher() {
  {
    std::lock_guard lock(flush_mu_);
    stop_flush_ = true;
  }
  flush_cv_.notify_all();
  room_cv_.notify_all();
  compact_cv_.notify_all();
  if (flusher_.joinable()) flusher_.join();
  if (compactor_.joinable()) compactor_.join();
}

}  // namespace eddy::engine
