#include "process/run_captured.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <optional>

#include "base/unique_fd.h"
#include "process/spawn.h"

namespace claw {
namespace {

using Clock = std::chrono::steady_clock;

constexpr size_t kMaxCapture = 64 * 1024;
// After the command exits, how long stragglers that inherited its pipes may
// keep them open before its process group is killed.
constexpr std::chrono::milliseconds kDrainAfterExit(200);

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

bool IsDirectory(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

}  // namespace

Result<CapturedRun> RunCaptured(const std::vector<std::string>& argv, const Environment& env,
                                const Credentials& creds, Duration timeout) {
  if (argv.empty() || argv.front().empty()) return Error{"empty command", ExitCode::kConfig};
  auto path = ResolveCommand(argv.front(), env);
  if (!path) return Error{path.error().message, ExitCode::kFailure};

  int out_pipe[2];
  int err_pipe[2];
  if (pipe2(out_pipe, O_CLOEXEC) != 0) return Error{std::string("pipe: ") + strerror(errno), ExitCode::kFailure};
  UniqueFd out_r(out_pipe[0]), out_w(out_pipe[1]);
  if (pipe2(err_pipe, O_CLOEXEC) != 0) return Error{std::string("pipe: ") + strerror(errno), ExitCode::kFailure};
  UniqueFd err_r(err_pipe[0]), err_w(err_pipe[1]);
  UniqueFd dev_null(open("/dev/null", O_RDONLY | O_CLOEXEC));
  if (!dev_null.valid()) return Error{std::string("open /dev/null: ") + strerror(errno), ExitCode::kFailure};

  SpawnPlan plan;
  plan.path = path.value();
  plan.argv = argv;
  plan.envp = ChildEnvironment(env, creds);
  plan.credentials = creds;
  // The caller's directory may be closed to the user it runs as.
  if (creds.drop) plan.workdir = IsDirectory(creds.home) ? creds.home : "/";
  sigemptyset(&plan.child_mask);
  plan.stdio[0] = dev_null.get();
  plan.stdio[1] = out_w.get();
  plan.stdio[2] = err_w.get();
  plan.default_signal_actions = true;
  auto spawned = Spawn(plan, /*take_terminal=*/false);
  if (!spawned) return spawned.error();
  const pid_t pid = spawned.value().pid;
  if (spawned.value().exec_error) {
    int status;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    return Error{*spawned.value().exec_error, ExitCode::kFailure};
  }
  out_w.Reset();
  err_w.Reset();

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
      // WNOWAIT: the command stays a zombie until its group is killed
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

}  // namespace claw
