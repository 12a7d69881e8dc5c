// The only translation unit that includes cpp-httplib.
#define CPPHTTPLIB_USE_POLL  // no FD_SETSIZE limit on descriptor numbers
#include "health/http_adapter.h"

#include <signal.h>
#include <string.h>

#include <httplib.h>

namespace claw {
namespace {

// httplib::Server's constructor ignores SIGPIPE process-wide, and an ignored
// signal stays ignored across exec: the runtime would inherit it. This base
// is built first and restores the disposition once Server's is done. (So
// adapters are built one at a time, on one thread: two built at once could
// save each other's SIG_IGN.)
struct SigpipeKeeper {
  SigpipeKeeper() { sigaction(SIGPIPE, nullptr, &saved); }
  struct sigaction saved {};
};

class HttpCore : private SigpipeKeeper, public httplib::Server {
 public:
  HttpCore() { sigaction(SIGPIPE, &saved, nullptr); }
  bool Process(httplib::Stream& stream, bool close_connection, bool& connection_closed) {
    // Ranges make no sense for these replies; ignore any Range header.
    return process_request(stream, close_connection, connection_closed,
                           [](httplib::Request& req) { req.ranges.clear(); });
  }
};

// One request's view of a connection: reads come from the bytes the poller
// already buffered (the whole header is there), writes are collected and sent
// in one go afterwards, so a reply is one segment and never meets Nagle.
class BufferedStream final : public httplib::Stream {
 public:
  BufferedStream(std::string_view in, std::string& out) : in_(in), out_(out) {}
  bool is_readable() const override { return pos_ < in_.size(); }
  bool is_writable() const override { return true; }
  ssize_t read(char* ptr, size_t size) override {
    size_t n = std::min(size, in_.size() - pos_);
    memcpy(ptr, in_.data() + pos_, n);
    pos_ += n;
    return static_cast<ssize_t>(n);
  }
  ssize_t write(const char* ptr, size_t size) override {
    out_.append(ptr, size);
    return static_cast<ssize_t>(size);
  }
  // Not used by our handlers; skipping getpeername saves two system calls.
  void get_remote_ip_and_port(std::string& ip, int& port) const override { port = 0; }
  void get_local_ip_and_port(std::string& ip, int& port) const override { port = 0; }
  // No socket behind it: nothing may bypass the buffers.
  socket_t socket() const override { return -1; }

  size_t consumed() const { return pos_; }

 private:
  std::string_view in_;
  size_t pos_ = 0;
  std::string& out_;
};

}  // namespace

struct HttpAdapter::Core {
  Core(std::chrono::seconds keep_alive_timeout, size_t max_requests) {
    http.set_keep_alive_timeout(keep_alive_timeout.count());
    http.set_keep_alive_max_count(max_requests);
    http.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
      RequestHead head{req.method, req.path, req.has_header("Content-Length") || req.has_header("Transfer-Encoding")};
      RouteReply reply = Answer(head, context->inputs);
      if (reply.close_after) close_after = true;
      res.status = reply.code;
      for (auto& [name, value] : reply.headers) res.set_header(name, value);
      res.body = std::move(reply.body);
      res.set_header("Content-Type", reply.content_type);
      return httplib::Server::HandlerResponse::Handled;
    });
    http.set_error_handler(
        httplib::Server::HandlerWithResponse([this](const httplib::Request&, httplib::Response& res) {
          if (ClosesAfterError(res.status)) close_after = true;
          return httplib::Server::HandlerResponse::Unhandled;
        }));
  }

  HttpCore http;
  // Set by Serve() for the request it is serving, for the handlers above.
  const RequestContext* context = nullptr;
  bool close_after = false;
};

HttpAdapter::HttpAdapter(std::chrono::seconds keep_alive_timeout, size_t max_requests_per_connection)
    : core_(std::make_unique<Core>(keep_alive_timeout, max_requests_per_connection)) {}

HttpAdapter::~HttpAdapter() = default;

Served HttpAdapter::Serve(std::string_view in, std::string& out, const RequestContext& context) {
  BufferedStream stream(in, out);
  core_->context = &context;
  core_->close_after = false;
  bool connection_closed = false;
  bool ok = false;
  try {
    ok = core_->http.Process(stream, context.last, connection_closed);
  } catch (...) {
    ok = false;
  }
  core_->context = nullptr;
  return Served{stream.consumed(), !ok || context.last || connection_closed || core_->close_after};
}

}  // namespace claw
