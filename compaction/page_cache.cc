#include "compaction/page_cache.h"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <vector>

namespace eddy::compaction {
namespace {

// The kernel's estimate of the memory that can be had without swapping
// (free pages plus the page cache it can drop), in bytes; 0 if unknown.
std::uint64_t MemAvailableBytes() {
  std::FILE* f = std::fopen("/proc/meminfo", "r");
  if (f == nullptr) return 0;
  char line[128];
  unsigned long long kib = 0;
  while (std::fgets(line, sizeof line, f) != nullptr) {
    if (std::sscanf(line, "MemAvailable: %llu kB", &kib) == 1) break;
  }
  std::fclose(f);
  return static_cast<std::uint64_t>(kib) * 1024;
}

}  // namespace

std::uint64_t WarmPageCache(const char* base, std::uint64_t bytes) {
  if (base == nullptr || bytes == 0) return 0;
  const std::uint64_t missing = bytes - ResidentBytes(base, bytes);
  if (missing == 0) return 0;
  // Reading in more than half of what memory can hold would push out other
  // files' pages for this one's (a database much larger than memory): then
  // the cache decides.
  if (missing > MemAvailableBytes() / 2) return 0;
  if (::madvise(const_cast<char*>(base), bytes, MADV_WILLNEED) != 0) return 0;
  return missing;
}

std::uint64_t ResidentBytes(const char* base, std::uint64_t bytes) {
  const long page_size = ::sysconf(_SC_PAGESIZE);
  if (base == nullptr || bytes == 0 || page_size <= 0) return 0;
  const std::uint64_t page = static_cast<std::uint64_t>(page_size);
  std::vector<unsigned char> pages((bytes + page - 1) / page);
  if (::mincore(const_cast<char*>(base), bytes, pages.data()) != 0) return 0;
  std::uint64_t resident = 0;
  for (unsigned char p : pages)
    resident += (p & 1) * page;
  return std::min(resident, bytes);
}

}  // namespace eddy::compaction
