// Job control in the supervisor's loop, with a terminal and not as PID 1:
// Ctrl-Z, fg and bg reach the runtime (a process group of its own) the way
// they would reach any job of the shell (docs/process.md).
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/log.h"
#include "base/signal_names.h"
#include "process/supervisor.h"

namespace claw {

void Supervisor::SuspendWithRuntime() {
  if (DebugEnabled()) LogDebug("stopping claw-init along with the runtime");
  // Returns once claw-init is continued (fg, bg, kill -CONT). That CONT is
  // still queued on the signalfd: the next pass forwards it.
  raise(SIGSTOP);
  // Until then the runtime is still stopped: its stop report must not stop
  // claw-init again.
  resumed_ = true;
}

void Supervisor::FollowRuntimeStop() {
  // Only with a terminal and not as PID 1: Ctrl-Z, or a read or write from
  // the background, stops the runtime (a group of its own) but not
  // claw-init, while the shell waits for claw-init. Stopping too gives the
  // shell its prompt back, as with any job. A plain SIGSTOP someone sent
  // the runtime is left alone.
  if (is_pid1_ || !plan_.interactive || pid_ == 0 || resumed_) return;
  siginfo_t info{};
  // WSTOPPED without WEXITED: reports a stop, never reaps an exit.
  if (waitid(P_PID, static_cast<id_t>(pid_), &info, WSTOPPED | WNOHANG) != 0 || info.si_pid != pid_) return;
  const int by = info.si_status;
  if (by != SIGTSTP && by != SIGTTIN && by != SIGTTOU) return;
  if (DebugEnabled()) LogDebug(plan_.argv.front() + " stopped by " + SignalName(by));
  if (by != SIGTSTP && tcgetpgrp(STDIN_FILENO) == getpgrp()) {
    // claw-init's job is in the foreground: a shell's fg of a running job
    // hands over the terminal without a CONT, so the runtime only learns of
    // it now. Its read or write was meant for the foreground: let it go on.
    tcsetpgrp(STDIN_FILENO, pid_);
    ops_.Kill(-pid_, SIGCONT);
    return;
  }
  SuspendWithRuntime();
}

void Supervisor::HandTerminalToRuntime() {
  // A shell's fg gives the terminal to claw-init's group and continues it;
  // the runtime is the one that reads the terminal, so it goes on to the
  // runtime's group before the CONT does (or the runtime, still in the
  // background, would stop again on its first read). After bg the shell
  // keeps the terminal, and so does this.
  if (!plan_.interactive || pid_ == 0) return;
  if (tcgetpgrp(STDIN_FILENO) == getpgrp()) tcsetpgrp(STDIN_FILENO, pid_);
}

}  // namespace claw
