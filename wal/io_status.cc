#include "wal/io_status.h"

#include <cerrno>
#include <cstring>
#include <string>

namespace eddy::wal {

Status ErrnoStatus(int err, std::string_view what) {
  if (err < 0) err = -err;
  std::string msg(what);
  msg += ": ";
  msg += std::strerror(err);
  if (err == ENOENT) return Status::NotFound(msg);
  return Status::IOError(msg);
}

}  // namespace eddy::wal
