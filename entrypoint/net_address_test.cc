#include "entrypoint/net_address.h"

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

}  // namespace claw
