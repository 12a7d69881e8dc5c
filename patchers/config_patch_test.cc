#include "patchers/config_patch.h"

#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include "tests/test_util.h"

namespace claw {
namespace {

namespace fs = std::filesystem;


ConfigSpec WithConfig(const std::string& target, std::optional<std::string> default_file = std::nullopt) {
  ConfigSpec spec;
  spec.target = target;
  spec.default_file = std::move(default_file);
  return spec;
}

TEST_CASE("PlanConfig: modes and bases") {
  TempDir dir;
  const std::string target = dir / "openclaw.json";
  const std::string defaults = dir / "default.json";
  WriteText(defaults, "// shipped default\n{gateway: {port: 18789, mode: 'local'}}\n");

  SUBCASE("merge seeds from the default when the target is absent") {
    auto plan = PlanConfig(WithConfig(target, defaults), {{"CLAW_CONFIG__gateway__port", "9000"}});
    REQUIRE_MESSAGE(plan, (plan ? "" : plan.error().message));
    CHECK(plan.value().enabled);
    CHECK(plan.value().write);
    CHECK(plan.value().base == defaults);
    CHECK(plan.value().format == ConfigFormat::kJson);
    CHECK(plan.value().keys_set == 1);
    CHECK(plan.value().text == "{\n  \"gateway\": {\n    \"port\": 9000,\n    \"mode\": \"local\"\n  }\n}\n");
    CHECK(plan.value().applied == std::vector<std::string>{"set gateway.port from CLAW_CONFIG__gateway__port"});
    CHECK_FALSE(fs::exists(target));  // planning never writes
    REQUIRE(WriteConfig(plan.value(), std::nullopt, std::nullopt));
    CHECK(ReadText(target) == plan.value().text);
  }
  SUBCASE("merge without variables seeds too, and then leaves the target alone") {
    auto seed = PlanConfig(WithConfig(target, defaults), {});
    REQUIRE(seed);
    CHECK(seed.value().write);
    WriteText(target, "// user edited\n{gateway: {port: 1}}\n");
    auto plan = PlanConfig(WithConfig(target, defaults), {});
    REQUIRE(plan);
    CHECK(plan.value().base == target);
    CHECK_FALSE(plan.value().write);
    CHECK(plan.value().text == "{\n  \"gateway\": {\n    \"port\": 1\n  }\n}\n");
  }
  SUBCASE("merge patches the existing target; identical output is not rewritten") {
    WriteText(target, "{gateway: {port: 1, bind: 'lan'}}");
    auto plan = PlanConfig(WithConfig(target, defaults), {{"CLAW_CONFIG__gateway__port", "2"}});
    REQUIRE(plan);
    CHECK(plan.value().base == target);
    CHECK(plan.value().write);
    REQUIRE(WriteConfig(plan.value(), std::nullopt, std::nullopt));
    auto again = PlanConfig(WithConfig(target, defaults), {{"CLAW_CONFIG__gateway__port", "2"}});
    REQUIRE(again);
    CHECK_FALSE(again.value().write);
  }
  SUBCASE("regenerate starts from the default") {
    WriteText(target, "{gateway: {port: 1, extra: true}}");
    auto plan = PlanConfig(WithConfig(target, defaults), {{"CLAW_CONFIG_MODE", "regenerate"}});
    REQUIRE(plan);
    CHECK(plan.value().base == defaults);
    CHECK(plan.value().write);
    CHECK(plan.value().text.find("extra") == std::string::npos);
  }
  SUBCASE("regenerate needs a default") {
    auto plan = PlanConfig(WithConfig(target), {{"CLAW_CONFIG_MODE", "regenerate"}});
    REQUIRE_FALSE(plan);
    CHECK(plan.error().message.find("needs a [config] default") != std::string::npos);
  }
  SUBCASE("merge with neither target nor default starts empty") {
    auto plan = PlanConfig(WithConfig(target), {{"CLAW_CONFIG__a", "1"}});
    REQUIRE(plan);
    CHECK(plan.value().text == "{\n  \"a\": 1\n}\n");
    auto nothing = PlanConfig(WithConfig(target), {});
    REQUIRE(nothing);
    CHECK_FALSE(nothing.value().write);
  }
  SUBCASE("off patches nothing") {
    auto plan = PlanConfig(WithConfig(target, defaults), {{"CLAW_CONFIG_MODE", "off"}, {"CLAW_CONFIG__a", "1"}});
    REQUIRE(plan);
    CHECK_FALSE(plan.value().enabled);
  }
}

TEST_CASE("PlanConfig errors are configuration errors without values") {
  TempDir dir;
  const std::string target = dir / "openclaw.json";
  struct Case {
    const char* name;
    std::string target_text;  // empty: no target file
    ConfigSpec options;
    Environment env;
    std::string want;  // substring
  };
  ConfigSpec no_target;
  ConfigSpec odd = WithConfig(dir / "config.conf");
  ConfigSpec missing_default = WithConfig(target, dir / "nope.json");
  const std::vector<Case> cases = {
      {"bad mode", "", WithConfig(target), {{"CLAW_CONFIG_MODE", "SECRET"}}, "CLAW_CONFIG_MODE: must be merge, regenerate or off"},
      {"vars without target", "", no_target, {{"CLAW_CONFIG__a", "SECRET"}}, "profile names no [config] target"},
      {"unknown extension", "", odd, {}, "cannot tell the format"},
      {"syntax error", "{\n  a: 1\n  b: 2\n}", WithConfig(target), {}, target + ":3:3: expected ',' or '}'"},
      {"type mismatch", "{port: 1}", WithConfig(target), {{"CLAW_CONFIG__port", "SECRET"}},
       "CLAW_CONFIG__port: expected an integer"},
      {"missing _FILE", "{}", WithConfig(target), {{"CLAW_CONFIG__token_FILE", dir / "SECRET"}},
       "CLAW_CONFIG__token_FILE: cannot read the file it names: No such file or directory"},
      {"missing default", "", missing_default, {}, "default config: " + (dir / "nope.json")},
  };
  for (const auto& c : cases) {
    CAPTURE(c.name);
    fs::remove(target);
    if (!c.target_text.empty()) WriteText(target, c.target_text);
    auto plan = PlanConfig(c.options, c.env);
    REQUIRE_FALSE(plan);
    CHECK_MESSAGE(plan.error().message.find(c.want) != std::string::npos, plan.error().message);
    CHECK(plan.error().message.find("SECRET") == std::string::npos);
    CHECK(plan.error().code == ExitCode::kConfig);
  }
}

TEST_CASE("PlanConfig: formats, aliases, secrets and redaction") {
  TempDir dir;
  WriteText(dir / "token", "file-secret\n");

  SUBCASE("TOML by extension, YAML by profile format") {
    auto toml = PlanConfig(WithConfig(dir / "config.toml"), {{"CLAW_CONFIG__gateway__port", "42617"}});
    REQUIRE(toml);
    CHECK(toml.value().format == ConfigFormat::kToml);
    CHECK(toml.value().text == "[gateway]\nport = 42617\n");
    ConfigSpec yaml = WithConfig(dir / "config.conf");
    yaml.format = ConfigFormat::kYaml;
    auto plan = PlanConfig(yaml, {{"CLAW_CONFIG__web__port", "10961"}});
    REQUIRE(plan);
    CHECK(plan.value().text == "web:\n  port: 10961\n");
  }
  SUBCASE("aliases, _FILE and redaction") {
    ConfigSpec options = WithConfig(dir / "openclaw.json");
    options.env = {{"OPENCLAW_GATEWAY_TOKEN", "gateway.auth.token"}};
    const Environment env = {{"OPENCLAW_GATEWAY_TOKEN_FILE", dir / "token"},
                             {"CLAW_CONFIG__channels__telegram__botToken", "plain-secret"},
                             {"CLAW_CONFIG__gateway__note", "visible"},
                             {"CLAW_CONFIG__custom__value_FILE", dir / "token"}};
    auto plan = PlanConfig(options, env);
    REQUIRE_MESSAGE(plan, (plan ? "" : plan.error().message));
    const std::string& real = plan.value().text;
    CHECK(real.find("file-secret") != std::string::npos);
    CHECK(real.find("plain-secret") != std::string::npos);
    const std::string shown = RenderForDisplay(plan.value(), false);
    CHECK(shown.find("file-secret") == std::string::npos);
    CHECK(shown.find("plain-secret") == std::string::npos);
    CHECK(shown.find("\"value\": \"<redacted>\"") != std::string::npos);
    CHECK(shown.find("\"token\": \"<redacted>\"") != std::string::npos);
    CHECK(shown.find("\"note\": \"visible\"") != std::string::npos);
    CHECK(RenderForDisplay(plan.value(), true) == real);
    for (const auto& line : plan.value().applied) {
      CHECK(line.find("secret") == std::string::npos);
    }
    CHECK(plan.value().applied.front() == "set gateway.auth.token from OPENCLAW_GATEWAY_TOKEN_FILE");
    using Values = std::vector<std::pair<std::string, std::string>>;
    CHECK(plan.value().file_values == Values{{"OPENCLAW_GATEWAY_TOKEN_FILE", "file-secret"},
                                             {"CLAW_CONFIG__custom__value_FILE", "file-secret"}});
  }
}

TEST_CASE("LooksSecret") {
  struct Case {
    const char* key;
    bool want;
  };
  const std::vector<Case> cases = {
      {"token", true},     {"botToken", true},  {"api_key", true},   {"apiKey", true},  {"API-KEY", true},
      {"key", true},       {"privateKey", true}, {"password", true}, {"clientSecret", true},
      {"credentials", true}, {"port", false},   {"keys", false},     {"model", false},  {"workspace", false},
  };
  for (const auto& c : cases) {
    CAPTURE(c.key);
    CHECK(LooksSecret(c.key) == c.want);
  }
}

}  // namespace
}  // namespace claw
