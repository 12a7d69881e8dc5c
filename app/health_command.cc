#include "app/health_command.h"

#include <cstdio>

#include "claw_version.h"
#include "base/log.h"
#include "base/net_address.h"
#include "health/health_client.h"

namespace claw {
namespace {

int PrintLine(const std::string& line, int code) {
  std::printf("%s\n", line.c_str());
  std::fflush(stdout);
  return code;
}

}  // namespace

std::unique_ptr<HealthServer> StartHealthServer(const Options& options, std::string runtime_name,
                                                std::string runtime_version) {
  if (!options.health_listen) {
    LogDebug("health: off");
    return HealthServer::Off();
  }
  // Options validated both already; a failure here would be a bug upstream.
  auto listen = ParseHostPort(*options.health_listen);
  if (!listen) {
    LogWarn("health: " + listen.error().message + "; /health is off, supervision goes on");
    return HealthServer::Off();
  }
  HealthServerConfig config;
  config.listen = listen.value();
  config.runtime = std::move(runtime_name);
  config.version = std::move(runtime_version);
  config.claw_init = CLAW_INIT_VERSION;
  config.start_grace = options.health_start_grace;
  config.serve_after_spawn = true;
  config.in_loop = true;
  if (options.health_upstream) {
    auto url = ParseUpstreamUrl(*options.health_upstream);
    if (url) {
      config.upstream = url.value();
    } else {
      LogWarn("health: " + url.error().message + "; no upstream check");
    }
  }
  return HealthServer::Start(std::move(config));
}

int RunHealthCommand(const Options& options) {
  HostPort address;
  std::string path = "/health";
  if (options.health_url) {
    auto url = ParseUpstreamUrl(*options.health_url);
    if (!url || url.value().scheme != UpstreamUrl::Scheme::kHttp) {
      return PrintLine("unhealthy: --url is not an http:// URL", 1);
    }
    address = url.value().address;
    path = url.value().path.substr(0, url.value().path.find('#'));
  } else if (!options.health_listen) {
    return PrintLine("unhealthy: the health server is off (--health-listen / CLAW_HEALTH_LISTEN is off)", 1);
  } else {
    auto listen = ParseHostPort(*options.health_listen);
    if (!listen) return PrintLine("unhealthy: " + listen.error().message, 1);
    address = ClientAddress(listen.value());
  }
  HealthVerdict verdict = QueryHealth(address, path, options.health_timeout);
  return PrintLine(verdict.line, verdict.healthy ? 0 : 1);
}

}  // namespace claw
