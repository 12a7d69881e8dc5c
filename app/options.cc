#include "app/options.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <functional>

#include "app/option_settings.h"
#include "app/option_values.h"
#include "base/log.h"
#include "base/net_address.h"
#include "base/signal_names.h"

namespace claw {

const char* const kEnvProfile = "CLAW_PROFILE";
const char* const kEnvUser = "CLAW_USER";
const char* const kEnvCaps = "CLAW_CAPS";
const char* const kEnvRestart = "CLAW_RESTART";
const char* const kEnvBackoffInitial = "CLAW_BACKOFF_INITIAL";
const char* const kEnvBackoffMax = "CLAW_BACKOFF_MAX";
const char* const kEnvBackoffReset = "CLAW_BACKOFF_RESET";
const char* const kEnvMaxRestarts = "CLAW_MAX_RESTARTS";
const char* const kEnvStopSignal = "CLAW_STOP_SIGNAL";
const char* const kEnvStopGrace = "CLAW_STOP_GRACE";
const char* const kEnvStopDelay = "CLAW_STOP_DELAY";
const char* const kEnvTerminationLog = "CLAW_TERMINATION_LOG";
const char* const kEnvSingleChild = "CLAW_SINGLE_CHILD";
const char* const kEnvRedact = "CLAW_REDACT";
const char* const kEnvHealthListen = "CLAW_HEALTH_LISTEN";
const char* const kEnvHealthUpstream = "CLAW_HEALTH_UPSTREAM";
const char* const kEnvHealthStartGrace = "CLAW_HEALTH_START_GRACE";
const char* const kEnvLogFormat = "CLAW_LOG_FORMAT";
const char* const kEnvLogLevel = "CLAW_LOG_LEVEL";
const char* const kEnvVersionStamp = "CLAW_VERSION_STAMP";

namespace {

const char* const kDefaultProfile = "/etc/claw/profile.toml";

Error Usage(const std::string& message) { return Error{message, ExitCode::kUsage}; }

// What the command line said, before env and profile are consulted.
struct CommandLine {
  Mode mode = Mode::kRun;
  std::optional<std::string> profile;
  std::map<std::string, std::string> values;  // option -> last value given
  std::map<int, int> rewrite;
  std::set<int> remap_exit;
  std::vector<std::string> command;
  bool dashdash = false;
  std::optional<std::string> health_url;
  std::optional<std::string> health_timeout;
  bool json = false;
  bool show_secrets = false;
};

Status ParseRewrite(std::string_view v, std::map<int, int>& out) {
  size_t colon = v.find(':');
  if (colon == std::string_view::npos) return Usage("--rewrite: expected S:T, got '" + std::string(v) + "'");
  auto from = ParseSignal(v.substr(0, colon));
  if (!from) return Usage("--rewrite: " + from.error().message);
  if (!IsForwardable(from.value())) {
    return Usage("--rewrite: signal " + SignalName(from.value()) + " is never forwarded, so it cannot be rewritten");
  }
  auto to = ParseSignal(v.substr(colon + 1), /*allow_zero=*/true);
  if (!to) return Usage("--rewrite: " + to.error().message);
  out[from.value()] = to.value();
  return Ok{};
}

Result<CommandLine> ParseCommandLine(const std::vector<std::string>& argv) {
  CommandLine cli;
  size_t i = 1;
  bool subcommand_seen = false;
  auto take_value = [&](const std::string& arg, const std::string& name,
                        std::optional<std::string> inline_value) -> Result<std::string> {
    if (inline_value) return *inline_value;
    if (i + 1 >= argv.size()) return Usage("option " + name + " needs a value");
    (void)arg;
    return argv[++i];
  };

  for (; i < argv.size(); ++i) {
    const std::string& arg = argv[i];
    if (arg == "--") {
      cli.dashdash = true;
      ++i;
      break;
    }
    if (arg.size() < 2 || arg[0] != '-') {
      // A positional argument: a subcommand (first one only), else the command.
      if (!subcommand_seen && cli.mode == Mode::kRun) {
        if (arg == "health") {
          cli.mode = Mode::kHealth;
          subcommand_seen = true;
          continue;
        }
        if (arg == "version-probe") {
          cli.mode = Mode::kVersionProbe;
          subcommand_seen = true;
          continue;
        }
        if (arg == "version") {
          if (i + 1 < argv.size() && argv[i + 1] == "stamp") {
            cli.mode = Mode::kVersionStamp;
            subcommand_seen = true;
            ++i;
            continue;
          }
          return Usage("unknown subcommand 'version' (did you mean 'version stamp' or 'version-probe'?)");
        }
        if (arg == "config") {
          if (i + 1 < argv.size() && argv[i + 1] == "render") {
            cli.mode = Mode::kConfigRender;
          } else if (i + 1 < argv.size() && argv[i + 1] == "check") {
            cli.mode = Mode::kConfigCheck;
          } else {
            return Usage("'config' needs 'render' or 'check'");
          }
          subcommand_seen = true;
          ++i;
          continue;
        }
      }
      if (subcommand_seen) return Usage("unexpected argument '" + arg + "'");
      break;  // start of COMMAND
    }

    std::string name = arg;
    std::optional<std::string> inline_value;
    if (arg.rfind("--", 0) == 0) {
      size_t eq = arg.find('=');
      if (eq != std::string::npos) {
        name = arg.substr(0, eq);
        inline_value = arg.substr(eq + 1);
      }
    } else if (arg.size() > 2) {  // -r15:2, -e3
      name = arg.substr(0, 2);
      inline_value = arg.substr(2);
    }

    if (name == "-h" || name == "--help") {
      cli.mode = Mode::kHelp;
      return cli;
    }
    if (name == "--version" && !inline_value) {
      cli.mode = Mode::kVersion;
      return cli;
    }
    if (name == "--version-probe" && !inline_value) {
      if (subcommand_seen) return Usage("--version-probe is not an option of this subcommand");
      cli.mode = Mode::kVersionProbe;
      subcommand_seen = true;
      continue;
    }
    if (name == "--json" && cli.mode == Mode::kVersionProbe && !inline_value) {
      cli.json = true;
      continue;
    }
    if (name == "--show-secrets" && cli.mode == Mode::kConfigRender && !inline_value) {
      cli.show_secrets = true;
      continue;
    }
    if ((name == "--url" || name == "--timeout") && cli.mode == Mode::kHealth) {
      auto v = take_value(arg, name, inline_value);
      if (!v) return v.error();
      (name == "--url" ? cli.health_url : cli.health_timeout) = v.value();
      continue;
    }
    if (name == "--single-child" || name == "--redact") {
      if (inline_value) {
        cli.values[name] = *inline_value;
      } else {
        cli.values[name] = "1";
      }
      continue;
    }
    if (name == "--profile") {
      auto v = take_value(arg, name, inline_value);
      if (!v) return v.error();
      if (v.value().empty()) return Usage("--profile: empty path");
      cli.profile = v.value();
      continue;
    }
    if (name == "-r" || name == "--rewrite") {
      auto v = take_value(arg, name, inline_value);
      if (!v) return v.error();
      if (auto st = ParseRewrite(v.value(), cli.rewrite); !st) return st.error();
      continue;
    }
    if (name == "-e" || name == "--remap-exit") {
      auto v = take_value(arg, name, inline_value);
      if (!v) return v.error();
      auto n = ParseNumber(v.value(), 0, 255);
      if (!n) return Usage("--remap-exit: " + n.error().message);
      cli.remap_exit.insert(static_cast<int>(n.value()));
      continue;
    }
    if (FindSetting(name) != nullptr) {
      auto v = take_value(arg, name, inline_value);
      if (!v) return v.error();
      cli.values[name] = v.value();
      continue;
    }
    return Usage("unknown option '" + name + "' (see --help)");
  }
  for (; i < argv.size(); ++i) cli.command.push_back(argv[i]);
  if (cli.mode != Mode::kRun && !cli.command.empty()) {
    return Usage("unexpected argument '" + cli.command.front() + "'");
  }
  return cli;
}

}  // namespace

Result<Options> ParseOptions(const std::vector<std::string>& argv, const Environment& env,
                             ProfileLoader load_profile, bool (*file_exists)(const std::string&)) {
  auto parsed = ParseCommandLine(argv);
  if (!parsed) return parsed.error();
  CommandLine& cli = parsed.value();

  Options options;
  options.mode = cli.mode;
  if (cli.mode == Mode::kHelp || cli.mode == Mode::kVersion) return options;

  // The profile: --profile, CLAW_PROFILE, or the default path if it exists.
  auto env_value = [&](const char* name) -> const std::string* {
    auto it = env.find(name);
    return it == env.end() ? nullptr : &it->second;
  };
  if (cli.profile) {
    options.profile_path = *cli.profile;
    if (!file_exists(options.profile_path)) return Usage("--profile: no such file " + options.profile_path);
  } else if (const std::string* p = env_value(kEnvProfile); p != nullptr && !p->empty()) {
    options.profile_path = *p;
    if (!file_exists(options.profile_path)) {
      return Error{std::string(kEnvProfile) + ": no such file " + options.profile_path, ExitCode::kConfig};
    }
  } else if (file_exists(kDefaultProfile)) {
    options.profile_path = kDefaultProfile;
  }
  if (!options.profile_path.empty()) {
    auto profile = load_profile(options.profile_path);
    if (!profile) return Error{profile.error().message, ExitCode::kConfig};
    options.profile = std::move(profile).value();
  }
  const Profile& profile = options.profile;

  // Each setting: command line, else environment, else profile, else default.
  for (const Setting& s : Settings()) {
    if (auto it = cli.values.find(s.option); it != cli.values.end()) {
      if (auto st = s.apply(it->second, options); !st) {
        return Error{std::string(s.option) + ": " + st.error().message, ExitCode::kUsage};
      }
    } else if (const std::string* v = env_value(s.env); v != nullptr && !v->empty()) {
      // An empty variable counts as unset (Compose's `${VAR:-}` and bare
      // `- VAR` entries), so the profile or the default applies.
      if (auto st = s.apply(*v, options); !st) {
        return Error{std::string(s.env) + ": " + st.error().message, ExitCode::kConfig};
      }
    } else if (const std::string* pv = s.profile_key ? profile.Setting(s.profile_key) : nullptr) {
      if (auto st = s.apply(*pv, options); !st) {
        return Error{profile.path + ": " + s.profile_key + ": " + st.error().message, ExitCode::kConfig};
      }
    }
  }
  if (options.backoff.max < options.backoff.initial) options.backoff.max = options.backoff.initial;

  options.rewrite = std::move(cli.rewrite);
  options.remap_exit = std::move(cli.remap_exit);
  options.workdir = profile.workdir;
  options.json = cli.json;
  options.show_secrets = cli.show_secrets;
  if (cli.health_url) {
    auto url = ParseUpstreamUrl(*cli.health_url);
    if (!url || url.value().scheme != UpstreamUrl::Scheme::kHttp) {
      return Usage("--url: expected http://HOST:PORT/PATH, got '" + *cli.health_url + "'");
    }
    options.health_url = *cli.health_url;
  }
  if (cli.health_timeout) {
    auto d = ParseDuration(*cli.health_timeout);
    if (!d) return Usage("--timeout: " + d.error().message);
    if (d.value().count() == 0) return Usage("--timeout: must be above zero");
    options.health_timeout = d.value();
  }

  options.command = cli.command.empty() ? profile.command : cli.command;
  if (options.mode == Mode::kRun && options.command.empty()) {
    if (cli.dashdash) return Usage("no command after '--'");
    return Usage("no command given and no profile command (usage: claw-init [OPTIONS] [--] COMMAND [ARG...])");
  }
  if (options.mode == Mode::kRun && options.command.front().empty()) return Usage("empty command name");
  return options;
}

}  // namespace claw
