// Behaviour of the Wal through its public contract (wal/wal.h), on the real
// Env and on MemEnv (whose DropUnsyncedData() is a power loss).
#include "wal/wal.h"

#include <gtest/gtest.h>

#include <xxhash.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>
#include <map>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "support/checked_payload.h"
#include "support/fault_env.h"
#include "support/mem_env.h"
#include "support/read_log.h"
#include "support/temp_dir.h"
#include "wal/log_reader.h"
#include "wal/segment_name.h"

// The file's own namespace: the unity build compiles the files of a test
// folder as one translation unit, where anonymous namespaces are shared.
namespace eddy::wal::wal_test {
namespace {

using eddy::testing::TempDir;

constexpr std::uint8_t kType = kFirstUserRecordType;

using eddy::testing::CheckedPayloadCounter;
using eddy::testing::CheckedPayloadIsConsistent;
using eddy::testing::CheckedPayloadWriter;
using eddy::testing::MakeCheckedPayload;

ByteSpan Bytes(const std::string& s) {
  return AsBytes(s.data(), s.size());
}
std::string Str(ByteSpan b) {
  return {reinterpret_cast<const char*>(b.data()), b.size()};
}

struct Rec {
  Lsn lsn = 0;
  std::uint8_t type = 0;
  std::string payload;
};

struct ReadBack {
  Status status;
  std::vector<Rec> records;
  RecoveryReport report;
};

ReadBack ReadLog(Env* env, const std::string& dir, Lsn from = 1) {
  eddy::testing::WholeLog log = eddy::testing::ReadWholeLog(env, dir, from);
  ReadBack out{log.status, {}, log.report};
  for (auto& r : log.records)
    out.records.push_back({r.lsn, r.type, std::move(r.payload)});
  return out;
}

WalOptions Options(const std::string& dir, Env* env = nullptr) {
  WalOptions o;
  o.dir = dir;
  o.env = env;
  o.report_progress = false;
  o.segment_bytes = 1u << 20;
  return o;
}

std::unique_ptr<Wal> MustOpen(const WalOptions& o, Lsn from = 1,
                              std::vector<Rec>* replayed = nullptr,
                              RecoveryReport* report = nullptr) {
  auto wal = Wal::Open(
      o, from,
      [&](const LogRecord& r) {
        if (replayed != nullptr) replayed->push_back({r.lsn, r.type, Str(r.payload)});
        return Status::Ok();
      },
      report);
  EXPECT_TRUE(wal.ok()) << wal.status().ToString();
  if (!wal.ok()) return nullptr;
  return std::move(wal).value();
}

// Appends, asserting success; returns the LSN.
Lsn MustAppend(Wal* wal, const std::string& payload, std::uint8_t type = kType) {
  Result<Lsn> lsn = wal->Append(type, Bytes(payload));
  EXPECT_TRUE(lsn.ok()) << lsn.status().ToString();
  return lsn.ok() ? *lsn : kNoLsn;
}

std::vector<Lsn> SegmentFirstLsns(Env* env, const std::string& dir) {
  std::vector<Lsn> out;
  auto names = env->ListDir(dir);
  EXPECT_TRUE(names.ok()) << names.status().ToString();
  if (!names.ok()) return out;
  for (const std::string& n : *names) {
    if (auto lsn = ParseSegmentFileName(n)) out.push_back(*lsn);
  }
  std::sort(out.begin(), out.end());
  return out;
}

// Checks that `got` holds exactly `want` (by LSN 1..n, in order).
void ExpectSameLog(const std::vector<Rec>& got, const std::vector<std::string>& want,
                   Lsn first = 1) {
  ASSERT_EQ(got.size(), want.size() - (first - 1));
  for (std::size_t i = 0; i < got.size(); ++i) {
    ASSERT_EQ(got[i].lsn, first + i) << "i=" << i;
    ASSERT_EQ(got[i].payload, want[first - 1 + i]) << "lsn " << got[i].lsn;
  }
}

// --- Mode none: holding a small batch ------------------------------------------

// Polls the log's write count until it reaches `want` (or 5 s pass).
std::uint64_t WritesWhenSettled(const Wal& wal, std::uint64_t want) {
  for (int i = 0; i < 500 && wal.stats().writes < want; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  return wal.stats().writes;
}

WalOptions NoneModeOptions(const std::string& dir, std::uint32_t hold_us) {
  WalOptions o = Options(dir);
  o.sync_mode = SyncMode::kNone;
  o.none_hold_us = hold_us;
  return o;
}

// Closes the log and checks that it reads back `count` records.
void CloseAndExpectRecords(Wal* wal, const std::string& dir, std::size_t count) {
  ASSERT_TRUE(wal->Close().ok());
  ReadBack rb = ReadLog(Env::Default(), dir);
  ASSERT_TRUE(rb.status.ok()) << rb.status.ToString();
  EXPECT_EQ(rb.records.size(), count);
}

TEST(WalNoneHold, RecordsWithinTheHoldShareOneWriteAndNeedNoSync) {
  TempDir tmp("none-hold");
  // A hold long enough that ten appends always fit in it.
  const WalOptions o = NoneModeOptions(tmp.Sub("wal"), 1'000'000);
  auto wal = MustOpen(o);
  ASSERT_NE(wal, nullptr);
  for (int i = 0; i < 10; ++i)
    MustAppend(wal.get(), std::string(100, 'a' + i));
  // Nobody syncs: the hold ending sends the batch, as one write of one block.
  EXPECT_EQ(WritesWhenSettled(*wal, 1), 1u);
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(wal->stats().writes, 1u);
  EXPECT_EQ(wal->stats().bytes_written, 4096u);
  CloseAndExpectRecords(wal.get(), o.dir, 10);
}

TEST(WalNoneHold, ABatchPastOneBlockKeepsWaitingForTheHold) {
  TempDir tmp("none-hold-blocks");
  // Ten minutes: nothing but a 64 KiB batch (or Close) ends this hold.
  const WalOptions o = NoneModeOptions(tmp.Sub("wal"), 600'000'000);
  auto wal = MustOpen(o);
  ASSERT_NE(wal, nullptr);
  // About 17 KB, four full blocks and part of a fifth, at a pace the
  // writer can follow: it sees each block fill.
  for (int i = 0; i < 100; ++i) {
    MustAppend(wal.get(), std::string(150, 'x'));
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(wal->stats().writes, 0u);
  CloseAndExpectRecords(wal.get(), o.dir, 100);
}

TEST(WalNoneHold, A64KiBBatchGoesOutWithoutWaitingForTheHold) {
  TempDir tmp("none-hold-full");
  const WalOptions o = NoneModeOptions(tmp.Sub("wal"), 600'000'000);
  auto wal = MustOpen(o);
  ASSERT_NE(wal, nullptr);
  // About 100 KB.
  for (int i = 0; i < 600; ++i)
    MustAppend(wal.get(), std::string(150, 'x'));
  EXPECT_GE(WritesWhenSettled(*wal, 1), 1u);
  CloseAndExpectRecords(wal.get(), o.dir, 600);
}

TEST(WalNoneHold, WithoutAHoldEachLoneRecordIsAWrite) {
  TempDir tmp("none-nohold");
  auto wal = MustOpen(NoneModeOptions(tmp.Sub("wal"), 0));
  ASSERT_NE(wal, nullptr);
  for (std::uint64_t i = 1; i <= 3; ++i) {
    MustAppend(wal.get(), "lone");
    EXPECT_EQ(WritesWhenSettled(*wal, i), i);
  }
}

// --- Framing -----------------------------------------------------------------

TEST(WalFraming, PayloadSizesRoundTripThroughLogReader) {
  TempDir tmp("framing");
  std::mt19937_64 rng(1);
  const std::size_t sizes[] = {0, 1, 128, 16 << 10, 1 << 20};
  std::vector<std::string> want;
  std::vector<std::uint8_t> types;
  {
    auto wal = MustOpen(Options(tmp.Sub("wal")));
    ASSERT_NE(wal, nullptr);
    for (int round = 0; round < 3; ++round) {
      for (std::size_t size : sizes) {
        std::string p(size, '\0');
        for (char& c : p)
          c = static_cast<char>(rng());
        auto type = static_cast<std::uint8_t>(kFirstUserRecordType + rng() % 240);
        ASSERT_EQ(MustAppend(wal.get(), p, type), want.size() + 1);
        want.push_back(p);
        types.push_back(type);
      }
    }
    ASSERT_TRUE(wal->Close().ok());
  }
  ReadBack rb = ReadLog(Env::Default(), tmp.Sub("wal"));
  ASSERT_TRUE(rb.status.ok()) << rb.status.ToString();
  ExpectSameLog(rb.records, want);
  for (std::size_t i = 0; i < rb.records.size(); ++i)
    EXPECT_EQ(rb.records[i].type, types[i]);
  EXPECT_FALSE(rb.report.torn_tail) << rb.report.torn_tail_detail;
  EXPECT_EQ(rb.report.last_lsn, want.size());
}

TEST(WalFraming, PayloadSizesRoundTripThroughReplay) {
  TempDir tmp("replay-framing");
  std::mt19937_64 rng(2);
  std::vector<std::string> want;
  {
    auto wal = MustOpen(Options(tmp.Sub("wal")));
    ASSERT_NE(wal, nullptr);
    for (std::size_t size : {0, 1, 128, 16 << 10, 1 << 20, 7, 4095, 4096, 4097}) {
      std::string p(size, '\0');
      for (char& c : p)
        c = static_cast<char>(rng());
      MustAppend(wal.get(), p);
      want.push_back(p);
    }
  }  // the destructor closes
  std::vector<Rec> replayed;
  RecoveryReport report;
  auto wal = MustOpen(Options(tmp.Sub("wal")), 1, &replayed, &report);
  ASSERT_NE(wal, nullptr);
  ExpectSameLog(replayed, want);
  EXPECT_EQ(report.records, want.size());
  EXPECT_EQ(report.first_lsn, 1u);
  EXPECT_EQ(report.last_lsn, want.size());
  EXPECT_FALSE(report.torn_tail);
}

TEST(WalAppend, LsnsAreConsecutiveFromOne) {
  TempDir tmp("lsns");
  auto wal = MustOpen(Options(tmp.Sub("wal")));
  ASSERT_NE(wal, nullptr);
  EXPECT_EQ(wal->last_lsn(), kNoLsn);
  for (Lsn i = 1; i <= 50; ++i) {
    ASSERT_EQ(MustAppend(wal.get(), "x" + std::to_string(i)), i);
    EXPECT_EQ(wal->last_lsn(), i);
  }
}

TEST(WalAppend, RejectsReservedType) {
  TempDir tmp("badtype");
  auto wal = MustOpen(Options(tmp.Sub("wal")));
  ASSERT_NE(wal, nullptr);
  for (int t = 0; t < kFirstUserRecordType; ++t) {
    Result<Lsn> r = wal->Append(static_cast<std::uint8_t>(t), Bytes("abc"));
    ASSERT_FALSE(r.ok()) << "type " << t;
    EXPECT_TRUE(r.status().IsInvalidArgument()) << r.status().ToString();
  }
  // A refused record takes no LSN and does not poison the log.
  EXPECT_TRUE(wal->health().ok());
  EXPECT_EQ(MustAppend(wal.get(), "ok"), 1u);
}

TEST(WalAppend, RejectsOversizePayload) {
  TempDir tmp("oversize");
  auto wal = MustOpen(Options(tmp.Sub("wal")));
  ASSERT_NE(wal, nullptr);
  std::string big(kMaxRecordBytes + 1, 'z');
  Result<Lsn> r = wal->Append(kType, Bytes(big));
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status().IsInvalidArgument()) << r.status().ToString();
  EXPECT_TRUE(wal->health().ok());
  EXPECT_EQ(MustAppend(wal.get(), "ok"), 1u);
}

// --- Segments ----------------------------------------------------------------

// Modes none and interval sync a segment before the next one starts. One
// appender that never waits, filling hundreds of small segments, keeps a
// sync round pending at most rotations; the log must keep rotating (a writer
// that stopped reaping that round's completion once livelocked here).
TEST(WalRotation, UnsyncedModesKeepRotatingUnderSustainedAppends) {
  for (SyncMode mode : {SyncMode::kNone, SyncMode::kInterval}) {
    SCOPED_TRACE(std::string(SyncModeName(mode)));
    TempDir tmp("rotation-none");
    std::mt19937_64 rng(4);
    WalOptions o = Options(tmp.Sub("wal"));
    o.segment_bytes = 64 << 10;
    o.sync_mode = mode;
    o.sync_interval_ms = 1;
    std::vector<std::string> want;
    {
      auto wal = MustOpen(o);
      ASSERT_NE(wal, nullptr);
      for (int i = 0; i < 6000; ++i) {
        want.push_back(MakeCheckedPayload(&rng, 0, i, 2000 + rng() % 2000));
        if (mode == SyncMode::kNone) {
          ASSERT_EQ(MustAppend(wal.get(), want.back()), want.size());
        } else if (i % 50 == 0) {
          ASSERT_EQ(MustAppend(wal.get(), want.back()), want.size());
        } else {
          want.pop_back();
        }
      }
      ASSERT_TRUE(wal->Close().ok());
    }
    EXPECT_GE(SegmentFirstLsns(Env::Default(), o.dir).size(), mode == SyncMode::kNone ? 200u : 3u);
    ReadBack rb = ReadLog(Env::Default(), o.dir);
    ASSERT_TRUE(rb.status.ok()) << rb.status.ToString();
    ExpectSameLog(rb.records, want);
  }
}

TEST(WalRotation, ManySmallSegmentsReadBackIntact) {
  TempDir tmp("rotation");
  std::mt19937_64 rng(3);
  WalOptions o = Options(tmp.Sub("wal"));
  o.segment_bytes = 64 << 10;
  std::vector<std::string> want;
  {
    auto wal = MustOpen(o);
    ASSERT_NE(wal, nullptr);
    // Sizes from tiny to a third of a segment, so records land at every
    // position relative to block and segment ends.
    for (int i = 0; i < 400; ++i) {
      std::size_t len = (i % 7 == 0) ? 20000 + rng() % 2000 : rng() % 3000;
      want.push_back(MakeCheckedPayload(&rng, 0, i, len));
      ASSERT_EQ(MustAppend(wal.get(), want.back()), want.size());
    }
    ASSERT_TRUE(wal->Close().ok());
  }
  std::vector<Lsn> segments = SegmentFirstLsns(Env::Default(), o.dir);
  EXPECT_GE(segments.size(), 20u);
  ASSERT_FALSE(segments.empty());
  EXPECT_EQ(segments.front(), 1u);
  ReadBack rb = ReadLog(Env::Default(), o.dir);
  ASSERT_TRUE(rb.status.ok()) << rb.status.ToString();
  ExpectSameLog(rb.records, want);
  EXPECT_EQ(rb.report.segments, segments.size());
  // Each segment's name is the LSN of its first record.
  for (std::size_t s = 1; s < segments.size(); ++s) {
    EXPECT_GT(segments[s], segments[s - 1]);
    EXPECT_LE(segments[s], want.size() + 1);
  }
}

TEST(WalRelease, RemovesOnlySegmentsWhollyBelow) {
  TempDir tmp("release");
  std::mt19937_64 rng(4);
  WalOptions o = Options(tmp.Sub("wal"));
  o.segment_bytes = 64 << 10;
  std::vector<std::string> want;
  auto wal = MustOpen(o);
  ASSERT_NE(wal, nullptr);
  for (int i = 0; i < 300; ++i) {
    want.push_back(MakeCheckedPayload(&rng, 0, i, 1000 + rng() % 3000));
    MustAppend(wal.get(), want.back());
  }
  std::vector<Lsn> before = SegmentFirstLsns(Env::Default(), o.dir);
  ASSERT_GE(before.size(), 6u);
  // An LSN strictly inside segment k: segment k must stay, all before it go.
  std::size_t k = before.size() / 2;
  ASSERT_GT(before[k + 1] - before[k], 1u);
  Lsn release = before[k] + 1;
  ASSERT_TRUE(wal->ReleaseBelow(release).ok());
  std::vector<Lsn> after = SegmentFirstLsns(Env::Default(), o.dir);
  std::vector<Lsn> expect(before.begin() + static_cast<std::ptrdiff_t>(k), before.end());
  EXPECT_EQ(after, expect);

  // Releasing exactly at a segment's first LSN removes the one before it only.
  ASSERT_TRUE(wal->ReleaseBelow(before[k + 1]).ok());
  after = SegmentFirstLsns(Env::Default(), o.dir);
  expect.assign(before.begin() + static_cast<std::ptrdiff_t>(k + 1), before.end());
  EXPECT_EQ(after, expect);

  // The log goes on, and reads back from the release point.
  for (int i = 0; i < 20; ++i) {
    want.push_back(MakeCheckedPayload(&rng, 0, 1000 + i, 500));
    ASSERT_EQ(MustAppend(wal.get(), want.back()), want.size());
  }
  ASSERT_TRUE(wal->Close().ok());
  const Lsn from = before[k + 1] + 3;
  ReadBack rb = ReadLog(Env::Default(), o.dir, from);
  ASSERT_TRUE(rb.status.ok()) << rb.status.ToString();
  ASSERT_FALSE(rb.records.empty());
  EXPECT_EQ(rb.records.front().lsn, from);
  ExpectSameLog(rb.records, want, from);

  std::vector<Rec> replayed;
  RecoveryReport report;
  auto reopened = MustOpen(o, before[k + 1], &replayed, &report);
  ASSERT_NE(reopened, nullptr);
  ExpectSameLog(replayed, want, before[k + 1]);
  EXPECT_EQ(report.first_lsn, before[k + 1]);
  EXPECT_EQ(report.last_lsn, want.size());
}

// --- Recovery and reopening --------------------------------------------------

TEST(WalReplay, ReplayFromSkipsOlderRecords) {
  TempDir tmp("replay-from");
  std::mt19937_64 rng(5);
  std::vector<std::string> want;
  {
    auto wal = MustOpen(Options(tmp.Sub("wal")));
    ASSERT_NE(wal, nullptr);
    for (int i = 0; i < 100; ++i) {
      want.push_back(MakeCheckedPayload(&rng, 0, i, 100));
      MustAppend(wal.get(), want.back());
    }
  }
  std::vector<Rec> replayed;
  RecoveryReport report;
  auto wal = MustOpen(Options(tmp.Sub("wal")), 40, &replayed, &report);
  ASSERT_NE(wal, nullptr);
  ExpectSameLog(replayed, want, 40);
  EXPECT_EQ(report.last_lsn, 100u);
}

TEST(WalReplay, CallbackErrorAbortsOpen) {
  TempDir tmp("replay-error");
  {
    auto wal = MustOpen(Options(tmp.Sub("wal")));
    ASSERT_NE(wal, nullptr);
    for (int i = 0; i < 10; ++i)
      MustAppend(wal.get(), "r" + std::to_string(i));
  }
  int calls = 0;
  auto wal = Wal::Open(
      Options(tmp.Sub("wal")), 1,
      [&](const LogRecord& r) {
        ++calls;
        return r.lsn == 5 ? Status::Busy("stop here") : Status::Ok();
      },
      nullptr);
  ASSERT_FALSE(wal.ok());
  EXPECT_TRUE(wal.status().IsBusy()) << wal.status().ToString();
  EXPECT_EQ(calls, 5);
}

TEST(WalReopen, ContinuesLsnSequence) {
  TempDir tmp("reopen");
  std::mt19937_64 rng(6);
  std::vector<std::string> want;
  for (int session = 0; session < 4; ++session) {
    std::vector<Rec> replayed;
    auto wal = MustOpen(Options(tmp.Sub("wal")), 1, &replayed);
    ASSERT_NE(wal, nullptr);
    ExpectSameLog(replayed, want);
    EXPECT_EQ(wal->last_lsn(), want.size());
    for (int i = 0; i < 10; ++i) {
      want.push_back(MakeCheckedPayload(&rng, session, i, 64 + rng() % 200));
      ASSERT_EQ(MustAppend(wal.get(), want.back()), want.size());
    }
    if (session % 2 == 0) {
      ASSERT_TRUE(wal->Close().ok());
    }  // else the destructor closes
  }
  ReadBack rb = ReadLog(Env::Default(), tmp.Sub("wal"));
  ASSERT_TRUE(rb.status.ok()) << rb.status.ToString();
  ExpectSameLog(rb.records, want);
}

TEST(WalReopen, EmptyLogReopensEmpty) {
  TempDir tmp("empty");
  { ASSERT_NE(MustOpen(Options(tmp.Sub("wal"))), nullptr); }
  std::vector<Rec> replayed;
  RecoveryReport report;
  auto wal = MustOpen(Options(tmp.Sub("wal")), 1, &replayed, &report);
  ASSERT_NE(wal, nullptr);
  EXPECT_TRUE(replayed.empty());
  EXPECT_EQ(report.records, 0u);
  EXPECT_EQ(MustAppend(wal.get(), "first"), 1u);
}

// --- Sync modes on the real Env ----------------------------------------------

class WalSyncModeTest : public ::testing::TestWithParam<SyncMode> {};

TEST_P(WalSyncModeTest, RecordsReadBackAfterCloseAndReopen) {
  TempDir tmp("mode");
  std::mt19937_64 rng(7);
  WalOptions o = Options(tmp.Sub("wal"));
  o.sync_mode = GetParam();
  o.sync_interval_ms = 2;
  o.segment_bytes = 256 << 10;
  std::vector<std::string> want;
  {
    auto wal = MustOpen(o);
    ASSERT_NE(wal, nullptr);
    for (int i = 0; i < 300; ++i) {
      want.push_back(MakeCheckedPayload(&rng, 0, i, rng() % 5000));
      ASSERT_EQ(MustAppend(wal.get(), want.back()), want.size());
    }
    ASSERT_TRUE(wal->Close().ok());
    EXPECT_EQ(wal->durable_lsn(), want.size());
    EXPECT_FALSE(wal->Append(kType, Bytes("late")).ok()) << "append after Close";
  }
  std::vector<Rec> replayed;
  auto wal = MustOpen(o, 1, &replayed);
  ASSERT_NE(wal, nullptr);
  ExpectSameLog(replayed, want);
}

TEST_P(WalSyncModeTest, SyncReturnsDurableLsnCoveringAppends) {
  TempDir tmp("sync");
  WalOptions o = Options(tmp.Sub("wal"));
  o.sync_mode = GetParam();
  o.sync_interval_ms = 5;
  auto wal = MustOpen(o);
  ASSERT_NE(wal, nullptr);
  Lsn last = 0;
  for (int i = 0; i < 20; ++i)
    last = MustAppend(wal.get(), "r" + std::to_string(i));
  Result<Lsn> durable = wal->Sync();
  ASSERT_TRUE(durable.ok()) << durable.status().ToString();
  EXPECT_GE(*durable, last);
  EXPECT_GE(wal->durable_lsn(), last);
  EXPECT_LE(wal->durable_lsn(), wal->last_lsn());
}

class WalDurableAckTest : public ::testing::TestWithParam<SyncMode> {};

TEST_P(WalDurableAckTest, AcknowledgesOnlyDurableRecords) {
  TempDir tmp("ackdurable");
  WalOptions o = Options(tmp.Sub("wal"));
  o.sync_mode = GetParam();
  o.sync_interval_ms = 2;
  auto wal = MustOpen(o);
  ASSERT_NE(wal, nullptr);
  for (int i = 0; i < 30; ++i) {
    Lsn lsn = MustAppend(wal.get(), "r" + std::to_string(i));
    EXPECT_GE(wal->durable_lsn(), lsn) << "acknowledged before durable";
  }
}

INSTANTIATE_TEST_SUITE_P(Modes, WalSyncModeTest,
                         ::testing::Values(SyncMode::kNone, SyncMode::kBatch, SyncMode::kInterval),
                         [](const ::testing::TestParamInfo<SyncMode>& info) {
                           return std::string(SyncModeName(info.param));
                         });

INSTANTIATE_TEST_SUITE_P(Modes, WalDurableAckTest,
                         ::testing::Values(SyncMode::kBatch, SyncMode::kInterval),
                         [](const ::testing::TestParamInfo<SyncMode>& info) {
                           return std::string(SyncModeName(info.param));
                         });

// --- Concurrency ---------------------------------------------------------------

TEST(WalConcurrency, EightAppendersGetDistinctConsecutiveLsns) {
  TempDir tmp("concurrent");
  WalOptions o = Options(tmp.Sub("wal"));
  o.segment_bytes = 256 << 10;
  constexpr int kThreads = 8;
  constexpr int kPerThread = 400;
  std::vector<std::vector<Lsn>> got(kThreads);
  std::vector<std::vector<std::string>> sent(kThreads);
  {
    auto wal = MustOpen(o);
    ASSERT_NE(wal, nullptr);
    std::atomic<int> failures{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        std::mt19937_64 rng(100 + t);
        for (int i = 0; i < kPerThread; ++i) {
          std::string p = MakeCheckedPayload(&rng, t, i, 32 + rng() % 600);
          Result<Lsn> lsn = wal->Append(kType, Bytes(p));
          if (!lsn.ok()) {
            failures.fetch_add(1);
            return;
          }
          got[t].push_back(*lsn);
          sent[t].push_back(std::move(p));
        }
      });
    }
    for (auto& th : threads)
      th.join();
    ASSERT_EQ(failures.load(), 0);
    ASSERT_TRUE(wal->Close().ok());
  }
  std::vector<Lsn> all;
  for (int t = 0; t < kThreads; ++t) {
    // One thread's appends enter the log in the order it made them.
    EXPECT_TRUE(std::is_sorted(got[t].begin(), got[t].end())) << "thread " << t;
    all.insert(all.end(), got[t].begin(), got[t].end());
  }
  std::sort(all.begin(), all.end());
  ASSERT_EQ(all.size(), static_cast<std::size_t>(kThreads * kPerThread));
  for (std::size_t i = 0; i < all.size(); ++i)
    ASSERT_EQ(all[i], i + 1) << "LSNs not 1..n";

  ReadBack rb = ReadLog(Env::Default(), o.dir);
  ASSERT_TRUE(rb.status.ok()) << rb.status.ToString();
  ASSERT_EQ(rb.records.size(), all.size());
  std::vector<std::vector<bool>> seen(kThreads, std::vector<bool>(kPerThread, false));
  for (std::size_t i = 0; i < rb.records.size(); ++i) {
    const Rec& r = rb.records[i];
    ASSERT_EQ(r.lsn, i + 1);
    ASSERT_TRUE(CheckedPayloadIsConsistent(r.payload)) << "lsn " << r.lsn;
    std::uint32_t t = CheckedPayloadWriter(r.payload);
    std::uint64_t c = CheckedPayloadCounter(r.payload);
    ASSERT_LT(t, static_cast<std::uint32_t>(kThreads));
    ASSERT_LT(c, static_cast<std::uint64_t>(kPerThread));
    ASSERT_FALSE(seen[t][c]) << "record read twice: thread " << t << " #" << c;
    seen[t][c] = true;
    EXPECT_EQ(got[t][c], r.lsn) << "record came back under another LSN";
    EXPECT_EQ(sent[t][c], r.payload);
  }
}

// --- Power loss on MemEnv ----------------------------------------------------

// Crashes the machine under a running Wal: from now on nothing the Wal does
// reaches the disk; everything not durable is lost.
void PowerLoss(testing::FaultEnv* fault, testing::MemEnv* mem, std::unique_ptr<Wal>* wal) {
  fault->SetCrashed(true);
  mem->DropUnsyncedData();
  wal->reset();  // its Close fails: the disk is gone
  fault->SetCrashed(false);
}

TEST(WalPowerLoss, BatchModeKeepsEveryAcknowledgedRecord) {
  testing::MemEnv mem;
  testing::FaultEnv fault(&mem);
  WalOptions o = Options("/db/wal", &fault);
  o.segment_bytes = 64 << 10;
  o.sync_mode = SyncMode::kBatch;
  std::mutex mu;
  std::map<Lsn, std::string> acked;
  auto wal = MustOpen(o);
  ASSERT_NE(wal, nullptr);
  std::atomic<bool> stop{false};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      std::mt19937_64 rng(200 + t);
      for (int i = 0; !stop.load(); ++i) {
        std::string p = MakeCheckedPayload(&rng, t, i, 32 + rng() % 3000);
        Result<Lsn> lsn = wal->Append(kType, Bytes(p));
        if (!lsn.ok()) return;
        std::lock_guard lock(mu);
        acked[*lsn] = std::move(p);
      }
    });
  }
  while (true) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    std::lock_guard lock(mu);
    if (acked.size() >= 1500) break;
  }
  // Freeze the acknowledged set, then crash while appends are still running.
  std::map<Lsn, std::string> promised;
  {
    std::lock_guard lock(mu);
    promised = acked;
  }
  fault.SetCrashed(true);  // appenders now fail and stop
  stop.store(true);
  for (auto& th : threads)
    th.join();
  PowerLoss(&fault, &mem, &wal);

  ReadBack rb = ReadLog(&mem, o.dir);
  ASSERT_TRUE(rb.status.ok()) << rb.status.ToString();
  for (std::size_t i = 0; i < rb.records.size(); ++i) {
    ASSERT_EQ(rb.records[i].lsn, i + 1);
    ASSERT_TRUE(CheckedPayloadIsConsistent(rb.records[i].payload)) << "lsn " << i + 1;
  }
  for (const auto& [lsn, payload] : promised) {
    ASSERT_LE(lsn, rb.records.size()) << "acknowledged LSN " << lsn << " lost in a power loss; "
                                      << rb.records.size() << " records survived";
    ASSERT_EQ(rb.records[lsn - 1].payload, payload) << "lsn " << lsn;
  }
  EXPECT_EQ(mem.depth_violations(), 0u) << "an IoQueue was overfilled";

  // And the log reopens and continues after the crash.
  std::vector<Rec> replayed;
  auto again = MustOpen(o, 1, &replayed);
  ASSERT_NE(again, nullptr);
  EXPECT_EQ(replayed.size(), rb.records.size());
  std::mt19937_64 rng(1);
  EXPECT_EQ(MustAppend(again.get(), MakeCheckedPayload(&rng, 9, 0, 40)), rb.records.size() + 1);
}

TEST(WalPowerLoss, NoneModeKeepsWhatSyncCovered) {
  testing::MemEnv mem;
  testing::FaultEnv fault(&mem);
  std::mt19937_64 rng(8);
  WalOptions o = Options("/db/wal", &fault);
  o.segment_bytes = 64 << 10;
  o.sync_mode = SyncMode::kNone;
  std::vector<std::string> want;
  auto wal = MustOpen(o);
  ASSERT_NE(wal, nullptr);
  for (int i = 0; i < 200; ++i) {
    want.push_back(MakeCheckedPayload(&rng, 0, i, 32 + rng() % 2000));
    MustAppend(wal.get(), want.back());
  }
  Result<Lsn> durable = wal->Sync();
  ASSERT_TRUE(durable.ok()) << durable.status().ToString();
  ASSERT_GE(*durable, 200u);
  for (int i = 0; i < 100; ++i) {
    want.push_back(MakeCheckedPayload(&rng, 0, 1000 + i, 32 + rng() % 2000));
    MustAppend(wal.get(), want.back());
  }
  PowerLoss(&fault, &mem, &wal);

  ReadBack rb = ReadLog(&mem, o.dir);
  ASSERT_TRUE(rb.status.ok()) << rb.status.ToString();
  ASSERT_GE(rb.records.size(), 200u) << "records covered by Sync() were lost";
  ASSERT_LE(rb.records.size(), want.size());
  for (std::size_t i = 0; i < rb.records.size(); ++i) {
    ASSERT_EQ(rb.records[i].lsn, i + 1);
    ASSERT_EQ(rb.records[i].payload, want[i]) << "lsn " << i + 1;
  }
}

TEST(WalPowerLoss, CloseMakesEverythingDurableInNoneMode) {
  testing::MemEnv mem;
  std::mt19937_64 rng(9);
  WalOptions o = Options("/db/wal", &mem);
  o.segment_bytes = 64 << 10;
  o.sync_mode = SyncMode::kNone;
  std::vector<std::string> want;
  {
    auto wal = MustOpen(o);
    ASSERT_NE(wal, nullptr);
    for (int i = 0; i < 300; ++i) {
      want.push_back(MakeCheckedPayload(&rng, 0, i, 32 + rng() % 2000));
      MustAppend(wal.get(), want.back());
    }
    ASSERT_TRUE(wal->Close().ok());
  }
  mem.DropUnsyncedData();
  ReadBack rb = ReadLog(&mem, o.dir);
  ASSERT_TRUE(rb.status.ok()) << rb.status.ToString();
  ExpectSameLog(rb.records, want);
}

TEST(WalPowerLoss, RepeatedCrashesKeepAcknowledgedPrefix) {
  testing::MemEnv mem;
  testing::FaultEnv fault(&mem);
  std::mt19937_64 rng(10);
  WalOptions o = Options("/db/wal", &fault);
  o.segment_bytes = 64 << 10;
  o.sync_mode = SyncMode::kBatch;
  o.sync_method = SyncMethod::kLinkedDatasync;
  std::vector<std::string> want;  // every acknowledged record, by LSN
  for (int crash = 0; crash < 10; ++crash) {
    SCOPED_TRACE("crash " + std::to_string(crash));
    std::vector<Rec> replayed;
    auto wal = MustOpen(o, 1, &replayed);
    ASSERT_NE(wal, nullptr);
    ASSERT_EQ(replayed.size(), want.size());
    for (std::size_t i = 0; i < replayed.size(); ++i)
      ASSERT_EQ(replayed[i].payload, want[i]);
    for (int i = 0; i < 50; ++i) {
      want.push_back(MakeCheckedPayload(&rng, crash, i, 32 + rng() % 9000));
      ASSERT_EQ(MustAppend(wal.get(), want.back()), want.size());
    }
    PowerLoss(&fault, &mem, &wal);
  }
}

}  // namespace
}  // namespace eddy::wal::wal_test
