// The names every stream record carries (engine/streams/stream_names.h):
// sequence numbers in DynamoDB's 21-digit form, and event IDs that are a
// fixed function of the stream's ARN and the sequence number, so a reopened
// database gives every record the eventID it had before.
#include "engine/streams/stream_names.h"

#define XXH_STATIC_LINKING_ONLY
#include <gtest/gtest.h>
#include <xxhash.h>

#include <cstdint>
#include <cstdio>
#include <limits>
#include <set>
#include <string>

#include "eddy/stream.h"

// The file's own namespace: the unity build compiles the files of a test
// folder as one translation unit, where anonymous namespaces are shared.
namespace eddy::engine::stream_names_test {
namespace {

// The event ID's definition, written out with XXH3's streaming API: the
// 128-bit hash of the ARN's bytes followed by the sequence's 8 bytes (host
// order), as 32 lowercase hex digits of its canonical (big-endian) form.
std::string ReferenceEventId(std::string_view arn, std::uint64_t sequence) {
  XXH3_state_t state;
  XXH3_128bits_reset(&state);
  XXH3_128bits_update(&state, arn.data(), arn.size());
  XXH3_128bits_update(&state, &sequence, sizeof sequence);
  XXH128_canonical_t canonical;
  XXH128_canonicalFromHash(&canonical, XXH3_128bits_digest(&state));
  std::string hex;
  for (unsigned char byte : canonical.digest) {
    char two[3];
    std::snprintf(two, sizeof two, "%02x", byte);
    hex += two;
  }
  return hex;
}

TEST(StreamNames, SequenceNumbersAreTwentyOneDigitsZeroPadded) {
  EXPECT_EQ(FormatSequenceNumber(0), "000000000000000000000");
  EXPECT_EQ(FormatSequenceNumber(1), "000000000000000000001");
  EXPECT_EQ(FormatSequenceNumber(SequenceOf(12345, 3)), "000000000000001580163");
  const std::uint64_t max = std::numeric_limits<std::uint64_t>::max();
  EXPECT_EQ(FormatSequenceNumber(max), "018446744073709551615");
  for (std::uint64_t v : {std::uint64_t{0}, std::uint64_t{7}, std::uint64_t{1} << 40, max}) {
    EXPECT_EQ(ParseSequenceNumber(FormatSequenceNumber(v)), v);
  }
}

TEST(StreamNames, EventIdsFollowTheirDefinitionForShortAndLongArns) {
  const std::string arn =
      StreamArn("us-east-1", "000000000000", "Music", StreamLabel(1700000000123456));
  // A table name may have 255 characters: such an ARN is hashed through the
  // streaming API rather than the one-shot buffer.
  const std::string long_arn =
      StreamArn("us-east-1", "000000000000", std::string(255, 't') + std::string(300, 'u'),
                StreamLabel(1700000000123456));
  for (const std::string* a : {&arn, &long_arn}) {
    for (std::uint64_t sequence : {std::uint64_t{0}, SequenceOf(1, 0), SequenceOf(99999, 42)}) {
      const std::string id = EventId(*a, sequence);
      EXPECT_EQ(id, ReferenceEventId(*a, sequence));
      ASSERT_EQ(id.size(), 32u);
      EXPECT_EQ(id.find_first_not_of("0123456789abcdef"), std::string::npos) << id;
    }
  }
}

TEST(StreamNames, EventIdsDifferAcrossSequencesAndStreams) {
  const std::string a = StreamArn("us-east-1", "000000000000", "T", StreamLabel(1));
  const std::string b = StreamArn("us-east-1", "000000000000", "T", StreamLabel(2000));
  std::set<std::string> ids;
  for (std::uint64_t lsn = 1; lsn <= 500; ++lsn) {
    ids.insert(EventId(a, SequenceOf(lsn, 0)));
    ids.insert(EventId(b, SequenceOf(lsn, 0)));
  }
  EXPECT_EQ(ids.size(), 1000u);
}

}  // namespace
}  // namespace eddy::engine::stream_names_test
