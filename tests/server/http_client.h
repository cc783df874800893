// A small synchronous HTTP/1.1 client for the server tests (test-only):
// one keep-alive connection, one request at a time, raw access to status,
// headers and body.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#pragma GCC diagnostic pop

namespace eddy::testing {

struct HttpReply {
  unsigned status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  bool keep_alive = false;
  std::string error;  // non-empty when the exchange failed
};

class HttpClient {
 public:
  explicit HttpClient(std::uint16_t port) : stream_(ioc_) {
    namespace asio = boost::asio;
    asio::ip::tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), port);
    stream_.connect(endpoint);
  }
  ~HttpClient() {
    boost::beast::error_code ec;
    stream_.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_both, ec);
  }

  // POST / with X-Amz-Target `target` (omitted when empty).
  HttpReply Post(std::string_view target, std::string_view body,
                 const std::map<std::string, std::string>& extra = {}) {
    namespace http = boost::beast::http;
    http::request<http::string_body> req(http::verb::post, "/", 11);
    req.set(http::field::host, "127.0.0.1");
    req.set(http::field::content_type, "application/x-amz-json-1.0");
    if (!target.empty()) req.set("X-Amz-Target", std::string(target));
    for (const auto& [k, v] : extra)
      req.set(k, v);
    req.body() = std::string(body);
    req.prepare_payload();
    return Send(req);
  }

  HttpReply Get(std::string_view path) {
    namespace http = boost::beast::http;
    http::request<http::string_body> req(http::verb::get, std::string(path), 11);
    req.set(http::field::host, "127.0.0.1");
    return Send(req);
  }

  template <typename Request>
  HttpReply Send(Request& req) {
    namespace http = boost::beast::http;
    HttpReply out;
    boost::beast::error_code ec;
    http::write(stream_, req, ec);
    if (ec) {
      out.error = "write: " + ec.message();
      return out;
    }
    http::response_parser<http::string_body> parser;
    parser.body_limit(64u << 20);
    http::read(stream_, buffer_, parser, ec);
    if (ec) {
      out.error = "read: " + ec.message();
      return out;
    }
    auto res = parser.release();
    out.status = res.result_int();
    for (const auto& f : res) {
      std::string name(f.name_string());
      for (char& c : name)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      out.headers[name] = std::string(f.value());
    }
    out.body = res.body();
    out.keep_alive = res.keep_alive();
    return out;
  }

  boost::beast::tcp_stream& stream() { return stream_; }

 private:
  boost::asio::io_context ioc_;
  boost::beast::tcp_stream stream_;
  boost::beast::flat_buffer buffer_;
};

}  // namespace eddy::testing
