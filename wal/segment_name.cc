#include "wal/segment_name.h"

#include <charconv>
#include <cstdio>

namespace eddy::wal {
namespace {
constexpr std::string_view kPrefix = "wal-";
constexpr std::string_view kSuffix = ".log";
constexpr std::string_view kSparePrefix = "wal-spare-";
constexpr std::string_view kSpareSuffix = ".tmp";
constexpr std::size_t kLsnDigits = 20;
}  // namespace

std::string SegmentFileName(Lsn first_lsn) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "wal-%020llu.log", static_cast<unsigned long long>(first_lsn));
  return buf;
}

std::optional<Lsn> ParseSegmentFileName(std::string_view name) {
  if (name.size() != kPrefix.size() + kLsnDigits + kSuffix.size()) return std::nullopt;
  if (!name.starts_with(kPrefix) || !name.ends_with(kSuffix)) return std::nullopt;
  std::string_view digits = name.substr(kPrefix.size(), kLsnDigits);
  Lsn lsn = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), lsn);
  if (ec != std::errc() || end != digits.data() + digits.size()) return std::nullopt;
  return lsn;
}

std::string SpareFileName(std::uint64_t n) {
  return std::string(kSparePrefix) + std::to_string(n) + std::string(kSpareSuffix);
}

bool IsSpareFileName(std::string_view name) {
  return name.starts_with(kSparePrefix) && name.ends_with(kSpareSuffix);
}

}  // namespace eddy::wal
