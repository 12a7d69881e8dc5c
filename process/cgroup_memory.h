// The memory cgroup claw-init runs in, and the kernel's counters in it that
// say why a run died: the OOM-kill count, the limit and the peak use
// (contract section 7, "Why the runtime died"). Read at the start and at the
// end of a run only, never polled. cgroup v1 (the memory controller's own
// hierarchy) and v2 (the unified one) alike; a v1 memory line wins on a
// hybrid host, where the v2 hierarchy usually has no memory controller.
//
// Every function that touches files takes `root`, the directory that stands
// for "/" ("/" in production, a fake tree in the tests).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"

namespace claw {

// Where the memory controller's files of one cgroup are.
struct MemoryCgroup {
  std::string dir;  // with `root` in front: open dir + "/memory.events"
  int version = 0;  // 1 or 2
};

// The memory cgroup of a process as /proc/PID/cgroup names it: the path in
// its hierarchy ("/" inside a cgroup namespace).
struct CgroupPath {
  std::string path;
  int version = 0;
};

// Picks the memory line of /proc/self/cgroup: a v1 line whose controller
// list has "memory" ("4:memory:/a/b", "3:cpu,memory:/x"), else the v2 line
// ("0::/a/b"). nullopt when neither is there. Pure.
std::optional<CgroupPath> ParseProcCgroup(std::string_view text);

// The directory, under the mount point found in /proc/self/mountinfo, that
// holds `cgroup`: v1 a "cgroup" mount whose super options have "memory", v2
// a "cgroup2" mount. The mount's root (field 4) is taken off the front of
// the path: a container without a cgroup namespace mounts its own cgroup
// "/docker/ID" at /sys/fs/cgroup/memory and /proc/self/cgroup says
// "/docker/ID" too; with one, both say "/". A path outside the mount's root
// is an error. A mount something else is mounted over (directly, or over one
// of its parents) is skipped: e.g. `-v /sys/fs/cgroup/memory:...` puts the
// host's hierarchy on top of the container's own cgroup mount, and the path
// then resolves in the host's. Octal escapes (\040) are decoded. Pure.
Result<std::string> CgroupMountDir(std::string_view mountinfo, const CgroupPath& cgroup);

// ParseProcCgroup and CgroupMountDir over root/proc/self/{cgroup,mountinfo},
// then a check that the counter file (v2 memory.events, v1
// memory.oom_control) is there: the root of a v2 hierarchy, or one whose
// memory controller is not enabled, has none. The error says what is missing.
Result<MemoryCgroup> FindMemoryCgroup(const std::string& root = "/");

// The kernel's count of OOM kills in the cgroup: "oom_kill N" of v2
// memory.events, of v1 memory.oom_control (kernel 4.13 and later).
Result<uint64_t> ReadOomKills(const MemoryCgroup& cgroup);

// A byte count, nullopt for "none": no limit set, or the kernel does not
// report a peak. An Error when the file is there but cannot be read or parsed.
using MemoryReading = Result<std::optional<uint64_t>>;

// The limit: v2 memory.max ("max" is none), v1 memory.limit_in_bytes (a
// value of 2^62 or more is the kernel's "unlimited", none).
MemoryReading ReadMemoryLimit(const MemoryCgroup& cgroup);

// The peak use: v2 memory.peak (kernel 5.19 and later), v1
// memory.max_usage_in_bytes; a missing file is none. It is the peak of the
// whole cgroup, claw-init included, since it was made (or last reset).
MemoryReading ReadMemoryPeak(const MemoryCgroup& cgroup);

// "64 MiB", "1.5 GiB", "512 KiB", "100 bytes": binary units, at most one
// decimal, ".0" dropped. Pure.
std::string FormatMemorySize(uint64_t bytes);

// The log text of an OOM kill, e.g. "killed by the kernel's OOM killer
// (memory limit 64 MiB, peak 64 MiB)"; "no memory limit" when none is set;
// a reading that failed is left out. Pure: pass ReadMemoryLimit and
// ReadMemoryPeak as they came.
std::string FormatOomReason(const MemoryReading& limit, const MemoryReading& peak);

}  // namespace claw
