#include "patchers/json5.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

namespace claw {
namespace {

TEST_CASE("Json5ToJson converts JSON5 to strict JSON") {
  struct Case {
    const char* in;
    const char* want;
  };
  const std::vector<Case> cases = {
      {R"({"a": 1})", R"({"a":1})"},
      {"// line\n{a: 1, /* block */ b: [1, 2,],}", R"({"a":1,"b":[1,2]})"},
      {"{'single': 'it\\'s \"q\"'}", R"({"single":"it's \"q\""})"},
      {"{$id_1: 0x1F, neg: -0xff, big: 0xFFFFFFFFFFFFFFFF}", R"({"$id_1":31,"neg":-255,"big":18446744073709551615})"},
      {"[+1, .5, 5., -.25e2, 1E3, 0, -0]", "[1,0.5,5.0,-0.25e2,1E3,0,-0]"},
      {"'line one \\\nline two'", R"("line one line two")"},
      {"'crlf \\\r\nend'", R"("crlf end")"},
      {R"('\v\0\x41\/\q\u00e9')", R"("\u000b\u0000\u0041/q\u00e9")"},
      {"'tab\there'", R"("tab\u0009here")"},
      {"\xEF\xBB\xBF{\"bom\": true}", R"({"bom":true})"},
      {"{\xC3\xA9t\xC3\xA9: '\xE2\x82\xAC'}", "{\"\xC3\xA9t\xC3\xA9\":\"\xE2\x82\xAC\"}"},
      {"{true: null, null: false}", R"({"true":null,"null":false})"},
      {"[[], {}, [[]]]", "[[],{},[[]]]"},
      {"'\\uD83D\\uDE00'", R"("\uD83D\uDE00")"},
      {"  42  // trailing comment", "42"},
      {"{a:1,}", R"({"a":1})"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.in);
    auto out = Json5ToJson(c.in, "t.json");
    REQUIRE_MESSAGE(out, (out ? "" : out.error().message));
    CHECK(out.value() == c.want);
  }
}

TEST_CASE("Json5ToJson errors carry line:column of the original text") {
  struct Case {
    const char* in;
    const char* want;  // full message
  };
  const std::vector<Case> cases = {
      {"{\n  a: 1\n  b: 2\n}", "t.json:3:3: expected ',' or '}'"},
      {"{a: Infinity}", "t.json:1:5: Infinity has no JSON form"},
      {"[-Infinity]", "t.json:1:2: Infinity has no JSON form"},
      {"[NaN]", "t.json:1:2: NaN has no JSON form"},
      {"[1,,2]", "t.json:1:4: expected a value"},
      {"[,]", "t.json:1:2: expected a value"},
      {"{,}", "t.json:1:2: expected a key or '}'"},
      {"{a 1}", "t.json:1:4: expected ':' after the key"},
      {"'abc", "t.json:1:1: unterminated string"},
      {"'a\nb'", "t.json:1:3: line break in a string (end the line with '\\' to continue it)"},
      {"/* never closed", "t.json:1:1: unterminated comment"},
      {"[01]", "t.json:1:2: leading zeros are not allowed"},
      {"[0x]", "t.json:1:2: invalid hexadecimal number"},
      {"[1e]", "t.json:1:3: invalid number exponent"},
      {"[.]", "t.json:1:2: invalid number"},
      {"[12ab]", "t.json:1:2: invalid number"},
      {"{a: yes}", "t.json:1:5: unexpected word (strings need quotes)"},
      {"[1] [2]", "t.json:1:5: unexpected text after the document"},
      {"", "t.json:1:1: empty document"},
      {"// only a comment\n", "t.json:2:1: empty document"},
      {"{a: [1, 2", "t.json:1:10: unexpected end of input"},
      {"'\\1'", "t.json:1:2: a digit cannot be escaped"},
      {"'\\x4'", "t.json:1:2: invalid \\x escape (two hex digits expected)"},
      {"'\\uD800'", "t.json:1:2: unpaired surrogate in a \\u escape"},
      {"'\\uDC00\\uD800'", "t.json:1:2: unpaired surrogate in a \\u escape"},
      {"'\xC3('", "t.json:1:2: invalid UTF-8"},
      {"{\xC3\xA9: 1, \xC3\xA9\xC3\xA9 2}", "t.json:1:11: expected ':' after the key"},
      {"\r\n\r\n  ]", "t.json:3:3: expected a value"},
      {"[0x1000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000]",
       "t.json:1:2: hexadecimal number too large"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.in);
    auto out = Json5ToJson(c.in, "t.json");
    REQUIRE_FALSE(out);
    CHECK(out.error().message == c.want);
  }
}

TEST_CASE("Json5ToJson handles 10,000-deep nesting without recursion") {
  const std::string deep = std::string(10000, '[') + std::string(10000, ']');
  auto out = Json5ToJson(deep, "deep.json");
  REQUIRE(out);
  CHECK(out.value() == deep);

  auto limited = Json5ToJson(deep, "deep.json", Json5Options{256});
  REQUIRE_FALSE(limited);
  CHECK(limited.error().message == "deep.json:1:257: nesting deeper than 256 levels");

  const std::string objects = [] {
    std::string s;
    for (int i = 0; i < 10000; ++i) s += "{a:";
    s += "1";
    for (int i = 0; i < 10000; ++i) s += "}";
    return s;
  }();
  CHECK(Json5ToJson(objects, "deep.json"));
}

TEST_CASE("IsValidUtf8") {
  CHECK(IsValidUtf8("plain"));
  CHECK(IsValidUtf8("\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80"));
  CHECK_FALSE(IsValidUtf8("\xC3"));
  CHECK_FALSE(IsValidUtf8("\xC0\xAF"));          // overlong '/'
  CHECK_FALSE(IsValidUtf8("\xED\xA0\x80"));      // surrogate
  CHECK_FALSE(IsValidUtf8("\xF4\x90\x80\x80"));  // > U+10FFFF
}

}  // namespace
}  // namespace claw
