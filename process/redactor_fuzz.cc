// libFuzzer target: the streaming Redactor against the naive reference.
// Input: FLAGS COUNT (LEN BYTES...)xCOUNT CUTS (CUT)xCUTS TEXT, where FLAGS
// bit 0 maps every secret and text byte onto "ab\n" (so that secrets
// overlap and nest often), COUNT is 1-4 secrets of 0-15 bytes, CUTS 0-15
// split points (each a byte: a fraction of the text). Invariants: after
// every Feed, exactly the resolved part of the text has come out and what
// is held is the rest (ReferenceRedact streaming); after Finish, the whole
// output equals the reference and nothing is held; held() stays below the
// longest secret.
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "process/redact_reference.h"
#include "process/redactor.h"

namespace {

struct Reader {
  std::string_view in;
  uint8_t Byte() {
    if (in.empty()) return 0;
    const auto b = static_cast<uint8_t>(in.front());
    in.remove_prefix(1);
    return b;
  }
  std::string Bytes(size_t n) {
    std::string out(in.substr(0, n));
    in.remove_prefix(out.size());
    return out;
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Reader r{std::string_view(reinterpret_cast<const char*>(data), size)};
  const uint8_t flags = r.Byte();
  const bool small_alphabet = (flags & 1) != 0;
  auto map = [small_alphabet](std::string s) {
    if (small_alphabet) {
      for (char& c : s) c = "ab\n"[static_cast<uint8_t>(c) % 3];
    }
    return s;
  };
  std::vector<std::string> secrets(1 + r.Byte() % 4);
  for (auto& s : secrets) s = map(r.Bytes(r.Byte() % 16));
  std::vector<uint8_t> fractions(r.Byte() % 16);
  for (auto& f : fractions) f = r.Byte();
  const std::string text = map(r.Bytes(8192));

  std::vector<size_t> cuts;
  for (uint8_t f : fractions) cuts.push_back(text.size() * f / 255);
  std::sort(cuts.begin(), cuts.end());
  cuts.push_back(text.size());

  claw::Redactor redactor(secrets);
  size_t longest = 0;
  for (const auto& s : secrets) longest = std::max(longest, s.size());
  if (redactor.max_secret_bytes() != longest) std::abort();
  std::string out;
  size_t from = 0;
  for (size_t to : cuts) {
    redactor.Feed(std::string_view(text).substr(from, to - from), out);
    from = to;
    const claw::ReferenceRedaction expected = claw::ReferenceRedact(text.substr(0, to), secrets, true);
    if (out != expected.emitted || redactor.held() != expected.held.size()) std::abort();
    if (redactor.held() != 0 && redactor.held() >= longest) std::abort();
  }
  redactor.Finish(out);
  if (out != claw::ReferenceRedact(text, secrets, false).emitted || redactor.held() != 0) std::abort();
  return 0;
}
