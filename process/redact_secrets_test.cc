#include "process/redact_secrets.h"

#include <doctest/doctest.h>

namespace claw {

TEST_CASE("SegmentLooksSecret: the contract's words, any case") {
  const std::pair<const char*, bool> cases[] = {
      {"token", true},     {"authToken", true}, {"SECRET", true},   {"password", true}, {"passwd", true},
      {"apiKey", true},    {"api_key", true},   {"key", true},      {"privateKey", true}, {"KEYS", true},
      {"port", false},     {"host", false},     {"user", false},    {"pass", false},    {"", false},
  };
  for (const auto& c : cases) {
    const char* segment = c.first;  // a plain variable: CAPTURE's lambda cannot take a structured binding (clang 14)
    CAPTURE(segment);
    CHECK(SegmentLooksSecret(segment) == c.second);
  }
}

TEST_CASE("SelectSecrets: each source") {
  const std::string v = "value-0123456789";  // long enough
  SUBCASE("*_FILE contents, whatever the key") {
    auto s = SelectSecrets({{"CLAW_CONFIG__gateway__port_FILE", "/run/secrets/port"}}, {},
                           {{"CLAW_CONFIG__gateway__port_FILE", v}});
    CHECK(s.secrets == std::vector<std::string>{v});
    CHECK(s.warnings.empty());
  }
  SUBCASE("CLAW_CONFIG__* by the key's last segment, not its path") {
    const Environment env = {{"CLAW_CONFIG__gateway__auth__token", v + "a"},
                             {"CLAW_CONFIG__models__openai__apiKey", v + "b"},
                             {"CLAW_CONFIG__db__Password", v + "c"},
                             {"CLAW_CONFIG__token__port", v + "d"},
                             {"CLAW_CONFIG__gateway__bind", v + "e"},
                             {"CLAW_CONFIG__gateway__token_FILE", "/run/secrets/token-file-path"}};
    auto s = SelectSecrets(env, {}, {});
    CHECK(s.secrets == std::vector<std::string>{v + "c", v + "a", v + "b"});
  }
  SUBCASE("profile aliases by their key's last segment") {
    const Environment env = {{"OPENCLAW_GW", v + "a"}, {"OPENCLAW_PORT", v + "b"}, {"OTHER", v + "c"}};
    auto s = SelectSecrets(env, {{"OPENCLAW_GW", "gateway.auth.token"}, {"OPENCLAW_PORT", "gateway.port"},
                                 {"UNSET_ALIAS", "a.secret"}},
                           {});
    CHECK(s.secrets == std::vector<std::string>{v + "a"});
  }
  SUBCASE("names ending in _TOKEN, _SECRET, _PASSWORD, _API_KEY, _KEY") {
    const Environment env = {{"GITHUB_TOKEN", v + "1"},     {"APP_SECRET", v + "2"},  {"DB_PASSWORD", v + "3"},
                             {"OPENAI_API_KEY", v + "4"},   {"SSH_KEY", v + "5"},     {"lower_token", v + "6"},
                             {"TOKEN", v + "7"},            {"TOKEN_TTL", v + "8"},   {"KEYBOARD", v + "9"},
                             {"GITHUB_TOKEN_FILE", v + "x"}, {"PATH", "/usr/bin:/bin"}};
    auto s = SelectSecrets(env, {}, {});
    CHECK(s.secrets ==
          std::vector<std::string>{v + "2", v + "3", v + "1", v + "4", v + "5", v + "6"});
  }
  SUBCASE("CLAW_REDACT_ENV, comma-separated, spaces allowed") {
    const Environment env = {{"CLAW_REDACT_ENV", "DATABASE_URL, WEBHOOK,,MISSING "},
                             {"DATABASE_URL", "postgres://u:p@db/x"},
                             {"WEBHOOK", "https://hooks.example/abc"},
                             {"HOME", "/home/node"}};
    auto s = SelectSecrets(env, {}, {});
    CHECK(s.secrets == std::vector<std::string>{"postgres://u:p@db/x", "https://hooks.example/abc"});
    CHECK(s.warnings == std::vector<std::string>{"redact: CLAW_REDACT_ENV names MISSING, which is not set"});
  }
  SUBCASE("nothing secret") {
    auto s = SelectSecrets({{"PATH", "/usr/bin"}, {"CLAW_CONFIG__gateway__port", "18789"}}, {}, {});
    CHECK(s.secrets.empty());
    CHECK(s.warnings.empty());
  }
}

TEST_CASE("SelectSecrets: short values are named, never shown; empty and repeated ones are not warned twice") {
  const Environment env = {{"SHORT_TOKEN", "abc1234"},  // 7 bytes
                           {"EIGHT_TOKEN", "abcd1234"},
                           {"EMPTY_TOKEN", ""},
                           {"CLAW_CONFIG__auth__key", "k3y"},
                           {"CLAW_REDACT_ENV", "SHORT_TOKEN"},
                           {"SAME_SECRET", "abcd1234"}};
  auto s = SelectSecrets(env, {{"SHORT_TOKEN", "auth.token"}}, {{"CLAW_CONFIG__x_FILE", "tiny"}});
  CHECK(s.secrets == std::vector<std::string>{"abcd1234"});
  CHECK(s.warnings == std::vector<std::string>{
                          "redact: the value of CLAW_CONFIG__auth__key is shorter than 8 bytes and is not redacted",
                          "redact: the value of CLAW_CONFIG__x_FILE is shorter than 8 bytes and is not redacted",
                          "redact: the value of SHORT_TOKEN is shorter than 8 bytes and is not redacted",
                      });
  for (const auto& w : s.warnings) {
    CHECK(w.find("abc1234") == std::string::npos);
    CHECK(w.find("k3y") == std::string::npos);
    CHECK(w.find("tiny") == std::string::npos);
  }
}

}  // namespace claw
