// JSON5 in, strict JSON text out: the way OpenClaw writes openclaw.json.
// Accepts comments, trailing commas, unquoted (identifier) keys, single-quoted
// strings, hexadecimal numbers, a leading '+', leading- and trailing-dot
// numbers, escaped line breaks and the JSON5 escapes (\x41, \v, \0) in
// strings. Infinity and NaN have no JSON form and are errors.
//
// The pass is a loop over an explicit stack, never a recursion, so any
// nesting depth is safe. Errors carry the line:column of the original text
// (1-based; the column counts characters, not bytes).
#pragma once

#include <string>
#include <string_view>

#include "base/result.h"

namespace claw {

struct Json5Options {
  // 0: no limit. Otherwise deeper nesting is an error at the opening bracket.
  int max_depth = 0;
};

// Returns compact strict JSON, or "origin:line:column: what".
Result<std::string> Json5ToJson(std::string_view text, const std::string& origin, Json5Options options = {});

// True when `text` is well-formed UTF-8 (no overlong forms, no surrogates).
bool IsValidUtf8(std::string_view text);
// Offset of the first byte that is not well-formed UTF-8, or npos.
size_t FirstInvalidUtf8(std::string_view text);

// "line:column" (1-based; the column counts characters) of `offset`.
std::string LineColumn(std::string_view text, size_t offset);

}  // namespace claw
