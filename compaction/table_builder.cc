#include "compaction/table_builder.h"

#include <algorithm>
#include <cassert>

#include "common/byte_codec.h"
#include "compaction/format.h"

namespace eddy::compaction {
namespace {

// The index is binary-searched once per lookup and held in memory, so it
// gives up prefix compression for the shortest search (as leveldb does).
constexpr std::uint32_t kIndexRestartInterval = 1;
constexpr Lsn kMaxLsn = (Lsn{1} << 63) - 1;

}  // namespace

Result<std::unique_ptr<TableBuilder>> TableBuilder::Create(const TableWriteOptions& options) {
  if (options.block_bytes == 0 || options.restart_interval == 0) {
    return Status::InvalidArgument("table options for " + options.path);
  }
  TableFileWriterOptions w;
  w.env = options.env;
  w.path = options.path;
  w.direct_io = options.direct_io;
  w.buffer_bytes = options.write_buffer_bytes;
  w.buffer_count = options.writes_in_flight;
  EDDY_ASSIGN_OR_RETURN(auto writer, TableFileWriter::Create(w));
  return std::unique_ptr<TableBuilder>(new TableBuilder(options, std::move(writer)));
}

TableBuilder::TableBuilder(TableWriteOptions options, std::unique_ptr<TableFileWriter> writer)
    : options_(std::move(options)),
      writer_(std::move(writer)),
      data_block_(options_.restart_interval),
      index_block_(kIndexRestartInterval),
      filter_(options_.bloom_bits_per_key, FilterLayoutOf(options_.format_version)) {}

Status TableBuilder::Fail(Status s) {
  if (error_.ok()) error_ = std::move(s);
  return error_;
}

Status TableBuilder::Add(const TableEntry& entry) {
  if (!error_.ok()) return error_;
  assert(!finished_);
  if (entry_count_ > 0 && !(entry.key > std::string_view(props_.largest_key))) {
    return Fail(Status::InvalidArgument("table " + options_.path +
                                        ": keys out of order or repeated at entry " +
                                        std::to_string(entry_count_)));
  }
  if (entry.lsn > kMaxLsn) {
    return Fail(Status::InvalidArgument("table " + options_.path + ": LSN too large"));
  }
  if (entry.deletion && !entry.value.empty()) {
    return Fail(Status::InvalidArgument("table " + options_.path + ": deletion with a value"));
  }

  scratch_.clear();
  PutVarint((entry.lsn << 1) | (entry.deletion ? 1 : 0), &scratch_);
  data_block_.Add(entry.key, scratch_, entry.value);
  filter_.AddKey(entry.key);

  if (entry_count_ == 0) {
    props_.smallest_key.assign(entry.key);
    props_.smallest_lsn = entry.lsn;
    props_.largest_lsn = entry.lsn;
  }
  props_.largest_key.assign(entry.key);
  props_.smallest_lsn = std::min(props_.smallest_lsn, entry.lsn);
  props_.largest_lsn = std::max(props_.largest_lsn, entry.lsn);
  ++entry_count_;

  if (data_block_.SizeEstimate() >= options_.block_bytes) return FlushDataBlock();
  return Status::Ok();
}

Result<BlockHandle> TableBuilder::WriteBlock(std::string_view contents, BlockType type) {
  BlockHandle handle{writer_->offset(), contents.size()};
  scratch_.clear();
  AppendBlockTrailer(type, contents, &scratch_);
  EDDY_RETURN_IF_ERROR(Fail(writer_->Append(contents)));
  EDDY_RETURN_IF_ERROR(Fail(writer_->Append(scratch_)));
  return handle;
}

Status TableBuilder::FlushDataBlock() {
  if (data_block_.empty()) return Status::Ok();
  EDDY_ASSIGN_OR_RETURN(BlockHandle handle, WriteBlock(data_block_.Finish(), BlockType::kData));
  handle_scratch_.clear();
  EncodeBlockHandle(handle, &handle_scratch_);
  index_block_.Add(data_block_.last_key(), handle_scratch_);
  data_block_.Reset();
  ++props_.data_block_count;
  return Status::Ok();
}

Result<TableFileInfo> TableBuilder::Finish() {
  assert(!finished_);
  finished_ = true;
  if (!error_.ok()) return error_;
  if (entry_count_ == 0) {
    return Fail(Status::InvalidArgument("table " + options_.path + ": no entries"));
  }
  EDDY_RETURN_IF_ERROR(FlushDataBlock());

  Footer footer;
  footer.entry_count = entry_count_;
  footer.format_version = options_.format_version;
  EDDY_ASSIGN_OR_RETURN(footer.filter, WriteBlock(filter_.Finish(), BlockType::kFilter));
  EDDY_ASSIGN_OR_RETURN(footer.properties,
                        WriteBlock(EncodeProperties(props_), BlockType::kProperties));
  EDDY_ASSIGN_OR_RETURN(footer.index, WriteBlock(index_block_.Finish(), BlockType::kIndex));

  // The footer ends the file; with O_DIRECT the file must end on a block
  // boundary, so the zeros go before the footer, where no handle points.
  std::uint64_t end = writer_->offset() + kFooterBytes;
  if (options_.direct_io) {
    std::uint64_t padded = (end + wal::kIoAlignment - 1) / wal::kIoAlignment * wal::kIoAlignment;
    EDDY_RETURN_IF_ERROR(Fail(writer_->Append(std::string(padded - end, '\0'))));
    end = padded;
  }
  EDDY_RETURN_IF_ERROR(Fail(writer_->Append(EncodeFooter(footer))));
  assert(writer_->offset() == end);
  EDDY_RETURN_IF_ERROR(Fail(writer_->Finish()));

  TableFileInfo info;
  info.path = options_.path;
  info.file_bytes = end;
  info.entry_count = entry_count_;
  info.smallest_key = props_.smallest_key;
  info.largest_key = props_.largest_key;
  info.smallest_lsn = props_.smallest_lsn;
  info.largest_lsn = props_.largest_lsn;
  return info;
}

Result<TableFileInfo> WriteTable(const TableWriteOptions& options, EntryIterator& source) {
  Result<TableFileInfo> result = [&]() -> Result<TableFileInfo> {
    EDDY_ASSIGN_OR_RETURN(auto builder, TableBuilder::Create(options));
    for (source.SeekToFirst(); source.Valid(); source.Next())
      EDDY_RETURN_IF_ERROR(builder->Add(source.entry()));
    EDDY_RETURN_IF_ERROR(source.status());
    return builder->Finish();
  }();
  if (!result.ok() && !result.status().IsAlreadyExists()) {
    // The builder (and its file) is closed by now; the file is garbage.
    options.env->Remove(options.path).IgnoreError();
  }
  return result;
}

}  // namespace eddy::compaction
