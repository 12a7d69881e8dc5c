#include "patchers/json5.h"

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <vector>

namespace claw {
namespace {

// Decodes one UTF-8 sequence at text[pos]. Returns its length and sets *cp,
// or returns 0 for an invalid sequence (overlong, surrogate, > U+10FFFF).
size_t DecodeUtf8(std::string_view text, size_t pos, uint32_t* cp) {
  const auto byte = [&](size_t i) { return static_cast<unsigned char>(text[pos + i]); };
  const unsigned char b0 = byte(0);
  size_t len;
  uint32_t min;
  if (b0 < 0x80) {
    *cp = b0;
    return 1;
  } else if ((b0 & 0xE0) == 0xC0) {
    len = 2, min = 0x80, *cp = b0 & 0x1F;
  } else if ((b0 & 0xF0) == 0xE0) {
    len = 3, min = 0x800, *cp = b0 & 0x0F;
  } else if ((b0 & 0xF8) == 0xF0) {
    len = 4, min = 0x10000, *cp = b0 & 0x07;
  } else {
    return 0;
  }
  if (pos + len > text.size()) return 0;
  for (size_t i = 1; i < len; ++i) {
    if ((byte(i) & 0xC0) != 0x80) return 0;
    *cp = (*cp << 6) | (byte(i) & 0x3F);
  }
  if (*cp < min || *cp > 0x10FFFF || (*cp >= 0xD800 && *cp <= 0xDFFF)) return 0;
  return len;
}

bool IsJson5Space(uint32_t cp) {
  switch (cp) {
    case ' ': case '\t': case '\n': case '\r': case '\v': case '\f':
    case 0xA0: case 0xFEFF: case 0x2028: case 0x2029: case 0x1680:
    case 0x202F: case 0x205F: case 0x3000:
      return true;
    default:
      return cp >= 0x2000 && cp <= 0x200A;
  }
}

bool IsIdentStart(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '$' || c >= 0x80;
}
bool IsIdentPart(unsigned char c) { return IsIdentStart(c) || (c >= '0' && c <= '9'); }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

class Converter {
 public:
  Converter(std::string_view text, const std::string& origin, Json5Options options)
      : src_(text), origin_(origin), options_(options) {}

  Result<std::string> Run();

 private:
  enum class State { kValue, kValueOrClose, kKeyOrClose, kColon, kCommaOrClose, kEnd };

  Error Fail(size_t offset, const std::string& what) const;
  bool SkipSpaceAndComments(Error* error);
  bool ReadString(Error* error);
  bool ReadNumber(Error* error);
  bool ReadIdentifier(std::string* ident, Error* error);
  bool CopyUtf8(Error* error);
  void AfterValue() { state_ = stack_.empty() ? State::kEnd : State::kCommaOrClose; }
  char Peek(size_t ahead = 0) const { return pos_ + ahead < src_.size() ? src_[pos_ + ahead] : '\0'; }

  std::string_view src_;
  const std::string& origin_;
  Json5Options options_;
  size_t pos_ = 0;
  std::string out_;
  std::vector<char> stack_;  // '{' or '['
  State state_ = State::kValue;
  bool pending_comma_ = false;  // emitted only once another element follows
};

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
bool Converter::CopyUtf8(Error* error) {
  uint32_t cp = 0;
  const size_t len = DecodeUtf8(src_, pos_, &cp);
  if (len == 0) {
    *error = Fail(pos_, "invalid UTF-8");
    return false;
  }
  out_.append(src_.substr(pos_, len));
  pos_ += len;
  return true;
}

bool Converter::ReadString(Error* error) {
  const size_t start = pos_;
  const char quote = src_[pos_++];
  out_ += '"';
  while (true) {
    if (pos_ >= src_.size()) {
      *error = Fail(start, "unterminated string");
      return false;
    }
    const char c = src_[pos_];
    const auto uc = static_cast<unsigned char>(c);
    if (c == quote) {
      ++pos_;
      out_ += '"';
      return true;
    }
    if (c == '\n' || c == '\r') {
      *error = Fail(pos_, "line break in a string (end the line with '\\' to continue it)");
      return false;
    }
    if (c == '"') {
      out_ += "\\\"";
      ++pos_;
    } else if (uc < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", uc);
      out_ += buf;
      ++pos_;
    } else if (uc >= 0x80) {
      if (!CopyUtf8(error)) return false;
    } else if (c != '\\') {
      // A run of plain ASCII characters is copied whole.
      const size_t run_start = pos_++;
      while (pos_ < src_.size()) {
        const auto r = static_cast<unsigned char>(src_[pos_]);
        if (r < 0x20 || r >= 0x80 || r == '\\' || r == '"' || r == static_cast<unsigned char>(quote)) break;
        ++pos_;
      }
      out_.append(src_.substr(run_start, pos_ - run_start));
    } else {
      const size_t escape_at = pos_;
      ++pos_;
      if (pos_ >= src_.size()) continue;  // reported as unterminated
      const char e = src_[pos_];
      uint32_t cp = 0;
      switch (e) {
        case '"': out_ += "\\\""; ++pos_; break;
        case '\'': out_ += '\''; ++pos_; break;
        case '\\': out_ += "\\\\"; ++pos_; break;
        case 'b': case 'f': case 'n': case 'r': case 't':
          out_ += '\\';
          out_ += e;
          ++pos_;
          break;
        case 'v': out_ += "\\u000b"; ++pos_; break;
        case '\n': ++pos_; break;
        case '\r':
          ++pos_;
          if (Peek() == '\n') ++pos_;
          break;
        case 'x': {
          const int hi = HexValue(Peek(1)), lo = HexValue(Peek(2));
          if (hi < 0 || lo < 0) {
            *error = Fail(escape_at, "invalid \\x escape (two hex digits expected)");
            return false;
          }
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u00%x%x", hi, lo);
          out_ += buf;
          pos_ += 3;
          break;
        }
        case 'u': {
          uint32_t unit = 0;
          for (int i = 1; i <= 4; ++i) {
            const int v = HexValue(Peek(i));
            if (v < 0) {
              *error = Fail(escape_at, "invalid \\u escape (four hex digits expected)");
              return false;
            }
            unit = unit * 16 + static_cast<uint32_t>(v);
          }
          // A surrogate must come in a pair; strict JSON readers refuse a
          // lone one, so it is refused here, at its own position.
          const bool high = unit >= 0xD800 && unit <= 0xDBFF, low = unit >= 0xDC00 && unit <= 0xDFFF;
          bool paired = false;
          if (high && Peek(5) == '\\' && Peek(6) == 'u') {
            uint32_t next = 0;
            bool hex = true;
            for (int i = 7; i <= 10; ++i) {
              const int v = HexValue(Peek(i));
              hex = hex && v >= 0;
              next = next * 16 + static_cast<uint32_t>(v < 0 ? 0 : v);
            }
            paired = hex && next >= 0xDC00 && next <= 0xDFFF;
          }
          if (low || (high && !paired)) {
            *error = Fail(escape_at, "unpaired surrogate in a \\u escape");
            return false;
          }
          const size_t len = paired ? 12 : 6;
          out_.append(src_.substr(pos_ - 1, len));
          pos_ += len - 1;
          break;
        }
        case '0':
          if (IsDigit(Peek(1))) {
            *error = Fail(escape_at, "octal escapes are not allowed");
            return false;
          }
          out_ += "\\u0000";
          ++pos_;
          break;
        default:
          if (IsDigit(e)) {
            *error = Fail(escape_at, "a digit cannot be escaped");
            return false;
          }
          if (static_cast<unsigned char>(e) >= 0x80) {
            // U+2028 and U+2029 after '\' continue the line; any other
            // character escapes to itself.
            const size_t len = DecodeUtf8(src_, pos_, &cp);
            if (len != 0 && (cp == 0x2028 || cp == 0x2029)) {
              pos_ += len;
              break;
            }
            if (!CopyUtf8(error)) return false;
            break;
          }
          if (static_cast<unsigned char>(e) < 0x20) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned char>(e));
            out_ += buf;
          } else {
            out_ += e;  // '/' and any other character: itself
          }
          ++pos_;
          break;
      }
    }
  }
}

bool Converter::ReadIdentifier(std::string* ident, Error* error) {
  const size_t start = pos_;
  while (pos_ < src_.size() && IsIdentPart(static_cast<unsigned char>(src_[pos_]))) {
    if (static_cast<unsigned char>(src_[pos_]) >= 0x80) {
      uint32_t cp = 0;
      const size_t len = DecodeUtf8(src_, pos_, &cp);
      if (len == 0) {
        *error = Fail(pos_, "invalid UTF-8");
        return false;
      }
      if (IsJson5Space(cp)) break;
      pos_ += len;
    } else {
      ++pos_;
    }
  }
  *ident = std::string(src_.substr(start, pos_ - start));
  return true;
}

bool Converter::ReadNumber(Error* error) {
  const size_t start = pos_;
  bool negative = false;
  if (Peek() == '+' || Peek() == '-') {
    negative = Peek() == '-';
    ++pos_;
  }
  if (Peek() == 'I' || Peek() == 'N') {
    std::string ident;
    if (!ReadIdentifier(&ident, error)) return false;
    if (ident == "Infinity" || ident == "NaN") {
      *error = Fail(start, ident + " has no JSON form");
    } else {
      *error = Fail(start, "invalid number");
    }
    return false;
  }
  if (Peek() == '0' && (Peek(1) == 'x' || Peek(1) == 'X')) {
    pos_ += 2;
    const size_t digits_at = pos_;
    uint64_t exact = 0;
    double approx = 0;
    size_t significant = 0;
    while (HexValue(Peek()) >= 0) {
      const int v = HexValue(Peek());
      if (significant > 0 || v != 0) ++significant;
      if (significant <= 16) exact = exact * 16 + static_cast<uint64_t>(v);
      approx = approx * 16 + v;
      ++pos_;
    }
    if (pos_ == digits_at) {
      *error = Fail(start, "invalid hexadecimal number");
      return false;
    }
    if (!std::isfinite(approx)) {
      *error = Fail(start, "hexadecimal number too large");
      return false;
    }
    if (negative) out_ += '-';
    if (significant <= 16) {
      out_ += std::to_string(exact);
    } else {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.17g", approx);
      out_ += buf;
    }
  } else {
    const size_t int_at = pos_;
    while (IsDigit(Peek())) ++pos_;
    const std::string_view int_part = src_.substr(int_at, pos_ - int_at);
    if (int_part.size() > 1 && int_part[0] == '0') {
      *error = Fail(start, "leading zeros are not allowed");
      return false;
    }
    std::string_view frac_part;
    bool has_dot = false;
    if (Peek() == '.') {
      has_dot = true;
      const size_t frac_at = ++pos_;
      while (IsDigit(Peek())) ++pos_;
      frac_part = src_.substr(frac_at, pos_ - frac_at);
    }
    if (int_part.empty() && frac_part.empty()) {
      *error = Fail(start, "invalid number");
      return false;
    }
    if (negative) out_ += '-';
    out_ += int_part.empty() ? "0" : int_part;
    if (has_dot) {
      out_ += '.';
      out_ += frac_part.empty() ? "0" : frac_part;
    }
    if (Peek() == 'e' || Peek() == 'E') {
      const size_t exp_at = pos_;
      out_ += src_[pos_++];  // 'e' or 'E', as written: untouched numbers keep their spelling
      if (Peek() == '+' || Peek() == '-') out_ += src_[pos_++];
      if (!IsDigit(Peek())) {
        *error = Fail(exp_at, "invalid number exponent");
        return false;
      }
      while (IsDigit(Peek())) out_ += src_[pos_++];
    }
  }
  if (pos_ < src_.size() && IsIdentPart(static_cast<unsigned char>(src_[pos_]))) {
    *error = Fail(start, "invalid number");
    return false;
  }
  return true;
}

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

}  // namespace

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
