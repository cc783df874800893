// KeyConditionExpression: after the general condition checks (which already
// ran: syntax, placeholders, BETWEEN bounds, begins_with operand types), the
// condition must be `pk = :v` optionally ANDed with one sort-key condition.
//
// Two stages, as DynamoDB has them (messages from its responses; the
// structural ones carry no "Invalid KeyConditionExpression:" prefix):
//   1. Shape, walking the condition in order: OR, NOT, IN, <> and the
//      functions other than begins_with are "Invalid operator used";
//      size() is a "nested operation"; every comparison names exactly one
//      top-level attribute and one or two values; no attribute twice;
//      at most two conditions.
//   2. Schema: value types against the key types, then which attributes the
//      conditions are on and whether the operators suit them.
// Operand order: `:v < sk` means `sk > :v` and is normalized so.
#include <utility>
#include <variant>
#include <vector>

#include "server/expression/compilers.h"

namespace eddy::server::expression {
namespace {

struct KeyTerm {
  std::string attribute;
  SortKeyCondition::Op op = SortKeyCondition::Op::kEq;
  std::vector<AttributeValue> values;
};

Status InvalidOperator(std::string_view op) {
  return Status::InvalidArgument("Invalid operator used in KeyConditionExpression: " +
                                 std::string(op));
}

SortKeyCondition::Op ToKeyOp(CompareOp op, bool reversed) {
  switch (op) {
    case CompareOp::kLt:
      return reversed ? SortKeyCondition::Op::kGt : SortKeyCondition::Op::kLt;
    case CompareOp::kLe:
      return reversed ? SortKeyCondition::Op::kGe : SortKeyCondition::Op::kLe;
    case CompareOp::kGt:
      return reversed ? SortKeyCondition::Op::kLt : SortKeyCondition::Op::kGt;
    case CompareOp::kGe:
      return reversed ? SortKeyCondition::Op::kLe : SortKeyCondition::Op::kGe;
    default:
      return SortKeyCondition::Op::kEq;
  }
}

class ShapeChecker {
 public:
  Status Walk(const Condition& c) {
    return std::visit([this](const auto& n) { return Check(n); }, c.node);
  }
  std::vector<KeyTerm>& terms() { return terms_; }

 private:
  Status Check(const And& n) {
    for (const Condition& child : n.children) {
      EDDY_RETURN_IF_ERROR(Walk(child));
    }
    return Status::Ok();
  }
  Status Check(const Or&) { return InvalidOperator("OR"); }
  Status Check(const Not&) { return InvalidOperator("NOT"); }
  Status Check(const In&) { return InvalidOperator("IN"); }
  Status Check(const AttributeExists&) { return InvalidOperator("attribute_exists"); }
  Status Check(const AttributeNotExists&) { return InvalidOperator("attribute_not_exists"); }
  Status Check(const AttributeTypeIs&) { return InvalidOperator("attribute_type"); }
  Status Check(const Contains&) { return InvalidOperator("contains"); }

  Status Check(const Comparison& n) {
    if (n.op == CompareOp::kNe) return InvalidOperator("<>");
    return Term(ToKeyOp(n.op, false), {&n.left, &n.right}, n.op);
  }
  Status Check(const Between& n) {
    if (!n.value.IsPath()) return FirstOperandError("BETWEEN");
    return Term(SortKeyCondition::Op::kBetween, {&n.value, &n.lower, &n.upper}, CompareOp::kEq);
  }
  Status Check(const BeginsWith& n) {
    if (!n.subject.IsPath()) return FirstOperandError("begins_with");
    return Term(SortKeyCondition::Op::kBeginsWith, {&n.subject, &n.prefix}, CompareOp::kEq);
  }

  static Status FirstOperandError(std::string_view op) {
    return Status::InvalidArgument(
        "Invalid condition in KeyConditionExpression: " + std::string(op) +
        " operator must have the key attribute as its first operand");
  }

  // One comparison: exactly one operand names a (top-level) attribute.
  Status Term(SortKeyCondition::Op op, std::vector<const Operand*> operands, CompareOp compare) {
    KeyTerm term;
    term.op = op;
    bool have_attribute = false;
    bool reversed = false;
    for (std::size_t i = 0; i < operands.size(); ++i) {
      const Operand& o = *operands[i];
      if (o.IsSize()) {
        return Status::InvalidArgument("KeyConditionExpressions cannot contain nested operations");
      }
      if (o.IsLiteral()) {
        term.values.push_back(o.literal());
        continue;
      }
      if (have_attribute) {
        return Status::InvalidArgument(
            "Invalid condition in KeyConditionExpression: Multiple attribute names used in one "
            "condition");
      }
      if (!o.path().IsTopLevel()) {
        return Status::InvalidArgument(
            "KeyConditionExpressions cannot have conditions on nested attributes");
      }
      have_attribute = true;
      reversed = i != 0;
      term.attribute = o.path().attribute();
    }
    if (!have_attribute) {
      return Status::InvalidArgument(
          "Invalid condition in KeyConditionExpression: No key attribute specified");
    }
    for (const KeyTerm& t : terms_) {
      if (t.attribute == term.attribute) {
        return Status::InvalidArgument(
            "KeyConditionExpressions must only contain one condition per key");
      }
    }
    if (reversed) term.op = ToKeyOp(compare, true);
    terms_.push_back(std::move(term));
    return Status::Ok();
  }

  std::vector<KeyTerm> terms_;
};

}  // namespace

Result<KeyCondition> CompileKeyCondition(const Condition& condition, const KeySchema& schema) {
  ShapeChecker shape;
  EDDY_RETURN_IF_ERROR(shape.Walk(condition));
  std::vector<KeyTerm>& terms = shape.terms();
  if (terms.size() > 2) return Status::InvalidArgument("Conditions can be of length 1 or 2 only");

  // Value types first: DynamoDB reports a mistyped value on a key attribute
  // before it looks at which operator was used.
  for (const KeyTerm& t : terms) {
    const KeyAttribute* key = nullptr;
    if (t.attribute == schema.partition_key.name) {
      key = &schema.partition_key;
    } else if (schema.sort_key && t.attribute == schema.sort_key->name) {
      key = &*schema.sort_key;
    }
    if (key == nullptr) continue;
    for (const AttributeValue& v : t.values) {
      if (v.type() != key->type) {
        return Status::InvalidArgument(
            "One or more parameter values were invalid: Condition parameter type does not match "
            "schema type");
      }
    }
  }

  if (terms.size() > schema.KeyAttributeCount()) {
    return Status::InvalidArgument("Query key condition not supported");
  }
  const KeyTerm* pk = nullptr;
  const KeyTerm* other = nullptr;
  for (const KeyTerm& t : terms) {
    (t.attribute == schema.partition_key.name ? pk : other) = &t;
  }
  if (pk == nullptr) {
    return Status::InvalidArgument("Query condition missed key schema element: " +
                                   schema.partition_key.name);
  }
  if (pk->op != SortKeyCondition::Op::kEq) {
    return Status::InvalidArgument("Query key condition not supported");
  }
  KeyCondition out{pk->values[0], std::nullopt};
  if (other != nullptr) {
    // KeyAttributeCount() >= 2 here, so there is a sort key.
    if (other->attribute != schema.sort_key->name) {
      return Status::InvalidArgument("Query condition missed key schema element: " +
                                     schema.sort_key->name);
    }
    SortKeyCondition sk;
    sk.op = other->op;
    sk.value = other->values[0];
    if (other->op == SortKeyCondition::Op::kBetween) sk.upper = other->values[1];
    out.sort_key = std::move(sk);
  }
  return out;
}

}  // namespace eddy::server::expression

namespace eddy::server {
namespace {

const std::string* KeyIn(const Operand& o, const KeySchema& schema);

const std::string* KeyInPath(const DocumentPath& p, const KeySchema& schema) {
  return schema.IsKeyAttribute(p.attribute()) ? &p.attribute() : nullptr;
}

const std::string* KeyIn(const Operand& o, const KeySchema& schema) {
  if (o.IsPath()) return KeyInPath(o.path(), schema);
  if (o.IsSize()) return KeyInPath(o.size().path, schema);
  return nullptr;
}

const std::string* FindKey(const Condition& c, const KeySchema& schema) {
  return std::visit(
      [&](const auto& n) -> const std::string* {
        using T = std::decay_t<decltype(n)>;
        auto first = [&](std::initializer_list<const Operand*> ops) -> const std::string* {
          for (const Operand* o : ops) {
            if (const std::string* k = KeyIn(*o, schema)) return k;
          }
          return nullptr;
        };
        if constexpr (std::is_same_v<T, Comparison>) {
          return first({&n.left, &n.right});
        } else if constexpr (std::is_same_v<T, Between>) {
          return first({&n.value, &n.lower, &n.upper});
        } else if constexpr (std::is_same_v<T, In>) {
          if (const std::string* k = KeyIn(n.value, schema)) return k;
          for (const Operand& o : n.candidates) {
            if (const std::string* k = KeyIn(o, schema)) return k;
          }
          return nullptr;
        } else if constexpr (std::is_same_v<T, AttributeExists> ||
                             std::is_same_v<T, AttributeNotExists> ||
                             std::is_same_v<T, AttributeTypeIs>) {
          return KeyInPath(n.path, schema);
        } else if constexpr (std::is_same_v<T, BeginsWith>) {
          return first({&n.subject, &n.prefix});
        } else if constexpr (std::is_same_v<T, Contains>) {
          return first({&n.subject, &n.operand});
        } else if constexpr (std::is_same_v<T, And> || std::is_same_v<T, Or>) {
          for (const Condition& child : n.children) {
            if (const std::string* k = FindKey(child, schema)) return k;
          }
          return nullptr;
        } else {
          static_assert(std::is_same_v<T, Not>);
          return FindKey(*n.child, schema);
        }
      },
      c.node);
}

}  // namespace

Status CheckFilterAvoidsKeys(const Condition& filter, const KeySchema& schema) {
  const std::string* key = FindKey(filter, schema);
  if (key == nullptr) return Status::Ok();
  return Status::InvalidArgument(
      "Filter Expression can only contain non-primary key attributes: Primary key attribute: " +
      *key);
}

}  // namespace eddy::server
