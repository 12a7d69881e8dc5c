#include "process/signals.h"

#include <sys/wait.h>

#include <doctest/doctest.h>

#include "base/exit_code.h"

namespace claw {

using Kind = SignalAction::Kind;

TEST_CASE("ClassifySignal: stop, forward, reap, drop") {
  struct Case {
    int signo;
    std::map<int, int> rewrite;
    int stop_signal;
    Kind kind;
    int send;
  };
  const Case cases[] = {
      {SIGTERM, {}, SIGTERM, Kind::kStop, SIGTERM},
      {SIGTERM, {}, SIGQUIT, Kind::kStop, SIGQUIT},          // --stop-signal
      {SIGINT, {}, SIGQUIT, Kind::kStop, SIGINT},            // INT goes on as INT
      {SIGTERM, {{SIGTERM, SIGINT}}, SIGTERM, Kind::kStop, SIGINT},  // rewrite, still a stop
      {SIGTERM, {{SIGTERM, 0}}, SIGTERM, Kind::kDrop, 0},    // dropped: no stop
      {SIGINT, {{SIGINT, 0}}, SIGTERM, Kind::kDrop, 0},
      {SIGHUP, {}, SIGTERM, Kind::kForward, SIGHUP},
      {SIGUSR1, {{SIGUSR1, SIGUSR2}}, SIGTERM, Kind::kForward, SIGUSR2},
      {SIGWINCH, {{SIGWINCH, 0}}, SIGTERM, Kind::kDrop, 0},
      {SIGCHLD, {}, SIGTERM, Kind::kReap, 0},
      {SIGSEGV, {}, SIGTERM, Kind::kDrop, 0},
      {SIGRTMIN + 2, {}, SIGTERM, Kind::kForward, SIGRTMIN + 2},
  };
  for (const auto& c : cases) {
    CAPTURE(c.signo);
    auto a = ClassifySignal(c.signo, c.rewrite, c.stop_signal);
    CHECK(a.kind == c.kind);
    CHECK(a.send == c.send);
  }
}

TEST_CASE("ExitCodeFromWaitStatus: code, or 128 + signal") {
  for (int code : {0, 1, 2, 126, 127, 255}) CHECK(ExitCodeFromWaitStatus(W_EXITCODE(code, 0)) == code);
  CHECK(ExitCodeFromWaitStatus(W_EXITCODE(0, SIGTERM)) == 143);
  CHECK(ExitCodeFromWaitStatus(W_EXITCODE(0, SIGKILL)) == 137);
  CHECK(ExitCodeFromWaitStatus(W_EXITCODE(0, SIGSEGV) | 0x80) == 139);  // core dumped
}

}  // namespace claw
