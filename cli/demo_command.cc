// `eddy demo`: the main job until the server exists. Writes records through
// the write-ahead log from several threads, reopens the log, verifies every
// record and prints the throughput of both phases.
//
// An exception to "cli/ includes only include/eddy/": this is a tool for the
// write-ahead log itself (as leveldb's leveldbutil reads log files), so it
// uses wal/ directly rather than a public API made up for it.
#include <CLI/CLI.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <thread>
#include <vector>

#include "cli/commands.h"
#include "common/hash.h"
#include "eddy/sync_mode.h"
#include "wal/wal.h"

namespace eddy::cli {
namespace {

constexpr std::uint8_t kDemoRecordType = wal::kFirstUserRecordType;

struct DemoOptions {
  std::string dir = "./eddy-data/demo-wal";
  std::uint64_t records = 300'000;
  unsigned threads = 8;
  unsigned record_bytes = 128;
  std::string sync = "batch";
  unsigned max_inflight = 0;  // 0: the log's default
  bool keep = false;
  bool buffered = false;
};

// Payload: thread id, counter, then filler derived from both, so a record
// can be verified on its own.
void FillPayload(unsigned thread, std::uint64_t counter, std::vector<std::byte>& out) {
  std::memcpy(out.data(), &thread, 4);
  std::memcpy(out.data() + 4, &counter, 8);
  std::uint64_t seed = XXH3_64bits(out.data(), 12);
  for (std::size_t i = 12; i < out.size(); ++i) {
    out[i] = static_cast<std::byte>((seed >> ((i % 8) * 8)) ^ i);
  }
}

int RunDemo(const DemoOptions& o) {
  std::optional<SyncMode> mode = ParseSyncMode(o.sync);
  if (!mode) {
    std::fprintf(stderr, "eddy demo: unknown sync mode '%s' (none, batch, interval)\n",
                 o.sync.c_str());
    return 2;
  }
  if (o.record_bytes < 12 || o.threads == 0) {
    std::fprintf(stderr, "eddy demo: --record-bytes must be >= 12 and --threads >= 1\n");
    return 2;
  }
  std::error_code ec;
  std::filesystem::remove_all(o.dir, ec);
  std::filesystem::create_directories(o.dir, ec);

  wal::WalOptions options;
  options.dir = o.dir;
  options.sync_mode = *mode;
  options.direct_io = !o.buffered;
  if (o.max_inflight > 0) options.max_inflight_writes = o.max_inflight;
  std::printf("eddy demo: %llu records of %u B from %u threads, sync %s, in %s\n",
              static_cast<unsigned long long>(o.records), o.record_bytes, o.threads, o.sync.c_str(),
              o.dir.c_str());
  auto log = wal::Wal::Open(options, 1, nullptr, nullptr);
  if (!log.ok()) {
    std::fprintf(stderr, "eddy demo: %s\n", log.status().ToString().c_str());
    return 1;
  }
  std::atomic<std::uint64_t> next{0};
  std::atomic<bool> failed{false};
  auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  for (unsigned t = 0; t < o.threads; ++t) {
    threads.emplace_back([&, t] {
      std::vector<std::byte> payload(o.record_bytes);
      for (std::uint64_t n = next++; n < o.records && !failed; n = next++) {
        FillPayload(t, n, payload);
        auto lsn = (*log)->Append(kDemoRecordType, payload);
        if (!lsn.ok()) {
          std::fprintf(stderr, "eddy demo: append: %s\n", lsn.status().ToString().c_str());
          failed = true;
        }
      }
    });
  }
  for (auto& th : threads)
    th.join();
  Status closed = (*log)->Close();
  wal::WalStats stats = (*log)->stats();
  double write_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (failed || !closed.ok()) {
    if (!closed.ok()) std::fprintf(stderr, "eddy demo: close: %s\n", closed.ToString().c_str());
    return 1;
  }
  log->reset();
  std::printf("  log   : %llu writes (%.1f records each), %llu syncs, %.1f MB written\n",
              static_cast<unsigned long long>(stats.writes),
              stats.writes ? double(stats.records) / stats.writes : 0.0,
              static_cast<unsigned long long>(stats.syncs), stats.bytes_written / 1e6);
  std::printf("  write : %10.0f records/s  %8.1f MB/s  (%.2f s)\n", o.records / write_s,
              o.records * double(o.record_bytes) / write_s / 1e6, write_s);

  // Reopen: recovery replays every record; check each one.
  std::vector<std::byte> expect(o.record_bytes);
  std::vector<bool> seen(o.records, false);
  std::uint64_t bad = 0, last = 0;
  start = std::chrono::steady_clock::now();
  wal::RecoveryReport report;
  auto reopened = wal::Wal::Open(
      options, 1,
      [&](const wal::LogRecord& r) -> Status {
        unsigned thread;
        std::uint64_t counter;
        if (r.payload.size() != o.record_bytes || r.lsn != last + 1)
          return Status::Corruption("bad record");
        last = r.lsn;
        std::memcpy(&thread, r.payload.data(), 4);
        std::memcpy(&counter, r.payload.data() + 4, 8);
        if (counter >= o.records || seen[counter]) return Status::Corruption("duplicate record");
        FillPayload(thread, counter, expect);
        if (std::memcmp(expect.data(), r.payload.data(), expect.size()) != 0) ++bad;
        seen[counter] = true;
        return Status::Ok();
      },
      &report);
  double read_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (!reopened.ok()) {
    std::fprintf(stderr, "eddy demo: reopen: %s\n", reopened.status().ToString().c_str());
    return 1;
  }
  (*reopened)->Close().IgnoreError();
  std::uint64_t missing = 0;
  for (bool s : seen)
    missing += !s;
  std::printf("  reopen: %10.0f records/s  %8.1f MB/s  (%.2f s, %llu segments)\n",
              report.records / read_s, report.bytes / read_s / 1e6, read_s,
              static_cast<unsigned long long>(report.segments));
  std::printf("  verify: %llu records, %llu missing, %llu damaged: %s\n",
              static_cast<unsigned long long>(report.records),
              static_cast<unsigned long long>(missing), static_cast<unsigned long long>(bad),
              missing == 0 && bad == 0 ? "OK" : "FAILED");
  if (!o.keep) std::filesystem::remove_all(o.dir, ec);
  return missing == 0 && bad == 0 ? 0 : 1;
}

}  // namespace

Runner RegisterDemo(CLI::App& app) {
  auto o = std::make_shared<DemoOptions>();
  CLI::App* sub = app.add_subcommand(
      "demo", "Write records through the write-ahead log, reopen it, verify and time both");
  sub->add_option("--dir", o->dir, "Log directory (emptied first)")->capture_default_str();
  sub->add_option("--records", o->records, "Records to write")->capture_default_str();
  sub->add_option("--threads", o->threads, "Appending threads")->capture_default_str();
  sub->add_option("--record-bytes", o->record_bytes, "Payload bytes per record")
      ->capture_default_str();
  sub->add_option("--sync", o->sync, "Sync mode: none, batch, interval")->capture_default_str();
  sub->add_option("--max-inflight", o->max_inflight, "Log writes in flight at once (0: default)");
  sub->add_flag("--buffered", o->buffered, "Write the log through the page cache, not O_DIRECT");
  sub->add_flag("--keep", o->keep, "Keep the log directory afterwards");
  return [o] { return RunDemo(*o); };
}

}  // namespace eddy::cli
