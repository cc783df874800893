#include "cli/dynamodb_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace eddy::cli {

namespace beast = boost::beast;
namespace http = beast::http;
using tcp = boost::asio::ip::tcp;

struct DynamoDbClient::Connection {
  boost::asio::io_context io;
  beast::tcp_stream stream{io};
  beast::flat_buffer buffer;
};

DynamoDbClient::DynamoDbClient(std::string host, std::string port, std::string region)
    : host_(std::move(host)), port_(std::move(port)), region_(std::move(region)) {}

DynamoDbClient::~DynamoDbClient() {
  if (connection_) {
    beast::error_code ec;
    connection_->stream.socket().shutdown(tcp::socket::shutdown_both, ec);
  }
}

Result<std::unique_ptr<DynamoDbClient>> DynamoDbClient::Connect(std::string_view endpoint,
                                                                std::string region) {
  std::string_view rest = endpoint;
  if (rest.starts_with("http://")) rest.remove_prefix(7);
  if (rest.starts_with("https://")) {
    return Status::InvalidArgument("https endpoints are not supported: " + std::string(endpoint));
  }
  while (rest.ends_with("/"))
    rest.remove_suffix(1);
  const std::size_t colon = rest.rfind(':');
  std::string host(colon == std::string_view::npos ? rest : rest.substr(0, colon));
  std::string port(colon == std::string_view::npos ? "80" : rest.substr(colon + 1));
  if (host.empty() || port.empty()) {
    return Status::InvalidArgument("endpoint must look like http://host:port, not " +
                                   std::string(endpoint));
  }
  return std::unique_ptr<DynamoDbClient>(
      new DynamoDbClient(std::move(host), std::move(port), std::move(region)));
}

bool DynamoDbClient::Exchange(std::string_view target, const std::string& body, unsigned* status,
                              std::string* reply, CallError* error) {
  try {
    if (!connection_) {
      auto c = std::make_unique<Connection>();
      tcp::resolver resolver(c->io);
      c->stream.connect(resolver.resolve(host_, port_));
      connection_ = std::move(c);
    }
    http::request<http::string_body> req{http::verb::post, "/", 11};
    req.set(http::field::host, host_ + ":" + port_);
    req.set(http::field::content_type, "application/x-amz-json-1.0");
    req.set("X-Amz-Target", std::string(target));
    req.set(http::field::authorization,
            "AWS4-HMAC-SHA256 Credential=eddy/20260101/" + region_ +
                "/dynamodb/aws4_request, SignedHeaders=host, Signature=0");
    req.keep_alive(true);
    req.body() = body;
    req.prepare_payload();
    http::write(connection_->stream, req);
    http::response<http::string_body> res;
    http::read(connection_->stream, connection_->buffer, res);
    *status = res.result_int();
    *reply = std::move(res.body());
    if (!res.keep_alive()) connection_.reset();
    return true;
  } catch (const std::exception& e) {
    connection_.reset();
    *error = {"ConnectionError", std::string(e.what()) + " (" + host_ + ":" + port_ + ")"};
    return false;
  }
}

bool DynamoDbClient::Call(std::string_view target, const server::JsonValue& request,
                          server::JsonDocument* response, CallError* error) {
  const std::string body = server::JsonToString(request);
  unsigned status = 0;
  std::string reply;
  // A kept-alive connection the server has since closed fails once; retry
  // on a fresh one.
  if (!Exchange(target, body, &status, &reply, error) &&
      !Exchange(target, body, &status, &reply, error)) {
    return false;
  }
  response->Parse(reply.c_str(), reply.size());
  if (response->HasParseError() || !response->IsObject()) {
    *error = {"SerializationException", "the server's reply is not a JSON object"};
    return false;
  }
  if (status != 200) {
    std::string type = "HTTP " + std::to_string(status);
    std::string message;
    if (auto it = response->FindMember("__type");
        it != response->MemberEnd() && it->value.IsString()) {
      type = it->value.GetString();
      if (std::size_t hash = type.rfind('#'); hash != std::string::npos) type.erase(0, hash + 1);
    }
    for (const char* name : {"message", "Message"}) {
      if (auto it = response->FindMember(name);
          it != response->MemberEnd() && it->value.IsString()) {
        message = it->value.GetString();
      }
    }
    *error = {type, message};
    return false;
  }
  return true;
}

}  // namespace eddy::cli
