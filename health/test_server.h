// Helpers of the health unit tests: a canned-response TCP server on
// 127.0.0.1 (each connection gets `response` after `delay`, then is closed),
// a free port, a loopback HealthServer config and a running snapshot.
// Test-only (it is included by *_test.cc files, never by the library).
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

#include "base/supervisor_state.h"
#include "base/unique_fd.h"
#include "health/health_server.h"

namespace claw::testing {

// Binds `fd` to 127.0.0.1 on a port the kernel picks; returns the port.
inline int BindLoopback(int fd) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  return ntohs(addr.sin_port);
}

class CannedServer {
 public:
  explicit CannedServer(std::string response, std::chrono::milliseconds delay = std::chrono::milliseconds(0))
      : response_(std::move(response)), delay_(delay) {
    listen_.Reset(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    port_ = BindLoopback(listen_.get());
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
  return BindLoopback(fd.get());
}

// A HealthServer config for 127.0.0.1 on a port the kernel picks.
inline HealthServerConfig LoopbackHealthConfig() {
  HealthServerConfig config;
  config.listen = HostPort{"127.0.0.1", 0, false};
  config.claw_init = "0.1.0";
  return config;
}

// What the supervisor publishes while the runtime runs as `pid`.
inline SupervisorSnapshot RunningSnapshot(pid_t pid) {
  SupervisorSnapshot s;
  s.state = RuntimeState::kRunning;
  s.pid = pid;
  return s;
}

}  // namespace claw::testing
