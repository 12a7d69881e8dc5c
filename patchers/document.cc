#include "patchers/document.h"

#include <cstdio>

namespace claw {

void AppendQuoted(std::string& out, std::string_view s, QuoteStyle style) {
  out += '"';
  size_t unwritten = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    const auto uc = static_cast<unsigned char>(c);
    if (uc >= 0x20 && c != '"' && c != '\\' && !(uc == 0x7F && style.escape_del)) continue;
    out.append(s.substr(unwritten, i - unwritten));
    unwritten = i + 1;
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\t': out += "\\t"; break;
      case '\n': out += "\\n"; break;
      case '\f': out += "\\f"; break;
      case '\r': out += "\\r"; break;
      default: {
        char buf[8];
        std::snprintf(buf, sizeof buf, style.upper_hex ? "\\u%04X" : "\\u%04x", uc);
        out += buf;
      }
    }
  }
  out.append(s.substr(unwritten));
  out += '"';
}

DocNode* DocNode::Find(const std::string& key) {
  for (auto it = members.rbegin(); it != members.rend(); ++it) {
    if (it->key == key) return &it->value;
  }
  return nullptr;
}

const DocNode* DocNode::Find(const std::string& key) const { return const_cast<DocNode*>(this)->Find(key); }

const char* TypeName(DocNode::Type type) {
  switch (type) {
    case DocNode::Type::kNull: return "null";
    case DocNode::Type::kBool: return "a boolean";
    case DocNode::Type::kInt: return "an integer";
    case DocNode::Type::kFloat: return "a number";
    case DocNode::Type::kString: return "a string";
    case DocNode::Type::kDate: return "a date";
    case DocNode::Type::kTime: return "a time";
    case DocNode::Type::kDateTime: return "a date-time";
    case DocNode::Type::kArray: return "an array";
    case DocNode::Type::kObject: return "an object";
  }
  return "?";
}

std::optional<ConfigFormat> ParseConfigFormat(std::string_view name) {
  for (ConfigFormat f : {ConfigFormat::kJson, ConfigFormat::kToml, ConfigFormat::kYaml}) {
    if (name == FormatName(f)) return f;
  }
  return std::nullopt;
}

const char* FormatName(ConfigFormat format) {
  switch (format) {
    case ConfigFormat::kJson: return "json";
    case ConfigFormat::kToml: return "toml";
    case ConfigFormat::kYaml: return "yaml";
  }
  return "?";
}

}  // namespace claw
