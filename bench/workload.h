// Workload registry and result reporting for eddy-bench.
//
// A workload is one function that runs a matrix of cells (engine x record
// size x sync mode x threads, or whatever it measures) and hands one
// ResultRow per cell to a Reporter. Adding a workload is one new file in
// bench/ that ends with
//
//   EDDY_BENCH_WORKLOAD(my_workload, "what it measures", RunMyWorkload);
//
// The CMake glob picks the file up; the registrar's static constructor adds it
// to the registry before main() runs (bench/*.cc are linked straight into the
// executable, not through a static library, so the linker cannot drop it).
//
// Threads: the registry is filled before main() and only read afterwards.
// A Reporter is called from the thread that runs the workload only.
#pragma once

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "eddy/options.h"
#include "eddy/result.h"
#include "eddy/status.h"
#include "eddy/sync_mode.h"
#include "wal/wal.h"

namespace eddy::bench {

// What main() parsed; every workload reads the fields that concern it. Empty
// filter lists mean "the workload's whole default matrix".
struct RunConfig {
  // Scratch root for this run. Workloads create one fresh subdirectory per
  // cell (MakeCellDir) and remove it when the cell is done.
  std::filesystem::path dir;
  double duration_s = 3.0;  // per cell
  bool quick = false;       // smoke run: every workload finishes in seconds

  std::vector<int> threads;
  std::vector<std::uint32_t> value_sizes;  // bytes of payload per operation
  std::vector<SyncMode> syncs;
  std::vector<std::string> engines;
  std::vector<std::uint64_t> items;  // item counts of put, overwrite, get

  // Eddy WAL knobs, so runs can compare methods without a rebuild.
  wal::SyncMethod wal_sync_method = wal::SyncMethod::kDsync;
  // 0: the workload's default (WalSegmentBytes).
  std::uint32_t wal_segment_mib = 0;
  std::uint32_t wal_max_inflight = 0;  // 0: the log picks by sync mode
  // How often a helper thread calls Wal::ReleaseBelow, as the engine does
  // after each flush, so segments are recycled; 0 keeps every segment.
  std::uint32_t wal_release_ms = 100;
  // Eddy table files: read data blocks through mappings (Options::
  // map_table_files) or with pread, so runs can compare the two.
  bool map_table_files = true;
  // Bits per key of every engine's table-file bloom filters (Eddy's
  // Options::table_bloom_bits_per_key, the peers' filter policy).
  std::uint32_t bloom_bits_per_key = Options{}.table_bloom_bits_per_key;
  // Options::stream_read_cache_bytes of the stream workloads' databases.
  std::uint64_t stream_read_cache_bytes = Options{}.stream_read_cache_bytes;

  // Arguments for Google Benchmark (workload `micro`), e.g.
  // --benchmark_filter=XXH3.
  std::vector<std::string> gbench_args;

  // stream_latency's paced writer, writes per second; 0: half the max put
  // rate measured in the same run.
  double rate = 0;

  // The filters, applied to a workload's default list.
  std::vector<int> PickThreads(const std::vector<int>& defaults) const;
  std::vector<std::uint32_t> PickValueSizes(const std::vector<std::uint32_t>& defaults) const;
  std::vector<SyncMode> PickSyncs(const std::vector<SyncMode>& defaults) const;
  std::vector<std::string> PickEngines(const std::vector<std::string>& defaults) const;
  std::vector<std::uint64_t> PickItems(const std::vector<std::uint64_t>& defaults) const;

  // A fresh, empty directory under `dir` named after the cell. Syncs the
  // file system first, so one cell's leftovers do not slow the next.
  Result<std::filesystem::path> MakeCellDir(std::string_view name) const;
};

// One key=value parameter of a row. Numbers print unquoted in JSON. Details
// (engine knobs) go to JSON only, to keep the table narrow.
struct Param {
  std::string key;
  std::string value;
  bool numeric = false;
  bool detail = false;
};

// The outcome of one cell.
struct ResultRow {
  std::string workload;
  std::string engine;
  int threads = 1;
  std::uint64_t ops = 0;
  double seconds = 0;
  double ops_per_s = 0;
  double mb_per_s = 0;  // payload bytes, 1 MB = 1e6 bytes (as fio's bw_bytes / 1e6)
  double p50_us = 0;
  double p99_us = 0;
  std::vector<Param> params;

  void AddParam(std::string key, std::string value) {
    params.push_back({std::move(key), std::move(value), false, false});
  }
  void AddParam(std::string key, double value);
  void AddDetail(std::string key, std::string value) {
    params.push_back({std::move(key), std::move(value), false, true});
  }
  void AddDetail(std::string key, double value);
};

// Prints results as they arrive, so a long run shows progress.
class Reporter {
 public:
  virtual ~Reporter() = default;
  virtual void Add(const ResultRow& row) = 0;
  // A free-form line for humans (skipped cells, errors). JSON mode sends it
  // to stderr so stdout stays one object per line.
  virtual void Note(std::string_view text) = 0;
};

// --wal-segment-mib in bytes, or the workload's `fallback` when not given.
inline std::uint64_t WalSegmentBytes(const RunConfig& config, std::uint64_t fallback) {
  return config.wal_segment_mib > 0 ? std::uint64_t{config.wal_segment_mib} << 20 : fallback;
}

// Run-wide parameters every JSON row carries (duration_s, quick, build type),
// so one line is self-describing when lines from many runs are collected.
std::unique_ptr<Reporter> MakeTableReporter(std::FILE* out);
std::unique_ptr<Reporter> MakeJsonReporter(std::FILE* out, std::FILE* notes,
                                           std::vector<Param> run_params);

using WorkloadFn = Status (*)(const RunConfig& config, Reporter& reporter);

struct WorkloadInfo {
  std::string name;
  std::string description;
  WorkloadFn run = nullptr;
};

// Sorted by name.
std::vector<WorkloadInfo> AllWorkloads();
const WorkloadInfo* FindWorkload(std::string_view name);

class WorkloadRegistrar {
 public:
  WorkloadRegistrar(std::string name, std::string description, WorkloadFn run);
};

}  // namespace eddy::bench

#define EDDY_BENCH_WORKLOAD(name, description, fn)                                    \
  static const ::eddy::bench::WorkloadRegistrar eddy_bench_workload_registrar_##name( \
      #name, description, fn)
