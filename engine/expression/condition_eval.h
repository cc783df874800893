// Evaluating a Condition (include/eddy/condition.h) against an item.
//
// Two steps, because DynamoDB reports a malformed expression as a
// ValidationException whether or not the item exists, while everything that
// depends on the item's data only ever makes a condition false:
//   1. ValidateCondition: checks that need only the expression (its literals).
//      The server can run it once when it compiles an expression.
//   2. EvaluateValidCondition: cannot fail.
// EvaluateCondition does both; it is what the write path calls.
//
// Semantics (DynamoDB's; "absent" = the path resolves to nothing):
//   - A path resolves through map members and list indexes; a missing
//     attribute, a missing member, an index past the end, or a step into a
//     value of the wrong type all give absent. A null item makes every path
//     absent.
//   - a = b: both present and semantically equal (maps regardless of key
//     order, sets regardless of element order, numbers by value). Absent on
//     either side: false.
//   - a <> b: NOT (a = b) in the presence sense: absent on either side: TRUE.
//     (DynamoDB: `#status <> :done` holds for an item with no status.)
//   - < <= > >=, BETWEEN: both/all present, of one type, and that type S, N
//     or B; otherwise false. S and B compare by unsigned bytes, N by value.
//     BETWEEN is inclusive; when its bounds come from the item and lower >
//     upper, false.
//   - IN: value present and equal (as =) to some candidate.
//   - attribute_exists / attribute_not_exists: presence of the path.
//   - attribute_type(path, :t): path present and of type :t.
//   - begins_with(a, b): a and b both S or both B and a starts with b.
//   - contains(a, b): a S and b S: substring; a B and b B: byte substring;
//     a SS/NS/BS and b the element type (S/N/B): membership; a L: some element
//     equals b. Anything else (including b a set): false.
//   - size(path): S: UTF-8 bytes; B: bytes; SS/NS/BS, L: element count; M:
//     entry count. Absent path, or a type with no size (N, BOOL, NULL): absent,
//     so the comparison using it is false (not an error).
//   - AND, OR, NOT: boolean; NOT of a false comparison on an absent path is
//     true.
//
// Validation errors (InvalidArgument; prefix "Invalid <expression_name>: "):
//   - IN with 0 or more than 100 candidates;
//   - AND/OR with no children (only C++ builders can produce that);
//   - attribute_type whose :t is not an S ("Incorrect operand type for
//     operator or function; operator or function: attribute_type, operand
//     type: NUMBER"), or not a type name ("Invalid type name found in
//     attribute_type function; type: X" — wording not verified);
//   - a literal operand of < <= > >= or BETWEEN that is not S, N or B,
//     a literal of begins_with that is not S or B ("Incorrect operand type
//     for operator or function; operator or function: <, operand type: BOOL");
//   - BETWEEN with literal bounds of different types, or lower > upper ("The
//     BETWEEN operator requires upper bound to be greater than or equal to
//     lower bound; lower bound operand: AttributeValue: {N:5}, upper bound
//     operand: AttributeValue: {N:1}").
//   Type names in messages are DynamoDB's long names: STRING, NUMBER, BINARY,
//   BOOLEAN, NULL, MAP, LIST, STRING_SET, NUMBER_SET, BINARY_SET.
//
// Thread-safety: pure functions of their arguments.
#pragma once

#include <string_view>

#include "eddy/attribute_value.h"
#include "eddy/condition.h"
#include "eddy/document_path.h"
#include "eddy/item.h"
#include "eddy/result.h"
#include "eddy/status.h"

namespace eddy::engine {

// The value at `path` in `item`, or nullptr when absent (see above). The
// pointer lives as long as `item` is unmodified.
const AttributeValue* ResolvePath(const Item* item, const DocumentPath& path);

// DynamoDB's long type name used in validation messages ("STRING", "NUMBER",
// "STRING_SET", ...).
std::string_view LongTypeName(AttributeType type);

Status ValidateCondition(const Condition& condition,
                         std::string_view expression_name = "ConditionExpression");

// Requires ValidateCondition(condition).ok(); debug builds do not re-check.
bool EvaluateValidCondition(const Condition& condition, const Item* item);

// ValidateCondition, then EvaluateValidCondition. `item` null means no item.
Result<bool> EvaluateCondition(const Condition& condition, const Item* item);

}  // namespace eddy::engine
