// WarmPageCache: a mapped table file whose pages left the page cache is
// read back in, and a file that is all there, or not mapped, is left alone.
#include "compaction/page_cache.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "compaction/table_reader.h"
#include "support/temp_dir.h"
#include "tests/compaction/table_test_util.h"

// The file's own namespace: the unity build compiles the files of a test
// folder as one translation unit, where anonymous namespaces are shared.
namespace eddy::compaction::page_cache_test {
namespace {

// Bytes of the file's pages that are in the page cache, seen through a
// mapping of our own.
std::uint64_t ResidentFileBytes(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY);
  if (fd < 0) return 0;
  const off_t bytes = ::lseek(fd, 0, SEEK_END);
  void* map = ::mmap(nullptr, static_cast<std::size_t>(bytes), PROT_READ, MAP_SHARED, fd, 0);
  ::close(fd);
  if (map == MAP_FAILED) return 0;
  const std::uint64_t in =
      ResidentBytes(static_cast<const char*>(map), static_cast<std::uint64_t>(bytes));
  ::munmap(map, static_cast<std::size_t>(bytes));
  return in;
}

// Drops the file's (clean) pages from the page cache.
void Evict(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY);
  ASSERT_GE(fd, 0);
  ::fdatasync(fd);
  ::posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
  ::close(fd);
}

class PageCache : public ::testing::Test {
 protected:
  void SetUp() override {
    TableWriteOptions options;
    options.env = wal::Env::Default();
    options.path = path_;
    Result<TableFileInfo> info =
        testing::WriteModel(options, testing::RandomModel({.entries = 20'000, .seed = 5}));
    ASSERT_TRUE(info.ok()) << info.status().ToString();
    file_bytes_ = info->file_bytes;
  }

  Result<std::unique_ptr<TableReader>> Open(bool map_file) {
    TableReaderOptions options;
    options.env = wal::Env::Default();
    options.path = path_;
    options.file_number = 1;
    options.map_file = map_file;
    return TableReader::Open(options);
  }

  eddy::testing::TempDir dir_{"page-cache"};
  const std::string path_ = dir_.Sub("000001.sst");
  std::uint64_t file_bytes_ = 0;
};

TEST_F(PageCache, AMappedFileOutOfTheCacheIsReadBackIn) {
  Evict(path_);
  auto reader = Open(/*map_file=*/true);
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  const std::uint64_t before = ResidentFileBytes(path_);
  if (before + file_bytes_ / 2 > file_bytes_) {
    GTEST_SKIP() << "this file system kept the pages cached (" << before << " of " << file_bytes_
                 << " bytes)";
  }
  const std::uint64_t asked = (*reader)->WarmPageCache();
  EXPECT_GT(asked, 0u);
  EXPECT_LE(asked, file_bytes_ + 4096);
  // The read-ahead runs in the background; give it a few seconds.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (ResidentFileBytes(path_) < file_bytes_ && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_GE(ResidentFileBytes(path_), file_bytes_);
  // Nothing is missing any more: nothing is asked for.
  EXPECT_EQ((*reader)->WarmPageCache(), 0u);
}

TEST_F(PageCache, AFileReadThroughPreadIsLeftToTheCache) {
  Evict(path_);
  auto reader = Open(/*map_file=*/false);
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  EXPECT_EQ((*reader)->WarmPageCache(), 0u);
}

TEST(PageCacheHint, NothingToWarmIsNotAnError) {
  EXPECT_EQ(WarmPageCache(nullptr, 4096), 0u);
  EXPECT_EQ(ResidentBytes(nullptr, 4096), 0u);
}

}  // namespace
}  // namespace eddy::compaction::page_cache_test
