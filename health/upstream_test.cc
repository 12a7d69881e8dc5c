#include "health/upstream.h"

#include <doctest/doctest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "health/http_get.h"
#include "health/test_server.h"

namespace claw {
namespace {

using std::chrono::milliseconds;
using testing::CannedServer;
using testing::FreePort;

UpstreamUrl Url(const std::string& text) {
  auto url = ParseUpstreamUrl(text);
  REQUIRE(url);
  return url.value();
}

std::string Http(int port, const std::string& path = "/readyz") {
  return "http://127.0.0.1:" + std::to_string(port) + path;
}

}  // namespace

TEST_CASE("DisplayTarget drops query strings and fragments") {
  struct Case {
    const char* url;
    const char* want;
  };
  const std::vector<Case> cases = {
      {"http://127.0.0.1:18789/readyz", "http://127.0.0.1:18789/readyz"},
      {"http://127.0.0.1:18789/readyz?token=s3cret", "http://127.0.0.1:18789/readyz"},
      {"http://127.0.0.1:18789/a#frag", "http://127.0.0.1:18789/a"},
      {"http://127.0.0.1", "http://127.0.0.1:80/"},
      {"http://localhost:8080/x", "http://127.0.0.1:8080/x"},
      {"http://[::1]:9/h", "http://[::1]:9/h"},
      {"tcp://127.0.0.1:42617", "tcp://127.0.0.1:42617"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.url);
    CHECK(DisplayTarget(Url(c.url)) == c.want);
  }
}

TEST_CASE("CheckUpstream: HTTP 2xx passes, anything else fails with a reason") {
  struct Case {
    const char* response;
    bool pass;
    const char* output;
  };
  const std::vector<Case> cases = {
      {"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", true, ""},
      {"HTTP/1.1 204 No Content\r\n\r\n", true, ""},
      {"HTTP/1.0 299 Whatever\r\nContent-Length: 0\r\n\r\n", true, ""},
      {"HTTP/1.1 301 Moved\r\nLocation: /x\r\nContent-Length: 0\r\n\r\n", false, "HTTP 301"},
      {"HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n", false, "HTTP 500"},
      {"HTTP/1.1 503 Service Unavailable\r\n\r\n", false, "HTTP 503"},
      {"SSH-2.0-OpenSSH_9.2\r\n", false, "not an HTTP response"},
      {"", false, "connection closed before a response"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.response);
    CannedServer server(c.response);
    UpstreamResult r = CheckUpstream(Url(Http(server.port())));
    CHECK(r.pass == c.pass);
    CHECK(r.output == c.output);
    CHECK(r.target == Http(server.port()));
    CHECK(r.latency_ms >= 0);
    CHECK(r.latency_ms < 1000);
  }
}

TEST_CASE("CheckUpstream: refused and slow upstreams fail within the timeouts") {
  int port = FreePort();
  UpstreamResult refused = CheckUpstream(Url(Http(port)));
  CHECK_FALSE(refused.pass);
  CHECK(refused.output == "connection refused");

  UpstreamResult tcp_refused = CheckUpstream(Url("tcp://127.0.0.1:" + std::to_string(port)));
  CHECK_FALSE(tcp_refused.pass);
  CHECK(tcp_refused.output == "connection refused");

  CannedServer slow("HTTP/1.1 200 OK\r\n\r\n", milliseconds(3000));
  auto start = std::chrono::steady_clock::now();
  UpstreamResult timed_out = CheckUpstream(Url(Http(slow.port())));
  auto took = std::chrono::steady_clock::now() - start;
  CHECK_FALSE(timed_out.pass);
  CHECK(timed_out.output == "no response within 1s");
  CHECK(took >= milliseconds(950));
  CHECK(took < milliseconds(2000));
  CHECK(timed_out.latency_ms >= 950);
}

TEST_CASE("CheckUpstream: tcp:// passes on connect") {
  CannedServer server("");
  UpstreamResult r = CheckUpstream(Url("tcp://127.0.0.1:" + std::to_string(server.port())));
  CHECK(r.pass);
  CHECK(r.output.empty());
  CHECK(r.target == "tcp://127.0.0.1:" + std::to_string(server.port()));
}

TEST_CASE("CheckUpstream sends the query string but never shows it") {
  CannedServer server("HTTP/1.1 200 OK\r\n\r\n");
  UpstreamResult r = CheckUpstream(Url(Http(server.port(), "/readyz?token=s3cret")));
  CHECK(r.pass);
  CHECK(r.target.find("s3cret") == std::string::npos);
}

TEST_CASE("HttpGet keeps the body up to max_body and honours the total timeout") {
  CannedServer server("HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/health+json\r\n"
                      "Content-Length: 17\r\n\r\n{\"status\":\"fail\"}");
  HostPort address{"127.0.0.1", server.port(), false};
  HttpGetLimits limits;
  limits.max_body = 1024;
  auto r = HttpGet(address, "/health", limits);
  REQUIRE(r);
  CHECK(r.value().status == 503);
  CHECK(r.value().content_type == "application/health+json");
  CHECK(r.value().body == "{\"status\":\"fail\"}");

  limits.max_body = 4;
  auto cut = HttpGet(address, "/health", limits);
  REQUIRE(cut);
  CHECK(cut.value().body == "{\"st");

  CannedServer slow("HTTP/1.1 200 OK\r\n\r\n", milliseconds(3000));
  limits.read_timeout = std::chrono::seconds(5);
  limits.total = milliseconds(300);
  auto start = std::chrono::steady_clock::now();
  auto timed_out = HttpGet(HostPort{"127.0.0.1", slow.port(), false}, "/", limits);
  CHECK_FALSE(timed_out);
  CHECK(std::chrono::steady_clock::now() - start < milliseconds(1000));
}

TEST_CASE("UpstreamChecker caches results for max_age") {
  std::atomic<int> calls{0};
  UpstreamChecker checker(
      [&] {
        ++calls;
        return UpstreamResult{true, "t", 0.1, ""};
      },
      milliseconds(200));
  for (int i = 0; i < 50; ++i) CHECK(checker.Get().pass);
  CHECK(calls == 1);
  std::this_thread::sleep_for(milliseconds(250));
  checker.Get();
  CHECK(calls == 2);
}

TEST_CASE("UpstreamChecker: concurrent callers share one in-flight check") {
  std::atomic<int> calls{0};
  UpstreamChecker checker(
      [&] {
        int n = ++calls;
        std::this_thread::sleep_for(milliseconds(200));
        return UpstreamResult{false, "t", 200, "check " + std::to_string(n)};
      },
      milliseconds(1000));
  std::vector<std::thread> threads;
  std::vector<std::string> outputs(20);
  for (int i = 0; i < 20; ++i) {
    threads.emplace_back([&, i] { outputs[i] = checker.Get().output; });
  }
  for (auto& t : threads) t.join();
  CHECK(calls == 1);
  for (const auto& o : outputs) CHECK(o == "check 1");
}

}  // namespace claw

namespace claw {

TEST_CASE("UpstreamChecker::Invalidate drops a result about the previous run") {
  int checks = 0;
  UpstreamChecker checker(
      [&checks] {
        ++checks;
        return UpstreamResult{checks == 1, "t", 0.1, checks == 1 ? "" : "refused"};
      },
      std::chrono::seconds(10));
  CHECK(checker.Get().pass);
  CHECK(checker.Peek(std::chrono::seconds(10)).has_value());
  checker.Invalidate();
  CHECK_FALSE(checker.Peek(std::chrono::hours(1)).has_value());
  CHECK_FALSE(checker.Get().pass);  // checked again
  CHECK(checks == 2);
}

}  // namespace claw
