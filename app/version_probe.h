// The runtime's version (contract section 6): `claw-init version stamp`
// runs the profile's [version] command at image build time and records the
// result in the stamp file; `claw-init version-probe` prints it (from the
// stamp, else by running the command) as the one and only line on stdout, so
// outer tooling can tag images with it. The health server shows it too.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/duration.h"
#include "app/options.h"
#include "process/privileges.h"
#include "base/result.h"

namespace claw {

// The profile's [version] regex default: the first group is the version.
inline constexpr const char* kDefaultVersionRegex = R"((\d+\.\d+\.\d+(?:-[0-9A-Za-z.]+)?))";

// How long the version command may run before it is killed.
inline constexpr std::chrono::seconds kVersionCommandTimeout(10);

struct VersionStamp {
  std::string runtime;    // profile [runtime] name, else the command's base name
  std::string version;    // "2026.9.6", never with a leading v
  std::string raw;        // the output line the version was found on
  std::string claw_init;  // the claw-init that wrote the stamp
};

struct VersionMatch {
  std::string version;
  std::string line;  // trimmed
};

// Searches `output` line by line for `pattern` (ECMAScript) and returns the
// first match: its first capture group (the whole match if the pattern has
// none), with a leading 'v' or 'V' removed. nullopt when no line matches.
// An invalid pattern is a configuration error. Pure.
Result<std::optional<VersionMatch>> ExtractVersion(std::string_view output, std::string_view pattern);

// The stamp as one JSON object on one line, fixed key order, no timestamps,
// so the same inputs give the same bytes. Pure.
std::string StampJson(const VersionStamp& stamp);

// Parses a stamp file's text; "version" must be a non-empty string. Pure.
Result<VersionStamp> ParseStamp(std::string_view text);

// The runtime's name for stamps and /health: the profile's [runtime] name,
// else the base name of the command, else "". Pure.
std::string RuntimeName(const Options& options);

// Reads the stamp file: nullopt when it does not exist, an Error when it
// exists but cannot be read or parsed.
Result<std::optional<VersionStamp>> ReadVersionStamp(const std::string& path);

// The stamped version for /health, or "" when there is no stamp (a
// malformed one is logged as a warning).
std::string StampedVersion(const std::string& path);

// Writes the stamp atomically: a temporary file beside it, fsync, rename.
Status WriteVersionStamp(const std::string& path, const VersionStamp& stamp);

// Runs the profile's version command (as options.user when set) and
// extracts the version from its stdout (stderr is never searched). Errors carry kConfig for a missing command, a bad
// regex or user, kFailure for a command that fails or prints no version.
Result<VersionStamp> ProbeVersion(const Options& options, const Environment& env,
                                  Duration timeout = kVersionCommandTimeout);

// `claw-init version stamp`: 0, or 1 / 78 with the reason on stderr.
int RunVersionStamp(const Options& options, const Environment& env);

// `claw-init version-probe [--json]`: prints the version (or the stamp
// object with --json) as the only line on stdout; prints nothing and warns
// on stderr when there is none. Always 0.
int RunVersionProbe(const Options& options, const Environment& env);

}  // namespace claw
