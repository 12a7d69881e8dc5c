// Result<T>: a value or an Error, in the shape of toml++'s parse_result.
// Errors are values with context; the function that fails states the fact and
// each caller prefixes its own step (see ../shared/style.md, section 6).
#pragma once

#include <string>
#include <utility>
#include <variant>

#include "base/exit_code.h"

namespace claw {

struct Error {
  std::string message;
  // How serious the error is when it reaches main. Usage errors come from the
  // command line; everything found in env, profile or files is kConfig.
  ExitCode code = ExitCode::kConfig;

  // Returns a copy whose message has `step` in front: "step: message".
  Error Prefixed(const std::string& step) const {
    return Error{step + ": " + message, code};
  }
};

template <typename T>
class Result {
 public:
  Result(T value) : data_(std::move(value)) {}  // NOLINT: implicit on purpose
  Result(Error error) : data_(std::move(error)) {}  // NOLINT

  explicit operator bool() const { return data_.index() == 0; }
  T& value() & { return std::get<0>(data_); }
  const T& value() const& { return std::get<0>(data_); }
  T&& value() && { return std::get<0>(std::move(data_)); }
  const Error& error() const { return std::get<1>(data_); }

 private:
  std::variant<T, Error> data_;
};

// Result<void> spelled as a type: success carries nothing.
struct Ok {};
using Status = Result<Ok>;

}  // namespace claw
