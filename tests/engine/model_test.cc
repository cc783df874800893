// The randomized model test of the engine: a long seeded run of puts,
// updates, deletes, batches and transactions over a small key space, checked
// op by op against a std::map reference model and a reference
// re-implementation of the few update actions and conditions it generates.
//
// What it pins down (include/eddy/db.h's contract):
//   - after every op, the WriteOutcome (status, change type, LSN, returned
//     attributes) is the model's;
//   - after every op, the number of log records is exactly the number of real
//     changes the model predicts: one per changing single write, one per
//     committed transaction that changes something, none for a no-op or a
//     false condition. Many ops are no-ops on purpose: identical re-puts (set
//     elements, map keys and numbers spelled differently), SET to the current
//     value, ADD 0, REMOVE of absent attributes, DELETE of absent set
//     elements, deletes of missing items, REMOVE-only updates of missing
//     items, failing conditions, cancelled transactions;
//   - every few thousand ops, Get of every key, full and paged Scans, Query of
//     each partition (both directions) and the table's item count match the
//     model;
//   - every few tens of thousands of ops the Db is closed and reopened:
//     recovery from the log rebuilds the same items, and the LSN count goes on
//     where it stopped.
//
// The generator keeps to actions whose semantics are easy to restate exactly
// (top-level SET of a literal, SET n = if_not_exists(n, 0) +/- k, REMOVE, ADD
// to a number or a set, DELETE from a set), so the model stays obviously
// right rather than a second copy of update_apply.cc.
//
// Reproduce a run: EDDY_MODEL_SEED=<seed printed at the start>.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <climits>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <iterator>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "eddy/condition.h"
#include "eddy/db.h"
#include "eddy/update.h"
#include "engine/db_impl.h"
#include "support/temp_dir.h"

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define EDDY_MODEL_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define EDDY_MODEL_SANITIZED 1
#endif
#endif

// The file's own namespace: the unity build compiles the files of a test
// folder as one translation unit, where anonymous namespaces are shared.
namespace eddy::model_test {
namespace {

constexpr char kTable[] = "model";
constexpr int kSortKeyBase = -100;  // sort keys -100 .. 199: negative ones too
// Sanitizer builds run a fifth of the ops (they are several times slower);
// Release runs the full count.
#ifdef EDDY_MODEL_SANITIZED
constexpr int kOpsDivisor = 5;
#else
constexpr int kOpsDivisor = 1;
#endif
constexpr int kCheckEvery = 5'000;
constexpr int kReopenEvery = 25'000;

std::uint64_t Seed() {
  const char* env = std::getenv("EDDY_MODEL_SEED");
  if (env != nullptr && env[0] != '\0') return std::strtoull(env, nullptr, 10);
  return 20261123;
}

AttributeValue N(std::int64_t n) {
  return AttributeValue::N(Number::FromInt64(n));
}
AttributeValue S(std::string s) {
  return AttributeValue::S(std::move(s));
}

struct ModelKey {
  int pk = 0;  // partition "p<pk>"
  int sk = 0;  // the sort key's numeric value
  auto operator<=>(const ModelKey&) const = default;
};

std::string KeyString(const ModelKey& k) {
  return "(p" + std::to_string(k.pk) + ", " + std::to_string(k.sk) + ")";
}

// The model: what the table must hold.
using Model = std::map<ModelKey, Item>;

// ---- Conditions the generator makes, and their reference semantics.

struct CondSpec {
  enum class Kind { kExists, kNotExists, kCompare, kContains, kAnd, kOr };
  Kind kind = Kind::kExists;
  std::string attr;
  CompareOp op = CompareOp::kEq;
  AttributeValue value;
  std::vector<CondSpec> children;
};

Condition BuildCondition(const CondSpec& c) {
  switch (c.kind) {
    case CondSpec::Kind::kExists:
      return cond::AttributeExists(Path(c.attr));
    case CondSpec::Kind::kNotExists:
      return cond::AttributeNotExists(Path(c.attr));
    case CondSpec::Kind::kCompare:
      return cond::Compare(c.op, Path(c.attr), cond::Value(c.value));
    case CondSpec::Kind::kContains:
      return cond::Contains(Path(c.attr), cond::Value(c.value));
    case CondSpec::Kind::kAnd:
    case CondSpec::Kind::kOr: {
      std::vector<Condition> children;
      for (const CondSpec& child : c.children)
        children.push_back(BuildCondition(child));
      return c.kind == CondSpec::Kind::kAnd ? cond::And(std::move(children))
                                            : cond::Or(std::move(children));
    }
  }
  return cond::AttributeExists(Path(c.attr));
}

// DynamoDB's rules restated for the shapes above: an absent attribute makes
// every comparison false except <>; ordering needs both sides S or both N.
bool ModelCondition(const CondSpec& c, const Item* item) {
  const AttributeValue* v = item != nullptr ? item->Find(c.attr) : nullptr;
  switch (c.kind) {
    case CondSpec::Kind::kExists:
      return v != nullptr;
    case CondSpec::Kind::kNotExists:
      return v == nullptr;
    case CondSpec::Kind::kCompare: {
      if (c.op == CompareOp::kNe) return v == nullptr || !(*v == c.value);
      if (v == nullptr) return false;
      if (c.op == CompareOp::kEq) return *v == c.value;
      if (v->type() != c.value.type()) return false;
      int cmp = 0;
      if (v->Is(AttributeType::kN)) {
        auto order = v->AsNumber() <=> c.value.AsNumber();
        cmp = order < 0 ? -1 : order > 0 ? 1 : 0;
      } else if (v->Is(AttributeType::kS)) {
        int r = v->AsString().compare(c.value.AsString());
        cmp = r < 0 ? -1 : r > 0 ? 1 : 0;
      } else {
        return false;
      }
      switch (c.op) {
        case CompareOp::kLt:
          return cmp < 0;
        case CompareOp::kLe:
          return cmp <= 0;
        case CompareOp::kGt:
          return cmp > 0;
        case CompareOp::kGe:
          return cmp >= 0;
        default:
          return false;
      }
    }
    case CondSpec::Kind::kContains:
      if (v == nullptr || !v->Is(AttributeType::kSS)) return false;
      return std::binary_search(v->AsStringSet().begin(), v->AsStringSet().end(),
                                c.value.AsString());
    case CondSpec::Kind::kAnd:
      return std::all_of(c.children.begin(), c.children.end(),
                         [&](const CondSpec& ch) { return ModelCondition(ch, item); });
    case CondSpec::Kind::kOr:
      return std::any_of(c.children.begin(), c.children.end(),
                         [&](const CondSpec& ch) { return ModelCondition(ch, item); });
  }
  return false;
}

// ---- Update actions the generator makes, and their reference semantics.

struct Act {
  enum class Kind { kSetLiteral, kSetIncrement, kRemove, kAdd, kDelete };
  Kind kind = Kind::kRemove;
  std::string attr;
  AttributeValue value;  // literal, ADD/DELETE operand, or the increment
  bool minus = false;    // kSetIncrement: if_not_exists(n, 0) - value
};

Update BuildUpdate(const std::vector<Act>& acts) {
  Update u;
  for (const Act& a : acts) {
    switch (a.kind) {
      case Act::Kind::kSetLiteral:
        u.actions.push_back(upd::Set(Path(a.attr), a.value));
        break;
      case Act::Kind::kSetIncrement: {
        UpdateOperand base = upd::IfNotExists(Path(a.attr), N(0));
        u.actions.push_back(
            upd::Set(Path(a.attr), a.minus ? upd::Minus(base, a.value) : upd::Plus(base, a.value)));
        break;
      }
      case Act::Kind::kRemove:
        u.actions.push_back(upd::Remove(Path(a.attr)));
        break;
      case Act::Kind::kAdd:
        u.actions.push_back(upd::Add(Path(a.attr), a.value));
        break;
      case Act::Kind::kDelete:
        u.actions.push_back(upd::Delete(Path(a.attr), a.value));
        break;
    }
  }
  return u;
}

Number AddNumbers(const Number& a, const Number& b, bool minus) {
  Result<Number> r = minus ? a.Subtract(b) : a.Add(b);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : Number();
}

// Set union / difference on the canonical (sorted, unique) element vectors.
template <typename T>
std::vector<T> SetUnion(const std::vector<T>& a, const std::vector<T>& b) {
  std::vector<T> out;
  std::set_union(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
  return out;
}
template <typename T>
std::vector<T> SetDifference(const std::vector<T>& a, const std::vector<T>& b) {
  std::vector<T> out;
  std::set_difference(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
  return out;
}

// The item an update leaves, or nullopt when there is none afterwards. Each
// generated update touches distinct top-level attributes and reads only the
// attribute it writes, so applying the actions in order is exact.
std::optional<Item> ModelUpdate(const Item* old, const Item& key, const std::vector<Act>& acts,
                                bool null_update) {
  if (null_update) return old != nullptr ? *old : key;
  const bool only_removes = std::all_of(acts.begin(), acts.end(), [](const Act& a) {
    return a.kind == Act::Kind::kRemove || a.kind == Act::Kind::kDelete;
  });
  if (old == nullptr && only_removes) return std::nullopt;  // DynamoDB creates nothing
  Item item = old != nullptr ? *old : key;
  for (const Act& a : acts) {
    const AttributeValue* cur = item.Find(a.attr);
    switch (a.kind) {
      case Act::Kind::kSetLiteral:
        item.Set(a.attr, a.value);
        break;
      case Act::Kind::kSetIncrement: {
        Number base = cur != nullptr ? cur->AsNumber() : Number();
        item.Set(a.attr, AttributeValue::N(AddNumbers(base, a.value.AsNumber(), a.minus)));
        break;
      }
      case Act::Kind::kRemove:
        item.Erase(a.attr);
        break;
      case Act::Kind::kAdd:
        if (cur == nullptr) {
          item.Set(a.attr, a.value);
        } else if (a.value.Is(AttributeType::kN)) {
          item.Set(a.attr,
                   AttributeValue::N(AddNumbers(cur->AsNumber(), a.value.AsNumber(), false)));
        } else if (a.value.Is(AttributeType::kSS)) {
          item.Set(a.attr, AttributeValue::SSFromCanonical(
                               SetUnion(cur->AsStringSet(), a.value.AsStringSet())));
        } else {
          item.Set(a.attr, AttributeValue::NSFromCanonical(
                               SetUnion(cur->AsNumberSet(), a.value.AsNumberSet())));
        }
        break;
      case Act::Kind::kDelete: {
        if (cur == nullptr) break;
        if (a.value.Is(AttributeType::kSS)) {
          auto rest = SetDifference(cur->AsStringSet(), a.value.AsStringSet());
          if (rest.empty()) {
            item.Erase(a.attr);
          } else {
            item.Set(a.attr, AttributeValue::SSFromCanonical(std::move(rest)));
          }
        } else {
          auto rest = SetDifference(cur->AsNumberSet(), a.value.AsNumberSet());
          if (rest.empty()) {
            item.Erase(a.attr);
          } else {
            item.Set(a.attr, AttributeValue::NSFromCanonical(std::move(rest)));
          }
        }
        break;
      }
    }
  }
  return item;
}

// ---- One generated write.

struct OpSpec {
  WriteOp::Kind kind = WriteOp::Kind::kPut;
  ModelKey key;
  Item key_item;  // the key as sent (its sort key possibly spelled "5.0" or "50E-1")
  Item item;      // kPut: the whole item as sent
  std::vector<Act> acts;
  bool null_update = false;
  std::optional<CondSpec> cond;
  ReturnValues return_values = ReturnValues::kNone;
  bool return_item_on_condition_failure = false;
  std::string tag;  // what the generator meant, for failure messages and stats

  // Built once the spec is final; the WriteOp borrows them.
  Update update;
  std::optional<Condition> condition;

  WriteOp ToWriteOp() {
    if (kind == WriteOp::Kind::kUpdate) update = BuildUpdate(acts);
    if (cond) condition = BuildCondition(*cond);
    WriteOp op = kind == WriteOp::Kind::kPut      ? WriteOp::Put(kTable, item)
                 : kind == WriteOp::Kind::kDelete ? WriteOp::Delete(kTable, key_item)
                 : kind == WriteOp::Kind::kUpdate
                     ? WriteOp::UpdateItem(kTable, key_item, null_update ? nullptr : &update)
                     : WriteOp::ConditionCheck(kTable, key_item, nullptr);
    if (condition) op.condition = &*condition;
    op.return_values = return_values;
    op.return_item_on_condition_failure = return_item_on_condition_failure;
    return op;
  }
};

// What the model says one op does.
struct Predicted {
  bool condition_holds = true;
  std::optional<Item> old_item;
  std::optional<Item> new_item;
  ChangeType change = ChangeType::kNone;
};

Predicted Predict(const Model& model, const OpSpec& op) {
  Predicted p;
  auto it = model.find(op.key);
  if (it != model.end()) p.old_item = it->second;
  const Item* old = p.old_item ? &*p.old_item : nullptr;
  if (op.cond && !ModelCondition(*op.cond, old)) {
    p.condition_holds = false;
    p.new_item = p.old_item;
    return p;
  }
  switch (op.kind) {
    case WriteOp::Kind::kPut:
      p.new_item = op.item;
      break;
    case WriteOp::Kind::kDelete:
      break;
    case WriteOp::Kind::kUpdate:
      p.new_item = ModelUpdate(old, op.key_item, op.acts, op.null_update);
      break;
    case WriteOp::Kind::kConditionCheck:
      p.new_item = p.old_item;
      break;
  }
  if (p.old_item == p.new_item) {
    p.change = ChangeType::kNone;
  } else if (!p.old_item) {
    p.change = ChangeType::kInsert;
  } else if (!p.new_item) {
    p.change = ChangeType::kRemove;
  } else {
    p.change = ChangeType::kModify;
  }
  return p;
}

// Top-level projection, as UPDATED_OLD / UPDATED_NEW return for these updates.
std::optional<Item> ProjectTopLevel(const std::optional<Item>& item, const std::vector<Act>& acts) {
  if (!item) return std::nullopt;
  Item out;
  for (const Act& a : acts) {
    if (const AttributeValue* v = item->Find(a.attr)) out.Set(a.attr, *v);
  }
  if (out.empty()) return std::nullopt;
  return out;
}

// The attributes ReturnValues asks for, per the model.
std::optional<Item> ExpectedAttributes(const OpSpec& op, const Predicted& p) {
  switch (op.return_values) {
    case ReturnValues::kNone:
      return std::nullopt;
    case ReturnValues::kAllOld:
      return p.old_item;
    case ReturnValues::kAllNew:
      return p.new_item;
    case ReturnValues::kUpdatedOld:
      return op.null_update ? std::nullopt : ProjectTopLevel(p.old_item, op.acts);
    case ReturnValues::kUpdatedNew:
      return op.null_update ? std::nullopt : ProjectTopLevel(p.new_item, op.acts);
  }
  return std::nullopt;
}

std::string Show(const std::optional<Item>& item) {
  return item ? item->DebugString() : "(none)";
}

// optional<Item> equality that prints both sides readably.
::testing::AssertionResult Same(const std::optional<Item>& got, const std::optional<Item>& want) {
  if (got == want) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "engine " << Show(got) << ", model " << Show(want);
}

// ---- The generator.

constexpr const char* kUpdatableAttrs[] = {"a", "b", "n", "tags", "ns", "m", "gone"};
// NS elements and the spellings they may be sent in (equal by value).
const std::vector<std::vector<const char*>> kNumberSpellings = {{"1", "1.0", "10E-1", "+1"},
                                                                {"2.5", "2.50", "25E-1", "0.25E1"},
                                                                {"-3", "-3.0", "-30E-1", "-0.3e1"},
                                                                {"10", "1E1", "10.000", "100e-1"}};

class Generator {
 public:
  Generator(std::uint64_t seed, int partitions, int sort_keys)
      : rng_(seed), partitions_(partitions), sort_keys_(sort_keys) {}

  int Uniform(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  bool Chance(int percent) { return Uniform(0, 99) < percent; }
  template <typename T>
  void Shuffle(std::vector<T>* v) {
    std::shuffle(v->begin(), v->end(), rng_);
  }

  ModelKey RandomKey() {
    return {Uniform(0, partitions_ - 1), kSortKeyBase + Uniform(0, sort_keys_ - 1)};
  }

  // A number spelled one of several equal ways.
  AttributeValue SpelledNumber(std::int64_t v) {
    std::string text;
    switch (Uniform(0, 3)) {
      case 0:
        text = std::to_string(v);
        break;
      case 1:
        text = std::to_string(v) + ".0";
        break;
      case 2:
        text = std::to_string(v * 10) + "E-1";
        break;
      default:
        text = std::to_string(v * 100) + "e-2";
        break;
    }
    Result<AttributeValue> n = AttributeValue::NFromString(text);
    EXPECT_TRUE(n.ok()) << text;
    return n.ok() ? *n : N(v);
  }

  Item KeyItem(const ModelKey& k) {
    Item key;
    key.Set("pk", S("p" + std::to_string(k.pk)));
    key.Set("sk", Chance(30) ? SpelledNumber(k.sk) : N(k.sk));
    return key;
  }

  AttributeValue RandomStringSet(int min_size = 1) {
    std::vector<std::string> elems;
    for (int i = 0; i < 5; ++i) {
      if (Chance(40)) elems.push_back("t" + std::to_string(i));
    }
    while (static_cast<int>(elems.size()) < min_size) {
      std::string e = "t" + std::to_string(Uniform(0, 4));
      if (std::find(elems.begin(), elems.end(), e) == elems.end()) elems.push_back(e);
    }
    Shuffle(&elems);
    return *AttributeValue::SS(std::move(elems));
  }

  AttributeValue RandomNumberSet() {
    std::vector<Number> elems;
    std::vector<std::size_t> picked;
    for (std::size_t i = 0; i < kNumberSpellings.size(); ++i) {
      if (Chance(45)) picked.push_back(i);
    }
    if (picked.empty()) picked.push_back(static_cast<std::size_t>(Uniform(0, 3)));
    for (std::size_t i : picked) {
      const auto& spellings = kNumberSpellings[i];
      elems.push_back(*Number::Parse(
          spellings[static_cast<std::size_t>(Uniform(0, static_cast<int>(spellings.size()) - 1))]));
    }
    Shuffle(&elems);
    return *AttributeValue::NS(std::move(elems));
  }

  AttributeValue RandomMap() {
    AttributeValue::Map entries;
    for (int i = 0; i < 3; ++i) {
      if (Chance(50)) entries.emplace_back("k" + std::to_string(i), N(Uniform(0, 1)));
    }
    Shuffle(&entries);
    return *AttributeValue::M(std::move(entries));
  }

  AttributeValue RandomValueFor(const std::string& attr) {
    if (attr == "a") return S(std::string(1, static_cast<char>('x' + Uniform(0, 2))));
    if (attr == "b") return AttributeValue::Bool(Chance(50));
    if (attr == "n") return SpelledNumber(Uniform(-5, 5));
    if (attr == "tags") return RandomStringSet();
    if (attr == "ns") return RandomNumberSet();
    return RandomMap();  // "m"
  }

  // The same value rebuilt from scratch with its elements, entries and
  // numbers given in another order or spelling: equal by meaning.
  AttributeValue Respelled(const AttributeValue& v) {
    switch (v.type()) {
      case AttributeType::kN: {
        Result<AttributeValue> r =
            AttributeValue::NFromString(v.AsNumber().ToString() + (Chance(50) ? "" : "E0"));
        return r.ok() ? *r : v;
      }
      case AttributeType::kSS: {
        std::vector<std::string> e = v.AsStringSet();
        Shuffle(&e);
        return *AttributeValue::SS(std::move(e));
      }
      case AttributeType::kNS: {
        std::vector<Number> e;
        for (const Number& n : v.AsNumberSet())
          e.push_back(*Number::Parse(n.ToString() + (Chance(50) ? "" : "e0")));
        Shuffle(&e);
        return *AttributeValue::NS(std::move(e));
      }
      case AttributeType::kM: {
        AttributeValue::Map e;
        for (const auto& [k, val] : v.AsMap())
          e.emplace_back(k, Respelled(val));
        Shuffle(&e);
        return *AttributeValue::M(std::move(e));
      }
      default:
        return v;
    }
  }

  Item Respelled(const Item& item) {
    Item::Entries entries;
    for (const auto& [name, value] : item)
      entries.emplace_back(name, Respelled(value));
    Shuffle(&entries);
    return *Item::FromEntries(std::move(entries));
  }

  CondSpec RandomCondition(int depth = 0) {
    static constexpr const char* kAttrs[] = {"a", "b", "n", "tags", "ns", "m", "gone"};
    CondSpec c;
    const int r = Uniform(0, depth > 0 ? 7 : 9);
    switch (r) {
      case 0:
      case 1:
        c.kind = r == 0 ? CondSpec::Kind::kExists : CondSpec::Kind::kNotExists;
        c.attr = "pk";
        break;
      case 2:
      case 3:
        c.kind = r == 2 ? CondSpec::Kind::kExists : CondSpec::Kind::kNotExists;
        c.attr = kAttrs[Uniform(0, 6)];
        break;
      case 4:
      case 5:
        c.kind = CondSpec::Kind::kCompare;
        c.attr = "n";
        c.op = static_cast<CompareOp>(Uniform(0, 5));
        c.value = SpelledNumber(Uniform(-3, 3));
        break;
      case 6:
        c.kind = CondSpec::Kind::kCompare;
        c.attr = "a";
        c.op = Chance(50) ? CompareOp::kEq : Chance(50) ? CompareOp::kNe : CompareOp::kLt;
        c.value = S(std::string(1, static_cast<char>('x' + Uniform(0, 2))));
        break;
      case 7:
        c.kind = CondSpec::Kind::kContains;
        c.attr = "tags";
        c.value = S("t" + std::to_string(Uniform(0, 4)));
        break;
      default:
        c.kind = r == 8 ? CondSpec::Kind::kAnd : CondSpec::Kind::kOr;
        c.children.push_back(RandomCondition(depth + 1));
        c.children.push_back(RandomCondition(depth + 1));
        break;
    }
    return c;
  }

  Act RandomAct(const std::string& attr, const Item* old, bool removes_only) {
    const AttributeValue* cur = old != nullptr ? old->Find(attr) : nullptr;
    Act a;
    a.attr = attr;
    if (attr == "gone" || (removes_only && attr != "tags" && attr != "ns")) {
      a.kind = Act::Kind::kRemove;
      return a;
    }
    if (removes_only) {  // tags, ns: REMOVE or DELETE
      a.kind = Chance(50) ? Act::Kind::kRemove : Act::Kind::kDelete;
      if (a.kind == Act::Kind::kDelete) {
        a.value = attr == "tags" ? RandomStringSet() : RandomNumberSet();
      }
      return a;
    }
    const int r = Uniform(0, 99);
    if (r < 20) {
      a.kind = Act::Kind::kRemove;
      return a;
    }
    if (attr == "n") {
      if (r < 50) {
        a.kind = Act::Kind::kSetIncrement;
        a.minus = Chance(50);
        a.value = SpelledNumber(Uniform(0, 2));  // 0: a no-op when n exists
      } else if (r < 75) {
        a.kind = Act::Kind::kAdd;
        a.value = SpelledNumber(Uniform(-2, 2));
      } else {
        a.kind = Act::Kind::kSetLiteral;
        a.value = cur != nullptr && Chance(60) ? Respelled(*cur) : RandomValueFor(attr);
      }
      return a;
    }
    if ((attr == "tags" || attr == "ns") && r < 70) {
      a.kind = r < 45 ? Act::Kind::kAdd : Act::Kind::kDelete;
      a.value = attr == "tags" ? RandomStringSet() : RandomNumberSet();
      return a;
    }
    a.kind = Act::Kind::kSetLiteral;
    a.value = cur != nullptr && Chance(60) ? Respelled(*cur) : RandomValueFor(attr);
    return a;
  }

  Item RandomItem(const ModelKey& key) {
    Item item = KeyItem(key);
    for (const char* attr : {"a", "b", "n", "tags", "ns", "m"}) {
      if (Chance(50)) item.Set(attr, RandomValueFor(attr));
    }
    return item;
  }

  // One op on `key` given its current model item. `in_transaction` allows
  // condition checks and keeps to ReturnValues NONE.
  OpSpec RandomOp(const ModelKey& key, const Item* old, bool in_transaction) {
    OpSpec op;
    op.key = key;
    op.key_item = KeyItem(key);
    const int r = Uniform(0, 99);
    if (in_transaction && r < 15) {
      op.kind = WriteOp::Kind::kConditionCheck;
      op.tag = "check";
      op.cond = RandomCondition();
      return op;
    }
    if (r < 35) {
      op.kind = WriteOp::Kind::kPut;
      if (old != nullptr && Chance(45)) {
        op.item = Respelled(*old);  // identical by meaning: a no-op
        op.tag = "re-put";
      } else if (old != nullptr && Chance(30)) {
        op.item = *old;
        const char* attr = kUpdatableAttrs[Uniform(0, 5)];
        op.item.Set(attr, RandomValueFor(attr));
        op.tag = "put-one-changed";
      } else {
        op.item = RandomItem(key);
        op.tag = "put";
      }
      op.item.Set("sk", *op.key_item.Find("sk"));
    } else if (r < 80) {
      op.kind = WriteOp::Kind::kUpdate;
      if (Chance(3)) {
        op.null_update = true;
        op.tag = "update-null";
      } else {
        const bool removes_only = Chance(15);
        std::vector<std::string> attrs(std::begin(kUpdatableAttrs), std::end(kUpdatableAttrs));
        Shuffle(&attrs);
        attrs.resize(static_cast<std::size_t>(Uniform(1, 3)));
        for (const std::string& attr : attrs)
          op.acts.push_back(RandomAct(attr, old, removes_only));
        op.tag = removes_only ? "update-removes" : "update";
      }
    } else {
      op.kind = WriteOp::Kind::kDelete;
      op.tag = "delete";
    }
    if (Chance(in_transaction ? 25 : 20)) {
      op.cond = RandomCondition();
      op.return_item_on_condition_failure = !in_transaction && Chance(50);
    }
    if (!in_transaction && Chance(30)) {
      if (op.kind == WriteOp::Kind::kUpdate) {
        op.return_values = static_cast<ReturnValues>(Uniform(1, 4));
      } else {
        op.return_values = ReturnValues::kAllOld;
      }
    }
    return op;
  }

 private:
  std::mt19937_64 rng_;
  const int partitions_;
  const int sort_keys_;
};

// ---- The test.

class ModelTest : public ::testing::Test {
 protected:
  void Open() {
    db_.reset();
    Options options;
    options.dir = dir_.path();
    options.sync_mode = SyncMode::kNone;  // Close syncs; reopen checks recovery
    options.wal_segment_bytes = 1 << 20;
    options.report_progress = false;
    if (memtable_budget_bytes_ != 0) options.memtable_budget_bytes = memtable_budget_bytes_;
    auto db = Db::Open(options);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(db).value();
  }

  Lsn LogRecords() const { return static_cast<engine::DbImpl*>(db_.get())->log().last_lsn(); }

  std::string Where(int op_index, const OpSpec* op = nullptr) const {
    std::string s =
        "op #" + std::to_string(op_index) + ", EDDY_MODEL_SEED=" + std::to_string(seed_);
    if (op != nullptr) s += ", " + op->tag + " " + KeyString(op->key);
    return s;
  }

  // Applies the model's prediction for one committed op.
  void Commit(const OpSpec& op, const Predicted& p) {
    if (p.change == ChangeType::kNone) return;
    if (p.new_item) {
      model_[op.key] = *p.new_item;
    } else {
      model_.erase(op.key);
    }
    ++changes_by_type_[static_cast<int>(p.change)];
  }

  void CheckOutcome(int i, const OpSpec& op, const Predicted& p, const WriteOutcome& out,
                    Lsn lsn_if_changed) {
    const bool failed = !p.condition_holds;
    EXPECT_EQ(out.status.IsConditionFailed(), failed)
        << Where(i, &op) << ": " << out.status.ToString();
    EXPECT_EQ(out.change, p.change)
        << Where(i, &op) << ": old " << Show(p.old_item) << ", new " << Show(p.new_item);
    EXPECT_EQ(out.lsn, p.change == ChangeType::kNone ? kNoLsn : lsn_if_changed) << Where(i, &op);
  }

  void SingleWrite(int i, OpSpec& op) {
    const Predicted p = Predict(model_, op);
    const WriteOp wop = op.ToWriteOp();
    WriteOutcome out;
    Status s = db_->Write(wop, &out);
    ASSERT_TRUE(s.ok() || s.IsConditionFailed()) << Where(i, &op) << ": " << s.ToString();
    EXPECT_EQ(s.IsConditionFailed(), !p.condition_holds) << Where(i, &op);
    const Lsn lsn = expected_records_ + 1;
    CheckOutcome(i, op, p, out, lsn);
    if (p.condition_holds) {
      EXPECT_TRUE(Same(out.attributes, ExpectedAttributes(op, p))) << Where(i, &op);
      EXPECT_FALSE(out.item_on_condition_failure.has_value()) << Where(i, &op);
    } else {
      ++stats_["condition-failed"];
      EXPECT_TRUE(Same(out.item_on_condition_failure,
                       op.return_item_on_condition_failure ? p.old_item : std::nullopt))
          << Where(i, &op);
    }
    if (p.change != ChangeType::kNone) ++expected_records_;
    ++stats_[p.change == ChangeType::kNone ? "no-op" : "change"];
    ++stats_[op.tag + (p.change == ChangeType::kNone ? " (no-op)" : "")];
    Commit(op, p);
  }

  // A BatchWriteItem: puts and deletes on distinct keys, each on its own.
  void Batch(int i, std::vector<OpSpec>& ops) {
    std::vector<WriteOp> wops;
    for (OpSpec& op : ops)
      wops.push_back(op.ToWriteOp());
    std::vector<WriteOutcome> outs;
    Status s = db_->WriteBatch(wops, &outs);
    ASSERT_TRUE(s.ok()) << Where(i) << ": " << s.ToString();
    ASSERT_EQ(outs.size(), ops.size());
    for (std::size_t k = 0; k < ops.size(); ++k) {
      const Predicted p = Predict(model_, ops[k]);
      CheckOutcome(i, ops[k], p, outs[k], expected_records_ + 1);
      if (p.change != ChangeType::kNone) ++expected_records_;
      ++stats_[p.change == ChangeType::kNone ? "batch-entry (no-op)" : "batch-entry"];
      Commit(ops[k], p);
    }
  }

  void Transaction(int i, std::vector<OpSpec>& ops) {
    std::vector<Predicted> predicted;
    bool cancelled = false, changes = false;
    for (const OpSpec& op : ops) {
      predicted.push_back(Predict(model_, op));
      cancelled |= !predicted.back().condition_holds;
      changes |= predicted.back().change != ChangeType::kNone;
    }
    std::vector<WriteOp> wops;
    for (OpSpec& op : ops)
      wops.push_back(op.ToWriteOp());
    std::vector<WriteOutcome> outs;
    Status s = db_->Transact(wops, &outs);
    ASSERT_EQ(s.IsConditionFailed(), cancelled) << Where(i) << " (transaction): " << s.ToString();
    ASSERT_TRUE(s.ok() || cancelled) << Where(i) << " (transaction): " << s.ToString();
    ASSERT_EQ(outs.size(), ops.size()) << Where(i);
    for (std::size_t k = 0; k < ops.size(); ++k) {
      if (cancelled) {
        EXPECT_EQ(outs[k].status.IsConditionFailed(), !predicted[k].condition_holds)
            << Where(i, &ops[k]) << " (cancelled transaction)";
        EXPECT_EQ(outs[k].change, ChangeType::kNone) << Where(i, &ops[k]);
      } else {
        CheckOutcome(i, ops[k], predicted[k], outs[k], expected_records_ + 1);
        Commit(ops[k], predicted[k]);
      }
    }
    if (!cancelled && changes) ++expected_records_;  // one record for all of it
    ++stats_[cancelled ? "transaction-cancelled" : changes ? "transaction" : "transaction (no-op)"];
  }

  void Step(int i) {
    const int r = gen_->Uniform(0, 99);
    if (r < 4) {  // a transaction of 2-4 ops on distinct keys
      std::vector<OpSpec> ops;
      std::set<ModelKey> used;
      const int n = gen_->Uniform(2, 4);
      while (static_cast<int>(ops.size()) < n) {
        ModelKey k = gen_->RandomKey();
        if (!used.insert(k).second) continue;
        auto it = model_.find(k);
        ops.push_back(gen_->RandomOp(k, it == model_.end() ? nullptr : &it->second, true));
      }
      Transaction(i, ops);
    } else if (r < 6) {  // a batch of 2-5 puts and deletes
      std::vector<OpSpec> ops;
      std::set<ModelKey> used;
      const int n = gen_->Uniform(2, 5);
      while (static_cast<int>(ops.size()) < n) {
        ModelKey k = gen_->RandomKey();
        if (!used.insert(k).second) continue;
        auto it = model_.find(k);
        OpSpec op = gen_->RandomOp(k, it == model_.end() ? nullptr : &it->second, false);
        if (op.kind != WriteOp::Kind::kPut) {
          op.kind = WriteOp::Kind::kDelete;
          op.tag = "delete";
        }
        op.cond.reset();
        op.return_values = ReturnValues::kNone;
        op.return_item_on_condition_failure = false;
        ops.push_back(std::move(op));
      }
      Batch(i, ops);
    } else {
      ModelKey k = gen_->RandomKey();
      auto it = model_.find(k);
      OpSpec op = gen_->RandomOp(k, it == model_.end() ? nullptr : &it->second, false);
      SingleWrite(i, op);
    }
    ASSERT_EQ(LogRecords(), expected_records_)
        << Where(i) << ": the log holds another number of records than real changes";
  }

  // Get of every key, Scan (whole and paged), Query per partition, item count.
  void CheckAll(const std::string& when) {
    SCOPED_TRACE(when + ", EDDY_MODEL_SEED=" + std::to_string(seed_));
    for (int pk = 0; pk < partitions_; ++pk) {
      for (int s = 0; s < sort_keys_; ++s) {
        const ModelKey k{pk, kSortKeyBase + s};
        auto got = db_->Get(kTable, gen_->KeyItem(k));
        ASSERT_TRUE(got.ok()) << got.status().ToString();
        auto it = model_.find(k);
        const std::optional<Item> want =
            it == model_.end() ? std::nullopt : std::optional<Item>(it->second);
        ASSERT_TRUE(Same(*got, want)) << "Get " << KeyString(k);
      }
    }
    for (std::uint32_t limit : {0u, 97u}) {
      ScanRequest scan;
      scan.table = kTable;
      scan.limit = limit;
      Model seen;
      for (int page = 0; page < 1000; ++page) {
        auto r = db_->Scan(scan);
        ASSERT_TRUE(r.ok()) << r.status().ToString();
        if (limit != 0) {
          ASSERT_LE(r->items.size(), limit);
        }
        for (const Item& item : r->items) {
          const AttributeValue* pk = item.Find("pk");
          const AttributeValue* sk = item.Find("sk");
          ASSERT_TRUE(pk != nullptr && sk != nullptr) << item.DebugString();
          ModelKey k{std::stoi(pk->AsString().substr(1)), std::stoi(sk->AsNumber().ToString())};
          ASSERT_TRUE(seen.emplace(k, item).second) << "Scan returned twice " << KeyString(k);
        }
        if (!r->last_evaluated_key) break;
        scan.exclusive_start_key = r->last_evaluated_key;
      }
      ASSERT_EQ(seen.size(), model_.size()) << "Scan limit " << limit;
      for (const auto& [k, item] : model_) {
        auto it = seen.find(k);
        ASSERT_TRUE(it != seen.end()) << "Scan misses " << KeyString(k);
        ASSERT_TRUE(Same(it->second, item)) << "Scan " << KeyString(k);
      }
    }
    for (int pk = 0; pk < partitions_; ++pk) {
      std::vector<Item> want;
      for (auto it = model_.lower_bound({pk, INT_MIN}); it != model_.end() && it->first.pk == pk;
           ++it) {
        want.push_back(it->second);
      }
      for (bool forward : {true, false}) {
        QueryRequest q;
        q.table = kTable;
        q.partition_key = S("p" + std::to_string(pk));
        q.forward = forward;
        q.limit = forward ? 0 : 61;
        std::vector<Item> got;
        for (int page = 0; page < 1000; ++page) {
          auto r = db_->Query(q);
          ASSERT_TRUE(r.ok()) << r.status().ToString();
          got.insert(got.end(), r->items.begin(), r->items.end());
          if (!r->last_evaluated_key) break;
          q.exclusive_start_key = r->last_evaluated_key;
        }
        std::vector<Item> expected = want;
        if (!forward) std::reverse(expected.begin(), expected.end());
        ASSERT_EQ(got.size(), expected.size()) << "Query p" << pk << " forward " << forward;
        for (std::size_t j = 0; j < got.size(); ++j) {
          ASSERT_TRUE(Same(got[j], expected[j]))
              << "Query p" << pk << " forward " << forward << " position " << j;
        }
      }
    }
    auto desc = db_->DescribeTable(kTable);
    ASSERT_TRUE(desc.ok()) << desc.status().ToString();
    EXPECT_EQ(desc->item_count, model_.size());
    ASSERT_EQ(LogRecords(), expected_records_);
  }

  // The whole run: `ops` random writes over partitions x sort_keys keys.
  void Run(int partitions, int sort_keys, int ops) {
    partitions_ = partitions;
    sort_keys_ = sort_keys;
    gen_ = std::make_unique<Generator>(seed_, partitions, sort_keys);
    std::printf("[ model    ] EDDY_MODEL_SEED=%llu, %d ops over %d x %d keys\n",
                static_cast<unsigned long long>(seed_), ops, partitions, sort_keys);
    const auto start = std::chrono::steady_clock::now();
    ASSERT_NO_FATAL_FAILURE(Open());
    TableSpec spec;
    spec.name = kTable;
    spec.key_schema.partition_key = {"pk", AttributeType::kS};
    spec.key_schema.sort_key = KeyAttribute{"sk", AttributeType::kN};
    ASSERT_TRUE(db_->CreateTable(spec).ok());
    expected_records_ = 1;  // the catalog record
    ASSERT_EQ(LogRecords(), expected_records_);

    int reopens = 0;
    for (int i = 1; i <= ops; ++i) {
      ASSERT_NO_FATAL_FAILURE(Step(i));
      if (HasFailure()) return;  // the first wrong op is the interesting one
      if (i % kCheckEvery == 0) {
        ASSERT_NO_FATAL_FAILURE(CheckAll("after op " + std::to_string(i)));
      }
      if (i % kReopenEvery == 0) {
        ASSERT_TRUE(db_->Close().ok());
        ASSERT_NO_FATAL_FAILURE(Open());
        ++reopens;
        ASSERT_NO_FATAL_FAILURE(CheckAll("reopened after op " + std::to_string(i)));
      }
    }
    ASSERT_TRUE(db_->Close().ok());
    ASSERT_NO_FATAL_FAILURE(Open());
    ASSERT_NO_FATAL_FAILURE(CheckAll("reopened at the end"));
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

    const std::uint64_t changed = stats_["change"] + stats_["batch-entry"];
    const std::uint64_t no_ops = stats_["no-op"] + stats_["batch-entry (no-op)"];
    std::printf(
        "[ model    ] %.1f s, %d reopens, %zu items at the end, %llu log records; single and "
        "batched writes: %llu changed, %llu no-ops (%llu failed conditions); inserts %llu, "
        "modifies %llu, removes %llu\n",
        seconds, reopens + 1, model_.size(), static_cast<unsigned long long>(expected_records_),
        static_cast<unsigned long long>(changed), static_cast<unsigned long long>(no_ops),
        static_cast<unsigned long long>(stats_["condition-failed"]),
        static_cast<unsigned long long>(changes_by_type_[1]),
        static_cast<unsigned long long>(changes_by_type_[2]),
        static_cast<unsigned long long>(changes_by_type_[3]));
    for (const auto& [name, count] : stats_) {
      std::printf("[ model    ]   %-28s %llu\n", name.c_str(),
                  static_cast<unsigned long long>(count));
    }

    // The run must have exercised what it claims to.
    EXPECT_GE(no_ops * 4, changed) << "too few no-ops to mean anything";
    for (const char* kind :
         {"re-put (no-op)", "update (no-op)", "update-removes (no-op)", "delete (no-op)",
          "update-null (no-op)", "update-null", "condition-failed", "transaction",
          "transaction-cancelled", "transaction (no-op)", "batch-entry", "batch-entry (no-op)"}) {
      EXPECT_GT(stats_[kind], 0u) << kind << " never happened";
    }
    EXPECT_GT(changes_by_type_[1], 0u);
    EXPECT_GT(changes_by_type_[2], 0u);
    EXPECT_GT(changes_by_type_[3], 0u);
  }

  const std::uint64_t seed_ = Seed();
  std::uint64_t memtable_budget_bytes_ = 0;  // 0: the default
  testing::TempDir dir_{"model"};
  std::unique_ptr<Db> db_;
  int partitions_ = 0;
  int sort_keys_ = 0;
  std::unique_ptr<Generator> gen_;
  Model model_;
  Lsn expected_records_ = 0;
  std::map<std::string, std::uint64_t> stats_;
  std::uint64_t changes_by_type_[4] = {};
};

// 600 keys: most items are written a few hundred times, queries and scans
// span several pages.
TEST_F(ModelTest, WideKeySpaceMatchesTheModelAndLogsOneRecordPerChange) {
  Run(2, 300, 200'000 / kOpsDivisor);
}

// 24 keys: every item is rewritten thousands of times, transactions collide
// on the same few items, and most writes are no-ops.
TEST_F(ModelTest, NarrowKeySpaceMatchesTheModelAndLogsOneRecordPerChange) {
  Run(3, 8, 100'000 / kOpsDivisor);
}

// The wide run with a 64 KiB memtable: hundreds of flushes, so reads, the
// write path's reads of current items and recovery all go through table
// files and tombstones in them.
TEST_F(ModelTest, TinyMemtableFlushesAndStillMatchesTheModel) {
  memtable_budget_bytes_ = 64 << 10;
  Run(2, 300, 100'000 / kOpsDivisor);
  auto* db = static_cast<engine::DbImpl*>(db_.get());
  EXPECT_GT(db->TableFileCount(), 0u);
  EXPECT_GT(db->FlushedLsn(), expected_records_ / 2) << "most changes should be in files";
}

}  // namespace
}  // namespace eddy::model_test
