#include "health/connection_poller.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>

#include "base/log.h"

namespace claw {
namespace {

using Clock = std::chrono::steady_clock;

// Beyond this many open connections the one closest to its deadline (idle or
// trickling alike) is dropped to make room; well under the usual 1024
// descriptor limit.
constexpr size_t kMaxConnections = 512;
// Request line plus headers. Health probes send a few hundred bytes.
constexpr size_t kMaxRequestBytes = 8 * 1024;
// From the first byte of a request to the end of its header: what bounds a
// client that trickles a byte at a time.
constexpr std::chrono::seconds kRequestTimeout(5);
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

bool HeaderComplete(const Connection& conn) { return conn.in.find("\r\n\r\n") != std::string::npos; }

// After a reply: the next request's clock starts now, whether part of it
// is already buffered or the connection is idle.
void Rearm(Connection* conn) {
  if (conn->in.empty() && conn->in.capacity() > 1024) std::string().swap(conn->in);  // idle keep-alives stay small
  conn->request_started = !conn->in.empty();
  conn->deadline = Clock::now() + (conn->request_started ? kRequestTimeout : kIdleTimeout);
}

}  // namespace

ConnectionPoller::ConnectionPoller(Hooks hooks) : hooks_(std::move(hooks)) {}

ConnectionPoller::~ConnectionPoller() = default;

Status ConnectionPoller::Listen(const HostPort& address) {
  auto fd = ListenOn(address);
  if (!fd) return fd.error();
  listen_fd_ = std::move(fd).value();
  next_sweep_ = Clock::now() + kSweepInterval;
  sockaddr_storage bound{};
  socklen_t length = sizeof bound;
  if (getsockname(listen_fd_.get(), reinterpret_cast<sockaddr*>(&bound), &length) == 0) {
    bound_port_ = bound.ss_family == AF_INET6 ? ntohs(reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port)
                                              : ntohs(reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
  }
  epoll_fd_.Reset(epoll_create1(EPOLL_CLOEXEC));
  stop_fd_.Reset(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
  wake_fd_.Reset(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
  if (!epoll_fd_.valid() || !stop_fd_.valid() || !wake_fd_.valid()) {
    return Error{std::string("epoll/eventfd: ") + strerror(errno)};
  }
  if (!Watch(listen_fd_.get(), &kListenTag, EPOLL_CTL_ADD, EPOLLIN) ||
      !Watch(stop_fd_.get(), &kStopTag, EPOLL_CTL_ADD, EPOLLIN) ||
      !Watch(wake_fd_.get(), &kWakeTag, EPOLL_CTL_ADD, EPOLLIN)) {
    return Error{std::string("epoll_ctl: ") + strerror(errno)};
  }
  return Ok{};
}

void ConnectionPoller::RequestStop() {
  uint64_t one = 1;
  if (::write(stop_fd_.get(), &one, sizeof one) < 0) LogWarn(std::string("health: stop: ") + strerror(errno));
}

void ConnectionPoller::Return(Connection* conn) {
  {
    std::lock_guard<std::mutex> lock(returned_mutex_);
    returned_.push_back(conn);
  }
  uint64_t one = 1;
  (void)!::write(wake_fd_.get(), &one, sizeof one);
}

void ConnectionPoller::CloseAll() {
  conns_.clear();
  graveyard_.clear();
  listen_fd_.Reset();
}

bool ConnectionPoller::Watch(int fd, void* tag, int op, uint32_t events) {
  epoll_event ev{};
  ev.events = events;
  ev.data.ptr = tag;
  return epoll_ctl(epoll_fd_.get(), op, fd, &ev) == 0;
}

// ---- one pass ----------------------------------------------------------------
//
// Requests are answered right here when that cannot block, which is nearly
// always (the hooks decide); only a request that must wait goes elsewhere.

void ConnectionPoller::Run() {
  while (Pass(PassTimeoutMs(Clock::now()))) {
  }
}

// Sweeps are due only while there is something to sweep: with no
// connection the poller sleeps until the next event.
int ConnectionPoller::PassTimeoutMs(Clock::time_point now) const {
  if (conns_.empty() && !accept_paused_) return -1;
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(next_sweep_ - now).count();
  return static_cast<int>(std::max<long long>(0, left));
}

// One epoll_wait and what it reports; false once asked to stop (or when
// epoll itself fails).
bool ConnectionPoller::Pass(int timeout_ms, int max_events) {
  epoll_event events[64];
  int n = epoll_wait(epoll_fd_.get(), events, std::clamp(max_events, 1, 64), timeout_ms);
  if (n < 0) {
    if (errno == EINTR) return true;
    LogError(std::string("health: epoll_wait: ") + strerror(errno) + "; the health server stops");
    return false;
  }
  for (int i = 0; i < n; ++i) {
    void* tag = events[i].data.ptr;
    if (tag == &kStopTag) return false;
    if (tag == &kListenTag) {
      AcceptAll();
    } else if (tag == &kWakeTag) {
      uint64_t count;
      while (::read(wake_fd_.get(), &count, sizeof count) > 0) {
      }
      TakeReturned();
    } else {
      OnEvent(static_cast<Connection*>(tag));
    }
  }
  Clock::time_point now = Clock::now();
  if (now >= next_sweep_) {
    Sweep(now);
    next_sweep_ = now + kSweepInterval;
  }
  graveyard_.clear();
  return true;
}

// Accepts up to kAcceptBatch connections; the listening socket is
// level-triggered, so the next epoll_wait reports the rest.
void ConnectionPoller::AcceptAll() {
  for (int batch = 0; batch < kAcceptBatch; ++batch) {
    int fd = accept4(listen_fd_.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return;
      if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
        // Out of descriptors: make room, or stop accepting until the next
        // sweep so a full backlog does not spin this loop.
        if (!EvictIdle()) {
          Watch(listen_fd_.get(), &kListenTag, EPOLL_CTL_MOD, 0);
          accept_paused_ = true;
          return;
        }
        continue;
      }
      LogWarn(std::string("health: accept: ") + strerror(errno));
      return;
    }
    if (conns_.size() >= kMaxConnections && !EvictIdle()) {
      ::close(fd);
      continue;
    }
    // A fixed, small send buffer: replies are under 1 KiB, and a client
    // that does not read them ties up 16 KiB of kernel memory, not MiBs.
    int sndbuf = kSendBuffer;
    setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);
    auto conn = std::make_unique<Connection>();
    conn->fd.Reset(fd);
    conn->deadline = Clock::now() + kIdleTimeout;
    Connection* raw = conn.get();
    if (!Watch(fd, raw, EPOLL_CTL_ADD, EPOLLIN)) continue;  // conn (and fd) freed here
    conns_.emplace(raw, std::move(conn));
  }
}

void ConnectionPoller::OnEvent(Connection* conn) {
  if (conn->dead || conn->busy) return;
  if (conn->writing) {
    if (Flush(conn)) {
      conn->writing = false;
      if (!Watch(conn->fd.get(), conn, EPOLL_CTL_MOD, EPOLLIN)) return Close(conn);
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
void ConnectionPoller::Advance(Connection* conn) {
  bool answered = false;
  while (HeaderComplete(*conn)) {
    if (!hooks_.serve(*conn)) return Defer(conn);
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

// Sends what it can of conn->out without blocking. True when all is sent
// and the connection stays open; false when it must wait for EPOLLOUT or
// has been closed (conn->dead).
bool ConnectionPoller::Flush(Connection* conn) {
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

void ConnectionPoller::Defer(Connection* conn) {
  epoll_ctl(epoll_fd_.get(), EPOLL_CTL_DEL, conn->fd.get(), nullptr);
  conn->busy = true;
  hooks_.defer(conn);
}

void ConnectionPoller::TakeReturned() {
  std::vector<Connection*> back;
  {
    std::lock_guard<std::mutex> lock(returned_mutex_);
    back.swap(returned_);
  }
  for (Connection* conn : back) {
    conn->busy = false;
    if (conn->close_after) {
      Close(conn);
      continue;
    }
    if (!Watch(conn->fd.get(), conn, EPOLL_CTL_ADD, EPOLLIN)) {
      Close(conn);
      continue;
    }
    Rearm(conn);
    Advance(conn);
  }
}

// Closes connections past their deadline (idle, trickling a request, or
// not reading their replies).
void ConnectionPoller::Sweep(Clock::time_point now) {
  std::vector<Connection*> expired;
  for (auto& [raw, conn] : conns_) {
    if (!conn->busy && now >= conn->deadline) expired.push_back(raw);
  }
  for (Connection* conn : expired) Close(conn);
  if (accept_paused_) {
    accept_paused_ = false;
    Watch(listen_fd_.get(), &kListenTag, EPOLL_CTL_MOD, EPOLLIN);
  }
}

// Drops the connection closest to its deadline; false if all are deferred.
// Trickling clients count too: were only idle ones dropped, 512 clients
// sending a byte a second would hold every slot and each new probe would be
// closed unanswered. A real probe sends its request at once and is answered
// in the same pass, so it is never the one closest to its deadline; whoever
// has held a slot longest goes.
bool ConnectionPoller::EvictIdle() {
  Connection* victim = nullptr;
  for (auto& [raw, conn] : conns_) {
    if (conn->busy) continue;
    if (victim == nullptr || conn->deadline < victim->deadline) victim = raw;
  }
  if (victim == nullptr) return false;
  Close(victim);
  return true;
}

// Frees the connection's descriptor now and its memory at the end of this
// pass, since a later event of the same batch may still name it.
void ConnectionPoller::Close(Connection* conn) {
  auto it = conns_.find(conn);
  if (it == conns_.end()) return;
  epoll_ctl(epoll_fd_.get(), EPOLL_CTL_DEL, conn->fd.get(), nullptr);
  conn->fd.Reset();
  conn->dead = true;
  graveyard_.push_back(std::move(it->second));
  conns_.erase(it);
}

}  // namespace claw
