#include "base/files.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <sstream>
#include <vector>

#include "base/log.h"
#include "base/unique_fd.h"

namespace claw {
namespace {

std::string ErrnoText(int err) { return std::strerror(err); }

bool IsEmptyDirectory(int dir_fd) {
  // Scanning a duplicate keeps dir_fd's position untouched.
  int dup_fd = openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dup_fd < 0) return false;
  DIR* dir = fdopendir(dup_fd);
  if (dir == nullptr) {
    close(dup_fd);
    return false;
  }
  bool empty = true;
  while (dirent* e = readdir(dir)) {
    if (std::strcmp(e->d_name, ".") != 0 && std::strcmp(e->d_name, "..") != 0) {
      empty = false;
      break;
    }
  }
  closedir(dir);
  return empty;
}

}  // namespace

Status WriteAll(int fd, std::string_view content) {
  while (!content.empty()) {
    ssize_t n = ::write(fd, content.data(), content.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Error{ErrnoText(errno)};
    content.remove_prefix(static_cast<size_t>(n));
  }
  return Ok{};
}

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

Status WriteFileAtomicAt(int dir, const std::string& name, std::string_view content, const FileSpec& spec,
                         const std::string& shown) {
  // One fixed temporary name: a file left by a crash is removed and the
  // name reused, so failed starts do not pile up files.
  const std::string temp = "." + name + ".claw-tmp";
  UniqueFd fd;
  for (int attempt = 0; attempt < 3 && !fd.valid(); ++attempt) {
    fd.Reset(::openat(dir, temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (!fd.valid() && errno == EEXIST) ::unlinkat(dir, temp.c_str(), 0);
  }
  if (!fd.valid()) return Error{shown + ": cannot create a temporary file beside it: " + ErrnoText(errno)};

  auto fail = [&](const std::string& step, int err) -> Status {
    fd.Reset();
    ::unlinkat(dir, temp.c_str(), 0);
    return Error{shown + ": " + step + ": " + ErrnoText(err)};
  };
  if (auto written = WriteAll(fd.get(), content); !written) {
    fd.Reset();
    ::unlinkat(dir, temp.c_str(), 0);
    return Error{shown + ": write: " + written.error().message};
  }
  // The umask may have taken bits from the mode; the mode is exact on purpose.
  if (::fchmod(fd.get(), spec.mode) != 0) return fail("chmod", errno);
  if ((spec.uid || spec.gid) &&
      ::fchown(fd.get(), spec.uid ? *spec.uid : static_cast<uid_t>(-1), spec.gid ? *spec.gid : static_cast<gid_t>(-1)) != 0) {
    return fail("chown", errno);
  }
  if (::fsync(fd.get()) != 0) return fail("fsync", errno);
  if (::close(fd.Release()) != 0) return fail("close", errno);
  if (::renameat(dir, temp.c_str(), dir, name.c_str()) != 0) return fail("rename", errno);
  // The rename is done: a failed directory fsync only weakens durability
  // across a power loss, so it is a warning, not a failed write.
  if (::fsync(dir) != 0) LogWarn(shown + ": fsync of the directory: " + ErrnoText(errno));
  return Ok{};
}

Result<DirWalk> PrepareDirectory(const std::string& path, uid_t uid, gid_t gid, bool chown_leaf) {
  if (path.empty() || path.front() != '/') return Error{"'" + path + "' is not an absolute path"};
  std::vector<std::string> parts;
  {
    std::stringstream ss(path);
    std::string part;
    while (std::getline(ss, part, '/')) {
      if (part.empty() || part == ".") continue;
      if (part == "..") return Error{path + ": '..' is not allowed"};
      parts.push_back(part);
    }
  }
  DirWalk walk;
  UniqueFd dir(open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!dir.valid()) return Error{std::string("open /: ") + std::strerror(errno)};
  std::string so_far;
  for (size_t i = 0; i < parts.size(); ++i) {
    const bool leaf = i + 1 == parts.size();
    so_far += "/" + parts[i];
    const char* name = parts[i].c_str();
    bool created = false;
    int fd = openat(dir.get(), name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT) {
      if (mkdirat(dir.get(), name, leaf ? 0700 : 0755) == 0) {
        created = true;
      } else if (errno != EEXIST) {
        return Error{"mkdir " + so_far + ": " + std::strerror(errno)};
      }
      fd = openat(dir.get(), name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    }
    if (fd < 0) {
      int err = errno;
      struct stat st;
      if ((err == ELOOP || err == ENOTDIR) && fstatat(dir.get(), name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
        if (S_ISLNK(st.st_mode)) return Error{so_far + " is a symbolic link; refusing to follow it"};
        if (!S_ISDIR(st.st_mode)) return Error{so_far + " exists and is not a directory"};
      }
      return Error{"open " + so_far + ": " + std::strerror(err)};
    }
    UniqueFd next(fd);
    if (created) {
      // umask may have narrowed the mode; new leaves belong to the runtime.
      uid_t owner_uid = leaf && chown_leaf ? uid : static_cast<uid_t>(-1);
      gid_t owner_gid = leaf && chown_leaf ? gid : static_cast<gid_t>(-1);
      if (fchmod(next.get(), leaf ? 0700 : 0755) != 0) {
        return Error{"chmod " + so_far + ": " + std::strerror(errno)};
      }
      if (leaf && chown_leaf && fchown(next.get(), owner_uid, owner_gid) != 0) {
        return Error{"chown " + so_far + ": " + std::strerror(errno)};
      }
      if (leaf) walk.created_leaf = true;
    } else if (leaf && chown_leaf) {
      struct stat st;
      if (fstat(next.get(), &st) != 0) return Error{"stat " + so_far + ": " + std::strerror(errno)};
      const bool already = st.st_uid == uid;
      if (!already && st.st_uid == 0 && (st.st_mode & S_ISVTX) == 0 && IsEmptyDirectory(next.get())) {
        if (fchown(next.get(), uid, gid) != 0) {
          return Error{"chown " + so_far + ": " + std::strerror(errno)};
        }
        walk.chowned_leaf = true;
      } else if (!already && st.st_uid == 0) {
        LogWarn(so_far + " is owned by root and was left as it is (only an empty directory without the "
                "sticky bit is handed to the runtime user)");
      }
    }
    dir = std::move(next);
  }
  return walk;
}

std::string ParentDirectory(const std::string& path) {
  size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return "";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}


}  // namespace claw
