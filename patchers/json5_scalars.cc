// The JSON5 pass's scalars: strings (quotes, escapes, line continuations),
// identifiers and numbers (hex, Infinity, NaN, leading and trailing dots).
#include <cmath>
#include <cstdint>
#include <cstdio>

#include "patchers/json5_converter.h"

namespace claw::json5_internal {

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

}  // namespace claw::json5_internal
