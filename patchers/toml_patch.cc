#include "patchers/toml_patch.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <optional>
#include <sstream>
#include <toml++/toml.h>

#include "patchers/doc_patch.h"

namespace claw {
namespace {

std::string Position(const toml::source_region& src, const std::string& origin) {
  return origin + ":" + std::to_string(src.begin.line) + ":" + std::to_string(src.begin.column);
}

template <typename T>
std::string Print(const T& value) {
  std::ostringstream out;
  out << value;
  return out.str();
}

// Recursion bounded by `depth`: toml++ limits inline nesting, but headers such
// as [a.b.c...] can nest without limit.
Result<DocNode> FromToml(const toml::node& node, const std::string& origin, int depth) {
  if (depth > kMaxNesting) {
    return Error{Position(node.source(), origin) + ": nesting deeper than " + std::to_string(kMaxNesting) + " levels"};
  }
  using Type = DocNode::Type;
  if (const auto* table = node.as_table()) {
    DocNode out = DocNode::Object();
    for (const auto& [key, child] : *table) {
      auto value = FromToml(child, origin, depth + 1);
      if (!value) return value.error();
      out.members.push_back(DocMember{std::string(key.str()), std::move(value).value()});
    }
    return out;
  }
  if (const auto* array = node.as_array()) {
    DocNode out = DocNode::Array();
    for (const auto& child : *array) {
      auto value = FromToml(child, origin, depth + 1);
      if (!value) return value.error();
      out.items.push_back(std::move(value).value());
    }
    return out;
  }
  if (const auto* s = node.as_string()) return DocNode::Scalar(Type::kString, s->get());
  if (const auto* i = node.as_integer()) return DocNode::Scalar(Type::kInt, std::to_string(i->get()));
  if (const auto* f = node.as_floating_point()) return DocNode::Scalar(Type::kFloat, FormatDouble(f->get()));
  if (const auto* b = node.as_boolean()) return DocNode::Scalar(Type::kBool, b->get() ? "true" : "false");
  if (const auto* d = node.as_date()) return DocNode::Scalar(Type::kDate, Print(d->get()));
  if (const auto* t = node.as_time()) return DocNode::Scalar(Type::kTime, Print(t->get()));
  if (const auto* dt = node.as_date_time()) return DocNode::Scalar(Type::kDateTime, Print(dt->get()));
  return Error{Position(node.source(), origin) + ": unsupported value"};
}

// The writer is our own: toml++ 3.3's formatter leaves keys holding ' or
// control characters unquoted in [table] headers (found by fuzzing), and it
// is the slower half of a patch.

// A bare key when it can be one, else a basic string.
void WriteKey(std::string& out, const std::string& key);

void WriteBasicString(std::string& out, std::string_view s) {
  out += '"';
  for (char c : s) {
    const auto uc = static_cast<unsigned char>(c);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\t': out += "\\t"; break;
      case '\n': out += "\\n"; break;
      case '\f': out += "\\f"; break;
      case '\r': out += "\\r"; break;
      default:
        if (uc < 0x20 || uc == 0x7F) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04X", uc);
          out += buf;
        } else {
          out += c;
        }
    }
  }
  out += '"';
}

void WriteKey(std::string& out, const std::string& key) {
  const bool bare = !key.empty() && std::all_of(key.begin(), key.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  });
  if (bare) {
    out += key;
  } else {
    WriteBasicString(out, key);
  }
}

std::string Where(const std::vector<std::string>& path) { return "'" + JoinPath(path) + "'"; }

// An array written as [[header]] sections rather than inline.
bool IsTableArray(const DocNode& node) {
  return node.type == DocNode::Type::kArray && !node.items.empty() &&
         std::all_of(node.items.begin(), node.items.end(),
                     [](const DocNode& item) { return item.type == DocNode::Type::kObject; });
}
bool IsSection(const DocNode& node) { return node.type == DocNode::Type::kObject || IsTableArray(node); }

// Members in key order, the order toml++ reads them back in: the output
// does not change when it is read and written again.
std::vector<const DocMember*> Sorted(const DocNode& table) {
  std::vector<const DocMember*> out;
  for (const auto& member : table.members) out.push_back(&member);
  std::stable_sort(out.begin(), out.end(), [](const DocMember* a, const DocMember* b) { return a->key < b->key; });
  return out;
}

// Writes `node` as an inline value. `path` names it in errors.
Status WriteInline(std::string& out, const DocNode& node, std::vector<std::string>& path) {
  using Type = DocNode::Type;
  switch (node.type) {
    case Type::kNull:
      return Error{Where(path) + " is null, which TOML cannot hold"};
    case Type::kString:
      WriteBasicString(out, node.text);
      return Ok{};
    case Type::kBool:
      out += IsTrueText(node.text) ? "true" : "false";
      return Ok{};
    case Type::kInt: {
      int64_t v = 0;
      auto [end, ec] = std::from_chars(node.text.data(), node.text.data() + node.text.size(), v);
      if (ec != std::errc() || end != node.text.data() + node.text.size()) {
        return Error{Where(path) + " is an integer outside TOML's 64-bit range"};
      }
      out += std::to_string(v);
      return Ok{};
    }
    case Type::kFloat: {
      double v = 0;
      auto [end, ec] = std::from_chars(node.text.data(), node.text.data() + node.text.size(), v);
      if (ec == std::errc::result_out_of_range) v = node.text[0] == '-' ? -HUGE_VAL : HUGE_VAL;
      else if (ec != std::errc() || end != node.text.data() + node.text.size()) {
        return Error{Where(path) + " is not a number TOML can hold"};
      }
      out += std::isnan(v) ? "nan" : std::isinf(v) ? (v < 0 ? "-inf" : "inf") : FormatDouble(v);
      return Ok{};
    }
    case Type::kDate:
    case Type::kTime:
    case Type::kDateTime:
      // Spelled by toml++ when read or converted.
      out += node.text;
      return Ok{};
    case Type::kArray:
      out += '[';
      for (size_t i = 0; i < node.items.size(); ++i) {
        out += i ? ", " : "";
        path.push_back(std::to_string(i));
        auto status = WriteInline(out, node.items[i], path);
        path.pop_back();
        if (!status) return status;
      }
      out += ']';
      return Ok{};
    case Type::kObject: {
      out += '{';
      const auto members = Sorted(node);
      for (size_t i = 0; i < members.size(); ++i) {
        out += i ? ", " : " ";
        WriteKey(out, members[i]->key);
        out += " = ";
        path.push_back(members[i]->key);
        auto status = WriteInline(out, members[i]->value, path);
        path.pop_back();
        if (!status) return status;
      }
      out += node.members.empty() ? "}" : " }";
      return Ok{};
    }
  }
  return Error{"unknown type"};
}

void WriteHeader(std::string& out, const std::vector<std::string>& path, bool array_element) {
  if (!out.empty()) out += '\n';
  out += array_element ? "[[" : "[";
  for (size_t i = 0; i < path.size(); ++i) {
    if (i) out += '.';
    WriteKey(out, path[i]);
  }
  out += array_element ? "]]\n" : "]\n";
}

// Key/value lines first (after a header they belong to it), then each
// sub-table and array of tables as its own section. A table with nothing of
// its own and sub-tables only needs no header: they create it.
Status WriteTable(std::string& out, const DocNode& table, std::vector<std::string>& path, bool array_element) {
  const bool has_values = std::any_of(table.members.begin(), table.members.end(),
                                      [](const DocMember& m) { return !IsSection(m.value); });
  const bool has_sections = std::any_of(table.members.begin(), table.members.end(),
                                        [](const DocMember& m) { return IsSection(m.value); });
  if (!path.empty() && (array_element || has_values || !has_sections)) WriteHeader(out, path, array_element);
  const auto members = Sorted(table);
  for (const DocMember* member : members) {
    if (IsSection(member->value)) continue;
    WriteKey(out, member->key);
    out += " = ";
    path.push_back(member->key);
    auto status = WriteInline(out, member->value, path);
    path.pop_back();
    if (!status) return status;
    out += '\n';
  }
  for (const DocMember* member : members) {
    if (!IsSection(member->value)) continue;
    path.push_back(member->key);
    Status status = Ok{};
    if (member->value.type == DocNode::Type::kObject) {
      status = WriteTable(out, member->value, path, false);
    } else {
      for (const auto& item : member->value.items) {
        status = WriteTable(out, item, path, true);
        if (!status) break;
      }
    }
    path.pop_back();
    if (!status) return status;
  }
  return Ok{};
}

}  // namespace

std::optional<std::string> FindNonAsciiOutsideStrings(std::string_view text) {
  size_t line = 1;
  size_t column = 1;
  size_t i = 0;
  auto advance = [&](size_t n) {
    for (size_t k = 0; k < n && i < text.size(); ++k, ++i) {
      // Columns count code points: continuation bytes do not move them.
      if (text[i] == '\n') {
        ++line;
        column = 1;
      } else if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
        ++column;
      }
    }
  };
  auto starts = [&](std::string_view what) { return text.substr(i, what.size()) == what; };
  while (i < text.size()) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c == '#') {  // a comment, to the end of the line
      while (i < text.size() && text[i] != '\n') advance(1);
    } else if (starts("\"\"\"") || starts("'''")) {  // multi-line strings
      const std::string_view close = text.substr(i, 3);
      const bool escapes = close[0] == '"';
      advance(3);
      while (i < text.size() && !starts(close)) advance(escapes && text[i] == '\\' ? 2 : 1);
      advance(3);
      while (i < text.size() && text[i] == close[0]) advance(1);  // up to two quotes may end the body
    } else if (c == '"' || c == '\'') {  // one-line strings
      const char quote = static_cast<char>(c);
      advance(1);
      while (i < text.size() && text[i] != quote && text[i] != '\n') {
        advance(quote == '"' && text[i] == '\\' ? 2 : 1);
      }
      advance(1);
    } else if (c >= 0x80) {
      return std::to_string(line) + ":" + std::to_string(column);
    } else {
      advance(1);
    }
  }
  return std::nullopt;
}

Result<DocNode> ParseTomlDocument(std::string_view text, const std::string& origin) {
  // TOML allows non-ASCII only in strings and comments, and toml++ 3.3
  // reaches __builtin_unreachable() (undefined behaviour) for some such
  // characters where whitespace may stand: refuse them before it looks.
  if (auto where = FindNonAsciiOutsideStrings(text)) {
    return Error{origin + ":" + *where + ": non-ASCII character outside a string or comment"};
  }
  try {
    toml::table root = toml::parse(text, origin);
    return FromToml(root, origin, 0);
  } catch (const toml::parse_error& err) {
    return Error{Position(err.source(), origin) + ": " + std::string(err.description())};
  }
}

Result<std::string> WriteTomlDocument(const DocNode& root) {
  if (root.type != DocNode::Type::kObject) return Error{"a TOML document must be a table at the top"};
  std::string out;
  std::vector<std::string> path;
  auto status = WriteTable(out, root, path, false);
  if (!status) return status.error();
  return out;
}

Result<std::string> PatchToml(std::string_view text, const std::vector<PatchOp>& ops, const std::string& origin) {
  auto root = ParseTomlDocument(text, origin);
  if (!root) return root.error();
  auto status = ApplyPatchOps(root.value(), ops, PatchRules{.allow_null = false}, nullptr);
  if (!status) return status.error();
  return WriteTomlDocument(root.value());
}

}  // namespace claw
