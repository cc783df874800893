// The one place where an errno becomes a Status (STYLE.md: io_uring reports
// -errno in cqe->res; turn it into a Status in one place).
#pragma once

#include <string_view>

#include "eddy/status.h"

namespace eddy::wal {

// `err` may be given positive (errno) or negative (cqe->res).
// ENOENT becomes NotFound, ENOSPC/EIO/everything else IOError.
Status ErrnoStatus(int err, std::string_view what);

}  // namespace eddy::wal
