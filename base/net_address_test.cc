#include "base/net_address.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <doctest/doctest.h>

namespace claw {

TEST_CASE("ParseHostPort") {
  struct Case {
    const char* text;
    const char* host;
    int port;
    bool ipv6;
  };
  const Case good[] = {
      {"127.0.0.1:18700", "127.0.0.1", 18700, false}, {"0.0.0.0:80", "0.0.0.0", 80, false},
      {"[::1]:18700", "::1", 18700, true},            {"[::]:1", "::", 1, true},
      {"localhost:9", "127.0.0.1", 9, false},
  };
  for (const auto& c : good) {
    CAPTURE(c.text);
    auto a = ParseHostPort(c.text);
    REQUIRE(a);
    CHECK(a.value().host == c.host);
    CHECK(a.value().port == c.port);
    CHECK(a.value().ipv6 == c.ipv6);
  }
  for (const char* bad : {"", "127.0.0.1", ":80", "127.0.0.1:0", "127.0.0.1:65536", "::1:80", "[::1]", "[::1]80",
                          "example.com:80", "127.0.0.1:8x", "[127.0.0.1]:80", "256.0.0.1:80"}) {
    CAPTURE(bad);
    CHECK_FALSE(ParseHostPort(bad));
  }
  CHECK(ParseHostPort("[::1]:5").value().ToString() == "[::1]:5");
  CHECK(IsWildcard(ParseHostPort("0.0.0.0:1").value()));
  CHECK(IsWildcard(ParseHostPort("[::]:1").value()));
  CHECK_FALSE(IsWildcard(ParseHostPort("127.0.0.1:1").value()));
}

TEST_CASE("ParseUpstreamUrl") {
  auto h = ParseUpstreamUrl("http://127.0.0.1:18789/readyz");
  REQUIRE(h);
  CHECK(h.value().scheme == UpstreamUrl::Scheme::kHttp);
  CHECK(h.value().address.port == 18789);
  CHECK(h.value().path == "/readyz");
  auto d = ParseUpstreamUrl("http://127.0.0.1");
  REQUIRE(d);
  CHECK(d.value().address.port == 80);
  CHECK(d.value().path == "/");
  auto v6 = ParseUpstreamUrl("http://[::1]:3000/ready?x=1");
  REQUIRE(v6);
  CHECK(v6.value().address.ipv6);
  CHECK(v6.value().path == "/ready?x=1");
  auto t = ParseUpstreamUrl("tcp://127.0.0.1:42617");
  REQUIRE(t);
  CHECK(t.value().scheme == UpstreamUrl::Scheme::kTcp);
  for (const char* bad : {"", "https://127.0.0.1/", "tcp://127.0.0.1", "tcp://127.0.0.1:1/x", "http://host.example:80/",
                          "http://127.0.0.1:99999/", "http://127.0.0.1/a b"}) {
    CAPTURE(bad);
    CHECK_FALSE(ParseUpstreamUrl(bad));
  }
}

TEST_CASE("ToSocketAddress") {
  auto v4 = ToSocketAddress(HostPort{"127.0.0.1", 18700, false});
  REQUIRE(v4);
  CHECK(v4.value().family == AF_INET);
  CHECK(v4.value().length == sizeof(sockaddr_in));
  const auto* sin = reinterpret_cast<const sockaddr_in*>(v4.value().get());
  CHECK(sin->sin_family == AF_INET);
  CHECK(ntohs(sin->sin_port) == 18700);
  CHECK(ntohl(sin->sin_addr.s_addr) == 0x7f000001u);

  auto v6 = ToSocketAddress(HostPort{"::1", 443, true});
  REQUIRE(v6);
  CHECK(v6.value().family == AF_INET6);
  CHECK(v6.value().length == sizeof(sockaddr_in6));
  const auto* sin6 = reinterpret_cast<const sockaddr_in6*>(v6.value().get());
  CHECK(ntohs(sin6->sin6_port) == 443);
  CHECK(sin6->sin6_addr.s6_addr[15] == 1);

  CHECK_FALSE(ToSocketAddress(HostPort{"::1", 80, false}));       // family mismatch
  CHECK_FALSE(ToSocketAddress(HostPort{"127.0.0.1", 80, true}));
  CHECK_FALSE(ToSocketAddress(HostPort{"localhost", 80, false}));  // no name lookup here
}

}  // namespace claw
