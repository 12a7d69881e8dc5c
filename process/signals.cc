#include "process/signals.h"

#include <errno.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "base/signal_names.h"

namespace claw {

Result<SignalSetup> BlockSignals() {
  SignalSetup setup;
  sigset_t all;
  sigfillset(&all);
  for (int signo = 1; signo < NSIG; ++signo) {
    if (IsFaultSignal(signo)) sigdelset(&all, signo);
  }
  if (sigprocmask(SIG_SETMASK, &all, &setup.original_mask) != 0) {
    return Error{std::string("sigprocmask: ") + strerror(errno), ExitCode::kFailure};
  }
  int fd = signalfd(-1, &all, SFD_NONBLOCK | SFD_CLOEXEC);
  if (fd < 0) return Error{std::string("signalfd: ") + strerror(errno), ExitCode::kFailure};
  setup.fd.Reset(fd);
  return setup;
}

std::vector<int> DrainSignalFd(int fd) {
  std::vector<int> signals;
  signalfd_siginfo info[16];
  for (;;) {
    ssize_t n = read(fd, info, sizeof info);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    for (size_t i = 0; i < static_cast<size_t>(n) / sizeof(signalfd_siginfo); ++i) {
      signals.push_back(static_cast<int>(info[i].ssi_signo));
    }
    // A short read means the queue is empty: a signal arriving later makes
    // the fd readable again, so a second read() would only say EAGAIN.
    if (static_cast<size_t>(n) < sizeof info) break;
  }
  return signals;
}

SignalAction ClassifySignal(int signo, const std::map<int, int>& rewrite, int stop_signal) {
  using Kind = SignalAction::Kind;
  if (signo == SIGCHLD) return {Kind::kReap, 0};
  if (!IsForwardable(signo)) return {Kind::kDrop, 0};
  auto it = rewrite.find(signo);
  if (it != rewrite.end() && it->second == 0) return {Kind::kDrop, 0};
  if (signo == SIGTERM || signo == SIGINT) {
    int send = it != rewrite.end() ? it->second : (signo == SIGTERM ? stop_signal : SIGINT);
    return {Kind::kStop, send};
  }
  return {Kind::kForward, it != rewrite.end() ? it->second : signo};
}

}  // namespace claw
