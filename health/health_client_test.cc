#include "health/health_client.h"

#include <doctest/doctest.h>

#include <vector>

#include "health/health_server.h"
#include "health/test_server.h"

namespace claw {

TEST_CASE("DescribeHealthReply") {
  struct Case {
    int status;
    const char* body;
    const char* want;
  };
  const std::vector<Case> cases = {
      {200,
       R"({"status":"pass","state":"running","checks":{"upstream":{"status":"pass","target":"t","latency_ms":1}}})",
       "healthy: running, upstream pass"},
      {200, R"({"status":"pass","state":"running","checks":{}})", "healthy: running"},
      {503,
       R"({"status":"fail","state":"backoff","checks":{"upstream":{"status":"fail","output":"connection refused"}}})",
       "unhealthy: backoff, upstream fail (connection refused)"},
      {503,
       R"({"status":"warn","state":"running","checks":{"upstream":{"status":"fail","output":"HTTP 500"}}})",
       "unhealthy: running, upstream fail (HTTP 500), within the start grace"},
      {503, R"({"status":"fail","state":"fatal","checks":{}})", "unhealthy: fatal"},
      {500, R"({"status":"fail","state":"running"})", "unhealthy: running (HTTP 500)"},
      {404, "not found\n", "unhealthy: HTTP 404"},
      {200, "<html>ok</html>", "healthy: HTTP 200"},
      {200, R"({"state":42})", "healthy: HTTP 200"},
      {503, R"([1,2])", "unhealthy: HTTP 503"},
      {503, "", "unhealthy: HTTP 503"},
      {503, R"({"state":"backoff","checks":{"upstream":7}})", "unhealthy: backoff, upstream "},
  };
  for (const Case& c : cases) {
    CAPTURE(c.body);
    CHECK(DescribeHealthReply(c.status, c.body) == c.want);
  }
}

TEST_CASE("ClientAddress asks wildcards on loopback") {
  CHECK(ClientAddress(HostPort{"0.0.0.0", 18700, false}).ToString() == "127.0.0.1:18700");
  CHECK(ClientAddress(HostPort{"::", 18700, true}).ToString() == "[::1]:18700");
  CHECK(ClientAddress(HostPort{"10.1.2.3", 80, false}).ToString() == "10.1.2.3:80");
  CHECK(ClientAddress(HostPort{"::1", 9, true}).ToString() == "[::1]:9");
}

TEST_CASE("RunHealthCommand: exit codes") {
  HealthServerConfig config;
  config.listen = HostPort{"127.0.0.1", 0, false};
  config.claw_init = "0.1.0";
  auto server = HealthServer::Start(config);
  REQUIRE(server->Running());

  Options options;
  options.health_listen = "0.0.0.0:" + std::to_string(server->port());
  options.health_timeout = std::chrono::seconds(2);
  CHECK(RunHealthCommand(options) == 1);  // starting
  SupervisorSnapshot running;
  running.state = RuntimeState::kRunning;
  running.pid = 7;
  server->Publish(running);
  CHECK(RunHealthCommand(options) == 0);

  options.health_url = "http://127.0.0.1:" + std::to_string(server->port()) + "/health/live";
  CHECK(RunHealthCommand(options) == 0);
  options.health_url = "http://127.0.0.1:" + std::to_string(server->port()) + "/nope";
  CHECK(RunHealthCommand(options) == 1);

  options.health_url.reset();
  options.health_listen = "127.0.0.1:" + std::to_string(testing::FreePort());
  CHECK(RunHealthCommand(options) == 1);
  options.health_listen.reset();
  CHECK(RunHealthCommand(options) == 1);

  // A server that never answers: the timeout bounds the wait.
  testing::CannedServer silent("", std::chrono::milliseconds(5000));
  options.health_listen = "127.0.0.1:" + std::to_string(silent.port());
  options.health_timeout = std::chrono::milliseconds(300);
  auto start = std::chrono::steady_clock::now();
  CHECK(RunHealthCommand(options) == 1);
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::milliseconds(1000));
}

}  // namespace claw
