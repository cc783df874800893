#include "engine/expression/condition_eval.h"

#include <algorithm>
#include <cassert>
#include <cstddef>
#include <optional>
#include <string>
#include <variant>

namespace eddy::engine {
namespace {

// An evaluated operand: absent, a pointer into the item or the expression, or
// a value computed here (size()). Holding a pointer avoids copying documents
// that a comparison only reads.
class Evaluated {
 public:
  Evaluated() = default;
  explicit Evaluated(const AttributeValue* v) : ptr_(v) {}
  explicit Evaluated(AttributeValue owned) : owned_(std::move(owned)) {}

  const AttributeValue* get() const { return owned_ ? &*owned_ : ptr_; }

 private:
  const AttributeValue* ptr_ = nullptr;
  std::optional<AttributeValue> owned_;
};

std::optional<std::size_t> SizeOfValue(const AttributeValue& v) {
  switch (v.type()) {
    case AttributeType::kS:
      return v.AsString().size();
    case AttributeType::kB:
      return v.AsBinary().size();
    case AttributeType::kSS:
      return v.AsStringSet().size();
    case AttributeType::kNS:
      return v.AsNumberSet().size();
    case AttributeType::kBS:
      return v.AsBinarySet().size();
    case AttributeType::kL:
      return v.AsList().size();
    case AttributeType::kM:
      return v.AsMap().size();
    case AttributeType::kN:
    case AttributeType::kBool:
    case AttributeType::kNull:
      break;
  }
  return std::nullopt;
}

Evaluated Evaluate(const Operand& op, const Item* item) {
  if (op.IsLiteral()) return Evaluated(&op.literal());
  if (op.IsPath()) return Evaluated(ResolvePath(item, op.path()));
  const AttributeValue* v = ResolvePath(item, op.size().path);
  if (v == nullptr) return Evaluated();
  const std::optional<std::size_t> n = SizeOfValue(*v);
  if (!n) return Evaluated();
  return Evaluated(AttributeValue::N(Number::FromInt64(static_cast<std::int64_t>(*n))));
}

bool IsOrderable(AttributeType t) {
  return t == AttributeType::kS || t == AttributeType::kN || t == AttributeType::kB;
}

// <0, 0, >0; both values of the same orderable type.
int Order(const AttributeValue& a, const AttributeValue& b) {
  assert(a.type() == b.type() && IsOrderable(a.type()));
  if (a.Is(AttributeType::kN)) {
    const auto c = a.AsNumber() <=> b.AsNumber();
    return c < 0 ? -1 : (c > 0 ? 1 : 0);
  }
  // std::string compares char_traits<char>, which orders as unsigned char.
  const std::string& x = a.Is(AttributeType::kS) ? a.AsString() : a.AsBinary();
  const std::string& y = b.Is(AttributeType::kS) ? b.AsString() : b.AsBinary();
  const int c = x.compare(y);
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

bool Comparable(const AttributeValue* a, const AttributeValue* b) {
  return a != nullptr && b != nullptr && a->type() == b->type() && IsOrderable(a->type());
}

bool EvalComparison(const Comparison& c, const Item* item) {
  const Evaluated l = Evaluate(c.left, item);
  const Evaluated r = Evaluate(c.right, item);
  const AttributeValue* a = l.get();
  const AttributeValue* b = r.get();
  switch (c.op) {
    case CompareOp::kEq:
      return a != nullptr && b != nullptr && *a == *b;
    case CompareOp::kNe:
      return a == nullptr || b == nullptr || !(*a == *b);
    case CompareOp::kLt:
      return Comparable(a, b) && Order(*a, *b) < 0;
    case CompareOp::kLe:
      return Comparable(a, b) && Order(*a, *b) <= 0;
    case CompareOp::kGt:
      return Comparable(a, b) && Order(*a, *b) > 0;
    case CompareOp::kGe:
      return Comparable(a, b) && Order(*a, *b) >= 0;
  }
  return false;
}

bool EvalBetween(const Between& c, const Item* item) {
  const Evaluated v = Evaluate(c.value, item);
  const Evaluated lo = Evaluate(c.lower, item);
  const Evaluated hi = Evaluate(c.upper, item);
  if (!Comparable(v.get(), lo.get()) || !Comparable(v.get(), hi.get())) return false;
  if (Order(*lo.get(), *hi.get()) > 0) return false;
  return Order(*lo.get(), *v.get()) <= 0 && Order(*v.get(), *hi.get()) <= 0;
}

bool EvalIn(const In& c, const Item* item) {
  const Evaluated v = Evaluate(c.value, item);
  if (v.get() == nullptr) return false;
  for (const Operand& candidate : c.candidates) {
    const Evaluated e = Evaluate(candidate, item);
    if (e.get() != nullptr && *e.get() == *v.get()) return true;
  }
  return false;
}

bool EvalBeginsWith(const BeginsWith& c, const Item* item) {
  const Evaluated s = Evaluate(c.subject, item);
  const Evaluated p = Evaluate(c.prefix, item);
  const AttributeValue* a = s.get();
  const AttributeValue* b = p.get();
  if (a == nullptr || b == nullptr || a->type() != b->type()) return false;
  if (a->Is(AttributeType::kS)) return a->AsString().starts_with(b->AsString());
  if (a->Is(AttributeType::kB)) return a->AsBinary().starts_with(b->AsBinary());
  return false;
}

bool EvalContains(const Contains& c, const Item* item) {
  const Evaluated s = Evaluate(c.subject, item);
  const Evaluated o = Evaluate(c.operand, item);
  const AttributeValue* a = s.get();
  const AttributeValue* b = o.get();
  if (a == nullptr || b == nullptr) return false;
  switch (a->type()) {
    case AttributeType::kS:
      return b->Is(AttributeType::kS) && a->AsString().find(b->AsString()) != std::string::npos;
    case AttributeType::kB:
      return b->Is(AttributeType::kB) && a->AsBinary().find(b->AsBinary()) != std::string::npos;
    case AttributeType::kSS:
      // Sets are sorted (canonical representation), so membership is a search.
      return b->Is(AttributeType::kS) &&
             std::binary_search(a->AsStringSet().begin(), a->AsStringSet().end(), b->AsString());
    case AttributeType::kBS:
      return b->Is(AttributeType::kB) &&
             std::binary_search(a->AsBinarySet().begin(), a->AsBinarySet().end(), b->AsBinary());
    case AttributeType::kNS:
      return b->Is(AttributeType::kN) &&
             std::binary_search(a->AsNumberSet().begin(), a->AsNumberSet().end(), b->AsNumber());
    case AttributeType::kL:
      return std::any_of(a->AsList().begin(), a->AsList().end(),
                         [&](const AttributeValue& e) { return e == *b; });
    default:
      return false;
  }
}

// --- Validation --------------------------------------------------------------

std::string RenderForMessage(const AttributeValue& v) {
  std::string out = "{";
  out += TypeName(v.type());
  out += ':';
  switch (v.type()) {
    case AttributeType::kS:
      out += v.AsString();
      break;
    case AttributeType::kN:
      out += v.AsNumber().ToString();
      break;
    default: {
      // Binary and documents: the debug rendering is good enough for a
      // message that only a developer reads.
      out += v.DebugString();
      break;
    }
  }
  out += '}';
  return out;
}

class Validator {
 public:
  explicit Validator(std::string_view expression_name) : prefix_("Invalid ") {
    prefix_ += expression_name;
    prefix_ += ": ";
  }

  Status Check(const Condition& c) const {
    return std::visit([&](const auto& n) { return CheckNode(n); }, c.node);
  }

 private:
  Status Error(std::string_view detail) const {
    return Status::InvalidArgument(prefix_ + std::string(detail));
  }

  Status IncorrectOperandType(std::string_view op, const AttributeValue& v) const {
    std::string msg = "Incorrect operand type for operator or function; operator or function: ";
    msg += op;
    msg += ", operand type: ";
    msg += LongTypeName(v.type());
    return Error(msg);
  }

  // Literals must be S, N or B where the operator orders values.
  Status CheckOrderable(std::string_view op, const Operand& o) const {
    if (o.IsLiteral() && !IsOrderable(o.literal().type())) {
      return IncorrectOperandType(op, o.literal());
    }
    return Status::Ok();
  }

  static std::string_view OpName(CompareOp op) {
    switch (op) {
      case CompareOp::kEq:
        return "=";
      case CompareOp::kNe:
        return "<>";
      case CompareOp::kLt:
        return "<";
      case CompareOp::kLe:
        return "<=";
      case CompareOp::kGt:
        return ">";
      case CompareOp::kGe:
        return ">=";
    }
    return "?";
  }

  Status CheckNode(const Comparison& c) const {
    if (c.op == CompareOp::kEq || c.op == CompareOp::kNe) return Status::Ok();
    EDDY_RETURN_IF_ERROR(CheckOrderable(OpName(c.op), c.left));
    return CheckOrderable(OpName(c.op), c.right);
  }

  Status CheckNode(const Between& c) const {
    EDDY_RETURN_IF_ERROR(CheckOrderable("BETWEEN", c.value));
    EDDY_RETURN_IF_ERROR(CheckOrderable("BETWEEN", c.lower));
    EDDY_RETURN_IF_ERROR(CheckOrderable("BETWEEN", c.upper));
    if (c.lower.IsLiteral() && c.upper.IsLiteral()) {
      const AttributeValue& lo = c.lower.literal();
      const AttributeValue& hi = c.upper.literal();
      if (lo.type() != hi.type() || Order(lo, hi) > 0) {
        const bool same_type = lo.type() == hi.type();
        std::string msg = same_type ? "The BETWEEN operator requires upper bound to be greater "
                                      "than or equal to lower bound"
                                    : "The BETWEEN operator requires the same data type for "
                                      "lower and upper bounds";
        msg += "; lower bound operand: AttributeValue: ";
        msg += RenderForMessage(lo);
        msg += ", upper bound operand: AttributeValue: ";
        msg += RenderForMessage(hi);
        return Error(msg);
      }
    }
    return Status::Ok();
  }

  Status CheckNode(const In& c) const {
    if (c.candidates.empty() || c.candidates.size() > kMaxInOperands) {
      return Error("The IN operator requires between 1 and 100 operands; number of operands: " +
                   std::to_string(c.candidates.size()));
    }
    return Status::Ok();
  }

  Status CheckNode(const AttributeExists&) const { return Status::Ok(); }
  Status CheckNode(const AttributeNotExists&) const { return Status::Ok(); }

  Status CheckNode(const AttributeTypeIs& c) const {
    if (!c.type.Is(AttributeType::kS)) return IncorrectOperandType("attribute_type", c.type);
    if (!TypeFromName(c.type.AsString())) {
      return Error("Invalid type name found in attribute_type function; type: " +
                   c.type.AsString());
    }
    return Status::Ok();
  }

  Status CheckNode(const BeginsWith& c) const {
    for (const Operand* o : {&c.subject, &c.prefix}) {
      if (o->IsLiteral() && !o->literal().Is(AttributeType::kS) &&
          !o->literal().Is(AttributeType::kB)) {
        return IncorrectOperandType("begins_with", o->literal());
      }
    }
    return Status::Ok();
  }

  Status CheckNode(const Contains&) const { return Status::Ok(); }

  Status CheckChildren(std::string_view op, const std::vector<Condition>& children) const {
    if (children.empty()) return Error(std::string(op) + " requires at least one operand");
    for (const Condition& child : children)
      EDDY_RETURN_IF_ERROR(Check(child));
    return Status::Ok();
  }
  Status CheckNode(const And& c) const { return CheckChildren("AND", c.children); }
  Status CheckNode(const Or& c) const { return CheckChildren("OR", c.children); }
  Status CheckNode(const Not& c) const { return Check(*c.child); }

  std::string prefix_;
};

}  // namespace

const AttributeValue* ResolvePath(const Item* item, const DocumentPath& path) {
  if (item == nullptr) return nullptr;
  const AttributeValue* v = item->Find(path.attribute());
  for (const DocumentPath::Step& step : path.steps()) {
    if (v == nullptr) return nullptr;
    if (DocumentPath::IsMember(step)) {
      v = v->Is(AttributeType::kM) ? v->Find(DocumentPath::MemberName(step)) : nullptr;
    } else {
      const std::uint32_t i = DocumentPath::ListIndex(step);
      v = v->Is(AttributeType::kL) && i < v->AsList().size() ? &v->AsList()[i] : nullptr;
    }
  }
  return v;
}

std::string_view LongTypeName(AttributeType type) {
  switch (type) {
    case AttributeType::kS:
      return "STRING";
    case AttributeType::kN:
      return "NUMBER";
    case AttributeType::kB:
      return "BINARY";
    case AttributeType::kBool:
      return "BOOLEAN";
    case AttributeType::kNull:
      return "NULL";
    case AttributeType::kM:
      return "MAP";
    case AttributeType::kL:
      return "LIST";
    case AttributeType::kSS:
      return "STRING_SET";
    case AttributeType::kNS:
      return "NUMBER_SET";
    case AttributeType::kBS:
      return "BINARY_SET";
  }
  return "UNKNOWN";
}

Status ValidateCondition(const Condition& condition, std::string_view expression_name) {
  return Validator(expression_name).Check(condition);
}

bool EvaluateValidCondition(const Condition& condition, const Item* item) {
  struct Visitor {
    const Item* item;
    bool operator()(const Comparison& c) const { return EvalComparison(c, item); }
    bool operator()(const Between& c) const { return EvalBetween(c, item); }
    bool operator()(const In& c) const { return EvalIn(c, item); }
    bool operator()(const AttributeExists& c) const { return ResolvePath(item, c.path) != nullptr; }
    bool operator()(const AttributeNotExists& c) const {
      return ResolvePath(item, c.path) == nullptr;
    }
    bool operator()(const AttributeTypeIs& c) const {
      const AttributeValue* v = ResolvePath(item, c.path);
      return v != nullptr && TypeName(v->type()) == c.type.AsString();
    }
    bool operator()(const BeginsWith& c) const { return EvalBeginsWith(c, item); }
    bool operator()(const Contains& c) const { return EvalContains(c, item); }
    bool operator()(const And& c) const {
      return std::all_of(c.children.begin(), c.children.end(),
                         [&](const Condition& x) { return EvaluateValidCondition(x, item); });
    }
    bool operator()(const Or& c) const {
      return std::any_of(c.children.begin(), c.children.end(),
                         [&](const Condition& x) { return EvaluateValidCondition(x, item); });
    }
    bool operator()(const Not& c) const { return !EvaluateValidCondition(*c.child, item); }
  };
  return std::visit(Visitor{item}, condition.node);
}

Result<bool> EvaluateCondition(const Condition& condition, const Item* item) {
  EDDY_RETURN_IF_ERROR(ValidateCondition(condition));
  return EvaluateValidCondition(condition, item);
}

}  // namespace eddy::engine
