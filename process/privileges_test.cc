#include "process/privileges.h"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <fstream>
#include <string>
#include <vector>
#include "tests/test_util.h"

namespace claw {
namespace {

// tests/fixtures/passwd/<name>, found from this file's path so the tests do
// not depend on the working directory.
std::string Fixture(const std::string& name) {
  std::string here = __FILE__;
  std::string repo = here.substr(0, here.rfind("/process/"));
  return repo + "/tests/fixtures/passwd/" + name;
}

UserRequest WithUser(const char* user, std::vector<std::string> caps = {}) {
  UserRequest r;
  if (user != nullptr) r.user = user;
  r.caps = std::move(caps);
  return r;
}


}  // namespace

TEST_CASE("ResolveCredentials reads <root>/etc/passwd and /etc/group") {
  if (!IsRoot()) {
    MESSAGE("SKIP: ResolveCredentials drop cases need root");
    return;
  }
  struct Case {
    const char* fixture;
    const char* user;
    uid_t uid;
    gid_t gid;
    std::vector<gid_t> groups;
    const char* name;
    const char* home;
  };
  const Case cases[] = {
      {"basic", "openclaw", 1000, 1000, {1000, 50, 29, 999}, "openclaw", "/home/openclaw"},
      {"basic/", "nobody", 65534, 65534, {65534, 51, 4000}, "nobody", "/nonexistent"},
      {"basic", "nobody:nogroup", 65534, 65534, {65534}, "nobody", "/nonexistent"},
      {"basic", "nohome", 1500, 1500, {1500}, "nohome", "/"},
      {"basic", "1234:1234", 1234, 1234, {1234}, "1234", "/"},
      {"nogroupfile", "app", 700, 700, {700}, "app", "/srv/app"},
      {"empty", "1234", 1234, 0, {}, "1234", "/"},
      {"empty", "1234:5678", 1234, 5678, {5678}, "1234", "/"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.fixture);
    CAPTURE(c.user);
    auto r = ResolveCredentials(WithUser(c.user), Fixture(c.fixture));
    REQUIRE_MESSAGE(r, (r ? "" : r.error().message));
    const Credentials& creds = r.value();
    CHECK(creds.drop);
    CHECK(creds.uid == c.uid);
    CHECK(creds.gid == c.gid);
    CHECK(creds.groups == c.groups);
    CHECK(creds.name == c.name);
    CHECK(creds.home == c.home);
    CHECK(creds.keep_caps.empty());
  }
}

TEST_CASE("ResolveCredentials errors are config errors") {
  if (!IsRoot()) {
    MESSAGE("SKIP: needs root");
    return;
  }
  struct Case {
    const char* fixture;
    const char* user;
    std::vector<std::string> caps;
    const char* says;
  };
  const Case cases[] = {
      {"basic", "ghost", {}, "no user named 'ghost'"},
      {"basic", "nobody:ghosts", {}, "no group named 'ghosts'"},
      {"empty", "root", {}, "no user named 'root'"},
      {"nogroupfile", "app:staff", {}, "no group named 'staff'"},
      {"basic", "nobody", {"SETUID"}, "could regain root"},
      {"basic", "1234", {"NET_BIND_SERVICE", "SETUID"}, "could regain root"},
      {"basic", nullptr, {"NOT_A_CAP"}, "unknown capability 'NOT_A_CAP'"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.user ? c.user : "(none)");
    auto r = ResolveCredentials(WithUser(c.user, c.caps), Fixture(c.fixture));
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ExitCode::kConfig);
    CHECK_MESSAGE(r.error().message.find(c.says) != std::string::npos, r.error().message);
  }
  // Root may keep SETUID: it is root already.
  CHECK(ResolveCredentials(WithUser("root", {"SETUID"}), Fixture("basic")));
}

TEST_CASE("ResolveCredentials without --user and with --caps") {
  auto none = ResolveCredentials(WithUser(nullptr), Fixture("empty"));
  REQUIRE(none);
  CHECK_FALSE(none.value().drop);
  CHECK(none.value().keep_caps.empty());
  if (!IsRoot()) return;
  auto caps = ResolveCredentials(WithUser(nullptr, {"NET_BIND_SERVICE", "CHOWN", "NET_BIND_SERVICE"}),
                                 Fixture("empty"));
  REQUIRE(caps);
  CHECK_FALSE(caps.value().drop);
  CHECK(caps.value().keep_caps == std::vector<int>{CAP_NET_BIND_SERVICE, CAP_CHOWN});
}

TEST_CASE("ApplyCredentialsToEnvironment") {
  Credentials creds;
  creds.drop = true;
  creds.uid = 1000;
  creds.name = "openclaw";
  creds.home = "/home/openclaw";
  struct Case {
    std::vector<std::string> in;
    std::vector<std::string> out;
  };
  const Case cases[] = {
      {{}, {"HOME=/home/openclaw", "USER=openclaw", "LOGNAME=openclaw"}},
      {{"PATH=/bin", "HOME=/root", "USER=root"},
       {"PATH=/bin", "HOME=/home/openclaw", "USER=openclaw", "LOGNAME=openclaw"}},
      // Duplicates go; look-alike names stay.
      {{"HOME=/a", "HOMEDIR=/x", "HOME=/b", "LOGNAME=root"},
       {"HOME=/home/openclaw", "HOMEDIR=/x", "LOGNAME=openclaw", "USER=openclaw"}},
  };
  for (const Case& c : cases) {
    std::vector<std::string> env = c.in;
    ApplyCredentialsToEnvironment(creds, env);
    CHECK(env == c.out);
  }
  Credentials keep;  // no --user: the environment is left alone
  std::vector<std::string> env = {"HOME=/root"};
  ApplyCredentialsToEnvironment(keep, env);
  CHECK(env == std::vector<std::string>{"HOME=/root"});
}

namespace {

// What a child reports after DropInChild, gathered with plain syscalls.
struct ChildReport {
  int err = -1;
  char step[80] = {};
  uid_t ruid, euid, suid;
  gid_t rgid, egid, sgid;
  int ngroups;
  gid_t groups[16];
  __u32 eff[2], prm[2], inh[2];
  unsigned long long bounding;
  unsigned long long ambient;
  int no_new_privs;
  int setuid0_result;  // 0 = root regained (bad), else errno
  int bind80_result;   // 0 = bound, else errno
  bool own_netns;      // false: bind80_result means nothing
};

// Forks, drops in the child (in a fresh network namespace, so port 80 is
// free and ip_unprivileged_port_start is the default 1024), reports back.
ChildReport RunDropInChild(const Credentials& creds) {
  int fds[2];
  REQUIRE(pipe(fds) == 0);
  pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    close(fds[0]);
    ChildReport r{};
    r.own_netns = unshare(CLONE_NEWNET) == 0;
    const char* step = nullptr;
    r.err = DropInChild(creds, &step);
    if (step != nullptr) std::strncpy(r.step, step, sizeof r.step - 1);
    getresuid(&r.ruid, &r.euid, &r.suid);
    getresgid(&r.rgid, &r.egid, &r.sgid);
    r.ngroups = getgroups(16, r.groups);
    __user_cap_header_struct h{_LINUX_CAPABILITY_VERSION_3, 0};
    __user_cap_data_struct d[2] = {};
    syscall(SYS_capget, &h, d);
    for (int i = 0; i < 2; ++i) {
      r.eff[i] = d[i].effective;
      r.prm[i] = d[i].permitted;
      r.inh[i] = d[i].inheritable;
    }
    for (int cap = 0; cap < 64; ++cap) {
      if (prctl(PR_CAPBSET_READ, cap, 0, 0, 0) == 1) r.bounding |= 1ull << cap;
      if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, cap, 0, 0) == 1) r.ambient |= 1ull << cap;
    }
    r.no_new_privs = prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0);
    int s = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(80);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    r.bind80_result = bind(s, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 ? 0 : errno;
    r.setuid0_result = setuid(0) == 0 ? 0 : errno;  // last: it may succeed for root
    ssize_t n = write(fds[1], &r, sizeof r);
    _exit(n == sizeof r ? 0 : 4);
  }
  close(fds[1]);
  ChildReport r{};
  ssize_t n = read(fds[0], &r, sizeof r);
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  REQUIRE(WIFEXITED(status));
  REQUIRE(WEXITSTATUS(status) == 0);
  REQUIRE(n == static_cast<ssize_t>(sizeof r));
  if (!r.own_netns) MESSAGE("no network namespace: the bind checks are skipped");
  return r;
}

unsigned long long Mask(const __u32 words[2]) { return words[0] | (static_cast<unsigned long long>(words[1]) << 32); }

unsigned long long OwnBounding() {
  unsigned long long mask = 0;
  for (int cap = 0; cap < 64; ++cap) {
    if (prctl(PR_CAPBSET_READ, cap, 0, 0, 0) == 1) mask |= 1ull << cap;
  }
  return mask;
}

}  // namespace

TEST_CASE("DropInChild, for real in a forked child") {
  if (!IsRoot()) {
    MESSAGE("SKIP: DropInChild needs root");
    return;
  }
  const unsigned long long bind_cap = 1ull << CAP_NET_BIND_SERVICE;

  SUBCASE("to nobody: no capabilities at all, no way back") {
    Credentials c;
    c.drop = true;
    c.uid = 65534;
    c.gid = 65534;
    c.groups = {65534, 4000};
    ChildReport r = RunDropInChild(c);
    REQUIRE_MESSAGE(r.err == 0, r.step);
    CHECK(r.ruid == 65534);
    CHECK(r.euid == 65534);
    CHECK(r.suid == 65534);
    CHECK(r.rgid == 65534);
    CHECK(r.egid == 65534);
    CHECK(r.sgid == 65534);
    // The kernel keeps the list sorted.
    REQUIRE(r.ngroups == 2);
    CHECK(r.groups[0] == 4000);
    CHECK(r.groups[1] == 65534);
    CHECK(Mask(r.eff) == 0);
    CHECK(Mask(r.prm) == 0);
    CHECK(Mask(r.inh) == 0);
    CHECK(r.bounding == 0);
    CHECK(r.ambient == 0);
    CHECK(r.no_new_privs == 1);
    CHECK(r.setuid0_result == EPERM);
    if (r.own_netns) CHECK(r.bind80_result == EACCES);
  }

  SUBCASE("to a uid not in passwd, with NET_BIND_SERVICE kept") {
    Credentials c;
    c.drop = true;
    c.uid = 1234;
    c.gid = 0;
    c.keep_caps = {CAP_NET_BIND_SERVICE};
    ChildReport r = RunDropInChild(c);
    REQUIRE_MESSAGE(r.err == 0, r.step);
    CHECK(r.euid == 1234);
    CHECK(r.egid == 0);
    CHECK(r.ngroups == 0);
    CHECK(Mask(r.eff) == bind_cap);
    CHECK(Mask(r.prm) == bind_cap);
    CHECK(Mask(r.inh) == bind_cap);
    CHECK(r.bounding == bind_cap);
    CHECK(r.ambient == bind_cap);
    CHECK(r.no_new_privs == 1);
    if (r.own_netns) CHECK(r.bind80_result == 0);
    CHECK(r.setuid0_result == EPERM);
  }

  SUBCASE("root with --caps: only the kept capabilities") {
    Credentials c;  // no --user
    c.keep_caps = {CAP_NET_BIND_SERVICE, CAP_CHOWN};
    ChildReport r = RunDropInChild(c);
    REQUIRE_MESSAGE(r.err == 0, r.step);
    const unsigned long long kept = bind_cap | (1ull << CAP_CHOWN);
    CHECK(r.euid == 0);
    CHECK(Mask(r.prm) == kept);
    CHECK(r.bounding == kept);
    CHECK(r.ambient == kept);
    CHECK(r.no_new_privs == 1);
  }

  SUBCASE("--user root without --caps: ids set, capabilities untouched") {
    Credentials c;
    c.drop = true;
    c.uid = 0;
    c.gid = 0;
    c.groups = {0};
    ChildReport r = RunDropInChild(c);
    REQUIRE_MESSAGE(r.err == 0, r.step);
    CHECK(r.euid == 0);
    CHECK(r.ngroups == 1);
    CHECK(r.bounding == OwnBounding());
    CHECK(r.no_new_privs == 0);
    if (r.own_netns) CHECK(r.bind80_result == 0);
  }

  SUBCASE("no --user, no --caps: nothing changes") {
    ChildReport r = RunDropInChild(Credentials{});
    REQUIRE(r.err == 0);
    CHECK(r.step[0] == '\0');
    CHECK(r.euid == 0);
    CHECK(r.bounding == OwnBounding());
    CHECK(r.no_new_privs == 0);
  }

  SUBCASE("a failing step is named") {
    Credentials c;
    c.drop = true;
    c.uid = 1000;
    c.gid = 1000;
    c.groups.assign(70000, 5);  // above the kernel's NGROUPS_MAX
    ChildReport r = RunDropInChild(c);
    CHECK(r.err == EINVAL);
    CHECK(std::string(r.step) == "setgroups");
  }
}

}  // namespace claw
