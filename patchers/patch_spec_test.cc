#include "patchers/patch_spec.h"

#include <doctest/doctest.h>

#include <map>

namespace claw {
namespace {

// A fake file system for *_FILE variables.
FileReader FakeFiles(std::map<std::string, std::string> files) {
  return [files](const std::string& path) -> Result<std::string> {
    auto it = files.find(path);
    if (it == files.end()) return Error{"No such file or directory"};
    return it->second;
  };
}

PatchOp Set(std::vector<std::string> path, std::string value, std::string variable, bool from_file = false) {
  return PatchOp{PatchOp::Kind::kSet, std::move(path), std::move(value), std::move(variable), from_file};
}
PatchOp Unset(std::vector<std::string> path, std::string variable) {
  return PatchOp{PatchOp::Kind::kUnset, std::move(path), "", std::move(variable), false};
}

TEST_CASE("PatchOpsFromEnvironment maps variables to ordered ops") {
  struct Case {
    const char* name;
    Environment env;
    ConfigAliases aliases;
    std::vector<PatchOp> want;
  };
  const std::vector<Case> cases = {
      {"nothing", {{"PATH", "/bin"}, {"CLAW_CONFIG_MODE", "merge"}}, {}, {}},
      {"one key", {{"CLAW_CONFIG__gateway__port", "9000"}}, {}, {Set({"gateway", "port"}, "9000", "CLAW_CONFIG__gateway__port")}},
      {"case kept",
       {{"CLAW_CONFIG__agents__defaults__model__Primary", "x"}},
       {},
       {Set({"agents", "defaults", "model", "Primary"}, "x", "CLAW_CONFIG__agents__defaults__model__Primary")}},
      {"single underscores stay in a segment",
       {{"CLAW_CONFIG__gateway__auth_token", "t"}},
       {},
       {Set({"gateway", "auth_token"}, "t", "CLAW_CONFIG__gateway__auth_token")}},
      {"three underscores: the third starts the next segment",
       {{"CLAW_CONFIG__a___b", "v"}},
       {},
       {Set({"a", "_b"}, "v", "CLAW_CONFIG__a___b")}},
      {"sorted by variable name, unsets last",
       {{"CLAW_CONFIG__b", "2"}, {"CLAW_CONFIG_UNSET__a", "1"}, {"CLAW_CONFIG__a", "1"}},
       {},
       {Set({"a"}, "1", "CLAW_CONFIG__a"), Set({"b"}, "2", "CLAW_CONFIG__b"), Unset({"a"}, "CLAW_CONFIG_UNSET__a")}},
      {"unset values",
       {{"CLAW_CONFIG_UNSET__a", "true"}, {"CLAW_CONFIG_UNSET__b", "0"}, {"CLAW_CONFIG_UNSET__c", ""},
        {"CLAW_CONFIG_UNSET__d", "YES"}, {"CLAW_CONFIG_UNSET__e", "no"}},
       {},
       // unsets run in reverse key order, so an array's highest index goes first
       {Unset({"d"}, "CLAW_CONFIG_UNSET__d"), Unset({"a"}, "CLAW_CONFIG_UNSET__a")}},
      {"aliases come first, sorted",
       {{"CLAW_CONFIG__gateway__auth__token", "b"}, {"ZTOKEN", "z"}, {"ATOKEN", "a"}},
       {{"ZTOKEN", "gateway.auth.token"}, {"ATOKEN", "gateway.mode"}},
       {Set({"gateway", "mode"}, "a", "ATOKEN"), Set({"gateway", "auth", "token"}, "z", "ZTOKEN"),
        Set({"gateway", "auth", "token"}, "b", "CLAW_CONFIG__gateway__auth__token")}},
      {"alias not set: no op", {{"OTHER", "1"}}, {{"OPENCLAW_GATEWAY_TOKEN", "gateway.auth.token"}}, {}},
      {"file: one trailing newline removed",
       {{"CLAW_CONFIG__gateway__auth__token_FILE", "/run/secrets/t"}},
       {},
       {Set({"gateway", "auth", "token"}, "s3cret\n", "CLAW_CONFIG__gateway__auth__token_FILE", true)}},
      {"alias file",
       {{"OPENCLAW_GATEWAY_TOKEN_FILE", "/run/secrets/crlf"}},
       {{"OPENCLAW_GATEWAY_TOKEN", "gateway.auth.token"}},
       {Set({"gateway", "auth", "token"}, "win", "OPENCLAW_GATEWAY_TOKEN_FILE", true)}},
      {"array index segments stay text",
       {{"CLAW_CONFIG__models__providers__0__name", "p"}},
       {},
       {Set({"models", "providers", "0", "name"}, "p", "CLAW_CONFIG__models__providers__0__name")}},
  };
  const FileReader files = FakeFiles({{"/run/secrets/t", "s3cret\n\n"}, {"/run/secrets/crlf", "win\r\n"}});
  for (const auto& c : cases) {
    const std::string name = c.name;
    CAPTURE(name);
    auto ops = PatchOpsFromEnvironment(c.env, c.aliases, files);
    REQUIRE_MESSAGE(ops, (ops ? "" : ops.error().message));
    CHECK(ops.value() == c.want);
  }
}

TEST_CASE("PatchOpsFromEnvironment errors name the variable, never the value") {
  struct Case {
    const char* name;
    Environment env;
    ConfigAliases aliases;
    const char* want;  // substring of the error
  };
  const std::vector<Case> cases = {
      {"doubled separator", {{"CLAW_CONFIG__a____b", "SECRETVALUE"}}, {}, "CLAW_CONFIG__a____b: empty key segment"},
      {"trailing separator", {{"CLAW_CONFIG__a__", "SECRETVALUE"}}, {}, "CLAW_CONFIG__a__: empty key segment"},
      {"no key at all", {{"CLAW_CONFIG__", "SECRETVALUE"}}, {}, "CLAW_CONFIG__: empty key segment"},
      {"file of nothing", {{"CLAW_CONFIG___FILE", "/x"}}, {}, "CLAW_CONFIG___FILE: empty key segment"},
      {"unset of empty segment", {{"CLAW_CONFIG_UNSET__a____b", "1"}}, {}, "CLAW_CONFIG_UNSET__a____b: empty key segment"},
      {"missing file", {{"CLAW_CONFIG__a_FILE", "/SECRETVALUE"}}, {}, "CLAW_CONFIG__a_FILE: cannot read the file it names"},
      {"empty file name", {{"CLAW_CONFIG__a_FILE", ""}}, {}, "CLAW_CONFIG__a_FILE: names no file"},
      {"both plain and file", {{"CLAW_CONFIG__a", "SECRETVALUE"}, {"CLAW_CONFIG__a_FILE", "/run/secrets/t"}}, {}, "both CLAW_CONFIG__a and CLAW_CONFIG__a_FILE"},
      {"both alias forms", {{"TOK", "SECRETVALUE"}, {"TOK_FILE", "/run/secrets/t"}}, {{"TOK", "a.b"}}, "both TOK and TOK_FILE"},
      {"bad unset value", {{"CLAW_CONFIG_UNSET__a", "SECRETVALUE"}}, {}, "CLAW_CONFIG_UNSET__a: must be 1, true or yes"},
      {"typo of the prefix", {{"CLAW_CONFIG_gateway__port", "SECRETVALUE"}}, {}, "CLAW_CONFIG_gateway__port: unknown variable"},
      {"bad alias key", {{"TOK", "SECRETVALUE"}}, {{"TOK", "a..b"}}, "config.env.TOK: empty key segment"},
  };
  const FileReader files = FakeFiles({{"/run/secrets/t", "s"}});
  for (const auto& c : cases) {
    const std::string name = c.name;
    CAPTURE(name);
    auto ops = PatchOpsFromEnvironment(c.env, c.aliases, files);
    REQUIRE_FALSE(ops);
    CHECK_MESSAGE(ops.error().message.find(c.want) != std::string::npos, ops.error().message);
    CHECK(ops.error().message.find("SECRETVALUE") == std::string::npos);
    CHECK(ops.error().code == ExitCode::kConfig);
  }
}

TEST_CASE("PatchOpsFromEnvironment refuses overlong paths") {
  std::string name = "CLAW_CONFIG__a";
  for (size_t i = 0; i < kMaxPathSegments; ++i) name += "__a";
  auto ops = PatchOpsFromEnvironment({{name, "1"}}, {}, FakeFiles({}));
  REQUIRE_FALSE(ops);
  CHECK(ops.error().message.find("longer than") != std::string::npos);
}

TEST_CASE("HasConfigVariables") {
  CHECK_FALSE(HasConfigVariables({{"CLAW_CONFIG_MODE", "off"}, {"HOME", "/"}}, {}));
  CHECK(HasConfigVariables({{"CLAW_CONFIG__a", "1"}}, {}));
  CHECK(HasConfigVariables({{"CLAW_CONFIG_UNSET__a", "1"}}, {}));
  CHECK(HasConfigVariables({{"TOK_FILE", "/x"}}, {{"TOK", "a"}}));
  CHECK_FALSE(HasConfigVariables({{"TOK2", "/x"}}, {{"TOK", "a"}}));
}

TEST_CASE("JoinPath") {
  CHECK(JoinPath({"gateway", "auth", "token"}) == "gateway.auth.token");
  CHECK(JoinPath({"a"}) == "a");
  CHECK(JoinPath({}) == "");
}

}  // namespace
}  // namespace claw

namespace claw {

TEST_CASE("NaturalPathLess orders numeric segments by value") {
  using P = std::vector<std::string>;
  CHECK(NaturalPathLess(P{"a", "2"}, P{"a", "10"}));
  CHECK_FALSE(NaturalPathLess(P{"a", "10"}, P{"a", "2"}));
  CHECK(NaturalPathLess(P{"a", "9", "x"}, P{"a", "10"}));
  CHECK(NaturalPathLess(P{"a"}, P{"a", "0"}));
  CHECK(NaturalPathLess(P{"A"}, P{"a"}));            // case-sensitive, bytewise
  CHECK(NaturalPathLess(P{"a", "10"}, P{"a", "b"}));  // mixed: bytewise
  CHECK(NaturalPathLess(P{"a", "01"}, P{"a", "1"}));  // same value: spelling decides
}

TEST_CASE("twelve array items by index apply in index order; unsets run highest index first") {
  Environment env;
  for (int i = 0; i < 12; ++i) env["CLAW_CONFIG__list__" + std::to_string(i)] = std::to_string(i);
  env["CLAW_CONFIG_UNSET__old__1"] = "1";
  env["CLAW_CONFIG_UNSET__old__10"] = "1";
  env["CLAW_CONFIG_UNSET__old__2"] = "1";
  auto ops = PatchOpsFromEnvironment(env, {}, [](const std::string&) -> Result<std::string> { return Error{"no"}; });
  REQUIRE(ops);
  REQUIRE(ops.value().size() == 15);
  for (int i = 0; i < 12; ++i) CHECK(ops.value()[static_cast<size_t>(i)].path.back() == std::to_string(i));
  CHECK(ops.value()[12].path.back() == "10");
  CHECK(ops.value()[13].path.back() == "2");
  CHECK(ops.value()[14].path.back() == "1");
}

}  // namespace claw
