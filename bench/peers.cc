#include "bench/peers.h"

#include <leveldb/cache.h>
#include <leveldb/db.h>
#include <leveldb/filter_policy.h>
#include <leveldb/options.h>
#include <rocksdb/cache.h>
#include <rocksdb/db.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/options.h>
#include <rocksdb/table.h>
#include <rocksdb/version.h>

namespace eddy::bench {
namespace {

template <typename Slice>
Slice ToSlice(ByteSpan bytes) {
  return Slice(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}

// The iterator loop both libraries share: seek, then copy entries while the
// key keeps the prefix.
template <typename Iterator, typename Slice>
void ScanFrom(Iterator& it, ByteSpan start, ByteSpan prefix, std::size_t count, std::string* key,
              std::string* value, std::size_t* found) {
  const Slice pre = ToSlice<Slice>(prefix);
  std::size_t n = 0;
  for (it.Seek(ToSlice<Slice>(start)); n < count && it.Valid(); it.Next()) {
    const Slice k = it.key();
    if (!k.starts_with(pre)) break;
    key->assign(k.data(), k.size());
    const Slice v = it.value();
    value->assign(v.data(), v.size());
    ++n;
  }
  *found = n;
}

class RocksDbPeer final : public PeerDb {
 public:
  explicit RocksDbPeer(rocksdb::DB* db) : db_(db) {
    sync_.sync = true;
    no_sync_.sync = false;
  }
  ~RocksDbPeer() override { Close().IgnoreError(); }

  Status Put(ByteSpan key, ByteSpan value, bool sync) override {
    rocksdb::Status s = db_->Put(sync ? sync_ : no_sync_, ToSlice<rocksdb::Slice>(key),
                                 ToSlice<rocksdb::Slice>(value));
    if (!s.ok()) return Status::IOError("rocksdb put: " + s.ToString());
    return Status::Ok();
  }

  Status Get(ByteSpan key, std::string* value) override {
    rocksdb::Status s = db_->Get(read_, ToSlice<rocksdb::Slice>(key), value);
    if (s.IsNotFound()) return Status::NotFound("rocksdb get: no such key");
    if (!s.ok()) return Status::IOError("rocksdb get: " + s.ToString());
    return Status::Ok();
  }

  Status Scan(ByteSpan start, ByteSpan prefix, std::size_t count, std::string* key,
              std::string* value, std::size_t* found) override {
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(read_));
    ScanFrom<rocksdb::Iterator, rocksdb::Slice>(*it, start, prefix, count, key, value, found);
    if (!it->status().ok()) return Status::IOError("rocksdb scan: " + it->status().ToString());
    return Status::Ok();
  }

  std::optional<bool> BackgroundBusy() override {
    for (const std::string* property : {&rocksdb::DB::Properties::kNumRunningFlushes,
                                        &rocksdb::DB::Properties::kNumRunningCompactions,
                                        &rocksdb::DB::Properties::kMemTableFlushPending,
                                        &rocksdb::DB::Properties::kCompactionPending}) {
      std::uint64_t n = 0;
      if (!db_->GetIntProperty(*property, &n)) return std::nullopt;
      if (n != 0) return true;
    }
    return false;
  }

  Status Close() override {
    if (db_ == nullptr) return Status::Ok();
    rocksdb::Status s = db_->Close();
    delete db_;
    db_ = nullptr;
    if (!s.ok()) return Status::IOError("rocksdb close: " + s.ToString());
    return Status::Ok();
  }

  std::string Describe() const override {
    return "rocksdb " + std::to_string(ROCKSDB_MAJOR) + "." + std::to_string(ROCKSDB_MINOR) + "." +
           std::to_string(ROCKSDB_PATCH);
  }

 private:
  rocksdb::DB* db_;
  rocksdb::WriteOptions sync_;
  rocksdb::WriteOptions no_sync_;
  rocksdb::ReadOptions read_;
};

class LevelDbPeer final : public PeerDb {
 public:
  // Owns the cache and filter policy the options point to: LevelDB does not.
  LevelDbPeer(leveldb::DB* db, leveldb::Cache* cache, const leveldb::FilterPolicy* filter)
      : db_(db), cache_(cache), filter_(filter) {
    sync_.sync = true;
    no_sync_.sync = false;
  }
  ~LevelDbPeer() override { Close().IgnoreError(); }

  Status Put(ByteSpan key, ByteSpan value, bool sync) override {
    leveldb::Status s = db_->Put(sync ? sync_ : no_sync_, ToSlice<leveldb::Slice>(key),
                                 ToSlice<leveldb::Slice>(value));
    if (!s.ok()) return Status::IOError("leveldb put: " + s.ToString());
    return Status::Ok();
  }

  Status Get(ByteSpan key, std::string* value) override {
    leveldb::Status s = db_->Get(read_, ToSlice<leveldb::Slice>(key), value);
    if (s.IsNotFound()) return Status::NotFound("leveldb get: no such key");
    if (!s.ok()) return Status::IOError("leveldb get: " + s.ToString());
    return Status::Ok();
  }

  Status Scan(ByteSpan start, ByteSpan prefix, std::size_t count, std::string* key,
              std::string* value, std::size_t* found) override {
    std::unique_ptr<leveldb::Iterator> it(db_->NewIterator(read_));
    ScanFrom<leveldb::Iterator, leveldb::Slice>(*it, start, prefix, count, key, value, found);
    if (!it->status().ok()) return Status::IOError("leveldb scan: " + it->status().ToString());
    return Status::Ok();
  }

  std::optional<bool> BackgroundBusy() override { return std::nullopt; }

  Status Close() override {
    delete db_;  // LevelDB closes on delete and reports nothing
    db_ = nullptr;
    cache_.reset();
    filter_.reset();
    return Status::Ok();
  }

  std::string Describe() const override {
    return "leveldb " + std::to_string(leveldb::kMajorVersion) + "." +
           std::to_string(leveldb::kMinorVersion);
  }

 private:
  leveldb::DB* db_;
  std::unique_ptr<leveldb::Cache> cache_;
  std::unique_ptr<const leveldb::FilterPolicy> filter_;
  leveldb::WriteOptions sync_;
  leveldb::WriteOptions no_sync_;
  leveldb::ReadOptions read_;
};

Result<std::unique_ptr<PeerDb>> OpenRocksDb(const std::filesystem::path& dir,
                                            const PeerOptions& peer) {
  rocksdb::Options options;
  options.create_if_missing = true;
  options.error_if_exists = peer.error_if_exists;
  options.compression = rocksdb::kNoCompression;
  options.bottommost_compression = rocksdb::kNoCompression;
  if (peer.write_buffer_bytes != 0) options.write_buffer_size = peer.write_buffer_bytes;
  if (peer.max_write_buffers != 0) options.max_write_buffer_number = peer.max_write_buffers;
  options.avoid_flush_during_recovery = peer.avoid_flush_during_recovery;
  if (peer.block_cache_bytes != 0 || peer.bloom_bits_per_key != 0) {
    rocksdb::BlockBasedTableOptions table;
    if (peer.block_cache_bytes != 0)
      table.block_cache = rocksdb::NewLRUCache(peer.block_cache_bytes);
    if (peer.bloom_bits_per_key != 0) {
      table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(peer.bloom_bits_per_key));
    }
    options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  }
  rocksdb::DB* db = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(options, dir.string(), &db);
  if (!s.ok()) return Status::IOError("rocksdb open " + dir.string() + ": " + s.ToString());
  return std::unique_ptr<PeerDb>(std::make_unique<RocksDbPeer>(db));
}

Result<std::unique_ptr<PeerDb>> OpenLevelDb(const std::filesystem::path& dir,
                                            const PeerOptions& peer) {
  leveldb::Options options;
  options.create_if_missing = true;
  options.error_if_exists = peer.error_if_exists;
  options.compression = leveldb::kNoCompression;
  if (peer.write_buffer_bytes != 0) options.write_buffer_size = peer.write_buffer_bytes;
  if (peer.max_open_files != 0) options.max_open_files = peer.max_open_files;
  std::unique_ptr<leveldb::Cache> cache;
  std::unique_ptr<const leveldb::FilterPolicy> filter;
  if (peer.block_cache_bytes != 0) {
    cache.reset(leveldb::NewLRUCache(peer.block_cache_bytes));
    options.block_cache = cache.get();
  }
  if (peer.bloom_bits_per_key != 0) {
    filter.reset(leveldb::NewBloomFilterPolicy(peer.bloom_bits_per_key));
    options.filter_policy = filter.get();
  }
  leveldb::DB* db = nullptr;
  leveldb::Status s = leveldb::DB::Open(options, dir.string(), &db);
  if (!s.ok()) return Status::IOError("leveldb open " + dir.string() + ": " + s.ToString());
  return std::unique_ptr<PeerDb>(
      std::make_unique<LevelDbPeer>(db, cache.release(), filter.release()));
}

}  // namespace

const std::vector<std::string>& PeerEngines() {
  static const std::vector<std::string> engines = {"rocksdb", "leveldb"};
  return engines;
}

Result<std::unique_ptr<PeerDb>> OpenPeer(std::string_view engine, const std::filesystem::path& dir,
                                         const PeerOptions& options) {
  if (engine == "rocksdb") return OpenRocksDb(dir, options);
  if (engine == "leveldb") return OpenLevelDb(dir, options);
  return Status::InvalidArgument("unknown peer engine: " + std::string(engine));
}

}  // namespace eddy::bench
