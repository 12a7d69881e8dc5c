#include "app/profile.h"

#include <algorithm>
#include <fstream>
#include <sstream>
#include <toml++/toml.h>

namespace claw {
namespace {

enum class Kind {
  kString,       // a string
  kDuration,     // a string ("8s") or an integer number of seconds
  kInteger,      // an integer
  kBool,         // a boolean
  kSignal,       // a string ("TERM") or an integer
  kStringArray,  // an array of strings
  kStringList,   // an array of strings or one comma-separated string
};

struct KeySpec {
  const char* key;
  Kind kind;
};

struct SectionSpec {
  const char* name;
  std::vector<KeySpec> keys;
};

const std::vector<SectionSpec>& Schema() {
  static const std::vector<SectionSpec> schema = {
      {"runtime",
       {{"name", Kind::kString},
        {"command", Kind::kStringArray},
        {"user", Kind::kString},
        {"workdir", Kind::kString},
        {"caps", Kind::kStringList},
        {"single_child", Kind::kBool}}},
      {"config",
       {{"default", Kind::kString},
        {"target", Kind::kString},
        {"format", Kind::kString},
        {"max_bytes", Kind::kInteger}}},
      {"health",
       {{"listen", Kind::kString}, {"upstream", Kind::kString}, {"start_grace", Kind::kDuration}}},
      {"restart",
       {{"policy", Kind::kString},
        {"backoff_initial", Kind::kDuration},
        {"backoff_max", Kind::kDuration},
        {"backoff_reset", Kind::kDuration},
        {"max_restarts", Kind::kInteger},
        {"handoff", Kind::kStringArray},
        {"handoff_capabilities", Kind::kStringArray},
        {"handoff_timeout", Kind::kDuration}}},
      {"stop", {{"signal", Kind::kSignal}, {"grace", Kind::kDuration}, {"delay", Kind::kDuration}}},
      {"log", {{"format", Kind::kString}, {"level", Kind::kString}, {"redact", Kind::kBool}}},
      {"version", {{"command", Kind::kStringArray}, {"regex", Kind::kString}, {"stamp", Kind::kString}}},
  };
  return schema;
}

std::string Where(const toml::node& node, const std::string& origin) {
  const auto& src = node.source();
  return origin + ":" + std::to_string(src.begin.line) + ":" + std::to_string(src.begin.column);
}

const char* KindName(Kind kind) {
  switch (kind) {
    case Kind::kString: return "a string";
    case Kind::kDuration: return "a duration string or a number of seconds";
    case Kind::kInteger: return "an integer";
    case Kind::kBool: return "a boolean";
    case Kind::kSignal: return "a signal name or number";
    case Kind::kStringArray: return "an array of strings";
    case Kind::kStringList: return "an array of strings or a comma-separated string";
  }
  return "?";
}

Result<std::vector<std::string>> StringArray(const toml::node& node) {
  const toml::array* arr = node.as_array();
  if (arr == nullptr) return Error{"not an array"};
  std::vector<std::string> out;
  for (const toml::node& item : *arr) {
    const auto* s = item.as_string();
    if (s == nullptr) return Error{"an item is not a string"};
    out.push_back(s->get());
  }
  return out;
}

// Converts `node` to the text form of Profile::settings, or fails.
Result<std::string> ToText(const toml::node& node, Kind kind) {
  switch (kind) {
    case Kind::kString:
      if (auto* s = node.as_string()) return s->get();
      break;
    case Kind::kDuration:
    case Kind::kSignal:
      if (auto* s = node.as_string()) return s->get();
      if (auto* i = node.as_integer()) return std::to_string(i->get());
      break;
    case Kind::kInteger:
      if (auto* i = node.as_integer()) return std::to_string(i->get());
      break;
    case Kind::kBool:
      if (auto* b = node.as_boolean()) return std::string(b->get() ? "true" : "false");
      break;
    case Kind::kStringList:
      if (auto* s = node.as_string()) return s->get();
      [[fallthrough]];
    case Kind::kStringArray: {
      auto items = StringArray(node);
      if (!items) break;
      std::string joined;
      for (const auto& item : items.value()) joined += (joined.empty() ? "" : ",") + item;
      return joined;
    }
  }
  return Error{std::string("expected ") + KindName(kind)};
}

}  // namespace

Result<Profile> ParseProfile(std::string_view text, const std::string& origin) {
  toml::table root;
  try {
    root = toml::parse(text, origin);
  } catch (const toml::parse_error& err) {
    const auto& src = err.source();
    return Error{origin + ":" + std::to_string(src.begin.line) + ":" + std::to_string(src.begin.column) + ": " +
                 std::string(err.description())};
  }

  Profile profile;
  profile.path = origin;
  for (const auto& [section_key, section_node] : root) {
    const std::string section(section_key.str());
    const SectionSpec* spec = nullptr;
    for (const auto& candidate : Schema()) {
      if (section == candidate.name) spec = &candidate;
    }
    if (spec == nullptr) return Error{Where(section_node, origin) + ": unknown section '" + section + "'"};
    const toml::table* table = section_node.as_table();
    if (table == nullptr) return Error{Where(section_node, origin) + ": '" + section + "' must be a table"};

    for (const auto& [key_name, node] : *table) {
      const std::string key(key_name.str());
      const std::string full = section + "." + key;
      if (section == "runtime" && key == "env") {
        // [runtime.env]: environment for the runtime only.
        const toml::table* env = node.as_table();
        if (env == nullptr) return Error{Where(node, origin) + ": 'runtime.env' must be a table"};
        for (const auto& [var, value] : *env) {
          const auto* s = value.as_string();
          const std::string name(var.str());
          if (s == nullptr) return Error{Where(value, origin) + ": 'runtime.env." + name + "' must be a string"};
          if (name.empty() || name.find('=') != std::string::npos) {
            return Error{Where(value, origin) + ": 'runtime.env': '" + name + "' is not a variable name"};
          }
          profile.runtime_env.emplace_back(name, s->get());
        }
        continue;
      }
      if (section == "config" && key == "env") {
        const toml::table* env = node.as_table();
        if (env == nullptr) return Error{Where(node, origin) + ": 'config.env' must be a table"};
        for (const auto& [var, target] : *env) {
          const auto* s = target.as_string();
          if (s == nullptr || s->get().empty()) {
            return Error{Where(target, origin) + ": 'config.env." + std::string(var.str()) +
                         "' must be a non-empty dotted key string"};
          }
          profile.config.env.emplace_back(std::string(var.str()), s->get());
        }
        continue;
      }
      const KeySpec* key_spec = nullptr;
      for (const auto& candidate : spec->keys) {
        if (key == candidate.key) key_spec = &candidate;
      }
      if (key_spec == nullptr) return Error{Where(node, origin) + ": unknown key '" + full + "'"};
      auto value = ToText(node, key_spec->kind);
      if (!value) return Error{Where(node, origin) + ": '" + full + "': " + value.error().message};

      if (full == "runtime.name") {
        profile.name = value.value();
        profile.config.runtime = profile.name;
      } else if (full == "runtime.command") {
        profile.command = StringArray(node).value();
        if (profile.command.empty()) return Error{Where(node, origin) + ": 'runtime.command' is empty"};
      } else if (full == "runtime.workdir") {
        profile.workdir = value.value();
      } else if (full == "config.default") {
        profile.config.default_file = value.value();
      } else if (full == "config.target") {
        profile.config.target = value.value();
      } else if (full == "config.format") {
        auto format = ParseConfigFormat(value.value());
        if (!format) return Error{Where(node, origin) + ": 'config.format' must be json, toml or yaml"};
        profile.config.format = *format;
      } else if (full == "config.max_bytes") {
        const long long n = node.value<int64_t>().value_or(0);
        if (n <= 0) return Error{Where(node, origin) + ": 'config.max_bytes' must be a positive integer"};
        profile.config.max_bytes = static_cast<size_t>(n);
      } else if (full == "version.command") {
        profile.version_command = StringArray(node).value();
        if (profile.version_command.empty()) return Error{Where(node, origin) + ": 'version.command' is empty"};
      } else if (full == "restart.handoff" || full == "restart.handoff_capabilities") {
        auto& target = full == "restart.handoff" ? profile.handoff : profile.handoff_capabilities;
        target = StringArray(node).value();
        if (target.empty() || target.front().empty()) {
          return Error{Where(node, origin) + ": '" + full + "' must be a non-empty list of strings"};
        }
      } else if (full == "version.regex") {
        profile.version_regex = value.value();
      } else {
        profile.settings[full] = value.value();
      }
    }
  }
  std::sort(profile.config.env.begin(), profile.config.env.end());
  if (!profile.handoff_capabilities.empty() && profile.handoff.empty()) {
    return Error{origin + ": 'restart.handoff_capabilities' needs 'restart.handoff'"};
  }
  return profile;
}

Result<Profile> LoadProfile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error{"cannot read profile " + path};
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return Error{"cannot read profile " + path};
  return ParseProfile(text.str(), path);
}

}  // namespace claw
