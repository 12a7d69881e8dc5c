// Restarts the runtime asks for (contract section 7, OpenClaw's
// external-supervisor contract): the pure parts, and the helper command the
// supervisor's loop runs without waiting for it.
//
// When a run exits 0 and the profile names a handoff command, the loop runs
// it (as the runtime user, `{pid}` replaced by the pid of the run that
// exited). An answer is "accepted" when the command exits 0 and its stdout
// is a JSON object whose "status" is "accepted"; anything else (another
// status, malformed JSON, a non-zero exit, no answer within the timeout) is
// an ordinary exit. Before the first handoff the capabilities command, when
// the profile names one, must say the protocol supports "consume"
// (OpenClaw: {"ok":true,"protocolVersion":1,"operations":["consume"]}); if
// it does not, handoffs are off for the rest of claw-init's life.
#pragma once

#include <sys/types.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/duration.h"
#include "base/result.h"
#include "base/unique_fd.h"
#include "process/spawn.h"

namespace claw {

struct HandoffConfig {
  std::vector<std::string> consume;       // with "{pid}"
  std::string consume_path;               // consume[0] resolved
  std::vector<std::string> capabilities;  // empty: no negotiation
  std::string capabilities_path;
  // OpenClaw's CLI takes 1.7 s to answer on an idle 2-core machine, several
  // times that on a loaded one; a hung command must still end.
  Duration timeout = std::chrono::seconds(30);
};

// Every "{pid}" in each argument replaced by `pid`. Pure.
std::vector<std::string> SubstitutePid(const std::vector<std::string>& argv, pid_t pid);

struct HandoffVerdict {
  bool yes = false;
  std::string why;  // for the log: "status none (missing)", "exit status 2", ...
};

// The consume command's answer. Pure.
HandoffVerdict ParseHandoffAnswer(int exit_code, std::string_view out);
// The capabilities command's answer: "consume" among "operations", "ok"
// not false, a protocolVersion of 1 or more when given. Pure.
HandoffVerdict ParseCapabilities(int exit_code, std::string_view out);

// A helper command started by the loop: stdin /dev/null, stdout captured
// (64 KiB at most), stderr captured for the debug log, its own session, default
// signal actions. The loop spawns `plan`, calls Started, polls the fds
// (-1 once closed), calls Read when they are ready and Finish once it has
// reaped the pid.
class HelperRun {
 public:
  // `base` gives the user, environment, directories and signal mask.
  static Result<std::unique_ptr<HelperRun>> Prepare(const SpawnPlan& base, const std::string& path,
                                                    std::vector<std::string> argv);
  SpawnPlan plan;

  void Started(pid_t pid);  // closes the write ends
  pid_t pid() const { return pid_; }
  int out_fd() const { return out_r_.get(); }
  int err_fd() const { return err_r_.get(); }
  void Read();
  void Finish();
  const std::string& out() const { return out_; }
  const std::string& err() const { return err_; }

 private:
  pid_t pid_ = 0;
  std::string out_, err_;
  UniqueFd out_r_, err_r_, out_w_, err_w_, dev_null_;
};

}  // namespace claw
