// The subcommands of `eddy`. Each registers its options on the CLI11 app and
// returns the function that runs it (exit code).
#pragma once

#include <functional>

namespace CLI {
class App;
}

namespace eddy::cli {

using Runner = std::function<int()>;

Runner RegisterDemo(CLI::App& app);
Runner RegisterWalDump(CLI::App& app);
Runner RegisterTail(CLI::App& app);
void PrintVersion();

}  // namespace eddy::cli
