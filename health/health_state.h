// What the health endpoints answer, as pure functions of the supervisor's
// snapshot, the last upstream check and the clock (contract section 4). The
// server (health_server.h) only gathers these inputs and writes the reply, so
// every status rule is testable without sockets.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "base/duration.h"
#include "base/supervisor_state.h"

namespace claw {

// The outcome of one upstream check (upstream.h runs them).
struct UpstreamResult {
  bool pass = false;
  std::string target;       // shown as is: DisplayTarget() of the configured URL
  double latency_ms = 0;    // time the check took, pass or fail
  std::string output;       // why it failed ("connection refused", "HTTP 500"); empty on pass
};

// Everything a reply depends on. Copied per request; cheap.
struct HealthInputs {
  SupervisorSnapshot snapshot;
  std::optional<UpstreamResult> upstream;  // nullopt: no upstream configured
  std::string runtime;                      // "" is shown as null
  std::string version;                      // "" is shown as null
  std::string claw_init;                    // claw-init's own version
  Duration start_grace{0};
  std::chrono::steady_clock::time_point now;
};

enum class HealthStatus { kPass, kWarn, kFail };

// "pass", "warn", "fail".
const char* HealthStatusName(HealthStatus status);

// pass: running and the upstream passes (or there is none). warn: running,
// the upstream does not pass yet, and the current run started less than
// start_grace ago. fail: anything else.
HealthStatus EvaluateHealth(const HealthInputs& in);

// The liveness rule: the supervisor has not given up (and is not fatal).
bool IsLive(const SupervisorSnapshot& snapshot);

struct HttpReply {
  int code = 200;
  std::string content_type;
  std::string body;
};

// GET /health and /health/ready: 200 on pass, 503 on warn and fail, with the
// application/health+json body of the contract.
HttpReply RenderHealth(const HealthInputs& in);

// GET /health/live: 200 unless the supervisor gave up; a small health+json body.
HttpReply RenderLive(const HealthInputs& in);

// GET /metrics: Prometheus text exposition format 0.0.4.
HttpReply RenderMetrics(const HealthInputs& in);

// Seconds since the current run started, 0 when nothing runs.
double UptimeSeconds(const SupervisorSnapshot& snapshot, std::chrono::steady_clock::time_point now);

// A finite number as JSON/Prometheus text with at most `decimals` digits
// after the point and no trailing zeros: 12.5, 0, 3.14.
std::string FormatNumber(double value, int decimals);

// Escapes a Prometheus label value: backslash, double quote and newline.
std::string EscapeLabelValue(std::string_view value);

}  // namespace claw
