// The per-expression compilers: each runs the analyzer's passes over a parse
// tree and lowers it to a public AST. ExpressionContext (expression_context.cc)
// does the parts every expression shares (empty and size checks, parsing,
// the placeholder maps) and calls these.
#pragma once

#include <vector>

#include "eddy/condition.h"
#include "eddy/document_path.h"
#include "eddy/item.h"
#include "eddy/result.h"
#include "eddy/update.h"
#include "server/expression/analyzer.h"
#include "server/expression/expression_compiler.h"
#include "server/expression/parse_tree.h"

namespace eddy::server::expression {

// condition_compiler.cc
Result<Condition> CompileCondition(Analyzer& analyzer, const Node& root);

// update_compiler.cc
Result<Update> CompileUpdate(Analyzer& analyzer, const UpdateTree& tree);
Result<std::vector<DocumentPath>> CompileProjection(Analyzer& analyzer,
                                                    const std::vector<Node>& paths);

// key_condition.cc: the key-condition rules on an already compiled (and so
// already validated) condition.
Result<KeyCondition> CompileKeyCondition(const Condition& condition, const KeySchema& schema);

}  // namespace eddy::server::expression
