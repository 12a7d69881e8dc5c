#include "base/termination_log.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "base/files.h"
#include "base/unique_fd.h"

namespace claw {

Result<std::optional<std::string>> ResolveTerminationLog(const std::optional<std::string>& value,
                                                         const std::string& default_path) {
  if (!value) {
    struct stat st {};
    if (::lstat(default_path.c_str(), &st) == 0) return std::optional<std::string>(default_path);
    return std::optional<std::string>();
  }
  if (*value == "off") return std::optional<std::string>();
  if (value->empty() || value->front() != '/' || value->back() == '/') {
    return Error{"termination log '" + *value + "' is neither an absolute file path nor 'off'"};
  }
  return std::optional<std::string>(*value);
}

std::string FormatTerminationMessage(std::string_view reason) {
  constexpr size_t kRoom = kTerminationMessageLimit - 1;  // the final '\n'
  constexpr std::string_view kCut = "...";
  std::string line(reason);
  for (char& c : line) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7f) c = ' ';
  }
  if (line.size() > kRoom) {
    size_t end = kRoom - kCut.size();
    // A byte 10xxxxxx continues a character: cut before the character.
    while (end > 0 && (static_cast<unsigned char>(line[end]) & 0xc0) == 0x80) --end;
    line.resize(end);
    line += kCut;
  }
  return line + "\n";
}

std::optional<std::string> WriteTerminationLog(const std::string& path, std::string_view content) {
  const std::string not_written = "termination log " + path + " not written: ";
  const std::string dir_path = ParentDirectory(path);
  const std::string name = path.substr(path.find_last_of('/') + 1);
  if (dir_path.empty() || name.empty()) return not_written + "not an absolute file path";

  UniqueFd dir(::open(dir_path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!dir.valid()) return not_written + "directory " + dir_path + ": " + std::strerror(errno);
  struct stat st {};
  const bool exists = ::fstatat(dir.get(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0;
  if (exists && S_ISLNK(st.st_mode)) return not_written + "it is a symbolic link";
  if (exists && !S_ISREG(st.st_mode)) return not_written + "it is not a regular file";

  FileSpec spec;
  spec.mode = exists ? (st.st_mode & 07777) : 0644;
  auto atomic = WriteFileAtomicAt(dir.get(), name, content, spec, "atomic write");
  if (atomic) return std::nullopt;
  if (!exists) return not_written + atomic.error().message;

  // The rename cannot replace this file (a mount point, EBUSY) or the
  // directory refuses a temporary file (read-only, around a writable
  // bind-mounted file): write the file itself.
  UniqueFd file(::openat(dir.get(), name.c_str(), O_WRONLY | O_TRUNC | O_NOFOLLOW | O_CLOEXEC));
  if (!file.valid()) return not_written + atomic.error().message + "; in place: " + std::strerror(errno);
  if (auto written = WriteAll(file.get(), content); !written) {
    return not_written + atomic.error().message + "; in place: " + written.error().message;
  }
  if (::close(file.Release()) != 0) {
    return not_written + atomic.error().message + "; in place: close: " + std::strerror(errno);
  }
  return std::nullopt;
}

}  // namespace claw
