// The supervisor: THE event loop. It alone owns process state (the
// runtime's pid, restarts, the next start, the stop deadline).
//
// Each time it wakes, on a signal or a deadline, and never otherwise (no
// periodic wake-ups), it:
//   1. drains pending signals, forwarding each one or recording a stop;
//   2. reaps every dead child, noting the runtime's exit (and, not as
//      PID 1 with a terminal, follows the runtime into a Ctrl-Z stop);
//   3. acts on deadlines: starts the runtime if a restart is due, or sends
//      SIGKILL when a stop or clean-up grace period has run out;
//   4. publishes a SupervisorSnapshot (for the health server).
//
// Life of a run: start -> running -> the runtime exits -> either backoff and
// a new start, or clean-up (TERM to what is left, KILL after the grace) and
// the end, with the last run's exit status.
#pragma once

#include <sys/types.h>

#include <array>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "base/duration.h"
#include "base/supervisor_state.h"
#include "base/unique_fd.h"
#include "process/backoff.h"
#include "process/handoff.h"
#include "process/process_ops.h"
#include "process/signals.h"
#include "process/spawn.h"

namespace claw {

// What the supervisor is asked to do (contract sections 1 and 2), resolved
// by the caller from the options.
struct SupervisorConfig {
  RestartPolicy restart = RestartPolicy::kNever;
  BackoffPolicy backoff;
  int stop_signal = 15;  // SIGTERM
  Duration stop_grace = std::chrono::seconds(8);
  // On a stop, the state is "stopping" at once and the stop signal goes out
  // this much later (a second stop request sends it at once); the grace
  // counts from the signal.
  Duration stop_delay{0};
  bool single_child = false;
  std::map<int, int> rewrite;  // forwarded signal -> signal sent (0: dropped)
  std::set<int> remap_exit;    // exit codes reported as 0
  bool pid1 = false;           // claw-init is PID 1 of its namespace
  std::optional<HandoffConfig> handoff;  // [restart] handoff (section 7)
};

// One more file descriptor the loop waits on beside the signals: the health
// server's sockets, a helper command's pipe. The loop calls `dispatch` when
// the fd is ready or the source's own deadline (`timeout_ms`, -1: none) has
// come; a dispatch does a bounded amount of work and returns false when the
// source is finished (it is then never waited on again).
struct LoopSource {
  int fd = -1;
  short events = POLLIN;
  std::function<int(std::chrono::steady_clock::time_point now)> timeout_ms;
  std::function<bool()> dispatch;
};

class Supervisor {
 public:
  using Clock = std::chrono::steady_clock;
  using Publisher = std::function<void(const SupervisorSnapshot&)>;

  Supervisor(SupervisorConfig config, SpawnPlan plan, ProcessOps& ops, Publisher publish,
             std::vector<LoopSource> sources = {});

  // Runs until the runtime is gone for good; returns claw-init's exit code.
  int Run();

  // With --redact: called before each start for the run's stdout and stderr
  // (the write ends, closed once the child has them).
  using RunOutput = std::function<Result<std::array<UniqueFd, 2>>()>;
  void SetRunOutput(RunOutput make) { run_output_ = std::move(make); }

  // Why it ended, one line for the termination log: "openclaw exited with
  // status 1 after 2s; gave up after 11 failed runs in a row". Set once the
  // first run has ended; never holds the runtime's output or a secret.
  const std::string& final_reason() const { return final_reason_; }

 private:
  enum class Phase { kSupervising, kCleanup, kDone };

  void StartRuntime();
  void HandleSignal(const ReceivedSignal& signal);
  void ForwardToRuntime(int send);
  void SuspendWithRuntime();
  void FollowRuntimeStop();
  void HandTerminalToRuntime();
  void RequestStop(int send, int received);
  void SendStop(int send);
  struct PendingExit {
    int code;
    Duration ran_for;
    pid_t group;
    std::string line;
  };
  enum class HelperJob { kCapabilities, kConsume };
  void DecideAfterExit(const PendingExit& exit);
  void StartHelper(HelperJob job, pid_t exited_pid);
  void OnHelperExit(int wait_status);
  void OnRuntimeExit(int wait_status);
  void BeginCleanup();
  void SignalLeftovers(int signo);
  void HandleDeadlines(Clock::time_point now);
  int PollTimeoutMs(Clock::time_point now) const;
  void WaitAndDispatch();
  void SetState(RuntimeState state);
  void KillRuntime(int signo);

  const SupervisorConfig config_;
  SpawnPlan plan_;
  ProcessOps& ops_;
  Publisher publish_;
  std::vector<LoopSource> sources_;
  std::vector<pollfd> pollfds_;
  const bool is_pid1_;
  const SignalPolicy policy_;

  Phase phase_ = Phase::kSupervising;
  SupervisorSnapshot snapshot_;
  pid_t pid_ = 0;                        // the runtime; 0 when not running
  pid_t old_group_ = 0;                  // group of the previous run, killed before a restart
  Clock::time_point started_at_;
  RestartTracker tracker_;
  int last_status_ = 0;
  bool stop_requested_ = false;
  std::optional<Clock::time_point> next_start_;
  std::optional<Clock::time_point> stop_delay_deadline_;  // send the stop signal then
  int delayed_stop_signal_ = 0;
  std::optional<Clock::time_point> stop_deadline_;     // SIGKILL the group then
  std::optional<Clock::time_point> cleanup_deadline_;  // SIGKILL leftovers then
  std::optional<Clock::time_point> give_up_deadline_;  // exit even if something is unkillable
  bool stop_grace_spent_ = false;
  bool no_children_ = false;
  bool more_to_reap_ = false;
  bool resumed_ = false;  // claw-init was stopped and continued in this pass
  std::mt19937_64 random_;
  std::optional<uint64_t> oom_at_start_;  // the cgroup's OOM-kill count when this run started
  std::string final_reason_;
  RunOutput run_output_;
  // The restart handoff: the command running, what it is for, the exit it
  // decides, and whether the runtime said it supports handoffs.
  std::unique_ptr<HelperRun> helper_;
  HelperJob helper_job_ = HelperJob::kConsume;
  pid_t helper_pid_arg_ = 0;
  bool helper_timed_out_ = false;
  std::optional<Clock::time_point> helper_deadline_;
  std::optional<PendingExit> pending_exit_;
  std::optional<bool> handoff_supported_;
};

}  // namespace claw
