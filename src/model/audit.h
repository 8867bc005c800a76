// AuditEntry: one write someone made through the management API, the CLI or the console, as the
// audit log keeps it: who (the actor), what (an action such as "incident.create" and its target),
// when, on which page and from where. Plain data; thread-compatible.
#pragma once

#include <cstdint>
#include <string>

#include "core/clock.h"

namespace herald::model {

struct AuditEntry {
  std::int64_t id = 0;  // assigned by the store, increasing; with `at`, the list's order
  TimeMs at = 0;
  // "api_key:<id>", "user:<id>" or "cli:<os user>": the kind and the id, filterable as one value.
  std::string actor;
  std::string actor_name;   // what people call the actor (the key's name, the user's email); may be empty
  std::string action;       // "<target type>.<verb>": "incident.create", "incident_update.edit", ...
  std::string target_type;  // "incident", "component", ...; empty when the write has no one target
  std::string target_id;
  std::string page_id;  // empty for writes outside a page (API keys)
  std::string source;   // the client's IP address for HTTP, "cli" for the command line
  std::string summary;  // one line: the request or command
  // For edits, the text fields that changed: a JSON array of {"field","before","after"}; empty
  // when nothing was compared.
  std::string changes_json;

  // "api_key:k1 (deploy bot)": the actor and, when known, its name.
  std::string ActorDisplay() const { return actor_name.empty() ? actor : actor + " (" + actor_name + ")"; }
};

}  // namespace herald::model
