#include "engine/expression/projection.h"
#include "support/values.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

// The file's own namespace: the unity build compiles the files of a test
// folder as one translation unit, where anonymous namespaces are shared.
namespace eddy::engine::projection_test {
namespace {

using namespace eddy::testing;  // NOLINT: value builders

Item Source() {
  return MakeItem({
      {"pk", S("k")},
      {"a", M({{"b", N(1)}, {"c", N(2)}, {"d", M({{"e", S("deep")}, {"f", S("other")}})}})},
      {"l", L({S("x"), S("y"), S("z")})},
      {"docs", L({M({{"b", N(1)}, {"c", N(1)}}), M({{"b", N(2)}, {"c", N(2)}})})},
      {"s", S("str")},
  });
}

TEST(Projection, TopLevelAttributesAreCopiedWhole) {
  EXPECT_EQ(Project(Source(), {Path("pk"), Path("a")}),
            MakeItem({{"pk", S("k")}, {"a", *Source().Find("a")}}));
}

TEST(Projection, NestedMemberKeepsOnlySelectedPart) {
  EXPECT_EQ(Project(Source(), {Path("a").Member("b")}), MakeItem({{"a", M({{"b", N(1)}})}}));
}

TEST(Projection, SiblingMembersMergeIntoOneMap) {
  EXPECT_EQ(Project(Source(), {Path("a").Member("d").Member("e"), Path("a").Member("c")}),
            MakeItem({{"a", M({{"c", N(2)}, {"d", M({{"e", S("deep")}})}})}}));
}

TEST(Projection, ListIndexesSelectElementsInListOrder) {
  EXPECT_EQ(Project(Source(), {Path("l").Index(2), Path("l").Index(0)}),
            MakeItem({{"l", L({S("x"), S("z")})}}));
}

TEST(Projection, PathsThroughListElementsKeepStructure) {
  EXPECT_EQ(Project(Source(), {Path("docs").Index(1).Member("b")}),
            MakeItem({{"docs", L({M({{"b", N(2)}})})}}));
}

TEST(Projection, MissingPathsContributeNothing) {
  EXPECT_EQ(Project(Source(), {Path("missing"), Path("a").Member("nope"), Path("l").Index(9),
                               Path("s").Member("x"), Path("a").Index(0)}),
            Item());
}

TEST(Projection, MixOfFoundAndMissingKeepsFoundParts) {
  EXPECT_EQ(Project(Source(), {Path("l").Index(1), Path("l").Index(7), Path("s")}),
            MakeItem({{"l", L({S("y")})}, {"s", S("str")}}));
}

TEST(Projection, OverlappingPathsYieldTheUnion) {
  EXPECT_EQ(Project(Source(), {Path("a").Member("b"), Path("a")}),
            MakeItem({{"a", *Source().Find("a")}}));
}

TEST(Projection, EmptyPathListYieldsEmptyItem) {
  EXPECT_EQ(Project(Source(), {}), Item());
}

}  // namespace
}  // namespace eddy::engine::projection_test
