#include "engine/expression/projection.h"

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "eddy/attribute_value.h"

namespace eddy::engine {
namespace {

// The paths merged into a trie, so that several paths into one list or map
// build a single projected container.
struct ProjectionNode {
  bool whole = false;  // a path ends here: keep the entire value
  std::map<std::string, std::unique_ptr<ProjectionNode>, std::less<>> members;
  std::map<std::uint32_t, std::unique_ptr<ProjectionNode>> indexes;
};

ProjectionNode* ProjectionChild(ProjectionNode* n, const DocumentPath::Step& step) {
  std::unique_ptr<ProjectionNode>& slot = DocumentPath::IsMember(step)
                                              ? n->members[DocumentPath::MemberName(step)]
                                              : n->indexes[DocumentPath::ListIndex(step)];
  if (!slot) slot = std::make_unique<ProjectionNode>();
  return slot.get();
}

// nullopt when nothing under this node exists in `v`.
std::optional<AttributeValue> ProjectValue(const AttributeValue& v, const ProjectionNode& n) {
  if (n.whole) return v;
  if (v.Is(AttributeType::kM) && !n.members.empty()) {
    AttributeValue::Map out;
    for (const auto& [name, child] : n.members) {  // both sorted by name
      const AttributeValue* sub = v.Find(name);
      if (sub == nullptr) continue;
      if (std::optional<AttributeValue> p = ProjectValue(*sub, *child)) {
        out.emplace_back(name, std::move(*p));
      }
    }
    if (out.empty()) return std::nullopt;
    // A sub-document of a valid value: sorted, unique, no deeper than v.
    return AttributeValue::MFromCanonical(std::move(out));
  }
  if (v.Is(AttributeType::kL) && !n.indexes.empty()) {
    const AttributeValue::List& list = v.AsList();
    AttributeValue::List out;
    for (const auto& [index, child] : n.indexes) {  // ascending index
      if (index >= list.size()) break;
      if (std::optional<AttributeValue> p = ProjectValue(list[index], *child)) {
        out.push_back(std::move(*p));
      }
    }
    if (out.empty()) return std::nullopt;
    return AttributeValue::LFromCanonical(std::move(out));
  }
  return std::nullopt;
}

}  // namespace

Item Project(const Item& item, const std::vector<DocumentPath>& paths) {
  std::map<std::string, std::unique_ptr<ProjectionNode>, std::less<>> roots;
  for (const DocumentPath& path : paths) {
    std::unique_ptr<ProjectionNode>& root = roots[path.attribute()];
    if (!root) root = std::make_unique<ProjectionNode>();
    ProjectionNode* n = root.get();
    for (const DocumentPath::Step& step : path.steps())
      n = ProjectionChild(n, step);
    n->whole = true;
  }
  Item::Entries out;
  for (const auto& [name, node] : roots) {  // sorted by name, like Item
    const AttributeValue* v = item.Find(name);
    if (v == nullptr) continue;
    if (std::optional<AttributeValue> p = ProjectValue(*v, *node)) {
      out.emplace_back(name, std::move(*p));
    }
  }
  return Item::FromCanonical(std::move(out));
}

}  // namespace eddy::engine
