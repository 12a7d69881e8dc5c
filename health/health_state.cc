#include "health/health_state.h"

#include <cmath>
#include <cstdio>

#include "base/log.h"

namespace claw {
namespace {

constexpr const char* kHealthJson = "application/health+json";
constexpr const char* kPrometheusText = "text/plain; version=0.0.4; charset=utf-8";

// A JSON string literal, or null for "" (unknown).
std::string JsonStringOrNull(const std::string& value) {
  return value.empty() ? "null" : "\"" + JsonEscape(value) + "\"";
}

std::string UpstreamJson(const UpstreamResult& u) {
  std::string out = "{\"status\":\"";
  out += u.pass ? "pass" : "fail";
  out += "\",\"target\":\"" + JsonEscape(u.target) + "\",\"latency_ms\":" + FormatNumber(u.latency_ms, 2);
  if (!u.pass) out += ",\"output\":\"" + JsonEscape(u.output) + "\"";
  out += "}";
  return out;
}

void AppendMetric(std::string& out, const char* name, const char* type, const char* help,
                  const std::string& sample) {
  out += "# HELP ";
  out += name;
  out += " ";
  out += help;
  out += "\n# TYPE ";
  out += name;
  out += " ";
  out += type;
  out += "\n";
  out += sample;
  out += "\n";
}

}  // namespace

const char* HealthStatusName(HealthStatus status) {
  switch (status) {
    case HealthStatus::kPass: return "pass";
    case HealthStatus::kWarn: return "warn";
    case HealthStatus::kFail: return "fail";
  }
  return "fail";
}

HealthStatus EvaluateHealth(const HealthInputs& in) {
  if (in.snapshot.state != RuntimeState::kRunning) return HealthStatus::kFail;
  if (!in.upstream || in.upstream->pass) return HealthStatus::kPass;
  const auto& started = in.snapshot.started_at;
  if (started && in.now - *started < in.start_grace) return HealthStatus::kWarn;
  return HealthStatus::kFail;
}

bool IsLive(const SupervisorSnapshot& snapshot) {
  return !snapshot.given_up && snapshot.state != RuntimeState::kFatal;
}

double UptimeSeconds(const SupervisorSnapshot& snapshot, std::chrono::steady_clock::time_point now) {
  if (!snapshot.started_at || now < *snapshot.started_at) return 0;
  return std::chrono::duration<double>(now - *snapshot.started_at).count();
}

HttpReply RenderHealth(const HealthInputs& in) {
  const HealthStatus status = EvaluateHealth(in);
  const SupervisorSnapshot& s = in.snapshot;
  std::string body = "{\"status\":\"";
  body += HealthStatusName(status);
  body += "\",\"runtime\":" + JsonStringOrNull(in.runtime);
  body += ",\"version\":" + JsonStringOrNull(in.version);
  body += ",\"claw_init\":\"" + JsonEscape(in.claw_init) + "\"";
  body += ",\"state\":\"";
  body += RuntimeStateName(s.state);
  body += "\",\"pid\":" + (s.pid > 0 ? std::to_string(s.pid) : std::string("null"));
  body += ",\"uptime_s\":" + FormatNumber(UptimeSeconds(s, in.now), 3);
  body += ",\"restarts\":" + std::to_string(s.restarts);
  body += ",\"last_exit\":" + (s.last_exit ? std::to_string(*s.last_exit) : std::string("null"));
  const char* reason = ExitReasonName(s.last_exit_reason);
  body += ",\"last_exit_reason\":" + (reason != nullptr ? "\"" + std::string(reason) + "\"" : std::string("null"));
  body += ",\"oom_kills\":" + std::to_string(s.oom_kills);
  body += ",\"checks\":{";
  if (in.upstream) body += "\"upstream\":" + UpstreamJson(*in.upstream);
  body += "}}\n";
  return HttpReply{status == HealthStatus::kPass ? 200 : 503, kHealthJson, std::move(body)};
}

HttpReply RenderLive(const HealthInputs& in) {
  const bool live = IsLive(in.snapshot);
  std::string body = "{\"status\":\"";
  body += live ? "pass" : "fail";
  body += "\",\"state\":\"";
  body += RuntimeStateName(in.snapshot.state);
  body += "\"}\n";
  return HttpReply{live ? 200 : 503, kHealthJson, std::move(body)};
}

HttpReply RenderMetrics(const HealthInputs& in) {
  const SupervisorSnapshot& s = in.snapshot;
  std::string out;
  AppendMetric(out, "claw_runtime_up", "gauge", "1 when the runtime is running, else 0.",
               std::string("claw_runtime_up ") + (s.state == RuntimeState::kRunning ? "1" : "0"));
  AppendMetric(out, "claw_runtime_restarts_total", "counter", "Restarts of the runtime since claw-init started.",
               "claw_runtime_restarts_total " + std::to_string(s.restarts));
  AppendMetric(out, "claw_runtime_uptime_seconds", "gauge", "Seconds since the current run started, 0 when not running.",
               "claw_runtime_uptime_seconds " + FormatNumber(UptimeSeconds(s, in.now), 3));
  AppendMetric(out, "claw_runtime_oom_kills_total", "counter", "Runs of the runtime the kernel's OOM killer ended.",
               "claw_runtime_oom_kills_total " + std::to_string(s.oom_kills));
  // Without a configured upstream there is nothing to report: the family is
  // left out rather than faked as up or down.
  if (in.upstream) {
    AppendMetric(out, "claw_upstream_up", "gauge", "1 when the runtime's upstream health check passes, else 0.",
                 std::string("claw_upstream_up ") + (in.upstream->pass ? "1" : "0"));
  }
  AppendMetric(out, "claw_info", "gauge", "Runtime name and version, and claw-init's version; always 1.",
               "claw_info{runtime=\"" + EscapeLabelValue(in.runtime) + "\",version=\"" +
                   EscapeLabelValue(in.version) + "\",claw_init=\"" + EscapeLabelValue(in.claw_init) + "\"} 1");
  return HttpReply{200, kPrometheusText, std::move(out)};
}

std::string FormatNumber(double value, int decimals) {
  if (!std::isfinite(value)) return "0";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, value);
  std::string out(buf);
  if (out.find('.') != std::string::npos) {
    while (out.back() == '0') out.pop_back();
    if (out.back() == '.') out.pop_back();
  }
  if (out == "-0") out = "0";
  return out;
}

std::string EscapeLabelValue(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '"': out += "\\\""; break;
      case '\n': out += "\\n"; break;
      default: out += c;
    }
  }
  return out;
}

}  // namespace claw
