// libFuzzer target: the TOML patcher. Input: a document, then patch
// operations (see fuzz_input.h). Invariants: no crash; output that was
// written reads back, and writing it again gives the same bytes.
#include "patchers/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return claw::FuzzPatchRoundTrip(claw::ConfigFormat::kToml, data, size);
}
