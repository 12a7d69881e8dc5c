#include "process/cgroup_memory.h"

#include <unistd.h>

#include <cstdio>
#include <filesystem>

#include "tests/test_util.h"

namespace claw {
namespace {

// The cgroup lines of this machine's mountinfo (hybrid: v1 controllers and
// an unnamed unified hierarchy), as a template for the fake trees.
constexpr const char* kHybridMountinfo =
    "22 1 0:21 / /proc rw,nosuid - proc proc rw\n"
    "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
    "32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"
    "35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
    "40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd\n"
    "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n";

constexpr const char* kHybridCgroup =
    "9:name=systemd:/\n"
    "4:memory:/process_api/4114e5\n"
    "1:cpu:/\n"
    "0::/\n";

// A fake root: proc/self/{cgroup,mountinfo} and the cgroup directory
// `dir` (relative to the root) with the given files.
void MakeTree(const TempDir& root, const std::string& cgroup, const std::string& mountinfo, const std::string& dir,
              std::initializer_list<std::pair<std::string, std::string>> files) {
  std::filesystem::create_directories(root / "proc/self");
  WriteText(root / "proc/self/cgroup", cgroup);
  WriteText(root / "proc/self/mountinfo", mountinfo);
  std::filesystem::create_directories(root / dir);
  for (const auto& [name, text] : files) WriteText(root / (dir + "/" + name), text);
}

TEST_CASE("ParseProcCgroup picks the memory line") {
  struct Case {
    const char* text;
    std::optional<std::string> path;
    int version;
  };
  const Case cases[] = {
      {kHybridCgroup, "/process_api/4114e5", 1},
      {"0::/user.slice/user-0.slice/session-1.scope\n", "/user.slice/user-0.slice/session-1.scope", 2},
      {"0::/\n", "/", 2},
      {"0::/\n3:cpu,memory:/x\n", "/x", 1},  // v1 memory wins wherever it stands
      {"5:memory:/a:b\n", "/a:b", 1},        // a ':' inside the path
      {"2:cpu:/\n1:name=systemd:/\n", std::nullopt, 0},
      {"4:memoryx:/z\n", std::nullopt, 0},
      {"", std::nullopt, 0},
      {"garbage\n", std::nullopt, 0},
  };
  for (const Case& c : cases) {
    CAPTURE(c.text);
    auto got = ParseProcCgroup(c.text);
    REQUIRE(got.has_value() == c.path.has_value());
    if (got) {
      CHECK(got->path == *c.path);
      CHECK(got->version == c.version);
    }
  }
}

TEST_CASE("CgroupMountDir joins the mount point and the path below the mount's root") {
  struct Case {
    std::string mountinfo;
    CgroupPath cgroup;
    std::string dir;  // "" means an error
  };
  const Case cases[] = {
      // outside a container: the hierarchy's root is mounted
      {kHybridMountinfo, {"/process_api/4114e5", 1}, "/sys/fs/cgroup/memory/process_api/4114e5"},
      {kHybridMountinfo, {"/", 2}, "/sys/fs/cgroup/unified"},
      // a container without a cgroup namespace: its own cgroup is mounted
      {"50 40 0:32 /docker/abc /sys/fs/cgroup/memory ro,nosuid - cgroup cgroup rw,memory\n",
       {"/docker/abc", 1}, "/sys/fs/cgroup/memory"},
      {"50 40 0:32 /docker/abc /sys/fs/cgroup/memory ro - cgroup cgroup rw,memory\n",
       {"/docker/abc/sub", 1}, "/sys/fs/cgroup/memory/sub"},
      // a container with one: both say "/"
      {"60 50 0:40 / /sys/fs/cgroup ro,nosuid shared:9 master:2 - cgroup2 cgroup2 rw,nsdelegate\n",
       {"/", 2}, "/sys/fs/cgroup"},
      // combined controllers, an escaped space in the mount point
      {"35 31 0:32 / /cg\\040mem rw - cgroup cgroup rw,cpu,memory\n", {"/a", 1}, "/cg mem/a"},
      // "/docker/abcd" is not below "/docker/abc"
      {"50 40 0:32 /docker/abc /sys/fs/cgroup/memory ro - cgroup cgroup rw,memory\n", {"/docker/abcd", 1}, ""},
      // the wrong kind of mount
      {kHybridMountinfo, {"/x", 1}, "/sys/fs/cgroup/memory/x"},
      {"32 31 0:29 / /sys/fs/cgroup/cpu rw - cgroup cgroup rw,cpu\n", {"/x", 1}, ""},
      {"35 31 0:32 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n", {"/x", 2}, ""},
      {"", {"/", 2}, ""},
      {"truncated line - cgroup2\n", {"/", 2}, ""},
      // Podman, `-v /sys/fs/cgroup/memory:/sys/fs/cgroup/memory:ro` (seen
      // here): the host's hierarchy (99) stacked on the container's own (93)
      {"89 82 0:48 / /sys/fs/cgroup rw - tmpfs tmpfs rw\n"
       "93 89 0:32 /libpod_parent/libpod-1 /sys/fs/cgroup/memory ro - cgroup cgroup rw,memory\n"
       "99 93 0:32 / /sys/fs/cgroup/memory ro,relatime - cgroup cgroup rw,memory\n",
       {"/libpod_parent/libpod-1", 1}, "/sys/fs/cgroup/memory/libpod_parent/libpod-1"},
      // a tmpfs mounted over /sys/fs/cgroup hides the memory mount below it,
      // and the host's tree mounted there later is the one that counts
      {"31 23 0:28 / /sys/fs/cgroup rw - tmpfs tmpfs rw\n"
       "35 31 0:32 /docker/abc /sys/fs/cgroup/memory ro - cgroup cgroup rw,memory\n"
       "70 31 0:50 / /sys/fs/cgroup rw - tmpfs tmpfs rw\n"
       "71 70 0:32 / /sys/fs/cgroup/memory ro - cgroup cgroup rw,memory\n",
       {"/docker/abc", 1}, "/sys/fs/cgroup/memory/docker/abc"},
      // the same two mounts at different places: the first is used
      {"35 31 0:32 /docker/abc /sys/fs/cgroup/memory ro - cgroup cgroup rw,memory\n"
       "71 31 0:32 / /host/cgroup/memory ro - cgroup cgroup rw,memory\n",
       {"/docker/abc", 1}, "/sys/fs/cgroup/memory"},
      // a hidden mount is no answer, even when it alone would fit
      {"35 31 0:32 /docker/abc /sys/fs/cgroup/memory ro - cgroup cgroup rw,memory\n"
       "36 35 0:60 / /sys/fs/cgroup/memory ro - tmpfs tmpfs rw\n",
       {"/docker/abc", 1}, ""},
      // a parent loop in a malformed mountinfo ends
      {"35 36 0:32 / /sys/fs/cgroup/memory ro - cgroup cgroup rw,memory\n"
       "36 35 0:60 / /sys/fs/cgroup ro - tmpfs tmpfs rw\n",
       {"/x", 1}, "/sys/fs/cgroup/memory/x"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.mountinfo);
    CAPTURE(c.cgroup.path);
    auto got = CgroupMountDir(c.mountinfo, c.cgroup);
    if (c.dir.empty()) {
      REQUIRE_FALSE(got);
      CHECK_FALSE(got.error().message.empty());
    } else {
      REQUIRE(got);
      CHECK(got.value() == c.dir);
    }
  }
}

TEST_CASE("FindMemoryCgroup and the readers over a v1 tree outside a container") {
  TempDir root;
  MakeTree(root, kHybridCgroup, kHybridMountinfo, "sys/fs/cgroup/memory/process_api/4114e5",
           {{"memory.oom_control", "oom_kill_disable 0\nunder_oom 0\noom_kill 3\n"},
            {"memory.limit_in_bytes", "67108864\n"},
            {"memory.max_usage_in_bytes", "67104768\n"}});
  auto cg = FindMemoryCgroup(root.path);
  REQUIRE_MESSAGE(cg, cg.error().message);
  CHECK(cg.value().version == 1);
  CHECK(cg.value().dir == root / "sys/fs/cgroup/memory/process_api/4114e5");
  auto kills = ReadOomKills(cg.value());
  REQUIRE(kills);
  CHECK(kills.value() == 3);
  auto limit = ReadMemoryLimit(cg.value());
  REQUIRE(limit);
  CHECK(limit.value() == std::optional<uint64_t>(67108864));
  auto peak = ReadMemoryPeak(cg.value());
  REQUIRE(peak);
  CHECK(peak.value() == std::optional<uint64_t>(67104768));
  CHECK(FormatOomReason(limit, peak) == "killed by the kernel's OOM killer (memory limit 64 MiB, peak 64 MiB)");

  // The kernel's "unlimited" of v1 is a page-rounded LONG_MAX.
  WriteText(cg.value().dir + "/memory.limit_in_bytes", "9223372036854771712\n");
  limit = ReadMemoryLimit(cg.value());
  REQUIRE(limit);
  CHECK_FALSE(limit.value().has_value());
  // A kernel before 4.13 has no oom_kill line in v1.
  WriteText(cg.value().dir + "/memory.oom_control", "oom_kill_disable 0\nunder_oom 0\n");
  CHECK_FALSE(ReadOomKills(cg.value()));
}

TEST_CASE("FindMemoryCgroup over a v1 container without a cgroup namespace") {
  TempDir root;
  MakeTree(root, "4:memory:/docker/abc\n1:cpu:/docker/abc\n",
           "50 40 0:32 /docker/abc /sys/fs/cgroup/memory ro,nosuid - cgroup cgroup rw,memory\n",
           "sys/fs/cgroup/memory", {{"memory.oom_control", "oom_kill_disable 0\nunder_oom 1\noom_kill 0\n"}});
  auto cg = FindMemoryCgroup(root.path + "/");  // a trailing slash on the root is the same root
  REQUIRE_MESSAGE(cg, cg.error().message);
  CHECK(cg.value().dir == root / "sys/fs/cgroup/memory");
  auto kills = ReadOomKills(cg.value());
  REQUIRE(kills);
  CHECK(kills.value() == 0);
  // No limit file: an error, not "no limit".
  CHECK_FALSE(ReadMemoryLimit(cg.value()));
}

TEST_CASE("FindMemoryCgroup and the readers over v2 trees") {
  SUBCASE("inside a container with a cgroup namespace") {
    TempDir root;
    MakeTree(root, "0::/\n", "60 50 0:40 / /sys/fs/cgroup ro,nosuid - cgroup2 cgroup2 rw,nsdelegate\n",
             "sys/fs/cgroup",
             {{"memory.events", "low 0\nhigh 0\nmax 12\noom 2\noom_group_kill 7\noom_kill 2\n"},
              {"memory.max", "67108864\n"},
              {"memory.peak", "66060288\n"}});
    auto cg = FindMemoryCgroup(root.path);
    REQUIRE_MESSAGE(cg, cg.error().message);
    CHECK(cg.value().version == 2);
    CHECK(cg.value().dir == root / "sys/fs/cgroup");
    auto kills = ReadOomKills(cg.value());
    REQUIRE(kills);
    CHECK(kills.value() == 2);  // not oom (2 too, by chance) nor oom_group_kill
    CHECK(FormatOomReason(ReadMemoryLimit(cg.value()), ReadMemoryPeak(cg.value())) ==
          "killed by the kernel's OOM killer (memory limit 64 MiB, peak 63 MiB)");
  }
  SUBCASE("on a host, no limit, a kernel without memory.peak") {
    TempDir root;
    MakeTree(root, "0::/system.slice/agent.service\n", "30 23 0:26 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n",
             "sys/fs/cgroup/system.slice/agent.service",
             {{"memory.events", "low 0\nhigh 0\nmax 0\noom 0\noom_kill 1\n"}, {"memory.max", "max\n"}});
    auto cg = FindMemoryCgroup(root.path);
    REQUIRE_MESSAGE(cg, cg.error().message);
    CHECK(cg.value().dir == root / "sys/fs/cgroup/system.slice/agent.service");
    auto limit = ReadMemoryLimit(cg.value());
    REQUIRE(limit);
    CHECK_FALSE(limit.value().has_value());
    auto peak = ReadMemoryPeak(cg.value());
    REQUIRE(peak);
    CHECK_FALSE(peak.value().has_value());
    CHECK(FormatOomReason(limit, peak) == "killed by the kernel's OOM killer (no memory limit)");
  }
  SUBCASE("the root of the hierarchy has no memory.events") {
    TempDir root;
    MakeTree(root, "0::/\n", "30 23 0:26 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n", "sys/fs/cgroup",
             {{"cgroup.controllers", "cpu io\n"}});
    auto cg = FindMemoryCgroup(root.path);
    REQUIRE_FALSE(cg);
    CHECK(cg.error().message.find("has no memory.events") != std::string::npos);
  }
  SUBCASE("garbled counters are errors") {
    TempDir root;
    MakeTree(root, "0::/\n", "30 23 0:26 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n", "sys/fs/cgroup",
             {{"memory.events", "oom_kill many\n"}, {"memory.max", "64M\n"}, {"memory.peak", "\n"}});
    auto cg = FindMemoryCgroup(root.path);
    REQUIRE(cg);
    CHECK_FALSE(ReadOomKills(cg.value()));
    CHECK_FALSE(ReadMemoryLimit(cg.value()));
    CHECK_FALSE(ReadMemoryPeak(cg.value()));
    CHECK(FormatOomReason(ReadMemoryLimit(cg.value()), ReadMemoryPeak(cg.value())) ==
          "killed by the kernel's OOM killer");
  }
}

TEST_CASE("FindMemoryCgroup names what is missing") {
  TempDir root;
  auto none = FindMemoryCgroup(root.path);
  REQUIRE_FALSE(none);
  CHECK(none.error().message.find("proc/self/cgroup") != std::string::npos);
  MakeTree(root, "1:cpu:/\n", "", "sys", {});
  auto no_line = FindMemoryCgroup(root.path);
  REQUIRE_FALSE(no_line);
  CHECK(no_line.error().message == "/proc/self/cgroup names no memory cgroup");
}

TEST_CASE("FormatMemorySize") {
  struct Case {
    uint64_t bytes;
    const char* text;
  };
  const Case cases[] = {
      {0, "0 bytes"},
      {1, "1 byte"},
      {1023, "1023 bytes"},
      {1024, "1 KiB"},
      {1536, "1.5 KiB"},
      {67108864, "64 MiB"},
      {67104768, "64 MiB"},                   // 63.996 rounds up
      {66060288, "63 MiB"},
      {uint64_t{1} << 30, "1 GiB"},
      {(uint64_t{1} << 30) - 1, "1 GiB"},    // 1023.99 MiB is 1 GiB, not "1024 MiB"
      {uint64_t{3} << 29, "1.5 GiB"},
      {uint64_t{1} << 40, "1 TiB"},
      {UINT64_MAX, "16 EiB"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.bytes);
    CHECK(FormatMemorySize(c.bytes) == std::string(c.text));
  }
}

TEST_CASE("FormatOomReason") {
  using R = MemoryReading;
  const auto some = [](uint64_t n) { return R(std::optional<uint64_t>(n)); };
  const R none = R(std::optional<uint64_t>());
  const R failed = R(Error{"unreadable"});
  CHECK(FormatOomReason(some(1 << 26), some(1 << 26)) ==
        "killed by the kernel's OOM killer (memory limit 64 MiB, peak 64 MiB)");
  CHECK(FormatOomReason(some(1 << 26), none) == "killed by the kernel's OOM killer (memory limit 64 MiB)");
  CHECK(FormatOomReason(none, some(uint64_t{3} << 29)) ==
        "killed by the kernel's OOM killer (no memory limit, peak 1.5 GiB)");
  CHECK(FormatOomReason(failed, some(1 << 20)) == "killed by the kernel's OOM killer (peak 1 MiB)");
  CHECK(FormatOomReason(failed, failed) == "killed by the kernel's OOM killer");
}

// The real files of this machine. Allowed to skip, loudly, where claw-init
// would find no memory cgroup either (then OOM kills are not told apart).
TEST_CASE("FindMemoryCgroup on this machine finds the cgroup this process is in") {
  auto cg = FindMemoryCgroup();
  if (!cg) {
    std::fprintf(stderr, "SKIP: no memory cgroup on this machine: %s\n", cg.error().message.c_str());
    MESSAGE("SKIP: no memory cgroup on this machine: " << cg.error().message);
    return;
  }
  MESSAGE("memory cgroup v" << cg.value().version << " at " << cg.value().dir);
  // The directory found is really ours: its cgroup.procs lists this process.
  const std::string procs = ReadText(cg.value().dir + "/cgroup.procs");
  bool listed = false;
  std::istringstream lines(procs);
  for (std::string line; std::getline(lines, line);) listed = listed || line == std::to_string(::getpid());
  CHECK_MESSAGE(listed, cg.value().dir << "/cgroup.procs does not list pid " << ::getpid());
  auto kills = ReadOomKills(cg.value());
  CHECK_MESSAGE(kills, kills.error().message);
  auto limit = ReadMemoryLimit(cg.value());
  CHECK_MESSAGE(limit, limit.error().message);
  auto peak = ReadMemoryPeak(cg.value());
  REQUIRE_MESSAGE(peak, peak.error().message);
  if (peak.value()) CHECK(*peak.value() > 0);  // this process alone uses some
}

}  // namespace
}  // namespace claw
