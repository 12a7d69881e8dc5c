#include "app/version_probe.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <rapidjson/document.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <filesystem>
#include <regex>

#include "claw_version.h"
#include "base/files.h"
#include "base/log.h"
#include "process/spawn.h"
#include "base/unique_fd.h"

namespace claw {
namespace {

using Clock = std::chrono::steady_clock;

constexpr size_t kMaxCapture = 64 * 1024;
// Longer lines are cut before the regex sees them: libstdc++'s matcher
// recurses per character, and no version line is this long.
constexpr size_t kMaxLine = 1024;
// After the command exits, how long stragglers that inherited its pipes may
// keep them open before its process group is killed.
constexpr std::chrono::milliseconds kDrainAfterExit(200);

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

struct ExecFailure {
  int err;
  char step[40];
};

[[noreturn]] void ChildFail(int fd, const char* step, int err) {
  ExecFailure failure{};
  failure.err = err;
  strncpy(failure.step, step, sizeof failure.step - 1);
  (void)!write(fd, &failure, sizeof failure);
  _exit(err == ENOENT ? 127 : 126);
}

// Appends what is readable on `fd` to `sink` (up to kMaxCapture, the rest is
// read and dropped so the writer never blocks). Returns false at EOF.
bool Drain(int fd, std::string& sink) {
  char buf[4096];
  for (;;) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n > 0) {
      size_t keep = std::min(static_cast<size_t>(n), kMaxCapture - std::min(sink.size(), kMaxCapture));
      sink.append(buf, keep);
      continue;
    }
    if (n == 0) return false;
    if (errno == EINTR) continue;
    return errno == EAGAIN || errno == EWOULDBLOCK;
  }
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
  std::string text;
  char buf[4096];
  for (;;) {
    ssize_t n = read(fd.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Error{path + ": " + strerror(errno)};
    if (n == 0) break;
    text.append(buf, static_cast<size_t>(n));
    if (text.size() > kMaxCapture) return Error{path + ": too large for a version stamp"};
  }
  auto stamp = ParseStamp(text);
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

Result<CapturedRun> RunCaptured(const std::vector<std::string>& argv, const Environment& env,
                                const Credentials& creds, Duration timeout) {
  if (argv.empty() || argv.front().empty()) return Error{"empty command", ExitCode::kConfig};
  auto path = ResolveCommand(argv.front(), env);
  if (!path) return Error{path.error().message, ExitCode::kFailure};

  // Everything the child touches is made before the fork.
  std::vector<char*> child_argv;
  for (const auto& a : argv) child_argv.push_back(const_cast<char*>(a.c_str()));
  child_argv.push_back(nullptr);
  const std::vector<std::string> env_strings = ChildEnvironment(env, creds);
  std::vector<char*> child_env;
  for (const auto& e : env_strings) child_env.push_back(const_cast<char*>(e.c_str()));
  child_env.push_back(nullptr);
  const char* home = creds.home.c_str();

  int out_pipe[2];
  int err_pipe[2];
  int status_pipe[2];
  if (pipe2(out_pipe, O_CLOEXEC) != 0) return Error{std::string("pipe: ") + strerror(errno), ExitCode::kFailure};
  UniqueFd out_r(out_pipe[0]), out_w(out_pipe[1]);
  if (pipe2(err_pipe, O_CLOEXEC) != 0) return Error{std::string("pipe: ") + strerror(errno), ExitCode::kFailure};
  UniqueFd err_r(err_pipe[0]), err_w(err_pipe[1]);
  if (pipe2(status_pipe, O_CLOEXEC) != 0) return Error{std::string("pipe: ") + strerror(errno), ExitCode::kFailure};
  UniqueFd status_r(status_pipe[0]), status_w(status_pipe[1]);
  UniqueFd dev_null(open("/dev/null", O_RDONLY | O_CLOEXEC));
  if (!dev_null.valid()) return Error{std::string("open /dev/null: ") + strerror(errno), ExitCode::kFailure};

  pid_t pid = fork();
  if (pid < 0) return Error{std::string("fork: ") + strerror(errno), ExitCode::kFailure};
  if (pid == 0) {
    // Child: async-signal-safe calls only.
    const int sfd = status_w.get();
    setpgid(0, 0);
    if (dup2(dev_null.get(), STDIN_FILENO) < 0) ChildFail(sfd, "dup2", errno);
    if (dup2(out_w.get(), STDOUT_FILENO) < 0) ChildFail(sfd, "dup2", errno);
    if (dup2(err_w.get(), STDERR_FILENO) < 0) ChildFail(sfd, "dup2", errno);
    // Default dispositions and an empty mask, whatever claw-init had.
    struct sigaction dfl {};
    dfl.sa_handler = SIG_DFL;
    for (int sig = 1; sig < NSIG; ++sig) sigaction(sig, &dfl, nullptr);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    if (creds.drop) {
      const char* step = "drop privileges";
      if (int err = DropInChild(creds, &step); err != 0) ChildFail(sfd, step, err);
      // The caller's directory may be closed to the runtime user.
      if (chdir(home) != 0 && chdir("/") != 0) ChildFail(sfd, "chdir", errno);
    }
    execve(path.value().c_str(), child_argv.data(), child_env.data());
    ChildFail(sfd, "execve", errno);
  }

  setpgid(pid, pid);  // also in the parent, so the kill below cannot miss
  out_w.Reset();
  err_w.Reset();
  status_w.Reset();
  ExecFailure failure{};
  ssize_t n;
  do {
    n = read(status_r.get(), &failure, sizeof failure);
  } while (n < 0 && errno == EINTR);
  if (n == static_cast<ssize_t>(sizeof failure)) {
    int status;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    failure.step[sizeof failure.step - 1] = '\0';
    std::string step = failure.step;
    if (step == "execve") step += " " + path.value();
    return Error{step + ": " + strerror(failure.err), ExitCode::kFailure};
  }

  fcntl(out_r.get(), F_SETFL, O_NONBLOCK);
  fcntl(err_r.get(), F_SETFL, O_NONBLOCK);
  CapturedRun run;
  const Clock::time_point deadline = Clock::now() + timeout;
  std::optional<Clock::time_point> exited_at;
  bool out_open = true;
  bool err_open = true;
  for (;;) {
    const Clock::time_point now = Clock::now();
    if (!exited_at) {
      // WNOWAIT: the command stays a zombie until the group is killed
      // below, so its pid (the group's id) cannot be reused meanwhile.
      siginfo_t info{};
      if (waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 && info.si_pid == pid) {
        exited_at = now;
      }
    }
    if (exited_at && ((!out_open && !err_open) || now - *exited_at >= kDrainAfterExit)) break;
    if (now >= deadline) {
      run.timed_out = true;
      break;
    }
    pollfd fds[2] = {{out_open ? out_r.get() : -1, POLLIN, 0}, {err_open ? err_r.get() : -1, POLLIN, 0}};
    // Wake at least every 50 ms to notice the command's exit even while a
    // process it left behind holds the pipes open.
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now).count();
    int rc = poll(fds, 2, static_cast<int>(std::clamp<long long>(left, 0, 50)));
    if (rc < 0 && errno != EINTR) break;
    if (out_open && fds[0].revents != 0) out_open = Drain(out_r.get(), run.out);
    if (err_open && fds[1].revents != 0) err_open = Drain(err_r.get(), run.err);
  }
  // Whatever is left of the command's group goes now: the command itself on
  // a timeout, else stragglers that still hold the pipes.
  kill(-pid, SIGKILL);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  run.exit_code = run.timed_out ? 128 + SIGKILL : ExitCodeFromWaitStatus(status);
  return run;
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
