// The health server as its owner sees it: one config, the latest snapshot,
// and the threads that serve them. The duties are elsewhere: sockets and
// deadlines in connection_poller, the threads that may wait in worker_pool,
// httplib in http_adapter, and what each path answers in routes.
#include "health/health_server.h"

#include <pthread.h>
#include <signal.h>

#include <atomic>
#include <mutex>
#include <thread>

#include "base/log.h"
#include "health/connection_poller.h"
#include "health/http_adapter.h"
#include "health/health_state.h"
#include "health/http_get.h"
#include "health/routes.h"
#include "health/worker_pool.h"

namespace claw {
namespace {

using Clock = std::chrono::steady_clock;

// Workers only answer requests that wait for an upstream check (and run
// background refreshes of it); the poller answers everything else.
constexpr size_t kWorkers = 4;
// Events one in-loop pass handles: bounds how long a flood of clients can
// hold back the supervisor's signal handling.
constexpr int kLoopEvents = 16;

// Where a request's upstream result comes from.
struct UpstreamChoice {
  // The result the poller chose for it; null: none chosen.
  const UpstreamResult* result = nullptr;
  // On a worker, which may wait for a fresh check; the poller never waits.
  bool may_wait = false;
};

}  // namespace

struct HealthServer::Impl {
  explicit Impl(HealthServerConfig c)
      : config(std::move(c)),
        http(kIdleTimeout, kMaxRequestsPerConnection),
        poller(ConnectionPoller::Hooks{[this](Connection& conn) { return ServeOnPoller(conn); },
                                       [this](Connection* conn) { Defer(conn); }}) {
    if (config.upstream || config.check) {
      UpstreamChecker::CheckFunction check = config.check;
      if (!check) check = [url = *config.upstream] { return CheckUpstream(url); };
      checker = std::make_unique<UpstreamChecker>(std::move(check), kMaxUpstreamAge);
    }
  }

  ~Impl() { Stop(); }

  void StartThreads() {
    // Threads inherit the creating thread's mask: block everything while
    // creating them, so no signal can ever be delivered to one of ours, even
    // if the caller forgot to block signals first.
    sigset_t all;
    sigset_t previous;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &previous);
    if (running && !config.in_loop) poller_thread = std::thread([this] { poller.Run(); });
    // Workers only ever wait for the upstream: without one, none is needed
    // (four fewer threads to create at start and to join at exit).
    if (checker) workers.Start(kWorkers, kIdleTimeout, kMaxRequestsPerConnection);
    pthread_sigmask(SIG_SETMASK, &previous, nullptr);
  }

  void Stop() {
    std::lock_guard<std::mutex> stop_lock(stop_mutex);
    threads_started = false;
    if (poller_thread.joinable()) {
      poller.RequestStop();
      poller_thread.join();
    }
    workers.Stop();
    poller.CloseAll();
    running = false;
  }

  // The poller's hook: answers at once unless the request needs an upstream
  // result and the cached one is too old to answer from. Between
  // kMaxUpstreamAge and kUpstreamStaleLimit the cached one answers and a
  // worker refreshes it in the background.
  bool ServeOnPoller(Connection& conn) {
    std::optional<UpstreamResult> upstream;
    if (checker && UsesUpstream(RouteOfRequestLine(conn.in))) {
      upstream = checker->Peek(kMaxUpstreamAge);
      if (!upstream) {
        upstream = checker->Peek(kUpstreamStaleLimit);
        if (!upstream) return false;
        RequestRefresh();
      }
    }
    Serve(http, conn, UpstreamChoice{upstream ? &*upstream : nullptr, false});
    return true;
  }

  // The poller's other hook: a worker answers the request, waiting for a
  // fresh check, sends the reply itself and gives the connection back.
  void Defer(Connection* conn) {
    workers.Post([this, conn](HttpAdapter& worker_http) {
      Serve(worker_http, *conn, UpstreamChoice{nullptr, true});
      if (SendAll(conn->fd.get(), conn->out, Clock::now() + kWriteTimeout) != 0) conn->close_after = true;
      conn->out.clear();
      poller.Return(conn);
    });
  }

  // Asks a worker to refresh the upstream cache in the background.
  void RequestRefresh() {
    if (refresh_queued.exchange(true)) return;
    workers.Post([this](HttpAdapter&) {
      checker->Get();
      refresh_queued = false;
    });
  }

  // Parses and answers the request at the head of conn.in; the reply is
  // appended to conn.out. Runs on the poller or on a worker, each with its
  // own adapter.
  void Serve(HttpAdapter& adapter, Connection& conn, const UpstreamChoice& choice) {
    RequestContext context;
    context.inputs = [this, &choice](Route route) { return Gather(route, choice); };
    context.last = conn.peer_closed || conn.served + 1 >= kMaxRequestsPerConnection;
    Served served = adapter.Serve(conn.in, conn.out, context);
    conn.in.erase(0, served.consumed);
    ++conn.served;
    conn.close_after = served.close;
  }

  HealthInputs Gather(Route route, const UpstreamChoice& choice) {
    HealthInputs in;
    if (checker && route != Route::kLive) {
      if (choice.result != nullptr) {
        in.upstream = *choice.result;
      } else if (choice.may_wait) {
        in.upstream = checker->Get();
      } else {
        // The poller never waits: RouteOfRequestLine() misjudged this request.
        in.upstream = checker->Peek(std::chrono::hours(24 * 365));
        if (!in.upstream) in.upstream = UpstreamResult{false, "", 0, "not checked yet"};
      }
    }
    {
      std::lock_guard<std::mutex> lock(snapshot_mutex);
      in.snapshot = snapshot;
    }
    in.runtime = config.runtime;
    in.version = config.version;
    in.claw_init = config.claw_init;
    in.start_grace = config.start_grace;
    in.now = Clock::now();
    return in;
  }

  const HealthServerConfig config;
  std::unique_ptr<UpstreamChecker> checker;
  HttpAdapter http;  // the poller thread's
  ConnectionPoller poller;
  WorkerPool workers;

  std::atomic<bool> running{false};  // bound and not stopped
  std::mutex stop_mutex;

  std::mutex snapshot_mutex;
  SupervisorSnapshot snapshot;

  std::atomic<bool> refresh_queued{false};
  std::thread poller_thread;
  bool threads_started = false;  // the owner's thread only
};

HealthServer::HealthServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

HealthServer::~HealthServer() { Stop(); }

std::unique_ptr<HealthServer> HealthServer::Off() {
  return std::unique_ptr<HealthServer>(new HealthServer(std::make_unique<Impl>(HealthServerConfig{})));
}

std::unique_ptr<HealthServer> HealthServer::Start(HealthServerConfig config) {
  const std::string where = config.listen.ToString();
  auto impl = std::make_unique<Impl>(std::move(config));
  if (auto st = impl->poller.Listen(impl->config.listen); !st) {
    LogWarn("health: cannot listen on " + where + " (" + st.error().message +
            "); /health is off, supervision goes on");
    return std::unique_ptr<HealthServer>(new HealthServer(std::move(impl)));
  }
  impl->running = true;
  if (!impl->config.serve_after_spawn) {
    impl->StartThreads();
    impl->threads_started = true;
  }
  HostPort bound = impl->config.listen;
  bound.port = impl->poller.port();
  LogInfo("health: listening on " + bound.ToString());
  return std::unique_ptr<HealthServer>(new HealthServer(std::move(impl)));
}

bool HealthServer::Running() const { return impl_->running; }

int HealthServer::port() const { return impl_->running ? impl_->poller.port() : 0; }

void HealthServer::Publish(const SupervisorSnapshot& snapshot) {
  bool new_run;
  {
    std::lock_guard<std::mutex> lock(impl_->snapshot_mutex);
    new_run = snapshot.started_at != impl_->snapshot.started_at;
    impl_->snapshot = snapshot;
  }
  // A result about the previous run must not make the new one look ready.
  if (new_run && impl_->checker) impl_->checker->Invalidate();
  // Only the owner's thread starts or joins the threads.
  // Without a socket (a taken port) the upstream workers still start: the
  // readiness sd_notify reports (Passing) needs the upstream checked.
  if ((impl_->running || impl_->checker) && !impl_->threads_started && snapshot.state != RuntimeState::kStarting) {
    impl_->StartThreads();
    impl_->threads_started = true;
  }
}

bool HealthServer::Passing() {
  std::optional<UpstreamResult> upstream;
  if (impl_->checker) {
    upstream = impl_->checker->Peek(kMaxUpstreamAge);
    if (!upstream) {
      if (impl_->threads_started) impl_->RequestRefresh();
      return false;
    }
  }
  const HealthInputs in = impl_->Gather(Route::kHealth, UpstreamChoice{upstream ? &*upstream : nullptr, false});
  return EvaluateHealth(in) == HealthStatus::kPass;
}

int HealthServer::LoopFd() const { return impl_->running && impl_->config.in_loop ? impl_->poller.fd() : -1; }

int HealthServer::LoopTimeoutMs(std::chrono::steady_clock::time_point now) const {
  return LoopFd() >= 0 ? impl_->poller.PassTimeoutMs(now) : -1;
}

bool HealthServer::LoopDispatch() {
  if (LoopFd() < 0) return false;
  if (impl_->poller.Pass(0, kLoopEvents)) return true;
  Stop();
  return false;
}

void HealthServer::Stop() { impl_->Stop(); }

}  // namespace claw
