// Update: the AST of DynamoDB's UpdateExpression (facts doc §2.3).
//
// An Update is an ordered list of actions:
//   SET    path = SetValue
//   REMOVE path
//   ADD    path literal        N adds (missing counts as 0); a set unions
//   DELETE path literal-set    set difference; emptying the set removes it
// where
//   SetValue      ::= UpdateOperand | UpdateOperand + UpdateOperand
//                   | UpdateOperand - UpdateOperand
//   UpdateOperand ::= DocumentPath | AttributeValue (literal)
//                   | IfNotExists{path, UpdateOperand}
//                   | ListAppend{UpdateOperand, UpdateOperand}
//
// The server's expression compiler produces this (placeholders substituted)
// and enforces what is purely syntactic: each clause keyword at most once,
// ADD/DELETE taking a :value, the 300-operator limit. Clause order does not
// matter to the result, so the AST keeps one flat list. Everything else —
// overlapping paths, key attributes, operand types — is checked by
// engine/expression/update_apply.h, which also defines the semantics.
//
// C++ callers build updates with the upd:: helpers:
//
//   namespace u = eddy::upd;
//   Update x{u::Set(Path("n"), u::Plus(Path("n"), AttributeValue::N(Number::FromInt64(1)))),
//            u::Remove(Path("tmp")),
//            u::Add(Path("tags"), *AttributeValue::SS({"new"}))};
//
// Plain values: copyable, comparable with ==, safe to share const.
#pragma once

#include <initializer_list>
#include <utility>
#include <variant>
#include <vector>

#include "eddy/attribute_value.h"
#include "eddy/document_path.h"

namespace eddy {

struct UpdateOperand;

// if_not_exists(path, fallback): the value at path if present, else fallback.
struct IfNotExists {
  DocumentPath path;
  Box<UpdateOperand> fallback;
  friend bool operator==(const IfNotExists&, const IfNotExists&);
};

// list_append(first, second): the concatenation of two lists.
struct ListAppend {
  Box<UpdateOperand> first;
  Box<UpdateOperand> second;
  friend bool operator==(const ListAppend&, const ListAppend&);
};

struct UpdateOperand {
  using Node = std::variant<DocumentPath, AttributeValue, IfNotExists, ListAppend>;

  UpdateOperand(DocumentPath p) : node(std::move(p)) {}    // NOLINT: implicit on purpose
  UpdateOperand(AttributeValue v) : node(std::move(v)) {}  // NOLINT
  UpdateOperand(IfNotExists f) : node(std::move(f)) {}     // NOLINT
  UpdateOperand(ListAppend f) : node(std::move(f)) {}      // NOLINT

  friend bool operator==(const UpdateOperand&, const UpdateOperand&) = default;

  Node node;
};

inline bool operator==(const IfNotExists& a, const IfNotExists& b) {
  return a.path == b.path && a.fallback == b.fallback;
}
inline bool operator==(const ListAppend& a, const ListAppend& b) {
  return a.first == b.first && a.second == b.second;
}

enum class ArithmeticOp { kPlus, kMinus };

// left + right, left - right. Both must evaluate to N.
struct Arithmetic {
  ArithmeticOp op = ArithmeticOp::kPlus;
  UpdateOperand left;
  UpdateOperand right;
  friend bool operator==(const Arithmetic&, const Arithmetic&) = default;
};

// The right-hand side of SET.
struct SetValue {
  using Node = std::variant<UpdateOperand, Arithmetic>;

  SetValue(UpdateOperand o) : node(std::move(o)) {}                  // NOLINT
  SetValue(DocumentPath p) : node(UpdateOperand(std::move(p))) {}    // NOLINT
  SetValue(AttributeValue v) : node(UpdateOperand(std::move(v))) {}  // NOLINT
  SetValue(IfNotExists f) : node(UpdateOperand(std::move(f))) {}     // NOLINT
  SetValue(ListAppend f) : node(UpdateOperand(std::move(f))) {}      // NOLINT
  SetValue(Arithmetic a) : node(std::move(a)) {}                     // NOLINT

  friend bool operator==(const SetValue&, const SetValue&) = default;

  Node node;
};

struct SetAction {
  DocumentPath path;
  SetValue value;
  friend bool operator==(const SetAction&, const SetAction&) = default;
};

struct RemoveAction {
  DocumentPath path;
  friend bool operator==(const RemoveAction&, const RemoveAction&) = default;
};

// `value` is the :value literal: an N or a set.
struct AddAction {
  DocumentPath path;
  AttributeValue value;
  friend bool operator==(const AddAction&, const AddAction&) = default;
};

// `value` is the :value literal: a (non-empty) set.
struct DeleteAction {
  DocumentPath path;
  AttributeValue value;
  friend bool operator==(const DeleteAction&, const DeleteAction&) = default;
};

using UpdateAction = std::variant<SetAction, RemoveAction, AddAction, DeleteAction>;

// The path an action writes.
inline const DocumentPath& ActionPath(const UpdateAction& action) {
  return std::visit([](const auto& a) -> const DocumentPath& { return a.path; }, action);
}

struct Update {
  Update() = default;
  explicit Update(std::vector<UpdateAction> a) : actions(std::move(a)) {}
  Update(std::initializer_list<UpdateAction> a) : actions(a) {}

  bool empty() const { return actions.empty(); }
  // True when every action is REMOVE or DELETE (and there is at least one):
  // such an update on a missing item creates nothing (see update_apply.h).
  bool OnlyRemovesOrDeletes() const {
    if (actions.empty()) return false;
    for (const UpdateAction& a : actions) {
      if (std::holds_alternative<SetAction>(a) || std::holds_alternative<AddAction>(a)) {
        return false;
      }
    }
    return true;
  }

  friend bool operator==(const Update&, const Update&) = default;

  std::vector<UpdateAction> actions;
};

// Builders for C++ callers. They only assemble; ApplyUpdate checks.
namespace upd {

inline UpdateAction Set(DocumentPath path, SetValue value) {
  return SetAction{std::move(path), std::move(value)};
}
inline UpdateAction Remove(DocumentPath path) {
  return RemoveAction{std::move(path)};
}
inline UpdateAction Add(DocumentPath path, AttributeValue value) {
  return AddAction{std::move(path), std::move(value)};
}
inline UpdateAction Delete(DocumentPath path, AttributeValue set) {
  return DeleteAction{std::move(path), std::move(set)};
}

inline SetValue Plus(UpdateOperand a, UpdateOperand b) {
  return Arithmetic{ArithmeticOp::kPlus, std::move(a), std::move(b)};
}
inline SetValue Minus(UpdateOperand a, UpdateOperand b) {
  return Arithmetic{ArithmeticOp::kMinus, std::move(a), std::move(b)};
}
inline UpdateOperand IfNotExists(DocumentPath path, UpdateOperand fallback) {
  return eddy::IfNotExists{std::move(path), Box<UpdateOperand>(std::move(fallback))};
}
inline UpdateOperand ListAppend(UpdateOperand first, UpdateOperand second) {
  return eddy::ListAppend{Box<UpdateOperand>(std::move(first)),
                          Box<UpdateOperand>(std::move(second))};
}

}  // namespace upd
}  // namespace eddy
