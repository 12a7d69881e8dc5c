// Stand-in for the ZeroClaw runtime (Rust, not buildable on the project's
// machines) in image tests. What it shares with the real one (facts read in
// zeroclaw-labs/zeroclaw at 15d2866, listed in docs/images.md):
//   zeroclaw --version   -> "zeroclaw 0.8.4" (STANDIN_VERSION at build)
//   zeroclaw daemon      the only run command (`gateway` is not one)
//   config directory     $ZEROCLAW_CONFIG_DIR, else from $ZEROCLAW_DATA_DIR
//                        (or the deprecated $ZEROCLAW_WORKSPACE): that
//                        directory if it holds config.toml, else
//                        <its parent>/.zeroclaw, else $HOME/.zeroclaw
//   config.toml          schema_version 3 (newer is refused), a TOML syntax
//                        error is fatal (the real daemon refuses to serve on
//                        a config it had to reset); read: [gateway] port,
//                        host, require_pairing; the provider
//                        [agents.default] model_provider names, and its
//                        model and api_key under [providers.models.F.A]
//   ZEROCLAW_<lowercase path with __>  override a key in memory, never on
//                        disk; a name that is no schema path it knows is a
//                        hard error naming the variable; schema_version is
//                        not overridable; upper-case tails (ZEROCLAW_DATA_DIR,
//                        the retired ZEROCLAW_GATEWAY_PORT) are not overrides
//   GET /health          always 200 {"status":"ok","paired":..,
//                        "require_pairing":..,"runtime":{..}} (no readiness)
//   POST /admin/reload   from loopback only: reads the config again
//   SIGHUP               ignored (logged); SIGTERM/SIGINT: exit 0
// The stand-in knows only the schema paths above; the real binary knows
// every one. Its log lines name what it understood, never a secret value.
#undef TOML_HEADER_ONLY
#define TOML_HEADER_ONLY 1
#undef TOML_EXCEPTIONS
#define TOML_EXCEPTIONS 0
#include <signal.h>
#include <toml++/toml.h>

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <map>
#include <vector>

#include "standin_common.h"

#ifndef STANDIN_VERSION
#define STANDIN_VERSION "0.8.4"
#endif

extern char** environ;

namespace {

constexpr const char* kVersion = STANDIN_VERSION;
constexpr int64_t kSchemaVersion = 3;

void OnStop(int) {
  static const char msg[] = "zeroclaw: received stop signal; shutting down\n";
  ssize_t ignored = write(1, msg, sizeof msg - 1);
  (void)ignored;
  _exit(0);
}

void OnHangup(int) {
  static const char msg[] = "zeroclaw: received SIGHUP, ignoring (daemon stays running)\n";
  ssize_t ignored = write(1, msg, sizeof msg - 1);
  (void)ignored;
}

bool FileExists(const std::string& path) {
  struct stat st{};
  return stat(path.c_str(), &st) == 0;
}

// dir without its last component ("" for "/x"), and that component.
std::pair<std::string, std::string> SplitLast(std::string dir) {
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  size_t slash = dir.find_last_of('/');
  if (slash == std::string::npos) return {".", dir};
  return {dir.substr(0, slash), dir.substr(slash + 1)};
}

std::string ConfigDir() {
  std::string dir = standin::EnvOr("ZEROCLAW_CONFIG_DIR", "");
  if (!dir.empty()) return dir;
  std::string data = standin::EnvOr("ZEROCLAW_DATA_DIR", standin::EnvOr("ZEROCLAW_WORKSPACE", ""));
  if (!data.empty()) {
    if (FileExists(data + "/config.toml")) return data;
    auto [parent, name] = SplitLast(data);
    std::string legacy = parent + "/.zeroclaw";
    if (FileExists(legacy + "/config.toml") || name == "data" || name == "workspace") return legacy;
    return data;
  }
  return standin::EnvOr("HOME", "/") + "/.zeroclaw";
}

struct Settings {
  std::string path;
  int64_t port = 42617;
  std::string host = "127.0.0.1";
  bool require_pairing = true;
  std::string provider;  // "family.alias" from agents.default.model_provider
  // "family.alias" -> field -> value (model, api_key)
  std::map<std::string, std::map<std::string, std::string>> providers;
};

std::vector<std::string> Split(const std::string& s, const std::string& sep) {
  std::vector<std::string> out;
  size_t start = 0;
  for (size_t at; (at = s.find(sep, start)) != std::string::npos; start = at + sep.size())
    out.push_back(s.substr(start, at - start));
  out.push_back(s.substr(start));
  return out;
}

bool IsBool(const std::string& v) { return v == "true" || v == "false"; }

// Applies one ZEROCLAW_<tail> override; an empty result means applied.
std::string ApplyOverride(Settings& s, const std::string& name, const std::string& tail, const std::string& value) {
  std::vector<std::string> seg = Split(tail, "__");
  for (const std::string& p : seg)
    if (p.empty()) return name + " did not resolve to a schema path";
  if (seg.size() == 1 && seg[0] == "schema_version")
    return name + " -> schema_version: this field is not overridable via env vars";
  if (seg.size() == 2 && seg[0] == "gateway") {
    if (seg[1] == "port") {
      char* end = nullptr;
      long port = strtol(value.c_str(), &end, 10);
      if (value.empty() || *end != '\0' || port < 0 || port > 65535) return name + " -> gateway.port: not a port";
      s.port = port;
      return "";
    }
    if (seg[1] == "host") {
      s.host = value;
      return "";
    }
    if (seg[1] == "require_pairing" || seg[1] == "allow_public_bind" || seg[1] == "allow_remote_admin") {
      if (!IsBool(value)) return name + " -> gateway." + seg[1] + ": not a boolean";
      if (seg[1] == "require_pairing") s.require_pairing = value == "true";
      return "";
    }
  }
  if (seg.size() == 5 && seg[0] == "providers" && seg[1] == "models" &&
      (seg[4] == "api_key" || seg[4] == "model" || seg[4] == "temperature" || seg[4] == "uri")) {
    s.providers[seg[2] + "." + seg[3]][seg[4]] = value;
    return "";
  }
  if (seg.size() == 3 && seg[0] == "agents" && seg[2] == "model_provider") {
    if (seg[1] == "default") s.provider = value;
    return "";
  }
  return name + " did not resolve to a schema path";
}

// Reads the config and the overrides. Returns an error message, or "".
std::string Load(Settings& s) {
  s = Settings{};
  s.path = ConfigDir() + "/config.toml";
  if (auto text = standin::ReadFile(s.path)) {
    toml::parse_result parsed = toml::parse(*text, s.path);
    if (!parsed) {
      return "invalid config " + s.path + ": " + std::string(parsed.error().description()) + " at line " +
             std::to_string(parsed.error().source().begin.line) + "; refusing to serve";
    }
    const toml::table& t = parsed.table();
    int64_t schema = t["schema_version"].value_or(int64_t{1});
    if (schema > kSchemaVersion)
      return "config schema_version " + std::to_string(schema) + " is newer than this binary supports (3)";
    if (t["gateway"]["port"] && !t["gateway"]["port"].is_integer()) return "invalid config: gateway.port";
    s.port = t["gateway"]["port"].value_or(s.port);
    s.host = t["gateway"]["host"].value_or(s.host);
    s.require_pairing = t["gateway"]["require_pairing"].value_or(s.require_pairing);
    s.provider = t["agents"]["default"]["model_provider"].value_or(std::string());
    if (const toml::table* families = t["providers"]["models"].as_table()) {
      for (const auto& [family, aliases] : *families) {
        if (!aliases.is_table()) continue;
        for (const auto& [alias, fields] : *aliases.as_table()) {
          auto& entry = s.providers[std::string(family.str()) + "." + std::string(alias.str())];
          entry["model"] = fields.as_table() ? (*fields.as_table())["model"].value_or(std::string()) : "";
          entry["api_key"] = fields.as_table() ? (*fields.as_table())["api_key"].value_or(std::string()) : "";
        }
      }
    }
  } else {
    std::cout << "zeroclaw: no config at " << s.path << ", using defaults" << std::endl;
  }
  std::vector<std::pair<std::string, std::string>> overrides;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string kv = *e;
    size_t eq = kv.find('=');
    std::string name = kv.substr(0, eq);
    if (name.rfind("ZEROCLAW_", 0) != 0 || name.size() == 9) continue;
    std::string tail = name.substr(9);
    bool lower = true;
    for (char c : tail) lower = lower && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_');
    if (lower) overrides.emplace_back(name, eq == std::string::npos ? "" : kv.substr(eq + 1));
  }
  std::sort(overrides.begin(), overrides.end());
  for (const auto& [name, value] : overrides) {
    std::string err = ApplyOverride(s, name, name.substr(9), value);
    if (!err.empty()) return err;
    std::cout << "zeroclaw: env override applied from " << name << std::endl;
  }
  return "";
}

int RunDaemon() {
  bool reload = false;
  for (;;) {
    Settings s;
    if (std::string err = Load(s); !err.empty()) {
      std::cerr << "zeroclaw: " << err << std::endl;
      return 1;
    }
    int fd = standin::Listen(s.host, static_cast<int>(s.port));
    if (fd < 0) return 1;
    auto provider = s.providers.find(s.provider);
    bool key = provider != s.providers.end() && !provider->second["api_key"].empty();
    std::string model = provider != s.providers.end() ? provider->second["model"] : "";
    std::cout << "zeroclaw (stand-in) " << kVersion << (reload ? ": reloaded" : "") << ": config " << s.path
              << " gateway=" << s.host << ":" << s.port << " require_pairing=" << (s.require_pairing ? "true" : "false")
              << " provider=" << s.provider << " model=" << model << " api_key=" << (key ? "set" : "unset")
              << " uid=" << getuid() << std::endl;
    std::string body = "{\"status\":\"ok\",\"paired\":false,\"require_pairing\":" +
                       std::string(s.require_pairing ? "true" : "false") + ",\"runtime\":{\"pid\":" +
                       std::to_string(getpid()) + "}}";
    reload = false;
    standin::Serve(
        fd,
        [&](const standin::Request& r) -> standin::Response {
          if (r.path == "/admin/reload") {
            if (r.method != "POST") return standin::MethodNotAllowed();
            if (!r.loopback) return {403, "{\"error\":\"Remote admin reload is disabled\"}"};
            reload = true;
            return {200, "{\"status\":\"reloading\"}"};
          }
          if (r.method != "GET" && r.method != "HEAD") return standin::MethodNotAllowed();
          if (r.path == "/health") return {200, body};
          return {};
        },
        &reload);
    close(fd);
    if (!reload) return 1;
    std::cout << "zeroclaw: reload requested via /admin/reload" << std::endl;
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::string cmd = argc > 1 ? argv[1] : "";
  if (cmd == "--version" || cmd == "-V") {
    std::cout << "zeroclaw " << kVersion << "\n";
    return 0;
  }
  if (cmd == "daemon") {
    signal(SIGTERM, OnStop);
    signal(SIGINT, OnStop);
    signal(SIGHUP, OnHangup);
    return RunDaemon();
  }
  std::cerr << "usage: zeroclaw --version | daemon\n";
  return 2;
}
