// ExpressionContext: compiles DynamoDB's expression strings (condition,
// filter, key condition, update, projection) into Eddy's ASTs
// (eddy/condition.h, eddy/update.h, eddy/document_path.h, eddy/db.h).
//
// One request's expressions share its ExpressionAttributeNames and
// ExpressionAttributeValues, so the server makes one context per request,
// parses each expression the request carries through it, and then calls
// CheckAllUsed(), which reports placeholders no expression used — DynamoDB
// rejects those. DynamoDB checks a request's expressions in a fixed order
// (UpdateItem: update, then condition; Query: filter, projection, key
// condition); call the Parse* functions in that order to report the same
// first error.
//
// What is checked here (everything needing only the request, none of it the
// item): the grammar, reserved words, function names, arity and placement,
// placeholders, the 4 KB size, 300-operator, 100-IN-operand and 32-level
// path limits, overlapping paths, and the operand types DynamoDB checks
// statically (a :value's type where an operator needs S/N/B, N, L or a set).
// Type errors that depend on the item are the engine's (condition_eval.h,
// update_apply.h). docs/expressions.md lists every message.
//
// Errors: Status::InvalidArgument whose message is DynamoDB's
// ValidationException message, e.g.
//   Invalid ConditionExpression: Syntax error; token: "=", near: "a = = b"
//   Invalid UpdateExpression: Attribute name is a reserved keyword; reserved keyword: status
//   Value provided in ExpressionAttributeValues unused in expressions: keys: {:v}
//
// Lifetime: the maps are borrowed and must outlive the context; the results
// own their data. Thread-safety: a context is used by one thread.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "eddy/attribute_value.h"
#include "eddy/condition.h"
#include "eddy/db.h"
#include "eddy/document_path.h"
#include "eddy/item.h"
#include "eddy/result.h"
#include "eddy/status.h"
#include "eddy/update.h"

namespace eddy::server {

using AttributeNames = std::map<std::string, std::string, std::less<>>;      // "#n" -> "name"
using AttributeValues = std::map<std::string, AttributeValue, std::less<>>;  // ":v" -> value

// A compiled KeyConditionExpression.
struct KeyCondition {
  AttributeValue partition_key;
  std::optional<SortKeyCondition> sort_key;
};

// DynamoDB's limits on expressions (facts doc §2.2).
inline constexpr std::size_t kMaxExpressionBytes = 4096;
inline constexpr std::size_t kMaxExpressionOperators = 300;
inline constexpr std::size_t kMaxPlaceholderKeyBytes = 255;
inline constexpr std::size_t kMaxPathDepth = 32;

class ExpressionContext {
 public:
  // Either map may be null: the request did not carry it.
  ExpressionContext(const AttributeNames* names, const AttributeValues* values);

  // The maps themselves: not empty when present, keys `#[A-Za-z0-9_]+` /
  // `:[A-Za-z0-9_]+` of at most 255 bytes, no empty attribute name. Every
  // Parse* runs this first (once); the server may call it up front.
  Status CheckMaps() const;

  // `which`: "ConditionExpression" or "FilterExpression" (message prefix).
  Result<Condition> ParseCondition(std::string_view text, std::string_view which);
  Result<Update> ParseUpdate(std::string_view text);
  // The paths in the order written; overlapping paths are an error.
  Result<std::vector<DocumentPath>> ParseProjection(std::string_view text);
  // `pk = :v [AND <sort key condition>]` against `schema`; reversed operands
  // (`:v = pk`, `:a < sk`) are normalized to key-first.
  Result<KeyCondition> ParseKeyCondition(std::string_view text, const KeySchema& schema);

  // Every #name and :value of the maps was used by some successful Parse*.
  // Names are reported before values; several keys are listed in the order
  // DynamoDB's (Java HashSet) message lists them.
  Status CheckAllUsed() const;

 private:
  Status CheckMapsOnce();

  const AttributeNames* names_;
  const AttributeValues* values_;
  std::set<std::string, std::less<>> used_names_;
  std::set<std::string, std::less<>> used_values_;
  bool maps_checked_ = false;
};

// DynamoDB forbids a Query's FilterExpression from naming a key attribute:
// "Filter Expression can only contain non-primary key attributes: Primary key
// attribute: <name>". The server calls this for Query filters.
Status CheckFilterAvoidsKeys(const Condition& filter, const KeySchema& schema);

}  // namespace eddy::server
