#include "server/http_server.h"

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <thread>
#include <utility>
#include <vector>

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/crc.hpp>
#pragma GCC diagnostic pop

#include "common/thread_name.h"

namespace eddy::server {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr std::string_view kJsonContentType = "application/x-amz-json-1.0";

// 52 characters of [A-Z0-9], the shape of DynamoDB's request ids.
std::string NewRequestId() {
  static constexpr char kChars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  thread_local std::mt19937_64 rng{std::random_device{}()};
  std::string id(52, 'A');
  for (char& c : id)
    c = kChars[rng() % (sizeof(kChars) - 1)];
  return id;
}

std::string Crc32Of(std::string_view body) {
  boost::crc_32_type crc;
  crc.process_bytes(body.data(), body.size());
  return std::to_string(crc.checksum());
}

}  // namespace

namespace http_internal {
class Session;
}
using http_internal::Session;

struct HttpServer::Impl {
  Impl(Router* r, HttpServerOptions o)
      : router(r), options(std::move(o)), workers(options.worker_threads), acceptor(ioc) {}

  void Accept();
  void Register(Session* s) {
    std::lock_guard lock(mu);
    sessions.insert(s);
  }
  void Unregister(Session* s) {
    std::lock_guard lock(mu);
    sessions.erase(s);
    if (sessions.empty()) drained.notify_all();
  }

  Router* router;
  HttpServerOptions options;
  std::atomic<bool> stopping{false};
  std::uint16_t port = 0;

  // Declared before ioc: pending handlers own sessions, and io_context's
  // destructor destroys them, which unregisters them here.
  std::mutex mu;
  std::condition_variable drained;
  std::set<Session*> sessions;  // GUARDED_BY(mu)

  asio::thread_pool workers;
  asio::io_context ioc;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
  tcp::acceptor acceptor;
  std::vector<std::thread> io_threads;
  bool stopped = false;
};

namespace http_internal {

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, HttpServer::Impl* server)
      : stream_(std::move(socket)), server_(server) {
    server_->Register(this);
  }
  ~Session() { server_->Unregister(this); }

  void Start() {
    asio::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->ReadHeader(); });
  }

  // On the strand: Stop() asks every connection to end; an idle one closes
  // now, a busy one after its response.
  void CloseIfIdle() {
    if (!busy_) Close();
  }
  auto get_executor() { return stream_.get_executor(); }

 private:
  void ReadHeader() {
    if (server_->stopping.load()) return Close();
    parser_.emplace();
    parser_->body_limit(server_->options.body_limit_bytes);
    stream_.expires_after(server_->options.idle_timeout);
    http::async_read_header(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, std::size_t) { self->OnHeader(ec); });
  }

  void OnHeader(beast::error_code ec) {
    if (ec) return OnReadError(ec);
    busy_ = true;
    stream_.expires_after(server_->options.request_timeout);
    http::async_read(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, std::size_t) { self->OnRequest(ec); });
  }

  void OnReadError(beast::error_code ec) {
    if (ec == http::error::body_limit) {
      // The rest of the body is still on the wire, so answer and close.
      ApiError e =
          ApiError::Validation("Request size exceeds the limit of " +
                               std::to_string(server_->options.body_limit_bytes) + " bytes");
      ApiResponse r = Router::RenderError(e);
      return Respond(413, std::move(r.body), /*keep_alive=*/false, 11);
    }
    if (ec.category() == beast::http::make_error_code(http::error::bad_method).category() &&
        ec != http::error::end_of_stream && ec != http::error::partial_message) {
      ApiResponse r = Router::RenderError(ApiError::Serialization("Malformed HTTP request"));
      return Respond(400, std::move(r.body), false, 11);
    }
    // end_of_stream, timeouts, resets: nothing to answer.
    Close();
  }

  void OnRequest(beast::error_code ec) {
    if (ec) return OnReadError(ec);
    http::request<http::string_body> req = parser_->release();
    const bool keep_alive = req.keep_alive();
    const unsigned version = req.version();
    if (req.method() == http::verb::get && req.target() == "/") {
      // A health check, like DynamoDB's "healthy: dynamodb.<region>...".
      return Respond(200, "healthy: eddy", keep_alive, version, "text/plain");
    }
    if (req.method() != http::verb::post) {
      ApiResponse r = Router::RenderError(ApiError::UnknownOperation("Only POST is supported"));
      return Respond(400, std::move(r.body), keep_alive, version);
    }
    if (req.count(http::field::content_encoding) != 0 &&
        req[http::field::content_encoding] != "identity") {
      ApiResponse r = Router::RenderError(
          ApiError::Serialization("Eddy does not accept compressed request bodies"));
      return Respond(400, std::move(r.body), keep_alive, version);
    }
    const auto target = req["X-Amz-Target"];
    if (!server_->router->MayBlock(std::string_view(target.data(), target.size()))) {
      // Reads, and writes that do not wait for a sync: on this thread. A
      // hand-off to a worker and back would cost two thread wake-ups, far
      // more than the request itself.
      const auto authorization = req[http::field::authorization];
      ApiResponse r =
          server_->router->Handle(std::string_view(target.data(), target.size()), req.body(),
                                  std::string_view(authorization.data(), authorization.size()));
      return Respond(r.http_status, std::move(r.body), keep_alive, version);
    }
    // The handler may block on the log's sync: run it on a worker, answer on
    // the strand.
    asio::post(server_->workers,
               [self = shared_from_this(), req = std::move(req), keep_alive, version]() mutable {
                 const auto target = req["X-Amz-Target"];
                 const auto authorization = req[http::field::authorization];
                 ApiResponse r = self->server_->router->Handle(
                     std::string_view(target.data(), target.size()), req.body(),
                     std::string_view(authorization.data(), authorization.size()));
                 asio::post(self->stream_.get_executor(),
                            [self, r = std::move(r), keep_alive, version]() mutable {
                              self->Respond(r.http_status, std::move(r.body), keep_alive, version);
                            });
               });
  }

  void Respond(unsigned status, std::string body, bool keep_alive, unsigned version,
               std::string_view content_type = kJsonContentType) {
    busy_ = true;
    auto res = std::make_shared<http::response<http::string_body>>(
        static_cast<http::status>(status), version);
    res->set(http::field::content_type,
             beast::string_view(content_type.data(), content_type.size()));
    res->set("x-amzn-RequestId", NewRequestId());
    res->set("x-amz-crc32", Crc32Of(body));
    res->body() = std::move(body);
    res->keep_alive(keep_alive && !server_->stopping.load());
    res->prepare_payload();
    stream_.expires_after(server_->options.request_timeout);
    http::async_write(stream_, *res,
                      [self = shared_from_this(), res](beast::error_code ec, std::size_t) {
                        self->OnWritten(ec, res->keep_alive());
                      });
  }

  void OnWritten(beast::error_code ec, bool keep_alive) {
    busy_ = false;
    if (ec || !keep_alive) return Close();
    ReadHeader();
  }

  void Close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_.socket().close(ignored);
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  HttpServer::Impl* server_;
  bool busy_ = false;  // a request is being read, handled or answered
};

}  // namespace http_internal

void HttpServer::Impl::Accept() {
  acceptor.async_accept(asio::make_strand(ioc), [this](beast::error_code ec, tcp::socket socket) {
    if (ec) {
      if (ec == asio::error::operation_aborted || stopping.load()) return;
    } else {
      std::make_shared<Session>(std::move(socket), this)->Start();
    }
    Accept();
  });
}

Result<std::unique_ptr<HttpServer>> HttpServer::Start(Router* router, HttpServerOptions options) {
  auto impl = std::make_unique<Impl>(router, std::move(options));
  beast::error_code ec;
  const asio::ip::address address = asio::ip::make_address(impl->options.address, ec);
  if (ec) return Status::IOError("bad address " + impl->options.address + ": " + ec.message());
  const tcp::endpoint endpoint(address, impl->options.port);
  auto fail = [&](std::string_view what) {
    return Status::IOError(std::string(what) + " " + impl->options.address + ":" +
                           std::to_string(impl->options.port) + ": " + ec.message());
  };
  impl->acceptor.open(endpoint.protocol(), ec);
  if (ec) return fail("open");
  impl->acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  impl->acceptor.bind(endpoint, ec);
  if (ec) return fail("bind");
  impl->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return fail("listen");
  impl->port = impl->acceptor.local_endpoint().port();
  impl->work.emplace(impl->ioc.get_executor());
  impl->Accept();
  for (unsigned i = 0; i < std::max(1u, impl->options.io_threads); ++i) {
    impl->io_threads.emplace_back([io = &impl->ioc] {
      NameThisThread("eddy-http");
      io->run();
    });
  }
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
}

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

HttpServer::~HttpServer() {
  Stop();
}

std::uint16_t HttpServer::port() const {
  return impl_->port;
}

void HttpServer::Stop() {
  Impl& s = *impl_;
  if (s.stopped) return;
  s.stopped = true;
  s.stopping.store(true);
  asio::post(s.acceptor.get_executor(), [&s] {
    beast::error_code ignored;
    s.acceptor.close(ignored);
  });
  // Take owning references under the lock but drop them outside it: the
  // last reference to a session runs its destructor, which takes `mu`.
  std::vector<std::shared_ptr<Session>> live;
  {
    std::lock_guard lock(s.mu);
    for (Session* session : s.sessions) {
      if (auto sp = session->weak_from_this().lock()) live.push_back(std::move(sp));
    }
  }
  for (const auto& sp : live) {
    // Resolved through the session's own strand (its socket's executor).
    asio::post(sp->get_executor(), [sp] { sp->CloseIfIdle(); });
  }
  live.clear();
  {
    std::unique_lock lock(s.mu);
    s.drained.wait_for(lock, s.options.drain_timeout, [&s] { return s.sessions.empty(); });
  }
  s.work.reset();
  s.ioc.stop();
  for (std::thread& t : s.io_threads)
    t.join();
  s.workers.join();
}

}  // namespace eddy::server
