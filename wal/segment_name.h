// Segment file names: "wal-<first LSN, 20 digits>.log", so that `ls` shows the
// segments in log order with the LSN each begins at. Pre-written segments not
// yet in use are "wal-spare-<n>.tmp".
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "eddy/types.h"

namespace eddy::wal {

std::string SegmentFileName(Lsn first_lsn);
std::optional<Lsn> ParseSegmentFileName(std::string_view name);

std::string SpareFileName(std::uint64_t n);
bool IsSpareFileName(std::string_view name);

}  // namespace eddy::wal
