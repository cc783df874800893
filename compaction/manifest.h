// Manifest: which table files are live, and how far the log is covered by
// them (docs/flush_and_compaction.md, "Manifest format").
//
// One small file, <tables dir>/MANIFEST, rewritten whole on every change
// (wal/durable_file.h: MANIFEST.tmp, fdatasync, rename, directory sync). A crash at any step leaves
// either the old or the new manifest, never a mix; a leftover MANIFEST.tmp is ignored and removed
// at open. Why not leveldb's append-only log of edits: the live set is a few dozen entries, so
// rewriting it costs one small write, and the reader needs no replay or compaction of the manifest
// itself.
//
// Thread-safety: the functions are stateless; the engine serialises writers.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "compaction/read_queue_pool.h"
#include "eddy/result.h"
#include "eddy/types.h"
#include "wal/env.h"

namespace eddy::compaction {

// Version 2 added the catalog checkpoint; version 1 files read with none.
inline constexpr std::uint8_t kManifestFormatVersion = 2;
inline constexpr char kManifestName[] = "MANIFEST";
inline constexpr char kManifestTempName[] = "MANIFEST.tmp";

struct ManifestFile {
  std::uint64_t number = 0;
  std::uint64_t file_bytes = 0;
  Lsn smallest_lsn = kNoLsn;
  Lsn largest_lsn = kNoLsn;
  std::string smallest_key;
  std::string largest_key;
  bool operator==(const ManifestFile&) const = default;
};

struct Manifest {
  // Every item change with LSN <= flushed_lsn is in the live files.
  Lsn flushed_lsn = 0;
  // The next file number to hand out; never reused within a directory.
  std::uint64_t next_file_number = 1;
  // The engine's catalog checkpoint (engine/catalog_checkpoint.h), opaque
  // here: written with the files it belongs with, in the same atomic
  // replace. Empty: none (the log holds the whole catalog).
  std::string catalog;
  std::vector<ManifestFile> files;  // newest first
  bool operator==(const Manifest&) const = default;
};

// "000042.sst"
std::string TableFileName(std::uint64_t number);
// The number of a name TableFileName made, or nullopt.
std::optional<std::uint64_t> ParseTableFileName(std::string_view name);

void EncodeManifest(const Manifest& manifest, std::string* out);
// Corruption("manifest <path>: ...") on any damage.
Result<Manifest> DecodeManifest(std::string_view bytes, std::string_view path);

// Replaces <dir>/MANIFEST durably (temp file, fdatasync, rename, dir sync).
Status WriteManifest(wal::Env* env, const std::string& dir, const Manifest& manifest);
// The manifest in `dir`, or nullopt when there is none (a new directory).
Result<std::optional<Manifest>> ReadManifest(ReadQueuePool* io, const std::string& dir);

}  // namespace eddy::compaction
