// The only mapping from outcomes to process exit codes (contract section 2).
// Only main.cc calls exit(); everything else returns one of these or a child
// status.
#pragma once

#include <cstdint>

namespace claw {

enum class ExitCode : int {
  kSuccess = 0,
  kFailure = 1,        // generic failure of a subcommand (health: unhealthy)
  kUsage = 2,          // bad command line
  kNotExecutable = 126,
  kNotFound = 127,
  kConfig = 78,        // EX_CONFIG: bad profile, env, base config or user
};

inline int ToInt(ExitCode code) { return static_cast<int>(code); }

// Maps a wait(2) status to the shell convention: the exit code, or 128+N for
// death by signal N. Pure; defined in reap.cc.
int ExitCodeFromWaitStatus(int wait_status);

}  // namespace claw
