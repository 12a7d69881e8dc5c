// Thin: argv + env -> Options -> the chosen mode -> exit code. The only
// place that calls exit() (by returning from main).
//
// Run mode (app/run_command.cc), in order: block signals (before any thread exists, so every
// thread inherits the mask), become a subreaper unless PID 1, resolve the
// runtime user, patch the runtime's config, start the health server, move to
// /, then hand over to the supervisor's event loop. Every step before the first
// spawn is fatal on error (78 for configuration); after it, the supervisor
// logs and carries on.
#include <malloc.h>
#include <unistd.h>

#include <cstdio>
#include <string>
#include <vector>

#include "claw_version.h"
#include "base/log.h"
#include "app/options.h"
#include "app/run_command.h"
#include "app/version_probe.h"
#include "app/config_command.h"
#include "app/health_command.h"

extern char** environ;

namespace claw {
namespace {

Environment ReadEnvironment() {
  Environment env;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string entry(*e);
    size_t eq = entry.find('=');
    if (eq != std::string::npos) env.emplace(entry.substr(0, eq), entry.substr(eq + 1));
  }
  return env;
}

bool FileExists(const std::string& path) { return access(path.c_str(), F_OK) == 0; }

int Fail(const Error& error) {
  LogError(error.message);
  return ToInt(error.code);
}

int Main(int argc, char** argv) {
  const Environment env = ReadEnvironment();
  auto parsed = ParseOptions(std::vector<std::string>(argv, argv + argc), env, LoadProfile, FileExists);
  if (!parsed) return Fail(parsed.error());
  const Options& options = parsed.value();
  InitLogging(options.log_format, options.log_level);

  switch (options.mode) {
    case Mode::kHelp:
      std::fputs(HelpText().c_str(), stdout);
      return 0;
    case Mode::kVersion:
      std::printf("claw-init %s\n", CLAW_INIT_VERSION_FULL);
      return 0;
    case Mode::kRun:
      return RunSupervised(options, env);
    case Mode::kHealth:
      return RunHealthCommand(options);
    case Mode::kVersionProbe:
      return RunVersionProbe(options, env);
    case Mode::kVersionStamp:
      return RunVersionStamp(options, env);
    case Mode::kConfigRender:
      return RunConfigRender(options, env);
    case Mode::kConfigCheck:
      return RunConfigCheck(options, env);
  }
  // Every Mode is handled above (-Wswitch says so when one is added); a value
  // outside the enum is an internal error.
  return ToInt(ExitCode::kFailure);
}

}  // namespace
}  // namespace claw

int main(int argc, char** argv) {
  // One malloc arena for every thread: the health threads allocate little,
  // and a second arena costs a 64 MiB reservation, its page faults and an
  // munmap at exit, which show in the start-up time and the RSS.
  mallopt(M_ARENA_MAX, 1);
  return claw::Main(argc, argv);
}
