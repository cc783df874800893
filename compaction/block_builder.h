// BlockBuilder: encodes sorted key/value pairs into one block's contents, as
// leveldb's block format does: each key shares a prefix with the key before
// it, and every `restart_interval` entries a key is written whole (a restart
// point) so a reader can binary-search the restart points and then scan at
// most one interval. Layout: docs/sstable_format.md, "Blocks".
//
// The builder owns one growing buffer and reuses it across blocks, so once
// warm it does not allocate per entry.
//
// Thread-safety: none; one builder per writer.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace eddy::compaction {

class BlockBuilder {
 public:
  // `restart_interval` >= 1: entries between full keys.
  explicit BlockBuilder(std::uint32_t restart_interval);

  // Adds an entry whose value is `value_prefix` followed by `value` (the
  // data block stores an entry's LSN tag ahead of its value without copying
  // the value twice). `key` must be greater than the previous key (asserted:
  // the table builder checks order before it gets here).
  void Add(std::string_view key, std::string_view value_prefix, std::string_view value);
  void Add(std::string_view key, std::string_view value) { Add(key, {}, value); }

  // Appends the restart array and returns the finished contents, which stay
  // valid until the next Reset() or Add().
  std::string_view Finish();
  // Starts a new, empty block; keeps the buffer's capacity.
  void Reset();

  bool empty() const { return entry_count_ == 0; }
  std::uint32_t entry_count() const { return entry_count_; }
  std::string_view last_key() const { return last_key_; }
  // Bytes Finish() would return now.
  std::size_t SizeEstimate() const { return buffer_.size() + 4 * restarts_.size() + 4; }

 private:
  const std::uint32_t restart_interval_;
  std::string buffer_;
  std::vector<std::uint32_t> restarts_;
  std::string last_key_;
  std::uint32_t entry_count_ = 0;
  std::uint32_t since_restart_ = 0;
  bool finished_ = false;
};

}  // namespace eddy::compaction
