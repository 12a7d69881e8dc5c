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
