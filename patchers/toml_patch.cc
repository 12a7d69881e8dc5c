#include "patchers/toml_patch.h"

#include <algorithm>
#include <charconv>
#include <cmath>
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

// Fills `out` (a default DocNode) from `node`, in place: containers are
// sized once and each child is built where it will stay. Recursion bounded
// by `depth`: toml++ limits inline nesting, but headers such as
// [a.b.c...] can nest without limit.
Status FromToml(const toml::node& node, DocNode& out, const std::string& origin, int depth) {
  if (depth > kMaxNesting) {
    return Error{Position(node.source(), origin) + ": nesting deeper than " + std::to_string(kMaxNesting) + " levels"};
  }
  using Type = DocNode::Type;
  const auto scalar = [&out](Type type, auto&& text) {
    out.type = type;
    out.text = std::forward<decltype(text)>(text);
    return Status(Ok{});
  };
  if (const auto* table = node.as_table()) {
    out.type = Type::kObject;
    out.members.resize(table->size());
    auto member = out.members.begin();
    for (const auto& [key, child] : *table) {
      member->key = key.str();
      auto status = FromToml(child, (member++)->value, origin, depth + 1);
      if (!status) return status;
    }
    return Ok{};
  }
  if (const auto* array = node.as_array()) {
    out.type = Type::kArray;
    out.items.resize(array->size());
    auto item = out.items.begin();
    for (const auto& child : *array) {
      auto status = FromToml(child, *item++, origin, depth + 1);
      if (!status) return status;
    }
    return Ok{};
  }
  if (const auto* s = node.as_string()) return scalar(Type::kString, s->get());
  if (const auto* i = node.as_integer()) return scalar(Type::kInt, std::to_string(i->get()));
  if (const auto* f = node.as_floating_point()) return scalar(Type::kFloat, FormatDouble(f->get()));
  if (const auto* b = node.as_boolean()) return scalar(Type::kBool, b->get() ? "true" : "false");
  if (const auto* d = node.as_date()) return scalar(Type::kDate, Print(d->get()));
  if (const auto* t = node.as_time()) return scalar(Type::kTime, Print(t->get()));
  if (const auto* dt = node.as_date_time()) return scalar(Type::kDateTime, Print(dt->get()));
  return Error{Position(node.source(), origin) + ": unsupported value"};
}

// The writer is our own: toml++ 3.3's formatter leaves keys holding ' or
// control characters unquoted in [table] headers (found by fuzzing), and it
// is the slower half of a patch.

// A bare key when it can be one, else a basic string.
void WriteKey(std::string& out, const std::string& key);

void WriteBasicString(std::string& out, std::string_view s) {
  AppendQuoted(out, s, QuoteStyle{.escape_del = true, .upper_hex = true});
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
  out.reserve(table.members.size());
  for (const auto& member : table.members) out.push_back(&member);
  const auto by_key = [](const DocMember* a, const DocMember* b) { return a->key < b->key; };
  // Tables read by toml++ come sorted already; only patched ones need it.
  if (!std::is_sorted(out.begin(), out.end(), by_key)) std::stable_sort(out.begin(), out.end(), by_key);
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
  const size_t n = text.size();
  const auto at = [&](size_t k) { return k < n ? text[k] : '\0'; };
  size_t i = 0;
  while (i < n) {
    const char c = text[i];
    if (c == '#') {  // a comment, to the end of the line
      i = std::min(text.find('\n', i), n);
    } else if ((c == '"' || c == '\'') && at(i + 1) == c && at(i + 2) == c) {  // multi-line strings
      i += 3;
      while (i < n && !(text[i] == c && at(i + 1) == c && at(i + 2) == c)) i += c == '"' && text[i] == '\\' ? 2 : 1;
      i += 3;
      while (i < n && text[i] == c) ++i;  // up to two quotes may end the body
    } else if (c == '"' || c == '\'') {  // one-line strings
      ++i;
      while (i < n && text[i] != c && text[i] != '\n') i += c == '"' && text[i] == '\\' ? 2 : 1;
      ++i;
    } else if (static_cast<unsigned char>(c) >= 0x80) {
      // Found: only now count lines, and columns in code points.
      const size_t line_start = text.rfind('\n', i) + 1;  // npos + 1 == 0
      const size_t line = 1 + static_cast<size_t>(std::count(text.begin(), text.begin() + i, '\n'));
      size_t column = 1;
      for (size_t k = line_start; k < i; ++k) column += (static_cast<unsigned char>(text[k]) & 0xC0) != 0x80;
      return std::to_string(line) + ":" + std::to_string(column);
    } else {
      ++i;
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
    DocNode document;
    auto status = FromToml(root, document, origin, 0);
    if (!status) return status.error();
    return document;
  } catch (const toml::parse_error& err) {
    return Error{Position(err.source(), origin) + ": " + std::string(err.description())};
  }
}

Result<std::string> WriteTomlDocument(const DocNode& root, size_t size_hint) {
  if (root.type != DocNode::Type::kObject) return Error{"a TOML document must be a table at the top"};
  std::string out;
  out.reserve(size_hint);
  std::vector<std::string> path;
  auto status = WriteTable(out, root, path, false);
  if (!status) return status.error();
  return out;
}

}  // namespace claw
