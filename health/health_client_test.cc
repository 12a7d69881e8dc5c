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

TEST_CASE("QueryHealth: the verdict and its line") {
  auto server = HealthServer::Start(testing::LoopbackHealthConfig());
  REQUIRE(server->Running());
  const HostPort address{"127.0.0.1", server->port(), false};
  const auto timeout = std::chrono::seconds(2);

  HealthVerdict starting = QueryHealth(address, "/health", timeout);
  CHECK_FALSE(starting.healthy);
  CHECK(starting.line == "unhealthy: starting");
  server->Publish(testing::RunningSnapshot(7));
  HealthVerdict healthy = QueryHealth(address, "/health", timeout);
  CHECK(healthy.healthy);
  CHECK(healthy.line == "healthy: running");
  CHECK(QueryHealth(address, "/health/live", timeout).healthy);
  HealthVerdict missing = QueryHealth(address, "/nope", timeout);
  CHECK_FALSE(missing.healthy);
  CHECK(missing.line == "unhealthy: HTTP 404");

  const HostPort nobody{"127.0.0.1", testing::FreePort(), false};
  HealthVerdict refused = QueryHealth(nobody, "/health", timeout);
  CHECK_FALSE(refused.healthy);
  CHECK(refused.line == "unhealthy: no answer from " + nobody.ToString() + " (connection refused)");

  // A server that never answers: the timeout bounds the wait.
  testing::CannedServer silent("", std::chrono::milliseconds(5000));
  auto start = std::chrono::steady_clock::now();
  CHECK_FALSE(QueryHealth(HostPort{"127.0.0.1", silent.port(), false}, "/health", std::chrono::milliseconds(300)).healthy);
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::milliseconds(1000));
}

}  // namespace claw
