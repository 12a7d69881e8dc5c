// The HEALTHCHECK client (contract section 4): asks a health endpoint once,
// within a timeout, and says in one line whether the answer was healthy
// (HTTP 200). `claw-init health` (app/health_command.h) chooses where to ask
// and prints the line. Images need no curl.
#pragma once

#include <string>
#include <string_view>

#include "base/duration.h"
#include "base/net_address.h"

namespace claw {

struct HealthVerdict {
  bool healthy = false;  // HTTP 200
  std::string line;      // what `claw-init health` prints
};

// GETs `path` from `address`; connecting, reading and the whole exchange
// each within `timeout`. No answer is unhealthy: "unhealthy: no answer from
// 127.0.0.1:18700 (connection refused)".
HealthVerdict QueryHealth(const HostPort& address, std::string_view path, Duration timeout);

// Where the client asks: the listen address with 0.0.0.0 / [::] replaced by
// 127.0.0.1 / ::1. Pure.
HostPort ClientAddress(const HostPort& listen);

// The one line printed for a reply: "healthy: running, upstream pass",
// "unhealthy: backoff, upstream fail (connection refused)",
// "unhealthy: HTTP 404" for a body that is not ours. Pure.
std::string DescribeHealthReply(int status, std::string_view body);

}  // namespace claw
