// ExpressionContext: the steps every expression shares — map validation,
// the empty and 4 KB checks, parsing — then the per-kind compiler
// (compilers.h), and the unused-placeholder report.
#include <algorithm>
#include <cstdint>
#include <utility>
#include <vector>

#include "server/expression/compilers.h"
#include "server/expression/expression_compiler.h"
#include "server/expression/parser.h"

namespace eddy::server {
namespace {

using expression::Analyzer;
using expression::Node;
using expression::Parser;

bool IsPlaceholderKey(std::string_view key, char sigil) {
  if (key.size() < 2 || key[0] != sigil) return false;
  for (std::size_t i = 1; i < key.size(); ++i) {
    const char c = key[i];
    const bool word =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    if (!word) return false;
  }
  return true;
}

// Shared by both maps; `map_name` is "ExpressionAttributeNames" or
// "ExpressionAttributeValues".
Status CheckKey(std::string_view map_name, std::string_view key, char sigil) {
  if (key.size() > kMaxPlaceholderKeyBytes) {
    std::string detail = "The expression attribute map contains a key that is too long;";
    // DynamoDB adds the size for names only.
    if (sigil == '#') detail += " size of key: " + std::to_string(key.size());
    return Status::InvalidArgument(std::string(map_name) + " contains invalid key: " + detail);
  }
  if (!IsPlaceholderKey(key, sigil)) {
    return Status::InvalidArgument(std::string(map_name) +
                                   " contains invalid key: Syntax error; key: \"" +
                                   std::string(key) + "\"");
  }
  return Status::Ok();
}

// The empty and size checks, in DynamoDB's order. Whitespace-only text
// counts as empty.
Status CheckText(std::string_view text, std::string_view which) {
  const bool blank = std::all_of(text.begin(), text.end(), [](char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
  });
  const std::string prefix = "Invalid " + std::string(which) + ": ";
  if (blank) return Status::InvalidArgument(prefix + "The expression can not be empty;");
  if (text.size() > kMaxExpressionBytes) {
    return Status::InvalidArgument(
        prefix + "Expression size has exceeded the maximum allowed size; expression size: " +
        std::to_string(text.size()));
  }
  return Status::Ok();
}

Status SyntaxError(const Parser& parser, std::string_view which) {
  return Status::InvalidArgument("Invalid " + std::string(which) + ": " + parser.ErrorDetail());
}

// DynamoDB lists several unused keys in java.util.HashSet order: by bucket
// (the String hash, spread, masked by the table size), ties in insertion
// order. Keys are ASCII (CheckKey), so String.hashCode over the bytes is
// exact.
std::vector<std::string> JavaHashSetOrder(std::vector<std::string> keys, std::size_t total) {
  std::size_t capacity = 1;
  const std::size_t want = std::max<std::size_t>(total * 4 / 3 + 1, 16);
  while (capacity < want)
    capacity *= 2;
  auto bucket = [&](const std::string& key) {
    std::uint32_t h = 0;
    for (unsigned char c : key)
      h = 31 * h + c;
    return (h ^ (h >> 16)) & (capacity - 1);
  };
  std::stable_sort(keys.begin(), keys.end(), [&](const std::string& a, const std::string& b) {
    return bucket(a) < bucket(b);
  });
  return keys;
}

template <typename Map>
Status CheckUsed(const Map* map, const expression::UsedSet& used, std::string_view map_name) {
  if (map == nullptr) return Status::Ok();
  std::vector<std::string> unused;
  for (const auto& [key, value] : *map) {
    if (used.find(key) == used.end()) unused.push_back(key);
  }
  if (unused.empty()) return Status::Ok();
  std::string message =
      "Value provided in " + std::string(map_name) + " unused in expressions: keys: {";
  bool first = true;
  for (const std::string& key : JavaHashSetOrder(std::move(unused), map->size())) {
    if (!first) message += ", ";
    first = false;
    message += key;
  }
  message += '}';
  return Status::InvalidArgument(message);
}

}  // namespace

ExpressionContext::ExpressionContext(const AttributeNames* names, const AttributeValues* values)
    : names_(names), values_(values) {}

Status ExpressionContext::CheckMaps() const {
  if (names_ != nullptr) {
    if (names_->empty()) {
      return Status::InvalidArgument("ExpressionAttributeNames must not be empty");
    }
    for (const auto& [key, name] : *names_) {
      EDDY_RETURN_IF_ERROR(CheckKey("ExpressionAttributeNames", key, '#'));
      if (name.empty()) {
        return Status::InvalidArgument(
            "ExpressionAttributeNames contains invalid value: Empty attribute name for key " + key);
      }
    }
  }
  if (values_ != nullptr) {
    if (values_->empty()) {
      return Status::InvalidArgument("ExpressionAttributeValues must not be empty");
    }
    for (const auto& [key, value] : *values_) {
      EDDY_RETURN_IF_ERROR(CheckKey("ExpressionAttributeValues", key, ':'));
    }
  }
  return Status::Ok();
}

Status ExpressionContext::CheckMapsOnce() {
  if (maps_checked_) return Status::Ok();
  EDDY_RETURN_IF_ERROR(CheckMaps());
  maps_checked_ = true;
  return Status::Ok();
}

Result<Condition> ExpressionContext::ParseCondition(std::string_view text, std::string_view which) {
  EDDY_RETURN_IF_ERROR(CheckMapsOnce());
  EDDY_RETURN_IF_ERROR(CheckText(text, which));
  Parser parser(text);
  Node root;
  if (!parser.ParseCondition(&root)) return SyntaxError(parser, which);
  Analyzer analyzer(which, names_, values_, &used_names_, &used_values_);
  return expression::CompileCondition(analyzer, root);
}

Result<Update> ExpressionContext::ParseUpdate(std::string_view text) {
  constexpr std::string_view kWhich = "UpdateExpression";
  EDDY_RETURN_IF_ERROR(CheckMapsOnce());
  EDDY_RETURN_IF_ERROR(CheckText(text, kWhich));
  Parser parser(text);
  expression::UpdateTree tree;
  if (!parser.ParseUpdate(&tree)) return SyntaxError(parser, kWhich);
  Analyzer analyzer(kWhich, names_, values_, &used_names_, &used_values_);
  return expression::CompileUpdate(analyzer, tree);
}

Result<std::vector<DocumentPath>> ExpressionContext::ParseProjection(std::string_view text) {
  constexpr std::string_view kWhich = "ProjectionExpression";
  EDDY_RETURN_IF_ERROR(CheckMapsOnce());
  EDDY_RETURN_IF_ERROR(CheckText(text, kWhich));
  Parser parser(text);
  std::vector<Node> paths;
  if (!parser.ParseProjection(&paths)) return SyntaxError(parser, kWhich);
  Analyzer analyzer(kWhich, names_, values_, &used_names_, &used_values_);
  return expression::CompileProjection(analyzer, paths);
}

Result<KeyCondition> ExpressionContext::ParseKeyCondition(std::string_view text,
                                                          const KeySchema& schema) {
  EDDY_ASSIGN_OR_RETURN(Condition condition, ParseCondition(text, "KeyConditionExpression"));
  return expression::CompileKeyCondition(condition, schema);
}

Status ExpressionContext::CheckAllUsed() const {
  EDDY_RETURN_IF_ERROR(CheckUsed(names_, used_names_, "ExpressionAttributeNames"));
  return CheckUsed(values_, used_values_, "ExpressionAttributeValues");
}

}  // namespace eddy::server
