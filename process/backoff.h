// Restart decisions: pure functions of the policy, the run that just ended
// and a random number, so the schedule is testable without clocks or
// processes.
#pragma once

#include <chrono>

#include "base/duration.h"

namespace claw {

enum class RestartPolicy { kNever, kOnFailure, kAlways };

struct BackoffPolicy {
  Duration initial = std::chrono::seconds(1);
  Duration max = std::chrono::seconds(30);
  Duration reset = std::chrono::seconds(60);
  int max_restarts = 10;  // 0: never give up
};

// What the supervisor remembers between runs.
struct RestartTracker {
  int attempt = 0;               // position in the backoff schedule
  int consecutive_failures = 0;  // failed runs in a row
  int restarts = 0;              // restarts so far (never reset)
};

struct RunOutcome {
  int exit_code = 0;  // after --remap-exit; 128+N for a signal
  Duration ran_for{0};
};

struct RestartDecision {
  bool restart = false;
  bool gave_up = false;  // true when max-restarts stopped a restart
  Duration delay{0};
};

// The delay before restart number `attempt` (0-based): initial doubled
// `attempt` times, capped at max, then scaled by 1 + 0.2 * jitter, where
// jitter is in [-1, 1].
Duration BackoffDelay(const BackoffPolicy& policy, int attempt, double jitter);

// Updates `tracker` with `outcome` and decides whether and when to restart.
// A run of at least policy.reset resets the schedule and the failure count;
// after max_restarts restarts following consecutive failed runs (so at most
// max_restarts + 1 failed runs in a row), it gives up.
RestartDecision DecideRestart(RestartPolicy policy, const BackoffPolicy& backoff, RestartTracker& tracker,
                              const RunOutcome& outcome, double jitter);

}  // namespace claw
