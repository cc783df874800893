// See parser.h for the grammar. Every Parse* function returns false with
// error_ set and leaves *out unspecified; Choose() is the only place that
// backs up, and it always restarts an alternative from a fresh output node.
#include "server/expression/parser.h"

#include <utility>

namespace eddy::server::expression {
namespace {

// Counts recursion levels so hostile inputs cannot exhaust the stack.
class DepthGuard {
 public:
  explicit DepthGuard(int* depth) : depth_(depth) { ++*depth_; }
  ~DepthGuard() { --*depth_; }
  DepthGuard(const DepthGuard&) = delete;
  DepthGuard& operator=(const DepthGuard&) = delete;

 private:
  int* depth_;
};

}  // namespace

Parser::Parser(std::string_view text) : text_(text), tokens_(Tokenize(text)) {}

const Token& Parser::Peek(std::size_t ahead) const {
  const std::size_t i = pos_ + ahead;
  return i < tokens_.size() ? tokens_[i] : tokens_.back();
}

bool Parser::Fail() {
  error_ = Error{false, pos_ < tokens_.size() ? pos_ : tokens_.size() - 1};
  return false;
}

bool Parser::Expect(TokenKind kind) {
  if (!At(kind)) return Fail();
  Next();
  return true;
}

bool Parser::ExpectEnd() {
  return At(TokenKind::kEof) || Fail();
}

std::string Parser::ErrorDetail() const {
  if (error_.redundant_parens) return "The expression has redundant parentheses;";
  return SyntaxErrorDetail(text_, tokens_, error_.at);
}

bool Parser::Choose(Node* out, Rule first, Rule second) {
  const std::size_t start = pos_;
  Node tmp;
  if ((this->*first)(&tmp)) {
    *out = std::move(tmp);
    return true;
  }
  if (error_.redundant_parens) return false;
  const Error first_error = error_;
  pos_ = start;
  tmp = Node{};
  if ((this->*second)(&tmp)) {
    *out = std::move(tmp);
    return true;
  }
  if (error_.redundant_parens) return false;
  // Ties go to the first reading, like an ordered-choice parser.
  if (first_error.at >= error_.at) error_ = first_error;
  return false;
}

// DynamoDB refuses two parentheses straight around the same thing.
bool Parser::MakeParen(Node inner, Node* out) {
  if (inner.kind == NodeKind::kParen) {
    error_ = Error{true, pos_ - 1};
    return false;
  }
  out->kind = NodeKind::kParen;
  out->children.clear();
  out->children.push_back(std::move(inner));
  return true;
}

// ---- Conditions

bool Parser::ParseCondition(Node* out) {
  return ParseOr(out) && ExpectEnd();
}

bool Parser::ParseOr(Node* out) {
  DepthGuard guard(&depth_);
  if (depth_ > kMaxNesting) return Fail();
  Node first;
  if (!ParseAnd(&first)) return false;
  if (!At(TokenKind::kOr)) {
    *out = std::move(first);
    return true;
  }
  out->kind = NodeKind::kOr;
  out->children.push_back(std::move(first));
  while (At(TokenKind::kOr)) {
    Next();
    Node next;
    if (!ParseAnd(&next)) return false;
    out->children.push_back(std::move(next));
  }
  return true;
}

bool Parser::ParseAnd(Node* out) {
  Node first;
  if (!ParseNot(&first)) return false;
  if (!At(TokenKind::kAnd)) {
    *out = std::move(first);
    return true;
  }
  out->kind = NodeKind::kAnd;
  out->children.push_back(std::move(first));
  while (At(TokenKind::kAnd)) {
    Next();
    Node next;
    if (!ParseNot(&next)) return false;
    out->children.push_back(std::move(next));
  }
  return true;
}

bool Parser::ParseNot(Node* out) {
  if (!At(TokenKind::kNot)) return ParsePrimary(out);
  DepthGuard guard(&depth_);
  if (depth_ > kMaxNesting) return Fail();
  Next();
  Node child;
  if (!ParseNot(&child)) return false;
  out->kind = NodeKind::kNot;
  out->children.push_back(std::move(child));
  return true;
}

bool Parser::ParsePrimary(Node* out) {
  if (At(TokenKind::kLParen)) {
    return Choose(out, &Parser::ParseComparison, &Parser::ParseGroupedCondition);
  }
  return ParseComparison(out);
}

bool Parser::ParseGroupedCondition(Node* out) {
  if (!Expect(TokenKind::kLParen)) return false;
  Node inner;
  if (!ParseOr(&inner) || !Expect(TokenKind::kRParen)) return false;
  return MakeParen(std::move(inner), out);
}

bool Parser::ParseComparison(Node* out) {
  Node left;
  if (!ParseOperand(&left)) return false;
  const Token& token = Peek();
  if (IsComparator(token.kind)) {
    Next();
    Node right;
    if (!ParseOperand(&right)) return false;
    out->kind = NodeKind::kCompare;
    out->op = token.kind;
    out->text = token.text;
    out->children.push_back(std::move(left));
    out->children.push_back(std::move(right));
    return true;
  }
  if (token.kind == TokenKind::kBetween) {
    Next();
    Node lower, upper;
    if (!ParseOperand(&lower) || !Expect(TokenKind::kAnd) || !ParseOperand(&upper)) return false;
    out->kind = NodeKind::kBetween;
    out->children.push_back(std::move(left));
    out->children.push_back(std::move(lower));
    out->children.push_back(std::move(upper));
    return true;
  }
  if (token.kind == TokenKind::kIn) {
    Next();
    out->kind = NodeKind::kIn;
    out->children.push_back(std::move(left));
    return Expect(TokenKind::kLParen) && ParseList(out) && Expect(TokenKind::kRParen);
  }
  // A function alone is a condition (attribute_exists(a)); whether this one
  // may be used so is the analyzer's question, as it is DynamoDB's.
  if (left.kind == NodeKind::kCall) {
    *out = std::move(left);
    return true;
  }
  return Fail();
}

// ---- Operands

bool Parser::ParseOperand(Node* out) {
  DepthGuard guard(&depth_);
  if (depth_ > kMaxNesting) return Fail();
  const Token& token = Peek();
  switch (token.kind) {
    case TokenKind::kValuePlaceholder:
      Next();
      out->kind = NodeKind::kValue;
      out->text = token.text;
      return true;
    case TokenKind::kLParen: {
      Next();
      Node inner;
      if (!ParseOperand(&inner) || !Expect(TokenKind::kRParen)) return false;
      return MakeParen(std::move(inner), out);
    }
    case TokenKind::kIdentifier:
      return Peek(1).kind == TokenKind::kLParen ? ParseCall(out) : ParsePath(out);
    case TokenKind::kNamePlaceholder:
      return ParsePath(out);
    default:
      return Fail();
  }
}

bool Parser::ParseCall(Node* out) {
  out->kind = NodeKind::kCall;
  out->text = Next().text;
  Next();  // '('
  return ParseList(out) && Expect(TokenKind::kRParen);
}

bool Parser::ParseList(Node* parent) {
  for (;;) {
    Node item;
    if (!ParseOperand(&item)) return false;
    parent->children.push_back(std::move(item));
    if (!At(TokenKind::kComma)) return true;
    Next();
  }
}

bool Parser::ParsePath(Node* out) {
  const Token& first = Peek();
  if (first.kind != TokenKind::kIdentifier && first.kind != TokenKind::kNamePlaceholder) {
    return Fail();
  }
  Next();
  out->kind = NodeKind::kPath;
  out->steps.push_back(PathStep{first.kind, first.text});
  for (;;) {
    if (At(TokenKind::kDot)) {
      Next();
      const Token& member = Peek();
      if (member.kind != TokenKind::kIdentifier && member.kind != TokenKind::kNamePlaceholder) {
        return Fail();
      }
      Next();
      out->steps.push_back(PathStep{member.kind, member.text});
    } else if (At(TokenKind::kLBracket)) {
      Next();
      const Token& index = Peek();
      if (index.kind != TokenKind::kInteger) return Fail();
      Next();
      out->steps.push_back(PathStep{TokenKind::kInteger, index.text});
      if (!Expect(TokenKind::kRBracket)) return false;
    } else {
      return true;
    }
  }
}

// ---- Updates

bool Parser::ParseUpdate(UpdateTree* out) {
  do {
    ClauseNode clause;
    const TokenKind keyword = Peek().kind;
    bool ok = true;
    switch (keyword) {
      case TokenKind::kSet:
        clause.kind = ClauseKind::kSet;
        do {
          Next();  // SET or ','
          ActionNode action;
          ok = ParseSetAction(&action);
          clause.actions.push_back(std::move(action));
        } while (ok && At(TokenKind::kComma));
        break;
      case TokenKind::kRemove:
        clause.kind = ClauseKind::kRemove;
        do {
          Next();
          ActionNode action;
          ok = ParsePath(&action.path);
          clause.actions.push_back(std::move(action));
        } while (ok && At(TokenKind::kComma));
        break;
      case TokenKind::kAdd:
      case TokenKind::kDelete:
        clause.kind = keyword == TokenKind::kAdd ? ClauseKind::kAdd : ClauseKind::kDelete;
        do {
          Next();
          ActionNode action;
          ok = ParseValueAction(&action);
          clause.actions.push_back(std::move(action));
        } while (ok && At(TokenKind::kComma));
        break;
      default:
        return Fail();
    }
    if (!ok) return false;
    out->clauses.push_back(std::move(clause));
  } while (!At(TokenKind::kEof));
  return true;
}

bool Parser::ParseSetAction(ActionNode* out) {
  if (!ParsePath(&out->path) || !Expect(TokenKind::kEq)) return false;
  Node value;
  if (!(At(TokenKind::kLParen) ? Choose(&value, &Parser::ParseArith, &Parser::ParseSetValue)
                               : ParseArith(&value))) {
    return false;
  }
  out->value = std::move(value);
  return true;
}

// '(' operand ('+'|'-') operand ')': the grouped form of a SET value.
bool Parser::ParseSetValue(Node* out) {
  if (!Expect(TokenKind::kLParen)) return false;
  Node inner;
  if (!ParseArith(&inner) || !Expect(TokenKind::kRParen)) return false;
  return MakeParen(std::move(inner), out);
}

bool Parser::ParseArith(Node* out) {
  Node left;
  if (!ParseOperand(&left)) return false;
  if (!At(TokenKind::kPlus) && !At(TokenKind::kMinus)) {
    *out = std::move(left);
    return true;
  }
  const Token& op = Next();
  Node right;
  if (!ParseOperand(&right)) return false;
  out->kind = NodeKind::kArith;
  out->op = op.kind;
  out->text = op.text;
  out->children.push_back(std::move(left));
  out->children.push_back(std::move(right));
  return true;
}

bool Parser::ParseValueAction(ActionNode* out) {
  if (!ParsePath(&out->path)) return false;
  const Token& value = Peek();
  if (value.kind != TokenKind::kValuePlaceholder) return Fail();
  Next();
  Node node;
  node.kind = NodeKind::kValue;
  node.text = value.text;
  out->value = std::move(node);
  return true;
}

// ---- Projections

bool Parser::ParseProjection(std::vector<Node>* out) {
  do {
    if (!out->empty()) Next();  // ','
    Node path;
    if (!ParsePath(&path)) return false;
    out->push_back(std::move(path));
  } while (At(TokenKind::kComma));
  return ExpectEnd();
}

}  // namespace eddy::server::expression
