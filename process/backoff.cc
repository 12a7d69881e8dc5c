#include "process/backoff.h"

#include <algorithm>

namespace claw {

Duration BackoffDelay(const BackoffPolicy& policy, int attempt, double jitter) {
  Duration delay = policy.initial;
  for (int i = 0; i < attempt && delay < policy.max; ++i) delay *= 2;
  delay = std::min(delay, policy.max);
  jitter = std::clamp(jitter, -1.0, 1.0);
  auto scaled = static_cast<Duration::rep>(static_cast<double>(delay.count()) * (1.0 + 0.2 * jitter));
  return Duration(std::max<Duration::rep>(scaled, 0));
}

RestartDecision DecideRestart(RestartPolicy policy, const BackoffPolicy& backoff, RestartTracker& tracker,
                              const RunOutcome& outcome, double jitter) {
  const bool failed = outcome.exit_code != 0;
  if (outcome.ran_for >= backoff.reset) {
    tracker.attempt = 0;
    tracker.consecutive_failures = 0;
  }
  tracker.consecutive_failures = failed ? tracker.consecutive_failures + 1 : 0;

  RestartDecision decision;
  if (policy == RestartPolicy::kNever) return decision;
  if (policy == RestartPolicy::kOnFailure && !failed) return decision;
  if (failed && backoff.max_restarts > 0 && tracker.consecutive_failures > backoff.max_restarts) {
    decision.gave_up = true;
    return decision;
  }
  decision.restart = true;
  decision.delay = BackoffDelay(backoff, tracker.attempt, jitter);
  ++tracker.attempt;
  ++tracker.restarts;
  return decision;
}

}  // namespace claw
