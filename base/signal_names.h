// Signal names and numbers, and which signals claw-init forwards. Pure.
#pragma once

#include <string>
#include <string_view>

#include "base/result.h"

namespace claw {

// Parses "TERM", "SIGTERM", "term", "15", "RTMIN", "RTMIN+3", "SIGRTMAX-1".
// With allow_zero, "0" is accepted (the `--rewrite S:0` drop target).
Result<int> ParseSignal(std::string_view text, bool allow_zero = false);

// "TERM", "RTMIN+3"; a number for anything unnamed.
std::string SignalName(int signo);

// True for signals claw-init catches and passes on (contract section 2): every
// catchable signal but CHLD and the synchronous fault signals, which stay at
// their default action so a crash of claw-init itself is not swallowed.
bool IsForwardable(int signo);

// True for the fault signals claw-init never blocks.
bool IsFaultSignal(int signo);

}  // namespace claw
