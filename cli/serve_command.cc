// `eddy serve`: opens the directory, serves the DynamoDB JSON protocol on
// --address:--port until SIGINT or SIGTERM, then stops accepting, lets
// requests in flight finish, and closes the Db so every acknowledged write
// is on disk before exit.
//
// Signals are taken with sigwait on the main thread (blocked in every other
// thread, which inherit the mask), so no work happens in a signal handler.
#include "cli/serve_command.h"

#include <signal.h>
#include <CLI/CLI.hpp>

#include <cstdio>
#include <memory>
#include <string>

#include "eddy/db.h"
#include "eddy/sync_mode.h"
#include "server/http_server.h"
#include "server/router.h"

namespace eddy::cli {
namespace {

struct ServeOptions {
  std::string address = "127.0.0.1";
  std::uint16_t port = 8000;
  std::string dir = "./eddy-data";
  std::string sync = "batch";
  std::string region = "us-east-1";
  std::string account = "000000000000";
  std::uint32_t shards = 1;
  std::uint64_t retention_s = 24 * 3600;
  std::uint64_t iterator_lifetime_s = 15 * 60;
  std::uint64_t rollover_s = 4 * 3600;
};

int RunServe(const ServeOptions& o) {
  std::optional<SyncMode> mode = ParseSyncMode(o.sync);
  if (!mode) {
    std::fprintf(stderr, "eddy serve: unknown sync mode '%s' (none, batch, interval)\n",
                 o.sync.c_str());
    return 2;
  }
  // Block the stop signals before any thread starts, so only sigwait sees them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  Options options;
  options.dir = o.dir;
  options.sync_mode = *mode;
  options.region = o.region;
  options.account = o.account;
  options.stream_initial_shards = o.shards;
  options.stream_retention_s = o.retention_s;
  options.shard_iterator_lifetime_s = o.iterator_lifetime_s;
  options.shard_rollover_s = o.rollover_s;
  auto db = Db::Open(options);
  if (!db.ok()) {
    std::fprintf(stderr, "eddy serve: %s\n", db.status().ToString().c_str());
    return 1;
  }
  server::Router router(db->get(),
                        server::RouterOptions{o.region, o.account, *mode != SyncMode::kNone});
  server::HttpServerOptions http;
  http.address = o.address;
  http.port = o.port;
  auto srv = server::HttpServer::Start(&router, http);
  if (!srv.ok()) {
    std::fprintf(stderr, "eddy serve: %s\n", srv.status().ToString().c_str());
    (*db)->Close().IgnoreError();
    return 1;
  }
  std::printf("eddy serve: listening on http://%s:%u, data in %s, sync %s\n", o.address.c_str(),
              static_cast<unsigned>((*srv)->port()), o.dir.c_str(), o.sync.c_str());
  std::fflush(stdout);

  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  std::printf("eddy serve: %s, draining connections\n",
              signal_number == SIGINT ? "SIGINT" : "SIGTERM");
  std::fflush(stdout);
  (*srv)->Stop();
  Status closed = (*db)->Close();
  if (!closed.ok()) {
    std::fprintf(stderr, "eddy serve: closing the database: %s\n", closed.ToString().c_str());
    return 1;
  }
  std::printf("eddy serve: stopped\n");
  return 0;
}

}  // namespace

Runner RegisterServe(CLI::App& app) {
  auto o = std::make_shared<ServeOptions>();
  CLI::App* sub = app.add_subcommand("serve", "Serve the DynamoDB JSON protocol over a directory");
  sub->add_option("--address", o->address, "Address to listen on")->capture_default_str();
  sub->add_option("--port", o->port, "TCP port (0: any free port)")->capture_default_str();
  sub->add_option("--dir", o->dir, "Data directory (created if missing)")->capture_default_str();
  sub->add_option("--sync", o->sync, "Sync mode: none, batch or interval")->capture_default_str();
  sub->add_option("--region", o->region,
                  "Region for ARNs when a request carries no SigV4 credential scope")
      ->capture_default_str();
  sub->add_option("--account", o->account, "Account id in ARNs")
      ->check([](const std::string& a) {
        return a.size() == 12 && a.find_first_not_of("0123456789") == std::string::npos
                   ? std::string()
                   : std::string("an account id is 12 digits");
      })
      ->capture_default_str();
  sub->add_option("--shards", o->shards, "Open shards a new stream starts with")
      ->check(CLI::Range(1u, kMaxInitialShards))
      ->capture_default_str();
  sub->add_option("--stream-retention", o->retention_s,
                  "Seconds a stream record is kept (60 s to 35 days)")
      ->check(CLI::Range(std::uint64_t{60}, std::uint64_t{35} * 24 * 3600))
      ->capture_default_str();
  sub->add_option("--iterator-lifetime", o->iterator_lifetime_s,
                  "Seconds a shard iterator stays valid")
      ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{7} * 24 * 3600))
      ->capture_default_str();
  sub->add_option("--shard-rollover", o->rollover_s,
                  "Seconds after which an open shard closes and a child takes over")
      ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{30} * 24 * 3600))
      ->capture_default_str();
  return [o] { return RunServe(*o); };
}

}  // namespace eddy::cli
