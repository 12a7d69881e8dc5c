// Shared parts of the stand-in runtimes (standin_zeroclaw.cc,
// standin_nullclaw.cc): a tiny blocking HTTP/1.1 server for their health
// paths, and small file helpers. The stand-ins replace the real Rust and Zig
// binaries, which cannot be built on the project's machines, in image tests:
// they read the real config shape and serve the real health paths, so that a
// test proves what claw-init wrote and what the runtime made of it.
#pragma once

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <functional>
#include <optional>
#include <sstream>
#include <string>

namespace standin {

struct Response {
  int status = 404;
  std::string body = "{\"error\":\"not found\"}";
};

struct Request {
  std::string method;
  std::string path;  // without the query
  bool loopback = false;  // the peer is 127.0.0.0/8 or ::1 (ZeroClaw's admin rule)
};

// Request -> response. Runs on the accept thread; it answers other methods
// than GET/HEAD itself (usually 405).
using Handler = std::function<Response(const Request&)>;

inline const char* Reason(int status) {
  switch (status) {
    case 200: return "OK";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 503: return "Service Unavailable";
    default: return "Status";
  }
}

// Opens a listening socket on host:port. "::", "[::]" and "" mean every
// address, dual stack when the kernel allows it (as the real runtimes bind),
// falling back to IPv4 when IPv6 is off. Returns -1 and prints why on error.
inline int Listen(std::string host, int port) {
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  int one = 1;
  bool any6 = host.empty() || host == "::";
  if (any6 || host.find(':') != std::string::npos) {
    int fd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd >= 0) {
      int zero = 0;
      setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
      setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof zero);
      sockaddr_in6 a{};
      a.sin6_family = AF_INET6;
      a.sin6_port = htons(static_cast<uint16_t>(port));
      a.sin6_addr = in6addr_any;
      if (!any6 && inet_pton(AF_INET6, host.c_str(), &a.sin6_addr) != 1) {
        fprintf(stderr, "bad listen host %s\n", host.c_str());
        close(fd);
        return -1;
      }
      if (bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 && listen(fd, 64) == 0) return fd;
      int err = errno;
      close(fd);
      if (!any6) {
        fprintf(stderr, "listen [%s]:%d: %s\n", host.c_str(), port, strerror(err));
        return -1;
      }
    }
    host = "0.0.0.0";
  }
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  if (host == "localhost") host = "127.0.0.1";
  if (inet_pton(AF_INET, host.c_str(), &a.sin_addr) != 1) {
    fprintf(stderr, "bad listen host %s\n", host.c_str());
    close(fd);
    return -1;
  }
  if (bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || listen(fd, 64) != 0) {
    fprintf(stderr, "listen %s:%d: %s\n", host.c_str(), port, strerror(errno));
    close(fd);
    return -1;
  }
  return fd;
}

inline bool PeerIsLoopback(int fd) {
  sockaddr_storage a{};
  socklen_t len = sizeof a;
  if (getpeername(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0) return false;
  if (a.ss_family == AF_INET) {
    return (ntohl(reinterpret_cast<sockaddr_in*>(&a)->sin_addr.s_addr) >> 24) == 127;
  }
  if (a.ss_family == AF_INET6) {
    const in6_addr& v6 = reinterpret_cast<sockaddr_in6*>(&a)->sin6_addr;
    if (IN6_IS_ADDR_LOOPBACK(&v6)) return true;
    return IN6_IS_ADDR_V4MAPPED(&v6) && v6.s6_addr[12] == 127;
  }
  return false;
}

// The usual answer to anything but GET and HEAD.
inline Response MethodNotAllowed() { return {405, "{\"error\":\"method not allowed\"}"}; }

// Reads one request head (2 s limit), answers it and closes the connection.
inline void ServeOne(int client, const Handler& handler) {
  std::string head;
  char buf[2048];
  while (head.find("\r\n\r\n") == std::string::npos && head.size() < 16384) {
    pollfd p{client, POLLIN, 0};
    if (poll(&p, 1, 2000) <= 0) return;
    ssize_t n = read(client, buf, sizeof buf);
    if (n <= 0) return;
    head.append(buf, static_cast<size_t>(n));
  }
  std::istringstream line(head.substr(0, head.find("\r\n")));
  Request req;
  std::string target;
  line >> req.method >> target;
  req.path = target.substr(0, target.find('?'));
  req.loopback = PeerIsLoopback(client);
  const std::string& method = req.method;
  Response r = handler(req);
  std::string out = "HTTP/1.1 " + std::to_string(r.status) + " " + Reason(r.status) +
                    "\r\nContent-Type: application/json\r\nContent-Length: " +
                    std::to_string(r.body.size()) + "\r\nConnection: close\r\n\r\n";
  if (method != "HEAD") out += r.body;
  size_t off = 0;
  while (off < out.size()) {
    ssize_t n = write(client, out.data() + off, out.size() - off);
    if (n <= 0) break;
    off += static_cast<size_t>(n);
  }
}

// Accepts until *stop becomes true after a request (or forever, until the
// process is signalled away).
inline void Serve(int listen_fd, const Handler& handler, const bool* stop = nullptr) {
  while (stop == nullptr || !*stop) {
    int client = accept4(listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
    if (client < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      perror("accept");
      return;
    }
    ServeOne(client, handler);
    close(client);
  }
}

// Whole file, or nullopt when it cannot be read.
inline std::optional<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

inline std::string EnvOr(const char* name, const std::string& fallback) {
  const char* v = getenv(name);
  return v != nullptr && *v != '\0' ? std::string(v) : fallback;
}

}  // namespace standin
