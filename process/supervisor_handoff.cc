// The restart handoff half of the supervisor's loop (contract section 7,
// process/handoff.h): after a run exits 0, the capabilities command once,
// then the consume command; an accepted answer starts the runtime again at
// once. The helper runs beside the loop: its pipes are polled, it is reaped
// with the other children, and it is killed at its timeout.
#include <signal.h>

#include <utility>

#include "base/log.h"
#include "process/supervisor.h"

namespace claw {

// Starts the capabilities or the consume command for the run `exited_pid`.
void Supervisor::StartHelper(HelperJob job, pid_t exited_pid) {
  const HandoffConfig& h = *config_.handoff;
  const bool consume = job == HelperJob::kConsume;
  const std::vector<std::string>& argv = consume ? h.consume : h.capabilities;
  auto helper = HelperRun::Prepare(plan_, consume ? h.consume_path : h.capabilities_path,
                                   consume ? SubstitutePid(argv, exited_pid) : argv);
  std::optional<std::string> failed;
  if (helper) {
    auto spawned = ops_.Spawn(helper.value()->plan, false);
    if (!spawned) {
      failed = spawned.error().message;
    } else {
      helper.value()->Started(spawned.value().pid);
      if (spawned.value().exec_error) LogWarn("restart handoff: " + *spawned.value().exec_error);
    }
  } else {
    failed = helper.error().message;
  }
  if (failed) {
    LogWarn("restart handoff: cannot run " + argv.front() + ": " + *failed + "; an ordinary exit");
    DecideAfterExit(*pending_exit_);
    return;
  }
  helper_ = std::move(helper).value();
  helper_job_ = job;
  helper_pid_arg_ = exited_pid;
  helper_deadline_ = ops_.Now() + h.timeout;
}

// The helper was reaped: its answer decides.
void Supervisor::OnHelperExit(int wait_status) {
  std::unique_ptr<HelperRun> helper = std::move(helper_);
  helper->Finish();
  const bool timed_out = helper_timed_out_;
  helper_timed_out_ = false;
  helper_deadline_.reset();
  if (stop_requested_ || !pending_exit_) return;  // a stop under way is never a restart
  const int code = ExitCodeFromWaitStatus(wait_status);
  const HandoffConfig& h = *config_.handoff;
  if (helper_job_ == HelperJob::kCapabilities) {
    HandoffVerdict caps = timed_out ? HandoffVerdict{false, "no answer within " + FormatDuration(h.timeout)}
                                    : ParseCapabilities(code, helper->out());
    handoff_supported_ = caps.yes;
    if (!caps.yes) {
      LogWarn("restart handoff off: '" + h.capabilities.front() + "' capabilities: " + caps.why +
              "; exits of the runtime are ordinary exits");
      DecideAfterExit(*std::exchange(pending_exit_, std::nullopt));
      return;
    }
    LogInfo("restart handoff: the runtime supports it (" + caps.why + ")");
    StartHelper(HelperJob::kConsume, helper_pid_arg_);
    return;
  }
  HandoffVerdict answer = timed_out ? HandoffVerdict{false, "no answer within " + FormatDuration(h.timeout)}
                                    : ParseHandoffAnswer(code, helper->out());
  PendingExit exit = *std::exchange(pending_exit_, std::nullopt);
  if (!answer.yes) {
    LogInfo("restart handoff: " + answer.why + "; an ordinary exit");
    if (code != 0 && !helper->err().empty() && DebugEnabled()) {
      // Its own error text, for the debug log only: a CLI may quote settings.
      std::string last = helper->err().substr(0, 512);
      LogDebug("restart handoff: its stderr: " + last.substr(0, last.find('\n')));
    }
    DecideAfterExit(exit);
    return;
  }
  // No backoff, no failure counted: the runtime asked for a fresh process.
  ++tracker_.restarts;
  snapshot_.restarts = tracker_.restarts;
  final_reason_ = exit.line;
  LogInfo("the runtime asked for a restart (handoff accepted): starting it again now (restart " +
          std::to_string(tracker_.restarts) + ")");
  StartRuntime();
}

}  // namespace claw
