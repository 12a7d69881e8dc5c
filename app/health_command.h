// Health, as the options ask for it: the server that run mode starts
// (--health-listen, --health-upstream, --health-start-grace) and the
// `claw-init health` subcommand (--url, --timeout). health/ knows nothing of
// Options; this is where they are turned into its config and its client's
// arguments (contract section 4).
#pragma once

#include <memory>
#include <string>

#include "app/options.h"
#include "health/health_server.h"

namespace claw {

// The health server for run mode, bound before the spawn and serving from
// the first snapshot after it. --health-listen off gives a server that is
// not running (logged at debug); an address or upstream URL that does not
// parse (Options validated both, so this would be a bug upstream) is a
// warning, and supervision goes on without it.
std::unique_ptr<HealthServer> StartHealthServer(const Options& options, std::string runtime_name,
                                                std::string runtime_version);

// `claw-init health`: asks /health on the listen address (a wildcard address
// on loopback) or --url, prints one line on stdout and returns 0 on HTTP 200,
// else 1; the caller exits with the result.
int RunHealthCommand(const Options& options);

}  // namespace claw
