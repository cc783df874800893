// The names a stream shows the world — labels, ARNs, shard IDs, sequence
// numbers, event IDs and shard iterators — in DynamoDB Streams' formats
// (facts doc §3.2). Every one is a function of what the log holds, so the
// same log always yields the same names.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "eddy/result.h"
#include "eddy/types.h"

namespace eddy::engine {

// `YYYY-MM-DDThh:mm:ss.fff` (UTC) of `time_us`.
std::string StreamLabel(std::uint64_t time_us);
std::string StreamArn(std::string_view region, std::string_view account,
                      std::string_view table_name, std::string_view label);
// `shardId-<20 digits of creation ms>-<8 hex>`; the hex part hashes the
// stream's identity and the shard's ordinal so IDs never repeat.
std::string ShardId(std::uint64_t created_us, std::string_view stream_key, std::uint32_t ordinal);

// A record's sequence number: its log record's LSN and its place in that
// record's group of changes (a transaction logs up to 100 in one record).
inline constexpr unsigned kSequenceIndexBits = 7;
inline std::uint64_t SequenceOf(Lsn lsn, std::uint32_t index) {
  return (lsn << kSequenceIndexBits) | index;
}
// 32 lowercase hex digits, unique per stream and sequence number.
std::string EventId(std::string_view stream_arn, std::uint64_t sequence);

// What a shard iterator carries. Encoded as `<stream ARN>|1|<hex>`: the hex
// part holds the shard's ordinal, the next sequence number to read, the
// issue time and a checksum over them and the ARN.
struct ShardPosition {
  std::string stream_arn;
  std::uint32_t shard_ordinal = 0;
  std::uint64_t next_sequence = 0;
  std::uint64_t issued_us = 0;
};
std::string EncodeShardIterator(const ShardPosition& position);
// InvalidArgument (DynamoDB's wording) for anything that is not an iterator.
Result<ShardPosition> DecodeShardIterator(std::string_view iterator);

}  // namespace eddy::engine
