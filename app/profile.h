// The runtime profile (/etc/claw/profile.toml, contract section 5), loaded
// with strict validation: an unknown key or a wrong type is an error naming
// the key. Scalar settings are kept as text so that options.cc parses a value
// the same way whether it came from the command line, the environment or the
// profile.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"
#include "patchers/config_spec.h"

namespace claw {

struct Profile {
  std::string path;  // empty when no profile was loaded

  // [runtime]
  std::string name;                  // "openclaw"; empty if unnamed
  std::vector<std::string> command;  // empty if the profile names none
  std::optional<std::string> workdir;
  // [runtime.env]: variables for the runtime only (the process environment
  // wins), sorted by name.
  std::vector<std::pair<std::string, std::string>> runtime_env;

  // [restart] handoff and handoff_capabilities (contract section 7): empty
  // when not set. "{pid}" stands for the pid of the run that exited.
  std::vector<std::string> handoff;
  std::vector<std::string> handoff_capabilities;

  // [config] and [config.env] (config.runtime is [runtime] name too)
  ConfigSpec config;

  // [version]
  std::vector<std::string> version_command;
  std::optional<std::string> version_regex;

  // Every other setting, keyed "section.key" ("restart.policy",
  // "stop.grace", "runtime.caps"), as text: integers and booleans are
  // spelled out ("8", "true"), arrays of strings joined with ",".
  std::map<std::string, std::string> settings;

  const std::string* Setting(std::string_view key) const {
    auto it = settings.find(std::string(key));
    return it == settings.end() ? nullptr : &it->second;
  }
};

// Parses profile text; `origin` names it in errors ("profile.toml:3:7: ...").
Result<Profile> ParseProfile(std::string_view text, const std::string& origin);

// Reads and parses the file at `path`.
Result<Profile> LoadProfile(const std::string& path);

}  // namespace claw
