// reopen: how long Open takes after a crash with 1 GiB of log to replay,
// cold page cache, against RocksDB reopening the same items (issue 6: at
// least 5x faster).
//
// Steps per value size and engine:
//   1. A child process fills a fresh store with items (keys and values as
//      bench/table_stores.h) until its log holds 1 GiB, with a memtable
//      budget (2 GiB) that holds all of it, so nothing is flushed and Open
//      must replay the whole log. Eddy goes first; RocksDB then writes the
//      same number of items. The child makes its log durable (Eddy Sync;
//      RocksDB's sync=false writes are already in the page cache, which a
//      killed process does not lose), reports over a pipe, and waits.
//   2. The parent SIGKILLs it.
//   3. The parent fdatasyncs and posix_fadvise(DONTNEED)s every file of the
//      store and checks with mincore that no page is cached (DropCache).
//   4. The parent times Open (same options) and checks that the last item
//      written is there.
// The child is this binary re-executed (workload reopen_writer, with its
// orders in the environment variable EDDY_BENCH_REOPEN_WRITER), not a plain
// fork: a fork of a process that already ran RocksDB inherits RocksDB's
// global thread pool without its threads.
//
// RocksDB is timed twice: with its defaults (at the end of recovery it
// writes the replayed memtable to an L0 file before Open returns) as
// `rocksdb`, and with avoid_flush_during_recovery as `rocksdb-noflush`.
// Eddy's row carries `speedup` = RocksDB's open time / Eddy's (target >= 5)
// and `speedup_noflush`.
//
// EDDY_BENCH_REOPEN_LOG_MIB replaces the 1024 MiB (32 with --quick);
// EDDY_BENCH_REOPEN_ITEMS fixes the item count instead (see ReopenItems).
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <sstream>
#include <string>
#include <system_error>
#include <vector>

#include "bench/table_stores.h"

extern char** environ;

namespace eddy::bench::tables {
namespace {

namespace fs = std::filesystem;

// A memtable that holds the whole log.
constexpr std::uint64_t kReopenMemtableBytes = 2ull << 30;
constexpr double kReopenTarget = 5.0;  // RocksDB's open time / Eddy's
// The log's segment size in the measured reopen runs (benchmarks.md).
constexpr std::uint64_t kReopenSegmentBytes = 64ull << 20;

constexpr char kWriterEnv[] = "EDDY_BENCH_REOPEN_WRITER";
constexpr int kWriterFd = 100;  // the report pipe's write end in the child

std::uint64_t ReopenLogBytes(const RunConfig& config) {
  if (const char* env = std::getenv("EDDY_BENCH_REOPEN_LOG_MIB"); env != nullptr && *env != '\0') {
    const long long mib = std::atoll(env);
    if (mib > 0 && mib <= 16384) return static_cast<std::uint64_t>(mib) << 20;
    std::fprintf(stderr, "eddy-bench: ignoring EDDY_BENCH_REOPEN_LOG_MIB='%s'\n", env);
  }
  return (config.quick ? 32ull : 1024ull) << 20;
}

// EDDY_BENCH_REOPEN_ITEMS: write exactly this many items on every side
// instead of "as many as fill Eddy's log to the target" (which varies from
// run to run with the log's batching, since each batch is padded to 4 KiB).
std::uint64_t ReopenItems() {
  if (const char* env = std::getenv("EDDY_BENCH_REOPEN_ITEMS"); env != nullptr && *env != '\0') {
    char* end = nullptr;
    const double n = std::strtod(env, &end);
    if (end != env && *end == '\0' && n >= 1 && n <= 1e10) return static_cast<std::uint64_t>(n);
    std::fprintf(stderr, "eddy-bench: ignoring EDDY_BENCH_REOPEN_ITEMS='%s'\n", env);
  }
  return 0;
}

PeerOptions ReopenPeerOptions(const RunConfig& config, const std::string& engine, bool reopening) {
  PeerOptions options = SharedPeerOptions(config, kReopenMemtableBytes);
  options.avoid_flush_during_recovery = engine == "rocksdb-noflush";
  options.error_if_exists = !reopening;
  return options;
}

std::string PeerLibrary(const std::string& engine) {
  return engine.starts_with("rocksdb") ? "rocksdb" : engine;
}

// What the writer child reports: "<items> <log_bytes> <flushes>\n", or
// "error <message>\n".
struct WriterReport {
  std::uint64_t items = 0;
  std::uint64_t log_bytes = 0;
  std::uint64_t flushes = 0;
};

std::uint64_t PeerLogBytes(const fs::path& dir) {
  std::uint64_t bytes = 0;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    std::error_code size_ec;
    if (e.path().extension() == ".log") bytes += e.file_size(size_ec);
  }
  return bytes;
}

// The child: fills until `items` (or, when 0, until the log holds
// `log_bytes`), makes the log durable, reports, and waits to be killed.
Status WriteUntilKilled(const RunConfig& config, const std::string& engine, const fs::path& dir,
                        std::uint32_t value_bytes, std::uint64_t log_bytes, std::uint64_t items,
                        int fd) {
  std::unique_ptr<Store> store;
  EddyStore* eddy = nullptr;
  if (engine == "eddy") {
    EDDY_ASSIGN_OR_RETURN(auto opened,
                          EddyStore::Open(EddyOptions(config, dir, kReopenMemtableBytes),
                                          /*sort_key=*/false, /*create=*/true));
    eddy = opened.get();
    store = std::move(opened);
  } else {
    EDDY_ASSIGN_OR_RETURN(
        store, OpenPeerStore(PeerLibrary(engine), dir, ReopenPeerOptions(config, engine, false)));
  }
  auto logged = [&]() -> std::uint64_t {
    return eddy != nullptr ? eddy->impl().log().stats().bytes_written : PeerLogBytes(dir);
  };
  std::string value(value_bytes, '\0');
  std::uint64_t n = 0;
  for (;; ++n) {
    if (items != 0 ? n == items : (n % 4096 == 0 && logged() >= log_bytes)) break;
    MakeValue(n, 0, &value);
    EDDY_RETURN_IF_ERROR(store->Put(ItemKey(n).key(), value));
  }
  std::uint64_t flushes = 0;
  if (eddy != nullptr) {
    EDDY_RETURN_IF_ERROR(eddy->db().Sync());
    flushes = eddy->impl().FlushCount();
  }
  const std::string line =
      std::to_string(n) + " " + std::to_string(logged()) + " " + std::to_string(flushes) + "\n";
  if (::write(fd, line.data(), line.size()) != static_cast<ssize_t>(line.size())) {
    return Status::IOError("reopen_writer: cannot report");
  }
  while (true)
    ::pause();
}

Status RunReopenWriter(const RunConfig& config, Reporter&) {
  const char* spec = std::getenv(kWriterEnv);
  if (spec == nullptr) return Status::Ok();  // run directly (or by `all`): nothing to do
  std::istringstream in(spec);
  int fd = -1;
  std::string engine, dir;
  std::uint32_t value_bytes = 0;
  std::uint64_t log_bytes = 0, items = 0;
  in >> fd >> engine >> value_bytes >> log_bytes >> items;
  in.ignore(1);
  std::getline(in, dir);
  if (fd < 0 || engine.empty() || dir.empty()) {
    return Status::InvalidArgument("bad " + std::string(kWriterEnv) + ": " + spec);
  }
  Status s = WriteUntilKilled(config, engine, dir, value_bytes, log_bytes, items, fd);
  const std::string line = "error " + s.ToString() + "\n";
  if (::write(fd, line.data(), line.size()) < 0) std::_Exit(3);
  std::_Exit(2);
}

// Starts the writer child (this binary, workload reopen_writer), waits for
// its report, SIGKILLs it.
Result<WriterReport> RunWriterChild(const RunConfig& config, const std::string& engine,
                                    const fs::path& dir, std::uint32_t value_bytes,
                                    std::uint64_t log_bytes, std::uint64_t items) {
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (ec) return Status::IOError("reopen: /proc/self/exe: " + ec.message());
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) return Status::IOError("reopen: pipe failed");
  const int devnull = ::open("/dev/null", O_WRONLY | O_CLOEXEC);

  // Everything the child needs is built before fork: between fork and exec
  // it may only call async-signal-safe functions.
  const std::vector<std::string> args = {
      exe.string(),
      "--dir",
      config.dir.string(),
      "--wal-segment-mib",
      std::to_string(WalSegmentBytes(config, kReopenSegmentBytes) >> 20),
      "reopen_writer"};
  const std::string spec = std::string(kWriterEnv) + "=" + std::to_string(kWriterFd) + " " +
                           engine + " " + std::to_string(value_bytes) + " " +
                           std::to_string(log_bytes) + " " + std::to_string(items) + " " +
                           dir.string();
  std::vector<char*> argv, envp;
  for (const std::string& a : args)
    argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  for (char** e = environ; *e != nullptr; ++e) {
    if (std::strncmp(*e, kWriterEnv, sizeof(kWriterEnv) - 1) != 0) envp.push_back(*e);
  }
  envp.push_back(const_cast<char*>(spec.c_str()));
  envp.push_back(nullptr);

  const pid_t pid = ::fork();
  if (pid < 0) return Status::IOError("reopen: fork failed");
  if (pid == 0) {
    if (::dup2(pipe_fds[1], kWriterFd) < 0) ::_exit(126);
    if (devnull >= 0) ::dup2(devnull, STDOUT_FILENO);
    ::execve(argv[0], argv.data(), envp.data());
    ::_exit(127);
  }
  ::close(pipe_fds[1]);
  if (devnull >= 0) ::close(devnull);
  std::string line;
  char buf[256];
  while (line.find('\n') == std::string::npos) {
    const ssize_t n = ::read(pipe_fds[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    line.append(buf, static_cast<std::size_t>(n));
  }
  ::close(pipe_fds[0]);
  ::kill(pid, SIGKILL);
  int wstatus = 0;
  ::waitpid(pid, &wstatus, 0);
  fs::remove_all(config.dir / ("run-" + std::to_string(pid)), ec);  // the child's scratch

  WriterReport report;
  std::istringstream in(line);
  if (line.starts_with("error") || !(in >> report.items >> report.log_bytes >> report.flushes)) {
    return Status::IOError("reopen_writer " + engine + ": " +
                           (line.empty() ? "exited without a report" : line));
  }
  return report;
}

struct ReopenResult {
  double open_s = 0;
  std::uint64_t recovered = 0;  // items the reopened store holds
  WriterReport writer;
  DiskUsage disk;
  std::uint64_t resident = 0;
  std::string cache_drop;
};

Result<ReopenResult> RunReopenCell(const RunConfig& config, const std::string& engine,
                                   std::uint32_t value_bytes, std::uint64_t log_bytes,
                                   std::uint64_t items) {
  EDDY_ASSIGN_OR_RETURN(fs::path dir,
                        config.MakeCellDir("reopen-" + engine + "-" + std::to_string(value_bytes)));
  ReopenResult r;
  EDDY_ASSIGN_OR_RETURN(r.writer,
                        RunWriterChild(config, engine, dir, value_bytes, log_bytes, items));
  r.disk = MeasureDisk(dir);
  r.cache_drop = DropCache(dir, &r.resident);

  std::string value;
  const ItemKey last(r.writer.items - 1);
  const auto start = Clock::now();
  if (engine == "eddy") {
    EDDY_ASSIGN_OR_RETURN(auto store,
                          EddyStore::Open(EddyOptions(config, dir, kReopenMemtableBytes),
                                          /*sort_key=*/false, /*create=*/false));
    r.open_s = std::chrono::duration<double>(Clock::now() - start).count();
    EDDY_ASSIGN_OR_RETURN(TableDescription d, store->db().DescribeTable("bench"));
    r.recovered = d.item_count;
    EDDY_RETURN_IF_ERROR(store->Get(last.key(), &value));
    EDDY_RETURN_IF_ERROR(store->Close());
  } else {
    EDDY_ASSIGN_OR_RETURN(std::unique_ptr<Store> store,
                          OpenPeerStore(PeerLibrary(engine), dir,
                                        ReopenPeerOptions(config, engine, /*reopening=*/true)));
    r.open_s = std::chrono::duration<double>(Clock::now() - start).count();
    EDDY_RETURN_IF_ERROR(store->Get(last.key(), &value));
    r.recovered = r.writer.items;  // the last item is there, so all are (one log, in order)
    EDDY_RETURN_IF_ERROR(store->Close());
  }
  std::error_code ec;
  fs::remove_all(dir, ec);
  return r;
}

}  // namespace

Status RunReopen(const RunConfig& config, Reporter& reporter) {
  const std::uint64_t log_bytes = ReopenLogBytes(config);
  // Eddy first: the peers then write as many items as Eddy's 1 GiB took.
  std::vector<std::string> engines = config.PickEngines({"eddy", "rocksdb", "rocksdb-noflush"});
  std::stable_partition(engines.begin(), engines.end(),
                        [](const std::string& e) { return e == "eddy"; });
  Status first_error;
  for (std::uint32_t value_bytes : config.PickValueSizes({100, 1024})) {
    // Eddy's count once known (unless fixed): every engine replays the same items.
    std::uint64_t items = ReopenItems();
    std::map<std::string, ReopenResult> results;
    std::vector<ResultRow> rows;
    for (const std::string& engine : engines) {
      Result<ReopenResult> r = RunReopenCell(config, engine, value_bytes, log_bytes, items);
      if (!r.ok()) {
        reporter.Note("reopen " + engine + ": " + r.status().ToString());
        if (first_error.ok()) first_error = r.status();
        continue;
      }
      if (engine == "eddy" && items == 0) items = r->writer.items;
      ResultRow row;
      row.workload = "reopen";
      row.engine = engine;
      row.ops = r->writer.items;
      row.seconds = r->open_s;
      row.ops_per_s = r->open_s > 0 ? static_cast<double>(r->writer.items) / r->open_s : 0;
      // Log bytes written (Eddy's allocated log also holds a pre-written spare segment).
      const double log = static_cast<double>(r->writer.log_bytes);
      row.mb_per_s = r->open_s > 0 ? log / r->open_s / 1e6 : 0;
      row.AddParam("value_bytes", value_bytes);
      row.AddParam("open_s", Round(r->open_s, 3));
      row.AddParam("log_mib", Round(log / (1 << 20), 1));
      row.AddDetail("items", static_cast<double>(r->writer.items));
      row.AddDetail("items_recovered", static_cast<double>(r->recovered));
      row.AddDetail("log_bytes_on_disk", static_cast<double>(r->disk.log));
      row.AddDetail("disk_bytes", static_cast<double>(r->disk.total));
      row.AddDetail("writer_flushes", static_cast<double>(r->writer.flushes));
      row.AddDetail("cache_drop", r->cache_drop);
      row.AddDetail("resident_bytes_at_open", static_cast<double>(r->resident));
      row.AddDetail("avoid_flush_during_recovery", engine == "rocksdb-noflush" ? "true" : "false");
      AddSettings(row, config, engine, kReopenMemtableBytes);
      results[engine] = *r;
      rows.push_back(std::move(row));
    }
    // Eddy's row last, with its speedups.
    for (ResultRow& row : rows) {
      if (row.engine != "eddy") reporter.Add(row);
    }
    for (ResultRow& row : rows) {
      if (row.engine != "eddy") continue;
      const double eddy_s = results["eddy"].open_s;
      std::string line;
      char buf[200];
      for (const char* peer : {"rocksdb", "rocksdb-noflush"}) {
        auto it = results.find(peer);
        if (it == results.end() || eddy_s <= 0) continue;
        const double speedup = it->second.open_s / eddy_s;
        const bool main_peer = std::string(peer) == "rocksdb";
        row.AddParam(main_peer ? "speedup" : "speedup_noflush", Round(speedup, 2));
        if (main_peer) {
          row.AddParam("target", kReopenTarget);
          row.AddParam("met", Verdict(speedup >= kReopenTarget));
        }
        std::snprintf(
            buf, sizeof buf, "%s%s %.2f s (%.2fx%s)", line.empty() ? "" : ", ", peer,
            it->second.open_s, speedup,
            main_peer ? (speedup >= kReopenTarget ? ", target >= 5: met" : ", target >= 5: NOT_MET")
                      : "");
        line += buf;
      }
      reporter.Add(row);
      std::snprintf(buf, sizeof buf, "reopen value_bytes=%u: eddy %.2f s; ", value_bytes, eddy_s);
      if (!line.empty()) reporter.Note(buf + line);
    }
  }
  return first_error;
}

EDDY_BENCH_WORKLOAD(reopen,
                    "Open after SIGKILL with 1 GiB of log to replay, cold cache, vs RocksDB",
                    RunReopen);
EDDY_BENCH_WORKLOAD(reopen_writer, "(internal: the child process of reopen; no-op on its own)",
                    RunReopenWriter);

}  // namespace eddy::bench::tables
