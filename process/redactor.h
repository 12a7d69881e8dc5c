// Streaming secret redaction (contract section 7, `--redact`): bytes in,
// the same bytes out with every secret value replaced by "[REDACTED]". Pure:
// no fds, no clock; the supervisor's loop feeds it what a pipe read returned
// and writes what it appends.
//
// What is replaced: the output equals a left-to-right scan that, at each
// position, replaces the longest secret starting there and continues after
// it, or else copies the byte. It is the same for every split of the input
// into Feed calls.
//
// What is held back: only a tail that could still be the start of a secret
// (it is a proper prefix of one), or that waits behind such a start so that
// nothing is reordered. Every other byte is appended by the Feed that brings
// it, with no wait for a newline. The tail is shorter than the longest
// secret; Finish (end of stream) emits it.
//
// How: one Aho-Corasick automaton over all secrets (one pass over the input,
// not one per secret). Outside a match a bitmap of the secrets' first two
// bytes lets Feed copy runs of bytes that start no secret in bulk.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace claw {

inline constexpr std::string_view kRedactedMark = "[REDACTED]";

class Redactor {
 public:
  // Empty and duplicate secrets are ignored.
  explicit Redactor(const std::vector<std::string>& secrets);

  // Appends to `out` (never clears it) what `in` resolves.
  void Feed(std::string_view in, std::string& out);
  // End of stream: appends the held-back tail, redacted, and starts afresh.
  void Finish(std::string& out);

  // Bytes fed but not yet appended: at most max_secret_bytes() - 1.
  size_t held() const { return held_.size(); }
  // No secret at all: Feed copies its input.
  bool empty() const { return max_secret_ == 0; }
  size_t max_secret_bytes() const { return max_secret_; }

 private:
  struct Edge {
    uint8_t byte;
    uint32_t target;
  };
  struct Node {
    uint32_t fail = 0;         // longest proper suffix that is a node
    uint32_t output = 0;       // nearest suffix (itself included) that is a secret; 0: none
    uint32_t depth = 0;        // bytes from the root
    uint32_t secret_len = 0;   // this node spells a whole secret (= depth), else 0
    uint32_t first_edge = 0;   // children in edges_[first_edge, +edge_count), by byte
    uint32_t edge_count = 0;
  };

  uint32_t Child(uint32_t node, uint8_t byte) const;
  uint32_t Step(uint32_t node, uint8_t byte) const;
  // One byte through the automaton, then every position it resolves.
  void Push(uint8_t byte, std::string& out);
  // Emits held-back positions from the front while the front is resolved;
  // `all`: at end of stream every position is.
  void Resolve(bool all, std::string& out);
  bool PairMayStart(uint8_t a, uint8_t b) const {
    const uint32_t k = (uint32_t{a} << 8) | b;
    return (pairs_[k >> 6] >> (k & 63)) & 1;
  }

  std::vector<Node> nodes_;  // nodes_[0] is the root
  std::vector<Edge> edges_;
  std::array<uint32_t, 256> root_next_{};   // the root's children, dense
  std::array<uint64_t, 1024> pairs_{};      // bit a*256+b: a secret starts with a,b
  size_t max_secret_ = 0;

  // The stream's state: the longest suffix of held_ that is a node, the
  // held-back bytes, and for each the length of the longest secret found
  // to start there so far (0: none).
  uint32_t state_ = 0;
  std::string held_;
  std::vector<uint32_t> best_;
};

}  // namespace claw
