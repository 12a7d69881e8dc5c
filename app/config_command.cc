#include "app/config_command.h"

#include <cstdio>

#include "base/log.h"
#include "patchers/config_patch.h"
#include "patchers/patch_spec.h"

namespace claw {

int RunConfigRender(const Options& options, const Environment& env) {
  auto plan = PlanConfig(options.profile.config, env);
  if (!plan) {
    LogError("config render: " + plan.error().message);
    return ToInt(ExitCode::kConfig);
  }
  if (!plan.value().enabled) {
    if (plan.value().mode == ConfigMode::kOff) {
      LogInfo(std::string("config render: ") + kEnvConfigMode + "=off; nothing to render");
      return ToInt(ExitCode::kSuccess);
    }
    LogError("config render: the profile names no [config] target");
    return ToInt(ExitCode::kConfig);
  }
  LogPlan(plan.value());
  const std::string text = RenderForDisplay(plan.value(), options.show_secrets);
  std::fwrite(text.data(), 1, text.size(), stdout);
  std::fflush(stdout);
  return ToInt(ExitCode::kSuccess);
}

int RunConfigCheck(const Options& options, const Environment& env) {
  auto plan = PlanConfig(options.profile.config, env);
  if (!plan) {
    LogError("config check: " + plan.error().message);
    return ToInt(ExitCode::kConfig);
  }
  const ConfigPlan& p = plan.value();
  if (!p.enabled) {
    LogInfo(p.mode == ConfigMode::kOff ? std::string("config ok: patching is off (") + kEnvConfigMode + "=off)"
                                       : std::string("config ok: the profile names no [config] target"));
    return ToInt(ExitCode::kSuccess);
  }
  LogPlan(p);
  LogInfo("config ok: " + p.target + " (" + std::to_string(p.keys_set) + " keys set)");
  return ToInt(ExitCode::kSuccess);
}

}  // namespace claw
