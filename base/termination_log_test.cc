#include "base/termination_log.h"

#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <functional>
#include <vector>

#include "base/files.h"
#include "tests/test_util.h"

namespace claw {
namespace {

bool Contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

bool ValidUtf8(const std::string& s) {
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 0;
    if (n == 0 || i + n > s.size()) return false;
    for (size_t k = 1; k < n; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xc0) != 0x80) return false;
    }
    i += n;
  }
  return true;
}

TEST_CASE("ResolveTerminationLog") {
  TempDir dir;
  const std::string present = dir / "termination-log";
  WriteText(present, "");
  const std::string absent = dir / "absent";
  struct Case {
    std::optional<std::string> value;
    std::string default_path;
    std::optional<std::string> target;
    bool error;
  };
  const Case cases[] = {
      {std::nullopt, present, present, false},       // Kubernetes made it: write there
      {std::nullopt, absent, std::nullopt, false},   // elsewhere: nowhere
      {"off", present, std::nullopt, false},
      {"/var/log/claw/last-exit", present, "/var/log/claw/last-exit", false},
      {"/not/there/yet", absent, "/not/there/yet", false},  // a missing directory is a warning later
      {"relative/file", present, std::nullopt, true},
      {"", present, std::nullopt, true},
      {"OFF", present, std::nullopt, true},
      {"/var/log/", present, std::nullopt, true},
  };
  for (const Case& c : cases) {
    CAPTURE(c.value.value_or("(unsaid)"));
    auto got = ResolveTerminationLog(c.value, c.default_path);
    if (c.error) {
      REQUIRE_FALSE(got);
      CHECK(Contains(got.error().message, "is neither an absolute file path nor 'off'"));
      CHECK(Contains(got.error().message, "'" + *c.value + "'"));
    } else {
      REQUIRE(got);
      CHECK(got.value() == c.target);
    }
  }
}

TEST_CASE("FormatTerminationMessage makes one bounded line") {
  CHECK(FormatTerminationMessage("openclaw exited with status 1; gave up after 11 failed runs") ==
        "openclaw exited with status 1; gave up after 11 failed runs\n");
  CHECK(FormatTerminationMessage("") == "\n");
  CHECK(FormatTerminationMessage("a\nb\r\nc\td\x1b[0m\x7f") == "a b  c d [0m \n");
  CHECK(FormatTerminationMessage("caf\xc3\xa9 \xe2\x9c\x93") == "caf\xc3\xa9 \xe2\x9c\x93\n");  // UTF-8 kept

  const std::string fits(kTerminationMessageLimit - 1, 'x');
  CHECK(FormatTerminationMessage(fits) == fits + "\n");
  const std::string longer(kTerminationMessageLimit, 'x');
  std::string cut = FormatTerminationMessage(longer);
  CHECK(cut.size() == kTerminationMessageLimit);
  CHECK(cut.substr(cut.size() - 4) == "...\n");

  // Every multi-byte length, at every alignment against the cut.
  for (const std::string ch : {"\xc3\xa9", "\xe2\x9c\x93", "\xf0\x9f\x90\xbe"}) {
    for (size_t pad = 0; pad < 4; ++pad) {
      std::string reason(pad, 'p');
      while (reason.size() < 2 * kTerminationMessageLimit) reason += ch;
      std::string line = FormatTerminationMessage(reason);
      CAPTURE(ch.size());
      CAPTURE(pad);
      CHECK(line.size() <= kTerminationMessageLimit);
      CHECK(line.size() > kTerminationMessageLimit - 4 - ch.size());
      CHECK(line.back() == '\n');
      CHECK(line.find('\n') == line.size() - 1);
      CHECK(ValidUtf8(line));
      CHECK(line.substr(line.size() - 4) == "...\n");
    }
  }
}

TEST_CASE("WriteTerminationLog writes atomically where it can") {
  TempDir dir;
  SUBCASE("a new file is 0644 whatever the umask") {
    mode_t old = ::umask(077);
    auto warning = WriteTerminationLog(dir / "termination-log", "why\n");
    ::umask(old);
    CHECK_MESSAGE(!warning, warning.value_or(""));
    CHECK(ReadText(dir / "termination-log") == "why\n");
    CHECK((Lstat(dir / "termination-log").st_mode & 07777) == 0644);
  }
  SUBCASE("a file that is there is replaced and keeps its mode") {
    WriteText(dir / "termination-log", "an older and longer message\n");
    REQUIRE(::chmod((dir / "termination-log").c_str(), 0640) == 0);
    const ino_t before = Lstat(dir / "termination-log").st_ino;
    auto warning = WriteTerminationLog(dir / "termination-log", "why\n");
    CHECK_MESSAGE(!warning, warning.value_or(""));
    CHECK(ReadText(dir / "termination-log") == "why\n");
    CHECK((Lstat(dir / "termination-log").st_mode & 07777) == 0640);
    CHECK(Lstat(dir / "termination-log").st_ino != before);  // renamed over, not rewritten
  }
  CHECK(Lstat(dir / ".termination-log.claw-tmp").st_mode == 0);
}

TEST_CASE("WriteTerminationLog warns and never fails") {
  TempDir dir;
  SUBCASE("a missing directory") {
    auto warning = WriteTerminationLog(dir / "no/such/dir/log", "why\n");
    REQUIRE(warning);
    CHECK(*warning == "termination log " + (dir / "no/such/dir/log") + " not written: directory " +
                          (dir / "no/such/dir") + ": No such file or directory");
  }
  SUBCASE("a symbolic link is not followed") {
    WriteText(dir / "target", "keep\n");
    REQUIRE(::symlink((dir / "target").c_str(), (dir / "log").c_str()) == 0);
    auto warning = WriteTerminationLog(dir / "log", "why\n");
    REQUIRE(warning);
    CHECK(Contains(*warning, "it is a symbolic link"));
    CHECK(ReadText(dir / "target") == "keep\n");
    CHECK(S_ISLNK(Lstat(dir / "log").st_mode));
  }
  SUBCASE("a directory at the path") {
    REQUIRE(::mkdir((dir / "log").c_str(), 0755) == 0);
    auto warning = WriteTerminationLog(dir / "log", "why\n");
    REQUIRE(warning);
    CHECK(Contains(*warning, "it is not a regular file"));
  }
  SUBCASE("not an absolute file path") {
    CHECK(WriteTerminationLog("log", "why\n").value_or("") == "termination log log not written: not an absolute file path");
    CHECK(WriteTerminationLog(dir.path + "/", "why\n").has_value());
  }
}

// Runs `body` in a forked child with a mount namespace of its own (mounts
// made there vanish with it) and returns what it returned, or "SKIP: ..."
// when no namespace can be had (not root).
std::string InOwnMountNamespace(const std::function<std::string()>& body) {
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    ::close(fds[0]);
    std::string out;
    if (::unshare(CLONE_NEWNS) != 0 || ::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) {
      out = std::string("SKIP: no mount namespace of its own: ") + std::strerror(errno);
    } else {
      out = body();
    }
    _exit(WriteAll(fds[1], out) ? 0 : 1);
  }
  ::close(fds[1]);
  std::string out;
  char buffer[4096];
  for (ssize_t n; (n = ::read(fds[0], buffer, sizeof buffer)) > 0;) out.append(buffer, static_cast<size_t>(n));
  ::close(fds[0]);
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  CHECK(WIFEXITED(status));
  return out;
}

// A bind mount of `from` over `to`, made read-only when asked.
struct BindMount {
  std::string from;
  std::string to;
  bool read_only = false;
};

// WriteTerminationLog(log, "why\n") in a mount namespace of its own, after
// the mounts: "written", the warning it returned, or "SETUP: ..." when a
// mount failed.
std::string WriteUnderMounts(const std::vector<BindMount>& mounts, const std::string& log) {
  return InOwnMountNamespace([&]() -> std::string {
    for (const BindMount& m : mounts) {
      if (::mount(m.from.c_str(), m.to.c_str(), nullptr, MS_BIND, nullptr) != 0) {
        return "SETUP: bind " + m.from + ": " + std::strerror(errno);
      }
      if (m.read_only && ::mount(nullptr, m.to.c_str(), nullptr, MS_BIND | MS_REMOUNT | MS_RDONLY, nullptr) != 0) {
        return "SETUP: remount " + m.to + " read-only: " + std::strerror(errno);
      }
    }
    auto warning = WriteTerminationLog(log, "why\n");
    return warning ? *warning : "written";
  });
}

TEST_CASE("WriteTerminationLog over mounts (Kubernetes' bind-mounted file, read-only directories)") {
  if (std::string probe = InOwnMountNamespace([] { return std::string(); }); !probe.empty()) {
    MESSAGE(probe);  // SKIP: no mount namespace (not root)
    return;
  }
  TempDir dir;
  WriteText(dir / "host-file", "");  // what the kubelet mounts
  REQUIRE(::mkdir((dir / "dev").c_str(), 0755) == 0);
  const std::string log = dir / "dev/termination-log";
  const BindMount host_file{dir / "host-file", log};
  const BindMount read_only_dir{dir / "dev", dir / "dev", true};

  SUBCASE("a bind-mounted file: the rename fails with EBUSY, the file is written in place") {
    WriteText(log, "");
    CHECK(WriteUnderMounts({host_file}, log) == "written");
    CHECK(ReadText(dir / "host-file") == "why\n");
    CHECK(ReadText(log) == "");  // the file under the mount was never touched
    CHECK(Lstat(dir / "dev/.termination-log.claw-tmp").st_mode == 0);
  }
  SUBCASE("a read-only directory around a writable bind-mounted file") {
    WriteText(log, "");
    CHECK(WriteUnderMounts({read_only_dir, host_file}, log) == "written");
    CHECK(ReadText(dir / "host-file") == "why\n");
  }
  SUBCASE("a read-only directory without the file") {
    CHECK(WriteUnderMounts({read_only_dir}, log) ==
          "termination log " + log +
              " not written: atomic write: cannot create a temporary file beside it: Read-only file system");
    CHECK(Lstat(log).st_mode == 0);
  }
  SUBCASE("a read-only directory with the file in it") {
    WriteText(log, "old\n");
    CHECK(Contains(WriteUnderMounts({read_only_dir}, log),
                   "Read-only file system; in place: Read-only file system"));
    CHECK(ReadText(log) == "old\n");
  }
}

}  // namespace
}  // namespace claw
