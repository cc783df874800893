#include "engine/expression/update_apply.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "eddy/update.h"
#include "support/values.h"

// The file's own namespace: the unity build compiles the files of a test
// folder as one translation unit, where anonymous namespaces are shared.
namespace eddy::engine::update_apply_test {
namespace {

using namespace eddy::testing;  // NOLINT: value builders

namespace u = eddy::upd;

const Item& Key() {
  static const Item key = MakeItem({{"pk", S("k")}});
  return key;
}

Item Old() {
  return MakeItem({
      {"pk", S("k")},
      {"a", S("A")},
      {"b", S("B")},
      {"n", N(5)},
      {"m", M({{"x", N(1)}, {"y", S("why")}})},
      {"l", L({S("l0"), S("l1"), S("l2"), S("l3")})},
      {"doc", L({M({{"z", N(3)}})})},
      {"ss", SS({"a", "b"})},
      {"ns", NS({1, 2})},
  });
}

// Applies to Old(); fails the test on an error.
Item Apply(const Update& update) {
  const Item old = Old();
  Result<Item> r = ApplyUpdate(&old, Key(), update);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : Item();
}

Status ApplyError(const Update& update) {
  const Item old = Old();
  Result<Item> r = ApplyUpdate(&old, Key(), update);
  EXPECT_FALSE(r.ok()) << r->DebugString();
  return r.ok() ? Status::Ok() : r.status();
}

// Old() with one attribute replaced (or removed when `value` is null).
Item OldWith(const std::string& name, const AttributeValue* value) {
  Item item = Old();
  if (value != nullptr) {
    item.Set(name, *value);
  } else {
    item.Erase(name);
  }
  return item;
}

constexpr const char* kIncorrectDataType =
    "An operand in the update expression has an incorrect data type";
constexpr const char* kInvalidPath =
    "The document path provided in the update expression is invalid for update";

// --- SET ------------------------------------------------------------------------

TEST(UpdateApply, SetCreatesTopLevelAttribute) {
  const AttributeValue v = S("new");
  EXPECT_EQ(Apply({u::Set(Path("c"), S("new"))}), OldWith("c", &v));
}

TEST(UpdateApply, SetReplacesTopLevelAttribute) {
  const AttributeValue v = N(7);
  EXPECT_EQ(Apply({u::Set(Path("a"), N(7))}), OldWith("a", &v));
}

TEST(UpdateApply, SetToSameValueYieldsEqualItem) {
  EXPECT_EQ(Apply({u::Set(Path("a"), S("A"))}), Old());
  EXPECT_EQ(Apply({u::Set(Path("n"), NText("5.0"))}), Old());
  EXPECT_EQ(Apply({u::Set(Path("m").Member("x"), N(1))}), Old());
  EXPECT_EQ(Apply({u::Set(Path("l").Index(1), S("l1"))}), Old());
}

TEST(UpdateApply, OperandsSeeTheOldItemSoSetSwaps) {
  Item out = Apply({u::Set(Path("a"), Path("b")), u::Set(Path("b"), Path("a"))});
  EXPECT_EQ(*out.Find("a"), S("B"));
  EXPECT_EQ(*out.Find("b"), S("A"));
}

TEST(UpdateApply, OperandsSeeTheOldItemDespiteEarlierRemove) {
  Item out = Apply({u::Remove(Path("a")), u::Set(Path("c"), Path("a"))});
  EXPECT_EQ(out.Find("a"), nullptr);
  EXPECT_EQ(*out.Find("c"), S("A"));
}

TEST(UpdateApply, SetCopiesNestedPathOperand) {
  Item out = Apply({u::Set(Path("c"), Path("doc").Index(0).Member("z"))});
  EXPECT_EQ(*out.Find("c"), N(3));
}

TEST(UpdateApply, SetFromMissingPathIsInvalid) {
  Status s = ApplyError({u::Set(Path("c"), Path("missing"))});
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_EQ(s.message(),
            "The provided expression refers to an attribute that does not exist in the item");
}

TEST(UpdateApply, PlusAndMinusComputeExactly) {
  Item out = Apply({u::Set(Path("p"), u::Plus(Path("n"), NText("0.25"))),
                    u::Set(Path("q"), u::Minus(Path("n"), N(7)))});
  EXPECT_EQ(*out.Find("p"), NText("5.25"));
  EXPECT_EQ(*out.Find("q"), N(-2));
}

TEST(UpdateApply, ArithmeticOnNonNumberValueIsInvalid) {
  Status s = ApplyError({u::Set(Path("c"), u::Plus(Path("a"), N(1)))});
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_EQ(s.message(), kIncorrectDataType);
}

TEST(UpdateApply, ArithmeticOnMissingValueIsInvalid) {
  Status s = ApplyError({u::Set(Path("c"), u::Plus(Path("missing"), N(1)))});
  EXPECT_EQ(s.message(),
            "The provided expression refers to an attribute that does not exist in the item");
}

TEST(UpdateApply, ArithmeticWithNonNumberLiteralIsInvalidBeforeReading) {
  Status s = ApplyError({u::Set(Path("c"), u::Minus(Path("n"), S("1")))});
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_EQ(s.message(),
            "Invalid UpdateExpression: Incorrect operand type for operator or function; operator "
            "or function: -, operand type: STRING");
}

TEST(UpdateApply, ArithmeticOverflowIsInvalid) {
  const AttributeValue big = NText("9.9999999999999999999999999999999999999E+125");
  Status s = ApplyError({u::Set(Path("c"), u::Plus(big, big))});
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_NE(s.message().find("overflow"), std::string::npos) << s.message();
}

TEST(UpdateApply, ArithmeticNeedingMoreThan38DigitsIsInvalid) {
  Status s = ApplyError({u::Set(Path("c"), u::Plus(NText("1E+38"), N(1)))});
  EXPECT_NE(s.message().find("38 significant digits"), std::string::npos) << s.message();
}

TEST(UpdateApply, IfNotExistsKeepsExistingValue) {
  EXPECT_EQ(Apply({u::Set(Path("a"), u::IfNotExists(Path("a"), S("fallback")))}), Old());
}

TEST(UpdateApply, IfNotExistsUsesFallbackWhenMissing) {
  Item out = Apply({u::Set(Path("c"), u::IfNotExists(Path("c"), S("fallback"))),
                    u::Set(Path("d"), u::IfNotExists(Path("x"), u::IfNotExists(Path("y"), N(9))))});
  EXPECT_EQ(*out.Find("c"), S("fallback"));
  EXPECT_EQ(*out.Find("d"), N(9));
}

TEST(UpdateApply, IfNotExistsInsideArithmeticCountsFromZero) {
  Item out = Apply({u::Set(Path("cnt"), u::Plus(u::IfNotExists(Path("cnt"), N(0)), N(1)))});
  EXPECT_EQ(*out.Find("cnt"), N(1));
}

TEST(UpdateApply, ListAppendConcatenatesInArgumentOrder) {
  Item out = Apply({u::Set(Path("l"), u::ListAppend(Path("l"), L({S("end")}))),
                    u::Set(Path("p"), u::ListAppend(L({S("start")}), Path("doc")))});
  EXPECT_EQ(*out.Find("l"), L({S("l0"), S("l1"), S("l2"), S("l3"), S("end")}));
  EXPECT_EQ(*out.Find("p"), L({S("start"), M({{"z", N(3)}})}));
}

TEST(UpdateApply, ListAppendToMissingListViaIfNotExists) {
  Item out = Apply({u::Set(Path("c"), u::ListAppend(u::IfNotExists(Path("c"), L({})), L({N(1)})))});
  EXPECT_EQ(*out.Find("c"), L({N(1)}));
}

TEST(UpdateApply, ListAppendOnNonListValueIsInvalid) {
  EXPECT_EQ(ApplyError({u::Set(Path("c"), u::ListAppend(Path("m"), L({})))}).message(),
            kIncorrectDataType);
}

TEST(UpdateApply, ListAppendWithNonListLiteralIsInvalid) {
  Status s = ApplyError({u::Set(Path("l"), u::ListAppend(Path("l"), S("x")))});
  EXPECT_EQ(s.message(),
            "Invalid UpdateExpression: Incorrect operand type for operator or function; operator "
            "or function: list_append, operand type: STRING");
}

TEST(UpdateApply, SetNestedMemberCreatesOrReplacesMember) {
  Item out = Apply({u::Set(Path("m").Member("x"), N(2)), u::Set(Path("m").Member("new"), S("v"))});
  EXPECT_EQ(*out.Find("m"), M({{"x", N(2)}, {"y", S("why")}, {"new", S("v")}}));
}

TEST(UpdateApply, SetUnderMissingParentIsInvalid) {
  Status s = ApplyError({u::Set(Path("missing").Member("x"), N(1))});
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_EQ(s.message(), kInvalidPath);
  EXPECT_EQ(ApplyError({u::Set(Path("m").Member("no").Member("x"), N(1))}).message(), kInvalidPath);
}

TEST(UpdateApply, SetThroughWrongTypeIsInvalid) {
  EXPECT_EQ(ApplyError({u::Set(Path("a").Member("x"), N(1))}).message(), kInvalidPath);
  EXPECT_EQ(ApplyError({u::Set(Path("m").Index(0), N(1))}).message(), kInvalidPath);
  EXPECT_EQ(ApplyError({u::Set(Path("l").Member("x"), N(1))}).message(), kInvalidPath);
}

TEST(UpdateApply, SetListIndexReplacesElement) {
  Item out = Apply({u::Set(Path("l").Index(2), S("new"))});
  EXPECT_EQ(*out.Find("l"), L({S("l0"), S("l1"), S("new"), S("l3")}));
}

TEST(UpdateApply, SetListIndexPastEndAppendsInIndexOrder) {
  Item out =
      Apply({u::Set(Path("l").Index(20), S("second")), u::Set(Path("l").Index(9), S("first"))});
  EXPECT_EQ(*out.Find("l"), L({S("l0"), S("l1"), S("l2"), S("l3"), S("first"), S("second")}));
}

TEST(UpdateApply, SetInsideListElement) {
  Item out = Apply({u::Set(Path("doc").Index(0).Member("w"), N(4))});
  EXPECT_EQ(*out.Find("doc"), L({M({{"w", N(4)}, {"z", N(3)}})}));
}

TEST(UpdateApply, SetBelowElementPastEndIsInvalid) {
  EXPECT_EQ(ApplyError({u::Set(Path("doc").Index(5).Member("w"), N(4))}).message(), kInvalidPath);
}

TEST(UpdateApply, ResultBeyondNestingLimitIsInvalid) {
  AttributeValue deep = L({});  // depth 1
  for (int depth = 1; depth < AttributeValue::kMaxNestingDepth; ++depth)
    deep = L({deep});
  ASSERT_EQ(deep.NestingDepth(), AttributeValue::kMaxNestingDepth);
  EXPECT_TRUE(ApplyError({u::Set(Path("m").Member("deep"), deep)}).IsInvalidArgument());
  Item out = Apply({u::Set(Path("top"), deep)});  // 32 levels is fine
  EXPECT_EQ(*out.Find("top"), deep);
}

// --- REMOVE -----------------------------------------------------------------------

TEST(UpdateApply, RemoveDeletesTopLevelAttribute) {
  EXPECT_EQ(Apply({u::Remove(Path("a"))}), OldWith("a", nullptr));
}

TEST(UpdateApply, RemoveMissingAttributeYieldsEqualItem) {
  EXPECT_EQ(Apply({u::Remove(Path("missing"))}), Old());
  EXPECT_EQ(Apply({u::Remove(Path("m").Member("missing"))}), Old());
  EXPECT_EQ(Apply({u::Remove(Path("missing").Member("x").Index(2))}), Old());
}

TEST(UpdateApply, RemoveNestedMember) {
  Item out = Apply({u::Remove(Path("m").Member("x"))});
  EXPECT_EQ(*out.Find("m"), M({{"y", S("why")}}));
}

TEST(UpdateApply, RemoveListElementShiftsTheRest) {
  Item out = Apply({u::Remove(Path("l").Index(1))});
  EXPECT_EQ(*out.Find("l"), L({S("l0"), S("l2"), S("l3")}));
}

TEST(UpdateApply, RemoveSeveralListElementsUsesOriginalIndexes) {
  Item out = Apply({u::Remove(Path("l").Index(2)), u::Remove(Path("l").Index(0))});
  EXPECT_EQ(*out.Find("l"), L({S("l1"), S("l3")}));
}

TEST(UpdateApply, RemovePastTheEndOfListYieldsEqualItem) {
  EXPECT_EQ(Apply({u::Remove(Path("l").Index(4))}), Old());
}

TEST(UpdateApply, SetAndRemoveInOneListUseOriginalIndexes) {
  Item out = Apply({u::Remove(Path("l").Index(0)), u::Set(Path("l").Index(1), S("x"))});
  EXPECT_EQ(*out.Find("l"), L({S("x"), S("l2"), S("l3")}));
}

TEST(UpdateApply, RemoveThroughWrongTypeIsInvalid) {
  EXPECT_EQ(ApplyError({u::Remove(Path("a").Member("x"))}).message(), kInvalidPath);
  EXPECT_EQ(ApplyError({u::Remove(Path("m").Index(0))}).message(), kInvalidPath);
}

// --- ADD ----------------------------------------------------------------------------

TEST(UpdateApply, AddToNumberAdds) {
  Item out = Apply({u::Add(Path("n"), NText("-7.5"))});
  EXPECT_EQ(*out.Find("n"), NText("-2.5"));
}

TEST(UpdateApply, AddZeroYieldsEqualItem) {
  EXPECT_EQ(Apply({u::Add(Path("n"), N(0))}), Old());
}

TEST(UpdateApply, AddToMissingNumberStartsFromZero) {
  Item out = Apply({u::Add(Path("c"), N(3))});
  EXPECT_EQ(*out.Find("c"), N(3));
}

TEST(UpdateApply, AddToMissingSetCreatesTheSet) {
  Item out = Apply({u::Add(Path("c"), SS({"x"}))});
  EXPECT_EQ(*out.Find("c"), SS({"x"}));
}

TEST(UpdateApply, AddUnionsSets) {
  Item out = Apply({u::Add(Path("ss"), SS({"c", "a"})), u::Add(Path("ns"), NS({3}))});
  EXPECT_EQ(*out.Find("ss"), SS({"a", "b", "c"}));
  EXPECT_EQ(*out.Find("ns"), NS({1, 2, 3}));
}

TEST(UpdateApply, AddOfPresentElementsYieldsEqualItem) {
  EXPECT_EQ(Apply({u::Add(Path("ss"), SS({"a"}))}), Old());
}

TEST(UpdateApply, AddToValueOfOtherTypeIsInvalid) {
  EXPECT_EQ(ApplyError({u::Add(Path("n"), SS({"x"}))}).message(), kIncorrectDataType);
  EXPECT_EQ(ApplyError({u::Add(Path("ss"), NS({1}))}).message(), kIncorrectDataType);
  EXPECT_EQ(ApplyError({u::Add(Path("a"), N(1))}).message(), kIncorrectDataType);
}

TEST(UpdateApply, AddWithNonNumberNonSetLiteralIsInvalid) {
  Status s = ApplyError({u::Add(Path("c"), S("x"))});
  EXPECT_EQ(s.message(),
            "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: "
            "ADD, operand type: STRING, typeSet: ALLOWED_FOR_ADD_OPERAND");
  EXPECT_TRUE(ApplyError({u::Add(Path("c"), L({}))}).IsInvalidArgument());
}

TEST(UpdateApply, AddOverflowIsInvalid) {
  const AttributeValue big = NText("9.9999999999999999999999999999999999999E+125");
  const Item old = MakeItem({{"pk", S("k")}, {"n", big}});
  Result<Item> r = ApplyUpdate(&old, Key(), {u::Add(Path("n"), big)});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("overflow"), std::string::npos);
}

TEST(UpdateApply, AddNestedNumber) {
  Item out = Apply({u::Add(Path("m").Member("x"), N(2))});
  EXPECT_EQ(*out.Find("m"), M({{"x", N(3)}, {"y", S("why")}}));
}

TEST(UpdateApply, AddUnderMissingParentIsInvalid) {
  EXPECT_EQ(ApplyError({u::Add(Path("missing").Member("x"), N(1))}).message(), kInvalidPath);
}

// --- DELETE -------------------------------------------------------------------------

TEST(UpdateApply, DeleteRemovesElements) {
  Item out = Apply({u::Delete(Path("ss"), SS({"a", "zz"}))});
  EXPECT_EQ(*out.Find("ss"), SS({"b"}));
}

TEST(UpdateApply, DeletingLastElementsRemovesAttribute) {
  Item out = Apply({u::Delete(Path("ns"), NS({2, 1}))});
  EXPECT_EQ(out.Find("ns"), nullptr);
  EXPECT_EQ(out, OldWith("ns", nullptr));
}

TEST(UpdateApply, DeleteOfAbsentElementsYieldsEqualItem) {
  EXPECT_EQ(Apply({u::Delete(Path("ss"), SS({"zz"}))}), Old());
}

TEST(UpdateApply, DeleteFromMissingAttributeYieldsEqualItem) {
  EXPECT_EQ(Apply({u::Delete(Path("missing"), SS({"a"}))}), Old());
}

TEST(UpdateApply, DeleteWithNonSetLiteralIsInvalid) {
  Status s = ApplyError({u::Delete(Path("n"), N(1))});
  EXPECT_EQ(s.message(),
            "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: "
            "DELETE, operand type: NUMBER, typeSet: ALLOWED_FOR_DELETE_OPERAND");
}

TEST(UpdateApply, DeleteFromValueOfOtherTypeIsInvalid) {
  EXPECT_EQ(ApplyError({u::Delete(Path("ss"), NS({1}))}).message(), kIncorrectDataType);
  EXPECT_EQ(ApplyError({u::Delete(Path("a"), SS({"A"}))}).message(), kIncorrectDataType);
}

// --- Static checks --------------------------------------------------------------------

TEST(UpdateApply, OverlappingPathsAreInvalid) {
  Status s = ApplyError({u::Set(Path("a"), N(1)), u::Remove(Path("a").Member("b"))});
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_EQ(s.message(),
            "Invalid UpdateExpression: Two document paths overlap with each other; must remove or "
            "rewrite one of these paths; path one: [a], path two: [a, b]");
}

TEST(UpdateApply, SamePathInTwoActionsIsInvalid) {
  EXPECT_TRUE(ApplyError({u::Add(Path("n"), N(1)), u::Set(Path("n"), N(2))}).IsInvalidArgument());
}

TEST(UpdateApply, ConflictingPathsAreInvalid) {
  Status s = ApplyError({u::Set(Path("m").Member("x"), N(1)), u::Remove(Path("m").Index(0))});
  EXPECT_NE(s.message().find("conflict"), std::string::npos) << s.message();
}

TEST(UpdateApply, UpdatingKeyAttributeIsInvalid) {
  Status s = ApplyError({u::Set(Path("pk"), S("k"))});
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_EQ(s.message(),
            "One or more parameter values were invalid: Cannot update attribute pk. This "
            "attribute is part of the key");
  EXPECT_TRUE(ApplyError({u::Remove(Path("pk"))}).IsInvalidArgument());
}

TEST(UpdateApply, UpdatingSortKeyAttributeIsInvalid) {
  const Item key = MakeItem({{"pk", S("k")}, {"sk", N(1)}});
  const Item old = MakeItem({{"pk", S("k")}, {"sk", N(1)}});
  Result<Item> r = ApplyUpdate(&old, key, {u::Add(Path("sk"), N(1))});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("Cannot update attribute sk"), std::string::npos);
}

TEST(UpdateApply, CheckUpdateNeedsNoItem) {
  EXPECT_TRUE(CheckUpdate({u::Set(Path("a"), N(1)), u::Remove(Path("b"))}, Key()).ok());
  EXPECT_TRUE(CheckUpdate({u::Remove(Path("pk"))}, Key()).IsInvalidArgument());
}

// --- Missing item (upsert) --------------------------------------------------------------

TEST(UpdateApply, MissingItemStartsFromKey) {
  Result<Item> r = ApplyUpdate(nullptr, Key(), {u::Set(Path("a"), N(1))});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(*r, MakeItem({{"pk", S("k")}, {"a", N(1)}}));
}

TEST(UpdateApply, MissingItemOperandsSeeTheKey) {
  Result<Item> r = ApplyUpdate(nullptr, Key(), {u::Set(Path("copy"), Path("pk"))});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(*r->Find("copy"), S("k"));
}

TEST(UpdateApply, MissingItemWithOnlyRemovesYieldsKeyOnlyItem) {
  const Update update{u::Remove(Path("a")), u::Delete(Path("ss"), SS({"a"}))};
  EXPECT_TRUE(update.OnlyRemovesOrDeletes());
  Result<Item> r = ApplyUpdate(nullptr, Key(), update);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(*r, Key());
}

TEST(UpdateApply, EmptyUpdateOnMissingItemYieldsKeyOnlyItem) {
  const Update update;
  EXPECT_FALSE(update.OnlyRemovesOrDeletes());
  Result<Item> r = ApplyUpdate(nullptr, Key(), update);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, Key());
}

TEST(UpdateApply, MissingItemAddCreatesAttribute) {
  const Update update{u::Add(Path("cnt"), N(1))};
  EXPECT_FALSE(update.OnlyRemovesOrDeletes());
  Result<Item> r = ApplyUpdate(nullptr, Key(), update);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, MakeItem({{"pk", S("k")}, {"cnt", N(1)}}));
}

// --- ReturnValues helpers -------------------------------------------------------------------

TEST(UpdateApply, UpdatedPathsListActionPaths) {
  const Update update{u::Set(Path("m").Member("x"), N(1)), u::Remove(Path("a")),
                      u::Add(Path("n"), N(1)), u::Delete(Path("ss"), SS({"a"}))};
  EXPECT_EQ(UpdatedPathsOld(update),
            (std::vector<DocumentPath>{Path("m").Member("x"), Path("a"), Path("n"), Path("ss")}));
  EXPECT_EQ(UpdatedPathsNew(update),
            (std::vector<DocumentPath>{Path("m").Member("x"), Path("n"), Path("ss")}));
  EXPECT_EQ(UpdatedAttributeNames(update), (std::vector<std::string>{"a", "m", "n", "ss"}));
}

TEST(UpdateApply, UpdatesAreComparableValues) {
  const Update a{u::Set(Path("x"), u::Plus(u::IfNotExists(Path("x"), N(0)), N(1)))};
  const Update copy = a;
  EXPECT_EQ(a, copy);
  EXPECT_NE(a, (Update{u::Set(Path("x"), u::Minus(u::IfNotExists(Path("x"), N(0)), N(1)))}));
}

}  // namespace
}  // namespace eddy::engine::update_apply_test
