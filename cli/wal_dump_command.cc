// `eddy wal-dump DIR`: reads a log directory and prints what recovery sees.
//
// An exception to "cli/ includes only include/eddy/": this is a tool for the
// write-ahead log itself (as leveldb's leveldbutil reads log files), so it
// uses wal/ directly rather than a public API made up for it.
#include <CLI/CLI.hpp>

#include <cstdio>

#include "cli/commands.h"
#include "wal/log_reader.h"

namespace eddy::cli {
namespace {

struct WalDumpOptions {
  std::string dir;
  std::uint64_t from = 1;
  bool records = false;
};

int RunWalDump(const WalDumpOptions& o) {
  auto reader = wal::LogReader::Open(wal::Env::Default(), o.dir, o.from);
  if (!reader.ok()) {
    std::fprintf(stderr, "eddy wal-dump: %s\n", reader.status().ToString().c_str());
    return 1;
  }
  wal::LogRecord r;
  while (true) {
    Result<bool> more = (*reader)->Next(&r);
    if (!more.ok()) {
      std::fprintf(stderr, "eddy wal-dump: %s\n", more.status().ToString().c_str());
      return 1;
    }
    if (!*more) break;
    if (o.records) {
      std::printf("lsn %llu type %u bytes %zu ts_us %llu\n", static_cast<unsigned long long>(r.lsn),
                  r.type, r.payload.size(), static_cast<unsigned long long>(r.timestamp_us));
    }
  }
  const wal::RecoveryReport& rep = (*reader)->report();
  std::printf(
      "segments %llu, records %llu, bytes %llu, LSN %llu..%llu, %.3f s\n",
      static_cast<unsigned long long>(rep.segments), static_cast<unsigned long long>(rep.records),
      static_cast<unsigned long long>(rep.bytes), static_cast<unsigned long long>(rep.first_lsn),
      static_cast<unsigned long long>(rep.last_lsn), rep.seconds);
  if (rep.torn_tail) std::printf("torn tail: %s\n", rep.torn_tail_detail.c_str());
  return 0;
}

}  // namespace

Runner RegisterWalDump(CLI::App& app) {
  auto o = std::make_shared<WalDumpOptions>();
  CLI::App* sub = app.add_subcommand("wal-dump", "Read a write-ahead log directory and report it");
  sub->add_option("dir", o->dir, "Log directory")->required();
  sub->add_option("--from", o->from, "First LSN to read")->capture_default_str();
  sub->add_flag("--records", o->records, "Print one line per record");
  return [o] { return RunWalDump(*o); };
}

}  // namespace eddy::cli
