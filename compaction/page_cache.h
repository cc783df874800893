// Bringing a freshly written table file back into the page cache.
//
// Table files are written buffered so that a new file is in the page cache
// when reads look items up in it (docs/sstable_format.md, "I/O choices").
// A large merge undoes part of that: its output's pages are written once,
// so the kernel keeps them on its inactive list, while the inputs' pages,
// read by foreground gets and by the merge itself, sit on the active list;
// when memory runs short the output's own pages go first, and the inputs
// are deleted right after. Measured at 10^7 items of 1 KiB (10 GB, 24 GiB
// of RAM): in two runs of five a third of the merged file was out of the
// page cache when reads began (docs/benchmarks.md, 2026-12-08).
#pragma once

#include <cstdint>

namespace eddy::compaction {

// Counts the pages of the mapping [base, base + bytes) that are not in the
// page cache and, when they fit in half of the memory the kernel says is
// available (MemAvailable: free pages and droppable cache), asks it to read
// them ahead (MADV_WILLNEED; pages already cached are left alone). Returns
// the bytes it asked for: 0 when nothing is missing, when more is missing
// than fits, or when a call fails (it is only a hint). `base` must be
// page-aligned, as a mapping's start is.
std::uint64_t WarmPageCache(const char* base, std::uint64_t bytes);

// Bytes of the mapping [base, base + bytes) whose pages are in the page
// cache (mincore), counted in whole pages and at most `bytes`; 0 if the
// call fails. `base` must be page-aligned.
std::uint64_t ResidentBytes(const char* base, std::uint64_t bytes);

}  // namespace eddy::compaction
