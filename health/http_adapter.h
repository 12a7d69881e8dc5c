// The glue between the health server's own connections and cpp-httplib:
// httplib parses a request that is already buffered in full and writes the
// reply into a string; routes.h decides what the reply is. Only httplib's
// request parser and response writer are used (Server::process_request,
// through a subclass); sockets, threads and timeouts are the server's,
// because httplib 0.11 gives every connection a worker thread for as long as
// the client likes. http_adapter.cc is the only file that includes httplib.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "health/routes.h"

namespace claw {

// What one request is served with, passed to Serve() for that request only.
struct RequestContext {
  // Gathers the inputs of a state route's reply (the snapshot, the upstream
  // result the caller chose or waits for); called at most once.
  InputsFunction inputs;
  // The connection's last request (its peer has closed its side, or it has
  // reached the per-connection maximum): the reply says Connection: close.
  bool last = false;
};

struct Served {
  size_t consumed = 0;  // bytes of the request taken from the front of `in`
  bool close = false;   // close the connection once the reply is sent
};

// Not thread-safe: every thread that serves requests has its own adapter.
// httplib fixes a server's handlers when it is built, so the context of the
// request being served reaches them through the adapter that serves it.
class HttpAdapter {
 public:
  // The values announced in the Keep-Alive header; the caller enforces them.
  HttpAdapter(std::chrono::seconds keep_alive_timeout, size_t max_requests_per_connection);
  ~HttpAdapter();
  HttpAdapter(const HttpAdapter&) = delete;
  HttpAdapter& operator=(const HttpAdapter&) = delete;

  // Parses the request at the head of `in`, whose header is complete, and
  // appends the whole reply to `out`; never touches a socket and never
  // throws. A request httplib cannot parse gets its 400 (or 414, 416) and
  // `close`.
  Served Serve(std::string_view in, std::string& out, const RequestContext& context);

  struct Core;

 private:
  std::unique_ptr<Core> core_;
};

}  // namespace claw
