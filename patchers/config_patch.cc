#include "patchers/config_patch.h"

#include <cstdio>

#include "base/log.h"
#include "patchers/apply.h"
#include "patchers/patch_document.h"
#include "patchers/patch_spec.h"

namespace claw {
namespace {

constexpr const char* kRedacted = "<redacted>";

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  return out;
}

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

Result<ConfigFormat> FormatFor(const Profile& profile, const std::string& target) {
  if (profile.config_format) return *profile.config_format;
  const std::string lower = Lower(target);
  if (EndsWith(lower, ".json") || EndsWith(lower, ".json5")) return ConfigFormat::kJson;
  if (EndsWith(lower, ".toml")) return ConfigFormat::kToml;
  if (EndsWith(lower, ".yaml") || EndsWith(lower, ".yml")) return ConfigFormat::kYaml;
  return Error{target + ": cannot tell the format from the extension; set [config] format (json, toml or yaml)"};
}

bool IsSecretPath(const ConfigPlan& plan, const std::vector<std::string>& path) {
  for (const auto& secret : plan.secret_paths) {
    if (secret == path) return true;
  }
  return false;
}

void Redact(DocNode& node, std::vector<std::string>& path, bool secret, const ConfigPlan& plan) {
  secret = secret || IsSecretPath(plan, path);
  if (node.type == DocNode::Type::kObject) {
    for (auto& member : node.members) {
      path.push_back(member.key);
      Redact(member.value, path, secret || LooksSecret(member.key), plan);
      path.pop_back();
    }
  } else if (node.type == DocNode::Type::kArray) {
    for (size_t i = 0; i < node.items.size(); ++i) {
      path.push_back(std::to_string(i));
      Redact(node.items[i], path, secret, plan);
      path.pop_back();
    }
  } else if (secret && node.type != DocNode::Type::kNull) {
    node = DocNode::Scalar(DocNode::Type::kString, kRedacted);
  }
}

}  // namespace

bool LooksSecret(std::string_view key) {
  std::string k;
  for (char c : Lower(key)) {
    if (c != '_' && c != '-') k += c;
  }
  for (const char* word : {"token", "secret", "password", "passwd", "credential", "apikey"}) {
    if (k.find(word) != std::string::npos) return true;
  }
  return EndsWith(k, "key");
}

Result<ConfigMode> ConfigModeFromEnvironment(const Environment& env) {
  auto it = env.find(kEnvConfigMode);
  if (it == env.end()) return ConfigMode::kMerge;
  const std::string mode = Lower(it->second);
  if (mode == "merge" || mode.empty()) return ConfigMode::kMerge;
  if (mode == "regenerate") return ConfigMode::kRegenerate;
  if (mode == "off") return ConfigMode::kOff;
  return Error{std::string(kEnvConfigMode) + ": must be merge, regenerate or off"};
}

Result<ConfigPlan> PlanConfig(const Options& options, const Environment& env) {
  const Profile& profile = options.profile;
  ConfigPlan plan;
  auto mode = ConfigModeFromEnvironment(env);
  if (!mode) return mode.error();
  plan.mode = mode.value();
  if (plan.mode == ConfigMode::kOff) {
    if (HasConfigVariables(env, profile.config_env)) {
      LogWarn(std::string(kEnvConfigMode) + "=off: config variables are ignored");
    }
    return plan;
  }

  if (!profile.config_target) {
    if (HasConfigVariables(env, profile.config_env)) {
      return Error{"config variables are set but the profile names no [config] target"};
    }
    return plan;
  }
  plan.enabled = true;
  plan.target = *profile.config_target;
  auto format = FormatFor(profile, plan.target);
  if (!format) return format.error();
  plan.format = format.value();

  auto ops = PatchOpsFromEnvironment(env, profile.config_env, ReadSecretFile);
  if (!ops) return ops.error();

  // The base document.
  auto current = ReadTarget(plan.target);
  if (!current) return current.error();
  std::string default_text;
  std::string_view base_text;  // the target's text (not copied) or the default's
  if (plan.mode == ConfigMode::kMerge && current.value()) {
    plan.base = plan.target;
    base_text = *current.value();
  } else if (profile.config_default) {
    plan.base = *profile.config_default;
    auto text = ReadFileNoFollow(plan.base);
    if (!text) return text.error().Prefixed("default config");
    default_text = std::move(text).value();
    base_text = default_text;
  } else if (plan.mode == ConfigMode::kRegenerate) {
    return Error{std::string(kEnvConfigMode) + "=regenerate needs a [config] default file in the profile"};
  }
  PatchDetails details;
  auto text = PatchDocument(plan.format, base_text, ops.value(), plan.base.empty() ? plan.target : plan.base,
                            &details);
  if (!text) return text.error();
  plan.text = std::move(text).value();
  plan.document = std::move(details.document);
  plan.applied = std::move(details.applied);
  for (const PatchOp& op : ops.value()) {
    if (op.kind == PatchOp::Kind::kSet) ++plan.keys_set;
    if (op.from_file) plan.secret_paths.push_back(op.path);
  }

  const bool target_exists = current.value().has_value();
  const bool same_bytes = target_exists && *current.value() == plan.text;
  if (plan.mode == ConfigMode::kRegenerate) {
    plan.write = !same_bytes;
  } else if (target_exists) {
    plan.write = !ops.value().empty() && !same_bytes;
  } else {
    plan.write = !plan.base.empty() || !ops.value().empty();
  }

  if (profile.config_max_bytes && plan.text.size() > *profile.config_max_bytes) {
    LogWarn(plan.target + ": " + std::to_string(plan.text.size()) + " bytes; " +
            (profile.name.empty() ? std::string("the runtime") : profile.name) + " reads at most " +
            std::to_string(*profile.config_max_bytes) + " bytes of config ([config] max_bytes)");
  }
  return plan;
}

Status WriteConfig(const ConfigPlan& plan, std::optional<uid_t> owner_uid, std::optional<gid_t> owner_gid) {
  if (!plan.enabled || !plan.write) return Ok{};
  return WriteFileAtomic(plan.target, plan.text, owner_uid, owner_gid);
}

void LogPlan(const ConfigPlan& plan) {
  for (const auto& line : plan.applied) LogInfo("config: " + line);
}

Status PrepareConfig(const Options& options, const Environment& env, std::optional<uid_t> owner_uid,
                     std::optional<gid_t> owner_gid) {
  auto plan = PlanConfig(options, env);
  if (!plan) return plan.error().Prefixed("config");
  if (!plan.value().enabled) return Ok{};
  LogPlan(plan.value());
  auto status = WriteConfig(plan.value(), owner_uid, owner_gid);
  if (!status) return status.error().Prefixed("config");
  if (plan.value().write) {
    LogInfo("config: wrote " + plan.value().target + " (" + std::to_string(plan.value().keys_set) + " keys set)");
  }
  return Ok{};
}

std::string RenderForDisplay(const ConfigPlan& plan, bool show_secrets) {
  if (show_secrets) return plan.text;
  DocNode copy = plan.document;
  std::vector<std::string> path;
  Redact(copy, path, false, plan);
  auto text = WriteDocument(plan.format, copy);
  // Redaction only turns scalars into strings, which every format can hold;
  // should writing still fail, show nothing rather than the secrets.
  return text ? text.value() : std::string();
}

int RunConfigRender(const Options& options, const Environment& env) {
  auto plan = PlanConfig(options, env);
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
  auto plan = PlanConfig(options, env);
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
