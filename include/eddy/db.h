// Db: an open Eddy directory — tables of items whose every change is logged
// once and (with a stream enabled) becomes exactly one stream record.
//
// Contract
// - Open() recovers from the write-ahead log: the catalog and every item are
//   rebuilt from it. Replaying the same log always yields the same state.
// - Writes to one item are linearizable and keep their order; writes to
//   different items run concurrently. A write is acknowledged under the
//   directory's sync mode (eddy/sync_mode.h, docs/durability.md).
// - Every write that changes an item writes exactly one log record (a
//   transaction writes one record covering all its items). A write that
//   changes nothing — an identical put, an update that sets what is already
//   there or removes what is absent, a delete of a missing item — is a no-op:
//   nothing is logged, the caller gets success (and the old item if asked).
// - Reads see every acknowledged write.
// - Errors are values: InvalidArgument (bad input; the message uses
//   DynamoDB's ValidationException wording where it has one), NotFound (no
//   such table), AlreadyExists (table name in use), ConditionFailed (a
//   condition was false), IOError (the log failed; the directory then takes
//   no more writes). Nothing is changed by a failed call.
//
// Thread-safety: every member may be called concurrently.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "eddy/item.h"
#include "eddy/options.h"
#include "eddy/result.h"
#include "eddy/stream.h"
#include "eddy/table.h"
#include "eddy/types.h"

namespace eddy {

struct Condition;    // eddy/condition.h
struct Update;       // eddy/update.h
class DocumentPath;  // eddy/document_path.h

enum class ChangeType : std::uint8_t { kNone = 0, kInsert = 1, kModify = 2, kRemove = 3 };
std::string_view ChangeTypeName(ChangeType type);  // "INSERT", "MODIFY", "REMOVE"

// DynamoDB's ReturnValues. Put and Delete accept kNone and kAllOld only.
enum class ReturnValues : std::uint8_t { kNone, kAllOld, kUpdatedOld, kAllNew, kUpdatedNew };

// One write. Build with the factories; conditions and updates are borrowed
// and must outlive the call.
struct WriteOp {
  enum class Kind : std::uint8_t { kPut, kUpdate, kDelete, kConditionCheck };

  static WriteOp Put(std::string table, Item item) {
    return {Kind::kPut, std::move(table), std::move(item)};
  }
  // `update` may be null: the item is created with its key only if missing.
  static WriteOp UpdateItem(std::string table, Item key, const Update* update) {
    WriteOp op{Kind::kUpdate, std::move(table), std::move(key)};
    op.update = update;
    return op;
  }
  static WriteOp Delete(std::string table, Item key) {
    return {Kind::kDelete, std::move(table), std::move(key)};
  }
  // Transactions only: a condition on an item that is not written.
  static WriteOp ConditionCheck(std::string table, Item key, const Condition* condition) {
    WriteOp op{Kind::kConditionCheck, std::move(table), std::move(key)};
    op.condition = condition;
    return op;
  }

  Kind kind;
  std::string table;
  Item item;  // the whole item for kPut; the key otherwise
  const Update* update = nullptr;
  const Condition* condition = nullptr;
  ReturnValues return_values = ReturnValues::kNone;
  // On ConditionFailed, report the current item (DynamoDB's
  // ReturnValuesOnConditionCheckFailure=ALL_OLD).
  bool return_item_on_condition_failure = false;
};

struct WriteOutcome {
  Status status;                          // per write; ConditionFailed for a false condition
  ChangeType change = ChangeType::kNone;  // kNone: a no-op (or a failure): nothing logged
  Lsn lsn = kNoLsn;                       // of the log record holding the change
  std::optional<Item> attributes;         // what return_values asked for, when there is any
  std::optional<Item> item_on_condition_failure;
};

// Read-side options. `projection` (borrowed) keeps only the given paths.
struct ReadOptions {
  const std::vector<DocumentPath>* projection = nullptr;
};

struct SortKeyCondition {
  enum class Op : std::uint8_t { kEq, kLt, kLe, kGt, kGe, kBetween, kBeginsWith };
  Op op = Op::kEq;
  AttributeValue value;
  AttributeValue upper;  // kBetween only
};

struct QueryRequest {
  std::string table;
  AttributeValue partition_key;
  std::optional<SortKeyCondition> sort_key;
  bool forward = true;
  std::uint32_t limit = 0;  // items evaluated; 0 = no limit (pages still end at 1 MB)
  std::optional<Item> exclusive_start_key;
  const Condition* filter = nullptr;  // applied after the limit, as DynamoDB does
  ReadOptions read;
};

struct ScanRequest {
  std::string table;
  std::uint32_t limit = 0;
  std::optional<Item> exclusive_start_key;
  std::uint32_t segment = 0;
  std::uint32_t total_segments = 1;
  const Condition* filter = nullptr;
  ReadOptions read;
};

struct QueryResult {
  std::vector<Item> items;
  std::uint64_t scanned_count = 0;  // items read before the filter
  // Set when the page filled up (Limit or 1 MB), even on the last item.
  std::optional<Item> last_evaluated_key;
};

// A page ends once items of this many bytes (ItemSizeBytes) were read
// (DynamoDB's 1 MB).
inline constexpr std::size_t kMaxPageBytes = 1u << 20;

class Db {
 public:
  static Result<std::unique_ptr<Db>> Open(const Options& options);
  virtual ~Db() = default;

  // ---- Tables
  virtual Result<TableDescription> CreateTable(const TableSpec& spec) = 0;
  virtual Result<TableDescription> DeleteTable(std::string_view name) = 0;
  virtual Result<TableDescription> DescribeTable(std::string_view name) = 0;
  // Table names in ascending order.
  virtual std::vector<std::string> ListTables() = 0;
  // Enables or disables the table's stream. Enabling an enabled stream or
  // disabling a disabled one is InvalidArgument, as in DynamoDB.
  virtual Result<TableDescription> UpdateStream(std::string_view name,
                                                const StreamSpecification& stream) = 0;

  // Enables or disables Time to Live (eddy/table.h). As DynamoDB: enabling
  // an enabled TTL or disabling a disabled one is InvalidArgument.
  virtual Result<TimeToLiveSpecification> UpdateTimeToLive(std::string_view table,
                                                           const TimeToLiveSpecification& ttl) = 0;

  // ---- Writes
  // One write. The Status is the write's: OK, ConditionFailed (a false
  // condition; outcome->item_on_condition_failure holds the current item when
  // asked), InvalidArgument, NotFound, IOError. `outcome` may be null.
  virtual Status Write(const WriteOp& op, WriteOutcome* outcome = nullptr) = 0;
  // Each write on its own (DynamoDB's BatchWriteItem: puts and deletes, no
  // conditions, no two on one item). The whole call fails, writing nothing,
  // when any op is invalid; otherwise `outcomes` has one entry per op.
  virtual Status WriteBatch(std::span<const WriteOp> ops, std::vector<WriteOutcome>* outcomes) = 0;
  // All or nothing (TransactWriteItems): one log record for every change.
  // When a condition fails nothing is written, the Status is
  // ConditionFailed and `outcomes` says which op failed (the others OK).
  virtual Status Transact(std::span<const WriteOp> ops, std::vector<WriteOutcome>* outcomes) = 0;

  // ---- Reads
  virtual Result<std::optional<Item>> Get(std::string_view table, const Item& key,
                                          const ReadOptions& options = {}) = 0;
  virtual Result<QueryResult> Query(const QueryRequest& request) = 0;
  virtual Result<QueryResult> Scan(const ScanRequest& request) = 0;

  // ---- Streams (eddy/stream.h): DynamoDB Streams' four calls, and a wait.
  virtual Result<ListStreamsResult> ListStreams(const ListStreamsRequest& request) = 0;
  virtual Result<StreamDescription> DescribeStream(const DescribeStreamRequest& request) = 0;
  virtual Result<std::string> GetShardIterator(const GetShardIteratorRequest& request) = 0;
  // At most `limit` (1..1000) records and 1 MB from the iterator's position,
  // and the iterator to continue with.
  virtual Result<GetRecordsResult> GetRecords(std::string_view shard_iterator,
                                              std::uint32_t limit = kMaxGetRecordsLimit) = 0;
  // Blocks until GetRecords(shard_iterator) has something to return (or the
  // shard has ended), or `timeout` passes; says which. Wakes within
  // microseconds of the write that made a record visible.
  virtual Result<bool> WaitForRecords(std::string_view shard_iterator,
                                      std::chrono::microseconds timeout) = 0;
  // A stateful reader from the iterator's position (eddy/stream.h): no
  // lookups, locks or copies per read. It ignores the iterator's lifetime.
  virtual Result<std::unique_ptr<ShardReader>> OpenShardReader(std::string_view shard_iterator) = 0;

  // Makes every acknowledged write durable whatever the sync mode.
  virtual Status Sync() = 0;
  // Drains and syncs; later calls fail. Idempotent.
  virtual Status Close() = 0;
};

}  // namespace eddy
