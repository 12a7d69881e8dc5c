#include "process/handoff.h"

#include <doctest/doctest.h>

namespace claw {

TEST_CASE("SubstitutePid: every {pid}, in any argument, and nothing else") {
  CHECK(SubstitutePid({"openclaw", "consume", "--expected-pid", "{pid}", "--json"}, 42) ==
        std::vector<std::string>{"openclaw", "consume", "--expected-pid", "42", "--json"});
  CHECK(SubstitutePid({"--pid={pid}", "{pid}{pid}", "{PID}", "{pid", "pid}"}, 7) ==
        std::vector<std::string>{"--pid=7", "77", "{PID}", "{pid", "pid}"});
  CHECK(SubstitutePid({}, 1).empty());
}

TEST_CASE("ParseHandoffAnswer: only an exit 0 with status accepted restarts") {
  CHECK(ParseHandoffAnswer(0, R"({"ok":true,"protocolVersion":1,"status":"accepted"})").yes);
  CHECK(ParseHandoffAnswer(0, "  {\"status\":\"accepted\"}\n").yes);
  HandoffVerdict none = ParseHandoffAnswer(0, R"({"ok":true,"status":"none","reason":"missing"})");
  CHECK_FALSE(none.yes);
  CHECK(none.why == "status none (missing)");
  CHECK(ParseHandoffAnswer(0, R"({"status":"pid-mismatch"})").why == "status pid-mismatch");
  CHECK(ParseHandoffAnswer(2, R"({"status":"accepted"})").why == "exit status 2");
  CHECK(ParseHandoffAnswer(0, "accepted").why == "the answer is not a JSON object");
  CHECK(ParseHandoffAnswer(0, R"(["accepted"])").why == "the answer is not a JSON object");
  CHECK(ParseHandoffAnswer(0, R"({"status":"accepted")").why == "the answer is not a JSON object");
  CHECK(ParseHandoffAnswer(0, R"({"status":true})").why == "status missing");
  CHECK(ParseHandoffAnswer(0, "").why == "the answer is not a JSON object");
}

TEST_CASE("ParseCapabilities: consume among the operations") {
  HandoffVerdict ok = ParseCapabilities(
      0, R"({"ok":true,"protocol":"openclaw.gateway.restart-handoff","protocolVersion":1,"operations":["consume"]})");
  CHECK(ok.yes);
  CHECK(ok.why == "protocol 1, consume");
  CHECK(ParseCapabilities(0, R"({"operations":["other","consume"]})").yes);
  CHECK(ParseCapabilities(0, R"({"ok":false,"operations":["consume"]})").why == "\"ok\" is false");
  CHECK(ParseCapabilities(0, R"({"protocolVersion":0,"operations":["consume"]})").why == "unknown protocolVersion");
  CHECK(ParseCapabilities(0, R"({"operations":["other"]})").why == "\"consume\" is not among the operations");
  CHECK(ParseCapabilities(0, R"({"ok":true})").why == "no \"operations\" list");
  CHECK(ParseCapabilities(1, "").why == "exit status 1");
  CHECK(ParseCapabilities(0, "unknown command").why == "the answer is not a JSON object");
}

}  // namespace claw
