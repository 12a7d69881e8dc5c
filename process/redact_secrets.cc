#include "process/redact_secrets.h"

#include <algorithm>
#include <map>
#include <string_view>

namespace claw {

const char* const kEnvRedactEnv = "CLAW_REDACT_ENV";

namespace {

constexpr std::string_view kConfigPrefix = "CLAW_CONFIG__";

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// What comes after the last `separator` (all of `s` without one).
std::string_view LastSegment(std::string_view s, std::string_view separator) {
  const size_t at = s.rfind(separator);
  return at == std::string_view::npos ? s : s.substr(at + separator.size());
}

bool NameLooksSecret(std::string_view name) {
  const std::string upper = Upper(name);
  for (std::string_view suffix : {"_TOKEN", "_SECRET", "_PASSWORD", "_API_KEY", "_KEY"}) {
    if (upper.ends_with(suffix)) return true;
  }
  return false;
}

}  // namespace

bool SegmentLooksSecret(std::string_view segment) {
  const std::string upper = Upper(segment);
  for (std::string_view word : {"TOKEN", "SECRET", "PASSWORD", "PASSWD", "APIKEY", "API_KEY", "KEY"}) {
    if (upper.find(word) != std::string::npos) return true;
  }
  return false;
}

SecretSelection SelectSecrets(const Environment& env, const NamedValues& aliases, const NamedValues& file_values) {
  // Variable -> value, so that a variable that several rules pick is
  // counted (and warned about) once, in name order.
  std::map<std::string, std::string> chosen;
  std::vector<std::string> warnings;
  auto choose_variable = [&](const std::string& name) {
    auto it = env.find(name);
    if (it != env.end()) chosen.emplace(name, it->second);
  };

  for (const auto& [name, value] : file_values) chosen.emplace(name, value);
  for (const auto& [name, value] : env) {
    std::string_view rest(name);
    if (rest.substr(0, kConfigPrefix.size()) == kConfigPrefix) {
      rest.remove_prefix(kConfigPrefix.size());
      // A *_FILE variable's value is a path; its content is in file_values.
      if (!rest.ends_with("_FILE") && SegmentLooksSecret(LastSegment(rest, "__"))) choose_variable(name);
    }
    if (NameLooksSecret(name)) choose_variable(name);
  }
  for (const auto& [alias, key] : aliases) {
    if (SegmentLooksSecret(LastSegment(key, "."))) choose_variable(alias);
  }
  if (auto list = env.find(kEnvRedactEnv); list != env.end()) {
    std::string_view names = list->second;
    while (!names.empty()) {
      const size_t comma = names.find(',');
      const std::string name(Trim(names.substr(0, comma)));
      names = comma == std::string_view::npos ? std::string_view() : names.substr(comma + 1);
      if (name.empty()) continue;
      if (env.count(name) == 0) {
        warnings.push_back(std::string("redact: ") + kEnvRedactEnv + " names " + name + ", which is not set");
      }
      choose_variable(name);
    }
  }

  SecretSelection selection;
  selection.warnings = std::move(warnings);
  for (const auto& [name, value] : chosen) {
    if (value.empty()) continue;
    if (value.size() < kMinSecretBytes) {
      selection.warnings.push_back("redact: the value of " + name + " is shorter than " +
                                   std::to_string(kMinSecretBytes) + " bytes and is not redacted");
      continue;
    }
    if (std::find(selection.secrets.begin(), selection.secrets.end(), value) == selection.secrets.end()) {
      selection.secrets.push_back(value);
    }
  }
  return selection;
}

}  // namespace claw
