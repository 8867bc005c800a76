// The Statuspage-compatible public API (v2) of one page, rendered once per snapshot:
// summary.json, status.json, components.json, incidents.json, incidents/unresolved.json,
// scheduled-maintenances.json and its upcoming/active variants. Pure; thread-safe.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "page/render.h"

namespace herald::api {

// Files as (path relative to the page's base, body), e.g. ("api/v2/summary.json", "{...}").
// `in` must already be filtered to public data; hidden components and internal updates are
// dropped again here as a second line of defence.
std::vector<std::pair<std::string, std::string>> RenderPublicApi(const page::SiteInput& in);

}  // namespace herald::api
