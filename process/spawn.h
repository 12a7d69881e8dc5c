// Starting a child: fork, child set-up, exec. Every child claw-init starts
// (the runtime, the version command, the restart handoff command) goes
// through Spawn. Everything that allocates is prepared in the parent
// (SpawnPlan); the child only makes system calls and reports a failed step
// through a close-on-exec pipe, with one rule for its exit status: 127 when
// execve found no such file, 126 for any other failure.
#pragma once

#include <signal.h>
#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "base/environment.h"
#include "process/privileges.h"
#include "base/result.h"

namespace claw {

struct SpawnPlan {
  std::string path;               // resolved executable
  std::vector<std::string> argv;  // argv[0] as the user wrote it
  std::vector<std::string> envp;  // "NAME=value"
  std::optional<std::string> workdir;
  // The directory claw-init was started in (it has moved to / since). The
  // child goes back there before it drops privileges, as if it had
  // inherited it, then to `workdir` if there is one. Unset: inherit.
  std::optional<std::string> start_dir;
  Credentials credentials;
  sigset_t child_mask;  // the mask claw-init was started with
  bool interactive = false;  // stdin is a terminal: keep job control
  // The child's stdin, stdout and stderr: an fd of claw-init's to dup2 onto
  // 0, 1, 2, or -1 to inherit claw-init's own.
  int stdio[3] = {-1, -1, -1};
  // Every signal action back to SIG_DFL (an inherited SIG_IGN included).
  // The runtime inherits claw-init's ignored signals, as under tini; helper
  // commands start clean.
  bool default_signal_actions = false;
};

// Searches PATH (from `env`) like execvp would. A name containing '/' is
// taken as is. Errors: kNotFound (127) or kNotExecutable (126).
Result<std::string> ResolveCommand(const std::string& name, const Environment& env);

// The child's environment: claw-init's own, minus the CLAW_CONFIG__* and
// CLAW_CONFIG_UNSET__* patch variables (they may hold secrets the runtime
// gets through its config instead) and NOTIFY_SOCKET (claw-init is the one
// that notifies), plus HOME/USER/LOGNAME of the runtime
// user. Pure.
std::vector<std::string> ChildEnvironment(const Environment& env, const Credentials& creds);

struct Spawned {
  pid_t pid = 0;
  // Set when the child could not exec: "execve /x: No such file or directory".
  // The child then exits 127 (not found) or 126 (any other failure).
  std::optional<std::string> exec_error;
};

// Forks and execs. The child gets its own process group (a new session when
// not interactive; with a terminal, a group in claw-init's session, made the
// terminal's foreground group when `take_terminal`), its stdio, the signal
// mask of the plan, the start directory, the user's credentials and workdir.
// Returns once the exec has happened or failed, so the process group exists
// on return.
Result<Spawned> Spawn(const SpawnPlan& plan, bool take_terminal);

// Moves claw-init to /, so that it does not keep the directory it was
// started in (and the mount under it) busy, and returns that directory for
// SpawnPlan::start_dir. When the directory has no name (deleted, or outside
// this root) or / cannot be entered, claw-init stays where it is, logs why,
// and returns nullopt.
std::optional<std::string> LeaveStartDirectory();

}  // namespace claw
