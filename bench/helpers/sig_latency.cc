// Benchmark helper for signal forwarding and stop.
//
//   sig_latency child FIFO            runtime: on TERM, INT, USR1, USR2 or HUP
//                                     its handler writes CLOCK_MONOTONIC (ns)
//                                     to FIFO; never exits on a signal
//   sig_latency ignore READY_FILE     runtime: ignores TERM, creates
//                                     READY_FILE, waits forever
//   sig_latency drive PID FIFO SIG ROUNDS GAP_US OUT_JSON
//                                     driver: ROUNDS times, takes the time,
//                                     sends SIG to PID (the init), and reads
//                                     the handler's time from FIFO
//
// Both sides read the same clock, so a round's latency is the time from the
// kill() to the first instruction of the runtime's handler, whatever the
// driver's own wake-up delay. The child writes 0 once its handlers are in,
// so no signal is sent before it can be caught. A round that gets no answer
// within one second counts as lost.
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <vector>

namespace {

int g_fifo = -1;

int64_t NowNs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

void OnSignal(int) {
  int64_t now = NowNs();
  ssize_t ignored = write(g_fifo, &now, sizeof now);
  (void)ignored;
}

void UnblockAll() {
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
}

int RunChild(const char* fifo) {
  // O_RDWR: opening a FIFO this way never blocks waiting for the other end.
  g_fifo = open(fifo, O_RDWR | O_CLOEXEC);
  if (g_fifo < 0) return 3;
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = OnSignal;
  sa.sa_flags = SA_RESTART;
  sigfillset(&sa.sa_mask);
  for (int s : {SIGTERM, SIGINT, SIGUSR1, SIGUSR2, SIGHUP}) sigaction(s, &sa, nullptr);
  UnblockAll();
  int64_t ready = 0;
  if (write(g_fifo, &ready, sizeof ready) != sizeof ready) return 3;
  for (;;) pause();
}

int RunIgnore(const char* ready_file) {
  signal(SIGTERM, SIG_IGN);
  UnblockAll();
  int fd = open(ready_file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return 3;
  close(fd);
  for (;;) pause();
}

// Reads one 8-byte value, or returns false after timeout_ms.
bool ReadStamp(int fd, int timeout_ms, int64_t* value) {
  pollfd pfd{fd, POLLIN, 0};
  int rc;
  do {
    rc = poll(&pfd, 1, timeout_ms);
  } while (rc < 0 && errno == EINTR);
  if (rc <= 0) return false;
  return read(fd, value, sizeof *value) == sizeof *value;
}

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t i = static_cast<size_t>(p / 100.0 * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

int RunDrive(pid_t pid, const char* fifo, int signo, int rounds, int gap_us, const char* out_path) {
  int fd = open(fifo, O_RDWR | O_CLOEXEC);
  if (fd < 0) {
    perror("open fifo");
    return 3;
  }
  int64_t stamp = -1;
  if (!ReadStamp(fd, 10000, &stamp) || stamp != 0) {
    fprintf(stderr, "sig_latency: the child never said it was ready\n");
    return 4;
  }
  std::vector<double> us;
  int lost = 0;
  for (int i = 0; i < rounds; ++i) {
    usleep(static_cast<useconds_t>(gap_us));
    const int64_t t0 = NowNs();
    if (kill(pid, signo) != 0) {
      perror("kill");
      return 5;
    }
    if (!ReadStamp(fd, 1000, &stamp)) {
      ++lost;
      continue;
    }
    us.push_back(static_cast<double>(stamp - t0) / 1e3);
  }
  FILE* out = fopen(out_path, "w");
  if (out == nullptr) return 6;
  fprintf(out,
          "{\"rounds\": %d, \"answered\": %zu, \"lost\": %d, \"p50_us\": %.2f, \"p90_us\": %.2f, "
          "\"p99_us\": %.2f, \"max_us\": %.2f, \"min_us\": %.2f}\n",
          rounds, us.size(), lost, Percentile(us, 50), Percentile(us, 90), Percentile(us, 99),
          Percentile(us, 100), Percentile(us, 0));
  fclose(out);
  return lost == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc >= 3 && strcmp(argv[1], "child") == 0) return RunChild(argv[2]);
  if (argc >= 3 && strcmp(argv[1], "ignore") == 0) return RunIgnore(argv[2]);
  if (argc >= 8 && strcmp(argv[1], "drive") == 0) {
    return RunDrive(static_cast<pid_t>(atoi(argv[2])), argv[3], atoi(argv[4]), atoi(argv[5]),
                    atoi(argv[6]), argv[7]);
  }
  fprintf(stderr,
          "usage: sig_latency child FIFO | ignore READY_FILE |\n"
          "       drive PID FIFO SIGNO ROUNDS GAP_US OUT_JSON\n");
  return 2;
}
