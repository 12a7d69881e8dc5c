// Thin: argv + env -> Options -> the chosen mode -> exit code. The only
// place that calls exit().
#include <cstdio>
#include <cstdlib>
#include <unistd.h>

#include "claw_version.h"
#include "entrypoint/log.h"
#include "entrypoint/options.h"

extern char** environ;

int main(int argc, char** argv) {
  std::vector<std::string> args(argv, argv + argc);
  claw::Environment env;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string entry(*e);
    size_t eq = entry.find('=');
    if (eq != std::string::npos) env.emplace(entry.substr(0, eq), entry.substr(eq + 1));
  }
  auto options = claw::ParseOptions(args, env, claw::LoadProfile,
                                    [](const std::string& p) { return access(p.c_str(), F_OK) == 0; });
  if (!options) {
    claw::LogError(options.error().message);
    return claw::ToInt(options.error().code);
  }
  std::printf("%s\n", CLAW_INIT_VERSION_FULL);
  return 0;
}
