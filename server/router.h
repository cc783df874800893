// Router: one DynamoDB JSON-protocol request in, one response out, with no
// HTTP in sight (http_server.h does the transport; tests drive this
// directly with golden files).
//
// Steps: X-Amz-Target -> operation (DynamoDB_20120810.<Op>; the
// DynamoDBStreams_20120810 prefix is routed on the same port), body -> JSON
// object (SerializationException otherwise), SigV4 credential scope ->
// region, run the operation, render the response or the error (facts doc
// §1.3).
//
// Thread-safety: Handle may be called from many threads at once.
#pragma once

#include <string>
#include <string_view>

#include "eddy/db.h"
#include "server/operation.h"

namespace eddy::server {

struct RouterOptions {
  // Used when a request carries no SigV4 credential scope.
  std::string default_region = "us-east-1";
  std::string account = "000000000000";
  // Whether a write waits for the log's sync (sync modes batch and interval).
  // Requests that cannot wait long run on the connection's own thread;
  // the others go to a worker pool (see http_server.h).
  bool writes_wait_for_sync = true;
};

struct ApiResponse {
  unsigned http_status = 200;
  std::string body;  // JSON, always an object
};

class Router {
 public:
  // `db` is borrowed and must outlive the router.
  Router(Db* db, RouterOptions options);

  ApiResponse Handle(std::string_view target, std::string_view body,
                     std::string_view authorization);

  // True when handling `target` may block for long (a write waiting for the
  // log's sync), so the transport should not run it on an I/O thread.
  bool MayBlock(std::string_view target) const;

  // The error body a transport-level failure (oversize body, ...) sends.
  static ApiResponse RenderError(const ApiError& error);

 private:
  Db* db_;
  RouterOptions options_;
  TableSettings settings_;
};

}  // namespace eddy::server
