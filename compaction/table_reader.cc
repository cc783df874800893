#include "compaction/table_reader.h"

#include <algorithm>

#include "common/byte_codec.h"
#include "compaction/page_cache.h"

namespace eddy::compaction {
namespace {

// Whether [offset, offset + size + trailer) lies within [0, limit), without
// overflow for any 64-bit inputs.
bool FitsBefore(const BlockHandle& h, std::uint64_t limit) {
  return h.offset <= limit && h.size <= limit - h.offset &&
         kBlockTrailerBytes <= limit - h.offset - h.size;
}

}  // namespace

Result<std::unique_ptr<TableReader>> TableReader::Open(wal::Env* env, const std::string& path,
                                                       std::uint64_t file_number,
                                                       BlockCache* cache) {
  TableReaderOptions options;
  options.env = env;
  options.path = path;
  options.file_number = file_number;
  options.cache = cache;
  return Open(options);
}

Result<std::unique_ptr<TableReader>> TableReader::Open(const TableReaderOptions& options) {
  std::unique_ptr<TableReader> reader(new TableReader(options));
  EDDY_RETURN_IF_ERROR(reader->Load());
  return reader;
}

TableReader::~TableReader() {
  if (file_open_) options_.env->Close(file_).IgnoreError();
}

Status TableReader::Load() {
  io_ = options_.io;
  if (io_ == nullptr) {
    own_io_ = std::make_unique<ReadQueuePool>(options_.env, 1);
    io_ = own_io_.get();
  }
  wal::OpenOptions open;
  open.read_only = true;
  EDDY_ASSIGN_OR_RETURN(file_, options_.env->Open(options_.path, open));
  file_open_ = true;
  EDDY_ASSIGN_OR_RETURN(file_bytes_, options_.env->FileSize(file_));

  if (file_bytes_ < kFooterBytes) {
    return Corrupt("file of " + std::to_string(file_bytes_) + " bytes too short for a footer", 0);
  }
  if (options_.map_file) {
    // A file that cannot be mapped (address space or map count exhausted)
    // is still read, with preads.
    Result<std::shared_ptr<const char>> mapped = options_.env->MapReadOnly(file_, file_bytes_);
    if (mapped.ok()) mapping_ = std::move(*mapped);
  }
  const std::uint64_t footer_offset = file_bytes_ - kFooterBytes;
  std::string footer_bytes(kFooterBytes, '\0');
  Result<std::uint32_t> n = io_->Read(file_, footer_offset, footer_bytes.data(), kFooterBytes);
  if (!n.ok()) return Status::IOError("table " + options_.path + ": " + n.status().ToString());
  if (*n != kFooterBytes) return Corrupt("short read of footer", footer_offset);
  EDDY_ASSIGN_OR_RETURN(footer_, DecodeFooter(footer_bytes, options_.path, footer_offset));

  // Layout: data blocks, filter, properties, index, padding, footer.
  if (!FitsBefore(footer_.index, footer_offset) ||
      !FitsBefore(footer_.properties, footer_.index.offset) ||
      !FitsBefore(footer_.filter, footer_.properties.offset)) {
    return Corrupt("block handle out of bounds in footer", footer_offset);
  }

  EDDY_ASSIGN_OR_RETURN(std::string index, ReadBlockContents(footer_.index, BlockType::kIndex));
  index_ = Block::Parse(std::move(index));
  if (!index_) return Corrupt("malformed index block", footer_.index.offset);

  EDDY_ASSIGN_OR_RETURN(std::string filter, ReadBlockContents(footer_.filter, BlockType::kFilter));
  filter_ = BloomFilter::Parse(std::move(filter), FilterLayoutOf(footer_.format_version));
  if (!filter_) return Corrupt("malformed filter block", footer_.filter.offset);

  EDDY_ASSIGN_OR_RETURN(std::string props,
                        ReadBlockContents(footer_.properties, BlockType::kProperties));
  std::optional<TableProperties> decoded = DecodeProperties(props);
  if (!decoded) return Corrupt("malformed properties block", footer_.properties.offset);
  props_ = std::move(*decoded);
  EDDY_RETURN_IF_ERROR(CheckIndex());
  // Every key of the file, and every key KeyInRange admits, begins with
  // what the smallest and the largest key share.
  const std::string_view lo = props_.smallest_key, hi = props_.largest_key;
  const std::size_t shared = static_cast<std::size_t>(
      std::mismatch(lo.begin(), lo.end(), hi.begin(), hi.end()).first - lo.begin());
  index_words_ = RestartWords::Build(*index_, shared);
  if (!index_words_) return Corrupt("malformed index block", footer_.index.offset);
  return Status::Ok();
}

void TableReader::SeekIndex(Block::Iter* index, std::string_view key) const {
  if (!KeyInRange(key)) {
    index->Seek(key);
    return;
  }
  const RestartWords::Range r = index_words_->Narrow(key);
  index->Seek(key, r.first, r.last);
}

Status TableReader::CheckIndex() const {
  // One pass at open (the index is small) so that later lookups can trust
  // its handles and order.
  const std::uint64_t at = footer_.index.offset;
  Block::Iter it(&*index_);
  std::uint64_t count = 0;
  std::string previous;
  for (it.SeekToFirst(); it.Valid(); it.Next()) {
    if (count > 0 && !(it.key() > std::string_view(previous))) {
      return Corrupt("index keys out of order in block", at);
    }
    EDDY_RETURN_IF_ERROR(DecodeDataHandle(it.value(), at).status());
    previous.assign(it.key());
    ++count;
  }
  if (it.corrupt()) return Corrupt("malformed index block", at);
  if (count == 0 || count != props_.data_block_count || footer_.entry_count == 0 ||
      previous != props_.largest_key || props_.smallest_key > props_.largest_key ||
      props_.smallest_lsn > props_.largest_lsn) {
    return Corrupt("index disagrees with properties in block", at);
  }
  return Status::Ok();
}

Result<std::string> TableReader::ReadBlockContents(const BlockHandle& handle,
                                                   BlockType type) const {
  const std::uint64_t total = handle.size + kBlockTrailerBytes;
  if (total > 0xFFFFFFFFu) return Corrupt("oversized block", handle.offset);
  std::string buf(total, '\0');
  Result<std::uint32_t> n =
      io_->Read(file_, handle.offset, buf.data(), static_cast<std::uint32_t>(total));
  if (!n.ok()) return Status::IOError("table " + options_.path + ": " + n.status().ToString());
  if (*n != total) return Corrupt("short read (truncated file) of block", handle.offset);
  EDDY_RETURN_IF_ERROR(
      CheckBlockTrailer(buf.data(), handle.size, type, options_.path, handle.offset));
  buf.resize(handle.size);
  return buf;
}

Result<BlockHandle> TableReader::DecodeDataHandle(std::string_view encoded,
                                                  std::uint64_t index_pos) const {
  std::optional<BlockHandle> h = DecodeBlockHandle(encoded);
  if (!h || !FitsBefore(*h, footer_.filter.offset)) {
    return Corrupt("bad data block handle in index block", index_pos);
  }
  return *h;
}

Result<std::shared_ptr<const Block>> TableReader::ReadDataBlock(const BlockHandle& handle,
                                                                bool fill_cache) const {
  BlockCache* cache = options_.cache;
  if (cache != nullptr) {
    if (auto hit = cache->Lookup(options_.file_number, handle.offset)) return hit;
  }
  std::optional<Block> block;
  if (mapping_ != nullptr) {
    // In bounds: DecodeDataHandle checked the handle against the file's layout.
    const char* at = mapping_.get() + handle.offset;
    EDDY_RETURN_IF_ERROR(
        CheckBlockTrailer(at, handle.size, BlockType::kData, options_.path, handle.offset));
    block = Block::ParseMapped(std::string_view(at, handle.size), mapping_);
  } else {
    EDDY_ASSIGN_OR_RETURN(std::string contents, ReadBlockContents(handle, BlockType::kData));
    block = Block::Parse(std::move(contents));
  }
  if (!block) return Corrupt("malformed data block", handle.offset);
  auto shared = std::make_shared<const Block>(std::move(*block));
  if (cache != nullptr && fill_cache) cache->Insert(options_.file_number, handle.offset, shared);
  return shared;
}

Result<TableEntry> TableReader::DecodeEntry(std::string_view key, std::string_view stored,
                                            std::uint64_t block_offset) const {
  ByteReader in(stored);
  std::uint64_t tag = 0;
  if (!in.ReadVarint(&tag)) return Corrupt("malformed entry in block", block_offset);
  TableEntry e;
  e.key = key;
  e.lsn = tag >> 1;
  e.deletion = (tag & 1) != 0;
  e.value = stored.substr(stored.size() - in.remaining());
  if (e.deletion && !e.value.empty()) {
    return Corrupt("deletion with a value in block", block_offset);
  }
  return e;
}

bool TableReader::KeyInRange(std::string_view key) const {
  return key >= std::string_view(props_.smallest_key) &&
         key <= std::string_view(props_.largest_key);
}

bool TableReader::MayContain(const KeyProbe& probe) const {
  return KeyInRange(probe.key) && filter_->MayContainHash(probe.hash);
}

void TableReader::PrefetchFilter(const KeyProbe& probe) const {
  if (KeyInRange(probe.key)) filter_->Prefetch(probe.hash);
}

Result<std::optional<OwnedTableEntry>> TableReader::Get(const KeyProbe& probe) const {
  if (!MayContain(probe)) return std::optional<OwnedTableEntry>();
  const std::string_view key = probe.key;
  // The index maps each block's last key to the block, so the first index
  // entry >= key names the only block that can hold it.
  Block::Iter index(&*index_);
  SeekIndex(&index, key);
  if (!index.Valid()) {
    if (index.corrupt()) return Corrupt("malformed index block", footer_.index.offset);
    return std::optional<OwnedTableEntry>();
  }
  EDDY_ASSIGN_OR_RETURN(BlockHandle handle, DecodeDataHandle(index.value(), footer_.index.offset));
  EDDY_ASSIGN_OR_RETURN(std::shared_ptr<const Block> block, ReadDataBlock(handle, true));
  Block::Iter it(block.get());
  it.Seek(key);
  if (it.corrupt()) return Corrupt("malformed data block", handle.offset);
  if (!it.Valid() || it.key() != key) return std::optional<OwnedTableEntry>();
  EDDY_ASSIGN_OR_RETURN(TableEntry e, DecodeEntry(it.key(), it.value(), handle.offset));
  return std::optional<OwnedTableEntry>(OwnedTableEntry::From(e));
}

std::uint64_t TableReader::WarmPageCache() const {
  return mapping_ ? compaction::WarmPageCache(mapping_.get(), file_bytes_) : 0;
}

}  // namespace eddy::compaction
