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

// True for signals claw-init catches and passes on (contract section 2, as
// docs/process.md reads it): every catchable signal but CHLD. The fault
// signals count: one sent by another process is passed on like any other.
bool IsForwardable(int signo);

// True for SEGV BUS FPE ILL TRAP SYS ABRT: with a kernel code they are a
// fault of claw-init's own, which ends it (signals.h says how).
bool IsFaultSignal(int signo);

}  // namespace claw
