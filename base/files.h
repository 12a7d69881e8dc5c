// The one door for the files claw-init reads whole and writes: the config
// target (patchers/apply.cc), the version stamp (app/version_probe.cc) and
// the directories made for the runtime (process/privileges.cc,
// patchers/apply.cc). Every write goes through WriteAll; every file written
// goes through WriteFileAtomicAt.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"

namespace claw {

// Writes all of `content` to `fd`, retrying short writes and EINTR. The
// error is strerror's text only: the caller names the file.
Status WriteAll(int fd, std::string_view content);

// Reads a regular file from an open descriptor, at most `limit` bytes. The
// error gives the reason only ("not a regular file", "larger than N bytes").
Result<std::string> ReadAll(int fd, size_t limit);

// Mode and owner of a file WriteFileAtomicAt makes.
struct FileSpec {
  mode_t mode = 0600;           // exact: the umask does not narrow it
  std::optional<uid_t> uid;     // nullopt: claw-init's own
  std::optional<gid_t> gid;
};

// Replaces `name` in the open directory `dir` with `content`, atomically:
// a temporary file beside it (one fixed name, ".NAME.claw-tmp", O_EXCL and
// O_NOFOLLOW, so a crash leaves at most one, reused next time), write,
// chmod, chown, fsync, rename over `name`, fsync of the directory (a failure
// of that last step is a warning: the rename is done). On any error the
// temporary file is removed and `name` is left as it was. `shown` names the
// file in errors. Refusing a symlink or a non-regular file at `name` is the
// caller's check: renameat replaces a link, it never follows it.
Status WriteFileAtomicAt(int dir, const std::string& name, std::string_view content, const FileSpec& spec,
                         const std::string& shown);

// What PrepareDirectory found or did with the leaf, for the log.
struct DirWalk {
  bool created_leaf = false;
  bool chowned_leaf = false;
};

// Walks `path` (absolute) from "/" one component at a time, never following
// a symbolic link, creating what is missing: intermediate directories as
// `mkdir -p` would as root (claw-init's ids, 0755), a missing leaf for
// uid:gid (0700, owned by them when `chown_leaf`). A pre-existing leaf is
// handed to uid:gid only with `chown_leaf` and only when it is an empty
// root-owned directory without the sticky bit (a freshly mounted volume),
// never "/" itself; anything else not made here keeps its owner.
Result<DirWalk> PrepareDirectory(const std::string& path, uid_t uid, gid_t gid, bool chown_leaf);

// "/a/b" for "/a/b/c", "/" for "/c", "" without a slash. Pure.
std::string ParentDirectory(const std::string& path);

}  // namespace claw
