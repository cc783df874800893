// Mapping ahead of the producer (StreamSegment::MapAhead) and the
// SegmentTender that does it, and starts write-back, off the producer's path.
#include "shards/segment_tender.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "shards/stream_segment.h"
#include "support/temp_dir.h"
#include "tests/shards/test_records.h"

// The file's own namespace: the unity build compiles the files of a test
// folder as one translation unit, where anonymous namespaces are shared.
namespace eddy::shards::segment_tender_test {
namespace {

using eddy::testing::TempDir;
using testing::MakeRecord;
using testing::SameRecord;
using testing::TestRecord;

constexpr std::uint64_t kCapacity = 8 << 20;
constexpr std::uint64_t kPage = 4096;

std::shared_ptr<StreamSegment> CreateOrDie(const std::string& path) {
  Result<std::shared_ptr<StreamSegment>> segment = StreamSegment::Create(path, kCapacity, 0);
  EXPECT_TRUE(segment.ok()) << segment.status().ToString();
  return segment.ok() ? *segment : nullptr;
}

// Appends records of ~1 KiB until the segment's end passes `bytes`; returns them.
std::vector<TestRecord> FillTo(StreamSegment* segment, std::uint64_t bytes,
                               std::uint64_t* next_sequence) {
  std::vector<TestRecord> written;
  while (segment->end() < bytes) {
    written.push_back(MakeRecord(*next_sequence, *next_sequence, 1000));
    EXPECT_TRUE(segment->Append(written.back().view()));
    ++*next_sequence;
  }
  return written;
}

// Whether the page holding `offset` of the segment file at `path` is mapped
// in this process (the segment's own mapping, found in /proc/self/maps): bit
// 63 of its /proc/self/pagemap entry. Page-cache residency would not do: a
// fault's read-around (read_ahead_kb) fills the cache far ahead of any mapping.
bool PageMapped(const std::string& path, std::uint64_t offset) {
  std::ifstream maps("/proc/self/maps");
  std::string line;
  std::uint64_t start = 0;
  while (std::getline(maps, line)) {
    if (line.size() > path.size() && line.ends_with(path)) {
      start = std::stoull(line.substr(0, line.find('-')), nullptr, 16);
      break;
    }
  }
  EXPECT_NE(start, 0u) << path << " is not mapped";
  if (start == 0) return false;
  const int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
  EXPECT_GE(fd, 0);
  std::uint64_t entry = 0;
  const auto at = static_cast<off_t>((start + offset) / kPage * sizeof entry);
  EXPECT_EQ(pread(fd, &entry, sizeof entry, at), static_cast<ssize_t>(sizeof entry));
  close(fd);
  return (entry >> 63) != 0;
}

TEST(StreamSegmentMapAhead, AnUntendedSegmentKeepsPagesMappedAheadOfItsTailPastTheFirstMiB) {
  // Regression: the producer's second and later madvise calls started at an
  // unaligned address, failed with EINVAL, and left every page after the
  // first MiB to fault in on the producer's path.
  TempDir dir("map-ahead");
  const std::string path = dir.Sub("a.seg");
  std::shared_ptr<StreamSegment> segment = CreateOrDie(path);
  std::uint64_t sequence = 1;
  FillTo(segment.get(), 3 * (1 << 20) + 12345, &sequence);
  EXPECT_TRUE(PageMapped(path, segment->end() + 256 * 1024));
  EXPECT_FALSE(PageMapped(path, segment->end() + 3 * (1 << 20)))
      << "mapped far more than a MiB ahead";
}

TEST(SegmentTender, MapsPagesAheadOfATendedSegmentsTail) {
  TempDir dir("tender");
  const std::string path = dir.Sub("a.seg");
  SegmentTender tender(std::chrono::microseconds(200));
  std::shared_ptr<StreamSegment> segment = CreateOrDie(path);
  tender.Watch(segment);
  std::uint64_t sequence = 1;
  std::vector<TestRecord> written = FillTo(segment.get(), 2 * (1 << 20) + 777, &sequence);
  // The producer of a tended segment maps nothing itself, so a page half a
  // MiB ahead is mapped only once the tender has run.
  const std::uint64_t ahead = segment->end() + 512 * 1024;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!PageMapped(path, ahead) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  EXPECT_TRUE(PageMapped(path, ahead));

  // Tending changes no record: everything reads back, also after a seal and
  // a load from the file.
  ASSERT_TRUE(segment->Seal().ok());
  ASSERT_TRUE(segment->Sync().ok());
  Result<std::shared_ptr<StreamSegment>> loaded =
      StreamSegment::Load(path, StreamSegment::Repair::kNone);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  std::uint64_t at = kSegmentHeaderBytes;
  for (const TestRecord& want : written) {
    ASSERT_LT(at, (*loaded)->end());
    RecordView got;
    at = (*loaded)->ReadAt(at, &got);
    ASSERT_TRUE(SameRecord(got, want));
  }
  EXPECT_EQ(at, (*loaded)->end());
}

TEST(SegmentTender, UnmapsTheWholeMiBsItWritesBackAndTheirRecordsReadTheSame) {
  // Write-back of pages mapped writable flushes the TLB of every CPU per
  // page; TendAhead drops the finished MiBs from the mapping first. Their
  // records must read back unchanged through the same mapping (faulted in
  // again from the page cache) and from the file.
  TempDir dir("tender-unmap");
  const std::string path = dir.Sub("a.seg");
  std::shared_ptr<StreamSegment> segment = CreateOrDie(path);
  segment->set_tended();
  std::uint64_t sequence = 1;
  std::vector<TestRecord> written = FillTo(segment.get(), 2 * (1 << 20) + 777, &sequence);
  ASSERT_TRUE(PageMapped(path, 4 * kPage));
  ASSERT_TRUE(PageMapped(path, (1 << 20) + 4 * kPage));

  segment->TendAhead();
  EXPECT_FALSE(PageMapped(path, 4 * kPage));
  EXPECT_FALSE(PageMapped(path, (1 << 20) + 4 * kPage));
  EXPECT_TRUE(PageMapped(path, segment->end() - 1)) << "the unfinished MiB stays mapped";

  std::uint64_t at = kSegmentHeaderBytes;
  for (const TestRecord& want : written) {
    ASSERT_LT(at, segment->end());
    RecordView got;
    at = segment->ReadAt(at, &got);
    ASSERT_TRUE(SameRecord(got, want)) << "sequence " << want.sequence;
  }
  EXPECT_EQ(at, segment->end());

  // The producer goes on appending after the unmapped range.
  std::vector<TestRecord> more = FillTo(segment.get(), 3 * (1 << 20) + 99, &sequence);
  ASSERT_TRUE(segment->Seal().ok());
  ASSERT_TRUE(segment->Sync().ok());
  written.insert(written.end(), more.begin(), more.end());
  Result<std::shared_ptr<StreamSegment>> loaded =
      StreamSegment::Load(path, StreamSegment::Repair::kNone);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  at = kSegmentHeaderBytes;
  for (const TestRecord& want : written) {
    ASSERT_LT(at, (*loaded)->end());
    RecordView got;
    at = (*loaded)->ReadAt(at, &got);
    ASSERT_TRUE(SameRecord(got, want)) << "sequence " << want.sequence;
  }
  EXPECT_EQ(at, (*loaded)->end());
}

TEST(SegmentTender, LetsGoOfSealedAndDestroyedSegmentsWhileTheProducerAppends) {
  // Segments come and go while the tender runs (ASan and TSan watch this
  // one): sealed ones are dropped, destroyed ones are only weakly held.
  TempDir dir("tender-churn");
  SegmentTender tender(std::chrono::microseconds(50));
  std::uint64_t sequence = 1;
  for (int i = 0; i < 20; ++i) {
    std::shared_ptr<StreamSegment> segment = CreateOrDie(dir.Sub(std::to_string(i) + ".seg"));
    tender.Watch(segment);
    FillTo(segment.get(), (1 << 20) + 4096 * static_cast<std::uint64_t>(i), &sequence);
    if (i % 2 == 0) {
      ASSERT_TRUE(segment->Seal().ok());
      ASSERT_TRUE(segment->Sync().ok());
    }
    if (i % 3 == 0) {
      ASSERT_TRUE(segment->Remove().ok());
    }
    std::this_thread::sleep_for(std::chrono::microseconds(300));
  }
}

}  // namespace
}  // namespace eddy::shards::segment_tender_test
