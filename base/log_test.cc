#include "base/log.h"

#include <doctest/doctest.h>

namespace claw {

TEST_CASE("JsonEscape") {
  struct Case {
    std::string in;
    std::string out;
  };
  const Case cases[] = {
      {"plain", "plain"},
      {"quote \" backslash \\", "quote \\\" backslash \\\\"},
      {"a\nb\tc\r", "a\\nb\\tc\\r"},
      {std::string("nul\0x", 5), "nul\\u0000x"},
      {"\x01\x1f\x7f", "\\u0001\\u001f\\u007f"},
      {"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"},
      {"bad \xff byte", "bad \\ufffd byte"},
      {"truncated \xe2\x82", "truncated \\ufffd\\ufffd"},
      {"overlong \xc0\xaf", "overlong \\ufffd\\ufffd"},
      {"surrogate \xed\xa0\x80", "surrogate \\ufffd\\ufffd\\ufffd"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.in);
    CHECK(JsonEscape(c.in) == c.out);
  }
}

TEST_CASE("log levels and formats parse") {
  CHECK(ParseLogLevel("debug").value() == LogLevel::kDebug);
  CHECK(ParseLogLevel("warn").value() == LogLevel::kWarn);
  CHECK(ParseLogLevel("error").value() == LogLevel::kError);
  CHECK_FALSE(ParseLogLevel("loud"));
  CHECK(ParseLogFormat("json").value() == LogFormat::kJson);
  CHECK_FALSE(ParseLogFormat("xml"));
}

TEST_CASE("DebugEnabled follows the level") {
  InitLogging(LogFormat::kText, LogLevel::kDebug);
  CHECK(DebugEnabled());
  InitLogging(LogFormat::kText, LogLevel::kInfo);
  CHECK_FALSE(DebugEnabled());
  InitLogging(LogFormat::kText, LogLevel::kError);
  CHECK_FALSE(DebugEnabled());
  InitLogging(LogFormat::kText, LogLevel::kInfo);
}

}  // namespace claw
