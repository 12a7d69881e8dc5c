#include "base/signal_names.h"

#include <signal.h>

#include <doctest/doctest.h>

namespace claw {

TEST_CASE("ParseSignal reads names, SIG names, numbers and real-time offsets") {
  struct Case {
    const char* text;
    int signo;
  };
  const Case cases[] = {
      {"TERM", SIGTERM}, {"SIGTERM", SIGTERM}, {"term", SIGTERM}, {"15", SIGTERM}, {"INT", SIGINT},
      {"HUP", SIGHUP},   {"USR1", SIGUSR1},    {"sigusr2", SIGUSR2}, {"WINCH", SIGWINCH}, {"KILL", SIGKILL},
      {"9", SIGKILL},    {"RTMIN", SIGRTMIN},  {"RTMIN+3", SIGRTMIN + 3}, {"SIGRTMAX-1", SIGRTMAX - 1},
      {"RTMAX", SIGRTMAX}, {"SYS", SIGSYS},
  };
  for (const auto& c : cases) {
    CAPTURE(c.text);
    auto s = ParseSignal(c.text);
    REQUIRE(s);
    CHECK(s.value() == c.signo);
  }
  CHECK(ParseSignal("0", true).value() == 0);
}

TEST_CASE("ParseSignal rejects unknown names and numbers out of range") {
  for (const char* text : {"", "0", "65", "-1", "BOGUS", "SIG", "RTMIN+99", "RTMIN-1", "RTMAX+1", "99999999999"}) {
    CAPTURE(text);
    CHECK_FALSE(ParseSignal(text));
  }
}

TEST_CASE("SignalName round-trips") {
  for (int signo = 1; signo < NSIG; ++signo) {
    if (signo > SIGSYS && signo < SIGRTMIN) continue;
    CAPTURE(signo);
    auto back = ParseSignal(SignalName(signo));
    REQUIRE(back);
    CHECK(back.value() == signo);
  }
}

TEST_CASE("IsForwardable excludes CHLD, KILL and STOP; fault signals are forwarded") {
  for (int s : {SIGCHLD, SIGKILL, SIGSTOP, 0, 32, 33, NSIG}) {
    CAPTURE(s);
    CHECK_FALSE(IsForwardable(s));
  }
  for (int s : {SIGHUP, SIGINT, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH, SIGTERM, SIGCONT, SIGTSTP, SIGTTIN, SIGTTOU,
                SIGPIPE, SIGALRM, SIGRTMIN, SIGRTMAX, SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIGSYS, SIGABRT}) {
    CAPTURE(s);
    CHECK(IsForwardable(s));
  }
}

TEST_CASE("IsFaultSignal: the seven fault signals only") {
  for (int s = 1; s < NSIG; ++s) {
    CAPTURE(s);
    const bool fault = s == SIGSEGV || s == SIGBUS || s == SIGFPE || s == SIGILL || s == SIGTRAP || s == SIGSYS ||
                       s == SIGABRT;
    CHECK(IsFaultSignal(s) == fault);
  }
}

}  // namespace claw
