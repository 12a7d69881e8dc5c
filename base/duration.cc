#include "base/duration.h"

#include <cstdint>

namespace claw {

Result<Duration> ParseDuration(std::string_view text) {
  auto bad = [&](const char* why) {
    return Error{"invalid duration '" + std::string(text) + "': " + why, ExitCode::kUsage};
  };
  if (text.empty()) return bad("empty");
  // Digits, an optional fraction, an optional unit. No sign, no exponent.
  size_t i = 0;
  std::uint64_t whole = 0;
  size_t whole_digits = 0;
  while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
    if (whole > 1'000'000'000'000ULL) return bad("out of range");
    whole = whole * 10 + static_cast<unsigned>(text[i] - '0');
    ++i;
    ++whole_digits;
  }
  // Fraction kept as thousandths of the unit; further digits must be zero.
  std::uint64_t milli = 0;
  size_t frac_digits = 0;
  if (i < text.size() && text[i] == '.') {
    ++i;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
      unsigned digit = static_cast<unsigned>(text[i] - '0');
      if (frac_digits < 3) {
        milli = milli * 10 + digit;
      } else if (digit != 0) {
        return bad("more precision than a millisecond");
      }
      ++frac_digits;
      ++i;
    }
    if (frac_digits == 0) return bad("expected digits after '.'");
    for (size_t k = frac_digits; k < 3; ++k) milli *= 10;
  }
  if (whole_digits == 0 && frac_digits == 0) return bad("expected a number such as 2s, 250ms or 5m");
  std::string_view unit = text.substr(i);
  std::uint64_t unit_ms;
  if (unit.empty() || unit == "s") {
    unit_ms = 1000;
  } else if (unit == "ms") {
    unit_ms = 1;
  } else if (unit == "m") {
    unit_ms = 60'000;
  } else if (unit == "h") {
    unit_ms = 3'600'000;
  } else {
    return bad("unknown unit (use ms, s, m or h)");
  }
  const std::uint64_t max_ms = static_cast<std::uint64_t>(kMaxDuration.count());
  if (whole > max_ms / unit_ms) return bad("out of range (at most one year)");
  std::uint64_t total = whole * unit_ms;
  std::uint64_t frac_ms = milli * unit_ms;
  if (frac_ms % 1000 != 0) return bad("more precision than a millisecond");
  total += frac_ms / 1000;
  if (total > max_ms) return bad("out of range (at most one year)");
  return Duration(static_cast<std::int64_t>(total));
}

std::string FormatDuration(Duration d) {
  auto ms = d.count();
  if (ms == 0) return "0s";
  if (ms % 60'000 == 0 && ms >= 60'000) return std::to_string(ms / 60'000) + "m";
  if (ms % 1000 == 0) return std::to_string(ms / 1000) + "s";
  if (ms < 1000) return std::to_string(ms) + "ms";
  std::string frac = std::to_string(ms % 1000);
  frac.insert(0, 3 - frac.size(), '0');
  while (!frac.empty() && frac.back() == '0') frac.pop_back();
  return std::to_string(ms / 1000) + "." + frac + "s";
}

}  // namespace claw
