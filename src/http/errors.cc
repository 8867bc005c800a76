#include "http/errors.h"

#include <boost/json.hpp>

namespace herald::http {

int HttpStatusFor(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalid: return 400;
    case ErrorCode::kNotFound: return 404;
    case ErrorCode::kConflict: return 409;
    case ErrorCode::kUnauthorized: return 401;
    case ErrorCode::kForbidden: return 403;
    case ErrorCode::kTooLarge: return 413;
    case ErrorCode::kRateLimited: return 429;
    case ErrorCode::kUnavailable: return 503;
    case ErrorCode::kInternal: return 500;
  }
  return 500;
}

std::string ErrorBody(std::string_view code, std::string_view message, std::string_view field) {
  namespace json = boost::json;
  return json::serialize(
      json::object{{"error", json::object{{"code", code},
                                          {"message", message},
                                          {"field", field.empty() ? json::value(nullptr) : json::value(field)}}}});
}

Response JsonResponse(int status, std::string body) {
  Response r;
  r.status = status;
  r.body = std::move(body);
  r.Set("Content-Type", "application/json; charset=utf-8");
  r.Set("Cache-Control", "no-store");
  return r;
}

Response ErrorResponse(int status, std::string_view code, std::string_view message, std::string_view field) {
  return JsonResponse(status, ErrorBody(code, message, field));
}

Response ErrorResponse(const Error& error) {
  Response r = ErrorResponse(HttpStatusFor(error.code), ErrorCodeName(error.code), error.message, error.field);
  if (error.code == ErrorCode::kUnauthorized) r.Set("WWW-Authenticate", "Bearer realm=\"herald\"");
  if (error.code == ErrorCode::kUnavailable) r.Set("Retry-After", "5");
  return r;
}

Response MethodNotAllowed(std::string_view allow, std::string_view message) {
  Response r = ErrorResponse(405, ErrorCodeName(ErrorCode::kInvalid), message);
  r.Set("Allow", std::string(allow));
  return r;
}

}  // namespace herald::http
