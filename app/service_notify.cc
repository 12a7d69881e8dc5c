#include "app/service_notify.h"

#include "base/log.h"

namespace claw {

std::optional<ServiceNotify> ServiceNotify::FromEnvironment(const Environment& env, std::function<bool()> passing) {
  auto it = env.find(kNotifySocketEnv);
  if (it == env.end()) return std::nullopt;
  auto notifier = Notifier::Create(it->second);
  if (!notifier) {
    LogWarn("sd_notify off: " + notifier.error().message);
    return std::nullopt;
  }
  return ServiceNotify(std::move(notifier).value(), std::move(passing));
}

void ServiceNotify::Send(const std::string& message) {
  auto st = notifier_.Send(message);
  if (!st && !warned_) {
    // Once: a manager that is not listening must not fill the log.
    warned_ = true;
    LogWarn("sd_notify: " + st.error().message);
  } else if (st && DebugEnabled()) {
    LogDebug("sd_notify: " + message.substr(0, message.find('\n')));
  }
}

void ServiceNotify::CheckReady() {
  if (!passing_ || passing_()) {
    waiting_ = false;
    ready_sent_ = true;
    Send("READY=1\n" + Notifier::StatusMessage("running"));
  }
}

void ServiceNotify::OnSnapshot(const SupervisorSnapshot& s) {
  const bool changed = s.state != last_state_;
  last_state_ = s.state;
  if (s.state == RuntimeState::kStopping || s.state == RuntimeState::kExited) {
    waiting_ = false;
    if (!stopping_sent_) {
      stopping_sent_ = true;
      Send("STOPPING=1\n" + Notifier::StatusMessage("stopping"));
    }
    return;
  }
  if (s.state == RuntimeState::kRunning) {
    if (s.started_at != run_) {
      // A new run: READY again once it passes.
      run_ = s.started_at;
      ready_sent_ = false;
      waiting_ = true;
    }
    if (waiting_) {
      CheckReady();
      next_check_ = std::chrono::steady_clock::now() + std::chrono::milliseconds(250);
    }
    return;
  }
  if (!changed) return;
  waiting_ = false;
  if (s.state == RuntimeState::kBackoff) {
    Send(Notifier::StatusMessage("backoff: restart " + std::to_string(s.restarts) + " after exit status " +
                                 (s.last_exit ? std::to_string(*s.last_exit) : std::string("?"))));
  } else if (s.state == RuntimeState::kFatal) {
    Send(Notifier::StatusMessage("gave up after " + std::to_string(s.restarts) + " restarts; exit status " +
                                 (s.last_exit ? std::to_string(*s.last_exit) : std::string("?"))));
    if (!stopping_sent_) {
      stopping_sent_ = true;
      Send("STOPPING=1");
    }
  }
}

int ServiceNotify::TimeoutMs(std::chrono::steady_clock::time_point now) const {
  if (!waiting_) return -1;
  const auto left = std::chrono::ceil<std::chrono::milliseconds>(next_check_ - now).count();
  return left > 0 ? static_cast<int>(left) : 0;
}

void ServiceNotify::Wake(std::chrono::steady_clock::time_point now) {
  if (!waiting_ || now < next_check_) return;
  CheckReady();
  next_check_ = now + std::chrono::milliseconds(250);
}

}  // namespace claw
