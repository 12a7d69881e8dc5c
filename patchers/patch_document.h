// The pure core of config patching: text in, text out, for every format.
// Production (PlanConfig), the unit tests, the fuzzers and the patch
// benchmark all call PatchDocument, so they share one path, the blank-file
// rule included. No disk, no environment, no log.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "patchers/document.h"
#include "patchers/patch_spec.h"

namespace claw {

// Parses `text` as `format`. An empty or blank text is an empty document in
// every format. Errors are "origin:line:column: what".
Result<DocNode> ParseDocument(ConfigFormat format, std::string_view text, const std::string& origin);

// Writes `root` as `format`. `size_hint`: the expected size of the output,
// reserved up front. Fails for what the format cannot hold (TOML: null).
Result<std::string> WriteDocument(ConfigFormat format, const DocNode& root, size_t size_hint = 0);

// What PatchDocument did, for callers that log it or render it redacted.
struct PatchDetails {
  DocNode document;                  // the patched tree
  std::vector<std::string> applied;  // "set gateway.port from CLAW_CONFIG__gateway__port"
};

// Parse, apply `ops` in order (doc_patch.h's rules; TOML refuses null),
// write. The same inputs give byte-identical output.
Result<std::string> PatchDocument(ConfigFormat format, std::string_view text, const std::vector<PatchOp>& ops,
                                  const std::string& origin = "document", PatchDetails* details = nullptr);

}  // namespace claw
