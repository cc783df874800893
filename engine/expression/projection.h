// ProjectionExpression: the parts of an item a read returns.
//
// Project(item, paths) keeps, for each path that resolves in `item`, the value
// at that path, wrapped in the structure that leads to it and nothing else:
//   - a.b on {a: {b: 1, c: 2}, d: 3}            -> {a: {b: 1}}
//   - a[2] and a[0] on {a: [x, y, z]}            -> {a: [x, z]}  (selected
//     elements, in list order, whatever the order of the paths)
//   - a[1].b on {a: [{b:1,c:1}, {b:2,c:2}]}      -> {a: [{b: 2}]}
// Paths that resolve to nothing contribute nothing: when no path under an
// attribute finds anything, the attribute is left out (no empty map or list
// placeholders). An empty `paths` gives an empty item; callers that mean
// "no ProjectionExpression" should not call Project at all.
//
// DynamoDB rejects overlapping or conflicting paths in a ProjectionExpression
// before reading (CheckPathsDisjoint(paths, "ProjectionExpression") in
// document_path.h). Project does not require that: overlapping paths yield
// the union (a and a.b give all of a).
//
// Also used for UpdateItem's UPDATED_OLD / UPDATED_NEW (update_apply.h).
//
// Thread-safety: a pure function.
#pragma once

#include <vector>

#include "eddy/document_path.h"
#include "eddy/item.h"

namespace eddy::engine {

Item Project(const Item& item, const std::vector<DocumentPath>& paths);

}  // namespace eddy::engine
