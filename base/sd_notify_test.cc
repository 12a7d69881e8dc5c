#include "base/sd_notify.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstddef>
#include <cstring>
#include <set>

#include "tests/test_util.h"

namespace claw {
namespace {

// A datagram socket bound to `address` (a path, or "@name" for an
// abstract one), as systemd or conmon would listen.
struct Listener {
  UniqueFd fd;
  explicit Listener(const std::string& address) {
    fd.Reset(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    REQUIRE(fd.valid());
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    REQUIRE(address.size() < sizeof(addr.sun_path));
    std::memcpy(addr.sun_path, address.data(), address.size());
    socklen_t size = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + address.size());
    if (address[0] == '@') {
      addr.sun_path[0] = '\0';
    } else {
      size += 1;
    }
    REQUIRE(::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), size) == 0);
  }
  // The next datagram, or "(none)" when nothing is queued.
  std::string Receive() const {
    char buffer[4096];
    ssize_t n = ::recv(fd.get(), buffer, sizeof buffer, MSG_DONTWAIT);
    return n < 0 ? "(none)" : std::string(buffer, static_cast<size_t>(n));
  }
};

std::set<int> OpenFds() {
  std::set<int> fds;
  DIR* dir = ::opendir("/proc/self/fd");
  REQUIRE(dir != nullptr);
  while (dirent* e = ::readdir(dir)) {
    if (e->d_name[0] != '.') fds.insert(std::atoi(e->d_name));
  }
  ::closedir(dir);
  return fds;
}

TEST_CASE("Notifier sends to a socket path") {
  TempDir dir;
  const std::string path = dir / "notify";
  Listener listener(path);
  auto notifier = Notifier::Create(path);
  REQUIRE_MESSAGE(notifier, notifier.error().message);
  CHECK(notifier.value().Send("READY=1"));
  CHECK(notifier.value().Send("STOPPING=1\n" + Notifier::StatusMessage("stopping")));
  CHECK(listener.Receive() == "READY=1");
  CHECK(listener.Receive() == "STOPPING=1\nSTATUS=stopping");
  CHECK(listener.Receive() == "(none)");
}

TEST_CASE("Notifier sends to an abstract socket") {
  const std::string name = "@claw-test-notify-" + std::to_string(::getpid());
  Listener listener(name);
  auto notifier = Notifier::Create(name);
  REQUIRE_MESSAGE(notifier, notifier.error().message);
  CHECK(notifier.value().Send("READY=1"));
  CHECK(listener.Receive() == "READY=1");
  // An abstract name nobody is bound to.
  auto other = Notifier::Create("@claw-test-notify-none-" + std::to_string(::getpid()));
  REQUIRE(other);
  auto sent = other.value().Send("READY=1");
  REQUIRE_FALSE(sent);
  CHECK(sent.error().message.find("NOTIFY_SOCKET: no listener") == 0);
}

TEST_CASE("Notifier's socket is non-blocking and close-on-exec") {
  std::set<int> before = OpenFds();
  auto notifier = Notifier::Create("/run/claw-test-no-such-socket");
  REQUIRE(notifier);
  std::set<int> after = OpenFds();
  int fd = -1;
  for (int f : after) {
    if (!before.count(f)) fd = f;
  }
  REQUIRE(fd >= 0);
  CHECK((::fcntl(fd, F_GETFD) & FD_CLOEXEC) != 0);
  CHECK((::fcntl(fd, F_GETFL) & O_NONBLOCK) != 0);
}

TEST_CASE("Notifier never blocks on a listener that does not read") {
  TempDir dir;
  Listener listener(dir / "notify");
  auto notifier = Notifier::Create(dir / "notify");
  REQUIRE(notifier);
  // The queue of a datagram socket is short (net.unix.max_dgram_qlen): a
  // blocking send would hang here; this one must report it.
  Status last = Ok{};
  int sent = 0;
  for (; sent < 100000 && last; ++sent) last = notifier.value().Send("STATUS=filling the queue");
  REQUIRE_FALSE(last);
  CHECK(last.error().message == "NOTIFY_SOCKET: the listener's queue is full; message dropped");
  CHECK(listener.Receive() == "STATUS=filling the queue");
  MESSAGE("queue full after " << sent << " datagrams");
}

TEST_CASE("Notifier reports a missing listener as an error to warn about") {
  TempDir dir;
  auto missing = Notifier::Create(dir / "absent");
  REQUIRE(missing);
  auto sent = missing.value().Send("READY=1");
  REQUIRE_FALSE(sent);
  CHECK(sent.error().message.find("NOTIFY_SOCKET: no listener: ") == 0);
  {
    Listener gone(dir / "stale");  // bound, then closed: the file stays
  }
  auto stale = Notifier::Create(dir / "stale");
  REQUIRE(stale);
  sent = stale.value().Send("READY=1");
  REQUIRE_FALSE(sent);
  CHECK(sent.error().message.find("NOTIFY_SOCKET: no listener: ") == 0);
}

TEST_CASE("Notifier::Create refuses what is not a socket address") {
  struct Case {
    std::string value;
    const char* error;
  };
  const Case cases[] = {
      {"", "NOTIFY_SOCKET is empty"},
      {"run/notify", "NOTIFY_SOCKET is neither an absolute path nor an abstract socket name starting with '@'"},
      {"unix:/run/notify", "NOTIFY_SOCKET is neither an absolute path nor an abstract socket name starting with '@'"},
      {"@", "NOTIFY_SOCKET is '@' with no name after it"},
      {std::string("/run/a\0b", 8), "NOTIFY_SOCKET holds a NUL byte"},
      {"/" + std::string(107, 'x'), "NOTIFY_SOCKET is longer than a unix socket address allows (107 bytes)"},
      {"@" + std::string(108, 'x'), "NOTIFY_SOCKET is longer than a unix socket address allows (108 bytes)"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.value);
    auto got = Notifier::Create(c.value);
    REQUIRE_FALSE(got);
    CHECK(got.error().message == c.error);
  }
  // The longest of each kind fits.
  CHECK(Notifier::Create("/" + std::string(106, 'x')));
  CHECK(Notifier::Create("@" + std::string(107, 'x')));
}

TEST_CASE("Notifier::StatusMessage keeps the text one assignment") {
  CHECK(Notifier::StatusMessage("backoff 2s after exit 1") == "STATUS=backoff 2s after exit 1");
  CHECK(Notifier::StatusMessage("a\nb\r\nc") == "STATUS=a b  c");
  CHECK(Notifier::StatusMessage("") == "STATUS=");
}

}  // namespace
}  // namespace claw
