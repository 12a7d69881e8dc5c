// sd_notify(3) upward: the datagrams systemd and `podman run
// --sdnotify=container` wait for on the socket named by NOTIFY_SOCKET
// ("READY=1", "STOPPING=1", "STATUS=..."). Written here, not taken from
// libsystemd, so the static binary needs nothing more. Sending never blocks
// and never fails claw-init: every error is a text for a warning.
#pragma once

#include <sys/socket.h>
#include <sys/un.h>

#include <string>
#include <string_view>

#include "base/result.h"
#include "base/unique_fd.h"

namespace claw {

inline constexpr const char* kNotifySocketEnv = "NOTIFY_SOCKET";

class Notifier {
 public:
  // From NOTIFY_SOCKET's value: an absolute path ("/run/systemd/notify") or
  // an abstract name ("@/org/freedesktop/..."). Anything else (empty,
  // relative, longer than sun_path, a NUL inside) is an error that names the
  // problem, never the value. Opens a non-blocking, close-on-exec AF_UNIX
  // SOCK_DGRAM socket; no listener needs to be there yet.
  static Result<Notifier> Create(std::string_view socket_value);

  // Sends one datagram, e.g. "READY=1" or "STOPPING=1\nSTATUS=stopping".
  // Never blocks: a full queue drops the message. The error ("NOTIFY_SOCKET:
  // no listener: Connection refused", queue full, ...) is for a warning only;
  // it names the variable, not its value.
  Status Send(std::string_view message) const;

  // "STATUS=" + text with every newline made a space, so the text stays
  // one assignment. Pure.
  static std::string StatusMessage(std::string_view text);

 private:
  Notifier() = default;
  UniqueFd fd_;
  sockaddr_un address_{};
  socklen_t address_size_ = 0;
};

}  // namespace claw
