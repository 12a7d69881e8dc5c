// The settings of contract section 1 as a table: each one's option, its
// variable and profile key, and how a text value of it applies to Options.
// ParseOptions (options.cc) walks it for the command line, the environment
// and the profile alike.
#pragma once

#include <functional>
#include <string_view>
#include <vector>

#include "app/options.h"

namespace claw {

struct Setting {
  const char* option;       // "--restart"
  const char* env;          // "CLAW_RESTART"
  const char* profile_key;  // "restart.policy", or nullptr
  std::function<Status(std::string_view, Options&)> apply;
};

const std::vector<Setting>& Settings();
// The setting of `option` ("--restart"), or null.
const Setting* FindSetting(std::string_view option);

}  // namespace claw
