#include "patchers/toml_patch.h"

#include <charconv>
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

// The toml++ value for a scalar DocNode; containers are handled by the caller.
// Dates are re-read by toml++ from the text they were read or checked as.
template <typename Insert>
Status InsertScalar(const DocNode& node, const std::string& where, Insert insert) {
  using Type = DocNode::Type;
  switch (node.type) {
    case Type::kNull:
      return Error{"'" + where + "' is null, which TOML cannot hold"};
    case Type::kString:
      insert(toml::value<std::string>(node.text));
      return Ok{};
    case Type::kBool:
      insert(toml::value<bool>(IsTrueText(node.text)));
      return Ok{};
    case Type::kInt: {
      int64_t v = 0;
      auto [end, ec] = std::from_chars(node.text.data(), node.text.data() + node.text.size(), v);
      if (ec != std::errc() || end != node.text.data() + node.text.size()) {
        return Error{"'" + where + "' is an integer outside TOML's 64-bit range"};
      }
      insert(toml::value<int64_t>(v));
      return Ok{};
    }
    case Type::kFloat: {
      double v = 0;
      auto [end, ec] = std::from_chars(node.text.data(), node.text.data() + node.text.size(), v);
      if (ec != std::errc() && ec != std::errc::result_out_of_range) {
        return Error{"'" + where + "' is not a number TOML can hold"};
      }
      insert(toml::value<double>(v));
      return Ok{};
    }
    case Type::kDate:
    case Type::kTime:
    case Type::kDateTime: {
      try {
        toml::table parsed = toml::parse("v = " + node.text);
        const toml::node* v = parsed.get("v");
        if (const auto* d = v ? v->as_date() : nullptr) insert(toml::value<toml::date>(d->get()));
        else if (const auto* t = v ? v->as_time() : nullptr) insert(toml::value<toml::time>(t->get()));
        else if (const auto* dt = v ? v->as_date_time() : nullptr) insert(toml::value<toml::date_time>(dt->get()));
        else return Error{"'" + where + "' is not a TOML date or time"};
      } catch (const toml::parse_error&) {
        return Error{"'" + where + "' is not a TOML date or time"};
      }
      return Ok{};
    }
    case Type::kArray:
    case Type::kObject:
      break;
  }
  return Error{"internal: container passed as scalar"};
}

Status FillArray(toml::array& out, const DocNode& node, const std::string& where);

Status FillTable(toml::table& out, const DocNode& node, const std::string& where) {
  for (const auto& member : node.members) {
    const std::string child_where = where.empty() ? member.key : where + "." + member.key;
    const DocNode& value = member.value;
    if (value.type == DocNode::Type::kObject) {
      toml::table sub;
      auto status = FillTable(sub, value, child_where);
      if (!status) return status;
      out.insert_or_assign(member.key, std::move(sub));
    } else if (value.type == DocNode::Type::kArray) {
      toml::array sub;
      auto status = FillArray(sub, value, child_where);
      if (!status) return status;
      out.insert_or_assign(member.key, std::move(sub));
    } else {
      auto status = InsertScalar(value, child_where, [&](auto&& v) { out.insert_or_assign(member.key, std::move(v)); });
      if (!status) return status;
    }
  }
  return Ok{};
}

Status FillArray(toml::array& out, const DocNode& node, const std::string& where) {
  for (size_t i = 0; i < node.items.size(); ++i) {
    const std::string child_where = where + "." + std::to_string(i);
    const DocNode& value = node.items[i];
    if (value.type == DocNode::Type::kObject) {
      toml::table sub;
      auto status = FillTable(sub, value, child_where);
      if (!status) return status;
      out.push_back(std::move(sub));
    } else if (value.type == DocNode::Type::kArray) {
      toml::array sub;
      auto status = FillArray(sub, value, child_where);
      if (!status) return status;
      out.push_back(std::move(sub));
    } else {
      auto status = InsertScalar(value, child_where, [&](auto&& v) { out.push_back(std::move(v)); });
      if (!status) return status;
    }
  }
  return Ok{};
}

}  // namespace

Result<DocNode> ParseTomlDocument(std::string_view text, const std::string& origin) {
  try {
    toml::table root = toml::parse(text, origin);
    return FromToml(root, origin, 0);
  } catch (const toml::parse_error& err) {
    return Error{Position(err.source(), origin) + ": " + std::string(err.description())};
  }
}

Result<std::string> WriteTomlDocument(const DocNode& root) {
  if (root.type != DocNode::Type::kObject) return Error{"a TOML document must be a table at the top"};
  toml::table table;
  auto status = FillTable(table, root, "");
  if (!status) return status.error();
  std::ostringstream out;
  out << toml::toml_formatter(table, toml::format_flags::allow_unicode_strings);
  std::string text = out.str();
  if (!text.empty() && text.back() != '\n') text += '\n';
  return text;
}

Result<std::string> PatchToml(std::string_view text, const std::vector<PatchOp>& ops, const std::string& origin) {
  auto root = ParseTomlDocument(text, origin);
  if (!root) return root.error();
  auto status = ApplyPatchOps(root.value(), ops, PatchRules{.allow_null = false}, nullptr);
  if (!status) return status.error();
  return WriteTomlDocument(root.value());
}

}  // namespace claw
