#include "process/run_captured.h"

#include <doctest/doctest.h>

#include "tests/test_util.h"

#include <signal.h>

#include <cstdlib>

namespace claw {
namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

}  // namespace

TEST_CASE("RunCaptured: output, status, cap") {
  Credentials none;
  auto r = RunCaptured({"sh", "-c", "echo out; echo err >&2; exit 3"}, PathOnlyEnvironment(), none, milliseconds(5000));
  REQUIRE(r);
  CHECK(r.value().out == "out\n");
  CHECK(r.value().err == "err\n");
  CHECK(r.value().exit_code == 3);
  CHECK_FALSE(r.value().timed_out);

  auto big = RunCaptured({"head", "-c", "200000", "/dev/zero"}, PathOnlyEnvironment(), none, milliseconds(5000));
  REQUIRE(big);
  CHECK(big.value().out.size() == 64 * 1024);
  CHECK(big.value().exit_code == 0);

  auto killed = RunCaptured({"sh", "-c", "kill -9 $$"}, PathOnlyEnvironment(), none, milliseconds(5000));
  REQUIRE(killed);
  CHECK(killed.value().exit_code == 137);

  auto missing = RunCaptured({"no-such-command-claw"}, PathOnlyEnvironment(), none, milliseconds(5000));
  REQUIRE_FALSE(missing);
  CHECK(missing.error().message.find("not found") != std::string::npos);
}

TEST_CASE("RunCaptured: a hanging command is killed at the timeout, stragglers do not hold us") {
  Credentials none;
  auto start = Clock::now();
  auto hung = RunCaptured({"sh", "-c", "echo started; sleep 30"}, PathOnlyEnvironment(), none, milliseconds(300));
  auto took = Clock::now() - start;
  REQUIRE(hung);
  CHECK(hung.value().timed_out);
  CHECK(hung.value().out == "started\n");
  CHECK(took < milliseconds(2000));

  // The command exits at once but leaves a child holding its stdout.
  start = Clock::now();
  auto left = RunCaptured({"sh", "-c", "sleep 30 & echo 1.2.3"}, PathOnlyEnvironment(), none, milliseconds(5000));
  took = Clock::now() - start;
  REQUIRE(left);
  CHECK_FALSE(left.value().timed_out);
  CHECK(left.value().exit_code == 0);
  CHECK(left.value().out == "1.2.3\n");
  CHECK(took < milliseconds(2000));
}

TEST_CASE("RunCaptured: a command that cannot be executed is an error naming the step") {
  Credentials none;
  auto dir = RunCaptured({"/"}, PathOnlyEnvironment(), none, milliseconds(5000));
  REQUIRE_FALSE(dir);
  CHECK(dir.error().message.find("is a directory") != std::string::npos);
  // Starts with the signal actions reset: an ignored TERM is not inherited.
  signal(SIGTERM, SIG_IGN);
  auto term = RunCaptured({"sh", "-c", "kill -TERM $$; echo survived"}, PathOnlyEnvironment(), none, milliseconds(5000));
  signal(SIGTERM, SIG_DFL);
  REQUIRE(term);
  CHECK(term.value().exit_code == 128 + SIGTERM);
  CHECK(term.value().out == "");
}

}  // namespace claw
