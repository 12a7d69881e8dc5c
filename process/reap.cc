#include "process/reap.h"

#include <errno.h>
#include <sys/wait.h>

#include "base/exit_code.h"

namespace claw {

int ExitCodeFromWaitStatus(int wait_status) {
  if (WIFEXITED(wait_status)) return WEXITSTATUS(wait_status);
  if (WIFSIGNALED(wait_status)) return 128 + WTERMSIG(wait_status);
  return 1;  // stopped/continued are never asked for; be defensive
}

ReapResult ReapChildren(size_t limit) {
  ReapResult result;
  while (result.reaped.size() < limit) {
    int status = 0;
    pid_t pid = waitpid(-1, &status, WNOHANG);
    if (pid > 0) {
      result.reaped.push_back({pid, status});
      continue;
    }
    if (pid < 0 && errno == EINTR) continue;
    if (pid < 0 && errno == ECHILD) result.no_children = true;
    break;
  }
  result.hit_limit = result.reaped.size() >= limit;
  return result;
}

}  // namespace claw
