// `eddy serve`: the DynamoDB-compatible server over an Eddy directory.
#pragma once

#include "cli/commands.h"

namespace eddy::cli {

// Registers the `serve` subcommand on `app` and returns its runner.
Runner RegisterServe(CLI::App& app);

}  // namespace eddy::cli
