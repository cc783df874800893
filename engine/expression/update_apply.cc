// Design note. The actions are applied through a trie of their paths rather
// than one after another, because DynamoDB's list semantics are defined
// against the OLD list: `REMOVE l[0], l[2]` removes the original elements 0
// and 2, and `SET l[1] = :x REMOVE l[0]` writes the original element 1.
// Applied sequentially, the first action would shift the indexes the second
// one means. The trie visits each old list once, decides every element's
// fate by its original index, then appends past-the-end SETs in index order.
// Because CheckUpdate rejects overlapping and conflicting paths first, every
// action sits at a leaf and every inner node is a pure map or a pure list.
#include "engine/expression/update_apply.h"

#include <algorithm>
#include <cassert>
#include <cstdint>
#include <iterator>
#include <map>
#include <memory>
#include <optional>
#include <string_view>
#include <utility>
#include <variant>

#include "engine/expression/condition_eval.h"

namespace eddy::engine {
namespace {

constexpr std::string_view kInvalidDocumentPath =
    "The document path provided in the update expression is invalid for update";
constexpr std::string_view kIncorrectDataType =
    "An operand in the update expression has an incorrect data type";
constexpr std::string_view kMissingAttribute =
    "The provided expression refers to an attribute that does not exist in the item";

Status InvalidDocumentPath() {
  return Status::InvalidArgument(kInvalidDocumentPath);
}
Status IncorrectDataType() {
  return Status::InvalidArgument(kIncorrectDataType);
}

Status IncorrectOperandType(std::string_view op, const AttributeValue& v) {
  std::string msg =
      "Invalid UpdateExpression: Incorrect operand type for operator or function; operator or "
      "function: ";
  msg += op;
  msg += ", operand type: ";
  msg += LongTypeName(v.type());
  return Status::InvalidArgument(msg);
}

Status IncorrectClauseOperandType(std::string_view clause, const AttributeValue& v) {
  std::string msg =
      "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: ";
  msg += clause;
  msg += ", operand type: ";
  msg += LongTypeName(v.type());
  msg += ", typeSet: ALLOWED_FOR_";
  msg += clause;
  msg += "_OPERAND";
  return Status::InvalidArgument(msg);
}

bool IsSet(AttributeType t) {
  return t == AttributeType::kSS || t == AttributeType::kNS || t == AttributeType::kBS;
}

bool IsEmptySet(const AttributeValue& v) {
  switch (v.type()) {
    case AttributeType::kSS:
      return v.AsStringSet().empty();
    case AttributeType::kNS:
      return v.AsNumberSet().empty();
    case AttributeType::kBS:
      return v.AsBinarySet().empty();
    default:
      return false;
  }
}

// --- Static checks -------------------------------------------------------------

Status CheckOperandLiterals(const UpdateOperand& op) {
  if (const auto* f = std::get_if<IfNotExists>(&op.node)) return CheckOperandLiterals(*f->fallback);
  if (const auto* f = std::get_if<ListAppend>(&op.node)) {
    for (const UpdateOperand* arg : {&*f->first, &*f->second}) {
      if (const auto* lit = std::get_if<AttributeValue>(&arg->node);
          lit != nullptr && !lit->Is(AttributeType::kL)) {
        return IncorrectOperandType("list_append", *lit);
      }
      EDDY_RETURN_IF_ERROR(CheckOperandLiterals(*arg));
    }
  }
  return Status::Ok();
}

Status CheckSetValueLiterals(const SetValue& value) {
  if (const auto* op = std::get_if<UpdateOperand>(&value.node)) return CheckOperandLiterals(*op);
  const Arithmetic& a = *std::get_if<Arithmetic>(&value.node);
  const std::string_view name = a.op == ArithmeticOp::kPlus ? "+" : "-";
  for (const UpdateOperand* arg : {&a.left, &a.right}) {
    if (const auto* lit = std::get_if<AttributeValue>(&arg->node);
        lit != nullptr && !lit->Is(AttributeType::kN)) {
      return IncorrectOperandType(name, *lit);
    }
    EDDY_RETURN_IF_ERROR(CheckOperandLiterals(*arg));
  }
  return Status::Ok();
}

Status CheckActionLiterals(const UpdateAction& action) {
  if (const auto* set = std::get_if<SetAction>(&action)) return CheckSetValueLiterals(set->value);
  if (const auto* add = std::get_if<AddAction>(&action)) {
    if (!add->value.Is(AttributeType::kN) && !IsSet(add->value.type())) {
      return IncorrectClauseOperandType("ADD", add->value);
    }
    if (IsEmptySet(add->value)) return Status::InvalidArgument("ADD requires a non-empty set");
  }
  if (const auto* del = std::get_if<DeleteAction>(&action)) {
    if (!IsSet(del->value.type())) return IncorrectClauseOperandType("DELETE", del->value);
    if (IsEmptySet(del->value)) return Status::InvalidArgument("DELETE requires a non-empty set");
  }
  return Status::Ok();
}

// --- Evaluating SET right-hand sides -------------------------------------------

Result<AttributeValue> EvalOperand(const UpdateOperand& op, const Item* base) {
  if (const auto* path = std::get_if<DocumentPath>(&op.node)) {
    const AttributeValue* v = ResolvePath(base, *path);
    if (v == nullptr) return Status::InvalidArgument(kMissingAttribute);
    return *v;
  }
  if (const auto* lit = std::get_if<AttributeValue>(&op.node)) return *lit;
  if (const auto* f = std::get_if<IfNotExists>(&op.node)) {
    if (const AttributeValue* v = ResolvePath(base, f->path)) return *v;
    return EvalOperand(*f->fallback, base);
  }
  const ListAppend& f = *std::get_if<ListAppend>(&op.node);
  EDDY_ASSIGN_OR_RETURN(AttributeValue first, EvalOperand(*f.first, base));
  EDDY_ASSIGN_OR_RETURN(AttributeValue second, EvalOperand(*f.second, base));
  if (!first.Is(AttributeType::kL) || !second.Is(AttributeType::kL)) return IncorrectDataType();
  AttributeValue::List out = std::move(first).TakeList();
  AttributeValue::List tail = std::move(second).TakeList();
  out.insert(out.end(), std::make_move_iterator(tail.begin()), std::make_move_iterator(tail.end()));
  return AttributeValue::L(std::move(out));
}

Result<AttributeValue> EvalSetValue(const SetValue& value, const Item* base) {
  if (const auto* op = std::get_if<UpdateOperand>(&value.node)) return EvalOperand(*op, base);
  const Arithmetic& a = *std::get_if<Arithmetic>(&value.node);
  EDDY_ASSIGN_OR_RETURN(AttributeValue left, EvalOperand(a.left, base));
  EDDY_ASSIGN_OR_RETURN(AttributeValue right, EvalOperand(a.right, base));
  if (!left.Is(AttributeType::kN) || !right.Is(AttributeType::kN)) return IncorrectDataType();
  EDDY_ASSIGN_OR_RETURN(Number n, a.op == ArithmeticOp::kPlus
                                      ? left.AsNumber().Add(right.AsNumber())
                                      : left.AsNumber().Subtract(right.AsNumber()));
  return AttributeValue::N(n);
}

// --- Set algebra on canonical (sorted, unique) sets ----------------------------

AttributeValue SetUnion(const AttributeValue& a, const AttributeValue& b) {
  assert(a.type() == b.type());
  if (a.Is(AttributeType::kNS)) {
    AttributeValue::NumberSet out;
    std::set_union(a.AsNumberSet().begin(), a.AsNumberSet().end(), b.AsNumberSet().begin(),
                   b.AsNumberSet().end(), std::back_inserter(out));
    return AttributeValue::NSFromCanonical(std::move(out));
  }
  const bool ss = a.Is(AttributeType::kSS);
  const AttributeValue::StringSet& x = ss ? a.AsStringSet() : a.AsBinarySet();
  const AttributeValue::StringSet& y = ss ? b.AsStringSet() : b.AsBinarySet();
  AttributeValue::StringSet out;
  std::set_union(x.begin(), x.end(), y.begin(), y.end(), std::back_inserter(out));
  return ss ? AttributeValue::SSFromCanonical(std::move(out))
            : AttributeValue::BSFromCanonical(std::move(out));
}

// nullopt when the difference is empty.
std::optional<AttributeValue> SetDifference(const AttributeValue& a, const AttributeValue& b) {
  assert(a.type() == b.type());
  if (a.Is(AttributeType::kNS)) {
    AttributeValue::NumberSet out;
    std::set_difference(a.AsNumberSet().begin(), a.AsNumberSet().end(), b.AsNumberSet().begin(),
                        b.AsNumberSet().end(), std::back_inserter(out));
    if (out.empty()) return std::nullopt;
    return AttributeValue::NSFromCanonical(std::move(out));
  }
  const bool ss = a.Is(AttributeType::kSS);
  const AttributeValue::StringSet& x = ss ? a.AsStringSet() : a.AsBinarySet();
  const AttributeValue::StringSet& y = ss ? b.AsStringSet() : b.AsBinarySet();
  AttributeValue::StringSet out;
  std::set_difference(x.begin(), x.end(), y.begin(), y.end(), std::back_inserter(out));
  if (out.empty()) return std::nullopt;
  return ss ? AttributeValue::SSFromCanonical(std::move(out))
            : AttributeValue::BSFromCanonical(std::move(out));
}

// --- The action trie -------------------------------------------------------------

struct ActionNode {
  // Leaf: the action and, for SET, its evaluated value.
  const UpdateAction* action = nullptr;
  std::optional<AttributeValue> set_value;
  // Inner node: children by member name or by list index (never both).
  std::map<std::string, std::unique_ptr<ActionNode>, std::less<>> members;
  std::map<std::uint32_t, std::unique_ptr<ActionNode>> indexes;
  // The subtree holds a SET or ADD, which needs every parent to exist.
  bool creates = false;
};

ActionNode* ActionChild(ActionNode* n, const DocumentPath::Step& step) {
  std::unique_ptr<ActionNode>& slot = DocumentPath::IsMember(step)
                                          ? n->members[DocumentPath::MemberName(step)]
                                          : n->indexes[DocumentPath::ListIndex(step)];
  if (!slot) slot = std::make_unique<ActionNode>();
  return slot.get();
}

using Applied = Result<std::optional<AttributeValue>>;

Applied ApplyNode(const AttributeValue* old, ActionNode& n);

Applied ApplyLeaf(const AttributeValue* old, ActionNode& n) {
  const UpdateAction& action = *n.action;
  if (std::holds_alternative<SetAction>(action)) return std::move(n.set_value);
  if (std::holds_alternative<RemoveAction>(action)) return std::optional<AttributeValue>();
  if (const auto* add = std::get_if<AddAction>(&action)) {
    if (old == nullptr) return std::optional<AttributeValue>(add->value);
    if (old->type() != add->value.type()) return IncorrectDataType();
    if (old->Is(AttributeType::kN)) {
      EDDY_ASSIGN_OR_RETURN(Number sum, old->AsNumber().Add(add->value.AsNumber()));
      return std::optional<AttributeValue>(AttributeValue::N(sum));
    }
    return std::optional<AttributeValue>(SetUnion(*old, add->value));
  }
  const DeleteAction& del = *std::get_if<DeleteAction>(&action);
  if (old == nullptr) return std::optional<AttributeValue>();
  if (old->type() != del.value.type()) return IncorrectDataType();
  return SetDifference(*old, del.value);
}

Applied ApplyMap(const AttributeValue& old, ActionNode& n) {
  if (!old.Is(AttributeType::kM)) return InvalidDocumentPath();
  AttributeValue::Map map = old.AsMap();
  for (auto& [name, child] : n.members) {
    auto it =
        std::lower_bound(map.begin(), map.end(), name,
                         [](const auto& entry, const std::string& k) { return entry.first < k; });
    const bool present = it != map.end() && it->first == name;
    EDDY_ASSIGN_OR_RETURN(std::optional<AttributeValue> v,
                          ApplyNode(present ? &it->second : nullptr, *child));
    if (v && present) {
      it->second = std::move(*v);
    } else if (v) {
      map.emplace(it, name, std::move(*v));
    } else if (present) {
      map.erase(it);
    }
  }
  EDDY_ASSIGN_OR_RETURN(AttributeValue out, AttributeValue::M(std::move(map)));
  return std::optional<AttributeValue>(std::move(out));
}

Applied ApplyList(const AttributeValue& old, ActionNode& n) {
  if (!old.Is(AttributeType::kL)) return InvalidDocumentPath();
  const AttributeValue::List& before = old.AsList();
  AttributeValue::List after;
  after.reserve(before.size() + n.indexes.size());
  auto child = n.indexes.begin();
  for (std::size_t i = 0; i < before.size(); ++i) {
    if (child != n.indexes.end() && child->first == i) {
      EDDY_ASSIGN_OR_RETURN(std::optional<AttributeValue> v, ApplyNode(&before[i], *child->second));
      if (v) after.push_back(std::move(*v));
      ++child;
    } else {
      after.push_back(before[i]);
    }
  }
  // Past the end: SET (and ADD) append in index order; the rest are no-ops
  // or, below a missing element, invalid paths.
  for (; child != n.indexes.end(); ++child) {
    EDDY_ASSIGN_OR_RETURN(std::optional<AttributeValue> v, ApplyNode(nullptr, *child->second));
    if (v) after.push_back(std::move(*v));
  }
  EDDY_ASSIGN_OR_RETURN(AttributeValue out, AttributeValue::L(std::move(after)));
  return std::optional<AttributeValue>(std::move(out));
}

// The new value at this node given the old one (nullptr: absent); nullopt
// means the node is absent afterwards.
Applied ApplyNode(const AttributeValue* old, ActionNode& n) {
  if (n.action != nullptr) return ApplyLeaf(old, n);
  if (old == nullptr) {
    if (n.creates) return InvalidDocumentPath();
    return std::optional<AttributeValue>();
  }
  if (!n.members.empty()) return ApplyMap(*old, n);
  return ApplyList(*old, n);
}

}  // namespace

Status CheckUpdate(const Update& update, const Item& key) {
  std::vector<DocumentPath> paths;
  paths.reserve(update.actions.size());
  for (const UpdateAction& a : update.actions)
    paths.push_back(ActionPath(a));
  EDDY_RETURN_IF_ERROR(CheckPathsDisjoint(paths, "UpdateExpression"));
  for (const UpdateAction& a : update.actions)
    EDDY_RETURN_IF_ERROR(CheckActionLiterals(a));
  for (const DocumentPath& p : paths) {
    if (key.Find(p.attribute()) != nullptr) {
      return Status::InvalidArgument(
          "One or more parameter values were invalid: Cannot update attribute " + p.attribute() +
          ". This attribute is part of the key");
    }
  }
  return Status::Ok();
}

Result<Item> ApplyUpdate(const Item* old_item, const Item& key, const Update& update) {
  EDDY_RETURN_IF_ERROR(CheckUpdate(update, key));
  // DynamoDB's upsert: a missing item behaves as the key-only item.
  const Item& base = old_item != nullptr ? *old_item : key;

  std::map<std::string, std::unique_ptr<ActionNode>, std::less<>> roots;
  for (const UpdateAction& action : update.actions) {
    const DocumentPath& path = ActionPath(action);
    const bool creates =
        std::holds_alternative<SetAction>(action) || std::holds_alternative<AddAction>(action);
    std::unique_ptr<ActionNode>& root = roots[path.attribute()];
    if (!root) root = std::make_unique<ActionNode>();
    ActionNode* n = root.get();
    n->creates |= creates;
    for (const DocumentPath::Step& step : path.steps()) {
      n = ActionChild(n, step);
      n->creates |= creates;
    }
    n->action = &action;
    // Every right-hand side sees the old item, whatever the other actions do.
    if (const auto* set = std::get_if<SetAction>(&action)) {
      EDDY_ASSIGN_OR_RETURN(n->set_value, EvalSetValue(set->value, &base));
    }
  }

  Item result = base;
  for (auto& [name, node] : roots) {
    EDDY_ASSIGN_OR_RETURN(std::optional<AttributeValue> v, ApplyNode(base.Find(name), *node));
    if (v) {
      result.Set(name, std::move(*v));
    } else {
      result.Erase(name);
    }
  }
  return result;
}

std::vector<DocumentPath> UpdatedPathsOld(const Update& update) {
  std::vector<DocumentPath> out;
  out.reserve(update.actions.size());
  for (const UpdateAction& a : update.actions)
    out.push_back(ActionPath(a));
  return out;
}

std::vector<DocumentPath> UpdatedPathsNew(const Update& update) {
  std::vector<DocumentPath> out;
  out.reserve(update.actions.size());
  for (const UpdateAction& a : update.actions) {
    if (!std::holds_alternative<RemoveAction>(a)) out.push_back(ActionPath(a));
  }
  return out;
}

std::vector<std::string> UpdatedAttributeNames(const Update& update) {
  std::vector<std::string> names;
  names.reserve(update.actions.size());
  for (const UpdateAction& a : update.actions)
    names.push_back(ActionPath(a).attribute());
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  return names;
}

}  // namespace eddy::engine
