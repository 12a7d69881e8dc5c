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

#include <chrono>
#include <functional>
#include <optional>
#include <random>

#include "process/backoff.h"
#include "app/options.h"
#include "process/signals.h"
#include "process/spawn.h"
#include "base/supervisor_state.h"

namespace claw {

class Supervisor {
 public:
  using Clock = std::chrono::steady_clock;
  using Publisher = std::function<void(const SupervisorSnapshot&)>;

  Supervisor(const Options& options, SpawnPlan plan, int signal_fd, Publisher publish);

  // Runs until the runtime is gone for good; returns claw-init's exit code.
  int Run();

 private:
  enum class Phase { kSupervising, kCleanup, kDone };

  void StartRuntime();
  void HandleSignal(const ReceivedSignal& signal);
  void ForwardToRuntime(int send);
  void SuspendWithRuntime();
  void FollowRuntimeStop();
  void HandTerminalToRuntime();
  void RequestStop(int send, int received);
  void OnRuntimeExit(int wait_status);
  void BeginCleanup();
  void SignalLeftovers(int signo);
  void HandleDeadlines(Clock::time_point now);
  int PollTimeoutMs(Clock::time_point now) const;
  void SetState(RuntimeState state);

  const Options& options_;
  SpawnPlan plan_;
  int signal_fd_;
  Publisher publish_;
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
  std::optional<Clock::time_point> stop_deadline_;     // SIGKILL the group then
  std::optional<Clock::time_point> cleanup_deadline_;  // SIGKILL leftovers then
  std::optional<Clock::time_point> give_up_deadline_;  // exit even if something is unkillable
  bool stop_grace_spent_ = false;
  bool no_children_ = false;
  bool more_to_reap_ = false;
  bool resumed_ = false;  // claw-init was stopped and continued in this pass
  std::mt19937_64 random_;
};

}  // namespace claw
