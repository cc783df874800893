// Condition and filter expressions: pass 1 over the parse tree, then pass 2
// fused with building the Condition, children before their parent, which is
// the order DynamoDB reports placeholder and type errors in.
#include <utility>
#include <vector>

#include "server/expression/compilers.h"

namespace eddy::server::expression {
namespace {

bool IsScalarKeyType(AttributeType t) {
  return t == AttributeType::kS || t == AttributeType::kN || t == AttributeType::kB;
}

CompareOp ToCompareOp(TokenKind kind) {
  switch (kind) {
    case TokenKind::kNe:
      return CompareOp::kNe;
    case TokenKind::kLt:
      return CompareOp::kLt;
    case TokenKind::kLe:
      return CompareOp::kLe;
    case TokenKind::kGt:
      return CompareOp::kGt;
    case TokenKind::kGe:
      return CompareOp::kGe;
    default:
      return CompareOp::kEq;
  }
}

// size() of a literal is known now; the AST's SizeOf holds only paths, so
// size(:v) is folded to the N it evaluates to (condition_eval.h's rules).
AttributeValue FoldSize(const AttributeValue& v) {
  std::size_t n = 0;
  switch (v.type()) {
    case AttributeType::kS:
      n = v.AsString().size();
      break;
    case AttributeType::kB:
      n = v.AsBinary().size();
      break;
    case AttributeType::kSS:
      n = v.AsStringSet().size();
      break;
    case AttributeType::kNS:
      n = v.AsNumberSet().size();
      break;
    case AttributeType::kBS:
      n = v.AsBinarySet().size();
      break;
    case AttributeType::kL:
      n = v.AsList().size();
      break;
    case AttributeType::kM:
      n = v.AsMap().size();
      break;
    default:
      break;  // rejected by the type check before folding
  }
  return AttributeValue::N(Number::FromInt64(static_cast<std::int64_t>(n)));
}

class ConditionBuilder {
 public:
  explicit ConditionBuilder(Analyzer& analyzer) : a_(analyzer) {}

  Result<Operand> BuildOperand(const Node& node) {
    switch (node.kind) {
      case NodeKind::kParen:
        return BuildOperand(node.children[0]);
      case NodeKind::kPath: {
        EDDY_ASSIGN_OR_RETURN(DocumentPath path, a_.ResolvePath(node));
        return Operand(std::move(path));
      }
      case NodeKind::kValue: {
        EDDY_ASSIGN_OR_RETURN(AttributeValue value, a_.ResolveValue(node));
        return Operand(std::move(value));
      }
      case NodeKind::kCall:
        return BuildSize(node);  // pass 1 let only size() through as an operand
      default:
        break;
    }
    return a_.Invalid("unexpected operand");  // unreachable: the parser builds no such tree
  }

  Result<Condition> Build(const Node& node) {
    switch (node.kind) {
      case NodeKind::kParen:
        return Build(node.children[0]);
      case NodeKind::kAnd:
      case NodeKind::kOr: {
        std::vector<Condition> children;
        children.reserve(node.children.size());
        for (const Node& child : node.children) {
          EDDY_ASSIGN_OR_RETURN(Condition c, Build(child));
          children.push_back(std::move(c));
        }
        return node.kind == NodeKind::kAnd ? cond::And(std::move(children))
                                           : cond::Or(std::move(children));
      }
      case NodeKind::kNot: {
        EDDY_ASSIGN_OR_RETURN(Condition child, Build(node.children[0]));
        return cond::Not(std::move(child));
      }
      case NodeKind::kCompare:
        return BuildCompare(node);
      case NodeKind::kBetween:
        return BuildBetween(node);
      case NodeKind::kIn:
        return BuildIn(node);
      case NodeKind::kCall:
        return BuildFunction(node);
      default:
        break;
    }
    return a_.Invalid("unexpected condition");  // unreachable, as above
  }

 private:
  Status CheckOrderable(std::string_view op, const Operand& operand) const {
    const std::optional<AttributeType> t = StaticType(operand);
    if (t && !IsScalarKeyType(*t)) return a_.TypeError(op, *t);
    return Status::Ok();
  }

  Result<Operand> BuildSize(const Node& node) {
    EDDY_ASSIGN_OR_RETURN(Operand arg, BuildOperand(node.children[0]));
    const std::optional<AttributeType> t = StaticType(arg);
    if (t &&
        (*t == AttributeType::kN || *t == AttributeType::kBool || *t == AttributeType::kNull)) {
      return a_.TypeError("size", *t);
    }
    if (arg.IsLiteral()) return Operand(FoldSize(arg.literal()));
    return cond::Size(arg.path());
  }

  Result<Condition> BuildCompare(const Node& node) {
    EDDY_ASSIGN_OR_RETURN(Operand left, BuildOperand(node.children[0]));
    EDDY_ASSIGN_OR_RETURN(Operand right, BuildOperand(node.children[1]));
    EDDY_RETURN_IF_ERROR(a_.CheckDistinct(node.text, left, {&right}));
    const CompareOp op = ToCompareOp(node.op);
    if (op != CompareOp::kEq && op != CompareOp::kNe) {
      EDDY_RETURN_IF_ERROR(CheckOrderable(node.text, left));
      EDDY_RETURN_IF_ERROR(CheckOrderable(node.text, right));
    }
    return cond::Compare(op, std::move(left), std::move(right));
  }

  Result<Condition> BuildBetween(const Node& node) {
    EDDY_ASSIGN_OR_RETURN(Operand value, BuildOperand(node.children[0]));
    EDDY_ASSIGN_OR_RETURN(Operand lower, BuildOperand(node.children[1]));
    EDDY_ASSIGN_OR_RETURN(Operand upper, BuildOperand(node.children[2]));
    EDDY_RETURN_IF_ERROR(a_.CheckDistinct("BETWEEN", value, {&lower, &upper}));
    for (const Operand* o : {&value, &lower, &upper}) {
      EDDY_RETURN_IF_ERROR(CheckOrderable("BETWEEN", *o));
    }
    if (lower.IsLiteral() && upper.IsLiteral()) {
      const AttributeValue& lo = lower.literal();
      const AttributeValue& hi = upper.literal();
      const std::string bounds =
          "; lower bound operand: " + BoundText(lo) + ", upper bound operand: " + BoundText(hi);
      if (lo.type() != hi.type()) {
        return a_.Invalid(
            "The BETWEEN operator requires same data type for lower and upper bounds" + bounds);
      }
      bool reversed = false;
      if (lo.Is(AttributeType::kN)) {
        reversed = lo.AsNumber() > hi.AsNumber();
      } else if (lo.Is(AttributeType::kS)) {
        reversed = lo.AsString() > hi.AsString();  // char_traits compares unsigned bytes
      } else if (lo.Is(AttributeType::kB)) {
        reversed = lo.AsBinary() > hi.AsBinary();
      }
      if (reversed) {
        return a_.Invalid(
            "The BETWEEN operator requires upper bound to be greater than or equal to lower "
            "bound" +
            bounds);
      }
    }
    return cond::Between(std::move(value), std::move(lower), std::move(upper));
  }

  Result<Condition> BuildIn(const Node& node) {
    EDDY_ASSIGN_OR_RETURN(Operand value, BuildOperand(node.children[0]));
    std::vector<Operand> candidates;
    candidates.reserve(node.children.size() - 1);
    for (std::size_t i = 1; i < node.children.size(); ++i) {
      EDDY_ASSIGN_OR_RETURN(Operand c, BuildOperand(node.children[i]));
      candidates.push_back(std::move(c));
    }
    if (candidates.size() > kMaxInOperands) {
      return a_.Invalid("The IN operator is provided with too many operands; number of operands: " +
                        std::to_string(candidates.size()));
    }
    std::vector<const Operand*> rest;
    for (const Operand& c : candidates)
      rest.push_back(&c);
    EDDY_RETURN_IF_ERROR(a_.CheckDistinct("IN", value, rest));
    return cond::In(std::move(value), std::move(candidates));
  }

  Result<Condition> BuildFunction(const Node& node) {
    std::vector<Operand> args;
    for (const Node& arg : node.children) {
      EDDY_ASSIGN_OR_RETURN(Operand o, BuildOperand(arg));
      args.push_back(std::move(o));
    }
    const std::string_view name = node.text;
    const bool needs_path =
        name == "attribute_exists" || name == "attribute_not_exists" || name == "attribute_type";
    if (needs_path && !args[0].IsPath()) {
      return a_.Invalid("Operator or function requires a document path; operator or function: " +
                        std::string(name));
    }
    std::vector<const Operand*> rest;
    for (std::size_t i = 1; i < args.size(); ++i)
      rest.push_back(&args[i]);
    EDDY_RETURN_IF_ERROR(a_.CheckDistinct(name, args[0], rest));

    if (name == "attribute_exists") return cond::AttributeExists(args[0].path());
    if (name == "attribute_not_exists") return cond::AttributeNotExists(args[0].path());
    if (name == "attribute_type") return BuildAttributeType(args[0].path(), args[1]);
    if (name == "begins_with") {
      for (const Operand& o : args) {
        const std::optional<AttributeType> t = StaticType(o);
        if (t && *t != AttributeType::kS && *t != AttributeType::kB) {
          return a_.TypeError(name, *t);
        }
      }
      return cond::BeginsWith(std::move(args[0]), std::move(args[1]));
    }
    return cond::Contains(std::move(args[0]), std::move(args[1]));
  }

  Result<Condition> BuildAttributeType(const DocumentPath& path, const Operand& type) {
    if (!type.IsLiteral()) {
      // DynamoDB names the set of types a :value could have had.
      std::string detail =
          "Incorrect operand type for operator or function; operator or function: "
          "attribute_type, operand type: ";
      detail += type.IsSize() ? "N"
                              : "{SS,M,DECIMAL,DOUBLESET,HDS,N,B,DICT,INTSET,BOOL,HD,BS,INT,"
                                "DECIMALSET,NULL,FLOAT,FS,S,L,NS,DOUBLE}";
      return a_.Invalid(detail);
    }
    const AttributeValue& literal = type.literal();
    if (!literal.Is(AttributeType::kS)) return a_.TypeError("attribute_type", literal.type());
    if (!TypeFromName(literal.AsString())) {
      return a_.Invalid("Invalid attribute type name found; type: " + literal.AsString() +
                        ", valid types: {N,BS,L,B,NULL,M,S,SS,NS,BOOL}");
    }
    return cond::AttributeTypeIs(path, literal);
  }

  Analyzer& a_;
};

}  // namespace

Result<Condition> CompileCondition(Analyzer& analyzer, const Node& root) {
  EDDY_RETURN_IF_ERROR(analyzer.CheckNames(root, /*want_condition=*/true, /*in_update=*/false));
  EDDY_RETURN_IF_ERROR(analyzer.CheckOperatorCount());
  return ConditionBuilder(analyzer).Build(root);
}

}  // namespace eddy::server::expression
