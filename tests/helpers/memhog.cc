// Test helper: allocates MIB mebibytes (default 512) one MiB at a time and
// writes to every page, so each one is charged to its memory cgroup; then
// says so on stdout and sleeps until killed. Under a smaller limit the
// kernel's OOM killer ends it with SIGKILL part way (tests/integration/
// lib/oom_cgroup.bash). Exits 2 on a bad argument, 1 when malloc fails.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char** argv) {
  long mib = 512;
  if (argc > 1) {
    char* end = nullptr;
    mib = strtol(argv[1], &end, 10);
    if (end == argv[1] || *end != '\0' || mib < 0) {
      fprintf(stderr, "memhog: MIB must be a whole number of mebibytes\n");
      return 2;
    }
  }
  const size_t step = 1 << 20;
  const long page = sysconf(_SC_PAGESIZE);
  for (long i = 0; i < mib; ++i) {
    char* block = static_cast<char*>(malloc(step));
    if (block == nullptr) {
      fprintf(stderr, "memhog: malloc failed after %ld MiB\n", i);
      return 1;
    }
    for (size_t at = 0; at < step; at += static_cast<size_t>(page)) block[at] = static_cast<char>(i | 1);
  }
  printf("memhog: %ld MiB touched\n", mib);
  fflush(stdout);
  for (;;) pause();
}
