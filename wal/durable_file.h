// Small files replaced whole and atomically: the table manifest and the
// stream checkpoint. Both are rewritten in full on every change, so the
// reader never needs an edit log: a crash leaves the old file or the new
// one, never a mix.
//
// ReplaceFileDurably writes <dir>/<name>.tmp, fdatasyncs it, renames it over
// <dir>/<name> and syncs the directory. A leftover .tmp (a crash before the
// rename) is overwritten by the next replace; readers ignore it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "eddy/result.h"
#include "eddy/status.h"
#include "wal/env.h"

namespace eddy::wal {

Status ReplaceFileDurably(Env* env, const std::string& dir, std::string_view name,
                          std::string_view bytes);

// The whole content of `path`, or nullopt when it does not exist.
// Corruption when it is larger than `max_bytes` (a damaged length is not
// read into memory).
Result<std::optional<std::string>> ReadWholeFile(Env* env, const std::string& path,
                                                 std::uint64_t max_bytes);

}  // namespace eddy::wal
