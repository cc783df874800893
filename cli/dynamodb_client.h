// DynamoDbClient: a small synchronous client of the DynamoDB JSON protocol
// over one keep-alive HTTP/1.1 connection (Boost.Beast), for `eddy tail`.
// It signs nothing: Eddy accepts any credentials, and the Authorization
// header it sends only carries the region in its credential scope.
//
// Thread-safety: one thread at a time.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "eddy/result.h"
#include "server/json.h"

namespace eddy::cli {

// A failed call: DynamoDB's error type ("ResourceNotFoundException") and
// message, or a transport failure (type "ConnectionError").
struct CallError {
  std::string type;
  std::string message;
};

class DynamoDbClient {
 public:
  // `endpoint`: http://host:port (https is not supported).
  static Result<std::unique_ptr<DynamoDbClient>> Connect(std::string_view endpoint,
                                                         std::string region);
  ~DynamoDbClient();

  // Calls `target` ("DynamoDB_20120810.DescribeTable") with the JSON object
  // `request`; on success *response holds the parsed reply. Reconnects once
  // if the server closed the connection.
  bool Call(std::string_view target, const server::JsonValue& request,
            server::JsonDocument* response, CallError* error);

 private:
  struct Connection;
  DynamoDbClient(std::string host, std::string port, std::string region);
  bool Exchange(std::string_view target, const std::string& body, unsigned* status,
                std::string* reply, CallError* error);

  const std::string host_, port_, region_;
  std::unique_ptr<Connection> connection_;
};

}  // namespace eddy::cli
