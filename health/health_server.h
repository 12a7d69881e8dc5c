// The health server (contract section 4): /health, /health/live,
// /health/ready and /metrics on --health-listen, answered from the latest
// SupervisorSnapshot and a cached upstream check.
//
// It must keep answering whatever the runtime or the clients do, so it never
// lets a client hold a thread while it is slow: one poller owns every
// connection (epoll, connection_poller.h), run by the supervisor's own event
// loop in claw-init's run mode (in_loop) or by a thread of its own, and
// reads each request until its
// header is complete, with a deadline; only then is it parsed (cpp-httplib,
// http_adapter.h) and answered (routes.h), on the poller, or on one of a
// small fixed pool of workers (worker_pool.h) when it must wait for an
// upstream check. Idle and trickling clients cost a file descriptor and a
// small buffer, not a thread.
//
// It never forks, never waits for children and never blocks the caller; its
// threads start with every signal blocked, so signals stay with the
// supervisor's signalfd.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "base/duration.h"
#include "base/net_address.h"
#include "base/supervisor_state.h"
#include "health/upstream.h"

namespace claw {

struct HealthServerConfig {
  HostPort listen;  // port 0: any free port (tests)
  std::optional<UpstreamUrl> upstream;
  Duration start_grace{0};
  std::string runtime;    // shown as null when empty
  std::string version;    // shown as null when empty
  std::string claw_init;  // claw-init's own version
  // Tests replace the upstream check; unset: CheckUpstream(*upstream).
  UpstreamChecker::CheckFunction check;
  // Bind at once, but start the poller thread only with the first Publish
  // of a state past "starting", i.e. once the runtime has been spawned: the
  // runtime's start does not wait for a thread to be created, and a probe
  // that comes earlier waits in the listen queue for microseconds.
  bool serve_after_spawn = false;
  // No poller thread: the owner's event loop serves the connections through
  // LoopFd/LoopTimeoutMs/LoopDispatch (docs/benchmarks.md has the numbers
  // that chose this for claw-init's run mode). The workers that wait for an
  // upstream check are still threads.
  bool in_loop = false;
};

class HealthServer {
 public:
  // Binds config.listen now and serves it from a background thread, which
  // starts at once, or once the runtime is spawned (serve_after_spawn).
  // When the address cannot be bound (a taken port, most often) it logs a
  // warning and returns a server whose Running() is false: supervision goes
  // on without /health.
  static std::unique_ptr<HealthServer> Start(HealthServerConfig config);
  // A server that is not running (--health-listen off, or no usable
  // address), so the caller never checks for null. Logs nothing.
  static std::unique_ptr<HealthServer> Off();

  ~HealthServer();
  HealthServer(const HealthServer&) = delete;
  HealthServer& operator=(const HealthServer&) = delete;

  bool Running() const;
  // The port actually bound (useful when 0 was asked); 0 when not running.
  int port() const;

  // Called by the event loop after every change: a mutex-protected copy.
  // With serve_after_spawn, the first one past "starting" starts the thread.
  void Publish(const SupervisorSnapshot& snapshot);

  // Whether /health would answer 200 now, from the latest snapshot and the
  // cached upstream result; never waits (a stale result asks a worker for a
  // fresh one and counts as not passing). For sd_notify's READY=1.
  bool Passing();

  // In-loop mode: the fd to wait on (-1: nothing to serve), how long the
  // loop may sleep (-1: until the fd is ready), and one bounded pass, false
  // once the server has stopped serving (then the fd is -1).
  int LoopFd() const;
  int LoopTimeoutMs(std::chrono::steady_clock::time_point now) const;
  bool LoopDispatch();

  // Closes every connection and joins the threads; idempotent. A request
  // waiting for an upstream check can delay it by up to 2 s.
  void Stop();

  struct Impl;

 private:
  explicit HealthServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace claw
