// DUR values of the contract: "250ms", "2s", "5m", "1h", or a bare number of
// seconds; a decimal fraction is allowed ("1.5s"). Pure.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "base/result.h"

namespace claw {

using Duration = std::chrono::milliseconds;

// The longest duration accepted anywhere (one year): far beyond any sensible
// grace or backoff, and far from overflowing poll()'s int timeout maths.
inline constexpr Duration kMaxDuration = std::chrono::hours(24 * 365);

// Parses `text`; the error says what is wrong without echoing more than the
// text itself (durations are never secrets). Error code is kUsage; callers
// re-tag it by source.
Result<Duration> ParseDuration(std::string_view text);

// "250ms", "2s", "1.5s", "5m": the shortest exact spelling, for logs.
std::string FormatDuration(Duration d);

}  // namespace claw
