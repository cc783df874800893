// LogReader: reads a log directory from a given LSN, verifying as it goes.
//
// Used by Wal::Open for recovery, and by tools and tests that read a log
// without writing to it. Not thread-safe; one reader per thread. Reads go
// through the Env's IoQueue in large chunks, with the next chunk in flight
// while the current one is parsed.
//
// What it guarantees (docs/wal_format.md, "Reading and recovery"):
// - never returns a record whose checksum fails, never skips a record: LSNs
//   come out strictly consecutive;
// - a damaged frame followed by later frames that had been acknowledged is
//   Corruption naming segment and offset;
// - a damaged end of the last segment with nothing acknowledged after it is a
//   torn tail: reading ends there and report() says what was cut.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "eddy/result.h"
#include "wal/env.h"
#include "wal/wal.h"

namespace eddy::wal {

class LogReader {
 public:
  // Opens the log in `dir` for reading records with LSN >= from_lsn. An
  // empty or missing log reads as no records.
  static Result<std::unique_ptr<LogReader>> Open(Env* env, const std::string& dir, Lsn from_lsn,
                                                 bool report_progress = false);

  virtual ~LogReader() = default;

  // Reads the next record into *out. Returns false at the end of the log.
  // out->payload stays valid until the next call.
  virtual Result<bool> Next(LogRecord* out) = 0;

  // What has been read so far; complete once Next() returned false.
  virtual const RecoveryReport& report() const = 0;
};

}  // namespace eddy::wal
