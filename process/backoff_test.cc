#include "process/backoff.h"

#include <doctest/doctest.h>

namespace claw {
namespace {

BackoffPolicy Policy(int max_restarts = 10) {
  BackoffPolicy p;
  p.initial = std::chrono::seconds(1);
  p.max = std::chrono::seconds(30);
  p.reset = std::chrono::seconds(60);
  p.max_restarts = max_restarts;
  return p;
}

RunOutcome Failed(int seconds = 0) { return RunOutcome{1, std::chrono::seconds(seconds)}; }
RunOutcome Clean(int seconds = 0) { return RunOutcome{0, std::chrono::seconds(seconds)}; }

}  // namespace

TEST_CASE("BackoffDelay doubles from initial to max") {
  const long long expected[] = {1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000};
  for (int attempt = 0; attempt < 8; ++attempt) {
    CAPTURE(attempt);
    CHECK(BackoffDelay(Policy(), attempt, 0.0).count() == expected[attempt]);
  }
  CHECK(BackoffDelay(Policy(), 1000000, 0.0).count() == 30000);
}

TEST_CASE("BackoffDelay jitter stays within 20 percent") {
  CHECK(BackoffDelay(Policy(), 0, 1.0).count() == 1200);
  CHECK(BackoffDelay(Policy(), 0, -1.0).count() == 800);
  CHECK(BackoffDelay(Policy(), 10, 1.0).count() == 36000);
  CHECK(BackoffDelay(Policy(), 10, 5.0).count() == 36000);  // clamped
}

TEST_CASE("never restarts nothing") {
  RestartTracker t;
  auto d = DecideRestart(RestartPolicy::kNever, Policy(), t, Failed(), 0.0);
  CHECK_FALSE(d.restart);
  CHECK_FALSE(d.gave_up);
}

TEST_CASE("on-failure restarts failures only") {
  RestartTracker t;
  CHECK(DecideRestart(RestartPolicy::kOnFailure, Policy(), t, Failed(), 0.0).restart);
  CHECK_FALSE(DecideRestart(RestartPolicy::kOnFailure, Policy(), t, Clean(), 0.0).restart);
}

TEST_CASE("always restarts clean exits too, with backoff") {
  RestartTracker t;
  auto first = DecideRestart(RestartPolicy::kAlways, Policy(), t, Clean(), 0.0);
  auto second = DecideRestart(RestartPolicy::kAlways, Policy(), t, Clean(), 0.0);
  CHECK(first.restart);
  CHECK(second.restart);
  CHECK(first.delay.count() == 1000);
  CHECK(second.delay.count() == 2000);
  CHECK(t.restarts == 2);
}

TEST_CASE("max-restarts N gives up on the N+1th failed run in a row") {
  for (int n : {1, 2, 3, 10}) {
    CAPTURE(n);
    RestartTracker t;
    int runs = 0;
    RestartDecision d;
    do {
      ++runs;
      d = DecideRestart(RestartPolicy::kOnFailure, Policy(n), t, Failed(), 0.0);
    } while (d.restart && runs < 100);
    CHECK(d.gave_up);
    CHECK(runs == n + 1);
    CHECK(t.restarts == n);
  }
}

TEST_CASE("max-restarts 0 never gives up") {
  RestartTracker t;
  for (int i = 0; i < 500; ++i) REQUIRE(DecideRestart(RestartPolicy::kAlways, Policy(0), t, Failed(), 0.0).restart);
  CHECK(t.restarts == 500);
}

TEST_CASE("a long run resets the schedule and the failure count") {
  RestartTracker t;
  for (int i = 0; i < 4; ++i) DecideRestart(RestartPolicy::kOnFailure, Policy(5), t, Failed(), 0.0);
  CHECK(t.consecutive_failures == 4);
  auto d = DecideRestart(RestartPolicy::kOnFailure, Policy(5), t, Failed(60), 0.0);
  CHECK(d.restart);
  CHECK(d.delay.count() == 1000);
  CHECK(t.consecutive_failures == 1);
}

TEST_CASE("a clean run between failures resets the failure count but not the delay") {
  RestartTracker t;
  DecideRestart(RestartPolicy::kAlways, Policy(2), t, Failed(), 0.0);
  DecideRestart(RestartPolicy::kAlways, Policy(2), t, Failed(), 0.0);
  auto clean = DecideRestart(RestartPolicy::kAlways, Policy(2), t, Clean(), 0.0);
  CHECK(clean.restart);
  CHECK(t.consecutive_failures == 0);
  CHECK(clean.delay.count() == 4000);
  CHECK(DecideRestart(RestartPolicy::kAlways, Policy(2), t, Failed(), 0.0).restart);
}

}  // namespace claw
