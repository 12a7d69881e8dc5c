#include "app/options.h"

#include <doctest/doctest.h>

namespace claw {
namespace {

// A fake file system of one optional profile.
std::string g_profile_text;
bool g_profile_exists = false;

Result<Profile> FakeLoad(const std::string& path) { return ParseProfile(g_profile_text, path); }
bool FakeExists(const std::string&) { return g_profile_exists; }

Result<Options> Parse(std::vector<std::string> args, Environment env = {}, const char* profile = nullptr) {
  g_profile_exists = profile != nullptr;
  g_profile_text = profile ? profile : "";
  args.insert(args.begin(), "claw-init");
  return ParseOptions(args, env, FakeLoad, FakeExists);
}

}  // namespace

TEST_CASE("defaults") {
  auto o = Parse({"sleep", "1"});
  REQUIRE(o);
  CHECK(o.value().mode == Mode::kRun);
  CHECK(o.value().command == std::vector<std::string>{"sleep", "1"});
  CHECK(o.value().restart == RestartPolicy::kNever);
  CHECK(o.value().stop_signal == 15);
  CHECK(o.value().stop_grace.count() == 8000);
  CHECK(o.value().backoff.initial.count() == 1000);
  CHECK(o.value().backoff.max.count() == 30000);
  CHECK(o.value().backoff.reset.count() == 60000);
  CHECK(o.value().backoff.max_restarts == 10);
  CHECK(o.value().health_listen == std::optional<std::string>("127.0.0.1:18700"));
  CHECK(o.value().version_stamp == "/etc/claw/version.json");
  CHECK_FALSE(o.value().single_child);
  CHECK(o.value().profile_path.empty());
}

TEST_CASE("options stop at the command; the command keeps its own options") {
  auto o = Parse({"--restart", "always", "ls", "--restart", "-l"});
  REQUIRE(o);
  CHECK(o.value().restart == RestartPolicy::kAlways);
  CHECK(o.value().command == std::vector<std::string>{"ls", "--restart", "-l"});
  auto d = Parse({"--", "--weird-name", "x"});
  REQUIRE(d);
  CHECK(d.value().command.front() == "--weird-name");
}

TEST_CASE("every option in both spellings") {
  auto o = Parse({"--user=nobody", "--caps", "net_bind_service,CAP_CHOWN", "--restart=on-failure",
                  "--backoff-initial", "250ms", "--backoff-max=5s", "--backoff-reset", "2m", "--max-restarts", "3",
                  "--stop-signal", "QUIT", "--stop-grace=1s", "--single-child", "-r", "TERM:INT", "-r15:2",
                  "--rewrite=USR1:0", "-e", "3", "-e4", "--remap-exit=143", "--health-listen", "[::1]:9000",
                  "--health-upstream", "tcp://127.0.0.1:42617", "--health-start-grace", "60s", "--log-format",
                  "json", "--log-level", "debug", "--version-stamp", "/tmp/v.json", "true"});
  REQUIRE(o);
  const Options& v = o.value();
  CHECK(v.user == std::optional<std::string>("nobody"));
  CHECK(v.caps == std::vector<std::string>{"NET_BIND_SERVICE", "CHOWN"});
  CHECK(v.restart == RestartPolicy::kOnFailure);
  CHECK(v.backoff.initial.count() == 250);
  CHECK(v.backoff.max.count() == 5000);
  CHECK(v.backoff.reset.count() == 120000);
  CHECK(v.backoff.max_restarts == 3);
  CHECK(v.stop_signal == 3);
  CHECK(v.stop_grace.count() == 1000);
  CHECK(v.single_child);
  CHECK(v.rewrite.at(15) == 2);  // the later -r wins
  CHECK(v.rewrite.at(10) == 0);
  CHECK(v.remap_exit == std::set<int>{3, 4, 143});
  CHECK(v.health_listen == std::optional<std::string>("[::1]:9000"));
  CHECK(v.health_upstream == std::optional<std::string>("tcp://127.0.0.1:42617"));
  CHECK(v.health_start_grace.count() == 60000);
  CHECK(v.log_format == LogFormat::kJson);
  CHECK(v.log_level == LogLevel::kDebug);
  CHECK(v.version_stamp == "/tmp/v.json");
}

TEST_CASE("bad command-line values are usage errors naming the option") {
  struct Case {
    std::vector<std::string> args;
    const char* mentions;
  };
  const Case cases[] = {
      {{"--restart", "sometimes", "x"}, "--restart"},
      {{"--stop-grace", "-1s", "x"}, "--stop-grace"},
      {{"--stop-grace", "1e309", "x"}, "--stop-grace"},
      {{"--backoff-max", "999999999h", "x"}, "--backoff-max"},
      {{"--max-restarts", "99999999999999999999", "x"}, "--max-restarts"},
      {{"--max-restarts", "-1", "x"}, "--max-restarts"},
      {{"--stop-signal", "BOGUS", "x"}, "--stop-signal"},
      {{"-r", "TERM", "x"}, "--rewrite"},
      {{"-r", "CHLD:TERM", "x"}, "--rewrite"},
      {{"-r", "TERM:NOPE", "x"}, "--rewrite"},
      {{"-e", "256", "x"}, "--remap-exit"},
      {{"--caps", "NOT_A_CAP", "x"}, "--caps"},
      {{"--health-listen", "nowhere", "x"}, "--health-listen"},
      {{"--health-listen", "127.0.0.1:70000", "x"}, "--health-listen"},
      {{"--health-upstream", "ftp://x", "x"}, "--health-upstream"},
      {{"--log-level", "loud", "x"}, "--log-level"},
      {{"--bogus", "x"}, "--bogus"},
      {{"--stop-grace"}, "--stop-grace"},
      {{}, "no command"},
      {{"--"}, "no command"},
      {{""}, "empty command"},
      {{"health", "--url", "ftp://x"}, "--url"},
      {{"health", "extra"}, "extra"},
      {{"config"}, "config"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.mentions);
    auto o = Parse(c.args);
    REQUIRE_FALSE(o);
    CHECK(o.error().code == ExitCode::kUsage);
    CHECK(o.error().message.find(c.mentions) != std::string::npos);
  }
}

TEST_CASE("bad environment values are configuration errors naming the variable") {
  const std::pair<const char*, const char*> cases[] = {
      {"CLAW_RESTART", "sometimes"}, {"CLAW_STOP_GRACE", "-1s"},       {"CLAW_MAX_RESTARTS", "x"},
      {"CLAW_STOP_SIGNAL", "NOPE"},  {"CLAW_SINGLE_CHILD", "maybe"},   {"CLAW_HEALTH_LISTEN", ":1"},
      {"CLAW_LOG_FORMAT", "xml"},    {"CLAW_BACKOFF_INITIAL", "1e309"}, {"CLAW_CAPS", "FLY"},
  };
  for (const auto& c : cases) {
    const std::string name = c.first;  // clang 14 cannot capture a structured binding
    CAPTURE(name);
    auto o = Parse({"x"}, {{name, c.second}});
    REQUIRE_FALSE(o);
    CHECK(o.error().code == ExitCode::kConfig);
    CHECK(o.error().message.find(name) != std::string::npos);
  }
}

TEST_CASE("precedence: command line over env over profile over default") {
  const char* profile = R"([runtime]
command = ["openclaw", "gateway", "run"]
[restart]
policy = "always"
max_restarts = 4
[stop]
grace = 3
signal = "QUIT"
)";
  auto from_profile = Parse({}, {}, profile);
  REQUIRE(from_profile);
  CHECK(from_profile.value().restart == RestartPolicy::kAlways);
  CHECK(from_profile.value().backoff.max_restarts == 4);
  CHECK(from_profile.value().stop_grace.count() == 3000);
  CHECK(from_profile.value().stop_signal == 3);
  CHECK(from_profile.value().command == std::vector<std::string>{"openclaw", "gateway", "run"});

  auto from_env = Parse({}, {{"CLAW_RESTART", "never"}, {"CLAW_STOP_GRACE", "5s"}}, profile);
  REQUIRE(from_env);
  CHECK(from_env.value().restart == RestartPolicy::kNever);
  CHECK(from_env.value().stop_grace.count() == 5000);
  CHECK(from_env.value().backoff.max_restarts == 4);

  auto from_cli = Parse({"--restart", "on-failure", "sh"}, {{"CLAW_RESTART", "never"}}, profile);
  REQUIRE(from_cli);
  CHECK(from_cli.value().restart == RestartPolicy::kOnFailure);
  CHECK(from_cli.value().command == std::vector<std::string>{"sh"});
}

TEST_CASE("bad profile values are configuration errors") {
  auto bad_value = Parse({"x"}, {}, "[restart]\npolicy = \"sometimes\"\n");
  REQUIRE_FALSE(bad_value);
  CHECK(bad_value.error().code == ExitCode::kConfig);
  CHECK(bad_value.error().message.find("restart.policy") != std::string::npos);
  auto unknown = Parse({"x"}, {}, "[restart]\npolcy = \"always\"\n");
  REQUIRE_FALSE(unknown);
  CHECK(unknown.error().code == ExitCode::kConfig);
  CHECK(unknown.error().message.find("restart.polcy") != std::string::npos);
}

TEST_CASE("health off, and single child from the environment") {
  auto o = Parse({"x"}, {{"CLAW_HEALTH_LISTEN", "off"}, {"CLAW_SINGLE_CHILD", "1"}});
  REQUIRE(o);
  CHECK_FALSE(o.value().health_listen.has_value());
  CHECK(o.value().single_child);
}

TEST_CASE("subcommands") {
  CHECK(Parse({"health"}).value().mode == Mode::kHealth);
  auto h = Parse({"health", "--url", "http://127.0.0.1:1/health", "--timeout", "1s"});
  REQUIRE(h);
  CHECK(h.value().health_url == std::optional<std::string>("http://127.0.0.1:1/health"));
  CHECK(h.value().health_timeout.count() == 1000);
  CHECK(Parse({"version-probe"}).value().mode == Mode::kVersionProbe);
  CHECK(Parse({"--version-probe"}).value().mode == Mode::kVersionProbe);
  CHECK(Parse({"version-probe", "--json"}).value().json);
  CHECK(Parse({"version", "stamp"}).value().mode == Mode::kVersionStamp);
  CHECK(Parse({"config", "render"}).value().mode == Mode::kConfigRender);
  CHECK(Parse({"config", "render", "--show-secrets"}).value().show_secrets);
  CHECK(Parse({"config", "check"}).value().mode == Mode::kConfigCheck);
  CHECK(Parse({"--version"}).value().mode == Mode::kVersion);
  CHECK(Parse({"--help"}).value().mode == Mode::kHelp);
  // `--` makes a subcommand name an ordinary command.
  CHECK(Parse({"--", "health"}).value().mode == Mode::kRun);
}

TEST_CASE("--help lists every CLAW_ variable") {
  std::string help = HelpText();
  for (const char* name : {kEnvProfile, kEnvUser, kEnvCaps, kEnvRestart, kEnvBackoffInitial, kEnvBackoffMax,
                           kEnvBackoffReset, kEnvMaxRestarts, kEnvStopSignal, kEnvStopGrace, kEnvSingleChild,
                           kEnvHealthListen, kEnvHealthUpstream, kEnvHealthStartGrace, kEnvLogFormat, kEnvLogLevel,
                           kEnvVersionStamp}) {
    CAPTURE(name);
    CHECK(help.find(name) != std::string::npos);
  }
}

}  // namespace claw

namespace claw {

TEST_CASE("an empty CLAW_ variable counts as unset") {
  auto o = Parse({"x"}, {{"CLAW_HEALTH_LISTEN", ""}, {"CLAW_STOP_GRACE", ""}, {"CLAW_RESTART", ""}},
                 "[restart]\npolicy = \"always\"\n");
  REQUIRE(o);
  CHECK(o.value().health_listen == std::optional<std::string>("127.0.0.1:18700"));
  CHECK(o.value().stop_grace.count() == 8000);
  CHECK(o.value().restart == RestartPolicy::kAlways);
}

}  // namespace claw
