// The crash test: a child process appends to a real log in mode batch and
// reports every acknowledged record down a pipe; the parent SIGKILLs it at a
// random moment and checks that recovery keeps every acknowledged record, with
// consecutive LSNs and no damaged payloads. Every round reopens the same log,
// so recovery after recovery (and appends continuing after it) is exercised,
// and some kills land inside Wal::Open itself.
//
// Reproduce a run: EDDY_CRASH_SEED=<seed printed at the start>.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
#include <xxhash.h>

#include <chrono>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "support/checked_payload.h"
#include "support/temp_dir.h"
#include "wal/log_reader.h"
#include "wal/wal.h"

// The file's own namespace: the unity build compiles the files of a test
// folder as one translation unit, where anonymous namespaces are shared.
namespace eddy::wal::wal_crash_test {
namespace {

constexpr int kRounds = 60;
constexpr int kChildThreads = 4;
constexpr std::uint8_t kType = kFirstUserRecordType;

using eddy::testing::CheckedPayloadIsConsistent;
using eddy::testing::MakeCheckedPayload;

// One message on the pipe. lsn == 0 marks a control message.
struct Ack {
  std::uint64_t lsn;
  std::uint64_t digest;  // XXH3 of the payload; for control messages, the kind
};
static_assert(sizeof(Ack) <= PIPE_BUF, "acks must be written atomically");
constexpr std::uint64_t kOpened = 1;
constexpr std::uint64_t kFailed = 2;

void WriteAck(int fd, Ack ack) {
  const char* p = reinterpret_cast<const char*>(&ack);
  std::size_t left = sizeof(ack);
  while (left > 0) {
    ssize_t n = ::write(fd, p, left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) _exit(5);
    p += n;
    left -= static_cast<std::size_t>(n);
  }
}

WalOptions CrashOptions(const std::string& dir) {
  WalOptions o;
  o.dir = dir;
  o.sync_mode = SyncMode::kBatch;
  o.segment_bytes = 256 << 10;
  o.report_progress = false;
  return o;
}

// The child: no gtest, no return; ends by _exit or SIGKILL.
[[noreturn]] void RunChild(const std::string& dir, int fd, std::uint64_t seed, int round) {
  bool consistent = true;
  auto wal = Wal::Open(
      CrashOptions(dir), 1,
      [&](const LogRecord& r) {
        if (!CheckedPayloadIsConsistent(r.payload)) consistent = false;
        return Status::Ok();
      },
      nullptr);
  if (!wal.ok() || !consistent) {
    std::fprintf(stderr, "crash child round %d: open failed: %s%s\n", round,
                 wal.status().ToString().c_str(), consistent ? "" : " (bad payload replayed)");
    WriteAck(fd, {0, kFailed});
    _exit(2);
  }
  WriteAck(fd, {0, kOpened});
  std::vector<std::thread> threads;
  for (int t = 0; t < kChildThreads; ++t) {
    threads.emplace_back([&, t] {
      std::mt19937_64 rng(seed * 1000 + static_cast<std::uint64_t>(round * kChildThreads + t));
      for (std::uint64_t i = 0;; ++i) {
        std::size_t len = (i % 50 == 49) ? 5000 + rng() % 20000
                                         : eddy::testing::kMinCheckedPayloadBytes + rng() % 700;
        std::string p =
            MakeCheckedPayload(&rng, static_cast<std::uint32_t>(round * kChildThreads + t), i, len);
        Result<Lsn> lsn = (*wal)->Append(kType, AsBytes(p.data(), p.size()));
        if (!lsn.ok()) {
          std::fprintf(stderr, "crash child round %d: append failed: %s\n", round,
                       lsn.status().ToString().c_str());
          WriteAck(fd, {0, kFailed});
          _exit(3);
        }
        WriteAck(fd, {*lsn, XXH3_64bits(p.data(), p.size())});
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::seconds(20));  // the parent kills us long before
  _exit(4);
}

struct RoundResult {
  std::vector<Ack> acks;
  bool opened = false;
  bool failed = false;
};

// Reads whatever is in the pipe; false at EOF.
bool DrainPipe(int fd, std::string* buf, RoundResult* out) {
  char chunk[4096];
  bool open = true;
  while (true) {
    ssize_t n = ::read(fd, chunk, sizeof(chunk));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) break;  // EAGAIN: nothing more for now
    if (n == 0) {
      open = false;
      break;
    }
    buf->append(chunk, static_cast<std::size_t>(n));
  }
  std::size_t whole = buf->size() / sizeof(Ack) * sizeof(Ack);
  for (std::size_t off = 0; off < whole; off += sizeof(Ack)) {
    Ack ack;
    std::memcpy(&ack, buf->data() + off, sizeof(Ack));
    if (ack.lsn != 0) {
      out->acks.push_back(ack);
    } else if (ack.digest == kOpened) {
      out->opened = true;
    } else {
      out->failed = true;
    }
  }
  buf->erase(0, whole);
  return open;
}

std::uint64_t Seed() {
  const char* env = std::getenv("EDDY_CRASH_SEED");
  if (env != nullptr && env[0] != '\0') return std::strtoull(env, nullptr, 10);
  return 20261122;
}

TEST(WalCrash, SigkillNeverLosesAcknowledgedRecords) {
  eddy::testing::TempDir tmp("crash");
  const std::string dir = tmp.Sub("wal");
  const std::uint64_t seed = Seed();
  std::printf("[ crash    ] EDDY_CRASH_SEED=%llu dir=%s\n", static_cast<unsigned long long>(seed),
              dir.c_str());
  std::mt19937_64 rng(seed);
  std::map<Lsn, std::uint64_t> acked;       // every acknowledged record, all rounds
  std::vector<std::uint64_t> seen_digests;  // the log as the last check read it
  std::uint64_t torn_rounds = 0, total_acks = 0;

  for (int round = 0; round < kRounds; ++round) {
    const bool kill_in_open = rng() % 6 == 0;
    const auto delay =
        std::chrono::microseconds(kill_in_open ? rng() % 15000 : 2000 + rng() % 98000);
    SCOPED_TRACE("round " + std::to_string(round) + ", kill " + std::to_string(delay.count()) +
                 " us after " + (kill_in_open ? "fork" : "open") + ", seed " +
                 std::to_string(seed));
    int fds[2];
    ASSERT_EQ(::pipe2(fds, O_CLOEXEC), 0);
    std::fflush(nullptr);
    pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      ::close(fds[0]);
      RunChild(dir, fds[1], seed, round);
    }
    ::close(fds[1]);
    ASSERT_EQ(::fcntl(fds[0], F_SETFL, O_NONBLOCK), 0);

    RoundResult rr;
    std::string buf;
    auto start = std::chrono::steady_clock::now();
    const auto open_deadline = start + std::chrono::seconds(10);
    bool started = kill_in_open;
    while (true) {
      auto now = std::chrono::steady_clock::now();
      if (!started && rr.opened) {
        started = true;
        start = now;
      }
      if (started && now >= start + delay) break;
      if (rr.failed || now > open_deadline) break;
      pollfd pfd{fds[0], POLLIN, 0};
      ::poll(&pfd, 1, 1);
      if (!DrainPipe(fds[0], &buf, &rr)) break;  // the child died by itself
    }
    ::kill(pid, SIGKILL);
    int wstatus = 0;
    ASSERT_EQ(::waitpid(pid, &wstatus, 0), pid);
    ASSERT_EQ(::fcntl(fds[0], F_SETFL, 0), 0);
    while (DrainPipe(fds[0], &buf, &rr)) {
    }
    ::close(fds[0]);
    ASSERT_FALSE(rr.failed) << "the child reported an error (see its stderr)";
    ASSERT_TRUE(WIFSIGNALED(wstatus) && WTERMSIG(wstatus) == SIGKILL)
        << "the child ended by itself, status " << wstatus;
    if (!kill_in_open) {
      ASSERT_TRUE(rr.opened) << "Wal::Open did not finish in 10 s";
    }

    // The log after the crash.
    auto reader = LogReader::Open(Env::Default(), dir, 1);
    ASSERT_TRUE(reader.ok()) << reader.status().ToString();
    std::vector<std::uint64_t> digests;
    LogRecord rec;
    while (true) {
      Result<bool> more = (*reader)->Next(&rec);
      ASSERT_TRUE(more.ok()) << "a crash must leave at most a torn tail: "
                             << more.status().ToString();
      if (!*more) break;
      ASSERT_EQ(rec.lsn, digests.size() + 1) << "LSN gap";
      ASSERT_TRUE(CheckedPayloadIsConsistent(rec.payload)) << "garbage payload at LSN " << rec.lsn;
      digests.push_back(XXH3_64bits(rec.payload.data(), rec.payload.size()));
    }
    const RecoveryReport& report = (*reader)->report();
    EXPECT_EQ(report.records, digests.size());
    EXPECT_EQ(report.last_lsn, digests.size());
    if (!digests.empty()) {
      EXPECT_EQ(report.first_lsn, 1u);
      EXPECT_GE(report.segments, 1u);
    }
    if (report.torn_tail) {
      ++torn_rounds;
      EXPECT_FALSE(report.torn_tail_detail.empty());
    }

    // What an earlier check read had been recovered and built upon; it stays.
    ASSERT_GE(digests.size(), seen_digests.size()) << "records that survived recovery vanished";
    for (std::size_t i = 0; i < seen_digests.size(); ++i) {
      ASSERT_EQ(digests[i], seen_digests[i]) << "LSN " << i + 1 << " changed after recovery";
    }
    // Appends continued after everything recovery kept, never reusing an LSN.
    for (const Ack& ack : rr.acks) {
      ASSERT_GT(ack.lsn, seen_digests.size()) << "an LSN was handed out twice";
      auto [it, fresh] = acked.emplace(ack.lsn, ack.digest);
      ASSERT_TRUE(fresh) << "LSN " << ack.lsn << " acknowledged twice";
    }
    for (const auto& [lsn, digest] : acked) {
      ASSERT_LE(lsn, digests.size())
          << "acknowledged LSN " << lsn << " lost; the log ends at " << digests.size() << " ("
          << rr.acks.size() << " acks this round)";
      ASSERT_EQ(digests[lsn - 1], digest) << "acknowledged LSN " << lsn << " has other data";
    }
    total_acks += rr.acks.size();
    seen_digests = std::move(digests);
  }
  std::printf(
      "[ crash    ] %d rounds, %llu acknowledged records, %zu in the log, %llu torn tails\n",
      kRounds, static_cast<unsigned long long>(total_acks), seen_digests.size(),
      static_cast<unsigned long long>(torn_rounds));
  EXPECT_GT(total_acks, static_cast<std::uint64_t>(kRounds)) << "the children barely wrote";
}

}  // namespace
}  // namespace eddy::wal::wal_crash_test
