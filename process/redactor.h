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
// not one per secret). Outside a match, Feed copies in bulk the bytes that
// start no secret, found with a table of the secrets' first two bytes, a
// hashed bitmap of their first three and a trie walk of at most
// kQuickDepth bytes; only a possible start goes through the automaton.
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
  size_t held() const { return held_.size() - head_; }
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
  // Non-zero when some secret starts with the bytes q[0], q[1]: kLongPair
  // when all such secrets are longer than 2 bytes, else kShortPair.
  uint8_t PairMayStart(const uint8_t* q) const { return pairs_[q[0] | (q[1] << 8)]; }
  // False when no secret of 3 bytes or more starts with q[0..2] (a hash:
  // true may be a collision).
  bool TripleMayStart(const uint8_t* q) const {
    const uint32_t h = TripleHash(q);
    return (triples_[h >> 6] >> (h & 63)) & 1;
  }
  static uint32_t TripleHash(const uint8_t* q) {
    return ((q[0] | (uint32_t{q[1]} << 8) | (uint32_t{q[2]} << 16)) * 0x9E3779B1u) >> 16;
  }
  static constexpr uint8_t kLongPair = 1, kShortPair = 2;
  // Outside a match: true when the trie, walked from *q for a few bytes,
  // shows that no secret starts at q (a bounded walk, so the automaton
  // still does the long ones and the input is read O(1) times per byte).
  bool StartsNoSecret(const uint8_t* q, const uint8_t* end) const;
  // The first byte at or after q that may start a secret, or end.
  const uint8_t* SkipNonStarts(const uint8_t* q, const uint8_t* end) const;
  static constexpr size_t kQuickDepth = 4;

  std::vector<Node> nodes_;  // nodes_[0] is the root
  std::vector<Edge> edges_;
  std::array<uint32_t, 256> root_next_{};   // the root's children, dense
  // [a | b << 8]: see PairMayStart. A byte each, not a bit: one load per
  // input byte on the fast path (a bitmap ran at a third of the speed).
  std::vector<uint8_t> pairs_ = std::vector<uint8_t>(65536);
  std::array<uint64_t, 1024> triples_{};  // bit TripleHash: see TripleMayStart
  size_t max_secret_ = 0;

  // The stream's state: the longest suffix of the held-back bytes that is
  // a node; those bytes, held_[head_, end), and for each the length of the
  // longest secret found to start there so far (0: none). What went out is
  // dropped from the front when the rest is empty or head_ reaches
  // kCompactAt, not byte by byte.
  uint32_t state_ = 0;
  std::string held_;
  std::vector<uint32_t> best_;
  size_t head_ = 0;
  static constexpr size_t kCompactAt = 4096;
};

}  // namespace claw
