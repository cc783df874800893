// DocumentPath: where an expression points inside an item (a, a.b[2].c).
//
// A path is a top-level attribute name followed by steps; each step is a map
// member name or a list index. It is what DynamoDB's expressions call a
// "document path" once #name placeholders are substituted: the server's
// expression compiler produces these, C++ callers build them directly:
//
//   DocumentPath p = Path("a").Member("b").Index(2).Member("c");   // a.b[2].c
//
// Names are raw bytes: "a.b" as ONE attribute name is Path("a.b"), which is
// different from Path("a").Member("b"). ParseDocumentPath() is a convenience
// for tests and tools that splits on '.' and '[n]'; it cannot express names
// containing those characters (use the builders).
//
// Relations between two paths (DynamoDB rejects both in one UpdateExpression
// and in one ProjectionExpression, before reading any item):
//   - overlap: one is a prefix of the other, or they are equal (a / a.b);
//   - conflict: they agree on a prefix and then one takes a member step where
//     the other takes an index step (a.b / a[0]): the parent cannot be both a
//     map and a list.
//
// Also here: Box<T>, the owning, deep-copying pointer the expression ASTs
// (condition.h, update.h) use for their recursive parts, so those ASTs stay
// plain values (copyable, comparable with ==).
//
// Thread-safety: plain values.
#pragma once

#include <algorithm>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "eddy/result.h"
#include "eddy/status.h"

namespace eddy {

// An always-engaged heap box with value semantics: copying copies the value,
// == compares the values. Lets a variant alternative contain its own variant.
template <typename T>
class Box {
 public:
  explicit Box(T value) : p_(std::make_unique<T>(std::move(value))) {}
  Box(const Box& other) : p_(std::make_unique<T>(*other.p_)) {}
  Box(Box&& other) noexcept = default;
  Box& operator=(const Box& other) {
    if (this != &other) p_ = std::make_unique<T>(*other.p_);
    return *this;
  }
  Box& operator=(Box&& other) noexcept = default;
  ~Box() = default;

  const T& operator*() const {
    assert(p_ != nullptr && "use of a moved-from Box");
    return *p_;
  }
  const T* operator->() const { return &**this; }

  friend bool operator==(const Box& a, const Box& b) { return *a == *b; }

 private:
  std::unique_ptr<T> p_;
};

class DocumentPath {
 public:
  // A map member name, or a list index.
  using Step = std::variant<std::string, std::uint32_t>;

  DocumentPath() = default;
  explicit DocumentPath(std::string attribute) : attribute_(std::move(attribute)) {}

  // Appends a step; chainable on temporaries and on lvalues.
  DocumentPath& Member(std::string name) & {
    steps_.emplace_back(std::in_place_index<0>, std::move(name));
    return *this;
  }
  DocumentPath&& Member(std::string name) && { return std::move(Member(std::move(name))); }
  DocumentPath& Index(std::uint32_t index) & {
    steps_.emplace_back(std::in_place_index<1>, index);
    return *this;
  }
  DocumentPath&& Index(std::uint32_t index) && { return std::move(Index(index)); }

  // The top-level attribute name.
  const std::string& attribute() const { return attribute_; }
  const std::vector<Step>& steps() const { return steps_; }
  bool IsTopLevel() const { return steps_.empty(); }
  // Number of elements including the attribute name (a.b[2] is 3).
  std::size_t depth() const { return 1 + steps_.size(); }

  static bool IsMember(const Step& s) { return s.index() == 0; }
  static const std::string& MemberName(const Step& s) { return *std::get_if<0>(&s); }
  static std::uint32_t ListIndex(const Step& s) { return *std::get_if<1>(&s); }

  // True when *this equals `other` or is a proper prefix of it.
  bool IsPrefixOf(const DocumentPath& other) const;

  // Expression syntax: a.b[2].c (names raw, not escaped or #aliased).
  std::string ToString() const;
  // DynamoDB's rendering in error messages: [a, b, [2], c].
  std::string ToErrorString() const;

  friend bool operator==(const DocumentPath&, const DocumentPath&) = default;

 private:
  std::string attribute_;
  std::vector<Step> steps_;
};

// Path("a") — the short builder used by cond:: and upd:: helpers and tests.
inline DocumentPath Path(std::string attribute) {
  return DocumentPath(std::move(attribute));
}

// Parses `name(.name|[digits])*`, names being non-empty runs without '.',
// '[' or ']'. Errors: InvalidArgument "Invalid document path: <text>".
Result<DocumentPath> ParseDocumentPath(std::string_view text);

enum class PathRelation {
  kDisjoint,
  kOverlap,   // equal, or one a prefix of the other
  kConflict,  // same prefix, then a member step against an index step
};
PathRelation RelatePaths(const DocumentPath& a, const DocumentPath& b);

// Checks every pair (quadratic: expressions hold at most a few hundred paths).
// `expression_name` is "UpdateExpression" or "ProjectionExpression". Errors:
// InvalidArgument, paths in the given order:
//   "Invalid <expr>: Two document paths overlap with each other; must remove
//    or rewrite one of these paths; path one: [a], path two: [a, b]"
//   "Invalid <expr>: Two document paths conflict with each other; must remove
//    or rewrite one of these paths; path one: [a, b], path two: [a, [0]]"
Status CheckPathsDisjoint(std::span<const DocumentPath> paths, std::string_view expression_name);

// ---------------------------------------------------------------------------
// Implementation. Inline because include/eddy/ headers have no library of
// their own beyond eddy_common, and these are small.

inline bool DocumentPath::IsPrefixOf(const DocumentPath& other) const {
  if (attribute_ != other.attribute_ || steps_.size() > other.steps_.size()) return false;
  for (std::size_t i = 0; i < steps_.size(); ++i) {
    if (steps_[i] != other.steps_[i]) return false;
  }
  return true;
}

inline std::string DocumentPath::ToString() const {
  std::string out = attribute_;
  for (const Step& s : steps_) {
    if (IsMember(s)) {
      out += '.';
      out += MemberName(s);
    } else {
      out += '[';
      out += std::to_string(ListIndex(s));
      out += ']';
    }
  }
  return out;
}

inline std::string DocumentPath::ToErrorString() const {
  std::string out = "[" + attribute_;
  for (const Step& s : steps_) {
    out += ", ";
    if (IsMember(s)) {
      out += MemberName(s);
    } else {
      out += '[';
      out += std::to_string(ListIndex(s));
      out += ']';
    }
  }
  out += ']';
  return out;
}

inline Result<DocumentPath> ParseDocumentPath(std::string_view text) {
  auto invalid = [&] {
    return Status::InvalidArgument("Invalid document path: " + std::string(text));
  };
  auto name_end = [&](std::size_t from) {
    std::size_t i = from;
    while (i < text.size() && text[i] != '.' && text[i] != '[' && text[i] != ']')
      ++i;
    return i;
  };
  std::size_t i = name_end(0);
  if (i == 0) return invalid();
  DocumentPath path(std::string(text.substr(0, i)));
  while (i < text.size()) {
    if (text[i] == '.') {
      const std::size_t end = name_end(i + 1);
      if (end == i + 1) return invalid();
      path.Member(std::string(text.substr(i + 1, end - i - 1)));
      i = end;
    } else if (text[i] == '[') {
      std::uint64_t index = 0;
      std::size_t j = i + 1;
      for (; j < text.size() && text[j] >= '0' && text[j] <= '9'; ++j) {
        index = index * 10 + static_cast<std::uint64_t>(text[j] - '0');
        if (index > std::numeric_limits<std::uint32_t>::max()) return invalid();
      }
      if (j == i + 1 || j >= text.size() || text[j] != ']') return invalid();
      path.Index(static_cast<std::uint32_t>(index));
      i = j + 1;
    } else {
      return invalid();
    }
  }
  return path;
}

inline PathRelation RelatePaths(const DocumentPath& a, const DocumentPath& b) {
  if (a.attribute() != b.attribute()) return PathRelation::kDisjoint;
  const std::size_t common = std::min(a.steps().size(), b.steps().size());
  for (std::size_t i = 0; i < common; ++i) {
    const DocumentPath::Step& sa = a.steps()[i];
    const DocumentPath::Step& sb = b.steps()[i];
    if (sa.index() != sb.index()) return PathRelation::kConflict;
    if (sa != sb) return PathRelation::kDisjoint;
  }
  return PathRelation::kOverlap;
}

inline Status CheckPathsDisjoint(std::span<const DocumentPath> paths,
                                 std::string_view expression_name) {
  for (std::size_t i = 0; i < paths.size(); ++i) {
    for (std::size_t j = i + 1; j < paths.size(); ++j) {
      const PathRelation rel = RelatePaths(paths[i], paths[j]);
      if (rel == PathRelation::kDisjoint) continue;
      std::string msg = "Invalid ";
      msg += expression_name;
      msg += rel == PathRelation::kOverlap ? ": Two document paths overlap with each other"
                                           : ": Two document paths conflict with each other";
      msg += "; must remove or rewrite one of these paths; path one: ";
      msg += paths[i].ToErrorString();
      msg += ", path two: ";
      msg += paths[j].ToErrorString();
      return Status::InvalidArgument(msg);
    }
  }
  return Status::Ok();
}

}  // namespace eddy
