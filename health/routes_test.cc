#include "health/routes.h"

#include <doctest/doctest.h>

#include <optional>
#include <stdexcept>
#include <vector>

namespace claw {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::seconds;

const Clock::time_point kNow = Clock::time_point(seconds(100000));

HealthInputs Inputs(RuntimeState state, std::optional<bool> upstream_pass = std::nullopt, bool given_up = false) {
  HealthInputs in;
  in.snapshot.state = state;
  in.snapshot.given_up = given_up;
  if (state == RuntimeState::kRunning) {
    in.snapshot.pid = 42;
    in.snapshot.started_at = kNow - seconds(5);
  }
  if (upstream_pass) in.upstream = UpstreamResult{*upstream_pass, "tcp://127.0.0.1:1", 0.5, ""};
  in.runtime = "openclaw";
  in.claw_init = "0.1.0";
  in.start_grace = seconds(60);
  in.now = kNow;
  return in;
}

std::string Header(const RouteReply& reply, const std::string& name) {
  for (const auto& [key, value] : reply.headers) {
    if (key == name) return value;
  }
  return "";
}

constexpr const char* kHealthJson = "application/health+json";
constexpr const char* kPrometheus = "text/plain; version=0.0.4; charset=utf-8";
constexpr const char* kPlain = "text/plain; charset=utf-8";

}  // namespace

TEST_CASE("RouteFor: exact paths only") {
  struct Case {
    const char* path;
    Route want;
  };
  const std::vector<Case> cases = {
      {"/health", Route::kHealth},     {"/health/live", Route::kLive}, {"/health/ready", Route::kReady},
      {"/metrics", Route::kMetrics},   {"/health/", Route::kNone},     {"/HEALTH", Route::kNone},
      {"/", Route::kNone},             {"", Route::kNone},             {"/metrics/", Route::kNone},
      {"/health/live/x", Route::kNone}, {"health", Route::kNone},       {"/health?x=1", Route::kNone},
  };
  for (const Case& c : cases) {
    CAPTURE(c.path);
    CHECK(RouteFor(c.path) == c.want);
  }
}

TEST_CASE("RouteOfRequestLine: the target of the first line, query ignored") {
  struct Case {
    const char* buffered;
    Route want;
  };
  const std::vector<Case> cases = {
      {"GET /health HTTP/1.1\r\nHost: x\r\n\r\n", Route::kHealth},
      {"GET /health?verbose=1 HTTP/1.1\r\n\r\n", Route::kHealth},
      {"HEAD /health/ready HTTP/1.1\r\n\r\n", Route::kReady},
      {"GET /health/live HTTP/1.1\r\n\r\n", Route::kLive},
      {"POST /metrics HTTP/1.1\r\n\r\n", Route::kMetrics},
      {"GET /nope HTTP/1.1\r\n\r\n", Route::kNone},
      {"garbage\r\n\r\n", Route::kNone},
      {"", Route::kNone},
      {"GET /health", Route::kHealth},  // no version yet: the rest of the buffer is the path
  };
  for (const Case& c : cases) {
    CAPTURE(c.buffered);
    CHECK(RouteOfRequestLine(c.buffered) == c.want);
  }
}

TEST_CASE("UsesUpstream: every route but liveness") {
  CHECK(UsesUpstream(Route::kHealth));
  CHECK(UsesUpstream(Route::kReady));
  CHECK(UsesUpstream(Route::kMetrics));
  CHECK_FALSE(UsesUpstream(Route::kLive));
  CHECK_FALSE(UsesUpstream(Route::kNone));
}

TEST_CASE("Answer: which request gets which reply") {
  struct Case {
    const char* method;
    const char* path;
    bool has_body;
    HealthInputs in;
    int code;
    const char* content_type;
    bool close_after;
    bool reads_inputs;
  };
  const std::vector<Case> cases = {
      // The state routes, GET and HEAD alike (httplib drops HEAD's body).
      {"GET", "/health", false, Inputs(RuntimeState::kRunning), 200, kHealthJson, false, true},
      {"HEAD", "/health", false, Inputs(RuntimeState::kRunning), 200, kHealthJson, false, true},
      {"GET", "/health", false, Inputs(RuntimeState::kStarting), 503, kHealthJson, false, true},
      {"GET", "/health", false, Inputs(RuntimeState::kBackoff), 503, kHealthJson, false, true},
      {"GET", "/health", false, Inputs(RuntimeState::kStopping), 503, kHealthJson, false, true},
      {"GET", "/health", false, Inputs(RuntimeState::kRunning, true), 200, kHealthJson, false, true},
      {"GET", "/health", false, Inputs(RuntimeState::kRunning, false), 503, kHealthJson, false, true},  // warn
      {"GET", "/health/ready", false, Inputs(RuntimeState::kRunning), 200, kHealthJson, false, true},
      {"GET", "/health/ready", false, Inputs(RuntimeState::kExited), 503, kHealthJson, false, true},
      {"GET", "/health/live", false, Inputs(RuntimeState::kBackoff), 200, kHealthJson, false, true},
      {"GET", "/health/live", false, Inputs(RuntimeState::kStopping), 200, kHealthJson, false, true},
      {"GET", "/health/live", false, Inputs(RuntimeState::kFatal, std::nullopt, true), 503, kHealthJson, false, true},
      {"GET", "/metrics", false, Inputs(RuntimeState::kFatal, std::nullopt, true), 200, kPrometheus, false, true},
      {"HEAD", "/metrics", false, Inputs(RuntimeState::kRunning), 200, kPrometheus, false, true},
      // A body we never read: answered, then the connection closes.
      {"GET", "/health", true, Inputs(RuntimeState::kRunning), 200, kHealthJson, true, true},
      // Unknown paths: 404 whatever the method; never reads the state.
      {"GET", "/nope", false, Inputs(RuntimeState::kRunning), 404, kPlain, false, false},
      {"GET", "/health/", false, Inputs(RuntimeState::kRunning), 404, kPlain, false, false},
      {"POST", "/elsewhere", false, Inputs(RuntimeState::kRunning), 404, kPlain, true, false},
      // Other methods on known paths: 405, and the connection closes.
      {"POST", "/health", true, Inputs(RuntimeState::kRunning), 405, kPlain, true, false},
      {"POST", "/health", false, Inputs(RuntimeState::kRunning), 405, kPlain, true, false},
      {"PUT", "/health/live", true, Inputs(RuntimeState::kRunning), 405, kPlain, true, false},
      {"DELETE", "/metrics", false, Inputs(RuntimeState::kRunning), 405, kPlain, true, false},
      {"OPTIONS", "/health/ready", false, Inputs(RuntimeState::kRunning), 405, kPlain, true, false},
      {"get", "/health", false, Inputs(RuntimeState::kRunning), 405, kPlain, true, false},
  };
  for (const Case& c : cases) {
    CAPTURE(c.method);
    CAPTURE(c.path);
    CAPTURE(c.has_body);
    int calls = 0;
    std::optional<Route> asked;
    RouteReply reply = Answer(RequestHead{c.method, c.path, c.has_body}, [&](Route route) {
      ++calls;
      asked = route;
      return c.in;
    });
    CHECK(reply.code == c.code);
    CHECK(reply.content_type == c.content_type);
    CHECK(reply.close_after == c.close_after);
    CHECK(calls == (c.reads_inputs ? 1 : 0));
    if (c.reads_inputs) CHECK(asked == RouteFor(c.path));
    CHECK(Header(reply, "Cache-Control") == (c.reads_inputs ? "no-store" : ""));
    CHECK(Header(reply, "Allow") == (c.code == 405 ? "GET, HEAD" : ""));
    CHECK_FALSE(reply.body.empty());
  }
}

TEST_CASE("Answer: the bodies of the fixed replies, and of a render that fails") {
  auto never = [](Route) -> HealthInputs { throw std::logic_error("not called"); };
  CHECK(Answer(RequestHead{"GET", "/nope"}, never).body == "not found\n");
  CHECK(Answer(RequestHead{"POST", "/health"}, never).body == "method not allowed\n");

  RouteReply failed = Answer(RequestHead{"GET", "/health"}, [](Route) -> HealthInputs {
    throw std::runtime_error("boom");
  });
  CHECK(failed.code == 500);
  CHECK(failed.content_type == kPlain);
  CHECK(failed.body == "internal error\n");
  CHECK(Header(failed, "Cache-Control") == "no-store");
  CHECK_FALSE(failed.close_after);  // ClosesAfterError(500) closes it on the wire

  RouteReply health = Answer(RequestHead{"GET", "/health"}, [](Route) { return Inputs(RuntimeState::kRunning); });
  CHECK(health.body.rfind("{\"status\":\"pass\",\"runtime\":\"openclaw\"", 0) == 0);
  CHECK(Answer(RequestHead{"GET", "/metrics"}, [](Route) { return Inputs(RuntimeState::kRunning); })
            .body.find("\nclaw_runtime_up 1\n") != std::string::npos);
}

TEST_CASE("ClosesAfterError: only our own error replies keep the connection") {
  struct Case {
    int status;
    bool closes;
  };
  const std::vector<Case> cases = {
      {404, false}, {405, false}, {503, false}, {400, true}, {413, true},
      {414, true},  {416, true},  {431, true},  {500, true},
  };
  for (const Case& c : cases) {
    CAPTURE(c.status);
    CHECK(ClosesAfterError(c.status) == c.closes);
  }
}

}  // namespace claw
