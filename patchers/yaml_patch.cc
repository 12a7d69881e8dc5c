#include "patchers/yaml_patch.h"

#include <yaml-cpp/yaml.h>

#include <initializer_list>

#include "patchers/doc_patch.h"
#include "patchers/json5.h"

namespace claw {
namespace {

// Alias expansion budget: a few aliased sequences can otherwise expand into
// billions of nodes.
constexpr size_t kMaxNodes = 1'000'000;
constexpr size_t kMaxBytes = 64u << 20;

constexpr const char* kCoreTagPrefix = "tag:yaml.org,2002:";

std::string Position(const YAML::Mark& mark, const std::string& origin) {
  if (mark.is_null()) return origin;
  return origin + ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1);
}

bool OneOf(std::string_view text, std::initializer_list<std::string_view> words) {
  for (auto word : words) {
    if (text == word) return true;
  }
  return false;
}

// Consumes characters of `set` from the front of `text`; returns how many.
size_t TakeWhile(std::string_view& text, std::string_view set) {
  size_t n = 0;
  while (n < text.size() && set.find(text[n]) != std::string_view::npos) ++n;
  text.remove_prefix(n);
  return n;
}

constexpr std::string_view kDigits = "0123456789";

// Hand-written rather than std::regex, whose matcher recurses per character
// and overflows the stack on long scalars.
bool IsCoreInt(std::string_view t) {
  if (t.size() > 2 && (t.substr(0, 2) == "0o" || t.substr(0, 2) == "0x")) {
    const bool hex = t[1] == 'x';
    t.remove_prefix(2);
    return TakeWhile(t, hex ? "0123456789abcdefABCDEF" : "01234567") > 0 && t.empty();
  }
  if (!t.empty() && (t[0] == '-' || t[0] == '+')) t.remove_prefix(1);
  return TakeWhile(t, kDigits) > 0 && t.empty();
}

bool IsCoreFloat(std::string_view t) {
  if (OneOf(t, {".nan", ".NaN", ".NAN"})) return true;
  if (!t.empty() && (t[0] == '-' || t[0] == '+')) t.remove_prefix(1);
  if (OneOf(t, {".inf", ".Inf", ".INF"})) return true;
  const size_t int_digits = TakeWhile(t, kDigits);
  size_t frac_digits = 0;
  if (!t.empty() && t[0] == '.') {
    t.remove_prefix(1);
    frac_digits = TakeWhile(t, kDigits);
    if (int_digits == 0 && frac_digits == 0) return false;
  } else if (int_digits == 0) {
    return false;
  }
  if (!t.empty() && (t[0] == 'e' || t[0] == 'E')) {
    t.remove_prefix(1);
    if (!t.empty() && (t[0] == '-' || t[0] == '+')) t.remove_prefix(1);
    if (TakeWhile(t, kDigits) == 0) return false;
  }
  return t.empty();
}

class Converter {
 public:
  explicit Converter(const std::string& origin) : origin_(origin) {}

  Result<DocNode> Convert(const YAML::Node& node, int depth);

 private:
  Result<DocNode> ConvertScalar(const YAML::Node& node);
  Result<DocNode> ConvertMap(const YAML::Node& node, int depth);
  Error Fail(const YAML::Node& node, const std::string& what) const {
    return Error{Position(node.Mark(), origin_) + ": " + what};
  }

  const std::string& origin_;
  size_t nodes_ = 0;
  size_t bytes_ = 0;
};

Result<DocNode> Converter::Convert(const YAML::Node& node, int depth) {
  if (depth > kMaxNesting) return Fail(node, "nesting deeper than " + std::to_string(kMaxNesting) + " levels");
  if (++nodes_ > kMaxNodes) return Fail(node, "the document expands to more than 1000000 values (aliases?)");
  switch (node.Type()) {
    case YAML::NodeType::Undefined:
    case YAML::NodeType::Null:
      return DocNode::Scalar(DocNode::Type::kNull, "");
    case YAML::NodeType::Scalar:
      return ConvertScalar(node);
    case YAML::NodeType::Sequence: {
      DocNode out = DocNode::Array();
      for (const auto& item : node) {
        auto value = Convert(item, depth + 1);
        if (!value) return value.error();
        out.items.push_back(std::move(value).value());
      }
      return out;
    }
    case YAML::NodeType::Map:
      return ConvertMap(node, depth);
  }
  return Fail(node, "unsupported node");
}

Result<DocNode> Converter::ConvertScalar(const YAML::Node& node) {
  const std::string& text = node.Scalar();
  bytes_ += text.size();
  if (bytes_ > kMaxBytes) return Fail(node, "the document expands to more than 64 MiB (aliases?)");
  const std::string& tag = node.Tag();
  DocNode::Type type;
  if (tag == "?") {
    type = ResolvePlainScalar(text);
  } else if (tag == "!" || tag == std::string(kCoreTagPrefix) + "str") {
    type = DocNode::Type::kString;
  } else if (tag == std::string(kCoreTagPrefix) + "int") {
    type = DocNode::Type::kInt;
  } else if (tag == std::string(kCoreTagPrefix) + "float") {
    type = DocNode::Type::kFloat;
  } else if (tag == std::string(kCoreTagPrefix) + "bool") {
    type = DocNode::Type::kBool;
  } else if (tag == std::string(kCoreTagPrefix) + "null") {
    type = DocNode::Type::kNull;
  } else {
    return Fail(node, "unsupported tag " + tag);
  }
  // A tag may claim a type its text does not spell; such a value would not
  // read back the same, so it is refused.
  if (tag != "?" && type != DocNode::Type::kString && ResolvePlainScalar(text) != type) {
    return Fail(node, "the value does not match its tag " + tag);
  }
  return DocNode::Scalar(type, text);
}

Result<DocNode> Converter::ConvertMap(const YAML::Node& node, int depth) {
  DocNode out = DocNode::Object();
  std::vector<DocMember> merged;  // from "<<" merge keys; explicit keys win
  auto merge_from = [&](const YAML::Node& source) -> Status {
    if (!source.IsMap()) return Fail(source, "a '<<' merge key needs a mapping or a list of mappings");
    auto value = Convert(source, depth + 1);
    if (!value) return value.error();
    for (auto& member : value.value().members) {
      bool seen = false;
      for (const auto& m : merged) seen = seen || m.key == member.key;
      if (!seen) merged.push_back(std::move(member));
    }
    return Ok{};
  };
  for (const auto& entry : node) {
    const YAML::Node& key = entry.first;
    if (!key.IsScalar() && !key.IsNull()) return Fail(key, "only plain keys are supported (no complex keys)");
    const std::string name = key.IsNull() ? "" : key.Scalar();
    if (name == "<<" && key.Tag() == "?") {
      if (entry.second.IsSequence()) {
        for (const auto& source : entry.second) {
          auto status = merge_from(source);
          if (!status) return status.error();
        }
      } else {
        auto status = merge_from(entry.second);
        if (!status) return status.error();
      }
      continue;
    }
    auto value = Convert(entry.second, depth + 1);
    if (!value) return value.error();
    out.members.push_back(DocMember{name, std::move(value).value()});
  }
  for (auto& member : merged) {
    if (out.Find(member.key) == nullptr) out.members.push_back(std::move(member));
  }
  return out;
}

// YAML 1.1 readers (PyYAML, older serde_yaml) also read these as booleans,
// so a string spelled this way is quoted on output.
bool IsYaml11Bool(std::string_view text) {
  return OneOf(text, {"y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "on", "On", "ON", "off", "Off", "OFF"});
}

bool NeedsQuotes(const std::string& text) {
  return text.empty() || ResolvePlainScalar(text) != DocNode::Type::kString || IsYaml11Bool(text) ||
         text.front() == ' ' || text.back() == ' ';
}

void EmitString(YAML::Emitter& out, const std::string& text) {
  if (NeedsQuotes(text)) out << YAML::DoubleQuoted;
  out << text;
}

// Recursion bounded as in the JSON writer.
void Emit(YAML::Emitter& out, const DocNode& node) {
  switch (node.type) {
    case DocNode::Type::kNull: out << YAML::Null; break;
    case DocNode::Type::kBool:
    case DocNode::Type::kInt:
    case DocNode::Type::kFloat: out << node.text; break;
    case DocNode::Type::kString:
    case DocNode::Type::kDate:
    case DocNode::Type::kTime:
    case DocNode::Type::kDateTime: EmitString(out, node.text); break;
    case DocNode::Type::kArray:
      if (node.items.empty()) out << YAML::Flow;
      out << YAML::BeginSeq;
      for (const auto& item : node.items) Emit(out, item);
      out << YAML::EndSeq;
      break;
    case DocNode::Type::kObject:
      if (node.members.empty()) out << YAML::Flow;
      out << YAML::BeginMap;
      for (const auto& member : node.members) {
        out << YAML::Key;
        EmitString(out, member.key);
        out << YAML::Value;
        Emit(out, member.value);
      }
      out << YAML::EndMap;
      break;
  }
}

}  // namespace

DocNode::Type ResolvePlainScalar(std::string_view text) {
  if (OneOf(text, {"", "~", "null", "Null", "NULL"})) return DocNode::Type::kNull;
  if (OneOf(text, {"true", "True", "TRUE", "false", "False", "FALSE"})) return DocNode::Type::kBool;
  if (IsCoreInt(text)) return DocNode::Type::kInt;
  if (IsCoreFloat(text)) return DocNode::Type::kFloat;
  return DocNode::Type::kString;
}

Result<DocNode> ParseYamlDocument(std::string_view text, const std::string& origin) {
  // yaml-cpp passes invalid UTF-8 through, and its emitter would then write
  // YAML that no reader accepts.
  if (const size_t bad = FirstInvalidUtf8(text); bad != std::string_view::npos) {
    return Error{origin + ":" + LineColumn(text, bad) + ": invalid UTF-8"};
  }
  try {
    std::vector<YAML::Node> documents = YAML::LoadAll(std::string(text));
    if (documents.size() > 1) return Error{origin + ": more than one YAML document"};
    if (documents.empty() || documents[0].IsNull()) return DocNode::Object();
    return Converter(origin).Convert(documents[0], 0);
  } catch (const YAML::Exception& err) {
    return Error{Position(err.mark, origin) + ": " + err.msg};
  } catch (const std::exception& err) {
    return Error{origin + ": " + err.what()};
  }
}

Result<std::string> WriteYamlDocument(const DocNode& root) {
  YAML::Emitter out;
  out.SetIndent(2);
  Emit(out, root);
  if (!out.good()) return Error{"cannot write YAML: " + out.GetLastError()};
  return std::string(out.c_str()) + "\n";
}

Result<std::string> PatchYaml(std::string_view text, const std::vector<PatchOp>& ops, const std::string& origin) {
  auto root = ParseYamlDocument(text, origin);
  if (!root) return root.error();
  auto status = ApplyPatchOps(root.value(), ops, PatchRules{}, nullptr);
  if (!status) return status.error();
  return WriteYamlDocument(root.value());
}

}  // namespace claw
