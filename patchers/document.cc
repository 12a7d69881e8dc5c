#include "patchers/document.h"

namespace claw {

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

const char* FormatName(ConfigFormat format) {
  switch (format) {
    case ConfigFormat::kJson: return "json";
    case ConfigFormat::kToml: return "toml";
    case ConfigFormat::kYaml: return "yaml";
  }
  return "?";
}

}  // namespace claw
