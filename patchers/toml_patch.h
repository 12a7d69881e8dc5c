// TOML documents: read with toml++ into a DocNode, written back as TOML by
// our own writer with types kept (integers stay integers, dates and times
// stay dates and times). Keys are written sorted, the order toml++ reads
// them in, so output read and written again is unchanged. Comments and
// integer bases (0x..) are not kept.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "patchers/document.h"
#include "patchers/patch_spec.h"

namespace claw {

// Errors are "origin:line:column: what".
// "line:column" of the first non-ASCII character outside a string or a
// comment (TOML allows none there), or nullopt. Pure.
std::optional<std::string> FindNonAsciiOutsideStrings(std::string_view text);

Result<DocNode> ParseTomlDocument(std::string_view text, const std::string& origin);

// Fails for what TOML cannot hold: null, or a root that is not a table.
// `size_hint` (the expected size of the output) is reserved up front.
Result<std::string> WriteTomlDocument(const DocNode& root, size_t size_hint = 0);


}  // namespace claw
