// The parse tree: what the parser saw, before placeholders are substituted
// and before any rule beyond the grammar is checked.
//
// The analyzer (analyzer.h and the *_compiler.cc files) walks this tree in
// the order DynamoDB checks things and lowers it to the public ASTs
// (eddy/condition.h, eddy/update.h). Keeping a separate tree, rather than
// building the public AST while parsing, is what lets the errors come out in
// DynamoDB's order: every syntax error first, then reserved words and
// function names, then placeholders and operand types.
//
// Nodes hold string_views into the expression text, which must outlive them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "server/expression/lexer.h"

namespace eddy::server::expression {

enum class NodeKind : std::uint8_t {
  kPath,     // steps
  kValue,    // text = ":v"
  kCall,     // text = function name; children = arguments
  kParen,    // children[0] = what the parentheses hold
  kCompare,  // text = "=", "<>", ...; op; children = left, right
  kBetween,  // children = value, lower, upper
  kIn,       // children = value, candidates...
  kAnd,      // children: two or more conditions (one chain a AND b AND c)
  kOr,       // children: two or more
  kNot,      // children[0]
  kArith,    // text = "+" or "-"; children = left, right (update SET only)
};

// One element of a document path: the first is the attribute (an identifier
// or a #name), then identifiers/#names for map members and integers for list
// indexes.
struct PathStep {
  TokenKind kind = TokenKind::kIdentifier;  // kIdentifier, kNamePlaceholder or kInteger
  std::string_view text;
};

struct Node {
  NodeKind kind = NodeKind::kPath;
  TokenKind op = TokenKind::kEof;  // kCompare: the comparator; kArith: kPlus/kMinus
  std::string_view text;
  std::vector<PathStep> steps;  // kPath only
  std::vector<Node> children;
};

// Strips parentheses: (((a))) -> a.
inline const Node& Unwrap(const Node& node) {
  const Node* n = &node;
  while (n->kind == NodeKind::kParen)
    n = &n->children[0];
  return *n;
}

enum class ClauseKind : std::uint8_t { kSet, kRemove, kAdd, kDelete };

struct ActionNode {
  Node path;
  std::optional<Node> value;  // SET: the right-hand side; ADD/DELETE: the :value
};

struct ClauseNode {
  ClauseKind kind = ClauseKind::kSet;
  std::vector<ActionNode> actions;
};

struct UpdateTree {
  std::vector<ClauseNode> clauses;  // in the order written; a kind may repeat (an error later)
};

}  // namespace eddy::server::expression
