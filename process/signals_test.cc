#include "process/signals.h"

#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

#include <doctest/doctest.h>

#include "base/exit_code.h"

namespace claw {

using Kind = SignalAction::Kind;

TEST_CASE("ClassifySignal: stop, forward, suspend, reap, drop, own fault") {
  constexpr int kUser = SI_USER;  // kill(2)
  struct Case {
    int signo;
    int code;
    std::map<int, int> rewrite;
    int stop_signal;
    bool job_control;       // not PID 1
    bool runtime_orphaned;  // the runtime has its own session
    Kind kind;
    int send;
  };
  const Case cases[] = {
      {SIGTERM, kUser, {}, SIGTERM, false, false, Kind::kStop, SIGTERM},
      {SIGTERM, kUser, {}, SIGQUIT, false, false, Kind::kStop, SIGQUIT},          // --stop-signal
      {SIGINT, kUser, {}, SIGQUIT, false, false, Kind::kStop, SIGINT},            // INT goes on as INT
      {SIGTERM, kUser, {{SIGTERM, SIGINT}}, SIGTERM, false, false, Kind::kStop, SIGINT},  // still a stop
      {SIGTERM, kUser, {{SIGTERM, 0}}, SIGTERM, false, false, Kind::kDrop, 0},    // dropped: no stop
      {SIGINT, kUser, {{SIGINT, 0}}, SIGTERM, false, false, Kind::kDrop, 0},
      {SIGHUP, kUser, {}, SIGTERM, false, false, Kind::kForward, SIGHUP},
      {SIGUSR1, kUser, {{SIGUSR1, SIGUSR2}}, SIGTERM, false, false, Kind::kForward, SIGUSR2},
      {SIGWINCH, kUser, {{SIGWINCH, 0}}, SIGTERM, false, false, Kind::kDrop, 0},
      {SIGCHLD, CLD_EXITED, {}, SIGTERM, false, false, Kind::kReap, 0},
      {SIGRTMIN + 2, SI_QUEUE, {}, SIGTERM, false, false, Kind::kForward, SIGRTMIN + 2},
      // Fault signals sent by a process (kill, sigqueue, tgkill) go on.
      {SIGSEGV, SI_USER, {}, SIGTERM, false, false, Kind::kForward, SIGSEGV},
      {SIGBUS, SI_QUEUE, {}, SIGTERM, true, true, Kind::kForward, SIGBUS},
      {SIGFPE, SI_TKILL, {}, SIGTERM, false, false, Kind::kForward, SIGFPE},
      {SIGILL, SI_USER, {}, SIGTERM, true, false, Kind::kForward, SIGILL},
      {SIGTRAP, SI_USER, {}, SIGTERM, false, true, Kind::kForward, SIGTRAP},
      {SIGSYS, SI_USER, {}, SIGTERM, false, false, Kind::kForward, SIGSYS},
      {SIGABRT, SI_TKILL, {}, SIGTERM, false, false, Kind::kForward, SIGABRT},
      {SIGSEGV, SI_USER, {{SIGSEGV, SIGUSR1}}, SIGTERM, false, false, Kind::kForward, SIGUSR1},  // --rewrite
      {SIGABRT, SI_USER, {{SIGABRT, 0}}, SIGTERM, false, false, Kind::kDrop, 0},
      // With a kernel code they are claw-init's own, whatever --rewrite says.
      {SIGBUS, BUS_MCEERR_AO, {}, SIGTERM, false, false, Kind::kOwnFault, SIGBUS},
      {SIGSEGV, SEGV_MAPERR, {{SIGSEGV, 0}}, SIGTERM, true, false, Kind::kOwnFault, SIGSEGV},
      {SIGSYS, SI_KERNEL, {}, SIGTERM, false, false, Kind::kOwnFault, SIGSYS},
      // A kernel code on any other signal changes nothing.
      {SIGHUP, SI_KERNEL, {}, SIGTERM, false, false, Kind::kForward, SIGHUP},
      // Job control as PID 1: forwarded only.
      {SIGTSTP, kUser, {}, SIGTERM, false, false, Kind::kForward, SIGTSTP},
      {SIGTTIN, kUser, {}, SIGTERM, false, true, Kind::kForward, SIGTTIN},
      // Not PID 1: forwarded, then claw-init stops too.
      {SIGTSTP, kUser, {}, SIGTERM, true, false, Kind::kSuspend, SIGTSTP},
      {SIGTTIN, kUser, {}, SIGTERM, true, false, Kind::kSuspend, SIGTTIN},
      {SIGTTOU, kUser, {}, SIGTERM, true, false, Kind::kSuspend, SIGTTOU},
      // The runtime's group is orphaned: STOP, which the kernel never discards.
      {SIGTSTP, kUser, {}, SIGTERM, true, true, Kind::kSuspend, SIGSTOP},
      {SIGTTOU, kUser, {}, SIGTERM, true, true, Kind::kSuspend, SIGSTOP},
      // ... unless --rewrite says what to send.
      {SIGTSTP, kUser, {{SIGTSTP, SIGTSTP}}, SIGTERM, true, true, Kind::kSuspend, SIGTSTP},
      {SIGTSTP, kUser, {{SIGTSTP, SIGUSR1}}, SIGTERM, true, true, Kind::kForward, SIGUSR1},  // no stop
      {SIGTSTP, kUser, {{SIGTSTP, 0}}, SIGTERM, true, true, Kind::kDrop, 0},
      {SIGUSR2, kUser, {{SIGUSR2, SIGSTOP}}, SIGTERM, true, false, Kind::kSuspend, SIGSTOP},
      // CONT resumes both: forwarded, never a suspension.
      {SIGCONT, kUser, {}, SIGTERM, true, true, Kind::kForward, SIGCONT},
      {SIGCONT, kUser, {}, SIGTERM, false, false, Kind::kForward, SIGCONT},
  };
  for (const auto& c : cases) {
    CAPTURE(c.signo);
    CAPTURE(c.code);
    CAPTURE(c.job_control);
    CAPTURE(c.runtime_orphaned);
    SignalPolicy policy{c.rewrite, c.stop_signal, c.job_control, c.runtime_orphaned};
    auto a = ClassifySignal({c.signo, c.code}, policy);
    CHECK(static_cast<int>(a.kind) == static_cast<int>(c.kind));
    CHECK(a.send == c.send);
  }
}

// Runs `body` in a child that has blocked its signals as claw-init does, and
// returns the child's wait status. doctest's own crash handlers are taken
// down first (claw-init installs none), and no core file is written.
template <typename Body>
int InBlockedChild(Body body) {
  pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    for (int signo = 1; signo < NSIG; ++signo) signal(signo, SIG_DFL);
    rlimit no_core{0, 0};
    setrlimit(RLIMIT_CORE, &no_core);
    auto setup = BlockSignals();
    if (!setup) _exit(90);
    body(setup.value().fd.get());
    _exit(0);
  }
  int status = 0;
  REQUIRE(waitpid(pid, &status, 0) == pid);
  return status;
}

TEST_CASE("BlockSignals: claw-init's own faults still end it") {
  SUBCASE("a synchronous SIGSEGV is forced through the blocked mask") {
    int status = InBlockedChild([](int) {
      volatile int* nowhere = nullptr;
      *nowhere = 1;
    });
    REQUIRE(WIFSIGNALED(status));
    CHECK(WTERMSIG(status) == SIGSEGV);
  }
  SUBCASE("abort() unblocks SIGABRT itself") {
    int status = InBlockedChild([](int) { std::abort(); });
    REQUIRE(WIFSIGNALED(status));
    CHECK(WTERMSIG(status) == SIGABRT);
  }
  SUBCASE("a fault signal with a kernel code, read from the signalfd, ends it through DieBySignal") {
    int status = InBlockedChild([](int fd) {
      // Only a process itself may queue a positive si_code to itself.
      siginfo_t info;
      memset(&info, 0, sizeof info);
      info.si_signo = SIGBUS;
      info.si_code = BUS_MCEERR_AO;
      if (syscall(SYS_rt_sigqueueinfo, getpid(), SIGBUS, &info) != 0) _exit(91);
      auto received = DrainSignalFd(fd);
      if (received.size() != 1 || received[0].signo != SIGBUS || received[0].code != BUS_MCEERR_AO) _exit(92);
      auto action = ClassifySignal(received[0], SignalPolicy{});
      if (action.kind != Kind::kOwnFault) _exit(93);
      DieBySignal(action.send);
    });
    CAPTURE(status);
    REQUIRE(WIFSIGNALED(status));
    CHECK(WTERMSIG(status) == SIGBUS);
  }
  SUBCASE("a fault signal sent with kill is only read, with its code") {
    int status = InBlockedChild([](int fd) {
      kill(getpid(), SIGSEGV);
      sigqueue(getpid(), SIGILL, sigval{7});
      auto received = DrainSignalFd(fd);
      if (received.size() != 2) _exit(94);
      // The signalfd hands out lower numbers first: ILL (4) before SEGV (11).
      if (received[0].signo != SIGILL || received[0].code != SI_QUEUE) _exit(95);
      if (received[1].signo != SIGSEGV || received[1].code != SI_USER) _exit(96);
      _exit(7);
    });
    CAPTURE(status);
    REQUIRE(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 7);
  }
}

TEST_CASE("ExitCodeFromWaitStatus: code, or 128 + signal") {
  for (int code : {0, 1, 2, 126, 127, 255}) CHECK(ExitCodeFromWaitStatus(W_EXITCODE(code, 0)) == code);
  CHECK(ExitCodeFromWaitStatus(W_EXITCODE(0, SIGTERM)) == 143);
  CHECK(ExitCodeFromWaitStatus(W_EXITCODE(0, SIGKILL)) == 137);
  CHECK(ExitCodeFromWaitStatus(W_EXITCODE(0, SIGSEGV) | 0x80) == 139);  // core dumped
}

}  // namespace claw
