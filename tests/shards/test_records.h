// Stream records for the shards tests: owned bytes behind a RecordView, with
// every byte derived from the sequence number, so a reader can check a record
// it finds (whole, not torn, the right one) without a copy of what was written.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "shards/stream_segment.h"

namespace eddy::shards::testing {

// `len` bytes that depend on the sequence, the part (`tag`) and the position.
inline std::string DerivedBytes(std::uint64_t sequence, char tag, std::size_t len) {
  std::string out(len, '\0');
  std::uint64_t x = sequence * 0x9E3779B97F4A7C15ull + static_cast<std::uint8_t>(tag);
  for (std::size_t i = 0; i < len; ++i) {
    x ^= x >> 29;
    x *= 0xBF58476D1CE4E5B9ull;
    x += i;
    out[i] = static_cast<char>(x >> 56);
  }
  return out;
}

// A record and the bytes its view points at. Copying is fine: view() is built
// on demand from this object's own strings.
struct TestRecord {
  std::uint64_t sequence = 0;
  std::uint64_t time_us = 0;
  std::uint8_t event = 0;
  bool by_service = false;
  bool has_new_image = false;
  bool has_old_image = false;
  std::string keys;
  std::string new_image;
  std::string old_image;

  RecordView view() const {
    RecordView v;
    v.sequence = sequence;
    v.time_us = time_us;
    v.event = event;
    v.by_service = by_service;
    v.has_new_image = has_new_image;
    v.has_old_image = has_old_image;
    v.keys = keys;
    v.new_image = new_image;
    v.old_image = old_image;
    return v;
  }

  static TestRecord From(const RecordView& v) {
    TestRecord r;
    r.sequence = v.sequence;
    r.time_us = v.time_us;
    r.event = v.event;
    r.by_service = v.by_service;
    r.has_new_image = v.has_new_image;
    r.has_old_image = v.has_old_image;
    r.keys = std::string(v.keys);
    r.new_image = std::string(v.new_image);
    r.old_image = std::string(v.old_image);
    return r;
  }
};

// A record whose every field follows from its arguments: the flags and the
// event cycle with the sequence, the new image has `image_bytes` bytes and
// the old image (every third record) half that.
inline TestRecord MakeRecord(std::uint64_t sequence, std::uint64_t time_us,
                             std::size_t image_bytes) {
  TestRecord r;
  r.sequence = sequence;
  r.time_us = time_us;
  r.event = static_cast<std::uint8_t>(1 + sequence % 3);
  r.by_service = sequence % 4 == 0;
  r.keys = DerivedBytes(sequence, 'k', 5 + sequence % 7);
  r.has_new_image = sequence % 5 != 1;
  if (r.has_new_image) r.new_image = DerivedBytes(sequence, 'n', image_bytes);
  r.has_old_image = sequence % 3 == 0;
  if (r.has_old_image) r.old_image = DerivedBytes(sequence, 'o', image_bytes / 2);
  return r;
}

inline ::testing::AssertionResult SameRecord(const RecordView& got, const TestRecord& want) {
  auto fail = [&](const char* field) {
    return ::testing::AssertionFailure()
           << "record " << got.sequence << " (want " << want.sequence << ") differs in " << field;
  };
  if (got.sequence != want.sequence) return fail("sequence");
  if (got.time_us != want.time_us) return fail("time_us");
  if (got.event != want.event) return fail("event");
  if (got.by_service != want.by_service) return fail("by_service");
  if (got.has_new_image != want.has_new_image) return fail("has_new_image");
  if (got.has_old_image != want.has_old_image) return fail("has_old_image");
  if (got.keys != want.keys) return fail("keys");
  if (got.new_image != want.new_image) return fail("new_image");
  if (got.old_image != want.old_image) return fail("old_image");
  return ::testing::AssertionSuccess();
}

inline std::vector<std::uint64_t> Sequences(const std::vector<TestRecord>& records) {
  std::vector<std::uint64_t> out;
  for (const TestRecord& r : records)
    out.push_back(r.sequence);
  return out;
}

}  // namespace eddy::shards::testing
