// Streams: the change records of a table, read through shards and shard
// iterators exactly as DynamoDB Streams clients read them.
//
// Contract
// - Every write that changes an item of a table with an enabled stream
//   becomes exactly one StreamRecord, in one shard chosen by a hash of the
//   partition key; records of one item keep their order within its shard
//   lineage. No-op writes and failed conditions produce nothing.
// - A record is visible to readers before its write is acknowledged.
// - Records expire by whole segments once older than the retention period
//   (Options::stream_retention_s); a position before the oldest record left
//   is TrimmedDataAccess.
// - Shards close (rollover, split, stream disabled) with an ending sequence
//   number; children name their parent. Read a parent to its end before its
//   children to see each record once, in order.
// - Sequence numbers are decimal strings of 21 digits that increase within a
//   shard lineage; event IDs are 32 lowercase hex digits. Both are derived
//   from the log, so they are identical after a restart.
//
// Errors: NotFound (no such stream or shard), InvalidArgument (malformed
// ARN, iterator, sequence number, limit), TrimmedDataAccess, ExpiredIterator.
// Thread-safety: all Db stream calls may run concurrently with writes and
// with each other; readers never block the writer.
#pragma once

#include <chrono>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "eddy/item.h"
#include "eddy/result.h"
#include "eddy/table.h"

namespace eddy {

enum class ChangeType : std::uint8_t;  // eddy/db.h

enum class StreamStatus : std::uint8_t { kEnabling, kEnabled, kDisabling, kDisabled };
std::string_view StreamStatusName(StreamStatus status);  // "ENABLED", ...

enum class ShardIteratorType : std::uint8_t {
  kTrimHorizon,
  kLatest,
  kAtSequenceNumber,
  kAfterSequenceNumber,
};
std::optional<ShardIteratorType> ParseShardIteratorType(std::string_view name);

struct StreamSummary {
  std::string stream_arn;
  std::string table_name;
  std::string stream_label;
};

struct ListStreamsRequest {
  std::string table_name;     // empty: every table
  std::uint32_t limit = 100;  // 1..100
  std::string exclusive_start_stream_arn;
};

struct ListStreamsResult {
  std::vector<StreamSummary> streams;
  std::string last_evaluated_stream_arn;  // empty on the last page
};

struct ShardDescription {
  std::string shard_id;
  std::string parent_shard_id;  // empty: no parent
  std::string starting_sequence_number;
  std::string ending_sequence_number;  // empty: the shard is open
};

struct DescribeStreamRequest {
  std::string stream_arn;
  std::uint32_t limit = 100;  // 1..100 shards
  std::string exclusive_start_shard_id;
  std::string children_of_shard_id;  // ShardFilter CHILD_SHARDS
};

struct StreamDescription {
  std::string stream_arn;
  std::string stream_label;
  StreamStatus status = StreamStatus::kEnabled;
  StreamViewType view_type = StreamViewType::kNewAndOldImages;
  std::uint64_t creation_time_us = 0;
  std::string table_name;
  KeySchema key_schema;
  std::vector<ShardDescription> shards;
  std::string last_evaluated_shard_id;  // empty on the last page
};

struct GetShardIteratorRequest {
  std::string stream_arn;
  std::string shard_id;
  ShardIteratorType type = ShardIteratorType::kTrimHorizon;
  std::string sequence_number;  // AT_ and AFTER_SEQUENCE_NUMBER only
};

struct StreamRecord {
  std::string event_id;  // 32 lowercase hex digits
  ChangeType event_name;
  std::string aws_region;
  std::uint64_t approximate_creation_time_us = 0;  // when the change was logged
  Item keys;
  std::optional<Item> new_image;
  std::optional<Item> old_image;
  std::string sequence_number;
  std::uint64_t size_bytes = 0;  // DynamoDB's SizeBytes: keys plus the images carried
  StreamViewType view_type = StreamViewType::kNewAndOldImages;
  bool by_service = false;  // a delete made by the engine itself (userIdentity Service)

  friend bool operator==(const StreamRecord&, const StreamRecord&) = default;
};

// GetRecords returns at most this many records, and at most
// kMaxGetRecordsBytes of them (DynamoDB's 1000 and 1 MB).
inline constexpr std::uint32_t kMaxGetRecordsLimit = 1000;
inline constexpr std::uint64_t kMaxGetRecordsBytes = 1u << 20;

// The records of one GetRecords page, read-only. A shard's records are
// decoded once and shared by every reader that asks for them (sixteen
// readers of one shard cost the writer one decoding, not sixteen), so the
// page holds references to them and keeps them alive as long as it lives.
// Copy a record to keep it past the page or to change it.
class StreamRecordPage {
 public:
  class const_iterator {
   public:
    using iterator_category = std::random_access_iterator_tag;
    using value_type = StreamRecord;
    using difference_type = std::ptrdiff_t;
    using pointer = const StreamRecord*;
    using reference = const StreamRecord&;

    const_iterator() = default;
    reference operator*() const { return **at_; }
    pointer operator->() const { return *at_; }
    reference operator[](difference_type n) const { return *at_[n]; }
    const_iterator& operator++() {
      ++at_;
      return *this;
    }
    const_iterator operator++(int) {
      const_iterator old = *this;
      ++at_;
      return old;
    }
    const_iterator& operator--() {
      --at_;
      return *this;
    }
    const_iterator operator--(int) {
      const_iterator old = *this;
      --at_;
      return old;
    }
    const_iterator& operator+=(difference_type n) {
      at_ += n;
      return *this;
    }
    const_iterator& operator-=(difference_type n) {
      at_ -= n;
      return *this;
    }
    friend const_iterator operator+(const_iterator i, difference_type n) { return i += n; }
    friend const_iterator operator+(difference_type n, const_iterator i) { return i += n; }
    friend const_iterator operator-(const_iterator i, difference_type n) { return i -= n; }
    friend difference_type operator-(const_iterator a, const_iterator b) { return a.at_ - b.at_; }
    friend auto operator<=>(const const_iterator&, const const_iterator&) = default;

   private:
    friend class StreamRecordPage;
    explicit const_iterator(const StreamRecord* const* at) : at_(at) {}
    const StreamRecord* const* at_ = nullptr;
  };

  StreamRecordPage() = default;

  std::size_t size() const { return records_.size(); }
  bool empty() const { return records_.empty(); }
  const StreamRecord& operator[](std::size_t i) const { return *records_[i]; }
  const StreamRecord& front() const { return *records_.front(); }
  const StreamRecord& back() const { return *records_.back(); }
  const_iterator begin() const { return const_iterator(records_.data()); }
  const_iterator end() const { return const_iterator(records_.data() + records_.size()); }

  // Appends `count` records starting at `first`, which `owner` keeps alive.
  // (The engine builds pages; readers only read them.)
  void Append(std::shared_ptr<const void> owner, const StreamRecord* first, std::size_t count) {
    if (count == 0) return;
    if (owners_.empty() || owners_.back() != owner) owners_.push_back(std::move(owner));
    const std::size_t at = records_.size();
    records_.resize(at + count);
    for (std::size_t i = 0; i < count; ++i)
      records_[at + i] = first + i;
  }

 private:
  std::vector<const StreamRecord*> records_;
  std::vector<std::shared_ptr<const void>> owners_;
};

struct GetRecordsResult {
  StreamRecordPage records;
  // Empty once a closed shard has been read to its end.
  std::string next_shard_iterator;
};

// A record as an embedded reader sees it, without decoding: views into the
// stream segment, valid only during the visit. Decode them with
// DecodeKey (eddy/item.h, with the stream's key schema) and DecodeItem, or
// hand the view to ShardReader::Decode.
struct StreamRecordView {
  std::uint64_t sequence = 0;  // FormatSequenceNumber gives DynamoDB's string
  ChangeType event_name;
  std::uint64_t time_us = 0;
  bool by_service = false;
  std::string_view keys;  // the encoded key (EncodeKey)
  bool has_new_image = false;
  bool has_old_image = false;
  std::string_view new_image;  // canonical item encodings (docs/item_format.md)
  std::string_view old_image;
};

// A reader that keeps its place in one shard: the fast path for embedded
// change-data-capture. Reading takes no lock and copies nothing while the
// reader stays in one segment. One thread at a time per reader; any number
// of readers per shard.
class ShardReader {
 public:
  virtual ~ShardReader() = default;
  // Visits up to `limit` records from the reader's position and moves past
  // them; returns how many. TrimmedDataAccess when the position expired.
  virtual Result<std::size_t> Read(std::size_t limit,
                                   const std::function<void(const StreamRecordView&)>& visit) = 0;
  // Waits until Read has something (or the shard ended) or `timeout` passes.
  virtual bool Wait(std::chrono::microseconds timeout) = 0;
  // True once the shard is closed and every record was read.
  virtual bool ended() const = 0;
  // The position as a shard iterator (for GetRecords, or to reopen later).
  virtual std::string shard_iterator() const = 0;
  // The view as a full StreamRecord (decoded items, DynamoDB's strings).
  virtual StreamRecord Decode(const StreamRecordView& view) const = 0;
};

// A sequence number as DynamoDB Streams prints it: 21 decimal digits.
std::string FormatSequenceNumber(std::uint64_t sequence);
std::optional<std::uint64_t> ParseSequenceNumber(std::string_view text);

}  // namespace eddy
