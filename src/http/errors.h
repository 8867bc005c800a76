// The one mapping from Herald error codes to HTTP responses: status code and the JSON body
// {"error":{"code","message","field"}} that every 4xx/5xx carries.
#pragma once

#include "core/result.h"
#include "http/message.h"

namespace herald::http {

int HttpStatusFor(ErrorCode code);
Response ErrorResponse(const Error& error);
// A JSON response with the usual headers.
Response JsonResponse(int status, std::string body);

}  // namespace herald::http
