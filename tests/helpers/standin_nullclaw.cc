// Stand-in for the NullClaw runtime (Zig, not buildable on the project's
// machines) in image tests. What it shares with the real one (facts read in
// nullclaw/nullclaw, listed with their commits in docs/images.md):
//   nullclaw --version        -> "nullclaw 2026.2.26" (STANDIN_VERSION at
//                             build; upstream's own image build says "dev"
//                             unless given a version)
//   nullclaw gateway [--port N] [--host H]
//                             reads $NULLCLAW_HOME/config.json (else
//                             $HOME/.nullclaw/config.json): strict JSON, the
//                             newer schema (agents.defaults.model.primary,
//                             models.providers.<p>.api_key, gateway.port and
//                             .host); a file that does not parse is ignored
//                             with a warning and the defaults are used; a
//                             file over 64 KiB is a start-up error;
//                             NULLCLAW_GATEWAY_PORT / NULLCLAW_GATEWAY_HOST
//                             win over the file, the flags over both
//   GET /health               200 while running
//   GET /ready                503 until ready (after $NULLCLAW_STANDIN_READY_MS,
//                             default 500 ms), then 200
//   NO SIGTERM handler: as PID 1 without an init it ignores `docker stop`
//   and waits for SIGKILL; under claw-init the default action ends it.
// Its one log line names what it understood from the config, never a secret.
#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include <atomic>
#include <chrono>
#include <iostream>
#include <thread>

#include "standin_common.h"

#ifndef STANDIN_VERSION
#define STANDIN_VERSION "2026.2.26"
#endif

namespace {

constexpr const char* kVersion = STANDIN_VERSION;
constexpr size_t kMaxConfig = 64 * 1024;

const rapidjson::Value* Member(const rapidjson::Value& v, const char* name) {
  if (!v.IsObject()) return nullptr;
  auto it = v.FindMember(name);
  return it == v.MemberEnd() ? nullptr : &it->value;
}

int RunGateway(int argc, char** argv) {
  std::string home = standin::EnvOr("NULLCLAW_HOME", standin::EnvOr("HOME", "/") + "/.nullclaw");
  std::string path = home + "/config.json";
  int port = 3000;
  std::string host = "127.0.0.1", model, source = "defaults (no file)";
  bool api_key = false;
  if (auto text = standin::ReadFile(path)) {
    rapidjson::Document d;
    if (text->size() > kMaxConfig) {
      std::cerr << "nullclaw: error: " << path << " is larger than 64 KiB (FileTooBig)\n";
      return 1;
    }
    if (d.Parse<rapidjson::kParseDefaultFlags>(text->c_str()).HasParseError() || !d.IsObject()) {
      source = std::string("defaults (parse error: ") + rapidjson::GetParseError_En(d.GetParseError()) + ")";
      std::cerr << "nullclaw: warning: config.json did not parse; using the defaults\n";
    } else {
      source = "file";
      if (const auto* g = Member(d, "gateway")) {
        if (const auto* p = Member(*g, "port"); p && p->IsInt()) port = p->GetInt();
        if (const auto* h = Member(*g, "host"); h && h->IsString()) host = h->GetString();
      }
      if (const auto* a = Member(d, "agents"))
        if (const auto* df = Member(*a, "defaults"))
          if (const auto* m = Member(*df, "model"))
            if (const auto* p = Member(*m, "primary"); p && p->IsString()) model = p->GetString();
      if (const auto* m = Member(d, "models"))
        if (const auto* ps = Member(*m, "providers"); ps && ps->IsObject())
          for (auto& prov : ps->GetObject())
            if (const auto* k = Member(prov.value, "api_key"); k && k->IsString() && k->GetStringLength() > 0)
              api_key = true;
    }
  }
  std::string env_port = standin::EnvOr("NULLCLAW_GATEWAY_PORT", "");
  if (!env_port.empty() && env_port.find_first_not_of("0123456789") == std::string::npos && env_port.size() <= 5 &&
      atoi(env_port.c_str()) <= 65535)
    port = atoi(env_port.c_str());
  host = standin::EnvOr("NULLCLAW_GATEWAY_HOST", host);
  for (int i = 2; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    if (flag == "--port") port = atoi(argv[i + 1]);
    else if (flag == "--host") host = argv[i + 1];
    else {
      std::cerr << "nullclaw: unknown flag " << flag << "\n";
      return 2;
    }
  }
  int fd = standin::Listen(host, port);
  if (fd < 0) return 1;
  std::cout << "nullclaw (stand-in) " << kVersion << ": config " << path << " from " << source
            << " gateway=" << host << ":" << port << " model=" << model
            << " api_key=" << (api_key ? "set" : "unset") << " uid=" << getuid() << std::endl;
  int ready_ms = atoi(standin::EnvOr("NULLCLAW_STANDIN_READY_MS", "500").c_str());
  auto ready_at = std::chrono::steady_clock::now() + std::chrono::milliseconds(ready_ms);
  standin::Serve(fd, [&](const standin::Request& r) -> standin::Response {
    if (r.method != "GET" && r.method != "HEAD") return standin::MethodNotAllowed();
    const std::string& p = r.path;
    if (p == "/health") return {200, "{\"status\":\"ok\"}"};
    if (p == "/ready") {
      if (std::chrono::steady_clock::now() < ready_at) return {503, "{\"ready\":false}"};
      return {200, "{\"ready\":true}"};
    }
    return {};
  });
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  std::string cmd = argc > 1 ? argv[1] : "";
  if (cmd == "--version" || cmd == "version") {
    std::cout << "nullclaw " << kVersion << "\n";
    return 0;
  }
  if (cmd == "gateway") return RunGateway(argc, argv);
  std::cerr << "usage: nullclaw --version | gateway [--port N] [--host H]\n";
  return 2;
}
