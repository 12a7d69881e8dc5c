// Test helper: makes N orphans whose parent exits at once; each orphan
// exits after DELAY_MS, so claw-init (PID 1 or subreaper) inherits N dying
// processes it must reap. Then it sleeps for STAY_MS and exits 0.
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char** argv) {
  int n = argc > 1 ? atoi(argv[1]) : 100;
  int delay_ms = argc > 2 ? atoi(argv[2]) : 50;
  int stay_ms = argc > 3 ? atoi(argv[3]) : 2000;
  for (int i = 0; i < n; ++i) {
    pid_t middle = fork();
    if (middle < 0) return 1;
    if (middle == 0) {
      pid_t orphan = fork();
      if (orphan == 0) {
        usleep(static_cast<useconds_t>(delay_ms) * 1000);
        _exit(0);
      }
      _exit(0);  // the orphan's parent is gone: it is reparented
    }
    waitpid(middle, nullptr, 0);
  }
  usleep(static_cast<useconds_t>(stay_ms) * 1000);
  return 0;
}
