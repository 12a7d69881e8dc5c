// The patch rules of contract section 3, applied to a DocNode tree, the same
// for every format:
// - a path walks objects by key and arrays by index; an index equal to the
//   array's length appends;
// - missing intermediates are created: an array when the next segment is an
//   index, else an object; a null intermediate is replaced the same way;
// - an existing key keeps its type: the value is converted to it, and a
//   value that does not convert is an error naming the variable, never the
//   value;
// - a new key (or one holding null) takes the JSON literal the value spells
//   (42, 1.5, true, null, [..], {..}), else the value as a string.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "patchers/document.h"
#include "patchers/patch_spec.h"

namespace claw {

struct PatchRules {
  bool allow_null = true;  // TOML has no null
};

// Applies `ops` in order. When `applied` is given, it receives one log line
// per operation: "set gateway.port from CLAW_CONFIG__gateway__port".
Status ApplyPatchOps(DocNode& root, const std::vector<PatchOp>& ops, const PatchRules& rules,
                     std::vector<std::string>* applied);

// The value `raw` converted to `type` (the type of an existing key). The
// error says what was expected, never what `raw` was.
Result<DocNode> ConvertValue(const std::string& raw, DocNode::Type type);

// What a new key becomes: the JSON literal `raw` spells, else a string.
DocNode InferValue(const std::string& raw);

// "true" for the spellings of true a reader may keep (true, True, TRUE).
bool IsTrueText(std::string_view text);

// Shortest text that reads back as `value`, always with a '.' or an
// exponent so that it stays a float.
std::string FormatDouble(double value);

}  // namespace claw
