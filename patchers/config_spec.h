// What the profile says about the runtime's config (contract section 5,
// [config] and [config.env]): the input of config patching besides the
// environment. The profile parser (app/profile.cc) fills it in.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "patchers/document.h"

namespace claw {

struct ConfigSpec {
  std::string runtime;  // [runtime] name, for messages only; may be empty
  std::optional<std::string> default_file;  // [config] default: never modified
  std::optional<std::string> target;        // [config] target: what the runtime reads
  std::optional<ConfigFormat> format;       // else from the target's extension
  // The most bytes of config the runtime reads (NullClaw: 64 KiB); a larger
  // patched file is a warning.
  std::optional<size_t> max_bytes;
  // [config.env]: alias variable -> dotted key, sorted by variable name.
  std::vector<std::pair<std::string, std::string>> env;
};

}  // namespace claw
