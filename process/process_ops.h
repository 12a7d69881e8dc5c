// The supervisor's I/O edge: the clock, the wait for events, the signals,
// and what it does to processes (spawn, kill, reap, list). SystemOps makes
// the real system calls; the supervisor's unit tests give it a fake clock
// and fake children instead, the way a build tool fakes its disk.
#pragma once

#include <poll.h>
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "process/cgroup_memory.h"
#include "process/reap.h"
#include "process/signals.h"
#include "process/spawn.h"

namespace claw {

class ProcessOps {
 public:
  using Clock = std::chrono::steady_clock;
  virtual ~ProcessOps() = default;

  virtual Clock::time_point Now() = 0;
  // Waits until a signal is pending or one of `fds` is ready (revents set),
  // or `timeout_ms` has passed (-1: no limit).
  virtual void Wait(std::vector<pollfd>& fds, int timeout_ms) = 0;
  // Every signal pending now (never blocks).
  virtual std::vector<ReceivedSignal> TakeSignals() = 0;
  virtual Result<Spawned> Spawn(const SpawnPlan& plan, bool take_terminal) = 0;
  // kill(2): `pid` < 0 is a process group. Returns 0 or the errno.
  virtual int Kill(pid_t pid, int signo) = 0;
  // Collects dead children (ReapChildren).
  virtual ReapResult Reap() = 0;
  // claw-init's direct children (the orphans it adopted, as a subreaper).
  virtual std::vector<pid_t> Children() = 0;
  // The kernel's OOM-kill count of claw-init's memory cgroup, read at the
  // start and the end of a run (never polled); nullopt: not known here.
  virtual std::optional<uint64_t> OomKills() { return std::nullopt; }
  // "killed by the kernel's OOM killer (memory limit 64 MiB, peak 64 MiB)".
  virtual std::string OomReport() { return "killed by the kernel's OOM killer"; }
};

// The real thing, reading signals from `signal_fd` (BlockSignals()).
class SystemOps : public ProcessOps {
 public:
  explicit SystemOps(int signal_fd) : signal_fd_(signal_fd) {}
  Clock::time_point Now() override { return Clock::now(); }
  void Wait(std::vector<pollfd>& fds, int timeout_ms) override;
  std::vector<ReceivedSignal> TakeSignals() override;
  Result<Spawned> Spawn(const SpawnPlan& plan, bool take_terminal) override;
  int Kill(pid_t pid, int signo) override;
  ReapResult Reap() override;
  std::vector<pid_t> Children() override;
  std::optional<uint64_t> OomKills() override;
  std::string OomReport() override;

 private:
  int signal_fd_;
  std::vector<pollfd> all_;  // Wait's poll set: the signalfd, then the caller's fds
  // Found at the first OomKills(); an error is logged once (debug).
  std::optional<Result<MemoryCgroup>> cgroup_;
};

}  // namespace claw
