// The redaction benchmark of issue 15, not a test: its own program, built
// with the rest (claw_redact_bench, not in claw_tests and not run by ctest);
// run it on a Release build with
//   build/claw_redact_bench [MIB]      (default 1024)
// It feeds MIB MiB of log-like text through Redactor::Feed in 64 KiB reads
// (a pipe's worth) with 50 secrets of 16 to 64 bytes, once with a secret
// every ~8 KiB of text and once with none in it, plus a Redactor with no
// secret and a plain copy for scale, and prints MiB/s (CPU time of this
// thread, best of 3). Exits 1 if the output is not what it must be.
#include <time.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "process/redactor.h"

namespace claw {
namespace {

constexpr size_t kRead = 64 * 1024;
constexpr size_t kMiB = 1024 * 1024;

// Token-like secrets, as runtimes print them: shared prefixes (sk-, ghp_,
// xoxb-), hex, base64url, 16 to 64 bytes.
std::vector<std::string> MakeSecrets(std::mt19937& rng) {
  const std::string b64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  const char* const prefixes[] = {"sk-proj-", "ghp_", "xoxb-", "", ""};
  std::vector<std::string> secrets;
  for (int i = 0; i < 50; ++i) {
    std::string s = prefixes[i % 5];
    const size_t len = 16 + rng() % 49;
    const bool hex = i % 7 == 3;
    while (s.size() < len) s += hex ? "0123456789abcdef"[rng() % 16] : b64[rng() % b64.size()];
    secrets.push_back(s);
  }
  return secrets;
}

// 4 MiB of log lines made of words, numbers and paths (the words include
// the bigrams the secrets start with: "sk", "gh", "xo").
std::string MakeText(std::mt19937& rng, const std::vector<std::string>& secrets, size_t* planted) {
  const char* const words[] = {"gateway", "request", "completed", "in",    "ms",     "status", "200",
                               "session", "agent",   "tool",      "call",  "task",   "asked",  "high",
                               "through", "box",     "tokens",    "model", "openai", "error",  "retry",
                               "/v1/chat/completions", "user",    "skill", "desk",   "exec",   "ok"};
  std::string text;
  size_t since = 0;
  *planted = 0;
  while (text.size() < 4 * kMiB) {
    const size_t start = text.size();
    text += "2026-12-03T08:37:07." + std::to_string(rng() % 1000) + "Z info ";
    for (int w = 0, n = 6 + static_cast<int>(rng() % 10); w < n; ++w) {
      text += words[rng() % (sizeof(words) / sizeof(words[0]))];
      text += ' ';
    }
    since += text.size() - start;
    if (secrets.size() > 0 && since >= 8192) {
      text += "key=" + secrets[rng() % secrets.size()] + ' ';
      ++*planted;
      since = 0;
    }
    text += "id=" + std::to_string(rng()) + '\n';
  }
  return text;
}

double CpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

size_t Count(const std::string& haystack, std::string_view needle) {
  size_t n = 0;
  for (size_t at = haystack.find(needle); at != std::string::npos; at = haystack.find(needle, at + 1)) ++n;
  return n;
}

// Streams `rounds` copies of `text` through a fresh Redactor in kRead
// pieces; checks the first copy's output (every planted secret replaced,
// nothing else changed), returns MiB/s.
double Measure(const char* name, const std::vector<std::string>& secrets, const std::string& text, size_t rounds,
               size_t planted, const std::string& expected) {
  double best = 0;
  for (int run = 0; run < 3; ++run) {
    Redactor r(secrets);
    std::string out, first;
    out.reserve(2 * kRead);
    size_t bytes = 0;
    const double start = CpuSeconds();
    for (size_t i = 0; i < rounds; ++i) {
      for (size_t at = 0; at < text.size(); at += kRead) {
        out.clear();
        if (secrets.empty() && name[0] == 'm') {
          out.append(text, at, kRead);  // "memcpy": the copy alone
        } else {
          r.Feed(std::string_view(text).substr(at, kRead), out);
        }
        bytes += std::min(kRead, text.size() - at);
        if (i == 0 && run == 0) first += out;
      }
    }
    out.clear();
    r.Finish(out);
    const double seconds = CpuSeconds() - start;
    if (run == 0) {
      first += out;
      if (first != expected || Count(first, kRedactedMark) != planted) {
        std::fprintf(stderr, "claw_redact_bench: %s: wrong output\n", name);
        std::exit(1);
      }
    }
    best = std::max(best, static_cast<double>(bytes) / kMiB / seconds);
  }
  std::printf("bench: %-34s %8.0f MiB/s\n", name, best);
  return best;
}

}  // namespace
}  // namespace claw

int main(int argc, char** argv) {
  using namespace claw;
  const size_t mib = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 1024;
  std::mt19937 rng(15);
  const std::vector<std::string> secrets = MakeSecrets(rng);
  size_t planted = 0, none = 0;
  const std::string with = MakeText(rng, secrets, &planted);
  const std::string without = MakeText(rng, {}, &none);
  // What the first copy must become: the planted secrets are exactly the
  // "key=" values (no secret occurs by chance in this text).
  std::string expected;
  for (size_t at = 0, next; at < with.size(); at = next) {
    const size_t key = with.find("key=", at);
    if (key == std::string::npos) {
      expected.append(with, at);
      break;
    }
    const size_t end = with.find(' ', key);
    expected.append(with, at, key + 4 - at);
    expected += kRedactedMark;
    next = end;
  }
  const size_t rounds_with = std::max<size_t>(1, (mib * kMiB + with.size() - 1) / with.size());
  const size_t rounds_without = std::max<size_t>(1, (mib * kMiB + without.size() - 1) / without.size());
  std::printf("bench: %zu MiB in %zu KiB reads, 50 secrets of 16-64 bytes; sprinkled: %zu per copy of the"
              " %zu MiB text, %zu in all (the first copy's output checked)\n",
              rounds_with * with.size() / kMiB, kRead / 1024, planted, with.size() / kMiB, planted * rounds_with);
  Measure("50 secrets, sprinkled in the text", secrets, with, rounds_with, planted, expected);
  Measure("50 secrets, none in the text", secrets, without, rounds_without, 0, without);
  Measure("no secrets (empty Redactor)", {}, without, rounds_without, 0, without);
  Measure("memcpy of the same reads", {}, without, rounds_without, 0, without);
  return 0;
}
