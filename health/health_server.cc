// The only translation unit that includes cpp-httplib. Only its request
// parser and response writer are used (Server::process_request, through a
// subclass); sockets, threads and timeouts are ours, because httplib 0.11
// gives every connection a worker thread for as long as the client likes.
#define CPPHTTPLIB_USE_POLL  // no FD_SETSIZE limit on descriptor numbers
#include "health/health_server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <httplib.h>

#include <deque>
#include <thread>
#include <unordered_map>
#include <vector>

#include "claw_version.h"
#include "base/log.h"
#include "base/unique_fd.h"
#include "health/routes.h"

namespace claw {
namespace {

using Clock = std::chrono::steady_clock;

// Workers only answer requests that wait for an upstream check (and run
// background refreshes of it); the poller answers everything else.
constexpr size_t kWorkers = 4;
// Beyond this many open connections the one closest to its deadline (idle or
// trickling alike) is dropped to make room; well under the usual 1024
// descriptor limit.
constexpr size_t kMaxConnections = 512;
// Request line plus headers. Health probes send a few hundred bytes.
constexpr size_t kMaxRequestBytes = 8 * 1024;
// A connection with no request in progress is closed after this (keep-alive
// idle time, and the time a new connection has to start its request).
constexpr std::chrono::seconds kIdleTimeout(5);
// From the first byte of a request to the end of its header: what bounds a
// client that trickles a byte at a time.
constexpr std::chrono::seconds kRequestTimeout(5);
constexpr size_t kMaxRequestsPerConnection = 100;
constexpr std::chrono::seconds kWriteTimeout(1);
constexpr int kSendBuffer = 8 * 1024;  // the kernel doubles it
constexpr std::chrono::milliseconds kSweepInterval(250);
// Connections accepted per poller pass. Between batches the pass reads what
// the connections already accepted have sent: otherwise a flood of new
// connections could cycle the whole table (evicting the oldest) before a
// probe accepted at the start of it is ever read.
constexpr int kAcceptBatch = 64;

// Addresses of these tell the poller's own descriptors apart from connections.
char kListenTag;
char kStopTag;
char kWakeTag;

// Set by the handlers for the connection the calling worker is serving: the
// request was one after which the byte stream cannot be trusted (a body we
// did not read, a parse error), so the connection is closed after the reply.
thread_local bool tl_close_after = false;
// The upstream result the poller chose for the request it is answering;
// null on workers, which may wait for a fresh check.
thread_local const UpstreamResult* tl_upstream = nullptr;

// httplib::Server's constructor ignores SIGPIPE process-wide, and an ignored
// signal stays ignored across exec: the runtime would inherit it. This base
// is built first and restores the disposition once Server's is done.
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
  BufferedStream(int fd, const std::string& in) : fd_(fd), in_(in) {}
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
  socket_t socket() const override { return fd_; }

  size_t consumed() const { return pos_; }
  const std::string& output() const { return out_; }

 private:
  int fd_;
  const std::string& in_;
  size_t pos_ = 0;
  std::string out_;
};

bool WriteAll(int fd, const std::string& data, Clock::time_point deadline) {
  size_t sent = 0;
  while (sent < data.size()) {
    ssize_t n = send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (n > 0) {
      sent += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
      if (left <= 0) return false;
      pollfd pfd{fd, POLLOUT, 0};
      if (poll(&pfd, 1, static_cast<int>(left)) < 0 && errno != EINTR) return false;
      continue;
    }
    return false;
  }
  return true;
}

Result<UniqueFd> ListenOn(const HostPort& address) {
  auto where = ToSocketAddress(address);
  if (!where) return where.error();
  const SocketAddress& target = where.value();
  UniqueFd fd(socket(target.family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return Error{std::string("socket: ") + strerror(errno)};
  int one = 1;
  // SO_REUSEADDR lets a restarted claw-init bind past TIME_WAIT. Not
  // SO_REUSEPORT (httplib's default): two servers sharing the port silently
  // is exactly the taken-port case we must notice.
  setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (address.ipv6) {
    // [::] means every address, IPv4 included, whatever the host's default.
    int v6only = 0;
    setsockopt(fd.get(), IPPROTO_IPV6, IPV6_V6ONLY, &v6only, sizeof v6only);
  }
  if (bind(fd.get(), target.get(), target.length) != 0) {
    return Error{std::string("bind: ") + strerror(errno)};
  }
  // A deep accept queue (the kernel caps it at net.core.somaxconn): when a
  // flood of connections outpaces the poller, a full queue drops SYNs, and a
  // probe whose SYN is dropped waits a whole second for the retransmit.
  if (listen(fd.get(), 4096) != 0) return Error{std::string("listen: ") + strerror(errno)};
  return fd;
}

}  // namespace

struct HealthServer::Impl {
  // A client connection. The poller owns it; while `busy`, a worker does,
  // and the poller neither watches nor touches it.
  struct Conn {
    UniqueFd fd;
    std::string in;   // received, not yet parsed
    std::string out;  // reply bytes not yet sent
    Clock::time_point deadline;
    bool request_started = false;  // `in` holds part of a request
    bool busy = false;
    bool writing = false;      // waiting for the socket to take `out`
    bool peer_closed = false;  // EOF seen: answer what is buffered, then close
    bool close_after = false;  // close once `out` is sent
    bool dead = false;         // closed; freed at the end of the poller pass
    size_t served = 0;
  };

  explicit Impl(HealthServerConfig c) : config(std::move(c)) {
    if (config.upstream || config.check) {
      UpstreamChecker::CheckFunction check = config.check;
      if (!check) check = [url = *config.upstream] { return CheckUpstream(url); };
      checker = std::make_unique<UpstreamChecker>(std::move(check), kMaxUpstreamAge);
    }
    core.set_keep_alive_timeout(std::chrono::duration_cast<std::chrono::seconds>(kIdleTimeout).count());
    core.set_keep_alive_max_count(kMaxRequestsPerConnection);
    core.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
      return Handle(req, res);
    });
    core.set_error_handler(
        httplib::Server::HandlerWithResponse([](const httplib::Request&, httplib::Response& res) {
          // 400, 413, 414, 416, 431 come from httplib's parser: the stream may
          // be out of step with request boundaries.
          if (ClosesAfterError(res.status)) tl_close_after = true;
          return httplib::Server::HandlerResponse::Unhandled;
        }));
  }

  ~Impl() { Stop(); }

  Status Listen() {
    auto fd = ListenOn(config.listen);
    if (!fd) return fd.error();
    listen_fd = std::move(fd).value();
    sockaddr_storage bound{};
    socklen_t length = sizeof bound;
    if (getsockname(listen_fd.get(), reinterpret_cast<sockaddr*>(&bound), &length) == 0) {
      bound_port = bound.ss_family == AF_INET6 ? ntohs(reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port)
                                               : ntohs(reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
    }
    epoll_fd.Reset(epoll_create1(EPOLL_CLOEXEC));
    stop_fd.Reset(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
    wake_fd.Reset(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
    if (!epoll_fd.valid() || !stop_fd.valid() || !wake_fd.valid()) {
      return Error{std::string("epoll/eventfd: ") + strerror(errno)};
    }
    if (!Watch(listen_fd.get(), &kListenTag, EPOLL_CTL_ADD) || !Watch(stop_fd.get(), &kStopTag, EPOLL_CTL_ADD) ||
        !Watch(wake_fd.get(), &kWakeTag, EPOLL_CTL_ADD)) {
      return Error{std::string("epoll_ctl: ") + strerror(errno)};
    }
    return Ok{};
  }

  void StartThreads() {
    // Threads inherit the creating thread's mask: block everything while
    // creating them, so no signal can ever be delivered to one of ours, even
    // if the caller forgot to block signals first.
    sigset_t all;
    sigset_t previous;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &previous);
    poller = std::thread([this] { PollLoop(); });
    // Workers only ever wait for the upstream: without one, none is needed
    // (four fewer threads to create at start and to join at exit).
    if (checker) {
      for (size_t i = 0; i < kWorkers; ++i) workers.emplace_back([this] { WorkLoop(); });
    }
    pthread_sigmask(SIG_SETMASK, &previous, nullptr);
  }

  void Stop() {
    std::lock_guard<std::mutex> stop_lock(stop_mutex);
    if (poller.joinable()) {
      uint64_t one = 1;
      if (::write(stop_fd.get(), &one, sizeof one) < 0) LogWarn(std::string("health: stop: ") + strerror(errno));
      poller.join();
    }
    {
      std::lock_guard<std::mutex> lock(queue_mutex);
      stopping = true;
      queue.clear();
    }
    queue_cv.notify_all();
    for (auto& w : workers) {
      if (w.joinable()) w.join();
    }
    workers.clear();
    conns.clear();
    graveyard.clear();
    listen_fd.Reset();
    running = false;
  }

  bool Watch(int fd, void* tag, int op, uint32_t events = EPOLLIN) {
    epoll_event ev{};
    ev.events = events;
    ev.data.ptr = tag;
    return epoll_ctl(epoll_fd.get(), op, fd, &ev) == 0;
  }

  // ---- poller thread -------------------------------------------------------
  //
  // Requests are answered right here when that cannot block, which is
  // nearly always: every route but the upstream-dependent ones, and those too
  // while the cached check is recent enough. Only a request that must wait
  // for a fresh upstream check goes to a worker.

  void PollLoop() {
    epoll_event events[64];
    Clock::time_point next_sweep = Clock::now() + kSweepInterval;
    for (;;) {
      int timeout = -1;
      if (!conns.empty() || accept_paused) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(next_sweep - Clock::now()).count();
        timeout = static_cast<int>(std::max<long long>(0, left));
      }
      int n = epoll_wait(epoll_fd.get(), events, 64, timeout);
      if (n < 0) {
        if (errno == EINTR) continue;
        LogError(std::string("health: epoll_wait: ") + strerror(errno) + "; the health server stops");
        return;
      }
      for (int i = 0; i < n; ++i) {
        void* tag = events[i].data.ptr;
        if (tag == &kStopTag) return;
        if (tag == &kListenTag) {
          AcceptAll();
        } else if (tag == &kWakeTag) {
          uint64_t count;
          while (::read(wake_fd.get(), &count, sizeof count) > 0) {
          }
          TakeReturned();
        } else {
          OnEvent(static_cast<Conn*>(tag));
        }
      }
      Clock::time_point now = Clock::now();
      if (now >= next_sweep) {
        Sweep(now);
        next_sweep = now + kSweepInterval;
      }
      graveyard.clear();
    }
  }

  // Accepts up to kAcceptBatch connections; the listening socket is
  // level-triggered, so the next epoll_wait reports the rest.
  void AcceptAll() {
    for (int batch = 0; batch < kAcceptBatch; ++batch) {
      int fd = accept4(listen_fd.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd < 0) {
        if (errno == EINTR || errno == ECONNABORTED) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) return;
        if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
          // Out of descriptors: make room, or stop accepting until the next
          // sweep so a full backlog does not spin this loop.
          if (!EvictIdle()) {
            Watch(listen_fd.get(), &kListenTag, EPOLL_CTL_MOD, 0);
            accept_paused = true;
            return;
          }
          continue;
        }
        LogWarn(std::string("health: accept: ") + strerror(errno));
        return;
      }
      if (conns.size() >= kMaxConnections && !EvictIdle()) {
        ::close(fd);
        continue;
      }
      // A fixed, small send buffer: replies are under 1 KiB, and a client
      // that does not read them ties up 16 KiB of kernel memory, not MiBs.
      int sndbuf = kSendBuffer;
      setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);
      auto conn = std::make_unique<Conn>();
      conn->fd.Reset(fd);
      conn->deadline = Clock::now() + kIdleTimeout;
      Conn* raw = conn.get();
      if (!Watch(fd, raw, EPOLL_CTL_ADD)) continue;  // conn (and fd) freed here
      conns.emplace(raw, std::move(conn));
    }
  }

  void OnEvent(Conn* conn) {
    if (conn->dead || conn->busy) return;
    if (conn->writing) {
      if (Flush(conn)) {
        conn->writing = false;
        if (!Watch(conn->fd.get(), conn, EPOLL_CTL_MOD)) return Close(conn);
        Rearm(conn);
        Advance(conn);
      }
      return;
    }
    char buf[4096];
    for (;;) {
      // Never more than kMaxRequestBytes buffered: the string's capacity,
      // and so the memory 512 trickling clients can pin, stays at 8 KiB each.
      size_t room = kMaxRequestBytes - std::min(conn->in.size(), kMaxRequestBytes);
      if (room == 0) break;
      ssize_t n = recv(conn->fd.get(), buf, std::min(sizeof buf, room), 0);
      if (n > 0) {
        if (!conn->request_started) {
          conn->request_started = true;
          conn->deadline = Clock::now() + kRequestTimeout;
        }
        conn->in.append(buf, static_cast<size_t>(n));
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
      if (n == 0) {
        conn->peer_closed = true;
        break;
      }
      return Close(conn);
    }
    Advance(conn);
  }

  // Answers every complete request buffered on `conn` that can be answered
  // without waiting, then sets the connection's next deadline.
  void Advance(Conn* conn) {
    bool answered = false;
    while (HeaderComplete(*conn)) {
      std::optional<UpstreamResult> upstream;
      if (NeedsUpstream(conn->in)) {
        upstream = checker->Peek(kMaxUpstreamAge);
        if (!upstream) {
          upstream = checker->Peek(kUpstreamStaleLimit);
          if (!upstream) return Dispatch(conn);
          RequestRefresh();
        }
      }
      tl_upstream = upstream ? &*upstream : nullptr;
      ServeOne(conn);
      tl_upstream = nullptr;
      answered = true;
      if (!Flush(conn)) {
        if (!conn->dead) {
          conn->writing = true;
          conn->deadline = Clock::now() + kWriteTimeout;
          if (!Watch(conn->fd.get(), conn, EPOLL_CTL_MOD, EPOLLOUT)) Close(conn);
        }
        return;
      }
    }
    if (conn->peer_closed) return Close(conn);
    if (conn->in.size() >= kMaxRequestBytes) {  // full, and no complete header in it
      static const char kTooLarge[] =
          "HTTP/1.1 431 Request Header Fields Too Large\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
      (void)!send(conn->fd.get(), kTooLarge, sizeof kTooLarge - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
      return Close(conn);
    }
    // Only an answered request restarts the clock; bytes that trickle in
    // never do (OnEvent starts it at a request's first byte).
    if (answered) Rearm(conn);
  }

  // After a reply: the next request's clock starts now, whether part of it
  // is already buffered or the connection is idle.
  static void Rearm(Conn* conn) {
    if (conn->in.empty() && conn->in.capacity() > 1024) std::string().swap(conn->in);  // idle keep-alives stay small
    conn->request_started = !conn->in.empty();
    conn->deadline = Clock::now() + (conn->request_started ? kRequestTimeout : kIdleTimeout);
  }

  // Sends what it can of conn->out without blocking. True when all is sent
  // and the connection stays open; false when it must wait for EPOLLOUT or
  // has been closed (conn->dead).
  bool Flush(Conn* conn) {
    size_t sent = 0;
    while (sent < conn->out.size()) {
      ssize_t n = send(conn->fd.get(), conn->out.data() + sent, conn->out.size() - sent, MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n > 0) {
        sent += static_cast<size_t>(n);
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        conn->out.erase(0, sent);
        return false;
      }
      Close(conn);
      return false;
    }
    conn->out.clear();
    if (conn->close_after) {
      Close(conn);
      return false;
    }
    return true;
  }

  // Whether the request at the head of `in` is answered from the upstream
  // check. A rough look at the request line is enough: a request it
  // misjudges is still answered, from the newest cached check.
  bool NeedsUpstream(const std::string& in) const { return checker && UsesUpstream(RouteOfRequestLine(in)); }

  static bool HeaderComplete(const Conn& conn) { return conn.in.find("\r\n\r\n") != std::string::npos; }

  void Dispatch(Conn* conn) {
    epoll_ctl(epoll_fd.get(), EPOLL_CTL_DEL, conn->fd.get(), nullptr);
    conn->busy = true;
    {
      std::lock_guard<std::mutex> lock(queue_mutex);
      queue.push_back(conn);
    }
    queue_cv.notify_one();
  }

  // Asks a worker to refresh the upstream cache in the background.
  void RequestRefresh() {
    if (refresh_queued.exchange(true)) return;
    {
      std::lock_guard<std::mutex> lock(queue_mutex);
      queue.push_back(nullptr);
    }
    queue_cv.notify_one();
  }

  void TakeReturned() {
    std::vector<Conn*> back;
    {
      std::lock_guard<std::mutex> lock(returned_mutex);
      back.swap(returned);
    }
    for (Conn* conn : back) {
      conn->busy = false;
      if (conn->close_after) {
        Close(conn);
        continue;
      }
      if (!Watch(conn->fd.get(), conn, EPOLL_CTL_ADD)) {
        Close(conn);
        continue;
      }
      Rearm(conn);
      Advance(conn);
    }
  }

  // Closes connections past their deadline (idle, trickling a request, or
  // not reading their replies).
  void Sweep(Clock::time_point now) {
    std::vector<Conn*> expired;
    for (auto& [raw, conn] : conns) {
      if (!conn->busy && now >= conn->deadline) expired.push_back(raw);
    }
    for (Conn* conn : expired) Close(conn);
    if (accept_paused) {
      accept_paused = false;
      Watch(listen_fd.get(), &kListenTag, EPOLL_CTL_MOD);
    }
  }

  // Drops the connection closest to its deadline; false if all are with a
  // worker. Trickling clients count too: were only idle ones dropped, 512
  // clients sending a byte a second would hold every slot and each new probe
  // would be closed unanswered. A real probe sends its request at once and
  // is answered in the same pass, so it is never the one closest to its
  // deadline; whoever has held a slot longest goes.
  bool EvictIdle() {
    Conn* victim = nullptr;
    for (auto& [raw, conn] : conns) {
      if (conn->busy) continue;
      if (victim == nullptr || conn->deadline < victim->deadline) victim = raw;
    }
    if (victim == nullptr) return false;
    Close(victim);
    return true;
  }

  // Frees the connection's descriptor now and its memory at the end of this
  // poller pass, since a later event of the same batch may still name it.
  void Close(Conn* conn) {
    auto it = conns.find(conn);
    if (it == conns.end()) return;
    epoll_ctl(epoll_fd.get(), EPOLL_CTL_DEL, conn->fd.get(), nullptr);
    conn->fd.Reset();
    conn->dead = true;
    graveyard.push_back(std::move(it->second));
    conns.erase(it);
  }

  // ---- worker threads ------------------------------------------------------

  void WorkLoop() {
    for (;;) {
      Conn* conn = nullptr;
      {
        std::unique_lock<std::mutex> lock(queue_mutex);
        queue_cv.wait(lock, [this] { return stopping || !queue.empty(); });
        if (stopping) return;
        conn = queue.front();
        queue.pop_front();
      }
      if (conn == nullptr) {  // a background refresh
        checker->Get();
        refresh_queued = false;
        continue;
      }
      ServeOne(conn);  // may wait for the upstream check
      if (!WriteAll(conn->fd.get(), conn->out, Clock::now() + kWriteTimeout)) conn->close_after = true;
      conn->out.clear();
      {
        std::lock_guard<std::mutex> lock(returned_mutex);
        returned.push_back(conn);
      }
      uint64_t one = 1;
      (void)!::write(wake_fd.get(), &one, sizeof one);
    }
  }

  // Parses and answers the request at the head of conn->in; the reply is
  // appended to conn->out. Runs on the poller or on a worker.
  void ServeOne(Conn* conn) {
    BufferedStream stream(conn->fd.get(), conn->in);
    tl_close_after = false;
    const bool last = conn->peer_closed || conn->served + 1 >= kMaxRequestsPerConnection;
    bool connection_closed = false;
    bool ok = false;
    try {
      ok = core.Process(stream, last, connection_closed);
    } catch (...) {
      ok = false;
    }
    conn->in.erase(0, stream.consumed());
    conn->out += stream.output();
    ++conn->served;
    conn->close_after = !ok || last || connection_closed || tl_close_after;
  }

  httplib::Server::HandlerResponse Handle(const httplib::Request& req, httplib::Response& res) {
    RequestHead head{req.method, req.path,
                     req.has_header("Content-Length") || req.has_header("Transfer-Encoding")};
    RouteReply reply = Answer(head, [this](Route route) { return Inputs(route); });
    if (reply.close_after) tl_close_after = true;
    res.status = reply.code;
    for (auto& [name, value] : reply.headers) res.set_header(name, value);
    res.body = std::move(reply.body);
    res.set_header("Content-Type", reply.content_type);
    return httplib::Server::HandlerResponse::Handled;
  }

  HealthInputs Inputs(Route route) {
    HealthInputs in;
    if (checker && route != Route::kLive) {
      if (tl_upstream != nullptr) {
        in.upstream = *tl_upstream;
      } else if (std::this_thread::get_id() != poller.get_id()) {
        in.upstream = checker->Get();
      } else {
        // The poller never waits: NeedsUpstream() misjudged this request.
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
  HttpCore core;

  UniqueFd listen_fd;
  UniqueFd epoll_fd;
  UniqueFd stop_fd;
  UniqueFd wake_fd;
  int bound_port = 0;
  std::atomic<bool> running{false};  // bound and not stopped
  std::mutex stop_mutex;

  std::mutex snapshot_mutex;
  SupervisorSnapshot snapshot;

  // Poller-only state.
  std::unordered_map<Conn*, std::unique_ptr<Conn>> conns;
  std::vector<std::unique_ptr<Conn>> graveyard;
  bool accept_paused = false;

  std::mutex queue_mutex;
  std::condition_variable queue_cv;
  std::deque<Conn*> queue;  // nullptr: refresh the upstream cache
  bool stopping = false;
  std::atomic<bool> refresh_queued{false};

  std::mutex returned_mutex;
  std::vector<Conn*> returned;

  std::thread poller;
  std::vector<std::thread> workers;
};

HealthServer::HealthServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

HealthServer::~HealthServer() { Stop(); }

std::unique_ptr<HealthServer> HealthServer::Start(const Options& options, std::string runtime_name,
                                                  std::string runtime_version) {
  HealthServerConfig config;
  config.runtime = std::move(runtime_name);
  config.version = std::move(runtime_version);
  config.claw_init = CLAW_INIT_VERSION;
  config.start_grace = options.health_start_grace;
  config.serve_after_spawn = true;
  if (!options.health_listen) {
    LogDebug("health: off");
    return std::unique_ptr<HealthServer>(new HealthServer(std::make_unique<Impl>(std::move(config))));
  }
  // Options validated both already; a failure here would be a bug upstream.
  auto listen = ParseHostPort(*options.health_listen);
  if (!listen) {
    LogWarn("health: " + listen.error().message + "; /health is off, supervision goes on");
    return std::unique_ptr<HealthServer>(new HealthServer(std::make_unique<Impl>(std::move(config))));
  }
  config.listen = listen.value();
  if (options.health_upstream) {
    auto url = ParseUpstreamUrl(*options.health_upstream);
    if (url) {
      config.upstream = url.value();
    } else {
      LogWarn("health: " + url.error().message + "; no upstream check");
    }
  }
  return Start(std::move(config));
}

std::unique_ptr<HealthServer> HealthServer::Start(HealthServerConfig config) {
  const std::string where = config.listen.ToString();
  auto impl = std::make_unique<Impl>(std::move(config));
  if (auto st = impl->Listen(); !st) {
    LogWarn("health: cannot listen on " + where + " (" + st.error().message +
            "); /health is off, supervision goes on");
    return std::unique_ptr<HealthServer>(new HealthServer(std::move(impl)));
  }
  impl->running = true;
  if (!impl->config.serve_after_spawn) impl->StartThreads();
  HostPort bound = impl->config.listen;
  bound.port = impl->bound_port;
  LogInfo("health: listening on " + bound.ToString());
  return std::unique_ptr<HealthServer>(new HealthServer(std::move(impl)));
}

bool HealthServer::Running() const { return impl_->running; }

int HealthServer::port() const { return impl_->running ? impl_->bound_port : 0; }

void HealthServer::Publish(const SupervisorSnapshot& snapshot) {
  bool new_run;
  {
    std::lock_guard<std::mutex> lock(impl_->snapshot_mutex);
    new_run = snapshot.started_at != impl_->snapshot.started_at;
    impl_->snapshot = snapshot;
  }
  // A result about the previous run must not make the new one look ready.
  if (new_run && impl_->checker) impl_->checker->Invalidate();
  // Only the owner's thread starts or joins the poller, so joinable() is safe here.
  if (impl_->running && !impl_->poller.joinable() && snapshot.state != RuntimeState::kStarting) {
    impl_->StartThreads();
  }
}

void HealthServer::Stop() { impl_->Stop(); }

}  // namespace claw
