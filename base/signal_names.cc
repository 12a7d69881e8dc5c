#include "base/signal_names.h"

#include <signal.h>

#include <tuple>
#include <cctype>
#include <charconv>
#include <utility>

namespace claw {
namespace {

struct NamedSignal {
  const char* name;
  int signo;
};

constexpr NamedSignal kNames[] = {
    {"HUP", SIGHUP},       {"INT", SIGINT},       {"QUIT", SIGQUIT},   {"ILL", SIGILL},
    {"TRAP", SIGTRAP},     {"ABRT", SIGABRT},     {"IOT", SIGIOT},     {"BUS", SIGBUS},
    {"FPE", SIGFPE},       {"KILL", SIGKILL},     {"USR1", SIGUSR1},   {"SEGV", SIGSEGV},
    {"USR2", SIGUSR2},     {"PIPE", SIGPIPE},     {"ALRM", SIGALRM},   {"TERM", SIGTERM},
    {"STKFLT", SIGSTKFLT}, {"CHLD", SIGCHLD},     {"CONT", SIGCONT},   {"STOP", SIGSTOP},
    {"TSTP", SIGTSTP},     {"TTIN", SIGTTIN},     {"TTOU", SIGTTOU},   {"URG", SIGURG},
    {"XCPU", SIGXCPU},     {"XFSZ", SIGXFSZ},     {"VTALRM", SIGVTALRM}, {"PROF", SIGPROF},
    {"WINCH", SIGWINCH},   {"IO", SIGIO},         {"PWR", SIGPWR},     {"SYS", SIGSYS},
};

bool ParseInt(std::string_view text, int* out) {
  if (text.empty()) return false;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && ptr == text.data() + text.size();
}

std::string Upper(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

Result<int> ParseSignal(std::string_view text, bool allow_zero) {
  auto bad = [&](const char* why) {
    return Error{"invalid signal '" + std::string(text) + "': " + why, ExitCode::kUsage};
  };
  if (text.empty()) return bad("empty");
  int number = 0;
  if (ParseInt(text, &number)) {
    if (number == 0 && allow_zero) return 0;
    if (number < 1 || number >= NSIG) return bad("out of range");
    return number;
  }
  std::string name = Upper(text);
  if (name.rfind("SIG", 0) == 0) name.erase(0, 3);
  for (const auto& entry : kNames) {
    if (name == entry.name) return entry.signo;
  }
  for (auto [prefix, base, sign] : {std::tuple{"RTMIN", SIGRTMIN, 1}, std::tuple{"RTMAX", SIGRTMAX, -1}}) {
    std::string_view p(prefix);
    if (name.rfind(p, 0) != 0) continue;
    std::string_view rest = std::string_view(name).substr(p.size());
    int offset = 0;
    if (!rest.empty()) {
      char want = sign > 0 ? '+' : '-';
      if (rest[0] != want || !ParseInt(rest.substr(1), &offset) || offset < 0) return bad("bad real-time offset");
    }
    int signo = base + sign * offset;
    if (signo < SIGRTMIN || signo > SIGRTMAX) return bad("real-time signal out of range");
    return signo;
  }
  return bad("unknown signal name");
}

std::string SignalName(int signo) {
  if (signo >= SIGRTMIN && signo <= SIGRTMAX) {
    return signo == SIGRTMIN ? "RTMIN" : "RTMIN+" + std::to_string(signo - SIGRTMIN);
  }
  for (const auto& entry : kNames) {
    if (entry.signo == signo && std::string_view(entry.name) != "IOT") return entry.name;
  }
  return std::to_string(signo);
}

bool IsFaultSignal(int signo) {
  switch (signo) {
    case SIGSEGV: case SIGBUS: case SIGFPE: case SIGILL: case SIGTRAP: case SIGSYS: case SIGABRT:
      return true;
    default:
      return false;
  }
}

bool IsForwardable(int signo) {
  if (signo < 1 || signo >= NSIG) return false;
  if (signo == SIGKILL || signo == SIGSTOP || signo == SIGCHLD) return false;
  // glibc keeps 32 and 33 for its threads; they are neither blockable nor ours.
  if (signo > SIGSYS && signo < SIGRTMIN) return false;
  return true;
}

}  // namespace claw
