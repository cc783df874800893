// Block: one verified block's contents in memory, and an iterator over its
// entries (the format BlockBuilder writes; docs/sstable_format.md, "Blocks").
//
// A Block is immutable once parsed and shared (std::shared_ptr<const Block>)
// between the block cache and every iterator reading it, so eviction never
// frees a block in use. Parse() checks the restart array; entries are
// bounds-checked as they are decoded, and a malformed entry makes the
// iterator !Valid() with corrupt() set (the table reader turns that into
// Corruption naming the file and the block's offset). The checksum has
// already been verified by then, so this is the second line of defence:
// a reader never reads outside the block whatever the bytes say.
//
// Thread-safety: a Block may be read by any number of threads; each
// Block::Iter belongs to one thread.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace eddy::compaction {

class Block {
 public:
  // Takes the contents (without the trailer). Returns nullopt when the
  // restart array does not fit the contents.
  static std::optional<Block> Parse(std::string contents);
  // The same over bytes the block does not own: a table file's memory
  // mapping, which `mapping` keeps alive as long as the block lives.
  static std::optional<Block> ParseMapped(std::string_view contents,
                                          std::shared_ptr<const void> mapping);

  Block(Block&& other) noexcept;
  Block& operator=(Block&& other) noexcept;
  Block(const Block&) = delete;
  Block& operator=(const Block&) = delete;

  // Bytes held, for the cache's accounting.
  std::size_t size() const { return contents_.size(); }
  std::uint32_t restart_count() const { return restart_count_; }
  // The full key of the entry at restart point `index` (< restart_count()),
  // in place; false when that entry is malformed (a restart entry shares no
  // prefix).
  bool RestartKey(std::uint32_t index, std::string_view* key) const;

  class Iter {
   public:
    // `block` must outlive the iterator.
    explicit Iter(const Block* block) : block_(block) {}

    void SeekToFirst();
    void SeekToLast();
    // First entry with key >= target.
    void Seek(std::string_view target);
    // The same, when the caller knows that the last restart key below
    // `target`, if any, is one of restarts [first, last] (RestartWords):
    // the binary search covers only those.
    void Seek(std::string_view target, std::uint32_t first, std::uint32_t last);
    void Next();
    // The entry before the current one (!Valid() before the first).
    // O(log restarts + restart interval): it re-decodes from the last
    // restart point before the current entry, as leveldb's block iterator.
    void Prev();
    bool Valid() const { return valid_; }
    bool corrupt() const { return corrupt_; }
    std::string_view key() const { return key_; }
    std::string_view value() const { return value_; }

   private:
    // Decodes the entry at next_ into key_/value_; false at the end or on
    // damage (which sets corrupt_).
    bool ParseNext();
    void SeekToRestart(std::uint32_t index);
    void MarkCorrupt();

    const Block* block_;
    std::uint32_t current_ = 0;  // offset of the current entry
    std::uint32_t next_ = 0;     // offset of the entry after the current one
    std::string key_;
    std::string_view value_;
    bool valid_ = false;
    bool corrupt_ = false;
  };

 private:
  Block(std::string owned, std::shared_ptr<const void> mapping, std::string_view contents,
        std::uint32_t restarts_offset, std::uint32_t restart_count);
  // Where the restart array begins and how many entries it has; nullopt when
  // it does not fit `contents`.
  struct Restarts {
    std::uint32_t offset;
    std::uint32_t count;
  };
  static std::optional<Restarts> FindRestarts(std::string_view contents);

  std::uint32_t RestartPoint(std::uint32_t index) const;

  // The bytes are either owned_ (read from a file) or live in a mapping
  // that mapping_ keeps alive; contents_ views them either way. (Moving a
  // block re-points contents_ at the moved owned_: a short string's bytes
  // move with it.)
  std::string owned_;
  std::shared_ptr<const void> mapping_;
  std::string_view contents_;
  std::uint32_t restarts_offset_ = 0;  // where entries end and the restart array begins
  std::uint32_t restart_count_ = 0;
};

}  // namespace eddy::compaction
