// SkipList: an ordered set of byte-string keys with concurrent inserts and
// lock-free reads, each key owning one mutable payload word.
//
// Design note. The shape is LevelDB's skip list (towers of next pointers,
// branching 4, max height 12) with RocksDB's concurrent insert: a new node is
// linked bottom-up with one compare-and-swap per level, and a failed CAS only
// re-searches that level from the predecessor it had. Nodes are never removed
// or moved, so a reader that follows acquire-loaded pointers always sees a
// fully built node. Why not a mutex around std::map? Every insert would
// serialise writers and every node would cost a separate allocation of ~80
// bytes; here a node is its tower plus the key, inline in the arena.
//
// Node layout in the arena (one allocation):
//   [next[height-1] ... next[0]] [payload word] [u32 key length] [u8 height] [key bytes]
// The node pointer points at `payload`; towers grow downwards from it.
//
// Thread-safety: Insert may run concurrently with other Inserts of different
// keys and with any number of readers; inserting the same key concurrently is
// the caller's bug (the engine serialises writes per item).
#pragma once

#include <atomic>
#include <cassert>
#include <cstdint>
#include <cstring>
#include <random>
#include <string_view>

#include "memtable/arena.h"

namespace eddy::memtable {

class SkipList {
 public:
  static constexpr int kMaxHeight = 12;

  class Node {
   public:
    std::string_view key() const {
      return {reinterpret_cast<const char*>(this) + kKeyOffset, key_length_};
    }
    // The caller's word (the engine stores a pointer to the latest version).
    std::atomic<const void*>& payload() { return payload_; }
    const std::atomic<const void*>& payload() const { return payload_; }

    Node* Next(int level) const { return Tower(level).load(std::memory_order_acquire); }

   private:
    friend class SkipList;
    static constexpr std::size_t kKeyOffset = 16;  // payload 8 + length 4 + height 1, padded

    std::atomic<Node*>& Tower(int level) const {
      // Tower slots sit just below the node, level 0 closest.
      auto* base = reinterpret_cast<std::atomic<Node*>*>(const_cast<Node*>(this));
      return base[-1 - level];
    }

    std::atomic<const void*> payload_;
    std::uint32_t key_length_;
    std::uint8_t height_;
  };
  static_assert(sizeof(std::atomic<Node*>) == 8);

  // Where a key is or would go, level by level: what a search leaves behind,
  // so that an insert after a lookup need not search again. Stays usable
  // while other keys are inserted concurrently (a stale level is repaired
  // from its predecessor during the insert).
  struct Splice {
    Node* prev[kMaxHeight];
    Node* next[kMaxHeight];
  };

  explicit SkipList(Arena* arena);

  // Returns the node for `key`, inserting it with a null payload if absent.
  // *inserted tells which happened.
  Node* FindOrInsert(std::string_view key, bool* inserted);
  // The node for `key` or null; either way *splice records the search.
  Node* FindWithSplice(std::string_view key, Splice* splice) const;
  // FindWithSplice for a sorted sequence of keys (a finger search): starts
  // from *splice, which a search for (or an insert of) a smaller key left,
  // rather than from the top of the list, so the cost grows with the number
  // of nodes between the two keys, not with the list's size. Single-threaded
  // use only: no other thread may insert between the two calls.
  Node* FindNear(std::string_view key, Splice* splice) const;
  // Inserts `key`, known to be absent (FindWithSplice returned null and no
  // one else may insert this key meanwhile), at `splice`. On return *splice
  // has the new node as predecessor on its levels, ready for FindNear of a
  // larger key.
  Node* InsertAt(std::string_view key, Splice* splice);
  // The node for `key`, or null.
  Node* Find(std::string_view key) const;
  // First node with key >= `key` (null at the end).
  Node* LowerBound(std::string_view key) const;
  // Last node with key < `key` (null if none).
  Node* LastBefore(std::string_view key) const;
  // Last node (null when empty).
  Node* Last() const;
  Node* First() const { return head_->Next(0); }

  std::size_t size() const { return size_.load(std::memory_order_relaxed); }

 private:
  Node* NewNode(std::string_view key, int height);
  int RandomHeight();
  int MaxHeight() const { return max_height_.load(std::memory_order_relaxed); }
  static bool Less(const Node* n, std::string_view key) { return n->key() < key; }

  Arena* const arena_;
  Node* const head_;
  std::atomic<int> max_height_{1};
  std::atomic<std::size_t> size_{0};
};

}  // namespace eddy::memtable

namespace eddy::memtable {
static_assert(sizeof(SkipList::Node) == 16, "key bytes follow the node header at offset 16");
}  // namespace eddy::memtable
