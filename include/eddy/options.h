// Options of an open Eddy directory.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "eddy/clock.h"
#include "eddy/sync_mode.h"

namespace eddy {

struct Options {
  std::string dir;  // created if missing
  SyncMode sync_mode = SyncMode::kBatch;
  std::uint32_t sync_interval_ms = 10;            // sync mode interval
  std::uint64_t wal_segment_bytes = 64ull << 20;  // write-ahead log segment size
  std::uint32_t wal_max_inflight_writes = 0;      // 0: by sync mode (wal::WalOptions)
  Clock* clock = nullptr;                         // nullptr: the real clock
  // Print log recovery progress on stderr; default: when stderr is a terminal.
  std::optional<bool> report_progress;
};

}  // namespace eddy
