#include "health/http_get.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>

#include <algorithm>
#include <cctype>
#include <charconv>

#include "claw_version.h"

namespace claw {
namespace {

using Clock = std::chrono::steady_clock;

// Response headers beyond this are not a health endpoint talking.
constexpr size_t kMaxHeaderBytes = 16 * 1024;

std::string Phrase(int err) {
  switch (err) {
    case ECONNREFUSED: return "connection refused";
    case ECONNRESET: return "connection reset";
    case ETIMEDOUT: return "connection timed out";
    case EHOSTUNREACH: return "host unreachable";
    case ENETUNREACH: return "network unreachable";
    case EADDRNOTAVAIL: return "address not available";
    default: {
      std::string text = strerror(err);
      if (!text.empty()) text[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(text[0])));
      return text;
    }
  }
}

int MsLeft(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  if (left <= 0) return 0;
  return static_cast<int>(std::min<long long>(left, 1 << 30));
}

// Waits for `events` on `fd` until `deadline`: 1 ready, 0 timed out, -1 error.
int WaitFor(int fd, short events, Clock::time_point deadline) {
  for (;;) {
    pollfd pfd{fd, events, 0};
    int rc = poll(&pfd, 1, MsLeft(deadline));
    if (rc < 0 && errno == EINTR) continue;
    return rc < 0 ? -1 : (rc == 0 ? 0 : 1);
  }
}

Result<UniqueFd> ConnectUntil(const HostPort& address, Clock::time_point deadline, Duration timeout) {
  auto where = ToSocketAddress(address);
  if (!where) return where.error();
  const SocketAddress& target = where.value();
  UniqueFd sock(socket(target.family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!sock.valid()) return Error{std::string("socket: ") + strerror(errno)};
  if (connect(sock.get(), target.get(), target.length) == 0) return sock;
  if (errno != EINPROGRESS) return Error{Phrase(errno)};
  int ready = WaitFor(sock.get(), POLLOUT, deadline);
  if (ready == 0) return Error{"connect timeout (" + FormatDuration(timeout) + ")"};
  if (ready < 0) return Error{std::string("poll: ") + strerror(errno)};
  int err = 0;
  socklen_t err_len = sizeof err;
  if (getsockopt(sock.get(), SOL_SOCKET, SO_ERROR, &err, &err_len) != 0) err = errno;
  if (err != 0) return Error{Phrase(err)};
  return sock;
}

bool HeaderNameIs(std::string_view line, std::string_view name) {
  if (line.size() <= name.size() || line[name.size()] != ':') return false;
  for (size_t i = 0; i < name.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(line[i])) != name[i]) return false;
  }
  return true;
}

std::string_view HeaderValue(std::string_view line, size_t name_size) {
  std::string_view v = line.substr(name_size + 1);
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
  return v;
}

// Parses the status line and the headers we use; `head` ends before the
// blank line. Returns the Content-Length, or nullopt when absent.
Result<std::optional<size_t>> ParseHead(std::string_view head, HttpResponse& out) {
  size_t eol = head.find("\r\n");
  std::string_view status_line = head.substr(0, eol);
  // "HTTP/1.1 200 OK"
  if (status_line.size() < 12 || status_line.substr(0, 7) != "HTTP/1." || status_line[8] != ' ') {
    return Error{"not an HTTP response"};
  }
  int status = 0;
  auto [ptr, ec] = std::from_chars(status_line.data() + 9, status_line.data() + 12, status);
  if (ec != std::errc() || ptr != status_line.data() + 12 || status < 100 || status > 999) {
    return Error{"not an HTTP response"};
  }
  out.status = status;
  std::optional<size_t> content_length;
  while (eol != std::string_view::npos) {
    size_t start = eol + 2;
    eol = head.find("\r\n", start);
    std::string_view line = head.substr(start, eol == std::string_view::npos ? std::string_view::npos : eol - start);
    if (HeaderNameIs(line, "content-length")) {
      std::string_view v = HeaderValue(line, 14);
      size_t n = 0;
      auto [p, e] = std::from_chars(v.data(), v.data() + v.size(), n);
      if (e == std::errc() && p == v.data() + v.size()) content_length = n;
    } else if (HeaderNameIs(line, "content-type")) {
      out.content_type = std::string(HeaderValue(line, 12));
    }
  }
  return content_length;
}

}  // namespace

int SendAll(int fd, std::string_view data, Clock::time_point deadline) {
  size_t sent = 0;
  while (sent < data.size()) {
    ssize_t n = send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (n > 0) {
      sent += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      int ready = WaitFor(fd, POLLOUT, deadline);
      if (ready == 0) return kSendTimedOut;
      if (ready < 0) return errno;
      continue;
    }
    return n < 0 ? errno : EIO;
  }
  return 0;
}

Result<UniqueFd> ConnectTcp(const HostPort& address, Duration timeout) {
  return ConnectUntil(address, Clock::now() + timeout, timeout);
}

Result<HttpResponse> HttpGet(const HostPort& address, std::string_view path, const HttpGetLimits& limits) {
  const Clock::time_point start = Clock::now();
  const Clock::time_point end_of_all = limits.total ? start + *limits.total : Clock::time_point::max();
  Duration connect_timeout = limits.connect_timeout;
  if (limits.total) connect_timeout = std::min(connect_timeout, *limits.total);
  auto sock = ConnectUntil(address, start + connect_timeout, connect_timeout);
  if (!sock) return sock.error();
  const int fd = sock.value().get();

  const Clock::time_point connected = Clock::now();
  Clock::time_point deadline = connected + limits.read_timeout;
  Duration read_timeout = limits.read_timeout;
  if (end_of_all < deadline) {
    deadline = end_of_all;
    read_timeout = *limits.total;  // the limit the caller chose, not what was left of it
  }
  const std::string timeout_message = "no response within " + FormatDuration(read_timeout);

  std::string request = "GET " + std::string(path) + " HTTP/1.1\r\nHost: " + address.ToString() +
                        "\r\nUser-Agent: claw-init/" CLAW_INIT_VERSION "\r\nAccept: */*\r\nConnection: close\r\n\r\n";
  if (int err = SendAll(fd, request, deadline); err == kSendTimedOut) {
    return Error{timeout_message};
  } else if (err != 0) {
    return Error{Phrase(err)};
  }

  std::string data;
  size_t head_end = std::string::npos;
  std::optional<size_t> content_length;
  HttpResponse response;
  char buf[4096];
  for (;;) {
    if (head_end != std::string::npos) {
      size_t body = data.size() - head_end - 4;
      if (limits.max_body == 0 || body >= limits.max_body || (content_length && body >= *content_length)) break;
    }
    int ready = WaitFor(fd, POLLIN, deadline);
    if (ready == 0) return Error{timeout_message};
    if (ready < 0) return Error{std::string("poll: ") + strerror(errno)};
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK) continue;
      return Error{Phrase(errno)};
    }
    if (n == 0) {
      if (head_end == std::string::npos) return Error{"connection closed before a response"};
      break;
    }
    data.append(buf, static_cast<size_t>(n));
    if (head_end == std::string::npos) {
      head_end = data.find("\r\n\r\n");
      if (head_end == std::string::npos) {
        if (data.size() > kMaxHeaderBytes) return Error{"response headers too large"};
        // An early status line is enough to reject a non-HTTP peer.
        if (data.size() >= 5 && data.compare(0, 5, "HTTP/") != 0) return Error{"not an HTTP response"};
        continue;
      }
      auto parsed = ParseHead(std::string_view(data).substr(0, head_end), response);
      if (!parsed) return parsed.error();
      content_length = parsed.value();
    }
  }
  // Read what already arrived, so that closing does not reset a peer that
  // is still writing a short body; never wait for more.
  for (size_t drained = 0; drained < 64 * 1024;) {
    ssize_t n = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
    if (n <= 0) break;
    drained += static_cast<size_t>(n);
    if (data.size() < head_end + 4 + limits.max_body) data.append(buf, static_cast<size_t>(n));
  }
  size_t body_start = head_end + 4;
  size_t keep = std::min(data.size() - body_start, limits.max_body);
  if (content_length) keep = std::min(keep, *content_length);
  response.body = data.substr(body_start, keep);
  return response;
}

}  // namespace claw
