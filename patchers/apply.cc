#include "patchers/apply.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

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

// Reads a regular file from an open descriptor, at most `limit` bytes.
Result<std::string> ReadAll(int fd, size_t limit) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) return Error{ErrnoText(errno)};
  if (!S_ISREG(st.st_mode)) return Error{"not a regular file"};
  if (static_cast<size_t>(st.st_size) > limit) return Error{"larger than " + std::to_string(limit) + " bytes"};
  // Read straight into a string of the file's size (plus one byte, to see
  // the end without growing); a file that grows meanwhile still reads whole.
  std::string out(static_cast<size_t>(st.st_size) + 1, '\0');
  size_t used = 0;
  while (true) {
    if (used == out.size()) out.resize(std::min(out.size() * 2, limit + 1));
    ssize_t n = ::read(fd, out.data() + used, out.size() - used);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Error{ErrnoText(errno)};
    if (n == 0) break;
    used += static_cast<size_t>(n);
    if (used > limit) return Error{"larger than " + std::to_string(limit) + " bytes"};
  }
  out.resize(used);
  return out;
}

// O_NONBLOCK: opening a FIFO planted at the path must not hang start-up;
// ReadAll then refuses anything that is not a regular file.
constexpr int kReadFlags = O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY;

Status WriteAll(int fd, std::string_view content) {
  while (!content.empty()) {
    ssize_t n = ::write(fd, content.data(), content.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Error{ErrnoText(errno)};
    content.remove_prefix(static_cast<size_t>(n));
  }
  return Ok{};
}

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

  // One fixed temporary name: a file left by a crash is removed and the
  // name reused, so failed starts do not pile up files.
  const std::string temp = "." + name + ".claw-tmp";
  UniqueFd fd;
  for (int attempt = 0; attempt < 3 && !fd.valid(); ++attempt) {
    fd.Reset(::openat(dir, temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (!fd.valid() && errno == EEXIST) ::unlinkat(dir, temp.c_str(), 0);
  }
  if (!fd.valid()) return Error{path + ": cannot create a temporary file beside it: " + ErrnoText(errno)};

  auto fail = [&](const std::string& step, int err) -> Status {
    fd.Reset();
    ::unlinkat(dir, temp.c_str(), 0);
    return Error{path + ": " + step + ": " + ErrnoText(err)};
  };
  if (auto written = WriteAll(fd.get(), content); !written) {
    fd.Reset();
    ::unlinkat(dir, temp.c_str(), 0);
    return Error{path + ": write: " + written.error().message};
  }
  // The umask may have taken bits from 0600; the mode is exact on purpose.
  if (::fchmod(fd.get(), 0600) != 0) return fail("chmod", errno);
  if ((uid || gid) && ::fchown(fd.get(), uid ? *uid : static_cast<uid_t>(-1), gid ? *gid : static_cast<gid_t>(-1)) != 0) {
    return fail("chown", errno);
  }
  if (::fsync(fd.get()) != 0) return fail("fsync", errno);
  if (::close(fd.Release()) != 0) return fail("close", errno);
  if (::renameat(dir, temp.c_str(), dir, name.c_str()) != 0) return fail("rename", errno);
  // The rename is done: a failed directory fsync only weakens durability
  // across a power loss, so it is a warning, not a failed write.
  if (::fsync(dir) != 0) LogWarn(path + ": fsync of the directory: " + ErrnoText(errno));
  return Ok{};
}

}  // namespace claw
