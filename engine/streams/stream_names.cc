#include "engine/streams/stream_names.h"

// The streaming (state) API is in the static-linking part of the header.

#include <cstdio>
#include <cstring>
#include <ctime>

#include "common/hash.h"
#include "eddy/stream.h"

namespace eddy {

std::string FormatSequenceNumber(std::uint64_t sequence) {
  // 21 digits, zero-padded (a 64-bit value has at most 20). Every
  // GetRecords record carries one, so no printf.
  std::string out(21, '0');
  for (std::size_t i = out.size(); sequence != 0; sequence /= 10)
    out[--i] = static_cast<char>('0' + sequence % 10);
  return out;
}

std::optional<std::uint64_t> ParseSequenceNumber(std::string_view text) {
  // DynamoDB's model allows 21 to 40 digits; ours fit 64 bits.
  if (text.size() < 21 || text.size() > 40) return std::nullopt;
  std::uint64_t v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    const std::uint64_t digit = static_cast<std::uint64_t>(c - '0');
    if (v > (UINT64_MAX - digit) / 10) return std::nullopt;
    v = v * 10 + digit;
  }
  return v;
}

std::string_view StreamStatusName(StreamStatus status) {
  switch (status) {
    case StreamStatus::kEnabling:
      return "ENABLING";
    case StreamStatus::kEnabled:
      return "ENABLED";
    case StreamStatus::kDisabling:
      return "DISABLING";
    case StreamStatus::kDisabled:
      return "DISABLED";
  }
  return "DISABLED";
}

std::optional<ShardIteratorType> ParseShardIteratorType(std::string_view name) {
  if (name == "TRIM_HORIZON") return ShardIteratorType::kTrimHorizon;
  if (name == "LATEST") return ShardIteratorType::kLatest;
  if (name == "AT_SEQUENCE_NUMBER") return ShardIteratorType::kAtSequenceNumber;
  if (name == "AFTER_SEQUENCE_NUMBER") return ShardIteratorType::kAfterSequenceNumber;
  return std::nullopt;
}

namespace engine {
namespace {

constexpr char kHex[] = "0123456789abcdef";

void AppendHex(const void* data, std::size_t n, std::string* out) {
  const auto* p = static_cast<const unsigned char*>(data);
  for (std::size_t i = 0; i < n; ++i) {
    out->push_back(kHex[p[i] >> 4]);
    out->push_back(kHex[p[i] & 15]);
  }
}

bool ParseHex(std::string_view hex, void* data, std::size_t n) {
  if (hex.size() != 2 * n) return false;
  auto* p = static_cast<unsigned char*>(data);
  for (std::size_t i = 0; i < n; ++i) {
    int hi = -1, lo = -1;
    for (int k = 0; k < 16; ++k) {
      if (hex[2 * i] == kHex[k]) hi = k;
      if (hex[2 * i + 1] == kHex[k]) lo = k;
    }
    if (hi < 0 || lo < 0) return false;
    p[i] = static_cast<unsigned char>(hi << 4 | lo);
  }
  return true;
}

struct [[gnu::packed]] IteratorBlob {
  std::uint32_t ordinal;
  std::uint64_t next_sequence;
  std::uint64_t issued_us;
  std::uint64_t checksum;
};

std::uint64_t IteratorChecksum(std::string_view arn, const IteratorBlob& blob) {
  XXH3_state_t state;
  XXH3_64bits_reset(&state);
  XXH3_64bits_update(&state, arn.data(), arn.size());
  XXH3_64bits_update(&state, &blob, offsetof(IteratorBlob, checksum));
  return XXH3_64bits_digest(&state);
}

}  // namespace

std::string StreamLabel(std::uint64_t time_us) {
  const auto seconds = static_cast<std::time_t>(time_us / 1000000);
  std::tm tm;
  gmtime_r(&seconds, &tm);
  char out[40];
  std::snprintf(out, sizeof out, "%04d-%02d-%02dT%02d:%02d:%02d.%03u", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<unsigned>(time_us / 1000 % 1000));
  return out;
}

std::string StreamArn(std::string_view region, std::string_view account,
                      std::string_view table_name, std::string_view label) {
  std::string arn = "arn:aws:dynamodb:";
  arn.append(region).append(":").append(account).append(":table/");
  arn.append(table_name).append("/stream/").append(label);
  return arn;
}

std::string ShardId(std::uint64_t created_us, std::string_view stream_key, std::uint32_t ordinal) {
  XXH3_state_t state;
  XXH3_64bits_reset(&state);
  XXH3_64bits_update(&state, stream_key.data(), stream_key.size());
  XXH3_64bits_update(&state, &ordinal, sizeof ordinal);
  char out[48];
  std::snprintf(out, sizeof out, "shardId-%020llu-%08x",
                static_cast<unsigned long long>(created_us / 1000),
                static_cast<unsigned>(XXH3_64bits_digest(&state)));
  return out;
}

std::string EventId(std::string_view stream_arn, std::uint64_t sequence) {
  // XXH3-128 of the ARN's bytes followed by the sequence's. Every GetRecords
  // record carries one: hash them in one shot from a stack buffer (the
  // streaming state costs a 576-byte reset per call); the streaming API,
  // which gives the same digest, only for an ARN too long for the buffer.
  XXH128_hash_t hash;
  char buffer[512];
  if (stream_arn.size() + sizeof sequence <= sizeof buffer) {
    std::memcpy(buffer, stream_arn.data(), stream_arn.size());
    std::memcpy(buffer + stream_arn.size(), &sequence, sizeof sequence);
    hash = XXH3_128bits(buffer, stream_arn.size() + sizeof sequence);
  } else {
    XXH3_state_t state;
    XXH3_128bits_reset(&state);
    XXH3_128bits_update(&state, stream_arn.data(), stream_arn.size());
    XXH3_128bits_update(&state, &sequence, sizeof sequence);
    hash = XXH3_128bits_digest(&state);
  }
  XXH128_canonical_t canonical;
  XXH128_canonicalFromHash(&canonical, hash);
  std::string out(2 * sizeof canonical.digest, '\0');
  for (std::size_t i = 0; i < sizeof canonical.digest; ++i) {
    out[2 * i] = kHex[canonical.digest[i] >> 4];
    out[2 * i + 1] = kHex[canonical.digest[i] & 15];
  }
  return out;
}

std::string EncodeShardIterator(const ShardPosition& position) {
  IteratorBlob blob{position.shard_ordinal, position.next_sequence, position.issued_us, 0};
  blob.checksum = IteratorChecksum(position.stream_arn, blob);
  std::string out = position.stream_arn;
  out.append("|1|");
  AppendHex(&blob, sizeof blob, &out);
  return out;
}

Result<ShardPosition> DecodeShardIterator(std::string_view iterator) {
  const Status invalid = Status::InvalidArgument("Invalid ShardIterator");
  const std::size_t bar = iterator.rfind("|1|");
  if (bar == std::string_view::npos || bar == 0) return invalid;
  IteratorBlob blob;
  if (!ParseHex(iterator.substr(bar + 3), &blob, sizeof blob)) return invalid;
  ShardPosition position;
  position.stream_arn = std::string(iterator.substr(0, bar));
  if (blob.checksum != IteratorChecksum(position.stream_arn, blob)) return invalid;
  position.shard_ordinal = blob.ordinal;
  position.next_sequence = blob.next_sequence;
  position.issued_us = blob.issued_us;
  return position;
}

}  // namespace engine
}  // namespace eddy
