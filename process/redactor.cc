#include "process/redactor.h"

#include <algorithm>
#include <deque>

namespace claw {

Redactor::Redactor(const std::vector<std::string>& secrets) {
  // The trie: children kept unsorted while it grows.
  std::vector<std::vector<Edge>> children(1);
  nodes_.emplace_back();
  auto find_child = [&children](uint32_t node, uint8_t byte) -> uint32_t {
    for (const Edge& e : children[node]) {
      if (e.byte == byte) return e.target;
    }
    return 0;
  };
  for (const std::string& secret : secrets) {
    if (secret.empty()) continue;
    uint32_t node = 0;
    for (char ch : secret) {
      const auto byte = static_cast<uint8_t>(ch);
      uint32_t next = find_child(node, byte);
      if (next == 0) {
        next = static_cast<uint32_t>(nodes_.size());
        nodes_.emplace_back();
        nodes_[next].depth = nodes_[node].depth + 1;
        children.emplace_back();
        children[node].push_back(Edge{byte, next});
      }
      node = next;
    }
    nodes_[node].secret_len = nodes_[node].depth;
    max_secret_ = std::max(max_secret_, secret.size());
    // The fast path's filters: first two bytes, first three (hashed).
    const auto* bytes = reinterpret_cast<const uint8_t*>(secret.data());
    for (unsigned b = 0; b < 256; ++b) {
      if (secret.size() == 1 || b == bytes[1]) {
        uint8_t& pair = pairs_[bytes[0] | (b << 8)];
        pair = (secret.size() <= 2 || pair == kShortPair) ? kShortPair : kLongPair;
      }
    }
    if (secret.size() >= 3) {
      const uint32_t h = TripleHash(bytes);
      triples_[h >> 6] |= uint64_t{1} << (h & 63);
    }
  }

  // Failure and output links, breadth first (a node's fail is shallower).
  std::deque<uint32_t> queue;
  for (const Edge& e : children[0]) queue.push_back(e.target);
  while (!queue.empty()) {
    const uint32_t u = queue.front();
    queue.pop_front();
    Node& node = nodes_[u];
    node.output = node.secret_len != 0 ? u : nodes_[node.fail].output;
    for (const Edge& e : children[u]) {
      uint32_t f = node.fail;
      uint32_t link = find_child(f, e.byte);
      while (link == 0 && f != 0) {
        f = nodes_[f].fail;
        link = find_child(f, e.byte);
      }
      nodes_[e.target].fail = link;
      queue.push_back(e.target);
    }
  }

  // Flatten the children, sorted by byte; the root's as a dense table.
  for (uint32_t u = 0; u < nodes_.size(); ++u) {
    std::sort(children[u].begin(), children[u].end(),
              [](const Edge& x, const Edge& y) { return x.byte < y.byte; });
    nodes_[u].first_edge = static_cast<uint32_t>(edges_.size());
    nodes_[u].edge_count = static_cast<uint32_t>(children[u].size());
    edges_.insert(edges_.end(), children[u].begin(), children[u].end());
  }
  for (const Edge& e : children[0]) root_next_[e.byte] = e.target;
}

uint32_t Redactor::Child(uint32_t node, uint8_t byte) const {
  if (node == 0) return root_next_[byte];
  const Node& n = nodes_[node];
  for (uint32_t i = n.first_edge, end = n.first_edge + n.edge_count; i < end; ++i) {
    if (edges_[i].byte == byte) return edges_[i].target;
    if (edges_[i].byte > byte) break;
  }
  return 0;
}

uint32_t Redactor::Step(uint32_t node, uint8_t byte) const {
  while (true) {
    const uint32_t next = Child(node, byte);
    if (next != 0 || node == 0) return next;
    node = nodes_[node].fail;
  }
}

void Redactor::Push(uint8_t byte, std::string& out) {
  state_ = Step(state_, byte);
  held_.push_back(static_cast<char>(byte));
  best_.push_back(0);
  // Every secret ending here: its start is inside held_, since state_ is a
  // suffix of held_ and these are suffixes of state_.
  for (uint32_t o = nodes_[state_].output; o != 0; o = nodes_[nodes_[o].fail].output) {
    const uint32_t len = nodes_[o].secret_len;
    uint32_t& best = best_[held_.size() - len];
    best = std::max(best, len);
  }
  Resolve(false, out);
}

void Redactor::Resolve(bool all, std::string& out) {
  const size_t n = held_.size();
  size_t k = head_;
  while (k < n) {
    // The front stays while the rest of held_ is a proper prefix of a
    // secret: then state_ spells all of it and has children.
    const Node& s = nodes_[state_];
    if (!all && s.depth == n - k && s.edge_count != 0) break;
    if (best_[k] != 0) {
      out += kRedactedMark;
      k += best_[k];
      // Matches that start inside the replaced secret no longer count.
      while (nodes_[state_].depth > n - k) state_ = nodes_[state_].fail;
    } else {
      // Not a secret's start, and (as the front is resolved) state_ is
      // shorter than what is held: it stays a suffix of the rest.
      out.push_back(held_[k]);
      ++k;
    }
  }
  head_ = k;
  if (head_ == n) {
    held_.clear();
    best_.clear();
    head_ = 0;
  } else if (head_ >= kCompactAt) {
    held_.erase(0, head_);
    best_.erase(best_.begin(), best_.begin() + static_cast<std::ptrdiff_t>(head_));
    head_ = 0;
  }
  if (all) state_ = 0;
}

bool Redactor::StartsNoSecret(const uint8_t* q, const uint8_t* end) const {
  uint32_t node = root_next_[*q];
  for (size_t d = 1; node != 0 && d <= kQuickDepth; ++d) {
    if (nodes_[node].secret_len != 0 || q + d == end) return false;
    node = Child(node, q[d]);
  }
  return node == 0;
}

const uint8_t* Redactor::SkipNonStarts(const uint8_t* q, const uint8_t* end) const {
  while (true) {
    // Four pairs at a time: one branch for the common case of none.
    while (end - q > 4) {
      if ((PairMayStart(q) | PairMayStart(q + 1) | PairMayStart(q + 2) | PairMayStart(q + 3)) != 0) break;
      q += 4;
    }
    while (q + 1 < end && PairMayStart(q) == 0) ++q;
    if (q + 1 >= end) return q + 1 == end && root_next_[*q] == 0 ? end : q;
    const bool triple_says_no = PairMayStart(q) == kLongPair && end - q > 2 && !TripleMayStart(q);
    if (!triple_says_no && !StartsNoSecret(q, end)) return q;
    ++q;
  }
}

void Redactor::Feed(std::string_view in, std::string& out) {
  const auto* p = reinterpret_cast<const uint8_t*>(in.data());
  const uint8_t* const end = p + in.size();
  while (p < end) {
    if (held() == 0) {
      // Nothing pending (state_ is the root): copy in bulk every byte that
      // starts no secret; the automaton takes over at the first that may.
      const uint8_t* q = SkipNonStarts(p, end);
      out.append(reinterpret_cast<const char*>(p), static_cast<size_t>(q - p));
      p = q;
      if (p == end) break;
    }
    Push(*p++, out);
  }
}

void Redactor::Finish(std::string& out) { Resolve(true, out); }

}  // namespace claw
