// Google Benchmark microbenchmarks (workload `micro`) of a stream reader's CPU
// per record, on a shard that already holds the records: GetRecords with
// every call decoding its records into items and DynamoDB's strings (the
// shard's read cache off: what the first reader of a record pays), GetRecords
// of records another reader decoded already (the cache on: what every other
// reader pays), and ShardReader (views, no decoding). stream_read measures
// the same paths under a live writer; these isolate the per-record cost that
// 16 readers multiply.
//   eddy-bench micro --gbench-arg=--benchmark_filter=StreamRead
#include <benchmark/benchmark.h>

#include <cstdio>
#include <memory>
#include <string>

#include "bench/scratch_db.h"
#include "eddy/db.h"

namespace eddy::bench {
namespace {

constexpr char kMicroTable[] = "micro_stream";
constexpr std::uint32_t kRecords = 1000;  // one full GetRecords page

// A database in a scratch directory holding one table whose one shard has
// kRecords inserts of {pk: S(16 hex digits), v: B(100 bytes)}.
class StreamFixture {
 public:
  Status Setup(StreamViewType view, bool shared_decoding = true) {
    TableSpec spec;
    spec.name = kMicroTable;
    spec.key_schema.partition_key = {"pk", AttributeType::kS};
    spec.stream = {true, view, 1};
    Options options;
    if (!shared_decoding) options.stream_read_cache_bytes = 0;
    EDDY_RETURN_IF_ERROR(scratch_.Open(spec, options));
    Db& db = scratch_.db();
    const std::string value(100, 'v');
    for (std::uint32_t i = 0; i < kRecords; ++i) {
      char key[17];
      std::snprintf(key, sizeof key, "%016x", i * 2654435761u);
      Item item =
          Item::FromCanonical({{"pk", AttributeValue::S(key)}, {"v", AttributeValue::B(value)}});
      EDDY_RETURN_IF_ERROR(db.Write(WriteOp::Put(kMicroTable, std::move(item))));
    }
    EDDY_ASSIGN_OR_RETURN(TableDescription table, db.DescribeTable(kMicroTable));
    DescribeStreamRequest describe;
    describe.stream_arn = table.latest_stream_arn;
    EDDY_ASSIGN_OR_RETURN(StreamDescription stream, db.DescribeStream(describe));
    GetShardIteratorRequest request;
    request.stream_arn = stream.stream_arn;
    request.shard_id = stream.shards.at(0).shard_id;
    request.type = ShardIteratorType::kTrimHorizon;
    EDDY_ASSIGN_OR_RETURN(iterator_, db.GetShardIterator(request));
    return Status::Ok();
  }

  Db& db() { return scratch_.db(); }
  const std::string& iterator() const { return iterator_; }

 private:
  ScratchDb scratch_{"micro-stream"};
  std::string iterator_;
};

// One GetRecords call of a full page: iterator decode, the shard read, and
// the page's records, decoded by this call (range(1) = 0) or taken from the
// shard's read cache (range(1) = 1).
void BM_StreamReadGetRecords(benchmark::State& state) {
  StreamFixture fixture;
  if (Status s = fixture.Setup(static_cast<StreamViewType>(state.range(0)), state.range(1) != 0);
      !s.ok()) {
    state.SkipWithError(s.ToString().c_str());
    return;
  }
  for (auto _ : state) {
    Result<GetRecordsResult> page = fixture.db().GetRecords(fixture.iterator(), kRecords);
    if (!page.ok() || page->records.size() != kRecords) {
      state.SkipWithError("GetRecords did not return the page");
      return;
    }
    benchmark::DoNotOptimize(&page->records.back());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * kRecords);
}
BENCHMARK(BM_StreamReadGetRecords)
    ->ArgNames({"view", "shared"})
    ->Args({static_cast<int>(StreamViewType::kKeysOnly), 0})
    ->Args({static_cast<int>(StreamViewType::kNewImage), 0})
    ->Args({static_cast<int>(StreamViewType::kKeysOnly), 1})
    ->Args({static_cast<int>(StreamViewType::kNewImage), 1});

// The same page through a ShardReader opened at the start: views only.
void BM_StreamReadShardReader(benchmark::State& state) {
  StreamFixture fixture;
  if (Status s = fixture.Setup(StreamViewType::kNewImage); !s.ok()) {
    state.SkipWithError(s.ToString().c_str());
    return;
  }
  for (auto _ : state) {
    Result<std::unique_ptr<ShardReader>> reader = fixture.db().OpenShardReader(fixture.iterator());
    if (!reader.ok()) {
      state.SkipWithError("OpenShardReader failed");
      return;
    }
    std::size_t bytes = 0;
    Result<std::size_t> n = (*reader)->Read(
        kRecords, [&](const StreamRecordView& v) { bytes += v.keys.size() + v.new_image.size(); });
    if (!n.ok() || *n != kRecords) {
      state.SkipWithError("Read did not return the page");
      return;
    }
    benchmark::DoNotOptimize(bytes);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * kRecords);
}
BENCHMARK(BM_StreamReadShardReader);

}  // namespace
}  // namespace eddy::bench
