// Analyzer: the checks DynamoDB runs on a parsed expression, shared by the
// condition, update, projection and key-condition compilers.
//
// DynamoDB checks an expression in passes, and the first failing check names
// the error, so the passes are kept apart:
//   pass 1 (no placeholders needed, in the order written): reserved words,
//     list index range, function names and where each function may be used,
//     arity (conditions), the operator count;
//   pass 2: #name / :value placeholders (marking them used), path depth,
//     operand types known without the item, then the AST is built.
// The compilers (condition_compiler.cc, update_compiler.cc, ...) drive the
// passes; this file holds the pieces they share.
//
// Thread-safety: an Analyzer serves one Parse* call.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "eddy/attribute_value.h"
#include "eddy/condition.h"
#include "eddy/document_path.h"
#include "eddy/result.h"
#include "eddy/status.h"
#include "eddy/update.h"
#include "server/expression/expression_compiler.h"
#include "server/expression/parse_tree.h"

namespace eddy::server::expression {

using UsedSet = std::set<std::string, std::less<>>;

enum class FunctionRole : std::uint8_t {
  kCondition,  // attribute_exists, attribute_not_exists, attribute_type, begins_with, contains
  kOperand,    // size
  kUpdate,     // if_not_exists, list_append
};

struct FunctionInfo {
  std::string_view name;
  std::size_t arity;
  FunctionRole role;
};

// nullptr for an unknown name (names are case-sensitive).
const FunctionInfo* FindFunction(std::string_view name);

// "STRING", "NUMBER", ... as DynamoDB's ADD/DELETE messages spell types.
std::string_view LongTypeName(AttributeType type);

// "AttributeValue: {S:abc}" as DynamoDB's BETWEEN messages show a bound.
std::string BoundText(const AttributeValue& value);

// The type an operand has whatever the item holds: a literal's, N for
// size(), the fallback's for if_not_exists, L for list_append; nullopt for a
// document path.
std::optional<AttributeType> StaticType(const Operand& operand);
std::optional<AttributeType> StaticType(const UpdateOperand& operand);

class Analyzer {
 public:
  Analyzer(std::string_view expression_name, const AttributeNames* names,
           const AttributeValues* values, UsedSet* used_names, UsedSet* used_values);

  // "Invalid <expression name>: <detail>".
  Status Invalid(std::string_view detail) const;
  Status TypeError(std::string_view op, AttributeType type) const;

  // ---- Pass 1
  // Walks `node`; `want_condition` says whether a condition or an operand is
  // expected there. Counts operators and functions into operator_count().
  Status CheckNames(const Node& node, bool want_condition, bool in_update);
  std::size_t operator_count() const { return operator_count_; }
  Status CheckOperatorCount() const;

  // ---- Pass 2
  // Errors for #names in `path` that the map lacks (marks nothing used).
  Status CheckNamesDefined(const Node& path) const;
  // The path with #names substituted; marks them used; checks the depth.
  Result<DocumentPath> ResolvePath(const Node& path);
  // As ResolvePath, for paths already known to resolve, without side effects.
  DocumentPath SubstitutePath(const Node& path) const;
  Result<AttributeValue> ResolveValue(const Node& value);

  // "The first operand must be distinct from the remaining operands..." when
  // `first` is a path equal to one of `rest`.
  Status CheckDistinct(std::string_view op, const Operand& first,
                       const std::vector<const Operand*>& rest) const;

 private:
  Status CheckPathSteps(const Node& path) const;

  std::string prefix_;
  const AttributeNames* names_;
  const AttributeValues* values_;
  UsedSet* used_names_;
  UsedSet* used_values_;
  std::size_t operator_count_ = 0;
};

}  // namespace eddy::server::expression
