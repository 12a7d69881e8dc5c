#include "base/sd_notify.h"

#include <sys/socket.h>

#include <cerrno>
#include <cstddef>
#include <cstring>

namespace claw {

Result<Notifier> Notifier::Create(std::string_view socket_value) {
  const std::string name = kNotifySocketEnv;
  if (socket_value.empty()) return Error{name + " is empty"};
  if (socket_value.find('\0') != std::string_view::npos) return Error{name + " holds a NUL byte"};
  const bool abstract = socket_value.front() == '@';
  if (!abstract && socket_value.front() != '/') {
    return Error{name + " is neither an absolute path nor an abstract socket name starting with '@'"};
  }
  if (abstract && socket_value.size() == 1) return Error{name + " is '@' with no name after it"};
  Notifier notifier;
  // A path needs room for its terminating NUL; an abstract name does not
  // have one: its length is part of the address.
  const size_t room = sizeof(notifier.address_.sun_path) - (abstract ? 0 : 1);
  if (socket_value.size() > room) {
    return Error{name + " is longer than a unix socket address allows (" + std::to_string(room) + " bytes)"};
  }
  notifier.address_.sun_family = AF_UNIX;
  std::memcpy(notifier.address_.sun_path, socket_value.data(), socket_value.size());
  if (abstract) notifier.address_.sun_path[0] = '\0';
  notifier.address_size_ =
      static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + socket_value.size() + (abstract ? 0 : 1));
  notifier.fd_.Reset(::socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!notifier.fd_.valid()) return Error{name + ": socket: " + std::strerror(errno)};
  return notifier;
}

Status Notifier::Send(std::string_view message) const {
  const std::string name = kNotifySocketEnv;
  while (true) {
    ssize_t sent = ::sendto(fd_.get(), message.data(), message.size(), MSG_DONTWAIT | MSG_NOSIGNAL,
                            reinterpret_cast<const sockaddr*>(&address_), address_size_);
    if (sent >= 0) return Ok{};
    if (errno == EINTR) continue;
    if (errno == ENOENT || errno == ECONNREFUSED) return Error{name + ": no listener: " + std::strerror(errno)};
    if (errno == EAGAIN || errno == EWOULDBLOCK) return Error{name + ": the listener's queue is full; message dropped"};
    return Error{name + ": send: " + std::strerror(errno)};
  }
}

std::string Notifier::StatusMessage(std::string_view text) {
  std::string message = "STATUS=";
  for (char c : text) message += (c == '\n' || c == '\r') ? ' ' : c;
  return message;
}

}  // namespace claw
