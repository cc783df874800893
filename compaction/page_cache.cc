#include "compaction/page_cache.h"

#include <sys/mman.h>
#include <unistd.h>

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
  const long page_size = ::sysconf(_SC_PAGESIZE);
  if (base == nullptr || bytes == 0 || page_size <= 0) return 0;
  const std::uint64_t page = static_cast<std::uint64_t>(page_size);
  std::vector<unsigned char> resident((bytes + page - 1) / page);
  void* start = const_cast<char*>(base);
  if (::mincore(start, bytes, resident.data()) != 0) return 0;
  std::uint64_t missing = 0;
  for (unsigned char r : resident)
    if ((r & 1) == 0) missing += page;
  if (missing == 0) return 0;
  // Reading in more than half of what memory can hold would push out other
  // files' pages for this one's (a database much larger than memory): then
  // the cache decides.
  if (missing > MemAvailableBytes() / 2) return 0;
  if (::madvise(start, bytes, MADV_WILLNEED) != 0) return 0;
  return missing;
}

}  // namespace eddy::compaction
