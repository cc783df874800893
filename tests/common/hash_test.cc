// common/hash.h routes XXH3 through xxHash's run-time x86 dispatcher. Every
// on-disk checksum depends on the digests staying those of the plain
// (scalar) entry points the files were written with: these are the plain
// functions' digests of a fixed pattern, taken from Debian's libxxhash, at
// the lengths where XXH3 changes code path (0, 1-3, 4-16, 17-128, 129-240,
// long input, one stripe block, past it) and for each call the engine makes.
#include "common/hash.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

// The file's own namespace: the unity build compiles the files of a test
// folder as one translation unit, where anonymous namespaces are shared.
namespace eddy::hash_test {
namespace {

struct Golden {
  std::size_t length;
  std::uint64_t plain;      // XXH3_64bits
  std::uint64_t seeded;     // XXH3_64bits_withSeed(0x9e3779b97f4a7c15)
  std::uint64_t low, high;  // XXH3_128bits
  std::uint64_t streamed;   // reset_withSeed(7), update in 1,000-byte pieces, digest
};

constexpr Golden kGolden[] = {
    {0, 0x2d06800538d394c2ull, 0x602b0e2cd6662c8bull, 0x6001c324468d497full, 0x99aa06d3014798d8ull,
     0x913ae0873e9b7eb8ull},
    {1, 0xc44bdff4074eecdbull, 0x062b185e4e01441aull, 0xc44bdff4074eecdbull, 0xa6cd5e9392000f6aull,
     0x2c45aa60ff5dc0e5ull},
    {3, 0x6811538b444fc6dcull, 0xf4a795d2019d121aull, 0x6811538b444fc6dcull, 0xc925ae1797c3998full,
     0x97c1efa878f94728ull},
    {16, 0x0a0ec5ae8679cb7full, 0x95d332b0c4696f0cull, 0xadebb1d9d080b69cull, 0x248181305d3c1039ull,
     0x24dae1bb8deeed21ull},
    {17, 0x57c52d21ce492c1eull, 0x7f95c4dd352ada88ull, 0xcfea252f6b7ed7e9ull, 0x825a0db7d0afe2c0ull,
     0x8afe54c90b82a245ull},
    {128, 0x696069c4f1e6a91aull, 0x4ecdfd294e836728ull, 0x5cfea347ea4bb687ull,
     0x08df79f520370b52ull, 0xe6990f3e1820ac72ull},
    {129, 0x34dfc256c90565f6ull, 0x768e8c6cf04bf2c6ull, 0x75f3ef9c8cc6bf42ull,
     0xbff3391f3ae72593ull, 0xd8c68b2661f04c3aull},
    {240, 0x64506894a1a6f809ull, 0x313da4cdf0d77b8full, 0xd755c23217420e58ull,
     0xb6f7bd89b91e21afull, 0x262bab8faac9b252ull},
    {241, 0x56a00f05e5bc379full, 0x70003d0d5583d576ull, 0x56a00f05e5bc379full,
     0xc6eff592faaef7bbull, 0xb3cebad24c9732e0ull},
    {1024, 0x4cfaafe894a89d23ull, 0xc7afd246ab033836ull, 0x4cfaafe894a89d23ull,
     0xc020fec37588bdc6ull, 0x2e6f646839025a70ull},
    {4096, 0xb1d101cdbe66c94dull, 0x9b1ec44b3c8412c0ull, 0xb1d101cdbe66c94dull,
     0xa77ced3362ff73b9ull, 0xd72f0324a5b45134ull},
    {4097, 0x24d99d4ae0cc6c61ull, 0xd7d3b0daced187beull, 0x24d99d4ae0cc6c61ull,
     0x4f58514cc0731f38ull, 0x967cc20bc01d0f7cull},
    {100000, 0x45f0da7a5698d41bull, 0x945ffd7e44522241ull, 0x45f0da7a5698d41bull,
     0x0a61fd0e50b54e20ull, 0x8320263a57ac3879ull},
};

std::vector<unsigned char> Pattern() {
  std::vector<unsigned char> bytes(100000);
  for (std::size_t i = 0; i < bytes.size(); ++i)
    bytes[i] = static_cast<unsigned char>(i * 131 + (i >> 7));
  return bytes;
}

TEST(Hash, DigestsAreThoseOfThePlainEntryPoints) {
  const std::vector<unsigned char> bytes = Pattern();
  for (const Golden& g : kGolden) {
    SCOPED_TRACE(g.length);
    EXPECT_EQ(XXH3_64bits(bytes.data(), g.length), g.plain);
    EXPECT_EQ(XXH3_64bits_withSeed(bytes.data(), g.length, 0x9e3779b97f4a7c15ull), g.seeded);
    const XXH128_hash_t wide = XXH3_128bits(bytes.data(), g.length);
    EXPECT_EQ(wide.low64, g.low);
    EXPECT_EQ(wide.high64, g.high);
    XXH3_state_t state;
    XXH3_64bits_reset_withSeed(&state, 7);
    for (std::size_t off = 0; off < g.length; off += 1000)
      XXH3_64bits_update(&state, bytes.data() + off, std::min<std::size_t>(1000, g.length - off));
    EXPECT_EQ(XXH3_64bits_digest(&state), g.streamed);
  }
}

}  // namespace
}  // namespace eddy::hash_test
