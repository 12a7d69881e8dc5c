// Signal set-up and the forwarding policy. claw-init blocks every signal but
// the fault signals before it starts any thread (threads inherit the mask),
// and reads them from a signalfd in the one event loop.
#pragma once

#include <signal.h>

#include <map>
#include <vector>

#include "base/result.h"
#include "base/unique_fd.h"

namespace claw {

struct SignalSetup {
  sigset_t original_mask;  // restored in the child before exec
  UniqueFd fd;             // signalfd, non-blocking, close-on-exec
};

// Blocks every signal except the fault signals and opens a signalfd for them.
Result<SignalSetup> BlockSignals();

// Reads every pending signal from the signalfd (non-blocking).
std::vector<int> DrainSignalFd(int fd);

// What the event loop does with a signal claw-init received. Pure.
struct SignalAction {
  enum class Kind {
    kReap,     // SIGCHLD: collect dead children
    kStop,     // stop for good: send `send` to the runtime, no more restarts
    kForward,  // pass `send` on to the runtime
    kDrop,     // ignored (rewritten to 0, or never forwarded)
  };
  Kind kind = Kind::kDrop;
  int send = 0;
};

// TERM and INT mean stop (contract section 2): TERM goes on as the stop
// signal, INT as INT, unless --rewrite maps them (to 0: dropped, no stop).
SignalAction ClassifySignal(int signo, const std::map<int, int>& rewrite, int stop_signal);

}  // namespace claw
