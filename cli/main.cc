// eddy: the command-line face of the engine.
#include <CLI/CLI.hpp>

#include "cli/commands.h"
#include "cli/serve_command.h"

int main(int argc, char** argv) {
  CLI::App app{"Eddy: a storage engine whose heart is a change stream"};
  app.require_subcommand(0, 1);
  bool version = false;
  app.add_flag("--version", version, "Print version, compiler, build type and allocator");

  std::vector<std::pair<CLI::App*, eddy::cli::Runner>> commands;
  auto add = [&](eddy::cli::Runner (*reg)(CLI::App&)) {
    std::size_t before = app.get_subcommands({}).size();
    eddy::cli::Runner run = reg(app);
    commands.emplace_back(app.get_subcommands({})[before], std::move(run));
  };
  add(eddy::cli::RegisterServe);
  add(eddy::cli::RegisterTail);
  add(eddy::cli::RegisterDemo);
  add(eddy::cli::RegisterWalDump);

  CLI11_PARSE(app, argc, argv);
  if (version) {
    eddy::cli::PrintVersion();
    return 0;
  }
  for (auto& [sub, run] : commands) {
    if (sub->parsed()) return run();
  }
  std::cout << app.help();
  return 0;
}
