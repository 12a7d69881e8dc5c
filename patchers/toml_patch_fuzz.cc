// libFuzzer target: the TOML patcher. Input: a document, then patch
// operations (see fuzz_input.h). Invariants: no crash; output that was
// written reads back, and writing it again gives the same bytes.
#include <cstdint>
#include <cstdlib>

#include "patchers/fuzz_input.h"
#include "patchers/patch_document.h"
#include "patchers/toml_patch.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const claw::FuzzInput input = claw::SplitFuzzInput(data, size);
  auto out = claw::PatchDocument(claw::ConfigFormat::kToml, input.document, input.ops, "fuzz.toml");
  if (!out) return 0;
  auto again = claw::PatchDocument(claw::ConfigFormat::kToml, out.value(), {}, "out.toml");
  if (!again) std::abort();
  if (again.value() != out.value()) std::abort();
  return 0;
}
