// The health server's connections. One epoll set holds the listening socket
// and every client; a pass of the poller accepts, reads each request until
// its header is complete (with a deadline), has its owner answer it, and
// writes the reply without blocking. Idle and trickling clients cost a file
// descriptor and a small buffer, never a thread. What a request is answered
// with is the owner's business (the hooks); the poller knows sockets only.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "base/net_address.h"
#include "base/result.h"
#include "base/unique_fd.h"

namespace claw {

// A connection with no request in progress is closed after this (keep-alive
// idle time, and the time a new connection has to start its request).
inline constexpr std::chrono::seconds kIdleTimeout(5);
inline constexpr size_t kMaxRequestsPerConnection = 100;
// How long a reply may wait for the client to make room for it.
inline constexpr std::chrono::seconds kWriteTimeout(1);

// A client connection. The poller owns it; while `busy`, whoever it was
// deferred to does, and the poller neither watches nor touches it.
struct Connection {
  UniqueFd fd;
  std::string in;   // received, not yet parsed
  std::string out;  // reply bytes not yet sent
  std::chrono::steady_clock::time_point deadline;
  bool request_started = false;  // `in` holds part of a request
  bool busy = false;
  bool writing = false;      // waiting for the socket to take `out`
  bool peer_closed = false;  // EOF seen: answer what is buffered, then close
  bool close_after = false;  // close once `out` is sent
  bool dead = false;         // closed; freed at the end of the poller pass
  size_t served = 0;
};

class ConnectionPoller {
 public:
  using Clock = std::chrono::steady_clock;

  struct Hooks {
    // Answers the request at the head of conn.in (its header is complete):
    // takes it from `in`, appends the reply to `out`, sets `close_after`,
    // counts it in `served`. Returns false, touching nothing, when the
    // answer would have to wait; the connection is then deferred.
    std::function<bool(Connection& conn)> serve;
    // Takes a connection the poller no longer watches, to answer its
    // request where waiting is allowed; it comes back through Return().
    std::function<void(Connection* conn)> defer;
  };

  explicit ConnectionPoller(Hooks hooks);
  ~ConnectionPoller();
  ConnectionPoller(const ConnectionPoller&) = delete;
  ConnectionPoller& operator=(const ConnectionPoller&) = delete;

  // Binds and listens on `address` and builds the epoll set; no thread yet.
  Status Listen(const HostPort& address);
  // The port actually bound (when 0 was asked).
  int port() const { return bound_port_; }

  // Runs passes until Stop() is asked or epoll fails; on the poller thread.
  void Run();
  // Or the owner's event loop runs the passes: it waits for fd() to be
  // readable or for PassTimeoutMs() (-1: none), then calls Pass(0, limit),
  // which handles at most `limit` events so the loop's other work (signals)
  // never waits behind a flood of clients. Pass is false once epoll fails.
  int fd() const { return epoll_fd_.get(); }
  int PassTimeoutMs(Clock::time_point now) const;
  bool Pass(int timeout_ms, int max_events = 64);
  // Asks Run() to return; any thread.
  void RequestStop();
  // Gives back a connection deferred by the hooks, its reply already sent
  // (or `close_after` set); any thread.
  void Return(Connection* conn);
  // Closes every connection and the listening socket. Only once Run() has
  // returned and no deferred connection is held any more.
  void CloseAll();

 private:
  bool Watch(int fd, void* tag, int op, uint32_t events);
  void AcceptAll();
  void OnEvent(Connection* conn);
  void Advance(Connection* conn);
  bool Flush(Connection* conn);
  void Defer(Connection* conn);
  void TakeReturned();
  void Sweep(Clock::time_point now);
  bool EvictIdle();
  void Close(Connection* conn);

  const Hooks hooks_;
  UniqueFd listen_fd_;
  UniqueFd epoll_fd_;
  UniqueFd stop_fd_;
  UniqueFd wake_fd_;  // written by Return()
  int bound_port_ = 0;

  // Poller-only state.
  std::unordered_map<Connection*, std::unique_ptr<Connection>> conns_;
  std::vector<std::unique_ptr<Connection>> graveyard_;
  bool accept_paused_ = false;
  Clock::time_point next_sweep_;

  std::mutex returned_mutex_;
  std::vector<Connection*> returned_;
};

}  // namespace claw
