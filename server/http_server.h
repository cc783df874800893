// HttpServer: HTTP/1.1 transport for the Router (Boost.Beast over Asio).
//
// Design:
//   - A few I/O threads run one io_context; every connection is a Session on
//     its own strand, so its reads and writes never race.
//   - Writes that wait for the log's fsync (sync modes batch and interval)
//     run on a separate worker pool and post the response back to the
//     session's strand: blocking the I/O threads would cap concurrent writes
//     at their number and starve group commit of company. Everything else
//     (reads, writes in sync mode none) runs on the I/O thread, which spares
//     two thread hand-offs per request (Router::MayBlock decides).
//   - HTTP/1.1 keep-alive; one request at a time per connection (no
//     pipelining: the next read starts once the response is written).
//   - Limits: request body `body_limit_bytes` (413 + error body, then the
//     connection closes); a connection idle for `idle_timeout` or a request
//     not fully read within `request_timeout`, or a response not written
//     within `request_timeout`, is closed.
//   - Every response carries Content-Type application/x-amz-json-1.0,
//     x-amzn-RequestId and x-amz-crc32 (CRC32 of the exact body bytes).
//
// Lifetime: Start() binds and serves; Stop() (also run by the destructor)
// stops accepting, lets requests in flight finish and their responses go out,
// closes every connection, and joins all threads. The router must outlive the
// server; after Stop() returns no handler is running, so the caller may close
// the Db.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "eddy/result.h"
#include "server/router.h"

namespace eddy::server {

struct HttpServerOptions {
  std::string address = "127.0.0.1";
  std::uint16_t port = 8000;  // 0: an ephemeral port (see HttpServer::port())
  unsigned io_threads = 2;
  unsigned worker_threads = 16;
  // DynamoDB's largest request (BatchWriteItem) is 16 MB.
  std::size_t body_limit_bytes = 16u << 20;
  std::chrono::milliseconds idle_timeout{60'000};
  std::chrono::milliseconds request_timeout{30'000};
  // How long Stop() waits for connections to finish before cutting them.
  std::chrono::milliseconds drain_timeout{5'000};
};

class HttpServer {
 public:
  // Errors: IOError when the address cannot be resolved or bound.
  static Result<std::unique_ptr<HttpServer>> Start(Router* router, HttpServerOptions options);

  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;
  ~HttpServer();

  // The bound port (the real one when options.port was 0).
  std::uint16_t port() const;
  // Idempotent; safe to call from any thread except an I/O or worker thread.
  void Stop();

  struct Impl;

 private:
  explicit HttpServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace eddy::server
