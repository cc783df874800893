#include "compaction/format.h"

#include "common/byte_codec.h"
#include "common/hash.h"

namespace eddy::compaction {

std::uint64_t BlockChecksum(const char* contents_and_type, std::size_t contents_size) {
  return XXH3_64bits(contents_and_type, contents_size + 1);
}

void AppendBlockTrailer(BlockType type, std::string_view contents, std::string* out) {
  // Streaming, so a block of a large value is not copied just to be hashed;
  // XXH3 gives the same digest as the one-shot call over the joined bytes.
  XXH3_state_t state;
  XXH3_64bits_reset(&state);
  XXH3_64bits_update(&state, contents.data(), contents.size());
  char type_byte = static_cast<char>(type);
  XXH3_64bits_update(&state, &type_byte, 1);
  out->push_back(type_byte);
  PutFixed64(XXH3_64bits_digest(&state), out);
}

Status CheckBlockTrailer(const char* data, std::size_t size, BlockType expected,
                         std::string_view path, std::uint64_t offset) {
  // The checksum first: a flipped type byte is damage, not a misdirected read.
  if (DecodeFixed64(data + size + 1) != BlockChecksum(data, size)) {
    return TableCorruption(path, "bad checksum in block", offset);
  }
  if (static_cast<std::uint8_t>(data[size]) != static_cast<std::uint8_t>(expected)) {
    return TableCorruption(path, "unexpected block type in block", offset);
  }
  return Status::Ok();
}

std::string EncodeFooter(const Footer& footer) {
  std::string out;
  out.reserve(kFooterBytes);
  for (const BlockHandle* h : {&footer.index, &footer.filter, &footer.properties}) {
    PutFixed64(h->offset, &out);
    PutFixed64(h->size, &out);
  }
  PutFixed64(footer.entry_count, &out);
  out.push_back(static_cast<char>(footer.format_version));
  out.append(7, '\0');
  PutFixed64(XXH3_64bits(out.data(), out.size()), &out);
  PutFixed64(kTableMagic, &out);
  return out;
}

Result<Footer> DecodeFooter(std::string_view bytes, std::string_view path, std::uint64_t offset) {
  if (bytes.size() != kFooterBytes) return TableCorruption(path, "short footer", offset);
  const char* p = bytes.data();
  if (DecodeFixed64(p + 72) != kTableMagic) {
    return TableCorruption(path, "bad magic (not a table, or truncated) in footer", offset);
  }
  if (DecodeFixed64(p + 64) != XXH3_64bits(p, 64)) {
    return TableCorruption(path, "bad checksum in footer", offset);
  }
  Footer f;
  BlockHandle* handles[] = {&f.index, &f.filter, &f.properties};
  for (int i = 0; i < 3; ++i) {
    handles[i]->offset = DecodeFixed64(p + 16 * i);
    handles[i]->size = DecodeFixed64(p + 16 * i + 8);
  }
  f.entry_count = DecodeFixed64(p + 48);
  f.format_version = static_cast<std::uint8_t>(p[56]);
  if (f.format_version < kOldestTableFormatVersion || f.format_version > kTableFormatVersion) {
    return TableCorruption(
        path, "unsupported format version " + std::to_string(f.format_version) + " in footer",
        offset);
  }
  return f;
}

std::string EncodeProperties(const TableProperties& props) {
  std::string out;
  PutVarint(props.smallest_lsn, &out);
  PutVarint(props.largest_lsn, &out);
  PutVarint(props.data_block_count, &out);
  PutBytes(props.smallest_key, &out);
  PutBytes(props.largest_key, &out);
  return out;
}

std::optional<TableProperties> DecodeProperties(std::string_view bytes) {
  ByteReader in(bytes);
  TableProperties props;
  std::string_view smallest, largest;
  if (!in.ReadVarint(&props.smallest_lsn) || !in.ReadVarint(&props.largest_lsn) ||
      !in.ReadVarint(&props.data_block_count) || !in.ReadLengthPrefixed(&smallest) ||
      !in.ReadLengthPrefixed(&largest) || !in.done()) {
    return std::nullopt;
  }
  props.smallest_key.assign(smallest);
  props.largest_key.assign(largest);
  return props;
}

void EncodeBlockHandle(const BlockHandle& handle, std::string* out) {
  PutVarint(handle.offset, out);
  PutVarint(handle.size, out);
}

std::optional<BlockHandle> DecodeBlockHandle(std::string_view bytes) {
  ByteReader in(bytes);
  BlockHandle h;
  if (!in.ReadVarint(&h.offset) || !in.ReadVarint(&h.size) || !in.done()) return std::nullopt;
  return h;
}

Status TableCorruption(std::string_view path, std::string_view what, std::uint64_t offset) {
  std::string msg = "table ";
  msg.append(path);
  msg.append(": ");
  msg.append(what);
  msg.append(" at offset ");
  msg.append(std::to_string(offset));
  return Status::Corruption(msg);
}

}  // namespace eddy::compaction
