// The benchmark of docs/configuration.md ("Performance"), not a test: its
// own program, built with the rest (claw_patch_bench, not in claw_tests and
// not run by ctest); run it on a Release build with
//   build/claw_patch_bench
// It patches 200 variables into a 1 MiB JSON and a 1 MiB TOML document
// (parse + env mapping + patch + write) and prints the median CPU time of 15
// runs. Exits 1 if a patch fails.
#include <algorithm>
#include <time.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "patchers/patch_document.h"
#include "patchers/patch_spec.h"

namespace claw {
namespace {

constexpr size_t kTargetBytes = 1u << 20;
constexpr int kVariables = 200;

// Sections of keys of each type, until the document is 1 MiB.
std::string MakeJson(int* sections) {
  std::string out = "{\n";
  int s = 0;
  while (out.size() < kTargetBytes) {
    out += (s ? ",\n" : "") + std::string("  \"section") + std::to_string(s) + "\": {";
    for (int k = 0; k < 20; ++k) {
      out += "\"name" + std::to_string(k) + "\": \"value number " + std::to_string(k) + " of a fairly long string\", ";
      out += "\"port" + std::to_string(k) + "\": " + std::to_string(1000 + k) + ", ";
    }
    out += "\"on\": true, \"list\": [1, 2, 3]}";
    ++s;
  }
  *sections = s;
  return out + "\n}\n";
}

std::string MakeToml(int* sections) {
  std::string out;
  int s = 0;
  while (out.size() < kTargetBytes) {
    out += "[section" + std::to_string(s) + "]\n";
    for (int k = 0; k < 20; ++k) {
      out += "name" + std::to_string(k) + " = \"value number " + std::to_string(k) + " of a fairly long string\"\n";
      out += "port" + std::to_string(k) + " = " + std::to_string(1000 + k) + "\n";
    }
    out += "on = true\nlist = [1, 2, 3]\n\n";
    ++s;
  }
  *sections = s;
  return out;
}

// 200 variables: half retype existing integers, half add new keys.
Environment MakeEnvironment(int sections) {
  Environment env;
  for (int i = 0; i < kVariables; ++i) {
    const std::string section = "section" + std::to_string((i * 37) % sections);
    if (i % 2 == 0) {
      env["CLAW_CONFIG__" + section + "__port" + std::to_string(i % 20)] = std::to_string(2000 + i);
    } else {
      env["CLAW_CONFIG__" + section + "__added__key" + std::to_string(i)] = "new value " + std::to_string(i);
    }
  }
  return env;
}

// CPU time of this thread: the machines are shared, and wall time would
// measure the neighbours' load as much as this code.
double CpuMs() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

[[noreturn]] void Die(const char* what, const std::string& message) {
  std::fprintf(stderr, "claw_patch_bench: %s: %s\n", what, message.c_str());
  std::exit(1);
}

double MedianMs(const std::string& text, const Environment& env, ConfigFormat format) {
  std::vector<double> runs;
  for (int i = 0; i < 15; ++i) {
    const double start = CpuMs();
    auto ops = PatchOpsFromEnvironment(env, {}, nullptr);
    if (!ops) Die("the variables", ops.error().message);
    auto out = PatchDocument(format, text, ops.value(), "bench");
    if (!out) Die("the patch", out.error().message);
    runs.push_back(CpuMs() - start);
  }
  std::sort(runs.begin(), runs.end());
  return runs[runs.size() / 2];
}

}  // namespace
}  // namespace claw

// 200 variables into 1 MiB documents.
int main() {
  using namespace claw;
  int json_sections = 0, toml_sections = 0;
  const std::string json = MakeJson(&json_sections);
  const std::string toml = MakeToml(&toml_sections);
  const double json_ms = MedianMs(json, MakeEnvironment(json_sections), ConfigFormat::kJson);
  const double toml_ms = MedianMs(toml, MakeEnvironment(toml_sections), ConfigFormat::kToml);
  std::printf("bench: JSON %zu bytes, %d variables: %.1f ms (CPU time, median of 15)\n", json.size(), kVariables, json_ms);
  std::printf("bench: TOML %zu bytes, %d variables: %.1f ms (CPU time, median of 15)\n", toml.size(), kVariables, toml_ms);
  return 0;
}
