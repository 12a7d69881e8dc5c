// Addresses claw-init listens on or probes. Pure parsing; no name lookup
// (the binary is static and must not load NSS modules), so hosts are IP
// literals, except "localhost", which means 127.0.0.1.
#pragma once

#include <sys/socket.h>

#include <string>
#include <string_view>

#include "base/result.h"

namespace claw {

struct HostPort {
  std::string host;  // IP literal without brackets: "127.0.0.1", "::1"
  int port = 0;
  bool ipv6 = false;
  // "127.0.0.1:18700" or "[::1]:18700".
  std::string ToString() const;
};

// "127.0.0.1:18700", "0.0.0.0:80", "[::]:18700", "[::1]:18700",
// "localhost:18700". Port 1..65535.
Result<HostPort> ParseHostPort(std::string_view text);

struct UpstreamUrl {
  enum class Scheme { kHttp, kTcp } scheme = Scheme::kHttp;
  HostPort address;
  std::string path = "/";  // http only; always starts with '/'
};

// "http://127.0.0.1:18789/readyz" (port defaults to 80, path to "/") or
// "tcp://127.0.0.1:42617".
Result<UpstreamUrl> ParseUpstreamUrl(std::string_view text);

// A HostPort as the socket API takes it (bind, connect).
struct SocketAddress {
  sockaddr_storage storage{};
  socklen_t length = 0;
  int family = AF_UNSPEC;
  const sockaddr* get() const { return reinterpret_cast<const sockaddr*>(&storage); }
};

// Fails when `host` is not an IP literal of the address's family.
Result<SocketAddress> ToSocketAddress(const HostPort& address);

// True for 0.0.0.0 and ::, which `claw-init health` asks on loopback.
bool IsWildcard(const HostPort& address);

}  // namespace claw
