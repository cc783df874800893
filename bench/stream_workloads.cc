// stream_cost, stream_latency, stream_read: what a table's stream costs the
// writer, how soon a waiting reader sees an acknowledged write, and what
// readers tailing a shard cost the writer.
//
// Same bytes as item_workloads.cc: 16-byte keys, 100-byte incompressible
// values, items {pk: S(key), v: B(value)}. Tables with a stream get one shard
// and splits are off (Options::shard_split_records_per_s = 0), so a cell
// measures one shard's path and never a split half-way through.
//
// stream_cost: put (new items) and overwrite (random loaded items, each a
//   real change) with the stream off and with each view type, 1 and 2
//   threads, sync none. The five configurations of one (op, threads) group
//   run back to back, `rounds` times in rotating order; the median rate
//   counts, and each view's rate is reported with its ratio to stream off
//   next to the issue's target (KEYS_ONLY >= 0.95, NEW_IMAGE >= 0.9,
//   NEW_AND_OLD_IMAGES >= 0.85; OLD_IMAGE has none).
// stream_latency: per sync mode (none, batch), a short closed-loop probe
//   finds the one-writer max put rate; then one writer puts at half that
//   rate while one embedded reader (a ShardReader from a LATEST iterator)
//   blocks in Wait and reads record views when woken. Item n's key is n in
//   hex, so the reader knows which write each record is. Latency = the
//   reader's clock when Wait returned - the writer's clock after Write
//   returned.
//   The contract makes a record visible *before* its write is acknowledged,
//   so the reader may see an item whose ack time is not stored yet: both
//   sides stamp their own array and the differences are taken after the
//   join (a negative one, seen before the ack, counts as 0 and is counted).
//   Also reported: write issued -> visible (it includes the log sync, which
//   ack -> visible does not), and plain fdatasync (pwrite 4 KiB in place
//   into a preallocated file + fdatasync) for the batch target.
// stream_read: a writer puts new items (closed loop, sync none) while 0, 1,
//   4, 16 readers tail the one shard from TRIM_HORIZON, through the embedded
//   ShardReader and through GetRecords (limit 1000); a caught-up reader
//   (fewer than 64 records in a call) pauses 1 ms, as batch consumers do. Reports the writer's
//   rate, its ratio to the no-reader rate (target >= 0.9 with 16 readers), records/s per reader
//   and in total, and the readers' CPU time (in cores, and per call).
#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include "bench/histogram.h"
#include "bench/item_data.h"
#include "bench/pacing.h"
#include "bench/timed_run.h"
#include "bench/workload.h"
#include "common/thread_name.h"
#include "eddy/db.h"

namespace eddy::bench {
namespace {

using Clock = std::chrono::steady_clock;

constexpr std::uint32_t kValueBytes = 100;
constexpr char kStreamTable[] = "bench";

// 16 lowercase hex digits of `n`, most significant first (so a reader can
// tell from a record's key which write it was: ParseNumberKey).
std::string NumberKey(std::uint64_t n) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string key(kKeyBytes, '0');
  for (std::size_t i = kKeyBytes; i-- > 0;) {
    key[i] = kHex[n & 15];
    n >>= 4;
  }
  return key;
}

std::optional<std::uint64_t> ParseNumberKey(std::string_view key) {
  if (key.size() != kKeyBytes) return std::nullopt;
  std::uint64_t n = 0;
  for (char c : key) {
    int digit = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
    if (digit < 0) return std::nullopt;
    n = (n << 4) | static_cast<std::uint64_t>(digit);
  }
  return n;
}

// The value of `item` at `version`: incompressible, deterministic.
void FillValue(std::uint64_t item, std::uint64_t version, std::string* out) {
  out->resize(kValueBytes);
  MakeValue(item, version, out);
}

Status PutItem(Db& db, std::string key, std::uint64_t item, std::uint64_t version) {
  thread_local std::string value;
  FillValue(item, version, &value);
  Item it = Item::FromCanonical(
      {{"pk", AttributeValue::S(std::move(key))}, {"v", AttributeValue::B(value)}});
  return db.Write(WriteOp::Put(kStreamTable, std::move(it)));
}

std::string ViewName(std::optional<StreamViewType> view) {
  return view ? std::string(StreamViewTypeName(*view)) : "off";
}

// Rounded for the table; the JSON carries the same figure.
double Round(double value, int decimals) {
  const double scale = std::pow(10.0, decimals);
  return std::round(value * scale) / scale;
}

Result<std::unique_ptr<Db>> OpenDb(const RunConfig& config, const std::filesystem::path& dir,
                                   SyncMode sync, std::optional<StreamViewType> view) {
  Options options;
  options.dir = dir.string();
  options.sync_mode = sync;
  options.wal_segment_bytes = WalSegmentBytes(config, options.wal_segment_bytes);
  options.wal_max_inflight_writes = config.wal_max_inflight;
  options.report_progress = false;
  options.shard_split_records_per_s = 0;
  options.stream_read_cache_bytes = config.stream_read_cache_bytes;
  EDDY_ASSIGN_OR_RETURN(std::unique_ptr<Db> db, Db::Open(options));
  TableSpec spec;
  spec.name = kStreamTable;
  spec.key_schema.partition_key = {"pk", AttributeType::kS};
  if (view) spec.stream = {true, *view, 1};
  EDDY_RETURN_IF_ERROR(db->CreateTable(spec).status());
  return db;
}

// The table's one shard, and an iterator of `type` into it.
Result<std::string> ShardIterator(Db& db, ShardIteratorType type) {
  EDDY_ASSIGN_OR_RETURN(TableDescription table, db.DescribeTable(kStreamTable));
  DescribeStreamRequest describe;
  describe.stream_arn = table.latest_stream_arn;
  EDDY_ASSIGN_OR_RETURN(StreamDescription stream, db.DescribeStream(describe));
  if (stream.shards.size() != 1) {
    return Status::InvalidArgument("expected one shard, found " +
                                   std::to_string(stream.shards.size()));
  }
  GetShardIteratorRequest request;
  request.stream_arn = stream.stream_arn;
  request.shard_id = stream.shards[0].shard_id;
  request.type = type;
  return db.GetShardIterator(request);
}

Status CloseAndRemove(std::unique_ptr<Db> db, const std::filesystem::path& dir) {
  Status s = db->Close();
  db.reset();
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  return s;
}

// ---------------------------------------------------------------- stream_cost

struct CostCell {
  std::string op;  // put, overwrite
  int threads = 1;
  SyncMode sync = SyncMode::kNone;
  std::optional<StreamViewType> view;  // nullopt: stream off
  std::uint64_t items = 0;
};

struct CostRun {
  double ops_per_s = 0;
  double seconds = 0;
  LatencyHistogram latency;
};

Result<CostRun> RunCostCell(const RunConfig& config, const CostCell& cell) {
  EDDY_ASSIGN_OR_RETURN(auto dir, config.MakeCellDir("stream_cost-" + cell.op));
  EDDY_ASSIGN_OR_RETURN(std::unique_ptr<Db> db, OpenDb(config, dir, cell.sync, cell.view));
  CostRun run;
  const std::uint64_t items = cell.items;
  if (cell.op == "overwrite") {
    LatencyHistogram ignored;
    double seconds = 0;
    EDDY_RETURN_IF_ERROR(RunCounted(
        cell.threads, items,
        [&](int, std::uint64_t i) { return PutItem(*db, NumberKey(Mix(i)), i, 0); }, &ignored,
        &seconds));
  }
  Status s;
  if (cell.op == "put") {
    s = RunCounted(
        cell.threads, items,
        [&](int, std::uint64_t i) { return PutItem(*db, NumberKey(Mix(i)), i, 0); }, &run.latency,
        &run.seconds);
  } else {
    // Version i + 1 was never written before: every overwrite is a change.
    s = RunCounted(
        cell.threads, items,
        [&](int, std::uint64_t i) {
          const std::uint64_t item = Mix(i ^ 0x5eed) % items;
          return PutItem(*db, NumberKey(Mix(item)), item, i + 1);
        },
        &run.latency, &run.seconds);
  }
  EDDY_RETURN_IF_ERROR(s);
  EDDY_RETURN_IF_ERROR(CloseAndRemove(std::move(db), dir));
  run.ops_per_s = run.seconds > 0 ? static_cast<double>(items) / run.seconds : 0;
  return run;
}

std::optional<double> CostTarget(std::optional<StreamViewType> view) {
  if (!view) return std::nullopt;
  switch (*view) {
    case StreamViewType::kKeysOnly:
      return 0.95;
    case StreamViewType::kNewImage:
      return 0.9;
    case StreamViewType::kNewAndOldImages:
      return 0.85;
    case StreamViewType::kOldImage:
      return std::nullopt;
  }
  return std::nullopt;
}

Status RunStreamCost(const RunConfig& config, Reporter& reporter) {
  const std::vector<std::optional<StreamViewType>> views = {
      std::nullopt, StreamViewType::kKeysOnly, StreamViewType::kNewImage, StreamViewType::kOldImage,
      StreamViewType::kNewAndOldImages};
  const std::uint64_t items = config.quick ? 50'000 : 500'000;
  const int rounds = config.quick ? 1 : 3;
  Status first_error;
  for (const char* op_name : {"put", "overwrite"}) {
    const std::string op = op_name;
    for (int threads : config.PickThreads({1, 2})) {
      for (SyncMode sync : config.PickSyncs({SyncMode::kNone})) {
        // runs[v]: view v's rounds. Rotating the order spreads warm-up and
        // drift over all views instead of charging them to the first.
        std::vector<std::vector<CostRun>> runs(views.size());
        bool failed = false;
        for (int round = 0; round < rounds && !failed; ++round) {
          for (std::size_t k = 0; k < views.size() && !failed; ++k) {
            const std::size_t v = (k + static_cast<std::size_t>(round)) % views.size();
            Result<CostRun> run = RunCostCell(config, {op, threads, sync, views[v], items});
            if (!run.ok()) {
              reporter.Note("stream_cost " + op + " stream=" + ViewName(views[v]) + ": " +
                            run.status().ToString());
              if (first_error.ok()) first_error = run.status();
              failed = true;
              break;
            }
            runs[v].push_back(std::move(*run));
          }
        }
        if (failed) continue;
        std::vector<const CostRun*> median(views.size());
        for (std::size_t v = 0; v < views.size(); ++v) {
          std::vector<const CostRun*> sorted;
          for (const CostRun& r : runs[v])
            sorted.push_back(&r);
          std::sort(sorted.begin(), sorted.end(),
                    [](const CostRun* a, const CostRun* b) { return a->ops_per_s < b->ops_per_s; });
          median[v] = sorted[sorted.size() / 2];
        }
        const double off_rate = median[0]->ops_per_s;
        // A small table per group, after its rows: the ratios at a glance.
        std::vector<std::string> lines = {
            "stream_cost op=" + op + " threads=" + std::to_string(threads) + " sync=" +
                std::string(SyncModeName(sync)) + " (median of " + std::to_string(rounds) + "):",
            "  stream                    ops/s  ratio  target"};
        for (std::size_t v = 0; v < views.size(); ++v) {
          const CostRun& m = *median[v];
          const double ratio = off_rate > 0 ? m.ops_per_s / off_rate : 0;
          const std::optional<double> target = CostTarget(views[v]);
          ResultRow row;
          row.workload = "stream_cost";
          row.engine = "eddy";
          row.threads = threads;
          row.ops = items;
          row.seconds = m.seconds;
          row.ops_per_s = m.ops_per_s;
          row.mb_per_s = m.ops_per_s * (kKeyBytes + kValueBytes) / 1e6;
          row.p50_us = m.latency.PercentileUs(50);
          row.p99_us = m.latency.PercentileUs(99);
          row.AddParam("op", op);
          row.AddParam("stream", ViewName(views[v]));
          row.AddParam("sync", std::string(SyncModeName(sync)));
          row.AddParam("ratio", Round(ratio, 3));
          std::string verdict = "-";
          if (target) {
            verdict = ratio >= *target ? "met" : "NOT_MET";
            row.AddParam("target", *target);
            row.AddParam("met", verdict);
          }
          row.AddDetail("items", static_cast<double>(items));
          row.AddDetail("value_bytes", kValueBytes);
          row.AddDetail("key_bytes", static_cast<double>(kKeyBytes));
          row.AddDetail("rounds", rounds);
          std::string all;
          for (const CostRun& r : runs[v])
            all += (all.empty() ? "" : "/") + std::to_string(std::lround(r.ops_per_s));
          row.AddDetail("round_ops_per_s", all);
          row.AddDetail("max_us", m.latency.MaxUs());
          reporter.Add(row);
          char line[160];
          char goal[48] = "";
          if (target) std::snprintf(goal, sizeof goal, ">= %.2f %s", *target, verdict.c_str());
          std::snprintf(line, sizeof line, "  %-18s %12.0f  %5.3f%s%s", ViewName(views[v]).c_str(),
                        m.ops_per_s, ratio, target ? "  " : "", goal);
          lines.push_back(line);
        }
        for (const std::string& line : lines)
          reporter.Note(line);
      }
    }
  }
  return first_error;
}

// ------------------------------------------------------------- stream_latency

// Plain fdatasync: 4 KiB written in place into a preallocated, synced file,
// then fdatasync, so each sync flushes data only (as the log's pre-written
// segments do) and no metadata.
Result<LatencyHistogram> MeasureFdatasync(const std::filesystem::path& dir, double seconds) {
  constexpr std::size_t kBlock = 4096;
  constexpr std::size_t kBlocks = 1024;
  const std::string path = (dir / "fdatasync.bin").string();
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Status::IOError("open " + path + ": " + std::strerror(errno));
  std::vector<char> block(kBlock, 'x');
  auto fail = [&](const char* what) {
    Status s = Status::IOError(std::string(what) + " " + path + ": " + std::strerror(errno));
    ::close(fd);
    ::unlink(path.c_str());
    return s;
  };
  for (std::size_t b = 0; b < kBlocks; ++b) {
    if (::pwrite(fd, block.data(), kBlock, static_cast<off_t>(b * kBlock)) !=
        static_cast<ssize_t>(kBlock)) {
      return fail("preallocate");
    }
  }
  if (::fsync(fd) != 0) return fail("fsync");
  LatencyHistogram latency;
  const std::int64_t end = NowNs() + static_cast<std::int64_t>(seconds * 1e9);
  for (std::uint64_t i = 0; NowNs() < end; ++i) {
    block[i % kBlock] = static_cast<char>(i);
    const std::int64_t start = NowNs();
    if (::pwrite(fd, block.data(), kBlock, static_cast<off_t>((i % kBlocks) * kBlock)) !=
        static_cast<ssize_t>(kBlock)) {
      return fail("pwrite");
    }
    if (::fdatasync(fd) != 0) return fail("fdatasync");
    latency.Record(static_cast<std::uint64_t>(NowNs() - start));
  }
  ::close(fd);
  ::unlink(path.c_str());
  return latency;
}

// Keys of the probe's items: above every key the paced phase uses.
constexpr std::uint64_t kProbeKeyBit = 1ull << 63;

struct PacedRun {
  std::uint64_t writes = 0;
  double seconds = 0;
  std::uint64_t seen = 0;        // records the reader matched to a write
  std::uint64_t missing = 0;     // writes the reader never saw (should be 0)
  std::uint64_t before_ack = 0;  // seen before the writer's Write returned
  LatencyHistogram ack_to_visible;
  LatencyHistogram issue_to_visible;
};

Result<PacedRun> RunPaced(Db& db, double rate, double seconds) {
  const std::uint64_t capacity =
      std::min<std::uint64_t>(static_cast<std::uint64_t>(rate * seconds * 1.1) + 64, 50'000'000);
  // Each array has one writer thread; they are read after both threads joined.
  auto issue_ns = std::make_unique<std::int64_t[]>(capacity);
  auto ack_ns = std::make_unique<std::int64_t[]>(capacity);
  auto visible_ns = std::make_unique<std::int64_t[]>(capacity);
  EDDY_ASSIGN_OR_RETURN(std::string iterator, ShardIterator(db, ShardIteratorType::kLatest));

  std::atomic<std::uint64_t> written{0};
  std::atomic<bool> writer_done{false};
  Status reader_status;
  std::uint64_t seen = 0;
  // The reader is an embedded one: a ShardReader blocked in Wait, reading
  // record views (the partition key is the first bytes of the encoded key:
  // hex digits, then the 00 01 terminator).
  std::thread reader([&] {
    NameThisThread("bench-reader");
    Result<std::unique_ptr<ShardReader>> opened = db.OpenShardReader(iterator);
    if (!opened.ok()) {
      reader_status = opened.status();
      return;
    }
    ShardReader& r = **opened;
    while (true) {
      if (!r.Wait(std::chrono::milliseconds(20))) {
        if (writer_done.load(std::memory_order_acquire) &&
            seen >= written.load(std::memory_order_acquire)) {
          return;
        }
        continue;
      }
      std::int64_t now = NowNs();
      Result<std::size_t> n = r.Read(kMaxGetRecordsLimit, [&](const StreamRecordView& v) {
        const std::optional<std::uint64_t> item = ParseNumberKey(v.keys.substr(0, kKeyBytes));
        if (item && *item < capacity && visible_ns[*item] == 0) {
          visible_ns[*item] = now;
          ++seen;
        }
      });
      if (!n.ok()) {
        reader_status = n.status();
        return;
      }
      if (r.ended()) return;
    }
  });

  // Paced without catching up: a late write goes at once and the schedule
  // restarts from it, so a stall never turns into a burst for the reader.
  const TimerSlack slack;
  const auto interval_ns = static_cast<std::int64_t>(1e9 / rate);
  const std::int64_t start = NowNs();
  const std::int64_t end = start + static_cast<std::int64_t>(seconds * 1e9);
  std::int64_t next = start;
  Status writer_status;
  std::uint64_t n = 0;
  for (; n < capacity; ++n) {
    std::int64_t now = NowNs();
    if (now >= end) break;
    if (now < next) {
      WaitUntil(next);
      now = NowNs();
    } else {
      next = now;
    }
    issue_ns[n] = now;
    writer_status = PutItem(db, NumberKey(n), n, 0);
    ack_ns[n] = NowNs();
    if (!writer_status.ok()) break;
    written.store(n + 1, std::memory_order_release);
    next += interval_ns;
  }
  PacedRun run;
  run.seconds = static_cast<double>(NowNs() - start) / 1e9;
  writer_done.store(true, std::memory_order_release);
  reader.join();
  EDDY_RETURN_IF_ERROR(writer_status);
  EDDY_RETURN_IF_ERROR(reader_status);
  run.writes = written.load();
  run.seen = seen;
  for (std::uint64_t i = 0; i < run.writes; ++i) {
    if (visible_ns[i] == 0) {
      ++run.missing;
      continue;
    }
    std::int64_t ack_delta = visible_ns[i] - ack_ns[i];
    if (ack_delta < 0) {
      ++run.before_ack;
      ack_delta = 0;
    }
    run.ack_to_visible.Record(static_cast<std::uint64_t>(ack_delta));
    run.issue_to_visible.Record(
        static_cast<std::uint64_t>(std::max<std::int64_t>(0, visible_ns[i] - issue_ns[i])));
  }
  return run;
}

Status RunLatencyCell(const RunConfig& config, SyncMode sync, double fdatasync_p99_us,
                      Reporter& reporter) {
  const StreamViewType view = StreamViewType::kNewAndOldImages;
  const double probe_s = config.quick ? 0.3 : 1.0;
  const double paced_s = std::max(config.duration_s, config.quick ? 1.0 : 10.0);
  const std::string sync_name(SyncModeName(sync));
  EDDY_ASSIGN_OR_RETURN(auto dir, config.MakeCellDir("stream_latency-" + sync_name));
  EDDY_ASSIGN_OR_RETURN(std::unique_ptr<Db> db, OpenDb(config, dir, sync, view));

  // The max: one writer, closed loop, no reader. In batch mode its put p99
  // is the log's own sync latency as the engine sees it.
  TimedRunResult probe = RunTimed(1, probe_s, [&](int) {
    return [&](std::uint64_t i) { return PutItem(*db, NumberKey(kProbeKeyBit | i), i, 0); };
  });
  EDDY_RETURN_IF_ERROR(probe.status);
  const double max_rate = probe.OpsPerSecond();
  if (max_rate <= 0) return Status::IOError("the probe wrote nothing");
  const double rate = config.rate > 0 ? config.rate : max_rate / 2;

  EDDY_ASSIGN_OR_RETURN(PacedRun run, RunPaced(*db, rate, paced_s));
  EDDY_RETURN_IF_ERROR(CloseAndRemove(std::move(db), dir));

  const LatencyHistogram& h = run.ack_to_visible;
  const LatencyHistogram& hi = run.issue_to_visible;
  ResultRow row;
  row.workload = "stream_latency";
  row.engine = "eddy";
  row.threads = 1;
  row.ops = run.writes;
  row.seconds = run.seconds;
  row.ops_per_s = run.seconds > 0 ? static_cast<double>(run.writes) / run.seconds : 0;
  row.mb_per_s = row.ops_per_s * (kKeyBytes + kValueBytes) / 1e6;
  row.p50_us = h.PercentileUs(50);
  row.p99_us = h.PercentileUs(99);
  row.AddParam("sync", sync_name);
  row.AddParam("p999_us", Round(h.PercentileUs(99.9), 1));
  row.AddParam("max_us", Round(h.MaxUs(), 1));
  std::string targets;
  if (sync == SyncMode::kNone) {
    const bool met = h.PercentileUs(50) <= 10 && h.PercentileUs(99) <= 100;
    targets = "p50<=10us,p99<=100us " + std::string(met ? "met" : "NOT_MET");
    row.AddParam("met", met ? "met" : "NOT_MET");
  } else if (sync == SyncMode::kBatch) {
    const double limit = fdatasync_p99_us + 100;
    const bool met = h.PercentileUs(99) <= limit;
    const bool met_issue = hi.PercentileUs(99) <= limit;
    char buf[160];
    std::snprintf(buf, sizeof buf,
                  "p99<=fdatasync p99 %.0f+100us: ack->visible %s, issue->visible %s",
                  fdatasync_p99_us, met ? "met" : "NOT_MET", met_issue ? "met" : "NOT_MET");
    targets = buf;
    row.AddParam("met", met ? "met" : "NOT_MET");
    row.AddParam("met_from_issue", met_issue ? "met" : "NOT_MET");
    row.AddDetail("fdatasync_p99_us", fdatasync_p99_us);
  }
  row.AddDetail("stream", std::string(StreamViewTypeName(view)));
  row.AddDetail("latency", "ack_to_visible");
  row.AddDetail("issue_p50_us", hi.PercentileUs(50));
  row.AddDetail("issue_p99_us", hi.PercentileUs(99));
  row.AddDetail("issue_p999_us", hi.PercentileUs(99.9));
  row.AddDetail("issue_max_us", hi.MaxUs());
  row.AddDetail("seen_before_ack", static_cast<double>(run.before_ack));
  row.AddDetail("missing", static_cast<double>(run.missing));
  row.AddDetail("target_rate", rate);
  row.AddDetail("max_put_rate", max_rate);
  row.AddDetail("probe_put_p50_us", probe.latency.PercentileUs(50));
  row.AddDetail("probe_put_p99_us", probe.latency.PercentileUs(99));
  reporter.Add(row);

  char line[256];
  auto note = [&](const char* format, auto... args) {
    std::snprintf(line, sizeof line, format, args...);
    reporter.Note(line);
  };
  note(
      "stream_latency sync=%s, stream %s, writer %.0f/s (asked %.0f/s; max %.0f/s, probe put "
      "p99 %.1f us):",
      sync_name.c_str(), std::string(StreamViewTypeName(view)).c_str(), row.ops_per_s, rate,
      max_rate, probe.latency.PercentileUs(99));
  note("  us               p50      p99    p99.9      max");
  note("  ack->visible %8.1f %8.1f %8.1f %8.0f   (%llu of %llu seen before the ack)",
       h.PercentileUs(50), h.PercentileUs(99), h.PercentileUs(99.9), h.MaxUs(),
       static_cast<unsigned long long>(run.before_ack),
       static_cast<unsigned long long>(run.writes));
  note("  issue->visible %6.1f %8.1f %8.1f %8.0f", hi.PercentileUs(50), hi.PercentileUs(99),
       hi.PercentileUs(99.9), hi.MaxUs());
  if (!targets.empty()) note("  target %s", targets.c_str());
  if (run.missing > 0) {
    return Status::Corruption(std::to_string(run.missing) +
                              " acknowledged writes never reached "
                              "the waiting reader");
  }
  return Status::Ok();
}

Status RunStreamLatency(const RunConfig& config, Reporter& reporter) {
  // The fdatasync figure first: the batch target is relative to it.
  EDDY_ASSIGN_OR_RETURN(auto dir, config.MakeCellDir("stream_latency-fdatasync"));
  EDDY_ASSIGN_OR_RETURN(LatencyHistogram sync_latency,
                        MeasureFdatasync(dir, config.quick ? 0.5 : 3.0));
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  const double fdatasync_p99_us = sync_latency.PercentileUs(99);
  {
    ResultRow row;
    row.workload = "stream_latency";
    row.engine = "fdatasync";
    row.threads = 1;
    row.ops = sync_latency.count();
    row.seconds = config.quick ? 0.5 : 3.0;
    row.ops_per_s = static_cast<double>(row.ops) / row.seconds;
    row.mb_per_s = row.ops_per_s * 4096 / 1e6;
    row.p50_us = sync_latency.PercentileUs(50);
    row.p99_us = fdatasync_p99_us;
    row.AddParam("sync", "fdatasync");
    row.AddParam("p999_us", Round(sync_latency.PercentileUs(99.9), 1));
    row.AddParam("max_us", Round(sync_latency.MaxUs(), 1));
    row.AddDetail("what", "pwrite 4 KiB in place + fdatasync");
    reporter.Add(row);
  }
  Status first_error;
  for (SyncMode sync : config.PickSyncs({SyncMode::kNone, SyncMode::kBatch})) {
    Status s = RunLatencyCell(config, sync, fdatasync_p99_us, reporter);
    if (!s.ok()) {
      reporter.Note("stream_latency sync=" + std::string(SyncModeName(sync)) + ": " + s.ToString());
      if (first_error.ok()) first_error = s;
    }
  }
  return first_error;
}

// ---------------------------------------------------------------- stream_read

struct alignas(64) ReaderState {
  std::uint64_t records = 0;
  std::int64_t cpu_ns = 0;       // the reader thread's CPU time over the cell
  LatencyHistogram get_records;  // each GetRecords call
  Status status;
};

struct ReadRun {
  TimedRunResult writer;
  std::vector<ReaderState> readers;
};

// How readers read: the embedded ShardReader (a cursor: no lookups, no
// copies, views decoded by nobody), or DynamoDB's GetRecords (a lookup per
// call and every record decoded into items), as a server's clients do.
enum class ReadApi { kShardReader, kGetRecords };

// Throughput readers behave as batch consumers (Lambda's batching window,
// DynamoDB Streams' pollers): a reader that is caught up pauses for a
// millisecond instead of waking for every record, so its cost stays a few
// calls per millisecond however fast the writer goes. (Latency-minded
// readers block in Wait instead: stream_latency measures those.)
constexpr std::size_t kCaughtUpRecords = 64;
constexpr auto kBatchingWindow = std::chrono::milliseconds(1);

std::int64_t ThreadCpuNs() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

const char* ReadApiName(ReadApi api) {
  return api == ReadApi::kShardReader ? "shard_reader" : "get_records";
}

Result<ReadRun> RunReadCell(const RunConfig& config, int readers, SyncMode sync, ReadApi api) {
  EDDY_ASSIGN_OR_RETURN(auto dir,
                        config.MakeCellDir("stream_read-" + std::to_string(readers) + "r"));
  EDDY_ASSIGN_OR_RETURN(std::unique_ptr<Db> db,
                        OpenDb(config, dir, sync, StreamViewType::kNewImage));
  EDDY_ASSIGN_OR_RETURN(std::string start, ShardIterator(*db, ShardIteratorType::kTrimHorizon));

  ReadRun run;
  run.readers = std::vector<ReaderState>(static_cast<std::size_t>(readers));
  std::atomic<bool> stop{false};
  std::atomic<int> ready{0};
  std::vector<std::thread> threads;
  for (int r = 0; r < readers; ++r) {
    threads.emplace_back([&, r] {
      ReaderState& me = run.readers[static_cast<std::size_t>(r)];
      const std::int64_t cpu_start = ThreadCpuNs();
      struct CpuTally {  // on every way out of the thread
        ReaderState& state;
        std::int64_t start;
        ~CpuTally() { state.cpu_ns = ThreadCpuNs() - start; }
      } tally{me, cpu_start};
      std::string it = start;
      if (api == ReadApi::kShardReader) {
        Result<std::unique_ptr<ShardReader>> reader = db->OpenShardReader(start);
        ready.fetch_add(1);
        if (!reader.ok()) {
          me.status = reader.status();
          return;
        }
        std::uint64_t bytes = 0;  // touch each record, as a consumer would
        while (!stop.load(std::memory_order_relaxed)) {
          const std::int64_t t0 = NowNs();
          Result<std::size_t> n = (*reader)->Read(
              kMaxGetRecordsLimit,
              [&](const StreamRecordView& v) { bytes += v.keys.size() + v.new_image.size(); });
          if (!n.ok()) {
            me.status = n.status();
            return;
          }
          me.get_records.Record(static_cast<std::uint64_t>(NowNs() - t0));
          me.records += *n;
          if (*n < kCaughtUpRecords) std::this_thread::sleep_for(kBatchingWindow);
        }
        if (bytes == 0 && me.records > 0) me.status = Status::Corruption("empty records read");
        return;
      }
      ready.fetch_add(1);
      while (!stop.load(std::memory_order_relaxed)) {
        const std::int64_t t0 = NowNs();
        Result<GetRecordsResult> page = db->GetRecords(it, kMaxGetRecordsLimit);
        if (!page.ok()) {
          me.status = page.status();
          return;
        }
        me.get_records.Record(static_cast<std::uint64_t>(NowNs() - t0));
        me.records += page->records.size();
        if (page->next_shard_iterator.empty()) return;
        it = std::move(page->next_shard_iterator);
        if (page->records.size() < kCaughtUpRecords) std::this_thread::sleep_for(kBatchingWindow);
      }
    });
  }
  while (ready.load() < readers)
    std::this_thread::yield();
  run.writer = RunTimed(1, config.duration_s, [&](int) {
    return [&](std::uint64_t i) { return PutItem(*db, NumberKey(Mix(i)), i, 0); };
  });
  stop.store(true);
  for (std::thread& t : threads)
    t.join();
  EDDY_RETURN_IF_ERROR(run.writer.status);
  for (const ReaderState& r : run.readers)
    EDDY_RETURN_IF_ERROR(r.status);
  EDDY_RETURN_IF_ERROR(CloseAndRemove(std::move(db), dir));
  return run;
}

Status RunStreamRead(const RunConfig& config, Reporter& reporter) {
  // --threads names reader counts; 0 readers always runs first as the base.
  std::vector<int> reader_counts = {0};
  for (int n : config.PickThreads({1, 4, 16}))
    reader_counts.push_back(n);
  Status first_error;
  for (SyncMode sync : config.PickSyncs({SyncMode::kNone})) {
    const std::string sync_name(SyncModeName(sync));
    double base_rate = 0;
    std::vector<std::string> lines = {
        "stream_read sync=" + sync_name + ", one shard, stream NEW_IMAGE:",
        "  api           readers   writer/s  ratio  target         readers/s total   each "
        "(min-max)   records/call  cpu(cores)  us/call"};
    std::vector<std::pair<ReadApi, int>> cells = {{ReadApi::kShardReader, 0}};
    for (ReadApi api : {ReadApi::kShardReader, ReadApi::kGetRecords}) {
      for (int readers : reader_counts) {
        if (readers > 0) cells.emplace_back(api, readers);
      }
    }
    for (auto [api, readers] : cells) {
      const std::string api_name = ReadApiName(api);
      Result<ReadRun> run = RunReadCell(config, readers, sync, api);
      if (!run.ok()) {
        reporter.Note("stream_read readers=" + std::to_string(readers) + ": " +
                      run.status().ToString());
        if (first_error.ok()) first_error = run.status();
        continue;
      }
      const TimedRunResult& w = run->writer;
      const double writer_rate = w.OpsPerSecond();
      if (readers == 0) base_rate = writer_rate;
      const double ratio = base_rate > 0 ? writer_rate / base_rate : 0;

      ResultRow row;
      row.workload = "stream_read";
      row.engine = "eddy";
      row.threads = 1;
      row.ops = w.ops;
      row.seconds = w.seconds;
      row.ops_per_s = writer_rate;
      row.mb_per_s = writer_rate * (kKeyBytes + kValueBytes) / 1e6;
      row.p50_us = w.latency.PercentileUs(50);
      row.p99_us = w.latency.PercentileUs(99);
      row.AddParam("role", "writer");
      row.AddParam("api", api_name);
      row.AddParam("readers", readers);
      row.AddParam("sync", sync_name);
      std::string verdict;
      if (readers > 0 && base_rate > 0) {
        row.AddParam("ratio", Round(ratio, 3));
        if (readers == 16) {
          verdict = ratio >= 0.9 ? "met" : "NOT_MET";
          row.AddParam("target", 0.9);
          row.AddParam("met", verdict);
        }
      }
      row.AddDetail("stream", "NEW_IMAGE");
      reporter.Add(row);

      char line[200];
      if (readers == 0) {
        std::snprintf(line, sizeof line, "  %-13s %7d %10.0f  1.000", "(none)", readers,
                      writer_rate);
        lines.push_back(line);
        continue;
      }
      std::uint64_t total = 0, lo = UINT64_MAX, hi = 0;
      std::int64_t cpu_ns = 0;
      LatencyHistogram calls;
      for (const ReaderState& r : run->readers) {
        total += r.records;
        cpu_ns += r.cpu_ns;
        lo = std::min(lo, r.records);
        hi = std::max(hi, r.records);
        calls.Merge(r.get_records);
      }
      const double secs = w.seconds;
      ResultRow rr;
      rr.workload = "stream_read";
      rr.engine = "eddy";
      rr.threads = readers;
      rr.ops = total;
      rr.seconds = secs;
      rr.ops_per_s = static_cast<double>(total) / secs;
      rr.p50_us = calls.PercentileUs(50);  // per GetRecords call
      rr.p99_us = calls.PercentileUs(99);
      rr.AddParam("role", "readers");
      rr.AddParam("api", api_name);
      rr.AddParam("readers", readers);
      rr.AddParam("sync", sync_name);
      rr.AddParam("per_reader_min", std::round(static_cast<double>(lo) / secs));
      rr.AddParam("per_reader_max", std::round(static_cast<double>(hi) / secs));
      rr.AddDetail("latency", api == ReadApi::kShardReader ? "per ShardReader::Read call"
                                                           : "per GetRecords call");
      rr.AddDetail("get_records_calls", static_cast<double>(calls.count()));
      rr.AddDetail("records_per_call", calls.count() > 0 ? static_cast<double>(total) /
                                                               static_cast<double>(calls.count())
                                                         : 0.0);
      // What the readers cost the machine, less noisy than the writer's rate:
      // their CPU time together, in cores, and per call.
      const double reader_cores = static_cast<double>(cpu_ns) / 1e9 / secs;
      const double cpu_us_per_call =
          calls.count() > 0 ? static_cast<double>(cpu_ns) / 1e3 / static_cast<double>(calls.count())
                            : 0.0;
      rr.AddParam("cpu_cores", Round(reader_cores, 3));
      rr.AddDetail("cpu_us_per_call", Round(cpu_us_per_call, 2));
      rr.AddDetail("behind_at_end_max", static_cast<double>(w.ops > lo ? w.ops - lo : 0));
      std::string each;
      for (const ReaderState& r : run->readers) {
        each += (each.empty() ? "" : "/") +
                std::to_string(std::lround(static_cast<double>(r.records) / secs));
      }
      rr.AddDetail("per_reader", each);
      reporter.Add(rr);
      char goal[32] = "";
      if (!verdict.empty()) std::snprintf(goal, sizeof goal, ">= 0.90 %s", verdict.c_str());
      const double per_call =
          calls.count() > 0 ? static_cast<double>(total) / static_cast<double>(calls.count()) : 0;
      std::snprintf(line, sizeof line,
                    "  %-13s %7d %10.0f  %5.3f  %-14s %17.0f   %6.0f-%-8.0f %12.1f  %9.3f  %8.1f",
                    api_name.c_str(), readers, writer_rate, ratio, goal, rr.ops_per_s,
                    static_cast<double>(lo) / secs, static_cast<double>(hi) / secs, per_call,
                    reader_cores, cpu_us_per_call);
      lines.push_back(line);
    }
    for (const std::string& line : lines)
      reporter.Note(line);
  }
  return first_error;
}

}  // namespace

EDDY_BENCH_WORKLOAD(stream_cost,
                    "put/overwrite rate with each stream view type vs stream off (ratios)",
                    RunStreamCost);
EDDY_BENCH_WORKLOAD(stream_latency,
                    "acknowledged write -> visible at a reader blocked in WaitForRecords",
                    RunStreamLatency);
EDDY_BENCH_WORKLOAD(stream_read, "writer rate and records/s with 0/1/4/16 readers on one shard",
                    RunStreamRead);

}  // namespace eddy::bench
