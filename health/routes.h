// Which path answers what (contract section 4): GET and HEAD only (others
// 405), unknown paths 404, and /health, /health/live, /health/ready and
// /metrics rendered from the inputs (health_state.h). Pure: the request's
// method and path in, the reply out. Parsing the request is http_adapter's
// job, gathering the inputs (the snapshot, the upstream check) the server's.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "health/health_state.h"

namespace claw {

enum class Route { kHealth, kLive, kReady, kMetrics, kNone };

// The route of a request path without its query string; exact matches only,
// so "/health/" and "/HEALTH" are kNone.
Route RouteFor(std::string_view path);

// The route named by the request line at the head of `buffered` (the text
// between the first space and the next space or '?'). A rough look, for the
// poller to decide before parsing whether a request may wait for the
// upstream check: a request it misjudges is still answered correctly, only
// from the newest cached check.
Route RouteOfRequestLine(std::string_view buffered);

// Whether the route's answer depends on the upstream check: /health,
// /health/ready and /metrics do, /health/live does not.
bool UsesUpstream(Route route);

struct RequestHead {
  std::string_view method;
  std::string_view path;  // without the query string
  // Content-Length or Transfer-Encoding present: a body that is never read.
  bool has_body = false;
};

struct RouteReply {
  int code = 200;
  std::string content_type;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // besides Content-Type
  // The request left bytes that were not read (a body, or a method that may
  // carry one), so the byte stream can no longer be trusted: the connection
  // closes after this reply.
  bool close_after = false;
};

// Gathers what a reply depends on; the route says whether the upstream is
// wanted (UsesUpstream). May wait for an upstream check.
using InputsFunction = std::function<HealthInputs(Route route)>;

// The reply to `head`: 404 for an unknown path, 405 (with Allow) for a method
// other than GET and HEAD, else the route's answer from inputs(route), with
// Cache-Control: no-store, or 500 if building it throws. `inputs` is called
// once for a GET or HEAD of a known path, and never otherwise.
RouteReply Answer(const RequestHead& head, const InputsFunction& inputs);

// Whether an error reply with this status leaves the connection unusable.
// Our own 404, 405 and 503 do not; the rest come from the HTTP parser (400,
// 413, 414, 416, 431) or from a failure (500), after which the stream may be
// out of step with request boundaries.
bool ClosesAfterError(int status);

}  // namespace claw
