// Benchmark helper for `--redact` (issue 15): the two ends of the runtime's
// output pipe.
//
//   pipe_io drain OUT_JSON [MARK]     the fast reader: reads stdin in 1 MiB
//                                     reads to EOF and writes the byte count
//                                     (and how often MARK occurs, when given)
//   pipe_io lines N GAP_US            runtime: N lines, GAP_US apart, each
//                                     carrying CLOCK_MONOTONIC (ns) at its
//                                     write(); one write(2) a line
//   pipe_io latency OUT_JSON          reader: the time from each line's
//                                     write to its arrival here; p50, p99
//                                     and max (µs) of the lines that came
//
// The writer and the reader read the same clock, so a line's latency is
// the time its bytes took from the runtime's write() to the reader's read(),
// whatever passes them on in between.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <string>
#include <vector>

namespace {

int64_t NowNs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

bool WriteJson(const char* path, const std::string& json) {
  FILE* f = fopen(path, "w");
  if (!f) return false;
  fputs(json.c_str(), f);
  return fclose(f) == 0;
}

// Counts MARK across read boundaries: the last len-1 bytes of a read are
// searched again with the next one.
int Drain(const char* out, const char* mark) {
  const size_t kBuf = 1 << 20;
  const size_t mlen = mark ? strlen(mark) : 0;
  std::vector<char> buf(kBuf + mlen);
  size_t carry = 0;
  uint64_t bytes = 0, marks = 0, reads = 0;
  const int64_t start = NowNs();
  int64_t first = 0;
  for (;;) {
    const ssize_t n = read(0, buf.data() + carry, kBuf);
    if (n < 0) {
      perror("pipe_io drain: read");
      return 1;
    }
    if (n == 0) break;
    if (!first) first = NowNs();
    bytes += static_cast<uint64_t>(n);
    ++reads;
    if (!mlen) continue;
    const char* p = buf.data();
    const char* end = buf.data() + carry + n;
    while (const char* hit = static_cast<const char*>(memmem(p, static_cast<size_t>(end - p), mark, mlen))) {
      ++marks;
      p = hit + mlen;
    }
    // Keep what could still be the start of a mark, but none already counted.
    const size_t keep = std::min<size_t>(mlen - 1, static_cast<size_t>(end - p));
    memmove(buf.data(), end - keep, keep);
    carry = keep;
  }
  const int64_t eof = NowNs();
  char json[256];
  snprintf(json, sizeof json,
           "{\"bytes\": %llu, \"marks\": %llu, \"reads\": %llu, \"first_ms\": %.3f, \"eof_ms\": %.3f}\n",
           static_cast<unsigned long long>(bytes), static_cast<unsigned long long>(marks),
           static_cast<unsigned long long>(reads), first ? (first - start) / 1e6 : -1.0, (eof - start) / 1e6);
  return WriteJson(out, json) ? 0 : 1;
}

int Lines(long n, long gap_us) {
  char line[160];
  for (long i = 0; i < n; ++i) {
    // Log-like, about 100 bytes, no secret in it.
    const int len = snprintf(line, sizeof line, "t=%lld line %ld gateway request completed status=200 agent=main tool=exec\n",
                             static_cast<long long>(NowNs()), i);
    if (write(1, line, static_cast<size_t>(len)) != len) return 1;
    timespec gap{gap_us / 1000000, (gap_us % 1000000) * 1000};
    nanosleep(&gap, nullptr);
  }
  return 0;
}

int Latency(const char* out) {
  std::vector<double> us;
  std::string pending;
  char buf[65536];
  for (;;) {
    const ssize_t n = read(0, buf, sizeof buf);
    if (n <= 0) break;
    const int64_t now = NowNs();
    pending.append(buf, static_cast<size_t>(n));
    size_t at = 0;
    for (size_t nl; (nl = pending.find('\n', at)) != std::string::npos; at = nl + 1) {
      if (pending.compare(at, 2, "t=") == 0) {
        us.push_back((now - strtoll(pending.c_str() + at + 2, nullptr, 10)) / 1e3);
      }
    }
    pending.erase(0, at);
  }
  std::sort(us.begin(), us.end());
  auto pct = [&](double p) { return us.empty() ? -1.0 : us[std::min(us.size() - 1, static_cast<size_t>(p * us.size()))]; };
  char json[256];
  snprintf(json, sizeof json, "{\"lines\": %zu, \"p50_us\": %.1f, \"p99_us\": %.1f, \"max_us\": %.1f}\n", us.size(),
           pct(0.50), pct(0.99), us.empty() ? -1.0 : us.back());
  return WriteJson(out, json) ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "";
  if (mode == "drain" && (argc == 3 || argc == 4)) return Drain(argv[2], argc == 4 ? argv[3] : nullptr);
  if (mode == "lines" && argc == 4) return Lines(atol(argv[2]), atol(argv[3]));
  if (mode == "latency" && argc == 3) return Latency(argv[2]);
  fprintf(stderr, "usage: pipe_io drain OUT_JSON [MARK] | lines N GAP_US | latency OUT_JSON\n");
  return 2;
}
