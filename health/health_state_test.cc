#include "health/health_state.h"

#include <doctest/doctest.h>
#include <rapidjson/document.h>

#include <vector>

namespace claw {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;
using std::chrono::seconds;

const Clock::time_point kNow = Clock::time_point(seconds(100000));

HealthInputs Inputs(RuntimeState state, std::optional<bool> upstream_pass, Duration since_start,
                    Duration grace = seconds(0)) {
  HealthInputs in;
  in.snapshot.state = state;
  if (state == RuntimeState::kRunning || state == RuntimeState::kStopping) {
    in.snapshot.pid = 42;
    in.snapshot.started_at = kNow - since_start;
  }
  if (upstream_pass) {
    in.upstream = UpstreamResult{*upstream_pass, "http://127.0.0.1:18789/readyz", 1.9,
                                 *upstream_pass ? "" : "connection refused"};
  }
  in.runtime = "openclaw";
  in.version = "2026.9.6";
  in.claw_init = "0.1.0";
  in.start_grace = grace;
  in.now = kNow;
  return in;
}

rapidjson::Document Parse(const std::string& text) {
  rapidjson::Document doc;
  doc.Parse(text.c_str(), text.size());
  REQUIRE_FALSE(doc.HasParseError());
  REQUIRE(doc.IsObject());
  return doc;
}

}  // namespace

TEST_CASE("EvaluateHealth: pass, warn and fail rules") {
  struct Case {
    RuntimeState state;
    std::optional<bool> upstream;
    int since_start_ms;
    int grace_ms;
    HealthStatus want;
  };
  const std::vector<Case> cases = {
      {RuntimeState::kRunning, std::nullopt, 5000, 0, HealthStatus::kPass},
      {RuntimeState::kRunning, true, 5000, 0, HealthStatus::kPass},
      {RuntimeState::kRunning, false, 5000, 0, HealthStatus::kFail},
      {RuntimeState::kRunning, false, 5000, 60000, HealthStatus::kWarn},
      {RuntimeState::kRunning, false, 59999, 60000, HealthStatus::kWarn},
      {RuntimeState::kRunning, false, 60000, 60000, HealthStatus::kFail},
      {RuntimeState::kRunning, true, 10, 60000, HealthStatus::kPass},
      {RuntimeState::kStarting, std::nullopt, 0, 60000, HealthStatus::kFail},
      {RuntimeState::kStarting, false, 0, 60000, HealthStatus::kFail},
      {RuntimeState::kBackoff, true, 0, 0, HealthStatus::kFail},
      {RuntimeState::kBackoff, false, 0, 60000, HealthStatus::kFail},
      {RuntimeState::kStopping, true, 1000, 0, HealthStatus::kFail},
      {RuntimeState::kExited, std::nullopt, 0, 0, HealthStatus::kFail},
      {RuntimeState::kFatal, std::nullopt, 0, 0, HealthStatus::kFail},
  };
  for (const Case& c : cases) {
    CAPTURE(RuntimeStateName(c.state));
    CAPTURE(c.since_start_ms);
    CAPTURE(c.grace_ms);
    HealthInputs in = Inputs(c.state, c.upstream, milliseconds(c.since_start_ms), milliseconds(c.grace_ms));
    CHECK(HealthStatusName(EvaluateHealth(in)) == std::string(HealthStatusName(c.want)));
    CHECK(RenderHealth(in).code == (c.want == HealthStatus::kPass ? 200 : 503));
  }
}

TEST_CASE("RenderHealth: the contract's fields and types") {
  HealthInputs in = Inputs(RuntimeState::kRunning, true, milliseconds(12500));
  HttpReply reply = RenderHealth(in);
  CHECK(reply.code == 200);
  CHECK(reply.content_type == "application/health+json");
  auto doc = Parse(reply.body);
  CHECK(doc["status"].GetString() == std::string("pass"));
  CHECK(doc["runtime"].GetString() == std::string("openclaw"));
  CHECK(doc["version"].GetString() == std::string("2026.9.6"));
  CHECK(doc["claw_init"].GetString() == std::string("0.1.0"));
  CHECK(doc["state"].GetString() == std::string("running"));
  CHECK(doc["pid"].IsInt());
  CHECK(doc["pid"].GetInt() == 42);
  CHECK(doc["uptime_s"].IsNumber());
  CHECK(doc["uptime_s"].GetDouble() == doctest::Approx(12.5));
  CHECK(doc["restarts"].GetInt() == 0);
  CHECK(doc["last_exit"].IsNull());
  const auto& up = doc["checks"]["upstream"];
  CHECK(up["status"].GetString() == std::string("pass"));
  CHECK(up["target"].GetString() == std::string("http://127.0.0.1:18789/readyz"));
  CHECK(up["latency_ms"].GetDouble() == doctest::Approx(1.9));
  CHECK_FALSE(up.HasMember("output"));
  CHECK(doc["last_exit_reason"].IsNull());  // no run has ended yet
  CHECK(doc["oom_kills"].GetInt() == 0);
  // Exactly the contract's members (sections 4 and 7), in its order.
  const char* order[] = {"status",    "runtime",          "version",   "claw_init", "state", "pid",
                         "uptime_s",  "restarts",         "last_exit", "last_exit_reason",
                         "oom_kills", "checks"};
  int i = 0;
  for (auto it = doc.MemberBegin(); it != doc.MemberEnd(); ++it, ++i) {
    REQUIRE(i < 12);
    CHECK(it->name.GetString() == std::string(order[i]));
  }
  CHECK(i == 12);
}

TEST_CASE("RenderHealth and metrics: an OOM kill is named") {
  HealthInputs in = Inputs(RuntimeState::kBackoff, std::nullopt, seconds(0));
  in.snapshot.last_exit = 137;
  in.snapshot.last_exit_reason = ExitReason::kOom;
  in.snapshot.oom_kills = 2;
  auto doc = Parse(RenderHealth(in).body);
  CHECK(doc["last_exit_reason"].GetString() == std::string("oom"));
  CHECK(doc["oom_kills"].GetInt() == 2);
  CHECK(RenderMetrics(in).body.find("\nclaw_runtime_oom_kills_total 2\n") != std::string::npos);
  in.snapshot.last_exit_reason = ExitReason::kSignal;
  CHECK(Parse(RenderHealth(in).body)["last_exit_reason"].GetString() == std::string("signal"));
}

TEST_CASE("RenderHealth: no process, no upstream, unknown version") {
  HealthInputs in = Inputs(RuntimeState::kBackoff, std::nullopt, seconds(0));
  in.snapshot.restarts = 3;
  in.snapshot.last_exit = 137;
  in.version = "";
  HttpReply reply = RenderHealth(in);
  CHECK(reply.code == 503);
  auto doc = Parse(reply.body);
  CHECK(doc["status"].GetString() == std::string("fail"));
  CHECK(doc["state"].GetString() == std::string("backoff"));
  CHECK(doc["pid"].IsNull());
  CHECK(doc["version"].IsNull());
  CHECK(doc["uptime_s"].GetDouble() == 0);
  CHECK(doc["restarts"].GetInt() == 3);
  CHECK(doc["last_exit"].GetInt() == 137);
  CHECK(doc["checks"].IsObject());
  CHECK(doc["checks"].MemberCount() == 0);
}

TEST_CASE("RenderHealth: a failing upstream says why, and warn is 503") {
  HealthInputs in = Inputs(RuntimeState::kRunning, false, seconds(1), seconds(60));
  HttpReply reply = RenderHealth(in);
  CHECK(reply.code == 503);
  auto doc = Parse(reply.body);
  CHECK(doc["status"].GetString() == std::string("warn"));
  CHECK(doc["checks"]["upstream"]["status"].GetString() == std::string("fail"));
  CHECK(doc["checks"]["upstream"]["output"].GetString() == std::string("connection refused"));
}

TEST_CASE("RenderHealth escapes names it did not choose") {
  HealthInputs in = Inputs(RuntimeState::kRunning, std::nullopt, seconds(1));
  in.runtime = "we\"ird\\name\n";
  auto doc = Parse(RenderHealth(in).body);
  CHECK(doc["runtime"].GetString() == std::string("we\"ird\\name\n"));
}

TEST_CASE("RenderLive: 503 only when given up or fatal") {
  struct Case {
    RuntimeState state;
    bool given_up;
    int want;
  };
  const std::vector<Case> cases = {
      {RuntimeState::kStarting, false, 200}, {RuntimeState::kRunning, false, 200},
      {RuntimeState::kBackoff, false, 200},  {RuntimeState::kStopping, false, 200},
      {RuntimeState::kExited, false, 200},   {RuntimeState::kExited, true, 503},
      {RuntimeState::kFatal, false, 503},    {RuntimeState::kFatal, true, 503},
  };
  for (const Case& c : cases) {
    CAPTURE(RuntimeStateName(c.state));
    CAPTURE(c.given_up);
    HealthInputs in = Inputs(c.state, false, seconds(1));
    in.snapshot.given_up = c.given_up;
    HttpReply reply = RenderLive(in);
    CHECK(reply.code == c.want);
    auto doc = Parse(reply.body);
    CHECK(doc["status"].GetString() == std::string(c.want == 200 ? "pass" : "fail"));
    CHECK(doc["state"].GetString() == std::string(RuntimeStateName(c.state)));
  }
}

TEST_CASE("RenderMetrics: every family with HELP and TYPE") {
  HealthInputs in = Inputs(RuntimeState::kRunning, true, milliseconds(2500));
  in.snapshot.restarts = 4;
  HttpReply reply = RenderMetrics(in);
  CHECK(reply.code == 200);
  CHECK(reply.content_type == "text/plain; version=0.0.4; charset=utf-8");
  const std::string& m = reply.body;
  const char* lines[] = {
      "# HELP claw_runtime_up ",
      "\n# TYPE claw_runtime_up gauge\nclaw_runtime_up 1\n",
      "# TYPE claw_runtime_restarts_total counter\nclaw_runtime_restarts_total 4\n",
      "# TYPE claw_runtime_uptime_seconds gauge\nclaw_runtime_uptime_seconds 2.5\n",
      "# TYPE claw_upstream_up gauge\nclaw_upstream_up 1\n",
      "# TYPE claw_info gauge\nclaw_info{runtime=\"openclaw\",version=\"2026.9.6\",claw_init=\"0.1.0\"} 1\n",
  };
  for (const char* line : lines) {
    CAPTURE(line);
    CHECK(m.find(line) != std::string::npos);
  }
  CHECK(m.back() == '\n');
}

TEST_CASE("RenderMetrics: down runtime, failing upstream, no upstream, escaped labels") {
  HealthInputs in = Inputs(RuntimeState::kBackoff, false, seconds(0));
  in.runtime = "a\"b\\c\nd";
  in.version = "";
  std::string m = RenderMetrics(in).body;
  CHECK(m.find("\nclaw_runtime_up 0\n") != std::string::npos);
  CHECK(m.find("\nclaw_runtime_uptime_seconds 0\n") != std::string::npos);
  CHECK(m.find("\nclaw_upstream_up 0\n") != std::string::npos);
  CHECK(m.find("claw_info{runtime=\"a\\\"b\\\\c\\nd\",version=\"\",claw_init=\"0.1.0\"} 1") != std::string::npos);

  in.upstream.reset();
  m = RenderMetrics(in).body;
  CHECK(m.find("claw_upstream_up") == std::string::npos);
}

TEST_CASE("FormatNumber") {
  struct Case {
    double value;
    int decimals;
    const char* want;
  };
  const std::vector<Case> cases = {
      {12.5, 3, "12.5"}, {0, 3, "0"},     {1.9, 2, "1.9"},   {0.004, 2, "0"},
      {0.005001, 2, "0.01"}, {3.14159, 3, "3.142"}, {100, 1, "100"}, {-0.0001, 2, "0"},
      {1e300 * 1e300, 2, "0"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.value);
    CHECK(FormatNumber(c.value, c.decimals) == c.want);
  }
}

TEST_CASE("UptimeSeconds") {
  SupervisorSnapshot s;
  CHECK(UptimeSeconds(s, kNow) == 0);
  s.started_at = kNow - milliseconds(1500);
  CHECK(UptimeSeconds(s, kNow) == doctest::Approx(1.5));
  s.started_at = kNow + seconds(1);  // clock skew guard
  CHECK(UptimeSeconds(s, kNow) == 0);
}

}  // namespace claw
