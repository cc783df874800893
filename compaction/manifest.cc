#include "compaction/manifest.h"

#include <cstdio>

#include "common/byte_codec.h"
#include "common/hash.h"
#include "compaction/format.h"
#include "wal/durable_file.h"

namespace eddy::compaction {
namespace {

constexpr char kMagic[] = "EDDYMAN1";  // 8 bytes, no terminator written
constexpr std::size_t kMagicBytes = 8;
constexpr std::size_t kChecksumBytes = 8;

Status Corrupt(std::string_view path, std::string_view what) {
  return Status::Corruption("manifest " + std::string(path) + ": " + std::string(what));
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
  PutBytes(m.catalog, out);
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
  const auto version = static_cast<std::uint8_t>(body[kMagicBytes]);
  if (version < 1 || version > kManifestFormatVersion) {
    return Corrupt(path, "unknown format version " +
                             std::to_string(static_cast<std::uint8_t>(body[kMagicBytes])));
  }
  ByteReader r(body.substr(kMagicBytes + 1));
  Manifest m;
  std::size_t count = 0;
  std::string_view catalog;
  if (!r.ReadVarint(&m.flushed_lsn) || !r.ReadVarint(&m.next_file_number) ||
      (version >= 2 && !r.ReadLengthPrefixed(&catalog)) || !r.ReadCount(6, &count)) {
    return Corrupt(path, "malformed header");
  }
  m.catalog = catalog;
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
  std::string bytes;
  EncodeManifest(manifest, &bytes);
  return wal::ReplaceFileDurably(env, dir, kManifestName, bytes);
}

Result<std::optional<Manifest>> ReadManifest(ReadQueuePool* io, const std::string& dir) {
  const std::string path = dir + "/" + kManifestName;
  EDDY_ASSIGN_OR_RETURN(std::optional<std::string> bytes,
                        wal::ReadWholeFile(io->env(), path, 64u << 20));
  if (!bytes) return std::optional<Manifest>();
  EDDY_ASSIGN_OR_RETURN(Manifest m, DecodeManifest(*bytes, path));
  return std::optional<Manifest>(std::move(m));
}

}  // namespace eddy::compaction
