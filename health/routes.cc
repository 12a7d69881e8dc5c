#include "health/routes.h"

#include <exception>

namespace claw {
namespace {

constexpr const char* kPlainText = "text/plain; charset=utf-8";

HttpReply Render(Route route, const HealthInputs& in) {
  switch (route) {
    case Route::kHealth:
    case Route::kReady: return RenderHealth(in);
    case Route::kLive: return RenderLive(in);
    case Route::kMetrics: return RenderMetrics(in);
    case Route::kNone: break;
  }
  return HttpReply{404, kPlainText, "not found\n"};
}

}  // namespace

Route RouteFor(std::string_view path) {
  if (path == "/health") return Route::kHealth;
  if (path == "/health/live") return Route::kLive;
  if (path == "/health/ready") return Route::kReady;
  if (path == "/metrics") return Route::kMetrics;
  return Route::kNone;
}

Route RouteOfRequestLine(std::string_view buffered) {
  size_t start = buffered.find(' ');
  if (start == std::string_view::npos) return Route::kNone;
  size_t end = buffered.find_first_of(" ?", start + 1);
  return RouteFor(buffered.substr(start + 1, end == std::string_view::npos ? std::string_view::npos : end - start - 1));
}

bool UsesUpstream(Route route) {
  return route == Route::kHealth || route == Route::kReady || route == Route::kMetrics;
}

RouteReply Answer(const RequestHead& head, const InputsFunction& inputs) {
  RouteReply out;
  const bool get_or_head = head.method == "GET" || head.method == "HEAD";
  // Anything but a body-less GET or HEAD leaves bytes we did not read.
  out.close_after = !get_or_head || head.has_body;
  const Route route = RouteFor(head.path);
  if (route == Route::kNone) {
    out.code = 404;
    out.content_type = kPlainText;
    out.body = "not found\n";
    return out;
  }
  if (!get_or_head) {
    out.code = 405;
    out.headers.emplace_back("Allow", "GET, HEAD");
    out.content_type = kPlainText;
    out.body = "method not allowed\n";
    return out;
  }
  HttpReply reply;
  try {
    reply = Render(route, inputs(route));
  } catch (const std::exception&) {
    reply = HttpReply{500, kPlainText, "internal error\n"};
  }
  out.code = reply.code;
  out.headers.emplace_back("Cache-Control", "no-store");
  out.content_type = std::move(reply.content_type);
  out.body = std::move(reply.body);
  return out;
}

bool ClosesAfterError(int status) { return status != 404 && status != 405 && status != 503; }

}  // namespace claw
