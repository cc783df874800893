// Shared checks; see analyzer.h for the pass structure. Messages are
// DynamoDB's, word for word where known (docs/expressions.md).
#include "server/expression/analyzer.h"

#include <array>
#include <variant>

#include "server/expression/reserved_words.h"

namespace eddy::server::expression {
namespace {

constexpr std::array<FunctionInfo, 8> kFunctions = {{
    {"attribute_exists", 1, FunctionRole::kCondition},
    {"attribute_not_exists", 1, FunctionRole::kCondition},
    {"attribute_type", 2, FunctionRole::kCondition},
    {"begins_with", 2, FunctionRole::kCondition},
    {"contains", 2, FunctionRole::kCondition},
    {"size", 1, FunctionRole::kOperand},
    {"if_not_exists", 2, FunctionRole::kUpdate},
    {"list_append", 2, FunctionRole::kUpdate},
}};

// List indexes are Java ints in DynamoDB.
constexpr std::uint64_t kMaxListIndex = 2147483647;

}  // namespace

const FunctionInfo* FindFunction(std::string_view name) {
  for (const FunctionInfo& f : kFunctions) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

std::string_view LongTypeName(AttributeType type) {
  switch (type) {
    case AttributeType::kS:
      return "STRING";
    case AttributeType::kN:
      return "NUMBER";
    case AttributeType::kB:
      return "BINARY";
    case AttributeType::kBool:
      return "BOOLEAN";
    case AttributeType::kNull:
      return "NULL";
    case AttributeType::kM:
      return "MAP";
    case AttributeType::kL:
      return "LIST";
    case AttributeType::kSS:
      return "STRING_SET";
    case AttributeType::kNS:
      return "NUMBER_SET";
    case AttributeType::kBS:
      return "BINARY_SET";
  }
  return "UNKNOWN";
}

std::string BoundText(const AttributeValue& value) {
  std::string out = "AttributeValue: {";
  switch (value.type()) {
    case AttributeType::kS:
      out += "S:" + value.AsString();
      break;
    case AttributeType::kN:
      out += "N:" + value.AsNumber().ToString();
      break;
    case AttributeType::kB: {
      // DynamoDB prints the Java ByteBuffer, not the bytes.
      const std::string n = std::to_string(value.AsBinary().size());
      out += "B:java.nio.HeapByteBuffer[pos=0 lim=" + n + " cap=" + n + "]";
      break;
    }
    default:
      out += std::string(TypeName(value.type())) + ":" + value.DebugString();
      break;
  }
  out += '}';
  return out;
}

std::optional<AttributeType> StaticType(const Operand& operand) {
  if (operand.IsLiteral()) return operand.literal().type();
  if (operand.IsSize()) return AttributeType::kN;
  return std::nullopt;
}

std::optional<AttributeType> StaticType(const UpdateOperand& operand) {
  if (const auto* v = std::get_if<AttributeValue>(&operand.node)) return v->type();
  if (const auto* f = std::get_if<IfNotExists>(&operand.node)) return StaticType(*f->fallback);
  if (std::holds_alternative<ListAppend>(operand.node)) return AttributeType::kL;
  return std::nullopt;
}

Analyzer::Analyzer(std::string_view expression_name, const AttributeNames* names,
                   const AttributeValues* values, UsedSet* used_names, UsedSet* used_values)
    : prefix_("Invalid " + std::string(expression_name) + ": "),
      names_(names),
      values_(values),
      used_names_(used_names),
      used_values_(used_values) {}

Status Analyzer::Invalid(std::string_view detail) const {
  return Status::InvalidArgument(prefix_ + std::string(detail));
}

Status Analyzer::TypeError(std::string_view op, AttributeType type) const {
  std::string detail = "Incorrect operand type for operator or function; operator or function: ";
  detail += op;
  detail += ", operand type: ";
  detail += TypeName(type);
  return Invalid(detail);
}

// ---- Pass 1

Status Analyzer::CheckPathSteps(const Node& path) const {
  for (const PathStep& step : path.steps) {
    if (step.kind == TokenKind::kInteger) {
      // Parsed by hand: the text may be longer than any integer type.
      std::uint64_t index = 0;
      bool too_large = step.text.size() > 10;
      for (std::size_t i = 0; i < step.text.size() && !too_large; ++i) {
        index = index * 10 + static_cast<std::uint64_t>(step.text[i] - '0');
      }
      if (too_large || index > kMaxListIndex) {
        return Invalid("List index is not within the allowable range; index: [" +
                       std::string(step.text) + "]");
      }
    } else if (step.kind == TokenKind::kIdentifier && IsReservedWord(step.text)) {
      return Invalid("Attribute name is a reserved keyword; reserved keyword: " +
                     std::string(step.text));
    }
  }
  return Status::Ok();
}

Status Analyzer::CheckNames(const Node& node, bool want_condition, bool in_update) {
  switch (node.kind) {
    case NodeKind::kPath:
      return CheckPathSteps(node);
    case NodeKind::kValue:
      return Status::Ok();
    case NodeKind::kParen:
      return CheckNames(node.children[0], want_condition, in_update);
    case NodeKind::kCall: {
      const std::string name(node.text);
      const FunctionInfo* f = FindFunction(node.text);
      if (f == nullptr) return Invalid("Invalid function name; function: " + name);
      if (in_update && f->role != FunctionRole::kUpdate) {
        return Invalid("The function is not allowed in an update expression; function: " + name);
      }
      if (!in_update) {
        if (f->role == FunctionRole::kUpdate) {
          return Invalid("The function is not allowed in a condition expression; function: " +
                         name);
        }
        if (want_condition != (f->role == FunctionRole::kCondition)) {
          return Invalid(
              "The function is not allowed to be used this way in an expression; function: " +
              name);
        }
        // An update's arity is checked in pass 2, with its placeholders.
        if (node.children.size() != f->arity) {
          return Invalid(
              "Incorrect number of operands for operator or function; operator or function: " +
              name + ", number of operands: " + std::to_string(node.children.size()));
        }
      }
      ++operator_count_;
      for (const Node& arg : node.children) {
        EDDY_RETURN_IF_ERROR(CheckNames(arg, false, in_update));
      }
      return Status::Ok();
    }
    case NodeKind::kAnd:
    case NodeKind::kOr:
    case NodeKind::kNot:
      operator_count_ += node.kind == NodeKind::kNot ? 1 : node.children.size() - 1;
      for (const Node& child : node.children) {
        EDDY_RETURN_IF_ERROR(CheckNames(child, true, in_update));
      }
      return Status::Ok();
    case NodeKind::kCompare:
    case NodeKind::kBetween:
    case NodeKind::kIn:
    case NodeKind::kArith:
      ++operator_count_;
      for (const Node& child : node.children) {
        EDDY_RETURN_IF_ERROR(CheckNames(child, false, in_update));
      }
      return Status::Ok();
  }
  return Status::Ok();
}

Status Analyzer::CheckOperatorCount() const {
  if (operator_count_ <= kMaxExpressionOperators) return Status::Ok();
  return Invalid("The expression contains too many operators; operator count: " +
                 std::to_string(operator_count_));
}

// ---- Pass 2

Status Analyzer::CheckNamesDefined(const Node& path) const {
  for (const PathStep& step : path.steps) {
    if (step.kind != TokenKind::kNamePlaceholder) continue;
    if (names_ == nullptr || names_->find(step.text) == names_->end()) {
      return Invalid(
          "An expression attribute name used in the document path is not defined; attribute "
          "name: " +
          std::string(step.text));
    }
  }
  return Status::Ok();
}

DocumentPath Analyzer::SubstitutePath(const Node& path) const {
  auto name_of = [&](const PathStep& step) -> std::string {
    if (step.kind == TokenKind::kNamePlaceholder) return names_->find(step.text)->second;
    return std::string(step.text);
  };
  DocumentPath out(name_of(path.steps[0]));
  for (std::size_t i = 1; i < path.steps.size(); ++i) {
    const PathStep& step = path.steps[i];
    if (step.kind == TokenKind::kInteger) {
      // Pass 1 bounded the index to a Java int.
      std::uint32_t index = 0;
      for (char c : step.text)
        index = index * 10 + static_cast<std::uint32_t>(c - '0');
      out.Index(index);
    } else {
      out.Member(name_of(step));
    }
  }
  return out;
}

Result<DocumentPath> Analyzer::ResolvePath(const Node& path) {
  EDDY_RETURN_IF_ERROR(CheckNamesDefined(path));
  for (const PathStep& step : path.steps) {
    if (step.kind == TokenKind::kNamePlaceholder) used_names_->emplace(step.text);
  }
  if (path.steps.size() > kMaxPathDepth) {
    return Invalid("The document path has too many nesting levels; nesting levels: " +
                   std::to_string(path.steps.size()));
  }
  return SubstitutePath(path);
}

Result<AttributeValue> Analyzer::ResolveValue(const Node& value) {
  const auto it =
      values_ == nullptr ? AttributeValues::const_iterator{} : values_->find(value.text);
  if (values_ == nullptr || it == values_->end()) {
    return Invalid(
        "An expression attribute value used in expression is not defined; attribute value: " +
        std::string(value.text));
  }
  used_values_->emplace(value.text);
  return it->second;
}

Status Analyzer::CheckDistinct(std::string_view op, const Operand& first,
                               const std::vector<const Operand*>& rest) const {
  if (!first.IsPath()) return Status::Ok();
  for (const Operand* other : rest) {
    if (other->IsPath() && other->path() == first.path()) {
      return Invalid(
          "The first operand must be distinct from the remaining operands for this operator or "
          "function; operator: " +
          std::string(op) + ", first operand: " + first.path().ToErrorString());
    }
  }
  return Status::Ok();
}

}  // namespace eddy::server::expression
