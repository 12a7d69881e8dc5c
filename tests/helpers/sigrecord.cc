// Test helper: records every signal it receives, one number per line, in
// FILE; writes "ready" to FILE.ready once its handlers are installed. Exits
// on EXIT_SIGNAL (default TERM), with status $SIGRECORD_STATUS (default 0);
// with EXIT_SIGNAL 0 it never exits on a signal. With --fork it first forks a second recorder in the same process
// group, writing to FILE.child.
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <string>

static int g_fd = -1;
static int g_exit_signal = SIGTERM;
static int g_exit_status = 0;

static void OnSignal(int signo) {
  char buf[16];
  int n = snprintf(buf, sizeof buf, "%d\n", signo);
  ssize_t ignored = write(g_fd, buf, static_cast<size_t>(n));
  (void)ignored;
  if (signo == g_exit_signal) _exit(g_exit_status);
}

static void Record(const std::string& file) {
  g_fd = open(file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (g_fd < 0) _exit(90);
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = OnSignal;
  sigfillset(&sa.sa_mask);
  for (int s = 1; s < NSIG; ++s) {
    if (s == SIGKILL || s == SIGSTOP) continue;
    sigaction(s, &sa, nullptr);
  }
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  std::string ready = file + ".ready";
  int rfd = open(ready.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (rfd >= 0) {
    ssize_t ignored = write(rfd, "ready\n", 6);
    (void)ignored;
    close(rfd);
  }
  for (;;) pause();
}

int main(int argc, char** argv) {
  int arg = 1;
  bool fork_child = false;
  if (arg < argc && strcmp(argv[arg], "--fork") == 0) {
    fork_child = true;
    ++arg;
  }
  if (arg >= argc) {
    fprintf(stderr, "usage: sigrecord [--fork] FILE [EXIT_SIGNAL]\n");
    return 2;
  }
  std::string file = argv[arg++];
  if (arg < argc) g_exit_signal = atoi(argv[arg]);
  if (const char* status = getenv("SIGRECORD_STATUS")) g_exit_status = atoi(status);
  if (fork_child) {
    pid_t pid = fork();
    if (pid == 0) Record(file + ".child");
  }
  Record(file);
}
