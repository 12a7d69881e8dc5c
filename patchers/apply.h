// The only disk I/O of config patching.
//
// Symlinks: the config target and its directory are reached by walking the
// path from "/" one component at a time with openat(O_NOFOLLOW), so a
// symlink planted anywhere on the way (by the runtime user, who owns the
// directory) can neither redirect a write done as root nor make a merge copy
// a file it points to. Such a path is refused with a configuration error
// (78), never followed and never replaced: the runtime does not start, and
// the message names the component.
//
// Writing is atomic: a temporary file in the target's directory (O_EXCL,
// mode 0600), write, fsync, fchown to the runtime user, renameat over the
// target, fsync of the directory. On any error the temporary file is removed
// and the target is left byte-identical.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>

#include "base/files.h"
#include "base/result.h"

namespace claw {

// Largest config file read, and largest file a *_FILE variable may name.
inline constexpr size_t kMaxConfigBytes = 64u << 20;
inline constexpr size_t kMaxSecretBytes = 1u << 20;

// Reads a regular file at `path` following symlinks (Docker and Kubernetes
// secrets are symlinks). The error gives the reason only, not the path,
// since the path may be a variable's value.
Result<std::string> ReadSecretFile(const std::string& path);

// Reads a regular file whose last component must not be a symlink (the
// profile's default config). Errors name the path.
Result<std::string> ReadFileNoFollow(const std::string& path);

// Reads the config target without following any symlink on its path;
// nullopt when it (or its directory) does not exist. A target with more than
// one hard link is refused too. Errors name the path.
Result<std::optional<std::string>> ReadTarget(const std::string& path);

// Before the first start: the target's directory, made (0700, for the
// runtime user `owner` when it is not claw-init's own) without following a
// symlink on the way; see PrepareDirectory in base/files.h. `owner_name`
// names the user in the log line. A relative target is an error.
Status PrepareTargetDirectory(const std::string& target, const FileSpec& owner, const std::string& owner_name);

// Replaces `path` with `content` as described above. The directory must
// exist. `uid`/`gid`: owner of the new file; nullopt keeps claw-init's own.
Status WriteFileAtomic(const std::string& path, std::string_view content, std::optional<uid_t> uid,
                       std::optional<gid_t> gid);

}  // namespace claw
