#include "app/version_probe.h"

#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <vector>
#include "tests/test_util.h"

namespace claw {
namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

std::optional<std::string> Version(std::string_view output, std::string_view pattern = kDefaultVersionRegex) {
  auto r = ExtractVersion(output, pattern);
  REQUIRE(r);
  if (!r.value()) return std::nullopt;
  return r.value()->version;
}

Options WithVersionCommand(std::vector<std::string> command) {
  Options options;
  options.profile.name = "openclaw";
  options.profile.version_command = std::move(command);
  return options;
}

}  // namespace

TEST_CASE("ExtractVersion reads every real output of the contract") {
  struct Case {
    const char* output;
    const char* want;
  };
  const std::vector<Case> cases = {
      {"OpenClaw 2026.9.6 (eb377ac)\n", "2026.9.6"},
      {"2026.3.1\n", "2026.3.1"},
      {"2026.1.24-3\n", "2026.1.24-3"},
      {"zeroclaw 0.8.4\n", "0.8.4"},
      {"nullclaw 2026.2.26\n", "2026.2.26"},
      {"0.2.1 (git: 1a2b3c4)\n", "0.2.1"},
      {"v1.2.3\n", "1.2.3"},
      {"tool version 1.2.3-rc.1+build\n", "1.2.3-rc.1"},
      {"(node:7) Warning: something\r\nOpenClaw 2026.9.6\r\n", "2026.9.6"},
      {"  \n\n 3.4.5 \n", "3.4.5"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.output);
    CHECK(Version(c.output) == std::optional<std::string>(c.want));
  }
}

TEST_CASE("ExtractVersion: no version, custom patterns, bad patterns") {
  CHECK(Version("") == std::nullopt);
  CHECK(Version("garbage\nmore garbage 1.2\n") == std::nullopt);
  CHECK(Version(std::string(100000, '9')) == std::nullopt);  // no dots: no match, no crash
  CHECK(Version("release v7.1", R"(v\d+\.\d+)") == std::optional<std::string>("7.1"));   // whole match, v stripped
  CHECK(Version("release V7.1", R"((V\d+\.\d+))") == std::optional<std::string>("7.1"));  // group, V stripped
  CHECK(Version("build 42 ok", R"(build (\d+))") == std::optional<std::string>("42"));
  CHECK(Version("x 1.2.3", R"((nomatch)?\d+\.\d+\.\d+)") == std::optional<std::string>("1.2.3"));  // group unmatched

  auto r = ExtractVersion("1.2.3", "(unclosed");
  REQUIRE_FALSE(r);
  CHECK(r.error().code == ExitCode::kConfig);
  CHECK(r.error().message.find("invalid version regex") != std::string::npos);

  auto line = ExtractVersion("header\n  OpenClaw 2026.9.6 (eb377ac)  \n", kDefaultVersionRegex);
  REQUIRE(line);
  REQUIRE(line.value());
  CHECK(line.value()->line == "OpenClaw 2026.9.6 (eb377ac)");
}

TEST_CASE("StampJson and ParseStamp") {
  VersionStamp stamp{"openclaw", "2026.9.6", "OpenClaw 2026.9.6 (\"eb377ac\")", "0.1.0"};
  const std::string json = StampJson(stamp);
  CHECK(json ==
        "{\"runtime\":\"openclaw\",\"version\":\"2026.9.6\",\"raw\":\"OpenClaw 2026.9.6 (\\\"eb377ac\\\")\","
        "\"claw_init\":\"0.1.0\"}\n");
  auto back = ParseStamp(json);
  REQUIRE(back);
  CHECK(back.value().runtime == stamp.runtime);
  CHECK(back.value().version == stamp.version);
  CHECK(back.value().raw == stamp.raw);
  CHECK(back.value().claw_init == stamp.claw_init);

  const char* bad[] = {"", "{", "[]", "{\"runtime\":\"x\"}", "{\"version\":\"\"}", "{\"version\":7}"};
  for (const char* text : bad) {
    CAPTURE(text);
    CHECK_FALSE(ParseStamp(text));
  }
  CHECK(ParseStamp("{\"version\":\"1.0.0\",\"extra\":[1]}"));
}

TEST_CASE("RuntimeName") {
  Options options;
  CHECK(RuntimeName(options) == "");
  options.command = {"/usr/local/bin/zeroclaw", "daemon"};
  CHECK(RuntimeName(options) == "zeroclaw");
  options.command = {"nullclaw"};
  CHECK(RuntimeName(options) == "nullclaw");
  options.profile.name = "openclaw";
  CHECK(RuntimeName(options) == "openclaw");
}

TEST_CASE("ProbeVersion") {
  Environment env = PathOnlyEnvironment();
  auto ok = ProbeVersion(WithVersionCommand({"sh", "-c", "echo 'OpenClaw 2026.9.6 (eb377ac)'"}), env);
  REQUIRE(ok);
  CHECK(ok.value().runtime == "openclaw");
  CHECK(ok.value().version == "2026.9.6");
  CHECK(ok.value().raw == "OpenClaw 2026.9.6 (eb377ac)");
  CHECK_FALSE(ok.value().claw_init.empty());

  // Only stdout counts: stderr noise quoting a version is not the version.
  auto on_stderr = ProbeVersion(WithVersionCommand({"sh", "-c", "echo 'node v18.0.0 deprecated' >&2; echo x"}), env);
  REQUIRE_FALSE(on_stderr);
  CHECK(on_stderr.error().message.find("2 bytes on stdout, 24 on stderr") != std::string::npos);
  auto wrapped = ProbeVersion(WithVersionCommand({"sh", "-c", "echo 'zeroclaw 0.8.4' >&2", "2>&1"}), env);
  REQUIRE_FALSE(wrapped);  // sh -c takes one script; the redirection must be inside it
  auto inside = ProbeVersion(WithVersionCommand({"sh", "-c", "(echo 'zeroclaw 0.8.4' >&2) 2>&1"}), env);
  REQUIRE(inside);
  CHECK(inside.value().version == "0.8.4");

  auto failed = ProbeVersion(WithVersionCommand({"sh", "-c", "echo 'needs node 18.0.0'; exit 1"}), env);
  REQUIRE_FALSE(failed);
  CHECK(failed.error().code == ExitCode::kFailure);
  CHECK(failed.error().message.find("exited with status 1") != std::string::npos);

  auto garbage = ProbeVersion(WithVersionCommand({"sh", "-c", "echo garbage"}), env);
  REQUIRE_FALSE(garbage);
  CHECK(garbage.error().code == ExitCode::kFailure);
  CHECK(garbage.error().message.find("no version") != std::string::npos);

  auto empty = ProbeVersion(WithVersionCommand({"true"}), env);
  REQUIRE_FALSE(empty);
  CHECK(empty.error().code == ExitCode::kFailure);

  auto hung = ProbeVersion(WithVersionCommand({"sleep", "30"}), env, milliseconds(200));
  REQUIRE_FALSE(hung);
  CHECK(hung.error().message.find("did not finish within 200ms") != std::string::npos);

  auto none = ProbeVersion(Options{}, env);
  REQUIRE_FALSE(none);
  CHECK(none.error().code == ExitCode::kConfig);

  Options bad_regex = WithVersionCommand({"true"});
  bad_regex.profile.version_regex = "([";
  auto bad = ProbeVersion(bad_regex, env);
  REQUIRE_FALSE(bad);
  CHECK(bad.error().code == ExitCode::kConfig);

  auto missing = ProbeVersion(WithVersionCommand({"no-such-command-claw", "--version"}), env);
  REQUIRE_FALSE(missing);
  CHECK(missing.error().code == ExitCode::kFailure);
}

TEST_CASE("WriteVersionStamp and ReadVersionStamp") {
  TempDir dir;
  const std::string path = dir.path + "/etc/claw/version.json";
  auto absent = ReadVersionStamp(path);
  REQUIRE(absent);
  CHECK_FALSE(absent.value());

  VersionStamp stamp{"openclaw", "2026.9.6", "OpenClaw 2026.9.6 (eb377ac)", "0.1.0"};
  REQUIRE(WriteVersionStamp(path, stamp));
  auto read = ReadVersionStamp(path);
  REQUIRE(read);
  REQUIRE(read.value());
  CHECK(read.value()->version == "2026.9.6");
  struct stat st;
  REQUIRE(stat(path.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0644);
  // Only the stamp is left in its directory: no temporary files.
  int entries = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir.path + "/etc/claw")) {
    (void)e;
    ++entries;
  }
  CHECK(entries == 1);

  // Same inputs, same bytes.
  std::ifstream in(path);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  CHECK(text == StampJson(stamp));

  std::ofstream(path) << "{not json";
  CHECK_FALSE(ReadVersionStamp(path));
}

}  // namespace claw
