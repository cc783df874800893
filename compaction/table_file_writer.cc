#include "compaction/table_file_writer.h"

#include <algorithm>
#include <cassert>
#include <cstring>

#include "wal/io_status.h"

namespace eddy::compaction {
namespace {

constexpr std::uint64_t kSyncTag = ~std::uint64_t{0};

}  // namespace

Result<std::unique_ptr<TableFileWriter>> TableFileWriter::Create(
    const TableFileWriterOptions& options) {
  if (options.env == nullptr || options.buffer_count == 0 || options.buffer_bytes == 0 ||
      options.buffer_bytes % wal::kIoAlignment != 0) {
    return Status::InvalidArgument("table writer options for " + options.path);
  }
  wal::OpenOptions open;
  open.create = true;
  open.direct = options.direct_io;
  EDDY_ASSIGN_OR_RETURN(wal::FileId file, options.env->Open(options.path, open));
  Result<std::uint64_t> size = options.env->FileSize(file);
  Status problem;
  if (!size.ok()) {
    problem = size.status();
  } else if (*size != 0) {
    problem = Status::AlreadyExists("table " + options.path + " exists already");
  }
  Result<std::unique_ptr<wal::IoQueue>> queue =
      problem.ok() ? options.env->NewIoQueue(options.buffer_count + 1)
                   : Result<std::unique_ptr<wal::IoQueue>>(problem);
  if (!queue.ok()) {
    options.env->Close(file).IgnoreError();
    return queue.status();
  }
  return std::unique_ptr<TableFileWriter>(
      new TableFileWriter(options, file, std::move(queue).value()));
}

TableFileWriter::TableFileWriter(TableFileWriterOptions options, wal::FileId file,
                                 std::unique_ptr<wal::IoQueue> queue)
    : options_(std::move(options)), file_(file), queue_(std::move(queue)) {
  // Allocated once per file and reused for every write of it.
  slots_.resize(options_.buffer_count);
  for (Slot& slot : slots_)
    slot.buffer.Reset(options_.buffer_bytes);
}

TableFileWriter::~TableFileWriter() {
  // The buffers must outlive every write the kernel may still be doing.
  Drain().IgnoreError();
  CloseFile().IgnoreError();
}

Status TableFileWriter::Fail(Status s) {
  if (error_.ok()) error_ = std::move(s);
  return error_;
}

Status TableFileWriter::Append(std::string_view data) {
  if (!error_.ok()) return error_;
  assert(!finished_);
  while (!data.empty()) {
    std::size_t n = std::min<std::size_t>(data.size(), options_.buffer_bytes - fill_);
    std::memcpy(slots_[current_].buffer.data() + fill_, data.data(), n);
    fill_ += static_cast<std::uint32_t>(n);
    offset_ += n;
    data.remove_prefix(n);
    if (fill_ == options_.buffer_bytes) EDDY_RETURN_IF_ERROR(WriteCurrent());
  }
  return Status::Ok();
}

Status TableFileWriter::WriteCurrent() {
  Slot& slot = slots_[current_];
  slot.file_offset = offset_ - fill_;
  slot.len = fill_;
  slot.done = 0;
  slot.busy = true;
  queue_->QueueWrite(file_, slot.file_offset, slot.buffer.data(), slot.len, current_, false);
  ++in_flight_;
  if (Status s = queue_->Submit(); !s.ok()) {
    // Nothing of this submission reached the kernel.
    slot.busy = false;
    --in_flight_;
    return Fail(s);
  }
  current_ = (current_ + 1) % static_cast<std::uint32_t>(slots_.size());
  fill_ = 0;
  while (slots_[current_].busy)
    EDDY_RETURN_IF_ERROR(ReapOne());
  return Status::Ok();
}

Status TableFileWriter::ReapOne() {
  assert(in_flight_ > 0);
  wal::IoCompletion done;
  if (Status s = queue_->WaitCompletion(&done); !s.ok()) {
    // The ring itself failed; nothing more can be reaped from it.
    in_flight_ = 0;
    for (Slot& slot : slots_)
      slot.busy = false;
    return Fail(s);
  }
  assert(done.tag < slots_.size());
  Slot& slot = slots_[done.tag];
  Status problem;
  if (done.result < 0) {
    problem = wal::ErrnoStatus(done.result, "write table " + options_.path);
  } else if (done.result == 0) {
    problem = Status::IOError("write table " + options_.path + ": no progress");
  } else {
    slot.done += static_cast<std::uint32_t>(done.result);
    if (slot.done < slot.len) {
      // A short write: resubmit the rest from where the disk stopped.
      queue_->QueueWrite(file_, slot.file_offset + slot.done, slot.buffer.data() + slot.done,
                         slot.len - slot.done, done.tag, false);
      problem = queue_->Submit();
      if (problem.ok()) return error_;
    }
  }
  slot.busy = false;
  --in_flight_;
  if (!problem.ok()) return Fail(problem);
  return error_;
}

Status TableFileWriter::Drain() {
  while (in_flight_ > 0)
    ReapOne().IgnoreError();  // the first failure is kept in error_
  return error_;
}

Status TableFileWriter::CloseFile() {
  if (!file_open_) return Status::Ok();
  file_open_ = false;
  return options_.env->Close(file_);
}

Status TableFileWriter::Finish() {
  assert(!finished_);
  finished_ = true;
  if (error_.ok() && fill_ > 0) {
    if (options_.direct_io && fill_ % wal::kIoAlignment != 0) {
      Fail(Status::InvalidArgument("table " + options_.path + ": O_DIRECT file not aligned"))
          .IgnoreError();
    } else {
      WriteCurrent().IgnoreError();
    }
  }
  EDDY_RETURN_IF_ERROR(Drain());
  queue_->QueueDatasync(file_, kSyncTag);
  EDDY_RETURN_IF_ERROR(Fail(queue_->Submit()));
  wal::IoCompletion done;
  EDDY_RETURN_IF_ERROR(Fail(queue_->WaitCompletion(&done)));
  assert(done.tag == kSyncTag);
  if (done.result < 0)
    return Fail(wal::ErrnoStatus(done.result, "fdatasync table " + options_.path));
  return Fail(CloseFile());
}

}  // namespace eddy::compaction
