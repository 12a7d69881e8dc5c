// Stand-in for the ZeroClaw runtime (Rust, not buildable on the project's
// machines) in image tests. What it shares with the real one:
//   zeroclaw --version        -> "zeroclaw 0.8.4"
//   zeroclaw daemon|gateway   reads $HOME/.zeroclaw/config.toml (or
//                             $ZEROCLAW_CONFIG_DIR/config.toml): TOML with
//                             schema_version, api_key, default_provider,
//                             default_model and [gateway] port/host; serves
//                             GET /health -> {"status":"ok",...} there
//   a syntax error in the config is fatal (exit 1), as in the real one
//   SIGTERM/SIGINT: logs "shutting down" and exits 0
// Its one log line names what it understood from the config, never a secret
// value, so that a test can see what claw-init patched.
#undef TOML_HEADER_ONLY
#define TOML_HEADER_ONLY 1
#undef TOML_EXCEPTIONS
#define TOML_EXCEPTIONS 0
#include <signal.h>
#include <toml++/toml.h>

#include <cstdlib>
#include <iostream>

#include "standin_common.h"

namespace {

constexpr const char* kVersion = "0.8.4";

void OnStop(int) {
  static const char msg[] = "zeroclaw: received stop signal; shutting down\n";
  ssize_t ignored = write(1, msg, sizeof msg - 1);
  (void)ignored;
  _exit(0);
}

int RunGateway() {
  std::string dir = standin::EnvOr("ZEROCLAW_CONFIG_DIR", standin::EnvOr("HOME", "/") + "/.zeroclaw");
  std::string path = dir + "/config.toml";
  int64_t schema = 0;
  int64_t port = 42617;
  std::string host = "127.0.0.1", provider = "openrouter", model, api_key;
  if (auto text = standin::ReadFile(path)) {
    toml::parse_result parsed = toml::parse(*text, path);
    if (!parsed) {
      std::cerr << "zeroclaw: invalid config " << path << ": " << parsed.error().description() << " at line "
                << parsed.error().source().begin.line << "\n";
      return 1;
    }
    const toml::table& t = parsed.table();
    schema = t["schema_version"].value_or(int64_t{0});
    port = t["gateway"]["port"].value_or(port);
    host = t["gateway"]["host"].value_or(host);
    provider = t["default_provider"].value_or(provider);
    model = t["default_model"].value_or(std::string());
    api_key = t["api_key"].value_or(std::string());
    if (t["gateway"]["port"] && !t["gateway"]["port"].is_integer()) {
      std::cerr << "zeroclaw: invalid config " << path << ": gateway.port must be an integer\n";
      return 1;
    }
  } else {
    std::cout << "zeroclaw: no config at " << path << ", using defaults\n";
  }
  int fd = standin::Listen(host, static_cast<int>(port));
  if (fd < 0) return 1;
  std::cout << "zeroclaw (stand-in) " << kVersion << ": config " << path << " schema_version=" << schema
            << " gateway=" << host << ":" << port << " provider=" << provider << " model=" << model
            << " api_key=" << (api_key.empty() ? "unset" : "set") << " uid=" << getuid() << std::endl;
  std::string body = "{\"status\":\"ok\",\"version\":\"" + std::string(kVersion) + "\",\"port\":" +
                     std::to_string(port) + "}";
  standin::Serve(fd, [&](const std::string&, const std::string& p) -> standin::Response {
    if (p == "/health") return {200, body};
    return {};
  });
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  std::string cmd = argc > 1 ? argv[1] : "";
  if (cmd == "--version" || cmd == "-V") {
    std::cout << "zeroclaw " << kVersion << "\n";
    return 0;
  }
  if (cmd == "daemon" || cmd == "gateway") {
    signal(SIGTERM, OnStop);
    signal(SIGINT, OnStop);
    return RunGateway();
  }
  std::cerr << "usage: zeroclaw --version | daemon | gateway\n";
  return 2;
}
