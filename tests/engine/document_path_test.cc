#include "eddy/document_path.h"

#include <gtest/gtest.h>

#include <vector>

// The file's own namespace: the unity build compiles the files of a test
// folder as one translation unit, where anonymous namespaces are shared.
namespace eddy::document_path_test {
namespace {

DocumentPath Parsed(std::string_view text) {
  Result<DocumentPath> p = ParseDocumentPath(text);
  EXPECT_TRUE(p.ok()) << p.status().ToString();
  return p.ok() ? *p : DocumentPath();
}

TEST(DocumentPath, BuildersAppendStepsInOrder) {
  DocumentPath p = Path("a").Member("b").Index(2).Member("c");
  EXPECT_EQ(p.attribute(), "a");
  ASSERT_EQ(p.steps().size(), 3u);
  EXPECT_TRUE(DocumentPath::IsMember(p.steps()[0]));
  EXPECT_EQ(DocumentPath::MemberName(p.steps()[0]), "b");
  EXPECT_FALSE(DocumentPath::IsMember(p.steps()[1]));
  EXPECT_EQ(DocumentPath::ListIndex(p.steps()[1]), 2u);
  EXPECT_EQ(p.depth(), 4u);
  EXPECT_FALSE(p.IsTopLevel());
  EXPECT_TRUE(Path("a").IsTopLevel());
}

TEST(DocumentPath, LvalueBuildersChain) {
  DocumentPath p("a");
  p.Member("b").Index(0);
  EXPECT_EQ(p, Path("a").Member("b").Index(0));
}

TEST(DocumentPath, ToStringUsesExpressionSyntax) {
  EXPECT_EQ(Path("a").Member("b").Index(2).Member("c").ToString(), "a.b[2].c");
  EXPECT_EQ(Path("a").ToString(), "a");
  EXPECT_EQ(Path("l").Index(0).Index(1).ToString(), "l[0][1]");
}

TEST(DocumentPath, ToErrorStringUsesDynamoDbListRendering) {
  EXPECT_EQ(Path("a").ToErrorString(), "[a]");
  EXPECT_EQ(Path("a").Member("b").ToErrorString(), "[a, b]");
  EXPECT_EQ(Path("a").Index(3).Member("c").ToErrorString(), "[a, [3], c]");
}

TEST(DocumentPath, MemberAndIndexStepsAreDistinct) {
  EXPECT_NE(Path("a").Member("0"), Path("a").Index(0));
  EXPECT_NE(Path("a.b"), Path("a").Member("b"));
  EXPECT_EQ(Path("a").Member("b"), Path("a").Member("b"));
}

TEST(DocumentPath, ParseRoundTripsThroughToString) {
  for (const char* text : {"a", "a.b", "a[0]", "a.b[2].c", "l[10][3]", "x_y.z9"}) {
    EXPECT_EQ(Parsed(text).ToString(), text);
  }
  EXPECT_EQ(Parsed("a.b[2]"), Path("a").Member("b").Index(2));
}

TEST(DocumentPath, ParseRejectsMalformedText) {
  for (const char* text :
       {"", ".a", "a.", "a..b", "a[", "a[]", "a[x]", "a[1", "a]", "[0]", "a[4294967296]"}) {
    Result<DocumentPath> p = ParseDocumentPath(text);
    ASSERT_FALSE(p.ok()) << text;
    EXPECT_TRUE(p.status().IsInvalidArgument()) << text;
  }
}

TEST(DocumentPath, IsPrefixOfIncludesEquality) {
  EXPECT_TRUE(Path("a").IsPrefixOf(Path("a").Member("b")));
  EXPECT_TRUE(Path("a").Member("b").IsPrefixOf(Path("a").Member("b")));
  EXPECT_FALSE(Path("a").Member("b").IsPrefixOf(Path("a")));
  EXPECT_FALSE(Path("a").IsPrefixOf(Path("ab")));
}

TEST(DocumentPath, EqualPathsOverlap) {
  EXPECT_EQ(RelatePaths(Path("a"), Path("a")), PathRelation::kOverlap);
}

TEST(DocumentPath, PrefixPathsOverlapEitherWay) {
  EXPECT_EQ(RelatePaths(Path("a"), Path("a").Member("b")), PathRelation::kOverlap);
  EXPECT_EQ(RelatePaths(Path("a").Index(1).Member("c"), Path("a").Index(1)),
            PathRelation::kOverlap);
}

TEST(DocumentPath, SiblingsAndOtherAttributesAreDisjoint) {
  EXPECT_EQ(RelatePaths(Path("a").Member("b"), Path("a").Member("c")), PathRelation::kDisjoint);
  EXPECT_EQ(RelatePaths(Path("a").Index(0), Path("a").Index(1)), PathRelation::kDisjoint);
  EXPECT_EQ(RelatePaths(Path("a"), Path("b")), PathRelation::kDisjoint);
}

TEST(DocumentPath, MemberAgainstIndexConflicts) {
  EXPECT_EQ(RelatePaths(Path("a").Member("b"), Path("a").Index(0)), PathRelation::kConflict);
  EXPECT_EQ(RelatePaths(Path("a").Index(0).Member("x"), Path("a").Index(0).Index(1)),
            PathRelation::kConflict);
}

TEST(DocumentPath, CheckPathsDisjointAcceptsDisjointPaths) {
  std::vector<DocumentPath> paths = {Path("a").Member("b"), Path("a").Member("c"), Path("d")};
  EXPECT_TRUE(CheckPathsDisjoint(paths, "UpdateExpression").ok());
}

TEST(DocumentPath, CheckPathsDisjointReportsOverlapWithDynamoDbWording) {
  std::vector<DocumentPath> paths = {Path("x"), Path("a"), Path("a").Member("b")};
  Status s = CheckPathsDisjoint(paths, "UpdateExpression");
  ASSERT_TRUE(s.IsInvalidArgument());
  EXPECT_EQ(s.message(),
            "Invalid UpdateExpression: Two document paths overlap with each other; must remove or "
            "rewrite one of these paths; path one: [a], path two: [a, b]");
}

TEST(DocumentPath, CheckPathsDisjointReportsConflict) {
  std::vector<DocumentPath> paths = {Path("a").Member("b"), Path("a").Index(0)};
  Status s = CheckPathsDisjoint(paths, "ProjectionExpression");
  ASSERT_TRUE(s.IsInvalidArgument());
  EXPECT_EQ(s.message(),
            "Invalid ProjectionExpression: Two document paths conflict with each other; must "
            "remove or rewrite one of these paths; path one: [a, b], path two: [a, [0]]");
}

TEST(Box, CopiesAreDeepAndCompareByValue) {
  Box<DocumentPath> a(Path("a").Member("b"));
  Box<DocumentPath> b = a;
  EXPECT_EQ(a, b);
  EXPECT_NE(&*a, &*b);
  b = Box<DocumentPath>(Path("c"));
  EXPECT_NE(a, b);
  EXPECT_EQ(a->attribute(), "a");
}

}  // namespace
}  // namespace eddy::document_path_test
