// Applying an Update (include/eddy/update.h) to an item: UpdateItem's core.
//
// ApplyUpdate(old_item, key, update) returns the item UpdateItem would store.
//
// Order of checks (each failure is InvalidArgument, nothing is applied):
//   1. Static checks, CheckUpdate(), which need no item:
//      - two actions on overlapping or conflicting paths (document_path.h):
//        "Invalid UpdateExpression: Two document paths overlap with each
//        other; must remove or rewrite one of these paths; path one: [a],
//        path two: [a, b]" (paths in action order);
//      - an action on a key attribute (any action, even SET to the same
//        value): "One or more parameter values were invalid: Cannot update
//        attribute pk. This attribute is part of the key";
//      - ADD with a literal that is not N or a set: "Invalid
//        UpdateExpression: Incorrect operand type for operator or function;
//        operator: ADD, operand type: STRING, typeSet: ALLOWED_FOR_ADD_OPERAND";
//        DELETE with a literal that is not a set: same with DELETE and
//        ALLOWED_FOR_DELETE_OPERAND; an empty set (only constructible through
//        the trusted *FromCanonical builders) is rejected too;
//      - a literal operand of + or - that is not N, or of list_append that is
//        not L: "Invalid UpdateExpression: Incorrect operand type for operator
//        or function; operator or function: +, operand type: STRING".
//   2. Every SET right-hand side is evaluated against the OLD item, so
//      `SET a = b, b = a` swaps. A path operand that resolves to nothing (not
//      inside if_not_exists' first argument): "The provided expression refers
//      to an attribute that does not exist in the item". + and - on non-N,
//      list_append on non-L: "An operand in the update expression has an
//      incorrect data type". Arithmetic results get Number's overflow,
//      underflow and 38-digit errors.
//   3. The actions are applied, all list indexes referring to the OLD list:
//      - SET of a top-level attribute creates or replaces it. SET of a nested
//        path needs every parent to exist with the right type (map for a
//        member step, list for an index step), else "The document path
//        provided in the update expression is invalid for update". SET l[i]
//        with i >= the old length appends; several such appends land in
//        ascending index order.
//      - REMOVE of a missing attribute, member or index past the end is a
//        no-op, and so is REMOVE below a missing parent. REMOVE of list
//        elements shifts the rest down (REMOVE l[0], l[2] on [a,b,c,d] gives
//        [b,d]).
//      - ADD: missing target: becomes the literal (N from 0, or the set);
//        N + N adds; set ∪ set of the same type; anything else: "An operand in
//        the update expression has an incorrect data type". Nested ADD needs
//        its parents like SET.
//      - DELETE: missing target: no-op (also below a missing parent); set −
//        set of the same type, and an empty result removes the attribute;
//        other types: "An operand in the update expression has an incorrect
//        data type".
//      - A step through an EXISTING value of the wrong type is the
//        invalid-document-path error for every action, REMOVE included.
//      - Containers are rebuilt through AttributeValue's factories, so the
//        nesting limit (32) is enforced on the result.
//   The result is not checked against the table (ValidateItemForTable,
//   item size): the caller does that.
//
// Upsert: when old_item is null, the new item starts as `key` and operands
// are evaluated against `key` too (so `SET a = pk` copies the key). An update
// whose actions are all REMOVE/DELETE then yields exactly `key`: THE CALLER
// must treat "old item absent and Update::OnlyRemovesOrDeletes()" as "write
// nothing" (DynamoDB creates no item in that case). An empty Update on a
// missing item yields the key-only item, which DynamoDB does create.
//
// No-op writes: results are canonical values, so a SET to an equal value,
// ADD of 0, REMOVE of a missing path, DELETE of absent elements all return an
// item == *old_item, which the write path can compare to suppress the write.
//
// ReturnValues: UPDATED_OLD / UPDATED_NEW return the updated paths, not whole
// top-level attributes. UpdatedPathsOld(update) are all action paths;
// UpdatedPathsNew(update) leaves out REMOVE paths (nothing is left there).
// The server projects the old/new item on them with Project()
// (projection.h). Known imprecision: after a REMOVE of a list element or an
// append past the end, the new item's indexes differ from the expression's,
// so UPDATED_NEW shows whatever now sits at the written index.
//
// Thread-safety: pure functions of their arguments.
#pragma once

#include <string>
#include <vector>

#include "eddy/document_path.h"
#include "eddy/item.h"
#include "eddy/result.h"
#include "eddy/status.h"
#include "eddy/update.h"

namespace eddy::engine {

// Step 1 above. `key` holds the key attributes (only their names are read).
Status CheckUpdate(const Update& update, const Item& key);

// Steps 1-3 above. `old_item` null means the item does not exist.
Result<Item> ApplyUpdate(const Item* old_item, const Item& key, const Update& update);

// Paths to project for ReturnValues (see above), in action order.
std::vector<DocumentPath> UpdatedPathsOld(const Update& update);
std::vector<DocumentPath> UpdatedPathsNew(const Update& update);

// The distinct top-level attribute names the update touches, sorted.
std::vector<std::string> UpdatedAttributeNames(const Update& update);

}  // namespace eddy::engine
