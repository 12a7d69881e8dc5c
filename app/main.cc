// Thin: argv + env -> Options -> the chosen mode -> exit code. The only
// place that calls exit() (by returning from main).
//
// Run mode, in order: block signals (before any thread exists, so every
// thread inherits the mask), become a subreaper unless PID 1, resolve the
// runtime user, patch the runtime's config, start the health server, move to
// /, then hand over to the supervisor's event loop. Every step before the first
// spawn is fatal on error (78 for configuration); after it, the supervisor
// logs and carries on.
#include <malloc.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <cstdio>
#include <string>
#include <vector>

#include "claw_version.h"
#include "base/log.h"
#include "app/options.h"
#include "process/output_pump.h"
#include "process/privileges.h"
#include "process/redact_secrets.h"
#include "process/signals.h"
#include "process/spawn.h"
#include "process/supervisor.h"
#include "app/service_notify.h"
#include "app/version_probe.h"
#include "base/termination_log.h"
#include "app/config_command.h"
#include "app/health_command.h"
#include "health/health_server.h"
#include "patchers/config_patch.h"

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

SupervisorConfig SupervisorConfigFrom(const Options& options) {
  SupervisorConfig config;
  config.restart = options.restart;
  config.backoff = options.backoff;
  config.stop_signal = options.stop_signal;
  config.stop_grace = options.stop_grace;
  config.stop_delay = options.stop_delay;
  config.single_child = options.single_child;
  config.rewrite = options.rewrite;
  config.remap_exit = options.remap_exit;
  config.pid1 = getpid() == 1;
  return config;
}

// The secrets of contract section 7 and the pump that hides them. Without
// a secret there is nothing to hide: the runtime keeps its own stdout and
// stderr (null pump), and the log says so.
Result<std::unique_ptr<OutputPump>> StartRedaction(const Environment& env, const NamedValues& aliases,
                                                   const NamedValues& file_values) {
  SecretSelection selection = SelectSecrets(env, aliases, file_values);
  for (const std::string& warning : selection.warnings) LogWarn("redact: " + warning);
  if (selection.secrets.empty()) {
    LogInfo("redact: no secret values known; the runtime's output is passed on untouched");
    return std::unique_ptr<OutputPump>();
  }
  const size_t count = selection.secrets.size();
  auto pump = OutputPump::Create(std::move(selection.secrets));
  if (!pump) return Error{pump.error().message, ExitCode::kFailure}.Prefixed("redact");
  LogInfo("redact: the runtime's stdout and stderr pass through claw-init; " + std::to_string(count) +
          " secret value" + (count == 1 ? "" : "s") + " replaced by [REDACTED]");
  return pump;
}

int RunSupervised(const Options& options, const Environment& env) {
  // 1. Signals first: threads started later inherit this mask.
  auto signals = BlockSignals();
  if (!signals) return Fail(signals.error());
  if (getpid() != 1) prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);

  auto termination_log = ResolveTerminationLog(options.termination_log);
  if (!termination_log) return Fail(termination_log.error().Prefixed("--termination-log"));

  // 2. Who the runtime runs as, and where.
  auto creds = ResolveCredentials(UserRequest{options.user, options.caps});
  if (!creds) return Fail(creds.error().Prefixed("user"));
  if (auto st = PrepareWorkdir(creds.value(), options.workdir); !st) return Fail(st.error());

  // 3. The runtime's config, patched from the environment (written as the
  //    runtime user's file), before anything starts.
  FileSpec owner;
  if (creds.value().drop) {
    owner.uid = creds.value().uid;
    owner.gid = creds.value().gid;
  }
  std::vector<std::pair<std::string, std::string>> file_values;
  if (auto st = PrepareConfig(options.profile.config, env, owner, creds.value().name, &file_values); !st) {
    return Fail(Error{st.error().message, ExitCode::kConfig});
  }
  // Patching a large config leaves megabytes of freed heap behind: give it
  // back now, or every fork copies its page tables and it stays in our RSS.
  malloc_trim(0);

  // 4. What runs.
  SpawnPlan plan;
  auto path = ResolveCommand(options.command.front(), env);
  if (!path) return Fail(path.error());
  plan.path = path.value();
  plan.argv = options.command;
  plan.envp = ChildEnvironment(env, creds.value());
  plan.workdir = options.workdir;
  plan.credentials = creds.value();
  plan.child_mask = signals.value().original_mask;
  plan.interactive = isatty(STDIN_FILENO) == 1;

  // 5. The health server, served from the loop itself (its upstream workers,
  //    if any, inherit the blocked mask), then the loop, which publishes
  //    every change to it.
  auto health = StartHealthServer(options, RuntimeName(options), StampedVersion(options.version_stamp));
  // 6. Last, as every step above may read paths relative to it: claw-init
  //    moves to / so it does not hold the start directory's mount busy;
  //    every run of the runtime still starts there (or in its workdir).
  plan.start_dir = LeaveStartDirectory();
  SystemOps ops(signals.value().fd.get());
  // 5b. --redact: the runtime's output through the pump, on the same loop.
  std::unique_ptr<OutputPump> pump;
  if (options.redact) {
    auto made = StartRedaction(env, options.profile.config.env, file_values);
    if (!made) return Fail(made.error());
    pump = std::move(made).value();
  }
  HealthServer* server = health.get();
  std::vector<LoopSource> sources;
  sources.push_back(LoopSource{server->LoopFd(), POLLIN,
                               [server](std::chrono::steady_clock::time_point now) { return server->LoopTimeoutMs(now); },
                               [server] { return server->LoopDispatch(); }});
  std::optional<ServiceNotify> notify = ServiceNotify::FromEnvironment(env, [server] { return server->Passing(); });
  if (notify) {
    sources.push_back(LoopSource{-1, 0,
                                 [&notify](std::chrono::steady_clock::time_point now) { return notify->TimeoutMs(now); },
                                 [&notify] {
                                   notify->Wake(std::chrono::steady_clock::now());
                                   return true;
                                 }});
  }
  if (pump) {
    OutputPump* p = pump.get();
    sources.push_back(LoopSource{p->fd(), POLLIN, nullptr, [p] {
                                   p->Dispatch();
                                   return true;
                                 }});
  }
  Supervisor supervisor(SupervisorConfigFrom(options), std::move(plan), ops,
                        [server, &notify](const SupervisorSnapshot& snapshot) {
                          server->Publish(snapshot);
                          if (notify) notify->OnSnapshot(snapshot);
                        },
                        std::move(sources));
  if (pump) supervisor.SetRunOutput([p = pump.get()] { return p->NewRun(); });
  int status = supervisor.Run();
  if (pump) pump->Drain();
  health->Stop();
  // 7. Why it ended, for Kubernetes' terminationMessagePath and the like.
  if (termination_log.value() && !supervisor.final_reason().empty()) {
    if (auto warning = WriteTerminationLog(*termination_log.value(), FormatTerminationMessage(supervisor.final_reason()))) {
      LogWarn("termination log: " + *warning);
    }
  }
  return status;
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
