// libFuzzer target: the environment -> operations mapping, then the ops
// applied to an empty document. Input: lines NAME=VALUE (a fake
// environment); names ending in _FILE read a fake file holding the value.
// Invariants: no crash; errors never contain a value; the result writes
// out as JSON that reads back.
#include <cstdint>
#include <cstdlib>

#include "patchers/doc_patch.h"
#include "patchers/json_patch.h"
#include "patchers/patch_spec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view all(reinterpret_cast<const char*>(data), size);
  claw::Environment env;
  while (!all.empty()) {
    const size_t nl = all.find('\n');
    std::string_view line = all.substr(0, nl);
    all = nl == std::string_view::npos ? std::string_view() : all.substr(nl + 1);
    const size_t eq = line.find('=');
    if (eq == std::string_view::npos || eq == 0) continue;
    env[std::string(line.substr(0, eq))] = std::string(line.substr(eq + 1));
  }
  const claw::ConfigAliases aliases = {{"TOKEN", "gateway.auth.token"}, {"PORT", "gateway.port"}};
  const claw::FileReader read = [](const std::string& path) -> claw::Result<std::string> {
    if (path.size() % 3 == 0) return claw::Error{"No such file or directory"};
    return "file:" + path + "\n";
  };
  auto ops = claw::PatchOpsFromEnvironment(env, aliases, read);
  // A value must never show up in a message. Only values with a '#' are
  // checked: no fixed message text has one, so a match is a leak, unless
  // the value is also part of some variable's name.
  auto check_no_value = [&](const std::string& message) {
    for (const auto& [name, value] : env) {
      if (value.size() < 4 || value.find('#') == std::string::npos) continue;
      bool in_a_name = false;
      for (const auto& [other, unused] : env) in_a_name = in_a_name || other.find(value) != std::string::npos;
      if (!in_a_name && message.find(value) != std::string::npos) std::abort();
    }
  };
  if (!ops) {
    check_no_value(ops.error().message);
    return 0;
  }
  claw::DocNode root = claw::DocNode::Object();
  if (auto status = claw::ApplyPatchOps(root, ops.value(), {}, nullptr); !status) {
    check_no_value(status.error().message);
    return 0;
  }
  const std::string json = claw::WriteJsonDocument(root);
  if (!claw::ParseJsonDocument(json, "out.json")) std::abort();
  return 0;
}
