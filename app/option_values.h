// The value parsers of the command line, the environment and the profile
// (app/options.cc): pure, and their errors are usage errors (2) that
// options.cc turns into configuration errors (78) for env and profile.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace claw {

// A decimal integer in [min, max].
Result<long long> ParseNumber(std::string_view text, long long min, long long max);

// 1/0, true/false, yes/no, on/off (any case); empty is false.
Result<bool> ParseBool(std::string_view text);

// "NET_BIND_SERVICE, chown" -> {"NET_BIND_SERVICE", "CHOWN"}: comma or space
// separated, CAP_ prefix dropped, upper case, duplicates once, each known
// to libcap.
Result<std::vector<std::string>> ParseCaps(std::string_view text);

}  // namespace claw
