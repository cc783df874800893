#include "compaction/block_builder.h"

#include <algorithm>
#include <cassert>
#include <limits>

#include "common/byte_codec.h"
#include "compaction/format.h"

namespace eddy::compaction {

BlockBuilder::BlockBuilder(std::uint32_t restart_interval) : restart_interval_(restart_interval) {
  assert(restart_interval_ >= 1);
}

void BlockBuilder::Reset() {
  buffer_.clear();
  restarts_.clear();
  last_key_.clear();
  entry_count_ = 0;
  since_restart_ = 0;
  finished_ = false;
}

void BlockBuilder::Add(std::string_view key, std::string_view value_prefix,
                       std::string_view value) {
  assert(!finished_);
  assert(entry_count_ == 0 || key > std::string_view(last_key_));
  std::size_t value_len = value_prefix.size() + value.size();
  // Offsets in a block are u32; a caller never builds a block near 4 GiB.
  assert(buffer_.size() + key.size() + value_len < std::numeric_limits<std::uint32_t>::max() / 2);

  std::size_t shared = 0;
  if (since_restart_ == restart_interval_ || entry_count_ == 0) {
    restarts_.push_back(static_cast<std::uint32_t>(buffer_.size()));
    since_restart_ = 0;
  } else {
    std::size_t max_shared = std::min(key.size(), last_key_.size());
    while (shared < max_shared && key[shared] == last_key_[shared])
      ++shared;
  }
  PutVarint(shared, &buffer_);
  PutVarint(key.size() - shared, &buffer_);
  PutVarint(value_len, &buffer_);
  buffer_.append(key.substr(shared));
  buffer_.append(value_prefix);
  buffer_.append(value);

  last_key_.assign(key);
  ++since_restart_;
  ++entry_count_;
}

std::string_view BlockBuilder::Finish() {
  assert(!finished_);
  for (std::uint32_t r : restarts_)
    PutFixed32(r, &buffer_);
  PutFixed32(static_cast<std::uint32_t>(restarts_.size()), &buffer_);
  finished_ = true;
  return buffer_;
}

}  // namespace eddy::compaction
