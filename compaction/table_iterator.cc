// The iterator over one table: a walk of the in-memory index block that
// loads one data block at a time (leveldb's two-level iterator, specialised),
// forward or backward.
// It holds a shared reference to its current block, so the cache may evict
// the block while the iterator reads it.
#include <memory>

#include "compaction/table_reader.h"

namespace eddy::compaction {
namespace {

// `reverse`: the backward walk NewReverseIterator documents.
class TableIterator final : public EntryIterator {
 public:
  TableIterator(const TableReader* table, bool fill_cache, bool reverse)
      : table_(table), fill_cache_(fill_cache), reverse_(reverse), index_(&table->index_block()) {}

  void SeekToFirst() override {
    Reset();
    if (reverse_) {
      index_.SeekToLast();
      if (LoadBlock()) data_->SeekToLast();
      SettleBackward();
      return;
    }
    index_.SeekToFirst();
    if (LoadBlock()) data_->SeekToFirst();
    SettleForward();
  }

  void Seek(std::string_view target) override {
    Reset();
    // The first block whose last key is >= target holds the answer, or (if
    // it has none >= target, which a sound file never shows) a later one.
    table_->SeekIndex(&index_, target);
    if (reverse_) {
      // The last key < target is just before the first key >= target: in
      // this block, or at the end of the one before; past every block's
      // last key it is the file's last entry.
      if (!index_.Valid() && !index_.corrupt()) {
        index_.SeekToLast();
        if (LoadBlock()) data_->SeekToLast();
      } else if (LoadBlock()) {
        data_->Seek(target);
        if (data_->Valid()) {
          data_->Prev();
        } else if (!data_->corrupt()) {
          data_->SeekToLast();
        }
      }
      SettleBackward();
      return;
    }
    if (LoadBlock()) data_->Seek(target);
    SettleForward();
  }

  void Next() override {
    if (reverse_) {
      data_->Prev();
      SettleBackward();
      return;
    }
    data_->Next();
    SettleForward();
  }

  bool Valid() const override { return valid_; }
  TableEntry entry() const override { return current_; }
  Status status() const override { return status_; }

 private:
  void Reset() {
    valid_ = false;
    status_ = Status::Ok();
    data_.reset();
    block_.reset();
  }

  void Fail(Status s) {
    valid_ = false;
    status_ = std::move(s);
    data_.reset();
    block_.reset();
  }

  // Loads the block the index iterator points at; false at the end of the
  // index or on an error (status_ then says which).
  bool LoadBlock() {
    data_.reset();
    block_.reset();
    if (!index_.Valid()) {
      if (index_.corrupt()) Fail(table_->Corrupt("malformed index block", IndexOffset()));
      return false;
    }
    Result<BlockHandle> handle = table_->DecodeDataHandle(index_.value(), IndexOffset());
    if (!handle.ok()) {
      Fail(handle.status());
      return false;
    }
    Result<std::shared_ptr<const Block>> block = table_->ReadDataBlock(*handle, fill_cache_);
    if (!block.ok()) {
      Fail(block.status());
      return false;
    }
    block_offset_ = handle->offset;
    block_ = std::move(block).value();
    data_.emplace(block_.get());
    return true;
  }

  // Moves past the end of exhausted blocks and decodes the entry found.
  void SettleForward() {
    while (true) {
      if (!status_.ok()) return;
      if (!data_) {
        valid_ = false;
        return;
      }
      if (data_->Valid()) break;
      if (data_->corrupt()) {
        Fail(table_->Corrupt("malformed data block", block_offset_));
        return;
      }
      index_.Next();
      if (LoadBlock()) data_->SeekToFirst();
    }
    DecodeCurrent();
  }

  // Moves before the start of exhausted blocks and decodes the entry found.
  void SettleBackward() {
    while (true) {
      if (!status_.ok()) return;
      if (!data_) {
        valid_ = false;
        return;
      }
      if (data_->Valid()) break;
      if (data_->corrupt()) {
        Fail(table_->Corrupt("malformed data block", block_offset_));
        return;
      }
      index_.Prev();
      if (LoadBlock()) data_->SeekToLast();
    }
    DecodeCurrent();
  }

  void DecodeCurrent() {
    Result<TableEntry> e = table_->DecodeEntry(data_->key(), data_->value(), block_offset_);
    if (!e.ok()) {
      Fail(e.status());
      return;
    }
    current_ = *e;
    valid_ = true;
  }

  std::uint64_t IndexOffset() const { return table_->index_offset(); }

  const TableReader* table_;
  const bool fill_cache_;
  const bool reverse_;
  Block::Iter index_;
  std::shared_ptr<const Block> block_;
  std::optional<Block::Iter> data_;
  std::uint64_t block_offset_ = 0;
  TableEntry current_;
  bool valid_ = false;
  Status status_;
};

}  // namespace

std::unique_ptr<EntryIterator> TableReader::NewIterator(bool fill_cache) const {
  return std::make_unique<TableIterator>(this, fill_cache, /*reverse=*/false);
}

std::unique_ptr<EntryIterator> TableReader::NewReverseIterator(bool fill_cache) const {
  return std::make_unique<TableIterator>(this, fill_cache, /*reverse=*/true);
}

}  // namespace eddy::compaction
