// eddy-bench: runs named workloads (bench/*_workload.cc, bench/micro_bench.cc)
// and prints a table, or one JSON object per line with --json.
//
//   eddy-bench --list
//   eddy-bench [--json] [--quick] [--dir D] [--duration-s S]
//              [--threads 1,8] [--value-size 128,16k] [--sync none,batch]
//              [--engine eddy,rocksdb] [--items 1e5,1e7] WORKLOAD... | all
//
// Scratch data goes to a fresh run-<pid> directory under --dir, removed when
// the run ends (and --dir itself if this run created it).
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cctype>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

#include "bench/workload.h"
#include "eddy/build_info.h"

namespace eddy::bench {
namespace {

// "128", "1k", "1KiB", "16K", "1m": sizes in bytes with binary suffixes.
std::optional<std::uint32_t> ParseSize(const std::string& text) {
  std::size_t pos = 0;
  unsigned long long n = 0;
  try {
    n = std::stoull(text, &pos);
  } catch (const std::exception&) {
    return std::nullopt;
  }
  std::string suffix;
  for (char c : text.substr(pos))
    suffix.push_back(static_cast<char>(std::tolower(c)));
  if (suffix == "k" || suffix == "kib") {
    n <<= 10;
  } else if (suffix == "m" || suffix == "mib") {
    n <<= 20;
  } else if (!suffix.empty() && suffix != "b") {
    return std::nullopt;
  }
  if (n == 0 || n > wal::kMaxRecordBytes) return std::nullopt;
  return static_cast<std::uint32_t>(n);
}

std::string FormatSeconds(double s) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%g", s);
  return buf;
}

struct ScratchDir {
  std::filesystem::path root;
  std::filesystem::path run;
  bool created_root = false;
};

Result<ScratchDir> MakeScratchDir(const std::string& dir) {
  ScratchDir scratch;
  std::error_code ec;
  scratch.root = std::filesystem::absolute(dir, ec).lexically_normal();
  if (ec) return Status::InvalidArgument("--dir " + dir + ": " + ec.message());
  scratch.created_root = std::filesystem::create_directories(scratch.root, ec);
  if (ec) return Status::IOError("create " + scratch.root.string() + ": " + ec.message());
  scratch.run = scratch.root / ("run-" + std::to_string(::getpid()));
  std::filesystem::remove_all(scratch.run, ec);
  std::filesystem::create_directories(scratch.run, ec);
  if (ec) return Status::IOError("create " + scratch.run.string() + ": " + ec.message());
  return scratch;
}

void RemoveScratchDir(const ScratchDir& scratch) {
  std::error_code ec;
  std::filesystem::remove_all(scratch.run, ec);
  // Only a directory this run made, and only when nothing else is left in it.
  if (scratch.created_root) std::filesystem::remove(scratch.root, ec);
}

// What the command line says, before it is checked and turned into a RunConfig.
struct CliArgs {
  bool json = false;
  bool list = false;
  bool quick = false;
  std::string dir = "./eddy-bench-data";
  double duration_s = 0;  // 0: the default for the mode
  std::vector<int> threads;
  std::vector<std::string> value_sizes;
  std::vector<std::string> syncs;
  std::vector<std::string> engines;
  std::vector<double> items;
  std::string sync_method = "dsync";
  std::uint32_t segment_mib = 0;  // 0: the default for the mode
  std::string table_reads = "mmap";
  std::uint32_t bloom_bits = Options{}.table_bloom_bits_per_key;
  std::string stream_read_cache = "1m";
  std::uint32_t max_inflight = 0;  // 0: the log picks by sync mode
  std::uint32_t release_ms = 100;
  std::vector<std::string> gbench_args;
  double rate = 0;  // 0: the workload measures it
  std::vector<std::string> workloads;
};

void AddOptions(CLI::App& app, CliArgs& args) {
  app.add_flag("--json", args.json, "One JSON object per result line on stdout");
  app.add_flag("--list", args.list, "List the workloads and exit");
  app.add_flag("--quick", args.quick, "Smoke run: short cells (0.2 s unless --duration-s)");
  app.add_option("--dir", args.dir, "Scratch directory (removed after the run if created by it)")
      ->capture_default_str();
  app.add_option("--duration-s", args.duration_s, "Seconds per cell (default 3, 0.2 with --quick)")
      ->check(CLI::PositiveNumber);
  // List options take one comma-separated argument per occurrence, so a
  // workload name after `--threads 1,2` is not read as a thread count.
  app.add_option("--threads", args.threads, "Thread counts to run, e.g. 1,8")
      ->delimiter(',')
      ->check(CLI::Range(1, 1024))
      ->allow_extra_args(false);
  app.add_option("--value-size", args.value_sizes, "Payload sizes, e.g. 128,1k,16k")
      ->delimiter(',')
      ->allow_extra_args(false);
  app.add_option("--sync", args.syncs, "Sync modes: none, batch, interval")
      ->delimiter(',')
      ->allow_extra_args(false);
  app.add_option("--engine", args.engines, "Engines: eddy, rocksdb, leveldb")
      ->delimiter(',')
      ->allow_extra_args(false);
  app.add_option("--items", args.items,
                 "put/overwrite/get: item counts, e.g. 1e5,1e7 (default 1e5,1e6)")
      ->delimiter(',')
      ->check(CLI::Range(1e3, 1e10))
      ->allow_extra_args(false);
  app.add_option("--wal-sync-method", args.sync_method, "dsync or linked_datasync")
      ->check(CLI::IsMember({"dsync", "linked_datasync"}))
      ->capture_default_str();
  app.add_option("--wal-segment-mib", args.segment_mib,
                 "WAL segment size (default: 64 for wal_append and reopen, the engine's "
                 "default elsewhere; 8 with --quick)")
      ->check(CLI::Range(1, 4096));
  app.add_option("--wal-max-inflight", args.max_inflight,
                 "WAL writes in flight (0: the log picks by sync mode)")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
  app.add_option("--wal-release-ms", args.release_ms,
                 "Period of ReleaseBelow(durable LSN) during WAL runs; 0: never")
      ->capture_default_str();
  app.add_option("--bloom-bits", args.bloom_bits,
                 "Table workloads: bloom filter bits per key, every engine alike (0: none)")
      ->check(CLI::Range(0, 40))
      ->capture_default_str();
  app.add_option("--table-reads", args.table_reads,
                 "Eddy table files: read blocks through mappings (mmap) or with pread")
      ->check(CLI::IsMember({"mmap", "pread"}))
      ->capture_default_str();
  app.add_option("--stream-read-cache", args.stream_read_cache,
                 "Decoded records each shard keeps for GetRecords readers (0: each call decodes)")
      ->capture_default_str();
  app.add_option("--gbench-arg", args.gbench_args,
                 "Argument for Google Benchmark (workload micro); use --gbench-arg=--flag=value")
      ->allow_extra_args(false);
  app.add_option("--rate", args.rate,
                 "stream_latency: writes/s of the paced writer (default: half the measured max)")
      ->check(CLI::PositiveNumber);
  app.add_option("workloads", args.workloads, "Workloads to run (see --list), or 'all'");
}

Status BuildConfig(const CliArgs& args, RunConfig* config) {
  config->quick = args.quick;
  config->duration_s = args.duration_s > 0 ? args.duration_s : (args.quick ? 0.2 : 3.0);
  config->threads = args.threads;
  config->engines = args.engines;
  for (double n : args.items)
    config->items.push_back(static_cast<std::uint64_t>(n));
  // Small segments in smoke runs: pre-writing the spare segment dominates a
  // 0.2 s cell otherwise.
  config->wal_segment_mib = args.segment_mib > 0 ? args.segment_mib : (args.quick ? 8 : 0);
  config->wal_sync_method =
      args.sync_method == "dsync" ? wal::SyncMethod::kDsync : wal::SyncMethod::kLinkedDatasync;
  config->wal_max_inflight = args.max_inflight;
  config->wal_release_ms = args.release_ms;
  config->map_table_files = args.table_reads == "mmap";
  config->bloom_bits_per_key = args.bloom_bits;
  if (args.stream_read_cache == "0") {
    config->stream_read_cache_bytes = 0;
  } else {
    auto bytes = ParseSize(args.stream_read_cache);
    if (!bytes)
      return Status::InvalidArgument("bad --stream-read-cache '" + args.stream_read_cache + "'");
    config->stream_read_cache_bytes = *bytes;
  }
  config->gbench_args = args.gbench_args;
  config->rate = args.rate;
  for (const std::string& s : args.value_sizes) {
    auto size = ParseSize(s);
    if (!size) return Status::InvalidArgument("bad --value-size '" + s + "'");
    config->value_sizes.push_back(*size);
  }
  for (const std::string& s : args.syncs) {
    auto mode = ParseSyncMode(s);
    if (!mode) return Status::InvalidArgument("bad --sync '" + s + "' (none, batch, interval)");
    config->syncs.push_back(*mode);
  }
  return Status::Ok();
}

Result<std::vector<const WorkloadInfo*>> PickWorkloads(const std::vector<std::string>& names) {
  if (names.empty()) return Status::InvalidArgument("name at least one workload (--list)");
  std::vector<const WorkloadInfo*> picked;
  for (const std::string& name : names) {
    if (name == "all") {
      for (const WorkloadInfo& w : AllWorkloads())
        picked.push_back(FindWorkload(w.name));
      continue;
    }
    const WorkloadInfo* w = FindWorkload(name);
    if (w == nullptr) return Status::InvalidArgument("unknown workload '" + name + "' (--list)");
    picked.push_back(w);
  }
  return picked;
}

std::unique_ptr<Reporter> MakeReporter(bool json, const RunConfig& config) {
  const std::string build_type = build_info::kBuildType;
  const std::string sanitizers = build_info::kSanitizers;
  if (build_type != "Release" || !sanitizers.empty()) {
    std::fprintf(stderr, "eddy-bench: warning: %s build%s%s; numbers are not representative\n",
                 build_type.c_str(), sanitizers.empty() ? "" : " with sanitizers ",
                 sanitizers.c_str());
  }
  if (!json) {
    std::printf("eddy-bench %s (%s, %s%s%s), %.2f s per cell, scratch %s\n", build_info::kVersion,
                build_type.c_str(), build_info::kCompiler, sanitizers.empty() ? "" : ", ",
                sanitizers.c_str(), config.duration_s, config.dir.c_str());
    return MakeTableReporter(stdout);
  }
  std::vector<Param> run_params = {
      {"duration_s", FormatSeconds(config.duration_s), true, false},
      {"quick", config.quick ? "true" : "false", true, false},
      {"build_type", build_type, false, false},
      {"eddy_version", build_info::kVersion, false, false},
  };
  if (!sanitizers.empty()) run_params.push_back({"sanitizers", sanitizers, false, false});
  return MakeJsonReporter(stdout, stderr, std::move(run_params));
}

int Main(int argc, char** argv) {
  CLI::App app{"eddy-bench: Eddy's benchmarks, with RocksDB and LevelDB as peers in the same run"};
  CliArgs args;
  AddOptions(app, args);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  if (args.list) {
    for (const WorkloadInfo& w : AllWorkloads()) {
      std::printf("%-14s %s\n", w.name.c_str(), w.description.c_str());
    }
    return 0;
  }

  RunConfig config;
  auto to_run = PickWorkloads(args.workloads);
  Status s = to_run.ok() ? BuildConfig(args, &config) : to_run.status();
  if (!s.ok()) {
    std::fprintf(stderr, "eddy-bench: %s\n", s.message().c_str());
    return 2;
  }
  auto scratch = MakeScratchDir(args.dir);
  if (!scratch.ok()) {
    std::fprintf(stderr, "eddy-bench: %s\n", scratch.status().ToString().c_str());
    return 1;
  }
  config.dir = scratch->run;
  std::unique_ptr<Reporter> reporter = MakeReporter(args.json, config);

  int exit_code = 0;
  for (const WorkloadInfo* w : *to_run) {
    Status run = w->run(config, *reporter);
    if (!run.ok()) {
      reporter->Note(w->name + ": " + run.ToString());
      exit_code = 1;
    }
  }
  RemoveScratchDir(*scratch);
  return exit_code;
}

}  // namespace
}  // namespace eddy::bench

int main(int argc, char** argv) {
  return eddy::bench::Main(argc, argv);
}
