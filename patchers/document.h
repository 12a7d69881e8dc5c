// DocNode: one in-memory tree for every config format, so that the patch rules
// (paths, array indexes, typed conversion, inference) are written and tested
// once. Readers and writers live in json_patch, toml_patch and yaml_patch.
// Scalars keep the spelling they were read with, so an untouched value is
// written back as it was (a JSON 1.50 stays 1.50, a YAML True stays True).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace claw {

// How deep a document (or a JSON literal in a variable) may nest. Readers
// refuse deeper input, which keeps every recursive walk far from the stack's
// limit; toml++ uses the same bound for its own nesting.
inline constexpr int kMaxNesting = 256;

struct DocMember;

struct DocNode {
  enum class Type { kNull, kBool, kInt, kFloat, kString, kDate, kTime, kDateTime, kArray, kObject };

  Type type = Type::kNull;
  // kString: the string itself. kBool: "true"/"false" or the spelling read
  // (YAML "True"). Numbers, dates and times: their spelling in the source
  // format. Unused by containers.
  std::string text;
  std::vector<DocNode> items;      // kArray
  std::vector<DocMember> members;  // kObject, in document order

  // Defined below DocMember, which must be complete first.
  static DocNode Scalar(Type type, std::string text);
  static DocNode Object();
  static DocNode Array();

  bool IsContainer() const { return type == Type::kArray || type == Type::kObject; }

  // The member named `key`, or nullptr. With duplicate keys the last one
  // counts, as in JavaScript and most JSON readers.
  DocNode* Find(const std::string& key);
  const DocNode* Find(const std::string& key) const;
};

struct DocMember {
  std::string key;
  DocNode value;
};

inline DocNode DocNode::Scalar(Type type, std::string text) {
  DocNode node;
  node.type = type;
  node.text = std::move(text);
  return node;
}
inline DocNode DocNode::Object() { return Scalar(Type::kObject, ""); }
inline DocNode DocNode::Array() { return Scalar(Type::kArray, ""); }

// How AppendQuoted spells what it escapes: JSON and TOML basic strings share
// the backslash escapes, TOML also escapes DEL.
struct QuoteStyle {
  bool escape_del = false;  // U+007F as \u007F (TOML)
  bool upper_hex = false;   // \u001B rather than \u001b
};

// Appends `s` in double quotes: \" \\ \b \t \n \f \r, \uXXXX for any other
// control character; every other byte (UTF-8 included) as it is. Runs that
// need no escape are appended whole.
void AppendQuoted(std::string& out, std::string_view s, QuoteStyle style);

enum class ConfigFormat { kJson, kToml, kYaml };

// "an integer", "an object": for error messages.
const char* TypeName(DocNode::Type type);
// "json", "toml", "yaml".
const char* FormatName(ConfigFormat format);
// The inverse of FormatName; nullopt for any other name.
std::optional<ConfigFormat> ParseConfigFormat(std::string_view name);

}  // namespace claw
