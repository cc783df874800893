// Lexer for DynamoDB's expression language (condition, filter, key
// condition, update and projection expressions share one token set).
//
// Tokens, as DynamoDB's grammar has them:
//   identifier   [A-Za-z][A-Za-z0-9_]*   (a leading '_' or digit is not one)
//   #name :value '#' or ':' then [A-Za-z0-9_]+
//   integer      "0" or [1-9][0-9]*      (list indexes; "01" is two tokens)
//   keywords     AND OR NOT BETWEEN IN SET REMOVE ADD DELETE, any case
//   punctuation  = <> < <= > >= ( ) [ ] , . + -
//   bad          any other character (one UTF-8 sequence), or a bare # or :
// Whitespace (space, tab, CR, LF) separates tokens and is otherwise ignored.
// Lexing never fails: a bad token is reported by the parser as a syntax error
// at that token, which is where DynamoDB reports it too.
//
// Thread-safety: pure functions; tokens point into the caller's text.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace eddy::server::expression {

enum class TokenKind : std::uint8_t {
  kIdentifier,
  kNamePlaceholder,   // #n
  kValuePlaceholder,  // :v
  kInteger,
  // Keywords.
  kAnd,
  kOr,
  kNot,
  kBetween,
  kIn,
  kSet,
  kRemove,
  kAdd,
  kDelete,
  // Punctuation.
  kEq,
  kNe,
  kLt,
  kLe,
  kGt,
  kGe,
  kLParen,
  kRParen,
  kLBracket,
  kRBracket,
  kComma,
  kDot,
  kPlus,
  kMinus,
  kBad,
  kEof,
};

struct Token {
  TokenKind kind = TokenKind::kEof;
  std::size_t begin = 0;  // byte offsets into the expression text
  std::size_t end = 0;
  std::string_view text;  // "<EOF>" for kEof
};

// Every token of `text`, always ending with one kEof.
std::vector<Token> Tokenize(std::string_view text);

bool IsComparator(TokenKind kind);

// DynamoDB's syntax-error detail for a parse that stopped at tokens[at]:
//   Syntax error; token: "<token>", near: "<text>"
// where <text> runs from the start of the token before it to the end of the
// token after it (so "a b" stopping at b gives near: "a b", and stopping at
// the end of "a," gives token "<EOF>", near: ",").
std::string SyntaxErrorDetail(std::string_view text, const std::vector<Token>& tokens,
                              std::size_t at);

}  // namespace eddy::server::expression
