#include "patchers/patch_spec.h"

#include <algorithm>
#include <string_view>

namespace claw {

const char* const kEnvConfigMode = "CLAW_CONFIG_MODE";
const char* const kEnvConfigPrefix = "CLAW_CONFIG__";
const char* const kEnvConfigUnsetPrefix = "CLAW_CONFIG_UNSET__";

namespace {

constexpr std::string_view kFileSuffix = "_FILE";

Result<std::vector<std::string>> SplitPath(std::string_view text, std::string_view separator,
                                           const std::string& variable) {
  std::vector<std::string> path;
  size_t start = 0;
  while (true) {
    size_t end = text.find(separator, start);
    std::string_view segment = text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
    if (segment.empty()) {
      return Error{variable + ": empty key segment (a doubled '" + std::string(separator) +
                   "', or one at the start or end)"};
    }
    path.emplace_back(segment);
    if (end == std::string_view::npos) break;
    start = end + separator.size();
  }
  if (path.size() > kMaxPathSegments) {
    return Error{variable + ": key path longer than " + std::to_string(kMaxPathSegments) + " segments"};
  }
  return path;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  return out;
}

// Builds the set operation for `name` (a plain or a *_FILE variable).
Result<PatchOp> MakeSet(const std::string& name, const std::string& value, std::vector<std::string> path,
                        bool from_file, const FileReader& read_file) {
  PatchOp op;
  op.kind = PatchOp::Kind::kSet;
  op.path = std::move(path);
  op.variable = name;
  op.from_file = from_file;
  if (!from_file) {
    op.value = value;
    return op;
  }
  if (value.empty()) return Error{name + ": names no file"};
  auto content = read_file(value);
  if (!content) return Error{name + ": cannot read the file it names: " + content.error().message};
  op.value = std::move(content).value();
  if (op.value.ends_with("\n")) op.value.pop_back();
  if (op.value.ends_with("\r")) op.value.pop_back();
  return op;
}

}  // namespace

std::string JoinPath(const std::vector<std::string>& path) {
  std::string out;
  for (const auto& segment : path) out += (out.empty() ? "" : ".") + segment;
  return out;
}

bool HasConfigVariables(const Environment& env, const ConfigAliases& aliases) {
  for (const auto& [name, value] : env) {
    if (name.starts_with(kEnvConfigPrefix) || name.starts_with(kEnvConfigUnsetPrefix)) return true;
  }
  for (const auto& [alias, key] : aliases) {
    if (env.count(alias) != 0 || env.count(alias + std::string(kFileSuffix)) != 0) return true;
  }
  return false;
}

// Orders paths segment by segment, two numeric segments by their value, so
// CLAW_CONFIG__list__2 comes before CLAW_CONFIG__list__10 and appends by
// index work past ten items. Deterministic, like the plain sort it refines.
bool NaturalPathLess(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  auto numeric = [](const std::string& s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
  };
  for (size_t i = 0; i < a.size() && i < b.size(); ++i) {
    if (a[i] == b[i]) continue;
    if (numeric(a[i]) && numeric(b[i])) {
      std::string_view x = a[i], y = b[i];
      while (x.size() > 1 && x.front() == '0') x.remove_prefix(1);
      while (y.size() > 1 && y.front() == '0') y.remove_prefix(1);
      if (x.size() != y.size()) return x.size() < y.size();
      if (x != y) return x < y;
      return a[i] < b[i];
    }
    return a[i] < b[i];
  }
  return a.size() < b.size();
}

Result<std::vector<PatchOp>> PatchOpsFromEnvironment(const Environment& env, const ConfigAliases& aliases,
                                                     const FileReader& read_file) {
  std::vector<PatchOp> ops;

  // Profile aliases first, sorted by variable name so the order never depends
  // on how the profile was written.
  ConfigAliases sorted_aliases = aliases;
  std::sort(sorted_aliases.begin(), sorted_aliases.end());
  for (const auto& [alias, key] : sorted_aliases) {
    const std::string file_name = alias + std::string(kFileSuffix);
    auto plain = env.find(alias);
    auto file = env.find(file_name);
    if (plain == env.end() && file == env.end()) continue;
    if (plain != env.end() && file != env.end()) {
      return Error{"both " + alias + " and " + file_name + " are set; use one"};
    }
    auto path = SplitPath(key, ".", "profile config.env." + alias);
    if (!path) return path.error();
    const bool from_file = plain == env.end();
    auto op = from_file ? MakeSet(file_name, file->second, std::move(path).value(), true, read_file)
                        : MakeSet(alias, plain->second, std::move(path).value(), false, read_file);
    if (!op) return op.error();
    ops.push_back(std::move(op).value());
  }

  const size_t alias_count = ops.size();
  std::vector<PatchOp> unsets;
  const std::string_view config_prefix = kEnvConfigPrefix;
  const std::string_view unset_prefix = kEnvConfigUnsetPrefix;
  for (const auto& [name, value] : env) {  // std::map: sorted by name
    if (!name.starts_with("CLAW_CONFIG_") || name == kEnvConfigMode) continue;
    if (name.starts_with(config_prefix)) {
      std::string_view rest = std::string_view(name).substr(config_prefix.size());
      const bool from_file = rest.ends_with(kFileSuffix);
      if (from_file) {
        rest.remove_suffix(kFileSuffix.size());
        const std::string plain_name = name.substr(0, name.size() - kFileSuffix.size());
        if (env.count(plain_name) != 0) return Error{"both " + plain_name + " and " + name + " are set; use one"};
      }
      auto path = SplitPath(rest, "__", name);
      if (!path) return path.error();
      auto op = MakeSet(name, value, std::move(path).value(), from_file, read_file);
      if (!op) return op.error();
      ops.push_back(std::move(op).value());
    } else if (name.starts_with(unset_prefix)) {
      auto path = SplitPath(std::string_view(name).substr(unset_prefix.size()), "__", name);
      if (!path) return path.error();
      const std::string flag = Lower(value);
      if (flag == "0" || flag == "false" || flag == "no" || flag.empty()) continue;
      if (flag != "1" && flag != "true" && flag != "yes") {
        return Error{name + ": must be 1, true or yes (or 0, false, no to ignore it)"};
      }
      PatchOp op;
      op.kind = PatchOp::Kind::kUnset;
      op.path = std::move(path).value();
      op.variable = name;
      unsets.push_back(std::move(op));
    } else {
      // A typo such as CLAW_CONFIG_gateway__port would otherwise be ignored
      // without a word.
      return Error{name + ": unknown variable; keys are set with " + std::string(kEnvConfigPrefix) +
                   "a__b, removed with " + std::string(kEnvConfigUnsetPrefix) + "a__b"};
    }
  }
  // Sets in natural key order (after the aliases); unsets last, highest
  // array index first so removing one item does not shift the next.
  std::stable_sort(ops.begin() + static_cast<std::ptrdiff_t>(alias_count), ops.end(),
                   [](const PatchOp& a, const PatchOp& b) { return NaturalPathLess(a.path, b.path); });
  std::stable_sort(unsets.begin(), unsets.end(),
                   [](const PatchOp& a, const PatchOp& b) { return NaturalPathLess(b.path, a.path); });
  ops.insert(ops.end(), std::make_move_iterator(unsets.begin()), std::make_move_iterator(unsets.end()));
  return ops;
}

}  // namespace claw
