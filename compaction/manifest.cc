#include "compaction/manifest.h"

#include <xxhash.h>

#include <cstdio>

#include "common/byte_codec.h"
#include "compaction/format.h"

namespace eddy::compaction {
namespace {

constexpr char kMagic[] = "EDDYMAN1";  // 8 bytes, no terminator written
constexpr std::size_t kMagicBytes = 8;
constexpr std::size_t kChecksumBytes = 8;

Status Corrupt(std::string_view path, std::string_view what) {
  return Status::Corruption("manifest " + std::string(path) + ": " + std::string(what));
}

// Writes all of `data` at offset 0 and fdatasyncs, resubmitting short writes.
Status WriteWhole(wal::Env* env, wal::FileId file, std::string_view data) {
  EDDY_ASSIGN_OR_RETURN(std::unique_ptr<wal::IoQueue> queue, env->NewIoQueue(2));
  std::size_t done = 0;
  while (done < data.size()) {
    queue->QueueWrite(file, done, data.data() + done,
                      static_cast<std::uint32_t>(data.size() - done), 1, false);
    EDDY_RETURN_IF_ERROR(queue->Submit());
    wal::IoCompletion c;
    EDDY_RETURN_IF_ERROR(queue->WaitCompletion(&c));
    if (c.result <= 0) return Status::IOError("write manifest: error " + std::to_string(c.result));
    done += static_cast<std::size_t>(c.result);
  }
  queue->QueueDatasync(file, 2);
  EDDY_RETURN_IF_ERROR(queue->Submit());
  wal::IoCompletion c;
  EDDY_RETURN_IF_ERROR(queue->WaitCompletion(&c));
  if (c.result < 0) return Status::IOError("sync manifest: error " + std::to_string(c.result));
  return Status::Ok();
}

}  // namespace

std::string TableFileName(std::uint64_t number) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%06llu.sst", static_cast<unsigned long long>(number));
  return buf;
}

std::optional<std::uint64_t> ParseTableFileName(std::string_view name) {
  constexpr std::string_view kSuffix = ".sst";
  if (name.size() <= kSuffix.size() || !name.ends_with(kSuffix)) return std::nullopt;
  std::string_view digits = name.substr(0, name.size() - kSuffix.size());
  if (digits.size() < 6 || digits.size() > 19) return std::nullopt;
  std::uint64_t n = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + static_cast<std::uint64_t>(c - '0');
  }
  if (TableFileName(n) != name) return std::nullopt;
  return n;
}

void EncodeManifest(const Manifest& m, std::string* out) {
  out->assign(kMagic, kMagicBytes);
  out->push_back(static_cast<char>(kManifestFormatVersion));
  PutVarint(m.flushed_lsn, out);
  PutVarint(m.next_file_number, out);
  PutVarint(m.files.size(), out);
  for (const ManifestFile& f : m.files) {
    PutVarint(f.number, out);
    PutVarint(f.file_bytes, out);
    PutVarint(f.smallest_lsn, out);
    PutVarint(f.largest_lsn, out);
    PutBytes(f.smallest_key, out);
    PutBytes(f.largest_key, out);
  }
  PutFixed64(XXH3_64bits(out->data(), out->size()), out);
}

Result<Manifest> DecodeManifest(std::string_view bytes, std::string_view path) {
  if (bytes.size() < kMagicBytes + 1 + kChecksumBytes) return Corrupt(path, "too short");
  if (bytes.substr(0, kMagicBytes) != std::string_view(kMagic, kMagicBytes)) {
    return Corrupt(path, "bad magic");
  }
  const std::string_view body = bytes.substr(0, bytes.size() - kChecksumBytes);
  if (DecodeFixed64(bytes.data() + body.size()) != XXH3_64bits(body.data(), body.size())) {
    return Corrupt(path, "bad checksum");
  }
  if (static_cast<std::uint8_t>(body[kMagicBytes]) != kManifestFormatVersion) {
    return Corrupt(path, "unknown format version " +
                             std::to_string(static_cast<std::uint8_t>(body[kMagicBytes])));
  }
  ByteReader r(body.substr(kMagicBytes + 1));
  Manifest m;
  std::size_t count = 0;
  if (!r.ReadVarint(&m.flushed_lsn) || !r.ReadVarint(&m.next_file_number) ||
      !r.ReadCount(6, &count)) {
    return Corrupt(path, "malformed header");
  }
  m.files.resize(count);
  for (ManifestFile& f : m.files) {
    std::string_view lo, hi;
    if (!r.ReadVarint(&f.number) || !r.ReadVarint(&f.file_bytes) ||
        !r.ReadVarint(&f.smallest_lsn) || !r.ReadVarint(&f.largest_lsn) ||
        !r.ReadLengthPrefixed(&lo) || !r.ReadLengthPrefixed(&hi)) {
      return Corrupt(path, "malformed file entry");
    }
    if (f.number >= m.next_file_number) return Corrupt(path, "file number past the next one");
    f.smallest_key = lo;
    f.largest_key = hi;
  }
  if (!r.done()) return Corrupt(path, "trailing bytes");
  return m;
}

Status WriteManifest(wal::Env* env, const std::string& dir, const Manifest& manifest) {
  const std::string temp = dir + "/" + kManifestTempName;
  Status removed = env->Remove(temp);  // a leftover from a crash would leave a longer tail
  if (!removed.ok() && !removed.IsNotFound()) return removed;
  std::string bytes;
  EncodeManifest(manifest, &bytes);
  wal::OpenOptions open;
  open.create = true;
  EDDY_ASSIGN_OR_RETURN(wal::FileId file, env->Open(temp, open));
  Status s = WriteWhole(env, file, bytes);
  Status closed = env->Close(file);
  if (s.ok()) s = closed;
  EDDY_RETURN_IF_ERROR(s);
  EDDY_RETURN_IF_ERROR(env->Rename(temp, dir + "/" + kManifestName));
  return env->SyncDir(dir);
}

Result<std::optional<Manifest>> ReadManifest(ReadQueuePool* io, const std::string& dir) {
  const std::string path = dir + "/" + kManifestName;
  wal::OpenOptions open;
  open.read_only = true;
  Result<wal::FileId> file = io->env()->Open(path, open);
  if (file.status().IsNotFound()) return std::optional<Manifest>();
  EDDY_RETURN_IF_ERROR(file.status());
  Result<std::uint64_t> size = io->env()->FileSize(*file);
  std::string bytes;
  Status s = size.status();
  if (s.ok() && *size > (64u << 20)) s = Corrupt(path, "implausibly large");
  if (s.ok()) {
    bytes.resize(*size);
    Result<std::uint32_t> got =
        io->Read(*file, 0, bytes.data(), static_cast<std::uint32_t>(bytes.size()));
    s = got.status();
    if (s.ok() && *got != bytes.size()) s = Corrupt(path, "short read");
  }
  io->env()->Close(*file).IgnoreError();
  EDDY_RETURN_IF_ERROR(s);
  EDDY_ASSIGN_OR_RETURN(Manifest m, DecodeManifest(bytes, path));
  return std::optional<Manifest>(std::move(m));
}

}  // namespace eddy::compaction
