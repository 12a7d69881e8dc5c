#include "process/supervisor.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/random.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>

#include "base/log.h"
#include "process/reap.h"
#include "base/signal_names.h"

namespace claw {
namespace {

// After the last SIGKILL, how long to wait for the kernel to deliver it
// before exiting anyway (a process stuck in uninterruptible sleep).
constexpr std::chrono::seconds kKillWait(2);

std::string DescribeStatus(int wait_status) {
  if (WIFSIGNALED(wait_status)) {
    return "killed by signal " + SignalName(WTERMSIG(wait_status)) + " (status " +
           std::to_string(ExitCodeFromWaitStatus(wait_status)) + ")";
  }
  return "exited with status " + std::to_string(ExitCodeFromWaitStatus(wait_status));
}

// Seed for the backoff jitter. Not std::random_device: its set-up probes
// the CPU with cpuid, which traps to the hypervisor in a VM, at every start.
uint64_t JitterSeed() {
  uint64_t seed = 0;
  if (getrandom(&seed, sizeof seed, GRND_NONBLOCK) != static_cast<ssize_t>(sizeof seed)) {
    seed = static_cast<uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count()) ^ static_cast<uint64_t>(getpid());
  }
  return seed;
}

}  // namespace

Supervisor::Supervisor(SupervisorConfig config, SpawnPlan plan, ProcessOps& ops, Publisher publish,
                       std::vector<LoopSource> sources)
    : config_(std::move(config)),
      plan_(std::move(plan)),
      ops_(ops),
      publish_(std::move(publish)),
      sources_(std::move(sources)),
      is_pid1_(config_.pid1),
      policy_{config_.rewrite, config_.stop_signal, /*job_control=*/!is_pid1_,
              /*runtime_orphaned=*/!plan_.interactive},
      random_(JitterSeed()) {
  for (const LoopSource& source : sources_) pollfds_.push_back(pollfd{source.fd, source.events, 0});
  // Without a capabilities command, the handoff command is taken as supported.
  if (config_.handoff && config_.handoff->capabilities.empty()) handoff_supported_ = true;
}

void Supervisor::SetState(RuntimeState state) { snapshot_.state = state; }

int Supervisor::Run() {
  StartRuntime();
  while (phase_ != Phase::kDone) {
    if (publish_) publish_(snapshot_);
    WaitAndDispatch();
    // 1. signals
    resumed_ = false;
    bool child_changed = false;
    for (const ReceivedSignal& signal : ops_.TakeSignals()) {
      child_changed |= signal.signo == SIGCHLD;
      HandleSignal(signal);
    }
    // 2. reap (on every pass: SIGCHLDs merge, so never rely on counting them)
    ReapResult reaped = ops_.Reap();
    for (const Reaped& r : reaped.reaped) {
      if (r.pid == pid_) {
        OnRuntimeExit(r.wait_status);
      } else if (helper_ && r.pid == helper_->pid()) {
        OnHelperExit(r.wait_status);
      }
    }
    if (child_changed) FollowRuntimeStop();
    if (reaped.no_children) no_children_ = true;
    more_to_reap_ = reaped.hit_limit;  // come straight back for the rest
    if (phase_ == Phase::kCleanup && no_children_) phase_ = Phase::kDone;
    // 3. deadlines
    HandleDeadlines(ops_.Now());
  }
  if (snapshot_.state == RuntimeState::kStopping) SetState(RuntimeState::kExited);
  if (publish_) publish_(snapshot_);
  return last_status_;
}

// Waits for a signal, a source's fd or the nearest deadline, then runs the
// sources that are due. The signals are handled after, in the same pass.
void Supervisor::WaitAndDispatch() {
  const Clock::time_point now = ops_.Now();
  int timeout = PollTimeoutMs(now);
  for (const LoopSource& source : sources_) {
    if (!source.timeout_ms) continue;
    const int own = source.timeout_ms(now);
    if (own >= 0 && (timeout < 0 || own < timeout)) timeout = own;
  }
  for (pollfd& p : pollfds_) p.revents = 0;
  // A helper command's pipes, for this pass only.
  const size_t fixed = pollfds_.size();
  if (helper_) {
    pollfds_.push_back(pollfd{helper_->out_fd(), POLLIN, 0});
    pollfds_.push_back(pollfd{helper_->err_fd(), POLLIN, 0});
  }
  ops_.Wait(pollfds_, timeout);
  bool helper_ready = false;
  for (size_t i = fixed; i < pollfds_.size(); ++i) helper_ready |= pollfds_[i].revents != 0;
  pollfds_.resize(fixed);
  if (helper_ready) helper_->Read();
  const Clock::time_point after = ops_.Now();
  for (size_t i = 0; i < sources_.size(); ++i) {
    LoopSource& source = sources_[i];
    const bool due = source.timeout_ms && source.timeout_ms(after) == 0;
    if ((pollfds_[i].revents == 0 && !due) || !source.dispatch) continue;
    if (!source.dispatch()) {
      source = LoopSource{};
      pollfds_[i].fd = -1;
    }
  }
}

void Supervisor::KillRuntime(int signo) {
  if (config_.single_child) {
    ops_.Kill(pid_, signo);
  } else if (ops_.Kill(-pid_, signo) == ESRCH) {
    ops_.Kill(pid_, signo);
  }
}

void Supervisor::StartRuntime() {
  next_start_.reset();
  // With a terminal, the runtime becomes its foreground group only when the
  // terminal is claw-init's, or was the previous run's: `claw-init ... &`
  // from a shell, or a restart after `bg`, leaves the shell its terminal.
  bool take_terminal = false;
  if (plan_.interactive) {
    const pid_t foreground = tcgetpgrp(STDIN_FILENO);
    take_terminal = foreground == getpgrp() || (old_group_ > 0 && foreground == old_group_);
  }
  if (old_group_ > 0) {
    // Whatever the previous run left in its group must not outlive it.
    ops_.Kill(-old_group_, SIGKILL);
    old_group_ = 0;
  }
  SetState(RuntimeState::kStarting);
  if (publish_) publish_(snapshot_);
  std::array<UniqueFd, 2> output;  // closed here once the child has them
  if (run_output_) {
    auto pipes = run_output_();
    if (!pipes) {
      LogError("cannot start " + plan_.argv.front() + ": output pipes: " + pipes.error().message);
      started_at_ = ops_.Now();
      OnRuntimeExit(1 << 8);
      return;
    }
    output = std::move(pipes).value();
    plan_.stdio[1] = output[0].get();
    plan_.stdio[2] = output[1].get();
  }
  auto spawned = ops_.Spawn(plan_, take_terminal);
  if (!spawned) {
    // fork failed (EAGAIN, ENOMEM): count it as a failed run.
    LogError("cannot start " + plan_.argv.front() + ": " + spawned.error().message);
    started_at_ = ops_.Now();
    OnRuntimeExit(1 << 8);  // as if it had exited with status 1
    return;
  }
  pid_ = spawned.value().pid;
  started_at_ = ops_.Now();
  oom_at_start_ = ops_.OomKills();
  snapshot_.pid = pid_;
  snapshot_.started_at = started_at_;
  no_children_ = false;
  if (spawned.value().exec_error) {
    LogError("cannot start " + plan_.argv.front() + ": " + *spawned.value().exec_error);
    // The child exits 126/127 at once; the reaper reports it.
    return;
  }
  SetState(RuntimeState::kRunning);
  final_reason_.clear();  // the reason is this run's from now on
  LogInfo("started " + plan_.argv.front() + " (pid " + std::to_string(pid_) + ")" +
          (snapshot_.restarts > 0 ? ", restart " + std::to_string(snapshot_.restarts) : ""));
}

void Supervisor::HandleSignal(const ReceivedSignal& signal) {
  const int signo = signal.signo;
  if (signo == SIGCONT) HandTerminalToRuntime();
  SignalAction action = ClassifySignal(signal, policy_);
  switch (action.kind) {
    case SignalAction::Kind::kReap:
    case SignalAction::Kind::kDrop:
      return;
    case SignalAction::Kind::kOwnFault:
      LogError("received " + SignalName(signo) + " from the kernel (code " + std::to_string(signal.code) +
               "): a fault of claw-init itself");
      DieBySignal(signo);
    case SignalAction::Kind::kStop:
      RequestStop(action.send, signo);
      return;
    case SignalAction::Kind::kForward:
    case SignalAction::Kind::kSuspend:
      if (pid_ == 0) {
        LogDebug("no runtime running: " + SignalName(signo) + " not forwarded");
      } else {
        // Send first, log after: the runtime is waiting for the signal.
        ForwardToRuntime(action.send);
        if (DebugEnabled()) {
          LogDebug("forwarded " + SignalName(signo) +
                   (action.send != signo ? " as " + SignalName(action.send) : std::string()) + " (code " +
                   std::to_string(signal.code) + ")");
        }
      }
      if (action.kind == SignalAction::Kind::kSuspend) SuspendWithRuntime();
      return;
  }
}

void Supervisor::ForwardToRuntime(int send) { KillRuntime(send); }

void Supervisor::RequestStop(int send, int received) {
  if (phase_ != Phase::kSupervising) return;  // already cleaning up
  if (stop_requested_) {
    if (stop_delay_deadline_) {
      // A second request ends the stop delay at once.
      LogInfo("received " + SignalName(received) + " again: stop delay cut short");
      SendStop(send);
      return;
    }
    // A repeated stop request is passed on again; the deadline stands.
    if (pid_ != 0) KillRuntime(send);
    if (DebugEnabled()) LogDebug("received " + SignalName(received) + " again: passed on");
    return;
  }
  stop_requested_ = true;
  next_start_.reset();
  final_reason_ += std::string(final_reason_.empty() ? "" : "; ") + "stopped by " + SignalName(received);
  if (pid_ == 0) {
    // In backoff (or about to be): nothing to stop, exit with the last status.
    LogInfo("received " + SignalName(received) + ": no runtime running; exiting with status " +
            std::to_string(last_status_));
    BeginCleanup();
    return;
  }
  SetState(RuntimeState::kStopping);
  if (config_.stop_delay.count() > 0) {
    // Not ready from now on (the publish at the top of the next pass); the
    // runtime goes on serving what is still routed to it.
    stop_delay_deadline_ = ops_.Now() + config_.stop_delay;
    delayed_stop_signal_ = send;
    LogInfo("received " + SignalName(received) + ": stopping; not ready now, " + SignalName(send) + " in " +
            FormatDuration(config_.stop_delay) + " (stop delay)");
    return;
  }
  SendStop(send);
  // Logged after the kill: formatting a line is not worth delaying the stop.
  LogInfo("received " + SignalName(received) + ": stopping; sent " + SignalName(send) + " to " +
          (config_.single_child ? "pid " : "process group ") + std::to_string(pid_) + "; SIGKILL in " +
          FormatDuration(config_.stop_grace));
}

// The stop signal goes out; the grace counts from here.
void Supervisor::SendStop(int send) {
  stop_delay_deadline_.reset();
  if (pid_ == 0) return;
  stop_deadline_ = ops_.Now() + config_.stop_grace;
  ForwardToRuntime(send);
}

void Supervisor::OnRuntimeExit(int wait_status) {
  int code = ExitCodeFromWaitStatus(wait_status);
  const pid_t group = pid_;
  std::string how = DescribeStatus(wait_status);
  snapshot_.last_exit_reason = WIFSIGNALED(wait_status) ? ExitReason::kSignal : ExitReason::kExit;
  if (WIFSIGNALED(wait_status) && WTERMSIG(wait_status) == SIGKILL && oom_at_start_) {
    // Read at the end of the run only: no polling while it runs.
    const std::optional<uint64_t> now = ops_.OomKills();
    if (now && *now > *oom_at_start_) {
      snapshot_.last_exit_reason = ExitReason::kOom;
      snapshot_.oom_kills += *now - *oom_at_start_;
      how += ", " + ops_.OomReport();
    }
  }
  oom_at_start_.reset();
  if (config_.remap_exit.count(code) != 0) {
    how += ", remapped to 0";
    code = 0;
  }
  last_status_ = code;
  snapshot_.last_exit = code;
  snapshot_.pid = 0;
  snapshot_.started_at.reset();
  pid_ = 0;
  const auto ran_for = std::chrono::duration_cast<Duration>(ops_.Now() - started_at_);
  const std::string line = plan_.argv.front() + " " + how + " after " + FormatDuration(ran_for);
  if (snapshot_.last_exit_reason == ExitReason::kOom) {
    LogError(line);
  } else {
    LogInfo(line);
  }

  if (stop_requested_) {
    final_reason_ = line + "; " + final_reason_;
    old_group_ = group;
    BeginCleanup();
    return;
  }
  if (config_.handoff && WIFEXITED(wait_status) && WEXITSTATUS(wait_status) == 0 && handoff_supported_ != false) {
    // The runtime may have exited to be started again: ask it (section 7).
    pending_exit_ = PendingExit{code, ran_for, group, line};
    old_group_ = group;
    SetState(RuntimeState::kStarting);
    StartHelper(handoff_supported_ == true ? HelperJob::kConsume : HelperJob::kCapabilities, group);
    return;
  }
  DecideAfterExit(PendingExit{code, ran_for, group, line});
}

void Supervisor::DecideAfterExit(const PendingExit& exit) {
  const pid_t group = exit.group;
  const std::string& line = exit.line;
  const int code = exit.code;
  std::uniform_real_distribution<double> jitter(-1.0, 1.0);
  RestartDecision decision =
      DecideRestart(config_.restart, config_.backoff, tracker_, RunOutcome{code, exit.ran_for}, jitter(random_));
  if (decision.restart) {
    final_reason_ = line;
    snapshot_.restarts = tracker_.restarts;
    SetState(RuntimeState::kBackoff);
    next_start_ = ops_.Now() + decision.delay;
    // Ask what is left of the old group to go; it is killed before the start.
    if (group > 0) ops_.Kill(-group, SIGTERM);
    old_group_ = group;
    LogInfo("restarting in " + FormatDuration(decision.delay) + " (restart " + std::to_string(tracker_.restarts) +
            ", " + std::to_string(tracker_.consecutive_failures) + " failed in a row)");
    return;
  }
  final_reason_ = line;
  if (decision.gave_up) {
    snapshot_.given_up = true;
    SetState(RuntimeState::kFatal);
    final_reason_ += "; gave up after " + std::to_string(tracker_.consecutive_failures) + " failed runs in a row";
    LogError("giving up after " + std::to_string(tracker_.consecutive_failures) +
             " failed runs in a row; exiting with status " + std::to_string(code));
  }
  old_group_ = group;
  BeginCleanup();
}

void Supervisor::BeginCleanup() {
  phase_ = Phase::kCleanup;
  next_start_.reset();
  stop_delay_deadline_.reset();
  // The stop has begun: not ready from now on (fatal stays fatal).
  if (snapshot_.state != RuntimeState::kFatal) SetState(RuntimeState::kStopping);
  const auto now = ops_.Now();
  if (stop_grace_spent_ || (stop_deadline_ && now >= *stop_deadline_)) {
    // The stop grace is spent: no second grace period for leftovers.
    SignalLeftovers(SIGKILL);
    give_up_deadline_ = now + kKillWait;
    return;
  }
  SignalLeftovers(SIGTERM);
  cleanup_deadline_ = stop_deadline_ ? *stop_deadline_ : now + config_.stop_grace;
}

void Supervisor::SignalLeftovers(int signo) {
  if (old_group_ > 0) ops_.Kill(-old_group_, signo);
  if (is_pid1_) {
    ops_.Kill(-1, signo);  // every process of the namespace but PID 1 itself
  } else {
    for (pid_t child : ops_.Children()) ops_.Kill(child, signo);
  }
}

void Supervisor::HandleDeadlines(Clock::time_point now) {
  if (phase_ == Phase::kDone) return;
  if (next_start_ && now >= *next_start_ && phase_ == Phase::kSupervising) {
    StartRuntime();
  }
  if (helper_deadline_ && now >= *helper_deadline_ && helper_) {
    LogWarn("restart handoff: '" + helper_->plan.argv.front() + "' did not answer within " +
            FormatDuration(config_.handoff->timeout) + "; killed");
    ops_.Kill(-helper_->pid(), SIGKILL);
    ops_.Kill(helper_->pid(), SIGKILL);
    helper_timed_out_ = true;
    helper_deadline_.reset();
  }
  if (stop_delay_deadline_ && now >= *stop_delay_deadline_) {
    const int send = delayed_stop_signal_;
    SendStop(send);
    if (pid_ != 0) {
      LogInfo("stop delay over: sent " + SignalName(send) + " to " + (config_.single_child ? "pid " : "process group ") +
              std::to_string(pid_) + "; SIGKILL in " + FormatDuration(config_.stop_grace));
    }
  }
  if (stop_deadline_ && now >= *stop_deadline_ && pid_ != 0) {
    LogWarn(plan_.argv.front() + " did not stop within " + FormatDuration(config_.stop_grace) +
            "; sending SIGKILL to its process group");
    ops_.Kill(-pid_, SIGKILL);
    ops_.Kill(pid_, SIGKILL);
    stop_deadline_.reset();
    stop_grace_spent_ = true;  // clean-up after the exit kills at once
  }
  if (cleanup_deadline_ && now >= *cleanup_deadline_) {
    cleanup_deadline_.reset();
    if (!no_children_) LogWarn("processes left after the runtime exited; sending SIGKILL");
    SignalLeftovers(SIGKILL);
    give_up_deadline_ = now + kKillWait;
  }
  if (give_up_deadline_ && now >= *give_up_deadline_ && phase_ == Phase::kCleanup) {
    LogWarn("some processes did not die after SIGKILL; exiting anyway");
    phase_ = Phase::kDone;
  }
}

int Supervisor::PollTimeoutMs(Clock::time_point now) const {
  if (more_to_reap_ || (phase_ == Phase::kCleanup && no_children_)) return 0;
  std::optional<Clock::time_point> next;
  auto consider = [&](const std::optional<Clock::time_point>& t) {
    if (t && (!next || *t < *next)) next = t;
  };
  consider(next_start_);
  consider(stop_delay_deadline_);
  consider(helper_deadline_);
  if (pid_ != 0) consider(stop_deadline_);
  consider(cleanup_deadline_);
  consider(give_up_deadline_);
  if (!next) return -1;  // idle: sleep until a signal
  auto ms = std::chrono::ceil<std::chrono::milliseconds>(*next - now).count();
  return static_cast<int>(std::clamp<long long>(ms, 0, 24LL * 3600 * 1000));
}

}  // namespace claw
