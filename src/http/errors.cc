#include "http/errors.h"

#include "api/json.h"

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

Response JsonResponse(int status, std::string body) {
  Response r;
  r.status = status;
  r.body = std::move(body);
  r.Set("Content-Type", "application/json; charset=utf-8");
  r.Set("Cache-Control", "no-store");
  return r;
}

Response ErrorResponse(const Error& error) {
  Response r =
      JsonResponse(HttpStatusFor(error.code), api::ErrorBody(ErrorCodeName(error.code), error.message, error.field));
  if (error.code == ErrorCode::kUnauthorized) r.Set("WWW-Authenticate", "Bearer realm=\"herald\"");
  if (error.code == ErrorCode::kUnavailable) r.Set("Retry-After", "5");
  return r;
}

}  // namespace herald::http
