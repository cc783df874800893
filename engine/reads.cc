// Reads: Get, Query, Scan over the memtables and the table files, newest
// source first (engine/read_view.h).
//
// Query turns the partition key and the sort-key condition into one range of
// encoded keys: encoded keys are memcmp-ordered and prefix-free
// (docs/item_format.md), so every sort-key condition is a contiguous range.
// Pages follow DynamoDB: `limit` counts items read before the filter (a Scan
// segment counts only its own items), a page ends after 1 MB of items read,
// and LastEvaluatedKey is the key of the last item read whenever the page
// filled up, by Limit or by size. Like DynamoDB the walk does not look ahead:
// a page that fills up on the last matching item still carries
// LastEvaluatedKey, and the next page is empty and carries none.

#include "common/hash.h"
#include "common/stored_item.h"
#include "compaction/merging_iterator.h"
#include "eddy/condition.h"
#include "eddy/document_path.h"
#include "engine/db_impl.h"
#include "engine/expression/condition_eval.h"
#include "engine/expression/projection.h"
#include "engine/memtable_source.h"

namespace eddy::engine {
namespace {

// The smallest string greater than every string starting with `prefix`
// (empty: no bound).
std::string PrefixSuccessor(std::string prefix) {
  while (!prefix.empty()) {
    auto last = static_cast<unsigned char>(prefix.back());
    if (last != 0xff) {
      prefix.back() = static_cast<char>(last + 1);
      return prefix;
    }
    prefix.pop_back();
  }
  return prefix;
}

// The smallest string greater than `key` itself.
std::string JustAfter(std::string key) {
  key.push_back('\0');
  return key;
}

struct KeyRange {
  std::string lower;  // inclusive
  std::string upper;  // exclusive; empty = unbounded
};

Status CheckSortKeyValue(const AttributeValue& v, const KeyAttribute& attr) {
  if (v.type() != attr.type) {
    return Status::InvalidArgument(
        "One or more parameter values were invalid: Condition "
        "parameter type does not match schema type");
  }
  return Status::Ok();
}

Result<KeyRange> QueryRange(TableId table, const KeySchema& schema, const QueryRequest& q) {
  if (q.partition_key.type() != schema.partition_key.type) {
    return Status::InvalidArgument(
        "One or more parameter values were invalid: Condition "
        "parameter type does not match schema type");
  }
  std::string prefix = TablePrefix(table);
  EncodeKeyValue(q.partition_key, &prefix);
  KeyRange r{prefix, PrefixSuccessor(prefix)};
  if (!q.sort_key) return r;
  if (!schema.sort_key) {
    return Status::InvalidArgument("Query key condition not supported: the table has no sort key");
  }
  const SortKeyCondition& c = *q.sort_key;
  EDDY_RETURN_IF_ERROR(CheckSortKeyValue(c.value, *schema.sort_key));
  std::string at = prefix;
  EncodeKeyValue(c.value, &at);
  switch (c.op) {
    case SortKeyCondition::Op::kEq:
      r = {at, JustAfter(at)};
      break;
    case SortKeyCondition::Op::kLt:
      r.upper = at;
      break;
    case SortKeyCondition::Op::kLe:
      r.upper = JustAfter(at);
      break;
    case SortKeyCondition::Op::kGt:
      r.lower = JustAfter(at);
      break;
    case SortKeyCondition::Op::kGe:
      r.lower = at;
      break;
    case SortKeyCondition::Op::kBetween: {
      EDDY_RETURN_IF_ERROR(CheckSortKeyValue(c.upper, *schema.sort_key));
      std::string upper = prefix;
      EncodeKeyValue(c.upper, &upper);
      if (upper < at) {
        return Status::InvalidArgument(
            "Invalid KeyConditionExpression: The BETWEEN operator requires upper bound to be "
            "greater than or equal to lower bound");
      }
      r = {at, JustAfter(upper)};
      break;
    }
    case SortKeyCondition::Op::kBeginsWith: {
      if (schema.sort_key->type == AttributeType::kN) {
        return Status::InvalidArgument(
            "Invalid KeyConditionExpression: Incorrect operand type for operator or function; "
            "operator or function: begins_with, operand type: N");
      }
      // S and B encode as escaped bytes plus a 2-byte terminator: without the
      // terminator the encoding is a prefix of every extension's encoding.
      std::string begins = at.substr(0, at.size() - 2);
      r = {begins, PrefixSuccessor(begins)};
      break;
    }
  }
  return r;
}

}  // namespace

Result<std::optional<Item>> DbImpl::Get(std::string_view table_name, const Item& key,
                                        const ReadOptions& options) {
  EDDY_ASSIGN_OR_RETURN(auto table, FindTable(table_name));
  EDDY_RETURN_IF_ERROR(ValidateKey(key, table->key_schema()));
  std::string k;
  EDDY_RETURN_IF_ERROR(EncodeTableKey(table->id(), key, table->key_schema(), &k));
  const std::shared_ptr<const ReadView> view = View();
  std::string owned;
  std::optional<std::string_view> stored;
  EDDY_RETURN_IF_ERROR(FindCurrent(*view, k, &owned, &stored));
  if (!stored) return std::optional<Item>();
  EDDY_ASSIGN_OR_RETURN(Item item, DecodeStoredItem(*stored, key, table->key_schema()));
  if (options.projection != nullptr) item = Project(item, *options.projection);
  return std::optional<Item>(std::move(item));
}

// Shared by Query and Scan: walks [range) in either direction.
namespace {

struct PageWalk {
  const KeySchema& schema;
  const Condition* filter;
  const ReadOptions& read;
  std::uint32_t limit;
  // Scan segments: keep only items whose partition key hashes to `segment`.
  std::uint32_t segment = 0;
  std::uint32_t total_segments = 1;
};

// The merged sources' live items within [range), in the walk's direction.
class RangeCursor {
 public:
  RangeCursor(compaction::EntryIterator* merged, const KeyRange& range, bool forward)
      : it_(merged), range_(range), forward_(forward) {
    if (forward) {
      it_->Seek(range.lower);
    } else if (range.upper.empty()) {
      it_->SeekToFirst();  // a descending merge starts at the last key
    } else {
      it_->Seek(range.upper);  // descending: the last key < upper
    }
  }
  bool Valid() const {
    if (!it_->Valid()) return false;
    const std::string_view key = it_->entry().key;
    return forward_ ? range_.upper.empty() || key < range_.upper : key >= range_.lower;
  }
  std::string_view key() const { return it_->entry().key; }
  std::string_view stored_item() const { return it_->entry().value; }
  void Next() { it_->Next(); }
  Status status() const { return it_->status(); }

 private:
  compaction::EntryIterator* it_;
  const KeyRange& range_;
  const bool forward_;
};

// Every source that can hold keys of `range`, newest first, merged in the
// walk's direction (backward: every source walks backward, see
// TableReader::NewReverseIterator); the merge hides older versions and drops
// keys whose newest entry is a tombstone.
std::unique_ptr<compaction::EntryIterator> MergedSources(const ReadView& view,
                                                         const KeyRange& range, bool forward) {
  std::vector<std::unique_ptr<compaction::EntryIterator>> sources;
  auto add_memtable = [&](const memtable::Memtable* mem) {
    if (forward) {
      sources.push_back(std::make_unique<MemtableSource>(mem));
    } else {
      sources.push_back(std::make_unique<MemtableReverseSource>(mem));
    }
  };
  add_memtable(view.active.get());
  for (const FrozenMemtable& f : view.immutables)
    add_memtable(f.mem.get());
  for (const std::shared_ptr<const TableFile>& file : view.files) {
    const compaction::TableReader& r = *file->reader;
    if (std::string_view(r.largest_key()) < range.lower) continue;
    if (!range.upper.empty() && !(std::string_view(r.smallest_key()) < range.upper)) continue;
    sources.push_back(forward ? r.NewIterator() : r.NewReverseIterator());
  }
  return std::make_unique<compaction::MergingIterator>(std::move(sources), /*drop_deletions=*/true,
                                                       /*descending=*/!forward);
}

Result<QueryResult> Walk(const ReadView& view, const KeyRange& range, bool forward,
                         const PageWalk& w) {
  std::unique_ptr<compaction::EntryIterator> merged = MergedSources(view, range, forward);
  RangeCursor it(merged.get(), range, forward);
  QueryResult out;
  std::size_t bytes = 0;
  std::string pk_bytes;
  for (; it.Valid(); it.Next()) {
    EDDY_ASSIGN_OR_RETURN(Item key, DecodeKey(ItemKeyPart(it.key()), w.schema));
    EDDY_ASSIGN_OR_RETURN(Item item, DecodeStoredItem(it.stored_item(), key, w.schema));
    if (w.total_segments > 1) {
      pk_bytes.clear();
      EncodeKeyValue(*item.Find(w.schema.partition_key.name), &pk_bytes);
      if (XXH3_64bits(pk_bytes.data(), pk_bytes.size()) % w.total_segments != w.segment) continue;
    }
    ++out.scanned_count;
    bytes += ItemSizeBytes(item);
    // Decided before the filter: a page fills up with items read, not kept.
    const bool page_full = (w.limit != 0 && out.scanned_count == w.limit) || bytes >= kMaxPageBytes;
    bool keep = true;
    if (w.filter != nullptr) {
      EDDY_ASSIGN_OR_RETURN(keep, EvaluateCondition(*w.filter, &item));
    }
    if (keep) {
      if (w.read.projection != nullptr) item = Project(item, *w.read.projection);
      out.items.push_back(std::move(item));
    }
    if (page_full) {
      out.last_evaluated_key = std::move(key);
      return out;
    }
  }
  EDDY_RETURN_IF_ERROR(it.status());
  return out;
}

// Narrows `range` to what comes after `start` in the walk's direction.
Status ApplyExclusiveStart(TableId table, const KeySchema& schema, const std::optional<Item>& start,
                           bool forward, KeyRange* range) {
  if (!start) return Status::Ok();
  EDDY_RETURN_IF_ERROR(ValidateKey(*start, schema));
  std::string k;
  EDDY_RETURN_IF_ERROR(EncodeTableKey(table, *start, schema, &k));
  if (forward) {
    range->lower = std::max(range->lower, JustAfter(k));
  } else if (range->upper.empty() || k < range->upper) {
    range->upper = k;
  }
  return Status::Ok();
}

}  // namespace

Result<QueryResult> DbImpl::Query(const QueryRequest& q) {
  EDDY_ASSIGN_OR_RETURN(auto table, FindTable(q.table));
  const KeySchema& schema = table->key_schema();
  EDDY_ASSIGN_OR_RETURN(KeyRange range, QueryRange(table->id(), schema, q));
  EDDY_RETURN_IF_ERROR(
      ApplyExclusiveStart(table->id(), schema, q.exclusive_start_key, q.forward, &range));
  return Walk(*View(), range, q.forward, PageWalk{schema, q.filter, q.read, q.limit});
}

Result<QueryResult> DbImpl::Scan(const ScanRequest& s) {
  EDDY_ASSIGN_OR_RETURN(auto table, FindTable(s.table));
  if (s.total_segments == 0 || s.segment >= s.total_segments) {
    return Status::InvalidArgument("Segment must be less than TotalSegments");
  }
  const KeySchema& schema = table->key_schema();
  KeyRange range{TablePrefix(table->id()), TablePrefix(table->id() + 1)};
  EDDY_RETURN_IF_ERROR(
      ApplyExclusiveStart(table->id(), schema, s.exclusive_start_key, true, &range));
  return Walk(*View(), range, true,
              PageWalk{schema, s.filter, s.read, s.limit, s.segment, s.total_segments});
}

}  // namespace eddy::engine
