// Running a helper command to completion and capturing what it prints: the
// version command (`claw-init version stamp`), and any short-lived command
// claw-init needs an answer from. The child is started by Spawn like every
// other child.
#pragma once

#include <string>
#include <vector>

#include "base/duration.h"
#include "base/environment.h"
#include "base/result.h"
#include "process/privileges.h"

namespace claw {

struct CapturedRun {
  int exit_code = 0;  // 128+N when killed by signal N
  bool timed_out = false;
  std::string out;    // at most 64 KiB of stdout
  std::string err;    // at most 64 KiB of stderr
};

// Runs `argv` (argv[0] found in env's PATH before the fork) with stdin from
// /dev/null and stdout and stderr captured, as `creds` when they drop (then
// in the user's home, or /), in its own session, with default signal actions
// and an empty mask. After `timeout` the session's group is killed with
// SIGKILL; so are processes it left holding the pipes, 200 ms after it
// exits. Only this child is waited for, by its pid. A command that cannot be
// started is an Error (kFailure), not a run.
Result<CapturedRun> RunCaptured(const std::vector<std::string>& argv, const Environment& env,
                                const Credentials& creds, Duration timeout);

}  // namespace claw
