#include "process/privileges.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <sstream>
#include <sys/capability.h>

#include "base/files.h"
#include "base/log.h"
#include "process/passwd.h"
#include "base/unique_fd.h"

namespace claw {
namespace {

// The kernel's limit on supplementary groups (NGROUPS_MAX in linux/limits.h).
constexpr size_t kMaxGroups = 65536;

// The id syscalls are made directly: in the child after fork there is one
// thread, so the per-thread kernel call is exactly right, and glibc's
// wrappers would run their all-threads broadcast machinery for nothing.
// Where an ABI has *32 variants (i386, 32-bit arm), the plain calls take
// 16-bit ids and the *32 ones are those with full ids.
#if defined(SYS_setresuid32)
#define CLAW_ID_SYSCALL(name) SYS_##name##32
#else
#define CLAW_ID_SYSCALL(name) SYS_##name
#endif
constexpr long kSysSetresuid = CLAW_ID_SYSCALL(setresuid);
constexpr long kSysSetresgid = CLAW_ID_SYSCALL(setresgid);
constexpr long kSysGetresuid = CLAW_ID_SYSCALL(getresuid);
constexpr long kSysGetresgid = CLAW_ID_SYSCALL(getresgid);
constexpr long kSysSetgroups = CLAW_ID_SYSCALL(setgroups);
#undef CLAW_ID_SYSCALL

struct CapSets {
  uint64_t effective = 0;
  uint64_t permitted = 0;
  uint64_t inheritable = 0;
};

// capget(2) for the calling thread. Async-signal-safe.
int GetCaps(CapSets* out) {
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};
  if (syscall(SYS_capget, &header, data) != 0) return errno;
  out->effective = data[0].effective | (uint64_t{data[1].effective} << 32);
  out->permitted = data[0].permitted | (uint64_t{data[1].permitted} << 32);
  out->inheritable = data[0].inheritable | (uint64_t{data[1].inheritable} << 32);
  return 0;
}

// capset(2) with the same mask for all three sets. Async-signal-safe.
int SetCaps(uint64_t mask) {
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};
  for (int i = 0; i < 2; ++i) {
    auto word = static_cast<uint32_t>(mask >> (32 * i));
    data[i].effective = word;
    data[i].permitted = word;
    data[i].inheritable = word;
  }
  if (syscall(SYS_capset, &header, data) != 0) return errno;
  return 0;
}

bool HasCap(const CapSets& caps, int cap) { return (caps.effective >> cap) & 1; }

// Reads a whole file; a missing file reads as empty (a scratch image may
// have no /etc/group), any other failure is an error.
Result<std::string> ReadOptionalFile(const std::string& path) {
  UniqueFd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) {
    if (errno == ENOENT) return std::string();
    return Error{"open " + path + ": " + std::strerror(errno)};
  }
  std::string text;
  char buf[8192];
  while (true) {
    ssize_t n = read(fd.get(), buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Error{"read " + path + ": " + std::strerror(errno)};
    }
    if (n == 0) break;
    text.append(buf, static_cast<size_t>(n));
  }
  return text;
}

void WarnSkipped(const std::string& path, const std::vector<SkippedLine>& skipped) {
  for (const SkippedLine& s : skipped) {
    LogWarn(path + ":" + std::to_string(s.line) + ": line skipped: " + s.reason);
  }
}

Result<std::vector<int>> CapValues(const std::vector<std::string>& names) {
  std::vector<int> values;
  const int max_bits = cap_max_bits();
  for (const std::string& name : names) {
    std::string lookup = "cap_" + name;
    for (char& c : lookup) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    cap_value_t value;
    if (cap_from_name(lookup.c_str(), &value) != 0) {
      return Error{"unknown capability '" + name + "'"};
    }
    if (value < 0 || value >= max_bits || value >= 64) {
      return Error{"capability '" + name + "' is not supported by the running kernel"};
    }
    if (std::find(values.begin(), values.end(), value) == values.end()) values.push_back(value);
  }
  return values;
}

uint64_t CapMask(const std::vector<int>& caps) {
  uint64_t mask = 0;
  for (int cap : caps) mask |= uint64_t{1} << cap;
  return mask;
}

// Whether DropInChild touches capabilities at all: always when the runtime
// ends up non-root (everything not kept goes), otherwise only when --caps
// asks for a trimmed set. Root with no --caps keeps what it has, as with
// gosu/su-exec and `docker run --user root`.
bool TrimsCaps(const Credentials& creds) {
  return (creds.drop && creds.uid != 0) || !creds.keep_caps.empty();
}

}  // namespace

Result<Credentials> ResolveCredentials(const UserRequest& request, const std::string& root) {
  Credentials creds;
  auto caps = CapValues(request.caps);
  if (!caps) return caps.error().Prefixed("--caps");
  creds.keep_caps = std::move(caps).value();

  CapSets own;
  if (int err = GetCaps(&own); err != 0) {
    return Error{std::string("capget: ") + std::strerror(err)};
  }
  const bool can_set_ids = HasCap(own, CAP_SETUID) && HasCap(own, CAP_SETGID);
  const bool can_set_caps = HasCap(own, CAP_SETPCAP);

  if (request.user) {
    std::string base = root;
    while (!base.empty() && base.back() == '/') base.pop_back();
    const std::string passwd_path = base + "/etc/passwd";
    const std::string group_path = base + "/etc/group";
    auto passwd_text = ReadOptionalFile(passwd_path);
    if (!passwd_text) return passwd_text.error();
    auto group_text = ReadOptionalFile(group_path);
    if (!group_text) return group_text.error();
    PasswdFile passwd = ParsePasswd(passwd_text.value());
    GroupFile group = ParseGroup(group_text.value());
    WarnSkipped(passwd_path, passwd.skipped);
    WarnSkipped(group_path, group.skipped);

    auto user = ResolveUserSpec(*request.user, passwd, group);
    if (!user) return user.error();
    if (user.value().groups.size() > kMaxGroups) {
      return Error{"user spec '" + *request.user + "': " + std::to_string(user.value().groups.size()) +
                   " supplementary groups, the kernel allows " + std::to_string(kMaxGroups)};
    }
    creds.drop = true;
    creds.uid = user.value().uid;
    creds.gid = user.value().gid;
    creds.groups = std::move(user.value().groups);
    creds.name = std::move(user.value().name);
    creds.home = std::move(user.value().home);

    if (!can_set_ids || !can_set_caps) {
      if (geteuid() == 0) {
        // Root that cannot switch users must not run the runtime as root
        // when it was asked not to.
        std::string missing;
        for (auto [cap, name] : {std::pair{CAP_SETUID, "CAP_SETUID"}, std::pair{CAP_SETGID, "CAP_SETGID"},
                                 std::pair{CAP_SETPCAP, "CAP_SETPCAP"}}) {
          if (!HasCap(own, cap)) missing += std::string(missing.empty() ? "" : ", ") + name;
        }
        return Error{"user spec '" + *request.user + "': claw-init runs as root without " + missing +
                     ", so it cannot switch to the runtime user"};
      }
      // Already non-root (Docker --user): nothing to drop, and nothing could
      // be dropped. The outer user choice stands.
      if (geteuid() != creds.uid || getegid() != creds.gid) {
        LogWarn("user spec '" + *request.user + "' not applied: claw-init runs as uid " +
                std::to_string(geteuid()) + " without CAP_SETUID; the runtime keeps that uid");
      }
      creds = Credentials{};
      if (!request.caps.empty()) {
        LogWarn("--caps not applied: claw-init runs as uid " + std::to_string(geteuid()) +
                " without CAP_SETPCAP");
      }
      return creds;
    }
    if (creds.uid != 0 && std::find(creds.keep_caps.begin(), creds.keep_caps.end(), CAP_SETUID) !=
                              creds.keep_caps.end()) {
      return Error{"--caps SETUID with user spec '" + *request.user +
                   "': the runtime could regain root; refusing"};
    }
    return creds;
  }

  if (!creds.keep_caps.empty() && !can_set_caps) {
    LogWarn("--caps not applied: claw-init runs as uid " + std::to_string(geteuid()) +
            " without CAP_SETPCAP");
    creds.keep_caps.clear();
  }
  return creds;
}

void ApplyCredentialsToEnvironment(const Credentials& creds, std::vector<std::string>& envp) {
  if (!creds.drop) return;
  const std::pair<const char*, const std::string*> vars[] = {
      {"HOME=", &creds.home}, {"USER=", &creds.name}, {"LOGNAME=", &creds.name}};
  for (const auto& var : vars) {
    const char* prefix = var.first;
    std::string entry = std::string(prefix) + *var.second;
    auto same_name = [prefix](const std::string& e) { return e.rfind(prefix, 0) == 0; };
    auto it = std::find_if(envp.begin(), envp.end(), same_name);
    if (it == envp.end()) {
      envp.push_back(std::move(entry));
      continue;
    }
    *it = std::move(entry);
    // A duplicate later in the list would win in some getenv implementations.
    envp.erase(std::remove_if(std::next(it), envp.end(), same_name), envp.end());
  }
}

namespace {

}  // namespace

Status PrepareWorkdir(const Credentials& creds, const std::optional<std::string>& workdir) {
  if (!workdir) return Ok{};
  // Only a supervisor that drops to another user hands directories over.
  const bool chown_leaf = creds.drop && creds.uid != geteuid();
  auto walk = PrepareDirectory(*workdir, creds.uid, creds.gid, chown_leaf);
  if (!walk) return walk.error().Prefixed("workdir");
  if (walk.value().created_leaf) {
    LogInfo("created workdir " + *workdir + (chown_leaf ? " for " + creds.name : std::string()));
  } else if (walk.value().chowned_leaf) {
    LogInfo("handed empty root-owned workdir " + *workdir + " to " + creds.name);
  }
  return Ok{};
}

int DropInChild(const Credentials& creds, const char** step) {
  const bool trim = TrimsCaps(creds);
  const uint64_t keep = CapMask(creds.keep_caps);
  const bool non_root = creds.drop && creds.uid != 0;

  if (trim) {
    // The bounding set goes first, while CAP_SETPCAP is still effective; it
    // does not touch the permitted set, so the id changes below still work.
    // The loop ends where the kernel's capability list ends (EINVAL).
    for (int cap = 0; cap < 64; ++cap) {
      int in_set = prctl(PR_CAPBSET_READ, cap, 0, 0, 0);
      if (in_set < 0) {
        if (errno == EINVAL) break;
        *step = "read capability bounding set";
        return errno;
      }
      if (in_set == 1 && ((keep >> cap) & 1) == 0 && prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0) {
        *step = "drop capability from bounding set";
        return errno;
      }
    }
  }
  if (creds.drop) {
    if (non_root && keep != 0 && prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) != 0) {
      *step = "prctl(PR_SET_KEEPCAPS)";
      return errno;
    }
    if (syscall(kSysSetgroups, creds.groups.size(), creds.groups.data()) != 0) {
      *step = "setgroups";
      return errno;
    }
    if (syscall(kSysSetresgid, creds.gid, creds.gid, creds.gid) != 0) {
      *step = "setresgid";
      return errno;
    }
    if (syscall(kSysSetresuid, creds.uid, creds.uid, creds.uid) != 0) {
      *step = "setresuid";
      return errno;
    }
  }
  if (trim) {
    // Clearing first drops anything claw-init itself inherited as ambient.
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 && errno != EINVAL) {
      *step = "clear ambient capabilities";
      return errno;
    }
    if (int err = SetCaps(keep); err != 0) {
      *step = "capset";
      return err;
    }
    // Ambient is what lets a non-root program keep them across execve.
    for (int cap : creds.keep_caps) {
      if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) != 0) {
        *step = "raise ambient capability";
        return errno;
      }
    }
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
      *step = "prctl(PR_SET_NO_NEW_PRIVS)";
      return errno;
    }
  }

  // Verification: the ids are what was asked, the capabilities no more than
  // kept, and root cannot be regained.
  if (creds.drop) {
    uid_t r, e, s;
    gid_t rg, eg, sg;
    if (syscall(kSysGetresuid, &r, &e, &s) != 0 || syscall(kSysGetresgid, &rg, &eg, &sg) != 0) {
      *step = "verify ids (getresuid/getresgid)";
      return errno;
    }
    if (r != creds.uid || e != creds.uid || s != creds.uid || rg != creds.gid || eg != creds.gid ||
        sg != creds.gid) {
      *step = "verify ids: the uid or gid did not change as asked";
      return ECANCELED;
    }
  }
  if (trim) {
    CapSets now;
    if (int err = GetCaps(&now); err != 0) {
      *step = "verify capabilities (capget)";
      return err;
    }
    if ((now.permitted | now.effective | now.inheritable) & ~keep) {
      *step = "verify capabilities: more than --caps kept";
      return ECANCELED;
    }
  }
  if (non_root) {
    if (syscall(kSysSetresuid, 0, 0, 0) == 0) {
      *step = "verify drop: root regained by setresuid(0, 0, 0)";
      return ECANCELED;
    }
    if (creds.gid != 0 && syscall(kSysSetresgid, 0, 0, 0) == 0) {
      *step = "verify drop: gid 0 regained by setresgid(0, 0, 0)";
      return ECANCELED;
    }
  }
  *step = nullptr;
  return 0;
}

}  // namespace claw
