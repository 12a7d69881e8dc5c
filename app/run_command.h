// The run mode: supervise the runtime until it is gone for good.
#pragma once

#include "app/options.h"
#include "base/environment.h"

namespace claw {

// Blocks signals, resolves the user, patches the config, starts the health
// server and the supervisor's loop; returns claw-init's exit code.
int RunSupervised(const Options& options, const Environment& env);

}  // namespace claw
