#include "patchers/json_patch.h"

#include <rapidjson/error/en.h>
#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>

#include <cstring>
#include <iterator>

#include "patchers/doc_patch.h"
#include "patchers/json5.h"

namespace claw {
namespace {

// Builds a DocNode from RapidJSON's SAX events. With kParseIterativeFlag the
// reader keeps its own stack, and so does this builder: nothing recurses.
//
// Each value is built in place in `pending_`, the values of all open
// containers in document order. When a container closes, its children (the
// tail of `pending_`) move once into a vector of exactly their number, so
// no finished node is moved again by a growing vector.
class TreeBuilder : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>, TreeBuilder> {
 public:
  bool too_deep = false;

  // `has_escapes`: the text holds a \u escape (see IsWellFormed).
  explicit TreeBuilder(bool has_escapes) : has_escapes_(has_escapes) { pending_.reserve(64); }

  // The document, once Parse has succeeded.
  DocNode TakeRoot() { return std::move(pending_.front().value); }

  bool Null() {
    NewValue(DocNode::Type::kNull);
    return true;
  }
  bool Bool(bool b) {
    NewValue(DocNode::Type::kBool).text = b ? "true" : "false";
    return true;
  }
  bool RawNumber(const char* s, rapidjson::SizeType len, bool) {
    const std::string_view text(s, len);
    const bool is_float = text.find_first_of(".eE") != std::string_view::npos;
    NewValue(is_float ? DocNode::Type::kFloat : DocNode::Type::kInt).text.assign(s, len);
    return true;
  }
  bool String(const char* s, rapidjson::SizeType len, bool) {
    if (!IsWellFormed(s, len)) return false;
    NewValue(DocNode::Type::kString).text.assign(s, len);
    return true;
  }
  bool Key(const char* s, rapidjson::SizeType len, bool) {
    if (!IsWellFormed(s, len)) return false;
    pending_.emplace_back().key.assign(s, len);
    return true;
  }
  bool StartObject() { return Open(DocNode::Type::kObject); }
  bool StartArray() { return Open(DocNode::Type::kArray); }
  bool EndObject(rapidjson::SizeType) { return Close(); }
  bool EndArray(rapidjson::SizeType) { return Close(); }

 private:
  // The node for the next value: in an object, the slot its Key() made.
  DocNode& NewValue(DocNode::Type type) {
    const bool in_object = !open_.empty() && pending_[open_.back()].value.type == DocNode::Type::kObject;
    DocNode& node = in_object ? pending_.back().value : pending_.emplace_back().value;
    node.type = type;
    return node;
  }
  bool Open(DocNode::Type type) {
    if (open_.size() >= static_cast<size_t>(kMaxNesting)) {
      too_deep = true;
      return false;
    }
    NewValue(type);
    open_.push_back(pending_.size() - 1);
    return true;
  }
  bool Close() {
    const size_t at = open_.back();
    open_.pop_back();
    const auto first = pending_.begin() + static_cast<std::ptrdiff_t>(at + 1);
    DocNode& node = pending_[at].value;
    if (node.type == DocNode::Type::kObject) {
      node.members.assign(std::make_move_iterator(first), std::make_move_iterator(pending_.end()));
    } else {
      node.items.reserve(static_cast<size_t>(pending_.end() - first));
      for (auto it = first; it != pending_.end(); ++it) node.items.push_back(std::move(it->value));
    }
    pending_.erase(first, pending_.end());
    return true;
  }

  // RapidJSON validates the UTF-8 it reads, but decodes a lone low
  // surrogate escape ("\uDC00") into bytes that are not UTF-8 (ED B0 80).
  // Every such result starts with 0xED, so only those strings are checked,
  // and only when the text has an escape at all.
  bool IsWellFormed(const char* s, rapidjson::SizeType len) const {
    return !has_escapes_ || std::memchr(s, 0xED, len) == nullptr || IsValidUtf8(std::string_view(s, len));
  }

  bool has_escapes_;
  std::vector<DocMember> pending_;  // array items and the root have no key
  std::vector<size_t> open_;        // where each open container is in pending_
};

constexpr unsigned kParseFlags =
    rapidjson::kParseIterativeFlag | rapidjson::kParseNumbersAsStringsFlag | rapidjson::kParseValidateEncodingFlag;

// Parses strict JSON into a tree; the error names no part of the input.
Result<DocNode> ParseStrict(std::string_view json) {
  TreeBuilder builder(json.find("\\u") != std::string_view::npos);
  rapidjson::Reader reader;
  rapidjson::MemoryStream stream(json.data(), json.size());
  rapidjson::ParseResult ok = reader.Parse<kParseFlags>(stream, builder);
  if (!ok) {
    if (builder.too_deep) return Error{"nesting deeper than " + std::to_string(kMaxNesting) + " levels"};
    return Error{std::string(rapidjson::GetParseError_En(ok.Code())) + " (at byte " + std::to_string(ok.Offset()) + ")"};
  }
  return builder.TakeRoot();
}

void WriteString(std::string& out, std::string_view s) { AppendQuoted(out, s, QuoteStyle{}); }

void Indent(std::string& out, int depth) { out.append(static_cast<size_t>(depth) * 2, ' '); }

// Writes `count` entries between `open` and `close`, one a line at depth + 1
// (`write_entry(i)` writes the i-th), or `open` and `close` alone for none.
template <typename WriteEntry>
void WriteBlock(std::string& out, char open, char close, size_t count, int depth, WriteEntry write_entry) {
  out += open;
  if (count == 0) {
    out += close;
    return;
  }
  out += '\n';
  for (size_t i = 0; i < count; ++i) {
    Indent(out, depth + 1);
    write_entry(i);
    out += i + 1 < count ? ",\n" : "\n";
  }
  Indent(out, depth);
  out += close;
}

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
      WriteBlock(out, '[', ']', node.items.size(), depth, [&](size_t i) { WriteNode(out, node.items[i], depth + 1); });
      break;
    case DocNode::Type::kObject:
      WriteBlock(out, '{', '}', node.members.size(), depth, [&](size_t i) {
        WriteString(out, node.members[i].key);
        out += ": ";
        WriteNode(out, node.members[i].value, depth + 1);
      });
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

std::string WriteJsonDocument(const DocNode& root, size_t size_hint) {
  std::string out;
  out.reserve(size_hint);
  WriteNode(out, root, 0);
  out += '\n';
  return out;
}

}  // namespace claw
