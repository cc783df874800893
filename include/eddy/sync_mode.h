// When a write is acknowledged relative to the disk. See docs/durability.md.
#pragma once

#include <optional>
#include <string_view>

namespace eddy {

enum class SyncMode : unsigned char {
  // Acknowledged once the record sits in the log's submission buffer; the log
  // thread hands it to the kernel within microseconds. A process crash can
  // lose the records not yet handed over; an OS crash can lose all unsynced.
  kNone,
  // Acknowledged after the write+sync that covers the record completed
  // (group commit: concurrent appenders share one sync). The default.
  kBatch,
  // The log syncs at most every `sync_interval_ms`; a record is acknowledged
  // once a sync covering it completed.
  kInterval,
};

std::string_view SyncModeName(SyncMode mode);
std::optional<SyncMode> ParseSyncMode(std::string_view name);

}  // namespace eddy
