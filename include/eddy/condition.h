// Condition: the AST of DynamoDB's condition grammar (facts doc §2.3).
//
// One type serves ConditionExpression, FilterExpression and
// KeyConditionExpression; the server's expression compiler produces it (with
// #name and :value placeholders already substituted) and enforces the
// grammar's restrictions that this type does not (which operands may be
// literals, the key-condition shape, function-name case). C++ callers build
// conditions with the cond:: helpers below:
//
//   namespace c = eddy::cond;
//   Condition x = c::And(c::AttributeExists(Path("pk")),
//                        c::Or(c::Lt(Path("n"), c::Value(AttributeValue::N(Number::FromInt64(5)))),
//                              c::BeginsWith(Path("s"), c::Value(AttributeValue::S("ab")))));
//
// Qualify the helpers (cond::In, cond::Between, ...): several share their name
// with the node struct they build, so `using namespace` on both is ambiguous.
//
// Shape:
//   Operand   ::= DocumentPath | AttributeValue (a literal) | SizeOf{path}
//   Condition ::= Comparison{op, Operand, Operand}      = <> < <= > >=
//               | Between{Operand, lower, upper}
//               | In{Operand, candidates}                1..100 candidates
//               | AttributeExists{path} | AttributeNotExists{path}
//               | AttributeTypeIs{path, type literal}    the literal is the :t
//               | BeginsWith{Operand, Operand} | Contains{Operand, Operand}
//               | And{children} | Or{children}           >= 1 child each
//               | Not{child}
// DynamoDB's grammar puts a path in the first argument of the functions; the
// AST accepts any Operand there so the evaluator needs no special cases.
//
// Semantics live in engine/expression/condition_eval.h. Everything here is a
// plain value: copyable, comparable with ==, safe to share const.
#pragma once

#include <cstddef>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "eddy/attribute_value.h"
#include "eddy/document_path.h"

namespace eddy {

// DynamoDB's IN takes at most 100 candidates.
inline constexpr std::size_t kMaxInOperands = 100;

// size(path): the path's length as an N (see condition_eval.h).
struct SizeOf {
  DocumentPath path;
  friend bool operator==(const SizeOf&, const SizeOf&) = default;
};

struct Operand {
  using Node = std::variant<DocumentPath, AttributeValue, SizeOf>;

  // Implicit on purpose: Eq(Path("a"), AttributeValue::S("x")) reads well.
  Operand(DocumentPath path) : node(std::move(path)) {}      // NOLINT
  Operand(AttributeValue value) : node(std::move(value)) {}  // NOLINT
  Operand(SizeOf size) : node(std::move(size)) {}            // NOLINT

  bool IsPath() const { return node.index() == 0; }
  bool IsLiteral() const { return node.index() == 1; }
  bool IsSize() const { return node.index() == 2; }
  const DocumentPath& path() const { return *std::get_if<0>(&node); }
  const AttributeValue& literal() const { return *std::get_if<1>(&node); }
  const SizeOf& size() const { return *std::get_if<2>(&node); }

  friend bool operator==(const Operand&, const Operand&) = default;

  Node node;
};

enum class CompareOp { kEq, kNe, kLt, kLe, kGt, kGe };

struct Condition;

struct Comparison {
  CompareOp op = CompareOp::kEq;
  Operand left;
  Operand right;
  friend bool operator==(const Comparison&, const Comparison&) = default;
};

// value BETWEEN lower AND upper (inclusive).
struct Between {
  Operand value;
  Operand lower;
  Operand upper;
  friend bool operator==(const Between&, const Between&) = default;
};

// value IN (candidates...).
struct In {
  Operand value;
  std::vector<Operand> candidates;
  friend bool operator==(const In&, const In&) = default;
};

struct AttributeExists {
  DocumentPath path;
  friend bool operator==(const AttributeExists&, const AttributeExists&) = default;
};

struct AttributeNotExists {
  DocumentPath path;
  friend bool operator==(const AttributeNotExists&, const AttributeNotExists&) = default;
};

// attribute_type(path, :t). `type` is the :t literal as given; it must be an S
// holding a type name (checked by ValidateCondition, because DynamoDB reports
// a bad :t as an error rather than a false condition).
struct AttributeTypeIs {
  DocumentPath path;
  AttributeValue type;
  friend bool operator==(const AttributeTypeIs&, const AttributeTypeIs&) = default;
};

struct BeginsWith {
  Operand subject;
  Operand prefix;
  friend bool operator==(const BeginsWith&, const BeginsWith&) = default;
};

struct Contains {
  Operand subject;
  Operand operand;
  friend bool operator==(const Contains&, const Contains&) = default;
};

struct And {
  std::vector<Condition> children;
  friend bool operator==(const And&, const And&);
};

struct Or {
  std::vector<Condition> children;
  friend bool operator==(const Or&, const Or&);
};

struct Not {
  Box<Condition> child;
  friend bool operator==(const Not&, const Not&);
};

struct Condition {
  using Node = std::variant<Comparison, Between, In, AttributeExists, AttributeNotExists,
                            AttributeTypeIs, BeginsWith, Contains, And, Or, Not>;

  // Implicit from every node type so the builders compose.
  Condition(Comparison n) : node(std::move(n)) {}          // NOLINT
  Condition(Between n) : node(std::move(n)) {}             // NOLINT
  Condition(In n) : node(std::move(n)) {}                  // NOLINT
  Condition(AttributeExists n) : node(std::move(n)) {}     // NOLINT
  Condition(AttributeNotExists n) : node(std::move(n)) {}  // NOLINT
  Condition(AttributeTypeIs n) : node(std::move(n)) {}     // NOLINT
  Condition(BeginsWith n) : node(std::move(n)) {}          // NOLINT
  Condition(Contains n) : node(std::move(n)) {}            // NOLINT
  Condition(And n) : node(std::move(n)) {}                 // NOLINT
  Condition(Or n) : node(std::move(n)) {}                  // NOLINT
  Condition(Not n) : node(std::move(n)) {}                 // NOLINT

  friend bool operator==(const Condition&, const Condition&) = default;

  Node node;
};

inline bool operator==(const And& a, const And& b) {
  return a.children == b.children;
}
inline bool operator==(const Or& a, const Or& b) {
  return a.children == b.children;
}
inline bool operator==(const Not& a, const Not& b) {
  return a.child == b.child;
}

// Builders for C++ callers. They only assemble; ValidateCondition checks.
namespace cond {

inline Operand Value(AttributeValue v) {
  return Operand(std::move(v));
}
inline Operand Size(DocumentPath path) {
  return Operand(SizeOf{std::move(path)});
}

inline Condition Compare(CompareOp op, Operand a, Operand b) {
  return Comparison{op, std::move(a), std::move(b)};
}
inline Condition Eq(Operand a, Operand b) {
  return Compare(CompareOp::kEq, std::move(a), std::move(b));
}
inline Condition Ne(Operand a, Operand b) {
  return Compare(CompareOp::kNe, std::move(a), std::move(b));
}
inline Condition Lt(Operand a, Operand b) {
  return Compare(CompareOp::kLt, std::move(a), std::move(b));
}
inline Condition Le(Operand a, Operand b) {
  return Compare(CompareOp::kLe, std::move(a), std::move(b));
}
inline Condition Gt(Operand a, Operand b) {
  return Compare(CompareOp::kGt, std::move(a), std::move(b));
}
inline Condition Ge(Operand a, Operand b) {
  return Compare(CompareOp::kGe, std::move(a), std::move(b));
}

inline Condition Between(Operand v, Operand lower, Operand upper) {
  return eddy::Between{std::move(v), std::move(lower), std::move(upper)};
}
inline Condition In(Operand v, std::vector<Operand> candidates) {
  return eddy::In{std::move(v), std::move(candidates)};
}
inline Condition AttributeExists(DocumentPath path) {
  return eddy::AttributeExists{std::move(path)};
}
inline Condition AttributeNotExists(DocumentPath path) {
  return eddy::AttributeNotExists{std::move(path)};
}
// The :t literal as given (an S naming a type), or a known type.
inline Condition AttributeTypeIs(DocumentPath path, AttributeValue type_literal) {
  return eddy::AttributeTypeIs{std::move(path), std::move(type_literal)};
}
inline Condition AttributeTypeIs(DocumentPath path, AttributeType type) {
  return eddy::AttributeTypeIs{std::move(path), AttributeValue::S(std::string(TypeName(type)))};
}
inline Condition BeginsWith(Operand subject, Operand prefix) {
  return eddy::BeginsWith{std::move(subject), std::move(prefix)};
}
inline Condition Contains(Operand subject, Operand operand) {
  return eddy::Contains{std::move(subject), std::move(operand)};
}

inline Condition And(std::vector<Condition> children) {
  return eddy::And{std::move(children)};
}
inline Condition Or(std::vector<Condition> children) {
  return eddy::Or{std::move(children)};
}
template <typename... Cs>
requires(sizeof...(Cs) >= 2) Condition And(Cs&&... cs) {
  std::vector<Condition> v;
  v.reserve(sizeof...(Cs));
  (v.emplace_back(std::forward<Cs>(cs)), ...);
  return eddy::And{std::move(v)};
}
template <typename... Cs>
requires(sizeof...(Cs) >= 2) Condition Or(Cs&&... cs) {
  std::vector<Condition> v;
  v.reserve(sizeof...(Cs));
  (v.emplace_back(std::forward<Cs>(cs)), ...);
  return eddy::Or{std::move(v)};
}
inline Condition Not(Condition c) {
  return eddy::Not{Box<Condition>(std::move(c))};
}

}  // namespace cond
}  // namespace eddy
