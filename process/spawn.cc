#include "process/spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include "base/log.h"
#include "base/unique_fd.h"

namespace claw {
namespace {


// What the child writes to the pipe when it fails: errno and which step.
struct ChildFailure {
  int err;
  char step[60];
};

[[noreturn]] void ChildFail(int pipe_fd, const char* step, int err) {
  ChildFailure failure{};
  failure.err = err;
  size_t n = strlen(step);
  if (n >= sizeof failure.step) n = sizeof failure.step - 1;
  memcpy(failure.step, step, n);
  ssize_t ignored = write(pipe_fd, &failure, sizeof failure);
  (void)ignored;
  _exit(err == ENOENT && strcmp(step, "execve") == 0 ? 127 : 126);
}

}  // namespace

Result<std::string> ResolveCommand(const std::string& name, const Environment& env) {
  auto check = [](const std::string& path) -> Result<std::string> {
    struct stat st;
    if (stat(path.c_str(), &st) != 0) {
      return Error{path + ": " + strerror(errno), errno == ENOENT ? ExitCode::kNotFound : ExitCode::kNotExecutable};
    }
    if (S_ISDIR(st.st_mode)) return Error{path + ": is a directory", ExitCode::kNotExecutable};
    if (access(path.c_str(), X_OK) != 0) return Error{path + ": " + strerror(errno), ExitCode::kNotExecutable};
    return path;
  };
  if (name.find('/') != std::string::npos) return check(name);
  auto it = env.find("PATH");
  std::string path_var = it != env.end() ? it->second : "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
  std::optional<Error> first_denied;
  size_t start = 0;
  while (start <= path_var.size()) {
    size_t end = path_var.find(':', start);
    if (end == std::string::npos) end = path_var.size();
    std::string dir = path_var.substr(start, end - start);
    start = end + 1;
    if (dir.empty()) dir = ".";
    auto found = check(dir + "/" + name);
    if (found) return found;
    if (found.error().code == ExitCode::kNotExecutable && !first_denied) first_denied = found.error();
  }
  if (first_denied) return *first_denied;
  return Error{name + ": command not found in PATH", ExitCode::kNotFound};
}

std::vector<std::string> ChildEnvironment(const Environment& env, const Credentials& creds) {
  std::vector<std::string> out;
  for (const auto& [name, value] : env) {
    if (name.starts_with("CLAW_CONFIG__") || name.starts_with("CLAW_CONFIG_UNSET__")) continue;
    // claw-init answers the service manager itself; a runtime that also
    // did would report ready before /health passes.
    if (name == "NOTIFY_SOCKET") continue;
    out.push_back(name + "=" + value);
  }
  ApplyCredentialsToEnvironment(creds, out);
  return out;
}

std::optional<std::string> LeaveStartDirectory() {
  char* cwd = getcwd(nullptr, 0);
  if (cwd == nullptr) {
    LogWarn(std::string("getcwd: ") + strerror(errno) + "; claw-init stays in its working directory");
    return std::nullopt;
  }
  std::string start_dir(cwd);
  free(cwd);
  if (chdir("/") != 0) {
    LogWarn(std::string("chdir /: ") + strerror(errno) + "; claw-init stays in " + start_dir);
    return std::nullopt;
  }
  return start_dir;
}

Result<Spawned> Spawn(const SpawnPlan& plan, bool take_terminal) {
  // Everything the child touches is built here, before fork.
  std::vector<char*> argv;
  for (const auto& a : plan.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  std::vector<char*> envp;
  for (const auto& e : plan.envp) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);
  const char* workdir = plan.workdir ? plan.workdir->c_str() : nullptr;
  const char* start_dir = plan.start_dir ? plan.start_dir->c_str() : nullptr;

  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return Error{std::string("pipe2: ") + strerror(errno), ExitCode::kFailure};
  UniqueFd read_end(fds[0]);
  UniqueFd write_end(fds[1]);
  if (write_end.get() < 3) {
    // claw-init was started with a standard fd closed: keep the report pipe
    // clear of the child's stdio, which the child dup2s onto 0, 1, 2.
    UniqueFd moved(fcntl(write_end.get(), F_DUPFD_CLOEXEC, 3));
    if (!moved.valid()) return Error{std::string("fcntl: ") + strerror(errno), ExitCode::kFailure};
    write_end = std::move(moved);
  }

  pid_t pid = fork();
  if (pid < 0) return Error{std::string("fork: ") + strerror(errno), ExitCode::kFailure};
  if (pid == 0) {
    // Child: async-signal-safe calls only from here on.
    int wfd = write_end.get();
    if (plan.interactive) {
      if (setpgid(0, 0) != 0) ChildFail(wfd, "setpgid", errno);
      // SIGTTOU is still blocked here, so a background group may take the
      // terminal.
      if (take_terminal && tcsetpgrp(STDIN_FILENO, getpid()) != 0 && errno != ENOTTY) {
        ChildFail(wfd, "tcsetpgrp", errno);
      }
    } else if (setsid() < 0) {
      ChildFail(wfd, "setsid", errno);
    }
    for (int fd = 0; fd < 3; ++fd) {
      if (plan.stdio[fd] >= 0 && dup2(plan.stdio[fd], fd) < 0) ChildFail(wfd, "dup2", errno);
    }
    if (plan.default_signal_actions) {
      struct sigaction dfl {};
      dfl.sa_handler = SIG_DFL;
      for (int sig = 1; sig < NSIG; ++sig) sigaction(sig, &dfl, nullptr);
    }
    if (sigprocmask(SIG_SETMASK, &plan.child_mask, nullptr) != 0) ChildFail(wfd, "sigprocmask", errno);
    // With claw-init's privileges: inheriting a directory needs no search
    // permission, and the runtime user may have none there.
    if (start_dir != nullptr && chdir(start_dir) != 0) ChildFail(wfd, "chdir to the start directory", errno);
    const char* step = "drop privileges";
    if (int err = DropInChild(plan.credentials, &step); err != 0) ChildFail(wfd, step, err);
    if (workdir != nullptr && chdir(workdir) != 0) ChildFail(wfd, "chdir", errno);
    execve(plan.path.c_str(), argv.data(), envp.data());
    ChildFail(wfd, "execve", errno);
  }

  // Parent. The group is made on both sides so no signal can race it.
  if (plan.interactive) setpgid(pid, pid);
  write_end.Reset();
  Spawned spawned;
  spawned.pid = pid;
  ChildFailure failure{};
  ssize_t n;
  do {
    n = read(read_end.get(), &failure, sizeof failure);
  } while (n < 0 && errno == EINTR);
  if (n == static_cast<ssize_t>(sizeof failure)) {
    failure.step[sizeof failure.step - 1] = '\0';
    std::string what = failure.step;
    if (what == "execve") what += " " + plan.path;
    if (start_dir != nullptr && what == "chdir to the start directory") what += " " + *plan.start_dir;
    spawned.exec_error = what + ": " + strerror(failure.err);
  }
  return spawned;
}

}  // namespace claw
