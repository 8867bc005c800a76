// The Statuspage-compatible public API (v2) of one page, rendered once per snapshot:
// summary.json, status.json, components.json, incidents.json, incidents/unresolved.json,
// scheduled-maintenances.json and its upcoming/active variants. Pure; thread-safe.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "model/model.h"

namespace herald::statuspage {

// What the documents are rendered from; referred to, not copied (a large page has thousands of
// incidents).
struct PublicApiInput {
  const model::Page& page;
  const std::vector<model::Component>& components;  // what the public may see
  const std::vector<model::Incident>& incidents;    // incidents and maintenances, newest first
  TimeMs now = 0;                                   // when the snapshot is built: the documents' updated_at
  std::string base_url;                             // the page's absolute URL without a trailing '/'
};

// Files as (path relative to the page's base, body), e.g. ("api/v2/summary.json", "{...}").
// `in` must already be filtered to public data; hidden components and internal updates are
// dropped again here as a second line of defence.
std::vector<std::pair<std::string, std::string>> RenderPublicApi(const PublicApiInput& in);

}  // namespace herald::statuspage
