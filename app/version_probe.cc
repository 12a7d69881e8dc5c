#include "app/version_probe.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>

#include <rapidjson/document.h>

#include <cctype>
#include <cstdio>
#include <filesystem>
#include <regex>

#include "claw_version.h"
#include "base/files.h"
#include "base/log.h"
#include "process/run_captured.h"
#include "base/unique_fd.h"

namespace claw {
namespace {

constexpr size_t kMaxStamp = 64 * 1024;
// Longer lines are cut before the regex sees them: libstdc++'s matcher
// recurses per character, and no version line is this long.
constexpr size_t kMaxLine = 1024;

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::string StringMember(const rapidjson::Value& object, const char* name) {
  auto it = object.FindMember(name);
  if (it == object.MemberEnd() || !it->value.IsString()) return "";
  return std::string(it->value.GetString(), it->value.GetStringLength());
}

std::string JoinCommand(const std::vector<std::string>& argv) {
  std::string out;
  for (const auto& a : argv) out += (out.empty() ? "" : " ") + a;
  return out;
}

}  // namespace

Result<std::optional<VersionMatch>> ExtractVersion(std::string_view output, std::string_view pattern) {
  try {
    const std::regex re(pattern.begin(), pattern.end(), std::regex::ECMAScript);
    size_t start = 0;
    while (start < output.size()) {
      size_t end = output.find('\n', start);
      if (end == std::string_view::npos) end = output.size();
      std::string_view line = Trim(output.substr(start, end - start));
      start = end + 1;
      if (line.empty()) continue;
      if (line.size() > kMaxLine) line = line.substr(0, kMaxLine);
      std::match_results<std::string_view::const_iterator> m;
      if (!std::regex_search(line.begin(), line.end(), m, re)) continue;
      std::string version = m.size() > 1 && m[1].matched ? m[1].str() : m[0].str();
      version = std::string(Trim(version));
      if (!version.empty() && (version[0] == 'v' || version[0] == 'V')) version.erase(0, 1);
      if (version.empty()) continue;
      return std::optional<VersionMatch>(VersionMatch{version, std::string(line)});
    }
    return std::optional<VersionMatch>();
  } catch (const std::regex_error& e) {
    return Error{"invalid version regex '" + std::string(pattern) + "': " + e.what(), ExitCode::kConfig};
  } catch (const std::exception& e) {
    return Error{std::string("version regex: ") + e.what(), ExitCode::kFailure};
  }
}

std::string StampJson(const VersionStamp& stamp) {
  return "{\"runtime\":\"" + JsonEscape(stamp.runtime) + "\",\"version\":\"" + JsonEscape(stamp.version) +
         "\",\"raw\":\"" + JsonEscape(stamp.raw) + "\",\"claw_init\":\"" + JsonEscape(stamp.claw_init) + "\"}\n";
}

Result<VersionStamp> ParseStamp(std::string_view text) {
  rapidjson::Document doc;
  doc.Parse(text.data(), text.size());
  if (doc.HasParseError()) return Error{"not valid JSON (offset " + std::to_string(doc.GetErrorOffset()) + ")"};
  if (!doc.IsObject()) return Error{"not a JSON object"};
  VersionStamp stamp;
  stamp.version = StringMember(doc, "version");
  if (stamp.version.empty()) return Error{"no \"version\" string"};
  stamp.runtime = StringMember(doc, "runtime");
  stamp.raw = StringMember(doc, "raw");
  stamp.claw_init = StringMember(doc, "claw_init");
  return stamp;
}

std::string RuntimeName(const Options& options) {
  if (!options.profile.name.empty()) return options.profile.name;
  if (options.command.empty()) return "";
  const std::string& program = options.command.front();
  return program.substr(program.rfind('/') == std::string::npos ? 0 : program.rfind('/') + 1);
}

Result<std::optional<VersionStamp>> ReadVersionStamp(const std::string& path) {
  UniqueFd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) {
    if (errno == ENOENT) return std::optional<VersionStamp>();
    return Error{path + ": " + strerror(errno)};
  }
  auto text = ReadAll(fd.get(), kMaxStamp);
  if (!text) return Error{path + ": " + text.error().message};
  auto stamp = ParseStamp(text.value());
  if (!stamp) return stamp.error().Prefixed(path);
  return std::optional<VersionStamp>(std::move(stamp).value());
}

std::string StampedVersion(const std::string& path) {
  auto stamp = ReadVersionStamp(path);
  if (!stamp) {
    LogWarn("version stamp ignored: " + stamp.error().message);
    return "";
  }
  return stamp.value() ? stamp.value()->version : "";
}

Status WriteVersionStamp(const std::string& path, const VersionStamp& stamp) {
  std::filesystem::path target(path);
  std::filesystem::path dir = target.parent_path();
  if (dir.empty()) dir = ".";
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Error{"create " + dir.string() + ": " + ec.message(), ExitCode::kFailure};

  UniqueFd dir_fd(open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!dir_fd.valid()) return Error{"open " + dir.string() + ": " + strerror(errno), ExitCode::kFailure};
  FileSpec spec;
  spec.mode = 0644;  // readable by the runtime user, whoever that is
  auto written = WriteFileAtomicAt(dir_fd.get(), target.filename().string(), StampJson(stamp), spec, path);
  if (!written) return Error{written.error().message, ExitCode::kFailure};
  return Ok{};
}

Result<VersionStamp> ProbeVersion(const Options& options, const Environment& env, Duration timeout) {
  const std::vector<std::string>& command = options.profile.version_command;
  if (command.empty()) {
    return Error{"no version command: set [version] command in the profile", ExitCode::kConfig};
  }
  const std::string pattern = options.profile.version_regex.value_or(kDefaultVersionRegex);
  // Check the pattern before running anything, so a bad one is a config error.
  if (auto check = ExtractVersion("", pattern); !check) return check.error();

  auto creds = ResolveCredentials(UserRequest{options.user, options.caps});
  if (!creds) return Error{creds.error().message, ExitCode::kConfig}.Prefixed("user");
  const std::string shown = "'" + JoinCommand(command) + "'";
  auto run = RunCaptured(command, env, creds.value(), timeout);
  if (!run) return run.error().Prefixed("version command " + shown);
  const CapturedRun& r = run.value();
  if (r.timed_out) {
    return Error{"version command " + shown + " did not finish within " + FormatDuration(timeout) + "; killed",
                 ExitCode::kFailure};
  }
  if (r.exit_code != 0) {
    return Error{"version command " + shown + " exited with status " + std::to_string(r.exit_code),
                 ExitCode::kFailure};
  }
  // Only stdout: stderr carries warnings that quote other versions (Node's
  // deprecation notices), and a wrong stamp is worse than a loud failure. A
  // tool that prints its version on stderr is wrapped in the profile:
  // ["sh", "-c", "tool --version 2>&1"].
  auto found = ExtractVersion(r.out, pattern);
  if (!found) return found.error();
  const std::optional<VersionMatch>& match = found.value();
  if (!match) {
    return Error{"no version in the output of " + shown + " (" + std::to_string(r.out.size()) + " bytes on stdout, " +
                     std::to_string(r.err.size()) + " on stderr; regex " + pattern + ")",
                 ExitCode::kFailure};
  }
  return VersionStamp{RuntimeName(options), match->version, match->line, CLAW_INIT_VERSION};
}

int RunVersionStamp(const Options& options, const Environment& env) {
  auto stamp = ProbeVersion(options, env);
  if (!stamp) {
    LogError("version stamp: " + stamp.error().message);
    return ToInt(stamp.error().code);
  }
  if (auto st = WriteVersionStamp(options.version_stamp, stamp.value()); !st) {
    LogError("version stamp: " + st.error().message);
    return ToInt(ExitCode::kFailure);
  }
  LogInfo("version stamp: " + (stamp.value().runtime.empty() ? std::string("runtime") : stamp.value().runtime) +
          " " + stamp.value().version + " written to " + options.version_stamp);
  return 0;
}

int RunVersionProbe(const Options& options, const Environment& env) {
  std::optional<VersionStamp> found;
  auto stamp = ReadVersionStamp(options.version_stamp);
  if (!stamp) {
    LogWarn("version-probe: ignoring the stamp file: " + stamp.error().message);
  } else {
    found = stamp.value();
  }
  if (!found) {
    auto probed = ProbeVersion(options, env);
    if (!probed) {
      LogWarn("version-probe: no version: " + probed.error().message);
      return 0;
    }
    found = probed.value();
  }
  const std::string line = options.json ? StampJson(*found) : found->version + "\n";
  std::fwrite(line.data(), 1, line.size(), stdout);
  std::fflush(stdout);
  return 0;
}

}  // namespace claw
