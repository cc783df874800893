#include "wal/durable_file.h"

namespace eddy::wal {
namespace {

// Writes all of `data` at offset 0 and fdatasyncs, resubmitting short writes.
Status WriteWhole(Env* env, FileId file, std::string_view data, const std::string& path) {
  EDDY_ASSIGN_OR_RETURN(std::unique_ptr<IoQueue> queue, env->NewIoQueue(2));
  std::size_t done = 0;
  while (done < data.size()) {
    queue->QueueWrite(file, done, data.data() + done,
                      static_cast<std::uint32_t>(data.size() - done), 1, false);
    EDDY_RETURN_IF_ERROR(queue->Submit());
    IoCompletion c;
    EDDY_RETURN_IF_ERROR(queue->WaitCompletion(&c));
    if (c.result <= 0) {
      return Status::IOError("write " + path + ": error " + std::to_string(c.result));
    }
    done += static_cast<std::size_t>(c.result);
  }
  queue->QueueDatasync(file, 2);
  EDDY_RETURN_IF_ERROR(queue->Submit());
  IoCompletion c;
  EDDY_RETURN_IF_ERROR(queue->WaitCompletion(&c));
  if (c.result < 0) return Status::IOError("sync " + path + ": error " + std::to_string(c.result));
  return Status::Ok();
}

}  // namespace

Status ReplaceFileDurably(Env* env, const std::string& dir, std::string_view name,
                          std::string_view bytes) {
  const std::string final_path = dir + "/" + std::string(name);
  const std::string temp = final_path + ".tmp";
  // A leftover from a crash may be longer than what is written now.
  Status removed = env->Remove(temp);
  if (!removed.ok() && !removed.IsNotFound()) return removed;
  OpenOptions open;
  open.create = true;
  EDDY_ASSIGN_OR_RETURN(FileId file, env->Open(temp, open));
  Status s = WriteWhole(env, file, bytes, temp);
  Status closed = env->Close(file);
  if (s.ok()) s = closed;
  EDDY_RETURN_IF_ERROR(s);
  EDDY_RETURN_IF_ERROR(env->Rename(temp, final_path));
  return env->SyncDir(dir);
}

Result<std::optional<std::string>> ReadWholeFile(Env* env, const std::string& path,
                                                 std::uint64_t max_bytes) {
  OpenOptions open;
  open.read_only = true;
  Result<FileId> file = env->Open(path, open);
  if (file.status().IsNotFound()) return std::optional<std::string>();
  EDDY_RETURN_IF_ERROR(file.status());
  std::string bytes;
  Status s = Status::Ok();
  Result<std::uint64_t> size = env->FileSize(*file);
  if (!size.ok()) {
    s = size.status();
  } else if (*size > max_bytes) {
    s = Status::Corruption(path + ": implausibly large (" + std::to_string(*size) + " bytes)");
  } else {
    bytes.resize(*size);
    Result<std::unique_ptr<IoQueue>> queue = env->NewIoQueue(2);
    s = queue.status();
    std::size_t done = 0;
    while (s.ok() && done < bytes.size()) {
      (*queue)->QueueRead(*file, done, bytes.data() + done,
                          static_cast<std::uint32_t>(bytes.size() - done), 1);
      s = (*queue)->Submit();
      IoCompletion c;
      if (s.ok()) s = (*queue)->WaitCompletion(&c);
      if (s.ok() && c.result < 0) {
        s = Status::IOError("read " + path + ": error " + std::to_string(c.result));
      } else if (s.ok() && c.result == 0) {
        s = Status::Corruption(path + ": shorter than its size");
      }
      if (s.ok()) done += static_cast<std::size_t>(c.result);
    }
  }
  env->Close(*file).IgnoreError();
  EDDY_RETURN_IF_ERROR(s);
  return std::optional<std::string>(std::move(bytes));
}

}  // namespace eddy::wal
