// Peer stores (RocksDB, LevelDB from Debian) driven through the same loops as
// Eddy, in the same process and run, so results are ratios taken under the
// same machine noise. Linked only into eddy-bench.
//
// Settings shared by every peer, as in docs/performance-anchors.md: the
// library's defaults, compression off, WAL on; each Put's WriteOptions.sync
// is chosen per call. Each peer opens a fresh directory the caller removes.
//
// Threads: Put may be called from any number of threads (both libraries
// group-commit concurrent writers); Close once, after the writers joined.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "eddy/result.h"
#include "eddy/status.h"
#include "eddy/types.h"

namespace eddy::bench {

class PeerDb {
 public:
  virtual ~PeerDb() = default;
  virtual Status Put(ByteSpan key, ByteSpan value, bool sync) = 0;
  // Flushes nothing on purpose: it only closes, so a cell's timing never
  // includes it and the directory can be removed.
  virtual Status Close() = 0;
  // "rocksdb 7.8.3" and the like, for the docs.
  virtual std::string Describe() const = 0;
};

// The peers known to OpenPeer, in report order.
const std::vector<std::string>& PeerEngines();

// engine: one of PeerEngines(). `dir` must exist and be empty.
Result<std::unique_ptr<PeerDb>> OpenPeer(std::string_view engine, const std::filesystem::path& dir);

}  // namespace eddy::bench
