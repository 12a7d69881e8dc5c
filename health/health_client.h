// `claw-init health`: the HEALTHCHECK client (contract section 4). It asks
// /health on the configured listen address (a wildcard address on loopback)
// or on --url, prints one line on stdout and returns 0 on HTTP 200, else 1.
// Images need no curl.
#pragma once

#include <string>
#include <string_view>

#include "base/net_address.h"
#include "app/options.h"

namespace claw {

// Runs the subcommand; the caller exits with the result.
int RunHealthCommand(const Options& options);

// Where the client asks: the listen address with 0.0.0.0 / [::] replaced by
// 127.0.0.1 / ::1. Pure.
HostPort ClientAddress(const HostPort& listen);

// The one line printed for a reply: "healthy: running, upstream pass",
// "unhealthy: backoff, upstream fail (connection refused)",
// "unhealthy: HTTP 404" for a body that is not ours. Pure.
std::string DescribeHealthReply(int status, std::string_view body);

}  // namespace claw
