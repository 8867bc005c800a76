// Parsing of request bodies into one JSON object, whatever the client sent: JSON
// (application/json) or the form encoding Statuspage also accepts
// (`incident[name]=...&incident[component_ids][]=a`), which is turned into the same nested
// object. Also typed field readers that report errors naming the field. Pure; thread-safe.
#pragma once

#include <boost/json/object.hpp>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "model/model.h"

namespace herald::api {

// Percent-decodes a URL query component ('+' is a space). nullopt on malformed escapes.
std::optional<std::string> FormDecode(std::string_view s);
// Parses "a=1&b[c]=2&d[]=x&d[]=y" into {"a":"1","b":{"c":"2"},"d":["x","y"]}.
Result<boost::json::object> ParseForm(std::string_view body);
// By Content-Type: JSON, form, or (empty body) an empty object. The body must be an object.
Result<boost::json::object> ParseBody(std::string_view content_type, std::string_view body);
// Statuspage wraps resources ({"incident": {...}}); returns the inner object if present, else
// the body itself.
boost::json::object Unwrap(const boost::json::object& body, std::string_view resource);

// Field readers: nullopt when absent (or JSON null); an Error naming the field when the type is
// wrong. Form bodies carry every value as a string, so numbers and booleans accept their text.
Result<std::optional<std::string>> GetString(const boost::json::object& o, std::string_view field);
Result<std::optional<bool>> GetBool(const boost::json::object& o, std::string_view field);
Result<std::optional<int>> GetInt(const boost::json::object& o, std::string_view field);
Result<std::optional<TimeMs>> GetTime(const boost::json::object& o, std::string_view field);
Result<std::optional<std::vector<std::string>>> GetStringList(const boost::json::object& o, std::string_view field);
// Statuspage's `components` map of component id (or name) to the status to put it in
// ({"id": "major_outage"}); empty when absent.
Result<std::map<std::string, model::ComponentStatus>> GetComponentMap(const boost::json::object& o);

}  // namespace herald::api
