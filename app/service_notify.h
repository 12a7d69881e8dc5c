// sd_notify upward (contract section 7): with NOTIFY_SOCKET set (systemd,
// `podman run --sdnotify=container`), READY=1 once /health first passes
// after each start, STOPPING=1 when a stop begins, and STATUS= lines for the
// backoff and the give-up. Fed with every snapshot the supervisor publishes;
// while a start waits for an upstream check to pass it asks to be woken
// every 250 ms (Wake), and never otherwise.
#pragma once

#include <chrono>
#include <functional>
#include <optional>

#include "base/environment.h"
#include "base/sd_notify.h"
#include "base/supervisor_state.h"

namespace claw {

class ServiceNotify {
 public:
  // nullopt without NOTIFY_SOCKET; a bad value is a warning, and no notify.
  static std::optional<ServiceNotify> FromEnvironment(const Environment& env, std::function<bool()> passing);

  void OnSnapshot(const SupervisorSnapshot& snapshot);
  // For the loop: how long until the next readiness check (-1: none is
  // awaited), and the check when it is due.
  int TimeoutMs(std::chrono::steady_clock::time_point now) const;
  void Wake(std::chrono::steady_clock::time_point now);

 private:
  ServiceNotify(Notifier notifier, std::function<bool()> passing)
      : notifier_(std::move(notifier)), passing_(std::move(passing)) {}
  void Send(const std::string& message);
  void CheckReady();

  Notifier notifier_;
  std::function<bool()> passing_;
  std::optional<std::chrono::steady_clock::time_point> run_;  // the run READY was sent for, or is awaited for
  bool ready_sent_ = false;
  bool waiting_ = false;
  std::chrono::steady_clock::time_point next_check_;
  bool stopping_sent_ = false;
  RuntimeState last_state_ = RuntimeState::kStarting;
  bool warned_ = false;
};

}  // namespace claw
