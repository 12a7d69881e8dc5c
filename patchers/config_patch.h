// Config patching end to end: profile + environment + files -> the runtime's
// patched config (contract section 3). Used by start-up (before the first
// spawn), `claw-init config render` and `claw-init config check`.
//
// PlanConfig reads (target, default file, *_FILE secrets) and never writes;
// WriteConfig is the one step that changes the disk.
//
// Decisions where the contract leaves room:
// - merge mode with no config variables and an existing target: the target
//   is parsed (a syntax error stops start-up with 78 and file:line:column)
//   but not rewritten, so its comments and layout stay;
// - a target whose bytes already equal the output is not rewritten;
// - merge with neither target nor default file starts from an empty document;
// - a symlink at the target or on its directory path is refused (see apply.h).
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/environment.h"
#include "base/files.h"
#include "base/result.h"
#include "patchers/config_spec.h"
#include "patchers/document.h"

namespace claw {

enum class ConfigMode { kMerge, kRegenerate, kOff };

// CLAW_CONFIG_MODE: merge (default, also when empty), regenerate, off.
Result<ConfigMode> ConfigModeFromEnvironment(const Environment& env);

struct ConfigPlan {
  bool enabled = false;  // false: mode off, or no [config] target and no variables
  bool write = false;    // WriteConfig has something to write
  ConfigMode mode = ConfigMode::kMerge;
  std::string target;
  ConfigFormat format = ConfigFormat::kJson;
  std::string base;    // the file the base document came from; empty: none
  std::string text;    // the patched document, exactly as it would be written
  std::vector<std::string> applied;  // "set gateway.port from CLAW_CONFIG__gateway__port"
  size_t keys_set = 0;
  DocNode document;                                     // the patched tree
  std::vector<std::vector<std::string>> secret_paths;  // keys set from *_FILE variables
  // (variable, content) of each *_FILE variable read, in patch order: secrets
  // for --redact (SelectSecrets in process/redact_secrets.h).
  std::vector<std::pair<std::string, std::string>> file_values;
};

Result<ConfigPlan> PlanConfig(const ConfigSpec& spec, const Environment& env);

// Writes plan.text to plan.target atomically when plan.write; else nothing.
Status WriteConfig(const ConfigPlan& plan, std::optional<uid_t> owner_uid, std::optional<gid_t> owner_gid);

// Logs each applied line (never a value) at info level.
void LogPlan(const ConfigPlan& plan);

// Start-up: the target's directory (PrepareTargetDirectory, whenever the
// profile names a target), then PlanConfig, LogPlan, WriteConfig; the file
// and any directory made belong to `owner` (`owner_name` in the log). An
// error means exit 78 before the runtime starts; the message is ready to log.
// `file_values`, when given, receives ConfigPlan::file_values.
Status PrepareConfig(const ConfigSpec& spec, const Environment& env, const FileSpec& owner,
                     const std::string& owner_name,
                     std::vector<std::pair<std::string, std::string>>* file_values = nullptr);

// plan.text, or with !show_secrets every value that came from a *_FILE
// variable or sits under a key that looks secret replaced by "<redacted>".
std::string RenderForDisplay(const ConfigPlan& plan, bool show_secrets);

// token, secret, password, passwd, credential, apikey/api_key, or a name
// ending in "key" (key, privateKey, access-key).
bool LooksSecret(std::string_view key);

}  // namespace claw
