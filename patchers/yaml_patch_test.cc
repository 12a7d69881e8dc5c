#include "patchers/yaml_patch.h"
#include "patchers/patch_document.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

namespace claw {
namespace {

PatchOp Set(std::vector<std::string> path, std::string value, std::string variable = "VAR") {
  return PatchOp{PatchOp::Kind::kSet, std::move(path), std::move(value), std::move(variable), false};
}

TEST_CASE("ResolvePlainScalar follows the YAML 1.2 core schema") {
  using Type = DocNode::Type;
  struct Case {
    const char* text;
    Type want;
  };
  const std::vector<Case> cases = {
      {"", Type::kNull},       {"~", Type::kNull},       {"null", Type::kNull},      {"NULL", Type::kNull},
      {"true", Type::kBool},   {"False", Type::kBool},   {"yes", Type::kString},     {"on", Type::kString},
      {"42", Type::kInt},      {"-7", Type::kInt},       {"+7", Type::kInt},         {"0x1F", Type::kInt},
      {"0o17", Type::kInt},    {"0x", Type::kString},    {"1.5", Type::kFloat},      {".5", Type::kFloat},
      {"1.", Type::kFloat},    {"1e3", Type::kFloat},    {"-.inf", Type::kFloat},    {".NaN", Type::kFloat},
      {".", Type::kString},    {"1e", Type::kString},    {"1.2.3", Type::kString},   {"2026-01-15", Type::kString},
      {"127.0.0.1", Type::kString}, {"hello", Type::kString},
  };
  for (const auto& c : cases) {
    CAPTURE(c.text);
    CHECK(ResolvePlainScalar(c.text) == c.want);
  }
}

TEST_CASE("PatchDocument(yaml) resolves anchors and merge keys; a patch changes one place") {
  const char* in = R"(# MicroClaw-style
defaults: &defaults
  timeout_secs: 30
  retries: 3
channels:
  telegram:
    enabled: true
    <<: *defaults
    retries: 5
  discord:
    <<: *defaults
shared: *defaults
)";
  auto out = PatchDocument(ConfigFormat::kYaml, in, {Set({"channels", "discord", "timeout_secs"}, "60")}, "m.yaml");
  REQUIRE_MESSAGE(out, (out ? "" : out.error().message));
  CHECK(out.value() == R"(defaults:
  timeout_secs: 30
  retries: 3
channels:
  telegram:
    enabled: true
    retries: 5
    timeout_secs: 30
  discord:
    timeout_secs: 60
    retries: 3
shared:
  timeout_secs: 30
  retries: 3
)");
}

TEST_CASE("PatchDocument(yaml) keeps types and quotes strings that would read as something else") {
  const char* in = R"(port: 10961
ratio: 0.5
enabled: True
name: 'yes'
version: "1.0"
hex: 0x1F
empty:
host: 127.0.0.1
list: [a, 'b']
)";
  auto out = PatchDocument(ConfigFormat::kYaml, in,
                       {Set({"port"}, "8080"), Set({"enabled"}, "no"), Set({"version"}, "2.0"), Set({"new_bool"}, "true"),
                        Set({"new_str"}, "true story"), Set({"new_num_str"}, "\"42\""), Set({"empty"}, "7"),
                        Set({"list", "2"}, "null"), Set({"multi"}, "a\nb: c")},
                       "m.yaml");
  REQUIRE_MESSAGE(out, (out ? "" : out.error().message));
  CHECK(out.value() == R"(port: 8080
ratio: 0.5
enabled: false
name: "yes"
version: "2.0"
hex: 0x1F
empty: 7
host: 127.0.0.1
list:
  - a
  - b
  - ~
new_bool: true
new_str: true story
new_num_str: "42"
multi: "a\nb: c"
)");
  auto back = ParseYamlDocument(out.value(), "back.yaml");
  REQUIRE(back);
  CHECK(back.value().Find("version")->type == DocNode::Type::kString);
  CHECK(back.value().Find("new_num_str")->type == DocNode::Type::kString);
  CHECK(back.value().Find("multi")->text == "a\nb: c");
}

TEST_CASE("PatchDocument(yaml) errors") {
  struct Case {
    std::string in;
    std::vector<PatchOp> ops;
    const char* want;
  };
  std::string laughs = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
  for (char c = 'b'; c <= 'j'; ++c) {
    const char p = static_cast<char>(c - 1);
    laughs += std::string(1, c) + ": &" + c + " [*" + p + ", *" + p + ", *" + p + ", *" + p + ", *" + p + ", *" + p +
              ", *" + p + ", *" + p + ", *" + p + ", *" + p + "]\n";
  }
  const std::vector<Case> cases = {
      {"a: 1\nb: [1, 2\n", {}, "m.yaml:3:1: "},
      {"a: 1\n  b: 2\n", {}, "m.yaml:2:4: "},
      {"a: 1\n---\nb: 2\n", {}, "m.yaml: more than one YAML document"},
      {"a: 1\nb: \"x\xFFy\"\n", {}, "m.yaml:2:6: invalid UTF-8"},
      {"a: !secret x\n", {}, "m.yaml:1:4: unsupported tag !secret"},
      {"a: !!int x\n", {}, "m.yaml:1:4: the value does not match its tag"},
      {"? [a]\n: 1\n", {}, "m.yaml:1:3: only plain keys are supported"},
      {laughs, {}, "the document expands to more than 1000000 values"},
      {std::string(300, '[') + std::string(300, ']'), {}, "nesting deeper than 256 levels"},
      {"port: 1\n", {Set({"port"}, "SECRET", "CLAW_CONFIG__port")}, "CLAW_CONFIG__port: expected an integer"},
  };
  for (const auto& c : cases) {
    auto out = PatchDocument(ConfigFormat::kYaml, c.in, c.ops, "m.yaml");
    REQUIRE_FALSE(out);
    CHECK_MESSAGE(out.error().message.find(c.want) != std::string::npos, out.error().message);
    CHECK(out.error().message.find("SECRET") == std::string::npos);
  }
}

TEST_CASE("PatchDocument(yaml) writes long keys explicitly, as YAML limits implicit ones to 1024 characters") {
  const std::string key(300, 'k');
  auto out = PatchDocument(ConfigFormat::kYaml, "a: 1\n", {Set({key + std::string(300, '\x01')}, "v")}, "m.yaml");
  REQUIRE(out);
  CHECK(out.value().find("? ") != std::string::npos);
  auto back = PatchDocument(ConfigFormat::kYaml, out.value(), {}, "m.yaml");
  REQUIRE_MESSAGE(back, (back ? "" : back.error().message));
  CHECK(back.value() == out.value());
}

TEST_CASE("PatchDocument(yaml) quotes strings with control characters and line breaks") {
  for (std::string value : {"a\rb", "tab\there", "x\x7F", "nel\xC2\x85", "ls\xE2\x80\xA8", "a\nb"}) {
    CAPTURE(value);
    DocNode root = DocNode::Object();
    root.members.push_back({"k", DocNode::Scalar(DocNode::Type::kString, value)});
    auto written = WriteYamlDocument(root);
    REQUIRE(written);
    auto back = ParseYamlDocument(written.value(), "back.yaml");
    REQUIRE(back);
    CHECK(back.value().Find("k")->text == value);
  }
}

TEST_CASE("PatchDocument(yaml): a key spelled << is written quoted, not as a merge key") {
  auto out = PatchDocument(ConfigFormat::kYaml, "\"<<\": 1\n", {Set({"<<"}, "2")}, "m.yaml");
  REQUIRE(out);
  CHECK(out.value() == "\"<<\": 2\n");
  auto back = PatchDocument(ConfigFormat::kYaml, out.value(), {}, "m.yaml");
  REQUIRE(back);
  CHECK(back.value() == out.value());
}

TEST_CASE("PatchDocument(yaml): empty document and deterministic output") {
  auto out = PatchDocument(ConfigFormat::kYaml, "# only a comment\n", {Set({"a", "b"}, "1")}, "m.yaml");
  REQUIRE(out);
  CHECK(out.value() == "a:\n  b: 1\n");
  auto empty = PatchDocument(ConfigFormat::kYaml, "", {}, "m.yaml");
  REQUIRE(empty);
  CHECK(empty.value() == "{}\n");
  auto again = PatchDocument(ConfigFormat::kYaml, out.value(), {Set({"a", "b"}, "1")}, "m.yaml");
  REQUIRE(again);
  CHECK(again.value() == out.value());
}

}  // namespace
}  // namespace claw
