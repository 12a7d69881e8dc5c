// The runtime's stdout and stderr through claw-init, with every secret value
// replaced (contract section 7, `--redact`). Each run gets a new pair of
// pipes; the supervisor's one event loop waits on the pump's epoll fd and
// calls Dispatch, which reads what the pipes hold, passes it through that
// stream's Redactor and writes it on to claw-init's own stdout or stderr
// without ever blocking the loop.
//
// Nothing is lost or reordered within a stream: a stream's bytes go to its
// sink in order, a run's streams are kept until their pipes reach EOF (the
// runtime's children may write after it exited), and Drain at claw-init's
// exit reads and writes what is left. Back-pressure: a sink holds at most
// 64 KiB; beyond that the pump stops reading the pipes that feed it, so a
// slow reader of claw-init's stdout slows the runtime, never grows memory.
#pragma once

#include <array>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "base/result.h"
#include "base/unique_fd.h"
#include "process/redactor.h"

namespace claw {

inline constexpr size_t kPumpBufferLimit = 64 * 1024;

class OutputPump {
 public:
  // `out_fds`: where stdout and stderr go (claw-init's 1 and 2).
  static Result<std::unique_ptr<OutputPump>> Create(std::vector<std::string> secrets,
                                                    std::array<int, 2> out_fds = {1, 2});
  ~OutputPump();
  OutputPump(const OutputPump&) = delete;
  OutputPump& operator=(const OutputPump&) = delete;

  // New pipes for a run: the write ends for the child's stdout and stderr
  // (close-on-exec; the spawn dup2s them). Close them once it has started.
  Result<std::array<UniqueFd, 2>> NewRun();

  int fd() const { return epoll_fd_.get(); }
  // A bounded amount of reading and writing; never blocks.
  void Dispatch();
  // At exit: reads every pipe to EOF or until nothing more comes, flushes
  // each redactor and writes everything out, waiting for a slow reader up
  // to `limit` in all.
  void Drain(std::chrono::milliseconds limit = std::chrono::milliseconds(2000));

  size_t buffered() const;  // bytes waiting for the sinks (tests)
  size_t open_streams() const;

 private:
  struct Sink;
  struct Stream;
  OutputPump() = default;
  void ReadStream(Stream& stream, size_t budget);
  void CloseStream(Stream& stream);
  void Flush(Sink& sink);
  void UpdateInterest();

  std::vector<std::string> secrets_;
  UniqueFd epoll_fd_;
  std::vector<std::unique_ptr<Sink>> sinks_;
  std::vector<std::unique_ptr<Stream>> streams_;
};

}  // namespace claw
