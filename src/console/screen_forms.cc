#include "console/screen_forms.h"

#include "core/text.h"

namespace herald::console {

void SetFieldErrors(mu::data& data, const std::vector<FieldError>& errors, const std::string& id_prefix) {
  if (errors.empty()) return;
  mu::data list{mu::data::type::list};
  for (const auto& e : errors) {
    if (!e.field.empty()) data.set("err_" + e.field, e.message);
    mu::data item;
    item.set("message", e.message);
    if (!e.field.empty()) item.set("href", "#" + id_prefix + e.field);
    list.push_back(item);
  }
  data.set("errors", list);
  data.set("has_errors", true);
}

FieldError FromError(const Error& error, const std::vector<std::pair<std::string, std::string>>& rename) {
  FieldError out{error.field, error.message};
  for (const auto& [from, to] : rename)
    if (out.field == from) out.field = to;
  if (!out.message.empty() && out.message[0] >= 'a' && out.message[0] <= 'z') out.message[0] -= 'a' - 'A';
  return out;
}

bool IsInputError(const Error& error) {
  return error.code == ErrorCode::kInvalid || error.code == ErrorCode::kConflict || error.code == ErrorCode::kTooLarge;
}

http::Response Unavailable(const ScreenContext& ctx) {
  return ctx.Message(503, "Unavailable", "The database cannot be reached. Try again shortly.");
}

std::string ChangesJson(const std::string& id,
                        const std::vector<std::tuple<std::string, std::string, std::string>>& fields) {
  std::string before = "{\"id\":\"" + JsonEscape(id) + "\"", after = before;
  for (const auto& [field, old_value, new_value] : fields) {
    before += ",\"" + JsonEscape(field) + "\":\"" + JsonEscape(old_value) + "\"";
    after += ",\"" + JsonEscape(field) + "\":\"" + JsonEscape(new_value) + "\"";
  }
  return service::TextChanges(before + "}", after + "}");
}

std::string PageParam(const std::string& page_id) { return "?page=" + QueryEscape(page_id) + "&"; }

}  // namespace herald::console
