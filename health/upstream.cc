#include "health/upstream.h"

#include "health/http_get.h"

namespace claw {
namespace {

constexpr std::chrono::seconds kConnectTimeout(1);
constexpr std::chrono::seconds kReadTimeout(1);

std::string WithoutQuery(const std::string& path) {
  return path.substr(0, path.find_first_of("?#"));
}

}  // namespace

std::string DisplayTarget(const UpstreamUrl& url) {
  if (url.scheme == UpstreamUrl::Scheme::kTcp) return "tcp://" + url.address.ToString();
  return "http://" + url.address.ToString() + WithoutQuery(url.path);
}

UpstreamResult CheckUpstream(const UpstreamUrl& url) {
  using Clock = std::chrono::steady_clock;
  UpstreamResult result;
  result.target = DisplayTarget(url);
  const Clock::time_point start = Clock::now();
  if (url.scheme == UpstreamUrl::Scheme::kTcp) {
    auto sock = ConnectTcp(url.address, kConnectTimeout);
    result.pass = static_cast<bool>(sock);
    if (!sock) result.output = sock.error().message;
  } else {
    HttpGetLimits limits;
    limits.connect_timeout = kConnectTimeout;
    limits.read_timeout = kReadTimeout;
    // A fragment is never sent; a query string is.
    auto response = HttpGet(url.address, url.path.substr(0, url.path.find('#')), limits);
    if (!response) {
      result.output = response.error().message;
    } else {
      int status = response.value().status;
      result.pass = status >= 200 && status <= 299;
      if (!result.pass) result.output = "HTTP " + std::to_string(status);
    }
  }
  result.latency_ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  return result;
}

UpstreamChecker::UpstreamChecker(CheckFunction check, std::chrono::milliseconds max_age)
    : check_(std::move(check)), max_age_(max_age) {}

UpstreamResult UpstreamChecker::Get() {
  std::unique_lock<std::mutex> lock(mutex_);
  if (cached_ && cached_generation_ == generation_ && Clock::now() - finished_at_ < max_age_) return *cached_;
  if (in_flight_) {
    done_.wait(lock, [this] { return !in_flight_; });
    return *cached_;
  }
  in_flight_ = true;
  const std::uint64_t generation = generation_;
  lock.unlock();
  UpstreamResult result = check_();
  lock.lock();
  cached_ = result;
  cached_generation_ = generation;
  finished_at_ = Clock::now();
  in_flight_ = false;
  lock.unlock();
  done_.notify_all();
  return result;
}

std::optional<UpstreamResult> UpstreamChecker::Peek(std::chrono::milliseconds max_age) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (cached_ && cached_generation_ == generation_ && Clock::now() - finished_at_ < max_age) return cached_;
  return std::nullopt;
}

void UpstreamChecker::Invalidate() {
  std::lock_guard<std::mutex> lock(mutex_);
  ++generation_;
}

}  // namespace claw
