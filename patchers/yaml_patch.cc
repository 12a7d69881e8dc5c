#include "patchers/yaml_patch.h"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <iterator>
#include <map>
#include <optional>
#include <span>
#include <sstream>

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

// The word lists are constexpr arrays so that their lengths are known when
// compiled: built at each call from string literals, as an initializer_list,
// they cost a strlen per word on every scalar read or written.
bool OneOf(std::string_view text, std::span<const std::string_view> words) {
  for (auto word : words) {
    if (text == word) return true;
  }
  return false;
}

constexpr std::string_view kNullWords[] = {"", "~", "null", "Null", "NULL"};
constexpr std::string_view kBoolWords[] = {"true", "True", "TRUE", "false", "False", "FALSE"};
constexpr std::string_view kNanWords[] = {".nan", ".NaN", ".NAN"};
constexpr std::string_view kInfWords[] = {".inf", ".Inf", ".INF"};
constexpr std::string_view kYaml11BoolWords[] = {"y",   "Y",  "yes", "Yes", "YES", "n",   "N",  "no",
                                                 "No",  "NO", "on",  "On",  "ON",  "off", "Off", "OFF"};
// NEL, LS, PS and the BOM, in UTF-8.
constexpr std::string_view kSpecialBreaks[] = {"\xC2\x85", "\xE2\x80\xA8", "\xE2\x80\xA9", "\xEF\xBB\xBF"};

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
  if (OneOf(t, kNanWords)) return true;
  if (!t.empty() && (t[0] == '-' || t[0] == '+')) t.remove_prefix(1);
  if (OneOf(t, kInfWords)) return true;
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

// Builds a DocNode from yaml-cpp's parser events, with an explicit stack.
// Events rather than YAML::Node: aliases are copied here (with a budget),
// and yaml-cpp's LoadAll loops forever on a stray ',' while the parser,
// called at most twice, cannot.
class TreeBuilder : public YAML::EventHandler {
 public:
  explicit TreeBuilder(const std::string& origin) : origin_(origin) {}

  std::optional<Error> error;
  DocNode root = DocNode::Object();
  bool has_root = false;

  void OnDocumentStart(const YAML::Mark&) override {}
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    Complete(mark, DocNode::Scalar(DocNode::Type::kNull, ""), anchor, 1);
  }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    auto it = anchors_.find(anchor);
    if (it == anchors_.end()) return Fail(mark, "alias to an anchor that is not complete");
    Complete(mark, it->second.node, 0, it->second.size);
  }
  void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                const std::string& value) override;
  void OnSequenceStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    Open(mark, tag, anchor, DocNode::Array());
  }
  void OnSequenceEnd() override { Close(); }
  void OnMapStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    Open(mark, tag, anchor, DocNode::Object());
  }
  void OnMapEnd() override { Close(); }

 private:
  struct Frame {
    DocNode node;
    YAML::anchor_t anchor = 0;
    YAML::Mark mark;
    size_t size = 1;  // values in this subtree, for alias copies
    // Maps: the key waiting for its value, whether it is a merge key, and
    // the members merged in from "<<" (explicit keys win).
    std::optional<std::string> key;
    bool merge_key = false;
    std::vector<DocMember> merged;
  };
  struct Anchored {
    DocNode node;
    size_t size;
  };

  void Fail(const YAML::Mark& mark, const std::string& what) {
    if (!error) error = Error{Position(mark, origin_) + ": " + what};
  }
  bool InKeyPosition() const {
    return !stack_.empty() && stack_.back().node.type == DocNode::Type::kObject && !stack_.back().key;
  }
  void Open(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor, DocNode node);
  void Close();
  void Complete(const YAML::Mark& mark, DocNode node, YAML::anchor_t anchor, size_t size);

  const std::string& origin_;
  std::vector<Frame> stack_;
  std::map<YAML::anchor_t, Anchored> anchors_;
  size_t nodes_ = 0;
  size_t bytes_ = 0;
};

void TreeBuilder::OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                           const std::string& value) {
  if (error) return;
  bytes_ += value.size();
  if (bytes_ > kMaxBytes) return Fail(mark, "the document expands to more than 64 MiB (aliases?)");
  if (InKeyPosition()) {
    Frame& map = stack_.back();
    map.key = value;
    map.merge_key = value == "<<" && tag == "?";
    if (anchor != 0) anchors_[anchor] = Anchored{DocNode::Scalar(DocNode::Type::kString, value), 1};
    return;
  }
  DocNode::Type type;
  if (tag == "?") {
    type = ResolvePlainScalar(value);
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
    return Fail(mark, "unsupported tag " + tag);
  }
  // A tag may claim a type its text does not spell; such a value would not
  // read back the same, so it is refused.
  if (tag != "?" && type != DocNode::Type::kString && ResolvePlainScalar(value) != type) {
    return Fail(mark, "the value does not match its tag " + tag);
  }
  Complete(mark, DocNode::Scalar(type, value), anchor, 1);
}

void TreeBuilder::Open(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor, DocNode node) {
  if (error) return;
  if (InKeyPosition()) return Fail(mark, "only plain keys are supported (no complex keys)");
  if (tag != "?" && tag != "!" && tag != std::string(kCoreTagPrefix) + "seq" &&
      tag != std::string(kCoreTagPrefix) + "map") {
    return Fail(mark, "unsupported tag " + tag);
  }
  if (stack_.size() >= static_cast<size_t>(kMaxNesting)) {
    return Fail(mark, "nesting deeper than " + std::to_string(kMaxNesting) + " levels");
  }
  Frame frame;
  frame.node = std::move(node);
  frame.anchor = anchor;
  frame.mark = mark;
  stack_.push_back(std::move(frame));
}

void TreeBuilder::Close() {
  if (error || stack_.empty()) return;
  Frame frame = std::move(stack_.back());
  stack_.pop_back();
  for (auto& member : frame.merged) {
    if (frame.node.Find(member.key) == nullptr) frame.node.members.push_back(std::move(member));
  }
  Complete(frame.mark, std::move(frame.node), frame.anchor, frame.size);
}

// A finished value: becomes the root, an item, a member, or merged members.
void TreeBuilder::Complete(const YAML::Mark& mark, DocNode node, YAML::anchor_t anchor, size_t size) {
  if (error) return;
  nodes_ += size;
  if (nodes_ > kMaxNodes) return Fail(mark, "the document expands to more than 1000000 values (aliases?)");
  if (anchor != 0) anchors_[anchor] = Anchored{node, size};
  if (stack_.empty()) {
    root = std::move(node);
    has_root = true;
    return;
  }
  Frame& parent = stack_.back();
  parent.size += size;
  if (parent.node.type == DocNode::Type::kArray) {
    parent.node.items.push_back(std::move(node));
    return;
  }
  if (!parent.key) {  // a null or alias in key position
    if (node.type == DocNode::Type::kNull) {
      parent.key = "";
      parent.merge_key = false;
      return;
    }
    if (node.IsContainer()) return Fail(mark, "only plain keys are supported (no complex keys)");
    parent.key = node.text;
    parent.merge_key = false;
    return;
  }
  const std::string key = *parent.key;
  parent.key.reset();
  if (!parent.merge_key) {
    parent.node.members.push_back(DocMember{key, std::move(node)});
    return;
  }
  // "<<": a mapping, or a list of mappings, whose keys this one takes when
  // it lacks them; earlier sources win over later ones.
  std::vector<DocNode*> sources;
  if (node.type == DocNode::Type::kObject) sources.push_back(&node);
  if (node.type == DocNode::Type::kArray) {
    for (auto& item : node.items) sources.push_back(&item);
  }
  if (sources.empty() || (node.type == DocNode::Type::kArray &&
                          std::any_of(node.items.begin(), node.items.end(),
                                      [](const DocNode& n) { return n.type != DocNode::Type::kObject; }))) {
    return Fail(mark, "a '<<' merge key needs a mapping or a list of mappings");
  }
  for (DocNode* source : sources) {
    for (auto& member : source->members) {
      bool seen = false;
      for (const auto& m : parent.merged) seen = seen || m.key == member.key;
      if (!seen) parent.merged.push_back(std::move(member));
    }
  }
}

// YAML 1.1 readers (PyYAML, older serde_yaml) also read these as booleans,
// so a string spelled this way is quoted on output.
bool IsYaml11Bool(std::string_view text) {
  return OneOf(text, kYaml11BoolWords);
}

// Control characters and the non-ASCII line breaks (NEL, LS, PS, and the
// BOM) are not always escaped by yaml-cpp's plain style: a lone '\r' came
// back as a line break. Such strings are double-quoted, where they are.
bool HasSpecialCharacters(std::string_view text) {
  for (char c : text) {
    const auto uc = static_cast<unsigned char>(c);
    if (uc < 0x20 || uc == 0x7F) return true;
  }
  return std::any_of(std::begin(kSpecialBreaks), std::end(kSpecialBreaks),
                     [&](std::string_view b) { return text.find(b) != std::string_view::npos; });
}

bool NeedsQuotes(const std::string& text) {
  return text.empty() || ResolvePlainScalar(text) != DocNode::Type::kString || IsYaml11Bool(text) ||
         text.front() == ' ' || text.back() == ' ' || HasSpecialCharacters(text) ||
         text == "<<";  // plain, it would read back as a merge key
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
        // An implicit key may be at most 1024 characters long (YAML 1.2,
        // 7.4.2); long ones, escapes counted, are written as "? key".
        if (member.key.size() > 200) out << YAML::LongKey;
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
  if (OneOf(text, kNullWords)) return DocNode::Type::kNull;
  if (OneOf(text, kBoolWords)) return DocNode::Type::kBool;
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
    std::istringstream in{std::string(text)};
    YAML::Parser parser(in);
    TreeBuilder builder(origin);
    parser.HandleNextDocument(builder);
    if (builder.error) return *builder.error;
    TreeBuilder rest(origin);
    if (parser.HandleNextDocument(rest)) return Error{origin + ": more than one YAML document"};
    if (!builder.has_root || builder.root.type == DocNode::Type::kNull) return DocNode::Object();
    return std::move(builder.root);
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

}  // namespace claw
