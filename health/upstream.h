// The runtime's own health endpoint, as `--health-upstream` names it:
// http://host:port/path passes on any 2xx, tcp://host:port passes when a
// connection opens. Both have a 1 s connect timeout; HTTP also a 1 s read
// timeout. Results are cached so a flood of /health requests turns into at
// most one check per kMaxUpstreamAge.
#pragma once

#include <chrono>
#include <cstdint>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <string>

#include "base/net_address.h"
#include "health/health_state.h"

namespace claw {

// How long a finished check is reused as is: at most one check a second
// reaches the runtime, however many requests come in.
inline constexpr std::chrono::milliseconds kMaxUpstreamAge{1000};
// The contract's limit: no answer is built from an older check. Between the
// two ages the server answers at once from the cache and refreshes it in the
// background, so requests rarely wait for a check.
inline constexpr std::chrono::milliseconds kUpstreamStaleLimit{2000};

// What /health shows as the check's target: the URL without its query
// string or fragment, which may carry a token.
std::string DisplayTarget(const UpstreamUrl& url);

// Runs one check now; blocks at most about 2 s.
UpstreamResult CheckUpstream(const UpstreamUrl& url);

// A cache in front of a check function (CheckUpstream in production, a fake
// in tests). Thread-safe.
class UpstreamChecker {
 public:
  using CheckFunction = std::function<UpstreamResult()>;

  UpstreamChecker(CheckFunction check, std::chrono::milliseconds max_age);

  // Returns a result finished less than max_age ago. When there is none, the
  // first caller runs the check and every concurrent caller waits for that
  // same check instead of starting its own.
  UpstreamResult Get();

  // The cached result if it finished less than `max_age` ago; never blocks.
  std::optional<UpstreamResult> Peek(std::chrono::milliseconds max_age);

  // Forgets the cached result (the runtime restarted: a pass of the old run
  // says nothing about the new one). A check already running when this is
  // called still answers its waiters but is not cached.
  void Invalidate();

 private:
  using Clock = std::chrono::steady_clock;

  const CheckFunction check_;
  const std::chrono::milliseconds max_age_;
  std::mutex mutex_;
  std::condition_variable done_;
  std::optional<UpstreamResult> cached_;
  Clock::time_point finished_at_;
  bool in_flight_ = false;
  std::uint64_t generation_ = 0;         // bumped by Invalidate()
  std::uint64_t cached_generation_ = 0;  // generation cached_ belongs to
};

}  // namespace claw
