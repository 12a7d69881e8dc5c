#include "process/signals.h"

#include <errno.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "base/signal_names.h"

namespace claw {
namespace {

bool IsJobControlStop(int signo) { return signo == SIGTSTP || signo == SIGTTIN || signo == SIGTTOU; }

bool IsStopSignal(int signo) { return signo == SIGSTOP || IsJobControlStop(signo); }

}  // namespace

Result<SignalSetup> BlockSignals() {
  SignalSetup setup;
  sigset_t all;
  sigfillset(&all);
  if (sigprocmask(SIG_SETMASK, &all, &setup.original_mask) != 0) {
    return Error{std::string("sigprocmask: ") + strerror(errno), ExitCode::kFailure};
  }
  int fd = signalfd(-1, &all, SFD_NONBLOCK | SFD_CLOEXEC);
  if (fd < 0) return Error{std::string("signalfd: ") + strerror(errno), ExitCode::kFailure};
  setup.fd.Reset(fd);
  return setup;
}

std::vector<ReceivedSignal> DrainSignalFd(int fd) {
  std::vector<ReceivedSignal> signals;
  signalfd_siginfo info[16];
  for (;;) {
    ssize_t n = read(fd, info, sizeof info);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    for (size_t i = 0; i < static_cast<size_t>(n) / sizeof(signalfd_siginfo); ++i) {
      signals.push_back({static_cast<int>(info[i].ssi_signo), info[i].ssi_code});
    }
    // A short read means the queue is empty: a signal arriving later makes
    // the fd readable again, so a second read() would only say EAGAIN.
    if (static_cast<size_t>(n) < sizeof info) break;
  }
  return signals;
}

SignalAction ClassifySignal(const ReceivedSignal& signal, const SignalPolicy& policy) {
  using Kind = SignalAction::Kind;
  const int signo = signal.signo;
  // A kernel code on a fault signal: the kernel means claw-init itself.
  if (IsFaultSignal(signo) && signal.code > 0) return {Kind::kOwnFault, signo};
  if (signo == SIGCHLD) return {Kind::kReap, 0};
  if (!IsForwardable(signo)) return {Kind::kDrop, 0};
  auto it = policy.rewrite.find(signo);
  const bool rewritten = it != policy.rewrite.end();
  if (rewritten && it->second == 0) return {Kind::kDrop, 0};
  if (signo == SIGTERM || signo == SIGINT) {
    int send = rewritten ? it->second : (signo == SIGTERM ? policy.stop_signal : SIGINT);
    return {Kind::kStop, send};
  }
  int send = rewritten ? it->second : signo;
  if (!policy.job_control) return {Kind::kForward, send};
  if (!rewritten && policy.runtime_orphaned && IsJobControlStop(signo)) send = SIGSTOP;
  // claw-init follows the runtime: whatever stops the runtime stops it too.
  return {IsStopSignal(send) ? Kind::kSuspend : Kind::kForward, send};
}

void DieBySignal(int signo) {
  signal(signo, SIG_DFL);
  sigset_t one;
  sigemptyset(&one);
  sigaddset(&one, signo);
  sigprocmask(SIG_UNBLOCK, &one, nullptr);
  // Delivered to this thread before raise() returns.
  raise(signo);
  _exit(128 + signo);
}

}  // namespace claw
