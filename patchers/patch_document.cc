#include "patchers/patch_document.h"

#include "patchers/doc_patch.h"
#include "patchers/json_patch.h"
#include "patchers/toml_patch.h"
#include "patchers/yaml_patch.h"

namespace claw {

Result<DocNode> ParseDocument(ConfigFormat format, std::string_view text, const std::string& origin) {
  if (text.find_first_not_of(" \t\r\n") == std::string_view::npos) return DocNode::Object();
  switch (format) {
    case ConfigFormat::kJson: return ParseJsonDocument(text, origin);
    case ConfigFormat::kToml: return ParseTomlDocument(text, origin);
    case ConfigFormat::kYaml: return ParseYamlDocument(text, origin);
  }
  return Error{"unknown format"};
}

Result<std::string> WriteDocument(ConfigFormat format, const DocNode& root, size_t size_hint) {
  switch (format) {
    case ConfigFormat::kJson: return WriteJsonDocument(root, size_hint);
    case ConfigFormat::kToml: return WriteTomlDocument(root, size_hint);
    case ConfigFormat::kYaml: return WriteYamlDocument(root);
  }
  return Error{"unknown format"};
}

Result<std::string> PatchDocument(ConfigFormat format, std::string_view text, const std::vector<PatchOp>& ops,
                                  const std::string& origin, PatchDetails* details) {
  PatchDetails local;
  PatchDetails& out = details != nullptr ? *details : local;
  auto root = ParseDocument(format, text, origin);
  if (!root) return root.error();
  out.document = std::move(root).value();
  const PatchRules rules{.allow_null = format != ConfigFormat::kToml};
  auto status = ApplyPatchOps(out.document, ops, rules, details != nullptr ? &out.applied : nullptr);
  if (!status) return status.error();
  // Written JSON is indented, so it often outgrows its base: twice the base
  // covers most documents in one allocation (and any TOML).
  return WriteDocument(format, out.document, 2 * text.size());
}

}  // namespace claw
