// Internals of the JSON5 pass (json5.cc: structure; json5_scalars.cc:
// strings, numbers, identifiers). Not for use outside those two files.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "patchers/json5.h"

namespace claw::json5_internal {

// Decodes one UTF-8 sequence at text[pos]. Returns its length and sets *cp,
// or returns 0 for an invalid sequence (overlong, surrogate, > U+10FFFF).
size_t DecodeUtf8(std::string_view text, size_t pos, uint32_t* cp);

inline bool IsJson5Space(uint32_t cp) {
  switch (cp) {
    case ' ': case '\t': case '\n': case '\r': case '\v': case '\f':
    case 0xA0: case 0xFEFF: case 0x2028: case 0x2029: case 0x1680:
    case 0x202F: case 0x205F: case 0x3000:
      return true;
    default:
      return cp >= 0x2000 && cp <= 0x200A;
  }
}

inline bool IsIdentStart(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '$' || c >= 0x80;
}
inline bool IsIdentPart(unsigned char c) { return IsIdentStart(c) || (c >= '0' && c <= '9'); }
inline bool IsDigit(char c) { return c >= '0' && c <= '9'; }
inline int HexValue(char c) {
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

}  // namespace claw::json5_internal
