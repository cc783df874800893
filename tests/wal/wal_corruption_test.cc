// Damaged logs: flipped bytes and cut files. Recovery must never crash, never
// return a damaged or out-of-order record, and never silently return less than
// was written: fewer records come with a torn-tail report or a Corruption
// status naming the segment.
#include <gtest/gtest.h>
#include <xxhash.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "support/checked_payload.h"
#include "support/mem_env.h"
#include "support/read_log.h"
#include "support/temp_dir.h"
#include "wal/format.h"
#include "wal/log_reader.h"
#include "wal/segment_name.h"
#include "wal/wal.h"

// The file's own namespace: the unity build compiles the files of a test
// folder as one translation unit, where anonymous namespaces are shared.
namespace eddy::wal::wal_corruption_test {
namespace {

namespace fs = std::filesystem;
constexpr std::uint8_t kType = kFirstUserRecordType;

// Payloads check themselves (tests/support/checked_payload.h); writer 0.
std::string MakePayload(std::mt19937_64* rng, std::uint64_t counter, std::size_t len) {
  return eddy::testing::MakeCheckedPayload(rng, 0, counter, len);
}
using eddy::testing::CheckedPayloadIsConsistent;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void WriteFile(const std::string& path, const std::string& data) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(data.data(), static_cast<std::streamsize>(data.size()));
  ASSERT_TRUE(out.good()) << path;
}

// A log written once, kept in memory so each case starts from it.
struct Pristine {
  std::string dir;
  std::map<std::string, std::string> files;  // name -> contents
  std::vector<std::string> segments;         // live segment names, in LSN order
  std::vector<std::string> want;             // want[i] has LSN i + 1

  void Restore() const {
    fs::remove_all(dir);
    fs::create_directories(dir);
    for (const auto& [name, data] : files)
      WriteFile(dir + "/" + name, data);
  }
  // First LSN of segment i.
  Lsn FirstLsn(std::size_t i) const { return *ParseSegmentFileName(segments[i]); }
};

// Appends from one thread in mode batch: every record is acknowledged (and
// durable) before the next is written, so each later frame vouches for it.
Pristine BuildLog(const std::string& dir, std::uint64_t seed, int records) {
  Pristine p;
  p.dir = dir;
  std::mt19937_64 rng(seed);
  WalOptions o;
  o.dir = dir;
  o.segment_bytes = 64 << 10;
  o.report_progress = false;
  {
    auto wal = Wal::Open(
        o, 1, [](const LogRecord&) { return Status::Ok(); }, nullptr);
    EXPECT_TRUE(wal.ok()) << wal.status().ToString();
    if (!wal.ok()) return p;
    for (int i = 0; i < records; ++i) {
      std::size_t len = (i % 17 == 16) ? 6000 + rng() % 6000
                                       : eddy::testing::kMinCheckedPayloadBytes + rng() % 1500;
      p.want.push_back(MakePayload(&rng, i, len));
      Result<Lsn> lsn = (*wal)->Append(kType, AsBytes(p.want.back().data(), len));
      EXPECT_TRUE(lsn.ok() && *lsn == p.want.size()) << lsn.status().ToString();
    }
    EXPECT_TRUE((*wal)->Close().ok());
  }
  for (const auto& entry : fs::directory_iterator(dir)) {
    std::string name = entry.path().filename().string();
    p.files[name] = ReadFile(entry.path().string());
    if (ParseSegmentFileName(name)) p.segments.push_back(name);
  }
  std::sort(p.segments.begin(), p.segments.end());
  return p;
}

struct Outcome {
  Status status;
  std::vector<std::string> payloads;  // payloads[i] came with LSN i + 1 (checked)
  bool consecutive = true;
  RecoveryReport report;
};

Outcome ReadWithReader(const std::string& dir) {
  eddy::testing::WholeLog log = eddy::testing::ReadWholeLog(Env::Default(), dir);
  return {log.status, log.Payloads(), log.Consecutive(), log.report};
}

Outcome ReadWithOpen(const std::string& dir) {
  Outcome out;
  WalOptions o;
  o.dir = dir;
  o.report_progress = false;
  o.segment_bytes = 64 << 10;
  auto wal = Wal::Open(
      o, 1,
      [&](const LogRecord& rec) {
        if (rec.lsn != out.payloads.size() + 1) out.consecutive = false;
        out.payloads.emplace_back(reinterpret_cast<const char*>(rec.payload.data()),
                                  rec.payload.size());
        return Status::Ok();
      },
      &out.report);
  if (!wal.ok()) {
    out.status = wal.status();
    return out;
  }
  out.status = (*wal)->Close();
  return out;
}

// The rules every damaged log must follow. Returns what broke them, or "".
// `damaged` holds the segment names a Corruption message may name.
std::string Violation(const Outcome& out, const Pristine& p,
                      const std::vector<std::string>& damaged) {
  std::ostringstream why;
  if (!out.status.ok() && !out.status.IsCorruption()) {
    why << "status neither OK nor Corruption: " << out.status.ToString();
  } else if (!out.consecutive) {
    why << "LSNs not consecutive from 1";
  } else if (out.payloads.size() > p.want.size()) {
    why << "more records than were written";
  }
  for (std::size_t i = 0; why.tellp() == 0 && i < out.payloads.size(); ++i) {
    if (!CheckedPayloadIsConsistent(out.payloads[i]))
      why << "damaged payload at LSN " << i + 1;
    else if (out.payloads[i] != p.want[i])
      why << "wrong payload at LSN " << i + 1;
  }
  if (why.tellp() != 0) return why.str();
  if (out.status.IsCorruption()) {
    bool named = std::any_of(damaged.begin(), damaged.end(), [&](const std::string& n) {
      return out.status.message().find(n) != std::string::npos;
    });
    if (!named) why << "Corruption does not name the damaged segment: " << out.status.ToString();
  } else if (out.payloads.size() < p.want.size()) {
    if (!out.report.torn_tail || out.report.torn_tail_detail.empty()) {
      why << "silently lost " << p.want.size() - out.payloads.size() << " of " << p.want.size()
          << " records: status OK, torn_tail=" << out.report.torn_tail;
    } else if (out.report.last_lsn != out.payloads.size()) {
      why << "report.last_lsn " << out.report.last_lsn << " but " << out.payloads.size()
          << " records returned";
    }
  }
  return why.str();
}

std::size_t DataEnd(const std::string& segment) {
  std::size_t end = segment.find_last_not_of('\0');
  return end == std::string::npos ? 0 : end + 1;
}

class WalCorruption : public ::testing::Test {
 protected:
  void SetUp() override {
    log_ = BuildLog(tmp_.Sub("wal"), 42, 400);
    ASSERT_EQ(log_.want.size(), 400u);
    ASSERT_GE(log_.segments.size(), 4u) << "want several segments";
  }
  eddy::testing::TempDir tmp_{"corrupt"};
  Pristine log_;
};

TEST_F(WalCorruption, RandomDamageToLastSegmentNeverGoesUnreported) {
  const std::string last = log_.segments.back();
  const std::string path = log_.dir + "/" + last;
  const std::string original = log_.files.at(last);
  const std::size_t end = DataEnd(original);
  ASSERT_GT(end, 64u);  // more than a segment header
  std::mt19937_64 rng(4242);
  // EDDY_CORRUPT_CASE=<n> runs only case n (to reproduce one).
  const char* only = std::getenv("EDDY_CORRUPT_CASE");
  int torn = 0, corrupt = 0, intact = 0;
  std::map<std::string, int> failures_by_kind;
  std::vector<std::string> failures;
  for (int c = 0; c < 150; ++c) {
    std::string damaged = original;
    std::string what, kind;
    switch (c % 3) {
      case 0: {  // one flipped bit, mostly inside the data
        std::size_t at = rng() % (end + 256);
        damaged[at] = static_cast<char>(damaged[at] ^ (1 << (rng() % 8)));
        what = "flip bit at " + std::to_string(at);
        kind = "flip";
        break;
      }
      case 1: {  // a few random bytes
        what = "scribble at";
        for (int k = 0; k < 1 + static_cast<int>(rng() % 4); ++k) {
          std::size_t at = rng() % end;
          damaged[at] = static_cast<char>(rng());
          what += " " + std::to_string(at);
        }
        kind = "scribble";
        break;
      }
      default: {  // the file cut short
        std::size_t at = rng() % (end + 1);
        damaged.resize(at);
        what = "cut at " + std::to_string(at);
        kind = "cut";
        break;
      }
    }
    if (only != nullptr && std::atoi(only) != c) continue;
    log_.Restore();
    WriteFile(path, damaged);
    const bool via_open = c % 2 == 1;
    Outcome out = via_open ? ReadWithOpen(log_.dir) : ReadWithReader(log_.dir);
    std::string problem = Violation(out, log_, {last});
    if (!problem.empty()) {
      ++failures_by_kind[kind];
      failures.push_back("case " + std::to_string(c) + " (" + what + " of " + last +
                         ", data ends at " + std::to_string(end) + ", via " +
                         (via_open ? "Wal::Open" : "LogReader") + "): " + problem);
    } else if (out.status.IsCorruption()) {
      ++corrupt;
    } else if (out.payloads.size() < log_.want.size()) {
      ++torn;
    } else {
      ++intact;
    }
  }
  std::printf("[ corrupt  ] corruption %d, torn tail %d, intact %d, rule broken %zu\n", corrupt,
              torn, intact, failures.size());
  std::ostringstream summary;
  for (const auto& [kind, n] : failures_by_kind)
    summary << kind << ": " << n << " cases; ";
  for (std::size_t i = 0; i < failures.size() && i < 8; ++i)
    summary << "\n  " << failures[i];
  EXPECT_TRUE(failures.empty()) << failures.size() << " damaged logs broke the rules ("
                                << summary.str() << ")";
}

// The log must detect a damaged record that later records vouch for.
TEST_F(WalCorruption, DamagedAcknowledgedRecordInLastSegmentIsCorruption) {
  const std::string last = log_.segments.back();
  const Lsn first = log_.FirstLsn(log_.segments.size() - 1);
  ASSERT_LE(first + 5, log_.want.size()) << "the last segment holds too few records";
  const Lsn victim = first + 1;  // at least 3 acknowledged records follow it
  std::string data = log_.files.at(last);
  std::size_t at = data.find(log_.want[victim - 1]);
  ASSERT_NE(at, std::string::npos);
  data[at + 30] = static_cast<char>(data[at + 30] ^ 0x10);
  log_.Restore();
  WriteFile(log_.dir + "/" + last, data);
  for (bool via_open : {false, true}) {
    SCOPED_TRACE(via_open ? "Wal::Open" : "LogReader");
    Outcome out = via_open ? ReadWithOpen(log_.dir) : ReadWithReader(log_.dir);
    EXPECT_TRUE(out.status.IsCorruption())
        << "status " << out.status.ToString() << ", " << out.payloads.size()
        << " records, torn_tail=" << out.report.torn_tail << " " << out.report.torn_tail_detail;
    EXPECT_EQ(out.payloads.size(), victim - 1);
    EXPECT_EQ(Violation(out, log_, {last}), "");
  }
}

// Parses the number after "offset " in a message, or -1.
long long OffsetIn(const std::string& msg) {
  std::size_t at = msg.find("offset ");
  if (at == std::string::npos) return -1;
  return std::strtoll(msg.c_str() + at + 7, nullptr, 10);
}

TEST_F(WalCorruption, DamageInEarlierSegmentNamesSegmentAndOffset) {
  const std::size_t k = 1;  // not the last segment
  const std::string seg = log_.segments[k];
  const Lsn first = log_.FirstLsn(k);
  const Lsn next = log_.FirstLsn(k + 1);
  ASSERT_GE(next - first, 3u);
  const Lsn victim = first + (next - first) / 2;
  std::string data = log_.files.at(seg);
  const std::size_t at = data.find(log_.want[victim - 1]);
  ASSERT_NE(at, std::string::npos);
  data[at + 20] = static_cast<char>(data[at + 20] ^ 0x01);
  log_.Restore();
  WriteFile(log_.dir + "/" + seg, data);

  Outcome out = ReadWithReader(log_.dir);
  ASSERT_TRUE(out.status.IsCorruption())
      << out.status.ToString() << " after " << out.payloads.size() << " records";
  const std::string& msg = out.status.message();
  EXPECT_NE(msg.find(seg), std::string::npos) << msg;
  long long offset = OffsetIn(msg);
  // The named offset points at the damaged frame: its header sits just before
  // the payload, in the same or the previous block.
  EXPECT_GE(offset, static_cast<long long>(at) - 4096) << msg;
  EXPECT_LE(offset, static_cast<long long>(at + 20)) << msg;
  EXPECT_EQ(out.payloads.size(), victim - 1) << "records before the damage must read back";
  EXPECT_EQ(Violation(out, log_, {seg}), "");

  Outcome opened = ReadWithOpen(log_.dir);
  ASSERT_TRUE(opened.status.IsCorruption()) << opened.status.ToString();
  EXPECT_NE(opened.status.message().find(seg), std::string::npos) << opened.status.ToString();
  EXPECT_GE(OffsetIn(opened.status.message()), 0) << opened.status.ToString();
}

TEST_F(WalCorruption, DamagedHeaderOfEarlierSegmentIsCorruption) {
  const std::string seg = log_.segments[1];
  std::string data = log_.files.at(seg);
  data[0] = static_cast<char>(data[0] ^ 0x20);  // the magic
  log_.Restore();
  WriteFile(log_.dir + "/" + seg, data);
  Outcome out = ReadWithReader(log_.dir);
  ASSERT_TRUE(out.status.IsCorruption()) << out.status.ToString();
  EXPECT_NE(out.status.message().find(seg), std::string::npos) << out.status.ToString();
  EXPECT_EQ(out.payloads.size(), log_.FirstLsn(1) - 1);
}

TEST_F(WalCorruption, MissingMiddleSegmentIsCorruption) {
  log_.Restore();
  fs::remove(log_.dir + "/" + log_.segments[2]);
  Outcome out = ReadWithReader(log_.dir);
  ASSERT_TRUE(out.status.IsCorruption())
      << out.status.ToString() << " after " << out.payloads.size() << " records";
  EXPECT_EQ(out.payloads.size(), log_.FirstLsn(2) - 1);
  // Either neighbour of the hole may be named.
  EXPECT_EQ(Violation(out, log_, {log_.segments[1], log_.segments[3]}), "");
}

TEST_F(WalCorruption, CutLastSegmentAtEveryBlockNeverGoesUnreported) {
  const std::string last = log_.segments.back();
  const std::string original = log_.files.at(last);
  const std::size_t end = DataEnd(original);
  for (std::size_t cut = 0; cut <= end + 4096; cut += 4096) {
    SCOPED_TRACE("cut at " + std::to_string(cut));
    log_.Restore();
    WriteFile(log_.dir + "/" + last, original.substr(0, std::min(cut, original.size())));
    Outcome out = ReadWithReader(log_.dir);
    EXPECT_EQ(Violation(out, log_, {last}), "");
    if (cut >= end) {
      EXPECT_EQ(out.payloads.size(), log_.want.size());
    }
  }
}

// --- Golden cases: hand-built segments, read by LogReader ---------------------
//
// Each case is a small script that lays frames into segments with the format
// encoders (wal/format.h), then states what reading must give. Segments are
// pre-written: zero-filled to 64 KiB unless cut.
//   seg <first_lsn> [salt=N]      start a segment (header at 0, frames at 64)
//   rec <lsn> <durable_lsn> <payload> [salt=N]   a record frame
//   pad                           a padding frame to the end of the block
//   flip <delta>                  flip a bit at byte <delta> of the last frame
//                                 (record or padding; of the header right after seg)
//   cut                           end the file right here (no zero fill)
//   expect records=<n> status=ok|corruption|reported torn=yes|no
// `records=n` means LSNs 1..n come back with the payloads written;
// `status=reported`: either Corruption or OK with a torn tail reported.
constexpr char kGoldenCases[] = R"(
case clean_log
seg 1
rec 1 0 alpha
rec 2 1 bravo
pad
rec 3 2 charlie
pad
expect records=3 status=ok torn=no

case two_segments_continue
seg 1
rec 1 0 alpha
rec 2 1 bravo
pad
seg 3
rec 3 2 charlie
pad
expect records=3 status=ok torn=no

case torn_last_record
seg 1
rec 1 0 alpha
pad
rec 2 1 bravo
flip 42
expect records=1 status=ok torn=yes

case torn_batch_in_flight
seg 1
rec 1 0 alpha
pad
rec 2 1 bravo
flip 42
rec 3 1 charlie
pad
expect records=1 status=ok torn=yes

case damaged_record_vouched_for_later
seg 1
rec 1 0 alpha
pad
rec 2 1 bravo
flip 42
pad
rec 3 2 charlie
pad
expect records=1 status=corruption torn=no

case damaged_frame_in_earlier_segment
seg 1
rec 1 0 alpha
pad
rec 2 1 bravo
flip 42
pad
seg 3
rec 3 1 charlie
pad
expect records=1 status=corruption torn=no

case lsn_gap_between_segments
seg 1
rec 1 0 alpha
rec 2 1 bravo
pad
seg 4
rec 4 3 delta
pad
expect records=2 status=corruption torn=no

case lsn_gap_inside_segment
seg 1
rec 1 0 alpha
pad
rec 3 1 charlie
pad
rec 4 3 delta
pad
expect records=1 status=corruption torn=no

case stale_frames_of_recycled_segment
seg 1 salt=7
rec 1 0 alpha salt=7
pad
rec 2 1 bravo salt=7
pad
rec 9 8 old-life salt=99
pad
rec 10 9 old-life salt=99
expect records=2 status=ok torn=yes

# In practice a recycled file's old frames carry LSNs below the segment's
# first LSN (the writer discards spares when a log starts over at LSN 1):
# those are never mistaken for lost writes. Above, foreign frames naming
# later LSNs are reported, conservatively, as possible lost data.
case stale_frames_with_older_lsns_are_ignored
seg 1 salt=7
rec 1 0 alpha salt=7
pad
rec 2 1 bravo salt=7
pad
rec 1 0 alpha salt=99
pad
rec 2 1 bravo salt=99
expect records=2 status=ok torn=no

# A damaged header takes the salt that vouches for the frames with it; the
# frames cannot be trusted, so they go, but not silently.
case header_damaged_in_last_segment_with_data
seg 1
rec 1 0 alpha
pad
seg 2
flip 0
rec 2 1 bravo
pad
rec 3 2 charlie
pad
expect records=1 status=ok torn=yes

case cut_inside_last_record
seg 1
rec 1 0 alpha
pad
rec 2 1 a-long-payload-cut-off-in-the-middle-by-a-truncation
cut -20
expect records=1 status=ok torn=yes

# The batch before the last one ends in a damaged padding frame, and the last
# record is damaged too: nothing proves it acknowledged, but bytes were lost.
case damaged_padding_then_damaged_last_record
seg 1
rec 1 0 alpha
pad
flip 50
rec 2 1 bravo
flip 42
expect records=1 status=reported

# A file cut at a block boundary leaves no trace of the lost frames in the
# file itself, but the header says how long the segment is.
case cut_at_block_boundary_drops_whole_records
seg 1
rec 1 0 alpha
pad
rec 2 1 bravo
pad
rec 3 2 charlie
pad
cut -4096
expect records=2 status=reported

case cut_after_vouching_record
seg 1
rec 1 0 alpha
pad
rec 2 1 bravo
pad
rec 3 2 charlie
cut -4
expect records=2 status=ok torn=yes
)";

struct GoldenCase {
  std::string name;
  std::vector<std::string> lines;
};
void PrintTo(const GoldenCase& c, std::ostream* os) {
  *os << c.name;
}

std::vector<GoldenCase> ParseGolden() {
  std::vector<GoldenCase> cases;
  std::istringstream in(kGoldenCases);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;  // comments
    if (line.rfind("case ", 0) == 0) {
      cases.push_back({line.substr(5), {}});
    } else if (!cases.empty()) {
      cases.back().lines.push_back(line);
    }
  }
  return cases;
}

std::uint64_t SaltOf(std::istringstream& words, std::uint64_t dflt) {
  std::string w;
  if (words >> w && w.rfind("salt=", 0) == 0) return std::stoull(w.substr(5));
  return dflt;
}

class WalReaderGolden : public ::testing::TestWithParam<GoldenCase> {};

TEST_P(WalReaderGolden, ReadsAsExpected) {
  constexpr std::uint64_t kSegBytes = 64 << 10;
  testing::MemEnv env;
  ASSERT_TRUE(env.CreateDirIfMissing("/g").ok());
  struct Seg {
    std::string name;
    std::string data;
    std::uint64_t pos = 0;
    std::uint64_t salt = 0;
    std::uint64_t last_frame = 0;
    bool cut = false;
  };
  std::vector<Seg> segs;
  std::map<Lsn, std::string> payloads;
  std::size_t want_records = 0;
  std::string want_status, want_torn;
  for (const std::string& line : GetParam().lines) {
    std::istringstream words(line);
    std::string cmd;
    words >> cmd;
    if (cmd == "seg") {
      Lsn first = 0;
      words >> first;
      Seg seg;
      seg.name = SegmentFileName(first);
      seg.salt = SaltOf(words, 1234);
      seg.data.assign(kSegBytes, '\0');
      EncodeSegmentHeader(first, seg.salt, 1, kSegBytes,
                          reinterpret_cast<std::byte*>(seg.data.data()));
      seg.pos = kSegmentHeaderBytes;
      segs.push_back(std::move(seg));
      continue;
    }
    if (cmd == "expect") {
      std::string w;
      while (words >> w) {
        if (w.rfind("records=", 0) == 0) want_records = std::stoul(w.substr(8));
        if (w.rfind("status=", 0) == 0) want_status = w.substr(7);
        if (w.rfind("torn=", 0) == 0) want_torn = w.substr(5);
      }
      continue;
    }
    ASSERT_FALSE(segs.empty()) << line;
    Seg& seg = segs.back();
    auto* base = reinterpret_cast<std::byte*>(seg.data.data());
    if (cmd == "rec") {
      Lsn lsn = 0, durable = 0;
      std::string payload;
      words >> lsn >> durable >> payload;
      std::uint64_t salt = SaltOf(words, seg.salt);
      seg.pos = NextFrameStart(seg.pos);
      EncodeFrame(salt, lsn, 1, durable, kType, AsBytes(payload.data(), payload.size()),
                  base + seg.pos);
      seg.last_frame = seg.pos;
      seg.pos += FrameBytes(payload.size());
      payloads[lsn] = payload;
    } else if (cmd == "pad") {
      std::uint64_t room = kBlockBytes - seg.pos % kBlockBytes;
      if (room != kBlockBytes && room >= kFrameHeaderBytes) {
        EncodePadding(seg.salt, room, base + seg.pos);
        seg.last_frame = seg.pos;
      }
      seg.pos = AlignUp(seg.pos, kBlockBytes);
    } else if (cmd == "flip") {
      std::uint64_t delta = 0;
      words >> delta;
      std::uint64_t at = seg.pos == kSegmentHeaderBytes && delta == 0 ? 0 : seg.last_frame + delta;
      seg.data[at] = static_cast<char>(seg.data[at] ^ 0x04);
    } else if (cmd == "cut") {
      long long back = 0;
      words >> back;
      seg.data.resize(static_cast<std::size_t>(static_cast<long long>(seg.pos) + back));
      seg.cut = true;
    } else {
      FAIL() << "unknown command: " << line;
    }
  }
  for (const Seg& seg : segs)
    ASSERT_TRUE(env.WriteFileForTest("/g/" + seg.name, seg.data).ok());

  auto reader = LogReader::Open(&env, "/g", 1);
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  std::vector<Lsn> got;
  Status status;
  LogRecord rec;
  while (true) {
    Result<bool> more = (*reader)->Next(&rec);
    if (!more.ok()) {
      status = more.status();
      break;
    }
    if (!*more) break;
    got.push_back(rec.lsn);
    EXPECT_EQ(std::string(reinterpret_cast<const char*>(rec.payload.data()), rec.payload.size()),
              payloads[rec.lsn])
        << "lsn " << rec.lsn;
  }
  std::vector<Lsn> want;
  for (Lsn l = 1; l <= want_records; ++l)
    want.push_back(l);
  EXPECT_EQ(got, want);
  if (want_status == "reported") {
    EXPECT_TRUE(status.IsCorruption() || (status.ok() && (*reader)->report().torn_tail))
        << "records dropped without a report; status " << status.ToString();
  } else if (want_status == "ok") {
    EXPECT_TRUE(status.ok()) << status.ToString();
  } else {
    EXPECT_TRUE(status.IsCorruption()) << status.ToString();
  }
  if (status.ok() && want_status != "reported") {
    const RecoveryReport& report = (*reader)->report();
    EXPECT_EQ(report.torn_tail, want_torn == "yes") << report.torn_tail_detail;
    EXPECT_EQ(report.last_lsn, want_records);
  }
}

INSTANTIATE_TEST_SUITE_P(Cases, WalReaderGolden, ::testing::ValuesIn(ParseGolden()),
                         [](const ::testing::TestParamInfo<GoldenCase>& info) {
                           return info.param.name;
                         });

}  // namespace
}  // namespace eddy::wal::wal_corruption_test
