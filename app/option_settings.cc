#include "app/option_settings.h"

#include "app/option_values.h"
#include "base/log.h"
#include "base/net_address.h"
#include "base/signal_names.h"

namespace claw {
namespace {

Status Fail(const Error& e) { return e; }

#define CLAW_ASSIGN(target, expr)         \
  do {                                    \
    auto r_ = (expr);                     \
    if (!r_) return Fail(r_.error());     \
    target = std::move(r_).value();       \
  } while (0)

}  // namespace

const std::vector<Setting>& Settings() {
  static const std::vector<Setting> settings = {
      {"--user", kEnvUser, "runtime.user",
       [](std::string_view v, Options& o) -> Status {
         if (v.empty()) return Error{"empty user", ExitCode::kUsage};
         o.user = std::string(v);
         return Ok{};
       }},
      {"--caps", kEnvCaps, "runtime.caps",
       [](std::string_view v, Options& o) -> Status {
         CLAW_ASSIGN(o.caps, ParseCaps(v));
         return Ok{};
       }},
      {"--restart", kEnvRestart, "restart.policy",
       [](std::string_view v, Options& o) -> Status {
         if (v == "never" || v == "no") {
           o.restart = RestartPolicy::kNever;
         } else if (v == "on-failure") {
           o.restart = RestartPolicy::kOnFailure;
         } else if (v == "always") {
           o.restart = RestartPolicy::kAlways;
         } else {
           return Error{"invalid restart policy '" + std::string(v) + "' (use never, on-failure or always)",
                        ExitCode::kUsage};
         }
         return Ok{};
       }},
      {"--backoff-initial", kEnvBackoffInitial, "restart.backoff_initial",
       [](std::string_view v, Options& o) -> Status {
         CLAW_ASSIGN(o.backoff.initial, ParseDuration(v));
         return Ok{};
       }},
      {"--backoff-max", kEnvBackoffMax, "restart.backoff_max",
       [](std::string_view v, Options& o) -> Status {
         CLAW_ASSIGN(o.backoff.max, ParseDuration(v));
         return Ok{};
       }},
      {"--backoff-reset", kEnvBackoffReset, "restart.backoff_reset",
       [](std::string_view v, Options& o) -> Status {
         CLAW_ASSIGN(o.backoff.reset, ParseDuration(v));
         return Ok{};
       }},
      {"--max-restarts", kEnvMaxRestarts, "restart.max_restarts",
       [](std::string_view v, Options& o) -> Status {
         long long n = 0;
         CLAW_ASSIGN(n, ParseNumber(v, 0, 1'000'000'000));
         o.backoff.max_restarts = static_cast<int>(n);
         return Ok{};
       }},
      {"--stop-signal", kEnvStopSignal, "stop.signal",
       [](std::string_view v, Options& o) -> Status {
         CLAW_ASSIGN(o.stop_signal, ParseSignal(v));
         return Ok{};
       }},
      {"--stop-grace", kEnvStopGrace, "stop.grace",
       [](std::string_view v, Options& o) -> Status {
         CLAW_ASSIGN(o.stop_grace, ParseDuration(v));
         return Ok{};
       }},
      {"--stop-delay", kEnvStopDelay, "stop.delay",
       [](std::string_view v, Options& o) -> Status {
         CLAW_ASSIGN(o.stop_delay, ParseDuration(v));
         return Ok{};
       }},
      {"--termination-log", kEnvTerminationLog, nullptr,
       [](std::string_view v, Options& o) -> Status {
         if (v.empty()) return Error{"empty path (use off to disable it)", ExitCode::kUsage};
         o.termination_log = std::string(v);
         return Ok{};
       }},
      {"--redact", kEnvRedact, "log.redact",
       [](std::string_view v, Options& o) -> Status {
         CLAW_ASSIGN(o.redact, ParseBool(v));
         return Ok{};
       }},
      {"--single-child", kEnvSingleChild, "runtime.single_child",
       [](std::string_view v, Options& o) -> Status {
         CLAW_ASSIGN(o.single_child, ParseBool(v));
         return Ok{};
       }},
      {"--health-listen", kEnvHealthListen, "health.listen",
       [](std::string_view v, Options& o) -> Status {
         if (v == "off") {
           o.health_listen.reset();
           return Ok{};
         }
         auto address = ParseHostPort(v);
         if (!address) return address.error();
         o.health_listen = address.value().ToString();
         return Ok{};
       }},
      {"--health-upstream", kEnvHealthUpstream, "health.upstream",
       [](std::string_view v, Options& o) -> Status {
         if (v.empty()) {
           o.health_upstream.reset();
           return Ok{};
         }
         auto url = ParseUpstreamUrl(v);
         if (!url) return url.error();
         o.health_upstream = std::string(v);
         return Ok{};
       }},
      {"--health-start-grace", kEnvHealthStartGrace, "health.start_grace",
       [](std::string_view v, Options& o) -> Status {
         CLAW_ASSIGN(o.health_start_grace, ParseDuration(v));
         return Ok{};
       }},
      {"--log-format", kEnvLogFormat, "log.format",
       [](std::string_view v, Options& o) -> Status {
         CLAW_ASSIGN(o.log_format, ParseLogFormat(v));
         return Ok{};
       }},
      {"--log-level", kEnvLogLevel, "log.level",
       [](std::string_view v, Options& o) -> Status {
         CLAW_ASSIGN(o.log_level, ParseLogLevel(v));
         return Ok{};
       }},
      {"--version-stamp", kEnvVersionStamp, "version.stamp",
       [](std::string_view v, Options& o) -> Status {
         if (v.empty()) return Error{"empty path", ExitCode::kUsage};
         o.version_stamp = std::string(v);
         return Ok{};
       }},
  };
  return settings;
}

#undef CLAW_ASSIGN

const Setting* FindSetting(std::string_view option) {
  for (const auto& s : Settings()) {
    if (option == s.option) return &s;
  }
  return nullptr;
}


}  // namespace claw
