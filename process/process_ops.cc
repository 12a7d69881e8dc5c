#include "process/process_ops.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "base/log.h"

namespace claw {

void SystemOps::Wait(std::vector<pollfd>& fds, int timeout_ms) {
  // The signalfd first, then the caller's, in a buffer kept between passes
  // (no allocation once it has grown to the loop's handful of sources).
  all_.assign(1, pollfd{signal_fd_, POLLIN, 0});
  for (const pollfd& p : fds) all_.push_back(pollfd{p.fd, p.events, 0});
  if (poll(all_.data(), all_.size(), timeout_ms) < 0 && errno != EINTR) {
    LogError(std::string("poll: ") + strerror(errno));
  }
  for (size_t i = 0; i < fds.size(); ++i) fds[i].revents = all_[i + 1].revents;
}

std::vector<ReceivedSignal> SystemOps::TakeSignals() { return DrainSignalFd(signal_fd_); }

Result<Spawned> SystemOps::Spawn(const SpawnPlan& plan, bool take_terminal) {
  return claw::Spawn(plan, take_terminal);
}

int SystemOps::Kill(pid_t pid, int signo) { return kill(pid, signo) == 0 ? 0 : errno; }

ReapResult SystemOps::Reap() { return ReapChildren(); }

// As a subreaper (not PID 1) these are the orphans that escaped the
// runtime's group. The kernel lists each thread's children in
// /proc/self/task/TID/children; only the main thread forks, so its list is
// the whole answer, without scanning every process of the host. Kernels
// without that file fall back to the scan.
std::vector<pid_t> SystemOps::Children() {
  std::vector<pid_t> children;
  const pid_t self = getpid();
  std::ifstream list("/proc/self/task/" + std::to_string(self) + "/children");
  if (list) {
    long pid;
    while (list >> pid) children.push_back(static_cast<pid_t>(pid));
    return children;
  }
  DIR* dir = opendir("/proc");
  if (dir == nullptr) return children;
  while (dirent* entry = readdir(dir)) {
    char* end = nullptr;
    long pid = strtol(entry->d_name, &end, 10);
    if (*end != '\0' || pid <= 0) continue;
    std::ifstream stat("/proc/" + std::string(entry->d_name) + "/stat");
    std::string line;
    if (!std::getline(stat, line)) continue;
    size_t close = line.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream rest(line.substr(close + 2));
    char state;
    long ppid = 0;
    rest >> state >> ppid;
    if (ppid == self) children.push_back(static_cast<pid_t>(pid));
  }
  closedir(dir);
  return children;
}

std::optional<uint64_t> SystemOps::OomKills() {
  if (!cgroup_) {
    cgroup_ = FindMemoryCgroup();
    if (!*cgroup_) LogDebug("no memory cgroup (" + cgroup_->error().message + "): OOM kills are not told apart");
  }
  if (!*cgroup_) return std::nullopt;
  auto count = ReadOomKills(cgroup_->value());
  if (!count) return std::nullopt;
  return count.value();
}

std::string SystemOps::OomReport() {
  if (!cgroup_ || !*cgroup_) return ProcessOps::OomReport();
  return FormatOomReason(ReadMemoryLimit(cgroup_->value()), ReadMemoryPeak(cgroup_->value()));
}

}  // namespace claw
