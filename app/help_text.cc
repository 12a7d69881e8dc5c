// The text of `claw-init --help` (declared in app/options.h): every option,
// its variable and default, as contract section 1 lists them.
#include <string>

#include "app/options.h"

namespace claw {

std::string HelpText() {
  return R"(claw-init: PID 1 and supervisor for AI-agent runtimes

Usage:
  claw-init [OPTIONS] [--] [COMMAND [ARG...]]   run COMMAND (or the profile's command)
  claw-init health [--url URL] [--timeout DUR]   HEALTHCHECK client: exit 0 healthy, 1 not
  claw-init version-probe [--json]               print the runtime version (alias --version-probe)
  claw-init version stamp                        record the runtime version in the stamp file
  claw-init config render [--show-secrets]       print the patched runtime config
  claw-init config check                         validate profile + env + base config
  claw-init --version | --help

Options (environment variable in brackets; command line > env > profile > default):
  --profile PATH            runtime profile [CLAW_PROFILE] (/etc/claw/profile.toml if present)
  --user SPEC               run the runtime as user[:group] or uid[:gid] [CLAW_USER]
  --caps LIST               capabilities kept, e.g. NET_BIND_SERVICE [CLAW_CAPS]
  --restart POLICY          never | on-failure | always [CLAW_RESTART] (never)
  --backoff-initial DUR     first restart delay [CLAW_BACKOFF_INITIAL] (1s)
  --backoff-max DUR         cap of the doubling delay, +-20% jitter [CLAW_BACKOFF_MAX] (30s)
  --backoff-reset DUR       a run this long resets delay and failures [CLAW_BACKOFF_RESET] (60s)
  --max-restarts N          give up after N+1 failed runs in a row, 0 never [CLAW_MAX_RESTARTS] (10)
  --stop-signal SIG         signal that asks the runtime to stop [CLAW_STOP_SIGNAL] (TERM)
  --stop-grace DUR          then SIGKILL the process group [CLAW_STOP_GRACE] (8s)
  --stop-delay DUR          not-ready at once, stop signal DUR later [CLAW_STOP_DELAY] (0s)
  --termination-log PATH    final exit reason, or off [CLAW_TERMINATION_LOG] (/dev/termination-log if it exists)
  --redact                  replace secret values in the runtime's output [CLAW_REDACT=1]
  --single-child            signal the child only, not its group [CLAW_SINGLE_CHILD=1]
  -r, --rewrite S:T         forward signal S as T; T=0 drops S (repeatable)
  -e, --remap-exit N        child exit code N becomes 0 (repeatable)
  --health-listen ADDR:PORT health server, or off [CLAW_HEALTH_LISTEN] (127.0.0.1:18700)
  --health-upstream URL     http://host:port/path or tcp://host:port [CLAW_HEALTH_UPSTREAM]
  --health-start-grace DUR  failing upstream is warn this long after a start [CLAW_HEALTH_START_GRACE] (0s)
  --log-format F            text | json [CLAW_LOG_FORMAT] (text)
  --log-level L             debug | info | warn | error [CLAW_LOG_LEVEL] (info)
  --version-stamp PATH      version stamp file [CLAW_VERSION_STAMP] (/etc/claw/version.json)

Config patching (environment):
  CLAW_CONFIG__a__b=VALUE        set key a.b of the runtime's config
  CLAW_CONFIG__a__b_FILE=PATH    the value from a file (Docker secrets)
  CLAW_CONFIG_UNSET__a__b=1      remove key a.b
  CLAW_CONFIG_MODE=merge|regenerate|off

DUR is 250ms, 2s, 5m, 1h or a number of seconds.
Exit status: the runtime's, 128+N if it died of signal N, 127 not found,
126 not executable, 78 configuration error, 2 usage error.
)";
}

}  // namespace claw
