#include "process/redactor.h"

#include <doctest/doctest.h>

#include <random>

#include "process/redact_reference.h"

namespace claw {
namespace {

// Feeds `text` in pieces cut at `cuts` (sorted offsets), checks after each
// piece that exactly the resolved part came out, and returns the output
// with Finish.
std::string Stream(Redactor& r, std::string_view text, const std::vector<size_t>& cuts,
                   const std::vector<std::string>& secrets) {
  std::string out;
  size_t from = 0;
  std::vector<size_t> all = cuts;
  all.push_back(text.size());
  for (size_t to : all) {
    r.Feed(text.substr(from, to - from), out);
    from = to;
    const ReferenceRedaction expected = ReferenceRedact(text.substr(0, to), secrets, true);
    REQUIRE(out == expected.emitted);
    REQUIRE(r.held() == expected.held.size());
  }
  r.Finish(out);
  CHECK(r.held() == 0);
  return out;
}

std::string Whole(const std::vector<std::string>& secrets, std::string_view text) {
  Redactor r(secrets);
  return Stream(r, text, {}, secrets);
}

}  // namespace

TEST_CASE("Redactor: replacements, table") {
  struct Case {
    std::vector<std::string> secrets;
    std::string in, out;
  };
  const Case cases[] = {
      {{"sk-live-0123456789"}, "sk-live-0123456789", "[REDACTED]"},
      {{"sk-live-0123456789"}, "token=sk-live-0123456789 ok\n", "token=[REDACTED] ok\n"},
      {{"sk-live-0123456789"}, "a sk-live-0123456789sk-live-0123456789\n", "a [REDACTED][REDACTED]\n"},
      {{"sk-live-0123456789"}, "sk-live-012345678", "sk-live-012345678"},  // one byte short
      {{"sk-live-0123456789"}, "at the end sk-live-0123456789", "at the end [REDACTED]"},
      // One a prefix of another: the longest starting here wins.
      {{"abcdefgh", "abcdefghijkl"}, "abcdefghijkl", "[REDACTED]"},
      {{"abcdefgh", "abcdefghijkl"}, "abcdefghijk", "[REDACTED]ijk"},
      {{"abcdefgh", "abcdefghijkl"}, "abcdefghabcdefghijkl.", "[REDACTED][REDACTED]."},
      // One inside another: the outer one, as it starts first.
      {{"xxsecretxx", "secret"}, "1xxsecretxx2", "1[REDACTED]2"},
      {{"xxsecretxx", "secret"}, "1xxsecretx2", "1xx[REDACTED]x2"},
      // Overlapping: the leftmost wins, even over a longer one.
      {{"abcdef", "defghijkl"}, "abcdefghijkl", "[REDACTED]ghijkl"},
      {{"abcd", "bcdefghij"}, "abcdefghij", "[REDACTED]efghij"},
      {{"abcd", "bcdefghij"}, "xbcdefghij", "x[REDACTED]"},
      // Repetitive secrets and texts (failure links).
      {{"aaaaaaab"}, "aaaaaaaaaaaaaaab aaaaaaa", "aaaaaaaa[REDACTED] aaaaaaa"},
      {{"abab", "babb"}, "abababbab", "[REDACTED]abbab"},
      {{"abab", "babb"}, "ababbabb", "[REDACTED][REDACTED]"},
      {{"aab", "ab", "b"}, "aaab", "a[REDACTED]"},
      // Empty and duplicate secrets are ignored.
      {{"", "password1", "password1"}, "password1password", "[REDACTED]password"},
      {{}, "nothing to do", "nothing to do"},
      {{"[REDACTED]"}, "[REDACTED]", "[REDACTED]"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.in);
    CHECK(Whole(c.secrets, c.in) == c.out);
    CHECK(ReferenceRedact(c.in, c.secrets, false).emitted == c.out);
  }
}

TEST_CASE("Redactor: every split point of every input gives the same output") {
  const std::vector<std::string> secrets = {"ghp_0123456789abcdef", "ghp_0123", "0123456789", "ef gh",
                                            "secret-value-1"};
  const std::string text =
      "log: ghp_0123456789abcdef and ghp_0123 x ghp_01234 0123456789ab ef ghsecret-value-secret-value-1\n"
      "tail ghp_0123456789abcde";
  const std::string expected = ReferenceRedact(text, secrets, false).emitted;
  for (size_t i = 0; i <= text.size(); ++i) {
    CAPTURE(i);
    Redactor r(secrets);
    REQUIRE(Stream(r, text, {i}, secrets) == expected);
  }
  // Byte by byte.
  std::vector<size_t> each;
  for (size_t i = 1; i < text.size(); ++i) each.push_back(i);
  Redactor r(secrets);
  CHECK(Stream(r, text, each, secrets) == expected);
}

TEST_CASE("Redactor: bytes go out at once, a partial match waits only until resolved") {
  Redactor r({"sekrit-token-1", "sekrit-token-12345"});
  std::string out;
  r.Feed("hello", out);  // no newline needed
  CHECK(out == "hello");
  r.Feed(" sekrit-to", out);
  CHECK(out == "hello ");
  CHECK(r.held() == 9);
  r.Feed("o", out);  // "sekrit-too" starts no secret: all of it goes out
  CHECK(out == "hello sekrit-too");
  CHECK(r.held() == 0);
  r.Feed(" sekrit-token-1", out);  // whole, but it may still grow
  CHECK(out == "hello sekrit-too ");
  r.Feed("23", out);
  CHECK(r.held() == 16);
  r.Feed("\n", out);  // it did not: the shorter secret, then the rest
  CHECK(out == "hello sekrit-too [REDACTED]23\n");
  r.Feed("end sekrit-token-12345", out);  // the longest: resolved at once
  CHECK(out == "hello sekrit-too [REDACTED]23\nend [REDACTED]");
  CHECK(r.held() == 0);
  r.Feed("sekrit-token-1", out);
  r.Finish(out);  // end of stream, no newline
  CHECK(out == "hello sekrit-too [REDACTED]23\nend [REDACTED][REDACTED]");
  // A new stream after Finish.
  r.Feed("sekrit-token-1234", out);
  r.Finish(out);
  CHECK(out == "hello sekrit-too [REDACTED]23\nend [REDACTED][REDACTED][REDACTED]234");
}

TEST_CASE("Redactor: a byte behind a replaced secret is not held for a match inside it") {
  Redactor r({"abcdefgh", "cdefghijXY"});
  std::string out;
  r.Feed("abcdefghij", out);  // "cdefghij" started inside the replaced one
  CHECK(out == "[REDACTED]ij");
  CHECK(r.held() == 0);
}

TEST_CASE("Redactor: binary input without secrets comes out byte for byte") {
  std::mt19937 rng(15);
  std::string binary(1 << 20, '\0');
  for (char& c : binary) c = static_cast<char>(rng());
  for (int b = 0; b < 256; ++b) binary[static_cast<size_t>(b)] = static_cast<char>(b);
  std::vector<std::string> secrets = {std::string("\0\x01\x02\x03\x04\x05\x06\x08", 8), "\xff\xfe\xfd\xfc\xfb\xfa"};
  for (int i = 0; i < 48; ++i) secrets.push_back("secret-" + std::to_string(i * 7919) + "-xyz");
  REQUIRE(ReferenceRedact(binary.substr(0, 4096), secrets, false).emitted == binary.substr(0, 4096));
  Redactor r(secrets);
  std::string out;
  for (size_t at = 0; at < binary.size(); at += 4093) r.Feed(std::string_view(binary).substr(at, 4093), out);
  r.Finish(out);
  CHECK(out == binary);
  Redactor none({});
  CHECK(none.empty());
  std::string copy;
  none.Feed(binary, copy);
  CHECK(copy == binary);
  CHECK(none.held() == 0);
}

TEST_CASE("Redactor: random secrets, texts and splits agree with the reference; held() is bounded") {
  std::mt19937 rng(1515);
  auto pick = [&rng](size_t n) { return static_cast<size_t>(rng() % n); };
  for (int round = 0; round < 3000; ++round) {
    const std::string alphabet = round % 2 ? "ab" : "abc\n";
    std::vector<std::string> secrets(1 + pick(5));
    for (auto& s : secrets) {
      s.resize(pick(7));
      for (char& c : s) c = alphabet[pick(alphabet.size())];
    }
    std::string text(pick(60), ' ');
    for (char& c : text) c = alphabet[pick(alphabet.size())];
    std::vector<size_t> cuts;
    for (size_t i = 1; i < text.size(); ++i) {
      if (pick(4) == 0) cuts.push_back(i);
    }
    Redactor r(secrets);
    size_t longest = 0;
    for (const auto& s : secrets) longest = std::max(longest, s.size());
    CAPTURE(text);
    REQUIRE(r.max_secret_bytes() == longest);
    REQUIRE(Stream(r, text, cuts, secrets) == ReferenceRedact(text, secrets, false).emitted);
  }
}

TEST_CASE("Redactor: held() stays below the longest secret") {
  // Every byte continues some partial match: the worst case for holding.
  Redactor r({"aaaaaaaaaaaaaaab", "aaaaaaac"});
  std::string out;
  for (int i = 0; i < 1000; ++i) {
    r.Feed("a", out);
    REQUIRE(r.held() <= 15);
  }
  CHECK(r.held() == 15);
  CHECK(out == std::string(1000 - 15, 'a'));
  r.Feed("b", out);
  CHECK(r.held() == 0);
  CHECK(out == std::string(1000 - 15, 'a') + "[REDACTED]");
}

}  // namespace claw
