#include "patchers/apply.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

#include "base/files.h"
#include "base/log.h"
#include "base/unique_fd.h"

namespace claw {
namespace {

std::string ErrnoText(int err) { return std::strerror(err); }

struct SplitTarget {
  std::vector<std::string> dirs;  // components of the directory, in order
  std::string name;               // last component
  bool absolute = false;
};

Result<SplitTarget> Split(const std::string& path) {
  SplitTarget out;
  out.absolute = !path.empty() && path[0] == '/';
  size_t start = 0;
  std::vector<std::string> parts;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    std::string part = path.substr(start, end - start);
    if (part == "..") return Error{path + ": '..' is not allowed in the config target"};
    if (!part.empty() && part != ".") parts.push_back(std::move(part));
    start = end + 1;
  }
  if (parts.empty() || path.back() == '/') return Error{path + ": not a file path"};
  out.name = parts.back();
  parts.pop_back();
  out.dirs = std::move(parts);
  return out;
}

// Opens the directory of `target` without following symlinks. ENOENT is
// reported through *missing so that a merge can treat it as "no target yet".
Result<UniqueFd> OpenDirectory(const std::string& target, const SplitTarget& split, bool* missing) {
  *missing = false;
  UniqueFd dir(::open(split.absolute ? "/" : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!dir.valid()) return Error{target + ": cannot open the starting directory: " + ErrnoText(errno)};
  std::string walked = split.absolute ? "" : ".";
  for (const auto& part : split.dirs) {
    walked += "/" + part;
    int fd = ::openat(dir.get(), part.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
      const int err = errno;
      if (err == ENOENT) {
        *missing = true;
        return Error{walked + ": no such directory"};
      }
      if (err == ELOOP || err == ENOTDIR) {
        struct stat st {};
        if (::fstatat(dir.get(), part.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode)) {
          return Error{walked + ": is a symlink; refusing to follow it to reach the config target"};
        }
        return Error{walked + ": not a directory"};
      }
      return Error{walked + ": " + ErrnoText(err)};
    }
    dir.Reset(fd);
  }
  return dir;
}

// O_NONBLOCK: opening a FIFO planted at the path must not hang start-up;
// ReadAll then refuses anything that is not a regular file.
constexpr int kReadFlags = O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY;

}  // namespace

Result<std::string> ReadSecretFile(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), kReadFlags));
  if (!fd.valid()) return Error{ErrnoText(errno)};
  return ReadAll(fd.get(), kMaxSecretBytes);
}

Result<std::string> ReadFileNoFollow(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), kReadFlags | O_NOFOLLOW));
  if (!fd.valid()) {
    const int err = errno;
    if (err == ELOOP) return Error{path + ": is a symlink; refusing to follow it"};
    return Error{path + ": " + ErrnoText(err)};
  }
  auto text = ReadAll(fd.get(), kMaxConfigBytes);
  if (!text) return text.error().Prefixed(path);
  return text;
}

Result<std::optional<std::string>> ReadTarget(const std::string& path) {
  auto split = Split(path);
  if (!split) return split.error();
  bool missing = false;
  auto dir = OpenDirectory(path, split.value(), &missing);
  if (!dir) {
    if (missing) return std::optional<std::string>();
    return dir.error();
  }
  UniqueFd fd(::openat(dir.value().get(), split.value().name.c_str(), kReadFlags | O_NOFOLLOW));
  if (!fd.valid()) {
    const int err = errno;
    if (err == ENOENT) return std::optional<std::string>();
    if (err == ELOOP) return Error{path + ": is a symlink; refusing to follow it (remove it or point the profile at a real file)"};
    return Error{path + ": " + ErrnoText(err)};
  }
  // A hard link is the other way to plant another file at the target (where
  // fs.protected_hardlinks is off): a merge would copy that file's content
  // into one the runtime user owns.
  struct stat st {};
  if (::fstat(fd.get(), &st) == 0 && S_ISREG(st.st_mode) && st.st_nlink > 1) {
    return Error{path + ": has other hard links; refusing to read it"};
  }
  auto text = ReadAll(fd.get(), kMaxConfigBytes);
  if (!text) return text.error().Prefixed(path);
  return std::optional<std::string>(std::move(text).value());
}

Status WriteFileAtomic(const std::string& path, std::string_view content, std::optional<uid_t> uid,
                       std::optional<gid_t> gid) {
  auto split = Split(path);
  if (!split) return split.error();
  bool missing = false;
  auto dir_result = OpenDirectory(path, split.value(), &missing);
  if (!dir_result) return dir_result.error();
  const int dir = dir_result.value().get();
  const std::string& name = split.value().name;

  // A symlink at the target is refused before anything is written, as a
  // read would refuse it. renameat would replace the link itself, never
  // follow it, so a link planted after this check is harmless too.
  struct stat st {};
  if (::fstatat(dir, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0) {
    if (S_ISLNK(st.st_mode)) return Error{path + ": is a symlink; refusing to replace it"};
    if (!S_ISREG(st.st_mode)) return Error{path + ": exists and is not a regular file"};
  }

  FileSpec spec;
  spec.mode = 0600;
  spec.uid = uid;
  spec.gid = gid;
  return WriteFileAtomicAt(dir, name, content, spec, path);
}

Status PrepareTargetDirectory(const std::string& target, const FileSpec& owner, const std::string& owner_name) {
  if (target.empty() || target.front() != '/') {
    return Error{"config target '" + target + "' is not an absolute path"};
  }
  const std::string parent = ParentDirectory(target);
  if (parent == "/") return Ok{};
  // Only a supervisor that drops to another user hands directories over.
  const bool hand_over = owner.uid && *owner.uid != ::geteuid();
  auto walk = PrepareDirectory(parent, owner.uid.value_or(0), owner.gid.value_or(0), hand_over);
  if (!walk) return walk.error().Prefixed("config directory");
  if (walk.value().created_leaf) {
    LogInfo("created config directory " + parent + (hand_over ? " for " + owner_name : std::string()));
  } else if (walk.value().chowned_leaf) {
    LogInfo("handed empty root-owned config directory " + parent + " to " + owner_name);
  }
  return Ok{};
}

}  // namespace claw
