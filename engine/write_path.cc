// The write path. Every write — put, update, delete, a batch's entries, a
// transaction — goes through Execute(), which reads top to bottom:
//
//   1. Prepare: resolve tables, validate input, encode keys (no locks held).
//   2. Lock the items' stripes (ascending order).
//   3. For each op: read the current item, evaluate the condition, build the
//      new item (put: as given; update: applied to the old one; delete: none).
//   4. No-op check: old and new encodings are canonical (docs/item_format.md),
//      so "nothing changes" is byte equality of their stored forms
//      (common/stored_item.h), or both absent.
//   5. One log record for all real changes (with old images where the table's
//      stream view type asks for them); wait for it per the sync mode.
//   6. Apply the same changes to the memtable where step 3 looked (the active
//      one: a memtable switch waits for writers between 3 and 6, see
//      flush.cc), then switch memtables if this one is over budget.
//   7. Hand the logged record to the stream sequencer, which appends the
//      stream records in log order; unlock; report.
//
// Nothing reaches the log, the memtable or the stream for a no-op or
// a failed condition. Nothing is written twice: the memtable gets the item
// the log got, without the key attributes its key already holds.
#include <algorithm>

#include "common/blocked_bloom.h"
#include "common/item_codec.h"
#include "common/stored_item.h"
#include "eddy/condition.h"
#include "eddy/document_path.h"
#include "eddy/update.h"
#include "engine/db_impl.h"
#include "engine/expression/condition_eval.h"
#include "engine/expression/projection.h"
#include "engine/expression/update_apply.h"

namespace eddy::engine {

struct DbImpl::Prepared {
  const WriteOp* op = nullptr;
  std::shared_ptr<const TableState> table;
  std::string key;  // table prefix + item key
  std::size_t stripe = 0;
  memtable::Memtable::Slot slot;  // where the key is or goes
  // The current item's stored form (common/stored_item.h), in a memtable or
  // in old_owned.
  std::optional<std::string_view> old_stored;
  std::string old_owned;         // the current item, read from a file
  std::optional<Item> old_item;  // decoded when something needs it
  std::string old_image;         // the whole current item, for the stream
  bool new_exists = false;
  std::string new_encoded;       // what the log gets
  std::string new_stored;        // what the memtable gets
  std::optional<Item> new_item;  // kept for ALL_NEW / UPDATED_NEW of updates
  ChangeType change = ChangeType::kNone;
};

namespace {

Status CheckReturnValues(const WriteOp& op) {
  if (op.kind == WriteOp::Kind::kUpdate || op.return_values == ReturnValues::kNone ||
      op.return_values == ReturnValues::kAllOld) {
    return Status::Ok();
  }
  return Status::InvalidArgument("ReturnValues can only be ALL_OLD or NONE");
}

// What ReturnValues asks for, given the old and new items.
std::optional<Item> ReturnedAttributes(const WriteOp& op, const std::optional<Item>& old_item,
                                       const std::optional<Item>& new_item) {
  switch (op.return_values) {
    case ReturnValues::kNone:
      return std::nullopt;
    case ReturnValues::kAllOld:
      return old_item;
    case ReturnValues::kAllNew:
      return new_item;
    case ReturnValues::kUpdatedOld:
    case ReturnValues::kUpdatedNew: {
      const bool old_side = op.return_values == ReturnValues::kUpdatedOld;
      const std::optional<Item>& from = old_side ? old_item : new_item;
      if (!from || op.update == nullptr) return std::nullopt;
      Item projected =
          Project(*from, old_side ? UpdatedPathsOld(*op.update) : UpdatedPathsNew(*op.update));
      if (projected.size() == 0) return std::nullopt;
      return projected;
    }
  }
  return std::nullopt;
}

}  // namespace

Status DbImpl::Prepare(std::span<const WriteOp> ops, bool in_transaction,
                       std::vector<Prepared>* out) {
  out->resize(ops.size());
  for (std::size_t i = 0; i < ops.size(); ++i) {
    const WriteOp& op = ops[i];
    Prepared& p = (*out)[i];
    p.op = &op;
    EDDY_ASSIGN_OR_RETURN(p.table, FindTable(op.table));
    const KeySchema& schema = p.table->key_schema();
    switch (op.kind) {
      case WriteOp::Kind::kPut:
        EDDY_RETURN_IF_ERROR(ValidateItemForTable(op.item, schema));
        EDDY_RETURN_IF_ERROR(CheckItemSize(op.item));
        break;
      case WriteOp::Kind::kConditionCheck:
        if (!in_transaction || op.condition == nullptr) {
          return Status::InvalidArgument("A ConditionCheck needs a condition and a transaction");
        }
        [[fallthrough]];
      case WriteOp::Kind::kUpdate:
      case WriteOp::Kind::kDelete:
        EDDY_RETURN_IF_ERROR(ValidateKey(op.item, schema));
        break;
    }
    EDDY_RETURN_IF_ERROR(CheckReturnValues(op));
    EDDY_RETURN_IF_ERROR(EncodeTableKey(p.table->id(), op.item, schema, &p.key));
    p.stripe = KeyLocks::StripeOf(p.key);
  }
  if (ops.size() > 1) {
    std::vector<std::string_view> keys;
    keys.reserve(out->size());
    for (const Prepared& p : *out)
      keys.push_back(p.key);
    std::sort(keys.begin(), keys.end());
    if (std::adjacent_find(keys.begin(), keys.end()) != keys.end()) {
      return Status::InvalidArgument(
          in_transaction ? "Transaction request cannot include multiple operations on one item"
                         : "Provided list of item keys contains duplicates");
    }
  }
  return Status::Ok();
}

Status DbImpl::Execute(std::span<const WriteOp> ops, bool atomic,
                       std::vector<WriteOutcome>* outcomes, bool by_service) {
  if (closed_.load(std::memory_order_acquire)) return Status::IOError("the database is closed");
  outcomes->assign(ops.size(), WriteOutcome{});
  EDDY_RETURN_IF_ERROR(WaitForFlushRoom());

  // 1. Prepare.
  std::vector<Prepared> pending;
  EDDY_RETURN_IF_ERROR(Prepare(ops, atomic, &pending));

  // 2. Lock.
  std::vector<std::size_t> stripes;
  stripes.reserve(pending.size());
  for (const Prepared& p : pending)
    stripes.push_back(p.stripe);
  locks_.LockAll(&stripes);
  struct Unlock {
    KeyLocks& locks;
    const std::vector<std::size_t>& stripes;
    ~Unlock() { locks.UnlockAll(stripes); }
  } unlock{locks_, stripes};

  // 3. Decide each op against the current item. From here to step 6 this
  // writer keeps the active memtable from being switched.
  {
    std::lock_guard gate(switch_gate_);
    switch_mu_.lock_shared();
  }
  struct UnlockShared {
    std::shared_mutex* mu;
    void Release() {
      if (mu != nullptr) mu->unlock_shared();
      mu = nullptr;
    }
    ~UnlockShared() { Release(); }
  } in_memtable{&switch_mu_};
  const std::shared_ptr<const ReadView> view = View();  // keeps old_stored's bytes alive
  memtable::Memtable& mem = *view->active;
  bool condition_failed = false;
  for (std::size_t i = 0; i < pending.size(); ++i) {
    Prepared& p = pending[i];
    const WriteOp& op = *p.op;
    WriteOutcome& outcome = (*outcomes)[i];
    const KeySchema& schema = p.table->key_schema();
    const memtable::ItemVersion* current = mem.Find(p.key, &p.slot);
    if (current == nullptr) {
      // Find hashed a key the active memtable does not hold (slot.key_hash);
      // a node with no version yet is hashed here.
      const std::uint64_t key_hash =
          p.slot.node == nullptr ? p.slot.key_hash : blocked_bloom::KeyHash(p.key);
      EDDY_RETURN_IF_ERROR(FindBelowActive(*view, p.key, key_hash, &p.old_owned, &p.old_stored));
    } else if (!current->is_deletion()) {
      p.old_stored = current->value();
    }
    const bool needs_old_item = op.condition != nullptr || op.kind == WriteOp::Kind::kUpdate ||
                                op.return_values != ReturnValues::kNone;
    if (needs_old_item && p.old_stored) {
      EDDY_ASSIGN_OR_RETURN(p.old_item, DecodeStoredItem(*p.old_stored, op.item, schema));
    }
    if (op.condition != nullptr) {
      EDDY_ASSIGN_OR_RETURN(bool holds,
                            EvaluateCondition(*op.condition, p.old_item ? &*p.old_item : nullptr));
      if (!holds) {
        outcome.status = Status::ConditionFailed("The conditional request failed");
        if (op.return_item_on_condition_failure) outcome.item_on_condition_failure = p.old_item;
        condition_failed = true;
        continue;
      }
    }
    switch (op.kind) {
      case WriteOp::Kind::kConditionCheck:
        continue;
      case WriteOp::Kind::kPut:
        EncodeItem(op.item, &p.new_encoded);
        p.new_exists = true;
        break;
      case WriteOp::Kind::kDelete:
        p.new_exists = false;
        break;
      case WriteOp::Kind::kUpdate:
        if (!p.old_stored && op.update != nullptr && op.update->OnlyRemovesOrDeletes()) {
          p.new_exists = false;  // DynamoDB creates nothing for these
          break;
        }
        if (op.update == nullptr) {
          p.new_item = p.old_item ? *p.old_item : op.item;
        } else {
          EDDY_ASSIGN_OR_RETURN(
              Item updated, ApplyUpdate(p.old_item ? &*p.old_item : nullptr, op.item, *op.update));
          EDDY_RETURN_IF_ERROR(CheckItemSize(updated));
          p.new_item = std::move(updated);
        }
        EncodeItem(*p.new_item, &p.new_encoded);
        p.new_exists = true;
        break;
    }
    if (p.new_exists) {
      EDDY_RETURN_IF_ERROR(StripKeyAttributes(p.new_encoded, schema, &p.new_stored));
    }
    // 4. No-op?
    if (!p.old_stored && !p.new_exists) continue;
    if (p.old_stored && p.new_exists) {
      EDDY_ASSIGN_OR_RETURN(bool same, SameStoredItem(*p.old_stored, p.new_stored, schema));
      if (same) continue;
    }
    p.change = !p.old_stored   ? ChangeType::kInsert
               : !p.new_exists ? ChangeType::kRemove
                               : ChangeType::kModify;
  }
  if (atomic && condition_failed) {
    return Status::ConditionFailed(
        "Transaction cancelled, please refer cancellation reasons for specific reasons");
  }

  // 5. Log one record for every change.
  std::vector<ItemChange> changes;
  for (Prepared& p : pending) {
    if (p.change == ChangeType::kNone) continue;
    const StreamSpecification& stream = p.table->description.stream;
    ItemChange c;
    c.table_id = p.table->id();
    c.type = p.change;
    c.by_service = by_service;
    c.item_key = ItemKeyPart(p.key);
    if (p.new_exists) c.new_item = p.new_encoded;
    c.has_old_image = p.old_stored && stream.enabled && ViewNeedsOldImage(stream.view_type);
    if (c.has_old_image) {
      EDDY_RETURN_IF_ERROR(
          RestoreKeyAttributes(*p.old_stored, p.op->item, p.table->key_schema(), &p.old_image));
      c.old_image = p.old_image;
    }
    changes.push_back(c);
  }
  Lsn lsn = kNoLsn;
  if (!changes.empty()) {
    std::string record;
    EncodeChangeGroup(changes, &record);
    std::uint64_t logged_us = 0;
    EDDY_ASSIGN_OR_RETURN(lsn, wal_->Append(kChangeGroupRecordType,
                                            AsBytes(record.data(), record.size()), &logged_us));
    // 6. Apply what was logged (stored forms), where step 3 found each key.
    for (Prepared& p : pending) {
      if (p.change == ChangeType::kNone) continue;
      std::atomic<std::int64_t>& count = *p.table->item_count;
      if (p.change == ChangeType::kRemove) {
        mem.Delete(&p.slot, p.key, lsn);
        count.fetch_sub(1, std::memory_order_relaxed);
      } else {
        mem.Put(&p.slot, p.key, lsn, p.new_stored);
        if (p.change == ChangeType::kInsert) count.fetch_add(1, std::memory_order_relaxed);
      }
    }
    in_memtable.Release();
    if (mem.MemoryBytes() > options_.memtable_budget_bytes) MaybeSwitchMemtable();
    // 7. The stream records, in log order across writers; visible before the ack.
    StreamWork work{StreamWork::Kind::kChanges, lsn, logged_us};
    work.changes = changes;
    EDDY_RETURN_IF_ERROR(CompleteStreamWork(work));
  }

  for (std::size_t i = 0; i < pending.size(); ++i) {
    Prepared& p = pending[i];
    WriteOutcome& outcome = (*outcomes)[i];
    if (!outcome.status.ok()) continue;
    outcome.change = p.change;
    outcome.lsn = p.change == ChangeType::kNone ? kNoLsn : lsn;
    if (p.op->return_values == ReturnValues::kNone) continue;
    std::optional<Item> new_item = std::move(p.new_item);
    if (!new_item && p.new_exists && p.op->kind == WriteOp::Kind::kPut) new_item = p.op->item;
    outcome.attributes = ReturnedAttributes(*p.op, p.old_item, new_item);
  }
  return condition_failed ? (*outcomes)[0].status : Status::Ok();
}

Status DbImpl::Write(const WriteOp& op, WriteOutcome* outcome) {
  std::vector<WriteOutcome> outcomes;
  Status s = Execute(std::span<const WriteOp>(&op, 1), false, &outcomes);
  if (outcome != nullptr && !outcomes.empty()) *outcome = std::move(outcomes[0]);
  return s;
}

Status DbImpl::WriteBatch(std::span<const WriteOp> ops, std::vector<WriteOutcome>* outcomes) {
  for (const WriteOp& op : ops) {
    if ((op.kind != WriteOp::Kind::kPut && op.kind != WriteOp::Kind::kDelete) ||
        op.condition != nullptr) {
      return Status::InvalidArgument("A batch holds only puts and deletes without conditions");
    }
  }
  // Validate the whole batch first, so an invalid entry writes nothing.
  std::vector<Prepared> checked;
  EDDY_RETURN_IF_ERROR(Prepare(ops, false, &checked));
  outcomes->assign(ops.size(), WriteOutcome{});
  for (std::size_t i = 0; i < ops.size(); ++i) {
    std::vector<WriteOutcome> one;
    EDDY_RETURN_IF_ERROR(Execute(ops.subspan(i, 1), false, &one));
    (*outcomes)[i] = std::move(one[0]);
  }
  return Status::Ok();
}

Status DbImpl::Transact(std::span<const WriteOp> ops, std::vector<WriteOutcome>* outcomes) {
  if (ops.empty() || ops.size() > 100) {
    return Status::InvalidArgument("A transaction holds 1 to 100 operations");
  }
  return Execute(ops, true, outcomes);
}

}  // namespace eddy::engine
