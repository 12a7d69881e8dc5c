#include "process/handoff.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include <rapidjson/document.h>

#include <algorithm>

namespace claw {
namespace {

constexpr size_t kMaxCapture = 64 * 1024;

// Reads what `fd` has now into `sink` (the rest past the cap is dropped);
// closes it at EOF or on an error.
void DrainInto(UniqueFd& fd, std::string& sink) {
  char buf[4096];
  while (fd.valid()) {
    const ssize_t n = read(fd.get(), buf, sizeof buf);
    if (n > 0) {
      sink.append(buf, std::min(static_cast<size_t>(n), kMaxCapture - std::min(sink.size(), kMaxCapture)));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
    fd.Reset();
  }
}

std::optional<rapidjson::Document> JsonObject(std::string_view out) {
  rapidjson::Document doc;
  doc.Parse(out.data(), out.size());
  if (doc.HasParseError() || !doc.IsObject()) return std::nullopt;
  return doc;
}

std::string StringOf(const rapidjson::Value& object, const char* name) {
  auto it = object.FindMember(name);
  return it != object.MemberEnd() && it->value.IsString() ? it->value.GetString() : "";
}

}  // namespace

std::vector<std::string> SubstitutePid(const std::vector<std::string>& argv, pid_t pid) {
  const std::string value = std::to_string(pid);
  std::vector<std::string> out;
  for (std::string arg : argv) {
    for (size_t at = arg.find("{pid}"); at != std::string::npos; at = arg.find("{pid}", at + value.size())) {
      arg.replace(at, 5, value);
    }
    out.push_back(std::move(arg));
  }
  return out;
}

HandoffVerdict ParseHandoffAnswer(int exit_code, std::string_view out) {
  if (exit_code != 0) return {false, "exit status " + std::to_string(exit_code)};
  auto doc = JsonObject(out);
  if (!doc) return {false, "the answer is not a JSON object"};
  const std::string status = StringOf(*doc, "status");
  if (status == "accepted") return {true, "accepted"};
  const std::string reason = StringOf(*doc, "reason");
  return {false, "status " + (status.empty() ? std::string("missing") : status) +
                     (reason.empty() ? std::string() : " (" + reason + ")")};
}

HandoffVerdict ParseCapabilities(int exit_code, std::string_view out) {
  if (exit_code != 0) return {false, "exit status " + std::to_string(exit_code)};
  auto doc = JsonObject(out);
  if (!doc) return {false, "the answer is not a JSON object"};
  auto ok = doc->FindMember("ok");
  if (ok != doc->MemberEnd() && ok->value.IsBool() && !ok->value.GetBool()) return {false, "\"ok\" is false"};
  auto version = doc->FindMember("protocolVersion");
  int protocol = 0;
  if (version != doc->MemberEnd()) {
    if (!version->value.IsInt() || version->value.GetInt() < 1) return {false, "unknown protocolVersion"};
    protocol = version->value.GetInt();
  }
  auto ops = doc->FindMember("operations");
  if (ops == doc->MemberEnd() || !ops->value.IsArray()) return {false, "no \"operations\" list"};
  for (const auto& op : ops->value.GetArray()) {
    if (op.IsString() && std::string_view(op.GetString()) == "consume") {
      return {true, protocol > 0 ? "protocol " + std::to_string(protocol) + ", consume" : "consume"};
    }
  }
  return {false, "\"consume\" is not among the operations"};
}

Result<std::unique_ptr<HelperRun>> HelperRun::Prepare(const SpawnPlan& base, const std::string& path,
                                                      std::vector<std::string> argv) {
  auto run = std::make_unique<HelperRun>();
  int out[2], err[2];
  if (pipe2(out, O_CLOEXEC) != 0) return Error{std::string("pipe2: ") + strerror(errno)};
  run->out_r_ = UniqueFd(out[0]);
  run->out_w_ = UniqueFd(out[1]);
  if (pipe2(err, O_CLOEXEC) != 0) return Error{std::string("pipe2: ") + strerror(errno)};
  run->err_r_ = UniqueFd(err[0]);
  run->err_w_ = UniqueFd(err[1]);
  run->dev_null_ = UniqueFd(open("/dev/null", O_RDONLY | O_CLOEXEC));
  if (!run->dev_null_.valid()) return Error{std::string("open /dev/null: ") + strerror(errno)};
  fcntl(out[0], F_SETFL, O_NONBLOCK);
  fcntl(err[0], F_SETFL, O_NONBLOCK);
  run->plan = base;
  run->plan.path = path;
  run->plan.argv = std::move(argv);
  run->plan.interactive = false;
  run->plan.stdio[0] = run->dev_null_.get();
  run->plan.stdio[1] = run->out_w_.get();
  run->plan.stdio[2] = run->err_w_.get();
  run->plan.default_signal_actions = true;
  return run;
}

void HelperRun::Started(pid_t pid) {
  pid_ = pid;
  out_w_.Reset();
  err_w_.Reset();
  dev_null_.Reset();
}

void HelperRun::Read() {
  DrainInto(out_r_, out_);
  DrainInto(err_r_, err_);
}

void HelperRun::Finish() {
  Read();
  // Whatever a process it left behind would still write is not its answer.
  out_r_.Reset();
  err_r_.Reset();
}

}  // namespace claw
