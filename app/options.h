// Options: everything claw-init was asked to do, resolved from the command
// line, the CLAW_* environment, the profile and built-in defaults, in that
// order of precedence (contract section 1). Pure: argv and env in, Options or
// an Error out. A bad value from the command line is kUsage (2); the same bad
// value from the environment or the profile is kConfig (78).
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "base/duration.h"
#include "base/environment.h"
#include "base/log.h"
#include "app/profile.h"
#include "base/result.h"
#include "process/backoff.h"

namespace claw {

enum class Mode {
  kRun,           // supervise COMMAND (or the profile's command)
  kHealth,        // claw-init health
  kVersionProbe,  // claw-init version-probe / --version-probe
  kVersionStamp,  // claw-init version stamp
  kConfigRender,  // claw-init config render
  kConfigCheck,   // claw-init config check
  kVersion,       // claw-init --version
  kHelp,          // claw-init --help
};



struct Options {
  Mode mode = Mode::kRun;

  // What to run. From argv after the options, else the profile's command.
  std::vector<std::string> command;

  std::string profile_path;  // empty: no profile
  Profile profile;           // empty when profile_path is empty

  std::optional<std::string> user;  // CLAW_USER spec, unresolved
  std::vector<std::string> caps;    // capability names, upper case, no CAP_ prefix
  std::optional<std::string> workdir;

  RestartPolicy restart = RestartPolicy::kNever;
  BackoffPolicy backoff;

  int stop_signal = 15;  // SIGTERM
  Duration stop_grace = std::chrono::seconds(8);
  Duration stop_delay{0};  // not-ready at once, the stop signal this much later
  // --termination-log: a path, "off", or unset (/dev/termination-log if it exists).
  std::optional<std::string> termination_log;
  bool single_child = false;
  std::map<int, int> rewrite;  // forwarded signal -> signal sent (0: dropped)
  std::set<int> remap_exit;    // child exit codes reported as 0

  std::optional<std::string> health_listen = std::string("127.0.0.1:18700");  // nullopt: off
  std::optional<std::string> health_upstream;
  Duration health_start_grace{0};

  bool redact = false;  // --redact: the runtime's output through the redactor
  LogFormat log_format = LogFormat::kText;
  LogLevel log_level = LogLevel::kInfo;

  std::string version_stamp = "/etc/claw/version.json";

  // Subcommand arguments.
  std::optional<std::string> health_url;  // claw-init health --url
  Duration health_timeout = std::chrono::seconds(3);
  bool json = false;          // version-probe --json
  bool show_secrets = false;  // config render --show-secrets
};


// Resolves argv and env into Options. `load_profile` reads a profile file
// (injected so tests need no files); it is called at most once.
using ProfileLoader = Result<Profile> (*)(const std::string& path);
Result<Options> ParseOptions(const std::vector<std::string>& argv, const Environment& env,
                             ProfileLoader load_profile, bool (*file_exists)(const std::string&));

// The text of --help.
std::string HelpText();

// Names of every CLAW_* variable claw-init reads, for --help and docs.
extern const char* const kEnvProfile;
extern const char* const kEnvUser;
extern const char* const kEnvCaps;
extern const char* const kEnvRestart;
extern const char* const kEnvBackoffInitial;
extern const char* const kEnvBackoffMax;
extern const char* const kEnvBackoffReset;
extern const char* const kEnvMaxRestarts;
extern const char* const kEnvStopSignal;
extern const char* const kEnvStopGrace;
extern const char* const kEnvStopDelay;
extern const char* const kEnvTerminationLog;
extern const char* const kEnvSingleChild;
extern const char* const kEnvRedact;
extern const char* const kEnvHealthListen;
extern const char* const kEnvHealthUpstream;
extern const char* const kEnvHealthStartGrace;
extern const char* const kEnvLogFormat;
extern const char* const kEnvLogLevel;
extern const char* const kEnvVersionStamp;

}  // namespace claw
