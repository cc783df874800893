// ReadWholeLog: every record a LogReader returns from a log directory, with
// the status it stopped on and its report, for tests to compare with what
// they wrote.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "eddy/status.h"
#include "wal/log_reader.h"

namespace eddy::testing {

struct ReadRecord {
  Lsn lsn = kNoLsn;
  std::uint8_t type = 0;
  std::string payload;
};

struct WholeLog {
  Status status;  // OK, or the error reading stopped on
  std::vector<ReadRecord> records;
  wal::RecoveryReport report;

  // True when the records carry LSNs 1, 2, 3, ... (or `first`, first + 1, ...).
  bool Consecutive(Lsn first = 1) const {
    for (std::size_t i = 0; i < records.size(); ++i) {
      if (records[i].lsn != first + i) return false;
    }
    return true;
  }
  std::vector<std::string> Payloads() const {
    std::vector<std::string> out;
    out.reserve(records.size());
    for (const ReadRecord& r : records)
      out.push_back(r.payload);
    return out;
  }
};

inline WholeLog ReadWholeLog(wal::Env* env, const std::string& dir, Lsn from = 1) {
  WholeLog out;
  auto reader = wal::LogReader::Open(env, dir, from);
  if (!reader.ok()) {
    out.status = reader.status();
    return out;
  }
  wal::LogRecord rec;
  while (true) {
    Result<bool> more = (*reader)->Next(&rec);
    if (!more.ok()) {
      out.status = more.status();
      break;
    }
    if (!*more) break;
    out.records.push_back(
        {rec.lsn, rec.type,
         std::string(reinterpret_cast<const char*>(rec.payload.data()), rec.payload.size())});
  }
  out.report = (*reader)->report();
  return out;
}

}  // namespace eddy::testing
