// xxHash for every checksum and hash the engine computes (log frames, table
// blocks, stream records, bloom filters, key routing, event IDs), called
// through the library's run-time x86 dispatcher.
//
// Debian's libxxhash builds its plain XXH3 entry points for baseline
// x86-64, where XXH3 runs its scalar loop: 1.4-1.6 µs per 4 KiB block on
// these machines (2.5-2.9 GB/s). The same library exports XXH3_*_dispatch,
// which picks SSE2, AVX2 or AVX-512 when first called: 80-150 ns per block.
// XXH3's digests do not depend on the vector width (tests/common/hash_test.cc
// holds the two to each other), so files written either way read the same.
// xxh_x86dispatch.h, included after xxhash.h, renames the XXH3 calls.
#pragma once

#ifndef XXH_STATIC_LINKING_ONLY
#define XXH_STATIC_LINKING_ONLY  // XXH3_state_t on the stack
#endif
#include <xxhash.h>

#if defined(__x86_64__)
#include <xxh_x86dispatch.h>
#endif
