#include "memtable/memtable.h"

#include <cstring>
#include <new>

namespace eddy::memtable {

Memtable::Memtable(std::size_t arena_block_bytes, std::size_t filter_bytes)
    : node_arena_(arena_block_bytes),
      version_arena_(arena_block_bytes),
      list_(&node_arena_),
      filter_(filter_bytes) {}

Memtable::Memtable(std::shared_ptr<ArenaBlockPool> pool, std::size_t filter_bytes)
    : node_arena_(pool), version_arena_(pool), list_(&node_arena_), filter_(filter_bytes) {}

const ItemVersion* Memtable::NewVersion(Lsn lsn, std::string_view value) {
  char* raw = version_arena_.Allocate(sizeof(ItemVersion) + value.size());
  auto* v = new (raw) ItemVersion();
  v->set_lsn(lsn);
  v->size_ = static_cast<std::uint32_t>(value.size());
  std::memcpy(raw + sizeof(ItemVersion), value.data(), value.size());
  return v;
}

const ItemVersion* Memtable::NewDeletion(Lsn lsn) {
  auto* v = new (version_arena_.Allocate(sizeof(ItemVersion))) ItemVersion();
  v->set_lsn(lsn);
  v->size_ = ItemVersion::kDeletion;
  return v;
}

void Memtable::Put(std::string_view key, Lsn lsn, std::string_view value) {
  Install(key, NewVersion(lsn, value));
}

void Memtable::Delete(std::string_view key, Lsn lsn) {
  Install(key, NewDeletion(lsn));
}

void Memtable::Install(std::string_view key, const ItemVersion* version) {
  // Before the node can be linked: a reader must not be told "absent" for a
  // key whose write it may already have seen acknowledged.
  filter_.Add(blocked_bloom::KeyHash(key));
  bool inserted;
  SkipList::Node* node = list_.FindOrInsert(key, &inserted);
  // Release: a reader that sees the pointer sees the version's bytes.
  node->payload().store(version, std::memory_order_release);
}

const ItemVersion* Memtable::Get(std::string_view key, std::uint64_t key_hash) const {
  if (!filter_.MayContain(key_hash)) return nullptr;
  SkipList::Node* node = list_.Find(key);
  if (node == nullptr) return nullptr;
  return static_cast<const ItemVersion*>(node->payload().load(std::memory_order_acquire));
}

const ItemVersion* Memtable::Find(std::string_view key, Slot* slot) const {
  slot->node = list_.FindWithSplice(key, &slot->splice);
  if (slot->node == nullptr) {
    // A new key: its filter block is needed at the install, after the log
    // append; start loading it now.
    slot->key_hash = blocked_bloom::KeyHash(key);
    filter_.Prefetch(slot->key_hash);
    return nullptr;
  }
  return static_cast<const ItemVersion*>(slot->node->payload().load(std::memory_order_acquire));
}

void Memtable::Put(Slot* slot, std::string_view key, Lsn lsn, std::string_view value) {
  InstallAt(slot, key, NewVersion(lsn, value));
}

void Memtable::Delete(Slot* slot, std::string_view key, Lsn lsn) {
  InstallAt(slot, key, NewDeletion(lsn));
}

void Memtable::InstallAt(Slot* slot, std::string_view key, const ItemVersion* version) {
  if (slot->node == nullptr) {
    filter_.Add(slot->key_hash);  // before the node is linked, as in Install
    slot->node = list_.InsertAt(key, &slot->splice);
  }
  slot->node->payload().store(version, std::memory_order_release);
}

}  // namespace eddy::memtable
