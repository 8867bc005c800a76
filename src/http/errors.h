// The one error envelope of Herald's HTTP answers: every 4xx/5xx carries the JSON body
// {"error":{"code","message","field"}} (field null when no single field is at fault), as
// application/json; charset=utf-8 with Cache-Control: no-store. Everything that answers an error,
// the server itself included (malformed requests, framing, limits), builds it here.
#pragma once

#include <string>
#include <string_view>

#include "core/result.h"
#include "http/message.h"

namespace herald::http {

int HttpStatusFor(ErrorCode code);
// The envelope for a Herald error: status by HttpStatusFor, plus WWW-Authenticate on 401 and
// Retry-After on 503.
Response ErrorResponse(const Error& error);
// The envelope with a status and code of the server's own (431, 501, ...), no extra headers.
Response ErrorResponse(int status, std::string_view code, std::string_view message, std::string_view field = {});
// 405 with `Allow` (the methods the path does answer, comma-separated) and code "invalid".
Response MethodNotAllowed(std::string_view allow, std::string_view message);
// {"error":{"code":...,"message":...,"field":...}}
std::string ErrorBody(std::string_view code, std::string_view message, std::string_view field);
// A JSON response with the usual headers.
Response JsonResponse(int status, std::string body);

}  // namespace herald::http
