#include "health/health_client.h"

#include <rapidjson/document.h>

#include "health/http_get.h"

namespace claw {
namespace {

constexpr size_t kMaxBody = 64 * 1024;

// The string member `name` of `object`, or "" when absent or not a string.
std::string StringMember(const rapidjson::Value& object, const char* name) {
  if (!object.IsObject()) return "";
  auto it = object.FindMember(name);
  if (it == object.MemberEnd() || !it->value.IsString()) return "";
  return std::string(it->value.GetString(), it->value.GetStringLength());
}

}  // namespace

HostPort ClientAddress(const HostPort& listen) {
  HostPort out = listen;
  if (IsWildcard(listen)) out.host = listen.ipv6 ? "::1" : "127.0.0.1";
  return out;
}

std::string DescribeHealthReply(int status, std::string_view body) {
  const std::string verdict = status == 200 ? "healthy: " : "unhealthy: ";
  rapidjson::Document doc;
  doc.Parse(body.data(), body.size());
  const std::string state = doc.HasParseError() ? "" : StringMember(doc, "state");
  if (state.empty()) return verdict + "HTTP " + std::to_string(status);

  std::string line = verdict + state;
  auto checks = doc.FindMember("checks");
  if (checks != doc.MemberEnd() && checks->value.IsObject()) {
    auto upstream = checks->value.FindMember("upstream");
    if (upstream != checks->value.MemberEnd()) {
      line += ", upstream " + StringMember(upstream->value, "status");
      std::string output = StringMember(upstream->value, "output");
      if (!output.empty()) line += " (" + output + ")";
    }
  }
  if (StringMember(doc, "status") == "warn") line += ", within the start grace";
  if (status != 200 && status != 503) line += " (HTTP " + std::to_string(status) + ")";
  return line;
}

HealthVerdict QueryHealth(const HostPort& address, std::string_view path, Duration timeout) {
  HttpGetLimits limits;
  limits.connect_timeout = timeout;
  limits.read_timeout = timeout;
  limits.total = timeout;
  limits.max_body = kMaxBody;
  auto reply = HttpGet(address, path, limits);
  if (!reply) {
    return HealthVerdict{false, "unhealthy: no answer from " + address.ToString() + " (" + reply.error().message + ")"};
  }
  const int status = reply.value().status;
  return HealthVerdict{status == 200, DescribeHealthReply(status, reply.value().body)};
}

}  // namespace claw
