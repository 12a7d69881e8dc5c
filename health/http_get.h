// The smallest HTTP/1.1 client claw-init needs: one GET with Connection:
// close, or a bare TCP connect, to an IP literal, with hard timeouts. Used by
// the upstream check and by `claw-init health`. No name lookup (the binary is
// static and must not load NSS modules) and no library exceptions.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "base/duration.h"
#include "base/net_address.h"
#include "base/result.h"
#include "base/unique_fd.h"

namespace claw {

// Sends all of `data` on the non-blocking socket `fd`, waiting for room
// until `deadline`: 0 when all is sent, kSendTimedOut when the deadline came
// first, else the errno of the send or poll that failed. For threads that
// may block (the request here, the health server's replies).
constexpr int kSendTimedOut = -1;
int SendAll(int fd, std::string_view data, std::chrono::steady_clock::time_point deadline);

// Opens a TCP connection within `timeout`. Errors are short phrases that fit
// in a health report: "connection refused", "connect timeout (1s)".
Result<UniqueFd> ConnectTcp(const HostPort& address, Duration timeout);

struct HttpGetLimits {
  Duration connect_timeout = std::chrono::seconds(1);
  // From the end of the connect to the end of the response.
  Duration read_timeout = std::chrono::seconds(1);
  // The whole exchange, connect included; unset: connect + read.
  std::optional<Duration> total;
  // Body bytes kept; 0: stop after the headers (a status is all we need).
  size_t max_body = 0;
};

struct HttpResponse {
  int status = 0;
  std::string content_type;
  std::string body;  // at most max_body bytes
};

// GET `path` from `address`. Errors: the connect errors above, "no response
// within 1s", "connection closed before a response", "not an HTTP response".
Result<HttpResponse> HttpGet(const HostPort& address, std::string_view path, const HttpGetLimits& limits);

}  // namespace claw
