#include "wal/segment_name.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

// The file's own namespace: the unity build compiles the files of a test
// folder as one translation unit, where anonymous namespaces are shared.
namespace eddy::wal::segment_name_test {
namespace {

TEST(WalSegmentName, SortsInLsnOrder) {
  std::mt19937_64 rng(7);
  std::vector<Lsn> lsns = {1, 9, 10, 11, 99, 100, 12345, 1ull << 40, ~0ull};
  for (int i = 0; i < 200; ++i)
    lsns.push_back(rng() >> (rng() % 64));
  std::vector<std::string> names;
  for (Lsn lsn : lsns)
    names.push_back(SegmentFileName(lsn));
  std::sort(lsns.begin(), lsns.end());
  std::sort(names.begin(), names.end());
  for (std::size_t i = 0; i < lsns.size(); ++i) {
    EXPECT_EQ(names[i], SegmentFileName(lsns[i])) << "i=" << i;
  }
}

TEST(WalSegmentName, HasDocumentedShape) {
  EXPECT_EQ(SegmentFileName(1), "wal-00000000000000000001.log");
  EXPECT_EQ(SegmentFileName(~0ull), "wal-18446744073709551615.log");
}

TEST(WalSegmentName, ParseRoundTrips) {
  std::mt19937_64 rng(11);
  std::vector<Lsn> lsns = {0, 1, 2, 1000, ~0ull, ~0ull - 1};
  for (int i = 0; i < 100; ++i)
    lsns.push_back(rng());
  for (Lsn lsn : lsns) {
    std::optional<Lsn> parsed = ParseSegmentFileName(SegmentFileName(lsn));
    ASSERT_TRUE(parsed.has_value()) << lsn;
    EXPECT_EQ(*parsed, lsn);
  }
}

TEST(WalSegmentName, RejectsJunk) {
  const char* junk[] = {
      "",
      "wal-",
      "wal-.log",
      "wal-1.log",                      // too few digits
      "wal-000000000000000000001.log",  // too many digits
      "wal-0000000000000000000x.log",   // not a digit
      "wal-+0000000000000000001.log",   // sign
      "wal- 0000000000000000001.log",   // space
      "wal-00000000000000000001.lo",    // suffix
      "wal-00000000000000000001.log.tmp",
      "xal-00000000000000000001.log",
      "WAL-00000000000000000001.log",
      "wal-99999999999999999999.log",  // overflows 64 bits
      "wal-spare-1.tmp",
      "00000000000000000001",
      ".wal-0000000000000000001.log",
  };
  for (const char* name : junk) {
    EXPECT_FALSE(ParseSegmentFileName(name).has_value()) << '"' << name << '"';
  }
}

TEST(WalSegmentName, SpareNamesAreNotSegments) {
  for (std::uint64_t n : {0ull, 1ull, 42ull, ~0ull}) {
    std::string spare = SpareFileName(n);
    EXPECT_TRUE(IsSpareFileName(spare)) << spare;
    EXPECT_FALSE(ParseSegmentFileName(spare).has_value()) << spare;
  }
  EXPECT_NE(SpareFileName(1), SpareFileName(2));
  EXPECT_FALSE(IsSpareFileName(SegmentFileName(1)));
}

}  // namespace
}  // namespace eddy::wal::segment_name_test
