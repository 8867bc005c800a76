// What the components, maintenance and audit screens share: a form's errors as the console shows
// them (a message beside each bad field and a summary at the top), the audit record of an edit,
// and the answer when the database cannot be reached.
//
// Templates show an error with, per field F whose input has id "<prefix>F":
//   <input id="<prefix>F" ...{{#err_F}} aria-invalid="true" aria-describedby="<prefix>F-error"{{/err_F}}>
//   {{#err_F}}<p class="field-error" id="<prefix>F-error">{{err_F}}</p>{{/err_F}}
// and the summary (role=alert, each message a link to its field) with {{#errors}}...{{/errors}}.
//
// Thread safety: pure functions.
#pragma once

#include <string>
#include <tuple>
#include <vector>

#include "console/screen.h"
#include "core/result.h"

namespace herald::console {

struct FieldError {
  std::string field;  // the form field's name ("name", "scheduled_until"); empty: the whole form
  std::string message;
};

// Sets `err_<field>` to each message, `errors` to the list of {message, href "#<prefix><field>"}
// and `has_errors`.
void SetFieldErrors(mu::data& data, const std::vector<FieldError>& errors, const std::string& id_prefix);
// A service's refusal as a field error: its field (renamed through `rename`, pairs of service
// field and form field) and its message with a capital first letter.
FieldError FromError(const Error& error, const std::vector<std::pair<std::string, std::string>>& rename = {});
// Whether the error is the user's (fix the form) rather than the database's (try again later).
bool IsInputError(const Error& error);
// The 503 page for a database that cannot be reached (or another failure that is not the user's).
http::Response Unavailable(const ScreenContext& ctx);

// The audit log's `changes` of an edit of object `id`: each (field, before, after) whose text
// differs, in the API's format (service::TextChanges).
std::string ChangesJson(const std::string& id,
                        const std::vector<std::tuple<std::string, std::string, std::string>>& fields);

// "?page=<id>&": the start of a query that keeps the console on `page_id`.
std::string PageParam(const std::string& page_id);

}  // namespace herald::console
