#include "app/health_command.h"

#include <doctest/doctest.h>

#include "health/health_server.h"
#include "health/test_server.h"

namespace claw {

TEST_CASE("RunHealthCommand: exit codes") {
  auto server = HealthServer::Start(testing::LoopbackHealthConfig());
  REQUIRE(server->Running());

  Options options;
  options.health_listen = "0.0.0.0:" + std::to_string(server->port());
  options.health_timeout = std::chrono::seconds(2);
  CHECK(RunHealthCommand(options) == 1);  // starting
  server->Publish(testing::RunningSnapshot(7));
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

TEST_CASE("StartHealthServer: off, and an address that does not parse") {
  Options options;
  options.health_listen.reset();
  auto off = StartHealthServer(options, "x", "");
  REQUIRE(off != nullptr);
  CHECK_FALSE(off->Running());

  options.health_listen = "not an address";
  auto bad = StartHealthServer(options, "x", "");
  REQUIRE(bad != nullptr);
  CHECK_FALSE(bad->Running());

  const int port = testing::FreePort();
  options.health_listen = "127.0.0.1:" + std::to_string(port);
  options.health_upstream = "ftp://nowhere";  // warned about; served without an upstream
  auto served = StartHealthServer(options, "x", "");
  REQUIRE(served->Running());
  CHECK(served->port() == port);
}

}  // namespace claw
