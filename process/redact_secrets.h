// Which values `--redact` hides (contract section 7, "Secret redaction").
// Pure: it takes what start-up already has (the environment, the profile's
// [config.env] aliases, and the contents config patching read through
// *_FILE variables) and reads nothing itself.
//
// A value is secret when it is
//   - the content of a *_FILE variable (`file_values`);
//   - the value of a CLAW_CONFIG__* variable or of a profile alias whose
//     key's last segment contains token, secret, password, passwd, apikey,
//     api_key or key (any case): CLAW_CONFIG__gateway__auth__token,
//     OPENCLAW_TOKEN = "gateway.auth.token";
//   - the value of a variable whose name ends in _TOKEN, _SECRET, _PASSWORD,
//     _API_KEY or _KEY (any case);
//   - the value of a variable named in CLAW_REDACT_ENV (comma-separated).
// Values shorter than kMinSecretBytes are not redacted (too likely to occur
// by chance, and to say what they are); a warning names the variable, never
// the value. An empty value is skipped without a warning: it hides nothing,
// and `FOO_TOKEN=` is how compose files often leave one unset. A name in
// CLAW_REDACT_ENV that is not set is a warning too.
//
// Pass the environment the runtime gets, so that secrets set for it alone
// count as well.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/environment.h"

namespace claw {

extern const char* const kEnvRedactEnv;  // CLAW_REDACT_ENV

inline constexpr size_t kMinSecretBytes = 8;

// (variable, value) pairs: the profile's aliases (variable -> dotted key, as
// in ConfigSpec::env) and the *_FILE contents (variable -> content).
using NamedValues = std::vector<std::pair<std::string, std::string>>;

struct SecretSelection {
  std::vector<std::string> secrets;   // distinct, each >= kMinSecretBytes
  std::vector<std::string> warnings;  // ready to log; no value in them
};

SecretSelection SelectSecrets(const Environment& env, const NamedValues& aliases, const NamedValues& file_values);

// True when `segment` contains one of the words above (any case).
bool SegmentLooksSecret(std::string_view segment);

}  // namespace claw
