// I/O errors and short writes under the Wal (FaultEnv), and the behaviour of
// the test seams themselves (MemEnv, FaultEnv), which the other tests trust.
#include <gtest/gtest.h>
#include <xxhash.h>

#include <cerrno>
#include <cstring>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "support/fault_env.h"
#include "support/mem_env.h"
#include "support/read_log.h"
#include "support/temp_dir.h"
#include "wal/log_reader.h"
#include "wal/wal.h"

// The file's own namespace: the unity build compiles the files of a test
// folder as one translation unit, where anonymous namespaces are shared.
namespace eddy::wal::wal_fault_test {
namespace {

using testing::FaultEnv;
using testing::MemEnv;

constexpr std::uint8_t kType = kFirstUserRecordType;

ByteSpan Bytes(const std::string& s) {
  return AsBytes(s.data(), s.size());
}
std::string RandomPayload(std::mt19937_64* rng, std::size_t len) {
  std::string p(len, '\0');
  for (char& c : p)
    c = static_cast<char>((*rng)());
  return p;
}

struct ReadBack {
  Status status;
  std::vector<std::string> payloads;  // payloads[i] has LSN i + 1
  bool consecutive = true;
};

ReadBack ReadLog(Env* env, const std::string& dir) {
  eddy::testing::WholeLog log = eddy::testing::ReadWholeLog(env, dir);
  return {log.status, log.Payloads(), log.Consecutive()};
}

WalOptions Options(Env* env, const std::string& dir = "/db/wal") {
  WalOptions o;
  o.dir = dir;
  o.env = env;
  o.report_progress = false;
  o.segment_bytes = 256 << 10;
  return o;
}

std::unique_ptr<Wal> MustOpen(const WalOptions& o) {
  auto wal = Wal::Open(
      o, 1, [](const LogRecord&) { return Status::Ok(); }, nullptr);
  EXPECT_TRUE(wal.ok()) << wal.status().ToString();
  return wal.ok() ? std::move(wal).value() : nullptr;
}

// A Wal on FaultEnv(MemEnv) whose faults apply to live segment files only:
// the pre-writing of spare segments is not what these tests aim at.
struct FaultyWal {
  explicit FaultyWal(SyncMode mode = SyncMode::kBatch, SyncMethod method = SyncMethod::kDsync)
      : fault(&mem) {
    fault.SetFileFilter(FaultEnv::IsSegmentFile);
    WalOptions o = Options(&fault);
    o.sync_mode = mode;
    o.sync_method = method;
    o.sync_interval_ms = 1;
    wal = MustOpen(o);
  }
  // Appends a few records that must succeed, so that the log is running.
  void Warm() {
    for (int i = 0; i < 5; ++i) {
      Result<Lsn> r = wal->Append(kType, Bytes("warm" + std::to_string(i)));
      ASSERT_TRUE(r.ok()) << r.status().ToString();
    }
    Result<Lsn> s = wal->Sync();
    ASSERT_TRUE(s.ok()) << s.status().ToString();
  }
  MemEnv mem;
  FaultEnv fault;
  std::unique_ptr<Wal> wal;
};

// --- Write errors --------------------------------------------------------------

TEST(WalFault, WriteErrorFailsThatAppend) {
  FaultyWal f;
  ASSERT_NE(f.wal, nullptr);
  f.Warm();
  f.fault.FailWrites(1);
  Result<Lsn> r = f.wal->Append(kType, Bytes("doomed"));
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status().IsIOError()) << r.status().ToString();
  EXPECT_EQ(f.fault.counters().injected_errors, 1u);
}

TEST(WalFault, WriteErrorPoisonsLaterAppends) {
  FaultyWal f;
  ASSERT_NE(f.wal, nullptr);
  f.Warm();
  f.fault.FailWrites(1);  // only one write fails; the log must still refuse
  EXPECT_FALSE(f.wal->Append(kType, Bytes("doomed")).ok());
  for (int i = 0; i < 5; ++i) {
    Result<Lsn> r = f.wal->Append(kType, Bytes("after"));
    ASSERT_FALSE(r.ok()) << "append " << i << " after a failed write got LSN " << *r;
    EXPECT_TRUE(r.status().IsIOError()) << r.status().ToString();
  }
  EXPECT_FALSE(f.wal->Sync().ok());
  EXPECT_FALSE(f.wal->health().ok());
  EXPECT_TRUE(f.wal->health().IsIOError()) << f.wal->health().ToString();
}

TEST(WalFault, WriteErrorInNoneModeSurfacesInHealth) {
  FaultyWal f(SyncMode::kNone);
  ASSERT_NE(f.wal, nullptr);
  f.Warm();
  f.fault.FailWrites(1, /*every_after=*/true);
  // Mode none acknowledges before the write; the failure must still show up:
  // at the latest at Sync(), and in health() and later appends after that.
  (void)f.wal->Append(kType, Bytes("maybe acknowledged"));
  EXPECT_FALSE(f.wal->Sync().ok());
  EXPECT_FALSE(f.wal->health().ok());
  EXPECT_FALSE(f.wal->Append(kType, Bytes("after")).ok());
}

TEST(WalFault, NothingAfterAFailedWriteReadsBack) {
  FaultyWal f;
  ASSERT_NE(f.wal, nullptr);
  f.Warm();
  f.fault.FailWrites(1);
  EXPECT_FALSE(f.wal->Append(kType, Bytes("doomed")).ok());
  EXPECT_FALSE(f.wal->Append(kType, Bytes("after")).ok());
  (void)f.wal->Close();
  f.fault.ClearFaults();
  ReadBack rb = ReadLog(&f.mem, "/db/wal");
  ASSERT_TRUE(rb.status.ok()) << rb.status.ToString();
  EXPECT_TRUE(rb.consecutive);
  ASSERT_EQ(rb.payloads.size(), 5u) << "only the warm-up records were acknowledged";
  for (const std::string& p : rb.payloads)
    EXPECT_EQ(p.rfind("warm", 0), 0u) << p;
}

// --- Sync errors ---------------------------------------------------------------

struct SyncCase {
  const char* name;
  SyncMode mode;
  SyncMethod method;
};

class WalSyncFault : public ::testing::TestWithParam<SyncCase> {
 protected:
  void SetUp() override {
    f_ = std::make_unique<FaultyWal>(GetParam().mode, GetParam().method);
    ASSERT_NE(f_->wal, nullptr);
    f_->Warm();
    f_->fault.FailDatasyncs(1);
  }
  std::unique_ptr<FaultyWal> f_;
};

TEST_P(WalSyncFault, FailsThatAppend) {
  Result<Lsn> r = f_->wal->Append(kType, Bytes("doomed"));
  ASSERT_FALSE(r.ok()) << "acknowledged although its sync failed";
  EXPECT_TRUE(r.status().IsIOError()) << r.status().ToString();
  EXPECT_EQ(f_->fault.counters().injected_errors, 1u);
}

TEST_P(WalSyncFault, PoisonsLaterAppends) {
  EXPECT_FALSE(f_->wal->Append(kType, Bytes("doomed")).ok());
  for (int i = 0; i < 5; ++i) {
    Result<Lsn> r = f_->wal->Append(kType, Bytes("after"));
    ASSERT_FALSE(r.ok()) << "append after a failed sync got LSN " << *r;
    EXPECT_TRUE(r.status().IsIOError()) << r.status().ToString();
  }
  EXPECT_FALSE(f_->wal->health().ok());
  EXPECT_FALSE(f_->wal->Sync().ok());
}

TEST_P(WalSyncFault, NeverRetriesASync) {
  EXPECT_FALSE(f_->wal->Append(kType, Bytes("doomed")).ok());
  std::uint64_t syncs = f_->fault.counters().syncs();
  std::uint64_t writes = f_->fault.counters().writes;
  for (int i = 0; i < 5; ++i)
    (void)f_->wal->Append(kType, Bytes("after"));
  (void)f_->wal->Sync();
  std::this_thread::sleep_for(std::chrono::milliseconds(20));  // interval timer
  (void)f_->wal->Close();
  EXPECT_EQ(f_->fault.counters().syncs(), syncs) << "a sync was attempted after one failed";
  EXPECT_EQ(f_->fault.counters().writes, writes) << "the poisoned log kept writing";
}

INSTANTIATE_TEST_SUITE_P(
    Modes, WalSyncFault,
    ::testing::Values(SyncCase{"BatchLinkedDatasync", SyncMode::kBatch,
                               SyncMethod::kLinkedDatasync},
                      SyncCase{"Interval", SyncMode::kInterval, SyncMethod::kLinkedDatasync}),
    [](const ::testing::TestParamInfo<SyncCase>& info) { return std::string(info.param.name); });

// --- Short writes ----------------------------------------------------------------

struct ShortCase {
  const char* name;
  bool real_env;
  SyncMethod method;
};

class WalShortWrites : public ::testing::TestWithParam<ShortCase> {};

TEST_P(WalShortWrites, AreCompletedTransparently) {
  std::unique_ptr<eddy::testing::TempDir> tmp;
  MemEnv mem;
  Env* base = &mem;
  std::string dir = "/db/wal";
  if (GetParam().real_env) {
    tmp = std::make_unique<eddy::testing::TempDir>("short");
    base = Env::Default();
    dir = tmp->Sub("wal");
  }
  FaultEnv fault(base);
  fault.SetFileFilter(FaultEnv::IsSegmentFile);
  WalOptions o = Options(&fault, dir);
  o.sync_method = GetParam().method;
  std::vector<std::string> want(4 * 60);
  {
    auto wal = MustOpen(o);
    ASSERT_NE(wal, nullptr);
    fault.ShortenWrites(1, /*every_after=*/true);
    std::vector<std::thread> threads;
    std::atomic<int> failures{0};
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&, t] {
        std::mt19937_64 rng(300 + t);
        for (int i = 0; i < 60; ++i) {
          std::string p = RandomPayload(&rng, 9000 + rng() % 30000);  // > 2 blocks
          Result<Lsn> lsn = wal->Append(kType, Bytes(p));
          if (!lsn.ok() || *lsn == 0 || *lsn > want.size()) {
            failures.fetch_add(1);
            return;
          }
          want[*lsn - 1] = std::move(p);  // distinct LSNs: distinct slots
        }
      });
    }
    for (auto& th : threads)
      th.join();
    ASSERT_EQ(failures.load(), 0) << wal->health().ToString();
    EXPECT_TRUE(wal->health().ok()) << wal->health().ToString();
    ASSERT_TRUE(wal->Close().ok());
  }
  EXPECT_GT(fault.counters().short_writes, 0u) << "the test never shortened a write";
  fault.ClearFaults();
  if (!GetParam().real_env) mem.DropUnsyncedData();  // acknowledged means durable
  ReadBack rb = ReadLog(base, dir);
  ASSERT_TRUE(rb.status.ok()) << rb.status.ToString();
  EXPECT_TRUE(rb.consecutive);
  ASSERT_EQ(rb.payloads.size(), want.size());
  for (std::size_t i = 0; i < want.size(); ++i)
    ASSERT_EQ(rb.payloads[i], want[i]) << "lsn " << i + 1;
}

class WalShortWritesPowerLoss : public ::testing::TestWithParam<ShortCase> {};

TEST_P(WalShortWritesPowerLoss, AcknowledgedRecordsSurvive) {
  MemEnv mem;
  FaultEnv fault(&mem);
  fault.SetFileFilter(FaultEnv::IsSegmentFile);
  WalOptions o = Options(&fault);
  o.sync_method = GetParam().method;
  std::mt19937_64 rng(400);
  std::vector<std::string> want;
  auto wal = MustOpen(o);
  ASSERT_NE(wal, nullptr);
  fault.ShortenWrites(1, /*every_after=*/true);
  for (int i = 0; i < 40; ++i) {
    want.push_back(RandomPayload(&rng, 9000 + rng() % 20000));
    Result<Lsn> lsn = wal->Append(kType, Bytes(want.back()));
    ASSERT_TRUE(lsn.ok()) << lsn.status().ToString();
  }
  // Power loss with the Wal still open: only what was made durable counts. A
  // short write cancels its linked datasync; treating that as done loses data.
  fault.SetCrashed(true);
  mem.DropUnsyncedData();
  wal.reset();
  fault.SetCrashed(false);
  fault.ClearFaults();
  ReadBack rb = ReadLog(&mem, o.dir);
  ASSERT_TRUE(rb.status.ok()) << rb.status.ToString();
  ASSERT_GE(rb.payloads.size(), want.size()) << "acknowledged records lost";
  for (std::size_t i = 0; i < want.size(); ++i)
    ASSERT_EQ(rb.payloads[i], want[i]) << "lsn " << i + 1;
}

INSTANTIATE_TEST_SUITE_P(
    Methods, WalShortWritesPowerLoss,
    ::testing::Values(ShortCase{"MemDsync", false, SyncMethod::kDsync},
                      ShortCase{"MemLinkedDatasync", false, SyncMethod::kLinkedDatasync}),
    [](const ::testing::TestParamInfo<ShortCase>& info) { return std::string(info.param.name); });

INSTANTIATE_TEST_SUITE_P(
    Envs, WalShortWrites,
    ::testing::Values(ShortCase{"MemDsync", false, SyncMethod::kDsync},
                      ShortCase{"MemLinkedDatasync", false, SyncMethod::kLinkedDatasync},
                      ShortCase{"RealDsync", true, SyncMethod::kDsync},
                      ShortCase{"RealLinkedDatasync", true, SyncMethod::kLinkedDatasync}),
    [](const ::testing::TestParamInfo<ShortCase>& info) { return std::string(info.param.name); });

// --- The seams themselves ----------------------------------------------------------

// Runs one operation to completion on a fresh queue.
std::int32_t RunOne(Env* env, const std::function<void(IoQueue*)>& queue) {
  auto q = env->NewIoQueue(8);
  EXPECT_TRUE(q.ok());
  queue(q->get());
  EXPECT_TRUE((*q)->Submit().ok());
  IoCompletion c;
  EXPECT_TRUE((*q)->WaitCompletion(&c).ok());
  return c.result;
}

TEST(WalSeamMemEnv, PowerLossKeepsOnlySyncedBytesAndEntries) {
  MemEnv env;
  ASSERT_TRUE(env.CreateDirIfMissing("/d").ok());
  auto synced = env.Open("/d/synced", {.create = true});
  auto dsync = env.Open("/d/dsync", {.create = true, .dsync = true});
  auto loose = env.Open("/d/loose", {.create = true});
  ASSERT_TRUE(synced.ok() && dsync.ok() && loose.ok());
  ASSERT_TRUE(env.SyncDir("/d").ok());
  auto unnamed = env.Open("/d/unnamed", {.create = true, .dsync = true});  // entry never synced
  ASSERT_TRUE(unnamed.ok());
  std::string a = "aaaa", b = "bbbb";
  for (FileId f : {*synced, *dsync, *loose, *unnamed}) {
    EXPECT_EQ(RunOne(&env, [&](IoQueue* q) { q->QueueWrite(f, 0, a.data(), 4, 1, false); }), 4);
  }
  EXPECT_EQ(RunOne(&env, [&](IoQueue* q) { q->QueueDatasync(*synced, 1); }), 0);
  EXPECT_EQ(RunOne(&env, [&](IoQueue* q) { q->QueueWrite(*synced, 2, b.data(), 4, 1, false); }), 4);
  env.DropUnsyncedData();
  EXPECT_EQ(*env.ReadFileForTest("/d/synced"), "aaaa");  // the later write was not synced
  EXPECT_EQ(*env.ReadFileForTest("/d/dsync"), "aaaa");
  EXPECT_EQ(*env.ReadFileForTest("/d/loose"), "");
  EXPECT_FALSE(env.Exists("/d/unnamed"));
  // Handles from before the power loss are dead.
  EXPECT_EQ(RunOne(&env, [&](IoQueue* q) { q->QueueDatasync(*synced, 1); }), -EIO);
}

TEST(WalSeamMemEnv, RenameAndRemoveNeedSyncDir) {
  MemEnv env;
  ASSERT_TRUE(env.CreateDirIfMissing("/d").ok());
  ASSERT_TRUE(env.WriteFileForTest("/d/a", "A").ok());
  ASSERT_TRUE(env.WriteFileForTest("/d/gone", "G").ok());
  ASSERT_TRUE(env.Rename("/d/a", "/d/b").ok());
  ASSERT_TRUE(env.Remove("/d/gone").ok());
  env.DropUnsyncedData();
  EXPECT_TRUE(env.Exists("/d/a"));
  EXPECT_FALSE(env.Exists("/d/b"));
  EXPECT_TRUE(env.Exists("/d/gone"));
  ASSERT_TRUE(env.Rename("/d/a", "/d/b").ok());
  ASSERT_TRUE(env.Remove("/d/gone").ok());
  ASSERT_TRUE(env.SyncDir("/d").ok());
  env.DropUnsyncedData();
  EXPECT_FALSE(env.Exists("/d/a"));
  EXPECT_EQ(*env.ReadFileForTest("/d/b"), "A");
  EXPECT_FALSE(env.Exists("/d/gone"));
}

TEST(WalSeamMemEnv, LinkedOperationAfterFailureIsCancelled) {
  MemEnv env;
  ASSERT_TRUE(env.CreateDirIfMissing("/d").ok());
  auto f = env.Open("/d/f", {.create = true, .direct = true});
  ASSERT_TRUE(f.ok());
  auto q = env.NewIoQueue(4);
  ASSERT_TRUE(q.ok());
  alignas(4096) static char block[4096] = {};
  (*q)->QueueWrite(*f, 1, block, 4096, 1, /*link_next=*/true);  // misaligned: -EINVAL
  (*q)->QueueDatasync(*f, 2);
  (*q)->QueueWrite(*f, 0, block, 4096, 3, false);  // not linked: runs
  ASSERT_TRUE((*q)->Submit().ok());
  IoCompletion c;
  ASSERT_TRUE((*q)->WaitCompletion(&c).ok());
  EXPECT_EQ(c.tag, 1u);
  EXPECT_EQ(c.result, -EINVAL);
  ASSERT_TRUE((*q)->WaitCompletion(&c).ok());
  EXPECT_EQ(c.tag, 2u);
  EXPECT_EQ(c.result, -ECANCELED);
  ASSERT_TRUE((*q)->WaitCompletion(&c).ok());
  EXPECT_EQ(c.tag, 3u);
  EXPECT_EQ(c.result, 4096);
  EXPECT_FALSE((*q)->PollCompletion(&c));
}

TEST(WalSeamMemEnv, NotifyWakesAWaitingQueue) {
  MemEnv env;
  auto q = env.NewIoQueue(4);
  ASSERT_TRUE(q.ok());
  IoQueue* queue = q->get();
  queue->QueueNotifyWait(77);
  ASSERT_TRUE(queue->Submit().ok());
  IoCompletion c;
  Result<bool> got = queue->WaitCompletionFor(&c, 1000);
  ASSERT_TRUE(got.ok());
  EXPECT_FALSE(*got);
  std::thread t([queue] { queue->Notify(); });
  ASSERT_TRUE(queue->WaitCompletion(&c).ok());
  EXPECT_EQ(c.tag, 77u);
  t.join();
}

TEST(WalSeamFaultEnv, ShortLinkedWriteCancelsItsSync) {
  MemEnv mem;
  FaultEnv env(&mem);
  ASSERT_TRUE(env.CreateDirIfMissing("/d").ok());
  auto f = env.Open("/d/f", {.create = true, .direct = true});
  ASSERT_TRUE(f.ok());
  auto q = env.NewIoQueue(4);
  ASSERT_TRUE(q.ok());
  alignas(4096) static char blocks[3 * 4096];
  std::memset(blocks, 'x', sizeof(blocks));
  env.ShortenWrites(1);
  (*q)->QueueWrite(*f, 0, blocks, sizeof(blocks), 1, /*link_next=*/true);
  (*q)->QueueDatasync(*f, 2);
  ASSERT_TRUE((*q)->Submit().ok());
  IoCompletion c;
  ASSERT_TRUE((*q)->WaitCompletion(&c).ok());
  EXPECT_EQ(c.tag, 1u);
  EXPECT_EQ(c.result, 4096);  // half of 3 blocks, rounded down to a block
  ASSERT_TRUE((*q)->WaitCompletion(&c).ok());
  EXPECT_EQ(c.tag, 2u);
  EXPECT_EQ(c.result, -ECANCELED);
  EXPECT_EQ(mem.datasyncs(), 0u);
  EXPECT_EQ(env.counters().short_writes, 1u);
}

TEST(WalSeamFaultEnv, FailsTheNthDatasyncAndEveryOneAfter) {
  MemEnv mem;
  FaultEnv env(&mem);
  ASSERT_TRUE(env.CreateDirIfMissing("/d").ok());
  auto f = env.Open("/d/f", {.create = true});
  ASSERT_TRUE(f.ok());
  env.FailDatasyncs(2, /*every_after=*/true);
  std::vector<std::int32_t> results;
  for (int i = 0; i < 4; ++i) {
    results.push_back(RunOne(&env, [&](IoQueue* q) { q->QueueDatasync(*f, 9); }));
  }
  EXPECT_EQ(results, (std::vector<std::int32_t>{0, -EIO, -EIO, -EIO}));
  EXPECT_EQ(mem.datasyncs(), 1u);
  EXPECT_EQ(env.counters().datasyncs, 4u);
}

}  // namespace
}  // namespace eddy::wal::wal_fault_test
