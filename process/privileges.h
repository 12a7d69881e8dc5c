// Dropping from root to the runtime user (contract: --user / CLAW_USER,
// --caps / CLAW_CAPS, profile runtime.user / runtime.workdir). Users and
// groups come from our own parser of /etc/passwd and /etc/group (passwd.h):
// the binary is static and must never load NSS modules.
//
// Split in two phases, as fork() demands: everything that allocates or reads
// files happens in the parent (ResolveCredentials, PrepareWorkdir); the
// child runs DropInChild between fork and exec, which makes only plain system
// calls.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "base/result.h"

namespace claw {

struct Credentials {
  bool drop = false;  // false: no --user, run with claw-init's own ids
  uid_t uid = 0;
  gid_t gid = 0;
  std::vector<gid_t> groups;  // supplementary groups, from /etc/group
  std::string name;           // user name, or the uid as text when not in passwd
  std::string home = "/";
  // Capabilities kept for the runtime (libcap values), from --caps.
  std::vector<int> keep_caps;
};

// Who the runtime is to run as: --user / CLAW_USER (unresolved) and --caps.
struct UserRequest {
  std::optional<std::string> user;  // nullopt: no drop
  std::vector<std::string> caps;    // capability names, upper case, no CAP_ prefix
};

// Resolves the request against /etc/passwd and /etc/group under `root` ("/"
// normally; tests pass a fixture directory). An unknown name is a
// configuration error (78).
Result<Credentials> ResolveCredentials(const UserRequest& request, const std::string& root = "/");

// Sets HOME, USER and LOGNAME in the child's environment (a list of
// "NAME=value" strings) when credentials drop to another user.
void ApplyCredentialsToEnvironment(const Credentials& creds, std::vector<std::string>& envp);

// Before the first start: creates the profile's workdir, owned by the
// runtime user, without following symlinks (PrepareDirectory, base/files.h).
// The config target's directory is the patcher's (PrepareTargetDirectory).
Status PrepareWorkdir(const Credentials& creds, const std::optional<std::string>& workdir);

// In the child, between fork and exec: setgroups, setresgid, setresuid,
// no_new_privs, bounding set and ambient capabilities, then a check that root
// cannot be regained. Async-signal-safe. Returns 0, or an errno value with
// *step naming what failed (a static string).
int DropInChild(const Credentials& creds, const char** step);

}  // namespace claw
