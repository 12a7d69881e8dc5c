// Test helper: forks a grandchild that calls setsid() (leaving the
// runtime's process group) and sleeps; writes its pid to FILE; then the
// helper itself exits with code 0 (or sleeps with --stay).
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char** argv) {
  if (argc < 2) return 2;
  bool stay = argc > 2 && strcmp(argv[2], "--stay") == 0;
  bool ignore_term = argc > 3 && strcmp(argv[3], "--ignore-term") == 0;
  pid_t pid = fork();
  if (pid == 0) {
    setsid();
    if (ignore_term) signal(SIGTERM, SIG_IGN);
    for (;;) pause();
  }
  FILE* f = fopen(argv[1], "w");
  if (f == nullptr) return 3;
  fprintf(f, "%d\n", pid);
  fclose(f);
  if (stay) {
    for (;;) pause();
  }
  return 0;
}
