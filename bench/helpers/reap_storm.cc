// Benchmark helper, run as the init's child: makes N orphans that all exit
// at the same moment, and measures how long the init (PID 1 or subreaper)
// takes to reap every one of them.
//
//   reap_storm N OUT_JSON [TIMEOUT_S]
//
// A spawner child forks the N orphans and exits, so they are reparented to
// the init at once. Each orphan blocks reading a pipe whose only writer left
// is this process; closing it is the starting gun (t0): every orphan reads
// EOF and exits. A zombie still answers kill(pid, 0); only once its parent
// has reaped it does kill fail with ESRCH. So "all reaped" is the moment
// the last of the N pids stops answering. The sweep sleeps between passes
// to leave the CPU to the init on small machines.
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <vector>

namespace {

double NowMs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

struct Shared {
  int created;
  pid_t pids[1];  // really N entries
};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: reap_storm N OUT_JSON [TIMEOUT_S]\n");
    return 2;
  }
  const int n = atoi(argv[1]);
  const char* out_path = argv[2];
  const double timeout_ms = (argc > 3 ? atof(argv[3]) : 60.0) * 1e3;
  if (n <= 0) return 2;

  size_t bytes = sizeof(Shared) + sizeof(pid_t) * static_cast<size_t>(n);
  auto* shared = static_cast<Shared*>(
      mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0));
  if (shared == MAP_FAILED) return 3;

  int gate[2];
  if (pipe(gate) != 0) return 3;

  const double fork_start = NowMs();
  pid_t spawner = fork();
  if (spawner < 0) return 3;
  if (spawner == 0) {
    for (int i = 0; i < n; ++i) {
      pid_t pid = fork();
      if (pid < 0) break;
      if (pid == 0) {
        close(gate[1]);
        char c;
        while (read(gate[0], &c, 1) < 0 && errno == EINTR) {
        }
        _exit(0);
      }
      shared->pids[i] = pid;
      shared->created = i + 1;
    }
    _exit(0);  // the orphans now belong to the init
  }
  close(gate[0]);
  waitpid(spawner, nullptr, 0);
  const double fork_ms = NowMs() - fork_start;
  const int created = shared->created;
  // Let every orphan reach its read() (and drop its copy of the writer).
  usleep(300 * 1000);

  std::vector<pid_t> left(shared->pids, shared->pids + created);
  const double t0 = NowMs();
  close(gate[1]);
  double done = 0;
  while (!left.empty()) {
    size_t keep = 0;
    for (pid_t pid : left) {
      if (kill(pid, 0) == 0 || errno != ESRCH) left[keep++] = pid;
    }
    left.resize(keep);
    if (left.empty()) {
      done = NowMs() - t0;
      break;
    }
    if (NowMs() - t0 > timeout_ms) break;
    usleep(200);
  }

  FILE* out = fopen(out_path, "w");
  if (out == nullptr) return 4;
  fprintf(out,
          "{\"requested\": %d, \"created\": %d, \"reaped\": %d, \"reap_ms\": %.3f, "
          "\"fork_ms\": %.3f, \"timed_out\": %s}\n",
          n, created, created - static_cast<int>(left.size()), done, fork_ms,
          left.empty() ? "false" : "true");
  fclose(out);
  return left.empty() ? 0 : 1;
}
