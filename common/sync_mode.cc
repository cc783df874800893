#include "eddy/sync_mode.h"

namespace eddy {

std::string_view SyncModeName(SyncMode mode) {
  switch (mode) {
    case SyncMode::kNone:
      return "none";
    case SyncMode::kBatch:
      return "batch";
    case SyncMode::kInterval:
      return "interval";
  }
  return "unknown";
}

std::optional<SyncMode> ParseSyncMode(std::string_view name) {
  if (name == "none") return SyncMode::kNone;
  if (name == "batch") return SyncMode::kBatch;
  if (name == "interval") return SyncMode::kInterval;
  return std::nullopt;
}

}  // namespace eddy
