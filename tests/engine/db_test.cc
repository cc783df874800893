// Behaviour of the embeddable API: tables, writes with no-op suppression,
// conditions, updates, reads, transactions, and recovery from the log.
#include "eddy/db.h"

#include <gtest/gtest.h>

#include "eddy/condition.h"
#include "eddy/update.h"
#include "engine/db_impl.h"
#include "support/temp_dir.h"
#include "support/values.h"

// The file's own namespace: the unity build compiles the files of a test
// folder as one translation unit, where anonymous namespaces are shared.
namespace eddy::db_test {
namespace {

using namespace eddy::testing;  // NOLINT: value builders

TableSpec Spec(std::string name, KeyAttribute pk, std::optional<KeyAttribute> sk = std::nullopt) {
  TableSpec spec;
  spec.name = std::move(name);
  spec.key_schema.partition_key = std::move(pk);
  spec.key_schema.sort_key = std::move(sk);
  return spec;
}

class DbTest : public ::testing::Test {
 protected:
  void SetUp() override { Reopen(); }

  void Reopen() {
    db_.reset();
    Options options;
    options.dir = dir_.path();
    options.sync_mode = SyncMode::kNone;
    options.wal_segment_bytes = 1 << 20;
    auto db = Db::Open(options);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(db).value();
  }

  void CreateOrders(StreamSpecification stream = {}) {
    TableSpec spec;
    spec.name = "orders";
    spec.key_schema.partition_key = {"pk", AttributeType::kS};
    spec.key_schema.sort_key = KeyAttribute{"sk", AttributeType::kN};
    spec.stream = stream;
    ASSERT_TRUE(db_->CreateTable(spec).ok());
  }

  // Records written to the log so far (catalog records included).
  Lsn LogRecords() const { return static_cast<engine::DbImpl*>(db_.get())->log().last_lsn(); }

  Item Key(const std::string& pk, std::int64_t sk) {
    return MakeItem({{"pk", S(pk)}, {"sk", N(sk)}});
  }

  std::optional<Item> GetItem(const std::string& pk, std::int64_t sk) {
    auto got = db_->Get("orders", Key(pk, sk));
    EXPECT_TRUE(got.ok()) << got.status().ToString();
    return got.ok() ? *got : std::nullopt;
  }

  testing::TempDir dir_{"db"};
  std::unique_ptr<Db> db_;
};

TEST_F(DbTest, CreateDescribeListDeleteTable) {
  CreateOrders();
  auto desc = db_->DescribeTable("orders");
  ASSERT_TRUE(desc.ok());
  EXPECT_EQ(desc->name, "orders");
  EXPECT_EQ(desc->key_schema.partition_key.name, "pk");
  EXPECT_EQ(db_->ListTables(), std::vector<std::string>{"orders"});
  TableSpec again = Spec("orders", desc->key_schema.partition_key, desc->key_schema.sort_key);
  EXPECT_TRUE(db_->CreateTable(again).status().IsAlreadyExists());
  ASSERT_TRUE(db_->DeleteTable("orders").ok());
  EXPECT_TRUE(db_->DescribeTable("orders").status().IsNotFound());
  EXPECT_TRUE(db_->ListTables().empty());
}

TEST_F(DbTest, RejectsBadTableNames) {
  TableSpec spec = Spec("ab", {"pk", AttributeType::kS});
  EXPECT_TRUE(db_->CreateTable(spec).status().IsInvalidArgument());
  spec.name = "has space";
  EXPECT_TRUE(db_->CreateTable(spec).status().IsInvalidArgument());
}

TEST_F(DbTest, PutThenGetReturnsTheItem) {
  CreateOrders();
  Item item = MakeItem({{"pk", S("a")}, {"sk", N(1)}, {"qty", N(3)}});
  WriteOutcome out;
  ASSERT_TRUE(db_->Write(WriteOp::Put("orders", item), &out).ok());
  EXPECT_EQ(out.change, ChangeType::kInsert);
  EXPECT_EQ(GetItem("a", 1), item);
  EXPECT_EQ(GetItem("a", 2), std::nullopt);
}

TEST_F(DbTest, IdenticalPutIsANoOpAndLogsNothing) {
  CreateOrders();
  Item item = MakeItem({{"pk", S("a")}, {"sk", N(1)}, {"tags", *AttributeValue::SS({"x", "y"})}});
  ASSERT_TRUE(db_->Write(WriteOp::Put("orders", item)).ok());
  Lsn before = LogRecords();
  // Same item, set elements in another order: equal by meaning.
  Item same = MakeItem({{"pk", S("a")}, {"sk", N(1)}, {"tags", *AttributeValue::SS({"y", "x"})}});
  WriteOp op = WriteOp::Put("orders", same);
  op.return_values = ReturnValues::kAllOld;
  WriteOutcome out;
  ASSERT_TRUE(db_->Write(op, &out).ok());
  EXPECT_EQ(out.change, ChangeType::kNone);
  EXPECT_EQ(out.attributes, item);  // the old item, as asked
  EXPECT_EQ(LogRecords(), before);
}

TEST_F(DbTest, DeleteOfMissingItemIsANoOp) {
  CreateOrders();
  Lsn before = LogRecords();
  WriteOutcome out;
  ASSERT_TRUE(db_->Write(WriteOp::Delete("orders", Key("a", 1)), &out).ok());
  EXPECT_EQ(out.change, ChangeType::kNone);
  EXPECT_EQ(LogRecords(), before);
}

TEST_F(DbTest, ChangesAreInsertModifyRemove) {
  CreateOrders();
  WriteOutcome out;
  ASSERT_TRUE(
      db_->Write(WriteOp::Put("orders", MakeItem({{"pk", S("a")}, {"sk", N(1)}})), &out).ok());
  EXPECT_EQ(out.change, ChangeType::kInsert);
  ASSERT_TRUE(
      db_->Write(WriteOp::Put("orders", MakeItem({{"pk", S("a")}, {"sk", N(1)}, {"x", N(1)}})),
                 &out)
          .ok());
  EXPECT_EQ(out.change, ChangeType::kModify);
  ASSERT_TRUE(db_->Write(WriteOp::Delete("orders", Key("a", 1)), &out).ok());
  EXPECT_EQ(out.change, ChangeType::kRemove);
  EXPECT_EQ(GetItem("a", 1), std::nullopt);
}

TEST_F(DbTest, UpdateSettingSameValueIsANoOp) {
  CreateOrders();
  ASSERT_TRUE(
      db_->Write(WriteOp::Put("orders", MakeItem({{"pk", S("a")}, {"sk", N(1)}, {"n", N(5)}})))
          .ok());
  Lsn before = LogRecords();
  Update set_same{upd::Set(Path("n"), N(5))};
  Update add_zero{upd::Add(Path("n"), N(0))};
  Update remove_missing{upd::Remove(Path("nope"))};
  for (const Update* u : {&set_same, &add_zero, &remove_missing}) {
    WriteOutcome out;
    ASSERT_TRUE(db_->Write(WriteOp::UpdateItem("orders", Key("a", 1), u), &out).ok());
    EXPECT_EQ(out.change, ChangeType::kNone);
  }
  EXPECT_EQ(LogRecords(), before);
}

TEST_F(DbTest, RemoveOnMissingItemCreatesNothing) {
  CreateOrders();
  Update remove{upd::Remove(Path("x"))};
  WriteOutcome out;
  ASSERT_TRUE(db_->Write(WriteOp::UpdateItem("orders", Key("a", 1), &remove), &out).ok());
  EXPECT_EQ(out.change, ChangeType::kNone);
  EXPECT_EQ(GetItem("a", 1), std::nullopt);
}

TEST_F(DbTest, UpdateUpsertsAndReturnsUpdatedNew) {
  CreateOrders();
  Update u{upd::Set(Path("n"), upd::Plus(upd::IfNotExists(Path("n"), N(0)), N(2)))};
  WriteOp op = WriteOp::UpdateItem("orders", Key("a", 1), &u);
  op.return_values = ReturnValues::kUpdatedNew;
  WriteOutcome out;
  ASSERT_TRUE(db_->Write(op, &out).ok());
  EXPECT_EQ(out.change, ChangeType::kInsert);
  EXPECT_EQ(out.attributes, MakeItem({{"n", N(2)}}));
  ASSERT_TRUE(db_->Write(op, &out).ok());
  EXPECT_EQ(out.change, ChangeType::kModify);
  EXPECT_EQ(out.attributes, MakeItem({{"n", N(4)}}));
}

TEST_F(DbTest, FalseConditionChangesNothingAndCanReturnTheItem) {
  CreateOrders();
  Item item = MakeItem({{"pk", S("a")}, {"sk", N(1)}, {"n", N(1)}});
  ASSERT_TRUE(db_->Write(WriteOp::Put("orders", item)).ok());
  Lsn before = LogRecords();
  Condition missing = cond::AttributeNotExists(Path("pk"));
  WriteOp op = WriteOp::Put("orders", MakeItem({{"pk", S("a")}, {"sk", N(1)}, {"n", N(2)}}));
  op.condition = &missing;
  op.return_item_on_condition_failure = true;
  WriteOutcome out;
  Status s = db_->Write(op, &out);
  EXPECT_TRUE(s.IsConditionFailed()) << s.ToString();
  EXPECT_EQ(out.item_on_condition_failure, item);
  EXPECT_EQ(GetItem("a", 1), item);
  EXPECT_EQ(LogRecords(), before);
}

TEST_F(DbTest, BadInputIsRejectedWithoutChange) {
  CreateOrders();
  Lsn before = LogRecords();
  // Wrong key type.
  EXPECT_TRUE(db_->Write(WriteOp::Put("orders", MakeItem({{"pk", S("a")}, {"sk", S("1")}})))
                  .IsInvalidArgument());
  // Missing sort key.
  EXPECT_TRUE(db_->Write(WriteOp::Put("orders", MakeItem({{"pk", S("a")}}))).IsInvalidArgument());
  // Oversize item.
  EXPECT_TRUE(db_->Write(WriteOp::Put("orders", MakeItem({{"pk", S("a")},
                                                          {"sk", N(1)},
                                                          {"big", S(std::string(410000, 'x'))}})))
                  .IsInvalidArgument());
  // Unknown table.
  EXPECT_TRUE(
      db_->Write(WriteOp::Put("nope", MakeItem({{"pk", S("a")}, {"sk", N(1)}}))).IsNotFound());
  // ReturnValues not allowed on a put.
  WriteOp op = WriteOp::Put("orders", MakeItem({{"pk", S("a")}, {"sk", N(1)}}));
  op.return_values = ReturnValues::kAllNew;
  EXPECT_TRUE(db_->Write(op).IsInvalidArgument());
  EXPECT_EQ(LogRecords(), before);
}

TEST_F(DbTest, QueryWalksOnePartitionInSortKeyOrder) {
  CreateOrders();
  for (int sk : {5, 1, 3, 2, 4}) {
    ASSERT_TRUE(db_->Write(WriteOp::Put("orders", MakeItem({{"pk", S("a")}, {"sk", N(sk)}}))).ok());
  }
  ASSERT_TRUE(db_->Write(WriteOp::Put("orders", MakeItem({{"pk", S("b")}, {"sk", N(1)}}))).ok());
  QueryRequest q;
  q.table = "orders";
  q.partition_key = S("a");
  auto r = db_->Query(q);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->items.size(), 5u);
  for (int i = 0; i < 5; ++i)
    EXPECT_EQ(*r->items[i].Find("sk"), N(i + 1));
  EXPECT_FALSE(r->last_evaluated_key.has_value());

  q.sort_key = SortKeyCondition{SortKeyCondition::Op::kBetween, N(2), N(4)};
  q.forward = false;
  r = db_->Query(q);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->items.size(), 3u);
  EXPECT_EQ(*r->items[0].Find("sk"), N(4));
  EXPECT_EQ(*r->items[2].Find("sk"), N(2));
}

TEST_F(DbTest, QueryPagesWithLimitAndExclusiveStartKey) {
  CreateOrders();
  for (int sk = 0; sk < 10; ++sk) {
    ASSERT_TRUE(db_->Write(WriteOp::Put("orders", MakeItem({{"pk", S("a")}, {"sk", N(sk)}}))).ok());
  }
  QueryRequest q;
  q.table = "orders";
  q.partition_key = S("a");
  q.limit = 4;
  std::vector<AttributeValue> seen;
  for (int page = 0; page < 10; ++page) {
    auto r = db_->Query(q);
    ASSERT_TRUE(r.ok());
    EXPECT_LE(r->items.size(), 4u);
    for (const Item& it : r->items)
      seen.push_back(*it.Find("sk"));
    if (!r->last_evaluated_key) break;
    q.exclusive_start_key = r->last_evaluated_key;
  }
  ASSERT_EQ(seen.size(), 10u);
  for (int i = 0; i < 10; ++i)
    EXPECT_EQ(seen[i], N(i));
}

TEST_F(DbTest, QueryBeginsWithOnStringSortKey) {
  TableSpec spec = Spec("docs", {"pk", AttributeType::kS}, KeyAttribute{"sk", AttributeType::kS});
  ASSERT_TRUE(db_->CreateTable(spec).ok());
  for (const char* sk : {"a", "ab", "abc", "abd", "b", "a\x01"}) {
    ASSERT_TRUE(db_->Write(WriteOp::Put("docs", MakeItem({{"pk", S("p")}, {"sk", S(sk)}}))).ok());
  }
  QueryRequest q;
  q.table = "docs";
  q.partition_key = S("p");
  q.sort_key = SortKeyCondition{SortKeyCondition::Op::kBeginsWith, S("ab"), {}};
  auto r = db_->Query(q);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->items.size(), 3u);
  EXPECT_EQ(*r->items[0].Find("sk"), S("ab"));
  EXPECT_EQ(*r->items[2].Find("sk"), S("abd"));
}

TEST_F(DbTest, ScanSegmentsPartitionTheTable) {
  CreateOrders();
  for (int i = 0; i < 200; ++i) {
    ASSERT_TRUE(db_->Write(WriteOp::Put("orders", MakeItem({{"pk", S("p" + std::to_string(i))},
                                                            {"sk", N(i)}})))
                    .ok());
  }
  std::size_t total = 0;
  for (std::uint32_t seg = 0; seg < 4; ++seg) {
    ScanRequest s;
    s.table = "orders";
    s.segment = seg;
    s.total_segments = 4;
    auto r = db_->Scan(s);
    ASSERT_TRUE(r.ok());
    EXPECT_GT(r->items.size(), 20u);  // roughly a quarter each
    total += r->items.size();
  }
  EXPECT_EQ(total, 200u);
}

TEST_F(DbTest, TransactionIsAllOrNothing) {
  CreateOrders();
  ASSERT_TRUE(
      db_->Write(WriteOp::Put("orders", MakeItem({{"pk", S("a")}, {"sk", N(1)}, {"n", N(1)}})))
          .ok());
  Lsn before = LogRecords();
  Condition is_two = cond::Eq(Path("n"), N(2));
  std::vector<WriteOp> ops;
  ops.push_back(WriteOp::Put("orders", MakeItem({{"pk", S("b")}, {"sk", N(1)}})));
  ops.push_back(WriteOp::ConditionCheck("orders", Key("a", 1), &is_two));
  std::vector<WriteOutcome> outcomes;
  EXPECT_TRUE(db_->Transact(ops, &outcomes).IsConditionFailed());
  EXPECT_TRUE(outcomes[0].status.ok());
  EXPECT_TRUE(outcomes[1].status.IsConditionFailed());
  EXPECT_EQ(GetItem("b", 1), std::nullopt);
  EXPECT_EQ(LogRecords(), before);

  Condition is_one = cond::Eq(Path("n"), N(1));
  ops[1] = WriteOp::ConditionCheck("orders", Key("a", 1), &is_one);
  ops.push_back(WriteOp::Put("orders", MakeItem({{"pk", S("c")}, {"sk", N(1)}})));
  ASSERT_TRUE(db_->Transact(ops, &outcomes).ok());
  EXPECT_EQ(LogRecords(), before + 1);  // one record for both puts
  EXPECT_TRUE(GetItem("b", 1).has_value());
  EXPECT_TRUE(GetItem("c", 1).has_value());
}

TEST_F(DbTest, TransactionRejectsTwoOpsOnOneItem) {
  CreateOrders();
  std::vector<WriteOp> ops{WriteOp::Put("orders", MakeItem({{"pk", S("a")}, {"sk", N(1)}})),
                           WriteOp::Delete("orders", Key("a", 1))};
  std::vector<WriteOutcome> outcomes;
  EXPECT_TRUE(db_->Transact(ops, &outcomes).IsInvalidArgument());
}

TEST_F(DbTest, ReopenRestoresCatalogAndItems) {
  CreateOrders({true, StreamViewType::kNewAndOldImages});
  for (int i = 0; i < 100; ++i) {
    ASSERT_TRUE(
        db_->Write(WriteOp::Put("orders", MakeItem({{"pk", S("a")}, {"sk", N(i)}, {"v", N(i)}})))
            .ok());
  }
  ASSERT_TRUE(db_->Write(WriteOp::Delete("orders", Key("a", 7))).ok());
  ASSERT_TRUE(db_->Close().ok());
  Reopen();
  auto desc = db_->DescribeTable("orders");
  ASSERT_TRUE(desc.ok());
  EXPECT_TRUE(desc->stream.enabled);
  EXPECT_EQ(desc->item_count, 99u);
  EXPECT_EQ(GetItem("a", 7), std::nullopt);
  EXPECT_EQ(GetItem("a", 8), MakeItem({{"pk", S("a")}, {"sk", N(8)}, {"v", N(8)}}));
}

TEST_F(DbTest, BatchValidatesEverythingBeforeWriting) {
  CreateOrders();
  std::vector<WriteOp> ops{WriteOp::Put("orders", MakeItem({{"pk", S("a")}, {"sk", N(1)}})),
                           WriteOp::Put("orders", MakeItem({{"pk", S("a")}}))};
  std::vector<WriteOutcome> outcomes;
  EXPECT_TRUE(db_->WriteBatch(ops, &outcomes).IsInvalidArgument());
  EXPECT_EQ(GetItem("a", 1), std::nullopt);
  ops.pop_back();
  ops.push_back(WriteOp::Delete("orders", Key("zz", 1)));
  ASSERT_TRUE(db_->WriteBatch(ops, &outcomes).ok());
  EXPECT_EQ(outcomes[0].change, ChangeType::kInsert);
  EXPECT_EQ(outcomes[1].change, ChangeType::kNone);
}

TEST_F(DbTest, UpdateStreamFollowsDynamoDbRules) {
  CreateOrders();
  EXPECT_TRUE(
      db_->UpdateStream("orders", {false, StreamViewType::kKeysOnly}).status().IsInvalidArgument());
  ASSERT_TRUE(db_->UpdateStream("orders", {true, StreamViewType::kKeysOnly}).ok());
  EXPECT_TRUE(
      db_->UpdateStream("orders", {true, StreamViewType::kNewImage}).status().IsInvalidArgument());
  ASSERT_TRUE(db_->UpdateStream("orders", {false, StreamViewType::kKeysOnly}).ok());
}

}  // namespace
}  // namespace eddy::db_test
