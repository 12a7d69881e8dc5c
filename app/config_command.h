// `claw-init config render` and `claw-init config check` (contract section
// 1): the patch plan of patchers/config_patch.h, shown or checked, nothing
// written.
#pragma once

#include "app/options.h"

namespace claw {

// Return an exit code: 0, or 78 with the error logged. render prints the
// config (and nothing else) on stdout, secrets shown as "<redacted>" unless
// --show-secrets; check prints nothing on stdout and logs
// "config ok: <target> (<n> keys set)".
int RunConfigRender(const Options& options, const Environment& env);
int RunConfigCheck(const Options& options, const Environment& env);

}  // namespace claw
