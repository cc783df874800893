#include "memtable/skiplist.h"

#include <new>

namespace eddy::memtable {

SkipList::SkipList(Arena* arena) : arena_(arena), head_(NewNode({}, kMaxHeight)) {}

SkipList::Node* SkipList::NewNode(std::string_view key, int height) {
  const std::size_t tower = sizeof(std::atomic<Node*>) * static_cast<std::size_t>(height);
  char* raw = arena_->Allocate(tower + Node::kKeyOffset + key.size());
  Node* node = reinterpret_cast<Node*>(raw + tower);
  new (&node->payload_) std::atomic<const void*>(nullptr);
  node->key_length_ = static_cast<std::uint32_t>(key.size());
  node->height_ = static_cast<std::uint8_t>(height);
  if (!key.empty()) std::memcpy(raw + tower + Node::kKeyOffset, key.data(), key.size());
  for (int i = 0; i < height; ++i)
    new (&node->Tower(i)) std::atomic<Node*>(nullptr);
  return node;
}

int SkipList::RandomHeight() {
  thread_local std::minstd_rand rng(std::random_device{}());
  int height = 1;
  while (height < kMaxHeight && (rng() & 3) == 0)
    ++height;
  return height;
}

SkipList::Node* SkipList::LowerBound(std::string_view key) const {
  Node* x = head_;
  for (int level = MaxHeight() - 1; level >= 0; --level) {
    for (Node* next = x->Next(level); next != nullptr && Less(next, key); next = x->Next(level)) {
      x = next;
    }
  }
  return x->Next(0);
}

SkipList::Node* SkipList::Find(std::string_view key) const {
  Node* n = LowerBound(key);
  return n != nullptr && n->key() == key ? n : nullptr;
}

SkipList::Node* SkipList::LastBefore(std::string_view key) const {
  Node* x = head_;
  for (int level = MaxHeight() - 1; level >= 0; --level) {
    for (Node* next = x->Next(level); next != nullptr && Less(next, key); next = x->Next(level)) {
      x = next;
    }
  }
  return x == head_ ? nullptr : x;
}

SkipList::Node* SkipList::Last() const {
  Node* x = head_;
  for (int level = MaxHeight() - 1; level >= 0; --level) {
    for (Node* next = x->Next(level); next != nullptr; next = x->Next(level))
      x = next;
  }
  return x == head_ ? nullptr : x;
}

SkipList::Node* SkipList::FindWithSplice(std::string_view key, Splice* splice) const {
  // Search from the top of the list as it is now; levels above the current
  // height have head_ as predecessor and null as successor.
  const int max_height = MaxHeight();
  Node* x = head_;
  for (int level = kMaxHeight - 1; level >= 0; --level) {
    Node* n = level < max_height ? x->Next(level) : nullptr;
    while (n != nullptr && Less(n, key)) {
      x = n;
      n = x->Next(level);
    }
    splice->prev[level] = x;
    splice->next[level] = n;
  }
  Node* found = splice->next[0];
  return found != nullptr && found->key() == key ? found : nullptr;
}

SkipList::Node* SkipList::FindNear(std::string_view key, Splice* splice) const {
  assert(splice->prev[0] == head_ || Less(splice->prev[0], key));
  // Successors grow with the level, so the levels where the old splice
  // still brackets `key` are all those from some level up: find the lowest,
  // and search below it from its predecessor. Consecutive keys of a sorted
  // batch sit close together, so this climbs a level or two.
  int level = 0;
  while (level < kMaxHeight && splice->next[level] != nullptr && Less(splice->next[level], key)) {
    ++level;
  }
  Node* x = head_;
  int search_from = kMaxHeight - 1;
  if (level < kMaxHeight) {
    x = splice->prev[level];
    search_from = level - 1;
  }
  for (int l = search_from; l >= 0; --l) {
    Node* n = x->Next(l);
    while (n != nullptr && Less(n, key)) {
      x = n;
      n = x->Next(l);
    }
    splice->prev[l] = x;
    splice->next[l] = n;
  }
  Node* found = splice->next[0];
  return found != nullptr && found->key() == key ? found : nullptr;
}

SkipList::Node* SkipList::FindOrInsert(std::string_view key, bool* inserted) {
  Splice splice;
  if (Node* found = FindWithSplice(key, &splice)) {
    *inserted = false;
    return found;
  }
  *inserted = true;
  return InsertAt(key, &splice);
}

SkipList::Node* SkipList::InsertAt(std::string_view key, Splice* splice) {
  const int height = RandomHeight();
  int max_height = MaxHeight();
  while (height > max_height && !max_height_.compare_exchange_weak(max_height, height)) {
  }
  Node* node = NewNode(key, height);
  for (int level = 0; level < height; ++level) {
    while (true) {
      node->Tower(level).store(splice->next[level], std::memory_order_relaxed);
      if (splice->prev[level]->Tower(level).compare_exchange_strong(splice->next[level], node,
                                                                    std::memory_order_release)) {
        break;
      }
      // Someone linked a node here since the search: walk forward from our
      // predecessor to the key's place on this level.
      Node* p = splice->prev[level];
      Node* n = p->Next(level);
      while (n != nullptr && Less(n, key)) {
        p = n;
        n = p->Next(level);
      }
      assert(level > 0 || n == nullptr || n->key() != key);
      splice->prev[level] = p;
      splice->next[level] = n;
    }
  }
  for (int level = 0; level < height; ++level)
    splice->prev[level] = node;
  size_.fetch_add(1, std::memory_order_relaxed);
  return node;
}

}  // namespace eddy::memtable
