// `claw-init [options] -- COMMAND`: the run mode, step by step (see
// main.cc for the order and why).
#include "app/run_command.h"

#include <malloc.h>
#include <poll.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "app/health_command.h"
#include "app/option_values.h"
#include "app/service_notify.h"
#include "app/version_probe.h"
#include "base/log.h"
#include "base/termination_log.h"
#include "health/health_server.h"
#include "patchers/config_patch.h"
#include "process/output_pump.h"
#include "process/privileges.h"
#include "process/redact_secrets.h"
#include "process/signals.h"
#include "process/spawn.h"
#include "process/supervisor.h"

namespace claw {
namespace {

int Fail(const Error& error) {
  LogError(error.message);
  return ToInt(error.code);
}

// [restart] handoff and handoff_capabilities, their programs found in the
// runtime's PATH now, so that a missing one is a configuration error.
Result<std::optional<HandoffConfig>> HandoffFrom(const Options& options, const Environment& runtime_env) {
  const Profile& profile = options.profile;
  if (profile.handoff.empty()) return std::optional<HandoffConfig>();
  HandoffConfig handoff;
  handoff.consume = profile.handoff;
  handoff.capabilities = profile.handoff_capabilities;
  auto consume = ResolveCommand(handoff.consume.front(), runtime_env);
  if (!consume) return Error{consume.error().message, ExitCode::kConfig}.Prefixed("restart.handoff");
  handoff.consume_path = consume.value();
  if (!handoff.capabilities.empty()) {
    auto caps = ResolveCommand(handoff.capabilities.front(), runtime_env);
    if (!caps) return Error{caps.error().message, ExitCode::kConfig}.Prefixed("restart.handoff_capabilities");
    handoff.capabilities_path = caps.value();
  }
  if (const std::string* timeout = profile.Setting("restart.handoff_timeout")) {
    auto d = ParseDuration(*timeout);
    if (!d || d.value().count() <= 0) {
      return Error{"restart.handoff_timeout: not a positive duration: " + *timeout, ExitCode::kConfig};
    }
    handoff.timeout = d.value();
  }
  return std::optional<HandoffConfig>(std::move(handoff));
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
  for (const std::string& warning : selection.warnings) LogWarn(warning);
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

}  // namespace

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

  // 4. What runs, with the profile's [runtime.env] under the process
  //    environment (which wins).
  Environment runtime_env = env;
  for (const auto& [name, value] : options.profile.runtime_env) runtime_env.emplace(name, value);
  SpawnPlan plan;
  auto path = ResolveCommand(options.command.front(), runtime_env);
  if (!path) return Fail(path.error());
  plan.path = path.value();
  plan.argv = options.command;
  plan.envp = ChildEnvironment(runtime_env, creds.value());
  auto handoff = HandoffFrom(options, runtime_env);
  if (!handoff) return Fail(handoff.error());
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
    auto made = StartRedaction(runtime_env, options.profile.config.env, file_values);
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
  SupervisorConfig supervisor_config = SupervisorConfigFrom(options);
  supervisor_config.handoff = std::move(handoff).value();
  Supervisor supervisor(std::move(supervisor_config), std::move(plan), ops,
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

}  // namespace claw
