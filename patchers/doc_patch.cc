#include "patchers/doc_patch.h"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <optional>
#include <sstream>
#include <toml++/toml.h>

#include "patchers/json5.h"
#include "patchers/json_patch.h"

namespace claw {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  return out;
}

// "0", "12": an array index. Leading zeros ("01") are not, so that a key
// spelled that way is never taken for an index by accident.
std::optional<size_t> ParseIndex(const std::string& segment) {
  if (segment.empty() || segment.size() > 9) return std::nullopt;
  if (segment.size() > 1 && segment[0] == '0') return std::nullopt;
  size_t value = 0;
  for (char c : segment) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + static_cast<size_t>(c - '0');
  }
  return value;
}

DocNode ContainerFor(const std::string& next_segment) {
  return ParseIndex(next_segment) ? DocNode::Array() : DocNode::Object();
}

bool ContainsNull(const DocNode& node) {
  if (node.type == DocNode::Type::kNull) return true;
  for (const auto& item : node.items) {
    if (ContainsNull(item)) return true;
  }
  for (const auto& member : node.members) {
    if (ContainsNull(member.value)) return true;
  }
  return false;
}

std::string Prefix(const std::vector<std::string>& path, size_t count) {
  return JoinPath(std::vector<std::string>(path.begin(), path.begin() + static_cast<std::ptrdiff_t>(count)));
}

// The root has no name; messages call it "the document".
std::string Quoted(const std::string& dotted) { return dotted.empty() ? "the document" : "'" + dotted + "'"; }

Result<DocNode> ConvertTomlDate(const std::string& raw, DocNode::Type type) {
  // toml++ is the judge of TOML date syntax. The result must be a single key
  // holding one value of the right type, so a value cannot smuggle in more;
  // the text kept is toml++'s own spelling (no comment, no whitespace).
  std::ostringstream text;
  try {
    toml::table parsed = toml::parse("v = " + raw);
    const toml::node* v = parsed.size() == 1 ? parsed.get("v") : nullptr;
    if (v != nullptr && type == DocNode::Type::kDate && v->is_date()) text << v->as_date()->get();
    if (v != nullptr && type == DocNode::Type::kTime && v->is_time()) text << v->as_time()->get();
    if (v != nullptr && type == DocNode::Type::kDateTime && v->is_date_time()) text << v->as_date_time()->get();
  } catch (const toml::parse_error&) {
    text.str("");
  }
  if (text.str().empty()) return Error{std::string("expected ") + TypeName(type) + " in TOML syntax"};
  return DocNode::Scalar(type, text.str());
}

// Adds `node` under `segment` (a new key, or the index equal to the length)
// and returns where it now lives.
DocNode* Append(DocNode& container, const std::string& segment, DocNode node) {
  if (container.type == DocNode::Type::kArray) {
    container.items.push_back(std::move(node));
    return &container.items.back();
  }
  container.members.push_back(DocMember{segment, std::move(node)});
  return &container.members.back().value;
}

Status SetPath(DocNode& root, const PatchOp& op, const PatchRules& rules) {
  const auto& path = op.path;
  DocNode* current = &root;
  for (size_t i = 0; i < path.size(); ++i) {
    const std::string& segment = path[i];
    const std::string here = Prefix(path, i);
    if (current->type == DocNode::Type::kNull) *current = ContainerFor(segment);

    DocNode* slot = nullptr;  // the existing child, if any
    if (current->type == DocNode::Type::kObject) {
      slot = current->Find(segment);
    } else if (current->type == DocNode::Type::kArray) {
      auto index = ParseIndex(segment);
      if (!index) return Error{Quoted(here) + " is an array and '" + segment + "' is not an index"};
      const size_t size = current->items.size();
      if (*index > size) {
        return Error{"index " + segment + " is past the end of " + Quoted(here) + " (" + std::to_string(size) +
                     " items; " + std::to_string(size) + " appends)"};
      }
      if (*index < size) slot = &current->items[*index];
    } else {
      return Error{Quoted(here) + " is " + TypeName(current->type) + ", not an object or an array"};
    }

    if (i + 1 < path.size()) {
      current = slot != nullptr ? slot : Append(*current, segment, ContainerFor(path[i + 1]));
      continue;
    }
    Result<DocNode> value = slot != nullptr ? ConvertValue(op.value, slot->type) : InferValue(op.value);
    if (!value) return Error{value.error().message + " (the type of '" + JoinPath(path) + "')"};
    if (!rules.allow_null && ContainsNull(value.value())) {
      return Error{"this format has no null; remove a key with " + std::string(kEnvConfigUnsetPrefix) + "..."};
    }
    if (slot != nullptr) {
      *slot = std::move(value).value();
    } else {
      Append(*current, segment, std::move(value).value());
    }
  }
  return Ok{};
}

// Returns false when the key was not there.
bool UnsetPath(DocNode& root, const std::vector<std::string>& path) {
  DocNode* current = &root;
  for (size_t i = 0; i < path.size(); ++i) {
    const std::string& segment = path[i];
    const bool last = i + 1 == path.size();
    if (current->type == DocNode::Type::kObject) {
      if (last) {
        auto& members = current->members;
        const size_t before = members.size();
        std::erase_if(members, [&](const DocMember& m) { return m.key == segment; });
        return members.size() != before;
      }
      current = current->Find(segment);
      if (current == nullptr) return false;
    } else if (current->type == DocNode::Type::kArray) {
      auto index = ParseIndex(segment);
      if (!index || *index >= current->items.size()) return false;
      if (last) {
        current->items.erase(current->items.begin() + static_cast<std::ptrdiff_t>(*index));
        return true;
      }
      current = &current->items[*index];
    } else {
      return false;
    }
  }
  return false;
}

}  // namespace

bool IsTrueText(std::string_view text) { return text == "true" || text == "True" || text == "TRUE"; }

std::string FormatDouble(double value) {
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
  std::string text(buf, end);
  if (text.find_first_of(".eEn") == std::string::npos) text += ".0";
  return text;
}

DocNode InferValue(const std::string& raw) {
  const bool trimmed = !raw.empty() && raw.find_first_of(" \t\r\n") != 0 &&
                       raw.find_last_of(" \t\r\n") != raw.size() - 1;
  if (trimmed) {
    auto literal = ParseJsonLiteral(raw);
    if (literal) return std::move(literal).value();
  }
  return DocNode::Scalar(DocNode::Type::kString, raw);
}

Result<DocNode> ConvertValue(const std::string& raw, DocNode::Type type) {
  using Type = DocNode::Type;
  switch (type) {
    case Type::kNull:
      return InferValue(raw);
    case Type::kString:
      return DocNode::Scalar(Type::kString, raw);
    case Type::kBool: {
      const std::string v = Lower(raw);
      if (v == "true" || v == "1" || v == "yes") return DocNode::Scalar(Type::kBool, "true");
      if (v == "false" || v == "0" || v == "no") return DocNode::Scalar(Type::kBool, "false");
      return Error{"expected a boolean (true, false, 1, 0, yes, no)"};
    }
    case Type::kInt: {
      std::string_view v = raw;
      if (!v.empty() && v[0] == '+') v.remove_prefix(1);
      int64_t value = 0;
      auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), value);
      if (v.empty() || ec != std::errc() || end != v.data() + v.size()) {
        return Error{"expected an integer (64-bit)"};
      }
      return DocNode::Scalar(Type::kInt, std::to_string(value));
    }
    case Type::kFloat: {
      std::string_view v = raw;
      if (!v.empty() && v[0] == '+') v.remove_prefix(1);
      double value = 0;
      auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), value);
      if (v.empty() || ec != std::errc() || end != v.data() + v.size() || !std::isfinite(value)) {
        return Error{"expected a finite number"};
      }
      return DocNode::Scalar(Type::kFloat, FormatDouble(value));
    }
    case Type::kDate:
    case Type::kTime:
    case Type::kDateTime:
      return ConvertTomlDate(raw, type);
    case Type::kArray:
    case Type::kObject: {
      auto literal = ParseJsonLiteral(raw);
      if (!literal || literal.value().type != type) {
        return Error{std::string("expected a JSON ") + (type == Type::kArray ? "array [..]" : "object {..}")};
      }
      return literal;
    }
  }
  return Error{"unknown type"};
}

Status ApplyPatchOps(DocNode& root, const std::vector<PatchOp>& ops, const PatchRules& rules,
                     std::vector<std::string>* applied) {
  for (const PatchOp& op : ops) {
    const std::string dotted = JoinPath(op.path);
    if (!IsValidUtf8(dotted)) return Error{op.variable + ": the key is not valid UTF-8"};
    if (op.kind == PatchOp::Kind::kUnset) {
      const bool removed = UnsetPath(root, op.path);
      if (applied) applied->push_back("unset " + dotted + " from " + op.variable + (removed ? "" : " (was not set)"));
      continue;
    }
    if (!IsValidUtf8(op.value)) return Error{op.variable + ": the value is not valid UTF-8"};
    auto status = SetPath(root, op, rules);
    if (!status) return status.error().Prefixed(op.variable);
    if (applied) applied->push_back("set " + dotted + " from " + op.variable);
  }
  return Ok{};
}

}  // namespace claw
