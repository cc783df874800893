// Golden request/response pairs, run through the Router (no HTTP), one
// scenario per file in tests/server/testdata/*.txt. Format:
//
//   # a comment
//   > Operation
//   {request JSON on one line}
//   < HTTP-status
//   {expected response JSON on one line}
//
// Each file starts from an empty directory and runs top to bottom. Values
// that change from run to run (CreationDateTime, TableId) are replaced by
// 0 / "<id>" before comparing. Set EDDY_GOLDEN_PRINT=1 to print the actual
// responses (to refresh a file after a deliberate change).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "eddy/db.h"
#include "server/json.h"
#include "server/router.h"
#include "support/temp_dir.h"

// The file's own namespace: the unity build compiles the files of a test
// folder as one translation unit, where anonymous namespaces are shared.
namespace eddy::testing::golden_test {
namespace {

std::filesystem::path TestDataDir() {
  return std::filesystem::path(__FILE__).parent_path() / "testdata";
}

void MaskVolatile(server::JsonValue& v, server::JsonAllocator& alloc) {
  if (v.IsObject()) {
    for (auto& m : v.GetObject()) {
      std::string_view name = server::JsonStringView(m.name);
      if (name == "CreationDateTime") {
        m.value.SetInt(0);
      } else if (name == "TableId") {
        m.value.SetString("<id>", alloc);
      } else {
        MaskVolatile(m.value, alloc);
      }
    }
  } else if (v.IsArray()) {
    for (auto& e : v.GetArray())
      MaskVolatile(e, alloc);
  }
}

std::string Normalize(const std::string& body) {
  server::JsonDocument doc;
  doc.Parse(body.c_str());
  if (doc.HasParseError()) return "<unparsable: " + body + ">";
  MaskVolatile(doc, doc.GetAllocator());
  return server::JsonToString(doc);
}

void RunScenario(const std::filesystem::path& file) {
  SCOPED_TRACE(file.filename().string());
  TempDir dir("golden");
  Options options;
  options.dir = dir.Sub("db");
  options.sync_mode = SyncMode::kNone;
  auto db = Db::Open(options);
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  server::Router router(db->get(), server::RouterOptions{});
  const bool print = std::getenv("EDDY_GOLDEN_PRINT") != nullptr;

  std::ifstream in(file);
  std::string line, op, request;
  int line_no = 0, steps = 0;
  std::string actual_body;
  unsigned actual_status = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (line.empty() || line[0] == '#') continue;
    if (line.starts_with("> ")) {
      op = line.substr(2);
      ASSERT_TRUE(std::getline(in, request)) << "line " << line_no;
      ++line_no;
      server::ApiResponse r = router.Handle("DynamoDB_20120810." + op, request, "");
      actual_status = r.http_status;
      actual_body = Normalize(r.body);
      if (print)
        std::printf("> %s\n%s\n< %u\n%s\n\n", op.c_str(), request.c_str(), actual_status,
                    actual_body.c_str());
      ++steps;
    } else if (line.starts_with("< ")) {
      std::string expected;
      ASSERT_TRUE(std::getline(in, expected)) << "line " << line_no;
      ++line_no;
      EXPECT_EQ(std::to_string(actual_status), line.substr(2))
          << op << " at line " << line_no << ": " << actual_body;
      EXPECT_EQ(actual_body, Normalize(expected)) << op << " at line " << line_no;
    } else {
      ADD_FAILURE() << "unexpected line " << line_no << ": " << line;
    }
  }
  EXPECT_GT(steps, 0);
  (*db)->Close().IgnoreError();
}

TEST(Golden, AllScenarios) {
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(TestDataDir())) {
    if (e.path().extension() == ".txt") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  ASSERT_FALSE(files.empty()) << TestDataDir();
  for (const auto& f : files)
    RunScenario(f);
}

}  // namespace
}  // namespace eddy::testing::golden_test
