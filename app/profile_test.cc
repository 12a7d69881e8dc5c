#include "app/profile.h"

#include <doctest/doctest.h>

namespace claw {

TEST_CASE("the contract's example profile loads") {
  const char* text = R"([runtime]
name = "openclaw"
command = ["openclaw", "gateway", "run"]
user = "openclaw"
workdir = "/home/openclaw"
caps = ["NET_BIND_SERVICE"]
single_child = false

[config]
default = "/etc/claw/defaults/openclaw.json"
target = "/home/openclaw/.openclaw/openclaw.json"
format = "json"
[config.env]
OPENCLAW_GATEWAY_TOKEN = "gateway.auth.token"
OPENCLAW_PORT = "gateway.port"

[health]
upstream = "http://127.0.0.1:18789/readyz"
start_grace = "60s"

[restart]
policy = "on-failure"
max_restarts = 5

[stop]
signal = 15
grace = "8s"

[version]
command = ["openclaw", "--version"]
regex = '(\d+\.\d+\.\d+(?:-[0-9A-Za-z.]+)?)'
)";
  auto p = ParseProfile(text, "profile.toml");
  REQUIRE(p);
  const Profile& v = p.value();
  CHECK(v.name == "openclaw");
  CHECK(v.command == std::vector<std::string>{"openclaw", "gateway", "run"});
  CHECK(*v.workdir == "/home/openclaw");
  CHECK(*v.config.target == "/home/openclaw/.openclaw/openclaw.json");
  CHECK(*v.config.format == ConfigFormat::kJson);
  REQUIRE(v.config.env.size() == 2);
  CHECK(v.config.env[0].first == "OPENCLAW_GATEWAY_TOKEN");  // sorted
  CHECK(v.config.env[1].second == "gateway.port");
  CHECK(*v.Setting("runtime.user") == "openclaw");
  CHECK(*v.Setting("runtime.caps") == "NET_BIND_SERVICE");
  CHECK(*v.Setting("runtime.single_child") == "false");
  CHECK(*v.Setting("restart.max_restarts") == "5");
  CHECK(*v.Setting("stop.signal") == "15");
  CHECK(*v.Setting("health.start_grace") == "60s");
  CHECK(v.version_command == std::vector<std::string>{"openclaw", "--version"});
  CHECK(v.version_regex.has_value());
}

TEST_CASE("[runtime.env] and the [restart] handoff keys") {
  auto p = ParseProfile(R"([runtime]
command = ["openclaw", "gateway", "run"]
[runtime.env]
OPENCLAW_SUPERVISOR_MODE = "external"
EMPTY = ""
[restart]
handoff = ["openclaw", "gateway", "restart-handoff", "consume", "--expected-pid", "{pid}", "--json"]
handoff_capabilities = ["openclaw", "gateway", "restart-handoff", "capabilities", "--json"]
handoff_timeout = "45s"
)",
                        "p.toml");
  REQUIRE(p);
  const Profile& v = p.value();
  REQUIRE(v.runtime_env.size() == 2);
  CHECK(v.runtime_env[0] == std::make_pair(std::string("EMPTY"), std::string("")));  // sorted by name
  CHECK(v.runtime_env[1] == std::make_pair(std::string("OPENCLAW_SUPERVISOR_MODE"), std::string("external")));
  CHECK(v.handoff.size() == 7);
  CHECK(v.handoff[5] == "{pid}");
  CHECK(v.handoff_capabilities.back() == "--json");
  CHECK(*v.Setting("restart.handoff_timeout") == "45s");
}

TEST_CASE("strict validation names the key and position") {
  struct Case {
    const char* text;
    const char* mentions;
  };
  const Case cases[] = {
      {"[runtime]\nnmae = \"x\"\n", "runtime.nmae"},
      {"[bogus]\nx = 1\n", "bogus"},
      {"[runtime]\ncommand = \"openclaw gateway\"\n", "runtime.command"},
      {"[runtime]\ncommand = []\n", "runtime.command"},
      {"[runtime]\ncommand = [1, 2]\n", "runtime.command"},
      {"[restart]\nmax_restarts = \"3\"\n", "restart.max_restarts"},
      {"[runtime]\nsingle_child = \"yes\"\n", "runtime.single_child"},
      {"[config]\nformat = \"xml\"\n", "config.format"},
      {"[config.env]\nX = 3\n", "config.env.X"},
      {"[stop]\ngrace = true\n", "stop.grace"},
      {"runtime = 3\n", "runtime"},
      {"[runtime\n", "p.toml:1:"},
      {"[restart]\nhandof = [\"x\"]\n", "restart.handof"},
      {"[restart]\nhandoff = \"openclaw gateway restart-handoff\"\n", "restart.handoff"},
      {"[restart]\nhandoff = []\n", "restart.handoff"},
      {"[restart]\nhandoff = [\"\"]\n", "restart.handoff"},
      {"[restart]\nhandoff = [\"a\", 3]\n", "restart.handoff"},
      {"[restart]\nhandoff_timeout = true\n", "restart.handoff_timeout"},
      {"[restart]\nhandoff_capabilities = [\"a\"]\n", "restart.handoff_capabilities"},
      {"[runtime.env]\nOPENCLAW_SUPERVISOR_MODE = 1\n", "runtime.env.OPENCLAW_SUPERVISOR_MODE"},
      {"[runtime]\nenv = \"A=1\"\n", "runtime.env"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.mentions);
    auto p = ParseProfile(c.text, "p.toml");
    REQUIRE_FALSE(p);
    CHECK(p.error().message.find(c.mentions) != std::string::npos);
    CHECK(p.error().message.find("p.toml:") == 0);
  }
}

}  // namespace claw
