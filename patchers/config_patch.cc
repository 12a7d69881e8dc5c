#include "patchers/config_patch.h"

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

Result<ConfigFormat> FormatFor(const ConfigSpec& spec, const std::string& target) {
  if (spec.format) return *spec.format;
  const std::string lower = Lower(target);
  if (lower.ends_with(".json") || lower.ends_with(".json5")) return ConfigFormat::kJson;
  if (lower.ends_with(".toml")) return ConfigFormat::kToml;
  if (lower.ends_with(".yaml") || lower.ends_with(".yml")) return ConfigFormat::kYaml;
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
  return k.ends_with("key");
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

Result<ConfigPlan> PlanConfig(const ConfigSpec& spec, const Environment& env) {
  ConfigPlan plan;
  auto mode = ConfigModeFromEnvironment(env);
  if (!mode) return mode.error();
  plan.mode = mode.value();
  if (plan.mode == ConfigMode::kOff) {
    if (HasConfigVariables(env, spec.env)) {
      LogWarn(std::string(kEnvConfigMode) + "=off: config variables are ignored");
    }
    return plan;
  }

  if (!spec.target) {
    if (HasConfigVariables(env, spec.env)) {
      return Error{"config variables are set but the profile names no [config] target"};
    }
    return plan;
  }
  plan.enabled = true;
  plan.target = *spec.target;
  auto format = FormatFor(spec, plan.target);
  if (!format) return format.error();
  plan.format = format.value();

  auto ops = PatchOpsFromEnvironment(env, spec.env, ReadSecretFile);
  if (!ops) return ops.error();

  // The base document.
  auto current = ReadTarget(plan.target);
  if (!current) return current.error();
  std::string default_text;
  std::string_view base_text;  // the target's text (not copied) or the default's
  if (plan.mode == ConfigMode::kMerge && current.value()) {
    plan.base = plan.target;
    base_text = *current.value();
  } else if (spec.default_file) {
    plan.base = *spec.default_file;
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
    if (op.from_file) {
      plan.secret_paths.push_back(op.path);
      plan.file_values.emplace_back(op.variable, op.value);
    }
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

  if (spec.max_bytes && plan.text.size() > *spec.max_bytes) {
    LogWarn(plan.target + ": " + std::to_string(plan.text.size()) + " bytes; " +
            (spec.runtime.empty() ? std::string("the runtime") : spec.runtime) + " reads at most " +
            std::to_string(*spec.max_bytes) + " bytes of config ([config] max_bytes)");
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

Status PrepareConfig(const ConfigSpec& spec, const Environment& env, const FileSpec& owner,
                     const std::string& owner_name, std::vector<std::pair<std::string, std::string>>* file_values) {
  // The directory first, whether or not anything is patched: the runtime
  // writes its own files beside its config.
  if (spec.target) {
    if (auto st = PrepareTargetDirectory(*spec.target, owner, owner_name); !st) return st;
  }
  auto plan = PlanConfig(spec, env);
  if (!plan) return plan.error().Prefixed("config");
  if (file_values != nullptr) *file_values = plan.value().file_values;
  if (!plan.value().enabled) return Ok{};
  LogPlan(plan.value());
  auto status = WriteConfig(plan.value(), owner.uid, owner.gid);
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

}  // namespace claw
