#include "app/option_values.h"

#include <sys/capability.h>

#include <algorithm>
#include <cctype>
#include <charconv>

namespace claw {

Result<long long> ParseNumber(std::string_view text, long long min, long long max) {
  long long value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || ptr != text.data() + text.size() || value < min || value > max) {
    return Error{"invalid number '" + std::string(text) + "' (expected " + std::to_string(min) + " to " +
                     std::to_string(max) + ")",
                 ExitCode::kUsage};
  }
  return value;
}

Result<bool> ParseBool(std::string_view text) {
  std::string lower(text);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower == "1" || lower == "true" || lower == "yes" || lower == "on") return true;
  if (lower == "0" || lower == "false" || lower == "no" || lower == "off" || lower.empty()) return false;
  return Error{"invalid boolean '" + std::string(text) + "' (use 1/0, true/false, yes/no)", ExitCode::kUsage};
}

Result<std::vector<std::string>> ParseCaps(std::string_view text) {
  std::vector<std::string> caps;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find_first_of(", ", start);
    if (end == std::string_view::npos) end = text.size();
    std::string name(text.substr(start, end - start));
    start = end + 1;
    if (name.empty()) continue;
    for (char& c : name) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (name.rfind("CAP_", 0) == 0) name.erase(0, 4);
    std::string lookup = "cap_" + name;
    for (char& c : lookup) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    cap_value_t value;
    if (cap_from_name(lookup.c_str(), &value) != 0) {
      return Error{"unknown capability '" + name + "'", ExitCode::kUsage};
    }
    if (std::find(caps.begin(), caps.end(), name) == caps.end()) caps.push_back(name);
  }
  return caps;
}

}  // namespace claw
