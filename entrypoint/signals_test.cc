#include "entrypoint/signals.h"

#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

#include <doctest/doctest.h>

#include "entrypoint/exit_code.h"

namespace claw {

using Kind = SignalAction::Kind;

TEST_CASE("ClassifySignal: stop, forward, reap, drop, own fault") {
  constexpr int kUser = SI_USER;  // kill(2)
  struct Case {
    int signo;
    int code;
    std::map<int, int> rewrite;
    int stop_signal;
    Kind kind;
    int send;
  };
  const Case cases[] = {
      {SIGTERM, kUser, {}, SIGTERM, Kind::kStop, SIGTERM},
      {SIGTERM, kUser, {}, SIGQUIT, Kind::kStop, SIGQUIT},          // --stop-signal
      {SIGINT, kUser, {}, SIGQUIT, Kind::kStop, SIGINT},            // INT goes on as INT
      {SIGTERM, kUser, {{SIGTERM, SIGINT}}, SIGTERM, Kind::kStop, SIGINT},  // rewrite, still a stop
      {SIGTERM, kUser, {{SIGTERM, 0}}, SIGTERM, Kind::kDrop, 0},    // dropped: no stop
      {SIGINT, kUser, {{SIGINT, 0}}, SIGTERM, Kind::kDrop, 0},
      {SIGHUP, kUser, {}, SIGTERM, Kind::kForward, SIGHUP},
      {SIGUSR1, kUser, {{SIGUSR1, SIGUSR2}}, SIGTERM, Kind::kForward, SIGUSR2},
      {SIGWINCH, kUser, {{SIGWINCH, 0}}, SIGTERM, Kind::kDrop, 0},
      {SIGCHLD, CLD_EXITED, {}, SIGTERM, Kind::kReap, 0},
      {SIGRTMIN + 2, SI_QUEUE, {}, SIGTERM, Kind::kForward, SIGRTMIN + 2},
      {SIGTSTP, kUser, {}, SIGTERM, Kind::kForward, SIGTSTP},
      {SIGCONT, kUser, {}, SIGTERM, Kind::kForward, SIGCONT},
      // Fault signals sent by a process (kill, sigqueue, tgkill) go on.
      {SIGSEGV, SI_USER, {}, SIGTERM, Kind::kForward, SIGSEGV},
      {SIGBUS, SI_QUEUE, {}, SIGTERM, Kind::kForward, SIGBUS},
      {SIGFPE, SI_TKILL, {}, SIGTERM, Kind::kForward, SIGFPE},
      {SIGILL, SI_USER, {}, SIGTERM, Kind::kForward, SIGILL},
      {SIGTRAP, SI_USER, {}, SIGTERM, Kind::kForward, SIGTRAP},
      {SIGSYS, SI_USER, {}, SIGTERM, Kind::kForward, SIGSYS},
      {SIGABRT, SI_TKILL, {}, SIGTERM, Kind::kForward, SIGABRT},
      {SIGSEGV, SI_USER, {{SIGSEGV, SIGUSR1}}, SIGTERM, Kind::kForward, SIGUSR1},  // --rewrite
      {SIGABRT, SI_USER, {{SIGABRT, 0}}, SIGTERM, Kind::kDrop, 0},
      // With a kernel code they are claw-init's own, whatever --rewrite says.
      {SIGBUS, BUS_MCEERR_AO, {}, SIGTERM, Kind::kOwnFault, SIGBUS},
      {SIGSEGV, SEGV_MAPERR, {{SIGSEGV, 0}}, SIGTERM, Kind::kOwnFault, SIGSEGV},
      {SIGSYS, SI_KERNEL, {}, SIGTERM, Kind::kOwnFault, SIGSYS},
      // A kernel code on any other signal changes nothing.
      {SIGHUP, SI_KERNEL, {}, SIGTERM, Kind::kForward, SIGHUP},
  };
  for (const auto& c : cases) {
    CAPTURE(c.signo);
    CAPTURE(c.code);
    SignalPolicy policy{c.rewrite, c.stop_signal};
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
