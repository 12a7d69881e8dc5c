#include "patchers/json_patch.h"

#include <rapidjson/error/en.h>
#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>

#include <cstdio>
#include <cstring>

#include "patchers/doc_patch.h"
#include "patchers/json5.h"

namespace claw {
namespace {

// Builds a DocNode from RapidJSON's SAX events. With kParseIterativeFlag the
// reader keeps its own stack, and so does this builder: nothing recurses.
class TreeBuilder : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>, TreeBuilder> {
 public:
  DocNode root;
  bool too_deep = false;

  bool Null() { return Add(DocNode::Scalar(DocNode::Type::kNull, "")) != nullptr; }
  bool Bool(bool b) { return Add(DocNode::Scalar(DocNode::Type::kBool, b ? "true" : "false")) != nullptr; }
  bool RawNumber(const char* s, rapidjson::SizeType len, bool) {
    std::string text(s, len);
    const bool is_float = text.find_first_of(".eE") != std::string::npos;
    return Add(DocNode::Scalar(is_float ? DocNode::Type::kFloat : DocNode::Type::kInt, std::move(text))) != nullptr;
  }
  bool String(const char* s, rapidjson::SizeType len, bool) {
    if (!IsWellFormed(s, len)) return false;
    return Add(DocNode::Scalar(DocNode::Type::kString, std::string(s, len))) != nullptr;
  }
  bool Key(const char* s, rapidjson::SizeType len, bool) {
    if (!IsWellFormed(s, len)) return false;
    key_.assign(s, len);
    return true;
  }
  bool StartObject() { return Open(DocNode::Object()); }
  bool StartArray() { return Open(DocNode::Array()); }
  bool EndObject(rapidjson::SizeType) { return Close(); }
  bool EndArray(rapidjson::SizeType) { return Close(); }

 private:
  // Ancestors' vectors do not change while a child is open, so the pointers
  // on the stack stay valid.
  DocNode* Add(DocNode node) {
    if (stack_.empty()) {
      root = std::move(node);
      return &root;
    }
    DocNode* parent = stack_.back();
    if (parent->type == DocNode::Type::kArray) {
      parent->items.push_back(std::move(node));
      return &parent->items.back();
    }
    parent->members.push_back(DocMember{std::move(key_), std::move(node)});
    return &parent->members.back().value;
  }
  bool Open(DocNode node) {
    if (stack_.size() >= static_cast<size_t>(kMaxNesting)) {
      too_deep = true;
      return false;
    }
    stack_.push_back(Add(std::move(node)));
    return true;
  }
  bool Close() {
    stack_.pop_back();
    return true;
  }

  // RapidJSON validates the UTF-8 it reads, but decodes a lone low
  // surrogate escape ("\uDC00") into bytes that are not UTF-8 (ED B0 80).
  // Every such result starts with 0xED, so only those strings are checked.
  static bool IsWellFormed(const char* s, rapidjson::SizeType len) {
    return std::memchr(s, 0xED, len) == nullptr || IsValidUtf8(std::string_view(s, len));
  }

  std::vector<DocNode*> stack_;
  std::string key_;
};

constexpr unsigned kParseFlags =
    rapidjson::kParseIterativeFlag | rapidjson::kParseNumbersAsStringsFlag | rapidjson::kParseValidateEncodingFlag;

// Parses strict JSON into a tree; the error names no part of the input.
Result<DocNode> ParseStrict(std::string_view json) {
  TreeBuilder builder;
  rapidjson::Reader reader;
  rapidjson::MemoryStream stream(json.data(), json.size());
  rapidjson::ParseResult ok = reader.Parse<kParseFlags>(stream, builder);
  if (!ok) {
    if (builder.too_deep) return Error{"nesting deeper than " + std::to_string(kMaxNesting) + " levels"};
    return Error{std::string(rapidjson::GetParseError_En(ok.Code())) + " (at byte " + std::to_string(ok.Offset()) + ")"};
  }
  return std::move(builder.root);
}

void WriteString(std::string& out, std::string_view s) {
  out += '"';
  for (char c : s) {
    const auto uc = static_cast<unsigned char>(c);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (uc < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", uc);
          out += buf;
        } else {
          out += c;
        }
    }
  }
  out += '"';
}

void Indent(std::string& out, int depth) { out.append(static_cast<size_t>(depth) * 2, ' '); }

// Recursion is bounded: readers refuse documents deeper than kMaxNesting and
// patches add at most kMaxPathSegments + kMaxNesting more.
void WriteNode(std::string& out, const DocNode& node, int depth) {
  switch (node.type) {
    case DocNode::Type::kNull: out += "null"; break;
    case DocNode::Type::kBool: out += IsTrueText(node.text) ? "true" : "false"; break;
    case DocNode::Type::kInt:
    case DocNode::Type::kFloat: out += node.text; break;
    case DocNode::Type::kString:
    case DocNode::Type::kDate:
    case DocNode::Type::kTime:
    case DocNode::Type::kDateTime: WriteString(out, node.text); break;
    case DocNode::Type::kArray:
      if (node.items.empty()) {
        out += "[]";
        break;
      }
      out += "[\n";
      for (size_t i = 0; i < node.items.size(); ++i) {
        Indent(out, depth + 1);
        WriteNode(out, node.items[i], depth + 1);
        out += i + 1 < node.items.size() ? ",\n" : "\n";
      }
      Indent(out, depth);
      out += ']';
      break;
    case DocNode::Type::kObject:
      if (node.members.empty()) {
        out += "{}";
        break;
      }
      out += "{\n";
      for (size_t i = 0; i < node.members.size(); ++i) {
        Indent(out, depth + 1);
        WriteString(out, node.members[i].key);
        out += ": ";
        WriteNode(out, node.members[i].value, depth + 1);
        out += i + 1 < node.members.size() ? ",\n" : "\n";
      }
      Indent(out, depth);
      out += '}';
      break;
  }
}

}  // namespace

Result<DocNode> ParseJsonDocument(std::string_view text, const std::string& origin) {
  // Most .json files are strict JSON, which RapidJSON reads directly. It
  // accepts nothing the JSON5 pass would refuse (the builder refuses lone
  // surrogates and deep nesting too), and for strict JSON the pass changes
  // nothing RapidJSON would read differently, so the tree is the same. On
  // any failure the text goes the JSON5 way, which also names line:column.
  if (auto strict = ParseStrict(text)) return strict;
  auto json = Json5ToJson(text, origin, Json5Options{kMaxNesting});
  if (!json) return json.error();
  // The JSON5 pass has checked syntax, depth and UTF-8, so RapidJSON
  // failing here would be a bug in the pass; it is still reported, not
  // trusted away.
  auto root = ParseStrict(json.value());
  if (!root) return Error{origin + ": " + root.error().message};
  return root;
}

Result<DocNode> ParseJsonLiteral(std::string_view text) { return ParseStrict(text); }

std::string WriteJsonDocument(const DocNode& root) {
  std::string out;
  WriteNode(out, root, 0);
  out += '\n';
  return out;
}

Result<std::string> PatchJson(std::string_view text, const std::vector<PatchOp>& ops, const std::string& origin) {
  auto root = ParseJsonDocument(text, origin);
  if (!root) return root.error();
  auto status = ApplyPatchOps(root.value(), ops, PatchRules{}, nullptr);
  if (!status) return status.error();
  return WriteJsonDocument(root.value());
}

}  // namespace claw
