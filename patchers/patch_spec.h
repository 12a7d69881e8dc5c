// From the environment to an ordered list of patch operations (contract
// section 3). Pure: files named by *_FILE variables are read through an
// injected reader, so tests need no files and the fuzzer none either.
//
//   CLAW_CONFIG__a__b=V          set a.b to V
//   CLAW_CONFIG__a__b_FILE=/p    set a.b to the content of /p, one trailing
//                                newline removed (Docker secrets)
//   CLAW_CONFIG_UNSET__a__b=1    remove a.b (0, false, no or empty: ignored)
//   ALIAS=V / ALIAS_FILE=/p      profile [config.env] ALIAS = "a.b"
//
// Order: profile aliases (by variable name), then CLAW_CONFIG__* sorted by
// variable name, then unsets. A later operation on the same key wins.
#pragma once

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "base/environment.h"
#include "base/result.h"

namespace claw {

extern const char* const kEnvConfigMode;         // CLAW_CONFIG_MODE
extern const char* const kEnvConfigPrefix;       // CLAW_CONFIG__
extern const char* const kEnvConfigUnsetPrefix;  // CLAW_CONFIG_UNSET__

// Longest key path accepted, in segments.
inline constexpr size_t kMaxPathSegments = 64;

struct PatchOp {
  enum class Kind { kSet, kUnset };
  Kind kind = Kind::kSet;
  std::vector<std::string> path;  // segments, case-sensitive, never empty
  std::string value;              // kSet: the raw value
  std::string variable;           // the variable it came from (for logs and errors)
  bool from_file = false;         // the value came from a *_FILE variable: a secret

  bool operator==(const PatchOp&) const = default;
};

// Reads the file a *_FILE variable names. Its error message must not repeat
// the path (it is the variable's value).
using FileReader = std::function<Result<std::string>(const std::string& path)>;

// Profile [config.env]: alias variable -> dotted key.
using ConfigAliases = std::vector<std::pair<std::string, std::string>>;

// Path order of the CLAW_CONFIG__* sets: segment by segment, numeric
// segments by value ("2" before "10"). Pure.
bool NaturalPathLess(const std::vector<std::string>& a, const std::vector<std::string>& b);

Result<std::vector<PatchOp>> PatchOpsFromEnvironment(const Environment& env, const ConfigAliases& aliases,
                                                     const FileReader& read_file);

// True when some variable would produce an operation (before reading files).
bool HasConfigVariables(const Environment& env, const ConfigAliases& aliases);

// "gateway.auth.token".
std::string JoinPath(const std::vector<std::string>& path);

}  // namespace claw
