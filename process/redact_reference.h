// The slow, obviously right redaction that the unit tests and the fuzz
// target hold Redactor to (not used by claw-init itself).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "process/redactor.h"

namespace claw {

struct ReferenceRedaction {
  std::string emitted;  // what a streaming redactor must have appended
  std::string held;     // what it may still hold back
};

// Scans `text` left to right; at each position replaces the longest secret
// starting there, else copies the byte. With `streaming`, stops at the
// first position where the rest of the text is a proper prefix of a secret
// (it may still grow into one): that rest is held. Without, holds nothing.
inline ReferenceRedaction ReferenceRedact(std::string_view text, const std::vector<std::string>& secrets,
                                          bool streaming) {
  ReferenceRedaction r;
  size_t i = 0;
  while (i < text.size()) {
    const std::string_view rest = text.substr(i);
    size_t longest = 0;
    bool open = false;
    for (const std::string& s : secrets) {
      if (s.empty()) continue;
      if (rest.substr(0, s.size()) == s) longest = std::max(longest, s.size());
      if (rest.size() < s.size() && std::string_view(s).substr(0, rest.size()) == rest) open = true;
    }
    if (streaming && open) {
      r.held = std::string(rest);
      return r;
    }
    if (longest != 0) {
      r.emitted += kRedactedMark;
      i += longest;
    } else {
      r.emitted += text[i];
      ++i;
    }
  }
  return r;
}

}  // namespace claw
