#include "base/duration.h"

#include <doctest/doctest.h>

namespace claw {

TEST_CASE("ParseDuration accepts the contract's forms") {
  struct Case {
    const char* text;
    long long ms;
  };
  const Case cases[] = {
      {"250ms", 250}, {"2s", 2000}, {"5m", 300000}, {"1h", 3600000}, {"8", 8000},
      {"0", 0},       {"0s", 0},    {"1.5s", 1500}, {".5s", 500},    {"1.25", 1250},
      {"0.001", 1},   {"10.000s", 10000}, {"1.5m", 90000}, {"8760h", 31536000000LL},
  };
  for (const auto& c : cases) {
    CAPTURE(c.text);
    auto d = ParseDuration(c.text);
    REQUIRE(d);
    CHECK(d.value().count() == c.ms);
  }
}

TEST_CASE("ParseDuration rejects bad values with a usage error") {
  const char* bad[] = {"", "-1s", "+1s", "1e309", "999999999h", "8761h", "abc", "1x", "1.s", ".",
                       "1.0001s", "0.5ms", "1 s", "s", "18446744073709551617", "9999999999999999999999ms"};
  for (const char* text : bad) {
    CAPTURE(text);
    auto d = ParseDuration(text);
    REQUIRE_FALSE(d);
    CHECK(d.error().code == ExitCode::kUsage);
    CHECK(d.error().message.find("invalid duration") != std::string::npos);
  }
}

TEST_CASE("FormatDuration gives the shortest exact spelling") {
  CHECK(FormatDuration(Duration(0)) == "0s");
  CHECK(FormatDuration(Duration(250)) == "250ms");
  CHECK(FormatDuration(Duration(1500)) == "1.5s");
  CHECK(FormatDuration(Duration(2000)) == "2s");
  CHECK(FormatDuration(Duration(120000)) == "2m");
  CHECK(FormatDuration(Duration(1050)) == "1.05s");
}

}  // namespace claw
