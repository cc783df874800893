#include "compaction/block.h"

#include <algorithm>

#include "compaction/format.h"

namespace eddy::compaction {
namespace {

// Decodes a varint of at most 32 bits from [p, limit); nullptr if it runs
// past the limit or overflows. Inline single-byte fast path: most lengths in
// a block are below 128.
inline const char* GetVarint32(const char* p, const char* limit, std::uint32_t* v) {
  if (p < limit && (static_cast<std::uint8_t>(*p) & 0x80) == 0) {
    *v = static_cast<std::uint8_t>(*p);
    return p + 1;
  }
  std::uint32_t result = 0;
  for (int shift = 0; shift <= 28 && p < limit; shift += 7) {
    std::uint32_t byte = static_cast<std::uint8_t>(*p++);
    if (shift == 28 && byte > 0x0F) return nullptr;
    result |= (byte & 0x7F) << shift;
    if ((byte & 0x80) == 0) {
      *v = result;
      return p;
    }
  }
  return nullptr;
}

}  // namespace

std::optional<Block::Restarts> Block::FindRestarts(std::string_view contents) {
  if (contents.size() < 4 || contents.size() > 0xFFFFFFFFu) return std::nullopt;
  std::uint32_t count = DecodeFixed32(contents.data() + contents.size() - 4);
  std::size_t max_count = (contents.size() - 4) / 4;
  if (count > max_count) return std::nullopt;
  auto offset = static_cast<std::uint32_t>(contents.size() - 4 - 4 * count);
  // A block with entries starts with a restart point; one without has none.
  if ((count == 0) != (offset == 0)) return std::nullopt;
  return Restarts{offset, count};
}

std::optional<Block> Block::Parse(std::string contents) {
  std::optional<Restarts> r = FindRestarts(contents);
  if (!r) return std::nullopt;
  return Block(std::move(contents), nullptr, {}, r->offset, r->count);
}

std::optional<Block> Block::ParseMapped(std::string_view contents,
                                        std::shared_ptr<const void> mapping) {
  std::optional<Restarts> r = FindRestarts(contents);
  if (!r) return std::nullopt;
  return Block({}, std::move(mapping), contents, r->offset, r->count);
}

Block::Block(std::string owned, std::shared_ptr<const void> mapping, std::string_view contents,
             std::uint32_t restarts_offset, std::uint32_t restart_count)
    : owned_(std::move(owned)),
      mapping_(std::move(mapping)),
      contents_(mapping_ ? contents : std::string_view(owned_)),
      restarts_offset_(restarts_offset),
      restart_count_(restart_count) {}

Block::Block(Block&& other) noexcept
    : owned_(std::move(other.owned_)),
      mapping_(std::move(other.mapping_)),
      contents_(mapping_ ? other.contents_ : std::string_view(owned_)),
      restarts_offset_(other.restarts_offset_),
      restart_count_(other.restart_count_) {
  other.contents_ = {};
}

Block& Block::operator=(Block&& other) noexcept {
  if (this == &other) return *this;
  owned_ = std::move(other.owned_);
  mapping_ = std::move(other.mapping_);
  contents_ = mapping_ ? other.contents_ : std::string_view(owned_);
  restarts_offset_ = other.restarts_offset_;
  restart_count_ = other.restart_count_;
  other.contents_ = {};
  return *this;
}

std::uint32_t Block::RestartPoint(std::uint32_t index) const {
  return DecodeFixed32(contents_.data() + restarts_offset_ + 4 * index);
}

bool Block::RestartKey(std::uint32_t index, std::string_view* key) const {
  const std::uint32_t at = RestartPoint(index);
  if (at >= restarts_offset_) return false;
  const char* p = contents_.data() + at;
  const char* limit = contents_.data() + restarts_offset_;
  std::uint32_t shared = 0, unshared = 0, value_len = 0;
  p = GetVarint32(p, limit, &shared);
  if (p != nullptr) p = GetVarint32(p, limit, &unshared);
  if (p != nullptr) p = GetVarint32(p, limit, &value_len);
  if (p == nullptr || shared != 0 ||
      static_cast<std::uint64_t>(unshared) + value_len > static_cast<std::uint64_t>(limit - p)) {
    return false;
  }
  *key = std::string_view(p, unshared);
  return true;
}

void Block::Iter::MarkCorrupt() {
  valid_ = false;
  corrupt_ = true;
  key_.clear();
  value_ = {};
}

void Block::Iter::SeekToRestart(std::uint32_t index) {
  key_.clear();
  next_ = block_->RestartPoint(index);
}

bool Block::Iter::ParseNext() {
  if (corrupt_) return false;
  const std::uint32_t end = block_->restarts_offset_;
  if (next_ >= end) {
    if (next_ > end) {
      MarkCorrupt();
    } else {
      valid_ = false;
    }
    return false;
  }
  const char* base = block_->contents_.data();
  current_ = next_;
  const char* p = base + next_;
  const char* limit = base + end;
  std::uint32_t shared = 0, unshared = 0, value_len = 0;
  p = GetVarint32(p, limit, &shared);
  if (p != nullptr) p = GetVarint32(p, limit, &unshared);
  if (p != nullptr) p = GetVarint32(p, limit, &value_len);
  if (p == nullptr || shared > key_.size() ||
      static_cast<std::uint64_t>(unshared) + value_len > static_cast<std::uint64_t>(limit - p)) {
    MarkCorrupt();
    return false;
  }
  key_.resize(shared);
  key_.append(p, unshared);
  value_ = std::string_view(p + unshared, value_len);
  next_ = static_cast<std::uint32_t>(p + unshared + value_len - base);
  valid_ = true;
  return true;
}

void Block::Iter::SeekToFirst() {
  corrupt_ = false;
  if (block_->restart_count_ == 0) {
    valid_ = false;
    return;
  }
  SeekToRestart(0);
  ParseNext();
}

void Block::Iter::Next() {
  ParseNext();
}

void Block::Iter::SeekToLast() {
  corrupt_ = false;
  valid_ = false;
  if (block_->restart_count_ == 0) return;
  SeekToRestart(block_->restart_count_ - 1);
  while (ParseNext() && next_ < block_->restarts_offset_) {
  }
}

void Block::Iter::Prev() {
  const std::uint32_t original = current_;
  // The last restart point before the current entry; none means the current
  // entry is the first.
  std::uint32_t left = 0, right = block_->restart_count_;  // answer in [left, right)
  if (block_->restart_count_ == 0 || block_->RestartPoint(0) >= original) {
    valid_ = false;
    key_.clear();
    return;
  }
  while (right - left > 1) {
    const std::uint32_t mid = left + (right - left) / 2;
    if (block_->RestartPoint(mid) < original) {
      left = mid;
    } else {
      right = mid;
    }
  }
  SeekToRestart(left);
  // Decode forward up to the entry that ends where the original began.
  while (ParseNext()) {
    if (next_ == original) return;
    if (next_ > original) break;
  }
  MarkCorrupt();  // no entry ends where the current one begins
}

void Block::Iter::Seek(std::string_view target) {
  Seek(target, 0, block_->restart_count_ == 0 ? 0 : block_->restart_count_ - 1);
}

void Block::Iter::Seek(std::string_view target, std::uint32_t first, std::uint32_t last) {
  corrupt_ = false;
  valid_ = false;
  if (block_->restart_count_ == 0) return;
  // Binary search for the last restart point whose key is < target; every
  // entry before it is < target too.
  std::uint32_t left = std::min(first, block_->restart_count_ - 1);
  std::uint32_t right = std::min(std::max(last, left), block_->restart_count_ - 1);
  // The restart keys are compared where they lie, without copying them into
  // key_: an index block restarts at every entry, so a point read's index
  // search is all restart keys.
  while (left < right) {
    std::uint32_t mid = left + (right - left + 1) / 2;
    std::string_view restart_key;
    if (!block_->RestartKey(mid, &restart_key)) {
      MarkCorrupt();
      return;
    }
    if (restart_key < target) {
      left = mid;
    } else {
      right = mid - 1;
    }
  }
  SeekToRestart(left);
  while (ParseNext()) {
    if (std::string_view(key_) >= target) return;
  }
}

}  // namespace eddy::compaction
