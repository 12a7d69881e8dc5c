#include "patchers/json5.h"

#include <cstdint>
#include <vector>

#include "patchers/json5_converter.h"

namespace claw {
namespace json5_internal {

Error Converter::Fail(size_t offset, const std::string& what) const {
  return Error{origin_ + ":" + LineColumn(src_, offset) + ": " + what};
}

bool Converter::SkipSpaceAndComments(Error* error) {
  while (pos_ < src_.size()) {
    const char c = src_[pos_];
    if (c == '/' && Peek(1) == '/') {
      while (pos_ < src_.size() && src_[pos_] != '\n' && src_[pos_] != '\r') ++pos_;
    } else if (c == '/' && Peek(1) == '*') {
      const size_t end = src_.find("*/", pos_ + 2);
      if (end == std::string_view::npos) {
        *error = Fail(pos_, "unterminated comment");
        return false;
      }
      pos_ = end + 2;
    } else if (c == ' ' || c == '\n' || c == '\t' || c == '\r') {
      ++pos_;
    } else {
      uint32_t cp = 0;
      const size_t len = DecodeUtf8(src_, pos_, &cp);
      if (len == 0 || !IsJson5Space(cp)) return true;
      pos_ += len;
    }
  }
  return true;
}

// Copies one (validated) UTF-8 sequence starting at pos_.

Result<std::string> Converter::Run() {
  out_.reserve(src_.size());
  Error error;
  while (true) {
    if (!SkipSpaceAndComments(&error)) return error;
    if (pos_ >= src_.size()) {
      if (state_ == State::kEnd) return std::move(out_);
      return Fail(pos_, stack_.empty() && state_ == State::kValue ? "empty document" : "unexpected end of input");
    }
    const char c = src_[pos_];
    const auto uc = static_cast<unsigned char>(c);
    switch (state_) {
      case State::kEnd:
        return Fail(pos_, "unexpected text after the document");

      case State::kColon:
        if (c != ':') return Fail(pos_, "expected ':' after the key");
        out_ += ':';
        ++pos_;
        state_ = State::kValue;
        break;

      case State::kCommaOrClose:
        if (c == ',') {
          pending_comma_ = true;
          ++pos_;
          state_ = stack_.back() == '{' ? State::kKeyOrClose : State::kValueOrClose;
        } else if ((c == '}' && stack_.back() == '{') || (c == ']' && stack_.back() == '[')) {
          out_ += c;
          ++pos_;
          stack_.pop_back();
          AfterValue();
        } else {
          return Fail(pos_, stack_.back() == '{' ? "expected ',' or '}'" : "expected ',' or ']'");
        }
        break;

      case State::kKeyOrClose:
        if (c == '}') {
          pending_comma_ = false;  // a trailing comma
          out_ += c;
          ++pos_;
          stack_.pop_back();
          AfterValue();
          break;
        }
        if (pending_comma_) out_ += ',';
        pending_comma_ = false;
        if (c == '"' || c == '\'') {
          if (!ReadString(&error)) return error;
        } else if (IsIdentStart(uc)) {
          std::string ident;
          if (!ReadIdentifier(&ident, &error)) return error;
          if (ident.empty()) return Fail(pos_, "expected a key or '}'");
          out_ += '"' + ident + '"';
        } else {
          return Fail(pos_, "expected a key or '}'");
        }
        state_ = State::kColon;
        break;

      case State::kValueOrClose:
        if (c == ']') {
          pending_comma_ = false;
          out_ += c;
          ++pos_;
          stack_.pop_back();
          AfterValue();
          break;
        }
        [[fallthrough]];
      case State::kValue:
        if (pending_comma_) out_ += ',';
        pending_comma_ = false;
        if (c == '{' || c == '[') {
          if (options_.max_depth > 0 && stack_.size() >= static_cast<size_t>(options_.max_depth)) {
            return Fail(pos_, "nesting deeper than " + std::to_string(options_.max_depth) + " levels");
          }
          stack_.push_back(c);
          out_ += c;
          ++pos_;
          state_ = c == '{' ? State::kKeyOrClose : State::kValueOrClose;
        } else if (c == '"' || c == '\'') {
          if (!ReadString(&error)) return error;
          AfterValue();
        } else if (IsDigit(c) || c == '-' || c == '+' || c == '.') {
          if (!ReadNumber(&error)) return error;
          AfterValue();
        } else if (IsIdentStart(uc)) {
          const size_t at = pos_;
          std::string ident;
          if (!ReadIdentifier(&ident, &error)) return error;
          if (ident == "Infinity" || ident == "NaN") return Fail(at, ident + " has no JSON form");
          if (ident != "true" && ident != "false" && ident != "null") {
            return Fail(at, "unexpected word (strings need quotes)");
          }
          out_ += ident;
          AfterValue();
        } else {
          return Fail(pos_, "expected a value");
        }
        break;
    }
  }
}

}  // namespace json5_internal

using json5_internal::Converter;
using json5_internal::DecodeUtf8;


size_t FirstInvalidUtf8(std::string_view text) {
  for (size_t pos = 0; pos < text.size();) {
    uint32_t cp = 0;
    const size_t len = DecodeUtf8(text, pos, &cp);
    if (len == 0) return pos;
    pos += len;
  }
  return std::string_view::npos;
}

bool IsValidUtf8(std::string_view text) { return FirstInvalidUtf8(text) == std::string_view::npos; }

std::string LineColumn(std::string_view text, size_t offset) {
  size_t line = 1, column = 1;
  for (size_t i = 0; i < offset && i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\n' || (c == '\r' && (i + 1 >= text.size() || text[i + 1] != '\n'))) {
      ++line;
      column = 1;
    } else if (c != '\r' && (static_cast<unsigned char>(c) & 0xC0) != 0x80) {
      ++column;
    }
  }
  return std::to_string(line) + ":" + std::to_string(column);
}

Result<std::string> Json5ToJson(std::string_view text, const std::string& origin, Json5Options options) {
  return Converter(text, origin, options).Run();
}

}  // namespace claw
