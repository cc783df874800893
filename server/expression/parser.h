// Recursive-descent parser for DynamoDB's expression grammar (facts doc
// §2.3), producing the parse tree of parse_tree.h.
//
//   condition  ::= or
//   or         ::= and (OR and)*
//   and        ::= not (AND not)*
//   not        ::= NOT not | primary
//   primary    ::= comparison | '(' or ')'
//   comparison ::= operand comparator operand
//                | operand BETWEEN operand AND operand
//                | operand IN '(' operand (',' operand)* ')'
//                | call                            (a function used as a condition)
//   operand    ::= :value | path | call | '(' operand ')'
//   call       ::= identifier '(' operand (',' operand)* ')'
//   path       ::= (identifier | #name) ('.' (identifier | #name) | '[' integer ']')*
//   update     ::= clause+ ; clause ::= SET set (',' set)* | REMOVE path (',' path)*
//                | ADD path :value (',' ...)* | DELETE path :value (',' ...)*
//   set        ::= path '=' setvalue ; setvalue ::= operand (('+'|'-') operand)?
//                | '(' operand ('+'|'-') operand ')'
//   projection ::= path (',' path)*
//
// A '(' where a condition may start is ambiguous: `(a) = :v` groups an
// operand, `(a = :v)` a condition. The parser tries the comparison reading
// first and the grouped condition second, and when both fail reports the one
// that read further, as a backtracking parser generator would. Both readings
// only ever back up over one parenthesis level, so the cost stays quadratic
// in the worst case and linear in practice.
//
// Errors (DynamoDB's detail text, without the "Invalid X: " prefix):
//   - Syntax error; token: "...", near: "..."   (see lexer.h)
//   - The expression has redundant parentheses;  for ((x)), reported as soon
//     as the outer parenthesis closes, before any later syntax error.
// Nesting deeper than kMaxNesting levels of parentheses, NOT and function
// arguments is a syntax error at the token that goes too deep: the parser
// recurses, and a 4 KB expression could otherwise nest 4000 levels.
//
// Thread-safety: a Parser is single-use and single-threaded.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "server/expression/lexer.h"
#include "server/expression/parse_tree.h"

namespace eddy::server::expression {

inline constexpr int kMaxNesting = 100;

class Parser {
 public:
  explicit Parser(std::string_view text);

  // Each parses the whole text; false on error (see ErrorDetail()).
  bool ParseCondition(Node* out);
  bool ParseUpdate(UpdateTree* out);
  bool ParseProjection(std::vector<Node>* out);

  // The error detail of the last failed parse.
  std::string ErrorDetail() const;

 private:
  struct Error {
    bool redundant_parens = false;
    std::size_t at = 0;  // token index
  };

  const Token& Peek(std::size_t ahead = 0) const;
  bool At(TokenKind kind) const { return Peek().kind == kind; }
  const Token& Next() { return tokens_[pos_++]; }
  bool Fail();
  bool Expect(TokenKind kind);
  bool ExpectEnd();

  // Runs `first`, then (from the same position) `second`; keeps the first
  // that succeeds, else the syntax error that got further.
  using Rule = bool (Parser::*)(Node*);
  bool Choose(Node* out, Rule first, Rule second);

  bool ParseOr(Node* out);
  bool ParseAnd(Node* out);
  bool ParseNot(Node* out);
  bool ParsePrimary(Node* out);
  bool ParseGroupedCondition(Node* out);
  bool ParseComparison(Node* out);
  bool ParseOperand(Node* out);
  bool ParseCall(Node* out);
  bool ParsePath(Node* out);
  bool ParseList(Node* parent);  // operand (',' operand)* appended to parent->children
  bool MakeParen(Node inner, Node* out);

  bool ParseSetAction(ActionNode* out);
  bool ParseSetValue(Node* out);
  bool ParseArith(Node* out);
  bool ParseValueAction(ActionNode* out);

  std::string_view text_;
  std::vector<Token> tokens_;
  std::size_t pos_ = 0;
  int depth_ = 0;
  Error error_;
};

}  // namespace eddy::server::expression
