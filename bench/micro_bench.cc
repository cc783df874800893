// Workload `micro`: Google Benchmark microbenchmarks of the log's CPU cost per
// record (checksum, frame encode, frame check), run through
// benchmark::RunSpecifiedBenchmarks so Google Benchmark's own iteration
// control and statistics are used. Results come back through an adapter
// reporter, so they print in eddy-bench's table or JSON like any workload.
//
// Google Benchmark measures a mean time per iteration, not a distribution:
// p50_us and p99_us of these rows are that mean CPU time (the `latency` detail
// says so); ops_per_s and mb_per_s are CPU-time rates too.
// Pass Google Benchmark flags with --gbench-arg, e.g.
//   eddy-bench micro --gbench-arg=--benchmark_filter=XXH3
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "bench/workload.h"
#include "common/hash.h"
#include "wal/format.h"

namespace eddy::bench {
namespace {

std::vector<std::byte> Bytes(std::size_t n) {
  std::vector<std::byte> bytes(n);
  for (std::size_t i = 0; i < n; ++i)
    bytes[i] = static_cast<std::byte>(i * 131 + 7);
  return bytes;
}

void BM_XXH3(benchmark::State& state) {
  const auto data = Bytes(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) {
    benchmark::DoNotOptimize(XXH3_64bits_withSeed(data.data(), data.size(), 42));
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * state.range(0));
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_XXH3)->Arg(128)->Arg(1024)->Arg(16384);

// Header + checksum + payload copy: the log's per-record CPU work on append.
void BM_EncodeFrame(benchmark::State& state) {
  const auto payload = Bytes(static_cast<std::size_t>(state.range(0)));
  std::vector<std::byte> out(wal::FrameBytes(payload.size()));
  Lsn lsn = 1;
  for (auto _ : state) {
    wal::EncodeFrame(0x5eed, lsn, 1700000000000000, lsn - 1, wal::kFirstUserRecordType,
                     ByteSpan(payload.data(), payload.size()), out.data());
    ++lsn;
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * state.range(0));
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_EncodeFrame)->Arg(128)->Arg(1024)->Arg(16384);

// The recovery side: validate one frame.
void BM_CheckFrame(benchmark::State& state) {
  const auto payload = Bytes(static_cast<std::size_t>(state.range(0)));
  std::vector<std::byte> frame(wal::FrameBytes(payload.size()));
  wal::EncodeFrame(0x5eed, 1, 1700000000000000, 0, wal::kFirstUserRecordType,
                   ByteSpan(payload.data(), payload.size()), frame.data());
  wal::FrameHeader header;
  for (auto _ : state) {
    auto check = wal::CheckFrame(0x5eed, frame.data(), frame.size(), &header);
    benchmark::DoNotOptimize(check);
    if (check != wal::FrameCheck::kValid) state.SkipWithError("frame did not validate");
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * state.range(0));
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_CheckFrame)->Arg(128)->Arg(1024)->Arg(16384);

// Turns Google Benchmark runs into eddy-bench rows.
class RowAdapter final : public benchmark::BenchmarkReporter {
 public:
  explicit RowAdapter(Reporter& out) : out_(out) {}

  bool ReportContext(const Context&) override { return true; }

  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& run : runs) {
      if (run.error_occurred) {
        out_.Note("micro " + run.benchmark_name() + ": " + run.error_message);
        failed_ = true;
        continue;
      }
      if (run.run_type != Run::RT_Iteration || run.iterations == 0) continue;
      // CPU time, as Google Benchmark's own rate counters use: on a shared
      // machine wall time mostly measures the neighbours.
      const double seconds_per_iter =
          run.cpu_accumulated_time / static_cast<double>(run.iterations);
      ResultRow row;
      row.workload = "micro";
      // The code measured is Eddy's; the benchmark's name is the parameter.
      row.engine = "eddy";
      std::string name = run.benchmark_name();
      if (name.rfind("BM_", 0) == 0) name.erase(0, 3);
      row.threads = static_cast<int>(run.threads);
      row.ops = static_cast<std::uint64_t>(run.iterations);
      row.seconds = run.cpu_accumulated_time;
      row.ops_per_s = Counter(run, "items_per_second", 1.0 / seconds_per_iter);
      row.mb_per_s = Counter(run, "bytes_per_second", 0) / 1e6;
      row.p50_us = row.p99_us = seconds_per_iter * 1e6;
      row.AddParam("bench", name);
      row.AddDetail("latency", "mean_cpu_per_iteration");
      out_.Add(row);
    }
  }

  bool failed() const { return failed_; }

 private:
  static double Counter(const Run& run, const std::string& name, double fallback) {
    auto it = run.counters.find(name);
    return it == run.counters.end() ? fallback : static_cast<double>(it->second);
  }

  Reporter& out_;
  bool failed_ = false;
};

Status RunMicro(const RunConfig& config, Reporter& reporter) {
  // Google Benchmark parses its flags once per process, from an argv.
  std::vector<std::string> args = {"eddy-bench"};
  if (config.quick) args.push_back("--benchmark_min_time=0.01");
  for (const std::string& a : config.gbench_args)
    args.push_back(a);
  std::vector<char*> argv;
  for (std::string& a : args)
    argv.push_back(a.data());
  argv.push_back(nullptr);
  int argc = static_cast<int>(args.size());
  benchmark::Initialize(&argc, argv.data());
  if (benchmark::ReportUnrecognizedArguments(argc, argv.data())) {
    return Status::InvalidArgument("micro: unrecognized Google Benchmark arguments");
  }
  RowAdapter adapter(reporter);
  const std::size_t ran = benchmark::RunSpecifiedBenchmarks(&adapter);
  if (ran == 0) return Status::InvalidArgument("micro: no benchmark matched the filter");
  if (adapter.failed()) return Status::IOError("micro: a benchmark reported an error");
  return Status::Ok();
}

}  // namespace
}  // namespace eddy::bench

EDDY_BENCH_WORKLOAD(micro,
                    "Google Benchmark: XXH3, frame encode and check at 128 B/1 KiB/16 KiB "
                    "(CPU per record)",
                    ::eddy::bench::RunMicro);
