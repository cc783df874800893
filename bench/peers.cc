#include "bench/peers.h"

#include <leveldb/db.h>
#include <leveldb/options.h>
#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <rocksdb/version.h>

namespace eddy::bench {
namespace {

template <typename Slice>
Slice ToSlice(ByteSpan bytes) {
  return Slice(reinterpret_cast<const char*>(bytes.data()), bytes.size());
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
};

class LevelDbPeer final : public PeerDb {
 public:
  explicit LevelDbPeer(leveldb::DB* db) : db_(db) {
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

  Status Close() override {
    delete db_;  // LevelDB closes on delete and reports nothing
    db_ = nullptr;
    return Status::Ok();
  }

  std::string Describe() const override {
    return "leveldb " + std::to_string(leveldb::kMajorVersion) + "." +
           std::to_string(leveldb::kMinorVersion);
  }

 private:
  leveldb::DB* db_;
  leveldb::WriteOptions sync_;
  leveldb::WriteOptions no_sync_;
};

Result<std::unique_ptr<PeerDb>> OpenRocksDb(const std::filesystem::path& dir) {
  rocksdb::Options options;
  options.create_if_missing = true;
  options.error_if_exists = true;
  options.compression = rocksdb::kNoCompression;
  options.bottommost_compression = rocksdb::kNoCompression;
  rocksdb::DB* db = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(options, dir.string(), &db);
  if (!s.ok()) return Status::IOError("rocksdb open " + dir.string() + ": " + s.ToString());
  return std::unique_ptr<PeerDb>(std::make_unique<RocksDbPeer>(db));
}

Result<std::unique_ptr<PeerDb>> OpenLevelDb(const std::filesystem::path& dir) {
  leveldb::Options options;
  options.create_if_missing = true;
  options.error_if_exists = true;
  options.compression = leveldb::kNoCompression;
  leveldb::DB* db = nullptr;
  leveldb::Status s = leveldb::DB::Open(options, dir.string(), &db);
  if (!s.ok()) return Status::IOError("leveldb open " + dir.string() + ": " + s.ToString());
  return std::unique_ptr<PeerDb>(std::make_unique<LevelDbPeer>(db));
}

}  // namespace

const std::vector<std::string>& PeerEngines() {
  static const std::vector<std::string> engines = {"rocksdb", "leveldb"};
  return engines;
}

Result<std::unique_ptr<PeerDb>> OpenPeer(std::string_view engine,
                                         const std::filesystem::path& dir) {
  if (engine == "rocksdb") return OpenRocksDb(dir);
  if (engine == "leveldb") return OpenLevelDb(dir);
  return Status::InvalidArgument("unknown peer engine: " + std::string(engine));
}

}  // namespace eddy::bench
