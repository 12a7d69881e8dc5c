// Signal set-up and the forwarding policy. claw-init blocks every signal
// before it starts any thread (threads inherit the mask), and reads them from
// a signalfd in the one event loop.
//
// The fault signals (SEGV BUS FPE ILL TRAP SYS ABRT) are blocked too. A fault
// of claw-init's own still ends it: the kernel forces a synchronous fault
// through a blocked mask (it resets the action to the default and unblocks
// the signal), and glibc's abort() unblocks SIGABRT before it raises it. So
// what reaches the signalfd was sent by another process (kill, sigqueue,
// tgkill) and is forwarded like any other signal; one with a kernel code
// (an asynchronous BUS_MCEERR_AO, say) is still taken as claw-init's own.
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

// Blocks every signal and opens a signalfd for them.
Result<SignalSetup> BlockSignals();

// One signal as the signalfd reported it.
struct ReceivedSignal {
  int signo = 0;
  // si_code: <= 0 when a process sent it (SI_USER from kill, SI_QUEUE from
  // sigqueue, SI_TKILL from tgkill), > 0 when the kernel generated it.
  int code = 0;
};

// Reads every pending signal from the signalfd (non-blocking).
std::vector<ReceivedSignal> DrainSignalFd(int fd);

// What decides the fate of a signal, besides the signal itself.
struct SignalPolicy {
  std::map<int, int> rewrite;  // --rewrite: S -> T; T = 0 drops S
  int stop_signal = SIGTERM;   // --stop-signal: what a TERM goes on as
  // Not PID 1: claw-init stops itself after passing on a signal that stops
  // the runtime, so the shell that started it sees the job stop. PID 1
  // cannot be stopped, so there it only forwards.
  bool job_control = false;
  // The runtime leads its own session (stdin is not a terminal): its group
  // is orphaned, and the kernel discards TSTP, TTIN and TTOU sent to an
  // orphaned group that does not catch them. With job control, SIGSTOP is
  // sent instead unless --rewrite names the signal (as dumb-init does).
  bool runtime_orphaned = false;
};

// What the event loop does with a signal claw-init received. Pure.
struct SignalAction {
  enum class Kind {
    kReap,      // SIGCHLD: collect dead children
    kStop,      // stop for good: send `send` to the runtime, no more restarts
    kForward,   // pass `send` on to the runtime
    kSuspend,   // pass `send` (a stop signal) on, then stop claw-init itself
    kDrop,      // ignored (rewritten to 0, or never forwarded)
    kOwnFault,  // a fault the kernel raised for claw-init itself: die of it
  };
  Kind kind = Kind::kDrop;
  int send = 0;
};

// TERM and INT mean stop (contract section 2): TERM goes on as the stop
// signal, INT as INT, unless --rewrite maps them (to 0: dropped, no stop).
// A fault signal sent by a process is forwarded like any other; one with a
// kernel code is claw-init's own.
SignalAction ClassifySignal(const ReceivedSignal& signal, const SignalPolicy& policy);

// Ends claw-init by `signo` with its default action (a core dump for a
// fault), as if claw-init had never blocked or read it. Should that action
// not end it, exits 128 + signo.
[[noreturn]] void DieBySignal(int signo);

}  // namespace claw
