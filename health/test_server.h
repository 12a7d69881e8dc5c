// A canned-response TCP server on 127.0.0.1 for the health unit tests: each
// connection gets `response` after `delay`, then is closed. Test-only (it is
// included by *_test.cc files, never by the library).
#pragma once

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>

#include "base/unique_fd.h"

namespace claw::testing {

class CannedServer {
 public:
  explicit CannedServer(std::string response, std::chrono::milliseconds delay = std::chrono::milliseconds(0))
      : response_(std::move(response)), delay_(delay) {
    listen_.Reset(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(listen_.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    socklen_t len = sizeof addr;
    getsockname(listen_.get(), reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    ::listen(listen_.get(), 64);
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) == 0) {
      stop_read_.Reset(fds[0]);
      stop_write_.Reset(fds[1]);
    }
    thread_ = std::thread([this] { Loop(); });
  }
  ~CannedServer() {
    (void)!::write(stop_write_.get(), "x", 1);
    thread_.join();
  }
  int port() const { return port_; }
  int connections() const { return connections_; }

 private:
  // Waits for the stop pipe for up to `ms`; true when asked to stop.
  bool StopWithin(int ms) {
    pollfd pfd{stop_read_.get(), POLLIN, 0};
    return poll(&pfd, 1, ms) > 0;
  }
  void Loop() {
    for (;;) {
      pollfd pfds[2] = {{listen_.get(), POLLIN, 0}, {stop_read_.get(), POLLIN, 0}};
      if (poll(pfds, 2, -1) < 0) continue;
      if (pfds[1].revents) return;
      UniqueFd conn(accept4(listen_.get(), nullptr, nullptr, SOCK_CLOEXEC));
      if (!conn.valid()) continue;
      ++connections_;
      std::string request;
      char buf[1024];
      while (request.find("\r\n\r\n") == std::string::npos) {
        pollfd p{conn.get(), POLLIN, 0};
        if (poll(&p, 1, 2000) <= 0) break;
        ssize_t n = recv(conn.get(), buf, sizeof buf, 0);
        if (n <= 0) break;
        request.append(buf, static_cast<size_t>(n));
      }
      if (delay_.count() > 0 && StopWithin(static_cast<int>(delay_.count()))) return;
      (void)!send(conn.get(), response_.data(), response_.size(), MSG_NOSIGNAL);
    }
  }

  std::string response_;
  std::chrono::milliseconds delay_;
  UniqueFd listen_;
  UniqueFd stop_read_;
  UniqueFd stop_write_;
  int port_ = 0;
  std::atomic<int> connections_{0};
  std::thread thread_;
};

// A port on 127.0.0.1 that nothing listens on (bound, then released).
inline int FreePort() {
  UniqueFd fd(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  getsockname(fd.get(), reinterpret_cast<sockaddr*>(&addr), &len);
  return ntohs(addr.sin_port);
}

}  // namespace claw::testing
