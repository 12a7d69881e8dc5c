#include "patchers/json_patch.h"
#include "patchers/patch_document.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

namespace claw {
namespace {

PatchOp Set(std::vector<std::string> path, std::string value, std::string variable = "VAR") {
  return PatchOp{PatchOp::Kind::kSet, std::move(path), std::move(value), std::move(variable), false};
}

TEST_CASE("PatchDocument(json) writes strict JSON, 2-space indented, in document order") {
  const char* in = R"(// OpenClaw writes JSON5
{
  gateway: { mode: 'local', port: 18789, auth: { token: 'old', }, },
  list: [1, 2.50, -0x10, 'a'],
  empty: {}, none: [],
  'quoted key': "tab\there",
})";
  auto out = PatchDocument(ConfigFormat::kJson, in, {Set({"gateway", "port"}, "9000"), Set({"gateway", "auth", "token"}, "new")}, "o.json");
  REQUIRE_MESSAGE(out, (out ? "" : out.error().message));
  CHECK(out.value() == R"({
  "gateway": {
    "mode": "local",
    "port": 9000,
    "auth": {
      "token": "new"
    }
  },
  "list": [
    1,
    2.50,
    -16,
    "a"
  ],
  "empty": {},
  "none": [],
  "quoted key": "tab\there"
}
)");
}

TEST_CASE("PatchDocument(json) is deterministic and idempotent") {
  const char* in = "{b: 1, a: {c: [true, null, 'x']}}";
  const std::vector<PatchOp> ops = {Set({"a", "d"}, "{\"z\":1,\"y\":2}"), Set({"b"}, "5")};
  auto first = PatchDocument(ConfigFormat::kJson, in, ops, "o.json");
  auto second = PatchDocument(ConfigFormat::kJson, in, ops, "o.json");
  REQUIRE(first);
  REQUIRE(second);
  CHECK(first.value() == second.value());
  auto again = PatchDocument(ConfigFormat::kJson, first.value(), ops, "o.json");
  REQUIRE(again);
  CHECK(again.value() == first.value());
}

TEST_CASE("PatchDocument(json) errors: file:line:column, depth, no value") {
  struct Case {
    std::string in;
    std::string want;
  };
  const std::vector<Case> cases = {
      {"{\n  a: 1,\n  b: ,\n}", "cfg.json:3:6: expected a value"},
      {"{a: NaN}", "cfg.json:1:5: NaN has no JSON form"},
      {std::string(300, '['), "cfg.json:1:257: nesting deeper than 256 levels"},
      {std::string(10000, '[') + std::string(10000, ']'), "cfg.json:1:257: nesting deeper than 256 levels"},
      {"{\"a\": \"\\uDC00\"}", "cfg.json:1:8: unpaired surrogate in a \\u escape"},
      {"{\"a\": 1}\n{", "cfg.json:2:1: unexpected text after the document"},
  };
  for (const auto& c : cases) {
    auto out = PatchDocument(ConfigFormat::kJson, c.in, {}, "cfg.json");
    REQUIRE_FALSE(out);
    CHECK(out.error().message == c.want);
  }
  auto typed = PatchDocument(ConfigFormat::kJson, "{port: 1}", {Set({"port"}, "not-a-port-SECRET", "CLAW_CONFIG__port")}, "cfg.json");
  REQUIRE_FALSE(typed);
  CHECK(typed.error().message == "CLAW_CONFIG__port: expected an integer (64-bit) (the type of 'port')");
}

TEST_CASE("PatchDocument(json) reads strict JSON directly and through the JSON5 pass alike") {
  // A leading comment sends the same document the JSON5 way.
  const std::vector<std::string> cases = {
      R"({"a": 1, "b": [1.50, -0, 1E3, 2e-2, true, false, null], "c": {}, "d": []})",
      R"({"s": "\"\\\/\b\f\n\r\t\u00e9\uD83D\uDE00 \u0000", "k\u0041": "x", "k\u0041": "dup"})",
      "{\"\xC3\xA9\": \"\xE2\x82\xAC\xF0\x9F\x98\x80\"}",
      " [ 1 , { \"x\" : [ ] } ]\r\n",
      R"("top")",
      "-12",
  };
  for (const auto& c : cases) {
    CAPTURE(c);
    auto strict = PatchDocument(ConfigFormat::kJson, c, {}, "o.json");
    auto json5 = PatchDocument(ConfigFormat::kJson, "// JSON5\n" + c, {}, "o.json");
    REQUIRE_MESSAGE(strict, (strict ? "" : strict.error().message));
    REQUIRE_MESSAGE(json5, (json5 ? "" : json5.error().message));
    CHECK(strict.value() == json5.value());
  }
}

TEST_CASE("ParseJsonLiteral") {
  CHECK(ParseJsonLiteral("[1, {\"a\": \"b\"}]").value().items.size() == 2);
  CHECK(ParseJsonLiteral("42").value().type == DocNode::Type::kInt);
  CHECK(ParseJsonLiteral("4.2").value().type == DocNode::Type::kFloat);
  CHECK(ParseJsonLiteral("\"s\"").value().text == "s");
  CHECK_FALSE(ParseJsonLiteral("{a: 1}"));  // strict JSON only
  CHECK_FALSE(ParseJsonLiteral("1 2"));
  CHECK_FALSE(ParseJsonLiteral("'s'"));
  CHECK_FALSE(ParseJsonLiteral(std::string(300, '[') + std::string(300, ']')));
  CHECK_FALSE(ParseJsonLiteral("\"\xC3\""));
  CHECK_FALSE(ParseJsonLiteral("\"\\uDC00\""));  // would decode to bytes that are not UTF-8
}

TEST_CASE("WriteJsonDocument escapes strings") {
  DocNode root = DocNode::Object();
  root.members.push_back({"k\"ey", DocNode::Scalar(DocNode::Type::kString, std::string("a\\b\n\x01\xC3\xA9", 7))});
  root.members.push_back({"d", DocNode::Scalar(DocNode::Type::kDate, "1979-05-27")});
  CHECK(WriteJsonDocument(root) == "{\n  \"k\\\"ey\": \"a\\\\b\\n\\u0001\xC3\xA9\",\n  \"d\": \"1979-05-27\"\n}\n");
}

}  // namespace
}  // namespace claw
