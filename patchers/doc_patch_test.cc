#include "patchers/doc_patch.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "patchers/json5.h"
#include "patchers/json_patch.h"

namespace claw {
namespace {

PatchOp Set(std::vector<std::string> path, std::string value, std::string variable = "VAR") {
  return PatchOp{PatchOp::Kind::kSet, std::move(path), std::move(value), std::move(variable), false};
}
PatchOp Unset(std::vector<std::string> path, std::string variable = "UNSET") {
  return PatchOp{PatchOp::Kind::kUnset, std::move(path), "", std::move(variable), false};
}

// Patches JSON `in` and returns the result as compact JSON, or the error.
std::string Patch(const std::string& in, const std::vector<PatchOp>& ops, PatchRules rules = {}) {
  auto doc = ParseJsonDocument(in, "in.json");
  if (!doc) return "PARSE: " + doc.error().message;
  auto status = ApplyPatchOps(doc.value(), ops, rules, nullptr);
  if (!status) return "ERROR: " + status.error().message;
  return Json5ToJson(WriteJsonDocument(doc.value()), "out").value();
}

TEST_CASE("ApplyPatchOps: existing keys keep their type") {
  struct Case {
    const char* in;
    const char* value;
    const char* want;
  };
  const std::vector<Case> cases = {
      {R"({"k": 1})", "9000", R"({"k":9000})"},
      {R"({"k": 1})", "+7", R"({"k":7})"},
      {R"({"k": 1})", "-9223372036854775808", R"({"k":-9223372036854775808})"},
      {R"({"k": 1})", "9223372036854775808", "ERROR: VAR: expected an integer (64-bit) (the type of 'k')"},
      {R"({"k": 1})", "1.5", "ERROR: VAR: expected an integer (64-bit) (the type of 'k')"},
      {R"({"k": 1})", "abc", "ERROR: VAR: expected an integer (64-bit) (the type of 'k')"},
      {R"({"k": 1})", "", "ERROR: VAR: expected an integer (64-bit) (the type of 'k')"},
      {R"({"k": true})", "no", R"({"k":false})"},
      {R"({"k": false})", "YES", R"({"k":true})"},
      {R"({"k": false})", "1", R"({"k":true})"},
      {R"({"k": true})", "0", R"({"k":false})"},
      {R"({"k": true})", "False", R"({"k":false})"},
      {R"({"k": true})", "maybe", "ERROR: VAR: expected a boolean (true, false, 1, 0, yes, no) (the type of 'k')"},
      {R"({"k": 1.5})", "2", R"({"k":2.0})"},
      {R"({"k": 1.5})", "1e3", R"({"k":1000.0})"},
      {R"({"k": 1.5})", "0.1", R"({"k":0.1})"},
      {R"({"k": 1.5})", "-2.5e-7", R"({"k":-2.5e-07})"},
      {R"({"k": 1.5})", "inf", "ERROR: VAR: expected a finite number (the type of 'k')"},
      {R"({"k": 1.5})", "1.5x", "ERROR: VAR: expected a finite number (the type of 'k')"},
      {R"({"k": "s"})", "42", R"({"k":"42"})"},
      {R"({"k": "s"})", "true", R"({"k":"true"})"},
      {R"({"k": "s"})", "[1]", R"({"k":"[1]"})"},
      {R"({"k": "s"})", "", R"({"k":""})"},
      {R"({"k": [0]})", "[1, \"a\"]", R"({"k":[1,"a"]})"},
      {R"({"k": [0]})", "{}", "ERROR: VAR: expected a JSON array [..] (the type of 'k')"},
      {R"({"k": [0]})", "a,b", "ERROR: VAR: expected a JSON array [..] (the type of 'k')"},
      {R"({"k": {"a": 1}})", R"({"b": 2})", R"({"k":{"b":2}})"},
      {R"({"k": {"a": 1}})", "[]", "ERROR: VAR: expected a JSON object {..} (the type of 'k')"},
      {R"({"k": null})", "42", R"({"k":42})"},
      {R"({"k": null})", "hello", R"({"k":"hello"})"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.in);
    CAPTURE(c.value);
    CHECK(Patch(c.in, {Set({"k"}, c.value)}) == c.want);
  }
}

TEST_CASE("ApplyPatchOps: new keys take the JSON literal the value spells") {
  struct Case {
    const char* value;
    const char* want;
  };
  const std::vector<Case> cases = {
      {"42", R"({"k":42})"},
      {"-1.5", R"({"k":-1.5})"},
      {"1e400", R"({"k":"1e400"})"},  // beyond a double: not a literal RapidJSON reads
      {"true", R"({"k":true})"},
      {"null", R"({"k":null})"},
      {R"(["a", 1])", R"({"k":["a",1]})"},
      {R"({"x": {"y": []}})", R"({"k":{"x":{"y":[]}}})"},
      {R"("quoted")", R"({"k":"quoted"})"},
      {"hello world", R"({"k":"hello world"})"},
      {"yes", R"({"k":"yes"})"},
      {" 42", R"({"k":" 42"})"},
      {"42 ", R"({"k":"42 "})"},
      {"", R"({"k":""})"},
      {"[1,", R"({"k":"[1,"})"},
      {"0x1F", R"({"k":"0x1F"})"},
      {"anthropic/claude-opus-4-6", R"({"k":"anthropic/claude-opus-4-6"})"},
      {"line\nbreak \"q\" \\", R"({"k":"line\nbreak \"q\" \\"})"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.value);
    CHECK(Patch("{}", {Set({"k"}, c.value)}) == c.want);
  }
}

TEST_CASE("ApplyPatchOps: paths, intermediates, arrays and unsets") {
  struct Case {
    const char* name;
    const char* in;
    std::vector<PatchOp> ops;
    const char* want;
  };
  const std::vector<Case> cases = {
      {"creates objects", "{}", {Set({"a", "b", "c"}, "1")}, R"({"a":{"b":{"c":1}}})"},
      {"keeps key order, appends new keys", R"({"z":1,"a":{"y":1}})", {Set({"a", "b"}, "2"), Set({"m"}, "3")},
       R"({"z":1,"a":{"y":1,"b":2},"m":3})"},
      {"case-sensitive keys", R"({"Port":1})", {Set({"port"}, "2")}, R"({"Port":1,"port":2})"},
      {"index sets an item, keeping its type", R"({"a":[1,2]})", {Set({"a", "1"}, "5")}, R"({"a":[1,5]})"},
      {"index == length appends", R"({"a":[1]})", {Set({"a", "1"}, "x")}, R"({"a":[1,"x"]})"},
      {"index into nested objects", R"({"p":[{"id":"a","n":1}]})", {Set({"p", "0", "n"}, "2")}, R"({"p":[{"id":"a","n":2}]})"},
      {"append an object through its field", R"({"p":[{"id":"a"}]})", {Set({"p", "1", "id"}, "b")},
       R"({"p":[{"id":"a"},{"id":"b"}]})"},
      {"numeric next segment creates an array", "{}", {Set({"a", "0", "b"}, "1")}, R"({"a":[{"b":1}]})"},
      {"numeric key in an object stays a key", R"({"codes":{"404":"x"}})", {Set({"codes", "404"}, "y")},
       R"({"codes":{"404":"y"}})"},
      {"null intermediate becomes a container", R"({"a":null})", {Set({"a", "b"}, "1")}, R"({"a":{"b":1}})"},
      {"duplicate keys: the last one counts", R"({"a":1,"a":2})", {Set({"a"}, "3")}, R"({"a":1,"a":3})"},
      {"later op wins", "{}", {Set({"a"}, "1"), Set({"a"}, "2")}, R"({"a":2})"},
      {"unset a key", R"({"a":{"b":1,"c":2}})", {Unset({"a", "b"})}, R"({"a":{"c":2}})"},
      {"unset removes duplicates too", R"({"a":1,"b":0,"a":2})", {Unset({"a"})}, R"({"b":0})"},
      {"unset an array item", R"({"a":[1,2,3]})", {Unset({"a", "1"})}, R"({"a":[1,3]})"},
      {"unset of a missing key", R"({"a":1})", {Unset({"x", "y"})}, R"({"a":1})"},
      {"unset through a scalar", R"({"a":1})", {Unset({"a", "y"})}, R"({"a":1})"},
      {"unset past the end", R"({"a":[1]})", {Unset({"a", "5"})}, R"({"a":[1]})"},
      {"past the end", R"({"a":[1]})", {Set({"a", "2"}, "1")},
       "ERROR: VAR: index 2 is past the end of 'a' (1 items; 1 appends)"},
      {"not an index", R"({"a":[1]})", {Set({"a", "x"}, "1")}, "ERROR: VAR: 'a' is an array and 'x' is not an index"},
      {"leading zero is not an index", R"({"a":[1]})", {Set({"a", "01"}, "1")},
       "ERROR: VAR: 'a' is an array and '01' is not an index"},
      {"through a scalar", R"({"a":"s"})", {Set({"a", "b"}, "1")}, "ERROR: VAR: 'a' is a string, not an object or an array"},
      {"root array", "[1]", {Set({"0"}, "2")}, "[2]"},
      {"root scalar", "1", {Set({"a"}, "2")}, "ERROR: VAR: the document is an integer, not an object or an array"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.name);
    CHECK(Patch(c.in, c.ops) == c.want);
  }
}

TEST_CASE("ApplyPatchOps: TOML rules refuse null, errors never hold the value") {
  PatchRules toml{.allow_null = false};
  CHECK(Patch("{}", {Set({"a"}, "null", "V")}, toml).find("ERROR: V: this format has no null") == 0);
  CHECK(Patch("{}", {Set({"a"}, "[1, null]", "V")}, toml).find("ERROR: V: this format has no null") == 0);
  CHECK(Patch(R"({"a":"x"})", {Set({"a"}, "null", "V")}, toml) == R"({"a":"null"})");

  const std::string secret = "hunter2-SECRET";
  for (const char* in : {R"({"k":1})", R"({"k":true})", R"({"k":[1]})", R"({"k":{}})", R"({"k":1.5})"}) {
    const std::string out = Patch(in, {Set({"k"}, secret, "CLAW_CONFIG__k")});
    CHECK(out.find("ERROR: CLAW_CONFIG__k: ") == 0);
    CHECK(out.find(secret) == std::string::npos);
  }
  CHECK(Patch("{}", {Set({"k"}, "bad\xC3", "V")}) == "ERROR: V: the value is not valid UTF-8");
  CHECK(Patch("{}", {Set({"k\xFF"}, "1", "V")}) == "ERROR: V: the key is not valid UTF-8");
}

TEST_CASE("ApplyPatchOps reports what it did") {
  auto doc = ParseJsonDocument(R"({"a":1})", "in");
  REQUIRE(doc);
  std::vector<std::string> applied;
  REQUIRE(ApplyPatchOps(doc.value(), {Set({"a"}, "2", "CLAW_CONFIG__a"), Unset({"b"}, "CLAW_CONFIG_UNSET__b"),
                                      Unset({"a"}, "CLAW_CONFIG_UNSET__a")},
                        {}, &applied));
  CHECK(applied == std::vector<std::string>{"set a from CLAW_CONFIG__a", "unset b from CLAW_CONFIG_UNSET__b (was not set)",
                                            "unset a from CLAW_CONFIG_UNSET__a"});
}

TEST_CASE("ConvertValue to TOML dates and times") {
  using Type = DocNode::Type;
  struct Case {
    const char* raw;
    Type type;
    const char* want;  // nullptr: refused
  };
  const std::vector<Case> cases = {
      {"1979-05-27", Type::kDate, "1979-05-27"},
      {"1979-05-27T07:32:00Z", Type::kDateTime, "1979-05-27T07:32:00Z"},
      {"1979-05-27 07:32:00", Type::kDateTime, "1979-05-27T07:32:00"},
      {"07:32:00 # a comment", Type::kTime, "07:32:00"},
      {"1979-05-27\n", Type::kDate, "1979-05-27"},
      {"1979-05-27", Type::kDateTime, nullptr},
      {"yesterday", Type::kDate, nullptr},
      {"1979-05-27\nx = 1", Type::kDate, nullptr},
  };
  for (const auto& c : cases) {
    CAPTURE(c.raw);
    auto v = ConvertValue(c.raw, c.type);
    CHECK(static_cast<bool>(v) == (c.want != nullptr));
    if (v && c.want) CHECK(v.value().text == c.want);
  }
}

TEST_CASE("FormatDouble keeps floats floats") {
  CHECK(FormatDouble(2) == "2.0");
  CHECK(FormatDouble(0.1) == "0.1");
  CHECK(FormatDouble(1e300) == "1e+300");
  CHECK(FormatDouble(-0.5) == "-0.5");
}

}  // namespace
}  // namespace claw
