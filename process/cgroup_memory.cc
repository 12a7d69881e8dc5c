#include "process/cgroup_memory.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <vector>

#include "base/files.h"
#include "base/unique_fd.h"

namespace claw {
namespace {

constexpr size_t kProcFileLimit = 1 << 20;  // mountinfo of a busy host
constexpr uint64_t kV1Unlimited = uint64_t{1} << 62;

std::vector<std::string_view> Split(std::string_view text, char sep) {
  std::vector<std::string_view> parts;
  while (true) {
    size_t at = text.find(sep);
    parts.push_back(text.substr(0, at));
    if (at == std::string_view::npos) return parts;
    text.remove_prefix(at + 1);
  }
}

std::optional<uint64_t> ParseCount(std::string_view text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.remove_suffix(1);
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

// mountinfo writes space, tab, newline and backslash as \ooo.
std::string Unescape(std::string_view field) {
  std::string out;
  for (size_t i = 0; i < field.size(); ++i) {
    if (field[i] == '\\' && i + 3 < field.size() &&
        field.substr(i + 1, 3).find_first_not_of("01234567") == std::string_view::npos) {
      out += static_cast<char>((field[i + 1] - '0') * 64 + (field[i + 2] - '0') * 8 + (field[i + 3] - '0'));
      i += 3;
    } else {
      out += field[i];
    }
  }
  return out;
}

// True when `path` is `prefix` or lies below it, component-wise.
bool IsUnder(std::string_view path, std::string_view prefix) {
  if (prefix == "/") return true;
  return path.substr(0, prefix.size()) == prefix && (path.size() == prefix.size() || path[prefix.size()] == '/');
}

std::string ErrnoText() { return std::strerror(errno); }

// Reads a whole file; `missing` is set (and no error returned) when it is
// not there, when the caller treats absence as an answer.
Result<std::string> ReadFile(const std::string& path, bool* missing = nullptr) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) {
    if (missing != nullptr && errno == ENOENT) {
      *missing = true;
      return std::string();
    }
    return Error{"open " + path + ": " + ErrnoText()};
  }
  auto text = ReadAll(fd.get(), kProcFileLimit);
  if (!text) return text.error().Prefixed("read " + path);
  return text;
}

// The value of `key` in a "key value" per line file (memory.events,
// memory.oom_control).
Result<uint64_t> ReadKeyedCount(const std::string& path, std::string_view key) {
  auto text = ReadFile(path);
  if (!text) return text.error();
  for (std::string_view line : Split(text.value(), '\n')) {
    if (line.size() > key.size() && line.substr(0, key.size()) == key && line[key.size()] == ' ') {
      if (auto n = ParseCount(line.substr(key.size() + 1))) return *n;
      return Error{path + ": '" + std::string(key) + "' is not a count"};
    }
  }
  return Error{path + ": no '" + std::string(key) + "' line"};
}

std::string Root(const std::string& root) {
  return root.empty() || root.back() != '/' ? root : root.substr(0, root.size() - 1);
}

}  // namespace

std::optional<CgroupPath> ParseProcCgroup(std::string_view text) {
  std::optional<CgroupPath> v2;
  for (std::string_view line : Split(text, '\n')) {
    // hierarchy-ID:controller-list:path; the path may itself hold ':'.
    size_t first = line.find(':');
    if (first == std::string_view::npos) continue;
    size_t second = line.find(':', first + 1);
    if (second == std::string_view::npos) continue;
    std::string_view id = line.substr(0, first);
    std::string_view controllers = line.substr(first + 1, second - first - 1);
    std::string_view path = line.substr(second + 1);
    if (path.empty()) continue;
    if (id == "0" && controllers.empty()) {
      v2 = CgroupPath{std::string(path), 2};
      continue;
    }
    for (std::string_view c : Split(controllers, ',')) {
      if (c == "memory") return CgroupPath{std::string(path), 1};
    }
  }
  return v2;
}

Result<std::string> CgroupMountDir(std::string_view mountinfo, const CgroupPath& cgroup) {
  // id parent major:minor root mount-point options [optional...] - type source super-options
  struct Mount {
    std::string_view id, parent;
    std::string root, point;
    bool wanted = false;  // the right hierarchy
  };
  std::vector<Mount> mounts;
  for (std::string_view line : Split(mountinfo, '\n')) {
    std::vector<std::string_view> fields = Split(line, ' ');
    size_t dash = 0;
    while (dash < fields.size() && fields[dash] != "-") ++dash;
    if (dash < 6 || dash + 3 >= fields.size()) continue;
    Mount m{fields[0], fields[1], Unescape(fields[3]), Unescape(fields[4])};
    std::string_view type = fields[dash + 1];
    if (cgroup.version == 2) m.wanted = type == "cgroup2";
    if (cgroup.version == 1 && type == "cgroup") {
      for (std::string_view o : Split(fields[dash + 3], ',')) m.wanted = m.wanted || o == "memory";
    }
    mounts.push_back(std::move(m));
  }
  // A mount is hidden when another is stacked on it (its child at the same
  // mount point), or when one of its parents is: e.g. the host's hierarchy
  // bind-mounted over a container's own cgroup mount. Walking up from a
  // mount, the child it was reached from does not hide its parent.
  auto visible = [&](const Mount* m) {
    const Mount* from = nullptr;
    for (size_t steps = 0; m != nullptr && steps <= mounts.size(); ++steps) {
      const Mount* up = nullptr;
      for (const Mount& other : mounts) {
        if (&other == m || &other == from) continue;
        if (other.parent == m->id && other.point == m->point) return false;
        if (other.id == m->parent) up = &other;
      }
      from = m;
      m = up;  // none: the root of this mount namespace
    }
    return true;
  };
  bool outside = false;
  for (const Mount& m : mounts) {
    if (!m.wanted || !visible(&m)) continue;
    if (!IsUnder(cgroup.path, m.root)) {
      outside = true;  // e.g. another container's cgroup mounted here
      continue;
    }
    std::string rest = m.root == "/" ? cgroup.path : cgroup.path.substr(m.root.size());
    if (rest == "/") rest.clear();
    if (m.point == "/") return rest.empty() ? std::string("/") : rest;
    return m.point + rest;
  }
  const std::string kind = cgroup.version == 1 ? "cgroup v1 memory" : "cgroup2";
  if (outside) return Error{"cgroup " + cgroup.path + " lies outside every " + kind + " mount"};
  return Error{"no " + kind + " mount in /proc/self/mountinfo"};
}

Result<MemoryCgroup> FindMemoryCgroup(const std::string& root) {
  const std::string base = Root(root);
  auto cgroups = ReadFile(base + "/proc/self/cgroup");
  if (!cgroups) return cgroups.error();
  std::optional<CgroupPath> path = ParseProcCgroup(cgroups.value());
  if (!path) return Error{"/proc/self/cgroup names no memory cgroup"};
  const char* counter = path->version == 2 ? "memory.events" : "memory.oom_control";
  // The usual mount point first (/sys/fs/cgroup, v1 /sys/fs/cgroup/memory,
  // the whole hierarchy or, in a cgroup namespace, the container's own):
  // claw-init reads this at every start, and mountinfo is the dearer read.
  {
    const std::string usual = base + (path->version == 2 ? "/sys/fs/cgroup" : "/sys/fs/cgroup/memory") +
                              (path->path == "/" ? std::string() : path->path);
    if (::access((usual + "/" + counter).c_str(), R_OK) == 0) return MemoryCgroup{usual, path->version};
  }
  auto mountinfo = ReadFile(base + "/proc/self/mountinfo");
  if (!mountinfo) return mountinfo.error();
  auto dir = CgroupMountDir(mountinfo.value(), *path);
  if (!dir) return dir.error();
  MemoryCgroup found{base + (dir.value() == "/" ? std::string() : dir.value()), path->version};
  if (found.dir.empty()) found.dir = "/";
  if (::access((found.dir + "/" + counter).c_str(), R_OK) != 0) {
    return Error{"cgroup " + path->path + " (" + found.dir + ") has no " + counter + ": " + ErrnoText()};
  }
  return found;
}

Result<uint64_t> ReadOomKills(const MemoryCgroup& cgroup) {
  return ReadKeyedCount(cgroup.dir + (cgroup.version == 2 ? "/memory.events" : "/memory.oom_control"), "oom_kill");
}

MemoryReading ReadMemoryLimit(const MemoryCgroup& cgroup) {
  const std::string path = cgroup.dir + (cgroup.version == 2 ? "/memory.max" : "/memory.limit_in_bytes");
  auto text = ReadFile(path);
  if (!text) return text.error();
  if (cgroup.version == 2 && (text.value() == "max\n" || text.value() == "max")) return std::optional<uint64_t>();
  auto value = ParseCount(text.value());
  if (!value) return Error{path + ": not a byte count"};
  if (cgroup.version == 1 && *value >= kV1Unlimited) return std::optional<uint64_t>();
  return std::optional<uint64_t>(*value);
}

MemoryReading ReadMemoryPeak(const MemoryCgroup& cgroup) {
  const std::string path = cgroup.dir + (cgroup.version == 2 ? "/memory.peak" : "/memory.max_usage_in_bytes");
  bool missing = false;
  auto text = ReadFile(path, &missing);
  if (!text) return text.error();
  if (missing) return std::optional<uint64_t>();
  auto value = ParseCount(text.value());
  if (!value) return Error{path + ": not a byte count"};
  return std::optional<uint64_t>(*value);
}

std::string FormatMemorySize(uint64_t bytes) {
  static constexpr const char* kUnits[] = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  if (bytes < 1024) return std::to_string(bytes) + (bytes == 1 ? " byte" : " bytes");
  int unit = 0;
  uint64_t scale = 1024;
  while (unit < 5 && bytes / scale >= 1024) {
    scale *= 1024;
    ++unit;
  }
  // Tenths, rounded half up, in integers: exact for every uint64_t.
  uint64_t tenths = bytes / scale * 10 + (bytes % scale * 10 + scale / 2) / scale;
  if (tenths == 10240 && unit < 5) {  // 1023.96 MiB rounds to 1 GiB
    tenths = 10;
    ++unit;
  }
  std::string text = std::to_string(tenths / 10);
  if (tenths % 10 != 0) text += "." + std::to_string(tenths % 10);
  return text + " " + kUnits[unit];
}

std::string FormatOomReason(const MemoryReading& limit, const MemoryReading& peak) {
  std::vector<std::string> facts;
  if (limit) facts.push_back(limit.value() ? "memory limit " + FormatMemorySize(*limit.value()) : "no memory limit");
  if (peak && peak.value()) facts.push_back("peak " + FormatMemorySize(*peak.value()));
  std::string text = "killed by the kernel's OOM killer";
  for (size_t i = 0; i < facts.size(); ++i) text += (i == 0 ? " (" : ", ") + facts[i];
  return facts.empty() ? text : text + ")";
}

}  // namespace claw
