// Reaping: collect every child that has died, the runtime or not. PID 1
// inherits every orphan of the namespace; as a subreaper, every orphan of
// its own subtree.
#pragma once

#include <sys/types.h>

#include <vector>

namespace claw {

struct Reaped {
  pid_t pid;
  int wait_status;
};

struct ReapResult {
  std::vector<Reaped> reaped;
  bool no_children = false;  // waitpid said ECHILD: nothing left to wait for
  bool hit_limit = false;    // stopped at the limit: more may be waiting
};

// waitpid(-1, WNOHANG) until nothing more is ready. `limit` bounds one call
// so a fork bomb of dying children cannot starve the event loop.
ReapResult ReapChildren(size_t limit = 4096);

}  // namespace claw
