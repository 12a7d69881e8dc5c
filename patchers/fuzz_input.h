// Shared by the patcher fuzz targets: splits a fuzz input into a document
// and patch operations, so that one input exercises both. Layout:
//   DOCUMENT \0 OP \n OP \n ...
// where OP is "a.b.c=value" (set) or "-a.b.c" (unset). Without a \0 the
// whole input is the document and there are no operations.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "patchers/patch_document.h"
#include "patchers/patch_spec.h"

namespace claw {

struct FuzzInput {
  std::string_view document;
  std::vector<PatchOp> ops;
};

inline FuzzInput SplitFuzzInput(const uint8_t* data, size_t size) {
  std::string_view all(reinterpret_cast<const char*>(data), size);
  FuzzInput input;
  const size_t nul = all.find('\0');
  input.document = all.substr(0, nul);
  if (nul == std::string_view::npos) return input;
  std::string_view rest = all.substr(nul + 1);
  while (!rest.empty() && input.ops.size() < 16) {
    const size_t nl = rest.find('\n');
    std::string_view line = rest.substr(0, nl);
    rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
    PatchOp op;
    op.variable = "FUZZ";
    if (!line.empty() && line[0] == '-') {
      op.kind = PatchOp::Kind::kUnset;
      line.remove_prefix(1);
    }
    const size_t eq = op.kind == PatchOp::Kind::kSet ? line.find('=') : std::string_view::npos;
    std::string_view key = line.substr(0, eq);
    if (eq != std::string_view::npos) op.value = std::string(line.substr(eq + 1));
    size_t start = 0;
    bool ok = !key.empty();
    while (ok) {
      const size_t dot = key.find('.', start);
      std::string_view segment = key.substr(start, dot == std::string_view::npos ? dot : dot - start);
      ok = !segment.empty();
      op.path.emplace_back(segment);
      if (dot == std::string_view::npos) break;
      start = dot + 1;
    }
    if (ok && op.path.size() <= kMaxPathSegments) input.ops.push_back(std::move(op));
  }
  return input;
}

// The invariant of every patcher fuzz target: PatchDocument on the input
// never crashes; what it writes reads back in the same format, and writing
// that again gives the same bytes (else abort, which libFuzzer reports).
inline int FuzzPatchRoundTrip(ConfigFormat format, const uint8_t* data, size_t size) {
  const FuzzInput input = SplitFuzzInput(data, size);
  auto out = PatchDocument(format, input.document, input.ops, "fuzz");
  if (!out) return 0;
  auto again = PatchDocument(format, out.value(), {}, "out");
  if (!again || again.value() != out.value()) std::abort();
  return 0;
}

}  // namespace claw
