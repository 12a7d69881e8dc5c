// What the supervisor publishes about the runtime after every change. The
// health server reads copies of this; it never touches pids itself.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <optional>

namespace claw {

enum class RuntimeState { kStarting, kRunning, kBackoff, kStopping, kExited, kFatal };

// "starting", "running", "backoff", "stopping", "exited", "fatal".
inline const char* RuntimeStateName(RuntimeState state) {
  switch (state) {
    case RuntimeState::kStarting: return "starting";
    case RuntimeState::kRunning: return "running";
    case RuntimeState::kBackoff: return "backoff";
    case RuntimeState::kStopping: return "stopping";
    case RuntimeState::kExited: return "exited";
    case RuntimeState::kFatal: return "fatal";
  }
  return "fatal";
}

// How the last run ended (contract section 7): "exit", "signal", "oom".
enum class ExitReason { kNone, kExit, kSignal, kOom };

inline const char* ExitReasonName(ExitReason reason) {
  switch (reason) {
    case ExitReason::kNone: return nullptr;
    case ExitReason::kExit: return "exit";
    case ExitReason::kSignal: return "signal";
    case ExitReason::kOom: return "oom";
  }
  return nullptr;
}

struct SupervisorSnapshot {
  RuntimeState state = RuntimeState::kStarting;
  pid_t pid = 0;  // 0 when no runtime process is alive
  // When the current run started (steady clock); unset when not running.
  std::optional<std::chrono::steady_clock::time_point> started_at;
  int restarts = 0;               // restarts so far (total, never reset)
  std::optional<int> last_exit;   // exit code of the last run (128+N for a signal)
  bool given_up = false;          // max-restarts reached: /health/live fails
  ExitReason last_exit_reason = ExitReason::kNone;
  uint64_t oom_kills = 0;         // runs the kernel's OOM killer ended
};

}  // namespace claw
