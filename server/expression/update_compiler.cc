// UpdateExpression and ProjectionExpression.
//
// DynamoDB's update checks, in order (each stops at the first problem):
//   1. per section (SET, REMOVE, ADD, DELETE, in the order each first
//      appears): reserved words, list indexes and function names of its
//      actions; then "section can only be used once" if it repeats;
//   2. the operator count;
//   3. every action path's #names defined, then overlapping/conflicting
//      paths (CheckPathsDisjoint, in action order);
//   4. from the last action back to the first: every #name of paths and
//      values, then each action's placeholders, function arity, operand
//      types and the ADD/DELETE operand type.
// The backwards walk is odd but is what DynamoDB reports (its first error is
// the last action's); the actions still come out in the order written.
#include <algorithm>
#include <utility>
#include <vector>

#include "server/expression/compilers.h"

namespace eddy::server::expression {
namespace {

std::string_view ClauseName(ClauseKind kind) {
  switch (kind) {
    case ClauseKind::kSet:
      return "SET";
    case ClauseKind::kRemove:
      return "REMOVE";
    case ClauseKind::kAdd:
      return "ADD";
    case ClauseKind::kDelete:
      return "DELETE";
  }
  return "";
}

// Errors for #names anywhere below `node` (paths and function arguments).
Status CheckAllNamesDefined(const Analyzer& a, const Node& node) {
  if (node.kind == NodeKind::kPath) return a.CheckNamesDefined(node);
  for (const Node& child : node.children) {
    EDDY_RETURN_IF_ERROR(CheckAllNamesDefined(a, child));
  }
  return Status::Ok();
}

class UpdateBuilder {
 public:
  explicit UpdateBuilder(Analyzer& analyzer) : a_(analyzer) {}

  Result<UpdateAction> BuildAction(ClauseKind kind, const ActionNode& action) {
    EDDY_ASSIGN_OR_RETURN(DocumentPath path, a_.ResolvePath(action.path));
    switch (kind) {
      case ClauseKind::kSet: {
        EDDY_ASSIGN_OR_RETURN(SetValue value, BuildSetValue(*action.value));
        return upd::Set(std::move(path), std::move(value));
      }
      case ClauseKind::kRemove:
        return upd::Remove(std::move(path));
      case ClauseKind::kAdd:
      case ClauseKind::kDelete: {
        EDDY_ASSIGN_OR_RETURN(AttributeValue value, a_.ResolveValue(*action.value));
        const AttributeType t = value.type();
        const bool is_set =
            t == AttributeType::kSS || t == AttributeType::kNS || t == AttributeType::kBS;
        const bool ok = is_set || (kind == ClauseKind::kAdd && t == AttributeType::kN);
        if (!ok) {
          const std::string name(ClauseName(kind));
          return a_.Invalid("Incorrect operand type for operator or function; operator: " + name +
                            ", operand type: " + std::string(LongTypeName(t)) +
                            ", typeSet: ALLOWED_FOR_" + name + "_OPERAND");
        }
        if (kind == ClauseKind::kAdd) return upd::Add(std::move(path), std::move(value));
        return upd::Delete(std::move(path), std::move(value));
      }
    }
    return a_.Invalid("unexpected action");  // unreachable
  }

 private:
  Result<SetValue> BuildSetValue(const Node& node) {
    const Node& value = Unwrap(node);
    if (value.kind != NodeKind::kArith) {
      EDDY_ASSIGN_OR_RETURN(UpdateOperand operand, BuildOperand(value));
      return SetValue(std::move(operand));
    }
    EDDY_ASSIGN_OR_RETURN(UpdateOperand left, BuildOperand(value.children[0]));
    EDDY_ASSIGN_OR_RETURN(UpdateOperand right, BuildOperand(value.children[1]));
    for (const UpdateOperand* o : {&left, &right}) {
      const std::optional<AttributeType> t = StaticType(*o);
      if (t && *t != AttributeType::kN) return a_.TypeError(value.text, *t);
    }
    return value.op == TokenKind::kPlus ? upd::Plus(std::move(left), std::move(right))
                                        : upd::Minus(std::move(left), std::move(right));
  }

  Result<UpdateOperand> BuildOperand(const Node& node) {
    switch (node.kind) {
      case NodeKind::kParen:
        return BuildOperand(node.children[0]);
      case NodeKind::kPath: {
        EDDY_ASSIGN_OR_RETURN(DocumentPath path, a_.ResolvePath(node));
        return UpdateOperand(std::move(path));
      }
      case NodeKind::kValue: {
        EDDY_ASSIGN_OR_RETURN(AttributeValue value, a_.ResolveValue(node));
        return UpdateOperand(std::move(value));
      }
      case NodeKind::kCall:
        return BuildFunction(node);
      default:
        break;
    }
    return a_.Invalid("unexpected operand");  // unreachable: the parser builds no such tree
  }

  // if_not_exists(path, operand) or list_append(operand, operand); pass 1
  // let no other function through.
  Result<UpdateOperand> BuildFunction(const Node& node) {
    const std::string name(node.text);
    if (node.children.size() != 2) {
      return a_.Invalid(
          "Incorrect number of operands for operator or function; operator or function: " + name +
          ", number of operands: " + std::to_string(node.children.size()));
    }
    EDDY_ASSIGN_OR_RETURN(UpdateOperand first, BuildOperand(node.children[0]));
    EDDY_ASSIGN_OR_RETURN(UpdateOperand second, BuildOperand(node.children[1]));
    if (name == "if_not_exists") {
      const auto* path = std::get_if<DocumentPath>(&first.node);
      if (path == nullptr) {
        return a_.Invalid(
            "Operator or function requires a document path; operator or function: if_not_exists");
      }
      const auto* other = std::get_if<DocumentPath>(&second.node);
      if (other != nullptr && *other == *path) {
        return a_.Invalid(
            "The first operand must be distinct from the remaining operands for this operator or "
            "function; operator: if_not_exists, first operand: " +
            path->ToErrorString());
      }
      return upd::IfNotExists(*path, std::move(second));
    }
    for (const UpdateOperand* o : {&first, &second}) {
      const std::optional<AttributeType> t = StaticType(*o);
      if (t && *t != AttributeType::kL) return a_.TypeError("list_append", *t);
    }
    return upd::ListAppend(std::move(first), std::move(second));
  }

  Analyzer& a_;
};

struct FlatAction {
  ClauseKind kind;
  const ActionNode* action;
};

}  // namespace

Result<Update> CompileUpdate(Analyzer& analyzer, const UpdateTree& tree) {
  // 1. Section by section, in order of first appearance.
  std::vector<ClauseKind> sections;
  for (const ClauseNode& clause : tree.clauses) {
    if (std::find(sections.begin(), sections.end(), clause.kind) == sections.end()) {
      sections.push_back(clause.kind);
    }
  }
  for (ClauseKind section : sections) {
    int seen = 0;
    for (const ClauseNode& clause : tree.clauses) {
      if (clause.kind != section) continue;
      ++seen;
      for (const ActionNode& action : clause.actions) {
        EDDY_RETURN_IF_ERROR(analyzer.CheckNames(action.path, false, /*in_update=*/true));
        if (action.value) {
          EDDY_RETURN_IF_ERROR(analyzer.CheckNames(*action.value, false, /*in_update=*/true));
        }
      }
    }
    if (seen > 1) {
      return analyzer.Invalid("The \"" + std::string(ClauseName(section)) +
                              "\" section can only be used once in an update expression;");
    }
  }
  // 2.
  EDDY_RETURN_IF_ERROR(analyzer.CheckOperatorCount());

  // 3.
  std::vector<FlatAction> actions;
  for (const ClauseNode& clause : tree.clauses) {
    for (const ActionNode& action : clause.actions)
      actions.push_back({clause.kind, &action});
  }
  std::vector<DocumentPath> paths;
  paths.reserve(actions.size());
  for (const FlatAction& a : actions) {
    EDDY_RETURN_IF_ERROR(analyzer.CheckNamesDefined(a.action->path));
    paths.push_back(analyzer.SubstitutePath(a.action->path));
  }
  EDDY_RETURN_IF_ERROR(CheckPathsDisjoint(paths, "UpdateExpression"));

  // 4. Backwards.
  for (auto it = actions.rbegin(); it != actions.rend(); ++it) {
    EDDY_RETURN_IF_ERROR(CheckAllNamesDefined(analyzer, it->action->path));
    if (it->action->value) {
      EDDY_RETURN_IF_ERROR(CheckAllNamesDefined(analyzer, *it->action->value));
    }
  }
  UpdateBuilder builder(analyzer);
  std::vector<UpdateAction> built;
  built.reserve(actions.size());
  for (auto it = actions.rbegin(); it != actions.rend(); ++it) {
    EDDY_ASSIGN_OR_RETURN(UpdateAction action, builder.BuildAction(it->kind, *it->action));
    built.push_back(std::move(action));
  }
  std::reverse(built.begin(), built.end());
  return Update(std::move(built));
}

Result<std::vector<DocumentPath>> CompileProjection(Analyzer& analyzer,
                                                    const std::vector<Node>& paths) {
  for (const Node& path : paths) {
    EDDY_RETURN_IF_ERROR(analyzer.CheckNames(path, false, /*in_update=*/false));
  }
  std::vector<DocumentPath> out;
  out.reserve(paths.size());
  for (const Node& path : paths) {
    EDDY_ASSIGN_OR_RETURN(DocumentPath p, analyzer.ResolvePath(path));
    out.push_back(std::move(p));
  }
  EDDY_RETURN_IF_ERROR(CheckPathsDisjoint(out, "ProjectionExpression"));
  return out;
}

}  // namespace eddy::server::expression
