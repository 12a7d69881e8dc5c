#include "health/health_server.h"

#include <doctest/doctest.h>
#include <rapidjson/document.h>

#include <fstream>
#include <thread>
#include <vector>

#include "health/http_get.h"
#include "health/test_server.h"

namespace claw {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

HealthServerConfig Config() {
  HealthServerConfig config = testing::LoopbackHealthConfig();
  config.runtime = "openclaw";
  config.version = "2026.9.6";
  return config;
}

SupervisorSnapshot Running() {
  SupervisorSnapshot s = testing::RunningSnapshot(4242);
  s.started_at = Clock::now();
  return s;
}

HttpResponse Get(const HealthServer& server, const std::string& path) {
  HttpGetLimits limits;
  limits.read_timeout = std::chrono::seconds(3);
  limits.max_body = 64 * 1024;
  auto r = HttpGet(HostPort{"127.0.0.1", server.port(), false}, path, limits);
  REQUIRE_MESSAGE(r, (r ? "" : r.error().message));
  return r.value();
}

UniqueFd Connect(int port) {
  auto fd = ConnectTcp(HostPort{"127.0.0.1", port, false}, std::chrono::seconds(1));
  REQUIRE(fd);
  return std::move(fd).value();
}

// Sends `request` and reads until the peer closes or `quiet` passes without
// data; returns everything read.
std::string Exchange(int fd, const std::string& request, milliseconds quiet = milliseconds(500)) {
  if (!request.empty()) REQUIRE(send(fd, request.data(), request.size(), MSG_NOSIGNAL) == (ssize_t)request.size());
  std::string out;
  char buf[4096];
  for (;;) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(quiet.count())) <= 0) break;
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

bool PeerClosed(int fd) {
  pollfd p{fd, POLLIN, 0};
  if (poll(&p, 1, 1000) <= 0) return false;
  char c;
  return recv(fd, &c, 1, MSG_DONTWAIT) == 0;
}

int Count(const std::string& haystack, const std::string& needle) {
  int n = 0;
  for (size_t at = haystack.find(needle); at != std::string::npos; at = haystack.find(needle, at + 1)) ++n;
  return n;
}

// This process's thread count, from /proc/self/status.
int Threads() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("Threads:", 0) == 0) return std::stoi(line.substr(8));
  }
  return -1;
}

}  // namespace

TEST_CASE("HealthServer: serve_after_spawn binds at once and serves from the first run on") {
  const int before = Threads();
  HealthServerConfig config = Config();
  config.serve_after_spawn = true;
  auto server = HealthServer::Start(config);
  REQUIRE(server->Running());
  REQUIRE(server->port() > 0);
  CHECK(Threads() == before);  // bound, no thread yet

  // A probe before the runtime is spawned waits in the listen queue.
  UniqueFd early = Connect(server->port());
  CHECK(Exchange(early.get(), "GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n", milliseconds(300)).empty());
  SupervisorSnapshot starting;
  starting.state = RuntimeState::kStarting;
  server->Publish(starting);  // published before the spawn: still no thread
  CHECK(Threads() == before);
  CHECK(Exchange(early.get(), "", milliseconds(300)).empty());

  // The first snapshot after the spawn starts the poller, which answers it.
  server->Publish(Running());
  CHECK(Threads() == before + 1);  // the poller alone: no upstream, no workers
  CHECK(Exchange(early.get(), "", milliseconds(2000)).rfind("HTTP/1.1 200", 0) == 0);
  server->Publish(Running());
  CHECK(Threads() == before + 1);
  server->Stop();
  CHECK(Threads() == before);
}

TEST_CASE("HealthServer: worker threads only with an upstream") {
  const int before = Threads();
  {
    auto plain = HealthServer::Start(Config());
    REQUIRE(plain->Running());
    CHECK(Threads() == before + 1);
  }
  CHECK(Threads() == before);
  HealthServerConfig config = Config();
  config.check = [] { return UpstreamResult{true, "tcp://127.0.0.1:1", 0.1, ""}; };
  auto with_upstream = HealthServer::Start(config);
  REQUIRE(with_upstream->Running());
  CHECK(Threads() == before + 5);  // the poller and 4 workers
}

TEST_CASE("HealthServer: endpoints follow the published state") {
  auto server = HealthServer::Start(Config());
  REQUIRE(server->Running());
  REQUIRE(server->port() > 0);

  // Nothing published yet: starting.
  HttpResponse r = Get(*server, "/health");
  CHECK(r.status == 503);
  CHECK(r.content_type == "application/health+json");
  CHECK(r.body.find("\"state\":\"starting\"") != std::string::npos);
  CHECK(Get(*server, "/health/live").status == 200);

  server->Publish(Running());
  r = Get(*server, "/health");
  CHECK(r.status == 200);
  rapidjson::Document doc;
  doc.Parse(r.body.c_str());
  REQUIRE(doc.IsObject());
  CHECK(doc["status"].GetString() == std::string("pass"));
  CHECK(doc["pid"].GetInt() == 4242);
  CHECK(Get(*server, "/health/ready").status == 200);
  CHECK(Get(*server, "/health/live").status == 200);
  HttpResponse metrics = Get(*server, "/metrics");
  CHECK(metrics.status == 200);
  CHECK(metrics.content_type == "text/plain; version=0.0.4; charset=utf-8");
  CHECK(metrics.body.find("\nclaw_runtime_up 1\n") != std::string::npos);

  SupervisorSnapshot backoff;
  backoff.state = RuntimeState::kBackoff;
  backoff.restarts = 2;
  backoff.last_exit = 3;
  server->Publish(backoff);
  CHECK(Get(*server, "/health").status == 503);
  CHECK(Get(*server, "/health/ready").status == 503);
  CHECK(Get(*server, "/health/live").status == 200);
  CHECK(Get(*server, "/metrics").body.find("\nclaw_runtime_restarts_total 2\n") != std::string::npos);

  SupervisorSnapshot fatal;
  fatal.state = RuntimeState::kFatal;
  fatal.given_up = true;
  server->Publish(fatal);
  CHECK(Get(*server, "/health/live").status == 503);
  CHECK(Get(*server, "/metrics").status == 200);

  CHECK(Get(*server, "/nope").status == 404);
  CHECK(Get(*server, "/health/").status == 404);
  CHECK(Get(*server, "/health?verbose=1").status == 503);  // the query is ignored
  server->Stop();
  server->Stop();  // idempotent
  CHECK_FALSE(server->Running());
}

TEST_CASE("HealthServer: HEAD, 405 and 404 on the wire") {
  auto server = HealthServer::Start(Config());
  REQUIRE(server->Running());
  server->Publish(Running());

  UniqueFd a = Connect(server->port());
  std::string head = Exchange(a.get(), "HEAD /health HTTP/1.1\r\nHost: x\r\n\r\n");
  CHECK(head.rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
  CHECK(head.find("Content-Length: ") != std::string::npos);
  CHECK(head.find("Content-Type: application/health+json\r\n") != std::string::npos);
  CHECK(head.substr(head.size() - 4) == "\r\n\r\n");  // no body

  for (const char* method : {"POST", "PUT", "DELETE", "OPTIONS", "PATCH"}) {
    CAPTURE(method);
    UniqueFd fd = Connect(server->port());
    std::string reply = Exchange(fd.get(), std::string(method) + " /health HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc");
    CHECK(reply.rfind("HTTP/1.1 405 Method Not Allowed\r\n", 0) == 0);
    CHECK(reply.find("Allow: GET, HEAD\r\n") != std::string::npos);
  }
  UniqueFd b = Connect(server->port());
  CHECK(Exchange(b.get(), "POST /elsewhere HTTP/1.1\r\nHost: x\r\n\r\n").rfind("HTTP/1.1 404 ", 0) == 0);
  UniqueFd c = Connect(server->port());
  CHECK(Exchange(c.get(), "garbage\r\n\r\n").rfind("HTTP/1.1 400 ", 0) == 0);
  CHECK(PeerClosed(c.get()));
}

TEST_CASE("HealthServer: keep-alive, pipelining and closing") {
  auto server = HealthServer::Start(Config());
  REQUIRE(server->Running());
  server->Publish(Running());

  UniqueFd fd = Connect(server->port());
  std::string one = "GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n";
  CHECK(Count(Exchange(fd.get(), one, milliseconds(200)), "HTTP/1.1 200 OK") == 1);
  CHECK(Count(Exchange(fd.get(), one, milliseconds(200)), "HTTP/1.1 200 OK") == 1);
  // Three at once, the last asking to close.
  std::string three = one + one + "GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  std::string replies = Exchange(fd.get(), three);
  CHECK(Count(replies, "HTTP/1.1 200 OK") == 3);
  CHECK(PeerClosed(fd.get()));

  // A request whose sender already shut down its side is still answered.
  UniqueFd half = Connect(server->port());
  send(half.get(), one.data(), one.size(), MSG_NOSIGNAL);
  shutdown(half.get(), SHUT_WR);
  CHECK(Exchange(half.get(), "").rfind("HTTP/1.1 200 OK", 0) == 0);
}

TEST_CASE("HealthServer: a client that reads its replies late still gets them all") {
  auto server = HealthServer::Start(Config());
  REQUIRE(server->Running());
  server->Publish(Running());
  UniqueFd fd(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  int small = 2048;
  setsockopt(fd.get(), SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(server->port()));
  REQUIRE(connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  // 100 requests (the per-connection maximum) without reading a byte: far
  // more reply bytes than the socket buffers hold.
  std::string many;
  for (int i = 0; i < 100; ++i) many += "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n";
  REQUIRE(send(fd.get(), many.data(), many.size(), MSG_NOSIGNAL) == (ssize_t)many.size());
  std::this_thread::sleep_for(milliseconds(300));
  CHECK(Get(*server, "/health/live").status == 200);  // others are not held up
  std::string replies = Exchange(fd.get(), "", milliseconds(1000));
  CHECK(Count(replies, "HTTP/1.1 200 OK") == 100);
  CHECK(Count(replies, "claw_info{") == 100);
  CHECK(PeerClosed(fd.get()));  // the 100th reply closed it
}

TEST_CASE("HealthServer: after a slow write the connection gets its full idle time") {
  // A runtime name this long makes one /metrics reply larger than every
  // socket buffer on the way, so the reply must wait for the client.
  HealthServerConfig config = Config();
  config.runtime = std::string(300000, 'r');
  auto server = HealthServer::Start(config);
  REQUIRE(server->Running());
  server->Publish(Running());
  UniqueFd fd = Connect(server->port());
  const std::string request = "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n";
  REQUIRE(send(fd.get(), request.data(), request.size(), MSG_NOSIGNAL) == (ssize_t)request.size());
  std::this_thread::sleep_for(milliseconds(300));
  std::string reply = Exchange(fd.get(), "", milliseconds(300));
  CHECK(reply.rfind("HTTP/1.1 200 OK", 0) == 0);
  CHECK(reply.size() > 300000);
  // Idle for longer than the write timeout, well within the idle timeout.
  std::this_thread::sleep_for(milliseconds(2000));
  std::string again = Exchange(fd.get(), "GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n", milliseconds(500));
  CHECK(again.rfind("HTTP/1.1 200 OK", 0) == 0);
}

TEST_CASE("HealthServer: an oversized request header is refused") {
  auto server = HealthServer::Start(Config());
  REQUIRE(server->Running());
  UniqueFd fd = Connect(server->port());
  std::string big = "GET /health HTTP/1.1\r\nX-Pad: " + std::string(20000, 'a') + "\r\n\r\n";
  send(fd.get(), big.data(), big.size(), MSG_NOSIGNAL);
  std::string reply = Exchange(fd.get(), "");
  CHECK(reply.rfind("HTTP/1.1 431 ", 0) == 0);
  // Just under the limit is still a request.
  UniqueFd near = Connect(server->port());
  std::string head = "GET /health/live HTTP/1.1\r\nX-Pad: ";
  std::string fits = head + std::string(8192 - head.size() - 4, 'a') + "\r\n\r\n";
  REQUIRE(fits.size() == 8192);
  CHECK(Exchange(near.get(), fits).rfind("HTTP/1.1 200 ", 0) == 0);
  UniqueFd over = Connect(server->port());
  CHECK(Exchange(over.get(), head + std::string(8192, 'a')).rfind("HTTP/1.1 431 ", 0) == 0);
  // And the server still answers others.
  CHECK(Get(*server, "/health/live").status == 200);
}

TEST_CASE("HealthServer: a taken port leaves the server absent, not broken") {
  auto first = HealthServer::Start(Config());
  REQUIRE(first->Running());
  HealthServerConfig config = Config();
  config.listen.port = first->port();
  auto second = HealthServer::Start(config);
  CHECK_FALSE(second->Running());
  CHECK(second->port() == 0);
  second->Publish(Running());  // harmless
  second->Stop();
  CHECK(Get(*first, "/health/live").status == 200);
}

TEST_CASE("HealthServer: off and IPv6") {
  auto off = HealthServer::Off();
  REQUIRE(off != nullptr);
  CHECK_FALSE(off->Running());

  HealthServerConfig config = Config();
  config.listen = HostPort{"::1", 0, true};
  auto v6 = HealthServer::Start(config);
  if (!v6->Running()) {
    MESSAGE("no IPv6 loopback here; skipped");
    return;
  }
  HttpGetLimits limits;
  auto r = HttpGet(HostPort{"::1", v6->port(), true}, "/health/live", limits);
  REQUIRE(r);
  CHECK(r.value().status == 200);
}

TEST_CASE("HealthServer: upstream check, start grace and the cache") {
  std::atomic<int> checks{0};
  std::atomic<bool> pass{false};
  HealthServerConfig config = Config();
  config.start_grace = std::chrono::seconds(60);
  config.check = [&] {
    ++checks;
    return UpstreamResult{pass.load(), "http://127.0.0.1:1/readyz", 0.5, pass ? "" : "connection refused"};
  };
  auto server = HealthServer::Start(config);
  REQUIRE(server->Running());
  server->Publish(Running());

  HttpResponse r = Get(*server, "/health");
  CHECK(r.status == 503);
  CHECK(r.body.find("\"status\":\"warn\"") != std::string::npos);
  CHECK(r.body.find("\"output\":\"connection refused\"") != std::string::npos);
  for (int i = 0; i < 20; ++i) Get(*server, "/health");
  CHECK(checks == 1);  // cached
  CHECK(Get(*server, "/metrics").body.find("\nclaw_upstream_up 0\n") != std::string::npos);

  // Between 1 s and 2 s old, the cached result answers at once and a
  // background check refreshes it.
  pass = true;
  std::this_thread::sleep_for(kMaxUpstreamAge + milliseconds(50));
  CHECK(Get(*server, "/health").status == 503);
  for (int i = 0; i < 50 && checks < 2; ++i) std::this_thread::sleep_for(milliseconds(10));
  CHECK(checks == 2);
  CHECK(Get(*server, "/health").status == 200);

  // Older than 2 s, the request waits for a fresh check. Past the grace, a
  // failing upstream is a fail.
  pass = false;
  SupervisorSnapshot old = Running();
  old.started_at = Clock::now() - std::chrono::seconds(61);
  server->Publish(old);
  std::this_thread::sleep_for(kUpstreamStaleLimit + milliseconds(50));
  r = Get(*server, "/health");
  CHECK(r.status == 503);
  CHECK(r.body.find("\"status\":\"fail\"") != std::string::npos);
  CHECK(checks == 3);
}

TEST_CASE("HealthServer: /health/live answers while /health waits for a slow upstream") {
  HealthServerConfig config = Config();
  config.check = [] {
    std::this_thread::sleep_for(milliseconds(800));
    return UpstreamResult{true, "t", 800, ""};
  };
  auto server = HealthServer::Start(config);
  REQUIRE(server->Running());
  server->Publish(Running());
  std::vector<std::thread> waiting;
  std::atomic<int> ok{0};
  for (int i = 0; i < 8; ++i) {
    waiting.emplace_back([&] {
      if (Get(*server, "/health").status == 200) ++ok;
    });
  }
  std::this_thread::sleep_for(milliseconds(100));
  auto start = Clock::now();
  CHECK(Get(*server, "/health/live").status == 200);
  CHECK(Clock::now() - start < milliseconds(500));
  for (auto& t : waiting) t.join();
  CHECK(ok == 8);
}

TEST_CASE("HealthServer: idle connections and a slow client do not starve /health") {
  auto server = HealthServer::Start(Config());
  REQUIRE(server->Running());
  server->Publish(Running());
  std::vector<UniqueFd> idle;
  for (int i = 0; i < 200; ++i) idle.push_back(Connect(server->port()));
  // Half of them also start a request and never finish it.
  for (int i = 0; i < 100; ++i) send(idle[i].get(), "GET /hea", 8, MSG_NOSIGNAL);

  std::atomic<bool> done{false};
  std::thread slowloris([&] {
    UniqueFd fd = Connect(server->port());
    const std::string request = "GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: 1234567890\r\n\r\n";
    for (size_t i = 0; i < request.size() && !done; ++i) {
      send(fd.get(), &request[i], 1, MSG_NOSIGNAL);
      std::this_thread::sleep_for(milliseconds(100));
    }
  });
  for (int i = 0; i < 10; ++i) {
    auto start = Clock::now();
    CHECK(Get(*server, "/health").status == 200);
    CHECK(Clock::now() - start < milliseconds(500));
  }
  done = true;
  slowloris.join();
}

}  // namespace claw
