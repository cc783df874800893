// TempDir: a scoped scratch directory for one test.
//
// Created under $EDDY_TEST_TMPDIR (set by ctest to a folder in the build
// tree), falling back to /tmp. The directory and everything in it are removed
// when the TempDir goes away, unless the current test has failed: then it is
// kept and its path printed, so the log files can be inspected.
//
// Not thread-safe; owned by one test.
#pragma once

#include <string>

namespace eddy::testing {

class TempDir {
 public:
  // `tag` becomes part of the directory name (letters, digits, '-', '_').
  explicit TempDir(const std::string& tag = "eddy");
  ~TempDir();

  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  // path() + "/" + name.
  std::string Sub(const std::string& name) const { return path_ + "/" + name; }

  // Keep the directory even if the test passes.
  void Keep() { keep_ = true; }

 private:
  std::string path_;
  bool keep_ = false;
};

}  // namespace eddy::testing
