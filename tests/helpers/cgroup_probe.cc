// Test helper: what claw-init's reader (process/cgroup_memory.h) finds for
// the memory cgroup this process runs in, one "key=value" a line:
//   version=1  dir=/sys/fs/cgroup/memory/...  oom_kills=0
//   limit=67108864 (or none)  peak=1234567 (or none)
//   reason=killed by the kernel's OOM killer (memory limit 64 MiB, peak ...)
// A reading that fails is "KEY=error: TEXT". Exits 1 (with the reason on
// stderr) when no memory cgroup is found.
#include <cstdio>
#include <string>

#include "process/cgroup_memory.h"

namespace {

std::string Shown(const claw::MemoryReading& reading) {
  if (!reading) return "error: " + reading.error().message;
  return reading.value() ? std::to_string(*reading.value()) : "none";
}

}  // namespace

int main() {
  auto cgroup = claw::FindMemoryCgroup();
  if (!cgroup) {
    std::fprintf(stderr, "cgroup_probe: %s\n", cgroup.error().message.c_str());
    return 1;
  }
  auto kills = claw::ReadOomKills(cgroup.value());
  auto limit = claw::ReadMemoryLimit(cgroup.value());
  auto peak = claw::ReadMemoryPeak(cgroup.value());
  std::printf("version=%d\ndir=%s\noom_kills=%s\nlimit=%s\npeak=%s\nreason=%s\n", cgroup.value().version,
              cgroup.value().dir.c_str(),
              kills ? std::to_string(kills.value()).c_str() : ("error: " + kills.error().message).c_str(),
              Shown(limit).c_str(), Shown(peak).c_str(), claw::FormatOomReason(limit, peak).c_str());
  return 0;
}
