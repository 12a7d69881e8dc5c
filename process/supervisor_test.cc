// The supervisor's loop against a fake clock and fake children: every
// schedule (backoff, give-up, reset window, stop grace, stop during backoff)
// checked to the millisecond, in microseconds of real time.
#include "process/supervisor.h"

#include <doctest/doctest.h>
#include <errno.h>
#include <signal.h>

#include <functional>
#include <map>
#include <stdexcept>
#include <unistd.h>

#include "base/log.h"

namespace claw {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using Clock = std::chrono::steady_clock;

// How one run of the fake runtime behaves.
struct Behaviour {
  std::optional<Duration> exits_after;  // unset: runs until signalled
  int status = 0;                       // its exit code then
  std::optional<Duration> term_takes;   // unset: ignores the stop signal
  bool oom = false;                     // exits_after ends it by the OOM killer
};

struct Sent {
  Duration at;
  pid_t pid;
  int signo;
};

class FakeOps : public ProcessOps {
 public:
  using Script = std::function<Behaviour(int run)>;
  explicit FakeOps(Script script) : script_(std::move(script)) {}

  // Delivers `signo` to claw-init at `at` (from the start).
  void SignalAt(Duration at, int signo) { signals_.emplace(at, signo); }
  void FailSpawns(int count) { failing_spawns_ = count; }

  Duration elapsed() const { return std::chrono::duration_cast<Duration>(now_ - start_); }
  const std::vector<Duration>& spawns() const { return spawns_; }
  const std::vector<Sent>& sent() const { return sent_; }

  Clock::time_point Now() override { return now_; }

  void Wait(std::vector<pollfd>&, int timeout_ms) override {
    std::optional<Clock::time_point> next;
    auto consider = [&](Clock::time_point t) {
      if (!next || t < *next) next = t;
    };
    if (!signals_.empty()) consider(start_ + signals_.begin()->first);
    for (const auto& [pid, child] : children_) {
      if (child.dies_at) consider(*child.dies_at);
    }
    if (timeout_ms >= 0) consider(now_ + milliseconds(timeout_ms));
    if (!next) throw std::runtime_error("the loop would sleep for ever");
    if (*next > now_) now_ = *next;
    if (++waits_ > 10000) throw std::runtime_error("the loop does not settle");
  }

  std::vector<ReceivedSignal> TakeSignals() override {
    std::vector<ReceivedSignal> out;
    while (!signals_.empty() && start_ + signals_.begin()->first <= now_) {
      out.push_back(ReceivedSignal{signals_.begin()->second, 0});
      signals_.erase(signals_.begin());
    }
    return out;
  }

  // A helper command (the plan's argv[0] is `name`): writes `out` to its
  // stdout at once, exits `status` after `takes` (unset: never).
  struct HelperScript {
    std::string out;
    int status = 0;
    std::optional<Duration> takes = milliseconds(50);
  };
  void Helper(const std::string& name, HelperScript script) { helpers_[name] = std::move(script); }
  const std::vector<std::pair<long long, std::vector<std::string>>>& helper_runs() const { return helper_runs_; }

  Result<Spawned> Spawn(const SpawnPlan& plan, bool) override {
    if (auto it = helpers_.find(plan.argv.front()); it != helpers_.end()) {
      helper_runs_.emplace_back(std::chrono::duration_cast<milliseconds>(elapsed()).count(), plan.argv);
      const HelperScript& h = it->second;
      if (!h.out.empty()) REQUIRE(write(plan.stdio[1], h.out.data(), h.out.size()) == ssize_t(h.out.size()));
      const pid_t pid = next_pid_++;
      Child child{Behaviour{h.takes, h.status, milliseconds(1)}, std::nullopt, h.status << 8};
      if (h.takes) child.dies_at = now_ + *h.takes;
      children_[pid] = child;
      return Spawned{pid, std::nullopt};
    }
    if (failing_spawns_ > 0) {
      --failing_spawns_;
      return Error{"fork: Resource temporarily unavailable"};
    }
    const pid_t pid = next_pid_++;
    Behaviour b = script_(static_cast<int>(spawns_.size()));
    spawns_.push_back(elapsed());
    Child child{b, std::nullopt, 0};
    if (b.exits_after) {
      child.dies_at = now_ + *b.exits_after;
      child.wait_status = b.oom ? SIGKILL : b.status << 8;
    }
    children_[pid] = child;
    return Spawned{pid, std::nullopt};
  }

  int Kill(pid_t pid, int signo) override {
    sent_.push_back(Sent{elapsed(), pid, signo});
    const pid_t target = pid < 0 ? -pid : pid;
    bool found = false;
    for (auto& [child_pid, child] : children_) {
      if (pid != -1 && child_pid != target) continue;
      found = true;
      if (signo == SIGKILL) {
        child.dies_at = now_;
        child.wait_status = SIGKILL;
      } else if ((signo == SIGTERM || signo == SIGINT) && child.behaviour.term_takes) {
        const Clock::time_point at = now_ + *child.behaviour.term_takes;
        if (!child.dies_at || at < *child.dies_at) {
          child.dies_at = at;
          child.wait_status = signo;  // killed by it
        }
      }
    }
    return found ? 0 : ESRCH;
  }

  std::optional<uint64_t> OomKills() override {
    ++oom_reads_;
    return oom_kills_;
  }
  std::string OomReport() override { return "killed by the kernel's OOM killer (memory limit 64 MiB)"; }
  int oom_reads() const { return oom_reads_; }

  ReapResult Reap() override {
    ReapResult result;
    for (auto it = children_.begin(); it != children_.end();) {
      if (it->second.dies_at && *it->second.dies_at <= now_) {
        if (it->second.behaviour.oom && it->second.wait_status == SIGKILL) ++oom_kills_;
        result.reaped.push_back(Reaped{it->first, it->second.wait_status});
        it = children_.erase(it);
      } else {
        ++it;
      }
    }
    result.no_children = children_.empty();
    return result;
  }

  std::vector<pid_t> Children() override {
    std::vector<pid_t> out;
    for (const auto& [pid, child] : children_) out.push_back(pid);
    return out;
  }

 private:
  struct Child {
    Behaviour behaviour;
    std::optional<Clock::time_point> dies_at;
    int wait_status;
  };

  Script script_;
  const Clock::time_point start_ = Clock::time_point(seconds(1000));
  Clock::time_point now_ = start_;
  std::multimap<Duration, int> signals_;
  std::map<pid_t, Child> children_;
  std::vector<Duration> spawns_;
  std::vector<Sent> sent_;
  pid_t next_pid_ = 100;
  int failing_spawns_ = 0;
  int waits_ = 0;
  std::map<std::string, HelperScript> helpers_;
  std::vector<std::pair<long long, std::vector<std::string>>> helper_runs_;
  uint64_t oom_kills_ = 5;  // earlier kills in the cgroup, before claw-init
  int oom_reads_ = 0;
};

SpawnPlan Plan() {
  SpawnPlan plan;
  plan.path = "/bin/fake";
  plan.argv = {"fake"};
  return plan;
}

struct Outcome {
  int status;
  SupervisorSnapshot last;
  std::string reason;
  // Each change of state, with when it was published.
  std::vector<std::pair<long long, RuntimeState>> states;
};

long long Ms(Duration d) { return std::chrono::duration_cast<milliseconds>(d).count(); }

Outcome Run(FakeOps& ops, const SupervisorConfig& config) {
  InitLogging(LogFormat::kText, LogLevel::kError);
  Outcome out;
  Supervisor supervisor(config, Plan(), ops, [&out, &ops](const SupervisorSnapshot& s) {
    if (out.states.empty() || out.states.back().second != s.state) out.states.emplace_back(Ms(ops.elapsed()), s.state);
    out.last = s;
  });
  out.status = supervisor.Run();
  out.reason = supervisor.final_reason();
  InitLogging(LogFormat::kText, LogLevel::kInfo);
  return out;
}

// The gap between start `i` and the end of run `i - 1`.
long long GapMs(const FakeOps& ops, size_t i, Duration run_length) {
  return Ms(ops.spawns()[i] - ops.spawns()[i - 1] - run_length);
}

SupervisorConfig OnFailure() {
  SupervisorConfig config;
  config.restart = RestartPolicy::kOnFailure;
  config.backoff.initial = seconds(1);
  config.backoff.max = seconds(4);
  config.backoff.reset = seconds(60);
  config.backoff.max_restarts = 3;
  config.stop_grace = seconds(2);
  return config;
}

Behaviour FailsAfter(Duration d, int status = 1) { return Behaviour{d, status, milliseconds(10)}; }

}  // namespace

TEST_CASE("supervisor: backoff doubles to the cap, then gives up after max_restarts") {
  FakeOps ops([](int) { return FailsAfter(milliseconds(100), 3); });
  SupervisorConfig config = OnFailure();
  config.backoff.max_restarts = 4;
  Outcome out = Run(ops, config);
  CHECK(out.status == 3);
  REQUIRE(ops.spawns().size() == 5);  // the first run and 4 restarts
  const long long expected[] = {1000, 2000, 4000, 4000};
  for (size_t i = 1; i < ops.spawns().size(); ++i) {
    CAPTURE(i);
    const long long gap = GapMs(ops, i, milliseconds(100));
    CHECK(gap >= expected[i - 1] * 8 / 10);  // jitter is +-20%
    CHECK(gap <= expected[i - 1] * 12 / 10);
  }
  CHECK(out.last.given_up);
  CHECK(out.last.state == RuntimeState::kFatal);
  CHECK(out.last.restarts == 4);
  CHECK(out.last.last_exit == 3);
}

TEST_CASE("supervisor: a run as long as the reset window starts the schedule over") {
  // Fails fast, fails fast, runs 61 s then fails, fails fast.
  FakeOps ops([](int run) { return FailsAfter(run == 2 ? seconds(61) : milliseconds(100)); });
  SupervisorConfig config = OnFailure();
  config.backoff.max_restarts = 3;
  Outcome out = Run(ops, config);
  // Without the reset, the fourth failed run in a row gives up (4 runs);
  // the long run starts the count over as the first of a new row, which
  // then gives up at its fourth: 2 + 4 runs.
  REQUIRE(ops.spawns().size() == 6);
  CHECK(GapMs(ops, 2, milliseconds(100)) >= 1600);     // 2 s, second in a row
  CHECK(GapMs(ops, 3, seconds(61)) <= 1200);           // back to 1 s
  CHECK(GapMs(ops, 4, milliseconds(100)) >= 1600);     // and doubling again
  CHECK(out.last.given_up);
  CHECK(out.status == 1);
}

TEST_CASE("supervisor: restart policies and remapped exit codes") {
  SUBCASE("never: the first exit is the end, with its status") {
    FakeOps ops([](int) { return FailsAfter(milliseconds(50), 7); });
    SupervisorConfig config = OnFailure();
    config.restart = RestartPolicy::kNever;
    CHECK(Run(ops, config).status == 7);
    CHECK(ops.spawns().size() == 1);
  }
  SUBCASE("on-failure: a clean exit is the end") {
    FakeOps ops([](int run) { return FailsAfter(milliseconds(50), run == 0 ? 1 : 0); });
    CHECK(Run(ops, OnFailure()).status == 0);
    CHECK(ops.spawns().size() == 2);
  }
  SUBCASE("on-failure: a remapped code is a clean exit") {
    FakeOps ops([](int) { return FailsAfter(milliseconds(50), 143); });
    SupervisorConfig config = OnFailure();
    config.remap_exit = {143};
    CHECK(Run(ops, config).status == 0);
    CHECK(ops.spawns().size() == 1);
  }
  SUBCASE("always: clean exits restart too, until stopped") {
    FakeOps ops([](int) { return FailsAfter(seconds(5), 0); });
    ops.SignalAt(seconds(16), SIGTERM);
    SupervisorConfig config = OnFailure();
    config.restart = RestartPolicy::kAlways;
    Outcome out = Run(ops, config);
    CHECK(ops.spawns().size() == 3);  // at 0 s, ~6 s, ~12 s: the TERM at 16 s ends the third
    CHECK(out.status == 128 + SIGTERM);  // the run the stop ended
    // The reason is that run's alone, not the earlier runs'.
    CHECK(out.reason.rfind("fake killed by signal TERM (status 143) after ", 0) == 0);
    CHECK(out.reason.find("exited with status 0") == std::string::npos);
  }
}

TEST_CASE("supervisor: a failed fork counts as a failed run") {
  FakeOps ops([](int) { return FailsAfter(milliseconds(50), 0); });
  ops.FailSpawns(2);
  Outcome out = Run(ops, OnFailure());
  CHECK(out.status == 0);
  CHECK(ops.spawns().size() == 1);  // the third attempt started, ran, exited 0
  CHECK(out.last.restarts == 2);
}

TEST_CASE("supervisor: stop with the runtime obeying TERM") {
  FakeOps ops([](int) { return Behaviour{std::nullopt, 0, milliseconds(300)}; });
  ops.SignalAt(seconds(5), SIGTERM);
  Outcome out = Run(ops, OnFailure());
  CHECK(out.status == 128 + SIGTERM);
  CHECK(ops.spawns().size() == 1);
  REQUIRE_FALSE(ops.sent().empty());
  CHECK(ops.sent().front().pid == -100);  // the process group
  CHECK(ops.sent().front().signo == SIGTERM);
  CHECK(Ms(ops.sent().front().at) == 5000);
  for (const Sent& s : ops.sent()) CHECK(s.signo != SIGKILL);
  CHECK(Ms(ops.elapsed()) == 5300);
  CHECK(out.last.state == RuntimeState::kExited);
}

TEST_CASE("supervisor: the stop grace ends in SIGKILL, and a second TERM keeps the deadline") {
  FakeOps ops([](int) { return Behaviour{std::nullopt, 0, std::nullopt}; });  // ignores TERM
  ops.SignalAt(seconds(5), SIGTERM);
  ops.SignalAt(milliseconds(6500), SIGTERM);
  SupervisorConfig config = OnFailure();
  config.stop_grace = seconds(2);
  Outcome out = Run(ops, config);
  CHECK(out.status == 128 + SIGKILL);
  std::vector<std::pair<long long, int>> to_group;
  for (const Sent& s : ops.sent()) {
    if (s.pid == -100) to_group.emplace_back(Ms(s.at), s.signo);
  }
  REQUIRE(to_group.size() >= 3);
  CHECK(to_group[0] == std::make_pair(5000LL, SIGTERM));
  CHECK(to_group[1] == std::make_pair(6500LL, SIGTERM));
  CHECK(to_group[2] == std::make_pair(7000LL, SIGKILL));
  CHECK(ops.spawns().size() == 1);  // a stop never restarts
}

TEST_CASE("supervisor: a stop during the backoff exits at once with the last status") {
  FakeOps ops([](int) { return FailsAfter(milliseconds(100), 4); });
  ops.SignalAt(milliseconds(500), SIGTERM);  // inside the first 1 s backoff
  Outcome out = Run(ops, OnFailure());
  CHECK(out.status == 4);
  CHECK(ops.spawns().size() == 1);
  CHECK(Ms(ops.elapsed()) == 500);
}

TEST_CASE("supervisor: --single-child signals the pid, not the group") {
  FakeOps ops([](int) { return Behaviour{std::nullopt, 0, milliseconds(100)}; });
  ops.SignalAt(seconds(1), SIGHUP);
  ops.SignalAt(seconds(2), SIGTERM);
  SupervisorConfig config = OnFailure();
  config.single_child = true;
  Run(ops, config);
  REQUIRE(ops.sent().size() >= 2);
  CHECK(ops.sent()[0].pid == 100);
  CHECK(ops.sent()[0].signo == SIGHUP);
  CHECK(ops.sent()[1].pid == 100);
  CHECK(ops.sent()[1].signo == SIGTERM);
}

TEST_CASE("supervisor: the stop delay reports stopping at once and sends the signal after it") {
  FakeOps ops([](int) { return Behaviour{std::nullopt, 0, milliseconds(200)}; });
  ops.SignalAt(seconds(5), SIGTERM);
  SupervisorConfig config = OnFailure();
  config.stop_delay = seconds(3);
  Outcome out = Run(ops, config);
  CHECK(out.status == 128 + SIGTERM);
  REQUIRE_FALSE(ops.sent().empty());
  CHECK(Ms(ops.sent().front().at) == 8000);
  CHECK(ops.sent().front().signo == SIGTERM);
  // "stopping" from the TERM on, while the runtime still runs.
  bool stopping_at_5 = false;
  for (const auto& [at, state] : out.states) stopping_at_5 |= at == 5000 && state == RuntimeState::kStopping;
  CHECK(stopping_at_5);
  CHECK(out.states.back().second == RuntimeState::kExited);
  CHECK(Ms(ops.elapsed()) == 8200);
  CHECK(out.reason == "fake killed by signal TERM (status 143) after 8.2s; stopped by TERM");
}

TEST_CASE("supervisor: a second TERM ends the stop delay; the grace counts from the signal") {
  FakeOps ops([](int) { return Behaviour{std::nullopt, 0, std::nullopt}; });  // ignores TERM
  ops.SignalAt(seconds(5), SIGTERM);
  ops.SignalAt(seconds(6), SIGTERM);
  SupervisorConfig config = OnFailure();
  config.stop_delay = seconds(30);
  config.stop_grace = seconds(2);
  Outcome out = Run(ops, config);
  CHECK(out.status == 128 + SIGKILL);
  REQUIRE(ops.sent().size() >= 2);
  CHECK(Ms(ops.sent()[0].at) == 6000);
  CHECK(ops.sent()[0].signo == SIGTERM);
  CHECK(Ms(ops.sent()[1].at) == 8000);
  CHECK(ops.sent()[1].signo == SIGKILL);
}

TEST_CASE("supervisor: the runtime ending on its own during the stop delay ends the stop") {
  FakeOps ops([](int) { return FailsAfter(seconds(6), 0); });
  ops.SignalAt(seconds(5), SIGTERM);
  SupervisorConfig config = OnFailure();
  config.stop_delay = seconds(10);
  Outcome out = Run(ops, config);
  CHECK(out.status == 0);
  CHECK(Ms(ops.elapsed()) == 6000);
  // The delay never ran out: the runtime was not signalled before its exit
  // (the TERM to its group after it is the clean-up of leftovers).
  for (const Sent& s : ops.sent()) CHECK(Ms(s.at) >= 6000);
}

TEST_CASE("supervisor: an OOM kill is told from other SIGKILLs by the cgroup's count") {
  // Run 0: the OOM killer at 2 s; run 1: a plain exit 0.
  FakeOps ops([](int run) {
    Behaviour b = FailsAfter(run == 0 ? seconds(2) : seconds(1), 0);
    b.oom = run == 0;
    return b;
  });
  Outcome out = Run(ops, OnFailure());
  CHECK(out.status == 0);
  CHECK(ops.spawns().size() == 2);
  CHECK(out.last.oom_kills == 1);
  CHECK(out.last.last_exit_reason == ExitReason::kExit);  // the last run's
  CHECK(ops.oom_reads() == 3);  // at each start, and at the end of the SIGKILLed run only

  FakeOps killed([](int) {
    Behaviour b = FailsAfter(seconds(2), 0);
    b.oom = true;
    return b;
  });
  SupervisorConfig never = OnFailure();
  never.restart = RestartPolicy::kNever;
  Outcome oom = Run(killed, never);
  CHECK(oom.status == 128 + SIGKILL);
  CHECK(oom.last.last_exit_reason == ExitReason::kOom);
  CHECK(oom.reason.find("OOM killer (memory limit 64 MiB)") != std::string::npos);

  // SIGKILL at the end of the stop grace is no OOM kill.
  FakeOps stubborn([](int) { return Behaviour{std::nullopt, 0, std::nullopt}; });
  stubborn.SignalAt(seconds(1), SIGTERM);
  Outcome grace = Run(stubborn, OnFailure());
  CHECK(grace.last.last_exit_reason == ExitReason::kSignal);
  CHECK(grace.last.oom_kills == 0);
}

TEST_CASE("supervisor: the final reason of a give-up") {
  FakeOps ops([](int) { return FailsAfter(milliseconds(100), 1); });
  SupervisorConfig config = OnFailure();
  config.backoff.max_restarts = 1;
  Outcome out = Run(ops, config);
  CHECK(out.reason == "fake exited with status 1 after 100ms; gave up after 2 failed runs in a row");
  CHECK(out.states.back().second == RuntimeState::kFatal);
}

namespace {

SupervisorConfig WithHandoff(bool capabilities) {
  SupervisorConfig config = OnFailure();
  config.restart = RestartPolicy::kNever;
  HandoffConfig h;
  h.consume = {"consume", "--expected-pid", "{pid}", "--json"};
  h.consume_path = "/bin/consume";
  if (capabilities) {
    h.capabilities = {"caps", "--json"};
    h.capabilities_path = "/bin/caps";
  }
  h.timeout = seconds(10);
  config.handoff = h;
  return config;
}

constexpr const char* kAccepted = R"({"ok":true,"protocolVersion":1,"status":"accepted"})";
constexpr const char* kCaps = R"({"ok":true,"protocolVersion":1,"operations":["consume"]})";

}  // namespace

TEST_CASE("handoff: accepted restarts at once, no backoff, no failure, restarts + 1") {
  // Run 0 exits 0 after 5 s and asks for a restart; run 1 runs until the TERM.
  FakeOps ops([](int run) { return run == 0 ? FailsAfter(seconds(5), 0) : Behaviour{std::nullopt, 0, milliseconds(100)}; });
  ops.Helper("caps", {kCaps, 0});
  ops.Helper("consume", {kAccepted, 0});
  ops.SignalAt(seconds(20), SIGTERM);
  Outcome out = Run(ops, WithHandoff(true));
  REQUIRE(ops.spawns().size() == 2);
  CHECK(Ms(ops.spawns()[1]) == 5100);  // capabilities 50 ms, consume 50 ms, then at once
  REQUIRE(ops.helper_runs().size() == 2);
  CHECK(ops.helper_runs()[0].second.front() == "caps");
  CHECK(ops.helper_runs()[1].second == std::vector<std::string>{"consume", "--expected-pid", "100", "--json"});
  CHECK(out.last.restarts == 1);
  CHECK(out.status == 128 + SIGTERM);
}

TEST_CASE("handoff: the capabilities are asked once, then only consume") {
  FakeOps ops([](int run) { return run < 2 ? FailsAfter(seconds(1), 0) : FailsAfter(seconds(1), 3); });
  ops.Helper("caps", {kCaps, 0});
  ops.Helper("consume", {kAccepted, 0});
  Outcome out = Run(ops, WithHandoff(true));
  CHECK(ops.spawns().size() == 3);
  REQUIRE(ops.helper_runs().size() == 3);  // caps, consume, consume
  CHECK(ops.helper_runs()[2].second[2] == "103");  // the second run (100: run, 101 caps, 102 consume)
  CHECK(out.status == 3);  // the third run's own exit: an ordinary one (not 0: no handoff)
  CHECK(out.last.restarts == 2);
}

TEST_CASE("handoff: anything but accepted is an ordinary exit") {
  struct Case {
    const char* name;
    FakeOps::HelperScript consume;
  };
  const Case cases[] = {
      {"rejected", {R"({"ok":true,"status":"none","reason":"missing"})", 0}},
      {"pid mismatch", {R"({"ok":true,"status":"pid-mismatch"})", 0}},
      {"malformed JSON", {"{\"status\":\"accep", 0}},
      {"non-zero exit", {kAccepted, 1}},
      {"hang past the timeout", {"", 0, std::nullopt}},
  };
  for (const Case& c : cases) {
    CAPTURE(c.name);
    FakeOps ops([](int) { return FailsAfter(seconds(1), 0); });
    ops.Helper("consume", c.consume);
    Outcome out = Run(ops, WithHandoff(false));
    CHECK(ops.spawns().size() == 1);
    CHECK(out.status == 0);
    CHECK(out.last.restarts == 0);
    if (!c.consume.takes) CHECK(Ms(ops.elapsed()) >= 11000);  // killed at the 10 s timeout
  }
}

TEST_CASE("handoff: without consume among the capabilities, handoffs are off") {
  FakeOps ops([](int) { return FailsAfter(seconds(1), 0); });
  ops.Helper("caps", {R"({"ok":true,"operations":[]})", 0});
  ops.Helper("consume", {kAccepted, 0});
  Outcome out = Run(ops, WithHandoff(true));
  CHECK(ops.spawns().size() == 1);
  CHECK(ops.helper_runs().size() == 1);  // consume never ran
  CHECK(out.status == 0);
}

TEST_CASE("handoff: a stop during the handoff is never a restart") {
  FakeOps ops([](int) { return FailsAfter(seconds(1), 0); });
  ops.Helper("consume", {kAccepted, 0, seconds(3)});  // answers at 4 s
  ops.SignalAt(seconds(2), SIGTERM);
  Outcome out = Run(ops, WithHandoff(false));
  CHECK(ops.spawns().size() == 1);
  CHECK(out.status == 0);
  CHECK(out.last.restarts == 0);
  // The helper, still running at the stop, is signalled with the leftovers.
  bool helper_signalled = false;
  for (const Sent& s : ops.sent()) helper_signalled |= (s.pid == 101 || s.pid == -101) && Ms(s.at) == 2000;
  CHECK(helper_signalled);
}

TEST_CASE("handoff: an exit other than 0 never asks") {
  FakeOps ops([](int) { return FailsAfter(seconds(1), 1); });
  ops.Helper("consume", {kAccepted, 0});
  SupervisorConfig config = WithHandoff(false);
  Outcome out = Run(ops, config);
  CHECK(ops.helper_runs().empty());
  CHECK(out.status == 1);
}

}  // namespace claw
