#include "support/temp_dir.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <system_error>
#include <vector>

namespace eddy::testing {
namespace {

std::string BaseDir() {
  const char* env = std::getenv("EDDY_TEST_TMPDIR");
  std::string base = (env != nullptr && env[0] != '\0') ? env : "/tmp";
  std::error_code ec;
  std::filesystem::create_directories(base, ec);  // ctest does not create it
  return base;
}

std::string Sanitize(const std::string& tag) {
  std::string out;
  for (char c : tag) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_';
    out += ok ? c : '_';
  }
  return out.empty() ? std::string("eddy") : out;
}

}  // namespace

TempDir::TempDir(const std::string& tag) {
  std::string tmpl = BaseDir() + "/" + Sanitize(tag) + "-XXXXXX";
  std::vector<char> buf(tmpl.begin(), tmpl.end());
  buf.push_back('\0');
  if (::mkdtemp(buf.data()) == nullptr) {
    std::perror(("mkdtemp " + tmpl).c_str());
    std::abort();  // no scratch space: nothing in the test can work
  }
  path_ = buf.data();
}

TempDir::~TempDir() {
  if (keep_ || ::testing::Test::HasFailure()) {
    std::fprintf(stderr, "[ TempDir  ] kept %s\n", path_.c_str());
    return;
  }
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

}  // namespace eddy::testing
