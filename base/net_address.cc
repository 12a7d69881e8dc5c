#include "base/net_address.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <charconv>

namespace claw {
namespace {

Error Bad(std::string_view text, const std::string& why) {
  return Error{"invalid address '" + std::string(text) + "': " + why, ExitCode::kUsage};
}

}  // namespace

std::string HostPort::ToString() const {
  return (ipv6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

Result<HostPort> ParseHostPort(std::string_view text) {
  HostPort out;
  std::string_view host;
  std::string_view port;
  if (!text.empty() && text.front() == '[') {
    size_t close = text.find(']');
    if (close == std::string_view::npos) return Bad(text, "missing ']'");
    host = text.substr(1, close - 1);
    if (close + 1 >= text.size() || text[close + 1] != ':') return Bad(text, "expected [ADDR]:PORT");
    port = text.substr(close + 2);
    out.ipv6 = true;
  } else {
    size_t colon = text.rfind(':');
    if (colon == std::string_view::npos) return Bad(text, "expected ADDR:PORT");
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
    if (host.find(':') != std::string_view::npos) return Bad(text, "IPv6 addresses go in brackets: [::1]:PORT");
  }
  if (host == "localhost") host = "127.0.0.1";
  unsigned char buf[16];
  if (host.empty()) return Bad(text, "empty host");
  if (inet_pton(out.ipv6 ? AF_INET6 : AF_INET, std::string(host).c_str(), buf) != 1) {
    return Bad(text, out.ipv6 ? "not an IPv6 address" : "not an IPv4 address (names other than localhost are not resolved)");
  }
  out.host = std::string(host);
  int value = 0;
  auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (port.empty() || ec != std::errc() || ptr != port.data() + port.size() || value < 1 || value > 65535) {
    return Bad(text, "port must be 1-65535");
  }
  out.port = value;
  return out;
}

Result<UpstreamUrl> ParseUpstreamUrl(std::string_view text) {
  UpstreamUrl out;
  std::string_view rest;
  if (text.rfind("http://", 0) == 0) {
    out.scheme = UpstreamUrl::Scheme::kHttp;
    rest = text.substr(7);
  } else if (text.rfind("tcp://", 0) == 0) {
    out.scheme = UpstreamUrl::Scheme::kTcp;
    rest = text.substr(6);
  } else {
    return Error{"invalid upstream '" + std::string(text) + "': use http://HOST:PORT/PATH or tcp://HOST:PORT",
                 ExitCode::kUsage};
  }
  size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  if (slash != std::string_view::npos) {
    if (out.scheme == UpstreamUrl::Scheme::kTcp && rest.substr(slash) != "/") {
      return Error{"invalid upstream '" + std::string(text) + "': tcp:// takes no path", ExitCode::kUsage};
    }
    out.path = std::string(rest.substr(slash));
  }
  std::string with_port(authority);
  bool has_port = !authority.empty() && authority.front() == '['
                      ? authority.find("]:") != std::string_view::npos
                      : authority.find(':') != std::string_view::npos;
  if (!has_port) {
    if (out.scheme == UpstreamUrl::Scheme::kTcp) {
      return Error{"invalid upstream '" + std::string(text) + "': tcp:// needs a port", ExitCode::kUsage};
    }
    with_port += ":80";
  }
  auto address = ParseHostPort(with_port);
  if (!address) return Error{"invalid upstream '" + std::string(text) + "': " + address.error().message, ExitCode::kUsage};
  out.address = address.value();
  for (char c : out.path) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) {
      return Error{"invalid upstream '" + std::string(text) + "': bad character in path", ExitCode::kUsage};
    }
  }
  return out;
}

bool IsWildcard(const HostPort& address) {
  return address.host == "0.0.0.0" || address.host == "::" || address.host == "0:0:0:0:0:0:0:0";
}

Result<SocketAddress> ToSocketAddress(const HostPort& address) {
  SocketAddress out;
  if (address.ipv6) {
    auto* sin6 = reinterpret_cast<sockaddr_in6*>(&out.storage);
    sin6->sin6_family = AF_INET6;
    sin6->sin6_port = htons(static_cast<uint16_t>(address.port));
    if (inet_pton(AF_INET6, address.host.c_str(), &sin6->sin6_addr) != 1) return Error{"not an IPv6 address"};
    out.length = sizeof(sockaddr_in6);
    out.family = AF_INET6;
  } else {
    auto* sin = reinterpret_cast<sockaddr_in*>(&out.storage);
    sin->sin_family = AF_INET;
    sin->sin_port = htons(static_cast<uint16_t>(address.port));
    if (inet_pton(AF_INET, address.host.c_str(), &sin->sin_addr) != 1) return Error{"not an IPv4 address"};
    out.length = sizeof(sockaddr_in);
    out.family = AF_INET;
  }
  return out;
}

}  // namespace claw
