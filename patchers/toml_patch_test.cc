#include "patchers/toml_patch.h"
#include "patchers/patch_document.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

namespace claw {
namespace {

PatchOp Set(std::vector<std::string> path, std::string value, std::string variable = "VAR") {
  return PatchOp{PatchOp::Kind::kSet, std::move(path), std::move(value), std::move(variable), false};
}
PatchOp Unset(std::vector<std::string> path) { return PatchOp{PatchOp::Kind::kUnset, std::move(path), "", "U", false}; }

const char* kZeroClaw = R"(schema_version = 3
default_temperature = 0.7

[gateway]
port = 42617
host = "127.0.0.1"
require_pairing = true

[providers.models.openrouter.default]
model = "anthropic/claude-sonnet-4"
max_tokens = 4096

[agents.default]
provider = "openrouter"
tools = ["shell", "file"]

[observability]
started = 2026-01-15T09:30:00Z
day = 2026-01-15
at = 09:30:00

[[channels]]
kind = "cli"
)";

TEST_CASE("PatchDocument(toml) keeps types: integers stay integers, dates stay dates") {
  auto out = PatchDocument(ConfigFormat::kToml, kZeroClaw,
                       {Set({"gateway", "port"}, "8080"), Set({"gateway", "require_pairing"}, "no"),
                        Set({"default_temperature"}, "1"), Set({"observability", "started"}, "2027-02-01T00:00:00Z"),
                        Set({"providers", "models", "openrouter", "default", "model"}, "openai/gpt-5"),
                        Set({"agents", "default", "tools", "2"}, "web"), Set({"channels", "1", "kind"}, "telegram"),
                        Set({"gateway", "new_int"}, "7"), Set({"gateway", "new_str"}, "x y"), Unset({"schema_version"})},
                       "z.toml");
  REQUIRE_MESSAGE(out, (out ? "" : out.error().message));
  CHECK(out.value() == R"(default_temperature = 1.0

[agents.default]
provider = "openrouter"
tools = ["shell", "file", "web"]

[[channels]]
kind = "cli"

[[channels]]
kind = "telegram"

[gateway]
host = "127.0.0.1"
new_int = 7
new_str = "x y"
port = 8080
require_pairing = false

[observability]
at = 09:30:00
day = 2026-01-15
started = 2027-02-01T00:00:00Z

[providers.models.openrouter.default]
max_tokens = 4096
model = "openai/gpt-5"
)");
}

TEST_CASE("PatchDocument(toml) round trip is stable") {
  auto once = PatchDocument(ConfigFormat::kToml, kZeroClaw, {}, "z.toml");
  REQUIRE(once);
  auto twice = PatchDocument(ConfigFormat::kToml, once.value(), {}, "z.toml");
  REQUIRE(twice);
  CHECK(once.value() == twice.value());
}

TEST_CASE("PatchDocument(toml) errors") {
  struct Case {
    const char* in;
    std::vector<PatchOp> ops;
    const char* want;
  };
  const std::vector<Case> cases = {
      {"a = 1\nb = = 2\n", {}, "z.toml:2:5: "},
      {"[gateway]\nport = 1\n", {Set({"gateway", "port"}, "SECRET-x", "CLAW_CONFIG__gateway__port")},
       "CLAW_CONFIG__gateway__port: expected an integer (64-bit) (the type of 'gateway.port')"},
      {"d = 2026-01-15\n", {Set({"d"}, "SECRET-x", "V")}, "V: expected a date in TOML syntax (the type of 'd')"},
      {"", {Set({"a"}, "null", "V")}, "V: this format has no null"},
      {"", {Set({"a"}, "{\"b\": [null]}", "V")}, "V: this format has no null"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.in);
    auto out = PatchDocument(ConfigFormat::kToml, c.in, c.ops, "z.toml");
    REQUIRE_FALSE(out);
    CHECK_MESSAGE(out.error().message.find(c.want) == 0, out.error().message);
    CHECK(out.error().message.find("SECRET") == std::string::npos);
  }
}

TEST_CASE("PatchDocument(toml) writes strings TOML can read back") {
  auto out = PatchDocument(ConfigFormat::kToml, "", {Set({"s"}, "quote ' and \" and \\ and\nnewline \xC3\xA9")}, "z.toml");
  REQUIRE(out);
  auto back = ParseTomlDocument(out.value(), "back.toml");
  REQUIRE(back);
  CHECK(back.value().Find("s")->text == "quote ' and \" and \\ and\nnewline \xC3\xA9");
}

TEST_CASE("WriteTomlDocument quotes keys and strings so that they read back") {
  // toml++ 3.3's own formatter left ' and control characters unquoted in
  // [table] headers; the fuzzer found it.
  for (std::string key : {"a'", "a b", "a.b", "a\"b", "\xC3\xBC", "", "a\nb", "a\tb", "'", "a]b", "x\x7F"}) {
    CAPTURE(key);
    DocNode table = DocNode::Object();
    table.members.push_back({key, DocNode::Scalar(DocNode::Type::kString, key + "\x01")});
    DocNode root = DocNode::Object();
    root.members.push_back({key, table});
    DocNode list = DocNode::Array();
    list.items.push_back(table);
    list.items.push_back(DocNode::Object());
    root.members.push_back({key + "s", list});
    root.members.push_back({"inline", DocNode::Array()});
    root.members.back().value.items.push_back(table);
    root.members.back().value.items.push_back(DocNode::Scalar(DocNode::Type::kFloat, "-inf"));
    auto out = WriteTomlDocument(root);
    REQUIRE(out);
    auto back = ParseTomlDocument(out.value(), "back.toml");
    REQUIRE_MESSAGE(back, (back ? "" : back.error().message + "\n" + out.value()));
    auto again = WriteTomlDocument(back.value());
    REQUIRE(again);
    CHECK(again.value() == out.value());
    CHECK(back.value().Find(key)->Find(key)->text == key + "\x01");
  }
}

TEST_CASE("WriteTomlDocument layout") {
  auto doc = ParseTomlDocument("[a.b]\n[a.c]\nx = 1\n[[d]]\n[[d]]\ny = {z = [1, 2.5, \"s\"]}\n", "t.toml");
  REQUIRE(doc);
  auto out = WriteTomlDocument(doc.value());
  REQUIRE(out);
  // Inline tables come out as sections; tables inside arrays of scalars stay inline.
  CHECK(out.value() == "[a.b]\n\n[a.c]\nx = 1\n\n[[d]]\n\n[[d]]\n\n[d.y]\nz = [1, 2.5, \"s\"]\n");
}

TEST_CASE("ParseTomlDocument limits nesting") {
  std::string header = "[a";
  for (int i = 0; i < 300; ++i) header += ".a";
  header += "]\nx = 1\n";
  auto doc = ParseTomlDocument(header, "deep.toml");
  REQUIRE_FALSE(doc);
  CHECK(doc.error().message.find("nesting deeper than 256 levels") != std::string::npos);
}

}  // namespace
}  // namespace claw

namespace claw {

TEST_CASE("FindNonAsciiOutsideStrings") {
  struct Case {
    const char* text;
    const char* where;  // nullptr: none
  };
  const Case cases[] = {
      {"a = \"caf\xc3\xa9\"\n", nullptr},
      {"a = 'caf\xc3\xa9'\n", nullptr},
      {"# caf\xc3\xa9\na = 1\n", nullptr},
      {"a = \"\"\"\nline \xc3\xa9 \"\" \\\"\"\" still\n\"\"\"\nb = 1\n", nullptr},
      {"a = '''\n\xc3\xa9 ''\n'''\n", nullptr},
      {"a = \"esc \\\" \xc3\xa9\"\n", nullptr},
      {"a =\xc3\xa9 1\n", "1:4"},
      {"x = 1\n\xd0\x96 = 2\n", "2:1"},
      {"t = { a = 1,\xd0\x96 b = 2 }\n", "1:13"},
      {"a = \"\xc3\xa9\" \xc3\xa9\n", "1:9"},
      {"a = \"unterminated\n\xc3\xa9\n", "2:1"},
  };
  for (const auto& c : cases) {
    CAPTURE(std::string(c.text));
    auto where = FindNonAsciiOutsideStrings(c.text);
    if (c.where == nullptr) {
      CHECK_FALSE(where.has_value());
    } else {
      REQUIRE(where.has_value());
      CHECK(*where == c.where);
    }
  }
}

TEST_CASE("a non-ASCII character where whitespace may stand is a clean TOML error") {
  auto parsed = ParseTomlDocument("a =\xc2\xa1 1\n", "c.toml");
  REQUIRE_FALSE(parsed);
  CHECK(parsed.error().message == "c.toml:1:4: non-ASCII character outside a string or comment");
}

}  // namespace claw
