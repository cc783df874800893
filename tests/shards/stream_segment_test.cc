// StreamSegment through its contract (shards/stream_segment.h): appends and
// reads, Seek over the sparse index, sealing, loading with and without
// repair of a torn tail, TruncateAfter, and a reader racing the producer.
#include "shards/stream_segment.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "support/temp_dir.h"
#include "tests/shards/test_records.h"

// The file's own namespace: the unity build compiles the files of a test
// folder as one translation unit, where anonymous namespaces are shared.
namespace eddy::shards::stream_segment_test {
namespace {

using eddy::testing::TempDir;
using testing::MakeRecord;
using testing::SameRecord;
using testing::Sequences;
using testing::TestRecord;

constexpr std::uint64_t kCapacity = 1 << 20;
constexpr std::uint64_t kBucket = 7'000'000;

std::shared_ptr<StreamSegment> CreateOrDie(const std::string& path,
                                           std::uint64_t capacity = kCapacity,
                                           std::uint64_t bucket = kBucket) {
  Result<std::shared_ptr<StreamSegment>> segment = StreamSegment::Create(path, capacity, bucket);
  EXPECT_TRUE(segment.ok()) << segment.status().ToString();
  return segment.ok() ? *segment : nullptr;
}

// Every record from the start, copied out of the mapping.
std::vector<TestRecord> ReadAll(const StreamSegment& segment) {
  std::vector<TestRecord> out;
  const std::uint64_t end = segment.end();
  for (std::uint64_t at = kSegmentHeaderBytes; at < end;) {
    RecordView r;
    at = segment.ReadAt(at, &r);
    out.push_back(TestRecord::From(r));
  }
  return out;
}

void ExpectRecords(const StreamSegment& segment, const std::vector<TestRecord>& want) {
  std::vector<TestRecord> got = ReadAll(segment);
  ASSERT_EQ(Sequences(got), Sequences(want));
  for (std::size_t i = 0; i < want.size(); ++i) {
    EXPECT_TRUE(SameRecord(got[i].view(), want[i])) << "i=" << i;
  }
}

// Appends records with sequences first, first + step, ... and returns them.
std::vector<TestRecord> AppendRecords(StreamSegment* segment, std::uint64_t first,
                                      std::uint64_t count, std::uint64_t step = 1,
                                      std::size_t image_bytes = 40) {
  std::vector<TestRecord> records;
  for (std::uint64_t i = 0; i < count; ++i) {
    const std::uint64_t sequence = first + i * step;
    records.push_back(MakeRecord(sequence, kBucket + sequence * 10, image_bytes));
    EXPECT_TRUE(segment->Append(records.back().view())) << "sequence " << sequence;
  }
  return records;
}

// Offsets of each record, in order (the model Seek is checked against).
std::vector<std::uint64_t> Offsets(const StreamSegment& segment) {
  std::vector<std::uint64_t> out;
  for (std::uint64_t at = kSegmentHeaderBytes; at < segment.end();) {
    out.push_back(at);
    RecordView r;
    at = segment.ReadAt(at, &r);
  }
  return out;
}

std::uint64_t FileSize(const std::string& path) {
  return std::filesystem::file_size(path);
}

void TruncateFile(const std::string& path, std::uint64_t size) {
  ASSERT_EQ(::truncate(path.c_str(), static_cast<off_t>(size)), 0) << std::strerror(errno);
}

void XorByte(const std::string& path, std::uint64_t offset, unsigned char mask) {
  int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
  ASSERT_GE(fd, 0) << std::strerror(errno);
  unsigned char b = 0;
  ASSERT_EQ(::pread(fd, &b, 1, static_cast<off_t>(offset)), 1);
  b ^= mask;
  ASSERT_EQ(::pwrite(fd, &b, 1, static_cast<off_t>(offset)), 1);
  ::close(fd);
}

void WriteBytes(const std::string& path, std::uint64_t offset, const void* data, std::size_t n) {
  int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
  ASSERT_GE(fd, 0) << std::strerror(errno);
  ASSERT_EQ(::pwrite(fd, data, n, static_cast<off_t>(offset)), static_cast<ssize_t>(n));
  ::close(fd);
}

std::string ReadBytes(const std::string& path, std::uint64_t offset, std::size_t n) {
  std::string out(n, '\0');
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  EXPECT_GE(fd, 0) << std::strerror(errno);
  EXPECT_EQ(::pread(fd, out.data(), n, static_cast<off_t>(offset)), static_cast<ssize_t>(n));
  ::close(fd);
  return out;
}

// ---- Append and read

TEST(StreamSegment, ReadsBackEveryFieldOfAppendedRecords) {
  TempDir dir("segment");
  auto segment = CreateOrDie(dir.Sub("s.seg"));
  ASSERT_NE(segment, nullptr);

  std::vector<TestRecord> want;
  // Every combination of flags, an empty key, empty and binary images.
  for (std::uint64_t i = 0; i < 8; ++i) {
    TestRecord r;
    r.sequence = 100 + i * 3;
    r.time_us = 5'000'000'000ull + i;
    r.event = static_cast<std::uint8_t>(i % 4);
    r.has_new_image = (i & 1) != 0;
    r.has_old_image = (i & 2) != 0;
    r.by_service = (i & 4) != 0;
    r.keys = i == 0 ? std::string() : testing::DerivedBytes(r.sequence, 'k', i * 3);
    if (r.has_new_image) r.new_image = testing::DerivedBytes(r.sequence, 'n', 17 * i);
    if (r.has_old_image) r.old_image = testing::DerivedBytes(r.sequence, 'o', 5 * i + 1);
    want.push_back(r);
  }
  // A present but empty image and a record with NUL bytes everywhere.
  TestRecord empty_image;
  empty_image.sequence = 200;
  empty_image.time_us = 1;
  empty_image.has_new_image = true;
  empty_image.keys = std::string(9, '\0');
  want.push_back(empty_image);

  for (const TestRecord& r : want)
    ASSERT_TRUE(segment->Append(r.view()));

  ExpectRecords(*segment, want);
  EXPECT_EQ(segment->first_sequence(), 100u);
  EXPECT_EQ(segment->last_sequence(), 200u);
  EXPECT_EQ(segment->last_time_us(), 1u);
  EXPECT_EQ(segment->bucket_start_us(), kBucket);
  EXPECT_FALSE(segment->empty());
  EXPECT_FALSE(segment->sealed());
}

TEST(StreamSegment, NewSegmentIsEmpty) {
  TempDir dir("segment");
  auto segment = CreateOrDie(dir.Sub("s.seg"));
  ASSERT_NE(segment, nullptr);
  EXPECT_TRUE(segment->empty());
  EXPECT_EQ(segment->end(), kSegmentHeaderBytes);
  EXPECT_EQ(segment->first_sequence(), 0u);
  EXPECT_EQ(segment->last_sequence(), 0u);
  EXPECT_EQ(segment->Seek(1), segment->end());
  EXPECT_EQ(FileSize(dir.Sub("s.seg")), kCapacity);
}

TEST(StreamSegment, CreateRefusesAnExistingFile) {
  TempDir dir("segment");
  auto segment = CreateOrDie(dir.Sub("s.seg"));
  ASSERT_NE(segment, nullptr);
  Result<std::shared_ptr<StreamSegment>> again = StreamSegment::Create(dir.Sub("s.seg"), 4096, 0);
  EXPECT_FALSE(again.ok());
  EXPECT_TRUE(again.status().IsIOError()) << again.status().ToString();
}

TEST(StreamSegment, ReadAtStepsByRecordFootprint) {
  TempDir dir("segment");
  auto segment = CreateOrDie(dir.Sub("s.seg"));
  ASSERT_NE(segment, nullptr);
  std::vector<TestRecord> records;
  for (std::uint64_t s = 1; s <= 20; ++s)
    records.push_back(MakeRecord(s, s, s));  // every payload length mod 8
  std::uint64_t expected_end = kSegmentHeaderBytes;
  for (const TestRecord& r : records) {
    ASSERT_TRUE(segment->Append(r.view()));
    expected_end += RecordFootprint(r.view());
    EXPECT_EQ(segment->end(), expected_end);
    EXPECT_EQ(RecordFootprint(r.view()) % 8, 0u);
  }
  std::vector<std::uint64_t> offsets = Offsets(*segment);
  ASSERT_EQ(offsets.size(), records.size());
  for (std::size_t i = 0; i < records.size(); ++i) {
    RecordView r;
    EXPECT_EQ(segment->ReadAt(offsets[i], &r) - offsets[i], RecordFootprint(records[i].view()));
  }
}

TEST(StreamSegment, AppendReturnsFalseWhenFull) {
  TempDir dir("segment");
  constexpr std::uint64_t kSmall = 1024;
  auto segment = CreateOrDie(dir.Sub("s.seg"), kSmall);
  ASSERT_NE(segment, nullptr);
  std::vector<TestRecord> appended;
  std::uint64_t sequence = 1;
  while (true) {
    TestRecord r = MakeRecord(sequence, sequence, 50);
    if (!segment->Append(r.view())) break;
    appended.push_back(r);
    ++sequence;
    ASSERT_LT(sequence, 1000u);
  }
  ASSERT_FALSE(appended.empty());
  const std::uint64_t end = segment->end();
  EXPECT_LE(end, kSmall);
  // A refused record changes nothing.
  EXPECT_EQ(segment->last_sequence(), appended.back().sequence);
  ExpectRecords(*segment, appended);

  // A record that exactly fills the rest still goes in; then nothing does.
  const std::uint64_t room = kSmall - end;
  if (room >= kRecordHeaderBytes) {
    TestRecord exact;
    exact.sequence = sequence;
    exact.keys = std::string(room - kRecordHeaderBytes, 'x');
    ASSERT_EQ(RecordFootprint(exact.view()), room);
    EXPECT_TRUE(segment->Append(exact.view()));
    EXPECT_EQ(segment->end(), kSmall);
    appended.push_back(exact);
  }
  TestRecord tiny;
  tiny.sequence = sequence + 1;
  EXPECT_FALSE(segment->Append(tiny.view()));
  ExpectRecords(*segment, appended);
}

TEST(StreamSegment, AppendFillsSegmentExactly) {
  TempDir dir("segment");
  TestRecord r;
  r.sequence = 1;
  r.keys = std::string(100, 'k');  // footprint 40 + 104
  const std::uint64_t capacity = kSegmentHeaderBytes + RecordFootprint(r.view());
  auto segment = CreateOrDie(dir.Sub("s.seg"), capacity);
  ASSERT_NE(segment, nullptr);
  EXPECT_TRUE(segment->Append(r.view()));
  EXPECT_EQ(segment->end(), capacity);
  r.sequence = 2;
  r.keys.clear();
  EXPECT_FALSE(segment->Append(r.view()));
}

// ---- Seek

class StreamSegmentSeek : public ::testing::Test {
 protected:
  void SetUp() override {
    segment_ = CreateOrDie(dir_.Sub("s.seg"));
    ASSERT_NE(segment_, nullptr);
    // Sequences 10, 20, ..., 100.
    records_ = AppendRecords(segment_.get(), 10, 10, 10);
    offsets_ = Offsets(*segment_);
  }

  TempDir dir_{"seek"};
  std::shared_ptr<StreamSegment> segment_;
  std::vector<TestRecord> records_;
  std::vector<std::uint64_t> offsets_;
};

TEST_F(StreamSegmentSeek, BeforeFirstFindsFirstRecord) {
  EXPECT_EQ(segment_->Seek(0), kSegmentHeaderBytes);
  EXPECT_EQ(segment_->Seek(1), kSegmentHeaderBytes);
  EXPECT_EQ(segment_->Seek(9), kSegmentHeaderBytes);
}

TEST_F(StreamSegmentSeek, ExactSequenceFindsThatRecord) {
  for (std::size_t i = 0; i < records_.size(); ++i) {
    EXPECT_EQ(segment_->Seek(records_[i].sequence), offsets_[i]) << records_[i].sequence;
  }
}

TEST_F(StreamSegmentSeek, BetweenSequencesFindsNextRecord) {
  for (std::size_t i = 1; i < records_.size(); ++i) {
    EXPECT_EQ(segment_->Seek(records_[i - 1].sequence + 1), offsets_[i]);
    EXPECT_EQ(segment_->Seek(records_[i].sequence - 1), offsets_[i]);
  }
}

TEST_F(StreamSegmentSeek, PastEndReturnsEnd) {
  EXPECT_EQ(segment_->Seek(101), segment_->end());
  EXPECT_EQ(segment_->Seek(~0ull), segment_->end());
}

// Several hundred KiB of records: Seek goes through the sparse index (an
// entry every 64 KiB) and must agree with a linear scan everywhere,
// including on the records either side of each index entry.
TEST(StreamSegment, SeekAgreesWithLinearScanAcrossManyIndexIntervals) {
  TempDir dir("segment");
  auto segment = CreateOrDie(dir.Sub("s.seg"), 2 << 20);
  ASSERT_NE(segment, nullptr);
  std::vector<TestRecord> records;
  std::uint64_t sequence = 5;
  while (segment->end() < (700u << 10)) {
    records.push_back(MakeRecord(sequence, sequence, 100 + sequence % 300));
    ASSERT_TRUE(segment->Append(records.back().view()));
    sequence += 2 + sequence % 3;  // gaps of 2..4
  }
  std::vector<std::uint64_t> offsets = Offsets(*segment);
  ASSERT_EQ(offsets.size(), records.size());
  ASSERT_GT(records.size(), 1000u);

  auto model = [&](std::uint64_t s) {
    auto it = std::lower_bound(records.begin(), records.end(), s,
                               [](const TestRecord& r, std::uint64_t v) { return r.sequence < v; });
    return it == records.end() ? segment->end() : offsets[it - records.begin()];
  };
  for (std::size_t i = 0; i < records.size(); ++i) {
    const std::uint64_t s = records[i].sequence;
    ASSERT_EQ(segment->Seek(s), offsets[i]) << "exact " << s;
    ASSERT_EQ(segment->Seek(s - 1), model(s - 1)) << "before " << s;
    ASSERT_EQ(segment->Seek(s + 1), model(s + 1)) << "after " << s;
  }
  EXPECT_EQ(segment->Seek(0), kSegmentHeaderBytes);
  EXPECT_EQ(segment->Seek(sequence), segment->end());

  // The same after a Load, which rebuilds the index from the file.
  ASSERT_TRUE(segment->Seal().ok());
  segment.reset();
  Result<std::shared_ptr<StreamSegment>> loaded =
      StreamSegment::Load(dir.Sub("s.seg"), StreamSegment::Repair::kNone);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  for (std::size_t i = 0; i < records.size(); i += 7) {
    const std::uint64_t s = records[i].sequence;
    ASSERT_EQ((*loaded)->Seek(s), offsets[i]) << "exact " << s;
    ASSERT_EQ((*loaded)->Seek(s + 1), model(s + 1)) << "after " << s;
  }
}

// ---- Seal and Load

TEST(StreamSegment, SealCutsFileToUsedSize) {
  TempDir dir("segment");
  auto segment = CreateOrDie(dir.Sub("s.seg"));
  ASSERT_NE(segment, nullptr);
  AppendRecords(segment.get(), 1, 25);
  ASSERT_EQ(FileSize(dir.Sub("s.seg")), kCapacity);
  ASSERT_TRUE(segment->Seal().ok());
  EXPECT_TRUE(segment->sealed());
  EXPECT_EQ(FileSize(dir.Sub("s.seg")), segment->end());
  // Sealing twice is harmless.
  EXPECT_TRUE(segment->Seal().ok());
  EXPECT_EQ(FileSize(dir.Sub("s.seg")), segment->end());
}

TEST(StreamSegment, LoadOfSealedSegmentReadsSameRecords) {
  TempDir dir("segment");
  auto segment = CreateOrDie(dir.Sub("s.seg"), kCapacity, 42);
  ASSERT_NE(segment, nullptr);
  std::vector<TestRecord> want = AppendRecords(segment.get(), 3, 40, 2);
  const std::uint64_t end = segment->end();
  ASSERT_TRUE(segment->Seal().ok());
  segment.reset();

  for (StreamSegment::Repair repair :
       {StreamSegment::Repair::kNone, StreamSegment::Repair::kCutZeroTail,
        StreamSegment::Repair::kCutInvalidTail}) {
    Result<std::shared_ptr<StreamSegment>> loaded = StreamSegment::Load(dir.Sub("s.seg"), repair);
    ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
    ExpectRecords(**loaded, want);
    EXPECT_EQ((*loaded)->end(), end);
    EXPECT_EQ((*loaded)->first_sequence(), 3u);
    EXPECT_EQ((*loaded)->last_sequence(), want.back().sequence);
    EXPECT_EQ((*loaded)->last_time_us(), want.back().time_us);
    EXPECT_EQ((*loaded)->bucket_start_us(), 42u);
    EXPECT_TRUE((*loaded)->sealed());
    EXPECT_EQ(FileSize(dir.Sub("s.seg")), end);
  }
}

TEST(StreamSegment, LoadOfSealedEmptySegmentIsEmpty) {
  TempDir dir("segment");
  auto segment = CreateOrDie(dir.Sub("s.seg"));
  ASSERT_NE(segment, nullptr);
  ASSERT_TRUE(segment->Seal().ok());
  segment.reset();
  EXPECT_EQ(FileSize(dir.Sub("s.seg")), kSegmentHeaderBytes);
  Result<std::shared_ptr<StreamSegment>> loaded =
      StreamSegment::Load(dir.Sub("s.seg"), StreamSegment::Repair::kNone);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_TRUE((*loaded)->empty());
  EXPECT_EQ((*loaded)->first_sequence(), 0u);
  EXPECT_EQ((*loaded)->bucket_start_us(), kBucket);
}

// The producer's state after a crash: the file still has its full capacity,
// zeros after the last record.
TEST(StreamSegment, LoadWithRepairCutsZeroTail) {
  TempDir dir("segment");
  auto segment = CreateOrDie(dir.Sub("s.seg"));
  ASSERT_NE(segment, nullptr);
  std::vector<TestRecord> want = AppendRecords(segment.get(), 1, 30);
  const std::uint64_t end = segment->end();
  segment.reset();  // never sealed
  ASSERT_EQ(FileSize(dir.Sub("s.seg")), kCapacity);

  Result<std::shared_ptr<StreamSegment>> loaded =
      StreamSegment::Load(dir.Sub("s.seg"), StreamSegment::Repair::kCutInvalidTail);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  ExpectRecords(**loaded, want);
  EXPECT_EQ((*loaded)->end(), end);
  EXPECT_EQ(FileSize(dir.Sub("s.seg")), end);
}

TEST(StreamSegment, LoadWithoutRepairRejectsZeroTail) {
  TempDir dir("segment");
  auto segment = CreateOrDie(dir.Sub("s.seg"));
  ASSERT_NE(segment, nullptr);
  AppendRecords(segment.get(), 1, 5);
  segment.reset();
  Result<std::shared_ptr<StreamSegment>> loaded =
      StreamSegment::Load(dir.Sub("s.seg"), StreamSegment::Repair::kNone);
  ASSERT_FALSE(loaded.ok());
  EXPECT_TRUE(loaded.status().IsCorruption()) << loaded.status().ToString();
  EXPECT_EQ(FileSize(dir.Sub("s.seg")), kCapacity);  // not repaired
}

// Builds a sealed segment of `count` records and returns them with offsets.
struct SealedSegment {
  std::vector<TestRecord> records;
  std::vector<std::uint64_t> offsets;
  std::uint64_t end = 0;
};

SealedSegment MakeSealedSegment(const std::string& path, std::uint64_t count, bool seal = true) {
  SealedSegment out;
  auto segment = CreateOrDie(path);
  if (segment == nullptr) return out;
  out.records = AppendRecords(segment.get(), 1, count, 1, 60);
  out.offsets = Offsets(*segment);
  out.end = segment->end();
  if (seal) {
    EXPECT_TRUE(segment->Seal().ok());
  }
  return out;
}

void ExpectPrefixAfterRepair(const std::string& path, const SealedSegment& written,
                             std::size_t kept) {
  Result<std::shared_ptr<StreamSegment>> loaded =
      StreamSegment::Load(path, StreamSegment::Repair::kCutInvalidTail);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  ExpectRecords(**loaded,
                std::vector<TestRecord>(written.records.begin(), written.records.begin() + kept));
  const std::uint64_t cut = kept == written.records.size() ? written.end : written.offsets[kept];
  EXPECT_EQ((*loaded)->end(), cut);
  EXPECT_EQ(FileSize(path), cut);
  EXPECT_EQ((*loaded)->last_sequence(), kept == 0 ? 0 : written.records[kept - 1].sequence);
  // A second load finds the repaired file clean.
  loaded = StreamSegment::Load(path, StreamSegment::Repair::kNone);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ((*loaded)->end(), cut);
}

TEST(StreamSegment, LoadWithRepairDropsRecordTruncatedInItsBody) {
  TempDir dir("segment");
  SealedSegment written = MakeSealedSegment(dir.Sub("s.seg"), 12);
  TruncateFile(dir.Sub("s.seg"), written.offsets.back() + kRecordHeaderBytes + 5);
  ExpectPrefixAfterRepair(dir.Sub("s.seg"), written, 11);
}

TEST(StreamSegment, LoadWithRepairDropsRecordTruncatedInItsHeader) {
  TempDir dir("segment");
  SealedSegment written = MakeSealedSegment(dir.Sub("s.seg"), 12);
  TruncateFile(dir.Sub("s.seg"), written.offsets.back() + 13);
  ExpectPrefixAfterRepair(dir.Sub("s.seg"), written, 11);
}

TEST(StreamSegment, LoadWithRepairDropsRecordMissingItsPadding) {
  TempDir dir("segment");
  SealedSegment written = MakeSealedSegment(dir.Sub("s.seg"), 12);
  TruncateFile(dir.Sub("s.seg"), written.end - 1);
  ExpectPrefixAfterRepair(dir.Sub("s.seg"), written, 11);
}

TEST(StreamSegment, LoadWithRepairDropsLastRecordWithFlippedPayloadByte) {
  TempDir dir("segment");
  SealedSegment written = MakeSealedSegment(dir.Sub("s.seg"), 12);
  XorByte(dir.Sub("s.seg"), written.offsets.back() + kRecordHeaderBytes + 2, 0x10);
  ExpectPrefixAfterRepair(dir.Sub("s.seg"), written, 11);
}

TEST(StreamSegment, LoadWithRepairDropsLastRecordWithFlippedHeaderByte) {
  // Each header field: length, checksum, sequence, time, event, flags, sizes.
  for (std::uint64_t field : {0u, 4u, 8u, 16u, 24u, 25u, 28u, 32u, 36u}) {
    SCOPED_TRACE(field);
    TempDir dir("segment");
    SealedSegment written = MakeSealedSegment(dir.Sub("s.seg"), 12);
    XorByte(dir.Sub("s.seg"), written.offsets.back() + field, 0x01);
    ExpectPrefixAfterRepair(dir.Sub("s.seg"), written, 11);
  }
}

TEST(StreamSegment, LoadWithRepairCutsZeroedTailRecords) {
  TempDir dir("segment");
  SealedSegment written = MakeSealedSegment(dir.Sub("s.seg"), 12, /*seal=*/false);
  // The last three records never reached the disk.
  const std::string zeros(written.end - written.offsets[9], '\0');
  WriteBytes(dir.Sub("s.seg"), written.offsets[9], zeros.data(), zeros.size());
  ExpectPrefixAfterRepair(dir.Sub("s.seg"), written, 9);
}

TEST(StreamSegment, LoadWithRepairKeepsPrefixBeforeCorruptMiddleRecord) {
  TempDir dir("segment");
  SealedSegment written = MakeSealedSegment(dir.Sub("s.seg"), 12);
  XorByte(dir.Sub("s.seg"), written.offsets[5] + kRecordHeaderBytes, 0xff);
  ExpectPrefixAfterRepair(dir.Sub("s.seg"), written, 5);
}

TEST(StreamSegment, LoadWithRepairDropsRecordWhoseSequenceDoesNotIncrease) {
  TempDir dir("segment");
  auto segment = CreateOrDie(dir.Sub("s.seg"));
  ASSERT_NE(segment, nullptr);
  // The segment itself does not police order; Load does.
  std::vector<TestRecord> records = {MakeRecord(10, 1, 8), MakeRecord(20, 2, 8),
                                     MakeRecord(20, 3, 8), MakeRecord(30, 4, 8)};
  for (const TestRecord& r : records)
    ASSERT_TRUE(segment->Append(r.view()));
  ASSERT_TRUE(segment->Seal().ok());
  segment.reset();
  Result<std::shared_ptr<StreamSegment>> strict =
      StreamSegment::Load(dir.Sub("s.seg"), StreamSegment::Repair::kNone);
  EXPECT_TRUE(strict.status().IsCorruption()) << strict.status().ToString();
  Result<std::shared_ptr<StreamSegment>> loaded =
      StreamSegment::Load(dir.Sub("s.seg"), StreamSegment::Repair::kCutInvalidTail);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  ExpectRecords(**loaded, {records[0], records[1]});
}

TEST(StreamSegment, LoadWithoutRepairReportsCorruptMiddleRecord) {
  TempDir dir("segment");
  SealedSegment written = MakeSealedSegment(dir.Sub("s.seg"), 12);
  XorByte(dir.Sub("s.seg"), written.offsets[5] + kRecordHeaderBytes + 1, 0x04);
  const std::string before = ReadBytes(dir.Sub("s.seg"), 0, written.end);
  Result<std::shared_ptr<StreamSegment>> loaded =
      StreamSegment::Load(dir.Sub("s.seg"), StreamSegment::Repair::kNone);
  ASSERT_FALSE(loaded.ok());
  EXPECT_TRUE(loaded.status().IsCorruption()) << loaded.status().ToString();
  // Nothing was cut or rewritten.
  EXPECT_EQ(FileSize(dir.Sub("s.seg")), written.end);
  EXPECT_EQ(ReadBytes(dir.Sub("s.seg"), 0, written.end), before);
}

TEST(StreamSegment, LoadWithoutRepairReportsTornTail) {
  TempDir dir("segment");
  SealedSegment written = MakeSealedSegment(dir.Sub("s.seg"), 12);
  TruncateFile(dir.Sub("s.seg"), written.end - 9);
  Result<std::shared_ptr<StreamSegment>> loaded =
      StreamSegment::Load(dir.Sub("s.seg"), StreamSegment::Repair::kNone);
  ASSERT_FALSE(loaded.ok());
  EXPECT_TRUE(loaded.status().IsCorruption()) << loaded.status().ToString();
  EXPECT_EQ(FileSize(dir.Sub("s.seg")), written.end - 9);
}

TEST(StreamSegment, LoadRejectsBadMagic) {
  TempDir dir("segment");
  MakeSealedSegment(dir.Sub("s.seg"), 3);
  XorByte(dir.Sub("s.seg"), 0, 0x01);
  for (StreamSegment::Repair repair :
       {StreamSegment::Repair::kNone, StreamSegment::Repair::kCutZeroTail,
        StreamSegment::Repair::kCutInvalidTail}) {
    Result<std::shared_ptr<StreamSegment>> loaded = StreamSegment::Load(dir.Sub("s.seg"), repair);
    ASSERT_FALSE(loaded.ok());
    EXPECT_TRUE(loaded.status().IsCorruption()) << loaded.status().ToString();
  }
}

TEST(StreamSegment, LoadRejectsHeaderWithBadChecksum) {
  TempDir dir("segment");
  MakeSealedSegment(dir.Sub("s.seg"), 3);
  XorByte(dir.Sub("s.seg"), 17, 0x01);  // inside bucket_start_us
  for (StreamSegment::Repair repair :
       {StreamSegment::Repair::kNone, StreamSegment::Repair::kCutZeroTail,
        StreamSegment::Repair::kCutInvalidTail}) {
    Result<std::shared_ptr<StreamSegment>> loaded = StreamSegment::Load(dir.Sub("s.seg"), repair);
    ASSERT_FALSE(loaded.ok());
    EXPECT_TRUE(loaded.status().IsCorruption()) << loaded.status().ToString();
  }
}

TEST(StreamSegment, LoadRejectsUnknownVersion) {
  TempDir dir("segment");
  MakeSealedSegment(dir.Sub("s.seg"), 3);
  // A well-formed header of a version this code does not know.
  std::string header = ReadBytes(dir.Sub("s.seg"), 0, kSegmentHeaderBytes);
  const std::uint32_t version = kSegmentFormatVersion + 1;
  std::memcpy(header.data() + 8, &version, sizeof version);
  const std::uint64_t checksum = XXH3_64bits(header.data(), 56);
  std::memcpy(header.data() + 56, &checksum, sizeof checksum);
  WriteBytes(dir.Sub("s.seg"), 0, header.data(), header.size());
  Result<std::shared_ptr<StreamSegment>> loaded =
      StreamSegment::Load(dir.Sub("s.seg"), StreamSegment::Repair::kCutInvalidTail);
  ASSERT_FALSE(loaded.ok());
  EXPECT_TRUE(loaded.status().IsCorruption()) << loaded.status().ToString();
}

TEST(StreamSegment, LoadRejectsFileShorterThanHeader) {
  TempDir dir("segment");
  MakeSealedSegment(dir.Sub("s.seg"), 3);
  TruncateFile(dir.Sub("s.seg"), kSegmentHeaderBytes - 1);
  Result<std::shared_ptr<StreamSegment>> loaded =
      StreamSegment::Load(dir.Sub("s.seg"), StreamSegment::Repair::kCutInvalidTail);
  ASSERT_FALSE(loaded.ok());
  EXPECT_TRUE(loaded.status().IsCorruption()) << loaded.status().ToString();
  TruncateFile(dir.Sub("s.seg"), 0);
  loaded = StreamSegment::Load(dir.Sub("s.seg"), StreamSegment::Repair::kCutInvalidTail);
  ASSERT_FALSE(loaded.ok());
  EXPECT_TRUE(loaded.status().IsCorruption()) << loaded.status().ToString();
}

TEST(StreamSegment, LoadOfMissingFileIsIOError) {
  TempDir dir("segment");
  Result<std::shared_ptr<StreamSegment>> loaded =
      StreamSegment::Load(dir.Sub("nope.seg"), StreamSegment::Repair::kCutInvalidTail);
  ASSERT_FALSE(loaded.ok());
  EXPECT_TRUE(loaded.status().IsIOError()) << loaded.status().ToString();
}

// ---- TruncateAfter, Sync, Remove

TEST(StreamSegment, TruncateAfterDropsLaterRecords) {
  TempDir dir("segment");
  auto segment = CreateOrDie(dir.Sub("s.seg"));
  ASSERT_NE(segment, nullptr);
  std::vector<TestRecord> records = AppendRecords(segment.get(), 2, 30, 2);  // 2, 4, ..., 60
  std::vector<std::uint64_t> offsets = Offsets(*segment);
  ASSERT_TRUE(segment->Seal().ok());

  ASSERT_TRUE(segment->TruncateAfter(21).ok());  // between 20 and 22
  std::vector<TestRecord> kept(records.begin(), records.begin() + 10);
  ExpectRecords(*segment, kept);
  EXPECT_EQ(segment->end(), offsets[10]);
  EXPECT_EQ(segment->first_sequence(), 2u);
  EXPECT_EQ(segment->last_sequence(), 20u);
  EXPECT_EQ(segment->last_time_us(), kept.back().time_us);
  EXPECT_EQ(segment->Seek(21), segment->end());
  EXPECT_EQ(FileSize(dir.Sub("s.seg")), offsets[10]);

  ASSERT_TRUE(segment->TruncateAfter(14).ok());  // exactly a record
  kept.resize(7);
  ExpectRecords(*segment, kept);
  EXPECT_EQ(segment->last_sequence(), 14u);
  segment.reset();

  Result<std::shared_ptr<StreamSegment>> loaded =
      StreamSegment::Load(dir.Sub("s.seg"), StreamSegment::Repair::kNone);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  ExpectRecords(**loaded, kept);
  EXPECT_EQ((*loaded)->last_sequence(), 14u);
}

TEST(StreamSegment, TruncateAfterLastSequenceChangesNothing) {
  TempDir dir("segment");
  auto segment = CreateOrDie(dir.Sub("s.seg"));
  ASSERT_NE(segment, nullptr);
  std::vector<TestRecord> records = AppendRecords(segment.get(), 1, 10);
  ASSERT_TRUE(segment->Seal().ok());
  const std::uint64_t end = segment->end();
  ASSERT_TRUE(segment->TruncateAfter(10).ok());
  ASSERT_TRUE(segment->TruncateAfter(1000).ok());
  ExpectRecords(*segment, records);
  EXPECT_EQ(FileSize(dir.Sub("s.seg")), end);
}

TEST(StreamSegment, TruncateAfterBeforeFirstEmptiesSegment) {
  TempDir dir("segment");
  auto segment = CreateOrDie(dir.Sub("s.seg"));
  ASSERT_NE(segment, nullptr);
  AppendRecords(segment.get(), 5, 10);
  ASSERT_TRUE(segment->Seal().ok());
  ASSERT_TRUE(segment->TruncateAfter(4).ok());
  EXPECT_TRUE(segment->empty());
  EXPECT_EQ(segment->first_sequence(), 0u);
  EXPECT_EQ(segment->last_sequence(), 0u);
  EXPECT_EQ(FileSize(dir.Sub("s.seg")), kSegmentHeaderBytes);
}

TEST(StreamSegment, TruncateAfterWorksOnLoadedSegmentAcrossIndexEntries) {
  TempDir dir("segment");
  auto segment = CreateOrDie(dir.Sub("s.seg"), 2 << 20);
  ASSERT_NE(segment, nullptr);
  std::vector<TestRecord> records = AppendRecords(segment.get(), 1, 2000, 1, 200);  // ~600 KiB
  ASSERT_TRUE(segment->Seal().ok());
  segment.reset();
  Result<std::shared_ptr<StreamSegment>> loaded =
      StreamSegment::Load(dir.Sub("s.seg"), StreamSegment::Repair::kNone);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  ASSERT_TRUE((*loaded)->TruncateAfter(777).ok());
  records.resize(777);
  ExpectRecords(**loaded, records);
  for (std::uint64_t s = 1; s <= 777; s += 13) {
    RecordView r;
    (*loaded)->ReadAt((*loaded)->Seek(s), &r);
    EXPECT_EQ(r.sequence, s);
  }
  EXPECT_EQ((*loaded)->Seek(778), (*loaded)->end());
  loaded->reset();
  Result<std::shared_ptr<StreamSegment>> again =
      StreamSegment::Load(dir.Sub("s.seg"), StreamSegment::Repair::kNone);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ((*again)->last_sequence(), 777u);
}

// A cut segment takes no more records: its file no longer covers the
// mapping, so an append past the cut could only fault.
TEST(StreamSegment, TruncateAfterSealsTheSegment) {
  TempDir dir("segment");
  auto segment = CreateOrDie(dir.Sub("s.seg"));
  ASSERT_NE(segment, nullptr);
  std::vector<TestRecord> records = AppendRecords(segment.get(), 1, 200, 1, 300);
  ASSERT_TRUE(segment->TruncateAfter(5).ok());
  records.resize(5);
  EXPECT_TRUE(segment->sealed());
  TestRecord more = MakeRecord(6, 6, 300);
  EXPECT_FALSE(segment->Append(more.view()));
  ExpectRecords(*segment, records);
  segment.reset();
  Result<std::shared_ptr<StreamSegment>> loaded =
      StreamSegment::Load(dir.Sub("s.seg"), StreamSegment::Repair::kNone);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  ExpectRecords(**loaded, records);
}

TEST(StreamSegment, SyncSucceeds) {
  TempDir dir("segment");
  auto segment = CreateOrDie(dir.Sub("s.seg"));
  ASSERT_NE(segment, nullptr);
  AppendRecords(segment.get(), 1, 10);
  EXPECT_TRUE(segment->Sync().ok());
  ASSERT_TRUE(segment->Seal().ok());
  EXPECT_TRUE(segment->Sync().ok());
}

TEST(StreamSegment, RemoveDeletesFileButHoldersKeepReading) {
  TempDir dir("segment");
  auto segment = CreateOrDie(dir.Sub("s.seg"));
  ASSERT_NE(segment, nullptr);
  std::vector<TestRecord> records = AppendRecords(segment.get(), 1, 10);
  ASSERT_TRUE(segment->Seal().ok());
  ASSERT_TRUE(segment->Remove().ok());
  EXPECT_FALSE(std::filesystem::exists(dir.Sub("s.seg")));
  ExpectRecords(*segment, records);
  // Removing again is not an error.
  EXPECT_TRUE(segment->Remove().ok());
}

// ---- A reader racing the producer

// The producer appends thousands of records of varying size while readers
// follow end(): one walks record by record, one re-finds its place with Seek
// each round. Neither may ever see a record that is torn, out of order or
// skipped; every byte is checked against what its sequence implies.
TEST(StreamSegment, ConcurrentReadersSeeOnlyWholeRecordsInOrder) {
  TempDir dir("segment");
  constexpr std::uint64_t kRecords = 6000;
  auto segment = CreateOrDie(dir.Sub("s.seg"), 8 << 20);
  ASSERT_NE(segment, nullptr);
  auto make = [](std::uint64_t s) { return MakeRecord(s, 1000 + s, 20 + (s * 37) % 400); };

  std::atomic<bool> failed{false};
  auto walker = [&] {
    std::uint64_t at = kSegmentHeaderBytes;
    std::uint64_t next = 1;
    while (next <= kRecords && !failed.load()) {
      const std::uint64_t end = segment->end();
      if (at == end) {
        std::this_thread::yield();
        continue;
      }
      while (at < end) {
        RecordView r;
        at = segment->ReadAt(at, &r);
        ::testing::AssertionResult same = SameRecord(r, make(next));
        if (!same || segment->first_sequence() != 1 || segment->last_sequence() < next) {
          ADD_FAILURE() << "walker at sequence " << next << ": " << same.message();
          failed = true;
          return;
        }
        ++next;
      }
    }
  };
  auto seeker = [&] {
    std::uint64_t next = 1;
    while (next <= kRecords && !failed.load()) {
      // end() first: Seek's "not found" answer is the end it saw, which a
      // later end() may have passed.
      const std::uint64_t end = segment->end();
      const std::uint64_t at = segment->Seek(next);
      if (at >= end) {
        std::this_thread::yield();
        continue;
      }
      RecordView r;
      segment->ReadAt(at, &r);
      ::testing::AssertionResult same = SameRecord(r, make(next));
      if (!same) {
        ADD_FAILURE() << "seeker at sequence " << next << ": " << same.message();
        failed = true;
        return;
      }
      next += 1 + next % 5;
    }
  };
  std::thread walk(walker);
  std::thread seek(seeker);
  for (std::uint64_t s = 1; s <= kRecords && !failed.load(); ++s) {
    TestRecord r = make(s);
    if (!segment->Append(r.view())) {
      ADD_FAILURE() << "segment full at sequence " << s;
      failed = true;
    }
    if (s % 64 == 0) std::this_thread::yield();
  }
  walk.join();
  seek.join();
  EXPECT_FALSE(failed.load());
  EXPECT_GT(segment->end(), 1u << 20);  // several index intervals
}

}  // namespace
}  // namespace eddy::shards::stream_segment_test
