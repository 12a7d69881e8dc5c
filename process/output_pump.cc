#include "process/output_pump.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>

namespace claw {
namespace {

constexpr size_t kReadChunk = 64 * 1024;
constexpr int kEvents = 16;
// Writes to a sink that can block and could not be made non-blocking stay
// within what a pipe with room takes without blocking.
constexpr size_t kAtomicWrite = PIPE_BUF;

std::string Errno(const char* what) { return std::string(what) + ": " + strerror(errno); }

// A write to a pipe nobody reads raised SIGPIPE for this thread (blocked,
// so it waits). It is claw-init's own, not one to forward to the runtime:
// take it before the loop reads the signalfd.
void TakeOwnSigpipe() {
  sigset_t pipe_only;
  sigemptyset(&pipe_only);
  sigaddset(&pipe_only, SIGPIPE);
  const timespec now{0, 0};
  const int saved = errno;
  sigtimedwait(&pipe_only, nullptr, &now);
  errno = saved;
}

}  // namespace

struct OutputPump::Sink {
  enum class Kind {
    kFile,        // a regular file, /dev/null: writes complete, no polling
    kNonBlocking, // a pipe or terminal reopened O_NONBLOCK (its own description)
    kSocket,      // send(MSG_DONTWAIT)
    kSmallWrites, // could not be made non-blocking: PIPE_BUF writes when ready
  };
  Kind kind = Kind::kFile;
  int fd = -1;
  UniqueFd reopened;
  std::string pending;
  size_t head = 0;  // pending[head..] is still to go
  bool watched = false;
  bool broken = false;  // the reader went away: what comes is dropped
  size_t size() const { return pending.size() - head; }
};

struct OutputPump::Stream {
  UniqueFd fd;
  Sink* sink = nullptr;
  Redactor redactor;
  bool watched = false;
  explicit Stream(const std::vector<std::string>& secrets) : redactor(secrets) {}
};

Result<std::unique_ptr<OutputPump>> OutputPump::Create(std::vector<std::string> secrets, std::array<int, 2> out_fds) {
  std::unique_ptr<OutputPump> pump(new OutputPump());
  pump->secrets_ = std::move(secrets);
  pump->epoll_fd_ = UniqueFd(epoll_create1(EPOLL_CLOEXEC));
  if (!pump->epoll_fd_.valid()) return Error{Errno("epoll_create1")};
  for (int out : out_fds) {
    auto sink = std::make_unique<Sink>();
    sink->fd = out;
    struct stat st {};
    if (fstat(out, &st) != 0) return Error{Errno(("fstat of fd " + std::to_string(out)).c_str())};
    if (S_ISSOCK(st.st_mode)) {
      sink->kind = Sink::Kind::kSocket;
    } else if (S_ISFIFO(st.st_mode) || S_ISCHR(st.st_mode)) {
      // A description of its own, so O_NONBLOCK does not change the one
      // claw-init shares with whoever started it.
      const std::string path = "/proc/self/fd/" + std::to_string(out);
      sink->reopened = UniqueFd(open(path.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY));
      if (sink->reopened.valid()) {
        sink->kind = Sink::Kind::kNonBlocking;
        sink->fd = sink->reopened.get();
      } else {
        sink->kind = Sink::Kind::kSmallWrites;
      }
    }
    if (sink->kind != Sink::Kind::kFile) {
      epoll_event ev{};
      ev.data.ptr = sink.get();
      // A character device that cannot be polled (/dev/null) never blocks.
      if (epoll_ctl(pump->epoll_fd_.get(), EPOLL_CTL_ADD, sink->fd, &ev) != 0) {
        if (errno != EPERM) return Error{Errno("epoll_ctl")};
        sink->kind = Sink::Kind::kFile;
      }
    }
    pump->sinks_.push_back(std::move(sink));
  }
  return pump;
}

OutputPump::~OutputPump() = default;

Result<std::array<UniqueFd, 2>> OutputPump::NewRun() {
  std::array<UniqueFd, 2> write_ends;
  for (size_t i = 0; i < 2; ++i) {
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) return Error{Errno("pipe2")};
    auto stream = std::make_unique<Stream>(secrets_);
    stream->fd = UniqueFd(fds[0]);
    write_ends[i] = UniqueFd(fds[1]);
    fcntl(fds[0], F_SETFL, O_NONBLOCK);
    stream->sink = sinks_[i].get();
    streams_.push_back(std::move(stream));
  }
  UpdateInterest();
  return write_ends;
}

// Reads at most `budget` bytes (never past the sink's limit) and passes them
// through the redactor into the sink; at EOF the redactor's held-back bytes
// follow and the stream is closed.
void OutputPump::ReadStream(Stream& stream, size_t budget) {
  char buf[kReadChunk];
  while (budget > 0 && stream.fd.valid()) {
    const size_t room = kPumpBufferLimit - std::min(kPumpBufferLimit, stream.sink->size());
    if (room == 0) return;
    const ssize_t n = read(stream.fd.get(), buf, std::min({sizeof buf, budget, room}));
    if (n > 0) {
      stream.redactor.Feed(std::string_view(buf, static_cast<size_t>(n)), stream.sink->pending);
      budget -= static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
    CloseStream(stream);  // EOF (or a read error, which is the same to us)
  }
}

void OutputPump::CloseStream(Stream& stream) {
  stream.redactor.Finish(stream.sink->pending);
  if (stream.watched) epoll_ctl(epoll_fd_.get(), EPOLL_CTL_DEL, stream.fd.get(), nullptr);
  stream.watched = false;
  stream.fd.Reset();
}

void OutputPump::Flush(Sink& sink) {
  while (sink.size() > 0 && !sink.broken) {
    const char* data = sink.pending.data() + sink.head;
    size_t len = sink.size();
    if (sink.kind == Sink::Kind::kSmallWrites) len = std::min(len, kAtomicWrite);
    const ssize_t n = sink.kind == Sink::Kind::kSocket ? send(sink.fd, data, len, MSG_DONTWAIT | MSG_NOSIGNAL)
                                                        : write(sink.fd, data, len);
    if (n > 0) {
      sink.head += static_cast<size_t>(n);
      if (sink.kind == Sink::Kind::kSmallWrites) break;  // one write per readiness
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
    if (errno == EPIPE) TakeOwnSigpipe();
    sink.broken = true;  // EPIPE and the like: nobody reads this any more
  }
  if (sink.broken || sink.size() == 0) {
    sink.pending.clear();
    sink.head = 0;
  } else if (sink.head >= kPumpBufferLimit) {
    sink.pending.erase(0, sink.head);
    sink.head = 0;
  }
}

// Streams are watched only while their sink has room: a paused stream is
// out of the epoll set, so its hang-up cannot wake the loop while it waits.
// Sinks are watched for room only while they hold something.
void OutputPump::UpdateInterest() {
  for (auto& stream : streams_) {
    if (!stream->fd.valid()) continue;
    const bool want = stream->sink->size() < kPumpBufferLimit;
    if (want == stream->watched) continue;
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.ptr = stream.get();
    epoll_ctl(epoll_fd_.get(), want ? EPOLL_CTL_ADD : EPOLL_CTL_DEL, stream->fd.get(), &ev);
    stream->watched = want;
  }
  for (auto& sink : sinks_) {
    if (sink->kind == Sink::Kind::kFile) continue;
    const bool want = sink->size() > 0 && !sink->broken;
    if (want == sink->watched) continue;
    epoll_event ev{};
    ev.events = want ? EPOLLOUT : 0;
    ev.data.ptr = sink.get();
    epoll_ctl(epoll_fd_.get(), EPOLL_CTL_MOD, sink->fd, &ev);
    sink->watched = want;
  }
  streams_.erase(std::remove_if(streams_.begin(), streams_.end(), [](const auto& s) { return !s->fd.valid(); }),
                 streams_.end());
}

void OutputPump::Dispatch() {
  epoll_event events[kEvents];
  const int n = epoll_wait(epoll_fd_.get(), events, kEvents, 0);
  for (int i = 0; i < n; ++i) {
    void* tag = events[i].data.ptr;
    auto sink = std::find_if(sinks_.begin(), sinks_.end(), [tag](const auto& s) { return s.get() == tag; });
    if (sink != sinks_.end()) {
      Flush(**sink);
      continue;
    }
    for (auto& stream : streams_) {
      if (stream.get() != tag) continue;
      ReadStream(*stream, kPumpBufferLimit);
      Flush(*stream->sink);
    }
  }
  for (auto& sink : sinks_) {
    if (sink->kind == Sink::Kind::kFile) Flush(*sink);
  }
  UpdateInterest();
}

void OutputPump::Drain(std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  auto left_ms = [&] {
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    return static_cast<int>(std::max<long long>(0, ms.count()));
  };
  for (;;) {
    bool more = false;
    for (auto& stream : streams_) {
      if (!stream->fd.valid()) continue;
      ReadStream(*stream, kPumpBufferLimit);
      Flush(*stream->sink);
      // Still open with room left: nothing more is there now (a survivor
      // may hold the pipe): it ends here.
      if (stream->fd.valid() && stream->sink->size() < kPumpBufferLimit) CloseStream(*stream);
      more |= stream->fd.valid();
    }
    for (auto& sink : sinks_) Flush(*sink);
    bool waiting = false;
    for (auto& sink : sinks_) waiting |= sink->size() > 0 && !sink->broken;
    if ((!more && !waiting) || left_ms() == 0) break;
    // Wait for the slowest sink to take some.
    std::vector<pollfd> fds;
    for (auto& sink : sinks_) {
      if (sink->size() > 0 && !sink->broken && sink->kind != Sink::Kind::kFile) fds.push_back({sink->fd, POLLOUT, 0});
    }
    if (!fds.empty()) poll(fds.data(), fds.size(), std::min(left_ms(), 100));
  }
  UpdateInterest();
}

size_t OutputPump::buffered() const {
  size_t n = 0;
  for (const auto& sink : sinks_) n += sink->size();
  return n;
}

size_t OutputPump::open_streams() const {
  size_t n = 0;
  for (const auto& stream : streams_) n += stream->fd.valid() ? 1 : 0;
  return n;
}

}  // namespace claw
