// YAML documents through yaml-cpp, read into a DocNode and written back as
// block-style YAML. Anchors and aliases are resolved (each alias becomes a
// copy, so a patch changes one place only), and so are "<<" merge keys.
// Scalars are typed by the YAML 1.2 core schema; a string that would read
// back as another type (true, 42, null, yes) is written quoted. Comments are
// not kept.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "patchers/document.h"
#include "patchers/patch_spec.h"

namespace claw {

// Errors are "origin:line:column: what". Refuses more than one document,
// tags outside the core schema, and alias expansion beyond a fixed budget
// (the "billion laughs" document).
Result<DocNode> ParseYamlDocument(std::string_view text, const std::string& origin);

Result<std::string> WriteYamlDocument(const DocNode& root);


// The core-schema type of a plain (unquoted, untagged) scalar.
DocNode::Type ResolvePlainScalar(std::string_view text);

}  // namespace claw
