#include <mimalloc.h>

#include <cstdio>

#include "cli/commands.h"
#include "eddy/build_info.h"

namespace eddy::cli {

void PrintVersion() {
  int mi = mi_version();
  std::printf("eddy %s\n", build_info::kVersion);
  std::printf("compiler: %s\n", build_info::kCompiler);
  std::printf("build type: %s%s%s\n", build_info::kBuildType,
              build_info::kSanitizers[0] ? ", sanitizers " : "", build_info::kSanitizers);
  std::printf("allocator: mimalloc %d.%d.%d\n", mi / 100, (mi / 10) % 10, mi % 10);
}

}  // namespace eddy::cli
