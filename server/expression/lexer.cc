// Hand-written lexer: the token set is tiny and a table-free scanner keeps
// the byte offsets the syntax-error messages need.
#include "server/expression/lexer.h"

#include <array>
#include <utility>

namespace eddy::server::expression {
namespace {

bool IsLetter(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool IsDigit(char c) {
  return c >= '0' && c <= '9';
}
bool IsWordChar(char c) {
  return IsLetter(c) || IsDigit(c) || c == '_';
}
bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

// Keywords are matched case-insensitively; everything else that looks like a
// word is an identifier (reserved words are checked later, by the analyzer,
// because DynamoDB reports them as a different error).
TokenKind KeywordOrIdentifier(std::string_view word) {
  static constexpr std::array<std::pair<std::string_view, TokenKind>, 9> kKeywords = {{
      {"AND", TokenKind::kAnd},
      {"OR", TokenKind::kOr},
      {"NOT", TokenKind::kNot},
      {"BETWEEN", TokenKind::kBetween},
      {"IN", TokenKind::kIn},
      {"SET", TokenKind::kSet},
      {"REMOVE", TokenKind::kRemove},
      {"ADD", TokenKind::kAdd},
      {"DELETE", TokenKind::kDelete},
  }};
  if (word.size() > 7) return TokenKind::kIdentifier;
  for (const auto& [keyword, kind] : kKeywords) {
    if (keyword.size() != word.size()) continue;
    bool same = true;
    for (std::size_t i = 0; i < word.size() && same; ++i) {
      char c = word[i];
      if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
      same = c == keyword[i];
    }
    if (same) return kind;
  }
  return TokenKind::kIdentifier;
}

// Length of the UTF-8 sequence starting with `lead` (1 for anything invalid),
// so a bad token shows a whole character, not half of one.
std::size_t Utf8Length(unsigned char lead) {
  if (lead >= 0xF0 && lead <= 0xF4) return 4;
  if (lead >= 0xE0) return lead <= 0xEF ? 3 : 1;
  if (lead >= 0xC2 && lead <= 0xDF) return 2;
  return 1;
}

}  // namespace

bool IsComparator(TokenKind kind) {
  return kind == TokenKind::kEq || kind == TokenKind::kNe || kind == TokenKind::kLt ||
         kind == TokenKind::kLe || kind == TokenKind::kGt || kind == TokenKind::kGe;
}

std::vector<Token> Tokenize(std::string_view text) {
  std::vector<Token> tokens;
  std::size_t i = 0;
  const std::size_t n = text.size();
  while (i < n) {
    const char c = text[i];
    if (IsSpace(c)) {
      ++i;
      continue;
    }
    const std::size_t begin = i;
    TokenKind kind = TokenKind::kBad;
    if (IsLetter(c)) {
      while (i < n && IsWordChar(text[i]))
        ++i;
      kind = KeywordOrIdentifier(text.substr(begin, i - begin));
    } else if (c == '#' || c == ':') {
      ++i;
      while (i < n && IsWordChar(text[i]))
        ++i;
      if (i > begin + 1)
        kind = c == '#' ? TokenKind::kNamePlaceholder : TokenKind::kValuePlaceholder;
    } else if (IsDigit(c)) {
      ++i;
      if (c != '0') {
        while (i < n && IsDigit(text[i]))
          ++i;
      }
      kind = TokenKind::kInteger;
    } else {
      const char next = i + 1 < n ? text[i + 1] : '\0';
      std::size_t len = 1;
      switch (c) {
        case '=':
          kind = TokenKind::kEq;
          break;
        case '<':
          if (next == '>') {
            kind = TokenKind::kNe;
            len = 2;
          } else if (next == '=') {
            kind = TokenKind::kLe;
            len = 2;
          } else {
            kind = TokenKind::kLt;
          }
          break;
        case '>':
          if (next == '=') {
            kind = TokenKind::kGe;
            len = 2;
          } else {
            kind = TokenKind::kGt;
          }
          break;
        case '(':
          kind = TokenKind::kLParen;
          break;
        case ')':
          kind = TokenKind::kRParen;
          break;
        case '[':
          kind = TokenKind::kLBracket;
          break;
        case ']':
          kind = TokenKind::kRBracket;
          break;
        case ',':
          kind = TokenKind::kComma;
          break;
        case '.':
          kind = TokenKind::kDot;
          break;
        case '+':
          kind = TokenKind::kPlus;
          break;
        case '-':
          kind = TokenKind::kMinus;
          break;
        default:
          len = Utf8Length(static_cast<unsigned char>(c));
          if (begin + len > n) len = n - begin;
          break;
      }
      i += len;
    }
    tokens.push_back(Token{kind, begin, i, text.substr(begin, i - begin)});
  }
  tokens.push_back(Token{TokenKind::kEof, n, n, "<EOF>"});
  return tokens;
}

std::string SyntaxErrorDetail(std::string_view text, const std::vector<Token>& tokens,
                              std::size_t at) {
  const Token& token = tokens[at];
  const std::size_t from = at > 0 ? tokens[at - 1].begin : 0;
  const std::size_t to = at + 1 < tokens.size() ? tokens[at + 1].end : token.end;
  std::string out = "Syntax error; token: \"";
  out += token.text;
  out += "\", near: \"";
  out += text.substr(from, to > from ? to - from : 0);
  out += '"';
  return out;
}

}  // namespace eddy::server::expression
