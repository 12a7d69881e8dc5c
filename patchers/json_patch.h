// JSON documents: JSON5 in (through Json5ToJson), strict JSON out, 2-space
// indented, keys in document order, one trailing newline.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "patchers/document.h"
#include "patchers/patch_spec.h"

namespace claw {

// Parses JSON5 text; errors are "origin:line:column: what".
Result<DocNode> ParseJsonDocument(std::string_view text, const std::string& origin);

// Parses one strict JSON value (a variable's literal). Errors carry no text
// of the input.
Result<DocNode> ParseJsonLiteral(std::string_view text);

// Writes strict JSON. Dates and times (which JSON lacks) become strings.
// `size_hint` (the expected size of the output) is reserved up front: a
// large output grown step by step is copied, and new pages touched, each time.
std::string WriteJsonDocument(const DocNode& root, size_t size_hint = 0);


}  // namespace claw
